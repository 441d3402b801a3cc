/* SPDX-License-Identifier: MIT */
/*
 * THEORY OF OPERATION: the BMC's view of a memory device across the QEMU
 * FM-emulation RFC's two hosts (docs/forwarding.md). The target host's DCD
 * (sn 99) creates the shared buffer; the FM host has the same topology, its
 * endpoint 0x06 forwards to the target's DCD through the buffer and its
 * endpoint 0x04 to the target's switch (inline), so Tunnel Management to
 * switch port 0 reaches the target's DCD too. A BMC (libcxlfm) on the FM
 * host's bus must see the TARGET's device, set through the target's QMP:
 * its health (x-cxl-health) with exact values, while the FM host's own
 * DCD keeps its own; the alert thresholds it sets, as the target's QMP then
 * reports them; the Memory Module Event Record a threshold crossing logs;
 * the General Media and Memory Module Event Records QMP injects, decoded
 * field by field; and once the BMC cleared them they are gone from the
 * target's host mailbox too (x-cxl-mailbox Get Event Records). The target's
 * guest is stopped (QMP stop) while records wait: its host agent, which
 * reads and clears the logs on each event interrupt as Linux's cxl_pci
 * does, leaves them to the BMC until cont. Each test has its own buffer
 * name, run dirs and ephemeral ports.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "cxlfm/media.h"
#include "cxlfm/memdev.h"
#include "e2e.h"
#include "proto/le.h"
#include "util/base64.h"

static char bufname[64];
static struct emu_proc tgt, fm;
static int tq = -1, fq = -1; /* QMP of the target and of the FM host */
static struct cxlfm_ctx *ctx;
static struct cxlfm_ep *dcd, *sw; /* 0x06 and 0x04 on the FM host's bus */
static const struct cxlfm_tunnel port0 = { .port = 0, .ld = -1 };

static int teardown(void **state);

