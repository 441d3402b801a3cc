/* SPDX-License-Identifier: MIT */
#include "proto/mctp_ctrl.h"

#include <errno.h>
#include <string.h>

/* Control header byte 1 (DSP0236 clause 11 "MCTP control message format"). */
#define CTRL_RQ 0x80u
#define CTRL_D 0x40u
#define CTRL_IID_MASK 0x1fu

/* Offsets inside a message: the command data starts after the header, and
 * after the completion code in responses. */
#define RQ_DATA MCTP_CTRL_HDR_LEN
#define RSP_CC MCTP_CTRL_HDR_LEN
#define RSP_DATA (MCTP_CTRL_HDR_LEN + 1u)

/* Set Endpoint ID response byte 2, Get Endpoint ID response byte 3 (Tables 14, 15). */
#define FIELD_HI_SHIFT 4 /* bits[5:4] */
#define FIELD_MASK 0x03u /* two-bit fields */

const char *mctp_ctrl_cmd_name(uint8_t cmd)
{
	switch (cmd) {
	case MCTP_CTRL_SET_EID: return "Set Endpoint ID";
	case MCTP_CTRL_GET_EID: return "Get Endpoint ID";
	case MCTP_CTRL_GET_UUID: return "Get Endpoint UUID";
	case MCTP_CTRL_GET_VERSION: return "Get MCTP Version Support";
	case MCTP_CTRL_GET_MSG_TYPES: return "Get Message Type Support";
	default: return NULL;
	}
}

const char *mctp_ctrl_cc_name(uint8_t cc)
{
	switch (cc) {
	case MCTP_CTRL_CC_SUCCESS: return "SUCCESS";
	case MCTP_CTRL_CC_ERROR: return "ERROR";
	case MCTP_CTRL_CC_INVALID_DATA: return "ERROR_INVALID_DATA";
	case MCTP_CTRL_CC_INVALID_LENGTH: return "ERROR_INVALID_LENGTH";
	case MCTP_CTRL_CC_NOT_READY: return "ERROR_NOT_READY";
	case MCTP_CTRL_CC_UNSUPPORTED_CMD: return "ERROR_UNSUPPORTED_CMD";
	default: return cc >= 0x80 ? "COMMAND_SPECIFIC" : NULL;
	}
}

uint8_t mctp_ctrl_cc_from_errno(int err)
{
	switch (err) {
	case -EMSGSIZE: return MCTP_CTRL_CC_INVALID_LENGTH;
	case -EINVAL: return MCTP_CTRL_CC_INVALID_DATA;
	default: return MCTP_CTRL_CC_ERROR;
	}
}

int mctp_ctrl_hdr_encode(const struct mctp_ctrl_hdr *h, uint8_t *buf, size_t len)
{
	if (len < MCTP_CTRL_HDR_LEN)
		return -EMSGSIZE;
	if (h->iid > MCTP_CTRL_IID_MAX)
		return -EINVAL;
	buf[0] = MCTP_MSG_CTRL; /* IC = 0: control messages carry no MIC */
	buf[1] = (uint8_t)((h->rq ? CTRL_RQ : 0) | (h->d ? CTRL_D : 0) | h->iid);
	buf[2] = h->cmd;
	return (int)MCTP_CTRL_HDR_LEN;
}

int mctp_ctrl_hdr_decode(const uint8_t *buf, size_t len, struct mctp_ctrl_hdr *h)
{
	if (len < MCTP_CTRL_HDR_LEN)
		return -EMSGSIZE;
	/* the whole byte: a set IC bit is not a valid control message either */
	if (buf[0] != MCTP_MSG_CTRL)
		return -EPROTO;
	h->rq = buf[1] & CTRL_RQ;
	h->d = buf[1] & CTRL_D;
	h->iid = buf[1] & CTRL_IID_MASK;
	h->cmd = buf[2];
	return 0;
}

/* Header of a message we build, after checking the whole message (need bytes) fits. */
static int put_hdr(uint8_t *buf, size_t len, size_t need, bool rq, uint8_t iid,
		   uint8_t cmd)
{
	struct mctp_ctrl_hdr h = { .rq = rq, .iid = iid, .cmd = cmd };

	if (iid > MCTP_CTRL_IID_MAX)
		return -EINVAL;
	if (len < need)
		return -EMSGSIZE;
	return mctp_ctrl_hdr_encode(&h, buf, len);
}

