/* SPDX-License-Identifier: MIT */
/*
 * CXL.io through the switch: Send PPB CXL.io Configuration Request (5103h),
 * Send LD CXL.io Configuration / Memory Request (5301h / 5302h), with a
 * real type-3 MLD below a port. Expected bytes are written out from CXL
 * r3.1 Tables 7-21..7-22, 7-39..7-42, §8.1 and PCIe r6.0 §7.5, never
 * computed from the model.
 *
 * Topology: USP port 9; DSP 1 (vPPB 0): an SLD; DSP 2 (vPPB 1): an MLD of
 * 4 LDs (sn 0x1234, 1 GiB volatile: 256 MiB per LD, LD 0 bound to vPPB 1),
 * trained at 32 GT/s x16; DSP 4 (vPPB 2): empty.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "dev/cci.h"
#include "dev/sw.h"
#include "dev/t3.h"
#include "proto/le.h"

#define MS 1000000ull
#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define FMLD 0xffffu

static uint64_t fake_now;
static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static const struct cci_clock clk = { .now_ns = fake_clock };
static const struct sw_port_cfg dsp_ports[] = { { .port = 1 }, { .port = 2 }, { .port = 4 } };

struct fx {
	struct sw_dev *sw;
	struct cci *mbox, *mctp;
	struct t3_dev *mld;
	uint8_t *mem;
	uint8_t out[4096];
	size_t out_len;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct sw_config cfg = {
		.id = "us0", .usp = { .port = 9 }, .n_dsp = 3, .dsps = dsp_ports,
		.bind_duration_ns = 1 * MS,
	};
	struct t3_config tc = {
		.id = "mld0", .serial = 0x1234, .vmem_size = 1 * GiB, .num_ld = 4,
		.link_speed = 5, .link_width = 16,
	};
	struct sw_attached sld = { .dev_type = SW_DEV_CXL_TYPE3_SLD, .ld_count = 1, .id = "sld0" };
	struct sw_attached mld = {
		.dev_type = SW_DEV_CXL_TYPE3_MLD, .ld_count = 4, .id = "mld0", .width = 16,
		.speed = 5, .ld_ops = &t3_sw_ld_ops,
	};

	assert_non_null(f);
	fake_now = 0;
	f->mem = mmap(NULL, 1 * GiB, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(f->mem != MAP_FAILED);
	tc.static_mem = f->mem;
	tc.static_mem_size = 1 * GiB;
	assert_int_equal(t3_create(&tc, &clk, &f->mld), 0);
	assert_int_equal(sw_create(&cfg, &clk, &f->sw), 0);
	mld.fm_cci = t3_fm_cci(f->mld);
	mld.ld_arg = f->mld;
	assert_int_equal(sw_attach(f->sw, 0, &sld), 0);
	assert_int_equal(sw_attach(f->sw, 1, &mld), 0);
	f->mbox = sw_mbox_cci(f->sw);
	f->mctp = sw_mctp_cci(f->sw);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	sw_destroy(f->sw);
	t3_destroy(f->mld);
	munmap(f->mem, 1 * GiB);
	free(f);
	return 0;
}

static uint16_t run(struct fx *f, struct cci *cci, uint16_t op, const void *in, size_t len)
{
	memset(f->out, 0xee, sizeof(f->out));
	return cci_process(cci, op, in, len, f->out, &f->out_len);
}

/* 5103h: request bytes as Table 7-21 lays them out. */
static uint16_t ppb(struct fx *f, uint8_t port, unsigned off, uint8_t be, bool write,
		    uint32_t val)
{
	uint8_t in[8];

	in[0] = port;
	le24_put(in + 1, (off & 0xfffu) | (uint32_t)be << 12 | (write ? 1u << 23 : 0));
	le32_put(in + 4, val);
	return run(f, f->mctp, 0x5103, in, sizeof(in));
}

/* A 5103h read of the whole dword at off: the value (byte order checked too). */
static uint32_t ppb_rd(struct fx *f, uint8_t port, unsigned off)
{
	assert_int_equal(ppb(f, port, off, 0xf, false, 0), 0);
	assert_int_equal(f->out_len, 4);
	return le32_get(f->out);
}

/* A 5103h write (answered with 4 zero bytes), then what the dword reads. */
static uint32_t ppb_wr(struct fx *f, uint8_t port, unsigned off, uint8_t be, uint32_t val)
{
	assert_int_equal(ppb(f, port, off, be, true, val), 0);
	assert_int_equal(f->out_len, 4);
	assert_int_equal(le32_get(f->out), 0);
	return ppb_rd(f, port, off);
}

