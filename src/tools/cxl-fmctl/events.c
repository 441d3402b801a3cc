/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl events: Get Event Records (0100h, CXL r3.1 §8.2.9.2.2) of one
 * event log or all of them, each record decoded with libcxlfm's decoders:
 * General Media, DRAM and Memory Module Event Records (§8.2.9.2.1.1-3) and
 * Dynamic Capacity Event Records (§8.2.9.2.1.6); --clear drains the log
 * (Clear Event Records, 0101h, after each read, as Linux's
 * cxl_mem_get_records_log() does). Event logs belong to a type-3 device's
 * CCIs and a switch's (--addr of its endpoint: Physical Switch, Virtual
 * CXL Switch and MLD Port records, decoded by fabric.c); a CCI without
 * them answers Unsupported.
 */
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "cxlfm/media.h"
#include "cxlfm/memdev.h"

#define LOG_ALL -1
#define DRAIN_ROUNDS 1024 /* Get/Clear rounds before a log that never empties is left */

static const char events_help[] =
	"Usage: cxl-fmctl events [--log informational|warning|failure|fatal|dyncap|all]\n"
	"                        [--clear] [--addr 0xNN | --tunnel PORT[:LD]]\n"
	"Get Event Records (0100h, CXL r3.1 8.2.9.2.2) of an event log (default\n"
	"dyncap, the Dynamic Capacity log; 'all': every log, fatal first, printed as\n"
	"an array). General Media, DRAM, Memory Module and Dynamic Capacity records\n"
	"are decoded. A response holds as many records as the CCI's message size\n"
	"allows (more_records says there are more); --clear clears the records read\n"
	"(Clear Event Records, 0101h) and reads again until the log is empty.\n"
	"\n"
	"A switch's logs (--addr of the switch) hold Physical Switch, Virtual CXL\n"
	"Switch and MLD Port records (CXL r3.1 7.6.8), decoded as switch_event.\n"
	"\n"
	"Keys: log, overflow, more_records, overflow_count, records (handle,\n"
	"related_handle, uuid, kind (general-media, dram, memory-module,\n"
	"dynamic-capacity, a switch record's kind, other), severity, flags, flag_names,\n"
	"timestamp, ld_id, and one of general_media, dram, memory_module, dc_event,\n"
	"switch_event (see cxl-fmctl(1)) or data (hex)), cleared.\n";

struct ev_opts {
	int log;
	bool clear;
};

static int ev_opt(struct fmctl *f, int c, const char *arg, void *ctx)
{
	static const struct {
		const char *name;
		int log;
	} alias[] = {
		{ "info", CXLFM_EVENT_LOG_INFO }, { "warn", CXLFM_EVENT_LOG_WARN },
		{ "fail", CXLFM_EVENT_LOG_FAIL }, { "dcd", CXLFM_EVENT_LOG_DCD },
		{ "all", LOG_ALL },
	};
	struct ev_opts *o = ctx;

	(void)f;
	if (c == 'C') {
		o->clear = true;
		return 0;
	}
	if (c != 'l')
		return -1;
	for (unsigned i = 0; i < 5; i++)
		if (!strcmp(arg, fm_event_log_name(i))) {
			o->log = (int)i;
			return 0;
		}
	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcmp(arg, alias[i].name)) {
			o->log = alias[i].log;
			return 0;
		}
	return -1;
}

/* ---- names (CXL r3.1 §8.2.9.2.1) ---- */

static struct json_object *bit_names(uint32_t v, const char *const *names, unsigned n)
{
	struct json_object *a = json_object_new_array();

	for (unsigned b = 0; b < n; b++)
		if ((v & (1u << b)) && names[b])
			json_object_array_add(a, json_object_new_string(names[b]));
	return a;
}

/* Common Event Record Flags bits 2-8 (Table 8-43); bits[1:0] are the severity. */
static struct json_object *flag_names(uint32_t flags)
{
	static const char *const n[] = {
		NULL, NULL, "permanent-condition", "maintenance-needed", "performance-degraded",
		"hardware-replacement-needed", "maint-op-subclass-valid", "ld-id-valid",
		"head-id-valid",
	};

	return bit_names(flags, n, sizeof(n) / sizeof(n[0]));
}

static const char *pick(const char *const *n, size_t count, unsigned v)
{
	return v < count ? n[v] : "reserved";
}
#define PICK(arr, v) pick(arr, sizeof(arr) / sizeof(arr[0]), v)

