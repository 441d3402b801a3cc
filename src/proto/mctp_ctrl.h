/* SPDX-License-Identifier: MIT */
/*
 * MCTP control messages (DMTF DSP0236 1.3.3 clause 11 "MCTP control
 * protocol" and clause 12 "MCTP control messages"): the control header and the five commands a bus
 * owner and a simple endpoint need. Pure codec over whole MCTP messages (the
 * message type byte first, as struct mctp_msg.data has it). No I/O.
 *
 * Control message layout (DSP0236 clause 11, "MCTP control message format"):
 *
 *   byte 0   bit 7 IC = 0, bits[6:0] message type 0x00
 *   byte 1   bit 7 Rq (request), bit 6 D (datagram), bit 5 reserved,
 *            bits[4:0] instance ID
 *   byte 2   command code
 *   byte 3   completion code (responses only)
 *   ...      command data
 *
 * Encoders write a whole message and return its length or -errno:
 * -EMSGSIZE when buf is too small, -EINVAL for a field out of range. A
 * response whose cc is not SUCCESS is encoded as header + cc only: DSP0236
 * lets a responder return just the completion code for an error.
 *
 * Decoders take a whole message and return 0 or -errno:
 *   -EPROTO    not a control message (type byte != 0x00, or IC set)
 *   -EBADMSG   request where a response was expected or the reverse, or a
 *              different command code
 *   -EMSGSIZE  too short, or (request, or response with cc SUCCESS) not
 *              exactly the length the command defines; or a count that
 *              would not fit in one baseline-MTU control message
 * A decoded response with cc != SUCCESS returns 0 with only cc set (other
 * fields zero): the caller checks cc. Reserved bits are ignored. The
 * optional struct mctp_ctrl_hdr *h output (NULL allowed) receives the
 * header, e.g. the instance ID to echo in the response; it is filled
 * whenever the 3-byte header itself decoded (return value other than
 * -EPROTO or a -EMSGSIZE for len < 3), even if the decoder then fails, so a
 * responder can answer a malformed request with the right IID and command.
 */
#ifndef CXLFM_PROTO_MCTP_CTRL_H
#define CXLFM_PROTO_MCTP_CTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/mctp.h"

#define MCTP_CTRL_HDR_LEN 3u /* type, Rq/D/IID, command code */
#define MCTP_CTRL_IID_MAX 0x1fu
#define MCTP_UUID_LEN 16u

/* DSP0236 1.3.3 Table 12 "MCTP control command numbers" (those we implement). */
enum mctp_ctrl_cmd {
	MCTP_CTRL_SET_EID = 0x01,
	MCTP_CTRL_GET_EID = 0x02,
	MCTP_CTRL_GET_UUID = 0x03,
	MCTP_CTRL_GET_VERSION = 0x04,
	MCTP_CTRL_GET_MSG_TYPES = 0x05,
};

/* DSP0236 1.3.3 Table 13 "MCTP control message completion codes". */
enum mctp_ctrl_cc {
	MCTP_CTRL_CC_SUCCESS = 0x00,
	MCTP_CTRL_CC_ERROR = 0x01,
	MCTP_CTRL_CC_INVALID_DATA = 0x02,
	MCTP_CTRL_CC_INVALID_LENGTH = 0x03,
	MCTP_CTRL_CC_NOT_READY = 0x04,
	MCTP_CTRL_CC_UNSUPPORTED_CMD = 0x05,
	/* 0x80-0xff are command specific; Get MCTP Version Support: */
	MCTP_CTRL_CC_VERSION_TYPE_UNSUPPORTED = 0x80,
};

struct mctp_ctrl_hdr {
	bool rq;     /* request */
	bool d;      /* datagram: no response expected */
	uint8_t iid; /* instance ID, 0-31 */
	uint8_t cmd; /* enum mctp_ctrl_cmd */
};

/* "Set Endpoint ID" style names for logs, or NULL if not one of ours. */
const char *mctp_ctrl_cmd_name(uint8_t cmd);
/* "ERROR_INVALID_LENGTH" style names (the spec's), or NULL if unknown. */
const char *mctp_ctrl_cc_name(uint8_t cc);
/*
 * Completion code a responder returns for a request decoder's error:
 * -EMSGSIZE -> INVALID_LENGTH, -EINVAL -> INVALID_DATA, others -> ERROR.
 */
uint8_t mctp_ctrl_cc_from_errno(int err);

/* Returns MCTP_CTRL_HDR_LEN; -EINVAL if iid > 31. */
int mctp_ctrl_hdr_encode(const struct mctp_ctrl_hdr *h, uint8_t *buf, size_t len);
/* Returns 0; -EMSGSIZE if len < MCTP_CTRL_HDR_LEN; -EPROTO as above. */
int mctp_ctrl_hdr_decode(const uint8_t *buf, size_t len, struct mctp_ctrl_hdr *h);

/*
 * A response of header + completion code only, for any command: the answer
 * to an unsupported command or a malformed request.
 */
int mctp_ctrl_cc_rsp_encode(uint8_t iid, uint8_t cmd, uint8_t cc, uint8_t *buf,
			    size_t len);
