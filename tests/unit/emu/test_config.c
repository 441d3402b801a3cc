/* SPDX-License-Identifier: MIT */
/* Command line -> validated configuration: the RFC topology and every error. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "emu/config.h"

#define MAXARG 96

/* Split a shell-like line on spaces (no quoting needed in these tests). */
/* The same, keeping the parsed options (for -writeconfig); opts_free(o). */
static int build_opts(const char *line, struct opts *o, struct config **c, char *err,
		      size_t len)
{
	char *copy = strdup(line), *argv[MAXARG], *save = NULL;
	int argc = 0, rc;

	argv[argc++] = (char *)"cxl-emu";
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	assert_true(argc < MAXARG);
	rc = opts_parse(argc, argv, o, err, len);
	if (!rc)
		rc = config_build(o, c, err, len);
	else
		*c = NULL;
	free(copy);
	return rc;
}

static int build(const char *line, struct config **c, char *err, size_t len)
{
	struct opts o;
	int rc = build_opts(line, &o, c, err, len);

	opts_free(&o);
	return rc;
}

#define RFC_OBJECTS \
	"-object memory-backend-file,id=cxl-mem2,mem-path=/tmp/host/t3_cxl2.raw,size=4G " \
	"-object memory-backend-file,id=cxl-lsa2,mem-path=/tmp/host/t3_lsa2.raw,size=512M "
#define RFC_SWITCH \
	"-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 " \
	"-device cxl-rp,port=0,bus=cxl.1,id=cxl_rp_port0,chassis=0,slot=2 " \
	"-device cxl-upstream,port=2,sn=1234,bus=cxl_rp_port0,id=us0,addr=0.0," \
	"multifunction=on " \
	"-device cxl-switch-mailbox-cci,bus=cxl_rp_port0,addr=0.1,target=us0 " \
	"-device cxl-downstream,port=0,bus=us0,id=swport0,chassis=0,slot=4 " \
	"-device cxl-downstream,port=1,bus=us0,id=swport1,chassis=0,slot=5 " \
	"-device cxl-downstream,port=3,bus=us0,id=swport2,chassis=0,slot=6 "
#define RFC_TARGET \
	"-kernel bzImage -append console=ttyS0 -smp 4 -m 4G -nographic " \
	"-machine q35,cxl=on -qmp tcp:localhost:4445,server,wait=off " RFC_OBJECTS RFC_SWITCH \
	"-device cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,lsa=cxl-lsa2," \
	"num-dc-regions=2,sn=99,allow-fm-attach=on,mctp-buf-init=on " \
	"-device i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0 " \
	"-device i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0 " \
	"-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,cxl-fmw.0.interleave-granularity=1k"

/* A minimal valid CXL prefix for error tests. */
#define BASE "-machine q35,cxl=on " RFC_OBJECTS RFC_SWITCH
/* The least a command line needs to be about CXL. */
#define ONE_HB "-machine cxl=on -device pxb-cxl,id=hb "

static void test_rfc_target(void **state)
{
	struct config *c;
	struct cfg_device *d, *rp, *us, *cci, *dsp;
	char err[512];

	(void)state;
	assert_int_equal(build(RFC_TARGET, &c, err, sizeof(err)), 0);
	assert_string_equal(c->machine.type, "q35");
	assert_true(c->machine.cxl);
	assert_int_equal(c->n_memdevs, 2);
	assert_true(c->memdevs[0]->size == 4ull << 30);
	assert_string_equal(c->memdevs[0]->mem_path, "/tmp/host/t3_cxl2.raw");

	/* pcie.0 -> cxl.1 -> cxl_rp_port0 -> {us0 (0.0), cci (0.1)} */
	assert_int_equal(c->root->n_children, 1);
	d = c->root->children[0];
	assert_string_equal(d->id, "cxl.1");
	assert_int_equal(d->kind, CFG_PXB_CXL);
	assert_int_equal(d->u.pxb.bus_nr, 12);
	rp = cfg_find_device(c, "cxl_rp_port0");
	assert_ptr_equal(rp->parent, d);
	assert_int_equal(rp->u.port.slot, 2);
	assert_int_equal(rp->n_children, 2);
	us = rp->children[0];
	cci = rp->children[1];
	assert_string_equal(us->id, "us0");
	assert_int_equal(us->devfn, 0);
	assert_true(us->multifunction);
	assert_true(us->u.usp.has_sn);
	assert_true(us->u.usp.sn == 1234);
	assert_int_equal(us->u.usp.port, 2);
	assert_int_equal(cci->kind, CFG_SWITCH_CCI);
	assert_null(cci->id);
	/* QEMU's QOM path for a device without id: the first one */
	assert_string_equal(cci->name, "/machine/peripheral-anon/device[0]");
	assert_int_equal(cci->devfn, 1);
	assert_ptr_equal(cci->u.cci.target, us);
	assert_int_equal(us->n_children, 3);
	dsp = cfg_find_device(c, "swport2");
	assert_int_equal(dsp->u.port.port, 3);
	assert_int_equal(dsp->u.port.slot, 6);

	d = cfg_find_device(c, "cxl-dcd0");
	assert_int_equal(d->kind, CFG_CXL_TYPE3);
	assert_string_equal(d->parent->id, "swport0");
	assert_true(d->u.t3.has_sn && d->u.t3.sn == 99);
	assert_int_equal(d->u.t3.num_dc_regions, 2);
	assert_true(d->u.t3.allow_fm_attach);
	assert_true(d->u.t3.mctp_buf_init);
	assert_ptr_equal(d->u.t3.dc, cfg_find_memdev(c, "cxl-mem2"));
	assert_ptr_equal(d->u.t3.lsa, cfg_find_memdev(c, "cxl-lsa2"));
	assert_null(d->u.t3.vmem);
	assert_null(d->u.t3.persistent);
	assert_int_equal(d->u.t3.num_ld, 1);
	assert_string_equal(d->u.t3.mctp_buf_name, "/mctp-message-buf");
	assert_int_equal(d->u.t3.mctp_buf_slots, 1);
	assert_ptr_equal(cfg_find_memdev(c, "cxl-mem2")->user, d);

	assert_int_equal(c->n_i2c_buses, 1);
	assert_string_equal(c->i2c_buses[0]->name, "aspeed.i2c.bus.0");
	assert_int_equal(c->i2c_buses[0]->n_eps, 2);
	assert_int_equal(c->i2c_buses[0]->eps[0]->u.i2c.address, 4);
	assert_ptr_equal(c->i2c_buses[0]->eps[0]->u.i2c.target, us);
	assert_ptr_equal(c->i2c_buses[0]->eps[1]->u.i2c.target, d);
	assert_false(c->i2c_buses[0]->eps[1]->u.i2c.forward);

	assert_int_equal(c->machine.n_fmws, 1);
	assert_int_equal(c->machine.fmws[0]->n_targets, 1);
	assert_string_equal(c->machine.fmws[0]->targets[0]->id, "cxl.1");
	assert_true(c->machine.fmws[0]->size == 4ull << 30);
	assert_true(c->machine.fmws[0]->granularity == 1024);

	assert_int_equal(c->n_qmps, 1);
	assert_int_equal(c->qmps[0]->kind, CFG_QMP_TCP);
	assert_string_equal(c->qmps[0]->addr, "tcp:localhost:4445");
	assert_false(c->qmps[0]->wait);

	/* one warning per VM-only option, in command-line order */
	assert_int_equal(c->n_warnings, 5);
	assert_string_equal(c->warnings[0], "-kernel bzImage: ignored (VM-only option)");
	assert_string_equal(c->warnings[1], "-append console=ttyS0: ignored (VM-only option)");
	assert_string_equal(c->warnings[2], "-smp 4: ignored (VM-only option)");
	assert_string_equal(c->warnings[3], "-m 4G: ignored (VM-only option)");
	assert_string_equal(c->warnings[4], "-nographic: ignored (VM-only option)");
	assert_int_equal(c->n_notes, 0);
	config_free(c);
}

