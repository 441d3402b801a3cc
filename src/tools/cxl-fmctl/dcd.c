/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl dcd: the DCD Management command set (CXL r3.1 §7.6.7.6) of a
 * dynamic capacity device. Extents are given like QEMU's QMP
 * cxl-add-dynamic-capacity: OFFSET:LEN from the base of --region; the
 * region configuration (5601h) turns them into device physical addresses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builtin.h"

#define MAX_EXTENTS 48          /* 32 + 48 x 40 bytes: one 2 KiB message */
#define WAIT_DEFAULT_MS 5000
#define WAIT_POLL_MS 5

int fm_dcd_regions(struct fmctl *f, struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		   struct cxlfm_get_host_dc_region_config_rsp *out)
{
	struct cxlfm_get_host_dc_region_config_rsp page;
	int rc;

	out->regions_returned = 0;
	do {
		struct cxlfm_get_host_dc_region_config_req req = {
			.region_count = CXLFM_DC_REGIONS_MAX,
			.start_region = out->regions_returned,
		};

		rc = cxlfm_cmd_get_host_dc_region_config(ep, tun, &req, &page);
		if (rc)
			return fm_fail(f, ep, CXLFM_OP_GET_HOST_DC_REGION_CONFIG, rc);
		if (!req.start_region) {
			*out = page;
		} else {
			for (unsigned i = 0; i < page.regions_returned &&
			     out->regions_returned < CXLFM_DC_REGIONS_MAX; i++)
				out->regions[out->regions_returned++] = page.regions[i];
			out->extents_available = page.extents_available;
		}
	} while (page.regions_returned && out->regions_returned < out->num_regions &&
		 out->regions_returned < CXLFM_DC_REGIONS_MAX);
	return EXIT_OK;
}

/* The region holding dpa, or -1. */
static int region_of(const struct cxlfm_get_host_dc_region_config_rsp *c, uint64_t dpa)
{
	for (int i = 0; i < c->regions_returned; i++)
		if (dpa >= c->regions[i].base && dpa - c->regions[i].base < c->regions[i].length)
			return i;
	return -1;
}

static struct json_object *region_json(unsigned i, const struct cxlfm_dc_region *g)
{
	struct json_object *o = json_object_new_object();

	fm_json_add(o, "region", json_object_new_int((int)i));
	fm_json_add(o, "base", fm_json_u64(g->base));
	fm_json_add(o, "decode_len", fm_json_u64(g->decode_len));
	fm_json_add(o, "length", fm_json_u64(g->length));
	fm_json_add(o, "block_size", fm_json_u64(g->block_size));
	fm_json_add(o, "sanitize_on_release", json_object_new_boolean(g->sanitize_on_release));
	fm_json_add(o, "dsmas_flags", json_object_new_int(g->dsmas_flags));
	return o;
}

/* ---- info ---- */

static const char info_help[] =
	"Usage: cxl-fmctl dcd info [--addr 0xNN | --tunnel PORT]\n"
	"Get DCD Info (5600h, CXL r3.1 7.6.7.6.1).\n"
	"\n"
	"Keys: num_hosts, num_regions, add_policies, release_policies (policy names\n"
	"as QMP spells them), sanitize_configurable (regions whose sanitize-on-release\n"
	"flag can be set), total_capacity (bytes), regions (region, block_sizes).\n";

static struct json_object *policies(uint16_t mask, const char *(*name)(unsigned))
{
	struct json_object *a = json_object_new_array();

	for (unsigned b = 0; b < 16; b++)
		if (mask & (1u << b))
			json_object_array_add(a, json_object_new_string(name(b)));
	return a;
}

