/* SPDX-License-Identifier: MIT */
/*
 * Type-3 dynamic capacity through the device's CCIs: the host DCD set
 * (48xxh), the FM DCD management set (56xxh), DC event records, the whole
 * add / accept / release lifecycle with memory, and the QMP entry points.
 * The fixture device has 256 MiB volatile capacity and two 256 MiB DC
 * regions at DPA 0x10000000 and 0x20000000, 2 MiB blocks.
 */
#include <errno.h>
#include <unistd.h>

#include "t3_fixture.h"
#include "util/memguard.h"

struct rng {
	uint64_t start, len;
};

/* Initiate DC Add / Release request: 32-byte header, then 40-byte extents. */
static size_t fm_req(uint8_t *b, uint8_t policy, uint8_t region, uint64_t length,
		     uint8_t tag, const struct rng *e, size_t n)
{
	memset(b, 0, 32 + 40 * n);
	b[2] = policy;
	b[3] = region;
	le64_put(b + 4, length);
	memset(b + 12, tag, 16);
	le32_put(b + 28, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		le64_put(b + 32 + 40 * i, e[i].start);
		le64_put(b + 40 + 40 * i, e[i].len);
		memset(b + 48 + 40 * i, tag, 16);
	}
	return 32 + 40 * n;
}

/* Add DC Response / Release DC request: count, flags, updated extents. */
static size_t upd_req(uint8_t *b, const struct rng *e, size_t n)
{
	memset(b, 0, 8 + 24 * n);
	le32_put(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		le64_put(b + 8 + 24 * i, e[i].start);
		le64_put(b + 16 + 24 * i, e[i].len);
	}
	return 8 + 24 * n;
}

static uint16_t fm_add(struct fx *f, const struct rng *e, size_t n, uint8_t tag)
{
	uint8_t b[32 + 40 * 16];

	return fm(f, 0x5604, b, fm_req(b, 2, 0, 0, tag, e, n));
}

static uint16_t fm_release(struct fx *f, uint8_t flags, const struct rng *e, size_t n)
{
	uint8_t b[32 + 40 * 16];

	return fm(f, 0x5605, b, fm_req(b, flags, 0, 0, 0, e, n));
}

static uint16_t host_accept(struct fx *f, const struct rng *e, size_t n)
{
	uint8_t b[8 + 24 * 16];

	return host(f, 0x4802, b, upd_req(b, e, n));
}

static uint16_t host_release(struct fx *f, const struct rng *e, size_t n)
{
	uint8_t b[8 + 24 * 16];

	return host(f, 0x4803, b, upd_req(b, e, n));
}

/* Get Event Records of the DC log; returns the record count (records at out+32). */
static unsigned dc_events(struct fx *f)
{
	uint8_t log = EV_LOG_DCD;

	assert_int_equal(host(f, 0x0100, &log, 1), CXL_RC_SUCCESS);
	return le16_get(f->out + 20);
}

static void clear_dc_events(struct fx *f)
{
	const uint8_t all[6] = { EV_LOG_DCD, 1, 0, 0, 0, 0 };

	assert_int_equal(host(f, 0x0101, all, 6), CXL_RC_SUCCESS);
}

static void add_accept(struct fx *f, uint64_t start, uint64_t len, uint8_t tag)
{
	struct rng e = { start, len };

	assert_int_equal(fm_add(f, &e, 1, tag), CXL_RC_SUCCESS);
	assert_int_equal(host_accept(f, &e, 1), CXL_RC_SUCCESS);
	clear_dc_events(f);
}

static uint32_t fm_total_extents(struct fx *f)
{
	const uint8_t in[12] = { 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0 };

	assert_int_equal(fm(f, 0x5603, in, 12), CXL_RC_SUCCESS);
	return le32_get(f->out + 12);
}

static const uint8_t dcd_uuid[16] = {
	0xca, 0x95, 0xaf, 0xa7, 0xf1, 0x83, 0x40, 0x18,
	0x8c, 0x2f, 0x95, 0x26, 0x8e, 0x10, 0x1a, 0x2a,
};

/* ---- CEL ---------------------------------------------------------------- */

/* The CEL lists every set's commands in opcode order. */
static const uint16_t cel_host_dcd[][2] = {
	CEL_T3_HOST_ROWS, CEL_MEM, CEL_MEDIA, CEL_SEC_HOST, CEL_QOS,
	{ 0x4800, 0x00 }, { 0x4801, 0x00 }, { 0x4802, 0x04 }, { 0x4803, 0x04 },
};
static const uint16_t cel_fm_dcd[][2] = {
	CEL_T3_FM_ROWS, CEL_MEM, CEL_MEDIA, CEL_SEC_MCTP, CEL_QOS, { 0x5300, 0 },
	{ 0x5600, 0 }, { 0x5601, 0 }, { 0x5602, 0x607 }, { 0x5603, 0 },
	{ 0x5604, 0x607 }, { 0x5605, 0x607 },
};
static const uint16_t cel_fm_mld_dcd[][2] = {
	CEL_T3_FM_ROWS, CEL_MEM, CEL_MEDIA, CEL_SEC_MCTP, { 0x5300, 0 }, CEL_MLD,
	{ 0x5600, 0 }, { 0x5601, 0 }, { 0x5602, 0x607 }, { 0x5603, 0 },
	{ 0x5604, 0x607 }, { 0x5605, 0x607 },
};

static void test_cel(void **state)
{
	struct t3_config c = dcd_config();
	struct fx *f = fx_new(c), *g;

	(void)state;
	check_cel(f, t3_host_cci(f->dev), cel_host_dcd,
		  sizeof(cel_host_dcd) / sizeof(cel_host_dcd[0]));
	check_cel(f, t3_fm_cci(f->dev), cel_fm_dcd, sizeof(cel_fm_dcd) / sizeof(cel_fm_dcd[0]));
	c.num_ld = 3;
	g = fx_new(c);
	check_cel(g, t3_fm_cci(g->dev), cel_fm_mld_dcd,
		  sizeof(cel_fm_mld_dcd) / sizeof(cel_fm_mld_dcd[0]));
	fx_free(g);
	fx_free(f);
}

/* ---- configuration commands ------------------------------------------------ */