/* Request: header and exact length. */
static int get_req(const uint8_t *buf, size_t len, uint8_t cmd, size_t want,
		   struct mctp_ctrl_hdr *hout)
{
	struct mctp_ctrl_hdr h;
	int rc = mctp_ctrl_hdr_decode(buf, len, &h);

	if (rc)
		return rc;
	/* filled before the checks: a responder answers errors with this IID */
	if (hout)
		*hout = h;
	if (!h.rq || h.cmd != cmd)
		return -EBADMSG;
	if (len != want)
		return -EMSGSIZE;
	return 0;
}

int mctp_ctrl_rsp_decode(const uint8_t *buf, size_t len, struct mctp_ctrl_hdr *hout,
			 uint8_t *cc)
{
	struct mctp_ctrl_hdr h;
	int rc = mctp_ctrl_hdr_decode(buf, len, &h);

	if (rc)
		return rc;
	if (hout)
		*hout = h;
	if (h.rq)
		return -EBADMSG;
	if (len < RSP_DATA)
		return -EMSGSIZE;
	if (cc)
		*cc = buf[RSP_CC];
	return 0;
}

/*
 * Response of a given command. Returns 1 if the completion code is SUCCESS
 * and the caller should decode the data (len was not checked yet: data
 * lengths vary), 0 for an error response (*cc set, nothing more to read),
 * or -errno.
 */
static int get_rsp(const uint8_t *buf, size_t len, uint8_t cmd,
		   struct mctp_ctrl_hdr *hout, uint8_t *cc)
{
	struct mctp_ctrl_hdr tmp, *h = hout ? hout : &tmp;
	int rc = mctp_ctrl_rsp_decode(buf, len, h, cc);

	if (rc)
		return rc;
	if (h->cmd != cmd)
		return -EBADMSG;
	return *cc == MCTP_CTRL_CC_SUCCESS;
}

int mctp_ctrl_cc_rsp_encode(uint8_t iid, uint8_t cmd, uint8_t cc, uint8_t *buf,
			    size_t len)
{
	int rc = put_hdr(buf, len, RSP_DATA, false, iid, cmd);

	if (rc < 0)
		return rc;
	buf[RSP_CC] = cc;
	return (int)RSP_DATA;
}

/* Requests with no data: Get Endpoint ID, UUID and Message Type Support. */
static int bare_req_encode(uint8_t iid, uint8_t cmd, uint8_t *buf, size_t len)
{
	return put_hdr(buf, len, MCTP_CTRL_HDR_LEN, true, iid, cmd);
}

/* ---- Set Endpoint ID ---- */

int mctp_ctrl_set_eid_req_encode(uint8_t iid, const struct mctp_ctrl_set_eid_req *rq,
				 uint8_t *buf, size_t len)
{
	int rc;

	if (rq->op > FIELD_MASK)
		return -EINVAL;
	rc = put_hdr(buf, len, MCTP_CTRL_SET_EID_REQ_LEN, true, iid,
		     MCTP_CTRL_SET_EID);
	if (rc < 0)
		return rc;
	buf[RQ_DATA] = rq->op;     /* bits[7:2] reserved */
	buf[RQ_DATA + 1] = rq->eid;
	return (int)MCTP_CTRL_SET_EID_REQ_LEN;
}

int mctp_ctrl_set_eid_req_decode(const uint8_t *buf, size_t len,
				 struct mctp_ctrl_hdr *h,
				 struct mctp_ctrl_set_eid_req *rq)
{
	int rc = get_req(buf, len, MCTP_CTRL_SET_EID, MCTP_CTRL_SET_EID_REQ_LEN, h);

	if (rc)
		return rc;
	rq->op = buf[RQ_DATA] & FIELD_MASK;
	rq->eid = buf[RQ_DATA + 1];
	return 0;
}

