/* SPDX-License-Identifier: MIT */
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/*
 * One logging context per process: cxl-emu and the tools are single-threaded
 * event loops, and the library never logs unless its user opts in.
 */
static struct {
	enum log_level level;
	log_sink_fn sink;
	void *arg;
	bool timestamps;
	FILE *file; /* log_open_file(); NULL: stderr */
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

void log_set_timestamps(bool on)
{
	log_ctx.timestamps = on;
}

int log_open_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	FILE *f;

	if (fd < 0)
		return -errno;
	f = fdopen(fd, "a");
	if (!f) {
		int err = -errno;

		close(fd);
		return err;
	}
	setvbuf(f, NULL, _IOLBF, 0); /* a line is there when it is logged */
	if (log_ctx.file)
		fclose(log_ctx.file);
	log_ctx.file = f;
	return 0;
}

/*
 * QEMU's `-msg timestamp=on` prefix: wall-clock UTC, microseconds,
 * "2026-12-06T09:30:00.123456Z ". Wall clock, so lines can be matched with
 * other programs' logs (the FM's, the other host's).
 */
size_t log_timestamp(char *buf, size_t len)
{
	struct timeval tv;
	struct tm tm;
	size_t n;

	if (len < 29)
		return 0;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(buf + n, len - n, ".%06ldZ ", (long)tv.tv_usec);
	return n < len ? n : len - 1;
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
	if (log_ctx.sink) {
		log_ctx.sink(lvl, buf, log_ctx.arg);
	} else {
		char ts[40] = "";

		if (log_ctx.timestamps)
			log_timestamp(ts, sizeof(ts));
		fprintf(log_ctx.file ? log_ctx.file : stderr, "%s%s: %s\n", ts, log_names[lvl], buf);
	}
}
