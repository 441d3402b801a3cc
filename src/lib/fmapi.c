/* SPDX-License-Identifier: MIT */
/*
 * Typed FM API / CCI calls (include/cxlfm/fmapi.h). Each call encodes its
 * request with explicit little-endian stores, runs it with cxlfm_cmd() and
 * decodes the response after checking its length against the layout:
 * every read below is preceded by a check that the bytes are there.
 */
#include "cxlfm/fmapi.h"

#include <assert.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "lib/private.h"
#include "proto/cci.h"
#include "proto/commands.h"
#include "proto/le.h"
#include "proto/records.h"

/* Records shared with the device models: proto/records.h. */
#define EXT_LEN REC_DC_EXTENT_LEN
#define RANGE_LEN REC_DC_RANGE_LEN
#define REGION_LEN REC_DC_REGION_LEN
#define LIMITS_LEN REC_DC_LIMITS_LEN
#define EVENT_LEN REC_EVENT_LEN
#define ALLOC_LEN REC_LD_ALLOC_LEN
#define PORT_LEN 16u
#define LOG_ENTRY_LEN 20u
#define UNIT_SHIFT 28    /* 256 MiB */
#define CEL_CHUNK 256u

/* The fixed-size lists must hold whatever one message can carry. */
static_assert(CXLFM_DC_EXTENTS_MAX * EXT_LEN + 24 >= CXLFM_MSG_MAX, "extent list");
static_assert(CXLFM_EVENT_RECORDS_MAX * EVENT_LEN + 32 >= CXLFM_MSG_MAX, "event records");
static_assert(CXLFM_LOGS_MAX * LOG_ENTRY_LEN + 8 >= CXLFM_MSG_MAX, "supported logs");
static_assert(CXLFM_LOG_DATA_MAX >= CXLFM_MSG_MAX, "log data");

const uint8_t cxlfm_cel_uuid[16] = CXLFM_CEL_UUID_INIT;
const uint8_t cxlfm_dc_event_uuid[16] = CXLFM_DC_EVENT_UUID_INIT;

/* ---- names ---- */

const char *cxlfm_opcode_name(uint16_t opcode)
{
	const struct cxl_cmd_info *c = cxl_cmd_find(opcode);

	return c ? c->name : NULL;
}

static const struct {
	int err;
	const char *id;
} errno_ids[] = {
	{ ETIMEDOUT, "ETIMEDOUT" },     { EHOSTUNREACH, "EHOSTUNREACH" },
	{ EBADMSG, "EBADMSG" },         { ECONNRESET, "ECONNRESET" },
	{ ECONNREFUSED, "ECONNREFUSED" }, { ENOENT, "ENOENT" },
	{ EMSGSIZE, "EMSGSIZE" },       { EINVAL, "EINVAL" },
	{ EBUSY, "EBUSY" },             { EPIPE, "EPIPE" },
	{ ENOMEM, "ENOMEM" },           { ECANCELED, "ECANCELED" },
	{ EPROTO, "EPROTO" },           { ENOSPC, "ENOSPC" },
	{ ENAMETOOLONG, "ENAMETOOLONG" }, { EACCES, "EACCES" },
	{ ENOTSOCK, "ENOTSOCK" },       { EPERM, "EPERM" },
};

const char *cxlfm_rc_id(int rc)
{
	if (rc >= 0) {
		const char *id = rc <= 0xffff ? cxl_rc_id((uint16_t)rc) : NULL;

		return id ? id : "unknown";
	}
	for (size_t i = 0; i < sizeof(errno_ids) / sizeof(errno_ids[0]); i++)
		if (errno_ids[i].err == -rc)
			return errno_ids[i].id;
	return "unknown";
}

/* ---- helpers ---- */

struct rsp_buf {
	uint8_t b[CXLFM_MSG_MAX];
	size_t len;
};

static int run(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t opcode,
	       const void *in, size_t in_len, struct rsp_buf *out)
{
	out->len = 0;
	if (!ep)
		return -EINVAL;
	return cxlfm_cmd(ep, tun, opcode, in, in_len, out->b, sizeof(out->b), &out->len);
}

/* A command that answers with no payload: anything else is malformed. */
static int run_noout(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t opcode,
		     const void *in, size_t in_len)
{
	struct rsp_buf r;
	int rc = run(ep, tun, opcode, in, in_len, &r);

	if (rc < 0 || (rc != CXL_RC_SUCCESS && rc != CXL_RC_BG_STARTED))
		return rc;
	return r.len == 0 ? rc : -EBADMSG;
}

/* The public extent is the wire record's fields in host order. */
static void extent_from_rec(const struct rec_dc_extent *r, struct cxlfm_dc_extent *e)
{
	e->start_dpa = r->start_dpa;
	e->length = r->length;
	memcpy(e->tag, r->tag, sizeof(e->tag));
	e->shared_seq = r->shared_seq;
}

static void put_extent(uint8_t *p, const struct cxlfm_dc_extent *e)
{
	struct rec_dc_extent r = { .start_dpa = e->start_dpa, .length = e->length,
				   .shared_seq = e->shared_seq };

	memcpy(r.tag, e->tag, sizeof(r.tag));
	rec_dc_extent_put(p, &r);
}

static void get_extent(const uint8_t *p, struct cxlfm_dc_extent *e)
{
	struct rec_dc_extent r;

	rec_dc_extent_get(p, &r);
	extent_from_rec(&r, e);
}

/* 256 MiB units to bytes; false if it does not fit 64 bits. */
static bool units_to_bytes(uint64_t units, uint64_t *bytes)
{
	if (units > UINT64_MAX >> UNIT_SHIFT)
		return false;
	*bytes = units << UNIT_SHIFT;
	return true;
}

