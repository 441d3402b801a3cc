/* SPDX-License-Identifier: MIT */
/*
 * The response decoders of libcxlfm's MLD QoS calls (src/lib/qos.c) on
 * payloads built here: what a device sends decodes field by field, and a
 * payload whose length disagrees with its layout, or whose LD list is not
 * the one asked for, is -EBADMSG. The calls run against the device model in
 * test_fmapi.c and against cxl-emu in tests/e2e/test_fabric.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cxlfm/qos.h"
#include "lib/private.h"

static const struct cxlfm_decoder *dec(uint16_t opcode)
{
	const struct cxlfm_decoder *d = cxlfm_decoder_find(opcode);

	assert_non_null(d);
	return d;
}

static void test_control_status(void **state)
{
	const uint8_t p[7] = { 0x03, 12, 30, 15, 0x34, 0x12, 200 };
	struct cxlfm_qos_control c;
	struct cxlfm_get_qos_status_rsp s;

	(void)state;
	assert_int_equal(dec(CXLFM_OP_GET_QOS_CONTROL)->decode(NULL, p, 7, &c), 0);
	assert_int_equal(c.control, CXLFM_QOS_EGRESS_CONGESTION | CXLFM_QOS_THROUGHPUT_REDUCTION);
	assert_int_equal(c.moderate_pct, 12);
	assert_int_equal(c.severe_pct, 30);
	assert_int_equal(c.sample_interval, 15);
	assert_int_equal(c.reqcmp_basis, 0x1234);
	assert_int_equal(c.completion_interval, 200);
	assert_int_equal(dec(CXLFM_OP_SET_QOS_CONTROL)->decode(NULL, p, 7, &c), 0);
	assert_int_equal(dec(CXLFM_OP_GET_QOS_CONTROL)->decode(NULL, p, 6, &c), -EBADMSG);
	assert_int_equal(dec(CXLFM_OP_SET_QOS_CONTROL)->decode(NULL, p, 0, &c), -EBADMSG);
	assert_int_equal(dec(CXLFM_OP_GET_QOS_STATUS)->decode(NULL, p + 2, 1, &s), 0);
	assert_int_equal(s.backpressure_pct, 30);
	assert_int_equal(dec(CXLFM_OP_GET_QOS_STATUS)->decode(NULL, p, 2, &s), -EBADMSG);
	assert_int_equal(dec(CXLFM_OP_GET_QOS_STATUS)->decode(NULL, p, 0, &s), -EBADMSG);
}

static void check_fractions(uint16_t get, uint16_t set)
{
	const struct cxlfm_qos_lds_req req = { 3, 1 };
	const struct cxlfm_qos_fractions sreq = { 3, 1, { 1, 2, 3 } };
	uint8_t p[2 + 17] = { 3, 1, 0x40, 0x80, 0xff };
	struct cxlfm_qos_fractions f;

	memset(&f, 0x5a, sizeof(f));
	assert_int_equal(dec(get)->decode(&req, p, 5, &f), 0);
	assert_int_equal(f.num_lds, 3);
	assert_int_equal(f.start_ld, 1);
	assert_memory_equal(f.fraction, ((const uint8_t[]){ 0x40, 0x80, 0xff, 0 }), 4);
	assert_int_equal(dec(set)->decode(&sreq, p, 5, &f), 0);
	/* a byte short or long, no header */
	assert_int_equal(dec(get)->decode(&req, p, 4, &f), -EBADMSG);
	assert_int_equal(dec(get)->decode(&req, p, 6, &f), -EBADMSG);
	assert_int_equal(dec(get)->decode(&req, p, 1, &f), -EBADMSG);
	/* other LDs than asked */
	p[1] = 0;
	assert_int_equal(dec(get)->decode(&req, p, 5, &f), -EBADMSG);
	assert_int_equal(dec(set)->decode(&sreq, p, 5, &f), -EBADMSG);
	p[1] = 1;
	p[0] = 2;
	assert_int_equal(dec(get)->decode(&req, p, 4, &f), -EBADMSG);
	/* more LDs than an MLD has, even when asked for */
	p[0] = 17;
	assert_int_equal(dec(get)->decode(&(struct cxlfm_qos_lds_req){ 17, 1 }, p, 19, &f),
			 -EBADMSG);
}

static void test_fractions(void **state)
{
	(void)state;
	check_fractions(CXLFM_OP_GET_QOS_ALLOCATED_BW, CXLFM_OP_SET_QOS_ALLOCATED_BW);
	check_fractions(CXLFM_OP_GET_QOS_BW_LIMIT, CXLFM_OP_SET_QOS_BW_LIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_status),
		cmocka_unit_test(test_fractions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
