/* SPDX-License-Identifier: MIT */
/*
 * Faults of the forwarding path between the RFC's two hosts (issue #13
 * classes 1 and 5, and peers that die): the shared buffer truncated, a
 * stray posted slot, the buffer unlinked, a second creator, the target or
 * the FM host killed with a request in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "cxlfm/fmapi.h"
#include "faults.h"
#include "proto/cci.h"
#include "../e2e/rfc_peer.h"

#define FWD_TIMEOUT_MS 3000  /* the FM host's fwd-timeout in these scenarios */
#define FM_TIMEOUT_MS 10000  /* libcxlfm's: longer, so the FM host answers first */

static void buf_resize(const char *name, off_t len)
{
	int fd = shm_open(name, O_RDWR, 0);

	if (fd < 0 || ftruncate(fd, len))
		f_fail("cannot resize %s: %s", name, strerror(errno));
	close(fd);
}

/* Seconds until the buffer has size want (its owner acts on its own), or -1. */
static double wait_buf_size(const char *name, long want, double secs)
{
	double t0 = f_now();

	while (f_now() - t0 < secs) {
		if (rfc_size(name) == want)
			return f_now() - t0;
		f_sleep_ms(1);
	}
	return -1;
}

/* The pair (tag names its buffer), an FM at 0x10 on the FM host, one
 * forwarded Identify answered: the endpoint 0x6 it reaches. */
static struct cxlfm_ep *pair_up(struct f_pair *p, const char *tag, unsigned slots,
				const char *fm_ep_extra, struct cxlfm_ctx **ctx)
{
	struct cxlfm_ep *ep;

	f_pair_start(p, tag, slots, fm_ep_extra);
	*ctx = f_fm_open(&p->fm, 0x10, FM_TIMEOUT_MS);
	ep = f_fm_ep(*ctx, 0x06);
	F_CHECK(f_identify(ep, NULL) == 0, "no forwarding before the fault");
	return ep;
}

/* Identify until it succeeds (or secs pass): the seconds it took, -1 if never. */
static double until_answered(struct cxlfm_ep *ep, double secs, int *last_rc)
{
	double t0 = f_now();
	int rc;

	do {
		uint64_t serial = 0;

		rc = f_identify(ep, &serial);
		if (!rc && serial == 99) {
			*last_rc = 0;
			return f_now() - t0;
		}
		f_sleep_ms(20);
	} while (f_now() - t0 < secs);
	*last_rc = rc;
	return -1;
}

static void both_alive(const struct f_pair *p)
{
	F_CHECK(f_alive(&p->tgt), "the target host died");
	F_CHECK(f_alive(&p->fm), "the FM host died");
	for (int i = 0; i < 2; i++) {
		int q = f_qmp(i ? &p->fm : &p->tgt);

		json_object_put(f_qmp_ok(q, "query-status", NULL));
		close(q);
	}
}

/* Truncates the buffer every 2 ms while the load runs. */
struct truncator {
	const char *buf;
	double next;
	unsigned n;
};

static bool truncate_tick(void *arg)
{
	struct truncator *t = arg;

	if (f_now() >= t->next) {
		buf_resize(t->buf, t->n % 2 ? 10 : 0);
		t->n++;
		t->next = f_now() + 0.002;
	}
	return false;
}

/*
 * Class 1: the RFC buffer truncated by another process while paired. With
 * its owner (the target) stopped, the FM host answers Retry Required at
 * once; the owner restores the size when it runs again and forwarding
 * recovers. Then truncations every 2 ms under 8 requests in flight: every
 * answer is success or Retry Required, and both hosts keep running.
 */
