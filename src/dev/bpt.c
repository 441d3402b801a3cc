/* SPDX-License-Identifier: MIT */
/*
 * B+-tree of DPA ranges (bpt.h). Separators are lower bounds: child i of an
 * inner node holds keys in [key[i], key[i+1]), which need not be the exact
 * smallest key below it, so erasing or raising a leaf's first key never
 * touches the parents. Non-root nodes hold at least a third of their
 * capacity; an underflowing node merges with a sibling or takes entries
 * from it.
 */
#include "dev/bpt.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static_assert(sizeof(struct bpt_node) == BPT_NODE_BYTES, "a node is 512 bytes");
static_assert(BPT_LEAF_MAX < 32, "the mark mask has a bit per leaf entry");

#define IMIN (BPT_FANOUT / 3u) /* children of a non-root inner node, at least */

/* ---- pool ------------------------------------------------------------------ */

static struct bpt_node *node_alloc(void)
{
	return aligned_alloc(64, sizeof(struct bpt_node));
}

void bpt_pool_init(struct bpt_pool *p)
{
	p->head = NULL;
	p->n = 0;
}

int bpt_pool_reserve(struct bpt_pool *p, size_t n)
{
	while (p->n < n) {
		struct bpt_node *x = node_alloc();

		if (!x)
			return -ENOMEM;
		x->u.in.child[0] = p->head;
		p->head = x;
		p->n++;
	}
	return 0;
}

void bpt_pool_trim(struct bpt_pool *p, size_t keep)
{
	while (p->n > keep) {
		struct bpt_node *x = p->head;

		p->head = x->u.in.child[0];
		p->n--;
		free(x);
	}
}

void bpt_pool_destroy(struct bpt_pool *p)
{
	bpt_pool_trim(p, 0);
}

static struct bpt_node *node_get(struct bpt *t, bool leaf)
{
	struct bpt_pool *p = t->pool;
	struct bpt_node *x = p->head;

	/* Callers reserve bpt_insert_need() nodes; running dry is a bug. A
	 * release build still carries on if memory allows. */
	assert(x);
	if (x) {
		p->head = x->u.in.child[0];
		p->n--;
	} else {
		x = node_alloc();
		if (!x)
			abort();
	}
	x->n = 0;
	x->leaf = leaf;
	x->rsvd = 0;
	x->mask = 0;
	return x;
}

/* Freed nodes stay in the pool until bpt_pool_trim(): an erase may give back
 * the node a later insert of the same commit takes. */
static void node_put(struct bpt *t, struct bpt_node *x)
{
	x->u.in.child[0] = t->pool->head;
	t->pool->head = x;
	t->pool->n++;
}

/* ---- tree ------------------------------------------------------------------ */

void bpt_init(struct bpt *t, struct bpt_pool *p, unsigned meta, unsigned aug)
{
	unsigned cap;

	assert(meta <= BPT_META_MAX);
	cap = (BPT_NODE_BYTES - 8u) / (16u + meta);
	if (cap > BPT_LEAF_MAX)
		cap = BPT_LEAF_MAX;
	*t = (struct bpt){ .pool = p, .cap = (uint16_t)cap, .lmin = (uint16_t)(cap / 3u),
			   .meta = (uint8_t)meta, .aug = (uint8_t)aug };
}

static void clear_node(struct bpt *t, struct bpt_node *x)
{
	if (!x->leaf)
		for (unsigned i = 0; i < x->n; i++)
			clear_node(t, x->u.in.child[i]);
	node_put(t, x);
}

void bpt_clear(struct bpt *t)
{
	if (t->root)
		clear_node(t, t->root);
	t->root = NULL;
	t->n = 0;
	t->height = 0;
}

/*
 * Node bound for k inserts into one tree of height h. Level by level: a
 * node splits when it holds cap + 1 entries (F + 1 children) and leaves two
 * of at least fl = (cap + 1) / 2; with the potential "entries above fl,
 * summed over the level's nodes" (at most cap - fl per node at the start,
 * +1 per entry arriving, -fl per split), splits <= (nodes * (cap - fl) +
 * arrivals) / fl, and never more than the arrivals. Each split of a level
 * is an arrival at the level above; the splits of the top level add a new
 * root each. An erase that merges two nodes raises the potential by less
 * than fl but gives a node back to the pool, so erases in between are
 * covered.
 */
