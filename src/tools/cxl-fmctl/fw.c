/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl fw: firmware update of a component over MCTP (CXL r3.1
 * §8.2.9.3): Get FW Info (0200h), Transfer FW (0201h, a whole package in as
 * many parts as the component and every tunnel on the way take, through
 * cxlfm_fw_update()) and Activate FW (0202h, online as a background
 * operation, or at the next cold reset).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "cxlfm/generic.h"

#define PKG_MAX (64u << 20)  /* largest file taken: twice cxl-emu's package limit */
#define ACT_WAIT_DEFAULT_MS 10000

static struct json_object *fw_info_json(const struct cxlfm_get_fw_info_rsp *fi)
{
	struct json_object *o = json_object_new_object(), *slots = json_object_new_array();

	fm_json_add(o, "slots_supported", json_object_new_int(fi->slots_supported));
	fm_json_add(o, "active_slot", json_object_new_int(fi->active_slot));
	fm_json_add(o, "staged_slot", fi->staged_slot ? json_object_new_int(fi->staged_slot) : NULL);
	fm_json_add(o, "online_activation", json_object_new_boolean(fi->online_activation));
	for (unsigned s = 1; s <= fi->slots_supported && s <= CXLFM_FW_SLOTS_MAX; s++) {
		struct json_object *x = json_object_new_object();
		const char *rev = fi->rev[s - 1];

		fm_json_add(x, "slot", json_object_new_int((int)s));
		fm_json_add(x, "revision", *rev ? json_object_new_string(rev) : NULL);
		fm_json_add(x, "active", json_object_new_boolean(s == fi->active_slot));
		fm_json_add(x, "staged", json_object_new_boolean(s == fi->staged_slot));
		json_object_array_add(slots, x);
	}
	fm_json_add(o, "slots", slots);
	return o;
}

struct fw_opts {
	long slot;
	const char *rev;
	bool on_reset, no_wait;
	unsigned long wait_ms;
};

static int fw_opt(struct fmctl *f, int c, const char *arg, void *ctx)
{
	struct fw_opts *o = ctx;
	unsigned long v;

	(void)f;
	switch (c) {
	case 's':
		if (fm_parse_uint(arg, CXLFM_FW_SLOTS_MAX, &v) || !v)
			return -1;
		o->slot = (long)v;
		return 0;
	case 'r':
		o->rev = arg;
		return 0;
	case 'R':
		o->on_reset = true;
		return 0;
	case 'W':
		o->no_wait = true;
		return 0;
	case 'w':
		return fm_parse_uint(arg, 3600000, &o->wait_ms) ? -1 : 0;
	default:
		return -1;
	}
}

/* ---- info ---- */

static const char info_help[] =
	"Usage: cxl-fmctl fw info [--addr 0xNN | --tunnel PORT[:LD]]\n"
	"Get FW Info (0200h, CXL r3.1 8.2.9.3.1): the firmware slots, the revision in\n"
	"each, the active one and the one staged for the next cold reset.\n"
	"\n"
	"Keys: slots_supported, active_slot, staged_slot (null: none),\n"
	"online_activation, slots (slot, revision (null: empty), active, staged).\n";

static int fw_info(int argc, char **argv, struct fmctl *f)
{
	struct cxlfm_get_fw_info_rsp fi;
	struct cxlfm_ep *ep;
	int rc = fm_begin(f, argc, argv, NULL, info_help, NULL, NULL, WANT_TYPE3, &ep);

	if (rc >= 0)
		return rc;
	if ((rc = cxlfm_cmd_get_fw_info(ep, fm_tun(f), &fi)))
		return fm_fail(f, ep, CXLFM_OP_GET_FW_INFO, rc);
	fm_print(f, fw_info_json(&fi));
	return EXIT_OK;
}

/* ---- update ---- */

