/* SPDX-License-Identifier: MIT */
/*
 * Typed memory device calls (include/cxlfm/memdev.h). Each encodes its
 * request with explicit little-endian stores, runs it with cxlfm_cmd() and
 * hands the answer to a decoder that checks its length against the layout
 * before it reads a byte.
 */
#include "cxlfm/memdev.h"

#include <errno.h>
#include <string.h>

#include "lib/private.h"
#include "proto/cci.h"
#include "proto/commands.h"
#include "proto/le.h"
#include "proto/records.h"

#define UNIT_SHIFT 28 /* 256 MiB */

const uint8_t cxlfm_mem_module_event_uuid[16] = CXLFM_MEM_MODULE_EVENT_UUID_INIT;

typedef int (*decode_fn)(const void *req, const uint8_t *p, size_t len, void *rsp);

/*
 * Run op with in[in_len]; a success is decoded by dec into rsp, or must have
 * no payload when dec is NULL. Non-success return codes pass through.
 */
static int query(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t op,
		 const void *in, size_t in_len, const void *req, decode_fn dec, void *rsp)
{
	uint8_t buf[CXLFM_MSG_MAX];
	size_t len = 0;
	int rc;

	if (!ep)
		return -EINVAL;
	rc = cxlfm_cmd(ep, tun, op, in, in_len, buf, sizeof(buf), &len);
	if (rc)
		return rc;
	if (!dec)
		return len ? -EBADMSG : 0;
	return dec(req, buf, len, rsp);
}

/* 256 MiB units to bytes; false if it does not fit 64 bits. */
static bool units(uint64_t u, uint64_t *bytes)
{
	if (u > UINT64_MAX >> UNIT_SHIFT)
		return false;
	*bytes = u << UNIT_SHIFT;
	return true;
}

static int dec_identify_memdev(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_identify_memdev_rsp *r = out;

	(void)req;
	if (len != CXL_OUT_IDENTIFY_MEMORY_DEVICE ||
	    !units(le64_get(p + 0x10), &r->total_capacity) ||
	    !units(le64_get(p + 0x18), &r->volatile_only) ||
	    !units(le64_get(p + 0x20), &r->persistent_only) ||
	    !units(le64_get(p + 0x28), &r->partition_align))
		return -EBADMSG;
	memcpy(r->fw_revision, p, 16);
	r->fw_revision[16] = 0;
	for (int i = 0; i < 4; i++)
		r->event_log_size[i] = le16_get(p + 0x30 + 2 * i);
	r->lsa_size = le32_get(p + 0x38);
	r->poison_list_max = le24_get(p + 0x3c);
	r->inject_poison_limit = le16_get(p + 0x3f);
	r->poison_caps = p[0x41];
	r->qos_telemetry_caps = p[0x42];
	r->dc_event_log_size = le16_get(p + 0x43);
	return 0;
}

int cxlfm_cmd_identify_memdev(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      struct cxlfm_identify_memdev_rsp *rsp)
{
	return query(ep, tun, CXLFM_OP_IDENTIFY_MEMORY_DEVICE, NULL, 0, NULL,
		     dec_identify_memdev, rsp);
}

static int dec_partition_info(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_partition_info_rsp *r = out;

	(void)req;
	if (len != CXL_OUT_GET_PARTITION_INFO || !units(le64_get(p), &r->active_volatile) ||
	    !units(le64_get(p + 8), &r->active_persistent) ||
	    !units(le64_get(p + 16), &r->next_volatile) ||
	    !units(le64_get(p + 24), &r->next_persistent))
		return -EBADMSG;
	return 0;
}

int cxlfm_cmd_get_partition_info(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 struct cxlfm_partition_info_rsp *rsp)
{
	return query(ep, tun, CXLFM_OP_GET_PARTITION_INFO, NULL, 0, NULL, dec_partition_info,
		     rsp);
}

