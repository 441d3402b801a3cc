/* SPDX-License-Identifier: MIT */
/*
 * MCTP transport header and reassembler fed arbitrary packet sequences.
 *
 * Input byte 0 selects the mode:
 *  even: a packet stream. Records of [source:2 | clock step:6][length]
 *        [packet bytes...]; the packet comes from one of 4 sources (bus
 *        controllers), the clock advances by step * 1 us, a length of 0xff
 *        means "tick" instead of a packet. Every packet is copied into a
 *        buffer of its exact size so any over-read is caught by ASan.
 *        Invariants: return values are the documented ones, counters add
 *        up, open contexts never exceed nctx, a delivered message is within
 *        limits.
 *  odd:  packetiser round trip. byte 1 picks the MTU, the rest is the
 *        message; packetising and reassembling must give it back unchanged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/mctp.h"

#define NCTX 3u
#define PER_SOURCE 2u
#define MAX_MSG 200u
#define TIMEOUT_NS 64000u

static void check_hdr(const uint8_t *p, size_t n)
{
	struct mctp_hdr h;
	uint8_t re[MCTP_HDR_LEN];
	int rc = mctp_hdr_decode(p, n, &h);

	if (n < MCTP_HDR_LEN) {
		assert(rc == -EMSGSIZE);
		return;
	}
	assert(rc == 0 || rc == -EPROTO);
	assert(h.seq <= 3 && h.tag <= 7 && h.ver <= 15);
	assert(mctp_hdr_encode(&h, re, sizeof(re)) == (int)MCTP_HDR_LEN);
	/* only the reserved bits[7:4] of byte 0 are lost */
	assert(re[0] == (p[0] & 0x0f) && !memcmp(re + 1, p + 1, 3));
}

static void stream(const uint8_t *data, size_t size)
{
	struct mctp_reasm_cfg cfg = { .max_msg = MAX_MSG, .nctx = NCTX,
				      .max_per_source = PER_SOURCE, .timeout_ns = TIMEOUT_NS };
	uint64_t now = 0, pkts = 0, msgs = 0, dropped = 0;
	const struct mctp_reasm_stats *st;
	struct mctp_reasm r;
	size_t off = 0;

	assert(mctp_reasm_init(&r, &cfg) == 0);
	st = mctp_reasm_stats(&r);
	while (off + 2 <= size) {
		uint8_t step = data[off] & 0x3f, n = data[off + 1];
		unsigned source = data[off] >> 6;
		struct mctp_msg out;
		uint8_t *pkt;
		int rc;

		off += 2;
		now += (uint64_t)step * 1000u;
		if (n == 0xff) {
			uint64_t before = st->drops[MCTP_DROP_TIMEOUT];

			mctp_reasm_tick(&r, now);
			assert(st->drops[MCTP_DROP_TIMEOUT] >= before);
			continue;
		}
		if (n > size - off)
			n = (uint8_t)(size - off);
		pkt = malloc(n ? n : 1);
		assert(pkt);
		memcpy(pkt, data + off, n);
		off += n;
		check_hdr(pkt, n);
		rc = mctp_reasm_rx(&r, source, pkt, n, now, &out);
		pkts++;
		switch (rc) {
		case 1:
			msgs++;
			assert(out.len >= 1 && out.len <= MAX_MSG);
			/* touch every byte: ASan checks they are ours */
			{
				volatile uint8_t sum = 0;

				for (size_t i = 0; i < out.len; i++)
					sum = (uint8_t)(sum + out.data[i]);
				(void)sum;
			}
			if (out.data >= pkt && out.data < pkt + n)
				assert(out.data == pkt + MCTP_HDR_LEN &&
				       out.len == n - MCTP_HDR_LEN);
			break;
		case 0:
			break;
		case -EMSGSIZE: case -EPROTO: case -ENOENT: case -EILSEQ:
		case -EBADMSG: case -EFBIG: case -EBUSY:
			dropped++;
			break;
		default:
			assert(0 && "unexpected return value");
		}
		free(pkt);
		assert(mctp_reasm_open(&r) <= NCTX);
		assert(st->rx_pkts == pkts && st->rx_msgs == msgs);
		/* each dropped packet counted exactly once under its reason;
		 * SOM_RESTART, TIMEOUT and EVICTED count messages, not packets */
		assert(st->drops[MCTP_DROP_SHORT] + st->drops[MCTP_DROP_BAD_VERSION] +
		       st->drops[MCTP_DROP_NO_SOM] + st->drops[MCTP_DROP_BAD_SEQ] +
		       st->drops[MCTP_DROP_BAD_TU] + st->drops[MCTP_DROP_OVERSIZE] +
		       st->drops[MCTP_DROP_BUSY] == dropped);
	}
	mctp_reasm_tick(&r, UINT64_MAX);
	assert(mctp_reasm_open(&r) == 0);
	mctp_reasm_fini(&r);
}

static void round_trip(const uint8_t *data, size_t size)
{
	struct mctp_reasm_cfg cfg = { .max_msg = 1, .nctx = 1 };
	size_t mtu, len = size - 2, npkts = 0;
	const uint8_t *msg = data + 2;
	struct mctp_pktizer p;
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t *pkt;
	int n, rc = 0;

	if (size < 3)
		return;
	mtu = MCTP_BTU + data[1] % (250 - MCTP_BTU + 1);
	cfg.max_msg = len;
	assert(mctp_reasm_init(&r, &cfg) == 0);
	assert(mctp_pktizer_init(&p, 9, 8, data[0] & 2, data[0] >> 5, msg, len,
				 mtu) == 0);
	pkt = malloc(MCTP_HDR_LEN + mtu);
	assert(pkt);
	while ((n = mctp_pktizer_next(&p, pkt, MCTP_HDR_LEN + mtu)) > 0) {
		assert(rc == 0);
		npkts++;
		rc = mctp_reasm_rx(&r, 0, pkt, (size_t)n, npkts, &out);
		assert(rc == 0 || rc == 1);
	}
	assert(n == 0 && rc == 1 && npkts == mctp_pkt_count(len, mtu));
	assert(out.len == len && !memcmp(out.data, msg, len));
	assert(out.src == 8 && out.dest == 9 && out.tag == data[0] >> 5);
	free(pkt);
	mctp_reasm_fini(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		round_trip(data, size);
	else
		stream(data + 1, size - 1);
	return 0;
}
