/* SPDX-License-Identifier: MIT */
#include "emu/qmp_cxl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "dev/dcd.h"
#include "dev/events.h"
#include "dev/t3.h"
#include "dev/t3_mem.h"
#include "emu/host.h"
#include "emu/host_agent.h"
#include "emu/qmp_server.h"
#include "proto/qmp.h"
#include "util/uuid.h"

#define MAX_EXTENTS 4096 /* per QMP command: far above what a DC event log holds */

/* QEMU's types (qapi/cxl.json). */
static const char *const sel_policies[] = { "free", "contiguous", "prescriptive",
					    "enable-shared-access", NULL };
static const char *const rm_policies[] = { "tag-based", "prescriptive", NULL };
static const char *const event_logs[] = { "informational", "warning", "failure",
					  "fatal", "dyncap", NULL };
static const char *const ha_actions[] = { "get", "set", "accept", "reject", "verify", NULL };
/* CxlUncorErrorType: 0-11 are their status bits, then 14, 15, 16 (CXL r3.1 §8.2.4.17.1). */
static const char *const uncor_types[] = {
	"cache-data-parity", "cache-address-parity", "cache-be-parity", "cache-data-ecc",
	"mem-data-parity", "mem-address-parity", "mem-be-parity", "mem-data-ecc",
	"reinit-threshold", "rsvd-encoding", "poison-received", "receiver-overflow",
	"internal", "cxl-ide-tx", "cxl-ide-rx", NULL,
};
/* CxlCorErrorType: each its status bit (§8.2.4.17.4). */
static const char *const cor_types[] = {
	"cache-data-ecc", "mem-data-ecc", "crc-threshold", "retry-threshold",
	"cache-poison-received", "mem-poison-received", "physical", NULL,
};
static const char *const ha_policies[] = { "accept", "reject", "manual", NULL };

static const struct qmp_arg extent_members[] = {
	{ .name = "offset", .type = QMP_T_UINT, .doc = "bytes from the region base" },
	{ .name = "len", .type = QMP_T_UINT, .doc = "bytes" },
	{ 0 },
};
static const struct qmp_arg extent_elem = { .type = QMP_T_OBJECT, .members = extent_members };

static const struct qmp_arg add_args[] = {
	{ .name = "path", .type = QMP_T_STR },
	{ .name = "host-id", .type = QMP_T_UINT16 },
	{ .name = "selection-policy", .type = QMP_T_ENUM, .enum_values = sel_policies },
	{ .name = "region", .type = QMP_T_UINT8 },
	{ .name = "tag", .type = QMP_T_STR, .optional = true },
	{ .name = "extents", .type = QMP_T_ARRAY, .elem = &extent_elem },
	{ 0 },
};

static const struct qmp_arg release_args[] = {
	{ .name = "path", .type = QMP_T_STR },
	{ .name = "host-id", .type = QMP_T_UINT16 },
	{ .name = "removal-policy", .type = QMP_T_ENUM, .enum_values = rm_policies },
	{ .name = "forced-removal", .type = QMP_T_BOOL, .optional = true },
	{ .name = "sanitize-on-release", .type = QMP_T_BOOL, .optional = true },
	{ .name = "region", .type = QMP_T_UINT8 },
	{ .name = "tag", .type = QMP_T_STR, .optional = true },
	{ .name = "extents", .type = QMP_T_ARRAY, .elem = &extent_elem },
	{ 0 },
};

/* What QEMU's General Media and DRAM event commands share, in their order. */
#define MEDIA_EVENT_ARGS \
	{ .name = "path", .type = QMP_T_STR }, \
	{ .name = "log", .type = QMP_T_ENUM, .enum_values = event_logs }, \
	{ .name = "flags", .type = QMP_T_UINT8 }, \
	{ .name = "dpa", .type = QMP_T_UINT }, \
	{ .name = "descriptor", .type = QMP_T_UINT8 }, \
	{ .name = "type", .type = QMP_T_UINT8 }, \
	{ .name = "transaction-type", .type = QMP_T_UINT8 }, \
	{ .name = "channel", .type = QMP_T_UINT8, .optional = true }, \
	{ .name = "rank", .type = QMP_T_UINT8, .optional = true }

static const struct qmp_arg gme_args[] = {
	MEDIA_EVENT_ARGS,
	{ .name = "device", .type = QMP_T_UINT32, .optional = true },
	{ .name = "component-id", .type = QMP_T_STR, .optional = true },
	{ 0 },
};

