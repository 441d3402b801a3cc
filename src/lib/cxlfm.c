/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm core: the bus connection, bus-owner discovery and the
 * request/response engine. Structure follows Linux net/mctp: tags are keys
 * with a lifetime (held from send until the response, a timeout or a NACK,
 * and released with a reason), reassembly is keyed on (source, tag, TO).
 */
#include "cxlfm/cxlfm.h"
#include "cxlfm/fmapi.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/private.h"
#include "proto/cci.h"
#include "proto/le.h"
#include "proto/mctp.h"
#include "proto/mctp_ctrl.h"
#include "proto/mctp_i2c.h"
#include "util/uuid.h"

#define FRAME_MAX 300
#define RX_BATCH 8 /* frames per recvmmsg() */
#define BUS_NACK 0x01

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void cxlfm_log(struct cxlfm_ctx *ctx, int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!ctx->log_fn || level > ctx->log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ctx->log_fn(level, buf, ctx->log_arg);
}

/*
 * SO_RCVTIMEO = the request timeout, so cxlfm_process() can wait inside the
 * receive; ctx->rcvtimeo_ms stays 0 (poll() only) for a non-blocking fd or
 * when it cannot be set.
 */
static void set_rcvtimeo(struct cxlfm_ctx *ctx)
{
	struct timeval tv = { .tv_sec = ctx->timeout_ms / 1000,
			      .tv_usec = (suseconds_t)(ctx->timeout_ms % 1000) * 1000 };
	int fl = fcntl(ctx->fd, F_GETFL);

	ctx->rcvtimeo_ms = 0;
	if (fl >= 0 && !(fl & O_NONBLOCK) &&
	    !setsockopt(ctx->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		ctx->rcvtimeo_ms = ctx->timeout_ms;
}

/*
 * The caller's options as far as its .size covers them, the rest zero (the
 * defaults). Bytes past our struct must be zero: a newer caller asking for
 * something this library does not know fails instead of being ignored.
 */
static int opts_copy(const struct cxlfm_opts *in, struct cxlfm_opts *o)
{
	memset(o, 0, sizeof(*o));
	if (!in)
		return 0;
	if (in->size < offsetof(struct cxlfm_opts, size) + sizeof(in->size))
		return -EINVAL;
	if (in->size > sizeof(*o)) {
		const unsigned char *extra = (const unsigned char *)in + sizeof(*o);

		for (size_t i = 0; i < in->size - sizeof(*o); i++)
			if (extra[i])
				return -E2BIG;
	}
	memcpy(o, in, in->size < sizeof(*o) ? in->size : sizeof(*o));
	return 0;
}

int cxlfm_open_fd(int fd, const struct cxlfm_opts *opts, struct cxlfm_ctx **out)
{
	struct mctp_reasm_cfg rcfg = { .max_msg = CXLFM_MSG_MAX, .nctx = 16 };
	struct cxlfm_opts o;
	struct cxlfm_ctx *ctx;
	int err = opts_copy(opts, &o);

	if (err)
		return err;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->own_addr = o.own_addr ? o.own_addr : CXLFM_DEFAULT_ADDR;
	ctx->own_eid = o.own_eid ? o.own_eid : CXLFM_DEFAULT_EID;
	ctx->timeout_ms = o.timeout_ms ? o.timeout_ms : CXLFM_DEFAULT_TIMEOUT_MS;
	ctx->mtu = o.mtu ? o.mtu : MCTP_BTU;
	ctx->log_level = CXLFM_LOG_INFO;
	ctx->next_eid = CXLFM_FIRST_EID;
	if (ctx->own_addr < I2C_ADDR_FIRST || ctx->own_addr > I2C_ADDR_LAST ||
	    !mctp_eid_assignable(ctx->own_eid) || ctx->mtu < MCTP_BTU ||
	    ctx->mtu > MCTP_I2C_MTU_MAX) {
		free(ctx);
		return -EINVAL;
	}
	rcfg.timeout_ns = (uint64_t)ctx->timeout_ms * 1000000u;
	err = mctp_reasm_init(&ctx->reasm, &rcfg);
	if (err) {
		free(ctx);
		return err;
	}
	ctx->fd = fd;
	set_rcvtimeo(ctx);
	*out = ctx;
	return 0;
}

int cxlfm_open(const char *bus_path, const struct cxlfm_opts *opts,
	       struct cxlfm_ctx **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (!bus_path || strlen(bus_path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(sa.sun_path, bus_path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	err = cxlfm_open_fd(fd, opts, out);
	if (err)
		close(fd);
	return err;
}

bool cxlfm_sock_alive(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	bool ok;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return false;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	strcpy(sa.sun_path, path);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

size_t cxlfm_bus_scan(char (*paths)[CXLFM_BUS_PATH_MAX], size_t max, size_t *in_xdg)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char pat[2][600];
	size_t n = 0, npat = 0;

	if (in_xdg)
		*in_xdg = 0;
	if (xdg && *xdg)
		snprintf(pat[npat++], sizeof(pat[0]), "%s/cxl-emu/*/*.sock", xdg);
	snprintf(pat[npat++], sizeof(pat[0]), "/tmp/cxl-emu-%u/*/*.sock", (unsigned)getuid());
	for (size_t p = 0; p < npat; p++) {
		glob_t g;

		if (glob(pat[p], 0, NULL, &g))
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			if (!cxlfm_sock_alive(g.gl_pathv[i]))
				continue;
			if (n < max)
				snprintf(paths[n], sizeof(paths[n]), "%s", g.gl_pathv[i]);
			n++;
			if (in_xdg && p == 0 && npat == 2)
				(*in_xdg)++;
		}
		globfree(&g);
	}
	return n;
}

void cxlfm_close(struct cxlfm_ctx *ctx)
{
	if (!ctx)
		return;
	/* Requests still out complete with -ECANCELED: callers never hang. */
	for (size_t i = 0; i < CXLFM_MAX_PENDING; i++)
		if (ctx->req[i].state >= REQ_QUEUED)
			cxlfm_req_finish(ctx, &ctx->req[i], -ECANCELED, NULL, 0);
	close(ctx->fd);
	mctp_reasm_fini(&ctx->reasm);
	for (size_t i = 0; i < ctx->n_eps; i++)
		free(ctx->eps[i]);
	free(ctx);
}

int cxlfm_fd(const struct cxlfm_ctx *ctx)
{
	return ctx->fd;
}

void cxlfm_set_timeout(struct cxlfm_ctx *ctx, unsigned timeout_ms)
{
	ctx->timeout_ms = timeout_ms ? timeout_ms : CXLFM_DEFAULT_TIMEOUT_MS;
	set_rcvtimeo(ctx);
}

void cxlfm_set_log(struct cxlfm_ctx *ctx, cxlfm_log_fn fn, void *arg)
{
	ctx->log_fn = fn;
	ctx->log_arg = arg;
}

int cxlfm_set_log_level(struct cxlfm_ctx *ctx, int level)
{
	int was = ctx->log_level;

	if (level < CXLFM_LOG_ERR || level > CXLFM_LOG_DEBUG)
		return -EINVAL;
	ctx->log_level = level;
	return was;
}

void cxlfm_get_stats(const struct cxlfm_ctx *ctx, struct cxlfm_stats *st)
{
	*st = ctx->stats;
}

size_t cxlfm_pending(const struct cxlfm_ctx *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < CXLFM_MAX_PENDING; i++)
		n += ctx->req[i].state >= REQ_QUEUED;
	return n;
}

int cxlfm_uuid_parse(const char *s, uint8_t out[16])
{
	return util_uuid_parse(s, out);
}

const char *cxlfm_rc_str(int rc)
{
	if (rc < 0)
		return strerror(-rc);
	return cxl_rc_valid((uint16_t)rc) ? cxl_rc_name((uint16_t)rc) : "unknown return code";
}

/* ---- endpoints ---- */

struct cxlfm_ep *cxlfm_ep_find_addr(struct cxlfm_ctx *ctx, uint8_t addr)
{
	for (size_t i = 0; i < ctx->n_eps; i++)
		if (ctx->eps[i]->addr == addr)
			return ctx->eps[i];
	return NULL;
}

struct cxlfm_ep *cxlfm_ep_add(struct cxlfm_ctx *ctx, uint8_t addr)
{
	struct cxlfm_ep *ep = cxlfm_ep_find_addr(ctx, addr);

	if (ep)
		return ep;
	if (ctx->n_eps == CXLFM_MAX_EPS)
		return NULL;
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return NULL;
	ep->ctx = ctx;
	ep->addr = addr;
	ep->eid = MCTP_EID_NULL;
	ctx->eps[ctx->n_eps++] = ep;
	return ep;
}

void cxlfm_ep_remove(struct cxlfm_ctx *ctx, struct cxlfm_ep *ep)
{
	for (size_t i = 0; i < ctx->n_eps; i++) {
		if (ctx->eps[i] != ep)
			continue;
		ctx->eps[i] = ctx->eps[--ctx->n_eps];
		free(ep);
		return;
	}
}

size_t cxlfm_ep_count(const struct cxlfm_ctx *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < ctx->n_eps; i++)
		n += ctx->eps[i]->eid != MCTP_EID_NULL;
	return n;
}

struct cxlfm_ep *cxlfm_ep_at(struct cxlfm_ctx *ctx, size_t i)
{
	for (size_t k = 0; k < ctx->n_eps; k++) {
		if (ctx->eps[k]->eid == MCTP_EID_NULL)
			continue;
		if (i-- == 0)
			return ctx->eps[k];
	}
	return NULL;
}

struct cxlfm_ep *cxlfm_ep_by_eid(struct cxlfm_ctx *ctx, uint8_t eid)
{
	if (eid == MCTP_EID_NULL)
		return NULL;
	for (size_t i = 0; i < ctx->n_eps; i++)
		if (ctx->eps[i]->eid == eid)
			return ctx->eps[i];
	return NULL;
}

uint8_t cxlfm_ep_addr(const struct cxlfm_ep *ep)
{
	return ep->addr;
}

uint8_t cxlfm_ep_eid(const struct cxlfm_ep *ep)
{
	return ep->eid;
}

bool cxlfm_ep_has_type(const struct cxlfm_ep *ep, uint8_t msg_type)
{
	return (ep->types[msg_type / 32] >> (msg_type % 32)) & 1u;
}

/* ---- transmit ---- */

static int send_frame(struct cxlfm_ctx *ctx, uint8_t dest, const uint8_t *pkt,
		      size_t len)
{
	uint8_t frame[FRAME_MAX];
	int n = mctp_i2c_encode(dest, ctx->own_addr, pkt, len, frame, sizeof(frame));

	if (n < 0)
		return n;
	if (send(ctx->fd, frame, (size_t)n, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

/* Send one MCTP message (type byte first) as packets of ctx->mtu. */
int cxlfm_send_msg(struct cxlfm_ctx *ctx, struct cxlfm_ep *ep, bool to, uint8_t tag,
		   const uint8_t *msg, size_t len)
{
	struct mctp_pktizer pz;
	uint8_t pkt[MCTP_HDR_LEN + MCTP_I2C_MTU_MAX];
	int n, err;

	err = mctp_pktizer_init(&pz, ep->eid, ctx->own_eid, to, tag, msg, len, ctx->mtu);
	if (err)
		return err;
	while ((n = mctp_pktizer_next(&pz, pkt, sizeof(pkt))) > 0) {
		err = send_frame(ctx, ep->addr, pkt, (size_t)n);
		if (err)
			return err;
	}
	return n;
}

/* ---- requests ---- */

struct cxlfm_req *cxlfm_req_alloc(struct cxlfm_ctx *ctx)
{
	for (size_t i = 0; i < CXLFM_MAX_PENDING; i++)
		if (ctx->req[i].state == REQ_FREE) {
			memset(&ctx->req[i], 0, offsetof(struct cxlfm_req, msg));
			ctx->req[i].state = REQ_BUILDING;
			return &ctx->req[i];
		}
	return NULL;
}

void cxlfm_req_abandon(struct cxlfm_req *r)
{
	r->state = REQ_FREE;
}

/*
 * A tag whose request timed out is retired while others are free, so its
 * late answer (if one comes) is recognised and counted as late instead of
 * being mistaken for the answer to a new request.
 */
static int tag_alloc(struct cxlfm_ep *ep)
{
	for (unsigned pass = 0; pass < 2; pass++)
		for (int t = 0; t < 8; t++) {
			uint8_t bit = (uint8_t)(1u << t);

			if ((ep->tags_busy & bit) || (pass == 0 && (ep->tags_late & bit)))
				continue;
			ep->tags_busy |= bit;
			ep->tags_late &= (uint8_t)~bit;
			return t;
		}
	return -EBUSY;
}

void cxlfm_req_finish(struct cxlfm_ctx *ctx, struct cxlfm_req *r, int rc,
		      const uint8_t *rsp, size_t len)
{
	enum req_state was = r->state;

	if (was == REQ_SENT && r->ep)
		r->ep->tags_busy &= (uint8_t)~(1u << r->mctp_tag);
	r->state = REQ_FREE;
	if (rc == -ETIMEDOUT)
		ctx->stats.timeouts++;
	if (rc < 0 && r->ep && r->msg_type != MCTP_MSG_CTRL)
		cxlfm_log(ctx, CXLFM_LOG_INFO, "ep 0x%02x eid 0x%02x tag %u: failed: %s",
			  r->ep->addr, r->ep->eid, r->mctp_tag, strerror(-rc));
	if (r->done)
		r->done(r->ep, rc, rsp, len, r->arg);
}

/*
 * One line per request: CCI and FM API commands (and raw messages) at INFO,
 * MCTP control (the probes of a discovery, one per address) at DEBUG.
 */
static void log_request(struct cxlfm_ctx *ctx, const struct cxlfm_req *r)
{
	const struct cxlfm_ep *ep = r->ep;

	if (!ctx->log_fn)
		return;
	if (r->msg_type == MCTP_MSG_CTRL) {
		cxlfm_log(ctx, CXLFM_LOG_DEBUG, "ep 0x%02x eid 0x%02x tag %u: MCTP control 0x%02x",
			  ep->addr, ep->eid, r->mctp_tag, r->ctrl_cmd);
	} else if (r->msg_done) {
		cxlfm_log(ctx, CXLFM_LOG_INFO, "ep 0x%02x eid 0x%02x tag %u: message type 0x%02x, %zu bytes",
			  ep->addr, ep->eid, r->mctp_tag, r->msg_type, r->msg_len);
	} else {
		const char *name = cxlfm_opcode_name(r->opcode[0]);

		cxlfm_log(ctx, CXLFM_LOG_INFO,
			  "ep 0x%02x eid 0x%02x tag %u: op 0x%04x %s, cci tag %u%s%s",
			  ep->addr, ep->eid, r->mctp_tag, r->opcode[0], name ? name : "(vendor)",
			  r->cci_tag[0], r->levels ? ", tunnelled" : "",
			  r->levels > 1 ? " twice" : "");
	}
}

static int req_transmit(struct cxlfm_ctx *ctx, struct cxlfm_req *r)
{
	int tag = tag_alloc(r->ep);
	int err;

	if (tag < 0)
		return 0; /* stays queued until a tag frees */
	r->mctp_tag = (uint8_t)tag;
	r->state = REQ_SENT;
	r->deadline_ns = now_ns() + (uint64_t)ctx->timeout_ms * 1000000u;
	log_request(ctx, r);
	err = cxlfm_send_msg(ctx, r->ep, true, r->mctp_tag, r->msg, r->msg_len);
	if (err) {
		cxlfm_req_finish(ctx, r, err, NULL, 0);
		return err;
	}
	ctx->stats.requests++;
	return 0;
}

/* Transmit queued requests whose endpoint has a free tag again. */
static void flush_queue(struct cxlfm_ctx *ctx)
{
	for (size_t i = 0; i < CXLFM_MAX_PENDING; i++)
		if (ctx->req[i].state == REQ_QUEUED && ctx->req[i].ep->tags_busy != 0xff)
			req_transmit(ctx, &ctx->req[i]);
}

int cxlfm_req_start(struct cxlfm_req *r, struct cxlfm_ep *ep,
		    cxlfm_match_fn match, cxlfm_done_fn done, void *arg)
{
	r->ep = ep;
	r->match = match;
	r->done = done;
	r->arg = arg;
	r->state = REQ_QUEUED;
	return req_transmit(ep->ctx, r);
}

/* ---- receive ---- */

static void handle_nack(struct cxlfm_ctx *ctx, uint8_t addr)
{
	ctx->stats.nacks++;
	cxlfm_log(ctx, CXLFM_LOG_DEBUG, "bus: address 0x%02x did not acknowledge", addr);
	for (size_t i = 0; i < CXLFM_MAX_PENDING; i++) {
		struct cxlfm_req *r = &ctx->req[i];

		if (r->state >= REQ_QUEUED && r->ep->addr == addr)
			cxlfm_req_finish(ctx, r, -EHOSTUNREACH, NULL, 0);
	}
}

static void handle_msg(struct cxlfm_ctx *ctx, uint8_t src_addr,
		       const struct mctp_msg *m)
{
	struct cxlfm_ep *ep;

	if (m->to && ctx->req_fn) {
		/* A request from another controller (cxlfm_set_request_handler). */
		struct cxlfm_msg_in in = {
			.src_addr = src_addr, .src_eid = m->src, .dest_eid = m->dest,
			.tag = m->tag, .to = true, .msg_type = m->data[0],
			.msg = m->data + 1, .len = m->len - 1,
		};

		ctx->req_fn(ctx, 0, &in, ctx->req_arg);
		return;
	}
	for (size_t i = 0; i < CXLFM_MAX_PENDING; i++) {
		struct cxlfm_req *r = &ctx->req[i];
		int rc;

		if (r->state != REQ_SENT || r->ep->addr != src_addr ||
		    r->mctp_tag != m->tag || m->to)
			continue;
		const uint8_t *pl = NULL;
		size_t pl_len = 0;

		rc = r->match(ctx, r, m->data, m->len, &pl, &pl_len);
		if (rc == CXLFM_NO_MATCH)
			break;
		r->ep->tags_late &= (uint8_t)~(1u << m->tag);
		ctx->stats.responses++;
		cxlfm_req_finish(ctx, r, rc, pl, pl_len);
		return;
	}
	ep = cxlfm_ep_find_addr(ctx, src_addr);
	if (ep && !m->to && (ep->tags_late & (1u << m->tag))) {
		/* The answer to a request that timed out on this tag. */
		ep->tags_late &= (uint8_t)~(1u << m->tag);
		ctx->stats.dropped_late++;
		cxlfm_log(ctx, CXLFM_LOG_NOTICE, "ep 0x%02x tag %u: late response dropped", src_addr, m->tag);
		return;
	}
	ctx->stats.dropped_mismatch++;
	cxlfm_log(ctx, CXLFM_LOG_NOTICE, "ep 0x%02x tag %u: response matches no request, dropped",
		  src_addr, m->tag);
}

static void handle_frame(struct cxlfm_ctx *ctx, const uint8_t *buf, size_t len)
{
	struct mctp_i2c_frame f;
	struct mctp_msg m;
	int rc;

	if (len == 2 && buf[0] == BUS_NACK) {
		handle_nack(ctx, buf[1]);
		return;
	}
	rc = mctp_i2c_decode(buf, len, &f);
	if (rc < 0 || f.dest != ctx->own_addr) {
		ctx->stats.dropped_malformed++;
		cxlfm_log(ctx, CXLFM_LOG_NOTICE, "bus: %zu-byte frame dropped (%s)", len,
			  rc < 0 ? strerror(-rc) : "not for us");
		return;
	}
	rc = mctp_reasm_rx(&ctx->reasm, f.src, f.pkt, f.pkt_len, now_ns(), &m);
	if (rc < 0) {
		ctx->stats.dropped_malformed++;
		cxlfm_log(ctx, CXLFM_LOG_NOTICE, "ep 0x%02x: packet dropped (%s)", f.src, strerror(-rc));
		return;
	}
	if (rc == 1)
		handle_msg(ctx, f.src, &m);
}

static void expire(struct cxlfm_ctx *ctx, uint64_t now)
{
	for (size_t i = 0; i < CXLFM_MAX_PENDING; i++) {
		struct cxlfm_req *r = &ctx->req[i];

		if (r->state == REQ_SENT && now >= r->deadline_ns) {
			cxlfm_log(ctx, CXLFM_LOG_NOTICE, "ep 0x%02x tag %u: request timed out",
				  r->ep->addr, r->mctp_tag);
			r->ep->tags_late |= (uint8_t)(1u << r->mctp_tag);
			/* The tag stays retired (tag_alloc) while others are
			 * free; if it must be reused, a new request on it is
			 * still told apart by its CCI tag and opcode. */
			cxlfm_req_finish(ctx, r, -ETIMEDOUT, NULL, 0);
		}
	}
	mctp_reasm_tick(&ctx->reasm, now);
}

static int next_timeout_ms(const struct cxlfm_ctx *ctx, uint64_t now, int cap)
{
	uint64_t first = UINT64_MAX;
	uint64_t ms;

	for (size_t i = 0; i < CXLFM_MAX_PENDING; i++)
		if (ctx->req[i].state == REQ_SENT && ctx->req[i].deadline_ns < first)
			first = ctx->req[i].deadline_ns;
	if (first == UINT64_MAX)
		return cap;
	ms = first <= now ? 0 : (first - now + 999999) / 1000000;
	if (cap >= 0 && ms > (uint64_t)cap)
		return cap;
	return (int)ms;
}

static void fail_all(struct cxlfm_ctx *ctx, int err)
{
	for (size_t i = 0; i < CXLFM_MAX_PENDING; i++)
		if (ctx->req[i].state >= REQ_QUEUED)
			cxlfm_req_finish(ctx, &ctx->req[i], err, NULL, 0);
}

/*
 * Handle the frames waiting, RX_BATCH per system call. With wait, block
 * until the first arrives or SO_RCVTIMEO passes. Returns the frames read
 * (RX_BATCH: there may be more), 0 for none, or -errno when the bus is gone.
 */
static int rx_batch(struct cxlfm_ctx *ctx, bool wait)
{
	uint8_t buf[RX_BATCH][FRAME_MAX];
	struct iovec iov[RX_BATCH];
	struct mmsghdr mm[RX_BATCH];
	int n;

	for (int i = 0; i < RX_BATCH; i++) {
		iov[i] = (struct iovec){ .iov_base = buf[i], .iov_len = sizeof(buf[i]) };
		mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	n = recvmmsg(ctx->fd, mm, RX_BATCH, wait ? MSG_WAITFORONE : MSG_DONTWAIT, NULL);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		if (!mm[i].msg_len) /* end of file */
			return -ECONNRESET;
		handle_frame(ctx, buf[i], mm[i].msg_len);
	}
	return n;
}

int cxlfm_process(struct cxlfm_ctx *ctx, int timeout_ms)
{
	uint64_t before = ctx->stats.responses + ctx->stats.timeouts + ctx->stats.nacks;
	int wait = next_timeout_ms(ctx, now_ns(), timeout_ms);
	int n;

	if (timeout_ms < 0 && ctx->rcvtimeo_ms && (wait < 0 || wait >= (int)ctx->rcvtimeo_ms)) {
		/*
		 * Waiting for a request just sent (cxlfm_cmd): block in the
		 * receive itself, bounded by SO_RCVTIMEO, which cannot pass
		 * the first deadline. One system call per response instead of
		 * poll() plus a receive until EAGAIN (docs/performance.md).
		 */
		n = rx_batch(ctx, true);
	} else {
		struct pollfd pfd = { .fd = ctx->fd, .events = POLLIN };

		n = poll(&pfd, 1, wait);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0 && (pfd.revents & (POLLHUP | POLLERR)) && !(pfd.revents & POLLIN))
			n = -ECONNRESET;
		else if (n > 0)
			n = rx_batch(ctx, false);
		else
			n = 0;
	}
	while (n == RX_BATCH)
		n = rx_batch(ctx, false);
	if (n < 0) {
		/* The bus is gone: every request ends now, none waits on a
		 * dead socket (and no caller's frame is left behind). */
		fail_all(ctx, n);
		return n;
	}
	expire(ctx, now_ns());
	flush_queue(ctx);
	return (int)(ctx->stats.responses + ctx->stats.timeouts + ctx->stats.nacks - before);
}

struct sync_result {
	bool done;
	int rc;
	uint8_t *out;
	size_t out_max;
	size_t *out_len;
};

static void sync_done(struct cxlfm_ep *ep, int rc, const uint8_t *rsp, size_t len,
		      void *arg)
{
	struct sync_result *s = arg;

	(void)ep;
	s->done = true;
	s->rc = rc;
	if (s->out_len)
		*s->out_len = 0;
	if (rc < 0 || !rsp)
		return;
	if (len > s->out_max) {
		if (s->out) {
			s->rc = -EMSGSIZE;
			return;
		}
		len = 0;
	}
	if (s->out && len)
		memcpy(s->out, rsp, len);
	if (s->out_len)
		*s->out_len = len;
}

int cxlfm_wait(struct cxlfm_ctx *ctx, const bool *done)
{
	while (!*done) {
		int err = cxlfm_process(ctx, -1);

		if (err < 0 && !*done)
			return err;
	}
	return 0;
}

int cxlfm_req_run(struct cxlfm_req *r, struct cxlfm_ep *ep, cxlfm_match_fn match,
		  void *out, size_t out_max, size_t *out_len)
{
	struct sync_result s = { .out = out, .out_max = out_max, .out_len = out_len };
	int err = cxlfm_req_start(r, ep, match, sync_done, &s);

	if (err)
		return err;
	err = cxlfm_wait(ep->ctx, &s.done);
	/* The wait failed before the request completed: end it here, its
	 * completion points into this frame. */
	if (err && !s.done)
		cxlfm_req_finish(ep->ctx, r, err, NULL, 0);
	return s.rc;
}
