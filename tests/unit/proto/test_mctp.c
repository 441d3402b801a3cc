/* SPDX-License-Identifier: MIT */
/* MCTP transport header, packetiser and reassembler (DSP0236). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/mctp.h"

#define MS 1000000ull

/* Build one packet: header from the arguments, n payload bytes of value fill. */
static size_t mkpkt(uint8_t *buf, uint8_t src, uint8_t tag, bool to, bool som,
		    bool eom, uint8_t seq, size_t n, uint8_t fill)
{
	struct mctp_hdr h = { .ver = MCTP_HDR_VERSION, .dest = 0x08, .src = src,
			      .som = som, .eom = eom, .to = to, .seq = seq,
			      .tag = tag };

	assert_int_equal(mctp_hdr_encode(&h, buf, MCTP_HDR_LEN), MCTP_HDR_LEN);
	memset(buf + MCTP_HDR_LEN, fill, n);
	return MCTP_HDR_LEN + n;
}

static void reasm_setup(struct mctp_reasm *r, size_t max_msg, unsigned nctx,
			uint64_t timeout_ns)
{
	struct mctp_reasm_cfg cfg = { .max_msg = max_msg, .nctx = nctx,
				      .timeout_ns = timeout_ns };

	assert_int_equal(mctp_reasm_init(r, &cfg), 0);
}

static uint64_t drops(const struct mctp_reasm *r, enum mctp_drop_reason why)
{
	return mctp_reasm_stats(r)->drops[why];
}

/* ---- header ---- */

/*
 * Known answer, laid out by hand from DSP0236 "MCTP packet fields":
 * version 1, dest EID 0x09, src EID 0x08; byte 3 = SOM(0x80) | EOM(0x40) |
 * seq 2 << 4 (0x20) | TO(0x08) | tag 5 = 0xed.
 */
