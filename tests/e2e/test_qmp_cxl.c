/* SPDX-License-Identifier: MIT */
/*
 * THEORY OF OPERATION: the CXL QMP commands of cxl-emu over a real TCP
 * socket, by QEMU's names and arguments: DC add and release (QEMU's
 * semantics: offsets from the region base, prescriptive), event, poison and
 * RAS error injection, and x-cxl-host-agent's policies (accept, reject,
 * manual with a subset accepted, data verification). A memory device's
 * health (x-cxl-health, alert thresholds crossed into events the host
 * reads), and what a BMC reads over MCTP with libcxlfm's memdev calls, and
 * what a restart keeps (LSA, partition, dirty shutdown count). Each error is checked by class and
 * text. The device's extent limit (x-dc-extents-max) is what the FM reads
 * in Get Host DC Region Configuration. A device without DC regions has a
 * host agent holding nothing. Also: two instances started with no
 * --run-dir do not collide.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "cxlfm/memdev.h"
#include "e2e.h"
#include "e2e_qmp.h"
#include "proto/le.h"

#define MiB (1024ull * 1024)
#define QMP_IDLE 64 /* cxl-emu's client limit (docs/qmp.md "Limits") */

static const char *const host[] = {
	E2E_DCD_HOST,
	/* static capacity only: its host agent holds no DC extents */
	"-object", "memory-backend-ram,id=vm,size=256M",
	"-device", "cxl-rp,port=1,bus=cxl.1,id=rp1,chassis=0,slot=3",
	"-device", "cxl-type3,bus=rp1,volatile-memdev=vm,id=plain,sn=8",
	NULL,
};

static struct emu_proc emu;
static int q;

static void start_host(const char *const *argv)
{
	assert_int_equal(emu_start(&emu, argv), 0);
	q = qmp_open(emu.qmp_port);
	assert_true(q >= 0);
}

static int start(void **state)
{
	(void)state;
	start_host(host);
	return 0;
}

static int stop(void **state)
{
	(void)state;
	close(q);
	emu_stop(&emu);
	e2e_rmdir(emu.run_dir);
	return 0;
}

static struct json_object *ok(const char *cmd, const char *json)
{
	return e2e_qmp_ok(q, cmd, json);
}

static void err(const char *cmd, const char *json, const char *cls, const char *text)
{
	e2e_qmp_refused(q, cmd, json, cls, text);
}

/* The host agent's view: number of extents held (and offers waiting). */
static size_t held(size_t *offers)
{
	struct json_object *r = ok("x-cxl-host-agent", "{\"path\": \"dcd\"}"), *v;
	size_t n;

	assert_true(json_object_object_get_ex(r, "extents", &v));
	n = json_object_array_length(v);
	if (offers) {
		assert_true(json_object_object_get_ex(r, "offers", &v));
		*offers = json_object_array_length(v);
	}
	json_object_put(r);
	return n;
}

/*
 * One of the host agent's counters of device dev (x-cxl-host-agent
 * "stats", or its "events" per log when log is set).
 */
static uint64_t dev_stat(const char *dev, const char *log, const char *name)
{
	char args[128];
	struct json_object *r, *st, *v;
	uint64_t n;

	snprintf(args, sizeof(args), "{\"path\": \"%s\"}", dev);
	r = ok("x-cxl-host-agent", args);
	assert_true(json_object_object_get_ex(r, "stats", &st));
	if (log)
		assert_true(json_object_object_get_ex(st, "events", &st));
	assert_true(json_object_object_get_ex(st, log ? log : name, &v));
	n = json_object_get_uint64(v);
	json_object_put(r);
	return n;
}

static uint64_t ha_stat(const char *name)
{
	return dev_stat("dcd", NULL, name);
}

/* Poll a counter until it reaches want (the host agent runs on its own timer). */
static uint64_t wait_dev_stat(const char *dev, const char *log, const char *name,
			      uint64_t want)
{
	uint64_t n = 0;

	for (int i = 0; i < 1000 && (n = dev_stat(dev, log, name)) != want; i++)
		usleep(5000);
	return n;
}

static uint64_t wait_stat(const char *name, uint64_t want)
{
	return wait_dev_stat("dcd", NULL, name, want);
}

static size_t wait_held(size_t want)
{
	size_t n = 0;

	for (int i = 0; i < 200 && (n = held(NULL)) != want; i++)
		usleep(5000);
	return n;
}

static void test_add_release(void **state)
{
	(void)state;
	json_object_put(ok("cxl-add-dynamic-capacity",
	   "{\"path\": \"/machine/peripheral/dcd\", \"host-id\": 0, \"selection-policy\": "
	   "\"prescriptive\", \"region\": 0, \"tag\": \"4a8b1e2c-0000-4000-8000-000000000001\","
	   " \"extents\": [{\"offset\": 0, \"len\": 33554432}, {\"offset\": 67108864, "
	   "\"len\": 33554432}]}"));
	assert_int_equal(wait_held(2), 2);
	struct json_object *r = ok("x-cxl-host-agent", "{\"path\": \"dcd\", \"action\": \"verify\"}");
	json_object_put(r);
	json_object_put(ok("cxl-release-dynamic-capacity",
	   "{\"path\": \"dcd\", \"host-id\": 0, \"removal-policy\": \"prescriptive\", "
	   "\"region\": 0, \"extents\": [{\"offset\": 0, \"len\": 33554432}]}"));
	assert_int_equal(wait_held(1), 1);
	/* forced removal does not ask the host */
	json_object_put(ok("cxl-release-dynamic-capacity",
	   "{\"path\": \"dcd\", \"host-id\": 0, \"removal-policy\": \"prescriptive\", "
	   "\"forced-removal\": true, \"region\": 0, "
	   "\"extents\": [{\"offset\": 67108864, \"len\": 33554432}]}"));
	assert_int_equal(wait_held(0), 0);
}

