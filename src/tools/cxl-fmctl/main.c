/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl: a Fabric Manager command line over libcxlfm. A builtin command
 * table as ndctl's `cxl`: main() parses the global options, finds the bus
 * and hands the rest of the line to one command; each command parses its
 * own options (the global ones are accepted there too), resolves the
 * endpoint it acts on and prints JSON or human text.
 */
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "builtin.h"

#ifndef CXLFM_VERSION
#define CXLFM_VERSION "unknown"
#endif

struct builtin {
	const char *name;
	int (*fn)(int argc, char **argv, struct fmctl *f);
	const char *summary;
};

static const struct builtin builtins[] = {
	{ "list", cmd_list, "endpoints on the bus and what they are" },
	{ "identify", cmd_identify, "Identify (0001h) an endpoint, or all of them" },
	{ "bg", cmd_bg, "Background Operation Status (0002h)" },
	{ "ports", cmd_ports, "switch: Get Physical Port State (5101h)" },
	{ "vcs", cmd_vcs, "switch: Get Virtual CXL Switch Info (5200h)" },
	{ "bind", cmd_bind, "switch: Bind vPPB (5201h), waits for completion" },
	{ "unbind", cmd_unbind, "switch: Unbind vPPB (5202h), waits for completion" },
	{ "port-control", cmd_port_control, "switch: Physical Port Control (5102h)" },
	{ "dv", cmd_dv, "switch: a VCS's domain validation secret value (5106h, 5107h)" },
	{ "switch", cmd_switch, "switch commands: info, ports, vcs, bind, unbind, port-control" },
	{ "ld", cmd_ld, "MLD: ld info | ld alloc [set ...]" },
	{ "qos", cmd_qos, "MLD QoS: qos control [set] | status | alloc [set] | limit [set]" },
	{ "dcd", cmd_dcd, "DCD: info, config, set-config, extents, add, release" },
	{ "events", cmd_events, "Get Event Records (0100h) of an event log, decoded" },
	{ "health", cmd_health, "type-3: health, alert configuration, shutdown state" },
	{ "poison", cmd_poison, "type-3: poison list, inject, clear, scan media" },
	{ "fw", cmd_fw, "firmware: info, update (transfer a package), activate" },
	{ "cel", cmd_cel, "the Command Effects Log: which commands the CCI supports" },
	{ "raw", cmd_raw, "any opcode with a hex payload" },
	{ "config-read", cmd_config_read, "switch: configuration space of a PPB (5103h) or LD (5301h)" },
	{ "config-write", cmd_config_write, "switch: write a PPB's (5103h) or LD's (5301h) config dword" },
	{ "mem-read", cmd_mem_read, "switch: read an LD's memory space (5302h)" },
	{ "mem-write", cmd_mem_write, "switch: write an LD's memory space (5302h)" },
	{ "topology", cmd_topology, "switch, ports, devices and DC regions (--dot: Graphviz)" },
};

static const char main_help[] =
	"Usage: cxl-fmctl [OPTIONS] COMMAND [ARGS]\n"
	"A CXL Fabric Manager on an emulated I2C/MCTP bus (cxl-emu).\n"
	"\n"
	"Options (also accepted after COMMAND):\n"
	"  -B, --bus PATH        bus socket (default: $CXL_FMCTL_BUS, else the one\n"
	"                        cxl-emu under $XDG_RUNTIME_DIR/cxl-emu/*/ or\n"
	"                        /tmp/cxl-emu-$UID/*/)\n"
	"  -a, --addr 0xNN       endpoint by 7-bit I2C address\n"
	"  -e, --eid N           endpoint by EID (as assigned by this run's discovery)\n"
	"  -T, --tunnel PORT[:LD]  send through a switch downstream port (and to an LD)\n"
	"  -j, --json            JSON output (default when stdout is not a terminal)\n"
	"  -H, --human           human-readable output (default on a terminal)\n"
	"  -t, --timeout MS      per-request timeout (default 2000, CXL r3.1 9.20.2)\n"
	"  -v, --verbose         log library messages on stderr\n"
	"  -h, --help            this text; COMMAND --help for a command\n"
	"      --version         print the version\n"
	"\n"
	"Commands:\n";

