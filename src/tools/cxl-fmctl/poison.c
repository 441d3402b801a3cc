/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl poison: a memory device's poison and media scans (CXL r3.1
 * §8.2.9.9.4) as a BMC manages them over MCTP: Get Poison List (4300h, the
 * whole list of a range through cxlfm_poison_list()), Inject Poison
 * (4301h), Clear Poison (4302h), Scan Media (4304h, a background
 * operation) with its capabilities (4303h) and results (4305h).
 */
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "cxlfm/media.h"
#include "cxlfm/memdev.h"

#define LINE 64u
#define LIST_MAX 4096       /* records kept of one poison list */
#define SCAN_ROUNDS 4096    /* Get Scan Media Results rounds before giving up on More */
#define SCAN_WAIT_DEFAULT_MS 10000

static const char *source_name(uint8_t s)
{
	switch (s) {
	case CXLFM_MEDIA_ERR_UNKNOWN: return "unknown";
	case CXLFM_MEDIA_ERR_EXTERNAL: return "external";
	case CXLFM_MEDIA_ERR_INTERNAL: return "internal";
	case CXLFM_MEDIA_ERR_INJECTED: return "injected";
	case CXLFM_MEDIA_ERR_VENDOR: return "vendor";
	default: return "reserved";
	}
}

/* Media Error Records r[0..n) appended to the array a. */
static struct json_object *add_records(struct json_object *a, const struct cxlfm_media_err *r,
				       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_new_object();

		fm_json_add(x, "dpa", fm_json_u64(r[i].dpa));
		fm_json_add(x, "length", fm_json_u64(r[i].length));
		fm_json_add(x, "source", json_object_new_string(source_name(r[i].source)));
		json_object_array_add(a, x);
	}
	return a;
}

/*
 * The device's DPA space, [0, static + dynamic capacity): Identify Memory
 * Device (4000h) and, for a DCD, Get DCD Info (5600h; Unsupported: none).
 */
static int dpa_space(struct fmctl *f, struct cxlfm_ep *ep, uint64_t *end)
{
	struct cxlfm_identify_memdev_rsp id;
	struct cxlfm_get_dcd_info_rsp di;
	int rc = cxlfm_cmd_identify_memdev(ep, fm_tun(f), &id);

	if (rc)
		return fm_fail(f, ep, CXLFM_OP_IDENTIFY_MEMORY_DEVICE, rc);
	*end = id.total_capacity;
	rc = cxlfm_cmd_get_dcd_info(ep, fm_tun(f), &di);
	if (rc && rc != CXLFM_RC_UNSUPPORTED)
		return fm_fail(f, ep, CXLFM_OP_GET_DCD_INFO, rc);
	if (!rc)
		*end += di.total_capacity;
	return EXIT_OK;
}

/* ---- options ---- */

struct poison_opts {
	bool has_start, has_length, has_dpa, has_data, no_event_log, wait;
	uint64_t start, length, dpa;
	unsigned long wait_ms;
	uint8_t data[LINE];
};

static int poison_opt(struct fmctl *f, int c, const char *arg, void *ctx)
{
	struct poison_opts *o = ctx;

	(void)f;
	switch (c) {
	case 's':
		o->has_start = true;
		return fm_parse_size(arg, &o->start) ? -1 : 0;
	case 'l':
		o->has_length = true;
		return fm_parse_size(arg, &o->length) || !o->length ? -1 : 0;
	case 'd':
		o->has_dpa = true;
		return fm_parse_size(arg, &o->dpa) ? -1 : 0;
	case 'D':
		o->has_data = true;
		return fm_parse_hex(arg, o->data, sizeof(o->data)) < 0 ? -1 : 0;
	case 'N':
		o->no_event_log = true;
		return 0;
	case 'W':
		o->wait = true;
		return 0;
	case 'w':
		return fm_parse_uint(arg, 3600000, &o->wait_ms) ? -1 : 0;
	default:
		return -1;
	}
}

#define OPT_START { "start", required_argument, NULL, 's' }
#define OPT_LENGTH { "length", required_argument, NULL, 'l' }
#define OPT_DPA { "dpa", required_argument, NULL, 'd' }
#define OPT_END { NULL, 0, NULL, 0 }
static const struct option list_long[] = { OPT_START, OPT_LENGTH, OPT_END };
static const struct option inject_long[] = { OPT_DPA, OPT_END };
static const struct option clear_long[] = {
	OPT_DPA, { "data", required_argument, NULL, 'D' }, OPT_END,
};
static const struct option scan_long[] = {
	OPT_START, OPT_LENGTH,
	{ "no-event-log", no_argument, NULL, 'N' },
	{ "wait", no_argument, NULL, 'W' },
	{ "wait-timeout", required_argument, NULL, 'w' },
	OPT_END,
};