static size_t need_levels(unsigned h, unsigned cap, size_t k)
{
	size_t total = 0, s = k;

	if (k <= 1) /* one insert splits at most every level and adds a root */
		return k ? h + 1u : 0;
	if (!h)
		return 1 + need_levels(1, cap, k - 1);
	for (unsigned l = 0; s; l++) {
		size_t c = l ? BPT_FANOUT : cap, fl = (c + 1) / 2, sl;

		if (l < h) {
			size_t nodes = 1; /* at most F^(h-1-l); beyond s * fl it does not matter */

			for (unsigned j = l + 1; j < h && nodes <= s * fl; j++)
				nodes *= BPT_FANOUT;
			sl = (nodes * (c - fl) + s) / fl;
			if (sl > s)
				sl = s;
		} else {
			sl = (s - 1) / fl; /* a new root starts with 2 children, no slack */
		}
		total += sl;
		if (l + 1 >= h && sl)
			total++;
		s = sl;
	}
	return total;
}

size_t bpt_insert_need(const struct bpt *t, size_t k)
{
	return need_levels(t->height, t->cap, k);
}

size_t bpt_insert_need_h(unsigned height, size_t k)
{
	/* Each insert splits at most every level and adds a root; k inserts
	 * into one tree raise its height by at most 1 + log_9(k). */
	unsigned g = 1;

	for (size_t m = (BPT_FANOUT + 1) / 2; m <= k; m *= (BPT_FANOUT + 1) / 2)
		g++;
	return k * (height + g + 1);
}

static inline uint64_t *lkey(struct bpt_node *x)
{
	return x->u.raw;
}

static inline uint64_t *llen(const struct bpt *t, struct bpt_node *x)
{
	return x->u.raw + t->cap;
}

static inline unsigned char *lmeta(const struct bpt *t, struct bpt_node *x)
{
	return (unsigned char *)(x->u.raw + 2u * t->cap);
}

static inline uint32_t low_bits(unsigned n)
{
	return n >= 32 ? UINT32_MAX : (1u << n) - 1u;
}

/*
 * Entries of the sorted a[0..n) below x. A counting scan: n is at most 31,
 * and a binary search's branches (compilers do not always make them
 * conditional moves) mispredict about every other step.
 */
static unsigned rank_lt(const uint64_t *a, unsigned n, uint64_t x)
{
	unsigned c = 0;

	for (unsigned i = 0; i < n; i++)
		c += a[i] < x;
	return c;
}

/* Entries of the sorted a[0..n) at most x. */
static unsigned rank_le(const uint64_t *a, unsigned n, uint64_t x)
{
	unsigned c = 0;

	for (unsigned i = 0; i < n; i++)
		c += a[i] <= x;
	return c;
}

/* The child of inner node x whose key range holds k. */
static inline unsigned pick(const struct bpt_node *x, uint64_t k)
{
	return rank_le(x->u.in.key + 1, x->n - 1u, k);
}

static void node_agg(const struct bpt *t, struct bpt_node *x, uint32_t *cnt, uint64_t *max)
{
	uint32_t c = 0;
	uint64_t m = 0;

	if (x->leaf) {
		const uint64_t *len = llen(t, x);

		if (t->aug & BPT_AUG_COUNT)
			c = (uint32_t)__builtin_popcount(x->mask);
		if (t->aug & BPT_AUG_MAX)
			for (unsigned i = 0; i < x->n; i++)
				m = len[i] > m ? len[i] : m;
	} else {
		if (t->aug & BPT_AUG_COUNT)
			for (unsigned i = 0; i < x->n; i++)
				c += x->u.in.cnt[i];
		if (t->aug & BPT_AUG_MAX)
			for (unsigned i = 0; i < x->n; i++)
				m = x->u.in.max[i] > m ? x->u.in.max[i] : m;
	}
	*cnt = c;
	*max = m;
}

static void set_agg(const struct bpt *t, struct bpt_node *p, unsigned i)
{
	if (t->aug)
		node_agg(t, p->u.in.child[i], &p->u.in.cnt[i], &p->u.in.max[i]);
}

/* Recompute the aggregates above node[l] of a path, up to where they hold. */
static void fix_up(const struct bpt *t, struct bpt_node *const *node, const unsigned *idx,
		   unsigned l)
{
	if (!t->aug)
		return;
	for (; l > 0; l--) {
		struct bpt_node *p = node[l - 1];
		unsigned i = idx[l - 1];
		uint32_t c;
		uint64_t m;

		node_agg(t, node[l], &c, &m);
		if (p->u.in.cnt[i] == c && p->u.in.max[i] == m)
			return;
		p->u.in.cnt[i] = c;
		p->u.in.max[i] = m;
	}
}

size_t bpt_marked(const struct bpt *t)
{
	size_t c = 0;

	if (!t->root)
		return 0;
	if (t->root->leaf)
		return (size_t)__builtin_popcount(t->root->mask);
	for (unsigned i = 0; i < t->root->n; i++)
		c += t->root->u.in.cnt[i];
	return c;
}

/* ---- moving entries and children ------------------------------------------- */

