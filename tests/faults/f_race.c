/* SPDX-License-Identifier: MIT */
/*
 * Racing FMs: four FM processes add and release dynamic capacity of one
 * target DCD at once, from a shared pool of extents, each by its own path:
 * two through the FM host's forwarding (controllers 0x10 and 0x11), one on
 * the target's own bus (direct), one with the target's QMP commands. Many
 * of their requests are refused (the extent is pending, held or not held
 * by then); what must hold is that, once they stop, every view of what the
 * host holds agrees exactly:
 *
 *   FM        Get DC Region Extent Lists (5603h) through the FM host
 *   direct    the same on the target's bus
 *   device    the host mailbox's Get DC Extent List (4801h), as
 *             x-cxl-host-agent shows it
 *   agent     the host agent's own account: its X_CXL_DC_CHANGE events
 *             (accepted, released, forced-release) replayed from the start,
 *             and its stats (accepted - released - forced)
 *
 * No extent lost (held by one view and not another), none duplicated or
 * overlapping, and the data the host wrote into each is there (verify).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "faults.h"
#include "proto/cci.h"

#define MiB (1024ull * 1024)
#define POOL 32               /* extents of 2 MiB, one every 4 MiB from region 0's base */
#define EXT_LEN (2 * MiB)
#define EXT_STEP (4 * MiB)
#define N_FMS 4

enum fm_path { FM_FWD_A, FM_FWD_B, FM_DIRECT, FM_QMP };
static const char *const path_name[N_FMS] = { "forwarded", "forwarded", "direct", "QMP" };

/* What an FM process did, sent to the scenario through a pipe. */
struct fm_tally {
	unsigned long ops, ok;
	unsigned long rc[256];    /* refusals by CXL return code (QMP: rc[0xff]) */
	unsigned long transport;  /* no answer: -errno */
	int first_transport;
};

static void fm_run(enum fm_path path, const struct f_pair *p, uint64_t base, unsigned iters,
		   struct fm_tally *t)
{
	struct cxlfm_opts o = { .size = sizeof(o), .own_addr = path == FM_FWD_B ? 0x11 : 0x10, .timeout_ms = 10000 };
	const struct emu_proc *host = path <= FM_FWD_B ? &p->fm : &p->tgt;
	struct cxlfm_ctx *ctx = NULL;
	struct cxlfm_ep *ep = NULL;
	int q = -1;

	if (path == FM_QMP)
		q = qmp_open(p->tgt.qmp_port);
	else if (!cxlfm_open(emu_bus(host, "aspeed.i2c.bus.0"), &o, &ctx))
		cxlfm_ep_by_addr(ctx, 0x06, &ep);
	if ((path == FM_QMP && q < 0) || (path != FM_QMP && !ep)) {
		t->transport++;
		t->first_transport = -ENOTCONN;
		return;
	}
	srand((unsigned)getpid());
	for (unsigned i = 0; i < iters; i++) {
		unsigned j = (unsigned)rand() % POOL;
		bool add = rand() & 1;
		int rc;

		if (path == FM_QMP) {
			struct json_object *r;
			char args[256];

			snprintf(args, sizeof(args), "{\"path\": \"cxl-dcd0\", \"host-id\": 0, "
				 "\"%s\": \"prescriptive\", \"region\": 0, \"extents\": "
				 "[{\"offset\": %llu, \"len\": %llu}]}",
				 add ? "selection-policy" : "removal-policy",
				 (unsigned long long)(j * EXT_STEP), (unsigned long long)EXT_LEN);
			r = qmp_exec(q, add ? "cxl-add-dynamic-capacity" :
				     "cxl-release-dynamic-capacity", json_tokener_parse(args));
			if (!r)
				rc = -EPIPE;
			else
				rc = json_object_object_get_ex(r, "return", NULL) ? 0 : 0xff;
			json_object_put(r);
		} else {
			uint64_t dpa = base + j * EXT_STEP;

			rc = add ? f_dc_add(ep, dpa, EXT_LEN) : f_dc_release(ep, dpa, EXT_LEN);
		}
		t->ops++;
		if (rc == 0) {
			t->ok++;
		} else if (rc > 0 && rc < 256) {
			t->rc[rc]++;
		} else {
			if (!t->transport)
				t->first_transport = rc;
			t->transport++;
		}
	}
	if (ctx)
		cxlfm_close(ctx);
	if (q >= 0)
		close(q);
}

/* ---- the host agent's account, from its events ---- */

struct events {
	int fd;
	char buf[1 << 16];
	size_t len;
	struct f_extents held;
	unsigned long n, dup, lost; /* events; accepted while held; released while not held */
};

