/* SPDX-License-Identifier: MIT */
/*
 * Dynamic capacity of a DCD (CXL r3.1 §9.13.3 Dynamic Capacity Device):
 * 1..8 DC regions and their extents. Pure state and rules; the wire
 * encodings live in the device's command handlers (t3_dcd.c).
 *
 * Every extent is pending-add (offered to the host in a FIFO group,
 * awaiting Add Dynamic Capacity Response) or accepted (host-usable). An
 * accepted range the FM asked the host to give back is additionally
 * pending-release until the host releases it. Extents live in ordered
 * structures (B+-trees of cache-line nodes keyed by DPA, augmented with
 * subtree counts of accepted extents and maximum free lengths): overlap,
 * containment, the i-th accepted extent, the first free range of a length,
 * all in O(log n), the next accepted extent in amortised O(1); tags are
 * indexed by a hash, so no command walks all extents.
 *
 * All operations return an enum cxl_rc and leave the state untouched on
 * failure; *why (may be NULL) gets a short static explanation for logs and
 * QMP error descriptions.
 */
#ifndef CXLFM_DEV_DCD_H
#define CXLFM_DEV_DCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DCD_MAX_REGIONS 8u
#define DCD_CAPACITY_UNIT (256ull << 20)   /* CXL capacity multiplier */
#define DCD_DEFAULT_BLOCK_SIZE (2ull << 20) /* QEMU: 2 MiB, the only size */
#define DCD_DEFAULT_EXTENTS_MAX 512u       /* QEMU CXL_NUM_EXTENTS_SUPPORTED */
#define DCD_TAG_LEN 16u

/* Selection Policy of Initiate Dynamic Capacity Add (CXL r3.1 §7.6.7.6.5). */
enum dcd_sel_policy {
	DCD_SEL_FREE = 0,
	DCD_SEL_CONTIGUOUS = 1,
	DCD_SEL_PRESCRIPTIVE = 2,
	DCD_SEL_SHARED = 3, /* Enable Shared Access */
};

/* Removal Policy of Initiate Dynamic Capacity Release (CXL r3.1 §7.6.7.6.6). */
enum dcd_rm_policy {
	DCD_RM_TAG = 0,
	DCD_RM_PRESCRIPTIVE = 1,
};

/* DSMAS flags as reported by Get Host DC Region Configuration (CDAT). */
#define DCD_DSMAS_NONVOLATILE (1u << 2)
#define DCD_DSMAS_SHARABLE (1u << 3)
#define DCD_DSMAS_HW_COHERENCY (1u << 4)
#define DCD_DSMAS_IC_SPECIFIC (1u << 5)
#define DCD_DSMAS_READ_ONLY (1u << 6)

struct dcd_region {
	uint64_t base;            /* DPA */
	uint64_t decode_len;      /* bytes */
	uint64_t len;             /* bytes */
	uint64_t block_size;
	uint64_t block_size_mask; /* supported block sizes, bit n = 2^n bytes */
	uint32_t dsmad_handle;
	uint8_t dsmas_flags;      /* DCD_DSMAS_* */
	bool sanitize_on_release;
	/* bookkeeping, read-only for users */
	uint64_t free_bytes;      /* neither pending nor accepted */
	uint32_t n_pending;
	uint32_t n_accepted;
};

/* An extent or a requested range (the 40-byte DC Extent, CXL r3.1 §8.2.9.2.1.6). */
struct dcd_ext {
	uint64_t start;           /* DPA */
	uint64_t len;
	uint8_t tag[DCD_TAG_LEN];
	uint16_t shared_seq;
	bool shared;
};

enum dcd_ext_state {
	DCD_EXT_PENDING = 0,
	DCD_EXT_ACCEPTED = 1,
};

/* What dcd_foreach() reports. */
struct dcd_ext_info {
	struct dcd_ext ext;
	enum dcd_ext_state state;
	bool releasing;           /* accepted and asked back by the FM (any part) */
	uint32_t group;           /* pending group sequence number */
	unsigned region;
};

struct dcd_config {
	uint64_t base;            /* DPA of region 0 (after static capacity) */
	uint64_t size;            /* DC capacity, split evenly into regions */
	unsigned num_regions;     /* 1..8 */
	uint64_t block_size;      /* 0: 2 MiB */
	uint64_t block_size_mask; /* 0: block_size only */
	uint32_t extents_max;     /* 0: 512 */
	bool sharable;            /* regions report the Sharable DSMAS flag */
	uint32_t dsmad_handle_base; /* handle of region 0 */
	/* Zero [dpa, dpa+len) of the backing memory (sanitize on release). */
	void (*sanitize)(void *arg, uint64_t dpa, uint64_t len);
	void *arg;
};

struct dcd;

/*
 * Geometry as QEMU derives it (hw/mem/cxl_type3.c cxl_create_dc_regions):
 * region length = size / num_regions, a multiple of 256 MiB; decode length
 * = region length; region i at base + i * length. Returns 0, -EINVAL with a
 * logged reason, or -ENOMEM.
 */
