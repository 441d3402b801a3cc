/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm: the Fabric Manager side of cxl-fmemu.
 *
 * A context is one bus controller on one emulated I2C bus socket
 * (docs/bus-socket.md). It acts as MCTP bus owner: it finds the endpoints on
 * the bus, gives them EIDs (Set Endpoint ID) and sends them CXL CCI / FM API
 * requests (CXL r3.1 §7.6.3) with MCTP tag-owner semantics, packetising at
 * the 64-byte baseline MTU and reassembling responses.
 *
 * Return convention for commands: 0 on success, a negative errno for a
 * transport failure (-ETIMEDOUT, -EHOSTUNREACH, -EBADMSG ...), or a positive
 * CXL return code (CXL r3.1 Table 8-34) when the component answered with one;
 * cxlfm_rc_str() names it. Background Command Started (1) counts as
 * success-with-background and is returned as 1.
 *
 * The library prints nothing; cxlfm_set_log() installs a sink.
 */
#ifndef CXLFM_CXLFM_H
#define CXLFM_CXLFM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CXLFM_DEFAULT_ADDR 0x10      /* our 7-bit controller address */
#define CXLFM_DEFAULT_EID 0x08       /* the bus owner's own EID */
#define CXLFM_FIRST_EID 0x0a         /* first EID handed to endpoints */
#define CXLFM_DEFAULT_TIMEOUT_MS 2000 /* CXL r3.1 §9.20.2: 2 s for MCTP CCIs */
#define CXLFM_MSG_FMAPI 0x07
#define CXLFM_MSG_CCI 0x08
/*
 * The largest MCTP message libcxlfm sends or accepts: type byte, CCI header
 * and payload. The response structs of the typed calls (fmapi.h, generic.h,
 * media.h, memdev.h) size their lists from it so that any response of this
 * size fits. It is ABI, like those structs: it changes only together with
 * the library's soname and symbol version, never as a private detail.
 */
#define CXLFM_MSG_SIZE_MAX 2048

struct cxlfm_ctx;
struct cxlfm_ep;

/*
 * Options of cxlfm_open(). Extensible: set size to sizeof(struct cxlfm_opts)
 * (CXLFM_OPTS() does), so the library reads only the fields the caller
 * knows of. A program built against an older, shorter struct gets the
 * defaults for the fields added since; one built against a newer, longer
 * struct is accepted if every byte the library does not know is zero, and
 * refused with -E2BIG otherwise (the rule of Linux's openat2/clone3).
 * size 0 or smaller than the size field itself is -EINVAL. opts NULL: every
 * default.
 */
struct cxlfm_opts {
	size_t size;         /* sizeof(struct cxlfm_opts) as the caller saw it */
	uint8_t own_addr;    /* 0: CXLFM_DEFAULT_ADDR */
	uint8_t own_eid;     /* 0: CXLFM_DEFAULT_EID */
	unsigned timeout_ms; /* 0: CXLFM_DEFAULT_TIMEOUT_MS */
	unsigned mtu;        /* MCTP packet payload bytes; 0: 64 (baseline) */
};
/* struct cxlfm_opts o = CXLFM_OPTS(.timeout_ms = 5000); */
#define CXLFM_OPTS(...) \
	((struct cxlfm_opts){ .size = sizeof(struct cxlfm_opts), __VA_ARGS__ })

int cxlfm_open(const char *bus_path, const struct cxlfm_opts *opts,
	       struct cxlfm_ctx **out);
/*
 * Bus sockets of running cxl-emu instances in its default run directories:
 * $XDG_RUNTIME_DIR/cxl-emu/NAME/ first, then /tmp/cxl-emu-UID/NAME/; only
 * sockets that accept a connection count. Up to max paths go to paths;
 * returns how many there are in all, and in *in_xdg (may be NULL) how many
 * of them are under $XDG_RUNTIME_DIR.
 */
#define CXLFM_BUS_PATH_MAX 108 /* sizeof(sun_path) */
size_t cxlfm_bus_scan(char (*paths)[CXLFM_BUS_PATH_MAX], size_t max, size_t *in_xdg);
/* Use an already connected SOCK_SEQPACKET bus socket; the context owns fd. */
int cxlfm_open_fd(int fd, const struct cxlfm_opts *opts, struct cxlfm_ctx **out);
void cxlfm_close(struct cxlfm_ctx *ctx);
/* Readable when responses wait: for applications with their own loop. */
int cxlfm_fd(const struct cxlfm_ctx *ctx);
void cxlfm_set_timeout(struct cxlfm_ctx *ctx, unsigned timeout_ms);

