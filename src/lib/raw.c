/* SPDX-License-Identifier: MIT */
/*
 * Raw MCTP messages. The caller's message goes out as it is behind its type
 * byte and the response is matched by MCTP tag (and message type) alone, as
 * Linux's AF_MCTP matches a response to the tag-owner key of its request
 * (net/mctp/route.c). Requests from other bus controllers reach a handler;
 * answers to them go out with TO clear and the request's tag.
 */
#include <errno.h>
#include <string.h>

#include "lib/private.h"
#include "proto/mctp.h"

static int match_raw(struct cxlfm_ctx *ctx, struct cxlfm_req *r, const uint8_t *msg,
		     size_t len, const uint8_t **payload, size_t *plen)
{
	(void)ctx;
	if (len < 1 || (msg[0] & MCTP_MSG_TYPE_MASK) != (r->msg_type & MCTP_MSG_TYPE_MASK))
		return CXLFM_NO_MATCH;
	*payload = msg; /* type byte included: raw_done reports it */
	*plen = len;
	return 0;
}

/*
 * The engine's completion, turned into the caller's. r is free again when
 * this runs: everything needed is read before the callback, which may
 * submit a request into the same slot.
 */
static void raw_done(struct cxlfm_ep *ep, int rc, const uint8_t *rsp, size_t len,
		     void *arg)
{
	const struct cxlfm_req *r = arg;
	cxlfm_msg_fn fn = r->msg_done;
	void *fn_arg = r->msg_arg;
	struct cxlfm_msg_in in = {
		.src_addr = ep->addr, .src_eid = ep->eid, .dest_eid = ep->ctx->own_eid,
		.tag = r->mctp_tag, .msg_type = r->msg_type,
	};

	if (rc == 0 && rsp && len >= 1) {
		in.msg_type = rsp[0];
		in.msg = rsp + 1;
		in.len = len - 1;
	} else if (rc == 0) {
		rc = -EBADMSG; /* cannot happen: match_raw saw the type byte */
	}
	if (fn)
		fn(ep->ctx, rc, &in, fn_arg);
}

static struct cxlfm_req *prepare(struct cxlfm_ep *ep, uint8_t msg_type, const void *msg,
				 size_t len, cxlfm_msg_fn done, void *arg, int *err)
{
	struct cxlfm_req *r;

	if (!ep || ep->eid == MCTP_EID_NULL) {
		*err = -EHOSTUNREACH;
		return NULL;
	}
	if (len && !msg) {
		*err = -EINVAL;
		return NULL;
	}
	if (len >= CXLFM_MSG_MAX) {
		*err = -EMSGSIZE;
		return NULL;
	}
	r = cxlfm_req_alloc(ep->ctx);
	if (!r) {
		*err = -EBUSY;
		return NULL;
	}
	r->msg_type = msg_type;
	r->msg[0] = msg_type;
	if (len)
		memcpy(r->msg + 1, msg, len);
	r->msg_len = len + 1;
	r->msg_done = done;
	r->msg_arg = arg;
	return r;
}

int cxlfm_msg_submit(struct cxlfm_ep *ep, uint8_t msg_type, const void *msg,
		     size_t len, cxlfm_msg_fn done, void *arg)
{
	int err;
	struct cxlfm_req *r = prepare(ep, msg_type, msg, len, done, arg, &err);

	if (!r)
		return err;
	return cxlfm_req_start(r, ep, match_raw, raw_done, r);
}

/* The waiting form hands back what follows the type byte. */
static int match_raw_body(struct cxlfm_ctx *ctx, struct cxlfm_req *r, const uint8_t *msg,
			  size_t len, const uint8_t **payload, size_t *plen)
{
	int rc = match_raw(ctx, r, msg, len, payload, plen);

	if (rc == 0) {
		(*payload)++;
		(*plen)--;
	}
	return rc;
}

int cxlfm_msg(struct cxlfm_ep *ep, uint8_t msg_type, const void *msg, size_t len,
	      void *rsp, size_t rsp_max, size_t *rsp_len)
{
	int err;
	struct cxlfm_req *r = prepare(ep, msg_type, msg, len, NULL, NULL, &err);

	if (!r)
		return err;
	return cxlfm_req_run(r, ep, match_raw_body, rsp, rsp_max, rsp_len);
}

void cxlfm_set_request_handler(struct cxlfm_ctx *ctx, cxlfm_msg_fn fn, void *arg)
{
	ctx->req_fn = fn;
	ctx->req_arg = arg;
}

int cxlfm_msg_send(struct cxlfm_ctx *ctx, uint8_t addr, uint8_t eid, uint8_t tag,
		   uint8_t msg_type, const void *msg, size_t len)
{
	uint8_t buf[CXLFM_MSG_MAX];
	/* A peer need not be a known endpoint: a stand-in carries the route. */
	struct cxlfm_ep peer = { .ctx = ctx, .addr = addr, .eid = eid };

	if (!cxlfm_peer_addr_ok(ctx, addr) ||
	    tag > MCTP_TAG_MAX || (len && !msg))
		return -EINVAL;
	if (len >= sizeof(buf))
		return -EMSGSIZE;
	buf[0] = msg_type;
	if (len)
		memcpy(buf + 1, msg, len);
	return cxlfm_send_msg(ctx, &peer, false, tag, buf, len + 1);
}