int cxlfm_cmd_set_partition_info(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 const struct cxlfm_set_partition_info_req *req)
{
	uint8_t in[CXL_IN_SET_PARTITION_INFO];

	if (req->volatile_bytes & ((1ull << UNIT_SHIFT) - 1))
		return -EINVAL;
	le64_put(in, req->volatile_bytes >> UNIT_SHIFT);
	in[8] = req->immediate ? 0x01 : 0x00;
	return query(ep, tun, CXLFM_OP_SET_PARTITION_INFO, in, sizeof(in), NULL, NULL, NULL);
}

static int dec_get_lsa(const void *in, const uint8_t *p, size_t len, void *out)
{
	const struct cxlfm_get_lsa_req *req = in;
	struct cxlfm_get_lsa_rsp *r = out;

	if (len != req->length || len > CXLFM_LSA_DATA_MAX)
		return -EBADMSG;
	r->length = (uint32_t)len;
	memcpy(r->data, p, len);
	return 0;
}

int cxlfm_cmd_get_lsa(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		      const struct cxlfm_get_lsa_req *req, struct cxlfm_get_lsa_rsp *rsp)
{
	uint8_t in[CXL_IN_GET_LSA];

	if (req->length > CXLFM_LSA_DATA_MAX)
		return -EINVAL;
	le32_put(in, req->offset);
	le32_put(in + 4, req->length);
	return query(ep, tun, CXLFM_OP_GET_LSA, in, sizeof(in), req, dec_get_lsa, rsp);
}

int cxlfm_cmd_set_lsa(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		      const struct cxlfm_set_lsa_req *req)
{
	uint8_t in[CXLFM_MSG_MAX];

	if (req->length > sizeof(in) - CXL_IN_SET_LSA)
		return -EMSGSIZE;
	if (req->length && !req->data)
		return -EINVAL;
	memset(in, 0, CXL_IN_SET_LSA);
	le32_put(in, req->offset);
	if (req->length)
		memcpy(in + CXL_IN_SET_LSA, req->data, req->length);
	return query(ep, tun, CXLFM_OP_SET_LSA, in, CXL_IN_SET_LSA + req->length, NULL, NULL,
		     NULL);
}

static void health_from_rec(const struct rec_health_info *h, struct cxlfm_health_info *r)
{
	*r = (struct cxlfm_health_info){
		.health_status = h->health_status,
		.media_status = h->media_status,
		.additional_status = h->additional_status,
		.life_used = h->life_used,
		.temperature = h->temperature,
		.dirty_shutdown_count = h->dirty_shutdown_count,
		.corrected_volatile_errors = h->corrected_volatile_errors,
		.corrected_persistent_errors = h->corrected_persistent_errors,
	};
}

static int dec_health_info(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct rec_health_info h;

	(void)req;
	if (len != CXL_OUT_GET_HEALTH_INFO)
		return -EBADMSG;
	rec_health_info_get(p, &h);
	health_from_rec(&h, out);
	return 0;
}

int cxlfm_cmd_get_health_info(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      struct cxlfm_health_info *rsp)
{
	return query(ep, tun, CXLFM_OP_GET_HEALTH_INFO, NULL, 0, NULL, dec_health_info, rsp);
}

static int dec_alert_config(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_alert_config *r = out;

	(void)req;
	if (len != CXL_OUT_GET_ALERT_CONFIG)
		return -EBADMSG;
	r->valid_alerts = p[0];
	r->programmable_alerts = p[1];
	r->life_used_crit = p[2];
	r->life_used_warn = p[3];
	r->over_temp_crit = (int16_t)le16_get(p + 4);
	r->under_temp_crit = (int16_t)le16_get(p + 6);
	r->over_temp_warn = (int16_t)le16_get(p + 8);
	r->under_temp_warn = (int16_t)le16_get(p + 10);
	r->cor_volatile_warn = le16_get(p + 12);
	r->cor_persistent_warn = le16_get(p + 14);
	return 0;
}

