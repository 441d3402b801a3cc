/* SPDX-License-Identifier: MIT */
/*
 * Type-3 health commands 4200h-4204h (src/dev/t3_health.c): Get Health
 * Info, Get/Set Alert Configuration with the Memory Module Event records
 * a crossed threshold logs, Get/Set Shutdown State and the dirty shutdown
 * count across power cycles (a power loss is a second device made on a copy
 * of the first one's non-volatile region; an orderly power-off is
 * t3_destroy); and the injections of src/dev/t3_inject.c: DRAM and Memory
 * Module event records, the RAS capability's errors. Expected bytes are
 * written out from the spec's layouts.
 */
#include <errno.h>

#include "t3_fixture.h"
#include "dev/t3_mem.h"
#include "dev/t3_nv.h"

static const uint8_t mm_uuid[16] = {
	0xfe, 0x92, 0x74, 0x75, 0xdd, 0x59, 0x43, 0x39,
	0xa5, 0x86, 0x79, 0xba, 0xb1, 0x13, 0xb7, 0x74,
};
static const uint8_t dram_uuid[16] = {
	0x60, 0x1d, 0xcb, 0xb3, 0x9c, 0x06, 0x4e, 0xab,
	0xb8, 0xaf, 0x4e, 0x9b, 0xfb, 0x5c, 0x96, 0x24,
};

static struct t3_config pmem_config(uint8_t *nv)
{
	return (struct t3_config){
		.id = "pm0", .serial = 11, .vmem_size = 256 * MiB, .pmem_size = 256 * MiB,
		.lsa_size = 4096, .nv_mem = nv, .nv_size = nv ? T3_NV_SIZE : 0,
	};
}

/* The 18 health bytes (CXL r3.1 §8.2.9.9.3.1). */
static void health_bytes(uint8_t *p, uint8_t hs, uint8_t ms, uint8_t as, uint8_t life,
			 int16_t temp, uint32_t dirty, uint32_t vol, uint32_t pers)
{
	p[0] = hs;
	p[1] = ms;
	p[2] = as;
	p[3] = life;
	le16_put(p + 4, (uint16_t)temp);
	le32_put(p + 6, dirty);
	le32_put(p + 10, vol);
	le32_put(p + 14, pers);
}

