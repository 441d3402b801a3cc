/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl ld: the MLD Components command set (CXL r3.1 §7.6.7.4) of a
 * multi-logical device: Get LD Info, Get / Set LD Allocations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"

static const char info_help[] =
	"Usage: cxl-fmctl ld info [--addr 0xNN | --tunnel PORT]\n"
	"Get LD Info (5400h, CXL r3.1 7.6.7.4.1) of a multi-logical device.\n"
	"\n"
	"Keys: memory_size (bytes), ld_count, qos_telemetry_caps.\n";

static int ld_info(int argc, char **argv, struct fmctl *f)
{
	struct cxlfm_get_ld_info_rsp li;
	struct json_object *o;
	struct cxlfm_ep *ep;
	int i = fm_parse(f, argc, argv, "", NULL, info_help, NULL, NULL);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	if ((rc = fm_endpoint(f, WANT_TYPE3, &ep)))
		return rc;
	rc = cxlfm_cmd_get_ld_info(ep, fm_tun(f), &li);
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_GET_LD_INFO, rc);
	o = json_object_new_object();
	fm_json_add(o, "memory_size", fm_json_u64(li.memory_size));
	fm_json_add(o, "ld_count", json_object_new_int(li.ld_count));
	fm_json_add(o, "qos_telemetry_caps", json_object_new_int(li.qos_telemetry_caps));
	fm_print(f, o);
	return EXIT_OK;
}

static const char alloc_help[] =
	"Usage: cxl-fmctl ld alloc [--start N] [--limit N] [--addr 0xNN | --tunnel PORT]\n"
	"       cxl-fmctl ld alloc set [--start N] R1[:R2] [R1[:R2]...]\n"
	"Get LD Allocations (5401h, CXL r3.1 7.6.7.4.2): the allocation multipliers\n"
	"of each LD from --start (default 0), at most --limit (default all).\n"
	"'set' runs Set LD Allocations (5402h, 7.6.7.4.3): one R1[:R2] pair of\n"
	"range multipliers (of the memory granularity) per LD, from --start on.\n"
	"\n"
	"Keys: num_lds, granularity (bytes), start_ld, allocations (ld, range1,\n"
	"range2, size: bytes).\n";

struct alloc_opts {
	unsigned long start, limit;
};

static int alloc_opt(struct fmctl *f, int c, const char *arg, void *ctx)
{
	struct alloc_opts *o = ctx;

	(void)f;
	if (c == 's')
		return fm_parse_uint(arg, 255, &o->start) ? -1 : 0;
	if (c == 'l')
		return fm_parse_uint(arg, 255, &o->limit) ? -1 : 0;
	return -1;
}

static struct json_object *allocs_json(uint8_t gran, unsigned start,
				       const struct cxlfm_ld_allocation *e, size_t n)
{
	struct json_object *a = json_object_new_array();
	uint64_t g = (256ull << 20) << (gran < 8 ? gran : 0);

	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_new_object();

		fm_json_add(x, "ld", json_object_new_int((int)(start + i)));
		fm_json_add(x, "range1", fm_json_u64(e[i].range1));
		fm_json_add(x, "range2", fm_json_u64(e[i].range2));
		fm_json_add(x, "size", fm_json_u64((e[i].range1 + e[i].range2) * g));
		json_object_array_add(a, x);
	}
	return a;
}

