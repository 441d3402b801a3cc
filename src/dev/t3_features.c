/* SPDX-License-Identifier: MIT */
/*
 * Features of a type-3 device (CXL r3.1 §8.2.9.6): Get Supported Features
 * (0500h), Get Feature (0501h), Set Feature (0502h), on the host mailbox,
 * the FM-owned LD and each LD's CCI; one set of values per device.
 *
 * The features, with their layouts and versions, are QEMU's: patrol scrub
 * and ECS as QEMU master has them (hw/cxl/cxl-mailbox-utils.c, defaults
 * from hw/mem/cxl_type3.c), PPR and memory sparing as QEMU's maintenance
 * patches add them (not in master at fc8b078e):
 *   0 Device Patrol Scrub Control (r3.1 §8.2.9.9.11.1)
 *   1 DDR5 Error Check Scrub (ECS) Control (r3.1 §8.2.9.9.11.2), 3 media FRUs
 *   2 Soft PPR, 3 Hard PPR (r3.2 §8.2.10.7.2.1, §8.2.10.7.2.2)
 *   4-7 Cacheline, Row, Bank, Rank Memory Sparing (r3.2 §8.2.10.7.2.3)
 * Each has writable attributes (what Set Feature carries) and readable ones
 * (what Get Feature returns: fixed capabilities around the writable values).
 *
 * Values: current (in use), saved (used after a restart), default. Set
 * Feature changes the current value; with "Saved Across Reset" (flags bit
 * 3) it is also saved, in the FEATURES section of the non-volatile state,
 * and a restarted device starts from it. So every feature reports
 * Changeable, Default and Saved Selection Supported, Persist Across
 * Firmware Update (an activation leaves the values alone) and a Deepest
 * Reset Persistence of 000b (an unsaved value does not survive any reset).
 * QEMU: current selection only, nothing saved.
 *
 * The PPR and sparing features configure the Perform Maintenance command
 * (0600h), which cxl-emu does not implement: their values are kept,
 * reported and saved, and change nothing else.
 */
#include "dev/t3_gen.h"

#include <string.h>

#include "dev/t3_nv.h"
#include "dev/t3_priv.h"
#include "proto/le.h"
#include "util/log.h"

/* Supported Feature Entry attribute flags (CXL r3.1 §8.2.9.6.1). */
#define ATTR_CHANGEABLE (1u << 0)
#define ATTR_PERSIST_FW_UPDATE (1u << 4)
#define ATTR_DEFAULT_SEL (1u << 5)
#define ATTR_SAVED_SEL (1u << 6)
#define FEAT_ATTRS (ATTR_CHANGEABLE | ATTR_PERSIST_FW_UPDATE | ATTR_DEFAULT_SEL | ATTR_SAVED_SEL)
/* Set Feature Effects: Immediate Configuration Change, CEL[11:0] valid (QEMU's). */
#define FEAT_SET_EFFECTS ((1u << 1) | (1u << 9))

/* Set Feature flags (CXL r3.1 §8.2.9.6.3). */
enum feat_action {
	SET_FULL = 0,
	SET_INIT = 1,
	SET_CONTINUE = 2,
	SET_FINISH = 3,
	SET_ABORT = 4,
};
#define SET_ACTION_MASK 0x7u
#define SET_SAVED (1u << 3)

/* Get Feature selection (CXL r3.1 §8.2.9.6.2). */
enum feat_sel {
	SEL_CURRENT = 0,
	SEL_DEFAULT = 1,
	SEL_SAVED = 2,
};

#define SUPPORTED_HDR 8u
#define ENTRY_LEN 48u
#define SET_HDR 32u

enum feat_kind {
	KIND_SCRUB,
	KIND_ECS,
	KIND_PPR,
	KIND_SPARING,
};

struct feat_desc {
	const char *name;
	uint8_t uuid[16];
	enum feat_kind kind;
	uint8_t get_size, set_size;
	uint8_t version;          /* get and set */
	uint8_t subclass;         /* PPR, sparing: maintenance operation subclass */
	uint8_t defaults[T3_FEAT_DATA_MAX];
};

