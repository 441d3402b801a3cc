/* SPDX-License-Identifier: MIT */
/*
 * The regression corpus (tests/corpus/ *.cmdline, format in its README):
 * published QEMU CXL command lines, run by cxl-emu with only the binary
 * name changed.
 *
 * - A line QEMU starts must reach "ready", every i2c_mctp_cxl endpoint on
 *   it must answer Identify (0001h) with Success, and SIGTERM must end it
 *   with status 0.
 * - A line QEMU rejects must end with a non-zero status, no "ready", and
 *   the text of its "# expect-error:" header on stderr (the message names
 *   the option, property or driver).
 *
 * So that runs do not collide, the runner moves what a line names on the
 * machine into a run directory per host: mem-path= (a directory stays a
 * directory), -qmp unix: and chardev path= sockets, -pidfile; TCP QMP
 * listeners become ephemeral ports, and a later host's qmp=HOST:PORT
 * (mctp-msg-forward) follows the earlier host's real port; the RFC's shared
 * buffer gets a name of this run's own (mctp-buf-name=). Hosts of one file
 * start in order, the target host first.
 *
 * Prints one line per file: ok/FAIL, the file, its verdict and source.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cxlfm/cxlfm.h>

#include "e2e.h"

#ifndef CORPUS_DIR
#define CORPUS_DIR "tests/corpus"
#endif

#define MAX_HOSTS 4
#define MAX_WORDS 512
#define MAX_BUSES 8
#define START_MS 10000

struct host {
	char *words[MAX_WORDS]; /* argv as rewritten; [0] is cxl-emu */
	int n;
	char dir[600];
	int pub_port;           /* the first TCP QMP port as published, 0 if none */
	int port;               /* ... and as it listens now */
	pid_t pid;
	int out_fd, err_fd;
	char bus_name[MAX_BUSES][64], bus_path[MAX_BUSES][300];
	int n_buses;
};

struct entry {
	char source[512], qemu[512], expect_err[256];
	char *text[MAX_HOSTS]; /* each host's command line */
	int n_hosts;
	struct host hosts[MAX_HOSTS];
};

static char run_dir[256];
static unsigned run_seq;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

/* ---- the file ---- */

static bool header(const char *line, const char *key, char *out, size_t len)
{
	size_t k = strlen(key);

	if (strncmp(line, "# ", 2) || strncmp(line + 2, key, k) || line[2 + k] != ':')
		return false;
	snprintf(out, len, "%s", line + 3 + k + (line[3 + k] == ' '));
	out[strcspn(out, "\n")] = '\0';
	return true;
}

static int read_entry(const char *path, struct entry *e)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	size_t cap = 0, len = 0;
	char *cur = NULL;

	memset(e, 0, sizeof(*e));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#') {
			header(line, "source", e->source, sizeof(e->source));
			header(line, "qemu", e->qemu, sizeof(e->qemu));
			header(line, "expect-error", e->expect_err, sizeof(e->expect_err));
			continue;
		}
		if (!strcmp(line, "---\n") || !strcmp(line, "---")) {
			e->text[e->n_hosts++] = cur ? cur : xstrdup("");
			cur = NULL;
			cap = len = 0;
			if (e->n_hosts == MAX_HOSTS)
				break;
			continue;
		}
		if (len + strlen(line) + 1 > cap) {
			cap = (len + strlen(line) + 1) * 2;
			cur = realloc(cur, cap);
			if (!cur)
				abort();
		}
		memcpy(cur + len, line, strlen(line) + 1);
		len += strlen(line);
	}
	fclose(f);
	if (cur && e->n_hosts < MAX_HOSTS)
		e->text[e->n_hosts++] = cur;
	else
		free(cur);
	return e->n_hosts ? 0 : -ENODATA;
}

