/* SPDX-License-Identifier: MIT */
/* Event loop: timers on an injected clock, fd watchers, signals, cleanups. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "emu/loop.h"

static uint64_t fake_now;

static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

struct rec {
	char log[64];
	size_t n;
};

static void mark(struct rec *r, char c)
{
	assert_true(r->n + 1 < sizeof(r->log));
	r->log[r->n++] = c;
	r->log[r->n] = '\0';
}

static struct rec rec;
static void on_a(struct loop *l, void *arg) { (void)l; (void)arg; mark(&rec, 'a'); }
static void on_b(struct loop *l, void *arg) { (void)l; (void)arg; mark(&rec, 'b'); }
static void on_c(struct loop *l, void *arg) { (void)l; (void)arg; mark(&rec, 'c'); }

static void test_timers_order(void **state)
{
	struct loop *l;
	struct loop_timer *a, *b, *c;

	(void)state;
	memset(&rec, 0, sizeof(rec));
	fake_now = 1000;
	assert_int_equal(loop_new(&l), 0);
	loop_set_clock(l, fake_clock, NULL);
	assert_int_equal(loop_timer_new(l, on_a, NULL, &a), 0);
	assert_int_equal(loop_timer_new(l, on_b, NULL, &b), 0);
	assert_int_equal(loop_timer_new(l, on_c, NULL, &c), 0);
	loop_timer_arm(a, 300);
	loop_timer_arm(b, 100);
	loop_timer_arm(c, 100); /* same deadline as b: armed later, fires later */
	assert_true(loop_timer_armed(a));
	assert_int_equal(loop_run_once(l, 0), 0);
	assert_string_equal(rec.log, "");
	fake_now += 100;
	assert_int_equal(loop_run_once(l, 0), 2);
	assert_string_equal(rec.log, "bc");
	assert_false(loop_timer_armed(b));
	/* re-arm b past a; cancel c (idle: no-op) */
	loop_timer_arm(b, 500);
	loop_timer_cancel(c);
	fake_now += 1000;
	assert_int_equal(loop_run_once(l, 0), 2);
	assert_string_equal(rec.log, "bcab");
	/* cancelled timers do not fire */
	loop_timer_arm(a, 10);
	loop_timer_cancel(a);
	fake_now += 10;
	assert_int_equal(loop_run_once(l, 0), 0);
	loop_timer_free(a);
	loop_timer_free(b);
	loop_timer_free(c);
	loop_free(l);
}

/* Many timers in random order come out sorted (heap property). */
static uint64_t fired[200];
static size_t n_fired;
static void on_record(struct loop *l, void *arg)
{
	(void)arg;
	fired[n_fired++] = loop_now(l);
}

static void test_timer_heap(void **state)
{
	struct loop *l;
	struct loop_timer *t[200];
	uint64_t x = 12345;

	(void)state;
	n_fired = 0;
	fake_now = 0;
	assert_int_equal(loop_new(&l), 0);
	loop_set_clock(l, fake_clock, NULL);
	for (size_t i = 0; i < 200; i++) {
		assert_int_equal(loop_timer_new(l, on_record, NULL, &t[i]), 0);
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		loop_timer_arm(t[i], 1 + (x >> 40) % 1000);
	}
	/* cancel every third one */
	for (size_t i = 0; i < 200; i += 3)
		loop_timer_cancel(t[i]);
	for (fake_now = 0; fake_now <= 1000; fake_now++)
		loop_run_once(l, 0);
	assert_int_equal(n_fired, 200 - 67);
	for (size_t i = 1; i < n_fired; i++)
		assert_true(fired[i - 1] <= fired[i]);
	for (size_t i = 0; i < 200; i++)
		loop_timer_free(t[i]);
	loop_free(l);
}

static int spins;

static void on_defer(struct loop *l, void *arg)
{
	(void)l;
	(*(int *)arg)++;
}

static void test_defer(void **state)
{
	struct loop *l;
	int hits = 0;

	(void)state;
	fake_now = 5;
	assert_int_equal(loop_new(&l), 0);
	loop_set_clock(l, fake_clock, NULL);
	assert_int_equal(loop_defer(l, on_defer, &hits), 0);
	assert_int_equal(loop_defer(l, on_defer, &hits), 0);
	assert_int_equal(hits, 0);
	assert_int_equal(loop_run_once(l, 0), 2);
	assert_int_equal(hits, 2);
	assert_int_equal(loop_run_once(l, 0), 0);
	/* a deferred call never freed by its caller is freed by loop_free */
	assert_int_equal(loop_defer(l, on_defer, &hits), 0);
	loop_free(l);
}

