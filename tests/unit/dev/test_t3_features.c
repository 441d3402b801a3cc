/* SPDX-License-Identifier: MIT */
/*
 * Features of the type-3 model (dev/t3_features.c): Get Supported Features,
 * Get Feature, Set Feature (full and in parts, saved across reset), and the
 * FEATURES section of the non-volatile state. Expected payloads are written
 * out from CXL r3.1 §8.2.9.6 and the feature layouts QEMU master uses.
 */
#include <errno.h>

#include "t3_fixture.h"
#include "dev/t3_nv.h"

static struct t3_config mem_config(void)
{
	return (struct t3_config){ .id = "mem0", .serial = 7, .vmem_size = 256 * MiB };
}

static const uint8_t uuid_ps[16] = { 0x96, 0xda, 0xd7, 0xd6, 0xfd, 0xe8, 0x48, 0x2b,
				     0xa7, 0x33, 0x75, 0x77, 0x4e, 0x06, 0xdb, 0x8a };
static const uint8_t uuid_ecs[16] = { 0xe5, 0xb1, 0x3f, 0x22, 0x23, 0x28, 0x4a, 0x14,
				      0xb8, 0xba, 0xb9, 0x69, 0x1e, 0x89, 0x33, 0x86 };
static const uint8_t uuid_sppr[16] = { 0x89, 0x2b, 0xa4, 0x75, 0xfa, 0xd8, 0x47, 0x4e,
				       0x9d, 0x3e, 0x69, 0x2c, 0x91, 0x75, 0x68, 0xbb };
static const uint8_t uuid_hppr[16] = { 0x80, 0xea, 0x45, 0x21, 0x78, 0x6f, 0x41, 0x27,
				       0xaf, 0xb1, 0xec, 0x74, 0x59, 0xfb, 0x0e, 0x24 };
static const uint8_t uuid_cl[16] = { 0x96, 0xc3, 0x33, 0x86, 0x91, 0xdd, 0x44, 0xc7,
				     0x9e, 0xcb, 0xfd, 0xaf, 0x65, 0x03, 0xba, 0xc4 };
static const uint8_t uuid_row[16] = { 0x45, 0x0e, 0xbf, 0x67, 0xb1, 0x35, 0x4f, 0x97,
				      0xa4, 0x98, 0xc2, 0xd5, 0x7f, 0x27, 0x9b, 0xed };
static const uint8_t uuid_bank[16] = { 0x78, 0xb7, 0x96, 0x36, 0x90, 0xac, 0x4b, 0x64,
				       0xa4, 0xef, 0xfa, 0xac, 0x5d, 0x18, 0xa8, 0x63 };
static const uint8_t uuid_rank[16] = { 0x34, 0xdb, 0xaf, 0xf5, 0x05, 0x52, 0x42, 0x81,
				       0x8f, 0x76, 0xda, 0x0b, 0x5e, 0x7a, 0x76, 0xa7 };

static const uint8_t uuid_unknown[16] = { 0x96, 0xda, 0xd7, 0xd6 }; /* no feature's */

/* Readable attributes of a new device (QEMU's defaults). */
static const uint8_t ps_default[4] = { 0x03, 12, 1, 0x00 };
static const uint8_t ecs_default[13] = { 0x01, 0x01, 0x03, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00,
					 0x01, 0x03, 0x00, 0x00 };
static const uint8_t sppr_default[20] = { 5, 0, 0, 0, 0, 1, 0, [16] = 0x05, [19] = 0x01 };
static const uint8_t hppr_default[20] = { 5, 0, 0, 0, 0, 1, 1, [16] = 0x05, [19] = 0x01 };
static const uint8_t row_default[19] = { 5, 0, 0, 0, 0, 2, 1, [17] = 0x06, [18] = 0x00 };

static uint16_t get_supported(struct fx *f, struct cci *c, uint32_t count, uint16_t start)
{
	uint8_t in[8] = { 0 };

	le32_put(in, count);
	le16_put(in + 4, start);
	return run(f, c, 0x0500, in, sizeof(in));
}

