/* SPDX-License-Identifier: MIT */
#include "e2e.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#ifndef CXL_EMU_PATH
#define CXL_EMU_PATH "cxl-emu"
#endif

#define START_TIMEOUT_MS 10000

void e2e_mkdtemp(char *buf, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(buf, len, "%s/cxlfm-e2e-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(buf)) {
		perror("mkdtemp");
		abort();
	}
}

void e2e_argv_add(struct e2e_argv *a, const char *fmt, ...)
{
	va_list ap;

	if (a->ns == (int)(sizeof(a->s) / sizeof(a->s[0])) ||
	    a->n + 1 >= (int)(sizeof(a->v) / sizeof(a->v[0]))) {
		fprintf(stderr, "e2e: argv too long\n");
		abort();
	}
	va_start(ap, fmt);
	vsnprintf(a->s[a->ns], sizeof(a->s[0]), fmt, ap);
	va_end(ap);
	a->v[a->n++] = a->s[a->ns++];
	a->v[a->n] = NULL;
}

void e2e_argv_addv(struct e2e_argv *a, const char *const *words)
{
	for (; *words; words++) {
		if (a->n + 1 >= (int)(sizeof(a->v) / sizeof(a->v[0]))) {
			fprintf(stderr, "e2e: argv too long\n");
			abort();
		}
		a->v[a->n++] = *words;
		a->v[a->n] = NULL;
	}
}

void e2e_rmdir(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "e2e: could not remove %s\n", dir);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read one line from fd with a deadline; returns its length or -1. */
static int read_line(int fd, char *buf, size_t len, long deadline)
{
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = deadline - now_ms();
		char c;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		if (read(fd, &c, 1) != 1)
			return -1;
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = 0;
	return (int)n;
}

int emu_start(struct emu_proc *p, const char *const *argv)
{
	return emu_start_xdg(p, argv, false);
}

int emu_start_xdg(struct emu_proc *p, const char *const *argv, bool default_run_dir)
{
	const char *bin = getenv("CXL_EMU") ? getenv("CXL_EMU") : CXL_EMU_PATH;
	const char *args[128];
	static char subst[64][512];
	int ns = 0;
	char portarg[64], line[512];
	int pipefd[2], n = 0;
	long deadline;

	memset(p, 0, sizeof(*p));
	e2e_mkdtemp(p->run_dir, sizeof(p->run_dir));
	args[n++] = bin;
	if (!default_run_dir) {
		args[n++] = "--run-dir";
		args[n++] = p->run_dir;
	}
	for (; *argv && n < 120; argv++) {
		if (!strcmp(*argv, "@PORT")) {
			snprintf(portarg, sizeof(portarg), "tcp:127.0.0.1:0,server,wait=off");
			args[n++] = portarg;
		} else if (strstr(*argv, "@RUN") && ns < 64) {
			const char *at = strstr(*argv, "@RUN");

			snprintf(subst[ns], sizeof(subst[ns]), "%.*s%s%s", (int)(at - *argv),
				 *argv, p->run_dir, at + 4);
			args[n++] = subst[ns++];
		} else {
			args[n++] = *argv;
		}
	}
	args[n] = NULL;
	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		if (default_run_dir) /* cxl-emu picks $XDG_RUNTIME_DIR/cxl-emu/NAME */
			setenv("XDG_RUNTIME_DIR", p->run_dir, 1);
		dup2(pipefd[1], 1);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	close(pipefd[1]);
	p->out_fd = pipefd[0];
	deadline = now_ms() + START_TIMEOUT_MS;
	while (read_line(p->out_fd, line, sizeof(line), deadline) >= 0) {
		char a[300], b[300];

		if (!strcmp(line, "cxl-emu: ready"))
			return 0;
		if (sscanf(line, "cxl-emu: qmp tcp:%299[^:]:%299s", a, b) == 2 && !p->qmp_port)
			p->qmp_port = atoi(b);
		if (sscanf(line, "cxl-emu: bus %63s %299s", a, b) == 2 &&
		    p->n_buses < E2E_MAX_BUSES) {
			snprintf(p->bus_name[p->n_buses], sizeof(p->bus_name[0]), "%.63s", a);
			snprintf(p->bus_path[p->n_buses], sizeof(p->bus_path[0]), "%s", b);
			p->n_buses++;
		}
	}
	fprintf(stderr, "e2e: %s did not become ready\n", bin);
	emu_stop(p);
	e2e_rmdir(p->run_dir);
	return -1;
}

int emu_stop(struct emu_proc *p)
{
	int status = 0;
	long deadline = now_ms() + 5000;

	if (p->pid <= 0)
		return -1;
	kill(p->pid, SIGTERM);
	while (waitpid(p->pid, &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
			status = -1;
			break;
		}
		usleep(1000);
	}
	p->pid = 0;
	if (p->out_fd > 0)
		close(p->out_fd);
	return status < 0 ? -1 : (WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

const char *emu_bus(const struct emu_proc *p, const char *name)
{
	for (int i = 0; i < p->n_buses; i++)
		if (!strcmp(p->bus_name[i], name))
			return p->bus_path[i];
	return NULL;
}

static struct json_object *read_json(int fd, int timeout_ms)
{
	char line[1 << 16];
	int n = read_line(fd, line, sizeof(line), now_ms() + timeout_ms);

	return n < 0 ? NULL : json_tokener_parse(line);
}

int qmp_open(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct json_object *o;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	o = read_json(fd, 5000); /* greeting */
	if (!o) {
		close(fd);
		return -1;
	}
	json_object_put(o);
	o = qmp_exec(fd, "qmp_capabilities", NULL);
	if (!o) {
		close(fd);
		return -1;
	}
	json_object_put(o);
	return fd;
}

struct json_object *qmp_exec(int fd, const char *cmd, struct json_object *args)
{
	struct json_object *req = json_object_new_object(), *o;
	const char *s;

	json_object_object_add(req, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(req, "arguments", args);
	s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	if (write(fd, s, strlen(s)) < 0 || write(fd, "\n", 1) < 0) {
		json_object_put(req);
		return NULL;
	}
	json_object_put(req);
	while ((o = read_json(fd, 10000))) {
		if (json_object_object_get_ex(o, "return", NULL) ||
		    json_object_object_get_ex(o, "error", NULL))
			return o;
		json_object_put(o); /* an event */
	}
	return NULL;
}

struct json_object *qmp_wait_event(int fd, const char *name, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	struct json_object *o, *ev;

	while (now_ms() < deadline && (o = read_json(fd, (int)(deadline - now_ms())))) {
		if (json_object_object_get_ex(o, "event", &ev) &&
		    !strcmp(json_object_get_string(ev), name))
			return o;
		json_object_put(o);
	}
	return NULL;
}