static void test_hdr_known_answer(void **state)
{
	const uint8_t want[4] = { 0x01, 0x09, 0x08, 0xed };
	struct mctp_hdr h = { .ver = 1, .dest = 0x09, .src = 0x08, .som = true,
			      .eom = true, .seq = 2, .to = true, .tag = 5 };
	struct mctp_hdr d;
	uint8_t buf[4];

	(void)state;
	assert_int_equal(mctp_hdr_encode(&h, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, want, 4);
	assert_int_equal(mctp_hdr_decode(want, 4, &d), 0);
	assert_int_equal(d.ver, 1);
	assert_int_equal(d.dest, 0x09);
	assert_int_equal(d.src, 0x08);
	assert_true(d.som && d.eom && d.to);
	assert_int_equal(d.seq, 2);
	assert_int_equal(d.tag, 5);
}

static void test_hdr_round_trip_all_flags(void **state)
{
	(void)state;
	for (unsigned f = 0; f < 8; f++)
		for (uint8_t seq = 0; seq < 4; seq++)
			for (uint8_t tag = 0; tag < 8; tag++) {
				struct mctp_hdr h = { .ver = 1, .dest = 0xff,
						      .src = (uint8_t)(seq * 8 + tag),
						      .som = f & 1, .eom = f & 2,
						      .to = f & 4, .seq = seq,
						      .tag = tag };
				struct mctp_hdr d;
				uint8_t buf[4];

				assert_int_equal(mctp_hdr_encode(&h, buf, 4), 4);
				assert_int_equal(mctp_hdr_decode(buf, 4, &d), 0);
				assert_memory_equal(&h, &d, sizeof(h));
			}
}

static void test_hdr_encode_errors(void **state)
{
	struct mctp_hdr h = { .ver = 1 };
	uint8_t buf[4];

	(void)state;
	assert_int_equal(mctp_hdr_encode(&h, buf, 3), -EMSGSIZE);
	h.seq = 4;
	assert_int_equal(mctp_hdr_encode(&h, buf, 4), -EINVAL);
	h.seq = 3;
	h.tag = 8;
	assert_int_equal(mctp_hdr_encode(&h, buf, 4), -EINVAL);
	h.tag = 7;
	h.ver = 16;
	assert_int_equal(mctp_hdr_encode(&h, buf, 4), -EINVAL);
}

static void test_hdr_decode_short_and_version(void **state)
{
	uint8_t buf[4] = { 0x01, 0, 0, 0 };
	struct mctp_hdr h;

	(void)state;
	for (size_t n = 0; n < 4; n++)
		assert_int_equal(mctp_hdr_decode(buf, n, &h), -EMSGSIZE);
	buf[0] = 0x02;
	assert_int_equal(mctp_hdr_decode(buf, 4, &h), -EPROTO);
	assert_int_equal(h.ver, 2);
	buf[0] = 0x00;
	assert_int_equal(mctp_hdr_decode(buf, 4, &h), -EPROTO);
	buf[0] = 0xf1; /* reserved bits[7:4] ignored */
	assert_int_equal(mctp_hdr_decode(buf, 4, &h), 0);
}

static void test_eid_assignable(void **state)
{
	(void)state;
	assert_false(mctp_eid_assignable(MCTP_EID_NULL));
	assert_false(mctp_eid_assignable(0x07));
	assert_true(mctp_eid_assignable(0x08));
	assert_true(mctp_eid_assignable(0xfe));
	assert_false(mctp_eid_assignable(MCTP_EID_BROADCAST));
}

/* ---- packetiser ---- */

static void test_pktizer_init_errors(void **state)
{
	uint8_t msg[8] = { 0 };
	struct mctp_pktizer p;

	(void)state;
	assert_int_equal(mctp_pktizer_init(&p, 9, 8, true, 0, msg, 0, 64), -EINVAL);
	assert_int_equal(mctp_pktizer_init(&p, 9, 8, true, 0, NULL, 8, 64), -EINVAL);
	assert_int_equal(mctp_pktizer_init(&p, 9, 8, true, 0, msg, 8, 63), -EINVAL);
	assert_int_equal(mctp_pktizer_init(&p, 9, 8, true, 0, msg, 8,
					   MCTP_MTU_MAX + 1), -EINVAL);
	assert_int_equal(mctp_pktizer_init(&p, 9, 8, true, 8, msg, 8, 64), -EINVAL);
	assert_int_equal(mctp_pktizer_init(&p, 9, 8, true, 7, msg, 8,
					   MCTP_MTU_MAX), 0);
}

/* Known answer: a 3-byte message fits one packet: SOM|EOM, seq 0. */
static void test_pktizer_single(void **state)
{
	const uint8_t msg[3] = { 0x00, 0x80, 0x02 }; /* Get Endpoint ID request */
	const uint8_t want[7] = { 0x01, 0x00, 0x08, 0xc8 | 3, 0x00, 0x80, 0x02 };
	struct mctp_pktizer p;
	uint8_t buf[MCTP_HDR_LEN + MCTP_BTU];

	(void)state;
	assert_int_equal(mctp_pktizer_init(&p, MCTP_EID_NULL, 0x08, true, 3, msg,
					   sizeof(msg), MCTP_BTU), 0);
	assert_true(mctp_pktizer_pending(&p));
	assert_int_equal(mctp_pktizer_next(&p, buf, sizeof(buf)), 7);
	assert_memory_equal(buf, want, 7);
	assert_false(mctp_pktizer_pending(&p));
	assert_int_equal(mctp_pktizer_next(&p, buf, sizeof(buf)), 0);
}

static void test_pktizer_small_buffer(void **state)
{
	uint8_t msg[100] = { 0 };
	uint8_t buf[MCTP_HDR_LEN + 64];
	struct mctp_pktizer p;

	(void)state;
	assert_int_equal(mctp_pktizer_init(&p, 9, 8, false, 0, msg, 100, 64), 0);
	/* the first packet needs 68 bytes; nothing advances on failure */
	assert_int_equal(mctp_pktizer_next(&p, buf, 67), -EMSGSIZE);
	assert_int_equal(mctp_pktizer_next(&p, buf, 68), 68);
	assert_int_equal(buf[3] & 0xf0, 0x80); /* SOM, seq 0 */
	/* the last one needs only 4 + 36 */
	assert_int_equal(mctp_pktizer_next(&p, buf, 39), -EMSGSIZE);
	assert_int_equal(mctp_pktizer_next(&p, buf, 40), 40);
	assert_int_equal(buf[3] & 0xf0, 0x40 | 0x10); /* EOM, seq 1 */
	assert_int_equal(mctp_pktizer_next(&p, buf, 40), 0);
}

/* Exact multiple of the MTU: the last full packet carries EOM, no empty packet. */
static void test_pktizer_exact_multiple(void **state)
{
	uint8_t msg[128], buf[MCTP_HDR_LEN + 64];
	struct mctp_pktizer p;

	(void)state;
	memset(msg, 0xa5, sizeof(msg));
	assert_int_equal(mctp_pktizer_init(&p, 9, 8, false, 0, msg, 128, 64), 0);
	assert_int_equal(mctp_pktizer_next(&p, buf, sizeof(buf)), 68);
	assert_int_equal(buf[3] & 0xc0, 0x80);
	assert_int_equal(mctp_pktizer_next(&p, buf, sizeof(buf)), 68);
	assert_int_equal(buf[3] & 0xc0, 0x40);
	assert_int_equal(mctp_pktizer_next(&p, buf, sizeof(buf)), 0);
	assert_int_equal(mctp_pkt_count(128, 64), 2);
	assert_int_equal(mctp_pkt_count(129, 64), 3);
}

/*
 * Three 1000-byte messages packetised at MTU 64 (16 packets, sequence
 * numbers wrap four times) and MTU 250 (4 packets), interleaved packet by
 * packet: two sources with the same tag, and one source with two tags (one
 * of them with the other tag owner value). All three must come back intact.
 */
static void split_and_reassemble(size_t mtu)
{
	struct {
		uint8_t src, tag;
		bool to;
		uint8_t msg[1000];
		struct mctp_pktizer p;
		bool done;
	} m[3] = {
		{ .src = 0x10, .tag = 1, .to = true },
		{ .src = 0x11, .tag = 1, .to = true },
		{ .src = 0x10, .tag = 2, .to = false },
	};
	uint8_t pkt[MCTP_HDR_LEN + 250];
	struct mctp_reasm r;
	unsigned left = 3, npkts = 0;

	reasm_setup(&r, 1024, 4, 100 * MS);
	for (unsigned i = 0; i < 3; i++) {
		m[i].msg[0] = MCTP_MSG_CXL_FMAPI;
		for (size_t j = 1; j < sizeof(m[i].msg); j++)
			m[i].msg[j] = (uint8_t)(j * 7 + i);
		assert_int_equal(mctp_pktizer_init(&m[i].p, 0x08, m[i].src, m[i].to,
						   m[i].tag, m[i].msg,
						   sizeof(m[i].msg), mtu), 0);
	}
	while (left) {
		for (unsigned i = 0; i < 3; i++) {
			struct mctp_msg out;
			int n, rc;

			if (m[i].done)
				continue;
			n = mctp_pktizer_next(&m[i].p, pkt, sizeof(pkt));
			assert_true(n > (int)MCTP_HDR_LEN && n <= (int)(MCTP_HDR_LEN + mtu));
			npkts++;
			rc = mctp_reasm_rx(&r, 0, pkt, (size_t)n, npkts, &out);
			if (mctp_pktizer_pending(&m[i].p)) {
				assert_int_equal(rc, 0);
				continue;
			}
			assert_int_equal(rc, 1);
			assert_int_equal(out.src, m[i].src);
			assert_int_equal(out.dest, 0x08);
			assert_int_equal(out.tag, m[i].tag);
			assert_int_equal(out.to, m[i].to);
			assert_int_equal(out.len, sizeof(m[i].msg));
			assert_memory_equal(out.data, m[i].msg, sizeof(m[i].msg));
			m[i].done = true;
			left--;
		}
	}
	assert_int_equal(npkts, 3 * mctp_pkt_count(1000, mtu));
	assert_int_equal(mctp_reasm_stats(&r)->rx_msgs, 3);
	for (unsigned d = 0; d < MCTP_DROP__COUNT; d++)
		assert_int_equal(drops(&r, d), 0);
	assert_int_equal(mctp_reasm_open(&r), 0);
	mctp_reasm_fini(&r);
}

static void test_split_reassemble_mtu64(void **state)
{
	(void)state;
	assert_int_equal(mctp_pkt_count(1000, 64), 16);
	split_and_reassemble(64);
}

static void test_split_reassemble_mtu250(void **state)
{
	(void)state;
	assert_int_equal(mctp_pkt_count(1000, 250), 4);
	split_and_reassemble(250);
}

/* ---- reassembler ---- */

static void test_reasm_init_errors(void **state)
{
	struct mctp_reasm r;
	struct mctp_reasm_cfg cfg = { .max_msg = 0, .nctx = 1 };

	(void)state;
	assert_int_equal(mctp_reasm_init(&r, NULL), -EINVAL);
	assert_int_equal(mctp_reasm_init(&r, &cfg), -EINVAL);
	cfg = (struct mctp_reasm_cfg){ .max_msg = 64, .nctx = 0 };
	assert_int_equal(mctp_reasm_init(&r, &cfg), -EINVAL);
	cfg = (struct mctp_reasm_cfg){ .max_msg = SIZE_MAX / 2, .nctx = 3 };
	assert_int_equal(mctp_reasm_init(&r, &cfg), -ENOMEM);
	mctp_reasm_fini(&r);
	mctp_reasm_fini(&r); /* twice is fine */
}

static void test_reasm_uninitialised(void **state)
{
	struct mctp_reasm r = { 0 };
	struct mctp_msg out;
	uint8_t pkt[8];
	size_t n = mkpkt(pkt, 9, 0, true, true, false, 0, 4, 0);

	(void)state;
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), -EINVAL);
	mctp_reasm_tick(&r, 0);
}