static void print_main_help(FILE *out)
{
	fputs(main_help, out);
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		fprintf(out, "  %-14s %s\n", builtins[i].name, builtins[i].summary);
	fputs("\nExit codes: 0 ok, 1 usage, 2 transport error (no bus, no answer, timeout,\n"
	      "malformed response), 3 CXL error return code, 4 no such endpoint or more\n"
	      "than one, 5 --wait gave up. See cxl-fmctl(1).\n", out);
}

/* ---- messages ---- */

void fm_ep_name(const struct fmctl *f, struct cxlfm_ep *ep, bool with_tunnel, char *buf,
		size_t len)
{
	int n = snprintf(buf, len, "ep 0x%02x (EID %u)", cxlfm_ep_addr(ep), cxlfm_ep_eid(ep));

	if (with_tunnel && f->has_tunnel && n > 0 && (size_t)n < len) {
		if (f->tunnel.port >= 0)
			n += snprintf(buf + n, len - (size_t)n, " port %d", f->tunnel.port);
		if (f->tunnel.ld >= 0 && (size_t)n < len)
			snprintf(buf + n, len - (size_t)n, " ld %d", f->tunnel.ld);
	}
}

int fm_fail(struct fmctl *f, struct cxlfm_ep *ep, uint16_t opcode, int rc)
{
	const char *op = cxlfm_opcode_name(opcode);
	char who[96];

	fm_ep_name(f, ep, true, who, sizeof(who));
	if (rc > 0)
		fprintf(stderr, "%s: %s: %s (%04Xh): %s (0x%02x)\n", f->prog, who,
			op ? op : "command", opcode, cxlfm_rc_str(rc), rc);
	else
		fprintf(stderr, "%s: %s: %s (%04Xh): %s\n", f->prog, who, op ? op : "command",
			opcode, cxlfm_rc_str(rc));
	return rc > 0 ? EXIT_CXL : EXIT_TRANSPORT;
}

int fm_error(struct fmctl *f, int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", f->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int fm_usage_error(struct fmctl *f, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", f->prog, f->cmd ? f->cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see '%s %s --help')\n", f->prog, f->cmd ? f->cmd : "");
	return EXIT_USAGE;
}

int fm_extra_operand(struct fmctl *f, const char *arg)
{
	return fm_usage_error(f, "unexpected argument '%s'", arg);
}

/* ---- options ---- */

static int parse_tunnel(const char *s, struct cxlfm_tunnel *t)
{
	char *end;
	unsigned long port, ld;

	t->port = -1;
	t->ld = -1;
	if (*s != ':') {
		port = strtoul(s, &end, 0);
		if (end == s || port > 255)
			return -1;
		t->port = (int)port;
		s = end;
	} else {
		s++; /* ":LD": straight to an LD of an MLD endpoint */
		ld = strtoul(s, &end, 0);
		if (end == s || ld > 255 || *end)
			return -1;
		t->ld = (int)ld;
		return 0;
	}
	if (*s == ':') {
		ld = strtoul(s + 1, &end, 0);
		if (end == s + 1 || ld > 255)
			return -1;
		t->ld = (int)ld;
		s = end;
	}
	return *s ? -1 : 0;
}

int fm_global_opt(struct fmctl *f, int c, const char *arg)
{
	unsigned long v;

	switch (c) {
	case 'B':
		f->bus = arg;
		return 1;
	case 'a':
		if (fm_parse_uint(arg, 0x7f, &v) || v == 0)
			return -1;
		f->addr = (int)v;
		return 1;
	case 'e':
		if (fm_parse_uint(arg, 0xfe, &v) || v == 0)
			return -1;
		f->eid = (int)v;
		return 1;
	case 'T':
		if (parse_tunnel(arg, &f->tunnel))
			return -1;
		f->has_tunnel = true;
		return 1;
	case 'j':
		f->json = 1;
		return 1;
	case 'H':
		f->json = 0;
		return 1;
	case 't':
		if (fm_parse_uint(arg, 600000, &v) || v == 0)
			return -1;
		f->timeout_ms = (unsigned)v;
		return 1;
	case 'v':
		f->verbose++;
		return 1;
	default:
		return 0;
	}
}