/* A timer re-arming itself with 0 runs once per iteration, not forever. */
static struct loop_timer *spin_t;
static void on_spin_self(struct loop *l, void *arg)
{
	(void)l;
	(void)arg;
	spins++;
	loop_timer_arm(spin_t, 0);
}

static void test_no_starvation(void **state)
{
	struct loop *l;

	(void)state;
	spins = 0;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(loop_timer_new(l, on_spin_self, NULL, &spin_t), 0);
	loop_timer_arm(spin_t, 0);
	for (int i = 0; i < 5; i++)
		loop_run_once(l, 0);
	assert_int_equal(spins, 5);
	loop_timer_free(spin_t);
	loop_free(l);
}

/* A timer freeing itself from its own callback. */
static void on_self_free(struct loop *l, void *arg)
{
	(void)l;
	loop_timer_free(*(struct loop_timer **)arg);
	*(struct loop_timer **)arg = NULL;
}

static void test_timer_self_free(void **state)
{
	struct loop *l;
	struct loop_timer *t;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(loop_timer_new(l, on_self_free, &t, &t), 0);
	loop_timer_arm(t, 0);
	assert_int_equal(loop_run_once(l, 0), 1);
	assert_null(t);
	loop_free(l);
}

/* fd watchers: readiness, interest changes, deleting another pending one. */
struct fdrec {
	int reads, writes;
	struct loop_watch *victim;
	int victim_calls;
};

static void on_pipe(struct loop_watch *w, int fd, unsigned ev, void *arg)
{
	struct fdrec *r = arg;
	char b[16];

	(void)w;
	if (ev & LOOP_READ) {
		r->reads++;
		assert_true(read(fd, b, sizeof(b)) > 0);
	}
	if (ev & LOOP_WRITE)
		r->writes++;
}

static void on_killer(struct loop_watch *w, int fd, unsigned ev, void *arg)
{
	struct fdrec *r = arg;
	char b[16];

	(void)ev;
	assert_true(read(fd, b, sizeof(b)) > 0);
	/* delete whichever other watcher may still be in this batch */
	loop_watch_del(r->victim);
	r->victim = NULL;
	loop_watch_del(w);
}

static void on_victim(struct loop_watch *w, int fd, unsigned ev, void *arg)
{
	struct fdrec *r = arg;
	char b[16];

	(void)w;
	(void)ev;
	assert_true(read(fd, b, sizeof(b)) > 0);
	r->victim_calls++;
}

