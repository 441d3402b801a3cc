/* SPDX-License-Identifier: MIT */
/*
 * THEORY OF OPERATION: the CXL QMP commands of cxl-emu over a real TCP
 * socket, by QEMU's names and arguments: DC add and release (QEMU's
 * semantics: offsets from the region base, prescriptive), event and poison
 * injection, and x-cxl-host-agent's policies (accept, reject, manual with a
 * subset accepted, data verification). Each error is checked by class and
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
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "e2e.h"
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

/* Run cmd with args given as JSON text; returns the reply. */
static struct json_object *run(const char *cmd, const char *json)
{
	struct json_object *r = qmp_exec(q, cmd, json ? json_tokener_parse(json) : NULL);

	assert_non_null(r);
	return r;
}

static struct json_object *ok(const char *cmd, const char *json)
{
	struct json_object *r = run(cmd, json), *ret;

	if (!json_object_object_get_ex(r, "return", &ret))
		fail_msg("%s %s: %s", cmd, json ? json : "", json_object_to_json_string(r));
	json_object_get(ret);
	json_object_put(r);
	return ret;
}

/* The reply is an error of class cls whose description contains text. */
static void err(const char *cmd, const char *json, const char *cls, const char *text)
{
	struct json_object *r, *e, *v;

	assert_true(text[0]); /* "" would match any description */
	r = run(cmd, json);

	if (!json_object_object_get_ex(r, "error", &e))
		fail_msg("%s %s: expected an error, got %s", cmd, json,
			 json_object_to_json_string(r));
	assert_true(json_object_object_get_ex(e, "class", &v));
	assert_string_equal(json_object_get_string(v), cls);
	assert_true(json_object_object_get_ex(e, "desc", &v));
	if (!strstr(json_object_get_string(v), text))
		fail_msg("%s: desc '%s' lacks '%s'", cmd, json_object_get_string(v), text);
	json_object_put(r);
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

/* One of the host agent's counters (x-cxl-host-agent "stats"). */
static uint64_t ha_stat(const char *name)
{
	struct json_object *r = ok("x-cxl-host-agent", "{\"path\": \"dcd\"}"), *st, *v;
	uint64_t n;

	assert_true(json_object_object_get_ex(r, "stats", &st));
	assert_true(json_object_object_get_ex(st, name, &v));
	n = json_object_get_uint64(v);
	json_object_put(r);
	return n;
}

static uint64_t wait_stat(const char *name, uint64_t want)
{
	uint64_t n = 0;

	for (int i = 0; i < 200 && (n = ha_stat(name)) != want; i++)
		usleep(5000);
	return n;
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