static const char *const gm_types[] = {
	"media-ecc-error", "invalid-address", "data-path-error", "te-state-violation",
	"scrub-media-ecc-error", "cme-counter-expiration", "ckid-violation",
};
static const char *const dram_types[] = {
	"media-ecc-error", "scrub-media-ecc-error", "invalid-address", "data-path-error",
	"te-state-violation", "cme-counter-expiration", "ckid-violation",
};
static const char *const transactions[] = {
	"unknown", "host-read", "host-write", "host-scan-media", "host-inject-poison",
	"internal-media-scrub", "internal-media-management", "internal-media-ecs",
	"media-initialization",
};
static const char *const mm_types[] = {
	"health-status-change", "media-status-change", "life-used-change",
	"temperature-change", "data-path-error", "lsa-error",
};

static struct json_object *hex_json(const uint8_t *b, size_t n)
{
	char s[2 * 32 + 1] = "";

	for (size_t i = 0; i < n && i < 32; i++)
		snprintf(s + 2 * i, 3, "%02x", b[i]);
	return json_object_new_string(s);
}

/* v if its validity flag is set, else null. */
static struct json_object *valid_int(uint16_t validity, uint16_t flag, uint64_t v)
{
	return validity & flag ? fm_json_u64(v) : NULL;
}

/* What General Media and DRAM Event Records share: the first keys of both. */
static struct json_object *media_json(const struct cxlfm_media_event *m, const char *type_name)
{
	static const char *const desc[] = { "uncorrectable", "threshold",
					    "poison-list-overflow" };
	struct json_object *o = json_object_new_object();

	fm_json_add(o, "dpa", fm_json_u64(m->dpa));
	fm_json_add(o, "volatile", json_object_new_boolean(m->dpa_flags & CXLFM_MEDIA_EV_DPA_VOLATILE));
	fm_json_add(o, "not_repairable",
		    json_object_new_boolean(m->dpa_flags & CXLFM_MEDIA_EV_DPA_NOT_REPAIRABLE));
	fm_json_add(o, "descriptor", bit_names(m->descriptor, desc, 3));
	fm_json_add(o, "type", json_object_new_int(m->type));
	fm_json_add(o, "type_name", json_object_new_string(type_name));
	fm_json_add(o, "transaction_type", json_object_new_int(m->transaction_type));
	fm_json_add(o, "transaction_type_name",
		    json_object_new_string(PICK(transactions, m->transaction_type)));
	/* channel and rank are validity bits 0 and 1 of both records */
	fm_json_add(o, "channel", valid_int(m->validity, CXLFM_GEN_MEDIA_VALID_CHANNEL, m->channel));
	fm_json_add(o, "rank", valid_int(m->validity, CXLFM_GEN_MEDIA_VALID_RANK, m->rank));
	return o;
}

/* component_id as hex when its validity flag is set, else null. */
static struct json_object *component_json(uint16_t validity, uint16_t flag, const uint8_t id[16])
{
	return validity & flag ? hex_json(id, 16) : NULL;
}

static struct json_object *gen_media_json(const struct cxlfm_gen_media_event *e)
{
	struct json_object *o = media_json(&e->media, PICK(gm_types, e->media.type));
	uint16_t v = e->media.validity;

	fm_json_add(o, "device", valid_int(v, CXLFM_GEN_MEDIA_VALID_DEVICE, e->device));
	fm_json_add(o, "component_id",
		    component_json(v, CXLFM_GEN_MEDIA_VALID_COMPONENT, e->component_id));
	fm_json_add(o, "cme_count", fm_json_u64(e->cme_count));
	fm_json_add(o, "sub_type", json_object_new_int(e->sub_type));
	return o;
}

static struct json_object *dram_json(const struct cxlfm_dram_event *e)
{
	struct json_object *o = media_json(&e->media, PICK(dram_types, e->media.type));
	struct json_object *masks = NULL;
	uint16_t v = e->media.validity;

