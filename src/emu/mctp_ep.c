/* SPDX-License-Identifier: MIT */
#include "emu/mctp_ep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/cci.h"
#include "proto/commands.h"
#include "proto/mctp_ctrl.h"
#include "proto/mctp_i2c.h"
#include "util/log.h"

#define EP_MSG_MAX 2048 /* largest CXL message reassembled (1 KiB payload limit + headers) */
/*
 * Messages reassembled at once: one per bus controller at least (the bus
 * takes 32), and no controller more than its 8 request tags (DSP0236: 8
 * per tag owner), so one that never finishes its messages cannot keep the
 * others' out.
 */
#define EP_REASM_CTX 32
#define EP_REASM_PER_SOURCE 8

struct mctp_ep {
	char name[64];
	uint8_t addr;
	uint8_t eid;
	uint8_t uuid[16];
	unsigned mtu;
	uint32_t gen;
	struct mctp_reasm reasm;
	const struct mctp_ep_ops *ops;
	void *arg;
	uint64_t drops[EP_DROP_MAX];
};

static const char *const drop_names[EP_DROP_MAX] = {
	[EP_DROP_FRAME] = "bad-frame",
	[EP_DROP_NOT_OURS] = "not-our-eid",
	[EP_DROP_PACKET] = "bad-packet",
	[EP_DROP_RESPONSE] = "unexpected-response",
	[EP_DROP_TYPE] = "unsupported-type",
	[EP_DROP_CTRL] = "bad-control",
};

const char *mctp_ep_drop_name(enum mctp_ep_drop why)
{
	return why < EP_DROP_MAX ? drop_names[why] : "unknown";
}

int mctp_ep_new(const struct mctp_ep_cfg *cfg, struct mctp_ep **out)
{
	struct mctp_reasm_cfg rc = {
		.max_msg = EP_MSG_MAX, .nctx = EP_REASM_CTX, .max_per_source = EP_REASM_PER_SOURCE,
		.timeout_ns = cfg->reasm_timeout_ns ? cfg->reasm_timeout_ns : 5000000000ull,
	};
	struct mctp_ep *ep;
	int err;

	if (!cfg->ops || !cfg->ops->tx || !cfg->ops->handle_cxl || cfg->addr > 0x7f)
		return -EINVAL;
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	snprintf(ep->name, sizeof(ep->name), "%s", cfg->name ? cfg->name : "ep");
	ep->addr = cfg->addr;
	ep->eid = MCTP_EID_NULL;
	if (cfg->uuid)
		memcpy(ep->uuid, cfg->uuid, 16);
	ep->mtu = cfg->mtu ? cfg->mtu : MCTP_BTU;
	ep->ops = cfg->ops;
	ep->arg = cfg->arg;
	err = mctp_reasm_init(&ep->reasm, &rc);
	if (err) {
		free(ep);
		return err;
	}
	*out = ep;
	return 0;
}

void mctp_ep_free(struct mctp_ep *ep)
{
	if (!ep)
		return;
	mctp_reasm_fini(&ep->reasm);
	free(ep);
}

uint8_t mctp_ep_addr(const struct mctp_ep *ep) { return ep->addr; }
uint8_t mctp_ep_eid(const struct mctp_ep *ep) { return ep->eid; }
const char *mctp_ep_name(const struct mctp_ep *ep) { return ep->name; }

uint64_t mctp_ep_drops(const struct mctp_ep *ep, enum mctp_ep_drop why)
{
	return why < EP_DROP_MAX ? ep->drops[why] : 0;
}

/* Counted; logged at the 1st, 2nd, 4th... of each reason (a peer can flood). */
static void drop(struct mctp_ep *ep, enum mctp_ep_drop why, const char *detail)
{
	uint64_t n = ++ep->drops[why];

	if (log_every_pow2(n))
		log_info("ep %s: dropped (%s%s%s; %llu so far)", ep->name, drop_names[why],
			 detail ? ": " : "", detail ? detail : "", (unsigned long long)n);
}

