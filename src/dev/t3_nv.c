/* SPDX-License-Identifier: MIT */
#include "dev/t3_nv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dev/t3_priv.h"
#include "proto/le.h"
#include "util/log.h"
#include "util/memguard.h"

/*
 * Header, 64 bytes, little-endian: 0 magic "CXLFMNV1", 8 format version,
 * 12 region size, 16 serial number of the device it belongs to. Sections
 * follow at fixed offsets, each the property of one module.
 */
#define NV_MAGIC "CXLFMNV1"
#define NV_VERSION 1u
#define NV_HDR_LEN 64u

static const struct {
	uint32_t off, len;
} nv_secs[T3_NV_COUNT] = {
	[T3_NV_SHUTDOWN] = { 0x0040, 0x0040 },
	[T3_NV_FW] = { 0x0080, 0x0400 },
	[T3_NV_SECURITY] = { 0x0480, 0x0200 },
	[T3_NV_FEATURES] = { 0x0680, 0x0800 },
	[T3_NV_HEALTH] = { 0x0e80, 0x0200 },
	[T3_NV_PARTITION] = { 0x1080, 0x0040 },
};

_Static_assert(0x1080 + 0x0040 <= T3_NV_SIZE, "sections fit the region");

size_t t3_nv_size(enum t3_nv_sec s)
{
	return s < T3_NV_COUNT ? nv_secs[s].len : 0;
}

static void nv_fault(struct t3_dev *dev, const char *what)
{
	if (!dev->nv_fault_logged)
		log_warn("dev %s: its non-volatile state cannot be %s (file truncated or "
			 "filesystem full): later changes are lost", dev->id, what);
	dev->nv_fault_logged = true;
}

int t3_nv_load(struct t3_dev *dev, enum t3_nv_sec s, void *buf, size_t len)
{
	if (s >= T3_NV_COUNT || len > nv_secs[s].len)
		return -EINVAL;
	if (memguard_copy(buf, dev->nv + nv_secs[s].off, len)) {
		nv_fault(dev, "read");
		memset(buf, 0, len);
		return -EIO;
	}
	return 0;
}

int t3_nv_store(struct t3_dev *dev, enum t3_nv_sec s, const void *buf, size_t len)
{
	if (s >= T3_NV_COUNT || len > nv_secs[s].len)
		return -EINVAL;
	if (memguard_copy(dev->nv + nv_secs[s].off, buf, len)) {
		nv_fault(dev, "written");
		return -EIO;
	}
	return 0;
}

bool t3_nv_fresh(const struct t3_dev *dev)
{
	return dev->nv_fresh;
}

/* Take the caller's region if it is ours, else start it (or private memory) fresh. */
static int nv_attach(struct t3_dev *dev)
{
	uint8_t hdr[NV_HDR_LEN], want[NV_HDR_LEN] = { 0 }, zero[NV_HDR_LEN] = { 0 };

	memcpy(want, NV_MAGIC, 8);
	le32_put(want + 8, NV_VERSION);
	le32_put(want + 12, T3_NV_SIZE);
	le64_put(want + 16, dev->cfg.serial);
	if (!dev->cfg.nv_mem || dev->cfg.nv_size < T3_NV_SIZE) {
		if (dev->cfg.nv_mem)
			log_warn("dev %s: non-volatile state region of %zu bytes is too small "
				 "(%u): kept in memory only", dev->id, dev->cfg.nv_size,
				 T3_NV_SIZE);
		dev->nv_own = calloc(1, T3_NV_SIZE);
		if (!dev->nv_own)
			return -ENOMEM;
		dev->nv = dev->nv_own;
		memcpy(dev->nv, want, NV_HDR_LEN);
		dev->nv_fresh = true;
		return 0;
	}
	dev->nv = dev->cfg.nv_mem;
	if (memguard_copy(hdr, dev->nv, NV_HDR_LEN)) {
		nv_fault(dev, "read");
		dev->nv_fresh = true;
		return 0;
	}
	if (!memcmp(hdr, want, NV_HDR_LEN))
		return 0;
	if (memcmp(hdr, zero, NV_HDR_LEN))
		log_warn("dev %s: its non-volatile state file holds another device's or "
			 "format's state (not sn %" PRIu64 ", format %u): starting it fresh",
			 dev->id, dev->cfg.serial, NV_VERSION);
	dev->nv_fresh = true;
	if (memguard_set(dev->nv, 0, T3_NV_SIZE) || memguard_copy(dev->nv, want, NV_HDR_LEN))
		nv_fault(dev, "written");
	return 0;
}

/*
 * Power on: the region attached, the modules that keep state in it load and
 * check their sections (t3_mem_priv.h: partition, shutdown state, health),
 * as a device does at power-up before it answers its first command.
 */
int t3_nv_open(struct t3_dev *dev)
{
	int rc = nv_attach(dev);

	return rc ? rc : t3_mem_power_on(dev);
}

/* An orderly power-off (the device is destroyed): the modules record it. */
void t3_nv_close(struct t3_dev *dev)
{
	t3_mem_power_off(dev, dev->nv != NULL);
	free(dev->nv_own);
	dev->nv_own = NULL;
	dev->nv = NULL;
}