static void test_rfc_fm_host(void **state)
{
	struct config *c;
	struct cfg_device *ep;
	char err[512];

	(void)state;
	assert_int_equal(build("-machine q35,cxl=on -qmp tcp:localhost:4446,server,wait=off "
			       RFC_OBJECTS RFC_SWITCH
			       "-device cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,"
			       "id=cxl-dcd0,lsa=cxl-lsa2,num-dc-regions=2,sn=99,allow-fm-attach=on "
			       "-device i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,"
			       "target=cxl-dcd0,mctp-msg-forward=on,qmp=127.0.0.1:4445",
			       &c, err, sizeof(err)), 0);
	ep = c->i2c_buses[0]->eps[0];
	assert_true(ep->u.i2c.forward);
	assert_string_equal(ep->u.i2c.qmp, "127.0.0.1:4445");
	assert_int_equal(ep->u.i2c.fwd_mode, CFG_FWD_SHM);
	assert_int_equal(ep->u.i2c.fwd_timeout_ms, CFG_DEFAULT_FWD_TIMEOUT_MS);
	assert_false(cfg_find_device(c, "cxl-dcd0")->u.t3.mctp_buf_init);
	config_free(c);

	/* our forwarding extensions */
	assert_int_equal(build(BASE "-device cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,"
			       "id=d,num-dc-regions=2,mctp-buf-name=/pair1,mctp-buf-slots=8,num-ld=4 "
			       "-device i2c_mctp_cxl,bus=b1,address=0x1d,target=d,"
			       "mctp-msg-forward=on,qmp=tcp:10.0.0.2:4445,mctp-fwd=inline,"
			       "fwd-timeout=250", &c, err, sizeof(err)), 0);
	ep = c->i2c_buses[0]->eps[0];
	assert_int_equal(ep->u.i2c.address, 0x1d);
	assert_int_equal(ep->u.i2c.fwd_mode, CFG_FWD_INLINE);
	assert_int_equal(ep->u.i2c.fwd_timeout_ms, 250);
	assert_string_equal(cfg_find_device(c, "d")->u.t3.mctp_buf_name, "/pair1");
	assert_int_equal(cfg_find_device(c, "d")->u.t3.mctp_buf_slots, 8);
	assert_int_equal(cfg_find_device(c, "d")->u.t3.num_ld, 4);
	assert_int_equal(cfg_find_device(c, "d")->u.t3.dc_extents_max, 0); /* 512 */
	assert_int_equal(c->i2c_buses[0]->speed_hz, 0);
	config_free(c);

	/* the DC extent limit, up to 2^20 */
	assert_int_equal(build(BASE "-device cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,"
			       "id=d,num-dc-regions=1,x-dc-extents-max=10000 "
			       "-device cxl-type3,bus=swport1,volatile-dc-memdev=cxl-lsa2,"
			       "id=e,num-dc-regions=1,x-dc-extents-max=1048576",
			       &c, err, sizeof(err)), 0);
	assert_int_equal(cfg_find_device(c, "d")->u.t3.dc_extents_max, 10000);
	assert_int_equal(cfg_find_device(c, "e")->u.t3.dc_extents_max, 1u << 20);
	config_free(c);

	/* the wire-time model, named once or by every endpoint of the bus */
	assert_int_equal(build(BASE "-device i2c_mctp_cxl,bus=b1,address=4,target=us0,"
			       "i2c-speed=400k -device i2c_mctp_cxl,bus=b1,address=5,target=us0 "
			       "-device i2c_mctp_cxl,bus=b1,address=6,target=us0,i2c-speed=400k "
			       "-device i2c_mctp_cxl,bus=b2,address=4,target=us0,i2c-speed=1M",
			       &c, err, sizeof(err)), 0);
	assert_int_equal(c->i2c_buses[0]->speed_hz, 400000);
	assert_int_equal(c->i2c_buses[1]->speed_hz, 1000000);
	config_free(c);
}

