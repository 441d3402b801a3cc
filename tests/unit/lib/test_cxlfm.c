/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm against the emulator's MCTP endpoint over a real SOCK_SEQPACKET
 * socket pair. A small fake bus (a thread: test scaffolding only) plays
 * cxl-emu's bus: endpoints at 0x06 and 0x04, NACK for every other address.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cxlfm/cxlfm.h"
#include "dev/cci.h"
#include "dev/tunnel.h"
#include "emu/mctp_ep.h"
#include "proto/le.h"
#include "proto/mctp.h"
#include "proto/mctp_i2c.h"

#define OP_SILENT 0xc001  /* the endpoint never answers */
#define OP_WRONG_TAG 0xc002 /* answered with another CCI tag */
#define OP_ECHO 0xc003

static uint64_t clk(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint16_t h_echo(struct cci *cci, const struct cci_cmd *cmd, struct cci_call *c)
{
	(void)cci;
	(void)cmd;
	memcpy(c->out, c->in, c->in_len);
	c->out_len = c->in_len;
	return CXL_RC_SUCCESS;
}

static struct cci ld_cci; /* tunnel target */

static uint16_t h_tunnel(struct cci *cci, const struct cci_cmd *cmd, struct cci_call *c)
{
	struct cci_tunnel_req rq;
	uint16_t rc = cci_tunnel_parse(c, &rq);

	(void)cci;
	(void)cmd;
	if (rc)
		return rc;
	if (rq.id != 2)
		return CXL_RC_INVALID_INPUT;
	return cci_tunnel_run(&ld_cci, &rq, c);
}

static const struct cxl_cmd_info echo_info = {
	.opcode = OP_ECHO, .name = "echo", .ccis = CXLFM_CCI_ANY, .in_var = true, .out_var = true,
};
static const struct cci_cmd cmds[] = {
	CCI_CMD(IDENTIFY, cci_cmd_identify),
	CCI_CMD(TUNNEL_MGMT, h_tunnel),
	{ &echo_info, h_echo },
};
static const struct cci_cmd_set set = CCI_SET("test", CXLFM_CCI_SW, cmds);
static const struct cci_ident ident = { .vendor_id = 0x8086, .device_id = 0x0d93,
					.serial = 99, .component_type = 3 };
static struct cci_timestamp ts;
static const struct cci_clock clock_ops = { .now_ns = clk };
static struct cci dev_cci;

struct fake_bus {
	int fd;
	struct mctp_ep *eps[2];
	pthread_t thread;
};
static struct fake_bus bus;

static int ep_tx(struct mctp_ep *ep, const uint8_t *frame, size_t len, void *arg)
{
	(void)ep;
	(void)arg;
	return send(bus.fd, frame, len, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static void ep_cxl(struct mctp_ep *ep, const struct mctp_ep_token *tok,
		   const uint8_t *msg, size_t len, void *arg)
{
	uint8_t rsp[12 + 1024];
	int n;

	(void)arg;
	if (len >= 12 && le16_get(msg + 3) == OP_SILENT)
		return;
	n = cci_msg_run(&dev_cci, msg, len, rsp, sizeof(rsp));
	if (n < 0)
		return;
	if (le16_get(msg + 3) == OP_WRONG_TAG) {
		rsp[1] ^= 0x55;
		rsp[8] = 0; /* pretend success */
	}
	mctp_ep_reply(ep, tok, rsp, (size_t)n);
}

static const struct mctp_ep_ops ep_ops = { .tx = ep_tx, .handle_cxl = ep_cxl };

static void *bus_main(void *arg)
{
	uint8_t buf[512];
	ssize_t n;

	(void)arg;
	while ((n = recv(bus.fd, buf, sizeof(buf), 0)) > 0) {
		uint8_t dest = buf[0] >> 1;
		struct mctp_ep *ep = NULL;

		for (int i = 0; i < 2; i++)
			if (mctp_ep_addr(bus.eps[i]) == dest)
				ep = bus.eps[i];
		if (ep) {
			mctp_ep_rx(ep, buf, (size_t)n, clk(NULL));
		} else {
			uint8_t nack[2] = { 0x01, dest };
			send(bus.fd, nack, 2, MSG_NOSIGNAL);
		}
	}
	return NULL;
}

static int sock_for_lib;

static int setup(void **state)
{
	int sv[2];
	struct mctp_ep_cfg cfg = { .name = "t@0x06", .addr = 0x06, .ops = &ep_ops };

	(void)state;
	assert_int_equal(cci_init(&dev_cci, "dev", NULL, &ident, &ts, &clock_ops, 512, 1024), 0);
	assert_int_equal(cci_add_set(&dev_cci, &set), 0);
	assert_int_equal(cci_init(&ld_cci, "ld", NULL, &ident, &ts, &clock_ops, 512, 1024), 0);
	assert_int_equal(cci_add_set(&ld_cci, &set), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	bus.fd = sv[0];
	sock_for_lib = sv[1];
	assert_int_equal(mctp_ep_new(&cfg, &bus.eps[0]), 0);
	cfg.addr = 0x04;
	cfg.name = "t@0x04";
	assert_int_equal(mctp_ep_new(&cfg, &bus.eps[1]), 0);
	assert_int_equal(pthread_create(&bus.thread, NULL, bus_main, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	shutdown(bus.fd, SHUT_RDWR);
	pthread_join(bus.thread, NULL);
	close(bus.fd);
	mctp_ep_free(bus.eps[0]);
	mctp_ep_free(bus.eps[1]);
	return 0;
}

static struct cxlfm_ctx *open_ctx(unsigned timeout_ms)
{
	struct cxlfm_opts o = { .size = sizeof(o), .timeout_ms = timeout_ms };
	struct cxlfm_ctx *ctx = NULL;
	int fd = dup(sock_for_lib);

	assert_true(fd >= 0);
	assert_int_equal(cxlfm_open_fd(fd, &o, &ctx), 0);
	return ctx;
}

static void test_discover_and_identify(void **state)
{
	struct cxlfm_ctx *ctx = open_ctx(500);
	struct cxlfm_ep *ep;
	uint8_t out[64];
	size_t len = 0;

	(void)state;
	assert_int_equal(cxlfm_discover(ctx), 2);
	ep = cxlfm_ep_at(ctx, 0);
	assert_non_null(ep);
	assert_int_equal(cxlfm_ep_addr(ep), 0x04);
	assert_int_equal(cxlfm_ep_eid(ep), CXLFM_FIRST_EID);
	assert_true(cxlfm_ep_has_type(ep, 0x07));
	assert_true(cxlfm_ep_has_type(ep, 0x08));
	assert_false(cxlfm_ep_has_type(ep, 0x00));
	assert_int_equal(mctp_ep_eid(bus.eps[1]), CXLFM_FIRST_EID);
	assert_int_equal(mctp_ep_eid(bus.eps[0]), CXLFM_FIRST_EID + 1);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	assert_ptr_equal(cxlfm_ep_by_eid(ctx, CXLFM_FIRST_EID + 1), ep);

	assert_int_equal(cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, out, sizeof(out), &len), 0);
	assert_int_equal(len, 18);
	assert_int_equal(le16_get(out), 0x8086);
	assert_int_equal(le64_get(out + 8), 99);
	assert_int_equal(out[16], 9);
	/* a second discovery keeps the EIDs */
	assert_int_equal(cxlfm_discover(ctx), 2);
	assert_int_equal(cxlfm_ep_eid(ep), CXLFM_FIRST_EID + 1);
	cxlfm_close(ctx);
}

static void test_errors(void **state)
{
	struct cxlfm_ctx *ctx = open_ctx(200);
	struct cxlfm_stats st;
	struct cxlfm_ep *ep;
	uint8_t out[16];
	size_t len;

	(void)state;
	/* nobody at 0x30: the bus NACKs at once */
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x30, &ep), -EHOSTUNREACH);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x00, &ep), -EINVAL);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	/* CXL return codes come back positive, named */
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x4800, NULL, 0, out, sizeof(out), &len),
			 CXL_RC_UNSUPPORTED);
	assert_string_equal(cxlfm_rc_str(CXL_RC_UNSUPPORTED), "Unsupported");
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x0001, "x", 1, out, sizeof(out), &len),
			 CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* an 18-byte answer does not fit 16 bytes */
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, out, sizeof(out), &len),
			 -EMSGSIZE);
	/* silence: a timeout */
	assert_int_equal(cxlfm_cmd(ep, NULL, OP_SILENT, NULL, 0, NULL, 0, NULL), -ETIMEDOUT);
	/* a response with the wrong CCI tag is dropped and counted, the
	 * request then times out */
	assert_int_equal(cxlfm_cmd(ep, NULL, OP_WRONG_TAG, NULL, 0, NULL, 0, NULL),
			 -ETIMEDOUT);
	cxlfm_get_stats(ctx, &st);
	assert_int_equal(st.timeouts, 2);
	assert_int_equal(st.dropped_mismatch, 1);
	assert_true(st.nacks >= 1);
	/* the engine still works */
	assert_int_equal(cxlfm_cmd(ep, NULL, OP_ECHO, "abc", 3, out, sizeof(out), &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(out, "abc", 3);
	cxlfm_close(ctx);
}

static void test_tunnel(void **state)
{
	struct cxlfm_ctx *ctx = open_ctx(500);
	struct cxlfm_tunnel port2 = { .port = 2, .ld = -1 };
	struct cxlfm_tunnel port3 = { .port = 3, .ld = -1 };
	struct cxlfm_tunnel two = { .port = 2, .ld = 2 };
	struct cxlfm_ep *ep;
	uint8_t out[64];
	size_t len;

	(void)state;
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	assert_int_equal(cxlfm_cmd(ep, &port2, OP_ECHO, "tun", 3, out, sizeof(out), &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(out, "tun", 3);
	/* the outer command fails: its code comes back */
	assert_int_equal(cxlfm_cmd(ep, &port3, OP_ECHO, "x", 1, out, sizeof(out), &len),
			 CXL_RC_INVALID_INPUT);
	/* an inner failure comes back as the inner code */
	assert_int_equal(cxlfm_cmd(ep, &port2, 0x4800, NULL, 0, out, sizeof(out), &len),
			 CXL_RC_UNSUPPORTED);
	/* two levels: port, then LD (the LD CCI tunnels again to itself) */
	assert_int_equal(cxlfm_cmd(ep, &two, 0x0001, NULL, 0, out, sizeof(out), &len), 0);
	assert_int_equal(len, 18);
	cxlfm_close(ctx);
}

static int completions;
static void count_done(struct cxlfm_ep *ep, int rc, const uint8_t *rsp, size_t len,
		       void *arg)
{
	(void)ep;
	assert_int_equal(rc, 0);
	assert_int_equal(len, 1);
	assert_int_equal(rsp[0], (uint8_t)(uintptr_t)arg);
	completions++;
}

/* More requests than MCTP tags: the rest wait for a free tag. */
static void test_many_in_flight(void **state)
{
	struct cxlfm_ctx *ctx = open_ctx(1000);
	struct cxlfm_ep *ep;

	(void)state;
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	completions = 0;
	for (uintptr_t i = 0; i < 20; i++) {
		uint8_t b = (uint8_t)i;

		assert_int_equal(cxlfm_submit(ep, NULL, OP_ECHO, &b, 1, count_done, (void *)i), 0);
	}
	while (completions < 20)
		assert_true(cxlfm_process(ctx, 1000) >= 0);
	assert_int_equal(cxlfm_pending(ctx), 0);
	cxlfm_close(ctx);
}

/* ---- raw messages (src/lib/raw.c) ---- */

struct raw_got {
	int calls, rc;
	struct cxlfm_msg_in m;
	uint8_t msg[64];
};

static void raw_cb(struct cxlfm_ctx *ctx, int rc, const struct cxlfm_msg_in *m, void *arg)
{
	struct raw_got *g = arg;

	(void)ctx;
	g->calls++;
	g->rc = rc;
	g->m = *m;
	if (rc == 0 && m->len <= sizeof(g->msg))
		memcpy(g->msg, m->msg, m->len);
}

/* A raw CCI message: the caller's bytes go out as they are, the answer is
 * matched by MCTP tag only (a CCI tag libcxlfm would reject passes). */
static void test_raw_msg(void **state)
{
	struct cxlfm_ctx *ctx = open_ctx(300);
	static uint8_t big[2048]; /* one more than a message may carry */
	uint8_t req[12] = { 0 }, rsp[64];
	struct raw_got g = { 0 };
	struct cxlfm_ep *ep, *absent;
	size_t len = 0;

	(void)state;
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	req[1] = 0x5a;
	req[3] = 0x01; /* Identify */
	assert_int_equal(cxlfm_msg(ep, 0x08, req, sizeof(req), rsp, sizeof(rsp), &len), 0);
	assert_int_equal(len, 12 + 18);
	assert_int_equal(rsp[0], 1);
	assert_int_equal(rsp[1], 0x5a);
	assert_int_equal(le64_get(rsp + 12 + 8), 99);
	/* the response with another CCI tag: raw callers get it */
	req[1] = 0x11;
	req[3] = (uint8_t)OP_WRONG_TAG;
	req[4] = OP_WRONG_TAG >> 8;
	assert_int_equal(cxlfm_msg(ep, 0x08, req, sizeof(req), rsp, sizeof(rsp), &len), 0);
	assert_int_equal(rsp[1], 0x11 ^ 0x55);
	/* a response that does not fit */
	req[1] = 0x12;
	req[3] = 0x01;
	req[4] = 0;
	assert_int_equal(cxlfm_msg(ep, 0x08, req, sizeof(req), rsp, 8, &len), -EMSGSIZE);
	/* silence: the request times out */
	req[3] = (uint8_t)OP_SILENT;
	req[4] = OP_SILENT >> 8;
	assert_int_equal(cxlfm_msg(ep, 0x08, req, sizeof(req), rsp, sizeof(rsp), &len),
			 -ETIMEDOUT);
	/* asynchronous, with the callback's view of the answer */
	req[3] = 0x01;
	req[4] = 0;
	assert_int_equal(cxlfm_msg_submit(ep, 0x08, req, sizeof(req), raw_cb, &g), 0);
	while (!g.calls)
		assert_true(cxlfm_process(ctx, 1000) >= 0);
	assert_int_equal(g.rc, 0);
	assert_int_equal(g.m.src_addr, 0x06);
	assert_int_equal(g.m.src_eid, cxlfm_ep_eid(ep));
	assert_int_equal(g.m.msg_type, 0x08);
	assert_false(g.m.to);
	assert_int_equal(g.m.len, 30);
	assert_int_equal(g.msg[3], 0x01);
	/* errors before anything is sent */
	assert_int_equal(cxlfm_msg_submit(NULL, 0x08, req, 12, raw_cb, &g), -EHOSTUNREACH);
	assert_int_equal(cxlfm_msg_submit(ep, 0x08, NULL, 12, raw_cb, &g), -EINVAL);
	assert_int_equal(cxlfm_msg_submit(ep, 0x08, big, sizeof(big), raw_cb, &g), -EMSGSIZE);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x30, &absent), -EHOSTUNREACH);
	cxlfm_close(ctx);
}

/* Static EIDs: the endpoint takes the EID given; one at an empty address stays. */
static void test_pin_eid(void **state)
{
	struct cxlfm_ctx *ctx = open_ctx(300);
	struct cxlfm_ep *ep, *ghost;
	uint8_t out[32];
	size_t len;

	(void)state;
	assert_int_equal(cxlfm_ep_pin_eid(ctx, 0x06, 0x20, &ep), 0);
	assert_int_equal(cxlfm_ep_eid(ep), 0x20);
	assert_int_equal(mctp_ep_eid(bus.eps[0]), 0x20);
	assert_ptr_equal(cxlfm_ep_by_eid(ctx, 0x20), ep);
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x0001, NULL, 0, out, sizeof(out), &len), 0);
	/* re-pinned under another EID */
	assert_int_equal(cxlfm_ep_pin_eid(ctx, 0x06, 0x21, &ep), 0);
	assert_int_equal(mctp_ep_eid(bus.eps[0]), 0x21);
	assert_null(cxlfm_ep_by_eid(ctx, 0x20));
	/* nobody at 0x30: NACKed, but the route is kept */
	assert_int_equal(cxlfm_ep_pin_eid(ctx, 0x30, 0x22, &ghost), -EHOSTUNREACH);
	assert_ptr_equal(cxlfm_ep_by_eid(ctx, 0x22), ghost);
	assert_int_equal(cxlfm_ep_addr(ghost), 0x30);
	/* refused */
	assert_int_equal(cxlfm_ep_pin_eid(ctx, 0x04, 0x21, &ep), -EADDRINUSE);
	assert_int_equal(cxlfm_ep_pin_eid(ctx, 0x04, CXLFM_DEFAULT_EID, &ep), -EINVAL);
	assert_int_equal(cxlfm_ep_pin_eid(ctx, 0x04, 0xff, &ep), -EINVAL);
	assert_int_equal(cxlfm_ep_pin_eid(ctx, 0x04, 0x03, &ep), -EINVAL);
	assert_int_equal(cxlfm_ep_pin_eid(ctx, 0x80, 0x23, &ep), -EINVAL);
	assert_int_equal(cxlfm_ep_pin_eid(ctx, CXLFM_DEFAULT_ADDR, 0x23, &ep), -EINVAL);
	cxlfm_close(ctx);
}