static int dcd_info(int argc, char **argv, struct fmctl *f)
{
	struct cxlfm_get_dcd_info_rsp di;
	struct json_object *o, *regs, *san;
	struct cxlfm_ep *ep;
	int i = fm_parse(f, argc, argv, "", NULL, info_help, NULL, NULL);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	if ((rc = fm_endpoint(f, WANT_TYPE3, &ep)))
		return rc;
	rc = cxlfm_cmd_get_dcd_info(ep, fm_tun(f), &di);
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_GET_DCD_INFO, rc);
	o = json_object_new_object();
	fm_json_add(o, "num_hosts", json_object_new_int(di.num_hosts));
	fm_json_add(o, "num_regions", json_object_new_int(di.num_regions));
	fm_json_add(o, "add_policies", policies(di.add_policies, fm_sel_policy_name));
	fm_json_add(o, "release_policies", policies(di.release_policies, fm_rm_policy_name));
	san = json_object_new_array();
	for (unsigned r = 0; r < 8; r++)
		if (di.sanitize_mask & (1u << r))
			json_object_array_add(san, json_object_new_int((int)r));
	fm_json_add(o, "sanitize_configurable", san);
	fm_json_add(o, "total_capacity", fm_json_u64(di.total_capacity));
	regs = json_object_new_array();
	for (unsigned r = 0; r < di.num_regions && r < CXLFM_DC_REGIONS_MAX; r++) {
		struct json_object *x = json_object_new_object(), *bs = json_object_new_array();

		for (unsigned b = 0; b < 64; b++)
			if (di.block_size_mask[r] & (1ull << b))
				json_object_array_add(bs, fm_json_u64(1ull << b));
		fm_json_add(x, "region", json_object_new_int((int)r));
		fm_json_add(x, "block_sizes", bs);
		json_object_array_add(regs, x);
	}
	fm_json_add(o, "regions", regs);
	fm_print(f, o);
	return EXIT_OK;
}

/* ---- config ---- */

static const char config_help[] =
	"Usage: cxl-fmctl dcd config [--addr 0xNN | --tunnel PORT]\n"
	"Get Host DC Region Configuration (5601h, CXL r3.1 7.6.7.6.2): every region.\n"
	"\n"
	"Keys: host_id, num_regions, regions (region, base, decode_len, length,\n"
	"block_size, sanitize_on_release, dsmas_flags), extents_supported,\n"
	"extents_available, tags_supported, tags_available.\n";

static int dcd_config(int argc, char **argv, struct fmctl *f)
{
	struct cxlfm_get_host_dc_region_config_rsp c;
	struct json_object *o, *regs;
	struct cxlfm_ep *ep;
	int i = fm_parse(f, argc, argv, "", NULL, config_help, NULL, NULL);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	if ((rc = fm_endpoint(f, WANT_TYPE3, &ep)) || (rc = fm_dcd_regions(f, ep, fm_tun(f), &c)))
		return rc;
	o = json_object_new_object();
	fm_json_add(o, "host_id", json_object_new_int(c.host_id));
	fm_json_add(o, "num_regions", json_object_new_int(c.num_regions));
	regs = json_object_new_array();
	for (unsigned r = 0; r < c.regions_returned; r++)
		json_object_array_add(regs, region_json(r, &c.regions[r]));
	fm_json_add(o, "regions", regs);
	fm_json_add(o, "extents_supported", fm_json_u64(c.extents_supported));
	fm_json_add(o, "extents_available", fm_json_u64(c.extents_available));
	fm_json_add(o, "tags_supported", fm_json_u64(c.tags_supported));
	fm_json_add(o, "tags_available", fm_json_u64(c.tags_available));
	fm_print(f, o);
	return EXIT_OK;
}

/* ---- options shared by set-config, extents, add, release ---- */

struct dc_opts {
	long region;
	uint64_t block_size;
	int sanitize_cfg;        /* set-config: -1 keep, 0 off, 1 on */
	unsigned long host_id;
	int policy;              /* -1: prescriptive */
	bool has_tag;
	uint8_t tag[16];
	bool forced, sanitize;
	uint64_t length;
	bool has_length;
	bool wait;
	unsigned long wait_ms;
	size_t n;
	uint64_t off[MAX_EXTENTS], len[MAX_EXTENTS];
	bool release;
};

static int policy_from(const char *s, bool release)
{
	static const char *const sel[] = { "free", "contiguous", "prescriptive",
					   "enable-shared-access", NULL };
	static const char *const rm[] = { "tag-based", "prescriptive", NULL };
	const char *const *n = release ? rm : sel;

	if (!release && !strcmp(s, "shared"))
		return CXLFM_DC_SEL_ENABLE_SHARED;
	if (release && !strcmp(s, "tag"))
		return CXLFM_DC_RM_TAG_BASED;
	for (int i = 0; n[i]; i++)
		if (!strcmp(s, n[i]))
			return i;
	return -1;
}

