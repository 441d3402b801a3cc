/* SPDX-License-Identifier: MIT */
/*
 * Domain validation, event interrupt policy and the Fabric Management event
 * record decoders (include/cxlfm/fabric.h). Requests are encoded with
 * explicit stores; answers are checked against their length before a byte
 * is read.
 */
#include "cxlfm/fabric.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "lib/private.h"
#include "proto/commands.h"
#include "proto/records.h"

const uint8_t cxlfm_phys_switch_event_uuid[16] = CXLFM_PHYS_SW_EVENT_UUID_INIT;
const uint8_t cxlfm_vcs_event_uuid[16] = CXLFM_VCS_EVENT_UUID_INIT;
const uint8_t cxlfm_mld_port_event_uuid[16] = CXLFM_MLD_PORT_EVENT_UUID_INIT;

int cxlfm_query(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t op,
		const void *in, size_t in_len, const void *req,
		int (*dec)(const void *req, const uint8_t *p, size_t len, void *rsp), void *rsp)
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

/* No request to check against: what the device answers stands alone. */
static int query(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t op,
		 const void *in, size_t in_len,
		 int (*dec)(const void *req, const uint8_t *p, size_t len, void *rsp), void *rsp)
{
	return cxlfm_query(ep, tun, op, in, in_len, NULL, dec, rsp);
}

static int dec_sv_state(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_dv_sv_state_rsp *r = out;

	(void)req;
	static_assert(CXL_OUT_GET_DOMAIN_VALIDATION_SV_STATE ==
		      CXL_OUT_GET_VCS_DOMAIN_VALIDATION_SV_STATE, "one decoder");
	if (len != CXL_OUT_GET_DOMAIN_VALIDATION_SV_STATE)
		return -EBADMSG;
	r->state = p[0];
	return 0;
}

static int dec_sv(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_get_domain_validation_sv_rsp *r = out;

	(void)req;
	if (len != CXL_OUT_GET_DOMAIN_VALIDATION_SV)
		return -EBADMSG;
	memcpy(r->sv, p, sizeof(r->sv));
	return 0;
}

int cxlfm_cmd_get_domain_validation_sv_state(struct cxlfm_ep *ep,
					     const struct cxlfm_tunnel *tun,
					     struct cxlfm_dv_sv_state_rsp *rsp)
{
	return query(ep, tun, CXLFM_OP_GET_DOMAIN_VALIDATION_SV_STATE, NULL, 0, dec_sv_state,
		     rsp);
}

int cxlfm_cmd_set_domain_validation_sv(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				       const struct cxlfm_set_domain_validation_sv_req *req)
{
	static_assert(sizeof(req->sv) == CXL_IN_SET_DOMAIN_VALIDATION_SV, "layout");
	return query(ep, tun, CXLFM_OP_SET_DOMAIN_VALIDATION_SV, req->sv, sizeof(req->sv), NULL,
		     NULL);
}

int cxlfm_cmd_get_vcs_domain_validation_sv_state(struct cxlfm_ep *ep,
						 const struct cxlfm_tunnel *tun,
						 const struct cxlfm_vcs_req *req,
						 struct cxlfm_dv_sv_state_rsp *rsp)
{
	return query(ep, tun, CXLFM_OP_GET_VCS_DOMAIN_VALIDATION_SV_STATE, &req->vcs_id, 1,
		     dec_sv_state, rsp);
}

int cxlfm_cmd_get_domain_validation_sv(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				       const struct cxlfm_vcs_req *req,
				       struct cxlfm_get_domain_validation_sv_rsp *rsp)
{
	return query(ep, tun, CXLFM_OP_GET_DOMAIN_VALIDATION_SV, &req->vcs_id, 1, dec_sv, rsp);
}

/* Get Event Interrupt Policy: 5 bytes (r3.0 on; 4 before the DC log). */
static int dec_int_policy(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_event_int_policy *r = out;

	(void)req;
	if (len != CXL_OUT_GET_EVENT_INT_POLICY && len != CXL_OUT_GET_EVENT_INT_POLICY - 1)
		return -EBADMSG;
	memset(r->settings, 0, sizeof(r->settings));
	memcpy(r->settings, p, len);
	r->num_settings = (uint8_t)len;
	return 0;
}