/* SOM+EOM: delivered at once, pointing into the packet (no copy, no context). */
static void test_reasm_single_packet_fast_path(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 10];
	size_t n = mkpkt(pkt, 0x21, 6, false, true, true, 3, 10, 0x08);

	(void)state;
	reasm_setup(&r, 64, 1, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 1);
	assert_ptr_equal(out.data, pkt + MCTP_HDR_LEN);
	assert_int_equal(out.len, 10);
	assert_int_equal(out.src, 0x21);
	assert_int_equal(out.dest, 0x08);
	assert_int_equal(out.tag, 6);
	assert_false(out.to);
	assert_int_equal(mctp_reasm_open(&r), 0);
	assert_int_equal(mctp_reasm_stats(&r)->rx_pkts, 1);
	assert_int_equal(mctp_reasm_stats(&r)->rx_msgs, 1);
	mctp_reasm_fini(&r);
}

static void test_reasm_drop_short(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 1];

	(void)state;
	reasm_setup(&r, 64, 1, 0);
	mkpkt(pkt, 9, 0, true, true, true, 0, 1, 0);
	/* a header with no payload byte is short too */
	for (size_t n = 0; n <= MCTP_HDR_LEN; n++)
		assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), -EMSGSIZE);
	assert_int_equal(drops(&r, MCTP_DROP_SHORT), MCTP_HDR_LEN + 1);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, sizeof(pkt), 0, &out), 1);
	mctp_reasm_fini(&r);
}

