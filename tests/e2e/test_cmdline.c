/* SPDX-License-Identifier: MIT */
/*
 * What QEMU starts, cxl-emu starts, and answers as QEMU would: each test
 * runs a published command line from tests/corpus/ (named in the test)
 * and checks the class of command line that cxl-emu used to refuse:
 * 1. a switch whose USP shares a port number with a DSP (or both keep the
 *    default 0), 2. root ports without port=, 3. devices without id,
 * 4. pxb-cxl without bus_nr, 5. x-256b-flit and hdm-db, 6. a persistent
 * backend off the 256 MiB grain; and the opposite: a CXL-looking typo is
 * refused with a did-you-mean while QEMU's non-CXL devices are ignored.
 * Where a line has no QMP monitor or FM endpoint to look through, the test
 * adds one at its end and says so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cxlfm/cxlfm.h>
#include <json-c/json.h>

#include "corpus.h"
#include "e2e.h"

#ifndef CORPUS_DIR
#define CORPUS_DIR "tests/corpus"
#endif

#define QMP_EPHEMERAL "-qmp tcp:127.0.0.1:0,server=on,wait=off"

struct run {
	struct corpus_entry e;
	char dir[256];
	int qmp;
	struct cxlfm_ctx *fm;
};

/* Start the first host of a corpus file, after edits (from, to pairs) and
 * words appended at the end of its line. */
static void start_line(struct run *r, const char *file, const char *const *edits,
		       const char *append)
{
	char path[512];

	memset(r, 0, sizeof(*r));
	r->qmp = -1;
	snprintf(path, sizeof(path), "%s/%s", CORPUS_DIR, file);
	assert_int_equal(corpus_read(path, &r->e), 0);
	for (; edits && edits[0]; edits += 2)
		assert_int_equal(corpus_edit(&r->e, 0, edits[0], edits[1]), 0);
	if (append)
		assert_int_equal(corpus_append(&r->e, 0, append), 0);
	e2e_mkdtemp(r->dir, sizeof(r->dir));
	assert_int_equal(corpus_start(&r->e, 0, r->dir), 1);
	if (r->e.hosts[0].port)
		r->qmp = qmp_open(r->e.hosts[0].port);
}

static void end_run(struct run *r)
{
	if (r->fm)
		cxlfm_close(r->fm);
	if (r->qmp >= 0)
		close(r->qmp);
	assert_int_equal(corpus_stop(&r->e.hosts[0]), 0);
	corpus_free(&r->e);
	e2e_rmdir(r->dir);
}

/* A device of x-cxl-topology's tree by id (or anonymous QOM path). */
static struct json_object *find_dev(struct json_object *d, const char *id)
{
	struct json_object *v, *ch;

	if (json_object_object_get_ex(d, "id", &v) && !strcmp(json_object_get_string(v), id))
		return d;
	if (!json_object_object_get_ex(d, "children", &ch))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(ch); i++) {
		struct json_object *f = find_dev(json_object_array_get_idx(ch, i), id);

		if (f)
			return f;
	}
	return NULL;
}

/* x-cxl-topology's device id; the reply stays owned by *reply. */
static struct json_object *topo_dev(struct run *r, struct json_object **reply, const char *id)
{
	struct json_object *ret, *topo;

	*reply = qmp_exec(r->qmp, "x-cxl-topology", NULL);
	assert_true(json_object_object_get_ex(*reply, "return", &ret));
	assert_true(json_object_object_get_ex(ret, "topology", &topo));
	return find_dev(topo, id);
}

static int64_t jint(struct json_object *o, const char *k)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	return json_object_get_int64(v);
}

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	return json_object_get_string(v);
}

/* The FM endpoint at addr on the line's bus aspeed.i2c.bus.0. */
static struct cxlfm_ep *fm_ep(struct run *r, uint8_t addr)
{
	struct corpus_host *h = &r->e.hosts[0];
	struct cxlfm_ep *ep;

	assert_true(h->n_buses >= 1);
	if (!r->fm)
		assert_int_equal(cxlfm_open(h->bus_path[0], NULL, &r->fm), 0);
	assert_int_equal(cxlfm_ep_by_addr(r->fm, addr, &ep), 0);
	return ep;
}

/* Get Physical Port State (5101h) of one port: its 16-byte block. */
static void port_state(struct cxlfm_ep *ep, uint8_t port, uint8_t *blk)
{
	uint8_t in[2] = { 1, port }, out[64];
	size_t n;

	assert_int_equal(cxlfm_cmd(ep, NULL, 0x5101, in, sizeof(in), out, sizeof(out), &n), 0);
	assert_int_equal(n, 4 + 16);
	memcpy(blk, out + 4, 16);
}

