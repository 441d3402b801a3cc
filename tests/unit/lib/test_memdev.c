/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm's memory device calls (include/cxlfm/memdev.h): their response
 * decoders on what the type-3 device model answers (run on its FM-owned LD
 * CCI in process), on answers of a wrong length or out of range, and the
 * Memory Module, General Media and DRAM Event decoding of records the model
 * logged (read on the FM-owned LD, as a BMC reads them). The calls over
 * a real MCTP bus are in tests/e2e/test_qmp_cxl.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cxlfm/media.h"
#include "cxlfm/memdev.h"
#include "dev/t3.h"
#include "dev/t3_mem.h"
#include "lib/private.h"
#include "proto/commands.h"
#include "proto/le.h"

#define MiB (1ull << 20)

static uint64_t clk(void *arg)
{
	(void)arg;
	return 0;
}

static const struct cci_clock clock_ops = { .now_ns = clk };

/* The library's decoder of opcode. */
static const struct cxlfm_decoder *decoder(uint16_t op)
{
	const struct cxlfm_decoder *d;

	for (size_t i = 0; (d = cxlfm_decoder_at(i)); i++)
		if (d->opcode == op)
			return d;
	fail_msg("no decoder for %04x", op);
	return NULL;
}

static struct t3_dev *dev;
static uint8_t out[2048];
static size_t out_len;

static int setup(void **state)
{
	struct t3_config c = { .id = "pm0", .serial = 3, .vmem_size = 256 * MiB,
			       .pmem_size = 512 * MiB, .lsa_size = 4096 };

	(void)state;
	return t3_create(&c, &clock_ops, &dev);
}

static int teardown(void **state)
{
	(void)state;
	t3_destroy(dev);
	return 0;
}

/* Run op on the FM-owned LD (as a BMC would); its answer is in out. */
static void model(uint16_t op, const void *in, size_t len)
{
	assert_int_equal(cci_process(t3_fm_cci(dev), op, in, len, out, &out_len), CXL_RC_SUCCESS);
}

static void test_decode_model(void **state)
{
	struct cxlfm_identify_memdev_rsp id;
	struct cxlfm_partition_info_rsp pi;
	struct cxlfm_health_info h;
	struct cxlfm_alert_config ac;
	struct cxlfm_shutdown_state sd;
	struct cxlfm_get_lsa_req lreq = { .offset = 4, .length = 3 };
	struct cxlfm_get_lsa_rsp *lsa = malloc(sizeof(*lsa));
	uint8_t part[9] = { 1 }, lin[8 + 3] = { 4, 0, 0, 0, 0, 0, 0, 0, 'x', 'y', 'z' };
	uint8_t alert[12] = { 0x02, 0x02 }, dirty = 1;
	struct t3_health_update u = { .has_temperature = true, .temperature = 31 };

	(void)state;
	assert_non_null(lsa);
	model(0x4000, NULL, 0);
	assert_int_equal(decoder(0x4000)->decode(NULL, out, out_len, &id), 0);
	assert_string_equal(id.fw_revision, "BWFW VERSION 00");
	assert_int_equal(id.total_capacity, 768 * MiB);
	assert_int_equal(id.volatile_only, 256 * MiB);
	assert_int_equal(id.partition_align, 256 * MiB);
	assert_int_equal(id.event_log_size[3], 64);
	assert_int_equal(id.lsa_size, 4096);
	assert_int_equal(id.poison_list_max, 256);
	assert_int_equal(id.dc_event_log_size, 1024);

	model(0x4101, part, sizeof(part));
	model(0x4100, NULL, 0);
	assert_int_equal(decoder(0x4100)->decode(NULL, out, out_len, &pi), 0);
	assert_int_equal(pi.active_volatile, 256 * MiB);
	assert_int_equal(pi.active_persistent, 512 * MiB);
	assert_int_equal(pi.next_volatile, 512 * MiB);
	assert_int_equal(pi.next_persistent, 256 * MiB);

	le16_put(alert + 4, 30);
	model(0x4202, alert, sizeof(alert));
	assert_int_equal(t3_health_set(dev, &u, NULL, 0), 0);
	model(0x4200, NULL, 0);
	assert_int_equal(decoder(0x4200)->decode(NULL, out, out_len, &h), 0);
	assert_int_equal(h.temperature, 31);
	assert_int_equal(CXLFM_HEALTH_TEMPERATURE(h.additional_status), 1);
	assert_int_equal(CXLFM_HEALTH_LIFE_USED(h.additional_status), 0);
	model(0x4201, NULL, 0);
	assert_int_equal(decoder(0x4201)->decode(NULL, out, out_len, &ac), 0);
	assert_int_equal(ac.valid_alerts, CXLFM_ALERT_OVER_TEMP);
	assert_int_equal(ac.over_temp_warn, 30);
	assert_int_equal(ac.under_temp_crit, 10);

	model(0x4204, &dirty, 1);
	model(0x4203, NULL, 0);
	assert_int_equal(decoder(0x4203)->decode(NULL, out, out_len, &sd), 0);
	assert_true(sd.dirty);

	model(0x4103, lin, sizeof(lin));
	le32_put(part, lreq.offset);
	le32_put(part + 4, lreq.length);
	model(0x4102, part, 8);
	assert_int_equal(decoder(0x4102)->decode(&lreq, out, out_len, lsa), 0);
	assert_int_equal(lsa->length, 3);
	assert_memory_equal(lsa->data, "xyz", 3);
	free(lsa);
}