/* Packetise msg (type byte first) as a response (TO=0) to peer. */
static int send_msg(struct mctp_ep *ep, uint8_t peer_addr, uint8_t peer_eid,
		    uint8_t tag, const uint8_t *msg, size_t len)
{
	uint8_t pkt[MCTP_HDR_LEN + MCTP_I2C_MTU_MAX];
	uint8_t frame[MCTP_I2C_HDR_LEN + MCTP_HDR_LEN + MCTP_I2C_MTU_MAX + 1];
	struct mctp_pktizer pz;
	int n, err;

	err = mctp_pktizer_init(&pz, peer_eid, ep->eid, false, tag, msg, len, ep->mtu);
	if (err)
		return err;
	while ((n = mctp_pktizer_next(&pz, pkt, sizeof(pkt))) > 0) {
		int f = mctp_i2c_encode(peer_addr, ep->addr, pkt, (size_t)n, frame,
					sizeof(frame));

		if (f < 0)
			return f;
		err = ep->ops->tx(ep, frame, (size_t)f, ep->arg);
		if (err)
			return err;
	}
	return n;
}

int mctp_ep_reply(struct mctp_ep *ep, const struct mctp_ep_token *tok,
		  const uint8_t *msg, size_t len)
{
	uint8_t buf[1 + EP_MSG_MAX];

	if (tok->gen != ep->gen)
		return -ESTALE;
	if (len > EP_MSG_MAX)
		return -EMSGSIZE;
	buf[0] = tok->msg_type;
	memcpy(buf + 1, msg, len);
	return send_msg(ep, tok->peer_addr, tok->peer_eid, tok->tag, buf, len + 1);
}

void mctp_ep_tick(struct mctp_ep *ep, uint64_t now_ns)
{
	mctp_reasm_tick(&ep->reasm, now_ns);
}

static void log_request(const struct mctp_ep *ep, uint8_t src_addr, const struct mctp_msg *m);
static void handle_ctrl(struct mctp_ep *ep, uint8_t peer_addr,
			const struct mctp_msg *m);

void mctp_ep_rx(struct mctp_ep *ep, const uint8_t *frame, size_t len, uint64_t now_ns)
{
	struct mctp_i2c_frame f;
	struct mctp_hdr h;
	struct mctp_msg m;
	int rc;

	rc = mctp_i2c_decode(frame, len, &f);
	if (rc < 0) {
		drop(ep, EP_DROP_FRAME, strerror(-rc));
		return;
	}
	rc = mctp_hdr_decode(f.pkt, f.pkt_len, &h);
	if (rc < 0) {
		drop(ep, EP_DROP_PACKET, strerror(-rc));
		return;
	}
	/* Until it has an EID an endpoint answers only to the null EID. */
	if (h.dest != MCTP_EID_NULL && h.dest != ep->eid) {
		drop(ep, EP_DROP_NOT_OURS, NULL);
		return;
	}
	/* keyed on the I2C source: controllers may all use the same EID */
	rc = mctp_reasm_rx(&ep->reasm, f.src, f.pkt, f.pkt_len, now_ns, &m);
	if (rc < 0) {
		drop(ep, EP_DROP_PACKET, strerror(-rc));
		return;
	}
	if (rc == 0)
		return;
	if (!m.to) {
		drop(ep, EP_DROP_RESPONSE, NULL);
		return;
	}
	switch (m.data[0] & 0x7f) {
	case MCTP_MSG_CTRL:
		/* discovery probes: -v (info) leaves them out, --log debug shows them */
		if (m.len >= 3)
			log_dbg("ep %s: MCTP control 0x%02x from EID 0x%02x (I2C 0x%02x) tag %u",
				ep->name, m.data[2], m.src, f.src, m.tag);
		handle_ctrl(ep, f.src, &m);
		return;
	case MCTP_MSG_CXL_FMAPI:
	case MCTP_MSG_CXL_CCI: {
		struct mctp_ep_token tok = {
			.peer_addr = f.src, .peer_eid = m.src, .tag = m.tag,
			.msg_type = (uint8_t)(m.data[0] & 0x7f), .gen = ep->gen,
		};

		if (m.data[0] & 0x80) { /* integrity check bit: CXL uses none */
			drop(ep, EP_DROP_TYPE, "IC bit set");
			return;
		}
		log_request(ep, f.src, &m);
		ep->ops->handle_cxl(ep, &tok, m.data + 1, m.len - 1, ep->arg);
		return;
	}
	default:
		drop(ep, EP_DROP_TYPE, NULL);
		return;
	}
}