static const struct option global_only[] = { FM_GLOBAL_OPTS, { NULL, 0, NULL, 0 } };

int fm_parse(struct fmctl *f, int argc, char **argv, const char *shortopts,
	     const struct option *longopts, const char *help,
	     int (*cb)(struct fmctl *f, int c, const char *arg, void *ctx), void *ctx)
{
	struct option all[64];
	char shorts[128];
	size_t n = 0;
	int c;

	for (const struct option *o = longopts; o && o->name && n < 40; o++)
		all[n++] = *o;
	for (const struct option *o = global_only; o->name; o++)
		all[n++] = *o;
	all[n] = (struct option){ NULL, 0, NULL, 0 };
	snprintf(shorts, sizeof(shorts), "%s%s", shortopts ? shortopts : "", FM_GLOBAL_SHORT);
	optind = 0; /* reinitialise getopt for this argv */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
		int r;

		if (c == 'h') {
			fputs(help, stdout);
			return -2;
		}
		if (c == '?' || c == ':') {
			if (optopt)
				fm_usage_error(f, "bad or incomplete option '-%c'", optopt);
			else
				fm_usage_error(f, "unknown or incomplete option '%s'",
					       argv[optind - 1]);
			return -1;
		}
		r = fm_global_opt(f, c, optarg);
		if (r < 0) {
			fm_usage_error(f, "bad value '%s' for option '%s'", optarg,
				       argv[optind - 1]);
			return -1;
		}
		if (r)
			continue;
		if (!cb || cb(f, c, optarg, ctx)) {
			if (cb)
				fm_usage_error(f, "bad value '%s' for option '%s'",
					       optarg ? optarg : "", argv[optind - 1]);
			return -1;
		}
	}
	return optind;
}

int fm_run_subcmd(const char *group, const struct fm_subcmd *cmds, size_t n, int argc,
		  char **argv, struct fmctl *f)
{
	static char name[64];

	if (argc >= 2 && argv[1][0] != '-') {
		for (size_t i = 0; i < n; i++) {
			if (strcmp(argv[1], cmds[i].name))
				continue;
			snprintf(name, sizeof(name), "%s %s", group, cmds[i].name);
			f->cmd = name;
			return cmds[i].fn(argc - 1, argv + 1, f);
		}
		fprintf(stderr, "%s %s: unknown sub-command '%s'\n", f->prog, group, argv[1]);
	}
	{
		FILE *out = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ?
			    stdout : stderr;

		fprintf(out, "Usage: %s %s SUB-COMMAND [OPTIONS]\n\n", f->prog, group);
		for (size_t i = 0; i < n; i++)
			fprintf(out, "  %-12s %s\n", cmds[i].name, cmds[i].summary);
		fprintf(out, "\n'%s %s SUB-COMMAND --help' for its options.\n", f->prog, group);
		return out == stdout ? EXIT_OK : EXIT_USAGE;
	}
}

/* ---- the bus ---- */

/* Bus sockets of running cxl-emu instances (docs/bus-socket.md). */
static int find_bus(struct fmctl *f)
{
	char found[16][CXLFM_BUS_PATH_MAX];
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	size_t nfound = cxlfm_bus_scan(found, 16, NULL);

	if (nfound == 1) {
		snprintf(f->bus_buf, sizeof(f->bus_buf), "%s", found[0]);
		f->bus = f->bus_buf;
		return EXIT_OK;
	}
	if (nfound == 0)
		return fm_error(f, EXIT_TRANSPORT, "no running cxl-emu bus found under %s%s%s"
				"/tmp/cxl-emu-%u/*/; start cxl-emu or give --bus PATH",
				xdg && *xdg ? xdg : "", xdg && *xdg ? "/cxl-emu/*/*.sock" : "",
				xdg && *xdg ? " or " : "", (unsigned)getuid());
	fprintf(stderr, "%s: several cxl-emu buses are running; pick one with --bus:\n",
		f->prog);
	for (size_t i = 0; i < nfound && i < 16; i++)
		fprintf(stderr, "  %s\n", found[i]);
	return EXIT_NOTFOUND;
}