static void event_apply(struct events *ev, struct json_object *o)
{
	struct json_object *name, *data, *action, *ext;
	const char *a;

	if (!json_object_object_get_ex(o, "event", &name) ||
	    strcmp(json_object_get_string(name), "X_CXL_DC_CHANGE") ||
	    !json_object_object_get_ex(o, "data", &data) ||
	    !json_object_object_get_ex(data, "action", &action) ||
	    !json_object_object_get_ex(data, "extents", &ext))
		return;
	a = json_object_get_string(action);
	ev->n++;
	for (size_t i = 0; i < json_object_array_length(ext); i++) {
		struct json_object *e = json_object_array_get_idx(ext, i), *v;
		uint64_t dpa = 0, len = 0;

		if (json_object_object_get_ex(e, "dpa", &v))
			dpa = json_object_get_uint64(v);
		if (json_object_object_get_ex(e, "len", &v))
			len = json_object_get_uint64(v);
		if (!strcmp(a, "accepted")) {
			for (size_t k = 0; k < ev->held.n; k++)
				if (ev->held.e[k].dpa == dpa)
					ev->dup++;
			f_extents_add(&ev->held, dpa, len);
		} else if (!strcmp(a, "released") || !strcmp(a, "forced-release")) {
			if (!f_extents_del(&ev->held, dpa, len))
				ev->lost++;
		}
	}
}

/* Read what the target's QMP sent (events) without waiting. */
static void events_pump(struct events *ev)
{
	ssize_t r;

	while ((r = recv(ev->fd, ev->buf + ev->len, sizeof(ev->buf) - 1 - ev->len,
			 MSG_DONTWAIT)) > 0) {
		char *line = ev->buf, *nl;

		ev->len += (size_t)r;
		ev->buf[ev->len] = 0;
		while ((nl = strchr(line, '\n'))) {
			struct json_object *o;

			*nl = 0;
			if ((o = json_tokener_parse(line))) {
				event_apply(ev, o);
				json_object_put(o);
			}
			line = nl + 1;
		}
		ev->len -= (size_t)(line - ev->buf);
		memmove(ev->buf, line, ev->len);
		if (ev->len + 1 >= sizeof(ev->buf))
			f_fail("a QMP line over %zu bytes", sizeof(ev->buf));
	}
}

/* The host's generation and records read: stable over 100 ms means settled. */
static void settle(int q, struct events *ev)
{
	char last[64] = "", now[64];
	double t0 = f_now();

	while (f_now() - t0 < 10) {
		struct json_object *r = f_qmp_ok(q, "x-cxl-host-agent", "{\"path\": \"cxl-dcd0\"}");
		struct json_object *g, *st, *rec;

		json_object_object_get_ex(r, "generation", &g);
		json_object_object_get_ex(r, "stats", &st);
		json_object_object_get_ex(st, "records", &rec);
		snprintf(now, sizeof(now), "%llu/%llu", (unsigned long long)json_object_get_uint64(g),
			 (unsigned long long)json_object_get_uint64(rec));
		json_object_put(r);
		events_pump(ev);
		if (!strcmp(now, last))
			return;
		snprintf(last, sizeof(last), "%s", now);
		f_sleep_ms(100);
	}
	f_fail("the host never settled after the FMs stopped");
}

static void describe(const char *what, const struct f_extents *s, char *out, size_t len)
{
	int n = snprintf(out, len, "%s %zu:", what, s->n);

	for (size_t i = 0; i < s->n && i < 6 && n > 0 && (size_t)n < len; i++)
		n += snprintf(out + n, len - (size_t)n, " %llx", (unsigned long long)s->e[i].dpa);
}

/* "1,971 Invalid Extent List, 1,204 QMP errors, ..." */
static void refusals(const struct fm_tally *t, char *out, size_t len)
{
	size_t n = 0;

	out[0] = 0;
	for (int k = 1; k < 256 && n < len; k++)
		if (t->rc[k])
			n += (size_t)snprintf(out + n, len - n, "%s%s %s", n ? ", " : "",
					      f_num(t->rc[k]), k == 0xff ? "QMP errors" :
					      cxlfm_rc_str(k));
}