/*
 * One line per CXL request at info (cxl-emu -v): who sent it (EID, I2C
 * address), the MCTP tag, and from the CCI message header (CXL r3.1
 * §7.6.3: category, tag, reserved, opcode LE) the CCI tag and opcode.
 */
static void log_request(const struct mctp_ep *ep, uint8_t src_addr, const struct mctp_msg *m)
{
	const struct cxl_cmd_info *c;
	uint16_t op;

	if (log_get_level() < LOG_LVL_INFO)
		return;
	if (m->len < 1 + 5) {
		log_info("ep %s: %zu-byte CXL message from EID 0x%02x (I2C 0x%02x) tag %u",
			 ep->name, m->len, m->src, src_addr, m->tag);
		return;
	}
	op = (uint16_t)(m->data[4] | m->data[5] << 8);
	c = cxl_cmd_find(op);
	log_info("ep %s: request from EID 0x%02x (I2C 0x%02x) tag %u: op 0x%04x %s, cci tag %u",
		 ep->name, m->src, src_addr, m->tag, op, c ? c->name : "(unknown)", m->data[2]);
}

/*
 * Versions reported by Get MCTP Version Support: MCTP base and control
 * 1.3.1 (DSP0236), CXL FM API (DSP0234) and CXL CCI (DSP0281) bindings 1.0.
 * Encoding per DSP0236 §12.6: BCD nibbles with 0xF prefix, 0xFF = none.
 */
static const struct mctp_ver ver_base = { 0xf1, 0xf3, 0xf1, 0x00 };
static const struct mctp_ver ver_cxl = { 0xf1, 0xf0, 0xff, 0x00 };

static int ctrl_set_eid(struct mctp_ep *ep, const struct mctp_msg *m,
			uint8_t iid, uint8_t *rsp, size_t len)
{
	struct mctp_ctrl_set_eid_rsp r = {
		.status = MCTP_SET_EID_ACCEPTED, .alloc = MCTP_EID_POOL_NONE,
	};
	struct mctp_ctrl_set_eid_req rq;
	struct mctp_ctrl_hdr h;
	int rc = mctp_ctrl_set_eid_req_decode(m->data, m->len, &h, &rq);

	if (rc < 0)
		return mctp_ctrl_cc_rsp_encode(iid, MCTP_CTRL_SET_EID,
					       mctp_ctrl_cc_from_errno(rc), rsp, len);
	switch (rq.op) {
	case MCTP_SET_EID_OP_SET:
	case MCTP_SET_EID_OP_FORCE:
		if (!mctp_eid_assignable(rq.eid)) {
			r.cc = MCTP_CTRL_CC_INVALID_DATA;
			break;
		}
		if (ep->eid != rq.eid)
			log_info("ep %s: EID 0x%02x assigned by EID 0x%02x", ep->name,
				 rq.eid, m->src);
		ep->eid = rq.eid;
		break;
	case MCTP_SET_EID_OP_RESET:
		/* DSP0236 §12.3: only endpoints with a static EID can reset. */
		r.cc = MCTP_CTRL_CC_INVALID_DATA;
		break;
	default: /* set discovered flag: nothing to change for us */
		break;
	}
	r.eid = ep->eid;
	return mctp_ctrl_set_eid_rsp_encode(iid, &r, rsp, len);
}

