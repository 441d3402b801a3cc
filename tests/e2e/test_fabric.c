/* SPDX-License-Identifier: MIT */
/*
 * THEORY OF OPERATION: the QEMU FM-emulation RFC's two hosts as two cxl-emu
 * processes, each with an MLD (cxl-mld0, 4 LDs, sn 42) below switch port 1
 * next to the RFC's DCD. The FM host's endpoint 0x6 forwards to the target's
 * MLD, 0x4 to the target's switch.
 *
 * QoS: an FM (libcxlfm on the FM host's bus) sets
 * QoS controls, two LDs' bandwidth limits and the allocations; the target's
 * QMP (x-cxl-qos) offers load on those LDs. Get QoS Status on the FM's bus
 * and the per-LD figures on the target's QMP must be what docs/qos.md's
 * equations give, computed here from the settings and the load (expect()).
 * The FM then lowers one LD's limit: its share drops and the backpressure
 * changes as the equations say. The FM host's own MLD stays untouched: the
 * requests crossed hosts.
 *
 * Switch events: the FM unbinds and binds a vPPB and asserts PERST# on the
 * target's switch; on the target, QMP hot-adds a device below port 3 and the
 * MLD reports an error to its switch. The FM reads every change as a
 * Physical Switch, Virtual CXL Switch or MLD Port event record from the
 * target switch's logs, without polling port state.
 *
 * Domain validation: the target's host sets its VCS's secret value through
 * the switch mailbox CCI (QMP x-cxl-mailbox on us0, as its driver would); the
 * FM reads the state and the value across hosts; a second Set is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "cxlfm/fabric.h"
#include "cxlfm/qos.h"
#include "e2e.h"

static char bufname[64], dcdbuf[80];
static struct emu_proc tgt, fm;

/* The MLD of both hosts, its backend in the run dir, and its buffer. */
static void mld_words(struct e2e_argv *a, bool init)
{
	e2e_argv_add(a, "-object");
	e2e_argv_add(a, "memory-backend-file,id=mldmem,share=on,mem-path=@RUN/mld.raw,size=1G");
	e2e_argv_add(a, "-device");
	e2e_argv_add(a, "cxl-type3,bus=swport1,volatile-memdev=mldmem,id=cxl-mld0,sn=42,num-ld=4,"
		     "allow-fm-attach=on,mctp-buf-name=%s%s", bufname,
		     init ? ",mctp-buf-init=on" : "");
}

