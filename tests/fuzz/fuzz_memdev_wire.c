/* SPDX-License-Identifier: MIT */
/*
 * The memdev socket's messages (src/proto/memdev_wire.h), as a client or
 * cxl-emu reads a datagram of anything: each decoder never reads past the
 * datagram, accepts only what its format allows (type, version, lengths
 * exact and within the mailbox, no reserved bit), and what it accepts
 * encodes back to the very same bytes.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "proto/memdev_wire.h"

#define MAILBOX 2048u

static uint8_t again[MEMDEV_WIRE_HELLO_LEN + MEMDEV_WIRE_CEL_MAX + MEMDEV_WIRE_PAYLOAD_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct memdev_hello h;
	struct memdev_req q;
	struct memdev_rsp r;
	int rc;

	rc = memdev_wire_hello_decode(data, size, &h);
	assert(rc == 0 || rc == -EBADMSG || rc == -EPROTONOSUPPORT);
	if (rc == 0) {
		assert(h.cel_len % 4 == 0 && h.cel_len <= MEMDEV_WIRE_CEL_MAX);
		assert(h.cel == data + MEMDEV_WIRE_HELLO_LEN && MEMDEV_WIRE_HELLO_LEN + h.cel_len == size);
		assert(h.payload_size >= 256 && !(h.payload_size & (h.payload_size - 1)));
		assert(memdev_wire_hello_encode(&h, again, sizeof(again)) == (int)size);
		assert(!memcmp(again, data, size));
	}
	for (int i = 0; i < 2; i++) {
		uint32_t max = i ? MEMDEV_WIRE_PAYLOAD_MAX : MAILBOX;

		rc = memdev_wire_req_decode(data, size, max, &q);
		assert(rc == 0 || rc == -EBADMSG || rc == -EPROTONOSUPPORT);
		if (rc == 0) {
			assert(q.len <= max && MEMDEV_WIRE_REQ_LEN + q.len == size);
			assert(memdev_wire_req_encode(&q, again, sizeof(again)) == (int)size);
			assert(!memcmp(again, data, size));
		}
		rc = memdev_wire_rsp_decode(data, size, max, &r);
		assert(rc == 0 || rc == -EBADMSG || rc == -EPROTONOSUPPORT);
		if (rc == 0) {
			assert(r.len <= max && MEMDEV_WIRE_RSP_LEN + r.len == size);
			assert(memdev_bg_pct(r.bg) <= 100 && !(r.bg & MEMDEV_BG_RSVD_MASK));
			assert(memdev_wire_rsp_encode(&r, again, sizeof(again)) == (int)size);
			assert(!memcmp(again, data, size));
		}
	}
	return 0;
}
