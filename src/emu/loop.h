/* SPDX-License-Identifier: MIT */
/*
 * The cxl-emu event loop: one thread, one epoll set.
 *
 * - fd watchers with read/write interest (level triggered);
 * - timers kept in a min-heap, the nearest deadline bounds the epoll wait
 *   (to the nanosecond with epoll_pwait2); a timer armed with delay 0 runs
 *   on the next iteration, which is how callbacks are deferred out of a
 *   caller's stack;
 * - signals through signalfd (the loop blocks them while it lives);
 * - cleanup hooks run in reverse order of registration by
 *   loop_run_cleanups() (sockets unlinked, backing files synced).
 *
 * Time comes from an injectable clock (nanoseconds, monotonic) so tests can
 * move time forward instead of sleeping. Every call returns 0 or -errno.
 * Callbacks may add or remove any watcher or timer, including their own.
 */
#ifndef CXLFM_EMU_LOOP_H
#define CXLFM_EMU_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct loop_watch;
struct loop_timer;
struct loop_cleanup;

/* Interest and readiness bits for fd watchers. */
#define LOOP_READ  0x1u
#define LOOP_WRITE 0x2u
#define LOOP_ERROR 0x4u /* reported only: EPOLLERR or EPOLLHUP */

typedef void (*loop_fd_fn)(struct loop_watch *w, int fd, unsigned events, void *arg);
typedef void (*loop_fn)(struct loop *l, void *arg);
typedef uint64_t (*loop_clock_fn)(void *arg);

int loop_new(struct loop **out);
/* Runs the cleanups not run yet, frees watchers and timers still registered. */
void loop_free(struct loop *l);

/* Run until loop_stop(); returns the code passed to loop_stop. */
int loop_run(struct loop *l);
/*
 * One iteration: wait at most timeout_ms (-1 = until something happens, but
 * never past the next timer), then dispatch. Returns the number of callbacks
 * run, or -errno. For tests and for programs with their own outer loop.
 */
int loop_run_once(struct loop *l, int timeout_ms);
void loop_stop(struct loop *l, int code);
bool loop_stopped(const struct loop *l);

/* Now in ns from the loop clock (CLOCK_MONOTONIC unless injected). */
uint64_t loop_now(const struct loop *l);
/*
 * Inject a clock (tests). With an injected clock epoll_wait never sleeps
 * for a timer: the test advances the clock and calls loop_run_once().
 */
void loop_set_clock(struct loop *l, loop_clock_fn fn, void *arg);

/* fd watchers. The loop never closes fd. */
int loop_watch_add(struct loop *l, int fd, unsigned events, loop_fd_fn fn, void *arg,
		   struct loop_watch **out);
int loop_watch_mod(struct loop_watch *w, unsigned events);
unsigned loop_watch_events(const struct loop_watch *w);
/* Safe from any callback; w is invalid afterwards. NULL is a no-op. */
void loop_watch_del(struct loop_watch *w);

/* Timers: created idle, armed one-shot, re-armable, freed by their owner. */
int loop_timer_new(struct loop *l, loop_fn fn, void *arg, struct loop_timer **out);
/* (Re)arm to fire delay_ns from now; 0 = next iteration (deferred call). */
void loop_timer_arm(struct loop_timer *t, uint64_t delay_ns);
void loop_timer_arm_ms(struct loop_timer *t, uint64_t delay_ms);
void loop_timer_cancel(struct loop_timer *t);
bool loop_timer_armed(const struct loop_timer *t);
/* Safe from any callback, including the timer's own. NULL is a no-op. */
void loop_timer_free(struct loop_timer *t);

/*
 * Fire-and-forget deferred call: fn(l, arg) on the next iteration. Only for
 * args that outlive the loop iteration; otherwise use a timer you own.
 */
int loop_defer(struct loop *l, loop_fn fn, void *arg);

/*
 * Deliver signo through signalfd: the signal is blocked for the process
 * while the loop lives (restored by loop_free, which first discards what
 * arrived after the last dispatch). One handler per signal.
 */
int loop_signal_add(struct loop *l, int signo, loop_fn fn, void *arg);

/*
 * Cleanup hooks for shutdown: run once, last registered first, by
 * loop_run_cleanups() or loop_free(). Removing one does not run it.
 */
int loop_cleanup_add(struct loop *l, loop_fn fn, void *arg, struct loop_cleanup **out);
void loop_cleanup_del(struct loop_cleanup *c);
void loop_run_cleanups(struct loop *l);

#endif