static const char update_help[] =
	"Usage: cxl-fmctl fw update --slot N [--rev REV] FILE [--addr 0xNN |\n"
	"                           --tunnel PORT[:LD]]\n"
	"Transfer FW (0201h, CXL r3.1 8.2.9.3.2): send the firmware package FILE into\n"
	"slot N (not the active one): one Full transfer when it fits a request, else\n"
	"Initiate / Continue / End parts as large as the component and every tunnel\n"
	"on the way take, each part's background operation waited for. The component\n"
	"verifies the package when the last part is in. --rev REV: FILE is a raw\n"
	"payload, wrapped first into cxl-fmemu's package format with revision REV\n"
	"(what cxl-emu's devices take, docs/cxl-emu.md). Then Get FW Info (0200h).\n"
	"\n"
	"Keys: slot, bytes (the package sent), revision (the slot's after the\n"
	"transfer), and Get FW Info's keys under fw.\n";

/* FILE whole into *buf (at most PKG_MAX bytes); an exit code. */
static int read_file(struct fmctl *f, const char *path, uint8_t **buf, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = NULL;

	if (!fp)
		return fm_error(f, EXIT_USAGE, "%s: %s", path, strerror(errno));
	for (;;) {
		uint8_t *nb = realloc(b, cap);
		size_t got;

		if (!nb) {
			fclose(fp);
			free(b);
			return fm_error(f, EXIT_USAGE, "%s: out of memory", path);
		}
		b = nb;
		got = fread(b + n, 1, cap - n, fp);
		n += got;
		if (n < cap)
			break;
		if (cap >= PKG_MAX + 1u) {
			fclose(fp);
			free(b);
			return fm_error(f, EXIT_USAGE, "%s: larger than %u MiB", path, PKG_MAX >> 20);
		}
		cap *= 2;
		if (cap > PKG_MAX + 1u)
			cap = PKG_MAX + 1u;
	}
	if (ferror(fp)) {
		fclose(fp);
		free(b);
		return fm_error(f, EXIT_USAGE, "%s: read error", path);
	}
	fclose(fp);
	if (!n) {
		free(b);
		return fm_error(f, EXIT_USAGE, "%s: empty file", path);
	}
	*buf = b;
	*len = n;
	return EXIT_OK;
}

static int fw_update(int argc, char **argv, struct fmctl *f)
{
	static const struct option opts[] = {
		{ "slot", required_argument, NULL, 's' },
		{ "rev", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct fw_opts fo = { .slot = -1 };
	struct cxlfm_get_fw_info_rsp fi;
	struct json_object *o;
	struct cxlfm_ep *ep;
	uint8_t *pkg = NULL;
	size_t len = 0;
	int i = fm_parse(f, argc, argv, "", opts, update_help, fw_opt, &fo);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i >= argc)
		return fm_usage_error(f, "expected the package FILE");
	if (i + 1 < argc)
		return fm_extra_operand(f, argv[i + 1]);
	if (fo.slot < 0)
		return fm_usage_error(f, "--slot is required");
	if ((rc = read_file(f, argv[i], &pkg, &len)))
		return rc;
	if (fo.rev) {
		size_t max = len + 64;
		uint8_t *w = malloc(max);
		long n = w ? cxlfm_fw_package(fo.rev, pkg, len, w, max) : -ENOMEM;

		free(pkg);
		if (n < 0) {
			free(w);
			return n == -EINVAL ? fm_usage_error(f, "bad --rev '%s': 1-16 printable "
							     "ASCII characters", fo.rev) :
					      fm_error(f, EXIT_USAGE, "cannot build the package: %s",
						       strerror((int)-n));
		}
		pkg = w;
		len = (size_t)n;
	}
	if ((rc = fm_endpoint(f, WANT_TYPE3, &ep))) {
		free(pkg);
		return rc;
	}
	rc = cxlfm_fw_update(ep, fm_tun(f), (uint8_t)fo.slot, pkg, len);
	free(pkg);
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_TRANSFER_FW, rc);
	if ((rc = cxlfm_cmd_get_fw_info(ep, fm_tun(f), &fi)))
		return fm_fail(f, ep, CXLFM_OP_GET_FW_INFO, rc);
	o = json_object_new_object();
	fm_json_add(o, "slot", json_object_new_int((int)fo.slot));
	fm_json_add(o, "bytes", fm_json_u64(len));
	fm_json_add(o, "revision", fo.slot <= fi.slots_supported && fi.rev[fo.slot - 1][0] ?
		    json_object_new_string(fi.rev[fo.slot - 1]) : NULL);
	fm_json_add(o, "fw", fw_info_json(&fi));
	fm_print(f, o);
	return EXIT_OK;
}

