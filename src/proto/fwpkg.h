/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmemu's firmware package format: what a type-3 device model accepts
 * through Transfer FW (CXL r3.1 §8.2.9.3.2) and libcxlfm builds. The CXL
 * specification leaves the package format to the vendor (it only says the
 * device verifies the package before it stores it in a slot, and answers FW
 * Verification Failed otherwise), so this is ours:
 *
 *   0x00  8  magic "CXLFMFW1"
 *   0x08 16  FW revision, ASCII, NUL-padded (at least one printable
 *            character, no control characters): what Get FW Info reports
 *            for the slot and Identify Memory Device for the active one
 *   0x18  4  package length in bytes, header included (little endian)
 *   0x1c  4  CRC-32 (IEEE 802.3, as zlib's crc32()) of bytes 0x20..length
 *   0x20  ..  payload (any bytes; may be empty)
 *
 * The parser is incremental: a package arrives in parts (Initiate /
 * Continue / End) and is never held whole, only its header and the
 * running CRC. Pure: no I/O, no allocation.
 */
#ifndef CXLFM_PROTO_FWPKG_H
#define CXLFM_PROTO_FWPKG_H

#include <stddef.h>
#include <stdint.h>

#define FWPKG_MAGIC "CXLFMFW1"
#define FWPKG_HDR_LEN 32u
#define FWPKG_REV_LEN 16u

/* What a verified package says about itself. */
struct fwpkg_info {
	char rev[FWPKG_REV_LEN + 1]; /* NUL-terminated */
	uint32_t len;                /* whole package */
	uint32_t crc;                /* payload CRC-32 */
};

/* Receive state: the header so far and the payload's running CRC. */
struct fwpkg_rx {
	uint8_t hdr[FWPKG_HDR_LEN];
	uint64_t have;               /* bytes fed */
	uint32_t crc_reg;            /* CRC-32 register over the payload */
};

/* CRC-32 (reflected 0xEDB88320); start with crc = 0, chain the results. */
uint32_t fwpkg_crc32(uint32_t crc, const void *buf, size_t len);

void fwpkg_rx_init(struct fwpkg_rx *rx);
/* The next len bytes of the package, in order. */
void fwpkg_rx_feed(struct fwpkg_rx *rx, const uint8_t *p, size_t len);
/*
 * After the last byte: 0 and *info when the package is whole and sound;
 * -EBADMSG when it is not ours or damaged (why, for a log, in *why).
 */
int fwpkg_rx_verify(const struct fwpkg_rx *rx, struct fwpkg_info *info, const char **why);

/*
 * Whether rev is a revision a package may carry: 1..16 bytes, printable
 * ASCII (0x20-0x7e), not all spaces. n is the bytes to look at (stops at
 * a NUL).
 */
int fwpkg_rev_ok(const char *rev, size_t n);

/*
 * Build a package of rev (fwpkg_rev_ok) and payload into out. Returns the
 * package length, -EINVAL for a bad revision, -EMSGSIZE when out_max is too
 * small or the package would pass 4 GiB.
 */
long fwpkg_build(const char *rev, const void *payload, size_t len, uint8_t *out,
		 size_t out_max);

#endif
