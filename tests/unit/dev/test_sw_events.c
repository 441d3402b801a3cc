/* SPDX-License-Identifier: MIT */
/*
 * A switch's event logs (CXL r3.1 §7.6.8: Physical Switch, Virtual CXL
 * Switch and MLD Port event records, read with Get / Clear Event Records on
 * both CCIs, the interrupt policies) and its domain validation secret values
 * (§7.6.7.1.5-.8, 5104h-5107h): every record and answer byte for byte, every
 * error with the state left as it was.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dev/cci.h"
#include "dev/sw.h"
#include "proto/le.h"

#define MS 1000000ull

static uint64_t now;
static uint64_t clock_fn(void *arg)
{
	(void)arg;
	return now;
}
static const struct cci_clock clk = { .now_ns = clock_fn };

/* us0: USP port 9; DSPs 1 (an SLD), 2 (an MLD of 4 LDs), 4 (empty). */
static const struct sw_port_cfg dsps[] = { { .port = 1 }, { .port = 2 }, { .port = 4 } };

struct fx {
	struct sw_dev *sw;
	struct cci *mbox, *mctp;
	uint8_t out[2048];
	size_t out_len;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const struct sw_config cfg = { .id = "us0", .usp = { .port = 9 }, .n_dsp = 3,
				       .dsps = dsps, .bind_duration_ns = 1 * MS };

	assert_non_null(f);
	now = 0;
	assert_int_equal(sw_create(&cfg, &clk, &f->sw), 0);
	assert_int_equal(sw_attach(f->sw, 0, &(struct sw_attached){
		.dev_type = SW_DEV_CXL_TYPE3_SLD, .id = "sld" }), 0);
	assert_int_equal(sw_attach(f->sw, 1, &(struct sw_attached){
		.dev_type = SW_DEV_CXL_TYPE3_MLD, .ld_count = 4, .id = "mld" }), 0);
	f->mbox = sw_mbox_cci(f->sw);
	f->mctp = sw_mctp_cci(f->sw);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	sw_destroy(f->sw);
	free(f);
	return 0;
}

static uint16_t run(struct fx *f, struct cci *c, uint16_t op, const void *in, size_t len)
{
	memset(f->out, 0xa5, sizeof(f->out));
	return cci_process(c, op, in, len, f->out, &f->out_len);
}

