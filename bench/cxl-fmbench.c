/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmbench: what cxl-fmemu costs, each figure as a ratio against a
 * baseline measured in the same run on the same machine.
 *
 *   baselines      64-byte ping-pong between two processes over a UNIX
 *                  seqpacket socket and over TCP loopback; one QMP
 *                  query-version round trip to qemu-system-x86_64
 *                  -machine none (skipped, and said so, when absent)
 *   local          FM command round trips through libcxlfm, the bus socket,
 *                  the MCTP endpoint and the device model (bench/cmds.c)
 *   forwarded      the same through the RFC's two hosts, shm and inline
 *   throughput     Identify with 1, 4 and 16 requests in flight
 *   extents        add / list / release cost per extent at 1k/10k/100k
 *   start-up       exec to ready and memory of the RFC target host and of
 *                  a 64-device topology, next to QEMU's own start
 *   wire time      what the commands' I2C frames take on a real bus at
 *                  100 kHz, 400 kHz and 1 MHz, computed from the frames, next
 *                  to the same commands on a cxl-emu bus with that i2c-speed
 *                  (its wire-time model, bench/wire.c)
 *
 * Every figure is measured once per round and the rounds are interleaved
 * (baselines, commands, extents, start-up, then again), so slow phases of
 * a noisy machine spread over all figures; the table shows the median of
 * the rounds (for latencies: the median of the per-round p50 and p99).
 *
 * Exit status: 0 when everything ran, 1 when a benchmark could not run
 * (never because a number is slow), 2 for a usage error.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fmbench.h"
#include "proto/mctp.h"
#include "proto/mctp_i2c.h"

#ifndef CXL_EMU_PATH
#define CXL_EMU_PATH "cxl-emu"
#endif
#ifndef CXLFM_VERSION
#define CXLFM_VERSION "?"
#endif

#define DEFAULT_ROUNDS 9

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cxl-fmbench [--emu PATH] [--qemu PATH | --no-qemu] [--json FILE]\n"
		"                   [--rounds N] [--quick] [--no-pin] [--only MODULES]\n"
		"  --emu PATH    the cxl-emu to measure (default: %s)\n"
		"  --qemu PATH   qemu-system-x86_64 for the QMP and start-up references\n"
		"                (default: found on PATH; skipped with a note when absent)\n"
		"  --json FILE   write the results there as JSON\n"
		"  --rounds N    interleaved rounds, 1-%d (default %d)\n"
		"  --quick       fewer iterations and 3 rounds (a smoke run)\n"
		"  --no-pin      leave process placement to the scheduler\n"
		"  --only LIST   run only these of baselines,qemu,commands,extents,start-up,wire\n"
		"                (for profiling; ratios to modules not run are left out)\n",
		CXL_EMU_PATH, FB_MAX_ROUNDS, DEFAULT_ROUNDS);
}

static char *find_on_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path, name);
		if (len && access(buf, X_OK) == 0)
			return strdup(buf);
		path += len + (colon ? 1 : 0);
	}
	return NULL;
}

/* ---- results ---- */

static double p50(const char *key)
{
	const struct fig *f = fig_find(key);

	return f ? fig_p50(f) : NAN;
}

/* One bus-socket round trip plus one TCP loopback round trip (medians). */
static double floor_us(void)
{
	return p50("base.unix") + p50("base.tcp");
}

struct ratio_def {
	const char *prefix; /* figures whose key starts with it */
	const char *name;   /* ratio name in JSON */
	const char *base;   /* baseline figure, or "floor", "rate", "ext1k" */
};

static const struct ratio_def ratio_defs[] = {
	{ "emu.bus_nack", "x_unix", "base.unix" },
	{ "emu.qmp", "x_qemu_qmp", "base.qemu_qmp" },
	{ "local.", "x_unix", "base.unix" },
	{ "fwd_", "x_unix", "base.unix" },
	{ "fwd_", "x_floor", "floor" },
	{ "fwd_", "x_qemu_qmp", "base.qemu_qmp" },
	{ "tput.", "x_unix_rate", "rate" },
	{ "ext.", "x_1k", "ext1k" },
	{ "start.rfc", "x_qemu_start", "start.qemu" },
	{ "start.topo", "x_qemu_start", "start.qemu" },
	{ "rss.rfc", "x_qemu_hwm", "rss.qemu" },
	{ "rss.topo", "x_qemu_hwm", "rss.qemu" },
	{ "hwm.", "x_qemu_hwm", "rss.qemu" },
};