/* fm_begin() on the type-3 device with the poison options. */
static int begin(int argc, char **argv, struct fmctl *f, const struct option *longopts,
		 const char *help, struct poison_opts *po, struct cxlfm_ep **ep)
{
	return fm_begin(f, argc, argv, longopts, help, poison_opt, po, WANT_TYPE3, ep);
}

/* --start / --length, the rest of the DPA space by default; an exit code. */
static int range_of(struct fmctl *f, struct cxlfm_ep *ep, const struct poison_opts *po,
		    uint64_t *start, uint64_t *length)
{
	uint64_t end = 0;
	int rc;

	*start = po->has_start ? po->start : 0;
	if (po->has_length) {
		*length = po->length;
	} else {
		if ((rc = dpa_space(f, ep, &end)))
			return rc;
		if (end <= *start)
			return fm_usage_error(f, "--start 0x%llx is past the device's capacity "
					      "(0x%llx bytes)", (unsigned long long)*start,
					      (unsigned long long)end);
		*length = end - *start;
	}
	if (*start % LINE || *length % LINE)
		return fm_usage_error(f, "--start and --length must be multiples of 64 bytes");
	return EXIT_OK;
}

/* ---- list ---- */

static const char list_help[] =
	"Usage: cxl-fmctl poison list [--start DPA] [--length LEN] [--addr 0xNN |\n"
	"                             --tunnel PORT[:LD]]\n"
	"Get Poison List (4300h, CXL r3.1 8.2.9.9.4.1) of a DPA range (default: the\n"
	"whole device: Identify Memory Device's capacity plus a DCD's dynamic capacity),\n"
	"asked again while the device says More. Sizes take K/M/G suffixes; start and\n"
	"length are multiples of 64 bytes.\n"
	"\n"
	"Keys: start, length, overflow, overflow_timestamp (null without overflow),\n"
	"scan_running, count, records (dpa, length, source: unknown, external,\n"
	"internal, injected, vendor).\n";

static int poison_list(int argc, char **argv, struct fmctl *f)
{
	struct poison_opts po = { .wait = false };
	struct cxlfm_media_err *recs;
	struct json_object *o;
	struct cxlfm_ep *ep;
	uint64_t start, length, ts = 0;
	uint8_t flags = 0;
	size_t n = 0;
	int rc = begin(argc, argv, f, list_long, list_help, &po, &ep);

	if (rc >= 0)
		return rc;
	if ((rc = range_of(f, ep, &po, &start, &length)))
		return rc;
	recs = calloc(LIST_MAX, sizeof(*recs));
	if (!recs)
		return fm_error(f, EXIT_TRANSPORT, "out of memory");
	rc = cxlfm_poison_list(ep, fm_tun(f), start, length, recs, LIST_MAX, &n, &flags, &ts);
	if (rc) {
		free(recs);
		return fm_fail(f, ep, CXLFM_OP_GET_POISON_LIST, rc);
	}
	o = json_object_new_object();
	fm_json_add(o, "start", fm_json_u64(start));
	fm_json_add(o, "length", fm_json_u64(length));
	fm_json_add(o, "overflow", json_object_new_boolean(flags & CXLFM_POISON_OVERFLOW));
	fm_json_add(o, "overflow_timestamp",
		    flags & CXLFM_POISON_OVERFLOW ? fm_json_u64(ts) : NULL);
	fm_json_add(o, "scan_running", json_object_new_boolean(flags & CXLFM_POISON_SCAN_RUNNING));
	fm_json_add(o, "count", fm_json_u64(n));
	fm_json_add(o, "records", add_records(json_object_new_array(), recs,
							 n < LIST_MAX ? n : LIST_MAX));
	free(recs);
	fm_print(f, o);
	return EXIT_OK;
}

/* ---- inject, clear ---- */

