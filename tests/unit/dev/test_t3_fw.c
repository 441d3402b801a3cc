/* SPDX-License-Identifier: MIT */
/*
 * Firmware update of the type-3 model (dev/t3_fw.c): Get FW Info, Transfer
 * FW (full and in parts, background operations, abort, verification),
 * Activate FW online and on the next start, the FW section of the
 * non-volatile state. Expected payloads are written out from CXL r3.1
 * §8.2.9.3 and the package format of proto/fwpkg.h.
 */
#include <errno.h>

#include "t3_fixture.h"
#include "dev/t3_gen.h"
#include "dev/t3_nv.h"
#include "proto/fwpkg.h"

#define SEC 1000000000ull

static struct t3_config mem_config(void)
{
	return (struct t3_config){ .id = "mem0", .serial = 7, .vmem_size = 256 * MiB };
}

static uint8_t pkg[4096];

/* A package of rev with len payload bytes in pkg; its length. */
static size_t make_pkg(const char *rev, size_t len)
{
	uint8_t payload[4000];
	long n;

	assert_true(len <= sizeof(payload));
	for (size_t i = 0; i < len; i++)
		payload[i] = (uint8_t)(i * 13 + 1);
	n = fwpkg_build(rev, payload, len, pkg, sizeof(pkg));
	assert_true(n > 0);
	return (size_t)n;
}

static uint16_t xfer(struct fx *f, struct cci *c, uint8_t action, uint8_t slot, uint32_t off,
		     const uint8_t *data, size_t len)
{
	uint8_t in[0x80 + 4096] = { 0 };

	assert_true(len <= 4096);
	in[0] = action;
	in[1] = slot;
	le32_put(in + 4, off / 128);
	if (len)
		memcpy(in + 0x80, data, len);
	return run(f, c, 0x0201, in, 0x80 + len);
}

static uint16_t activate(struct fx *f, struct cci *c, uint8_t action, uint8_t slot)
{
	uint8_t in[2] = { action, slot };

	return run(f, c, 0x0202, in, 2);
}

/* Let the running operation finish and return its return code (host: read directly). */
static uint16_t finish(struct fx *f, struct cci *c)
{
	now_ns += 10 * SEC;
	assert_true(cci_tick(c));
	assert_false(c->bg.running);
	(void)f;
	return c->bg.rc;
}

