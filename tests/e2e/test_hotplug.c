/* SPDX-License-Identifier: MIT */
/*
 * THEORY OF OPERATION: hot-plug as QEMU has it, on the RFC target host's
 * switch with its downstream port swport0 left free: QMP object-add of a
 * backend and device_add of a DCD below swport0; the FM on the switch's
 * MCTP endpoint (0x4) sees the port's device arrive (5101h), reaches it
 * through the tunnel (Identify, DC add that the host accepts); device_del
 * is refused while the host holds the capacity, works once it is released
 * (DEVICE_DELETED), and the port is empty again. The host's memdev
 * socket comes and goes with the device (mem0, the lowest free number).
 * qom-list / qom-get show the device as it was built; bad hot-plug
 * requests are refused by name.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "cxlfm/fmapi.h"
#include "e2e.h"
#include "e2e_qmp.h"

#define MiB (1024ull * 1024)

static const char *const target[] = {
	E2E_RFC_SWITCH, "-qmp", "@PORT",
	"-device", "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0",
	NULL,
};

static struct emu_proc emu;
static struct cxlfm_ctx *fm;
static struct cxlfm_ep *sw;
static int q;

static int start(void **state)
{
	(void)state;
	assert_int_equal(emu_start(&emu, target), 0);
	q = qmp_open(emu.qmp_port);
	assert_true(q >= 0);
	assert_int_equal(cxlfm_open(emu_bus(&emu, "aspeed.i2c.bus.0"), NULL, &fm), 0);
	assert_int_equal(cxlfm_ep_by_addr(fm, 0x4, &sw), 0);
	return 0;
}

static int stop(void **state)
{
	(void)state;
	cxlfm_close(fm);
	close(q);
	assert_int_equal(emu_stop(&emu), 0);
	e2e_rmdir(emu.run_dir);
	return 0;
}

static struct json_object *run(const char *cmd, const char *json)
{
	return e2e_qmp_run(q, cmd, json);
}

static void ok(const char *cmd, const char *json)
{
	json_object_put(e2e_qmp_ok(q, cmd, json));
}

static void refused(const char *cmd, const char *json, const char *cls, const char *text)
{
	e2e_qmp_refused(q, cmd, json, cls, text);
}

/* Is <run-dir>/mem0 there, and is it hp-dcd's memdev for its host agent? */
static bool memdev0(void)
{
	char path[300];
	struct json_object *r;
	bool there;

	snprintf(path, sizeof(path), "%s/mem0", emu.run_dir);
	there = access(path, F_OK) == 0;
	r = run("x-cxl-host-agent", "{\"path\": \"hp-dcd\"}");
	if (there)
		assert_string_equal(json_object_get_string(json_object_object_get(
			json_object_object_get(r, "return"), "memdev")), "mem0");
	json_object_put(r);
	return there;
}

/* Connected Device Type of switch port 0 (Get Physical Port State). */
static uint8_t port0_device(void)
{
	struct cxlfm_get_phys_port_state_req req = { .num_ports = 1, .port_ids = { 0 } };
	static struct cxlfm_get_phys_port_state_rsp rsp;

	assert_int_equal(cxlfm_cmd_get_phys_port_state(sw, NULL, &req, &rsp), 0);
	assert_int_equal(rsp.num_ports, 1);
	return rsp.ports[0].connected_dev_type;
}

/* Wait for the host agent's X_CXL_DC_CHANGE with this action. */
static void wait_dc_change(const char *action)
{
	for (;;) {
		struct json_object *ev = qmp_wait_event(q, "X_CXL_DC_CHANGE", 5000), *d;

		assert_non_null(ev);
		d = json_object_object_get(ev, "data");
		if (!strcmp(json_object_get_string(json_object_object_get(d, "action")), action)) {
			json_object_put(ev);
			return;
		}
		json_object_put(ev);
	}
}