/*
 * The region list of Get DC Configuration (4800h, REC_REGION_HOST) and Get
 * Host DC Region Configuration (5601h, REC_REGION_FM): n records from byte
 * hdr, then the extents / tags trailer, and nothing else. The records go to
 * r with their decode lengths in bytes in decode_len, the trailer to l.
 */
static int dec_regions(const uint8_t *p, size_t len, size_t hdr, size_t n,
		       enum rec_region_form form, struct rec_dc_region *r,
		       uint64_t *decode_len, struct rec_dc_limits *l)
{
	if (n > CXLFM_DC_REGIONS_MAX || len != hdr + REGION_LEN * n + LIMITS_LEN)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++) {
		rec_dc_region_get(p + hdr + REGION_LEN * i, &r[i], form);
		if (!units_to_bytes(r[i].decode_units, &decode_len[i]))
			return -EBADMSG;
	}
	rec_dc_limits_get(p + hdr + REGION_LEN * n, l);
	return 0;
}

/* ---- generic ---- */

static int dec_identify(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_identify_rsp *rsp = out;

	(void)req;
	if (len != CXL_OUT_IDENTIFY)
		return -EBADMSG;
	rsp->vendor_id = le16_get(p);
	rsp->device_id = le16_get(p + 2);
	rsp->subsys_vendor_id = le16_get(p + 4);
	rsp->subsys_id = le16_get(p + 6);
	rsp->serial = le64_get(p + 8);
	rsp->max_msg_size_log2 = p[16];
	rsp->component_type = p[17];
	return 0;
}

int cxlfm_cmd_identify(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		       struct cxlfm_identify_rsp *rsp)
{
	struct rsp_buf r;
	int rc = run(ep, tun, CXLFM_OP_IDENTIFY, NULL, 0, &r);

	return rc ? rc : dec_identify(NULL, r.b, r.len, rsp);
}

static int dec_bg_op_status(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_bg_op_status_rsp *rsp = out;

	(void)req;
	if (len != CXL_OUT_BG_OP_STATUS || (p[0] >> 1) > 100)
		return -EBADMSG;
	rsp->running = p[0] & 1;
	rsp->percent = (uint8_t)(p[0] >> 1);
	rsp->opcode = le16_get(p + 2);
	rsp->rc = le16_get(p + 4);
	rsp->vendor_status = le16_get(p + 6);
	return 0;
}

int cxlfm_cmd_bg_op_status(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			   struct cxlfm_bg_op_status_rsp *rsp)
{
	struct rsp_buf r;
	int rc = run(ep, tun, CXLFM_OP_BG_OP_STATUS, NULL, 0, &r);

	return rc ? rc : dec_bg_op_status(NULL, r.b, r.len, rsp);
}

/* Get and Set Response Message Limit answer the same one byte. */
static_assert(CXL_OUT_GET_RSP_MSG_LIMIT == CXL_OUT_SET_RSP_MSG_LIMIT, "one decoder");
static int dec_msg_limit(const void *req, const uint8_t *p, size_t len, void *out)
{
	uint8_t *limit_log2 = out;

	(void)req;
	if (len != CXL_OUT_GET_RSP_MSG_LIMIT)
		return -EBADMSG;
	*limit_log2 = p[0];
	return 0;
}

int cxlfm_cmd_get_response_msg_limit(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				     struct cxlfm_get_response_msg_limit_rsp *rsp)
{
	struct rsp_buf r;
	int rc = run(ep, tun, CXLFM_OP_GET_RSP_MSG_LIMIT, NULL, 0, &r);

	return rc ? rc : dec_msg_limit(NULL, r.b, r.len, &rsp->limit_log2);
}

int cxlfm_cmd_set_response_msg_limit(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				     const struct cxlfm_set_response_msg_limit_req *req,
				     struct cxlfm_set_response_msg_limit_rsp *rsp)
{
	struct rsp_buf r;
	int rc = run(ep, tun, CXLFM_OP_SET_RSP_MSG_LIMIT, &req->limit_log2,
		     CXL_IN_SET_RSP_MSG_LIMIT, &r);

	return rc ? rc : dec_msg_limit(NULL, r.b, r.len, &rsp->limit_log2);
}

static int dec_get_timestamp(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_get_timestamp_rsp *rsp = out;

	(void)req;
	if (len != CXL_OUT_GET_TIMESTAMP)
		return -EBADMSG;
	rsp->timestamp = le64_get(p);
	return 0;
}

int cxlfm_cmd_get_timestamp(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			    struct cxlfm_get_timestamp_rsp *rsp)
{
	struct rsp_buf r;
	int rc = run(ep, tun, CXLFM_OP_GET_TIMESTAMP, NULL, 0, &r);

	return rc ? rc : dec_get_timestamp(NULL, r.b, r.len, rsp);
}

int cxlfm_cmd_set_timestamp(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			    const struct cxlfm_set_timestamp_req *req)
{
	uint8_t in[CXL_IN_SET_TIMESTAMP];

	le64_put(in, req->timestamp);
	return run_noout(ep, tun, CXLFM_OP_SET_TIMESTAMP, in, sizeof(in));
}

static int dec_get_supported_logs(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_get_supported_logs_rsp *rsp = out;
	size_t n;

	(void)req;
	if (len < CXL_OUT_GET_SUPPORTED_LOGS)
		return -EBADMSG;
	n = le16_get(p);
	if (n > CXLFM_LOGS_MAX || len != 8 + LOG_ENTRY_LEN * n)
		return -EBADMSG;
	rsp->num_entries = (uint16_t)n;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = p + 8 + LOG_ENTRY_LEN * i;

		memcpy(rsp->entries[i].uuid, e, 16);
		rsp->entries[i].size = le32_get(e + 16);
	}
	return 0;
}

