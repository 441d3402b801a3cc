/* SPDX-License-Identifier: MIT */
/*
 * Component Command Interface: command tables, one dispatcher, the Command
 * Effects Log derived from the tables, and the one background operation a CCI
 * may run (CXL r3.1 §8.2.9.1.2). Transport-free: a message enters as
 * (CCI, opcode, payload) and leaves as (return code, payload). Whether it came
 * from a host mailbox, an MCTP endpoint, a tunnel or the forwarding buffer is
 * unknown here.
 */
#ifndef CXLFM_DEV_CCI_H
#define CXLFM_DEV_CCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/cci.h"
#include "proto/commands.h"

/*
 * Command Effects Log "Command Effect" bits (CXL r3.2 Table 8-87): the
 * CXLFM_EFF_* of the command facts, under the names code written before
 * the facts uses.
 */
#define CCI_EFF_CONFIG_CHANGE_COLD_RESET CXLFM_EFF_COLD_RESET
#define CCI_EFF_IMMEDIATE_CONFIG_CHANGE  CXLFM_EFF_IMM_CONFIG
#define CCI_EFF_IMMEDIATE_DATA_CHANGE    CXLFM_EFF_IMM_DATA
#define CCI_EFF_IMMEDIATE_POLICY_CHANGE  CXLFM_EFF_IMM_POLICY
#define CCI_EFF_IMMEDIATE_LOG_CHANGE     CXLFM_EFF_IMM_LOG
#define CCI_EFF_SECURITY_STATE_CHANGE    CXLFM_EFF_SECURITY
#define CCI_EFF_BACKGROUND_OPERATION     CXLFM_EFF_BG
#define CCI_EFF_SECONDARY_MBOX_SUPPORTED CXLFM_EFF_SECONDARY_MBOX
#define CCI_EFF_REQUEST_ABORT_SUPPORTED  CXLFM_EFF_ABORT
#define CCI_EFF_CONFIG_CHANGE_CONV_RESET CXLFM_EFF_CONV_RESET
#define CCI_EFF_CONFIG_CHANGE_CXL_RESET  CXLFM_EFF_CXL_RESET

/* Opcodes, from the command facts (include/cxlfm/commands.h): CCI_OP_IDENTIFY, ... */
enum cci_opcode {
#define CCI_OPCODE_ENUM_(op, id, ...) CCI_OP_##id = (op),
	CXLFM_COMMANDS(CCI_OPCODE_ENUM_)
#undef CCI_OPCODE_ENUM_
};
/* The spelling before the facts named 5603h as the spec does (Extent Lists). */
#define CCI_OP_GET_DC_REGION_EXTENT_LIST CCI_OP_GET_DC_REGION_EXTENT_LISTS

/* Identify component types (CXL r3.1 Table 8-38). */
enum cci_component_type {
	CCI_COMPONENT_SWITCH = 0x00,
	CCI_COMPONENT_TYPE3 = 0x03,
};

struct cci;
struct cci_cmd;

/* One request as a handler sees it. out is zeroed and holds out_max bytes. */
struct cci_call {
	const uint8_t *in;
	size_t in_len;
	uint8_t *out;
	size_t out_len; /* set by the handler */
	size_t out_max; /* the CCI's current response message limit */
};

/*
 * A handler validates variable-length contents only (the dispatcher did the
 * rest) and returns an enum cxl_rc. CXL_RC_BG_STARTED only after
 * cci_bg_start().
 */
typedef uint16_t (*cci_handler_fn)(struct cci *cci, const struct cci_cmd *cmd,
				   struct cci_call *call);

/*
 * A row of a command set: the command's facts (opcode, name, lengths,
 * effects: proto/commands.h) and the handler that implements it here.
 */
struct cci_cmd {
	const struct cxl_cmd_info *info;
	cci_handler_fn handler;
};

/* The row of command ID (CXLFM_COMMANDS) served by handler fn. */
#define CCI_CMD(id, fn) { &cxl_cmd_table[CXL_CMD_IDX_##id], (fn) }

/*
 * The generic rows a CCI with its own background operations and one CEL
 * answers with the handlers below (CXL r3.1 §8.2.9.1, .4, .5): a switch's.
 */
#define CCI_CMDS_GENERIC \
	CCI_CMD(IDENTIFY, cci_cmd_identify), \
	CCI_CMD(BG_OP_STATUS, cci_cmd_bg_op_status), \
	CCI_CMD(GET_RSP_MSG_LIMIT, cci_cmd_get_rsp_msg_limit), \
	CCI_CMD(SET_RSP_MSG_LIMIT, cci_cmd_set_rsp_msg_limit), \
	CCI_CMD(BG_OP_ABORT, cci_cmd_bg_op_abort), \
	CCI_CMD(GET_TIMESTAMP, cci_cmd_get_timestamp), \
	CCI_CMD(SET_TIMESTAMP, cci_cmd_set_timestamp), \
	CCI_CMD(GET_SUPPORTED_LOGS, cci_cmd_get_supported_logs), \
	CCI_CMD(GET_LOG, cci_cmd_get_log)