/* Get FW Info on c, into f->out. */
static void fw_info(struct fx *f, struct cci *c)
{
	assert_int_equal(run(f, c, 0x0200, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0x50);
}

/* The Get FW Info payload: active, staged, slot revisions ("" = none). */
static void expect_fw_info(struct fx *f, struct cci *c, uint8_t active, uint8_t staged,
			   const char *const rev[4])
{
	uint8_t want[0x50] = { 4, (uint8_t)(active | staged << 3), 0x01 };

	for (unsigned i = 0; i < 4; i++)
		memcpy(want + 0x10 + 16 * i, rev[i], strlen(rev[i]));
	fw_info(f, c);
	assert_memory_equal(f->out, want, 0x50);
}

static const char *const fresh[4] = { "BWFW VERSION 00", "", "", "" };

/* CXL r3.1 §8.2.9.3.1: a new device, on each of its CCIs. */
static void test_get_fw_info(void **state)
{
	struct fx *f = fx_new(mem_config());

	(void)state;
	expect_fw_info(f, t3_host_cci(f->dev), 1, 0, fresh);
	expect_fw_info(f, t3_fm_cci(f->dev), 1, 0, fresh);
	expect_fw_info(f, t3_ld_cci(f->dev, 0), 1, 0, fresh);
	assert_int_equal(host(f, 0x0200, "x", 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);
}

/* A full transfer: a background operation that stores the package when it completes. */
static void test_full_transfer(void **state)
{
	struct fx *f = fx_new(mem_config());
	struct cci *h = t3_host_cci(f->dev), *m = t3_fm_cci(f->dev);
	const char *const after[4] = { "BWFW VERSION 00", "NEW FW 1.0", "", "" };
	size_t n = make_pkg("NEW FW 1.0", 300);

	(void)state;
	now_ns = 5 * SEC;
	assert_int_equal(xfer(f, h, 0, 2, 0x1000 /* ignored */, pkg, n), CXL_RC_BG_STARTED);
	assert_int_equal(f->out_len, 0);
	assert_true(h->bg.running);
	assert_int_equal(h->bg.opcode, 0x0201);
	/* nothing stored yet; the engine is the host's: the FM CCI is Busy */
	expect_fw_info(f, m, 1, 0, fresh);
	assert_int_equal(xfer(f, m, 0, 3, 0, pkg, n), CXL_RC_BUSY);
	assert_int_equal(activate(f, m, 0, 1), CXL_RC_BUSY);
	/* the host's own background commands are Busy too (the dispatcher) */
	assert_int_equal(xfer(f, h, 0, 3, 0, pkg, n), CXL_RC_BUSY);
	assert_int_equal(finish(f, h), CXL_RC_SUCCESS);
	expect_fw_info(f, m, 1, 0, after);
	expect_fw_info(f, h, 1, 0, after);
	fx_free(f);
}

/* A package that fails verification ends its operation with FW Verification Failed. */
static void test_full_transfer_refused(void **state)
{
	struct fx *f = fx_new(mem_config());
	struct cci *m = t3_fm_cci(f->dev);
	size_t n = make_pkg("BAD", 100);
	uint8_t junk[256] = { 1, 2, 3 };

	(void)state;
	pkg[n - 1] ^= 0x40; /* payload damaged: CRC */
	assert_int_equal(xfer(f, m, 0, 2, 0, pkg, n), CXL_RC_BG_STARTED);
	now_ns += 10 * SEC;
	assert_int_equal(fm(f, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 100 << 1);
	assert_int_equal(le16_get(f->out + 2), 0x0201);
	assert_int_equal(le16_get(f->out + 4), CXL_RC_FW_VERIFY_FAILED);
	expect_fw_info(f, m, 1, 0, fresh);
	/* not a package at all */
	assert_int_equal(xfer(f, m, 0, 2, 0, junk, sizeof(junk)), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, m), CXL_RC_FW_VERIFY_FAILED);
	expect_fw_info(f, m, 1, 0, fresh);
	fx_free(f);
}

/* Each refusal of Transfer FW, and that none changes the firmware state. */
static void test_transfer_errors(void **state)
{
	struct fx *f = fx_new(mem_config());
	struct cci *h = t3_host_cci(f->dev);
	size_t n = make_pkg("X", 10);
	uint8_t before[0x50], in[0x80] = { 0 };

	(void)state;
	fw_info(f, h);
	memcpy(before, f->out, 0x50);
	assert_int_equal(xfer(f, h, 5, 2, 0, pkg, n), CXL_RC_INVALID_INPUT);
	assert_int_equal(xfer(f, h, 0xff, 2, 0, pkg, n), CXL_RC_INVALID_INPUT);
	assert_int_equal(xfer(f, h, 0, 0, 0, pkg, n), CXL_RC_INVALID_SLOT);
	assert_int_equal(xfer(f, h, 0, 5, 0, pkg, n), CXL_RC_INVALID_SLOT);
	assert_int_equal(xfer(f, h, 0, 1, 0, pkg, n), CXL_RC_INVALID_SLOT); /* the active one */
	assert_int_equal(xfer(f, h, 0, 2, 0, pkg, 0), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(run(f, h, 0x0201, in, 0x7f), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(xfer(f, h, 2, 0, 0, pkg, n), CXL_RC_FW_XFER_OUT_OF_ORDER);
	assert_int_equal(xfer(f, h, 3, 2, 0, pkg, n), CXL_RC_FW_XFER_OUT_OF_ORDER);
	assert_int_equal(xfer(f, h, 1, 0, 128, pkg, n), CXL_RC_INVALID_INPUT); /* Initiate at 128 */
	assert_int_equal(xfer(f, h, 1, 0, 0, pkg, 0), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(xfer(f, h, 4, 0, 0, NULL, 0), CXL_RC_SUCCESS); /* abort: nothing open */
	assert_false(h->bg.running);
	fw_info(f, h);
	assert_memory_equal(f->out, before, 0x50);
	/* past the 32 MiB a package may have */
	assert_int_equal(xfer(f, h, 1, 0, 0, pkg, 128), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, h), CXL_RC_SUCCESS);
	assert_int_equal(xfer(f, h, 2, 0, 128, pkg, 128), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, h), CXL_RC_SUCCESS);
	in[0] = 2;
	le32_put(in + 4, (32u << 20) / 128); /* 32 MiB: the next part would pass it */
	assert_int_equal(run(f, h, 0x0201, in, 0x80 + 1), CXL_RC_INVALID_INPUT);
	fx_free(f);
}

/*
 * A package in parts: Initiate, Continue (sent twice: the last part may come
 * again), End; out-of-order and concurrent requests refused meanwhile.
 */
static void test_partial_transfer(void **state)
{
	struct fx *f = fx_new(mem_config());
	struct cci *h = t3_host_cci(f->dev), *m = t3_fm_cci(f->dev);
	const char *const after[4] = { "BWFW VERSION 00", "", "PARTS 3.1", "" };
	size_t n = make_pkg("PARTS 3.1", 700 - FWPKG_HDR_LEN);

	(void)state;
	assert_int_equal(n, 700);
	assert_int_equal(xfer(f, h, 1, 0, 0, pkg, 256), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, h), CXL_RC_SUCCESS);
	/* while it is open: no new transfer, not from another CCI */
	assert_int_equal(xfer(f, h, 0, 2, 0, pkg, n), CXL_RC_FW_XFER_IN_PROGRESS);
	assert_int_equal(xfer(f, h, 1, 0, 0, pkg, 256), CXL_RC_FW_XFER_IN_PROGRESS);
	assert_int_equal(xfer(f, m, 2, 0, 256, pkg + 256, 256), CXL_RC_FW_XFER_IN_PROGRESS);
	assert_int_equal(xfer(f, m, 4, 0, 0, NULL, 0), CXL_RC_FW_XFER_IN_PROGRESS);
	/* a gap, an overlap: out of order */
	assert_int_equal(xfer(f, h, 2, 0, 384, pkg + 384, 256), CXL_RC_FW_XFER_OUT_OF_ORDER);
	assert_int_equal(xfer(f, h, 2, 0, 128, pkg + 128, 256), CXL_RC_FW_XFER_OUT_OF_ORDER);
	assert_int_equal(xfer(f, h, 2, 0, 256, pkg + 256, 256), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, h), CXL_RC_SUCCESS);
	/* the same part again: taken in place of the first copy */
	assert_int_equal(xfer(f, h, 2, 0, 256, pkg + 256, 256), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, h), CXL_RC_SUCCESS);
	/* End to the active slot: Invalid Slot, the transfer stays open */
	assert_int_equal(xfer(f, h, 3, 1, 512, pkg + 512, n - 512), CXL_RC_INVALID_SLOT);
	assert_int_equal(xfer(f, h, 3, 3, 512, pkg + 512, n - 512), CXL_RC_BG_STARTED);
	expect_fw_info(f, m, 1, 0, fresh);
	assert_int_equal(finish(f, h), CXL_RC_SUCCESS);
	expect_fw_info(f, m, 1, 0, after);
	/* closed: a Continue has nothing to continue */
	assert_int_equal(xfer(f, h, 2, 0, 700, pkg, 128), CXL_RC_FW_XFER_OUT_OF_ORDER);
	/* End with no data after the last part, from the FM */
	n = make_pkg("PARTS 3.2", 256 - FWPKG_HDR_LEN);
	assert_int_equal(xfer(f, m, 1, 0, 0, pkg, 256), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, m), CXL_RC_SUCCESS);
	assert_int_equal(xfer(f, m, 3, 4, 256, NULL, 0), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, m), CXL_RC_SUCCESS);
	fw_info(f, m);
	assert_memory_equal(f->out + 0x40, "PARTS 3.2", 10);
	fx_free(f);
}