/*
 * Releasing part of an extent leaves a piece whose start (or end) the host
 * never wrote its pattern at: the data did not change, so verify must still
 * pass (it failed with "Data check failed"; found by fuzz_qmp_cxl).
 */
static void test_partial_release_verify(void **state)
{
	uint64_t released = ha_stat("released");

	(void)state;
	json_object_put(ok("cxl-add-dynamic-capacity",
	   "{\"path\": \"dcd\", \"host-id\": 0, \"selection-policy\": \"prescriptive\", "
	   "\"region\": 0, \"extents\": [{\"offset\": 0, \"len\": 8388608}]}"));
	assert_int_equal(wait_held(1), 1);
	/* the head: the rest starts where no pattern was written */
	json_object_put(ok("cxl-release-dynamic-capacity",
	   "{\"path\": \"dcd\", \"host-id\": 0, \"removal-policy\": \"prescriptive\", "
	   "\"region\": 0, \"extents\": [{\"offset\": 0, \"len\": 2097152}]}"));
	assert_int_equal(wait_stat("released", released + 1), released + 1);
	assert_int_equal(held(NULL), 1);
	json_object_put(ok("x-cxl-host-agent", "{\"path\": \"dcd\", \"action\": \"verify\"}"));
	/* a forced release of the middle, which the host only hears of: a new
	 * end and a new start */
	json_object_put(ok("cxl-release-dynamic-capacity",
	   "{\"path\": \"dcd\", \"host-id\": 0, \"removal-policy\": \"prescriptive\", "
	   "\"forced-removal\": true, \"region\": 0, "
	   "\"extents\": [{\"offset\": 4194304, \"len\": 2097152}]}"));
	assert_int_equal(wait_stat("forced", 1), 1);
	assert_int_equal(held(NULL), 2);
	json_object_put(ok("x-cxl-host-agent", "{\"path\": \"dcd\", \"action\": \"verify\"}"));
}

static void test_dc_errors(void **state)
{
	(void)state;
	err("cxl-add-dynamic-capacity",
	    "{\"path\": \"nope\", \"host-id\": 0, \"selection-policy\": \"prescriptive\","
	    " \"region\": 0, \"extents\": [{\"offset\": 0, \"len\": 2097152}]}",
	    "GenericError", "Unable to resolve");
	err("cxl-add-dynamic-capacity",
	    "{\"path\": \"dcd\", \"host-id\": 0, \"selection-policy\": \"prescriptive\","
	    " \"region\": 0, \"extents\": []}", "GenericError", "No extents");
	err("cxl-add-dynamic-capacity",
	    "{\"path\": \"dcd\", \"host-id\": 0, \"selection-policy\": \"prescriptive\","
	    " \"region\": 0, \"tag\": \"not-a-uuid\", \"extents\": [{\"offset\": 0, "
	    "\"len\": 2097152}]}", "GenericError", "tag");
	err("cxl-add-dynamic-capacity",
	    "{\"path\": \"dcd\", \"host-id\": 0, \"selection-policy\": \"bogus\","
	    " \"region\": 0, \"extents\": [{\"offset\": 0, \"len\": 2097152}]}",
	    "GenericError", "selection-policy");
	err("cxl-add-dynamic-capacity",
	    "{\"path\": \"dcd\", \"host-id\": 0, \"selection-policy\": \"prescriptive\","
	    " \"region\": \"zero\", \"extents\": [{\"offset\": 0, \"len\": 2097152}]}",
	    "GenericError", "region");
	err("cxl-add-dynamic-capacity",
	    "{\"path\": \"dcd\", \"host-id\": 0, \"selection-policy\": \"prescriptive\","
	    " \"region\": 0}", "GenericError", "extents");
	/* unaligned to the 2 MiB block: the device refuses (QEMU's text) */
	err("cxl-add-dynamic-capacity",
	    "{\"path\": \"dcd\", \"host-id\": 0, \"selection-policy\": \"prescriptive\","
	    " \"region\": 0, \"extents\": [{\"offset\": 4096, \"len\": 2097152}]}",
	    "GenericError", "dpa or len is not aligned to region block size");
	/* nothing accepted: a release of it is refused */
	err("cxl-release-dynamic-capacity",
	    "{\"path\": \"dcd\", \"host-id\": 0, \"removal-policy\": \"prescriptive\","
	    " \"region\": 0, \"extents\": [{\"offset\": 0, \"len\": 2097152}]}",
	    "GenericError", "cannot release extent with non-existing DPA range");
	assert_int_equal(held(NULL), 0);
}