static int start_hosts(void)
{
	struct e2e_argv t = { .n = 0 }, f = { .n = 0 };

	e2e_rfc_topology(&t, dcdbuf);
	mld_words(&t, true);
	e2e_argv_add(&t, "-device");
	e2e_argv_add(&t, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0");
	e2e_argv_add(&t, "-device");
	e2e_argv_add(&t, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-mld0");
	e2e_argv_add(&t, "-qmp");
	e2e_argv_add(&t, "@PORT");
	if (emu_start(&tgt, t.v))
		return -1;
	e2e_rfc_topology(&f, dcdbuf);
	mld_words(&f, false);
	e2e_argv_add(&f, "-device");
	e2e_argv_add(&f, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0,"
		     "mctp-msg-forward=on,qmp=127.0.0.1:%d", tgt.qmp_port);
	e2e_argv_add(&f, "-device");
	e2e_argv_add(&f, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-mld0,"
		     "mctp-msg-forward=on,qmp=127.0.0.1:%d", tgt.qmp_port);
	e2e_argv_add(&f, "-qmp");
	e2e_argv_add(&f, "@PORT");
	return emu_start(&fm, f.v);
}

static int setup(void **state)
{
	static int n;

	(void)state;
	snprintf(bufname, sizeof(bufname), "/cxlfm-e2e-qos-%d-%d", (int)getpid(), n);
	snprintf(dcdbuf, sizeof(dcdbuf), ",mctp-buf-name=/cxlfm-e2e-qos-dcd-%d-%d",
		 (int)getpid(), n++);
	memset(&tgt, 0, sizeof(tgt));
	memset(&fm, 0, sizeof(fm));
	return 0;
}

/* Stop the FM host first (it forwards to the target), then the target. */
static int teardown(void **state)
{
	struct emu_proc *procs[2] = { &fm, &tgt };

	(void)state;
	for (int i = 0; i < 2; i++) {
		if (procs[i]->pid)
			emu_stop(procs[i]);
		if (procs[i]->run_dir[0])
			e2e_rmdir(procs[i]->run_dir);
	}
	shm_unlink(bufname);
	return 0;
}

/*
 * docs/qos.md for two loaded LDs (the others offer nothing), written out
 * again here from its equations: bandwidth in basis points of the device
 * (10000), limit = fraction x ReqCmpBasis x 100 / 256, admitted = min(offered,
 * limit), backpressure = round(100 x excess / demand), the link shared by
 * allocation (water-filling) when the backpressure reaches the moderate
 * threshold, else in proportion to what was admitted.
 */
struct expect {
	unsigned bp;
	unsigned delivered[2];
};

static struct expect expect(const unsigned load[2], const unsigned limit[2],
			    const unsigned alloc[2], unsigned rcb, unsigned moderate)
{
	struct expect e = { 0 };
	unsigned adm[2], demand = 0;

	for (int i = 0; i < 2; i++) {
		unsigned off = load[i] * 100, lim = limit[i] * rcb * 100 / 256;

		adm[i] = off < lim ? off : lim;
		demand += adm[i];
	}
	if (demand > 10000)
		e.bp = (100 * (demand - 10000) + demand / 2) / demand;
	if (e.bp >= moderate) {
		/* each LD's share at the allocation's weight; one that needs less
		 * leaves the rest to the other */
		unsigned w = alloc[0] + alloc[1];
		unsigned s0 = 10000 * alloc[0] / w, s1 = 10000 * alloc[1] / w;

		if (adm[0] <= s0) {
			e.delivered[0] = adm[0];
			e.delivered[1] = adm[1] < 10000 - adm[0] ? adm[1] : 10000 - adm[0];
		} else if (adm[1] <= s1) {
			e.delivered[1] = adm[1];
			e.delivered[0] = adm[0] < 10000 - adm[1] ? adm[0] : 10000 - adm[1];
		} else {
			e.delivered[0] = s0;
			e.delivered[1] = s1;
		}
	} else {
		for (int i = 0; i < 2; i++)
			e.delivered[i] = demand > 10000 ? adm[i] * 10000 / demand : adm[i];
	}
	return e;
}

static struct json_object *get(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, k, &v));
	return v;
}

/* x-cxl-qos on a host (load NULL: only ask); returns the "return" object. */
static struct json_object *qos(const struct emu_proc *p, const unsigned *load, size_t n)
{
	struct json_object *a = json_object_new_object(), *r, *ret;
	int q = qmp_open(p->qmp_port);

	assert_true(q >= 0);
	json_object_object_add(a, "path", json_object_new_string("cxl-mld0"));
	if (load) {
		struct json_object *arr = json_object_new_array();

		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr, json_object_new_int((int)load[i]));
		json_object_object_add(a, "load", arr);
	}
	r = qmp_exec(q, "x-cxl-qos", a);
	close(q);
	assert_non_null(r);
	if (!json_object_object_get_ex(r, "return", &ret))
		fail_msg("x-cxl-qos: %s", json_object_to_json_string(r));
	json_object_get(ret);
	json_object_put(r);
	return ret;
}

static uint64_t ld_field(struct json_object *st, unsigned ld, const char *k)
{
	return json_object_get_uint64(get(json_object_array_get_idx(get(st, "ld"), ld), k));
}

static void set_limits(struct cxlfm_ep *ep, const unsigned limit[2])
{
	struct cxlfm_qos_fractions f = { 4, 0, { (uint8_t)limit[0], (uint8_t)limit[1], 255, 255 } },
				   got;

	assert_int_equal(cxlfm_cmd_set_qos_bw_limit(ep, NULL, &f, &got), 0);
	assert_int_equal(got.fraction[0], limit[0]);
	assert_int_equal(got.fraction[1], limit[1]);
}