static uint16_t get_feature(struct fx *f, struct cci *c, const uint8_t *uuid, uint16_t off,
			    uint16_t count, uint8_t sel)
{
	uint8_t in[0x15] = { 0 };

	memcpy(in, uuid, 16);
	le16_put(in + 16, off);
	le16_put(in + 18, count);
	in[20] = sel;
	return run(f, c, 0x0501, in, sizeof(in));
}

static uint16_t set_feature(struct fx *f, struct cci *c, const uint8_t *uuid, uint32_t flags,
			    uint16_t off, uint8_t version, const void *data, size_t len)
{
	uint8_t in[32 + 64] = { 0 };

	memcpy(in, uuid, 16);
	le32_put(in + 16, flags);
	le16_put(in + 20, off);
	in[22] = version;
	if (len)
		memcpy(in + 32, data, len);
	return run(f, c, 0x0502, in, 32 + len);
}

/* Get Feature of a whole feature must answer want. */
static void expect_feature(struct fx *f, struct cci *c, const uint8_t *uuid, uint8_t sel,
			   const uint8_t *want, size_t len)
{
	assert_int_equal(get_feature(f, c, uuid, 0, 64, sel), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, len);
	assert_memory_equal(f->out, want, len);
}

/* CXL r3.1 §8.2.9.6.1: the 8 features, 48-byte entries. */
static void test_supported_features(void **state)
{
	struct fx *f = fx_new(mem_config());
	static const struct { const uint8_t *uuid; uint8_t get, set, ver; } e[8] = {
		{ uuid_ps, 4, 2, 1 },     { uuid_ecs, 13, 7, 1 },  { uuid_sppr, 20, 3, 3 },
		{ uuid_hppr, 20, 3, 3 },  { uuid_cl, 19, 2, 1 },   { uuid_row, 19, 2, 1 },
		{ uuid_bank, 19, 2, 1 },  { uuid_rank, 19, 2, 1 },
	};
	uint8_t want[8 + 8 * 48] = { 8, 0, 8, 0 };

	(void)state;
	for (unsigned i = 0; i < 8; i++) {
		uint8_t *p = want + 8 + 48 * i;

		memcpy(p, e[i].uuid, 16);
		p[16] = (uint8_t)i;
		p[18] = e[i].get;
		p[20] = e[i].set;
		p[22] = 0x71; /* changeable, persist across FW update, default + saved selection */
		p[26] = e[i].ver;
		p[27] = e[i].ver;
		p[28] = 0x02; /* immediate configuration change */
		p[29] = 0x02; /* CEL[11:0] valid */
	}
	assert_int_equal(get_supported(f, t3_host_cci(f->dev), 2048, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, sizeof(want));
	assert_memory_equal(f->out, want, sizeof(want));
	/* the FM-owned LD (512-byte limit) and an LD list them all too */
	assert_int_equal(get_supported(f, t3_fm_cci(f->dev), 2048, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want, sizeof(want));
	assert_int_equal(get_supported(f, t3_ld_cci(f->dev, 0), 2048, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want, sizeof(want));
	/* from index 6, room for 5: two; room for one and a half: one; none */
	assert_int_equal(get_supported(f, t3_host_cci(f->dev), 8 + 5 * 48, 6), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 8 + 2 * 48);
	assert_int_equal(le16_get(f->out), 2);
	assert_int_equal(le16_get(f->out + 2), 8);
	assert_memory_equal(f->out + 8, want + 8 + 6 * 48, 2 * 48);
	assert_int_equal(get_supported(f, t3_host_cci(f->dev), 8 + 48 + 24, 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 8 + 48);
	assert_memory_equal(f->out + 8, want + 8 + 48, 48);
	assert_int_equal(get_supported(f, t3_host_cci(f->dev), 8, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 8);
	assert_int_equal(le16_get(f->out), 0);
	/* a count under the header, a start past the last feature, a short request */
	assert_int_equal(get_supported(f, t3_host_cci(f->dev), 7, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(get_supported(f, t3_host_cci(f->dev), 2048, 8), CXL_RC_INVALID_INPUT);
	assert_int_equal(host(f, 0x0500, want, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/* CXL r3.1 §8.2.9.6.2: each feature's readable attributes, pieces, selections, refusals. */
static void test_get_feature(void **state)
{
	struct fx *f = fx_new(mem_config());
	struct cci *h = t3_host_cci(f->dev);
	uint8_t in[0x15] = { 0 };

	(void)state;
	expect_feature(f, h, uuid_ps, 0, ps_default, 4);
	expect_feature(f, h, uuid_ecs, 0, ecs_default, 13);
	expect_feature(f, h, uuid_sppr, 0, sppr_default, 20);
	expect_feature(f, h, uuid_hppr, 0, hppr_default, 20);
	expect_feature(f, h, uuid_row, 0, row_default, 19);
	/* default and saved selections of a new device: the defaults */
	expect_feature(f, h, uuid_ps, 1, ps_default, 4);
	expect_feature(f, h, uuid_ps, 2, ps_default, 4);
	/* a piece; a count past the end gives what is there; a count of 0 */
	assert_int_equal(get_feature(f, h, uuid_ps, 1, 2, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 2);
	assert_memory_equal(f->out, ps_default + 1, 2);
	assert_int_equal(get_feature(f, h, uuid_ecs, 12, 100, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 1);
	assert_int_equal(get_feature(f, h, uuid_ps, 0, 0, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	/* refusals */
	assert_int_equal(get_feature(f, h, uuid_unknown, 0, 4, 0),
			 CXL_RC_UNSUPPORTED);
	assert_int_equal(get_feature(f, h, uuid_ps, 0, 4, 3), CXL_RC_INVALID_INPUT);
	assert_int_equal(get_feature(f, h, uuid_ps, 4, 4, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(get_feature(f, h, uuid_ps, 0, 2049, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(get_feature(f, t3_fm_cci(f->dev), uuid_ps, 0, 513, 0),
			 CXL_RC_INVALID_INPUT);
	assert_int_equal(host(f, 0x0501, in, 0x14), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/* CXL r3.1 §8.2.9.6.3 Set Feature, whole: current, saved, refusals. */
static void test_set_feature(void **state)
{
	struct fx *f = fx_new(mem_config());
	struct cci *h = t3_host_cci(f->dev), *m = t3_fm_cci(f->dev), *ld = t3_ld_cci(f->dev, 0);
	const uint8_t ps_w[2] = { 24, 0xff }, ps_now[4] = { 0x03, 24, 1, 0x01 };
	const uint8_t ecs_w[7] = { 0, 0x13, 0x00, 0x04, 0xff, 0x0d, 0x00 };
	const uint8_t ecs_now[13] = { 0x00, 0x01, 0x03, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00,
				      0x01, 0x0d, 0x00, 0x00 };
	const uint8_t sppr_w[3] = { 0x01, 0x00, 0x00 };
	uint8_t sppr_now[20];

	(void)state;
	/* patrol scrub: 24 h, enabled (reserved flag bits dropped); not saved */
	assert_int_equal(set_feature(f, h, uuid_ps, 0, 0, 1, ps_w, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	expect_feature(f, m, uuid_ps, 0, ps_now, 4);
	expect_feature(f, ld, uuid_ps, 1, ps_default, 4);
	expect_feature(f, ld, uuid_ps, 2, ps_default, 4);
	/* saved across reset: the saved selection shows it */
	assert_int_equal(set_feature(f, m, uuid_ps, 1u << 3, 0, 1, ps_w, 2), CXL_RC_SUCCESS);
	expect_feature(f, h, uuid_ps, 2, ps_now, 4);
	/* ECS: threshold 1024 (4) on FRU 1, codeword mode on FRU 2, FRU 0's counter reset
	 * (an action, not kept), per-DRAM log entries, reserved config bits dropped */
	assert_int_equal(set_feature(f, ld, uuid_ecs, 0, 0, 1, ecs_w, 7), CXL_RC_SUCCESS);
	expect_feature(f, h, uuid_ecs, 0, ecs_now, 13);
	/* sPPR operation mode */
	memcpy(sppr_now, sppr_default, 20);
	sppr_now[3] = 0x01;
	sppr_now[19] = 0x00;
	assert_int_equal(set_feature(f, h, uuid_sppr, 0, 0, 3, sppr_w, 3), CXL_RC_SUCCESS);
	expect_feature(f, h, uuid_sppr, 0, sppr_now, 20);

	/* refusals, none of which changes a value */
	assert_int_equal(set_feature(f, h, uuid_unknown, 0, 0, 1, ps_w, 2), CXL_RC_UNSUPPORTED);
	assert_int_equal(set_feature(f, h, uuid_ps, 5, 0, 1, ps_w, 2), CXL_RC_INVALID_INPUT);
	assert_int_equal(set_feature(f, h, uuid_ps, 0, 0, 2, ps_w, 2),
			 CXL_RC_UNSUPPORTED_FEATURE_VERSION);
	assert_int_equal(set_feature(f, h, uuid_ps, 0, 0, 1, ps_w, 1),
			 CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(set_feature(f, h, uuid_ps, 0, 0, 1, ps_now, 4),
			 CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(set_feature(f, h, uuid_ps, 0, 1, 1, ps_w, 2), CXL_RC_INVALID_INPUT);
	assert_int_equal(set_feature(f, h, uuid_ps, 0, 0, 1, "\0\1", 2), CXL_RC_INVALID_INPUT);
	assert_int_equal(set_feature(f, h, uuid_ecs, 0, 0, 1, "\0\2\0\3\0\3\0", 7),
			 CXL_RC_INVALID_INPUT); /* threshold count 2 */
	assert_int_equal(set_feature(f, h, uuid_ecs, 0, 0, 1, "\0\6\0\3\0\3\0", 7),
			 CXL_RC_INVALID_INPUT); /* threshold count 6 */
	assert_int_equal(set_feature(f, h, uuid_ecs, 0, 0, 1, "\2\3\0\3\0\3\0", 7),
			 CXL_RC_INVALID_INPUT); /* log entry type 2 */
	assert_int_equal(host(f, 0x0502, uuid_ps, 31), CXL_RC_INVALID_PAYLOAD_LENGTH);
	expect_feature(f, h, uuid_ps, 0, ps_now, 4);
	expect_feature(f, h, uuid_ecs, 0, ecs_now, 13);
	fx_free(f);
}

/* Set Feature in parts: Initiate, Continue, Finish; one transfer per device at a time. */
static void test_set_feature_parts(void **state)
{
	struct fx *f = fx_new(mem_config());
	struct cci *h = t3_host_cci(f->dev), *m = t3_fm_cci(f->dev);
	/* the ECS writable attributes (7 bytes) and one more, for too-long requests */
	const uint8_t w[8] = { 0x01, 0x05, 0x00, 0x0c, 0x00, 0x03, 0x00, 0xee };
	const uint8_t now[13] = { 0x01, 0x01, 0x05, 0x00, 0x00, 0x01, 0x0c, 0x00, 0x00,
				  0x01, 0x03, 0x00, 0x00 };

	(void)state;
	assert_int_equal(set_feature(f, h, uuid_ecs, 1, 1, 1, w, 3),
			 CXL_RC_FEATURE_XFER_OUT_OF_ORDER); /* Initiate at 1 */
	assert_int_equal(set_feature(f, h, uuid_ecs, 2, 0, 1, w, 3),
			 CXL_RC_FEATURE_XFER_OUT_OF_ORDER); /* Continue, nothing open */
	assert_int_equal(set_feature(f, h, uuid_ecs, 3, 0, 1, w, 7),
			 CXL_RC_FEATURE_XFER_OUT_OF_ORDER); /* Finish, nothing open */
	assert_int_equal(set_feature(f, h, uuid_ecs, 1, 0, 1, w, 8),
			 CXL_RC_INVALID_PAYLOAD_LENGTH);    /* more than the feature has */
	assert_int_equal(set_feature(f, h, uuid_ecs, 1, 0, 1, w, 3), CXL_RC_SUCCESS);
	/* while it is open: the feature is busy, another feature's set too, not its get */
	assert_int_equal(get_feature(f, m, uuid_ecs, 0, 13, 0), CXL_RC_FEATURE_XFER_IN_PROGRESS);
	expect_feature(f, m, uuid_ps, 0, ps_default, 4);
	assert_int_equal(set_feature(f, m, uuid_ps, 0, 0, 1, "\x10\x01", 2),
			 CXL_RC_FEATURE_XFER_IN_PROGRESS);
	assert_int_equal(set_feature(f, m, uuid_ps, 4, 0, 1, NULL, 0),
			 CXL_RC_FEATURE_XFER_IN_PROGRESS); /* nor abort it */
	assert_int_equal(set_feature(f, h, uuid_ecs, 0, 0, 1, w, 7),
			 CXL_RC_FEATURE_XFER_IN_PROGRESS);
	assert_int_equal(set_feature(f, h, uuid_ecs, 1, 0, 1, w, 3),
			 CXL_RC_FEATURE_XFER_IN_PROGRESS);
	assert_int_equal(set_feature(f, h, uuid_ecs, 2, 2, 1, w + 2, 2),
			 CXL_RC_FEATURE_XFER_OUT_OF_ORDER); /* overlaps */
	assert_int_equal(set_feature(f, h, uuid_ecs, 2, 3, 1, w + 3, 0),
			 CXL_RC_INVALID_PAYLOAD_LENGTH);    /* a Continue without data */
	assert_int_equal(set_feature(f, m, uuid_ecs, 2, 3, 1, w + 3, 2), CXL_RC_SUCCESS);
	assert_int_equal(set_feature(f, h, uuid_ecs, 3, 5, 1, w + 5, 3),
			 CXL_RC_INVALID_PAYLOAD_LENGTH);    /* past the end */
	assert_int_equal(set_feature(f, h, uuid_ecs, 3, 5, 1, w + 5, 2), CXL_RC_SUCCESS);
	expect_feature(f, h, uuid_ecs, 0, now, 13);
	expect_feature(f, h, uuid_ecs, 2, ecs_default, 13); /* not saved */

	/* a Finish that leaves the data short: Invalid Input, the transfer stays open */
	assert_int_equal(set_feature(f, h, uuid_ecs, 1, 0, 1, ecs_default, 3), CXL_RC_SUCCESS);
	assert_int_equal(set_feature(f, h, uuid_ecs, 3, 3, 1, w + 3, 2), CXL_RC_INVALID_INPUT);
	/* Abort ends it, nothing changed */
	assert_int_equal(set_feature(f, h, uuid_ecs, 4, 0, 1, NULL, 0), CXL_RC_SUCCESS);
	expect_feature(f, h, uuid_ecs, 0, now, 13);
	/* a whole value the feature refuses: Invalid Input, and the transfer is over */
	assert_int_equal(set_feature(f, h, uuid_ps, 1, 0, 1, "\0", 1), CXL_RC_SUCCESS);
	assert_int_equal(set_feature(f, h, uuid_ps, (1u << 3) | 3, 1, 1, "\1", 1),
			 CXL_RC_INVALID_INPUT);
	expect_feature(f, h, uuid_ps, 0, ps_default, 4);
	expect_feature(f, h, uuid_ps, 2, ps_default, 4);
	/* saved through a Finish */
	assert_int_equal(set_feature(f, h, uuid_ps, 1, 0, 1, "\x30", 1), CXL_RC_SUCCESS);
	assert_int_equal(set_feature(f, h, uuid_ps, (1u << 3) | 3, 1, 1, "\1", 1), CXL_RC_SUCCESS);
	assert_int_equal(get_feature(f, h, uuid_ps, 1, 1, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0x30);
	fx_free(f);
}

/* Saved values survive the device (FEATURES section); current ones do not. */
static void test_features_persist(void **state)
{
	static uint8_t region[T3_NV_SIZE];
	struct t3_config c = mem_config();
	const uint8_t ps_w[2] = { 6, 1 }, ps_now[4] = { 0x03, 6, 1, 1 };
	const uint8_t row_w[2] = { 0x01, 0x00 };
	struct fx *f;

	(void)state;
	c = fx_with_nv(c, region, sizeof(region));
	f = fx_new(c);
	assert_int_equal(set_feature(f, t3_fm_cci(f->dev), uuid_ps, 1u << 3, 0, 1, ps_w, 2),
			 CXL_RC_SUCCESS);
	assert_int_equal(set_feature(f, t3_host_cci(f->dev), uuid_row, 0, 0, 1, row_w, 2),
			 CXL_RC_SUCCESS);
	fx_free(f);

	f = fx_new(c);
	expect_feature(f, t3_host_cci(f->dev), uuid_ps, 0, ps_now, 4);
	expect_feature(f, t3_host_cci(f->dev), uuid_ps, 2, ps_now, 4);
	expect_feature(f, t3_host_cci(f->dev), uuid_ps, 1, ps_default, 4);
	expect_feature(f, t3_host_cci(f->dev), uuid_row, 0, row_default, 19);
	fx_free(f);
}

/* A FEATURES section that is not one we wrote: ignored, per feature where it can be. */
static void test_features_nv_unusable(void **state)
{
	static uint8_t region[T3_NV_SIZE];
	struct t3_config c = mem_config();
	uint8_t sec[0x90];
	struct fx *f;

	(void)state;
	c = fx_with_nv(c, region, sizeof(region));
	f = fx_new(c);
	assert_int_equal(set_feature(f, t3_host_cci(f->dev), uuid_ps, 1u << 3, 0, 1, "\x07\1", 2),
			 CXL_RC_SUCCESS);
	assert_int_equal(set_feature(f, t3_host_cci(f->dev), uuid_cl, 1u << 3, 0, 1, "\2\0", 2),
			 CXL_RC_SUCCESS);
	assert_int_equal(t3_nv_load(f->dev, T3_NV_FEATURES, sec, sizeof(sec)), 0);
	assert_memory_equal(sec, "T3FE\x01", 5);
	assert_memory_equal(sec + 0x10, "\x01\x02\x07\x01", 4);  /* patrol scrub */
	assert_memory_equal(sec + 0x50, "\x01\x02\x02\x00", 4);  /* cacheline sparing */
	/* patrol scrub's saved cycle of 0: refused on load, the other kept */
	sec[0x12] = 0;
	assert_int_equal(t3_nv_store(f->dev, T3_NV_FEATURES, sec, sizeof(sec)), 0);
	fx_free(f);
	f = fx_new(c);
	expect_feature(f, t3_host_cci(f->dev), uuid_ps, 0, ps_default, 4);
	assert_int_equal(get_feature(f, t3_host_cci(f->dev), uuid_cl, 3, 1, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 2);
	/* a length that is not the feature's: refused */
	assert_int_equal(t3_nv_load(f->dev, T3_NV_FEATURES, sec, sizeof(sec)), 0);
	sec[0x51] = 3;
	assert_int_equal(t3_nv_store(f->dev, T3_NV_FEATURES, sec, sizeof(sec)), 0);
	fx_free(f);
	f = fx_new(c);
	assert_int_equal(get_feature(f, t3_host_cci(f->dev), uuid_cl, 3, 1, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0);
	/* an unknown format: all defaults */
	assert_int_equal(set_feature(f, t3_host_cci(f->dev), uuid_ps, 1u << 3, 0, 1, "\x07\1", 2),
			 CXL_RC_SUCCESS);
	assert_int_equal(t3_nv_load(f->dev, T3_NV_FEATURES, sec, sizeof(sec)), 0);
	sec[4] = 9;
	assert_int_equal(t3_nv_store(f->dev, T3_NV_FEATURES, sec, sizeof(sec)), 0);
	fx_free(f);
	f = fx_new(c);
	expect_feature(f, t3_host_cci(f->dev), uuid_ps, 0, ps_default, 4);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_supported_features),
		cmocka_unit_test(test_get_feature),
		cmocka_unit_test(test_set_feature),
		cmocka_unit_test(test_set_feature_parts),
		cmocka_unit_test(test_features_persist),
		cmocka_unit_test(test_features_nv_unusable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