/*
 * A command set personality: a const table sorted by opcode, for CCIs of
 * one kind (CXLFM_CCI_*), which every command's facts must allow.
 */
struct cci_cmd_set {
	const char *name;
	uint8_t kind;
	const struct cci_cmd *cmds;
	size_t count;
};

#define CCI_SET(n, k, table) { .name = (n), .kind = (k), .cmds = (table), \
	.count = sizeof(table) / sizeof((table)[0]) }

/* Identity reported by Identify (0001h), CXL r3.1 §8.2.9.1.1. */
struct cci_ident {
	uint16_t vendor_id;
	uint16_t device_id;
	uint16_t subsys_vendor_id;
	uint16_t subsys_id;
	uint64_t serial;
	uint8_t component_type; /* enum cci_component_type */
};

/* Injected clock (nanoseconds, monotonic): tests advance it, never sleep. */
struct cci_clock {
	uint64_t (*now_ns)(void *arg);
	void *arg;
};

/* Device timestamp (Get/Set Timestamp 0300h/0301h), shared by a device's CCIs. */
struct cci_timestamp {
	bool set;
	uint64_t value_ns; /* value given by Set Timestamp */
	uint64_t at_ns;    /* clock reading when it was set */
};

typedef void (*cci_bg_done_fn)(struct cci *cci, void *arg);

/* The one background operation of a CCI (CXL r3.1 §8.2.9.1.2). */
struct cci_bg {
	bool running;
	bool abortable;
	uint16_t opcode;
	uint16_t rc;         /* result once finished */
	uint16_t vendor_status;
	uint8_t last_pct;    /* percent complete of the last op (100 when done) */
	uint64_t start_ns;
	uint64_t duration_ns;
	cci_bg_done_fn done; /* applies the operation's effect; may set bg.rc */
	cci_bg_done_fn aborted; /* Request Abort stopped it: undo what was held */
	void *arg;
};

/* Get Log Capabilities flags (CXL r3.1 §8.2.9.5.3). */
#define CCI_LOG_CAP_CLEAR        (1u << 0) /* Clear Log supported */
#define CCI_LOG_CAP_POPULATE     (1u << 1) /* Populate Log supported */
#define CCI_LOG_CAP_AUTO_POPULATE (1u << 2) /* the device fills it by itself */
#define CCI_LOG_CAP_PERSISTENT   (1u << 3) /* survives a cold reset */

/*
 * A log a CCI serves besides its Command Effects Log (CXL r3.1 §8.2.9.5):
 * Get Supported Logs, Get Log, Get Log Capabilities, Clear Log, Populate
 * Log and Get Supported Logs Sub-List find it by UUID. clear / populate are
 * NULL when the log does not support them (caps says the same) and return
 * an enum cxl_rc otherwise.
 */
struct cci_log {
	uint8_t uuid[16];            /* wire (RFC 4122) byte order */
	uint32_t caps;               /* CCI_LOG_CAP_* */
	size_t (*size)(struct cci *cci);
	/* Copy len bytes from offset off (off + len <= size). */
	void (*read)(struct cci *cci, size_t off, uint8_t *buf, size_t len);
	uint16_t (*clear)(struct cci *cci);
	uint16_t (*populate)(struct cci *cci);
};

#define CCI_MAX_LOGS 7 /* with the CEL: 8, what one 256-byte response lists */

/* A device model registers one set per command group it serves (base, DCD,
 * MLD, firmware, features, media, security, ...). */
#define CCI_MAX_SETS 16

struct cci {
	const char *name;           /* e.g. "99:oob_mctp_cci", for logs and QMP */
	const struct cci_cmd_set *sets[CCI_MAX_SETS];
	size_t nsets;
	void *owner;                /* the device handlers act on */
	const struct cci_ident *ident;
	struct cci_timestamp *ts;   /* shared by the device's CCIs */
	const struct cci_clock *clock;
	size_t payload_max;         /* current response message limit */
	size_t payload_cap;         /* largest limit Set Response Msg Limit accepts */
	struct cci_bg bg;
	const struct cci_log *logs[CCI_MAX_LOGS]; /* after the CEL, in this order */
	size_t nlogs;
};

/*
 * Initialise a CCI. payload_max and payload_cap are powers of two between
 * 256 and 1 MiB; payload_cap >= payload_max. Returns 0 or -EINVAL.
 */
int cci_init(struct cci *cci, const char *name, void *owner,
	     const struct cci_ident *ident, struct cci_timestamp *ts,
	     const struct cci_clock *clock, size_t payload_max, size_t payload_cap);
