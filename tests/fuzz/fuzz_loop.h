/* SPDX-License-Identifier: MIT */
/* Shared by the fuzz targets that run cxl-emu's event loop on an injected clock. */
#ifndef CXLFM_FUZZ_LOOP_H
#define CXLFM_FUZZ_LOOP_H

#include "emu/loop.h"
#include "fuzz.h"

/*
 * Run l until nothing is due at the current (injected) time, calling
 * after(arg) after every iteration (to read what the code under test sent
 * and check it). A loop that keeps finding work fails the input.
 */
static inline void fz_settle(struct loop *l, void (*after)(void *arg), void *arg)
{
	for (int i = 0; i < 10000; i++) {
		int n = loop_run_once(l, 0);

		assert(n >= 0);
		after(arg);
		if (n == 0)
			return;
	}
	assert(0 && "the loop does not settle");
}

#endif