/* Patrol scrub: cycle 12 h (minimum 1 h), disabled (QEMU's defaults). */
#define SCRUB_CAPS 0x03u          /* scrub cycle changeable, realtime report capable */
#define SCRUB_MIN_CYCLE 1u
/* ECS: per-FRU log entries, threshold 256 (3), row count mode, for 3 FRUs. */
#define ECS_FRUS 3u
#define ECS_THRESH_MASK 0x07u
#define ECS_MODE 0x08u
#define ECS_RESET_COUNTER 0x10u   /* an action, never kept */
/* PPR: 100 ms maintenance latency, DPA and sparing event record support. */
#define MAINT_LATENCY_100MS 5u
#define PPR_CLASS 1u
#define PPR_FLAGS 0x05u           /* DPA support, memory sparing event record capable */
#define PPR_OP_MODE_EV_REC 0x01u  /* sPPR / hPPR op mode: sparing event records on */
#define SPARING_CLASS 2u
#define SPARING_RESTRICTIONS 0x0006u /* hard and soft sparing supported */

static const struct feat_desc feats[T3_FEAT_COUNT] = {
	{ "patrol scrub", { 0x96, 0xda, 0xd7, 0xd6, 0xfd, 0xe8, 0x48, 0x2b,
			    0xa7, 0x33, 0x75, 0x77, 0x4e, 0x06, 0xdb, 0x8a },
	  KIND_SCRUB, 4, 2, 1, 0, { 12, 0 } },
	{ "DDR5 ECS", { 0xe5, 0xb1, 0x3f, 0x22, 0x23, 0x28, 0x4a, 0x14,
			0xb8, 0xba, 0xb9, 0x69, 0x1e, 0x89, 0x33, 0x86 },
	  KIND_ECS, 1 + 4 * ECS_FRUS, 1 + 2 * ECS_FRUS, 1, 0, { 1, 3, 0, 3, 0, 3, 0 } },
	{ "soft PPR", { 0x89, 0x2b, 0xa4, 0x75, 0xfa, 0xd8, 0x47, 0x4e,
			0x9d, 0x3e, 0x69, 0x2c, 0x91, 0x75, 0x68, 0xbb },
	  KIND_PPR, 20, 3, 3, 0, { 0, 0, PPR_OP_MODE_EV_REC } },
	{ "hard PPR", { 0x80, 0xea, 0x45, 0x21, 0x78, 0x6f, 0x41, 0x27,
			0xaf, 0xb1, 0xec, 0x74, 0x59, 0xfb, 0x0e, 0x24 },
	  KIND_PPR, 20, 3, 3, 1, { 0, 0, PPR_OP_MODE_EV_REC } },
	{ "cacheline sparing", { 0x96, 0xc3, 0x33, 0x86, 0x91, 0xdd, 0x44, 0xc7,
				 0x9e, 0xcb, 0xfd, 0xaf, 0x65, 0x03, 0xba, 0xc4 },
	  KIND_SPARING, 19, 2, 1, 0, { 0, 0 } },
	{ "row sparing", { 0x45, 0x0e, 0xbf, 0x67, 0xb1, 0x35, 0x4f, 0x97,
			   0xa4, 0x98, 0xc2, 0xd5, 0x7f, 0x27, 0x9b, 0xed },
	  KIND_SPARING, 19, 2, 1, 1, { 0, 0 } },
	{ "bank sparing", { 0x78, 0xb7, 0x96, 0x36, 0x90, 0xac, 0x4b, 0x64,
			    0xa4, 0xef, 0xfa, 0xac, 0x5d, 0x18, 0xa8, 0x63 },
	  KIND_SPARING, 19, 2, 1, 2, { 0, 0 } },
	{ "rank sparing", { 0x34, 0xdb, 0xaf, 0xf5, 0x05, 0x52, 0x42, 0x81,
			    0x8f, 0x76, 0xda, 0x0b, 0x5e, 0x7a, 0x76, 0xa7 },
	  KIND_SPARING, 19, 2, 1, 3, { 0, 0 } },
};

static struct t3_features *feat_of(struct t3_dev *dev)
{
	return &dev->gen.feat;
}

static int find_feat(const uint8_t *uuid)
{
	for (unsigned i = 0; i < T3_FEAT_COUNT; i++)
		if (!memcmp(feats[i].uuid, uuid, 16))
			return (int)i;
	return -1;
}