/* Make room for k entries at pos. */
static void leaf_open(const struct bpt *t, struct bpt_node *x, unsigned pos, unsigned k)
{
	unsigned n = x->n, mb = t->meta;
	uint64_t *key = lkey(x), *len = llen(t, x);
	uint32_t low = low_bits(pos);

	memmove(key + pos + k, key + pos, (n - pos) * sizeof(*key));
	memmove(len + pos + k, len + pos, (n - pos) * sizeof(*len));
	if (mb) {
		unsigned char *m = lmeta(t, x);

		memmove(m + (size_t)(pos + k) * mb, m + (size_t)pos * mb, (size_t)(n - pos) * mb);
	}
	x->mask = (x->mask & low) | ((x->mask & ~low) << k);
	x->n = (uint16_t)(n + k);
}

/* Remove the k entries at pos. */
static void leaf_close(const struct bpt *t, struct bpt_node *x, unsigned pos, unsigned k)
{
	unsigned n = x->n, mb = t->meta;
	uint64_t *key = lkey(x), *len = llen(t, x);
	uint32_t low = low_bits(pos);

	memmove(key + pos, key + pos + k, (n - pos - k) * sizeof(*key));
	memmove(len + pos, len + pos + k, (n - pos - k) * sizeof(*len));
	if (mb) {
		unsigned char *m = lmeta(t, x);

		memmove(m + (size_t)pos * mb, m + (size_t)(pos + k) * mb,
			(size_t)(n - pos - k) * mb);
	}
	x->mask = ((x->mask & low) | ((x->mask >> k) & ~low)) & low_bits(n - k);
	x->n = (uint16_t)(n - k);
}

/* Copy k entries src[si..] over dst[di..] (dst's count unchanged). */
static void leaf_copy(const struct bpt *t, struct bpt_node *dst, unsigned di,
		      struct bpt_node *src, unsigned si, unsigned k)
{
	uint32_t bits = (src->mask >> si) & low_bits(k);

	memcpy(lkey(dst) + di, lkey(src) + si, k * sizeof(uint64_t));
	memcpy(llen(t, dst) + di, llen(t, src) + si, k * sizeof(uint64_t));
	if (t->meta)
		memcpy(lmeta(t, dst) + (size_t)di * t->meta, lmeta(t, src) + (size_t)si * t->meta,
		       (size_t)k * t->meta);
	dst->mask = (dst->mask & ~(low_bits(k) << di)) | bits << di;
}

static void leaf_put(const struct bpt *t, struct bpt_node *x, unsigned pos, uint64_t key,
		     uint64_t len, bool mark, const void *meta)
{
	leaf_open(t, x, pos, 1);
	lkey(x)[pos] = key;
	llen(t, x)[pos] = len;
	if (t->meta) {
		if (meta)
			memcpy(lmeta(t, x) + (size_t)pos * t->meta, meta, t->meta);
		else
			memset(lmeta(t, x) + (size_t)pos * t->meta, 0, t->meta);
	}
	if (mark)
		x->mask |= 1u << pos;
}

static void in_open(struct bpt_node *x, unsigned pos, unsigned k)
{
	unsigned n = x->n;

	memmove(x->u.in.key + pos + k, x->u.in.key + pos, (n - pos) * sizeof(uint64_t));
	memmove(x->u.in.max + pos + k, x->u.in.max + pos, (n - pos) * sizeof(uint64_t));
	memmove(x->u.in.cnt + pos + k, x->u.in.cnt + pos, (n - pos) * sizeof(uint32_t));
	memmove(x->u.in.child + pos + k, x->u.in.child + pos, (n - pos) * sizeof(x->u.in.child[0]));
	x->n = (uint16_t)(n + k);
}

static void in_close(struct bpt_node *x, unsigned pos, unsigned k)
{
	unsigned n = x->n;

	memmove(x->u.in.key + pos, x->u.in.key + pos + k, (n - pos - k) * sizeof(uint64_t));
	memmove(x->u.in.max + pos, x->u.in.max + pos + k, (n - pos - k) * sizeof(uint64_t));
	memmove(x->u.in.cnt + pos, x->u.in.cnt + pos + k, (n - pos - k) * sizeof(uint32_t));
	memmove(x->u.in.child + pos, x->u.in.child + pos + k,
		(n - pos - k) * sizeof(x->u.in.child[0]));
	x->n = (uint16_t)(n - k);
}

static void in_copy(struct bpt_node *dst, unsigned di, const struct bpt_node *src, unsigned si,
		    unsigned k)
{
	memcpy(dst->u.in.key + di, src->u.in.key + si, k * sizeof(uint64_t));
	memcpy(dst->u.in.max + di, src->u.in.max + si, k * sizeof(uint64_t));
	memcpy(dst->u.in.cnt + di, src->u.in.cnt + si, k * sizeof(uint32_t));
	memcpy(dst->u.in.child + di, src->u.in.child + si, k * sizeof(dst->u.in.child[0]));
}