int cxlfm_cmd_get_event_int_policy(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				   struct cxlfm_event_int_policy *rsp)
{
	return query(ep, tun, CXLFM_OP_GET_EVENT_INT_POLICY, NULL, 0, dec_int_policy, rsp);
}

int cxlfm_cmd_set_event_int_policy(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				   const struct cxlfm_event_int_policy *req)
{
	if (req->num_settings != 4 && req->num_settings != 5)
		return -EINVAL;
	return query(ep, tun, CXLFM_OP_SET_EVENT_INT_POLICY, req->settings, req->num_settings,
		     NULL, NULL);
}

/* ---- event records ---- */

int cxlfm_phys_switch_event_decode(const struct cxlfm_event_record *rec,
				   struct cxlfm_phys_switch_event *out)
{
	struct rec_phys_sw_event e;

	static_assert(sizeof(rec->data) == REC_EVENT_LEN - REC_EVENT_HDR_LEN, "record body");
	if (memcmp(rec->uuid, cxlfm_phys_switch_event_uuid, 16))
		return -EINVAL;
	rec_phys_sw_event_get(rec->data, &e);
	*out = (struct cxlfm_phys_switch_event){
		.type = e.type,
		.slot_status = e.slot_status,
		.port = {
			.port_id = e.port_id, .config_state = e.config_state,
			.connected_dev_mode = e.conn_mode, .connected_dev_type = e.dev_type,
			.supported_cxl_modes = e.cxl_modes, .max_link_width = e.max_width,
			.negotiated_link_width = e.neg_width, .supported_link_speeds = e.speeds,
			.max_link_speed = e.max_speed, .current_link_speed = e.cur_speed,
			.ltssm_state = e.ltssm, .first_negotiated_lane = e.first_lane,
			.link_state_flags = e.link_flags,
		},
	};
	return 0;
}

int cxlfm_vcs_event_decode(const struct cxlfm_event_record *rec, struct cxlfm_vcs_event *out)
{
	struct rec_vcs_event e;

	if (memcmp(rec->uuid, cxlfm_vcs_event_uuid, 16))
		return -EINVAL;
	rec_vcs_event_get(rec->data, &e);
	*out = (struct cxlfm_vcs_event){
		.vcs_id = e.vcs_id, .vppb_id = e.vppb_id, .type = e.type,
		.vppb = { .status = e.binding_status, .port_id = e.port_id, .ld_id = e.ld_id },
		.link_control = e.link_control, .slot_control = e.slot_control,
	};
	return 0;
}

int cxlfm_mld_port_event_decode(const struct cxlfm_event_record *rec,
				struct cxlfm_mld_port_event *out)
{
	struct rec_mld_port_event e;

	if (memcmp(rec->uuid, cxlfm_mld_port_event_uuid, 16))
		return -EINVAL;
	rec_mld_port_event_get(rec->data, &e);
	out->type = e.type;
	out->port_id = e.port_id;
	memcpy(out->msg, e.msg, sizeof(out->msg));
	return 0;
}

/* ---- the decoders as a table, for tests and the fuzz target (lib/private.h) ---- */

#define DEC(op, req_t, rsp_t, fn) { op, sizeof(req_t), sizeof(rsp_t), fn }
typedef uint8_t no_req;

static const struct cxlfm_decoder decoders[] = {
	DEC(CXLFM_OP_GET_EVENT_INT_POLICY, no_req, struct cxlfm_event_int_policy, dec_int_policy),
	DEC(CXLFM_OP_GET_DOMAIN_VALIDATION_SV_STATE, no_req, struct cxlfm_dv_sv_state_rsp,
	    dec_sv_state),
	DEC(CXLFM_OP_GET_VCS_DOMAIN_VALIDATION_SV_STATE, struct cxlfm_vcs_req,
	    struct cxlfm_dv_sv_state_rsp, dec_sv_state),
	DEC(CXLFM_OP_GET_DOMAIN_VALIDATION_SV, struct cxlfm_vcs_req,
	    struct cxlfm_get_domain_validation_sv_rsp, dec_sv),
};

const struct cxlfm_decoder *cxlfm_fabric_decoder_at(size_t i)
{
	return i < sizeof(decoders) / sizeof(decoders[0]) ? &decoders[i] : NULL;
}
