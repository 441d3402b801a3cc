/* SPDX-License-Identifier: MIT */
/*
 * The B+-tree of DPA ranges (src/dev/bpt.c): random operations checked
 * against a sorted array, splits and merges at node boundaries, deletion
 * down to empty, and the node reservation bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dev/bpt.h"

#define META 12u

struct ent {
	uint64_t key, len;
	bool mark;
	uint8_t meta[META];
};

/* The reference: entries sorted by key. */
struct model {
	struct ent *e;
	size_t n, cap;
	unsigned meta;
};

static uint64_t seed = 0x243f6a8885a308d3ull;

static uint32_t rnd(uint32_t n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (uint32_t)((seed >> 16) % n);
}

static size_t m_rank(const struct model *m, uint64_t key) /* entries below key */
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->e[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool m_has(const struct model *m, uint64_t key)
{
	size_t i = m_rank(m, key);

	return i < m->n && m->e[i].key == key;
}

static void m_insert(struct model *m, const struct ent *x)
{
	size_t i = m_rank(m, x->key);

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->e = realloc(m->e, m->cap * sizeof(*m->e));
		assert_non_null(m->e);
	}
	memmove(m->e + i + 1, m->e + i, (m->n - i) * sizeof(*m->e));
	m->e[i] = *x;
	m->n++;
}

static void m_erase(struct model *m, size_t i)
{
	memmove(m->e + i, m->e + i + 1, (m->n - i - 1) * sizeof(*m->e));
	m->n--;
}

static void fill_meta(struct ent *x)
{
	for (unsigned i = 0; i < META; i++)
		x->meta[i] = (uint8_t)(x->key * 31u + i);
}

static void same_entry(const struct bpt_cur *c, const struct model *m, size_t i)
{
	assert_true(c->depth > 0);
	assert_true(i < m->n);
	assert_int_equal(bpt_key(c), m->e[i].key);
	assert_int_equal(bpt_len(c), m->e[i].len);
	assert_int_equal(bpt_mark(c), m->e[i].mark);
	if (m->meta)
		assert_memory_equal(bpt_meta(c), m->e[i].meta, m->meta);
}

static void at(bool ok, const struct bpt_cur *c, const struct model *m, size_t i)
{
	assert_true(ok);
	same_entry(c, m, i);
}

static void check_tree(const struct bpt *t)
{
	const char *err = bpt_check(t);

	if (err)
		fail_msg("bpt_check: %s", err);
}

/* Whole-tree comparison: forward and backward walks, marked walk, counts. */
static void compare(const struct bpt *t, const struct model *m)
{
	struct bpt_cur c;
	size_t i = 0, marked = 0;
	bool ok;

	check_tree(t);
	assert_int_equal(bpt_count(t), m->n);
	for (ok = bpt_first(t, &c); ok; ok = bpt_next(&c))
		same_entry(&c, m, i++);
	assert_int_equal(i, m->n);
	if (m->n) {
		assert_true(bpt_le(t, UINT64_MAX, &c));
		for (i = m->n; i-- > 0; ok = bpt_prev(&c))
			same_entry(&c, m, i);
		assert_false(bpt_prev(&c));
	}
	if (t->aug & BPT_AUG_COUNT) {
		for (i = 0; i < m->n; i++)
			marked += m->e[i].mark;
		assert_int_equal(bpt_marked(t), marked);
		ok = bpt_nth_marked(t, 0, &c);
		assert_int_equal(ok, marked > 0);
		for (i = 0; i < m->n; i++) {
			if (!m->e[i].mark)
				continue;
			same_entry(&c, m, i);
			ok = bpt_next_marked(&c);
		}
		assert_false(ok);
		assert_false(bpt_nth_marked(t, marked, &c));
	}
}

/* Point queries at random keys. */
static void probe(const struct bpt *t, const struct model *m, uint64_t keys)
{
	struct bpt_cur c;

	for (int q = 0; q < 8; q++) {
		uint64_t k = rnd((uint32_t)keys + 2);
		size_t i = m_rank(m, k);
		bool exact = i < m->n && m->e[i].key == k;

		/* le */
		if (exact)
			at(bpt_le(t, k, &c), &c, m, i);
		else if (i)
			at(bpt_le(t, k, &c), &c, m, i - 1);
		else
			assert_false(bpt_le(t, k, &c));
		/* ge */
		if (i < m->n)
			at(bpt_ge(t, k, &c), &c, m, i);
		else
			assert_false(bpt_ge(t, k, &c));
		/* nth marked */
		if (t->aug & BPT_AUG_COUNT) {
			size_t nm = 0, want = rnd(8);

			for (size_t j = 0; j < m->n; j++) {
				if (!m->e[j].mark)
					continue;
				if (nm++ == want) {
					at(bpt_nth_marked(t, want, &c), &c, m, j);
					break;
				}
			}
			if (nm <= want)
				assert_false(bpt_nth_marked(t, want, &c));
		}
		/* fit: leftmost key >= k with len >= minlen */
		if (t->aug & BPT_AUG_MAX) {
			uint64_t minlen = 1 + rnd(40);
			size_t j = i;

			while (j < m->n && m->e[j].len < minlen)
				j++;
			if (j < m->n)
				at(bpt_fit(t, k, minlen, &c), &c, m, j);
			else
				assert_false(bpt_fit(t, k, minlen, &c));
		}
	}
}