static int dc_opt(struct fmctl *f, int c, const char *arg, void *ctx)
{
	struct dc_opts *o = ctx;
	unsigned long v;
	char buf[128], *colon;

	(void)f;
	switch (c) {
	case 'r':
		if (fm_parse_uint(arg, 255, &v))
			return -1;
		o->region = (long)v;
		return 0;
	case 'b':
		return fm_parse_size(arg, &o->block_size) ? -1 : 0;
	case 's':
		if (!strcmp(arg, "on") || !strcmp(arg, "yes") || !strcmp(arg, "1"))
			o->sanitize_cfg = 1;
		else if (!strcmp(arg, "off") || !strcmp(arg, "no") || !strcmp(arg, "0"))
			o->sanitize_cfg = 0;
		else
			return -1;
		return 0;
	case 'i':
		return fm_parse_uint(arg, 0xffff, &o->host_id) ? -1 : 0;
	case 'p':
		o->policy = policy_from(arg, o->release);
		return o->policy < 0 ? -1 : 0;
	case 'g':
		o->has_tag = true;
		return cxlfm_uuid_parse(arg, o->tag) ? -1 : 0;
	case 'F':
		o->forced = true;
		return 0;
	case 'S':
		o->sanitize = true;
		return 0;
	case 'L':
		o->has_length = true;
		return fm_parse_size(arg, &o->length) ? -1 : 0;
	case 'w':
		o->wait = true;
		return 0;
	case 'W':
		o->wait = true;
		return fm_parse_uint(arg, 3600000, &o->wait_ms) ? -1 : 0;
	case 'x':
		if (o->n == MAX_EXTENTS || strlen(arg) >= sizeof(buf))
			return -1;
		snprintf(buf, sizeof(buf), "%s", arg);
		colon = strchr(buf, ':');
		if (!colon)
			return -1;
		*colon = 0;
		if (fm_parse_size(buf, &o->off[o->n]) || fm_parse_size(colon + 1, &o->len[o->n]) ||
		    !o->len[o->n])
			return -1;
		o->n++;
		return 0;
	default:
		return -1;
	}
}

static const struct option dc_long[] = {
	{ "region", required_argument, NULL, 'r' },
	{ "block-size", required_argument, NULL, 'b' },
	{ "sanitize-on-release", required_argument, NULL, 's' },
	{ "host-id", required_argument, NULL, 'i' },
	{ "policy", required_argument, NULL, 'p' },
	{ "tag", required_argument, NULL, 'g' },
	{ "forced", no_argument, NULL, 'F' },
	{ "sanitize", no_argument, NULL, 'S' },
	{ "length", required_argument, NULL, 'L' },
	{ "wait", no_argument, NULL, 'w' },
	{ "wait-timeout", required_argument, NULL, 'W' },
	{ "extent", required_argument, NULL, 'x' },
	{ NULL, 0, NULL, 0 },
};

/* ---- set-config ---- */

static const char set_config_help[] =
	"Usage: cxl-fmctl dcd set-config --region N [--block-size SIZE]\n"
	"                                [--sanitize-on-release on|off] [--addr 0xNN]\n"
	"Set DC Region Configuration (5602h, CXL r3.1 7.6.7.6.3): the block size\n"
	"(one of the sizes 'dcd info' lists) and the sanitize-on-release flag of an\n"
	"empty region. Options left out keep the region's current value. Prints the\n"
	"region as 'dcd config' shows it afterwards.\n";

static int dcd_set_config(int argc, char **argv, struct fmctl *f)
{
	struct dc_opts o = { .region = -1, .sanitize_cfg = -1 };
	struct cxlfm_get_host_dc_region_config_rsp c;
	struct cxlfm_ep *ep;
	int i = fm_parse(f, argc, argv, "", dc_long, set_config_help, dc_opt, &o);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	if (o.region < 0)
		return fm_usage_error(f, "--region is required");
	if ((rc = fm_endpoint(f, WANT_TYPE3, &ep)) || (rc = fm_dcd_regions(f, ep, fm_tun(f), &c)))
		return rc;
	if (o.region >= c.regions_returned)
		return fm_error(f, EXIT_USAGE, "the device has %u DC region(s), no region %ld",
				c.regions_returned, o.region);
	rc = cxlfm_cmd_set_dc_region_config(ep, fm_tun(f), &(struct cxlfm_set_dc_region_config_req){
		.region_id = (uint8_t)o.region,
		.block_size = o.block_size ? o.block_size : c.regions[o.region].block_size,
		.sanitize_on_release = o.sanitize_cfg < 0 ? c.regions[o.region].sanitize_on_release :
							    o.sanitize_cfg == 1 });
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_SET_DC_REGION_CONFIG, rc);
	if ((rc = fm_dcd_regions(f, ep, fm_tun(f), &c)))
		return rc;
	fm_print(f, region_json((unsigned)o.region, &c.regions[o.region]));
	return EXIT_OK;
}

