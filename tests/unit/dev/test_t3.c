/* SPDX-License-Identifier: MIT */
/*
 * Type-3 device: creation, identity, the host mailbox base set, the
 * FM-owned LD base set, tunnels to LDs, the MLD set, memory access and
 * injections. Expected payloads are written out by hand from the spec
 * tables. The DCD commands are in test_t3_dcd.c.
 */
#include <errno.h>

#include "t3_fixture.h"
#include "dev/t3_nv.h"

/* A static-capacity device: 512 MiB volatile, 256 MiB persistent, LSA 128 KiB. */
static struct t3_config mem_config(void)
{
	return (struct t3_config){
		.id = "mem0", .serial = 7, .vmem_size = 512 * MiB, .pmem_size = 256 * MiB,
		.lsa_size = 128 * 1024,
	};
}

static void test_create_rejects(void **state)
{
	struct cci_clock clk = { .now_ns = fake_clock };
	struct t3_config c;
	struct t3_dev *d;
	uint8_t small[16];

	(void)state;
	c = (struct t3_config){ .serial = 1 };
	assert_int_equal(t3_create(&c, &clk, &d), -EINVAL); /* no memory at all */
	c = mem_config();
	c.lsa_size = 0;
	assert_int_equal(t3_create(&c, &clk, &d), -EINVAL); /* pmem needs an LSA */
	c = dcd_config();
	c.num_dc_regions = 9;
	assert_int_equal(t3_create(&c, &clk, &d), -EINVAL);
	c = dcd_config();
	c.dc_size = 0;
	assert_int_equal(t3_create(&c, &clk, &d), -EINVAL);
	c = dcd_config();
	c.dc_size = 300 * MiB;
	assert_int_equal(t3_create(&c, &clk, &d), -EINVAL);
	c = dcd_config();
	c.dc_mem = small;
	c.dc_mem_size = sizeof(small);
	assert_int_equal(t3_create(&c, &clk, &d), -EINVAL);
	c = mem_config();
	c.num_ld = 17;
	assert_int_equal(t3_create(&c, &clk, &d), -EINVAL);
	c = mem_config();
	c.static_mem = small;
	c.static_mem_size = sizeof(small);
	assert_int_equal(t3_create(&c, &clk, &d), -EINVAL);
	c = mem_config();
	assert_int_equal(t3_create(&c, NULL, &d), -EINVAL);
	assert_null(d);
}

static void test_names(void **state)
{
	struct fx *f = fx_new(dcd_config());

	(void)state;
	assert_string_equal(t3_fm_cci(f->dev)->name, "99:oob_mctp_cci");
	assert_string_equal(t3_id(f->dev), "cxl-dcd0");
	assert_int_equal(t3_serial(f->dev), 99);
	assert_int_equal(t3_num_ld(f->dev), 1);
	assert_non_null(t3_ld_cci(f->dev, 0));
	assert_null(t3_ld_cci(f->dev, 1));
	assert_non_null(t3_dcd(f->dev));
	assert_int_equal(t3_dc_base(f->dev), VMEM);
	assert_int_equal(t3_fm_cci(f->dev)->payload_max, 512);
	assert_int_equal(t3_host_cci(f->dev)->payload_max, 2048);
	fx_free(f);
}

