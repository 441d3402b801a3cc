/* SPDX-License-Identifier: MIT */
/*
 * The command facts (include/cxlfm/commands.h, proto/commands.h): one
 * sorted list, unique opcodes, IDs and names, lengths and bits within their
 * fields, libcxlfm's opcode names kept, and the records of proto/records.h
 * at the offsets the spec gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/commands.h"
#include "proto/records.h"

/* The list is in opcode order without duplicates: lookups bisect it. */
static void test_sorted_unique(void **state)
{
	(void)state;
	assert_true(CXL_CMD_COUNT >= 95); /* every opcode libcxlmi can send, and ours */
	for (size_t i = 1; i < CXL_CMD_COUNT; i++)
		assert_true(cxl_cmd_table[i - 1].opcode < cxl_cmd_table[i].opcode);
	for (size_t i = 0; i < CXL_CMD_COUNT; i++) {
		assert_ptr_equal(cxl_cmd_find(cxl_cmd_table[i].opcode), &cxl_cmd_table[i]);
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(cxl_cmd_table[i].id, cxl_cmd_table[j].id);
			assert_string_not_equal(cxl_cmd_table[i].name, cxl_cmd_table[j].name);
		}
	}
	assert_null(cxl_cmd_find(0x0000));
	assert_null(cxl_cmd_find(0x0006));
	assert_null(cxl_cmd_find(0x4f00));
	assert_null(cxl_cmd_find(0xc000)); /* vendor specific */
	assert_null(cxl_cmd_find(0xffff));
}

/*
 * Every field within its range: a length fits the 21-bit CCI length and a
 * 1 MiB payload, effects use defined bits only, each command names where
 * the spec defines it and a CCI kind that may carry it, by command set:
 * generic commands anywhere, memory device commands on a type-3 device's
 * CCIs, FM API commands never on a host mailbox or an LD's CCI.
 */
static void test_fields_in_range(void **state)
{
	uint16_t defined = 0;

	(void)state;
	for (unsigned b = 0; b < 16; b++)
		if (cxl_effect_name(b))
			defined |= (uint16_t)(1u << b);
	assert_int_equal(defined, 0x07ff);
	for (size_t i = 0; i < CXL_CMD_COUNT; i++) {
		const struct cxl_cmd_info *c = &cxl_cmd_table[i];
		uint8_t set = (uint8_t)(c->opcode >> 8);

		assert_true(c->in_len <= (1u << 20) && c->out_len <= (1u << 20));
		assert_int_equal(c->effects & ~defined, 0);
		assert_true(strncmp(c->ref, "§", strlen("§")) == 0 ||
			    strncmp(c->ref, "r3.2 §", strlen("r3.2 §")) == 0);
		assert_true(c->name[0] && c->id[0]);
		if (set < 0x40)
			assert_int_equal(c->ccis, CXLFM_CCI_ANY);
		else if (set < 0x51)
			assert_int_equal(c->ccis, CXLFM_CCI_T3);
		else
			assert_int_equal(c->ccis & (CXLFM_CCI_T3_MBOX | CXLFM_CCI_T3_LD), 0);
		assert_int_not_equal(c->ccis, 0);
	}
}

/* The length encoding of the list: a number is fixed, CXLFM_VAR(min) varies. */
static void test_lengths(void **state)
{
	const struct cxl_cmd_info *c;

	(void)state;
	c = cxl_cmd_find(0x0401); /* Get Log: 0x18 in, variable out */
	assert_false(c->in_var);
	assert_int_equal(c->in_len, 0x18);
	assert_true(c->out_var);
	assert_int_equal(c->out_len, 0);
	assert_true(cxl_cmd_in_len_ok(c, 0x18));
	assert_false(cxl_cmd_in_len_ok(c, 0x17));
	assert_false(cxl_cmd_in_len_ok(c, 0x19));
	c = cxl_cmd_find(0x5604); /* Initiate DC Add: 32-byte header + extents */
	assert_true(c->in_var);
	assert_int_equal(c->in_len, 32);
	assert_false(cxl_cmd_in_len_ok(c, 31));
	assert_true(cxl_cmd_in_len_ok(c, 32 + 40));
	assert_false(c->out_var);
	assert_true(cxl_cmd_out_len_ok(c, 0));
	assert_false(cxl_cmd_out_len_ok(c, 1));
	assert_int_equal(CXL_IN_INITIATE_DC_ADD, 32);
	assert_int_equal(CXL_OUT_IDENTIFY, 18);
	assert_int_equal(CXL_OUT_GET_DCD_INFO, 0x54);
}