int cxlfm_cmd_get_supported_logs(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 struct cxlfm_get_supported_logs_rsp *rsp)
{
	struct rsp_buf r;
	int rc = run(ep, tun, CXLFM_OP_GET_SUPPORTED_LOGS, NULL, 0, &r);

	return rc ? rc : dec_get_supported_logs(NULL, r.b, r.len, rsp);
}

static int dec_get_log(const void *in, const uint8_t *p, size_t len, void *out)
{
	const struct cxlfm_get_log_req *req = in;
	struct cxlfm_get_log_rsp *rsp = out;

	if (len > req->length || len > CXLFM_LOG_DATA_MAX)
		return -EBADMSG;
	rsp->length = (uint32_t)len;
	memcpy(rsp->data, p, len);
	return 0;
}

int cxlfm_cmd_get_log(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		      const struct cxlfm_get_log_req *req, struct cxlfm_get_log_rsp *rsp)
{
	uint8_t in[CXL_IN_GET_LOG];
	struct rsp_buf r;
	int rc;

	if (req->length > CXLFM_LOG_DATA_MAX)
		return -EINVAL;
	memcpy(in, req->uuid, 16);
	le32_put(in + 16, req->offset);
	le32_put(in + 20, req->length);
	rc = run(ep, tun, CXLFM_OP_GET_LOG, in, sizeof(in), &r);
	return rc ? rc : dec_get_log(req, r.b, r.len, rsp);
}

int cxlfm_cmd_get_cel(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		      struct cxlfm_cel *rsp)
{
	struct cxlfm_get_supported_logs_rsp logs;
	struct cxlfm_get_log_req req = { .offset = 0 };
	struct cxlfm_get_log_rsp chunk;
	uint32_t size = 0;
	bool found = false;
	int rc = cxlfm_cmd_get_supported_logs(ep, tun, &logs);

	if (rc)
		return rc;
	for (size_t i = 0; i < logs.num_entries && !found; i++) {
		if (!memcmp(logs.entries[i].uuid, cxlfm_cel_uuid, 16)) {
			size = logs.entries[i].size;
			found = true;
		}
	}
	if (!found)
		return -ENOENT;
	if (size % 4)
		return -EBADMSG;
	if (size / 4 > CXLFM_CEL_MAX)
		return -EMSGSIZE;
	memcpy(req.uuid, cxlfm_cel_uuid, 16);
	rsp->num_entries = 0;
	while (req.offset < size) {
		req.length = size - req.offset < CEL_CHUNK ? size - req.offset : CEL_CHUNK;
		rc = cxlfm_cmd_get_log(ep, tun, &req, &chunk);
		if (rc)
			return rc;
		if (chunk.length != req.length)
			return -EBADMSG;
		for (uint32_t o = 0; o < chunk.length; o += 4) {
			struct cxlfm_cel_entry *e = &rsp->entries[rsp->num_entries++];

			e->opcode = le16_get(chunk.data + o);
			e->effects = le16_get(chunk.data + o + 2);
		}
		req.offset += req.length;
	}
	return 0;
}

/* ---- events ---- */

static int dec_get_event_records(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_get_event_records_rsp *rsp = out;
	size_t n;

	(void)req;
	if (len < CXL_OUT_GET_EVENT_RECORDS)
		return -EBADMSG;
	n = le16_get(p + 20);
	if (n > CXLFM_EVENT_RECORDS_MAX || len != CXL_OUT_GET_EVENT_RECORDS + EVENT_LEN * n)
		return -EBADMSG;
	rsp->flags = p[0];
	rsp->overflow_count = le16_get(p + 2);
	rsp->first_overflow_ts = le64_get(p + 4);
	rsp->last_overflow_ts = le64_get(p + 12);
	rsp->num_records = (uint16_t)n;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *q = p + CXL_OUT_GET_EVENT_RECORDS + EVENT_LEN * i;
		struct cxlfm_event_record *e = &rsp->records[i];
		struct rec_event_hdr h;

		rec_event_hdr_get(q, &h);
		memcpy(e->uuid, h.uuid, 16);
		e->length = h.length;
		e->flags = h.flags;
		e->handle = h.handle;
		e->related_handle = h.related_handle;
		e->timestamp = h.timestamp;
		e->maint_op_class = h.maint_op_class;
		e->maint_op_subclass = h.maint_op_subclass;
		e->ld_id = h.ld_id;
		e->head_id = h.head_id;
		memcpy(e->data, q + REC_EVENT_HDR_LEN, sizeof(e->data));
	}
	return 0;
}

int cxlfm_cmd_get_event_records(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				const struct cxlfm_get_event_records_req *req,
				struct cxlfm_get_event_records_rsp *rsp)
{
	struct rsp_buf r;
	int rc = run(ep, tun, CXLFM_OP_GET_EVENT_RECORDS, &req->log, CXL_IN_GET_EVENT_RECORDS, &r);

	return rc ? rc : dec_get_event_records(req, r.b, r.len, rsp);
}

int cxlfm_cmd_clear_event_records(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				  const struct cxlfm_clear_event_records_req *req)
{
	enum { HDR = CXL_IN_CLEAR_EVENT_RECORDS };
	uint8_t in[HDR + 2 * 255];
	size_t n = req->clear_all ? 0 : req->num_handles;

	if (n && !req->handles)
		return -EINVAL;
	memset(in, 0, HDR);
	in[0] = req->log;
	in[1] = req->clear_all ? 0x01 : 0x00;
	in[2] = (uint8_t)n;
	for (size_t i = 0; i < n; i++)
		le16_put(in + HDR + 2 * i, req->handles[i]);
	return run_noout(ep, tun, CXLFM_OP_CLEAR_EVENT_RECORDS, in, HDR + 2 * n);
}