/*
 * Writable attributes w made ready to keep: reserved bits and actions
 * cleared. False when a value is not one the feature takes (Invalid Input):
 *   patrol scrub   cycle below the minimum (1 h);
 *   ECS            log entry type other than per-DRAM (0) or per-FRU (1),
 *                  a threshold count other than 256 (3), 1024 (4), 4096 (5).
 * The PPR and sparing operation modes are kept as written (QEMU).
 */
static bool feat_normalize(const struct feat_desc *f, uint8_t *w)
{
	switch (f->kind) {
	case KIND_SCRUB:
		w[1] &= 0x01; /* bit 0: enable */
		return w[0] >= SCRUB_MIN_CYCLE;
	case KIND_ECS:
		if (w[0] > 1)
			return false;
		for (unsigned i = 0; i < ECS_FRUS; i++) {
			uint16_t c = le16_get(w + 1 + 2 * i);
			uint16_t t = c & ECS_THRESH_MASK;

			if (t < 3 || t > 5)
				return false;
			le16_put(w + 1 + 2 * i, (uint16_t)(c & (ECS_THRESH_MASK | ECS_MODE)));
		}
		return true;
	default:
		return true;
	}
}

/* The readable attributes of feature f with writable attributes w. */
static void feat_render(const struct feat_desc *f, const uint8_t *w, uint8_t *out)
{
	memset(out, 0, f->get_size);
	switch (f->kind) {
	case KIND_SCRUB:
		/* 0 capabilities, 1:2 cycle (7:0 current h, 15:8 minimum h), 3 flags */
		out[0] = SCRUB_CAPS;
		out[1] = w[0];
		out[2] = SCRUB_MIN_CYCLE;
		out[3] = w[1];
		break;
	case KIND_ECS:
		/* 0 log entry type, then per FRU: capabilities, config (2), flags */
		out[0] = w[0];
		for (unsigned i = 0; i < ECS_FRUS; i++) {
			out[1 + 4 * i] = 0x01; /* realtime report capability */
			memcpy(out + 2 + 4 * i, w + 1 + 2 * i, 2);
		}
		break;
	case KIND_PPR:
	case KIND_SPARING:
		/* 0 latency, 1:2 operation capabilities (0: host involvement), 3:2
		 * operation mode, 5 maintenance class, 6 subclass; then PPR: 7:9 rsvd,
		 * 16 flags, 17:2 restrictions, 19 PPR operation mode; sparing: 7:10
		 * rsvd, 17:2 restrictions */
		out[0] = MAINT_LATENCY_100MS;
		memcpy(out + 3, w, 2);
		out[5] = f->kind == KIND_PPR ? PPR_CLASS : SPARING_CLASS;
		out[6] = f->subclass;
		if (f->kind == KIND_PPR) {
			out[16] = PPR_FLAGS;
			out[19] = w[2];
		} else {
			le16_put(out + 17, SPARING_RESTRICTIONS);
		}
		break;
	}
}

/* ---- non-volatile state ---- */

/*
 * FEATURES section (t3_nv.h), little endian:
 *   0x00 4 "T3FE"   0x04 1 format 1
 *   0x10 + 16 i, feature i: 0 saved (1) or not (0), 1 length (its Set
 *   Feature size), 2.. the saved writable attributes
 */
#define NV_MAGIC "T3FE"
#define NV_FORMAT 1u
#define NV_ENT0 0x10u
#define NV_ENT_LEN 16u
#define NV_LEN (NV_ENT0 + NV_ENT_LEN * T3_FEAT_COUNT)

static void feat_store(struct t3_dev *dev)
{
	const struct t3_features *fs = feat_of(dev);
	uint8_t b[NV_LEN] = { 0 };

	memcpy(b, NV_MAGIC, 4);
	b[4] = NV_FORMAT;
	for (unsigned i = 0; i < T3_FEAT_COUNT; i++) {
		uint8_t *p = b + NV_ENT0 + NV_ENT_LEN * i;

		if (!fs->has_saved[i])
			continue;
		p[0] = 1;
		p[1] = feats[i].set_size;
		memcpy(p + 2, fs->saved[i], feats[i].set_size);
	}
	if (t3_nv_store(dev, T3_NV_FEATURES, b, sizeof(b)))
		log_warn("dev %s: feature settings not saved: they will not survive a restart",
			 dev->id);
}