/* ---- cursors --------------------------------------------------------------- */

/*
 * Fetch all 8 lines of a node at once before searching it: a binary search
 * over keys in 3 lines and then a child pointer in another would otherwise
 * miss up to 4 times in a row per level once the tree outgrows the cache.
 */
static inline void prefetch_node(const struct bpt_node *x)
{
	const char *p = (const char *)x;

	for (unsigned i = 0; i < BPT_NODE_BYTES; i += 64)
		__builtin_prefetch(p + i);
}

/*
 * A walk that just entered leaf node[l]: fetch the two leaves after it
 * (under the same parent) meanwhile; reading a leaf's entries takes about
 * as long as one miss.
 */
static inline void prefetch_next_leaf(const struct bpt_cur *c, unsigned l)
{
	if (l) {
		const struct bpt_node *p = c->node[l - 1];

		for (unsigned i = c->idx[l - 1] + 1u; i < p->n && i <= c->idx[l - 1] + 2u; i++)
			prefetch_node(p->u.in.child[i]);
	}
}

/* Put c on the first entry under x (at level l). */
static void down_first(struct bpt_cur *c, unsigned l, struct bpt_node *x)
{
	for (;; l++) {
		c->node[l] = x;
		c->idx[l] = 0;
		if (x->leaf)
			break;
		x = x->u.in.child[0];
	}
	c->depth = l + 1;
	prefetch_next_leaf(c, l);
}

static void down_last(struct bpt_cur *c, unsigned l, struct bpt_node *x)
{
	for (;; l++) {
		c->node[l] = x;
		c->idx[l] = x->n - 1u;
		if (x->leaf)
			break;
		x = x->u.in.child[x->n - 1u];
	}
	c->depth = l + 1;
}

/* Put c on the first marked entry under x (which has one). */
static void down_first_marked(struct bpt_cur *c, unsigned l, struct bpt_node *x)
{
	for (;; l++) {
		unsigned j = 0;

		c->node[l] = x;
		if (x->leaf) {
			c->idx[l] = (unsigned)__builtin_ctz(x->mask);
			break;
		}
		while (!x->u.in.cnt[j])
			j++;
		c->idx[l] = j;
		x = x->u.in.child[j];
	}
	c->depth = l + 1;
	prefetch_next_leaf(c, l);
}

/* Path to the leaf whose key range holds k. */
static struct bpt_node *descend(const struct bpt *t, uint64_t k, struct bpt_cur *c)
{
	struct bpt_node *x = t->root;
	unsigned d = 0;

	for (; !x->leaf; d++) {
		unsigned i = pick(x, k);

		c->node[d] = x;
		c->idx[d] = i;
		x = x->u.in.child[i];
		prefetch_node(x);
	}
	c->node[d] = x;
	c->depth = d + 1;
	return x;
}

static void cur_init(const struct bpt *t, struct bpt_cur *c)
{
	/* Cursors of a const tree are for reading; writing through them is
	 * the caller's business. */
	c->t = (struct bpt *)t;
	c->depth = 0;
}

void bpt_warm(const struct bpt *const *t, const uint64_t *key, unsigned n)
{
	const struct bpt_node *x[BPT_WARM_MAX];
	bool more = true;

	assert(n <= BPT_WARM_MAX);
	for (unsigned i = 0; i < n; i++) {
		x[i] = t[i]->root;
		if (x[i])
			prefetch_node(x[i]);
	}
	while (more) {
		more = false;
		for (unsigned i = 0; i < n; i++) {
			if (!x[i] || x[i]->leaf)
				continue;
			x[i] = x[i]->u.in.child[pick(x[i], key[i])];
			prefetch_node(x[i]);
			more = true;
		}
	}
}

bool bpt_first(const struct bpt *t, struct bpt_cur *c)
{
	cur_init(t, c);
	if (!t->root)
		return false;
	down_first(c, 0, t->root);
	return true;
}

bool bpt_le(const struct bpt *t, uint64_t key, struct bpt_cur *c)
{
	struct bpt_node *x;
	unsigned i;

	cur_init(t, c);
	if (!t->root)
		return false;
	x = descend(t, key, c);
	i = rank_le(lkey(x), x->n, key);
	if (i) {
		c->idx[c->depth - 1] = i - 1;
		return true;
	}
	c->idx[c->depth - 1] = 0;
	return bpt_prev(c);
}

bool bpt_ge(const struct bpt *t, uint64_t key, struct bpt_cur *c)
{
	struct bpt_node *x;
	unsigned i;

	cur_init(t, c);
	if (!t->root)
		return false;
	x = descend(t, key, c);
	i = rank_lt(lkey(x), x->n, key);
	if (i < x->n) {
		c->idx[c->depth - 1] = i;
		return true;
	}
	c->idx[c->depth - 1] = x->n - 1u;
	return bpt_next(c);
}

