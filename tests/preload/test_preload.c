/* SPDX-License-Identifier: MIT */
/*
 * THEORY OF OPERATION: unmodified AF_MCTP programs against real cxl-emu
 * processes through libcxlfm-mctp-preload.so. The programs (mctp_client:
 * an FM client in libcxlmi's manner; mctp_syscalls: every socket call path)
 * know nothing of libcxlfm; this driver starts cxl-emu with the QEMU
 * FM-emulation RFC's target topology and runs them with LD_PRELOAD and
 * CXLFM_BUS, with the shim's EIDs found by discovery (0x04 -> 10,
 * 0x06 -> 11), pinned by CXLFM_EIDS, or with the bus found by itself; then
 * across the RFC's two hosts, the FM host forwarding both endpoints to the
 * target. mctp_syscalls also runs linked with the shim's code instead of
 * preloading it (the sanitizer builds use that variant).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "../e2e/e2e.h"

#define RUN_TIMEOUT_S 60
#define BUS "aspeed.i2c.bus.0"

/*
 * The RFC's target host (and, with fwd_port, its FM host forwarding both
 * endpoints there). buf: the shared-buffer name of the pair, or NULL.
 */
static int start_host(struct emu_proc *p, const char *buf, bool init_buf, int fwd_port,
		      bool default_run_dir)
{
	static const char *const rfc[] = { E2E_RFC_SWITCH, NULL };
	struct e2e_argv a = { .n = 0 };
	char bufopt[128] = "", fwd[96] = "";

	e2e_argv_addv(&a, rfc);
	if (buf)
		snprintf(bufopt, sizeof(bufopt), ",mctp-buf-name=%s%s", buf,
			 init_buf ? ",mctp-buf-init=on" : "");
	if (fwd_port)
		snprintf(fwd, sizeof(fwd), ",mctp-msg-forward=on,qmp=127.0.0.1:%d", fwd_port);
	e2e_argv_add(&a, "-device");
	e2e_argv_add(&a, "cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,"
		     "lsa=cxl-lsa2,num-dc-regions=2,sn=99,allow-fm-attach=on%s", bufopt);
	e2e_argv_add(&a, "-device");
	e2e_argv_add(&a, "i2c_mctp_cxl,bus=" BUS ",address=4,target=us0%s", fwd);
	e2e_argv_add(&a, "-device");
	e2e_argv_add(&a, "i2c_mctp_cxl,bus=" BUS ",address=6,target=cxl-dcd0%s", fwd);
	e2e_argv_add(&a, "-qmp");
	e2e_argv_add(&a, "@PORT");
	return emu_start_xdg(p, a.v, default_run_dir);
}

static struct emu_proc emu, tgt;
static char bufname[64];

