/* SPDX-License-Identifier: MIT */
#include "emu/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#define LOOP_MAX_EVENTS 64
#define LOOP_NSIG 65

struct loop_watch {
	struct loop *l;
	int fd;
	unsigned events;
	loop_fd_fn fn;
	void *arg;
	bool dead;
	struct loop_watch *next_dead;
};

struct loop_timer {
	struct loop *l;
	loop_fn fn;
	void *arg;
	uint64_t deadline;
	uint64_t seq;          /* arming order: ties fire first-armed first */
	long heap_idx;         /* -1 when idle */
	bool auto_free;        /* loop_defer(): freed after it runs */
	struct loop_timer *prev, *next; /* every timer, for loop_free */
};

struct loop_cleanup {
	struct loop *l;
	loop_fn fn;
	void *arg;
	struct loop_cleanup *prev, *next;
};

struct loop {
	int epfd;
	bool stopped;
	int code;
	unsigned dispatching;
	struct loop_watch *dead;  /* watchers deleted during dispatch */

	loop_clock_fn clock;
	void *clock_arg;

	struct loop_timer **heap;
	size_t heap_len, heap_cap;
	uint64_t seq;
	struct loop_timer *timers;
	size_t n_timers;

	int sigfd;
	struct loop_watch *sigwatch;
	sigset_t sigmask, old_sigmask;
	bool sigmask_saved;
	struct {
		loop_fn fn;
		void *arg;
	} sig[LOOP_NSIG];

	struct loop_cleanup *cleanups; /* head = oldest */
};

static uint64_t mono_now(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int loop_new(struct loop **out)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int err = -errno;

		free(l);
		return err;
	}
	l->sigfd = -1;
	l->clock = mono_now;
	sigemptyset(&l->sigmask);
	*out = l;
	return 0;
}

uint64_t loop_now(const struct loop *l)
{
	return l->clock(l->clock_arg);
}

void loop_set_clock(struct loop *l, loop_clock_fn fn, void *arg)
{
	l->clock = fn ? fn : mono_now;
	l->clock_arg = fn ? arg : NULL;
}

void loop_stop(struct loop *l, int code)
{
	l->stopped = true;
	l->code = code;
}

bool loop_stopped(const struct loop *l)
{
	return l->stopped;
}

/* ---- fd watchers ---- */

static uint32_t to_epoll(unsigned events)
{
	return (events & LOOP_READ ? EPOLLIN : 0u) | (events & LOOP_WRITE ? EPOLLOUT : 0u);
}

int loop_watch_add(struct loop *l, int fd, unsigned events, loop_fd_fn fn, void *arg,
		   struct loop_watch **out)
{
	struct epoll_event ev = { 0 };
	struct loop_watch *w;

	if (fd < 0 || !fn)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->l = l;
	w->fd = fd;
	w->events = events & (LOOP_READ | LOOP_WRITE);
	w->fn = fn;
	w->arg = arg;
	ev.events = to_epoll(w->events);
	ev.data.ptr = w;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;

		free(w);
		return err;
	}
	if (out)
		*out = w;
	return 0;
}

int loop_watch_mod(struct loop_watch *w, unsigned events)
{
	struct epoll_event ev = { 0 };

	events &= LOOP_READ | LOOP_WRITE;
	if (w->dead)
		return -EBADF;
	if (events == w->events)
		return 0;
	ev.events = to_epoll(events);
	ev.data.ptr = w;
	if (epoll_ctl(w->l->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
		return -errno;
	w->events = events;
	return 0;
}

unsigned loop_watch_events(const struct loop_watch *w)
{
	return w->events;
}

void loop_watch_del(struct loop_watch *w)
{
	struct loop *l;

	if (!w || w->dead)
		return;
	l = w->l;
	/* The fd may already be closed by its owner; EBADF/ENOENT are fine. */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->dead = true;
	if (l->dispatching) {
		/* An event for w may still sit in this iteration's batch. */
		w->next_dead = l->dead;
		l->dead = w;
	} else {
		free(w);
	}
}

static void reap_dead(struct loop *l)
{
	while (l->dead) {
		struct loop_watch *w = l->dead;

		l->dead = w->next_dead;
		free(w);
	}
}

/* ---- timers: binary min-heap on (deadline, seq) ---- */

static bool timer_before(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void heap_set(struct loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->heap_idx = (long)i;
}

static void heap_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!timer_before(t, l->heap[p]))
			break;
		heap_set(l, i, l->heap[p]);
		i = p;
	}
	heap_set(l, i, t);
}

static void heap_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->heap_len)
			break;
		if (c + 1 < l->heap_len && timer_before(l->heap[c + 1], l->heap[c]))
			c++;
		if (!timer_before(l->heap[c], t))
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static void heap_remove(struct loop *l, struct loop_timer *t)
{
	size_t i = (size_t)t->heap_idx;
	struct loop_timer *last;

	t->heap_idx = -1;
	last = l->heap[--l->heap_len];
	if (i == l->heap_len)
		return;
	heap_set(l, i, last);
	if (i > 0 && timer_before(last, l->heap[(i - 1) / 2]))
		heap_up(l, i);
	else
		heap_down(l, i);
}