int dcd_create(const struct dcd_config *cfg, struct dcd **out);
void dcd_destroy(struct dcd *d);

unsigned dcd_num_regions(const struct dcd *d);
const struct dcd_region *dcd_region(const struct dcd *d, unsigned i);
/* Region holding all of [dpa, dpa+len), or -1 (none, or it crosses regions). */
int dcd_region_of(const struct dcd *d, uint64_t dpa, uint64_t len);
uint64_t dcd_total_capacity(const struct dcd *d);
uint32_t dcd_extents_max(const struct dcd *d);
uint32_t dcd_extents_tracked(const struct dcd *d);  /* pending + accepted */
uint32_t dcd_extents_accepted(const struct dcd *d);
uint32_t dcd_extents_available(const struct dcd *d);
uint32_t dcd_tags_max(const struct dcd *d);
uint32_t dcd_tags_available(const struct dcd *d);
/* Extent List Generation Number: bumped whenever the accepted list changes. */
uint32_t dcd_generation(const struct dcd *d);
size_t dcd_pending_groups(const struct dcd *d);
/* Bitmask of add selection policies the device supports (bit = policy). */
uint16_t dcd_sel_policy_mask(const struct dcd *d);

/* Initiate Dynamic Capacity Add (FM 5604h, QMP cxl-add-dynamic-capacity). */
struct dcd_add_req {
	enum dcd_sel_policy policy;
	unsigned region;           /* free / contiguous */
	uint64_t length;           /* free / contiguous */
	uint8_t tag[DCD_TAG_LEN];  /* free / contiguous */
	const struct dcd_ext *ext; /* prescriptive / shared: absolute DPAs */
	size_t n;
	size_t max_out;            /* more resulting extents: Resources Exhausted
				    * (0: no limit) */
};

/*
 * Offer capacity to the host: the resulting extents become one pending
 * group. On success *out (malloc'd, caller frees) lists them in request
 * order for the Add Capacity event records.
 */
uint16_t dcd_add(struct dcd *d, const struct dcd_add_req *req,
		 struct dcd_ext **out, size_t *nout, const char **why);

/* Initiate Dynamic Capacity Release (FM 5605h, QMP cxl-release-dynamic-capacity). */
struct dcd_release_req {
	enum dcd_rm_policy policy;
	unsigned region;           /* tag based */
	uint8_t tag[DCD_TAG_LEN];  /* tag based */
	const struct dcd_ext *ext; /* prescriptive: absolute DPAs */
	size_t n;
	bool forced;               /* remove now, without the host */
	bool sanitize;             /* zero the capacity when it is released */
	size_t max_out;            /* as in struct dcd_add_req */
};

/*
 * Ask the host to release capacity: the ranges become pending-release
 * (they stay accepted and usable until the host's Release Dynamic
 * Capacity). With forced, they are removed at once. *out lists the ranges
 * for the Release / Forced Release event records.
 */
uint16_t dcd_release(struct dcd *d, const struct dcd_release_req *req,
		     struct dcd_ext **out, size_t *nout, const char **why);

/*
 * Host Add Dynamic Capacity Response (4802h): accept ranges of the OLDEST
 * pending group; n == 0 declines the whole group. The rest of the group is
 * dropped either way. Only start/len of r are used.
 */
uint16_t dcd_host_accept(struct dcd *d, const struct dcd_ext *r, size_t n, const char **why);
/* Host Release Dynamic Capacity (4803h): give back accepted ranges. */
uint16_t dcd_host_release(struct dcd *d, const struct dcd_ext *r, size_t n, const char **why);

/*
 * Set DC Region Configuration (5602h). *changed tells whether anything
 * changed (the caller then logs a Region Configuration Updated event).
 */
uint16_t dcd_set_region_config(struct dcd *d, unsigned region, uint64_t block_size,
			       bool sanitize, bool *changed, const char **why);

/* True if all of [dpa, dpa+len) lies in accepted extents. */
bool dcd_accessible(const struct dcd *d, uint64_t dpa, uint64_t len);
/* The i-th accepted extent in DPA order; -ENOENT past the end. O(log n). */
int dcd_accepted_at(const struct dcd *d, uint32_t i, struct dcd_ext *out);
/*
 * Up to n accepted extents in DPA order from the first-th on, into out;
 * returns how many (0 past the end). One descent, then O(1) amortised per
 * extent: extent lists use this, not dcd_accepted_at() per index.
 */
size_t dcd_accepted_get(const struct dcd *d, uint32_t first, struct dcd_ext *out, size_t n);
/* Every extent in DPA order; stops when cb returns non-zero (and returns it). */
int dcd_foreach(const struct dcd *d, int (*cb)(void *arg, const struct dcd_ext_info *e),
		void *arg);

#endif