/* Transfer FW Abort drops an open transfer; 30 s without a part does too (QEMU). */
static void test_partial_abort_and_timeout(void **state)
{
	struct fx *f = fx_new(mem_config());
	struct cci *h = t3_host_cci(f->dev);
	size_t n = make_pkg("T", 400);

	(void)state;
	assert_int_equal(xfer(f, h, 1, 0, 0, pkg, 256), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, h), CXL_RC_SUCCESS);
	assert_int_equal(xfer(f, h, 4, 0, 0, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(xfer(f, h, 3, 2, 256, pkg + 256, n - 256), CXL_RC_FW_XFER_OUT_OF_ORDER);

	assert_int_equal(xfer(f, h, 1, 0, 0, pkg, 256), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, h), CXL_RC_SUCCESS); /* the part is taken now */
	now_ns += 29 * SEC;                             /* 29 s later: still open */
	assert_int_equal(xfer(f, h, 2, 0, 256, pkg + 256, 128), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, h), CXL_RC_SUCCESS);
	now_ns += 31 * SEC;                             /* 31 s: abandoned */
	assert_int_equal(xfer(f, h, 3, 2, 384, pkg + 384, n - 384), CXL_RC_FW_XFER_OUT_OF_ORDER);
	expect_fw_info(f, h, 1, 0, fresh);
	fx_free(f);
}

