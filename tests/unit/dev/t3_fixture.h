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
