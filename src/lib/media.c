/* SPDX-License-Identifier: MIT */
/*
 * Typed media, security and SLD QoS calls (include/cxlfm/media.h). Requests
 * are encoded with explicit little-endian stores; each response is checked
 * against its layout before a byte of it is read.
 */
#include "cxlfm/media.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "lib/private.h"
#include "proto/cci.h"
#include "proto/commands.h"
#include "proto/le.h"

#define LINE 64u
#define ERR_REC 16u
#define POISON_HDR CXL_OUT_GET_POISON_LIST
#define SCAN_HDR CXL_OUT_GET_SCAN_MEDIA_RESULTS
#define MORE_ROUNDS 4096u /* Get Poison List rounds before a device is judged to loop */

#define DPA_FLAGS 0x3fu /* Physical Address bits[5:0] of a media event record */

const uint8_t cxlfm_gen_media_event_uuid[16] = CXLFM_GEN_MEDIA_EVENT_UUID_INIT;
const uint8_t cxlfm_dram_event_uuid[16] = CXLFM_DRAM_EVENT_UUID_INIT;

static_assert(CXLFM_MEDIA_ERR_MAX * ERR_REC + POISON_HDR >= CXLFM_MSG_MAX - 16, "records");

struct media_rsp {
	uint8_t b[CXLFM_MSG_MAX];
	size_t len;
};

static int media_run(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t opcode,
		     const void *in, size_t in_len, struct media_rsp *r)
{
	r->len = 0;
	return ep ? cxlfm_cmd(ep, tun, opcode, in, in_len, r->b, sizeof(r->b), &r->len) : -EINVAL;
}

/* Success (or started in the background) with no payload; a payload is malformed. */
static int no_payload(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t opcode,
		      const void *in, size_t in_len)
{
	struct media_rsp r;
	int rc = media_run(ep, tun, opcode, in, in_len, &r);

	if (rc == CXL_RC_SUCCESS || rc == CXL_RC_BG_STARTED)
		return r.len ? -EBADMSG : rc;
	return rc;
}

/* n Media Error Records at p: address bits[2:0] the source, length in lines. */
static void get_records(const uint8_t *p, size_t n, struct cxlfm_media_err *e)
{
	for (size_t i = 0; i < n; i++, p += ERR_REC) {
		uint64_t a = le64_get(p);

		e[i].dpa = a & ~(uint64_t)(LINE - 1);
		e[i].source = (uint8_t)(a & 7u);
		e[i].length = (uint64_t)le32_get(p + 8) * LINE;
	}
}

/* n records after hdr bytes: they must fill the payload exactly. */
static int records_ok(size_t len, size_t hdr, size_t n)
{
	return n <= CXLFM_MEDIA_ERR_MAX && len == hdr + n * ERR_REC ? 0 : -EBADMSG;
}

static int dec_poison_list(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_get_poison_list_rsp *rsp = out;
	uint16_t n;

	(void)req;
	if (len < POISON_HDR)
		return -EBADMSG;
	n = le16_get(p + 10);
	if (records_ok(len, POISON_HDR, n))
		return -EBADMSG;
	rsp->flags = p[0];
	rsp->overflow_ts = le64_get(p + 2);
	rsp->num_records = n;
	get_records(p + POISON_HDR, n, rsp->records);
	return 0;
}

/* A length in bytes as 64-byte lines: a multiple of 64, or -EINVAL. */
static int put_range(uint8_t *b, uint64_t start, uint64_t length)
{
	if (length % LINE)
		return -EINVAL;
	le64_put(b, start);
	le64_put(b + 8, length / LINE);
	return 0;
}

/* A request of a DPA range (start, 64-byte lines) answered with what dec decodes. */
static int range_query(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t opcode,
		       uint64_t start, uint64_t length,
		       int (*dec)(const void *, const uint8_t *, size_t, void *), void *rsp)
{
	uint8_t in[16];
	struct media_rsp r;
	int rc = put_range(in, start, length);

	if (!rc)
		rc = media_run(ep, tun, opcode, in, sizeof(in), &r);
	return rc ? rc : dec(NULL, r.b, r.len, rsp);
}