static void test_machine_merge(void **state)
{
	struct config *c;
	char err[512];

	(void)state;
	assert_int_equal(build("-machine pc -machine q35 " RFC_OBJECTS RFC_SWITCH
			       "-machine cxl=on,accel=kvm -M cxl-fmw.0.targets.0=cxl.1 "
			       "--machine cxl-fmw.0.size=8G,kernel-irqchip=split "
			       "-M cxl-fmw.0.size=4G", &c, err, sizeof(err)), 0);
	assert_string_equal(c->machine.type, "q35");
	assert_true(c->machine.cxl);
	assert_int_equal(c->machine.n_fmws, 1);
	assert_true(c->machine.fmws[0]->size == 4ull << 30);
	assert_true(c->machine.fmws[0]->granularity == 256);
	assert_int_equal(c->n_warnings, 1);
	assert_string_equal(c->warnings[0],
			    "-machine: ignoring VM-only properties: accel, kernel-irqchip");
	config_free(c);

	/* two windows, two-way interleave */
	assert_int_equal(build(BASE "-device pxb-cxl,bus_nr=20,id=cxl.2 "
			       "-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,"
			       "cxl-fmw.1.targets.0=cxl.1,cxl-fmw.1.targets.1=cxl.2,"
			       "cxl-fmw.1.size=8G,cxl-fmw.1.interleave-granularity=8k",
			       &c, err, sizeof(err)), 0);
	assert_int_equal(c->machine.n_fmws, 2);
	assert_int_equal(c->machine.fmws[1]->n_targets, 2);
	assert_true(c->machine.fmws[1]->granularity == 8192);
	/* pxb-cxl's bus defaults to pcie.0 */
	assert_ptr_equal(cfg_find_device(c, "cxl.2")->parent, c->root);
	config_free(c);
}

struct err_case {
	const char *line;
	const char *err;
};