/*
 * Log levels of the log callback: syslog(3)'s priorities, so a sink can pass
 * them to syslog() or sd_journal_print() as they are.
 *   ERR     a context-wide failure (the bus went away)
 *   WARNING something dropped that should not have been
 *   NOTICE  what the library decided on its own (a late response dropped)
 *   INFO    one line per CCI / FM API request and per failed one: endpoint,
 *           EID, opcode, tags (what cxl-fmctl -v shows)
 *   DEBUG   bus probing: MCTP control requests, every NACK of a discovery
 */
#define CXLFM_LOG_ERR 3
#define CXLFM_LOG_WARNING 4
#define CXLFM_LOG_NOTICE 5
#define CXLFM_LOG_INFO 6
#define CXLFM_LOG_DEBUG 7

/* level is a CXLFM_LOG_* value; msg has no trailing newline. */
typedef void (*cxlfm_log_fn)(int level, const char *msg, void *arg);
/*
 * Install a log sink (fn NULL: none, the default). Messages up to the
 * context's log level reach it: CXLFM_LOG_INFO unless cxlfm_set_log_level()
 * says otherwise, so a sink sees requests but not the probes of a bus scan.
 */
void cxlfm_set_log(struct cxlfm_ctx *ctx, cxlfm_log_fn fn, void *arg);
/* The most verbose level passed to the sink (CXLFM_LOG_ERR..CXLFM_LOG_DEBUG);
 * returns the previous one, or -EINVAL for a level out of that range. */
int cxlfm_set_log_level(struct cxlfm_ctx *ctx, int level);

/*
 * Bus owner discovery: probe every 7-bit address, give each endpoint that
 * answers an EID and read its message types. Returns the endpoint count or
 * a negative errno. Endpoints keep their EID across calls.
 */
int cxlfm_discover(struct cxlfm_ctx *ctx);
size_t cxlfm_ep_count(const struct cxlfm_ctx *ctx);
struct cxlfm_ep *cxlfm_ep_at(struct cxlfm_ctx *ctx, size_t i);
/* Find (and if unknown, probe and assign an EID to) the endpoint at addr. */
int cxlfm_ep_by_addr(struct cxlfm_ctx *ctx, uint8_t addr, struct cxlfm_ep **out);
struct cxlfm_ep *cxlfm_ep_by_eid(struct cxlfm_ctx *ctx, uint8_t eid);
uint8_t cxlfm_ep_addr(const struct cxlfm_ep *ep);
uint8_t cxlfm_ep_eid(const struct cxlfm_ep *ep);
bool cxlfm_ep_has_type(const struct cxlfm_ep *ep, uint8_t msg_type);

/* Tunnel through a switch port and/or to an LD of an MLD (5300h). */
struct cxlfm_tunnel {
	int port; /* switch downstream port, or -1 */
	int ld;   /* LD id, or -1 */
};

/*
 * Raw command. The message type follows the opcode: command sets 51h-56h
 * go as FM API (0x07), everything else as CXL CCI (0x08). out may be NULL
 * when no payload is wanted; *out_len gets the response payload length.
 */
int cxlfm_cmd(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t opcode,
	      const void *in, size_t in_len, void *out, size_t out_max,
	      size_t *out_len);

/* Asynchronous form: several requests in flight from one context. */
typedef void (*cxlfm_done_fn)(struct cxlfm_ep *ep, int rc, const uint8_t *rsp,
			      size_t len, void *arg);
int cxlfm_submit(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		 uint16_t opcode, const void *in, size_t in_len,
		 cxlfm_done_fn done, void *arg);
/*
 * Wait up to timeout_ms (0: do not wait, -1: until something completes) and
 * handle what arrived and what timed out. Returns completions or -errno.
 */
int cxlfm_process(struct cxlfm_ctx *ctx, int timeout_ms);
size_t cxlfm_pending(const struct cxlfm_ctx *ctx);

