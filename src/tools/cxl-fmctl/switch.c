/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl switch commands: Identify Switch Device, Get Physical Port
 * State, Physical Port Control (CXL r3.1 §7.6.7.1), Get Virtual CXL Switch
 * Info, Bind / Unbind vPPB (§7.6.7.2; background operations, waited for).
 */
#include <stdio.h>
#include <string.h>

#include "builtin.h"

#define PORTS_PER_CALL 16  /* 4 + 16 x 16 bytes: fits the 512-byte MCTP limit */
#define VPPBS_PER_CALL 64
#define BG_WAIT_DEFAULT_MS 10000

/* ---- switch info ---- */

static const char info_help[] =
	"Usage: cxl-fmctl switch info [--addr 0xNN]\n"
	"Identify Switch Device (5100h, CXL r3.1 7.6.7.1.1).\n"
	"\n"
	"Keys: ingress_port, num_ports, num_vcs, active_ports, active_vcs,\n"
	"total_vppbs, bound_vppbs, num_hdm_decoders.\n";

static struct json_object *mask_to_json(const uint8_t mask[32])
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < 256; i++)
		if (mask[i / 8] & (1u << (i % 8)))
			json_object_array_add(a, json_object_new_int(i));
	return a;
}

static int switch_info(int argc, char **argv, struct fmctl *f)
{
	struct cxlfm_identify_switch_device_rsp sw;
	struct json_object *o;
	struct cxlfm_ep *ep;
	int i = fm_parse(f, argc, argv, "", NULL, info_help, NULL, NULL);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	if ((rc = fm_endpoint(f, WANT_SWITCH, &ep)))
		return rc;
	rc = cxlfm_cmd_identify_switch_device(ep, fm_tun(f), &sw);
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_IDENTIFY_SWITCH_DEVICE, rc);
	o = json_object_new_object();
	fm_json_add(o, "ingress_port", json_object_new_int(sw.ingress_port));
	fm_json_add(o, "num_ports", json_object_new_int(sw.num_physical_ports));
	fm_json_add(o, "num_vcs", json_object_new_int(sw.num_vcs));
	fm_json_add(o, "active_ports", mask_to_json(sw.active_port_mask));
	fm_json_add(o, "active_vcs", mask_to_json(sw.active_vcs_mask));
	fm_json_add(o, "total_vppbs", json_object_new_int(sw.total_vppbs));
	fm_json_add(o, "bound_vppbs", json_object_new_int(sw.bound_vppbs));
	fm_json_add(o, "num_hdm_decoders", json_object_new_int(sw.num_hdm_decoders));
	fm_print(f, o);
	return EXIT_OK;
}

/* ---- ports ---- */

static const char ports_help[] =
	"Usage: cxl-fmctl ports [PORT...] [--addr 0xNN]\n"
	"Get Physical Port State (5101h, CXL r3.1 7.6.7.1.2) of the named ports, or of\n"
	"every port Identify Switch Device reports active.\n"
	"\n"
	"Keys: port_id, config_state (usp, dsp, disabled, bind-in-progress, ...,\n"
	"invalid-port-id), device_type (none, pcie, cxl-type1, cxl-type2,\n"
	"cxl-type3-sld, cxl-type3-mld, pbr), device_mode, supported_cxl_modes,\n"
	"max_link_width, negotiated_link_width (lanes), max_link_speed,\n"
	"current_link_speed (GT/s), ltssm_state, first_negotiated_lane, perst,\n"
	"present, supported_ld_count.\n";

static double speed_gts(uint8_t enc)
{
	static const double gts[] = { 0, 2.5, 5.0, 8.0, 16.0, 32.0, 64.0 };

	return enc < 7 ? gts[enc] : 0;
}

static const char *ltssm_name(uint8_t s)
{
	static const char *const n[] = { "detect", "polling", "configuration", "recovery",
					 "l0", "l0s", "l1", "l2", "disabled", "loopback",
					 "hot-reset" };

	return s < 11 ? n[s] : "reserved";
}