static void shm_truncate(void)
{
	static struct f_pair p;
	struct truncator tr = { .n = 0 };
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	struct f_load l;
	double t0, t_rr, t_rec;
	int rc;

	ep = pair_up(&p, "trunc", 1, ",fwd-timeout=3000", &ctx);

	kill(p.tgt.pid, SIGSTOP);
	buf_resize(p.buf, 0);
	t0 = f_now();
	rc = f_identify(ep, NULL);
	t_rr = f_now() - t0;
	F_CHECK(rc == CXL_RC_RETRY_REQUIRED, "truncated buffer: %s", cxlfm_rc_str(rc));
	kill(p.tgt.pid, SIGCONT);
	t_rec = until_answered(ep, 10, &rc);
	F_CHECK(t_rec >= 0, "no recovery after the owner ran again: %s", cxlfm_rc_str(rc));
	cxlfm_close(ctx);

	f_load_init(&l, &p.fm, 0x06, 1, 8, FM_TIMEOUT_MS);
	tr.buf = p.buf;
	f_load_run(&l, 2.0, truncate_tick, &tr);
	F_CHECK(f_load_drain(&l, 10), "%zu requests never answered", f_load_pending(&l));
	F_CHECK(!l.other && !l.wrong, "%llu unexpected answers (first: %s), %llu wrong",
		l.other, cxlfm_rc_str(l.first_other), l.wrong);
	F_CHECK(wait_buf_size(p.buf, RFC_SIZE, 5) >= 0, "the owner did not restore the buffer");
	F_CHECK(until_answered(l.ep[0], 10, &rc) >= 0, "no recovery: %s", cxlfm_rc_str(rc));
	both_alive(&p);
	f_load_free(&l);
	f_pass("Retry Required %.1f ms after the truncation, answered again %.1f ms after the "
	       "owner ran; %u truncations under load: %s answered, %s Retry Required, 0 other; "
	       "both hosts alive", t_rr * 1e3, t_rec * 1e3, tr.n, f_num(l.ok), f_num(l.retry));
}

