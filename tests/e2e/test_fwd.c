/* SPDX-License-Identifier: MIT */
/*
 * THEORY OF OPERATION: the QEMU FM-emulation RFC's two hosts as two cxl-emu
 * processes. The target host's DCD creates the shared buffer and serves
 * cxl-process-mctp-message on QMP; the FM host has the same topology, and
 * its endpoint 0x6 forwards to the target. An FM application (libcxlfm) on
 * the FM host's bus talks to 0x6 and must see the TARGET's device: proven by
 * state, since both hosts have a DCD with sn=99. Each test gets its own
 * buffer name, run dirs and ephemeral ports, so tests can run in parallel.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "e2e.h"
#include "proto/le.h"
#include "rfc_peer.h"

#define MiB (1024ull * 1024)
#define RC_RETRY_REQUIRED 0x05
#define RC_INTERNAL_ERROR 0x04

static char bufname[64];
static int peer_calls, peer_bad_call; /* the RFC-style target peer (a child) */
static pid_t peer_pid;

static void new_bufname(void)
{
	static int n;

	snprintf(bufname, sizeof(bufname), "/cxlfm-e2e-%d-%d", (int)getpid(), n++);
}

static void target_argv(struct e2e_argv *a, unsigned slots, int port, bool init)
{
	e2e_rfc_target_argv(a, bufname, slots, port, init);
}

static int start_target(struct emu_proc *p, unsigned slots, int port, bool init)
{
	struct e2e_argv a = { .n = 0 };

	target_argv(&a, slots, port, init);
	return emu_start(p, a.v);
}

static int start_fm(struct emu_proc *p, int target_port, unsigned slots, bool fwd_switch,
		    const char *extra_ep)
{
	struct e2e_argv a = { .n = 0 };

	e2e_rfc_fm_argv(&a, bufname, slots, target_port, fwd_switch, extra_ep);
	return emu_start(p, a.v);
}

static struct emu_proc tgt, fm;

static int setup(void **state)
{
	(void)state;
	new_bufname();
	peer_bad_call = 0;
	peer_pid = 0;
	memset(&tgt, 0, sizeof(tgt));
	memset(&fm, 0, sizeof(fm));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	e2e_rfc_pair_stop(&tgt, &fm, NULL);
	if (peer_pid > 0) {
		kill(peer_pid, SIGKILL);
		waitpid(peer_pid, NULL, 0);
	}
	shm_unlink(bufname); /* in case a host was killed */
	return 0;
}

static struct cxlfm_ctx *fm_bus(uint8_t own_addr, unsigned timeout_ms)
{
	struct cxlfm_opts o = { .size = sizeof(o), .own_addr = own_addr, .timeout_ms = timeout_ms };
	struct cxlfm_ctx *ctx = NULL;

	assert_int_equal(cxlfm_open(emu_bus(&fm, "aspeed.i2c.bus.0"), &o, &ctx), 0);
	return ctx;
}

static struct json_object *extent(uint64_t off, uint64_t len)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "offset", json_object_new_uint64(off));
	json_object_object_add(e, "len", json_object_new_uint64(len));
	return e;
}

static void qmp_ok(int fd, const char *cmd, struct json_object *args)
{
	struct json_object *r = qmp_exec(fd, cmd, args);

	assert_non_null(r);
	if (!json_object_object_get_ex(r, "return", NULL))
		fail_msg("%s: %s", cmd, json_object_to_json_string(r));
	json_object_put(r);
}

/* Accepted extents the FM sees through 0x6 (5603h), with the first one. */
static uint32_t fm_extents(struct cxlfm_ep *ep, uint64_t *dpa, uint64_t *len)
{
	uint8_t in[12] = { 0 }, out[512];
	size_t n;

	le32_put(in + 4, 8);
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x5603, in, sizeof(in), out, sizeof(out), &n), 0);
	assert_true(n >= 24);
	if (le32_get(out + 8) && dpa) {
		*dpa = le64_get(out + 24);
		*len = le64_get(out + 32);
	}
	return le32_get(out + 12);
}