int cxlfm_cmd_get_alert_config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			       struct cxlfm_alert_config *rsp)
{
	return query(ep, tun, CXLFM_OP_GET_ALERT_CONFIG, NULL, 0, NULL, dec_alert_config, rsp);
}

int cxlfm_cmd_set_alert_config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			       const struct cxlfm_set_alert_config_req *req)
{
	uint8_t in[CXL_IN_SET_ALERT_CONFIG] = { req->valid, req->enable, req->life_used_warn };

	le16_put(in + 4, (uint16_t)req->over_temp_warn);
	le16_put(in + 6, (uint16_t)req->under_temp_warn);
	le16_put(in + 8, req->cor_volatile_warn);
	le16_put(in + 10, req->cor_persistent_warn);
	return query(ep, tun, CXLFM_OP_SET_ALERT_CONFIG, in, sizeof(in), NULL, NULL, NULL);
}

static int dec_shutdown_state(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_shutdown_state *r = out;

	(void)req;
	if (len != CXL_OUT_GET_SHUTDOWN_STATE)
		return -EBADMSG;
	r->dirty = p[0] & 0x01;
	return 0;
}

int cxlfm_cmd_get_shutdown_state(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 struct cxlfm_shutdown_state *rsp)
{
	return query(ep, tun, CXLFM_OP_GET_SHUTDOWN_STATE, NULL, 0, NULL, dec_shutdown_state,
		     rsp);
}

int cxlfm_cmd_set_shutdown_state(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 const struct cxlfm_shutdown_state *req)
{
	uint8_t in = req->dirty ? 0x01 : 0x00;

	return query(ep, tun, CXLFM_OP_SET_SHUTDOWN_STATE, &in, 1, NULL, NULL, NULL);
}

int cxlfm_mem_module_event_decode(const struct cxlfm_event_record *rec,
				  struct cxlfm_mem_module_event *out)
{
	struct rec_mem_module_event e;

	if (memcmp(rec->uuid, cxlfm_mem_module_event_uuid, 16))
		return -EINVAL;
	rec_mem_module_event_get(rec->data, &e); /* data[0] is record byte 30h */
	out->type = e.type;
	health_from_rec(&e.health, &out->health);
	out->validity = e.validity;
	memcpy(out->component_id, e.component_id, sizeof(out->component_id));
	out->sub_type = e.sub_type;
	return 0;
}

/* ---- the decoders as a table, for tests and the fuzz target (lib/private.h) ---- */

#define DEC(op, req_t, rsp_t, fn) { op, sizeof(req_t), sizeof(rsp_t), fn }
typedef uint8_t no_req;

static const struct cxlfm_decoder decoders[] = {
	DEC(CXLFM_OP_IDENTIFY_MEMORY_DEVICE, no_req, struct cxlfm_identify_memdev_rsp,
	    dec_identify_memdev),
	DEC(CXLFM_OP_GET_PARTITION_INFO, no_req, struct cxlfm_partition_info_rsp,
	    dec_partition_info),
	DEC(CXLFM_OP_GET_LSA, struct cxlfm_get_lsa_req, struct cxlfm_get_lsa_rsp, dec_get_lsa),
	DEC(CXLFM_OP_GET_HEALTH_INFO, no_req, struct cxlfm_health_info, dec_health_info),
	DEC(CXLFM_OP_GET_ALERT_CONFIG, no_req, struct cxlfm_alert_config, dec_alert_config),
	DEC(CXLFM_OP_GET_SHUTDOWN_STATE, no_req, struct cxlfm_shutdown_state,
	    dec_shutdown_state),
};

const struct cxlfm_decoder *cxlfm_memdev_decoder_at(size_t i)
{
	return i < sizeof(decoders) / sizeof(decoders[0]) ? &decoders[i] : NULL;
}
