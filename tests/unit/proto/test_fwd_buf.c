/* SPDX-License-Identifier: MIT */
/* The RFC forwarding slot: byte offsets, the handshake, and every bad field. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/fwd_buf.h"

static _Alignas(8) uint8_t slot[FWD_SLOT_SIZE];
static struct fwd_msg m;

static int reset(void **state)
{
	(void)state;
	memset(slot, 0, sizeof(slot));
	memset(&m, 0xee, sizeof(m));
	return 0;
}

/*
 * The RFC's struct compiled for x86-64: the offsets below are written out
 * from the layout table (../shared/ref/rfc-forwarding.md), not from our
 * constants.
 */
static void test_post_layout(void **state)
{
	const uint8_t pl[3] = { 0xaa, 0xbb, 0xcc };

	(void)state;
	assert_int_equal(FWD_SLOT_SIZE, 1064);
	assert_int_equal(fwd_slot_post(slot, 0x5604, pl, 3), 0);
	assert_int_equal(slot[0], 1);
	assert_int_equal(slot[1] | slot[2] | slot[3], 0);
	assert_int_equal(slot[8], 0x56); /* command_set */
	assert_int_equal(slot[9], 0x04); /* command */
	assert_int_equal(slot[16], 3);   /* len_in, 8 bytes LE */
	for (int i = 17; i < 24; i++)
		assert_int_equal(slot[i], 0);
	assert_memory_equal(slot + 32, pl, 3);
}

static void test_complete_layout(void **state)
{
	const uint8_t pl[2] = { 0x11, 0x22 };

	(void)state;
	slot[0] = 1;
	assert_int_equal(fwd_slot_complete(slot, 0x1e, true, pl, 2), 0);
	assert_int_equal(slot[0], 0);
	assert_int_equal(slot[24], 2);   /* len_out */
	assert_memory_equal(slot + 544, pl, 2);
	assert_int_equal(slot[1056], 1); /* bg_started */
	assert_int_equal(slot[1060], 0x1e);
	assert_int_equal(slot[1061] | slot[1062] | slot[1063], 0);
}

static void test_round_trip(void **state)
{
	uint8_t pl[FWD_PAYLOAD_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(pl); i++)
		pl[i] = (uint8_t)(i * 7);
	assert_int_equal(fwd_slot_read_req(slot, &m), -EAGAIN);
	assert_int_equal(fwd_slot_post(slot, 0x0001, pl, sizeof(pl)), 0);
	assert_int_equal(fwd_slot_read_rsp(slot, &m), -EINPROGRESS);
	assert_int_equal(fwd_slot_read_req(slot, &m), 0);
	assert_int_equal(m.opcode, 0x0001);
	assert_int_equal(m.len, 512);
	assert_memory_equal(m.payload, pl, 512);
	assert_int_equal(fwd_slot_complete(slot, 0, false, pl + 100, 18), 0);
	assert_int_equal(fwd_slot_read_rsp(slot, &m), 0);
	assert_int_equal(m.opcode, 0x0001);
	assert_int_equal(m.rc, 0);
	assert_false(m.bg);
	assert_int_equal(m.len, 18);
	assert_memory_equal(m.payload, pl + 100, 18);
}

static void test_oversize_writes_refused(void **state)
{
	uint8_t big[FWD_PAYLOAD_MAX + 1] = { 0 };

	(void)state;
	assert_int_equal(fwd_slot_post(slot, 1, big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(slot[0], 0); /* nothing posted */
	assert_int_equal(fwd_slot_complete(slot, 0, false, big, sizeof(big)), -EMSGSIZE);
}

/* What a broken or hostile peer may leave in the buffer. */
static void test_corrupt_request(void **state)
{
	(void)state;
	assert_int_equal(fwd_slot_post(slot, 0x5600, NULL, 0), 0);
	slot[16] = 0x01; /* len_in = 513 */
	slot[17] = 0x02;
	assert_int_equal(fwd_slot_read_req(slot, &m), -EMSGSIZE);
	memset(slot + 16, 0xff, 8); /* len_in = 2^64 - 1 */
	assert_int_equal(fwd_slot_read_req(slot, &m), -EMSGSIZE);
	memset(slot + 16, 0, 8);
	slot[0] = 2; /* neither idle nor posted */
	assert_int_equal(fwd_slot_read_req(slot, &m), -EPROTO);
	slot[0] = 0;
	slot[3] = 0x80; /* negative int */
	assert_int_equal(fwd_slot_read_req(slot, &m), -EPROTO);
}

static void test_corrupt_response(void **state)
{
	(void)state;
	assert_int_equal(fwd_slot_complete(slot, 0, false, NULL, 0), 0);
	slot[25] = 0x02; /* len_out = 512 + ... */
	slot[24] = 0x01;
	assert_int_equal(fwd_slot_read_rsp(slot, &m), -EMSGSIZE);
	slot[24] = slot[25] = 0;
	slot[1060] = 0x21; /* first value past Table 8-34 */
	assert_int_equal(fwd_slot_read_rsp(slot, &m), -EBADMSG);
	slot[1060] = 0x00;
	slot[1063] = 0xff; /* ret_val = negative */
	assert_int_equal(fwd_slot_read_rsp(slot, &m), -EBADMSG);
	slot[1063] = 0;
	slot[0] = 7;
	assert_int_equal(fwd_slot_read_rsp(slot, &m), -EPROTO);
	slot[0] = 0;
	slot[1056] = 0x5a; /* any nonzero bool is true */
	assert_int_equal(fwd_slot_read_rsp(slot, &m), 0);
	assert_true(m.bg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_post_layout, reset),
		cmocka_unit_test_setup(test_complete_layout, reset),
		cmocka_unit_test_setup(test_round_trip, reset),
		cmocka_unit_test_setup(test_oversize_writes_refused, reset),
		cmocka_unit_test_setup(test_corrupt_request, reset),
		cmocka_unit_test_setup(test_corrupt_response, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
