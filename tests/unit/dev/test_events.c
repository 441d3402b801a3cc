/* SPDX-License-Identifier: MIT */
/* Event logs: records, handles, overflow, clear and interrupt policy commands. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dev/events.h"
#include "proto/le.h"

struct fx {
	struct ev_logs ev;
	uint8_t out[2048];
	int notified[EV_LOG_COUNT];
};

static void on_add(void *arg, unsigned log)
{
	struct fx *f = arg;

	f->notified[log]++;
}

static int setup(void **state)
{
	static struct fx f;
	const uint16_t caps[EV_LOG_COUNT] = { 4, 4, 4, 4, 3 };

	memset(&f, 0, sizeof(f));
	assert_int_equal(ev_init(&f.ev, caps), 0);
	f.ev.notify = on_add;
	f.ev.notify_arg = &f;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ev_fini(&f->ev);
	return 0;
}

static struct cci_call mkcall(struct fx *f, const uint8_t *in, size_t len, size_t out_max)
{
	memset(f->out, 0, sizeof(f->out));
	return (struct cci_call){ .in = in, .in_len = len, .out = f->out, .out_max = out_max };
}

/* A record with a marker byte at 0x30. */
static void add(struct fx *f, unsigned log, uint8_t mark, uint64_t ts)
{
	uint8_t rec[EV_RECORD_SIZE];

	ev_record_init(rec, ev_uuid_gen_media, 0x000102);
	rec[0x30] = mark;
	ev_add(&f->ev, log, rec, ts);
}

static void test_init_rejects(void **state)
{
	struct ev_logs ev;
	const uint16_t caps[EV_LOG_COUNT] = { 4, 0, 4, 4, 4 };

	(void)state;
	assert_int_equal(ev_init(&ev, caps), -EINVAL);
}

/* A log holds no ring until its first record; an empty one reads as empty. */
static void test_lazy_rings(void **state)
{
	struct fx *f = *state;

	for (unsigned i = 0; i < EV_LOG_COUNT; i++) {
		assert_null(f->ev.log[i].rec);
		assert_int_equal(ev_count(&f->ev, i), 0);
		assert_int_equal(ev_room(&f->ev, i), i == EV_LOG_DCD ? 3 : 4);
		assert_null(ev_peek(&f->ev, i, 0));
	}
	ev_discard_all(&f->ev);
	add(f, 1, 0x11, 100);
	assert_non_null(f->ev.log[1].rec);
	assert_null(f->ev.log[0].rec);
	assert_int_equal(ev_peek(&f->ev, 1, 0)[0x30], 0x11);
}

/* CXL r3.1 §8.2.9.2.2 output: byte-exact header and the stamped record. */
static void test_get_records(void **state)
{
	struct fx *f = *state;
	uint8_t in = EV_LOG_WARN;
	struct cci_call c;
	const uint8_t hdr[32] = { [20] = 2 };
	uint8_t rec0[EV_RECORD_SIZE] = {
		0xfb, 0xcd, 0x0a, 0x77, 0xc2, 0x60, 0x41, 0x7f,
		0x85, 0xa9, 0x08, 0x8b, 0x16, 0x21, 0xeb, 0xa6,
		[16] = 128, [17] = 0x02, [18] = 0x01, [19] = 0x00,
		[20] = 0x01, [21] = 0x00,               /* handle 1 */
		[24] = 0x88, [25] = 0x77, [26] = 0x66,  /* timestamp */
		[0x30] = 0xa1,
	};

	add(f, EV_LOG_WARN, 0xa1, 0x667788);
	add(f, EV_LOG_WARN, 0xa2, 0x667799);
	assert_int_equal(f->notified[EV_LOG_WARN], 2);
	assert_int_equal(f->notified[EV_LOG_INFO], 0);
	c = mkcall(f, &in, 1, 2048);
	assert_int_equal(ev_cmd_get_records(&f->ev, &c), CXL_RC_SUCCESS);
	assert_int_equal(c.out_len, 32 + 2 * 128);
	assert_memory_equal(f->out, hdr, 32);
	assert_memory_equal(f->out + 32, rec0, 128);
	assert_int_equal(le16_get(f->out + 32 + 128 + 20), 2);
	assert_int_equal(f->out[32 + 128 + 0x30], 0xa2);
	/* records are not consumed by reading */
	c = mkcall(f, &in, 1, 2048);
	assert_int_equal(ev_cmd_get_records(&f->ev, &c), CXL_RC_SUCCESS);
	assert_int_equal(le16_get(f->out + 20), 2);
	/* an empty log */
	in = EV_LOG_FATAL;
	c = mkcall(f, &in, 1, 2048);
	assert_int_equal(ev_cmd_get_records(&f->ev, &c), CXL_RC_SUCCESS);
	assert_int_equal(c.out_len, 32);
	assert_int_equal(f->out[0], 0);
}

