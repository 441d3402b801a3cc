/* SPDX-License-Identifier: MIT */
/*
 * Ordered set of DPA ranges for the dynamic capacity state (dcd.c): a
 * B+-tree of 512-byte nodes (8 cache lines, 64-byte aligned) keyed by a
 * range's start.
 *
 * A leaf holds its entries as arrays: starts, lengths, then a fixed number
 * of metadata bytes per entry, plus a bit mask of "marked" entries (dcd.c
 * marks accepted extents): 18 entries with 12 bytes of metadata, 31
 * without. An inner node holds up to 18 children with, per child, a
 * separator key and, when the tree asks for them, the number of marked
 * entries and the largest length below it: the k-th marked entry and the
 * first range of at least a length are one descent each. A full leaf first
 * shares with a sibling that has room, so leaves stay ~85 % full. 100k
 * ranges make a tree of depth 5 whose upper levels stay in cache, and each
 * level is fetched as a whole node at once (a balanced binary tree has ~20
 * levels, one miss each, once it outgrows the cache).
 *
 * A cursor keeps its root-to-leaf path (no parent or sibling links), so
 * stepping to the next or previous entry is amortised O(1): an in-order
 * walk touches each node once, and fetches the next leaf while it reads
 * one. Entries can be changed in place through a cursor: length, mark,
 * metadata, and the start as long as the order stays. bpt_insert() and
 * bpt_erase() invalidate every cursor of the tree.
 *
 * Nodes come from a pool shared by several trees. Inserting never fails:
 * the caller reserves bpt_insert_need() nodes first (so a multi-step commit
 * cannot fail half way); erasing returns nodes to the pool, which keeps
 * them until bpt_pool_trim().
 */
#ifndef CXLFM_DEV_BPT_H
#define CXLFM_DEV_BPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BPT_NODE_BYTES 512u
#define BPT_FANOUT 18u   /* children of an inner node: (512 - 8) / (8 + 8 + 4 + 8) */
#define BPT_LEAF_MAX 31u /* entries of a leaf without metadata: (512 - 8) / 16 */
#define BPT_META_MAX 16u /* metadata bytes per entry (leaf: (512 - 8) / (16 + meta)) */
#define BPT_DEPTH_MAX 16u

/* Aggregates an inner node keeps per child (bpt_init flags). */
#define BPT_AUG_COUNT 1u /* marked entries: bpt_nth_marked(), bpt_next_marked() */
#define BPT_AUG_MAX 2u   /* largest length: bpt_fit() */

struct bpt_node {
	uint16_t n;    /* entries (leaf) or children (inner) */
	uint8_t leaf;
	uint8_t rsvd;
	uint32_t mask; /* leaf: bit i set = entry i marked */
	union {
		struct {
			/* key[i], i >= 1: above every key under child i-1, at most
			 * every key under child i (key[0] is not used) */
			uint64_t key[BPT_FANOUT];
			uint64_t max[BPT_FANOUT];  /* BPT_AUG_MAX */
			uint32_t cnt[BPT_FANOUT];  /* BPT_AUG_COUNT */
			struct bpt_node *child[BPT_FANOUT];
		} in;
		/* leaf: key[cap], len[cap], then cap * meta bytes */
		uint64_t raw[(BPT_NODE_BYTES - 8) / 8];
	} u;
};

struct bpt_pool {
	struct bpt_node *head;
	size_t n;
};

struct bpt {
	struct bpt_node *root;
	struct bpt_pool *pool;
	size_t n;          /* entries */
	uint16_t cap;      /* entries per leaf */
	uint16_t lmin;     /* entries of a non-root leaf, at least */
	uint8_t meta;      /* metadata bytes per entry */
	uint8_t aug;       /* BPT_AUG_* */
	uint8_t height;    /* 0: empty, 1: the root is a leaf */
};

/* A position in a tree; depth 0: none (past the end, or not found). */
struct bpt_cur {
	struct bpt *t;
	unsigned depth;
	struct bpt_node *node[BPT_DEPTH_MAX];  /* node[0] root .. node[depth-1] leaf */
	unsigned idx[BPT_DEPTH_MAX];           /* child / entry index in node[i] */
};

