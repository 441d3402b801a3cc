/* SPDX-License-Identifier: MIT */
/*
 * CXL Component Command Interface message (CXL r3.1 §7.6.3, Figure 7-19 "CCI
 * Message Format"), as carried over MCTP message types 0x07 (FM API) and 0x08
 * (CXL component command set), inside Tunnel Management Command payloads, and
 * as the opcode/payload pair of the forwarding buffer. Pure codec: no I/O.
 *
 *   byte 0      bits[3:0] category (0 request, 1 response), bits[7:4] rsvd
 *   byte 1      message tag
 *   byte 2      reserved
 *   bytes 3-4   command opcode, LE (byte 3 = command, byte 4 = command set)
 *   bytes 5-7   bits[20:0] payload length, bits[22:21] rsvd,
 *               bit[23] background operation (BO)
 *   bytes 8-9   return code (responses)
 *   bytes 10-11 vendor specific extended status
 */
#ifndef CXLFM_PROTO_CCI_H
#define CXLFM_PROTO_CCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CCI_HDR_LEN 12u
#define CCI_PL_LEN_MASK 0x1fffffu /* 21 bits */
#define CCI_BO_BIT (1u << 23)

enum cci_category {
	CCI_CAT_REQ = 0,
	CCI_CAT_RSP = 1,
};

struct cci_hdr {
	uint8_t category;  /* enum cci_category */
	uint8_t tag;
	uint16_t opcode;   /* command set << 8 | command */
	uint32_t pl_len;   /* payload bytes following the header */
	bool bg;           /* BO bit */
	uint16_t rc;       /* enum cxl_rc, meaningful in responses */
	uint16_t vendor_status;
};

/*
 * CXL return codes, CXL r3.1 Table 8-34 "Command Return Codes" (0x00-0x20),
 * values as QEMU and Linux use them.
 */
enum cxl_rc {
	CXL_RC_SUCCESS = 0x00,
	CXL_RC_BG_STARTED = 0x01,
	CXL_RC_INVALID_INPUT = 0x02,
	CXL_RC_UNSUPPORTED = 0x03,
	CXL_RC_INTERNAL_ERROR = 0x04,
	CXL_RC_RETRY_REQUIRED = 0x05,
	CXL_RC_BUSY = 0x06,
	CXL_RC_MEDIA_DISABLED = 0x07,
	CXL_RC_FW_XFER_IN_PROGRESS = 0x08,
	CXL_RC_FW_XFER_OUT_OF_ORDER = 0x09,
	CXL_RC_FW_VERIFY_FAILED = 0x0a,
	CXL_RC_INVALID_SLOT = 0x0b,
	CXL_RC_ACTIVATION_FAILED_ROLLED_BACK = 0x0c,
	CXL_RC_ACTIVATION_FAILED_COLD_RESET = 0x0d,
	CXL_RC_INVALID_HANDLE = 0x0e,
	CXL_RC_INVALID_PHYSICAL_ADDRESS = 0x0f,
	CXL_RC_INJECT_POISON_LIMIT = 0x10,
	CXL_RC_PERMANENT_MEDIA_FAILURE = 0x11,
	CXL_RC_ABORTED = 0x12,
	CXL_RC_INVALID_SECURITY_STATE = 0x13,
	CXL_RC_INCORRECT_PASSPHRASE = 0x14,
	CXL_RC_UNSUPPORTED_MAILBOX = 0x15,
	CXL_RC_INVALID_PAYLOAD_LENGTH = 0x16,
	CXL_RC_INVALID_LOG = 0x17,
	CXL_RC_INTERRUPTED = 0x18,
	CXL_RC_UNSUPPORTED_FEATURE_VERSION = 0x19,
	CXL_RC_UNSUPPORTED_FEATURE_SELECTION = 0x1a,
	CXL_RC_FEATURE_XFER_IN_PROGRESS = 0x1b,
	CXL_RC_FEATURE_XFER_OUT_OF_ORDER = 0x1c,
	CXL_RC_RESOURCES_EXHAUSTED = 0x1d,
	CXL_RC_INVALID_EXTENT_LIST = 0x1e,
	CXL_RC_TRANSFER_OUT_OF_ORDER = 0x1f,
	CXL_RC_REQUEST_ABORT_NOT_SUPPORTED = 0x20,
	CXL_RC_MAX = CXL_RC_REQUEST_ABORT_NOT_SUPPORTED,
};

/* Spec name of a return code ("Invalid Payload Length"), or NULL if unknown. */
const char *cxl_rc_name(uint16_t rc);
/* Short identifier ("invalid-payload-length") for JSON and logs, or NULL. */
const char *cxl_rc_id(uint16_t rc);
/* True for the codes defined by Table 8-34. */
bool cxl_rc_valid(uint16_t rc);

/*
 * Encode a header into buf (at least CCI_HDR_LEN bytes). Returns CCI_HDR_LEN,
 * -EINVAL for a bad category, -EMSGSIZE if pl_len does not fit 21 bits or
 * len < CCI_HDR_LEN.
 */
int cci_hdr_encode(const struct cci_hdr *h, uint8_t *buf, size_t len);

/*
 * Decode a whole CCI message of len bytes: header, and payload length checked
 * against the bytes present. On success fills h, sets *payload (may be NULL)
 * and returns 0. Errors: -EMSGSIZE if len < CCI_HDR_LEN or pl_len != len - 12,
 * -EBADMSG for a reserved category value.
 */
int cci_msg_decode(const uint8_t *buf, size_t len, struct cci_hdr *h,
		   const uint8_t **payload);

/* The two bytes of an opcode, for the forwarding buffer and logs. */
static inline uint8_t cci_opcode_set(uint16_t opcode) { return (uint8_t)(opcode >> 8); }
static inline uint8_t cci_opcode_cmd(uint16_t opcode) { return (uint8_t)opcode; }

#endif
