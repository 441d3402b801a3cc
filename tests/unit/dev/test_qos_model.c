/* SPDX-License-Identifier: MIT */
/*
 * The QoS load model (docs/qos.md): each step against figures worked out by
 * hand from the equations there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dev/qos_model.h"

static struct qos_in two(uint8_t l0, uint8_t l1)
{
	return (struct qos_in){
		.ctl = { .moderate_pct = 10, .severe_pct = 25, .sample_interval = 8, .ccint = 64 },
		.n = 2,
		.load_pct = { l0, l1 },
	};
}

/* Under the link's bandwidth everyone gets what it offers; no congestion. */
static void test_under_capacity(void **state)
{
	struct qos_in in = two(60, 40);
	struct qos_out o;

	(void)state;
	qos_model_run(&in, &o);
	assert_int_equal(o.offered[0], 6000);
	assert_int_equal(o.limit[0], QOS_NO_LIMIT);
	assert_int_equal(o.demand, 10000);
	assert_int_equal(o.delivered[0], 6000);
	assert_int_equal(o.delivered[1], 4000);
	assert_int_equal(o.raw_backpressure, 0);
	assert_int_equal(o.total_load, QOS_LOAD_OPTIMAL); /* the link is full */
	assert_int_equal(o.devload[0], QOS_LOAD_OPTIMAL);
	in.load_pct[0] = 50;
	qos_model_run(&in, &o);
	assert_int_equal(o.total_load, QOS_LOAD_LIGHT);
	assert_int_equal(o.devload[1], QOS_LOAD_LIGHT);
	assert_false(o.arbitrated);
}

/*
 * 80 % + 60 %: 14000 bp for a 10000 bp link. Backpressure round(100 * 4000 /
 * 14000) = 29. Without the congestion mechanism nobody is told: shares are
 * proportional, 8000 * 10000 / 14000 = 5714 and 4285; Get QoS Status says 0.
 */
static void test_over_capacity_unmeasured(void **state)
{
	struct qos_in in = two(80, 60);
	struct qos_out o;

	(void)state;
	qos_model_run(&in, &o);
	assert_int_equal(o.demand, 14000);
	assert_int_equal(o.raw_backpressure, 29);
	assert_int_equal(o.backpressure, 0);
	assert_int_equal(o.congestion, QOS_LOAD_LIGHT);
	assert_false(o.arbitrated);
	assert_int_equal(o.delivered[0], 5714);
	assert_int_equal(o.delivered[1], 4285);
	/* enabled without a sample interval: still not measured (§3.3.4.3.9) */
	in.ctl.control = QOS_CTL_EGRESS_CONGESTION;
	in.ctl.sample_interval = 0;
	qos_model_run(&in, &o);
	assert_int_equal(o.backpressure, 0);
	assert_false(o.arbitrated);
}

/* Measured: 29 >= severe 25; the link is shared by allocation. */
static void test_arbitration(void **state)
{
	struct qos_in in = two(80, 60);
	struct qos_out o;

	(void)state;
	in.ctl.control = QOS_CTL_EGRESS_CONGESTION;
	qos_model_run(&in, &o);
	assert_int_equal(o.backpressure, 29);
	assert_int_equal(o.congestion, QOS_LOAD_SEVERE);
	assert_true(o.arbitrated);
	/* no allocations: an even split, 5000 each, both over it */
	assert_int_equal(o.delivered[0], 5000);
	assert_int_equal(o.delivered[1], 5000);
	assert_int_equal(o.devload[0], QOS_LOAD_SEVERE);
	assert_int_equal(o.devload[1], QOS_LOAD_SEVERE);
	/* 3/4 and 1/4: 7500 and 2500, both still over */
	in.alloc[0] = 192;
	in.alloc[1] = 64;
	qos_model_run(&in, &o);
	assert_int_equal(o.delivered[0], 7500);
	assert_int_equal(o.delivered[1], 2500);
	/* 1/4 and 3/4: LD1 needs 6000 of its 7500, LD0 gets the other 4000 */
	in.alloc[0] = 64;
	in.alloc[1] = 192;
	qos_model_run(&in, &o);
	assert_int_equal(o.delivered[0], 4000);
	assert_int_equal(o.delivered[1], 6000);
	assert_int_equal(o.devload[0], QOS_LOAD_SEVERE);
	assert_int_equal(o.devload[1], QOS_LOAD_MODERATE);
	/* severe at 30: 29 is moderate congestion */
	in.ctl.severe_pct = 30;
	qos_model_run(&in, &o);
	assert_int_equal(o.congestion, QOS_LOAD_MODERATE);
	assert_int_equal(o.devload[0], QOS_LOAD_MODERATE);
	assert_int_equal(o.devload[1], QOS_LOAD_OPTIMAL);
	/* moderate at 30 too: below both thresholds, proportional again */
	in.ctl.moderate_pct = 30;
	qos_model_run(&in, &o);
	assert_int_equal(o.congestion, QOS_LOAD_LIGHT);
	assert_false(o.arbitrated);
	assert_int_equal(o.delivered[0], 5714);
	/* an allocated LD first, the LD without one gets what is left */
	in.ctl.moderate_pct = 10;
	in.alloc[0] = 0;
	in.alloc[1] = 1;
	qos_model_run(&in, &o);
	assert_int_equal(o.delivered[1], 6000);
	assert_int_equal(o.delivered[0], 4000);
}