static void test_get_records_bad_log(void **state)
{
	struct fx *f = *state;
	uint8_t in = 5;
	struct cci_call c = mkcall(f, &in, 1, 2048);

	assert_int_equal(ev_cmd_get_records(&f->ev, &c), CXL_RC_INVALID_INPUT);
}

/* More Records when the response cannot carry them all. */
static void test_more_records(void **state)
{
	struct fx *f = *state;
	uint8_t in = EV_LOG_INFO;
	struct cci_call c;

	for (int i = 0; i < 3; i++)
		add(f, EV_LOG_INFO, (uint8_t)i, 0);
	c = mkcall(f, &in, 1, 32 + 2 * 128 + 10);
	assert_int_equal(ev_cmd_get_records(&f->ev, &c), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], EV_FLAG_MORE_RECORDS);
	assert_int_equal(le16_get(f->out + 20), 2);
	assert_int_equal(c.out_len, 32 + 256);
}

/* A full log drops records and reports overflow until records are cleared. */
static void test_overflow(void **state)
{
	struct fx *f = *state;
	uint8_t in = EV_LOG_DCD;
	uint8_t clr[8] = { EV_LOG_DCD, 0, 1, 0, 0, 0, 1, 0 };
	uint8_t rec[EV_RECORD_SIZE] = { 0 };
	struct cci_call c;

	for (int i = 0; i < 3; i++)
		add(f, EV_LOG_DCD, (uint8_t)i, 100);
	assert_int_equal(ev_room(&f->ev, EV_LOG_DCD), 0);
	assert_int_equal(ev_add(&f->ev, EV_LOG_DCD, rec, 200), -ENOSPC);
	assert_int_equal(ev_add(&f->ev, EV_LOG_DCD, rec, 300), -ENOSPC);
	assert_int_equal(f->notified[EV_LOG_DCD], 3);
	assert_int_equal(ev_add(&f->ev, 7, rec, 0), -EINVAL);
	c = mkcall(f, &in, 1, 2048);
	assert_int_equal(ev_cmd_get_records(&f->ev, &c), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], EV_FLAG_OVERFLOW);
	assert_int_equal(le16_get(f->out + 2), 2);
	assert_int_equal(le64_get(f->out + 4), 200);
	assert_int_equal(le64_get(f->out + 12), 300);
	assert_int_equal(le16_get(f->out + 20), 3);
	c = mkcall(f, clr, 8, 2048);
	assert_int_equal(ev_cmd_clear_records(&f->ev, &c), CXL_RC_SUCCESS);
	c = mkcall(f, &in, 1, 2048);
	assert_int_equal(ev_cmd_get_records(&f->ev, &c), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0);
	assert_int_equal(le16_get(f->out + 2), 0);
	assert_int_equal(le16_get(f->out + 20), 2);
	/* the ring wraps: a new record lands after the oldest two */
	add(f, EV_LOG_DCD, 0x55, 400);
	assert_int_equal(ev_count(&f->ev, EV_LOG_DCD), 3);
	assert_int_equal(ev_peek(&f->ev, EV_LOG_DCD, 2)[0x30], 0x55);
	assert_int_equal(le16_get(ev_peek(&f->ev, EV_LOG_DCD, 2) + EV_HDR_HANDLE), 4);
	assert_null(ev_peek(&f->ev, EV_LOG_DCD, 3));
}

static void test_clear_records(void **state)
{
	struct fx *f = *state;
	uint8_t two[10] = { EV_LOG_INFO, 0, 2, 0, 0, 0, 1, 0, 2, 0 };
	uint8_t wrong[8] = { EV_LOG_INFO, 0, 1, 0, 0, 0, 3, 0 };
	struct cci_call c;

	for (int i = 0; i < 3; i++)
		add(f, EV_LOG_INFO, (uint8_t)i, 0);
	/* not the oldest: Invalid Handle, nothing cleared */
	c = mkcall(f, wrong, 8, 2048);
	assert_int_equal(ev_cmd_clear_records(&f->ev, &c), CXL_RC_INVALID_HANDLE);
	assert_int_equal(ev_count(&f->ev, EV_LOG_INFO), 3);
	wrong[6] = 0; /* handle 0 is never valid */
	c = mkcall(f, wrong, 8, 2048);
	assert_int_equal(ev_cmd_clear_records(&f->ev, &c), CXL_RC_INVALID_HANDLE);
	c = mkcall(f, two, 10, 2048);
	assert_int_equal(ev_cmd_clear_records(&f->ev, &c), CXL_RC_SUCCESS);
	assert_int_equal(c.out_len, 0);
	assert_int_equal(ev_count(&f->ev, EV_LOG_INFO), 1);
	assert_int_equal(ev_peek(&f->ev, EV_LOG_INFO, 0)[0x30], 2);
	/* more handles than records */
	two[6] = 3;
	two[8] = 4;
	c = mkcall(f, two, 10, 2048);
	assert_int_equal(ev_cmd_clear_records(&f->ev, &c), CXL_RC_INVALID_HANDLE);
}