/* Capacity for every timer that exists, so arming never allocates. */
static int heap_reserve(struct loop *l, size_t want)
{
	struct loop_timer **n;
	size_t cap;

	if (want <= l->heap_cap)
		return 0;
	cap = l->heap_cap ? l->heap_cap * 2 : 16;
	n = realloc(l->heap, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	l->heap = n;
	l->heap_cap = cap;
	return 0;
}

int loop_timer_new(struct loop *l, loop_fn fn, void *arg, struct loop_timer **out)
{
	struct loop_timer *t;

	if (!fn)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (heap_reserve(l, l->n_timers + 1)) {
		free(t);
		return -ENOMEM;
	}
	t->l = l;
	t->fn = fn;
	t->arg = arg;
	t->heap_idx = -1;
	l->n_timers++;
	t->next = l->timers;
	if (l->timers)
		l->timers->prev = t;
	l->timers = t;
	*out = t;
	return 0;
}

void loop_timer_arm(struct loop_timer *t, uint64_t delay_ns)
{
	struct loop *l = t->l;
	uint64_t now = loop_now(l);

	if (t->heap_idx >= 0)
		heap_remove(l, t);
	t->deadline = delay_ns > UINT64_MAX - now ? UINT64_MAX : now + delay_ns;
	t->seq = l->seq++;
	heap_set(l, l->heap_len++, t);
	heap_up(l, l->heap_len - 1);
}

void loop_timer_arm_ms(struct loop_timer *t, uint64_t delay_ms)
{
	loop_timer_arm(t, delay_ms > UINT64_MAX / 1000000u ? UINT64_MAX : delay_ms * 1000000u);
}

void loop_timer_cancel(struct loop_timer *t)
{
	if (t && t->heap_idx >= 0)
		heap_remove(t->l, t);
}

bool loop_timer_armed(const struct loop_timer *t)
{
	return t->heap_idx >= 0;
}

void loop_timer_free(struct loop_timer *t)
{
	struct loop *l;

	if (!t)
		return;
	l = t->l;
	loop_timer_cancel(t);
	if (t->prev)
		t->prev->next = t->next;
	else
		l->timers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	l->n_timers--;
	free(t);
}

int loop_defer(struct loop *l, loop_fn fn, void *arg)
{
	struct loop_timer *t;
	int err = loop_timer_new(l, fn, arg, &t);

	if (err)
		return err;
	t->auto_free = true;
	loop_timer_arm(t, 0);
	return 0;
}

static int run_timers(struct loop *l)
{
	uint64_t now = loop_now(l);
	uint64_t start_seq = l->seq;
	int n = 0;

	/*
	 * Timers armed by these callbacks get seq >= start_seq and wait for
	 * the next iteration, so a timer re-arming itself with delay 0 cannot
	 * starve the fds.
	 */
	while (l->heap_len) {
		struct loop_timer *t = l->heap[0];
		bool auto_free = t->auto_free; /* t may be freed by its callback */

		if (t->deadline > now || t->seq >= start_seq)
			break;
		heap_remove(l, t);
		t->fn(l, t->arg);
		n++;
		if (auto_free)
			loop_timer_free(t);
	}
	return n;
}

/*
 * How long epoll may sleep, in ns (-1: no limit): until the nearest timer
 * or the caller's timeout_ms, whichever is first.
 */
static int64_t next_timeout_ns(struct loop *l, int timeout_ms)
{
	int64_t limit = timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000;
	uint64_t now, d;

	if (!l->heap_len)
		return limit;
	now = loop_now(l);
	if (l->heap[0]->deadline <= now)
		return 0;
	/* An injected clock only moves when the test says so. */
	if (l->clock != mono_now)
		return limit;
	d = l->heap[0]->deadline - now;
	if (d > 3600000000000ull)
		d = 3600000000000ull;
	if (limit >= 0 && (uint64_t)limit < d)
		return limit;
	return (int64_t)d;
}

/*
 * epoll_pwait2() (Linux 5.11) sleeps to the nanosecond, so timers shorter
 * than a millisecond (the I2C wire-time model's frames) fire on time;
 * epoll_wait() rounds up to whole milliseconds and is the fallback.
 */
static int loop_epoll(struct loop *l, struct epoll_event *evs, int64_t timeout_ns)
{
	static bool no_pwait2;
	struct timespec ts;

	if (!no_pwait2) {
		int n;

		ts.tv_sec = timeout_ns / 1000000000;
		ts.tv_nsec = timeout_ns % 1000000000;
		n = epoll_pwait2(l->epfd, evs, LOOP_MAX_EVENTS, timeout_ns < 0 ? NULL : &ts, NULL);
		if (n >= 0 || errno != ENOSYS)
			return n;
		no_pwait2 = true;
	}
	return epoll_wait(l->epfd, evs, LOOP_MAX_EVENTS,
			  timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000));
}