int cxlfm_cmd_get_poison_list(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      const struct cxlfm_get_poison_list_req *req,
			      struct cxlfm_get_poison_list_rsp *rsp)
{
	static_assert(CXL_IN_GET_POISON_LIST == 16, "a range");
	return range_query(ep, tun, CXLFM_OP_GET_POISON_LIST, req->start_dpa, req->length,
			   dec_poison_list, rsp);
}

int cxlfm_poison_list(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint64_t start_dpa,
		      uint64_t length, struct cxlfm_media_err *recs, size_t max, size_t *n,
		      uint8_t *flags, uint64_t *overflow_ts)
{
	const struct cxlfm_get_poison_list_req req = { start_dpa, length };
	struct cxlfm_get_poison_list_rsp rsp;
	size_t got = 0;
	int rc;

	for (unsigned round = 0; round < MORE_ROUNDS; round++) {
		rc = cxlfm_cmd_get_poison_list(ep, tun, &req, &rsp);
		if (rc)
			return rc;
		for (size_t i = 0; i < rsp.num_records; i++, got++)
			if (got < max)
				recs[got] = rsp.records[i];
		if (!(rsp.flags & CXLFM_POISON_MORE)) {
			*n = got;
			if (flags)
				*flags = rsp.flags;
			if (overflow_ts)
				*overflow_ts = rsp.overflow_ts;
			return 0;
		}
		if (!rsp.num_records)
			return -EBADMSG;
	}
	return -EBADMSG;
}

static int line_cmd(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t opcode,
		    uint64_t dpa, const uint8_t *data)
{
	uint8_t in[CXL_IN_CLEAR_POISON];

	le64_put(in, dpa);
	if (data)
		memcpy(in + 8, data, LINE);
	return no_payload(ep, tun, opcode, in, data ? CXL_IN_CLEAR_POISON : CXL_IN_INJECT_POISON);
}

int cxlfm_cmd_inject_poison(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			    const struct cxlfm_inject_poison_req *req)
{
	return line_cmd(ep, tun, CXLFM_OP_INJECT_POISON, req->dpa, NULL);
}

int cxlfm_cmd_clear_poison(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			   const struct cxlfm_clear_poison_req *req)
{
	return line_cmd(ep, tun, CXLFM_OP_CLEAR_POISON, req->dpa, req->data);
}

static int dec_scan_caps(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_get_scan_media_caps_rsp *rsp = out;

	(void)req;
	if (len != CXL_OUT_GET_SCAN_MEDIA_CAPS)
		return -EBADMSG;
	rsp->estimated_ms = le32_get(p);
	return 0;
}

int cxlfm_cmd_get_scan_media_caps(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				  const struct cxlfm_get_scan_media_caps_req *req,
				  struct cxlfm_get_scan_media_caps_rsp *rsp)
{
	static_assert(CXL_IN_GET_SCAN_MEDIA_CAPS == 16, "a range");
	return range_query(ep, tun, CXLFM_OP_GET_SCAN_MEDIA_CAPS, req->start_dpa, req->length,
			   dec_scan_caps, rsp);
}

int cxlfm_cmd_scan_media(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			 const struct cxlfm_scan_media_req *req)
{
	uint8_t in[CXL_IN_SCAN_MEDIA];
	int rc = put_range(in, req->start_dpa, req->length);

	in[16] = req->no_event_log ? 1 : 0;
	return rc ? rc : no_payload(ep, tun, CXLFM_OP_SCAN_MEDIA, in, sizeof(in));
}

static int dec_scan_results(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_get_scan_media_results_rsp *rsp = out;
	uint64_t lines;
	uint16_t n;

	(void)req;
	if (len < SCAN_HDR)
		return -EBADMSG;
	n = le16_get(p + 18);
	lines = le64_get(p + 8);
	if (records_ok(len, SCAN_HDR, n) || lines > UINT64_MAX / LINE)
		return -EBADMSG;
	rsp->restart_dpa = le64_get(p);
	rsp->restart_length = lines * LINE;
	rsp->flags = p[16];
	rsp->num_records = n;
	get_records(p + SCAN_HDR, n, rsp->records);
	return 0;
}