bool bpt_overlap(const struct bpt *t, uint64_t s, uint64_t len, struct bpt_cur *c)
{
	if (bpt_le(t, s, c)) {
		if (bpt_end(c) > s)
			return true;
		if (!bpt_next(c))
			return false;
	} else if (!bpt_ge(t, s, c)) {
		return false;
	}
	if (bpt_key(c) < s + len)
		return true;
	c->depth = 0;
	return false;
}

bool bpt_next(struct bpt_cur *c)
{
	unsigned d = c->depth;

	if (!d)
		return false;
	if (c->idx[d - 1] + 1u < c->node[d - 1]->n) {
		c->idx[d - 1]++;
		return true;
	}
	for (unsigned l = d - 1; l-- > 0;) {
		if (c->idx[l] + 1u < c->node[l]->n) {
			c->idx[l]++;
			down_first(c, l + 1, c->node[l]->u.in.child[c->idx[l]]);
			return true;
		}
	}
	c->depth = 0;
	return false;
}

bool bpt_prev(struct bpt_cur *c)
{
	unsigned d = c->depth;

	if (!d)
		return false;
	if (c->idx[d - 1] > 0) {
		c->idx[d - 1]--;
		return true;
	}
	for (unsigned l = d - 1; l-- > 0;) {
		if (c->idx[l] > 0) {
			c->idx[l]--;
			down_last(c, l + 1, c->node[l]->u.in.child[c->idx[l]]);
			return true;
		}
	}
	c->depth = 0;
	return false;
}

bool bpt_next_marked(struct bpt_cur *c)
{
	unsigned d = c->depth;
	uint32_t m;

	if (!d)
		return false;
	assert(c->t->aug & BPT_AUG_COUNT);
	m = c->node[d - 1]->mask & ~low_bits(c->idx[d - 1] + 1u);
	if (m) {
		c->idx[d - 1] = (unsigned)__builtin_ctz(m);
		return true;
	}
	for (unsigned l = d - 1; l-- > 0;) {
		struct bpt_node *p = c->node[l];

		for (unsigned j = c->idx[l] + 1u; j < p->n; j++) {
			if (p->u.in.cnt[j]) {
				c->idx[l] = j;
				down_first_marked(c, l + 1, p->u.in.child[j]);
				return true;
			}
		}
	}
	c->depth = 0;
	return false;
}

bool bpt_nth_marked(const struct bpt *t, size_t k, struct bpt_cur *c)
{
	struct bpt_node *x = t->root;
	unsigned l = 0;
	uint32_t m;

	cur_init(t, c);
	assert(t->aug & BPT_AUG_COUNT);
	if (k >= bpt_marked(t))
		return false;
	for (; !x->leaf; l++) {
		unsigned j = 0;

		while (k >= x->u.in.cnt[j])
			k -= x->u.in.cnt[j++];
		c->node[l] = x;
		c->idx[l] = j;
		x = x->u.in.child[j];
		prefetch_node(x);
	}
	for (m = x->mask; k; k--)
		m &= m - 1;
	c->node[l] = x;
	c->idx[l] = (unsigned)__builtin_ctz(m);
	c->depth = l + 1;
	prefetch_next_leaf(c, l);
	return true;
}

/* bounded: keys below lo may be under x (only along the path of lo). */
static bool fit_in(struct bpt_cur *c, unsigned l, struct bpt_node *x, uint64_t lo,
		   uint64_t minlen, bool bounded)
{
	unsigned s;

	c->node[l] = x;
	if (x->leaf) {
		const uint64_t *len = llen(c->t, x);

		for (unsigned i = bounded ? rank_lt(lkey(x), x->n, lo) : 0; i < x->n; i++) {
			if (len[i] >= minlen) {
				c->idx[l] = i;
				c->depth = l + 1;
				return true;
			}
		}
		return false;
	}
	s = bounded ? pick(x, lo) : 0;
	for (unsigned i = s; i < x->n; i++) {
		if (x->u.in.max[i] < minlen)
			continue;
		c->idx[l] = i;
		if (fit_in(c, l + 1, x->u.in.child[i], lo, minlen, bounded && i == s))
			return true;
	}
	return false;
}

bool bpt_fit(const struct bpt *t, uint64_t lo, uint64_t minlen, struct bpt_cur *c)
{
	cur_init(t, c);
	assert(t->aug & BPT_AUG_MAX);
	if (!t->root || !fit_in(c, 0, t->root, lo, minlen, true)) {
		c->depth = 0;
		return false;
	}
	return true;
}

/* ---- changes --------------------------------------------------------------- */