/* x-dc-extents-max=600: extents and tags supported, as the FM reads them. */
static void test_extents_max(void **state)
{
	uint8_t in[4] = { 0, 0, 2, 0 }, out[256];
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	size_t len;

	(void)state;
	assert_int_equal(cxlfm_open(emu_bus(&emu, "i2c0"), NULL, &ctx), 0);
	assert_int_equal(cxlfm_discover(ctx), 1);
	assert_int_equal(cxlfm_ep_by_addr(ctx, 0x06, &ep), 0);
	/* Get Host DC Region Configuration (5601h): 2 regions from 0, then limits */
	assert_int_equal(cxlfm_cmd(ep, NULL, 0x5601, in, sizeof(in), out, sizeof(out), &len), 0);
	assert_int_equal(out[3], 2);
	assert_int_equal(len, 4 + 2 * 40 + 16);
	assert_int_equal(le32_get(out + 84), 600);     /* extents supported */
	assert_int_equal(le32_get(out + 84 + 4), 600); /* available: none held */
	assert_int_equal(le32_get(out + 84 + 8), 600); /* tags supported */
	cxlfm_close(ctx);
}

static void test_inject(void **state)
{
	(void)state;
	struct json_object *r = ok("cxl-inject-general-media-event",
	   "{\"path\": \"dcd\", \"log\": \"informational\", \"flags\": 1, \"dpa\": 4096, "
	   "\"descriptor\": 3, \"type\": 3, \"transaction-type\": 192, \"channel\": 1, "
	   "\"rank\": 0, \"device\": 3, \"component-id\": \"iras mem\"}");
	json_object_put(r);
	err("cxl-inject-general-media-event",
	    "{\"path\": \"dcd\", \"log\": \"dyncap\", \"flags\": 1, \"dpa\": 4096, "
	    "\"descriptor\": 3, \"type\": 3, \"transaction-type\": 192}", "GenericError", "log");
	r = ok("cxl-inject-poison", "{\"path\": \"dcd\", \"start\": 2048, \"length\": 256}");
	json_object_put(r);
	err("cxl-inject-poison", "{\"path\": \"dcd\", \"start\": 2047, \"length\": 256}",
	    "GenericError", "Poison start address must be 64 byte aligned");
	err("cxl-inject-poison", "{\"path\": \"dcd\", \"start\": 2048}", "GenericError",
	    "length");
}

static void test_host_agent_policies(void **state)
{
	uint64_t declined, accepted = ha_stat("accepted");
	size_t offers;

	(void)state;
	/* reject: the host declines, nothing held */
	json_object_put(ok("x-cxl-host-agent",
			   "{\"path\": \"dcd\", \"action\": \"set\", \"policy\": \"reject\"}"));
	declined = ha_stat("declined");
	json_object_put(ok("cxl-add-dynamic-capacity",
	   "{\"path\": \"dcd\", \"host-id\": 0, \"selection-policy\": \"prescriptive\", "
	   "\"region\": 1, \"extents\": [{\"offset\": 0, \"len\": 4194304}]}"));
	/* the agent has answered the offer (declined it): only then is "nothing
	 * held, nothing waiting" a result */
	assert_int_equal(wait_stat("declined", declined + 1), declined + 1);
	assert_int_equal(held(&offers), 0);
	assert_int_equal(offers, 0);
	assert_int_equal(ha_stat("accepted"), accepted);

	/* manual: the offer waits; accept a part of it */
	json_object_put(ok("x-cxl-host-agent",
			   "{\"path\": \"dcd\", \"action\": \"set\", \"policy\": \"manual\"}"));
	json_object_put(ok("cxl-add-dynamic-capacity",
	   "{\"path\": \"dcd\", \"host-id\": 0, \"selection-policy\": \"prescriptive\", "
	   "\"region\": 0, \"extents\": [{\"offset\": 0, \"len\": 8388608}]}"));
	for (int i = 0; i < 200; i++) {
		held(&offers);
		if (offers)
			break;
		usleep(5000);
	}
	assert_int_equal(offers, 1);
	struct json_object *r = ok("x-cxl-host-agent", "{\"path\": \"dcd\"}"), *o, *e, *v;
	assert_true(json_object_object_get_ex(r, "offers", &o));
	e = json_object_array_get_idx(json_object_array_get_idx(o, 0), 0);
	assert_true(json_object_object_get_ex(e, "dpa", &v));
	uint64_t dpa = json_object_get_uint64(v);
	json_object_put(r);
	char args[256];
	snprintf(args, sizeof(args), "{\"path\": \"dcd\", \"action\": \"accept\", "
		 "\"extents\": [{\"dpa\": %llu, \"len\": 2097152}]}", (unsigned long long)dpa);
	json_object_put(ok("x-cxl-host-agent", args));
	assert_int_equal(held(&offers), 1);
	assert_int_equal(offers, 0);
	err("x-cxl-host-agent", "{\"path\": \"dcd\", \"action\": \"reject\"}", "GenericError",
	    "No capacity offer");
	err("x-cxl-host-agent", "{\"path\": \"nope\"}", "GenericError", "Unable to resolve");
	err("x-cxl-host-agent", "{\"path\": \"dcd\", \"policy\": \"sometimes\"}", "GenericError",
	    "policy");
}