/* POSIX shell words: quotes, backslash escapes, backslash-newline. */
static int shell_split(const char *s, char **words, int max)
{
	char buf[16384];
	int n = 0;

	while (*s) {
		size_t b = 0;
		bool word = false;

		while (*s == ' ' || *s == '\t' || *s == '\n' || (*s == '\\' && s[1] == '\n'))
			s += *s == '\\' ? 2 : 1;
		while (*s && !(*s == ' ' || *s == '\t' || *s == '\n') && b + 2 < sizeof(buf)) {
			word = true;
			if (*s == '\\' && s[1] == '\n') {
				s += 2;
			} else if (*s == '\\' && s[1]) {
				buf[b++] = s[1];
				s += 2;
			} else if (*s == '\'') {
				for (s++; *s && *s != '\'' && b + 2 < sizeof(buf); s++)
					buf[b++] = *s;
				s += *s == '\'';
			} else if (*s == '"') {
				for (s++; *s && *s != '"' && b + 2 < sizeof(buf); s++) {
					if (*s == '\\' && strchr("\"\\$`", s[1]))
						s++;
					buf[b++] = *s;
				}
				s += *s == '"';
			} else {
				buf[b++] = *s++;
			}
		}
		if (!word)
			break;
		if (n == max)
			return -E2BIG;
		buf[b] = '\0';
		words[n++] = xstrdup(buf);
	}
	return n;
}

/* ---- rewriting a line ---- */

typedef char *(*rewrite_fn)(struct entry *e, struct host *h, const char *key, const char *val);

/* Rewrite the values of a QEMU key=value list (',,' is a literal comma). */
static char *rewrite_props(struct entry *e, struct host *h, const char *arg, rewrite_fn fn,
			   const char *append)
{
	size_t cap = strlen(arg) * 2 + 1024, n = 0;
	char *out = malloc(cap), key[256], val[4096];
	const char *p = arg;

	if (!out)
		abort();
	while (*p) {
		size_t k = strcspn(p, "=,"), v = 0;
		char *nv = NULL;

		if (p[k] != '=') { /* a bare word: the implied key, or a flag */
			n += (size_t)snprintf(out + n, cap - n, "%s%.*s", n ? "," : "", (int)k, p);
			p += k + (p[k] == ',');
			continue;
		}
		snprintf(key, sizeof(key), "%.*s", (int)k, p);
		for (p += k + 1; *p && !(*p == ',' && p[1] != ',') && v + 1 < sizeof(val); p++) {
			if (*p == ',')
				p++;
			val[v++] = *p;
		}
		val[v] = '\0';
		p += *p == ',';
		nv = fn(e, h, key, val);
		n += (size_t)snprintf(out + n, cap - n, "%s%s=", n ? "," : "", key);
		for (const char *c = nv ? nv : val; *c && n + 3 < cap; c++) {
			out[n++] = *c;
			if (*c == ',')
				out[n++] = ',';
		}
		out[n] = '\0';
		free(nv);
	}
	if (append)
		snprintf(out + n, cap - n, "%s%s", n ? "," : "", append);
	return out;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return p[strlen(p) - 1] == '/' || (!stat(p, &st) && S_ISDIR(st.st_mode));
}

static char *in_dir(const struct host *h, const char *path)
{
	const char *base = strrchr(path, '/');
	char *s;

	if (is_dir(path))
		return xstrdup(h->dir);
	if (asprintf(&s, "%s/%s", h->dir, base ? base + 1 : path) < 0)
		abort();
	return s;
}

static char *fix_object(struct entry *e, struct host *h, const char *key, const char *val)
{
	(void)e;
	return !strcmp(key, "mem-path") ? in_dir(h, val) : NULL;
}

/* QMP over a chardev socket: port=0, path= in the run dir. */
static char *fix_chardev(struct entry *e, struct host *h, const char *key, const char *val)
{
	char *s;

	(void)e;
	if (!strcmp(key, "port")) {
		if (!h->pub_port)
			h->pub_port = atoi(val);
		return xstrdup("0");
	}
	if (!strcmp(key, "host"))
		return xstrdup("127.0.0.1");
	if (!strcmp(key, "path")) {
		if (asprintf(&s, "%s/chardev%u.sock", h->dir, run_seq++) < 0)
			abort();
		return s;
	}
	return NULL;
}

