/* SPDX-License-Identifier: MIT */
#include "emu/qmp_hotplug.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "emu/config.h"
#include "emu/host.h"
#include "emu/opts.h"
#include "emu/qmp_server.h"

struct qmp_hotplug {
	struct config *cfg;
	struct emu_host *host;
	struct qmp_server *s;
};

/*
 * QMP arguments as an option's properties: QEMU's device_add and
 * object-add take the properties at the top level (object-add's older
 * form nests them in "props"); scalars become the text -device or -object
 * would have had.
 */
static int to_item(struct json_object *args, const char *opt, const char *given,
		   struct opts_item *it, char *err, size_t errlen)
{
	struct json_object *nested = json_object_object_get(args, "props");
	int rc;

	memset(it, 0, sizeof(*it));
	it->opt = opt;
	it->kind = OPTS_PROPS;
	it->given = (char *)given;
	if (nested) {
		json_object_get(nested);
		json_object_object_del(args, "props");
	}
	rc = opts_props_add_json(args, &it->props, &it->n_props, err, errlen);
	if (!rc && nested)
		rc = opts_props_add_json(nested, &it->props, &it->n_props, err, errlen);
	json_object_put(nested);
	return rc;
}

static void reply_errno(struct qmp_req *req, int rc, const char *err)
{
	qmp_reply_error(req, rc == -ENOENT ? "DeviceNotFound" : "GenericError", "%s",
			rc == -ENOMEM ? "out of memory" : err);
}

static void cmd_object_add(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct qmp_hotplug *hp = arg;
	struct opts_item it;
	char err[512];
	int rc = to_item(a, "object", "object-add", &it, err, sizeof(err));

	if (!rc)
		rc = cfg_object_add(hp->cfg, &it, err, sizeof(err));
	opts_props_free(it.props, it.n_props);
	if (rc)
		reply_errno(req, rc == -ENOENT ? -EINVAL : rc, err);
	else
		qmp_reply_return(req, NULL);
}

static void cmd_object_del(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct qmp_hotplug *hp = arg;
	char err[512];
	int rc = cfg_object_del(hp->cfg, json_object_get_string(json_object_object_get(a, "id")),
				err, sizeof(err));

	if (rc)
		qmp_reply_error(req, NULL, "%s", err);
	else
		qmp_reply_return(req, NULL);
}

static void cmd_device_add(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct qmp_hotplug *hp = arg;
	struct cfg_device *d = NULL;
	struct opts_item it;
	char err[512];
	int rc = to_item(a, "device", "device_add", &it, err, sizeof(err));

	if (!rc)
		rc = cfg_device_add(hp->cfg, &it, &d, err, sizeof(err));
	opts_props_free(it.props, it.n_props);
	if (!rc && (rc = emu_host_device_add(hp->host, d, err, sizeof(err))))
		cfg_device_del(hp->cfg, d);
	if (rc)
		reply_errno(req, rc == -ENOENT ? -EINVAL : rc, err);
	else
		qmp_reply_return(req, NULL);
}

/*
 * QEMU answers device_del at once and sends DEVICE_DELETED when the guest
 * has let the device go; the host agent decides now, so both come at once.
 * A host that holds capacity of the device refuses, as an OS refuses to
 * offline memory in use.
 */
static void cmd_device_del(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct qmp_hotplug *hp = arg;
	const char *id = json_object_get_string(json_object_object_get(a, "id"));
	struct cfg_device *d = cfg_find_qom(hp->cfg, id);
	struct json_object *ev;
	char err[512], path[300];
	int rc;

	if (!d || d->kind == CFG_PCI_ROOT) {
		qmp_reply_error(req, "DeviceNotFound", "Device '%s' not found", id);
		return;
	}
	rc = emu_host_device_del(hp->host, d, err, sizeof(err));
	if (rc) {
		qmp_reply_error(req, NULL, "%s", err);
		return;
	}
	ev = json_object_new_object();
	if (d->id) {
		json_object_object_add(ev, "device", json_object_new_string(d->id));
		snprintf(path, sizeof(path), "/machine/peripheral/%s", d->id);
	} else {
		snprintf(path, sizeof(path), "%s", d->name);
	}
	json_object_object_add(ev, "path", json_object_new_string(path));
	cfg_device_del(hp->cfg, d);
	qmp_reply_return(req, NULL);
	qmp_server_event(hp->s, "DEVICE_DELETED", ev);
}

