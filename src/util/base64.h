/* SPDX-License-Identifier: MIT */
/* RFC 4648 base64 (standard alphabet, padded): for QMP's inline forwarding. */
#ifndef CXLFM_UTIL_BASE64_H
#define CXLFM_UTIL_BASE64_H

#include <stddef.h>
#include <stdint.h>

#define BASE64_LEN(n) ((((n) + 2) / 3) * 4)

/* Writes BASE64_LEN(len) characters and a NUL; out holds at least that + 1. */
void base64_encode(const uint8_t *in, size_t len, char *out);
/*
 * Decode a NUL-terminated string into out (at most max bytes). Returns the
 * decoded length, -EINVAL for a character outside the alphabet, bad padding
 * or a length not a multiple of 4, -EMSGSIZE if it does not fit.
 */
int base64_decode(const char *in, uint8_t *out, size_t max);

#endif