static void check_health(struct fx *f, const uint8_t want[18])
{
	assert_int_equal(host(f, 0x4200, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 18);
	assert_memory_equal(f->out, want, 18);
}

/*
 * The oldest record of log: a Memory Module Event (CXL r3.1 §8.2.9.2.1.3)
 * with these flags, handle, device event type and health bytes.
 */
static void check_mm_record(struct fx *f, unsigned log, size_t i, uint32_t flags,
			    uint16_t handle, uint8_t type, const uint8_t health[18])
{
	const uint8_t *r = ev_peek(t3_events(f->dev), log, i);
	uint8_t want[128] = { 0 };

	assert_non_null(r);
	memcpy(want, mm_uuid, 16);
	want[16] = 128;
	le24_put(want + 17, flags);
	le16_put(want + 20, handle);
	want[0x30] = type;
	memcpy(want + 0x31, health, 18);
	assert_memory_equal(r, want, 128);
}

/* ---- 4200h ---------------------------------------------------------------------- */

static void test_health_info(void **state)
{
	struct fx *f = fx_new(pmem_config(NULL));
	struct t3_health_update u = { .has_life_used = true, .life_used = 30,
				      .has_temperature = true, .temperature = -5,
				      .has_cor_vol = true, .cor_vol = 7,
				      .has_cor_pers = true, .cor_pers = 0x01020304 };
	struct t3_health h;
	uint8_t want[18];
	char err[128];

	(void)state;
	health_bytes(want, 0, 0, 0, 0, 22, 0, 0, 0);
	check_health(f, want);
	assert_int_equal(fm(f, 0x4200, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want, 18);
	assert_int_equal(host(f, 0x4200, want, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);

	/* -5 degrees is under the critical 10: Additional Status temperature critical */
	assert_int_equal(t3_health_set(f->dev, &u, err, sizeof(err)), 0);
	health_bytes(want, 0, 0, 0x08, 30, -5, 0, 7, 0x01020304);
	check_health(f, want);
	t3_health_get(f->dev, &h);
	assert_int_equal(h.info.additional_status, 0x08);
	assert_int_equal(h.info.temperature, -5);
	assert_false(h.shutdown_dirty);
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_FAIL), 1);
	check_mm_record(f, EV_LOG_FAIL, 0, 2, 1, 0x03, want);

	/* values out of range: refused, nothing changes */
	u = (struct t3_health_update){ .has_health_status = true, .health_status = 8 };
	assert_int_equal(t3_health_set(f->dev, &u, err, sizeof(err)), -EINVAL);
	u = (struct t3_health_update){ .has_media_status = true, .media_status = 10,
				       .has_life_used = true, .life_used = 1 };
	assert_int_equal(t3_health_set(f->dev, &u, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "media-status"));
	u = (struct t3_health_update){ .has_life_used = true, .life_used = 101 };
	assert_int_equal(t3_health_set(f->dev, &u, err, sizeof(err)), -EINVAL);
	check_health(f, want);
	/* 255: life used not reported, no indicator */
	u = (struct t3_health_update){ .has_life_used = true, .life_used = 255,
				       .has_temperature = true, .temperature = 22 };
	assert_int_equal(t3_health_set(f->dev, &u, err, sizeof(err)), 0);
	health_bytes(want, 0, 0, 0, 255, 22, 0, 7, 0x01020304);
	check_health(f, want);
	check_mm_record(f, EV_LOG_INFO, 0, 0, 1, 0x03, want);
	fx_free(f);
}

/* Health and media status changes log a record with the status in its flags. */
static void test_health_status_events(void **state)
{
	struct fx *f = fx_new(pmem_config(NULL));
	struct t3_health_update u = { .has_health_status = true, .health_status = 0x04 };
	uint8_t want[18];

	(void)state;
	assert_int_equal(t3_health_set(f->dev, &u, NULL, 0), 0);
	health_bytes(want, 0x04, 0, 0, 0, 22, 0, 0, 0);
	/* Warning, hardware replacement needed (flags bit 5) */
	check_mm_record(f, EV_LOG_WARN, 0, 0x21, 1, 0x00, want);
	assert_int_equal(f->notified[EV_LOG_WARN], 1);
	u = (struct t3_health_update){ .has_media_status = true, .media_status = 0x03 };
	assert_int_equal(t3_health_set(f->dev, &u, NULL, 0), 0);
	health_bytes(want, 0x04, 0x03, 0, 0, 22, 0, 0, 0);
	check_mm_record(f, EV_LOG_WARN, 1, 0x21, 2, 0x01, want);
	/* the same values again: nothing to report */
	assert_int_equal(t3_health_set(f->dev, &u, NULL, 0), 0);
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_WARN), 2);
	u = (struct t3_health_update){ .has_health_status = true, .health_status = 0,
				       .has_media_status = true, .media_status = 0 };
	assert_int_equal(t3_health_set(f->dev, &u, NULL, 0), 0);
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_INFO), 2);
	fx_free(f);
}

/* ---- 4201h / 4202h -------------------------------------------------------------- */

static void alert_bytes(uint8_t *p, uint8_t valid, uint8_t life, int16_t over, int16_t under,
			uint16_t vol, uint16_t pers)
{
	memset(p, 0, 16);
	p[0] = valid;
	p[1] = 0x1f;
	p[2] = 75;
	p[3] = life;
	le16_put(p + 4, 35);
	le16_put(p + 6, 10);
	le16_put(p + 8, (uint16_t)over);
	le16_put(p + 10, (uint16_t)under);
	le16_put(p + 12, vol);
	le16_put(p + 14, pers);
}