static void run_random(unsigned meta, unsigned aug, uint64_t keys, int steps)
{
	struct bpt_pool pool;
	struct bpt t;
	struct model m = { .meta = meta };

	bpt_pool_init(&pool);
	bpt_init(&t, &pool, meta, aug);
	for (int step = 0; step < steps; step++) {
		uint32_t op = rnd(100);
		struct bpt_cur c;

		/* insert more than erase while small, the other way round when large */
		if (op < (m.n < keys / 2 ? 55u : 35u)) {
			struct ent x = { .key = rnd((uint32_t)keys), .len = 1 + rnd(50),
					 .mark = rnd(3) == 0 };

			if (m_has(&m, x.key))
				continue;
			fill_meta(&x);
			assert_int_equal(bpt_pool_reserve(&pool, bpt_insert_need(&t, 1)), 0);
			bpt_insert(&t, x.key, x.len, x.mark, meta ? x.meta : NULL);
			if (!meta)
				memset(x.meta, 0, sizeof(x.meta));
			m_insert(&m, &x);
		} else if (op < 75 && m.n) { /* erase */
			size_t i = rnd((uint32_t)m.n);

			assert_true(bpt_le(&t, m.e[i].key, &c));
			bpt_erase(&c);
			m_erase(&m, i);
		} else if (op < 90 && m.n) { /* move the key within its gap, new length */
			size_t i = rnd((uint32_t)m.n);
			uint64_t lo = i ? m.e[i - 1].key + 1 : 0;
			uint64_t hi = i + 1 < m.n ? m.e[i + 1].key - 1 : keys + 100;
			uint64_t k = lo + rnd((uint32_t)(hi - lo + 1));

			assert_true(bpt_le(&t, m.e[i].key, &c));
			m.e[i].key = k;
			m.e[i].len = 1 + rnd(50);
			bpt_set(&c, k, m.e[i].len);
			if (meta) {
				fill_meta(&m.e[i]);
				memcpy(bpt_meta(&c), m.e[i].meta, meta);
			}
		} else if (m.n) { /* flip a mark */
			size_t i = rnd((uint32_t)m.n);

			assert_true(bpt_ge(&t, m.e[i].key, &c));
			m.e[i].mark = !m.e[i].mark;
			bpt_set_mark(&c, m.e[i].mark);
		}
		check_tree(&t);
		probe(&t, &m, keys);
		if (step % 64 == 0)
			compare(&t, &m);
	}
	compare(&t, &m);
	/* down to empty */
	while (m.n) {
		struct bpt_cur c;
		size_t i = rnd((uint32_t)m.n);

		assert_true(bpt_ge(&t, m.e[i].key, &c));
		bpt_erase(&c);
		m_erase(&m, i);
		check_tree(&t);
	}
	compare(&t, &m);
	assert_null(t.root);
	assert_int_equal(t.height, 0);
	bpt_pool_destroy(&pool);
	free(m.e);
}

static void test_random_ext_layout(void **state)
{
	(void)state;
	run_random(META, BPT_AUG_COUNT | BPT_AUG_MAX, 3000, 12000);
}

static void test_random_plain(void **state)
{
	(void)state;
	run_random(0, BPT_AUG_MAX, 3000, 12000);
	run_random(0, 0, 400, 4000);
}

static void test_random_dense(void **state)
{
	(void)state;
	/* few keys: the tree grows and shrinks across one and two levels */
	run_random(META, BPT_AUG_COUNT, 80, 6000);
}

/* Ascending, descending and interleaved fills; erase in every order. */
static void fill_and_drain(unsigned meta, size_t n, int fill, int drain)
{
	struct bpt_pool pool;
	struct bpt t;
	struct bpt_cur c;
	uint64_t *keys = malloc(n * sizeof(*keys));

	assert_non_null(keys);
	bpt_pool_init(&pool);
	bpt_init(&t, &pool, meta, BPT_AUG_COUNT | BPT_AUG_MAX);
	for (size_t i = 0; i < n; i++) {
		uint64_t k = fill == 0 ? i : fill == 1 ? n - 1 - i : (i * 7919u) % n;

		keys[i] = k;
		assert_int_equal(bpt_pool_reserve(&pool, bpt_insert_need(&t, 1)), 0);
		bpt_insert(&t, 10 * k, k % 7 + 1, k % 3 == 0, NULL);
		if (i == t.cap - 1u)
			assert_int_equal(t.height, 1); /* a full root leaf */
		if (i == t.cap)
			assert_int_equal(t.height, 2); /* split at cap + 1 */
		if (i % 97 == 0 || i + 1 == n)
			check_tree(&t);
	}
	for (size_t i = 0; i < n; i++) {
		size_t j = drain == 0 ? i : drain == 1 ? n - 1 - i : (i * 104729u) % n;
		uint64_t k = drain == 3 ? keys[i] : j;

		assert_true(bpt_le(&t, 10 * k, &c));
		assert_int_equal(bpt_key(&c), 10 * k);
		bpt_erase(&c);
		if (i % 13 == 0 || n - i < 40)
			check_tree(&t);
	}
	assert_int_equal(bpt_count(&t), 0);
	assert_null(t.root);
	assert_false(bpt_first(&t, &c));
	bpt_pool_destroy(&pool);
	free(keys);
}