int mctp_ctrl_set_eid_rsp_encode(uint8_t iid, const struct mctp_ctrl_set_eid_rsp *rsp,
				 uint8_t *buf, size_t len)
{
	int rc;

	if (rsp->cc != MCTP_CTRL_CC_SUCCESS)
		return mctp_ctrl_cc_rsp_encode(iid, MCTP_CTRL_SET_EID, rsp->cc, buf, len);
	if (rsp->status > FIELD_MASK || rsp->alloc > FIELD_MASK)
		return -EINVAL;
	rc = put_hdr(buf, len, MCTP_CTRL_SET_EID_RSP_LEN, false, iid,
		     MCTP_CTRL_SET_EID);
	if (rc < 0)
		return rc;
	buf[RSP_CC] = rsp->cc;
	buf[RSP_DATA] = (uint8_t)(rsp->status << FIELD_HI_SHIFT | rsp->alloc);
	buf[RSP_DATA + 1] = rsp->eid;
	buf[RSP_DATA + 2] = rsp->pool_size;
	return (int)MCTP_CTRL_SET_EID_RSP_LEN;
}

int mctp_ctrl_set_eid_rsp_decode(const uint8_t *buf, size_t len,
				 struct mctp_ctrl_hdr *h,
				 struct mctp_ctrl_set_eid_rsp *rsp)
{
	int rc;

	memset(rsp, 0, sizeof(*rsp));
	rc = get_rsp(buf, len, MCTP_CTRL_SET_EID, h, &rsp->cc);
	if (rc <= 0)
		return rc;
	if (len != MCTP_CTRL_SET_EID_RSP_LEN)
		return -EMSGSIZE;
	rsp->status = buf[RSP_DATA] >> FIELD_HI_SHIFT & FIELD_MASK;
	rsp->alloc = buf[RSP_DATA] & FIELD_MASK;
	rsp->eid = buf[RSP_DATA + 1];
	rsp->pool_size = buf[RSP_DATA + 2];
	return 0;
}

/* ---- Get Endpoint ID ---- */

int mctp_ctrl_get_eid_req_encode(uint8_t iid, uint8_t *buf, size_t len)
{
	return bare_req_encode(iid, MCTP_CTRL_GET_EID, buf, len);
}

int mctp_ctrl_get_eid_req_decode(const uint8_t *buf, size_t len,
				 struct mctp_ctrl_hdr *h)
{
	return get_req(buf, len, MCTP_CTRL_GET_EID, MCTP_CTRL_GET_EID_REQ_LEN, h);
}

int mctp_ctrl_get_eid_rsp_encode(uint8_t iid, const struct mctp_ctrl_get_eid_rsp *rsp,
				 uint8_t *buf, size_t len)
{
	int rc;

	if (rsp->cc != MCTP_CTRL_CC_SUCCESS)
		return mctp_ctrl_cc_rsp_encode(iid, MCTP_CTRL_GET_EID, rsp->cc, buf, len);
	if (rsp->ep_type > FIELD_MASK || rsp->eid_type > FIELD_MASK)
		return -EINVAL;
	rc = put_hdr(buf, len, MCTP_CTRL_GET_EID_RSP_LEN, false, iid,
		     MCTP_CTRL_GET_EID);
	if (rc < 0)
		return rc;
	buf[RSP_CC] = rsp->cc;
	buf[RSP_DATA] = rsp->eid;
	buf[RSP_DATA + 1] = (uint8_t)(rsp->ep_type << FIELD_HI_SHIFT | rsp->eid_type);
	buf[RSP_DATA + 2] = rsp->medium;
	return (int)MCTP_CTRL_GET_EID_RSP_LEN;
}

int mctp_ctrl_get_eid_rsp_decode(const uint8_t *buf, size_t len,
				 struct mctp_ctrl_hdr *h,
				 struct mctp_ctrl_get_eid_rsp *rsp)
{
	int rc;

	memset(rsp, 0, sizeof(*rsp));
	rc = get_rsp(buf, len, MCTP_CTRL_GET_EID, h, &rsp->cc);
	if (rc <= 0)
		return rc;
	if (len != MCTP_CTRL_GET_EID_RSP_LEN)
		return -EMSGSIZE;
	rsp->eid = buf[RSP_DATA];
	rsp->ep_type = buf[RSP_DATA + 1] >> FIELD_HI_SHIFT & FIELD_MASK;
	rsp->eid_type = buf[RSP_DATA + 1] & FIELD_MASK;
	rsp->medium = buf[RSP_DATA + 2];
	return 0;
}

