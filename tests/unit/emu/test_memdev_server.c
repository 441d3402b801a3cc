/* SPDX-License-Identifier: MIT */
/*
 * A type-3 device's host mailbox on its memdev socket (src/emu/memdev_server.c)
 * on a loop with an injected clock: the HELLO, commands answered with their
 * tag and the Background Command Status Register, and the trust boundary:
 * malformed messages, a client that does not read, too many clients, the
 * socket path's owner, each closing only the culprit.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

#include "dev/cci.h"
#include "dev/t3.h"
#include "emu/loop.h"
#include "emu/memdev_server.h"
#include "proto/le.h"
#include "proto/memdev_wire.h"
#include "util/log.h"

static uint64_t now_ns;
static struct loop *l;
static struct t3_dev *dev;
static struct memdev_server *srv;
static struct cci_clock clk;
static char dir[64], path[96];
static unsigned afters;

static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return now_ns;
}

static void after(void *arg)
{
	(void)arg;
	afters++;
	cci_tick(t3_host_cci(dev));
}

static int setup(void **state)
{
	struct t3_config c = { .id = "t3", .serial = 0x77, .vmem_size = 256ull << 20 };
	struct memdev_server_cfg mc = { .name = "mem0", .dev_id = "t3", .path = path,
					.after = after };

	(void)state;
	now_ns = 1000000000ull;
	afters = 0;
	snprintf(dir, sizeof(dir), "/tmp/cxlfm-mds-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mem0", dir);
	assert_int_equal(loop_new(&l), 0);
	loop_set_clock(l, fake_clock, NULL);
	clk = (struct cci_clock){ .now_ns = fake_clock };
	assert_int_equal(t3_create(&c, &clk, &dev), 0);
	mc.cci = t3_host_cci(dev);
	mc.serial = 0x77;
	assert_int_equal(memdev_server_new(l, &mc, &srv), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	memdev_server_free(srv);
	t3_destroy(dev);
	loop_free(l);
	unlink(path);
	rmdir(dir);
	return 0;
}

static void settle(void)
{
	while (loop_run_once(l, 0) > 0)
		;
}

static int connect_srv(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	settle();
	return fd;
}

/* The connection's HELLO, checked. */
static void hello(int fd)
{
	uint8_t buf[MEMDEV_WIRE_HELLO_LEN + MEMDEV_WIRE_CEL_MAX];
	struct memdev_hello h;
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	bool identify = false;

	assert_true(n > 0);
	assert_int_equal(memdev_wire_hello_decode(buf, (size_t)n, &h), 0);
	assert_int_equal(h.payload_size, T3_HOST_PAYLOAD_MAX);
	assert_int_equal(h.serial, 0x77);
	assert_int_equal(h.flags, 0);
	assert_int_equal(h.cel_len, cci_cel_size(t3_host_cci(dev)));
	for (uint32_t i = 0; i < h.cel_len; i += 4)
		identify = identify || le16_get(h.cel + i) == 0x4000;
	assert_true(identify);
}

static void request(int fd, uint16_t op, uint32_t tag, const void *pl, uint32_t len)
{
	struct memdev_req r = { .opcode = op, .tag = tag, .payload = pl, .len = len };
	uint8_t buf[MEMDEV_WIRE_REQ_LEN + 64];
	int n = memdev_wire_req_encode(&r, buf, sizeof(buf));

	assert_true(n > 0);
	assert_int_equal(send(fd, buf, (size_t)n, 0), n);
	settle();
}

static void response(int fd, struct memdev_rsp *r, uint8_t *buf, size_t max)
{
	ssize_t n = recv(fd, buf, max, 0);

	assert_true(n > 0);
	assert_int_equal(memdev_wire_rsp_decode(buf, (size_t)n, T3_HOST_PAYLOAD_MAX, r), 0);
}

/* Is the server's end of fd closed (EOF, nothing queued)? */
static bool closed(int fd)
{
	uint8_t b[64];

	settle();
	return recv(fd, b, sizeof(b), MSG_DONTWAIT) == 0;
}

static void test_commands(void **state)
{
	uint8_t buf[4096];
	struct memdev_rsp r;
	int fd = connect_srv();

	(void)state;
	hello(fd);
	request(fd, 0x4000, 41, NULL, 0);
	response(fd, &r, buf, sizeof(buf));
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.tag, 41);
	assert_int_equal(r.len, 0x45);
	assert_int_equal(le64_get(r.payload + 0x10), 1); /* 256 MiB */
	assert_int_equal(r.bg, 0);
	assert_int_equal(afters, 1);
	/* a device error is an answer too */
	request(fd, 0xbeef, 42, NULL, 0);
	response(fd, &r, buf, sizeof(buf));
	assert_int_equal(r.rc, CXL_RC_UNSUPPORTED);
	assert_int_equal(r.len, 0);
	/* a background operation: running in the register, done later */
	request(fd, 0x4400, 43, NULL, 0);
	response(fd, &r, buf, sizeof(buf));
	assert_int_equal(r.rc, CXL_RC_BG_STARTED);
	assert_int_equal(memdev_bg_opcode(r.bg), 0x4400);
	assert_int_equal(memdev_bg_pct(r.bg), 0);
	now_ns += 5000000000ull;
	request(fd, 0x0002, 44, NULL, 0);
	response(fd, &r, buf, sizeof(buf));
	assert_int_equal(memdev_bg_pct(r.bg), 100);
	assert_int_equal(memdev_bg_rc(r.bg), 0);
	assert_int_equal(r.payload[0], 100 << 1); /* 0002h agrees */
	close(fd);
	settle();
	assert_int_equal(memdev_server_clients(srv), 0);
}

