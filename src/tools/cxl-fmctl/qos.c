/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl qos: an MLD's QoS (CXL r3.1 §7.6.7.4.4-.10): the QoS Telemetry
 * controls, the egress port's backpressure, and each LD's allocated
 * bandwidth and bandwidth limit fractions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "cxlfm/qos.h"

static struct json_object *control_json(const struct cxlfm_qos_control *c)
{
	struct json_object *o = json_object_new_object();

	fm_json_add(o, "egress_congestion",
		    json_object_new_boolean(c->control & CXLFM_QOS_EGRESS_CONGESTION));
	fm_json_add(o, "throughput_reduction",
		    json_object_new_boolean(c->control & CXLFM_QOS_THROUGHPUT_REDUCTION));
	fm_json_add(o, "moderate_pct", json_object_new_int(c->moderate_pct));
	fm_json_add(o, "severe_pct", json_object_new_int(c->severe_pct));
	fm_json_add(o, "sample_interval", json_object_new_int(c->sample_interval));
	fm_json_add(o, "reqcmp_basis", json_object_new_int(c->reqcmp_basis));
	fm_json_add(o, "completion_interval", json_object_new_int(c->completion_interval));
	return o;
}

static const char control_help[] =
	"Usage: cxl-fmctl qos control [--addr 0xNN | --tunnel PORT]\n"
	"       cxl-fmctl qos control set [--egress-congestion on|off]\n"
	"             [--throughput-reduction on|off] [--moderate PCT] [--severe PCT]\n"
	"             [--sample-interval N] [--reqcmp-basis N] [--completion-interval N]\n"
	"Get QoS Control (5403h, CXL r3.1 7.6.7.4.4) of a multi-logical device; 'set'\n"
	"changes the given controls with Set QoS Control (5404h, 7.6.7.4.5), the others\n"
	"keep their value, and prints the controls the device then reports.\n"
	"\n"
	"Keys: egress_congestion, throughput_reduction (enables), moderate_pct,\n"
	"severe_pct, sample_interval, reqcmp_basis, completion_interval.\n";

/* The controls 'set' takes: option letter, largest value (the enables: 1). */
enum { O_EGRESS, O_TTR, O_MOD, O_SEV, O_SI, O_RCB, O_CCI, O_COUNT };
static const struct {
	int c;
	unsigned long max;
} ctl_opts[O_COUNT] = {
	{ 'E', 1 }, { 'R', 1 }, { 'm', 255 }, { 'S', 255 }, { 'i', 255 }, { 'b', 65535 },
	{ 'c', 255 },
};

/* Which controls 'set' was given, and their values. */
struct control_opts {
	unsigned long v[O_COUNT];
	unsigned given;
};

static int on_off(const char *s, unsigned long *on)
{
	if (!strcmp(s, "on") || !strcmp(s, "1"))
		*on = 1;
	else if (!strcmp(s, "off") || !strcmp(s, "0"))
		*on = 0;
	else
		return -1;
	return 0;
}

static int control_opt(struct fmctl *f, int c, const char *arg, void *ctx)
{
	struct control_opts *o = ctx;

	(void)f;
	for (unsigned k = 0; k < O_COUNT; k++) {
		if (ctl_opts[k].c != c)
			continue;
		if (k <= O_TTR ? on_off(arg, &o->v[k]) : fm_parse_uint(arg, ctl_opts[k].max, &o->v[k]))
			return -1;
		o->given |= 1u << k;
		return 0;
	}
	return -1;
}

/* The current controls with the given ones put in. */
static void merge(struct cxlfm_qos_control *cur, const struct control_opts *o)
{
	static const uint8_t bit[2] = { CXLFM_QOS_EGRESS_CONGESTION,
					CXLFM_QOS_THROUGHPUT_REDUCTION };
	uint8_t *field[O_COUNT] = { NULL, NULL, &cur->moderate_pct, &cur->severe_pct,
				    &cur->sample_interval, NULL, &cur->completion_interval };

	for (unsigned k = 0; k < O_COUNT; k++) {
		if (!(o->given & 1u << k))
			continue;
		if (k <= O_TTR)
			cur->control = (uint8_t)(o->v[k] ? cur->control | bit[k] :
							   cur->control & ~bit[k]);
		else if (k == O_RCB)
			cur->reqcmp_basis = (uint16_t)o->v[k];
		else
			*field[k] = (uint8_t)o->v[k];
	}
}

/*
 * Parse a qos sub-command's options and its one optional operand, 'set',
 * and find the MLD it acts on. Returns true to go on; false with *exit set
 * (help printed, a usage error, no endpoint).
 */
static bool prepare(struct fmctl *f, int argc, char **argv, const struct option *opts,
		    const char *help, int (*cb)(struct fmctl *, int, const char *, void *),
		    void *ctx, int *set_at, struct cxlfm_ep **ep, int *exit)
{
	int i = fm_parse(f, argc, argv, "", opts, help, cb, ctx);

	*set_at = -1;
	if (i < 0) {
		*exit = fm_parse_exit(i);
		return false;
	}
	if (i < argc && set_at && opts && !strcmp(argv[i], "set"))
		*set_at = i++;
	if (i < argc && *set_at < 0) {
		*exit = fm_extra_operand(f, argv[i]);
		return false;
	}
	*exit = fm_endpoint(f, WANT_TYPE3, ep);
	return *exit == EXIT_OK;
}