static void log_sink(int level, const char *msg, void *arg)
{
	struct fmctl *f = arg;

	(void)level;
	fprintf(stderr, "%s: libcxlfm: %s\n", f->prog, msg);
}

int fm_connect(struct fmctl *f)
{
	struct cxlfm_opts o = { .size = sizeof(o), .timeout_ms = f->timeout_ms };
	int rc;

	if (f->ctx)
		return EXIT_OK;
	if (!f->bus)
		f->bus = getenv("CXL_FMCTL_BUS");
	if (!f->bus || !*f->bus) {
		rc = find_bus(f);
		if (rc)
			return rc;
	}
	rc = cxlfm_open(f->bus, &o, &f->ctx);
	if (rc)
		return fm_error(f, EXIT_TRANSPORT, "bus %s: %s", f->bus, strerror(-rc));
	if (f->verbose)
		cxlfm_set_log(f->ctx, log_sink, f);
	return EXIT_OK;
}

int fm_discover(struct fmctl *f)
{
	int rc = fm_connect(f);

	if (rc || f->discovered)
		return rc;
	rc = cxlfm_discover(f->ctx);
	if (rc < 0)
		return fm_error(f, EXIT_TRANSPORT, "bus %s: discovery failed: %s", f->bus,
				strerror(-rc));
	f->discovered = true;
	return EXIT_OK;
}

const struct cxlfm_tunnel *fm_tun(const struct fmctl *f)
{
	return f->has_tunnel ? &f->tunnel : NULL;
}

static bool ep_is(struct cxlfm_ep *ep, enum fm_want want)
{
	struct cxlfm_identify_rsp id;

	if (want == WANT_ANY)
		return true;
	if (!cxlfm_ep_has_type(ep, CXLFM_MSG_CCI) && !cxlfm_ep_has_type(ep, CXLFM_MSG_FMAPI))
		return false;
	if (cxlfm_cmd_identify(ep, NULL, &id))
		return false;
	return want == WANT_SWITCH ? id.component_type == CXLFM_COMPONENT_SWITCH :
				     id.component_type == CXLFM_COMPONENT_TYPE3;
}

int fm_endpoint(struct fmctl *f, enum fm_want want, struct cxlfm_ep **out)
{
	static const char *const what[] = { "", "switch ", "type-3 " };
	struct cxlfm_ep *pick = NULL;
	char list[256] = "";
	size_t n, matches = 0;
	int rc;

	if (f->addr >= 0) {
		rc = fm_connect(f);
		if (rc)
			return rc;
		rc = cxlfm_ep_by_addr(f->ctx, (uint8_t)f->addr, out);
		if (rc)
			return fm_error(f, EXIT_TRANSPORT, "bus %s: no endpoint at address "
					"0x%02x: %s", f->bus, f->addr,
					rc == -EHOSTUNREACH ? "no acknowledge (NACK)" :
					strerror(-rc));
		return EXIT_OK;
	}
	rc = fm_discover(f);
	if (rc)
		return rc;
	if (f->eid >= 0) {
		*out = cxlfm_ep_by_eid(f->ctx, (uint8_t)f->eid);
		if (!*out)
			return fm_error(f, EXIT_NOTFOUND, "bus %s: no endpoint with EID %d",
					f->bus, f->eid);
		return EXIT_OK;
	}
	/* A tunnel starts at a switch endpoint. */
	if (f->has_tunnel && f->tunnel.port >= 0)
		want = WANT_SWITCH;
	n = cxlfm_ep_count(f->ctx);
	for (size_t i = 0; i < n; i++) {
		struct cxlfm_ep *ep = cxlfm_ep_at(f->ctx, i);
		size_t l = strlen(list);

		if (!ep_is(ep, want))
			continue;
		matches++;
		pick = ep;
		snprintf(list + l, sizeof(list) - l, "%s0x%02x", l ? ", " : "", cxlfm_ep_addr(ep));
	}
	if (matches == 1) {
		*out = pick;
		return EXIT_OK;
	}
	if (!matches)
		return fm_error(f, EXIT_NOTFOUND, "bus %s: no %sendpoint found%s", f->bus,
				what[want], n ? "" : " (the bus has no endpoints)");
	return fm_error(f, EXIT_NOTFOUND, "bus %s: %zu %sendpoints (%s): pick one with --addr",
			f->bus, matches, what[want], list);
}

