/* SPDX-License-Identifier: MIT */
/* cxl-fmctl list, identify and bg: endpoints and what they are. */
#include <stdio.h>
#include <string.h>

#include "builtin.h"

static const char list_help[] =
	"Usage: cxl-fmctl list [--type switch|type3] [OPTIONS]\n"
	"Discover the endpoints on the bus (MCTP bus owner: Get/Set Endpoint ID,\n"
	"message types) and identify each (0001h). Switches add Identify Switch\n"
	"Device (5100h); type-3 devices add Get DCD Info (5600h) and Get LD Info\n"
	"(5400h) when they support them. Prints a flat array, one object per\n"
	"endpoint.\n"
	"\n"
	"  --type T       only endpoints whose component type is T (switch, type3)\n"
	"  --addr 0xNN    only the endpoint at this address\n"
	"\n"
	"Keys: eid, address, message_types, component_type, vendor_id, device_id,\n"
	"serial; switches: num_ports, num_vcs, bound_vppbs; DCDs: dc_regions,\n"
	"dc_capacity; MLDs: ld_count, ld_memory_size; error (when the endpoint did\n"
	"not answer Identify). 'identify' shows every Identify field.\n";

struct list_opts {
	int type; /* -1 any */
};

static int list_opt(struct fmctl *f, int c, const char *arg, void *ctx)
{
	struct list_opts *o = ctx;

	(void)f;
	if (c != 'y')
		return -1;
	if (!strcmp(arg, "switch"))
		o->type = CXLFM_COMPONENT_SWITCH;
	else if (!strcmp(arg, "type3"))
		o->type = CXLFM_COMPONENT_TYPE3;
	else
		return -1;
	return 0;
}

static struct json_object *msg_types(struct cxlfm_ep *ep)
{
	struct json_object *a = json_object_new_array();

	for (unsigned t = 0; t < 256; t++)
		if (cxlfm_ep_has_type(ep, (uint8_t)t))
			json_object_array_add(a, json_object_new_int((int)t));
	return a;
}

/* One endpoint as `list` shows it; NULL if it is filtered out. */
static struct json_object *ep_to_json(struct cxlfm_ep *ep, int type)
{
	struct json_object *o = fm_json_ep(ep);
	struct cxlfm_identify_rsp id;
	int rc;

	fm_json_add(o, "message_types", msg_types(ep));
	rc = cxlfm_cmd_identify(ep, NULL, &id);
	if (rc) {
		if (type >= 0) {
			json_object_put(o);
			return NULL;
		}
		fm_json_add(o, "error", json_object_new_string(cxlfm_rc_str(rc)));
		return o;
	}
	if (type >= 0 && id.component_type != type) {
		json_object_put(o);
		return NULL;
	}
	fm_json_add(o, "component_type", json_object_new_string(fm_component_name(id.component_type)));
	fm_json_add(o, "vendor_id", fm_json_hex16(id.vendor_id));
	fm_json_add(o, "device_id", fm_json_hex16(id.device_id));
	fm_json_add(o, "serial", fm_json_u64(id.serial));
	if (id.component_type == CXLFM_COMPONENT_SWITCH) {
		struct cxlfm_identify_switch_device_rsp sw;

		if (!cxlfm_cmd_identify_switch_device(ep, NULL, &sw)) {
			fm_json_add(o, "num_ports", json_object_new_int(sw.num_physical_ports));
			fm_json_add(o, "num_vcs", json_object_new_int(sw.num_vcs));
			fm_json_add(o, "bound_vppbs", json_object_new_int(sw.bound_vppbs));
		}
	} else if (id.component_type == CXLFM_COMPONENT_TYPE3) {
		struct cxlfm_get_dcd_info_rsp dcd;
		struct cxlfm_get_ld_info_rsp ld;

		if (!cxlfm_cmd_get_dcd_info(ep, NULL, &dcd)) {
			fm_json_add(o, "dc_regions", json_object_new_int(dcd.num_regions));
			fm_json_add(o, "dc_capacity", fm_json_u64(dcd.total_capacity));
		}
		if (!cxlfm_cmd_get_ld_info(ep, NULL, &ld)) {
			fm_json_add(o, "ld_count", json_object_new_int(ld.ld_count));
			fm_json_add(o, "ld_memory_size", fm_json_u64(ld.memory_size));
		}
	}
	return o;
}