static uint32_t wait_fm_extents(struct cxlfm_ep *ep, uint32_t want)
{
	uint32_t n = 0;

	for (int i = 0; i < 400 && (n = fm_extents(ep, NULL, NULL)) != want; i++)
		usleep(5000);
	return n;
}

/* 1: both hosts from the RFC; Identify, DCD info, and state proves the path. */
static void test_rfc_pair(void **state)
{
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	uint8_t out[512];
	uint64_t dpa = 0, len = 0;
	size_t n;
	int q;

	(void)state;
	assert_int_equal(start_target(&tgt, 1, 0, true), 0);
	assert_int_equal(start_fm(&fm, tgt.qmp_port, 1, false, NULL), 0);
	ctx = fm_bus(0, 3000);
	assert_int_equal(cxlfm_discover(ctx), 2);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, out, sizeof(out), &n), 0);
	assert_int_equal(n, 18);
	assert_int_equal(le64_get(out + 8), 99);
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x5600, NULL, 0, out, sizeof(out), &n), 0);
	assert_int_equal(out[1], 2);
	assert_int_equal(fm_extents(ep, NULL, NULL), 0);

	/* capacity added on the TARGET only */
	q = qmp_open(tgt.qmp_port);
	assert_true(q >= 0);
	struct json_object *a = json_object_new_object(), *ex = json_object_new_array();
	json_object_object_add(a, "path", json_object_new_string("cxl-dcd0"));
	json_object_object_add(a, "host-id", json_object_new_int(0));
	json_object_object_add(a, "selection-policy", json_object_new_string("prescriptive"));
	json_object_object_add(a, "region", json_object_new_int(0));
	json_object_array_add(ex, extent(0, 256 * MiB));
	json_object_object_add(a, "extents", ex);
	qmp_ok(q, "cxl-add-dynamic-capacity", a);
	close(q);
	assert_int_equal(wait_fm_extents(ep, 1), 1);
	fm_extents(ep, &dpa, &len);
	assert_int_equal(len, 256 * MiB);
	cxlfm_close(ctx);
}

/* 2: the whole DC lifecycle driven by the FM across hosts. */
static void test_lifecycle(void **state)
{
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	uint8_t in[72], out[512];
	uint64_t base, dpa;
	size_t n;
	int q;

	(void)state;
	assert_int_equal(start_target(&tgt, 1, 0, true), 0);
	assert_int_equal(start_fm(&fm, tgt.qmp_port, 1, false, NULL), 0);
	q = qmp_open(fm.qmp_port); /* the FM host relays the target's events */
	assert_true(q >= 0);
	ctx = fm_bus(0, 3000);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);

	/* Get Host DC Region Configuration (5601h): region 0's base */
	memset(in, 0, sizeof(in));
	in[2] = 1;
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x5601, in, 4, out, sizeof(out), &n), 0);
	base = le64_get(out + 4);

	/* Initiate Dynamic Capacity Add (5604h), prescriptive, one extent */
	dpa = base + 512 * MiB;
	memset(in, 0, sizeof(in));
	in[2] = 2;                      /* prescriptive */
	le64_put(in + 4, 128 * MiB);
	le32_put(in + 28, 1);
	le64_put(in + 32, dpa);
	le64_put(in + 40, 128 * MiB);
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x5604, in, 72, out, sizeof(out), &n), 0);
	assert_int_equal(wait_fm_extents(ep, 1), 1);
	struct json_object *ev = qmp_wait_event(q, "X_CXL_DC_CHANGE", 3000);
	assert_non_null(ev);
	assert_non_null(strstr(json_object_to_json_string(ev), "accepted"));
	json_object_put(ev);

	/* the host's data pattern is in the target's backing file at dpa - base */
	char path[600];
	uint8_t word[8];
	snprintf(path, sizeof(path), "%s/t3_cxl2.raw", tgt.run_dir);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, word, 8, (off_t)(dpa - base)), 8);
	close(fd);
	assert_int_equal(le64_get(word), dpa ^ 0xc3a5c3a5c3a5c3a5ull);

	/* Initiate Dynamic Capacity Release (5605h): the host gives it back */
	in[2] = 1;                      /* prescriptive removal */
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x5605, in, 72, out, sizeof(out), &n), 0);
	assert_int_equal(wait_fm_extents(ep, 0), 0);
	close(q);
	cxlfm_close(ctx);
}

