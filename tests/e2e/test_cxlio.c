/* SPDX-License-Identifier: MIT */
/*
 * THEORY OF OPERATION: CXL.io through a switch across the QEMU FM-emulation
 * RFC's two hosts. The target host has the RFC's topology (switch us0, the
 * DCD below port 0) plus an MLD of 4 LDs (mld0, 1 GiB) below port 1; the FM
 * host has the switch alone, its endpoint 0x4 forwarding to the target's
 * switch CCI (cxl-emu's switch-targeted forwarding: the RFC's shared buffer
 * belongs to a type-3 device, and 5103h/5301h/5302h are switch commands).
 * An FM on the FM host's bus (libcxlfm) then:
 *   - reads and writes a downstream port's PPB (5103h) once the port is
 *     unbound; the target's own bus reads back what the FM wrote there, so
 *     the request crossed hosts;
 *   - reads an unbound LD's configuration space (5301h), maps its memory
 *     window, writes a pattern with 5302h and reads it back, and the target
 *     host sees the same bytes with x-cxl-mem (its host's view of LD 1).
 * Each test has its own run dirs and ephemeral QMP ports.
 */
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

#include "cxlfm/cxlfm.h"
#include "cxlfm/cxlio.h"
#include "e2e.h"
#include "util/base64.h"

#define MiB (1024ull * 1024)
#define WINDOW 0x100000000ull /* where the FM maps LD 1's memory window */

static struct emu_proc tgt, fm;

static int teardown(void **state)
{
	(void)state;
	emu_cleanup(&fm);
	emu_cleanup(&tgt);
	return 0;
}

/* The target: the RFC's topology, an MLD below port 1, the switch's MCTP endpoint. */
static void start_hosts(void)
{
	struct e2e_argv t = { .n = 0 }, f = { .n = 0 };
	static const char *const sw[] = { E2E_RFC_SWITCH, NULL };

	e2e_rfc_topology(&t, "");
	e2e_argv_add(&t, "-object");
	e2e_argv_add(&t, "memory-backend-file,id=mld-mem,share=on,mem-path=@RUN/mld.raw,size=1G");
	e2e_argv_add(&t, "-device");
	e2e_argv_add(&t, "cxl-type3,bus=swport1,volatile-memdev=mld-mem,id=mld0,sn=55,num-ld=4");
	e2e_argv_add(&t, "-device");
	e2e_argv_add(&t, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0");
	e2e_argv_add(&t, "-qmp");
	e2e_argv_add(&t, "@PORT");
	assert_int_equal(emu_start(&tgt, t.v), 0);

	e2e_argv_addv(&f, sw);
	e2e_argv_add(&f, "-device");
	e2e_argv_add(&f, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0,"
		     "mctp-msg-forward=on,qmp=127.0.0.1:%d", tgt.qmp_port);
	e2e_argv_add(&f, "-qmp");
	e2e_argv_add(&f, "@PORT");
	assert_int_equal(emu_start(&fm, f.v), 0);
}

static struct cxlfm_ctx *bus_of(struct emu_proc *p, struct cxlfm_ep **sw)
{
	struct cxlfm_opts o = CXLFM_OPTS(.timeout_ms = 5000);
	struct cxlfm_ctx *ctx = NULL;

	assert_int_equal(cxlfm_open(emu_bus(p, "aspeed.i2c.bus.0"), &o, &ctx), 0);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x04, sw), 0);
	return ctx;
}

static uint32_t ppb_read(struct cxlfm_ep *sw, uint8_t port, uint16_t off)
{
	struct cxlfm_config_req req = { .offset = off, .byte_enables = 0xf };
	struct cxlfm_config_rsp rsp;

	assert_int_equal(cxlfm_cmd_send_ppb_config(sw, NULL, port, &req, &rsp), 0);
	return rsp.data;
}

/* x-cxl-config on the target: the host's view of a vPPB of us0 (vppb >= 0) or
 * of LD ld of mld0; a write when write. Returns the dword read (after). */