int cmd_list(int argc, char **argv, struct fmctl *f)
{
	struct list_opts lo = { .type = -1 };
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *arr;
	int i = fm_parse(f, argc, argv, "", opts, list_help, list_opt, &lo);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	arr = json_object_new_array();
	if (f->addr >= 0 || f->eid >= 0) {
		struct cxlfm_ep *ep;
		struct json_object *o;

		rc = fm_endpoint(f, WANT_ANY, &ep);
		if (rc) {
			json_object_put(arr);
			return rc;
		}
		o = ep_to_json(ep, lo.type);
		if (o)
			json_object_array_add(arr, o);
	} else {
		rc = fm_discover(f);
		if (rc) {
			json_object_put(arr);
			return rc;
		}
		for (size_t k = 0; k < cxlfm_ep_count(f->ctx); k++) {
			struct json_object *o = ep_to_json(cxlfm_ep_at(f->ctx, k), lo.type);

			if (o)
				json_object_array_add(arr, o);
		}
	}
	fm_print(f, arr);
	return EXIT_OK;
}

/* ---- identify ---- */

static const char identify_help[] =
	"Usage: cxl-fmctl identify [--addr 0xNN | --eid N] [--tunnel PORT[:LD]]\n"
	"Identify (0001h, CXL r3.1 8.2.9.1.1). Without an endpoint option every\n"
	"endpoint on the bus answers (an array); with one, one object. --tunnel\n"
	"identifies the component behind a switch port (or an LD) instead.\n"
	"\n"
	"Keys: eid, address, tunnel (port, ld), component_type (switch, type3, ...),\n"
	"vendor_id, device_id, subsys_vendor_id, subsys_id, serial, max_msg_size.\n";

static int identify_one(struct fmctl *f, struct cxlfm_ep *ep, struct json_object **out)
{
	struct cxlfm_identify_rsp id;
	struct json_object *o;
	int rc = cxlfm_cmd_identify(ep, fm_tun(f), &id);

	if (rc)
		return fm_fail(f, ep, CXLFM_OP_IDENTIFY, rc);
	o = fm_json_ep(ep);
	if (f->has_tunnel) {
		struct json_object *t = json_object_new_object();

		fm_json_add(t, "port", f->tunnel.port >= 0 ? json_object_new_int(f->tunnel.port) : NULL);
		fm_json_add(t, "ld", f->tunnel.ld >= 0 ? json_object_new_int(f->tunnel.ld) : NULL);
		fm_json_add(o, "tunnel", t);
	}
	fm_json_merge(o, fm_identify_to_json(&id));
	*out = o;
	return EXIT_OK;
}

int cmd_identify(int argc, char **argv, struct fmctl *f)
{
	struct json_object *o = NULL, *arr;
	struct cxlfm_ep *ep;
	int i = fm_parse(f, argc, argv, "", NULL, identify_help, NULL, NULL);
	int rc, worst = EXIT_OK;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	if (f->addr >= 0 || f->eid >= 0 || f->has_tunnel) {
		rc = fm_endpoint(f, WANT_ANY, &ep);
		if (!rc)
			rc = identify_one(f, ep, &o);
		if (rc)
			return rc;
		fm_print(f, o);
		return EXIT_OK;
	}
	rc = fm_discover(f);
	if (rc)
		return rc;
	arr = json_object_new_array();
	for (size_t k = 0; k < cxlfm_ep_count(f->ctx); k++) {
		rc = identify_one(f, cxlfm_ep_at(f->ctx, k), &o);
		if (rc)
			worst = rc;
		else
			json_object_array_add(arr, o);
	}
	fm_print(f, arr);
	return worst;
}

/* ---- bg ---- */

static const char bg_help[] =
	"Usage: cxl-fmctl bg [--addr 0xNN] [--tunnel PORT[:LD]]\n"
	"Background Operation Status (0002h, CXL r3.1 8.2.9.1.2) of an endpoint's\n"
	"CCI: whether an operation runs, its percentage, opcode and return code.\n"
	"\n"
	"Keys: running, percent, opcode, opcode_name, rc, rc_name.\n";

int cmd_bg(int argc, char **argv, struct fmctl *f)
{
	struct cxlfm_bg_op_status_rsp st;
	struct json_object *o;
	struct cxlfm_ep *ep;
	const char *name;
	int i = fm_parse(f, argc, argv, "", NULL, bg_help, NULL, NULL);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	rc = fm_endpoint(f, WANT_SWITCH, &ep);
	if (rc)
		return rc;
	rc = cxlfm_cmd_bg_op_status(ep, fm_tun(f), &st);
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_BG_OP_STATUS, rc);
	o = json_object_new_object();
	fm_json_add(o, "running", json_object_new_boolean(st.running));
	fm_json_add(o, "percent", json_object_new_int(st.percent));
	fm_json_add(o, "opcode", fm_json_hex16(st.opcode));
	name = cxlfm_opcode_name(st.opcode);
	fm_json_add(o, "opcode_name", name && st.opcode ? json_object_new_string(name) : NULL);
	fm_json_add(o, "rc", json_object_new_int(st.rc));
	fm_json_add(o, "rc_name", json_object_new_string(cxlfm_rc_str(st.rc)));
	fm_print(f, o);
	return EXIT_OK;
}
