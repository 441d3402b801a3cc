/* SPDX-License-Identifier: MIT */
/*
 * THEORY OF OPERATION: a cxl-emu host with one persistent-memory type-3
 * device (256 MiB, an LSA, backing files in the test's directory) and its
 * MCTP endpoint. A BMC's view through libcxlfm's media calls (media.h) over
 * the I2C bus, the host's through QMP: x-cxl-mailbox sends host mailbox
 * commands as the host's driver does, x-cxl-mem loads and stores device
 * memory.
 *  - sanitize over MCTP runs in the background: Background Operation
 *    Status shows it running with its progress, host reads fail meanwhile,
 *    and when it completes the backing file's bytes (and the LSA's) are
 *    zero;
 *  - poison: a BMC injects, lists (More over 512-byte MCTP messages),
 *    clears and scans; a host read of poison fails;
 *  - a user passphrase set through the host mailbox survives a restart of
 *    cxl-emu, which comes back locked: host accesses to the persistent
 *    memory fail until Unlock gives the passphrase, and the data is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "cxlfm/media.h"
#include "e2e.h"
#include "proto/le.h"
#include "util/base64.h"

#define MiB (1024ull * 1024)
#define PMEM (256 * MiB)

static char dir[256];
static struct emu_proc emu;
static int qmp = -1;
static struct cxlfm_ctx *ctx;
static struct cxlfm_ep *ep;

/* The device's files live in dir, so that a restart finds them. */
static void start(void)
{
	struct e2e_argv a = { 0 };

	e2e_argv_addv(&a, (const char *const[]){ "-machine", "q35,cxl=on", "-qmp", "@PORT",
		"-device", "pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1",
		"-device", "cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2", NULL });
	e2e_argv_add(&a, "-object");
	e2e_argv_add(&a, "memory-backend-file,id=pm0,share=on,mem-path=%s/pmem.raw,size=256M",
		     dir);
	e2e_argv_add(&a, "-object");
	e2e_argv_add(&a, "memory-backend-file,id=lsa0,share=on,mem-path=%s/lsa.raw,size=1M", dir);
	e2e_argv_addv(&a, (const char *const[]){
		"-device", "cxl-type3,bus=rp0,persistent-memdev=pm0,lsa=lsa0,id=pmem0,sn=0xabcd",
		"-device", "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=5,target=pmem0",
		"-M", "cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G", NULL });
	assert_int_equal(emu_start(&emu, a.v), 0);
	qmp = qmp_open(emu.qmp_port);
	assert_true(qmp >= 0);
	assert_int_equal(cxlfm_open(emu_bus(&emu, "aspeed.i2c.bus.0"), NULL, &ctx), 0);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x05, &ep), 0);
}

static void stop(void)
{
	if (ctx)
		cxlfm_close(ctx);
	ctx = NULL;
	if (qmp >= 0)
		close(qmp);
	qmp = -1;
	if (emu.pid) {
		assert_int_equal(emu_stop(&emu), 0);
		e2e_rmdir(emu.run_dir);
	}
	memset(&emu, 0, sizeof(emu));
}

static int setup(void **state)
{
	(void)state;
	e2e_mkdtemp(dir, sizeof(dir));
	start();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	stop();
	e2e_rmdir(dir);
	return 0;
}

/* QMP command with arguments from a printf format; the whole reply. */
__attribute__((format(printf, 2, 3)))
static struct json_object *qmp_run(const char *cmd, const char *fmt, ...)
{
	char buf[12000];
	struct json_object *args, *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	args = json_tokener_parse(buf);
	assert_non_null(args);
	r = qmp_exec(qmp, cmd, args);
	assert_non_null(r);
	return r;
}

/* 0, or -1 with the description of the reply's error in err; r is released. */
static int qmp_error(struct json_object *r, char *err, size_t errlen)
{
	struct json_object *e, *d;
	int rc = 0;

	if (json_object_object_get_ex(r, "error", &e)) {
		json_object_object_get_ex(e, "desc", &d);
		snprintf(err, errlen, "%s", json_object_get_string(d));
		rc = -1;
	}
	json_object_put(r);
	return rc;
}