/* ---- extents ---- */

static const char extents_help[] =
	"Usage: cxl-fmctl dcd extents [--region N] [--host-id N] [--addr 0xNN]\n"
	"Get DC Region Extent Lists (5603h, CXL r3.1 7.6.7.6.4): the extents the host\n"
	"has accepted (paged), each with its region and offset in it.\n"
	"\n"
	"Keys: host_id, generation, total, extents (region, offset, dpa, length, tag,\n"
	"shared_seq).\n";

struct ext_list {
	uint32_t generation, total;
	size_t n;
	struct cxlfm_dc_extent *e;
};

/* Every accepted extent, paged; restarts if the list changes meanwhile. */
static int read_extents(struct fmctl *f, struct cxlfm_ep *ep, uint16_t host_id,
			struct ext_list *out)
{
	static struct cxlfm_get_dc_region_extent_lists_rsp page;

	for (int attempt = 0; attempt < 4; attempt++) {
		uint32_t start = 0;
		bool changed = false;

		out->n = 0;
		do {
			struct cxlfm_get_dc_region_extent_lists_req req = {
				.host_id = host_id, .extent_count = CXLFM_DC_EXTENTS_MAX,
				.start_index = start };
			int rc = cxlfm_cmd_get_dc_region_extent_lists(ep, fm_tun(f), &req, &page);
			struct cxlfm_dc_extent *grown;

			if (rc)
				return fm_fail(f, ep, CXLFM_OP_GET_DC_REGION_EXTENT_LISTS, rc);
			if (start && (page.generation != out->generation || page.total != out->total)) {
				changed = true;
				break;
			}
			out->generation = page.generation;
			out->total = page.total;
			grown = realloc(out->e, (out->n + page.returned + 1) * sizeof(*grown));
			if (!grown)
				return fm_error(f, EXIT_TRANSPORT, "out of memory");
			out->e = grown;
			memcpy(out->e + out->n, page.extents, page.returned * sizeof(*grown));
			out->n += page.returned;
			start += page.returned;
			if (!page.returned)
				break;
		} while (start < page.total);
		if (!changed)
			return EXIT_OK;
	}
	return fm_error(f, EXIT_TRANSPORT, "the extent list kept changing while read");
}

static struct json_object *extent_json(const struct cxlfm_get_host_dc_region_config_rsp *c,
				       const struct cxlfm_dc_extent *e)
{
	struct json_object *x = json_object_new_object();
	int r = region_of(c, e->start_dpa);

	fm_json_add(x, "region", r >= 0 ? json_object_new_int(r) : NULL);
	fm_json_add(x, "offset", r >= 0 ? fm_json_u64(e->start_dpa - c->regions[r].base) : NULL);
	fm_json_add(x, "dpa", fm_json_u64(e->start_dpa));
	fm_json_add(x, "length", fm_json_u64(e->length));
	fm_json_add(x, "tag", fm_json_uuid(e->tag));
	fm_json_add(x, "shared_seq", json_object_new_int(e->shared_seq));
	return x;
}