static void check(struct cxlfm_ep *ep, struct expect e)
{
	struct cxlfm_get_qos_status_rsp st;
	struct json_object *s;

	assert_int_equal(cxlfm_cmd_get_qos_status(ep, NULL, &st), 0);
	assert_int_equal(st.backpressure_pct, e.bp);
	s = qos(&tgt, NULL, 0);
	assert_int_equal(json_object_get_uint64(get(s, "backpressure")), e.bp);
	assert_int_equal(ld_field(s, 0, "delivered-bp"), e.delivered[0]);
	assert_int_equal(ld_field(s, 1, "delivered-bp"), e.delivered[1]);
	json_object_put(s);
}

static void test_limits_and_load(void **state)
{
	const struct cxlfm_qos_control ctl = {
		.control = CXLFM_QOS_EGRESS_CONGESTION, .moderate_pct = 10, .severe_pct = 25,
		.sample_interval = 8, .reqcmp_basis = 100, .completion_interval = 64,
	};
	const unsigned load[4] = { 90, 70, 0, 0 }, alloc[2] = { 64, 192 };
	unsigned limit[2] = { 192, 128 };
	struct cxlfm_get_ld_info_rsp li;
	struct cxlfm_qos_control got;
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	struct expect e1, e2;
	struct json_object *s;

	(void)state;
	assert_int_equal(start_hosts(), 0);
	assert_int_equal(cxlfm_open(emu_bus(&fm, "aspeed.i2c.bus.0"), NULL, &ctx), 0);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	assert_int_equal(cxlfm_cmd_get_ld_info(ep, NULL, &li), 0);
	assert_int_equal(li.ld_count, 4);
	assert_int_equal(li.qos_telemetry_caps & CXLFM_QOS_EGRESS_CONGESTION,
			 CXLFM_QOS_EGRESS_CONGESTION);
	assert_int_equal(cxlfm_cmd_set_qos_control(ep, NULL, &ctl, &got), 0);
	assert_int_equal(got.reqcmp_basis, 100);
	assert_int_equal(cxlfm_cmd_set_qos_allocated_bw(ep, NULL, &(struct cxlfm_qos_fractions){
		2, 0, { (uint8_t)alloc[0], (uint8_t)alloc[1] } }, NULL), 0);
	set_limits(ep, limit);
	s = qos(&tgt, load, 4);
	json_object_put(s);

	e1 = expect(load, limit, alloc, ctl.reqcmp_basis, ctl.moderate_pct);
	assert_true(e1.bp >= ctl.moderate_pct); /* the scenario congests the link */
	check(ep, e1);

	/* the FM lowers LD0's limit: its share drops, the backpressure changes */
	limit[0] = 64;
	set_limits(ep, limit);
	e2 = expect(load, limit, alloc, ctl.reqcmp_basis, ctl.moderate_pct);
	assert_true(e2.delivered[0] < e1.delivered[0]);
	assert_true(e2.bp != e1.bp);
	check(ep, e2);

	/* the FM host's own MLD: no load, default controls */
	s = qos(&fm, NULL, 0);
	assert_int_equal(json_object_get_uint64(get(s, "backpressure")), 0);
	assert_int_equal(ld_field(s, 0, "load"), 0);
	assert_int_equal(ld_field(s, 0, "limit"), 0);
	json_object_put(s);
	/* and through the switch's tunnel to the same target MLD */
	{
		struct cxlfm_ep *sw;
		struct cxlfm_get_qos_status_rsp st;

		assert_int_equal(cxlfm_ep_by_addr(ctx, 0x04, &sw), 0);
		assert_int_equal(cxlfm_cmd_get_qos_status(sw, &(struct cxlfm_tunnel){ 1, -1 }, &st),
				 0);
		assert_int_equal(st.backpressure_pct, e2.bp);
	}
	cxlfm_close(ctx);
}

/* QMP on the target; fails the test on an error reply. */
static void target_qmp(const char *cmd, const char *json)
{
	struct json_object *r;
	int q = qmp_open(tgt.qmp_port);

	assert_true(q >= 0);
	r = qmp_exec(q, cmd, json_tokener_parse(json));
	close(q);
	assert_non_null(r);
	if (!json_object_object_get_ex(r, "return", NULL))
		fail_msg("%s: %s", cmd, json_object_to_json_string(r));
	json_object_put(r);
}