/* Get Event Records of log on c: the number of records (header checked). */
static unsigned records(struct fx *f, struct cci *c, uint8_t log)
{
	assert_int_equal(run(f, c, 0x0100, &log, 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 32u + 128u * le16_get(f->out + 20));
	return le16_get(f->out + 20);
}

/* A record's 48-byte header: the UUID, length 128, flags, handle, timestamp. */
static void expect_hdr(const uint8_t *r, const uint8_t uuid[16], uint8_t sev, uint16_t handle,
		       uint64_t ts)
{
	uint8_t want[48] = { 0 };

	memcpy(want, uuid, 16);
	want[16] = 128;
	want[17] = sev;
	le16_put(want + 20, handle);
	le64_put(want + 24, ts);
	assert_memory_equal(r, want, 48);
}

static const uint8_t uuid_phys[16] = { 0x77, 0xcf, 0x92, 0x71, 0x9c, 0x02, 0x47, 0x0b,
				       0x9f, 0xe4, 0xbc, 0x7b, 0x75, 0xf2, 0xda, 0x97 };
static const uint8_t uuid_vcs[16] = { 0x40, 0xd2, 0x64, 0x25, 0x33, 0x96, 0x4c, 0x4d,
				      0xa5, 0xda, 0x3d, 0x47, 0x26, 0x3a, 0xf4, 0x25 };
static const uint8_t uuid_mld[16] = { 0x8d, 0xc4, 0x43, 0x63, 0x0c, 0x96, 0x47, 0x10,
				      0xb7, 0xbf, 0x04, 0xbb, 0x99, 0x53, 0x4c, 0x3f };

static void port_control(struct fx *f, uint8_t port, uint8_t op)
{
	const uint8_t in[2] = { port, op };

	assert_int_equal(run(f, f->mbox, 0x5102, in, 2), CXL_RC_SUCCESS);
}

/*
 * PERST# on port 1 (the SLD's): a Link State Change record each time, the
 * port as Get Physical Port State shows it, stamped with the switch's time.
 */
static void test_perst_records(void **state)
{
	struct fx *f = *state;
	uint8_t ts[8];
	/* Table 7-79 bytes 30h..42h: port, type, slot status, rsvd, state, mode,
	 * rsvd, device type, CXL modes, widths, speeds, LTSSM, lane, flags */
	const uint8_t down[19] = { 1, 0x00, 0x40, 0x01, 0, 0x03, 0x00, 0, 0x04, 0x06,
				   0x10, 0x00, 0x3f, 6, 0, 0x00, 0, 0x06, 0x00 };
	const uint8_t up[19] = { 1, 0x00, 0x40, 0x01, 0, 0x03, 0x02, 0, 0x04, 0x06,
				 0x10, 0x10, 0x3f, 6, 6, 0x04, 0, 0x04, 0x00 };
	uint8_t rest[80 - 19] = { 0 };

	(void)state;
	assert_int_equal(records(f, f->mbox, 0), 0);
	le64_put(ts, 1000);
	assert_int_equal(run(f, f->mbox, 0x0301, ts, 8), CXL_RC_SUCCESS);
	now = 5;
	port_control(f, 1, 0);
	now = 5 + 100 * MS; /* PERST# held its 100 ms */
	port_control(f, 1, 1);
	/* the same two records on both CCIs */
	for (int i = 0; i < 2; i++) {
		struct cci *c = i ? f->mctp : f->mbox;

		assert_int_equal(records(f, c, 0), 2);
		expect_hdr(f->out + 32, uuid_phys, 0, 1, 1005);
		assert_memory_equal(f->out + 32 + 48, down, sizeof(down));
		assert_memory_equal(f->out + 32 + 48 + 19, rest, sizeof(rest));
		expect_hdr(f->out + 160, uuid_phys, 0, 2, 1005 + 100 * MS);
		assert_memory_equal(f->out + 160 + 48, up, sizeof(up));
		assert_int_equal(f->out[0], 0); /* no overflow, no more */
	}
	assert_int_equal(records(f, f->mbox, 1), 0);
	/* a refused control logs nothing */
	assert_int_equal(run(f, f->mbox, 0x5102, (const uint8_t[]){ 1, 1 }, 2),
			 CXL_RC_INTERNAL_ERROR);
	assert_int_equal(records(f, f->mbox, 0), 2);
}

/* Bind / unbind completion: a Virtual CXL Switch record with the binding now. */
static void test_binding_records(void **state)
{
	struct fx *f = *state;
	const uint8_t unbound[6] = { 0, 2, 0x00, 0x00, 0xff, 0xff };
	const uint8_t bound_ld[6] = { 0, 2, 0x00, 0x03, 2, 3 };
	uint8_t in[6] = { 0, 2, 0 };

	(void)state;
	assert_int_equal(run(f, f->mctp, 0x5202, in, 3), CXL_RC_BG_STARTED);
	assert_int_equal(records(f, f->mbox, 0), 0); /* not before it completes */
	now += 1 * MS;
	sw_tick(f->sw);
	assert_int_equal(records(f, f->mbox, 0), 1);
	expect_hdr(f->out + 32, uuid_vcs, 0, 1, 0);
	assert_memory_equal(f->out + 80, unbound, sizeof(unbound));
	assert_memory_equal(f->out + 86, (const uint8_t[74]){ 0 }, 74);
	/* bind vPPB 2 to LD 3 of the MLD on port 2 */
	in[2] = 2;
	in[4] = 3;
	assert_int_equal(run(f, f->mbox, 0x5201, in, 6), CXL_RC_BG_STARTED);
	now += 1 * MS;
	sw_tick(f->sw);
	assert_int_equal(records(f, f->mctp, 0), 2);
	assert_memory_equal(f->out + 160 + 48, bound_ld, sizeof(bound_ld));
	/* a refused bind: nothing */
	assert_int_equal(run(f, f->mbox, 0x5201, in, 6), CXL_RC_INVALID_INPUT);
	now += 1 * MS;
	sw_tick(f->sw);
	assert_int_equal(records(f, f->mctp, 0), 2);
}

/* Hot-add and hot-remove: Slot Status Register Updated, Presence Detect Changed. */
static void test_hotplug_records(void **state)
{
	struct fx *f = *state;

	(void)state;
	assert_int_equal(sw_hot_add(f->sw, 2, &(struct sw_attached){
		.dev_type = SW_DEV_CXL_TYPE3_SLD, .id = "new" }), 0);
	assert_int_equal(sw_detach(f->sw, 2), 0);
	assert_int_equal(records(f, f->mbox, 0), 2);
	/* port 4, type 01h, slot status PDC | PDS | DLLSC, then PDC | DLLSC */
	assert_memory_equal(f->out + 80, ((const uint8_t[]){ 4, 0x01, 0x48, 0x01 }), 4);
	assert_int_equal(f->out[80 + 8], SW_DEV_CXL_TYPE3_SLD);
	assert_int_equal(f->out[80 + 15], 0x04); /* L0 */
	assert_memory_equal(f->out + 208, ((const uint8_t[]){ 4, 0x01, 0x08, 0x01 }), 4);
	assert_int_equal(f->out[208 + 8], SW_DEV_NONE);
	assert_int_equal(f->out[208 + 15], 0x00); /* Detect */
	/* a failed hot-add (port taken) logs nothing */
	assert_int_equal(sw_hot_add(f->sw, 0, &(struct sw_attached){
		.dev_type = SW_DEV_CXL_TYPE3_SLD }), -EEXIST);
	assert_int_equal(sw_detach(f->sw, 2), -ENODEV);
	assert_int_equal(records(f, f->mbox, 0), 2);
}

/* MLD Port records: ERR_COR in the warning log, ERR_FATAL in failure. */
static void test_mld_port_records(void **state)
{
	struct fx *f = *state;
	const uint8_t cor[12] = { 0x00, 2, 0, 0, 0x30, 0, 0, 0, 0, 0, 0, 0x30 };
	const uint8_t fatal[12] = { 0x02, 2, 0, 0, 0x30, 0, 0, 0, 0, 0, 0, 0x33 };

	(void)state;
	assert_int_equal(sw_mld_port_error(f->sw, 1, 0), 0);
	assert_int_equal(sw_mld_port_error(f->sw, 1, 2), 0);
	assert_int_equal(records(f, f->mctp, 1), 1);
	expect_hdr(f->out + 32, uuid_mld, 1, 1, 0);
	assert_memory_equal(f->out + 80, cor, sizeof(cor));
	assert_int_equal(records(f, f->mctp, 2), 1);
	expect_hdr(f->out + 32, uuid_mld, 2, 1, 0);
	assert_memory_equal(f->out + 80, fatal, sizeof(fatal));
	/* not an MLD, no such port, no such message */
	assert_int_equal(sw_mld_port_error(f->sw, 0, 0), -EINVAL);
	assert_int_equal(sw_mld_port_error(f->sw, 1, 3), -EINVAL);
	assert_int_equal(sw_mld_port_error(f->sw, 3, 0), -ENOENT);
	assert_int_equal(records(f, f->mctp, 1) + records(f, f->mctp, 2), 2);
	assert_int_equal(records(f, f->mctp, 0), 0);
}

/* Clear Event Records on one CCI empties the log both read; errors keep it. */
static void test_clear_and_errors(void **state)
{
	struct fx *f = *state;
	uint8_t clr[8] = { 0, 0, 1, 0, 0, 0, 2, 0 };

	(void)state;
	port_control(f, 4, 0);
	now += 100 * MS;
	port_control(f, 4, 1);
	assert_int_equal(records(f, f->mbox, 0), 2);
	/* the oldest record's handle is 1, not 2 */
	assert_int_equal(run(f, f->mctp, 0x0101, clr, 8), CXL_RC_INVALID_HANDLE);
	assert_int_equal(records(f, f->mbox, 0), 2);
	clr[6] = 1;
	assert_int_equal(run(f, f->mctp, 0x0101, clr, 8), CXL_RC_SUCCESS);
	assert_int_equal(records(f, f->mbox, 0), 1);
	assert_int_equal(le16_get(f->out + 32 + 20), 2);
	assert_int_equal(run(f, f->mbox, 0x0101, ((const uint8_t[]){ 0, 1, 0, 0, 0, 0 }), 6),
			 CXL_RC_SUCCESS);
	assert_int_equal(records(f, f->mctp, 0), 0);
	/* a switch has no dynamic capacity log */
	assert_int_equal(run(f, f->mbox, 0x0100, (const uint8_t[]){ 4 }, 1), CXL_RC_INVALID_INPUT);
	assert_int_equal(run(f, f->mbox, 0x0101, ((const uint8_t[]){ 4, 1, 0, 0, 0, 0 }), 6),
			 CXL_RC_INVALID_INPUT);
	assert_int_equal(run(f, f->mbox, 0x0100, NULL, 0), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mbox, 0x0101, clr, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
}

/* A full log: the record is dropped and counted (CXL r3.1 §8.2.9.2.2). */
static void test_overflow(void **state)
{
	struct fx *f = *state;

	(void)state;
	for (unsigned i = 0; i < 33; i++) {
		port_control(f, 4, 0);
		now += 100 * MS;
		port_control(f, 4, 1);
	}
	assert_int_equal(run(f, f->mctp, 0x0100, (const uint8_t[]){ 0 }, 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0] & 0x01, 0x01);     /* overflow */
	assert_int_equal(le16_get(f->out + 2), 2);    /* 66 events, 64 kept */
	assert_int_equal(f->out[0] & 0x02, 0x02);     /* more than one message holds */
}

/* Get / Set Event Interrupt Policy (mailbox), Get / Set MCTP Event Interrupt Policy. */
static void test_int_policies(void **state)
{
	struct fx *f = *state;
	const uint8_t msi[4] = { 1, 1, 1, 1 };
	const uint8_t want[5] = { 0x21, 0x31, 0x41, 0x51, 0x00 };

	(void)state;
	assert_int_equal(run(f, f->mbox, 0x0102, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 5);
	assert_memory_equal(f->out, ((const uint8_t[5]){ 0 }), 5);
	assert_int_equal(run(f, f->mbox, 0x0103, msi, 4), CXL_RC_SUCCESS);
	assert_int_equal(run(f, f->mbox, 0x0102, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want, 5);
	/* an interrupt for a dynamic capacity log the switch lacks, mode 3 */
	assert_int_equal(run(f, f->mbox, 0x0103, ((const uint8_t[]){ 0, 0, 0, 0, 1 }), 5),
			 CXL_RC_INVALID_INPUT);
	assert_int_equal(run(f, f->mbox, 0x0103, ((const uint8_t[]){ 3, 0, 0, 0 }), 4),
			 CXL_RC_INVALID_INPUT);
	assert_int_equal(run(f, f->mbox, 0x0102, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want, 5);
	/* MCTP: bits 0-3 kept, the rest dropped */
	assert_int_equal(run(f, f->mctp, 0x0104, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, ((const uint8_t[]){ 0, 0 }), 2);
	assert_int_equal(run(f, f->mctp, 0x0105, ((const uint8_t[]){ 0xff, 0xff }), 2),
			 CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(run(f, f->mctp, 0x0104, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, ((const uint8_t[]){ 0x0f, 0 }), 2);
	assert_int_equal(run(f, f->mctp, 0x0105, ((const uint8_t[]){ 1 }), 1),
			 CXL_RC_INVALID_PAYLOAD_LENGTH);
}

/* 5104h-5107h: the host sets its VCS's secret value once; the FM reads it. */
static void test_domain_validation(void **state)
{
	struct fx *f = *state;
	const uint8_t sv[16] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x4d, 0xef,
				 0x81, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	uint8_t other[16];
	const uint8_t vcs0 = 0, vcs1 = 1;

	(void)state;
	memset(other, 0x77, sizeof(other));
	assert_int_equal(run(f, f->mbox, 0x5104, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 1);
	assert_int_equal(f->out[0], 0x00);
	assert_int_equal(run(f, f->mctp, 0x5106, &vcs0, 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0x00);
	assert_int_equal(run(f, f->mctp, 0x5107, &vcs0, 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 16);
	assert_memory_equal(f->out, ((const uint8_t[16]){ 0 }), 16); /* none set */
	/* the host sets it through the mailbox of its upstream port */
	assert_int_equal(run(f, f->mbox, 0x5105, sv, 16), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(run(f, f->mbox, 0x5104, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0x01);
	assert_int_equal(run(f, f->mctp, 0x5106, &vcs0, 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0x01);
	assert_int_equal(run(f, f->mctp, 0x5107, &vcs0, 1), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, sv, 16);
	assert_int_equal(run(f, f->mbox, 0x5107, &vcs0, 1), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, sv, 16);
	/* only once: the first stays */
	assert_int_equal(run(f, f->mbox, 0x5105, other, 16), CXL_RC_INVALID_INPUT);
	assert_int_equal(run(f, f->mctp, 0x5107, &vcs0, 1), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, sv, 16);
	/* VCS 1 does not exist; lengths */
	assert_int_equal(run(f, f->mctp, 0x5106, &vcs1, 1), CXL_RC_INVALID_INPUT);
	assert_int_equal(run(f, f->mctp, 0x5107, &vcs1, 1), CXL_RC_INVALID_INPUT);
	assert_int_equal(run(f, f->mbox, 0x5105, other, 15), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mbox, 0x5104, other, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mctp, 0x5106, NULL, 0), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mctp, 0x5107, other, 2), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* the FM's MCTP CCI is not a host's: no 5104h / 5105h there */
	assert_int_equal(run(f, f->mctp, 0x5105, other, 16), CXL_RC_UNSUPPORTED);
	assert_int_equal(run(f, f->mctp, 0x5107, &vcs0, 1), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, sv, 16);
	/* PERST# of a downstream port leaves it; the upstream port's resets the VCS */
	port_control(f, 1, 0);
	assert_int_equal(run(f, f->mbox, 0x5104, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0x01);
	port_control(f, 9, 0);
	assert_int_equal(run(f, f->mctp, 0x5106, &vcs0, 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0x00);
	assert_int_equal(run(f, f->mbox, 0x5105, other, 16), CXL_RC_SUCCESS);
	assert_int_equal(run(f, f->mctp, 0x5107, &vcs0, 1), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, other, 16);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_perst_records),
		T(test_binding_records),
		T(test_hotplug_records),
		T(test_mld_port_records),
		T(test_clear_and_errors),
		T(test_overflow),
		T(test_int_policies),
		T(test_domain_validation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
