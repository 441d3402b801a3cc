/* SPDX-License-Identifier: MIT */
/*
 * The command facts of include/cxlfm/commands.h as a table the code reads:
 * one struct cxl_cmd_info per opcode, sorted, with constants for the sizes.
 * Device command sets point at these entries (dev/cci.h CCI_CMD), libcxlfm
 * takes its names and fixed sizes from here. Pure data: no I/O.
 */
#ifndef CXLFM_PROTO_COMMANDS_H
#define CXLFM_PROTO_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cxlfm/commands.h"

struct cxl_cmd_info {
	uint16_t opcode;
	uint16_t effects;   /* CXLFM_EFF_*: its CEL entry */
	uint8_t ccis;       /* CXLFM_CCI_*: kinds of CCI that may carry it */
	bool in_var;        /* in_len is a minimum */
	bool out_var;       /* out_len is a minimum */
	uint32_t in_len;    /* request payload bytes */
	uint32_t out_len;   /* response payload bytes (on success) */
	const char *id;     /* "GET_LOG" */
	const char *name;   /* "Get Log" */
	const char *ref;    /* "§8.2.9.5.2" (CXL r3.1) or "r3.2 §..." */
};

/* Index of each command in cxl_cmd_table: CXL_CMD_IDX_IDENTIFY, ... */
enum cxl_cmd_idx {
#define CXL_CMD_IDX_(op, id, ...) CXL_CMD_IDX_##id,
	CXLFM_COMMANDS(CXL_CMD_IDX_)
#undef CXL_CMD_IDX_
	CXL_CMD_COUNT
};

/*
 * Payload sizes as constants, for buffers and length checks:
 * CXL_IN_<ID> / CXL_OUT_<ID> are the fixed length, or the minimum of a
 * variable one.
 */
enum {
#define CXL_CMD_LEN_(op, id, name, ref, in, out, ...) \
	CXL_IN_##id = CXLFM_LEN_MIN(in), CXL_OUT_##id = CXLFM_LEN_MIN(out),
	CXLFM_COMMANDS(CXL_CMD_LEN_)
#undef CXL_CMD_LEN_
};

/* Every command, sorted by opcode. */
extern const struct cxl_cmd_info cxl_cmd_table[CXL_CMD_COUNT];

/* The facts of opcode, or NULL if it is not a command we know. */
const struct cxl_cmd_info *cxl_cmd_find(uint16_t opcode);

/* Whether a request of len payload bytes has a length the command allows. */
static inline bool cxl_cmd_in_len_ok(const struct cxl_cmd_info *c, size_t len)
{
	return c->in_var ? len >= c->in_len : len == c->in_len;
}

/* Likewise for a successful response. */
static inline bool cxl_cmd_out_len_ok(const struct cxl_cmd_info *c, size_t len)
{
	return c->out_var ? len >= c->out_len : len == c->out_len;
}

/* The cxl-fmctl name of Command Effect bit (0-15), or NULL if reserved. */
const char *cxl_effect_name(unsigned bit);

#endif
