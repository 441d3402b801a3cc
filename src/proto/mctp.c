/* SPDX-License-Identifier: MIT */
#include "proto/mctp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Transport header byte 3 (DSP0236 "MCTP packet fields"). */
#define HDR_SOM 0x80u
#define HDR_EOM 0x40u
#define HDR_SEQ_SHIFT 4
#define HDR_TO 0x08u
#define HDR_TAG_MASK 0x07u
#define HDR_VER_MASK 0x0fu

int mctp_hdr_encode(const struct mctp_hdr *h, uint8_t *buf, size_t len)
{
	if (len < MCTP_HDR_LEN)
		return -EMSGSIZE;
	if (h->ver > HDR_VER_MASK || h->seq > MCTP_SEQ_MASK || h->tag > MCTP_TAG_MAX)
		return -EINVAL;
	buf[0] = h->ver;
	buf[1] = h->dest;
	buf[2] = h->src;
	buf[3] = (uint8_t)((h->som ? HDR_SOM : 0) | (h->eom ? HDR_EOM : 0) |
			   (unsigned)h->seq << HDR_SEQ_SHIFT |
			   (h->to ? HDR_TO : 0) | h->tag);
	return (int)MCTP_HDR_LEN;
}

int mctp_hdr_decode(const uint8_t *buf, size_t len, struct mctp_hdr *h)
{
	if (len < MCTP_HDR_LEN)
		return -EMSGSIZE;
	h->ver = buf[0] & HDR_VER_MASK;
	h->dest = buf[1];
	h->src = buf[2];
	h->som = buf[3] & HDR_SOM;
	h->eom = buf[3] & HDR_EOM;
	h->seq = (uint8_t)(buf[3] >> HDR_SEQ_SHIFT & MCTP_SEQ_MASK);
	h->to = buf[3] & HDR_TO;
	h->tag = buf[3] & HDR_TAG_MASK;
	return h->ver == MCTP_HDR_VERSION ? 0 : -EPROTO;
}

/* ---- packetiser ---- */

int mctp_pktizer_init(struct mctp_pktizer *p, uint8_t dest, uint8_t src,
		      bool to, uint8_t tag, const uint8_t *msg, size_t len,
		      size_t mtu)
{
	if (!msg || !len || mtu < MCTP_BTU || mtu > MCTP_MTU_MAX ||
	    tag > MCTP_TAG_MAX)
		return -EINVAL;
	*p = (struct mctp_pktizer){ .msg = msg, .len = len, .mtu = mtu,
				    .dest = dest, .src = src, .tag = tag,
				    .to = to };
	return 0;
}

int mctp_pktizer_next(struct mctp_pktizer *p, uint8_t *buf, size_t len)
{
	size_t n = p->len - p->off;
	struct mctp_hdr h;

	if (p->off >= p->len)
		return 0;
	if (n > p->mtu)
		n = p->mtu;
	if (len < MCTP_HDR_LEN + n)
		return -EMSGSIZE;
	h = (struct mctp_hdr){ .ver = MCTP_HDR_VERSION, .dest = p->dest,
			       .src = p->src, .som = p->off == 0,
			       .eom = p->off + n == p->len, .to = p->to,
			       .seq = p->seq, .tag = p->tag };
	(void)mctp_hdr_encode(&h, buf, len); /* fields valid by construction */
	memcpy(buf + MCTP_HDR_LEN, p->msg + p->off, n);
	p->off += n;
	p->seq = (uint8_t)((p->seq + 1) & MCTP_SEQ_MASK);
	return (int)(MCTP_HDR_LEN + n);
}

/* ---- reassembler ---- */

/*
 * One message being reassembled. Keyed on (source, src, tag, to): DSP0236
 * lets one source have up to 8 tags outstanding per tag-owner direction,
 * and the TO bit tells a request's tag space from a response's.
 */
struct mctp_reasm_ctx {
	uint8_t *buf;     /* cfg.max_msg bytes in r->pool */
	size_t len;       /* bytes collected */
	size_t tu;        /* payload size of the SOM packet */
	uint64_t last_ns; /* when the last packet was accepted */
	uint64_t stamp;   /* r->stamp then */
	unsigned source;
	uint8_t src, dest, tag;
	uint8_t next_seq;
	bool to;
	bool busy;
};

static const char *const drop_names[MCTP_DROP__COUNT] = {
	[MCTP_DROP_SHORT] = "short",
	[MCTP_DROP_BAD_VERSION] = "bad-version",
	[MCTP_DROP_NO_SOM] = "no-som",
	[MCTP_DROP_BAD_SEQ] = "bad-seq",
	[MCTP_DROP_BAD_TU] = "bad-tu",
	[MCTP_DROP_OVERSIZE] = "oversize",
	[MCTP_DROP_BUSY] = "busy",
	[MCTP_DROP_SOM_RESTART] = "som-restart",
	[MCTP_DROP_TIMEOUT] = "timeout",
	[MCTP_DROP_EVICTED] = "evicted",
};

