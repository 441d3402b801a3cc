/* SPDX-License-Identifier: MIT */
/*
 * Output and argument helpers of cxl-fmctl. Every command builds one json-c
 * object; fm_print() writes it as JSON (ndctl `cxl list` style: pretty,
 * snake_case keys, numbers as numbers, identifiers as strings) or renders
 * the same object for humans: key/value lines and tables, addresses in hex
 * and sizes with binary units. --human changes how values look, never
 * which keys exist.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"

/* ---- names ---- */

const char *fm_component_name(uint8_t type)
{
	switch (type) {
	case CXLFM_COMPONENT_SWITCH: return "switch";
	case 0x01: return "type1";
	case 0x02: return "type2";
	case CXLFM_COMPONENT_TYPE3: return "type3";
	default: return "unknown";
	}
}

const char *fm_port_state_name(uint8_t st)
{
	switch (st) {
	case CXLFM_PORT_STATE_DISABLED: return "disabled";
	case CXLFM_PORT_STATE_BIND_IN_PROGRESS: return "bind-in-progress";
	case CXLFM_PORT_STATE_UNBIND_IN_PROGRESS: return "unbind-in-progress";
	case CXLFM_PORT_STATE_DSP: return "dsp";
	case CXLFM_PORT_STATE_USP: return "usp";
	case CXLFM_PORT_STATE_FABRIC: return "fabric";
	case CXLFM_PORT_STATE_INVALID_PORT_ID: return "invalid-port-id";
	default: return "reserved";
	}
}

const char *fm_dev_type_name(uint8_t t)
{
	switch (t) {
	case CXLFM_DEV_NONE: return "none";
	case CXLFM_DEV_PCIE: return "pcie";
	case CXLFM_DEV_CXL_TYPE1: return "cxl-type1";
	case CXLFM_DEV_CXL_TYPE2: return "cxl-type2";
	case CXLFM_DEV_CXL_TYPE3_SLD: return "cxl-type3-sld";
	case CXLFM_DEV_CXL_TYPE3_MLD: return "cxl-type3-mld";
	case CXLFM_DEV_PBR: return "pbr";
	default: return "reserved";
	}
}

const char *fm_vppb_status_name(uint8_t st)
{
	switch (st) {
	case CXLFM_VPPB_UNBOUND: return "unbound";
	case CXLFM_VPPB_IN_PROGRESS: return "in-progress";
	case CXLFM_VPPB_BOUND_PORT: return "bound-port";
	case CXLFM_VPPB_BOUND_LD: return "bound-ld";
	default: return "reserved";
	}
}

/* The names QEMU's QMP uses (qapi/cxl.json). */
const char *fm_sel_policy_name(unsigned p)
{
	static const char *const n[] = { "free", "contiguous", "prescriptive",
					 "enable-shared-access" };

	return p < 4 ? n[p] : "reserved";
}

const char *fm_rm_policy_name(unsigned p)
{
	static const char *const n[] = { "tag-based", "prescriptive" };

	return p < 2 ? n[p] : "reserved";
}

const char *fm_dc_event_name(unsigned t)
{
	static const char *const n[] = { "add-capacity", "release-capacity", "forced-release",
					 "region-config-updated", "add-capacity-response",
					 "capacity-released" };

	return t < 6 ? n[t] : "reserved";
}

const char *fm_event_log_name(unsigned log)
{
	static const char *const n[] = { "informational", "warning", "failure", "fatal",
					 "dyncap" };

	return log < 5 ? n[log] : "reserved";
}

/* ---- JSON builders ---- */

struct json_object *fm_json_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

struct json_object *fm_json_hex16(uint16_t v)
{
	char b[8];

	snprintf(b, sizeof(b), "0x%04x", v);
	return json_object_new_string(b);
}