/*
 * Issue #13: 64 connections that never negotiate used to fill the server,
 * and every later client (a forwarding FM host among them) was closed
 * without a word. Now the oldest idle one makes room.
 */
static void test_idle_clients_lock_nobody_out(void **state)
{
	int idle[QMP_IDLE], fresh;
	struct json_object *r;

	(void)state;
	for (int i = 0; i < QMP_IDLE; i++) {
		idle[i] = qmp_connect(emu.qmp_port); /* no qmp_capabilities */
		assert_true(idle[i] >= 0);
	}
	fresh = qmp_open(emu.qmp_port);
	assert_true(fresh >= 0);
	r = qmp_exec(fresh, "query-status", NULL);
	assert_non_null(r);
	assert_true(json_object_object_get_ex(r, "return", NULL));
	json_object_put(r);
	r = ok("query-status", NULL); /* the test's own client, negotiated, stays */
	json_object_put(r);
	close(fresh);
	for (int i = 0; i < QMP_IDLE; i++)
		close(idle[i]);
}

/* The host agent's error count (x-cxl-host-agent stats). */
static uint64_t ha_errors(void)
{
	struct json_object *r = ok("x-cxl-host-agent", "{\"path\": \"dcd\"}"), *st, *v;
	uint64_t n;

	assert_true(json_object_object_get_ex(r, "stats", &st));
	assert_true(json_object_object_get_ex(st, "errors", &v));
	n = json_object_get_uint64(v);
	json_object_put(r);
	return n;
}

static void add_2m(uint64_t offset)
{
	char args[256];

	snprintf(args, sizeof(args), "{\"path\": \"dcd\", \"host-id\": 0, \"selection-policy\":"
		 " \"prescriptive\", \"region\": 0, \"extents\": [{\"offset\": %llu, "
		 "\"len\": 2097152}]}", (unsigned long long)offset);
	json_object_put(ok("cxl-add-dynamic-capacity", args));
}

/*
 * Issue #13: the DC backing file is cut to nothing under the running host.
 * The host agent accepts capacity and writes its data pattern into pages
 * that no longer exist (SIGBUS): the write fails, the agent counts an
 * error, its data check reports the mismatch, the process keeps serving and
 * uses the file again once it has its size back.
 */
static void test_backing_file_truncated(void **state)
{
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/dc.raw", emu.run_dir);
	assert_int_equal(truncate(path, 0), 0);
	add_2m(0);
	assert_int_equal(wait_held(1), 1);
	assert_true(ha_errors() >= 2); /* first and last 64 bytes of the extent */
	err("x-cxl-host-agent", "{\"path\": \"dcd\", \"action\": \"verify\"}", "GenericError",
	    "Data check failed");
	assert_int_equal(truncate(path, 1024 * MiB), 0);
	uint64_t before = ha_errors();
	add_2m(2 * MiB);
	assert_int_equal(wait_held(2), 2);
	assert_int_equal(ha_errors(), before);
	assert_int_equal(emu_stop(&emu), 0); /* alive, and a clean exit */
}

/*
 * Issue #13 as reported: mem-path on a 1 MiB tmpfs that is full when the
 * host first touches capacity. Needs a private mount namespace (root or
 * CAP_SYS_ADMIN); skipped without one.
 */