/* What setup started is stopped when it fails midway: cmocka runs no teardown then. */
static int setup(void **state)
{
	static int n;
	struct e2e_argv a = { .n = 0 };
	struct cxlfm_opts o = CXLFM_OPTS(.timeout_ms = 5000);

	(void)state;
	snprintf(bufname, sizeof(bufname), "/cxlfm-bmc-%d-%d", (int)getpid(), n++);
	memset(&tgt, 0, sizeof(tgt));
	memset(&fm, 0, sizeof(fm));
	e2e_rfc_target_argv(&a, bufname, 1, 0, true);
	if (emu_start(&tgt, a.v))
		return teardown(state), -1;
	a = (struct e2e_argv){ .n = 0 };
	e2e_rfc_fm_argv(&a, bufname, 1, tgt.qmp_port, true, NULL);
	if (emu_start(&fm, a.v))
		return teardown(state), -1;
	tq = qmp_open(tgt.qmp_port);
	fq = qmp_open(fm.qmp_port);
	if (tq < 0 || fq < 0 || cxlfm_open(emu_bus(&fm, "aspeed.i2c.bus.0"), &o, &ctx) ||
	    cxlfm_ep_by_addr(ctx, 0x06, &dcd) || cxlfm_ep_by_addr(ctx, 0x04, &sw)) {
		fprintf(stderr, "e2e-bmc: setup failed (QMP %d/%d, libcxlfm)\n", tq, fq);
		return teardown(state), -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cxlfm_close(ctx);
	ctx = NULL;
	if (tq >= 0)
		close(tq);
	if (fq >= 0)
		close(fq);
	tq = fq = -1;
	e2e_rfc_pair_stop(&tgt, &fm, bufname);
	return 0;
}

/* A QMP command on fd with arguments from a printf format; its "return". */
__attribute__((format(printf, 3, 4)))
static struct json_object *qmp_ok(int fd, const char *cmd, const char *fmt, ...)
{
	struct json_object *r, *ret;
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r = qmp_exec(fd, cmd, json_tokener_parse(buf));
	assert_non_null(r);
	if (!json_object_object_get_ex(r, "return", &ret))
		fail_msg("%s %s: %s", cmd, buf, json_object_to_json_string(r));
	json_object_get(ret);
	json_object_put(r);
	return ret;
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no %s in %s", key, json_object_to_json_string(o));
	return json_object_get_int64(v);
}

/* Get Event Records of log through tun (NULL: 0x06 itself). */
static void fm_events(const struct cxlfm_tunnel *tun, uint8_t log,
		      struct cxlfm_get_event_records_rsp *rsp)
{
	assert_int_equal(cxlfm_cmd_get_event_records(tun ? sw : dcd, tun,
		&(struct cxlfm_get_event_records_req){ log }, rsp), 0);
}

/* Records the target's HOST reads from log on its mailbox (x-cxl-mailbox 0100h). */
static unsigned host_records(uint8_t log, uint16_t *first_handle)
{
	struct json_object *r, *v;
	uint8_t out[2048];
	char b64[8];
	int n;

	base64_encode(&log, 1, b64);
	r = qmp_ok(tq, "x-cxl-mailbox", "{\"path\": \"cxl-dcd0\", \"opcode\": 256, "
		   "\"payload\": \"%s\"}", b64);
	assert_int_equal(jint(r, "ret-val"), 0);
	assert_true(json_object_object_get_ex(r, "payload", &v));
	n = base64_decode(json_object_get_string(v), out, sizeof(out));
	json_object_put(r);
	assert_true(n >= 0x20);
	/* Get Event Records output: 14h record count, records of 128 bytes from 0x20 */
	assert_int_equal(n, 0x20 + 128 * le16_get(out + 0x14));
	if (le16_get(out + 0x14) && first_handle)
		*first_handle = le16_get(out + 0x20 + 20);
	return le16_get(out + 0x14);
}

/*
 * Health: what x-cxl-health sets on the target is what the BMC reads on the
 * FM host's bus, directly and through the switch; the threshold crossing's
 * Memory Module Event Record; the alert configuration the BMC sets is the
 * target's.
 */
static void test_health(void **state)
{
	struct cxlfm_get_event_records_rsp *ev = malloc(sizeof(*ev));
	struct cxlfm_mem_module_event mm;
	struct cxlfm_health_info h, ht;
	struct cxlfm_alert_config ac;
	struct json_object *r;

	(void)state;
	assert_non_null(ev);
	json_object_put(qmp_ok(tq, "stop", "{}"));
	/* 41 degrees: over the critical 35, so a Memory Module Event in the failure log */
	r = qmp_ok(tq, "x-cxl-health", "{\"path\": \"cxl-dcd0\", \"temperature\": 41}");
	assert_int_equal(jint(r, "additional-status"), 0x08);
	json_object_put(r);
	assert_int_equal(cxlfm_cmd_get_health_info(dcd, NULL, &h), 0);
	assert_int_equal(h.temperature, 41);
	assert_int_equal(CXLFM_HEALTH_TEMPERATURE(h.additional_status), 2);
	fm_events(NULL, CXLFM_EVENT_LOG_FAIL, ev);
	assert_int_equal(ev->num_records, 1);
	assert_int_equal(ev->records[0].flags & 3, 2); /* failure severity */
	assert_int_equal(cxlfm_mem_module_event_decode(&ev->records[0], &mm), 0);
	assert_int_equal(mm.type, 0x03); /* temperature change */
	assert_int_equal(mm.health.temperature, 41);
	assert_int_equal(mm.health.additional_status, 0x08);
	assert_int_equal(mm.health.life_used, 0);

	/* every field, then the BMC's view directly and through the switch port */
	r = qmp_ok(tq, "x-cxl-health", "{\"path\": \"cxl-dcd0\", \"health-status\": 5, "
		   "\"media-status\": 6, \"life-used\": 80, \"temperature\": -12, "
		   "\"corrected-volatile-error-count\": 12, "
		   "\"corrected-persistent-error-count\": 3}");
	/* life used critical (>= 75 %), temperature critical (< 10) */
	assert_int_equal(jint(r, "additional-status"), 0x0a);
	assert_int_equal(cxlfm_cmd_get_health_info(dcd, NULL, &h), 0);
	assert_int_equal(h.health_status, CXLFM_HEALTH_MAINTENANCE_NEEDED |
			 CXLFM_HEALTH_REPLACEMENT_NEEDED);
	assert_int_equal(h.media_status, 6);
	assert_int_equal(h.additional_status, 0x0a);
	assert_int_equal(h.life_used, 80);
	assert_int_equal(h.temperature, -12);
	assert_int_equal(h.dirty_shutdown_count, jint(r, "dirty-shutdown-count"));
	assert_int_equal(h.corrected_volatile_errors, 12);
	assert_int_equal(h.corrected_persistent_errors, 3);
	json_object_put(r);
	assert_int_equal(cxlfm_cmd_get_health_info(sw, &port0, &ht), 0);
	assert_memory_equal(&ht, &h, sizeof(h));
	/* the FM host's own DCD (same serial number) kept its own health */
	r = qmp_ok(fq, "x-cxl-health", "{\"path\": \"cxl-dcd0\"}");
	assert_int_equal(jint(r, "temperature"), 22);
	assert_int_equal(jint(r, "life-used"), 0);
	json_object_put(r);

	/* a corrected volatile error warning at 10, set by the BMC through the switch */
	assert_int_equal(cxlfm_cmd_set_alert_config(sw, &port0, &(struct cxlfm_set_alert_config_req){
		.valid = CXLFM_ALERT_COR_VOLATILE, .enable = CXLFM_ALERT_COR_VOLATILE,
		.cor_volatile_warn = 10 }), 0);
	r = qmp_ok(tq, "x-cxl-health", "{\"path\": \"cxl-dcd0\"}");
	assert_int_equal(jint(r, "additional-status"), 0x1a);
	json_object_put(r);
	assert_int_equal(cxlfm_cmd_get_alert_config(dcd, NULL, &ac), 0);
	assert_int_equal(ac.valid_alerts, CXLFM_ALERT_COR_VOLATILE);
	assert_int_equal(ac.cor_volatile_warn, 10);
	/* a warning beyond its critical threshold: Invalid Input, nothing changes */
	assert_int_equal(cxlfm_cmd_set_alert_config(dcd, NULL, &(struct cxlfm_set_alert_config_req){
		.valid = CXLFM_ALERT_OVER_TEMP, .enable = CXLFM_ALERT_OVER_TEMP,
		.over_temp_warn = 50 }), CXLFM_RC_INVALID_INPUT);
	assert_int_equal(cxlfm_cmd_get_alert_config(dcd, NULL, &ac), 0);
	assert_int_equal(ac.valid_alerts, CXLFM_ALERT_COR_VOLATILE);
	assert_int_equal(ac.over_temp_warn, 25);
	json_object_put(qmp_ok(tq, "cont", "{}"));
	free(ev);
}

/*
 * Event records: QMP injections on the target reach the BMC decoded; the
 * host's mailbox shows the same records; the BMC clears them (once directly,
 * once through the switch) and neither side has them after.
 */
static void test_events(void **state)
{
	struct cxlfm_get_event_records_rsp *ev = malloc(sizeof(*ev));
	struct cxlfm_gen_media_event gm;
	struct cxlfm_mem_module_event mm;
	uint16_t handle = 0, host_handle = 0;

	(void)state;
	assert_non_null(ev);
	json_object_put(qmp_ok(tq, "stop", "{}"));
	json_object_put(qmp_ok(tq, "cxl-inject-general-media-event",
		"{\"path\": \"cxl-dcd0\", \"log\": \"informational\", \"flags\": 10, "
		"\"dpa\": 262145, \"descriptor\": 1, \"type\": 0, \"transaction-type\": 1, "
		"\"channel\": 2, \"rank\": 1, \"device\": 1193046, \"component-id\": \"bmc-e2e\"}"));
	json_object_put(qmp_ok(tq, "cxl-inject-memory-module-event",
		"{\"path\": \"cxl-dcd0\", \"log\": \"failure\", \"flags\": 2, \"type\": 1, "
		"\"health-status\": 2, \"media-status\": 3, \"additional-status\": 5, "
		"\"life-used\": 33, \"temperature\": -5, \"dirty-shutdown-count\": 4, "
		"\"corrected-volatile-error-count\": 6, \"corrected-persistent-error-count\": 7}"));

	fm_events(NULL, CXLFM_EVENT_LOG_INFO, ev);
	assert_int_equal(ev->num_records, 1);
	assert_int_equal(ev->records[0].flags, 10); /* failure severity, maintenance needed */
	assert_int_equal(cxlfm_gen_media_event_decode(&ev->records[0], &gm), 0);
	assert_int_equal(gm.media.dpa, 0x40000);
	assert_int_equal(gm.media.dpa_flags, CXLFM_MEDIA_EV_DPA_VOLATILE); /* 262145 = 0x40001 */
	assert_int_equal(gm.media.descriptor, CXLFM_MEDIA_EV_UNCORRECTABLE);
	assert_int_equal(gm.media.type, 0);
	assert_int_equal(gm.media.transaction_type, CXLFM_MEDIA_EV_TXN_HOST_READ);
	assert_int_equal(gm.media.validity, CXLFM_GEN_MEDIA_VALID_CHANNEL | CXLFM_GEN_MEDIA_VALID_RANK |
			 CXLFM_GEN_MEDIA_VALID_DEVICE | CXLFM_GEN_MEDIA_VALID_COMPONENT);
	assert_int_equal(gm.media.channel, 2);
	assert_int_equal(gm.media.rank, 1);
	assert_int_equal(gm.device, 0x123456);
	assert_memory_equal(gm.component_id, "bmc-e2e\0", 8);
	handle = ev->records[0].handle;
	/* the host reads the same record in the same log */
	assert_int_equal(host_records(CXLFM_EVENT_LOG_INFO, &host_handle), 1);
	assert_int_equal(host_handle, handle);

	/* the failure log through the switch's tunnel */
	fm_events(&port0, CXLFM_EVENT_LOG_FAIL, ev);
	assert_int_equal(ev->num_records, 1);
	assert_int_equal(cxlfm_mem_module_event_decode(&ev->records[0], &mm), 0);
	assert_int_equal(mm.type, 1); /* media status change */
	assert_int_equal(mm.health.health_status, CXLFM_HEALTH_PERFORMANCE_DEGRADED);
	assert_int_equal(mm.health.media_status, 3);
	assert_int_equal(mm.health.additional_status, 5);
	assert_int_equal(mm.health.life_used, 33);
	assert_int_equal(mm.health.temperature, -5);
	assert_int_equal(mm.health.dirty_shutdown_count, 4);
	assert_int_equal(mm.health.corrected_volatile_errors, 6);
	assert_int_equal(mm.health.corrected_persistent_errors, 7);

	/* a handle the log does not have: Invalid Handle (0Eh, CXL r3.1 Table 8-34), nothing cleared */
	assert_int_equal(cxlfm_cmd_clear_event_records(dcd, NULL,
		&(struct cxlfm_clear_event_records_req){ .log = CXLFM_EVENT_LOG_INFO,
			.num_handles = 1, .handles = &(uint16_t){ (uint16_t)(handle + 7) } }), 0x0e);
	assert_int_equal(host_records(CXLFM_EVENT_LOG_INFO, NULL), 1);
	/* cleared by the BMC: directly, and through the switch */
	assert_int_equal(cxlfm_cmd_clear_event_records(dcd, NULL,
		&(struct cxlfm_clear_event_records_req){ .log = CXLFM_EVENT_LOG_INFO,
			.num_handles = 1, .handles = &handle }), 0);
	handle = ev->records[0].handle;
	assert_int_equal(cxlfm_cmd_clear_event_records(sw, &port0,
		&(struct cxlfm_clear_event_records_req){ .log = CXLFM_EVENT_LOG_FAIL,
			.num_handles = 1, .handles = &handle }), 0);
	fm_events(NULL, CXLFM_EVENT_LOG_INFO, ev);
	assert_int_equal(ev->num_records, 0);
	fm_events(&port0, CXLFM_EVENT_LOG_FAIL, ev);
	assert_int_equal(ev->num_records, 0);
	assert_int_equal(host_records(CXLFM_EVENT_LOG_INFO, NULL), 0);
	assert_int_equal(host_records(CXLFM_EVENT_LOG_FAIL, NULL), 0);
	json_object_put(qmp_ok(tq, "cont", "{}"));
	free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_health, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
