/* SPDX-License-Identifier: MIT */
/*
 * Start-up time (fork/exec to the "cxl-emu: ready" line) and memory
 * (VmRSS and its peak VmHWM from /proc/PID/status, read right after ready)
 * of two emulated hosts, each started fresh in a new directory:
 *   - the RFC's target host, with its 4 GiB DC backend file and 512 MiB
 *     LSA file (created sparse in that directory);
 *   - a 64-device topology: one host bridge, 4 root ports, 4 switches with
 *     16 downstream ports each, a type-3 device (256 MiB volatile) under
 *     every downstream port, and an MCTP endpoint per switch.
 * QEMU's own start (`-machine none`, exec to QMP greeting, measured in
 * baseline.c) is the reference.
 */
#include "fmbench.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TOPO_SWITCHES 4
#define TOPO_PER_SWITCH 16

static void topo64_argv(struct fb_argv *a)
{
	fb_argv_add(a, "-machine");
	fb_argv_add(a, "q35,cxl=on");
	fb_argv_add(a, "-device");
	fb_argv_add(a, "pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1");
	for (int s = 0; s < TOPO_SWITCHES; s++) {
		fb_argv_add(a, "-device");
		fb_argv_add(a, "cxl-rp,port=%d,bus=cxl.1,id=rp%d,chassis=0,slot=%d", s, s, s + 1);
		/* the upstream port's number must differ from its downstream ports' */
		fb_argv_add(a, "-device");
		fb_argv_add(a, "cxl-upstream,port=64,sn=%d,bus=rp%d,id=us%d", 1000 + s, s, s);
		fb_argv_add(a, "-device");
		fb_argv_add(a, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=%d,target=us%d",
			    0x20 + s, s);
		for (int d = 0; d < TOPO_PER_SWITCH; d++) {
			int i = s * TOPO_PER_SWITCH + d;

			fb_argv_add(a, "-object");
			fb_argv_add(a, "memory-backend-ram,id=m%d,size=256M", i);
			fb_argv_add(a, "-device");
			fb_argv_add(a, "cxl-downstream,port=%d,bus=us%d,id=dp%d,chassis=%d,slot=%d",
				    d, s, i, s + 1, d);
			fb_argv_add(a, "-device");
			fb_argv_add(a, "cxl-type3,bus=dp%d,volatile-memdev=m%d,id=t%d,sn=%d", i, i,
				    i, i + 1);
		}
	}
	fb_argv_add(a, "-M");
	fb_argv_add(a, "cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=64G");
	fb_argv_add(a, "-qmp");
	fb_argv_add(a, "tcp:127.0.0.1:0,server,wait=off");
	fb_argv_add(a, "--log");
	fb_argv_add(a, "error");
}

static int one(const struct fb_opts *o, int which, int round)
{
	static const char *const key[] = { "rfc_target", "topo64" };
	static const char *const label[] = { "RFC target host, 4 GiB DC file",
					     "64 type-3 under 4 switches" };
	struct fb_emu e = { .out_fd = -1 };
	struct fb_argv a = { 0 };
	char k[64], l[128], buf[64];
	double rss, hwm;
	int err;

	if (fb_tmpdir(e.dir, sizeof(e.dir)))
		return -1;
	if (which == 0) {
		snprintf(buf, sizeof(buf), "/cxl-fmbench-%d-start%d", (int)getpid(), round);
		fb_shm_track(buf);
		cmds_rfc_target_argv(&a, e.dir, buf, 1);
	} else {
		topo64_argv(&a);
	}
	err = fb_emu_start(&e, o->emu, &a, fb_cpu_server);
	fb_argv_free(&a);
	if (err)
		return err;
	err = fb_proc_mem(e.pid, &rss, &hwm);
	fb_emu_stop(&e);
	if (err) {
		fprintf(stderr, "cxl-fmbench: cannot read the memory of cxl-emu\n");
		return err;
	}
	snprintf(k, sizeof(k), "start.%s", key[which]);
	snprintf(l, sizeof(l), "exec to ready: %s", label[which]);
	fig_add_val(fig_get(k, l, "ms", FIG_VAL), e.start_ms);
	snprintf(k, sizeof(k), "rss.%s", key[which]);
	snprintf(l, sizeof(l), "VmRSS at ready: %s", label[which]);
	fig_add_val(fig_get(k, l, "MiB", FIG_VAL), rss);
	snprintf(k, sizeof(k), "hwm.%s", key[which]);
	snprintf(l, sizeof(l), "VmHWM (peak) at ready: %s", label[which]);
	fig_add_val(fig_get(k, l, "MiB", FIG_VAL), hwm);
	return 0;
}

int startup_round(const struct fb_opts *o, int round)
{
	int err;

	if ((err = one(o, 0, round)) || (err = one(o, 1, round)))
		return err;
	return 0;
}