static void test_reasm_drop_bad_version(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 4];
	size_t n = mkpkt(pkt, 9, 0, true, true, true, 0, 4, 0);

	(void)state;
	reasm_setup(&r, 64, 1, 0);
	pkt[0] = 0x02;
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), -EPROTO);
	pkt[0] = 0x00;
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), -EPROTO);
	assert_int_equal(drops(&r, MCTP_DROP_BAD_VERSION), 2);
	assert_int_equal(mctp_reasm_stats(&r)->rx_msgs, 0);
	mctp_reasm_fini(&r);
}

/* Middle and end packets with no open message are dropped. */
static void test_reasm_drop_no_som(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 64];
	size_t n;

	(void)state;
	reasm_setup(&r, 256, 2, 0);
	n = mkpkt(pkt, 9, 0, true, false, false, 1, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), -ENOENT);
	n = mkpkt(pkt, 9, 0, true, false, true, 1, 10, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), -ENOENT);
	/* an open message for another key does not help */
	n = mkpkt(pkt, 9, 1, true, true, false, 0, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 9, 0, true, false, true, 1, 10, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), -ENOENT);
	assert_int_equal(drops(&r, MCTP_DROP_NO_SOM), 3);
	assert_int_equal(mctp_reasm_open(&r), 1);
	mctp_reasm_fini(&r);
}

