/* SPDX-License-Identifier: MIT */
/*
 * SMBus/I2C frame decoder: any input fails with a documented errno or
 * decodes into a packet inside the frame that re-encodes to the same frame
 * (up to the R/W bits of the two address bytes, which decode ignores).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/mctp_i2c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t re[MCTP_I2C_FRAME_MAX];
	struct mctp_i2c_frame f;
	int rc = mctp_i2c_decode(data, size, &f);

	if (rc) {
		assert(rc == -EMSGSIZE || rc == -EPROTO || rc == -EBADMSG);
		return 0;
	}
	assert(size >= MCTP_I2C_FRAME_MIN && size <= MCTP_I2C_FRAME_MAX);
	assert(f.pkt == data + MCTP_I2C_HDR_LEN);
	assert(f.pkt_len == size - MCTP_I2C_HDR_LEN - MCTP_I2C_PEC_LEN);
	assert(f.dest <= 0x7f && f.src <= 0x7f);
	/* a frame followed by its own CRC-8 has CRC zero */
	assert(mctp_i2c_pec(data, size) == 0);

	assert(mctp_i2c_encode(f.dest, f.src, f.pkt, f.pkt_len, re, sizeof(re)) ==
	       (int)size);
	assert(re[0] == (data[0] & 0xfe) && re[3] == (data[3] | 1));
	assert(!memcmp(re + 1, data + 1, 2));
	assert(!memcmp(re + 4, data + 4, size - 5));
	if (!(data[0] & 1) && (data[3] & 1))
		assert(!memcmp(re, data, size));
	return 0;
}
