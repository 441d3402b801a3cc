/* SPDX-License-Identifier: MIT */
/*
 * The fault suite's helpers (faults.h) that keep no state of the runner:
 * time and numbers, /proc figures, the hosts' command lines, the FM side
 * (libcxlfm), QMP, extent lists and the forwarded load.
 */
#include "faults.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "cxlfm/fmapi.h"
#include "proto/cci.h"

/* ---- time, environment, numbers ---- */

double f_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void f_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

unsigned long f_env_ulong(const char *name, unsigned long def)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoul(s, &end, 10);
	return errno || *end ? def : v;
}

const char *f_num(unsigned long long v)
{
	static char bufs[8][32];
	static unsigned next;
	char tmp[32], *out = bufs[next++ % 8];
	int n = snprintf(tmp, sizeof(tmp), "%llu", v), k = 0;

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = tmp[i];
	}
	out[k] = 0;
	return out;
}

const char *f_short(const char *line)
{
	static char out[1024];
	const char *tmp = getenv("TMPDIR");
	size_t n = 0, tl = tmp ? strlen(tmp) : 0;

	while (*line && n + 8 < sizeof(out)) {
		if (tl && !strncmp(line, tmp, tl)) {
			memcpy(out + n, "$TMPDIR", 7);
			n += 7;
			line += tl;
		} else {
			out[n++] = *line++;
		}
	}
	out[n] = 0;
	return out;
}

/* ---- processes' figures and command lines ---- */

void f_dcd_host_argv(struct e2e_argv *a, const char *mem_path)
{
	static const char *const host[] = { E2E_DCD_HOST, NULL };

	for (const char *const *w = host; *w; w++) {
		if (mem_path && strstr(*w, "mem-path="))
			e2e_argv_add(a, "memory-backend-file,id=dc,share=on,mem-path=%s,size=1G",
				     mem_path);
		else
			e2e_argv_add(a, "%s", *w);
	}
}

long f_proc_fds(pid_t pid)
{
	char path[64];
	struct dirent *de;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

long long f_proc_cpu_ns(pid_t pid)
{
	char path[64];
	long long ns = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &ns) != 1)
		ns = -1;
	fclose(f);
	return ns;
}

