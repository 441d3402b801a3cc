/* SPDX-License-Identifier: MIT */
/*
 * The soak: the RFC pair (16 buffer slots) under 16 forwarded requests in
 * flight (two controllers, 8 tags each) for FAULTS_SOAK_SECONDS (default
 * 60). Every request is answered with the target's Identify, none fails,
 * and neither host's descriptors or anonymous memory grow after a warm-up.
 */
#include <stdio.h>

#include "cxlfm/cxlfm.h"
#include "faults.h"

static void soak(void)
{
	static struct f_pair p;
	unsigned long secs = f_env_ulong("FAULTS_SOAK_SECONDS", 60);
	struct f_usage fm0, fm1, t0, t1;
	char fm_fig[160];
	struct f_load l;
	unsigned long long warm;
	double start, took;

	f_pair_start(&p, "soak", 16, NULL);
	f_load_init(&l, &p.fm, 0x06, 2, 8, 10000);
	f_load_run(&l, 2, NULL, NULL);
	warm = l.ok;
	fm0 = f_usage_of(&p.fm, -1);
	t0 = f_usage_of(&p.tgt, -1);
	start = f_now();
	f_load_run(&l, (double)secs, NULL, NULL);
	F_CHECK(f_load_drain(&l, 15), "%zu requests never answered", f_load_pending(&l));
	took = f_now() - start;
	fm1 = f_usage_of(&p.fm, fm0.fds);
	t1 = f_usage_of(&p.tgt, t0.fds);
	F_CHECK(!l.other && !l.retry && !l.wrong, "%llu failed (first: %s), %llu Retry Required, "
		"%llu wrong answers of %llu", l.other, cxlfm_rc_str(l.first_other), l.retry,
		l.wrong, l.sent);
	F_CHECK(l.ok == l.sent, "%llu sent, %llu answered", l.sent, l.ok);
	snprintf(fm_fig, sizeof(fm_fig), "%s", f_usage_bounded(&fm0, &fm1));
	f_pass("%s forwarded requests in %.0f s (%s/s), 16 in flight, 0 errors; FM host %s; "
	       "target %s", f_num(l.ok - warm), took, f_num((unsigned long long)((double)(l.ok - warm) / took)),
	       fm_fig, f_usage_bounded(&t0, &t1));
}

const struct f_scenario f_soak_scenarios[] = {
	{ "soak", "FAULTS_SOAK_SECONDS (60) at 16 forwarded requests in flight", soak, 120 },
	{ NULL, NULL, NULL, 0 },
};