/* The RFC's trigger for the DCD's CCI: the whole reply. */
static struct json_object *trigger(int q)
{
	struct json_object *a = json_object_new_object(), *r;

	json_object_object_add(a, "cci-name", json_object_new_string("99:oob_mctp_cci"));
	r = qmp_exec(q, "cxl-process-mctp-message", a);
	assert_non_null(r);
	return r;
}

/* As an RFC FM host: Identify into the buffer, posted, then the trigger. */
static struct json_object *post_identify(int q, uint8_t *buf)
{
	buf[RFC_SET] = 0x00;
	buf[RFC_CMD] = 0x01;
	memset(buf + RFC_LEN_IN, 0, 8);
	*(volatile int32_t *)(buf + RFC_STATUS) = 1;
	return trigger(q);
}

static void assert_return(struct json_object *r)
{
	if (!json_object_object_get_ex(r, "return", NULL))
		fail_msg("expected a return: %s", json_object_to_json_string(r));
	json_object_put(r);
}

/* An error reply whose desc names why. */
static void assert_error(struct json_object *r, const char *text)
{
	struct json_object *e, *d;

	if (!json_object_object_get_ex(r, "error", &e) ||
	    !json_object_object_get_ex(e, "desc", &d) ||
	    !strstr(json_object_get_string(d), text))
		fail_msg("expected an error with '%s': %s", text, json_object_to_json_string(r));
	json_object_put(r);
}

/* 3a: an RFC-style FM peer drives our target through the buffer. */
static void test_rfc_peer_drives_target(void **state)
{
	uint8_t *buf;
	int q;

	(void)state;
	assert_int_equal(start_target(&tgt, 1, 0, true), 0);
	buf = rfc_map(bufname, 0);
	assert_non_null(buf);
	q = qmp_open(tgt.qmp_port);
	assert_return(post_identify(q, buf));
	assert_int_equal(*(volatile int32_t *)(buf + RFC_STATUS), 0);
	assert_int_equal(le64_get(buf + RFC_LEN_OUT), 18);
	assert_int_equal(le32_get(buf + RFC_RET), 0);
	assert_int_equal(buf[RFC_BG], 0);
	assert_int_equal(le64_get(buf + RFC_PAYLOAD_OUT + 8), 99);
	close(q);
	rfc_unmap(buf);
}

/* Answer Identify with serial 0x4242; call peer_bad_call returns a corrupt length. */
static void peer_identify(uint8_t *buf)
{
	peer_calls++;
	memset(buf + RFC_PAYLOAD_OUT, 0, 18);
	le64_put(buf + RFC_PAYLOAD_OUT + 8, 0x4242);
	buf[RFC_PAYLOAD_OUT + 17] = 3;
	le64_put(buf + RFC_LEN_OUT, peer_calls == peer_bad_call ? 4096 : 18);
	buf[RFC_BG] = 0;
	le32_put(buf + RFC_RET, 0);
}

/* 3b + 5: our FM host forwards to an RFC-style target; a corrupt answer is refused. */
static void test_fm_forwards_to_rfc_peer(void **state)
{
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	uint8_t out[64];
	size_t n;
	int port, pid;

	(void)state;
	peer_bad_call = 2;
	pid = rfc_target_start(bufname, peer_identify, &port);
	assert_true(pid > 0);
	assert_int_equal(start_fm(&fm, port, 1, false, NULL), 0);
	ctx = fm_bus(0, 3000);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, out, sizeof(out), &n), 0);
	assert_int_equal(le64_get(out + 8), 0x4242);
	/* len_out 4096 from the peer: a failure code, no overread */
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, out, sizeof(out), &n),
			 RC_INTERNAL_ERROR);
	/* and the path keeps working */
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, out, sizeof(out), &n), 0);
	cxlfm_close(ctx);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* 4: the target dies mid-request and comes back. */