void bpt_set(struct bpt_cur *c, uint64_t key, uint64_t len)
{
	struct bpt *t = c->t;
	unsigned d = c->depth, i = c->idx[d - 1];
	struct bpt_node *x = c->node[d - 1];
	uint64_t old = lkey(x)[i];

	lkey(x)[i] = key;
	llen(t, x)[i] = len;
	if (key < old && i == 0) {
		/* The separator before this leaf must stay at most its first key. */
		for (unsigned l = d - 1; l-- > 0;) {
			if (c->idx[l] > 0) {
				uint64_t *s = &c->node[l]->u.in.key[c->idx[l]];

				if (*s > key)
					*s = key;
				break;
			}
		}
	} else if (key > old && i + 1u == x->n) {
		/* The separator after this leaf must stay above its last key (the
		 * next entry's key is above key, so key + 1 is still at most it). */
		for (unsigned l = d - 1; l-- > 0;) {
			if (c->idx[l] + 1u < c->node[l]->n) {
				uint64_t *s = &c->node[l]->u.in.key[c->idx[l] + 1u];

				if (*s <= key)
					*s = key + 1;
				break;
			}
		}
	}
	if (t->aug & BPT_AUG_MAX)
		fix_up(t, c->node, c->idx, d - 1);
}

void bpt_set_mark(struct bpt_cur *c, bool mark)
{
	struct bpt *t = c->t;
	unsigned d = c->depth, i = c->idx[d - 1];
	struct bpt_node *x = c->node[d - 1];

	if ((bool)(x->mask >> i & 1u) == mark)
		return;
	x->mask ^= 1u << i;
	if (t->aug & BPT_AUG_COUNT)
		for (unsigned l = d - 1; l-- > 0;) {
			if (mark)
				c->node[l]->u.in.cnt[c->idx[l]]++;
			else
				c->node[l]->u.in.cnt[c->idx[l]]--;
		}
}

/* Split the full leaf x, putting the new entry at pos; returns the right half. */
static struct bpt_node *leaf_split(struct bpt *t, struct bpt_node *x, unsigned pos,
				   uint64_t key, uint64_t len, bool mark, const void *meta)
{
	struct bpt_node *y = node_get(t, true);
	unsigned cap = t->cap, left = (cap + 2u) / 2u; /* of the cap + 1 entries */

	if (pos < left) {
		leaf_copy(t, y, 0, x, left - 1u, cap - left + 1u);
		y->n = (uint16_t)(cap - left + 1u);
		leaf_close(t, x, left - 1u, cap - left + 1u);
		leaf_put(t, x, pos, key, len, mark, meta);
	} else {
		leaf_copy(t, y, 0, x, left, cap - left);
		y->n = (uint16_t)(cap - left);
		leaf_close(t, x, left, cap - left);
		leaf_put(t, y, pos - left, key, len, mark, meta);
	}
	return y;
}

/* Split the full inner node x, putting child (sep, ch) at pos; returns the
 * right half, whose key[0] is the separator to put in the parent. */
static struct bpt_node *in_split(struct bpt *t, struct bpt_node *x, unsigned pos, uint64_t sep,
				 struct bpt_node *ch)
{
	struct bpt_node *y = node_get(t, false), *dst = x;
	unsigned f = BPT_FANOUT, left = (f + 2u) / 2u, at = pos;

	if (pos < left) {
		in_copy(y, 0, x, left - 1u, f - left + 1u);
		y->n = (uint16_t)(f - left + 1u);
		x->n = (uint16_t)(left - 1u);
	} else {
		in_copy(y, 0, x, left, f - left);
		y->n = (uint16_t)(f - left);
		x->n = (uint16_t)left;
		dst = y;
		at = pos - left;
	}
	in_open(dst, at, 1);
	dst->u.in.key[at] = sep;
	dst->u.in.child[at] = ch;
	set_agg(t, dst, at);
	return y;
}

/*
 * The full leaf x = child i of p gets an entry at pos: rather than split, even
 * x out with a sibling that has room (keeps leaves fuller: ~85 % instead of
 * ~70 % under random inserts, so a large tree stays smaller in the cache).
 */