/* A forwarding endpoint's qmp=HOST:PORT names an earlier host of the file. */
static char *fix_device(struct entry *e, struct host *h, const char *key, const char *val)
{
	const char *colon = strrchr(val, ':');
	char *s;

	if (strcmp(key, "qmp") || !colon)
		return NULL;
	for (struct host *o = e->hosts; o < h; o++) {
		if (o->pub_port && o->pub_port == atoi(colon + 1)) {
			if (asprintf(&s, "127.0.0.1:%d", o->port) < 0)
				abort();
			return s;
		}
	}
	return NULL;
}

static char *fix_qmp(struct host *h, const char *arg)
{
	const char *rest = strchr(arg, ',');
	char addr[512], *s;

	snprintf(addr, sizeof(addr), "%.*s", (int)(rest ? rest - arg : (long)strlen(arg)), arg);
	if (!strncmp(addr, "tcp:", 4) && strrchr(addr, ':')) {
		if (!h->pub_port)
			h->pub_port = atoi(strrchr(addr, ':') + 1);
		if (asprintf(&s, "tcp:127.0.0.1:0%s", rest ? rest : "") < 0)
			abort();
		return s;
	}
	if (!strncmp(addr, "unix:", 5)) {
		if (asprintf(&s, "unix:%s/qmp%u.sock%s", h->dir, run_seq++, rest ? rest : "") < 0)
			abort();
		return s;
	}
	return xstrdup(arg);
}

static const char *opt_name(const char *w)
{
	return w[0] == '-' ? w + 1 + (w[1] == '-') : NULL;
}

static int prepare(struct entry *e, int k, const char *file)
{
	struct host *h = &e->hosts[k];
	char *w[MAX_WORDS], append[400];
	int n = shell_split(e->text[k], w, MAX_WORDS - 3);

	if (n < 1)
		return -EINVAL;
	snprintf(h->dir, sizeof(h->dir), "%s/%s.%d", run_dir, file, k);
	if (mkdir(h->dir, 0700))
		return -errno;
	h->words[h->n++] = xstrdup(getenv("CXL_EMU") ? getenv("CXL_EMU") : CXL_EMU_PATH);
	free(w[0]);
	for (int i = 1; i < n; i++) {
		const char *o = opt_name(w[i]);
		char *a = i + 1 < n ? w[i + 1] : NULL, *fixed = NULL;

		h->words[h->n++] = w[i];
		if (!o || !a)
			continue;
		if (!strcmp(o, "object"))
			fixed = rewrite_props(e, h, a, fix_object, NULL);
		else if (!strcmp(o, "qmp") || !strcmp(o, "qmp-pretty"))
			fixed = fix_qmp(h, a);
		else if (!strcmp(o, "chardev") && !strncmp(a, "socket", 6))
			fixed = rewrite_props(e, h, a, fix_chardev, NULL);
		else if (!strcmp(o, "pidfile"))
			fixed = in_dir(h, "cxl-emu.pidfile");
		else if (!strcmp(o, "device")) {
			/* the RFC's buffer name is fixed: give both hosts this run's */
			snprintf(append, sizeof(append), "mctp-buf-name=/cxlfm-corpus-%ld-%s",
				 (long)getpid(), file);
			for (char *c = append + 14; *c; c++)
				if (*c == '.')
					*c = '-';
			fixed = rewrite_props(e, h, a, fix_device,
					      strstr(a, "allow-fm-attach") &&
					      !strstr(a, "mctp-buf-name") ? append : NULL);
		}
		if (fixed) {
			free(a);
			h->words[h->n++] = fixed;
			i++;
		}
	}
	h->words[h->n++] = xstrdup("--run-dir");
	h->words[h->n++] = xstrdup(h->dir);
	h->words[h->n] = NULL;
	return 0;
}

