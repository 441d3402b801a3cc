/* SPDX-License-Identifier: MIT */
/* MCTP SMBus/I2C binding (DSP0237): framing, byte count, PEC. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/mctp.h"
#include "proto/mctp_i2c.h"

/*
 * Independent reference: SMBus CRC-8 straight from its definition, one bit
 * at a time (no table), to check the library's table-driven version.
 */
static uint8_t crc8_bitwise(const uint8_t *p, size_t n)
{
	uint8_t crc = 0;

	while (n--) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = (uint8_t)(crc & 0x80 ? (crc << 1) ^ 0x07 : crc << 1);
	}
	return crc;
}

/*
 * Known-answer frame: the bus owner at 7-bit address 0x10 sends a Get
 * Endpoint ID request (DSP0236 control message 00 80 02: type 0, Rq=1 IID 0,
 * command 0x02) to the device at 7-bit address 0x1d, which has no EID yet:
 *
 *   3a        dest 0x1d << 1 | 0 (write)
 *   0f        command code MCTP
 *   08        byte count = source address + 7-byte MCTP packet
 *   21        source 0x10 << 1 | 1
 *   01 00 08 c8   MCTP header: version 1, dest EID 0 (null), src EID 8,
 *                 SOM|EOM|TO, seq 0, tag 0
 *   00 80 02      the control message
 *   56        PEC
 *
 * The PEC was computed by hand, byte by byte, as crc = step8(crc ^ byte)
 * where one step is "shift left; if the bit shifted out was 1, XOR 0x07".
 * First byte worked out: 0x3a -> 74 -> e8 -> d7 -> a9 -> 55 -> aa -> 53 -> a6.
 * Register after each byte: 3a:a6 0f:56 08:9d 21:3d 01:b4 00:05 08:23 c8:9f
 * 00:d4 80:ab 02:56.
 */
static const uint8_t kat_frame[12] = { 0x3a, 0x0f, 0x08, 0x21, 0x01, 0x00, 0x08,
				       0xc8, 0x00, 0x80, 0x02, 0x56 };

static void test_pec_check_value(void **state)
{
	/* CRC-8/SMBUS catalogue check value (reveng): "123456789" -> 0xf4 */
	const uint8_t s[9] = { '1', '2', '3', '4', '5', '6', '7', '8', '9' };

	(void)state;
	assert_int_equal(crc8_bitwise(s, 9), 0xf4);
	assert_int_equal(mctp_i2c_pec(s, 9), 0xf4);
	assert_int_equal(mctp_i2c_pec(s, 0), 0x00);
}

static void test_pec_known_frame(void **state)
{
	(void)state;
	assert_int_equal(crc8_bitwise(kat_frame, 11), 0x56);
	assert_int_equal(mctp_i2c_pec(kat_frame, 11), 0x56);
	/* appending a correct PEC makes the CRC of the whole frame zero */
	assert_int_equal(mctp_i2c_pec(kat_frame, 12), 0x00);
}