/*
 * Request Abort Background Operation (0005h) on a part: the part is not
 * taken (an aborted Initiate leaves no transfer; an aborted Continue leaves
 * the transfer waiting for it), and the package that results is whole.
 */
static void test_request_abort_part(void **state)
{
	struct fx *f = fx_new(mem_config());
	struct cci *m = t3_fm_cci(f->dev);
	const char *const after[4] = { "BWFW VERSION 00", "ABORTED ONCE", "", "" };
	size_t n = make_pkg("ABORTED ONCE", 600);

	(void)state;
	assert_int_equal(xfer(f, m, 1, 0, 0, pkg, 256), CXL_RC_BG_STARTED);
	now_ns += 1000;
	assert_int_equal(fm(f, 0x0005, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(fm(f, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0] & 1, 0);
	assert_int_equal(le16_get(f->out + 4), CXL_RC_ABORTED);
	assert_int_equal(xfer(f, m, 2, 0, 256, pkg + 256, 256), CXL_RC_FW_XFER_OUT_OF_ORDER);
	/* the engine is free again: another CCI is not Busy */
	assert_int_equal(activate(f, t3_host_cci(f->dev), 0, 3), CXL_RC_INVALID_SLOT);

	assert_int_equal(xfer(f, m, 1, 0, 0, pkg, 256), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, m), CXL_RC_SUCCESS);
	/* a Continue with damaged data, aborted: never taken */
	pkg[300] ^= 0xff;
	assert_int_equal(xfer(f, m, 2, 0, 256, pkg + 256, 256), CXL_RC_BG_STARTED);
	assert_int_equal(fm(f, 0x0005, NULL, 0), CXL_RC_SUCCESS);
	pkg[300] ^= 0xff;
	assert_int_equal(xfer(f, m, 2, 0, 256, pkg + 256, 256), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, m), CXL_RC_SUCCESS);
	assert_int_equal(xfer(f, m, 3, 2, 512, pkg + 512, n - 512), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, m), CXL_RC_SUCCESS);
	expect_fw_info(f, m, 1, 0, after);
	fx_free(f);
}

