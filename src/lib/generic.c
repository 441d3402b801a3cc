/* SPDX-License-Identifier: MIT */
/*
 * Typed calls for the generic component commands of include/cxlfm/generic.h.
 * As fmapi.c: requests encoded with explicit little-endian stores,
 * responses decoded only after their length is checked against the layout.
 */
#include "cxlfm/generic.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "lib/private.h"
#include "proto/cci.h"
#include "proto/commands.h"
#include "proto/fwpkg.h"
#include "proto/le.h"

#define LOG_ENTRY_LEN 20u
#define FEATURE_ENTRY_LEN 48u
#define FW_XFER_HDR 0x80u
#define FW_XFER_ALIGN 128u
#define SET_FEATURE_HDR 32u
#define TUNNEL_OVERHEAD 16u /* Tunnel Management header + the inner CCI header */

static_assert(CXLFM_FEATURES_MAX * FEATURE_ENTRY_LEN + 8 <= CXLFM_MSG_MAX &&
	      (CXLFM_FEATURES_MAX + 1) * FEATURE_ENTRY_LEN + 8 > CXLFM_MSG_MAX, "feature list");
static_assert(CXLFM_FEATURE_DATA_MAX >= CXLFM_MSG_MAX, "feature data");

const uint8_t cxlfm_vendor_debug_log_uuid[16] = {
	0x5e, 0x18, 0x19, 0xd9, 0x11, 0xa9, 0x40, 0x0c,
	0x81, 0x1f, 0xd6, 0x07, 0x19, 0x40, 0x3d, 0x86,
};
/* 96dad7d6-fde8-482b-a733-75774e06db8a */
const uint8_t cxlfm_feature_patrol_scrub_uuid[16] = {
	0x96, 0xda, 0xd7, 0xd6, 0xfd, 0xe8, 0x48, 0x2b,
	0xa7, 0x33, 0x75, 0x77, 0x4e, 0x06, 0xdb, 0x8a,
};
/* e5b13f22-2328-4a14-b8ba-b9691e893386 */
const uint8_t cxlfm_feature_ecs_uuid[16] = {
	0xe5, 0xb1, 0x3f, 0x22, 0x23, 0x28, 0x4a, 0x14,
	0xb8, 0xba, 0xb9, 0x69, 0x1e, 0x89, 0x33, 0x86,
};

/* A command whose success carries exactly want bytes into out (want 0: none). */
static int exact(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t opcode,
		 const void *in, size_t in_len, uint8_t *out, size_t want)
{
	uint8_t buf[CXLFM_MSG_MAX];
	size_t len = 0;
	int rc;

	if (!ep)
		return -EINVAL;
	rc = cxlfm_cmd(ep, tun, opcode, in, in_len, buf, sizeof(buf), &len);
	if (rc < 0 || (rc != CXL_RC_SUCCESS && rc != CXL_RC_BG_STARTED))
		return rc;
	if (len != want)
		return -EBADMSG;
	if (want)
		memcpy(out, buf, want);
	return rc;
}

int cxlfm_cmd_request_bg_abort(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun)
{
	return exact(ep, tun, CXLFM_OP_BG_OP_ABORT, NULL, 0, NULL, 0);
}

/* ---- MCTP event notifications ---- */

int cxlfm_cmd_get_mctp_event_int_policy(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
					struct cxlfm_mctp_event_int_policy *rsp)
{
	uint8_t out[CXL_OUT_GET_MCTP_EVENT_INT_POLICY];
	int rc = exact(ep, tun, CXLFM_OP_GET_MCTP_EVENT_INT_POLICY, NULL, 0, out, sizeof(out));

	if (!rc)
		rsp->settings = le16_get(out);
	return rc;
}

int cxlfm_cmd_set_mctp_event_int_policy(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
					const struct cxlfm_mctp_event_int_policy *req)
{
	uint8_t in[CXL_IN_SET_MCTP_EVENT_INT_POLICY];

	le16_put(in, req->settings);
	return exact(ep, tun, CXLFM_OP_SET_MCTP_EVENT_INT_POLICY, in, sizeof(in), NULL, 0);
}

