/* SPDX-License-Identifier: MIT */
/*
 * MCTP base transport (DMTF DSP0236 1.3): the 4-byte transport header, a
 * packetiser that splits one message into packets, and a reassembler that
 * joins them again. Pure code over byte buffers: no I/O, no transport
 * knowledge (the SMBus/I2C binding lives in mctp_i2c.h), no allocation except
 * in mctp_reasm_init().
 *
 * Transport header, DSP0236 "MCTP packet fields" (figure "Generic message
 * fields"):
 *
 *   byte 0   bits[7:4] reserved, bits[3:0] header version (0001b)
 *   byte 1   destination endpoint ID
 *   byte 2   source endpoint ID
 *   byte 3   bit 7 SOM, bit 6 EOM, bits[5:4] packet sequence number,
 *            bit 3 TO (tag owner), bits[2:0] message tag
 *
 * The packet payload follows. The first payload byte of a message (SOM
 * packet) is the message header: bit 7 IC (integrity check), bits[6:0]
 * message type (DSP0239 numbers). Messages handled here always include that
 * byte: struct mctp_msg.data[0] is the message type byte.
 */
#ifndef CXLFM_PROTO_MCTP_H
#define CXLFM_PROTO_MCTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MCTP_HDR_LEN 4u
#define MCTP_HDR_VERSION 1u
/* Baseline transmission unit: every binding carries 64 payload bytes
 * (DSP0236 "Packet payload and transmission unit sizes"). */
#define MCTP_BTU 64u
/*
 * Sanity ceiling for a packetiser MTU. DSP0236 sets no upper bound; each
 * binding has its own, lower one (DSP0237: MCTP_I2C_MTU_MAX = 250).
 */
#define MCTP_MTU_MAX 4096u

/* Special EIDs (DSP0236 "Special endpoint IDs"); 0x01-0x07 are reserved. */
#define MCTP_EID_NULL 0x00
#define MCTP_EID_BROADCAST 0xff
#define MCTP_EID_FIRST_ASSIGNABLE 0x08

#define MCTP_TAG_MAX 7u
#define MCTP_SEQ_MASK 3u
#define MCTP_MSG_IC 0x80u        /* message header bit 7 */
#define MCTP_MSG_TYPE_MASK 0x7fu /* message header bits[6:0] */

/* Message types used by cxl-fmemu (DSP0239; CXL r3.1 §7.6.3). */
enum mctp_msg_type {
	MCTP_MSG_CTRL = 0x00,
	MCTP_MSG_CXL_FMAPI = 0x07,
	MCTP_MSG_CXL_CCI = 0x08,
};

/* An EID a bus owner may hand out with Set Endpoint ID: 0x08..0xfe. */
static inline bool mctp_eid_assignable(uint8_t eid)
{
	return eid >= MCTP_EID_FIRST_ASSIGNABLE && eid != MCTP_EID_BROADCAST;
}

struct mctp_hdr {
	uint8_t ver;  /* 4 bits; MCTP_HDR_VERSION */
	uint8_t dest; /* destination EID */
	uint8_t src;  /* source EID */
	bool som, eom;
	bool to;      /* tag owner: set by the originator of a request */
	uint8_t seq;  /* 0-3 */
	uint8_t tag;  /* 0-7 */
};

/*
 * Write the 4-byte header. Returns MCTP_HDR_LEN, -EMSGSIZE if len <
 * MCTP_HDR_LEN, -EINVAL if ver > 15, seq > 3 or tag > 7.
 */
int mctp_hdr_encode(const struct mctp_hdr *h, uint8_t *buf, size_t len);

/*
 * Read the header of a packet. Reserved bits are ignored. Returns 0,
 * -EMSGSIZE if len < MCTP_HDR_LEN, -EPROTO if the header version is not
 * MCTP_HDR_VERSION (h is still filled, so the caller may log it).
 */
