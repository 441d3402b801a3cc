/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl for what a switch tells an FM beyond ports and bindings: the
 * domain validation secret values of its virtual CXL switches (dv: Get VCS
 * Domain Validation SV State 5106h, Get Domain Validation SV 5107h, CXL r3.1
 * §7.6.7.1.7-.8), and the Fabric Management event records (§7.6.8) the
 * events command shows decoded.
 */
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "cxlfm/fabric.h"

static const char dv_help[] =
	"Usage: cxl-fmctl dv [--vcs N] [--addr 0xNN]\n"
	"The domain validation secret value of a virtual CXL switch (default VCS 0):\n"
	"Get VCS Domain Validation SV State (5106h, CXL r3.1 7.6.7.1.7) and, once the\n"
	"host has set it (5105h, through its switch mailbox CCI), Get Domain\n"
	"Validation SV (5107h, 7.6.7.1.8).\n"
	"\n"
	"Keys: vcs_id, secret_value_set, secret_value (a UUID, or null).\n";

static int dv_opt(struct fmctl *f, int c, const char *arg, void *ctx)
{
	unsigned long *vcs = ctx;

	(void)f;
	return c == 'V' && !fm_parse_uint(arg, 255, vcs) ? 0 : -1;
}

int cmd_dv(int argc, char **argv, struct fmctl *f)
{
	static const struct option opts[] = {
		{ "vcs", required_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long vcs = 0;
	struct cxlfm_dv_sv_state_rsp st;
	struct cxlfm_get_domain_validation_sv_rsp sv;
	struct json_object *o;
	struct cxlfm_ep *ep;
	int i = fm_parse(f, argc, argv, "", opts, dv_help, dv_opt, &vcs);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	if ((rc = fm_endpoint(f, WANT_SWITCH, &ep)))
		return rc;
	rc = cxlfm_cmd_get_vcs_domain_validation_sv_state(ep, fm_tun(f),
		&(struct cxlfm_vcs_req){ (uint8_t)vcs }, &st);
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_GET_VCS_DOMAIN_VALIDATION_SV_STATE, rc);
	o = json_object_new_object();
	fm_json_add(o, "vcs_id", json_object_new_int((int)vcs));
	fm_json_add(o, "secret_value_set", json_object_new_boolean(st.state == CXLFM_SV_SET));
	if (st.state == CXLFM_SV_SET) {
		rc = cxlfm_cmd_get_domain_validation_sv(ep, fm_tun(f),
			&(struct cxlfm_vcs_req){ (uint8_t)vcs }, &sv);
		if (rc) {
			json_object_put(o);
			return fm_fail(f, ep, CXLFM_OP_GET_DOMAIN_VALIDATION_SV, rc);
		}
		fm_json_add(o, "secret_value", fm_json_uuid(sv.sv));
	} else {
		fm_json_add(o, "secret_value", NULL);
	}
	fm_print(f, o);
	return EXIT_OK;
}

const char *fm_switch_event_kind(const struct cxlfm_event_record *r)
{
	if (!memcmp(r->uuid, cxlfm_phys_switch_event_uuid, 16))
		return "physical-switch";
	if (!memcmp(r->uuid, cxlfm_vcs_event_uuid, 16))
		return "virtual-switch";
	if (!memcmp(r->uuid, cxlfm_mld_port_event_uuid, 16))
		return "mld-port";
	return NULL;
}

struct json_object *fm_switch_event_json(const struct cxlfm_event_record *r)
{
	static const char *const mld_types[] = { "err-cor", "err-nonfatal", "err-fatal" };
	static const char *const vcs_types[] = { "binding-change", "secondary-bus-reset",
						 "link-control-updated", "slot-control-updated" };
	struct cxlfm_phys_switch_event pe;
	struct cxlfm_vcs_event ve;
	struct cxlfm_mld_port_event me;
	struct json_object *o;
	char hex[3 * 8];

	if (!cxlfm_phys_switch_event_decode(r, &pe)) {
		o = fm_port_to_json(&pe.port);
		json_object_object_del(o, "supported_ld_count"); /* not in the record */
		fm_json_add(o, "type", json_object_new_string(
			pe.type == CXLFM_PHYS_EVENT_LINK_STATE ? "link-state-change" :
			pe.type == CXLFM_PHYS_EVENT_SLOT_STATUS ? "slot-status-updated" : "reserved"));
		fm_json_add(o, "slot_status", fm_json_hex16(pe.slot_status));
		return o;
	}
	o = json_object_new_object();
	if (!cxlfm_vcs_event_decode(r, &ve)) {
		fm_json_add(o, "type", json_object_new_string(ve.type < 4 ? vcs_types[ve.type] :
									  "reserved"));
		fm_json_add(o, "vcs_id", json_object_new_int(ve.vcs_id));
		fm_json_add(o, "vppb_id", json_object_new_int(ve.vppb_id));
		fm_json_add(o, "binding_status",
			    json_object_new_string(fm_vppb_status_name(ve.vppb.status)));
		/* FFh: none, as vcs shows it */
		fm_json_add(o, "port_id", ve.vppb.port_id == 0xff ? NULL :
					  json_object_new_int(ve.vppb.port_id));
		fm_json_add(o, "ld_id", ve.vppb.ld_id == 0xff ? NULL :
					json_object_new_int(ve.vppb.ld_id));
		fm_json_add(o, "link_control", fm_json_hex16(ve.link_control));
		fm_json_add(o, "slot_control", fm_json_hex16(ve.slot_control));
	} else if (!cxlfm_mld_port_event_decode(r, &me)) {
		fm_json_add(o, "type", json_object_new_string(me.type < 3 ? mld_types[me.type] :
									  "reserved"));
		fm_json_add(o, "port_id", json_object_new_int(me.port_id));
		for (size_t i = 0; i < sizeof(me.msg); i++)
			snprintf(hex + 3 * i, 4, "%02x%s", me.msg[i], i + 1 < sizeof(me.msg) ? " " : "");
		fm_json_add(o, "message", json_object_new_string(hex));
	}
	return o;
}
