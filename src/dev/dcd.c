/* SPDX-License-Identifier: MIT */
/*
 * Dynamic capacity state. Three ordered sets of DPA ranges, each a B+-tree
 * of cache-line nodes (bpt.h) keyed by start DPA:
 *   ext   every pending-add or accepted extent (never overlapping: an add may
 *         not touch pending or accepted capacity). Accepted extents are
 *         marked, so the i-th accepted extent (extent lists with a start
 *         index) is one descent and each next one an amortised O(1) step;
 *         group, tag, region and sharing ride along in the leaves;
 *   free  the rest of every region, maximal ranges that never cross a
 *         region boundary (augmented with the largest length in a subtree,
 *         so "first free range of at least L" is one descent);
 *   rel   ranges the FM asked the host to release (a subset of accepted),
 *         marked when they are to be sanitized.
 * Tags are interned (index 0 is the zero tag) and each non-zero tag keeps
 * the set of its extents' starts, so a tag-based release does not walk all
 * extents. Pending groups are a FIFO.
 *
 * Every mutating operation validates first, reserves the tree nodes it may
 * need (so the commit cannot fail half way), then commits, and gives back
 * pooled nodes beyond POOL_KEEP.
 */
#include "dev/dcd.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dev/bpt.h"
#include "proto/cci.h"
#include "util/log.h"

#define POOL_KEEP 512u /* tree nodes kept between operations (256 KiB) */

/* What the ext tree keeps per extent besides start, length and accepted. */
struct xmeta {
	uint32_t group;   /* pending group id (0 once accepted) */
	uint32_t tag;     /* index in d->tags, 0: the zero tag */
	uint16_t seq;     /* shared extent sequence */
	uint8_t reg;      /* region index */
	uint8_t shared;
};
static_assert(sizeof(struct xmeta) == 12, "12 bytes: 18 extents per 512-byte leaf");

struct tag_ent {
	uint8_t tag[DCD_TAG_LEN];
	uint32_t hnext;           /* next index in the hash chain, 0: none */
	struct bpt set;           /* starts of the extents carrying the tag */
};

struct dcd_group {
	uint32_t id;
	size_t n;
	struct dcd_group *next;
	struct dcd_ext ext[];
};

struct dcd {
	struct dcd_config cfg;
	unsigned nreg;
	struct dcd_region reg[DCD_MAX_REGIONS];
	uint64_t total;
	struct bpt_pool pool;     /* nodes of every tree below */
	struct bpt ext;
	struct bpt free_t;
	struct bpt rel;
	struct tag_ent *tags;     /* [1, ntags); entries stay for reuse */
	uint32_t ntags, tcap;
	uint32_t *tb;             /* hash buckets: tag index, 0 = empty */
	size_t ntb;
	uint32_t tags_used;       /* tags carried by some extent */
	unsigned tag_h;           /* no tag set is taller */
	struct dcd_group *ghead, *gtail;
	size_t ngroups;
	uint32_t group_seq;
	uint32_t generation;
	uint32_t n_tracked;
	uint32_t n_accepted;
};

/* ---- node reservations ------------------------------------------------------ */

/* Nodes for inserts into ext, free, rel and the tag sets. */
static int reserve(struct dcd *d, size_t ext, size_t fr, size_t rel, size_t tag)
{
	size_t n = bpt_insert_need(&d->ext, ext) + bpt_insert_need(&d->free_t, fr) +
		   bpt_insert_need(&d->rel, rel) + bpt_insert_need_h(d->tag_h, tag);

	return bpt_pool_reserve(&d->pool, n);
}

static uint16_t trimmed(struct dcd *d, uint16_t rc)
{
	bpt_pool_trim(&d->pool, POOL_KEEP);
	return rc;
}

/* ---- tag index -------------------------------------------------------------- */

static bool tag_zero(const uint8_t *t)
{
	for (unsigned i = 0; i < DCD_TAG_LEN; i++)
		if (t[i])
			return false;
	return true;
}

static size_t tag_hash(const struct dcd *d, const uint8_t *t)
{
	uint64_t h = 1469598103934665603ull;

	for (unsigned i = 0; i < DCD_TAG_LEN; i++)
		h = (h ^ t[i]) * 1099511628211ull;
	return (size_t)(h & (d->ntb - 1));
}

/* Index of tag t, 0 for the zero tag or one never seen. */
static uint32_t tag_find(const struct dcd *d, const uint8_t *t)
{
	if (!d->ntb || tag_zero(t))
		return 0;
	for (uint32_t i = d->tb[tag_hash(d, t)]; i; i = d->tags[i].hnext)
		if (!memcmp(d->tags[i].tag, t, DCD_TAG_LEN))
			return i;
	return 0;
}

static int tag_grow(struct dcd *d)
{
	size_t nb = d->ntb ? d->ntb * 2 : 64;
	uint32_t *tb = calloc(nb, sizeof(*tb));

	if (!tb)
		return -ENOMEM;
	free(d->tb);
	d->tb = tb;
	d->ntb = nb;
	for (uint32_t i = 1; i < d->ntags; i++) {
		size_t h = tag_hash(d, d->tags[i].tag);

		d->tags[i].hnext = tb[h];
		tb[h] = i;
	}
	return 0;
}

