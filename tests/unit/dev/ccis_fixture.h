/* SPDX-License-Identifier: MIT */
/*
 * Every kind of CCI the device models build, each with every command set it
 * can have: a plain type-3 device, one with DC regions, an MLD, and a switch.
 * For the command facts checks (test_facts.c) and the docs table
 * (commands_doc.c). No cmocka here: callers check the results.
 */
#ifndef CCIS_FIXTURE_H
#define CCIS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dev/sw.h"
#include "dev/t3.h"

#define CCIS_MiB (1ull << 20)

/* One column of docs/commands.md: a kind of CCI and where it shows. */
enum ccis_col {
	CCIS_HOST,   /* type-3 host mailbox */
	CCIS_FM,     /* type-3 FM-owned LD over MCTP */
	CCIS_LD,     /* an LD's CCI, behind Tunnel Management */
	CCIS_SWITCH, /* switch mailbox CCI and MCTP CCI */
	CCIS_COLS,
};

/* A device variant: the CCIs of a plain device, with DC regions, an MLD. */
enum ccis_variant {
	CCIS_PLAIN,
	CCIS_DC,
	CCIS_MLD,
	CCIS_VARIANTS,
};

struct ccis {
	struct cci_clock clk;
	struct t3_dev *t3[CCIS_VARIANTS];
	struct sw_dev *sw;
};

static uint64_t ccis_clock(void *arg)
{
	(void)arg;
	return 0;
}

static inline int ccis_build(struct ccis *c)
{
	static const struct sw_port_cfg dsps[] = { { .port = 1 }, { .port = 2 } };
	const struct t3_config cfg[CCIS_VARIANTS] = {
		[CCIS_PLAIN] = { .id = "plain", .serial = 1, .vmem_size = 256 * CCIS_MiB },
		[CCIS_DC] = { .id = "dcd", .serial = 2, .vmem_size = 256 * CCIS_MiB,
			      .dc_size = 512 * CCIS_MiB, .num_dc_regions = 2 },
		[CCIS_MLD] = { .id = "mld", .serial = 3, .vmem_size = 512 * CCIS_MiB,
			       .num_ld = 2 },
	};
	const struct sw_config sw = {
		.id = "us0", .serial = 4, .usp = { .port = 9 }, .n_dsp = 2, .dsps = dsps,
	};
	int rc;

	memset(c, 0, sizeof(*c));
	c->clk.now_ns = ccis_clock;
	for (unsigned v = 0; v < CCIS_VARIANTS; v++)
		if ((rc = t3_create(&cfg[v], &c->clk, &c->t3[v])))
			return rc;
	return sw_create(&sw, &c->clk, &c->sw);
}

static inline void ccis_free(struct ccis *c)
{
	for (unsigned v = 0; v < CCIS_VARIANTS; v++)
		if (c->t3[v])
			t3_destroy(c->t3[v]);
	if (c->sw)
		sw_destroy(c->sw);
}

/*
 * The CCIs of column col in variant v (the switch has one variant): up to 2,
 * returned in out; how many.
 */
static inline size_t ccis_get(struct ccis *c, enum ccis_col col, enum ccis_variant v,
			      struct cci *out[2])
{
	switch (col) {
	case CCIS_HOST:
		out[0] = t3_host_cci(c->t3[v]);
		return 1;
	case CCIS_FM:
		out[0] = t3_fm_cci(c->t3[v]);
		return 1;
	case CCIS_LD:
		out[0] = t3_ld_cci(c->t3[v], 0);
		return 1;
	case CCIS_SWITCH:
		out[0] = sw_mbox_cci(c->sw);
		out[1] = sw_mctp_cci(c->sw);
		return 2;
	default:
		return 0;
	}
}

/* The kind of CCI each column is. */
static inline uint8_t ccis_kind(enum ccis_col col)
{
	static const uint8_t kind[CCIS_COLS] = {
		[CCIS_HOST] = CXLFM_CCI_T3_MBOX, [CCIS_FM] = CXLFM_CCI_T3_FM,
		[CCIS_LD] = CXLFM_CCI_T3_LD, [CCIS_SWITCH] = CXLFM_CCI_SW,
	};

	return kind[col];
}

#endif
