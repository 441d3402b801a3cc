/* SPDX-License-Identifier: MIT */
/*
 * THEORY OF OPERATION: QEMU's options for how a machine runs, as cxl-emu
 * does them:
 *  - -readconfig of examples/rfc-target-host.cfg (paths and ports moved
 *    into the test's directory) gives the same x-cxl-topology as the RFC
 *    target host's command line (examples/rfc-target-host.sh); so does
 *    -readconfig of what -writeconfig wrote for that command line;
 *  - -S: the machine starts stopped; its host agent (the guest OS) leaves
 *    capacity offered meanwhile until cont; stop pauses it again;
 *  - -daemonize -pidfile: the command returns 0 once the host is ready,
 *    the pid file names the running daemon, QMP serves, quit ends it and
 *    removes the pid file; a daemon that fails to start makes the command
 *    exit 1, with the reason on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "e2e.h"

#ifndef EXAMPLES_DIR
#define EXAMPLES_DIR "examples"
#endif
#ifndef CXL_EMU_PATH
#define CXL_EMU_PATH "cxl-emu"
#endif

/* x-cxl-topology of a running instance, without its run directory. */
static char *topology(const struct emu_proc *p)
{
	int q = qmp_open(p->qmp_port);
	struct json_object *r, *ret;
	char *s;

	assert_true(q >= 0);
	r = qmp_exec(q, "x-cxl-topology", NULL);
	assert_true(json_object_object_get_ex(r, "return", &ret));
	json_object_object_del(ret, "run-dir");
	s = strdup(json_object_to_json_string(ret));
	json_object_put(r);
	close(q);
	return s;
}

