/* SPDX-License-Identifier: MIT */
#include "dev/tunnel.h"

#include <stdlib.h>
#include <string.h>

#include "proto/le.h"
#include "util/log.h"

uint16_t cci_tunnel_parse(const struct cci_call *call, struct cci_tunnel_req *req)
{
	size_t size;

	if (call->in_len < CCI_TUNNEL_HDR_LEN + CCI_HDR_LEN)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	size = le16_get(call->in + 2);
	if (size < CCI_HDR_LEN || size != call->in_len - CCI_TUNNEL_HDR_LEN)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	req->id = call->in[0];
	req->target_type = call->in[1];
	req->msg = call->in + CCI_TUNNEL_HDR_LEN;
	req->msg_len = size;
	if (req->target_type != 0)
		return CXL_RC_INVALID_INPUT;
	return CXL_RC_SUCCESS;
}

uint16_t cci_tunnel_run(struct cci *target, const struct cci_tunnel_req *req,
			struct cci_call *call)
{
	struct cci_hdr in, out = { .category = CCI_CAT_RSP };
	const uint8_t *payload;
	size_t room = call->out_max - CCI_TUNNEL_HDR_LEN - CCI_HDR_LEN;
	size_t inner_len = 0;
	uint8_t *scratch;
	uint16_t rc;

	if (cci_msg_decode(req->msg, req->msg_len, &in, &payload) ||
	    in.category != CCI_CAT_REQ)
		return CXL_RC_INVALID_INPUT;
	scratch = malloc(target->payload_max);
	if (!scratch)
		return CXL_RC_INTERNAL_ERROR;
	rc = cci_process(target, in.opcode, payload, in.pl_len, scratch, &inner_len);
	if (inner_len > room) {
		/* The target answered more than the outer response can carry. */
		log_warn("tunnel to %s op 0x%04x: %zu-byte response over %zu", target->name,
			 in.opcode, inner_len, room);
		rc = CXL_RC_INTERNAL_ERROR;
		inner_len = 0;
	}
	out.tag = in.tag;
	out.opcode = in.opcode;
	out.pl_len = (uint32_t)inner_len;
	out.bg = rc == CXL_RC_BG_STARTED;
	out.rc = rc;
	le16_put(call->out, (uint16_t)(CCI_HDR_LEN + inner_len));
	cci_hdr_encode(&out, call->out + CCI_TUNNEL_HDR_LEN, CCI_HDR_LEN);
	memcpy(call->out + CCI_TUNNEL_HDR_LEN + CCI_HDR_LEN, scratch, inner_len);
	free(scratch);
	call->out_len = CCI_TUNNEL_HDR_LEN + CCI_HDR_LEN + inner_len;
	return CXL_RC_SUCCESS;
}