int cxlfm_dc_event_decode(const struct cxlfm_event_record *rec, struct cxlfm_dc_event *out)
{
	struct rec_dc_event ev;

	static_assert(sizeof(rec->data) == REC_EVENT_LEN - REC_EVENT_HDR_LEN, "record body");
	if (memcmp(rec->uuid, cxlfm_dc_event_uuid, 16))
		return -EINVAL;
	rec_dc_event_get(rec->data, &ev); /* data[0] is record byte 48 */
	out->type = ev.type;
	out->validity = ev.validity;
	out->host_id = ev.host_id;
	out->region_id = ev.region_id;
	out->more = ev.flags & REC_DC_EVENT_MORE;
	extent_from_rec(&ev.extent, &out->extent);
	out->extents_available = ev.extents_available;
	out->tags_available = ev.tags_available;
	return 0;
}

/* ---- host dynamic capacity ---- */

static int dec_get_dc_config(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_get_dc_config_rsp *rsp = out;
	struct rec_dc_region r[CXLFM_DC_REGIONS_MAX];
	uint64_t decode_len[CXLFM_DC_REGIONS_MAX];
	struct rec_dc_limits l;
	int rc;

	(void)req;
	if (len < CXL_OUT_GET_DC_CONFIG)
		return -EBADMSG;
	rc = dec_regions(p, len, 8, p[1], REC_REGION_HOST, r, decode_len, &l);
	if (rc)
		return rc;
	*rsp = (struct cxlfm_get_dc_config_rsp){
		.num_regions = p[0], .regions_returned = p[1],
		.extents_supported = l.extents_supported, .extents_available = l.extents_available,
		.tags_supported = l.tags_supported, .tags_available = l.tags_available,
	};
	for (size_t i = 0; i < p[1]; i++)
		rsp->regions[i] = (struct cxlfm_dc_config_region){
			.base = r[i].base, .decode_len = decode_len[i], .length = r[i].length,
			.block_size = r[i].block_size, .dsmad_handle = r[i].dsmad_handle,
			.sanitize_on_release = r[i].sanitize_on_release,
		};
	return 0;
}

int cxlfm_cmd_get_dc_config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			    const struct cxlfm_get_dc_config_req *req,
			    struct cxlfm_get_dc_config_rsp *rsp)
{
	uint8_t in[CXL_IN_GET_DC_CONFIG] = { req->region_count, req->start_region };
	struct rsp_buf r;
	int rc = run(ep, tun, CXLFM_OP_GET_DC_CONFIG, in, sizeof(in), &r);

	return rc ? rc : dec_get_dc_config(req, r.b, r.len, rsp);
}

static int dec_get_dc_extent_list(const void *in, const uint8_t *p, size_t len, void *out)
{
	const struct cxlfm_get_dc_extent_list_req *req = in;
	struct cxlfm_get_dc_extent_list_rsp *rsp = out;
	size_t n;

	if (len < CXL_OUT_GET_DC_EXTENT_LIST)
		return -EBADMSG;
	n = le32_get(p);
	if (n > req->extent_count || n > CXLFM_DC_EXTENTS_MAX || len != 16 + EXT_LEN * n)
		return -EBADMSG;
	rsp->returned = (uint32_t)n;
	rsp->total = le32_get(p + 4);
	rsp->generation = le32_get(p + 8);
	for (size_t i = 0; i < n; i++)
		get_extent(p + 16 + EXT_LEN * i, &rsp->extents[i]);
	return 0;
}

int cxlfm_cmd_get_dc_extent_list(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 const struct cxlfm_get_dc_extent_list_req *req,
				 struct cxlfm_get_dc_extent_list_rsp *rsp)
{
	uint8_t in[CXL_IN_GET_DC_EXTENT_LIST];
	struct rsp_buf r;
	int rc;

	if (req->extent_count > CXLFM_DC_EXTENTS_MAX)
		return -EINVAL;
	le32_put(in, req->extent_count);
	le32_put(in + 4, req->start_index);
	rc = run(ep, tun, CXLFM_OP_GET_DC_EXTENT_LIST, in, sizeof(in), &r);
	return rc ? rc : dec_get_dc_extent_list(req, r.b, r.len, rsp);
}

static int dc_response(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t opcode,
		       const struct cxlfm_dc_response_req *req)
{
	uint8_t in[CXLFM_MSG_MAX];
	size_t len;

	if (req->num_ranges && !req->ranges)
		return -EINVAL;
	if (req->num_ranges > (sizeof(in) - 8) / RANGE_LEN)
		return -EMSGSIZE;
	len = 8 + RANGE_LEN * (size_t)req->num_ranges;
	memset(in, 0, len);
	le32_put(in, req->num_ranges);
	in[4] = req->flags;
	for (size_t i = 0; i < req->num_ranges; i++)
		rec_dc_range_put(in + 8 + RANGE_LEN * i, req->ranges[i].start_dpa,
				 req->ranges[i].length);
	return run_noout(ep, tun, opcode, in, len);
}

int cxlfm_cmd_add_dc_response(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      const struct cxlfm_dc_response_req *req)
{
	return dc_response(ep, tun, CXLFM_OP_ADD_DC_RESPONSE, req);
}

int cxlfm_cmd_release_dc(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			 const struct cxlfm_dc_response_req *req)
{
	return dc_response(ep, tun, CXLFM_OP_RELEASE_DC, req);
}

/* ---- physical switch ---- */

static int dec_identify_switch_device(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_identify_switch_device_rsp *rsp = out;

	(void)req;
	if (len != CXL_OUT_IDENTIFY_SWITCH_DEVICE)
		return -EBADMSG;
	rsp->ingress_port = p[0];
	rsp->num_physical_ports = p[2];
	rsp->num_vcs = p[3];
	memcpy(rsp->active_port_mask, p + 4, 32);
	memcpy(rsp->active_vcs_mask, p + 0x24, 32);
	rsp->total_vppbs = le16_get(p + 0x44);
	rsp->bound_vppbs = le16_get(p + 0x46);
	rsp->num_hdm_decoders = p[0x48];
	return 0;
}

