/* SPDX-License-Identifier: MIT */
/* The memdev socket's messages (memdev_wire.h). */
#include "proto/memdev_wire.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "proto/le.h"

static bool payload_size_ok(uint32_t n)
{
	return n >= MEMDEV_WIRE_PAYLOAD_MIN && n <= MEMDEV_WIRE_PAYLOAD_MAX && !(n & (n - 1));
}

/* Type and version of a message of at least hdr bytes. */
static int head(const uint8_t *buf, size_t len, size_t hdr, uint8_t type)
{
	if (!buf || len < hdr || buf[0] != type)
		return -EBADMSG;
	if (buf[1] != MEMDEV_WIRE_VERSION)
		return -EPROTONOSUPPORT;
	return 0;
}

int memdev_wire_hello_encode(const struct memdev_hello *h, uint8_t *buf, size_t max)
{
	size_t n = MEMDEV_WIRE_HELLO_LEN + h->cel_len;

	if ((h->flags & ~MEMDEV_HELLO_PMEM) || !payload_size_ok(h->payload_size) ||
	    h->cel_len % 4 || h->cel_len > MEMDEV_WIRE_CEL_MAX || (h->cel_len && !h->cel))
		return -EINVAL;
	if (max < n)
		return -EMSGSIZE;
	buf[0] = MEMDEV_WIRE_HELLO;
	buf[1] = MEMDEV_WIRE_VERSION;
	le16_put(buf + 2, h->flags);
	le32_put(buf + 4, h->payload_size);
	le64_put(buf + 8, h->serial);
	le32_put(buf + 16, h->cel_len);
	if (h->cel_len)
		memcpy(buf + MEMDEV_WIRE_HELLO_LEN, h->cel, h->cel_len);
	return (int)n;
}

int memdev_wire_hello_decode(const uint8_t *buf, size_t len, struct memdev_hello *h)
{
	int rc = head(buf, len, MEMDEV_WIRE_HELLO_LEN, MEMDEV_WIRE_HELLO);

	if (rc)
		return rc;
	h->flags = le16_get(buf + 2);
	h->payload_size = le32_get(buf + 4);
	h->serial = le64_get(buf + 8);
	h->cel_len = le32_get(buf + 16);
	h->cel = buf + MEMDEV_WIRE_HELLO_LEN;
	if ((h->flags & ~MEMDEV_HELLO_PMEM) || !payload_size_ok(h->payload_size) ||
	    h->cel_len % 4 || h->cel_len > MEMDEV_WIRE_CEL_MAX ||
	    len - MEMDEV_WIRE_HELLO_LEN != h->cel_len)
		return -EBADMSG;
	return 0;
}

/* The head requests and responses share: type, version, a 16-bit field, tag, length. */
static void head_put(uint8_t *buf, uint8_t type, uint16_t v16, uint32_t tag, uint32_t len)
{
	buf[0] = type;
	buf[1] = MEMDEV_WIRE_VERSION;
	le16_put(buf + 2, v16);
	le32_put(buf + 4, tag);
	le32_put(buf + 8, len);
}

/*
 * A request's or response's head, hdr bytes long, and its payload length
 * checked against the datagram and the limits.
 */
static int head_get(const uint8_t *buf, size_t len, size_t hdr, uint8_t type,
		    uint32_t payload_max, uint16_t *v16, uint32_t *tag, uint32_t *n)
{
	int rc = head(buf, len, hdr, type);

	if (rc)
		return rc;
	*v16 = le16_get(buf + 2);
	*tag = le32_get(buf + 4);
	*n = le32_get(buf + 8);
	if (*n > payload_max || *n > MEMDEV_WIRE_PAYLOAD_MAX || len - hdr != *n)
		return -EBADMSG;
	return 0;
}

/* Header and payload into buf: the message's length, or -EINVAL / -EMSGSIZE. */
static int put(uint8_t *buf, size_t max, size_t hdr, const uint8_t *payload, uint32_t len)
{
	if (len > MEMDEV_WIRE_PAYLOAD_MAX || (len && !payload))
		return -EINVAL;
	if (max < hdr + len)
		return -EMSGSIZE;
	if (len)
		memcpy(buf + hdr, payload, len);
	return (int)(hdr + len);
}

int memdev_wire_req_encode(const struct memdev_req *r, uint8_t *buf, size_t max)
{
	int n = put(buf, max, MEMDEV_WIRE_REQ_LEN, r->payload, r->len);

	if (n > 0)
		head_put(buf, MEMDEV_WIRE_REQUEST, r->opcode, r->tag, r->len);
	return n;
}

int memdev_wire_req_decode(const uint8_t *buf, size_t len, uint32_t payload_max,
			   struct memdev_req *r)
{
	r->payload = buf + MEMDEV_WIRE_REQ_LEN;
	return head_get(buf, len, MEMDEV_WIRE_REQ_LEN, MEMDEV_WIRE_REQUEST, payload_max,
			&r->opcode, &r->tag, &r->len);
}

static bool bg_ok(uint64_t bg)
{
	return !(bg & MEMDEV_BG_RSVD_MASK) && memdev_bg_pct(bg) <= 100;
}

int memdev_wire_rsp_encode(const struct memdev_rsp *r, uint8_t *buf, size_t max)
{
	int n;

	if (!bg_ok(r->bg))
		return -EINVAL;
	n = put(buf, max, MEMDEV_WIRE_RSP_LEN, r->payload, r->len);
	if (n > 0) {
		head_put(buf, MEMDEV_WIRE_RESPONSE, r->rc, r->tag, r->len);
		le64_put(buf + 12, r->bg);
	}
	return n;
}

int memdev_wire_rsp_decode(const uint8_t *buf, size_t len, uint32_t payload_max,
			   struct memdev_rsp *r)
{
	int rc = head_get(buf, len, MEMDEV_WIRE_RSP_LEN, MEMDEV_WIRE_RESPONSE, payload_max,
			  &r->rc, &r->tag, &r->len);

	if (rc)
		return rc;
	r->bg = le64_get(buf + 12);
	r->payload = buf + MEMDEV_WIRE_RSP_LEN;
	return bg_ok(r->bg) ? 0 : -EBADMSG;
}