static void test_backing_fs_full(void **state)
{
	struct e2e_argv a = { .n = 0 };
	char dir[256], path[300];
	static char zeros[65536];
	int fd;

	(void)state;
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		skip();
	e2e_mkdtemp(dir, sizeof(dir));
	if (mount("tmpfs", dir, "tmpfs", 0, "size=1m")) {
		e2e_rmdir(dir);
		skip();
	}
	for (const char *const *w = host; *w; w++) {
		if (strstr(*w, "mem-path="))
			e2e_argv_add(&a, "memory-backend-file,id=dc,share=on,mem-path=%s/dc.raw,"
				     "size=1G", dir);
		else
			e2e_argv_add(&a, "%s", *w);
	}
	start_host(a.v);
	/* fill the filesystem: the sparse backing file gets no page */
	snprintf(path, sizeof(path), "%s/filler", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	while (write(fd, zeros, sizeof(zeros)) > 0)
		;
	close(fd);
	add_2m(0);
	assert_int_equal(wait_held(1), 1);
	assert_true(ha_errors() >= 1);
	err("x-cxl-host-agent", "{\"path\": \"dcd\", \"action\": \"verify\"}", "GenericError",
	    "Data check failed");
	/* room again: the next capacity is written */
	assert_int_equal(unlink(path), 0);
	uint64_t before = ha_errors();
	add_2m(4 * MiB);
	assert_int_equal(wait_held(2), 2);
	assert_int_equal(ha_errors(), before);
	assert_int_equal(emu_stop(&emu), 0);
	close(q);
	e2e_rmdir(emu.run_dir);
	umount2(dir, MNT_DETACH);
	e2e_rmdir(dir);
}

/*
 * Issue #13: under a file size limit smaller than the backing file,
 * cxl-emu died of SIGXFSZ at start without a word. Now it refuses,
 * naming the backend, the file and the limit.
 */
static void test_file_size_limit(void **state)
{
	struct rlimit old, lim;
	char dir[256], out[4096];
	int rc;

	(void)state;
	e2e_mkdtemp(dir, sizeof(dir));
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 1 * MiB; /* ulimit -f 1024 */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	rc = emu_run_refused(dir, host, out, sizeof(out));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	if (rc != 1)
		fail_msg("exit %d, output: %s", rc, out);
	assert_non_null(strstr(out, "-object dc"));
	assert_non_null(strstr(out, "dc.raw"));
	assert_non_null(strstr(out, "file size limit"));
	e2e_rmdir(dir);
}

/*
 * A device without DC regions: its host agent answers like any other, with
 * nothing held (it used to answer every action with "Cannot read the
 * host's extent list", even a "set" it had carried out; found by
 * fuzz_qmp_cxl).
 */
static void test_host_agent_without_dc(void **state)
{
	struct json_object *r, *v;

	(void)state;
	r = ok("x-cxl-host-agent", "{\"path\": \"plain\"}");
	assert_true(json_object_object_get_ex(r, "extents", &v));
	assert_int_equal(json_object_array_length(v), 0);
	json_object_put(r);
	r = ok("x-cxl-host-agent", "{\"path\": \"plain\", \"action\": \"set\", "
	       "\"policy\": \"manual\"}");
	assert_true(json_object_object_get_ex(r, "policy", &v));
	assert_string_equal(json_object_get_string(v), "manual");
	json_object_put(r);
	json_object_put(ok("x-cxl-host-agent", "{\"path\": \"plain\", \"action\": \"verify\"}"));
	err("x-cxl-host-agent", "{\"path\": \"plain\", \"action\": \"accept\"}", "GenericError",
	    "No capacity offer is waiting");
}

/* ---- memory device commands, health, events and errors (issue #14) ---- */

/*
 * A device with volatile, persistent and LSA backends in memdir (which
 * outlives the processes: a restart finds them and the non-volatile state
 * file beside the LSA), and an MCTP endpoint for a BMC at 0x06.
 */
static char memdir[256];
static struct cxlfm_ctx *bmc;
static struct cxlfm_ep *mem_ep;

static void start_mem_host(void)
{
	static const char *const head[] = { "-machine", "q35,cxl=on", "-qmp", "@PORT", NULL };
	static const char *const tail[] = {
		"-device", "pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1",
		"-device", "cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2",
		"-device", "cxl-type3,bus=rp0,volatile-memdev=vm,persistent-memdev=pm,lsa=lsa,"
			   "id=mem0,sn=42",
		"-device", "i2c_mctp_cxl,bus=i2c0,address=6,target=mem0",
		NULL,
	};
	struct cxlfm_opts o = { .size = sizeof(o), .timeout_ms = 5000 };
	static struct e2e_argv a;

	memset(&a, 0, sizeof(a));
	e2e_argv_addv(&a, head);
	e2e_argv_add(&a, "-object");
	e2e_argv_add(&a, "memory-backend-file,id=vm,share=on,mem-path=%s/vm.raw,size=256M", memdir);
	e2e_argv_add(&a, "-object");
	e2e_argv_add(&a, "memory-backend-file,id=pm,share=on,mem-path=%s/pm.raw,size=512M", memdir);
	e2e_argv_add(&a, "-object");
	e2e_argv_add(&a, "memory-backend-file,id=lsa,share=on,mem-path=%s/lsa.raw,size=256K",
		     memdir);
	e2e_argv_addv(&a, tail);
	start_host(a.v);
	assert_int_equal(cxlfm_open(emu_bus(&emu, "i2c0"), &o, &bmc), 0);
	assert_int_equal(cxlfm_ep_by_addr(bmc, 0x06, &mem_ep), 0);
}

/* orderly: SIGTERM (the devices power off cleanly); else SIGKILL, a power loss. */
static void stop_mem_host(bool orderly)
{
	cxlfm_close(bmc);
	bmc = NULL;
	close(q);
	if (!orderly)
		kill(emu.pid, SIGKILL);
	emu_stop(&emu);
	e2e_rmdir(emu.run_dir);
}

static int start_mem(void **state)
{
	(void)state;
	e2e_mkdtemp(memdir, sizeof(memdir));
	start_mem_host();
	return 0;
}

static int stop_mem(void **state)
{
	(void)state;
	stop_mem_host(true);
	e2e_rmdir(memdir);
	return 0;
}

/* An integer member of a QMP answer. */
static int64_t member(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, name, &v))
		fail_msg("no '%s' in %s", name, json_object_to_json_string(o));
	return json_object_get_int64(v);
}

/* The dirty shutdown count the host agent read when it bound the device. */
static int64_t host_dirty_count(void)
{
	struct json_object *r = ok("x-cxl-host-agent", "{\"path\": \"mem0\"}");
	int64_t n = member(r, "dirty-shutdown-count");

	json_object_put(r);
	return n;
}