static void test_clear_all_and_errors(void **state)
{
	struct fx *f = *state;
	uint8_t all[6] = { EV_LOG_FAIL, 1, 0, 0, 0, 0 };
	uint8_t bad[8] = { EV_LOG_FAIL, 1, 1, 0, 0, 0, 1, 0 };
	struct cci_call c;

	add(f, EV_LOG_FAIL, 1, 0);
	add(f, EV_LOG_FAIL, 2, 0);
	c = mkcall(f, bad, 8, 2048);
	assert_int_equal(ev_cmd_clear_records(&f->ev, &c), CXL_RC_INVALID_INPUT);
	c = mkcall(f, all, 6, 2048);
	assert_int_equal(ev_cmd_clear_records(&f->ev, &c), CXL_RC_SUCCESS);
	assert_int_equal(ev_count(&f->ev, EV_LOG_FAIL), 0);
	/* lengths: short header, handles missing, trailing bytes */
	c = mkcall(f, all, 5, 2048);
	assert_int_equal(ev_cmd_clear_records(&f->ev, &c), CXL_RC_INVALID_PAYLOAD_LENGTH);
	c = mkcall(f, bad, 7, 2048);
	assert_int_equal(ev_cmd_clear_records(&f->ev, &c), CXL_RC_INVALID_PAYLOAD_LENGTH);
	bad[2] = 0;
	bad[1] = 0;
	c = mkcall(f, bad, 8, 2048);
	assert_int_equal(ev_cmd_clear_records(&f->ev, &c), CXL_RC_INVALID_PAYLOAD_LENGTH);
	all[0] = 9;
	c = mkcall(f, all, 6, 2048);
	assert_int_equal(ev_cmd_clear_records(&f->ev, &c), CXL_RC_INVALID_INPUT);
}

static void test_handle_wrap(void **state)
{
	struct fx *f = *state;
	uint8_t clr[6] = { EV_LOG_INFO, 1, 0, 0, 0, 0 };
	struct cci_call c;

	f->ev.log[EV_LOG_INFO].next_handle = 0xffff;
	add(f, EV_LOG_INFO, 0, 0);
	add(f, EV_LOG_INFO, 0, 0);
	assert_int_equal(le16_get(ev_peek(&f->ev, EV_LOG_INFO, 0) + EV_HDR_HANDLE), 0xffff);
	assert_int_equal(le16_get(ev_peek(&f->ev, EV_LOG_INFO, 1) + EV_HDR_HANDLE), 1);
	c = mkcall(f, clr, 6, 2048);
	assert_int_equal(ev_cmd_clear_records(&f->ev, &c), CXL_RC_SUCCESS);
	ev_discard_all(&f->ev);
}

/* CXL r3.1 Tables 8-53/8-54: 5 settings, mode bits[1:0], vector bits[7:4]. */
static void test_interrupt_policy(void **state)
{
	struct fx *f = *state;
	const uint8_t none[5] = { 0 };
	const uint8_t set5[5] = { 0x01, 0x02, 0x00, 0x01, 0x01 };
	const uint8_t want5[5] = { 0x21, 0x02, 0x00, 0x51, 0x21 };
	const uint8_t set4[4] = { 0x00, 0x01, 0x01, 0x00 };
	const uint8_t want4[5] = { 0x00, 0x31, 0x41, 0x00, 0x21 };
	uint8_t bad[5] = { 0x03, 0, 0, 0, 0 };
	struct cci_call c;

	c = mkcall(f, NULL, 0, 2048);
	assert_int_equal(ev_cmd_get_int_policy(&f->ev, &c), CXL_RC_SUCCESS);
	assert_int_equal(c.out_len, 5);
	assert_memory_equal(f->out, none, 5);
	c = mkcall(f, set5, 5, 2048);
	assert_int_equal(ev_cmd_set_int_policy(&f->ev, &c), CXL_RC_SUCCESS);
	c = mkcall(f, NULL, 0, 2048);
	assert_int_equal(ev_cmd_get_int_policy(&f->ev, &c), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want5, 5);
	/* 4 bytes: the DC setting is left alone */
	c = mkcall(f, set4, 4, 2048);
	assert_int_equal(ev_cmd_set_int_policy(&f->ev, &c), CXL_RC_SUCCESS);
	c = mkcall(f, NULL, 0, 2048);
	assert_int_equal(ev_cmd_get_int_policy(&f->ev, &c), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want4, 5);
	c = mkcall(f, bad, 5, 2048);
	assert_int_equal(ev_cmd_set_int_policy(&f->ev, &c), CXL_RC_INVALID_INPUT);
	c = mkcall(f, bad, 3, 2048);
	assert_int_equal(ev_cmd_set_int_policy(&f->ev, &c), CXL_RC_INVALID_PAYLOAD_LENGTH);
	c = mkcall(f, NULL, 0, 2048);
	assert_int_equal(ev_cmd_get_int_policy(&f->ev, &c), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want4, 5); /* unchanged */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_rejects),
		cmocka_unit_test_setup_teardown(test_lazy_rings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_records_bad_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_more_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear_all_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handle_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_policy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
