/* SPDX-License-Identifier: MIT */
/*
 * The emulated I2C bus (src/emu/i2c_bus.c) on a loop with an injected
 * clock: routing to an endpoint, to another controller and NACKs, then the
 * wire-time model, where each transfer arrives when its last bit would be
 * clocked out (9 bit times per byte plus START and STOP, a NACK after the
 * address byte) and transfers take the wire one after another.
 */
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "emu/i2c_bus.h"
#include "emu/loop.h"
#include "emu/mctp_ep.h"
#include "proto/mctp.h"
#include "proto/mctp_ctrl.h"
#include "proto/mctp_i2c.h"
#include "util/log.h"

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

/* What the endpoint's CXL handler was given. */
static struct {
	unsigned n;
	uint8_t peer_addr[8];
	size_t len[8];
	uint8_t first[8], last[8];
} got;

static void ep_cxl(struct mctp_ep *e, const struct mctp_ep_token *tok, const uint8_t *msg,
		   size_t len, void *arg)
{
	(void)e;
	(void)arg;
	if (got.n < 8 && len) {
		got.peer_addr[got.n] = tok->peer_addr;
		got.len[got.n] = len;
		got.first[got.n] = msg[0];
		got.last[got.n] = msg[len - 1];
	}
	got.n++;
}

static const struct mctp_ep_ops ep_ops = { .tx = ep_tx, .handle_cxl = ep_cxl };

static int setup(void **state)
{
	struct mctp_ep_cfg cfg = { .name = "test@0x06", .addr = EP_ADDR, .ops = &ep_ops };

	(void)state;
	now_ns = 1000000000ull;
	memset(&got, 0, sizeof(got));
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

/*
 * One packet of a CXL CCI request (message type 0x08) from a controller at
 * addr using EID eid (libcxlfm's default is 8): som carries the type byte
 * and 63 bytes of fill, the end packet n bytes of fill.
 */
static void send_part(int fd, uint8_t addr, uint8_t eid, uint8_t tag, bool som, bool eom,
		      uint8_t seq, size_t n, uint8_t fill)
{
	struct mctp_hdr h = { .ver = MCTP_HDR_VERSION, .dest = MCTP_EID_NULL, .src = eid,
			      .som = som, .eom = eom, .to = true, .seq = seq, .tag = tag };
	uint8_t pkt[MCTP_HDR_LEN + 64], f[128];
	int len;

	assert_true(n <= 64);
	mctp_hdr_encode(&h, pkt, sizeof(pkt));
	memset(pkt + MCTP_HDR_LEN, fill, n);
	if (som)
		pkt[MCTP_HDR_LEN] = MCTP_MSG_CXL_CCI;
	len = mctp_i2c_encode(EP_ADDR, addr, pkt, MCTP_HDR_LEN + n, f, sizeof(f));
	assert_true(len > 0);
	assert_int_equal(send(fd, f, (size_t)len, 0), len);
	settle();
}

/*
 * Issue #13: two controllers with the same EID and tag had their packets
 * spliced into one message (reassembly keyed on EID and tag only).
 */
static void test_reasm_per_controller(void **state)
{
	int a = connect_bus(), b = connect_bus();

	(void)state;
	send_part(a, CTL_A, 8, 0, true, false, 0, 64, 0xa);
	send_part(b, CTL_B, 8, 0, true, false, 0, 64, 0xb);
	send_part(a, CTL_A, 8, 0, false, true, 1, 10, 0xa);
	send_part(b, CTL_B, 8, 0, false, true, 1, 20, 0xb);
	assert_int_equal(got.n, 2);
	assert_int_equal(got.peer_addr[0], CTL_A);
	assert_int_equal(got.len[0], 63 + 10);
	assert_int_equal(got.first[0], 0xa);
	assert_int_equal(got.last[0], 0xa);
	assert_int_equal(got.peer_addr[1], CTL_B);
	assert_int_equal(got.len[1], 63 + 20);
	assert_int_equal(got.first[1], 0xb);
	assert_int_equal(got.last[1], 0xb);
	close(a);
	close(b);
}

/*
 * Issue #13: 8 start-of-message packets one controller never finished took
 * every reassembly context, and every other controller's 2-packet request
 * was dropped until they timed out. (Different EIDs here: with the same,
 * the old code let B's request replace one of A's, the splicing above.)
 */
static void test_reasm_not_starved(void **state)
{
	int a = connect_bus(), b = connect_bus();

	(void)state;
	for (uint8_t tag = 0; tag < 8; tag++)
		send_part(a, CTL_A, 0x20, tag, true, false, 0, 64, 0xa);
	send_part(b, CTL_B, 8, 0, true, false, 0, 64, 0xb);
	send_part(b, CTL_B, 8, 0, false, true, 1, 2, 0xb);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.peer_addr[0], CTL_B);
	assert_int_equal(got.len[0], 63 + 2);
	assert_int_equal(mctp_ep_drops(ep, EP_DROP_PACKET), 0);
	close(a);
	close(b);
}