static void test_plug_use_unplug(void **state)
{
	struct cxlfm_tunnel port0 = { .port = 0, .ld = -1 };
	struct cxlfm_dc_extent ext = { .start_dpa = 0, .length = 2 * MiB };
	struct cxlfm_initiate_dc_add_req add = {
		.selection_policy = CXLFM_DC_SEL_PRESCRIPTIVE, .num_extents = 1, .extents = &ext,
	};
	struct cxlfm_initiate_dc_release_req rel = {
		.removal_policy = CXLFM_DC_RM_PRESCRIPTIVE, .num_extents = 1, .extents = &ext,
	};
	struct cxlfm_identify_rsp id;
	struct json_object *ev, *r;
	char json[512], shm[64], path[96];

	(void)state;
	assert_int_equal(port0_device(), CXLFM_DEV_NONE); /* swport0 is free */
	snprintf(json, sizeof(json), "{\"qom-type\": \"memory-backend-file\", \"id\": \"hp-mem\","
		 " \"mem-path\": \"%s/hp.raw\", \"size\": %llu, \"share\": true}", emu.run_dir,
		 512 * MiB);
	ok("object-add", json);
	ok("device_add", "{\"driver\": \"cxl-type3\", \"bus\": \"swport0\", \"id\": \"hp-dcd\","
	   " \"volatile-dc-memdev\": \"hp-mem\", \"num-dc-regions\": 2, \"sn\": 77}");

	/* the FM sees it arrive and reaches it through the switch; the host has mem0 */
	assert_true(memdev0());
	assert_int_equal(port0_device(), CXLFM_DEV_CXL_TYPE3_SLD);
	assert_int_equal(cxlfm_cmd_identify(sw, &port0, &id), 0);
	assert_true(id.serial == 77);
	assert_int_equal(cxlfm_cmd_initiate_dc_add(sw, &port0, &add), 0);
	wait_dc_change("accepted");

	/* qom-get reads it as it was built */
	r = run("qom-get", "{\"path\": \"/machine/peripheral/hp-dcd\", \"property\": \"sn\"}");
	assert_int_equal(json_object_get_int64(json_object_object_get(r, "return")), 77);
	json_object_put(r);
	r = run("qom-get", "{\"path\": \"hp-dcd\", \"property\": \"volatile-dc-memdev\"}");
	assert_string_equal(json_object_get_string(json_object_object_get(r, "return")),
			    "/objects/hp-mem");
	json_object_put(r);

	/* the host holds 2 MiB of it: neither it nor its backend can go */
	refused("device_del", "{\"id\": \"hp-dcd\"}", "GenericError",
		"hp-dcd is in use: its host holds 1 dynamic capacity extent");
	refused("object-del", "{\"id\": \"hp-mem\"}", "GenericError",
		"object 'hp-mem' is in use, can not be deleted");
	assert_int_equal(port0_device(), CXLFM_DEV_CXL_TYPE3_SLD);

	assert_int_equal(cxlfm_cmd_initiate_dc_release(sw, &port0, &rel), 0);
	wait_dc_change("released");
	ok("device_del", "{\"id\": \"hp-dcd\"}");
	ev = qmp_wait_event(q, "DEVICE_DELETED", 5000);
	assert_non_null(ev);
	assert_string_equal(json_object_get_string(json_object_object_get(
		json_object_object_get(ev, "data"), "device")), "hp-dcd");
	assert_string_equal(json_object_get_string(json_object_object_get(
		json_object_object_get(ev, "data"), "path")), "/machine/peripheral/hp-dcd");
	json_object_put(ev);
	assert_int_equal(port0_device(), CXLFM_DEV_NONE);
	assert_false(memdev0());
	assert_true(cxlfm_cmd_identify(sw, &port0, &id) > 0); /* no device to tunnel to */
	refused("qom-get", "{\"path\": \"hp-dcd\", \"property\": \"sn\"}", "DeviceNotFound",
		"Device 'hp-dcd' not found");
	ok("object-del", "{\"id\": \"hp-mem\"}");

	/* plugged again under the same id, it is a new device; with FM attach
	 * and the RFC's buffer, which goes with it */
	ok("object-add", json);
	snprintf(shm, sizeof(shm), "/cxlfm-e2e-hp-%ld", (long)getpid());
	snprintf(json, sizeof(json), "{\"driver\": \"cxl-type3\", \"bus\": \"swport0\", "
		 "\"id\": \"hp-dcd\", \"volatile-dc-memdev\": \"hp-mem\", \"num-dc-regions\": 2, "
		 "\"sn\": 78, \"allow-fm-attach\": true, \"mctp-buf-init\": true, "
		 "\"mctp-buf-name\": \"%s\"}", shm);
	ok("device_add", json);
	assert_true(memdev0()); /* mem0 again: the lowest free */
	assert_int_equal(cxlfm_cmd_identify(sw, &port0, &id), 0);
	assert_true(id.serial == 78);
	snprintf(path, sizeof(path), "/dev/shm%s", shm);
	assert_int_equal(access(path, F_OK), 0);
	ok("device_del", "{\"id\": \"hp-dcd\"}");
	ev = qmp_wait_event(q, "DEVICE_DELETED", 5000);
	assert_non_null(ev);
	json_object_put(ev);
	assert_int_equal(access(path, F_OK), -1);
}

