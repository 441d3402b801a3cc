/* SPDX-License-Identifier: MIT */
/*
 * MLD QoS (CXL r3.1 §7.6.7.4.4-.10, 5403h-5409h) on a 4-LD device's FM-owned
 * LD: every answer byte for byte, every error with the state left as it was,
 * and Get QoS Status following the load model (docs/qos.md); the SLD's
 * 4702h following the same model.
 */
#include "t3_fixture.h"

#include <errno.h>

static struct t3_config mld4(void)
{
	return (struct t3_config){ .id = "mld0", .serial = 5, .vmem_size = 1024 * MiB,
				   .num_ld = 4 };
}

/* 5403h Get QoS Control: the defaults of Table 7-50. */
static void test_get_control(void **state)
{
	struct fx *f = fx_new(mld4());
	const uint8_t want[7] = { 0x00, 10, 25, 8, 0, 0, 64 };

	(void)state;
	assert_int_equal(fm(f, 0x5403, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 7);
	assert_memory_equal(f->out, want, 7);
	assert_int_equal(fm(f, 0x5403, want, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/* 5404h Set QoS Control: the response is the controls in effect; ranges enforced. */
static void test_set_control(void **state)
{
	struct fx *f = fx_new(mld4());
	uint8_t in[7] = { 0xff, 20, 40, 15, 0x34, 0x12, 0 };
	const uint8_t want[7] = { 0x03, 20, 40, 15, 0x34, 0x12, 0 };
	/* each out-of-range field: (offset, value) */
	const uint8_t bad[][2] = { { 1, 0 }, { 1, 101 }, { 2, 0 }, { 2, 101 }, { 3, 16 } };

	(void)state;
	assert_int_equal(fm(f, 0x5404, in, 7), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 7);
	assert_memory_equal(f->out, want, 7); /* reserved control bits dropped */
	assert_int_equal(fm(f, 0x5403, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want, 7);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t b[7] = { 0, 30, 50, 4, 1, 0, 9 };

		b[bad[i][0]] = bad[i][1];
		assert_int_equal(fm(f, 0x5404, b, 7), CXL_RC_INVALID_INPUT);
		assert_int_equal(f->out_len, 0);
		assert_int_equal(fm(f, 0x5403, NULL, 0), CXL_RC_SUCCESS);
		assert_memory_equal(f->out, want, 7); /* unchanged */
	}
	assert_int_equal(fm(f, 0x5404, in, 6), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(fm(f, 0x5404, in, 8), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* the bounds themselves are valid */
	in[1] = 1;
	in[2] = 100;
	in[3] = 0;
	assert_int_equal(fm(f, 0x5404, in, 7), CXL_RC_SUCCESS);
	fx_free(f);
}

static void frac_cmds(uint16_t get, uint16_t set)
{
	struct fx *f = fx_new(mld4());
	uint8_t in[2 + 4] = { 4, 0 };
	const uint8_t zero[6] = { 4, 0, 0, 0, 0, 0 };
	uint8_t s[2 + 3] = { 3, 1, 0x40, 0x80, 0xff };
	const uint8_t after[6] = { 4, 0, 0x00, 0x40, 0x80, 0xff };

	assert_int_equal(fm(f, get, in, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 6);
	assert_memory_equal(f->out, zero, 6); /* default 0 */
	assert_int_equal(fm(f, set, s, sizeof(s)), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, sizeof(s));
	assert_memory_equal(f->out, s, sizeof(s));
	assert_int_equal(fm(f, get, in, 2), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, after, 6);
	/* a slice: LDs 2..3 */
	in[0] = 2;
	in[1] = 2;
	assert_int_equal(fm(f, get, in, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4);
	assert_memory_equal(f->out, ((const uint8_t[]){ 2, 2, 0x80, 0xff }), 4);
	/* Get: n = 0, LDs past the device, wrong lengths */
	in[0] = 0;
	assert_int_equal(fm(f, get, in, 2), CXL_RC_INVALID_INPUT);
	in[0] = 3; /* 2..4 */
	assert_int_equal(fm(f, get, in, 2), CXL_RC_INVALID_INPUT);
	in[0] = 1;
	in[1] = 4;
	assert_int_equal(fm(f, get, in, 2), CXL_RC_INVALID_INPUT);
	in[0] = 16;
	in[1] = 0; /* what libcxlmi's test asks of any MLD */
	assert_int_equal(fm(f, get, in, 2), CXL_RC_INVALID_INPUT);
	assert_int_equal(fm(f, get, in, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(fm(f, get, in, 3), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* Set: length disagreeing with n, n = 0, LDs past the device: nothing set */
	s[2] = 0x11;
	assert_int_equal(fm(f, set, s, sizeof(s) - 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(fm(f, set, s, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	s[0] = 0;
	assert_int_equal(fm(f, set, s, 2), CXL_RC_INVALID_INPUT);
	s[0] = 3;
	s[1] = 2; /* 2..4 */
	assert_int_equal(fm(f, set, s, sizeof(s)), CXL_RC_INVALID_INPUT);
	assert_int_equal(f->out_len, 0);
	in[0] = 4;
	in[1] = 0;
	assert_int_equal(fm(f, get, in, 2), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, after, 6);
	fx_free(f);
}

/* 5406h / 5407h and 5408h / 5409h share their layout (Tables 7-52 to 7-57). */
static void test_allocated_bw(void **state)
{
	(void)state;
	frac_cmds(0x5406, 0x5407);
}

static void test_bw_limit(void **state)
{
	(void)state;
	frac_cmds(0x5408, 0x5409);
}

/* The two arrays are separate state. */
static void test_arrays_apart(void **state)
{
	struct fx *f = fx_new(mld4());
	const uint8_t s[3] = { 1, 0, 0x99 };
	const uint8_t in[2] = { 1, 0 };

	(void)state;
	assert_int_equal(fm(f, 0x5407, s, 3), CXL_RC_SUCCESS);
	assert_int_equal(fm(f, 0x5408, in, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out[2], 0);
	assert_int_equal(fm(f, 0x5406, in, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out[2], 0x99);
	fx_free(f);
}

static uint8_t status(struct fx *f)
{
	assert_int_equal(fm(f, 0x5405, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 1);
	return f->out[0];
}

/*
 * 5405h Get QoS Status follows the model: LD0 80 %, LD1 60 %, nothing
 * limited: 14000 bp on a 10000 bp link, backpressure round(100 * 4000 /
 * 14000) = 29 once measured (control bit0 and an interval); the FM limits
 * LD0 to 1/4 of ReqCmpBasis 100 = 2500 bp (limits count once ReqCmpBasis is
 * set): 8500 fit, 0.
 */
static void test_status_model(void **state)
{
	struct fx *f = fx_new(mld4());
	const uint8_t load[2] = { 80, 60 };
	uint8_t ctl[7] = { 0x00, 10, 25, 8, 0, 0, 64 };
	const uint8_t lim[6] = { 4, 0, 64, 255, 255, 255 };
	struct qos_in in;
	struct qos_out out;

	(void)state;
	assert_int_equal(status(f), 0);
	assert_int_equal(t3_qos_set_load(f->dev, 0, load, 2), 0);
	assert_int_equal(status(f), 0); /* not measured */
	ctl[0] = 0x01;
	assert_int_equal(fm(f, 0x5404, ctl, 7), CXL_RC_SUCCESS);
	assert_int_equal(status(f), 29);
	t3_qos_model(f->dev, &in, &out);
	assert_int_equal(out.delivered[0], 5000); /* severe: even split, no allocations */
	assert_int_equal(fm(f, 0x5409, lim, sizeof(lim)), CXL_RC_SUCCESS);
	assert_int_equal(status(f), 29); /* ReqCmpBasis 0: limits off */
	ctl[4] = 100;
	assert_int_equal(fm(f, 0x5404, ctl, 7), CXL_RC_SUCCESS);
	assert_int_equal(status(f), 0);
	t3_qos_model(f->dev, &in, &out);
	assert_int_equal(out.delivered[0], 2500);
	assert_int_equal(out.delivered[1], 6000);
	ctl[3] = 0; /* no sampling: 0 */
	ctl[4] = 0; /* no limits either */
	assert_int_equal(fm(f, 0x5404, ctl, 7), CXL_RC_SUCCESS);
	assert_int_equal(status(f), 0);
	t3_qos_model(f->dev, &in, &out);
	assert_int_equal(out.raw_backpressure, 29);
	/* loads on LDs the device lacks: refused, unchanged */
	assert_int_equal(t3_qos_set_load(f->dev, 3, load, 2), -EINVAL);
	assert_int_equal(t3_qos_set_load(f->dev, 5, load, 0), -EINVAL);
	t3_qos_model(f->dev, &in, &out);
	assert_int_equal(in.load_pct[0], 80);
	assert_int_equal(in.load_pct[3], 0);
	assert_int_equal(t3_qos_set_load(f->dev, 3, load, 1), 0);
	t3_qos_model(f->dev, &in, &out);
	assert_int_equal(in.load_pct[3], 80);
	fx_free(f);
}

/* An SLD has the 47xxh commands, not these; its 4702h follows the same model. */
static void test_sld(void **state)
{
	struct fx *f = fx_new((struct t3_config){ .id = "sld", .serial = 6,
						  .vmem_size = 256 * MiB });
	const uint8_t ctl[4] = { 0x01, 10, 25, 8 };
	struct qos_in in;
	struct qos_out out;

	(void)state;
	assert_int_equal(fm(f, 0x5403, NULL, 0), CXL_RC_UNSUPPORTED);
	assert_int_equal(fm(f, 0x5405, NULL, 0), CXL_RC_UNSUPPORTED);
	assert_int_equal(host(f, 0x4701, ctl, 4), CXL_RC_SUCCESS);
	/* 100 %: the link is full, no excess */
	assert_int_equal(t3_qos_set_load(f->dev, 0, (const uint8_t[]){ 100 }, 1), 0);
	assert_int_equal(host(f, 0x4702, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0);
	/* 150 %: round(100 * 5000 / 15000) = 33, on the host mailbox and over MCTP */
	assert_int_equal(t3_qos_set_load(f->dev, 0, (const uint8_t[]){ 150 }, 1), 0);
	assert_int_equal(host(f, 0x4702, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 33);
	assert_int_equal(fm(f, 0x4702, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 33);
	t3_qos_model(f->dev, &in, &out);
	assert_int_equal(out.delivered[0], 10000);
	assert_int_equal(out.backpressure, 33);
	/* sampling off: 0 */
	assert_int_equal(host(f, 0x4701, ((const uint8_t[]){ 0x01, 10, 25, 0 }), 4),
			 CXL_RC_SUCCESS);
	assert_int_equal(host(f, 0x4702, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0);
	assert_int_equal(t3_qos_set_load(f->dev, 1, (const uint8_t[]){ 1 }, 1), -EINVAL);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_control),
		cmocka_unit_test(test_set_control),
		cmocka_unit_test(test_allocated_bw),
		cmocka_unit_test(test_bw_limit),
		cmocka_unit_test(test_arrays_apart),
		cmocka_unit_test(test_status_model),
		cmocka_unit_test(test_sld),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