/*
 * Class 1, libcxlmi's topology (libcxlmi-mctp-test.cmdline):
 * cxl-upstream,port=2 beside cxl-downstream,port=2. As QEMU's FM API
 * (pcie_find_port_by_pn() before the USP), port 2 is the DSP with
 * cxl-pmem2 below it, and a tunnel to port 2 reaches cxl-pmem2 (sn=4).
 */
static void test_usp_shares_dsp_port(void **state)
{
	uint8_t ident[0x49], blk[16], id[18];
	struct cxlfm_tunnel tun = { .port = 2, .ld = -1 };
	struct cxlfm_ep *ep;
	struct run r;
	size_t n;

	(void)state;
	start_line(&r, "libcxlmi-mctp-test.cmdline", NULL, NULL);
	ep = fm_ep(&r, 0x4);
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x5100, NULL, 0, ident, sizeof(ident), &n), 0);
	assert_int_equal(ident[2], 4);    /* USP + 3 DSPs */
	assert_int_equal(ident[4], 0x07); /* port ids 0, 1, 2 */
	port_state(ep, 2, blk);
	assert_int_equal(blk[0], 2);
	assert_int_equal(blk[1], 0x3);    /* a downstream port, not the USP (4) */
	assert_int_equal(blk[4], 0x4);    /* a type-3 SLD below it */
	assert_int_equal(cxlfm_cmd(ep, &tun, 0x0001, NULL, 0, id, sizeof(id), &n), 0);
	assert_int_equal(n, 18);
	assert_int_equal(id[8], 4);       /* serial number of cxl-pmem2 */
	end_run(&r);
}

/*
 * Class 1 with both numbers left at the default 0: QEMU's documented
 * switch example (qemu-docs-switch.cmdline), cxl-upstream without port=
 * and cxl-downstream,port=0. A QMP monitor and an FM endpoint on us0 are
 * added to look: port 0 is swport0 with cxl-pmem0.
 */
static void test_switch_default_ports(void **state)
{
	struct json_object *reply, *d;
	uint8_t blk[16];
	struct run r;

	(void)state;
	start_line(&r, "qemu-docs-switch.cmdline", NULL,
		   QMP_EPHEMERAL " -device i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0");
	d = topo_dev(&r, &reply, "us0");
	assert_non_null(d);
	assert_int_equal(jint(d, "port"), 0);
	assert_int_equal(jint(find_dev(d, "swport0"), "port"), 0);
	json_object_put(reply);
	port_state(fm_ep(&r, 0x4), 0, blk);
	assert_int_equal(blk[1], 0x3);
	assert_int_equal(blk[4], 0x4);
	end_run(&r);
}

/* Class 2, QEMU's qtest rp_x2 (qemu-qtest-rp-x2.cmdline): two cxl-rp on
 * one host bridge, neither with port= (both 0), distinct slots. */
static void test_root_ports_without_port(void **state)
{
	struct json_object *reply;
	struct run r;

	(void)state;
	start_line(&r, "qemu-qtest-rp-x2.cmdline", NULL, QMP_EPHEMERAL);
	assert_int_equal(jint(topo_dev(&r, &reply, "rp0"), "port"), 0);
	json_object_put(reply);
	assert_int_equal(jint(topo_dev(&r, &reply, "rp1"), "port"), 0);
	json_object_put(reply);
	end_run(&r);
}

/* Classes 3 and 4, QEMU's qtest basic_pxb (qemu-qtest-basic-pxb.cmdline):
 * "-device pxb-cxl,bus=pcie.0", no id, no bus_nr. It is QEMU's first
 * anonymous device, on bus number 0. */
static void test_pxb_without_id_and_bus_nr(void **state)
{
	struct json_object *reply, *d;
	struct run r;

	(void)state;
	start_line(&r, "qemu-qtest-basic-pxb.cmdline", NULL, QMP_EPHEMERAL);
	d = topo_dev(&r, &reply, "/machine/peripheral-anon/device[0]");
	assert_non_null(d);
	assert_string_equal(jstr(d, "driver"), "pxb-cxl");
	assert_int_equal(jint(d, "bus_nr"), 0);
	json_object_put(reply);
	end_run(&r);
}

/* Class 3, QEMU's bios-tables CXL case (qemu-qtest-bios-tables-cxl.cmdline):
 * four cxl-type3 without id, named by QOM path in creation order. */
static void test_type3_without_id(void **state)
{
	struct json_object *reply, *d;
	char name[64];
	struct run r;

	(void)state;
	start_line(&r, "qemu-qtest-bios-tables-cxl.cmdline", NULL, QMP_EPHEMERAL);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "/machine/peripheral-anon/device[%d]", i);
		d = topo_dev(&r, &reply, name);
		assert_non_null(d);
		assert_string_equal(jstr(d, "driver"), "cxl-type3");
		assert_string_equal(jstr(d, "qom-path"), name);
		json_object_put(reply);
	}
	end_run(&r);
}

