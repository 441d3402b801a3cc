/* SPDX-License-Identifier: MIT */
/* UUID text ("0da9c0b5-bf41-4b78-8f79-96b1623b3f17") to 16 bytes in string order. */
#ifndef CXLFM_UTIL_UUID_H
#define CXLFM_UTIL_UUID_H

#include <stdint.h>

/* Hyphens only at the canonical places, or none. 0 or -EINVAL. */
int util_uuid_parse(const char *s, uint8_t out[16]);
/* A hex digit's value, or -1. */
int util_hex_digit(char c);

#endif
