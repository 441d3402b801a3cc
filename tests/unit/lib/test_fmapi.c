/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm typed calls (fmapi.h) against the real device models behind the
 * emulator's MCTP endpoint code, over a SOCK_SEQPACKET socket pair. A small
 * fake bus thread (test scaffolding) plays cxl-emu's bus:
 *   0x04  switch us0 (sn 1234, DSPs 0, 1, 3), the DCD below port 0
 *   0x06  the DCD's FM-owned LD CCI (sn 99, 256 MiB volatile, 2 x 256 MiB DC)
 *   0x07  the DCD's host mailbox (events, host DC commands)
 *   0x08  an MLD (4 LDs, 1 GiB)'s FM-owned LD CCI
 *   0x09  a component that answers with malformed payloads
 * Every other address NACKs.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cxlfm/cxlfm.h"
#include "cxlfm/fmapi.h"
#include "cxlfm/fabric.h"
#include "cxlfm/generic.h"
#include "cxlfm/qos.h"
#include "dev/cci.h"
#include "dev/sw.h"
#include "dev/t3.h"
#include "emu/mctp_ep.h"
#include "proto/le.h"

#define MiB (1ull << 20)
#define R0 (256 * MiB)
#define R1 (512 * MiB)
#define BS (2 * MiB)