struct json_object *fm_port_to_json(const struct cxlfm_port_info *p)
{
	struct json_object *o = json_object_new_object();

	fm_json_add(o, "port_id", json_object_new_int(p->port_id));
	fm_json_add(o, "config_state", json_object_new_string(fm_port_state_name(p->config_state)));
	if (p->config_state == CXLFM_PORT_STATE_INVALID_PORT_ID)
		return o;
	fm_json_add(o, "device_type", json_object_new_string(fm_dev_type_name(p->connected_dev_type)));
	fm_json_add(o, "device_mode", json_object_new_int(p->connected_dev_mode));
	fm_json_add(o, "supported_cxl_modes", json_object_new_int(p->supported_cxl_modes));
	fm_json_add(o, "max_link_width", json_object_new_int(p->max_link_width));
	fm_json_add(o, "negotiated_link_width", json_object_new_int(p->negotiated_link_width));
	fm_json_add(o, "max_link_speed", json_object_new_double(speed_gts(p->max_link_speed)));
	fm_json_add(o, "current_link_speed",
		    json_object_new_double(speed_gts(p->current_link_speed)));
	fm_json_add(o, "ltssm_state", json_object_new_string(ltssm_name(p->ltssm_state)));
	fm_json_add(o, "first_negotiated_lane", json_object_new_int(p->first_negotiated_lane));
	fm_json_add(o, "perst", json_object_new_boolean(p->link_state_flags & CXLFM_LINK_PERST));
	fm_json_add(o, "present", json_object_new_boolean(p->link_state_flags & CXLFM_LINK_PRSNT));
	fm_json_add(o, "supported_ld_count", json_object_new_int(p->supported_ld_count));
	return o;
}

int fm_get_ports(struct fmctl *f, struct cxlfm_ep *ep, const uint8_t *ids, size_t n,
		 struct cxlfm_port_info *out)
{
	static struct cxlfm_get_phys_port_state_rsp rsp;

	for (size_t off = 0; off < n; off += PORTS_PER_CALL) {
		struct cxlfm_get_phys_port_state_req req = { 0 };
		size_t k = n - off < PORTS_PER_CALL ? n - off : PORTS_PER_CALL;
		int rc;

		req.num_ports = (uint8_t)k;
		memcpy(req.port_ids, ids + off, k);
		rc = cxlfm_cmd_get_phys_port_state(ep, fm_tun(f), &req, &rsp);
		if (rc)
			return fm_fail(f, ep, CXLFM_OP_GET_PHYS_PORT_STATE, rc);
		memcpy(out + off, rsp.ports, k * sizeof(*out));
	}
	return EXIT_OK;
}

int fm_active_ports(struct fmctl *f, struct cxlfm_ep *ep, uint8_t ids[256], size_t *n)
{
	struct cxlfm_identify_switch_device_rsp sw;
	int rc = cxlfm_cmd_identify_switch_device(ep, fm_tun(f), &sw);

	if (rc)
		return fm_fail(f, ep, CXLFM_OP_IDENTIFY_SWITCH_DEVICE, rc);
	*n = 0;
	for (int i = 0; i < 256 && *n < CXLFM_PORTS_MAX; i++)
		if (sw.active_port_mask[i / 8] & (1u << (i % 8)))
			ids[(*n)++] = (uint8_t)i;
	return EXIT_OK;
}