/* A sequence gap drops the packet and the partial message. */
static void test_reasm_drop_bad_seq(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 64];
	size_t n;

	(void)state;
	reasm_setup(&r, 1024, 1, 0);
	n = mkpkt(pkt, 9, 0, true, true, false, 3, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 9, 0, true, false, false, 0, 64, 0); /* 3 -> 0 wraps: ok */
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 9, 0, true, false, false, 2, 64, 0); /* expected 1 */
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), -EILSEQ);
	assert_int_equal(drops(&r, MCTP_DROP_BAD_SEQ), 1);
	assert_int_equal(mctp_reasm_open(&r), 0);
	/* the context is gone: the would-be next packet has no SOM */
	n = mkpkt(pkt, 9, 0, true, false, true, 1, 10, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), -ENOENT);
	assert_int_equal(drops(&r, MCTP_DROP_NO_SOM), 1);
	mctp_reasm_fini(&r);
}

/* A new SOM on an open key drops the old message and starts the new one. */
static void test_reasm_som_restart(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 64];
	size_t n;

	(void)state;
	reasm_setup(&r, 1024, 1, 0);
	n = mkpkt(pkt, 9, 4, true, true, false, 0, 64, 0xaa);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 9, 4, true, false, false, 1, 64, 0xaa);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	/* restart with a different seq start and payload */
	n = mkpkt(pkt, 9, 4, true, true, false, 2, 64, 0xbb);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	assert_int_equal(drops(&r, MCTP_DROP_SOM_RESTART), 1);
	assert_int_equal(mctp_reasm_open(&r), 1);
	n = mkpkt(pkt, 9, 4, true, false, true, 3, 5, 0xcc);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 1);
	assert_int_equal(out.len, 69);
	assert_int_equal(out.data[0], 0xbb);
	assert_int_equal(out.data[63], 0xbb);
	assert_int_equal(out.data[64], 0xcc);
	/* a single-packet SOM also replaces an open message */
	n = mkpkt(pkt, 9, 4, true, true, false, 0, 64, 0xaa);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 9, 4, true, true, true, 0, 3, 0xdd);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 1);
	assert_int_equal(out.len, 3);
	assert_int_equal(drops(&r, MCTP_DROP_SOM_RESTART), 2);
	assert_int_equal(mctp_reasm_open(&r), 0);
	mctp_reasm_fini(&r);
}

static void test_reasm_drop_oversize(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 200];
	size_t n;

	(void)state;
	reasm_setup(&r, 100, 1, 0);
	/* single packet over the limit */
	n = mkpkt(pkt, 9, 0, true, true, true, 0, 101, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), -EFBIG);
	/* exactly the limit is fine */
	n = mkpkt(pkt, 9, 0, true, true, true, 0, 100, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 1);
	/* multi-packet: 64 + 64 > 100 drops the message */
	n = mkpkt(pkt, 9, 0, true, true, false, 0, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 9, 0, true, false, false, 1, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), -EFBIG);
	assert_int_equal(mctp_reasm_open(&r), 0);
	/* 64 + 36 = 100 completes */
	n = mkpkt(pkt, 9, 0, true, true, false, 0, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 9, 0, true, false, true, 1, 36, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 1);
	assert_int_equal(out.len, 100);
	/* a SOM packet larger than the limit */
	n = mkpkt(pkt, 9, 0, true, true, false, 0, 200, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), -EFBIG);
	assert_int_equal(drops(&r, MCTP_DROP_OVERSIZE), 3);
	mctp_reasm_fini(&r);
}

/* Middle packets must match the SOM packet's size; the end packet may be shorter. */
static void test_reasm_drop_bad_tu(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 80];
	size_t n;

	(void)state;
	reasm_setup(&r, 1024, 1, 0);
	n = mkpkt(pkt, 9, 0, true, true, false, 0, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 9, 0, true, false, false, 1, 63, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), -EBADMSG);
	assert_int_equal(mctp_reasm_open(&r), 0);
	n = mkpkt(pkt, 9, 0, true, true, false, 0, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 9, 0, true, false, true, 1, 65, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), -EBADMSG);
	assert_int_equal(drops(&r, MCTP_DROP_BAD_TU), 2);
	/* end packet of the same size is fine */
	n = mkpkt(pkt, 9, 0, true, true, false, 0, 80, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 9, 0, true, false, true, 1, 80, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 1);
	assert_int_equal(out.len, 160);
	mctp_reasm_fini(&r);
}

/*
 * Every context busy, one per source (here the source EID): new multi-packet
 * messages are refused, single packets still pass.
 */