static void test_fd_watch(void **state)
{
	struct loop *l;
	struct loop_watch *w;
	struct fdrec r = { 0 };
	int p[2], q[2];

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_watch_add(l, p[0], LOOP_READ, on_pipe, &r, &w), 0);
	assert_int_equal(loop_run_once(l, 0), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(loop_run_once(l, 100), 1);
	assert_int_equal(r.reads, 1);
	/* write interest on the write end */
	{
		struct loop_watch *ww;

		assert_int_equal(loop_watch_add(l, p[1], 0, on_pipe, &r, &ww), 0);
		assert_int_equal(loop_run_once(l, 0), 0);
		assert_int_equal(loop_watch_mod(ww, LOOP_WRITE), 0);
		assert_int_equal(loop_watch_events(ww), LOOP_WRITE);
		assert_int_equal(loop_run_once(l, 100), 1);
		assert_int_equal(r.writes, 1);
		loop_watch_del(ww);
	}
	loop_watch_del(w);
	assert_int_equal(loop_watch_add(l, -1, LOOP_READ, on_pipe, &r, &w), -EINVAL);

	/* two ready fds, the first callback deletes the second watcher */
	assert_int_equal(pipe(q), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(write(q[1], "y", 1), 1);
	assert_int_equal(loop_watch_add(l, p[0], LOOP_READ, on_killer, &r, NULL), 0);
	assert_int_equal(loop_watch_add(l, q[0], LOOP_READ, on_victim, &r, &r.victim), 0);
	loop_run_once(l, 100);
	/* either the victim ran first (once) or it was deleted before running */
	assert_true(r.victim_calls <= 1);
	if (r.victim) {
		/* killer had not run yet; run again */
		loop_run_once(l, 100);
	}
	assert_null(r.victim);
	assert_int_equal(write(q[1], "z", 1), 1);
	assert_int_equal(loop_run_once(l, 0), 0);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	loop_free(l);
}

static void on_sig(struct loop *l, void *arg)
{
	(*(int *)arg)++;
	loop_stop(l, 7);
}

static void test_signal(void **state)
{
	struct loop *l;
	int got = 0;
	sigset_t cur;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(loop_signal_add(l, SIGUSR1, on_sig, &got), 0);
	assert_int_equal(loop_signal_add(l, SIGUSR1, on_sig, &got), -EEXIST);
	assert_int_equal(loop_signal_add(l, 0, on_sig, &got), -EINVAL);
	assert_int_equal(kill(getpid(), SIGUSR1), 0);
	assert_int_equal(loop_run(l), 7);
	assert_int_equal(got, 1);
	assert_false(loop_stopped(l));
	loop_free(l);
	/* the mask is restored */
	sigprocmask(SIG_BLOCK, NULL, &cur);
	assert_false(sigismember(&cur, SIGUSR1));
}

/*
 * Issue #13: a second SIGTERM during shutdown, after the loop's last
 * dispatch, stayed pending; loop_free() unblocked it and the process died
 * of it (exit status 143 instead of 0). In a child, so that is what fails.
 */
static void test_signal_pending_at_free(void **state)
{
	int got = 0, status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct loop *l;

		if (loop_new(&l) || loop_signal_add(l, SIGTERM, on_sig, &got))
			_exit(2);
		if (kill(getpid(), SIGTERM) || loop_run(l) != 7 || got != 1)
			_exit(3);
		/* the second one: nobody reads the signalfd any more */
		if (kill(getpid(), SIGTERM))
			_exit(4);
		loop_free(l);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_false(WIFSIGNALED(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static char order[8];
static size_t n_order;
static void on_cleanup(struct loop *l, void *arg)
{
	(void)l;
	order[n_order++] = *(const char *)arg;
}

static void test_cleanups(void **state)
{
	struct loop *l;
	struct loop_cleanup *c2;

	(void)state;
	n_order = 0;
	memset(order, 0, sizeof(order));
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(loop_cleanup_add(l, on_cleanup, "1", NULL), 0);
	assert_int_equal(loop_cleanup_add(l, on_cleanup, "2", &c2), 0);
	assert_int_equal(loop_cleanup_add(l, on_cleanup, "3", NULL), 0);
	loop_cleanup_del(c2);
	loop_run_cleanups(l);
	assert_string_equal(order, "31");
	loop_run_cleanups(l);
	assert_string_equal(order, "31");
	assert_int_equal(loop_cleanup_add(l, on_cleanup, "4", NULL), 0);
	loop_free(l); /* runs what is left */
	assert_string_equal(order, "314");
}

/* With the real clock a timer bounds epoll_wait. */
static void on_stop(struct loop *l, void *arg)
{
	(void)arg;
	loop_stop(l, 3);
}

static void test_real_clock(void **state)
{
	struct loop *l;
	struct loop_timer *t;
	uint64_t t0;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(loop_timer_new(l, on_stop, NULL, &t), 0);
	t0 = loop_now(l);
	loop_timer_arm_ms(t, 20);
	assert_int_equal(loop_run(l), 3);
	assert_true(loop_now(l) - t0 >= 20000000u);
	loop_timer_free(t);
	loop_free(l);
}

static void on_count(struct loop *l, void *arg)
{
	(void)l;
	(*(int *)arg)++;
}

/* A timer under a millisecond: one wait, and never early. */
static void test_sub_ms_timer(void **state)
{
	struct loop *l;
	struct loop_timer *t;
	int runs = 0;
	uint64_t t0;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(loop_timer_new(l, on_count, &runs, &t), 0);
	for (int i = 0; i < 5; i++) {
		t0 = loop_now(l);
		loop_timer_arm(t, 300000);
		assert_int_equal(loop_run_once(l, -1), 1);
		assert_int_equal(runs, i + 1);
		assert_true(loop_now(l) - t0 >= 300000u);
	}
	loop_timer_free(t);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_order),
		cmocka_unit_test(test_timer_heap),
		cmocka_unit_test(test_defer),
		cmocka_unit_test(test_no_starvation),
		cmocka_unit_test(test_timer_self_free),
		cmocka_unit_test(test_fd_watch),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_signal_pending_at_free),
		cmocka_unit_test(test_cleanups),
		cmocka_unit_test(test_real_clock),
		cmocka_unit_test(test_sub_ms_timer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
