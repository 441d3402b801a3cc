/* SPDX-License-Identifier: MIT */
/* base64 (RFC 4648): its test vectors, and every malformed input refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/base64.h"

/* RFC 4648 §10 */
static const char *const vec[][2] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

static void test_vectors(void **state)
{
	char enc[16];
	uint8_t dec[16];

	(void)state;
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		size_t n = strlen(vec[i][0]);

		base64_encode((const uint8_t *)vec[i][0], n, enc);
		assert_string_equal(enc, vec[i][1]);
		assert_int_equal(base64_decode(vec[i][1], dec, sizeof(dec)), n);
		assert_memory_equal(dec, vec[i][0], n);
	}
}

static void test_binary_round_trip(void **state)
{
	uint8_t in[256], out[256];
	char enc[BASE64_LEN(256) + 1];

	(void)state;
	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	base64_encode(in, sizeof(in), enc);
	assert_int_equal(strlen(enc), BASE64_LEN(256));
	assert_int_equal(base64_decode(enc, out, sizeof(out)), 256);
	assert_memory_equal(in, out, 256);
}

static void test_malformed(void **state)
{
	uint8_t out[16];

	(void)state;
	assert_int_equal(base64_decode("Zm9", out, sizeof(out)), -EINVAL);    /* length */
	assert_int_equal(base64_decode("Zm9v!A==", out, sizeof(out)), -EINVAL); /* alphabet */
	assert_int_equal(base64_decode("Z===", out, sizeof(out)), -EINVAL);   /* pad too early */
	assert_int_equal(base64_decode("Zg==Zm9v", out, sizeof(out)), -EINVAL); /* pad mid-string */
	assert_int_equal(base64_decode("Zm=v", out, sizeof(out)), -EINVAL);   /* char after pad */
	assert_int_equal(base64_decode("Zh==", out, sizeof(out)), -EINVAL);   /* bits under pad */
	assert_int_equal(base64_decode("Zm9=", out, sizeof(out)), -EINVAL);
	assert_int_equal(base64_decode("Zm9vYmFy", out, 5), -EMSGSIZE);       /* no room */
	assert_int_equal(base64_decode("Zm9vYg==", out, 4), 4);               /* exactly fits */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_binary_round_trip),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