static bool leaf_share(struct bpt *t, struct bpt_node *p, unsigned i, struct bpt_node *x,
		       unsigned pos, uint64_t key, uint64_t len, bool mark, const void *meta)
{
	unsigned cap = t->cap, m, mv;
	struct bpt_node *a;

	if (i > 0 && (a = p->u.in.child[i - 1u])->n < cap) {
		/* the first m of the cap + 1 entries go to the left sibling */
		m = (a->n + cap + 1u) / 2u - a->n;
		if (pos < m) {
			leaf_copy(t, a, a->n, x, 0, pos);
			a->n = (uint16_t)(a->n + pos);
			leaf_put(t, a, a->n, key, len, mark, meta);
			leaf_copy(t, a, a->n, x, pos, m - 1u - pos);
			a->n = (uint16_t)(a->n + m - 1u - pos);
			leaf_close(t, x, 0, m - 1u);
		} else {
			leaf_copy(t, a, a->n, x, 0, m);
			a->n = (uint16_t)(a->n + m);
			leaf_close(t, x, 0, m);
			leaf_put(t, x, pos - m, key, len, mark, meta);
		}
		p->u.in.key[i] = lkey(x)[0];
		set_agg(t, p, i - 1u);
		set_agg(t, p, i);
		return true;
	}
	if (i + 1u < p->n && (a = p->u.in.child[i + 1u])->n < cap) {
		/* the last m of the cap + 1 entries go to the right sibling */
		m = (a->n + cap + 1u) / 2u - a->n;
		mv = pos >= cap + 1u - m ? m - 1u : m; /* of x's own */
		leaf_open(t, a, 0, mv);
		leaf_copy(t, a, 0, x, cap - mv, mv);
		leaf_close(t, x, cap - mv, mv);
		if (mv < m)
			leaf_put(t, a, pos - (cap + 1u - m), key, len, mark, meta);
		else
			leaf_put(t, x, pos, key, len, mark, meta);
		p->u.in.key[i + 1u] = lkey(a)[0];
		set_agg(t, p, i);
		set_agg(t, p, i + 1u);
		return true;
	}
	return false;
}

void bpt_insert(struct bpt *t, uint64_t key, uint64_t len, bool mark, const void *meta)
{
	struct bpt_cur c;
	struct bpt_node *x, *nx, *r;
	unsigned pos, l;
	uint64_t sep;

	t->n++;
	if (!t->root) {
		x = node_get(t, true);
		leaf_put(t, x, 0, key, len, mark, meta);
		t->root = x;
		t->height = 1;
		return;
	}
	x = descend(t, key, &c);
	pos = rank_lt(lkey(x), x->n, key);
	assert(pos == x->n || lkey(x)[pos] != key);
	l = c.depth - 1;
	if (x->n < t->cap) {
		leaf_put(t, x, pos, key, len, mark, meta);
	} else if (l && leaf_share(t, c.node[l - 1], c.idx[l - 1], x, pos, key, len, mark, meta)) {
		l--; /* the parent's aggregates are set; the levels above gain the entry */
	} else {
		nx = leaf_split(t, x, pos, key, len, mark, meta);
		sep = lkey(nx)[0];
		for (;;) {
			struct bpt_node *p;
			unsigned i;

			if (!l) { /* x is the root: a new one above */
				r = node_get(t, false);
				r->n = 2;
				r->u.in.key[0] = 0;
				r->u.in.key[1] = sep;
				r->u.in.child[0] = x;
				r->u.in.child[1] = nx;
				set_agg(t, r, 0);
				set_agg(t, r, 1);
				t->root = r;
				t->height++;
				return;
			}
			p = c.node[l - 1];
			i = c.idx[l - 1];
			l--;
			if (p->n < BPT_FANOUT) {
				in_open(p, i + 1u, 1);
				p->u.in.key[i + 1u] = sep;
				p->u.in.child[i + 1u] = nx;
				set_agg(t, p, i);
				set_agg(t, p, i + 1u);
				break;
			}
			set_agg(t, p, i); /* before the split moves it */
			r = in_split(t, p, i + 1u, sep, nx);
			sep = r->u.in.key[0];
			x = p;
			nx = r;
		}
	}
	/* Levels above l gained the entry. */
	while (l-- > 0) {
		struct bpt_node *p = c.node[l];
		unsigned i = c.idx[l];

		if (mark && (t->aug & BPT_AUG_COUNT))
			p->u.in.cnt[i]++;
		if ((t->aug & BPT_AUG_MAX) && len > p->u.in.max[i])
			p->u.in.max[i] = len;
	}
}

/* Child i of inner node p is short: merge it with a sibling or even them out. */
static void rebalance(struct bpt *t, struct bpt_node *p, unsigned i)
{
	unsigned li = i + 1u < p->n ? i : i - 1u, k;
	struct bpt_node *a = p->u.in.child[li], *b = p->u.in.child[li + 1u];
	unsigned cap = a->leaf ? t->cap : BPT_FANOUT, tot = a->n + b->n, want;

	if (tot <= cap) {
		if (a->leaf) {
			leaf_copy(t, a, a->n, b, 0, b->n);
		} else {
			b->u.in.key[0] = p->u.in.key[li + 1u];
			in_copy(a, a->n, b, 0, b->n);
		}
		a->n = (uint16_t)tot;
		in_close(p, li + 1u, 1);
		node_put(t, b);
		set_agg(t, p, li);
		return;
	}
	want = tot / 2u;
	if (a->n < want) { /* b's first entries to a's end */
		k = want - a->n;
		if (a->leaf) {
			leaf_copy(t, a, a->n, b, 0, k);
			a->n = (uint16_t)want;
			leaf_close(t, b, 0, k);
			p->u.in.key[li + 1u] = lkey(b)[0];
		} else {
			b->u.in.key[0] = p->u.in.key[li + 1u];
			in_copy(a, a->n, b, 0, k);
			a->n = (uint16_t)want;
			p->u.in.key[li + 1u] = b->u.in.key[k];
			in_close(b, 0, k);
		}
	} else { /* a's last entries to b's front */
		k = a->n - want;
		if (a->leaf) {
			leaf_open(t, b, 0, k);
			leaf_copy(t, b, 0, a, want, k);
			leaf_close(t, a, want, k);
			p->u.in.key[li + 1u] = lkey(b)[0];
		} else {
			b->u.in.key[0] = p->u.in.key[li + 1u];
			in_open(b, 0, k);
			in_copy(b, 0, a, want, k);
			a->n = (uint16_t)want;
			p->u.in.key[li + 1u] = b->u.in.key[0];
		}
	}
	set_agg(t, p, li);
	set_agg(t, p, li + 1u);
}