long f_proc_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen)) {
			kb = strtol(line + klen, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

struct f_usage f_usage_of(const struct emu_proc *p, long most)
{
	struct f_usage u = { .fds = -1 };
	double t0 = f_now();
	int same = 0;

	while (same < 3 && f_now() - t0 < 5) {
		long fds = f_proc_fds(p->pid);

		same = fds == u.fds && (most < 0 || fds <= most) ? same + 1 : 0;
		u.fds = fds;
		f_sleep_ms(10);
	}
	u.anon_kb = f_proc_kb(p->pid, "RssAnon:");
	u.rss_kb = f_proc_kb(p->pid, "VmRSS:");
	F_CHECK(u.fds > 0 && u.anon_kb > 0, "cannot read /proc/%d", (int)p->pid);
	return u;
}

const char *f_usage_bounded(const struct f_usage *before, const struct f_usage *after)
{
	static char fig[160];
	long bound = (long)f_env_ulong("FAULTS_ANON_BOUND_KB", 1024);

	F_CHECK(after->fds == before->fds, "descriptors %ld -> %ld", before->fds, after->fds);
	F_CHECK(after->anon_kb - before->anon_kb <= bound, "RssAnon %ld -> %ld KiB (bound: +%ld)",
		before->anon_kb, after->anon_kb, bound);
	snprintf(fig, sizeof(fig), "fd %ld -> %ld, RssAnon %ld -> %ld KiB (VmRSS %ld -> %ld)",
		 before->fds, after->fds, before->anon_kb, after->anon_kb, before->rss_kb,
		 after->rss_kb);
	return fig;
}

/* ---- the RFC pair ---- */

static void start_target(struct f_pair *p, int port)
{
	struct e2e_argv a = { .n = 0 };

	e2e_rfc_target_argv(&a, p->buf, p->slots, port, true);
	f_emu_start(&p->tgt, a.v);
	p->tgt_port = p->tgt.qmp_port;
}

void f_pair_restart_fm(struct f_pair *p, const char *fm_ep_extra)
{
	struct e2e_argv a = { .n = 0 };

	e2e_rfc_fm_argv(&a, p->buf, p->slots, p->tgt_port, false, fm_ep_extra);
	f_emu_start(&p->fm, a.v);
}

void f_pair_start(struct f_pair *p, const char *tag, unsigned slots, const char *fm_ep_extra)
{
	f_shm_name(p->buf, sizeof(p->buf), tag);
	p->slots = slots;
	start_target(p, 0);
	f_pair_restart_fm(p, fm_ep_extra);
}

void f_pair_restart_target(struct f_pair *p)
{
	start_target(p, p->tgt_port);
}

/* ---- FM side ---- */

struct cxlfm_ctx *f_fm_open(const struct emu_proc *p, uint8_t addr, unsigned timeout_ms)
{
	struct cxlfm_opts o = { .size = sizeof(o), .own_addr = addr, .timeout_ms = timeout_ms };
	struct cxlfm_ctx *ctx = NULL;
	const char *bus = emu_bus(p, "aspeed.i2c.bus.0");
	int rc;

	if (!bus && p->n_buses)
		bus = p->bus_path[0];
	rc = bus ? cxlfm_open(bus, &o, &ctx) : -ENOENT;
	if (rc)
		f_fail("cannot open the bus of pid %d: %s", (int)p->pid, strerror(-rc));
	return ctx;
}

struct cxlfm_ep *f_fm_ep(struct cxlfm_ctx *ctx, uint8_t addr)
{
	struct cxlfm_ep *ep = NULL;
	int rc = cxlfm_ep_by_addr(ctx, addr, &ep);

	if (rc)
		f_fail("no endpoint at 0x%02x: %s", addr, cxlfm_rc_str(rc));
	return ep;
}

int f_identify(struct cxlfm_ep *ep, uint64_t *serial)
{
	struct cxlfm_identify_rsp r;
	int rc = cxlfm_cmd_identify(ep, NULL, &r);

	if (!rc && serial)
		*serial = r.serial;
	return rc;
}

uint64_t f_dc_base(struct cxlfm_ep *ep)
{
	struct cxlfm_get_host_dc_region_config_req req = { .region_count = 1 };
	static struct cxlfm_get_host_dc_region_config_rsp rsp;
	int rc = cxlfm_cmd_get_host_dc_region_config(ep, NULL, &req, &rsp);

	if (rc || !rsp.regions_returned)
		f_fail("Get Host DC Region Configuration: %s", cxlfm_rc_str(rc));
	return rsp.regions[0].base;
}

int f_dc_add(struct cxlfm_ep *ep, uint64_t dpa, uint64_t len)
{
	struct cxlfm_dc_extent e = { .start_dpa = dpa, .length = len };
	struct cxlfm_initiate_dc_add_req req = { .selection_policy = CXLFM_DC_SEL_PRESCRIPTIVE,
						 .length = len, .num_extents = 1,
						 .extents = &e };

	return cxlfm_cmd_initiate_dc_add(ep, NULL, &req);
}

int f_dc_release(struct cxlfm_ep *ep, uint64_t dpa, uint64_t len)
{
	struct cxlfm_dc_extent e = { .start_dpa = dpa, .length = len };
	struct cxlfm_initiate_dc_release_req req = { .removal_policy = CXLFM_DC_RM_PRESCRIPTIVE,
						     .length = len, .num_extents = 1,
						     .extents = &e };

	return cxlfm_cmd_initiate_dc_release(ep, NULL, &req);
}

/* ---- forwarded load ---- */

static void load_submit(struct f_load *l, unsigned i);

static void load_done(struct cxlfm_ep *ep, int rc, const uint8_t *rsp, size_t len, void *arg)
{
	struct f_load *l = arg;

	l->last_done = f_now();
	if (rc == 0 && len >= 16) {
		uint64_t serial = 0;

		for (int b = 7; b >= 0; b--)
			serial = serial << 8 | rsp[8 + b];
		if (serial == l->want_serial)
			l->ok++;
		else
			l->wrong++;
	} else if (rc == CXL_RC_RETRY_REQUIRED) {
		l->retry++;
	} else {
		if (!l->other)
			l->first_other = rc;
		l->other++;
	}
	if (l->running)
		for (unsigned i = 0; i < l->n_ctx; i++)
			if (l->ep[i] == ep)
				load_submit(l, i);
}

static void load_submit(struct f_load *l, unsigned i)
{
	int rc = cxlfm_submit(l->ep[i], NULL, CXLFM_OP_IDENTIFY, NULL, 0, load_done, l);

	if (rc) {
		if (!l->other)
			l->first_other = rc;
		l->other++;
		return;
	}
	l->sent++;
}

void f_load_init(struct f_load *l, const struct emu_proc *p, uint8_t ep_addr, unsigned n_ctx,
		 unsigned per_ctx, unsigned timeout_ms)
{
	memset(l, 0, sizeof(*l));
	if (n_ctx > F_LOAD_MAX_CTX)
		n_ctx = F_LOAD_MAX_CTX;
	l->n_ctx = n_ctx;
	l->per_ctx = per_ctx;
	l->want_serial = 99;
	for (unsigned i = 0; i < n_ctx; i++) {
		l->ctx[i] = f_fm_open(p, (uint8_t)(0x10 + i), timeout_ms);
		l->ep[i] = f_fm_ep(l->ctx[i], ep_addr);
	}
}

size_t f_load_pending(const struct f_load *l)
{
	size_t n = 0;

	for (unsigned i = 0; i < l->n_ctx; i++)
		n += cxlfm_pending(l->ctx[i]);
	return n;
}

static void load_turn(struct f_load *l, int timeout_ms)
{
	struct pollfd p[F_LOAD_MAX_CTX];

	for (unsigned i = 0; i < l->n_ctx; i++)
		p[i] = (struct pollfd){ .fd = cxlfm_fd(l->ctx[i]), .events = POLLIN };
	poll(p, l->n_ctx, timeout_ms);
	for (unsigned i = 0; i < l->n_ctx; i++)
		cxlfm_process(l->ctx[i], 0);
}

void f_load_run(struct f_load *l, double secs, bool (*stop)(void *), void *arg)
{
	double end = f_now() + secs;

	if (!l->running) {
		l->running = true;
		for (unsigned i = 0; i < l->n_ctx; i++)
			for (size_t k = cxlfm_pending(l->ctx[i]); k < l->per_ctx; k++)
				load_submit(l, i);
	}
	while (f_now() < end && !(stop && stop(arg)))
		load_turn(l, 10);
}

bool f_load_drain(struct f_load *l, double secs)
{
	double end = f_now() + secs;

	l->running = false;
	while (f_load_pending(l) && f_now() < end)
		load_turn(l, 10);
	return f_load_pending(l) == 0;
}

void f_load_free(struct f_load *l)
{
	for (unsigned i = 0; i < l->n_ctx; i++)
		cxlfm_close(l->ctx[i]);
	l->n_ctx = 0;
}

/* ---- QMP ---- */

int f_qmp(const struct emu_proc *p)
{
	int fd = qmp_open(p->qmp_port);

	if (fd < 0)
		f_fail("no QMP connection to pid %d (port %d)", (int)p->pid, p->qmp_port);
	return fd;
}

struct json_object *f_qmp_try(int fd, const char *cmd, const char *json_args, char *err,
			      size_t errlen)
{
	struct json_object *args = json_args ? json_tokener_parse(json_args) : NULL;
	struct json_object *r, *v, *e;

	if (json_args && !args)
		f_fail("bad JSON for %s: %s", cmd, json_args);
	r = qmp_exec(fd, cmd, args);
	if (!r)
		f_fail("%s: no answer", cmd);
	if (json_object_object_get_ex(r, "return", &v)) {
		json_object_get(v);
		json_object_put(r);
		return v;
	}
	if (err && errlen) {
		const char *d = "?";

		if (json_object_object_get_ex(r, "error", &e) &&
		    json_object_object_get_ex(e, "desc", &v))
			d = json_object_get_string(v);
		snprintf(err, errlen, "%s", d);
	}
	json_object_put(r);
	return NULL;
}

struct json_object *f_qmp_ok(int fd, const char *cmd, const char *json_args)
{
	char err[512];
	struct json_object *r = f_qmp_try(fd, cmd, json_args, err, sizeof(err));

	if (!r)
		f_fail("%s: %s", cmd, err);
	return r;
}

const char *f_qmp_dc(int fd, const char *dev, bool add, uint64_t offset, uint64_t len)
{
	static char err[512];
	char args[512];
	struct json_object *r;

	snprintf(args, sizeof(args), "{\"path\": \"%s\", \"host-id\": 0, \"%s\": "
		 "\"prescriptive\", \"region\": 0, \"extents\": [{\"offset\": %llu, "
		 "\"len\": %llu}]}", dev, add ? "selection-policy" : "removal-policy",
		 (unsigned long long)offset, (unsigned long long)len);
	r = f_qmp_try(fd, add ? "cxl-add-dynamic-capacity" : "cxl-release-dynamic-capacity",
		      args, err, sizeof(err));
	if (!r)
		return err;
	json_object_put(r);
	return NULL;
}

uint64_t f_ha_stat(int fd, const char *dev, const char *key)
{
	char args[128];
	struct json_object *r, *st, *v;
	uint64_t n;

	snprintf(args, sizeof(args), "{\"path\": \"%s\"}", dev);
	r = f_qmp_ok(fd, "x-cxl-host-agent", args);
	if (!json_object_object_get_ex(r, "stats", &st) ||
	    !json_object_object_get_ex(st, key, &v))
		f_fail("x-cxl-host-agent has no stats.%s", key);
	n = json_object_get_uint64(v);
	json_object_put(r);
	return n;
}

/* ---- extent lists ---- */

void f_extents_add(struct f_extents *s, uint64_t dpa, uint64_t len)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct f_extent *e = realloc(s->e, cap * sizeof(*e));

		if (!e)
			f_fail("out of memory");
		s->e = e;
		s->cap = cap;
	}
	s->e[s->n++] = (struct f_extent){ dpa, len };
}

