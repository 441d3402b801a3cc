/* SPDX-License-Identifier: MIT */
/*
 * The emulated I2C bus (src/emu/i2c_bus.c) on a loop with an injected
 * clock: routing to an endpoint, to another controller and NACKs, then the
 * wire-time model, where each transfer arrives when its last bit would be
 * clocked out (9 bit times per byte plus START and STOP, a NACK after the
 * address byte) and transfers take the wire one after another.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "emu/i2c_bus.h"
#include "emu/loop.h"
#include "emu/mctp_ep.h"
#include "proto/mctp.h"
#include "proto/mctp_ctrl.h"
#include "proto/mctp_i2c.h"

#define EP_ADDR 0x06
#define CTL_A 0x10
#define CTL_B 0x11

static uint64_t now_ns;

static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return now_ns;
}

static struct loop *l;
static struct i2c_bus *bus;
static struct mctp_ep *ep;
static char dir[64], path[96];

static int ep_tx(struct mctp_ep *e, const uint8_t *frame, size_t len, void *arg)
{
	(void)e;
	(void)arg;
	return i2c_bus_tx(bus, EP_ADDR, frame, len);
}

static void ep_cxl(struct mctp_ep *e, const struct mctp_ep_token *tok, const uint8_t *msg,
		   size_t len, void *arg)
{
	(void)e;
	(void)tok;
	(void)msg;
	(void)len;
	(void)arg;
}

static const struct mctp_ep_ops ep_ops = { .tx = ep_tx, .handle_cxl = ep_cxl };

static int setup(void **state)
{
	struct mctp_ep_cfg cfg = { .name = "test@0x06", .addr = EP_ADDR, .ops = &ep_ops };

	(void)state;
	now_ns = 1000000000ull;
	snprintf(dir, sizeof(dir), "/tmp/cxlfm-i2c-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bus.sock", dir);
	assert_int_equal(loop_new(&l), 0);
	loop_set_clock(l, fake_clock, NULL);
	assert_int_equal(i2c_bus_new(l, "test.bus", path, &bus), 0);
	assert_int_equal(mctp_ep_new(&cfg, &ep), 0);
	assert_int_equal(i2c_bus_add_ep(bus, ep), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	i2c_bus_free(bus);
	mctp_ep_free(ep);
	loop_free(l);
	rmdir(dir);
	return 0;
}

/* Let the loop run until nothing is left to do at the current time. */
static void settle(void)
{
	while (loop_run_once(l, 0) > 0)
		;
}

static void advance(uint64_t ns)
{
	now_ns += ns;
	settle();
}

static int connect_bus(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	settle(); /* accepted */
	return fd;
}

/* A one-packet MCTP message from src to dest; the frame's length. */
static size_t frame(uint8_t dest, uint8_t src, const uint8_t *msg, size_t len, uint8_t *out)
{
	struct mctp_hdr h = { .ver = MCTP_HDR_VERSION, .som = true, .eom = true, .to = true };
	uint8_t pkt[MCTP_HDR_LEN + 64];
	int n;

	assert_true(len <= 64);
	mctp_hdr_encode(&h, pkt, sizeof(pkt));
	memcpy(pkt + MCTP_HDR_LEN, msg, len);
	n = mctp_i2c_encode(dest, src, pkt, MCTP_HDR_LEN + len, out, 128);
	assert_true(n > 0);
	return (size_t)n;
}

static ssize_t rd(int fd, uint8_t *buf)
{
	return recv(fd, buf, 256, MSG_DONTWAIT);
}

/* Get Endpoint ID from controller fd (at addr): the request frame's length. */
static size_t get_eid(int fd, uint8_t addr)
{
	uint8_t msg[8], f[128];
	int n = mctp_ctrl_get_eid_req_encode(1, msg, sizeof(msg));
	size_t len;

	assert_true(n > 0);
	len = frame(EP_ADDR, addr, msg, (size_t)n, f);
	assert_int_equal(send(fd, f, len, 0), (ssize_t)len);
	return len;
}

/* Wire time of a transfer of n bytes at hz, in ns, rounded up. */
static uint64_t wire(size_t bytes, uint64_t hz)
{
	return ((9 * bytes + 2) * 1000000000ull + hz - 1) / hz;
}

static void test_routing(void **state)
{
	uint8_t f[128], buf[256];
	int a = connect_bus(), b = connect_bus();
	size_t len;

	(void)state;
	/* the first frame claims the controller address: a NACK from 0x30 */
	len = frame(0x30, CTL_A, (const uint8_t *)"\x7e", 1, f);
	assert_int_equal(send(a, f, len, 0), (ssize_t)len);
	settle();
	assert_int_equal(rd(a, buf), 2);
	assert_int_equal(buf[0], I2C_BUS_NACK);
	assert_int_equal(buf[1], 0x30);
	/* B claims its address with a frame to itself, which comes back */
	len = frame(CTL_B, CTL_B, (const uint8_t *)"\x7e", 1, f);
	assert_int_equal(send(b, f, len, 0), (ssize_t)len);
	settle();
	assert_int_equal(rd(b, buf), (ssize_t)len);
	/* controller to controller, as it is */
	len = frame(CTL_B, CTL_A, (const uint8_t *)"\x7e" "hi", 3, f);
	assert_int_equal(send(a, f, len, 0), (ssize_t)len);
	settle();
	assert_int_equal(rd(b, buf), (ssize_t)len);
	assert_memory_equal(buf, f, len);
	/* to the endpoint and back: a Get Endpoint ID response */
	get_eid(a, CTL_A);
	settle();
	assert_true(rd(a, buf) > 0);
	assert_int_equal(buf[0] >> 1, CTL_A);
	assert_int_equal(buf[3] >> 1, EP_ADDR);
	/* no wire time: nothing waited for the clock */
	assert_int_equal(i2c_bus_speed(bus), 0);
	close(a);
	close(b);
}