static void feat_load(struct t3_dev *dev)
{
	struct t3_features *fs = feat_of(dev);
	uint8_t b[NV_LEN], zero[NV_LEN] = { 0 };

	for (unsigned i = 0; i < T3_FEAT_COUNT; i++)
		memcpy(fs->cur[i], feats[i].defaults, T3_FEAT_DATA_MAX);
	if (t3_nv_fresh(dev) || t3_nv_load(dev, T3_NV_FEATURES, b, sizeof(b)) ||
	    !memcmp(b, zero, sizeof(b))) {
		feat_store(dev);
		return;
	}
	if (memcmp(b, NV_MAGIC, 4) || b[4] != NV_FORMAT) {
		log_warn("dev %s: saved feature settings in an unknown format: defaults used",
			 dev->id);
		feat_store(dev);
		return;
	}
	for (unsigned i = 0; i < T3_FEAT_COUNT; i++) {
		const uint8_t *p = b + NV_ENT0 + NV_ENT_LEN * i;
		uint8_t w[T3_FEAT_DATA_MAX] = { 0 };

		if (!p[0])
			continue;
		memcpy(w, p + 2, feats[i].set_size);
		if (p[0] != 1 || p[1] != feats[i].set_size || !feat_normalize(&feats[i], w)) {
			log_warn("dev %s: saved %s setting is unusable: default used", dev->id,
				 feats[i].name);
			continue;
		}
		fs->has_saved[i] = true;
		memcpy(fs->saved[i], w, T3_FEAT_DATA_MAX);
		memcpy(fs->cur[i], w, T3_FEAT_DATA_MAX);
	}
}

/* ---- commands ---- */

/*
 * CXL r3.1 §8.2.9.6.1 Get Supported Features (0500h). Input: 0:4 count
 * (bytes of output wanted), 4:2 starting feature index, 6:2 rsvd. Output:
 * 0:2 entries returned, 2:2 features the device supports, 4:4 rsvd, then
 * 48-byte Supported Feature Entries: 0:16 UUID, 16:2 index, 18:2 Get
 * Feature size, 20:2 Set Feature size, 22:4 attribute flags, 26 get
 * version, 27 set version, 28:2 Set Feature effects, 30:18 rsvd. A count
 * under the 8-byte header or a start index past the last feature: Invalid
 * Input (QEMU). As many entries as count and the response limit allow.
 */
static uint16_t cmd_get_supported_features(struct cci *cci, const struct cci_cmd *cmd,
					   struct cci_call *call)
{
	uint32_t count = le32_get(call->in);
	unsigned start = le16_get(call->in + 4);
	size_t n;

	(void)cci;
	(void)cmd;
	if (count < SUPPORTED_HDR || start >= T3_FEAT_COUNT)
		return CXL_RC_INVALID_INPUT;
	n = (count - SUPPORTED_HDR) / ENTRY_LEN;
	if (n > T3_FEAT_COUNT - start)
		n = T3_FEAT_COUNT - start;
	if (n > (call->out_max - SUPPORTED_HDR) / ENTRY_LEN)
		n = (call->out_max - SUPPORTED_HDR) / ENTRY_LEN;
	le16_put(call->out, (uint16_t)n);
	le16_put(call->out + 2, T3_FEAT_COUNT);
	for (size_t i = 0; i < n; i++) {
		const struct feat_desc *f = &feats[start + i];
		uint8_t *e = call->out + SUPPORTED_HDR + ENTRY_LEN * i;

		memcpy(e, f->uuid, 16);
		le16_put(e + 16, (uint16_t)(start + i));
		le16_put(e + 18, f->get_size);
		le16_put(e + 20, f->set_size);
		le32_put(e + 22, FEAT_ATTRS);
		e[26] = f->version;
		e[27] = f->version;
		le16_put(e + 28, FEAT_SET_EFFECTS);
	}
	call->out_len = SUPPORTED_HDR + ENTRY_LEN * n;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.6.2 Get Feature (0501h). Input: 0:16 UUID, 16:2 offset,
 * 18:2 count, 20 selection (0 current, 1 default, 2 saved: what the device
 * uses after a restart, the default when nothing was saved). Output: up to
 * count bytes of the readable attributes from offset. Answers: Unsupported
 * for a feature the device lacks (QEMU); Feature Transfer in Progress while
 * a Set Feature of it is under way (QEMU); Invalid Input for a selection
 * past 2, a count over the response limit or an offset at or past the
 * attributes' end.
 */
static uint16_t cmd_get_feature(struct cci *cci, const struct cci_cmd *cmd,
				struct cci_call *call)
{
	struct t3_features *fs = feat_of(t3_of(cci));
	unsigned off = le16_get(call->in + 16), count = le16_get(call->in + 18);
	uint8_t sel = call->in[20], attrs[32];
	const struct feat_desc *f;
	const uint8_t *w;
	int idx = find_feat(call->in);

