/* SPDX-License-Identifier: MIT */
/*
 * The type-3 model's generic commands of dev/t3_gen.c: Request Abort
 * Background Operation on every CCI, event records and the MCTP event
 * interrupt policy over MCTP, timestamps over MCTP, the log commands and
 * the Vendor Debug Log; and the switch's log commands.
 */
#include <errno.h>
#include <stdio.h>

#include "t3_fixture.h"
#include "dev/sw.h"
#include "proto/fwpkg.h"

#define SEC 1000000000ull

static const uint8_t dbg_uuid[16] = { 0x5e, 0x18, 0x19, 0xd9, 0x11, 0xa9, 0x40, 0x0c,
				      0x81, 0x1f, 0xd6, 0x07, 0x19, 0x40, 0x3d, 0x86 };

static struct t3_config mem_config(void)
{
	return (struct t3_config){ .id = "mem0", .serial = 7, .vmem_size = 256 * MiB };
}

static uint16_t full_transfer(struct fx *f, struct cci *c, uint8_t slot)
{
	uint8_t in[0x80 + 64] = { 0, slot };
	long n = fwpkg_build("GEN", NULL, 0, in + 0x80, 64);

	assert_true(n > 0);
	return run(f, c, 0x0201, in, 0x80 + (size_t)n);
}

/* CXL r3.1 §8.2.9.1.5 on the host mailbox, the FM-owned LD and an LD. */
static void test_request_abort(void **state)
{
	struct fx *f = fx_new(mem_config());
	struct cci *c[3] = { t3_host_cci(f->dev), t3_fm_cci(f->dev), t3_ld_cci(f->dev, 0) };

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(run(f, c[i], 0x0005, NULL, 0), CXL_RC_SUCCESS); /* idle */
		assert_int_equal(f->out_len, 0);
		assert_int_equal(full_transfer(f, c[i], 2), CXL_RC_BG_STARTED);
		assert_true(c[i]->bg.running);
		assert_int_equal(run(f, c[i], 0x0005, NULL, 0), CXL_RC_SUCCESS);
		assert_false(c[i]->bg.running);
		assert_int_equal(c[i]->bg.rc, CXL_RC_ABORTED);
		assert_int_equal(run(f, c[i], 0x0005, "", 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	}
	/* nothing was stored: slot 2 is empty */
	assert_int_equal(host(f, 0x0200, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0x20], 0);
	fx_free(f);
}

static void inject(struct fx *f, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct t3_gen_media_event ev = { .log = EV_LOG_INFO, .dpa = 0x1000 * i };

		assert_int_equal(t3_inject_general_media_event(f->dev, &ev, NULL, 0), 0);
	}
}

/*
 * CXL r3.1 §8.2.9.2.2/§8.2.9.2.3 over MCTP: the device's logs, shared with
 * the host; a response holds what the CCI's message limit allows.
 */
