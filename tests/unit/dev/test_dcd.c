/* SPDX-License-Identifier: MIT */
/* Dynamic capacity core: geometry, extent rules, policies, and a random model check. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dev/dcd.h"
#include "proto/cci.h"

#define MiB (1ull << 20)
#define BS (2 * MiB)
#define BASE (256 * MiB)
#define RLEN (512 * MiB)

struct zcall {
	uint64_t dpa, len;
};

static struct zcall zcalls[64];
static size_t nz;

static void zero_cb(void *arg, uint64_t dpa, uint64_t len)
{
	(void)arg;
	if (nz < 64)
		zcalls[nz] = (struct zcall){ dpa, len };
	nz++;
}

static struct dcd *mk(unsigned nreg, uint32_t max)
{
	struct dcd_config c = {
		.base = BASE, .size = nreg * RLEN, .num_regions = nreg, .extents_max = max,
		.sanitize = zero_cb,
	};
	struct dcd *d;

	nz = 0;
	assert_int_equal(dcd_create(&c, &d), 0);
	return d;
}

static struct dcd_ext X(uint64_t start, uint64_t len)
{
	return (struct dcd_ext){ .start = start, .len = len };
}

static uint16_t add1(struct dcd *d, uint64_t s, uint64_t l, const char **why)
{
	struct dcd_ext e = X(s, l), *out;
	struct dcd_add_req r = { .policy = DCD_SEL_PRESCRIPTIVE, .ext = &e, .n = 1 };
	size_t n;
	uint16_t rc = dcd_add(d, &r, &out, &n, why);

	free(out);
	return rc;
}

static uint16_t accept1(struct dcd *d, uint64_t s, uint64_t l)
{
	struct dcd_ext e = X(s, l);

	return dcd_host_accept(d, &e, 1, NULL);
}

static uint16_t release(struct dcd *d, const struct dcd_ext *e, size_t n, bool forced,
			bool san)
{
	struct dcd_release_req r = { .policy = DCD_RM_PRESCRIPTIVE, .ext = e, .n = n,
				     .forced = forced, .sanitize = san };
	struct dcd_ext *out;
	size_t nout;
	uint16_t rc = dcd_release(d, &r, &out, &nout, NULL);

	free(out);
	return rc;
}

static void test_geometry(void **state)
{
	struct dcd_config c = { .base = BASE, .size = 2 * RLEN, .num_regions = 2,
				.dsmad_handle_base = 1 };
	struct dcd *d;

	(void)state;
	assert_int_equal(dcd_create(&c, &d), 0);
	assert_int_equal(dcd_num_regions(d), 2);
	assert_int_equal(dcd_region(d, 0)->base, BASE);
	assert_int_equal(dcd_region(d, 0)->len, RLEN);
	assert_int_equal(dcd_region(d, 0)->decode_len, RLEN);
	assert_int_equal(dcd_region(d, 0)->block_size, BS);
	assert_int_equal(dcd_region(d, 0)->block_size_mask, BS);
	assert_int_equal(dcd_region(d, 0)->dsmad_handle, 1);
	assert_int_equal(dcd_region(d, 1)->base, BASE + RLEN);
	assert_int_equal(dcd_region(d, 1)->dsmad_handle, 2);
	assert_int_equal(dcd_region(d, 1)->free_bytes, RLEN);
	assert_null(dcd_region(d, 2));
	assert_int_equal(dcd_total_capacity(d), 2 * RLEN);
	assert_int_equal(dcd_extents_max(d), 512);
	assert_int_equal(dcd_sel_policy_mask(d), 0x7);
	/* region lookup: boundaries, crossing, outside */
	assert_int_equal(dcd_region_of(d, BASE, BS), 0);
	assert_int_equal(dcd_region_of(d, BASE + RLEN - BS, BS), 0);
	assert_int_equal(dcd_region_of(d, BASE + RLEN - BS, 2 * BS), -1);
	assert_int_equal(dcd_region_of(d, BASE + RLEN, BS), 1);
	assert_int_equal(dcd_region_of(d, BASE - BS, BS), -1);
	assert_int_equal(dcd_region_of(d, BASE + 2 * RLEN, BS), -1);
	assert_int_equal(dcd_region_of(d, UINT64_MAX - 10, 100), -1);
	dcd_destroy(d);
}

static void test_create_rejects(void **state)
{
	struct dcd_config c = { .base = BASE, .size = 2 * RLEN, .num_regions = 2 };
	struct dcd *d;

	(void)state;
	c.num_regions = 0;
	assert_int_equal(dcd_create(&c, &d), -EINVAL);
	c.num_regions = 9;
	assert_int_equal(dcd_create(&c, &d), -EINVAL);
	c.num_regions = 3; /* 1 GiB / 3 is no multiple of 256 MiB */
	assert_int_equal(dcd_create(&c, &d), -EINVAL);
	c.num_regions = 2;
	c.base = BASE + MiB;
	assert_int_equal(dcd_create(&c, &d), -EINVAL);
	c.base = BASE;
	c.block_size = 3 * MiB;
	assert_int_equal(dcd_create(&c, &d), -EINVAL);
	c.block_size = 4 * MiB;
	c.block_size_mask = 2 * MiB;
	assert_int_equal(dcd_create(&c, &d), -EINVAL);
	c.block_size_mask = 0;
	assert_int_equal(dcd_create(&c, &d), 0);
	assert_int_equal(dcd_region(d, 0)->block_size, 4 * MiB);
	dcd_destroy(d);
}