int cxlfm_cmd_identify_switch_device(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				     struct cxlfm_identify_switch_device_rsp *rsp)
{
	struct rsp_buf r;
	int rc = run(ep, tun, CXLFM_OP_IDENTIFY_SWITCH_DEVICE, NULL, 0, &r);

	return rc ? rc : dec_identify_switch_device(NULL, r.b, r.len, rsp);
}

static int dec_get_phys_port_state(const void *in, const uint8_t *p, size_t len, void *out)
{
	const struct cxlfm_get_phys_port_state_req *req = in;
	struct cxlfm_get_phys_port_state_rsp *rsp = out;
	size_t n;

	if (len < CXL_OUT_GET_PHYS_PORT_STATE)
		return -EBADMSG;
	n = p[0];
	if (n != req->num_ports || n > CXLFM_PORTS_MAX || len != 4 + PORT_LEN * n)
		return -EBADMSG;
	rsp->num_ports = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *b = p + 4 + PORT_LEN * i;
		struct cxlfm_port_info *pi = &rsp->ports[i];

		pi->port_id = b[0];
		pi->config_state = b[1] & 0x0f;
		pi->connected_dev_mode = b[2];
		pi->connected_dev_type = b[4];
		pi->supported_cxl_modes = b[5];
		pi->max_link_width = b[6];
		pi->negotiated_link_width = b[7];
		pi->supported_link_speeds = b[8];
		pi->max_link_speed = b[9];
		pi->current_link_speed = b[10];
		pi->ltssm_state = b[11];
		pi->first_negotiated_lane = b[12];
		pi->link_state_flags = le16_get(b + 13);
		pi->supported_ld_count = b[15];
	}
	return 0;
}

int cxlfm_cmd_get_phys_port_state(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				  const struct cxlfm_get_phys_port_state_req *req,
				  struct cxlfm_get_phys_port_state_rsp *rsp)
{
	uint8_t in[1 + CXLFM_PORTS_MAX];
	struct rsp_buf r;
	int rc;

	in[0] = req->num_ports;
	memcpy(in + 1, req->port_ids, req->num_ports);
	rc = run(ep, tun, CXLFM_OP_GET_PHYS_PORT_STATE, in, 1 + (size_t)req->num_ports, &r);
	return rc ? rc : dec_get_phys_port_state(req, r.b, r.len, rsp);
}

int cxlfm_cmd_phys_port_control(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				const struct cxlfm_phys_port_control_req *req)
{
	uint8_t in[CXL_IN_PHYS_PORT_CONTROL] = { req->ppb_id, req->port_opcode };

	return run_noout(ep, tun, CXLFM_OP_PHYS_PORT_CONTROL, in, sizeof(in));
}

/* ---- virtual switch ---- */

static int dec_get_vcs_info(const void *in, const uint8_t *p, size_t len, void *out)
{
	const struct cxlfm_get_vcs_info_req *req = in;
	struct cxlfm_get_vcs_info_rsp *rsp = out;
	size_t off = 4;

	if (len < 4 || p[0] != req->num_vcs || p[0] > CXLFM_VCS_MAX)
		return -EBADMSG;
	rsp->num_vcs = p[0];
	for (size_t i = 0; i < rsp->num_vcs; i++) {
		struct cxlfm_vcs_info *v = &rsp->vcs[i];
		size_t cnt = 0;

		if (len - off < 4)
			return -EBADMSG;
		v->vcs_id = p[off];
		v->state = p[off + 1];
		v->usp_id = p[off + 2];
		v->num_vppbs = p[off + 3];
		off += 4;
		/* After the 4-byte header: the vPPBs from start_vppb on, up to
		 * the limit; an invalid VCS id has none. */
		if (v->state != CXLFM_VCS_INVALID_ID && v->num_vppbs > req->start_vppb) {
			cnt = (size_t)v->num_vppbs - req->start_vppb;
			if (cnt > req->vppb_list_limit)
				cnt = req->vppb_list_limit;
		}
		if ((len - off) / 4 < cnt)
			return -EBADMSG;
		v->num_entries = (uint16_t)cnt;
		for (size_t e = 0; e < cnt; e++, off += 4) {
			v->vppbs[e].status = p[off];
			v->vppbs[e].port_id = p[off + 1];
			v->vppbs[e].ld_id = p[off + 2];
		}
	}
	return off == len ? 0 : -EBADMSG;
}

int cxlfm_cmd_get_vcs_info(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			   const struct cxlfm_get_vcs_info_req *req,
			   struct cxlfm_get_vcs_info_rsp *rsp)
{
	uint8_t in[3 + CXLFM_VCS_MAX];
	struct rsp_buf r;
	int rc;

	if (req->num_vcs == 0 || req->num_vcs > CXLFM_VCS_MAX)
		return -EINVAL;
	in[0] = req->start_vppb;
	in[1] = req->vppb_list_limit;
	in[2] = req->num_vcs;
	memcpy(in + 3, req->vcs_ids, req->num_vcs);
	rc = run(ep, tun, CXLFM_OP_GET_VCS_INFO, in, 3 + (size_t)req->num_vcs, &r);
	return rc ? rc : dec_get_vcs_info(req, r.b, r.len, rsp);
}

int cxlfm_cmd_bind_vppb(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			const struct cxlfm_bind_vppb_req *req)
{
	uint8_t in[CXL_IN_BIND_VPPB] = { req->vcs_id, req->vppb_id, req->port_id, 0 };

	le16_put(in + 4, req->ld_id);
	return run_noout(ep, tun, CXLFM_OP_BIND_VPPB, in, sizeof(in));
}