	if (v & CXLFM_DRAM_VALID_CORRECTION_MASK) {
		masks = json_object_new_array();
		for (unsigned i = 0; i < CXLFM_DRAM_CORRECTION_MASKS; i++)
			json_object_array_add(masks, fm_json_u64(e->correction_mask[i]));
	}
	fm_json_add(o, "nibble_mask", valid_int(v, CXLFM_DRAM_VALID_NIBBLE_MASK, e->nibble_mask));
	fm_json_add(o, "bank_group", valid_int(v, CXLFM_DRAM_VALID_BANK_GROUP, e->bank_group));
	fm_json_add(o, "bank", valid_int(v, CXLFM_DRAM_VALID_BANK, e->bank));
	fm_json_add(o, "row", valid_int(v, CXLFM_DRAM_VALID_ROW, e->row));
	fm_json_add(o, "column", valid_int(v, CXLFM_DRAM_VALID_COLUMN, e->column));
	fm_json_add(o, "correction_mask", masks);
	fm_json_add(o, "sub_channel", valid_int(v, CXLFM_DRAM_VALID_SUB_CHANNEL, e->sub_channel));
	fm_json_add(o, "component_id",
		    component_json(v, CXLFM_DRAM_VALID_COMPONENT, e->component_id));
	fm_json_add(o, "cvme_count", fm_json_u64(e->cvme_count));
	fm_json_add(o, "sub_type", json_object_new_int(e->sub_type));
	return o;
}

static struct json_object *mem_module_json(const struct cxlfm_mem_module_event *e)
{
	struct json_object *o = json_object_new_object();

	fm_json_add(o, "event_type", json_object_new_int(e->type));
	fm_json_add(o, "event_type_name", json_object_new_string(PICK(mm_types, e->type)));
	fm_json_merge(o, fm_health_json(&e->health));
	fm_json_add(o, "component_id", component_json(e->validity, 0x0001 /* valid */,
						       e->component_id));
	fm_json_add(o, "sub_type", json_object_new_int(e->sub_type));
	return o;
}

static struct json_object *dc_json(const struct cxlfm_dc_event *dc)
{
	struct json_object *d = json_object_new_object();

	fm_json_add(d, "type", json_object_new_string(fm_dc_event_name(dc->type)));
	fm_json_add(d, "region_id", json_object_new_int(dc->region_id));
	fm_json_add(d, "host_id", json_object_new_int(dc->host_id));
	fm_json_add(d, "more", json_object_new_boolean(dc->more));
	fm_json_add(d, "dpa", fm_json_u64(dc->extent.start_dpa));
	fm_json_add(d, "length", fm_json_u64(dc->extent.length));
	fm_json_add(d, "tag", fm_json_uuid(dc->extent.tag));
	fm_json_add(d, "extents_available", fm_json_u64(dc->extents_available));
	return d;
}

static struct json_object *record_json(const struct cxlfm_event_record *r)
{
	static const char *const sev[] = { "informational", "warning", "failure", "fatal" };
	struct json_object *x = json_object_new_object(), *body;
	struct cxlfm_gen_media_event gm;
	struct cxlfm_dram_event dr;
	struct cxlfm_mem_module_event mm;
	struct cxlfm_dc_event dc;
	const char *kind, *key;
	char uuid[37];

	if (!cxlfm_gen_media_event_decode(r, &gm)) {
		kind = "general-media";
		key = "general_media";
		body = gen_media_json(&gm);
	} else if (!cxlfm_dram_event_decode(r, &dr)) {
		kind = "dram";
		key = "dram";
		body = dram_json(&dr);
	} else if (!cxlfm_mem_module_event_decode(r, &mm)) {
		kind = "memory-module";
		key = "memory_module";
		body = mem_module_json(&mm);
	} else if (!cxlfm_dc_event_decode(r, &dc)) {
		kind = "dynamic-capacity";
		key = "dc_event";
		body = dc_json(&dc);
	} else if ((kind = fm_switch_event_kind(r))) {
		key = "switch_event";
		body = fm_switch_event_json(r);
	} else {
		char hex[3 * sizeof(r->data) + 1];

		for (size_t i = 0; i < sizeof(r->data); i++)
			snprintf(hex + 3 * i, 4, "%02x%s", r->data[i],
				 i + 1 < sizeof(r->data) ? " " : "");
		kind = "other";
		key = "data";
		body = json_object_new_string(hex);
	}
	fm_uuid_str(r->uuid, uuid);
	fm_json_add(x, "handle", json_object_new_int(r->handle));
	fm_json_add(x, "related_handle", json_object_new_int(r->related_handle));
	fm_json_add(x, "uuid", json_object_new_string(uuid));
	fm_json_add(x, "kind", json_object_new_string(kind));
	fm_json_add(x, "severity", json_object_new_string(sev[r->flags & 3]));
	fm_json_add(x, "flags", json_object_new_int((int)r->flags));
	fm_json_add(x, "flag_names", flag_names(r->flags));
	fm_json_add(x, "timestamp", fm_json_u64(r->timestamp));
	fm_json_add(x, "ld_id", json_object_new_int(r->ld_id));
	fm_json_add(x, key, body);
	return x;
}