/* The records of one log of the target switch, read through the FM host. */
static void read_log(struct cxlfm_ep *sw, uint8_t log, struct cxlfm_get_event_records_rsp *r)
{
	assert_int_equal(cxlfm_cmd_get_event_records(sw, NULL,
		&(struct cxlfm_get_event_records_req){ log }, r), 0);
}

static void test_switch_events(void **state)
{
	static struct cxlfm_get_event_records_rsp ev;
	struct cxlfm_phys_switch_event pe;
	struct cxlfm_vcs_event ve;
	struct cxlfm_mld_port_event me;
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *sw;
	uint16_t op_rc = 0xffff, handles[CXLFM_EVENT_RECORDS_MAX];
	char json[512];

	(void)state;
	assert_int_equal(start_hosts(), 0);
	assert_int_equal(cxlfm_open(emu_bus(&fm, "aspeed.i2c.bus.0"), NULL, &ctx), 0);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x04, &sw), 0);
	read_log(sw, CXLFM_EVENT_LOG_INFO, &ev);
	assert_int_equal(ev.num_records, 0); /* the boot-time attachments log nothing */

	/* the FM unbinds vPPB 2 (port 3, empty), binds it again, asserts PERST# on port 0 */
	assert_int_equal(cxlfm_cmd_unbind_vppb(sw, NULL,
		&(struct cxlfm_unbind_vppb_req){ 0, 2, CXLFM_UNBIND_MANAGED }), CXLFM_RC_BG_STARTED);
	assert_int_equal(cxlfm_bg_wait(sw, NULL, 5000, &op_rc), 0);
	assert_int_equal(op_rc, 0);
	assert_int_equal(cxlfm_cmd_bind_vppb(sw, NULL,
		&(struct cxlfm_bind_vppb_req){ 0, 2, 3, CXLFM_LD_NONE }), CXLFM_RC_BG_STARTED);
	assert_int_equal(cxlfm_bg_wait(sw, NULL, 5000, &op_rc), 0);
	assert_int_equal(cxlfm_cmd_phys_port_control(sw, NULL,
		&(struct cxlfm_phys_port_control_req){ 0, CXLFM_PORT_ASSERT_PERST }), 0);
	read_log(sw, CXLFM_EVENT_LOG_INFO, &ev);
	assert_int_equal(ev.num_records, 3);
	assert_int_equal(cxlfm_vcs_event_decode(&ev.records[0], &ve), 0);
	assert_int_equal(ve.vppb_id, 2);
	assert_int_equal(ve.vppb.status, CXLFM_VPPB_UNBOUND);
	assert_int_equal(cxlfm_vcs_event_decode(&ev.records[1], &ve), 0);
	assert_int_equal(ve.vppb.status, CXLFM_VPPB_BOUND_PORT);
	assert_int_equal(ve.vppb.port_id, 3);
	assert_int_equal(cxlfm_phys_switch_event_decode(&ev.records[2], &pe), 0);
	assert_int_equal(pe.type, CXLFM_PHYS_EVENT_LINK_STATE);
	assert_int_equal(pe.port.port_id, 0);
	assert_int_equal(pe.port.connected_dev_type, CXLFM_DEV_CXL_TYPE3_SLD); /* the DCD */
	assert_true(pe.port.link_state_flags & CXLFM_LINK_PERST);
	for (unsigned i = 0; i < 3; i++)
		handles[i] = ev.records[i].handle;
	assert_int_equal(cxlfm_cmd_clear_event_records(sw, NULL,
		&(struct cxlfm_clear_event_records_req){ .log = CXLFM_EVENT_LOG_INFO,
							 .num_handles = 3, .handles = handles }), 0);

	/* on the target only: a device hot-added below port 3, the MLD's error */
	snprintf(json, sizeof(json), "{\"qom-type\": \"memory-backend-ram\", \"id\": \"hp-mem\","
		 " \"size\": %llu}", 256ull << 20);
	target_qmp("object-add", json);
	target_qmp("device_add", "{\"driver\": \"cxl-type3\", \"bus\": \"swport2\", "
		   "\"id\": \"hp\", \"volatile-memdev\": \"hp-mem\", \"sn\": 5}");
	target_qmp("x-cxl-mld-port-error", "{\"path\": \"cxl-mld0\", \"type\": \"fatal\"}");
	read_log(sw, CXLFM_EVENT_LOG_INFO, &ev);
	assert_int_equal(ev.num_records, 1);
	assert_int_equal(cxlfm_phys_switch_event_decode(&ev.records[0], &pe), 0);
	assert_int_equal(pe.type, CXLFM_PHYS_EVENT_SLOT_STATUS);
	assert_int_equal(pe.port.port_id, 3);
	assert_int_equal(pe.slot_status & CXLFM_SLOT_PRESENCE_CHANGED, CXLFM_SLOT_PRESENCE_CHANGED);
	assert_int_equal(pe.port.connected_dev_type, CXLFM_DEV_CXL_TYPE3_SLD);
	read_log(sw, CXLFM_EVENT_LOG_FAIL, &ev);
	assert_int_equal(ev.num_records, 1);
	assert_int_equal(cxlfm_mld_port_event_decode(&ev.records[0], &me), 0);
	assert_int_equal(me.type, CXLFM_MLD_PORT_ERR_FATAL);
	assert_int_equal(me.port_id, 1);
	cxlfm_close(ctx);
}

