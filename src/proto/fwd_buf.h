/* SPDX-License-Identifier: MIT */
/*
 * The forwarding buffer of the QEMU FM-emulation RFC (docs/forwarding.md,
 * ../shared/ref/rfc-forwarding.md): one 1064-byte slot, laid out as the RFC's
 * C struct compiles on x86-64 (natural alignment, little endian):
 *
 *    0  4  status       1 = request posted, 0 = completed / idle
 *    8  1  command_set  opcode high byte
 *    9  1  command      opcode low byte
 *   16  8  len_in       request payload bytes
 *   24  8  len_out      response payload bytes
 *   32 512 payload      request payload
 *  544 512 payload_out  response payload
 * 1056  1  bg_started
 * 1060  4  ret_val      CXL return code
 *
 * With mctp-buf-slots=N the object holds N such slots back to back; N = 1
 * is exactly the RFC's buffer. The memory is shared with another process
 * that may write anything at any time: every field is read once into a
 * local, validated, and only then used. Status is the handshake word: it is
 * written last with release order and read first with acquire order.
 */
#ifndef CXLFM_PROTO_FWD_BUF_H
#define CXLFM_PROTO_FWD_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FWD_SLOT_SIZE 1064u
#define FWD_PAYLOAD_MAX 512u /* MCTP_CXL_MAILBOX_BYTES in the RFC */
#define FWD_OFF_STATUS 0u
#define FWD_OFF_CMD_SET 8u
#define FWD_OFF_CMD 9u
#define FWD_OFF_LEN_IN 16u
#define FWD_OFF_LEN_OUT 24u
#define FWD_OFF_PAYLOAD 32u
#define FWD_OFF_PAYLOAD_OUT 544u
#define FWD_OFF_BG 1056u
#define FWD_OFF_RET 1060u

enum fwd_status {
	FWD_STATUS_IDLE = 0,   /* completed, or never used */
	FWD_STATUS_POSTED = 1, /* request waiting for the target */
};

struct fwd_msg {
	uint16_t opcode;
	uint16_t rc;   /* responses: CXL return code */
	bool bg;       /* responses: background operation started */
	size_t len;
	uint8_t payload[FWD_PAYLOAD_MAX];
};

/* FM side: write a request into slot and mark it posted. -EMSGSIZE if len > 512. */
int fwd_slot_post(uint8_t *slot, uint16_t opcode, const uint8_t *payload, size_t len);
/*
 * Target side: read the posted request. -EAGAIN if status is idle (nothing
 * posted), -EPROTO for a status that is neither 0 nor 1, -EMSGSIZE for
 * len_in over 512.
 */
int fwd_slot_read_req(const uint8_t *slot, struct fwd_msg *req);
/* Target side: write the response and mark the slot idle. -EMSGSIZE if len > 512. */
int fwd_slot_complete(uint8_t *slot, uint16_t rc, bool bg, const uint8_t *payload,
		      size_t len);
/*
 * FM side: read the response once the target said it is done. -EINPROGRESS
 * if still posted, -EPROTO for a bad status, -EMSGSIZE for len_out over
 * 512, -EBADMSG for a ret_val that is no CXL return code.
 */
int fwd_slot_read_rsp(const uint8_t *slot, struct fwd_msg *rsp);
/* Status word as it is now (for logs and tests). */
uint32_t fwd_slot_status(const uint8_t *slot);

#endif
