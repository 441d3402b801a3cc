/* SPDX-License-Identifier: MIT */
/*
 * The fault suite's runner, and the helpers that keep its state: results,
 * tracked processes, directories and shm names (faults.h; f_lib.c has the
 * rest).
 *
 *   cxl-faults             every scenario, one line each, then the summary
 *   cxl-faults NAME...     those (shell patterns: 'bus-*')
 *   cxl-faults --list      names and what each does
 *
 * Each scenario runs in a forked child: its own process group (the runner is
 * a child subreaper, so whatever it leaves is found and reaped), its own
 * $TMPDIR and shm prefix. The child reports through a pipe; the runner adds
 * the time, checks that nothing was left behind and prints the line.
 * Exit status: 0 when nothing failed (skips allowed), 1 otherwise.
 */
#include "faults.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_SKIP 77
#define MAX_TRACKED 32

static const struct f_scenario *const tables[] = {
	f_fwd_scenarios, f_backing_scenarios, f_qmp_scenarios, f_bus_scenarios,
	f_proc_scenarios, f_race_scenarios, f_exhaust_scenarios, f_soak_scenarios, NULL,
};

/* ---- the scenario child's state ---- */

static int result_fd = -1;           /* the pipe to the runner */
static pid_t scenario_pid;           /* children a scenario forks clean nothing up */
static char shm_prefix[64];          /* "/cxlfm-f<runner pid>-<index>-" */
static struct emu_proc *tracked[MAX_TRACKED];
static char tmpdirs[8][256];
static int ntmpdirs;
static char mountpoint[256];

void f_shm_name(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "%s%s", shm_prefix, tag);
}

void f_tmpdir(char *buf, size_t len)
{
	e2e_mkdtemp(buf, len);
	if (ntmpdirs < 8)
		snprintf(tmpdirs[ntmpdirs++], sizeof(tmpdirs[0]), "%s", buf);
}

void f_mounted(const char *dir)
{
	snprintf(mountpoint, sizeof(mountpoint), "%s", dir);
}

/* ---- cleanup: whatever the scenario started goes, however it ends ---- */

static void print_log_tail(const struct emu_proc *p)
{
	char path[300], line[512], ring[10][512];
	unsigned n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" EMU_LOG, p->run_dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		snprintf(ring[n++ % 10], sizeof(ring[0]), "%s", line);
	fclose(f);
	fprintf(stderr, "  -- last lines of %s (pid %d):\n", path, (int)p->pid);
	for (unsigned i = n > 10 ? n - 10 : 0; i < n; i++)
		fprintf(stderr, "  %s", ring[i % 10]);
}

static void unlink_prefixed_shm(void)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char name[300];

		if (strncmp(de->d_name, shm_prefix + 1, strlen(shm_prefix) - 1))
			continue;
		snprintf(name, sizeof(name), "/%s", de->d_name);
		shm_unlink(name);
	}
	closedir(d);
}

static void cleanup(void)
{
	if (getpid() != scenario_pid)
		return;
	for (int i = 0; i < MAX_TRACKED; i++) {
		struct emu_proc *p = tracked[i];

		if (!p)
			continue;
		if (p->pid > 0)
			f_emu_kill(p);
		tracked[i] = NULL;
	}
	if (mountpoint[0])
		umount2(mountpoint, MNT_DETACH);
	for (int i = 0; i < ntmpdirs; i++)
		e2e_rmdir(tmpdirs[i]);
	ntmpdirs = 0;
	unlink_prefixed_shm();
}

static __attribute__((noreturn, format(printf, 3, 0))) void
finish(int status, const char *word, const char *fmt, va_list ap)
{
	char msg[1024];
	int n = snprintf(msg, sizeof(msg), "%s ", word);

	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	if (status == 1 && getenv("FAULTS_VERBOSE"))
		for (int i = 0; i < MAX_TRACKED; i++)
			if (tracked[i] && tracked[i]->run_dir[0])
				print_log_tail(tracked[i]);
	if (result_fd >= 0) {
		size_t len = strlen(msg);

		if (write(result_fd, msg, len) != (ssize_t)len)
			status = 1;
	} else {
		printf("%s\n", msg);
	}
	exit(status); /* atexit: cleanup() */
}

void f_pass(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	finish(0, "PASS", fmt, ap);
}

void f_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	finish(1, "FAIL", fmt, ap);
}