/* Another bus controller's request reaches the handler; the answer goes
 * out with TO clear and the request's tag. No bus here: the test is it. */
static void test_raw_requests(void **state)
{
	struct cxlfm_opts o = { .size = sizeof(o), .timeout_ms = 200 };
	struct mctp_hdr h = { .ver = MCTP_HDR_VERSION, .dest = CXLFM_DEFAULT_EID, .src = 0x30,
			      .som = true, .eom = true, .to = true, .tag = 5 };
	uint8_t pkt[MCTP_HDR_LEN + 4] = { 0 }, frame[64];
	struct raw_got g = { 0 };
	struct mctp_i2c_frame f;
	struct cxlfm_ctx *ctx;
	struct mctp_hdr got;
	int sv[2], n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(cxlfm_open_fd(sv[1], &o, &ctx), 0);
	/* without a handler a request is dropped and counted */
	mctp_hdr_encode(&h, pkt, sizeof(pkt));
	memcpy(pkt + MCTP_HDR_LEN, "\x7e" "abc", 4);
	n = mctp_i2c_encode(CXLFM_DEFAULT_ADDR, 0x22, pkt, sizeof(pkt), frame, sizeof(frame));
	assert_true(n > 0);
	assert_int_equal(send(sv[0], frame, (size_t)n, 0), n);
	assert_true(cxlfm_process(ctx, 100) >= 0);
	assert_int_equal(g.calls, 0);
	cxlfm_set_request_handler(ctx, raw_cb, &g);
	assert_int_equal(send(sv[0], frame, (size_t)n, 0), n);
	while (!g.calls)
		assert_true(cxlfm_process(ctx, 1000) >= 0);
	assert_int_equal(g.rc, 0);
	assert_true(g.m.to);
	assert_int_equal(g.m.tag, 5);
	assert_int_equal(g.m.src_addr, 0x22);
	assert_int_equal(g.m.src_eid, 0x30);
	assert_int_equal(g.m.dest_eid, CXLFM_DEFAULT_EID);
	assert_int_equal(g.m.msg_type, 0x7e);
	assert_int_equal(g.m.len, 3);
	assert_memory_equal(g.msg, "abc", 3);

	/* the answer on the wire */
	assert_int_equal(cxlfm_msg_send(ctx, 0x22, 0x30, 5, 0x7e, "ok", 2), 0);
	n = (int)recv(sv[0], frame, sizeof(frame), 0);
	assert_int_equal(mctp_i2c_decode(frame, (size_t)n, &f), 0);
	assert_int_equal(f.dest, 0x22);
	assert_int_equal(f.src, CXLFM_DEFAULT_ADDR);
	assert_int_equal(mctp_hdr_decode(f.pkt, f.pkt_len, &got), 0);
	assert_false(got.to);
	assert_true(got.som && got.eom);
	assert_int_equal(got.tag, 5);
	assert_int_equal(got.dest, 0x30);
	assert_int_equal(got.src, CXLFM_DEFAULT_EID);
	assert_int_equal(f.pkt_len, MCTP_HDR_LEN + 3);
	assert_memory_equal(f.pkt + MCTP_HDR_LEN, "\x7e" "ok", 3);
	/* refused */
	assert_int_equal(cxlfm_msg_send(ctx, 0, 0x30, 5, 0x7e, "ok", 2), -EINVAL);
	assert_int_equal(cxlfm_msg_send(ctx, CXLFM_DEFAULT_ADDR, 0x30, 5, 0x7e, "ok", 2), -EINVAL);
	assert_int_equal(cxlfm_msg_send(ctx, 0x22, 0x30, 8, 0x7e, "ok", 2), -EINVAL);
	assert_int_equal(cxlfm_msg_send(ctx, 0x22, 0x30, 5, 0x7e, NULL, 2), -EINVAL);
	cxlfm_close(ctx);
	close(sv[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discover_and_identify),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_tunnel),
		cmocka_unit_test(test_many_in_flight),
		cmocka_unit_test(test_raw_msg),
		cmocka_unit_test(test_pin_eid),
		cmocka_unit_test(test_raw_requests),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
