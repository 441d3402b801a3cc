/* SPDX-License-Identifier: MIT */
/* The memdev socket's messages (src/proto/memdev_wire.h): byte-exact, and every refusal. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/memdev_wire.h"

static const uint8_t cel[8] = { 0x00, 0x40, 0x00, 0x00, 0x00, 0x44, 0x64, 0x01 };

static void test_hello(void **state)
{
	const uint8_t want[] = {
		0x01, 0x01, 0x01, 0x00, 0x00, 0x08, 0x00, 0x00,
		0x34, 0x12, 0, 0, 0, 0, 0, 0,
		0x08, 0, 0, 0,
		0x00, 0x40, 0x00, 0x00, 0x00, 0x44, 0x64, 0x01,
	};
	struct memdev_hello h = { .flags = MEMDEV_HELLO_PMEM, .payload_size = 2048,
				  .serial = 0x1234, .cel = cel, .cel_len = 8 }, d;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(memdev_wire_hello_encode(&h, buf, sizeof(buf)), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(memdev_wire_hello_decode(buf, sizeof(want), &d), 0);
	assert_int_equal(d.flags, MEMDEV_HELLO_PMEM);
	assert_int_equal(d.payload_size, 2048);
	assert_int_equal(d.serial, 0x1234);
	assert_int_equal(d.cel_len, 8);
	assert_ptr_equal(d.cel, buf + 20);
	/* no CEL at all is a valid (if useless) greeting */
	h.cel_len = 0;
	h.cel = NULL;
	assert_int_equal(memdev_wire_hello_encode(&h, buf, sizeof(buf)), 20);
	assert_int_equal(memdev_wire_hello_decode(buf, 20, &d), 0);
}

static void test_hello_refused(void **state)
{
	struct memdev_hello h = { .payload_size = 256, .cel = cel, .cel_len = 8 }, d;
	uint8_t buf[64], bad[64];

	(void)state;
	assert_int_equal(memdev_wire_hello_encode(&h, buf, 27), -EMSGSIZE);
	h.payload_size = 255;
	assert_int_equal(memdev_wire_hello_encode(&h, buf, sizeof(buf)), -EINVAL);
	h.payload_size = 768; /* not a power of two */
	assert_int_equal(memdev_wire_hello_encode(&h, buf, sizeof(buf)), -EINVAL);
	h.payload_size = 2u << 20;
	assert_int_equal(memdev_wire_hello_encode(&h, buf, sizeof(buf)), -EINVAL);
	h.payload_size = 256;
	h.cel_len = 6;
	assert_int_equal(memdev_wire_hello_encode(&h, buf, sizeof(buf)), -EINVAL);
	h.cel_len = 8;
	h.flags = 0x8000;
	assert_int_equal(memdev_wire_hello_encode(&h, buf, sizeof(buf)), -EINVAL);
	h.flags = 0;
	assert_int_equal(memdev_wire_hello_encode(&h, buf, sizeof(buf)), 28);
	/* each field of the 28 bytes broken in turn */
	assert_int_equal(memdev_wire_hello_decode(buf, 19, &d), -EBADMSG);
	assert_int_equal(memdev_wire_hello_decode(buf, 27, &d), -EBADMSG);
	assert_int_equal(memdev_wire_hello_decode(buf, 32, &d), -EBADMSG);
	assert_int_equal(memdev_wire_hello_decode(NULL, 28, &d), -EBADMSG);
	memcpy(bad, buf, 28);
	bad[0] = MEMDEV_WIRE_RESPONSE;
	assert_int_equal(memdev_wire_hello_decode(bad, 28, &d), -EBADMSG);
	memcpy(bad, buf, 28);
	bad[1] = 2;
	assert_int_equal(memdev_wire_hello_decode(bad, 28, &d), -EPROTONOSUPPORT);
	memcpy(bad, buf, 28);
	bad[3] = 0x01; /* reserved flag */
	assert_int_equal(memdev_wire_hello_decode(bad, 28, &d), -EBADMSG);
	memcpy(bad, buf, 28);
	bad[5] = 0x03; /* payload size 0x300 */
	assert_int_equal(memdev_wire_hello_decode(bad, 28, &d), -EBADMSG);
	memcpy(bad, buf, 28);
	bad[16] = 7; /* CEL length not a multiple of 4 */
	assert_int_equal(memdev_wire_hello_decode(bad, 27, &d), -EBADMSG);
	memcpy(bad, buf, 28);
	bad[19] = 0x80; /* CEL length huge */
	assert_int_equal(memdev_wire_hello_decode(bad, 28, &d), -EBADMSG);
}