/*
 * What a BMC reads over MCTP from the FM-owned LD with libcxlfm's memdev
 * calls: identity, partition, health, the shutdown state the host armed,
 * alert configuration; and the answers to requests the device refuses.
 */
static void test_memdev_bmc(void **state)
{
	struct cxlfm_identify_memdev_rsp id;
	struct cxlfm_partition_info_rsp pi;
	struct cxlfm_health_info h;
	struct cxlfm_shutdown_state sd;
	struct cxlfm_alert_config ac;
	struct cxlfm_get_lsa_rsp *lsa = malloc(sizeof(*lsa));

	(void)state;
	assert_non_null(lsa);
	assert_int_equal(cxlfm_cmd_identify_memdev(mem_ep, NULL, &id), 0);
	assert_string_equal(id.fw_revision, "BWFW VERSION 00");
	assert_int_equal(id.total_capacity, 768 * MiB);
	assert_int_equal(id.volatile_only, 256 * MiB);
	assert_int_equal(id.persistent_only, 0);
	assert_int_equal(id.partition_align, 256 * MiB);
	assert_int_equal(id.lsa_size, 256 * 1024);
	assert_int_equal(id.event_log_size[1], 64);
	assert_int_equal(id.poison_list_max, 256);
	assert_int_equal(id.dc_event_log_size, 1024);
	assert_int_equal(cxlfm_cmd_get_partition_info(mem_ep, NULL, &pi), 0);
	assert_int_equal(pi.active_volatile, 256 * MiB);
	assert_int_equal(pi.active_persistent, 512 * MiB);
	assert_int_equal(pi.next_volatile, 0);
	assert_int_equal(cxlfm_cmd_get_health_info(mem_ep, NULL, &h), 0);
	assert_int_equal(h.temperature, 22);
	assert_int_equal(h.dirty_shutdown_count, 0);
	assert_int_equal(h.additional_status, 0);
	/* the host (Linux's cxl_pmem) armed dirty shutdown tracking when it bound it */
	assert_int_equal(cxlfm_cmd_get_shutdown_state(mem_ep, NULL, &sd), 0);
	assert_true(sd.dirty);
	assert_int_equal(host_dirty_count(), 0);
	assert_int_equal(cxlfm_cmd_get_alert_config(mem_ep, NULL, &ac), 0);
	assert_int_equal(ac.programmable_alerts, 0x1f);
	assert_int_equal(ac.valid_alerts, 0);
	assert_int_equal(ac.life_used_crit, 75);
	assert_int_equal(ac.over_temp_warn, 25);

	/* refused: by libcxlfm before sending, and by the device */
	assert_int_equal(cxlfm_cmd_set_partition_info(mem_ep, NULL,
		&(struct cxlfm_set_partition_info_req){ .volatile_bytes = 100 }), -EINVAL);
	assert_int_equal(cxlfm_cmd_set_partition_info(mem_ep, NULL,
		&(struct cxlfm_set_partition_info_req){ .volatile_bytes = 1024 * MiB }),
		CXLFM_RC_INVALID_INPUT);
	assert_int_equal(cxlfm_cmd_get_lsa(mem_ep, NULL,
		&(struct cxlfm_get_lsa_req){ .offset = 0, .length = 2049 }, lsa), -EINVAL);
	/* more than the MCTP CCI's 512-byte response limit */
	assert_int_equal(cxlfm_cmd_get_lsa(mem_ep, NULL,
		&(struct cxlfm_get_lsa_req){ .offset = 0, .length = 513 }, lsa),
		CXLFM_RC_INVALID_INPUT);
	assert_int_equal(cxlfm_cmd_get_lsa(mem_ep, NULL,
		&(struct cxlfm_get_lsa_req){ .offset = 256 * 1024 - 4, .length = 8 }, lsa),
		CXLFM_RC_INVALID_INPUT);
	assert_int_equal(cxlfm_cmd_set_alert_config(mem_ep, NULL,
		&(struct cxlfm_set_alert_config_req){ .valid = CXLFM_ALERT_LIFE_USED,
			.enable = CXLFM_ALERT_LIFE_USED, .life_used_warn = 80 }),
		CXLFM_RC_INVALID_INPUT);
	free(lsa);
}

/*
 * A BMC enables the over-temperature warning; QMP raises the temperature
 * past it, then past the critical threshold, then back: each crossing is a
 * Memory Module Event in the Warning, Failure and Informational log, which
 * the host agent reads and clears; Get Health Info over MCTP shows it.
 */