/* Baseline of round k (k < 0: the medians): a figure, "floor" or "rate". */
static double base_value(const char *base, int k)
{
	const struct fig *u, *t;

	if (!strcmp(base, "floor")) {
		u = fig_find("base.unix");
		t = fig_find("base.tcp");
		if (!u || !t)
			return NAN;
		return k < 0 ? fig_p50(u) + fig_p50(t) :
		       k < u->n && k < t->n ? u->p50[k] + t->p50[k] : NAN;
	}
	if (!strcmp(base, "rate")) /* bare ping-pongs per second */
		return 1e6 / base_value("base.unix", k);
	u = fig_find(base);
	if (!u)
		return NAN;
	return k < 0 ? fig_p50(u) : k < u->n ? u->p50[k] : NAN;
}

/*
 * Figure / baseline: the median over the rounds of the ratio within each
 * round (the baseline measured minutes apart would carry the machine's
 * drift into the ratio); the ratio of the medians when rounds are missing.
 */
static double ratio_to(const struct fig *f, const char *base)
{
	double r[FB_MAX_ROUNDS];

	if (!f || !f->n)
		return NAN;
	for (int k = 0; k < f->n; k++) {
		r[k] = f->p50[k] / base_value(base, k);
		if (isnan(r[k]))
			return fig_p50(f) / base_value(base, -1);
	}
	return fb_median(r, (size_t)f->n);
}

static double ratio_of(const struct fig *f, const struct ratio_def *d)
{
	if (!strcmp(d->base, "ext1k")) {
		char k[64];
		const char *dot = strrchr(f->key, '.');

		snprintf(k, sizeof(k), "%.*s.1k", (int)(dot - f->key), f->key);
		return ratio_to(f, k);
	}
	return ratio_to(f, d->base);
}

static void print_ratios(const struct fig *f, char *out, size_t len)
{
	size_t n = 0;

	out[0] = 0;
	for (size_t i = 0; i < sizeof(ratio_defs) / sizeof(ratio_defs[0]); i++) {
		const struct ratio_def *d = &ratio_defs[i];
		double r;

		if (strncmp(f->key, d->prefix, strlen(d->prefix)))
			continue;
		r = ratio_of(f, d);
		if (isnan(r))
			continue;
		n += (size_t)snprintf(out + n, n < len ? len - n : 0, "%s%.2f %s", n ? ", " : "",
				      r, d->name);
	}
}

static void print_section(const char *title, const char *const *prefixes)
{
	bool any = false;

	for (size_t i = 0; i < fig_count(); i++) {
		const struct fig *f = fig_at(i);
		char ratios[160];

		for (const char *const *p = prefixes; *p; p++) {
			if (strncmp(f->key, *p, strlen(*p)))
				continue;
			if (!any) {
				printf("\n%s\n", title);
				any = true;
			}
			print_ratios(f, ratios, sizeof(ratios));
			if (f->kind == FIG_LAT)
				printf("  %-58s %9.1f %9.1f us  %s\n", f->label, fig_p50(f), fig_p99(f),
				       ratios);
			else
				printf("  %-58s %9.1f %9s %-3s %s\n", f->label, fig_p50(f), "",
				       !strcmp(f->unit, "ns/extent") ? "ns" : f->unit, ratios);
			break;
		}
	}
}

/* ---- I2C wire time (computed) ---- */

struct wire {
	const char *cmd;
	const char *measured; /* local figure beside it (no wire model) */
	const char *model;    /* "wire.<x>": the figures on a modelled bus, or NULL */
	size_t req_payload, rsp_payload;
	unsigned frames;
	size_t bytes;
	double us[WIRE_SPEEDS];
};

