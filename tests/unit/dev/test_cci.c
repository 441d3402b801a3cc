/* SPDX-License-Identifier: MIT */
/* The CCI framework: dispatch rules, generic commands, CEL, background ops. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dev/cci.h"
#include "proto/le.h"

static uint64_t fake_now;
static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static int done_calls;
static void bg_done(struct cci *cci, void *arg)
{
	(void)cci;
	done_calls += *(int *)arg;
}

static int done_weight = 1;

static uint16_t h_echo(struct cci *cci, const struct cci_cmd *cmd, struct cci_call *c)
{
	(void)cci;
	(void)cmd;
	memcpy(c->out, c->in, c->in_len);
	c->out_len = c->in_len;
	return CXL_RC_SUCCESS;
}

static uint16_t h_bg(struct cci *cci, const struct cci_cmd *cmd, struct cci_call *c)
{
	(void)c;
	cci_bg_start(cci, cmd->info->opcode, 1000, c->in[0] != 0, bg_done, &done_weight);
	return CXL_RC_BG_STARTED;
}

static uint16_t h_overflow(struct cci *cci, const struct cci_cmd *cmd, struct cci_call *c)
{
	(void)cci;
	(void)cmd;
	c->out_len = c->out_max + 1;
	return CXL_RC_SUCCESS;
}

/* Vendor opcodes only this test has, with facts of their own. */
static const struct cxl_cmd_info echo_info = {
	.opcode = 0xc000, .name = "echo", .ccis = CXLFM_CCI_ANY, .in_var = true, .out_var = true,
};
static const struct cxl_cmd_info bg_info = {
	.opcode = 0xc001, .name = "bg", .ccis = CXLFM_CCI_ANY, .in_len = 1,
	.effects = CXLFM_EFF_BG | CXLFM_EFF_ABORT,
};
static const struct cxl_cmd_info overflow_info = {
	.opcode = 0xc002, .name = "overflow", .ccis = CXLFM_CCI_ANY, .out_var = true,
};
/* A fixed 4-byte answer that answers 3. */
static const struct cxl_cmd_info short_info = {
	.opcode = 0xc003, .name = "short", .ccis = CXLFM_CCI_ANY, .out_len = 4,
};
/* A variable request of at least 4 bytes. */
static const struct cxl_cmd_info min4_info = {
	.opcode = 0xc004, .name = "min4", .ccis = CXLFM_CCI_ANY, .in_var = true, .in_len = 4,
	.out_var = true,
};

static uint16_t h_short(struct cci *cci, const struct cci_cmd *cmd, struct cci_call *c)
{
	(void)cci;
	(void)cmd;
	c->out_len = 3;
	return CXL_RC_SUCCESS;
}

static const struct cci_cmd test_cmds[] = {
	CCI_CMDS_GENERIC,
	{ &echo_info, h_echo },
	{ &bg_info, h_bg },
	{ &overflow_info, h_overflow },
	{ &short_info, h_short },
	{ &min4_info, h_echo },
};
static const struct cci_cmd_set test_set = CCI_SET("test", CXLFM_CCI_SW, test_cmds);

static const struct cci_ident ident = {
	.vendor_id = 0x1b36, .device_id = 0x0d93, .subsys_vendor_id = 0x1af4,
	.subsys_id = 0x1100, .serial = 99, .component_type = CCI_COMPONENT_TYPE3,
};

struct fixture {
	struct cci cci;
	struct cci_timestamp ts;
	struct cci_clock clk;
	uint8_t out[1024];
	size_t out_len;
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	fake_now = 0;
	done_calls = 0;
	f.clk.now_ns = fake_clock;
	assert_int_equal(cci_init(&f.cci, "t", NULL, &ident, &f.ts, &f.clk, 512, 1024), 0);
	assert_int_equal(cci_add_set(&f.cci, &test_set), 0);
	*state = &f;
	return 0;
}

static uint16_t run(struct fixture *f, uint16_t op, const void *in, size_t len)
{
	return cci_process(&f->cci, op, in, len, f->out, &f->out_len);
}

