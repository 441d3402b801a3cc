/* SPDX-License-Identifier: MIT */
#include "proto/fwd_buf.h"

#include <errno.h>
#include <string.h>

#include "proto/cci.h"
#include "proto/le.h"

/*
 * The status word is the only field both sides write; it is accessed as a
 * 32-bit atomic (the RFC's int at offset 0, naturally aligned in the mapping).
 */
static uint32_t status_load(const uint8_t *slot)
{
	return __atomic_load_n((const uint32_t *)(const void *)(slot + FWD_OFF_STATUS),
			       __ATOMIC_ACQUIRE);
}

static void status_store(uint8_t *slot, uint32_t v)
{
	__atomic_store_n((uint32_t *)(void *)(slot + FWD_OFF_STATUS), v, __ATOMIC_RELEASE);
}

uint32_t fwd_slot_status(const uint8_t *slot)
{
	return status_load(slot);
}

int fwd_slot_post(uint8_t *slot, uint16_t opcode, const uint8_t *payload, size_t len)
{
	if (len > FWD_PAYLOAD_MAX)
		return -EMSGSIZE;
	slot[FWD_OFF_CMD_SET] = (uint8_t)(opcode >> 8);
	slot[FWD_OFF_CMD] = (uint8_t)opcode;
	le64_put(slot + FWD_OFF_LEN_IN, len);
	le64_put(slot + FWD_OFF_LEN_OUT, 0);
	if (len)
		memcpy(slot + FWD_OFF_PAYLOAD, payload, len);
	slot[FWD_OFF_BG] = 0;
	le32_put(slot + FWD_OFF_RET, 0);
	status_store(slot, FWD_STATUS_POSTED);
	return 0;
}

int fwd_slot_read_req(const uint8_t *slot, struct fwd_msg *req)
{
	uint32_t st = status_load(slot);
	uint64_t len;

	if (st == FWD_STATUS_IDLE)
		return -EAGAIN;
	if (st != FWD_STATUS_POSTED)
		return -EPROTO;
	len = le64_get(slot + FWD_OFF_LEN_IN); /* read once, then trusted */
	if (len > FWD_PAYLOAD_MAX)
		return -EMSGSIZE;
	req->opcode = (uint16_t)(slot[FWD_OFF_CMD_SET] << 8 | slot[FWD_OFF_CMD]);
	req->rc = 0;
	req->bg = false;
	req->len = (size_t)len;
	memcpy(req->payload, slot + FWD_OFF_PAYLOAD, req->len);
	return 0;
}

int fwd_slot_complete(uint8_t *slot, uint16_t rc, bool bg, const uint8_t *payload,
		      size_t len)
{
	if (len > FWD_PAYLOAD_MAX)
		return -EMSGSIZE;
	if (len)
		memcpy(slot + FWD_OFF_PAYLOAD_OUT, payload, len);
	le64_put(slot + FWD_OFF_LEN_OUT, len);
	slot[FWD_OFF_BG] = bg ? 1 : 0;
	le32_put(slot + FWD_OFF_RET, rc);
	status_store(slot, FWD_STATUS_IDLE);
	return 0;
}

int fwd_slot_read_rsp(const uint8_t *slot, struct fwd_msg *rsp)
{
	uint32_t st = status_load(slot);
	uint64_t len;
	uint32_t ret;

	if (st == FWD_STATUS_POSTED)
		return -EINPROGRESS;
	if (st != FWD_STATUS_IDLE)
		return -EPROTO;
	len = le64_get(slot + FWD_OFF_LEN_OUT);
	ret = le32_get(slot + FWD_OFF_RET);
	if (len > FWD_PAYLOAD_MAX)
		return -EMSGSIZE;
	if (ret > 0xffff || !cxl_rc_valid((uint16_t)ret))
		return -EBADMSG;
	rsp->opcode = (uint16_t)(slot[FWD_OFF_CMD_SET] << 8 | slot[FWD_OFF_CMD]);
	rsp->rc = (uint16_t)ret;
	/* the RFC's bool: any nonzero byte is true */
	rsp->bg = slot[FWD_OFF_BG] != 0;
	rsp->len = (size_t)len;
	memcpy(rsp->payload, slot + FWD_OFF_PAYLOAD_OUT, rsp->len);
	return 0;
}