static int dcd_extents(int argc, char **argv, struct fmctl *f)
{
	struct dc_opts o = { .region = -1 };
	struct cxlfm_get_host_dc_region_config_rsp c;
	struct ext_list l = { 0 };
	struct json_object *obj, *arr;
	struct cxlfm_ep *ep;
	int i = fm_parse(f, argc, argv, "", dc_long, extents_help, dc_opt, &o);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	if ((rc = fm_endpoint(f, WANT_TYPE3, &ep)) || (rc = fm_dcd_regions(f, ep, fm_tun(f), &c)) ||
	    (rc = read_extents(f, ep, (uint16_t)o.host_id, &l))) {
		free(l.e);
		return rc;
	}
	obj = json_object_new_object();
	arr = json_object_new_array();
	for (size_t k = 0; k < l.n; k++)
		if (o.region < 0 || region_of(&c, l.e[k].start_dpa) == o.region)
			json_object_array_add(arr, extent_json(&c, &l.e[k]));
	fm_json_add(obj, "host_id", json_object_new_int((int)o.host_id));
	fm_json_add(obj, "generation", fm_json_u64(l.generation));
	fm_json_add(obj, "total", fm_json_u64(l.total));
	fm_json_add(obj, "extents", arr);
	free(l.e);
	fm_print(f, obj);
	return EXIT_OK;
}

/* ---- add / release ---- */

static const char add_help[] =
	"Usage: cxl-fmctl dcd add --region N --extent OFFSET:LEN [--extent ...]\n"
	"                         [--policy prescriptive|free|contiguous|enable-shared-access]\n"
	"                         [--length SIZE] [--tag UUID] [--host-id N]\n"
	"                         [--wait] [--wait-timeout MS] [--addr 0xNN | --tunnel PORT]\n"
	"Initiate Dynamic Capacity Add (5604h, CXL r3.1 7.6.7.6.5): offer capacity\n"
	"of region N to the host. Each --extent is OFFSET:LEN bytes from the region\n"
	"base (sizes take K, M, G, T), as QEMU's cxl-add-dynamic-capacity; cxl-fmctl\n"
	"turns them into DPAs with the region configuration (5601h). Prescriptive\n"
	"(the default) and enable-shared-access send the extents; free and\n"
	"contiguous ask for --length bytes (default: the sum of the extents).\n"
	"--wait polls the extent list (5603h) until the host has accepted every\n"
	"extent (default timeout 5000 ms; exit code 5 if it does not).\n"
	"\n"
	"Keys: host_id, region, policy, tag, length, extents (offset, dpa, length),\n"
	"offered; with --wait: accepted, generation.\n";

static const char release_help[] =
	"Usage: cxl-fmctl dcd release --region N --extent OFFSET:LEN [--extent ...]\n"
	"                             [--policy prescriptive|tag-based] [--tag UUID]\n"
	"                             [--forced] [--sanitize] [--host-id N]\n"
	"                             [--wait] [--wait-timeout MS] [--addr 0xNN]\n"
	"Initiate Dynamic Capacity Release (5605h, CXL r3.1 7.6.7.6.6): ask the host\n"
	"to give back capacity (extents as for 'dcd add'), or all extents with --tag\n"
	"(tag-based). --forced removes it without the host; --sanitize zeroes it\n"
	"when released. --wait polls the extent list until none of it is accepted\n"
	"any more (exit code 5 if that does not happen in time).\n"
	"\n"
	"Keys: host_id, region, policy, tag, forced, sanitize, extents (offset, dpa,\n"
	"length), requested; with --wait: released, generation.\n";

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Is [dpa, dpa+len) covered by the (DPA-ordered) accepted extents? */
static bool covered(const struct ext_list *l, uint64_t dpa, uint64_t len)
{
	uint64_t at = dpa, end = dpa + len;

	for (size_t k = 0; k < l->n && at < end; k++) {
		uint64_t s = l->e[k].start_dpa, e = s + l->e[k].length;

		if (s <= at && e > at)
			at = e;
	}
	return at >= end;
}

static bool overlaps(const struct ext_list *l, uint64_t dpa, uint64_t len)
{
	for (size_t k = 0; k < l->n; k++)
		if (l->e[k].start_dpa < dpa + len && dpa < l->e[k].start_dpa + l->e[k].length)
			return true;
	return false;
}

static uint64_t region_bytes(const struct ext_list *l, const struct cxlfm_dc_region *g)
{
	uint64_t sum = 0;

	for (size_t k = 0; k < l->n; k++)
		if (l->e[k].start_dpa >= g->base && l->e[k].start_dpa - g->base < g->length)
			sum += l->e[k].length;
	return sum;
}

static bool has_tag(const struct ext_list *l, const uint8_t tag[16])
{
	for (size_t k = 0; k < l->n; k++)
		if (!memcmp(l->e[k].tag, tag, 16))
			return true;
	return false;
}