void bpt_pool_init(struct bpt_pool *p);
/* Have at least n nodes in the pool: 0 or -ENOMEM. */
int bpt_pool_reserve(struct bpt_pool *p, size_t n);
/* Free pooled nodes beyond keep. */
void bpt_pool_trim(struct bpt_pool *p, size_t keep);
void bpt_pool_destroy(struct bpt_pool *p);

/* meta: 0..BPT_META_MAX bytes per entry; aug: BPT_AUG_* */
void bpt_init(struct bpt *t, struct bpt_pool *p, unsigned meta, unsigned aug);
/* Give every node back to the pool; the tree is empty. */
void bpt_clear(struct bpt *t);

/* Nodes k inserts (into this tree, with any erases between) may take. */
size_t bpt_insert_need(const struct bpt *t, size_t k);
/* Nodes k inserts spread over any trees of at most this height may take. */
size_t bpt_insert_need_h(unsigned height, size_t k);

static inline size_t bpt_count(const struct bpt *t) { return t->n; }
/* Marked entries (BPT_AUG_COUNT trees). */
size_t bpt_marked(const struct bpt *t);

/* Insert (key not present; the pool holds the nodes). Invalidates cursors. */
void bpt_insert(struct bpt *t, uint64_t key, uint64_t len, bool mark, const void *meta);
/* Remove the entry at c. Invalidates every cursor (c too). */
void bpt_erase(struct bpt_cur *c);

/*
 * Bring the root-to-leaf paths of key[i] in tree t[i] (i < n <= BPT_WARM_MAX)
 * into the cache, one level of every path at a time, so that their misses
 * overlap instead of adding up; the searches that follow find them there.
 */
#define BPT_WARM_MAX 16u
void bpt_warm(const struct bpt *const *t, const uint64_t *key, unsigned n);

/* Positioning; each returns whether the cursor is on an entry. */
bool bpt_first(const struct bpt *t, struct bpt_cur *c);
bool bpt_le(const struct bpt *t, uint64_t key, struct bpt_cur *c); /* greatest key <= */
bool bpt_ge(const struct bpt *t, uint64_t key, struct bpt_cur *c); /* smallest key >= */
/* First entry overlapping [s, s+len), entries being disjoint ranges. */
bool bpt_overlap(const struct bpt *t, uint64_t s, uint64_t len, struct bpt_cur *c);
bool bpt_nth_marked(const struct bpt *t, size_t k, struct bpt_cur *c); /* 0-based */
/* Leftmost entry with key >= lo and len >= minlen (BPT_AUG_MAX trees). */
bool bpt_fit(const struct bpt *t, uint64_t lo, uint64_t minlen, struct bpt_cur *c);
bool bpt_next(struct bpt_cur *c);
bool bpt_prev(struct bpt_cur *c);
bool bpt_next_marked(struct bpt_cur *c);

/* In-place changes at c; key must stay between its neighbours' keys. */
void bpt_set(struct bpt_cur *c, uint64_t key, uint64_t len);
void bpt_set_mark(struct bpt_cur *c, bool mark);

static inline struct bpt_node *bpt_leaf_(const struct bpt_cur *c)
{
	return c->node[c->depth - 1];
}

static inline unsigned bpt_pos_(const struct bpt_cur *c)
{
	return c->idx[c->depth - 1];
}

static inline uint64_t bpt_key(const struct bpt_cur *c)
{
	return bpt_leaf_(c)->u.raw[bpt_pos_(c)];
}

static inline uint64_t bpt_len(const struct bpt_cur *c)
{
	return bpt_leaf_(c)->u.raw[c->t->cap + bpt_pos_(c)];
}

static inline uint64_t bpt_end(const struct bpt_cur *c)
{
	return bpt_key(c) + bpt_len(c);
}

static inline bool bpt_mark(const struct bpt_cur *c)
{
	return bpt_leaf_(c)->mask >> bpt_pos_(c) & 1u;
}

/* The entry's metadata; writable in place, valid until the tree changes. */
static inline void *bpt_meta(const struct bpt_cur *c)
{
	return (unsigned char *)(bpt_leaf_(c)->u.raw + 2u * c->t->cap) +
	       (size_t)bpt_pos_(c) * c->t->meta;
}

/* Check every invariant; NULL when the tree is sound, else what is wrong. */
const char *bpt_check(const struct bpt *t);

#endif