/*
 * One MCTP message (type byte + 12-byte CCI header + payload) as DSP0237
 * frames at the 64-byte baseline MTU: each frame is the address byte,
 * command code, byte count, source address, the 4-byte MCTP header, up to
 * 64 bytes and the PEC. On the wire every byte is 9 bit times (8 + ACK),
 * plus one each for START and STOP; no clock stretching, gaps or
 * arbitration, so real buses are slower still.
 */
static void wire_msg(size_t payload, struct wire *w)
{
	size_t msg = 1 + 12 + payload;

	while (msg) {
		size_t chunk = msg > MCTP_BTU ? MCTP_BTU : msg;
		size_t frame = MCTP_I2C_FRAME_LEN(MCTP_HDR_LEN + chunk);

		w->frames++;
		w->bytes += frame;
		for (int i = 0; i < WIRE_SPEEDS; i++)
			w->us[i] += (double)(frame * 9 + 2) / wire_speeds[i].hz * 1e6;
		msg -= chunk;
	}
}

static struct wire wires[] = {
	{ "Identify (0001h)", "local.identify", "wire.identify", 0, 18, 0, 0, { 0 } },
	{ "Physical Port State, 3 ports (5101h)", NULL, "wire.ports", WIRE_PORTS_REQ,
	  WIRE_PORTS_RSP, 0, 0, { 0 } },
	{ "DC Extent Lists page of 8 (5603h)", "local.extents512", NULL, 12, 24 + 8 * 40, 0, 0,
	  { 0 } },
};

/* p50 of the wire-model figure of w at speed s (NAN when not measured). */
static double model_p50(const struct wire *w, int s)
{
	char key[64];

	if (!w->model)
		return NAN;
	snprintf(key, sizeof(key), "%s.%s", w->model, wire_speeds[s].key);
	return p50(key);
}

static void wire_compute(void)
{
	for (size_t i = 0; i < sizeof(wires) / sizeof(wires[0]); i++) {
		wire_msg(wires[i].req_payload, &wires[i]);
		wire_msg(wires[i].rsp_payload, &wires[i]);
	}
}

static void print_wire(void)
{
	printf("\nI2C wire time: on real hardware (computed from the frames: 9 bit times a byte,\n"
	       "START and STOP, no clock stretching) and on a cxl-emu bus with that i2c-speed (p50;\n"
	       "ratio = cxl-emu / computed)\n");
	printf("  %-38s %6s %5s %21s %21s %21s %9s\n", "command", "frames", "bytes",
	       "100 kHz", "400 kHz", "1 MHz", "no model");
	for (size_t i = 0; i < sizeof(wires) / sizeof(wires[0]); i++) {
		const struct wire *w = &wires[i];

		printf("  %-38s %6u %5zu", w->cmd, w->frames, w->bytes);
		for (int s = 0; s < WIRE_SPEEDS; s++) {
			double m = model_p50(w, s);

			if (isnan(m))
				printf(" %7.0f us %13s", w->us[s], "");
			else
				printf(" %7.0f us %6.0f %5.3fx", w->us[s], m, m / w->us[s]);
		}
		if (w->measured)
			printf(" %6.1f us\n", p50(w->measured));
		else
			printf(" %9s\n", "");
	}
}

/* ---- targets ---- */

struct target {
	char name[128];
	double measured, limit;
	const char *unit;
	bool known, holds;
};

static struct target targets[16];
static size_t ntargets;

static void target(const char *name, double measured, double limit, const char *unit)
{
	struct target *t = &targets[ntargets++];

	snprintf(t->name, sizeof(t->name), "%s", name);
	t->measured = measured;
	t->limit = limit;
	t->unit = unit;
	t->known = !isnan(measured);
	t->holds = t->known && measured <= limit;
}

