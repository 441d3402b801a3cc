/* SPDX-License-Identifier: MIT */
/*
 * Switch model and Switch CCI command set. Expected payloads are written out
 * by hand from CXL r3.1 Tables 7-16 .. 7-38 (and §8.2.9.1 for the generic
 * commands), never computed from the model.
 *
 * Topology used throughout: USP port 9; DSPs 1, 2, 4 (vPPB 0, 1, 2);
 * port 1: type-3 SLD "sld0" with a fake FM-owned LD CCI; port 2: type-3 MLD
 * "mld0" with 4 LDs; port 4: empty.
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

static uint64_t fake_now;
static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static const struct cci_clock clk = { .now_ns = fake_clock };

/* A tiny tunnel target: one command, Identify. */
static const struct cci_cmd tgt_cmds[] = {
	CCI_CMD(IDENTIFY, cci_cmd_identify),
};
static const struct cci_cmd_set tgt_set = CCI_SET("target", CXLFM_CCI_T3_FM, tgt_cmds);
static const struct cci_ident tgt_ident = {
	.vendor_id = 0x1b36, .device_id = 0x0d93, .subsys_vendor_id = 0x1af4,
	.subsys_id = 0x1100, .serial = 99, .component_type = CCI_COMPONENT_TYPE3,
};

static const struct sw_port_cfg dsp_ports[] = { { .port = 1 }, { .port = 2 }, { .port = 4 } };

struct fixture {
	struct sw_dev *sw;
	struct cci *mbox;
	struct cci *mctp;
	struct cci tgt;
	struct cci_timestamp tgt_ts;
	uint8_t out[4096];
	size_t out_len;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sw_config cfg = {
		.id = "us0", .serial = 0x1122334455667788ull, .usp = { .port = 9 },
		.n_dsp = 3, .dsps = dsp_ports, .bind_duration_ns = 1 * MS,
	};
	struct sw_attached sld = {
		.fm_cci = NULL, .dev_type = SW_DEV_CXL_TYPE3_SLD, .ld_count = 1, .id = "sld0",
	};
	struct sw_attached mld = {
		.fm_cci = NULL, .dev_type = SW_DEV_CXL_TYPE3_MLD, .ld_count = 4, .id = "mld0",
	};

	assert_non_null(f);
	fake_now = 0;
	assert_int_equal(cci_init(&f->tgt, "99:oob_mctp_cci", NULL, &tgt_ident, &f->tgt_ts,
				  &clk, 512, 1024), 0);
	assert_int_equal(cci_add_set(&f->tgt, &tgt_set), 0);
	assert_int_equal(sw_create(&cfg, &clk, &f->sw), 0);
	sld.fm_cci = &f->tgt;
	mld.fm_cci = &f->tgt;
	assert_int_equal(sw_attach(f->sw, 0, &sld), 0); /* port 1 */
	assert_int_equal(sw_attach(f->sw, 1, &mld), 0); /* port 2 */
	f->mbox = sw_mbox_cci(f->sw);
	f->mctp = sw_mctp_cci(f->sw);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sw_destroy(f->sw);
	free(f);
	return 0;
}

static uint16_t run(struct fixture *f, struct cci *c, uint16_t op, const void *in, size_t len)
{
	memset(f->out, 0xa5, sizeof(f->out));
	return cci_process(c, op, in, len, f->out, &f->out_len);
}

static void expect_out(struct fixture *f, const uint8_t *want, size_t len)
{
	assert_int_equal(f->out_len, len);
	assert_memory_equal(f->out, want, len);
}

/* Bind/unbind request payloads, CXL r3.1 Tables 7-33 and 7-34. */
static uint16_t bind(struct fixture *f, struct cci *c, uint8_t vcs, uint8_t vppb,
		     uint8_t port, uint16_t ld)
{
	uint8_t in[6] = { vcs, vppb, port, 0, (uint8_t)ld, (uint8_t)(ld >> 8) };

	return run(f, c, 0x5201, in, sizeof(in));
}

static uint16_t unbind(struct fixture *f, struct cci *c, uint8_t vcs, uint8_t vppb,
		       uint8_t option)
{
	uint8_t in[3] = { vcs, vppb, option };

	return run(f, c, 0x5202, in, sizeof(in));
}

/* One vPPB entry of Get Virtual CXL Switch Info (start vppb, limit 1). */
static void expect_vppb(struct fixture *f, uint8_t vppb, uint8_t status, uint8_t port,
			uint8_t ld)
{
	uint8_t in[4] = { vppb, 1, 1, 0 };
	const uint8_t want[12] = {
		1, 0, 0, 0, 0, 0x01, sw_usp_port(f->sw), (uint8_t)sw_vppb_count(f->sw),
		status, port, ld, 0,
	};

	assert_int_equal(run(f, f->mbox, 0x5200, in, sizeof(in)), CXL_RC_SUCCESS);
	expect_out(f, want, sizeof(want));
}

/* Configuration state of one port through Get Physical Port State. */
static uint8_t port_state(struct fixture *f, uint8_t port)
{
	uint8_t in[2] = { 1, port };

	assert_int_equal(run(f, f->mbox, 0x5101, in, sizeof(in)), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 20);
	return f->out[5];
}

/* ---- lifecycle ------------------------------------------------------- */

static void test_create_rejects(void **state)
{
	struct sw_port_cfg bad[] = { { .port = 1, .width = 3 }, { .port = 2, .speed = 7 } };
	struct sw_port_cfg many[255];
	struct sw_config cfg = { .id = "x", .usp = { .port = 9 }, .n_dsp = 1, .dsps = bad };
	struct sw_dev *sw = NULL;

	(void)state;
	/* a link width that is not x1/2/4/8/12/16/32, a speed beyond 64 GT/s */
	assert_int_equal(sw_create(&cfg, &clk, &sw), -EINVAL);
	cfg.dsps = bad + 1;
	assert_int_equal(sw_create(&cfg, &clk, &sw), -EINVAL);
	cfg.dsps = NULL;
	assert_int_equal(sw_create(&cfg, &clk, &sw), -EINVAL);
	cfg.n_dsp = 0;
	cfg.usp.width = 5;
	assert_int_equal(sw_create(&cfg, &clk, &sw), -EINVAL);
	cfg.usp.width = 0;
	for (unsigned i = 0; i < 255; i++)
		many[i] = (struct sw_port_cfg){ .port = (uint8_t)(i + 1) }; /* 256 ports: too many */
	cfg.usp.port = 0;
	cfg.dsps = many;
	cfg.n_dsp = 255;
	assert_int_equal(sw_create(&cfg, &clk, &sw), -EINVAL);
	cfg.n_dsp = 254;
	assert_int_equal(sw_create(&cfg, &clk, &sw), 0);
	assert_int_equal(sw_port_count(sw), 255);
	assert_int_equal(sw_vppb_count(sw), 254);
	sw_destroy(sw);
	assert_int_equal(sw_create(NULL, &clk, &sw), -EINVAL);
	cfg.n_dsp = 0;
	assert_int_equal(sw_create(&cfg, NULL, &sw), -EINVAL);
	/* no DSP at all is a valid (if useless) switch */
	assert_int_equal(sw_create(&cfg, &clk, &sw), 0);
	sw_destroy(sw);
	sw_destroy(NULL);
}