/*
 * Header and completion code of any response (dispatch before the
 * command-specific decoder). Returns 0, -EPROTO, -EBADMSG (a request),
 * -EMSGSIZE (no completion code byte).
 */
int mctp_ctrl_rsp_decode(const uint8_t *buf, size_t len, struct mctp_ctrl_hdr *h,
			 uint8_t *cc);

/* ---- Set Endpoint ID (0x01), DSP0236 1.3.3 Table 14 ---- */

/* Request byte 1 bits[1:0]. */
enum mctp_set_eid_op {
	MCTP_SET_EID_OP_SET = 0,
	MCTP_SET_EID_OP_FORCE = 1,
	MCTP_SET_EID_OP_RESET = 2,
	MCTP_SET_EID_OP_DISCOVERED = 3, /* set the discovered flag */
};

/* Response byte 2 bits[5:4]. */
enum mctp_set_eid_status {
	MCTP_SET_EID_ACCEPTED = 0,
	MCTP_SET_EID_REJECTED = 1,
};

/* Response byte 2 bits[1:0]. */
enum mctp_eid_alloc_status {
	MCTP_EID_POOL_NONE = 0,     /* endpoint uses no EID pool */
	MCTP_EID_POOL_REQUIRED = 1, /* needs an Allocate Endpoint IDs */
	MCTP_EID_POOL_RECEIVED = 2, /* pool already allocated */
};

struct mctp_ctrl_set_eid_req {
	uint8_t op;  /* enum mctp_set_eid_op */
	uint8_t eid;
};

struct mctp_ctrl_set_eid_rsp {
	uint8_t cc;
	uint8_t status;    /* enum mctp_set_eid_status */
	uint8_t alloc;     /* enum mctp_eid_alloc_status */
	uint8_t eid;       /* EID setting: the endpoint's EID after the request */
	uint8_t pool_size; /* EIDs the endpoint wants for its pool */
};

#define MCTP_CTRL_SET_EID_REQ_LEN (MCTP_CTRL_HDR_LEN + 2u)
#define MCTP_CTRL_SET_EID_RSP_LEN (MCTP_CTRL_HDR_LEN + 4u)

int mctp_ctrl_set_eid_req_encode(uint8_t iid, const struct mctp_ctrl_set_eid_req *rq,
				 uint8_t *buf, size_t len);
int mctp_ctrl_set_eid_req_decode(const uint8_t *buf, size_t len,
				 struct mctp_ctrl_hdr *h,
				 struct mctp_ctrl_set_eid_req *rq);
int mctp_ctrl_set_eid_rsp_encode(uint8_t iid, const struct mctp_ctrl_set_eid_rsp *rsp,
				 uint8_t *buf, size_t len);
int mctp_ctrl_set_eid_rsp_decode(const uint8_t *buf, size_t len,
				 struct mctp_ctrl_hdr *h,
				 struct mctp_ctrl_set_eid_rsp *rsp);

/* ---- Get Endpoint ID (0x02), DSP0236 1.3.3 Table 15 ---- */

/* Response byte 3 bits[5:4]. */
enum mctp_ep_type {
	MCTP_EP_TYPE_SIMPLE = 0,
	MCTP_EP_TYPE_BUS_OWNER_BRIDGE = 1,
};

/* Response byte 3 bits[1:0]. */
enum mctp_eid_type {
	MCTP_EID_TYPE_DYNAMIC = 0,
	MCTP_EID_TYPE_STATIC = 1,          /* static EID supported */
	MCTP_EID_TYPE_STATIC_CURRENT = 2,  /* current EID = static EID */
	MCTP_EID_TYPE_STATIC_DIFFERENT = 3 /* current EID != static EID */
};

struct mctp_ctrl_get_eid_rsp {
	uint8_t cc;
	uint8_t eid;      /* 0x00 = not assigned yet */
	uint8_t ep_type;  /* enum mctp_ep_type */
	uint8_t eid_type; /* enum mctp_eid_type */
	uint8_t medium;   /* medium-specific information */
};

#define MCTP_CTRL_GET_EID_REQ_LEN MCTP_CTRL_HDR_LEN
#define MCTP_CTRL_GET_EID_RSP_LEN (MCTP_CTRL_HDR_LEN + 4u)

int mctp_ctrl_get_eid_req_encode(uint8_t iid, uint8_t *buf, size_t len);
int mctp_ctrl_get_eid_req_decode(const uint8_t *buf, size_t len,
				 struct mctp_ctrl_hdr *h);
int mctp_ctrl_get_eid_rsp_encode(uint8_t iid, const struct mctp_ctrl_get_eid_rsp *rsp,
				 uint8_t *buf, size_t len);
int mctp_ctrl_get_eid_rsp_decode(const uint8_t *buf, size_t len,
				 struct mctp_ctrl_hdr *h,
				 struct mctp_ctrl_get_eid_rsp *rsp);

/* ---- Get Endpoint UUID (0x03), DSP0236 1.3.3 Tables 16-17 ---- */

struct mctp_ctrl_get_uuid_rsp {
	uint8_t cc;
	uint8_t uuid[MCTP_UUID_LEN]; /* wire order, copied as is */
};

