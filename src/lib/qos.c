/* SPDX-License-Identifier: MIT */
/*
 * Typed MLD QoS calls (include/cxlfm/qos.h). Each encodes its request with
 * explicit stores, runs it with cxlfm_cmd() and hands the answer to a
 * decoder that checks its length (and, for the per-LD lists, that it
 * answers the LDs asked about) before it reads a byte.
 */
#include "cxlfm/qos.h"

#include <errno.h>
#include <string.h>

#include "lib/private.h"
#include "proto/commands.h"
#include "proto/le.h"

typedef int (*decode_fn)(const void *req, const uint8_t *p, size_t len, void *rsp);

/* cxlfm_query, the answer checked and dropped when the caller wants none (rsp NULL). */
static int query(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t op,
		 const void *in, size_t in_len, const void *req, decode_fn dec, void *rsp)
{
	union {
		struct cxlfm_qos_control c;
		struct cxlfm_get_qos_status_rsp s;
		struct cxlfm_qos_fractions f;
	} scratch;

	return cxlfm_query(ep, tun, op, in, in_len, req, dec, rsp ? rsp : &scratch);
}

/* Table 7-50, 7 bytes. */
static int dec_qos_control(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_qos_control *r = out;

	(void)req;
	if (len != CXL_OUT_GET_QOS_CONTROL)
		return -EBADMSG;
	r->control = p[0];
	r->moderate_pct = p[1];
	r->severe_pct = p[2];
	r->sample_interval = p[3];
	r->reqcmp_basis = le16_get(p + 4);
	r->completion_interval = p[6];
	return 0;
}

int cxlfm_cmd_get_qos_control(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      struct cxlfm_qos_control *rsp)
{
	return query(ep, tun, CXLFM_OP_GET_QOS_CONTROL, NULL, 0, NULL, dec_qos_control, rsp);
}

int cxlfm_cmd_set_qos_control(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      const struct cxlfm_qos_control *req, struct cxlfm_qos_control *rsp)
{
	uint8_t in[CXL_IN_SET_QOS_CONTROL] = {
		req->control, req->moderate_pct, req->severe_pct, req->sample_interval,
		0, 0, req->completion_interval,
	};

	le16_put(in + 4, req->reqcmp_basis);
	return query(ep, tun, CXLFM_OP_SET_QOS_CONTROL, in, sizeof(in), NULL, dec_qos_control,
		     rsp);
}

static int dec_qos_status(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_get_qos_status_rsp *r = out;

	(void)req;
	if (len != CXL_OUT_GET_QOS_STATUS)
		return -EBADMSG;
	r->backpressure_pct = p[0];
	return 0;
}

int cxlfm_cmd_get_qos_status(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			     struct cxlfm_get_qos_status_rsp *rsp)
{
	return query(ep, tun, CXLFM_OP_GET_QOS_STATUS, NULL, 0, NULL, dec_qos_status, rsp);
}

/* Tables 7-53, 7-54, 7-56, 7-57: n, start, n fractions, answering (n, start). */
static int fractions(uint8_t n, uint8_t start, const uint8_t *p, size_t len,
		     struct cxlfm_qos_fractions *r)
{
	if (len < 2 || p[0] != n || p[1] != start || n > CXLFM_LD_MAX || len != 2 + (size_t)n)
		return -EBADMSG;
	r->num_lds = n;
	r->start_ld = start;
	memset(r->fraction, 0, sizeof(r->fraction));
	memcpy(r->fraction, p + 2, n);
	return 0;
}

static int dec_get_fractions(const void *in, const uint8_t *p, size_t len, void *out)
{
	const struct cxlfm_qos_lds_req *req = in;

	return fractions(req->num_lds, req->start_ld, p, len, out);
}

static int dec_set_fractions(const void *in, const uint8_t *p, size_t len, void *out)
{
	const struct cxlfm_qos_fractions *req = in;

	return fractions(req->num_lds, req->start_ld, p, len, out);
}

