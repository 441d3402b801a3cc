/* SPDX-License-Identifier: MIT */
/*
 * A type-3 device's non-volatile state: what a real device keeps across
 * power cycles outside its media (shutdown state and dirty shutdown count,
 * firmware slots, security state and passphrases, feature settings, health
 * and alert settings, the volatile / persistent partition). It lives in one small memory region the caller
 * hands in (cxl-emu maps a file beside the backing memory, see
 * docs/cxl-emu.md); without one it is private memory and lasts as long as
 * the device.
 *
 * The region starts with a header naming the format and the device's
 * serial number; a region that is not ours (another format, another
 * version, another device, garbage) is started fresh, with a warning,
 * never trusted. Each section belongs to one module, which validates what
 * it reads back. Accesses are guarded (util/memguard.h): a truncated file
 * reads as fresh and fails writes with -EIO, logged once.
 */
#ifndef CXLFM_DEV_T3_NV_H
#define CXLFM_DEV_T3_NV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define T3_NV_SIZE 16384u

struct t3_dev;

/* The sections; offsets and sizes in t3_nv.c. */
enum t3_nv_sec {
	T3_NV_SHUTDOWN,  /* 64 bytes:  4203h/4204h shutdown state, dirty shutdown count */
	T3_NV_FW,        /* 1 KiB:     0200h-0202h slots, revisions, active / staged */
	T3_NV_SECURITY,  /* 512 bytes: 4500h-4505h state, passphrases, retry counts */
	T3_NV_FEATURES,  /* 2 KiB:     0500h-0502h saved feature settings */
	T3_NV_HEALTH,    /* 512 bytes: 4200h-4202h alert configuration, life used */
	T3_NV_PARTITION, /* 64 bytes:  4100h/4101h active and next volatile partition */
	T3_NV_COUNT,
};

/* Bytes of a section. */
size_t t3_nv_size(enum t3_nv_sec s);
/*
 * Copy a section out (len <= its size) or in. Returns 0, or -EIO when the
 * region faults (its file was truncated, its filesystem is full).
 */
int t3_nv_load(struct t3_dev *dev, enum t3_nv_sec s, void *buf, size_t len);
int t3_nv_store(struct t3_dev *dev, enum t3_nv_sec s, const void *buf, size_t len);
/* True when the device started with no state of its own (a new or a
 * foreign region): modules then start from their defaults. */
bool t3_nv_fresh(const struct t3_dev *dev);

#endif