static void test_attach_errors(void **state)
{
	struct fixture *f = *state;
	struct sw_attached dev = { .dev_type = SW_DEV_CXL_TYPE3_SLD, .id = "d" };

	/* DSP indexes 0, 1, 2 are ports 1, 2, 4 */
	assert_int_equal(sw_attach(f->sw, 3, &dev), -ENOENT); /* no such DSP */
	assert_int_equal(sw_attach(f->sw, 99, &dev), -ENOENT);
	assert_int_equal(sw_attach(f->sw, 0, &dev), -EEXIST);
	assert_int_equal(sw_attach(f->sw, 2, NULL), -EINVAL);
	dev.dev_type = SW_DEV_NONE;
	assert_int_equal(sw_attach(f->sw, 2, &dev), -EINVAL);
	dev.dev_type = 0x07; /* reserved encoding */
	assert_int_equal(sw_attach(f->sw, 2, &dev), -EINVAL);
	dev.dev_type = SW_DEV_CXL_TYPE3_MLD;
	dev.ld_count = 0;
	assert_int_equal(sw_attach(f->sw, 2, &dev), -EINVAL);
	dev.ld_count = 17;
	assert_int_equal(sw_attach(f->sw, 2, &dev), -EINVAL);
	/* port 2 has LD 0 bound: a non-MLD cannot take its place */
	assert_int_equal(sw_detach(f->sw, 1), 0);
	assert_int_equal(sw_detach(f->sw, 1), -ENODEV);
	assert_int_equal(sw_detach(f->sw, 3), -ENOENT);
	dev.dev_type = SW_DEV_CXL_TYPE3_SLD;
	assert_int_equal(sw_attach(f->sw, 1, &dev), -EBUSY);
	dev.dev_type = SW_DEV_PCIE;
	dev.id = NULL;
	assert_int_equal(sw_attach(f->sw, 2, &dev), 0);
}

static void test_topology_accessors(void **state)
{
	struct fixture *f = *state;
	struct sw_port_info pi;
	struct sw_vppb_info vi;

	assert_string_equal(sw_id(f->sw), "us0");
	assert_int_equal(sw_usp_port(f->sw), 9);
	assert_string_equal(f->mbox->name, "us0:switch_mailbox_cci");
	assert_string_equal(f->mctp->name, "us0:mctp_cci");
	assert_int_equal(sw_port_count(f->sw), 4);
	assert_int_equal(sw_port_get(f->sw, 0, &pi), 0);
	assert_true(pi.is_usp);
	assert_int_equal(pi.port_id, 9);
	assert_int_equal(pi.config_state, SW_PORT_USP);
	assert_int_equal(sw_port_get(f->sw, 2, &pi), 0);
	assert_int_equal(pi.port_id, 2);
	assert_string_equal(pi.dev_id, "mld0");
	assert_int_equal(pi.dev_type, SW_DEV_CXL_TYPE3_MLD);
	assert_int_equal(pi.ld_count, 4);
	assert_true(pi.link_up);
	assert_int_equal(sw_port_get(f->sw, 3, &pi), 0);
	assert_int_equal(pi.port_id, 4);
	assert_null(pi.dev_id);
	assert_false(pi.link_up);
	assert_int_equal(sw_port_get(f->sw, 4, &pi), -ENOENT);

	assert_int_equal(sw_vppb_count(f->sw), 3);
	assert_int_equal(sw_vppb_get(f->sw, 0, &vi), 0);
	assert_int_equal(vi.status, SW_VPPB_BOUND_PORT);
	assert_int_equal(vi.port_id, 1);
	assert_int_equal(vi.ld_id, SW_LD_NONE);
	/* the MLD's port binding became a binding of its LD 0 */
	assert_int_equal(sw_vppb_get(f->sw, 1, &vi), 0);
	assert_int_equal(vi.status, SW_VPPB_BOUND_LD);
	assert_int_equal(vi.port_id, 2);
	assert_int_equal(vi.ld_id, 0);
	assert_int_equal(sw_vppb_get(f->sw, 2, &vi), 0);
	assert_int_equal(vi.port_id, 4);
	assert_int_equal(sw_vppb_get(f->sw, 3, &vi), -ENOENT);
	assert_int_equal(sw_bg_remaining_ns(f->sw), UINT64_MAX);
}

static void test_start_unbound(void **state)
{
	struct sw_config cfg = {
		.id = "fm-first", .usp = { .port = 0 }, .n_dsp = 3, .dsps = dsp_ports,
		.start_unbound = true,
	};
	struct sw_dev *sw;
	struct sw_vppb_info vi;

	(void)state;
	assert_int_equal(sw_create(&cfg, &clk, &sw), 0);
	for (unsigned v = 0; v < 3; v++) {
		assert_int_equal(sw_vppb_get(sw, v, &vi), 0);
		assert_int_equal(vi.status, SW_VPPB_UNBOUND);
		assert_int_equal(vi.port_id, 0xff);
	}
	sw_destroy(sw);
}

/* ---- generic commands ------------------------------------------------ */

static void test_unsupported(void **state)
{
	struct fixture *f = *state;

	/* Generate AER Event, Get LD Info: not in the set; the MCTP event
	 * policy on the mailbox, the PCI one and the host's Set Domain
	 * Validation SV over MCTP: not on that CCI */
	assert_int_equal(run(f, f->mbox, 0x5203, NULL, 0), CXL_RC_UNSUPPORTED);
	assert_int_equal(run(f, f->mbox, 0x5400, NULL, 0), CXL_RC_UNSUPPORTED);
	assert_int_equal(run(f, f->mbox, 0x0104, NULL, 0), CXL_RC_UNSUPPORTED);
	assert_int_equal(run(f, f->mctp, 0x0102, NULL, 0), CXL_RC_UNSUPPORTED);
	assert_int_equal(run(f, f->mctp, 0x5104, NULL, 0), CXL_RC_UNSUPPORTED);
	assert_int_equal(f->out_len, 0);
}

