/* SPDX-License-Identifier: MIT */
/*
 * The SIGBUS guard on a real shared mapping: a memfd truncated under its
 * mapping faults like a forwarding buffer a peer shrank or a backing file
 * on a full filesystem. Guarded accesses report -EFAULT and the process
 * goes on; every SIGBUS the guard does not own still ends the process
 * (checked in a child). cmocka puts its own SIGBUS handler in place for
 * each test: each test puts the guard's back first.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/memguard.h"

#define PAGES 4
#define SURVIVED 42

static size_t page;
static int fd;
static uint8_t *map;

static int setup(void **state)
{
	(void)state;
	page = (size_t)sysconf(_SC_PAGESIZE);
	fd = memfd_create("memguard-test", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)(PAGES * page)), 0);
	map = mmap(NULL, PAGES * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(map != MAP_FAILED);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	munmap(map, PAGES * page);
	close(fd);
	return 0;
}

static int answer(void *arg)
{
	return *(int *)arg + 1;
}

/* Read the last page: gone once the object is cut to one page. */
static int read_last(void *arg)
{
	(void)arg;
	return map[(PAGES - 1) * page + 5];
}

static void test_runs_and_returns(void **state)
{
	int in = 41, ret = 0;

	(void)state;
	memguard_install();
	assert_int_equal(memguard_run(map, PAGES * page, answer, &in, &ret), 0);
	assert_int_equal(ret, 42);
	map[(PAGES - 1) * page + 5] = 7;
	assert_int_equal(memguard_run(map, PAGES * page, read_last, NULL, &ret), 0);
	assert_int_equal(ret, 7);
}

static void test_truncated_then_restored(void **state)
{
	uint8_t buf[64] = { 0 };
	int ret = -1;

	(void)state;
	memguard_install();
	assert_int_equal(ftruncate(fd, (off_t)page), 0);
	/* read, write and a run that faults: each reports, none kills */
	assert_int_equal(memguard_copy(buf, map + 2 * page, sizeof(buf)), -EFAULT);
	assert_int_equal(memguard_copy(map + 3 * page - 8, buf, 16), -EFAULT);
	assert_int_equal(memguard_set(map + page, 0, 2 * page), -EFAULT);
	assert_int_equal(memguard_run(map, PAGES * page, read_last, NULL, &ret), -EFAULT);
	assert_int_equal(ret, -1);
	/* the page that is left still works under the guard */
	assert_int_equal(memguard_copy(map + 8, "abc", 3), 0);
	assert_memory_equal(map + 8, "abc", 3);
	/* the object grows back: the same mapping works again (zeroes) */
	assert_int_equal(ftruncate(fd, (off_t)(PAGES * page)), 0);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(memguard_copy(buf, map + 2 * page, sizeof(buf)), 0);
	assert_int_equal(buf[0], 0);
	assert_int_equal(memguard_set(map + page, 0x5a, 2 * page), 0);
	assert_int_equal(map[3 * page - 1], 0x5a);
}

static int inner_faults_outer(void *arg)
{
	int ret;

	/* the inner guard covers page 0 only; the fault is in the outer range */
	return memguard_run(map, page, read_last, arg, &ret);
}

static void test_nested(void **state)
{
	int ret = 0;

	(void)state;
	memguard_install();
	assert_int_equal(ftruncate(fd, (off_t)page), 0);
	assert_int_equal(memguard_run(map + page, 3 * page, inner_faults_outer, NULL, &ret),
			 -EFAULT);
	/* and the guard state is clean afterwards */
	assert_int_equal(memguard_copy(map, "x", 1), 0);
	assert_int_equal(ftruncate(fd, (off_t)(PAGES * page)), 0);
}

/* In a child: what must not be recovered ends the process. */
static void expect_death(void (*what)(void))
{
	int st = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		/* as in a program: no test harness (or sanitizer) handler before ours */
		signal(SIGBUS, SIG_DFL);
		memguard_install();
		what();
		_exit(SURVIVED);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGBUS);
}

static void fault_unguarded(void)
{
	assert_int_equal(ftruncate(fd, (off_t)page), 0);
	*(volatile uint8_t *)(map + 2 * page) = 1;
}

static void fault_outside_range(void)
{
	int ret;

	assert_int_equal(ftruncate(fd, (off_t)page), 0);
	memguard_run(map, page, read_last, NULL, &ret); /* guards page 0 only */
}

static int send_sigbus(void *arg)
{
	(void)arg;
	return kill(getpid(), SIGBUS);
}

static void sent_sigbus(void)
{
	int ret;

	/* a SIGBUS sent by a process is no fault: not swallowed, even in a guard */
	memguard_run(map, PAGES * page, send_sigbus, NULL, &ret);
}

static void test_foreign_sigbus_kills(void **state)
{
	(void)state;
	expect_death(fault_unguarded);
	expect_death(fault_outside_range);
	expect_death(sent_sigbus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_runs_and_returns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_then_restored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_sigbus_kills, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