/* 5301h (Table 7-39). */
static uint16_t ldcfg(struct fx *f, struct cci *cci, uint8_t port, uint16_t ld, unsigned off,
		      uint8_t be, bool write, uint32_t val)
{
	uint8_t in[12] = { 0 };

	in[0] = port;
	le24_put(in + 1, (off & 0xfffu) | (uint32_t)be << 12 | (write ? 1u << 23 : 0));
	le16_put(in + 4, ld);
	le32_put(in + 8, val);
	return run(f, cci, 0x5301, in, sizeof(in));
}

static uint32_t ldcfg_rd(struct fx *f, uint16_t ld, unsigned off)
{
	assert_int_equal(ldcfg(f, f->mctp, 2, ld, off, 0xf, false, 0), 0);
	assert_int_equal(f->out_len, 4);
	return le32_get(f->out);
}

/* A 5301h write of the whole dword, then what it reads. */
static uint32_t ldcfg_wr(struct fx *f, uint16_t ld, unsigned off, uint32_t val)
{
	assert_int_equal(ldcfg(f, f->mctp, 2, ld, off, 0xf, true, val), 0);
	assert_int_equal(f->out_len, 4);
	assert_int_equal(le32_get(f->out), 0);
	return ldcfg_rd(f, ld, off);
}

/* Expected dwords, written out from the spec. */
struct reg {
	unsigned off;
	uint32_t val;
};
#define N_REGS(a) (sizeof(a) / sizeof((a)[0]))

static void expect_ppb_rd(struct fx *f, uint8_t port, const struct reg *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ppb_rd(f, port, r[i].off) != r[i].val)
			fail_msg("port %u register 0x%03x: 0x%08x, expected 0x%08x", port, r[i].off,
				 ppb_rd(f, port, r[i].off), r[i].val);
}

static void expect_ldcfg_rd(struct fx *f, uint16_t ld, const struct reg *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ldcfg_rd(f, ld, r[i].off) != r[i].val)
			fail_msg("LD 0x%x register 0x%03x: 0x%08x, expected 0x%08x", ld, r[i].off,
				 ldcfg_rd(f, ld, r[i].off), r[i].val);
}

/* 5302h (Table 7-41); data NULL for a read. */
static uint16_t ldmem(struct fx *f, struct cci *cci, uint16_t ld, uint64_t addr, uint16_t len,
		      const uint8_t *data, uint8_t fbe, uint8_t lbe)
{
	static uint8_t in[16 + 4096];

	memset(in, 0, 16);
	in[0] = 2;
	le24_put(in + 1, (uint32_t)fbe << 12 | (uint32_t)lbe << 16 | (data ? 1u << 23 : 0));
	le16_put(in + 4, ld);
	le16_put(in + 6, len);
	le64_put(in + 8, addr);
	if (data)
		memcpy(in + 16, data, len);
	return run(f, cci, 0x5302, in, 16u + (data ? len : 0u));
}

static void unbind(struct fx *f, uint8_t vppb)
{
	uint8_t in[3] = { 0, vppb, 1 };

	assert_int_equal(run(f, f->mbox, 0x5202, in, sizeof(in)), CXL_RC_BG_STARTED);
	fake_now += 1 * MS;
	sw_tick(f->sw);
}

/* ---- 5103h ------------------------------------------------------------------ */