static int get_fractions(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t op,
			 const struct cxlfm_qos_lds_req *req, struct cxlfm_qos_fractions *rsp)
{
	uint8_t in[2] = { req->num_lds, req->start_ld };

	if (!req->num_lds || req->num_lds > CXLFM_LD_MAX)
		return -EINVAL;
	return query(ep, tun, op, in, sizeof(in), req, dec_get_fractions, rsp);
}

static int set_fractions(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t op,
			 const struct cxlfm_qos_fractions *req, struct cxlfm_qos_fractions *rsp)
{
	uint8_t in[2 + CXLFM_LD_MAX];

	if (!req->num_lds || req->num_lds > CXLFM_LD_MAX)
		return -EINVAL;
	in[0] = req->num_lds;
	in[1] = req->start_ld;
	memcpy(in + 2, req->fraction, req->num_lds);
	return query(ep, tun, op, in, 2 + (size_t)req->num_lds, req, dec_set_fractions, rsp);
}

int cxlfm_cmd_get_qos_allocated_bw(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				   const struct cxlfm_qos_lds_req *req,
				   struct cxlfm_qos_fractions *rsp)
{
	return get_fractions(ep, tun, CXLFM_OP_GET_QOS_ALLOCATED_BW, req, rsp);
}

int cxlfm_cmd_set_qos_allocated_bw(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				   const struct cxlfm_qos_fractions *req,
				   struct cxlfm_qos_fractions *rsp)
{
	return set_fractions(ep, tun, CXLFM_OP_SET_QOS_ALLOCATED_BW, req, rsp);
}

int cxlfm_cmd_get_qos_bw_limit(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			       const struct cxlfm_qos_lds_req *req,
			       struct cxlfm_qos_fractions *rsp)
{
	return get_fractions(ep, tun, CXLFM_OP_GET_QOS_BW_LIMIT, req, rsp);
}

int cxlfm_cmd_set_qos_bw_limit(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			       const struct cxlfm_qos_fractions *req,
			       struct cxlfm_qos_fractions *rsp)
{
	return set_fractions(ep, tun, CXLFM_OP_SET_QOS_BW_LIMIT, req, rsp);
}

/* ---- the decoders as a table, for tests and the fuzz target (lib/private.h) ---- */

#define DEC(op, req_t, rsp_t, fn) { op, sizeof(req_t), sizeof(rsp_t), fn }
typedef uint8_t no_req;

static const struct cxlfm_decoder decoders[] = {
	DEC(CXLFM_OP_GET_QOS_CONTROL, no_req, struct cxlfm_qos_control, dec_qos_control),
	DEC(CXLFM_OP_SET_QOS_CONTROL, no_req, struct cxlfm_qos_control, dec_qos_control),
	DEC(CXLFM_OP_GET_QOS_STATUS, no_req, struct cxlfm_get_qos_status_rsp, dec_qos_status),
	DEC(CXLFM_OP_GET_QOS_ALLOCATED_BW, struct cxlfm_qos_lds_req, struct cxlfm_qos_fractions,
	    dec_get_fractions),
	DEC(CXLFM_OP_SET_QOS_ALLOCATED_BW, struct cxlfm_qos_fractions,
	    struct cxlfm_qos_fractions, dec_set_fractions),
	DEC(CXLFM_OP_GET_QOS_BW_LIMIT, struct cxlfm_qos_lds_req, struct cxlfm_qos_fractions,
	    dec_get_fractions),
	DEC(CXLFM_OP_SET_QOS_BW_LIMIT, struct cxlfm_qos_fractions, struct cxlfm_qos_fractions,
	    dec_set_fractions),
};

const struct cxlfm_decoder *cxlfm_qos_decoder_at(size_t i)
{
	return i < sizeof(decoders) / sizeof(decoders[0]) ? &decoders[i] : NULL;
}