/* CXL r3.1 §8.2.9.1.1 Identify (Opcode 0001h). */
static void test_identify(void **state)
{
	struct fixture *f = *state;
	uint8_t want[18] = {
		0xe5, 0x19, 0x28, 0xa1, /* QEMU's USP vendor / device id */
		0x00, 0x00, 0x00, 0x00, /* no subsystem ids for a switch */
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
		11,                     /* 2 KiB mailbox */
		0x00,                   /* component type: switch */
	};

	assert_int_equal(run(f, f->mbox, 0x0001, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, want, sizeof(want));
	want[16] = 9; /* 512-byte MCTP CCI */
	assert_int_equal(run(f, f->mctp, 0x0001, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, want, sizeof(want));
	assert_int_equal(run(f, f->mctp, 0x0001, want, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
}

/* CXL r3.1 §8.2.9.1.2 Background Operation Status (Opcode 0002h). */
static void test_bg_op_status_idle(void **state)
{
	struct fixture *f = *state;
	const uint8_t want[8] = { 0 };

	assert_int_equal(run(f, f->mbox, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, want, sizeof(want));
	assert_int_equal(run(f, f->mbox, 0x0002, want, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
}

/* CXL r3.1 §8.2.9.1.3/4 Get / Set Response Message Limit (0003h / 0004h). */
static void test_rsp_msg_limit(void **state)
{
	struct fixture *f = *state;
	uint8_t n = 0;

	assert_int_equal(run(f, f->mbox, 0x0003, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, (const uint8_t[]){ 11 }, 1);
	assert_int_equal(run(f, f->mctp, 0x0003, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, (const uint8_t[]){ 9 }, 1);
	assert_int_equal(run(f, f->mctp, 0x0003, &n, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);

	n = 10;
	assert_int_equal(run(f, f->mctp, 0x0004, &n, 1), CXL_RC_SUCCESS);
	expect_out(f, (const uint8_t[]){ 10 }, 1);
	n = 11; /* over the MCTP CCI's 1 KiB */
	assert_int_equal(run(f, f->mctp, 0x0004, &n, 1), CXL_RC_INVALID_INPUT);
	n = 7;
	assert_int_equal(run(f, f->mbox, 0x0004, &n, 1), CXL_RC_INVALID_INPUT);
	n = 8;
	assert_int_equal(run(f, f->mbox, 0x0004, &n, 1), CXL_RC_SUCCESS);
	assert_int_equal(run(f, f->mbox, 0x0003, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, (const uint8_t[]){ 8 }, 1);
	assert_int_equal(run(f, f->mbox, 0x0004, NULL, 0), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* each CCI has its own limit */
	assert_int_equal(run(f, f->mctp, 0x0003, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, (const uint8_t[]){ 10 }, 1);
}

/* CXL r3.1 §8.2.9.1.5 Request Abort Background Operation (0005h). */
static void test_bg_op_abort(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, f->mbox, 0x0005, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(run(f, f->mbox, 0x0005, NULL, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* Bind/Unbind vPPB do not list "Request Abort" in their effects */
	assert_int_equal(unbind(f, f->mbox, 0, 0, 0), CXL_RC_BG_STARTED);
	assert_int_equal(run(f, f->mbox, 0x0005, NULL, 0), CXL_RC_REQUEST_ABORT_NOT_SUPPORTED);
	fake_now = 1 * MS;
	expect_vppb(f, 0, 0x00, 0xff, 0xff); /* it completed anyway */
}

/* CXL r3.1 §8.2.9.4.1/2 Get / Set Timestamp (0300h / 0301h): one device clock. */
static void test_timestamp(void **state)
{
	struct fixture *f = *state;
	uint8_t in[8] = { 0x00, 0x10, 0, 0, 0, 0, 0, 0 }; /* 4096 ns */
	const uint8_t zero[8] = { 0 };
	const uint8_t want[8] = { 0x64, 0x10, 0, 0, 0, 0, 0, 0 }; /* 4196 */

	assert_int_equal(run(f, f->mbox, 0x0300, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, zero, 8);
	fake_now = 500;
	assert_int_equal(run(f, f->mctp, 0x0301, in, 8), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	fake_now = 600;
	assert_int_equal(run(f, f->mbox, 0x0300, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, want, 8);
	assert_int_equal(run(f, f->mbox, 0x0301, in, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mbox, 0x0300, in, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
}

/*
 * CEL: the switch command set as listed in the brief / CXL r3.1 (§8.2.9.1,
 * §8.2.9.4, §8.2.9.5, §7.6.7.1, §7.6.7.2, §7.6.7.3.1), with the command
 * effects each section states (CEL "Command Effect" bits as in dev/cci.h),
 * in opcode order.
 */
static void test_cel(void **state)
{
	struct fixture *f = *state;
	static const uint8_t cel_uuid[16] = {
		0x0d, 0xa9, 0xc0, 0xb5, 0xbf, 0x41, 0x4b, 0x78,
		0x8f, 0x79, 0x96, 0xb1, 0x62, 0x3b, 0x3f, 0x17,
	};
#define CEL_HEAD \
		0x01, 0x00, 0x00, 0x00, /* Identify */ \
		0x02, 0x00, 0x00, 0x00, /* Background Operation Status */ \
		0x03, 0x00, 0x00, 0x00, /* Get Response Message Limit */ \
		0x04, 0x00, 0x02, 0x00, /* Set Response Message Limit: immediate config */ \
		0x05, 0x00, 0x00, 0x00, /* Request Abort Background Operation */ \
		0x00, 0x01, 0x00, 0x00, /* Get Event Records */ \
		0x01, 0x01, 0x10, 0x00  /* Clear Event Records: immediate log */
#define CEL_MID \
		0x00, 0x03, 0x00, 0x00, /* Get Timestamp */ \
		0x01, 0x03, 0x08, 0x00, /* Set Timestamp: immediate policy */ \
		0x00, 0x04, 0x00, 0x00, /* Get Supported Logs */ \
		0x01, 0x04, 0x00, 0x00, /* Get Log */ \
		0x02, 0x04, 0x00, 0x00, /* Get Log Capabilities */ \
		0x03, 0x04, 0x10, 0x00, /* Clear Log: immediate log */ \
		0x04, 0x04, 0x10, 0x00, /* Populate Log: immediate log */ \
		0x05, 0x04, 0x00, 0x00, /* Get Supported Logs Sub-List */ \
		0x00, 0x51, 0x00, 0x00, /* Identify Switch Device */ \
		0x01, 0x51, 0x00, 0x00, /* Get Physical Port State */ \
		0x02, 0x51, 0x00, 0x00  /* Physical Port Control */
#define CEL_TAIL \
		0x06, 0x51, 0x00, 0x00, /* Get VCS Domain Validation SV State */ \
		0x07, 0x51, 0x00, 0x00, /* Get Domain Validation SV */ \
		0x00, 0x52, 0x00, 0x00, /* Get Virtual CXL Switch Info */ \
		0x01, 0x52, 0x40, 0x00, /* Bind vPPB: background operation */ \
		0x02, 0x52, 0x40, 0x00, /* Unbind vPPB: background operation */ \
		0x00, 0x53, 0x00, 0x00  /* Tunnel Management Command */
	/* the mailbox CCI: the PCI event interrupt policy, the host's 5104h / 5105h */
	static const uint8_t want_mbox[] = {
		CEL_HEAD,
		0x02, 0x01, 0x00, 0x00, /* Get Event Interrupt Policy */
		0x03, 0x01, 0x02, 0x00, /* Set Event Interrupt Policy: immediate config */
		CEL_MID,
		0x04, 0x51, 0x00, 0x00, /* Get Domain Validation SV State */
		0x05, 0x51, 0x00, 0x00, /* Set Domain Validation SV */
		CEL_TAIL,
	};
	/* the MCTP CCI: the MCTP event interrupt policy, and CXL.io (sw_cxlio.c; not on
	 * the host mailbox, CXL r3.2 Table 8-397) */
	static const uint8_t want_mctp[] = {
		CEL_HEAD,
		0x04, 0x01, 0x00, 0x00, /* Get MCTP Event Interrupt Policy */
		0x05, 0x01, 0x02, 0x00, /* Set MCTP Event Interrupt Policy: immediate config */
		CEL_MID,
		0x03, 0x51, 0x00, 0x00, /* Send PPB CXL.io Configuration Request */
		CEL_TAIL,
		0x01, 0x53, 0x00, 0x00, /* Send LD CXL.io Configuration Request */
		0x02, 0x53, 0x00, 0x00, /* Send LD CXL.io Memory Request */
	};
	const uint8_t *want_cel[2] = { want_mbox, want_mctp };
	const size_t cel_len[2] = { sizeof(want_mbox), sizeof(want_mctp) };
	uint8_t want_logs[28] = { 0x01, 0x00, 0, 0, 0, 0, 0, 0 };
	uint8_t in[0x18] = { 0 };
	struct cci *ccis[2] = { f->mbox, f->mctp };

	memcpy(want_logs + 8, cel_uuid, 16);
	memcpy(in, cel_uuid, 16);
	for (unsigned i = 0; i < 2; i++) {
		want_logs[24] = (uint8_t)cel_len[i];
		le32_put(in + 20, (uint32_t)cel_len[i]);
		assert_int_equal(run(f, ccis[i], 0x0400, NULL, 0), CXL_RC_SUCCESS);
		expect_out(f, want_logs, sizeof(want_logs));
		assert_int_equal(run(f, ccis[i], 0x0401, in, sizeof(in)), CXL_RC_SUCCESS);
		expect_out(f, want_cel[i], cel_len[i]);
	}
	/* Get Log errors: wrong length, past the end, unknown log */
	assert_int_equal(run(f, f->mbox, 0x0401, in, 0x17), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mbox, 0x0400, in, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	le32_put(in + 20, (uint32_t)cel_len[0]);
	le32_put(in + 16, 4);
	assert_int_equal(run(f, f->mbox, 0x0401, in, sizeof(in)), CXL_RC_INVALID_INPUT);
	le32_put(in + 16, 0);
	in[15] ^= 1;
	assert_int_equal(run(f, f->mbox, 0x0401, in, sizeof(in)), CXL_RC_INVALID_LOG);
}

/* ---- Physical Switch command set ------------------------------------- */

/* CXL r3.1 §7.6.7.1.1 Identify Switch Device (5100h), Table 7-16. */
static void test_identify_switch_device(void **state)
{
	struct fixture *f = *state;
	uint8_t want[0x49] = { 0 };

	want[0x00] = 9;    /* ingress: the mailbox sits on the USP, port 9 */
	want[0x02] = 4;    /* USP + 3 DSPs */
	want[0x03] = 1;    /* one VCS */
	want[0x04] = 0x16; /* ports 1, 2, 4 */
	want[0x05] = 0x02; /* port 9 */
	want[0x24] = 0x01; /* VCS 0 active */
	want[0x44] = 4;    /* vPPBs: upstream + 3 */
	want[0x46] = 4;    /* all bound */
	want[0x48] = 4;    /* HDM decoders per USP */
	assert_int_equal(run(f, f->mbox, 0x5100, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, want, sizeof(want));

	/* over MCTP the ingress port is bus index 0; an unbound vPPB drops
	 * out of the bound count */
	assert_int_equal(unbind(f, f->mctp, 0, 2, 0), CXL_RC_BG_STARTED);
	fake_now = 1 * MS;
	want[0x00] = 0;
	want[0x46] = 3;
	assert_int_equal(run(f, f->mctp, 0x5100, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, want, sizeof(want));
	assert_int_equal(run(f, f->mctp, 0x5100, want, 2), CXL_RC_INVALID_PAYLOAD_LENGTH);
}

/* Port information blocks, CXL r3.1 Table 7-19. */
static const uint8_t blk_usp9[16] = {
	9, 0x04, 0x00, 0, 0x00, 0x06, 0x10, 0x10, 0x1f, 5, 5, 0x04, 0, 0x00, 0x00, 0,
};
static const uint8_t blk_sld1[16] = {
	1, 0x03, 0x02, 0, 0x04, 0x06, 0x10, 0x10, 0x3f, 6, 6, 0x04, 0, 0x04, 0x00, 16,
};
static const uint8_t blk_mld2[16] = {
	2, 0x03, 0x02, 0, 0x05, 0x06, 0x10, 0x10, 0x3f, 6, 6, 0x04, 0, 0x04, 0x00, 16,
};
static const uint8_t blk_empty4[16] = {
	4, 0x03, 0x00, 0, 0x00, 0x06, 0x10, 0x00, 0x3f, 6, 0, 0x00, 0, 0x00, 0x00, 16,
};
static const uint8_t blk_invalid7[16] = { 7, 0x0f };
/* port 1 held in PERST#: link down, LTSSM Detect, PERST# and PRSNT# flags */
static const uint8_t blk_sld1_perst[16] = {
	1, 0x03, 0x00, 0, 0x04, 0x06, 0x10, 0x00, 0x3f, 6, 0, 0x00, 0, 0x06, 0x00, 16,
};

/* CXL r3.1 §7.6.7.1.2 Get Physical Port State (5101h), Tables 7-17..7-19. */
static void test_get_phys_port_state(void **state)
{
	struct fixture *f = *state;
	const uint8_t in[6] = { 5, 9, 1, 2, 4, 7 };
	uint8_t want[4 + 5 * 16] = { 5, 0, 0, 0 };

	memcpy(want + 4, blk_usp9, 16);
	memcpy(want + 20, blk_sld1, 16);
	memcpy(want + 36, blk_mld2, 16);
	memcpy(want + 52, blk_empty4, 16);
	memcpy(want + 68, blk_invalid7, 16);
	assert_int_equal(run(f, f->mbox, 0x5101, in, sizeof(in)), CXL_RC_SUCCESS);
	expect_out(f, want, sizeof(want));
	assert_int_equal(run(f, f->mctp, 0x5101, in, sizeof(in)), CXL_RC_SUCCESS);
	expect_out(f, want, sizeof(want));
	/* no ports asked, none returned */
	assert_int_equal(run(f, f->mbox, 0x5101, (const uint8_t[]){ 0 }, 1), CXL_RC_SUCCESS);
	expect_out(f, (const uint8_t[]){ 0, 0, 0, 0 }, 4);
}

static void test_get_phys_port_state_errors(void **state)
{
	struct fixture *f = *state;
	uint8_t in[64] = { 5, 9, 1, 2, 4, 7 };

	/* empty request */
	assert_int_equal(run(f, f->mbox, 0x5101, in, 0), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* fewer / more port ids than announced */
	assert_int_equal(run(f, f->mbox, 0x5101, in, 5), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mbox, 0x5101, in, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* 31 blocks fit 512 bytes, 32 do not */
	in[0] = 31;
	assert_int_equal(run(f, f->mctp, 0x5101, in, 32), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4 + 31 * 16);
	in[0] = 32;
	assert_int_equal(run(f, f->mctp, 0x5101, in, 33), CXL_RC_INVALID_INPUT);
	assert_int_equal(f->out_len, 0);
}

/* CXL r3.1 §7.6.7.1.3 Physical Port Control (5102h), Table 7-20. */
static void test_phys_port_control(void **state)
{
	struct fixture *f = *state;
	const uint8_t q[2] = { 1, 1 };
	struct sw_port_info pi;

	assert_int_equal(run(f, f->mbox, 0x5102, (const uint8_t[]){ 1, 0 }, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(run(f, f->mbox, 0x5101, q, 2), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 20);
	assert_memory_equal(f->out + 4, blk_sld1_perst, 16);

	fake_now = 100 * MS - 1; /* PERST# is held at least 100 ms */
	assert_int_equal(run(f, f->mctp, 0x5102, (const uint8_t[]){ 1, 1 }, 2),
			 CXL_RC_RETRY_REQUIRED);
	fake_now = 100 * MS;
	assert_int_equal(run(f, f->mctp, 0x5102, (const uint8_t[]){ 1, 1 }, 2), CXL_RC_SUCCESS);
	assert_int_equal(run(f, f->mbox, 0x5101, q, 2), CXL_RC_SUCCESS);
	assert_memory_equal(f->out + 4, blk_sld1, 16);

	assert_int_equal(run(f, f->mbox, 0x5102, (const uint8_t[]){ 1, 2 }, 2), CXL_RC_SUCCESS);
	assert_int_equal(run(f, f->mbox, 0x5102, (const uint8_t[]){ 4, 2 }, 2), CXL_RC_SUCCESS);
	assert_int_equal(run(f, f->mbox, 0x5102, (const uint8_t[]){ 1, 2 }, 2), CXL_RC_SUCCESS);
	assert_int_equal(sw_port_get(f->sw, 1, &pi), 0);
	assert_int_equal(pi.ppb_resets, 2);

	/* the USP is a physical port too */
	assert_int_equal(run(f, f->mbox, 0x5102, (const uint8_t[]){ 9, 0 }, 2), CXL_RC_SUCCESS);
	assert_int_equal(sw_port_get(f->sw, 0, &pi), 0);
	assert_true(pi.perst);
	assert_false(pi.link_up);
	assert_int_equal(pi.ltssm, 0x00);
}

static void test_phys_port_control_errors(void **state)
{
	struct fixture *f = *state;

	/* unknown port, reserved port opcode */
	assert_int_equal(run(f, f->mbox, 0x5102, (const uint8_t[]){ 7, 0 }, 2), CXL_RC_INVALID_INPUT);
	assert_int_equal(run(f, f->mbox, 0x5102, (const uint8_t[]){ 1, 3 }, 2), CXL_RC_INVALID_INPUT);
	/* wrong length */
	assert_int_equal(run(f, f->mbox, 0x5102, (const uint8_t[]){ 1, 0, 0 }, 3),
			 CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mbox, 0x5102, (const uint8_t[]){ 1 }, 1),
			 CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* deassert without assert (QEMU: Internal Error) */
	assert_int_equal(run(f, f->mbox, 0x5102, (const uint8_t[]){ 2, 1 }, 2),
			 CXL_RC_INTERNAL_ERROR);
	assert_int_equal(run(f, f->mbox, 0x5102, (const uint8_t[]){ 2, 0 }, 2), CXL_RC_SUCCESS);
	/* assert twice, reset while held in PERST# (QEMU: Internal Error) */
	assert_int_equal(run(f, f->mbox, 0x5102, (const uint8_t[]){ 2, 0 }, 2),
			 CXL_RC_INTERNAL_ERROR);
	assert_int_equal(run(f, f->mbox, 0x5102, (const uint8_t[]){ 2, 2 }, 2),
			 CXL_RC_INTERNAL_ERROR);
}

/* ---- Virtual Switch command set -------------------------------------- */

/* CXL r3.1 §7.6.7.2.1 Get Virtual CXL Switch Info (5200h), Tables 7-30..7-32. */
static void test_get_vcs_info(void **state)
{
	struct fixture *f = *state;
	const uint8_t all[4] = { 0, 0xff, 1, 0 };
	const uint8_t want_all[4 + 4 + 3 * 4] = {
		1, 0, 0, 0,
		0, 0x01, 9, 3,          /* VCS 0 enabled, USP 9, 3 vPPBs */
		0x02, 1, 0xff, 0,       /* vPPB 0: port 1 */
		0x03, 2, 0x00, 0,       /* vPPB 1: LD 0 of the MLD on port 2 */
		0x02, 4, 0xff, 0,       /* vPPB 2: port 4 (link down) */
	};
	const uint8_t page[5] = { 1, 1, 2, 0, 5 };
	const uint8_t want_page[4 + 8 + 4] = {
		2, 0, 0, 0,
		0, 0x01, 9, 3, 0x03, 2, 0x00, 0,
		5, 0xff, 0, 0,          /* no VCS 5 */
	};
	const uint8_t past[4] = { 3, 4, 1, 0 };
	const uint8_t want_past[8] = { 1, 0, 0, 0, 0, 0x01, 9, 3 };

	assert_int_equal(run(f, f->mbox, 0x5200, all, sizeof(all)), CXL_RC_SUCCESS);
	expect_out(f, want_all, sizeof(want_all));
	assert_int_equal(run(f, f->mctp, 0x5200, page, sizeof(page)), CXL_RC_SUCCESS);
	expect_out(f, want_page, sizeof(want_page));
	/* a start past the last vPPB lists none */
	assert_int_equal(run(f, f->mbox, 0x5200, past, sizeof(past)), CXL_RC_SUCCESS);
	expect_out(f, want_past, sizeof(want_past));
}

static void test_get_vcs_info_errors(void **state)
{
	struct fixture *f = *state;
	uint8_t in[300] = { 0, 1, 2, 0, 0 };

	assert_int_equal(run(f, f->mbox, 0x5200, in, 2), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mbox, 0x5200, in, 4), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mbox, 0x5200, in, 6), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* list limit and number of VCSs have a minimum of 1 */
	in[1] = 0;
	assert_int_equal(run(f, f->mbox, 0x5200, in, 5), CXL_RC_INVALID_INPUT);
	in[1] = 1;
	in[2] = 0;
	assert_int_equal(run(f, f->mbox, 0x5200, in, 3), CXL_RC_INVALID_INPUT);
	/* 255 blocks (1024 bytes) do not fit the MCTP CCI's 512 */
	in[2] = 255;
	memset(in + 3, 7, 255);
	assert_int_equal(run(f, f->mctp, 0x5200, in, 258), CXL_RC_INVALID_INPUT);
	assert_int_equal(run(f, f->mbox, 0x5200, in, 258), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4 + 255 * 4);
}

/* Unbind then bind through the background-operation machinery. */
static void test_bind_unbind_flow(void **state)
{
	struct fixture *f = *state;
	const uint8_t bg_25[8] = { 0x01 | 25 << 1, 0, 0x02, 0x52, 0, 0, 0, 0 };
	const uint8_t bg_done_unbind[8] = { 100 << 1, 0, 0x02, 0x52, 0, 0, 0, 0 };
	const uint8_t bg_done_bind[8] = { 100 << 1, 0, 0x01, 0x52, 0, 0, 0, 0 };
	struct sw_vppb_info vi;

	/* Unbind vPPB 0 (port 1): started, no payload */
	assert_int_equal(unbind(f, f->mbox, 0, 0, 1), CXL_RC_BG_STARTED);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(sw_bg_remaining_ns(f->sw), 1 * MS);
	fake_now = 250000;
	assert_int_equal(run(f, f->mbox, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, bg_25, 8);
	/* in progress: vPPB status 01h, port 1 "unbind in progress" */
	expect_vppb(f, 0, 0x01, 1, 0xff);
	assert_int_equal(port_state(f, 1), 0x02);
	/* the other CCI has no operation of its own */
	assert_int_equal(run(f, f->mctp, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, (const uint8_t[8]){ 0 }, 8);

	fake_now = 1 * MS;
	assert_int_equal(sw_tick(f->sw), 1);
	assert_int_equal(sw_tick(f->sw), 0);
	assert_int_equal(run(f, f->mbox, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, bg_done_unbind, 8);
	expect_vppb(f, 0, 0x00, 0xff, 0xff);
	assert_int_equal(port_state(f, 1), 0x03);

	/* Bind vPPB 0 to the empty port 4? It is bound to vPPB 2 already. */
	assert_int_equal(bind(f, f->mbox, 0, 0, 4, SW_LD_NONE), CXL_RC_INVALID_INPUT);
	/* Bind vPPB 0 back to port 1 */
	assert_int_equal(bind(f, f->mbox, 0, 0, 1, SW_LD_NONE), CXL_RC_BG_STARTED);
	assert_int_equal(f->out_len, 0);
	expect_vppb(f, 0, 0x01, 1, 0xff);
	assert_int_equal(port_state(f, 1), 0x01);
	assert_int_equal(sw_vppb_get(f->sw, 0, &vi), 0);
	assert_int_equal(vi.status, SW_VPPB_IN_PROGRESS);
	/* a second background command on this CCI is Busy */
	assert_int_equal(unbind(f, f->mbox, 0, 2, 0), CXL_RC_BUSY);
	fake_now = 2 * MS;
	/* the next command on the CCI completes it first */
	assert_int_equal(run(f, f->mbox, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, bg_done_bind, 8);
	expect_vppb(f, 0, 0x02, 1, 0xff);
	assert_int_equal(port_state(f, 1), 0x03);
}

static void test_bind_mld(void **state)
{
	struct fixture *f = *state;

	/* free vPPB 2 (port 4), then bind it to LD 3 of the MLD on port 2 */
	assert_int_equal(unbind(f, f->mbox, 0, 2, 2), CXL_RC_BG_STARTED);
	fake_now = 1 * MS;
	assert_int_equal(bind(f, f->mbox, 0, 2, 2, 0xffff), CXL_RC_INVALID_INPUT); /* no LD */
	assert_int_equal(bind(f, f->mbox, 0, 2, 2, 4), CXL_RC_INVALID_INPUT);      /* 4 LDs */
	assert_int_equal(bind(f, f->mbox, 0, 2, 2, 0), CXL_RC_INVALID_INPUT);      /* vPPB 1 */
	assert_int_equal(bind(f, f->mbox, 0, 2, 2, 3), CXL_RC_BG_STARTED);
	expect_vppb(f, 2, 0x01, 2, 0x03);
	fake_now = 2 * MS;
	expect_vppb(f, 2, 0x03, 2, 0x03);
	/* unbinding an LD binding */
	assert_int_equal(unbind(f, f->mctp, 0, 1, 0), CXL_RC_BG_STARTED);
	expect_vppb(f, 1, 0x01, 2, 0x00);
	fake_now = 3 * MS;
	expect_vppb(f, 1, 0x00, 0xff, 0xff);
}

static void test_bind_errors(void **state)
{
	struct fixture *f = *state;
	const uint8_t six[7] = { 0 };

	/* wrong lengths */
	assert_int_equal(run(f, f->mbox, 0x5201, six, 5), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mbox, 0x5201, six, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* a bound vPPB */
	assert_int_equal(bind(f, f->mbox, 0, 0, 1, SW_LD_NONE), CXL_RC_INVALID_INPUT);
	assert_int_equal(unbind(f, f->mbox, 0, 2, 0), CXL_RC_BG_STARTED);
	fake_now = 1 * MS;
	/* VCS 1 does not exist, vPPB 3 neither */
	assert_int_equal(bind(f, f->mbox, 1, 2, 4, SW_LD_NONE), CXL_RC_INVALID_INPUT);
	assert_int_equal(bind(f, f->mbox, 0, 3, 4, SW_LD_NONE), CXL_RC_INVALID_INPUT);
	/* the USP and unknown ports are not bind targets */
	assert_int_equal(bind(f, f->mbox, 0, 2, 9, SW_LD_NONE), CXL_RC_INVALID_INPUT);
	assert_int_equal(bind(f, f->mbox, 0, 2, 7, SW_LD_NONE), CXL_RC_INVALID_INPUT);
	/* a bound vPPB, even with a free target port */
	assert_int_equal(bind(f, f->mbox, 0, 0, 4, SW_LD_NONE), CXL_RC_INVALID_INPUT);
	/* an LD id for an SLD port, or an empty one */
	assert_int_equal(bind(f, f->mbox, 0, 2, 1, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(bind(f, f->mbox, 0, 2, 4, 0), CXL_RC_INVALID_INPUT);
	/* a port that is bound to another vPPB */
	assert_int_equal(bind(f, f->mbox, 0, 2, 1, SW_LD_NONE), CXL_RC_INVALID_INPUT);
	assert_int_equal(f->out_len, 0);

	/* Busy while a bind runs on this CCI; for the other CCI, which has no
	 * operation running, the vPPB in progress is Invalid Input, and so is
	 * the port being bound, for another vPPB */
	assert_int_equal(unbind(f, f->mctp, 0, 0, 0), CXL_RC_BG_STARTED);
	fake_now = 2 * MS;
	assert_int_equal(bind(f, f->mbox, 0, 2, 4, SW_LD_NONE), CXL_RC_BG_STARTED);
	assert_int_equal(bind(f, f->mbox, 0, 2, 4, SW_LD_NONE), CXL_RC_BUSY);
	assert_int_equal(bind(f, f->mctp, 0, 2, 4, SW_LD_NONE), CXL_RC_INVALID_INPUT);
	expect_vppb(f, 0, 0x00, 0xff, 0xff); /* the MCTP CCI's unbind is done */
	assert_int_equal(bind(f, f->mctp, 0, 0, 4, SW_LD_NONE), CXL_RC_INVALID_INPUT);
	/* port 1 is free now, vPPB 2 is still being bound */
	assert_int_equal(bind(f, f->mctp, 0, 2, 1, SW_LD_NONE), CXL_RC_INVALID_INPUT);
	assert_int_equal(sw_bg_remaining_ns(f->sw), 1 * MS);
	fake_now = 3 * MS;
	expect_vppb(f, 2, 0x02, 4, 0xff);
}

static void test_unbind_errors(void **state)
{
	struct fixture *f = *state;
	const uint8_t four[4] = { 0 };

	assert_int_equal(run(f, f->mbox, 0x5202, four, 2), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mbox, 0x5202, four, 4), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(unbind(f, f->mbox, 1, 0, 0), CXL_RC_INVALID_INPUT); /* VCS 1 */
	assert_int_equal(unbind(f, f->mbox, 0, 3, 0), CXL_RC_INVALID_INPUT); /* vPPB 3 */
	assert_int_equal(unbind(f, f->mbox, 0, 0, 3), CXL_RC_INVALID_INPUT); /* option */
	/* reserved bits[7:4] of the option byte are ignored */
	assert_int_equal(unbind(f, f->mbox, 0, 0, 0xf2), CXL_RC_BG_STARTED);
	assert_int_equal(unbind(f, f->mbox, 0, 1, 0), CXL_RC_BUSY);
	/* in progress on the other CCI: not bound */
	assert_int_equal(unbind(f, f->mctp, 0, 0, 0), CXL_RC_INVALID_INPUT);
	fake_now = 1 * MS;
	/* unbound */
	assert_int_equal(unbind(f, f->mbox, 0, 0, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(f->out_len, 0);
}

/* ---- MLD Port command set: Tunnel Management ------------------------- */

/* Tunnel request (Table 7-37) carrying a CCI request (Figure 7-19). */
static size_t tunnel_req(uint8_t *b, uint8_t port, uint8_t type, uint8_t category,
			 uint8_t tag, uint16_t op, size_t pl_len)
{
	size_t size = 12 + pl_len;

	memset(b, 0, 4 + size);
	b[0] = port;
	b[1] = type;
	le16_put(b + 2, (uint16_t)size);
	b[4] = category;
	b[5] = tag;
	b[7] = (uint8_t)op;
	b[8] = (uint8_t)(op >> 8);
	b[9] = (uint8_t)pl_len;
	return 4 + size;
}

/* CXL r3.1 §7.6.7.3.1 Tunnel Management Command (5300h), Tables 7-37/7-38. */
static void test_tunnel(void **state)
{
	struct fixture *f = *state;
	uint8_t req[64];
	size_t len = tunnel_req(req, 1, 0, 0, 0x5a, 0x0001, 0);
	const uint8_t want[4 + 12 + 18] = {
		30, 0, 0, 0,                                 /* response length */
		0x01, 0x5a, 0, 0x01, 0x00, 18, 0, 0, 0, 0, 0, 0, /* response header */
		0x36, 0x1b, 0x93, 0x0d, 0xf4, 0x1a, 0x00, 0x11,
		99, 0, 0, 0, 0, 0, 0, 0, 9, 0x03,            /* the target's Identify */
	};
	const uint8_t want_unsup[4 + 12] = {
		12, 0, 0, 0, 0x01, 0x07, 0, 0x00, 0x48, 0, 0, 0, 0x03, 0, 0, 0,
	};

	assert_int_equal(run(f, f->mbox, 0x5300, req, len), CXL_RC_SUCCESS);
	expect_out(f, want, sizeof(want));
	assert_int_equal(run(f, f->mctp, 0x5300, req, len), CXL_RC_SUCCESS);
	expect_out(f, want, sizeof(want));
	/* the MLD's port routes to its FM-owned LD CCI too */
	req[0] = 2;
	assert_int_equal(run(f, f->mctp, 0x5300, req, len), CXL_RC_SUCCESS);
	expect_out(f, want, sizeof(want));
	/* an inner error travels in the inner header; the tunnel succeeded */
	len = tunnel_req(req, 1, 0, 0, 0x07, 0x4800, 0);
	assert_int_equal(run(f, f->mbox, 0x5300, req, len), CXL_RC_SUCCESS);
	expect_out(f, want_unsup, sizeof(want_unsup));
}

static void test_tunnel_errors(void **state)
{
	struct fixture *f = *state;
	struct sw_attached pcie = { .fm_cci = &f->tgt, .dev_type = SW_DEV_PCIE, .id = "nic" };
	uint8_t req[64];
	size_t len;

	/* short: below tunnel header + CCI header */
	len = tunnel_req(req, 1, 0, 0, 1, 0x0001, 0);
	assert_int_equal(run(f, f->mbox, 0x5300, req, len - 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, f->mbox, 0x5300, req, 0), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* command size disagrees with the bytes present */
	le16_put(req + 2, 13);
	assert_int_equal(run(f, f->mbox, 0x5300, req, len), CXL_RC_INVALID_PAYLOAD_LENGTH);
	le16_put(req + 2, 11);
	assert_int_equal(run(f, f->mbox, 0x5300, req, len), CXL_RC_INVALID_PAYLOAD_LENGTH);
	/* inner header's payload length disagrees with the command size */
	len = tunnel_req(req, 1, 0, 0, 1, 0x0001, 0);
	req[9] = 2;
	assert_int_equal(run(f, f->mbox, 0x5300, req, len), CXL_RC_INVALID_INPUT);
	/* target type 1 (LD-pool CCI) is not a switch target */
	len = tunnel_req(req, 1, 1, 0, 1, 0x0001, 0);
	assert_int_equal(run(f, f->mbox, 0x5300, req, len), CXL_RC_INVALID_INPUT);
	/* embedded message is a response, not a request */
	len = tunnel_req(req, 1, 0, 1, 1, 0x0001, 0);
	assert_int_equal(run(f, f->mbox, 0x5300, req, len), CXL_RC_INVALID_INPUT);
	/* no device below port 4; port 7 does not exist; 9 is the USP */
	len = tunnel_req(req, 4, 0, 0, 1, 0x0001, 0);
	assert_int_equal(run(f, f->mbox, 0x5300, req, len), CXL_RC_INVALID_INPUT);
	req[0] = 7;
	assert_int_equal(run(f, f->mbox, 0x5300, req, len), CXL_RC_INVALID_INPUT);
	req[0] = 9;
	assert_int_equal(run(f, f->mbox, 0x5300, req, len), CXL_RC_INVALID_INPUT);
	/* a device that is not a type-3 */
	assert_int_equal(sw_attach(f->sw, 2, &pcie), 0);
	req[0] = 4;
	assert_int_equal(run(f, f->mbox, 0x5300, req, len), CXL_RC_INVALID_INPUT);
	/* a device that went away */
	assert_int_equal(sw_detach(f->sw, 0), 0);
	req[0] = 1;
	assert_int_equal(run(f, f->mbox, 0x5300, req, len), CXL_RC_INVALID_INPUT);
	assert_int_equal(f->out_len, 0);
}

/* ---- port numbers and links as QEMU's command line gives them --------- */

/*
 * QEMU does not check port numbers: the USP and DSPs may share them (all
 * left at the default 0, or libcxlmi's cxl-upstream,port=2 beside
 * cxl-downstream,port=2). A port id names the first DSP with that number,
 * else the USP (QEMU's 5101h and tunnel try pcie_find_port_by_pn() first).
 */
static void test_duplicate_port_numbers(void **state)
{
	static const struct sw_port_cfg dsps[] = { { .port = 0 }, { .port = 1 }, { .port = 0 } };
	struct sw_config cfg = { .id = "dup", .usp = { .port = 0 }, .n_dsp = 3, .dsps = dsps };
	struct fixture *f = *state;
	struct sw_dev *sw = f->sw;
	uint8_t req[64], want_ident[0x49] = { 0 };
	struct sw_vppb_info vi;
	size_t len;

	assert_int_equal(sw_create(&cfg, &clk, &f->sw), 0);
	assert_int_equal(sw_attach(f->sw, 0, &(struct sw_attached){
		.fm_cci = &f->tgt, .dev_type = SW_DEV_CXL_TYPE3_SLD, .id = "first" }), 0);
	assert_int_equal(sw_attach(f->sw, 2, &(struct sw_attached){
		.dev_type = SW_DEV_PCIE, .id = "second" }), 0);
	f->mbox = sw_mbox_cci(f->sw);

	/* four physical ports, two distinct ids */
	want_ident[0x02] = 4;
	want_ident[0x03] = 1;
	want_ident[0x04] = 0x03;
	want_ident[0x24] = 0x01;
	want_ident[0x44] = 4;
	want_ident[0x46] = 4;
	want_ident[0x48] = 4;
	assert_int_equal(run(f, f->mbox, 0x5100, NULL, 0), CXL_RC_SUCCESS);
	expect_out(f, want_ident, sizeof(want_ident));

	/* port 0 is the first DSP (an SLD), not the USP nor the third port */
	assert_int_equal(run(f, f->mbox, 0x5101, (const uint8_t[]){ 1, 0 }, 2),
			 CXL_RC_SUCCESS);
	assert_int_equal(f->out[4], 0);
	assert_int_equal(f->out[5], SW_PORT_DSP);
	assert_int_equal(f->out[8], SW_DEV_CXL_TYPE3_SLD);

	/* vPPB 2 is bound to the third port, whose id is 0 too */
	expect_vppb(f, 0, SW_VPPB_BOUND_PORT, 0, 0xff);
	expect_vppb(f, 2, SW_VPPB_BOUND_PORT, 0, 0xff);
	assert_int_equal(sw_vppb_get(f->sw, 2, &vi), 0);
	assert_int_equal(vi.port_id, 0);

	/* a tunnel to port 0 reaches the first DSP's device */
	len = tunnel_req(req, 0, 0, 0, 1, 0x0001, 0);
	assert_int_equal(run(f, f->mbox, 0x5300, req, len), CXL_RC_SUCCESS);
	assert_int_equal(le16_get(f->out + 4 + 10), CXL_RC_SUCCESS);

	/* unbinding vPPB 0 frees the first DSP only: a bind to port 0 takes
	 * it, and a second bind to port 0 finds it taken */
	assert_int_equal(unbind(f, f->mbox, 0, 0, 0), CXL_RC_BG_STARTED);
	fake_now += 1 * MS;
	sw_tick(f->sw);
	expect_vppb(f, 0, SW_VPPB_UNBOUND, 0xff, 0xff);
	assert_int_equal(bind(f, f->mbox, 0, 0, 0, SW_LD_NONE), CXL_RC_BG_STARTED);
	fake_now += 1 * MS;
	sw_tick(f->sw);
	expect_vppb(f, 0, SW_VPPB_BOUND_PORT, 0, 0xff);
	assert_int_equal(unbind(f, f->mbox, 0, 1, 0), CXL_RC_BG_STARTED);
	fake_now += 1 * MS;
	sw_tick(f->sw);
	assert_int_equal(bind(f, f->mbox, 0, 1, 0, SW_LD_NONE), CXL_RC_INVALID_INPUT);

	sw_destroy(f->sw);
	f->sw = sw;
	f->mbox = sw_mbox_cci(sw);
}

/*
 * x-width, x-speed and x-256b-flit reach Get Physical Port State (Table
 * 7-19): maxima from the port, the negotiated link the lesser of port and
 * device, 256B flits only when both ends have them.
 */
static void test_link_properties(void **state)
{
	static const struct sw_port_cfg dsps[] = {
		{ .port = 1, .width = 4, .speed = 6 }, { .port = 2 },
	};
	struct sw_config cfg = {
		.id = "links", .usp = { .port = 9, .width = 8, .speed = 4, .no_256b_flit = true },
		.n_dsp = 2, .dsps = dsps,
	};
	static const uint8_t blk_usp[16] = {
		9, 0x04, 0x00, 0, 0x00, 0x02, 0x08, 0x08, 0x0f, 4, 4, 0x04, 0, 0x00, 0x00, 0,
	};
	static const uint8_t blk_flit[16] = {
		1, 0x03, 0x03, 0, 0x04, 0x06, 0x04, 0x02, 0x3f, 6, 3, 0x04, 0, 0x04, 0x00, 16,
	};
	static const uint8_t blk_68b[16] = {
		2, 0x03, 0x02, 0, 0x04, 0x06, 0x10, 0x10, 0x3f, 6, 6, 0x04, 0, 0x04, 0x00, 16,
	};
	struct fixture *f = *state;
	struct sw_dev *sw = f->sw;
	uint8_t want[4 + 3 * 16] = { 3 };

	assert_int_equal(sw_create(&cfg, &clk, &f->sw), 0);
	assert_int_equal(sw_attach(f->sw, 0, &(struct sw_attached){
		.dev_type = SW_DEV_CXL_TYPE3_SLD, .width = 2, .speed = 3, .flit_256b = true }), 0);
	assert_int_equal(sw_attach(f->sw, 1, &(struct sw_attached){
		.dev_type = SW_DEV_CXL_TYPE3_SLD }), 0);
	memcpy(want + 4, blk_usp, 16);
	memcpy(want + 20, blk_flit, 16);
	memcpy(want + 36, blk_68b, 16);
	assert_int_equal(run(f, sw_mctp_cci(f->sw), 0x5101, (const uint8_t[]){ 3, 9, 1, 2 }, 4),
			 CXL_RC_SUCCESS);
	expect_out(f, want, sizeof(want));
	sw_destroy(f->sw);
	f->sw = sw;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		cmocka_unit_test(test_create_rejects),
		cmocka_unit_test(test_start_unbound),
		T(test_attach_errors),
		T(test_topology_accessors),
		T(test_unsupported),
		T(test_identify),
		T(test_bg_op_status_idle),
		T(test_rsp_msg_limit),
		T(test_bg_op_abort),
		T(test_timestamp),
		T(test_cel),
		T(test_identify_switch_device),
		T(test_get_phys_port_state),
		T(test_get_phys_port_state_errors),
		T(test_phys_port_control),
		T(test_phys_port_control_errors),
		T(test_get_vcs_info),
		T(test_get_vcs_info_errors),
		T(test_bind_unbind_flow),
		T(test_bind_mld),
		T(test_bind_errors),
		T(test_unbind_errors),
		T(test_tunnel),
		T(test_tunnel_errors),
		T(test_duplicate_port_numbers),
		T(test_link_properties),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
