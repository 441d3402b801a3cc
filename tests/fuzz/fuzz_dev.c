/* SPDX-License-Identifier: MIT */
#include "fuzz_dev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/dcd.h"
#include "dev/events.h"
#include "dev/t3.h"
#include "dev/tunnel.h"
#include "fuzz.h"
#include "proto/le.h"
#include "util/log.h"

#define FZ_HDR 6u

uint8_t fz_byte(struct fz_in *in)
{
	uint8_t b;

	if (!in->n)
		return 0;
	b = in->p[0];
	in->p++;
	in->n--;
	return b;
}

bool fz_next_msg(struct fz_in *in, struct fz_msg *m)
{
	size_t len;

	if (in->n < FZ_HDR)
		return false;
	m->sel = in->p[0];
	m->adv = in->p[1];
	m->op = le16_get(in->p + 2);
	len = le16_get(in->p + 4);
	in->p += FZ_HDR;
	in->n -= FZ_HDR;
	if (len > in->n)
		len = in->n;
	m->pl = in->p;
	m->len = len;
	in->p += len;
	in->n -= len;
	return true;
}

static void drop_log(enum log_level lvl, const char *msg, void *arg)
{
	(void)lvl;
	(void)arg;
	assert(msg && strlen(msg) < 1024);
}

void fz_logs_formatted(void)
{
	log_set_sink(drop_log, NULL);
	log_set_level(LOG_LVL_DEBUG);
}

static uint64_t fz_now;

static uint64_t fz_now_ns(void *arg)
{
	(void)arg;
	return fz_now;
}

const struct cci_clock fz_clock = { .now_ns = fz_now_ns };

void fz_advance(uint8_t adv)
{
	fz_now += (uint64_t)adv * adv * 100000u;
}

static uint8_t log2_of(size_t v)
{
	uint8_t n = 0;

	while ((size_t)1 << (n + 1) <= v)
		n++;
	return n;
}

/* A tunnel response (CXL r3.1 Table 7-38) around the inner request req. */
static void check_tunnel(const uint8_t *req, size_t req_len, const uint8_t *out,
			 size_t out_len)
{
	struct cci_hdr h;
	const uint8_t *pl;

	assert(req_len >= CCI_TUNNEL_HDR_LEN + CCI_HDR_LEN);
	assert(out_len >= CCI_TUNNEL_HDR_LEN + CCI_HDR_LEN);
	assert(le16_get(out) == out_len - CCI_TUNNEL_HDR_LEN);
	assert(cci_msg_decode(out + CCI_TUNNEL_HDR_LEN, out_len - CCI_TUNNEL_HDR_LEN, &h,
			      &pl) == 0);
	assert(h.category == CCI_CAT_RSP);
	assert(h.tag == req[CCI_TUNNEL_HDR_LEN + 1]);
	assert(h.opcode == le16_get(req + CCI_TUNNEL_HDR_LEN + 3));
	assert(cxl_rc_valid(h.rc));
	assert(h.bg == (h.rc == CXL_RC_BG_STARTED));
	if (h.rc != CXL_RC_SUCCESS && h.rc != CXL_RC_BG_STARTED)
		assert(h.pl_len == 0);
	(void)pl;
}

/*
 * The dispatcher's contract for one call: cmd is the table entry before
 * the call, max the response limit then, busy whether a background
 * operation was (still) running.
 */
static void check_call(const struct cci *cci, const struct cci_cmd *cmd, uint16_t op,
		       const uint8_t *in, size_t in_len, size_t max, bool busy, uint16_t rc,
		       const uint8_t *out, size_t out_len)
{
	assert(cxl_rc_valid(rc));
	if (!cmd || !cmd->handler) {
		assert(rc == CXL_RC_UNSUPPORTED);
	} else if (in_len > max || !cxl_cmd_in_len_ok(cmd->info, in_len)) {
		assert(rc == CXL_RC_INVALID_PAYLOAD_LENGTH);
	} else if ((cmd->info->effects & CCI_EFF_BACKGROUND_OPERATION) && busy) {
		assert(rc == CXL_RC_BUSY);
	}
	if (rc == CXL_RC_BUSY)
		assert(cmd && (cmd->info->effects & CCI_EFF_BACKGROUND_OPERATION) && busy);
	if (rc == CXL_RC_BG_STARTED) {
		assert(cmd && (cmd->info->effects & CCI_EFF_BACKGROUND_OPERATION));
		assert(cci->bg.running && cci->bg.opcode == op);
	}
	if (rc != CXL_RC_SUCCESS && rc != CXL_RC_BG_STARTED)
		assert(out_len == 0);
	assert(out_len <= max);
	if (rc != CXL_RC_SUCCESS)
		return;
	switch (op) {
	case CCI_OP_IDENTIFY:
		assert(out_len == 18 && out[16] == log2_of(max));
		break;
	case CCI_OP_BG_OP_STATUS:
		assert(out_len == 8);
		break;
	case CCI_OP_GET_LOG:
		assert(out_len <= le32_get(in + 20));
		break;
	case CCI_OP_TUNNEL_MGMT:
		check_tunnel(in, in_len, out, out_len);
		break;
	default:
		break;
	}
}