/*
 * Issue #13: a regular file where the socket goes was unlinked and
 * replaced; only a socket nobody listens on (a crashed run's) may be.
 */
static void test_bind_replaces_only_stale_sockets(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char other[100], buf[8];
	struct i2c_bus *b2;
	struct stat st;
	FILE *fp;
	int fd;

	(void)state;
	snprintf(other, sizeof(other), "%s/other.sock", dir);
	fp = fopen(other, "w");
	assert_non_null(fp);
	fputs("data", fp);
	fclose(fp);
	assert_int_equal(i2c_bus_new(l, "other", other, &b2), -EEXIST);
	fp = fopen(other, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "data");
	assert_int_equal(unlink(other), 0);

	/* a live bus: refused */
	assert_int_equal(i2c_bus_new(l, "again", path, &b2), -EADDRINUSE);
	/* a stale socket file: replaced */
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", other);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(lstat(other, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(i2c_bus_new(l, "other", other, &b2), 0);
	i2c_bus_free(b2);
	assert_int_equal(lstat(other, &st), -1);
}

/*
 * Issue #13: the socket's mode followed the umask; with umask 000 in a
 * shared run directory another user could connect and act as an FM.
 */
static void test_socket_private(void **state)
{
	mode_t old = umask(0);
	struct i2c_bus *b2;
	char other[100];
	struct stat st;
	int rc;

	(void)state;
	snprintf(other, sizeof(other), "%s/open.sock", dir);
	rc = i2c_bus_new(l, "open", other, &b2);
	assert_int_equal(umask(old), 0); /* the caller's umask is back */
	assert_int_equal(rc, 0);
	assert_int_equal(stat(other, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	i2c_bus_free(b2);
}

/*
 * Issue #13: recv() returns 0 for an empty datagram as at the end, and the
 * bus took it for the end: the controller was disconnected.
 */
static void test_empty_datagram(void **state)
{
	uint8_t buf[256];
	int a = connect_bus();

	(void)state;
	get_eid(a, CTL_A);
	settle();
	assert_true(rd(a, buf) > 0);
	assert_int_equal(send(a, buf, 0, 0), 0);
	settle();
	assert_int_equal(i2c_bus_clients(bus), 1);
	assert_int_equal(i2c_bus_drops(bus, I2C_BUS_DROP_NO_FRAME), 1);
	/* still served */
	get_eid(a, CTL_A);
	settle();
	assert_true(rd(a, buf) > 0);
	/* and its real end is still seen */
	close(a);
	settle();
	assert_int_equal(i2c_bus_clients(bus), 0);
	assert_string_equal(i2c_bus_drop_name(I2C_BUS_DROP_NO_FRAME), "no-frame");
	assert_string_equal(i2c_bus_drop_name(I2C_BUS_DROP_MAX), "unknown");
}

static unsigned log_lines, log_not_read;

static void count_log(enum log_level lvl, const char *msg, void *arg)
{
	(void)lvl;
	(void)arg;
	log_lines++;
	log_not_read += strstr(msg, "(not-read: ") != NULL;
}

/*
 * Issue #13: every frame lost to a controller that does not read logged a
 * warning (35,803 lines in a 1M-frame flood). Counted, logged at powers
 * of two.
 */
static void test_drop_logs_rate_limited(void **state)
{
	enum { N = 3000 };
	unsigned long long lost;
	unsigned sent = 0, bound = 0;
	int a = connect_bus();

	(void)state;
	log_set_sink(count_log, NULL);
	log_set_level(LOG_LVL_WARN);
	for (int i = 0; i < 100000 && sent < N; i++) {
		uint8_t msg[8], f[128];
		int n = mctp_ctrl_get_eid_req_encode(1, msg, sizeof(msg));
		size_t len = frame(EP_ADDR, CTL_A, msg, (size_t)n, f);

		if (send(a, f, len, MSG_DONTWAIT) == (ssize_t)len)
			sent++;
		else
			settle();
	}
	settle();
	log_set_level(LOG_LVL_NONE);
	log_set_sink(NULL, NULL);
	assert_int_equal(sent, N);
	lost = i2c_bus_drops(bus, I2C_BUS_DROP_NOT_READ);
	assert_true(lost > N / 2); /* the socket holds a few hundred answers */
	for (unsigned long long k = lost; k; k >>= 1)
		bound++;
	assert_int_equal(log_not_read, bound); /* 1, 2, 4, ... up to lost */
	assert_int_equal(log_lines, log_not_read);
	close(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_routing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wire_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wire_serialised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reasm_per_controller, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reasm_not_starved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_replaces_only_stale_sockets, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_socket_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_datagram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_logs_rate_limited, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