void bpt_erase(struct bpt_cur *c)
{
	struct bpt *t = c->t;
	unsigned l = c->depth - 1;
	struct bpt_node *x = c->node[l];

	leaf_close(t, x, c->idx[l], 1);
	t->n--;
	c->depth = 0;
	for (; l > 0; l--) {
		unsigned min = x->leaf ? t->lmin : IMIN;

		if (x->n >= min) {
			fix_up(t, c->node, c->idx, l);
			return;
		}
		rebalance(t, c->node[l - 1], c->idx[l - 1]);
		x = c->node[l - 1];
	}
	if (x->leaf && !x->n) {
		node_put(t, x);
		t->root = NULL;
		t->height = 0;
	} else if (!x->leaf && x->n == 1) {
		t->root = x->u.in.child[0];
		t->height--;
		node_put(t, x);
	}
}

/* ---- checks ------------------------------------------------------------------ */

struct chk {
	const struct bpt *t;
	size_t n;
	unsigned leaf_depth;
};

/* Keys under x lie in [lo, hi) (hi = 0 and has_hi false: unbounded). */
static const char *check_node(struct chk *k, struct bpt_node *x, unsigned depth, bool root,
			      uint64_t lo, bool has_hi, uint64_t hi, uint32_t *cnt, uint64_t *max)
{
	const struct bpt *t = k->t;
	uint32_t c;
	uint64_t m;

	if (x->leaf) {
		const uint64_t *key = lkey(x);

		if (k->leaf_depth && k->leaf_depth != depth)
			return "leaves at different depths";
		k->leaf_depth = depth;
		if (x->n > t->cap || x->n < (root ? 1u : t->lmin))
			return "leaf entry count out of bounds";
		if (x->mask & ~low_bits(x->n))
			return "mark bits beyond the entries";
		for (unsigned i = 0; i < x->n; i++) {
			if (i && key[i] <= key[i - 1])
				return "leaf keys not increasing";
			if (key[i] < lo || (has_hi && key[i] >= hi))
				return "leaf key outside its separators";
		}
		k->n += x->n;
	} else {
		if (x->n > BPT_FANOUT || x->n < (root ? 2u : IMIN))
			return "inner child count out of bounds";
		for (unsigned i = 0; i < x->n; i++) {
			uint64_t clo = i ? x->u.in.key[i] : lo, chi = hi;
			bool ch = has_hi;
			const char *err;

			if (i + 1u < x->n) {
				chi = x->u.in.key[i + 1u];
				ch = true;
			}
			if (i && (x->u.in.key[i] < lo || (has_hi && x->u.in.key[i] >= hi)))
				return "separator outside the parent's range";
			if (i && i + 1u < x->n && x->u.in.key[i + 1u] <= x->u.in.key[i])
				return "separators not increasing";
			err = check_node(k, x->u.in.child[i], depth + 1, false, clo, ch, chi, &c, &m);
			if (err)
				return err;
			if ((t->aug & BPT_AUG_COUNT) && x->u.in.cnt[i] != c)
				return "marked count of a child is wrong";
			if ((t->aug & BPT_AUG_MAX) && x->u.in.max[i] != m)
				return "largest length of a child is wrong";
		}
	}
	node_agg(t, x, cnt, max);
	return NULL;
}

const char *bpt_check(const struct bpt *t)
{
	struct chk k = { .t = t };
	uint32_t c;
	uint64_t m;
	const char *err;

	if (!t->root)
		return t->n || t->height ? "empty tree with entries or height" : NULL;
	err = check_node(&k, t->root, 1, true, 0, false, 0, &c, &m);
	if (err)
		return err;
	if (k.n != t->n)
		return "entry count is wrong";
	if (k.leaf_depth != t->height)
		return "height is wrong";
	return NULL;
}