static const struct err_case errors[] = {
	/* unknown property, named with its option */
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-dc-memdev=cxl-mem2,"
	  "num-dc-regions=2,colour=blue",
	  "-device cxl-type3,id=d: unknown property 'colour' (see '-device cxl-type3,help')" },
	{ "-machine q35,cxl=on -object memory-backend-ram,id=m,size=1G,frob=1",
	  "-object memory-backend-ram,id=m: unknown property 'frob' "
	  "(see '-object memory-backend-ram,help')" },
	{ "-machine q35,cxl=on,cxl-fwm.0.size=4G",
	  "-machine: unknown property 'cxl-fwm.0.size' (cxl, cxl-fmw.N.*)" },
	{ "-machine q35,cxl=on,cxl-fmw.0.sise=4G",
	  "-machine: unknown property 'cxl-fmw.0.sise' (cxl-fmw.N.targets.M, cxl-fmw.N.size, "
	  "cxl-fmw.N.interleave-granularity)" },
	/* missing required */
	{ "-machine q35,cxl=on -device pxb-cxl,bus_nr=12,id=cxl.1 -device cxl-rp,id=rp",
	  "-device cxl-rp,id=rp: missing required property 'bus'" },
	/* bus_nr defaults to 0, as QEMU's; two host bridges cannot share it */
	{ "-machine q35,cxl=on -device pxb-cxl,id=cxl.1 -device pxb-cxl,id=cxl.2",
	  "-device pxb-cxl,id=cxl.2: property 'bus_nr': bus 0 is already in use by 'cxl.1'" },
	{ "-object memory-backend-file,id=m,size=1G",
	  "-object memory-backend-file,id=m: missing required property 'mem-path'" },
	{ "-object memory-backend-ram,size=1G",
	  "-object memory-backend-ram: missing required property 'id'" },
	{ BASE "-device cxl-type3,bus=swport0,id=d",
	  "-device cxl-type3,id=d: missing required property 'volatile-memdev', "
	  "'persistent-memdev', 'volatile-dc-memdev' or 'memdev' (at least one memory backend)" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-dc-memdev=cxl-mem2",
	  "-device cxl-type3,id=d: missing required property 'num-dc-regions' "
	  "(volatile-dc-memdev needs 1-8 regions)" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem2,num-dc-regions=1",
	  "-device cxl-type3,id=d: missing required property 'volatile-dc-memdev' "
	  "(num-dc-regions=1 needs a backend)" },
	{ BASE "-device i2c_mctp_cxl,bus=b,address=4",
	  "-device i2c_mctp_cxl: missing required property 'target'" },
	{ BASE "-device i2c_mctp_cxl,bus=b,address=4,target=us0,i2c-speed=3.4M",
	  "-device i2c_mctp_cxl: property 'i2c-speed': '3.4M' is not 100k, 400k or 1M" },
	{ BASE "-device i2c_mctp_cxl,bus=b,address=4,target=us0,i2c-speed=100k,id=e4 "
	  "-device i2c_mctp_cxl,bus=b,address=5,target=us0,i2c-speed=1M",
	  "-device i2c_mctp_cxl: property 'i2c-speed': bus 'b' already runs at 100000 Hz "
	  "(set by 'e4')" },
	{ BASE "-device i2c_mctp_cxl,bus=b,address=4,target=us0,mctp-msg-forward=on",
	  "-device i2c_mctp_cxl: missing required property 'qmp' (mctp-msg-forward=on needs "
	  "the target host's QMP address)" },
	{ "-machine q35,cxl=on -device pxb-cxl,bus_nr=1,id=h -M cxl-fmw.0.targets.0=h",
	  "-machine: missing required property 'cxl-fmw.0.size'" },
	/* duplicate id */
	{ BASE "-device cxl-downstream,port=4,bus=us0,id=swport1,chassis=0,slot=7",
	  "-device cxl-downstream,id=swport1: duplicate id 'swport1' (already used by "
	  "another -device)" },
	{ BASE "-object memory-backend-ram,id=cxl-mem2,size=1G",
	  "-object memory-backend-ram,id=cxl-mem2: duplicate id 'cxl-mem2' (another -object "
	  "has it)" },
	{ "-machine q35,cxl=on -device pxb-cxl,bus_nr=1,id=pcie.0",
	  "-device pxb-cxl,id=pcie.0: duplicate id 'pcie.0' (already used by another -device)" },
	/* dangling references */
	{ BASE "-device cxl-downstream,bus=us9,id=p9",
	  "-device cxl-downstream,id=p9: property 'bus': bus 'us9' not found" },
	{ "-machine q35,cxl=on -device cxl-rp,bus=cxl.1,id=rp -device pxb-cxl,bus_nr=1,id=cxl.1",
	  "-device cxl-rp,id=rp: property 'bus': bus 'cxl.1' not found (it is defined later, "
	  "by argument 5; devices are created in command-line order)" },
	{ BASE "-device i2c_mctp_cxl,bus=b,address=4,target=cxl-dcd9",
	  "-device i2c_mctp_cxl: property 'target': device 'cxl-dcd9' not found" },
	{ BASE "-device cxl-switch-mailbox-cci,bus=swport1,target=nope",
	  "-device cxl-switch-mailbox-cci: property 'target': device 'nope' not found" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem9",
	  "-device cxl-type3,id=d: property 'volatile-memdev': memory backend 'cxl-mem9' not "
	  "found (no -object with that id)" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem2,lsa=nolsa",
	  "-device cxl-type3,id=d: property 'lsa': memory backend 'nolsa' not found (no -object "
	  "with that id)" },
	{ BASE "-M cxl-fmw.0.targets.0=cxl.9,cxl-fmw.0.size=4G",
	  "-machine: property 'cxl-fmw.0.targets.0': host bridge 'cxl.9' not found" },
	/* wrong parent or target kind */
	{ BASE "-device cxl-type3,bus=us0,id=d,volatile-memdev=cxl-mem2",
	  "-device cxl-type3,id=d: property 'bus': 'us0' is a cxl-upstream, expected a cxl-rp "
	  "or cxl-downstream" },
	{ BASE "-device cxl-rp,bus=pcie.0,id=rp9",
	  "-device cxl-rp,id=rp9: property 'bus': 'pcie.0' is a pcie-host, expected a pxb-cxl" },
	{ BASE "-device cxl-downstream,bus=swport0,id=p9",
	  "-device cxl-downstream,id=p9: property 'bus': 'swport0' is a cxl-downstream, "
	  "expected a cxl-upstream" },
	{ BASE "-device pxb-cxl,bus=cxl.1,bus_nr=40,id=h2",
	  "-device pxb-cxl,id=h2: property 'bus': 'cxl.1' is a pxb-cxl, expected the PCI root "
	  "bus pcie.0" },
	{ BASE "-device i2c_mctp_cxl,bus=b,address=4,target=swport0",
	  "-device i2c_mctp_cxl: property 'target': 'swport0' is a cxl-downstream, expected a "
	  "cxl-upstream or cxl-type3" },
	{ BASE "-device cxl-switch-mailbox-cci,bus=swport1,target=swport0",
	  "-device cxl-switch-mailbox-cci: property 'target': 'swport0' is a cxl-downstream, "
	  "expected a cxl-upstream" },
	{ BASE "-M cxl-fmw.0.targets.0=us0,cxl-fmw.0.size=4G",
	  "-machine: property 'cxl-fmw.0.targets.0': 'us0' is a cxl-upstream, expected a "
	  "pxb-cxl" },
	/* bad values */
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem2,allow-fm-attach=maybe",
	  "-device cxl-type3,id=d: property 'allow-fm-attach': 'maybe' is not a boolean "
	  "(on/off, yes/no, true/false)" },
	{ "-machine q35,cxl=sure", "-machine: property 'cxl': 'sure' is not a boolean (on/off, "
	  "yes/no, true/false)" },
	{ "-object memory-backend-ram,id=m,size=4X",
	  "-object memory-backend-ram,id=m: property 'size': '4X' is not a size (a number with "
	  "an optional B/K/M/G/T suffix)" },
	{ "-object memory-backend-ram,id=m,size=0",
	  "-object memory-backend-ram,id=m: property 'size': must be larger than 0" },
	{ "-machine q35,cxl=on -device pxb-cxl,bus_nr=256,id=h",
	  "-device pxb-cxl,id=h: property 'bus_nr': '256' is out of range (0-255)" },
	{ "-machine q35,cxl=on -device pxb-cxl,bus_nr=twelve,id=h",
	  "-device pxb-cxl,id=h: property 'bus_nr': 'twelve' is not a number" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem2,addr=0.8",
	  "-device cxl-type3,id=d: property 'addr': '0.8' is not a PCI address (slot[.function] "
	  "in hex, slot <= 1f, function <= 7)" },
	{ BASE "-device cxl-type3,bus=swport0,id=9d,volatile-memdev=cxl-mem2",
	  "-device cxl-type3,id=9d: property 'id': '9d' is not a valid id (a letter, then "
	  "letters, digits, '-', '.', '_')" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-dc-memdev=cxl-mem2,num-dc-regions=9",
	  "-device cxl-type3,id=d: property 'num-dc-regions': 9 is out of range (0-8)" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-dc-memdev=cxl-mem2,num-dc-regions=3",
	  "-device cxl-type3,id=d: property 'volatile-dc-memdev': backend size 4294967296 does "
	  "not split into 3 regions of a multiple of 256 MiB" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem2,num-ld=17",
	  "-device cxl-type3,id=d: property 'num-ld': 17 is out of range (1-16)" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-dc-memdev=cxl-mem2,num-dc-regions=1,"
	  "x-dc-extents-max=0",
	  "-device cxl-type3,id=d: property 'x-dc-extents-max': 0 is out of range (1-1048576)" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-dc-memdev=cxl-mem2,num-dc-regions=1,"
	  "x-dc-extents-max=1048577",
	  "-device cxl-type3,id=d: property 'x-dc-extents-max': 1048577 is out of range "
	  "(1-1048576)" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-dc-memdev=cxl-mem2,num-dc-regions=1,"
	  "x-dc-extents-max=4294967296",
	  "-device cxl-type3,id=d: property 'x-dc-extents-max': '4294967296' is out of range "
	  "(0-4294967295)" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-dc-memdev=cxl-mem2,num-dc-regions=1,"
	  "x-dc-extents-max=many",
	  "-device cxl-type3,id=d: property 'x-dc-extents-max': 'many' is not a number" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem2,x-dc-extents-max=4096",
	  "-device cxl-type3,id=d: property 'x-dc-extents-max': only used with "
	  "volatile-dc-memdev" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem2,mctp-buf-name=x/y",
	  "-device cxl-type3,id=d: property 'mctp-buf-name': 'x/y' is not a shared memory name "
	  "(\"/name\", no other '/')" },
	{ BASE "-device i2c_mctp_cxl,bus=b,address=0x80,target=us0",
	  "-device i2c_mctp_cxl: property 'address': 0x80 is not a 7-bit I2C address" },
	{ BASE "-device i2c_mctp_cxl,bus=b/c,address=4,target=us0",
	  "-device i2c_mctp_cxl: property 'bus': 'b/c' is not a usable I2C bus name (letters, "
	  "digits, '-', '.', '_')" },
	{ BASE "-device i2c_mctp_cxl,bus=b,address=4,target=us0,qmp=h:1",
	  "-device i2c_mctp_cxl: property 'qmp': only used with mctp-msg-forward=on" },
	/* found by fuzz_config: it passed here and cxl-emu failed to start with
	 * "qmp=h: Cannot allocate memory" */
	{ BASE "-device i2c_mctp_cxl,bus=b,address=4,target=us0,mctp-msg-forward=on,qmp=h",
	  "-device i2c_mctp_cxl: property 'qmp': 'h' is not HOST:PORT, tcp:HOST:PORT or "
	  "unix:PATH" },
	{ BASE "-device i2c_mctp_cxl,bus=b,address=4,target=us0,mctp-msg-forward=on,qmp=h:1,"
	  "mctp-fwd=carrier-pigeon",
	  "-device i2c_mctp_cxl: property 'mctp-fwd': 'carrier-pigeon' is not shm or inline" },
	{ BASE "-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=300M",
	  "-machine: property 'cxl-fmw.0.size': 300M is not a multiple of 256 MiB" },
	{ BASE "-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,"
	  "cxl-fmw.0.interleave-granularity=3k",
	  "-machine: property 'cxl-fmw.0.interleave-granularity': 3k is not a power of 2 from "
	  "256 to 16k" },
	{ BASE "-M cxl-fmw.1.targets.0=cxl.1,cxl-fmw.1.size=4G",
	  "-machine: cxl-fmw.1 given without cxl-fmw.0 (windows are numbered from 0)" },
	/* resources used twice */
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem2 "
	  "-device cxl-type3,bus=swport1,id=e,volatile-memdev=cxl-mem2",
	  "-device cxl-type3,id=e: property 'volatile-memdev': memory backend 'cxl-mem2' is "
	  "already used by 'd'" },
	{ BASE "-device pxb-cxl,bus_nr=12,id=cxl.2",
	  "-device pxb-cxl,id=cxl.2: property 'bus_nr': bus 12 is already in use by 'cxl.1'" },
	{ BASE "-device cxl-downstream,port=7,bus=us0,id=p7,chassis=0,slot=5",
	  "-device cxl-downstream,id=p7: chassis=0,slot=5 is already used by 'swport1' (QEMU: "
	  "\"Can't add chassis slot, error -16\"; give each port its own slot=)" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem2 "
	  "-device cxl-type3,bus=swport0,id=e,volatile-memdev=cxl-lsa2",
	  "-device cxl-type3,id=e: port 'swport0' is already used by 'd' (give addr=0.N and "
	  "multifunction=on on function 0 to share it)" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem2,addr=1.0",
	  "-device cxl-type3,id=d: property 'addr': slot 1 is not valid, port 'swport0' only "
	  "allows slot 0" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem2 "
	  "-device virtio-rng-pci,bus=swport0,addr=0.1",
	  "-device cxl-type3,id=d: function 0.1 needs multifunction=on on function 0 ('d')" },
	{ BASE "-device i2c_mctp_cxl,bus=b,address=4,target=us0 "
	  "-device i2c_mctp_cxl,bus=b,address=4,target=us0",
	  "-device i2c_mctp_cxl: property 'address': 0x4 on bus 'b' is already used by "
	  "'/machine/peripheral-anon/device[1]'" },
	/* QEMU rejects what it does not know; a CXL-looking name is a typo */
	{ BASE "-device cxl-typ3,bus=swport0,id=d,volatile-memdev=cxl-mem2",
	  "-device cxl-typ3,id=d: 'cxl-typ3' is not a valid device model name (did you mean "
	  "'cxl-type3'?)" },
	{ BASE "-device i2c-mctp-cxl,bus=b,address=4,target=us0",
	  "-device i2c-mctp-cxl: 'i2c-mctp-cxl' is not a valid device model name (did you mean "
	  "'i2c_mctp_cxl'?)" },
	{ BASE "-device cxl-mhd-pool,id=p",
	  "-device cxl-mhd-pool,id=p: 'cxl-mhd-pool' is not a valid device model name (see "
	  "-device help)" },
	/* QEMU cxl_setup_memory() */
	{ BASE "-device cxl-type3,bus=swport0,id=d,persistent-memdev=cxl-mem2",
	  "-device cxl-type3,id=d: lsa property must be set for persistent devices" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem2,hdm-db=on",
	  "-device cxl-type3,id=d: hdm-db requires operating in 256b flit (x-256b-flit=on)" },
	{ BASE "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem2,x-speed=3",
	  "-device cxl-type3,id=d: property 'x-speed': '3' is not a link speed (2_5, 5, 8, 16, "
	  "32 or 64 GT/s)" },
	{ BASE "-device cxl-downstream,bus=us0,id=p9,slot=9,x-width=3",
	  "-device cxl-downstream,id=p9: property 'x-width': '3' is not a link width (1, 2, 4, "
	  "8, 12, 16 or 32 lanes)" },
	/* found by fuzz_config: the host then failed to create the device */
	{ BASE "-object memory-backend-ram,id=p,size=300M -object memory-backend-ram,id=l,size=1M "
	  "-device cxl-type3,bus=swport0,id=d,persistent-memdev=p,lsa=l,volatile-dc-memdev=cxl-mem2,"
	  "num-dc-regions=2",
	  "-device cxl-type3,id=d: property 'volatile-dc-memdev': the DC regions would start at "
	  "0x12c00000, after the static capacity, which is not a multiple of 256 MiB" },
	/* nothing to emulate */
	{ "-machine q35 -m 4G -device e1000",
	  "no CXL device on the command line: cxl-emu emulates the CXL topology (pxb-cxl, "
	  "cxl-rp, cxl-upstream, cxl-type3, i2c_mctp_cxl, ...) and nothing else; see --help" },
	/* machine-level */
	{ "-machine q35 -device pxb-cxl,bus_nr=1,id=h",
	  "-machine: CXL devices need cxl=on (e.g. -machine q35,cxl=on)" },
	/* QMP */
	{ "-qmp tcp:localhost:4445", "-qmp tcp:localhost:4445: only QMP servers are supported: "
	  "add server=on,wait=off" },
	{ "-qmp stdio", "-qmp stdio: 'stdio': only tcp:HOST:PORT and unix:PATH QMP servers are "
	  "supported" },
	{ "-qmp tcp:localhost:4445,server,telnet",
	  "-qmp tcp:localhost:4445: property 'telnet': not supported" },
	{ "-qmp tcp:localhost,server", "-qmp tcp:localhost: 'tcp:localhost' is not "
	  "tcp:HOST:PORT" },
	{ "-qmp tcp:h:1,server,wait=off -qmp tcp:h:1,server,wait=off",
	  "-qmp tcp:h:1: QMP address tcp:h:1 is already used by -qmp tcp:h:1" },
	{ "-qmp tcp:h:1,server,speed=9600",
	  "-qmp tcp:h:1: unknown property 'speed' (see '-chardev socket,help')" },
	{ "-mon chardev=nope,mode=control",
	  "-mon: property 'chardev': chardev 'nope' not found" },
	{ "-chardev stdio,id=c0 -mon chardev=c0,mode=control",
	  "-chardev stdio,id=c0: QMP on a 'stdio' chardev is not supported (use socket with "
	  "server=on)" },
	{ "-chardev socket,id=c0,port=4,server=off -mon chardev=c0,mode=control",
	  "-chardev socket,id=c0: only QMP servers are supported: add server=on,wait=off" },
	{ "-name ,process=x", "-name: missing required property 'guest'" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct config *c = (void *)1;
		char err[512] = "";
		int rc = build(errors[i].line, &c, err, sizeof(err));

		if (rc != -EINVAL || strcmp(err, errors[i].err))
			print_error("case %zu: rc %d\n  got:  %s\n  want: %s\n", i, rc, err,
				    errors[i].err);
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(err, errors[i].err);
		assert_null(c);
	}
}