static void test_ppb_header_and_caps(void **state)
{
	struct fx *f = *state;
	static const uint8_t id[4] = { 0xe5, 0x19, 0x29, 0xa1 };

	/* port 4: unbound? no: bound to vPPB 2 until the FM unbinds it */
	assert_int_equal(ppb(f, 4, 0x00, 0xf, false, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(f->out_len, 0);
	unbind(f, 2);
	assert_int_equal(ppb(f, 4, 0x00, 0xf, false, 0), 0);
	assert_int_equal(f->out_len, 4);
	assert_memory_equal(f->out, id, 4);
	static const struct reg dsp_at_reset[] = {
		{ 0x04, 0x00100000u }, /* status: capabilities list */
		{ 0x08, 0x06040000u }, /* PCI-to-PCI bridge */
		{ 0x0c, 0x00010000u }, /* header type 1 */
		{ 0x10, 0x00000004u }, /* 64-bit memory BAR */
		{ 0x24, 0x00010001u }, /* prefetchable window 64-bit */
		{ 0x34, 0x00000090u },
		/* PCI Express Capability: v2, Downstream Port, slot implemented */
		{ 0x90, 0x01620010u },
		/* Link Capabilities: 64 GT/s, x16, DLL Link Active Reporting, port 4 */
		{ 0x9c, 0x04100106u },
		{ 0xa0, 0x00000000u }, /* empty port: link down */
		{ 0xa4, 0x00200040u }, /* hot-plug capable, slot 4 */
		{ 0xa8, 0x00000000u }, /* nothing present */
		{ 0xbc, 0x0000007eu }, /* speeds 2.5 .. 64 GT/s */
		{ 0xc0, 0x00000006u }, /* target link speed */
		/* DVSECs: Port Extensions, Flex Bus Port, GPF for Port, Register Locator */
		{ 0x100, 0x12810023u },
		{ 0x104, 0x02801e98u },
		{ 0x108, 0x00000003u },
		{ 0x128, 0x14810023u },
		{ 0x12c, 0x02021e98u },
		{ 0x130, 0x00670007u },
		{ 0x134, 0x00000067u }, /* control; status: link down */
		{ 0x148, 0x15810023u },
		{ 0x14c, 0x01001e98u },
		{ 0x150, 0x00000004u },
		{ 0x154, 0x00010001u },
		{ 0x158, 0x00010023u },
		{ 0x15c, 0x02401e98u },
		{ 0x160, 0x00000008u },
		{ 0x164, 0x00000100u },
	};

	expect_ppb_rd(f, 4, dsp_at_reset, N_REGS(dsp_at_reset));
	/* byte enables: only byte 1 of the IDs */
	assert_int_equal(ppb(f, 4, 0x00, 0x2, false, 0), 0);
	assert_int_equal(le32_get(f->out), 0x00001900u);
	/* not on the switch mailbox CCI (CXL r3.2 Table 8-397: prohibited there) */
	{
		uint8_t in[16] = { 4, 0x00, 0xf0, 0x00 };

		assert_int_equal(run(f, f->mbox, 0x5103, in, 8), CXL_RC_UNSUPPORTED);
		assert_int_equal(run(f, f->mbox, 0x5301, in, 12), CXL_RC_UNSUPPORTED);
		assert_int_equal(run(f, f->mbox, 0x5302, in, 16), CXL_RC_UNSUPPORTED);
	}
}

static void test_ppb_write_masks(void **state)
{
	struct fx *f = *state;

	unbind(f, 2);
	/* read-only: IDs, class, capability pointer */
	assert_int_equal(ppb_wr(f, 4, 0x00, 0xf, 0xffffffffu), 0xa12919e5u);
	assert_int_equal(ppb_wr(f, 4, 0x08, 0xf, 0x12345678u), 0x06040000u);
	/* bus numbers: primary, secondary, subordinate; secondary latency RO */
	assert_int_equal(ppb_wr(f, 4, 0x18, 0xf, 0xaabbccddu), 0x00bbccddu);
	/* only enabled bytes change */
	assert_int_equal(ppb_wr(f, 4, 0x18, 0x1, 0x00000056u), 0x00bbcc56u);
	/* BAR sizing: 64 KiB component registers */
	assert_int_equal(ppb_wr(f, 4, 0x10, 0xf, 0xffffffffu), 0xffff0004u);
	/* command: memory, bus master writable; I/O too (a bridge) */
	assert_int_equal(ppb_wr(f, 4, 0x04, 0x3, 0x0000ffffu), 0x00100547u);
	/* Flex Bus Port control: bit 1 (IO) is read-only */
	assert_int_equal(ppb_wr(f, 4, 0x134, 0x3, 0x00000000u), 0x00000002u);
	/* Reset PPB (5102h) returns the reset values */
	{
		uint8_t in[2] = { 4, 2 };

		assert_int_equal(run(f, f->mbox, 0x5102, in, sizeof(in)), 0);
	}
	static const struct reg dsp_after_reset[] = {
		{ 0x18, 0x00000000u },
		{ 0x10, 0x00000004u },
		{ 0x04, 0x00100000u },
		{ 0x134, 0x00000067u },
	};

	expect_ppb_rd(f, 4, dsp_after_reset, N_REGS(dsp_after_reset));
}

/* The MLD port is always the FM's (CXL r3.1 §7.2.3.2): its link, PERST#,
 * Link Disable and the Slot Status latches. */
static void test_ppb_link_state(void **state)
{
	struct fx *f = *state;
	uint8_t perst[2] = { 2, 0 }, deassert[2] = { 2, 1 }, q[2] = { 1, 2 };

	/* trained at 32 GT/s x16, DLL Link Active, 68B flits */
	static const struct reg mld_port_up[] = {
		{ 0x9c, 0x02100106u },
		{ 0xa0, 0x21050000u },
		{ 0xa8, 0x00400000u }, /* present, nothing changed */
		{ 0xd0, 0x00000000u }, /* not flit mode */
		{ 0x134, 0x00660067u }, /* IO, Mem, 68B-VH, MLD */
	};

	expect_ppb_rd(f, 2, mld_port_up, N_REGS(mld_port_up));
	/* the LD functions see the same link */
	assert_int_equal(ldcfg_rd(f, 1, 0x90), 0x01050000u);

	/* PERST#: link down, DLL State Changed latched */
	assert_int_equal(run(f, f->mbox, 0x5102, perst, sizeof(perst)), 0);
	assert_int_equal(ppb_rd(f, 2, 0xa0), 0x00000000u);
	assert_int_equal(ppb_rd(f, 2, 0xa8), 0x01400000u);
	assert_int_equal(ppb_rd(f, 2, 0x134), 0x00000067u);
	assert_int_equal(ldcfg(f, f->mctp, 2, 1, 0, 0xf, false, 0), CXL_RC_INVALID_INPUT);
	fake_now += 100 * MS;
	assert_int_equal(run(f, f->mbox, 0x5102, deassert, sizeof(deassert)), 0);
	assert_int_equal(ppb_rd(f, 2, 0xa0), 0x21050000u);
	/* software clears the latch with a 1 */
	assert_int_equal(ppb_wr(f, 2, 0xa8, 0xc, 0x01000000u), 0x00400000u);

	/* Link Disable: the link goes down; Get Physical Port State: LTSSM Disabled */
	assert_int_equal(ppb_wr(f, 2, 0xa0, 0x1, 0x00000010u), 0x00000010u);
	assert_int_equal(ppb_rd(f, 2, 0xa8), 0x01400000u);
	assert_int_equal(run(f, f->mbox, 0x5101, q, sizeof(q)), 0);
	assert_int_equal(f->out[4 + 7], 0x00); /* negotiated width */
	assert_int_equal(f->out[4 + 10], 0x00); /* current speed */
	assert_int_equal(f->out[4 + 11], 0x08); /* LTSSM Disabled */
	assert_int_equal(ppb_wr(f, 2, 0xa0, 0x1, 0x00000000u), 0x21050000u);
	assert_int_equal(run(f, f->mbox, 0x5101, q, sizeof(q)), 0);
	assert_int_equal(f->out[4 + 11], 0x04); /* L0 */
}

/* Presence: a device that leaves (sw_detach) latches Presence Detect Changed. */
static void test_ppb_presence(void **state)
{
	struct fx *f = *state;

	unbind(f, 0);
	assert_int_equal(ppb_rd(f, 1, 0xa8), 0x00400000u);
	assert_int_equal(sw_detach(f->sw, 0), 0);
	assert_int_equal(ppb_rd(f, 1, 0xa8), 0x01080000u); /* DLLSC, PDC; not present */
	assert_int_equal(ppb_rd(f, 1, 0xa0), 0x00000000u);
}

static void test_ppb_errors(void **state)
{
	struct fx *f = *state;
	uint8_t in[8] = { 4, 0x18, 0xf0, 0x80, 0x11, 0x22, 0x33, 0x44 };
	uint8_t bind[6] = { 0, 2, 4, 0, 0xff, 0xff };

	/* the USP, an unknown port, a bound SLD port */
	assert_int_equal(ppb(f, 9, 0x00, 0xf, false, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(ppb(f, 7, 0x00, 0xf, false, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(ppb(f, 1, 0x00, 0xf, false, 0), CXL_RC_INVALID_INPUT);
	/* a write to a bound port changes nothing */
	assert_int_equal(run(f, f->mctp, 0x5103, in, sizeof(in)), CXL_RC_INVALID_INPUT);
	/* register offsets must be dword aligned */
	unbind(f, 2);
	assert_int_equal(ppb_rd(f, 4, 0x18), 0x00000000u);
	assert_int_equal(ppb(f, 4, 0x19, 0xf, false, 0), CXL_RC_INVALID_INPUT);
	/* lengths other than 8 */
	assert_int_equal(run(f, f->mctp, 0x5103, in, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mctp, 0x5103, in, 9), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* a bind in progress: Retry Required */
	assert_int_equal(run(f, f->mbox, 0x5201, bind, sizeof(bind)), CXL_RC_BG_STARTED);
	assert_int_equal(ppb(f, 4, 0x00, 0xf, false, 0), CXL_RC_RETRY_REQUIRED);
	fake_now += 1 * MS;
	sw_tick(f->sw);
	assert_int_equal(ppb(f, 4, 0x00, 0xf, false, 0), CXL_RC_INVALID_INPUT);
}

/* ---- the host's view: vPPBs -------------------------------------------------- */

static uint32_t vppb_rd(struct fx *f, unsigned vppb, unsigned off)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(sw_vppb_cfg(f->sw, vppb, off, 0xf, false, &v), 0);
	return v;
}

static void test_vppb_views(void **state)
{
	struct fx *f = *state;
	uint32_t v = 0x00050403u;
	uint8_t bind[6] = { 0, 0, 1, 0, 0xff, 0xff };

	/* vPPB 0 is port 1's PPB (an SLD, 64 GT/s x16, present); vPPB 1 its own
	 * space, bound to LD 0 of the MLD port (32 GT/s x16); vPPB 2 port 4's (empty) */
	assert_int_equal(vppb_rd(f, 0, 0xa0), 0x21060000u);
	assert_int_equal(vppb_rd(f, 0, 0xa8), 0x00400000u);
	assert_int_equal(vppb_rd(f, 1, 0x00), 0xa12919e5u);
	assert_int_equal(vppb_rd(f, 1, 0x9c), 0x02100106u);
	assert_int_equal(vppb_rd(f, 1, 0xa0), 0x21050000u);
	assert_int_equal(vppb_rd(f, 1, 0xa8), 0x00400000u);
	assert_int_equal(vppb_rd(f, 1, 0x134), 0x00660067u);
	assert_int_equal(vppb_rd(f, 2, 0xa8), 0x00000000u);
	/* the host programs vPPB 0: the port's PPB holds it (the FM sees it once unbound) */
	assert_int_equal(sw_vppb_cfg(f->sw, 0, 0x18, 0x7, true, &v), 0);
	unbind(f, 0);
	assert_int_equal(ppb_rd(f, 1, 0x18), 0x00050403u);
	/* unbound: link down, nothing present, the change latched (hot-remove) */
	assert_int_equal(vppb_rd(f, 0, 0xa0), 0x00000000u);
	assert_int_equal(vppb_rd(f, 0, 0xa8), 0x01080000u);
	assert_int_equal(vppb_rd(f, 0, 0x18), 0x00000000u);
	v = 0x01080000u;
	assert_int_equal(sw_vppb_cfg(f->sw, 0, 0xa8, 0xc, true, &v), 0);
	assert_int_equal(vppb_rd(f, 0, 0xa8), 0x00000000u);
	/* bound again: hot-add latched in the port's PPB the host now sees */
	assert_int_equal(run(f, f->mbox, 0x5201, bind, sizeof(bind)), CXL_RC_BG_STARTED);
	fake_now += 1 * MS;
	sw_tick(f->sw);
	assert_int_equal(vppb_rd(f, 0, 0xa8), 0x01480000u);
	/* PERST# on the MLD port: vPPB 1's link goes down with it */
	assert_int_equal(run(f, f->mbox, 0x5102, (uint8_t[]){ 2, 0 }, 2), 0);
	assert_int_equal(vppb_rd(f, 1, 0xa0), 0x00000000u);
	assert_int_equal(vppb_rd(f, 1, 0xa8), 0x01400000u);
	/* the host's Link Disable on vPPB 1 does not touch the shared link */
	fake_now += 100 * MS;
	assert_int_equal(run(f, f->mbox, 0x5102, (uint8_t[]){ 2, 1 }, 2), 0);
	v = 0x10;
	assert_int_equal(sw_vppb_cfg(f->sw, 1, 0xa0, 0x1, true, &v), 0);
	assert_int_equal(ppb_rd(f, 2, 0xa0), 0x21050000u);
	/* errors */
	assert_int_equal(sw_vppb_cfg(f->sw, 3, 0, 0xf, false, &v), -ENOENT);
	assert_int_equal(sw_vppb_cfg(f->sw, 0, 2, 0xf, false, &v), -EINVAL);
	assert_int_equal(sw_vppb_cfg(f->sw, 0, 4096, 0xf, false, &v), -EINVAL);
}

/* ---- 5301h ------------------------------------------------------------------ */

static void test_ld_config_space(void **state)
{
	struct fx *f = *state;
	static const uint8_t id[4] = { 0x86, 0x80, 0x93, 0x0d };

	assert_int_equal(ldcfg(f, f->mctp, 2, 1, 0x00, 0xf, false, 0), 0);
	assert_int_equal(f->out_len, 4);
	assert_memory_equal(f->out, id, 4);
	static const struct reg ld1_space[] = {
		{ 0x08, 0x05021000u }, /* CXL memory device */
		{ 0x0c, 0x00000000u }, /* header type 0 */
		{ 0x10, 0x00000004u }, /* register BAR */
		{ 0x18, 0x0000000cu }, /* memory window, prefetchable */
		{ 0x2c, 0x11001af4u }, /* subsystem */
		{ 0x34, 0x00000080u },
		{ 0x80, 0x00020010u }, /* PCIe cap v2, endpoint */
		{ 0x8c, 0x00000105u }, /* 32 GT/s x16 */
		/* Device Serial Number, then the DVSECs */
		{ 0x100, 0x10c10003u },
		{ 0x104, 0x00001234u },
		{ 0x108, 0x00000000u },
		{ 0x10c, 0x14810023u },
		{ 0x110, 0x03c31e98u }, /* device DVSEC rev 3, 3Ch */
		{ 0x114, 0x201e0000u }, /* ID 0; IO, Mem, HDM 1, MLD */
		{ 0x118, 0x00000002u }, /* IO enable */
		{ 0x124, 0x00000000u }, /* range 1 size high */
		{ 0x128, 0x1000004bu }, /* 256 MiB, valid, active */
		{ 0x148, 0x16c10023u }, /* Register Locator */
		{ 0x154, 0x00000100u }, /* component regs, BAR0 + 0 */
		{ 0x15c, 0x00010300u }, /* device regs, BAR0 + 64 KiB */
		{ 0x16c, 0x17c10023u }, /* GPF for Device */
		{ 0x174, 0x06030005u },
		{ 0x17c, 0x00010023u }, /* Flex Bus Port, last */
		{ 0x184, 0x00660007u },
		{ 0x188, 0x00660066u },
	};

	expect_ldcfg_rd(f, 1, ld1_space, N_REGS(ld1_space));
	/* the FM-owned LD: no memory window, no GPF, the MLD DVSEC with 4 LDs */
	static const struct reg fmld_space[] = {
		{ 0x18, 0x00000000u },
		{ 0x128, 0x00000000u },
		{ 0x16c, 0x18c10023u },
		{ 0x18c, 0x00010023u },
		{ 0x190, 0x01001e98u },
		{ 0x194, 0x00040009u },
	};

	expect_ldcfg_rd(f, FMLD, fmld_space, N_REGS(fmld_space));
	/* another LD */
	assert_int_equal(ldcfg(f, f->mctp, 2, 3, 0x00, 0xf, false, 0), 0);
	assert_memory_equal(f->out, id, 4);
}

static void test_ld_config_state(void **state)
{
	struct fx *f = *state;
	uint8_t set[4 + 4 * 16] = { 4, 0 };

	/* Set LD Allocations (5402h) shows in the LD's Range 1 size */
	le64_put(set + 4, 1);
	le64_put(set + 20, 2);
	le64_put(set + 36, 1);
	le64_put(set + 52, 0);
	assert_int_equal(cci_process(t3_fm_cci(f->mld), 0x5402, set, sizeof(set), f->out,
				     &f->out_len), 0);
	assert_int_equal(ldcfg_rd(f, 1, 0x128), 0x2000004bu);
	assert_int_equal(ldcfg_rd(f, 3, 0x128), 0x00000000u);
	/* BAR sizing: 1 GiB memory window, 128 KiB register BAR */
	assert_int_equal(ldcfg_wr(f, 1, 0x18, 0xffffffffu), 0xc000000cu);
	assert_int_equal(ldcfg_wr(f, 1, 0x1c, 0xffffffffu), 0xffffffffu);
	assert_int_equal(ldcfg_wr(f, 1, 0x10, 0xffffffffu), 0xfffe0004u);
	/* IDs read-only; LDs are separate functions */
	assert_int_equal(ldcfg_wr(f, 1, 0x00, 0), 0x0d938086u);
	assert_int_equal(ldcfg_rd(f, 2, 0x18), 0x0000000cu);
	/* DVSEC Lock freezes the range base */
	assert_int_equal(ldcfg_wr(f, 1, 0x12c, 0xffffffffu), 0xffffffffu);
	assert_int_equal(ldcfg_wr(f, 1, 0x120, 0x00000001u), 0x00000001u); /* Lock */
	assert_int_equal(ldcfg_wr(f, 1, 0x12c, 0), 0xffffffffu);
	assert_int_equal(ldcfg_wr(f, 1, 0x120, 0), 0x00000001u);
	/* the MLD DVSEC's LD-ID Hot Reset Vector resets LD 1's function */
	assert_int_equal(ldcfg_wr(f, FMLD, 0x198, 0x00000002u), 0);
	assert_int_equal(ldcfg_rd(f, 1, 0x18), 0x0000000cu);
	assert_int_equal(ldcfg_rd(f, 1, 0x12c), 0x00000000u);
}

static void test_ld_config_errors(void **state)
{
	struct fx *f = *state;
	uint8_t in[12] = { 2, 0x18, 0xf0, 0x80, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
	uint8_t bind[6] = { 0, 2, 2, 0, 1, 0 };

	assert_int_equal(ldcfg(f, f->mctp, 2, 0, 0, 0xf, false, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(ldcfg(f, f->mctp, 2, 4, 0, 0xf, false, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(ldcfg(f, f->mctp, 1, 0, 0, 0xf, false, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(ldcfg(f, f->mctp, 4, 0, 0, 0xf, false, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(ldcfg(f, f->mctp, 7, 0, 0, 0xf, false, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(ldcfg(f, f->mctp, 9, 0, 0, 0xf, false, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(ldcfg(f, f->mctp, 2, 1, 0x1e, 0xf, false, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(run(f, f->mctp, 0x5301, in, 11), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mctp, 0x5301, in, 13), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* binding LD 1 to vPPB 2: Retry Required while it runs, then Invalid Input */
	unbind(f, 2);
	assert_int_equal(run(f, f->mbox, 0x5201, bind, sizeof(bind)), CXL_RC_BG_STARTED);
	assert_int_equal(run(f, f->mctp, 0x5301, in, sizeof(in)), CXL_RC_RETRY_REQUIRED);
	fake_now += 1 * MS;
	sw_tick(f->sw);
	assert_int_equal(run(f, f->mctp, 0x5301, in, sizeof(in)), CXL_RC_INVALID_INPUT);
	/* the refused write left the BAR alone */
	assert_int_equal(ldcfg_rd(f, 2, 0x18), 0x0000000cu);
	unbind(f, 2);
	assert_int_equal(ldcfg_rd(f, 1, 0x18), 0x0000000cu);
}

/* ---- 5302h ------------------------------------------------------------------ */

/* LD 1: memory window at 1_0000_0000, registers at 2_0000_0000, memory on. */
static void map_ld1(struct fx *f)
{
	ldcfg_wr(f, 1, 0x18, 0x00000000u);
	ldcfg_wr(f, 1, 0x1c, 0x00000001u);
	ldcfg_wr(f, 1, 0x10, 0x00000000u);
	ldcfg_wr(f, 1, 0x14, 0x00000002u);
	ldcfg_wr(f, 1, 0x04, 0x00000002u);
}

static void test_ld_mem(void **state)
{
	struct fx *f = *state;
	uint8_t pat[100], got[100];
	static const uint8_t wrsp[4] = { 100, 0, 0, 0 };
	/* Device Capabilities Array: ID 0, version 1, type 1, 1 capability */
	static const uint8_t regs[12] = { 8, 0, 0, 0, 0x00, 0x00, 0x01, 0x01,
					  0x01, 0x00, 0x00, 0x00 };

	for (unsigned i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(0x5a ^ i);
	map_ld1(f);
	/* 100 bytes at window offset 0x1002: byte enables of the first / last DW */
	assert_int_equal(ldmem(f, f->mctp, 1, 0x100001002ull, 100, pat, 0xc, 0x3), 0);
	assert_int_equal(f->out_len, 4);
	assert_memory_equal(f->out, wrsp, 4);
	/* LD 1's byte 0x1002 is device DPA 256 MiB + 0x1002 */
	assert_int_equal(t3_mem_access(f->mld, 256 * MiB + 0x1002, got, sizeof(got), false), 0);
	assert_memory_equal(got, pat, sizeof(pat));
	/* read it back; zero byte enables are taken as the range's */
	assert_int_equal(ldmem(f, f->mctp, 1, 0x100001002ull, 100, NULL, 0, 0), 0);
	assert_int_equal(f->out_len, 104);
	assert_memory_equal(f->out, wrsp, 4);
	assert_memory_equal(f->out + 4, pat, sizeof(pat));
	/* the register BAR: Device Capabilities Array, Memory Device Status */
	assert_int_equal(ldmem(f, f->mctp, 1, 0x200010000ull, 8, NULL, 0xf, 0xf), 0);
	assert_int_equal(f->out_len, 12);
	assert_memory_equal(f->out, regs, 12);
	assert_int_equal(ldmem(f, f->mctp, 1, 0x200010020ull, 4, NULL, 0xf, 0), 0);
	assert_int_equal(le32_get(f->out + 4), 0x00000004u); /* media ready */
	assert_int_equal(ldmem(f, f->mctp, 1, 0x200001000ull, 4, NULL, 0xf, 0), 0);
	assert_int_equal(le32_get(f->out + 4), 0x00110001u);
	/* the FM-owned LD's registers */
	ldcfg_wr(f, FMLD, 0x10, 0x00000000u);
	ldcfg_wr(f, FMLD, 0x14, 0x00000003u);
	ldcfg_wr(f, FMLD, 0x04, 0x00000002u);
	assert_int_equal(ldmem(f, f->mctp, FMLD, 0x300001000ull, 4, NULL, 0xf, 0), 0);
	assert_int_equal(le32_get(f->out + 4), 0x00110001u);
	/* a read answer must fit the CCI's message limit: 512 bytes, 1 KiB
	 * after Set Response Message Limit */
	assert_int_equal(ldmem(f, f->mctp, 1, 0x100000000ull, 508, NULL, 0, 0), 0);
	assert_int_equal(f->out_len, 512);
	assert_int_equal(ldmem(f, f->mctp, 1, 0x100000000ull, 509, NULL, 0, 0),
			 CXL_RC_INVALID_INPUT);
	assert_int_equal(run(f, f->mctp, 0x0004, (uint8_t[]){ 10 }, 1), 0);
	assert_int_equal(ldmem(f, f->mctp, 1, 0x100000000ull, 1020, NULL, 0, 0), 0);
	assert_int_equal(f->out_len, 1024);
	assert_int_equal(ldmem(f, f->mctp, 1, 0x100000000ull, 1021, NULL, 0, 0),
			 CXL_RC_INVALID_INPUT);
	/* a zero-length read */
	assert_int_equal(ldmem(f, f->mctp, 1, 0x100000000ull, 0, NULL, 0, 0), 0);
	assert_int_equal(f->out_len, 4);
	assert_int_equal(le16_get(f->out), 0);
}

static void test_ld_mem_partial(void **state)
{
	struct fx *f = *state;
	uint8_t zero[256] = { 0 };

	map_ld1(f);
	/* poison at LD 1 byte 0x80: a 256-byte read from 0 stops there */
	assert_int_equal(t3_inject_poison(f->mld, 256 * MiB + 0x80, 64, NULL, 0), 0);
	assert_int_equal(ldmem(f, f->mctp, 1, 0x100000000ull, 256, NULL, 0, 0), 0);
	assert_int_equal(le16_get(f->out), 0x80);
	assert_int_equal(f->out_len, 4 + 0x80);
	assert_memory_equal(f->out + 4, zero, 0x80);
}

static void test_ld_mem_errors(void **state)
{
	struct fx *f = *state;
	uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, got[8];
	static const uint8_t want[8] = { 0, 1, 2, 0, 0, 0, 0, 0 }, zero[8] = { 0 };
	uint8_t in[16 + 8] = { 0 };
	/* Memory Space Enable off: nothing decodes */
	ldcfg_wr(f, 1, 0x18, 0x00000000u);
	ldcfg_wr(f, 1, 0x1c, 0x00000001u);
	assert_int_equal(ldmem(f, f->mctp, 1, 0x100000000ull, 8, data, 0, 0),
			 CXL_RC_INVALID_INPUT);
	map_ld1(f);
	/* past the LD's 256 MiB allocation, outside every BAR */
	assert_int_equal(ldmem(f, f->mctp, 1, 0x100000000ull + 256 * MiB - 4, 8, data, 0, 0),
			 CXL_RC_INVALID_INPUT);
	assert_int_equal(ldmem(f, f->mctp, 1, 0x0ffffff00ull, 8, data, 0, 0),
			 CXL_RC_INVALID_INPUT);
	/* byte enables that are not the range's */
	assert_int_equal(ldmem(f, f->mctp, 1, 0x100000000ull, 8, data, 0xf, 0x0),
			 CXL_RC_INVALID_INPUT);
	assert_int_equal(ldmem(f, f->mctp, 1, 0x100000001ull, 2, data, 0xf, 0x0),
			 CXL_RC_INVALID_INPUT);
	assert_int_equal(ldmem(f, f->mctp, 1, 0x100000001ull, 2, data, 0x6, 0x0), 0);
	/* the bound LD 0, an LD the MLD lacks, the SLD port */
	assert_int_equal(ldmem(f, f->mctp, 0, 0x100000000ull, 8, data, 0, 0),
			 CXL_RC_INVALID_INPUT);
	assert_int_equal(ldmem(f, f->mctp, 5, 0x100000000ull, 8, data, 0, 0),
			 CXL_RC_INVALID_INPUT);
	/* over 4 KiB */
	in[0] = 2;
	le16_put(in + 4, 1);
	le16_put(in + 6, 0x1001);
	le64_put(in + 8, 0x100000000ull);
	assert_int_equal(run(f, f->mctp, 0x5302, in, 16), CXL_RC_INVALID_INPUT);
	/* data that is not the length; a read with data; under 16 bytes */
	le16_put(in + 6, 8);
	in[3] = 0x80;
	assert_int_equal(run(f, f->mctp, 0x5302, in, 16 + 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	in[3] = 0;
	assert_int_equal(run(f, f->mctp, 0x5302, in, 16 + 8), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mctp, 0x5302, in, 15), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* of all these writes only the 2 bytes at LD 1 byte 1 landed */
	assert_int_equal(t3_mem_access(f->mld, 256 * MiB, got, 8, false), 0);
	assert_memory_equal(got, want, 8);
	assert_int_equal(t3_mem_access(f->mld, 512 * MiB - 4, got, 8, false), 0);
	assert_memory_equal(got, zero, 8);
	assert_int_equal(t3_mem_access(f->mld, 0, got, 8, false), 0);
	assert_memory_equal(got, zero, 8);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_ppb_header_and_caps),
		T(test_ppb_write_masks),
		T(test_ppb_link_state),
		T(test_ppb_presence),
		T(test_ppb_errors),
		T(test_vppb_views),
		T(test_ld_config_space),
		T(test_ld_config_state),
		T(test_ld_config_errors),
		T(test_ld_mem),
		T(test_ld_mem_partial),
		T(test_ld_mem_errors),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