int cxlfm_cmd_unbind_vppb(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  const struct cxlfm_unbind_vppb_req *req)
{
	uint8_t in[CXL_IN_UNBIND_VPPB] = { req->vcs_id, req->vppb_id,
					   (uint8_t)(req->option & 0x0f) };

	return run_noout(ep, tun, CXLFM_OP_UNBIND_VPPB, in, sizeof(in));
}

/* ---- MLD components ---- */

static int dec_get_ld_info(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_get_ld_info_rsp *rsp = out;

	(void)req;
	if (len != CXL_OUT_GET_LD_INFO)
		return -EBADMSG;
	rsp->memory_size = le64_get(p);
	rsp->ld_count = le16_get(p + 8);
	rsp->qos_telemetry_caps = p[10];
	return 0;
}

int cxlfm_cmd_get_ld_info(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  struct cxlfm_get_ld_info_rsp *rsp)
{
	struct rsp_buf r;
	int rc = run(ep, tun, CXLFM_OP_GET_LD_INFO, NULL, 0, &r);

	return rc ? rc : dec_get_ld_info(NULL, r.b, r.len, rsp);
}

static int get_allocs(const uint8_t *p, size_t len, size_t n, struct cxlfm_ld_allocation *out)
{
	if (n > CXLFM_LD_MAX || len != 4 + ALLOC_LEN * n)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++) {
		struct rec_ld_alloc a;

		rec_ld_alloc_get(p + 4 + ALLOC_LEN * i, &a);
		out[i].range1 = a.range1;
		out[i].range2 = a.range2;
	}
	return 0;
}

static int dec_get_ld_allocations(const void *in, const uint8_t *p, size_t len, void *out)
{
	const struct cxlfm_get_ld_allocations_req *req = in;
	struct cxlfm_get_ld_allocations_rsp *rsp = out;
	int rc;

	if (len < 4 || p[3] > req->ld_list_limit)
		return -EBADMSG;
	rc = get_allocs(p, len, p[3], rsp->entries);
	if (rc)
		return rc;
	rsp->num_lds = p[0];
	rsp->granularity = p[1];
	rsp->start_ld = p[2];
	rsp->num_entries = p[3];
	return 0;
}

int cxlfm_cmd_get_ld_allocations(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 const struct cxlfm_get_ld_allocations_req *req,
				 struct cxlfm_get_ld_allocations_rsp *rsp)
{
	uint8_t in[CXL_IN_GET_LD_ALLOCATIONS] = { req->start_ld, req->ld_list_limit };
	struct rsp_buf r;
	int rc = run(ep, tun, CXLFM_OP_GET_LD_ALLOCATIONS, in, sizeof(in), &r);

	return rc ? rc : dec_get_ld_allocations(req, r.b, r.len, rsp);
}

static int dec_set_ld_allocations(const void *in, const uint8_t *p, size_t len, void *out)
{
	const struct cxlfm_set_ld_allocations_req *req = in;
	struct cxlfm_set_ld_allocations_rsp *rsp = out;
	int rc;

	if (len < 4 || p[0] != req->num_entries)
		return -EBADMSG;
	rc = get_allocs(p, len, p[0], rsp->entries);
	if (rc)
		return rc;
	rsp->num_entries = p[0];
	rsp->start_ld = p[1];
	return 0;
}

int cxlfm_cmd_set_ld_allocations(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 const struct cxlfm_set_ld_allocations_req *req,
				 struct cxlfm_set_ld_allocations_rsp *rsp)
{
	uint8_t in[4 + ALLOC_LEN * CXLFM_LD_MAX] = { 0 };
	struct rsp_buf r;
	int rc;

	if (req->num_entries == 0 || req->num_entries > CXLFM_LD_MAX)
		return -EINVAL;
	in[0] = req->num_entries;
	in[1] = req->start_ld;
	for (size_t i = 0; i < req->num_entries; i++) {
		struct rec_ld_alloc a = { req->entries[i].range1, req->entries[i].range2 };

		rec_ld_alloc_put(in + 4 + ALLOC_LEN * i, &a);
	}
	rc = run(ep, tun, CXLFM_OP_SET_LD_ALLOCATIONS, in,
		 4 + ALLOC_LEN * (size_t)req->num_entries, &r);
	return rc ? rc : dec_set_ld_allocations(req, r.b, r.len, rsp);
}

/* ---- DCD management ---- */

static int dec_get_dcd_info(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_get_dcd_info_rsp *rsp = out;

	(void)req;
	static_assert(CXL_OUT_GET_DCD_INFO == 20 + 8 * CXLFM_DC_REGIONS_MAX, "8 block size masks");
	if (len != CXL_OUT_GET_DCD_INFO)
		return -EBADMSG;
	rsp->num_hosts = p[0];
	rsp->num_regions = p[1];
	rsp->add_policies = le16_get(p + 4);
	rsp->release_policies = le16_get(p + 8);
	rsp->sanitize_mask = p[10];
	if (!units_to_bytes(le64_get(p + 12), &rsp->total_capacity))
		return -EBADMSG;
	for (size_t i = 0; i < CXLFM_DC_REGIONS_MAX; i++)
		rsp->block_size_mask[i] = le64_get(p + 20 + 8 * i);
	return 0;
}

int cxlfm_cmd_get_dcd_info(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			   struct cxlfm_get_dcd_info_rsp *rsp)
{
	struct rsp_buf r;
	int rc = run(ep, tun, CXLFM_OP_GET_DCD_INFO, NULL, 0, &r);

	return rc ? rc : dec_get_dcd_info(NULL, r.b, r.len, rsp);
}