static bool bg_busy(const struct cci *cci)
{
	return cci->bg.running && cci_bg_remaining_ns(cci) != 0;
}

static uint16_t run_payload(struct cci *cci, const struct fz_msg *m, fz_ok_fn ok, void *arg)
{
	const struct cci_cmd *cmd = cci_find(cci, m->op);
	size_t max = cci->payload_max, out_len = SIZE_MAX;
	bool busy = bg_busy(cci);
	/* exact-size copies: a read or write past either is an ASan report */
	uint8_t *in = malloc(m->len), *out = malloc(max);
	uint16_t rc;

	assert(in && out);
	memcpy(in, m->pl, m->len);
	rc = cci_process(cci, m->op, in, m->len, out, &out_len);
	check_call(cci, cmd, m->op, in, m->len, max, busy, rc, out, out_len);
	if (rc == CXL_RC_SUCCESS && ok)
		ok(cci, m->op, in, m->len, out, out_len, arg);
	free(in);
	free(out);
	return rc;
}

/* cci_msg_run(): the whole-message path of the MCTP endpoints. */
static uint16_t run_whole(struct cci *cci, const struct fz_msg *m, fz_ok_fn ok, void *arg)
{
	size_t max = cci->payload_max, cap = CCI_HDR_LEN + max;
	uint8_t *msg = malloc(m->len), *rsp = malloc(cap);
	struct cci_hdr req, h;
	const uint8_t *pl = NULL, *rpl;
	const struct cci_cmd *cmd = NULL;
	bool busy = bg_busy(cci);
	int derr, n;

	assert(msg && rsp);
	memcpy(msg, m->pl, m->len);
	memset(&req, 0, sizeof(req));
	derr = cci_msg_decode(msg, m->len, &req, &pl);
	if (!derr)
		cmd = cci_find(cci, req.opcode);
	n = cci_msg_run(cci, msg, m->len, rsp, cap);
	if (derr == -EMSGSIZE && m->len >= CCI_HDR_LEN && req.category == CCI_CAT_REQ) {
		/* a length field disagreeing with the bytes: answered, not run */
		assert(n == (int)CCI_HDR_LEN);
		assert(cci_msg_decode(rsp, (size_t)n, &h, &rpl) == 0);
		assert(h.rc == CXL_RC_INVALID_PAYLOAD_LENGTH && h.tag == req.tag);
		n = h.rc;
	} else if (derr || req.category != CCI_CAT_REQ) {
		assert(n == -EBADMSG);
		n = UINT16_MAX;
	} else {
		assert(n >= (int)CCI_HDR_LEN && (size_t)n <= cap);
		assert(cci_msg_decode(rsp, (size_t)n, &h, &rpl) == 0);
		assert(h.category == CCI_CAT_RSP && h.tag == req.tag && h.opcode == req.opcode);
		assert(h.bg == (h.rc == CXL_RC_BG_STARTED));
		check_call(cci, cmd, req.opcode, pl, req.pl_len, max, busy, h.rc, rpl, h.pl_len);
		if (h.rc == CXL_RC_SUCCESS && ok)
			ok(cci, req.opcode, pl, req.pl_len, rpl, h.pl_len, arg);
		n = h.rc;
	}
	free(msg);
	free(rsp);
	return (uint16_t)n;
}