/* ---- running it ---- */

static int start(struct host *h)
{
	int out[2], err[2];

	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -errno;
	h->pid = fork();
	if (h->pid < 0)
		return -errno;
	if (!h->pid) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv(h->words[0], h->words);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	h->out_fd = out[0];
	h->err_fd = err[0];
	return 0;
}

/* Read stdout lines until "ready" (1), EOF (0) or the deadline (-1). */
static int wait_ready(struct host *h)
{
	long deadline = now_ms() + START_MS;
	char line[512];
	size_t n = 0;

	for (;;) {
		struct pollfd p = { .fd = h->out_fd, .events = POLLIN };
		long left = deadline - now_ms();
		char c;
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		r = read(h->out_fd, &c, 1);
		if (r <= 0)
			return 0;
		if (c != '\n' && n + 1 < sizeof(line)) {
			line[n++] = c;
			continue;
		}
		line[n] = '\0';
		n = 0;
		if (!strcmp(line, "cxl-emu: ready"))
			return 1;
		if (!h->port && sscanf(line, "cxl-emu: qmp tcp:127.0.0.1:%d", &h->port) == 1)
			continue;
		if (h->n_buses < MAX_BUSES &&
		    sscanf(line, "cxl-emu: bus %63s %299s", h->bus_name[h->n_buses],
			   h->bus_path[h->n_buses]) == 2)
			h->n_buses++;
	}
}