static void cmd_qom_list(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct qmp_hotplug *hp = arg;
	struct json_object *out;
	char err[512];
	int rc = cfg_qom_list(hp->cfg, json_object_get_string(json_object_object_get(a, "path")),
			      &out, err, sizeof(err));

	if (rc)
		reply_errno(req, rc, err);
	else
		qmp_reply_return(req, out);
}

static void cmd_qom_get(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct qmp_hotplug *hp = arg;
	struct json_object *out;
	char err[512];
	int rc = cfg_qom_get(hp->cfg, json_object_get_string(json_object_object_get(a, "path")),
			     json_object_get_string(json_object_object_get(a, "property")),
			     &out, err, sizeof(err));

	if (rc)
		reply_errno(req, rc == -ENODATA ? -EINVAL : rc, err);
	else
		qmp_reply_return(req, out);
}

static const struct qmp_arg object_add_args[] = {
	{ .name = "qom-type", .type = QMP_T_STR, .doc = "memory-backend-file, -ram or -memfd" },
	{ .name = "id", .type = QMP_T_STR },
	{ .name = "props", .type = QMP_T_OBJECT, .optional = true,
	  .doc = "the properties (QEMU's older form; else at the top level)" },
	{ .name = QMP_ARG_REST, .doc = "the backend's properties, as -object takes them" },
	{ 0 },
};
static const struct qmp_arg id_args[] = {
	{ .name = "id", .type = QMP_T_STR, .doc = "id or QOM path" },
	{ 0 },
};
static const struct qmp_arg device_add_args[] = {
	{ .name = "driver", .type = QMP_T_STR, .doc = "cxl-type3" },
	{ .name = QMP_ARG_REST, .doc = "the device's properties, as -device takes them" },
	{ 0 },
};
static const struct qmp_arg qom_list_args[] = {
	{ .name = "path", .type = QMP_T_STR },
	{ 0 },
};
static const struct qmp_arg qom_get_args[] = {
	{ .name = "path", .type = QMP_T_STR },
	{ .name = "property", .type = QMP_T_STR },
	{ 0 },
};

static const struct qmp_cmd hotplug_cmds[] = {
	{ "object-add", cmd_object_add, object_add_args, "Add a memory backend", 0 },
	{ "object-del", cmd_object_del, id_args, "Remove a memory backend no device uses", 0 },
	{ "device_add", cmd_device_add, device_add_args,
	  "Hot-plug a cxl-type3 below a free cxl-rp or cxl-downstream", 0 },
	{ "device_del", cmd_device_del, id_args,
	  "Hot-unplug a cxl-type3 (refused while its host holds DC extents); DEVICE_DELETED", 0 },
	{ "qom-list", cmd_qom_list, qom_list_args,
	  "Children of a QOM path, or a device's or backend's properties", 0 },
	{ "qom-get", cmd_qom_get, qom_get_args,
	  "A property of a device or backend as it was built", 0 },
};

int qmp_hotplug_register(struct qmp_server *s, struct config *c, struct emu_host *h,
			 struct qmp_hotplug **out)
{
	struct qmp_hotplug *hp = calloc(1, sizeof(*hp));
	int rc;

	if (!hp)
		return -ENOMEM;
	*hp = (struct qmp_hotplug){ .cfg = c, .host = h, .s = s };
	rc = qmp_server_register_table(s, hotplug_cmds, sizeof(hotplug_cmds) /
				       sizeof(hotplug_cmds[0]), hp);
	if (rc) {
		free(hp);
		return rc;
	}
	*out = hp;
	return 0;
}

void qmp_hotplug_free(struct qmp_hotplug *hp)
{
	free(hp);
}