static void test_warnings_and_notes(void **state)
{
	struct config *c;
	char err[512];

	(void)state;
	assert_int_equal(build(ONE_HB "-enable-kvm -nographic -serial mon:stdio -drive "
			       "file=a.img,if=virtio -netdev user,id=n0 -device e1000,netdev=n0 "
			       "-device tmp105,bus=aspeed.i2c.bus.0,address=0x4c "
			       "-object rng-random,id=rng0,filename=/dev/urandom "
			       "-chardev stdio,id=con -mon chardev=con "
			       "-object memory-backend-ram,id=m,size=1G,prealloc=on "
			       "-qmp unix:/tmp/q.sock,server=on "
			       "-name guest=tgt,debug-threads=on", &c, err, sizeof(err)), 0);
	assert_int_equal(c->n_warnings, 10);
	assert_string_equal(c->warnings[0], "-enable-kvm: ignored (VM-only option)");
	assert_string_equal(c->warnings[1], "-nographic: ignored (VM-only option)");
	assert_string_equal(c->warnings[2], "-serial mon:stdio: ignored (VM-only option)");
	assert_string_equal(c->warnings[3],
			    "-drive file=a.img,if=virtio: ignored (VM-only option)");
	assert_string_equal(c->warnings[4], "-netdev user,id=n0: ignored (VM-only option)");
	/* command-line order, though objects and chardevs are checked first */
	assert_string_equal(c->warnings[5], "-device e1000: ignored (not on a CXL port; only "
			    "the VM would use it)");
	assert_string_equal(c->warnings[6], "-device tmp105: ignored (not on a CXL port; only "
			    "the VM would use it)");
	assert_string_equal(c->warnings[7], "-object rng-random,id=rng0: ignored (not a memory "
			    "backend; only the VM would use it)");
	assert_string_equal(c->warnings[8], "-chardev stdio,id=con: ignored (not a QMP monitor; "
			    "only the VM would use it)");
	assert_string_equal(c->warnings[9], "-mon: ignored (a human monitor, mode=readline; use "
			    "mode=control for QMP)");
	assert_int_equal(c->n_notes, 3);
	assert_string_equal(c->notes[0], "-object memory-backend-ram,id=m: prealloc ignored, "
			    "memory is mapped on demand");
	assert_string_equal(c->notes[1], "-qmp unix:/tmp/q.sock: wait=on ignored, cxl-emu never "
			    "waits for a QMP client");
	assert_string_equal(c->notes[2], "-name tgt: names the run directory (the VM name itself "
			    "is ignored)");
	assert_string_equal(c->name, "tgt");
	assert_int_equal(c->n_qmps, 1);
	assert_string_equal(c->qmps[0]->addr, "unix:/tmp/q.sock");
	config_free(c);
}