static uint64_t clk(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const struct cci_clock clock_ops = { .now_ns = clk };

/* ---- the lying component at 0x09 ---- */

#define OP_SLOW 0xc0de /* answered 260 ms late */

static uint16_t h_lie(struct cci *cci, const struct cci_cmd *cmd, struct cci_call *c)
{
	(void)cci;
	switch (cmd->info->opcode) {
	case OP_SLOW:
		nanosleep(&(struct timespec){ .tv_nsec = 260 * 1000000l }, NULL);
		break;
	case CCI_OP_IDENTIFY:
		c->out_len = 17; /* one byte short */
		break;
	case CCI_OP_BG_OP_STATUS:
		c->out[0] = 0xff; /* 127 % */
		c->out_len = 8;
		break;
	case CCI_OP_GET_EVENT_RECORDS:
		le16_put(c->out + 20, 1); /* one record announced, none sent */
		c->out_len = 32;
		break;
	case CCI_OP_GET_SUPPORTED_LOGS:
		le16_put(c->out, 200); /* more entries than a message holds */
		c->out_len = 8;
		break;
	case CCI_OP_GET_MCTP_EVENT_INT_POLICY:
	case CCI_OP_GET_LOG_CAPS:
		c->out_len = 5; /* fixed 2 and 4: too long */
		break;
	case CCI_OP_GET_FW_INFO:
		c->out[0] = 2;
		c->out[1] = 3; /* active slot 3 of 2 */
		c->out_len = 0x50;
		break;
	case CCI_OP_GET_SUPPORTED_LOGS_SUBLIST:
		c->out[0] = 2; /* two entries announced, one sent */
		le16_put(c->out + 2, 2);
		c->out_len = 8 + 20;
		break;
	case CCI_OP_GET_SUPPORTED_FEATURES:
		le16_put(c->out, 1); /* one entry announced, none sent */
		c->out_len = 8;
		break;
	case CCI_OP_GET_FEATURE:
		c->out_len = le16_get(c->in + 18) + 1u; /* a byte more than asked */
		break;
	case CCI_OP_GET_PHYS_PORT_STATE:
		c->out[0] = 2; /* two blocks announced, one sent */
		c->out_len = 4 + 16;
		break;
	case CCI_OP_GET_VCS_INFO:
		c->out[0] = 1;
		c->out[4] = 0;
		c->out[5] = 1;
		c->out[7] = 3; /* 3 vPPBs, none sent */
		c->out_len = 8;
		break;
	case CCI_OP_GET_DCD_INFO:
		c->out_len = 83;
		break;
	case CCI_OP_GET_HOST_DC_REGION_CONFIG:
		c->out[3] = 9; /* more regions than exist */
		c->out_len = 4 + 9 * 40 + 16;
		break;
	case CCI_OP_GET_DC_REGION_EXTENT_LISTS:
		le32_put(c->out + 8, 2); /* 2 returned, 1 sent */
		c->out_len = 24 + 40;
		break;
	case CCI_OP_GET_LD_ALLOCATIONS:
		c->out[3] = 17;
		c->out_len = 4 + 17 * 16;
		break;
	case CCI_OP_SET_DC_REGION_CONFIG:
		c->out_len = 1; /* a command without output answering one byte */
		break;
	default:
		break;
	}
	return CXL_RC_SUCCESS;
}

/*
 * The liar's facts take any answer length (the real ones would make its
 * dispatcher refuse the lies as Internal Error) and any request as long as
 * libcxlfm's.
 */
#define LIE_INFO(id) { .opcode = CCI_OP_##id, .name = #id, .ccis = CXLFM_CCI_ANY, \
	.in_var = true, .in_len = CXL_IN_##id, .out_var = true }
static const struct cxl_cmd_info lie_info[] = {
	LIE_INFO(IDENTIFY),
	LIE_INFO(BG_OP_STATUS),
	LIE_INFO(GET_EVENT_RECORDS),
	LIE_INFO(GET_MCTP_EVENT_INT_POLICY),
	LIE_INFO(GET_FW_INFO),
	LIE_INFO(GET_SUPPORTED_LOGS),
	LIE_INFO(GET_LOG_CAPS),
	LIE_INFO(GET_SUPPORTED_LOGS_SUBLIST),
	LIE_INFO(GET_SUPPORTED_FEATURES),
	LIE_INFO(GET_FEATURE),
	LIE_INFO(GET_PHYS_PORT_STATE),
	LIE_INFO(GET_VCS_INFO),
	LIE_INFO(GET_LD_ALLOCATIONS),
	LIE_INFO(GET_DCD_INFO),
	LIE_INFO(GET_HOST_DC_REGION_CONFIG),
	LIE_INFO(SET_DC_REGION_CONFIG),
	LIE_INFO(GET_DC_REGION_EXTENT_LISTS),
	{ .opcode = OP_SLOW, .name = "slow", .ccis = CXLFM_CCI_ANY },
};
static const struct cci_cmd lie_cmds[] = {
	{ &lie_info[0], h_lie },  { &lie_info[1], h_lie },  { &lie_info[2], h_lie },
	{ &lie_info[3], h_lie },  { &lie_info[4], h_lie },  { &lie_info[5], h_lie },
	{ &lie_info[6], h_lie },  { &lie_info[7], h_lie },  { &lie_info[8], h_lie },
	{ &lie_info[9], h_lie },  { &lie_info[10], h_lie }, { &lie_info[11], h_lie },
	{ &lie_info[12], h_lie }, { &lie_info[13], h_lie }, { &lie_info[14], h_lie },
	{ &lie_info[15], h_lie }, { &lie_info[16], h_lie }, { &lie_info[17], h_lie },
};
_Static_assert(sizeof(lie_cmds) / sizeof(lie_cmds[0]) == sizeof(lie_info) / sizeof(lie_info[0]),
	      "a row per fact");
static const struct cci_cmd_set lie_set = CCI_SET("liar", CXLFM_CCI_ANY, lie_cmds);
static const struct cci_ident lie_ident = { .vendor_id = 1, .component_type = 3 };
static struct cci_timestamp lie_ts;
static struct cci lie_cci;

/* ---- the fake bus ---- */

struct bus_ep {
	struct mctp_ep *ep;
	struct cci *cci;
};

static struct {
	int fd;
	struct bus_ep eps[5];
	pthread_t thread;
	struct sw_dev *sw;
	struct t3_dev *dcd, *mld;
} bus;

static int sock_for_lib;

static int ep_tx(struct mctp_ep *ep, const uint8_t *frame, size_t len, void *arg)
{
	(void)ep;
	(void)arg;
	return send(bus.fd, frame, len, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static void ep_cxl(struct mctp_ep *ep, const struct mctp_ep_token *tok,
		   const uint8_t *msg, size_t len, void *arg)
{
	struct bus_ep *be = arg;
	uint8_t rsp[12 + 2048];
	int n = cci_msg_run(be->cci, msg, len, rsp, sizeof(rsp));

	(void)tok;
	if (n >= 0)
		mctp_ep_reply(ep, tok, rsp, (size_t)n);
}

static const struct mctp_ep_ops ep_ops = { .tx = ep_tx, .handle_cxl = ep_cxl };

static void *bus_main(void *arg)
{
	uint8_t buf[512];
	ssize_t n;

	(void)arg;
	while ((n = recv(bus.fd, buf, sizeof(buf), 0)) > 0) {
		uint8_t dest = buf[0] >> 1;
		struct mctp_ep *ep = NULL;

		for (size_t i = 0; i < 5; i++)
			if (mctp_ep_addr(bus.eps[i].ep) == dest)
				ep = bus.eps[i].ep;
		if (ep) {
			mctp_ep_rx(ep, buf, (size_t)n, clk(NULL));
		} else {
			uint8_t nack[2] = { 0x01, dest };

			send(bus.fd, nack, 2, MSG_NOSIGNAL);
		}
	}
	return NULL;
}

static void add_ep(size_t i, uint8_t addr, struct cci *cci)
{
	char name[32];
	struct mctp_ep_cfg cfg = { .name = name, .addr = addr, .ops = &ep_ops,
				   .arg = &bus.eps[i] };

	snprintf(name, sizeof(name), "t@0x%02x", addr);
	bus.eps[i].cci = cci;
	assert_int_equal(mctp_ep_new(&cfg, &bus.eps[i].ep), 0);
}

static int setup(void **state)
{
	static const struct sw_port_cfg dsps[] = { { .port = 0 }, { .port = 1 }, { .port = 3 } };
	struct sw_config sc = { .id = "us0", .serial = 1234, .usp = { .port = 2 }, .n_dsp = 3,
				.dsps = dsps, .bind_duration_ns = 20 * 1000000ull };
	struct t3_config dc = { .id = "cxl-dcd0", .serial = 99, .vmem_size = 256 * MiB,
				.dc_size = 512 * MiB, .num_dc_regions = 2 };
	struct t3_config mc = { .id = "mld0", .serial = 7, .vmem_size = 1024 * MiB,
				.num_ld = 4 };
	int sv[2];

	(void)state;
	assert_int_equal(t3_create(&dc, &clock_ops, &bus.dcd), 0);
	assert_int_equal(t3_create(&mc, &clock_ops, &bus.mld), 0);
	assert_int_equal(sw_create(&sc, &clock_ops, &bus.sw), 0);
	assert_int_equal(sw_attach(bus.sw, 0, &(struct sw_attached){
		.fm_cci = t3_fm_cci(bus.dcd), .dev_type = SW_DEV_CXL_TYPE3_SLD, .id = "cxl-dcd0" }), 0);
	assert_int_equal(sw_attach(bus.sw, 1, &(struct sw_attached){
		.fm_cci = t3_fm_cci(bus.mld), .dev_type = SW_DEV_CXL_TYPE3_MLD, .ld_count = 4,
		.id = "mld0" }), 0);
	assert_int_equal(cci_init(&lie_cci, "liar", NULL, &lie_ident, &lie_ts, &clock_ops,
				  1024, 1024), 0);
	assert_int_equal(cci_add_set(&lie_cci, &lie_set), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	bus.fd = sv[0];
	sock_for_lib = sv[1];
	add_ep(0, 0x04, sw_mctp_cci(bus.sw));
	add_ep(1, 0x06, t3_fm_cci(bus.dcd));
	add_ep(2, 0x07, t3_host_cci(bus.dcd));
	add_ep(3, 0x08, t3_fm_cci(bus.mld));
	add_ep(4, 0x09, &lie_cci);
	assert_int_equal(pthread_create(&bus.thread, NULL, bus_main, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	shutdown(bus.fd, SHUT_RDWR);
	pthread_join(bus.thread, NULL);
	close(bus.fd);
	close(sock_for_lib);
	for (size_t i = 0; i < 5; i++)
		mctp_ep_free(bus.eps[i].ep);
	sw_destroy(bus.sw);
	t3_destroy(bus.dcd);
	t3_destroy(bus.mld);
	return 0;
}

static struct cxlfm_ctx *ctx;

static int open_ctx(void **state)
{
	struct cxlfm_opts o = { .size = sizeof(o), .timeout_ms = 1000 };
	int fd = dup(sock_for_lib);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(cxlfm_open_fd(fd, &o, &ctx), 0);
	return 0;
}

static int close_ctx(void **state)
{
	(void)state;
	cxlfm_close(ctx);
	ctx = NULL;
	return 0;
}

static struct cxlfm_ep *ep_at(uint8_t addr)
{
	struct cxlfm_ep *ep = NULL;

	assert_int_equal(cxlfm_ep_by_addr(ctx, addr, &ep), 0);
	return ep;
}

/* ---- generic ---- */

static void test_generic(void **state)
{
	struct cxlfm_ep *sw = ep_at(0x04), *dcd = ep_at(0x06);
	struct cxlfm_identify_rsp id;
	struct cxlfm_bg_op_status_rsp bg;
	struct cxlfm_get_response_msg_limit_rsp lim;
	struct cxlfm_set_response_msg_limit_rsp slim;
	struct cxlfm_get_timestamp_rsp ts;
	struct cxlfm_get_supported_logs_rsp logs;
	struct cxlfm_get_log_rsp *log = malloc(sizeof(*log));
	struct cxlfm_cel *cel = malloc(sizeof(*cel));
	struct cxlfm_get_log_req lreq = { .offset = 0, .length = 8 };
	bool found = false;

	(void)state;
	assert_int_equal(cxlfm_cmd_identify(sw, NULL, &id), 0);
	assert_int_equal(id.component_type, CXLFM_COMPONENT_SWITCH);
	assert_int_equal(id.serial, 1234);
	assert_int_equal(id.vendor_id, SW_DEFAULT_VENDOR_ID);
	assert_int_equal(id.max_msg_size_log2, 9);
	assert_int_equal(cxlfm_cmd_identify(dcd, NULL, &id), 0);
	assert_int_equal(id.component_type, CXLFM_COMPONENT_TYPE3);
	assert_int_equal(id.serial, 99);
	assert_int_equal(id.vendor_id, 0x8086);
	assert_int_equal(id.device_id, 0x0d93);
	assert_int_equal(id.subsys_vendor_id, 0x1af4);

	assert_int_equal(cxlfm_cmd_bg_op_status(dcd, NULL, &bg), 0);
	assert_false(bg.running);

	assert_int_equal(cxlfm_cmd_get_response_msg_limit(dcd, NULL, &lim), 0);
	assert_int_equal(lim.limit_log2, 9);
	assert_int_equal(cxlfm_cmd_set_response_msg_limit(dcd, NULL,
		&(struct cxlfm_set_response_msg_limit_req){ 10 }, &slim), 0);
	assert_int_equal(slim.limit_log2, 10);
	assert_int_equal(cxlfm_cmd_set_response_msg_limit(dcd, NULL,
		&(struct cxlfm_set_response_msg_limit_req){ 11 }, &slim), CXLFM_RC_INVALID_INPUT);
	assert_int_equal(cxlfm_cmd_set_response_msg_limit(dcd, NULL,
		&(struct cxlfm_set_response_msg_limit_req){ 9 }, &slim), 0);

	/* the switch and the FM-owned LD have timestamps, each its own */
	assert_int_equal(cxlfm_cmd_get_timestamp(sw, NULL, &ts), 0);
	assert_int_equal(ts.timestamp, 0);
	assert_int_equal(cxlfm_cmd_set_timestamp(sw, NULL,
		&(struct cxlfm_set_timestamp_req){ 1000000000000ull }), 0);
	assert_int_equal(cxlfm_cmd_get_timestamp(sw, NULL, &ts), 0);
	assert_true(ts.timestamp >= 1000000000000ull);
	assert_int_equal(cxlfm_cmd_get_timestamp(dcd, NULL, &ts), 0);
	assert_int_equal(ts.timestamp, 0);
	assert_int_equal(cxlfm_cmd_set_timestamp(dcd, NULL,
		&(struct cxlfm_set_timestamp_req){ 2000000000000ull }), 0);
	assert_int_equal(cxlfm_cmd_get_timestamp(dcd, NULL, &ts), 0);
	assert_true(ts.timestamp >= 2000000000000ull);

	/* the CEL and the Vendor Debug Log */
	assert_int_equal(cxlfm_cmd_get_supported_logs(dcd, NULL, &logs), 0);
	assert_int_equal(logs.num_entries, 2);
	assert_memory_equal(logs.entries[0].uuid, cxlfm_cel_uuid, 16);
	assert_int_equal(logs.entries[0].size % 4, 0);
	assert_memory_equal(logs.entries[1].uuid, cxlfm_vendor_debug_log_uuid, 16);

	memcpy(lreq.uuid, cxlfm_cel_uuid, 16);
	assert_int_equal(cxlfm_cmd_get_log(dcd, NULL, &lreq, log), 0);
	assert_int_equal(log->length, 8);
	assert_int_equal(le16_get(log->data), CXLFM_OP_IDENTIFY);
	lreq.uuid[0] ^= 1;
	assert_int_equal(cxlfm_cmd_get_log(dcd, NULL, &lreq, log), 0x17 /* Invalid Log */);
	lreq.length = CXLFM_LOG_DATA_MAX + 1;
	assert_int_equal(cxlfm_cmd_get_log(dcd, NULL, &lreq, log), -EINVAL);

	/* The CEL: the FM-owned LD set plus the DCD management set. */
	assert_int_equal(cxlfm_cmd_get_cel(dcd, NULL, cel), 0);
	assert_int_equal(cel->num_entries * 4, logs.entries[0].size);
	for (uint32_t i = 0; i < cel->num_entries; i++)
		found |= cel->entries[i].opcode == CXLFM_OP_INITIATE_DC_ADD;
	assert_true(found);
	/* through the switch, port 0: the same device */
	assert_int_equal(cxlfm_cmd_get_cel(sw, &(struct cxlfm_tunnel){ 0, -1 }, cel), 0);
	assert_int_equal(cel->num_entries * 4, logs.entries[0].size);

	free(log);
	free(cel);
}

/* ---- generic.h: firmware ---- */

static void test_fw(void **state)
{
	struct cxlfm_ep *fm = ep_at(0x06), *host = ep_at(0x07), *sw = ep_at(0x04), *mld = ep_at(0x08);
	struct cxlfm_get_fw_info_rsp info;
	static uint8_t payload[2000], p[2100], small[200];
	long n, ns;
	uint16_t op_rc = 0xffff;

	(void)state;
	assert_int_equal(cxlfm_cmd_get_fw_info(fm, NULL, &info), 0);
	assert_int_equal(info.slots_supported, 4);
	assert_int_equal(info.active_slot, 1);
	assert_int_equal(info.staged_slot, 0);
	assert_true(info.online_activation);
	assert_string_equal(info.rev[0], "BWFW VERSION 00");
	assert_string_equal(info.rev[1], "");

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 31);
	n = cxlfm_fw_package("LIB FW 2.0", payload, 1500, p, sizeof(p));
	assert_int_equal(n, 1532);
	assert_int_equal(cxlfm_fw_package("", payload, 1, p, sizeof(p)), -EINVAL);
	assert_int_equal(cxlfm_fw_package("X", payload, 1500, small, sizeof(small)), -EMSGSIZE);
	/* over MCTP: 512-byte requests, so Initiate, Continue..., End */
	assert_int_equal(cxlfm_fw_update(fm, NULL, 2, p, (size_t)n), 0);
	assert_int_equal(cxlfm_cmd_get_fw_info(host, NULL, &info), 0);
	assert_string_equal(info.rev[1], "LIB FW 2.0");
	/* a damaged package: FW Verification Failed, and no transfer left open */
	p[100] ^= 1;
	assert_int_equal(cxlfm_fw_update(fm, NULL, 3, p, (size_t)n), CXLFM_RC_FW_VERIFY_FAILED);
	p[100] ^= 1;
	assert_int_equal(cxlfm_cmd_get_fw_info(fm, NULL, &info), 0);
	assert_string_equal(info.rev[2], "");
	/* one Full transfer through the switch (port 0: the same device) */
	ns = cxlfm_fw_package("TUNNEL 1", payload, 100, small, sizeof(small));
	assert_int_equal(cxlfm_fw_update(sw, &(struct cxlfm_tunnel){ 0, -1 }, 3, small,
					 (size_t)ns), 0);
	assert_int_equal(cxlfm_cmd_get_fw_info(fm, NULL, &info), 0);
	assert_string_equal(info.rev[2], "TUNNEL 1");
	/* an MLD's LD 1, in parts through its FM-owned LD's tunnel */
	assert_int_equal(cxlfm_fw_update(mld, &(struct cxlfm_tunnel){ -1, 1 }, 2, p, (size_t)n), 0);
	assert_int_equal(cxlfm_cmd_get_fw_info(mld, NULL, &info), 0);
	assert_string_equal(info.rev[1], "LIB FW 2.0");

	/* online activation: a background operation */
	assert_int_equal(cxlfm_cmd_activate_fw(fm, NULL, &(struct cxlfm_activate_fw_req){
		CXLFM_FW_ACTIVATE_ONLINE, 2 }), CXLFM_RC_BG_STARTED);
	assert_int_equal(cxlfm_bg_wait(fm, NULL, 0, &op_rc), 0);
	assert_int_equal(op_rc, 0);
	/* on the next cold reset: staged at once */
	assert_int_equal(cxlfm_cmd_activate_fw(fm, NULL, &(struct cxlfm_activate_fw_req){
		CXLFM_FW_ACTIVATE_ON_RESET, 3 }), 0);
	assert_int_equal(cxlfm_cmd_get_fw_info(host, NULL, &info), 0);
	assert_int_equal(info.active_slot, 2);
	assert_int_equal(info.staged_slot, 3);
	/* refusals */
	assert_int_equal(cxlfm_cmd_activate_fw(fm, NULL, &(struct cxlfm_activate_fw_req){
		CXLFM_FW_ACTIVATE_ONLINE, 2 }), CXLFM_RC_INVALID_SLOT);
	assert_int_equal(cxlfm_cmd_transfer_fw(fm, NULL, &(struct cxlfm_transfer_fw_req){
		.action = CXLFM_FW_XFER_CONTINUE, .offset = 128, .data = p, .len = 128 }),
		CXLFM_RC_FW_XFER_OUT_OF_ORDER);
	assert_int_equal(cxlfm_cmd_transfer_fw(fm, NULL, &(struct cxlfm_transfer_fw_req){
		.action = CXLFM_FW_XFER_INIT, .offset = 100, .data = p, .len = 128 }), -EINVAL);
	assert_int_equal(cxlfm_fw_update(fm, NULL, 2, p, 0), -EINVAL);
	assert_int_equal(cxlfm_fw_update(NULL, NULL, 2, p, 10), -EINVAL);
}

/* ---- generic.h: logs, features, MCTP event policy, abort ---- */

static void test_logs_features(void **state)
{
	struct cxlfm_ep *fm = ep_at(0x06), *host = ep_at(0x07), *sw = ep_at(0x04);
	struct cxlfm_get_log_caps_rsp caps;
	struct cxlfm_get_supported_logs_rsp logs;
	struct cxlfm_get_supported_logs_sublist_rsp *sub = malloc(sizeof(*sub));
	struct cxlfm_get_log_rsp *log = malloc(sizeof(*log));
	struct cxlfm_get_supported_features_rsp *sf = malloc(sizeof(*sf));
	struct cxlfm_get_feature_rsp *gf = malloc(sizeof(*gf));
	struct cxlfm_get_log_req lreq = { .offset = 0 };
	struct cxlfm_mctp_event_int_policy pol;
	const uint8_t ps_w[2] = { 24, 1 }, ps_saved[4] = { 3, 24, 1, 1 };

	(void)state;
	/* the Vendor Debug Log: capabilities, populate, read, clear */
	assert_int_equal(cxlfm_cmd_get_log_caps(fm, NULL, cxlfm_vendor_debug_log_uuid, &caps), 0);
	assert_int_equal(caps.flags, CXLFM_LOG_CAP_CLEAR | CXLFM_LOG_CAP_POPULATE |
				     CXLFM_LOG_CAP_AUTO_POPULATE);
	assert_int_equal(cxlfm_cmd_get_log_caps(fm, NULL, cxlfm_cel_uuid, &caps), 0);
	assert_int_equal(caps.flags, 0);
	assert_int_equal(cxlfm_cmd_clear_log(fm, NULL, cxlfm_vendor_debug_log_uuid), 0);
	assert_int_equal(cxlfm_cmd_populate_log(fm, NULL, cxlfm_vendor_debug_log_uuid), 0);
	assert_int_equal(cxlfm_cmd_get_supported_logs(fm, NULL, &logs), 0);
	assert_true(logs.entries[1].size > 0);
	memcpy(lreq.uuid, cxlfm_vendor_debug_log_uuid, 16);
	lreq.length = logs.entries[1].size < 400 ? logs.entries[1].size : 400;
	assert_int_equal(cxlfm_cmd_get_log(fm, NULL, &lreq, log), 0);
	log->data[log->length - 1] = 0;
	assert_non_null(strstr((const char *)log->data, "state: fw slot"));
	assert_int_equal(cxlfm_cmd_clear_log(host, NULL, cxlfm_vendor_debug_log_uuid), 0);
	assert_int_equal(cxlfm_cmd_get_supported_logs(fm, NULL, &logs), 0);
	assert_int_equal(logs.entries[1].size, 0);
	assert_int_equal(cxlfm_cmd_clear_log(fm, NULL, cxlfm_cel_uuid), CXLFM_RC_UNSUPPORTED);
	assert_int_equal(cxlfm_cmd_populate_log(sw, NULL, cxlfm_vendor_debug_log_uuid),
			 CXLFM_RC_INVALID_LOG);
	/* Sub-List */
	assert_int_equal(cxlfm_cmd_get_supported_logs_sublist(fm, NULL,
		&(struct cxlfm_get_supported_logs_sublist_req){ 8, 0 }, sub), 0);
	assert_int_equal(sub->num_entries, 2);
	assert_int_equal(sub->total_entries, 2);
	assert_memory_equal(sub->entries[0].uuid, cxlfm_cel_uuid, 16);
	assert_int_equal(cxlfm_cmd_get_supported_logs_sublist(fm, NULL,
		&(struct cxlfm_get_supported_logs_sublist_req){ 1, 1 }, sub), 0);
	assert_int_equal(sub->num_entries, 1);
	assert_int_equal(sub->start_index, 1);
	assert_memory_equal(sub->entries[0].uuid, cxlfm_vendor_debug_log_uuid, 16);
	assert_int_equal(cxlfm_cmd_get_supported_logs_sublist(sw, NULL,
		&(struct cxlfm_get_supported_logs_sublist_req){ 8, 0 }, sub), 0);
	assert_int_equal(sub->total_entries, 1);

	/* features */
	assert_int_equal(cxlfm_cmd_get_supported_features(host, NULL,
		&(struct cxlfm_get_supported_features_req){ 0, CXLFM_FEATURES_MAX }, sf), 0);
	assert_int_equal(sf->num_entries, 8);
	assert_int_equal(sf->device_features, 8);
	assert_memory_equal(sf->entries[0].uuid, cxlfm_feature_patrol_scrub_uuid, 16);
	assert_memory_equal(sf->entries[1].uuid, cxlfm_feature_ecs_uuid, 16);
	assert_int_equal(sf->entries[0].get_size, 4);
	assert_int_equal(sf->entries[0].set_size, 2);
	assert_int_equal(sf->entries[1].index, 1);
	assert_int_equal(sf->entries[0].set_version, 1);
	assert_true(sf->entries[0].attrs & CXLFM_FEATURE_SAVED_SEL);
	assert_int_equal(CXLFM_FEATURE_RESET_PERSISTENCE(sf->entries[0].attrs), 0);
	assert_int_equal(sf->entries[0].set_effects, 0x0202);
	assert_int_equal(cxlfm_cmd_get_supported_features(fm, NULL,
		&(struct cxlfm_get_supported_features_req){ 7, 1 }, sf), 0);
	assert_int_equal(sf->num_entries, 1);
	assert_int_equal(sf->entries[0].index, 7);
	assert_int_equal(cxlfm_cmd_get_supported_features(fm, NULL,
		&(struct cxlfm_get_supported_features_req){ 0, CXLFM_FEATURES_MAX + 1 }, sf), -EINVAL);
	assert_int_equal(cxlfm_cmd_set_feature(fm, NULL, &(struct cxlfm_set_feature_req){
		.action = CXLFM_FEATURE_XFER_FULL, .saved = true, .version = 1, .data = ps_w,
		.len = 2, .uuid = { 0x96, 0xda, 0xd7, 0xd6, 0xfd, 0xe8, 0x48, 0x2b,
				    0xa7, 0x33, 0x75, 0x77, 0x4e, 0x06, 0xdb, 0x8a } }), 0);
	struct cxlfm_get_feature_req greq = { .offset = 0, .count = 16,
					      .selection = CXLFM_FEATURE_SEL_SAVED };
	memcpy(greq.uuid, cxlfm_feature_patrol_scrub_uuid, 16);
	assert_int_equal(cxlfm_cmd_get_feature(host, NULL, &greq, gf), 0);
	assert_int_equal(gf->length, 4);
	assert_memory_equal(gf->data, ps_saved, 4);
	greq.count = CXLFM_FEATURE_DATA_MAX + 1;
	assert_int_equal(cxlfm_cmd_get_feature(host, NULL, &greq, gf), -EINVAL);
	assert_int_equal(cxlfm_cmd_set_feature(fm, NULL, &(struct cxlfm_set_feature_req){
		.action = CXLFM_FEATURE_XFER_FULL, .version = 9, .data = ps_w, .len = 2 }),
		CXLFM_RC_UNSUPPORTED); /* no such feature (zero UUID) */
	struct cxlfm_set_feature_req sreq = { .action = CXLFM_FEATURE_XFER_FULL, .version = 9,
					      .data = ps_w, .len = 2 };
	memcpy(sreq.uuid, cxlfm_feature_patrol_scrub_uuid, 16);
	assert_int_equal(cxlfm_cmd_set_feature(fm, NULL, &sreq),
			 CXLFM_RC_UNSUPPORTED_FEATURE_VERSION);
	sreq.action = 5;
	assert_int_equal(cxlfm_cmd_set_feature(fm, NULL, &sreq), -EINVAL);
	/* features are a type-3 device's */
	assert_int_equal(cxlfm_cmd_get_supported_features(sw, NULL,
		&(struct cxlfm_get_supported_features_req){ 0, 1 }, sf), CXLFM_RC_UNSUPPORTED);

	/* MCTP event interrupt policy */
	assert_int_equal(cxlfm_cmd_get_mctp_event_int_policy(fm, NULL, &pol), 0);
	assert_int_equal(pol.settings, 0);
	assert_int_equal(cxlfm_cmd_set_mctp_event_int_policy(fm, NULL,
		&(struct cxlfm_mctp_event_int_policy){ 0x1f }), 0);
	assert_int_equal(cxlfm_cmd_get_mctp_event_int_policy(fm, NULL, &pol), 0);
	assert_int_equal(pol.settings, 0x1f);
	assert_int_equal(cxlfm_cmd_set_mctp_event_int_policy(fm, NULL,
		&(struct cxlfm_mctp_event_int_policy){ 0 }), 0);
	assert_int_equal(cxlfm_cmd_get_mctp_event_int_policy(host, NULL, &pol),
			 CXLFM_RC_UNSUPPORTED);

	/* Request Abort with nothing running: Success, on every CCI that has it */
	assert_int_equal(cxlfm_cmd_request_bg_abort(fm, NULL), 0);
	assert_int_equal(cxlfm_cmd_request_bg_abort(host, NULL), 0);
	assert_int_equal(cxlfm_cmd_request_bg_abort(sw, NULL), 0);
	free(sub);
	free(log);
	free(sf);
	free(gf);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(cxlfm_opcode_name(0x5604), "Initiate Dynamic Capacity Add");
	assert_null(cxlfm_opcode_name(0xbeef));
	assert_string_equal(cxlfm_rc_id(0x1e), "invalid-extent-list");
	assert_string_equal(cxlfm_rc_id(-ETIMEDOUT), "ETIMEDOUT");
	assert_string_equal(cxlfm_rc_id(0x99), "unknown");
	assert_string_equal(cxlfm_rc_str(0x1e), "Invalid Extent List");
}

/* ---- switch and VCS ---- */

static void test_switch(void **state)
{
	struct cxlfm_ep *sw = ep_at(0x04);
	struct cxlfm_identify_switch_device_rsp isd;
	struct cxlfm_get_phys_port_state_req preq = { .num_ports = 4, .port_ids = { 2, 0, 1, 9 } };
	struct cxlfm_get_phys_port_state_rsp *ps = malloc(sizeof(*ps));
	struct cxlfm_get_vcs_info_req vreq = { .start_vppb = 0, .vppb_list_limit = 8,
					       .num_vcs = 2, .vcs_ids = { 0, 5 } };
	struct cxlfm_get_vcs_info_rsp *vi = malloc(sizeof(*vi));
	uint16_t op_rc = 0xffff;

	(void)state;
	assert_int_equal(cxlfm_cmd_identify_switch_device(sw, NULL, &isd), 0);
	assert_int_equal(isd.num_physical_ports, 4);
	assert_int_equal(isd.num_vcs, 1);
	assert_int_equal(isd.active_port_mask[0], 0x0f); /* ports 0, 1, 2, 3 */
	assert_int_equal(isd.total_vppbs, 4);
	assert_int_equal(isd.bound_vppbs, 4);

	assert_int_equal(cxlfm_cmd_get_phys_port_state(sw, NULL, &preq, ps), 0);
	assert_int_equal(ps->num_ports, 4);
	assert_int_equal(ps->ports[0].config_state, CXLFM_PORT_STATE_USP);
	assert_int_equal(ps->ports[1].config_state, CXLFM_PORT_STATE_DSP);
	assert_int_equal(ps->ports[1].connected_dev_type, CXLFM_DEV_CXL_TYPE3_SLD);
	assert_int_equal(ps->ports[2].connected_dev_type, CXLFM_DEV_CXL_TYPE3_MLD);
	assert_true(ps->ports[1].link_state_flags & CXLFM_LINK_PRSNT);
	assert_int_equal(ps->ports[3].config_state, CXLFM_PORT_STATE_INVALID_PORT_ID);

	/* PERST# on port 3: asserted, shown, deassert too early is Retry Required */
	assert_int_equal(cxlfm_cmd_phys_port_control(sw, NULL,
		&(struct cxlfm_phys_port_control_req){ 3, CXLFM_PORT_ASSERT_PERST }), 0);
	preq = (struct cxlfm_get_phys_port_state_req){ .num_ports = 1, .port_ids = { 3 } };
	assert_int_equal(cxlfm_cmd_get_phys_port_state(sw, NULL, &preq, ps), 0);
	assert_true(ps->ports[0].link_state_flags & CXLFM_LINK_PERST);
	assert_int_equal(cxlfm_cmd_phys_port_control(sw, NULL,
		&(struct cxlfm_phys_port_control_req){ 3, CXLFM_PORT_DEASSERT_PERST }), 0x05);
	assert_int_equal(cxlfm_cmd_phys_port_control(sw, NULL,
		&(struct cxlfm_phys_port_control_req){ 42, CXLFM_PORT_RESET_PPB }),
		CXLFM_RC_INVALID_INPUT);

	assert_int_equal(cxlfm_cmd_get_vcs_info(sw, NULL, &vreq, vi), 0);
	assert_int_equal(vi->num_vcs, 2);
	assert_int_equal(vi->vcs[0].state, CXLFM_VCS_ENABLED);
	assert_int_equal(vi->vcs[0].usp_id, 2);
	assert_int_equal(vi->vcs[0].num_vppbs, 3);
	assert_int_equal(vi->vcs[0].num_entries, 3);
	assert_int_equal(vi->vcs[0].vppbs[0].status, CXLFM_VPPB_BOUND_PORT);
	assert_int_equal(vi->vcs[0].vppbs[1].status, CXLFM_VPPB_BOUND_LD); /* the MLD */
	assert_int_equal(vi->vcs[0].vppbs[1].ld_id, 0);
	assert_int_equal(vi->vcs[0].vppbs[2].port_id, 3);
	assert_int_equal(vi->vcs[1].state, CXLFM_VCS_INVALID_ID);
	assert_int_equal(vi->vcs[1].num_entries, 0);
	vreq = (struct cxlfm_get_vcs_info_req){ .start_vppb = 2, .vppb_list_limit = 1,
						.num_vcs = 1 };
	assert_int_equal(cxlfm_cmd_get_vcs_info(sw, NULL, &vreq, vi), 0);
	assert_int_equal(vi->vcs[0].num_entries, 1);
	assert_int_equal(vi->vcs[0].vppbs[0].port_id, 3);
	vreq.num_vcs = 0;
	assert_int_equal(cxlfm_cmd_get_vcs_info(sw, NULL, &vreq, vi), -EINVAL);

	/* unbind vPPB 2, wait, bind it again: background operations */
	assert_int_equal(cxlfm_cmd_unbind_vppb(sw, NULL,
		&(struct cxlfm_unbind_vppb_req){ 0, 2, CXLFM_UNBIND_MANAGED }), CXLFM_RC_BG_STARTED);
	/* a second background command while one runs: Busy */
	assert_int_equal(cxlfm_cmd_bind_vppb(sw, NULL,
		&(struct cxlfm_bind_vppb_req){ 0, 2, 3, CXLFM_LD_NONE }), CXLFM_RC_BUSY);
	assert_int_equal(cxlfm_bg_wait(sw, NULL, 2000, &op_rc), 0);
	assert_int_equal(op_rc, 0);
	vreq = (struct cxlfm_get_vcs_info_req){ .vppb_list_limit = 8, .num_vcs = 1 };
	assert_int_equal(cxlfm_cmd_get_vcs_info(sw, NULL, &vreq, vi), 0);
	assert_int_equal(vi->vcs[0].vppbs[2].status, CXLFM_VPPB_UNBOUND);
	assert_int_equal(cxlfm_cmd_bind_vppb(sw, NULL,
		&(struct cxlfm_bind_vppb_req){ 0, 2, 3, CXLFM_LD_NONE }), CXLFM_RC_BG_STARTED);
	/* too short a wait: still running */
	assert_int_equal(cxlfm_bg_wait(sw, NULL, 1, &op_rc), -ETIMEDOUT);
	assert_int_equal(cxlfm_bg_wait(sw, NULL, 2000, &op_rc), 0);
	assert_int_equal(cxlfm_cmd_get_vcs_info(sw, NULL, &vreq, vi), 0);
	assert_int_equal(vi->vcs[0].vppbs[2].status, CXLFM_VPPB_BOUND_PORT);
	assert_int_equal(vi->vcs[0].vppbs[2].port_id, 3);
	/* binding a bound vPPB: Invalid Input */
	assert_int_equal(cxlfm_cmd_bind_vppb(sw, NULL,
		&(struct cxlfm_bind_vppb_req){ 0, 2, 3, CXLFM_LD_NONE }), CXLFM_RC_INVALID_INPUT);
	free(ps);
	free(vi);
}

/*
 * The switch's event logs and domain validation over its MCTP CCI: PERST#
 * of the upstream port and a vPPB's unbind / bind show up as records the
 * decoders take apart; the host's Set Domain Validation SV is not there.
 */
static void test_switch_events(void **state)
{
	struct cxlfm_ep *sw = ep_at(0x04), *host = ep_at(0x07);
	struct cxlfm_get_event_records_rsp *ev = malloc(sizeof(*ev));
	struct cxlfm_phys_switch_event pe;
	struct cxlfm_vcs_event ve;
	struct cxlfm_mld_port_event me;
	struct cxlfm_dv_sv_state_rsp st;
	struct cxlfm_get_domain_validation_sv_rsp sv;
	struct cxlfm_event_int_policy pol = { { 1, 1, 1, 1 }, 4 };
	uint16_t op_rc = 0xffff;

	(void)state;
	assert_int_equal(cxlfm_cmd_clear_event_records(sw, NULL,
		&(struct cxlfm_clear_event_records_req){ .log = 0, .clear_all = true }), 0);
	assert_int_equal(cxlfm_cmd_phys_port_control(sw, NULL,
		&(struct cxlfm_phys_port_control_req){ 2, CXLFM_PORT_ASSERT_PERST }), 0);
	assert_int_equal(cxlfm_cmd_unbind_vppb(sw, NULL,
		&(struct cxlfm_unbind_vppb_req){ 0, 0, CXLFM_UNBIND_MANAGED }), CXLFM_RC_BG_STARTED);
	assert_int_equal(cxlfm_bg_wait(sw, NULL, 2000, &op_rc), 0);
	assert_int_equal(cxlfm_cmd_bind_vppb(sw, NULL,
		&(struct cxlfm_bind_vppb_req){ 0, 0, 0, CXLFM_LD_NONE }), CXLFM_RC_BG_STARTED);
	assert_int_equal(cxlfm_bg_wait(sw, NULL, 2000, &op_rc), 0);
	assert_int_equal(cxlfm_cmd_get_event_records(sw, NULL,
		&(struct cxlfm_get_event_records_req){ CXLFM_EVENT_LOG_INFO }, ev), 0);
	assert_int_equal(ev->num_records, 3);
	assert_int_equal(cxlfm_phys_switch_event_decode(&ev->records[0], &pe), 0);
	assert_int_equal(pe.type, CXLFM_PHYS_EVENT_LINK_STATE);
	assert_int_equal(pe.port.port_id, 2);
	assert_int_equal(pe.port.config_state, CXLFM_PORT_STATE_USP);
	assert_true(pe.port.link_state_flags & CXLFM_LINK_PERST);
	assert_int_equal(pe.slot_status, CXLFM_SLOT_DLL_CHANGED | CXLFM_SLOT_PRESENCE);
	assert_int_equal(cxlfm_vcs_event_decode(&ev->records[0], &ve), -EINVAL);
	assert_int_equal(cxlfm_vcs_event_decode(&ev->records[1], &ve), 0);
	assert_int_equal(ve.type, CXLFM_VCS_EVENT_BINDING_CHANGE);
	assert_int_equal(ve.vppb_id, 0);
	assert_int_equal(ve.vppb.status, CXLFM_VPPB_UNBOUND);
	assert_int_equal(ve.vppb.port_id, 0xff);
	assert_int_equal(cxlfm_vcs_event_decode(&ev->records[2], &ve), 0);
	assert_int_equal(ve.vppb.status, CXLFM_VPPB_BOUND_PORT);
	assert_int_equal(ve.vppb.port_id, 0);
	assert_int_equal(cxlfm_mld_port_event_decode(&ev->records[2], &me), -EINVAL);
	/* an MLD port's ERR_NONFATAL, in the failure log */
	assert_int_equal(sw_mld_port_error(bus.sw, 1, CXLFM_MLD_PORT_ERR_NONFATAL), 0);
	assert_int_equal(cxlfm_cmd_get_event_records(sw, NULL,
		&(struct cxlfm_get_event_records_req){ CXLFM_EVENT_LOG_FAIL }, ev), 0);
	assert_int_equal(cxlfm_mld_port_event_decode(&ev->records[0], &me), 0);
	assert_int_equal(me.port_id, 1);
	assert_int_equal(me.msg[7], 0x31); /* ERR_NONFATAL */
	/* domain validation: the FM's two commands, not the host's Set */
	assert_int_equal(cxlfm_cmd_get_vcs_domain_validation_sv_state(sw, NULL,
		&(struct cxlfm_vcs_req){ 0 }, &st), 0);
	assert_int_equal(st.state, CXLFM_SV_NOT_SET);
	assert_int_equal(cxlfm_cmd_get_domain_validation_sv(sw, NULL, &(struct cxlfm_vcs_req){ 0 },
		&sv), 0);
	assert_int_equal(cxlfm_cmd_get_vcs_domain_validation_sv_state(sw, NULL,
		&(struct cxlfm_vcs_req){ 1 }, &st), CXLFM_RC_INVALID_INPUT);
	assert_int_equal(cxlfm_cmd_set_domain_validation_sv(sw, NULL,
		&(struct cxlfm_set_domain_validation_sv_req){ { 1 } }), CXLFM_RC_UNSUPPORTED);
	assert_int_equal(cxlfm_cmd_get_domain_validation_sv_state(sw, NULL, &st),
			 CXLFM_RC_UNSUPPORTED);
	/* the event interrupt policy: a mailbox's (the DCD's host mailbox), not MCTP's */
	assert_int_equal(cxlfm_cmd_set_event_int_policy(host, NULL, &pol), 0);
	memset(&pol, 0, sizeof(pol));
	assert_int_equal(cxlfm_cmd_get_event_int_policy(host, NULL, &pol), 0);
	assert_int_equal(pol.num_settings, 5);
	assert_memory_equal(pol.settings, ((const uint8_t[]){ 0x21, 0x31, 0x41, 0x51, 0 }), 5);
	assert_int_equal(cxlfm_cmd_get_event_int_policy(sw, NULL, &pol), CXLFM_RC_UNSUPPORTED);
	pol.num_settings = 3;
	assert_int_equal(cxlfm_cmd_set_event_int_policy(host, NULL, &pol), -EINVAL);
	free(ev);
}

/* ---- MLD ---- */

static void test_mld(void **state)
{
	struct cxlfm_ep *mld = ep_at(0x08), *sw = ep_at(0x04);
	struct cxlfm_get_ld_info_rsp li;
	struct cxlfm_get_ld_allocations_rsp ga;
	struct cxlfm_set_ld_allocations_req sreq = { .num_entries = 2, .start_ld = 1,
		.entries = { { 2, 0 }, { 0, 0 } } };
	struct cxlfm_set_ld_allocations_rsp sa;
	struct cxlfm_identify_rsp id;

	(void)state;
	assert_int_equal(cxlfm_cmd_get_ld_info(mld, NULL, &li), 0);
	assert_int_equal(li.memory_size, 1024 * MiB);
	assert_int_equal(li.ld_count, 4);
	/* through the switch's port 1 too */
	assert_int_equal(cxlfm_cmd_get_ld_info(sw, &(struct cxlfm_tunnel){ 1, -1 }, &li), 0);
	assert_int_equal(li.ld_count, 4);
	/* and to LD 2 of it: the LD answers Identify */
	assert_int_equal(cxlfm_cmd_identify(sw, &(struct cxlfm_tunnel){ 1, 2 }, &id), 0);
	assert_int_equal(id.serial, 7);

	assert_int_equal(cxlfm_cmd_get_ld_allocations(mld, NULL,
		&(struct cxlfm_get_ld_allocations_req){ 0, 16 }, &ga), 0);
	assert_int_equal(ga.num_lds, 4);
	assert_int_equal(ga.num_entries, 4);
	assert_int_equal(ga.entries[0].range1, 1); /* 4 x 256 MiB split evenly */
	assert_int_equal(cxlfm_cmd_set_ld_allocations(mld, NULL, &sreq, &sa), 0);
	assert_int_equal(sa.num_entries, 2);
	assert_int_equal(sa.start_ld, 1);
	assert_int_equal(sa.entries[0].range1, 2);
	assert_int_equal(cxlfm_cmd_get_ld_allocations(mld, NULL,
		&(struct cxlfm_get_ld_allocations_req){ 1, 2 }, &ga), 0);
	assert_int_equal(ga.start_ld, 1);
	assert_int_equal(ga.num_entries, 2);
	assert_int_equal(ga.entries[0].range1, 2);
	assert_int_equal(ga.entries[1].range1, 0);
	/* more than the device has: Invalid Input, nothing changes */
	sreq.entries[0].range1 = 100;
	assert_int_equal(cxlfm_cmd_set_ld_allocations(mld, NULL, &sreq, &sa),
			 CXLFM_RC_INVALID_INPUT);
	sreq.num_entries = 0;
	assert_int_equal(cxlfm_cmd_set_ld_allocations(mld, NULL, &sreq, &sa), -EINVAL);
	/* an SLD has no MLD set */
	assert_int_equal(cxlfm_cmd_get_ld_info(ep_at(0x06), NULL, &li), CXLFM_RC_UNSUPPORTED);
}

/*
 * MLD QoS (5403h-5409h) on the MLD, directly and through the switch's port
 * 1: LD0 80 %, LD1 60 %, limits 1/2 and 255/256 of ReqCmpBasis 100 admit
 * 5000 + 6000 bp: backpressure round(100 * 1000 / 11000) = 9 (docs/qos.md).
 */
static void test_mld_qos(void **state)
{
	struct cxlfm_ep *mld = ep_at(0x08), *sw = ep_at(0x04);
	const struct cxlfm_tunnel port1 = { 1, -1 };
	struct cxlfm_qos_control c, want = { 0x01, 10, 25, 8, 100, 64 };
	struct cxlfm_qos_fractions f, lim = { 4, 0, { 128, 255, 255, 255 } };
	struct cxlfm_get_qos_status_rsp st;

	(void)state;
	assert_int_equal(cxlfm_cmd_get_qos_control(mld, NULL, &c), 0);
	assert_int_equal(c.moderate_pct, 10);
	assert_int_equal(c.completion_interval, 64);
	assert_int_equal(cxlfm_cmd_set_qos_control(mld, NULL, &want, &c), 0);
	assert_int_equal(c.control, 0x01);
	assert_int_equal(c.severe_pct, 25);
	assert_int_equal(c.sample_interval, 8);
	assert_int_equal(c.reqcmp_basis, 100);
	assert_int_equal(c.completion_interval, 64);
	assert_int_equal(cxlfm_cmd_set_qos_allocated_bw(mld, &(struct cxlfm_tunnel){ -1, -1 },
		&(struct cxlfm_qos_fractions){ 2, 0, { 64, 192 } }, NULL), 0);
	assert_int_equal(cxlfm_cmd_get_qos_allocated_bw(sw, &port1,
		&(struct cxlfm_qos_lds_req){ 4, 0 }, &f), 0);
	assert_int_equal(f.num_lds, 4);
	assert_int_equal(f.fraction[0], 64);
	assert_int_equal(f.fraction[1], 192);
	assert_int_equal(f.fraction[2], 0);
	assert_int_equal(cxlfm_cmd_set_qos_bw_limit(sw, &port1, &lim, &f), 0);
	assert_memory_equal(&f, &lim, sizeof(f));
	assert_int_equal(cxlfm_cmd_get_qos_bw_limit(mld, NULL,
		&(struct cxlfm_qos_lds_req){ 1, 3 }, &f), 0);
	assert_int_equal(f.start_ld, 3);
	assert_int_equal(f.fraction[0], 255);
	assert_int_equal(cxlfm_cmd_get_qos_status(mld, NULL, &st), 0);
	assert_int_equal(st.backpressure_pct, 0);
	assert_int_equal(t3_qos_set_load(bus.mld, 0, (const uint8_t[]){ 80, 60 }, 2), 0);
	assert_int_equal(cxlfm_cmd_get_qos_status(sw, &port1, &st), 0);
	assert_int_equal(st.backpressure_pct, 9);
	/* the device refuses LDs it lacks; the library refuses what it cannot encode */
	assert_int_equal(cxlfm_cmd_get_qos_bw_limit(mld, NULL,
		&(struct cxlfm_qos_lds_req){ 16, 0 }, &f), CXLFM_RC_INVALID_INPUT);
	want.severe_pct = 0;
	assert_int_equal(cxlfm_cmd_set_qos_control(mld, NULL, &want, NULL),
			 CXLFM_RC_INVALID_INPUT);
	assert_int_equal(cxlfm_cmd_get_qos_allocated_bw(mld, NULL,
		&(struct cxlfm_qos_lds_req){ 0, 0 }, &f), -EINVAL);
	assert_int_equal(cxlfm_cmd_set_qos_bw_limit(mld, NULL,
		&(struct cxlfm_qos_fractions){ 17, 0, { 0 } }, NULL), -EINVAL);
	/* an SLD answers Unsupported */
	assert_int_equal(cxlfm_cmd_get_qos_status(ep_at(0x06), NULL, &st), CXLFM_RC_UNSUPPORTED);
}

/* ---- the DC lifecycle: FM, host, FM ---- */

static void drain_dc_events(struct cxlfm_ep *host, struct cxlfm_dc_event *ev, size_t *n,
			    size_t max)
{
	struct cxlfm_get_event_records_rsp *rec = malloc(sizeof(*rec));
	uint16_t handles[CXLFM_EVENT_RECORDS_MAX];

	*n = 0;
	assert_int_equal(cxlfm_cmd_get_event_records(host, NULL,
		&(struct cxlfm_get_event_records_req){ CXLFM_EVENT_LOG_DCD }, rec), 0);
	for (size_t i = 0; i < rec->num_records && *n < max; i++) {
		assert_int_equal(cxlfm_dc_event_decode(&rec->records[i], &ev[(*n)++]), 0);
		handles[i] = rec->records[i].handle;
	}
	if (rec->num_records)
		assert_int_equal(cxlfm_cmd_clear_event_records(host, NULL,
			&(struct cxlfm_clear_event_records_req){ .log = CXLFM_EVENT_LOG_DCD,
				.num_handles = (uint8_t)rec->num_records, .handles = handles }), 0);
	free(rec);
}

static void test_dcd(void **state)
{
	struct cxlfm_ep *fm = ep_at(0x06), *host = ep_at(0x07), *sw = ep_at(0x04);
	struct cxlfm_get_dcd_info_rsp info;
	struct cxlfm_get_host_dc_region_config_rsp hc;
	struct cxlfm_get_dc_config_rsp dc;
	struct cxlfm_get_dc_region_extent_lists_rsp *el = malloc(sizeof(*el));
	struct cxlfm_get_dc_extent_list_rsp *hl = malloc(sizeof(*hl));
	struct cxlfm_get_event_records_rsp *er = malloc(sizeof(*er));
	struct cxlfm_dc_extent add[2] = { { .start_dpa = R0, .length = 4 * BS },
					  { .start_dpa = R1 + 8 * BS, .length = 2 * BS } };
	struct cxlfm_dc_range accept[2] = { { R0, 4 * BS }, { R1 + 8 * BS, 2 * BS } };
	struct cxlfm_dc_event ev[8];
	struct cxlfm_event_record bogus = { 0 };
	size_t n;

	(void)state;
	assert_int_equal(cxlfm_cmd_get_dcd_info(fm, NULL, &info), 0);
	assert_int_equal(info.num_hosts, 1);
	assert_int_equal(info.num_regions, 2);
	assert_int_equal(info.total_capacity, 512 * MiB);
	assert_true(info.add_policies & (1u << CXLFM_DC_SEL_PRESCRIPTIVE));
	assert_true(info.release_policies & (1u << CXLFM_DC_RM_PRESCRIPTIVE));
	assert_true(info.block_size_mask[0] & BS);
	assert_int_equal(info.block_size_mask[2], 0);

	assert_int_equal(cxlfm_cmd_get_host_dc_region_config(fm, NULL,
		&(struct cxlfm_get_host_dc_region_config_req){ 0, 8, 0 }, &hc), 0);
	assert_int_equal(hc.num_regions, 2);
	assert_int_equal(hc.regions_returned, 2);
	assert_int_equal(hc.regions[0].base, R0);
	assert_int_equal(hc.regions[1].base, R1);
	assert_int_equal(hc.regions[1].length, 256 * MiB);
	assert_int_equal(hc.regions[1].decode_len, 256 * MiB);
	assert_int_equal(hc.regions[0].block_size, BS);
	assert_int_equal(hc.extents_supported, 512);
	assert_int_equal(hc.extents_available, 512);
	assert_int_equal(cxlfm_cmd_get_host_dc_region_config(fm, NULL,
		&(struct cxlfm_get_host_dc_region_config_req){ 0, 8, 1 }, &hc), 0);
	assert_int_equal(hc.regions_returned, 1);
	assert_int_equal(hc.regions[0].base, R1);
	assert_int_equal(cxlfm_cmd_get_host_dc_region_config(fm, NULL,
		&(struct cxlfm_get_host_dc_region_config_req){ 0, 8, 2 }, &hc),
		CXLFM_RC_INVALID_INPUT);

	/* the host sees the same regions */
	assert_int_equal(cxlfm_cmd_get_dc_config(host, NULL,
		&(struct cxlfm_get_dc_config_req){ 8, 0 }, &dc), 0);
	assert_int_equal(dc.num_regions, 2);
	assert_int_equal(dc.regions_returned, 2);
	assert_int_equal(dc.regions[1].base, R1);
	assert_int_equal(dc.regions[1].decode_len, 256 * MiB);
	assert_int_equal(dc.extents_supported, 512);

	/* FM: offer two extents */
	assert_int_equal(cxlfm_cmd_initiate_dc_add(fm, NULL, &(struct cxlfm_initiate_dc_add_req){
		.selection_policy = CXLFM_DC_SEL_PRESCRIPTIVE, .num_extents = 2, .extents = add }), 0);
	/* a misaligned one: Invalid Extent List (or Invalid Physical Address) */
	struct cxlfm_dc_extent bad = { .start_dpa = R0 + 4096, .length = BS };
	int rc = cxlfm_cmd_initiate_dc_add(fm, NULL, &(struct cxlfm_initiate_dc_add_req){
		.selection_policy = CXLFM_DC_SEL_PRESCRIPTIVE, .num_extents = 1, .extents = &bad });
	assert_true(rc == 0x1e || rc == 0x0f);
	/* pending extents are not listed yet */
	assert_int_equal(cxlfm_cmd_get_dc_region_extent_lists(fm, NULL,
		&(struct cxlfm_get_dc_region_extent_lists_req){ 0, CXLFM_DC_EXTENTS_MAX, 0 }, el), 0);
	assert_int_equal(el->total, 0);
	assert_int_equal(el->returned, 0);
	/* the FM-owned LD reads the device's DC event log, the host's (0100h over MCTP) */
	assert_int_equal(cxlfm_cmd_get_event_records(fm, NULL,
		&(struct cxlfm_get_event_records_req){ CXLFM_EVENT_LOG_DCD }, er), 0);
	assert_int_equal(er->num_records, 2);
	assert_memory_equal(er->records[0].uuid, cxlfm_dc_event_uuid, 16);

	/* host: two Add Capacity records, chained with More */
	drain_dc_events(host, ev, &n, 8);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].type, CXLFM_DC_EVENT_ADD_CAPACITY);
	assert_true(ev[0].more);
	assert_false(ev[1].more);
	assert_int_equal(ev[0].extent.start_dpa, R0);
	assert_int_equal(ev[1].extent.length, 2 * BS);
	assert_int_equal(cxlfm_dc_event_decode(&bogus, &ev[0]), -EINVAL);
	assert_int_equal(cxlfm_cmd_add_dc_response(host, NULL,
		&(struct cxlfm_dc_response_req){ .num_ranges = 2, .ranges = accept }), 0);

	/* FM and host now list both */
	assert_int_equal(cxlfm_cmd_get_dc_region_extent_lists(fm, NULL,
		&(struct cxlfm_get_dc_region_extent_lists_req){ 0, CXLFM_DC_EXTENTS_MAX, 0 }, el), 0);
	assert_int_equal(el->total, 2);
	assert_int_equal(el->returned, 2);
	assert_int_equal(el->extents[0].start_dpa, R0);
	assert_int_equal(el->extents[0].length, 4 * BS);
	assert_int_equal(el->extents[1].start_dpa, R1 + 8 * BS);
	assert_int_equal(cxlfm_cmd_get_dc_region_extent_lists(fm, NULL,
		&(struct cxlfm_get_dc_region_extent_lists_req){ 0, 1, 1 }, el), 0);
	assert_int_equal(el->start_index, 1);
	assert_int_equal(el->returned, 1);
	assert_int_equal(el->extents[0].start_dpa, R1 + 8 * BS);
	assert_int_equal(cxlfm_cmd_get_dc_region_extent_lists(fm, NULL,
		&(struct cxlfm_get_dc_region_extent_lists_req){ 0, CXLFM_DC_EXTENTS_MAX + 1, 0 },
		el), -EINVAL);
	assert_int_equal(cxlfm_cmd_get_dc_extent_list(host, NULL,
		&(struct cxlfm_get_dc_extent_list_req){ 8, 0 }, hl), 0);
	assert_int_equal(hl->total, 2);
	assert_int_equal(hl->returned, 2);
	assert_int_equal(hl->generation, el->generation);
	assert_int_equal(hl->extents[1].start_dpa, R1 + 8 * BS);

	/* the same list through the switch tunnel */
	assert_int_equal(cxlfm_cmd_get_dc_region_extent_lists(sw, &(struct cxlfm_tunnel){ 0, -1 },
		&(struct cxlfm_get_dc_region_extent_lists_req){ 0, CXLFM_DC_EXTENTS_MAX, 0 }, el), 0);
	assert_int_equal(el->total, 2);

	/* region config: blocks allocated in region 0, so it cannot change */
	assert_int_equal(cxlfm_cmd_set_dc_region_config(fm, NULL,
		&(struct cxlfm_set_dc_region_config_req){ 0, BS, false }), CXLFM_RC_UNSUPPORTED);

	/* FM: release the second; host: Release Capacity record, Release DC */
	assert_int_equal(cxlfm_cmd_initiate_dc_release(fm, NULL,
		&(struct cxlfm_initiate_dc_release_req){ .removal_policy = CXLFM_DC_RM_PRESCRIPTIVE,
			.num_extents = 1, .extents = &add[1] }), 0);
	drain_dc_events(host, ev, &n, 8);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].type, CXLFM_DC_EVENT_RELEASE_CAPACITY);
	assert_int_equal(ev[0].extent.start_dpa, R1 + 8 * BS);
	assert_int_equal(cxlfm_cmd_release_dc(host, NULL,
		&(struct cxlfm_dc_response_req){ .num_ranges = 1, .ranges = &accept[1] }), 0);
	assert_int_equal(cxlfm_cmd_release_dc(host, NULL,
		&(struct cxlfm_dc_response_req){ .num_ranges = 0 }), CXLFM_RC_INVALID_INPUT);
	assert_int_equal(cxlfm_cmd_get_dc_region_extent_lists(fm, NULL,
		&(struct cxlfm_get_dc_region_extent_lists_req){ 0, CXLFM_DC_EXTENTS_MAX, 0 }, el), 0);
	assert_int_equal(el->total, 1);

	/* forced release of the first: gone at once, a Forced Release record */
	assert_int_equal(cxlfm_cmd_initiate_dc_release(fm, NULL,
		&(struct cxlfm_initiate_dc_release_req){ .removal_policy = CXLFM_DC_RM_PRESCRIPTIVE,
			.forced_removal = true, .num_extents = 1, .extents = &add[0] }), 0);
	drain_dc_events(host, ev, &n, 8);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].type, CXLFM_DC_EVENT_FORCED_RELEASE);
	assert_int_equal(cxlfm_cmd_get_dc_region_extent_lists(fm, NULL,
		&(struct cxlfm_get_dc_region_extent_lists_req){ 0, CXLFM_DC_EXTENTS_MAX, 0 }, el), 0);
	assert_int_equal(el->total, 0);

	/* region 1 is empty again: a new block size is accepted and logged */
	assert_int_equal(cxlfm_cmd_set_dc_region_config(fm, NULL,
		&(struct cxlfm_set_dc_region_config_req){ 1, BS, false }), 0);
	/* what the host cleared is gone for the FM too */
	assert_int_equal(cxlfm_cmd_get_event_records(fm, NULL,
		&(struct cxlfm_get_event_records_req){ CXLFM_EVENT_LOG_DCD }, er), 0);
	assert_int_equal(er->num_records, 0);
	free(er);
	free(el);
	free(hl);
}