static void race_fms(void)
{
	static struct f_pair p;
	static struct events ev;
	struct fm_tally tally[N_FMS], sum = { 0 };
	struct f_extents fm = { 0 }, direct = { 0 }, dev = { 0 };
	struct cxlfm_ctx *cf, *ct;
	struct cxlfm_ep *ef, *et;
	unsigned iters = (unsigned)f_env_ulong("FAULTS_RACE_ITERS", 5000);
	pid_t pid[N_FMS];
	int pipes[N_FMS], q, rc;
	long stats_held;
	uint64_t base;
	double t0, secs;
	char a[256], b[256];

	f_pair_start(&p, "race", 4, NULL);
	ev.fd = f_qmp(&p.tgt); /* the agent's account starts before any FM */
	q = f_qmp(&p.tgt);
	cf = f_fm_open(&p.fm, 0x12, 10000);
	ef = f_fm_ep(cf, 0x06);
	base = f_dc_base(ef);
	t0 = f_now();
	for (int i = 0; i < N_FMS; i++) {
		int pf[2];

		F_CHECK(pipe(pf) == 0, "pipe");
		pid[i] = fork();
		F_CHECK(pid[i] >= 0, "fork");
		if (pid[i] == 0) {
			struct fm_tally t = { 0 };

			close(pf[0]);
			fm_run((enum fm_path)i, &p, base, iters, &t);
			_exit(write(pf[1], &t, sizeof(t)) == (ssize_t)sizeof(t) ? 0 : 1);
		}
		close(pf[1]);
		pipes[i] = pf[0];
	}
	for (int i = 0; i < N_FMS; i++) {
		size_t got = 0;

		while (got < sizeof(tally[i])) {
			struct pollfd pf = { .fd = pipes[i], .events = POLLIN };
			ssize_t r;

			events_pump(&ev);
			if (poll(&pf, 1, 20) <= 0)
				continue;
			r = read(pipes[i], (char *)&tally[i] + got, sizeof(tally[i]) - got);
			if (r <= 0)
				f_fail("FM %d (%s) died", i, path_name[i]);
			got += (size_t)r;
		}
		close(pipes[i]);
		waitpid(pid[i], NULL, 0);
	}
	secs = f_now() - t0;
	for (int i = 0; i < N_FMS; i++) {
		F_CHECK(!tally[i].transport, "FM %d (%s): %lu requests without an answer (%s)", i,
			path_name[i], tally[i].transport, cxlfm_rc_str(tally[i].first_transport));
		sum.ops += tally[i].ops;
		sum.ok += tally[i].ok;
		for (int k = 0; k < 256; k++)
			sum.rc[k] += tally[i].rc[k];
	}
	F_CHECK(!sum.rc[CXL_RC_INTERNAL_ERROR] && !sum.rc[CXL_RC_RETRY_REQUIRED],
		"%lu Internal Error, %lu Retry Required", sum.rc[CXL_RC_INTERNAL_ERROR],
		sum.rc[CXL_RC_RETRY_REQUIRED]);
	settle(q, &ev);
	ct = f_fm_open(&p.tgt, 0x12, 10000);
	et = f_fm_ep(ct, 0x06);
	F_CHECK((rc = f_fm_extents(ef, &fm)) == 0, "5603h through the FM host: %s",
		cxlfm_rc_str(rc));
	F_CHECK((rc = f_fm_extents(et, &direct)) == 0, "5603h direct: %s", cxlfm_rc_str(rc));
	f_ha_extents(q, "cxl-dcd0", &dev, &stats_held);
	events_pump(&ev);
	f_extents_sort(&ev.held);
	describe("FM", &fm, a, sizeof(a));
	F_CHECK(f_extents_equal(&fm, &direct), "%s; %s", a, (describe("direct", &direct, b,
								      sizeof(b)), b));
	F_CHECK(f_extents_equal(&fm, &dev), "%s; %s", a, (describe("device", &dev, b,
								   sizeof(b)), b));
	F_CHECK(f_extents_equal(&fm, &ev.held), "%s; %s", a, (describe("agent events", &ev.held,
									b, sizeof(b)), b));
	F_CHECK(stats_held == (long)fm.n, "the agent's stats say %ld held, the lists %zu",
		stats_held, fm.n);
	F_CHECK(!ev.dup && !ev.lost, "the agent accepted %lu extents it held, released %lu it "
		"did not", ev.dup, ev.lost);
	F_CHECK(!f_extents_overlaps(&fm), "overlapping extents in the list");
	json_object_put(f_qmp_ok(q, "x-cxl-host-agent", "{\"path\": \"cxl-dcd0\", "
				 "\"action\": \"verify\"}"));
	cxlfm_close(cf);
	cxlfm_close(ct);
	close(q);
	close(ev.fd);
	refusals(&sum, b, sizeof(b));
	f_pass("4 FMs (2 forwarded, 1 direct, 1 QMP) x %s add/release in %.1f s: %s done, "
	       "%s refused (%s); then %zu extents in all 4 views (FM 5603h, direct 5603h, host "
	       "mailbox 4801h, %s agent events), 0 lost, 0 duplicated, data verified",
	       f_num(iters), secs, f_num(sum.ok), f_num(sum.ops - sum.ok), b, fm.n, f_num(ev.n));
}

const struct f_scenario f_race_scenarios[] = {
	{ "race-fms", "4 FMs add/release at once; FM, device and host agent agree", race_fms,
	  300 },
	{ NULL, NULL, NULL, 0 },
};
