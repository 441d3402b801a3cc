/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl events: Get Event Records (0100h, CXL r3.1 §8.2.9.2.2) of one
 * event log, Dynamic Capacity records decoded, optionally cleared after
 * (Clear Event Records, 0101h). Event logs belong to a type-3 device's
 * CCIs and a switch's (--addr of its endpoint: Physical Switch, Virtual
 * CXL Switch and MLD Port records, decoded by fabric.c); a CCI without
 * them answers Unsupported.
 */
#include <stdio.h>
#include <string.h>

#include "builtin.h"

static const char events_help[] =
	"Usage: cxl-fmctl events [--log informational|warning|failure|fatal|dyncap]\n"
	"                        [--clear] [--addr 0xNN | --tunnel PORT[:LD]]\n"
	"Get Event Records (0100h, CXL r3.1 8.2.9.2.2) of an event log (default\n"
	"dyncap, the Dynamic Capacity log), Dynamic Capacity records decoded.\n"
	"--clear then clears the records shown (Clear Event Records, 0101h).\n"
	"\n"
	"A switch's logs (--addr of the switch) hold Physical Switch, Virtual CXL\n"
	"Switch and MLD Port records (CXL r3.1 7.6.8), decoded as switch_event.\n"
	"\n"
	"Keys: log, overflow, more_records, overflow_count, records (handle,\n"
	"related_handle, uuid, kind, severity, flags, timestamp, ld_id, dc_event\n"
	"(type, region_id, host_id, more, dpa, length, tag, extents_available),\n"
	"switch_event or data (hex)), cleared.\n";

static const uint8_t gen_media_uuid[16] = {
	0xfb, 0xcd, 0x0a, 0x77, 0xc2, 0x60, 0x41, 0x7f,
	0x85, 0xa9, 0x08, 0x8b, 0x16, 0x21, 0xeb, 0xa6,
};

struct ev_opts {
	int log;
	bool clear;
};

static int ev_opt(struct fmctl *f, int c, const char *arg, void *ctx)
{
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
	if (!strcmp(arg, "info"))
		o->log = CXLFM_EVENT_LOG_INFO;
	else if (!strcmp(arg, "warn"))
		o->log = CXLFM_EVENT_LOG_WARN;
	else if (!strcmp(arg, "fail"))
		o->log = CXLFM_EVENT_LOG_FAIL;
	else if (!strcmp(arg, "dcd"))
		o->log = CXLFM_EVENT_LOG_DCD;
	else
		return -1;
	return 0;
}

static struct json_object *record_json(const struct cxlfm_event_record *r)
{
	static const char *const sev[] = { "informational", "warning", "failure", "fatal" };
	struct json_object *x = json_object_new_object();
	struct cxlfm_dc_event dc;
	const char *sw_kind = fm_switch_event_kind(r);
	char uuid[37], hex[3 * sizeof(r->data) + 1];

	fm_uuid_str(r->uuid, uuid);
	fm_json_add(x, "handle", json_object_new_int(r->handle));
	fm_json_add(x, "related_handle", json_object_new_int(r->related_handle));
	fm_json_add(x, "uuid", json_object_new_string(uuid));
	fm_json_add(x, "kind", json_object_new_string(
		!memcmp(r->uuid, cxlfm_dc_event_uuid, 16) ? "dynamic-capacity" :
		!memcmp(r->uuid, gen_media_uuid, 16) ? "general-media" : sw_kind ? sw_kind :
		"other"));
	fm_json_add(x, "severity", json_object_new_string(sev[r->flags & 3]));
	fm_json_add(x, "flags", json_object_new_int((int)r->flags));
	fm_json_add(x, "timestamp", fm_json_u64(r->timestamp));
	fm_json_add(x, "ld_id", json_object_new_int(r->ld_id));
	if (!cxlfm_dc_event_decode(r, &dc)) {
		struct json_object *d = json_object_new_object();

		fm_json_add(d, "type", json_object_new_string(fm_dc_event_name(dc.type)));
		fm_json_add(d, "region_id", json_object_new_int(dc.region_id));
		fm_json_add(d, "host_id", json_object_new_int(dc.host_id));
		fm_json_add(d, "more", json_object_new_boolean(dc.more));
		fm_json_add(d, "dpa", fm_json_u64(dc.extent.start_dpa));
		fm_json_add(d, "length", fm_json_u64(dc.extent.length));
		fm_json_add(d, "tag", fm_json_uuid(dc.extent.tag));
		fm_json_add(d, "extents_available", fm_json_u64(dc.extents_available));
		fm_json_add(x, "dc_event", d);
	} else if (sw_kind) {
		fm_json_add(x, "switch_event", fm_switch_event_json(r));
	} else {
		for (size_t i = 0; i < sizeof(r->data); i++)
			snprintf(hex + 3 * i, 4, "%02x%s", r->data[i],
				 i + 1 < sizeof(r->data) ? " " : "");
		fm_json_add(x, "data", json_object_new_string(hex));
	}
	return x;
}

int cmd_events(int argc, char **argv, struct fmctl *f)
{
	static const struct option opts[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "clear", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	static struct cxlfm_get_event_records_rsp rsp;
	struct ev_opts eo = { .log = CXLFM_EVENT_LOG_DCD };
	uint16_t handles[CXLFM_EVENT_RECORDS_MAX];
	struct json_object *o, *arr;
	struct cxlfm_ep *ep;
	int i = fm_parse(f, argc, argv, "", opts, events_help, ev_opt, &eo);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	if ((rc = fm_endpoint(f, WANT_TYPE3, &ep)))
		return rc;
	rc = cxlfm_cmd_get_event_records(ep, fm_tun(f),
		&(struct cxlfm_get_event_records_req){ (uint8_t)eo.log }, &rsp);
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_GET_EVENT_RECORDS, rc);
	o = json_object_new_object();
	fm_json_add(o, "log", json_object_new_string(fm_event_log_name((unsigned)eo.log)));
	fm_json_add(o, "overflow", json_object_new_boolean(rsp.flags & CXLFM_EVENT_FLAG_OVERFLOW));
	fm_json_add(o, "more_records", json_object_new_boolean(rsp.flags & CXLFM_EVENT_FLAG_MORE));
	fm_json_add(o, "overflow_count", json_object_new_int(rsp.overflow_count));
	arr = json_object_new_array();
	for (size_t k = 0; k < rsp.num_records; k++) {
		json_object_array_add(arr, record_json(&rsp.records[k]));
		handles[k] = rsp.records[k].handle;
	}
	fm_json_add(o, "records", arr);
	if (eo.clear && rsp.num_records) {
		rc = cxlfm_cmd_clear_event_records(ep, fm_tun(f),
			&(struct cxlfm_clear_event_records_req){ .log = (uint8_t)eo.log,
				.num_handles = (uint8_t)rsp.num_records, .handles = handles });
		if (rc) {
			json_object_put(o);
			return fm_fail(f, ep, CXLFM_OP_CLEAR_EVENT_RECORDS, rc);
		}
	}
	fm_json_add(o, "cleared", json_object_new_int(eo.clear ? rsp.num_records : 0));
	fm_print(f, o);
	return EXIT_OK;
}
