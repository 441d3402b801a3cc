/* SPDX-License-Identifier: MIT */
/* libcxlfm internals shared by its modules; not installed. */
#ifndef CXLFM_LIB_PRIVATE_H
#define CXLFM_LIB_PRIVATE_H

#include <limits.h>

#include "cxlfm/cxlfm.h"
#include "proto/mctp.h"

#define CXLFM_MAX_EPS 112      /* every usable 7-bit address */
#define CXLFM_MAX_PENDING 64   /* requests queued or in flight per context */
/* largest MCTP message we send or accept: the public, ABI-fixed limit the
 * response structs are sized from, never a value of our own */
#define CXLFM_MSG_MAX CXLFM_MSG_SIZE_MAX
#define CXLFM_NO_MATCH INT_MIN
/* I2C reserves 0x00-0x07 and 0x78-0x7f, but QEMU's i2c_mctp_cxl accepts
 * them and the RFC topology uses 0x04 and 0x06: every address but the
 * general call (0x00) is fair game. */
#define I2C_ADDR_FIRST 0x01
#define I2C_ADDR_LAST 0x7f

struct cxlfm_ep {
	struct cxlfm_ctx *ctx;
	uint8_t addr;        /* 7-bit I2C address */
	uint8_t eid;         /* MCTP_EID_NULL until assigned */
	uint8_t tags_busy;   /* MCTP tags (TO=1) held by requests in flight */
	uint8_t tags_late;   /* tags whose last request timed out unanswered */
	uint32_t types[8];   /* message types supported, bitmap */
	uint8_t uuid[16];
};

enum req_state { REQ_FREE = 0, REQ_BUILDING, REQ_QUEUED, REQ_SENT };

struct cxlfm_req;
/*
 * Decide whether msg (a whole MCTP message, type byte first) answers r.
 * Returns CXLFM_NO_MATCH if it does not; otherwise the request's result
 * (0, a positive CXL return code or -errno) with *payload and *plen set to the
 * part handed to the caller.
 */
typedef int (*cxlfm_match_fn)(struct cxlfm_ctx *ctx, struct cxlfm_req *r,
			      const uint8_t *msg, size_t len,
			      const uint8_t **payload, size_t *plen);

#define CXLFM_TUNNEL_MAX 2

struct cxlfm_req {
	enum req_state state;
	struct cxlfm_ep *ep;
	uint8_t mctp_tag;
	uint64_t deadline_ns;
	cxlfm_match_fn match;
	cxlfm_done_fn done;
	void *arg;
	cxlfm_msg_fn msg_done; /* raw.c: the caller's callback behind done */
	void *msg_arg;
	/* what the match function checks */
	uint8_t msg_type;
	uint8_t ctrl_iid, ctrl_cmd;
	unsigned levels;                 /* tunnel levels wrapped around the command */
	uint8_t cci_tag[CXLFM_TUNNEL_MAX + 1];  /* [0] = the command itself */
	uint16_t opcode[CXLFM_TUNNEL_MAX + 1];
	size_t msg_len;
	uint8_t msg[CXLFM_MSG_MAX];
};

struct cxlfm_ctx {
	int fd;
	uint8_t own_addr, own_eid;
	unsigned timeout_ms;
	unsigned rcvtimeo_ms; /* SO_RCVTIMEO set on fd (0: none): cxlfm_process's blocking path */
	unsigned mtu;
	uint8_t next_eid;
	uint8_t cci_tag;   /* CCI message tag counter */
	uint8_t ctrl_iid;  /* MCTP control instance id counter */
	struct mctp_reasm reasm;
	struct cxlfm_ep *eps[CXLFM_MAX_EPS];
	size_t n_eps;
	struct cxlfm_req req[CXLFM_MAX_PENDING];
	struct cxlfm_stats stats;
	cxlfm_log_fn log_fn;
	void *log_arg;
	int log_level;       /* CXLFM_LOG_*: the most verbose level passed on */
	cxlfm_msg_fn req_fn; /* requests from other controllers (raw.c) */
	void *req_arg;
};

/* Does a SOCK_SEQPACKET UNIX socket at path accept a connection (a live
 * cxl-emu bus or memdev socket; the preload library's scan uses it too)? */
bool cxlfm_sock_alive(const char *path);
__attribute__((format(printf, 3, 4)))
void cxlfm_log(struct cxlfm_ctx *ctx, int level, const char *fmt, ...);