/* Each malformed message closes its client only; the others go on. */
static void test_garbage(void **state)
{
	static const uint8_t bad_version[] = { 0x02, 0x09, 0x00, 0x40, 1, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t bad_len[] = { 0x02, 0x01, 0x00, 0x40, 1, 0, 0, 0, 4, 0, 0, 0 };
	static const uint8_t a_response[20] = { 0x03, 0x01 };
	static uint8_t too_long[MEMDEV_WIRE_REQ_LEN + T3_HOST_PAYLOAD_MAX + 1] = { 0x02, 0x01 };
	const struct { const void *m; size_t len; } bad[] = {
		{ "x", 1 }, { bad_version, sizeof(bad_version) }, { bad_len, sizeof(bad_len) },
		{ a_response, sizeof(a_response) }, { too_long, sizeof(too_long) }, { "", 0 },
	};
	struct memdev_server_stats st;
	uint8_t buf[4096];
	struct memdev_rsp r;
	int good = connect_srv();

	(void)state;
	hello(good);
	le32_put(too_long + 8, T3_HOST_PAYLOAD_MAX + 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = connect_srv();

		hello(fd);
		assert_true(send(fd, bad[i].m, bad[i].len, 0) >= 0);
		assert_true(closed(fd));
		close(fd);
	}
	memdev_server_get_stats(srv, &st);
	assert_int_equal(st.malformed, 6);
	assert_int_equal(st.commands, 0);
	request(good, 0x0001, 1, NULL, 0);
	response(good, &r, buf, sizeof(buf));
	assert_int_equal(r.rc, 0);
	assert_int_equal(le64_get(r.payload + 8), 0x77);
	close(good);
}

/* Requests without reading the answers: the client is closed, not waited for. */
static void test_stalled(void **state)
{
	struct memdev_server_stats st = { 0 };
	int fd = connect_srv();

	(void)state;
	hello(fd);
	for (int i = 0; i < 100000 && !st.stalled; i++) {
		struct memdev_req r = { .opcode = 0x4000, .tag = (uint32_t)i };
		uint8_t msg[MEMDEV_WIRE_REQ_LEN];

		memdev_wire_req_encode(&r, msg, sizeof(msg));
		if (send(fd, msg, sizeof(msg), MSG_DONTWAIT) < 0 && errno != EAGAIN)
			break; /* closed under us */
		settle();
		memdev_server_get_stats(srv, &st);
	}
	assert_int_equal(st.stalled, 1);
	assert_int_equal(memdev_server_clients(srv), 0);
	close(fd);
}

static void test_too_many(void **state)
{
	int fd[MEMDEV_SERVER_MAX_CLIENTS + 1];
	struct memdev_server_stats st;

	(void)state;
	for (int i = 0; i < MEMDEV_SERVER_MAX_CLIENTS; i++) {
		fd[i] = connect_srv();
		hello(fd[i]);
	}
	fd[MEMDEV_SERVER_MAX_CLIENTS] = connect_srv();
	assert_true(closed(fd[MEMDEV_SERVER_MAX_CLIENTS])); /* no HELLO: turned away */
	memdev_server_get_stats(srv, &st);
	assert_int_equal(st.refused, 1);
	assert_int_equal(memdev_server_clients(srv), MEMDEV_SERVER_MAX_CLIENTS);
	close(fd[0]);
	settle();
	fd[0] = connect_srv(); /* room again */
	hello(fd[0]);
	for (int i = 0; i <= MEMDEV_SERVER_MAX_CLIENTS; i++)
		close(fd[i]);
}

/* The path: mode 0600, a dead socket replaced, a live one or a file refused. */
static void test_path(void **state)
{
	struct memdev_server_cfg mc = { .name = "mem1", .dev_id = "t3", .cci = t3_host_cci(dev) };
	struct memdev_server *other;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char p2[96];
	struct stat st;
	int fd;

	(void)state;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	mc.path = path;
	assert_int_equal(memdev_server_new(l, &mc, &other), -EADDRINUSE);
	/* a socket left by a process that died */
	snprintf(p2, sizeof(p2), "%s/mem1", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p2);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	mc.path = p2;
	assert_int_equal(memdev_server_new(l, &mc, &other), 0);
	memdev_server_free(other);
	assert_int_equal(stat(p2, &st), -1); /* unlinked */
	/* a file */
	fd = open(p2, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(memdev_server_new(l, &mc, &other), -EEXIST);
	assert_int_equal(stat(p2, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(p2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stalled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path, setup, teardown),
	};

	log_set_level(LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
