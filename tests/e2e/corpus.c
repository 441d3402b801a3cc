/* SPDX-License-Identifier: MIT */
#include "corpus.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cxlfm/cxlfm.h>

#ifndef CXL_EMU_PATH
#define CXL_EMU_PATH "cxl-emu"
#endif

#define MAX_HOSTS CORPUS_MAX_HOSTS
#define MAX_WORDS CORPUS_MAX_WORDS
#define MAX_BUSES CORPUS_MAX_BUSES
#define START_MS 10000

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

int corpus_read(const char *path, struct corpus_entry *e)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	size_t cap = 0, len = 0;
	char *cur = NULL;

	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
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

typedef char *(*rewrite_fn)(struct corpus_entry *e, struct corpus_host *h, const char *key, const char *val);

/* Rewrite the values of a QEMU key=value list (',,' is a literal comma). */
static char *rewrite_props(struct corpus_entry *e, struct corpus_host *h, const char *arg, rewrite_fn fn,
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

static char *in_dir(const struct corpus_host *h, const char *path)
{
	const char *base = strrchr(path, '/');
	char *s;

	if (is_dir(path))
		return xstrdup(h->dir);
	if (asprintf(&s, "%s/%s", h->dir, base ? base + 1 : path) < 0)
		abort();
	return s;
}

static char *fix_object(struct corpus_entry *e, struct corpus_host *h, const char *key, const char *val)
{
	(void)e;
	return !strcmp(key, "mem-path") ? in_dir(h, val) : NULL;
}

/* QMP over a chardev socket: port=0, path= in the run dir. */
static char *fix_chardev(struct corpus_entry *e, struct corpus_host *h, const char *key, const char *val)
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
static char *fix_device(struct corpus_entry *e, struct corpus_host *h, const char *key, const char *val)
{
	const char *colon = strrchr(val, ':');
	char *s;

	if (strcmp(key, "qmp") || !colon)
		return NULL;
	for (struct corpus_host *o = e->hosts; o < h; o++) {
		if (o->pub_port && o->pub_port == atoi(colon + 1)) {
			if (asprintf(&s, "127.0.0.1:%d", o->port) < 0)
				abort();
			return s;
		}
	}
	return NULL;
}

static char *fix_qmp(struct corpus_host *h, const char *arg)
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

static int prepare(struct corpus_entry *e, int k, const char *run_dir)
{
	struct corpus_host *h = &e->hosts[k];
	char *w[MAX_WORDS], append[400];
	int n = shell_split(e->text[k], w, MAX_WORDS - 3);
	char dir[sizeof(h->dir)];

	if (n < 1)
		return -EINVAL;
	snprintf(dir, sizeof(dir), "%s/%s.%d", run_dir, e->name, k);
	memcpy(h->dir, dir, sizeof(dir));
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
				 (long)getpid(), e->name);
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

static int spawn(struct corpus_host *h)
{
	int out[2], err[2];

	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -errno;
	h->pid = fork();
	if (h->pid < 0)
		return -errno;
	if (!h->pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed or killed test */
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
static int wait_ready(struct corpus_host *h)
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

void corpus_stderr(struct corpus_host *h, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < len && (r = read(h->err_fd, buf + n, len - n - 1)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
}

int corpus_stop(struct corpus_host *h)
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
static int bus_addresses(const struct corpus_host *h, const char *bus, unsigned *addr, int max)
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
int corpus_identify_all(struct corpus_host *h, char *why, size_t len)
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

void corpus_free(struct corpus_entry *e)
{
	for (int i = 0; i < e->n_hosts; i++) {
		struct corpus_host *h = &e->hosts[i];

		if (h->pid > 0)
			corpus_stop(h);
		if (h->out_fd > 0)
			close(h->out_fd);
		if (h->err_fd > 0)
			close(h->err_fd);
		free(e->text[i]);
		for (int w = 0; w < h->n; w++)
			free(h->words[w]);
	}
	memset(e, 0, sizeof(*e));
}

int corpus_edit(struct corpus_entry *e, int k, const char *from, const char *to)
{
	char *at = k < e->n_hosts ? strstr(e->text[k], from) : NULL, *s;

	if (!at)
		return -ENOENT;
	if (asprintf(&s, "%.*s%s%s", (int)(at - e->text[k]), e->text[k], to,
		     at + strlen(from)) < 0)
		abort();
	free(e->text[k]);
	e->text[k] = s;
	return 0;
}

int corpus_append(struct corpus_entry *e, int k, const char *words)
{
	char *s;

	if (k >= e->n_hosts)
		return -ENOENT;
	if (asprintf(&s, "%s %s", e->text[k], words) < 0)
		abort();
	free(e->text[k]);
	e->text[k] = s;
	return 0;
}

int corpus_start(struct corpus_entry *e, int k, const char *run_dir)
{
	if (prepare(e, k, run_dir) || spawn(&e->hosts[k]))
		return -2;
	return wait_ready(&e->hosts[k]);
}