void f_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	finish(EXIT_SKIP, "SKIP", fmt, ap);
}

void f_fail_at(int line, const char *cond, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f_fail("%s (line %d: %s)", msg, line, cond);
}

/* ---- processes ---- */

static void track(struct emu_proc *p)
{
	for (int i = 0; i < MAX_TRACKED; i++)
		if (tracked[i] == p)
			return;
	for (int i = 0; i < MAX_TRACKED; i++)
		if (!tracked[i]) {
			tracked[i] = p;
			return;
		}
	f_fail("more than %d cxl-emu processes at once", MAX_TRACKED);
}

void f_emu_start(struct emu_proc *p, const char *const *argv)
{
	if (emu_start_quiet(p, argv))
		f_fail("cxl-emu did not start (see the lines above)");
	track(p);
}

int f_emu_stop(struct emu_proc *p)
{
	int st = emu_stop(p);

	e2e_rmdir(p->run_dir);
	p->run_dir[0] = 0;
	return st;
}

void f_emu_kill(struct emu_proc *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	p->pid = 0;
	if (p->out_fd > 0)
		close(p->out_fd);
	p->out_fd = -1;
	if (p->run_dir[0])
		e2e_rmdir(p->run_dir);
	p->run_dir[0] = 0;
}

int f_emu_wait(struct emu_proc *p, double secs)
{
	double t0 = f_now();
	int st = 0;

	while (waitpid(p->pid, &st, WNOHANG) == 0) {
		if (f_now() - t0 > secs) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, NULL, 0);
			p->pid = 0;
			return -1;
		}
		f_sleep_ms(1);
	}
	p->pid = 0;
	if (p->out_fd > 0)
		close(p->out_fd);
	p->out_fd = -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

bool f_alive(const struct emu_proc *p)
{
	return p->pid > 0 && waitpid(p->pid, NULL, WNOHANG) == 0;
}

size_t f_log_count(const struct emu_proc *p, const char *text)
{
	char path[300], line[4096];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" EMU_LOG, p->run_dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!text || strstr(line, text))
			n++;
	fclose(f);
	return n;
}

/* ---- the runner ---- */

struct outcome {
	int passed, failed, skipped;
};

/* What a finished scenario left: processes of its group, shm objects, files. */
static void leftovers(pid_t pgid, const char *prefix, const char *tmp, char *out, size_t len)
{
	char cmd[600];
	DIR *d;
	struct dirent *de;
	int procs = 0, shm = 0, files = 0;

	while (waitpid(-1, NULL, WNOHANG) > 0) /* orphans we inherited and that ended */
		;
	if (kill(-pgid, 0) == 0) {
		kill(-pgid, SIGKILL);
		while (waitpid(-pgid, NULL, 0) > 0)
			procs++;
	}
	if ((d = opendir("/dev/shm"))) {
		while ((de = readdir(d))) {
			char name[300];

			if (strncmp(de->d_name, prefix + 1, strlen(prefix) - 1))
				continue;
			snprintf(name, sizeof(name), "/%s", de->d_name);
			shm_unlink(name);
			shm++;
		}
		closedir(d);
	}
	if ((d = opendir(tmp))) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				files++;
		closedir(d);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		files++;
	out[0] = 0;
	if (procs || shm || files)
		snprintf(out, len, "left behind: %d process(es), %d shm object(s), %d file(s)",
			 procs, shm, files);
}

/*
 * The line for a finished scenario: its own verdict and figure, unless it
 * timed out, gave none, exited otherwise than its verdict says (0 PASS, 77
 * SKIP), or left something behind: then FAIL.
 */
static void report(const char *name, const char *result, size_t got, int status,
		   unsigned timed_out, const char *left, double secs, struct outcome *o)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	char verdict[5] = "FAIL", body[1400];

	if (timed_out) {
		snprintf(body, sizeof(body), "no result within %u s", timed_out);
	} else if (got < 5) {
		snprintf(body, sizeof(body), "no result (exit %d)", code);
	} else {
		memcpy(verdict, result, 4);
		snprintf(body, sizeof(body), "%s", result + 5);
		if ((!strcmp(verdict, "PASS") && code != 0) ||
		    (!strcmp(verdict, "SKIP") && code != EXIT_SKIP)) {
			snprintf(body + strlen(body), sizeof(body) - strlen(body),
				 "; but it exited %d", code);
			memcpy(verdict, "FAIL", 4);
		}
	}
	if (left[0]) {
		snprintf(body + strlen(body), sizeof(body) - strlen(body), "; %s", left);
		memcpy(verdict, "FAIL", 4);
	}
	for (char *c = body; *c; c++) /* one line, whatever the scenario quoted */
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
	if (strlen(body) > 600)
		memcpy(body + 597, "...", 4);
	printf("%s %s: %s [%.1f s]\n", verdict, name, body, secs);
	fflush(stdout);
	if (!strcmp(verdict, "PASS"))
		o->passed++;
	else if (!strcmp(verdict, "SKIP"))
		o->skipped++;
	else
		o->failed++;
}