int cmd_ports(int argc, char **argv, struct fmctl *f)
{
	static struct cxlfm_port_info info[256];
	uint8_t ids[256];
	size_t n = 0;
	struct json_object *arr;
	struct cxlfm_ep *ep;
	int i = fm_parse(f, argc, argv, "", NULL, ports_help, NULL, NULL);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	for (; i < argc; i++) {
		unsigned long v;

		if (fm_parse_uint(argv[i], 255, &v) || n == CXLFM_PORTS_MAX)
			return fm_usage_error(f, "bad port number '%s'", argv[i]);
		ids[n++] = (uint8_t)v;
	}
	rc = fm_endpoint(f, WANT_SWITCH, &ep);
	if (!rc && !n)
		rc = fm_active_ports(f, ep, ids, &n);
	if (!rc)
		rc = fm_get_ports(f, ep, ids, n, info);
	if (rc)
		return rc;
	arr = json_object_new_array();
	for (size_t k = 0; k < n; k++)
		json_object_array_add(arr, fm_port_to_json(&info[k]));
	fm_print(f, arr);
	return EXIT_OK;
}

/* ---- vcs ---- */

static const char vcs_help[] =
	"Usage: cxl-fmctl vcs [VCS...] [--addr 0xNN]\n"
	"Get Virtual CXL Switch Info (5200h, CXL r3.1 7.6.7.2.1) of the named virtual\n"
	"switches, or of every VCS Identify Switch Device reports active; all vPPBs\n"
	"of each (paged).\n"
	"\n"
	"Keys: vcs_id, state (enabled, disabled, invalid-id), usp_id, num_vppbs,\n"
	"vppbs (vppb, status: unbound, in-progress, bound-port, bound-ld; port_id,\n"
	"ld_id).\n";

static const char *vcs_state_name(uint8_t s)
{
	return s == CXLFM_VCS_ENABLED ? "enabled" : s == CXLFM_VCS_DISABLED ? "disabled" :
	       s == CXLFM_VCS_INVALID_ID ? "invalid-id" : "reserved";
}

int fm_vcs_json(struct fmctl *f, struct cxlfm_ep *ep, uint8_t id, struct json_object **out)
{
	static struct cxlfm_get_vcs_info_rsp rsp;
	struct json_object *o = NULL, *vppbs = NULL;
	unsigned start = 0;

	do {
		struct cxlfm_get_vcs_info_req req = { .start_vppb = (uint8_t)start,
			.vppb_list_limit = VPPBS_PER_CALL, .num_vcs = 1, .vcs_ids = { id } };
		const struct cxlfm_vcs_info *v = &rsp.vcs[0];
		int rc = cxlfm_cmd_get_vcs_info(ep, fm_tun(f), &req, &rsp);

		if (rc) {
			json_object_put(o);
			return fm_fail(f, ep, CXLFM_OP_GET_VCS_INFO, rc);
		}
		if (!o) {
			o = json_object_new_object();
			vppbs = json_object_new_array();
			fm_json_add(o, "vcs_id", json_object_new_int(v->vcs_id));
			fm_json_add(o, "state", json_object_new_string(vcs_state_name(v->state)));
			if (v->state == CXLFM_VCS_INVALID_ID) {
				json_object_put(vppbs);
				break;
			}
			fm_json_add(o, "usp_id", json_object_new_int(v->usp_id));
			fm_json_add(o, "num_vppbs", json_object_new_int(v->num_vppbs));
			fm_json_add(o, "vppbs", vppbs);
		}
		for (unsigned e = 0; e < v->num_entries; e++) {
			const struct cxlfm_vppb_info *b = &v->vppbs[e];
			struct json_object *x = json_object_new_object();
			bool bound = b->status != CXLFM_VPPB_UNBOUND;

			fm_json_add(x, "vppb", json_object_new_int((int)(start + e)));
			fm_json_add(x, "status", json_object_new_string(fm_vppb_status_name(b->status)));
			fm_json_add(x, "port_id", bound && b->port_id != 0xff ?
				    json_object_new_int(b->port_id) : NULL);
			fm_json_add(x, "ld_id", bound && b->ld_id != 0xff ?
				    json_object_new_int(b->ld_id) : NULL);
			json_object_array_add(vppbs, x);
		}
		if (!v->num_entries)
			break;
		start += v->num_entries;
	} while (start < rsp.vcs[0].num_vppbs && start < 256);
	*out = o;
	return EXIT_OK;
}