static void eval_targets(void)
{
	static const char *const fwd[] = { "fwd_shm", "fwd_inline" };
	static const char *const ops[] = { "add", "list", "release" };
	char name[128], k[64];

	for (int i = 0; i < 2; i++) {
		snprintf(k, sizeof(k), "%s.identify", fwd[i]);
		snprintf(name, sizeof(name), "%s Identify p50 / transport floor <= 1.5", fwd[i]);
		target(name, ratio_to(fig_find(k), "floor"), 1.5, "x");
		snprintf(name, sizeof(name), "%s Identify p50 / QEMU QMP round trip <= 0.5", fwd[i]);
		target(name, ratio_to(fig_find(k), "base.qemu_qmp"), 0.5, "x");
	}
	target("local Identify p50 / UNIX ping-pong <= 1.5",
	       ratio_to(fig_find("local.identify"), "base.unix"), 1.5, "x");
	for (int i = 0; i < 3; i++) {
		char base[64];

		snprintf(name, sizeof(name), "extent %s per-extent cost 100k / 1k <= 2", ops[i]);
		snprintf(k, sizeof(k), "ext.%s.100k", ops[i]);
		snprintf(base, sizeof(base), "ext.%s.1k", ops[i]);
		target(name, ratio_to(fig_find(k), base), 2.0, "x");
	}
	target("RFC target host start-up < 50 ms", p50("start.rfc_target"), 50, "ms");
	target("RFC target host RSS (VmHWM) < 20 MB", p50("hwm.rfc_target") * 1048576 / 1e6, 20,
	       "MB");
}

static void print_targets(void)
{
	printf("\nTargets (docs/performance.md)\n");
	for (size_t i = 0; i < ntargets; i++) {
		const struct target *t = &targets[i];

		if (!t->known)
			printf("  %-58s %9s  not measured\n", t->name, "-");
		else
			printf("  %-58s %9.2f %-2s %s\n", t->name, t->measured, t->unit,
			       t->holds ? "holds" : "MISSED");
	}
}

/* ---- JSON ---- */

/* How each figure is made (docs/performance.md has the details). */
static const struct {
	const char *prefix, *how;
} hows[] = {
	{ "base.unix", "64-byte send/recv between this process and a forked echo child, "
		       "socketpair(AF_UNIX, SOCK_SEQPACKET)" },
	{ "base.tcp", "64-byte write/read to a forked echo child over 127.0.0.1, TCP_NODELAY" },
	{ "base.qemu_qmp", "query-version to qemu-system-x86_64 -machine none -nodefaults "
			   "-display none, QMP monitor on an inherited listening socket" },
	{ "emu.bus_nack", "a 22-byte frame to an unused I2C address on the local host's bus "
			  "socket; cxl-emu answers with a NACK datagram" },
	{ "emu.qmp", "query-version to the local cxl-emu host over QMP on TCP" },
	{ "local.", "cxlfm_cmd() on the local cxl-emu host's bus (0x6-0x8)" },
	{ "fwd_shm.", "cxlfm_cmd() on the FM host's bus; its endpoint forwards over the RFC "
		      "shared buffer and QMP to the target host" },
	{ "fwd_inline.", "as fwd_shm, with mctp-fwd=inline (payload in the QMP command)" },
	{ "tput.", "Identify with cxlfm_submit(), N in flight (two controllers above 8), "
		   "completions per second" },
	{ "ext.", "t3 device model in process, CCIs called directly" },
	{ "start.", "fork/exec to the 'cxl-emu: ready' line (QEMU: to the QMP greeting)" },
	{ "rss.", "VmRSS (QEMU: VmHWM) from /proc/PID/status right after ready" },
	{ "hwm.", "VmHWM from /proc/PID/status right after ready" },
};

static const char *how_of(const char *key)
{
	for (size_t i = 0; i < sizeof(hows) / sizeof(hows[0]); i++)
		if (!strncmp(key, hows[i].prefix, strlen(hows[i].prefix)))
			return hows[i].how;
	return NULL;
}

static struct json_object *num(double v)
{
	return isnan(v) || isinf(v) ? NULL : json_object_new_double(round(v * 1000) / 1000);
}