/* ---- Get Endpoint UUID ---- */

int mctp_ctrl_get_uuid_req_encode(uint8_t iid, uint8_t *buf, size_t len)
{
	return bare_req_encode(iid, MCTP_CTRL_GET_UUID, buf, len);
}

int mctp_ctrl_get_uuid_req_decode(const uint8_t *buf, size_t len,
				  struct mctp_ctrl_hdr *h)
{
	return get_req(buf, len, MCTP_CTRL_GET_UUID, MCTP_CTRL_GET_UUID_REQ_LEN, h);
}

int mctp_ctrl_get_uuid_rsp_encode(uint8_t iid, const struct mctp_ctrl_get_uuid_rsp *rsp,
				  uint8_t *buf, size_t len)
{
	int rc;

	if (rsp->cc != MCTP_CTRL_CC_SUCCESS)
		return mctp_ctrl_cc_rsp_encode(iid, MCTP_CTRL_GET_UUID, rsp->cc, buf, len);
	rc = put_hdr(buf, len, MCTP_CTRL_GET_UUID_RSP_LEN, false, iid,
		     MCTP_CTRL_GET_UUID);
	if (rc < 0)
		return rc;
	buf[RSP_CC] = rsp->cc;
	memcpy(buf + RSP_DATA, rsp->uuid, MCTP_UUID_LEN);
	return (int)MCTP_CTRL_GET_UUID_RSP_LEN;
}

int mctp_ctrl_get_uuid_rsp_decode(const uint8_t *buf, size_t len,
				  struct mctp_ctrl_hdr *h,
				  struct mctp_ctrl_get_uuid_rsp *rsp)
{
	int rc;

	memset(rsp, 0, sizeof(*rsp));
	rc = get_rsp(buf, len, MCTP_CTRL_GET_UUID, h, &rsp->cc);
	if (rc <= 0)
		return rc;
	if (len != MCTP_CTRL_GET_UUID_RSP_LEN)
		return -EMSGSIZE;
	memcpy(rsp->uuid, buf + RSP_DATA, MCTP_UUID_LEN);
	return 0;
}

/* ---- Get MCTP Version Support ---- */

int mctp_ctrl_get_version_req_encode(uint8_t iid,
				     const struct mctp_ctrl_get_version_req *rq,
				     uint8_t *buf, size_t len)
{
	int rc = put_hdr(buf, len, MCTP_CTRL_GET_VERSION_REQ_LEN, true, iid,
			 MCTP_CTRL_GET_VERSION);

	if (rc < 0)
		return rc;
	buf[RQ_DATA] = rq->type;
	return (int)MCTP_CTRL_GET_VERSION_REQ_LEN;
}

int mctp_ctrl_get_version_req_decode(const uint8_t *buf, size_t len,
				     struct mctp_ctrl_hdr *h,
				     struct mctp_ctrl_get_version_req *rq)
{
	int rc = get_req(buf, len, MCTP_CTRL_GET_VERSION,
			 MCTP_CTRL_GET_VERSION_REQ_LEN, h);

	if (rc)
		return rc;
	rq->type = buf[RQ_DATA];
	return 0;
}

int mctp_ctrl_get_version_rsp_encode(uint8_t iid,
				     const struct mctp_ctrl_get_version_rsp *rsp,
				     uint8_t *buf, size_t len)
{
	size_t n;
	uint8_t *p;
	int rc;

	if (rsp->cc != MCTP_CTRL_CC_SUCCESS)
		return mctp_ctrl_cc_rsp_encode(iid, MCTP_CTRL_GET_VERSION, rsp->cc,
					       buf, len);
	if (rsp->count > MCTP_CTRL_VERSIONS_MAX)
		return -EINVAL;
	n = MCTP_CTRL_GET_VERSION_RSP_LEN(rsp->count);
	rc = put_hdr(buf, len, n, false, iid, MCTP_CTRL_GET_VERSION);
	if (rc < 0)
		return rc;
	buf[RSP_CC] = rsp->cc;
	buf[RSP_DATA] = rsp->count;
	p = buf + RSP_DATA + 1;
	/* entries are four single bytes, most significant (major) first */
	for (unsigned i = 0; i < rsp->count; i++, p += 4) {
		p[0] = rsp->ver[i].major;
		p[1] = rsp->ver[i].minor;
		p[2] = rsp->ver[i].update;
		p[3] = rsp->ver[i].alpha;
	}
	return (int)n;
}