/* Has the host got where the request wanted it? */
static bool wait_done(const struct dc_opts *o, const struct cxlfm_dc_extent *ext,
		      const struct ext_list *l, const struct cxlfm_dc_region *g,
		      uint64_t before)
{
	if (!o->release) {
		if (o->policy == CXLFM_DC_SEL_PRESCRIPTIVE || o->policy == CXLFM_DC_SEL_ENABLE_SHARED) {
			for (size_t k = 0; k < o->n; k++)
				if (!covered(l, ext[k].start_dpa, ext[k].length))
					return false;
			return true;
		}
		return region_bytes(l, g) >= before + o->length;
	}
	if (o->policy == CXLFM_DC_RM_TAG_BASED)
		return !has_tag(l, o->tag);
	for (size_t k = 0; k < o->n; k++)
		if (overlaps(l, ext[k].start_dpa, ext[k].length))
			return false;
	return true;
}

static int dc_change(int argc, char **argv, struct fmctl *f, bool release)
{
	struct dc_opts o = { .region = -1, .policy = -1, .wait_ms = WAIT_DEFAULT_MS,
			     .release = release };
	struct cxlfm_get_host_dc_region_config_rsp c;
	struct cxlfm_dc_extent ext[MAX_EXTENTS];
	const struct cxlfm_dc_region *g;
	struct json_object *obj, *arr;
	struct ext_list l = { 0 };
	uint64_t before = 0, deadline;
	uint16_t opcode = release ? CXLFM_OP_INITIATE_DC_RELEASE : CXLFM_OP_INITIATE_DC_ADD;
	struct cxlfm_ep *ep;
	bool tagged, done = false;
	int i = fm_parse(f, argc, argv, "", dc_long, release ? release_help : add_help, dc_opt, &o);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	if (o.policy < 0)
		o.policy = release ? CXLFM_DC_RM_PRESCRIPTIVE : CXLFM_DC_SEL_PRESCRIPTIVE;
	tagged = release ? o.policy == CXLFM_DC_RM_TAG_BASED :
			   o.policy == CXLFM_DC_SEL_FREE || o.policy == CXLFM_DC_SEL_CONTIGUOUS;
	if (o.region < 0)
		return fm_usage_error(f, "--region is required");
	if (release && tagged && !o.has_tag)
		return fm_usage_error(f, "tag-based release needs --tag");
	if (!tagged && !o.n)
		return fm_usage_error(f, "give at least one --extent OFFSET:LEN");
	if (!release && tagged && !o.has_length) {
		for (size_t k = 0; k < o.n; k++)
			o.length += o.len[k];
		if (!o.length)
			return fm_usage_error(f, "give --length or --extent for a %s add",
					      fm_sel_policy_name((unsigned)o.policy));
	}
	if ((rc = fm_endpoint(f, WANT_TYPE3, &ep)) || (rc = fm_dcd_regions(f, ep, fm_tun(f), &c)))
		return rc;
	if (o.region >= c.regions_returned)
		return fm_error(f, EXIT_USAGE, "the device has %u DC region(s), no region %ld",
				c.regions_returned, o.region);
	g = &c.regions[o.region];
	for (size_t k = 0; k < o.n; k++) {
		if (o.off[k] > UINT64_MAX - g->base)
			return fm_usage_error(f, "extent offset 0x%llx is out of range",
					      (unsigned long long)o.off[k]);
		ext[k] = (struct cxlfm_dc_extent){ .start_dpa = g->base + o.off[k],
						   .length = o.len[k] };
		if (o.has_tag)
			memcpy(ext[k].tag, o.tag, 16);
	}
	if (o.wait && !release && tagged) {
		if ((rc = read_extents(f, ep, (uint16_t)o.host_id, &l)))
			goto out;
		before = region_bytes(&l, g);
	}
	if (release) {
		struct cxlfm_initiate_dc_release_req req = {
			.host_id = (uint16_t)o.host_id, .removal_policy = (uint8_t)o.policy,
			.forced_removal = o.forced, .sanitize_on_release = o.sanitize,
			.region = (uint8_t)o.region, .num_extents = tagged ? 0 : (uint32_t)o.n,
			.extents = ext,
		};

		memcpy(req.tag, o.tag, 16);
		rc = cxlfm_cmd_initiate_dc_release(ep, fm_tun(f), &req);
	} else {
		struct cxlfm_initiate_dc_add_req req = {
			.host_id = (uint16_t)o.host_id, .selection_policy = (uint8_t)o.policy,
			.region = (uint8_t)o.region, .length = tagged ? o.length : 0,
			.num_extents = tagged ? 0 : (uint32_t)o.n, .extents = ext,
		};

		memcpy(req.tag, o.tag, 16);
		rc = cxlfm_cmd_initiate_dc_add(ep, fm_tun(f), &req);
	}
	if (rc) {
		rc = fm_fail(f, ep, opcode, rc);
		goto out;
	}
	obj = json_object_new_object();
	fm_json_add(obj, "host_id", json_object_new_int((int)o.host_id));
	fm_json_add(obj, "region", json_object_new_int((int)o.region));
	fm_json_add(obj, "policy", json_object_new_string(release ?
		fm_rm_policy_name((unsigned)o.policy) : fm_sel_policy_name((unsigned)o.policy)));
	fm_json_add(obj, "tag", o.has_tag ? fm_json_uuid(o.tag) : NULL);
	if (release) {
		fm_json_add(obj, "forced", json_object_new_boolean(o.forced));
		fm_json_add(obj, "sanitize", json_object_new_boolean(o.sanitize));
	} else if (tagged) {
		fm_json_add(obj, "length", fm_json_u64(o.length));
	}
	arr = json_object_new_array();
	for (size_t k = 0; k < (tagged ? 0 : o.n); k++) {
		struct json_object *x = json_object_new_object();

		fm_json_add(x, "offset", fm_json_u64(o.off[k]));
		fm_json_add(x, "dpa", fm_json_u64(ext[k].start_dpa));
		fm_json_add(x, "length", fm_json_u64(ext[k].length));
		json_object_array_add(arr, x);
	}
	fm_json_add(obj, "extents", arr);
	fm_json_add(obj, release ? "requested" : "offered", json_object_new_boolean(true));
	if (o.wait) {
		deadline = now_ms() + o.wait_ms;
		for (;;) {
			rc = read_extents(f, ep, (uint16_t)o.host_id, &l);
			if (rc) {
				json_object_put(obj);
				goto out;
			}
			done = wait_done(&o, ext, &l, g, before);
			if (done || now_ms() >= deadline)
				break;
			nanosleep(&(struct timespec){ .tv_nsec = WAIT_POLL_MS * 1000000l }, NULL);
		}
		fm_json_add(obj, release ? "released" : "accepted", json_object_new_boolean(done));
		fm_json_add(obj, "generation", fm_json_u64(l.generation));
	}
	fm_print(f, obj);
	rc = EXIT_OK;
	if (o.wait && !done) {
		char who[96];

		fm_ep_name(f, ep, true, who, sizeof(who));
		rc = fm_error(f, EXIT_WAIT, "%s: the host did not %s the capacity within %lu ms",
			      who, release ? "release" : "accept", o.wait_ms);
	}
out:
	free(l.e);
	return rc;
}

static int dcd_add(int argc, char **argv, struct fmctl *f)
{
	return dc_change(argc, argv, f, false);
}

static int dcd_release(int argc, char **argv, struct fmctl *f)
{
	return dc_change(argc, argv, f, true);
}

static const struct fm_subcmd dcd_cmds[] = {
	{ "info", dcd_info, "Get DCD Info (5600h)" },
	{ "config", dcd_config, "Get Host DC Region Configuration (5601h), every region" },
	{ "set-config", dcd_set_config, "Set DC Region Configuration (5602h)" },
	{ "extents", dcd_extents, "Get DC Region Extent Lists (5603h), every extent" },
	{ "add", dcd_add, "Initiate Dynamic Capacity Add (5604h) [--wait]" },
	{ "release", dcd_release, "Initiate Dynamic Capacity Release (5605h) [--wait]" },
};

int cmd_dcd(int argc, char **argv, struct fmctl *f)
{
	return fm_run_subcmd("dcd", dcd_cmds, sizeof(dcd_cmds) / sizeof(dcd_cmds[0]), argc, argv,
			     f);
}
