/* SPDX-License-Identifier: MIT */
/*
 * Type-3 media and poison management (4300h-4305h), sanitize, secure
 * erase and media operations (4400h-4402h) through the device's CCIs, with
 * the backing memory they act on and the QMP poison injection. The device:
 * 256 MiB volatile at DPA 0, 256 MiB persistent at 0x10000000, two 256 MiB
 * DC regions from 0x20000000, a 4 KiB LSA, all backed by shared anonymous
 * memory (whole pages are erased by punching them out, as in a file).
 */
#include <errno.h>
#include <unistd.h>

#include "dev/t3_nv.h"
#include "t3_fixture.h"

#define PMEM (256 * MiB)
#define PBASE VMEM                /* persistent capacity */
#define DCB (VMEM + PMEM)         /* DC region 0 */
#define CAP (DCB + DCSZ)          /* 1 GiB of DPA */
#define LSA 4096
#define SEC 1000000000ull

struct mfx {
	struct fx *f;
	struct t3_config cfg;
	uint8_t *stat, *dc;
	uint8_t lsa[LSA];
	uint8_t nv[T3_NV_SIZE];
};

static uint8_t *map_shared(size_t len)
{
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

static struct mfx *mfx_new(void)
{
	struct mfx *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->stat = map_shared(DCB);
	m->dc = map_shared(DCSZ);
	m->cfg = (struct t3_config){
		.id = "med0", .serial = 42, .vmem_size = VMEM, .pmem_size = PMEM,
		.lsa_size = LSA, .lsa_mem = m->lsa, .dc_size = DCSZ, .num_dc_regions = 2,
		.static_mem = m->stat, .static_mem_size = DCB, .dc_mem = m->dc,
		.dc_mem_size = DCSZ, .nv_mem = m->nv, .nv_size = sizeof(m->nv),
	};
	m->f = fx_new(m->cfg);
	return m;
}

static void mfx_free(struct mfx *m)
{
	fx_free(m->f);
	munmap(m->stat, DCB);
	munmap(m->dc, DCSZ);
	free(m);
}

/* The device starts again on the same memory and non-volatile state (a restart). */
static void relive(struct mfx *m)
{
	t3_destroy(m->f->dev);
	assert_int_equal(t3_create(&m->cfg, &m->f->clk, &m->f->dev), 0);
}

static uint16_t poison_list(struct fx *f, struct cci *cci, uint64_t start, uint64_t units)
{
	uint8_t in[16];

	le64_put(in, start);
	le64_put(in + 8, units);
	return run(f, cci, 0x4300, in, sizeof(in));
}

static uint16_t inject(struct fx *f, uint64_t dpa)
{
	uint8_t in[8];

	le64_put(in, dpa);
	return host(f, 0x4301, in, sizeof(in));
}

static uint16_t clear(struct fx *f, uint64_t dpa, uint8_t fill)
{
	uint8_t in[72];

	le64_put(in, dpa);
	memset(in + 8, fill, 64);
	return host(f, 0x4302, in, sizeof(in));
}

static uint16_t scan(struct fx *f, struct cci *cci, uint64_t start, uint64_t units, uint8_t flags)
{
	uint8_t in[17];

	le64_put(in, start);
	le64_put(in + 8, units);
	in[16] = flags;
	return run(f, cci, 0x4304, in, sizeof(in));
}

/* A Media Error Record as the device writes it. */
static void rec(uint8_t *p, uint64_t dpa, uint8_t src, uint32_t lines)
{
	memset(p, 0, 16);
	le64_put(p, dpa | src);
	le32_put(p + 8, lines);
}

/* Accept 2 MiB of DC region 0 at its start, as the host would. */
static void accept_dc(struct fx *f)
{
	struct t3_dc_extent e = { 0, BS };
	uint8_t b[32] = { 1 };

	assert_int_equal(t3_add_dynamic_capacity(f->dev, 0, DCD_SEL_PRESCRIPTIVE, 0, NULL, &e, 1,
						 NULL, 0), 0);
	le64_put(b + 8, DCB);
	le64_put(b + 16, BS);
	assert_int_equal(host(f, 0x4802, b, sizeof(b)), CXL_RC_SUCCESS);
}

/* A command on the host mailbox: its background operation completes if due. */
static void tick(struct fx *f)
{
	assert_int_equal(host(f, 0x0300, NULL, 0), CXL_RC_SUCCESS);
}

static uint8_t bg_pct(struct fx *f)
{
	assert_int_equal(fm(f, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	return f->out[0] >> 1;
}

/* ---- 4300h Get Poison List ------------------------------------------------------- */

static void test_get_poison_list(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;
	struct cci *h = t3_host_cci(f->dev);
	uint8_t want[32 + 3 * 16] = { 0 };

	(void)state;
	assert_int_equal(poison_list(f, h, 0, CAP / 64), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 32);
	assert_memory_equal(f->out, want, 32);

	/* QMP poison (source Internal) and a mailbox one (Injected), in DPA order */
	assert_int_equal(inject(f, DCB + 0x40000), CXL_RC_SUCCESS);
	assert_int_equal(t3_inject_poison(f->dev, 0x1000, 128, NULL, 0), 0);
	assert_int_equal(t3_inject_poison(f->dev, PBASE + 0x2000, 64, NULL, 0), 0);
	assert_int_equal(poison_list(f, h, 0, CAP / 64), CXL_RC_SUCCESS);
	le16_put(want + 10, 3);
	rec(want + 32, 0x1000, 2, 2);
	rec(want + 48, PBASE + 0x2000, 2, 1);
	rec(want + 64, DCB + 0x40000, 3, 1);
	assert_int_equal(f->out_len, sizeof(want));
	assert_memory_equal(f->out, want, sizeof(want));

	/* a query range clips the records */
	assert_int_equal(poison_list(f, h, 0x1040, 10), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 48);
	assert_int_equal(le16_get(f->out + 10), 1);
	rec(want, 0x1040, 2, 1);
	assert_memory_equal(f->out + 32, want, 16);

	/* the same list over MCTP, through a tunnel to LD 0 too */
	assert_int_equal(poison_list(f, t3_fm_cci(f->dev), 0, CAP / 64), CXL_RC_SUCCESS);
	assert_int_equal(le16_get(f->out + 10), 3);
	assert_int_equal(poison_list(f, t3_ld_cci(f->dev, 0), PBASE, 1024), CXL_RC_SUCCESS);
	assert_int_equal(le16_get(f->out + 10), 1);

	/* errors */
	assert_int_equal(poison_list(f, h, 0x1001, 1), CXL_RC_INVALID_INPUT);
	assert_int_equal(poison_list(f, h, CAP, 1), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(poison_list(f, h, CAP - 64, 2), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(poison_list(f, h, 64, UINT64_MAX), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(host(f, 0x4300, want, 15), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(t3_poison_count(f->dev), 3);
	mfx_free(m);
}

/* More Media Error Records: the same request again continues; another restarts. */
static void test_poison_list_more(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;
	struct cci *mctp = t3_fm_cci(f->dev);

	(void)state;
	for (uint64_t i = 0; i < 40; i++)
		assert_int_equal(t3_inject_poison(f->dev, i * 4096, 64, NULL, 0), 0);
	/* 512-byte MCTP messages hold (512 - 32) / 16 = 30 records */
	assert_int_equal(poison_list(f, mctp, 0, CAP / 64), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0x01);
	assert_int_equal(le16_get(f->out + 10), 30);
	assert_int_equal(f->out_len, 32 + 30 * 16);
	assert_int_equal(le64_get(f->out + 32 + 29 * 16), 29 * 4096 | 2);
	assert_int_equal(poison_list(f, mctp, 0, CAP / 64), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0);
	assert_int_equal(le16_get(f->out + 10), 10);
	assert_int_equal(le64_get(f->out + 32), 30 * 4096 | 2);
	/* done: the next one starts over; a different range does too */
	assert_int_equal(poison_list(f, mctp, 0, CAP / 64), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0x01);
	assert_int_equal(poison_list(f, mctp, 0, CAP / 64 - 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0x01);
	assert_int_equal(le64_get(f->out + 32), 0 | 2);
	/* a changed list restarts too */
	assert_int_equal(inject(f, 0x100000), CXL_RC_SUCCESS);
	assert_int_equal(poison_list(f, mctp, 0, CAP / 64 - 1), CXL_RC_SUCCESS);
	assert_int_equal(le64_get(f->out + 32), 0 | 2);
	/* the host mailbox holds them all */
	assert_int_equal(poison_list(f, t3_host_cci(f->dev), 0, CAP / 64), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0);
	assert_int_equal(le16_get(f->out + 10), 41);
	mfx_free(m);
}

/* Past 256 entries: overflow with its timestamp; the poison is still on the media. */
static void test_poison_overflow(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;
	uint8_t ts[8], buf[4];
	char err[128];

	(void)state;
	le64_put(ts, 5 * SEC);
	assert_int_equal(host(f, 0x0301, ts, 8), CXL_RC_SUCCESS);
	for (uint64_t i = 0; i < T3_POISON_MAX; i++)
		assert_int_equal(t3_inject_poison(f->dev, i * 4096, 64, NULL, 0), 0);
	assert_false(t3_poison_overflowed(f->dev));
	now_ns += 2 * SEC;
	assert_int_equal(t3_inject_poison(f->dev, PBASE, 64, NULL, 0), 0);
	assert_true(t3_poison_overflowed(f->dev));
	assert_int_equal(t3_poison_count(f->dev), T3_POISON_MAX);
	assert_int_equal(t3_mem_access(f->dev, PBASE, buf, 4, false), -EIO);
	assert_int_equal(poison_list(f, t3_host_cci(f->dev), PBASE, 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0x02);
	assert_int_equal(le64_get(f->out + 2), 7 * SEC);
	assert_int_equal(le16_get(f->out + 10), 0);
	/* unlisted poison still counts as overlap; a mailbox inject finds the list full */
	assert_int_equal(t3_inject_poison(f->dev, PBASE, 128, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "Overlap with existing poisoned region not supported");
	assert_int_equal(inject(f, PBASE + 4096), CXL_RC_INJECT_POISON_LIMIT);
	assert_int_equal(inject(f, PBASE), CXL_RC_SUCCESS); /* already poisoned */
	assert_int_equal(t3_inject_poison(f->dev, CAP - 64, 128, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "Poison range is outside the device's capacity");
	mfx_free(m);
}

/* ---- 4301h Inject Poison --------------------------------------------------------- */

static void test_inject_poison(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;
	uint8_t in[8], want[16];
	const uint8_t *ev;
	char buf[8];

	(void)state;
	assert_int_equal(inject(f, PBASE + 0x4000), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(poison_list(f, t3_host_cci(f->dev), 0, CAP / 64), CXL_RC_SUCCESS);
	rec(want, PBASE + 0x4000, 3, 1);
	assert_memory_equal(f->out + 32, want, 16);
	assert_int_equal(t3_mem_access(f->dev, PBASE + 0x4008, buf, 8, false), -EIO);
	assert_int_equal(t3_mem_access(f->dev, PBASE + 0x4040, buf, 8, false), 0);
	/* a General Media Event: uncorrectable, Host Inject Poison, persistent DPA */
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_INFO), 1);
	ev = ev_peek(t3_events(f->dev), EV_LOG_INFO, 0);
	assert_memory_equal(ev, ev_uuid_gen_media, 16);
	assert_int_equal(le64_get(ev + 0x30), PBASE + 0x4000);
	assert_int_equal(ev[0x38], 0x01);
	assert_int_equal(ev[0x39], 0x00);
	assert_int_equal(ev[0x3a], 0x04);
	assert_int_equal(f->notified[EV_LOG_INFO], 1);
	/* volatile DPAs say so in bit 0 */
	assert_int_equal(inject(f, DCB), CXL_RC_SUCCESS);
	assert_int_equal(le64_get(ev_peek(t3_events(f->dev), EV_LOG_INFO, 1) + 0x30), DCB | 1);

	/* again: nothing changes, no event */
	assert_int_equal(inject(f, PBASE + 0x4000), CXL_RC_SUCCESS);
	assert_int_equal(t3_poison_count(f->dev), 2);
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_INFO), 2);

	/* errors leave the list as it was */
	assert_int_equal(inject(f, 0x20), CXL_RC_INVALID_INPUT);
	assert_int_equal(inject(f, CAP), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(inject(f, UINT64_MAX & ~63ull), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(host(f, 0x4301, in, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(t3_poison_count(f->dev), 2);
	for (uint64_t i = 2; i < T3_POISON_MAX; i++)
		assert_int_equal(inject(f, i * 64), CXL_RC_SUCCESS);
	assert_int_equal(inject(f, 0x200000), CXL_RC_INJECT_POISON_LIMIT);
	assert_int_equal(t3_poison_count(f->dev), T3_POISON_MAX);
	assert_false(t3_poison_overflowed(f->dev));
	mfx_free(m);
}

/* ---- 4302h Clear Poison ---------------------------------------------------------- */

static void test_clear_poison(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;
	uint8_t want[48], buf[64], pattern[64], in[72];
	struct t3_dev *bare;
	struct t3_config c;

	(void)state;
	memset(pattern, 0x5a, 64);
	/* QMP poison over 4 lines; clearing the second splits the entry */
	assert_int_equal(t3_inject_poison(f->dev, 0x2000, 256, NULL, 0), 0);
	assert_int_equal(clear(f, 0x2040, 0x5a), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_memory_equal(m->stat + 0x2040, pattern, 64);
	assert_int_equal(t3_mem_access(f->dev, 0x2040, buf, 64, false), 0);
	assert_memory_equal(buf, pattern, 64);
	assert_int_equal(t3_mem_access(f->dev, 0x2000, buf, 64, false), -EIO);
	assert_int_equal(poison_list(f, t3_host_cci(f->dev), 0, CAP / 64), CXL_RC_SUCCESS);
	memset(want, 0, 16);
	le16_put(want + 10, 2);
	assert_memory_equal(f->out, want, 16);
	rec(want + 16, 0x2000, 2, 1);
	rec(want + 32, 0x2080, 2, 2);
	assert_memory_equal(f->out + 32, want + 16, 32);

	/* a line with no poison: the data is written all the same (DC too) */
	assert_int_equal(clear(f, DCB + 0x100, 0x77), CXL_RC_SUCCESS);
	assert_int_equal(m->dc[0x100], 0x77);
	assert_int_equal(m->dc[0x13f], 0x77);
	assert_int_equal(m->dc[0x140], 0);

	/* errors change nothing */
	assert_int_equal(clear(f, 0x2004, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(clear(f, CAP, 0), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(host(f, 0x4302, in, 71), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(t3_poison_count(f->dev), 2);
	assert_int_equal(m->stat[0x2000], 0);

	/* no memory behind the line: Internal Error, the poison stays */
	c = m->cfg;
	c.static_mem = NULL;
	c.nv_mem = NULL;
	assert_int_equal(t3_create(&c, &f->clk, &bare), 0);
	assert_int_equal(t3_inject_poison(bare, 0, 64, NULL, 0), 0);
	le64_put(in, 0);
	assert_int_equal(run(f, t3_host_cci(bare), 0x4302, in, 72), CXL_RC_INTERNAL_ERROR);
	assert_int_equal(t3_poison_count(bare), 1);
	t3_destroy(bare);
	mfx_free(m);
}

/* A split of a full list pushes the upper part off it: overflow, still poisoned. */
static void test_clear_poison_split_full(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;
	uint8_t buf[4];

	(void)state;
	assert_int_equal(t3_inject_poison(f->dev, 0, 192, NULL, 0), 0);
	for (uint64_t i = 1; i < T3_POISON_MAX; i++)
		assert_int_equal(t3_inject_poison(f->dev, i * 4096, 64, NULL, 0), 0);
	assert_int_equal(clear(f, 64, 0), CXL_RC_SUCCESS);
	assert_true(t3_poison_overflowed(f->dev));
	assert_int_equal(t3_poison_count(f->dev), T3_POISON_MAX);
	assert_int_equal(t3_mem_access(f->dev, 0, buf, 4, false), -EIO);
	assert_int_equal(t3_mem_access(f->dev, 64, buf, 4, false), 0);
	/* the highest entry left the list, its poison did not */
	assert_int_equal(t3_mem_access(f->dev, (T3_POISON_MAX - 1) * 4096, buf, 4, false), -EIO);
	assert_int_equal(poison_list(f, t3_host_cci(f->dev), (T3_POISON_MAX - 1) * 4096, 1),
			 CXL_RC_SUCCESS);
	assert_int_equal(le16_get(f->out + 10), 0);
	mfx_free(m);
}

/* ---- 4303h-4305h Scan Media -------------------------------------------------------- */

static void test_scan_media_caps(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;
	uint8_t in[16] = { 0 };

	(void)state;
	le64_put(in + 8, CAP / 64); /* 16 Mi lines at 0.5 us */
	assert_int_equal(host(f, 0x4303, in, 16), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4);
	assert_int_equal(le32_get(f->out), 8388);
	le64_put(in + 8, 1);
	assert_int_equal(fm(f, 0x4303, in, 16), CXL_RC_SUCCESS);
	assert_int_equal(le32_get(f->out), 1);
	le64_put(in, 0x10);
	assert_int_equal(host(f, 0x4303, in, 16), CXL_RC_INVALID_INPUT);
	le64_put(in, CAP - 64);
	le64_put(in + 8, 2);
	assert_int_equal(host(f, 0x4303, in, 16), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(host(f, 0x4303, in, 17), CXL_RC_INVALID_PAYLOAD_LENGTH);
	mfx_free(m);
}

static void test_scan_media(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;
	struct cci *mctp = t3_fm_cci(f->dev);
	uint8_t want[32], r[16];

	(void)state;
	assert_int_equal(host(f, 0x4305, NULL, 0), CXL_RC_UNSUPPORTED); /* no scan yet */
	/* a full list plus two unlisted ranges */
	for (uint64_t i = 0; i < T3_POISON_MAX; i++)
		assert_int_equal(t3_inject_poison(f->dev, i * 4096, 64, NULL, 0), 0);
	assert_int_equal(t3_inject_poison(f->dev, PBASE, 128, NULL, 0), 0);
	assert_int_equal(t3_inject_poison(f->dev, DCB + 0x1000, 64, NULL, 0), 0);
	/* make room for one of them on the list */
	assert_int_equal(clear(f, 0, 0), CXL_RC_SUCCESS);
	assert_true(t3_poison_overflowed(f->dev));

	/* scan from the 128th listed entry on: 128 listed results and the 2 unlisted */
	assert_int_equal(scan(f, mctp, 0x80000, (CAP - 0x80000) / 64, 0x01), CXL_RC_BG_STARTED);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(fm(f, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0x01); /* running, 0 % */
	assert_int_equal(le16_get(f->out + 2), 0x4304);
	/* while it runs: the list says so, changes and results wait */
	assert_int_equal(poison_list(f, t3_host_cci(f->dev), 0, 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0x06); /* overflow, scan in progress */
	assert_int_equal(inject(f, 0x40), CXL_RC_BUSY);
	assert_int_equal(clear(f, 4096, 0), CXL_RC_BUSY);
	assert_int_equal(host(f, 0x4305, NULL, 0), CXL_RC_BUSY);
	assert_int_equal(scan(f, t3_host_cci(f->dev), 0, 1, 0), CXL_RC_BUSY);
	assert_int_equal(host(f, 0x4400, NULL, 0), CXL_RC_BUSY);
	now_ns += 4 * SEC;
	assert_int_equal(bg_pct(f), 47); /* 4000 of 8384 ms */
	now_ns += 5 * SEC;
	assert_int_equal(fm(f, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 100 << 1);
	assert_int_equal(le16_get(f->out + 4), CXL_RC_SUCCESS);

	/* 130 results, 126 a mailbox response; one unlisted fits the list, one does not */
	assert_int_equal(host(f, 0x4305, NULL, 0), CXL_RC_SUCCESS);
	memset(want, 0, sizeof(want));
	want[16] = 0x01;
	le16_put(want + 18, 126);
	assert_int_equal(f->out_len, 32 + 126 * 16);
	assert_memory_equal(f->out, want, 32);
	rec(r, 0x80000, 2, 1);
	assert_memory_equal(f->out + 32, r, 16);
	assert_int_equal(host(f, 0x4305, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(le16_get(f->out + 18), 4);
	assert_int_equal(f->out[16], 0);
	rec(r, 255 * 4096, 2, 1);
	assert_memory_equal(f->out + 32 + 1 * 16, r, 16);
	rec(r, PBASE, 2, 2);
	assert_memory_equal(f->out + 32 + 2 * 16, r, 16);
	rec(r, DCB + 0x1000, 2, 1);
	assert_memory_equal(f->out + 32 + 3 * 16, r, 16);
	assert_int_equal(host(f, 0x4305, NULL, 0), CXL_RC_SUCCESS); /* all consumed */
	assert_int_equal(f->out_len, 32);
	assert_int_equal(t3_poison_count(f->dev), T3_POISON_MAX);
	assert_true(t3_poison_overflowed(f->dev));
	/* No Event Log was asked for */
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_INFO), 0);

	/* room for the other: a scan of its range lists it and ends the overflow, with events */
	assert_int_equal(clear(f, 4096, 0), CXL_RC_SUCCESS);
	assert_int_equal(scan(f, t3_host_cci(f->dev), DCB, 1024, 0), CXL_RC_BG_STARTED);
	now_ns += SEC;
	assert_int_equal(host(f, 0x4305, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(le16_get(f->out + 18), 1);
	assert_false(t3_poison_overflowed(f->dev));
	assert_int_equal(poison_list(f, t3_host_cci(f->dev), DCB, 1024), CXL_RC_SUCCESS);
	assert_int_equal(le16_get(f->out + 10), 1);
	assert_int_equal(f->out[0], 0);
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_INFO), 1);
	assert_int_equal(ev_peek(t3_events(f->dev), EV_LOG_INFO, 0)[0x3a], 0x03);

	/* errors */
	assert_int_equal(scan(f, mctp, 8, 1, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(scan(f, mctp, CAP, 1, 0), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(host(f, 0x4304, want, 16), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x4305, want, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	mfx_free(m);
}

/* More poison than the results hold: the scan stops at the first it cannot keep. */
static void test_scan_media_stopped(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;
	struct cci_call call = { .out = f->out, .out_max = sizeof(f->out) };

	(void)state;
	for (uint64_t i = 0; i < T3_POISON_MAX + 4; i++)
		assert_int_equal(t3_inject_poison(f->dev, 0x100000 + i * 4096, 64, NULL, 0), 0);
	assert_int_equal(scan(f, t3_host_cci(f->dev), 0x40000, (PBASE - 0x40000) / 64, 1),
			 CXL_RC_BG_STARTED);
	now_ns += 10 * SEC;
	assert_int_equal(host(f, 0x4305, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[16], 0x03); /* more, stopped prematurely */
	assert_int_equal(le64_get(f->out), 0x100000 + T3_POISON_MAX * 4096);
	assert_int_equal(le64_get(f->out + 8), (PBASE - 0x100000 - T3_POISON_MAX * 4096) / 64);
	assert_int_equal(t3_poison_count(f->dev), T3_POISON_MAX);

	/* an aborted scan leaves its whole range to restart, and no results */
	assert_int_equal(scan(f, t3_fm_cci(f->dev), PBASE, 1024, 1), CXL_RC_BG_STARTED);
	assert_int_equal(cci_cmd_bg_op_abort(t3_fm_cci(f->dev), NULL, &call), CXL_RC_SUCCESS);
	assert_int_equal(host(f, 0x4305, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 32);
	assert_int_equal(f->out[16], 0x02);
	assert_int_equal(le64_get(f->out), PBASE);
	assert_int_equal(le64_get(f->out + 8), 1024);
	mfx_free(m);
}

/* ---- 4400h Sanitize ------------------------------------------------------------------ */

static void fill_patterns(struct mfx *m)
{
	memset(m->stat + 0x1000, 0xa1, 8192);
	memset(m->stat + PBASE + 0x123440, 0xb2, 100);
	memset(m->dc + 0x3000, 0xc3, 4096);
	memset(m->dc + DCSZ - 64, 0xd4, 64);
	memset(m->lsa, 0xe5, LSA);
}

static bool zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_sanitize(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;
	uint8_t buf[8], ts[8] = { 1 }, xf[0x90];

	(void)state;
	fill_patterns(m);
	assert_int_equal(t3_inject_poison(f->dev, 0x1000, 64, NULL, 0), 0);
	assert_int_equal(inject(f, PBASE), CXL_RC_SUCCESS); /* and an event */
	assert_int_equal(host(f, 0x0301, ts, 8), CXL_RC_SUCCESS);
	assert_int_equal(fm(f, 0x4400, NULL, 0), CXL_RC_BG_STARTED);
	assert_int_equal(f->out_len, 0);
	/* 1 GiB: QEMU's 8 s; the media is disabled meanwhile */
	now_ns += 2 * SEC;
	assert_int_equal(bg_pct(f), 25);
	assert_int_equal(le16_get(f->out + 2), 0x4400);
	assert_int_equal(t3_mem_access(f->dev, 0x8000, buf, 8, false), -ENOMEDIUM);
	assert_int_equal(t3_mem_access(f->dev, 0x8000, buf, 8, true), -ENOMEDIUM);
	assert_int_equal(poison_list(f, t3_host_cci(f->dev), 0, 1), CXL_RC_MEDIA_DISABLED);
	assert_int_equal(inject(f, 0x40), CXL_RC_MEDIA_DISABLED);
	assert_int_equal(clear(f, 0x40, 0), CXL_RC_MEDIA_DISABLED);
	/* the LSA, which it zeroes too, is refused; what reads no sanitized data is not
	 * (QEMU refuses Get Partition Info, Transfer and Activate FW as well) */
	memset(xf, 0, sizeof(xf));
	assert_int_equal(host(f, 0x4102, (uint8_t[8]){ 0, 0, 0, 0, 8 }, 8), CXL_RC_MEDIA_DISABLED);
	assert_int_equal(fm(f, 0x4103, xf, 12), CXL_RC_MEDIA_DISABLED);
	assert_int_equal(host(f, 0x4100, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(host(f, 0x4000, NULL, 0), CXL_RC_SUCCESS);
	le64_put(xf + 8, 1); /* one line from DPA 0 */
	assert_int_equal(host(f, 0x4303, xf, 16), CXL_RC_SUCCESS);
	assert_int_equal(host(f, 0x4304, xf, 17), CXL_RC_MEDIA_DISABLED);
	assert_int_equal(host(f, 0x0202, (uint8_t[2]){ 0, 1 }, 2), CXL_RC_INVALID_SLOT);
	assert_int_equal(host(f, 0x4401, NULL, 0), CXL_RC_BUSY);
	assert_int_equal(host(f, 0x4400, NULL, 0), CXL_RC_BUSY); /* from another CCI too */
	assert_int_equal(m->stat[0x1000], 0xa1);                  /* not yet */
	now_ns += 6 * SEC;
	/* completed: every byte zero, the LSA too, poison and events gone */
	assert_int_equal(t3_mem_access(f->dev, 0x1000, buf, 8, false), 0);
	assert_true(zero(buf, 8));
	assert_true(zero(m->stat + 0x1000, 8192));
	assert_true(zero(m->stat + PBASE + 0x123440, 100));
	assert_true(zero(m->dc + 0x3000, 4096));
	assert_true(zero(m->dc + DCSZ - 64, 64));
	assert_true(zero(m->lsa, LSA));
	assert_int_equal(t3_poison_count(f->dev), 0);
	assert_int_equal(ev_count(t3_events(f->dev), EV_LOG_INFO), 0);
	assert_int_equal(fm(f, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 100 << 1);
	assert_int_equal(le16_get(f->out + 4), 0);
	assert_int_equal(host(f, 0x4400, buf, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* and again from the host mailbox */
	assert_int_equal(host(f, 0x4400, NULL, 0), CXL_RC_BG_STARTED);
	now_ns += 8 * SEC;
	assert_int_equal(t3_mem_access(f->dev, 0x1000, buf, 8, false), 0);
	mfx_free(m);
}

/*
 * "If the command fails or is interrupted ... it shall remain in the media
 * disabled state until a successful Sanitize command has been completed",
 * restarts included; a sanitize on disabled media is what ends it.
 */
static void test_sanitize_interrupted(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;
	struct cci_call call = { .out = f->out, .out_max = sizeof(f->out) };
	uint8_t buf[8];

	(void)state;
	fill_patterns(m);
	assert_int_equal(fm(f, 0x4400, NULL, 0), CXL_RC_BG_STARTED);
	now_ns += SEC;
	assert_int_equal(cci_cmd_bg_op_abort(t3_fm_cci(f->dev), NULL, &call), CXL_RC_SUCCESS);
	now_ns += 10 * SEC;
	assert_int_equal(t3_mem_access(f->dev, 0x1000, buf, 8, false), -ENOMEDIUM);
	assert_int_equal(m->stat[0x1000], 0xa1);
	relive(m);
	f = m->f;
	assert_int_equal(t3_mem_access(f->dev, 0x1000, buf, 8, false), -ENOMEDIUM);
	assert_int_equal(poison_list(f, t3_host_cci(f->dev), 0, 1), CXL_RC_MEDIA_DISABLED);
	assert_int_equal(host(f, 0x4401, NULL, 0), CXL_RC_MEDIA_DISABLED);
	assert_int_equal(host(f, 0x4400, NULL, 0), CXL_RC_BG_STARTED);
	now_ns += 8 * SEC;
	assert_int_equal(t3_mem_access(f->dev, 0x1000, buf, 8, false), 0);
	assert_true(zero(m->stat + 0x1000, 8192));
	relive(m);
	assert_int_equal(t3_mem_access(m->f->dev, 0x1000, buf, 8, false), 0);
	mfx_free(m);
}

/* A private mapping cannot be punched: the bytes are written, untouched pages stay so. */
static void test_sanitize_private_memory(void **state)
{
	struct t3_config c = { .id = "priv", .serial = 5, .vmem_size = VMEM };
	uint8_t *mem = mmap(NULL, VMEM, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct fx *f;

	(void)state;
	assert_true(mem != MAP_FAILED);
	c.static_mem = mem;
	c.static_mem_size = VMEM;
	memset(mem + 12345, 0x42, 5000);
	mem[VMEM - 1] = 1;
	f = fx_new(c);
	assert_int_equal(host(f, 0x4400, NULL, 0), CXL_RC_BG_STARTED);
	now_ns += 4 * SEC;
	tick(f);
	assert_true(zero(mem + 12345, 5000));
	assert_int_equal(mem[VMEM - 1], 0);
	fx_free(f);
	munmap(mem, VMEM);
}

/* ---- 4401h Secure Erase ---------------------------------------------------------------- */

static void test_secure_erase(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;

	(void)state;
	fill_patterns(m);
	assert_int_equal(t3_inject_poison(f->dev, 0x1000, 64, NULL, 0), 0);
	assert_int_equal(host(f, 0x4401, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_true(zero(m->stat + 0x1000, 8192));
	assert_true(zero(m->stat + PBASE + 0x123440, 100));
	assert_true(zero(m->dc + 0x3000, 4096));
	assert_int_equal(m->lsa[0], 0xe5); /* labels are no user data */
	assert_int_equal(t3_poison_count(f->dev), 0);
	/* over MCTP too; not while a scan runs */
	assert_int_equal(scan(f, t3_host_cci(f->dev), 0, 1, 1), CXL_RC_BG_STARTED);
	assert_int_equal(fm(f, 0x4401, NULL, 0), CXL_RC_BUSY);
	now_ns += SEC;
	assert_int_equal(fm(f, 0x4401, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(fm(f, 0x4401, f->out, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	mfx_free(m);
}

/* ---- 4402h Media Operations ------------------------------------------------------------ */

static uint16_t media_op(struct fx *f, uint8_t cls, uint8_t sub, const uint64_t (*r)[2],
			 uint32_t n)
{
	uint8_t in[8 + 16 * 8] = { cls, sub };

	le32_put(in + 4, n);
	for (uint32_t i = 0; i < n; i++) {
		le64_put(in + 8 + 16 * i, r[i][0]);
		le64_put(in + 16 + 16 * i, r[i][1]);
	}
	return host(f, 0x4402, in, 8 + 16 * n);
}

static void test_media_ops_discovery(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;
	uint8_t in[12] = { 0 };
	const uint8_t want[16] = { 64, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 1, 0, 1, 1 };

	(void)state;
	le16_put(in + 10, 8);
	assert_int_equal(host(f, 0x4402, in, 12), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 16);
	assert_memory_equal(f->out, want, 16);
	le16_put(in + 8, 1);
	assert_int_equal(fm(f, 0x4402, in, 12), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 14);
	assert_int_equal(le16_get(f->out + 10), 1);
	assert_int_equal(f->out[12], 1);
	assert_int_equal(f->out[13], 1);
	/* errors */
	assert_int_equal(host(f, 0x4402, in, 8), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x4402, in, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	le16_put(in + 8, 2);
	assert_int_equal(host(f, 0x4402, in, 12), CXL_RC_INVALID_INPUT);
	le16_put(in + 8, 0);
	in[4] = 1;
	assert_int_equal(host(f, 0x4402, in, 12), CXL_RC_INVALID_INPUT);
	in[4] = 0;
	in[1] = 1;
	assert_int_equal(host(f, 0x4402, in, 12), CXL_RC_UNSUPPORTED);
	in[0] = 2;
	in[1] = 0;
	assert_int_equal(host(f, 0x4402, in, 12), CXL_RC_UNSUPPORTED);
	in[0] = 1;
	in[1] = 2;
	assert_int_equal(host(f, 0x4402, in, 12), CXL_RC_UNSUPPORTED);
	mfx_free(m);
}

static void test_media_ops(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;
	const uint64_t zero_r[][2] = { { 0x1040, 128 }, { DCB + 0x3000, 4096 } };
	const uint64_t san_r[][2] = { { PBASE + 0x123440, 64 } };
	uint8_t buf[8];

	(void)state;
	fill_patterns(m);
	accept_dc(f);
	assert_int_equal(t3_inject_poison(f->dev, 0x1000, 256, NULL, 0), 0);
	assert_int_equal(media_op(f, 1, 1, zero_r, 2), CXL_RC_BG_STARTED);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(m->stat[0x1040], 0xa1);           /* written when it completes */
	assert_int_equal(media_op(f, 1, 1, zero_r, 1), CXL_RC_BUSY);
	now_ns += 4 * SEC;
	tick(f);
	assert_true(zero(m->stat + 0x1040, 128));
	assert_int_equal(m->stat[0x103f], 0xa1);
	assert_int_equal(m->stat[0x10c0], 0xa1);
	assert_true(zero(m->dc + 0x3000, 4096));
	/* the poison of the zeroed lines is gone, the rest stays */
	assert_int_equal(t3_mem_access(f->dev, 0x1040, buf, 8, false), 0);
	assert_int_equal(t3_mem_access(f->dev, 0x1000, buf, 8, false), -EIO);
	assert_int_equal(t3_mem_access(f->dev, 0x10c0, buf, 8, false), -EIO);
	assert_int_equal(t3_poison_count(f->dev), 2);
	/* sanitize fills 0Fh, as QEMU */
	assert_int_equal(media_op(f, 1, 0, san_r, 1), CXL_RC_BG_STARTED);
	now_ns += 4 * SEC;
	tick(f);
	assert_int_equal(m->stat[PBASE + 0x123440], 0x0f);
	assert_int_equal(m->stat[PBASE + 0x12347f], 0x0f);
	assert_int_equal(m->stat[PBASE + 0x123480], 0xb2);
	/* no range: nothing starts */
	assert_int_equal(media_op(f, 1, 1, zero_r, 0), CXL_RC_SUCCESS);
	assert_false(t3_host_cci(f->dev)->bg.running);
	mfx_free(m);
}

static void test_media_ops_errors(void **state)
{
	struct mfx *m = mfx_new();
	struct fx *f = m->f;
	const uint64_t bad[][2] = {
		{ 0x1004, 64 }, { 0x1000, 65 }, { 0x1000, 0 }, { CAP - 64, 128 },
		{ UINT64_MAX - 63, 128 }, { DCB, 64 } /* DC not accepted */,
		{ DCB - 64, 128 } /* static into DC */,
	};
	uint8_t in[8 + 32] = { 1, 1 };

	(void)state;
	memset(m->stat, 0x11, 4096);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(media_op(f, 1, 1, &bad[i], 1), CXL_RC_INVALID_INPUT);
	/* a count that disagrees with the length */
	le32_put(in + 4, 2);
	assert_int_equal(host(f, 0x4402, in, 8 + 16), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x4402, in, 8 + 32 + 0), CXL_RC_INVALID_INPUT); /* zero lengths */
	le32_put(in + 4, 1);
	assert_int_equal(host(f, 0x4402, in, 8 + 32), CXL_RC_INVALID_PAYLOAD_LENGTH);
	now_ns += 100 * SEC;
	assert_int_equal(m->stat[0], 0x11);
	accept_dc(f);
	assert_int_equal(media_op(f, 1, 1, &(const uint64_t[2]){ DCB - 64, 128 }, 1),
			 CXL_RC_BG_STARTED);
	mfx_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_poison_list),
		cmocka_unit_test(test_poison_list_more),
		cmocka_unit_test(test_poison_overflow),
		cmocka_unit_test(test_inject_poison),
		cmocka_unit_test(test_clear_poison),
		cmocka_unit_test(test_clear_poison_split_full),
		cmocka_unit_test(test_scan_media_caps),
		cmocka_unit_test(test_scan_media),
		cmocka_unit_test(test_scan_media_stopped),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_sanitize_interrupted),
		cmocka_unit_test(test_sanitize_private_memory),
		cmocka_unit_test(test_secure_erase),
		cmocka_unit_test(test_media_ops_discovery),
		cmocka_unit_test(test_media_ops),
		cmocka_unit_test(test_media_ops_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
