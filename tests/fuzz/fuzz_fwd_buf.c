/* SPDX-License-Identifier: MIT */
/*
 * A peer writes anything into the shared slot: reading it as a request or
 * a response never overreads, and what is accepted is within bounds.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "proto/fwd_buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(8) uint8_t slot[FWD_SLOT_SIZE];
	struct fwd_msg m;
	int rc;

	memset(slot, 0, sizeof(slot));
	memcpy(slot, data, size < sizeof(slot) ? size : sizeof(slot));
	rc = fwd_slot_read_req(slot, &m);
	assert(rc == 0 || rc == -EAGAIN || rc == -EPROTO || rc == -EMSGSIZE);
	if (rc == 0)
		assert(m.len <= FWD_PAYLOAD_MAX);
	rc = fwd_slot_read_rsp(slot, &m);
	assert(rc == 0 || rc == -EINPROGRESS || rc == -EPROTO || rc == -EMSGSIZE ||
	       rc == -EBADMSG);
	if (rc == 0) {
		assert(m.len <= FWD_PAYLOAD_MAX && m.rc <= 0x20);
		/* a valid response written back reads back the same */
		uint8_t copy[FWD_PAYLOAD_MAX];
		struct fwd_msg again;

		memcpy(copy, m.payload, m.len);
		assert(fwd_slot_complete(slot, m.rc, m.bg, copy, m.len) == 0);
		assert(fwd_slot_read_rsp(slot, &again) == 0);
		assert(again.len == m.len && again.rc == m.rc && again.bg == m.bg);
		assert(!memcmp(again.payload, copy, m.len));
	}
	return 0;
}