static void test_target_restart(void **state)
{
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	uint8_t out[64];
	size_t n;
	int port, rc = -1;

	(void)state;
	assert_int_equal(start_target(&tgt, 1, 0, true), 0);
	port = tgt.qmp_port;
	assert_int_equal(start_fm(&fm, port, 1, false, ",fwd-timeout=800"), 0);
	ctx = fm_bus(0, 3000);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, out, sizeof(out), &n), 0);

	kill(tgt.pid, SIGSTOP);                 /* hangs mid-request */
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, out, sizeof(out), &n),
			 RC_RETRY_REQUIRED);
	kill(tgt.pid, SIGKILL);
	waitpid(tgt.pid, NULL, 0);
	tgt.pid = 0;
	close(tgt.out_fd);
	e2e_rmdir(tgt.run_dir);
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, out, sizeof(out), &n),
			 RC_RETRY_REQUIRED);     /* down: a failure, in time */

	assert_int_equal(start_target(&tgt, 1, port, true), 0);
	for (int i = 0; i < 20 && rc != 0; i++) { /* the FM host reconnects with backoff */
		rc = cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, out, sizeof(out), &n);
		if (rc)
			usleep(100000);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(le64_get(out + 8), 99);
	cxlfm_close(ctx);
}

/* 5: a corrupt request in the buffer is refused and the target keeps serving. */
static void test_corrupt_buffer(void **state)
{
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	uint8_t *buf, out[64];
	size_t n;
	int q;

	(void)state;
	assert_int_equal(start_target(&tgt, 1, 0, true), 0);
	assert_int_equal(start_fm(&fm, tgt.qmp_port, 1, false, NULL), 0);
	buf = rfc_map(bufname, 0);
	assert_non_null(buf);
	q = qmp_open(tgt.qmp_port);
	le64_put(buf + RFC_LEN_IN, 600);        /* over 512 */
	*(volatile int32_t *)(buf + RFC_STATUS) = 1;
	assert_error(trigger(q), "len_in exceeds 512");
	*(volatile int32_t *)(buf + RFC_STATUS) = 7; /* nonsense status */
	assert_error(trigger(q), "corrupt status word");
	*(volatile int32_t *)(buf + RFC_STATUS) = 0;
	rfc_unmap(buf);
	close(q);
	/* both keep serving */
	ctx = fm_bus(0, 3000);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, out, sizeof(out), &n), 0);
	assert_int_equal(le64_get(out + 8), 99);
	cxlfm_close(ctx);
}

/* ---- issue #13: a buffer another process resizes, unlinks or claims ---- */

/* The buffer object's size, -1 when no object has the name. */
static long buf_size(void)
{
	return rfc_size(bufname);
}

static void buf_resize(off_t len)
{
	int fd = shm_open(bufname, O_RDWR, 0);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, len), 0);
	close(fd);
}

/* Until the buffer has size want (the owner acts on its own): the last size seen. */
static long wait_buf_size(long want)
{
	long size = -1;

	for (int i = 0; i < 400 && (size = buf_size()) != want; i++)
		usleep(5000);
	return size;
}

static uint16_t identify(struct cxlfm_ep *ep, uint64_t *serial)
{
	uint8_t out[64];
	size_t n;
	int rc = cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, out, sizeof(out), &n);

	if (rc < 0)
		fail_msg("no answer from the FM host: %s", strerror(-rc));
	if (!rc && serial)
		*serial = le64_get(out + 8);
	return (uint16_t)rc;
}