/* ---- firmware ---- */

int cxlfm_cmd_get_fw_info(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  struct cxlfm_get_fw_info_rsp *rsp)
{
	uint8_t out[CXL_OUT_GET_FW_INFO];
	int rc = exact(ep, tun, CXLFM_OP_GET_FW_INFO, NULL, 0, out, sizeof(out));

	if (rc)
		return rc;
	/* CXL r3.1 §8.2.9.3.1: 2 to 4 slots; the slot numbers within them */
	if (out[0] < 1 || out[0] > CXLFM_FW_SLOTS_MAX || (out[1] & 7) > out[0] ||
	    ((out[1] >> 3) & 7) > out[0])
		return -EBADMSG;
	memset(rsp, 0, sizeof(*rsp));
	rsp->slots_supported = out[0];
	rsp->active_slot = out[1] & 7;
	rsp->staged_slot = (out[1] >> 3) & 7;
	rsp->online_activation = out[2] & 1;
	for (unsigned i = 0; i < CXLFM_FW_SLOTS_MAX; i++)
		memcpy(rsp->rev[i], out + 0x10 + CXLFM_FW_REV_LEN * i, CXLFM_FW_REV_LEN);
	return 0;
}

int cxlfm_cmd_transfer_fw(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  const struct cxlfm_transfer_fw_req *req)
{
	uint8_t in[CXLFM_MSG_MAX];

	if (req->offset % FW_XFER_ALIGN || (req->len && !req->data))
		return -EINVAL;
	if (req->len > sizeof(in) - FW_XFER_HDR)
		return -EMSGSIZE;
	memset(in, 0, FW_XFER_HDR);
	in[0] = req->action;
	in[1] = req->slot;
	le32_put(in + 4, req->offset / FW_XFER_ALIGN);
	if (req->len)
		memcpy(in + FW_XFER_HDR, req->data, req->len);
	return exact(ep, tun, CXLFM_OP_TRANSFER_FW, in, FW_XFER_HDR + req->len, NULL, 0);
}

int cxlfm_cmd_activate_fw(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  const struct cxlfm_activate_fw_req *req)
{
	uint8_t in[CXL_IN_ACTIVATE_FW] = { req->action, req->slot };

	return exact(ep, tun, CXLFM_OP_ACTIVATE_FW, in, sizeof(in), NULL, 0);
}

/* Largest request payload the component takes (Identify's maximum message size). */
static int msg_limit(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, size_t *limit)
{
	struct cxlfm_identify_rsp id;
	int rc = cxlfm_cmd_identify(ep, tun, &id);

	if (rc)
		return rc;
	if (id.max_msg_size_log2 < 8 || id.max_msg_size_log2 > 20)
		return -EBADMSG;
	*limit = (size_t)1 << id.max_msg_size_log2;
	return 0;
}

/* Send one part and wait for its background operation; its result. */
static int fw_part(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		   const struct cxlfm_transfer_fw_req *req)
{
	uint16_t op_rc = 0;
	int rc = cxlfm_cmd_transfer_fw(ep, tun, req);

	if (rc != CXL_RC_BG_STARTED)
		return rc;
	rc = cxlfm_bg_wait(ep, tun, 0, &op_rc);
	return rc ? rc : op_rc;
}

