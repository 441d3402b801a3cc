/* SPDX-License-Identifier: MIT */
/*
 * An MCTP endpoint on an emulated I2C bus (QEMU's i2c_mctp_cxl): receives
 * DSP0237 frames addressed to it, answers MCTP control (DSP0236 §12) itself,
 * reassembles CXL messages (types 0x07 FM API, 0x08 CCI) and hands them to
 * its message handler, then packetises the response at the baseline MTU.
 * No I/O: frames leave through the tx op, so the same endpoint serves the
 * bus socket and tests. The handler may answer later (forwarding to another
 * host): it gets a reply token it completes with mctp_ep_reply().
 */
#ifndef CXLFM_EMU_MCTP_EP_H
#define CXLFM_EMU_MCTP_EP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/mctp.h"

struct mctp_ep;

/* Identifies one request in flight so the answer goes to the right place. */
struct mctp_ep_token {
	uint8_t peer_addr; /* requester's 7-bit I2C address */
	uint8_t peer_eid;
	uint8_t tag;       /* MCTP tag of the request (TO was 1) */
	uint8_t msg_type;  /* 0x07 or 0x08 */
	uint32_t gen;      /* endpoint generation: a reset invalidates tokens */
};

struct mctp_ep_ops {
	/* Send one DSP0237 frame onto the bus. */
	int (*tx)(struct mctp_ep *ep, const uint8_t *frame, size_t len, void *arg);
	/*
	 * A CXL request (CCI message: 12-byte header + payload) arrived.
	 * Answer now or later with mctp_ep_reply(tok, whole CCI response).
	 */
	void (*handle_cxl)(struct mctp_ep *ep, const struct mctp_ep_token *tok,
			   const uint8_t *msg, size_t len, void *arg);
};

enum mctp_ep_drop {
	EP_DROP_FRAME,      /* DSP0237 frame did not decode */
	EP_DROP_NOT_OURS,   /* destination EID neither ours nor null */
	EP_DROP_PACKET,     /* reassembler refused the packet */
	EP_DROP_RESPONSE,   /* a message with TO=0: we never send requests */
	EP_DROP_TYPE,       /* unsupported message type */
	EP_DROP_CTRL,       /* malformed control request */
	EP_DROP_MAX,
};

struct mctp_ep_cfg {
	const char *name;     /* for logs: "aspeed.i2c.bus.0@0x06" */
	uint8_t addr;         /* 7-bit I2C address */
	const uint8_t *uuid;  /* 16 bytes for Get Endpoint UUID */
	unsigned mtu;         /* packet payload bytes; 0: baseline 64 */
	uint64_t reasm_timeout_ns;
	const struct mctp_ep_ops *ops;
	void *arg;
};

int mctp_ep_new(const struct mctp_ep_cfg *cfg, struct mctp_ep **out);
void mctp_ep_free(struct mctp_ep *ep);

/* One frame from the bus (already addressed to this endpoint's address). */
void mctp_ep_rx(struct mctp_ep *ep, const uint8_t *frame, size_t len, uint64_t now_ns);
/* Send the CCI response msg for tok. -ESTALE if the endpoint was reset since. */
int mctp_ep_reply(struct mctp_ep *ep, const struct mctp_ep_token *tok,
		  const uint8_t *msg, size_t len);
/* Expire stale reassembly contexts. */
void mctp_ep_tick(struct mctp_ep *ep, uint64_t now_ns);

uint8_t mctp_ep_addr(const struct mctp_ep *ep);
uint8_t mctp_ep_eid(const struct mctp_ep *ep);
const char *mctp_ep_name(const struct mctp_ep *ep);
uint64_t mctp_ep_drops(const struct mctp_ep *ep, enum mctp_ep_drop why);
const char *mctp_ep_drop_name(enum mctp_ep_drop why);

#endif