/* x-cxl-mem: write len bytes of c at dpa; 0 or the error's text in err. */
static int mem_write(uint64_t dpa, uint8_t c, size_t len, char *err, size_t errlen)
{
	uint8_t data[4096];
	char b64[BASE64_LEN(4096) + 1];

	memset(data, c, len);
	base64_encode(data, len, b64);
	return qmp_error(qmp_run("x-cxl-mem", "{\"path\": \"pmem0\", \"dpa\": %llu, "
				 "\"data\": \"%s\"}", (unsigned long long)dpa, b64), err, errlen);
}

/* x-cxl-mem: read len bytes at dpa into out; 0 or -1 with the error's text. */
static int mem_read(uint64_t dpa, uint8_t *out, size_t len, char *err, size_t errlen)
{
	struct json_object *r, *e, *d;

	r = qmp_run("x-cxl-mem", "{\"path\": \"pmem0\", \"dpa\": %llu, \"length\": %zu}",
		    (unsigned long long)dpa, len);
	if (json_object_object_get_ex(r, "return", &e)) {
		assert_true(json_object_object_get_ex(e, "data", &d));
		assert_int_equal(base64_decode(json_object_get_string(d), out, len), (int)len);
	}
	return qmp_error(r, err, errlen);
}

/* x-cxl-mailbox: a host mailbox command; its return code (payload to out, may be NULL). */
static int mailbox(uint16_t opcode, const uint8_t *in, size_t in_len, uint8_t *out,
		   size_t out_max)
{
	char b64[BASE64_LEN(256) + 1];
	struct json_object *r, *ret, *v;
	int rc;

	assert_true(in_len <= 256);
	base64_encode(in, in_len, b64);
	r = qmp_run("x-cxl-mailbox", "{\"path\": \"pmem0\", \"opcode\": %u, \"payload\": \"%s\"}",
		    opcode, b64);
	if (!json_object_object_get_ex(r, "return", &ret))
		fail_msg("x-cxl-mailbox: %s", json_object_to_json_string(r));
	assert_true(json_object_object_get_ex(ret, "ret-val", &v));
	rc = json_object_get_int(v);
	assert_true(json_object_object_get_ex(ret, "payload", &v));
	if (out)
		assert_true(base64_decode(json_object_get_string(v), out, out_max) >= 0);
	json_object_put(r);
	return rc;
}

/* Bytes of a backing file, as the file has them. */
static void file_bytes(const char *name, off_t off, uint8_t *buf, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, off), (ssize_t)len);
	close(fd);
}

static bool all(const uint8_t *p, size_t n, uint8_t c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return false;
	return true;
}

