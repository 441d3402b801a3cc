/* SPDX-License-Identifier: MIT */
/*
 * The device command sets agree with the command facts
 * (include/cxlfm/commands.h) on every kind of CCI the models build:
 * each registered command is a row of the facts (not a copy), on a kind of
 * CCI its facts allow; the dispatcher holds requests to the facts' lengths;
 * the CEL lists exactly the commands served, with the facts' effects; and
 * libcxlfm's names and UUIDs are the facts'.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ccis_fixture.h"
#include "cxlfm/fmapi.h"
#include "dev/events.h"
#include "proto/le.h"

static struct ccis all;

static int setup(void **state)
{
	(void)state;
	return ccis_build(&all);
}

static int teardown(void **state)
{
	(void)state;
	ccis_free(&all);
	return 0;
}

/* Calls fn for every CCI of every column and variant, with its column. */
static void each_cci(void (*fn)(struct cci *cci, enum ccis_col col))
{
	for (unsigned col = 0; col < CCIS_COLS; col++) {
		for (unsigned v = 0; v < CCIS_VARIANTS; v++) {
			struct cci *c[2];
			size_t n = ccis_get(&all, col, v, c);

			for (size_t i = 0; i < n; i++)
				fn(c[i], col);
			if (col == CCIS_SWITCH)
				break;
		}
	}
}

static void rows_are_facts(struct cci *cci, enum ccis_col col)
{
	assert_true(cci->nsets > 0);
	for (size_t s = 0; s < cci->nsets; s++) {
		const struct cci_cmd_set *set = cci->sets[s];

		assert_int_equal(set->kind, ccis_kind(col));
		for (size_t i = 0; i < set->count; i++) {
			const struct cxl_cmd_info *info = set->cmds[i].info;

			assert_non_null(set->cmds[i].handler);
			assert_ptr_equal(info, cxl_cmd_find(info->opcode));
			assert_int_equal(info->ccis & set->kind, set->kind);
		}
	}
}

static void test_rows_are_facts(void **state)
{
	(void)state;
	each_cci(rows_are_facts);
}

/*
 * Lengths the facts refuse are refused before any handler runs: a fixed
 * request one byte long or short, a variable one a byte under its minimum.
 */
static void lengths_enforced(struct cci *cci, enum ccis_col col)
{
	uint8_t *in = calloc(1, cci->payload_max + 1), *out = malloc(cci->payload_max);
	size_t out_len;

	(void)col;
	assert_non_null(in);
	assert_non_null(out);
	for (size_t s = 0; s < cci->nsets; s++) {
		for (size_t i = 0; i < cci->sets[s]->count; i++) {
			const struct cxl_cmd_info *c = cci->sets[s]->cmds[i].info;

			if (!c->in_var)
				assert_int_equal(cci_process(cci, c->opcode, in, c->in_len + 1, out,
							     &out_len), CXL_RC_INVALID_PAYLOAD_LENGTH);
			if (c->in_len)
				assert_int_equal(cci_process(cci, c->opcode, in, c->in_len - 1, out,
							     &out_len), CXL_RC_INVALID_PAYLOAD_LENGTH);
		}
	}
	free(in);
	free(out);
}

static void test_lengths_enforced(void **state)
{
	(void)state;
	each_cci(lengths_enforced);
}

/*
 * The CEL (read with Get Supported Logs and Get Log) has one entry per
 * command the CCI serves, with the effects of that opcode's facts; every
 * command of the facts it does not list is Unsupported there. A request
 * over the CCI's limit tells served (Invalid Payload Length) from not
 * (Unsupported) without running anything.
 */
static void cel_is_facts(struct cci *cci, enum ccis_col col)
{
	uint8_t *in = calloc(1, cci->payload_max + 1), *out = malloc(cci->payload_max);
	uint8_t req[0x18] = { 0 }, cel[4096];
	size_t out_len, size, listed = 0;

	(void)col;
	assert_non_null(in);
	assert_non_null(out);
	assert_int_equal(cci_process(cci, CCI_OP_GET_SUPPORTED_LOGS, NULL, 0, out, &out_len), 0);
	size = le32_get(out + 24);
	assert_true(size > 0 && size % 4 == 0 && size <= sizeof(cel));
	memcpy(req, cci_cel_uuid, 16);
	for (uint32_t off = 0; off < size; off += 256) {
		uint32_t len = size - off < 256 ? (uint32_t)(size - off) : 256;

		le32_put(req + 16, off);
		le32_put(req + 20, len);
		assert_int_equal(cci_process(cci, CCI_OP_GET_LOG, req, sizeof(req), out, &out_len), 0);
		assert_int_equal(out_len, len);
		memcpy(cel + off, out, len);
	}
	for (size_t e = 0; e < size; e += 4) {
		const struct cxl_cmd_info *c = cxl_cmd_find(le16_get(cel + e));

		assert_non_null(c);
		assert_int_equal(le16_get(cel + e + 2), c->effects);
	}
	for (size_t k = 0; k < CXL_CMD_COUNT; k++) {
		const struct cxl_cmd_info *c = &cxl_cmd_table[k];
		bool in_cel = false;
		uint16_t rc = cci_process(cci, c->opcode, in, cci->payload_max + 1, out, &out_len);

		for (size_t e = 0; e < size && !in_cel; e += 4)
			in_cel = le16_get(cel + e) == c->opcode;
		assert_int_equal(rc, in_cel ? CXL_RC_INVALID_PAYLOAD_LENGTH : CXL_RC_UNSUPPORTED);
		listed += in_cel;
	}
	assert_int_equal(listed * 4, size);
	free(in);
	free(out);
}

static void test_cel_is_facts(void **state)
{
	(void)state;
	each_cci(cel_is_facts);
}

/* libcxlfm names every command of the facts by its spec name, and only those. */
static void test_lib_names(void **state)
{
	(void)state;
	for (size_t k = 0; k < CXL_CMD_COUNT; k++)
		assert_string_equal(cxlfm_opcode_name(cxl_cmd_table[k].opcode),
				    cxl_cmd_table[k].name);
	assert_string_equal(cxlfm_opcode_name(0x4102), "Get LSA");
	assert_null(cxlfm_opcode_name(0xc000));
	assert_null(cxlfm_opcode_name(0x0006));
}

/* The CEL and DC event UUIDs, written out, on both sides. */
static void test_uuids(void **state)
{
	static const uint8_t cel[16] = {
		0x0d, 0xa9, 0xc0, 0xb5, 0xbf, 0x41, 0x4b, 0x78,
		0x8f, 0x79, 0x96, 0xb1, 0x62, 0x3b, 0x3f, 0x17,
	};
	static const uint8_t dc[16] = {
		0xca, 0x95, 0xaf, 0xa7, 0xf1, 0x83, 0x40, 0x18,
		0x8c, 0x2f, 0x95, 0x26, 0x8e, 0x10, 0x1a, 0x2a,
	};

	(void)state;
	assert_memory_equal(cci_cel_uuid, cel, 16);
	assert_memory_equal(cxlfm_cel_uuid, cel, 16);
	assert_memory_equal(ev_uuid_dcd, dc, 16);
	assert_memory_equal(cxlfm_dc_event_uuid, dc, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_are_facts),
		cmocka_unit_test(test_lengths_enforced),
		cmocka_unit_test(test_cel_is_facts),
		cmocka_unit_test(test_lib_names),
		cmocka_unit_test(test_uuids),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
