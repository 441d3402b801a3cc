/* SPDX-License-Identifier: MIT */
/*
 * The memdev socket (docs/preload.md "/dev/cxl/memN"): cxl-emu serves each
 * type-3 device's host mailbox on <run-dir>/memN, a SOCK_SEQPACKET UNIX
 * socket, and libcxlfm-mctp-preload.so plays Linux's cxl_pci and cxl_core
 * on it for programs that open /dev/cxl/memN. One message per datagram,
 * every field little endian, every length exact:
 *
 *   HELLO, the server's first message on a connection (what the kernel
 *   learns when it binds the device: its mailbox and its Command Effects Log)
 *     0  1  type 01h
 *     1  1  version (1)
 *     2  2  flags: bit 0 the device has persistent capacity (Linux's cxl_pmem
 *           then holds Set LSA and Set Shutdown State); others reserved, 0
 *     4  4  payload size of the mailbox (CXL r3.1 §8.2.8.4.3: 2^n, 256 B..1 MiB)
 *     8  8  serial number
 *    16  4  CEL length n (a multiple of 4)
 *    20  n  the Command Effects Log, as Get Log returns it (CXL r3.1 §8.2.9.5.2.1)
 *
 *   REQUEST, client to server: one mailbox command
 *     0  1  type 02h
 *     1  1  version
 *     2  2  opcode
 *     4  4  tag (echoed in the response)
 *     8  4  payload length n (at most the mailbox's payload size)
 *    12  n  payload
 *
 *   RESPONSE, server to client: the mailbox's answer
 *     0  1  type 03h
 *     1  1  version
 *     2  2  return code (CXL r3.1 Table 8-34)
 *     4  4  tag of the request
 *     8  4  payload length n
 *    12  8  the Background Command Status Register after the command
 *           (CXL r3.1 §8.2.8.4.7: 15:0 opcode, 22:16 percent complete,
 *           47:32 return code, 63:48 vendor status; other bits 0)
 *    20  n  payload
 *
 * Pure codec: no I/O, no allocation. Decoders return 0, -EBADMSG for
 * anything malformed (wrong type or length, reserved bits set, a length
 * over its limit) or -EPROTONOSUPPORT for another version; decoded
 * payload pointers point into the caller's buffer.
 */
#ifndef CXLFM_PROTO_MEMDEV_WIRE_H
#define CXLFM_PROTO_MEMDEV_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define MEMDEV_WIRE_VERSION 1
#define MEMDEV_WIRE_HELLO 0x01
#define MEMDEV_WIRE_REQUEST 0x02
#define MEMDEV_WIRE_RESPONSE 0x03

#define MEMDEV_WIRE_HELLO_LEN 20u
#define MEMDEV_WIRE_REQ_LEN 12u
#define MEMDEV_WIRE_RSP_LEN 20u
/* The largest mailbox payload (the kernel caps the register's 2^n at SZ_1M). */
#define MEMDEV_WIRE_PAYLOAD_MIN 256u
#define MEMDEV_WIRE_PAYLOAD_MAX (1u << 20)
/* A CEL has one 4-byte entry per opcode; 4096 entries is every opcode of 16 sets. */
#define MEMDEV_WIRE_CEL_MAX (4u * 4096u)

#define MEMDEV_HELLO_PMEM 0x0001u

struct memdev_hello {
	uint16_t flags;        /* MEMDEV_HELLO_* */
	uint32_t payload_size;
	uint64_t serial;
	const uint8_t *cel;
	uint32_t cel_len;
};

struct memdev_req {
	uint16_t opcode;
	uint32_t tag;
	const uint8_t *payload;
	uint32_t len;
};

struct memdev_rsp {
	uint16_t rc;
	uint32_t tag;
	uint64_t bg;           /* Background Command Status Register */
	const uint8_t *payload;
	uint32_t len;
};

/* Encoders: the message's length, or -EINVAL (a field out of its range) or
 * -EMSGSIZE (buf smaller than the message). */
int memdev_wire_hello_encode(const struct memdev_hello *h, uint8_t *buf, size_t max);
int memdev_wire_req_encode(const struct memdev_req *r, uint8_t *buf, size_t max);
int memdev_wire_rsp_encode(const struct memdev_rsp *r, uint8_t *buf, size_t max);

int memdev_wire_hello_decode(const uint8_t *buf, size_t len, struct memdev_hello *h);
/* payload_max: the mailbox's payload size; a longer request is malformed. */
int memdev_wire_req_decode(const uint8_t *buf, size_t len, uint32_t payload_max,
			   struct memdev_req *r);
int memdev_wire_rsp_decode(const uint8_t *buf, size_t len, uint32_t payload_max,
			   struct memdev_rsp *r);

/* The Background Command Status Register (CXL r3.1 §8.2.8.4.7). */
#define MEMDEV_BG_RSVD_MASK 0x00000000ff800000ull /* bits 31:23 */
static inline uint64_t memdev_bg_make(uint16_t opcode, uint8_t pct, uint16_t rc,
				      uint16_t vendor)
{
	return opcode | (uint64_t)(pct & 0x7f) << 16 | (uint64_t)rc << 32 |
	       (uint64_t)vendor << 48;
}
static inline uint16_t memdev_bg_opcode(uint64_t r) { return (uint16_t)r; }
static inline uint8_t memdev_bg_pct(uint64_t r) { return (uint8_t)((r >> 16) & 0x7f); }
static inline uint16_t memdev_bg_rc(uint64_t r) { return (uint16_t)(r >> 32); }
static inline uint16_t memdev_bg_vendor(uint64_t r) { return (uint16_t)(r >> 48); }

#endif