static const struct qmp_arg u64_elem = { .type = QMP_T_UINT };
static const struct qmp_arg u32_elem = { .type = QMP_T_UINT32 };

static const struct qmp_arg dram_args[] = {
	MEDIA_EVENT_ARGS,
	{ .name = "nibble-mask", .type = QMP_T_UINT32, .optional = true },
	{ .name = "bank-group", .type = QMP_T_UINT8, .optional = true },
	{ .name = "bank", .type = QMP_T_UINT8, .optional = true },
	{ .name = "row", .type = QMP_T_UINT32, .optional = true },
	{ .name = "column", .type = QMP_T_UINT16, .optional = true },
	{ .name = "correction-mask", .type = QMP_T_ARRAY, .elem = &u64_elem, .optional = true,
	  .doc = "up to 4 are recorded" },
	{ 0 },
};

static const struct qmp_arg mm_args[] = {
	{ .name = "path", .type = QMP_T_STR },
	{ .name = "log", .type = QMP_T_ENUM, .enum_values = event_logs },
	{ .name = "flags", .type = QMP_T_UINT8 },
	{ .name = "type", .type = QMP_T_UINT8 },
	{ .name = "health-status", .type = QMP_T_UINT8 },
	{ .name = "media-status", .type = QMP_T_UINT8 },
	{ .name = "additional-status", .type = QMP_T_UINT8 },
	{ .name = "life-used", .type = QMP_T_UINT8 },
	{ .name = "temperature", .type = QMP_T_INT16 },
	{ .name = "dirty-shutdown-count", .type = QMP_T_UINT32 },
	{ .name = "corrected-volatile-error-count", .type = QMP_T_UINT32 },
	{ .name = "corrected-persistent-error-count", .type = QMP_T_UINT32 },
	{ 0 },
};

static const struct qmp_arg uncor_members[] = {
	{ .name = "type", .type = QMP_T_ENUM, .enum_values = uncor_types },
	{ .name = "header", .type = QMP_T_ARRAY, .elem = &u32_elem, .doc = "up to 16 DWORDs" },
	{ 0 },
};
static const struct qmp_arg uncor_elem = { .type = QMP_T_OBJECT, .members = uncor_members };

static const struct qmp_arg uncor_args[] = {
	{ .name = "path", .type = QMP_T_STR },
	{ .name = "errors", .type = QMP_T_ARRAY, .elem = &uncor_elem },
	{ 0 },
};

static const struct qmp_arg cor_args[] = {
	{ .name = "path", .type = QMP_T_STR },
	{ .name = "type", .type = QMP_T_ENUM, .enum_values = cor_types },
	{ 0 },
};

static const struct qmp_arg health_args[] = {
	{ .name = "path", .type = QMP_T_STR },
	{ .name = "health-status", .type = QMP_T_UINT8, .optional = true,
	  .doc = "bit0 maintenance needed, bit1 performance degraded, bit2 replacement needed" },
	{ .name = "media-status", .type = QMP_T_UINT8, .optional = true, .doc = "0-9" },
	{ .name = "life-used", .type = QMP_T_UINT8, .optional = true,
	  .doc = "percent, 255: not reported" },
	{ .name = "temperature", .type = QMP_T_INT16, .optional = true,
	  .doc = "degrees Celsius, -1: not reported" },
	{ .name = "corrected-volatile-error-count", .type = QMP_T_UINT32, .optional = true },
	{ .name = "corrected-persistent-error-count", .type = QMP_T_UINT32, .optional = true },
	{ 0 },
};

static const struct qmp_arg poison_args[] = {
	{ .name = "path", .type = QMP_T_STR },
	{ .name = "start", .type = QMP_T_UINT },
	{ .name = "length", .type = QMP_T_SIZE },
	{ 0 },
};

static const struct qmp_arg dpa_members[] = {
	{ .name = "dpa", .type = QMP_T_UINT },
	{ .name = "len", .type = QMP_T_UINT },
	{ 0 },
};
static const struct qmp_arg dpa_elem = { .type = QMP_T_OBJECT, .members = dpa_members };