	(void)cmd;
	if (idx < 0)
		return CXL_RC_UNSUPPORTED;
	f = &feats[idx];
	if (fs->xfer && fs->xfer_idx == idx)
		return CXL_RC_FEATURE_XFER_IN_PROGRESS;
	if (sel > SEL_SAVED || count > call->out_max || off >= f->get_size)
		return CXL_RC_INVALID_INPUT;
	w = sel == SEL_CURRENT ? fs->cur[idx] :
	    sel == SEL_SAVED && fs->has_saved[idx] ? fs->saved[idx] : f->defaults;
	feat_render(f, w, attrs);
	if (count > f->get_size - off)
		count = f->get_size - off;
	memcpy(call->out, attrs + off, count);
	call->out_len = count;
	return CXL_RC_SUCCESS;
}

/* Take writable attributes w for feature idx: current, and saved if asked. */
static uint16_t feat_apply(struct t3_dev *dev, struct cci *cci, int idx, const uint8_t *data,
			   bool saved)
{
	struct t3_features *fs = feat_of(dev);
	const struct feat_desc *f = &feats[idx];
	uint8_t w[T3_FEAT_DATA_MAX] = { 0 };

	memcpy(w, data, f->set_size);
	if (!feat_normalize(f, w)) {
		log_dbg("dev %s: Set Feature %s: value refused", dev->id, f->name);
		return CXL_RC_INVALID_INPUT;
	}
	/* ECS "reset ECS counter" is an action: done (there is no counter to keep). */
	if (f->kind == KIND_ECS)
		for (unsigned i = 0; i < ECS_FRUS; i++)
			if (data[1 + 2 * i] & ECS_RESET_COUNTER)
				t3_dbg(dev, "features: ECS error counter of FRU %u reset", i);
	memcpy(fs->cur[idx], w, T3_FEAT_DATA_MAX);
	if (saved) {
		memcpy(fs->saved[idx], w, T3_FEAT_DATA_MAX);
		fs->has_saved[idx] = true;
		feat_store(dev);
	}
	t3_dbg(dev, "features: %s set%s via %s", f->name, saved ? " and saved" : "", cci->name);
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.6.3 Set Feature (0502h). Input: 0:16 UUID, 16:4 flags
 * (2:0 action: 0 full, 1 initiate, 2 continue, 3 finish, 4 abort; 3 saved
 * across reset), 20:2 offset, 22 version, 23:9 rsvd, 32: data (writable
 * attributes, or a part of them). Answers, in this order:
 *   Unsupported        a feature the device lacks (QEMU);
 *   Invalid Input      an action past 4;
 *   Feature Transfer in Progress  while a transfer in parts of another
 *                      feature is open; Full or Initiate while one of this
 *                      feature is;
 *   Unsupported Feature Version   version differs from the Set Feature
 *                      version (QEMU: Unsupported);
 *   Feature Transfer Out of Order  Continue / Finish without a transfer, or
 *                      at an offset other than the bytes so far; Initiate
 *                      at an offset other than 0;
 *   Invalid Payload Length  Full with other than the whole writable
 *                      attributes, a part without data or past their end;
 *   Invalid Input      Full at an offset, Finish that leaves them short, a
 *                      value the feature does not take (the transfer ends).
 * Abort ends an open transfer of the feature (Success either way).
 * Only Full and Finish change the feature; "saved" is read from them.
 */
static uint16_t cmd_set_feature(struct cci *cci, const struct cci_cmd *cmd,
				struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct t3_features *fs = feat_of(dev);
	uint32_t flags = le32_get(call->in + 16);
	unsigned off = le16_get(call->in + 20), action = flags & SET_ACTION_MASK;
	const uint8_t *data = call->in + SET_HDR;
	size_t n = call->in_len - SET_HDR;
	const struct feat_desc *f;
	int idx = find_feat(call->in);

	(void)cmd;
	if (idx < 0)
		return CXL_RC_UNSUPPORTED;
	f = &feats[idx];
	if (action > SET_ABORT)
		return CXL_RC_INVALID_INPUT;
	if (fs->xfer && fs->xfer_idx != idx)
		return CXL_RC_FEATURE_XFER_IN_PROGRESS;
	if (action == SET_ABORT) {
		fs->xfer = false;
		return CXL_RC_SUCCESS;
	}
	if (fs->xfer && (action == SET_FULL || action == SET_INIT))
		return CXL_RC_FEATURE_XFER_IN_PROGRESS;
	if (call->in[22] != f->version)
		return CXL_RC_UNSUPPORTED_FEATURE_VERSION;
	switch (action) {
	case SET_FULL:
		if (n != f->set_size)
			return CXL_RC_INVALID_PAYLOAD_LENGTH;
		if (off)
			return CXL_RC_INVALID_INPUT;
		return feat_apply(dev, cci, idx, data, flags & SET_SAVED);
	case SET_INIT:
		if (off)
			return CXL_RC_FEATURE_XFER_OUT_OF_ORDER;
		if (!n || n > f->set_size)
			return CXL_RC_INVALID_PAYLOAD_LENGTH;
		fs->xfer = true;
		fs->xfer_idx = (uint8_t)idx;
		memcpy(fs->xfer_buf, data, n);
		fs->xfer_len = (uint16_t)n;
		return CXL_RC_SUCCESS;
	default: /* continue, finish */
		if (!fs->xfer || off != fs->xfer_len)
			return CXL_RC_FEATURE_XFER_OUT_OF_ORDER;
		if ((!n && action == SET_CONTINUE) || off + n > f->set_size)
			return CXL_RC_INVALID_PAYLOAD_LENGTH;
		if (action == SET_FINISH && off + n != f->set_size)
			return CXL_RC_INVALID_INPUT;
		memcpy(fs->xfer_buf + off, data, n);
		fs->xfer_len = (uint16_t)(off + n);
		if (action == SET_CONTINUE)
			return CXL_RC_SUCCESS;
		fs->xfer = false;
		return feat_apply(dev, cci, idx, fs->xfer_buf, flags & SET_SAVED);
	}
}

static const struct cci_cmd t3_feat_cmds[] = {
	CCI_CMD(GET_SUPPORTED_FEATURES, cmd_get_supported_features),
	CCI_CMD(GET_FEATURE, cmd_get_feature),
	CCI_CMD(SET_FEATURE, cmd_set_feature),
};
static const struct cci_cmd_set t3_feat_host_set = CCI_SET("t3-host-features",
							   CXLFM_CCI_T3_MBOX, t3_feat_cmds);
static const struct cci_cmd_set t3_feat_fm_set = CCI_SET("t3-fm-features", CXLFM_CCI_T3_FM,
							 t3_feat_cmds);
static const struct cci_cmd_set t3_feat_ld_set = CCI_SET("t3-ld-features", CXLFM_CCI_T3_LD,
							 t3_feat_cmds);

int t3_features_attach(struct t3_dev *dev)
{
	int rc;

	memset(feat_of(dev), 0, sizeof(struct t3_features));
	feat_load(dev);
	rc = cci_add_set(&dev->host, &t3_feat_host_set);
	if (!rc)
		rc = cci_add_set(&dev->fm, &t3_feat_fm_set);
	for (unsigned i = 0; !rc && i < dev->num_ld; i++)
		rc = cci_add_set(&dev->ld[i], &t3_feat_ld_set);
	return rc;
}
