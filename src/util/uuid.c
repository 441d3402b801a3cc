/* SPDX-License-Identifier: MIT */
#include "util/uuid.h"

#include <errno.h>
#include <stddef.h>

int util_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int util_uuid_parse(const char *s, uint8_t out[16])
{
	size_t n = 0;

	for (size_t i = 0; s[i]; i++) {
		int hi, lo;

		if (s[i] == '-' && (i == 8 || i == 13 || i == 18 || i == 23))
			continue;
		if (n == 16 || !s[i + 1])
			return -EINVAL;
		hi = util_hex_digit(s[i]);
		lo = util_hex_digit(s[++i]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[n++] = (uint8_t)(hi << 4 | lo);
	}
	return n == 16 ? 0 : -EINVAL;
}
