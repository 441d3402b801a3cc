/* SPDX-License-Identifier: MIT */
/*
 * Cross-host forwarding (docs/forwarding.md), the QEMU FM-emulation RFC's
 * design: the FM host's endpoint copies a CXL request into a POSIX shared
 * memory slot (src/proto/fwd_buf.h), triggers the target host with QMP
 * `cxl-process-mctp-message {"cci-name": "<sn>:oob_mctp_cci"}`, and builds
 * the MCTP response from the slot once the target returns.
 *
 * Beyond the RFC, each opt-in: named buffers, N slots (several requests in
 * flight; the slot travels as "slot" in the QMP command), switch targets,
 * an inline mode carrying the request and response in the QMP command
 * itself (base64) for hosts on different machines, a per-request timeout
 * with a failure response, and reconnection when the target comes back.
 */
#ifndef CXLFM_EMU_FWD_H
#define CXLFM_EMU_FWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/cci.h"

struct loop;
struct cci;
struct qmp_server;
struct json_object;

#define FWD_DEFAULT_BUF "/mctp-message-buf"

/* ---- the shared buffer ---- */
struct fwd_shm;
/*
 * Create (and zero) or open the POSIX shm object name ("/x" or "x").
 * Creating fails with -EBUSY while another owner holds the object (it
 * takes over one whose owner died). Opening fails with -ENOENT if it does
 * not exist, -EPROTO if it is smaller than slots * 1064 bytes.
 */
int fwd_shm_open(const char *name, unsigned slots, bool create, struct fwd_shm **out);
/* Unmaps; the creator also unlinks the object (if the name is still its). */
void fwd_shm_close(struct fwd_shm *s);
uint8_t *fwd_shm_slot(struct fwd_shm *s, unsigned i);
unsigned fwd_shm_slots(const struct fwd_shm *s);
const char *fwd_shm_name(const struct fwd_shm *s);

/* ---- FM side ---- */
struct fwd_fm;
struct fwd_link;

enum fwd_mode { FWD_MODE_SHM, FWD_MODE_INLINE };

struct fwd_link_cfg {
	const char *peer;      /* "HOST:PORT", "tcp:HOST:PORT" or "unix:PATH" */
	const char *cci_name;  /* the target's CCI, e.g. "99:oob_mctp_cci" */
	enum fwd_mode mode;
	const char *buf_name;  /* shm mode: the buffer (default FWD_DEFAULT_BUF) */
	unsigned slots;        /* shm mode: slots in the buffer (default 1) */
	unsigned timeout_ms;   /* per request */
	const char *name;      /* for logs */
};

/* Response: a whole CCI response message, or NULL when the request was dropped. */
typedef void (*fwd_done_fn)(void *arg, const uint8_t *msg, size_t len);

/* Events from peers are re-broadcast on local (may be NULL). */
int fwd_fm_new(struct loop *loop, struct qmp_server *local, struct fwd_fm **out);
void fwd_fm_free(struct fwd_fm *fm);
int fwd_link_new(struct fwd_fm *fm, const struct fwd_link_cfg *cfg, struct fwd_link **out);
/*
 * Forward the request (header decoded, payload) and call done with the
 * response. Failures of the path itself answer with a CXL error code:
 * Retry Required when the target is down or did not answer in time,
 * Internal Error for a broken answer. Returns 0 or -errno (then done is
 * never called).
 */
int fwd_link_submit(struct fwd_link *l, const struct cci_hdr *req, const uint8_t *payload,
		    fwd_done_fn done, void *arg);

struct fwd_stats {
	uint64_t requests, responses, timeouts, peer_errors, bad_buffer, queued;
};
void fwd_link_stats(const struct fwd_link *l, struct fwd_stats *st);

/* ---- target side ---- */
struct fwd_target;
/*
 * Registers `cxl-process-mctp-message` on s. loop (may be NULL) watches
 * the buffers this target creates, to restore them when another process
 * truncates or unlinks one.
 */
int fwd_target_new(struct loop *loop, struct qmp_server *s, struct fwd_target **out);
void fwd_target_free(struct fwd_target *t);
/*
 * Serve cci under its name (cci->name). shm: the device's buffer (may be
 * NULL: opened on first use from buf_name/slots, or inline only).
 */
int fwd_target_add(struct fwd_target *t, struct cci *cci, const char *buf_name,
		   unsigned slots, bool create);
/* The CCI goes (hot-unplug): its buffer is closed (unlinked when created). */
void fwd_target_del(struct fwd_target *t, const struct cci *cci);
/* Run one command on cci, bounded for the slot. Shared with tests. */
uint16_t fwd_run(struct cci *cci, uint16_t opcode, const uint8_t *in, size_t in_len,
		 uint8_t *out, size_t *out_len, size_t out_max);

#endif