static uint32_t host_config(int vppb, int ld, unsigned off, bool write, uint32_t val)
{
	struct json_object *a = json_object_new_object(), *r, *ret = NULL, *v = NULL;
	uint32_t out;
	int q = qmp_open(tgt.qmp_port);

	assert_true(q >= 0);
	json_object_object_add(a, "path", json_object_new_string(vppb >= 0 ? "us0" : "mld0"));
	if (vppb >= 0)
		json_object_object_add(a, "vppb", json_object_new_int(vppb));
	else
		json_object_object_add(a, "ld", json_object_new_int(ld));
	json_object_object_add(a, "offset", json_object_new_int((int)off));
	if (write)
		json_object_object_add(a, "value", json_object_new_uint64(val));
	r = qmp_exec(q, "x-cxl-config", a);
	assert_non_null(r);
	if (!json_object_object_get_ex(r, "return", &ret) ||
	    !json_object_object_get_ex(ret, "value", &v))
		fail_msg("x-cxl-config: %s", json_object_to_json_string(r));
	out = (uint32_t)json_object_get_uint64(v);
	json_object_put(r);
	close(q);
	return out;
}

static void unbind(struct cxlfm_ep *sw, uint8_t vppb)
{
	struct cxlfm_unbind_vppb_req u = { .vcs_id = 0, .vppb_id = vppb,
					   .option = CXLFM_UNBIND_MANAGED };
	uint16_t op_rc = 0xffff;

	assert_int_equal(cxlfm_cmd_unbind_vppb(sw, NULL, &u), CXLFM_RC_BG_STARTED);
	assert_int_equal(cxlfm_bg_wait(sw, NULL, 5000, &op_rc), 0);
	assert_int_equal(op_rc, 0);
}

/* 5103h from the FM host reaches the target's switch. */
static void test_ppb_config_across_hosts(void **state)
{
	struct cxlfm_ctx *fctx, *tctx;
	struct cxlfm_ep *fsw, *tsw;
	struct cxlfm_config_req rd = { .offset = 0, .byte_enables = 0xf };
	struct cxlfm_config_req wr = { .offset = 0x18, .byte_enables = 0x7, .write = true,
				       .data = 0x00131312u };
	struct cxlfm_config_rsp rsp;
	struct cxlfm_phys_port_control_req perst = { .ppb_id = 0,
						     .port_opcode = CXLFM_PORT_ASSERT_PERST };

	(void)state;
	start_hosts();
	fctx = bus_of(&fm, &fsw);
	tctx = bus_of(&tgt, &tsw);
	/* port 0 (the DCD) is bound to vPPB 0: its configuration space is the
	 * host's, which enumerates it; the FM may not touch it */
	assert_int_equal(host_config(0, -1, 0x18, true, 0x00020100u), 0x00020100u);
	assert_int_equal(cxlfm_cmd_send_ppb_config(fsw, NULL, 0, &rd, &rsp),
			 CXLFM_RC_INVALID_INPUT);
	unbind(fsw, 0);
	assert_int_equal(ppb_read(fsw, 0, 0x00), 0xa12919e5u);
	assert_int_equal(ppb_read(fsw, 0, 0x18), 0x00020100u);
	/* the host's vPPB 0: unbound now, link down, nothing present, hot-remove latched */
	assert_int_equal(host_config(0, -1, 0xa8, false, 0), 0x01080000u);
	/* link up at 32 GT/s x16 (the DCD's maxima), DLL Link Active; slot: present */
	assert_int_equal(ppb_read(fsw, 0, 0xa0), 0x21050000u);
	assert_int_equal(ppb_read(fsw, 0, 0xa8), 0x00400000u);
	/* the FM sets bus numbers; the target's own bus reads them back */
	assert_int_equal(cxlfm_cmd_send_ppb_config(fsw, NULL, 0, &wr, &rsp), 0);
	assert_int_equal(rsp.data, 0);
	assert_int_equal(ppb_read(tsw, 0, 0x18), 0x00131312u);
	/* PERST# from the FM: the link drops and the slot latches the change */
	assert_int_equal(cxlfm_cmd_phys_port_control(fsw, NULL, &perst), 0);
	assert_int_equal(ppb_read(fsw, 0, 0xa0), 0x00000000u);
	assert_int_equal(ppb_read(tsw, 0, 0xa8), 0x01400000u);
	cxlfm_close(tctx);
	cxlfm_close(fctx);
}

