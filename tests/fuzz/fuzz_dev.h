/* SPDX-License-Identifier: MIT */
/*
 * Shared by the device command fuzz targets (fuzz_t3_cci.c, fuzz_sw_cci.c):
 * the input is a sequence of CCI requests, each run through the real
 * dispatcher of one of the device's CCIs, with the dispatcher's contract
 * (docs in src/dev/cci.h) and the device state checked after each.
 *
 * Input: a few configuration bytes (the target reads them with fz_byte()),
 * then records
 *   0 sel   which CCI (low bits, modulo the CCI count); bit 7: the payload
 *           is a whole CCI message for cci_msg_run() instead of a payload
 *   1 adv   clock advance before the request: adv^2 x 100 us
 *   2:2 op  opcode (LE)
 *   4:2 len payload length (LE); fewer bytes left: what is left
 *   6:  payload
 */
#ifndef CXLFM_FUZZ_DEV_H
#define CXLFM_FUZZ_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/cci.h"

struct dcd;
struct ev_logs;

#define FZ_MSG_WHOLE 0x80u

struct fz_in {
	const uint8_t *p;
	size_t n;
};

struct fz_msg {
	uint8_t sel;
	uint8_t adv;
	uint16_t op;
	const uint8_t *pl;
	size_t len;
};

/* Next byte, 0 once the input is used up. */
uint8_t fz_byte(struct fz_in *in);
/* Next record; false when none is left. */
bool fz_next_msg(struct fz_in *in, struct fz_msg *m);
/* Format every log message into a sink that drops it: the format
 * arguments of every log call are evaluated (and checked by ASan). */
void fz_logs_formatted(void);

/* The fuzz clock (struct cci_clock), advanced by fz_advance(). */
extern const struct cci_clock fz_clock;
void fz_advance(uint8_t adv);

/* Called after every successful request with its payload and response. */
typedef void (*fz_ok_fn)(struct cci *cci, uint16_t op, const uint8_t *in, size_t in_len,
			 const uint8_t *out, size_t out_len, void *arg);

/*
 * Run m on cci, the payload form or the whole-message form, and check what
 * the dispatcher promises: a defined return code, Unsupported exactly for
 * opcodes outside the tables, Invalid Payload Length for a wrong fixed
 * length or a request over the limit, no response payload on failure, a
 * payload within the limit, Background Command Started only for background
 * commands (which then run), a well-formed tunnel response. Returns the
 * return code (UINT16_MAX when the message form refused the message).
 * ok (may be NULL) then checks what the response says.
 */
uint16_t fz_run(struct cci *cci, const struct fz_msg *m, fz_ok_fn ok, void *arg);

/*
 * Dynamic capacity invariants: extents in DPA order, disjoint, each inside
 * its region and aligned to its block size, counts and free bytes adding
 * up, no more tracked than supported, the generation never going back.
 */
void fz_check_dcd(const struct dcd *d, uint32_t *generation);
/* Event logs hold no more than their capacity; handles are never 0. */
void fz_check_events(const struct ev_logs *ev);

struct t3_dev;
/*
 * What a type-3 device's responses say agrees with its state: extent
 * lists (host 4801h, FM 5603h) list the accepted extents in DPA order with
 * the right totals and generation, region lists the regions and limits,
 * Get Event Records the oldest records of the log, Get LD Info / Get LD
 * Allocations the LDs. A fz_ok_fn with the device as arg.
 */
void fz_check_t3_response(struct cci *cci, uint16_t op, const uint8_t *in, size_t in_len,
			  const uint8_t *out, size_t out_len, void *dev);

#endif
