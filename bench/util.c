/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmbench plumbing: clocks and quantiles, the figure table, child
 * processes / temp dirs / shm names that are always cleaned up, starting a
 * cxl-emu and waiting for its "ready" line, and a blocking QMP line client.
 */
#include "fmbench.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- time and statistics ---- */

uint64_t fb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double fb_quantile(double *v, size_t n, double q)
{
	size_t i;

	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)ceil(q * (double)n);
	return v[i ? i - 1 : 0];
}

double fb_median(const double *v, size_t n)
{
	double tmp[FB_MAX_ROUNDS];

	if (!n || n > FB_MAX_ROUNDS)
		return NAN;
	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* ---- figures ---- */

#define MAX_FIGS 96
static struct fig figs[MAX_FIGS];
static size_t nfigs;

struct fig *fig_find(const char *key)
{
	for (size_t i = 0; i < nfigs; i++)
		if (!strcmp(figs[i].key, key))
			return &figs[i];
	return NULL;
}

struct fig *fig_get(const char *key, const char *label, const char *unit, enum fig_kind k)
{
	struct fig *f = fig_find(key);

	if (f)
		return f;
	if (nfigs == MAX_FIGS) {
		fprintf(stderr, "cxl-fmbench: too many figures\n");
		abort();
	}
	f = &figs[nfigs++];
	snprintf(f->key, sizeof(f->key), "%s", key);
	snprintf(f->label, sizeof(f->label), "%s", label);
	f->unit = unit;
	f->kind = k;
	return f;
}

void fig_add_lat(struct fig *f, double p50, double p99)
{
	if (f->n < FB_MAX_ROUNDS) {
		f->p50[f->n] = p50;
		f->p99[f->n] = p99;
		f->n++;
	}
}

void fig_add_val(struct fig *f, double v)
{
	fig_add_lat(f, v, v);
}

double fig_p50(const struct fig *f)
{
	return f->n ? fb_median(f->p50, (size_t)f->n) : NAN;
}

double fig_p99(const struct fig *f)
{
	return f->n ? fb_median(f->p99, (size_t)f->n) : NAN;
}

size_t fig_count(void)
{
	return nfigs;
}

struct fig *fig_at(size_t i)
{
	return i < nfigs ? &figs[i] : NULL;
}

int fb_latency(fb_op_fn fn, void *arg, unsigned warm, unsigned iters,
	       double *p50_us, double *p99_us)
{
	double *v = malloc((iters ? iters : 1) * sizeof(*v));
	int err = 0;

	if (!v)
		return -ENOMEM;
	for (unsigned i = 0; i < warm && !err; i++)
		err = fn(arg);
	for (unsigned i = 0; i < iters && !err; i++) {
		uint64_t t0 = fb_now_ns();

		err = fn(arg);
		v[i] = (double)(fb_now_ns() - t0) / 1000.0;
	}
	if (!err) {
		*p50_us = fb_quantile(v, iters, 0.50);
		*p99_us = fb_quantile(v, iters, 0.99);
	}
	free(v);
	return err;
}

/* ---- cleanup ---- */

#define MAX_TRACK 64
static pid_t children[MAX_TRACK];
static char tmpdirs[MAX_TRACK][256];
static char shms[MAX_TRACK][64];

void fb_child_add(pid_t pid)
{
	for (int i = 0; i < MAX_TRACK; i++)
		if (!children[i]) {
			children[i] = pid;
			return;
		}
}

void fb_child_forget(pid_t pid)
{
	for (int i = 0; i < MAX_TRACK; i++)
		if (children[i] == pid)
			children[i] = 0;
}

int fb_child_stop(pid_t pid)
{
	uint64_t deadline = fb_now_ns() + 5000000000ull;
	int status = -1;
	pid_t r;

	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	while ((r = waitpid(pid, &status, WNOHANG)) == 0) {
		if (fb_now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			status = -1;
			break;
		}
		usleep(500);
	}
	if (r < 0)
		status = -1;
	fb_child_forget(pid);
	return status;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void fb_rmtree(const char *dir)
{
	if (!dir || !dir[0])
		return;
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (int i = 0; i < MAX_TRACK; i++)
		if (!strcmp(tmpdirs[i], dir))
			tmpdirs[i][0] = 0;
}

int fb_tmpdir(char *buf, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(buf, len, "%s/cxl-fmbench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(buf))
		return -errno;
	for (int i = 0; i < MAX_TRACK; i++)
		if (!tmpdirs[i][0]) {
			snprintf(tmpdirs[i], sizeof(tmpdirs[i]), "%s", buf);
			break;
		}
	return 0;
}

void fb_shm_track(const char *name)
{
	for (int i = 0; i < MAX_TRACK; i++)
		if (!shms[i][0]) {
			snprintf(shms[i], sizeof(shms[i]), "%s", name);
			return;
		}
}

void fb_cleanup(void)
{
	for (int i = 0; i < MAX_TRACK; i++)
		if (children[i]) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
			children[i] = 0;
		}
	for (int i = 0; i < MAX_TRACK; i++)
		if (tmpdirs[i][0])
			fb_rmtree(tmpdirs[i]);
	for (int i = 0; i < MAX_TRACK; i++)
		if (shms[i][0]) {
			shm_unlink(shms[i]); /* normally gone with its creator */
			shms[i][0] = 0;
		}
}

static void on_signal(int sig)
{
	fb_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

void fb_cleanup_init(void)
{
	atexit(fb_cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
}

int fb_cpu_client = -1, fb_cpu_server = -1;

void fb_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

void fb_pin_init(bool enable)
{
	cpu_set_t set;
	int found = 0;

	if (!enable || sched_getaffinity(0, sizeof(set), &set))
		return;
	for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
		if (CPU_ISSET(c, &set)) {
			if (found++ == 0)
				fb_cpu_client = c;
			else
				fb_cpu_server = c;
		}
	if (found < 2) {
		fb_cpu_client = fb_cpu_server = -1;
		return;
	}
	fb_pin(fb_cpu_client);
}

int fb_proc_mem(pid_t pid, double *rss_mb, double *hwm_mb)
{
	char path[64], line[256];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long kb;

		if (sscanf(line, "VmRSS: %lu kB", &kb) == 1) {
			*rss_mb = (double)kb / 1024.0;
			found |= 1;
		} else if (sscanf(line, "VmHWM: %lu kB", &kb) == 1) {
			*hwm_mb = (double)kb / 1024.0;
			found |= 2;
		}
	}
	fclose(f);
	return found == 3 ? 0 : -1;
}

/* ---- argv ---- */

void fb_argv_add(struct fb_argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		char **v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			abort();
		a->v = v;
		a->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void fb_argv_free(struct fb_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/* ---- cxl-emu ---- */

static int read_line_fd(int fd, char *buf, size_t len, uint64_t deadline)
{
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = fb_now_ns();
		char c;

		if (now >= deadline || poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1) <= 0)
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

static void show_stderr_tail(const char *path)
{
	char buf[2048];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t end;
	ssize_t n;

	if (fd < 0)
		return;
	end = lseek(fd, 0, SEEK_END);
	lseek(fd, end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = 0;
		fprintf(stderr, "--- its stderr ---\n%s--- end ---\n", buf);
	}
}

int fb_emu_start(struct fb_emu *e, const char *emu_path, const struct fb_argv *args, int cpu)
{
	char **argv = calloc(args->n + 4, sizeof(*argv));
	char errpath[300], line[512];
	int pipefd[2], errfd;
	size_t k = 0;
	uint64_t t0, deadline;

	if (!argv)
		return -1;
	argv[k++] = (char *)emu_path;
	argv[k++] = (char *)"--run-dir";
	argv[k++] = e->dir;
	for (size_t i = 0; i < args->n; i++)
		argv[k++] = args->v[i];
	argv[k] = NULL;
	snprintf(errpath, sizeof(errpath), "%s/stderr.log", e->dir);
	errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (errfd < 0 || pipe2(pipefd, O_CLOEXEC)) {
		free(argv);
		if (errfd >= 0)
			close(errfd);
		return -1;
	}
	t0 = fb_now_ns();
	e->pid = fork();
	if (e->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the bench */
		fb_pin(cpu);
		dup2(pipefd[1], 1);
		dup2(errfd, 2);
		execv(emu_path, argv);
		_exit(127);
	}
	free(argv);
	close(pipefd[1]);
	close(errfd);
	if (e->pid < 0) {
		close(pipefd[0]);
		return -1;
	}
	fb_child_add(e->pid);
	e->out_fd = pipefd[0];
	e->qmp_port = 0;
	e->n_bus = 0;
	deadline = t0 + 10000000000ull;
	while (read_line_fd(e->out_fd, line, sizeof(line), deadline) >= 0) {
		char a[300], b[300];

		if (!strcmp(line, "cxl-emu: ready")) {
			e->start_ms = (double)(fb_now_ns() - t0) / 1e6;
			return 0;
		}
		if (!e->qmp_port && sscanf(line, "cxl-emu: qmp tcp:%299[^:]:%299s", a, b) == 2)
			e->qmp_port = atoi(b);
		if (e->n_bus < FB_MAX_BUSES &&
		    sscanf(line, "cxl-emu: bus %299s %299s", a, b) == 2)
			snprintf(e->bus[e->n_bus++], sizeof(e->bus[0]), "%s", b);
	}
	fprintf(stderr, "cxl-fmbench: %s did not become ready\n", emu_path);
	show_stderr_tail(errpath);
	fb_emu_stop(e);
	return -1;
}

void fb_emu_stop(struct fb_emu *e)
{
	if (e->pid > 0)
		fb_child_stop(e->pid);
	e->pid = 0;
	if (e->out_fd > 0)
		close(e->out_fd);
	e->out_fd = -1;
	fb_rmtree(e->dir);
}

/* ---- QMP ---- */

int fb_qmp_connect_port(struct fb_qmp *q, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1;

	q->len = 0;
	q->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0)
		return -1;
	setsockopt(q->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(q->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(q->fd);
		q->fd = -1;
		return -1;
	}
	return 0;
}

int fb_qmp_line(struct fb_qmp *q, char *line, size_t max, int timeout_ms)
{
	uint64_t deadline = fb_now_ns() + (uint64_t)timeout_ms * 1000000u;

	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);

		if (nl) {
			size_t n = (size_t)(nl - q->buf), keep = n < max ? n : max - 1;

			memcpy(line, q->buf, keep);
			line[keep] = 0;
			if (keep && line[keep - 1] == '\r')
				line[--keep] = 0;
			memmove(q->buf, nl + 1, q->len - n - 1);
			q->len -= n + 1;
			return (int)keep;
		}
		if (q->len == sizeof(q->buf))
			q->len = 0; /* an overlong line: drop it */
		uint64_t now = fb_now_ns();
		struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
		ssize_t r;

		if (now >= deadline ||
		    poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1) <= 0)
			return -1;
		r = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
		if (r <= 0)
			return -1;
		q->len += (size_t)r;
	}
}

int fb_qmp_cmd(struct fb_qmp *q, const char *cmd, char *reply, size_t max, int timeout_ms)
{
	static char line[1 << 16];
	size_t len = strlen(cmd);

	/* One write: a command split over two segments costs the server a
	 * second wake-up and would not be QMP's round trip any more. */
	if (len + 1 > sizeof(line))
		return -1;
	memcpy(line, cmd, len);
	line[len++] = '\n';
	if (send(q->fd, line, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	for (;;) {
		int n = fb_qmp_line(q, line, sizeof(line), timeout_ms);

		if (n < 0)
			return -1;
		/* QEMU writes {"return": ...}, cxl-emu {"return":...}; events
		 * start with "event" or "timestamp". */
		if (!strncmp(line, "{\"return\"", 9) || !strncmp(line, "{\"error\"", 8)) {
			if (reply)
				snprintf(reply, max, "%s", line);
			return line[2] == 'r' ? 0 : 1;
		}
	}
}

int fb_qmp_handshake(struct fb_qmp *q, int timeout_ms)
{
	char line[4096];

	if (fb_qmp_line(q, line, sizeof(line), timeout_ms) < 0 || !strstr(line, "\"QMP\""))
		return -1;
	return fb_qmp_cmd(q, "{\"execute\":\"qmp_capabilities\"}", NULL, 0, timeout_ms) ? -1 : 0;
}

void fb_qmp_close(struct fb_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}
