/* SPDX-License-Identifier: MIT */
/*
 * Event logs of a memory device (CXL r3.1 §8.2.9.2 Events): informational,
 * warning, failure, fatal and dynamic capacity. Each log is a bounded FIFO of
 * 128-byte records (48-byte common header, CXL r3.1 §8.2.9.2.1 Event Records), with
 * handles, overflow accounting and the four mailbox commands Get Event
 * Records (0100h), Clear Event Records (0101h), Get/Set Event Interrupt
 * Policy (0102h/0103h). Pure: no I/O; the clock reading comes from the caller.
 */
#ifndef CXLFM_DEV_EVENTS_H
#define CXLFM_DEV_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/cci.h"
#include "proto/records.h"

/* Event Log values of Get Event Records' input (CXL r3.1 §8.2.9.2.2). */
enum ev_log_type {
	EV_LOG_INFO = 0,
	EV_LOG_WARN = 1,
	EV_LOG_FAIL = 2,
	EV_LOG_FATAL = 3,
	EV_LOG_DCD = 4,
	EV_LOG_COUNT = 5,
};

/* Record layout: proto/records.h; payload headers: the command facts. */
#define EV_RECORD_SIZE REC_EVENT_LEN
#define EV_HDR_SIZE REC_EVENT_HDR_LEN
#define EV_HDR_HANDLE REC_EVENT_HANDLE
#define EV_GET_HDR_SIZE CXL_OUT_GET_EVENT_RECORDS    /* Get Event Records output header */
#define EV_CLEAR_HDR_SIZE CXL_IN_CLEAR_EVENT_RECORDS /* Clear Event Records input header */

/* Event Record Flags bits[1:0] severity (CXL r3.1 §8.2.9.2.1). */
enum ev_severity {
	EV_SEV_INFO = 0,
	EV_SEV_WARN = 1,
	EV_SEV_FAIL = 2,
	EV_SEV_FATAL = 3,
};

/* Get Event Records output flags (CXL r3.1 §8.2.9.2.2). */
#define EV_FLAG_OVERFLOW 0x01u
#define EV_FLAG_MORE_RECORDS 0x02u

/* Interrupt Settings bits[1:0] (CXL r3.1 §8.2.9.2.4). */
enum ev_int_mode {
	EV_INT_NONE = 0,
	EV_INT_MSI = 1,
	EV_INT_FW = 2,
};

/* One log. Records live in a ring of cap slots. */
struct ev_log {
	uint8_t (*rec)[EV_RECORD_SIZE];
	size_t cap;
	size_t head;      /* oldest record */
	size_t count;
	uint16_t next_handle;
	uint16_t overflow_count;
	uint64_t first_overflow_ts;
	uint64_t last_overflow_ts;
	uint8_t int_mode; /* enum ev_int_mode */
	uint8_t int_vec;  /* message number reported for MSI/MSI-X */
};

/* Called after a record was added to log; must not re-enter the device. */
typedef void (*ev_notify_fn)(void *arg, unsigned log);

struct ev_logs {
	struct ev_log log[EV_LOG_COUNT];
	ev_notify_fn notify;
	void *notify_arg;
};

/* Record type UUIDs, wire (RFC 4122) byte order. */
extern const uint8_t ev_uuid_dcd[16];       /* ca95afa7-f183-4018-8c2f-95268e101a2a */
extern const uint8_t ev_uuid_gen_media[16]; /* fbcd0a77-c260-417f-85a9-088b1621eba6 */
extern const uint8_t ev_uuid_dram[16];      /* 601dcbb3-9c06-4eab-b8af-4e9bfb5c9624 */
extern const uint8_t ev_uuid_mem_module[16]; /* fe927475-dd59-4339-a586-79bab113b774 */

/*
 * Set up the logs; cap[i] records each (>= 1), each ring allocated with its
 * first record. Interrupt vectors follow QEMU's type-3: info 2, warn 3,
 * failure 4, fatal 5, DC shares info's. Returns 0 or -EINVAL.
 */
int ev_init(struct ev_logs *ev, const uint16_t cap[EV_LOG_COUNT]);
void ev_fini(struct ev_logs *ev);

/*
 * Start a record: zero it, write the UUID, length 128 and the 24-bit flags.
 * Handle and timestamp are set by ev_add().
 */
void ev_record_init(uint8_t rec[EV_RECORD_SIZE], const uint8_t uuid[16], uint32_t flags);

/*
 * Append a copy of rec to log, stamping handle and timestamp ts. Returns 0;
 * -EINVAL for a bad log; -ENOSPC when the log is full (the record is dropped
 * and counted as an overflow, CXL r3.1 §8.2.9.2.2); -ENOMEM when the ring
 * cannot be allocated (the record is dropped).
 */
int ev_add(struct ev_logs *ev, unsigned log, const uint8_t rec[EV_RECORD_SIZE], uint64_t ts);

size_t ev_count(const struct ev_logs *ev, unsigned log);
size_t ev_room(const struct ev_logs *ev, unsigned log);
/* The i-th oldest record of log, or NULL. */
const uint8_t *ev_peek(const struct ev_logs *ev, unsigned log, size_t i);
/* Drop every record of every log and reset overflow state. */
void ev_discard_all(struct ev_logs *ev);

/*
 * Command bodies, called from a device's handlers (the dispatcher has
 * checked fixed lengths). Each returns an enum cxl_rc.
 */
uint16_t ev_cmd_get_records(struct ev_logs *ev, struct cci_call *call);
uint16_t ev_cmd_clear_records(struct ev_logs *ev, struct cci_call *call);
uint16_t ev_cmd_get_int_policy(struct ev_logs *ev, struct cci_call *call);
uint16_t ev_cmd_set_int_policy(struct ev_logs *ev, struct cci_call *call);

#endif