static void test_events_over_mctp(void **state)
{
	struct fx *f = fx_new(mem_config());
	uint8_t clear[8] = { EV_LOG_INFO, 0, 1, 0, 0, 0 };
	uint16_t h0;

	(void)state;
	inject(f, 5);
	assert_int_equal(fm(f, 0x0100, "\0", 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 32 + 3 * 128); /* (512 - 32) / 128 */
	assert_int_equal(f->out[0], EV_FLAG_MORE_RECORDS);
	assert_int_equal(le16_get(f->out + 20), 3);
	assert_memory_equal(f->out + 32, ev_uuid_gen_media, 16);
	h0 = le16_get(f->out + 32 + 20);
	assert_int_equal(host(f, 0x0100, "\0", 1), CXL_RC_SUCCESS);
	assert_int_equal(le16_get(f->out + 20), 5);
	assert_int_equal(le16_get(f->out + 32 + 20), h0);
	/* the LD's CCI clears the oldest; the FM and the host no longer see it */
	le16_put(clear + 6, h0);
	assert_int_equal(run(f, t3_ld_cci(f->dev, 0), 0x0101, clear, sizeof(clear)),
			 CXL_RC_SUCCESS);
	assert_int_equal(host(f, 0x0100, "\0", 1), CXL_RC_SUCCESS);
	assert_int_equal(le16_get(f->out + 20), 4);
	assert_int_not_equal(le16_get(f->out + 32 + 20), h0);
	/* refusals as on the mailbox: an unknown log, a handle that is not the oldest */
	assert_int_equal(fm(f, 0x0100, "\5", 1), CXL_RC_INVALID_INPUT);
	assert_int_equal(fm(f, 0x0101, clear, sizeof(clear)), CXL_RC_INVALID_HANDLE);
	/* interrupt policies: MSI/MSI-X on the mailbox, MCTP on the MCTP CCIs */
	assert_int_equal(fm(f, 0x0102, NULL, 0), CXL_RC_UNSUPPORTED);
	assert_int_equal(host(f, 0x0104, NULL, 0), CXL_RC_UNSUPPORTED);
	fx_free(f);
}

/* CXL r3.1 §8.2.9.2.6/§8.2.9.2.7: one policy per device, reserved bits ignored. */
static void test_mctp_event_policy(void **state)
{
	struct fx *f = fx_new(mem_config());
	struct cci *ld = t3_ld_cci(f->dev, 0);
	const uint8_t zero[2] = { 0, 0 }, dc_fatal[2] = { 0x18, 0x00 }, all[2] = { 0x1f, 0x00 };

	(void)state;
	assert_int_equal(fm(f, 0x0104, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 2);
	assert_memory_equal(f->out, zero, 2);
	assert_int_equal(fm(f, 0x0105, dc_fatal, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(run(f, ld, 0x0104, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, dc_fatal, 2);
	assert_int_equal(run(f, ld, 0x0105, "\xff\xff", 2), CXL_RC_SUCCESS);
	assert_int_equal(fm(f, 0x0104, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, all, 2);
	assert_int_equal(fm(f, 0x0105, "\0", 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(fm(f, 0x0104, "\0", 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(fm(f, 0x0104, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, all, 2);
	/* Event Notification is the device's to send, not to receive */
	assert_int_equal(fm(f, 0x0106, "\1\0", 2), CXL_RC_UNSUPPORTED);
	fx_free(f);
}

/* CXL r3.1 §8.2.9.4 on the MCTP CCIs: one device timestamp. */
static void test_timestamp_over_mctp(void **state)
{
	struct fx *f = fx_new(mem_config());
	uint8_t ts[8];

	(void)state;
	assert_int_equal(fm(f, 0x0300, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 8);
	assert_int_equal(le64_get(f->out), 0);
	le64_put(ts, 1700000000ull * SEC);
	assert_int_equal(run(f, t3_ld_cci(f->dev, 0), 0x0301, ts, 8), CXL_RC_SUCCESS);
	now_ns += 3 * SEC;
	assert_int_equal(fm(f, 0x0300, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(le64_get(f->out), 1700000003ull * SEC);
	assert_int_equal(host(f, 0x0300, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(le64_get(f->out), 1700000003ull * SEC);
	assert_int_equal(fm(f, 0x0301, ts, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

static size_t read_dbg(struct fx *f, struct cci *c, char *buf, size_t max)
{
	uint8_t in[0x18] = { 0 };
	size_t size;

	assert_int_equal(run(f, c, 0x0400, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(le16_get(f->out), 2);
	assert_memory_equal(f->out + 28, dbg_uuid, 16);
	size = le32_get(f->out + 44);
	assert_true(size < max);
	memcpy(in, dbg_uuid, 16);
	le32_put(in + 20, (uint32_t)size);
	if (size > c->payload_max)
		le32_put(in + 20, (uint32_t)c->payload_max);
	assert_int_equal(run(f, c, 0x0401, in, sizeof(in)), CXL_RC_SUCCESS);
	memcpy(buf, f->out, f->out_len);
	buf[f->out_len] = 0;
	return size;
}

/*
 * The Vendor Debug Log (CXL r3.1 Table 8-71): what management changed, in
 * lines; Populate Log adds the state; Clear Log empties it; it is the
 * device's, whichever CCI reads it.
 */
static void test_vendor_debug_log(void **state)
{
	struct fx *f = fx_new(mem_config());
	struct cci *h = t3_host_cci(f->dev), *m = t3_fm_cci(f->dev);
	uint8_t set[32 + 2] = { 0x96, 0xda, 0xd7, 0xd6, 0xfd, 0xe8, 0x48, 0x2b,
				0xa7, 0x33, 0x75, 0x77, 0x4e, 0x06, 0xdb, 0x8a,
				[22] = 1, [32] = 24, [33] = 1 };
	uint8_t ts[8], in[0x18] = { 0 };
	char text[8192];

	(void)state;
	assert_int_equal(read_dbg(f, m, text, sizeof(text)), 0);
	/* capabilities: clear, populate, auto populate; not persistent */
	assert_int_equal(fm(f, 0x0402, dbg_uuid, 16), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4);
	assert_int_equal(le32_get(f->out), 0x07);

	now_ns = 42;
	assert_int_equal(host(f, 0x0502, set, sizeof(set)), CXL_RC_SUCCESS);
	le64_put(ts, 1000);
	assert_int_equal(fm(f, 0x0301, ts, 8), CXL_RC_SUCCESS);
	now_ns += 5;
	assert_int_equal(fm(f, 0x0105, "\1\0", 2), CXL_RC_SUCCESS);
	read_dbg(f, t3_ld_cci(f->dev, 0), text, sizeof(text));
	assert_string_equal(text,
		"up=42 features: patrol scrub set via 7:mbox_cci\n"
		"t=1005 events: MCTP event notifications 0x0000 -> 0x0001 (via 7:oob_mctp_cci)\n");
	/* a piece of it */
	memcpy(in, dbg_uuid, 16);
	le32_put(in + 16, 6);
	le32_put(in + 20, 8);
	assert_int_equal(fm(f, 0x0401, in, sizeof(in)), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, "features", 8);

	/* Populate: the state, as two lines */
	assert_int_equal(fm(f, 0x0404, dbg_uuid, 16), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	read_dbg(f, m, text, sizeof(text));
	assert_non_null(strstr(text,
		"t=1005 state: fw slot 1 'BWFW VERSION 00' active, staged slot 0, slots used 0x1, "
		"transfer idle\n"
		"t=1005 state: features saved 0x00, event records info 0 warn 0 fail 0 fatal 0 dc 0, "
		"MCTP notifications 0x0001\n"));
	/* Clear: empty, whoever asks */
	assert_int_equal(run(f, t3_ld_cci(f->dev, 0), 0x0403, dbg_uuid, 16), CXL_RC_SUCCESS);
	assert_int_equal(read_dbg(f, h, text, sizeof(text)), 0);
	/* the CEL cannot be cleared or populated; an unknown log is Invalid Log */
	assert_int_equal(fm(f, 0x0403, cci_cel_uuid, 16), CXL_RC_UNSUPPORTED);
	assert_int_equal(fm(f, 0x0404, cci_cel_uuid, 16), CXL_RC_UNSUPPORTED);
	in[0] ^= 1;
	assert_int_equal(fm(f, 0x0403, in, 16), CXL_RC_INVALID_LOG);
	assert_int_equal(fm(f, 0x0402, in, 16), CXL_RC_INVALID_LOG);
	assert_int_equal(fm(f, 0x0404, in, 15), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* Sub-List from the second entry */
	assert_int_equal(fm(f, 0x0405, "\x08\x01", 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 28);
	assert_memory_equal(f->out, "\x01\x00\x02\x00\x01\x00\x00\x00", 8);
	assert_memory_equal(f->out + 8, dbg_uuid, 16);
	assert_int_equal(le32_get(f->out + 24), 0);
	fx_free(f);
}

/* A full log drops its oldest lines, whole. */
static void test_vendor_debug_log_wraps(void **state)
{
	struct fx *f = fx_new(mem_config());
	uint8_t in[0x18] = { 0 };
	char text[8192];
	size_t size = 0;

	(void)state;
	for (unsigned i = 0; i < 100; i++)
		assert_int_equal(host(f, 0x0404, dbg_uuid, 16), CXL_RC_SUCCESS);
	assert_int_equal(host(f, 0x0400, NULL, 0), CXL_RC_SUCCESS);
	size = le32_get(f->out + 44);
	assert_true(size <= 4096 && size > 4096 - 200);
	memcpy(in, dbg_uuid, 16);
	for (size_t off = 0; off < size; off += 2048) { /* the mailbox carries 2048 at a time */
		size_t n = size - off < 2048 ? size - off : 2048;

		le32_put(in + 16, (uint32_t)off);
		le32_put(in + 20, (uint32_t)n);
		assert_int_equal(host(f, 0x0401, in, sizeof(in)), CXL_RC_SUCCESS);
		memcpy(text + off, f->out, n);
	}
	le32_put(in + 20, 2049);
	assert_int_equal(host(f, 0x0401, in, sizeof(in)), CXL_RC_INVALID_INPUT);
	text[size] = 0;
	assert_memory_equal(text, "up=0 state: ", 12);
	assert_int_equal(text[size - 1], '\n');
	fx_free(f);
}

/* The switch: log commands for its CEL, no other log. */
static void test_switch_logs(void **state)
{
	struct cci_clock clk = { .now_ns = fake_clock };
	static const struct sw_port_cfg dsps[] = { { .port = 1 } };
	const struct sw_config cfg = { .id = "us0", .serial = 4, .usp = { .port = 9 },
				       .n_dsp = 1, .dsps = dsps };
	struct sw_dev *sw;
	uint8_t out[4096]; /* what the mailbox CCI may write */
	size_t len;

	(void)state;
	assert_int_equal(sw_create(&cfg, &clk, &sw), 0);
	assert_int_equal(cci_process(sw_mctp_cci(sw), 0x0402, cci_cel_uuid, 16, out, &len),
			 CXL_RC_SUCCESS);
	assert_int_equal(len, 4);
	assert_int_equal(le32_get(out), 0);
	assert_int_equal(cci_process(sw_mbox_cci(sw), 0x0402, dbg_uuid, 16, out, &len),
			 CXL_RC_INVALID_LOG);
	assert_int_equal(cci_process(sw_mbox_cci(sw), 0x0403, cci_cel_uuid, 16, out, &len),
			 CXL_RC_UNSUPPORTED);
	assert_int_equal(cci_process(sw_mbox_cci(sw), 0x0405, (const uint8_t *)"\x10\x00", 2, out, &len),
			 CXL_RC_SUCCESS);
	assert_int_equal(len, 28);
	assert_memory_equal(out, "\x01\x00\x01\x00\x00\x00\x00\x00", 8);
	assert_memory_equal(out + 8, cci_cel_uuid, 16);
	assert_int_equal(cci_process(sw_mbox_cci(sw), 0x0405, (const uint8_t *)"\x10\x01", 2, out, &len),
			 CXL_RC_INVALID_INPUT);
	sw_destroy(sw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_abort),
		cmocka_unit_test(test_events_over_mctp),
		cmocka_unit_test(test_mctp_event_policy),
		cmocka_unit_test(test_timestamp_over_mctp),
		cmocka_unit_test(test_vendor_debug_log),
		cmocka_unit_test(test_vendor_debug_log_wraps),
		cmocka_unit_test(test_switch_logs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