/* The record the temperature crossing logged, as a BMC reads and decodes it. */
static void test_mem_module_event(void **state)
{
	struct cxlfm_get_event_records_rsp *ev = malloc(sizeof(*ev));
	struct cxlfm_mem_module_event mm;
	uint8_t log = 1; /* warning */

	(void)state;
	assert_non_null(ev);
	assert_int_equal(cci_process(t3_host_cci(dev), 0x0100, &log, 1, out, &out_len), 0);
	assert_int_equal(decoder(0x0100)->decode(&log, out, out_len, ev), 0);
	assert_int_equal(ev->num_records, 1);
	assert_int_equal(cxlfm_mem_module_event_decode(&ev->records[0], &mm), 0);
	assert_int_equal(mm.type, 0x03);
	assert_int_equal(mm.health.temperature, 31);
	assert_int_equal(mm.health.additional_status, 0x04);
	assert_int_equal(mm.validity, 0);
	ev->records[0].uuid[0] ^= 1;
	assert_int_equal(cxlfm_mem_module_event_decode(&ev->records[0], &mm), -EINVAL);
	free(ev);
}

/* Records QMP's cxl-inject-general-media-event / -dram-event log, as a BMC decodes them. */
static void test_media_events(void **state)
{
	static const uint64_t masks[] = { 1, 2, 3, 4, 5 };
	struct cxlfm_get_event_records_rsp *ev = malloc(sizeof(*ev));
	struct cxlfm_gen_media_event gm;
	struct cxlfm_dram_event dr;
	struct t3_gen_media_event g = {
		.log = 2, .flags = 0x22, .dpa = 0x10001040, .descriptor = 1, .type = 4,
		.transaction_type = 5, .has_rank = true, .rank = 3, .has_device = true,
		.device = 0xabcdef, .component_id = "dimm7",
	};
	struct t3_dram_event d = {
		.c = { .log = 2, .flags = 1 }, .dpa = 0x2000, .descriptor = 2, .type = 1,
		.transaction_type = 3, .has_channel = true, .channel = 9, .has_row = true,
		.row = 0x12345, .has_column = true, .column = 77, .n_correction_mask = 5,
		.correction_mask = masks,
	};
	uint8_t log = 2; /* failure */

	(void)state;
	assert_non_null(ev);
	assert_int_equal(t3_inject_general_media_event(dev, &g, NULL, 0), 0);
	assert_int_equal(t3_inject_dram_event(dev, &d, NULL, 0), 0);
	model(0x0100, &log, 1);
	assert_int_equal(decoder(0x0100)->decode(&log, out, out_len, ev), 0);
	assert_int_equal(ev->num_records, 2);
	assert_int_equal(ev->records[0].flags, 0x22);
	assert_int_equal(cxlfm_gen_media_event_decode(&ev->records[0], &gm), 0);
	assert_int_equal(gm.media.dpa, 0x10001040);
	assert_int_equal(gm.media.dpa_flags, 0);
	assert_int_equal(gm.media.descriptor, CXLFM_MEDIA_EV_UNCORRECTABLE);
	assert_int_equal(gm.media.type, 4);
	assert_int_equal(gm.media.transaction_type, CXLFM_MEDIA_EV_TXN_INTERNAL_MEDIA_SCRUB);
	assert_int_equal(gm.media.validity, CXLFM_GEN_MEDIA_VALID_RANK | CXLFM_GEN_MEDIA_VALID_DEVICE |
			 CXLFM_GEN_MEDIA_VALID_COMPONENT);
	assert_int_equal(gm.media.rank, 3);
	assert_int_equal(gm.device, 0xabcdef);
	assert_memory_equal(gm.component_id, "dimm7\0", 6);
	assert_int_equal(cxlfm_dram_event_decode(&ev->records[1], &dr), 0);
	assert_int_equal(dr.media.dpa, 0x2000);
	assert_int_equal(dr.media.validity, CXLFM_DRAM_VALID_CHANNEL | CXLFM_DRAM_VALID_ROW |
			 CXLFM_DRAM_VALID_COLUMN | CXLFM_DRAM_VALID_CORRECTION_MASK);
	assert_int_equal(dr.media.channel, 9);
	assert_int_equal(dr.row, 0x12345);
	assert_int_equal(dr.column, 77);
	assert_int_equal(dr.correction_mask[0], 1);
	assert_int_equal(dr.correction_mask[3], 4); /* the fifth is not recorded */
	assert_int_equal(cxlfm_dram_event_decode(&ev->records[0], &dr), -EINVAL);
	assert_int_equal(cxlfm_gen_media_event_decode(&ev->records[1], &gm), -EINVAL);
	free(ev);
}