/* Copy a file, replacing each "from" with "to" (pairs, NULL-ended). */
static void copy_edited(const char *src, const char *dst, const char *const *subst)
{
	FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
	char line[1024];

	assert_non_null(in);
	assert_non_null(out);
	while (fgets(line, sizeof(line), in)) {
		char buf[2048];

		snprintf(buf, sizeof(buf), "%s", line);
		for (const char *const *s = subst; s[0]; s += 2) {
			char *at = strstr(buf, s[0]), tmp[2048];

			if (!at)
				continue;
			snprintf(tmp, sizeof(tmp), "%.*s%s%s", (int)(at - buf), buf, s[1],
				 at + strlen(s[0]));
			snprintf(buf, sizeof(buf), "%s", tmp);
		}
		fputs(buf, out);
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/* The topology of an instance started from a config file alone. */
static char *readconfig_topology(const char *file)
{
	const char *const argv[] = { "-readconfig", file, NULL };
	struct emu_proc p;
	char *t;

	assert_int_equal(emu_start(&p, argv), 0);
	t = topology(&p);
	assert_int_equal(emu_stop(&p), 0);
	e2e_rmdir(p.run_dir);
	return t;
}

static void test_readconfig_same_topology(void **state)
{
	char dir[256], cfg[400], wcfg[400], buf_name[64], mem[400], lsa[400], dcd[300];
	char from_cmd_line[64], *t1, *t2, *t3;
	struct emu_proc a;

	(void)state;
	e2e_mkdtemp(dir, sizeof(dir));
	snprintf(buf_name, sizeof(buf_name), "/cxlfm-e2e-rc-%ld", (long)getpid());
	snprintf(mem, sizeof(mem), "memory-backend-file,id=cxl-mem2,mem-path=%s/t3_cxl2.raw,"
		 "size=4G,share=on", dir);
	snprintf(lsa, sizeof(lsa), "memory-backend-file,id=cxl-lsa2,mem-path=%s/t3_lsa2.raw,"
		 "size=512M,share=on", dir);
	snprintf(dcd, sizeof(dcd), "cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,"
		 "id=cxl-dcd0,lsa=cxl-lsa2,num-dc-regions=2,sn=99,allow-fm-attach=on,"
		 "mctp-buf-init=on,mctp-buf-name=%s", buf_name);
	snprintf(wcfg, sizeof(wcfg), "%s/written.cfg", dir);
	/* examples/rfc-target-host.sh's CXL part, QMP on an ephemeral port */
	{
		const char *const argv[] = {
			"-machine", "q35,cxl=on", "-qmp", "@PORT", "-object", mem, "-object", lsa,
			"-device", "pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1",
			"-device", "cxl-rp,port=0,bus=cxl.1,id=cxl_rp_port0,chassis=0,slot=2",
			"-device", "cxl-upstream,port=2,sn=1234,bus=cxl_rp_port0,id=us0,addr=0.0,"
				   "multifunction=on",
			"-device", "cxl-switch-mailbox-cci,bus=cxl_rp_port0,addr=0.1,target=us0",
			"-device", "cxl-downstream,port=0,bus=us0,id=swport0,chassis=0,slot=4",
			"-device", "cxl-downstream,port=1,bus=us0,id=swport1,chassis=0,slot=5",
			"-device", "cxl-downstream,port=3,bus=us0,id=swport2,chassis=0,slot=6",
			"-device", dcd,
			"-device", "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0",
			"-device", "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0",
			"-M", "cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,"
			      "cxl-fmw.0.interleave-granularity=1k",
			"-writeconfig", wcfg,
			NULL,
		};

		assert_int_equal(emu_start(&a, argv), 0);
	}
	t1 = topology(&a);
	assert_int_equal(emu_stop(&a), 0);
	e2e_rmdir(a.run_dir);

	/* the example file, moved to this test's directory and ports */
	snprintf(cfg, sizeof(cfg), "%s/rfc-target-host.cfg", dir);
	snprintf(from_cmd_line, sizeof(from_cmd_line), "%s", "  mctp-buf-init = \"on\"\n");
	{
		char init_and_name[256];
		const char *const subst[] = {
			"/tmp/host", dir, "\"localhost\"", "\"127.0.0.1\"", "\"4445\"", "\"0\"",
			from_cmd_line, init_and_name, NULL,
		};

		snprintf(init_and_name, sizeof(init_and_name), "%s  mctp-buf-name = \"%s\"\n",
			 from_cmd_line, buf_name);
		copy_edited(EXAMPLES_DIR "/rfc-target-host.cfg", cfg, subst);
	}
	t2 = readconfig_topology(cfg);
	assert_string_equal(t1, t2);
	/* what -writeconfig wrote for the command line reads back the same */
	t3 = readconfig_topology(wcfg);
	assert_string_equal(t1, t3);
	free(t1);
	free(t2);
	free(t3);
	e2e_rmdir(dir);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *const small_host[] = {
	"-machine", "q35,cxl=on", "-object", "memory-backend-ram,id=m,size=256M",
	"-device", "pxb-cxl,bus_nr=12,id=cxl.1", "-device", "cxl-rp,bus=cxl.1,id=rp0",
	"-device", "cxl-type3,bus=rp0,volatile-memdev=m,id=t3",
};

/* small_host, QMP on an ephemeral port, then extra words (NULL-ended). */
static void start_small(struct emu_proc *p, const char *const *extra)
{
	const char *argv[32];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(small_host) / sizeof(small_host[0]); i++)
		argv[n++] = small_host[i];
	argv[n++] = "-qmp";
	argv[n++] = "@PORT";
	while (*extra)
		argv[n++] = *extra++;
	argv[n] = NULL;
	assert_int_equal(emu_start(p, argv), 0);
}

/* What test_daemonize_pidfile started, for its teardown to kill if it failed midway. */
static pid_t started_pid, daemon_pid;

static int daemonize_teardown(void **state)
{
	(void)state;
	if (started_pid > 0 && !kill(started_pid, SIGKILL))
		waitpid(started_pid, NULL, 0);
	if (daemon_pid > 0)
		kill(daemon_pid, SIGKILL);
	started_pid = daemon_pid = 0;
	return 0;
}

static void test_daemonize_pidfile(void **state)
{
	char pidfile[300], line[32], cmd[1024];
	struct emu_proc p;
	struct json_object *r;
	long deadline;
	FILE *f;
	int q, st = -1;

	(void)state;
	start_small(&p, (const char *const[]){ "-daemonize", "-pidfile", "@RUN/cxl-emu-test.pid",
					       NULL });
	started_pid = p.pid;
	/* the command itself is done, and done well: it exits on its own once the
	 * daemon is ready (a SIGTERM now could reach it before its exit) */
	for (deadline = now_ms() + 5000; waitpid(p.pid, &st, WNOHANG) == 0 &&
					 now_ms() < deadline;)
		usleep(1000);
	assert_true(WIFEXITED(st));
	started_pid = 0; /* reaped */
	assert_int_equal(WEXITSTATUS(st), 0);
	close(p.out_fd);
	snprintf(pidfile, sizeof(pidfile), "%s/cxl-emu-test.pid", p.run_dir);
	f = fopen(pidfile, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	daemon_pid = (pid_t)atol(line);
	assert_true(daemon_pid > 0);
	assert_int_equal(kill(daemon_pid, 0), 0);
	q = qmp_open(p.qmp_port);
	assert_true(q >= 0);
	r = qmp_exec(q, "quit", NULL);
	assert_true(json_object_object_get_ex(r, "return", NULL));
	json_object_put(r);
	close(q);
	for (deadline = now_ms() + 5000; kill(daemon_pid, 0) == 0 && now_ms() < deadline;)
		usleep(2000);
	assert_int_not_equal(kill(daemon_pid, 0), 0);
	daemon_pid = 0;
	assert_int_equal(access(pidfile, F_OK), -1);
	e2e_rmdir(p.run_dir);

	/* a daemon that cannot start: the port is taken by a running instance */
	start_small(&p, (const char *const[]){ NULL });
	started_pid = p.pid;
	snprintf(cmd, sizeof(cmd), "%s -machine q35,cxl=on -device pxb-cxl,id=h "
		 "-qmp tcp:127.0.0.1:%d,server=on,wait=off -daemonize --run-dir %s/d "
		 "2>%s/err", getenv("CXL_EMU") ? getenv("CXL_EMU") : CXL_EMU_PATH, p.qmp_port,
		 p.run_dir, p.run_dir);
	st = system(cmd);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
	snprintf(cmd, sizeof(cmd), "grep -q 'cannot listen on tcp:127.0.0.1:%d' %s/err",
		 p.qmp_port, p.run_dir);
	assert_int_equal(system(cmd), 0);
	started_pid = 0;
	assert_int_equal(emu_stop(&p), 0);
	e2e_rmdir(p.run_dir);
}

/* Held extents the host agent lists for device "dcd". */
static size_t held(int q)
{
	struct json_object *r = qmp_exec(q, "x-cxl-host-agent",
					 json_tokener_parse("{\"path\": \"dcd\"}"));
	struct json_object *ret, *v;
	size_t n;

	assert_true(json_object_object_get_ex(r, "return", &ret));
	assert_true(json_object_object_get_ex(ret, "extents", &v));
	n = json_object_array_length(v);
	json_object_put(r);
	return n;
}

static void expect_status(int q, const char *status, bool running)
{
	struct json_object *r = qmp_exec(q, "query-status", NULL), *ret;

	assert_true(json_object_object_get_ex(r, "return", &ret));
	assert_string_equal(json_object_get_string(json_object_object_get(ret, "status")), status);
	assert_int_equal(json_object_get_boolean(json_object_object_get(ret, "running")), running);
	json_object_put(r);
}

static void reply_ok(int q, const char *cmd, const char *json)
{
	struct json_object *r = qmp_exec(q, cmd, json ? json_tokener_parse(json) : NULL);

	if (!json_object_object_get_ex(r, "return", NULL))
		fail_msg("%s: %s", cmd, json_object_to_json_string(r));
	json_object_put(r);
}

/*
 * -S: the machine starts stopped ("prelaunch"); capacity offered meanwhile
 * waits, as it would for a guest OS that has not run, until cont (RESUME);
 * stop pauses it again (STOP).
 */
static void test_prelaunch_and_cont(void **state)
{
	static const char *const argv[] = {
		"-machine", "q35,cxl=on", "-S", "-qmp", "@PORT",
		"-object", "memory-backend-file,id=dc,share=on,mem-path=@RUN/dc.raw,size=512M",
		"-device", "pxb-cxl,bus_nr=12,id=cxl.1", "-device", "cxl-rp,bus=cxl.1,id=rp0",
		"-device", "cxl-type3,bus=rp0,volatile-dc-memdev=dc,id=dcd,num-dc-regions=1,sn=5",
		NULL,
	};
	struct json_object *ev;
	struct emu_proc p;
	int q;

	(void)state;
	assert_int_equal(emu_start(&p, argv), 0);
	q = qmp_open(p.qmp_port);
	assert_true(q >= 0);
	expect_status(q, "prelaunch", false);
	reply_ok(q, "cxl-add-dynamic-capacity", "{\"path\": \"dcd\", \"host-id\": 0, "
		 "\"selection-policy\": \"prescriptive\", \"region\": 0, "
		 "\"extents\": [{\"offset\": 0, \"len\": 2097152}]}");
	/* A running agent (delay 0) drains the log on the loop's next turn,
	 * before this next command is read: a stopped one holds nothing. */
	assert_int_equal(held(q), 0);
	reply_ok(q, "cont", NULL);
	ev = qmp_wait_event(q, "RESUME", 5000);
	assert_non_null(ev);
	json_object_put(ev);
	ev = qmp_wait_event(q, "X_CXL_DC_CHANGE", 5000);
	assert_non_null(ev);
	json_object_put(ev);
	assert_int_equal(held(q), 1);
	expect_status(q, "running", true);
	reply_ok(q, "stop", NULL);
	ev = qmp_wait_event(q, "STOP", 5000);
	assert_non_null(ev);
	json_object_put(ev);
	expect_status(q, "paused", false);
	close(q);
	assert_int_equal(emu_stop(&p), 0);
	e2e_rmdir(p.run_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readconfig_same_topology),
		cmocka_unit_test_teardown(test_daemonize_pidfile, daemonize_teardown),
		cmocka_unit_test(test_prelaunch_and_cont),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