/* The FM host's side of the buffer shrinks under it: Retry Required, not SIGBUS. */
static void test_fm_truncated_buffer(void **state)
{
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	uint64_t serial = 0;
	int port;

	(void)state;
	peer_pid = rfc_target_start(bufname, peer_identify, &port);
	assert_true(peer_pid > 0);
	assert_int_equal(start_fm(&fm, port, 1, false, NULL), 0);
	ctx = fm_bus(0, 3000);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	assert_int_equal(identify(ep, NULL), 0);
	buf_resize(0);
	assert_int_equal(identify(ep, NULL), RC_RETRY_REQUIRED);
	assert_int_equal(identify(ep, NULL), RC_RETRY_REQUIRED);
	/* short of its size, even with slot 0's page still there: refused alike */
	buf_resize(10);
	assert_int_equal(identify(ep, NULL), RC_RETRY_REQUIRED);
	/* its size back: the same mapping works again */
	buf_resize(RFC_SIZE);
	assert_int_equal(identify(ep, &serial), 0);
	assert_int_equal(serial, 0x4242);
	cxlfm_close(ctx);
	assert_int_equal(emu_stop(&fm), 0);
}

/* The target's side: the trigger answers an error naming the truncation. */
static void test_target_truncated_buffer(void **state)
{
	uint8_t *buf;
	int q;

	(void)state;
	buf = rfc_map(bufname, 1); /* an RFC FM host owns the buffer */
	assert_non_null(buf);
	assert_int_equal(start_target(&tgt, 1, 0, false), 0);
	q = qmp_open(tgt.qmp_port);
	assert_true(q >= 0);
	assert_return(post_identify(q, buf));
	buf_resize(0);
	assert_error(trigger(q), "truncated");
	assert_error(trigger(q), "truncated");
	buf_resize(RFC_SIZE);
	assert_return(post_identify(q, buf));
	assert_int_equal(le64_get(buf + RFC_PAYLOAD_OUT + 8), 99);
	close(q);
	rfc_unmap(buf);
	assert_int_equal(emu_stop(&tgt), 0);
}

/*
 * The target that created the buffer (mctp-buf-init=on) restores it: its
 * size after a truncation, a new object after an unlink, which an FM host
 * started afterwards finds (before, it got Retry Required forever).
 */
static void test_owner_restores_buffer(void **state)
{
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	uint64_t serial = 0;

	(void)state;
	assert_int_equal(start_target(&tgt, 8, 0, true), 0);
	assert_int_equal(start_fm(&fm, tgt.qmp_port, 8, false, NULL), 0);
	ctx = fm_bus(0, 3000);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	assert_int_equal(identify(ep, NULL), 0);
	buf_resize(10);
	assert_int_equal(wait_buf_size(8 * RFC_SIZE), 8 * RFC_SIZE);
	assert_int_equal(identify(ep, &serial), 0);
	assert_int_equal(serial, 99);
	assert_int_equal(shm_unlink(bufname), 0);
	assert_int_equal(wait_buf_size(8 * RFC_SIZE), 8 * RFC_SIZE);
	assert_int_equal(identify(ep, NULL), 0); /* the FM host maps the new one */
	cxlfm_close(ctx);
	assert_int_equal(emu_stop(&fm), 0);
	e2e_rmdir(fm.run_dir);
	assert_int_equal(start_fm(&fm, tgt.qmp_port, 8, false, NULL), 0);
	ctx = fm_bus(0, 3000);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	assert_int_equal(identify(ep, &serial), 0);
	assert_int_equal(serial, 99);
	cxlfm_close(ctx);
}

/* A slot marked posted by someone else is the FM host's to reuse. */
static void test_stray_posted_slot(void **state)
{
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	uint8_t *buf;

	(void)state;
	assert_int_equal(start_target(&tgt, 1, 0, true), 0);
	assert_int_equal(start_fm(&fm, tgt.qmp_port, 1, false, ",fwd-timeout=1000"), 0);
	ctx = fm_bus(0, 5000);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	assert_int_equal(identify(ep, NULL), 0);
	buf = rfc_map(bufname, 0);
	assert_non_null(buf);
	*(volatile int32_t *)(buf + RFC_STATUS) = 1;
	rfc_unmap(buf);
	assert_int_equal(identify(ep, NULL), 0);
	assert_int_equal(identify(ep, NULL), 0);
	cxlfm_close(ctx);
}