/* Every decoder refuses an answer a byte short or long, and values out of range. */
static void test_decode_malformed(void **state)
{
	static const uint16_t ops[] = { 0x4000, 0x4100, 0x4200, 0x4201, 0x4203 };
	struct cxlfm_get_lsa_req lreq = { .offset = 0, .length = 16 };
	uint8_t rsp[4096], p[128] = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const struct cxl_cmd_info *c = cxl_cmd_find(ops[i]);

		assert_int_equal(decoder(ops[i])->decode(NULL, p, c->out_len, rsp), 0);
		assert_int_equal(decoder(ops[i])->decode(NULL, p, c->out_len - 1, rsp), -EBADMSG);
		assert_int_equal(decoder(ops[i])->decode(NULL, p, c->out_len + 1, rsp), -EBADMSG);
	}
	/* capacities whose bytes do not fit 64 bits */
	le64_put(p + 0x10, 1ull << 40);
	assert_int_equal(decoder(0x4000)->decode(NULL, p, 0x45, rsp), -EBADMSG);
	memset(p, 0, sizeof(p));
	le64_put(p + 24, UINT64_MAX);
	assert_int_equal(decoder(0x4100)->decode(NULL, p, 0x20, rsp), -EBADMSG);
	/* Get LSA: exactly the bytes asked for */
	assert_int_equal(decoder(0x4102)->decode(&lreq, p, 16, rsp), 0);
	assert_int_equal(decoder(0x4102)->decode(&lreq, p, 15, rsp), -EBADMSG);
	assert_int_equal(decoder(0x4102)->decode(&lreq, p, 17, rsp), -EBADMSG);
	/* a Set LSA larger than a message is refused before it is sent */
	assert_int_equal(cxlfm_cmd_set_lsa(NULL, NULL, &(struct cxlfm_set_lsa_req){
		.offset = 0, .length = 2041, .data = p }), -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_model),
		cmocka_unit_test(test_mem_module_event),
		cmocka_unit_test(test_media_events),
		cmocka_unit_test(test_decode_malformed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