static int qos_control(int argc, char **argv, struct fmctl *f)
{
	static const struct option opts[] = {
		{ "egress-congestion", required_argument, NULL, 'E' },
		{ "throughput-reduction", required_argument, NULL, 'R' },
		{ "moderate", required_argument, NULL, 'm' },
		{ "severe", required_argument, NULL, 'S' },
		{ "sample-interval", required_argument, NULL, 'i' },
		{ "reqcmp-basis", required_argument, NULL, 'b' },
		{ "completion-interval", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct control_opts o = { .given = 0 };
	struct cxlfm_qos_control cur;
	struct cxlfm_ep *ep;
	int set, rc;

	if (!prepare(f, argc, argv, opts, control_help, control_opt, &o, &set, &ep, &rc))
		return rc;
	if (o.given && set < 0)
		return fm_usage_error(f, "controls are given with 'qos control set'");
	if (set >= 0 && set + 1 < argc)
		return fm_extra_operand(f, argv[set + 1]);
	rc = cxlfm_cmd_get_qos_control(ep, fm_tun(f), &cur);
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_GET_QOS_CONTROL, rc);
	if (set >= 0) {
		merge(&cur, &o);
		rc = cxlfm_cmd_set_qos_control(ep, fm_tun(f), &cur, &cur);
		if (rc)
			return fm_fail(f, ep, CXLFM_OP_SET_QOS_CONTROL, rc);
	}
	fm_print(f, control_json(&cur));
	return EXIT_OK;
}

static const char status_help[] =
	"Usage: cxl-fmctl qos status [--addr 0xNN | --tunnel PORT]\n"
	"Get QoS Status (5405h, CXL r3.1 7.6.7.4.6) of a multi-logical device: the\n"
	"egress port's Backpressure Average Percentage (0 while egress congestion is\n"
	"off or the sample interval is 0).\n"
	"\n"
	"Keys: backpressure_pct.\n";

static int qos_status(int argc, char **argv, struct fmctl *f)
{
	struct cxlfm_get_qos_status_rsp st;
	struct json_object *o;
	struct cxlfm_ep *ep;
	int set, rc;

	if (!prepare(f, argc, argv, NULL, status_help, NULL, NULL, &set, &ep, &rc))
		return rc;
	rc = cxlfm_cmd_get_qos_status(ep, fm_tun(f), &st);
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_GET_QOS_STATUS, rc);
	o = json_object_new_object();
	fm_json_add(o, "backpressure_pct", json_object_new_int(st.backpressure_pct));
	fm_print(f, o);
	return EXIT_OK;
}

/* The per-LD fraction commands: alloc (5406h / 5407h) and limit (5408h / 5409h). */
struct frac_cmd {
	uint16_t get_op, set_op;
	int (*get)(struct cxlfm_ep *, const struct cxlfm_tunnel *,
		   const struct cxlfm_qos_lds_req *, struct cxlfm_qos_fractions *);
	int (*set)(struct cxlfm_ep *, const struct cxlfm_tunnel *,
		   const struct cxlfm_qos_fractions *, struct cxlfm_qos_fractions *);
	const char *help;
};

struct frac_opts {
	unsigned long start, count;
	bool has_count;
};

static int frac_opt(struct fmctl *f, int c, const char *arg, void *ctx)
{
	struct frac_opts *o = ctx;

	(void)f;
	if (c == 's')
		return fm_parse_uint(arg, 255, &o->start) ? -1 : 0;
	if (c == 'n') {
		o->has_count = true;
		return fm_parse_uint(arg, CXLFM_LD_MAX, &o->count) || !o->count ? -1 : 0;
	}
	return -1;
}

static struct json_object *fractions_json(const struct cxlfm_qos_fractions *r)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	fm_json_add(o, "start_ld", json_object_new_int(r->start_ld));
	for (unsigned i = 0; i < r->num_lds; i++) {
		struct json_object *x = json_object_new_object();

		fm_json_add(x, "ld", json_object_new_int((int)(r->start_ld + i)));
		fm_json_add(x, "fraction", json_object_new_int(r->fraction[i]));
		/* of the bandwidth, in percent: fraction / 256 */
		fm_json_add(x, "percent", json_object_new_double(r->fraction[i] * 100.0 / 256));
		json_object_array_add(a, x);
	}
	fm_json_add(o, "lds", a);
	return o;
}

