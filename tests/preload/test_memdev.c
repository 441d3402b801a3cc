/* SPDX-License-Identifier: MIT */
/*
 * THEORY OF OPERATION: /dev/cxl/memN for unmodified programs (docs/preload.md).
 * A cxl-emu target host with one type-3 device (256 MiB volatile, 256 MiB
 * persistent, a 1 MiB LSA, its non-volatile state; backing files in the
 * test's directory, so that restarts find them) serves its host mailbox on
 * <run-dir>/mem0; programs written against Linux's CXL memdev UAPI alone
 * run with libcxlfm-mctp-preload.so and CXLFM_MEMDEV_DIR:
 *  - memdev_uapi: the calls' semantics and every error, preloaded and linked;
 *    then against broken devices this test serves itself;
 *  - memdev_host: every memory device command, then the device's life:
 *    killed under an open fd (ENXIO), restarted locked with its LSA and a
 *    dirty shutdown counted, unlocked, restarted cleanly (no count), and a
 *    sanitize with its progress that zeroes the backing files;
 *  - the run directory found without CXLFM_MEMDEV_DIR, and not served with
 *    CXLFM_MEMDEV_DIR=off; cxl-emu refuses a non-socket file at memN.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "../e2e/e2e.h"
#include "proto/le.h"
#include "proto/memdev_wire.h"

#define RUN_TIMEOUT_S 120
#define MiB (1024ull * 1024)

static char dir[256];
static struct emu_proc emu;
static char env_preload[600], env_dir[600];

static const char *need(const char *var)
{
	const char *v = getenv(var);

	if (!v)
		fail_msg("%s not set (run through meson test)", var);
	return v;
}

/* The host: pmem0 with (vmem) or without volatile memory, its files in dir. */
static void host_argv(struct e2e_argv *a, bool vmem)
{
	e2e_argv_addv(a, (const char *const[]){ "-machine", "q35,cxl=on", "-qmp", "@PORT",
		"-device", "pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1",
		"-device", "cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2",
		"-M", "cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G", NULL });
	if (vmem) {
		e2e_argv_add(a, "-object");
		e2e_argv_add(a, "memory-backend-file,id=vm,share=on,mem-path=%s/vmem.raw,size=256M",
			     dir);
	}
	e2e_argv_add(a, "-object");
	e2e_argv_add(a, "memory-backend-file,id=pm,share=on,mem-path=%s/pmem.raw,size=256M", dir);
	e2e_argv_add(a, "-object");
	e2e_argv_add(a, "memory-backend-file,id=lsa,share=on,mem-path=%s/lsa.raw,size=1M", dir);
	e2e_argv_add(a, "-device");
	e2e_argv_add(a, "cxl-type3,bus=rp0,%spersistent-memdev=pm,lsa=lsa,id=pmem0,sn=0x1234",
		     vmem ? "volatile-memdev=vm," : "");
}

static void start(void)
{
	struct e2e_argv a = { 0 };

	host_argv(&a, true);
	assert_int_equal(emu_start(&emu, a.v), 0);
	assert_int_equal(emu.n_memdevs, 1);
	assert_string_equal(emu.memdev_name[0], "mem0");
	snprintf(env_preload, sizeof(env_preload), "LD_PRELOAD=%s", need("PRELOAD_SO"));
	snprintf(env_dir, sizeof(env_dir), "CXLFM_MEMDEV_DIR=%s", emu.run_dir);
}

static void stop(void)
{
	if (emu.pid)
		assert_int_equal(emu_stop(&emu), 0);
	if (emu.run_dir[0])
		e2e_rmdir(emu.run_dir);
	memset(&emu, 0, sizeof(emu));
}

static int setup(void **state)
{
	(void)state;
	e2e_mkdtemp(dir, sizeof(dir));
	memset(&emu, 0, sizeof(emu));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (emu.pid)
		emu_kill(&emu);
	if (emu.run_dir[0])
		e2e_rmdir(emu.run_dir);
	e2e_rmdir(dir);
	return 0;
}

/* memdev_host's phase, preloaded, raw_allow_all as asked; its exit status. */
static int host(const char *phase, unsigned n, bool allow_all)
{
	char num[16];
	const char *argv[] = { need("MEMDEV_HOST"), "/dev/cxl/mem0", phase, num, NULL };
	const char *env[] = { env_preload, env_dir, allow_all ? "CXLFM_MEMDEV_RAW_ALLOW_ALL=1" :
			      "-CXLFM_MEMDEV_RAW_ALLOW_ALL", NULL };

	snprintf(num, sizeof(num), "%u", n);
	return e2e_run(argv, env, RUN_TIMEOUT_S);
}