void fm_uuid_str(const uint8_t u[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
		 u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

bool fm_uuid_is_null(const uint8_t uuid[16])
{
	for (size_t i = 0; i < 16; i++)
		if (uuid[i])
			return false;
	return true;
}

struct json_object *fm_json_uuid(const uint8_t uuid[16])
{
	char s[37];

	if (fm_uuid_is_null(uuid))
		return NULL; /* json null */
	fm_uuid_str(uuid, s);
	return json_object_new_string(s);
}

void fm_json_add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

void fm_json_merge(struct json_object *dst, struct json_object *src)
{
	json_object_object_foreach(src, k, v) {
		fm_json_add(dst, k, json_object_get(v));
	}
	json_object_put(src);
}

struct json_object *fm_json_ep(struct cxlfm_ep *ep)
{
	struct json_object *o = json_object_new_object();

	fm_json_add(o, "eid", json_object_new_int(cxlfm_ep_eid(ep)));
	fm_json_add(o, "address", json_object_new_int(cxlfm_ep_addr(ep)));
	return o;
}

struct json_object *fm_identify_to_json(const struct cxlfm_identify_rsp *id)
{
	struct json_object *o = json_object_new_object();

	fm_json_add(o, "component_type", json_object_new_string(fm_component_name(id->component_type)));
	fm_json_add(o, "vendor_id", fm_json_hex16(id->vendor_id));
	fm_json_add(o, "device_id", fm_json_hex16(id->device_id));
	fm_json_add(o, "subsys_vendor_id", fm_json_hex16(id->subsys_vendor_id));
	fm_json_add(o, "subsys_id", fm_json_hex16(id->subsys_id));
	fm_json_add(o, "serial", fm_json_u64(id->serial));
	fm_json_add(o, "max_msg_size",
		    fm_json_u64(id->max_msg_size_log2 < 64 ? 1ull << id->max_msg_size_log2 : 0));
	return o;
}

/* ---- human rendering ---- */

static bool key_is(const char *k, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(k, *set))
			return true;
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static void fmt_size(uint64_t v, char *b, size_t n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	uint64_t x = v;
	int i = 0;

	while (i < 5 && x >= 1024 && x % 1024 == 0) {
		x /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(b, n, "%" PRIu64, v);
	else
		snprintf(b, n, "%" PRIu64 " %s", x, unit[i]);
}

static void human_scalar(const char *key, struct json_object *v, char *b, size_t n)
{
	static const char *const addr_keys[] = { "base", "dpa", "start_dpa", "offset", "start",
						 NULL };
	static const char *const size_keys[] = { "length", "size", "total_capacity",
						  "block_size", "decode_len", "memory_size",
						  "granularity", "max_msg_size", "dc_capacity",
						  "accepted_bytes", "block_sizes",
						  "ld_memory_size", NULL };
	enum json_type t = v ? json_object_get_type(v) : json_type_null;

	switch (t) {
	case json_type_null:
		snprintf(b, n, "-");
		return;
	case json_type_boolean:
		snprintf(b, n, "%s", json_object_get_boolean(v) ? "yes" : "no");
		return;
	case json_type_int: {
		uint64_t u = json_object_get_uint64(v);

		if (!strcmp(key, "address") || !strcmp(key, "endpoints"))
			snprintf(b, n, "0x%02" PRIx64, u);
		else if (key_is(key, addr_keys) || ends_with(key, "_dpa"))
			snprintf(b, n, "0x%" PRIx64, u);
		else if (key_is(key, size_keys) || ends_with(key, "_size"))
			fmt_size(u, b, n);
		else
			snprintf(b, n, "%s", json_object_get_string(v));
		return;
	}
	case json_type_array: {
		size_t len = json_object_array_length(v), used = 0;

		b[0] = 0;
		for (size_t i = 0; i < len && used + 2 < n; i++) {
			char item[64];

			human_scalar(key, json_object_array_get_idx(v, i), item, sizeof(item));
			used += (size_t)snprintf(b + used, n - used, "%s%s", i ? ", " : "", item);
		}
		if (!len)
			snprintf(b, n, "-");
		return;
	}
	default:
		snprintf(b, n, "%s", json_object_get_string(v));
		return;
	}
}

static bool is_scalar(struct json_object *v)
{
	enum json_type t = v ? json_object_get_type(v) : json_type_null;

	if (t == json_type_object)
		return false;
	if (t == json_type_array) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			enum json_type e = json_object_get_type(json_object_array_get_idx(v, i));

			if (e == json_type_object || e == json_type_array)
				return false;
		}
	}
	return true;
}

static bool flat_object(struct json_object *o)
{
	if (!o || json_object_get_type(o) != json_type_object)
		return false;
	json_object_object_foreach(o, k, v) {
		(void)k;
		if (!is_scalar(v))
			return false;
	}
	return true;
}

static void render_array(FILE *out, struct json_object *a, int indent);

static void render_object(FILE *out, struct json_object *o, int indent)
{
	int w = 0;

	json_object_object_foreach(o, k0, v0) {
		if (is_scalar(v0) && (int)strlen(k0) > w)
			w = (int)strlen(k0);
	}
	json_object_object_foreach(o, k1, v1) {
		char b[512];

		if (!is_scalar(v1))
			continue;
		human_scalar(k1, v1, b, sizeof(b));
		fprintf(out, "%*s%-*s  %s\n", indent, "", w + 1, k1, b);
	}
	json_object_object_foreach(o, k2, v2) {
		if (is_scalar(v2))
			continue;
		fprintf(out, "%*s%s:\n", indent, "", k2);
		if (json_object_get_type(v2) == json_type_object)
			render_object(out, v2, indent + 2);
		else
			render_array(out, v2, indent + 2);
	}
}

#define MAX_COLS 24

static void render_table(FILE *out, struct json_object *a, int indent)
{
	const char *cols[MAX_COLS];
	int width[MAX_COLS];
	size_t ncols = 0, rows = json_object_array_length(a);

	for (size_t r = 0; r < rows; r++) {
		json_object_object_foreach(json_object_array_get_idx(a, r), k, v) {
			size_t c;

			(void)v;
			for (c = 0; c < ncols && strcmp(cols[c], k); c++)
				;
			if (c == ncols && ncols < MAX_COLS) {
				cols[ncols] = k;
				width[ncols++] = (int)strlen(k);
			}
		}
	}
	for (size_t r = 0; r < rows; r++) {
		struct json_object *row = json_object_array_get_idx(a, r);

		for (size_t c = 0; c < ncols; c++) {
			struct json_object *v = NULL;
			char b[256];
			bool has = json_object_object_get_ex(row, cols[c], &v);

			if (has)
				human_scalar(cols[c], v, b, sizeof(b));
			else
				snprintf(b, sizeof(b), "-");
			if ((int)strlen(b) > width[c])
				width[c] = (int)strlen(b);
		}
	}
	fprintf(out, "%*s", indent, "");
	for (size_t c = 0; c < ncols; c++) {
		if (c + 1 < ncols)
			fprintf(out, "%-*s  ", width[c], cols[c]);
		else
			fprintf(out, "%s\n", cols[c]);
	}
	for (size_t r = 0; r < rows; r++) {
		struct json_object *row = json_object_array_get_idx(a, r);

		fprintf(out, "%*s", indent, "");
		for (size_t c = 0; c < ncols; c++) {
			struct json_object *v = NULL;
			char b[256];

			if (json_object_object_get_ex(row, cols[c], &v))
				human_scalar(cols[c], v, b, sizeof(b));
			else
				snprintf(b, sizeof(b), "-");
			if (c + 1 < ncols)
				fprintf(out, "%-*s  ", width[c], b);
			else
				fprintf(out, "%s\n", b);
		}
	}
}

static void render_array(FILE *out, struct json_object *a, int indent)
{
	size_t n = json_object_array_length(a);
	bool flat = n > 0;

	if (!n) {
		fprintf(out, "%*s(none)\n", indent, "");
		return;
	}
	for (size_t i = 0; i < n && flat; i++)
		flat = flat_object(json_object_array_get_idx(a, i));
	if (flat) {
		render_table(out, a, indent);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i);

		if (i)
			fputc('\n', out);
		if (json_object_get_type(e) == json_type_object) {
			render_object(out, e, indent);
		} else {
			char b[512];

			human_scalar("", e, b, sizeof(b));
			fprintf(out, "%*s%s\n", indent, "", b);
		}
	}
}

