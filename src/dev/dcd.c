/* SPDX-License-Identifier: MIT */
/*
 * Dynamic capacity state. Three ordered sets of DPA ranges, each a treap
 * (randomised balanced binary search tree) keyed by start DPA:
 *   ext   every pending-add or accepted extent (never overlapping: an add may
 *         not touch pending or accepted capacity);
 *   free  the rest of every region, maximal ranges that never cross a
 *         region boundary (augmented with the largest length in a subtree,
 *         so "first free range of at least L" is one descent);
 *   rel   ranges the FM asked the host to release (a subset of accepted).
 * ext nodes carry the count of accepted nodes in their subtree, so the i-th
 * accepted extent (extent lists with a start index) is one descent. Tags
 * index ext nodes by a chained hash. Pending groups are a FIFO.
 *
 * Every mutating operation validates first, reserves the nodes it will need
 * (so the commit cannot fail half way), then commits.
 */
#include "dev/dcd.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/cci.h"
#include "util/log.h"

#define POOL_KEEP 4096u

struct xn {
	struct xn *l, *r;
	uint64_t start, len;
	uint64_t max_len;        /* largest len in the subtree */
	uint32_t prio;
	uint32_t cnt;            /* nodes in the subtree */
	uint32_t acc;            /* accepted nodes in the subtree (ext tree) */
	uint32_t group;          /* pending group id (ext tree) */
	uint8_t state;           /* ext: enum dcd_ext_state; rel: sanitize flag */
	uint8_t reg;             /* region index */
	bool shared;
	uint16_t shared_seq;
	uint8_t tag[DCD_TAG_LEN];
	struct xn *tprev, *tnext; /* chain of ext nodes with the same tag */
};

struct tag_ent {
	uint8_t tag[DCD_TAG_LEN];
	struct xn *head;
	uint32_t count;
	struct tag_ent *next;
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
	struct xn *ext;
	struct xn *free_t;
	struct xn *rel;
	uint64_t rng;
	struct xn *pool;
	size_t npool;
	struct tag_ent **tb;
	size_t ntb;
	size_t nent;             /* tag entries (some may have count 0) */
	uint32_t tags_used;      /* tags with count > 0 */
	struct dcd_group *ghead, *gtail;
	size_t ngroups;
	uint32_t group_seq;
	uint32_t generation;
	uint32_t n_tracked;
	uint32_t n_accepted;
};

/* ---- treap ---------------------------------------------------------------- */

static uint32_t xcnt(const struct xn *n) { return n ? n->cnt : 0; }
static uint32_t xacc(const struct xn *n) { return n ? n->acc : 0; }
static uint64_t xmax(const struct xn *n) { return n ? n->max_len : 0; }
static uint64_t xend(const struct xn *n) { return n->start + n->len; }

static void upd(struct xn *n)
{
	uint64_t m = n->len;

	n->cnt = 1 + xcnt(n->l) + xcnt(n->r);
	n->acc = (n->state == DCD_EXT_ACCEPTED ? 1u : 0u) + xacc(n->l) + xacc(n->r);
	if (xmax(n->l) > m)
		m = xmax(n->l);
	if (xmax(n->r) > m)
		m = xmax(n->r);
	n->max_len = m;
}

/* Nodes with start < key go to *a, the others to *b. */
static void xt_split(struct xn *t, uint64_t key, struct xn **a, struct xn **b)
{
	if (!t) {
		*a = *b = NULL;
		return;
	}
	if (t->start < key) {
		xt_split(t->r, key, &t->r, b);
		*a = t;
	} else {
		xt_split(t->l, key, a, &t->l);
		*b = t;
	}
	upd(t);
}

static struct xn *xt_merge(struct xn *a, struct xn *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (a->prio > b->prio) {
		a->r = xt_merge(a->r, b);
		upd(a);
		return a;
	}
	b->l = xt_merge(a, b->l);
	upd(b);
	return b;
}