static void test_chardev_mon(void **state)
{
	struct config *c;
	char err[512];

	(void)state;
	assert_int_equal(build(ONE_HB "-chardev socket,id=qmp0,host=127.0.0.1,port=4445,server=on,"
			       "wait=off -mon chardev=qmp0,mode=control,pretty=on "
			       "-chardev socket,id=qmp1,path=/tmp/m.sock,server=on,wait=off "
			       "-mon qmp1,mode=control -qmp tcp::4447,server,nowait",
			       &c, err, sizeof(err)), 0);
	assert_int_equal(c->n_qmps, 3);
	assert_string_equal(c->qmps[0]->addr, "tcp:127.0.0.1:4445");
	assert_true(c->qmps[0]->pretty);
	assert_string_equal(c->qmps[0]->origin, "-chardev socket,id=qmp0");
	assert_string_equal(c->qmps[1]->addr, "unix:/tmp/m.sock");
	assert_string_equal(c->qmps[2]->addr, "tcp::4447");
	assert_string_equal(c->qmps[2]->host, "");
	assert_int_equal(c->n_warnings, 0);
	assert_int_equal(c->n_notes, 0);
	config_free(c);

	assert_int_equal(build(ONE_HB "-qmp tcp:[::1]:4445,server=on,wait=off", &c, err,
			       sizeof(err)), 0);
	assert_string_equal(c->qmps[0]->host, "::1");
	assert_string_equal(c->qmps[0]->addr, "tcp:[::1]:4445");
	config_free(c);
}