static void test_boundaries(void **state)
{
	(void)state;
	for (int fill = 0; fill < 3; fill++)
		for (int drain = 0; drain < 4; drain++) {
			/* 1 and 2 leaves, then 3 levels, then 4 */
			fill_and_drain(META, 18, fill, drain);
			fill_and_drain(META, 19, fill, drain);
			fill_and_drain(0, 31, fill, drain);
			fill_and_drain(0, 32, fill, drain);
			fill_and_drain(META, 400, fill, drain);
			fill_and_drain(META, 8000, fill, drain);
		}
}

/* In-place key changes at leaf edges keep the separators right. */
static void test_set_at_edges(void **state)
{
	struct bpt_pool pool;
	struct bpt t;
	struct bpt_cur c;
	struct model m = { 0 };

	(void)state;
	bpt_pool_init(&pool);
	bpt_init(&t, &pool, 0, BPT_AUG_MAX);
	for (uint64_t k = 0; k < 2000; k++) {
		struct ent x = { .key = 1000 * k, .len = 1 };

		assert_int_equal(bpt_pool_reserve(&pool, bpt_insert_need(&t, 1)), 0);
		bpt_insert(&t, x.key, x.len, false, NULL);
		m_insert(&m, &x);
	}
	/* every entry moves to the top and then the bottom of its gap */
	for (size_t i = 0; i < m.n; i++) {
		uint64_t hi = i + 1 < m.n ? m.e[i + 1].key - 1 : m.e[i].key + 999;
		uint64_t lo = i ? m.e[i - 1].key + 1 : 0;

		assert_true(bpt_le(&t, m.e[i].key, &c));
		bpt_set(&c, hi, 2);
		m.e[i].key = hi;
		m.e[i].len = 2;
		check_tree(&t);
		assert_true(bpt_le(&t, hi, &c));
		assert_int_equal(bpt_key(&c), hi);
		bpt_set(&c, lo, 3);
		m.e[i].key = lo;
		m.e[i].len = 3;
		check_tree(&t);
		probe(&t, &m, 2000 * 1000);
	}
	compare(&t, &m);
	bpt_clear(&t);
	assert_null(t.root);
	bpt_pool_destroy(&pool);
	free(m.e);
}

/*
 * The reservation bound: with exactly bpt_insert_need() nodes in an
 * otherwise empty pool, k inserts (with erases in between) never run dry
 * (node_get() asserts).
 */
static void test_reservation(void **state)
{
	struct bpt_pool pool;
	struct bpt t;
	struct bpt_cur c;
	struct model m = { 0 };

	(void)state;
	bpt_pool_init(&pool);
	bpt_init(&t, &pool, META, BPT_AUG_COUNT);
	for (int round = 0; round < 300; round++) {
		size_t k = 1 + rnd(round % 10 == 0 ? 400 : 40), need = bpt_insert_need(&t, k);

		bpt_pool_trim(&pool, 0);
		assert_int_equal(bpt_pool_reserve(&pool, need), 0);
		for (size_t i = 0; i < k; i++) {
			/* clustered keys make full leaves along one path */
			struct ent x = { .key = rnd(round % 3 ? 30000 : 300000), .len = 1 };

			if (m.n && rnd(4) == 0) {
				size_t j = rnd((uint32_t)m.n);

				assert_true(bpt_le(&t, m.e[j].key, &c));
				bpt_erase(&c);
				m_erase(&m, j);
			}
			if (m_has(&m, x.key))
				continue;
			bpt_insert(&t, x.key, x.len, false, NULL);
			m_insert(&m, &x);
		}
		check_tree(&t);
	}
	/* ascending inserts split the rightmost path over and over */
	for (int round = 0; round < 50; round++) {
		size_t k = 64, need = bpt_insert_need(&t, k);
		uint64_t base = 1000000 + (uint64_t)round * 64;

		bpt_pool_trim(&pool, 0);
		assert_int_equal(bpt_pool_reserve(&pool, need), 0);
		for (size_t i = 0; i < k; i++)
			bpt_insert(&t, base + i, 1, false, NULL);
		check_tree(&t);
	}
	/* k inserts spread over many trees of some height */
	assert_true(bpt_insert_need_h(3, 1) >= 4);
	assert_true(bpt_insert_need_h(3, 64) >= 64 * 4);
	bpt_clear(&t);
	bpt_pool_destroy(&pool);
	free(m.e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_ext_layout),
		cmocka_unit_test(test_random_plain),
		cmocka_unit_test(test_random_dense),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_set_at_edges),
		cmocka_unit_test(test_reservation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