static int write_json(const char *path, const struct fb_opts *o, double elapsed_s,
		      const char *failed, const char *cmdline)
{
	struct json_object *root = json_object_new_object(), *figs = json_object_new_object();
	struct json_object *m = json_object_new_object(), *arr = json_object_new_array();
	struct utsname u;
	char cpu[256] = "?";
	FILE *f;

	f = fopen("/proc/cpuinfo", "r");
	if (f) {
		char line[512];

		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
				snprintf(cpu, sizeof(cpu), "%s", strchr(line, ':') + 2);
				cpu[strcspn(cpu, "\n")] = 0;
				break;
			}
		fclose(f);
	}
	json_object_object_add(root, "tool", json_object_new_string("cxl-fmbench"));
	json_object_object_add(root, "version", json_object_new_string(CXLFM_VERSION));
	json_object_object_add(root, "command", json_object_new_string(cmdline));
	json_object_object_add(root, "rounds", json_object_new_int(o->rounds));
	json_object_object_add(root, "ratios", json_object_new_string(
		"median over the rounds of figure / baseline within each round"));
	json_object_object_add(root, "pinned", json_object_new_boolean(fb_cpu_client >= 0));
	json_object_object_add(root, "elapsed_s", num(elapsed_s));
	json_object_object_add(m, "cpus", json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_object_add(m, "cpu", json_object_new_string(cpu));
	if (!uname(&u))
		json_object_object_add(m, "kernel", json_object_new_string(u.release));
	json_object_object_add(root, "machine", m);
	if (o->qemu) {
		struct json_object *q = json_object_new_object();

		json_object_object_add(q, "path", json_object_new_string(o->qemu));
		json_object_object_add(q, "version", base_qemu_version() ?
				       json_object_new_string(base_qemu_version()) : NULL);
		json_object_object_add(root, "qemu", q);
	} else {
		json_object_object_add(root, "qemu", NULL);
	}
	if (failed)
		json_object_object_add(root, "failed", json_object_new_string(failed));

	for (size_t i = 0; i < fig_count(); i++) {
		const struct fig *fg = fig_at(i);
		struct json_object *x = json_object_new_object(), *r50 = json_object_new_array();
		struct json_object *ratios = json_object_new_object();

		json_object_object_add(x, "label", json_object_new_string(fg->label));
		json_object_object_add(x, "unit", json_object_new_string(fg->unit));
		if (how_of(fg->key))
			json_object_object_add(x, "how", json_object_new_string(how_of(fg->key)));
		if (fg->kind == FIG_LAT) {
			struct json_object *r99 = json_object_new_array();

			json_object_object_add(x, "p50", num(fig_p50(fg)));
			json_object_object_add(x, "p99", num(fig_p99(fg)));
			for (int k = 0; k < fg->n; k++) {
				json_object_array_add(r50, num(fg->p50[k]));
				json_object_array_add(r99, num(fg->p99[k]));
			}
			json_object_object_add(x, "runs_p50", r50);
			json_object_object_add(x, "runs_p99", r99);
		} else {
			json_object_object_add(x, "value", num(fig_p50(fg)));
			for (int k = 0; k < fg->n; k++)
				json_object_array_add(r50, num(fg->p50[k]));
			json_object_object_add(x, "runs", r50);
		}
		for (size_t d = 0; d < sizeof(ratio_defs) / sizeof(ratio_defs[0]); d++)
			if (!strncmp(fg->key, ratio_defs[d].prefix, strlen(ratio_defs[d].prefix)))
				json_object_object_add(ratios, ratio_defs[d].name,
						       num(ratio_of(fg, &ratio_defs[d])));
		json_object_object_add(x, "ratios", ratios);
		json_object_object_add(figs, fg->key, x);
	}
	json_object_object_add(root, "transport_floor_us", num(floor_us()));
	json_object_object_add(root, "figures", figs);

	for (size_t i = 0; i < sizeof(wires) / sizeof(wires[0]); i++) {
		struct json_object *w = json_object_new_object();

		json_object_object_add(w, "command", json_object_new_string(wires[i].cmd));
		json_object_object_add(w, "frames", json_object_new_int((int)wires[i].frames));
		json_object_object_add(w, "bytes", json_object_new_int((int)wires[i].bytes));
		json_object_object_add(w, "us_100k", num(wires[i].us[0]));
		json_object_object_add(w, "us_400k", num(wires[i].us[1]));
		json_object_object_add(w, "us_1m", num(wires[i].us[2]));
		if (wires[i].measured)
			json_object_object_add(w, "measured_local_p50_us",
					       num(p50(wires[i].measured)));
		for (int sp = 0; sp < WIRE_SPEEDS && wires[i].model; sp++) {
			char k[48];

			snprintf(k, sizeof(k), "model_p50_us_%s", wire_speeds[sp].key);
			json_object_object_add(w, k, num(model_p50(&wires[i], sp)));
			snprintf(k, sizeof(k), "model_x_computed_%s", wire_speeds[sp].key);
			json_object_object_add(w, k, num(model_p50(&wires[i], sp) / wires[i].us[sp]));
		}
		json_object_array_add(arr, w);
	}
	json_object_object_add(root, "i2c_wire_time", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < ntargets; i++) {
		struct json_object *t = json_object_new_object();

		json_object_object_add(t, "target", json_object_new_string(targets[i].name));
		json_object_object_add(t, "measured", num(targets[i].measured));
		json_object_object_add(t, "limit", num(targets[i].limit));
		json_object_object_add(t, "unit", json_object_new_string(targets[i].unit));
		json_object_object_add(t, "holds", targets[i].known ?
				       json_object_new_boolean(targets[i].holds) : NULL);
		json_object_array_add(arr, t);
	}
	json_object_object_add(root, "targets", arr);

	if (json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY |
				    JSON_C_TO_STRING_NOSLASHESCAPE)) {
		fprintf(stderr, "cxl-fmbench: cannot write %s\n", path);
		json_object_put(root);
		return -1;
	}
	json_object_put(root);
	return 0;
}