int cxlfm_fw_update(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint8_t slot,
		    const void *pkg, size_t len)
{
	const uint8_t *p = pkg;
	size_t limit, hop, part, off;
	unsigned levels = tun ? (tun->port >= 0) + (tun->ld >= 0) : 0;
	int rc;

	if (!ep || !pkg || !len || len > UINT32_MAX)
		return -EINVAL;
	/* A part must fit the target and every CCI that tunnels it (each wraps it). */
	rc = msg_limit(ep, levels ? tun : NULL, &limit);
	if (!rc && levels)
		rc = msg_limit(ep, NULL, &hop);
	if (!rc && levels && hop - TUNNEL_OVERHEAD * levels < limit)
		limit = hop - TUNNEL_OVERHEAD * levels;
	if (!rc && levels == 2)
		rc = msg_limit(ep, &(struct cxlfm_tunnel){ tun->port, -1 }, &hop);
	if (!rc && levels == 2 && hop - TUNNEL_OVERHEAD < limit)
		limit = hop - TUNNEL_OVERHEAD;
	if (rc)
		return rc;
	if (limit > CXLFM_MSG_MAX - 1 - CCI_HDR_LEN - TUNNEL_OVERHEAD * levels)
		limit = CXLFM_MSG_MAX - 1 - CCI_HDR_LEN - TUNNEL_OVERHEAD * levels;
	part = (limit - FW_XFER_HDR) / FW_XFER_ALIGN * FW_XFER_ALIGN;
	if (len <= part)
		return fw_part(ep, tun, &(struct cxlfm_transfer_fw_req){
			.action = CXLFM_FW_XFER_FULL, .slot = slot, .data = p, .len = len });
	for (off = 0; off < len; off += part) {
		size_t n = len - off < part ? len - off : part;
		uint8_t action = !off ? CXLFM_FW_XFER_INIT : off + n == len ?
				 CXLFM_FW_XFER_END : CXLFM_FW_XFER_CONTINUE;

		rc = fw_part(ep, tun, &(struct cxlfm_transfer_fw_req){
			.action = action, .slot = slot, .offset = (uint32_t)off, .data = p + off,
			.len = n });
		if (rc) {
			/* leave no partial transfer behind (nothing to abort after End) */
			if (action != CXLFM_FW_XFER_END)
				cxlfm_cmd_transfer_fw(ep, tun, &(struct cxlfm_transfer_fw_req){
					.action = CXLFM_FW_XFER_ABORT });
			return rc;
		}
	}
	return 0;
}

long cxlfm_fw_package(const char *rev, const void *payload, size_t len, void *out,
		      size_t out_max)
{
	if (!rev || !out || (len && !payload))
		return -EINVAL;
	return fwpkg_build(rev, payload, len, out, out_max);
}

/* ---- logs ---- */

int cxlfm_cmd_get_log_caps(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			   const uint8_t uuid[16], struct cxlfm_get_log_caps_rsp *rsp)
{
	uint8_t out[CXL_OUT_GET_LOG_CAPS];
	int rc = exact(ep, tun, CXLFM_OP_GET_LOG_CAPS, uuid, 16, out, sizeof(out));

	if (!rc)
		rsp->flags = le32_get(out);
	return rc;
}

int cxlfm_cmd_clear_log(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			const uint8_t uuid[16])
{
	return exact(ep, tun, CXLFM_OP_CLEAR_LOG, uuid, 16, NULL, 0);
}

int cxlfm_cmd_populate_log(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			   const uint8_t uuid[16])
{
	return exact(ep, tun, CXLFM_OP_POPULATE_LOG, uuid, 16, NULL, 0);
}

int cxlfm_cmd_get_supported_logs_sublist(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
	const struct cxlfm_get_supported_logs_sublist_req *req,
	struct cxlfm_get_supported_logs_sublist_rsp *rsp)
{
	uint8_t in[CXL_IN_GET_SUPPORTED_LOGS_SUBLIST] = { req->max_entries, req->start_index };
	uint8_t out[CXLFM_MSG_MAX];
	size_t len = 0, n;
	int rc;

	if (!ep)
		return -EINVAL;
	rc = cxlfm_cmd(ep, tun, CXLFM_OP_GET_SUPPORTED_LOGS_SUBLIST, in, sizeof(in), out,
		       sizeof(out), &len);
	if (rc)
		return rc;
	if (len < CXL_OUT_GET_SUPPORTED_LOGS_SUBLIST)
		return -EBADMSG;
	n = out[0];
	if (n > req->max_entries || n > CXLFM_LOGS_MAX || len != 8 + LOG_ENTRY_LEN * n ||
	    out[4] != req->start_index || out[4] + n > le16_get(out + 2))
		return -EBADMSG;
	rsp->num_entries = (uint8_t)n;
	rsp->total_entries = le16_get(out + 2);
	rsp->start_index = out[4];
	for (size_t i = 0; i < n; i++) {
		memcpy(rsp->entries[i].uuid, out + 8 + LOG_ENTRY_LEN * i, 16);
		rsp->entries[i].size = le32_get(out + 8 + LOG_ENTRY_LEN * i + 16);
	}
	return 0;
}

