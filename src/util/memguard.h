/* SPDX-License-Identifier: MIT */
/*
 * Accesses to memory that can vanish under us without killing the process.
 *
 * A MAP_SHARED mapping faults with SIGBUS when the page it touches no longer
 * exists: another process truncated the object (the forwarding buffer is
 * shared with a peer), or the filesystem behind a sparse backing file has
 * no block left for a page touched first. Checking the size first does not
 * help (the peer can truncate between the check and the access), so the
 * access itself runs under a guard: a SIGBUS whose fault address lies in
 * the range the caller named returns control to the guard, which reports
 * -EFAULT. Any other SIGBUS (outside a guard, or at an address outside
 * the range) gets the disposition it had before, the default one ends the
 * process as before.
 *
 * The handler is put in place by the first guard and stays; the active
 * guard is per thread. Guards nest. The function run under a guard must
 * leave nothing half done that matters when it is cut short (no lock held,
 * no allocation): copy data in or out, nothing else.
 */
#ifndef CXLFM_UTIL_MEMGUARD_H
#define CXLFM_UTIL_MEMGUARD_H

#include <stddef.h>

typedef int (*memguard_fn)(void *arg);

/*
 * Put the handler in place (again). The first guard does it; call this
 * after installing another SIGBUS handler (a test harness does, per test),
 * which then gets the faults that are not ours.
 */
void memguard_install(void);

/*
 * Run fn(arg), which may touch [base, base + len). Returns 0 with fn's
 * result in *ret, or -EFAULT if an access in that range raised SIGBUS (fn
 * did not finish; *ret is untouched).
 */
int memguard_run(const void *base, size_t len, memguard_fn fn, void *arg, int *ret);
/* memcpy and memset under a guard over the bytes they touch: 0 or -EFAULT. */
int memguard_copy(void *dst, const void *src, size_t len);
int memguard_set(void *dst, int c, size_t len);

#endif