/* CXL r3.1 §8.2.9.1.1 Identify output payload on each CCI. */
static void test_identify(void **state)
{
	struct fx *f = fx_new(dcd_config());
	uint8_t want[18] = { 0x86, 0x80, 0x93, 0x0d, 0xf4, 0x1a, 0x00, 0x11,
			     99, 0, 0, 0, 0, 0, 0, 0, 11, 0x03 };

	(void)state;
	assert_int_equal(host(f, 0x0001, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 18);
	assert_memory_equal(f->out, want, 18);
	want[16] = 9;
	assert_int_equal(fm(f, 0x0001, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want, 18);
	assert_int_equal(run(f, t3_ld_cci(f->dev, 0), 0x0001, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want, 18);
	assert_int_equal(host(f, 0x0001, want, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(fm(f, 0x0001, want, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/*
 * The CEL of each command set, written out from the spec / issue lists.
 * Set Response Message Limit (0004h) is an Immediate Configuration Change
 * on every CCI (the switch always said so; this CCI said 0 until the
 * command facts made it one fact).
 */
static const uint16_t cel_host[][2] = {
	CEL_T3_HOST_ROWS, CEL_MEM, CEL_MEDIA, CEL_SEC_HOST, CEL_QOS,
};
static const uint16_t cel_fm[][2] = {
	CEL_T3_FM_ROWS, CEL_MEM, CEL_MEDIA, CEL_SEC_MCTP, CEL_QOS, { 0x5300, 0 },
};
static const uint16_t cel_fm_mld[][2] = {
	CEL_T3_FM_ROWS, CEL_MEM, CEL_MEDIA, CEL_SEC_MCTP,
	{ 0x5300, 0 }, CEL_MLD,
};
static const uint16_t cel_ld[][2] = { CEL_T3_LD_ROWS, CEL_MEM, CEL_MEDIA, CEL_SEC_MCTP, CEL_QOS };
static const uint16_t cel_ld_mld[][2] = { CEL_T3_LD_ROWS, CEL_MEM, CEL_MEDIA, CEL_SEC_MCTP };

static void test_cel(void **state)
{
	struct t3_config c = mem_config();
	struct fx *f = fx_new(c), *g;
	/* the CEL (51 commands) and the Vendor Debug Log (empty) */
	const uint8_t supported[48] = {
		0x02, 0x00, 0, 0, 0, 0, 0, 0,
		0x0d, 0xa9, 0xc0, 0xb5, 0xbf, 0x41, 0x4b, 0x78,
		0x8f, 0x79, 0x96, 0xb1, 0x62, 0x3b, 0x3f, 0x17,
		204, 0, 0, 0,
		0x5e, 0x18, 0x19, 0xd9, 0x11, 0xa9, 0x40, 0x0c,
		0x81, 0x1f, 0xd6, 0x07, 0x19, 0x40, 0x3d, 0x86,
		0, 0, 0, 0,
	};

	(void)state;
	assert_int_equal(host(f, 0x0400, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 48);
	assert_memory_equal(f->out, supported, 48);
	check_cel(f, t3_host_cci(f->dev), cel_host, sizeof(cel_host) / sizeof(cel_host[0]));
	check_cel(f, t3_fm_cci(f->dev), cel_fm, sizeof(cel_fm) / sizeof(cel_fm[0]));
	check_cel(f, t3_ld_cci(f->dev, 0), cel_ld, sizeof(cel_ld) / sizeof(cel_ld[0]));
	c.num_ld = 2;
	g = fx_new(c);
	check_cel(g, t3_fm_cci(g->dev), cel_fm_mld, sizeof(cel_fm_mld) / sizeof(cel_fm_mld[0]));
	check_cel(g, t3_ld_cci(g->dev, 1), cel_ld_mld, sizeof(cel_ld_mld) / sizeof(cel_ld_mld[0]));
	fx_free(g);
	fx_free(f);
}

static void test_get_log_errors(void **state)
{
	struct fx *f = fx_new(mem_config());
	uint8_t in[0x18] = { 0 };

	(void)state;
	memcpy(in, cci_cel_uuid, 16);
	le32_put(in + 16, 200);
	le32_put(in + 20, 8); /* past the 204-byte CEL */
	assert_int_equal(host(f, 0x0401, in, sizeof(in)), CXL_RC_INVALID_INPUT);
	in[3] ^= 0xff;
	le32_put(in + 16, 0);
	assert_int_equal(host(f, 0x0401, in, sizeof(in)), CXL_RC_INVALID_LOG);
	assert_int_equal(fm(f, 0x0401, in, 0x17), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x0400, in, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/* Opcodes outside a CCI's sets are Unsupported, never a made-up answer. */
static void test_unsupported(void **state)
{
	struct fx *f = fx_new(mem_config());

	(void)state;
	assert_int_equal(host(f, 0x4800, NULL, 0), CXL_RC_UNSUPPORTED); /* no DC regions */
	assert_int_equal(host(f, 0x5600, NULL, 0), CXL_RC_UNSUPPORTED);
	assert_int_equal(host(f, 0x0003, NULL, 0), CXL_RC_UNSUPPORTED); /* MCTP CCIs only */
	assert_int_equal(fm(f, 0x4802, NULL, 0), CXL_RC_UNSUPPORTED);
	assert_int_equal(fm(f, 0x5600, NULL, 0), CXL_RC_UNSUPPORTED);
	assert_int_equal(fm(f, 0x5400, NULL, 0), CXL_RC_UNSUPPORTED); /* not an MLD */
	assert_int_equal(fm(f, 0x0102, NULL, 0), CXL_RC_UNSUPPORTED); /* MSI/MSI-X: mailbox */
	assert_int_equal(host(f, 0x0104, NULL, 0), CXL_RC_UNSUPPORTED); /* MCTP only */
	assert_int_equal(fm(f, 0x0106, "\0", 2), CXL_RC_UNSUPPORTED); /* sent by the device */
	assert_int_equal(run(f, t3_ld_cci(f->dev, 0), 0x0003, NULL, 0), CXL_RC_UNSUPPORTED);
	assert_int_equal(f->out_len, 0);
	fx_free(f);
}

static void test_timestamp(void **state)
{
	struct fx *f = fx_new(mem_config());
	uint8_t ts[8];

	(void)state;
	assert_int_equal(host(f, 0x0300, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 8);
	assert_int_equal(le64_get(f->out), 0);
	now_ns = 1000;
	le64_put(ts, 0x1122334455667788ull);
	assert_int_equal(host(f, 0x0301, ts, 8), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	now_ns = 1500;
	assert_int_equal(host(f, 0x0300, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(le64_get(f->out), 0x1122334455667788ull + 500);
	assert_int_equal(host(f, 0x0301, ts, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x0300, ts, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/*
 * Event commands through the host mailbox: an injected General Media Event
 * (CXL r3.1 §8.2.9.2.1.1) read back byte for byte, then cleared.
 */
static void test_host_events(void **state)
{
	struct fx *f = fx_new(mem_config());
	struct t3_gen_media_event ev = {
		.log = EV_LOG_WARN, .flags = 0x01, .dpa = 0x1000, .descriptor = 2, .type = 1,
		.transaction_type = 3, .has_channel = true, .channel = 4, .has_device = true,
		.device = 0x123456, .component_id = "abc",
	};
	const uint8_t hdr[32] = { [20] = 1 };
	const uint8_t rec[128] = {
		0xfb, 0xcd, 0x0a, 0x77, 0xc2, 0x60, 0x41, 0x7f,
		0x85, 0xa9, 0x08, 0x8b, 0x16, 0x21, 0xeb, 0xa6,
		[16] = 128, [17] = 0x01, [20] = 0x01,
		[24] = 0xf4, [25] = 0x01, /* timestamp 500 */
		[0x31] = 0x10, [0x38] = 2, [0x39] = 1, [0x3a] = 3,
		[0x3b] = 0x0d, [0x3d] = 4, [0x3f] = 0x56, [0x40] = 0x34, [0x41] = 0x12,
		[0x42] = 'a', [0x43] = 'b', [0x44] = 'c',
	};
	uint8_t log = EV_LOG_WARN, ts[8] = { 0 };
	uint8_t clr[8] = { EV_LOG_WARN, 0, 1, 0, 0, 0, 1, 0 };
	const uint8_t pol[5] = { 1, 1, 1, 1, 1 }, want_pol[5] = { 0x21, 0x31, 0x41, 0x51, 0x21 };

	(void)state;
	assert_int_equal(host(f, 0x0301, ts, 8), 0);
	now_ns = 500;
	assert_int_equal(t3_inject_general_media_event(f->dev, &ev, NULL, 0), 0);
	assert_int_equal(f->notified[EV_LOG_WARN], 1);
	assert_int_equal(host(f, 0x0100, &log, 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 32 + 128);
	assert_memory_equal(f->out, hdr, 32);
	assert_memory_equal(f->out + 32, rec, 128);
	assert_int_equal(host(f, 0x0100, &log, 2), CXL_RC_INVALID_PAYLOAD_LENGTH);
	log = 5;
	assert_int_equal(host(f, 0x0100, &log, 1), CXL_RC_INVALID_INPUT);
	assert_int_equal(host(f, 0x0101, clr, 8), CXL_RC_SUCCESS);
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_WARN), 0);
	assert_int_equal(host(f, 0x0101, clr, 8), CXL_RC_INVALID_HANDLE);
	assert_int_equal(host(f, 0x0101, clr, 3), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x0103, pol, 5), CXL_RC_SUCCESS);
	assert_int_equal(host(f, 0x0103, pol, 6), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x0102, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 5);
	assert_memory_equal(f->out, want_pol, 5);
	assert_int_equal(host(f, 0x0102, pol, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* the DC log exists even without DC regions (QEMU) */
	ev.log = EV_LOG_DCD;
	assert_int_equal(t3_inject_general_media_event(f->dev, &ev, NULL, 0), -EINVAL);
	fx_free(f);
}

/* CXL r3.1 §8.2.9.1.2 Background Operation Status output payload. */
static void test_bg_status(void **state)
{
	struct fx *f = fx_new(mem_config());
	const uint8_t want[8] = { 0 };

	(void)state;
	assert_int_equal(fm(f, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 8);
	assert_memory_equal(f->out, want, 8);
	assert_int_equal(fm(f, 0x0002, want, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* the host mailbox answers it too: a sanitize, half-way, then done */
	assert_int_equal(host(f, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 8);
	assert_memory_equal(f->out, want, 8);
	assert_int_equal(host(f, 0x4400, NULL, 0), CXL_RC_BG_STARTED);
	now_ns += 4000 * 1000000ull; /* QEMU's 8 s for 768 MiB */
	assert_int_equal(host(f, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, ((const uint8_t[8]){ 1 | 50 << 1, 0, 0x00, 0x44 }), 8);
	now_ns += 4000 * 1000000ull;
	cci_tick(t3_host_cci(f->dev));
	assert_int_equal(host(f, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, ((const uint8_t[8]){ 100 << 1, 0, 0x00, 0x44 }), 8);
	assert_int_equal(host(f, 0x0002, want, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/* CXL r3.1 §8.2.9.1.3/4: limit 2^9 at start, 2^8..2^10 settable. */
static void test_rsp_msg_limit(void **state)
{
	struct fx *f = fx_new(mem_config());
	uint8_t n;

	(void)state;
	assert_int_equal(fm(f, 0x0003, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 1);
	assert_int_equal(f->out[0], 9);
	n = 10;
	assert_int_equal(fm(f, 0x0004, &n, 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 1);
	assert_int_equal(f->out[0], 10);
	n = 11;
	assert_int_equal(fm(f, 0x0004, &n, 1), CXL_RC_INVALID_INPUT);
	n = 7;
	assert_int_equal(fm(f, 0x0004, &n, 1), CXL_RC_INVALID_INPUT);
	assert_int_equal(fm(f, 0x0004, NULL, 0), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(fm(f, 0x0003, &n, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(fm(f, 0x0003, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 10);
	fx_free(f);
}

/* Tunnel Management (CXL r3.1 Tables 7-26/7-27) to LD 0 of a single-LD device. */
static void test_tunnel(void **state)
{
	struct fx *f = fx_new(dcd_config());
	uint8_t req[4 + 12] = { 0, 0, 12, 0,
				0x00, 0x5a, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0 };
	const uint8_t want[4 + 12 + 18] = {
		30, 0, 0, 0,
		0x01, 0x5a, 0x00, 0x01, 0x00, 18, 0, 0, 0, 0, 0, 0,
		0x86, 0x80, 0x93, 0x0d, 0xf4, 0x1a, 0x00, 0x11,
		99, 0, 0, 0, 0, 0, 0, 0, 9, 0x03,
	};

	(void)state;
	assert_int_equal(fm(f, 0x5300, req, sizeof(req)), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, sizeof(want));
	assert_memory_equal(f->out, want, sizeof(want));
	/* an opcode the LD lacks: delivered, inner Unsupported */
	req[7] = 0x00;
	req[8] = 0x48;
	assert_int_equal(fm(f, 0x5300, req, sizeof(req)), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 16);
	assert_int_equal(le16_get(f->out + 4 + 8), CXL_RC_UNSUPPORTED);
	/* no LD 1 */
	req[0] = 1;
	assert_int_equal(fm(f, 0x5300, req, sizeof(req)), CXL_RC_INVALID_INPUT);
	req[0] = 0;
	req[1] = 1; /* LD-pool CCI of an MHD */
	assert_int_equal(fm(f, 0x5300, req, sizeof(req)), CXL_RC_INVALID_INPUT);
	req[1] = 0;
	assert_int_equal(fm(f, 0x5300, req, sizeof(req) - 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	req[2] = 13;
	assert_int_equal(fm(f, 0x5300, req, sizeof(req)), CXL_RC_INVALID_PAYLOAD_LENGTH);
	req[2] = 12;
	req[4] = 1; /* a response inside */
	assert_int_equal(fm(f, 0x5300, req, sizeof(req)), CXL_RC_INVALID_INPUT);
	fx_free(f);
}

static struct t3_config mld_config(void)
{
	return (struct t3_config){ .id = "mld0", .serial = 5, .vmem_size = 1024 * MiB,
				   .num_ld = 4 };
}

/* CXL r3.1 §7.6.7.4: Get LD Info, Get/Set LD Allocations on a 4-LD MLD. */
static void test_mld(void **state)
{
	struct fx *f = fx_new(mld_config());
	const uint8_t info[11] = { 0, 0, 0, 0x40, 0, 0, 0, 0, 4, 0, 0x03 };
	const uint8_t alloc[4 + 32] = { 4, 0, 1, 2, [4] = 1, [20] = 1 };
	uint8_t in[2] = { 1, 2 };
	uint8_t set[4 + 32] = { 2, 2, 0, 0, [4] = 2 };
	const uint8_t set_want[4 + 32] = { 2, 2, 0, 0, [4] = 2 };
	uint64_t r1, r2;

	(void)state;
	assert_int_equal(fm(f, 0x5400, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 11);
	assert_memory_equal(f->out, info, 11);
	assert_int_equal(fm(f, 0x5400, in, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(fm(f, 0x5401, in, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, sizeof(alloc));
	assert_memory_equal(f->out, alloc, sizeof(alloc));
	in[1] = 0; /* limit 0 */
	assert_int_equal(fm(f, 0x5401, in, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4);
	in[0] = 4;
	assert_int_equal(fm(f, 0x5401, in, 2), CXL_RC_INVALID_INPUT);
	assert_int_equal(fm(f, 0x5401, in, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* LD2 takes two granules, LD3 none: 1 + 1 + 2 + 0 = 4 of 4 */
	assert_int_equal(fm(f, 0x5402, set, sizeof(set)), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, sizeof(set_want));
	assert_memory_equal(f->out, set_want, sizeof(set_want));
	assert_int_equal(t3_ld_allocation(f->dev, 2, &r1, &r2), 0);
	assert_int_equal(r1, 2);
	assert_int_equal(t3_ld_allocation(f->dev, 3, &r1, &r2), 0);
	assert_int_equal(r1, 0);
	assert_int_equal(t3_ld_allocation(f->dev, 4, &r1, &r2), -EINVAL);
	/* over capacity: nothing changes */
	set[4 + 16 + 8] = 1; /* LD3 range 2 = 1 granule */
	assert_int_equal(fm(f, 0x5402, set, sizeof(set)), CXL_RC_INVALID_INPUT);
	assert_int_equal(t3_ld_allocation(f->dev, 3, &r1, &r2), 0);
	assert_int_equal(r2, 0);
	set[1] = 3; /* LDs 3 and 4: no LD 4 */
	assert_int_equal(fm(f, 0x5402, set, sizeof(set)), CXL_RC_INVALID_INPUT);
	set[0] = 0;
	assert_int_equal(fm(f, 0x5402, set, 4), CXL_RC_INVALID_INPUT);
	set[0] = 2;
	assert_int_equal(fm(f, 0x5402, set, sizeof(set) - 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(fm(f, 0x5402, set, 3), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/* Tunnel to each LD of an MLD; LD ids past num_ld are Invalid Input. */
static void test_mld_tunnel(void **state)
{
	struct fx *f = fx_new(mld_config());
	uint8_t req[16] = { 3, 0, 12, 0, 0x00, 0x01, 0x00, 0x01, 0x00, 0, 0, 0 };

	(void)state;
	assert_non_null(t3_ld_cci(f->dev, 3));
	assert_string_equal(t3_ld_cci(f->dev, 3)->name, "5:ld3");
	assert_int_equal(fm(f, 0x5300, req, sizeof(req)), CXL_RC_SUCCESS);
	assert_int_equal(le16_get(f->out), 30);
	assert_int_equal(le16_get(f->out + 4 + 8), CXL_RC_SUCCESS);
	req[0] = 4;
	assert_int_equal(fm(f, 0x5300, req, sizeof(req)), CXL_RC_INVALID_INPUT);
	fx_free(f);
}

static void test_mem_static(void **state)
{
	struct t3_config c = mem_config();
	uint8_t *mem = mmap(NULL, 768 * MiB, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct fx *f;
	char buf[8] = { 0 };

	(void)state;
	assert_true(mem != MAP_FAILED);
	c.static_mem = mem;
	c.static_mem_size = 768 * MiB;
	f = fx_new(c);
	assert_int_equal(t3_mem_access(f->dev, 600 * MiB, "hello", 5, true), 0);
	assert_memory_equal(mem + 600 * MiB, "hello", 5);
	assert_int_equal(t3_mem_access(f->dev, 600 * MiB, buf, 5, false), 0);
	assert_string_equal(buf, "hello");
	assert_int_equal(t3_mem_access(f->dev, 768 * MiB - 2, buf, 4, false), -EFAULT);
	assert_int_equal(t3_mem_access(f->dev, UINT64_MAX - 1, buf, 4, false), -EFAULT);
	assert_int_equal(t3_mem_access(f->dev, 0, buf, 0, false), 0);
	/* poison: reads fail, writes go through */
	assert_int_equal(t3_inject_poison(f->dev, 600 * MiB, 64, NULL, 0), 0);
	assert_int_equal(t3_mem_access(f->dev, 600 * MiB + 8, buf, 4, false), -EIO);
	assert_int_equal(t3_mem_access(f->dev, 600 * MiB + 8, buf, 4, true), 0);
	fx_free(f);
	munmap(mem, 768 * MiB);
	/* no backend: -ENXIO */
	f = fx_new(mem_config());
	assert_int_equal(t3_mem_access(f->dev, 0, buf, 4, false), -ENXIO);
	fx_free(f);
}

static void test_inject_poison(void **state)
{
	struct fx *f = fx_new(mem_config());
	char err[128];

	(void)state;
	assert_int_equal(t3_inject_poison(f->dev, 0, 65, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "Poison injection must be in multiples of 64 bytes");
	assert_int_equal(t3_inject_poison(f->dev, 0, 0, err, sizeof(err)), -EINVAL);
	assert_int_equal(t3_inject_poison(f->dev, 32, 64, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "Poison start address must be 64 byte aligned");
	assert_int_equal(t3_inject_poison(f->dev, 0, 128, err, sizeof(err)), 0);
	assert_int_equal(t3_inject_poison(f->dev, 64, 64, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "Overlap with existing poisoned region not supported");
	for (uint64_t i = 1; i < T3_POISON_MAX; i++)
		assert_int_equal(t3_inject_poison(f->dev, i * 4096, 64, NULL, 0), 0);
	assert_int_equal(t3_poison_count(f->dev), T3_POISON_MAX);
	assert_false(t3_poison_overflowed(f->dev));
	assert_int_equal(t3_inject_poison(f->dev, 1ull << 28, 64, NULL, 0), 0);
	assert_int_equal(t3_poison_count(f->dev), T3_POISON_MAX);
	assert_true(t3_poison_overflowed(f->dev));
	fx_free(f);
}

/* Non-volatile state (dev/t3_nv.h): kept in the caller's region across
 * device lives, never taken from another device's or a garbage region. */
static void test_nv_state(void **state)
{
	struct cci_clock clk = { .now_ns = fake_clock };
	static uint8_t region[T3_NV_SIZE];
	uint8_t data[64] = { 0 }, back[64];
	struct t3_config c = mem_config();
	struct t3_dev *d;

	(void)state;
	memset(region, 0, sizeof(region));
	c.nv_mem = region;
	c.nv_size = sizeof(region);
	assert_int_equal(t3_create(&c, &clk, &d), 0);
	assert_true(t3_nv_fresh(d));
	assert_memory_equal(region, "CXLFMNV1", 8);
	memcpy(data, "dirty shutdown count 3", 22);
	assert_int_equal(t3_nv_store(d, T3_NV_SHUTDOWN, data, sizeof(data)), 0);
	assert_int_equal(t3_nv_store(d, T3_NV_SHUTDOWN, data, 65), -EINVAL); /* section is 64 */
	t3_destroy(d);

	/* the same device again: its state is there */
	assert_int_equal(t3_create(&c, &clk, &d), 0);
	assert_false(t3_nv_fresh(d));
	assert_int_equal(t3_nv_load(d, T3_NV_SHUTDOWN, back, sizeof(back)), 0);
	assert_memory_equal(back, data, sizeof(data));
	t3_destroy(d);

	/* another device (serial) does not inherit it */
	c.serial++;
	assert_int_equal(t3_create(&c, &clk, &d), 0);
	assert_true(t3_nv_fresh(d));
	assert_int_equal(t3_nv_load(d, T3_NV_SHUTDOWN, back, sizeof(back)), 0);
	memset(data, 0, sizeof(data));
	assert_memory_equal(back, data, sizeof(back));
	t3_destroy(d);

	/* garbage: started fresh (the firmware section holds t3_fw.c's defaults) */
	memset(region, 0xa5, sizeof(region));
	assert_int_equal(t3_create(&c, &clk, &d), 0);
	assert_true(t3_nv_fresh(d));
	assert_int_equal(t3_nv_load(d, T3_NV_FW, back, sizeof(back)), 0);
	assert_memory_equal(back, "T3FW", 4);
	assert_memory_equal(back + 8, data, 8); /* reserved, not 0xa5 */
	t3_destroy(d);

	/* no region: private memory, fresh */
	c.nv_mem = NULL;
	assert_int_equal(t3_create(&c, &clk, &d), 0);
	assert_true(t3_nv_fresh(d));
	assert_int_equal(t3_nv_size(T3_NV_FEATURES), 2048);
	t3_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_rejects),
		cmocka_unit_test(test_nv_state),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_identify),
		cmocka_unit_test(test_cel),
		cmocka_unit_test(test_get_log_errors),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_host_events),
		cmocka_unit_test(test_bg_status),
		cmocka_unit_test(test_rsp_msg_limit),
		cmocka_unit_test(test_tunnel),
		cmocka_unit_test(test_mld),
		cmocka_unit_test(test_mld_tunnel),
		cmocka_unit_test(test_mem_static),
		cmocka_unit_test(test_inject_poison),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