/* ---- activate ---- */

static const char activate_help[] =
	"Usage: cxl-fmctl fw activate --slot N [--on-reset] [--no-wait]\n"
	"                             [--wait-timeout MS] [--addr 0xNN | --tunnel PORT[:LD]]\n"
	"Activate FW (0202h, CXL r3.1 8.2.9.3.3): make the firmware in slot N active\n"
	"now (online: a background operation, polled with Background Operation Status\n"
	"0002h until it finishes, --wait-timeout default 10000 ms, unless --no-wait),\n"
	"or with --on-reset at the next cold reset (the slot is staged). Then Get FW\n"
	"Info (0200h).\n"
	"\n"
	"Keys: slot, action (online, on-reset), background, completed, rc, rc_name,\n"
	"and Get FW Info's keys under fw.\n";

static int fw_activate(int argc, char **argv, struct fmctl *f)
{
	static const struct option opts[] = {
		{ "slot", required_argument, NULL, 's' },
		{ "on-reset", no_argument, NULL, 'R' },
		{ "no-wait", no_argument, NULL, 'W' },
		{ "wait-timeout", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct fw_opts fo = { .slot = -1, .wait_ms = ACT_WAIT_DEFAULT_MS };
	struct cxlfm_get_fw_info_rsp fi;
	struct json_object *o;
	struct cxlfm_ep *ep;
	int rc = fm_begin(f, argc, argv, opts, activate_help, fw_opt, &fo, WANT_TYPE3, &ep);

	if (rc >= 0)
		return rc;
	if (fo.slot < 0)
		return fm_usage_error(f, "--slot is required");
	rc = cxlfm_cmd_activate_fw(ep, fm_tun(f), &(struct cxlfm_activate_fw_req){
		.action = fo.on_reset ? CXLFM_FW_ACTIVATE_ON_RESET : CXLFM_FW_ACTIVATE_ONLINE,
		.slot = (uint8_t)fo.slot });
	o = json_object_new_object();
	fm_json_add(o, "slot", json_object_new_int((int)fo.slot));
	fm_json_add(o, "action", json_object_new_string(fo.on_reset ? "on-reset" : "online"));
	rc = fm_bg_finish(f, ep, CXLFM_OP_ACTIVATE_FW, rc, fo.no_wait, fo.wait_ms, o);
	if (rc >= 0)
		return rc;
	if ((rc = cxlfm_cmd_get_fw_info(ep, fm_tun(f), &fi))) {
		json_object_put(o);
		return fm_fail(f, ep, CXLFM_OP_GET_FW_INFO, rc);
	}
	fm_json_add(o, "fw", fw_info_json(&fi));
	fm_print(f, o);
	return EXIT_OK;
}

int cmd_fw(int argc, char **argv, struct fmctl *f)
{
	static const struct fm_subcmd subs[] = {
		{ "info", fw_info, "Get FW Info (0200h): slots and revisions" },
		{ "update", fw_update, "Transfer FW (0201h) of a package file into a slot" },
		{ "activate", fw_activate, "Activate FW (0202h) online or at the next reset" },
	};

	return fm_run_subcmd("fw", subs, sizeof(subs) / sizeof(subs[0]), argc, argv, f);
}