/* ---- malformed answers: -EBADMSG, never an overread ---- */

static void test_malformed(void **state)
{
	struct cxlfm_ep *liar = ep_at(0x09);
	struct cxlfm_identify_rsp id;
	struct cxlfm_bg_op_status_rsp bg;
	struct cxlfm_get_event_records_rsp *ev = malloc(sizeof(*ev));
	struct cxlfm_get_supported_logs_rsp *logs = malloc(sizeof(*logs));
	struct cxlfm_get_phys_port_state_rsp *ps = malloc(sizeof(*ps));
	struct cxlfm_get_vcs_info_rsp *vi = malloc(sizeof(*vi));
	struct cxlfm_get_dcd_info_rsp info;
	struct cxlfm_get_host_dc_region_config_rsp hc;
	struct cxlfm_get_dc_region_extent_lists_rsp *el = malloc(sizeof(*el));
	struct cxlfm_get_ld_allocations_rsp ga;
	struct cxlfm_get_fw_info_rsp fw;
	struct cxlfm_get_supported_logs_sublist_rsp *sub = malloc(sizeof(*sub));
	struct cxlfm_get_supported_features_rsp *sf = malloc(sizeof(*sf));
	struct cxlfm_get_feature_rsp *gf = malloc(sizeof(*gf));

	(void)state;
	assert_int_equal(cxlfm_cmd_identify(liar, NULL, &id), -EBADMSG);
	assert_int_equal(cxlfm_cmd_bg_op_status(liar, NULL, &bg), -EBADMSG);
	assert_int_equal(cxlfm_cmd_get_event_records(liar, NULL,
		&(struct cxlfm_get_event_records_req){ 0 }, ev), -EBADMSG);
	assert_int_equal(cxlfm_cmd_get_supported_logs(liar, NULL, logs), -EBADMSG);
	assert_int_equal(cxlfm_cmd_get_phys_port_state(liar, NULL,
		&(struct cxlfm_get_phys_port_state_req){ 2, { 0, 1 } }, ps), -EBADMSG);
	assert_int_equal(cxlfm_cmd_get_vcs_info(liar, NULL,
		&(struct cxlfm_get_vcs_info_req){ 0, 8, 1, { 0 } }, vi), -EBADMSG);
	assert_int_equal(cxlfm_cmd_get_dcd_info(liar, NULL, &info), -EBADMSG);
	assert_int_equal(cxlfm_cmd_get_host_dc_region_config(liar, NULL,
		&(struct cxlfm_get_host_dc_region_config_req){ 0, 8, 0 }, &hc), -EBADMSG);
	assert_int_equal(cxlfm_cmd_get_dc_region_extent_lists(liar, NULL,
		&(struct cxlfm_get_dc_region_extent_lists_req){ 0, 8, 0 }, el), -EBADMSG);
	assert_int_equal(cxlfm_cmd_get_ld_allocations(liar, NULL,
		&(struct cxlfm_get_ld_allocations_req){ 0, 255 }, &ga), -EBADMSG);
	assert_int_equal(cxlfm_cmd_set_dc_region_config(liar, NULL,
		&(struct cxlfm_set_dc_region_config_req){ 0, BS, false }), -EBADMSG);
	/* generic.h */
	assert_int_equal(cxlfm_cmd_get_mctp_event_int_policy(liar, NULL,
		&(struct cxlfm_mctp_event_int_policy){ 0 }), -EBADMSG);
	assert_int_equal(cxlfm_cmd_get_log_caps(liar, NULL, cxlfm_cel_uuid,
		&(struct cxlfm_get_log_caps_rsp){ 0 }), -EBADMSG);
	assert_int_equal(cxlfm_cmd_get_fw_info(liar, NULL, &fw), -EBADMSG);
	assert_int_equal(cxlfm_cmd_get_supported_logs_sublist(liar, NULL,
		&(struct cxlfm_get_supported_logs_sublist_req){ 8, 0 }, sub), -EBADMSG);
	assert_int_equal(cxlfm_cmd_get_supported_features(liar, NULL,
		&(struct cxlfm_get_supported_features_req){ 0, 8 }, sf), -EBADMSG);
	assert_int_equal(cxlfm_cmd_get_feature(liar, NULL,
		&(struct cxlfm_get_feature_req){ .count = 4 }, gf), -EBADMSG);
	/* an opcode the component lacks: Unsupported, by name */
	assert_int_equal(cxlfm_cmd_get_ld_info(liar, NULL, &(struct cxlfm_get_ld_info_rsp){ 0 }),
			 CXLFM_RC_UNSUPPORTED);
	free(ev);
	free(logs);
	free(ps);
	free(vi);
	free(el);
	free(sub);
	free(sf);
	free(gf);
}