int cmd_vcs(int argc, char **argv, struct fmctl *f)
{
	struct cxlfm_identify_switch_device_rsp sw;
	uint8_t ids[256];
	size_t n = 0;
	struct json_object *arr;
	struct cxlfm_ep *ep;
	int i = fm_parse(f, argc, argv, "", NULL, vcs_help, NULL, NULL);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	for (; i < argc; i++) {
		unsigned long v;

		if (fm_parse_uint(argv[i], 255, &v))
			return fm_usage_error(f, "bad VCS id '%s'", argv[i]);
		ids[n++] = (uint8_t)v;
	}
	rc = fm_endpoint(f, WANT_SWITCH, &ep);
	if (rc)
		return rc;
	if (!n) {
		rc = cxlfm_cmd_identify_switch_device(ep, fm_tun(f), &sw);
		if (rc)
			return fm_fail(f, ep, CXLFM_OP_IDENTIFY_SWITCH_DEVICE, rc);
		for (int k = 0; k < 256; k++)
			if (sw.active_vcs_mask[k / 8] & (1u << (k % 8)))
				ids[n++] = (uint8_t)k;
	}
	arr = json_object_new_array();
	for (size_t k = 0; k < n; k++) {
		struct json_object *o;

		rc = fm_vcs_json(f, ep, ids[k], &o);
		if (rc) {
			json_object_put(arr);
			return rc;
		}
		json_object_array_add(arr, o);
	}
	fm_print(f, arr);
	return EXIT_OK;
}

/* ---- bind / unbind ---- */

struct bind_opts {
	long vcs, vppb, port, ld, option;
	bool no_wait;
	unsigned long wait_ms;
};

static int bind_opt(struct fmctl *f, int c, const char *arg, void *ctx)
{
	struct bind_opts *o = ctx;
	unsigned long v;

	(void)f;
	switch (c) {
	case 'W':
		o->no_wait = true;
		return 0;
	case 'w':
		if (fm_parse_uint(arg, 3600000, &o->wait_ms))
			return -1;
		return 0;
	case 'o':
		if (!strcmp(arg, "wait") || !strcmp(arg, "0"))
			o->option = CXLFM_UNBIND_WAIT;
		else if (!strcmp(arg, "managed") || !strcmp(arg, "1"))
			o->option = CXLFM_UNBIND_MANAGED;
		else if (!strcmp(arg, "surprise") || !strcmp(arg, "2"))
			o->option = CXLFM_UNBIND_SURPRISE;
		else
			return -1;
		return 0;
	default:
		break;
	}
	if (fm_parse_uint(arg, c == 'l' ? 0xffff : 255, &v))
		return -1;
	switch (c) {
	case 'c': o->vcs = (long)v; return 0;
	case 'p': o->vppb = (long)v; return 0;
	case 'P': o->port = (long)v; return 0;
	case 'l': o->ld = (long)v; return 0;
	default: return -1;
	}
}

static const struct option bind_long[] = {
	{ "vcs", required_argument, NULL, 'c' },
	{ "vppb", required_argument, NULL, 'p' },
	{ "port", required_argument, NULL, 'P' },
	{ "ld", required_argument, NULL, 'l' },
	{ "option", required_argument, NULL, 'o' },
	{ "no-wait", no_argument, NULL, 'W' },
	{ "wait-timeout", required_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 },
};

static const char bind_help[] =
	"Usage: cxl-fmctl bind --vppb N --port P [--ld L] [--vcs V] [--no-wait]\n"
	"                      [--wait-timeout MS] [--addr 0xNN]\n"
	"Bind vPPB (5201h, CXL r3.1 7.6.7.2.2): bind vPPB N of virtual switch V\n"
	"(default 0) to downstream port P, or to LD L of the MLD below it. The\n"
	"switch runs it in the background; cxl-fmctl polls Background Operation\n"
	"Status (0002h) until it finishes (--wait-timeout, default 10000 ms) and\n"
	"reports its return code, unless --no-wait.\n"
	"\n"
	"Keys: vcs_id, vppb_id, port_id, ld_id, background, completed, rc, rc_name.\n";

