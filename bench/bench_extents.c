/* SPDX-License-Identifier: MIT */
/*
 * Extent scaling benchmark (not a test): add, list and release N extents in
 * one DC region of a type-3 device, through its CCIs as the FM and the host
 * drive it:
 *   add      FM Initiate Dynamic Capacity Add (5604h, one extent) + host Add
 *            Dynamic Capacity Response (4802h) + Clear Event Records (0101h)
 *   list     host Get Dynamic Capacity Extent List (4801h), page by page
 *   release  host Release Dynamic Capacity (4803h, one extent)
 * Extents go to slots in a scrambled order. Prints ns per extent for each
 * N and the ratio N=100k / N=1k: a ratio near 1 (log growth) is the goal,
 * 100 would be linear.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dev/t3.h"
#include "proto/le.h"

#define BS (2ull << 20)
#define UNIT (256ull << 20)

static uint64_t zero_clock(void *arg)
{
	(void)arg;
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct result {
	double add, list, release; /* ns per extent */
};

static int check(uint16_t rc, const char *what, uint32_t i)
{
	if (rc) {
		fprintf(stderr, "bench_extents: %s #%u failed, rc 0x%02x\n", what, i, rc);
		return -1;
	}
	return 0;
}

static int run(uint32_t n, struct result *res)
{
	static uint8_t out[4096];
	struct cci_clock clk = { .now_ns = zero_clock };
	uint64_t slots = n, dc_size = (slots * BS + UNIT - 1) / UNIT * UNIT;
	struct t3_config cfg = {
		.id = "bench", .serial = 1, .dc_size = dc_size, .num_dc_regions = 1,
		.dc_extents_max = n + 16,
	};
	const uint8_t clear_all[6] = { EV_LOG_DCD, 1, 0, 0, 0, 0 };
	uint8_t add[32 + 40] = { 0 }, upd[8 + 24] = { 0 }, lst[8];
	struct t3_dev *dev;
	struct cci *fm, *host;
	uint32_t *order;
	size_t out_len;
	double t0;
	uint64_t seen = 0;

	if (t3_create(&cfg, &clk, &dev))
		return -1;
	fm = t3_fm_cci(dev);
	host = t3_host_cci(dev);
	order = malloc(n * sizeof(*order));
	if (!order)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	srand(12345);
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(((uint64_t)rand() << 16 ^ (uint64_t)rand()) % (i + 1));
		uint32_t t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	add[2] = 2; /* prescriptive */
	le32_put(add + 28, 1);
	le32_put(upd, 1);

	t0 = now_ns();
	for (uint32_t i = 0; i < n; i++) {
		uint64_t dpa = (uint64_t)order[i] * BS;

		le64_put(add + 32, dpa);
		le64_put(add + 40, BS);
		le64_put(upd + 8, dpa);
		le64_put(upd + 16, BS);
		if (check(cci_process(fm, 0x5604, add, sizeof(add), out, &out_len), "add", i) ||
		    check(cci_process(host, 0x4802, upd, sizeof(upd), out, &out_len), "accept", i) ||
		    check(cci_process(host, 0x0101, clear_all, 6, out, &out_len), "clear", i))
			goto fail;
	}
	res->add = (now_ns() - t0) / n;

	t0 = now_ns();
	for (uint32_t start = 0; start < n;) {
		le32_put(lst, n);
		le32_put(lst + 4, start);
		if (check(cci_process(host, 0x4801, lst, 8, out, &out_len), "list", start))
			goto fail;
		start += le32_get(out);
		seen += le32_get(out);
		if (!le32_get(out))
			break;
	}
	res->list = (now_ns() - t0) / n;
	if (seen != n) {
		fprintf(stderr, "bench_extents: listed %llu of %u\n", (unsigned long long)seen, n);
		goto fail;
	}

	t0 = now_ns();
	for (uint32_t i = 0; i < n; i++) {
		uint64_t dpa = (uint64_t)order[(i * 7919u) % n] * BS;

		le64_put(upd + 8, dpa);
		if (check(cci_process(host, 0x4803, upd, sizeof(upd), out, &out_len), "release", i))
			goto fail;
	}
	res->release = (now_ns() - t0) / n;
	if (dcd_extents_tracked(t3_dcd(dev)) != 0) {
		fprintf(stderr, "bench_extents: extents left after release\n");
		goto fail;
	}
	free(order);
	t3_destroy(dev);
	return 0;
fail:
	free(order);
	t3_destroy(dev);
	return -1;
}

int main(void)
{
	static const uint32_t sizes[] = { 1000, 10000, 100000 };
	struct result r[3];

	printf("%-8s %12s %12s %12s   (ns per extent)\n", "extents", "add", "list", "release");
	for (unsigned i = 0; i < 3; i++) {
		if (run(sizes[i], &r[i]))
			return 1;
		printf("%-8u %12.0f %12.0f %12.0f\n", sizes[i], r[i].add, r[i].list, r[i].release);
	}
	printf("ratio 100k/1k: add %.2f, list %.2f, release %.2f (linear growth would be 100)\n",
	       r[2].add / r[0].add, r[2].list / r[0].list, r[2].release / r[0].release);
	return 0;
}