struct one_req {
	int rc;
	bool done;
};

static void one_done(struct cxlfm_ep *ep, int rc, const uint8_t *rsp, size_t len, void *arg)
{
	struct one_req *o = arg;

	(void)ep, (void)rsp, (void)len;
	o->rc = rc;
	o->done = true;
}

/*
 * Both hosts, then an Identify through the FM host that the stopped target
 * has not looked at yet: the buffer (mapped) holds it, status 1.
 */
static uint8_t *post_to_stopped_target(struct cxlfm_ctx **ctx, struct cxlfm_ep **ep,
				       struct one_req *o)
{
	uint8_t *buf;

	assert_int_equal(start_target(&tgt, 1, 0, true), 0);
	assert_int_equal(start_fm(&fm, tgt.qmp_port, 1, false, NULL), 0);
	*ctx = fm_bus(0, 8000);
	assert_int_equal(cxlfm_ep_by_addr(*ctx, 0x06, ep), 0);
	assert_int_equal(identify(*ep, NULL), 0);
	buf = rfc_map(bufname, 0);
	assert_non_null(buf);
	kill(tgt.pid, SIGSTOP);
	assert_int_equal(cxlfm_submit(*ep, NULL, 0x0001, NULL, 0, one_done, o), 0);
	for (int i = 0; i < 500 && __atomic_load_n((int32_t *)(void *)(buf + RFC_STATUS),
						    __ATOMIC_ACQUIRE) != 1; i++)
		cxlfm_process(*ctx, 10);
	assert_int_equal(*(volatile int32_t *)(buf + RFC_STATUS), 1); /* posted */
	return buf;
}

/* The FM host's answer to it, which must be Retry Required; then a good one. */
static void retry_required_then_answered(struct cxlfm_ctx *ctx, struct cxlfm_ep *ep,
					 const struct one_req *o)
{
	for (int i = 0; i < 500 && !o->done; i++)
		cxlfm_process(ctx, 10);
	assert_true(o->done);
	assert_int_equal(o->rc, RC_RETRY_REQUIRED);
	assert_int_equal(identify(ep, NULL), 0);
	cxlfm_close(ctx);
}

/*
 * A truncation and restore of the buffer while a request is out zeroes the
 * request's slot (found by the fault suite's shm-truncate): the target finds
 * nothing posted and answers an error. By then the buffer has its size again,
 * and the FM host answered Internal Error, which an FM does not retry. The
 * path was disturbed, not the request: Retry Required.
 */
static void test_buffer_wiped_in_flight(void **state)
{
	struct one_req o = { 0 };
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;

	(void)state;
	rfc_unmap(post_to_stopped_target(&ctx, &ep, &o));
	buf_resize(0);        /* another process truncates it... */
	buf_resize(RFC_SIZE); /* ...and it is back, zeroed, before the target looks */
	kill(tgt.pid, SIGCONT);
	retry_required_then_answered(ctx, ep, &o);
}

/*
 * The same after the target answered: a truncation to 10 bytes and back
 * keeps status 0 and the opcode but zeroes len_out and the payload, so the
 * slot read as a whole answer, Success with no Identify data.
 */
static void test_response_wiped_before_read(void **state)
{
	struct one_req o = { 0 };
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	uint8_t *buf;
	int32_t status = 1;

	(void)state;
	buf = post_to_stopped_target(&ctx, &ep, &o);
	kill(fm.pid, SIGSTOP);  /* the answer waits for the FM host... */
	kill(tgt.pid, SIGCONT);
	for (int i = 0; i < 500 && (status = __atomic_load_n(
		(int32_t *)(void *)(buf + RFC_STATUS), __ATOMIC_ACQUIRE)) != 0; i++)
		usleep(10000);
	assert_int_equal(status, 0); /* ...which the target has written */
	assert_int_equal(le64_get(buf + RFC_LEN_OUT), 18);
	rfc_unmap(buf);
	buf_resize(10);
	buf_resize(RFC_SIZE);
	kill(fm.pid, SIGCONT);
	retry_required_then_answered(ctx, ep, &o);
}