/* ---- signals ---- */

static void on_signalfd(struct loop_watch *w, int fd, unsigned events, void *arg)
{
	struct loop *l = arg;
	struct signalfd_siginfo si;

	(void)w;
	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo < LOOP_NSIG && l->sig[si.ssi_signo].fn)
			l->sig[si.ssi_signo].fn(l, l->sig[si.ssi_signo].arg);
	}
}

int loop_signal_add(struct loop *l, int signo, loop_fn fn, void *arg)
{
	sigset_t one;
	int fd;

	if (signo <= 0 || signo >= LOOP_NSIG || !fn)
		return -EINVAL;
	if (l->sig[signo].fn)
		return -EEXIST;
	sigemptyset(&one);
	sigaddset(&one, signo);
	if (!l->sigmask_saved) {
		if (sigprocmask(SIG_BLOCK, &one, &l->old_sigmask) < 0)
			return -errno;
		l->sigmask_saved = true;
	} else if (sigprocmask(SIG_BLOCK, &one, NULL) < 0) {
		return -errno;
	}
	sigaddset(&l->sigmask, signo);
	fd = signalfd(l->sigfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (l->sigfd < 0) {
		int err;

		l->sigfd = fd;
		err = loop_watch_add(l, fd, LOOP_READ, on_signalfd, l, &l->sigwatch);
		if (err)
			return err;
	}
	l->sig[signo].fn = fn;
	l->sig[signo].arg = arg;
	return 0;
}

/* ---- cleanups ---- */

int loop_cleanup_add(struct loop *l, loop_fn fn, void *arg, struct loop_cleanup **out)
{
	struct loop_cleanup *c = calloc(1, sizeof(*c)), *tail;

	if (!c)
		return -ENOMEM;
	c->l = l;
	c->fn = fn;
	c->arg = arg;
	for (tail = l->cleanups; tail && tail->next; tail = tail->next)
		;
	c->prev = tail;
	if (tail)
		tail->next = c;
	else
		l->cleanups = c;
	if (out)
		*out = c;
	return 0;
}

void loop_cleanup_del(struct loop_cleanup *c)
{
	if (!c)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		c->l->cleanups = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c);
}

void loop_run_cleanups(struct loop *l)
{
	while (l->cleanups) {
		struct loop_cleanup *c = l->cleanups;
		loop_fn fn;
		void *arg;

		while (c->next)
			c = c->next;
		fn = c->fn;
		arg = c->arg;
		/* Unlink first: the hook may add or remove other hooks. */
		loop_cleanup_del(c);
		fn(l, arg);
	}
}

/* ---- running ---- */

int loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];
	int n, ran = 0;

	n = loop_epoll(l, evs, next_timeout_ns(l, timeout_ms));
	if (n < 0) {
		if (errno != EINTR)
			return -errno;
		n = 0;
	}
	l->dispatching++;
	for (int i = 0; i < n; i++) {
		struct loop_watch *w = evs[i].data.ptr;
		unsigned ev = 0;

		if (w->dead)
			continue;
		if (evs[i].events & (EPOLLIN | EPOLLRDHUP))
			ev |= LOOP_READ;
		if (evs[i].events & EPOLLOUT)
			ev |= LOOP_WRITE;
		if (evs[i].events & (EPOLLERR | EPOLLHUP))
			ev |= LOOP_ERROR;
		w->fn(w, w->fd, ev, w->arg);
		ran++;
	}
	ran += run_timers(l);
	l->dispatching--;
	reap_dead(l);
	return ran;
}

int loop_run(struct loop *l)
{
	int code;

	while (!l->stopped) {
		int err = loop_run_once(l, -1);

		if (err < 0) {
			log_err("loop: epoll_wait: %s", strerror(-err));
			l->stopped = true;
			l->code = err;
		}
	}
	code = l->code;
	l->stopped = false;
	l->code = 0;
	return code;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	loop_run_cleanups(l);
	while (l->timers) {
		if (!l->timers->auto_free)
			log_dbg("loop: freeing a timer its owner did not free");
		loop_timer_free(l->timers);
	}
	loop_watch_del(l->sigwatch);
	if (l->sigfd >= 0) {
		struct signalfd_siginfo si;

		/*
		 * A signal of ours that came after the last dispatch (a second
		 * SIGTERM during shutdown) was the loop's to handle: consume it,
		 * or unblocking it below would act on it (the default action,
		 * for SIGTERM exit status 143 instead of the clean 0).
		 */
		while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			log_dbg("loop: signal %u during shutdown ignored", si.ssi_signo);
		close(l->sigfd);
	}
	if (l->sigmask_saved)
		sigprocmask(SIG_SETMASK, &l->old_sigmask, NULL);
	reap_dead(l);
	free(l->heap);
	close(l->epfd);
	free(l);
}
