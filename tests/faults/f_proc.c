/* SPDX-License-Identifier: MIT */
/*
 * Issue #13 classes 8 and 9: a second SIGTERM while cxl-emu shuts down, and
 * a DC release of capacity whose release the host has not answered yet.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "faults.h"
#include "proto/cci.h"

#define MiB (1024ull * 1024)

/* Class 8: two SIGTERMs 0-3 ms apart; every run exits 0. */
static void double_sigterm(void)
{
	static struct emu_proc h;
	const int runs = 28;
	int clean = 0, first_bad = 0;

	for (int i = 0; i < runs; i++) {
		struct e2e_argv a = { .n = 0 };
		unsigned gap_us = (unsigned)(i % 7) * 500; /* 0, 0.5 ... 3 ms */
		int st;

		f_dcd_host_argv(&a, NULL);
		f_emu_start(&h, a.v);
		kill(h.pid, SIGTERM);
		if (gap_us)
			usleep(gap_us);
		kill(h.pid, SIGTERM);
		st = f_emu_wait(&h, 10);
		if (st == 0)
			clean++;
		else if (!first_bad)
			first_bad = st;
		e2e_rmdir(h.run_dir);
		h.run_dir[0] = 0;
	}
	F_CHECK(clean == runs, "%d of %d runs exited 0 (another: %d)", clean, runs, first_bad);
	f_pass("%d/%d runs exited 0 with a second SIGTERM 0-3 ms after the first", clean, runs);
}

/* Until the FM reads want extents through ep (or 10 s): what it reads. */
static size_t wait_fm_extents(struct cxlfm_ep *ep, size_t want)
{
	struct f_extents e = { 0 };
	double t0 = f_now();
	size_t n = (size_t)-1;

	while (f_now() - t0 < 10) {
		int rc = f_fm_extents(ep, &e);

		F_CHECK(rc == 0, "Get DC Region Extent Lists: %s", cxlfm_rc_str(rc));
		if ((n = e.n) == want)
			break;
		f_sleep_ms(10);
	}
	f_extents_free(&e);
	return n;
}

/*
 * Class 9: through the forwarding, release an extent the host holds while
 * the host is slow to answer (delay-ms 1000), then release it again before
 * it has: refused with Invalid Extent List, and the host gets one Release
 * Capacity event and gives the extent back once.
 */
static void release_pending(void)
{
	static struct f_pair p;
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	uint64_t base, released_between;
	double t0, gap;
	int q, rc1, rc2;

	f_pair_start(&p, "relp", 1, NULL);
	q = f_qmp(&p.tgt);
	ctx = f_fm_open(&p.fm, 0x10, 10000);
	ep = f_fm_ep(ctx, 0x06);
	base = f_dc_base(ep);
	F_CHECK(f_dc_add(ep, base, 2 * MiB) == 0, "Initiate DC Add");
	F_CHECK(wait_fm_extents(ep, 1) == 1, "the host did not accept the extent");
	json_object_put(f_qmp_ok(q, "x-cxl-host-agent", "{\"path\": \"cxl-dcd0\", "
				 "\"action\": \"set\", \"delay-ms\": 1000}"));
	rc1 = f_dc_release(ep, base, 2 * MiB);
	t0 = f_now();
	rc2 = f_dc_release(ep, base, 2 * MiB);
	gap = f_now() - t0;
	released_between = f_ha_stat(q, "cxl-dcd0", "released");
	F_CHECK(rc1 == 0, "first release: %s", cxlfm_rc_str(rc1));
	F_CHECK(released_between == 0, "the host answered within %.0f ms: nothing was pending",
		gap * 1e3);
	F_CHECK(rc2 == CXL_RC_INVALID_EXTENT_LIST, "second release while pending: %s",
		cxlfm_rc_str(rc2));
	F_CHECK(wait_fm_extents(ep, 0) == 0, "the host did not release the extent");
	F_CHECK(f_ha_stat(q, "cxl-dcd0", "released") == 1, "released %llu times",
		(unsigned long long)f_ha_stat(q, "cxl-dcd0", "released"));
	F_CHECK(f_ha_stat(q, "cxl-dcd0", "records") == 2, "%llu event records (1 add + 1 release)",
		(unsigned long long)f_ha_stat(q, "cxl-dcd0", "records"));
	close(q);
	cxlfm_close(ctx);
	f_pass("a second 5605h %.1f ms after the first, before the host answered: \"%s\"; the "
	       "host got one Release Capacity event and released the extent once",
	       gap * 1e3, cxlfm_rc_str(rc2));
}

const struct f_scenario f_proc_scenarios[] = {
	{ "double-sigterm", "#13.8: a second SIGTERM 0-3 ms after the first", double_sigterm, 0 },
	{ "release-pending", "#13.9: a DC release while a release of the extent is pending",
	  release_pending, 0 },
	{ NULL, NULL, NULL, 0 },
};