static void test_reasm_drop_busy(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 64];
	size_t n;

	(void)state;
	reasm_setup(&r, 256, 2, 0);
	n = mkpkt(pkt, 9, 0, true, true, false, 0, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, pkt[2], pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 10, 0, true, true, false, 0, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, pkt[2], pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 11, 0, true, true, false, 0, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, pkt[2], pkt, n, 0, &out), -EBUSY);
	assert_int_equal(drops(&r, MCTP_DROP_BUSY), 1);
	n = mkpkt(pkt, 11, 0, true, true, true, 0, 8, 0);
	assert_int_equal(mctp_reasm_rx(&r, pkt[2], pkt, n, 0, &out), 1);
	/* finishing one frees a slot */
	n = mkpkt(pkt, 9, 0, true, false, true, 1, 8, 0);
	assert_int_equal(mctp_reasm_rx(&r, pkt[2], pkt, n, 0, &out), 1);
	n = mkpkt(pkt, 11, 0, true, true, false, 0, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, pkt[2], pkt, n, 0, &out), 0);
	assert_int_equal(mctp_reasm_open(&r), 2);
	mctp_reasm_fini(&r);
}

/* The tag owner bit is part of the key. */
static void test_reasm_key_includes_to(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 64];
	size_t n;

	(void)state;
	reasm_setup(&r, 256, 2, 0);
	n = mkpkt(pkt, 9, 3, true, true, false, 0, 64, 1);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 9, 3, false, true, false, 2, 64, 2);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	assert_int_equal(drops(&r, MCTP_DROP_SOM_RESTART), 0);
	n = mkpkt(pkt, 9, 3, true, false, true, 1, 1, 1);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 1);
	assert_true(out.to);
	assert_int_equal(out.data[0], 1);
	n = mkpkt(pkt, 9, 3, false, false, true, 3, 1, 2);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 1);
	assert_false(out.to);
	assert_int_equal(out.data[0], 2);
	mctp_reasm_fini(&r);
}

/*
 * Two senders with the same EID and tag (two bus controllers on libcxlfm's
 * default EID 8): their messages are told apart by source, not spliced.
 */
static void test_reasm_sources_not_spliced(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 64];
	size_t n;

	(void)state;
	reasm_setup(&r, 256, 4, 0);
	n = mkpkt(pkt, 8, 0, true, true, false, 0, 64, 0xa);
	assert_int_equal(mctp_reasm_rx(&r, 1, pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 8, 0, true, true, false, 0, 64, 0xb);
	assert_int_equal(mctp_reasm_rx(&r, 2, pkt, n, 0, &out), 0);
	assert_int_equal(mctp_reasm_open(&r), 2);
	n = mkpkt(pkt, 8, 0, true, false, true, 1, 3, 0xa);
	assert_int_equal(mctp_reasm_rx(&r, 1, pkt, n, 0, &out), 1);
	assert_int_equal(out.len, 67);
	for (size_t i = 0; i < out.len; i++)
		assert_int_equal(out.data[i], 0xa);
	n = mkpkt(pkt, 8, 0, true, false, true, 1, 5, 0xb);
	assert_int_equal(mctp_reasm_rx(&r, 2, pkt, n, 0, &out), 1);
	assert_int_equal(out.len, 69);
	for (size_t i = 0; i < out.len; i++)
		assert_int_equal(out.data[i], 0xb);
	assert_int_equal(drops(&r, MCTP_DROP_SOM_RESTART), 0);
	assert_int_equal(mctp_reasm_open(&r), 0);
	mctp_reasm_fini(&r);
}