/* The soak's limit grows with its length. */
static unsigned scenario_timeout(const struct f_scenario *s)
{
	unsigned t = s->timeout_s ? s->timeout_s : F_DEFAULT_TIMEOUT_S;

	if (!strcmp(s->name, "soak"))
		t += (unsigned)f_env_ulong("FAULTS_SOAK_SECONDS", 60);
	return t;
}

static void run_one(const struct f_scenario *s, int index, const char *root, struct outcome *o)
{
	char tmp[300], prefix[64], result[1100] = "", left[200];
	unsigned timeout = scenario_timeout(s);
	double t0 = f_now();
	size_t got = 0;
	int pfd[2], status = 0;
	bool timed_out = false, done = false;
	pid_t pid;

	snprintf(tmp, sizeof(tmp), "%s/%s", root, s->name);
	snprintf(prefix, sizeof(prefix), "/cxlfm-f%d-%d-", (int)getpid(), index);
	if (mkdir(tmp, 0700) || pipe2(pfd, O_CLOEXEC)) {
		printf("FAIL %s: cannot prepare (%s)\n", s->name, strerror(errno));
		o->failed++;
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		scenario_pid = getpid();
		close(pfd[0]);
		result_fd = pfd[1];
		snprintf(shm_prefix, sizeof(shm_prefix), "%s", prefix);
		setenv("TMPDIR", tmp, 1);
		atexit(cleanup);
		s->run();
		f_fail("the scenario ended without a result");
	}
	setpgid(pid, pid);
	close(pfd[1]);
	while (!done) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 100) > 0) {
			r = read(pfd[0], result + got, sizeof(result) - 1 - got);
			if (r > 0)
				got += (size_t)r;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			done = true;
			while (got + 1 < sizeof(result) &&
			       (r = read(pfd[0], result + got, sizeof(result) - 1 - got)) > 0)
				got += (size_t)r;
		} else if (f_now() - t0 > timeout) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			timed_out = done = true;
		}
	}
	close(pfd[0]);
	result[got] = 0;
	leftovers(pid, prefix, tmp, left, sizeof(left));

	report(s->name, result, got, status, timed_out ? timeout : 0, left, f_now() - t0, o);
}

static bool wanted(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!fnmatch(argv[i], name, 0))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct outcome o = { 0 };
	char root[256];
	double t0 = f_now();
	int index = 0, matched = 0;

	if (argc == 2 && (!strcmp(argv[1], "--list") || !strcmp(argv[1], "-l"))) {
		for (int t = 0; tables[t]; t++)
			for (const struct f_scenario *s = tables[t]; s->name; s++)
				printf("%-22s %s\n", s->name, s->what);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: %s [--list] [NAME|PATTERN...]\n"
		       "Runs the fault scenarios (docs/testing.md); FAULTS_SOAK_SECONDS sets the\n"
		       "soak's length (default 60), FAULTS_VERBOSE=1 shows cxl-emu's last log\n"
		       "lines on a failure.\n", argv[0]);
		return 0;
	}
	/* Orphans of a scenario (its cxl-emu once the scenario died) come to us. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	e2e_mkdtemp(root, sizeof(root));
	for (int t = 0; tables[t]; t++)
		for (const struct f_scenario *s = tables[t]; s->name; s++, index++)
			if (wanted(s->name, argc, argv)) {
				matched++;
				run_one(s, index, root, &o);
			}
	e2e_rmdir(root);
	if (!matched) {
		fprintf(stderr, "no scenario matches; --list names them\n");
		return 2;
	}
	printf("fault suite: %.0f s\n", f_now() - t0);
	printf("%d passed, %d failed, %d skipped\n", o.passed, o.failed, o.skipped);
	return o.failed ? 1 : 0;
}