int cxlfm_cmd_get_scan_media_results(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				     struct cxlfm_get_scan_media_results_rsp *rsp)
{
	struct media_rsp r;
	int rc = media_run(ep, tun, CXLFM_OP_GET_SCAN_MEDIA_RESULTS, NULL, 0, &r);

	return rc ? rc : dec_scan_results(NULL, r.b, r.len, rsp);
}

int cxlfm_cmd_sanitize(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun)
{
	return no_payload(ep, tun, CXLFM_OP_SANITIZE, NULL, 0);
}

int cxlfm_cmd_secure_erase(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun)
{
	return no_payload(ep, tun, CXLFM_OP_SECURE_ERASE, NULL, 0);
}

static int dec_security_state(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_get_security_state_rsp *rsp = out;

	(void)req;
	if (len != CXL_OUT_GET_SECURITY_STATE)
		return -EBADMSG;
	rsp->state = le32_get(p);
	return 0;
}

int cxlfm_cmd_get_security_state(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 struct cxlfm_get_security_state_rsp *rsp)
{
	struct media_rsp r;
	int rc = media_run(ep, tun, CXLFM_OP_GET_SECURITY_STATE, NULL, 0, &r);

	return rc ? rc : dec_security_state(NULL, r.b, r.len, rsp);
}

static int dec_sld_qos_control(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_sld_qos_control *rsp = out;

	(void)req;
	if (len != CXL_OUT_GET_SLD_QOS_CONTROL)
		return -EBADMSG;
	rsp->control = p[0];
	rsp->egress_moderate_pct = p[1];
	rsp->egress_severe_pct = p[2];
	rsp->sample_interval = p[3];
	return 0;
}

int cxlfm_cmd_get_sld_qos_control(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				  struct cxlfm_sld_qos_control *rsp)
{
	struct media_rsp r;
	int rc = media_run(ep, tun, CXLFM_OP_GET_SLD_QOS_CONTROL, NULL, 0, &r);

	return rc ? rc : dec_sld_qos_control(NULL, r.b, r.len, rsp);
}

int cxlfm_cmd_set_sld_qos_control(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				  const struct cxlfm_sld_qos_control *req)
{
	const uint8_t in[CXL_IN_SET_SLD_QOS_CONTROL] = {
		req->control, req->egress_moderate_pct, req->egress_severe_pct,
		req->sample_interval,
	};

	return no_payload(ep, tun, CXLFM_OP_SET_SLD_QOS_CONTROL, in, sizeof(in));
}

static int dec_sld_qos_status(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_get_sld_qos_status_rsp *rsp = out;

	(void)req;
	if (len != CXL_OUT_GET_SLD_QOS_STATUS || p[0] > 100)
		return -EBADMSG;
	rsp->backpressure_avg_pct = p[0];
	return 0;
}

int cxlfm_cmd_get_sld_qos_status(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 struct cxlfm_get_sld_qos_status_rsp *rsp)
{
	struct media_rsp r;
	int rc = media_run(ep, tun, CXLFM_OP_GET_SLD_QOS_STATUS, NULL, 0, &r);

	return rc ? rc : dec_sld_qos_status(NULL, r.b, r.len, rsp);
}

/* ---- General Media and DRAM Event Records ---- */

/*
 * Offsets into a record's 80 bytes after its header (cxlfm_event_record's
 * data, record byte 30h on): CXL r3.1 Table 8-45 (General Media) and
 * Table 8-46 (DRAM). Both begin 0:8 Physical Address (bits[5:0] flags: bit0
 * volatile, bit1 not repairable), 8 memory event descriptor, 9 memory event
 * type, 10 transaction type, 11:2 validity flags, 13 channel, 14 rank.
 * General Media then: 15:3 device, 18:16 component identifier, 34 advanced
 * programmable corrected memory error threshold event flags, 35:3 corrected
 * memory error count at event, 38 memory event sub-type. DRAM: 15:3 nibble
 * mask, 18 bank group, 19 bank, 20:3 row, 23:2 column, 25:32 correction
 * mask (four 8-byte masks), 57:16 component identifier, 73 sub-channel, 74
 * the threshold event flags, 75:3 corrected volatile memory error count at
 * event, 78 memory event sub-type, 79 reserved.
 */