static void read_all(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < len && (r = read(fd, buf + n, len - n - 1)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
}

static int stop(struct host *h)
{
	int status = 0;

	if (h->pid <= 0)
		return -1;
	kill(h->pid, SIGTERM);
	for (long deadline = now_ms() + 5000; waitpid(h->pid, &status, WNOHANG) == 0;) {
		if (now_ms() > deadline) {
			kill(h->pid, SIGKILL);
			waitpid(h->pid, &status, 0);
			status = -1;
			break;
		}
		usleep(1000);
	}
	h->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The addresses the line gives i2c_mctp_cxl endpoints on bus. */
static int bus_addresses(const struct host *h, const char *bus, unsigned *addr, int max)
{
	int n = 0;

	for (int i = 1; i + 1 < h->n && n < max; i++) {
		const char *a = h->words[i + 1], *b, *ad;
		char want[96];

		if (!opt_name(h->words[i]) || strcmp(opt_name(h->words[i]), "device") ||
		    strncmp(a, "i2c_mctp_cxl,", 13))
			continue;
		snprintf(want, sizeof(want), "bus=%s,", bus);
		b = strstr(a, want);
		if (!b) {
			snprintf(want, sizeof(want), "bus=%s", bus);
			b = strstr(a, want);
			if (!b || b[strlen(want)])
				continue;
		}
		ad = strstr(a, "address=");
		if (ad)
			addr[n++] = (unsigned)strtoul(ad + 8, NULL, 0);
	}
	return n;
}

/* Every endpoint the line puts on each bus answers Identify with Success. */
static int identify_all(struct host *h, char *why, size_t len)
{
	for (int b = 0; b < h->n_buses; b++) {
		unsigned addr[32];
		int n = bus_addresses(h, h->bus_name[b], addr, 32);
		struct cxlfm_ctx *ctx;
		int rc = cxlfm_open(h->bus_path[b], NULL, &ctx);

		if (rc) {
			snprintf(why, len, "bus %s: cannot open: %s", h->bus_name[b], strerror(-rc));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			struct cxlfm_ep *ep;
			uint8_t id[64];
			size_t got = 0;

			rc = cxlfm_ep_by_addr(ctx, (uint8_t)addr[i], &ep);
			if (!rc)
				rc = cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, id, sizeof(id), &got);
			if (rc || got != 18) {
				snprintf(why, len, "bus %s address 0x%x: Identify: %s (%zu bytes)",
					 h->bus_name[b], addr[i],
					 rc > 0 ? cxlfm_rc_str(rc) : strerror(-rc), got);
				cxlfm_close(ctx);
				return -1;
			}
		}
		cxlfm_close(ctx);
	}
	return 0;
}

static bool run_entry(struct entry *e, const char *file, char *why, size_t len)
{
	bool rejects = !strncmp(e->qemu, "rejects", 7), ok = true;
	char err[8192];
	int k;

	if (rejects && !*e->expect_err) {
		snprintf(why, len, "a rejected line needs an '# expect-error:' header");
		return false;
	}
	for (k = 0; k < e->n_hosts && ok; k++) {
		struct host *h = &e->hosts[k];
		int r;

		if (prepare(e, k, file) || start(h)) {
			snprintf(why, len, "host %d: cannot start: %s", k, strerror(errno));
			return false;
		}
		r = wait_ready(h);
		if (rejects) {
			int st = stop(h);

			read_all(h->err_fd, err, sizeof(err));
			if (r == 1 || st == 0 || !strstr(err, e->expect_err)) {
				snprintf(why, len, "host %d: wanted a refusal with \"%s\", got %s "
					 "(status %d): %.300s", k, e->expect_err,
					 r == 1 ? "ready" : "an exit", st, err);
				ok = false;
			}
		} else if (r != 1) {
			stop(h);
			read_all(h->err_fd, err, sizeof(err));
			snprintf(why, len, "host %d: not ready: %.400s", k, err);
			ok = false;
		}
	}
	for (int i = 0; !rejects && ok && i < e->n_hosts; i++)
		if (identify_all(&e->hosts[i], why, len))
			ok = false;
	/* stop the later hosts first: an FM host forwards to its target */
	for (int i = k - 1; i >= 0 && !rejects; i--) {
		struct host *h = &e->hosts[i];
		int st = stop(h);

		if (ok && st != 0) {
			snprintf(why, len, "host %d: exit status %d after SIGTERM", i, st);
			ok = false;
		}
	}
	for (int i = 0; i < k; i++) {
		close(e->hosts[i].out_fd);
		close(e->hosts[i].err_fd);
	}
	return ok;
}

static void free_entry(struct entry *e)
{
	for (int i = 0; i < e->n_hosts; i++) {
		free(e->text[i]);
		for (int w = 0; w < e->hosts[i].n; w++)
			free(e->hosts[i].words[w]);
	}
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_cmdline(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 8 && !strcmp(d->d_name + n - 8, ".cmdline");
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : CORPUS_DIR;
	struct dirent **list;
	int n = scandir(dir, &list, is_cmdline, by_name), failed = 0, starts = 0;

	if (n <= 0) {
		fprintf(stderr, "corpus: no *.cmdline in %s\n", dir);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	e2e_mkdtemp(run_dir, sizeof(run_dir));
	for (int i = 0; i < n; i++) {
		char path[512], why[1024] = "";
		struct entry e;
		bool ok;

		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (read_entry(path, &e)) {
			printf("FAIL %s: cannot read it\n", list[i]->d_name);
			failed++;
			continue;
		}
		ok = run_entry(&e, list[i]->d_name, why, sizeof(why));
		starts += strncmp(e.qemu, "rejects", 7) != 0;
		printf("%s %-48s %-7s %s\n", ok ? "ok  " : "FAIL", list[i]->d_name,
		       strncmp(e.qemu, "rejects", 7) ? "starts" : "rejects", e.source);
		if (!ok)
			printf("     %s\n", why);
		failed += !ok;
		free_entry(&e);
		free(list[i]);
	}
	free(list);
	e2e_rmdir(run_dir);
	printf("corpus: %d files (%d start, %d rejected): %d passed, %d failed\n", n, starts,
	       n - starts, n - failed, failed);
	return failed ? 1 : 0;
}