bool f_extents_del(struct f_extents *s, uint64_t dpa, uint64_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].dpa == dpa && s->e[i].len == len) {
			s->e[i] = s->e[--s->n];
			return true;
		}
	return false;
}

static int cmp_extent(const void *a, const void *b)
{
	const struct f_extent *x = a, *y = b;

	if (x->dpa != y->dpa)
		return x->dpa < y->dpa ? -1 : 1;
	return x->len < y->len ? -1 : x->len > y->len;
}

void f_extents_sort(struct f_extents *s)
{
	if (s->n)
		qsort(s->e, s->n, sizeof(s->e[0]), cmp_extent);
}

bool f_extents_equal(const struct f_extents *a, const struct f_extents *b)
{
	return a->n == b->n && (!a->n || !memcmp(a->e, b->e, a->n * sizeof(a->e[0])));
}

size_t f_extents_overlaps(const struct f_extents *s)
{
	size_t n = 0;

	for (size_t i = 1; i < s->n; i++)
		if (s->e[i].dpa < s->e[i - 1].dpa + s->e[i - 1].len)
			n++;
	return n;
}

void f_extents_free(struct f_extents *s)
{
	free(s->e);
	*s = (struct f_extents){ 0 };
}

int f_fm_extents(struct cxlfm_ep *ep, struct f_extents *out)
{
	struct cxlfm_get_dc_region_extent_lists_req req = { .extent_count = 8 };
	struct cxlfm_get_dc_region_extent_lists_rsp rsp;
	uint32_t gen = 0;
	int rc;

	/* Pages of 8 (a forwarded answer holds 512 bytes); a list that changes
	 * meanwhile (its generation moves) is read again. */
	for (int tries = 0; tries < 20; tries++) {
		out->n = 0;
		req.start_index = 0;
		do {
			rc = cxlfm_cmd_get_dc_region_extent_lists(ep, NULL, &req, &rsp);
			if (rc)
				return rc;
			if (req.start_index && rsp.generation != gen)
				break;
			gen = rsp.generation;
			for (uint32_t i = 0; i < rsp.returned; i++)
				f_extents_add(out, rsp.extents[i].start_dpa, rsp.extents[i].length);
			req.start_index += rsp.returned;
		} while (rsp.returned && req.start_index < rsp.total);
		if (req.start_index >= rsp.total && rsp.generation == gen) {
			f_extents_sort(out);
			return 0;
		}
	}
	return -EAGAIN;
}

static uint64_t get_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

void f_ha_extents(int qmp, const char *dev, struct f_extents *out, long *stats_held)
{
	char args[128];
	struct json_object *r, *ext, *st;

	snprintf(args, sizeof(args), "{\"path\": \"%s\"}", dev);
	r = f_qmp_ok(qmp, "x-cxl-host-agent", args);
	out->n = 0;
	if (!json_object_object_get_ex(r, "extents", &ext) ||
	    !json_object_object_get_ex(r, "stats", &st))
		f_fail("x-cxl-host-agent: %s", json_object_to_json_string(r));
	for (size_t i = 0; i < json_object_array_length(ext); i++) {
		struct json_object *e = json_object_array_get_idx(ext, i);

		f_extents_add(out, get_u64(e, "dpa"), get_u64(e, "len"));
	}
	f_extents_sort(out);
	if (stats_held)
		*stats_held = (long)get_u64(st, "accepted") - (long)get_u64(st, "released") -
			      (long)get_u64(st, "forced");
	json_object_put(r);
}