void fm_print(const struct fmctl *f, struct json_object *o)
{
	bool json = f->json >= 0 ? f->json == 1 : !isatty(STDOUT_FILENO);

	if (json) {
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
	} else if (o && json_object_get_type(o) == json_type_array) {
		render_array(stdout, o, 0);
	} else if (o && json_object_get_type(o) == json_type_object) {
		render_object(stdout, o, 0);
	} else {
		puts(o ? json_object_get_string(o) : "-");
	}
	json_object_put(o);
}

/* ---- argument parsing ---- */

int fm_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int fm_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	uint64_t v;

	if (fm_parse_u64(s, &v) || v > max)
		return -EINVAL;
	*out = (unsigned long)v;
	return 0;
}

int fm_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (toupper((unsigned char)*end)) {
	case 0: break;
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	default: return -EINVAL;
	}
	if (*end) {
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B") || !strcmp(end, "ib"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int fm_parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (*s) {
		int hi, lo;

		if (isspace((unsigned char)*s) || *s == ':' || *s == ',' || *s == '-') {
			s++;
			continue;
		}
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
			s += 2;
			continue;
		}
		hi = hexval(s[0]);
		lo = s[1] ? hexval(s[1]) : -1;
		if (hi < 0 || lo < 0 || n == max)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return (int)n;
}