#define MCTP_CTRL_GET_UUID_REQ_LEN MCTP_CTRL_HDR_LEN
#define MCTP_CTRL_GET_UUID_RSP_LEN (MCTP_CTRL_HDR_LEN + 1u + MCTP_UUID_LEN)

int mctp_ctrl_get_uuid_req_encode(uint8_t iid, uint8_t *buf, size_t len);
int mctp_ctrl_get_uuid_req_decode(const uint8_t *buf, size_t len,
				  struct mctp_ctrl_hdr *h);
int mctp_ctrl_get_uuid_rsp_encode(uint8_t iid, const struct mctp_ctrl_get_uuid_rsp *rsp,
				  uint8_t *buf, size_t len);
int mctp_ctrl_get_uuid_rsp_decode(const uint8_t *buf, size_t len,
				  struct mctp_ctrl_hdr *h,
				  struct mctp_ctrl_get_uuid_rsp *rsp);

/* ---- Get MCTP Version Support (0x04), DSP0236 1.3.3 Table 18 ---- */

/* Request "message type number" asking for the base specification's versions. */
#define MCTP_CTRL_VERSION_TYPE_BASE 0xffu
/*
 * Control messages fit one baseline packet (DSP0236: control messages use
 * the baseline transmission unit), so a response holds at most
 * (64 - 5) / 4 = 14 version entries and 64 - 5 = 59 message types.
 */
#define MCTP_CTRL_VERSIONS_MAX ((MCTP_BTU - MCTP_CTRL_HDR_LEN - 2u) / 4u)
#define MCTP_CTRL_MSG_TYPES_MAX (MCTP_BTU - MCTP_CTRL_HDR_LEN - 2u)

/*
 * Version number entry, DSP0236 "Version number format" (DSP4004 encoding):
 * major, minor, update as BCD with 0xF in the high nibble for single digits
 * ("1.3.1" = F1 F3 F1), update 0xFF = none; alpha byte 0x00 = none.
 */
struct mctp_ver {
	uint8_t major, minor, update, alpha;
};

struct mctp_ctrl_get_version_req {
	uint8_t type; /* message type, or MCTP_CTRL_VERSION_TYPE_BASE */
};

struct mctp_ctrl_get_version_rsp {
	uint8_t cc; /* MCTP_CTRL_CC_VERSION_TYPE_UNSUPPORTED for unknown types */
	uint8_t count;
	struct mctp_ver ver[MCTP_CTRL_VERSIONS_MAX];
};

#define MCTP_CTRL_GET_VERSION_REQ_LEN (MCTP_CTRL_HDR_LEN + 1u)
#define MCTP_CTRL_GET_VERSION_RSP_LEN(n) (MCTP_CTRL_HDR_LEN + 2u + 4u * (n))

int mctp_ctrl_get_version_req_encode(uint8_t iid,
				     const struct mctp_ctrl_get_version_req *rq,
				     uint8_t *buf, size_t len);
int mctp_ctrl_get_version_req_decode(const uint8_t *buf, size_t len,
				     struct mctp_ctrl_hdr *h,
				     struct mctp_ctrl_get_version_req *rq);
/* -EINVAL if count > MCTP_CTRL_VERSIONS_MAX (with cc SUCCESS). */
int mctp_ctrl_get_version_rsp_encode(uint8_t iid,
				     const struct mctp_ctrl_get_version_rsp *rsp,
				     uint8_t *buf, size_t len);
int mctp_ctrl_get_version_rsp_decode(const uint8_t *buf, size_t len,
				     struct mctp_ctrl_hdr *h,
				     struct mctp_ctrl_get_version_rsp *rsp);

/* ---- Get Message Type Support (0x05), DSP0236 1.3.3 Table 19 ---- */

struct mctp_ctrl_get_msg_types_rsp {
	uint8_t cc;
	uint8_t count;
	uint8_t types[MCTP_CTRL_MSG_TYPES_MAX]; /* enum mctp_msg_type values */
};

#define MCTP_CTRL_GET_MSG_TYPES_REQ_LEN MCTP_CTRL_HDR_LEN
#define MCTP_CTRL_GET_MSG_TYPES_RSP_LEN(n) (MCTP_CTRL_HDR_LEN + 2u + (n))

int mctp_ctrl_get_msg_types_req_encode(uint8_t iid, uint8_t *buf, size_t len);
int mctp_ctrl_get_msg_types_req_decode(const uint8_t *buf, size_t len,
				       struct mctp_ctrl_hdr *h);
/* -EINVAL if count > MCTP_CTRL_MSG_TYPES_MAX (with cc SUCCESS). */
int mctp_ctrl_get_msg_types_rsp_encode(uint8_t iid,
				       const struct mctp_ctrl_get_msg_types_rsp *rsp,
				       uint8_t *buf, size_t len);
int mctp_ctrl_get_msg_types_rsp_decode(const uint8_t *buf, size_t len,
				       struct mctp_ctrl_hdr *h,
				       struct mctp_ctrl_get_msg_types_rsp *rsp);

#endif
