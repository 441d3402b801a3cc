/* SPDX-License-Identifier: MIT */
/*
 * CCI requests over MCTP: message type from the opcode, tunnelling
 * (Tunnel Management Command 5300h, CXL r3.1 §7.6.7.3.1) as wrapping, and
 * response validation at every level: category, tag, opcode, lengths.
 */
#include <errno.h>
#include <string.h>

#include "lib/private.h"
#include "proto/cci.h"
#include "proto/le.h"

#define TUNNEL_OPCODE 0x5300
#define TUNNEL_HDR 4

/* libcxlmi's rule: FM API command sets 51h-56h travel as message type 0x07. */
static uint8_t msg_type_for(uint16_t opcode)
{
	uint8_t set = (uint8_t)(opcode >> 8);

	return set >= 0x51 && set <= 0x56 ? CXLFM_MSG_FMAPI : CXLFM_MSG_CCI;
}

static int put_cci(uint8_t *buf, size_t room, uint8_t tag, uint16_t opcode,
		   const uint8_t *pl, size_t len)
{
	struct cci_hdr h = { .category = CCI_CAT_REQ, .tag = tag, .opcode = opcode,
			     .pl_len = (uint32_t)len };

	if (room < CCI_HDR_LEN + len)
		return -EMSGSIZE;
	if (cci_hdr_encode(&h, buf, room) < 0)
		return -EMSGSIZE;
	memmove(buf + CCI_HDR_LEN, pl, len);
	return (int)(CCI_HDR_LEN + len);
}

/*
 * Build the request into r->msg. Layers are built inside out in place: the
 * command, then an LD tunnel around it, then a port tunnel around that.
 */
static int build(struct cxlfm_ctx *ctx, struct cxlfm_req *r,
		 const struct cxlfm_tunnel *tun, uint16_t opcode,
		 const void *in, size_t in_len)
{
	int ids[CXLFM_TUNNEL_MAX], nids = 0;
	uint8_t *body = r->msg + 1;
	size_t room = sizeof(r->msg) - 1;
	size_t len;
	int n;

	if (in_len && !in)
		return -EINVAL;
	if (tun && tun->ld >= 0)
		ids[nids++] = tun->ld;
	if (tun && tun->port >= 0)
		ids[nids++] = tun->port;
	for (int i = 0; i < nids; i++)
		if (ids[i] > 0xff)
			return -EINVAL;
	/* Leave room in front for every wrapping layer. */
	size_t front = (size_t)nids * (TUNNEL_HDR + CCI_HDR_LEN);
	if (front + CCI_HDR_LEN + in_len > room)
		return -EMSGSIZE;
	if (in_len)
		memcpy(body + front + CCI_HDR_LEN, in, in_len);

	r->levels = (unsigned)nids;
	r->cci_tag[0] = ctx->cci_tag++;
	r->opcode[0] = opcode;
	n = put_cci(body + front, room - front, r->cci_tag[0], opcode,
		    body + front + CCI_HDR_LEN, in_len);
	if (n < 0)
		return n;
	len = (size_t)n;
	for (int i = 0; i < nids; i++) {
		uint8_t *inner = body + front - (size_t)(i + 1) * (TUNNEL_HDR + CCI_HDR_LEN);
		uint8_t *tp = inner + CCI_HDR_LEN;

		if (len > 0xffff)
			return -EMSGSIZE;
		tp[0] = (uint8_t)ids[i];
		tp[1] = 0; /* target type: port or LD */
		le16_put(tp + 2, (uint16_t)len);
		r->cci_tag[i + 1] = ctx->cci_tag++;
		r->opcode[i + 1] = TUNNEL_OPCODE;
		struct cci_hdr h = { .category = CCI_CAT_REQ, .tag = r->cci_tag[i + 1],
				     .opcode = TUNNEL_OPCODE,
				     .pl_len = (uint32_t)(TUNNEL_HDR + len) };
		cci_hdr_encode(&h, inner, CCI_HDR_LEN);
		len += TUNNEL_HDR + CCI_HDR_LEN;
	}
	r->msg_type = msg_type_for(r->opcode[nids]);
	r->msg[0] = r->msg_type;
	r->msg_len = 1 + len;
	return 0;
}

static int match_cci(struct cxlfm_ctx *ctx, struct cxlfm_req *r,
		     const uint8_t *msg, size_t len, const uint8_t **payload,
		     size_t *plen)
{
	const uint8_t *p;
	struct cci_hdr h;
	int level = (int)r->levels;

	(void)ctx;
	if (len < 1 || (msg[0] & 0x7f) != r->msg_type)
		return CXLFM_NO_MATCH;
	if (cci_msg_decode(msg + 1, len - 1, &h, &p))
		return -EBADMSG;
	if (h.category != CCI_CAT_RSP || h.tag != r->cci_tag[level] ||
	    h.opcode != r->opcode[level])
		return CXLFM_NO_MATCH;
	for (;;) {
		if (h.rc != CXL_RC_SUCCESS && h.rc != CXL_RC_BG_STARTED)
			return h.rc;
		if (level == 0)
			break;
		/* Tunnel response: 0:2 length, 2:2 rsvd, 4: CCI response. */
		if (h.pl_len < TUNNEL_HDR || le16_get(p) != h.pl_len - TUNNEL_HDR)
			return -EBADMSG;
		level--;
		if (cci_msg_decode(p + TUNNEL_HDR, h.pl_len - TUNNEL_HDR, &h, &p) ||
		    h.category != CCI_CAT_RSP || h.tag != r->cci_tag[level] ||
		    h.opcode != r->opcode[level])
			return -EBADMSG;
	}
	*payload = p;
	*plen = h.pl_len;
	return h.rc;
}

static struct cxlfm_req *prepare(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 uint16_t opcode, const void *in, size_t in_len,
				 int *err)
{
	struct cxlfm_req *r;

	if (ep->eid == MCTP_EID_NULL) {
		*err = -EHOSTUNREACH;
		return NULL;
	}
	r = cxlfm_req_alloc(ep->ctx);
	if (!r) {
		*err = -EBUSY;
		return NULL;
	}
	*err = build(ep->ctx, r, tun, opcode, in, in_len);
	if (*err) {
		cxlfm_req_abandon(r);
		return NULL;
	}
	return r;
}

int cxlfm_cmd(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t opcode,
	      const void *in, size_t in_len, void *out, size_t out_max,
	      size_t *out_len)
{
	int err;
	struct cxlfm_req *r = prepare(ep, tun, opcode, in, in_len, &err);

	if (!r)
		return err;
	return cxlfm_req_run(r, ep, match_cci, out, out_max, out_len);
}

int cxlfm_submit(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		 uint16_t opcode, const void *in, size_t in_len,
		 cxlfm_done_fn done, void *arg)
{
	int err;
	struct cxlfm_req *r = prepare(ep, tun, opcode, in, in_len, &err);

	if (!r)
		return err;
	return cxlfm_req_start(r, ep, match_cci, done, arg);
}