/* ---- main ---- */

struct module {
	const char *name;
	int (*setup)(const struct fb_opts *o);
	int (*round)(const struct fb_opts *o, int round);
	void (*teardown)(void);
	bool failed, skipped;
};

int main(int argc, char **argv)
{
	struct fb_opts o = { .emu = CXL_EMU_PATH, .rounds = DEFAULT_ROUNDS, .scale = 1.0,
			     .pin = true };
	struct module mods[] = {
		{ "baselines", base_setup, base_round, base_teardown, false, false },
		{ "qemu", qemu_setup, qemu_round, qemu_teardown, false, false },
		{ "commands", cmds_setup, cmds_round, cmds_teardown, false, false },
		{ "extents", NULL, extents_round, NULL, false, false },
		{ "start-up", NULL, startup_round, NULL, false, false },
		{ "wire", wire_setup, wire_round, wire_teardown, false, false },
	};
	const size_t nmods = sizeof(mods) / sizeof(mods[0]);
	const char *only = NULL;
	bool no_qemu = false;
	char *qemu = NULL, failed[256] = "";
	uint64_t t0 = fb_now_ns();
	double elapsed;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--emu") && i + 1 < argc) {
			o.emu = argv[++i];
		} else if (!strcmp(a, "--qemu") && i + 1 < argc) {
			qemu = strdup(argv[++i]);
		} else if (!strcmp(a, "--no-qemu")) {
			no_qemu = true;
		} else if (!strcmp(a, "--json") && i + 1 < argc) {
			o.json = argv[++i];
		} else if (!strcmp(a, "--rounds") && i + 1 < argc) {
			o.rounds = atoi(argv[++i]);
		} else if (!strcmp(a, "--only") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(a, "--no-pin")) {
			o.pin = false;
		} else if (!strcmp(a, "--quick")) {
			o.scale = 0.25;
			o.rounds = 3;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (o.rounds < 1 || o.rounds > FB_MAX_ROUNDS) {
		usage(stderr);
		return 2;
	}
	if (access(o.emu, X_OK)) {
		fprintf(stderr, "cxl-fmbench: %s: %s\n", o.emu, strerror(errno));
		return 1;
	}
	if (!no_qemu && !qemu)
		qemu = find_on_path("qemu-system-x86_64");
	if (qemu && access(qemu, X_OK)) {
		free(qemu);
		qemu = NULL;
	}
	o.qemu = no_qemu ? NULL : qemu;
	unsetenv("MALLOC_PERTURB_"); /* the emulators must run as users run them */
	fb_cleanup_init();
	fb_pin_init(o.pin);
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("cxl-fmbench %s: %d interleaved rounds, medians of the rounds; %ld CPUs\n",
	       CXLFM_VERSION, o.rounds, sysconf(_SC_NPROCESSORS_ONLN));
	printf("cxl-emu: %s\n", o.emu);
	if (fb_cpu_client >= 0)
		printf("CPUs:    this process (the client of every round trip) and the target host "
		       "on CPU %d,\n         the processes it talks to on CPU %d: every hop "
		       "crosses CPUs\n", fb_cpu_client, fb_cpu_server);
	else
		printf("CPUs:    not pinned (%s)\n", o.pin ? "one CPU" : "--no-pin");
	if (o.qemu)
		printf("QEMU:    %s\n", o.qemu);
	else
		printf("QEMU:    qemu-system-x86_64 NOT FOUND%s: the QMP and start-up references\n"
		       "         and every ratio to them are skipped (scripts/deps.sh bench installs it)\n",
		       no_qemu ? " (--no-qemu)" : " on PATH");

	for (size_t m = 0; m < nmods; m++)
		if ((only && !strstr(only, mods[m].name)) ||
		    (!o.qemu && !strcmp(mods[m].name, "qemu")))
			mods[m].skipped = true;
	for (size_t m = 0; m < nmods; m++)
		if (!mods[m].skipped && mods[m].setup && mods[m].setup(&o)) {
			fprintf(stderr, "cxl-fmbench: %s: set-up failed, skipped\n", mods[m].name);
			mods[m].failed = true;
		}
	for (int r = 0; r < o.rounds; r++) {
		printf("round %d/%d ...\n", r + 1, o.rounds);
		for (size_t m = 0; m < nmods; m++)
			if (!mods[m].failed && !mods[m].skipped && mods[m].round(&o, r)) {
				fprintf(stderr, "cxl-fmbench: %s: round %d failed, skipped from now on\n",
					mods[m].name, r + 1);
				mods[m].failed = true;
			}
	}
	for (size_t m = 0; m < nmods; m++) {
		if (mods[m].teardown && !mods[m].skipped)
			mods[m].teardown();
		if (mods[m].failed) {
			size_t n = strlen(failed);

			snprintf(failed + n, sizeof(failed) - n, "%s%s", n ? ", " : "", mods[m].name);
			rc = 1;
		}
	}
	wire_compute();
	eval_targets();
	elapsed = (double)(fb_now_ns() - t0) / 1e9;

	printf("\nratios, each the median over the rounds of the ratio within a round:\n"
	       "x_unix = / UNIX ping-pong p50, x_floor = / (UNIX + TCP ping-pong p50; medians "
	       "%.1f us),\nx_qemu_qmp = / QEMU QMP p50, x_unix_rate = / bare ping-pongs per "
	       "second, x_1k = / the 1k-extent figure\n", floor_us());
	printf("%-60s %9s %9s\n", "", "p50", "p99");
	print_section("Baselines", (const char *const[]){ "base.", "emu.", NULL });
	print_section("Local FM command round trip (libcxlfm -> bus socket -> endpoint -> model)",
		      (const char *const[]){ "local.", NULL });
	print_section("Forwarded round trip (FM host -> target host over QMP on TCP loopback)",
		      (const char *const[]){ "fwd_shm.", "fwd_inline.", NULL });
	print_section("Throughput (Identify)", (const char *const[]){ "tput.", NULL });
	print_section("Extent scaling (device model, in process)", (const char *const[]){ "ext.", NULL });
	print_section("Start-up and memory",
		      (const char *const[]){ "start.", "rss.", "hwm.", NULL });
	print_wire();
	print_targets();
	if (!o.qemu)
		printf("QEMU absent: no QMP or start-up reference, those ratios not computed\n");
	if (rc)
		printf("\nNOT RUN: %s (see the messages above)\n", failed);
	printf("%.1f s\n", elapsed);
	if (o.json) {
		char cmdline[1024];
		size_t n = 0;

		cmdline[0] = 0;
		for (int i = 0; i < argc; i++)
			n += (size_t)snprintf(cmdline + n, n < sizeof(cmdline) ? sizeof(cmdline) - n : 0,
					      "%s%s", i ? " " : "", argv[i]);
		if (write_json(o.json, &o, elapsed, rc ? failed : NULL, cmdline))
			rc = 1;
		else
			printf("results: %s\n", o.json);
	}
	free(qemu);
	return rc;
}