static const char unbind_help[] =
	"Usage: cxl-fmctl unbind --vppb N [--vcs V] [--option wait|managed|surprise]\n"
	"                        [--no-wait] [--wait-timeout MS] [--addr 0xNN]\n"
	"Unbind vPPB (5202h, CXL r3.1 7.6.7.2.3): unbind vPPB N of virtual switch V\n"
	"(default 0): wait for the link to go down (default), simulate a managed\n"
	"hot-remove, or a surprise hot-remove. Waited for as bind.\n"
	"\n"
	"Keys: vcs_id, vppb_id, option, background, completed, rc, rc_name.\n";

static int run_bg(struct fmctl *f, struct cxlfm_ep *ep, uint16_t opcode, int rc,
		  const struct bind_opts *bo, struct json_object *o)
{
	uint16_t op_rc = 0;
	int wrc;

	if (rc < 0 || rc > CXLFM_RC_BG_STARTED) {
		json_object_put(o);
		return fm_fail(f, ep, opcode, rc);
	}
	fm_json_add(o, "background", json_object_new_boolean(rc == CXLFM_RC_BG_STARTED));
	if (rc == CXLFM_RC_BG_STARTED && bo->no_wait) {
		fm_json_add(o, "completed", json_object_new_boolean(false));
		fm_print(f, o);
		return EXIT_OK;
	}
	if (rc == CXLFM_RC_BG_STARTED) {
		wrc = cxlfm_bg_wait(ep, fm_tun(f), (unsigned)bo->wait_ms, &op_rc);
		if (wrc) {
			json_object_put(o);
			return fm_fail(f, ep, CXLFM_OP_BG_OP_STATUS, wrc);
		}
	}
	fm_json_add(o, "completed", json_object_new_boolean(true));
	fm_json_add(o, "rc", json_object_new_int(op_rc));
	fm_json_add(o, "rc_name", json_object_new_string(cxlfm_rc_str(op_rc)));
	fm_print(f, o);
	return op_rc ? fm_fail(f, ep, opcode, op_rc) : EXIT_OK;
}

int cmd_bind(int argc, char **argv, struct fmctl *f)
{
	struct bind_opts bo = { .vcs = 0, .vppb = -1, .port = -1, .ld = -1,
				.wait_ms = BG_WAIT_DEFAULT_MS };
	struct json_object *o;
	struct cxlfm_ep *ep;
	int i = fm_parse(f, argc, argv, "", bind_long, bind_help, bind_opt, &bo);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	if (bo.vppb < 0 || bo.port < 0)
		return fm_usage_error(f, "--vppb and --port are required");
	if ((rc = fm_endpoint(f, WANT_SWITCH, &ep)))
		return rc;
	rc = cxlfm_cmd_bind_vppb(ep, fm_tun(f), &(struct cxlfm_bind_vppb_req){
		.vcs_id = (uint8_t)bo.vcs, .vppb_id = (uint8_t)bo.vppb, .port_id = (uint8_t)bo.port,
		.ld_id = bo.ld < 0 ? CXLFM_LD_NONE : (uint16_t)bo.ld });
	o = json_object_new_object();
	fm_json_add(o, "vcs_id", json_object_new_int((int)bo.vcs));
	fm_json_add(o, "vppb_id", json_object_new_int((int)bo.vppb));
	fm_json_add(o, "port_id", json_object_new_int((int)bo.port));
	fm_json_add(o, "ld_id", bo.ld < 0 ? NULL : json_object_new_int((int)bo.ld));
	return run_bg(f, ep, CXLFM_OP_BIND_VPPB, rc, &bo, o);
}

