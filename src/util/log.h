/* SPDX-License-Identifier: MIT */
/*
 * Logging with context. Nothing is printed unless a sink is installed
 * (log_set_sink) or the default stderr sink is enabled by the program
 * (log_set_level). Messages carry their own context prefix, e.g.
 * "dev cxl-dcd0 op 0x5604: ..." so a line can be traced to device and opcode.
 */
#ifndef CXLFM_UTIL_LOG_H
#define CXLFM_UTIL_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_LVL_NONE = -1,
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

typedef void (*log_sink_fn)(enum log_level lvl, const char *msg, void *arg);

/* Default: level NONE (silent). Programs opt in. */
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* NULL sink restores the stderr sink. */
void log_set_sink(log_sink_fn fn, void *arg);
/* The stderr sink's lines start with log_timestamp()'s stamp (default off). */
void log_set_timestamps(bool on);
/* The stderr sink writes to PATH (appended, line-buffered) instead; 0 or -errno. */
int log_open_file(const char *path);
/* "2026-12-06T09:30:00.123456Z " (UTC wall clock, QEMU's -msg timestamp=on
 * form) into buf; returns its length, 0 if len < 29. */
size_t log_timestamp(char *buf, size_t len);
/* Parses "none|error|warn|info|debug"; returns 0 or -EINVAL. */
int log_level_parse(const char *s, enum log_level *out);

__attribute__((format(printf, 2, 3)))
void log_msg(enum log_level lvl, const char *fmt, ...);

#define log_err(...)   log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_dbg(...)   log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/*
 * Rate limit for a warning a peer can trigger at will: true for the 1st,
 * 2nd, 4th, 8th, ... occurrence (n counts them from 1), so a flood logs
 * O(log n) lines that still say how many there were.
 */
static inline int log_every_pow2(unsigned long long n)
{
	return n && !(n & (n - 1));
}

#endif