/* The dirty shutdown count the device reports (x-cxl-health). */
static unsigned dirty_count(void)
{
	struct json_object *r, *ret, *v;
	int fd = qmp_open(emu.qmp_port);
	unsigned n;

	assert_true(fd >= 0);
	r = qmp_exec(fd, "x-cxl-health", json_tokener_parse("{\"path\": \"pmem0\"}"));
	close(fd);
	assert_true(json_object_object_get_ex(r, "return", &ret));
	assert_true(json_object_object_get_ex(ret, "dirty-shutdown-count", &v));
	n = (unsigned)json_object_get_int(v);
	json_object_put(r);
	return n;
}

/* Can the host read 64 bytes of the device's memory at dpa (x-cxl-mem)? */
static bool host_reads(uint64_t dpa)
{
	char args[128];
	struct json_object *r;
	int fd = qmp_open(emu.qmp_port);
	bool ok;

	assert_true(fd >= 0);
	snprintf(args, sizeof(args), "{\"path\": \"pmem0\", \"dpa\": %llu, \"length\": 64}",
		 (unsigned long long)dpa);
	r = qmp_exec(fd, "x-cxl-mem", json_tokener_parse(args));
	close(fd);
	ok = json_object_object_get_ex(r, "return", NULL);
	json_object_put(r);
	return ok;
}