/*
 * Append a command set (e.g. the DCD set when the device has DC regions).
 * -ENOSPC past CCI_MAX_SETS; -EINVAL for a table out of opcode order or a
 * command whose facts do not allow the set's kind of CCI; -EEXIST for an
 * opcode another set of the CCI has.
 */
int cci_add_set(struct cci *cci, const struct cci_cmd_set *set);

/*
 * Serve log (which must outlive the CCI) after the CEL and the logs added
 * before. -ENOSPC past CCI_MAX_LOGS; -EEXIST for a UUID the CCI serves.
 */
int cci_add_log(struct cci *cci, const struct cci_log *log);

/* Find the table entry for opcode, or NULL. */
const struct cci_cmd *cci_find(const struct cci *cci, uint16_t opcode);

/*
 * Run one command. out must hold cci->payload_max bytes; *out_len gets the
 * response payload length (0 on any error). Returns an enum cxl_rc:
 * Unsupported for an opcode not in the tables, Invalid Payload Length when
 * the request's length is not one the command's facts allow (fixed, or at
 * least the minimum) or exceeds the CCI's limit, Busy for a background
 * command while one runs, else the handler's (Internal Error when a handler
 * answers a fixed-length command with another length).
 */
uint16_t cci_process(struct cci *cci, uint16_t opcode, const uint8_t *in,
		     size_t in_len, uint8_t *out, size_t *out_len);

/* CEL: one 4-byte entry (opcode, effects from the facts) per command of every set,
 * in opcode order. */
size_t cci_cel_size(const struct cci *cci);
/* Writes up to len bytes of the CEL starting at byte offset off; returns bytes written. */
size_t cci_cel_read(const struct cci *cci, size_t off, uint8_t *buf, size_t len);

/*
 * Background operations. A handler starts one and returns
 * CXL_RC_BG_STARTED; done() runs when cci_tick() sees it finished.
 */
void cci_bg_start(struct cci *cci, uint16_t opcode, uint64_t duration_ns,
		  bool abortable, cci_bg_done_fn done, void *arg);
/*
 * For the operation just started: called instead of done() when Request
 * Abort Background Operation (0005h) stops it.
 */
void cci_bg_on_abort(struct cci *cci, cci_bg_done_fn aborted);
/* Completes a finished background operation. Returns true if one completed. */
bool cci_tick(struct cci *cci);
/* Nanoseconds until the running operation finishes, or UINT64_MAX if none. */
uint64_t cci_bg_remaining_ns(const struct cci *cci);
uint64_t cci_now_ns(const struct cci *cci);
/*
 * The background operation now, as Background Operation Status (0002h) and
 * a mailbox's Background Command Status Register (CXL r3.1 §8.2.8.4.7)
 * report it: the last one's opcode; while it runs its percent complete
 * (at most 99) and return code 0; once done 100 and its return code.
 */
struct cci_bg_status {
	bool running;
	uint8_t pct;
	uint16_t opcode, rc, vendor_status;
};
void cci_bg_status(const struct cci *cci, struct cci_bg_status *st);

/* Generic handlers that sets share (CXL r3.1 §8.2.9.1, §8.2.9.4, §8.2.9.5). */
uint16_t cci_cmd_identify(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t cci_cmd_bg_op_status(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t cci_cmd_get_rsp_msg_limit(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t cci_cmd_set_rsp_msg_limit(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t cci_cmd_bg_op_abort(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t cci_cmd_get_timestamp(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t cci_cmd_set_timestamp(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t cci_cmd_get_supported_logs(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t cci_cmd_get_log(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t cci_cmd_get_log_caps(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t cci_cmd_clear_log(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t cci_cmd_populate_log(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t cci_cmd_get_supported_logs_sublist(struct cci *, const struct cci_cmd *,
					    struct cci_call *);

/* Get Log Capabilities .. Get Supported Logs Sub-List (0402h-0405h) for a switch CCI. */
extern const struct cci_cmd_set cci_logs_set_sw;

/* CEL UUID 0da9c0b5-bf41-4b78-8f79-96b1623b3f17 (CXLFM_CEL_UUID_INIT), wire order. */
extern const uint8_t cci_cel_uuid[16];

#endif

/*
 * Whole messages (12-byte CCI header + payload), for transports that carry
 * them as they are (MCTP endpoints, tests). cci_msg_reply() builds the
 * response to req with rc and payload; cci_msg_run() runs a request message
 * on cci and builds its response. Both return the response length or a
 * negative errno: -EBADMSG when msg is not a request at all (nothing to
 * answer), -EMSGSIZE when rsp is too small. A request whose length field
 * disagrees with the bytes present is answered with Invalid Payload Length.
 */
int cci_msg_reply(const struct cci_hdr *req, uint16_t rc, const uint8_t *pl,
		  size_t pl_len, uint8_t *rsp, size_t rsp_max);
int cci_msg_run(struct cci *cci, const uint8_t *msg, size_t len, uint8_t *rsp,
		size_t rsp_max);