int mctp_ctrl_get_version_rsp_decode(const uint8_t *buf, size_t len,
				     struct mctp_ctrl_hdr *h,
				     struct mctp_ctrl_get_version_rsp *rsp)
{
	const uint8_t *p;
	uint8_t count;
	int rc;

	memset(rsp, 0, sizeof(*rsp));
	rc = get_rsp(buf, len, MCTP_CTRL_GET_VERSION, h, &rsp->cc);
	if (rc <= 0)
		return rc;
	if (len < RSP_DATA + 1)
		return -EMSGSIZE;
	count = buf[RSP_DATA];
	if (count > MCTP_CTRL_VERSIONS_MAX ||
	    len != MCTP_CTRL_GET_VERSION_RSP_LEN(count))
		return -EMSGSIZE;
	rsp->count = count;
	p = buf + RSP_DATA + 1;
	for (unsigned i = 0; i < count; i++, p += 4)
		rsp->ver[i] = (struct mctp_ver){ .major = p[0], .minor = p[1],
						 .update = p[2], .alpha = p[3] };
	return 0;
}

/* ---- Get Message Type Support ---- */

int mctp_ctrl_get_msg_types_req_encode(uint8_t iid, uint8_t *buf, size_t len)
{
	return bare_req_encode(iid, MCTP_CTRL_GET_MSG_TYPES, buf, len);
}

int mctp_ctrl_get_msg_types_req_decode(const uint8_t *buf, size_t len,
				       struct mctp_ctrl_hdr *h)
{
	return get_req(buf, len, MCTP_CTRL_GET_MSG_TYPES,
		       MCTP_CTRL_GET_MSG_TYPES_REQ_LEN, h);
}

int mctp_ctrl_get_msg_types_rsp_encode(uint8_t iid,
				       const struct mctp_ctrl_get_msg_types_rsp *rsp,
				       uint8_t *buf, size_t len)
{
	size_t n;
	int rc;

	if (rsp->cc != MCTP_CTRL_CC_SUCCESS)
		return mctp_ctrl_cc_rsp_encode(iid, MCTP_CTRL_GET_MSG_TYPES, rsp->cc,
					       buf, len);
	if (rsp->count > MCTP_CTRL_MSG_TYPES_MAX)
		return -EINVAL;
	n = MCTP_CTRL_GET_MSG_TYPES_RSP_LEN(rsp->count);
	rc = put_hdr(buf, len, n, false, iid, MCTP_CTRL_GET_MSG_TYPES);
	if (rc < 0)
		return rc;
	buf[RSP_CC] = rsp->cc;
	buf[RSP_DATA] = rsp->count;
	memcpy(buf + RSP_DATA + 1, rsp->types, rsp->count);
	return (int)n;
}

int mctp_ctrl_get_msg_types_rsp_decode(const uint8_t *buf, size_t len,
				       struct mctp_ctrl_hdr *h,
				       struct mctp_ctrl_get_msg_types_rsp *rsp)
{
	uint8_t count;
	int rc;

	memset(rsp, 0, sizeof(*rsp));
	rc = get_rsp(buf, len, MCTP_CTRL_GET_MSG_TYPES, h, &rsp->cc);
	if (rc <= 0)
		return rc;
	if (len < RSP_DATA + 1)
		return -EMSGSIZE;
	count = buf[RSP_DATA];
	if (count > MCTP_CTRL_MSG_TYPES_MAX ||
	    len != MCTP_CTRL_GET_MSG_TYPES_RSP_LEN(count))
		return -EMSGSIZE;
	rsp->count = count;
	memcpy(rsp->types, buf + RSP_DATA + 1, count);
	return 0;
}