/* ---- features ---- */

int cxlfm_cmd_get_supported_features(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				     const struct cxlfm_get_supported_features_req *req,
				     struct cxlfm_get_supported_features_rsp *rsp)
{
	uint8_t in[CXL_IN_GET_SUPPORTED_FEATURES] = { 0 };
	uint8_t out[CXLFM_MSG_MAX];
	size_t len = 0, n;
	int rc;

	if (!ep || req->max_entries > CXLFM_FEATURES_MAX)
		return -EINVAL;
	le32_put(in, 8 + FEATURE_ENTRY_LEN * (uint32_t)req->max_entries);
	le16_put(in + 4, req->start_index);
	rc = cxlfm_cmd(ep, tun, CXLFM_OP_GET_SUPPORTED_FEATURES, in, sizeof(in), out,
		       sizeof(out), &len);
	if (rc)
		return rc;
	if (len < CXL_OUT_GET_SUPPORTED_FEATURES)
		return -EBADMSG;
	n = le16_get(out);
	if (n > req->max_entries || len != 8 + FEATURE_ENTRY_LEN * n)
		return -EBADMSG;
	rsp->num_entries = (uint16_t)n;
	rsp->device_features = le16_get(out + 2);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = out + 8 + FEATURE_ENTRY_LEN * i;
		struct cxlfm_feature_entry *f = &rsp->entries[i];

		memcpy(f->uuid, e, 16);
		f->index = le16_get(e + 16);
		f->get_size = le16_get(e + 18);
		f->set_size = le16_get(e + 20);
		f->attrs = le32_get(e + 22);
		f->get_version = e[26];
		f->set_version = e[27];
		f->set_effects = le16_get(e + 28);
	}
	return 0;
}

int cxlfm_cmd_get_feature(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  const struct cxlfm_get_feature_req *req,
			  struct cxlfm_get_feature_rsp *rsp)
{
	uint8_t in[CXL_IN_GET_FEATURE] = { 0 };
	uint8_t out[CXLFM_MSG_MAX];
	size_t len = 0;
	int rc;

	if (!ep || req->count > CXLFM_FEATURE_DATA_MAX)
		return -EINVAL;
	memcpy(in, req->uuid, 16);
	le16_put(in + 16, req->offset);
	le16_put(in + 18, req->count);
	in[20] = req->selection;
	rc = cxlfm_cmd(ep, tun, CXLFM_OP_GET_FEATURE, in, sizeof(in), out, sizeof(out), &len);
	if (rc)
		return rc;
	if (len > req->count)
		return -EBADMSG;
	rsp->length = (uint16_t)len;
	memcpy(rsp->data, out, len);
	return 0;
}

int cxlfm_cmd_set_feature(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  const struct cxlfm_set_feature_req *req)
{
	uint8_t in[CXLFM_MSG_MAX];

	if (req->action > CXLFM_FEATURE_XFER_ABORT || (req->len && !req->data))
		return -EINVAL;
	if (req->len > sizeof(in) - SET_FEATURE_HDR)
		return -EMSGSIZE;
	memset(in, 0, SET_FEATURE_HDR);
	memcpy(in, req->uuid, 16);
	le32_put(in + 16, req->action | (req->saved ? 1u << 3 : 0u));
	le16_put(in + 20, req->offset);
	in[22] = req->version;
	if (req->len)
		memcpy(in + SET_FEATURE_HDR, req->data, req->len);
	return exact(ep, tun, CXLFM_OP_SET_FEATURE, in, SET_FEATURE_HDR + req->len, NULL, 0);
}