static void test_pci_functions(void **state)
{
	struct config *c;
	struct cfg_device *d;
	char err[512];

	(void)state;
	/* a plain PCI device behind a CXL port is kept as a non-CXL function */
	assert_int_equal(build(BASE "-device virtio-rng-pci,bus=swport1,id=rng "
			       "-device cxl-type3,bus=swport0,id=d,volatile-memdev=cxl-mem2,"
			       "multifunction=on -device virtio-rng-pci,bus=swport0,addr=0.1 "
			       "-device virtio-rng-pci,bus=pcie.0", &c, err, sizeof(err)), 0);
	d = cfg_find_device(c, "rng");
	assert_int_equal(d->kind, CFG_PCI_FUNC);
	assert_string_equal(d->driver, "virtio-rng-pci");
	assert_string_equal(d->parent->id, "swport1");
	assert_int_equal(d->devfn, 0);
	d = cfg_find_device(c, "d");
	assert_int_equal(d->parent->n_children, 2);
	assert_int_equal(d->parent->children[1]->devfn, 1);
	assert_int_equal(d->parent->children[1]->kind, CFG_PCI_FUNC);
	assert_int_equal(c->n_warnings, 1);
	assert_string_equal(c->warnings[0], "-device virtio-rng-pci: ignored (not on a CXL "
			    "port; only the VM would use it)");
	config_free(c);
}