static void ld_cfg_write(struct cxlfm_ep *sw, uint16_t ld, uint16_t off, uint32_t v)
{
	struct cxlfm_config_req req = { .offset = off, .byte_enables = 0xf, .write = true,
					.data = v };
	struct cxlfm_config_rsp rsp;

	assert_int_equal(cxlfm_cmd_send_ld_config(sw, NULL, 1, ld, &req, &rsp), 0);
}

static void ld_mem(struct cxlfm_ep *sw, uint16_t ld, uint64_t addr, uint8_t *buf, uint16_t len,
		   bool write, struct cxlfm_ld_mem_rsp *rsp)
{
	struct cxlfm_ld_mem_req req = { .port_id = 1, .ld_id = ld, .addr = addr, .length = len,
					.write = write, .data = write ? buf : NULL };

	assert_int_equal(cxlfm_cmd_send_ld_mem(sw, NULL, &req, rsp), 0);
	assert_int_equal(rsp->returned, len);
}

/* x-cxl-mem on the target: len bytes at dpa (of LD ld when ld >= 0), decoded. */
static void host_read(int q, int ld, uint64_t dpa, uint8_t *out, size_t len)
{
	struct json_object *a = json_object_new_object(), *r, *ret = NULL, *data = NULL;

	json_object_object_add(a, "path", json_object_new_string("mld0"));
	json_object_object_add(a, "dpa", json_object_new_uint64(dpa));
	json_object_object_add(a, "length", json_object_new_int((int)len));
	if (ld >= 0)
		json_object_object_add(a, "ld", json_object_new_int(ld));
	r = qmp_exec(q, "x-cxl-mem", a);
	assert_non_null(r);
	if (!json_object_object_get_ex(r, "return", &ret) ||
	    !json_object_object_get_ex(ret, "data", &data))
		fail_msg("x-cxl-mem: %s", json_object_to_json_string(r));
	assert_int_equal(base64_decode(json_object_get_string(data), out, len), (int)len);
	json_object_put(r);
}

/* 5301h / 5302h from the FM host to an LD of the target's MLD; the target
 * host reads the pattern the FM wrote. */
