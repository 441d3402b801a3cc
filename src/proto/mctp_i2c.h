/* SPDX-License-Identifier: MIT */
/*
 * MCTP over SMBus/I2C (DMTF DSP0237 1.2), frame = one SMBus Block Write:
 *
 *   byte 0      destination slave address: 7-bit address << 1, bit 0 = 0 (write)
 *   byte 1      command code 0x0F ("MCTP")
 *   byte 2      byte count: bytes that follow up to, not including, the PEC
 *               (source address + MCTP packet)
 *   byte 3      source slave address: 7-bit address << 1, bit 0 = 1
 *   bytes 4..   MCTP packet (transport header + payload, see mctp.h)
 *   last byte   PEC: SMBus CRC-8 over bytes 0 .. last packet byte
 *
 * (DSP0237 "MCTP over SMBus/I2C packet format", figure "MCTP over SMBus
 * packet format".) On decode bit 0 of both address bytes is ignored, as
 * Linux's mctp-i2c does: it is the R/W bit of the SMBus transaction, not
 * part of the address. Pure codec, no I/O.
 */
#ifndef CXLFM_PROTO_MCTP_I2C_H
#define CXLFM_PROTO_MCTP_I2C_H

#include <stddef.h>
#include <stdint.h>

#include "proto/mctp.h"

#define MCTP_I2C_CMD_CODE 0x0f
#define MCTP_I2C_HDR_LEN 4u /* dest addr, command code, byte count, source addr */
#define MCTP_I2C_PEC_LEN 1u
#define MCTP_I2C_ADDR_MAX 0x7f
/* The byte count is 8 bits (SMBus 3.0 block transfers allow 255 bytes). */
#define MCTP_I2C_BYTE_COUNT_MAX 255u
/* Largest MCTP packet payload: 255 - source address - transport header = 250. */
#define MCTP_I2C_MTU_MAX (MCTP_I2C_BYTE_COUNT_MAX - 1u - MCTP_HDR_LEN)
/* Largest MCTP packet (header + payload) and whole frame. */
#define MCTP_I2C_PKT_MAX (MCTP_HDR_LEN + MCTP_I2C_MTU_MAX)
#define MCTP_I2C_FRAME_MAX (MCTP_I2C_HDR_LEN + MCTP_I2C_PKT_MAX + MCTP_I2C_PEC_LEN)
/* Smallest valid frame carries a bare transport header. */
#define MCTP_I2C_FRAME_MIN (MCTP_I2C_HDR_LEN + MCTP_HDR_LEN + MCTP_I2C_PEC_LEN)
/* Frame length for an MCTP packet of n bytes. */
#define MCTP_I2C_FRAME_LEN(n) (MCTP_I2C_HDR_LEN + (n) + MCTP_I2C_PEC_LEN)

_Static_assert(MCTP_I2C_MTU_MAX == 250, "DSP0237 payload limit");
_Static_assert(MCTP_I2C_MTU_MAX >= MCTP_BTU && MCTP_I2C_MTU_MAX <= MCTP_MTU_MAX,
	       "binding MTU within core limits");

/* A decoded frame: pkt points into the frame buffer. */
struct mctp_i2c_frame {
	uint8_t dest; /* 7-bit destination address */
	uint8_t src;  /* 7-bit source address */
	const uint8_t *pkt;
	size_t pkt_len;
};

/*
 * SMBus PEC (SMBus 3.0 "Packet Error Checking"): CRC-8, polynomial
 * x^8 + x^2 + x + 1 (0x07), initial value 0, no reflection, no final XOR,
 * over buf[0..len).
 */
uint8_t mctp_i2c_pec(const uint8_t *buf, size_t len);

/*
 * Build a frame from a complete MCTP packet. pkt may already sit at
 * buf + MCTP_I2C_HDR_LEN (headroom reserved by the caller): then nothing is
 * copied. Returns the frame length (MCTP_I2C_FRAME_LEN(pkt_len)), -EINVAL for
 * an address > 0x7f, a NULL packet or pkt_len < MCTP_HDR_LEN, -EMSGSIZE if
 * pkt_len > MCTP_I2C_PKT_MAX or buf is too small.
 */
int mctp_i2c_encode(uint8_t dest7, uint8_t src7, const uint8_t *pkt,
		    size_t pkt_len, uint8_t *buf, size_t len);

/*
 * Check and split one received frame. Returns 0 with f filled, or
 * -EMSGSIZE  shorter than MCTP_I2C_FRAME_MIN, or the byte count does not
 *            match the frame length,
 * -EPROTO    command code is not 0x0F,
 * -EBADMSG   PEC mismatch.
 */
int mctp_i2c_decode(const uint8_t *frame, size_t len, struct mctp_i2c_frame *f);

#endif