/* Activate FW online: a background operation; the slot is active when it completes. */
static void test_activate_online(void **state)
{
	struct fx *f = fx_new(mem_config());
	struct cci *h = t3_host_cci(f->dev), *m = t3_fm_cci(f->dev);
	const char *const two[4] = { "BWFW VERSION 00", "ONLINE 2", "", "" };
	size_t n = make_pkg("ONLINE 2", 64);
	char rev[16];

	(void)state;
	assert_int_equal(xfer(f, h, 0, 2, 0, pkg, n), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, h), CXL_RC_SUCCESS);
	/* refusals: unknown action, no such slot, an empty slot, the active slot */
	assert_int_equal(activate(f, m, 2, 2), CXL_RC_INVALID_INPUT);
	assert_int_equal(activate(f, m, 0, 0), CXL_RC_INVALID_SLOT);
	assert_int_equal(activate(f, m, 0, 5), CXL_RC_INVALID_SLOT);
	assert_int_equal(activate(f, m, 0, 3), CXL_RC_INVALID_SLOT);
	assert_int_equal(activate(f, m, 1, 1), CXL_RC_INVALID_SLOT);
	assert_int_equal(run(f, m, 0x0202, "\0", 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	expect_fw_info(f, m, 1, 0, two);
	/* aborted: nothing changes */
	assert_int_equal(activate(f, m, 0, 2), CXL_RC_BG_STARTED);
	assert_int_equal(fm(f, 0x0005, NULL, 0), CXL_RC_SUCCESS);
	expect_fw_info(f, m, 1, 0, two);
	/* completed: slot 2 active, and the revision the device reports */
	assert_int_equal(activate(f, m, 0, 2), CXL_RC_BG_STARTED);
	expect_fw_info(f, h, 1, 0, two);
	assert_int_equal(finish(f, m), CXL_RC_SUCCESS);
	expect_fw_info(f, h, 2, 0, two);
	t3_fw_revision(f->dev, rev);
	assert_memory_equal(rev, "ONLINE 2\0\0\0\0\0\0\0\0", 16);
	/* Identify Memory Device's FW Revision is the active slot's, on every CCI */
	assert_int_equal(run(f, h, 0x4000, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, rev, 16);
	assert_int_equal(run(f, t3_ld_cci(f->dev, 0), 0x4000, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, rev, 16);
	/* slot 1 may now be written, slot 2 not */
	assert_int_equal(xfer(f, h, 0, 2, 0, pkg, n), CXL_RC_INVALID_SLOT);
	assert_int_equal(xfer(f, h, 0, 1, 0, pkg, n), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, h), CXL_RC_SUCCESS);
	fw_info(f, h);
	assert_memory_equal(f->out + 0x10, "ONLINE 2", 9);
	fx_free(f);
}

/*
 * The firmware state survives the device (the FW section of the
 * non-volatile region); activation on the next cold reset takes effect when
 * the device is next created.
 */
static void test_persist_and_activate_on_reset(void **state)
{
	static uint8_t region[T3_NV_SIZE];
	struct t3_config c = mem_config();
	const char *const b[4] = { "BWFW VERSION 00", "", "", "REV B" };
	struct fx *f;
	size_t n = make_pkg("REV B", 1000);

	(void)state;
	c = fx_with_nv(c, region, sizeof(region));
	f = fx_new(c);
	assert_int_equal(xfer(f, t3_host_cci(f->dev), 0, 4, 0, pkg, n), CXL_RC_BG_STARTED);
	assert_int_equal(finish(f, t3_host_cci(f->dev)), CXL_RC_SUCCESS);
	/* over MCTP the package is too long for one request (512-byte limit) */
	assert_int_equal(xfer(f, t3_fm_cci(f->dev), 0, 3, 0, pkg, n),
			 CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(activate(f, t3_fm_cci(f->dev), 1, 4), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	expect_fw_info(f, t3_host_cci(f->dev), 1, 4, b);
	fx_free(f);

	/* next start: slot 4 active, nothing staged, slots as they were */
	f = fx_new(c);
	expect_fw_info(f, t3_host_cci(f->dev), 4, 0, b);
	/* stage slot 1 (the old firmware): active again at the next start */
	assert_int_equal(activate(f, t3_host_cci(f->dev), 1, 1), CXL_RC_SUCCESS);
	expect_fw_info(f, t3_host_cci(f->dev), 4, 1, b);
	fx_free(f);
	f = fx_new(c);
	expect_fw_info(f, t3_host_cci(f->dev), 1, 0, b);
	fx_free(f);

	/* without a region the state lasts as long as the device */
	c.nv_mem = NULL;
	f = fx_new(c);
	expect_fw_info(f, t3_host_cci(f->dev), 1, 0, fresh);
	fx_free(f);
}

/* A FW section that is not one we wrote is never trusted: defaults, saved again. */
static void test_nv_unusable(void **state)
{
	static uint8_t region[T3_NV_SIZE];
	struct t3_config c = mem_config();
	uint8_t sec[0x90];
	struct fx *f;

	(void)state;
	c = fx_with_nv(c, region, sizeof(region));
	f = fx_new(c);
	assert_int_equal(t3_nv_load(f->dev, T3_NV_FW, sec, sizeof(sec)), 0);
	assert_memory_equal(sec, "T3FW\x01\x01\x00\x01", 8);
	fx_free(f);
	/* each corruption: active slot empty or out of range, a control character in
	 * a revision, a staged slot holding nothing, an unknown format */
	for (unsigned k = 0; k < 5; k++) {
		f = fx_new(c);
		assert_int_equal(t3_nv_load(f->dev, T3_NV_FW, sec, sizeof(sec)), 0);
		switch (k) {
		case 0: sec[5] = 2; break;
		case 1: sec[5] = 9; break;
		case 2: sec[0x10 + 3] = 0x01; break;
		case 3: sec[6] = 3; break;
		default: sec[4] = 2; break;
		}
		assert_int_equal(t3_nv_store(f->dev, T3_NV_FW, sec, sizeof(sec)), 0);
		fx_free(f);
		f = fx_new(c);
		expect_fw_info(f, t3_host_cci(f->dev), 1, 0, fresh);
		fx_free(f);
	}
}

/*
 * An LD's CCI takes firmware commands too. The host timer does not tick LD
 * CCIs: an operation of theirs completes when the next command looks, on
 * that CCI or on another one that needs the engine.
 */
static void test_ld_cci(void **state)
{
	struct t3_config c = mem_config();
	struct fx *f;
	struct cci *ld1;
	size_t n = make_pkg("FROM LD 1", 32);

	(void)state;
	c.vmem_size = 512 * MiB;
	c.num_ld = 2;
	f = fx_new(c);
	ld1 = t3_ld_cci(f->dev, 1);
	assert_int_equal(xfer(f, ld1, 0, 2, 0, pkg, n), CXL_RC_BG_STARTED);
	assert_int_equal(xfer(f, t3_host_cci(f->dev), 0, 3, 0, pkg, n), CXL_RC_BUSY);
	now_ns += 10 * SEC;
	fw_info(f, t3_host_cci(f->dev));
	assert_memory_equal(f->out + 0x20, "FROM LD 1", 10);
	assert_int_equal(run(f, ld1, 0x0002, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 100 << 1);
	assert_int_equal(le16_get(f->out + 4), CXL_RC_SUCCESS);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_fw_info),
		cmocka_unit_test(test_full_transfer),
		cmocka_unit_test(test_full_transfer_refused),
		cmocka_unit_test(test_transfer_errors),
		cmocka_unit_test(test_partial_transfer),
		cmocka_unit_test(test_partial_abort_and_timeout),
		cmocka_unit_test(test_request_abort_part),
		cmocka_unit_test(test_activate_online),
		cmocka_unit_test(test_persist_and_activate_on_reset),
		cmocka_unit_test(test_nv_unusable),
		cmocka_unit_test(test_ld_cci),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