int cmd_unbind(int argc, char **argv, struct fmctl *f)
{
	static const char *const opt_names[] = { "wait", "managed", "surprise" };
	struct bind_opts bo = { .vcs = 0, .vppb = -1, .option = CXLFM_UNBIND_WAIT,
				.wait_ms = BG_WAIT_DEFAULT_MS };
	struct json_object *o;
	struct cxlfm_ep *ep;
	int i = fm_parse(f, argc, argv, "", bind_long, unbind_help, bind_opt, &bo);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	if (bo.vppb < 0)
		return fm_usage_error(f, "--vppb is required");
	if ((rc = fm_endpoint(f, WANT_SWITCH, &ep)))
		return rc;
	rc = cxlfm_cmd_unbind_vppb(ep, fm_tun(f), &(struct cxlfm_unbind_vppb_req){
		.vcs_id = (uint8_t)bo.vcs, .vppb_id = (uint8_t)bo.vppb, .option = (uint8_t)bo.option });
	o = json_object_new_object();
	fm_json_add(o, "vcs_id", json_object_new_int((int)bo.vcs));
	fm_json_add(o, "vppb_id", json_object_new_int((int)bo.vppb));
	fm_json_add(o, "option", json_object_new_string(opt_names[bo.option]));
	return run_bg(f, ep, CXLFM_OP_UNBIND_VPPB, rc, &bo, o);
}

/* ---- port control ---- */

static const char pc_help[] =
	"Usage: cxl-fmctl port-control PORT assert-perst|deassert-perst|reset-ppb\n"
	"                              [--addr 0xNN]\n"
	"Physical Port Control (5102h, CXL r3.1 7.6.7.1.3) of physical port PORT.\n"
	"\n"
	"Keys: port_id, operation, rc, rc_name.\n";

int cmd_port_control(int argc, char **argv, struct fmctl *f)
{
	static const char *const ops[] = { "assert-perst", "deassert-perst", "reset-ppb" };
	struct json_object *o;
	struct cxlfm_ep *ep;
	unsigned long port;
	int i = fm_parse(f, argc, argv, "", NULL, pc_help, NULL, NULL);
	int op = -1, rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (argc - i != 2 || fm_parse_uint(argv[i], 255, &port))
		return fm_usage_error(f, "expected PORT and an operation");
	for (int k = 0; k < 3; k++)
		if (!strcmp(argv[i + 1], ops[k]))
			op = k;
	if (op < 0)
		return fm_usage_error(f, "unknown operation '%s'", argv[i + 1]);
	if ((rc = fm_endpoint(f, WANT_SWITCH, &ep)))
		return rc;
	rc = cxlfm_cmd_phys_port_control(ep, fm_tun(f), &(struct cxlfm_phys_port_control_req){
		.ppb_id = (uint8_t)port, .port_opcode = (uint8_t)op });
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_PHYS_PORT_CONTROL, rc);
	o = json_object_new_object();
	fm_json_add(o, "port_id", json_object_new_int((int)port));
	fm_json_add(o, "operation", json_object_new_string(ops[op]));
	fm_json_add(o, "rc", json_object_new_int(0));
	fm_json_add(o, "rc_name", json_object_new_string(cxlfm_rc_str(0)));
	fm_print(f, o);
	return EXIT_OK;
}

/* ---- the "switch" group ---- */

static const struct fm_subcmd switch_cmds[] = {
	{ "info", switch_info, "Identify Switch Device (5100h)" },
	{ "ports", cmd_ports, "Get Physical Port State (5101h)" },
	{ "vcs", cmd_vcs, "Get Virtual CXL Switch Info (5200h)" },
	{ "bind", cmd_bind, "Bind vPPB (5201h), waits for completion" },
	{ "unbind", cmd_unbind, "Unbind vPPB (5202h), waits for completion" },
	{ "port-control", cmd_port_control, "Physical Port Control (5102h)" },
};

int cmd_switch(int argc, char **argv, struct fmctl *f)
{
	return fm_run_subcmd("switch", switch_cmds, sizeof(switch_cmds) / sizeof(switch_cmds[0]),
			     argc, argv, f);
}