static int setup(void **state)
{
	(void)state;
	memset(&emu, 0, sizeof(emu));
	memset(&tgt, 0, sizeof(tgt));
	snprintf(bufname, sizeof(bufname), "/cxlfm-preload-%d", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (emu.pid)
		emu_stop(&emu);
	if (tgt.pid)
		emu_stop(&tgt);
	if (emu.run_dir[0])
		e2e_rmdir(emu.run_dir);
	if (tgt.run_dir[0])
		e2e_rmdir(tgt.run_dir);
	shm_unlink(bufname);
	return 0;
}

static const char *need(const char *var)
{
	const char *v = getenv(var);

	if (!v)
		fail_msg("%s not set (run through meson test)", var);
	return v;
}

static int run(const char *const *argv, const char *const *env)
{
	return e2e_run(argv, env, RUN_TIMEOUT_S);
}

static char env_preload[600], env_bus[600], env_xdg[600];

static const char *preload_env(void)
{
	snprintf(env_preload, sizeof(env_preload), "LD_PRELOAD=%s", need("PRELOAD_SO"));
	return env_preload;
}

static const char *bus_env(const struct emu_proc *p)
{
	snprintf(env_bus, sizeof(env_bus), "CXLFM_BUS=%s", emu_bus(p, BUS));
	return env_bus;
}

static void test_client_discovered(void **state)
{
	const char *argv[] = { need("MCTP_CLIENT"), "10", "11", NULL };

	(void)state;
	assert_int_equal(start_host(&emu, NULL, false, 0, false), 0);
	const char *env[] = { preload_env(), bus_env(&emu), "-CXLFM_EIDS", NULL };
	assert_int_equal(run(argv, env), 0);
	/* network 0 (any) reaches the same endpoints */
	const char *argv0[] = { need("MCTP_CLIENT"), "10", "11", "0", NULL };
	assert_int_equal(run(argv0, env), 0);
}

static void test_client_pinned(void **state)
{
	const char *argv[] = { need("MCTP_CLIENT"), "8", "9", NULL };

	(void)state;
	assert_int_equal(start_host(&emu, NULL, false, 0, false), 0);
	const char *env[] = { preload_env(), bus_env(&emu), "CXLFM_EIDS=8:0x04,9:0x06", NULL };
	assert_int_equal(run(argv, env), 0);
	/* the discovered EIDs are not there now */
	const char *argv2[] = { need("MCTP_CLIENT"), "10", "11", NULL };
	assert_int_equal(run(argv2, env), 1);
}

/* No CXLFM_BUS: the one cxl-emu under $XDG_RUNTIME_DIR/cxl-emu/ is found. */
static void test_client_bus_found(void **state)
{
	const char *argv[] = { need("MCTP_CLIENT"), "10", "11", NULL };

	(void)state;
	assert_int_equal(start_host(&emu, NULL, false, 0, true), 0);
	snprintf(env_xdg, sizeof(env_xdg), "XDG_RUNTIME_DIR=%s", emu.run_dir);
	const char *env[] = { preload_env(), "-CXLFM_BUS", "-CXLFM_EIDS", env_xdg, NULL };
	assert_int_equal(run(argv, env), 0);
}

/* What host p's OS (its host agent) saw of cxl-dcd0's dynamic capacity. */
static uint64_t host_stat(const struct emu_proc *p, const char *name)
{
	struct json_object *args = json_tokener_parse("{\"path\": \"cxl-dcd0\"}");
	struct json_object *r, *ret, *st, *v;
	int fd = qmp_open(p->qmp_port);
	uint64_t n;

	assert_true(fd >= 0);
	r = qmp_exec(fd, "x-cxl-host-agent", args);
	close(fd);
	assert_true(json_object_object_get_ex(r, "return", &ret));
	assert_true(json_object_object_get_ex(ret, "stats", &st));
	assert_true(json_object_object_get_ex(st, name, &v));
	n = json_object_get_uint64(v);
	json_object_put(r);
	return n;
}

/*
 * The RFC's two hosts: the FM host's endpoints forward to the target's.
 * The DC add and release land in the target host's OS, not the FM host's.
 */
static void test_client_forwarded(void **state)
{
	const char *argv[] = { need("MCTP_CLIENT"), "10", "11", NULL };

	(void)state;
	assert_int_equal(start_host(&tgt, bufname, true, 0, false), 0);
	assert_int_equal(start_host(&emu, bufname, false, tgt.qmp_port, false), 0);
	const char *env[] = { preload_env(), bus_env(&emu), "-CXLFM_EIDS", NULL };
	assert_int_equal(run(argv, env), 0);
	assert_int_equal(host_stat(&tgt, "accepted"), 1);
	assert_int_equal(host_stat(&tgt, "released"), 1);
	assert_int_equal(host_stat(&emu, "records"), 0);
}

/* Configuration errors: socket() fails, with a reason on stderr. */
static void test_bad_config(void **state)
{
	const char *argv[] = { need("MCTP_CLIENT"), "10", "11", NULL };
	const char *no_bus[] = { preload_env(), "CXLFM_BUS=/nonexistent/bus.sock", NULL };
	const char *bad_eids[] = { preload_env(), "CXLFM_BUS=/nonexistent/bus.sock",
				   "CXLFM_EIDS=8:0x04,8:0x06", NULL };

	(void)state;
	assert_int_equal(run(argv, no_bus), 3);
	assert_int_equal(run(argv, bad_eids), 3);
	/* without the shim the kernel has no AF_MCTP here */
	const char *none[] = { "-LD_PRELOAD", NULL };
	if (access("/proc/net/mctp", F_OK) != 0)
		assert_int_equal(run(argv, none), 3);
}

static void test_syscalls_preloaded(void **state)
{
	const char *argv[] = { need("MCTP_SYSCALLS"), NULL };

	(void)state;
	assert_int_equal(start_host(&emu, NULL, false, 0, false), 0);
	const char *env[] = { preload_env(), bus_env(&emu), NULL };
	assert_int_equal(run(argv, env), 0);
}

static void test_syscalls_linked(void **state)
{
	const char *argv[] = { need("MCTP_SYSCALLS_LINKED"), NULL };

	(void)state;
	assert_int_equal(start_host(&emu, NULL, false, 0, false), 0);
	const char *env[] = { "-LD_PRELOAD", bus_env(&emu), NULL };
	assert_int_equal(run(argv, env), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_client_discovered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_pinned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_bus_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_forwarded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syscalls_preloaded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syscalls_linked, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