static const char inject_help[] =
	"Usage: cxl-fmctl poison inject --dpa DPA [--addr 0xNN | --tunnel PORT[:LD]]\n"
	"Inject Poison (4301h, CXL r3.1 8.2.9.9.4.2): poison the 64-byte line at DPA\n"
	"(64-byte aligned). The device lists it (source injected) and logs a General\n"
	"Media Event.\n"
	"\n"
	"Keys: operation, dpa.\n";

static const char clear_help[] =
	"Usage: cxl-fmctl poison clear --dpa DPA [--data HEX] [--addr 0xNN |\n"
	"                              --tunnel PORT[:LD]]\n"
	"Clear Poison (4302h, CXL r3.1 8.2.9.9.4.3): write the 64-byte line at DPA\n"
	"with --data (up to 64 hex bytes, the rest zero; default all zero) and take\n"
	"it off the poison list.\n"
	"\n"
	"Keys: operation, dpa.\n";

static int line_op(int argc, char **argv, struct fmctl *f, bool inject)
{
	struct poison_opts po = { .wait = false };
	struct json_object *o;
	struct cxlfm_ep *ep;
	int rc = begin(argc, argv, f, inject ? inject_long : clear_long,
		       inject ? inject_help : clear_help, &po, &ep);

	if (rc >= 0)
		return rc;
	if (!po.has_dpa)
		return fm_usage_error(f, "--dpa is required");
	if (po.dpa % LINE)
		return fm_usage_error(f, "--dpa must be 64-byte aligned");
	if (inject) {
		rc = cxlfm_cmd_inject_poison(ep, fm_tun(f),
					     &(struct cxlfm_inject_poison_req){ po.dpa });
	} else {
		struct cxlfm_clear_poison_req req = { .dpa = po.dpa };

		memcpy(req.data, po.data, sizeof(req.data));
		rc = cxlfm_cmd_clear_poison(ep, fm_tun(f), &req);
	}
	if (rc)
		return fm_fail(f, ep, inject ? CXLFM_OP_INJECT_POISON : CXLFM_OP_CLEAR_POISON, rc);
	o = json_object_new_object();
	fm_json_add(o, "operation", json_object_new_string(inject ? "inject" : "clear"));
	fm_json_add(o, "dpa", fm_json_u64(po.dpa));
	fm_print(f, o);
	return EXIT_OK;
}

static int poison_inject(int argc, char **argv, struct fmctl *f)
{
	return line_op(argc, argv, f, true);
}

static int poison_clear(int argc, char **argv, struct fmctl *f)
{
	return line_op(argc, argv, f, false);
}

/* ---- scan, scan-results ---- */

/* Every Get Scan Media Results record (asked again while More) into o; an exit code. */
static int scan_results(struct fmctl *f, struct cxlfm_ep *ep, struct json_object *o)
{
	static struct cxlfm_get_scan_media_results_rsp r;
	struct json_object *arr = json_object_new_array();
	bool stopped = false;
	uint64_t restart_dpa = 0, restart_len = 0;
	int rc = 0;

	for (unsigned round = 0; round < SCAN_ROUNDS; round++) {
		rc = cxlfm_cmd_get_scan_media_results(ep, fm_tun(f), &r);
		if (rc)
			break;
		add_records(arr, r.records, r.num_records);
		if (r.flags & CXLFM_SCAN_STOPPED) {
			stopped = true;
			restart_dpa = r.restart_dpa;
			restart_len = r.restart_length;
		}
		if (!(r.flags & CXLFM_SCAN_MORE) || !r.num_records)
			break;
	}
	if (rc) {
		json_object_put(arr);
		return fm_fail(f, ep, CXLFM_OP_GET_SCAN_MEDIA_RESULTS, rc);
	}
	fm_json_add(o, "stopped", json_object_new_boolean(stopped));
	fm_json_add(o, "restart_dpa", stopped ? fm_json_u64(restart_dpa) : NULL);
	fm_json_add(o, "restart_length", stopped ? fm_json_u64(restart_len) : NULL);
	fm_json_add(o, "count", fm_json_u64(json_object_array_length(arr)));
	fm_json_add(o, "records", arr);
	return EXIT_OK;
}