/*
 * Read one log (with clear: drain it) into *out; an exit code. A command
 * that fails after records were cleared still leaves them in *out (the
 * caller prints them: they are gone from the device); otherwise *out is NULL.
 */
static int read_log(struct fmctl *f, struct cxlfm_ep *ep, unsigned log, bool clear,
		    struct json_object **out)
{
	static struct cxlfm_get_event_records_rsp rsp;
	uint16_t handles[CXLFM_EVENT_RECORDS_MAX];
	struct json_object *o, *arr = json_object_new_array();
	uint16_t op = CXLFM_OP_GET_EVENT_RECORDS;
	unsigned cleared = 0, round;
	bool more = false, overflow = false;
	uint16_t overflow_count = 0;
	int rc = 0;

	*out = NULL;
	for (round = 0; round < DRAIN_ROUNDS; round++) {
		rc = cxlfm_cmd_get_event_records(ep, fm_tun(f),
			&(struct cxlfm_get_event_records_req){ (uint8_t)log }, &rsp);
		if (rc)
			break;
		more = rsp.flags & CXLFM_EVENT_FLAG_MORE;
		if (!round) {
			overflow = rsp.flags & CXLFM_EVENT_FLAG_OVERFLOW;
			overflow_count = rsp.overflow_count;
		}
		for (size_t k = 0; k < rsp.num_records; k++) {
			json_object_array_add(arr, record_json(&rsp.records[k]));
			handles[k] = rsp.records[k].handle;
		}
		if (!clear || !rsp.num_records)
			break;
		op = CXLFM_OP_CLEAR_EVENT_RECORDS;
		rc = cxlfm_cmd_clear_event_records(ep, fm_tun(f),
			&(struct cxlfm_clear_event_records_req){ .log = (uint8_t)log,
				.num_handles = (uint8_t)rsp.num_records, .handles = handles });
		if (rc)
			break;
		op = CXLFM_OP_GET_EVENT_RECORDS;
		cleared += rsp.num_records;
		if (!more) /* what the last read did not show arrived after it */
			break;
	}
	if (rc && !cleared) {
		json_object_put(arr);
		return fm_fail(f, ep, op, rc);
	}
	o = json_object_new_object();
	fm_json_add(o, "log", json_object_new_string(fm_event_log_name(log)));
	fm_json_add(o, "overflow", json_object_new_boolean(overflow));
	fm_json_add(o, "more_records", json_object_new_boolean(more));
	fm_json_add(o, "overflow_count", json_object_new_int(overflow_count));
	fm_json_add(o, "records", arr);
	fm_json_add(o, "cleared", json_object_new_int((int)cleared));
	*out = o;
	return rc ? fm_fail(f, ep, op, rc) : EXIT_OK;
}

int cmd_events(int argc, char **argv, struct fmctl *f)
{
	static const struct option opts[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "clear", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	/* fatal first, as Linux's cxl_mem_get_event_records() */
	static const unsigned order[] = { CXLFM_EVENT_LOG_FATAL, CXLFM_EVENT_LOG_FAIL,
					  CXLFM_EVENT_LOG_WARN, CXLFM_EVENT_LOG_INFO,
					  CXLFM_EVENT_LOG_DCD };
	struct ev_opts eo = { .log = CXLFM_EVENT_LOG_DCD };
	struct json_object *o, *all;
	struct cxlfm_ep *ep;
	int rc = fm_begin(f, argc, argv, opts, events_help, ev_opt, &eo, WANT_TYPE3, &ep);

	if (rc >= 0)
		return rc;
	if (eo.log != LOG_ALL) {
		rc = read_log(f, ep, (unsigned)eo.log, eo.clear, &o);
		if (o)
			fm_print(f, o);
		return rc;
	}
	all = json_object_new_array();
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		rc = read_log(f, ep, order[k], eo.clear, &o);
		if (o)
			json_object_array_add(all, o);
		if (rc)
			break;
	}
	if (!rc || json_object_array_length(all))
		fm_print(f, all);
	else
		json_object_put(all);
	return rc;
}