/*
 * Address 0 is no controller's: a controller that has not sent anything yet
 * has no address, and a frame to 0 (I2C's general call, unused by DSP0237)
 * is NACKed, not handed to it. Found by fuzz_i2c_bus.
 */
static void test_address_zero(void **state)
{
	uint8_t f[128], buf[256];
	int a = connect_bus(), idle = connect_bus();
	size_t len;

	(void)state;
	len = frame(CTL_A, CTL_A, (const uint8_t *)"\x7e", 1, f);
	assert_int_equal(send(a, f, len, 0), (ssize_t)len);
	settle();
	assert_int_equal(rd(a, buf), (ssize_t)len);
	len = frame(0x00, CTL_A, (const uint8_t *)"\x7e" "secret", 7, f);
	assert_int_equal(send(a, f, len, 0), (ssize_t)len);
	settle();
	assert_int_equal(rd(a, buf), 2);
	assert_int_equal(buf[0], I2C_BUS_NACK);
	assert_int_equal(buf[1], 0x00);
	assert_int_equal(rd(idle, buf), -1);
	assert_int_equal(errno, EAGAIN);
	close(a);
	close(idle);
}

static void test_wire_time(void **state)
{
	uint8_t f[128], buf[256];
	int a = connect_bus();
	const uint64_t hz = 100000;
	size_t len, req;
	ssize_t rsp;

	(void)state;
	/* without the model: the answer's length, at once */
	get_eid(a, CTL_A);
	settle();
	rsp = rd(a, buf);
	assert_true(rsp > 0);
	assert_int_equal(i2c_bus_set_speed(bus, (uint32_t)hz), 0);
	assert_int_equal(i2c_bus_speed(bus), hz);

	/* A NACK: START, address byte, NACK bit, STOP = 11 bit times. */
	len = frame(0x30, CTL_A, (const uint8_t *)"\x7e", 1, f);
	assert_int_equal(send(a, f, len, 0), (ssize_t)len);
	settle();
	assert_int_equal(rd(a, buf), -1);
	advance(110000 - 1);
	assert_int_equal(rd(a, buf), -1);
	advance(1);
	assert_int_equal(rd(a, buf), 2);
	assert_int_equal(buf[0], I2C_BUS_NACK);

	/* A request and its response: both frames' wire time, one after the
	 * other (the endpoint answers as soon as the request is in). */
	req = get_eid(a, CTL_A);
	settle();
	advance(wire(req, hz) - 1);
	assert_int_equal(rd(a, buf), -1); /* the request is still on the wire */
	advance(1);                       /* in: the answer starts */
	assert_int_equal(rd(a, buf), -1);
	advance(wire((size_t)rsp, hz) - 1);
	assert_int_equal(rd(a, buf), -1);
	advance(1);
	assert_int_equal(rd(a, buf), rsp);

	/* A late timer: the answer still ends when the request's end plus
	 * its own wire time says, not later. */
	req = get_eid(a, CTL_A);
	settle();
	advance(wire(req, hz) + wire((size_t)rsp, hz));
	assert_int_equal(rd(a, buf), rsp);
	close(a);
}

/* Two controllers start at once: the second waits for the wire. */
static void test_wire_serialised(void **state)
{
	uint8_t f[128], buf[256];
	int a = connect_bus(), b = connect_bus();
	const uint64_t hz = 400000;
	size_t la, lb;

	(void)state;
	/* claim B's address before the model is on */
	lb = frame(CTL_B, CTL_B, (const uint8_t *)"\x7e", 1, f);
	assert_int_equal(send(b, f, lb, 0), (ssize_t)lb);
	settle();
	assert_int_equal(rd(b, buf), (ssize_t)lb);
	assert_int_equal(i2c_bus_set_speed(bus, (uint32_t)hz), 0);

	la = frame(CTL_B, CTL_A, (const uint8_t *)"\x7e" "0123456789", 11, f);
	assert_int_equal(send(a, f, la, 0), (ssize_t)la);
	lb = frame(CTL_B, CTL_B, (const uint8_t *)"\x7e" "xy", 3, f);
	assert_int_equal(send(b, f, lb, 0), (ssize_t)lb);
	settle();
	advance(wire(la, hz));
	assert_int_equal(rd(b, buf), (ssize_t)la); /* A's frame */
	assert_int_equal(rd(b, buf), -1);
	advance(wire(lb, hz) - 1);
	assert_int_equal(rd(b, buf), -1);
	advance(1);
	assert_int_equal(rd(b, buf), (ssize_t)lb); /* then B's */

	/* turning the model off delivers what is on the wire at once */
	la = frame(CTL_B, CTL_A, (const uint8_t *)"\x7e", 1, f);
	assert_int_equal(send(a, f, la, 0), (ssize_t)la);
	settle();
	assert_int_equal(rd(b, buf), -1);
	assert_int_equal(i2c_bus_set_speed(bus, 0), 0);
	assert_int_equal(rd(b, buf), (ssize_t)la);
	close(a);
	close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_routing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wire_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wire_serialised, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
