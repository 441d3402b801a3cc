/* SPDX-License-Identifier: MIT */
#include "dev/events.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/le.h"
#include "util/log.h"

const uint8_t ev_uuid_dcd[16] = CXLFM_DC_EVENT_UUID_INIT;

const uint8_t ev_uuid_gen_media[16] = CXLFM_GEN_MEDIA_EVENT_UUID_INIT;
const uint8_t ev_uuid_dram[16] = CXLFM_DRAM_EVENT_UUID_INIT;
const uint8_t ev_uuid_mem_module[16] = CXLFM_MEM_MODULE_EVENT_UUID_INIT;

/* QEMU type-3 MSI-X layout: event vectors start at 2; DC shares info's. */
static const uint8_t ev_default_vec[EV_LOG_COUNT] = { 2, 3, 4, 5, 2 };

int ev_init(struct ev_logs *ev, const uint16_t cap[EV_LOG_COUNT])
{
	memset(ev, 0, sizeof(*ev));
	for (unsigned i = 0; i < EV_LOG_COUNT; i++) {
		struct ev_log *l = &ev->log[i];

		if (!cap[i]) {
			ev_fini(ev);
			return -EINVAL;
		}
		l->cap = cap[i]; /* the ring comes with the first record (ev_add) */
		l->next_handle = 1;
		l->int_vec = ev_default_vec[i];
	}
	return 0;
}

void ev_fini(struct ev_logs *ev)
{
	for (unsigned i = 0; i < EV_LOG_COUNT; i++) {
		free(ev->log[i].rec);
		ev->log[i].rec = NULL;
		ev->log[i].cap = 0;
		ev->log[i].count = 0;
	}
}

void ev_record_init(uint8_t rec[EV_RECORD_SIZE], const uint8_t uuid[16], uint32_t flags)
{
	struct rec_event_hdr h = { .length = EV_RECORD_SIZE, .flags = flags };

	memcpy(h.uuid, uuid, 16);
	memset(rec, 0, EV_RECORD_SIZE);
	rec_event_hdr_put(rec, &h);
}

static uint8_t *slot(struct ev_log *l, size_t i)
{
	return l->rec[(l->head + i) % l->cap];
}

static void reset_overflow(struct ev_log *l)
{
	l->overflow_count = 0;
	l->first_overflow_ts = 0;
	l->last_overflow_ts = 0;
}

int ev_add(struct ev_logs *ev, unsigned log, const uint8_t rec[EV_RECORD_SIZE], uint64_t ts)
{
	struct ev_log *l;
	uint8_t *dst;

	if (log >= EV_LOG_COUNT)
		return -EINVAL;
	l = &ev->log[log];
	if (l->count == l->cap) {
		if (!l->overflow_count)
			l->first_overflow_ts = ts;
		if (l->overflow_count < UINT16_MAX)
			l->overflow_count++;
		l->last_overflow_ts = ts;
		log_warn("events log %u: full (%zu records), record dropped", log, l->cap);
		return -ENOSPC;
	}
	/* Most logs of most devices never get a record: a 64-device topology
	 * would otherwise start with ~5 MiB of zeroed rings. */
	if (!l->rec && !(l->rec = malloc(l->cap * sizeof(*l->rec)))) {
		log_warn("events log %u: no memory for %zu records, record dropped", log, l->cap);
		return -ENOMEM;
	}
	dst = slot(l, l->count);
	memcpy(dst, rec, EV_RECORD_SIZE);
	le16_put(dst + REC_EVENT_HANDLE, l->next_handle);
	le64_put(dst + REC_EVENT_TIMESTAMP, ts);
	/* Handle 0 is never valid. */
	if (++l->next_handle == 0)
		l->next_handle = 1;
	l->count++;
	if (ev->notify)
		ev->notify(ev->notify_arg, log);
	return 0;
}

size_t ev_count(const struct ev_logs *ev, unsigned log)
{
	return log < EV_LOG_COUNT ? ev->log[log].count : 0;
}

size_t ev_room(const struct ev_logs *ev, unsigned log)
{
	return log < EV_LOG_COUNT ? ev->log[log].cap - ev->log[log].count : 0;
}

const uint8_t *ev_peek(const struct ev_logs *ev, unsigned log, size_t i)
{
	const struct ev_log *l;

	if (log >= EV_LOG_COUNT || i >= ev->log[log].count)
		return NULL;
	l = &ev->log[log];
	return l->rec[(l->head + i) % l->cap];
}

static void drop_head(struct ev_log *l, size_t n)
{
	l->head = (l->head + n) % l->cap;
	l->count -= n;
	reset_overflow(l);
}

void ev_discard_all(struct ev_logs *ev)
{
	for (unsigned i = 0; i < EV_LOG_COUNT; i++)
		drop_head(&ev->log[i], ev->log[i].count);
}