/*
 * Limits: ReqCmpBasis 100 is the device's bandwidth. LD0 at 1/2 = 5000 bp,
 * LD1 at 255/256 = 9960 bp. 80 % + 60 %: admitted 5000 + 6000 = 11000,
 * backpressure round(100 * 1000 / 11000) = 9, under moderate 10.
 */
static void test_limits(void **state)
{
	struct qos_in in = two(80, 60);
	struct qos_out o;

	(void)state;
	in.ctl.control = QOS_CTL_EGRESS_CONGESTION;
	in.ctl.reqcmp_basis = 100;
	in.limit[0] = 128;
	in.limit[1] = 255;
	qos_model_run(&in, &o);
	assert_int_equal(o.limit[0], 5000);
	assert_int_equal(o.limit[1], 9960);
	assert_int_equal(o.admitted[0], 5000);
	assert_int_equal(o.admitted[1], 6000);
	assert_int_equal(o.backpressure, 9);
	assert_false(o.arbitrated);
	assert_int_equal(o.delivered[0], 4545);
	assert_int_equal(o.delivered[1], 5454);
	assert_int_equal(o.devload[0], QOS_LOAD_MODERATE); /* over its limit */
	assert_int_equal(o.devload[1], QOS_LOAD_OPTIMAL);
	/* the FM lowers LD0's limit to 1/4: 2500 + 6000 fit, no backpressure */
	in.limit[0] = 64;
	qos_model_run(&in, &o);
	assert_int_equal(o.delivered[0], 2500);
	assert_int_equal(o.delivered[1], 6000);
	assert_int_equal(o.backpressure, 0);
	assert_int_equal(o.devload[0], QOS_LOAD_MODERATE);
	assert_int_equal(o.devload[1], QOS_LOAD_LIGHT);
	/* a limit of 0 admits nothing */
	in.limit[1] = 0;
	qos_model_run(&in, &o);
	assert_int_equal(o.delivered[1], 0);
	/* ReqCmpBasis 0 or Completion Collection Interval 0: no limits */
	in.ctl.ccint = 0;
	qos_model_run(&in, &o);
	assert_int_equal(o.limit[1], QOS_NO_LIMIT);
	assert_int_equal(o.admitted[1], 6000);
	in.ctl.ccint = 64;
	in.ctl.reqcmp_basis = 0;
	qos_model_run(&in, &o);
	assert_int_equal(o.admitted[0], 8000);
	/* ReqCmpBasis above the device's 100 loosens them: 64 * 400 / 256 = 100 % */
	in.ctl.reqcmp_basis = 400;
	qos_model_run(&in, &o);
	assert_int_equal(o.limit[0], 10000);
}

/* Bounds: 16 LDs at 200 % (32 times the link), one LD over the link. */
static void test_bounds(void **state)
{
	struct qos_in in = { .n = 16, .ctl = { .moderate_pct = 100, .severe_pct = 100 } };
	struct qos_out o;

	(void)state;
	memset(in.load_pct, 200, sizeof(in.load_pct));
	qos_model_run(&in, &o);
	assert_int_equal(o.demand, 320000);
	assert_int_equal(o.raw_backpressure, 97); /* round(100 * 310000 / 320000) */
	assert_int_equal(o.delivered[15], 625);
	in.n = 1;
	in.load_pct[0] = 255;
	qos_model_run(&in, &o);
	assert_int_equal(o.delivered[0], 10000);
	assert_int_equal(o.raw_backpressure, 61); /* round(100 * 15500 / 25500) */
	in.load_pct[0] = 100;
	qos_model_run(&in, &o);
	assert_int_equal(o.raw_backpressure, 0);
	assert_string_equal(qos_load_name(QOS_LOAD_SEVERE), "severe");
	assert_string_equal(qos_load_name(9), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_under_capacity),
		cmocka_unit_test(test_over_capacity_unmeasured),
		cmocka_unit_test(test_arbitration),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
