/* SPDX-License-Identifier: MIT */
/*
 * Type-3 device command sets, stateful: one device per input (DC regions,
 * MLD with several LDs, small limits picked by the first two bytes so that
 * full logs and exhausted extents are reached), then a sequence of requests
 * (fuzz_dev.h) on its host mailbox, FM-owned LD and LD CCIs. After each
 * request the dispatcher's contract, the DC extent accounting, the event
 * logs and the LD allocations are checked.
 */
#include <stdlib.h>

#include "dev/t3.h"
#include "fuzz.h"
#include "fuzz_dev.h"

#define MiB (1024ull * 1024)

static const uint32_t extents_max[] = { 0, 4, 16, 64 };
static const uint16_t log_sizes[] = { 0, 1, 4, 16 };

static void check_lds(struct t3_dev *dev, uint64_t units)
{
	uint64_t sum = 0, r1, r2;

	for (unsigned i = 0; i < t3_num_ld(dev); i++) {
		assert(t3_ld_allocation(dev, i, &r1, &r2) == 0);
		assert(r1 <= units && r2 <= units - r1);
		sum += r1 + r2;
	}
	assert(sum <= units);
	assert(t3_ld_allocation(dev, t3_num_ld(dev), &r1, &r2) < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t c0 = fz_byte(&in), c1 = fz_byte(&in);
	unsigned nreg = (c0 >> 4) & 7;
	struct t3_config cfg = {
		.id = "fuzz-t3",
		.serial = 99,
		.vmem_size = 256 * MiB,
		.pmem_size = (c1 & 0x40) ? 256 * MiB : 0,
		.lsa_size = (c1 & 0x40) ? 128 * 1024 : 0,
		.num_ld = 1 + (c0 & 0x0f),
		.dc_extents_max = extents_max[c1 & 3],
		.event_log_size = log_sizes[(c1 >> 2) & 3],
		.dc_event_log_size = log_sizes[(c1 >> 4) & 3],
		.dc_sharable = c0 & 0x80,
		.dc_block_size_mask = (c1 & 0x80) ? (1 * MiB | 2 * MiB | 64 * MiB) : 0,
	};
	struct cci *ccis[2 + 16];
	struct t3_dev *dev;
	struct fz_msg m;
	uint32_t gen = 0;
	size_t n = 0;
	uint64_t units;

	fz_logs_formatted();
	if (nreg == 7)
		nreg = 8;
	cfg.num_dc_regions = nreg;
	cfg.dc_size = nreg * 256 * MiB;
	assert(t3_create(&cfg, &fz_clock, &dev) == 0);
	units = (cfg.vmem_size + cfg.pmem_size + cfg.dc_size) / (256 * MiB);
	ccis[n++] = t3_host_cci(dev);
	ccis[n++] = t3_fm_cci(dev);
	for (unsigned i = 0; i < t3_num_ld(dev); i++)
		ccis[n++] = t3_ld_cci(dev, i);
	assert(!t3_ld_cci(dev, t3_num_ld(dev)));
	while (fz_next_msg(&in, &m)) {
		fz_advance(m.adv);
		fz_run(ccis[(m.sel & 0x7f) % n], &m, fz_check_t3_response, dev);
		if (t3_dcd(dev))
			fz_check_dcd(t3_dcd(dev), &gen);
		fz_check_events(t3_events(dev));
		check_lds(dev, units);
	}
	t3_destroy(dev);
	return 0;
}