static int alloc_set(struct fmctl *f, struct cxlfm_ep *ep, unsigned start, int argc,
		     char **argv)
{
	struct cxlfm_set_ld_allocations_req req = { .start_ld = (uint8_t)start };
	struct cxlfm_set_ld_allocations_rsp rsp;
	struct cxlfm_get_ld_allocations_rsp g;
	struct json_object *o;
	int rc;

	if (argc == 0 || argc > CXLFM_LD_MAX)
		return fm_usage_error(f, "give 1 to %d R1[:R2] allocations", CXLFM_LD_MAX);
	for (int i = 0; i < argc; i++) {
		char *colon = strchr(argv[i], ':');
		uint64_t r1, r2 = 0;

		if (colon)
			*colon = 0;
		if (fm_parse_u64(argv[i], &r1) || (colon && fm_parse_u64(colon + 1, &r2)))
			return fm_usage_error(f, "bad allocation '%s'", argv[i]);
		req.entries[i] = (struct cxlfm_ld_allocation){ r1, r2 };
	}
	req.num_entries = (uint8_t)argc;
	rc = cxlfm_cmd_set_ld_allocations(ep, fm_tun(f), &req, &rsp);
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_SET_LD_ALLOCATIONS, rc);
	/* The granularity comes with Get LD Allocations. */
	rc = cxlfm_cmd_get_ld_allocations(ep, fm_tun(f),
		&(struct cxlfm_get_ld_allocations_req){ 0, 1 }, &g);
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_GET_LD_ALLOCATIONS, rc);
	o = json_object_new_object();
	fm_json_add(o, "num_lds", json_object_new_int(g.num_lds));
	fm_json_add(o, "granularity", fm_json_u64((256ull << 20) << (g.granularity < 8 ?
								   g.granularity : 0)));
	fm_json_add(o, "start_ld", json_object_new_int(rsp.start_ld));
	fm_json_add(o, "allocations", allocs_json(g.granularity, rsp.start_ld, rsp.entries,
						  rsp.num_entries));
	fm_print(f, o);
	return EXIT_OK;
}

static int ld_alloc(int argc, char **argv, struct fmctl *f)
{
	static const struct option opts[] = {
		{ "start", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct alloc_opts ao = { .start = 0, .limit = 255 };
	struct cxlfm_get_ld_allocations_rsp rsp;
	struct cxlfm_ld_allocation all[256];
	struct json_object *o;
	struct cxlfm_ep *ep;
	uint8_t gran = 0, nlds = 0;
	size_t n = 0;
	int i = fm_parse(f, argc, argv, "", opts, alloc_help, alloc_opt, &ao);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc && strcmp(argv[i], "set"))
		return fm_extra_operand(f, argv[i]);
	if ((rc = fm_endpoint(f, WANT_TYPE3, &ep)))
		return rc;
	if (i < argc)
		return alloc_set(f, ep, (unsigned)ao.start, argc - i - 1, argv + i + 1);
	for (unsigned start = (unsigned)ao.start; n < ao.limit;) {
		size_t want = ao.limit - n < CXLFM_LD_MAX ? ao.limit - n : CXLFM_LD_MAX;

		rc = cxlfm_cmd_get_ld_allocations(ep, fm_tun(f),
			&(struct cxlfm_get_ld_allocations_req){ (uint8_t)start, (uint8_t)want }, &rsp);
		if (rc)
			return fm_fail(f, ep, CXLFM_OP_GET_LD_ALLOCATIONS, rc);
		memcpy(all + n, rsp.entries, rsp.num_entries * sizeof(all[0]));
		n += rsp.num_entries;
		gran = rsp.granularity;
		nlds = rsp.num_lds;
		start += rsp.num_entries;
		if (!rsp.num_entries || start >= rsp.num_lds)
			break;
	}
	o = json_object_new_object();
	fm_json_add(o, "num_lds", json_object_new_int(nlds));
	fm_json_add(o, "granularity", fm_json_u64((256ull << 20) << (gran < 8 ? gran : 0)));
	fm_json_add(o, "start_ld", json_object_new_int((int)ao.start));
	fm_json_add(o, "allocations", allocs_json(gran, (unsigned)ao.start, all, n));
	fm_print(f, o);
	return EXIT_OK;
}

static const struct fm_subcmd ld_cmds[] = {
	{ "info", ld_info, "Get LD Info (5400h)" },
	{ "alloc", ld_alloc, "Get LD Allocations (5401h); 'alloc set': Set LD Allocations (5402h)" },
};

int cmd_ld(int argc, char **argv, struct fmctl *f)
{
	return fm_run_subcmd("ld", ld_cmds, sizeof(ld_cmds) / sizeof(ld_cmds[0]), argc, argv, f);
}
