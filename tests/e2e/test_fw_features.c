/* SPDX-License-Identifier: MIT */
/*
 * THEORY OF OPERATION: start cxl-emu with the RFC's target host (a DCD
 * below a switch, MCTP endpoints for both), its non-volatile state in a
 * file of the test's own (x-nv-state=), then act as an FM with libcxlfm
 * only (no QMP):
 *  - a firmware package goes to slot 2 of the DCD's FM-owned LD over MCTP
 *    (512-byte requests: Initiate / Continue / End, each a background
 *    operation), is activated online, and a second one goes to slot 3 and
 *    is staged for the next cold reset;
 *  - patrol scrub is set and saved across reset, ECS set without saving;
 *  - cxl-emu is stopped and started again on the same state file: slot 3
 *    is active (the staged activation happened at start), both packages are
 *    in their slots, patrol scrub keeps its saved value, ECS is back to its
 *    default; the Vendor Debug Log of the new start says what happened.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cxlfm/cxlfm.h"
#include "cxlfm/generic.h"
#include "e2e.h"

static char state_dir[256], nv_arg[512];
static struct emu_proc emu;

static int setup(void **state)
{
	(void)state;
	e2e_mkdtemp(state_dir, sizeof(state_dir));
	snprintf(nv_arg, sizeof(nv_arg),
		 "cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,lsa=cxl-lsa2,"
		 "num-dc-regions=2,sn=99,allow-fm-attach=on,x-nv-state=%s/dcd.nv", state_dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (emu.pid)
		emu_stop(&emu);
	if (emu.run_dir[0])
		e2e_rmdir(emu.run_dir);
	e2e_rmdir(state_dir);
	return 0;
}

static void start(void)
{
	const char *const argv[] = {
		E2E_RFC_SWITCH,
		"-qmp", "@PORT",
		"-device", nv_arg,
		"-device", "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0",
		"-device", "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0",
		NULL,
	};

	memset(&emu, 0, sizeof(emu));
	assert_int_equal(emu_start(&emu, argv), 0);
}

static void stop(void)
{
	assert_int_equal(emu_stop(&emu), 0);
	e2e_rmdir(emu.run_dir);
	memset(&emu, 0, sizeof(emu));
}

static struct cxlfm_ep *dcd_ep(struct cxlfm_ctx **ctx)
{
	struct cxlfm_ep *ep;

	assert_int_equal(cxlfm_open(emu_bus(&emu, "aspeed.i2c.bus.0"), NULL, ctx), 0);
	assert_int_equal(cxlfm_discover(*ctx), 2);
	assert_int_equal(cxlfm_ep_by_addr(*ctx, 0x06, &ep), 0);
	return ep;
}

static void get_ps(struct cxlfm_ep *ep, uint8_t sel, uint8_t out[4])
{
	struct cxlfm_get_feature_req req = { .count = 4, .selection = sel };
	static struct cxlfm_get_feature_rsp rsp;

	memcpy(req.uuid, cxlfm_feature_patrol_scrub_uuid, 16);
	assert_int_equal(cxlfm_cmd_get_feature(ep, NULL, &req, &rsp), 0);
	assert_int_equal(rsp.length, 4);
	memcpy(out, rsp.data, 4);
}

static void test_fw_and_features_survive_restart(void **state)
{
	static uint8_t payload[3000], pkg2[3100], pkg3[600];
	const uint8_t ps_w[2] = { 24, 1 }, ps_now[4] = { 0x03, 24, 1, 1 };
	const uint8_t ecs_w[7] = { 0, 5, 0, 5, 0, 5, 0 };
	struct cxlfm_get_fw_info_rsp info;
	struct cxlfm_get_feature_req ecs_req = { .count = 13 };
	static struct cxlfm_get_feature_rsp ecs;
	static struct cxlfm_get_log_rsp log;
	struct cxlfm_get_supported_logs_rsp logs;
	struct cxlfm_get_log_req lreq = { .offset = 0 };
	struct cxlfm_set_feature_req set = { .action = CXLFM_FEATURE_XFER_FULL, .version = 1 };
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	uint16_t op_rc = 0xffff;
	uint8_t ps[4];
	long n2, n3;

	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i ^ (i >> 8));
	n2 = cxlfm_fw_package("E2E FW 2.0", payload, sizeof(payload), pkg2, sizeof(pkg2));
	n3 = cxlfm_fw_package("E2E FW 3.0", payload, 500, pkg3, sizeof(pkg3));
	assert_true(n2 > 0 && n3 > 0);
	memcpy(ecs_req.uuid, cxlfm_feature_ecs_uuid, 16);

	start();
	ep = dcd_ep(&ctx);
	assert_int_equal(cxlfm_cmd_get_fw_info(ep, NULL, &info), 0);
	assert_int_equal(info.active_slot, 1);
	assert_string_equal(info.rev[0], "BWFW VERSION 00");
	/* slot 2: in parts over MCTP, then online activation (a background operation) */
	assert_int_equal(cxlfm_fw_update(ep, NULL, 2, pkg2, (size_t)n2), 0);
	assert_int_equal(cxlfm_cmd_activate_fw(ep, NULL, &(struct cxlfm_activate_fw_req){
		CXLFM_FW_ACTIVATE_ONLINE, 2 }), CXLFM_RC_BG_STARTED);
	assert_int_equal(cxlfm_bg_wait(ep, NULL, 5000, &op_rc), 0);
	assert_int_equal(op_rc, 0);
	/* slot 3: through the switch's tunnel, staged for the next cold reset */
	{
		struct cxlfm_ep *sw;

		assert_int_equal(cxlfm_ep_by_addr(ctx, 0x04, &sw), 0);
		assert_int_equal(cxlfm_fw_update(sw, &(struct cxlfm_tunnel){ 0, -1 }, 3, pkg3,
						 (size_t)n3), 0);
	}
	assert_int_equal(cxlfm_cmd_activate_fw(ep, NULL, &(struct cxlfm_activate_fw_req){
		CXLFM_FW_ACTIVATE_ON_RESET, 3 }), 0);
	assert_int_equal(cxlfm_cmd_get_fw_info(ep, NULL, &info), 0);
	assert_int_equal(info.active_slot, 2);
	assert_int_equal(info.staged_slot, 3);
	/* features: patrol scrub saved, ECS only current */
	memcpy(set.uuid, cxlfm_feature_patrol_scrub_uuid, 16);
	set.saved = true;
	set.data = ps_w;
	set.len = sizeof(ps_w);
	assert_int_equal(cxlfm_cmd_set_feature(ep, NULL, &set), 0);
	memcpy(set.uuid, cxlfm_feature_ecs_uuid, 16);
	set.saved = false;
	set.data = ecs_w;
	set.len = sizeof(ecs_w);
	assert_int_equal(cxlfm_cmd_set_feature(ep, NULL, &set), 0);
	assert_int_equal(cxlfm_cmd_get_feature(ep, NULL, &ecs_req, &ecs), 0);
	assert_int_equal(ecs.data[2], 5);
	cxlfm_close(ctx);
	stop();

	/* the same state file, a new start */
	start();
	ep = dcd_ep(&ctx);
	assert_int_equal(cxlfm_cmd_get_fw_info(ep, NULL, &info), 0);
	assert_int_equal(info.active_slot, 3);
	assert_int_equal(info.staged_slot, 0);
	assert_string_equal(info.rev[0], "BWFW VERSION 00");
	assert_string_equal(info.rev[1], "E2E FW 2.0");
	assert_string_equal(info.rev[2], "E2E FW 3.0");
	get_ps(ep, CXLFM_FEATURE_SEL_CURRENT, ps);
	assert_memory_equal(ps, ps_now, 4);
	assert_int_equal(cxlfm_cmd_get_feature(ep, NULL, &ecs_req, &ecs), 0);
	assert_int_equal(ecs.data[2], 3); /* the default threshold count again */
	/* the debug log of this start: the staged activation */
	assert_int_equal(cxlfm_cmd_get_supported_logs(ep, NULL, &logs), 0);
	assert_int_equal(logs.num_entries, 2);
	assert_true(logs.entries[1].size > 0 && logs.entries[1].size < 400);
	memcpy(lreq.uuid, cxlfm_vendor_debug_log_uuid, 16);
	lreq.length = logs.entries[1].size;
	assert_int_equal(cxlfm_cmd_get_log(ep, NULL, &lreq, &log), 0);
	log.data[log.length - 1] = 0;
	assert_non_null(strstr((const char *)log.data,
			       "fw: slot 3 'E2E FW 3.0' activated at start (staged)"));
	cxlfm_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fw_and_features_survive_restart, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