int mctp_hdr_decode(const uint8_t *buf, size_t len, struct mctp_hdr *h);

/* Number of packets a len-byte message needs at a given MTU. */
static inline size_t mctp_pkt_count(size_t len, size_t mtu)
{
	return mtu ? (len + mtu - 1) / mtu : 0;
}

/*
 * Packetiser (the sender side of DSP0236 "Message assembly"): the first packet carries SOM, the last EOM, the sequence number
 * counts up modulo 4 from 0, every packet but the last carries exactly mtu
 * payload bytes (receivers check that). It does not copy the message: msg
 * must stay valid until the last mctp_pktizer_next(). Fields are private.
 */
struct mctp_pktizer {
	const uint8_t *msg;
	size_t len, off, mtu;
	uint8_t dest, src, tag, seq;
	bool to;
};

/*
 * msg/len: the whole message, message type byte first. mtu: payload bytes
 * per packet, MCTP_BTU..MCTP_MTU_MAX (a binding may allow less; it is the
 * caller's job to pass the binding's limit). Returns 0, or -EINVAL for a NULL
 * or empty message, an MTU out of range or tag > 7.
 */
int mctp_pktizer_init(struct mctp_pktizer *p, uint8_t dest, uint8_t src,
		      bool to, uint8_t tag, const uint8_t *msg, size_t len,
		      size_t mtu);

/*
 * Write the next packet (header + payload) to buf. Returns its length, 0 once
 * the whole message has been emitted, or -EMSGSIZE if buf cannot hold it (the
 * packetiser does not advance; retry with a bigger buffer). A buffer of
 * MCTP_HDR_LEN + mtu bytes always suffices.
 */
int mctp_pktizer_next(struct mctp_pktizer *p, uint8_t *buf, size_t len);

/* True while packets remain. */
static inline bool mctp_pktizer_pending(const struct mctp_pktizer *p)
{
	return p->off < p->len;
}

/*
 * Why the reassembler dropped a packet or a partial message. DSP0236
 * "Dropped packets" lists the receiver's reasons; each has a counter here
 * and, where a packet is dropped, a distinct errno from mctp_reasm_rx():
 */
enum mctp_drop_reason {
	MCTP_DROP_SHORT,       /* -EMSGSIZE: no header, or no payload byte */
	MCTP_DROP_BAD_VERSION, /* -EPROTO: header version != 1 */
	MCTP_DROP_NO_SOM,      /* -ENOENT: middle/end packet, no open message */
	MCTP_DROP_BAD_SEQ,     /* -EILSEQ: sequence gap; partial message dropped */
	MCTP_DROP_BAD_TU,      /* -EBADMSG: payload size differs from the SOM
				* packet's ("incorrect transmission unit");
				* partial message dropped */
	MCTP_DROP_OVERSIZE,    /* -EFBIG: message exceeds cfg.max_msg; partial
				* message dropped */
	MCTP_DROP_BUSY,        /* -EBUSY: SOM, every context is in use and no
				* source holds two more than this one */
	MCTP_DROP_SOM_RESTART, /* (no error) a new SOM replaced an open
				* message with the same key; the old partial
				* message is dropped, the new one proceeds */
	MCTP_DROP_TIMEOUT,     /* (no error) open message expired, by
				* mctp_reasm_tick() or seen stale on rx */
	MCTP_DROP_EVICTED,     /* (no error) a SOM took the context of an open
				* message: the source's oldest when it was at
				* cfg.max_per_source, else the oldest of the
				* source holding the most */
	MCTP_DROP__COUNT
};

/* Short stable name ("bad-seq") for logs, JSON and QMP; "unknown" if out of range. */
const char *mctp_drop_reason_name(enum mctp_drop_reason r);

struct mctp_reasm_stats {
	uint64_t rx_pkts; /* packets handed to mctp_reasm_rx() */
	uint64_t rx_msgs; /* complete messages returned */
	uint64_t drops[MCTP_DROP__COUNT];
};

