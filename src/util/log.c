/* SPDX-License-Identifier: MIT */
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * One logging context per process: cxl-emu and the tools are single-threaded
 * event loops, and the library never logs unless its user opts in.
 */
static struct {
	enum log_level level;
	log_sink_fn sink;
	void *arg;
} log_ctx = { .level = LOG_LVL_NONE };

static const char *const log_names[] = { "error", "warn", "info", "debug" };

void log_set_level(enum log_level lvl)
{
	log_ctx.level = lvl;
}

enum log_level log_get_level(void)
{
	return log_ctx.level;
}

void log_set_sink(log_sink_fn fn, void *arg)
{
	log_ctx.sink = fn;
	log_ctx.arg = arg;
}

int log_level_parse(const char *s, enum log_level *out)
{
	if (!strcmp(s, "none")) {
		*out = LOG_LVL_NONE;
		return 0;
	}
	for (int i = 0; i < (int)(sizeof(log_names) / sizeof(log_names[0])); i++) {
		if (!strcmp(s, log_names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (lvl > log_ctx.level || lvl < LOG_LVL_ERR)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (log_ctx.sink)
		log_ctx.sink(lvl, buf, log_ctx.arg);
	else
		fprintf(stderr, "%s: %s\n", log_names[lvl], buf);
}