static void test_ld_across_hosts(void **state)
{
	struct cxlfm_ctx *fctx;
	struct cxlfm_ep *fsw;
	struct cxlfm_config_req rd = { .offset = 0, .byte_enables = 0xf };
	struct cxlfm_config_rsp rsp;
	struct cxlfm_ld_mem_rsp *mr = malloc(sizeof(*mr));
	uint8_t pat[1024], got[1024];
	int q;

	(void)state;
	assert_non_null(mr);
	for (unsigned i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7 + 3);
	start_hosts();
	fctx = bus_of(&fm, &fsw);
	/* LD 1's function: Intel 8086h:0D93h, class 050210h, MLD bit in the DVSEC */
	assert_int_equal(cxlfm_cmd_send_ld_config(fsw, NULL, 1, 1, &rd, &rsp), 0);
	assert_int_equal(rsp.data, 0x0d938086u);
	rd.offset = 0x08;
	assert_int_equal(cxlfm_cmd_send_ld_config(fsw, NULL, 1, 1, &rd, &rsp), 0);
	assert_int_equal(rsp.data, 0x05021000u);
	/* LD 0 is bound to vPPB 1 (the host's): the switch refuses */
	assert_int_equal(cxlfm_cmd_send_ld_config(fsw, NULL, 1, 0, &rd, &rsp),
			 CXLFM_RC_INVALID_INPUT);
	/* map LD 1's memory window at 4 GiB, Memory Space Enable */
	ld_cfg_write(fsw, 1, 0x18, (uint32_t)WINDOW);
	ld_cfg_write(fsw, 1, 0x1c, (uint32_t)(WINDOW >> 32));
	ld_cfg_write(fsw, 1, 0x04, 0x2);
	/* a 1 KiB pattern at LD 1 byte 2000h, in 256-byte requests */
	for (unsigned off = 0; off < sizeof(pat); off += 256)
		ld_mem(fsw, 1, WINDOW + 0x2000 + off, pat + off, 256, true, mr);
	/* the target host's view of LD 1 (its bytes from 0) and of the device */
	q = qmp_open(tgt.qmp_port);
	assert_true(q >= 0);
	host_read(q, 1, 0x2000, got, sizeof(got));
	assert_memory_equal(got, pat, sizeof(pat));
	host_read(q, -1, 256 * MiB + 0x2000, got, sizeof(got));
	assert_memory_equal(got, pat, sizeof(pat));
	/* and the FM reads it back */
	ld_mem(fsw, 1, WINDOW + 0x2000 + 100, NULL, 200, false, mr);
	assert_memory_equal(mr->data, pat + 100, 200);
	/* the FM binds LD 1 to vPPB 2 (port 3 before): the target host sees the
	 * hot-add on vPPB 2 and LD 1's function as the FM left it */
	unbind(fsw, 2);
	{
		struct cxlfm_bind_vppb_req b = { .vcs_id = 0, .vppb_id = 2, .port_id = 1,
						 .ld_id = 1 };
		uint16_t op_rc = 0xffff;

		assert_int_equal(cxlfm_cmd_bind_vppb(fsw, NULL, &b), CXLFM_RC_BG_STARTED);
		assert_int_equal(cxlfm_bg_wait(fsw, NULL, 5000, &op_rc), 0);
		assert_int_equal(op_rc, 0);
	}
	assert_int_equal(host_config(2, -1, 0xa8, false, 0), 0x01480000u);
	assert_int_equal(host_config(2, -1, 0xa0, false, 0), 0x21050000u);
	assert_int_equal(host_config(-1, 1, 0x1c, false, 0), (uint32_t)(WINDOW >> 32));
	/* now bound: the FM's requests to LD 1 are refused */
	rd.offset = 0;
	assert_int_equal(cxlfm_cmd_send_ld_config(fsw, NULL, 1, 1, &rd, &rsp),
			 CXLFM_RC_INVALID_INPUT);
	/* past LD 2's 256 MiB (unbound): refused, nothing written */
	ld_cfg_write(fsw, 2, 0x18, (uint32_t)WINDOW);
	ld_cfg_write(fsw, 2, 0x1c, (uint32_t)(WINDOW >> 32));
	ld_cfg_write(fsw, 2, 0x04, 0x2);
	{
		struct cxlfm_ld_mem_req req = { .port_id = 1, .ld_id = 2,
						.addr = WINDOW + 256 * MiB - 8, .length = 16,
						.write = true, .data = pat };

		assert_int_equal(cxlfm_cmd_send_ld_mem(fsw, NULL, &req, mr),
				 CXLFM_RC_INVALID_INPUT);
		host_read(q, 2, 256 * MiB - 8, got, 8);
		assert_memory_equal(got, (uint8_t[8]){ 0 }, 8);
		req.length = 8;
		assert_int_equal(cxlfm_cmd_send_ld_mem(fsw, NULL, &req, mr), 0);
		assert_int_equal(mr->returned, 8);
		host_read(q, 2, 256 * MiB - 8, got, 8);
		assert_memory_equal(got, pat, 8);
	}
	close(q);
	cxlfm_close(fctx);
	free(mr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ppb_config_across_hosts, teardown),
		cmocka_unit_test_teardown(test_ld_across_hosts, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