struct mctp_reasm_cfg {
	size_t max_msg;      /* largest message accepted, type byte included (>= 1) */
	unsigned nctx;       /* messages being reassembled at once (>= 1) */
	unsigned max_per_source; /* of which one source may hold; 0 = nctx */
	uint64_t timeout_ns; /* an open message with no packet for longer than
				this is dropped; 0 = never */
};

/*
 * Our default for cfg.timeout_ns. DSP0236 leaves the inter-packet timeout to
 * the implementation; one second is far above any bus latency we emulate and
 * well below the multi-second request/tag expiry of the layers above.
 */
#define MCTP_REASM_TIMEOUT_DEFAULT_NS 1000000000ull

struct mctp_reasm_ctx; /* private */

/*
 * Reassembler. The caller owns the struct (stack, static or embedded); init
 * allocates nctx contexts and nctx * max_msg bytes of buffer, and nothing is
 * allocated afterwards. Fields are private except through the functions
 * below. Not thread-safe: one caller at a time.
 */
struct mctp_reasm {
	struct mctp_reasm_cfg cfg;
	struct mctp_reasm_ctx *ctx;
	uint8_t *pool;
	unsigned nopen;
	uint64_t stamp;   /* counts accepted packets: "oldest" is least recent */
	struct mctp_reasm_stats stats;
};

/*
 * Returns 0, -EINVAL for a NULL cfg, max_msg 0 or nctx 0, -ENOMEM if the
 * allocation fails or nctx * max_msg overflows. On error r is left empty
 * (mctp_reasm_fini() is still safe).
 */
int mctp_reasm_init(struct mctp_reasm *r, const struct mctp_reasm_cfg *cfg);
/* Frees what init allocated; safe on a zeroed or already finalised struct. */
void mctp_reasm_fini(struct mctp_reasm *r);

/*
 * A complete message. data includes the message type byte and points either
 * into the packet given to mctp_reasm_rx() (a single-packet message: no copy)
 * or into the reassembler's buffer; it is valid until the next
 * mctp_reasm_rx()/_tick()/_fini() and, for single packets, while the caller's
 * packet buffer is unchanged. dest/to/tag come from the SOM packet.
 */
struct mctp_msg {
	uint8_t src, dest, tag;
	bool to;
	const uint8_t *data;
	size_t len;
};

/*
 * Feed one MCTP packet (transport header first, binding framing removed).
 * source names the physical sender, opaque to the reassembler (the I2C
 * source address on a bus): EIDs are the senders' own claim, and two bus
 * controllers using the same EID must not have their packets spliced.
 * Messages are keyed on (source, source EID, tag, tag owner) (DSP0236
 * "Message assembly", "Tag owner (TO) bit"), and no source holds more than
 * cfg.max_per_source contexts, so one sender cannot take them all (see
 * MCTP_DROP_EVICTED, MCTP_DROP_BUSY). now_ns is the caller's monotonic
 * clock. Returns 1 with *out filled when the packet completes a message, 0
 * when it was accepted and more are needed, or a negative errno when the
 * packet was dropped (see enum mctp_drop_reason; the reason's counter is
 * incremented).
 */
int mctp_reasm_rx(struct mctp_reasm *r, unsigned source, const uint8_t *pkt, size_t len,
		  uint64_t now_ns, struct mctp_msg *out);

/* Drop open messages that saw no packet for more than cfg.timeout_ns. */
void mctp_reasm_tick(struct mctp_reasm *r, uint64_t now_ns);

/* Counters; the pointer stays valid for the reassembler's lifetime. */
static inline const struct mctp_reasm_stats *mctp_reasm_stats(const struct mctp_reasm *r)
{
	return &r->stats;
}

/* Messages currently being reassembled. */
static inline unsigned mctp_reasm_open(const struct mctp_reasm *r)
{
	return r->nopen;
}

#endif
