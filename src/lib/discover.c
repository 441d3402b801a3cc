/* SPDX-License-Identifier: MIT */
/*
 * Bus owner duties (DSP0236 §8.17, DSP0237 §7): find endpoints by probing
 * 7-bit addresses with Get Endpoint ID (absent addresses NACK at once on the
 * emulated bus), give each an EID with Set Endpoint ID, and read its
 * message types with Get Message Type Support.
 */
#include <errno.h>
#include <string.h>

#include "lib/private.h"
#include "proto/mctp_ctrl.h"

#define PROBE_TIMEOUT_MS 250 /* a silent address is another controller */

static int match_ctrl(struct cxlfm_ctx *ctx, struct cxlfm_req *r,
		      const uint8_t *msg, size_t len, const uint8_t **payload,
		      size_t *plen)
{
	struct mctp_ctrl_hdr h;
	uint8_t cc;

	(void)ctx;
	if (mctp_ctrl_rsp_decode(msg, len, &h, &cc) < 0 || h.iid != r->ctrl_iid ||
	    h.cmd != r->ctrl_cmd)
		return CXLFM_NO_MATCH;
	*payload = msg; /* the whole message: each command has its decoder */
	*plen = len;
	return 0;
}

/*
 * One control exchange. encode() writes the request for iid into buf.
 * The whole response message lands in rsp.
 */
static int ctrl_call(struct cxlfm_ep *ep, uint8_t cmd,
		     int (*encode)(uint8_t iid, const void *arg, uint8_t *buf, size_t len),
		     const void *arg, uint8_t *rsp, size_t rsp_max, size_t *rsp_len)
{
	struct cxlfm_ctx *ctx = ep->ctx;
	struct cxlfm_req *r = cxlfm_req_alloc(ctx);
	int n;

	if (!r)
		return -EBUSY;
	r->ctrl_iid = ctx->ctrl_iid;
	ctx->ctrl_iid = (uint8_t)((ctx->ctrl_iid + 1) & MCTP_CTRL_IID_MAX);
	r->ctrl_cmd = cmd;
	r->msg_type = MCTP_MSG_CTRL;
	n = encode(r->ctrl_iid, arg, r->msg, sizeof(r->msg));
	if (n < 0) {
		cxlfm_req_abandon(r);
		return n;
	}
	r->msg_len = (size_t)n;
	return cxlfm_req_run(r, ep, match_ctrl, rsp, rsp_max, rsp_len);
}

static int enc_get_eid(uint8_t iid, const void *arg, uint8_t *buf, size_t len)
{
	(void)arg;
	return mctp_ctrl_get_eid_req_encode(iid, buf, len);
}

static int enc_set_eid(uint8_t iid, const void *arg, uint8_t *buf, size_t len)
{
	return mctp_ctrl_set_eid_req_encode(iid, arg, buf, len);
}

static int enc_msg_types(uint8_t iid, const void *arg, uint8_t *buf, size_t len)
{
	(void)arg;
	return mctp_ctrl_get_msg_types_req_encode(iid, buf, len);
}

static int enc_uuid(uint8_t iid, const void *arg, uint8_t *buf, size_t len)
{
	(void)arg;
	return mctp_ctrl_get_uuid_req_encode(iid, buf, len);
}

static uint8_t alloc_eid(struct cxlfm_ctx *ctx)
{
	for (unsigned tries = 0; tries < 0xf6; tries++) {
		uint8_t eid = ctx->next_eid;

		ctx->next_eid = (uint8_t)(eid >= 0xfe ? CXLFM_FIRST_EID : eid + 1);
		if (eid != ctx->own_eid && !cxlfm_ep_by_eid(ctx, eid))
			return eid;
	}
	return MCTP_EID_NULL;
}

/*
 * Probe addr; on an answer make it an endpoint with an EID: the one it has
 * from us, else want, else the next free one.
 */
