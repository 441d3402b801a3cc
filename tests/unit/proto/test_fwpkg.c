/* SPDX-License-Identifier: MIT */
/* cxl-fmemu's firmware package (proto/fwpkg.h): CRC, build, incremental verify. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/fwpkg.h"
#include "proto/le.h"

/* The CRC-32 check value of "123456789" (IEEE 802.3, as zlib's crc32()). */
static void test_crc32(void **state)
{
	(void)state;
	assert_int_equal(fwpkg_crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(fwpkg_crc32(fwpkg_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
	assert_int_equal(fwpkg_crc32(0, NULL, 0), 0);
}

static void test_build_layout(void **state)
{
	uint8_t out[64], small[40];
	long n;

	(void)state;
	memset(out, 0xee, sizeof(out));
	n = fwpkg_build("REV 2.0", "123456789", 9, out, sizeof(out));
	assert_int_equal(n, 41);
	assert_memory_equal(out, "CXLFMFW1", 8);
	assert_memory_equal(out + 8, "REV 2.0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(le32_get(out + 0x18), 41);
	assert_int_equal(le32_get(out + 0x1c), 0xcbf43926u);
	assert_memory_equal(out + 32, "123456789", 9);
	/* a 16-character revision fills the field, no NUL */
	assert_int_equal(fwpkg_build("0123456789abcdef", NULL, 0, out, sizeof(out)), 32);
	assert_memory_equal(out + 8, "0123456789abcdef", 16);
	/* refused: too long, empty, blank, control characters, no room */
	assert_int_equal(fwpkg_build("0123456789abcdefX", NULL, 0, out, sizeof(out)), -EINVAL);
	assert_int_equal(fwpkg_build("", NULL, 0, out, sizeof(out)), -EINVAL);
	assert_int_equal(fwpkg_build("   ", NULL, 0, out, sizeof(out)), -EINVAL);
	assert_int_equal(fwpkg_build("a\tb", NULL, 0, out, sizeof(out)), -EINVAL);
	assert_int_equal(fwpkg_build("ok", "123456789", 9, small, sizeof(small)), -EMSGSIZE);
}

static int verify(const uint8_t *p, size_t len, size_t piece, struct fwpkg_info *info,
		  const char **why)
{
	struct fwpkg_rx rx;

	fwpkg_rx_init(&rx);
	for (size_t off = 0; off < len; off += piece)
		fwpkg_rx_feed(&rx, p + off, len - off < piece ? len - off : piece);
	return fwpkg_rx_verify(&rx, info, why);
}

static void test_verify(void **state)
{
	uint8_t pkg[300], payload[268];
	struct fwpkg_info info;
	const char *why = NULL;
	long n;

	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7);
	n = fwpkg_build("BWFW VERSION 01", payload, sizeof(payload), pkg, sizeof(pkg));
	assert_int_equal(n, 300);
	/* whole, in pieces that split the header, byte by byte: the same verdict */
	for (size_t piece = 1; piece <= 300; piece = piece * 3 + 1) {
		assert_int_equal(verify(pkg, 300, piece, &info, &why), 0);
		assert_string_equal(info.rev, "BWFW VERSION 01");
		assert_int_equal(info.len, 300);
		assert_int_equal(info.crc, fwpkg_crc32(0, payload, sizeof(payload)));
		assert_null(why);
	}
	/* short, long, a payload bit flipped, a magic byte, a bad revision */
	assert_int_equal(verify(pkg, 299, 64, &info, &why), -EBADMSG);
	assert_string_equal(why, "package length differs from the bytes transferred");
	pkg[200] ^= 1;
	assert_int_equal(verify(pkg, 300, 64, &info, &why), -EBADMSG);
	assert_string_equal(why, "payload CRC-32 mismatch");
	pkg[200] ^= 1;
	pkg[0] = 'X';
	assert_int_equal(verify(pkg, 300, 64, &info, &why), -EBADMSG);
	assert_string_equal(why, "not a cxl-fmemu firmware package (magic)");
	pkg[0] = 'C';
	pkg[8] = 0x07;
	assert_int_equal(verify(pkg, 300, 64, &info, &why), -EBADMSG);
	assert_string_equal(why, "revision is not printable ASCII");
	pkg[8] = 'B';
	assert_int_equal(verify(pkg, 20, 64, &info, &why), -EBADMSG); /* not even a header */
	assert_int_equal(verify(pkg, 300, 300, &info, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_build_layout),
		cmocka_unit_test(test_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
