/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/cci.h"

/*
 * Known answer: an Identify response (opcode 0001h), tag 0x5a, 18-byte payload,
 * return code Success, laid out by hand from CXL r3.1 Figure 7-19.
 */
static void test_encode_known_answer(void **state)
{
	const uint8_t want[12] = { 0x01, 0x5a, 0x00, 0x01, 0x00, 0x12, 0x00, 0x00,
				   0x00, 0x00, 0x00, 0x00 };
	struct cci_hdr h = { .category = CCI_CAT_RSP, .tag = 0x5a,
			     .opcode = 0x0001, .pl_len = 18 };
	uint8_t buf[12];

	(void)state;
	assert_int_equal(cci_hdr_encode(&h, buf, sizeof(buf)), 12);
	assert_memory_equal(buf, want, 12);
}

/* Opcode byte order: byte 3 is the command, byte 4 the command set. */
static void test_encode_opcode_bo_rc(void **state)
{
	struct cci_hdr h = { .category = CCI_CAT_RSP, .tag = 7, .opcode = 0x5201,
			     .pl_len = 0x1abcde, .bg = true,
			     .rc = CXL_RC_BG_STARTED, .vendor_status = 0xbeef };
	uint8_t buf[12];

	(void)state;
	assert_int_equal(cci_hdr_encode(&h, buf, sizeof(buf)), 12);
	assert_int_equal(buf[3], 0x01);
	assert_int_equal(buf[4], 0x52);
	assert_int_equal(buf[5], 0xde);
	assert_int_equal(buf[6], 0xbc);
	assert_int_equal(buf[7], 0x80 | 0x1a); /* BO bit 23 + length bits 20:16 */
	assert_int_equal(buf[8], 0x01);
	assert_int_equal(buf[9], 0x00);
	assert_int_equal(buf[10], 0xef);
	assert_int_equal(buf[11], 0xbe);
}

static void test_round_trip(void **state)
{
	uint8_t msg[12 + 5] = { 0 };
	struct cci_hdr in = { .category = CCI_CAT_REQ, .tag = 0xff, .opcode = 0x5604,
			      .pl_len = 5, .rc = 0, .vendor_status = 0xabcd };
	struct cci_hdr out;
	const uint8_t *pl = NULL;

	(void)state;
	assert_int_equal(cci_hdr_encode(&in, msg, sizeof(msg)), 12);
	assert_int_equal(cci_msg_decode(msg, sizeof(msg), &out, &pl), 0);
	assert_int_equal(out.category, CCI_CAT_REQ);
	assert_int_equal(out.tag, 0xff);
	assert_int_equal(out.opcode, 0x5604);
	assert_int_equal(out.pl_len, 5);
	assert_false(out.bg);
	assert_int_equal(out.vendor_status, 0xabcd);
	assert_ptr_equal(pl, msg + 12);
}

static void test_encode_errors(void **state)
{
	struct cci_hdr h = { .category = CCI_CAT_REQ, .pl_len = CCI_PL_LEN_MASK + 1 };
	uint8_t buf[12];

	(void)state;
	assert_int_equal(cci_hdr_encode(&h, buf, sizeof(buf)), -EMSGSIZE);
	h.pl_len = 0;
	assert_int_equal(cci_hdr_encode(&h, buf, 11), -EMSGSIZE);
	h.category = 2;
	assert_int_equal(cci_hdr_encode(&h, buf, sizeof(buf)), -EINVAL);
}

static void test_decode_short(void **state)
{
	uint8_t buf[11] = { 0 };
	struct cci_hdr h;

	(void)state;
	for (size_t n = 0; n < sizeof(buf); n++)
		assert_int_equal(cci_msg_decode(buf, n, &h, NULL), -EMSGSIZE);
}

static void test_decode_length_mismatch(void **state)
{
	uint8_t buf[16] = { 0x00, 0x01, 0x00, 0x01, 0x00, 0x05 };
	struct cci_hdr h;

	(void)state;
	/* header says 5, 4 bytes follow */
	assert_int_equal(cci_msg_decode(buf, 16, &h, NULL), -EMSGSIZE);
	buf[5] = 3; /* says 3, 4 follow */
	assert_int_equal(cci_msg_decode(buf, 16, &h, NULL), -EMSGSIZE);
	buf[5] = 4;
	assert_int_equal(cci_msg_decode(buf, 16, &h, NULL), 0);
}

static void test_decode_reserved_category(void **state)
{
	uint8_t buf[12] = { 0x02 };
	struct cci_hdr h;

	(void)state;
	assert_int_equal(cci_msg_decode(buf, 12, &h, NULL), -EBADMSG);
	buf[0] = 0xf1; /* reserved high bits are ignored */
	assert_int_equal(cci_msg_decode(buf, 12, &h, NULL), 0);
	assert_int_equal(h.category, CCI_CAT_RSP);
}

static void test_rc_names(void **state)
{
	(void)state;
	/* spot checks against CXL r3.1 Table 8-34 */
	assert_string_equal(cxl_rc_name(0x00), "Success");
	assert_string_equal(cxl_rc_name(0x03), "Unsupported");
	assert_string_equal(cxl_rc_name(0x16), "Invalid Payload Length");
	assert_string_equal(cxl_rc_name(0x1e), "Invalid Extent List");
	assert_string_equal(cxl_rc_id(0x1d), "resources-exhausted");
	assert_null(cxl_rc_name(0x21));
	assert_false(cxl_rc_valid(0xffff));
	for (uint16_t rc = 0; rc <= CXL_RC_MAX; rc++) {
		assert_non_null(cxl_rc_name(rc));
		assert_non_null(cxl_rc_id(rc));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_known_answer),
		cmocka_unit_test(test_encode_opcode_bo_rc),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_decode_short),
		cmocka_unit_test(test_decode_length_mismatch),
		cmocka_unit_test(test_decode_reserved_category),
		cmocka_unit_test(test_rc_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