/* Class 5a: status=1 written into every idle slot by another process. */
static void stray_slot(void)
{
	static struct f_pair p;
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	const unsigned slots = 4;
	uint8_t *buf;
	double t0, first;
	int fd, ok = 0;

	ep = pair_up(&p, "stray", slots, NULL, &ctx);
	fd = shm_open(p.buf, O_RDWR, 0);
	F_CHECK(fd >= 0, "cannot open %s", p.buf);
	buf = mmap(NULL, slots * RFC_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	F_CHECK(buf != MAP_FAILED, "cannot map %s", p.buf);
	for (unsigned s = 0; s < slots; s++)
		__atomic_store_n((int32_t *)(void *)(buf + s * RFC_SIZE + RFC_STATUS), 1,
				 __ATOMIC_RELEASE);
	munmap(buf, slots * RFC_SIZE);
	t0 = f_now();
	F_CHECK(f_identify(ep, NULL) == 0, "the first request after the stray writes failed");
	first = f_now() - t0;
	for (int i = 0; i < 20; i++)
		ok += f_identify(ep, NULL) == 0;
	F_CHECK(ok == 20, "%d of 20 requests answered", ok);
	both_alive(&p);
	cxlfm_close(ctx);
	f_pass("status=1 in all %u idle slots: the next request answered in %.1f ms, 20/20 after",
	       slots, first * 1e3);
}

/* Class 5b: the buffer unlinked, then the FM host restarted. */
static void unlink_restart(void)
{
	static struct f_pair p;
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	double back, t_fm;
	int rc;

	ep = pair_up(&p, "unlink", 1, NULL, &ctx);
	F_CHECK(shm_unlink(p.buf) == 0, "unlink: %s", strerror(errno));
	back = wait_buf_size(p.buf, RFC_SIZE, 5);
	F_CHECK(back >= 0, "the owner did not create the buffer again");
	F_CHECK(until_answered(ep, 10, &rc) >= 0, "the running FM host did not recover: %s",
		cxlfm_rc_str(rc));
	cxlfm_close(ctx);
	F_CHECK(f_emu_stop(&p.fm) == 0, "the FM host did not exit cleanly");
	F_CHECK(shm_unlink(p.buf) == 0, "second unlink: %s", strerror(errno));
	F_CHECK(wait_buf_size(p.buf, RFC_SIZE, 5) >= 0, "the owner did not create it again");
	f_pair_restart_fm(&p, NULL);
	ctx = f_fm_open(&p.fm, 0x10, FM_TIMEOUT_MS);
	ep = f_fm_ep(ctx, 0x06);
	t_fm = until_answered(ep, 10, &rc);
	F_CHECK(t_fm >= 0, "the restarted FM host gets no answer: %s", cxlfm_rc_str(rc));
	both_alive(&p);
	cxlfm_close(ctx);
	f_pass("buffer back %.1f ms after the unlink; the restarted FM host answered in %.1f ms",
	       back * 1e3, t_fm * 1e3);
}

/* Class 5c: a second target with the same mctp-buf-name. */
static void second_owner(void)
{
	static struct f_pair p;
	struct e2e_argv a = { .n = 0 };
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	char dir[256], out[4096], *nl;
	double t0, took;
	int rc;

	ep = pair_up(&p, "owner", 1, NULL, &ctx);
	e2e_rfc_target_argv(&a, p.buf, 1, 0, true);
	f_tmpdir(dir, sizeof(dir));
	t0 = f_now();
	rc = emu_run_refused(dir, a.v, out, sizeof(out));
	took = f_now() - t0;
	F_CHECK(rc == 1, "the second target: exit %d: %s", rc, out);
	F_CHECK(strstr(out, "in use"), "no reason given: %s", out);
	F_CHECK(rfc_size(p.buf) == RFC_SIZE, "the live buffer changed size");
	F_CHECK(f_identify(ep, NULL) == 0, "the pair no longer answers");
	both_alive(&p);
	cxlfm_close(ctx);
	if ((nl = strstr(out, "in use")) && (nl = strchr(nl, '\n')))
		*nl = 0;
	f_pass("refused in %.0f ms (exit 1: \"%s\"); the pair still answers",
	       took * 1e3, strrchr(out, '\n') ? strrchr(out, '\n') + 1 : out);
}

struct async_one {
	int rc;
	bool done;
	double at;
};

static void one_done(struct cxlfm_ep *ep, int rc, const uint8_t *rsp, size_t len, void *arg)
{
	struct async_one *o = arg;

	(void)ep, (void)rsp, (void)len;
	o->rc = rc;
	o->done = true;
	o->at = f_now();
}

/* Submit an Identify and let it reach the (stopped) peer: FAIL if it is answered. */
static void submit_stuck(struct cxlfm_ctx *ctx, struct cxlfm_ep *ep, struct async_one *o)
{
	double t0 = f_now();

	*o = (struct async_one){ 0 };
	F_CHECK(cxlfm_submit(ep, NULL, CXLFM_OP_IDENTIFY, NULL, 0, one_done, o) == 0,
		"cannot submit");
	while (f_now() - t0 < 0.3)
		cxlfm_process(ctx, 10);
	F_CHECK(!o->done, "answered (%s) while the target was stopped", cxlfm_rc_str(o->rc));
}

static void wait_one(struct cxlfm_ctx *ctx, struct async_one *o, double secs)
{
	double t0 = f_now();

	while (!o->done && f_now() - t0 < secs)
		cxlfm_process(ctx, 10);
}

/*
 * The target killed (-9) with a request in flight: the FM host answers
 * Retry Required well within its forwarding timeout (it sees the QMP
 * connection close), Retry Required at once while the target is down, and
 * answers again once a new target runs on the same port. 8 requests in
 * flight at a second kill are each answered.
 */
static void peer_kill_target(void)
{
	static struct f_pair p;
	struct async_one o;
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	struct f_load l;
	double t_kill, t_rr, t_down, t_rec, t0;
	int rc;

	ep = pair_up(&p, "killt", 1, ",fwd-timeout=3000", &ctx);
	kill(p.tgt.pid, SIGSTOP);
	submit_stuck(ctx, ep, &o);
	t_kill = f_now();
	f_emu_kill(&p.tgt);
	wait_one(ctx, &o, FWD_TIMEOUT_MS / 1000.0 + 5);
	F_CHECK(o.done, "no answer after the kill");
	F_CHECK(o.rc == CXL_RC_RETRY_REQUIRED, "answer after the kill: %s", cxlfm_rc_str(o.rc));
	t_rr = o.at - t_kill;
	F_CHECK(t_rr < FWD_TIMEOUT_MS / 1000.0 + 2, "Retry Required only after %.2f s", t_rr);
	t0 = f_now();
	rc = f_identify(ep, NULL);
	t_down = f_now() - t0;
	F_CHECK(rc == CXL_RC_RETRY_REQUIRED, "target down: %s", cxlfm_rc_str(rc));
	f_pair_restart_target(&p);
	t_rec = until_answered(ep, 15, &rc);
	F_CHECK(t_rec >= 0, "no answer from the restarted target: %s", cxlfm_rc_str(rc));
	cxlfm_close(ctx);

	/* again with 8 in flight */
	f_load_init(&l, &p.fm, 0x06, 1, 8, FM_TIMEOUT_MS);
	f_load_run(&l, 0.3, NULL, NULL);
	F_CHECK(l.ok > 0, "no load before the second kill");
	t0 = f_now();
	f_emu_kill(&p.tgt);
	F_CHECK(f_load_drain(&l, FWD_TIMEOUT_MS / 1000.0 + 5), "%zu requests never answered",
		f_load_pending(&l));
	F_CHECK(!l.other && !l.wrong, "%llu unexpected answers (first: %s)", l.other,
		cxlfm_rc_str(l.first_other));
	double t_drain = l.last_done - t0;
	f_pair_restart_target(&p);
	F_CHECK(until_answered(l.ep[0], 15, &rc) >= 0, "no recovery: %s", cxlfm_rc_str(rc));
	both_alive(&p);
	f_load_free(&l);
	f_pass("Retry Required %.0f ms after kill -9 (fwd-timeout %d ms), %.1f ms while down; "
	       "answered %.2f s after the restart; 8 in flight at a second kill all answered "
	       "within %.1f ms", t_rr * 1e3, FWD_TIMEOUT_MS, t_down * 1e3, t_rec,
	       t_drain * 1e3);
}

/*
 * The FM host killed (-9) while its request waits in the (stopped) target:
 * the target finishes it, keeps serving and closes the dead connection (its
 * descriptors come back to the count before), and a new FM host forwards.
 */
static void peer_kill_fm(void)
{
	static struct f_pair p;
	struct async_one o;
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	long fds0, fds1 = -1;
	double t0, t_rec;
	int rc, q;

	ep = pair_up(&p, "killf", 1, NULL, &ctx);
	fds0 = f_proc_fds(p.tgt.pid); /* with the FM host's QMP connection */
	kill(p.tgt.pid, SIGSTOP);
	submit_stuck(ctx, ep, &o);
	f_emu_kill(&p.fm);
	wait_one(ctx, &o, 5);
	F_CHECK(o.done && o.rc < 0, "the dead FM host's request: %s",
		o.done ? cxlfm_rc_str(o.rc) : "no completion");
	cxlfm_close(ctx);
	kill(p.tgt.pid, SIGCONT);
	q = f_qmp(&p.tgt);
	json_object_put(f_qmp_ok(q, "query-status", NULL));
	close(q);
	t0 = f_now();
	while (f_now() - t0 < 5 && (fds1 = f_proc_fds(p.tgt.pid)) >= fds0)
		f_sleep_ms(10);
	F_CHECK(fds1 == fds0 - 1, "target descriptors %ld with the FM host, %ld after it died",
		fds0, fds1);
	f_pair_restart_fm(&p, NULL);
	ctx = f_fm_open(&p.fm, 0x10, FM_TIMEOUT_MS);
	ep = f_fm_ep(ctx, 0x06);
	t_rec = until_answered(ep, 15, &rc);
	F_CHECK(t_rec >= 0, "the new FM host gets no answer: %s", cxlfm_rc_str(rc));
	F_CHECK(f_proc_fds(p.tgt.pid) == fds0, "target descriptors %ld, %ld before",
		f_proc_fds(p.tgt.pid), fds0);
	both_alive(&p);
	cxlfm_close(ctx);
	f_pass("target kept serving (fd %ld -> %ld -> %ld); the new FM host answered in %.1f ms",
	       fds0, fds1, fds0, t_rec * 1e3);
}

const struct f_scenario f_fwd_scenarios[] = {
	{ "shm-truncate", "#13.1: RFC buffer truncated while paired (Retry Required, recovery)",
	  shm_truncate, 0 },
	{ "fwd-stray-slot", "#13.5: status=1 written into idle slots", stray_slot, 0 },
	{ "fwd-unlink-restart", "#13.5: buffer unlinked, then the FM host restarted",
	  unlink_restart, 0 },
	{ "fwd-second-owner", "#13.5: a second target with the same mctp-buf-name",
	  second_owner, 0 },
	{ "peer-kill-target", "kill -9 the target mid-request, restart it", peer_kill_target, 0 },
	{ "peer-kill-fm", "kill -9 the FM host mid-request, restart it", peer_kill_fm, 0 },
	{ NULL, NULL, NULL, 0 },
};