/*
 * libcxlfm's public opcode names: every ID of the list is CXLFM_OP_<ID>, and
 * the names libcxlfm had before the list keep their values (API and ABI).
 * The spec calls 5603h Get DC Region Extent *Lists*; the devices' old
 * spelling stays an alias (dev/cci.h).
 */
static void test_public_opcodes(void **state)
{
	static const struct {
		int name;
		uint16_t value;
	} kept[] = {
		{ CXLFM_OP_IDENTIFY, 0x0001 }, { CXLFM_OP_BG_OP_STATUS, 0x0002 },
		{ CXLFM_OP_GET_RSP_MSG_LIMIT, 0x0003 }, { CXLFM_OP_SET_RSP_MSG_LIMIT, 0x0004 },
		{ CXLFM_OP_BG_OP_ABORT, 0x0005 }, { CXLFM_OP_GET_EVENT_RECORDS, 0x0100 },
		{ CXLFM_OP_CLEAR_EVENT_RECORDS, 0x0101 }, { CXLFM_OP_GET_TIMESTAMP, 0x0300 },
		{ CXLFM_OP_SET_TIMESTAMP, 0x0301 }, { CXLFM_OP_GET_SUPPORTED_LOGS, 0x0400 },
		{ CXLFM_OP_GET_LOG, 0x0401 }, { CXLFM_OP_GET_DC_CONFIG, 0x4800 },
		{ CXLFM_OP_GET_DC_EXTENT_LIST, 0x4801 }, { CXLFM_OP_ADD_DC_RESPONSE, 0x4802 },
		{ CXLFM_OP_RELEASE_DC, 0x4803 }, { CXLFM_OP_IDENTIFY_SWITCH_DEVICE, 0x5100 },
		{ CXLFM_OP_GET_PHYS_PORT_STATE, 0x5101 }, { CXLFM_OP_PHYS_PORT_CONTROL, 0x5102 },
		{ CXLFM_OP_GET_VCS_INFO, 0x5200 }, { CXLFM_OP_BIND_VPPB, 0x5201 },
		{ CXLFM_OP_UNBIND_VPPB, 0x5202 }, { CXLFM_OP_TUNNEL_MGMT, 0x5300 },
		{ CXLFM_OP_GET_LD_INFO, 0x5400 }, { CXLFM_OP_GET_LD_ALLOCATIONS, 0x5401 },
		{ CXLFM_OP_SET_LD_ALLOCATIONS, 0x5402 }, { CXLFM_OP_GET_DCD_INFO, 0x5600 },
		{ CXLFM_OP_GET_HOST_DC_REGION_CONFIG, 0x5601 },
		{ CXLFM_OP_SET_DC_REGION_CONFIG, 0x5602 },
		{ CXLFM_OP_GET_DC_REGION_EXTENT_LISTS, 0x5603 },
		{ CXLFM_OP_INITIATE_DC_ADD, 0x5604 }, { CXLFM_OP_INITIATE_DC_RELEASE, 0x5605 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		assert_int_equal(kept[i].name, kept[i].value);
#define CHECK_OP(op, id_, ...) \
	assert_int_equal(CXLFM_OP_##id_, op); \
	assert_int_equal(cxl_cmd_table[CXL_CMD_IDX_##id_].opcode, op); \
	assert_string_equal(cxl_cmd_table[CXL_CMD_IDX_##id_].id, #id_);
	CXLFM_COMMANDS(CHECK_OP)
#undef CHECK_OP
	assert_string_equal(cxl_cmd_find(0x5603)->name, "Get DC Region Extent Lists");
}

/*
 * Records at the spec's offsets: a DC extent (CXL r3.1 §8.2.9.2.1.6) and a
 * DC event record body written field by field and read back; reserved bytes
 * written as zero.
 */
static void test_records(void **state)
{
	struct rec_dc_extent e = { .start_dpa = 0x1122334455667788ull, .length = 0x200000,
				   .shared_seq = 0xa55a };
	struct rec_dc_event ev = { .type = 1, .validity = 1, .host_id = 0x0203, .region_id = 4,
				   .flags = REC_DC_EVENT_MORE, .extents_available = 0x01020304,
				   .tags_available = 5 };
	struct rec_dc_region r = { .base = 1, .decode_units = 2, .length = 3, .block_size = 4,
				   .dsmad_handle = 0xaabbccdd, .dsmas_flags = 0x08,
				   .sanitize_on_release = true }, back;
	uint8_t buf[128];
	struct rec_dc_extent e2;
	struct rec_dc_event ev2;

	(void)state;
	memset(e.tag, 0x7e, sizeof(e.tag));
	memset(buf, 0xee, sizeof(buf));
	rec_dc_extent_put(buf, &e);
	assert_int_equal(buf[0], 0x88);
	assert_int_equal(buf[7], 0x11);
	assert_int_equal(buf[10], 0x20);
	assert_int_equal(buf[16], 0x7e);
	assert_int_equal(buf[31], 0x7e);
	assert_int_equal(buf[32], 0x5a);
	assert_int_equal(buf[33], 0xa5);
	for (unsigned i = 34; i < REC_DC_EXTENT_LEN; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(buf[REC_DC_EXTENT_LEN], 0xee);
	rec_dc_extent_get(buf, &e2);
	assert_memory_equal(&e2.tag, &e.tag, 16);
	assert_true(e2.start_dpa == e.start_dpa && e2.length == e.length &&
		    e2.shared_seq == e.shared_seq);

	ev.extent = e;
	memset(buf, 0xee, sizeof(buf));
	rec_dc_event_put(buf + REC_EVENT_HDR_LEN, &ev);
	assert_int_equal(buf[47], 0xee);
	assert_int_equal(buf[48], 1);         /* event type */
	assert_int_equal(buf[49], 1);         /* validity */
	assert_int_equal(buf[50], 0x03);      /* host id */
	assert_int_equal(buf[52], 4);         /* updated region */
	assert_int_equal(buf[53], 0x01);      /* More */
	assert_int_equal(buf[56], 0x88);      /* the extent */
	assert_int_equal(buf[120], 0x04);     /* extents available */
	assert_int_equal(buf[124], 5);        /* tags available */
	assert_int_equal(buf[54] | buf[55] | buf[96] | buf[119], 0);
	rec_dc_event_get(buf + REC_EVENT_HDR_LEN, &ev2);
	assert_int_equal(ev2.host_id, 0x0203);
	assert_int_equal(ev2.extents_available, 0x01020304);
	assert_true(ev2.extent.start_dpa == e.start_dpa);

	/* the host's region record has a 4-byte DSMAD handle at 32, the FM's a flags byte */
	rec_dc_region_put(buf, &r, REC_REGION_HOST);
	assert_int_equal(buf[32], 0xdd);
	assert_int_equal(buf[35], 0xaa);
	assert_int_equal(buf[36], 0x01);
	rec_dc_region_get(buf, &back, REC_REGION_HOST);
	assert_int_equal(back.dsmad_handle, 0xaabbccdd);
	assert_int_equal(back.dsmas_flags, 0);
	rec_dc_region_put(buf, &r, REC_REGION_FM);
	assert_int_equal(buf[32], 0x08);
	assert_int_equal(buf[33], 0);
	rec_dc_region_get(buf, &back, REC_REGION_FM);
	assert_int_equal(back.dsmas_flags, 0x08);
	assert_int_equal(back.dsmad_handle, 0);
	assert_true(back.sanitize_on_release);
	assert_int_equal(back.decode_units, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_unique),
		cmocka_unit_test(test_fields_in_range),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_public_opcodes),
		cmocka_unit_test(test_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