static void test_health_alert_event(void **state)
{
	struct cxlfm_health_info h;
	struct json_object *r;

	(void)state;
	assert_int_equal(cxlfm_cmd_set_alert_config(mem_ep, NULL,
		&(struct cxlfm_set_alert_config_req){ .valid = CXLFM_ALERT_OVER_TEMP,
			.enable = CXLFM_ALERT_OVER_TEMP, .over_temp_warn = 30 }), 0);
	r = ok("x-cxl-health", "{\"path\": \"mem0\", \"temperature\": 31}");
	assert_int_equal(member(r, "additional-status"), 0x04);
	assert_int_equal(member(r, "temperature"), 31);
	json_object_put(r);
	assert_int_equal(wait_dev_stat("mem0", "warning", NULL, 1), 1);
	assert_int_equal(cxlfm_cmd_get_health_info(mem_ep, NULL, &h), 0);
	assert_int_equal(CXLFM_HEALTH_TEMPERATURE(h.additional_status), 1);
	assert_int_equal(h.temperature, 31);
	json_object_put(ok("x-cxl-health", "{\"path\": \"mem0\", \"temperature\": 36}"));
	assert_int_equal(wait_dev_stat("mem0", "failure", NULL, 1), 1);
	json_object_put(ok("x-cxl-health", "{\"path\": \"/machine/peripheral/mem0\", "
			   "\"temperature\": 22, \"life-used\": 10}"));
	assert_int_equal(wait_dev_stat("mem0", "informational", NULL, 1), 1);
	assert_int_equal(dev_stat("mem0", "warning", NULL), 1);
	assert_int_equal(dev_stat("mem0", NULL, "errors"), 0);
	assert_int_equal(cxlfm_cmd_get_health_info(mem_ep, NULL, &h), 0);
	assert_int_equal(h.additional_status, 0);
	assert_int_equal(h.life_used, 10);
	err("x-cxl-health", "{\"path\": \"mem0\", \"media-status\": 10}", "GenericError",
	    "media-status");
	err("x-cxl-health", "{\"path\": \"mem0\", \"temperature\": 40000}", "GenericError",
	    "temperature");
	err("x-cxl-health", "{\"path\": \"nope\"}", "GenericError", "Unable to resolve");
}

/*
 * QEMU's injection commands land in the log they name (the host agent, which
 * reads every log on the device's signal, counts them there), and the RAS
 * errors reach the host's error handler, which clears them.
 */
static void test_inject_events_ras(void **state)
{
	(void)state;
	json_object_put(ok("cxl-inject-dram-event",
	   "{\"path\": \"mem0\", \"log\": \"warning\", \"flags\": 1, \"dpa\": 4096, "
	   "\"descriptor\": 1, \"type\": 2, \"transaction-type\": 3, \"channel\": 1, "
	   "\"nibble-mask\": 291, \"correction-mask\": [1, 2, 3, 4, 5]}"));
	json_object_put(ok("cxl-inject-memory-module-event",
	   "{\"path\": \"mem0\", \"log\": \"fatal\", \"flags\": 3, \"type\": 3, "
	   "\"health-status\": 4, \"media-status\": 0, \"additional-status\": 8, "
	   "\"life-used\": 50, \"temperature\": -3, \"dirty-shutdown-count\": 1, "
	   "\"corrected-volatile-error-count\": 2, "
	   "\"corrected-persistent-error-count\": 3}"));
	json_object_put(ok("cxl-inject-general-media-event",
	   "{\"path\": \"mem0\", \"log\": \"failure\", \"flags\": 2, \"dpa\": 4096, "
	   "\"descriptor\": 3, \"type\": 3, \"transaction-type\": 192}"));
	assert_int_equal(wait_dev_stat("mem0", "warning", NULL, 1), 1);
	assert_int_equal(wait_dev_stat("mem0", "fatal", NULL, 1), 1);
	assert_int_equal(wait_dev_stat("mem0", "failure", NULL, 1), 1);
	assert_int_equal(dev_stat("mem0", "informational", NULL), 0);
	json_object_put(ok("cxl-inject-uncorrectable-errors",
	   "{\"path\": \"mem0\", \"errors\": [{\"type\": \"mem-data-ecc\", "
	   "\"header\": [1, 2]}, {\"type\": \"internal\", \"header\": []}]}"));
	assert_int_equal(wait_dev_stat("mem0", NULL, "uncorrectable-errors", 2), 2);
	json_object_put(ok("cxl-inject-correctable-error",
			   "{\"path\": \"mem0\", \"type\": \"physical\"}"));
	assert_int_equal(wait_dev_stat("mem0", NULL, "correctable-errors", 1), 1);
	/* the device's own health is not what an injected record says */
	assert_int_equal(dev_stat("mem0", NULL, "errors"), 0);

	err("cxl-inject-dram-event",
	    "{\"path\": \"mem0\", \"log\": \"dyncap\", \"flags\": 1, \"dpa\": 0, "
	    "\"descriptor\": 0, \"type\": 0, \"transaction-type\": 0}", "GenericError",
	    "Unhandled error log type");
	err("cxl-inject-uncorrectable-errors",
	    "{\"path\": \"mem0\", \"errors\": [{\"type\": \"internal\", \"header\": "
	    "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}]}", "GenericError",
	    "Header must be 16 DWORD or less");
	err("cxl-inject-uncorrectable-errors",
	    "{\"path\": \"mem0\", \"errors\": [{\"type\": \"bogus\", \"header\": []}]}",
	    "GenericError", "type");
	err("cxl-inject-correctable-error", "{\"path\": \"mem0\", \"type\": \"bogus\"}",
	    "GenericError", "type");
	err("cxl-inject-memory-module-event", "{\"path\": \"nope\", \"log\": \"fatal\", "
	    "\"flags\": 3, \"type\": 3, \"health-status\": 4, \"media-status\": 0, "
	    "\"additional-status\": 8, \"life-used\": 50, \"temperature\": -3, "
	    "\"dirty-shutdown-count\": 1, \"corrected-volatile-error-count\": 2, "
	    "\"corrected-persistent-error-count\": 3}", "GenericError", "Unable to resolve");
	assert_int_equal(dev_stat("mem0", NULL, "uncorrectable-errors"), 2);
}