/*
 * CXL r3.1 §8.2.9.2.2 Get Event Records (Opcode 0100h). Input 0:1 event log.
 * Output: 0 flags (bit0 overflow, bit1 more records), 1 rsvd, 2:2 overflow
 * error count, 4:8 first overflow timestamp, 12:8 last overflow timestamp,
 * 20:2 record count, 22:10 rsvd, 32: records. Records are not consumed;
 * the host clears them with 0101h. "More" is set when the log holds more
 * records than were returned (QEMU sets it whenever the log is non-empty;
 * the spec wording is followed here).
 */
uint16_t ev_cmd_get_records(struct ev_logs *ev, struct cci_call *call)
{
	unsigned log = call->in[0];
	struct ev_log *l;
	size_t max, n;
	uint8_t *o = call->out;

	if (log >= EV_LOG_COUNT)
		return CXL_RC_INVALID_INPUT;
	l = &ev->log[log];
	max = (call->out_max - EV_GET_HDR_SIZE) / EV_RECORD_SIZE;
	if (max > UINT16_MAX)
		max = UINT16_MAX;
	n = l->count < max ? l->count : max;
	for (size_t i = 0; i < n; i++)
		memcpy(o + EV_GET_HDR_SIZE + i * EV_RECORD_SIZE, slot(l, i), EV_RECORD_SIZE);
	if (l->count > n)
		o[0] |= EV_FLAG_MORE_RECORDS;
	if (l->overflow_count) {
		o[0] |= EV_FLAG_OVERFLOW;
		le16_put(o + 2, l->overflow_count);
		le64_put(o + 4, l->first_overflow_ts);
		le64_put(o + 12, l->last_overflow_ts);
	}
	le16_put(o + 20, (uint16_t)n);
	call->out_len = EV_GET_HDR_SIZE + n * EV_RECORD_SIZE;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.2.3 Clear Event Records (Opcode 0101h). Input: 0 event log,
 * 1 flags (bit0 clear all), 2 number of handles n, 3:3 rsvd, 6: n x 2-byte
 * handles. The handles must name the oldest n records in order; otherwise
 * Invalid Handle and nothing is cleared (QEMU answers Invalid Input here;
 * the spec's Invalid Handle is used). Clear All with n != 0: Invalid Input.
 */
uint16_t ev_cmd_clear_records(struct ev_logs *ev, struct cci_call *call)
{
	const uint8_t *in = call->in;
	struct ev_log *l;
	unsigned log;
	size_t n;

	if (call->in_len < EV_CLEAR_HDR_SIZE)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	n = in[2];
	if (call->in_len != EV_CLEAR_HDR_SIZE + 2 * n)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	log = in[0];
	if (log >= EV_LOG_COUNT)
		return CXL_RC_INVALID_INPUT;
	l = &ev->log[log];
	if (in[1] & 0x01) {
		if (n)
			return CXL_RC_INVALID_INPUT;
		drop_head(l, l->count);
		return CXL_RC_SUCCESS;
	}
	if (n > l->count)
		return CXL_RC_INVALID_HANDLE;
	for (size_t i = 0; i < n; i++) {
		uint16_t h = le16_get(in + EV_CLEAR_HDR_SIZE + 2 * i);

		if (h == 0 || h != le16_get(slot(l, i) + EV_HDR_HANDLE))
			return CXL_RC_INVALID_HANDLE;
	}
	if (n)
		drop_head(l, n);
	return CXL_RC_SUCCESS;
}

static uint8_t int_setting(const struct ev_log *l)
{
	if (l->int_mode == EV_INT_MSI)
		return (uint8_t)(l->int_vec << 4 | EV_INT_MSI);
	return l->int_mode;
}

/*
 * CXL r3.1 §8.2.9.2.4 Get Event Interrupt Policy (Opcode 0102h). Output 5
 * bytes: informational, warning, failure, fatal, dynamic capacity settings;
 * each bits[1:0] interrupt mode, bits[7:4] interrupt message number.
 */
uint16_t ev_cmd_get_int_policy(struct ev_logs *ev, struct cci_call *call)
{
	for (unsigned i = 0; i < EV_LOG_COUNT; i++)
		call->out[i] = int_setting(&ev->log[i]);
	call->out_len = EV_LOG_COUNT;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.2.5 Set Event Interrupt Policy (Opcode 0103h). Input 4
 * bytes (no DC setting) or 5. Mode 3 is reserved: Invalid Input, nothing set.
 */
uint16_t ev_cmd_set_int_policy(struct ev_logs *ev, struct cci_call *call)
{
	size_t n = call->in_len;

	if (n != EV_LOG_COUNT && n != EV_LOG_COUNT - 1)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	for (size_t i = 0; i < n; i++)
		if ((call->in[i] & 0x3) == 0x3)
			return CXL_RC_INVALID_INPUT;
	for (size_t i = 0; i < n; i++)
		ev->log[i].int_mode = call->in[i] & 0x3;
	return CXL_RC_SUCCESS;
}