static void fill_file(const char *name, off_t off, uint8_t c, size_t len)
{
	char path[512], buf[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	memset(buf, c, sizeof(buf));
	for (size_t at = 0; at < len; at += sizeof(buf))
		assert_int_equal(pwrite(fd, buf, sizeof(buf), off + (off_t)at), (ssize_t)sizeof(buf));
	close(fd);
}

/* Are len bytes of the backing file at off all c? */
static bool file_is(const char *name, off_t off, uint8_t c, size_t len)
{
	char path[512];
	uint8_t buf[4096];
	bool same = true;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	for (size_t at = 0; at < len && same; at += sizeof(buf)) {
		assert_int_equal(pread(fd, buf, sizeof(buf), off + (off_t)at), (ssize_t)sizeof(buf));
		for (size_t i = 0; i < sizeof(buf); i++)
			same = same && buf[i] == c;
	}
	close(fd);
	return same;
}

static void test_uapi_preloaded(void **state)
{
	const char *argv[] = { need("MEMDEV_UAPI"), "device", NULL };

	(void)state;
	start();
	const char *env[] = { env_preload, env_dir, "-CXLFM_MEMDEV_RAW_ALLOW_ALL", NULL };
	assert_int_equal(e2e_run(argv, env, RUN_TIMEOUT_S), 0);
	stop();
}

static void test_uapi_linked(void **state)
{
	const char *argv[] = { need("MEMDEV_UAPI_LINKED"), "device", NULL };

	(void)state;
	start();
	const char *env[] = { "-LD_PRELOAD", env_dir, "-CXLFM_MEMDEV_RAW_ALLOW_ALL", NULL };
	assert_int_equal(e2e_run(argv, env, RUN_TIMEOUT_S), 0);
	stop();
}

/*
 * memdev_host "hold": it opens the device and waits; the host is killed
 * under the open fd; the program's ioctls then fail with ENXIO, and so
 * does a new open of the node whose socket nobody serves.
 */
static void hold_while_killed(void)
{
	const char *argv[] = { need("MEMDEV_HOST"), "/dev/cxl/mem0", "hold", NULL };
	int in[2], out[2], st;
	char line[64] = "";
	pid_t pid;

	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		putenv(env_preload);
		putenv(env_dir);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	{
		struct pollfd p = { .fd = out[0], .events = POLLIN };
		ssize_t n;

		assert_int_equal(poll(&p, 1, RUN_TIMEOUT_S * 1000), 1);
		n = read(out[0], line, sizeof(line) - 1);
		assert_true(n > 0);
		line[n] = '\0';
	}
	assert_string_equal(line, "open\n");
	emu_kill(&emu); /* power lost: the socket file stays, nobody serves it */
	assert_int_equal(write(in[1], "go\n", 3), 3);
	close(in[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(out[0]);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_host_life(void **state)
{
	unsigned count;

	(void)state;
	start();
	/* every command; a user passphrase and the LSA's pattern left */
	assert_int_equal(host("commands", 0, true), 0);
	assert_int_equal(host("noraw", 0, false), 0);
	count = dirty_count();
	hold_while_killed();
	e2e_rmdir(emu.run_dir);
	/* power back: locked, one dirty shutdown more, the labels kept */
	start();
	assert_false(host_reads(256 * MiB));
	assert_int_equal(host("locked", count, true), 0);
	assert_false(host_reads(256 * MiB));
	assert_true(host_reads(0)); /* the volatile capacity is not locked */
	assert_int_equal(host("unlock", 0, true), 0);
	assert_true(host_reads(256 * MiB));
	/* an orderly restart: nothing more counted, no passphrase */
	stop();
	start();
	assert_int_equal(dirty_count(), count + 1);
	assert_int_equal(host("clean", count + 1, true), 0);
	/* sanitize: the backing files' bytes zeroed */
	fill_file("vmem.raw", 4096, 0xa5, 8192);
	fill_file("pmem.raw", 256 * MiB - 8192, 0x5a, 8192);
	assert_true(file_is("pmem.raw", 256 * MiB - 8192, 0x5a, 8192));
	assert_int_equal(host("sanitize", 0, true), 0);
	assert_true(file_is("vmem.raw", 4096, 0, 8192));
	assert_true(file_is("pmem.raw", 256 * MiB - 8192, 0, 8192));
	assert_true(file_is("lsa.raw", 0, 0, 4096));
	stop();
}

/* ---- broken devices, served here ---- */

enum fake { LATE, REFUSE, BAD_HELLO, DIES, GARBAGE, NFAKE };

static struct {
	int lfd[NFAKE];
	atomic_bool stop;
	pthread_t thread;
} fk;

static void fake_hello(int fd)
{
	uint8_t cel[4] = { 0x00, 0x40, 0, 0 }, buf[64];
	struct memdev_hello h = { .payload_size = 2048, .serial = 7, .cel = cel, .cel_len = 4 };
	int n = memdev_wire_hello_encode(&h, buf, sizeof(buf));

	assert_true(n > 0);
	send(fd, buf, (size_t)n, MSG_NOSIGNAL);
}

static void fake_answer(int fd, uint32_t tag, uint8_t first)
{
	uint8_t pl[0x45] = { first }, buf[128];
	struct memdev_rsp r = { .tag = tag, .payload = pl, .len = sizeof(pl) };
	int n = memdev_wire_rsp_encode(&r, buf, sizeof(buf));

	assert_true(n > 0);
	send(fd, buf, (size_t)n, MSG_NOSIGNAL);
}

/* One client of device k: what it does with the requests it sends. */
static void fake_client(enum fake k, int fd)
{
	uint32_t first_tag = 0;
	int seen = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint8_t buf[4096];
		struct memdev_req req;
		ssize_t n;

		if (atomic_load(&fk.stop) || poll(&p, 1, 50) < 0)
			break;
		if (!p.revents)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0 || memdev_wire_req_decode(buf, (size_t)n, 2048, &req))
			break;
		seen++;
		if (k == DIES)
			break;
		if (k == GARBAGE) {
			send(fd, "\x03\x01garbage", 9, MSG_NOSIGNAL);
			continue;
		}
		if (seen == 1) { /* LATE: no answer in time */
			first_tag = req.tag;
			continue;
		}
		fake_answer(fd, first_tag, 1);
		fake_answer(fd, req.tag, 2);
	}
	close(fd);
}

static void *fake_thread(void *arg)
{
	(void)arg;
	while (!atomic_load(&fk.stop)) {
		struct pollfd p[NFAKE];

		for (int i = 0; i < NFAKE; i++)
			p[i] = (struct pollfd){ .fd = fk.lfd[i], .events = POLLIN };
		if (poll(p, NFAKE, 50) <= 0)
			continue;
		for (int i = 0; i < NFAKE; i++) {
			int c;

			if (!p[i].revents || (c = accept4(fk.lfd[i], NULL, NULL, SOCK_CLOEXEC)) < 0)
				continue;
			if (i == REFUSE) {
				close(c);
			} else if (i == BAD_HELLO) {
				send(c, "not a hello", 11, MSG_NOSIGNAL);
				close(c);
			} else {
				fake_hello(c);
				fake_client((enum fake)i, c); /* one client at a time will do */
			}
		}
	}
	return NULL;
}

static void fake_start(void)
{
	for (int i = 0; i < NFAKE; i++) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		assert_true(strlen(dir) + 6 < sizeof(sa.sun_path));
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%.90s/mem%d", dir, i);
		fk.lfd[i] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		assert_true(fk.lfd[i] >= 0);
		assert_int_equal(bind(fk.lfd[i], (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(listen(fk.lfd[i], 4), 0);
	}
	atomic_store(&fk.stop, false);
	assert_int_equal(pthread_create(&fk.thread, NULL, fake_thread, NULL), 0);
}

static void fake_stop(void)
{
	atomic_store(&fk.stop, true);
	pthread_join(fk.thread, NULL);
	for (int i = 0; i < NFAKE; i++)
		close(fk.lfd[i]);
}

static void test_fakes(void **state)
{
	char denv[300];
	const char *argv[] = { need("MEMDEV_UAPI"), "fake", NULL };
	const char *argv_linked[] = { need("MEMDEV_UAPI_LINKED"), "fake", NULL };

	(void)state;
	snprintf(env_preload, sizeof(env_preload), "LD_PRELOAD=%s", need("PRELOAD_SO"));
	snprintf(denv, sizeof(denv), "CXLFM_MEMDEV_DIR=%s", dir);
	fake_start();
	const char *env[] = { env_preload, denv, "CXLFM_MEMDEV_TIMEOUT_MS=300", NULL };
	const char *env_linked[] = { "-LD_PRELOAD", denv, "CXLFM_MEMDEV_TIMEOUT_MS=300", NULL };
	assert_int_equal(e2e_run(argv, env, RUN_TIMEOUT_S), 0);
	assert_int_equal(e2e_run(argv_linked, env_linked, RUN_TIMEOUT_S), 0);
	fake_stop();
}

/* No CXLFM_MEMDEV_DIR: the one cxl-emu run directory with memdevs. */
static void test_found(void **state)
{
	const char *argv[] = { need("MEMDEV_HOST"), "/dev/cxl/mem0", "noraw", NULL };
	struct e2e_argv a = { 0 };
	char xdg[300];

	(void)state;
	host_argv(&a, false);
	assert_int_equal(emu_start_xdg(&emu, a.v, true), 0);
	snprintf(env_preload, sizeof(env_preload), "LD_PRELOAD=%s", need("PRELOAD_SO"));
	snprintf(xdg, sizeof(xdg), "XDG_RUNTIME_DIR=%s", emu.run_dir);
	const char *env[] = { env_preload, xdg, "-CXLFM_MEMDEV_DIR", NULL };
	assert_int_equal(e2e_run(argv, env, RUN_TIMEOUT_S), 0);
	/* off: /dev/cxl is the machine's own (none here: open fails) */
	const char *off[] = { env_preload, xdg, "CXLFM_MEMDEV_DIR=off", NULL };
	if (access("/dev/cxl/mem0", F_OK))
		assert_int_equal(e2e_run(argv, off, RUN_TIMEOUT_S), 2);
	stop();
}

/* A file that is no socket where mem0 goes: cxl-emu will not replace it. */
static void test_file_in_the_way(void **state)
{
	char run[256], path[300], out[4096];
	int fd;

	(void)state;
	e2e_mkdtemp(run, sizeof(run));
	snprintf(path, sizeof(path), "%s/mem0", run);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "mine", 4), 4);
	close(fd);
	assert_int_equal(emu_run_refused(run, (const char *const[]){
		"-machine", "q35,cxl=on",
		"-device", "pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1",
		"-device", "cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2",
		"-object", "memory-backend-ram,id=vm,size=256M",
		"-device", "cxl-type3,bus=rp0,volatile-memdev=vm,id=t3", NULL }, out, sizeof(out)),
		1);
	assert_non_null(strstr(out, "mem0"));
	assert_non_null(strstr(out, "File exists"));
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, out, sizeof(out)), 4); /* untouched */
	close(fd);
	e2e_rmdir(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_uapi_preloaded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uapi_linked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_life, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fakes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_in_the_way, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