/*
 * Class 5, Bueso's HDM-DB example (bueso-hdm-db-2025-11.cmdline):
 * x-256b-flit=on on the USP and two type-3s, hdm-db=on on them. The FM
 * sees the links: 256B flit mode on swport0 (both ends flit), 68B on
 * swport2 (the device is not); the devices' 32 GT/s bound the DSPs'
 * 64 GT/s. A QMP monitor and an FM endpoint are added to look.
 */
static void test_flit_and_hdm_db(void **state)
{
	struct json_object *reply, *d, *l;
	uint8_t blk[16];
	struct cxlfm_ep *ep;
	struct run r;

	(void)state;
	start_line(&r, "bueso-hdm-db-2025-11.cmdline", NULL,
		   QMP_EPHEMERAL " -device i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0");
	d = topo_dev(&r, &reply, "cxl-mem0");
	assert_true(json_object_get_boolean(json_object_object_get(d, "hdm-db")));
	assert_true(json_object_object_get_ex(d, "link", &l));
	assert_true(json_object_get_boolean(json_object_object_get(l, "x-256b-flit")));
	json_object_put(reply);
	ep = fm_ep(&r, 0x4);
	port_state(ep, 0, blk);
	assert_int_equal(blk[2], 0x3);  /* connected: standard 256B flit */
	assert_int_equal(blk[5], 0x06); /* the port supports 68B and 256B */
	assert_int_equal(blk[9], 6);    /* max 64 GT/s */
	assert_int_equal(blk[10], 5);   /* trained at the device's 32 GT/s */
	port_state(ep, 2, blk);
	assert_int_equal(blk[2], 0x2);  /* connected: 68B flit */
	end_run(&r);
}

/*
 * Class 6, QEMU's documented pmem example (qemu-docs-pmem.cmdline) with its
 * 256M backend changed to 300M: QEMU starts that, and so do we, with a
 * warning; the device answers for its capacity as QEMU's does.
 */
static void test_persistent_off_grain(void **state)
{
	static const char *const edits[] = { "cxltest.raw,size=256M", "cxltest.raw,size=300M",
					     NULL };
	struct json_object *reply, *ret, *m;
	struct run r;

	(void)state;
	start_line(&r, "qemu-docs-pmem.cmdline", edits, QMP_EPHEMERAL);
	reply = qmp_exec(r.qmp, "x-cxl-topology", NULL);
	assert_true(json_object_object_get_ex(reply, "return", &ret));
	m = json_object_array_get_idx(json_object_object_get(ret, "memdevs"), 0);
	assert_int_equal(jint(m, "size"), 300 << 20);
	assert_string_equal(jstr(m, "used-by"), "cxl-pmem0");
	json_object_put(reply);
	end_run(&r);
}

/* A typo in a CXL driver is refused with QEMU's words and a did-you-mean
 * (qemu-docs-pmem.cmdline with cxl-typ3); QEMU's non-CXL devices on the
 * RFC target host's line (e1000, virtio-net-pci) are ignored with a
 * warning each. */
static void test_driver_typo(void **state)
{
	static const char *const typo[] = { "cxl-type3,", "cxl-typ3,", NULL };
	char dir[256], path[512], err[4096];
	struct corpus_entry e;

	(void)state;
	snprintf(path, sizeof(path), "%s/qemu-docs-pmem.cmdline", CORPUS_DIR);
	assert_int_equal(corpus_read(path, &e), 0);
	assert_int_equal(corpus_edit(&e, 0, typo[0], typo[1]), 0);
	e2e_mkdtemp(dir, sizeof(dir));
	assert_int_equal(corpus_start(&e, 0, dir), 0);
	assert_int_not_equal(corpus_stop(&e.hosts[0]), 0);
	corpus_stderr(&e.hosts[0], err, sizeof(err));
	assert_non_null(strstr(err, "-device cxl-typ3,id=cxl-pmem0: 'cxl-typ3' is not a valid "
			       "device model name (did you mean 'cxl-type3'?)"));
	corpus_free(&e);

	snprintf(path, sizeof(path), "%s/rfc-fm-emulation-target-fm.cmdline", CORPUS_DIR);
	assert_int_equal(corpus_read(path, &e), 0);
	assert_int_equal(corpus_start(&e, 0, dir), 1);
	assert_int_equal(corpus_stop(&e.hosts[0]), 0);
	corpus_stderr(&e.hosts[0], err, sizeof(err));
	assert_non_null(strstr(err, "-device e1000: ignored (not on a CXL port"));
	corpus_free(&e);
	e2e_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usp_shares_dsp_port),
		cmocka_unit_test(test_switch_default_ports),
		cmocka_unit_test(test_root_ports_without_port),
		cmocka_unit_test(test_pxb_without_id_and_bus_nr),
		cmocka_unit_test(test_type3_without_id),
		cmocka_unit_test(test_flit_and_hdm_db),
		cmocka_unit_test(test_persistent_off_grain),
		cmocka_unit_test(test_driver_typo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
