/* SPDX-License-Identifier: MIT */
/* base64 decoding of what a QMP peer sends: bounded, and round-trips. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "util/base64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[2048 + 1], re[2048 + 4];
	uint8_t out[64];
	int n;

	if (size > 2048)
		return 0;
	memcpy(in, data, size);
	in[size] = 0;
	n = base64_decode(in, out, sizeof(out));
	assert(n == -EINVAL || n == -EMSGSIZE || (n >= 0 && (size_t)n <= sizeof(out)));
	if (n >= 0 && strlen(in) == size) {
		base64_encode(out, (size_t)n, re);
		assert(!strcmp(re, in)); /* canonical input decodes and re-encodes the same */
	}
	return 0;
}