static int dec_get_host_dc_region_config(const void *req, const uint8_t *p, size_t len,
					 void *out)
{
	struct cxlfm_get_host_dc_region_config_rsp *rsp = out;
	struct rec_dc_region r[CXLFM_DC_REGIONS_MAX];
	uint64_t decode_len[CXLFM_DC_REGIONS_MAX];
	struct rec_dc_limits l;
	int rc;

	(void)req;
	if (len < CXL_OUT_GET_HOST_DC_REGION_CONFIG)
		return -EBADMSG;
	rc = dec_regions(p, len, 4, p[3], REC_REGION_FM, r, decode_len, &l);
	if (rc)
		return rc;
	*rsp = (struct cxlfm_get_host_dc_region_config_rsp){
		.host_id = le16_get(p), .num_regions = p[2], .regions_returned = p[3],
		.extents_supported = l.extents_supported, .extents_available = l.extents_available,
		.tags_supported = l.tags_supported, .tags_available = l.tags_available,
	};
	for (size_t i = 0; i < p[3]; i++)
		rsp->regions[i] = (struct cxlfm_dc_region){
			.base = r[i].base, .decode_len = decode_len[i], .length = r[i].length,
			.block_size = r[i].block_size, .dsmas_flags = r[i].dsmas_flags,
			.sanitize_on_release = r[i].sanitize_on_release,
		};
	return 0;
}

int cxlfm_cmd_get_host_dc_region_config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
					const struct cxlfm_get_host_dc_region_config_req *req,
					struct cxlfm_get_host_dc_region_config_rsp *rsp)
{
	uint8_t in[CXL_IN_GET_HOST_DC_REGION_CONFIG];
	struct rsp_buf r;
	int rc;

	le16_put(in, req->host_id);
	in[2] = req->region_count;
	in[3] = req->start_region;
	rc = run(ep, tun, CXLFM_OP_GET_HOST_DC_REGION_CONFIG, in, sizeof(in), &r);
	return rc ? rc : dec_get_host_dc_region_config(req, r.b, r.len, rsp);
}

int cxlfm_cmd_set_dc_region_config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				   const struct cxlfm_set_dc_region_config_req *req)
{
	uint8_t in[CXL_IN_SET_DC_REGION_CONFIG] = { 0 };

	in[0] = req->region_id;
	le64_put(in + 4, req->block_size);
	in[12] = req->sanitize_on_release ? 0x01 : 0x00;
	return run_noout(ep, tun, CXLFM_OP_SET_DC_REGION_CONFIG, in, sizeof(in));
}

static int dec_get_dc_region_extent_lists(const void *in, const uint8_t *p, size_t len,
					  void *out)
{
	const struct cxlfm_get_dc_region_extent_lists_req *req = in;
	struct cxlfm_get_dc_region_extent_lists_rsp *rsp = out;
	size_t n;

	if (len < CXL_OUT_GET_DC_REGION_EXTENT_LISTS)
		return -EBADMSG;
	n = le32_get(p + 8);
	if (n > req->extent_count || n > CXLFM_DC_EXTENTS_MAX || len != 24 + EXT_LEN * n)
		return -EBADMSG;
	rsp->host_id = le16_get(p);
	rsp->start_index = le32_get(p + 4);
	rsp->returned = (uint32_t)n;
	rsp->total = le32_get(p + 12);
	rsp->generation = le32_get(p + 16);
	for (size_t i = 0; i < n; i++)
		get_extent(p + 24 + EXT_LEN * i, &rsp->extents[i]);
	return 0;
}

int cxlfm_cmd_get_dc_region_extent_lists(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
					 const struct cxlfm_get_dc_region_extent_lists_req *req,
					 struct cxlfm_get_dc_region_extent_lists_rsp *rsp)
{
	uint8_t in[CXL_IN_GET_DC_REGION_EXTENT_LISTS] = { 0 };
	struct rsp_buf r;
	int rc;

	if (req->extent_count > CXLFM_DC_EXTENTS_MAX)
		return -EINVAL;
	le16_put(in, req->host_id);
	le32_put(in + 4, req->extent_count);
	le32_put(in + 8, req->start_index);
	rc = run(ep, tun, CXLFM_OP_GET_DC_REGION_EXTENT_LISTS, in, sizeof(in), &r);
	return rc ? rc : dec_get_dc_region_extent_lists(req, r.b, r.len, rsp);
}

/* The 32-byte header + extents of 5604h / 5605h. */
static int dc_change(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t opcode,
		     uint16_t host_id, uint8_t byte2, uint8_t region, uint64_t length,
		     const uint8_t tag[16], uint32_t n, const struct cxlfm_dc_extent *ext)
{
	uint8_t in[CXLFM_MSG_MAX];
	size_t len;

	if (n && !ext)
		return -EINVAL;
	static_assert(CXL_IN_INITIATE_DC_ADD == 32 && CXL_IN_INITIATE_DC_RELEASE == 32, "header");
	if (n > (sizeof(in) - 32) / EXT_LEN)
		return -EMSGSIZE;
	len = 32 + EXT_LEN * (size_t)n;
	memset(in, 0, 32);
	le16_put(in, host_id);
	in[2] = byte2;
	in[3] = region;
	le64_put(in + 4, length);
	memcpy(in + 12, tag, 16);
	le32_put(in + 28, n);
	for (size_t i = 0; i < n; i++)
		put_extent(in + 32 + EXT_LEN * i, &ext[i]);
	return run_noout(ep, tun, opcode, in, len);
}

int cxlfm_cmd_initiate_dc_add(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      const struct cxlfm_initiate_dc_add_req *req)
{
	return dc_change(ep, tun, CXLFM_OP_INITIATE_DC_ADD, req->host_id, req->selection_policy,
			 req->region, req->length, req->tag, req->num_extents, req->extents);
}

int cxlfm_cmd_initiate_dc_release(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				  const struct cxlfm_initiate_dc_release_req *req)
{
	uint8_t flags = (uint8_t)((req->removal_policy & 0x0f) |
				  (req->forced_removal ? 0x10 : 0) |
				  (req->sanitize_on_release ? 0x20 : 0));

	return dc_change(ep, tun, CXLFM_OP_INITIATE_DC_RELEASE, req->host_id, flags,
			 req->region, req->length, req->tag, req->num_extents, req->extents);
}