/* Table vs bitwise over every single byte and a range of lengths. */
static void test_pec_matches_bitwise(void **state)
{
	uint8_t buf[300];

	(void)state;
	for (unsigned b = 0; b < 256; b++) {
		uint8_t one = (uint8_t)b;

		assert_int_equal(mctp_i2c_pec(&one, 1), crc8_bitwise(&one, 1));
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	for (size_t n = 0; n <= sizeof(buf); n++)
		assert_int_equal(mctp_i2c_pec(buf, n), crc8_bitwise(buf, n));
}

static void test_encode_known_answer(void **state)
{
	uint8_t buf[MCTP_I2C_FRAME_MAX];

	(void)state;
	assert_int_equal(mctp_i2c_encode(0x1d, 0x10, kat_frame + 4, 7, buf,
					 sizeof(buf)), 12);
	assert_memory_equal(buf, kat_frame, 12);
}

static void test_decode_known_answer(void **state)
{
	struct mctp_i2c_frame f;

	(void)state;
	assert_int_equal(mctp_i2c_decode(kat_frame, 12, &f), 0);
	assert_int_equal(f.dest, 0x1d);
	assert_int_equal(f.src, 0x10);
	assert_ptr_equal(f.pkt, kat_frame + 4);
	assert_int_equal(f.pkt_len, 7);
}

/* The R/W bit of both address bytes is not part of the address. */
static void test_decode_ignores_rw_bits(void **state)
{
	uint8_t buf[12];
	struct mctp_i2c_frame f;

	(void)state;
	memcpy(buf, kat_frame, 12);
	buf[0] |= 1;
	buf[3] &= (uint8_t)~1u;
	buf[11] = crc8_bitwise(buf, 11);
	assert_int_equal(mctp_i2c_decode(buf, 12, &f), 0);
	assert_int_equal(f.dest, 0x1d);
	assert_int_equal(f.src, 0x10);
}

static void test_round_trip_sizes(void **state)
{
	uint8_t pkt[MCTP_I2C_PKT_MAX], buf[MCTP_I2C_FRAME_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(0xc3 ^ i);
	for (size_t n = MCTP_HDR_LEN; n <= MCTP_I2C_PKT_MAX; n++) {
		struct mctp_i2c_frame f;
		int len = mctp_i2c_encode(0x7f, 0x00, pkt, n, buf, sizeof(buf));

		assert_int_equal(len, (int)MCTP_I2C_FRAME_LEN(n));
		assert_int_equal(buf[2], n + 1);
		assert_int_equal(mctp_i2c_decode(buf, (size_t)len, &f), 0);
		assert_int_equal(f.dest, 0x7f);
		assert_int_equal(f.src, 0x00);
		assert_int_equal(f.pkt_len, n);
		assert_memory_equal(f.pkt, pkt, n);
	}
	assert_int_equal(MCTP_I2C_FRAME_LEN(MCTP_I2C_PKT_MAX), 259);
	assert_int_equal(MCTP_I2C_MTU_MAX, 250);
}

/* A packet already placed after 4 bytes of headroom is framed in place. */
static void test_encode_in_place(void **state)
{
	uint8_t buf[MCTP_I2C_FRAME_MAX] = { 0 };

	(void)state;
	memcpy(buf + MCTP_I2C_HDR_LEN, kat_frame + 4, 7);
	assert_int_equal(mctp_i2c_encode(0x1d, 0x10, buf + MCTP_I2C_HDR_LEN, 7, buf,
					 sizeof(buf)), 12);
	assert_memory_equal(buf, kat_frame, 12);
}

static void test_encode_errors(void **state)
{
	uint8_t pkt[MCTP_I2C_PKT_MAX + 1] = { 0 }, buf[MCTP_I2C_FRAME_MAX + 1];

	(void)state;
	assert_int_equal(mctp_i2c_encode(0x80, 0x10, pkt, 8, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mctp_i2c_encode(0x10, 0x80, pkt, 8, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mctp_i2c_encode(0x10, 0x11, NULL, 8, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mctp_i2c_encode(0x10, 0x11, pkt, 3, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mctp_i2c_encode(0x10, 0x11, pkt, MCTP_I2C_PKT_MAX + 1, buf,
					 sizeof(buf)), -EMSGSIZE);
	assert_int_equal(mctp_i2c_encode(0x10, 0x11, pkt, 8, buf,
					 MCTP_I2C_FRAME_LEN(8) - 1), -EMSGSIZE);
	assert_int_equal(mctp_i2c_encode(0x10, 0x11, pkt, 8, buf,
					 MCTP_I2C_FRAME_LEN(8)), 13);
}

static void test_decode_short(void **state)
{
	struct mctp_i2c_frame f;
	uint8_t buf[MCTP_I2C_FRAME_MIN];

	(void)state;
	assert_int_equal(mctp_i2c_encode(0x1d, 0x10, kat_frame + 4, 4, buf,
					 sizeof(buf)), (int)MCTP_I2C_FRAME_MIN);
	assert_int_equal(mctp_i2c_decode(buf, sizeof(buf), &f), 0);
	for (size_t n = 0; n < MCTP_I2C_FRAME_MIN; n++)
		assert_int_equal(mctp_i2c_decode(buf, n, &f), -EMSGSIZE);
}

static void test_decode_wrong_command(void **state)
{
	uint8_t buf[12];
	struct mctp_i2c_frame f;

	(void)state;
	memcpy(buf, kat_frame, 12);
	buf[1] = 0x0e;
	buf[11] = crc8_bitwise(buf, 11); /* valid PEC: the code itself is wrong */
	assert_int_equal(mctp_i2c_decode(buf, 12, &f), -EPROTO);
}

static void test_decode_byte_count_mismatch(void **state)
{
	uint8_t buf[13];
	struct mctp_i2c_frame f;

	(void)state;
	memcpy(buf, kat_frame, 12);
	/* count says one byte more than present */
	buf[2] = 0x09;
	buf[11] = crc8_bitwise(buf, 11);
	assert_int_equal(mctp_i2c_decode(buf, 12, &f), -EMSGSIZE);
	/* count says one byte less */
	buf[2] = 0x07;
	buf[11] = crc8_bitwise(buf, 11);
	assert_int_equal(mctp_i2c_decode(buf, 12, &f), -EMSGSIZE);
	/* trailing garbage after the PEC */
	memcpy(buf, kat_frame, 12);
	buf[12] = 0x00;
	assert_int_equal(mctp_i2c_decode(buf, 13, &f), -EMSGSIZE);
	/* count 255 with a short frame */
	buf[2] = 0xff;
	assert_int_equal(mctp_i2c_decode(buf, 13, &f), -EMSGSIZE);
}

/* Every single-bit error outside the command/count bytes fails the PEC. */
static void test_decode_bad_pec(void **state)
{
	uint8_t buf[12];
	struct mctp_i2c_frame f;

	(void)state;
	for (size_t i = 0; i < 12; i++) {
		if (i == 1 || i == 2)
			continue;
		for (int bit = 0; bit < 8; bit++) {
			memcpy(buf, kat_frame, 12);
			buf[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(mctp_i2c_decode(buf, 12, &f), -EBADMSG);
		}
	}
}

/* The binding under the core: 1000 bytes at the binding MTU, framed, unframed, reassembled. */
static void test_binding_with_core(void **state)
{
	uint8_t msg[1000], pkt[MCTP_I2C_PKT_MAX], frame[MCTP_I2C_FRAME_MAX];
	struct mctp_reasm_cfg cfg = { .max_msg = 1024, .nctx = 1 };
	struct mctp_pktizer p;
	struct mctp_reasm r;
	struct mctp_msg out;
	int n, rc = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 13);
	msg[0] = MCTP_MSG_CXL_CCI;
	assert_int_equal(mctp_reasm_init(&r, &cfg), 0);
	assert_int_equal(mctp_pktizer_init(&p, 9, 8, true, 1, msg, sizeof(msg),
					   MCTP_I2C_MTU_MAX), 0);
	while ((n = mctp_pktizer_next(&p, pkt, sizeof(pkt))) > 0) {
		struct mctp_i2c_frame f;
		int flen = mctp_i2c_encode(0x1d, 0x10, pkt, (size_t)n, frame,
					   sizeof(frame));

		assert_true(flen > 0 && (size_t)flen <= MCTP_I2C_FRAME_MAX);
		assert_int_equal(mctp_i2c_decode(frame, (size_t)flen, &f), 0);
		rc = mctp_reasm_rx(&r, f.src, f.pkt, f.pkt_len, 0, &out);
		assert_true(rc >= 0);
	}
	assert_int_equal(n, 0);
	assert_int_equal(rc, 1);
	assert_int_equal(out.len, sizeof(msg));
	assert_memory_equal(out.data, msg, sizeof(msg));
	mctp_reasm_fini(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pec_check_value),
		cmocka_unit_test(test_pec_known_frame),
		cmocka_unit_test(test_pec_matches_bitwise),
		cmocka_unit_test(test_encode_known_answer),
		cmocka_unit_test(test_decode_known_answer),
		cmocka_unit_test(test_decode_ignores_rw_bits),
		cmocka_unit_test(test_round_trip_sizes),
		cmocka_unit_test(test_encode_in_place),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_decode_short),
		cmocka_unit_test(test_decode_wrong_command),
		cmocka_unit_test(test_decode_byte_count_mismatch),
		cmocka_unit_test(test_decode_bad_pec),
		cmocka_unit_test(test_binding_with_core),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