/* A second target claiming the same buffer name is refused; the live pair goes on. */
static void test_second_owner_refused(void **state)
{
	struct e2e_argv a = { .n = 0 };
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	char dir[256], out[4096];
	int rc;

	(void)state;
	assert_int_equal(start_target(&tgt, 1, 0, true), 0);
	assert_int_equal(start_fm(&fm, tgt.qmp_port, 1, false, NULL), 0);
	ctx = fm_bus(0, 3000);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	assert_int_equal(identify(ep, NULL), 0);
	target_argv(&a, 1, 0, true);
	e2e_mkdtemp(dir, sizeof(dir));
	rc = emu_run_refused(dir, a.v, out, sizeof(out));
	e2e_rmdir(dir);
	if (rc != 1)
		fail_msg("second target: exit %d, output: %s", rc, out);
	assert_non_null(strstr(out, bufname));
	assert_non_null(strstr(out, "in use"));
	assert_int_equal(buf_size(), RFC_SIZE);
	assert_int_equal(identify(ep, NULL), 0);
	cxlfm_close(ctx);
}

/* Inline mode: no shared memory on either side, as across two machines. */
static void test_inline(void **state)
{
	struct e2e_argv a = { .n = 0 };
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	uint8_t out[64];
	size_t n;
	int q;

	(void)state;
	e2e_rfc_topology(&a, ""); /* the target creates no buffer */
	e2e_argv_add(&a, "-qmp");
	e2e_argv_add(&a, "@PORT");
	assert_int_equal(emu_start(&tgt, a.v), 0);
	assert_int_equal(start_fm(&fm, tgt.qmp_port, 1, false, ",mctp-fwd=inline"), 0);
	assert_int_equal(shm_open(bufname, O_RDONLY, 0), -1);
	ctx = fm_bus(0, 3000);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, out, sizeof(out), &n), 0);
	assert_int_equal(le64_get(out + 8), 99);
	/* state on the target, seen through the inline path */
	q = qmp_open(tgt.qmp_port);
	struct json_object *args = json_object_new_object(), *ex = json_object_new_array();
	json_object_object_add(args, "path", json_object_new_string("cxl-dcd0"));
	json_object_object_add(args, "host-id", json_object_new_int(0));
	json_object_object_add(args, "selection-policy", json_object_new_string("prescriptive"));
	json_object_object_add(args, "region", json_object_new_int(1));
	json_object_array_add(ex, extent(0, 2 * MiB));
	json_object_object_add(args, "extents", ex);
	qmp_ok(q, "cxl-add-dynamic-capacity", args);
	close(q);
	assert_int_equal(wait_fm_extents(ep, 1), 1);
	/* a payload over the RFC's 512 bytes still travels inline: the CCI judges it */
	uint8_t big[600] = { 0 };
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x0001, big, sizeof(big), out, sizeof(out), &n),
			 0x16 /* Invalid Payload Length, from the target's CCI */);
	cxlfm_close(ctx);
}

struct cel_want {
	uint8_t entry[2];
	int done;
};

static void cel_done(struct cxlfm_ep *ep, int rc, const uint8_t *rsp, size_t len, void *arg)
{
	struct cel_want *w = arg;

	(void)ep;
	assert_int_equal(rc, 0);
	assert_int_equal(len, 2);
	assert_memory_equal(rsp, w->entry, 2);
	w->done = 1;
}