/* A source at cfg.max_per_source gives up its own least recent message. */
static void test_reasm_per_source_limit(void **state)
{
	struct mctp_reasm_cfg cfg = { .max_msg = 256, .nctx = 4, .max_per_source = 2 };
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 64];
	size_t n;

	(void)state;
	assert_int_equal(mctp_reasm_init(&r, &cfg), 0);
	for (uint8_t tag = 0; tag < 3; tag++) {
		n = mkpkt(pkt, 8, tag, true, true, false, 0, 64, tag);
		assert_int_equal(mctp_reasm_rx(&r, 1, pkt, n, 0, &out), 0);
	}
	assert_int_equal(mctp_reasm_open(&r), 2);
	assert_int_equal(drops(&r, MCTP_DROP_EVICTED), 1);
	/* the other source still has room */
	for (uint8_t tag = 0; tag < 2; tag++) {
		n = mkpkt(pkt, 8, tag, true, true, false, 0, 64, tag);
		assert_int_equal(mctp_reasm_rx(&r, 2, pkt, n, 0, &out), 0);
	}
	assert_int_equal(mctp_reasm_open(&r), 4);
	/* tag 0 of source 1 was the one evicted; tag 1 was fed since, and stays */
	n = mkpkt(pkt, 8, 1, true, false, false, 1, 64, 1);
	assert_int_equal(mctp_reasm_rx(&r, 1, pkt, n, 0, &out), 0);
	n = mkpkt(pkt, 8, 0, true, false, true, 1, 1, 0);
	assert_int_equal(mctp_reasm_rx(&r, 1, pkt, n, 0, &out), -ENOENT);
	n = mkpkt(pkt, 8, 3, true, true, false, 0, 64, 3);
	assert_int_equal(mctp_reasm_rx(&r, 1, pkt, n, 0, &out), 0);
	assert_int_equal(drops(&r, MCTP_DROP_EVICTED), 2); /* tag 2, now the oldest */
	n = mkpkt(pkt, 8, 1, true, false, true, 2, 1, 1);
	assert_int_equal(mctp_reasm_rx(&r, 1, pkt, n, 0, &out), 1);
	assert_int_equal(out.len, 129);
	mctp_reasm_fini(&r);
}

/*
 * Issue #13: one sender's never-finished messages held every context, and
 * everyone else's multi-packet messages were refused until they expired.
 * Now a newcomer takes the oldest context of the source holding the most.
 */
static void test_reasm_one_source_cannot_starve(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 64];
	size_t n;

	(void)state;
	reasm_setup(&r, 256, 8, 5000 * MS);
	for (uint8_t tag = 0; tag < 8; tag++) {
		n = mkpkt(pkt, 8, tag, true, true, false, 0, 64, 0xee);
		assert_int_equal(mctp_reasm_rx(&r, 1, pkt, n, 0, &out), 0);
	}
	assert_int_equal(mctp_reasm_open(&r), 8);
	for (unsigned src = 2; src < 5; src++) {
		n = mkpkt(pkt, 8, 0, true, true, false, 0, 64, (uint8_t)src);
		assert_int_equal(mctp_reasm_rx(&r, src, pkt, n, 1, &out), 0);
		n = mkpkt(pkt, 8, 0, true, false, true, 1, 2, (uint8_t)src);
		assert_int_equal(mctp_reasm_rx(&r, src, pkt, n, 2, &out), 1);
		assert_int_equal(out.len, 66);
		assert_int_equal(out.data[65], src);
	}
	assert_int_equal(drops(&r, MCTP_DROP_BUSY), 0);
	assert_int_equal(drops(&r, MCTP_DROP_EVICTED), 1);
	assert_int_equal(mctp_reasm_open(&r), 7);
	mctp_reasm_fini(&r);
}

/* tick() expires a message idle for longer than the timeout, not before. */
static void test_reasm_timeout_tick(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 64];
	size_t n;

	(void)state;
	reasm_setup(&r, 256, 2, 10 * MS);
	n = mkpkt(pkt, 9, 0, true, true, false, 0, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 100 * MS, &out), 0);
	n = mkpkt(pkt, 9, 0, true, false, false, 1, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 105 * MS, &out), 0);
	mctp_reasm_tick(&r, 115 * MS); /* exactly the timeout since the last packet */
	assert_int_equal(mctp_reasm_open(&r), 1);
	mctp_reasm_tick(&r, 50 * MS); /* clock going back expires nothing */
	assert_int_equal(mctp_reasm_open(&r), 1);
	mctp_reasm_tick(&r, 115 * MS + 1);
	assert_int_equal(mctp_reasm_open(&r), 0);
	assert_int_equal(drops(&r, MCTP_DROP_TIMEOUT), 1);
	n = mkpkt(pkt, 9, 0, true, false, true, 2, 4, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 116 * MS, &out), -ENOENT);
	mctp_reasm_fini(&r);
}