static void test_init_rejects(void **state)
{
	struct fixture *f = *state;
	struct cci c;

	assert_int_equal(cci_init(&c, "x", NULL, &ident, &f->ts, &f->clk, 500, 1024), -EINVAL);
	assert_int_equal(cci_init(&c, "x", NULL, &ident, &f->ts, &f->clk, 128, 1024), -EINVAL);
	assert_int_equal(cci_init(&c, "x", NULL, &ident, &f->ts, &f->clk, 1024, 512), -EINVAL);
	/* the same set twice collides */
	assert_int_equal(cci_add_set(&f->cci, &test_set), -EEXIST);
}

static void test_unsupported(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, 0x4800, NULL, 0), CXL_RC_UNSUPPORTED);
	assert_int_equal(f->out_len, 0);
}

static void test_payload_length(void **state)
{
	struct fixture *f = *state;
	uint8_t in[600] = { 0 };

	assert_int_equal(run(f, 0x0001, in, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, 0x0301, in, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, 0x0301, in, 9), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* variable commands are still bounded by the CCI's limit */
	assert_int_equal(run(f, 0xc000, in, 513), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, 0xc000, in, 512), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 512);
}

/* A variable-length request is refused under the minimum its facts give. */
static void test_payload_minimum(void **state)
{
	struct fixture *f = *state;
	uint8_t in[8] = { 1, 2, 3, 4, 5 };

	assert_int_equal(run(f, 0xc004, in, 3), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(run(f, 0xc004, in, 4), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4);
	assert_int_equal(run(f, 0xc004, in, 5), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, in, 5);
}

static void test_handler_overflow_is_internal_error(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, 0xc002, NULL, 0), CXL_RC_INTERNAL_ERROR);
	assert_int_equal(f->out_len, 0);
}

/* A success answer of another length than the facts' fixed one never leaves. */
static void test_handler_wrong_fixed_length_is_internal_error(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, 0xc003, NULL, 0), CXL_RC_INTERNAL_ERROR);
	assert_int_equal(f->out_len, 0);
}

/*
 * A set may carry only commands whose facts allow its kind of CCI, in
 * opcode order: Identify Switch Device is not a type-3 mailbox command.
 */
static void test_add_set_checks_facts(void **state)
{
	static const struct cci_cmd wrong_kind[] = {
		CCI_CMD(IDENTIFY, cci_cmd_identify),
		CCI_CMD(IDENTIFY_SWITCH_DEVICE, cci_cmd_identify),
	};
	static const struct cci_cmd unsorted[] = {
		CCI_CMD(GET_TIMESTAMP, cci_cmd_get_timestamp),
		CCI_CMD(IDENTIFY, cci_cmd_identify),
	};
	static const struct cci_cmd_set mbox_set = CCI_SET("m", CXLFM_CCI_T3_MBOX, wrong_kind);
	static const struct cci_cmd_set sw_set = CCI_SET("s", CXLFM_CCI_SW, wrong_kind);
	static const struct cci_cmd_set unsorted_set = CCI_SET("u", CXLFM_CCI_SW, unsorted);
	struct fixture *f = *state;
	struct cci c;

	assert_int_equal(cci_init(&c, "x", NULL, &ident, &f->ts, &f->clk, 512, 512), 0);
	assert_int_equal(cci_add_set(&c, &mbox_set), -EINVAL);
	assert_int_equal(cci_add_set(&c, &unsorted_set), -EINVAL);
	assert_int_equal(c.nsets, 0);
	assert_int_equal(cci_add_set(&c, &sw_set), 0);
	assert_non_null(cci_find(&c, 0x5100));
}