const char *mctp_drop_reason_name(enum mctp_drop_reason r)
{
	if ((unsigned)r >= MCTP_DROP__COUNT)
		return "unknown";
	return drop_names[r];
}

int mctp_reasm_init(struct mctp_reasm *r, const struct mctp_reasm_cfg *cfg)
{
	size_t bytes;

	memset(r, 0, sizeof(*r));
	if (!cfg || !cfg->max_msg || !cfg->nctx)
		return -EINVAL;
	if (__builtin_mul_overflow(cfg->max_msg, (size_t)cfg->nctx, &bytes))
		return -ENOMEM;
	r->ctx = calloc(cfg->nctx, sizeof(*r->ctx));
	/* malloc, not calloc: buffers are always written before being read */
	r->pool = malloc(bytes);
	if (!r->ctx || !r->pool) {
		mctp_reasm_fini(r);
		return -ENOMEM;
	}
	r->cfg = *cfg;
	if (!r->cfg.max_per_source || r->cfg.max_per_source > cfg->nctx)
		r->cfg.max_per_source = cfg->nctx;
	for (unsigned i = 0; i < cfg->nctx; i++)
		r->ctx[i].buf = r->pool + (size_t)i * cfg->max_msg;
	return 0;
}

void mctp_reasm_fini(struct mctp_reasm *r)
{
	free(r->ctx);
	free(r->pool);
	memset(r, 0, sizeof(*r));
}

static int drop(struct mctp_reasm *r, enum mctp_drop_reason why, int err)
{
	r->stats.drops[why]++;
	return err;
}

static void ctx_release(struct mctp_reasm *r, struct mctp_reasm_ctx *c)
{
	c->busy = false;
	r->nopen--;
}

/* Released with a counted reason: the partial message is lost. */
static void ctx_drop(struct mctp_reasm *r, struct mctp_reasm_ctx *c,
		     enum mctp_drop_reason why)
{
	ctx_release(r, c);
	r->stats.drops[why]++;
}

static bool ctx_stale(const struct mctp_reasm *r,
		      const struct mctp_reasm_ctx *c, uint64_t now_ns)
{
	/* a clock that went backwards never expires anything */
	return r->cfg.timeout_ns && now_ns > c->last_ns &&
	       now_ns - c->last_ns > r->cfg.timeout_ns;
}

void mctp_reasm_tick(struct mctp_reasm *r, uint64_t now_ns)
{
	for (unsigned i = 0; i < r->cfg.nctx && r->nopen; i++) {
		struct mctp_reasm_ctx *c = &r->ctx[i];

		if (c->busy && ctx_stale(r, c, now_ns))
			ctx_drop(r, c, MCTP_DROP_TIMEOUT);
	}
}

/*
 * One pass over the contexts: expire stale ones (so a caller that ticks
 * rarely still gets timeouts right, and their slots are free again), return
 * the open context for the key, and remember a free slot in *freep.
 */
static struct mctp_reasm_ctx *ctx_lookup(struct mctp_reasm *r, unsigned source,
					 const struct mctp_hdr *h,
					 uint64_t now_ns,
					 struct mctp_reasm_ctx **freep)
{
	struct mctp_reasm_ctx *found = NULL;

	*freep = NULL;
	for (unsigned i = 0; i < r->cfg.nctx; i++) {
		struct mctp_reasm_ctx *c = &r->ctx[i];

		if (c->busy && ctx_stale(r, c, now_ns))
			ctx_drop(r, c, MCTP_DROP_TIMEOUT);
		if (!c->busy) {
			if (!*freep)
				*freep = c;
		} else if (c->source == source && c->src == h->src && c->tag == h->tag &&
			   c->to == h->to) {
			found = c;
		}
	}
	return found;
}

/* Open contexts of source, and its least recently fed one. */
static unsigned ctx_count(const struct mctp_reasm *r, unsigned source,
			  struct mctp_reasm_ctx **oldest)
{
	unsigned n = 0;

	*oldest = NULL;
	for (unsigned i = 0; i < r->cfg.nctx; i++) {
		struct mctp_reasm_ctx *c = &r->ctx[i];

		if (!c->busy || c->source != source)
			continue;
		n++;
		if (!*oldest || c->stamp < (*oldest)->stamp)
			*oldest = c;
	}
	return n;
}

/*
 * A context for a new message from source when there is no free one (or
 * the source is at its limit): the source's own oldest message if it is at
 * cfg.max_per_source, else the oldest message of the source holding the
 * most, if that is at least two more than this source holds (one more
 * would only swap their places). NULL: every source has its fair share.
 */