static int probe(struct cxlfm_ctx *ctx, uint8_t addr, unsigned timeout_ms,
		 uint8_t want, struct cxlfm_ep **out)
{
	struct mctp_ctrl_get_eid_rsp ge;
	struct mctp_ctrl_set_eid_rsp se;
	struct mctp_ctrl_get_msg_types_rsp mt;
	struct mctp_ctrl_get_uuid_rsp uu;
	struct mctp_ctrl_set_eid_req sr = { .op = MCTP_SET_EID_OP_SET };
	struct mctp_ctrl_hdr h;
	uint8_t rsp[128];
	size_t len = 0;
	unsigned saved = ctx->timeout_ms;
	struct cxlfm_ep *ep = cxlfm_ep_add(ctx, addr);
	bool fresh = ep && ep->eid == MCTP_EID_NULL;
	int err;

	if (!ep)
		return -ENOMEM;
	ctx->timeout_ms = timeout_ms;
	err = ctrl_call(ep, MCTP_CTRL_GET_EID, enc_get_eid, NULL, rsp, sizeof(rsp), &len);
	ctx->timeout_ms = saved;
	if (!err)
		err = mctp_ctrl_get_eid_rsp_decode(rsp, len, &h, &ge);
	if (err)
		goto fail;

	sr.eid = ep->eid != MCTP_EID_NULL ? ep->eid :
		 want != MCTP_EID_NULL ? want : alloc_eid(ctx);
	if (sr.eid == MCTP_EID_NULL) {
		err = -ENOSPC;
		goto fail;
	}
	err = ctrl_call(ep, MCTP_CTRL_SET_EID, enc_set_eid, &sr, rsp, sizeof(rsp), &len);
	if (!err)
		err = mctp_ctrl_set_eid_rsp_decode(rsp, len, &h, &se);
	if (!err && (se.cc != MCTP_CTRL_CC_SUCCESS || se.status != MCTP_SET_EID_ACCEPTED ||
		     se.eid != sr.eid))
		err = -EPROTO;
	if (err)
		goto fail;
	ep->eid = sr.eid;

	err = ctrl_call(ep, MCTP_CTRL_GET_MSG_TYPES, enc_msg_types, NULL, rsp,
			sizeof(rsp), &len);
	if (!err)
		err = mctp_ctrl_get_msg_types_rsp_decode(rsp, len, &h, &mt);
	if (err)
		goto fail;
	memset(ep->types, 0, sizeof(ep->types));
	for (unsigned i = 0; i < mt.count; i++)
		ep->types[mt.types[i] / 32] |= 1u << (mt.types[i] % 32);
	if (!ctrl_call(ep, MCTP_CTRL_GET_UUID, enc_uuid, NULL, rsp, sizeof(rsp), &len) &&
	    !mctp_ctrl_get_uuid_rsp_decode(rsp, len, &h, &uu) && uu.cc == MCTP_CTRL_CC_SUCCESS)
		memcpy(ep->uuid, uu.uuid, sizeof(ep->uuid));
	cxlfm_log(ctx, CXLFM_LOG_INFO, "ep 0x%02x: EID 0x%02x", addr, ep->eid);
	*out = ep;
	return 0;

fail:
	if (fresh)
		cxlfm_ep_remove(ctx, ep);
	else if (err == -EHOSTUNREACH || err == -ETIMEDOUT)
		ep->eid = MCTP_EID_NULL; /* it went away */
	return err;
}

int cxlfm_discover(struct cxlfm_ctx *ctx)
{
	unsigned t = ctx->timeout_ms < PROBE_TIMEOUT_MS ? ctx->timeout_ms : PROBE_TIMEOUT_MS;

	for (unsigned a = I2C_ADDR_FIRST; a <= I2C_ADDR_LAST; a++) {
		struct cxlfm_ep *ep;
		int err;

		if (a == ctx->own_addr)
			continue;
		err = probe(ctx, (uint8_t)a, t, MCTP_EID_NULL, &ep);
		if (err == -ECONNRESET || err == -EPIPE)
			return err; /* the bus itself is gone */
	}
	return (int)cxlfm_ep_count(ctx);
}

int cxlfm_ep_by_addr(struct cxlfm_ctx *ctx, uint8_t addr, struct cxlfm_ep **out)
{
	struct cxlfm_ep *ep = cxlfm_ep_find_addr(ctx, addr);

	if (!cxlfm_peer_addr_ok(ctx, addr))
		return -EINVAL;
	if (ep && ep->eid != MCTP_EID_NULL) {
		*out = ep;
		return 0;
	}
	return probe(ctx, addr, ctx->timeout_ms, MCTP_EID_NULL, out);
}

int cxlfm_ep_pin_eid(struct cxlfm_ctx *ctx, uint8_t addr, uint8_t eid,
		     struct cxlfm_ep **out)
{
	unsigned t = ctx->timeout_ms < PROBE_TIMEOUT_MS ? ctx->timeout_ms : PROBE_TIMEOUT_MS;
	struct cxlfm_ep *ep, *other;
	int err;

	if (!cxlfm_peer_addr_ok(ctx, addr) ||
	    !mctp_eid_assignable(eid) || eid == ctx->own_eid)
		return -EINVAL;
	other = cxlfm_ep_by_eid(ctx, eid);
	if (other && other->addr != addr)
		return -EADDRINUSE;
	/* Talk to it at the null EID, which it accepts whatever EID it has,
	 * and have probe() give it this one. */
	ep = cxlfm_ep_find_addr(ctx, addr);
	for (size_t i = 0; ep && i < CXLFM_MAX_PENDING; i++)
		if (ctx->req[i].state >= REQ_QUEUED && ctx->req[i].ep == ep)
			return -EBUSY; /* probe() may drop and re-add it */
	if (ep)
		ep->eid = MCTP_EID_NULL;
	err = probe(ctx, addr, t, eid, &ep);
	if (err) {
		/* A static route stays even when nobody answers. */
		ep = cxlfm_ep_add(ctx, addr);
		if (!ep)
			return -ENOMEM;
		ep->eid = eid;
	}
	*out = ep;
	return err;
}
