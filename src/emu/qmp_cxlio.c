/* SPDX-License-Identifier: MIT */
#include "emu/qmp_cxlio.h"

#include <errno.h>

#include <json-c/json.h>

#include "dev/sw.h"
#include "dev/t3.h"
#include "emu/host.h"
#include "emu/qmp_server.h"
#include "proto/qmp.h"

static const struct qmp_arg config_args[] = {
	{ .name = "path", .type = QMP_T_STR,
	  .doc = "a cxl-upstream (with vppb) or a cxl-type3 device" },
	{ .name = "vppb", .type = QMP_T_UINT8, .optional = true,
	  .doc = "the switch's vPPB (downstream port as the host enumerates it)" },
	{ .name = "ld", .type = QMP_T_UINT16, .optional = true,
	  .doc = "the type-3 device's LD (default 0): the function its host sees" },
	{ .name = "offset", .type = QMP_T_UINT16, .doc = "register byte offset, dword aligned" },
	{ .name = "value", .type = QMP_T_UINT32, .optional = true,
	  .doc = "write this dword (default: read)" },
	{ .name = "byte-enables", .type = QMP_T_UINT8, .optional = true,
	  .doc = "first DW byte enables, 0-15 (default 15)" },
	{ 0 },
};

static bool get_u64(struct json_object *a, const char *key, uint64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(a, key, &v))
		return false;
	*out = json_object_get_uint64(v);
	return true;
}

/*
 * x-cxl-config: one configuration dword as the host reaches it: a switch's
 * vPPB (sw_vppb_cfg()) or a type-3 device's LD function (t3_ld_cfg(); the
 * FM-owned LD is the FM's, not the host's). Answers {"value": dword}, the
 * dword read, or after a write what it reads now.
 */
static void cmd_config(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct emu_host *h = arg;
	struct json_object *pv = NULL, *ret;
	const char *path;
	uint64_t vppb = 0, ld = 0, off = 0, value = 0, be = 0xf;
	bool has_vppb = get_u64(a, "vppb", &vppb), write = get_u64(a, "value", &value);
	uint32_t val = (uint32_t)value;
	struct sw_dev *sw;
	struct t3_dev *t;
	int rc;

	json_object_object_get_ex(a, "path", &pv);
	path = json_object_get_string(pv);
	get_u64(a, "ld", &ld);
	get_u64(a, "offset", &off);
	get_u64(a, "byte-enables", &be);
	if (be > 0xf || off % 4 || off >= 4096) {
		qmp_reply_error(req, "GenericError", "Parameter 'offset' must be a dword below "
				"4096 and 'byte-enables' at most 15");
		return;
	}
	sw = emu_host_switch(h, path);
	t = sw ? NULL : emu_host_t3(h, path);
	if (sw && !has_vppb) {
		qmp_reply_error(req, "GenericError", "Give the vPPB of switch '%s' ('vppb')", path);
		return;
	}
	if (!sw && (!t || has_vppb)) {
		qmp_reply_error(req, "GenericError", "'%s' is not a CXL switch (with 'vppb') or a "
				"type-3 device", path);
		return;
	}
	if (t && ld == T3_LD_FMLD) {
		qmp_reply_error(req, "GenericError", "LD FFFFh is the fabric manager's, no host's");
		return;
	}
	rc = sw ? sw_vppb_cfg(sw, (unsigned)vppb, (unsigned)off, (uint8_t)be, write, &val) :
		  t3_ld_cfg(t, (uint16_t)ld, (unsigned)off, (uint8_t)be, write, &val);
	if (!rc && write)
		rc = sw ? sw_vppb_cfg(sw, (unsigned)vppb, (unsigned)off, 0xf, false, &val) :
			  t3_ld_cfg(t, (uint16_t)ld, (unsigned)off, 0xf, false, &val);
	if (rc) {
		qmp_reply_error(req, "GenericError", "%s has no %s %llu", path,
				sw ? "vPPB" : "LD", (unsigned long long)(sw ? vppb : ld));
		return;
	}
	ret = json_object_new_object();
	json_object_object_add(ret, "value", json_object_new_uint64(val));
	qmp_reply_return(req, ret);
}

static const struct qmp_cmd cxlio_cmds[] = {
	{ "x-cxl-config", cmd_config, config_args,
	  "Read or write configuration space as the host sees it: a switch's vPPB, a type-3 LD", 0 },
};

int qmp_cxlio_register(struct qmp_server *s, struct emu_host *h)
{
	return qmp_server_register_table(s, cxlio_cmds, sizeof(cxlio_cmds) / sizeof(cxlio_cmds[0]),
					 h);
}