static struct xn *xt_insert(struct xn *t, struct xn *n)
{
	if (!t) {
		upd(n);
		return n;
	}
	if (n->prio > t->prio) {
		xt_split(t, n->start, &n->l, &n->r);
		upd(n);
		return n;
	}
	if (n->start < t->start)
		t->l = xt_insert(t->l, n);
	else
		t->r = xt_insert(t->r, n);
	upd(t);
	return t;
}

static struct xn *xt_erase(struct xn *t, uint64_t key, struct xn **got)
{
	struct xn *m;

	if (!t)
		return NULL;
	if (t->start == key) {
		*got = t;
		m = xt_merge(t->l, t->r);
		t->l = t->r = NULL;
		return m;
	}
	if (key < t->start)
		t->l = xt_erase(t->l, key, got);
	else
		t->r = xt_erase(t->r, key, got);
	upd(t);
	return t;
}

/* Node with the greatest start <= key. */
static struct xn *xt_le(struct xn *t, uint64_t key)
{
	struct xn *best = NULL;

	while (t) {
		if (t->start <= key) {
			best = t;
			t = t->r;
		} else {
			t = t->l;
		}
	}
	return best;
}

/* Node with the smallest start >= key. */
static struct xn *xt_ge(struct xn *t, uint64_t key)
{
	struct xn *best = NULL;

	while (t) {
		if (t->start >= key) {
			best = t;
			t = t->l;
		} else {
			t = t->r;
		}
	}
	return best;
}

/* First node overlapping [s, s+len), in DPA order. */
static struct xn *xt_overlap(struct xn *t, uint64_t s, uint64_t len)
{
	struct xn *p = xt_le(t, s);

	if (p && xend(p) > s)
		return p;
	p = xt_ge(t, s);
	return p && p->start < s + len ? p : NULL;
}

/* The k-th (0-based) accepted node. */
static struct xn *xt_select_acc(struct xn *t, uint32_t k)
{
	while (t) {
		uint32_t a = xacc(t->l);

		if (k < a) {
			t = t->l;
			continue;
		}
		k -= a;
		if (t->state == DCD_EXT_ACCEPTED) {
			if (!k)
				return t;
			k--;
		}
		t = t->r;
	}
	return NULL;
}

/* Leftmost node with start >= lo and len >= minlen. */
static struct xn *xt_fit(struct xn *t, uint64_t lo, uint64_t minlen)
{
	struct xn *r;

	if (!t || t->max_len < minlen)
		return NULL;
	if (t->start < lo)
		return xt_fit(t->r, lo, minlen);
	r = xt_fit(t->l, lo, minlen);
	if (r)
		return r;
	if (t->len >= minlen)
		return t;
	return xt_fit(t->r, lo, minlen);
}

static void xt_free_all(struct xn *t)
{
	while (t) {
		struct xn *l = t->l;

		xt_free_all(t->r);
		free(t);
		t = l;
	}
}

/* ---- node pool -------------------------------------------------------------- */

static uint32_t rnd(struct dcd *d)
{
	uint64_t x = d->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	d->rng = x;
	return (uint32_t)(x >> 32);
}

static int pool_reserve(struct dcd *d, size_t k)
{
	while (d->npool < k) {
		struct xn *n = malloc(sizeof(*n));

		if (!n)
			return -ENOMEM;
		n->l = d->pool;
		d->pool = n;
		d->npool++;
	}
	return 0;
}

static struct xn *xn_get(struct dcd *d)
{
	struct xn *n = d->pool;

	/* Callers reserved what they take; running dry is a bug. */
	assert(n);
	d->pool = n->l;
	d->npool--;
	memset(n, 0, sizeof(*n));
	n->prio = rnd(d);
	return n;
}

