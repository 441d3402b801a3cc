/* SPDX-License-Identifier: MIT */
/* Internals shared by the type-3 device files (t3.c, t3_dcd.c, t3_mld.c). */
#ifndef CXLFM_DEV_T3_PRIV_H
#define CXLFM_DEV_T3_PRIV_H

#include "dev/t3.h"
#include "dev/t3_mem_priv.h"
#include "proto/records.h"

#define T3_NAME_LEN 48

struct t3_poison {
	uint64_t start;
	uint64_t len;
};


struct t3_dev {
	char *id;
	struct t3_config cfg;     /* copy; cfg.id points at id */
	struct cci_ident ident;
	struct cci_timestamp ts;
	const struct cci_clock *clock;
	char host_name[T3_NAME_LEN];
	char fm_name[T3_NAME_LEN];
	char ld_name[T3_MAX_LD][T3_NAME_LEN];
	struct cci host;
	struct cci fm;
	struct cci ld[T3_MAX_LD];
	unsigned num_ld;
	struct rec_ld_alloc ld_alloc[T3_MAX_LD]; /* multipliers of the granularity */
	struct ev_logs ev;
	struct dcd *dcd;          /* NULL without DC regions */
	uint64_t dc_base;
	struct t3_poison poison[T3_POISON_MAX];
	size_t npoison;
	bool poison_overflow;
	t3_notify_fn notify;
	void *notify_arg;
	bool mem_fault_logged;    /* the backing memory failed once: said so */
	uint8_t *nv;              /* non-volatile state (t3_nv.c): cfg.nv_mem or nv_own */
	uint8_t *nv_own;
	bool nv_fresh;
	bool nv_fault_logged;
	struct t3_mem mem;        /* t3_mem.c, t3_health.c, t3_inject.c: 40xxh-42xxh, RAS */
};

/* t3_nv.c: at creation and destruction. */
int t3_nv_open(struct t3_dev *dev);
void t3_nv_close(struct t3_dev *dev);

/* The device a CCI belongs to. */
static inline struct t3_dev *t3_of(struct cci *cci)
{
	return cci->owner;
}

/* Device timestamp (Set Timestamp value moved on by the clock), 0 if unset. */
uint64_t t3_timestamp(const struct t3_dev *dev);

/* Command sets defined next to their handlers. */
extern const struct cci_cmd_set t3_host_dcd_set;  /* t3_dcd.c: 48xxh */
extern const struct cci_cmd_set t3_fm_dcd_set;    /* t3_dcd.c: 56xxh */
extern const struct cci_cmd_set t3_fm_mld_set;    /* t3_mld.c: 54xxh */

/* LD allocations at creation: capacity split evenly in 256 MiB units. */
void t3_mld_init(struct t3_dev *dev);

/*
 * Log one DC event record per extent (CXL r3.1 §8.2.9.2.1.6 Dynamic Capacity Event Record),
 * "More" on all but the last. type: 0 add, 1 release, 2 forced release.
 */
void t3_dc_events(struct t3_dev *dev, uint8_t type, const struct dcd_ext *ext, size_t n);

#endif
