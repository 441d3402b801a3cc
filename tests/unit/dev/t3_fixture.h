/* SPDX-License-Identifier: MIT */
/* Shared fixture of the type-3 device tests: a device, its CCIs, a fake clock. */
#ifndef T3_FIXTURE_H
#define T3_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "dev/t3.h"
#include "proto/le.h"

#define MiB (1ull << 20)
#define BS (2 * MiB)
#define VMEM (256 * MiB)
#define DCSZ (512 * MiB)
#define R0 VMEM                  /* DC region 0 base */
#define R1 (VMEM + 256 * MiB)    /* DC region 1 base */

static uint64_t now_ns;

static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return now_ns;
}

struct fx {
	struct t3_dev *dev;
	struct cci_clock clk;
	uint8_t *dc;
	size_t dcsz;
	uint8_t out[4096];
	size_t out_len;
	unsigned notified[EV_LOG_COUNT + 1]; /* each event log, then T3_NOTIFY_RAS */
};

static void fx_notify(struct t3_dev *dev, unsigned log, void *arg)
{
	struct fx *f = arg;

	(void)dev;
	assert_true(log <= EV_LOG_COUNT);
	f->notified[log]++;
}

/* The DCD of the seed topology: sn 99, 256 MiB volatile, 2 x 256 MiB DC. */
static inline struct t3_config dcd_config(void)
{
	return (struct t3_config){
		.id = "cxl-dcd0", .serial = 99, .vmem_size = VMEM, .dc_size = DCSZ,
		.num_dc_regions = 2,
	};
}

static inline struct fx *fx_new(struct t3_config cfg)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	now_ns = 0;
	f->clk.now_ns = fake_clock;
	if (cfg.dc_size && !cfg.dc_mem) {
		f->dcsz = cfg.dc_size;
		f->dc = mmap(NULL, f->dcsz, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		assert_true(f->dc != MAP_FAILED);
		cfg.dc_mem = f->dc;
		cfg.dc_mem_size = f->dcsz;
	}
	assert_int_equal(t3_create(&cfg, &f->clk, &f->dev), 0);
	t3_set_notify(f->dev, fx_notify, f);
	return f;
}

/* cfg keeping its non-volatile state in region (size bytes), cleared: a new device's. */
static inline struct t3_config fx_with_nv(struct t3_config cfg, uint8_t *region, size_t size)
{
	memset(region, 0, size);
	cfg.nv_mem = region;
	cfg.nv_size = size;
	return cfg;
}

static inline void fx_free(struct fx *f)
{
	t3_destroy(f->dev);
	if (f->dc)
		munmap(f->dc, f->dcsz);
	free(f);
}

static inline uint16_t run(struct fx *f, struct cci *cci, uint16_t op, const void *in, size_t len)
{
	memset(f->out, 0xee, sizeof(f->out));
	return cci_process(cci, op, in, len, f->out, &f->out_len);
}

static inline uint16_t host(struct fx *f, uint16_t op, const void *in, size_t len)
{
	return run(f, t3_host_cci(f->dev), op, in, len);
}

static inline uint16_t fm(struct fx *f, uint16_t op, const void *in, size_t len)
{
	return run(f, t3_fm_cci(f->dev), op, in, len);
}

/*
 * CEL rows (opcode, effects) every type-3 device has, in opcode order: the
 * host mailbox's, the FM-owned LD's and an LD's up to Set Feature (the
 * memory device set, the FM-owned LD's Tunnel Management and the sets beyond
 * it follow in each test).
 */
#define CEL_T3_HOST_ROWS \
	{ 0x0001, 0x00 }, { 0x0002, 0x00 }, { 0x0005, 0x00 }, { 0x0100, 0x00 }, { 0x0101, 0x10 }, \
	{ 0x0102, 0x00 }, { 0x0103, 0x02 }, { 0x0200, 0x00 }, { 0x0201, 0x140 }, \
	{ 0x0202, 0x140 }, { 0x0300, 0x00 }, { 0x0301, 0x08 }, { 0x0400, 0x00 }, \
	{ 0x0401, 0x00 }, { 0x0402, 0x00 }, { 0x0403, 0x10 }, { 0x0404, 0x10 }, \
	{ 0x0405, 0x00 }, { 0x0500, 0x00 }, { 0x0501, 0x00 }, { 0x0502, 0x3e }