/* Transport errors keep the convention: a missing endpoint is -EHOSTUNREACH. */
static void test_unreachable(void **state)
{
	struct cxlfm_ep *ep;

	(void)state;
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x33, &ep), -EHOSTUNREACH);
	assert_int_equal(cxlfm_cmd_identify(NULL, NULL, &(struct cxlfm_identify_rsp){ 0 }),
			 -EINVAL);
}

/* A request that times out is dropped; its late answer is counted as late
 * and does not disturb the next request (sent on another tag). */
static void test_late(void **state)
{
	struct cxlfm_ep *liar = ep_at(0x09);
	struct cxlfm_stats st;

	(void)state;
	cxlfm_set_timeout(ctx, 200);
	assert_int_equal(cxlfm_cmd(liar, NULL, OP_SLOW, NULL, 0, NULL, 0, NULL), -ETIMEDOUT);
	assert_int_equal(cxlfm_cmd_get_ld_info(liar, NULL, &(struct cxlfm_get_ld_info_rsp){ 0 }),
			 CXLFM_RC_UNSUPPORTED);
	cxlfm_get_stats(ctx, &st);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.dropped_late, 1);
	assert_int_equal(st.dropped_mismatch, 0);
}

/* The bus closes while a request waits: the request ends with -ECONNRESET
 * and nothing is left pending (the caller's frame is not referenced later). */
