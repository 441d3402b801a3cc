/* SPDX-License-Identifier: MIT */
#include "emu/qmp_fabric.h"

#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "dev/qos_model.h"
#include "dev/t3.h"
#include "emu/host.h"
#include "emu/qmp_server.h"
#include "proto/qmp.h"

static const struct qmp_arg u8_elem = { .type = QMP_T_UINT8 };

static const struct qmp_arg qos_args[] = {
	{ .name = "path", .type = QMP_T_STR, .doc = "the cxl-type3 device" },
	{ .name = "load", .type = QMP_T_ARRAY, .elem = &u8_elem, .optional = true,
	  .doc = "offered load per LD from first-ld on, percent of the device's bandwidth" },
	{ .name = "first-ld", .type = QMP_T_UINT8, .optional = true,
	  .doc = "the LD load[0] is for (default 0)" },
	{ 0 },
};

static const char *const mld_errors[] = { "correctable", "non-fatal", "fatal", NULL };

static const struct qmp_arg mld_error_args[] = {
	{ .name = "path", .type = QMP_T_STR, .doc = "an MLD (num-ld > 1) below a switch" },
	{ .name = "type", .type = QMP_T_ENUM, .enum_values = mld_errors,
	  .doc = "the message: ERR_COR, ERR_NONFATAL or ERR_FATAL" },
	{ 0 },
};

static struct json_object *arg(struct json_object *a, const char *key)
{
	struct json_object *v = NULL;

	return json_object_object_get_ex(a, key, &v) ? v : NULL;
}

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static void add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

/* The model's inputs and answer, every bandwidth in basis points (docs/qos.md). */
static struct json_object *state_json(const struct qos_in *in, const struct qos_out *out)
{
	struct json_object *o = json_object_new_object(), *lds = json_object_new_array();

	add_u64(o, "lds", in->n);
	add_u64(o, "backpressure", out->backpressure);
	add_u64(o, "measured-backpressure", out->raw_backpressure);
	add_str(o, "congestion", out->congestion == QOS_LOAD_LIGHT ? "none" :
				 qos_load_name(out->congestion));
	add_str(o, "total-load", qos_load_name(out->total_load));
	json_object_object_add(o, "arbitrated", json_object_new_boolean(out->arbitrated));
	add_u64(o, "demand-bp", out->demand);
	for (unsigned i = 0; i < in->n; i++) {
		struct json_object *l = json_object_new_object();

		add_u64(l, "ld", i);
		add_u64(l, "load", in->load_pct[i]);
		add_u64(l, "allocation", in->alloc[i]);
		add_u64(l, "limit", in->limit[i]);
		add_u64(l, "offered-bp", out->offered[i]);
		if (out->limit[i] != QOS_NO_LIMIT)
			add_u64(l, "limit-bp", out->limit[i]);
		add_u64(l, "admitted-bp", out->admitted[i]);
		add_u64(l, "delivered-bp", out->delivered[i]);
		add_str(l, "devload", qos_load_name(out->devload[i]));
		json_object_array_add(lds, l);
	}
	json_object_object_add(o, "ld", lds);
	return o;
}

/* x-cxl-qos: set the loads given, answer the model's state. */
static void cmd_qos(struct qmp_req *req, struct json_object *a, void *h)
{
	const char *path = json_object_get_string(arg(a, "path"));
	struct t3_dev *t = emu_host_t3(h, path);
	struct json_object *load = arg(a, "load"), *first = arg(a, "first-ld");
	struct qos_in in;
	struct qos_out out;

	if (!t) {
		qmp_reply_error(req, "GenericError",
				"Unable to resolve CXL type 3 device at path '%s'", path);
		return;
	}
	if (load) {
		unsigned f = first ? (unsigned)json_object_get_uint64(first) : 0;
		size_t n = json_object_array_length(load);
		uint8_t pct[T3_MAX_LD];

		if (f > t3_num_ld(t) || n > t3_num_ld(t) - f) {
			qmp_reply_error(req, "GenericError",
					"'%s' has %u LD%s: no load for LDs %u..%zu", path,
					t3_num_ld(t), t3_num_ld(t) == 1 ? "" : "s", f, f + n - 1);
			return;
		}
		for (size_t i = 0; i < n; i++)
			pct[i] = (uint8_t)json_object_get_uint64(json_object_array_get_idx(load, i));
		if (t3_qos_set_load(t, f, pct, n)) {
			qmp_reply_error(req, "GenericError", "'%s' refused the load", path);
			return;
		}
	}
	t3_qos_model(t, &in, &out);
	qmp_reply_return(req, state_json(&in, &out));
}

/* x-cxl-mld-port-error: the switch above the MLD logs the message it got. */
static void cmd_mld_port_error(struct qmp_req *req, struct json_object *a, void *h)
{
	const char *type = json_object_get_string(arg(a, "type"));
	char err[256] = "";
	uint8_t t = 0;

	while (mld_errors[t] && strcmp(mld_errors[t], type))
		t++;
	if (emu_host_mld_port_error(h, json_object_get_string(arg(a, "path")), t, err,
				    sizeof(err)))
		qmp_reply_error(req, "GenericError", "%s", err);
	else
		qmp_reply_return(req, json_object_new_object());
}

static const struct qmp_cmd fabric_cmds[] = {
	{ "x-cxl-qos", cmd_qos, qos_args,
	  "Offer load to a device's LDs; its QoS model's backpressure and delivered shares", 0 },
	{ "x-cxl-mld-port-error", cmd_mld_port_error, mld_error_args,
	  "An MLD sends its switch an error message: an MLD Port Event Record", 0 },
};

int qmp_fabric_register(struct qmp_server *s, struct emu_host *h)
{
	return qmp_server_register_table(s, fabric_cmds,
					 sizeof(fabric_cmds) / sizeof(fabric_cmds[0]), h);
}