#define CEL_T3_FM_ROWS \
	{ 0x0001, 0 }, { 0x0002, 0 }, { 0x0003, 0 }, { 0x0004, 0x02 }, { 0x0005, 0 }, \
	{ 0x0100, 0 }, { 0x0101, 0x10 }, { 0x0104, 0 }, { 0x0105, 0x02 }, \
	{ 0x0200, 0 }, { 0x0201, 0x140 }, { 0x0202, 0x140 }, { 0x0300, 0 }, { 0x0301, 0x08 }, \
	{ 0x0400, 0 }, { 0x0401, 0 }, { 0x0402, 0 }, { 0x0403, 0x10 }, { 0x0404, 0x10 }, \
	{ 0x0405, 0 }, { 0x0500, 0 }, { 0x0501, 0 }, { 0x0502, 0x3e }
#define CEL_T3_LD_ROWS \
	{ 0x0001, 0 }, { 0x0002, 0 }, { 0x0005, 0 }, { 0x0100, 0 }, { 0x0101, 0x10 }, \
	{ 0x0104, 0 }, { 0x0105, 0x02 }, { 0x0200, 0 }, { 0x0201, 0x140 }, { 0x0202, 0x140 }, \
	{ 0x0300, 0 }, { 0x0301, 0x08 }, { 0x0400, 0 }, { 0x0401, 0 }, { 0x0402, 0 }, \
	{ 0x0403, 0x10 }, { 0x0404, 0x10 }, { 0x0405, 0 }, { 0x0500, 0 }, { 0x0501, 0 }, \
	{ 0x0502, 0x3e }

/* Read the whole CEL of a CCI through Get Supported Logs + Get Log. */
static inline size_t read_cel(struct fx *f, struct cci *cci, uint8_t *cel)
{
	uint8_t in[0x18] = { 0 };
	size_t size;

	assert_int_equal(run(f, cci, 0x0400, NULL, 0), 0);
	size = le32_get(f->out + 24);
	memcpy(in, cci_cel_uuid, 16);
	le32_put(in + 20, (uint32_t)size);
	assert_int_equal(run(f, cci, 0x0401, in, sizeof(in)), 0);
	assert_int_equal(f->out_len, size);
	memcpy(cel, f->out, size);
	return size;
}

/*
 * CEL rows of the memory device, media, security and SLD QoS sets (t3_mem.c,
 * t3_media.c, t3_security.c, t3_qos.c).
 */
#define CEL_MEM \
	{ 0x4000, 0 }, { 0x4100, 0 }, { 0x4101, 0x07 }, { 0x4102, 0 }, { 0x4103, 0x06 }, \
	{ 0x4200, 0 }, { 0x4201, 0 }, { 0x4202, 0x08 }, { 0x4203, 0 }, { 0x4204, 0x02 }
#define CEL_MEDIA \
	{ 0x4300, 0 }, { 0x4301, 0 }, { 0x4302, 0 }, { 0x4303, 0 }, { 0x4304, 0x140 }, \
	{ 0x4305, 0 }, { 0x4400, 0x164 }, { 0x4401, 0x24 }, { 0x4402, 0x44 }
#define CEL_SEC_HOST \
	{ 0x4500, 0 }, { 0x4501, 0x20 }, { 0x4502, 0x20 }, { 0x4503, 0x20 }, { 0x4504, 0x20 }, \
	{ 0x4505, 0x24 }, { 0x4600, 0x20 }, { 0x4601, 0 }
#define CEL_SEC_MCTP { 0x4500, 0 }
#define CEL_QOS { 0x4700, 0 }, { 0x4701, 0x02 }, { 0x4702, 0 }
/* An MLD's FM-owned LD: 5400h-5402h (t3_mld.c) and the QoS set (t3_mld_qos.c). */
#define CEL_MLD \
	{ 0x5400, 0 }, { 0x5401, 0 }, { 0x5402, 0x607 }, { 0x5403, 0 }, { 0x5404, 0x08 }, \
	{ 0x5405, 0 }, { 0x5406, 0 }, { 0x5407, 0x607 }, { 0x5408, 0 }, { 0x5409, 0x607 }

/* Compare a CEL with an expected list of (opcode, effects). */
static inline void check_cel(struct fx *f, struct cci *cci, const uint16_t (*want)[2], size_t n)
{
	uint8_t cel[512];
	size_t size = read_cel(f, cci, cel);

	assert_int_equal(size, 4 * n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(le16_get(cel + 4 * i), want[i][0]);
		assert_int_equal(le16_get(cel + 4 * i + 2), want[i][1]);
	}
}

#endif