static void *close_after_one(void *arg)
{
	int fd = *(int *)arg;
	uint8_t buf[512];

	if (recv(fd, buf, sizeof(buf), 0) > 0)
		close(fd);
	return NULL;
}

static void test_bus_gone(void **state)
{
	struct cxlfm_ctx *c = NULL;
	struct cxlfm_ep *ep;
	pthread_t th;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(cxlfm_open_fd(sv[1], NULL, &c), 0);
	assert_int_equal(pthread_create(&th, NULL, close_after_one, &sv[0]), 0);
	assert_int_equal(cxlfm_ep_by_addr(c, 0x06, &ep), -ECONNRESET);
	pthread_join(th, NULL);
	assert_int_equal(cxlfm_pending(c), 0);
	assert_int_equal(cxlfm_ep_count(c), 0);
	cxlfm_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_generic, open_ctx, close_ctx),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_fw, open_ctx, close_ctx),
		cmocka_unit_test_setup_teardown(test_logs_features, open_ctx, close_ctx),
		cmocka_unit_test_setup_teardown(test_switch, open_ctx, close_ctx),
		cmocka_unit_test_setup_teardown(test_switch_events, open_ctx, close_ctx),
		cmocka_unit_test_setup_teardown(test_mld, open_ctx, close_ctx),
		cmocka_unit_test_setup_teardown(test_mld_qos, open_ctx, close_ctx),
		cmocka_unit_test_setup_teardown(test_dcd, open_ctx, close_ctx),
		cmocka_unit_test_setup_teardown(test_malformed, open_ctx, close_ctx),
		cmocka_unit_test_setup_teardown(test_unreachable, open_ctx, close_ctx),
		cmocka_unit_test_setup_teardown(test_late, open_ctx, close_ctx),
		cmocka_unit_test(test_bus_gone),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