static void test_sanitize(void **state)
{
	struct cxlfm_bg_op_status_rsp bg;
	uint8_t buf[4096];
	char err[256];
	char path[512];
	int fd, seen_running = 0, last_pct = 0;

	(void)state;
	assert_int_equal(mem_write(0x1000, 0xa5, 4096, err, sizeof(err)), 0);
	assert_int_equal(mem_write(PMEM - 4096, 0x5a, 4096, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/lsa.raw", dir);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	memset(buf, 0x3c, 512);
	assert_int_equal(pwrite(fd, buf, 512, 0), 512);
	close(fd);
	file_bytes("pmem.raw", 0x1000, buf, 4096);
	assert_true(all(buf, 4096, 0xa5));

	assert_int_equal(cxlfm_cmd_sanitize(ep, NULL), CXLFM_RC_BG_STARTED);
	/* QEMU's 4 s for 256 MiB: progress until done, host reads refused meanwhile */
	for (int i = 0; i < 300; i++) {
		assert_int_equal(cxlfm_cmd_bg_op_status(ep, NULL, &bg), 0);
		assert_int_equal(bg.opcode, 0x4400);
		assert_true(bg.percent >= last_pct);
		last_pct = bg.percent;
		if (!bg.running)
			break;
		assert_true(bg.percent < 100);
		if (!seen_running++) {
			assert_int_equal(mem_read(0x1000, buf, 64, err, sizeof(err)), -1);
			assert_non_null(strstr(err, "media is disabled"));
		}
		usleep(50000);
	}
	assert_true(seen_running > 0);
	assert_false(bg.running);
	assert_int_equal(bg.percent, 100);
	assert_int_equal(bg.rc, 0);
	file_bytes("pmem.raw", 0x1000, buf, 4096);
	assert_true(all(buf, 4096, 0));
	file_bytes("pmem.raw", (off_t)(PMEM - 4096), buf, 4096);
	assert_true(all(buf, 4096, 0));
	file_bytes("lsa.raw", 0, buf, 512);
	assert_true(all(buf, 512, 0));
	assert_int_equal(mem_read(0x1000, buf, 64, err, sizeof(err)), 0);
	assert_true(all(buf, 64, 0));
}

static void test_poison(void **state)
{
	struct cxlfm_media_err recs[64];
	struct cxlfm_clear_poison_req clr = { .dpa = 0x2000 };
	struct cxlfm_get_scan_media_results_rsp *res = malloc(sizeof(*res));
	struct json_object *r;
	uint8_t buf[64], flags = 0xff;
	uint16_t op_rc;
	char err[256];
	size_t n;

	(void)state;
	/* 40 by QMP, one by the BMC: more than a 512-byte MCTP response holds */
	for (int i = 0; i < 40; i++) {
		r = qmp_run("cxl-inject-poison", "{\"path\": \"pmem0\", \"start\": %d, "
			    "\"length\": 64}", 0x100000 + i * 4096);
		assert_true(json_object_object_get_ex(r, "return", NULL));
		json_object_put(r);
	}
	assert_int_equal(cxlfm_cmd_inject_poison(ep, NULL,
		&(struct cxlfm_inject_poison_req){ 0x2000 }), 0);
	assert_int_equal(cxlfm_poison_list(ep, NULL, 0, PMEM, recs, 64, &n, &flags, NULL), 0);
	assert_int_equal(n, 41);
	assert_int_equal(flags, 0);
	assert_int_equal(recs[0].dpa, 0x2000);
	assert_int_equal(recs[0].source, CXLFM_MEDIA_ERR_INJECTED);
	assert_int_equal(recs[40].dpa, 0x100000 + 39 * 4096);
	assert_int_equal(recs[40].source, CXLFM_MEDIA_ERR_INTERNAL);
	assert_int_equal(recs[40].length, 64);
	/* the host meets it */
	assert_int_equal(mem_read(0x2000, buf, 64, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "poison"));
	/* cleared with data */
	memset(clr.data, 0x99, sizeof(clr.data));
	assert_int_equal(cxlfm_cmd_clear_poison(ep, NULL, &clr), 0);
	assert_int_equal(mem_read(0x2000, buf, 64, err, sizeof(err)), 0);
	assert_true(all(buf, 64, 0x99));
	/* a scan of the QMP range finds the 40 */
	assert_int_equal(cxlfm_cmd_scan_media(ep, NULL,
		&(struct cxlfm_scan_media_req){ 0x100000, 0x100000, true }), CXLFM_RC_BG_STARTED);
	assert_int_equal(cxlfm_bg_wait(ep, NULL, 0, &op_rc), 0);
	assert_int_equal(op_rc, 0);
	assert_int_equal(cxlfm_cmd_get_scan_media_results(ep, NULL, res), 0);
	assert_int_equal(res->num_records, 30); /* a 512-byte response's worth */
	assert_int_equal(res->flags, CXLFM_SCAN_MORE);
	assert_int_equal(cxlfm_cmd_get_scan_media_results(ep, NULL, res), 0);
	assert_int_equal(res->num_records, 10);
	assert_int_equal(res->flags, 0);
	free(res);
}

static void test_lock_survives_restart(void **state)
{
	struct cxlfm_get_security_state_rsp sec;
	uint8_t in[0x60] = { 1 /* user */ }, buf[64];
	char err[256];

	(void)state;
	assert_int_equal(mem_write(0x3000, 0x6b, 64, err, sizeof(err)), 0);
	memcpy(in + 0x40, "e2e passphrase", 14);
	assert_int_equal(mailbox(0x4501, in, sizeof(in), NULL, 0), 0);
	assert_int_equal(cxlfm_cmd_get_security_state(ep, NULL, &sec), 0);
	assert_int_equal(sec.state, CXLFM_SEC_USER_PASS_SET);
	assert_int_equal(mem_read(0x3000, buf, 64, err, sizeof(err)), 0);

	/* a restart is the device's power cycle: locked */
	stop();
	start();
	assert_int_equal(cxlfm_cmd_get_security_state(ep, NULL, &sec), 0);
	assert_int_equal(sec.state, CXLFM_SEC_USER_PASS_SET | CXLFM_SEC_LOCKED);
	assert_int_equal(mem_read(0x3000, buf, 64, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "locked"));
	assert_int_equal(mem_write(0x3000, 0, 64, err, sizeof(err)), -1);
	assert_int_equal(mailbox(0x4503, (const uint8_t *)"wrong passphrase................", 32,
				 NULL, 0), 0x14 /* Incorrect Passphrase */);
	assert_int_equal(mem_read(0x3000, buf, 64, err, sizeof(err)), -1);
	assert_int_equal(mailbox(0x4503, in + 0x40, 32, NULL, 0), 0);
	assert_int_equal(mem_read(0x3000, buf, 64, err, sizeof(err)), 0);
	assert_true(all(buf, 64, 0x6b));
	assert_int_equal(mailbox(0x4500, NULL, 0, buf, sizeof(buf)), 0);
	assert_int_equal(le32_get(buf), CXLFM_SEC_USER_PASS_SET);
}

/* The QMP commands' own errors. */
static void test_qmp_errors(void **state)
{
	struct json_object *r, *e, *d;
	static const struct {
		const char *cmd, *args, *text;
	} bad[] = {
		{ "x-cxl-mem", "{\"path\": \"nope\", \"dpa\": 0, \"length\": 1}", "Unable to resolve" },
		{ "x-cxl-mem", "{\"path\": \"pmem0\", \"dpa\": 0}", "either 'length'" },
		{ "x-cxl-mem", "{\"path\": \"pmem0\", \"dpa\": 0, \"length\": 1, \"data\": \"AA==\"}",
		  "either 'length'" },
		{ "x-cxl-mem", "{\"path\": \"pmem0\", \"dpa\": 0, \"length\": 4097}", "above 4096" },
		{ "x-cxl-mem", "{\"path\": \"pmem0\", \"dpa\": 0, \"data\": \"!!\"}", "not base64" },
		{ "x-cxl-mem", "{\"path\": \"pmem0\", \"dpa\": 268435456, \"length\": 1}",
		  "not capacity" },
		{ "x-cxl-mailbox", "{\"path\": \"pmem0\", \"opcode\": 1, \"payload\": \"*\"}",
		  "not base64" },
		{ "x-cxl-mailbox", "{\"path\": \"pmem0\"}", "opcode" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = qmp_run(bad[i].cmd, "%s", bad[i].args);
		if (!json_object_object_get_ex(r, "error", &e))
			fail_msg("%s %s: %s", bad[i].cmd, bad[i].args, json_object_to_json_string(r));
		assert_true(json_object_object_get_ex(e, "desc", &d));
		if (!strstr(json_object_get_string(d), bad[i].text))
			fail_msg("%s: '%s' lacks '%s'", bad[i].cmd, json_object_get_string(d),
				 bad[i].text);
		json_object_put(r);
	}
	/* an unknown opcode is the device's answer, not QMP's */
	assert_int_equal(mailbox(0xbeef, NULL, 0, NULL, 0), 3 /* Unsupported */);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sanitize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poison, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_survives_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qmp_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