/* ---- the decoders as a table, for the fuzz target (lib/private.h) ---- */

#define DEC(op, req_t, rsp_t, fn) { op, sizeof(req_t), sizeof(rsp_t), fn }
typedef uint8_t no_req;

static const struct cxlfm_decoder decoders[] = {
	DEC(CXLFM_OP_IDENTIFY, no_req, struct cxlfm_identify_rsp, dec_identify),
	DEC(CXLFM_OP_BG_OP_STATUS, no_req, struct cxlfm_bg_op_status_rsp, dec_bg_op_status),
	DEC(CXLFM_OP_GET_RSP_MSG_LIMIT, no_req, struct cxlfm_get_response_msg_limit_rsp,
	    dec_msg_limit),
	DEC(CXLFM_OP_GET_TIMESTAMP, no_req, struct cxlfm_get_timestamp_rsp, dec_get_timestamp),
	DEC(CXLFM_OP_GET_SUPPORTED_LOGS, no_req, struct cxlfm_get_supported_logs_rsp,
	    dec_get_supported_logs),
	DEC(CXLFM_OP_GET_LOG, struct cxlfm_get_log_req, struct cxlfm_get_log_rsp, dec_get_log),
	DEC(CXLFM_OP_GET_EVENT_RECORDS, struct cxlfm_get_event_records_req,
	    struct cxlfm_get_event_records_rsp, dec_get_event_records),
	DEC(CXLFM_OP_GET_DC_CONFIG, struct cxlfm_get_dc_config_req, struct cxlfm_get_dc_config_rsp,
	    dec_get_dc_config),
	DEC(CXLFM_OP_GET_DC_EXTENT_LIST, struct cxlfm_get_dc_extent_list_req,
	    struct cxlfm_get_dc_extent_list_rsp, dec_get_dc_extent_list),
	DEC(CXLFM_OP_IDENTIFY_SWITCH_DEVICE, no_req, struct cxlfm_identify_switch_device_rsp,
	    dec_identify_switch_device),
	DEC(CXLFM_OP_GET_PHYS_PORT_STATE, struct cxlfm_get_phys_port_state_req,
	    struct cxlfm_get_phys_port_state_rsp, dec_get_phys_port_state),
	DEC(CXLFM_OP_GET_VCS_INFO, struct cxlfm_get_vcs_info_req, struct cxlfm_get_vcs_info_rsp,
	    dec_get_vcs_info),
	DEC(CXLFM_OP_GET_LD_INFO, no_req, struct cxlfm_get_ld_info_rsp, dec_get_ld_info),
	DEC(CXLFM_OP_GET_LD_ALLOCATIONS, struct cxlfm_get_ld_allocations_req,
	    struct cxlfm_get_ld_allocations_rsp, dec_get_ld_allocations),
	DEC(CXLFM_OP_SET_LD_ALLOCATIONS, struct cxlfm_set_ld_allocations_req,
	    struct cxlfm_set_ld_allocations_rsp, dec_set_ld_allocations),
	DEC(CXLFM_OP_GET_DCD_INFO, no_req, struct cxlfm_get_dcd_info_rsp, dec_get_dcd_info),
	DEC(CXLFM_OP_GET_HOST_DC_REGION_CONFIG, struct cxlfm_get_host_dc_region_config_req,
	    struct cxlfm_get_host_dc_region_config_rsp, dec_get_host_dc_region_config),
	DEC(CXLFM_OP_GET_DC_REGION_EXTENT_LISTS, struct cxlfm_get_dc_region_extent_lists_req,
	    struct cxlfm_get_dc_region_extent_lists_rsp, dec_get_dc_region_extent_lists),
};

/* fmapi.c's decoders, then those of the other files, in this order. */
const struct cxlfm_decoder *cxlfm_decoder_at(size_t i)
{
	static const struct cxlfm_decoder *(*const more[])(size_t) = {
		cxlfm_media_decoder_at, cxlfm_memdev_decoder_at, cxlfm_qos_decoder_at,
		cxlfm_fabric_decoder_at, cxlfm_cxlio_decoder_at,
	};
	size_t n = sizeof(decoders) / sizeof(decoders[0]);

	if (i < n)
		return &decoders[i];
	i -= n;
	for (size_t k = 0; k < sizeof(more) / sizeof(more[0]); k++) {
		size_t m = 0;

		while (more[k](m))
			m++;
		if (i < m)
			return more[k](i);
		i -= m;
	}
	return NULL;
}

const struct cxlfm_decoder *cxlfm_decoder_find(uint16_t opcode)
{
	const struct cxlfm_decoder *d;

	for (size_t i = 0; (d = cxlfm_decoder_at(i)); i++)
		if (d->opcode == opcode)
			return d;
	return NULL;
}

/* ---- background operations ---- */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int cxlfm_bg_wait(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		  unsigned timeout_ms, uint16_t *op_rc)
{
	uint64_t deadline = mono_ms() + (timeout_ms ? timeout_ms : CXLFM_DEFAULT_TIMEOUT_MS);
	long pause_us = 500;

	for (;;) {
		struct cxlfm_bg_op_status_rsp st;
		int rc = cxlfm_cmd_bg_op_status(ep, tun, &st);

		if (rc)
			return rc;
		if (!st.running) {
			if (op_rc)
				*op_rc = st.rc;
			return 0;
		}
		if (mono_ms() >= deadline)
			return -ETIMEDOUT;
		/* Back off from 0.5 ms to 20 ms between polls. */
		nanosleep(&(struct timespec){ .tv_nsec = pause_us * 1000 }, NULL);
		if (pause_us < 20000)
			pause_us *= 2;
	}
}