static void handle_ctrl(struct mctp_ep *ep, uint8_t peer_addr,
			const struct mctp_msg *m)
{
	struct mctp_ctrl_hdr h;
	uint8_t rsp[MCTP_BTU];
	int n;

	if (mctp_ctrl_hdr_decode(m->data, m->len, &h) < 0 || !h.rq) {
		drop(ep, EP_DROP_CTRL, "not a control request");
		return;
	}
	switch (h.cmd) {
	case MCTP_CTRL_SET_EID:
		n = ctrl_set_eid(ep, m, h.iid, rsp, sizeof(rsp));
		break;
	case MCTP_CTRL_GET_EID: {
		struct mctp_ctrl_get_eid_rsp r = {
			.eid = ep->eid, .ep_type = MCTP_EP_TYPE_SIMPLE,
			.eid_type = MCTP_EID_TYPE_DYNAMIC,
		};
		int rc = mctp_ctrl_get_eid_req_decode(m->data, m->len, &h);

		n = rc < 0 ? mctp_ctrl_cc_rsp_encode(h.iid, h.cmd, mctp_ctrl_cc_from_errno(rc),
						     rsp, sizeof(rsp)) :
			     mctp_ctrl_get_eid_rsp_encode(h.iid, &r, rsp, sizeof(rsp));
		break;
	}
	case MCTP_CTRL_GET_UUID: {
		struct mctp_ctrl_get_uuid_rsp r = { .cc = MCTP_CTRL_CC_SUCCESS };
		int rc = mctp_ctrl_get_uuid_req_decode(m->data, m->len, &h);

		memcpy(r.uuid, ep->uuid, sizeof(r.uuid));
		n = rc < 0 ? mctp_ctrl_cc_rsp_encode(h.iid, h.cmd, mctp_ctrl_cc_from_errno(rc),
						     rsp, sizeof(rsp)) :
			     mctp_ctrl_get_uuid_rsp_encode(h.iid, &r, rsp, sizeof(rsp));
		break;
	}
	case MCTP_CTRL_GET_VERSION: {
		struct mctp_ctrl_get_version_rsp r = { .cc = MCTP_CTRL_CC_SUCCESS, .count = 1 };
		struct mctp_ctrl_get_version_req rq;
		int rc = mctp_ctrl_get_version_req_decode(m->data, m->len, &h, &rq);

		if (rc < 0) {
			n = mctp_ctrl_cc_rsp_encode(h.iid, h.cmd, mctp_ctrl_cc_from_errno(rc),
						    rsp, sizeof(rsp));
			break;
		}
		if (rq.type == MCTP_CTRL_VERSION_TYPE_BASE || rq.type == MCTP_MSG_CTRL)
			r.ver[0] = ver_base;
		else if (rq.type == MCTP_MSG_CXL_FMAPI || rq.type == MCTP_MSG_CXL_CCI)
			r.ver[0] = ver_cxl;
		else
			r = (struct mctp_ctrl_get_version_rsp){
				.cc = MCTP_CTRL_CC_VERSION_TYPE_UNSUPPORTED };
		n = mctp_ctrl_get_version_rsp_encode(h.iid, &r, rsp, sizeof(rsp));
		break;
	}
	case MCTP_CTRL_GET_MSG_TYPES: {
		/* As QEMU's i2c_mctp_cxl answers: the two CXL types. */
		struct mctp_ctrl_get_msg_types_rsp r = {
			.cc = MCTP_CTRL_CC_SUCCESS, .count = 2,
			.types = { MCTP_MSG_CXL_FMAPI, MCTP_MSG_CXL_CCI },
		};
		int rc = mctp_ctrl_get_msg_types_req_decode(m->data, m->len, &h);

		n = rc < 0 ? mctp_ctrl_cc_rsp_encode(h.iid, h.cmd, mctp_ctrl_cc_from_errno(rc),
						     rsp, sizeof(rsp)) :
			     mctp_ctrl_get_msg_types_rsp_encode(h.iid, &r, rsp, sizeof(rsp));
		break;
	}
	default:
		n = mctp_ctrl_cc_rsp_encode(h.iid, h.cmd, MCTP_CTRL_CC_UNSUPPORTED_CMD,
					    rsp, sizeof(rsp));
		break;
	}
	if (h.d) /* datagram: the sender expects no answer */
		return;
	if (n < 0) {
		log_err("ep %s: control response for cmd 0x%02x: %s", ep->name, h.cmd,
			strerror(-n));
		return;
	}
	n = send_msg(ep, peer_addr, m->src, m->tag, rsp, (size_t)n);
	if (n < 0)
		log_warn("ep %s: control response not sent: %s", ep->name, strerror(-n));
}