uint16_t fz_run(struct cci *cci, const struct fz_msg *m, fz_ok_fn ok, void *arg)
{
	static int trace = -1;
	uint16_t rc = m->sel & FZ_MSG_WHOLE ? run_whole(cci, m, ok, arg) :
					      run_payload(cci, m, ok, arg);

	/* FUZZ_TRACE=1: one line per request, for writing seeds */
	if (trace < 0)
		trace = getenv("FUZZ_TRACE") != NULL;
	if (trace)
		fprintf(stderr, "%s %s op 0x%04x len %zu: rc 0x%02x\n", cci->name,
			m->sel & FZ_MSG_WHOLE ? "msg" : "payload", m->op, m->len, rc);
	return rc;
}

struct dcd_walk {
	const struct dcd *d;
	bool any;
	uint64_t prev_end;
	uint32_t n, acc;
	uint32_t pend_r[DCD_MAX_REGIONS], acc_r[DCD_MAX_REGIONS];
	uint64_t used_r[DCD_MAX_REGIONS];
};

static int dcd_walk_one(void *arg, const struct dcd_ext_info *e)
{
	struct dcd_walk *w = arg;
	const struct dcd_region *r;
	int reg;

	assert(e->ext.len);
	assert(!w->any || e->ext.start >= w->prev_end);
	reg = dcd_region_of(w->d, e->ext.start, e->ext.len);
	assert(reg >= 0 && (unsigned)reg == e->region);
	r = dcd_region(w->d, e->region);
	assert((e->ext.start - r->base) % r->block_size == 0);
	assert(e->ext.len % r->block_size == 0);
	/* host memory access follows acceptance (t3_mem_access) */
	assert(dcd_accessible(w->d, e->ext.start, e->ext.len) == (e->state == DCD_EXT_ACCEPTED));
	if (e->state == DCD_EXT_ACCEPTED) {
		assert(e->group == 0);
		w->acc++;
		w->acc_r[reg]++;
	} else {
		assert(e->state == DCD_EXT_PENDING && e->group != 0 && !e->releasing);
		w->pend_r[reg]++;
	}
	w->used_r[reg] += e->ext.len;
	w->n++;
	w->any = true;
	w->prev_end = e->ext.start + e->ext.len;
	return 0;
}

void fz_check_dcd(const struct dcd *d, uint32_t *generation)
{
	struct dcd_walk w = { .d = d };
	uint32_t pending = 0;

	assert(dcd_foreach(d, dcd_walk_one, &w) == 0);
	assert(w.n == dcd_extents_tracked(d));
	assert(w.acc == dcd_extents_accepted(d));
	assert(dcd_extents_tracked(d) <= dcd_extents_max(d));
	assert(dcd_extents_available(d) == dcd_extents_max(d) - dcd_extents_tracked(d));
	assert(dcd_tags_available(d) <= dcd_tags_max(d));
	for (unsigned i = 0; i < dcd_num_regions(d); i++) {
		const struct dcd_region *r = dcd_region(d, i);

		assert(r->n_pending == w.pend_r[i] && r->n_accepted == w.acc_r[i]);
		assert(r->free_bytes + w.used_r[i] == r->len);
		pending += w.pend_r[i];
	}
	/* every pending extent belongs to a group, every group has one */
	assert((pending == 0) == (dcd_pending_groups(d) == 0));
	assert(dcd_pending_groups(d) <= pending);
	assert(dcd_generation(d) >= *generation);
	*generation = dcd_generation(d);
}

void fz_check_events(const struct ev_logs *ev)
{
	for (unsigned i = 0; i < EV_LOG_COUNT; i++) {
		size_t n = ev_count(ev, i);

		assert(n <= ev->log[i].cap);
		assert(ev_room(ev, i) == ev->log[i].cap - n);
		if (n) {
			assert(le16_get(ev_peek(ev, i, 0) + EV_HDR_HANDLE) != 0);
			assert(le16_get(ev_peek(ev, i, n - 1) + EV_HDR_HANDLE) != 0);
			assert(ev_peek(ev, i, 0)[REC_EVENT_LENGTH] == EV_RECORD_SIZE);
		}
		assert(!ev_peek(ev, i, n));
	}
}

/* One 40-byte DC Extent record (CXL r3.1 §8.2.9.2.1.6) against an extent. */
static void check_ext_rec(const uint8_t *p, const struct dcd_ext *e)
{
	assert(le64_get(p) == e->start && le64_get(p + 8) == e->len);
	assert(!memcmp(p + 16, e->tag, DCD_TAG_LEN));
	assert(le16_get(p + 32) == e->shared_seq);
}