static const struct qmp_arg ha_args[] = {
	{ .name = "path", .type = QMP_T_STR },
	{ .name = "action", .type = QMP_T_ENUM, .enum_values = ha_actions, .optional = true,
	  .doc = "get (default), set, accept, reject (the oldest offer), verify" },
	{ .name = "policy", .type = QMP_T_ENUM, .enum_values = ha_policies, .optional = true },
	{ .name = "delay-ms", .type = QMP_T_UINT32, .optional = true },
	{ .name = "extents", .type = QMP_T_ARRAY, .elem = &dpa_elem, .optional = true,
	  .doc = "accept: the ranges to accept (default: the whole offer)" },
	{ 0 },
};

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static uint64_t get_u64(struct json_object *o, const char *key)
{
	return json_object_get_uint64(get(o, key));
}

static int enum_index(const char *const *vals, const char *s)
{
	for (int i = 0; vals[i]; i++)
		if (!strcmp(vals[i], s))
			return i;
	return -1;
}

static struct t3_dev *resolve(struct qmp_req *req, struct emu_host *h, struct json_object *a)
{
	const char *path = json_object_get_string(get(a, "path"));
	struct t3_dev *t = emu_host_t3(h, path);

	if (!t)
		qmp_reply_error(req, "GenericError",
				"Unable to resolve CXL type 3 device at path '%s'", path);
	return t;
}