/* 6: 16 requests in flight over 16 slots, switch forwarding, a second pair. */
static void test_slots_switch_and_two_pairs(void **state)
{
	struct cxlfm_ctx *c1, *c2;
	struct cxlfm_ep *e1, *e2, *sw;
	struct cel_want want[16];
	struct cxlfm_tunnel port0 = { .port = 0, .ld = -1 };
	uint8_t in[24] = { 0 }, out[1024];
	uint8_t cel_uuid[16] = { 0x0d, 0xa9, 0xc0, 0xb5, 0xbf, 0x41, 0x4b, 0x78,
				 0x8f, 0x79, 0x96, 0xb1, 0x62, 0x3b, 0x3f, 0x17 };
	size_t n;

	(void)state;
	assert_int_equal(start_target(&tgt, 16, 0, true), 0);
	assert_int_equal(start_fm(&fm, tgt.qmp_port, 16, true, NULL), 0);
	c1 = fm_bus(0x10, 5000);
	c2 = fm_bus(0x11, 5000);
	assert_int_equal(cxlfm_ep_by_addr(c1, 0x06, &e1), 0);
	assert_int_equal(cxlfm_ep_by_addr(c2, 0x06, &e2), 0);

	/* the CEL's first 32 bytes, then 16 two-byte reads of it at once
	 * (8 tags per controller, two controllers) */
	memcpy(in, cel_uuid, 16);
	le32_put(in + 20, 32);
	assert_int_equal(cxlfm_cmd(e1, NULL, 0x0401, in, 24, out, sizeof(out), &n), 0);
	assert_int_equal(n, 32);
	for (int i = 0; i < 16; i++) {
		memcpy(want[i].entry, out + 2 * i, 2);
		want[i].done = 0;
		le32_put(in + 16, (uint32_t)(2 * i));
		le32_put(in + 20, 2);
		assert_int_equal(cxlfm_submit(i < 8 ? e1 : e2, NULL, 0x0401, in, 24, cel_done,
					      &want[i]), 0);
	}
	for (int spins = 0; spins < 1000; spins++) {
		int all = 1;

		for (int i = 0; i < 16; i++)
			all &= want[i].done;
		if (all)
			break;
		cxlfm_process(c1, 5);
		cxlfm_process(c2, 5);
	}
	for (int i = 0; i < 16; i++)
		assert_int_equal(want[i].done, 1);

	/* switch-targeted forwarding: port state and a tunnel, from the target's switch */
	assert_int_equal(cxlfm_ep_by_addr(c1, 0x04, &sw), 0);
	in[0] = 1;
	in[1] = 0;
	assert_int_equal(cxlfm_cmd(sw, NULL, 0x5101, in, 2, out, sizeof(out), &n), 0);
	assert_int_equal(n, 4 + 16);
	assert_int_equal(out[5], 3); /* DSP */
	assert_int_equal(cxlfm_cmd(sw, &port0, 0x0001, NULL, 0, out, sizeof(out), &n), 0);
	assert_int_equal(le64_get(out + 8), 99);
	cxlfm_close(c1);
	cxlfm_close(c2);

	/* a second host pair beside the first, on its own buffer */
	struct emu_proc tgt2 = { 0 }, fm2 = { 0 };
	struct emu_proc keep_t = tgt, keep_f = fm;
	char first[64];

	snprintf(first, sizeof(first), "%s", bufname);
	new_bufname();
	assert_int_equal(start_target(&tgt2, 1, 0, true), 0);
	tgt = tgt2;
	assert_int_equal(start_fm(&fm2, tgt2.qmp_port, 1, false, NULL), 0);
	fm = fm2;
	c1 = fm_bus(0, 3000);
	assert_int_equal(cxlfm_ep_by_addr(c1, 0x06, &e1), 0);
	assert_int_equal(cxlfm_cmd(e1, NULL, 0x0001, NULL, 0, out, sizeof(out), &n), 0);
	assert_int_equal(le64_get(out + 8), 99);
	cxlfm_close(c1);
	emu_stop(&fm2);
	emu_stop(&tgt2);
	e2e_rmdir(fm2.run_dir);
	e2e_rmdir(tgt2.run_dir);
	shm_unlink(bufname);
	snprintf(bufname, sizeof(bufname), "%s", first);
	tgt = keep_t;
	fm = keep_f;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rfc_pair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rfc_peer_drives_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fm_forwards_to_rfc_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slots_switch_and_two_pairs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fm_truncated_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_truncated_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_restores_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stray_posted_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_owner_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_wiped_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_response_wiped_before_read, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