static void test_refusals(void **state)
{
	struct json_object *r, *ret;
	char json[512];

	(void)state;
	snprintf(json, sizeof(json), "{\"qom-type\": \"memory-backend-file\", \"id\": \"m2\","
		 " \"mem-path\": \"%s/m2.raw\", \"size\": %llu}", emu.run_dir, 256 * MiB);
	ok("object-add", json);
	refused("object-add", json, "GenericError", "duplicate id 'm2'");
	refused("object-add", "{\"qom-type\": \"rng-random\", \"id\": \"rng\"}", "GenericError",
		"'rng-random' is not a memory backend");
	/* an occupied port, a switch port that is not a downstream one, a driver
	 * that is not hot-pluggable, a typo, a missing backend */
	ok("device_add", "{\"driver\": \"cxl-type3\", \"bus\": \"swport1\", \"id\": \"a\","
	   " \"volatile-memdev\": \"m2\"}");
	refused("device_add", "{\"driver\": \"cxl-type3\", \"bus\": \"swport1\", \"id\": \"a2\","
		" \"volatile-memdev\": \"m2\"}", "GenericError",
		"property 'volatile-memdev': memory backend 'm2' is already used by 'a'");
	ok("object-add", "{\"qom-type\": \"memory-backend-ram\", \"id\": \"m3\","
	   " \"size\": 268435456}");
	refused("device_add", "{\"driver\": \"cxl-type3\", \"bus\": \"swport1\", \"id\": \"a2\","
		" \"volatile-memdev\": \"m3\"}", "GenericError",
		"port 'swport1' is already used by 'a'");
	refused("device_add", "{\"driver\": \"cxl-type3\", \"bus\": \"swport2\", \"id\": \"a\","
		" \"volatile-memdev\": \"m3\"}", "GenericError", "duplicate id 'a'");
	ok("device_del", "{\"id\": \"a\"}");
	ok("object-del", "{\"id\": \"m3\"}");
	refused("device_add", "{\"driver\": \"cxl-type3\", \"bus\": \"us0\", \"id\": \"b\","
		" \"volatile-memdev\": \"m2\"}", "GenericError",
		"property 'bus': 'us0' is a cxl-upstream, expected a cxl-rp or cxl-downstream");
	refused("device_add", "{\"driver\": \"cxl-downstream\", \"bus\": \"us0\", \"id\": \"p9\","
		" \"slot\": 9}", "GenericError", "'cxl-downstream' cannot be hot-plugged");
	refused("device_add", "{\"driver\": \"cxl-typ3\", \"bus\": \"swport1\"}", "GenericError",
		"'cxl-typ3' cannot be hot-plugged");
	refused("device_add", "{\"driver\": \"cxl-type3\", \"bus\": \"swport1\", \"id\": \"c\","
		" \"volatile-memdev\": \"nope\"}", "GenericError",
		"memory backend 'nope' not found");
	refused("device_add", "{\"driver\": \"cxl-type3\", \"bus\": \"swport1\", \"id\": \"d\","
		" \"volatile-memdev\": [1]}", "GenericError",
		"member 'volatile-memdev' must be a string, number or boolean");
	refused("device_del", "{\"id\": \"nope\"}", "DeviceNotFound", "Device 'nope' not found");
	refused("device_del", "{\"id\": \"swport1\"}", "GenericError",
		"only cxl-type3 can be hot-unplugged");
	/* a failed device_add left nothing behind: m2 is free to go */
	ok("object-del", "{\"id\": \"m2\"}");
	refused("object-del", "{\"id\": \"m2\"}", "GenericError", "object 'm2' not found");

	/* the QOM tree */
	r = run("qom-list", "{\"path\": \"/machine/peripheral\"}");
	assert_true(json_object_object_get_ex(r, "return", &ret));
	assert_true(json_object_array_length(ret) >= 6); /* cxl.1, rp, us0, 3 DSPs, ... */
	json_object_put(r);
	r = run("qom-list", "{\"path\": \"/machine/peripheral-anon\"}");
	assert_true(json_object_object_get_ex(r, "return", &ret));
	/* the switch mailbox CCI has no id: QEMU's first anonymous device */
	assert_string_equal(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(ret, 0), "name")), "device[0]");
	json_object_put(r);
	r = run("qom-get", "{\"path\": \"/machine/peripheral/swport2\", \"property\": \"port\"}");
	assert_int_equal(json_object_get_int64(json_object_object_get(r, "return")), 3);
	json_object_put(r);
	refused("qom-get", "{\"path\": \"swport2\", \"property\": \"colour\"}", "DeviceNotFound",
		"Property 'cxl-downstream.colour' not found");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plug_use_unplug, start, stop),
		cmocka_unit_test_setup_teardown(test_refusals, start, stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