/* Extents and tag shared by add and release. */
static struct t3_dc_extent *dc_args(struct qmp_req *req, struct json_object *a,
				    uint8_t tag[16], bool *has_tag, size_t *n)
{
	struct json_object *arr = get(a, "extents"), *t = get(a, "tag");
	struct t3_dc_extent *e;

	*has_tag = false;
	if (t) {
		if (util_uuid_parse(json_object_get_string(t), tag)) {
			qmp_reply_error(req, "GenericError",
					"Parameter 'tag' is not a UUID: '%s'",
					json_object_get_string(t));
			return NULL;
		}
		*has_tag = true;
	}
	*n = json_object_array_length(arr);
	if (*n == 0 || *n > MAX_EXTENTS) {
		qmp_reply_error(req, "GenericError", "No extents found in the command");
		return NULL;
	}
	e = calloc(*n, sizeof(*e));
	if (!e) {
		qmp_reply_error(req, "GenericError", "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < *n; i++) {
		struct json_object *x = json_object_array_get_idx(arr, i);

		e[i].offset = get_u64(x, "offset");
		e[i].len = get_u64(x, "len");
	}
	return e;
}

static void reply_rc(struct qmp_req *req, int rc, const char *err)
{
	if (rc)
		qmp_reply_error(req, "GenericError", "%s", err[0] ? err : "failed");
	else
		qmp_reply_return(req, json_object_new_object());
}

static void cmd_add_dc(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct t3_dev *t = resolve(req, arg, a);
	uint8_t tag[16] = { 0 };
	char err[256] = "";
	struct t3_dc_extent *e;
	bool has_tag;
	size_t n;
	int rc;

	if (!t || !(e = dc_args(req, a, tag, &has_tag, &n)))
		return;
	rc = t3_add_dynamic_capacity(t, (uint16_t)get_u64(a, "host-id"),
				     (enum dcd_sel_policy)enum_index(sel_policies,
					json_object_get_string(get(a, "selection-policy"))),
				     (uint8_t)get_u64(a, "region"), has_tag ? tag : NULL,
				     e, n, err, sizeof(err));
	free(e);
	reply_rc(req, rc, err);
}

static void cmd_release_dc(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct t3_dev *t = resolve(req, arg, a);
	struct json_object *forced = get(a, "forced-removal"), *san = get(a, "sanitize-on-release");
	uint8_t tag[16] = { 0 };
	char err[256] = "";
	struct t3_dc_extent *e;
	bool has_tag;
	size_t n;
	int rc;

	if (!t || !(e = dc_args(req, a, tag, &has_tag, &n)))
		return;
	rc = t3_release_dynamic_capacity(t, (uint16_t)get_u64(a, "host-id"),
					 (enum dcd_rm_policy)enum_index(rm_policies,
					    json_object_get_string(get(a, "removal-policy"))),
					 forced && json_object_get_boolean(forced),
					 san && json_object_get_boolean(san),
					 (uint8_t)get_u64(a, "region"), has_tag ? tag : NULL,
					 e, n, err, sizeof(err));
	free(e);
	reply_rc(req, rc, err);
}

static void cmd_inject_gme(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct t3_dev *t = resolve(req, arg, a);
	struct t3_gen_media_event ev = { 0 };
	struct json_object *v;
	char err[256] = "";
	int log;

	if (!t)
		return;
	log = enum_index(event_logs, json_object_get_string(get(a, "log")));
	if (log == EV_LOG_DCD) {
		qmp_reply_error(req, "GenericError", "Unhandled error log type");
		return;
	}
	ev.log = (unsigned)log;
	ev.flags = (uint32_t)get_u64(a, "flags");
	ev.dpa = get_u64(a, "dpa");
	ev.descriptor = (uint8_t)get_u64(a, "descriptor");
	ev.type = (uint8_t)get_u64(a, "type");
	ev.transaction_type = (uint8_t)get_u64(a, "transaction-type");
	if ((v = get(a, "channel"))) {
		ev.has_channel = true;
		ev.channel = (uint8_t)json_object_get_uint64(v);
	}
	if ((v = get(a, "rank"))) {
		ev.has_rank = true;
		ev.rank = (uint8_t)json_object_get_uint64(v);
	}
	if ((v = get(a, "device"))) {
		ev.has_device = true;
		ev.device = (uint32_t)json_object_get_uint64(v);
	}
	if ((v = get(a, "component-id")))
		ev.component_id = json_object_get_string(v);
	reply_rc(req, t3_inject_general_media_event(t, &ev, err, sizeof(err)), err);
}

static void cmd_inject_poison(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct t3_dev *t = resolve(req, arg, a);
	char err[256] = "";

	if (!t)
		return;
	reply_rc(req, t3_inject_poison(t, get_u64(a, "start"), get_u64(a, "length"), err,
				       sizeof(err)), err);
}

static bool opt_u64(struct json_object *a, const char *key, uint64_t *v)
{
	struct json_object *o = get(a, key);

	if (o)
		*v = json_object_get_uint64(o);
	return o != NULL;
}

static void cmd_inject_dram(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct t3_dev *t = resolve(req, arg, a);
	struct json_object *masks = get(a, "correction-mask");
	struct t3_dram_event ev = { 0 };
	uint64_t mask[4] = { 0 }, v = 0;
	char err[256] = "";

	if (!t)
		return;
	ev.c.log = (unsigned)enum_index(event_logs, json_object_get_string(get(a, "log")));
	ev.c.flags = (uint32_t)get_u64(a, "flags");
	ev.dpa = get_u64(a, "dpa");
	ev.descriptor = (uint8_t)get_u64(a, "descriptor");
	ev.type = (uint8_t)get_u64(a, "type");
	ev.transaction_type = (uint8_t)get_u64(a, "transaction-type");
	if ((ev.has_channel = opt_u64(a, "channel", &v)))
		ev.channel = (uint8_t)v;
	if ((ev.has_rank = opt_u64(a, "rank", &v)))
		ev.rank = (uint8_t)v;
	if ((ev.has_nibble_mask = opt_u64(a, "nibble-mask", &v)))
		ev.nibble_mask = (uint32_t)v;
	if ((ev.has_bank_group = opt_u64(a, "bank-group", &v)))
		ev.bank_group = (uint8_t)v;
	if ((ev.has_bank = opt_u64(a, "bank", &v)))
		ev.bank = (uint8_t)v;
	if ((ev.has_row = opt_u64(a, "row", &v)))
		ev.row = (uint32_t)v;
	if ((ev.has_column = opt_u64(a, "column", &v)))
		ev.column = (uint16_t)v;
	if (masks) {
		size_t n = json_object_array_length(masks);

		/* QEMU records the first four: the record has room for four. */
		ev.n_correction_mask = n < 4 ? n : 4;
		for (size_t i = 0; i < ev.n_correction_mask; i++)
			mask[i] = json_object_get_uint64(json_object_array_get_idx(masks, i));
		ev.correction_mask = mask;
	}
	reply_rc(req, t3_inject_dram_event(t, &ev, err, sizeof(err)), err);
}

static void cmd_inject_mm(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct t3_dev *t = resolve(req, arg, a);
	struct t3_mem_module_event ev = { 0 };
	char err[256] = "";

	if (!t)
		return;
	ev.c.log = (unsigned)enum_index(event_logs, json_object_get_string(get(a, "log")));
	ev.c.flags = (uint32_t)get_u64(a, "flags");
	ev.type = (uint8_t)get_u64(a, "type");
	ev.health_status = (uint8_t)get_u64(a, "health-status");
	ev.media_status = (uint8_t)get_u64(a, "media-status");
	ev.additional_status = (uint8_t)get_u64(a, "additional-status");
	ev.life_used = (uint8_t)get_u64(a, "life-used");
	ev.temperature = (int16_t)json_object_get_int(get(a, "temperature"));
	ev.dirty_shutdown_count = (uint32_t)get_u64(a, "dirty-shutdown-count");
	ev.corrected_volatile_errors = (uint32_t)get_u64(a, "corrected-volatile-error-count");
	ev.corrected_persistent_errors = (uint32_t)get_u64(a, "corrected-persistent-error-count");
	reply_rc(req, t3_inject_mem_module_event(t, &ev, err, sizeof(err)), err);
}

/* The status bit of a CxlUncorErrorType name (uncor_types). */
static unsigned uncor_bit(const char *name)
{
	int i = enum_index(uncor_types, name);

	return i < 12 ? (unsigned)i : (unsigned)i + 2;
}

static void cmd_inject_uncor(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct t3_dev *t = resolve(req, arg, a);
	struct json_object *list = get(a, "errors");
	size_t n = list ? json_object_array_length(list) : 0;
	struct t3_ras_ue *e;
	uint32_t *hdr;
	char err[256] = "";
	int rc;

	if (!t)
		return;
	e = calloc(n ? n : 1, sizeof(*e));
	hdr = calloc(n ? n : 1, T3_RAS_HEADER_DWORDS * sizeof(*hdr));
	if (!e || !hdr) {
		free(e);
		free(hdr);
		qmp_reply_error(req, "GenericError", "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(list, i);
		struct json_object *h = get(x, "header");
		size_t k = json_object_array_length(h);

		e[i].type = uncor_bit(json_object_get_string(get(x, "type")));
		/* More than the Header Log holds is the device's error to report. */
		e[i].n_header = k;
		e[i].header = hdr + i * T3_RAS_HEADER_DWORDS;
		for (size_t j = 0; j < k && j < T3_RAS_HEADER_DWORDS; j++)
			hdr[i * T3_RAS_HEADER_DWORDS + j] =
				(uint32_t)json_object_get_uint64(json_object_array_get_idx(h, j));
		if (k > T3_RAS_HEADER_DWORDS)
			e[i].header = NULL;
	}
	rc = t3_inject_uncorrectable(t, e, n, err, sizeof(err));
	free(e);
	free(hdr);
	reply_rc(req, rc, err);
}

static void cmd_inject_cor(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct t3_dev *t = resolve(req, arg, a);
	char err[256] = "";

	if (!t)
		return;
	reply_rc(req, t3_inject_correctable(t, (unsigned)enum_index(cor_types,
			json_object_get_string(get(a, "type"))), err, sizeof(err)), err);
}

static struct json_object *health_json(const struct t3_health *h)
{
	struct json_object *o = json_object_new_object();

	const struct rec_health_info *i = &h->info;

	json_object_object_add(o, "health-status", json_object_new_int(i->health_status));
	json_object_object_add(o, "media-status", json_object_new_int(i->media_status));
	json_object_object_add(o, "additional-status",
			       json_object_new_int(i->additional_status));
	json_object_object_add(o, "life-used", json_object_new_int(i->life_used));
	json_object_object_add(o, "temperature", json_object_new_int(i->temperature));
	json_object_object_add(o, "dirty-shutdown-count",
			       json_object_new_uint64(i->dirty_shutdown_count));
	json_object_object_add(o, "corrected-volatile-error-count",
			       json_object_new_uint64(i->corrected_volatile_errors));
	json_object_object_add(o, "corrected-persistent-error-count",
			       json_object_new_uint64(i->corrected_persistent_errors));
	json_object_object_add(o, "shutdown-state",
			       json_object_new_string(h->shutdown_dirty ? "dirty" : "clean"));
	return o;
}

/* x-cxl-health: set what is given, answer what Get Health Info would say. */
static void cmd_health(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct t3_dev *t = resolve(req, arg, a);
	struct t3_health_update u = { 0 };
	struct json_object *v;
	struct t3_health h;
	uint64_t x = 0;
	char err[256] = "";

	if (!t)
		return;
	if ((u.has_health_status = opt_u64(a, "health-status", &x)))
		u.health_status = (uint8_t)x;
	if ((u.has_media_status = opt_u64(a, "media-status", &x)))
		u.media_status = (uint8_t)x;
	if ((u.has_life_used = opt_u64(a, "life-used", &x)))
		u.life_used = (uint8_t)x;
	if ((v = get(a, "temperature"))) {
		u.has_temperature = true;
		u.temperature = (int16_t)json_object_get_int(v);
	}
	if ((u.has_cor_vol = opt_u64(a, "corrected-volatile-error-count", &x)))
		u.cor_vol = (uint32_t)x;
	if ((u.has_cor_pers = opt_u64(a, "corrected-persistent-error-count", &x)))
		u.cor_pers = (uint32_t)x;
	if (t3_health_set(t, &u, err, sizeof(err))) {
		qmp_reply_error(req, "GenericError", "%s", err);
		return;
	}
	t3_health_get(t, &h);
	qmp_reply_return(req, health_json(&h));
}

static struct json_object *extents_json(const struct ha_extent *e, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "dpa", json_object_new_uint64(e[i].dpa));
		json_object_object_add(o, "len", json_object_new_uint64(e[i].len));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* Records the host read and cleared, per event log by QEMU's CxlEventLog names. */
static struct json_object *events_json(const struct ha_stats *st)
{
	struct json_object *o = json_object_new_object();

	for (unsigned i = 0; event_logs[i]; i++)
		json_object_object_add(o, event_logs[i], json_object_new_uint64(st->events[i]));
	return o;
}

/* accept / reject the oldest offer held under the manual policy */
static int answer_offer(struct qmp_req *req, struct host_agent *ha, struct json_object *a,
			bool accept)
{
	const struct ha_extent *offer;
	struct ha_extent *pick = NULL;
	struct json_object *arr = get(a, "extents");
	size_t k = 0;
	int rc;

	if (!ha_offer_count(ha)) {
		qmp_reply_error(req, "GenericError", "No capacity offer is waiting");
		return -ENOENT;
	}
	if (accept) {
		k = arr ? json_object_array_length(arr) : ha_offers(ha, 0, &offer);
		pick = calloc(k ? k : 1, sizeof(*pick));
		if (!pick) {
			qmp_reply_error(req, "GenericError", "out of memory");
			return -ENOMEM;
		}
		for (size_t i = 0; i < k; i++) {
			if (arr) {
				struct json_object *x = json_object_array_get_idx(arr, i);

				pick[i] = (struct ha_extent){ get_u64(x, "dpa"), get_u64(x, "len") };
			} else {
				pick[i] = offer[i];
			}
		}
	}
	rc = ha_answer_offer(ha, pick, k);
	free(pick);
	if (rc)
		qmp_reply_error(req, "GenericError", "The device refused the response: %s",
				rc > 0 ? cxl_rc_name((uint16_t)rc) : strerror(-rc));
	return rc;
}

static void cmd_host_agent(struct qmp_req *req, struct json_object *a, void *arg)
{
	const char *path = json_object_get_string(get(a, "path"));
	struct host_agent *ha = emu_host_agent(arg, path);
	struct t3_dev *t = emu_host_t3(arg, path);
	/* Without DC regions the host holds no DC extents (and the device has
	 * no extent list to ask): an empty state, not an error. */
	bool dc = t && t3_dcd(t);
	struct json_object *v, *ret, *offers;
	const char *action = "get";
	struct ha_extent *held = NULL;
	struct emu_memdev md;
	struct ha_stats st;
	uint32_t gen = 0, dirty;
	size_t n = 0, cap = 256;

	if (!ha) {
		qmp_reply_error(req, "GenericError",
				"Unable to resolve CXL type 3 device at path '%s'", path);
		return;
	}
	if ((v = get(a, "action")))
		action = json_object_get_string(v);
	if (!strcmp(action, "set")) {
		enum ha_policy p = ha_get_policy(ha);
		uint64_t delay = ha_get_delay_ns(ha);

		if ((v = get(a, "policy")))
			ha_policy_parse(json_object_get_string(v), &p);
		if ((v = get(a, "delay-ms")))
			delay = json_object_get_uint64(v) * 1000000ull;
		ha_set_policy(ha, p, delay);
	} else if (!strcmp(action, "accept") || !strcmp(action, "reject")) {
		if (answer_offer(req, ha, a, !strcmp(action, "accept")))
			return;
	} else if (!strcmp(action, "verify")) {
		size_t checked = 0;
		int rc = dc ? ha_verify(ha, &checked) : 0;

		if (rc) {
			qmp_reply_error(req, "GenericError", "Data check failed: %s", strerror(-rc));
			return;
		}
	}
	/* Every action answers with the state the host is in now. */
	while (dc) {
		free(held);
		held = malloc(cap * sizeof(*held));
		if (!held || ha_list(ha, held, cap, &n, &gen)) {
			free(held);
			qmp_reply_error(req, "GenericError", "Cannot read the host's extent list");
			return;
		}
		if (n <= cap)
			break;
		cap = n;
	}
	ret = json_object_new_object();
	json_object_object_add(ret, "policy",
			       json_object_new_string(ha_policy_name(ha_get_policy(ha))));
	json_object_object_add(ret, "delay-ms",
			       json_object_new_uint64(ha_get_delay_ns(ha) / 1000000));
	json_object_object_add(ret, "generation", json_object_new_uint64(gen));
	json_object_object_add(ret, "extents", extents_json(held, n));
	free(held);
	offers = json_object_new_array();
	for (size_t i = 0; i < ha_offer_count(ha); i++) {
		const struct ha_extent *e;
		size_t k = ha_offers(ha, i, &e);

		json_object_array_add(offers, extents_json(e, k));
	}
	json_object_object_add(ret, "offers", offers);
	ha_get_stats(ha, &st);
	v = json_object_new_object();
	json_object_object_add(v, "records", json_object_new_uint64(st.records));
	json_object_object_add(v, "accepted", json_object_new_uint64(st.accepted));
	json_object_object_add(v, "declined", json_object_new_uint64(st.rejected));
	json_object_object_add(v, "released", json_object_new_uint64(st.released));
	json_object_object_add(v, "forced", json_object_new_uint64(st.forced));
	json_object_object_add(v, "errors", json_object_new_uint64(st.errors));
	json_object_object_add(v, "events", events_json(&st));
	json_object_object_add(v, "overflows", json_object_new_uint64(st.overflows));
	json_object_object_add(v, "uncorrectable-errors", json_object_new_uint64(st.uncorrectable));
	json_object_object_add(v, "correctable-errors", json_object_new_uint64(st.correctable));
	json_object_object_add(ret, "stats", v);
	if (ha_dirty_shutdown_count(ha, &dirty))
		json_object_object_add(ret, "dirty-shutdown-count", json_object_new_uint64(dirty));
	if (emu_host_memdev(arg, path, &md)) {
		json_object_object_add(ret, "memdev", json_object_new_string(md.name));
		json_object_object_add(ret, "memdev-path", json_object_new_string(md.path));
	}
	qmp_reply_return(req, ret);
}

static const struct qmp_cmd cxl_cmds[] = {
	{ "cxl-add-dynamic-capacity", cmd_add_dc, add_args,
	  "Offer dynamic capacity to the host (as the FM's Initiate DC Add)", 0 },
	{ "cxl-release-dynamic-capacity", cmd_release_dc, release_args,
	  "Ask the host to release dynamic capacity (as the FM's Initiate DC Release)", 0 },
	{ "cxl-inject-general-media-event", cmd_inject_gme, gme_args,
	  "Log a General Media event record", 0 },
	{ "cxl-inject-dram-event", cmd_inject_dram, dram_args,
	  "Log a DRAM event record", 0 },
	{ "cxl-inject-memory-module-event", cmd_inject_mm, mm_args,
	  "Log a Memory Module event record", 0 },
	{ "cxl-inject-poison", cmd_inject_poison, poison_args,
	  "Add a range to the device's poison list", 0 },
	{ "cxl-inject-uncorrectable-errors", cmd_inject_uncor, uncor_args,
	  "Queue uncorrectable protocol errors in the device's RAS capability", 0 },
	{ "cxl-inject-correctable-error", cmd_inject_cor, cor_args,
	  "Set a correctable protocol error in the device's RAS capability", 0 },
	{ "x-cxl-health", cmd_health, health_args,
	  "The device's health as its sensors report it: set values, read Get Health Info", 0 },
	{ "x-cxl-host-agent", cmd_host_agent, ha_args,
	  "The emulated host OS driver: policy, held extents, manual offers, data check", 0 },
};

int qmp_cxl_register(struct qmp_server *s, struct emu_host *h)
{
	return qmp_server_register_table(s, cxl_cmds, sizeof(cxl_cmds) / sizeof(cxl_cmds[0]), h);
}