static void test_malformed_lists(void **state)
{
	struct dcd *d = mk(2, 0);
	struct dcd_ext two[2];
	const char *why = NULL;
	struct dcd_ext *out;
	size_t n;
	struct dcd_add_req r = { .policy = DCD_SEL_PRESCRIPTIVE, .ext = two, .n = 2 };

	(void)state;
	assert_int_equal(add1(d, BASE, 0, &why), CXL_RC_INVALID_EXTENT_LIST);
	assert_int_equal(add1(d, BASE + MiB, BS, &why), CXL_RC_INVALID_EXTENT_LIST);
	assert_int_equal(add1(d, BASE, 3 * MiB, &why), CXL_RC_INVALID_EXTENT_LIST);
	assert_int_equal(add1(d, BASE - BS, BS, &why), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(add1(d, BASE + RLEN - BS, 2 * BS, &why),
			 CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(add1(d, BASE + 2 * RLEN, BS, &why), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	two[0] = X(BASE + 4 * BS, 2 * BS);
	two[1] = X(BASE + 5 * BS, BS);
	assert_int_equal(dcd_add(d, &r, &out, &n, &why), CXL_RC_INVALID_EXTENT_LIST);
	assert_string_equal(why, "duplicate or overlapping extents in the request");
	r.n = 0;
	assert_int_equal(dcd_add(d, &r, &out, &n, &why), CXL_RC_INVALID_INPUT);
	assert_int_equal(dcd_extents_tracked(d), 0);
	assert_int_equal(dcd_pending_groups(d), 0);
	dcd_destroy(d);
}

static void test_add_accept_subset(void **state)
{
	struct dcd *d = mk(2, 0);
	struct dcd_ext e[3] = { X(BASE, 4 * BS), X(BASE + 8 * BS, BS), X(BASE + RLEN, BS) };
	struct dcd_add_req r = { .policy = DCD_SEL_PRESCRIPTIVE, .ext = e, .n = 3 };
	struct dcd_ext acc[2] = { X(BASE + BS, 2 * BS), X(BASE + RLEN, BS) };
	const char *why = NULL;
	struct dcd_ext *out, got;
	size_t n;

	(void)state;
	memset(e[0].tag, 0xab, DCD_TAG_LEN);
	assert_int_equal(dcd_add(d, &r, &out, &n, &why), CXL_RC_SUCCESS);
	assert_int_equal(n, 3);
	assert_int_equal(out[1].start, BASE + 8 * BS);
	free(out);
	assert_int_equal(dcd_extents_tracked(d), 3);
	assert_int_equal(dcd_extents_accepted(d), 0);
	assert_int_equal(dcd_pending_groups(d), 1);
	assert_int_equal(dcd_region(d, 0)->n_pending, 2);
	assert_int_equal(dcd_region(d, 0)->free_bytes, RLEN - 5 * BS);
	assert_false(dcd_accessible(d, BASE, BS));
	/* adding pending capacity again */
	assert_int_equal(add1(d, BASE + 3 * BS, 2 * BS, &why), CXL_RC_INVALID_EXTENT_LIST);
	assert_string_equal(why, "cannot add DPA again while still pending");
	/* a range sticking out of the offered extent */
	assert_int_equal(accept1(d, BASE + 3 * BS, 2 * BS), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(dcd_host_accept(d, acc, 2, &why), CXL_RC_SUCCESS);
	assert_int_equal(dcd_pending_groups(d), 0);
	assert_int_equal(dcd_extents_tracked(d), 2);
	assert_int_equal(dcd_extents_accepted(d), 2);
	assert_int_equal(dcd_generation(d), 1);
	assert_true(dcd_accessible(d, BASE + BS, 2 * BS));
	assert_false(dcd_accessible(d, BASE, 2 * BS)); /* first block declined */
	assert_false(dcd_accessible(d, BASE + 8 * BS, BS));
	assert_int_equal(dcd_region(d, 0)->free_bytes, RLEN - 2 * BS);
	assert_int_equal(dcd_accepted_at(d, 0, &got), 0);
	assert_int_equal(got.start, BASE + BS);
	assert_int_equal(got.len, 2 * BS);
	assert_int_equal(got.tag[0], 0xab); /* the offered tag is kept */
	assert_int_equal(dcd_accepted_at(d, 1, &got), 0);
	assert_int_equal(got.start, BASE + RLEN);
	assert_int_equal(dcd_accepted_at(d, 2, &got), -ENOENT);
	/* adding accepted capacity again */
	assert_int_equal(add1(d, BASE, 2 * BS, &why), CXL_RC_INVALID_EXTENT_LIST);
	assert_string_equal(why, "cannot add DPA already accessible to the same LD");
	/* nothing pending: declining is Invalid Input, accepting Invalid PA */
	assert_int_equal(dcd_host_accept(d, NULL, 0, NULL), CXL_RC_INVALID_INPUT);
	assert_int_equal(accept1(d, BASE, BS), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	dcd_destroy(d);
}

static void test_groups_fifo_and_decline(void **state)
{
	struct dcd *d = mk(1, 0);

	(void)state;
	assert_int_equal(add1(d, BASE, BS, NULL), 0);
	assert_int_equal(add1(d, BASE + BS, BS, NULL), 0);
	assert_int_equal(dcd_pending_groups(d), 2);
	/* the second group cannot be answered before the first */
	assert_int_equal(accept1(d, BASE + BS, BS), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(dcd_host_accept(d, NULL, 0, NULL), CXL_RC_SUCCESS); /* decline #1 */
	assert_int_equal(dcd_pending_groups(d), 1);
	assert_int_equal(dcd_extents_tracked(d), 1);
	assert_int_equal(accept1(d, BASE + BS, BS), CXL_RC_SUCCESS);
	/* declined capacity is free again and merges back */
	assert_int_equal(add1(d, BASE, BS, NULL), 0);
	assert_int_equal(dcd_region(d, 0)->free_bytes, RLEN - 2 * BS);
	assert_int_equal(dcd_generation(d), 1);
	dcd_destroy(d);
}

static void test_extents_limit(void **state)
{
	struct dcd *d = mk(1, 3);
	struct dcd_ext e[2] = { X(BASE, BS), X(BASE + 2 * BS, BS) };
	struct dcd_add_req r = { .policy = DCD_SEL_PRESCRIPTIVE, .ext = e, .n = 2 };
	struct dcd_ext *out;
	size_t n;

	(void)state;
	assert_int_equal(dcd_add(d, &r, &out, &n, NULL), 0);
	free(out);
	r.max_out = 1; /* more than the caller can announce */
	e[0] = X(BASE + 10 * BS, BS);
	e[1] = X(BASE + 12 * BS, BS);
	assert_int_equal(dcd_add(d, &r, &out, &n, NULL), CXL_RC_RESOURCES_EXHAUSTED);
	r.max_out = 0;
	assert_int_equal(dcd_add(d, &r, &out, &n, NULL), CXL_RC_RESOURCES_EXHAUSTED);
	assert_int_equal(dcd_extents_available(d), 1);
	assert_int_equal(dcd_host_accept(d, e, 0, NULL), 0);
	/* accept one 4-block extent, then releasing its middle needs 2 extents */
	assert_int_equal(add1(d, BASE, 4 * BS, NULL), 0);
	assert_int_equal(accept1(d, BASE, 4 * BS), 0);
	assert_int_equal(add1(d, BASE + 8 * BS, BS, NULL), 0);
	assert_int_equal(accept1(d, BASE + 8 * BS, BS), 0);
	assert_int_equal(add1(d, BASE + 10 * BS, BS, NULL), 0);
	assert_int_equal(accept1(d, BASE + 10 * BS, BS), 0);
	e[0] = X(BASE + BS, BS);
	assert_int_equal(dcd_host_release(d, e, 1, NULL), CXL_RC_RESOURCES_EXHAUSTED);
	assert_int_equal(release(d, e, 1, false, false), CXL_RC_RESOURCES_EXHAUSTED);
	/* the edge does not split */
	e[0] = X(BASE, BS);
	assert_int_equal(dcd_host_release(d, e, 1, NULL), 0);
	assert_int_equal(dcd_extents_tracked(d), 3);
	dcd_destroy(d);
}

static void test_free_and_contiguous(void **state)
{
	struct dcd *d = mk(2, 0);
	struct dcd_add_req r = { .policy = DCD_SEL_FREE, .region = 0, .length = 4 * BS };
	const char *why = NULL;
	struct dcd_ext *out;
	size_t n;

	(void)state;
	memset(r.tag, 7, DCD_TAG_LEN);
	/* holes: blocks 1 and 3 taken, so free = 0, 2, 4.. */
	assert_int_equal(add1(d, BASE + BS, BS, NULL), 0);
	assert_int_equal(add1(d, BASE + 3 * BS, BS, NULL), 0);
	assert_int_equal(dcd_add(d, &r, &out, &n, &why), 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].start, BASE);
	assert_int_equal(out[0].len, BS);
	assert_int_equal(out[1].start, BASE + 2 * BS);
	assert_int_equal(out[1].len, BS);
	assert_int_equal(out[2].start, BASE + 4 * BS);
	assert_int_equal(out[2].len, 2 * BS);
	assert_int_equal(out[2].tag[5], 7);
	free(out);
	/* contiguous: the first range long enough */
	r.policy = DCD_SEL_CONTIGUOUS;
	r.length = 8 * BS;
	assert_int_equal(dcd_add(d, &r, &out, &n, &why), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].start, BASE + 6 * BS);
	free(out);
	/* region 1 is untouched */
	r.region = 1;
	assert_int_equal(dcd_add(d, &r, &out, &n, &why), 0);
	assert_int_equal(out[0].start, BASE + RLEN);
	free(out);
	/* errors */
	r.region = 2;
	assert_int_equal(dcd_add(d, &r, &out, &n, &why), CXL_RC_INVALID_INPUT);
	r.region = 0;
	r.length = 3 * MiB;
	assert_int_equal(dcd_add(d, &r, &out, &n, &why), CXL_RC_INVALID_INPUT);
	r.length = 0;
	assert_int_equal(dcd_add(d, &r, &out, &n, &why), CXL_RC_INVALID_INPUT);
	r.length = RLEN;
	assert_int_equal(dcd_add(d, &r, &out, &n, &why), CXL_RC_RESOURCES_EXHAUSTED);
	r.policy = DCD_SEL_FREE;
	assert_int_equal(dcd_add(d, &r, &out, &n, &why), CXL_RC_RESOURCES_EXHAUSTED);
	/* all remaining free capacity of region 0, several pieces */
	r.length = dcd_region(d, 0)->free_bytes;
	assert_int_equal(dcd_add(d, &r, &out, &n, &why), 0);
	free(out);
	assert_int_equal(dcd_region(d, 0)->free_bytes, 0);
	r.policy = DCD_SEL_CONTIGUOUS;
	r.length = BS;
	assert_int_equal(dcd_add(d, &r, &out, &n, &why), CXL_RC_RESOURCES_EXHAUSTED);
	/* shared access needs a sharable region */
	r.policy = DCD_SEL_SHARED;
	assert_int_equal(add1(d, BASE + RLEN + 100 * BS, BS, NULL), 0);
	{
		struct dcd_ext e = X(BASE + RLEN + 200 * BS, BS);
		struct dcd_add_req s = { .policy = DCD_SEL_SHARED, .ext = &e, .n = 1 };

		assert_int_equal(dcd_add(d, &s, &out, &n, &why), CXL_RC_INVALID_INPUT);
	}
	dcd_destroy(d);
}

static void test_shared(void **state)
{
	struct dcd_config c = { .base = BASE, .size = RLEN, .num_regions = 1, .sharable = true };
	struct dcd_ext e = X(BASE, BS), *out;
	struct dcd_add_req s = { .policy = DCD_SEL_SHARED, .ext = &e, .n = 1 };
	struct dcd *d;
	size_t n;

	(void)state;
	assert_int_equal(dcd_create(&c, &d), 0);
	assert_int_equal(dcd_sel_policy_mask(d), 0xf);
	assert_int_equal(dcd_region(d, 0)->dsmas_flags, DCD_DSMAS_SHARABLE);
	e.shared_seq = 3;
	assert_int_equal(dcd_add(d, &s, &out, &n, NULL), 0);
	assert_true(out[0].shared);
	free(out);
	assert_int_equal(accept1(d, BASE, BS), 0);
	assert_int_equal(dcd_accepted_at(d, 0, &e), 0);
	assert_true(e.shared);
	assert_int_equal(e.shared_seq, 3);
	dcd_destroy(d);
}

struct seen {
	struct dcd_ext_info e[16];
	size_t n;
};

static int collect(void *arg, const struct dcd_ext_info *e)
{
	struct seen *s = arg;

	if (s->n < 16)
		s->e[s->n] = *e;
	s->n++;
	return 0;
}

static void test_release_flow(void **state)
{
	struct dcd *d = mk(1, 0);
	struct dcd_ext r[2];
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(add1(d, BASE, 8 * BS, NULL), 0);
	assert_int_equal(add1(d, BASE + 16 * BS, BS, NULL), 0);
	assert_int_equal(accept1(d, BASE, 8 * BS), 0);
	/* pending capacity cannot be released */
	r[0] = X(BASE + 16 * BS, BS);
	assert_int_equal(release(d, r, 1, false, false), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(release(d, r, 1, true, false), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	/* nor free capacity */
	r[0] = X(BASE + 6 * BS, 4 * BS);
	assert_int_equal(release(d, r, 1, false, false), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	/* unaligned */
	r[0] = X(BASE + MiB, BS);
	assert_int_equal(release(d, r, 1, false, false), CXL_RC_INVALID_EXTENT_LIST);
	/* FM asks for blocks 2..3 and 6: still accepted and usable, marked */
	r[0] = X(BASE + 2 * BS, 2 * BS);
	r[1] = X(BASE + 6 * BS, BS);
	assert_int_equal(release(d, r, 2, false, true), CXL_RC_SUCCESS);
	/* asked again (or in part) while the host has not answered: refused,
	 * no second event for the host to trip over (issue #13) */
	assert_int_equal(release(d, r, 2, false, true), CXL_RC_INVALID_EXTENT_LIST);
	r[0] = X(BASE + 3 * BS, 2 * BS);
	assert_int_equal(release(d, r, 1, false, false), CXL_RC_INVALID_EXTENT_LIST);
	r[0] = X(BASE + 2 * BS, 2 * BS);
	assert_true(dcd_accessible(d, BASE, 8 * BS));
	assert_int_equal(dcd_generation(d), 1);
	dcd_foreach(d, collect, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.e[0].state, DCD_EXT_ACCEPTED);
	assert_true(s.e[0].releasing);
	assert_int_equal(s.e[1].state, DCD_EXT_PENDING);
	assert_false(s.e[1].releasing);
	/* the host gives back blocks 2..3 only: split, sanitized (FM asked) */
	nz = 0;
	assert_int_equal(dcd_host_release(d, r, 1, NULL), CXL_RC_SUCCESS);
	assert_int_equal(nz, 1);
	assert_int_equal(zcalls[0].dpa, BASE + 2 * BS);
	assert_int_equal(zcalls[0].len, 2 * BS);
	assert_int_equal(dcd_generation(d), 2);
	assert_int_equal(dcd_extents_accepted(d), 2);
	assert_false(dcd_accessible(d, BASE + 2 * BS, BS));
	assert_true(dcd_accessible(d, BASE, 2 * BS));
	assert_true(dcd_accessible(d, BASE + 4 * BS, 4 * BS));
	/* a second release of the same range: not accepted any more */
	assert_int_equal(dcd_host_release(d, r, 1, NULL), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	/* a release the FM did not ask for, no sanitize */
	nz = 0;
	r[0] = X(BASE, BS);
	assert_int_equal(dcd_host_release(d, r, 1, NULL), CXL_RC_SUCCESS);
	assert_int_equal(nz, 0);
	/* forced release of block 6 (pending release with sanitize) and 7 */
	r[0] = X(BASE + 6 * BS, 2 * BS);
	assert_int_equal(release(d, r, 1, true, false), CXL_RC_SUCCESS);
	assert_int_equal(nz, 1); /* only block 6 asked for sanitize */
	assert_int_equal(zcalls[0].dpa, BASE + 6 * BS);
	assert_int_equal(zcalls[0].len, BS);
	assert_false(dcd_accessible(d, BASE + 6 * BS, BS));
	assert_int_equal(dcd_generation(d), 4);
	s.n = 0;
	dcd_foreach(d, collect, &s);
	assert_int_equal(s.n, 3); /* [1], [4..5], pending [16] */
	assert_int_equal(s.e[0].ext.start, BASE + BS);
	assert_int_equal(s.e[1].ext.start, BASE + 4 * BS);
	assert_int_equal(s.e[1].ext.len, 2 * BS);
	assert_false(s.e[1].releasing);
	/* host release: n = 0, adjacent ranges spanning two extents */
	assert_int_equal(dcd_host_release(d, r, 0, NULL), CXL_RC_INVALID_INPUT);
	dcd_destroy(d);
}

static void test_tag_release(void **state)
{
	struct dcd *d = mk(2, 0);
	struct dcd_ext e[3] = { X(BASE, BS), X(BASE + 4 * BS, BS), X(BASE + RLEN, BS) };
	struct dcd_add_req a = { .policy = DCD_SEL_PRESCRIPTIVE, .ext = e, .n = 3 };
	struct dcd_release_req r = { .policy = DCD_RM_TAG, .region = 0 };
	struct dcd_ext *out;
	size_t n;

	(void)state;
	for (int i = 0; i < 3; i++)
		memset(e[i].tag, 0x11, DCD_TAG_LEN);
	assert_int_equal(dcd_add(d, &a, &out, &n, NULL), 0);
	free(out);
	assert_int_equal(dcd_tags_available(d), 511);
	memset(r.tag, 0x11, DCD_TAG_LEN);
	/* still pending */
	assert_int_equal(dcd_release(d, &r, &out, &n, NULL), CXL_RC_INVALID_PHYSICAL_ADDRESS);
	assert_int_equal(dcd_host_accept(d, e, 3, NULL), 0);
	memset(r.tag, 0x22, DCD_TAG_LEN);
	assert_int_equal(dcd_release(d, &r, &out, &n, NULL), CXL_RC_INVALID_INPUT);
	memset(r.tag, 0, DCD_TAG_LEN);
	assert_int_equal(dcd_release(d, &r, &out, &n, NULL), CXL_RC_INVALID_INPUT);
	memset(r.tag, 0x11, DCD_TAG_LEN);
	r.region = 8;
	assert_int_equal(dcd_release(d, &r, &out, &n, NULL), CXL_RC_INVALID_INPUT);
	r.region = 0;
	assert_int_equal(dcd_release(d, &r, &out, &n, NULL), 0);
	free(out);
	/* the host has not answered: a second request is refused, forced is not */
	assert_int_equal(dcd_release(d, &r, &out, &n, NULL), CXL_RC_INVALID_EXTENT_LIST);
	r.forced = true;
	assert_int_equal(dcd_release(d, &r, &out, &n, NULL), 0);
	assert_int_equal(n, 2); /* region 0's two, in DPA order */
	assert_int_equal(out[0].start, BASE);
	assert_int_equal(out[1].start, BASE + 4 * BS);
	free(out);
	assert_int_equal(dcd_extents_accepted(d), 1);
	assert_int_equal(dcd_tags_available(d), 511); /* region 1 still carries it */
	r.region = 1;
	assert_int_equal(dcd_release(d, &r, &out, &n, NULL), 0);
	free(out);
	assert_int_equal(dcd_tags_available(d), 512);
	dcd_destroy(d);
}

static void test_region_config(void **state)
{
	struct dcd_config c = { .base = BASE, .size = 2 * RLEN, .num_regions = 2,
				.block_size_mask = BS | 8 * MiB, .sanitize = zero_cb };
	const char *why = NULL;
	struct dcd *d;
	bool ch;

	(void)state;
	assert_int_equal(dcd_create(&c, &d), 0);
	assert_int_equal(dcd_set_region_config(d, 0, BS, false, &ch, &why), 0);
	assert_false(ch);
	assert_int_equal(dcd_set_region_config(d, 0, 8 * MiB, true, &ch, &why), 0);
	assert_true(ch);
	assert_int_equal(dcd_region(d, 0)->block_size, 8 * MiB);
	assert_true(dcd_region(d, 0)->sanitize_on_release);
	assert_int_equal(add1(d, BASE, BS, NULL), CXL_RC_INVALID_EXTENT_LIST); /* 2 MiB now unaligned */
	assert_int_equal(add1(d, BASE, 8 * MiB, NULL), 0);
	assert_int_equal(dcd_set_region_config(d, 0, BS, false, &ch, &why), CXL_RC_UNSUPPORTED);
	assert_int_equal(dcd_set_region_config(d, 1, 4 * MiB, false, &ch, &why),
			 CXL_RC_INVALID_INPUT);
	assert_int_equal(dcd_set_region_config(d, 1, 3 * MiB, false, &ch, &why),
			 CXL_RC_INVALID_INPUT);
	assert_int_equal(dcd_set_region_config(d, 2, BS, false, &ch, &why), CXL_RC_INVALID_INPUT);
	/* region sanitize flag: every release zeroes */
	assert_int_equal(accept1(d, BASE, 8 * MiB), 0);
	nz = 0;
	{
		struct dcd_ext e = X(BASE, 8 * MiB);

		assert_int_equal(dcd_host_release(d, &e, 1, NULL), 0);
	}
	assert_int_equal(nz, 1);
	assert_int_equal(zcalls[0].len, 8 * MiB);
	dcd_destroy(d);
}

/*
 * Random model check: a block-state array is the reference; random adds,
 * answers, releases (FM and host, forced and not) must give the same
 * states, the same accepted order and the same free capacity.
 */
#define NB 256u
enum { M_FREE, M_PEND, M_ACC };

struct model {
	uint8_t st[NB];
	uint32_t grp[NB];
	bool rel[NB];
	uint32_t groups[64];
	size_t ngroups;
	uint32_t next_group;
};

static uint64_t rs = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs % n);
}

static uint64_t dpa(uint32_t b) { return BASE + (uint64_t)b * BS; }

struct check {
	const struct model *m;
	uint32_t next;   /* next block expected to be covered */
	uint32_t acc;
	bool ok;
};

static int check_cb(void *arg, const struct dcd_ext_info *e)
{
	struct check *c = arg;
	uint32_t b0 = (uint32_t)((e->ext.start - BASE) / BS);
	uint32_t nb = (uint32_t)(e->ext.len / BS);
	bool rel = false;

	if (b0 < c->next)
		c->ok = false; /* not sorted or overlapping */
	for (uint32_t b = c->next; b < b0; b++)
		if (c->m->st[b] != M_FREE)
			c->ok = false;
	for (uint32_t b = b0; b < b0 + nb; b++) {
		uint8_t want = e->state == DCD_EXT_ACCEPTED ? M_ACC : M_PEND;

		if (c->m->st[b] != want)
			c->ok = false;
		if (want == M_PEND && c->m->grp[b] != e->group)
			c->ok = false;
		rel |= c->m->rel[b];
	}
	if (e->state == DCD_EXT_ACCEPTED) {
		if (rel != e->releasing)
			c->ok = false;
		c->acc++;
	}
	c->next = b0 + nb;
	return 0;
}

static void verify(struct dcd *d, const struct model *m)
{
	struct check c = { .m = m, .ok = true };
	uint64_t free_blocks = 0;
	struct dcd_ext e;

	dcd_foreach(d, check_cb, &c);
	for (uint32_t b = c.next; b < NB; b++)
		if (m->st[b] != M_FREE)
			c.ok = false;
	assert_true(c.ok);
	assert_int_equal(c.acc, dcd_extents_accepted(d));
	for (uint32_t b = 0; b < NB; b++)
		free_blocks += m->st[b] == M_FREE;
	assert_int_equal(dcd_region(d, 0)->free_bytes, free_blocks * BS);
	/* accepted_at walks accepted extents in order */
	uint64_t last = 0;
	for (uint32_t i = 0; i < c.acc; i++) {
		assert_int_equal(dcd_accepted_at(d, i, &e), 0);
		assert_true(e.start >= last);
		assert_int_equal(m->st[(e.start - BASE) / BS], M_ACC);
		last = e.start + e.len;
	}
	for (uint32_t i = 0; i < 8; i++) {
		uint32_t b = rnd(NB), n = 1 + rnd(4);
		bool all = b + n <= NB;

		for (uint32_t k = b; all && k < b + n; k++)
			all = m->st[k] == M_ACC;
		if (b + n <= NB)
			assert_int_equal(dcd_accessible(d, dpa(b), (uint64_t)n * BS), all);
	}
}

static bool all_state(const struct model *m, uint32_t b, uint32_t n, uint8_t st)
{
	for (uint32_t k = b; k < b + n; k++)
		if (m->st[k] != st)
			return false;
	return true;
}

static void test_random_model(void **state)
{
	struct dcd_config c = { .base = BASE, .size = NB * BS, .num_regions = 1,
				.extents_max = 100000, .sanitize = zero_cb };
	struct model m = { 0 };
	struct dcd *d;

	(void)state;
	assert_int_equal(dcd_create(&c, &d), 0);
	for (int step = 0; step < 4000; step++) {
		uint32_t op = rnd(10), b = rnd(NB), n = 1 + rnd(6);
		struct dcd_ext e[4];

		if (b + n > NB)
			n = NB - b;
		if (op < 4) { /* FM add, 1..3 extents */
			uint32_t k = 1 + rnd(3), gap = 0;
			bool ok = true;

			for (uint32_t i = 0; i < k; i++) {
				uint32_t s = (b + gap) % NB, l = 1 + rnd(3);

				if (s + l > NB)
					l = NB - s;
				e[i] = X(dpa(s), (uint64_t)l * BS);
				gap += l + rnd(3);
			}
			/* expected: request non-overlapping and all free */
			for (uint32_t i = 0; i < k; i++) {
				uint32_t s = (uint32_t)((e[i].start - BASE) / BS);

				ok &= all_state(&m, s, (uint32_t)(e[i].len / BS), M_FREE);
				for (uint32_t j = 0; j < i; j++)
					ok &= e[i].start >= e[j].start + e[j].len ||
					      e[j].start >= e[i].start + e[i].len;
			}
			struct dcd_add_req r = { .policy = DCD_SEL_PRESCRIPTIVE, .ext = e, .n = k };
			struct dcd_ext *out;
			size_t no;

			if (ok && m.ngroups == 64)
				continue;
			assert_int_equal(dcd_add(d, &r, &out, &no, NULL),
					 ok ? CXL_RC_SUCCESS : CXL_RC_INVALID_EXTENT_LIST);
			free(out);
			if (ok) {
				uint32_t g = ++m.next_group;

				m.groups[m.ngroups++] = g;
				for (uint32_t i = 0; i < k; i++)
					for (uint64_t x = e[i].start; x < e[i].start + e[i].len; x += BS) {
						m.st[(x - BASE) / BS] = M_PEND;
						m.grp[(x - BASE) / BS] = g;
					}
			}
		} else if (op < 6 && m.ngroups) { /* host answers the oldest group */
			uint32_t g = m.groups[0], k = 0;

			for (uint32_t x = 0; x < NB && k < 4; x++) {
				if (m.st[x] == M_PEND && m.grp[x] == g && rnd(2)) {
					/* a single block keeps the list non-overlapping */
					e[k++] = X(dpa(x), BS);
					x++;
				}
			}
			assert_int_equal(dcd_host_accept(d, e, k, NULL), CXL_RC_SUCCESS);
			for (uint32_t x = 0; x < NB; x++)
				if (m.st[x] == M_PEND && m.grp[x] == g)
					m.st[x] = M_FREE;
			for (uint32_t i = 0; i < k; i++)
				m.st[(e[i].start - BASE) / BS] = M_ACC;
			memmove(m.groups, m.groups + 1, --m.ngroups * sizeof(m.groups[0]));
		} else if (op < 8) { /* host release */
			bool ok = all_state(&m, b, n, M_ACC);

			e[0] = X(dpa(b), (uint64_t)n * BS);
			assert_int_equal(dcd_host_release(d, e, 1, NULL),
					 ok ? CXL_RC_SUCCESS : CXL_RC_INVALID_PHYSICAL_ADDRESS);
			for (uint32_t x = b; ok && x < b + n; x++) {
				m.st[x] = M_FREE;
				m.rel[x] = false;
			}
		} else { /* FM release, forced or not */
			bool forced = op == 9, ok = all_state(&m, b, n, M_ACC);
			bool again = false; /* a release of it is still pending */

			for (uint32_t x = b; ok && !forced && x < b + n; x++)
				again |= m.rel[x];
			e[0] = X(dpa(b), (uint64_t)n * BS);
			assert_int_equal(release(d, e, 1, forced, false),
					 !ok ? CXL_RC_INVALID_PHYSICAL_ADDRESS :
					 again ? CXL_RC_INVALID_EXTENT_LIST : CXL_RC_SUCCESS);
			ok &= !again;
			for (uint32_t x = b; ok && x < b + n; x++) {
				if (forced) {
					m.st[x] = M_FREE;
					m.rel[x] = false;
				} else {
					m.rel[x] = true;
				}
			}
		}
		if (step % 16 == 0)
			verify(d, &m);
	}
	verify(d, &m);
	dcd_destroy(d);
}

/* Many extents in one region: counts and lookups stay right. */
static void test_many_extents(void **state)
{
	struct dcd_config c = { .base = BASE, .size = 64ull << 30, .num_regions = 1,
				.extents_max = 20000 };
	struct dcd_ext e, *out;
	struct dcd *d;
	size_t n;

	(void)state;
	assert_int_equal(dcd_create(&c, &d), 0);
	for (uint32_t i = 0; i < 10000; i++) {
		/* odd blocks, in a scrambled order */
		uint32_t k = (i * 7919u) % 10000u;

		e = X(BASE + (2ull * k + 1) * BS, BS);
		struct dcd_add_req r = { .policy = DCD_SEL_PRESCRIPTIVE, .ext = &e, .n = 1 };

		assert_int_equal(dcd_add(d, &r, &out, &n, NULL), 0);
		free(out);
		assert_int_equal(dcd_host_accept(d, &e, 1, NULL), 0);
	}
	assert_int_equal(dcd_extents_accepted(d), 10000);
	assert_int_equal(dcd_accepted_at(d, 4321, &e), 0);
	assert_int_equal(e.start, BASE + (2ull * 4321 + 1) * BS);
	/* the first contiguous hole of 2 blocks is after the last extent */
	{
		struct dcd_add_req r = { .policy = DCD_SEL_CONTIGUOUS, .length = 2 * BS };

		assert_int_equal(dcd_add(d, &r, &out, &n, NULL), 0);
		assert_int_equal(out[0].start, BASE + 20000ull * BS);
		free(out);
	}
	dcd_destroy(d);
}

/*
 * Thousands of tagged extents, added in offers of 50, accepted whole or in
 * part, split by releases in their middle, then released by tag: the tag
 * sets and the trees span several levels. Lists in chunks match the
 * extent-by-extent ones.
 */
static void test_tags_at_scale(void **state)
{
	enum { N = 3000, OFFER = 50 };
	struct dcd_config c = { .base = BASE, .size = 2 * 32 * RLEN, .num_regions = 2,
				.extents_max = 4 * N };
	uint64_t rlen = 32 * RLEN;
	struct dcd_ext *e = calloc(OFFER, sizeof(*e)), *out, got[7], one;
	struct dcd_release_req tr = { .policy = DCD_RM_TAG };
	uint32_t acc, total = 0;
	struct dcd *d;
	size_t n;

	(void)state;
	assert_non_null(e);
	assert_int_equal(dcd_create(&c, &d), 0);
	/* extent k: 3 blocks at block 4k of region k % 2, tag k % 3 + 1 */
	for (uint32_t i = 0; i < N; i += OFFER) {
		struct dcd_add_req a = { .policy = DCD_SEL_PRESCRIPTIVE, .ext = e, .n = OFFER };
		struct dcd_ext acc_e[OFFER];
		size_t na = 0;

		for (uint32_t j = 0; j < OFFER; j++) {
			uint32_t k = ((i + j) * 7919u) % N;

			e[j] = X(BASE + (k % 2) * rlen + 4ull * (k / 2) * BS, 3 * BS);
			memset(e[j].tag, (int)(k % 3 + 1), DCD_TAG_LEN);
			/* every 5th only its first block, the rest whole */
			acc_e[na++] = k % 5 ? e[j] : X(e[j].start, BS);
		}
		assert_int_equal(dcd_add(d, &a, &out, &n, NULL), 0);
		free(out);
		assert_int_equal(dcd_host_accept(d, acc_e, na, NULL), 0);
	}
	assert_int_equal(dcd_extents_accepted(d), N);
	assert_int_equal(dcd_tags_available(d), 4 * N - 3);
	/* the middle block of every 7th whole extent goes back: it splits in two */
	for (uint32_t k = 0; k < N; k += 7) {
		if (k % 5 == 0)
			continue;
		one = X(BASE + (k % 2) * rlen + (4ull * (k / 2) + 1) * BS, BS);
		assert_int_equal(dcd_host_release(d, &one, 1, NULL), 0);
		total++;
	}
	/* the first block of every 11th: the rest keeps its tag under a new start */
	for (uint32_t k = 1; k < N; k += 11) {
		if (k % 5 == 0 || k % 7 == 0)
			continue;
		one = X(BASE + (k % 2) * rlen + 4ull * (k / 2) * BS, BS);
		assert_int_equal(dcd_host_release(d, &one, 1, NULL), 0);
	}
	acc = dcd_extents_accepted(d);
	assert_int_equal(acc, N + total);
	/* lists: chunks of 7 from every 13th index against one by one */
	for (uint32_t i = 0; i < acc; i += 13) {
		size_t k = dcd_accepted_get(d, i, got, 7);

		assert_int_equal(k, acc - i < 7 ? acc - i : 7);
		for (size_t j = 0; j < k; j++) {
			assert_int_equal(dcd_accepted_at(d, i + (uint32_t)j, &one), 0);
			assert_int_equal(one.start, got[j].start);
			assert_int_equal(one.len, got[j].len);
			assert_memory_equal(one.tag, got[j].tag, DCD_TAG_LEN);
			assert_true(got[j].tag[0] >= 1 && got[j].tag[0] <= 3);
			if (j)
				assert_true(got[j].start > got[j - 1].start);
		}
	}
	assert_int_equal(dcd_accepted_get(d, acc, got, 7), 0);
	/* by tag, region by region: every accepted piece carrying it, in DPA order */
	for (unsigned reg = 0; reg < 2; reg++) {
		for (int tag = 1; tag <= 3; tag++) {
			tr.region = reg;
			memset(tr.tag, tag, DCD_TAG_LEN);
			assert_int_equal(dcd_release(d, &tr, &out, &n, NULL), 0);
			assert_true(n > 100);
			for (size_t j = 0; j < n; j++) {
				assert_int_equal(out[j].tag[0], tag);
				assert_int_equal(dcd_region_of(d, out[j].start, out[j].len), (int)reg);
				if (j)
					assert_true(out[j].start > out[j - 1].start);
			}
			free(out);
		}
	}
	/* the host gives all of it back */
	while ((acc = dcd_extents_accepted(d)) > 0) {
		assert_int_equal(dcd_accepted_at(d, acc / 2, &one), 0);
		assert_int_equal(dcd_host_release(d, &one, 1, NULL), 0);
	}
	assert_int_equal(dcd_tags_available(d), 4 * N);
	assert_int_equal(dcd_region(d, 0)->free_bytes, rlen);
	assert_int_equal(dcd_region(d, 1)->free_bytes, rlen);
	/* and the whole of each region is one free range again */
	{
		struct dcd_add_req a = { .policy = DCD_SEL_CONTIGUOUS, .region = 1, .length = rlen };

		assert_int_equal(dcd_add(d, &a, &out, &n, NULL), 0);
		assert_int_equal(n, 1);
		assert_int_equal(out[0].start, BASE + rlen);
		free(out);
	}
	free(e);
	dcd_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_create_rejects),
		cmocka_unit_test(test_malformed_lists),
		cmocka_unit_test(test_add_accept_subset),
		cmocka_unit_test(test_groups_fifo_and_decline),
		cmocka_unit_test(test_extents_limit),
		cmocka_unit_test(test_free_and_contiguous),
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_release_flow),
		cmocka_unit_test(test_tag_release),
		cmocka_unit_test(test_region_config),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_many_extents),
		cmocka_unit_test(test_tags_at_scale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
