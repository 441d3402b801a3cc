/* SPDX-License-Identifier: MIT */
#include "util/memguard.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct guard {
	uintptr_t lo[2], hi[2]; /* guarded ranges [lo, hi) */
	sigjmp_buf env;
	struct guard *outer;
};

/* Read by the handler: initial-exec TLS is safe to touch in a signal handler. */
static _Thread_local struct guard *volatile cur __attribute__((tls_model("initial-exec")));
static struct sigaction prev;
static bool installed;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;

	(void)uc;
	/* si_code > 0: raised by the kernel for a fault, not sent by kill() */
	for (struct guard *g = cur; g && si->si_code > 0; g = g->outer)
		for (unsigned i = 0; i < 2; i++)
			if (a >= g->lo[i] && a < g->hi[i]) {
				cur = g->outer;
				siglongjmp(g->env, 1);
			}
	/*
	 * Not ours: back to what was there before. Returning re-runs the
	 * faulting access, which now meets that disposition; a signal sent
	 * by a process is raised again.
	 */
	sigaction(sig, &prev, NULL);
	if (si->si_code <= 0)
		raise(sig);
}

/*
 * Make on_sigbus the SIGBUS handler, keeping what was there as the
 * disposition for faults that are not ours.
 */
void memguard_install(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus }, now;

	if (sigaction(SIGBUS, NULL, &now) || ((now.sa_flags & SA_SIGINFO) &&
					      now.sa_sigaction == on_sigbus))
		return;
	/*
	 * SA_NODEFER and an empty mask: the handler runs with the mask of the
	 * code it interrupted, so jumping out of it needs no mask restore
	 * (sigsetjmp(env, 0): no system call for that).
	 */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &prev);
}

static int run(struct guard *g, memguard_fn fn, void *arg, int *ret)
{
	int r;

	/* Once: a guarded access costs no system call (forwarding does several per request). */
	if (!installed) {
		memguard_install();
		installed = true;
	}
	g->outer = cur;
	if (sigsetjmp(g->env, 0))
		return -EFAULT; /* the handler restored cur */
	cur = g;
	r = fn(arg);
	cur = g->outer;
	*ret = r;
	return 0;
}

int memguard_run(const void *base, size_t len, memguard_fn fn, void *arg, int *ret)
{
	struct guard g = { .lo = { (uintptr_t)base }, .hi = { (uintptr_t)base + len } };

	return run(&g, fn, arg, ret);
}

struct mem_op {
	void *dst;
	const void *src;
	int c;
	size_t len;
};

static int do_copy(void *arg)
{
	struct mem_op *op = arg;

	memcpy(op->dst, op->src, op->len);
	return 0;
}

static int do_set(void *arg)
{
	struct mem_op *op = arg;

	memset(op->dst, op->c, op->len);
	return 0;
}

int memguard_copy(void *dst, const void *src, size_t len)
{
	struct mem_op op = { .dst = dst, .src = src, .len = len };
	struct guard g = {
		.lo = { (uintptr_t)dst, (uintptr_t)src },
		.hi = { (uintptr_t)dst + len, (uintptr_t)src + len },
	};
	int r;

	return run(&g, do_copy, &op, &r);
}

int memguard_set(void *dst, int c, size_t len)
{
	struct mem_op op = { .dst = dst, .c = c, .len = len };
	struct guard g = { .lo = { (uintptr_t)dst }, .hi = { (uintptr_t)dst + len } };
	int r;

	return run(&g, do_set, &op, &r);
}