static void xn_put(struct dcd *d, struct xn *n)
{
	if (d->npool >= POOL_KEEP) {
		free(n);
		return;
	}
	n->l = d->pool;
	d->pool = n;
	d->npool++;
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

static struct tag_ent *tag_find(const struct dcd *d, const uint8_t *t)
{
	if (!d->ntb)
		return NULL;
	for (struct tag_ent *e = d->tb[tag_hash(d, t)]; e; e = e->next)
		if (!memcmp(e->tag, t, DCD_TAG_LEN))
			return e;
	return NULL;
}

static int tag_grow(struct dcd *d)
{
	size_t nb = d->ntb ? d->ntb * 2 : 64;
	struct tag_ent **tb = calloc(nb, sizeof(*tb));
	struct tag_ent **old = d->tb;
	size_t onb = d->ntb;

	if (!tb)
		return -ENOMEM;
	d->tb = tb;
	d->ntb = nb;
	for (size_t i = 0; i < onb; i++) {
		struct tag_ent *e = old[i], *next;

		for (; e; e = next) {
			size_t h = tag_hash(d, e->tag);

			next = e->next;
			e->next = tb[h];
			tb[h] = e;
		}
	}
	free(old);
	return 0;
}

/* Make sure an entry for t exists (so linking during a commit cannot fail). */
static int tag_prepare(struct dcd *d, const uint8_t *t)
{
	struct tag_ent *e;
	size_t h;

	if (tag_zero(t) || tag_find(d, t))
		return 0;
	if (d->nent + 1 > d->ntb && tag_grow(d))
		return -ENOMEM;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	memcpy(e->tag, t, DCD_TAG_LEN);
	h = tag_hash(d, t);
	e->next = d->tb[h];
	d->tb[h] = e;
	d->nent++;
	return 0;
}

static void tag_link(struct dcd *d, struct xn *n)
{
	struct tag_ent *e;

	if (tag_zero(n->tag))
		return;
	e = tag_find(d, n->tag);
	assert(e); /* tag_prepare() ran */
	n->tprev = NULL;
	n->tnext = e->head;
	if (e->head)
		e->head->tprev = n;
	e->head = n;
	if (e->count++ == 0)
		d->tags_used++;
}

static void tag_unlink(struct dcd *d, struct xn *n)
{
	struct tag_ent *e;

	if (tag_zero(n->tag))
		return;
	e = tag_find(d, n->tag);
	assert(e && e->count);
	if (n->tprev)
		n->tprev->tnext = n->tnext;
	else
		e->head = n->tnext;
	if (n->tnext)
		n->tnext->tprev = n->tprev;
	n->tprev = n->tnext = NULL;
	if (--e->count == 0)
		d->tags_used--;
	/* The entry stays for reuse; freed with the device. */
}

static void tag_free_all(struct dcd *d)
{
	for (size_t i = 0; i < d->ntb; i++) {
		struct tag_ent *e = d->tb[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(d->tb);
	d->tb = NULL;
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

static void ext_link(struct dcd *d, struct xn *n)
{
	struct dcd_region *r = &d->reg[n->reg];

	n->l = n->r = NULL;
	d->ext = xt_insert(d->ext, n);
	tag_link(d, n);
	d->n_tracked++;
	if (n->state == DCD_EXT_ACCEPTED) {
		r->n_accepted++;
		d->n_accepted++;
	} else {
		r->n_pending++;
	}
}

static void ext_unlink(struct dcd *d, struct xn *n)
{
	struct dcd_region *r = &d->reg[n->reg];
	struct xn *got = NULL;

	d->ext = xt_erase(d->ext, n->start, &got);
	assert(got == n);
	tag_unlink(d, n);
	d->n_tracked--;
	if (n->state == DCD_EXT_ACCEPTED) {
		r->n_accepted--;
		d->n_accepted--;
	} else {
		r->n_pending--;
	}
}

/* Is [s, s+len) entirely free? Free ranges are maximal, so one node holds it. */
static bool free_covers(const struct dcd *d, uint64_t s, uint64_t len)
{
	struct xn *p = xt_le(d->free_t, s);

	return p && xend(p) >= s + len;
}

/* Take [s, s+len) out of the free set (it must be free). Needs 1 node. */
static void free_carve(struct dcd *d, unsigned reg, uint64_t s, uint64_t len)
{
	struct xn *p = xt_le(d->free_t, s), *got = NULL;
	uint64_t ps, pe;

	assert(p && xend(p) >= s + len);
	ps = p->start;
	pe = xend(p);
	d->free_t = xt_erase(d->free_t, ps, &got);
	if (ps < s) {
		struct xn *q = xn_get(d);

		q->start = ps;
		q->len = s - ps;
		q->reg = (uint8_t)reg;
		d->free_t = xt_insert(d->free_t, q);
	}
	if (pe > s + len) {
		p->start = s + len;
		p->len = pe - (s + len);
		p->l = p->r = NULL;
		d->free_t = xt_insert(d->free_t, p);
	} else {
		xn_put(d, p);
	}
	d->reg[reg].free_bytes -= len;
}

/* Return [s, s+len) to the free set, merging with neighbours. Needs 1 node. */
static void free_give(struct dcd *d, unsigned reg, uint64_t s, uint64_t len)
{
	const struct dcd_region *r = &d->reg[reg];
	uint64_t ns = s, ne = s + len;
	struct xn *n, *got;

	if (s > r->base) {
		struct xn *p = xt_le(d->free_t, s - 1);

		if (p && xend(p) == s) {
			ns = p->start;
			got = NULL;
			d->free_t = xt_erase(d->free_t, p->start, &got);
			xn_put(d, p);
		}
	}
	if (ne < r->base + r->len) {
		struct xn *q = xt_ge(d->free_t, ne);

		if (q && q->start == ne) {
			ne = xend(q);
			got = NULL;
			d->free_t = xt_erase(d->free_t, q->start, &got);
			xn_put(d, q);
		}
	}
	n = xn_get(d);
	n->start = ns;
	n->len = ne - ns;
	n->reg = (uint8_t)reg;
	d->free_t = xt_insert(d->free_t, n);
	d->reg[reg].free_bytes += len;
}

/* Is [s, s+len) covered by consecutive ext nodes (accepted ones if acc_only)? */
static bool ext_covered(const struct dcd *d, uint64_t s, uint64_t len, bool acc_only)
{
	uint64_t e = s + len;
	struct xn *p = xt_le(d->ext, s);

	if (!p || xend(p) <= s)
		return false;
	for (;;) {
		uint64_t cur;

		if (acc_only && p->state != DCD_EXT_ACCEPTED)
			return false;
		cur = xend(p);
		if (cur >= e)
			return true;
		p = xt_ge(d->ext, cur);
		if (!p || p->start != cur)
			return false;
	}
}

static bool ext_overlaps_state(const struct dcd *d, uint64_t s, uint64_t len, uint8_t state)
{
	for (struct xn *n = xt_overlap(d->ext, s, len); n && n->start < s + len;
	     n = xt_ge(d->ext, xend(n)))
		if (n->state == state)
			return true;
	return false;
}

/* Remove [s, e) from the rel set, splitting ranges. Needs 1 node. */
static void rel_remove(struct dcd *d, uint64_t s, uint64_t e)
{
	struct xn *n = xt_overlap(d->rel, s, e - s);

	while (n && n->start < e) {
		uint64_t ns = n->start, ne = xend(n);
		struct xn *next = xt_ge(d->rel, ne), *got = NULL;

		d->rel = xt_erase(d->rel, ns, &got);
		if (ne > e) {
			struct xn *q = xn_get(d);

			q->start = e;
			q->len = ne - e;
			q->state = n->state;
			d->rel = xt_insert(d->rel, q);
		}
		if (ns < s) {
			n->len = s - ns;
			d->rel = xt_insert(d->rel, n);
		} else {
			xn_put(d, n);
		}
		n = next;
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
	for (struct xn *n = xt_overlap(d->rel, s, e - s); n && n->start < e;
	     n = xt_ge(d->rel, xend(n))) {
		uint64_t ms = n->start > s ? n->start : s;
		uint64_t me = xend(n) < e ? xend(n) : e;

		if (n->state)
			sanitize(d, ms, me - ms);
	}
}

/*
 * Remove the accepted range [s, e) (it must be covered by accepted extents),
 * splitting extents at the edges, and free it. Needs 2 nodes per extent
 * touched plus 1.
 */
static void accepted_remove(struct dcd *d, uint64_t s, uint64_t e, bool zero)
{
	struct xn *n = xt_overlap(d->ext, s, e - s);

	while (n && n->start < e) {
		uint64_t ns = n->start, ne = xend(n);
		uint64_t ms = ns > s ? ns : s, me = ne < e ? ne : e;
		struct xn *next = xt_ge(d->ext, ne);
		unsigned reg = n->reg;

		assert(n->state == DCD_EXT_ACCEPTED);
		ext_unlink(d, n);
		if (ne > e) {
			struct xn *q = xn_get(d);

			q->start = e;
			q->len = ne - e;
			q->state = DCD_EXT_ACCEPTED;
			q->reg = n->reg;
			q->shared = n->shared;
			q->shared_seq = n->shared_seq;
			memcpy(q->tag, n->tag, DCD_TAG_LEN);
			ext_link(d, q);
		}
		if (ns < s) {
			n->len = s - ns;
			ext_link(d, n);
		} else {
			xn_put(d, n);
		}
		free_give(d, reg, ms, me - ms);
		if (zero || d->reg[reg].sanitize_on_release)
			sanitize(d, ms, me - ms);
		else
			rel_sanitize(d, ms, me);
		n = next;
	}
	rel_remove(d, s, e);
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

		for (i++; i < n && s[i].start == re; i++)
			re = s[i].start + s[i].len;
		for (struct xn *x = xt_overlap(d->ext, rs, re - rs); x && x->start < re;
		     x = xt_ge(d->ext, xend(x))) {
			(*touched)++;
			delta--;
			if (x->start < rs)
				delta++;
			if (xend(x) > re)
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
	d->rng = 0x9e3779b97f4a7c15ull ^ cfg->base ^ cfg->size;
	for (unsigned i = 0; i < d->nreg; i++) {
		struct dcd_region *r = &d->reg[i];
		struct xn *n;

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
		if (pool_reserve(d, 1)) {
			dcd_destroy(d);
			return -ENOMEM;
		}
		n = xn_get(d);
		n->start = r->base;
		n->len = rlen;
		n->reg = (uint8_t)i;
		d->free_t = xt_insert(d->free_t, n);
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
	xt_free_all(d->ext);
	xt_free_all(d->free_t);
	xt_free_all(d->rel);
	while (d->pool) {
		struct xn *n = d->pool;

		d->pool = n->l;
		free(n);
	}
	for (g = d->ghead; g; g = next) {
		next = g->next;
		free(g);
	}
	tag_free_all(d);
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

	if (pool_reserve(d, 2 * n + 2))
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
		struct xn *x;

		free_carve(d, reg, e[i].start, e[i].len);
		x = xn_get(d);
		x->start = e[i].start;
		x->len = e[i].len;
		x->state = DCD_EXT_PENDING;
		x->group = g->id;
		x->reg = (uint8_t)reg;
		x->shared = e[i].shared;
		x->shared_seq = e[i].shared_seq;
		memcpy(x->tag, e[i].tag, DCD_TAG_LEN);
		ext_link(d, x);
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
	struct xn *p;
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
		p = xt_fit(d->free_t, r->base, req->length);
		if (!p || p->start >= rend)
			return fail(why, "no contiguous free range that long",
				    CXL_RC_RESOURCES_EXHAUSTED);
		pieces = 1;
	} else {
		rem = req->length;
		for (p = xt_ge(d->free_t, r->base); rem; p = xt_ge(d->free_t, xend(p))) {
			assert(p && p->start < rend);
			rem -= p->len < rem ? p->len : rem;
			pieces++;
		}
		p = xt_ge(d->free_t, r->base);
	}
	rc = too_many(d, pieces, req->max_out, why);
	if (rc)
		return rc;
	e = calloc(pieces, sizeof(*e));
	if (!e)
		return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
	rem = req->length;
	for (size_t i = 0; i < pieces; i++, p = xt_ge(d->free_t, xend(p))) {
		e[i].start = p->start;
		e[i].len = p->len < rem ? p->len : rem;
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
		return add_select(d, req, out, nout, why);
	case DCD_SEL_PRESCRIPTIVE:
	case DCD_SEL_SHARED:
		return add_prescriptive(d, req, out, nout, why);
	}
	return fail(why, "selection policy not supported", CXL_RC_INVALID_INPUT);
}

/* ---- release ------------------------------------------------------------------------------ */

static uint16_t commit_release(struct dcd *d, const struct dcd_ext *sorted, size_t n,
			       size_t touched, bool forced, bool zero, const char **why)
{
	if (pool_reserve(d, 3 * (n + touched) + 8))
		return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
	for (size_t i = 0; i < n; i++) {
		uint64_t s = sorted[i].start, e = s + sorted[i].len;

		if (forced) {
			accepted_remove(d, s, e, zero);
		} else {
			struct xn *x;

			rel_remove(d, s, e);
			x = xn_get(d);
			x->start = s;
			x->len = e - s;
			x->state = zero ? 1 : 0;
			d->rel = xt_insert(d->rel, x);
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
	struct tag_ent *te;
	struct dcd_ext *o;
	bool pending = false;
	size_t n = 0, i = 0;
	uint16_t rc;

	if (req->region >= d->nreg)
		return fail(why, "region id is too large", CXL_RC_INVALID_INPUT);
	if (tag_zero(req->tag))
		return fail(why, "tag-based release needs a non-zero tag", CXL_RC_INVALID_INPUT);
	te = tag_find(d, req->tag);
	for (struct xn *x = te ? te->head : NULL; x; x = x->tnext) {
		if (x->reg != req->region)
			continue;
		if (x->state == DCD_EXT_PENDING)
			pending = true;
		else
			n++;
	}
	if (pending && !req->forced)
		return fail(why, "cannot release extent with pending DPA range",
			    CXL_RC_INVALID_PHYSICAL_ADDRESS);
	if (!n)
		return fail(why, "no accepted extent of the region carries the tag",
			    CXL_RC_INVALID_INPUT);
	if (req->max_out && n > req->max_out)
		return fail(why, "more extents than the event log can announce",
			    CXL_RC_RESOURCES_EXHAUSTED);
	o = malloc(n * sizeof(*o));
	if (!o)
		return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
	for (struct xn *x = te->head; x; x = x->tnext) {
		if (x->reg != req->region || x->state != DCD_EXT_ACCEPTED)
			continue;
		o[i] = (struct dcd_ext){ .start = x->start, .len = x->len,
					 .shared_seq = x->shared_seq, .shared = x->shared };
		memcpy(o[i].tag, x->tag, DCD_TAG_LEN);
		i++;
	}
	qsort(o, n, sizeof(*o), cmp_ext);
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
		return release_tag(d, req, out, nout, why);
	case DCD_RM_PRESCRIPTIVE:
		return release_prescriptive(d, req, out, nout, why);
	}
	return fail(why, "removal policy not supported", CXL_RC_INVALID_INPUT);
}

/* ---- host responses ------------------------------------------------------------------------- */

static void drop_group(struct dcd *d)
{
	struct dcd_group *g = d->ghead;

	for (size_t i = 0; i < g->n; i++) {
		struct xn *x = xt_le(d->ext, g->ext[i].start);

		assert(x && x->start == g->ext[i].start && x->state == DCD_EXT_PENDING);
		ext_unlink(d, x);
		free_give(d, x->reg, x->start, x->len);
		xn_put(d, x);
	}
	d->ghead = g->next;
	if (!d->ghead)
		d->gtail = NULL;
	d->ngroups--;
	free(g);
}

uint16_t dcd_host_accept(struct dcd *d, const struct dcd_ext *r, size_t n, const char **why)
{
	struct dcd_group *g = d->ghead;
	struct dcd_ext *sorted = NULL;
	uint16_t rc;

	if (!n) {
		if (!g)
			return fail(why, "no pending add to decline", CXL_RC_INVALID_INPUT);
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
		struct xn *x = xt_le(d->ext, sorted[i].start);

		if (!x || x->state != DCD_EXT_PENDING || x->group != g->id ||
		    sorted[i].start + sorted[i].len > xend(x)) {
			free(sorted);
			return fail(why, "range is not part of the oldest pending add",
				    CXL_RC_INVALID_PHYSICAL_ADDRESS);
		}
		/* The accepted extent keeps the offered tag and sharing (QEMU
		 * zeroes the tag; the spec keeps it, tag-based release needs it). */
		memcpy(sorted[i].tag, x->tag, DCD_TAG_LEN);
		sorted[i].shared = x->shared;
		sorted[i].shared_seq = x->shared_seq;
	}
	if (pool_reserve(d, 3 * n + 4)) {
		free(sorted);
		return fail(why, "out of memory", CXL_RC_INTERNAL_ERROR);
	}
	drop_group(d);
	for (size_t i = 0; i < n; i++) {
		unsigned reg = (unsigned)dcd_region_of(d, sorted[i].start, sorted[i].len);
		struct xn *x;

		free_carve(d, reg, sorted[i].start, sorted[i].len);
		x = xn_get(d);
		x->start = sorted[i].start;
		x->len = sorted[i].len;
		x->state = DCD_EXT_ACCEPTED;
		x->reg = (uint8_t)reg;
		x->shared = sorted[i].shared;
		x->shared_seq = sorted[i].shared_seq;
		memcpy(x->tag, sorted[i].tag, DCD_TAG_LEN);
		ext_link(d, x);
	}
	d->generation++;
	free(sorted);
	return CXL_RC_SUCCESS;
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
	return rc;
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
	struct xn *x = xt_select_acc(d->ext, i);

	if (!x)
		return -ENOENT;
	*out = (struct dcd_ext){ .start = x->start, .len = x->len,
				 .shared_seq = x->shared_seq, .shared = x->shared };
	memcpy(out->tag, x->tag, DCD_TAG_LEN);
	return 0;
}

static int walk(const struct dcd *d, const struct xn *x,
		int (*cb)(void *, const struct dcd_ext_info *), void *arg)
{
	while (x) {
		struct dcd_ext_info e;
		int rc = walk(d, x->l, cb, arg);

		if (rc)
			return rc;
		e = (struct dcd_ext_info){
			.ext = { .start = x->start, .len = x->len,
				 .shared_seq = x->shared_seq, .shared = x->shared },
			.state = (enum dcd_ext_state)x->state,
			.releasing = x->state == DCD_EXT_ACCEPTED &&
				     xt_overlap(d->rel, x->start, x->len) != NULL,
			.group = x->group,
			.region = x->reg,
		};
		memcpy(e.ext.tag, x->tag, DCD_TAG_LEN);
		rc = cb(arg, &e);
		if (rc)
			return rc;
		x = x->r;
	}
	return 0;
}

int dcd_foreach(const struct dcd *d, int (*cb)(void *arg, const struct dcd_ext_info *e),
		void *arg)
{
	return walk(d, d->ext, cb, arg);
}