/* Make sure t has an index (so linking during a commit cannot fail). */
static int tag_prepare(struct dcd *d, const uint8_t *t)
{
	struct tag_ent *e;
	size_t h;

	if (tag_zero(t) || tag_find(d, t))
		return 0;
	if (d->ntags >= d->ntb && tag_grow(d))
		return -ENOMEM;
	if (d->ntags >= d->tcap) {
		uint32_t nc = d->tcap ? 2 * d->tcap : 16;
		struct tag_ent *n = realloc(d->tags, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		d->tags = n;
		d->tcap = nc;
	}
	e = &d->tags[d->ntags];
	memcpy(e->tag, t, DCD_TAG_LEN);
	bpt_init(&e->set, &d->pool, 0, 0);
	h = tag_hash(d, t);
	e->hnext = d->tb[h];
	d->tb[h] = d->ntags++;
	return 0;
}

static void tag_link(struct dcd *d, uint32_t id, uint64_t start)
{
	struct tag_ent *e;

	if (!id)
		return;
	e = &d->tags[id];
	if (!bpt_count(&e->set))
		d->tags_used++;
	bpt_insert(&e->set, start, 0, false, NULL);
	if (e->set.height > d->tag_h)
		d->tag_h = e->set.height;
}

static void tag_unlink(struct dcd *d, uint32_t id, uint64_t start)
{
	struct bpt_cur c;
	bool found;

	if (!id)
		return;
	found = bpt_le(&d->tags[id].set, start, &c);
	assert(found && bpt_key(&c) == start);
	(void)found;
	bpt_erase(&c);
	if (!bpt_count(&d->tags[id].set))
		d->tags_used--;
}

static void tag_free_all(struct dcd *d)
{
	for (uint32_t i = 1; i < d->ntags; i++)
		bpt_clear(&d->tags[i].set);
	free(d->tags);
	free(d->tb);
	d->tags = NULL;
	d->tb = NULL;
	d->ntags = 1;
	d->tcap = 0;
	d->ntb = 0;
}

/* ---- regions and the three sets ----------------------------------------------- */

int dcd_region_of(const struct dcd *d, uint64_t dpa, uint64_t len)
{
	if (dpa + len < dpa)
		return -1;
	for (int i = (int)d->nreg - 1; i >= 0; i--) {
		const struct dcd_region *r = &d->reg[i];

		if (dpa >= r->base)
			return dpa + len <= r->base + r->len ? i : -1;
	}
	return -1;
}

static struct xmeta ext_meta(const struct bpt_cur *c)
{
	struct xmeta m;

	memcpy(&m, bpt_meta(c), sizeof(m));
	return m;
}

/* The extent at c as the API reports it. */
static void ext_get(const struct dcd *d, const struct bpt_cur *c, struct dcd_ext *out)
{
	struct xmeta m = ext_meta(c);

	out->start = bpt_key(c);
	out->len = bpt_len(c);
	if (m.tag)
		memcpy(out->tag, d->tags[m.tag].tag, DCD_TAG_LEN);
	else
		memset(out->tag, 0, DCD_TAG_LEN);
	out->shared_seq = m.seq;
	out->shared = m.shared;
}

static void ext_count(struct dcd *d, unsigned reg, bool acc, int delta)
{
	struct dcd_region *r = &d->reg[reg];

	d->n_tracked += (uint32_t)delta;
	if (acc) {
		r->n_accepted += (uint32_t)delta;
		d->n_accepted += (uint32_t)delta;
	} else {
		r->n_pending += (uint32_t)delta;
	}
}

static void ext_link(struct dcd *d, uint64_t start, uint64_t len, bool acc,
		     const struct xmeta *m)
{
	bpt_insert(&d->ext, start, len, acc, m);
	tag_link(d, m->tag, start);
	ext_count(d, m->reg, acc, 1);
}

/* Remove the extent at c (every ext cursor is invalid afterwards). */
static void ext_unlink(struct dcd *d, struct bpt_cur *c)
{
	struct xmeta m = ext_meta(c);
	uint64_t start = bpt_key(c);
	bool acc = bpt_mark(c);

	bpt_erase(c);
	tag_unlink(d, m.tag, start);
	ext_count(d, m.reg, acc, -1);
}

/* Is [s, s+len) entirely free? Free ranges are maximal, so one range holds it. */
static bool free_covers(const struct dcd *d, uint64_t s, uint64_t len)
{
	struct bpt_cur c;

	return bpt_le(&d->free_t, s, &c) && bpt_end(&c) >= s + len;
}

/* Take [s, s+len) out of the free set (it must be free). At most 1 insert. */
static void free_carve(struct dcd *d, unsigned reg, uint64_t s, uint64_t len)
{
	struct bpt_cur c;
	uint64_t ps, pe, e = s + len;
	bool found = bpt_le(&d->free_t, s, &c);

	assert(found && bpt_end(&c) >= e);
	(void)found;
	ps = bpt_key(&c);
	pe = bpt_end(&c);
	if (ps == s && pe == e) {
		bpt_erase(&c);
	} else if (ps == s) {
		bpt_set(&c, e, pe - e);
	} else {
		bpt_set(&c, ps, s - ps);
		if (pe > e)
			bpt_insert(&d->free_t, e, pe - e, false, NULL);
	}
	d->reg[reg].free_bytes -= len;
}

/* Return [s, s+len) to the free set, merging with neighbours. At most 1 insert. */
static void free_give(struct dcd *d, unsigned reg, uint64_t s, uint64_t len)
{
	const struct dcd_region *r = &d->reg[reg];
	uint64_t e = s + len;
	struct bpt_cur p, q;
	bool hp = bpt_le(&d->free_t, s, &p), hq, left, right;

	/* p: the last free range before s, q: the first after it */
	q = p;
	hq = hp ? bpt_next(&q) : bpt_first(&d->free_t, &q);
	left = hp && s > r->base && bpt_end(&p) == s;
	right = hq && e < r->base + r->len && bpt_key(&q) == e;
	if (left && right) {
		bpt_set(&p, bpt_key(&p), bpt_end(&q) - bpt_key(&p));
		bpt_erase(&q);
	} else if (left) {
		bpt_set(&p, bpt_key(&p), e - bpt_key(&p));
	} else if (right) {
		bpt_set(&q, s, bpt_end(&q) - s);
	} else {
		bpt_insert(&d->free_t, s, len, false, NULL);
	}
	d->reg[reg].free_bytes += len;
}

/* Is [s, s+len) covered by consecutive extents (accepted ones if acc_only)? */
static bool ext_covered(const struct dcd *d, uint64_t s, uint64_t len, bool acc_only)
{
	uint64_t e = s + len;
	struct bpt_cur c;

	if (!bpt_le(&d->ext, s, &c) || bpt_end(&c) <= s)
		return false;
	for (;;) {
		uint64_t cur;

		if (acc_only && !bpt_mark(&c))
			return false;
		cur = bpt_end(&c);
		if (cur >= e)
			return true;
		if (!bpt_next(&c) || bpt_key(&c) != cur)
			return false;
	}
}

static bool ext_overlaps_state(const struct dcd *d, uint64_t s, uint64_t len,
			       enum dcd_ext_state state)
{
	struct bpt_cur c;

	for (bool ok = bpt_overlap(&d->ext, s, len, &c); ok && bpt_key(&c) < s + len;
	     ok = bpt_next(&c))
		if (bpt_mark(&c) == (state == DCD_EXT_ACCEPTED))
			return true;
	return false;
}

/* Does [s, s+len) touch capacity the FM already asked the host to release? */
static bool rel_overlaps(const struct dcd *d, uint64_t s, uint64_t len)
{
	struct bpt_cur c;

	return bpt_overlap(&d->rel, s, len, &c) && bpt_key(&c) < s + len;
}

/* Remove [s, e) from the rel set, splitting ranges. At most 1 insert. */
static void rel_remove(struct dcd *d, uint64_t s, uint64_t e)
{
	struct bpt_cur c;
	bool ok = bpt_overlap(&d->rel, s, e - s, &c);

	while (ok && bpt_key(&c) < e) {
		uint64_t ns = bpt_key(&c), ne = bpt_end(&c);
		bool zero = bpt_mark(&c);

		if (ns < s) {
			bpt_set(&c, ns, s - ns);
			if (ne > e) {
				bpt_insert(&d->rel, e, ne - e, zero, NULL);
				return;
			}
			ok = bpt_next(&c);
		} else if (ne > e) {
			bpt_set(&c, e, ne - e);
			return;
		} else {
			bpt_erase(&c);
			ok = bpt_ge(&d->rel, ne, &c);
		}
	}
}

static void sanitize(struct dcd *d, uint64_t s, uint64_t len)
{
	if (d->cfg.sanitize && len)
		d->cfg.sanitize(d->cfg.arg, s, len);
}

/* Zero the parts of [s, e) that a pending release asked to sanitize. */
static void rel_sanitize(struct dcd *d, uint64_t s, uint64_t e)
{
	struct bpt_cur c;

	for (bool ok = bpt_overlap(&d->rel, s, e - s, &c); ok && bpt_key(&c) < e;
	     ok = bpt_next(&c)) {
		uint64_t ms = bpt_key(&c) > s ? bpt_key(&c) : s;
		uint64_t me = bpt_end(&c) < e ? bpt_end(&c) : e;

		if (bpt_mark(&c))
			sanitize(d, ms, me - ms);
	}
}

/*
 * Remove the accepted range [s, e) (it must be covered by accepted extents),
 * splitting extents at the edges, and free it. Per extent touched: at most
 * 1 free insert and 2 tag-set inserts; 1 ext and 1 rel insert in all.
 */
static void accepted_remove(struct dcd *d, uint64_t s, uint64_t e, bool zero)
{
	struct bpt_cur c;
	bool ok = bpt_overlap(&d->ext, s, e - s, &c);

	while (ok && bpt_key(&c) < e) {
		uint64_t ns = bpt_key(&c), ne = bpt_end(&c);
		uint64_t ms = ns > s ? ns : s, me = ne < e ? ne : e;
		struct xmeta m = ext_meta(&c);

		assert(bpt_mark(&c));
		if (ns < s && ne > e) {
			bpt_set(&c, ns, s - ns);
			ext_link(d, e, ne - e, true, &m);
		} else if (ns < s) {
			bpt_set(&c, ns, s - ns);
		} else if (ne > e) {
			bpt_set(&c, e, ne - e);
			tag_unlink(d, m.tag, ns);
			tag_link(d, m.tag, e);
		} else {
			ext_unlink(d, &c);
		}
		free_give(d, m.reg, ms, me - ms);
		if (zero || d->reg[m.reg].sanitize_on_release)
			sanitize(d, ms, me - ms);
		else
			rel_sanitize(d, ms, me);
		if (ne >= e)
			break;
		ok = bpt_ge(&d->ext, ne, &c);
	}
	rel_remove(d, s, e);
}

/*
 * Fetch the ext and free paths of every range's start together (the commit
 * that follows searches both trees there): on a large device each path is a
 * few cache misses, and fetched side by side they cost about one path.
 */
static void warm(const struct dcd *d, const struct dcd_ext *r, size_t n)
{
	const struct bpt *t[BPT_WARM_MAX];
	uint64_t k[BPT_WARM_MAX];

	for (size_t i = 0; i < n;) {
		unsigned m = 0;

		for (; i < n && m < BPT_WARM_MAX; i++, m += 2) {
			t[m] = &d->ext;
			t[m + 1] = &d->free_t;
			k[m] = k[m + 1] = r[i].start;
		}
		bpt_warm(t, k, m);
	}
}

/* ---- request lists ---------------------------------------------------------------- */

static int cmp_ext(const void *a, const void *b)
{
	const struct dcd_ext *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static uint16_t fail(const char **why, const char *msg, uint16_t rc)
{
	if (why)
		*why = msg;
	return rc;
}

/*
 * The malformed-list rules (CXL r3.1 §8.2.9.9.9.3 and §7.6.7.6.5): each
 * extent inside one DC region (else Invalid Physical Address), non-empty
 * and aligned to the region's block size, extents not overlapping each
 * other (else Invalid Extent List). Returns a copy sorted by DPA.
 */
static uint16_t check_list(const struct dcd *d, const struct dcd_ext *r, size_t n,
			   struct dcd_ext **sorted, const char **why)
{
	struct dcd_ext *s;

	for (size_t i = 0; i < n; i++) {
		int reg = dcd_region_of(d, r[i].start, r[i].len);

		if (!r[i].len)
			return fail(why, "extent with 0 length", CXL_RC_INVALID_EXTENT_LIST);
		if (reg < 0)
			return fail(why, "extent outside the DC regions or crossing one",
				    CXL_RC_INVALID_PHYSICAL_ADDRESS);
		if ((r[i].start - d->reg[reg].base) % d->reg[reg].block_size ||
		    r[i].len % d->reg[reg].block_size)
			return fail(why, "extent not aligned to the region block size",
				    CXL_RC_INVALID_EXTENT_LIST);
	}
	s = malloc((n ? n : 1) * sizeof(*s));
	if (!s)
		return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
	memcpy(s, r, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_ext);
	for (size_t i = 1; i < n; i++) {
		if (s[i].start < s[i - 1].start + s[i - 1].len) {
			free(s);
			return fail(why, "duplicate or overlapping extents in the request",
				    CXL_RC_INVALID_EXTENT_LIST);
		}
	}
	*sorted = s;
	return CXL_RC_SUCCESS;
}

/*
 * Extent-count change if the sorted, non-overlapping accepted ranges were
 * removed (a range strictly inside an extent splits it). Adjacent ranges are
 * merged first so that they count as one. *touched gets the extents met.
 */
static int64_t split_delta(const struct dcd *d, const struct dcd_ext *s, size_t n,
			   size_t *touched)
{
	int64_t delta = 0;
	size_t i = 0;

	*touched = 0;
	while (i < n) {
		uint64_t rs = s[i].start, re = s[i].start + s[i].len;
		struct bpt_cur c;

		for (i++; i < n && s[i].start == re; i++)
			re = s[i].start + s[i].len;
		for (bool ok = bpt_overlap(&d->ext, rs, re - rs, &c); ok && bpt_key(&c) < re;
		     ok = bpt_next(&c)) {
			(*touched)++;
			delta--;
			if (bpt_key(&c) < rs)
				delta++;
			if (bpt_end(&c) > re)
				delta++;
		}
	}
	return delta;
}

/* ---- lifecycle ------------------------------------------------------------------------ */

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int dcd_create(const struct dcd_config *cfg, struct dcd **out)
{
	struct dcd *d;
	uint64_t rlen, bs, mask;

	*out = NULL;
	if (!cfg->num_regions || cfg->num_regions > DCD_MAX_REGIONS) {
		log_err("dcd: %u DC regions (1..8)", cfg->num_regions);
		return -EINVAL;
	}
	if (!cfg->size || cfg->size % (cfg->num_regions * DCD_CAPACITY_UNIT)) {
		log_err("dcd: DC size 0x%llx is not a multiple of %u x 256 MiB",
			(unsigned long long)cfg->size, cfg->num_regions);
		return -EINVAL;
	}
	if (cfg->base % DCD_CAPACITY_UNIT) {
		log_err("dcd: DC region base 0x%llx not aligned to 256 MiB",
			(unsigned long long)cfg->base);
		return -EINVAL;
	}
	rlen = cfg->size / cfg->num_regions;
	bs = cfg->block_size ? cfg->block_size : DCD_DEFAULT_BLOCK_SIZE;
	mask = cfg->block_size_mask ? cfg->block_size_mask : bs;
	if (!is_pow2(bs) || bs < 64 || !(mask & bs)) {
		log_err("dcd: block size 0x%llx invalid or not in the supported mask",
			(unsigned long long)bs);
		return -EINVAL;
	}
	for (unsigned b = 0; b < 64; b++) {
		if ((mask >> b & 1) && ((1ull << b) < 64 || rlen % (1ull << b))) {
			log_err("dcd: supported block size 2^%u does not fit the region", b);
			return -EINVAL;
		}
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->cfg = *cfg;
	d->cfg.extents_max = cfg->extents_max ? cfg->extents_max : DCD_DEFAULT_EXTENTS_MAX;
	d->nreg = cfg->num_regions;
	bpt_pool_init(&d->pool);
	bpt_init(&d->ext, &d->pool, sizeof(struct xmeta), BPT_AUG_COUNT);
	bpt_init(&d->free_t, &d->pool, 0, BPT_AUG_MAX);
	bpt_init(&d->rel, &d->pool, 0, 0);
	d->ntags = 1;
	for (unsigned i = 0; i < d->nreg; i++) {
		struct dcd_region *r = &d->reg[i];

		*r = (struct dcd_region){
			.base = cfg->base + i * rlen,
			.decode_len = rlen,
			.len = rlen,
			.block_size = bs,
			.block_size_mask = mask,
			.dsmad_handle = cfg->dsmad_handle_base + i,
			.dsmas_flags = cfg->sharable ? DCD_DSMAS_SHARABLE : 0,
			.free_bytes = rlen,
		};
		if (reserve(d, 0, 1, 0, 0)) {
			dcd_destroy(d);
			return -ENOMEM;
		}
		bpt_insert(&d->free_t, r->base, rlen, false, NULL);
	}
	d->total = cfg->size;
	*out = d;
	return 0;
}

void dcd_destroy(struct dcd *d)
{
	struct dcd_group *g, *next;

	if (!d)
		return;
	bpt_clear(&d->ext);
	bpt_clear(&d->free_t);
	bpt_clear(&d->rel);
	tag_free_all(d);
	bpt_pool_destroy(&d->pool);
	for (g = d->ghead; g; g = next) {
		next = g->next;
		free(g);
	}
	free(d);
}

unsigned dcd_num_regions(const struct dcd *d) { return d->nreg; }
uint64_t dcd_total_capacity(const struct dcd *d) { return d->total; }
uint32_t dcd_extents_max(const struct dcd *d) { return d->cfg.extents_max; }
uint32_t dcd_extents_tracked(const struct dcd *d) { return d->n_tracked; }
uint32_t dcd_extents_accepted(const struct dcd *d) { return d->n_accepted; }
uint32_t dcd_generation(const struct dcd *d) { return d->generation; }
size_t dcd_pending_groups(const struct dcd *d) { return d->ngroups; }

const struct dcd_region *dcd_region(const struct dcd *d, unsigned i)
{
	return i < d->nreg ? &d->reg[i] : NULL;
}

uint32_t dcd_extents_available(const struct dcd *d)
{
	return d->n_tracked >= d->cfg.extents_max ? 0 : d->cfg.extents_max - d->n_tracked;
}

/* A tag per extent at most (QEMU reports 0 tags; tag-based removal needs them). */
uint32_t dcd_tags_max(const struct dcd *d) { return d->cfg.extents_max; }

uint32_t dcd_tags_available(const struct dcd *d)
{
	return d->tags_used >= d->cfg.extents_max ? 0 : d->cfg.extents_max - d->tags_used;
}

uint16_t dcd_sel_policy_mask(const struct dcd *d)
{
	uint16_t m = 1u << DCD_SEL_FREE | 1u << DCD_SEL_CONTIGUOUS | 1u << DCD_SEL_PRESCRIPTIVE;

	for (unsigned i = 0; i < d->nreg; i++)
		if (d->reg[i].dsmas_flags & DCD_DSMAS_SHARABLE)
			m |= 1u << DCD_SEL_SHARED;
	return m;
}

/* ---- add --------------------------------------------------------------------------------- */

static uint16_t too_many(const struct dcd *d, size_t n, size_t max_out, const char **why)
{
	if ((uint64_t)d->n_tracked + n > d->cfg.extents_max)
		return fail(why, "more extents than the device can track",
			    CXL_RC_RESOURCES_EXHAUSTED);
	if (max_out && n > max_out)
		return fail(why, "more extents than the event log can announce",
			    CXL_RC_RESOURCES_EXHAUSTED);
	return CXL_RC_SUCCESS;
}

/* Append a pending group holding e[0..n) and insert its pending nodes. */
static uint16_t commit_group(struct dcd *d, const struct dcd_ext *e, size_t n,
			     struct dcd_ext **out, size_t *nout, const char **why)
{
	struct dcd_group *g;
	struct dcd_ext *o;

	if (reserve(d, n, n, 0, n))
		return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
	for (size_t i = 0; i < n; i++)
		if (tag_prepare(d, e[i].tag))
			return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
	g = malloc(sizeof(*g) + n * sizeof(g->ext[0]));
	o = malloc(n * sizeof(*o));
	if (!g || !o) {
		free(g);
		free(o);
		return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
	}
	g->id = ++d->group_seq;
	g->n = n;
	g->next = NULL;
	memcpy(g->ext, e, n * sizeof(*e));
	memcpy(o, e, n * sizeof(*e));
	for (size_t i = 0; i < n; i++) {
		unsigned reg = (unsigned)dcd_region_of(d, e[i].start, e[i].len);
		struct xmeta m = { .group = g->id, .tag = tag_find(d, e[i].tag),
				   .seq = e[i].shared_seq, .reg = (uint8_t)reg,
				   .shared = e[i].shared };

		free_carve(d, reg, e[i].start, e[i].len);
		ext_link(d, e[i].start, e[i].len, false, &m);
	}
	if (d->gtail)
		d->gtail->next = g;
	else
		d->ghead = g;
	d->gtail = g;
	d->ngroups++;
	*out = o;
	*nout = n;
	return CXL_RC_SUCCESS;
}

static uint16_t add_prescriptive(struct dcd *d, const struct dcd_add_req *req,
				 struct dcd_ext **out, size_t *nout, const char **why)
{
	struct dcd_ext *sorted = NULL, *e;
	uint16_t rc;

	if (!req->n)
		return fail(why, "no extents given", CXL_RC_INVALID_INPUT);
	rc = too_many(d, req->n, req->max_out, why);
	if (rc)
		return rc;
	rc = check_list(d, req->ext, req->n, &sorted, why);
	if (rc)
		return rc;
	warm(d, sorted, req->n);
	for (size_t i = 0; i < req->n; i++) {
		const struct dcd_ext *x = &sorted[i];
		int reg = dcd_region_of(d, x->start, x->len);

		if (req->policy == DCD_SEL_SHARED &&
		    !(d->reg[reg].dsmas_flags & DCD_DSMAS_SHARABLE)) {
			free(sorted);
			return fail(why, "region is not sharable", CXL_RC_INVALID_INPUT);
		}
		if (!free_covers(d, x->start, x->len)) {
			bool pend = ext_overlaps_state(d, x->start, x->len, DCD_EXT_PENDING);

			free(sorted);
			return fail(why, pend ? "cannot add DPA again while still pending" :
				    "cannot add DPA already accessible to the same LD",
				    CXL_RC_INVALID_EXTENT_LIST);
		}
	}
	free(sorted);
	e = malloc(req->n * sizeof(*e));
	if (!e)
		return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
	memcpy(e, req->ext, req->n * sizeof(*e));
	for (size_t i = 0; i < req->n; i++)
		e[i].shared = req->policy == DCD_SEL_SHARED;
	rc = commit_group(d, e, req->n, out, nout, why);
	free(e);
	return rc;
}

/* Free / contiguous: the device picks unallocated blocks of the region. */
static uint16_t add_select(struct dcd *d, const struct dcd_add_req *req,
			   struct dcd_ext **out, size_t *nout, const char **why)
{
	const struct dcd_region *r;
	struct dcd_ext *e;
	size_t pieces = 0;
	uint64_t rem, rend;
	struct bpt_cur c, first;
	bool ok;
	uint16_t rc;

	if (req->region >= d->nreg)
		return fail(why, "region id is too large", CXL_RC_INVALID_INPUT);
	r = &d->reg[req->region];
	rend = r->base + r->len;
	if (!req->length || req->length % r->block_size)
		return fail(why, "length is not a non-zero multiple of the block size",
			    CXL_RC_INVALID_INPUT);
	if (req->length > r->free_bytes)
		return fail(why, "not enough free capacity in the region",
			    CXL_RC_RESOURCES_EXHAUSTED);
	if (req->policy == DCD_SEL_CONTIGUOUS) {
		if (!bpt_fit(&d->free_t, r->base, req->length, &first) ||
		    bpt_key(&first) >= rend)
			return fail(why, "no contiguous free range that long",
				    CXL_RC_RESOURCES_EXHAUSTED);
		pieces = 1;
	} else {
		rem = req->length;
		ok = bpt_ge(&d->free_t, r->base, &first);
		for (c = first; rem; ok = bpt_next(&c)) {
			assert(ok && bpt_key(&c) < rend);
			(void)ok;
			rem -= bpt_len(&c) < rem ? bpt_len(&c) : rem;
			pieces++;
		}
	}
	rc = too_many(d, pieces, req->max_out, why);
	if (rc)
		return rc;
	e = calloc(pieces, sizeof(*e));
	if (!e)
		return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
	rem = req->length;
	c = first;
	for (size_t i = 0; i < pieces; i++, bpt_next(&c)) {
		e[i].start = bpt_key(&c);
		e[i].len = bpt_len(&c) < rem ? bpt_len(&c) : rem;
		memcpy(e[i].tag, req->tag, DCD_TAG_LEN);
		rem -= e[i].len;
	}
	rc = commit_group(d, e, pieces, out, nout, why);
	free(e);
	return rc;
}

uint16_t dcd_add(struct dcd *d, const struct dcd_add_req *req,
		 struct dcd_ext **out, size_t *nout, const char **why)
{
	*out = NULL;
	*nout = 0;
	switch (req->policy) {
	case DCD_SEL_FREE:
	case DCD_SEL_CONTIGUOUS:
		return trimmed(d, add_select(d, req, out, nout, why));
	case DCD_SEL_PRESCRIPTIVE:
	case DCD_SEL_SHARED:
		return trimmed(d, add_prescriptive(d, req, out, nout, why));
	}
	return fail(why, "selection policy not supported", CXL_RC_INVALID_INPUT);
}

/* ---- release ------------------------------------------------------------------------------ */

static uint16_t commit_release(struct dcd *d, const struct dcd_ext *sorted, size_t n,
			       size_t touched, bool forced, bool zero, const char **why)
{
	if (reserve(d, n, n + touched, 2 * n, 2 * (n + touched)))
		return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
	for (size_t i = 0; i < n; i++) {
		uint64_t s = sorted[i].start, e = s + sorted[i].len;

		if (forced) {
			accepted_remove(d, s, e, zero);
		} else {
			rel_remove(d, s, e);
			bpt_insert(&d->rel, s, e - s, zero, NULL);
		}
	}
	if (forced && n)
		d->generation++;
	return CXL_RC_SUCCESS;
}

static uint16_t release_prescriptive(struct dcd *d, const struct dcd_release_req *req,
				     struct dcd_ext **out, size_t *nout, const char **why)
{
	struct dcd_ext *sorted = NULL, *o;
	size_t touched;
	int64_t delta;
	uint16_t rc;

	if (!req->n)
		return fail(why, "no extents given", CXL_RC_INVALID_INPUT);
	rc = check_list(d, req->ext, req->n, &sorted, why);
	if (rc)
		return rc;
	warm(d, sorted, req->n);
	for (size_t i = 0; i < req->n; i++) {
		if (!req->forced &&
		    ext_overlaps_state(d, sorted[i].start, sorted[i].len, DCD_EXT_PENDING)) {
			free(sorted);
			return fail(why, "cannot release extent with pending DPA range",
				    CXL_RC_INVALID_PHYSICAL_ADDRESS);
		}
		if (!ext_covered(d, sorted[i].start, sorted[i].len, true)) {
			free(sorted);
			return fail(why, "cannot release extent with non-existing DPA range",
				    CXL_RC_INVALID_PHYSICAL_ADDRESS);
		}
		/*
		 * A second release of capacity whose release is still pending
		 * would log a second Release Capacity event; the host answers
		 * the first and then finds nothing to give back. CXL r3.1
		 * §7.6.7.6.6 lists Invalid Extent List among the command's
		 * codes, and 5604h uses it for an extent that collides with
		 * outstanding state (capacity still pending add); we refuse the
		 * same way. QEMU's cmd_fm_initiate_dc_release keeps no release
		 * state and would accept it. A forced release goes through: it
		 * does not wait for the host.
		 */
		if (!req->forced && rel_overlaps(d, sorted[i].start, sorted[i].len)) {
			free(sorted);
			return fail(why, "release of this DPA range is already pending",
				    CXL_RC_INVALID_EXTENT_LIST);
		}
	}
	delta = split_delta(d, sorted, req->n, &touched);
	if ((int64_t)d->n_tracked + delta > (int64_t)d->cfg.extents_max ||
	    (req->max_out && req->n > req->max_out)) {
		free(sorted);
		return fail(why, "release would need more extents than supported",
			    CXL_RC_RESOURCES_EXHAUSTED);
	}
	o = malloc(req->n * sizeof(*o));
	if (!o) {
		free(sorted);
		return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
	}
	memcpy(o, req->ext, req->n * sizeof(*o));
	rc = commit_release(d, sorted, req->n, touched, req->forced, req->sanitize, why);
	free(sorted);
	if (rc) {
		free(o);
		return rc;
	}
	*out = o;
	*nout = req->n;
	return CXL_RC_SUCCESS;
}

/* Tag based: every accepted extent of the region carrying the tag. */
static uint16_t release_tag(struct dcd *d, const struct dcd_release_req *req,
			    struct dcd_ext **out, size_t *nout, const char **why)
{
	struct bpt_cur tc, c;
	struct dcd_ext *o;
	bool pending = false, releasing = false, ok;
	size_t n = 0, i = 0;
	uint32_t id;
	uint16_t rc;

	if (req->region >= d->nreg)
		return fail(why, "region id is too large", CXL_RC_INVALID_INPUT);
	if (tag_zero(req->tag))
		return fail(why, "tag-based release needs a non-zero tag", CXL_RC_INVALID_INPUT);
	id = tag_find(d, req->tag);
	for (ok = id && bpt_first(&d->tags[id].set, &tc); ok; ok = bpt_next(&tc)) {
		bool found = bpt_le(&d->ext, bpt_key(&tc), &c);

		assert(found && bpt_key(&c) == bpt_key(&tc));
		(void)found;
		if (ext_meta(&c).reg != req->region)
			continue;
		if (!bpt_mark(&c)) {
			pending = true;
		} else {
			n++;
			releasing |= rel_overlaps(d, bpt_key(&c), bpt_len(&c));
		}
	}
	if (pending && !req->forced)
		return fail(why, "cannot release extent with pending DPA range",
			    CXL_RC_INVALID_PHYSICAL_ADDRESS);
	/* as release_prescriptive: one outstanding release per range */
	if (releasing && !req->forced)
		return fail(why, "release of an extent with the tag is already pending",
			    CXL_RC_INVALID_EXTENT_LIST);
	if (!n)
		return fail(why, "no accepted extent of the region carries the tag",
			    CXL_RC_INVALID_INPUT);
	if (req->max_out && n > req->max_out)
		return fail(why, "more extents than the event log can announce",
			    CXL_RC_RESOURCES_EXHAUSTED);
	o = malloc(n * sizeof(*o));
	if (!o)
		return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
	/* The tag's set is in DPA order, so o is sorted. */
	for (ok = bpt_first(&d->tags[id].set, &tc); ok; ok = bpt_next(&tc)) {
		bool found = bpt_le(&d->ext, bpt_key(&tc), &c);

		assert(found);
		(void)found;
		if (ext_meta(&c).reg != req->region || !bpt_mark(&c))
			continue;
		ext_get(d, &c, &o[i++]);
	}
	/* Whole extents: no split, n extents touched. */
	rc = commit_release(d, o, n, n, req->forced, req->sanitize, why);
	if (rc) {
		free(o);
		return rc;
	}
	*out = o;
	*nout = n;
	return CXL_RC_SUCCESS;
}

uint16_t dcd_release(struct dcd *d, const struct dcd_release_req *req,
		     struct dcd_ext **out, size_t *nout, const char **why)
{
	*out = NULL;
	*nout = 0;
	switch (req->policy) {
	case DCD_RM_TAG:
		return trimmed(d, release_tag(d, req, out, nout, why));
	case DCD_RM_PRESCRIPTIVE:
		return trimmed(d, release_prescriptive(d, req, out, nout, why));
	}
	return fail(why, "removal policy not supported", CXL_RC_INVALID_INPUT);
}

/* ---- host responses ------------------------------------------------------------------------- */

static void drop_group(struct dcd *d)
{
	struct dcd_group *g = d->ghead;

	for (size_t i = 0; i < g->n; i++) {
		struct bpt_cur c;
		bool found = bpt_le(&d->ext, g->ext[i].start, &c);
		uint64_t len;
		unsigned reg;

		assert(found && bpt_key(&c) == g->ext[i].start);
		(void)found;
		if (bpt_mark(&c))
			continue; /* accepted whole, in place (host_accept) */
		len = bpt_len(&c);
		reg = ext_meta(&c).reg;
		ext_unlink(d, &c);
		free_give(d, reg, g->ext[i].start, len);
	}
	d->ghead = g->next;
	if (!d->ghead)
		d->gtail = NULL;
	d->ngroups--;
	free(g);
}

static uint16_t host_accept(struct dcd *d, const struct dcd_ext *r, size_t n, const char **why)
{
	struct dcd_group *g = d->ghead;
	struct dcd_ext *sorted = NULL;
	struct bpt_cur c;
	uint16_t rc;

	if (!n) {
		if (!g)
			return fail(why, "no pending add to decline", CXL_RC_INVALID_INPUT);
		if (reserve(d, 0, g->n, 0, 0))
			return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
		drop_group(d);
		return CXL_RC_SUCCESS;
	}
	if (!g)
		return fail(why, "no pending add", CXL_RC_INVALID_PHYSICAL_ADDRESS);
	/* The group's pending extents make way for the accepted ones (QEMU
	 * counts both, refusing a response that fills the last slots). */
	if ((uint64_t)d->n_tracked - g->n + n > d->cfg.extents_max)
		return fail(why, "more extents than the device can track",
			    CXL_RC_RESOURCES_EXHAUSTED);
	rc = check_list(d, r, n, &sorted, why);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct dcd_ext x;

		if (!bpt_le(&d->ext, sorted[i].start, &c) || bpt_mark(&c) ||
		    ext_meta(&c).group != g->id ||
		    sorted[i].start + sorted[i].len > bpt_end(&c)) {
			free(sorted);
			return fail(why, "range is not part of the oldest pending add",
				    CXL_RC_INVALID_PHYSICAL_ADDRESS);
		}
		/* The accepted extent keeps the offered tag and sharing (QEMU
		 * zeroes the tag; the spec keeps it, tag-based release needs it). */
		ext_get(d, &c, &x);
		memcpy(sorted[i].tag, x.tag, DCD_TAG_LEN);
		sorted[i].shared = x.shared;
		sorted[i].shared_seq = x.shared_seq;
		if (x.start == sorted[i].start && x.len == sorted[i].len)
			sorted[i].len = 0; /* accepted whole: turned accepted in place */
	}
	if (reserve(d, n, g->n + n, 0, n)) {
		free(sorted);
		return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
	}
	/* A pending extent accepted whole turns accepted in place; the rest of
	 * the group goes back to free, then the parts accepted are carved out
	 * again. */
	for (size_t i = 0; i < n; i++) {
		struct xmeta m;
		bool found;

		if (sorted[i].len)
			continue;
		found = bpt_le(&d->ext, sorted[i].start, &c);
		assert(found);
		(void)found;
		m = ext_meta(&c);
		m.group = 0;
		memcpy(bpt_meta(&c), &m, sizeof(m));
		bpt_set_mark(&c, true);
		ext_count(d, m.reg, false, -1);
		ext_count(d, m.reg, true, 1);
	}
	drop_group(d);
	for (size_t i = 0; i < n; i++) {
		unsigned reg;
		struct xmeta m;

		if (!sorted[i].len)
			continue;
		reg = (unsigned)dcd_region_of(d, sorted[i].start, sorted[i].len);
		m = (struct xmeta){ .tag = tag_find(d, sorted[i].tag), .seq = sorted[i].shared_seq,
				    .reg = (uint8_t)reg, .shared = sorted[i].shared };
		free_carve(d, reg, sorted[i].start, sorted[i].len);
		ext_link(d, sorted[i].start, sorted[i].len, true, &m);
	}
	d->generation++;
	free(sorted);
	return CXL_RC_SUCCESS;
}

uint16_t dcd_host_accept(struct dcd *d, const struct dcd_ext *r, size_t n, const char **why)
{
	return trimmed(d, host_accept(d, r, n, why));
}

uint16_t dcd_host_release(struct dcd *d, const struct dcd_ext *r, size_t n, const char **why)
{
	struct dcd_ext *sorted = NULL;
	size_t touched;
	int64_t delta;
	uint16_t rc;

	if (!n)
		return fail(why, "no extents given", CXL_RC_INVALID_INPUT);
	rc = check_list(d, r, n, &sorted, why);
	if (rc)
		return rc;
	warm(d, sorted, n);
	for (size_t i = 0; i < n; i++) {
		if (!ext_covered(d, sorted[i].start, sorted[i].len, true)) {
			free(sorted);
			return fail(why, "range is not accepted capacity",
				    CXL_RC_INVALID_PHYSICAL_ADDRESS);
		}
	}
	delta = split_delta(d, sorted, n, &touched);
	if ((int64_t)d->n_tracked + delta > (int64_t)d->cfg.extents_max) {
		free(sorted);
		return fail(why, "release would need more extents than supported",
			    CXL_RC_RESOURCES_EXHAUSTED);
	}
	rc = commit_release(d, sorted, n, touched, true, false, why);
	free(sorted);
	return trimmed(d, rc);
}

/* ---- configuration and queries -------------------------------------------------------------- */

uint16_t dcd_set_region_config(struct dcd *d, unsigned region, uint64_t block_size,
			       bool sanitize_flag, bool *changed, const char **why)
{
	struct dcd_region *r;

	*changed = false;
	if (region >= d->nreg)
		return fail(why, "region id is too large", CXL_RC_INVALID_INPUT);
	r = &d->reg[region];
	if (r->n_pending || r->n_accepted)
		return fail(why, "region has allocated capacity", CXL_RC_UNSUPPORTED);
	if (!is_pow2(block_size) || !(block_size & r->block_size_mask))
		return fail(why, "block size not supported", CXL_RC_INVALID_INPUT);
	if (block_size == r->block_size && sanitize_flag == r->sanitize_on_release)
		return CXL_RC_SUCCESS;
	r->block_size = block_size;
	r->sanitize_on_release = sanitize_flag;
	*changed = true;
	return CXL_RC_SUCCESS;
}

bool dcd_accessible(const struct dcd *d, uint64_t dpa, uint64_t len)
{
	if (!len || dcd_region_of(d, dpa, len) < 0)
		return false;
	return ext_covered(d, dpa, len, true);
}

int dcd_accepted_at(const struct dcd *d, uint32_t i, struct dcd_ext *out)
{
	return dcd_accepted_get(d, i, out, 1) == 1 ? 0 : -ENOENT;
}

size_t dcd_accepted_get(const struct dcd *d, uint32_t first, struct dcd_ext *out, size_t n)
{
	struct bpt_cur c;
	size_t i = 0;

	if (!n || !bpt_nth_marked(&d->ext, first, &c))
		return 0;
	do
		ext_get(d, &c, &out[i++]);
	while (i < n && bpt_next_marked(&c));
	return i;
}

int dcd_foreach(const struct dcd *d, int (*cb)(void *arg, const struct dcd_ext_info *e),
		void *arg)
{
	struct bpt_cur c, r;

	for (bool ok = bpt_first(&d->ext, &c); ok; ok = bpt_next(&c)) {
		struct xmeta m = ext_meta(&c);
		struct dcd_ext_info e = {
			.state = bpt_mark(&c) ? DCD_EXT_ACCEPTED : DCD_EXT_PENDING,
			.releasing = bpt_mark(&c) &&
				     bpt_overlap(&d->rel, bpt_key(&c), bpt_len(&c), &r),
			.group = m.group,
			.region = m.reg,
		};
		int rc;

		ext_get(d, &c, &e.ext);
		rc = cb(arg, &e);
		if (rc)
			return rc;
	}
	return 0;
}