/* CXL r3.1 §8.2.9.9.9.1 Get Dynamic Capacity Configuration output payload. */
static void test_get_dc_config(void **state)
{
	struct fx *f = fx_new(dcd_config());
	uint8_t in[2] = { 2, 0 };
	const uint8_t want[104] = {
		[0] = 2, [1] = 2,
		[8 + 3] = 0x10, [8 + 8] = 1, [8 + 19] = 0x10, [8 + 26] = 0x20, [8 + 32] = 1,
		[48 + 3] = 0x20, [48 + 8] = 1, [48 + 19] = 0x10, [48 + 26] = 0x20, [48 + 32] = 2,
		[88 + 1] = 2, [92 + 1] = 2, [96 + 1] = 2, [100 + 1] = 2,
	};

	(void)state;
	assert_int_equal(host(f, 0x4800, in, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, sizeof(want));
	assert_memory_equal(f->out, want, sizeof(want));
	in[0] = 1;
	in[1] = 1;
	assert_int_equal(host(f, 0x4800, in, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 8 + 40 + 16);
	assert_int_equal(f->out[1], 1);
	assert_int_equal(le64_get(f->out + 8), R1);
	in[0] = 0;
	assert_int_equal(host(f, 0x4800, in, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 8 + 16);
	in[1] = 2;
	assert_int_equal(host(f, 0x4800, in, 2), CXL_RC_INVALID_INPUT);
	assert_int_equal(host(f, 0x4800, in, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/* CXL r3.1 §7.6.7.6.1 Get DCD Info response payload. */
static void test_get_dcd_info(void **state)
{
	struct fx *f = fx_new(dcd_config());
	const uint8_t want[84] = {
		[0] = 1, [1] = 2, [4] = 0x07, [8] = 0x03, [10] = 0x03, [12] = 2,
		[20 + 2] = 0x20, [28 + 2] = 0x20,
	};

	(void)state;
	assert_int_equal(fm(f, 0x5600, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 84);
	assert_memory_equal(f->out, want, 84);
	assert_int_equal(fm(f, 0x5600, want, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/* CXL r3.1 §7.6.7.6.2 Get Host DC Region Configuration response payload. */
static void test_get_host_dc_region_config(void **state)
{
	struct fx *f = fx_new(dcd_config());
	uint8_t in[4] = { 0, 0, 2, 0 };
	const uint8_t want[100] = {
		[2] = 2, [3] = 2,
		[4 + 3] = 0x10, [4 + 8] = 1, [4 + 19] = 0x10, [4 + 26] = 0x20,
		[44 + 3] = 0x20, [44 + 8] = 1, [44 + 19] = 0x10, [44 + 26] = 0x20,
		[84 + 1] = 2, [88 + 1] = 2, [92 + 1] = 2, [96 + 1] = 2,
	};

	(void)state;
	assert_int_equal(fm(f, 0x5601, in, 4), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, sizeof(want));
	assert_memory_equal(f->out, want, sizeof(want));
	in[3] = 2;
	assert_int_equal(fm(f, 0x5601, in, 4), CXL_RC_INVALID_INPUT);
	assert_int_equal(fm(f, 0x5601, in, 3), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/* Set DC Region Configuration and the Region Configuration Updated record. */
static void test_set_dc_region_config(void **state)
{
	struct t3_config c = dcd_config();
	struct fx *f;
	uint8_t in[16] = { 1, 0, 0, 0, [4 + 2] = 0x80, [12] = 0x01 }; /* 8 MiB, sanitize */
	const uint8_t rec[128] = {
		0xca, 0x95, 0xaf, 0xa7, 0xf1, 0x83, 0x40, 0x18,
		0x8c, 0x2f, 0x95, 0x26, 0x8e, 0x10, 0x1a, 0x2a,
		[16] = 128, [20] = 1,
		[48] = 3, [49] = 1, [52] = 1,
		[120] = 0x00, [121] = 0x02, [124] = 0x00, [125] = 0x02,
	};
	uint8_t cfg_in[2] = { 1, 1 };
	struct rng e = { R0, BS };

	(void)state;
	c.dc_block_size_mask = BS | 8 * MiB;
	f = fx_new(c);
	assert_int_equal(fm(f, 0x5602, in, 16), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(dc_events(f), 1);
	assert_memory_equal(f->out + 32, rec, 128);
	assert_int_equal(host(f, 0x4800, cfg_in, 2), CXL_RC_SUCCESS);
	assert_int_equal(le64_get(f->out + 8 + 24), 8 * MiB);
	assert_int_equal(f->out[8 + 36], 0x01);
	/* the same again: success, no event */
	assert_int_equal(fm(f, 0x5602, in, 16), CXL_RC_SUCCESS);
	assert_int_equal(dc_events(f), 1);
	/* a region holding capacity cannot change */
	assert_int_equal(fm_add(f, &e, 1, 0), CXL_RC_SUCCESS);
	in[0] = 0;
	assert_int_equal(fm(f, 0x5602, in, 16), CXL_RC_UNSUPPORTED);
	in[0] = 1;
	le64_put(in + 4, 4 * MiB); /* not in the supported mask */
	assert_int_equal(fm(f, 0x5602, in, 16), CXL_RC_INVALID_INPUT);
	le64_put(in + 4, 6 * MiB);
	assert_int_equal(fm(f, 0x5602, in, 16), CXL_RC_INVALID_INPUT);
	le64_put(in + 4, BS);
	in[0] = 2;
	assert_int_equal(fm(f, 0x5602, in, 16), CXL_RC_INVALID_INPUT);
	assert_int_equal(fm(f, 0x5602, in, 15), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/* ---- add: records, lists ------------------------------------------------------ */

/*
 * Initiate DC Add: DC Add Capacity records (CXL r3.1 §8.2.9.2.1.6) byte for
 * byte with the More chain, then the lists the host and the FM see.
 */
static void test_add_records_and_lists(void **state)
{
	struct fx *f = fx_new(dcd_config());
	const struct rng add[2] = { { R0, 4 * BS }, { R1 + BS, BS } };
	const struct rng acc[2] = { { R0 + BS, 2 * BS }, { R1 + BS, BS } };
	uint8_t rec0[128] = {
		0xca, 0x95, 0xaf, 0xa7, 0xf1, 0x83, 0x40, 0x18,
		0x8c, 0x2f, 0x95, 0x26, 0x8e, 0x10, 0x1a, 0x2a,
		[16] = 128, [20] = 1, [24] = 0x10, [25] = 0x10,
		[48] = 0, [49] = 1, [53] = 1,
		[59] = 0x10, [66] = 0x80,
		[120] = 0xfe, [121] = 0x01, [124] = 0xff, [125] = 0x01,
	};
	uint8_t rec1[128] = {
		0xca, 0x95, 0xaf, 0xa7, 0xf1, 0x83, 0x40, 0x18,
		0x8c, 0x2f, 0x95, 0x26, 0x8e, 0x10, 0x1a, 0x2a,
		[16] = 128, [20] = 2, [24] = 0x10, [25] = 0x10,
		[48] = 0, [49] = 1, [53] = 0,
		[58] = 0x20, [59] = 0x20, [66] = 0x20,
		[120] = 0xfe, [121] = 0x01, [124] = 0xff, [125] = 0x01,
	};
	uint8_t fm_list[104] = {
		[8] = 2, [12] = 2, [16] = 1,
		[24 + 2] = 0x20, [24 + 3] = 0x10, [24 + 10] = 0x40,
		[64 + 2] = 0x20, [64 + 3] = 0x20, [64 + 10] = 0x20,
	};
	uint8_t host_list[96] = {
		[0] = 2, [4] = 2, [8] = 1,
		[16 + 2] = 0x20, [16 + 3] = 0x10, [16 + 10] = 0x40,
		[56 + 2] = 0x20, [56 + 3] = 0x20, [56 + 10] = 0x20,
	};
	uint8_t in12[12] = { [4] = 10 }, in8[8] = { 10 }, ts[8];

	(void)state;
	memset(rec0 + 72, 0xaa, 16);
	memset(rec1 + 72, 0xaa, 16);
	memset(fm_list + 24 + 16, 0xaa, 16);
	memset(fm_list + 64 + 16, 0xaa, 16);
	memset(host_list + 16 + 16, 0xaa, 16);
	memset(host_list + 56 + 16, 0xaa, 16);
	le64_put(ts, 0x1000);
	assert_int_equal(host(f, 0x0301, ts, 8), 0);
	now_ns = 0x10;
	assert_int_equal(fm_add(f, add, 2, 0xaa), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(f->notified[EV_LOG_DCD], 2);
	assert_int_equal(dc_events(f), 2);
	assert_memory_equal(f->out + 32, rec0, 128);
	assert_memory_equal(f->out + 160, rec1, 128);
	/* nothing accepted yet: empty lists */
	assert_int_equal(fm(f, 0x5603, in12, 12), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 24);
	assert_int_equal(le32_get(f->out + 12), 0);
	/* the host takes part of the first extent and the second */
	assert_int_equal(host_accept(f, acc, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(fm(f, 0x5603, in12, 12), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, sizeof(fm_list));
	assert_memory_equal(f->out, fm_list, sizeof(fm_list));
	assert_int_equal(host(f, 0x4801, in8, 8), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, sizeof(host_list));
	assert_memory_equal(f->out, host_list, sizeof(host_list));
	/* paging: one extent from index 1 */
	le32_put(in8, 1);
	le32_put(in8 + 4, 1);
	assert_int_equal(host(f, 0x4801, in8, 8), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 16 + 40);
	assert_int_equal(le32_get(f->out), 1);
	assert_int_equal(le64_get(f->out + 16), R1 + BS);
	le32_put(in12 + 4, 1);
	le32_put(in12 + 8, 2); /* start == total: empty */
	assert_int_equal(fm(f, 0x5603, in12, 12), CXL_RC_SUCCESS);
	assert_int_equal(le32_get(f->out + 4), 2);
	assert_int_equal(le32_get(f->out + 8), 0);
	fx_free(f);
}

/* Extent lists are bounded by the response size (512-byte MCTP CCI). */
static void test_list_bounded(void **state)
{
	struct fx *f = fx_new(dcd_config());
	uint8_t in12[12] = { [4] = 100 };

	(void)state;
	for (uint64_t i = 0; i < 20; i++)
		add_accept(f, R0 + 2 * i * BS, BS, 0);
	assert_int_equal(fm(f, 0x5603, in12, 12), CXL_RC_SUCCESS);
	assert_int_equal(le32_get(f->out + 8), (512 - 24) / 40);
	assert_int_equal(le32_get(f->out + 12), 20);
	assert_int_equal(le32_get(f->out + 16), 20); /* generation: one per answer */
	fx_free(f);
}

static void test_add_errors(void **state)
{
	struct t3_config c = dcd_config();
	struct fx *f = fx_new(c);
	uint8_t b[32 + 40 * 4];
	struct rng e[3];
	size_t len;

	(void)state;
	e[0] = (struct rng){ R0, BS };
	len = fm_req(b, 2, 0, 0, 0, e, 1);
	assert_int_equal(fm(f, 0x5604, b, 31), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(fm(f, 0x5604, b, len - 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	le32_put(b + 28, 2);
	assert_int_equal(fm(f, 0x5604, b, len), CXL_RC_INVALID_PAYLOAD_LENGTH);
	le32_put(b + 28, 1);
	b[2] = 4;
	assert_int_equal(fm(f, 0x5604, b, len), CXL_RC_INVALID_INPUT);
	b[2] = 2;
	/* prescriptive without extents */
	assert_int_equal(fm(f, 0x5604, b, fm_req(b, 2, 0, 0, 0, e, 0)), CXL_RC_INVALID_INPUT);
	/* outside DC: static capacity, past the end, across regions */
	e[0] = (struct rng){ 0, BS };
	assert_int_equal(fm_add(f, e, 1, 0), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	e[0] = (struct rng){ VMEM + DCSZ, BS };
	assert_int_equal(fm_add(f, e, 1, 0), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	e[0] = (struct rng){ R1 - BS, 2 * BS };
	assert_int_equal(fm_add(f, e, 1, 0), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	/* unaligned start, unaligned length, zero length */
	e[0] = (struct rng){ R0 + MiB, BS };
	assert_int_equal(fm_add(f, e, 1, 0), CXL_RC_INVALID_EXTENT_LIST);
	e[0] = (struct rng){ R0, 3 * MiB };
	assert_int_equal(fm_add(f, e, 1, 0), CXL_RC_INVALID_EXTENT_LIST);
	e[0] = (struct rng){ R0, 0 };
	assert_int_equal(fm_add(f, e, 1, 0), CXL_RC_INVALID_EXTENT_LIST);
	/* overlapping each other */
	e[0] = (struct rng){ R0, 2 * BS };
	e[1] = (struct rng){ R0 + BS, 2 * BS };
	assert_int_equal(fm_add(f, e, 2, 0), CXL_RC_INVALID_EXTENT_LIST);
	/* overlapping pending, then accepted capacity */
	e[0] = (struct rng){ R0, 2 * BS };
	assert_int_equal(fm_add(f, e, 1, 0), CXL_RC_SUCCESS);
	e[0] = (struct rng){ R0 + BS, 2 * BS };
	assert_int_equal(fm_add(f, e, 1, 0), CXL_RC_INVALID_EXTENT_LIST);
	e[0] = (struct rng){ R0, 2 * BS };
	assert_int_equal(host_accept(f, e, 1), CXL_RC_SUCCESS);
	assert_int_equal(fm_add(f, e, 1, 0), CXL_RC_INVALID_EXTENT_LIST);
	assert_int_equal(dc_events(f), 1); /* only the good add was announced */
	fx_free(f);
	/* more extents than the device tracks */
	c.dc_extents_max = 2;
	f = fx_new(c);
	e[0] = (struct rng){ R0, BS };
	e[1] = (struct rng){ R0 + 2 * BS, BS };
	e[2] = (struct rng){ R0 + 4 * BS, BS };
	assert_int_equal(fm_add(f, e, 3, 0), CXL_RC_RESOURCES_EXHAUSTED);
	fx_free(f);
	/* more records than the DC event log can hold */
	c = dcd_config();
	c.dc_event_log_size = 2;
	f = fx_new(c);
	assert_int_equal(fm_add(f, e, 3, 0), CXL_RC_RESOURCES_EXHAUSTED);
	assert_int_equal(fm_add(f, e, 2, 0), CXL_RC_SUCCESS);
	assert_int_equal(fm_add(f, e + 2, 1, 0), CXL_RC_RESOURCES_EXHAUSTED);
	fx_free(f);
}

/* Free, contiguous and enable-shared-access selection. */
static void test_add_policies(void **state)
{
	struct t3_config c = dcd_config();
	struct fx *f = fx_new(c);
	uint8_t b[32 + 40];
	struct rng e = { R1 + 2 * BS, BS };

	(void)state;
	/* region 1, block 2 taken: free picks blocks 0-1 and 3-4 */
	assert_int_equal(fm_add(f, &e, 1, 0), CXL_RC_SUCCESS);
	assert_int_equal(fm(f, 0x5604, b, fm_req(b, 0, 1, 4 * BS, 0x33, NULL, 0)), 0);
	assert_int_equal(dc_events(f), 3);
	assert_int_equal(le64_get(f->out + 160 + 56), R1);
	assert_int_equal(le64_get(f->out + 160 + 64), 2 * BS);
	assert_int_equal(f->out[160 + 72], 0x33);
	assert_int_equal(f->out[160 + 53], 1);
	assert_int_equal(le64_get(f->out + 288 + 56), R1 + 3 * BS);
	assert_int_equal(le64_get(f->out + 288 + 64), 2 * BS);
	assert_int_equal(f->out[288 + 53], 0);
	clear_dc_events(f);
	/* contiguous: the first free run of 3 blocks in region 1 */
	assert_int_equal(fm(f, 0x5604, b, fm_req(b, 1, 1, 3 * BS, 0, NULL, 0)), 0);
	assert_int_equal(dc_events(f), 1);
	assert_int_equal(le64_get(f->out + 32 + 56), R1 + 5 * BS);
	clear_dc_events(f);
	/* errors */
	assert_int_equal(fm(f, 0x5604, b, fm_req(b, 1, 2, BS, 0, NULL, 0)), CXL_RC_INVALID_INPUT);
	assert_int_equal(fm(f, 0x5604, b, fm_req(b, 0, 0, 0, 0, NULL, 0)), CXL_RC_INVALID_INPUT);
	assert_int_equal(fm(f, 0x5604, b, fm_req(b, 0, 0, MiB, 0, NULL, 0)),
			 CXL_RC_INVALID_INPUT);
	assert_int_equal(fm(f, 0x5604, b, fm_req(b, 0, 0, 512 * MiB, 0, NULL, 0)),
			 CXL_RC_RESOURCES_EXHAUSTED);
	/* shared access on a non-sharable region */
	e = (struct rng){ R0, BS };
	assert_int_equal(fm(f, 0x5604, b, fm_req(b, 3, 0, 0, 0, &e, 1)), CXL_RC_INVALID_INPUT);
	fx_free(f);
	c.dc_sharable = true;
	f = fx_new(c);
	assert_int_equal(fm(f, 0x5600, NULL, 0), 0);
	assert_int_equal(le16_get(f->out + 4), 0x0f);
	fm_req(b, 3, 0, 0, 0, &e, 1);
	le16_put(b + 32 + 32, 5); /* shared extent sequence */
	assert_int_equal(fm(f, 0x5604, b, sizeof(b)), CXL_RC_SUCCESS);
	assert_int_equal(dc_events(f), 1);
	assert_int_equal(le16_get(f->out + 32 + 88), 5);
	{
		uint8_t in4[4] = { 0, 0, 1, 0 };

		assert_int_equal(fm(f, 0x5601, in4, 4), 0);
		assert_int_equal(f->out[4 + 32], 0x08); /* DSMAS sharable */
	}
	fx_free(f);
}

/* ---- release ------------------------------------------------------------------ */

static void test_release(void **state)
{
	struct fx *f = fx_new(dcd_config());
	struct rng r = { R0 + 2 * BS, 2 * BS };
	uint8_t b[32], data[4] = { 1, 2, 3, 4 };
	uint8_t rec[128] = {
		0xca, 0x95, 0xaf, 0xa7, 0xf1, 0x83, 0x40, 0x18,
		0x8c, 0x2f, 0x95, 0x26, 0x8e, 0x10, 0x1a, 0x2a,
		[16] = 128, [20] = 2, /* handle 1 was the cleared add */
		[48] = 1, [49] = 1,
		[58] = 0x40, [59] = 0x10, [66] = 0x40,
		[120] = 0xff, [121] = 0x01, [124] = 0xff, [125] = 0x01,
	};

	(void)state;
	add_accept(f, R0, 8 * BS, 0x77);
	/* prescriptive: Release Capacity, the host keeps using it meanwhile */
	assert_int_equal(fm_release(f, 0x01, &r, 1), CXL_RC_SUCCESS);
	assert_int_equal(dc_events(f), 1);
	assert_memory_equal(f->out + 32, rec, 128);
	assert_int_equal(t3_mem_access(f->dev, R0 + 2 * BS, data, 4, true), 0);
	assert_int_equal(fm_total_extents(f), 1);
	clear_dc_events(f);
	/* forced: Forced Capacity Release, gone at once */
	r = (struct rng){ R0 + 6 * BS, 2 * BS };
	assert_int_equal(fm_release(f, 0x11, &r, 1), CXL_RC_SUCCESS);
	assert_int_equal(dc_events(f), 1);
	assert_int_equal(f->out[32 + 48], 2);
	assert_int_equal(le64_get(f->out + 32 + 56), R0 + 6 * BS);
	assert_int_equal(t3_mem_access(f->dev, R0 + 6 * BS, data, 4, false), -EFAULT);
	assert_int_equal(fm_total_extents(f), 1);
	assert_int_equal(le32_get(f->out + 16), 2); /* generation */
	assert_int_equal(le64_get(f->out + 24 + 8), 6 * BS);
	clear_dc_events(f);
	/* tag based while blocks 2..3 of the extent still wait for the host:
	 * refused (a second Release Capacity for them); then the host gives
	 * them back and the tag's two remaining extents are asked for */
	fm_req(b, 0x00, 0, 0, 0x77, NULL, 0);
	assert_int_equal(fm(f, 0x5605, b, 32), CXL_RC_INVALID_EXTENT_LIST);
	r = (struct rng){ R0 + 2 * BS, 2 * BS };
	assert_int_equal(host_release(f, &r, 1), CXL_RC_SUCCESS);
	clear_dc_events(f);
	fm_req(b, 0x00, 0, 0, 0x77, NULL, 0);
	assert_int_equal(fm(f, 0x5605, b, 32), CXL_RC_SUCCESS);
	assert_int_equal(dc_events(f), 2);
	assert_int_equal(f->out[32 + 48], 1);
	assert_int_equal(le64_get(f->out + 32 + 56), R0);
	assert_int_equal(le64_get(f->out + 32 + 64), 2 * BS);
	assert_int_equal(f->out[32 + 72], 0x77);
	assert_int_equal(le64_get(f->out + 32 + 128 + 56), R0 + 4 * BS);
	/* tag errors: zero tag, unknown tag */
	fm_req(b, 0x00, 0, 0, 0x00, NULL, 0);
	assert_int_equal(fm(f, 0x5605, b, 32), CXL_RC_INVALID_INPUT);
	fm_req(b, 0x00, 0, 0, 0x78, NULL, 0);
	assert_int_equal(fm(f, 0x5605, b, 32), CXL_RC_INVALID_INPUT);
	fm_req(b, 0x00, 2, 0, 0x77, NULL, 0);
	assert_int_equal(fm(f, 0x5605, b, 32), CXL_RC_INVALID_INPUT);
	fx_free(f);
}

static void test_release_errors(void **state)
{
	struct t3_config c = dcd_config();
	struct fx *f = fx_new(c);
	struct rng r;
	uint8_t b[32 + 40];

	(void)state;
	add_accept(f, R0, 4 * BS, 0);
	r = (struct rng){ R0 + 20 * BS, BS };
	assert_int_equal(fm_add(f, &r, 1, 0), CXL_RC_SUCCESS);
	/* removal policy 2 is reserved */
	r = (struct rng){ R0, BS };
	assert_int_equal(fm_release(f, 0x02, &r, 1), CXL_RC_INVALID_INPUT);
	/* pending capacity, with and without forced removal */
	r = (struct rng){ R0 + 20 * BS, BS };
	assert_int_equal(fm_release(f, 0x01, &r, 1), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(fm_release(f, 0x11, &r, 1), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	/* capacity the host never had, partly or at all */
	r = (struct rng){ R0 + 2 * BS, 4 * BS };
	assert_int_equal(fm_release(f, 0x01, &r, 1), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	r = (struct rng){ R1, BS };
	assert_int_equal(fm_release(f, 0x01, &r, 1), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	/* outside the regions */
	r = (struct rng){ 0, BS };
	assert_int_equal(fm_release(f, 0x01, &r, 1), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	/* unaligned */
	r = (struct rng){ R0 + MiB, BS };
	assert_int_equal(fm_release(f, 0x01, &r, 1), CXL_RC_INVALID_EXTENT_LIST);
	/* no extents */
	assert_int_equal(fm_release(f, 0x01, &r, 0), CXL_RC_INVALID_INPUT);
	/* lengths */
	r = (struct rng){ R0, BS };
	fm_req(b, 0x01, 0, 0, 0, &r, 1);
	assert_int_equal(fm(f, 0x5605, b, sizeof(b) - 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(fm(f, 0x5605, b, 31), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(dc_events(f), 1); /* only the add */
	fx_free(f);
	/* a split beyond the extents the device can track */
	c.dc_extents_max = 1;
	f = fx_new(c);
	add_accept(f, R0, 4 * BS, 0);
	r = (struct rng){ R0 + BS, BS };
	assert_int_equal(fm_release(f, 0x01, &r, 1), CXL_RC_RESOURCES_EXHAUSTED);
	assert_int_equal(host_release(f, &r, 1), CXL_RC_RESOURCES_EXHAUSTED);
	fx_free(f);
}

/* ---- host responses: errors ------------------------------------------------------ */

static void test_add_response_errors(void **state)
{
	struct t3_config c = dcd_config();
	struct fx *f = fx_new(c);
	struct rng r[2];
	uint8_t b[8 + 24];

	(void)state;
	/* nothing pending */
	assert_int_equal(host_accept(f, r, 0), CXL_RC_INVALID_INPUT);
	r[0] = (struct rng){ R0, BS };
	assert_int_equal(host_accept(f, r, 1), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	r[0] = (struct rng){ R0, 4 * BS };
	assert_int_equal(fm_add(f, r, 1, 0), 0);
	/* lengths */
	upd_req(b, r, 1);
	assert_int_equal(host(f, 0x4802, b, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x4802, b, 8), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* outside the offer, unaligned, overlapping */
	r[0] = (struct rng){ R0 + 3 * BS, 2 * BS };
	assert_int_equal(host_accept(f, r, 1), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	r[0] = (struct rng){ R0 + MiB, BS };
	assert_int_equal(host_accept(f, r, 1), CXL_RC_INVALID_EXTENT_LIST);
	r[0] = (struct rng){ R0, 2 * BS };
	r[1] = (struct rng){ R0 + BS, BS };
	assert_int_equal(host_accept(f, r, 2), CXL_RC_INVALID_EXTENT_LIST);
	r[0] = (struct rng){ 0, BS };
	assert_int_equal(host_accept(f, r, 1), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	/* the offer is still there after all that */
	r[0] = (struct rng){ R0, 4 * BS };
	assert_int_equal(host_accept(f, r, 1), CXL_RC_SUCCESS);
	fx_free(f);
	/* accepting more pieces than the device can track */
	c.dc_extents_max = 2;
	f = fx_new(c);
	add_accept(f, R1, BS, 0);
	r[0] = (struct rng){ R0, 4 * BS };
	assert_int_equal(fm_add(f, r, 1, 0), 0);
	r[0] = (struct rng){ R0, BS };
	r[1] = (struct rng){ R0 + 2 * BS, BS };
	assert_int_equal(host_accept(f, r, 2), CXL_RC_RESOURCES_EXHAUSTED);
	assert_int_equal(host_accept(f, r, 1), CXL_RC_SUCCESS); /* 2 of 2 is fine */
	fx_free(f);
}

/* A host that declines (n = 0): the offer is dropped, its capacity free again. */
static void test_add_response_decline(void **state)
{
	struct fx *f = fx_new(dcd_config());
	struct rng r[2] = { { R0, 2 * BS }, { R0 + 4 * BS, BS } };

	(void)state;
	assert_int_equal(fm_add(f, r, 2, 0), CXL_RC_SUCCESS);
	assert_int_equal(fm_add(f, r, 1, 0), CXL_RC_INVALID_EXTENT_LIST);
	assert_int_equal(host_accept(f, r, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(fm_total_extents(f), 0);
	assert_int_equal(le32_get(f->out + 16), 0); /* nothing accepted: same generation */
	assert_int_equal(dcd_extents_tracked(t3_dcd(f->dev)), 0);
	assert_int_equal(fm_add(f, r, 2, 0), CXL_RC_SUCCESS);
	fx_free(f);
}

static void test_release_dc_errors(void **state)
{
	struct fx *f = fx_new(dcd_config());
	struct rng r = { R0, BS };
	uint8_t b[8 + 24];

	(void)state;
	add_accept(f, R0, 4 * BS, 0);
	assert_int_equal(host_release(f, &r, 0), CXL_RC_INVALID_INPUT);
	upd_req(b, &r, 1);
	assert_int_equal(host(f, 0x4803, b, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x4803, b, 8), CXL_RC_INVALID_PAYLOAD_LENGTH);
	r = (struct rng){ R0 + 2 * BS, 4 * BS };
	assert_int_equal(host_release(f, &r, 1), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	r = (struct rng){ R0 + MiB, BS };
	assert_int_equal(host_release(f, &r, 1), CXL_RC_INVALID_EXTENT_LIST);
	r = (struct rng){ R1 - BS, 2 * BS };
	assert_int_equal(host_release(f, &r, 1), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	r = (struct rng){ R0, 4 * BS };
	assert_int_equal(host_release(f, &r, 1), CXL_RC_SUCCESS);
	assert_int_equal(fm_total_extents(f), 0);
	fx_free(f);
}

static void test_list_errors(void **state)
{
	struct fx *f = fx_new(dcd_config());
	uint8_t in12[12] = { 1, 0 }, in8[8] = { 0 };

	(void)state;
	assert_int_equal(fm(f, 0x5603, in12, 12), CXL_RC_INVALID_INPUT); /* host id 1 */
	in12[0] = 0;
	le32_put(in12 + 8, 1);
	assert_int_equal(fm(f, 0x5603, in12, 12), CXL_RC_INVALID_INPUT); /* start > total */
	assert_int_equal(fm(f, 0x5603, in12, 11), CXL_RC_INVALID_PAYLOAD_LENGTH);
	le32_put(in8 + 4, 1);
	assert_int_equal(host(f, 0x4801, in8, 8), CXL_RC_INVALID_INPUT);
	assert_int_equal(host(f, 0x4801, in8, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/* ---- backing memory that goes away ------------------------------------------------ */

/*
 * The DC backend is a shared file mapping, as with memory-backend-file,
 * share=on. Another process cuts the file to nothing (a full filesystem
 * refuses a page the same way, with SIGBUS): host accesses and a sanitize
 * fail without taking the process down, the device keeps answering, and
 * the memory works again once the file has its size back (issue #13).
 */
static void test_backing_fault(void **state)
{
	struct t3_config c = dcd_config();
	struct rng e = { R0, 4 * BS };
	uint8_t buf[8] = { 0 }, b[32 + 40];
	int fd = memfd_create("t3-dc-backend", MFD_CLOEXEC);
	struct fx *f;

	(void)state;
	memguard_install(); /* over cmocka's own SIGBUS handler */
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)DCSZ), 0);
	c.dc_mem = mmap(NULL, DCSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(c.dc_mem != MAP_FAILED);
	c.dc_mem_size = DCSZ;
	f = fx_new(c);
	add_accept(f, e.start, e.len, 0);
	assert_int_equal(t3_mem_access(f->dev, R0 + 64, "before!", 8, true), 0);

	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(t3_mem_access(f->dev, R0 + 64, "after!!", 8, true), -EIO);
	assert_int_equal(t3_mem_access(f->dev, R0 + 3 * BS, buf, 8, false), -EIO);
	/* release with sanitize: the zeroing faults, the release completes */
	e.len = BS;
	fm_req(b, 0x21, 0, 0, 0, &e, 1);
	assert_int_equal(fm(f, 0x5605, b, sizeof(b)), CXL_RC_SUCCESS);
	clear_dc_events(f);
	assert_int_equal(host_release(f, &e, 1), CXL_RC_SUCCESS);
	assert_int_equal(fm_total_extents(f), 1);

	/* the file is back (zeroes): the same mapping serves again */
	assert_int_equal(ftruncate(fd, (off_t)DCSZ), 0);
	assert_int_equal(t3_mem_access(f->dev, R0 + 2 * BS, "again!!", 8, true), 0);
	assert_int_equal(t3_mem_access(f->dev, R0 + 2 * BS, buf, 8, false), 0);
	assert_memory_equal(buf, "again!!", 8);
	fx_free(f);
	munmap(c.dc_mem, DCSZ);
	close(fd);
}

/* ---- the lifecycle ---------------------------------------------------------------- */

/*
 * FM add -> Add Capacity records -> host accepts a subset -> both sides see
 * the extents -> host data lands in the backend -> FM release -> host still
 * uses it -> host releases -> gone; forced release and sanitize on the way.
 */
static void test_lifecycle(void **state)
{
	struct fx *f = fx_new(dcd_config());
	const struct rng offer[3] = { { R0, 2 * BS }, { R0 + 4 * BS, 2 * BS }, { R1, 4 * BS } };
	struct rng want[3], acc[2];
	uint8_t in8[8] = { 16 }, b[32 + 40], buf[8];
	unsigned n, k = 0;

	(void)state;
	assert_int_equal(fm_add(f, offer, 3, 0x5a), CXL_RC_SUCCESS);
	/* the host collects the More chain */
	n = dc_events(f);
	assert_int_equal(n, 3);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *rec = f->out + 32 + 128 * i;

		assert_memory_equal(rec, dcd_uuid, 16);
		assert_int_equal(rec[48], 0);
		assert_int_equal(rec[53], i + 1 < n ? 1 : 0);
		want[i] = (struct rng){ le64_get(rec + 56), le64_get(rec + 64) };
		assert_int_equal(want[i].start, offer[i].start);
	}
	clear_dc_events(f);
	/* not usable before the answer */
	assert_int_equal(t3_mem_access(f->dev, R0, buf, 8, true), -EFAULT);
	/* accepts the first extent and half of the third, declines the second */
	acc[k++] = want[0];
	acc[k++] = (struct rng){ want[2].start + 2 * BS, 2 * BS };
	assert_int_equal(host_accept(f, acc, k), CXL_RC_SUCCESS);
	assert_int_equal(host(f, 0x4801, in8, 8), CXL_RC_SUCCESS);
	assert_int_equal(le32_get(f->out), 2);
	assert_int_equal(le32_get(f->out + 8), 1);
	assert_int_equal(le64_get(f->out + 16), R0);
	assert_int_equal(le64_get(f->out + 56), R1 + 2 * BS);
	assert_int_equal(f->out[56 + 16], 0x5a);
	assert_int_equal(fm_total_extents(f), 2);
	/* data written into an accepted extent lands at backend offset dpa - dc_base */
	assert_int_equal(t3_mem_access(f->dev, R1 + 2 * BS + 100, "dcdata!", 8, true), 0);
	assert_memory_equal(f->dc + (R1 - VMEM) + 2 * BS + 100, "dcdata!", 8);
	assert_int_equal(t3_mem_access(f->dev, R1 + 2 * BS + 100, buf, 8, false), 0);
	assert_memory_equal(buf, "dcdata!", 8);
	/* declined and never-offered capacity stays out of reach */
	assert_int_equal(t3_mem_access(f->dev, R0 + 4 * BS, buf, 8, false), -EFAULT);
	assert_int_equal(t3_mem_access(f->dev, R1, buf, 8, false), -EFAULT);
	/* an access straddling the end of an extent */
	assert_int_equal(t3_mem_access(f->dev, R0 + 2 * BS - 4, buf, 8, false), -EFAULT);
	/* the FM asks for the region-1 extent back, with sanitize */
	fm_req(b, 0x21, 0, 0, 0, &acc[1], 1);
	assert_int_equal(fm(f, 0x5605, b, sizeof(b)), CXL_RC_SUCCESS);
	assert_int_equal(dc_events(f), 1);
	assert_int_equal(f->out[32 + 48], 1);
	clear_dc_events(f);
	/* the host still uses it: nothing released yet */
	assert_int_equal(t3_mem_access(f->dev, R1 + 2 * BS + 100, buf, 8, false), 0);
	assert_memory_equal(buf, "dcdata!", 8);
	assert_int_equal(fm_total_extents(f), 2);
	/* the host lets it go: gone and zeroed */
	assert_int_equal(host_release(f, &acc[1], 1), CXL_RC_SUCCESS);
	assert_int_equal(fm_total_extents(f), 1);
	assert_int_equal(t3_mem_access(f->dev, R1 + 2 * BS + 100, buf, 8, false), -EFAULT);
	assert_int_equal(f->dc[(R1 - VMEM) + 2 * BS + 100], 0);
	/* forced release of the other: no host involvement, zeroed at once */
	assert_int_equal(t3_mem_access(f->dev, R0 + 8, "xy", 2, true), 0);
	fm_req(b, 0x31, 0, 0, 0, &acc[0], 1);
	assert_int_equal(fm(f, 0x5605, b, sizeof(b)), CXL_RC_SUCCESS);
	assert_int_equal(dc_events(f), 1);
	assert_int_equal(f->out[32 + 48], 2);
	assert_int_equal(fm_total_extents(f), 0);
	assert_int_equal(f->dc[8], 0);
	assert_int_equal(le32_get(f->out + 16), 3);
	/* the host's list agrees */
	assert_int_equal(host(f, 0x4801, in8, 8), CXL_RC_SUCCESS);
	assert_int_equal(le32_get(f->out + 4), 0);
	fx_free(f);
}

/* ---- QMP ------------------------------------------------------------------------------ */

static void test_qmp_add(void **state)
{
	struct fx *f = fx_new(dcd_config()), *g;
	struct t3_dc_extent e[2] = { { 0, 2 * BS }, { 4 * BS, BS } };
	uint8_t tag[16];
	char err[128];

	(void)state;
	memset(tag, 0x42, 16);
	assert_int_equal(t3_add_dynamic_capacity(f->dev, 0, DCD_SEL_PRESCRIPTIVE, 1, tag, e, 2,
						 err, sizeof(err)), 0);
	assert_int_equal(dc_events(f), 2);
	assert_int_equal(le64_get(f->out + 32 + 56), R1);
	assert_int_equal(le64_get(f->out + 160 + 56), R1 + 4 * BS);
	assert_int_equal(f->out[32 + 72], 0x42);
	assert_int_equal(t3_add_dynamic_capacity(f->dev, 0, DCD_SEL_PRESCRIPTIVE, 1, NULL, e, 1,
						 err, sizeof(err)), CXL_RC_INVALID_EXTENT_LIST);
	assert_string_equal(err, "cannot add DPA again while still pending");
	assert_int_equal(t3_add_dynamic_capacity(f->dev, 0, DCD_SEL_PRESCRIPTIVE, 2, NULL, e, 1,
						 err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "region id is too large");
	e[0] = (struct t3_dc_extent){ 0, 0 };
	assert_int_equal(t3_add_dynamic_capacity(f->dev, 0, DCD_SEL_PRESCRIPTIVE, 0, NULL, e, 1,
						 err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "extent with 0 length is not allowed");
	e[0] = (struct t3_dc_extent){ MiB, BS };
	assert_int_equal(t3_add_dynamic_capacity(f->dev, 0, DCD_SEL_PRESCRIPTIVE, 0, NULL, e, 1,
						 err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "dpa or len is not aligned to region block size");
	e[0] = (struct t3_dc_extent){ 256 * MiB - BS, 2 * BS };
	assert_int_equal(t3_add_dynamic_capacity(f->dev, 0, DCD_SEL_PRESCRIPTIVE, 0, NULL, e, 1,
						 err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "extent range is beyond the region end");
	e[0] = (struct t3_dc_extent){ 0, 2 * BS };
	e[1] = (struct t3_dc_extent){ BS, BS };
	assert_int_equal(t3_add_dynamic_capacity(f->dev, 0, DCD_SEL_PRESCRIPTIVE, 0, NULL, e, 2,
						 err, sizeof(err)), CXL_RC_INVALID_EXTENT_LIST);
	assert_int_equal(t3_add_dynamic_capacity(f->dev, 0, (enum dcd_sel_policy)7, 0, NULL, e, 1,
						 err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "Selection policy not supported");
	/* free: total of the lengths */
	clear_dc_events(f);
	assert_int_equal(t3_add_dynamic_capacity(f->dev, 0, DCD_SEL_FREE, 0, NULL, e, 2,
						 err, sizeof(err)), 0);
	assert_int_equal(dc_events(f), 1);
	assert_int_equal(le64_get(f->out + 32 + 64), 3 * BS);
	fx_free(f);
	g = fx_new((struct t3_config){ .serial = 1, .vmem_size = VMEM });
	assert_int_equal(t3_add_dynamic_capacity(g->dev, 0, DCD_SEL_PRESCRIPTIVE, 0, NULL, e, 1,
						 err, sizeof(err)), -ENODEV);
	assert_int_equal(t3_release_dynamic_capacity(g->dev, 0, DCD_RM_PRESCRIPTIVE, false, false,
						     0, NULL, e, 1, err, sizeof(err)), -ENODEV);
	fx_free(g);
}

static void test_qmp_release(void **state)
{
	struct fx *f = fx_new(dcd_config());
	struct t3_dc_extent e = { 0, 2 * BS };
	uint8_t tag[16], buf[4];
	char err[128];

	(void)state;
	memset(tag, 9, 16);
	assert_int_equal(t3_add_dynamic_capacity(f->dev, 0, DCD_SEL_PRESCRIPTIVE, 0, tag, &e, 1,
						 err, sizeof(err)), 0);
	assert_int_equal(t3_release_dynamic_capacity(f->dev, 0, DCD_RM_PRESCRIPTIVE, false, false,
						     0, NULL, &e, 1, err, sizeof(err)),
			 CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_string_equal(err, "cannot release extent with pending DPA range");
	{
		struct rng r = { R0, 2 * BS };

		assert_int_equal(host_accept(f, &r, 1), 0);
	}
	clear_dc_events(f);
	e.len = BS;
	assert_int_equal(t3_release_dynamic_capacity(f->dev, 0, DCD_RM_PRESCRIPTIVE, false, false,
						     0, NULL, &e, 1, err, sizeof(err)), 0);
	assert_int_equal(dc_events(f), 1);
	assert_int_equal(f->out[32 + 48], 1);
	clear_dc_events(f);
	assert_int_equal(t3_release_dynamic_capacity(f->dev, 0, DCD_RM_PRESCRIPTIVE, true, true,
						     0, NULL, &e, 1, err, sizeof(err)), 0);
	assert_int_equal(dc_events(f), 1);
	assert_int_equal(f->out[32 + 48], 2);
	assert_int_equal(t3_mem_access(f->dev, R0, buf, 4, false), -EFAULT);
	assert_int_equal(t3_mem_access(f->dev, R0 + BS, buf, 4, false), 0);
	assert_int_equal(t3_release_dynamic_capacity(f->dev, 0, DCD_RM_PRESCRIPTIVE, false, false,
						     0, NULL, &e, 1, err, sizeof(err)),
			 CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_string_equal(err, "cannot release extent with non-existing DPA range");
	assert_int_equal(t3_release_dynamic_capacity(f->dev, 0, DCD_RM_TAG, false, false, 0, NULL,
						     NULL, 0, err, sizeof(err)), -EINVAL);
	assert_int_equal(t3_release_dynamic_capacity(f->dev, 0, DCD_RM_TAG, true, false, 0, tag,
						     NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(fm_total_extents(f), 0);
	assert_int_equal(t3_release_dynamic_capacity(f->dev, 0, DCD_RM_TAG, false, false, 9, tag,
						     NULL, 0, err, sizeof(err)), -EINVAL);
	assert_int_equal(t3_release_dynamic_capacity(f->dev, 0, (enum dcd_rm_policy)5, false,
						     false, 0, tag, NULL, 0, err, sizeof(err)),
			 -EINVAL);
	fx_free(f);
}

/* The dump's view: regions and extents with their states. */
struct dump {
	unsigned n, pending, accepted, releasing;
};

static int dump_cb(void *arg, const struct dcd_ext_info *e)
{
	struct dump *d = arg;

	d->n++;
	d->pending += e->state == DCD_EXT_PENDING;
	d->accepted += e->state == DCD_EXT_ACCEPTED;
	d->releasing += e->releasing;
	return 0;
}

static void test_dump_view(void **state)
{
	struct fx *f = fx_new(dcd_config());
	struct rng r[2] = { { R0, BS }, { R0 + 2 * BS, BS } };
	struct dump d = { 0 };

	(void)state;
	add_accept(f, R0, BS, 0);
	assert_int_equal(fm_add(f, &r[1], 1, 0), 0);
	assert_int_equal(fm_release(f, 0x01, &r[1], 1), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	d.n = 0;
	dcd_foreach(t3_dcd(f->dev), dump_cb, &d);
	assert_int_equal(d.pending, 1);
	assert_int_equal(host_accept(f, &r[1], 1), 0);
	add_accept(f, R1, BS, 0);
	assert_int_equal(fm_release(f, 0x01, &r[0], 1), 0);
	d = (struct dump){ 0 };
	dcd_foreach(t3_dcd(f->dev), dump_cb, &d);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.accepted, 3);
	assert_int_equal(d.releasing, 1);
	assert_int_equal(dcd_region(t3_dcd(f->dev), 0)->n_accepted, 2);
	assert_int_equal(dcd_region(t3_dcd(f->dev), 1)->n_accepted, 1);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cel),
		cmocka_unit_test(test_get_dc_config),
		cmocka_unit_test(test_get_dcd_info),
		cmocka_unit_test(test_get_host_dc_region_config),
		cmocka_unit_test(test_set_dc_region_config),
		cmocka_unit_test(test_add_records_and_lists),
		cmocka_unit_test(test_list_bounded),
		cmocka_unit_test(test_add_errors),
		cmocka_unit_test(test_add_policies),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_release_errors),
		cmocka_unit_test(test_add_response_errors),
		cmocka_unit_test(test_add_response_decline),
		cmocka_unit_test(test_release_dc_errors),
		cmocka_unit_test(test_list_errors),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_backing_fault),
		cmocka_unit_test(test_qmp_add),
		cmocka_unit_test(test_qmp_release),
		cmocka_unit_test(test_dump_view),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