/* A stale message is expired when its next packet arrives, even without tick(). */
static void test_reasm_timeout_on_rx(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 64];
	size_t n;

	(void)state;
	reasm_setup(&r, 256, 1, 10 * MS);
	n = mkpkt(pkt, 9, 0, true, true, false, 0, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, pkt[2], pkt, n, 0, &out), 0);
	/* its slot is reclaimed for another key */
	n = mkpkt(pkt, 10, 0, true, true, false, 0, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, pkt[2], pkt, n, 5 * MS, &out), -EBUSY);
	assert_int_equal(mctp_reasm_rx(&r, pkt[2], pkt, n, 20 * MS, &out), 0);
	assert_int_equal(drops(&r, MCTP_DROP_TIMEOUT), 1);
	/* and the late packet of the expired one finds nothing */
	n = mkpkt(pkt, 10, 0, true, false, true, 1, 4, 0);
	assert_int_equal(mctp_reasm_rx(&r, pkt[2], pkt, n, 40 * MS, &out), -ENOENT);
	assert_int_equal(drops(&r, MCTP_DROP_TIMEOUT), 2);
	mctp_reasm_fini(&r);
}

static void test_reasm_timeout_zero_never(void **state)
{
	struct mctp_reasm r;
	struct mctp_msg out;
	uint8_t pkt[MCTP_HDR_LEN + 64];
	size_t n;

	(void)state;
	reasm_setup(&r, 256, 1, 0);
	n = mkpkt(pkt, 9, 0, true, true, false, 0, 64, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, 0, &out), 0);
	mctp_reasm_tick(&r, UINT64_MAX);
	n = mkpkt(pkt, 9, 0, true, false, true, 1, 4, 0);
	assert_int_equal(mctp_reasm_rx(&r, 0, pkt, n, UINT64_MAX, &out), 1);
	assert_int_equal(drops(&r, MCTP_DROP_TIMEOUT), 0);
	mctp_reasm_fini(&r);
}

static void test_drop_reason_names(void **state)
{
	(void)state;
	assert_string_equal(mctp_drop_reason_name(MCTP_DROP_BAD_SEQ), "bad-seq");
	assert_string_equal(mctp_drop_reason_name(MCTP_DROP_TIMEOUT), "timeout");
	assert_string_equal(mctp_drop_reason_name(MCTP_DROP__COUNT), "unknown");
	assert_string_equal(mctp_drop_reason_name((enum mctp_drop_reason)-1), "unknown");
	for (unsigned i = 0; i < MCTP_DROP__COUNT; i++) {
		assert_non_null(mctp_drop_reason_name(i));
		assert_string_not_equal(mctp_drop_reason_name(i), "unknown");
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(mctp_drop_reason_name(i),
						mctp_drop_reason_name(j));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_known_answer),
		cmocka_unit_test(test_hdr_round_trip_all_flags),
		cmocka_unit_test(test_hdr_encode_errors),
		cmocka_unit_test(test_hdr_decode_short_and_version),
		cmocka_unit_test(test_eid_assignable),
		cmocka_unit_test(test_pktizer_init_errors),
		cmocka_unit_test(test_pktizer_single),
		cmocka_unit_test(test_pktizer_small_buffer),
		cmocka_unit_test(test_pktizer_exact_multiple),
		cmocka_unit_test(test_split_reassemble_mtu64),
		cmocka_unit_test(test_split_reassemble_mtu250),
		cmocka_unit_test(test_reasm_init_errors),
		cmocka_unit_test(test_reasm_uninitialised),
		cmocka_unit_test(test_reasm_single_packet_fast_path),
		cmocka_unit_test(test_reasm_drop_short),
		cmocka_unit_test(test_reasm_drop_bad_version),
		cmocka_unit_test(test_reasm_drop_no_som),
		cmocka_unit_test(test_reasm_drop_bad_seq),
		cmocka_unit_test(test_reasm_som_restart),
		cmocka_unit_test(test_reasm_drop_oversize),
		cmocka_unit_test(test_reasm_drop_bad_tu),
		cmocka_unit_test(test_reasm_drop_busy),
		cmocka_unit_test(test_reasm_key_includes_to),
		cmocka_unit_test(test_reasm_sources_not_spliced),
		cmocka_unit_test(test_reasm_per_source_limit),
		cmocka_unit_test(test_reasm_one_source_cannot_starve),
		cmocka_unit_test(test_reasm_timeout_tick),
		cmocka_unit_test(test_reasm_timeout_on_rx),
		cmocka_unit_test(test_reasm_timeout_zero_never),
		cmocka_unit_test(test_drop_reason_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