static int frac_run(const struct frac_cmd *fc, int argc, char **argv, struct fmctl *f)
{
	static const struct option opts[] = {
		{ "start", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct frac_opts fo = { .start = 0 };
	struct cxlfm_qos_fractions r = { .num_lds = 0 };
	struct cxlfm_ep *ep;
	int set, rc;

	if (!prepare(f, argc, argv, opts, fc->help, frac_opt, &fo, &set, &ep, &rc))
		return rc;
	if (set >= 0) {
		int n = argc - set - 1;

		if (n < 1 || n > CXLFM_LD_MAX)
			return fm_usage_error(f, "give 1 to %d fractions (0-255, of 256)",
					      CXLFM_LD_MAX);
		if (fo.has_count)
			return fm_usage_error(f, "'set' takes one fraction per LD, not --count");
		r.num_lds = (uint8_t)n;
		r.start_ld = (uint8_t)fo.start;
		for (int k = 0; k < n; k++) {
			unsigned long v;

			if (fm_parse_uint(argv[set + 1 + k], 255, &v))
				return fm_usage_error(f, "bad fraction '%s' (0-255, of 256)",
						      argv[set + 1 + k]);
			r.fraction[k] = (uint8_t)v;
		}
		rc = fc->set(ep, fm_tun(f), &r, &r);
		if (rc)
			return fm_fail(f, ep, fc->set_op, rc);
		fm_print(f, fractions_json(&r));
		return EXIT_OK;
	}
	if (!fo.has_count) {
		struct cxlfm_get_ld_info_rsp li;

		/* every LD from --start: the device says how many it has */
		rc = cxlfm_cmd_get_ld_info(ep, fm_tun(f), &li);
		if (rc)
			return fm_fail(f, ep, CXLFM_OP_GET_LD_INFO, rc);
		if (fo.start >= li.ld_count || li.ld_count > CXLFM_LD_MAX)
			return fm_error(f, EXIT_USAGE, "the device has %u LDs: none from %lu",
					li.ld_count, fo.start);
		fo.count = li.ld_count - fo.start;
	}
	rc = fc->get(ep, fm_tun(f), &(struct cxlfm_qos_lds_req){ (uint8_t)fo.count,
								 (uint8_t)fo.start }, &r);
	if (rc)
		return fm_fail(f, ep, fc->get_op, rc);
	fm_print(f, fractions_json(&r));
	return EXIT_OK;
}

static const struct frac_cmd alloc_cmd = {
	CXLFM_OP_GET_QOS_ALLOCATED_BW, CXLFM_OP_SET_QOS_ALLOCATED_BW,
	cxlfm_cmd_get_qos_allocated_bw, cxlfm_cmd_set_qos_allocated_bw,
	"Usage: cxl-fmctl qos alloc [--start N] [--count N] [--addr 0xNN | --tunnel PORT]\n"
	"       cxl-fmctl qos alloc set [--start N] FRACTION [FRACTION...]\n"
	"Get QoS Allocated BW (5406h, CXL r3.1 7.6.7.4.7): each LD's share of the\n"
	"device's bandwidth when it is congested, from --start (default 0), --count LDs\n"
	"(default: the rest, from Get LD Info). 'set' runs Set QoS Allocated BW (5407h,\n"
	"7.6.7.4.8), one fraction (0-255, of 256) per LD from --start on.\n"
	"\n"
	"Keys: start_ld, lds (ld, fraction: of 256, percent).\n",
};

static const struct frac_cmd limit_cmd = {
	CXLFM_OP_GET_QOS_BW_LIMIT, CXLFM_OP_SET_QOS_BW_LIMIT,
	cxlfm_cmd_get_qos_bw_limit, cxlfm_cmd_set_qos_bw_limit,
	"Usage: cxl-fmctl qos limit [--start N] [--count N] [--addr 0xNN | --tunnel PORT]\n"
	"       cxl-fmctl qos limit set [--start N] FRACTION [FRACTION...]\n"
	"Get QoS BW Limit (5408h, CXL r3.1 7.6.7.4.9): each LD's bandwidth limit as a\n"
	"fraction of ReqCmpBasis (see 'qos control'), from --start (default 0), --count\n"
	"LDs (default: the rest). 'set' runs Set QoS BW Limit (5409h, 7.6.7.4.10), one\n"
	"fraction (0-255, of 256) per LD from --start on.\n"
	"\n"
	"Keys: start_ld, lds (ld, fraction: of 256, percent).\n",
};

static int qos_alloc(int argc, char **argv, struct fmctl *f)
{
	return frac_run(&alloc_cmd, argc, argv, f);
}

static int qos_limit(int argc, char **argv, struct fmctl *f)
{
	return frac_run(&limit_cmd, argc, argv, f);
}

static const struct fm_subcmd qos_cmds[] = {
	{ "control", qos_control, "Get QoS Control (5403h); 'control set': Set QoS Control (5404h)" },
	{ "status", qos_status, "Get QoS Status (5405h): the egress backpressure" },
	{ "alloc", qos_alloc, "Get QoS Allocated BW (5406h); 'alloc set': 5407h" },
	{ "limit", qos_limit, "Get QoS BW Limit (5408h); 'limit set': 5409h" },
};

int cmd_qos(int argc, char **argv, struct fmctl *f)
{
	return fm_run_subcmd("qos", qos_cmds, sizeof(qos_cmds) / sizeof(qos_cmds[0]), argc, argv,
			     f);
}