static void test_persistent_and_legacy(void **state)
{
	struct config *c;
	char err[512];

	(void)state;
	assert_int_equal(build(BASE "-device cxl-type3,bus=swport0,id=d,memdev=cxl-mem2,"
			       "lsa=cxl-lsa2", &c, err, sizeof(err)), 0);
	assert_ptr_equal(cfg_find_device(c, "d")->u.t3.persistent, cfg_find_memdev(c, "cxl-mem2"));
	config_free(c);
	assert_int_equal(build(BASE "-device cxl-type3,bus=swport0,id=d,memdev=cxl-mem2,"
			       "volatile-memdev=cxl-lsa2", &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "-device cxl-type3,id=d: property 'memdev': cannot be combined "
			    "with persistent-memdev or volatile-memdev");
}

static void test_json_device(void **state)
{
	const char *argv[] = {
		"cxl-emu", "-machine", "q35,cxl=on",
		"-object", "{\"qom-type\":\"memory-backend-ram\",\"id\":\"m\",\"size\":1073741824}",
		"-device", "{\"driver\":\"pxb-cxl\",\"id\":\"h\",\"bus_nr\":3}",
		"-device", "{\"driver\":\"cxl-rp\",\"id\":\"r\",\"bus\":\"h\"}",
		"-device", "{\"driver\":\"cxl-type3\",\"id\":\"t\",\"bus\":\"r\","
		"\"volatile-memdev\":\"m\",\"allow-fm-attach\":true}",
		NULL,
	};
	struct opts o;
	struct config *c;
	char err[256];

	(void)state;
	assert_int_equal(opts_parse(11, (char **)argv, &o, err, sizeof(err)), 0);
	assert_int_equal(config_build(&o, &c, err, sizeof(err)), 0);
	assert_true(cfg_find_device(c, "t")->u.t3.allow_fm_attach);
	assert_true(c->memdevs[0]->size == 1ull << 30);
	config_free(c);
	opts_free(&o);
}

static void test_instance_name(void **state)
{
	struct config *c;
	char err[512], buf[128];

	(void)state;
	cfg_instance_name(NULL, 42, buf, sizeof(buf));
	assert_string_equal(buf, "pid-42");
	assert_int_equal(build(ONE_HB "-qmp tcp:localhost:4445,server,wait=off", &c, err, sizeof(err)),
			 0);
	cfg_instance_name(c, 42, buf, sizeof(buf));
	assert_string_equal(buf, "tcp-localhost-4445");
	assert_int_equal(cfg_default_run_dir(c, "/run/user/1000", 1000, 42, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run/user/1000/cxl-emu/tcp-localhost-4445");
	assert_int_equal(cfg_default_run_dir(c, NULL, 1000, 42, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/cxl-emu-1000/tcp-localhost-4445");
	assert_int_equal(cfg_default_run_dir(c, "relative", 7, 42, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/cxl-emu-7/tcp-localhost-4445");
	assert_int_equal(cfg_default_run_dir(c, "/x", 7, 42, buf, 10), -ENAMETOOLONG);
	config_free(c);

	/* an ephemeral port names nothing */
	assert_int_equal(build(ONE_HB "-qmp tcp:127.0.0.1:0,server,wait=off", &c, err, sizeof(err)), 0);
	cfg_instance_name(c, 7, buf, sizeof(buf));
	assert_string_equal(buf, "pid-7");
	config_free(c);
	assert_int_equal(build(ONE_HB "-qmp unix:/tmp/q.sock,server=on,wait=off -name "
			       "my/../host!", &c, err, sizeof(err)), 0);
	cfg_instance_name(c, 7, buf, sizeof(buf));
	assert_string_equal(buf, "my-..-host");
	config_free(c);
	assert_int_equal(build(ONE_HB "-qmp unix:/tmp/q.sock,server=on,wait=off", &c, err, sizeof(err)),
			 0);
	cfg_instance_name(c, 7, buf, sizeof(buf));
	assert_string_equal(buf, "unix-tmp-q.sock");
	config_free(c);
}

/*
 * What QEMU starts, we start: ports sharing numbers, anonymous devices, a
 * host bridge on bus 0, link properties, a backend off the 256 MiB grain.
 */
static void test_qemu_tolerance(void **state)
{
	struct config *c;
	struct cfg_device *d;
	char err[512];

	(void)state;
	assert_int_equal(build("-machine q35,cxl=on -object memory-backend-ram,id=m,size=300M "
			       "-object memory-backend-ram,id=l,size=1M "
			       "-device pxb-cxl "
			       "-device pxb-cxl,id=hb,bus_nr=12 "
			       "-device cxl-rp,bus=hb,id=rp0,slot=0 "
			       "-device cxl-rp,bus=hb,id=rp1,slot=1 "
			       "-device cxl-upstream,bus=rp0,id=us0 "
			       "-device cxl-downstream,bus=us0,id=dp0,slot=4,x-speed=16,x-width=8 "
			       "-device cxl-downstream,bus=us0,id=dp1,slot=5,x-256b-flit=off "
			       "-device cxl-type3,bus=dp0,persistent-memdev=m,lsa=l,x-256b-flit=on,"
			       "hdm-db=on,chmu-port=3", &c, err, sizeof(err)), 0);
	d = c->root->children[0];
	assert_string_equal(d->name, "/machine/peripheral-anon/device[0]");
	assert_int_equal(d->u.pxb.bus_nr, 0);
	assert_int_equal(cfg_find_device(c, "rp0")->u.port.port, 0);
	assert_int_equal(cfg_find_device(c, "rp1")->u.port.port, 0);
	assert_int_equal(cfg_find_device(c, "us0")->u.usp.port, 0);
	d = cfg_find_device(c, "dp0");
	assert_int_equal(d->u.port.port, 0);
	assert_int_equal(d->link.speed, 4);
	assert_int_equal(d->link.width, 8);
	assert_true(d->link.flit_256b);
	assert_false(cfg_find_device(c, "dp1")->link.flit_256b);
	d = d->children[0];
	assert_string_equal(d->name, "/machine/peripheral-anon/device[1]");
	assert_true(d->link.flit_256b);
	assert_true(d->u.t3.hdm_db);
	assert_int_equal(d->u.t3.chmu_port, 3);
	assert_int_equal(c->n_warnings, 1);
	assert_string_equal(c->warnings[0], "-device cxl-type3: memory backend 'm' (314572800 "
			    "bytes) is not a multiple of 256 MiB: the device reports Internal "
			    "Error for its capacity, as QEMU's does");
	config_free(c);
}

/* -writeconfig writes what -readconfig reads back to the same topology. */
static void test_writeconfig_readconfig(void **state)
{
	struct config *c, *back;
	struct json_object *j1, *j2;
	struct opts o;
	char path[256], err[512], *line;
	FILE *f;
	int fd;

	(void)state;
	assert_int_equal(build_opts(RFC_TARGET " -chardev socket,id=m1,path=/tmp/m.sock,"
				    "server=on,wait=off -mon chardev=m1,mode=control,pretty=on "
				    "-name rfc", &o, &c, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "/tmp/cxl-emu-cfg-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_int_equal(cfg_write_config(c, &o, f, err, sizeof(err)), 0);
	fclose(f);
	opts_free(&o);
	assert_true(asprintf(&line, "-smp 2 -readconfig %s", path) > 0);
	assert_int_equal(build(line, &back, err, sizeof(err)), 0);
	j1 = cfg_to_json(c);
	j2 = cfg_to_json(back);
	assert_string_equal(json_object_to_json_string(j1),
			    json_object_to_json_string(j2));
	json_object_put(j1);
	json_object_put(j2);
	config_free(back);
	config_free(c);
	free(line);
	unlink(path);
}

static void test_json_dump(void **state)
{
	struct config *c;
	struct json_object *j, *v, *t;
	char err[512];

	(void)state;
	assert_int_equal(build(RFC_TARGET, &c, err, sizeof(err)), 0);
	j = cfg_to_json(c);
	assert_true(json_object_object_get_ex(j, "topology", &t));
	/* pcie.0 / cxl.1 / cxl_rp_port0 / us0 / swport0 / cxl-dcd0 */
	t = json_object_object_get(t, "children");
	t = json_object_array_get_idx(t, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(t, "id")), "cxl.1");
	t = json_object_array_get_idx(json_object_object_get(t, "children"), 0);
	t = json_object_array_get_idx(json_object_object_get(t, "children"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(t, "id")), "us0");
	assert_string_equal(json_object_get_string(json_object_object_get(t, "addr")), "0.0");
	t = json_object_array_get_idx(json_object_object_get(t, "children"), 0);
	t = json_object_array_get_idx(json_object_object_get(t, "children"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(t, "id")), "cxl-dcd0");
	assert_int_equal(json_object_get_int(json_object_object_get(t, "sn")), 99);
	assert_true(json_object_object_get_ex(j, "i2c-buses", &v));
	assert_int_equal(json_object_array_length(v), 1);
	v = json_object_object_get(j, "machine");
	v = json_object_array_get_idx(json_object_object_get(v, "cxl-fmw"), 0);
	assert_int_equal(json_object_get_int(json_object_object_get(v, "interleave-granularity")),
			 1024);
	json_object_put(j);
	config_free(c);
}

static void test_help(void **state)
{
	struct opts o;
	const char *argv[] = { "cxl-emu", "-device", "cxl-type3,help", NULL };
	char err[128], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(opts_parse(3, (char **)argv, &o, err, sizeof(err)), 0);
	assert_int_equal(cfg_print_help(&o.items[0], f), 1);
	fclose(f);
	assert_non_null(strstr(buf, "volatile-dc-memdev"));
	assert_non_null(strstr(buf, "allow-fm-attach"));
	free(buf);
	opts_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_target),
		cmocka_unit_test(test_rfc_fm_host),
		cmocka_unit_test(test_machine_merge),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_warnings_and_notes),
		cmocka_unit_test(test_chardev_mon),
		cmocka_unit_test(test_pci_functions),
		cmocka_unit_test(test_persistent_and_legacy),
		cmocka_unit_test(test_json_device),
		cmocka_unit_test(test_instance_name),
		cmocka_unit_test(test_json_dump),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_qemu_tolerance),
		cmocka_unit_test(test_writeconfig_readconfig),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