struct cxlfm_stats {
	uint64_t requests, responses, timeouts;
	uint64_t dropped_mismatch; /* response matched no request (tag, opcode) */
	uint64_t dropped_late;     /* response for a request that had timed out */
	uint64_t dropped_malformed;
	uint64_t nacks;
};
void cxlfm_get_stats(const struct cxlfm_ctx *ctx, struct cxlfm_stats *st);

const char *cxlfm_rc_str(int rc);
/* A UUID (e.g. a DC extent tag) from its text form; 0 or -EINVAL. */
int cxlfm_uuid_parse(const char *s, uint8_t out[16]);

/*
 * Raw MCTP messages (src/lib/raw.c), for programs that build whole messages
 * themselves (the AF_MCTP shim, cxl-fmctl raw): libcxlfm adds only the MCTP
 * transport (type byte, tag, packets), never looks inside.
 *
 * A message as it arrived: msg_type is the message type byte (IC bit
 * included), msg/len what follows it. For a response tag is the tag of the
 * request (to is false); for a request (to) the sender's tag.
 */
struct cxlfm_msg_in {
	uint8_t src_addr;   /* 7-bit I2C address of the sender */
	uint8_t src_eid, dest_eid;
	uint8_t tag;        /* 0-7 */
	bool to;
	uint8_t msg_type;
	const uint8_t *msg;
	size_t len;
};

/*
 * rc is 0 with m the message, or -errno when no message came: -ETIMEDOUT,
 * -EHOSTUNREACH (the bus NACKed the address), -ECONNRESET (the bus went away),
 * -ECANCELED (cxlfm_close). On error m still names the peer (src_addr,
 * src_eid) and the tag if one was sent; msg is NULL.
 */
typedef void (*cxlfm_msg_fn)(struct cxlfm_ctx *ctx, int rc,
			     const struct cxlfm_msg_in *m, void *arg);

/*
 * Send msg (len bytes after the type byte msg_type) to ep as a request:
 * TO set, an MCTP tag of ep's free ones (queued until one frees). The
 * response is matched by MCTP tag and message type only (the contents are
 * the caller's business, e.g. its own CCI tag) and handed to done from
 * cxlfm_process(). Returns 0, or -EHOSTUNREACH (ep has no EID), -EMSGSIZE
 * (more than 2047 bytes), -EBUSY (64 requests outstanding), or a send
 * error (done has then been called with it too).
 */
int cxlfm_msg_submit(struct cxlfm_ep *ep, uint8_t msg_type, const void *msg,
		     size_t len, cxlfm_msg_fn done, void *arg);
/* The same, waiting: the response (type byte stripped) lands in rsp. */
int cxlfm_msg(struct cxlfm_ep *ep, uint8_t msg_type, const void *msg, size_t len,
	      void *rsp, size_t rsp_max, size_t *rsp_len);
/*
 * Requests (TO set) that other bus controllers send to this context go to
 * fn (called from cxlfm_process); without a handler they are dropped and
 * counted as dropped_mismatch. fn NULL removes the handler.
 */
void cxlfm_set_request_handler(struct cxlfm_ctx *ctx, cxlfm_msg_fn fn, void *arg);
/*
 * Send a message with TO clear (a response carrying the request's tag) to
 * EID eid at I2C address addr: an endpoint or another controller.
 * Returns 0 or -errno (-EINVAL for a bad address or tag, -EMSGSIZE).
 */
int cxlfm_msg_send(struct cxlfm_ctx *ctx, uint8_t addr, uint8_t eid, uint8_t tag,
		   uint8_t msg_type, const void *msg, size_t len);
/*
 * A static EID, as a bus owner configured with fixed EIDs assigns it: the
 * endpoint at addr gets eid with Set Endpoint ID and is then known under it.
 * The mapping stays even when nothing answers at addr (like a static route:
 * requests to it then fail or time out); the return value says how the
 * assignment went: 0 or -errno from the exchange. -EINVAL: addr or eid not
 * usable (eid is the context's own); -EADDRINUSE: another endpoint has eid.
 */
int cxlfm_ep_pin_eid(struct cxlfm_ctx *ctx, uint8_t addr, uint8_t eid,
		     struct cxlfm_ep **out);

#ifdef __cplusplus
}
#endif
#endif
