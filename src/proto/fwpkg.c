/* SPDX-License-Identifier: MIT */
#include "proto/fwpkg.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "proto/le.h"

#define OFF_REV 0x08u
#define OFF_LEN 0x18u
#define OFF_CRC 0x1cu

/* One bit at a time: packages are small and this runs once per byte. */
static uint32_t crc_step(uint32_t reg, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		reg ^= p[i];
		for (int b = 0; b < 8; b++)
			reg = (reg >> 1) ^ (0xedb88320u & (0u - (reg & 1u)));
	}
	return reg;
}

uint32_t fwpkg_crc32(uint32_t crc, const void *buf, size_t len)
{
	return ~crc_step(~crc, buf, len);
}

void fwpkg_rx_init(struct fwpkg_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
	rx->crc_reg = 0xffffffffu;
}

void fwpkg_rx_feed(struct fwpkg_rx *rx, const uint8_t *p, size_t len)
{
	if (!len)
		return;
	if (rx->have < FWPKG_HDR_LEN) {
		size_t n = FWPKG_HDR_LEN - (size_t)rx->have;

		if (n > len)
			n = len;
		memcpy(rx->hdr + rx->have, p, n);
		rx->have += n;
		p += n;
		len -= n;
	}
	rx->crc_reg = crc_step(rx->crc_reg, p, len);
	rx->have += len;
}

int fwpkg_rev_ok(const char *rev, size_t n)
{
	bool seen = false;
	size_t i;

	for (i = 0; i < n && rev[i]; i++) {
		if (rev[i] < 0x20 || rev[i] > 0x7e)
			return 0;
		seen |= rev[i] != ' ';
	}
	/* NUL padding only after the text */
	for (; i < n; i++)
		if (rev[i])
			return 0;
	return seen;
}

int fwpkg_rx_verify(const struct fwpkg_rx *rx, struct fwpkg_info *info, const char **why)
{
	const char *reason = NULL;
	uint32_t len = 0, crc = 0;

	if (rx->have < FWPKG_HDR_LEN || memcmp(rx->hdr, FWPKG_MAGIC, 8)) {
		reason = "not a cxl-fmemu firmware package (magic)";
	} else {
		len = le32_get(rx->hdr + OFF_LEN);
		crc = le32_get(rx->hdr + OFF_CRC);
		if (len != rx->have)
			reason = "package length differs from the bytes transferred";
		else if (!fwpkg_rev_ok((const char *)rx->hdr + OFF_REV, FWPKG_REV_LEN))
			reason = "revision is not printable ASCII";
		else if (~rx->crc_reg != crc)
			reason = "payload CRC-32 mismatch";
	}
	if (why)
		*why = reason;
	if (reason)
		return -EBADMSG;
	memset(info, 0, sizeof(*info));
	memcpy(info->rev, rx->hdr + OFF_REV, FWPKG_REV_LEN);
	info->len = len;
	info->crc = crc;
	return 0;
}

long fwpkg_build(const char *rev, const void *payload, size_t len, uint8_t *out,
		 size_t out_max)
{
	size_t rlen = strnlen(rev, FWPKG_REV_LEN + 1);

	if (rlen > FWPKG_REV_LEN || !fwpkg_rev_ok(rev, rlen))
		return -EINVAL;
	if (len > 0xffffffffu - FWPKG_HDR_LEN || out_max < FWPKG_HDR_LEN + len)
		return -EMSGSIZE;
	memset(out, 0, FWPKG_HDR_LEN);
	memcpy(out, FWPKG_MAGIC, 8);
	memcpy(out + OFF_REV, rev, rlen);
	le32_put(out + OFF_LEN, (uint32_t)(FWPKG_HDR_LEN + len));
	le32_put(out + OFF_CRC, fwpkg_crc32(0, payload, len));
	if (len)
		memmove(out + FWPKG_HDR_LEN, payload, len);
	return (long)(FWPKG_HDR_LEN + len);
}
