/* SPDX-License-Identifier: MIT */
/* CCI message decoder: any input either fails cleanly or re-encodes to itself. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "proto/cci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cci_hdr h;
	const uint8_t *pl;
	uint8_t re[CCI_HDR_LEN];
	int rc = cci_msg_decode(data, size, &h, &pl);

	if (rc) {
		assert(rc == -EMSGSIZE || rc == -EBADMSG);
		return 0;
	}
	assert(pl == data + CCI_HDR_LEN && h.pl_len == size - CCI_HDR_LEN);
	assert(cci_hdr_encode(&h, re, sizeof(re)) == (int)CCI_HDR_LEN);
	/* reserved bits are dropped on decode; everything else survives */
	assert(re[0] == (data[0] & 0x0f) && re[1] == data[1]);
	assert(!memcmp(re + 3, data + 3, 2) && !memcmp(re + 8, data + 8, 4));
	assert(re[5] == data[5] && re[6] == data[6] &&
	       re[7] == (data[7] & 0x9f));
	(void)pl;
	return 0;
}