struct cxlfm_ep *cxlfm_ep_find_addr(struct cxlfm_ctx *ctx, uint8_t addr);
struct cxlfm_ep *cxlfm_ep_add(struct cxlfm_ctx *ctx, uint8_t addr);
/* Only for an endpoint with no request outstanding. */
void cxlfm_ep_remove(struct cxlfm_ctx *ctx, struct cxlfm_ep *ep);
int cxlfm_send_msg(struct cxlfm_ctx *ctx, struct cxlfm_ep *ep, bool to, uint8_t tag,
		   const uint8_t *msg, size_t len);
/* Take a free slot (state BUILDING) to build a request in, or NULL. */
struct cxlfm_req *cxlfm_req_alloc(struct cxlfm_ctx *ctx);
void cxlfm_req_abandon(struct cxlfm_req *r);
/* Queue r (msg, msg_len and match fields filled) and send it if a tag is free. */
int cxlfm_req_start(struct cxlfm_req *r, struct cxlfm_ep *ep,
		    cxlfm_match_fn match, cxlfm_done_fn done, void *arg);
/* Start r and wait for its result; the payload is copied to out. */
int cxlfm_req_run(struct cxlfm_req *r, struct cxlfm_ep *ep, cxlfm_match_fn match,
		  void *out, size_t out_max, size_t *out_len);
/* Process the bus until *done becomes true. */
int cxlfm_wait(struct cxlfm_ctx *ctx, const bool *done);
void cxlfm_req_finish(struct cxlfm_ctx *ctx, struct cxlfm_req *r, int rc,
		      const uint8_t *rsp, size_t len);

/*
 * The response decoders of fmapi.c as a table (for tests and the fuzz
 * target): decode(req, payload, len, rsp) with req/rsp of the sizes given.
 * Returns 0 or -EBADMSG; never reads past len or writes past rsp_size.
 */
struct cxlfm_decoder {
	uint16_t opcode;
	size_t req_size, rsp_size;
	int (*decode)(const void *req, const uint8_t *p, size_t len, void *rsp);
};
const struct cxlfm_decoder *cxlfm_decoder_at(size_t i);         /* fmapi.c */
/* The decoder of opcode's response among them, or NULL. */
const struct cxlfm_decoder *cxlfm_decoder_find(uint16_t opcode);  /* fmapi.c */
/*
 * fabric.c: run op with in[in_len] (cxlfm_cmd) and hand a success to dec
 * with req, to fill rsp; dec NULL: a success must carry no payload. Returns
 * cxlfm_cmd's non-zero result or dec's.
 */
int cxlfm_query(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t op,
		const void *in, size_t in_len, const void *req,
		int (*dec)(const void *req, const uint8_t *p, size_t len, void *rsp), void *rsp);
/* the other files' decoders; cxlfm_decoder_at() goes on to them */
const struct cxlfm_decoder *cxlfm_media_decoder_at(size_t i);   /* media.c */
const struct cxlfm_decoder *cxlfm_memdev_decoder_at(size_t i);  /* memdev.c */
const struct cxlfm_decoder *cxlfm_qos_decoder_at(size_t i);     /* qos.c */
const struct cxlfm_decoder *cxlfm_fabric_decoder_at(size_t i);  /* fabric.c */
const struct cxlfm_decoder *cxlfm_cxlio_decoder_at(size_t i);   /* cxlio.c */

/*
 * cxlio.c's request encoders (for tests): the payload in out, its length;
 * -EINVAL for a request that cannot be encoded (offset not a dword below
 * 4 KiB, byte enables over 0xf, length over 4 KiB, write without data),
 * -EMSGSIZE when it does not fit max.
 */
struct cxlfm_config_req;
struct cxlfm_ld_mem_req;
int cxlfm_ppb_config_encode(uint8_t ppb_id, const struct cxlfm_config_req *req, uint8_t out[8]);
int cxlfm_ld_config_encode(uint8_t ppb_id, uint16_t ld_id, const struct cxlfm_config_req *req,
			   uint8_t out[12]);
int cxlfm_ld_mem_encode(const struct cxlfm_ld_mem_req *req, uint8_t *out, size_t max);

/* addr can be another device on the bus: a valid address, not our own. */
static inline bool cxlfm_peer_addr_ok(const struct cxlfm_ctx *ctx, uint8_t addr)
{
	return addr >= I2C_ADDR_FIRST && addr <= I2C_ADDR_LAST && addr != ctx->own_addr;
}

#endif