/* r records at p: the accepted extents from index start on. */
static void check_accepted(const struct dcd *d, uint32_t start, size_t r, const uint8_t *p)
{
	for (size_t i = 0; i < r; i++) {
		struct dcd_ext e;

		assert(dcd_accepted_at(d, start + (uint32_t)i, &e) == 0);
		check_ext_rec(p + 40 * i, &e);
	}
}

/* The region list of 4800h / 5601h at out + hdr, R records then limits. */
static void check_regions(const struct dcd *d, unsigned start, unsigned want,
			  const uint8_t *count, const uint8_t *out, size_t hdr, size_t out_len)
{
	unsigned r = count[1];

	assert(count[0] == dcd_num_regions(d));
	assert(r <= want && start + r <= dcd_num_regions(d));
	assert(out_len == hdr + 40u * r + 16);
	for (unsigned i = 0; i < r; i++) {
		const struct dcd_region *g = dcd_region(d, start + i);

		assert(le64_get(out + hdr + 40 * i) == g->base);
		assert(le64_get(out + hdr + 40 * i + 16) == g->len);
		assert(le64_get(out + hdr + 40 * i + 24) == g->block_size);
	}
	out += hdr + 40u * r;
	assert(le32_get(out) == dcd_extents_max(d) && le32_get(out + 4) == dcd_extents_available(d));
	assert(le32_get(out + 8) == dcd_tags_max(d) && le32_get(out + 12) == dcd_tags_available(d));
}

void fz_check_t3_response(struct cci *cci, uint16_t op, const uint8_t *in, size_t in_len,
			  const uint8_t *out, size_t out_len, void *arg)
{
	struct t3_dev *dev = arg;
	const struct dcd *d = t3_dcd(dev);
	const struct ev_logs *ev = t3_events(dev);
	uint64_t r1, r2;
	size_t n;

	(void)in_len;
	if (cci != t3_host_cci(dev) && cci != t3_fm_cci(dev))
		return;
	switch (op) {
	case CCI_OP_GET_EVENT_RECORDS:
		n = le16_get(out + 20);
		assert(out_len == EV_GET_HDR_SIZE + EV_RECORD_SIZE * n);
		assert(n <= ev_count(ev, in[0]));
		assert(!!(out[0] & EV_FLAG_MORE_RECORDS) == (ev_count(ev, in[0]) > n));
		for (size_t i = 0; i < n; i++)
			assert(!memcmp(out + EV_GET_HDR_SIZE + EV_RECORD_SIZE * i,
				       ev_peek(ev, in[0], i), EV_RECORD_SIZE));
		break;
	case CCI_OP_GET_DC_CONFIG:
		check_regions(d, in[1], in[0], out, out, 8, out_len);
		break;
	case CCI_OP_GET_HOST_DC_REGION_CONFIG:
		check_regions(d, in[3], in[2], out + 2, out, 4, out_len);
		break;
	case CCI_OP_GET_DC_EXTENT_LIST:
		n = le32_get(out);
		assert(n <= le32_get(in) && out_len == 16 + 40 * n);
		assert(le32_get(out + 4) == dcd_extents_accepted(d));
		assert(le32_get(out + 8) == dcd_generation(d));
		check_accepted(d, le32_get(in + 4), n, out + 16);
		break;
	case CCI_OP_GET_DC_REGION_EXTENT_LIST:
		n = le32_get(out + 8);
		assert(n <= le32_get(in + 4) && out_len == 24 + 40 * n);
		assert(le32_get(out + 4) == le32_get(in + 8));
		assert(le32_get(out + 12) == dcd_extents_accepted(d));
		assert(le32_get(out + 16) == dcd_generation(d));
		check_accepted(d, le32_get(in + 8), n, out + 24);
		break;
	case CCI_OP_GET_LD_INFO:
		assert(out_len == 11 && le16_get(out + 8) == t3_num_ld(dev));
		break;
	case CCI_OP_GET_LD_ALLOCATIONS:
		assert(out[0] == t3_num_ld(dev) && out[2] == in[0] && out[3] <= in[1]);
		assert(out_len == 4 + 16u * out[3]);
		for (unsigned i = 0; i < out[3]; i++) {
			assert(t3_ld_allocation(dev, in[0] + i, &r1, &r2) == 0);
			assert(le64_get(out + 4 + 16 * i) == r1 && le64_get(out + 12 + 16 * i) == r2);
		}
		break;
	default:
		break;
	}
}
