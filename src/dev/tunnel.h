/* SPDX-License-Identifier: MIT */
/*
 * Tunnel Management Command (5300h), CXL r3.1 §7.6.7.3.1: the shared part.
 * The request payload is 0:1 port or LD id, 1:1 target type, 2:2 command
 * size, 4: a whole CCI request message (12-byte header + payload). The
 * response payload is 0:2 response length, 2:2 rsvd, 4: the whole CCI
 * response message. Callers (switch CCI: id = downstream port; type-3
 * FM-owned LD CCI: id = LD) resolve the target CCI from the id and call
 * cci_tunnel_run(); the outer return code is Success whenever the inner
 * message was delivered, the inner one travels in the embedded header.
 */
#ifndef CXLFM_DEV_TUNNEL_H
#define CXLFM_DEV_TUNNEL_H

#include "dev/cci.h"

#define CCI_TUNNEL_HDR_LEN 4u

struct cci_tunnel_req {
	uint8_t id;          /* port id (switch) or LD id (MLD) */
	uint8_t target_type; /* 0 = port or LD; 1 = LD-pool CCI of an MHD */
	const uint8_t *msg;  /* embedded CCI request message */
	size_t msg_len;
};

/*
 * Parse the outer request of a tunnel handler call. Returns CXL_RC_SUCCESS,
 * Invalid Payload Length when the command size disagrees with the bytes
 * present or is below a CCI header, Invalid Input for target type != 0.
 */
uint16_t cci_tunnel_parse(const struct cci_call *call, struct cci_tunnel_req *req);

/*
 * Deliver req->msg to target and write the tunnel response into call->out.
 * An embedded message that is not a well-formed request gives Invalid Input.
 */
uint16_t cci_tunnel_run(struct cci *target, const struct cci_tunnel_req *req,
			struct cci_call *call);

#endif