static void test_request(void **state)
{
	const uint8_t want[] = {
		0x02, 0x01, 0x02, 0x41, 0x78, 0x56, 0x34, 0x12, 0x08, 0, 0, 0,
		1, 2, 3, 4, 5, 6, 7, 8,
	};
	const uint8_t pl[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct memdev_req r = { .opcode = 0x4102, .tag = 0x12345678, .payload = pl, .len = 8 }, d;
	uint8_t buf[32], bad[32];

	(void)state;
	assert_int_equal(memdev_wire_req_encode(&r, buf, sizeof(buf)), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(memdev_wire_req_decode(buf, sizeof(want), 256, &d), 0);
	assert_int_equal(d.opcode, 0x4102);
	assert_int_equal(d.tag, 0x12345678);
	assert_int_equal(d.len, 8);
	assert_memory_equal(d.payload, pl, 8);
	/* refusals */
	assert_int_equal(memdev_wire_req_encode(&r, buf, 19), -EMSGSIZE);
	r.payload = NULL;
	assert_int_equal(memdev_wire_req_encode(&r, buf, sizeof(buf)), -EINVAL);
	r.len = MEMDEV_WIRE_PAYLOAD_MAX + 1;
	r.payload = pl;
	assert_int_equal(memdev_wire_req_encode(&r, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(memdev_wire_req_decode(buf, 11, 256, &d), -EBADMSG);
	assert_int_equal(memdev_wire_req_decode(buf, 19, 256, &d), -EBADMSG);
	assert_int_equal(memdev_wire_req_decode(buf, 20, 7, &d), -EBADMSG); /* over the mailbox */
	memcpy(bad, buf, 20);
	bad[0] = MEMDEV_WIRE_HELLO;
	assert_int_equal(memdev_wire_req_decode(bad, 20, 256, &d), -EBADMSG);
	bad[0] = MEMDEV_WIRE_REQUEST;
	bad[1] = 0;
	assert_int_equal(memdev_wire_req_decode(bad, 20, 256, &d), -EPROTONOSUPPORT);
	memcpy(bad, buf, 20);
	bad[11] = 0xff; /* a length no datagram has */
	assert_int_equal(memdev_wire_req_decode(bad, 20, 0xffffffff, &d), -EBADMSG);
}

static void test_response(void **state)
{
	const uint8_t want[] = {
		0x03, 0x01, 0x16, 0x00, 0x01, 0, 0, 0, 0x02, 0, 0, 0,
		0x00, 0x44, 0x32, 0x00, 0x07, 0x00, 0xcd, 0xab,
		0xaa, 0xbb,
	};
	const uint8_t pl[2] = { 0xaa, 0xbb };
	struct memdev_rsp r = { .rc = 0x16, .tag = 1, .bg = memdev_bg_make(0x4400, 50, 7, 0xabcd),
				.payload = pl, .len = 2 }, d;
	uint8_t buf[32], bad[32];

	(void)state;
	assert_int_equal(memdev_wire_rsp_encode(&r, buf, sizeof(buf)), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(memdev_wire_rsp_decode(buf, sizeof(want), 256, &d), 0);
	assert_int_equal(d.rc, 0x16);
	assert_int_equal(d.tag, 1);
	assert_int_equal(memdev_bg_opcode(d.bg), 0x4400);
	assert_int_equal(memdev_bg_pct(d.bg), 50);
	assert_int_equal(memdev_bg_rc(d.bg), 7);
	assert_int_equal(memdev_bg_vendor(d.bg), 0xabcd);
	assert_memory_equal(d.payload, pl, 2);
	/* refusals */
	r.bg = memdev_bg_make(0, 101, 0, 0);
	assert_int_equal(memdev_wire_rsp_encode(&r, buf, sizeof(buf)), -EINVAL);
	r.bg = 1ull << 24; /* reserved */
	assert_int_equal(memdev_wire_rsp_encode(&r, buf, sizeof(buf)), -EINVAL);
	r.bg = 0;
	assert_int_equal(memdev_wire_rsp_encode(&r, buf, 21), -EMSGSIZE);
	assert_int_equal(memdev_wire_rsp_encode(&r, buf, sizeof(buf)), 22);
	assert_int_equal(memdev_wire_rsp_decode(buf, 19, 256, &d), -EBADMSG);
	assert_int_equal(memdev_wire_rsp_decode(buf, 23, 256, &d), -EBADMSG);
	assert_int_equal(memdev_wire_rsp_decode(buf, 22, 1, &d), -EBADMSG);
	memcpy(bad, buf, 22);
	bad[14] = 101; /* percent */
	assert_int_equal(memdev_wire_rsp_decode(bad, 22, 256, &d), -EBADMSG);
	memcpy(bad, buf, 22);
	bad[15] = 0x01; /* reserved bits 31:24 */
	assert_int_equal(memdev_wire_rsp_decode(bad, 22, 256, &d), -EBADMSG);
	memcpy(bad, buf, 22);
	bad[0] = MEMDEV_WIRE_REQUEST;
	assert_int_equal(memdev_wire_rsp_decode(bad, 22, 256, &d), -EBADMSG);
	bad[0] = MEMDEV_WIRE_RESPONSE;
	bad[1] = 9;
	assert_int_equal(memdev_wire_rsp_decode(bad, 22, 256, &d), -EPROTONOSUPPORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_hello_refused),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_response),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