static struct mctp_reasm_ctx *ctx_evict(struct mctp_reasm *r, unsigned source,
					struct mctp_reasm_ctx *spare)
{
	struct mctp_reasm_ctx *victim, *c;
	unsigned mine = ctx_count(r, source, &victim), most = 0;

	if (mine >= r->cfg.max_per_source)
		goto evict;
	if (spare)
		return spare;
	victim = NULL;
	for (unsigned i = 0; i < r->cfg.nctx; i++) {
		unsigned n;

		if (!r->ctx[i].busy)
			continue;
		n = ctx_count(r, r->ctx[i].source, &c);
		if (!victim || n > most || (n == most && c->stamp < victim->stamp)) {
			most = n;
			victim = c;
		}
	}
	if (most < mine + 2)
		return NULL;
evict:
	ctx_drop(r, victim, MCTP_DROP_EVICTED);
	return victim;
}

int mctp_reasm_rx(struct mctp_reasm *r, unsigned source, const uint8_t *pkt, size_t len,
		  uint64_t now_ns, struct mctp_msg *out)
{
	struct mctp_reasm_ctx *c = NULL, *spare = NULL;
	const uint8_t *pl;
	struct mctp_hdr h;
	size_t n;
	int rc;

	if (!r->ctx)
		return -EINVAL; /* not initialised */
	r->stats.rx_pkts++;
	/* every packet carries payload: a SOM packet at least the type byte */
	if (len <= MCTP_HDR_LEN)
		return drop(r, MCTP_DROP_SHORT, -EMSGSIZE);
	rc = mctp_hdr_decode(pkt, len, &h);
	if (rc == -EPROTO)
		return drop(r, MCTP_DROP_BAD_VERSION, -EPROTO);
	pl = pkt + MCTP_HDR_LEN;
	n = len - MCTP_HDR_LEN;

	if (r->nopen)
		c = ctx_lookup(r, source, &h, now_ns, &spare);

	if (h.som) {
		/* DSP0236: a SOM for a key already being assembled ends the
		 * old message; the new one starts from this packet. */
		if (c) {
			ctx_drop(r, c, MCTP_DROP_SOM_RESTART);
			spare = c;
		}
		if (n > r->cfg.max_msg)
			return drop(r, MCTP_DROP_OVERSIZE, -EFBIG);
		if (h.eom) {
			/* fast path: one packet, no copy */
			*out = (struct mctp_msg){ .src = h.src, .dest = h.dest,
						  .tag = h.tag, .to = h.to,
						  .data = pl, .len = n };
			r->stats.rx_msgs++;
			return 1;
		}
		if (!r->nopen)
			spare = &r->ctx[0];
		else
			spare = ctx_evict(r, source, spare);
		if (!spare)
			return drop(r, MCTP_DROP_BUSY, -EBUSY);
		c = spare;
		c->busy = true;
		r->nopen++;
		c->source = source;
		c->stamp = ++r->stamp;
		c->src = h.src;
		c->dest = h.dest;
		c->tag = h.tag;
		c->to = h.to;
		c->tu = n;
		c->len = n;
		c->next_seq = (uint8_t)((h.seq + 1) & MCTP_SEQ_MASK);
		c->last_ns = now_ns;
		memcpy(c->buf, pl, n);
		return 0;
	}

	if (!c)
		return drop(r, MCTP_DROP_NO_SOM, -ENOENT);
	if (h.seq != c->next_seq) {
		ctx_drop(r, c, MCTP_DROP_BAD_SEQ);
		return -EILSEQ;
	}
	/* All packets but the last carry the SOM packet's payload size; the
	 * last may be shorter ("incorrect transmission unit" otherwise). */
	if (h.eom ? n > c->tu : n != c->tu) {
		ctx_drop(r, c, MCTP_DROP_BAD_TU);
		return -EBADMSG;
	}
	if (n > r->cfg.max_msg - c->len) {
		ctx_drop(r, c, MCTP_DROP_OVERSIZE);
		return -EFBIG;
	}
	memcpy(c->buf + c->len, pl, n);
	c->len += n;
	c->next_seq = (uint8_t)((c->next_seq + 1) & MCTP_SEQ_MASK);
	c->last_ns = now_ns;
	c->stamp = ++r->stamp;
	if (!h.eom)
		return 0;

	*out = (struct mctp_msg){ .src = c->src, .dest = c->dest, .tag = c->tag,
				  .to = c->to, .data = c->buf, .len = c->len };
	/* the slot is free, its buffer stays intact until the next SOM */
	ctx_release(r, c);
	r->stats.rx_msgs++;
	return 1;
}
