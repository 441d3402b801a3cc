/* SPDX-License-Identifier: MIT */
/*
 * THEORY OF OPERATION: start cxl-emu with the QEMU FM-emulation RFC's target
 * host command line (VM-only options included, backing files in the test's
 * run dir, an ephemeral QMP port), then act as an FM application on its I2C
 * bus with libcxlfm and as a management tool on its QMP socket:
 *  - bus-owner discovery gives both endpoints (0x04 -> us0, 0x06 -> cxl-dcd0)
 *    EIDs; Identify answers as a switch and as a type-3 device;
 *  - Get Physical Port State through the switch endpoint shows the three
 *    downstream ports and the DCD under port 0; a tunnelled Identify reaches it;
 *  - a DC add through QMP is accepted by the host agent and then listed by
 *    the FM through the FM-owned LD command set (5603h);
 *  - SIGTERM: exit 0, bus socket removed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "e2e.h"
#include "proto/le.h"

#define MiB (1024ull * 1024)

/* The RFC's target host, VM-only options included. */
static const char *const target_host[] = {
	E2E_RFC_SWITCH,
	"-kernel", "bzImage", "-append", "root=/dev/sda rw console=ttyS0",
	"-drive", "file=root.qcow2,format=qcow2,index=0,media=disk,id=hd",
	"-netdev", "user,id=net0,hostfwd=tcp::2222-:22",
	"-device", "e1000,netdev=net0",
	"-qmp", "@PORT",
	"-device", "cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,"
		   "lsa=cxl-lsa2,num-dc-regions=2,sn=99,allow-fm-attach=on",
	"-device", "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0",
	"-device", "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0",
	NULL,
};

static struct emu_proc emu;

static int start(void **state)
{
	(void)state;
	assert_int_equal(emu_start(&emu, target_host), 0);
	assert_true(emu.qmp_port > 0);
	assert_non_null(emu_bus(&emu, "aspeed.i2c.bus.0"));
	return 0;
}

static int stop(void **state)
{
	(void)state;
	if (emu.pid)
		emu_stop(&emu);
	e2e_rmdir(emu.run_dir);
	return 0;
}

static struct json_object *extent(uint64_t off, uint64_t len)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "offset", json_object_new_uint64(off));
	json_object_object_add(e, "len", json_object_new_uint64(len));
	return e;
}

static void test_fm_and_qmp(void **state)
{
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *sw, *dcd;
	struct cxlfm_tunnel port0 = { .port = 0, .ld = -1 };
	uint8_t out[1024], in[16];
	size_t len;
	int qmp;

	(void)state;
	assert_int_equal(cxlfm_open(emu_bus(&emu, "aspeed.i2c.bus.0"), NULL, &ctx), 0);
	assert_int_equal(cxlfm_discover(ctx), 2);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x04, &sw), 0);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &dcd), 0);
	assert_int_not_equal(cxlfm_ep_eid(sw), cxlfm_ep_eid(dcd));

	/* Identify: the switch (component type 0) and the DCD (type 3, sn 99) */
	assert_int_equal(cxlfm_cmd(sw, NULL, 0x0001, NULL, 0, out, sizeof(out), &len), 0);
	assert_int_equal(len, 18);
	assert_int_equal(out[17], 0x00);
	assert_int_equal(le64_get(out + 8), 1234);
	assert_int_equal(cxlfm_cmd(dcd, NULL, 0x0001, NULL, 0, out, sizeof(out), &len), 0);
	assert_int_equal(out[17], 0x03);
	assert_int_equal(le64_get(out + 8), 99);

	/* Get Physical Port State for the three DSPs */
	in[0] = 3;
	in[1] = 0;
	in[2] = 1;
	in[3] = 3;
	assert_int_equal(cxlfm_cmd(sw, NULL, 0x5101, in, 4, out, sizeof(out), &len), 0);
	assert_int_equal(len, 4 + 3 * 16);
	assert_int_equal(out[0], 3);
	assert_int_equal(out[4], 0);      /* port id */
	assert_int_equal(out[5], 3);      /* configuration state: DSP */
	assert_int_equal(out[8], 4);      /* connected: CXL type 3 SLD */
	assert_int_equal(out[4 + 16], 1);
	assert_int_equal(out[4 + 16 + 4], 0); /* nothing below port 1 */
	assert_int_equal(out[4 + 32], 3);

	/* a tunnelled Identify reaches the DCD behind port 0 */
	assert_int_equal(cxlfm_cmd(sw, &port0, 0x0001, NULL, 0, out, sizeof(out), &len), 0);
	assert_int_equal(le64_get(out + 8), 99);

	/* Get DCD Info: two regions */
	assert_int_equal(cxlfm_cmd(dcd, NULL, 0x5600, NULL, 0, out, sizeof(out), &len), 0);
	assert_int_equal(out[1], 2);

	/* DC add through QMP; the host agent accepts; the FM lists it */
	qmp = qmp_open(emu.qmp_port);
	assert_true(qmp >= 0);
	struct json_object *args = json_object_new_object(), *exts = json_object_new_array(), *r;
	json_object_object_add(args, "path", json_object_new_string("/machine/peripheral/cxl-dcd0"));
	json_object_object_add(args, "host-id", json_object_new_int(0));
	json_object_object_add(args, "selection-policy", json_object_new_string("prescriptive"));
	json_object_object_add(args, "region", json_object_new_int(0));
	json_object_array_add(exts, extent(0, 128 * MiB));
	json_object_object_add(args, "extents", exts);
	r = qmp_exec(qmp, "cxl-add-dynamic-capacity", args);
	assert_non_null(r);
	assert_true(json_object_object_get_ex(r, "return", NULL));
	json_object_put(r);

	/* The agent answers on its next loop turn: poll its view briefly. */
	size_t held = 0;
	for (int i = 0; i < 200 && held == 0; i++) {
		struct json_object *a = json_object_new_object(), *ret, *e;

		json_object_object_add(a, "path", json_object_new_string("cxl-dcd0"));
		r = qmp_exec(qmp, "x-cxl-host-agent", a);
		assert_non_null(r);
		assert_true(json_object_object_get_ex(r, "return", &ret));
		assert_true(json_object_object_get_ex(ret, "extents", &e));
		held = json_object_array_length(e);
		json_object_put(r);
		if (!held)
			usleep(5000);
	}
	assert_int_equal(held, 1);

	/* Get DC Region Extent Lists (5603h): host 0, count 8, start 0 */
	memset(in, 0, sizeof(in));
	le32_put(in + 4, 8);
	assert_int_equal(cxlfm_cmd(dcd, NULL, 0x5603, in, 12, out, sizeof(out), &len), 0);
	assert_int_equal(le32_get(out + 8), 1);  /* returned */
	assert_int_equal(le32_get(out + 12), 1); /* total accepted */
	assert_int_equal(le64_get(out + 24 + 8), 128 * MiB);

	/* a command the FM-owned LD set does not have: Unsupported, not a crash */
	assert_int_equal(cxlfm_cmd(dcd, NULL, 0x5200, NULL, 0, out, sizeof(out), &len),
			 3 /* Unsupported */);
	close(qmp);
	cxlfm_close(ctx);
}

static void test_sigterm_cleans_up(void **state)
{
	char sock[512];
	struct stat st;

	(void)state;
	snprintf(sock, sizeof(sock), "%s", emu_bus(&emu, "aspeed.i2c.bus.0"));
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(emu_stop(&emu), 0);
	assert_int_equal(stat(sock, &st), -1);
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fm_and_qmp, start, stop),
		cmocka_unit_test_setup_teardown(test_sigterm_cleans_up, start, stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