/*
 * What a device keeps across a restart: the LSA (its backend file), a
 * pending partition (active now), and the dirty shutdown count, which a
 * power loss while the host had armed the shutdown state raised and an
 * orderly stop does not.
 */
static void test_memdev_restart(void **state)
{
	struct cxlfm_get_lsa_rsp *lsa = malloc(sizeof(*lsa));
	struct cxlfm_partition_info_rsp pi;
	struct cxlfm_health_info h;

	(void)state;
	assert_non_null(lsa);
	assert_int_equal(cxlfm_cmd_set_lsa(mem_ep, NULL, &(struct cxlfm_set_lsa_req){
		.offset = 100, .length = 7, .data = "persist" }), 0);
	assert_int_equal(cxlfm_cmd_set_partition_info(mem_ep, NULL,
		&(struct cxlfm_set_partition_info_req){ .volatile_bytes = 256 * MiB }), 0);
	assert_int_equal(cxlfm_cmd_get_partition_info(mem_ep, NULL, &pi), 0);
	assert_int_equal(pi.next_volatile, 512 * MiB);
	assert_int_equal(pi.next_persistent, 256 * MiB);

	stop_mem_host(false); /* power lost while the host had it armed */
	start_mem_host();
	assert_int_equal(host_dirty_count(), 1);
	assert_int_equal(cxlfm_cmd_get_health_info(mem_ep, NULL, &h), 0);
	assert_int_equal(h.dirty_shutdown_count, 1);
	assert_int_equal(cxlfm_cmd_get_lsa(mem_ep, NULL,
		&(struct cxlfm_get_lsa_req){ .offset = 100, .length = 7 }, lsa), 0);
	assert_int_equal(lsa->length, 7);
	assert_memory_equal(lsa->data, "persist", 7);
	assert_int_equal(cxlfm_cmd_get_partition_info(mem_ep, NULL, &pi), 0);
	assert_int_equal(pi.active_volatile, 512 * MiB);
	assert_int_equal(pi.active_persistent, 256 * MiB);
	assert_int_equal(pi.next_volatile, 0);

	stop_mem_host(true); /* orderly */
	start_mem_host();
	assert_int_equal(host_dirty_count(), 1);
	assert_int_equal(cxlfm_cmd_get_lsa(mem_ep, NULL,
		&(struct cxlfm_get_lsa_req){ .offset = 100, .length = 7 }, lsa), 0);
	assert_memory_equal(lsa->data, "persist", 7);
	free(lsa);
}

/* Two instances, no --run-dir: each gets its own directory and bus socket. */
static void test_default_run_dirs(void **state)
{
	struct emu_proc a, b;

	(void)state;
	assert_int_equal(emu_start_xdg(&a, host, true), 0);
	assert_int_equal(emu_start_xdg(&b, host, true), 0);
	assert_non_null(emu_bus(&a, "i2c0"));
	assert_non_null(emu_bus(&b, "i2c0"));
	assert_string_not_equal(emu_bus(&a, "i2c0"), emu_bus(&b, "i2c0"));
	assert_non_null(strstr(emu_bus(&a, "i2c0"), "/cxl-emu/"));
	assert_int_equal(access(emu_bus(&a, "i2c0"), F_OK), 0);
	assert_int_equal(emu_stop(&a), 0);
	assert_int_equal(emu_stop(&b), 0);
	e2e_rmdir(a.run_dir);
	e2e_rmdir(b.run_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_release, start, stop),
		cmocka_unit_test_setup_teardown(test_partial_release_verify, start, stop),
		cmocka_unit_test_setup_teardown(test_dc_errors, start, stop),
		cmocka_unit_test_setup_teardown(test_extents_max, start, stop),
		cmocka_unit_test_setup_teardown(test_inject, start, stop),
		cmocka_unit_test_setup_teardown(test_host_agent_policies, start, stop),
		cmocka_unit_test_setup_teardown(test_idle_clients_lock_nobody_out, start, stop),
		cmocka_unit_test_setup_teardown(test_host_agent_without_dc, start, stop),
		cmocka_unit_test(test_default_run_dirs),
		cmocka_unit_test_setup_teardown(test_backing_file_truncated, start, stop),
		cmocka_unit_test(test_backing_fs_full),
		cmocka_unit_test(test_file_size_limit),
		cmocka_unit_test_setup_teardown(test_memdev_bmc, start_mem, stop_mem),
		cmocka_unit_test_setup_teardown(test_health_alert_event, start_mem, stop_mem),
		cmocka_unit_test_setup_teardown(test_inject_events_ras, start_mem, stop_mem),
		cmocka_unit_test_setup_teardown(test_memdev_restart, start_mem, stop_mem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