static const char scan_help[] =
	"Usage: cxl-fmctl poison scan [--start DPA] [--length LEN] [--no-event-log]\n"
	"                             [--wait [--wait-timeout MS]] [--addr 0xNN |\n"
	"                             --tunnel PORT[:LD]]\n"
	"Scan Media (4304h, CXL r3.1 8.2.9.9.4.5) of a DPA range (default: the whole\n"
	"device), after Get Scan Media Capabilities (4303h) for its estimate. The scan\n"
	"runs in the background: without --wait the command returns once it started\n"
	"('cxl-fmctl bg' with the same endpoint options shows its progress, 'poison\n"
	"scan-results' its results); with --wait it polls Background Operation Status\n"
	"(0002h) until the scan finishes (--wait-timeout, default twice the device's\n"
	"estimate and at least 10000 ms; exit code 5 when it runs longer) and reads\n"
	"the results (4305h). --no-event-log: no General Media Event per error found.\n"
	"\n"
	"Keys: start, length, estimated_ms, no_event_log, background, completed, and\n"
	"with --wait rc, rc_name (the scan's return code) and the scan-results keys.\n";

static const char results_help[] =
	"Usage: cxl-fmctl poison scan-results [--addr 0xNN | --tunnel PORT[:LD]]\n"
	"Get Scan Media Results (4305h, CXL r3.1 8.2.9.9.4.6) of the last scan, asked\n"
	"again while the device says More. The device hands each result out once.\n"
	"\n"
	"Keys: stopped (the scan stopped early), restart_dpa, restart_length (where to\n"
	"scan again; null unless stopped), count, records (dpa, length, source).\n";

static int poison_scan(int argc, char **argv, struct fmctl *f)
{
	struct poison_opts po = { .wait_ms = 0 };
	struct cxlfm_get_scan_media_caps_rsp caps;
	struct json_object *o;
	struct cxlfm_ep *ep;
	uint64_t start, length;
	int rc = begin(argc, argv, f, scan_long, scan_help, &po, &ep);

	if (rc >= 0)
		return rc;
	if ((rc = range_of(f, ep, &po, &start, &length)))
		return rc;
	rc = cxlfm_cmd_get_scan_media_caps(ep, fm_tun(f),
		&(struct cxlfm_get_scan_media_caps_req){ start, length }, &caps);
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_GET_SCAN_MEDIA_CAPS, rc);
	rc = cxlfm_cmd_scan_media(ep, fm_tun(f), &(struct cxlfm_scan_media_req){
		.start_dpa = start, .length = length, .no_event_log = po.no_event_log });
	o = json_object_new_object();
	fm_json_add(o, "start", fm_json_u64(start));
	fm_json_add(o, "length", fm_json_u64(length));
	fm_json_add(o, "estimated_ms", fm_json_u64(caps.estimated_ms));
	fm_json_add(o, "no_event_log", json_object_new_boolean(po.no_event_log));
	if (!po.wait_ms) /* twice the estimate, at least the default */
		po.wait_ms = caps.estimated_ms < SCAN_WAIT_DEFAULT_MS / 2 ?
			     SCAN_WAIT_DEFAULT_MS : 2ul * caps.estimated_ms;
	rc = fm_bg_finish(f, ep, CXLFM_OP_SCAN_MEDIA, rc, !po.wait, po.wait_ms, o);
	if (rc >= 0)
		return rc;
	if ((rc = scan_results(f, ep, o))) {
		json_object_put(o);
		return rc;
	}
	fm_print(f, o);
	return EXIT_OK;
}

static int poison_scan_results(int argc, char **argv, struct fmctl *f)
{
	struct poison_opts po = { .wait = false };
	struct json_object *o;
	struct cxlfm_ep *ep;
	int rc = begin(argc, argv, f, NULL, results_help, &po, &ep);

	if (rc >= 0)
		return rc;
	o = json_object_new_object();
	if ((rc = scan_results(f, ep, o))) {
		json_object_put(o);
		return rc;
	}
	fm_print(f, o);
	return EXIT_OK;
}

int cmd_poison(int argc, char **argv, struct fmctl *f)
{
	static const struct fm_subcmd subs[] = {
		{ "list", poison_list, "Get Poison List (4300h) of a DPA range" },
		{ "inject", poison_inject, "Inject Poison (4301h) at a 64-byte line" },
		{ "clear", poison_clear, "Clear Poison (4302h) of a 64-byte line" },
		{ "scan", poison_scan, "Scan Media (4304h), a background operation" },
		{ "scan-results", poison_scan_results, "Get Scan Media Results (4305h)" },
	};

	return fm_run_subcmd("poison", subs, sizeof(subs) / sizeof(subs[0]), argc, argv, f);
}