static_assert(sizeof(((struct cxlfm_event_record *)0)->data) == 80, "record body");

static void media_event(const uint8_t *b, struct cxlfm_media_event *out)
{
	uint64_t addr = le64_get(b);

	out->dpa = addr & ~(uint64_t)DPA_FLAGS;
	out->dpa_flags = (uint8_t)(addr & DPA_FLAGS);
	out->descriptor = b[8];
	out->type = b[9];
	out->transaction_type = b[10];
	out->validity = le16_get(b + 11);
	out->channel = b[13];
	out->rank = b[14];
}

int cxlfm_gen_media_event_decode(const struct cxlfm_event_record *rec,
				 struct cxlfm_gen_media_event *out)
{
	const uint8_t *b = rec ? rec->data : NULL;

	if (!rec || !out || memcmp(rec->uuid, cxlfm_gen_media_event_uuid, 16))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	media_event(b, &out->media);
	out->device = le24_get(b + 15);
	memcpy(out->component_id, b + 18, sizeof(out->component_id));
	out->cme_flags = b[34];
	out->cme_count = le24_get(b + 35);
	out->sub_type = b[38];
	return 0;
}

int cxlfm_dram_event_decode(const struct cxlfm_event_record *rec, struct cxlfm_dram_event *out)
{
	const uint8_t *b = rec ? rec->data : NULL;

	if (!rec || !out || memcmp(rec->uuid, cxlfm_dram_event_uuid, 16))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	media_event(b, &out->media);
	out->nibble_mask = le24_get(b + 15);
	out->bank_group = b[18];
	out->bank = b[19];
	out->row = le24_get(b + 20);
	out->column = le16_get(b + 23);
	for (unsigned i = 0; i < CXLFM_DRAM_CORRECTION_MASKS; i++)
		out->correction_mask[i] = le64_get(b + 25 + 8 * i);
	memcpy(out->component_id, b + 57, sizeof(out->component_id));
	out->sub_channel = b[73];
	out->cme_flags = b[74];
	out->cvme_count = le24_get(b + 75);
	out->sub_type = b[78];
	return 0;
}

/* The decoders for tests and the fuzz target (lib/private.h). */
struct no_media_req {
	uint8_t unused;
};
#define MDEC(op, req, rsp, fn) { (op), sizeof(req), sizeof(rsp), (fn) }
static const struct cxlfm_decoder media_decoders[] = {
	MDEC(CXLFM_OP_GET_POISON_LIST, struct cxlfm_get_poison_list_req,
	     struct cxlfm_get_poison_list_rsp, dec_poison_list),
	MDEC(CXLFM_OP_GET_SCAN_MEDIA_CAPS, struct cxlfm_get_scan_media_caps_req,
	     struct cxlfm_get_scan_media_caps_rsp, dec_scan_caps),
	MDEC(CXLFM_OP_GET_SCAN_MEDIA_RESULTS, struct no_media_req,
	     struct cxlfm_get_scan_media_results_rsp, dec_scan_results),
	MDEC(CXLFM_OP_GET_SECURITY_STATE, struct no_media_req,
	     struct cxlfm_get_security_state_rsp, dec_security_state),
	MDEC(CXLFM_OP_GET_SLD_QOS_CONTROL, struct no_media_req, struct cxlfm_sld_qos_control,
	     dec_sld_qos_control),
	MDEC(CXLFM_OP_GET_SLD_QOS_STATUS, struct no_media_req,
	     struct cxlfm_get_sld_qos_status_rsp, dec_sld_qos_status),
};

const struct cxlfm_decoder *cxlfm_media_decoder_at(size_t i)
{
	return i < sizeof(media_decoders) / sizeof(media_decoders[0]) ? &media_decoders[i] : NULL;
}