static uint16_t set_alert(struct fx *f, uint8_t valid, uint8_t enable, uint8_t life,
			  int16_t over, int16_t under, uint16_t vol, uint16_t pers)
{
	uint8_t in[12] = { valid, enable, life, 0xaa };

	le16_put(in + 4, (uint16_t)over);
	le16_put(in + 6, (uint16_t)under);
	le16_put(in + 8, vol);
	le16_put(in + 10, pers);
	return host(f, 0x4202, in, sizeof(in));
}

static void check_alerts(struct fx *f, const uint8_t want[16])
{
	assert_int_equal(fm(f, 0x4201, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 16);
	assert_memory_equal(f->out, want, 16);
}

/* CXL r3.1 §8.2.9.9.3.2/3: QEMU's defaults, set and refused thresholds. */
static void test_alert_config(void **state)
{
	struct fx *f = fx_new(pmem_config(NULL));
	uint8_t want[16];

	(void)state;
	alert_bytes(want, 0, 40, 25, 20, 0, 0);
	check_alerts(f, want);
	assert_int_equal(host(f, 0x4201, want, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(set_alert(f, 0x1f, 0x1f, 50, 30, 12, 100, 200), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	alert_bytes(want, 0x1f, 50, 30, 12, 100, 200);
	check_alerts(f, want);
	/* disable one: its threshold stays, the others are not touched */
	assert_int_equal(set_alert(f, 0x08, 0x00, 0, 0, 0, 1, 0), CXL_RC_SUCCESS);
	alert_bytes(want, 0x17, 50, 30, 12, 100, 200);
	check_alerts(f, want);
	/* thresholds not marked valid are ignored, reserved bits too */
	assert_int_equal(set_alert(f, 0xe0, 0xff, 99, 99, -99, 1, 1), CXL_RC_SUCCESS);
	check_alerts(f, want);

	/* a warning threshold at or beyond its critical one: nothing changes */
	assert_int_equal(set_alert(f, 0x01, 0x01, 75, 0, 0, 0, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(set_alert(f, 0x02, 0x02, 0, 35, 0, 0, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(set_alert(f, 0x04, 0x04, 0, 0, 10, 0, 0), CXL_RC_INVALID_INPUT);
	/* a valid one before a bad one is not applied either */
	assert_int_equal(set_alert(f, 0x05, 0x05, 60, 0, -40, 0, 0), CXL_RC_INVALID_INPUT);
	check_alerts(f, want);
	/* temperatures are two's complement: -40 is below 35, not above */
	assert_int_equal(set_alert(f, 0x02, 0x02, 0, -40, 0, 0, 0), CXL_RC_SUCCESS);
	alert_bytes(want, 0x17, 50, -40, 12, 100, 200);
	check_alerts(f, want);
	assert_int_equal(host(f, 0x4202, want, 11), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/*
 * A threshold crossed (by a value, or by an alert that is now enabled) logs
 * a Memory Module Event: warning in the Warning log, critical in the
 * Failure log, back to normal in the Informational log.
 */
static void test_alert_events(void **state)
{
	struct fx *f = fx_new(pmem_config(NULL));
	struct t3_health_update u = { .has_temperature = true, .temperature = 31 };
	uint8_t h[18];

	(void)state;
	assert_int_equal(set_alert(f, 0x0b, 0x0b, 50, 30, 0, 5, 0), CXL_RC_SUCCESS);
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_WARN), 0);
	assert_int_equal(t3_health_set(f->dev, &u, NULL, 0), 0);
	health_bytes(h, 0, 0, 0x04, 0, 31, 0, 0, 0);
	check_health(f, h);
	check_mm_record(f, EV_LOG_WARN, 0, 1, 1, 0x03, h);
	assert_int_equal(f->notified[EV_LOG_WARN], 1);

	u.temperature = 40;
	assert_int_equal(t3_health_set(f->dev, &u, NULL, 0), 0);
	health_bytes(h, 0, 0, 0x08, 0, 40, 0, 0, 0);
	check_mm_record(f, EV_LOG_FAIL, 0, 2, 1, 0x03, h);
	u.temperature = 22;
	assert_int_equal(t3_health_set(f->dev, &u, NULL, 0), 0);
	health_bytes(h, 0, 0, 0, 0, 22, 0, 0, 0);
	check_mm_record(f, EV_LOG_INFO, 0, 0, 1, 0x03, h);

	/* life used and a corrected error count, in one update: one record each */
	u = (struct t3_health_update){ .has_life_used = true, .life_used = 55,
				       .has_cor_vol = true, .cor_vol = 5 };
	assert_int_equal(t3_health_set(f->dev, &u, NULL, 0), 0);
	health_bytes(h, 0, 0, 0x11, 55, 22, 0, 5, 0);
	check_mm_record(f, EV_LOG_WARN, 1, 1, 2, 0x02, h);
	check_mm_record(f, EV_LOG_WARN, 2, 1, 3, 0x00, h);
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_WARN), 3);

	/* disabling the life used alert brings it back to normal */
	assert_int_equal(set_alert(f, 0x01, 0x00, 0, 0, 0, 0, 0), CXL_RC_SUCCESS);
	health_bytes(h, 0, 0, 0x10, 55, 22, 0, 5, 0);
	check_mm_record(f, EV_LOG_INFO, 1, 0, 2, 0x02, h);
	/* enabling an under-temperature alert above the reading crosses it */
	assert_int_equal(set_alert(f, 0x04, 0x04, 0, 0, 23, 0, 0), CXL_RC_SUCCESS);
	health_bytes(h, 0, 0, 0x14, 55, 22, 0, 5, 0);
	check_mm_record(f, EV_LOG_WARN, 3, 1, 4, 0x03, h);
	/* a refused configuration logs nothing */
	assert_int_equal(set_alert(f, 0x04, 0x04, 0, 0, 5, 0, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_WARN), 4);
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_INFO), 2);
	fx_free(f);
}

/* The alert configuration and the health values (not the temperature) persist. */
static void test_health_persists(void **state)
{
	static uint8_t region[T3_NV_SIZE];
	struct t3_health_update u = { .has_life_used = true, .life_used = 45,
				      .has_temperature = true, .temperature = 33,
				      .has_health_status = true, .health_status = 1,
				      .has_cor_pers = true, .cor_pers = 9 };
	struct fx *f;
	uint8_t want[16], h[18];

	(void)state;
	memset(region, 0, sizeof(region));
	f = fx_new(pmem_config(region));
	assert_int_equal(set_alert(f, 0x11, 0x11, 44, 0, 0, 0, 8), CXL_RC_SUCCESS);
	assert_int_equal(t3_health_set(f->dev, &u, NULL, 0), 0);
	fx_free(f);
	f = fx_new(pmem_config(region));
	alert_bytes(want, 0x11, 44, 25, 20, 0, 8);
	check_alerts(f, want);
	health_bytes(h, 1, 0, 0x21, 45, 22, 0, 0, 9);
	check_health(f, h);
	fx_free(f);

	/* out of range (a warning threshold at the critical one): the defaults */
	region[0x0e80 + 6] = 75;
	f = fx_new(pmem_config(region));
	alert_bytes(want, 0, 40, 25, 20, 0, 0);
	check_alerts(f, want);
	health_bytes(h, 0, 0, 0, 0, 22, 0, 0, 0);
	check_health(f, h);
	fx_free(f);
}

/* ---- 4203h / 4204h --------------------------------------------------------------- */

static uint32_t dirty_count(struct fx *f)
{
	assert_int_equal(host(f, 0x4200, NULL, 0), CXL_RC_SUCCESS);
	return le32_get(f->out + 6);
}

static uint8_t shutdown_state(struct fx *f)
{
	assert_int_equal(host(f, 0x4203, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 1);
	return f->out[0];
}

/*
 * The host sets the state dirty (as Linux's cxl_arm_dirty_shutdown); a power
 * loss then counts a dirty shutdown at the next power-on, an orderly
 * power-off does not.
 */
static void test_shutdown_state(void **state)
{
	static uint8_t region[T3_NV_SIZE], lost[T3_NV_SIZE];
	struct fx *f;
	uint8_t in = 1;

	(void)state;
	memset(region, 0, sizeof(region));
	f = fx_new(pmem_config(region));
	assert_int_equal(shutdown_state(f), 0);
	assert_int_equal(host(f, 0x4204, &in, 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(shutdown_state(f), 1);
	assert_int_equal(fm(f, 0x4203, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 1);
	assert_int_equal(host(f, 0x4204, NULL, 0), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x4203, &in, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(shutdown_state(f), 1);
	/* power lost now: the region as it is, the device never told */
	memcpy(lost, region, sizeof(lost));
	fx_free(f);

	/* the orderly power-off left it clean: nothing counted */
	f = fx_new(pmem_config(region));
	assert_int_equal(dirty_count(f), 0);
	assert_int_equal(shutdown_state(f), 0);
	fx_free(f);

	/* the power loss counts once, the state stays dirty until set clean */
	f = fx_new(pmem_config(lost));
	assert_int_equal(dirty_count(f), 1);
	assert_int_equal(shutdown_state(f), 1);
	fx_free(f);
	f = fx_new(pmem_config(lost));
	assert_int_equal(dirty_count(f), 1);
	assert_int_equal(shutdown_state(f), 0);
	/* armed again and lost again: 2 */
	in = 1;
	assert_int_equal(host(f, 0x4204, &in, 1), CXL_RC_SUCCESS);
	memcpy(region, lost, sizeof(region));
	fx_free(f);
	f = fx_new(pmem_config(region));
	assert_int_equal(dirty_count(f), 2);
	/* set clean by the host before the power loss: nothing counted */
	in = 0xfe; /* bit 0 clear: clean; the other bits are reserved */
	assert_int_equal(fm(f, 0x4204, &in, 1), CXL_RC_SUCCESS);
	assert_int_equal(shutdown_state(f), 0);
	memcpy(lost, region, sizeof(lost));
	fx_free(f);
	f = fx_new(pmem_config(lost));
	assert_int_equal(dirty_count(f), 2);
	assert_int_equal(shutdown_state(f), 0);
	fx_free(f);

	/* a section that is not one: clean, count 0 */
	lost[0x40 + 5] = 7;
	f = fx_new(pmem_config(lost));
	assert_int_equal(dirty_count(f), 0);
	assert_int_equal(shutdown_state(f), 0);
	fx_free(f);
}

/* ---- injections ------------------------------------------------------------------- */

/* cxl-inject-dram-event: the DRAM Event Record (CXL r3.1 §8.2.9.2.1.2) byte by byte. */
static void test_inject_dram(void **state)
{
	struct fx *f = fx_new(pmem_config(NULL));
	const uint64_t masks[5] = { 0x1111, 0x2222, 0x3333, 0x4444, 0x5555 };
	struct t3_dram_event ev = {
		.c = { .log = EV_LOG_WARN, .flags = 0x01 }, .dpa = 0x1000, .descriptor = 2,
		.type = 1, .transaction_type = 3, .has_channel = true, .channel = 1,
		.has_rank = true, .rank = 2, .has_nibble_mask = true, .nibble_mask = 0x123456,
		.has_bank_group = true, .bank_group = 3, .has_bank = true, .bank = 4,
		.has_row = true, .row = 0x789abc, .has_column = true, .column = 0x1234,
		.n_correction_mask = 5, .correction_mask = masks,
	};
	uint8_t want[128] = { 0 };
	char err[64];

	(void)state;
	assert_int_equal(t3_inject_dram_event(f->dev, &ev, err, sizeof(err)), 0);
	memcpy(want, dram_uuid, 16);
	want[16] = 128;
	want[17] = 0x01;
	want[20] = 1;
	le64_put(want + 0x30, 0x1000);
	want[0x38] = 2;
	want[0x39] = 1;
	want[0x3a] = 3;
	le16_put(want + 0x3b, 0xff);
	want[0x3d] = 1;
	want[0x3e] = 2;
	le24_put(want + 0x3f, 0x123456);
	want[0x42] = 3;
	want[0x43] = 4;
	le24_put(want + 0x44, 0x789abc);
	le16_put(want + 0x47, 0x1234);
	for (int i = 0; i < 4; i++) /* the fifth is not recorded */
		le64_put(want + 0x49 + 8 * i, masks[i]);
	assert_memory_equal(ev_peek(t3_events(f->dev), EV_LOG_WARN, 0), want, 128);
	assert_int_equal(f->notified[EV_LOG_WARN], 1);

	/* nothing optional: validity 0 */
	ev = (struct t3_dram_event){ .c = { .log = EV_LOG_FATAL }, .dpa = 64 };
	assert_int_equal(t3_inject_dram_event(f->dev, &ev, err, sizeof(err)), 0);
	memset(want + 16, 0, 128 - 16);
	want[16] = 128;
	want[20] = 1;
	le64_put(want + 0x30, 64);
	assert_memory_equal(ev_peek(t3_events(f->dev), EV_LOG_FATAL, 0), want, 128);
	/* not a log of these records: refused */
	ev.c.log = EV_LOG_DCD;
	assert_int_equal(t3_inject_dram_event(f->dev, &ev, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "Unhandled error log type");
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_DCD), 0);
	fx_free(f);
}

/* cxl-inject-memory-module-event: the record as given; the device's health unchanged. */
static void test_inject_mem_module(void **state)
{
	struct fx *f = fx_new(pmem_config(NULL));
	struct t3_mem_module_event ev = {
		.c = { .log = EV_LOG_FAIL, .flags = 0x02 }, .type = 5, .health_status = 1,
		.media_status = 2, .additional_status = 3, .life_used = 4, .temperature = -7,
		.dirty_shutdown_count = 5, .corrected_volatile_errors = 6,
		.corrected_persistent_errors = 7,
	};
	uint8_t h[18];

	(void)state;
	assert_int_equal(t3_inject_mem_module_event(f->dev, &ev, NULL, 0), 0);
	health_bytes(h, 1, 2, 3, 4, -7, 5, 6, 7);
	check_mm_record(f, EV_LOG_FAIL, 0, 2, 1, 5, h);
	health_bytes(h, 0, 0, 0, 0, 22, 0, 0, 0);
	check_health(f, h);
	ev.c.log = 7;
	assert_int_equal(t3_inject_mem_module_event(f->dev, &ev, NULL, 0), -EINVAL);
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_FAIL), 1);
	fx_free(f);
}

/*
 * cxl-inject-uncorrectable-errors / -correctable-error: the RAS registers
 * (CXL r3.1 §8.2.4.17) as QEMU keeps them, and one signal to the host per
 * error that reaches them.
 */
static void test_ras(void **state)
{
	struct fx *f = fx_new(pmem_config(NULL));
	const uint32_t hdr[16] = { 1, 2, 3, [15] = 16 };
	uint32_t big[17] = { 0 };
	struct t3_ras_ue e[3] = {
		{ .type = T3_UE_MEM_DATA_ECC, .n_header = 3, .header = hdr },
		{ .type = T3_UE_INTERNAL },
		{ .type = T3_UE_MEM_DATA_ECC, .n_header = 16, .header = hdr },
	};
	struct t3_ras_regs r;
	char err[64];

	(void)state;
	t3_ras_read(f->dev, &r);
	assert_int_equal(r.ue_status, 0);
	assert_int_equal(r.queued, 0);
	assert_int_equal(t3_inject_uncorrectable(f->dev, e, 2, err, sizeof(err)), 0);
	assert_int_equal(f->notified[T3_NOTIFY_RAS], 1);
	t3_ras_read(f->dev, &r);
	assert_int_equal(r.ue_status, 0x4080);
	assert_int_equal(r.first_error, 7);
	assert_int_equal(r.header[0], 1);
	assert_int_equal(r.header[2], 3);
	assert_int_equal(r.header[3], 0);
	assert_int_equal(r.queued, 2);
	/* more while the first waits: queued, no new signal */
	assert_int_equal(t3_inject_uncorrectable(f->dev, e + 2, 1, err, sizeof(err)), 0);
	assert_int_equal(f->notified[T3_NOTIFY_RAS], 1);
	/* clearing exactly the first error's bit drops it: the internal error is next */
	t3_ras_clear_ue(f->dev, 1u << 7);
	t3_ras_read(f->dev, &r);
	assert_int_equal(r.first_error, 14);
	assert_int_equal(r.header[0], 0);
	assert_int_equal(r.ue_status, 0x4080);
	assert_int_equal(r.queued, 2);
	/* several bits: every error of those types */
	t3_ras_clear_ue(f->dev, 0x4080);
	t3_ras_read(f->dev, &r);
	assert_int_equal(r.ue_status, 0);
	assert_int_equal(r.queued, 0);
	t3_ras_clear_ue(f->dev, 0xffffffff); /* nothing queued: nothing happens */

	/* refused: a reserved bit, a header over 16 DWORDs; nothing queued */
	e[0].type = 12;
	assert_int_equal(t3_inject_uncorrectable(f->dev, e, 1, err, sizeof(err)), -EINVAL);
	e[0].type = 40;
	assert_int_equal(t3_inject_uncorrectable(f->dev, e, 1, err, sizeof(err)), -EINVAL);
	e[1].n_header = 17;
	e[1].header = big;
	assert_int_equal(t3_inject_uncorrectable(f->dev, e + 1, 1, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "Header must be 16 DWORD or less");
	t3_ras_read(f->dev, &r);
	assert_int_equal(r.queued, 0);
	assert_int_equal(f->notified[T3_NOTIFY_RAS], 1);

	/* correctable: a status bit each, a signal each */
	assert_int_equal(t3_inject_correctable(f->dev, T3_CE_MEM_DATA_ECC, err, sizeof(err)), 0);
	assert_int_equal(t3_inject_correctable(f->dev, T3_CE_PHYSICAL, err, sizeof(err)), 0);
	assert_int_equal(f->notified[T3_NOTIFY_RAS], 3);
	t3_ras_read(f->dev, &r);
	assert_int_equal(r.ce_status, 0x42);
	t3_ras_clear_ce(f->dev, 0x02);
	t3_ras_read(f->dev, &r);
	assert_int_equal(r.ce_status, 0x40);
	assert_int_equal(t3_inject_correctable(f->dev, 7, err, sizeof(err)), -EINVAL);
	assert_int_equal(f->notified[T3_NOTIFY_RAS], 3);
	/* an error still queued at destruction is freed with the device (ASan) */
	assert_int_equal(t3_inject_uncorrectable(f->dev, e + 2, 1, err, sizeof(err)), 0);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_info),
		cmocka_unit_test(test_health_status_events),
		cmocka_unit_test(test_alert_config),
		cmocka_unit_test(test_alert_events),
		cmocka_unit_test(test_health_persists),
		cmocka_unit_test(test_shutdown_state),
		cmocka_unit_test(test_inject_dram),
		cmocka_unit_test(test_inject_mem_module),
		cmocka_unit_test(test_ras),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
