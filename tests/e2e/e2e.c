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
#include <sys/mman.h>
#include <sys/prctl.h>
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

void e2e_rfc_topology(struct e2e_argv *a, const char *t3_extra)
{
	static const char *const rfc[] = { E2E_RFC_SWITCH, NULL };

	e2e_argv_addv(a, rfc);
	e2e_argv_add(a, "-device");
	e2e_argv_add(a, "cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,"
		     "lsa=cxl-lsa2,num-dc-regions=2,sn=99,allow-fm-attach=on%s", t3_extra);
}

void e2e_rfc_target_argv(struct e2e_argv *a, const char *buf, unsigned slots, int port,
			 bool init)
{
	char t3[256];

	snprintf(t3, sizeof(t3), "%s,mctp-buf-name=%s,mctp-buf-slots=%u",
		 init ? ",mctp-buf-init=on" : "", buf, slots);
	e2e_rfc_topology(a, t3);
	e2e_argv_add(a, "-device");
	e2e_argv_add(a, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0");
	e2e_argv_add(a, "-device");
	e2e_argv_add(a, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0");
	e2e_argv_add(a, "-qmp");
	if (port)
		e2e_argv_add(a, "tcp:127.0.0.1:%d,server,wait=off", port);
	else
		e2e_argv_add(a, "@PORT");
}

void e2e_rfc_fm_argv(struct e2e_argv *a, const char *buf, unsigned slots, int target_port,
		     bool fwd_switch, const char *ep_extra)
{
	char t3[256], fwd[96];

	snprintf(t3, sizeof(t3), ",mctp-buf-name=%s,mctp-buf-slots=%u", buf, slots);
	snprintf(fwd, sizeof(fwd), ",mctp-msg-forward=on,qmp=127.0.0.1:%d", target_port);
	e2e_rfc_topology(a, t3);
	e2e_argv_add(a, "-device");
	e2e_argv_add(a, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0%s",
		     fwd_switch ? fwd : "");
	e2e_argv_add(a, "-device");
	e2e_argv_add(a, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0%s%s", fwd,
		     ep_extra ? ep_extra : "");
	e2e_argv_add(a, "-qmp");
	e2e_argv_add(a, "@PORT");
}

void e2e_rfc_pair_stop(struct emu_proc *tgt, struct emu_proc *fm, const char *buf)
{
	if (fm->pid)
		emu_stop(fm);
	if (tgt->pid)
		emu_stop(tgt);
	if (fm->run_dir[0])
		e2e_rmdir(fm->run_dir);
	if (tgt->run_dir[0])
		e2e_rmdir(tgt->run_dir);
	if (buf)
		shm_unlink(buf);
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

/* The child's argv: the binary, the run dir, then argv with @PORT and @RUN filled in. */
struct emu_args {
	const char *v[128];
	char subst[64][512];
	char port[64];
};

static const char *emu_bin(void)
{
	return getenv("CXL_EMU") ? getenv("CXL_EMU") : CXL_EMU_PATH;
}

static void emu_args(struct emu_args *a, const struct emu_proc *p, const char *const *argv,
		     bool default_run_dir)
{
	int n = 0, ns = 0;

	a->v[n++] = emu_bin();
	if (!default_run_dir) {
		a->v[n++] = "--run-dir";
		a->v[n++] = p->run_dir;
	}
	for (; *argv && n < 120; argv++) {
		if (!strcmp(*argv, "@PORT")) {
			snprintf(a->port, sizeof(a->port), "tcp:127.0.0.1:0,server,wait=off");
			a->v[n++] = a->port;
		} else if (strstr(*argv, "@RUN") && ns < 64) {
			const char *at = strstr(*argv, "@RUN");

			snprintf(a->subst[ns], sizeof(a->subst[ns]), "%.*s%s%s",
				 (int)(at - *argv), *argv, p->run_dir, at + 4);
			a->v[n++] = a->subst[ns++];
		} else {
			a->v[n++] = *argv;
		}
	}
	a->v[n] = NULL;
}

/* Where the child's stderr goes. */
enum emu_stderr { EMU_STDERR_KEEP, EMU_STDERR_PIPE, EMU_STDERR_LOG };

/* Fork and exec a->v with stdout (and stderr if asked) on a pipe: p->out_fd. */
static int emu_spawn(struct emu_proc *p, const struct emu_args *a, bool default_run_dir,
		     enum emu_stderr err)
{
	int pipefd[2];

	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed or killed test */
		if (default_run_dir) /* cxl-emu picks $XDG_RUNTIME_DIR/cxl-emu/NAME */
			setenv("XDG_RUNTIME_DIR", p->run_dir, 1);
		dup2(pipefd[1], 1);
		if (err == EMU_STDERR_PIPE) {
			dup2(pipefd[1], 2);
		} else if (err == EMU_STDERR_LOG) {
			char log[300];
			int fd;

			snprintf(log, sizeof(log), "%s/" EMU_LOG, p->run_dir);
			fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
			if (fd >= 0)
				dup2(fd, 2);
		}
		execv(a->v[0], (char *const *)a->v);
		_exit(127);
	}
	close(pipefd[1]);
	p->out_fd = pipefd[0];
	return 0;
}

static int emu_start_as(struct emu_proc *p, const char *const *argv, bool default_run_dir,
			enum emu_stderr err)
{
	static struct emu_args a;
	char line[512];
	long deadline;

	memset(p, 0, sizeof(*p));
	e2e_mkdtemp(p->run_dir, sizeof(p->run_dir));
	emu_args(&a, p, argv, default_run_dir);
	if (emu_spawn(p, &a, default_run_dir, err))
		return -1;
	deadline = now_ms() + START_TIMEOUT_MS;
	while (read_line(p->out_fd, line, sizeof(line), deadline) >= 0) {
		char x[300], y[300];

		if (!strcmp(line, "cxl-emu: ready"))
			return 0;
		if (sscanf(line, "cxl-emu: qmp tcp:%299[^:]:%299s", x, y) == 2 && !p->qmp_port)
			p->qmp_port = atoi(y);
		if (sscanf(line, "cxl-emu: bus %63s %299s", x, y) == 2 &&
		    p->n_buses < E2E_MAX_BUSES) {
			snprintf(p->bus_name[p->n_buses], sizeof(p->bus_name[0]), "%.63s", x);
			snprintf(p->bus_path[p->n_buses], sizeof(p->bus_path[0]), "%s", y);
			p->n_buses++;
		}
		if (sscanf(line, "cxl-emu: memdev %15s %*s %299s", x, y) == 2 &&
		    p->n_memdevs < E2E_MAX_MEMDEVS) {
			snprintf(p->memdev_name[p->n_memdevs], sizeof(p->memdev_name[0]), "%.15s", x);
			snprintf(p->memdev_path[p->n_memdevs], sizeof(p->memdev_path[0]), "%s", y);
			p->n_memdevs++;
		}
	}
	fprintf(stderr, "e2e: %s did not become ready\n", a.v[0]);
	emu_stop(p);
	if (err == EMU_STDERR_LOG) { /* say why before the log goes */
		char log[300], buf[4096];
		FILE *f;

		snprintf(log, sizeof(log), "%s/" EMU_LOG, p->run_dir);
		if ((f = fopen(log, "r"))) {
			size_t n = fread(buf, 1, sizeof(buf) - 1, f);

			buf[n] = 0;
			fprintf(stderr, "%s", buf);
			fclose(f);
		}
	}
	e2e_rmdir(p->run_dir);
	return -1;
}

int emu_start_xdg(struct emu_proc *p, const char *const *argv, bool default_run_dir)
{
	return emu_start_as(p, argv, default_run_dir, EMU_STDERR_KEEP);
}

int emu_start_quiet(struct emu_proc *p, const char *const *argv)
{
	return emu_start_as(p, argv, false, EMU_STDERR_LOG);
}

int emu_run_refused(const char *run_dir, const char *const *argv, char *out, size_t len)
{
	static struct emu_args a;
	struct emu_proc p = { .pid = 0 };
	long deadline = now_ms() + START_TIMEOUT_MS;
	size_t n = 0;
	int st = 0, r;

	snprintf(p.run_dir, sizeof(p.run_dir), "%s", run_dir);
	emu_args(&a, &p, argv, false);
	out[0] = 0;
	if (emu_spawn(&p, &a, false, EMU_STDERR_PIPE))
		return -1;
	while (n + 1 < len) {
		struct pollfd pfd = { .fd = p.out_fd, .events = POLLIN };
		long left = deadline - now_ms();

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0 ||
		    (r = (int)read(p.out_fd, out + n, len - 1 - n)) <= 0)
			break;
		n += (size_t)r;
		out[n] = 0;
		if (strstr(out, "cxl-emu: ready")) { /* it started: not refused */
			emu_stop(&p);
			return -1;
		}
	}
	close(p.out_fd);
	if (n + 1 >= len || now_ms() >= deadline) { /* still running: stop it */
		p.out_fd = -1;
		emu_stop(&p);
		return -1;
	}
	waitpid(p.pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
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

void emu_kill(struct emu_proc *p)
{
	if (p->pid <= 0)
		return;
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	p->pid = 0;
	if (p->out_fd > 0)
		close(p->out_fd);
}

int e2e_run(const char *const *argv, const char *const *env, int timeout_s)
{
	long deadline = now_ms() + timeout_s * 1000l;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed or killed test */
		for (; env && *env; env++) {
			if (**env == '-')
				unsetenv(*env + 1);
			else
				putenv((char *)*env);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			fprintf(stderr, "e2e: %s did not finish, killed\n", argv[0]);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(10000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
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

int qmp_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct json_object *o;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	o = read_json(fd, 5000); /* greeting */
	if (!o) {
		close(fd);
		return -1;
	}
	json_object_put(o);
	return fd;
}

int qmp_open(int port)
{
	struct json_object *o;
	int fd = qmp_connect(port);

	if (fd < 0)
		return -1;
	o = qmp_exec(fd, "qmp_capabilities", NULL);
	if (!o) {
		close(fd);
		return -1;
	}
	json_object_put(o);
	return fd;
}

struct json_object *qmp_exec_json(int fd, const char *cmd, const char *json)
{
	return qmp_exec(fd, cmd, json ? json_tokener_parse(json) : NULL);
}

struct json_object *qmp_exec(int fd, const char *cmd, struct json_object *args)
{
	struct json_object *req = json_object_new_object(), *o;
	const char *s;
	char *line;
	size_t len;
	bool sent;

	json_object_object_add(req, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(req, "arguments", args);
	s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	/* One write: a second small one would wait for the first's delayed ACK
	 * (Nagle), 40 ms a command on loopback. */
	len = strlen(s);
	line = malloc(len + 1);
	sent = false;
	if (line) {
		memcpy(line, s, len);
		line[len] = '\n';
		sent = write(fd, line, len + 1) == (ssize_t)(len + 1);
		free(line);
	}
	json_object_put(req);
	if (!sent)
		return NULL;
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

void emu_cleanup(struct emu_proc *p)
{
	if (p->pid)
		emu_stop(p);
	if (p->run_dir[0])
		e2e_rmdir(p->run_dir);
	memset(p, 0, sizeof(*p));
}