static void test_identify(void **state)
{
	struct fixture *f = *state;
	const uint8_t want[18] = { 0x36, 0x1b, 0x93, 0x0d, 0xf4, 0x1a, 0x00, 0x11,
				   99, 0, 0, 0, 0, 0, 0, 0, 9, 0x03 };

	assert_int_equal(run(f, 0x0001, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 18);
	assert_memory_equal(f->out, want, 18);
}

static void test_rsp_msg_limit(void **state)
{
	struct fixture *f = *state;
	uint8_t n;

	assert_int_equal(run(f, 0x0003, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 9);
	n = 7;
	assert_int_equal(run(f, 0x0004, &n, 1), CXL_RC_INVALID_INPUT);
	n = 11; /* over the 1 KiB capacity */
	assert_int_equal(run(f, 0x0004, &n, 1), CXL_RC_INVALID_INPUT);
	n = 8;
	assert_int_equal(run(f, 0x0004, &n, 1), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 1);
	assert_int_equal(f->out[0], 8);
	assert_int_equal(f->cci.payload_max, 256);
	/* the new limit applies to requests */
	uint8_t big[300] = { 0 };
	assert_int_equal(run(f, 0xc000, big, 300), CXL_RC_INVALID_PAYLOAD_LENGTH);
	n = 10;
	assert_int_equal(run(f, 0x0004, &n, 1), CXL_RC_SUCCESS);
	assert_int_equal(f->cci.payload_max, 1024);
}

static void test_timestamp(void **state)
{
	struct fixture *f = *state;
	uint8_t in[8];

	assert_int_equal(run(f, 0x0300, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(le64_get(f->out), 0);
	fake_now = 5000;
	le64_put(in, 1000000);
	assert_int_equal(run(f, 0x0301, in, 8), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	fake_now = 5250;
	assert_int_equal(run(f, 0x0300, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(le64_get(f->out), 1000250);
}

/* The CEL is derived from the table: entries in table order, effects as declared. */
static void test_cel(void **state)
{
	struct fixture *f = *state;
	uint8_t in[0x18] = { 0 };
	size_t n = sizeof(test_cmds) / sizeof(test_cmds[0]);

	assert_int_equal(run(f, 0x0400, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 28);
	assert_int_equal(le16_get(f->out), 1);
	assert_memory_equal(f->out + 8, cci_cel_uuid, 16);
	assert_int_equal(le32_get(f->out + 24), 4 * n);

	memcpy(in, cci_cel_uuid, 16);
	le32_put(in + 20, (uint32_t)(4 * n));
	assert_int_equal(run(f, 0x0401, in, sizeof(in)), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4 * n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(le16_get(f->out + 4 * i), test_cmds[i].info->opcode);
		assert_int_equal(le16_get(f->out + 4 * i + 2), test_cmds[i].info->effects);
	}
	/* partial read at an unaligned offset */
	le32_put(in + 16, 6);
	le32_put(in + 20, 4);
	assert_int_equal(run(f, 0x0401, in, sizeof(in)), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4);
	assert_int_equal(f->out[0], 0x00); /* high byte of effects of entry 1 */
	assert_int_equal(le16_get(f->out + 2), 0x0003);
	/* past the end */
	le32_put(in + 16, (uint32_t)(4 * n - 2));
	assert_int_equal(run(f, 0x0401, in, sizeof(in)), CXL_RC_INVALID_INPUT);
	/* unknown log */
	in[0] ^= 1;
	le32_put(in + 16, 0);
	assert_int_equal(run(f, 0x0401, in, sizeof(in)), CXL_RC_INVALID_LOG);
}

static void test_background_op(void **state)
{
	struct fixture *f = *state;
	uint8_t abortable = 0;

	assert_int_equal(run(f, 0xc001, &abortable, 1), CXL_RC_BG_STARTED);
	fake_now = 250;
	assert_int_equal(run(f, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 1 | 25 << 1);
	assert_int_equal(le16_get(f->out + 2), 0xc001);
	/* a second background command is Busy */
	assert_int_equal(run(f, 0xc001, &abortable, 1), CXL_RC_BUSY);
	/* not abortable */
	assert_int_equal(run(f, 0x0005, NULL, 0), CXL_RC_REQUEST_ABORT_NOT_SUPPORTED);
	assert_int_equal(done_calls, 0);
	assert_int_equal(cci_bg_remaining_ns(&f->cci), 750);
	fake_now = 1000;
	assert_true(cci_tick(&f->cci));
	assert_int_equal(done_calls, 1);
	assert_false(cci_tick(&f->cci));
	assert_int_equal(run(f, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 100 << 1);
	assert_int_equal(le16_get(f->out + 4), CXL_RC_SUCCESS);
	assert_int_equal(cci_bg_remaining_ns(&f->cci), UINT64_MAX);
}

static void test_background_completes_on_next_command(void **state)
{
	struct fixture *f = *state;
	uint8_t abortable = 0;

	assert_int_equal(run(f, 0xc001, &abortable, 1), CXL_RC_BG_STARTED);
	fake_now = 5000; /* nobody ticked: the next command sees it done */
	assert_int_equal(run(f, 0xc001, &abortable, 1), CXL_RC_BG_STARTED);
	assert_int_equal(done_calls, 1);
}

static void test_background_abort(void **state)
{
	struct fixture *f = *state;
	uint8_t abortable = 1;

	assert_int_equal(run(f, 0x0005, NULL, 0), CXL_RC_SUCCESS); /* nothing running */
	assert_int_equal(run(f, 0xc001, &abortable, 1), CXL_RC_BG_STARTED);
	fake_now = 400;
	assert_int_equal(run(f, 0x0005, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(run(f, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 40 << 1);
	assert_int_equal(le16_get(f->out + 4), CXL_RC_ABORTED);
	fake_now = 5000;
	assert_false(cci_tick(&f->cci));
	assert_int_equal(done_calls, 0); /* the effect never applied */
}

static int aborted_calls;
static void bg_aborted(struct cci *cci, void *arg)
{
	(void)cci;
	aborted_calls += *(int *)arg;
}

static uint16_t h_bg_hook(struct cci *cci, const struct cci_cmd *cmd, struct cci_call *c)
{
	(void)c;
	cci_bg_start(cci, cmd->info->opcode, 1000, true, bg_done, &done_weight);
	cci_bg_on_abort(cci, bg_aborted);
	return CXL_RC_BG_STARTED;
}

/* The abort hook runs instead of done() when 0005h stops the operation, never after. */
static void test_background_abort_hook(void **state)
{
	struct fixture *f = *state;
	static const struct cxl_cmd_info hook_info = {
		.opcode = 0xc005, .name = "bg-hook", .ccis = CXLFM_CCI_ANY,
		.effects = CXLFM_EFF_BG | CXLFM_EFF_ABORT,
	};
	static const struct cci_cmd hook_cmds[] = { { &hook_info, h_bg_hook } };
	static const struct cci_cmd_set hook_set = CCI_SET("hook", CXLFM_CCI_SW, hook_cmds);

	aborted_calls = 0;
	assert_int_equal(cci_add_set(&f->cci, &hook_set), 0);
	assert_int_equal(run(f, 0xc005, NULL, 0), CXL_RC_BG_STARTED);
	fake_now = 100;
	assert_int_equal(run(f, 0x0005, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(aborted_calls, 1);
	assert_int_equal(done_calls, 0);
	/* completed normally: done(), no abort hook */
	assert_int_equal(run(f, 0xc005, NULL, 0), CXL_RC_BG_STARTED);
	fake_now = 2000;
	assert_true(cci_tick(&f->cci));
	assert_int_equal(done_calls, 1);
	assert_int_equal(aborted_calls, 1);
	/* an operation started without a hook does not inherit the last one's */
	assert_int_equal(run(f, 0xc001, "\1", 1), CXL_RC_BG_STARTED);
	assert_int_equal(run(f, 0x0005, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(aborted_calls, 1);
}

/* The CEL lists the commands of every set in opcode order. */
static void test_cel_merges_sets(void **state)
{
	struct fixture *f = *state;
	uint8_t in[0x18] = { 0 };
	size_t n = sizeof(test_cmds) / sizeof(test_cmds[0]) + 4, size;
	uint16_t prev = 0;

	assert_int_equal(cci_add_set(&f->cci, &cci_logs_set_sw), 0);
	assert_int_equal(cci_cel_size(&f->cci), 4 * n);
	memcpy(in, cci_cel_uuid, 16);
	le32_put(in + 20, (uint32_t)(4 * n));
	assert_int_equal(run(f, 0x0401, in, sizeof(in)), CXL_RC_SUCCESS);
	size = f->out_len;
	assert_int_equal(size, 4 * n);
	for (size_t i = 0; i < n; i++) {
		uint16_t op = le16_get(f->out + 4 * i);

		assert_true(op > prev);
		prev = op;
	}
	/* 0x0401 Get Log, then the logs set's 0x0402 .. 0x0405, then the vendor rows */
	assert_int_equal(le16_get(f->out + 4 * 8), 0x0401);
	assert_int_equal(le16_get(f->out + 4 * 9), 0x0402);
	assert_int_equal(le16_get(f->out + 4 * 10 + 2), 0x10); /* Clear Log: immediate log */
	assert_int_equal(le16_get(f->out + 4 * 12), 0x0405);
	assert_int_equal(le16_get(f->out + 4 * 13), 0xc000);
	/* a piece across two sets' entries */
	le32_put(in + 16, 4 * 8 + 2);
	le32_put(in + 20, 4);
	assert_int_equal(run(f, 0x0401, in, sizeof(in)), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4);
	assert_int_equal(le16_get(f->out), 0x0000);     /* Get Log's effects */
	assert_int_equal(le16_get(f->out + 2), 0x0402); /* Get Log Capabilities */
}

/* A log a test serves besides the CEL: 10 bytes, clear and populate countable. */
static const uint8_t test_log_uuid[16] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
};
static char test_log_data[16] = "0123456789";
static size_t test_log_len = 10;
static int populates;

static size_t test_log_size(struct cci *cci)
{
	(void)cci;
	return test_log_len;
}

static void test_log_read(struct cci *cci, size_t off, uint8_t *buf, size_t len)
{
	(void)cci;
	memcpy(buf, test_log_data + off, len);
}

static uint16_t test_log_clear(struct cci *cci)
{
	(void)cci;
	test_log_len = 0;
	return CXL_RC_SUCCESS;
}

static uint16_t test_log_populate(struct cci *cci)
{
	(void)cci;
	populates++;
	return CXL_RC_SUCCESS;
}

static void test_logs(void **state)
{
	struct fixture *f = *state;
	struct cci_log full = {
		.caps = CCI_LOG_CAP_CLEAR | CCI_LOG_CAP_POPULATE, .size = test_log_size,
		.read = test_log_read, .clear = test_log_clear, .populate = test_log_populate,
	};
	struct cci_log readonly = { .caps = 0, .size = test_log_size, .read = test_log_read };
	size_t n = sizeof(test_cmds) / sizeof(test_cmds[0]) + 4;
	uint8_t in[0x18] = { 0 }, want[48] = { 2, 0 };
	struct cci_log extra[CCI_MAX_LOGS];

	memcpy(full.uuid, test_log_uuid, 16);
	memcpy(readonly.uuid, test_log_uuid, 16);
	readonly.uuid[15] = 1;
	test_log_len = 10;
	populates = 0;
	assert_int_equal(cci_add_set(&f->cci, &cci_logs_set_sw), 0);
	assert_int_equal(cci_add_log(&f->cci, &full), 0);
	assert_int_equal(cci_add_log(&f->cci, &full), -EEXIST);
	{
		struct cci_log cel_again = full;

		memcpy(cel_again.uuid, cci_cel_uuid, 16);
		assert_int_equal(cci_add_log(&f->cci, &cel_again), -EEXIST);
	}

	/* Get Supported Logs: the CEL, then the log */
	memcpy(want + 8, cci_cel_uuid, 16);
	le32_put(want + 24, (uint32_t)(4 * n));
	memcpy(want + 28, test_log_uuid, 16);
	le32_put(want + 44, 10);
	assert_int_equal(run(f, 0x0400, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 48);
	assert_memory_equal(f->out, want, 48);

	/* Get Log: a piece, past the end */
	memcpy(in, test_log_uuid, 16);
	le32_put(in + 16, 3);
	le32_put(in + 20, 4);
	assert_int_equal(run(f, 0x0401, in, sizeof(in)), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4);
	assert_memory_equal(f->out, "3456", 4);
	le32_put(in + 20, 8);
	assert_int_equal(run(f, 0x0401, in, sizeof(in)), CXL_RC_INVALID_INPUT);

	/* Get Log Capabilities: the CEL has none, the log its own; unknown: Invalid Log */
	assert_int_equal(run(f, 0x0402, cci_cel_uuid, 16), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4);
	assert_int_equal(le32_get(f->out), 0);
	assert_int_equal(run(f, 0x0402, test_log_uuid, 16), CXL_RC_SUCCESS);
	assert_int_equal(le32_get(f->out), 0x3);
	assert_int_equal(run(f, 0x0402, readonly.uuid, 16), CXL_RC_INVALID_LOG); /* not yet added */
	assert_int_equal(run(f, 0x0402, readonly.uuid, 15), CXL_RC_INVALID_PAYLOAD_LENGTH);

	/* Populate and Clear: the CEL supports neither, a read-only log neither */
	assert_int_equal(run(f, 0x0404, cci_cel_uuid, 16), CXL_RC_UNSUPPORTED);
	assert_int_equal(run(f, 0x0403, cci_cel_uuid, 16), CXL_RC_UNSUPPORTED);
	assert_int_equal(cci_add_log(&f->cci, &readonly), 0);
	assert_int_equal(run(f, 0x0404, readonly.uuid, 16), CXL_RC_UNSUPPORTED);
	assert_int_equal(run(f, 0x0403, readonly.uuid, 16), CXL_RC_UNSUPPORTED);
	assert_int_equal(test_log_len, 10);
	{
		uint8_t unknown[16];

		memcpy(unknown, readonly.uuid, 16);
		unknown[15] = 2;
		assert_int_equal(run(f, 0x0403, unknown, 16), CXL_RC_INVALID_LOG);
	}
	assert_int_equal(run(f, 0x0404, test_log_uuid, 16), CXL_RC_SUCCESS);
	assert_int_equal(populates, 1);
	assert_int_equal(run(f, 0x0403, test_log_uuid, 16), CXL_RC_SUCCESS);
	assert_int_equal(test_log_len, 0);
	assert_int_equal(run(f, 0x0400, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(le16_get(f->out), 3);
	assert_int_equal(le32_get(f->out + 44), 0); /* cleared */

	/* Sub-List: from entry 1, at most 1; all from 0; past the end */
	assert_int_equal(run(f, 0x0405, "\1\1", 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 28);
	assert_int_equal(f->out[0], 1);
	assert_int_equal(le16_get(f->out + 2), 3);
	assert_int_equal(f->out[4], 1);
	assert_memory_equal(f->out + 8, test_log_uuid, 16);
	assert_int_equal(run(f, 0x0405, "\xff\0", 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 8 + 3 * 20);
	assert_memory_equal(f->out + 8, cci_cel_uuid, 16);
	assert_memory_equal(f->out + 8 + 2 * 20, readonly.uuid, 16);
	assert_int_equal(run(f, 0x0405, "\0\0", 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 8);
	assert_int_equal(f->out[0], 0);
	assert_int_equal(run(f, 0x0405, "\1\3", 2), CXL_RC_INVALID_INPUT);
	assert_int_equal(run(f, 0x0405, "\1", 1), CXL_RC_INVALID_PAYLOAD_LENGTH);

	/* room for CCI_MAX_LOGS */
	for (size_t i = 2; i < CCI_MAX_LOGS; i++) { /* two added already */
		extra[i] = readonly;
		extra[i].uuid[14] = (uint8_t)i;
		assert_int_equal(cci_add_log(&f->cci, &extra[i]), 0);
	}
	extra[0] = readonly;
	extra[0].uuid[14] = 0x77;
	assert_int_equal(cci_add_log(&f->cci, &extra[0]), -ENOSPC);
	assert_int_equal(run(f, 0x0400, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(le16_get(f->out), 1 + CCI_MAX_LOGS);
}

/* Whole-message path: header echo, lengths, non-requests. */
static void test_msg_run(void **state)
{
	struct fixture *f = *state;
	uint8_t req[12 + 3] = { 0x00, 0x42, 0x00, 0x00, 0xc0, 0x03, 0x00, 0x00,
				0x00, 0x00, 0xcd, 0xab, 'a', 'b', 'c' };
	const uint8_t want[12 + 3] = { 0x01, 0x42, 0x00, 0x00, 0xc0, 0x03, 0x00, 0x00,
				       0x00, 0x00, 0x00, 0x00, 'a', 'b', 'c' };
	uint8_t rsp[12 + 1024];

	assert_int_equal(cci_msg_run(&f->cci, req, sizeof(req), rsp, sizeof(rsp)), 15);
	assert_memory_equal(rsp, want, sizeof(want));
	/* length field says 3, two bytes present: Invalid Payload Length */
	assert_int_equal(cci_msg_run(&f->cci, req, 14, rsp, sizeof(rsp)), 12);
	assert_int_equal(rsp[0], CCI_CAT_RSP);
	assert_int_equal(rsp[1], 0x42);
	assert_int_equal(rsp[8], CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* unknown opcode: Unsupported, empty payload */
	req[4] = 0x7f;
	assert_int_equal(cci_msg_run(&f->cci, req, sizeof(req), rsp, sizeof(rsp)), 12);
	assert_int_equal(rsp[8], CXL_RC_UNSUPPORTED);
	assert_int_equal(rsp[5] | rsp[6] | rsp[7], 0);
	/* a response is not answered, nor is a stub */
	req[0] = CCI_CAT_RSP;
	assert_int_equal(cci_msg_run(&f->cci, req, sizeof(req), rsp, sizeof(rsp)), -EBADMSG);
	assert_int_equal(cci_msg_run(&f->cci, req, 5, rsp, sizeof(rsp)), -EBADMSG);
	/* a response buffer that cannot hold the largest answer is refused */
	req[0] = CCI_CAT_REQ;
	assert_int_equal(cci_msg_run(&f->cci, req, sizeof(req), rsp, 100), -EMSGSIZE);
}

/* Background started: BO bit and rc in the response header. */
static void test_msg_run_background(void **state)
{
	struct fixture *f = *state;
	uint8_t req[13] = { 0x00, 0x07, 0x00, 0x01, 0xc0, 0x01, 0x00, 0x00,
			    0x00, 0x00, 0x00, 0x00, 0x00 };
	uint8_t rsp[12 + 1024];

	assert_int_equal(cci_msg_run(&f->cci, req, sizeof(req), rsp, sizeof(rsp)), 12);
	assert_int_equal(rsp[7], 0x80);
	assert_int_equal(rsp[8], CXL_RC_BG_STARTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_rejects, setup),
		cmocka_unit_test_setup(test_unsupported, setup),
		cmocka_unit_test_setup(test_payload_length, setup),
		cmocka_unit_test_setup(test_payload_minimum, setup),
		cmocka_unit_test_setup(test_handler_overflow_is_internal_error, setup),
		cmocka_unit_test_setup(test_handler_wrong_fixed_length_is_internal_error, setup),
		cmocka_unit_test_setup(test_add_set_checks_facts, setup),
		cmocka_unit_test_setup(test_identify, setup),
		cmocka_unit_test_setup(test_rsp_msg_limit, setup),
		cmocka_unit_test_setup(test_timestamp, setup),
		cmocka_unit_test_setup(test_cel, setup),
		cmocka_unit_test_setup(test_background_op, setup),
		cmocka_unit_test_setup(test_background_completes_on_next_command, setup),
		cmocka_unit_test_setup(test_background_abort, setup),
		cmocka_unit_test_setup(test_background_abort_hook, setup),
		cmocka_unit_test_setup(test_cel_merges_sets, setup),
		cmocka_unit_test_setup(test_logs, setup),
		cmocka_unit_test_setup(test_msg_run, setup),
		cmocka_unit_test_setup(test_msg_run_background, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