/* x-cxl-mailbox on the target's switch: the return code. */
static int64_t switch_mailbox(unsigned opcode, const char *b64)
{
	struct json_object *a = json_object_new_object(), *r, *ret, *v;
	int64_t rc;
	int q = qmp_open(tgt.qmp_port);

	assert_true(q >= 0);
	json_object_object_add(a, "path", json_object_new_string("us0"));
	json_object_object_add(a, "opcode", json_object_new_int((int)opcode));
	if (b64)
		json_object_object_add(a, "payload", json_object_new_string(b64));
	r = qmp_exec(q, "x-cxl-mailbox", a);
	close(q);
	assert_non_null(r);
	assert_true(json_object_object_get_ex(r, "return", &ret));
	assert_true(json_object_object_get_ex(ret, "ret-val", &v));
	rc = json_object_get_int64(v);
	json_object_put(r);
	return rc;
}

static void test_domain_validation(void **state)
{
	static const char sv_b64[] = "AAECAwQFBgcICQoLDA0ODw=="; /* bytes 00h..0Fh */
	struct cxlfm_dv_sv_state_rsp st;
	struct cxlfm_get_domain_validation_sv_rsp sv;
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *sw;

	(void)state;
	assert_int_equal(start_hosts(), 0);
	assert_int_equal(cxlfm_open(emu_bus(&fm, "aspeed.i2c.bus.0"), NULL, &ctx), 0);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x04, &sw), 0);
	assert_int_equal(cxlfm_cmd_get_vcs_domain_validation_sv_state(sw, NULL,
		&(struct cxlfm_vcs_req){ 0 }, &st), 0);
	assert_int_equal(st.state, CXLFM_SV_NOT_SET);
	assert_int_equal(switch_mailbox(0x5105, sv_b64), 0);
	assert_int_equal(switch_mailbox(0x5105, sv_b64), CXLFM_RC_INVALID_INPUT);
	assert_int_equal(cxlfm_cmd_get_vcs_domain_validation_sv_state(sw, NULL,
		&(struct cxlfm_vcs_req){ 0 }, &st), 0);
	assert_int_equal(st.state, CXLFM_SV_SET);
	assert_int_equal(cxlfm_cmd_get_domain_validation_sv(sw, NULL, &(struct cxlfm_vcs_req){ 0 },
		&sv), 0);
	for (uint8_t i = 0; i < 16; i++)
		assert_int_equal(sv.sv[i], i);
	/* the FM's CCI is not the host's */
	assert_int_equal(cxlfm_cmd_set_domain_validation_sv(sw, NULL,
		&(struct cxlfm_set_domain_validation_sv_req){ { 0 } }), CXLFM_RC_UNSUPPORTED);
	cxlfm_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_limits_and_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_switch_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_validation, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