int fm_begin(struct fmctl *f, int argc, char **argv, const struct option *longopts,
	     const char *help, int (*cb)(struct fmctl *f, int c, const char *arg, void *ctx),
	     void *ctx, enum fm_want want, struct cxlfm_ep **ep)
{
	int i = fm_parse(f, argc, argv, "", longopts, help, cb, ctx);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	if ((rc = fm_endpoint(f, want, ep)))
		return rc;
	return -1;
}

int fm_bg_finish(struct fmctl *f, struct cxlfm_ep *ep, uint16_t opcode, int rc, bool no_wait,
		 unsigned long wait_ms, struct json_object *o)
{
	uint16_t op_rc = 0;
	int wrc;

	if (rc != CXLFM_RC_SUCCESS && rc != CXLFM_RC_BG_STARTED) {
		json_object_put(o);
		return fm_fail(f, ep, opcode, rc);
	}
	json_object_object_add(o, "background", json_object_new_boolean(rc == CXLFM_RC_BG_STARTED));
	if (rc == CXLFM_RC_BG_STARTED && no_wait) {
		json_object_object_add(o, "completed", json_object_new_boolean(false));
		fm_print(f, o);
		return EXIT_OK;
	}
	if (rc == CXLFM_RC_BG_STARTED) {
		wrc = cxlfm_bg_wait(ep, fm_tun(f), wait_ms > UINT32_MAX ? UINT32_MAX :
				    (unsigned)wait_ms, &op_rc);
		if (wrc == -ETIMEDOUT) {
			const char *name = cxlfm_opcode_name(opcode);

			json_object_object_add(o, "completed", json_object_new_boolean(false));
			fm_print(f, o);
			return fm_error(f, EXIT_WAIT, "%s (%04Xh) still runs after %lu ms ('%s bg' "
					"with the same endpoint options follows it)",
					name ? name : "the operation", opcode, wait_ms, f->prog);
		}
		if (wrc) {
			json_object_put(o);
			return fm_fail(f, ep, CXLFM_OP_BG_OP_STATUS, wrc);
		}
	}
	json_object_object_add(o, "completed", json_object_new_boolean(true));
	json_object_object_add(o, "rc", json_object_new_int(op_rc));
	json_object_object_add(o, "rc_name", json_object_new_string(cxlfm_rc_str(op_rc)));
	if (!op_rc)
		return -1;
	fm_print(f, o);
	return fm_fail(f, ep, opcode, op_rc);
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		FM_GLOBAL_OPTS,
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct fmctl f = { .prog = "cxl-fmctl", .addr = -1, .eid = -1, .json = -1 };
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+" FM_GLOBAL_SHORT, opts, NULL)) != -1) {
		if (c == 'h') {
			print_main_help(stdout);
			return EXIT_OK;
		}
		if (c == 'V') {
			printf("cxl-fmctl (cxl-fmemu) %s\n", CXLFM_VERSION);
			return EXIT_OK;
		}
		if (c == '?' || fm_global_opt(&f, c, optarg) <= 0) {
			fprintf(stderr, "%s: bad option '%s'\n", f.prog, argv[optind - 1]);
			print_main_help(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		print_main_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		print_main_help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[optind], "version")) {
		printf("cxl-fmctl (cxl-fmemu) %s\n", CXLFM_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		if (strcmp(argv[optind], builtins[i].name))
			continue;
		f.cmd = builtins[i].name;
		rc = builtins[i].fn(argc - optind, argv + optind, &f);
		cxlfm_close(f.ctx);
		fflush(stdout);
		return rc;
	}
	fprintf(stderr, "%s: unknown command '%s'\n\n", f.prog, argv[optind]);
	print_main_help(stderr);
	return EXIT_USAGE;
}
