/* SPDX-License-Identifier: MIT */
/*
 * The I2C wire-time model (i2c-speed on a bus, docs/bus-socket.md): one
 * cxl-emu per speed (100 kHz, 400 kHz, 1 MHz) with a switch and a DCD on a
 * modelled bus, and the time of an Identify and a Get Physical Port State
 * through libcxlfm, to set beside the real-hardware expectation computed
 * from the same frames (cxl-fmbench.c, print_wire()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cxlfm/cxlfm.h"
#include "fmbench.h"

#define OP_IDENTIFY 0x0001
#define OP_PORT_STATE 0x5101
#define SW_ADDR 0x04

const struct wire_speed wire_speeds[WIRE_SPEEDS] = {
	{ "100k", "100k", 100e3 }, { "400k", "400k", 400e3 }, { "1M", "1m", 1e6 },
};

static struct fb_emu emus[WIRE_SPEEDS];
static struct cxlfm_ctx *ctxs[WIRE_SPEEDS];
static struct cxlfm_ep *eps[WIRE_SPEEDS];

static int op_identify(void *arg)
{
	uint8_t out[64];
	size_t n;
	int rc = cxlfm_cmd(arg, NULL, OP_IDENTIFY, NULL, 0, out, sizeof(out), &n);

	return rc ? (rc < 0 ? rc : -EPROTO) : (n == 18 ? 0 : -EPROTO);
}

/* Ports 0, 1 and 3 of the switch: 52 bytes back, two frames. */
static int op_port_state(void *arg)
{
	static const uint8_t in[WIRE_PORTS_REQ] = { 3, 0, 1, 3 };
	uint8_t out[128];
	size_t n;
	int rc = cxlfm_cmd(arg, NULL, OP_PORT_STATE, in, sizeof(in), out, sizeof(out), &n);

	return rc ? (rc < 0 ? rc : -EPROTO) : (n == WIRE_PORTS_RSP ? 0 : -EPROTO);
}

int wire_setup(const struct fb_opts *o)
{
	for (int s = 0; s < WIRE_SPEEDS; s++) {
		struct cxlfm_opts copts = { .size = sizeof(copts), .timeout_ms = 5000 };
		struct fb_argv a = { 0 };
		int err;

		if (fb_tmpdir(emus[s].dir, sizeof(emus[s].dir)))
			return -1;
		fb_argv_add(&a, "-machine");
		fb_argv_add(&a, "q35,cxl=on");
		fb_argv_add(&a, "-device");
		fb_argv_add(&a, "pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1");
		fb_argv_add(&a, "-device");
		fb_argv_add(&a, "cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2");
		fb_argv_add(&a, "-device");
		fb_argv_add(&a, "cxl-upstream,port=2,sn=1234,bus=rp0,id=us0");
		for (int p = 0; p < 3; p++) {
			fb_argv_add(&a, "-device");
			fb_argv_add(&a, "cxl-downstream,port=%d,bus=us0,id=dp%d,chassis=0,slot=%d",
				    p == 2 ? 3 : p, p, 4 + p);
		}
		fb_argv_add(&a, "-device");
		fb_argv_add(&a, "i2c_mctp_cxl,bus=wire.bus,address=%d,target=us0,i2c-speed=%s",
			    SW_ADDR, wire_speeds[s].name);
		err = fb_emu_start(&emus[s], o->emu, &a, fb_cpu_server);
		fb_argv_free(&a);
		if (err)
			return -1;
		if (!emus[s].n_bus) {
			fprintf(stderr, "cxl-fmbench: cxl-emu announced no bus\n");
			return -1;
		}
		err = cxlfm_open(emus[s].bus[0], &copts, &ctxs[s]);
		if (!err)
			err = cxlfm_ep_by_addr(ctxs[s], SW_ADDR, &eps[s]);
		if (err) {
			fprintf(stderr, "cxl-fmbench: wire bus %s: %s\n", emus[s].bus[0],
				strerror(-err));
			return -1;
		}
	}
	return 0;
}

int wire_round(const struct fb_opts *o, int round)
{
	(void)round;
	for (int s = 0; s < WIRE_SPEEDS; s++) {
		/* about 0.3 s a figure at 100 kHz, less at the higher speeds */
		unsigned iters = (unsigned)(40 * o->scale * (s + 1)) + 3;
		struct { const char *what, *label; fb_op_fn fn; } ops[] = {
			{ "identify", "Identify", op_identify },
			{ "ports", "Get Physical Port State, 3 ports", op_port_state },
		};

		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			char key[64], label[96];
			double p50, p99;
			int err = fb_latency(ops[i].fn, eps[s], 2, iters, &p50, &p99);

			if (err) {
				fprintf(stderr, "cxl-fmbench: wire %s at %s: %s\n", ops[i].what,
					wire_speeds[s].name, strerror(-err));
				return -1;
			}
			snprintf(key, sizeof(key), "wire.%s.%s", ops[i].what, wire_speeds[s].key);
			snprintf(label, sizeof(label), "%s, i2c-speed=%s", ops[i].label,
				 wire_speeds[s].name);
			fig_add_lat(fig_get(key, label, "us", FIG_LAT), p50, p99);
		}
	}
	return 0;
}

void wire_teardown(void)
{
	for (int s = 0; s < WIRE_SPEEDS; s++) {
		cxlfm_close(ctxs[s]);
		ctxs[s] = NULL;
		if (emus[s].pid)
			fb_emu_stop(&emus[s]);
	}
}
