/* SPDX-License-Identifier: MIT */
/*
 * Type-3 dynamic capacity commands: the host's DCD set (48xxh, CXL r3.1
 * §8.2.9.9.9), the FM's DCD management set (56xxh, CXL r3.1 §7.6.7.6) and
 * the QMP entry points that mirror QEMU's cxl-add/release-dynamic-capacity.
 * State and rules are in dcd.c; this file encodes and decodes payloads and
 * logs the DC event records.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/t3_priv.h"
#include "proto/le.h"
#include "proto/records.h"
#include "util/log.h"

#define UNIT DCD_CAPACITY_UNIT
#define EXT_REC_LEN REC_DC_EXTENT_LEN

/* DC Event Record types, CXL r3.1 §8.2.9.2.1.6. */
enum {
	DC_EV_ADD = 0,
	DC_EV_RELEASE = 1,
	DC_EV_FORCED_RELEASE = 2,
	DC_EV_REGION_CONFIG = 3,
};

/* An extent as the 40-byte wire record (proto/records.h) has it, and back. */
static void ext_to_rec(const struct dcd_ext *e, struct rec_dc_extent *r)
{
	*r = (struct rec_dc_extent){ .start_dpa = e->start, .length = e->len,
				     .shared_seq = e->shared_seq };
	memcpy(r->tag, e->tag, DCD_TAG_LEN);
}

static void put_ext(uint8_t *p, const struct dcd_ext *e)
{
	struct rec_dc_extent r;

	ext_to_rec(e, &r);
	rec_dc_extent_put(p, &r);
}

static void get_ext(const uint8_t *p, struct dcd_ext *e)
{
	struct rec_dc_extent r;

	rec_dc_extent_get(p, &r);
	memset(e, 0, sizeof(*e));
	e->start = r.start_dpa;
	e->len = r.length;
	memcpy(e->tag, r.tag, DCD_TAG_LEN);
	e->shared_seq = r.shared_seq;
}

static void put_limits(uint8_t *p, const struct dcd *d)
{
	struct rec_dc_limits l = {
		.extents_supported = dcd_extents_max(d),
		.extents_available = dcd_extents_available(d),
		.tags_supported = dcd_tags_max(d),
		.tags_available = dcd_tags_available(d),
	};

	rec_dc_limits_put(p, &l);
}

/*
 * Log a DC Event Record (CXL r3.1 §8.2.9.2.1.6; body layout in
 * proto/records.h) of type about ext (may be NULL) or region. "All Dynamic
 * Capacity event records shall set the Event Record Severity field ... to
 * Informational": severity 0 (QEMU writes 1, i.e. warning).
 */
static void dc_event(struct t3_dev *dev, uint8_t type, uint8_t region, bool more,
		     const struct dcd_ext *ext, uint64_t ts)
{
	struct rec_dc_event ev = {
		.type = type, .validity = 1, .region_id = region,
		.flags = more ? REC_DC_EVENT_MORE : 0,
		.extents_available = dcd_extents_available(dev->dcd),
		.tags_available = dcd_tags_available(dev->dcd),
	};
	uint8_t rec[EV_RECORD_SIZE];

	if (ext)
		ext_to_rec(ext, &ev.extent);
	ev_record_init(rec, ev_uuid_dcd, EV_SEV_INFO);
	rec_dc_event_put(rec + REC_EVENT_HDR_LEN, &ev);
	ev_add(&dev->ev, EV_LOG_DCD, rec, ts);
}

void t3_dc_events(struct t3_dev *dev, uint8_t type, const struct dcd_ext *ext, size_t n)
{
	uint64_t ts = t3_timestamp(dev);

	for (size_t i = 0; i < n; i++)
		dc_event(dev, type, 0, i + 1 < n, &ext[i], ts);
}

/* Records the DC log can still take; an operation must fit (else the
 * host would miss extents): Resources Exhausted otherwise. */
static size_t dc_room(const struct t3_dev *dev)
{
	return ev_room(&dev->ev, EV_LOG_DCD);
}

/*
 * r accepted extents from index start as DC Extent records at p; -1 if
 * fewer. One search per 64 (a host mailbox page holds 50, an FM page 8 or
 * so), then a step per extent.
 */
static int put_accepted(const struct dcd *d, uint32_t start, size_t r, uint8_t *p)
{
	struct dcd_ext e[64];

	while (r) {
		size_t k = dcd_accepted_get(d, start, e, r < 64 ? r : 64);

		if (!k)
			return -1;
		for (size_t i = 0; i < k; i++, p += EXT_REC_LEN)
			put_ext(p, &e[i]);
		start += (uint32_t)k;
		r -= k;
	}
	return 0;
}

/* ---- host DCD set ------------------------------------------------------------ */

/*
 * The region list of both Get DC Configuration (4800h) and Get Host DC
 * Region Configuration (5601h): the number of regions and R returned at
 * count_at, R 40-byte records from start at hdr, then the limits. The two
 * differ only at byte 32 of a record: the host sees the DSMAD handle (u32),
 * the FM the DSMAS flags (u8). R is bounded by the response limit.
 */
static uint16_t put_regions(const struct dcd *d, unsigned start, unsigned want,
			    struct cci_call *call, size_t hdr, uint8_t *count_at,
			    enum rec_region_form form)
{
	unsigned nreg = dcd_num_regions(d);
	size_t r, fit = (call->out_max - hdr - REC_DC_LIMITS_LEN) / REC_DC_REGION_LEN;

	if (start >= nreg)
		return CXL_RC_INVALID_INPUT;
	r = nreg - start < want ? nreg - start : want;
	if (r > fit)
		r = fit;
	count_at[0] = (uint8_t)nreg;
	count_at[1] = (uint8_t)r;
	for (size_t i = 0; i < r; i++) {
		const struct dcd_region *g = dcd_region(d, start + (unsigned)i);
		struct rec_dc_region rec = {
			.base = g->base, .decode_units = g->decode_len / UNIT, .length = g->len,
			.block_size = g->block_size, .dsmad_handle = g->dsmad_handle,
			.dsmas_flags = g->dsmas_flags,
			.sanitize_on_release = g->sanitize_on_release,
		};

		rec_dc_region_put(call->out + hdr + i * REC_DC_REGION_LEN, &rec, form);
	}
	put_limits(call->out + hdr + r * REC_DC_REGION_LEN, d);
	call->out_len = hdr + r * REC_DC_REGION_LEN + REC_DC_LIMITS_LEN;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.9.1 Get Dynamic Capacity Configuration (Opcode 4800h).
 * Input 0 region count, 1 starting region id (>= regions: Invalid Input).
 * Output 0 number of regions, 1 regions returned R, 2:6 rsvd, 8: R x 40
 * (base, decode length in 256 MiB, length, block size, 32:4 DSMAD handle,
 * 36 flags bit0 sanitize on release), then 16 bytes: extents supported /
 * available, tags supported / available.
 */
static uint16_t cmd_host_get_dc_config(struct cci *cci, const struct cci_cmd *cmd,
				       struct cci_call *call)
{
	(void)cmd;
	return put_regions(t3_of(cci)->dcd, call->in[1], call->in[0], call, 8, call->out,
			   REC_REGION_HOST);
}

/*
 * CXL r3.1 §8.2.9.9.9.2 Get Dynamic Capacity Extent List (Opcode 4801h).
 * Input 0:4 extent count, 4:4 starting extent index (> accepted: Invalid
 * Input). Output 0:4 returned, 4:4 total accepted extents, 8:4 generation
 * number, 12:4 rsvd, 16: records. Only accepted extents are listed (QEMU
 * bounds the count with pending ones too).
 */
static uint16_t cmd_host_get_dc_extent_list(struct cci *cci, const struct cci_cmd *cmd,
					    struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	const struct dcd *d = dev->dcd;
	uint32_t want = le32_get(call->in), start = le32_get(call->in + 4);
	uint32_t acc = dcd_extents_accepted(d);
	size_t r, fit = (call->out_max - 16) / EXT_REC_LEN;
	uint8_t *o = call->out;

	(void)cmd;
	if (start > acc)
		return CXL_RC_INVALID_INPUT;
	r = acc - start < want ? acc - start : want;
	if (r > fit)
		r = fit;
	le32_put(o, (uint32_t)r);
	le32_put(o + 4, acc);
	le32_put(o + 8, dcd_generation(d));
	if (put_accepted(d, start, r, o + 16))
		return CXL_RC_INTERNAL_ERROR;
	call->out_len = 16 + r * EXT_REC_LEN;
	return CXL_RC_SUCCESS;
}

/*
 * Updated Extent list of 4802h / 4803h (CXL r3.1 Tables 8-168..8-170):
 * 0:4 count n, 4 flags, 5:3 rsvd, 8: n x 24 (start DPA, length, rsvd).
 */
static uint16_t get_updated_list(const struct cci_call *call, struct dcd_ext **out,
				 size_t *n)
{
	uint64_t cnt = le32_get(call->in);
	struct dcd_ext *e;

	*out = NULL;
	*n = 0;
	if (call->in_len < 8 + REC_DC_RANGE_LEN * cnt)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	if (!cnt)
		return CXL_RC_SUCCESS;
	e = calloc(cnt, sizeof(*e));
	if (!e)
		return CXL_RC_INTERNAL_ERROR;
	for (size_t i = 0; i < cnt; i++)
		rec_dc_range_get(call->in + 8 + i * REC_DC_RANGE_LEN, &e[i].start, &e[i].len);
	*out = e;
	*n = (size_t)cnt;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.9.3 Add Dynamic Capacity Response (Opcode 4802h). The
 * host accepts all, part or none (n = 0) of the oldest pending add.
 */
static uint16_t cmd_host_add_dc_response(struct cci *cci, const struct cci_cmd *cmd,
					 struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	const char *why = NULL;
	struct dcd_ext *e;
	size_t n;
	uint16_t rc;

	if (call->in_len < 8)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	rc = get_updated_list(call, &e, &n);
	if (rc)
		return rc;
	rc = dcd_host_accept(dev->dcd, e, n, &why);
	free(e);
	if (rc)
		log_info("dev %s op 0x%04x: %s (rc 0x%02x)", dev->id, cmd->info->opcode, why, rc);
	else
		log_dbg("dev %s op 0x%04x: host accepted %zu extent(s)", dev->id, cmd->info->opcode, n);
	return rc;
}

/* CXL r3.1 §8.2.9.9.9.4 Release Dynamic Capacity (Opcode 4803h). */
static uint16_t cmd_host_release_dc(struct cci *cci, const struct cci_cmd *cmd,
				    struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	const char *why = NULL;
	struct dcd_ext *e;
	size_t n;
	uint16_t rc;

	if (call->in_len < 8)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	if (!le32_get(call->in))
		return CXL_RC_INVALID_INPUT;
	rc = get_updated_list(call, &e, &n);
	if (rc)
		return rc;
	rc = dcd_host_release(dev->dcd, e, n, &why);
	free(e);
	if (rc)
		log_info("dev %s op 0x%04x: %s (rc 0x%02x)", dev->id, cmd->info->opcode, why, rc);
	return rc;
}

static const struct cci_cmd t3_host_dcd_cmds[] = {
	CCI_CMD(GET_DC_CONFIG, cmd_host_get_dc_config),
	CCI_CMD(GET_DC_EXTENT_LIST, cmd_host_get_dc_extent_list),
	CCI_CMD(ADD_DC_RESPONSE, cmd_host_add_dc_response),
	CCI_CMD(RELEASE_DC, cmd_host_release_dc),
};
const struct cci_cmd_set t3_host_dcd_set = CCI_SET("t3-host-dcd", CXLFM_CCI_T3_MBOX,
						   t3_host_dcd_cmds);

/* ---- FM DCD management set --------------------------------------------------- */

/*
 * CXL r3.1 §7.6.7.6.1 Get DCD Info (Opcode 5600h), output 84: 0 number of
 * hosts, 1 number of supported DC regions, 2:2 rsvd, 4:2 supported add
 * capacity selection policies, 6:2 rsvd, 8:2 supported release capacity
 * removal policies, 10 sanitize on release configuration support mask,
 * 11 rsvd, 12:8 total dynamic capacity (256 MiB units), 20: 8 x 8 region
 * supported block size masks. Beyond QEMU (prescriptive only, no sanitize
 * reconfiguration): all four selection policies (shared only with a
 * sharable region), tag-based and prescriptive removal, and a per-region
 * reconfigurable sanitize-on-release flag.
 */
static uint16_t cmd_fm_get_dcd_info(struct cci *cci, const struct cci_cmd *cmd,
				    struct cci_call *call)
{
	const struct dcd *d = t3_of(cci)->dcd;
	unsigned nreg = dcd_num_regions(d);
	uint8_t *o = call->out;

	(void)cmd;
	o[0] = 1;
	o[1] = (uint8_t)nreg;
	le16_put(o + 4, dcd_sel_policy_mask(d));
	le16_put(o + 8, 1u << DCD_RM_TAG | 1u << DCD_RM_PRESCRIPTIVE);
	o[10] = (uint8_t)((1u << nreg) - 1);
	le64_put(o + 12, dcd_total_capacity(d) / UNIT);
	for (unsigned i = 0; i < nreg; i++)
		le64_put(o + 20 + 8 * i, dcd_region(d, i)->block_size_mask);
	call->out_len = 84;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §7.6.7.6.2 Get Host DC Region Configuration (Opcode 5601h).
 * Input 0:2 host id (ignored as QEMU), 2 region count, 3 starting region
 * id (>= regions: Invalid Input). Output 0:2 host id, 2 number of regions,
 * 3 regions returned R, 4: R x 40 (base, decode length in 256 MiB, length,
 * block size, 32 DSMAS flags, 36 sanitize on release bit0), then extents /
 * tags supported / available. R is bounded by the response limit.
 */
static uint16_t cmd_fm_get_host_dc_region_config(struct cci *cci, const struct cci_cmd *cmd,
						 struct cci_call *call)
{
	(void)cmd;
	return put_regions(t3_of(cci)->dcd, call->in[3], call->in[2], call, 4, call->out + 2,
			   REC_REGION_FM);
}

/*
 * CXL r3.1 §7.6.7.6.3 Set DC Region Configuration (Opcode 5602h). Input 0
 * region id, 1:3 rsvd, 4:8 block size, 12 flags (bit0 sanitize on
 * release), 13:3 rsvd. Region id past the regions: Invalid Input (QEMU:
 * Unsupported from 8 up, undefined below); region with capacity:
 * Unsupported; block size not a supported power of 2: Invalid Input. A
 * change logs a Region Configuration Updated event.
 */
static uint16_t cmd_fm_set_dc_region_config(struct cci *cci, const struct cci_cmd *cmd,
					    struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	const char *why = NULL;
	bool changed;
	uint16_t rc;

	rc = dcd_set_region_config(dev->dcd, call->in[0], le64_get(call->in + 4),
				   call->in[12] & 0x01, &changed, &why);
	if (rc) {
		log_info("dev %s op 0x%04x: %s (rc 0x%02x)", dev->id, cmd->info->opcode, why, rc);
		return rc;
	}
	if (changed)
		dc_event(dev, DC_EV_REGION_CONFIG, call->in[0], false, NULL, t3_timestamp(dev));
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §7.6.7.6.4 Get DC Region Extent Lists (Opcode 5603h). Input 0:2
 * host id (must be 0), 2:2 rsvd, 4:4 extent count, 8:4 starting extent
 * index (> accepted: Invalid Input). Output 0:2 host id, 2:2 rsvd, 4:4
 * starting index, 8:4 returned, 12:4 total accepted, 16:4 generation
 * number, 20:4 rsvd, 24: records, bounded by the response limit.
 */
static uint16_t cmd_fm_get_dc_region_extent_lists(struct cci *cci, const struct cci_cmd *cmd,
						 struct cci_call *call)
{
	const struct dcd *d = t3_of(cci)->dcd;
	uint32_t want = le32_get(call->in + 4), start = le32_get(call->in + 8);
	uint32_t acc = dcd_extents_accepted(d);
	size_t r, fit = (call->out_max - 24) / EXT_REC_LEN;
	uint8_t *o = call->out;

	(void)cmd;
	if (le16_get(call->in) != 0 || start > acc)
		return CXL_RC_INVALID_INPUT;
	r = acc - start < want ? acc - start : want;
	if (r > fit)
		r = fit;
	le32_put(o + 4, start);
	le32_put(o + 8, (uint32_t)r);
	le32_put(o + 12, acc);
	le32_put(o + 16, dcd_generation(d));
	if (put_accepted(d, start, r, o + 24))
		return CXL_RC_INTERNAL_ERROR;
	call->out_len = 24 + r * EXT_REC_LEN;
	return CXL_RC_SUCCESS;
}

/* Input of 5604h / 5605h: 32-byte header, then n extent records. */
static uint16_t get_fm_extents(const struct cci_call *call, struct dcd_ext **out, size_t *n)
{
	uint64_t cnt;
	struct dcd_ext *e;

	*out = NULL;
	*n = 0;
	if (call->in_len < 32)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	cnt = le32_get(call->in + 28);
	if (call->in_len != 32 + EXT_REC_LEN * cnt)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	if (!cnt)
		return CXL_RC_SUCCESS;
	e = calloc(cnt, sizeof(*e));
	if (!e)
		return CXL_RC_INTERNAL_ERROR;
	for (size_t i = 0; i < cnt; i++)
		get_ext(call->in + 32 + i * EXT_REC_LEN, &e[i]);
	*out = e;
	*n = (size_t)cnt;
	return CXL_RC_SUCCESS;
}

/* Run an add and log its Add Capacity events; common to 5604h and QMP. */
static uint16_t do_add(struct t3_dev *dev, struct dcd_add_req *req, const char **why)
{
	struct dcd_ext *out;
	size_t nout;
	uint16_t rc;

	req->max_out = dc_room(dev);
	if (!req->max_out) {
		*why = "dynamic capacity event log full";
		return CXL_RC_RESOURCES_EXHAUSTED;
	}
	rc = dcd_add(dev->dcd, req, &out, &nout, why);
	if (rc)
		return rc;
	t3_dc_events(dev, DC_EV_ADD, out, nout);
	log_dbg("dev %s: offered %zu extent(s) to the host", dev->id, nout);
	free(out);
	return CXL_RC_SUCCESS;
}

static uint16_t do_release(struct t3_dev *dev, struct dcd_release_req *req, const char **why)
{
	struct dcd_ext *out;
	size_t nout;
	uint16_t rc;

	req->max_out = dc_room(dev);
	if (!req->max_out) {
		*why = "dynamic capacity event log full";
		return CXL_RC_RESOURCES_EXHAUSTED;
	}
	rc = dcd_release(dev->dcd, req, &out, &nout, why);
	if (rc)
		return rc;
	t3_dc_events(dev, req->forced ? DC_EV_FORCED_RELEASE : DC_EV_RELEASE, out, nout);
	free(out);
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §7.6.7.6.5 Initiate Dynamic Capacity Add (Opcode 5604h). Input
 * 0:2 host id, 2 selection policy, 3 region number, 4:8 length, 12:16 tag,
 * 28:4 extent count n, 32: n extent records; the length must be 32 + 40n.
 * Prescriptive / enable shared access use the records (absolute DPAs, host
 * id, region, length and tag ignored as QEMU); free / contiguous allocate
 * length bytes of the region's unallocated blocks, tagged with the tag.
 */
static uint16_t cmd_fm_initiate_dc_add(struct cci *cci, const struct cci_cmd *cmd,
				       struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct dcd_add_req req = { 0 };
	const char *why = NULL;
	struct dcd_ext *e;
	size_t n;
	uint16_t rc;

	rc = get_fm_extents(call, &e, &n);
	if (rc)
		return rc;
	if (call->in[2] > DCD_SEL_SHARED) {
		free(e);
		return CXL_RC_INVALID_INPUT;
	}
	req.policy = (enum dcd_sel_policy)call->in[2];
	req.region = call->in[3];
	req.length = le64_get(call->in + 4);
	memcpy(req.tag, call->in + 12, DCD_TAG_LEN);
	req.ext = e;
	req.n = n;
	rc = do_add(dev, &req, &why);
	free(e);
	if (rc)
		log_info("dev %s op 0x%04x: %s (rc 0x%02x)", dev->id, cmd->info->opcode, why, rc);
	return rc;
}

/*
 * CXL r3.1 §7.6.7.6.6 Initiate Dynamic Capacity Release (Opcode 5605h).
 * Input as 5604h with byte 2 = flags: bits[3:0] removal policy (0 tag
 * based, 1 prescriptive), bit4 forced removal, bit5 sanitize on release.
 * Forced removal takes the capacity away at once with Forced Capacity
 * Release events (QEMU takes the flag but sends ordinary Release events).
 */
static uint16_t cmd_fm_initiate_dc_release(struct cci *cci, const struct cci_cmd *cmd,
					   struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct dcd_release_req req = { 0 };
	const char *why = NULL;
	uint8_t flags = call->in_len > 2 ? call->in[2] : 0;
	struct dcd_ext *e;
	size_t n;
	uint16_t rc;

	rc = get_fm_extents(call, &e, &n);
	if (rc)
		return rc;
	if ((flags & 0x0f) > DCD_RM_PRESCRIPTIVE) {
		free(e);
		return CXL_RC_INVALID_INPUT;
	}
	req.policy = (enum dcd_rm_policy)(flags & 0x0f);
	req.forced = flags & 0x10;
	req.sanitize = flags & 0x20;
	req.region = call->in[3];
	memcpy(req.tag, call->in + 12, DCD_TAG_LEN);
	req.ext = e;
	req.n = n;
	rc = do_release(dev, &req, &why);
	free(e);
	if (rc)
		log_info("dev %s op 0x%04x: %s (rc 0x%02x)", dev->id, cmd->info->opcode, why, rc);
	return rc;
}

static const struct cci_cmd t3_fm_dcd_cmds[] = {
	CCI_CMD(GET_DCD_INFO, cmd_fm_get_dcd_info),
	CCI_CMD(GET_HOST_DC_REGION_CONFIG, cmd_fm_get_host_dc_region_config),
	CCI_CMD(SET_DC_REGION_CONFIG, cmd_fm_set_dc_region_config),
	CCI_CMD(GET_DC_REGION_EXTENT_LISTS, cmd_fm_get_dc_region_extent_lists),
	CCI_CMD(INITIATE_DC_ADD, cmd_fm_initiate_dc_add),
	CCI_CMD(INITIATE_DC_RELEASE, cmd_fm_initiate_dc_release),
};
const struct cci_cmd_set t3_fm_dcd_set = CCI_SET("t3-fm-dcd", CXLFM_CCI_T3_FM, t3_fm_dcd_cmds);

/* ---- QMP ------------------------------------------------------------------------- */

static int qmp_err(char *err, size_t errlen, int rc, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return rc;
}

/*
 * Turn QMP extents (offset, len from the region base) into absolute ones,
 * with QEMU's messages for the checks it makes before the common rules.
 */
static int qmp_extents(const struct dcd_region *r, const uint8_t *tag,
		       const struct t3_dc_extent *in, size_t n, struct dcd_ext **out,
		       char *err, size_t errlen)
{
	struct dcd_ext *e = calloc(n ? n : 1, sizeof(*e));

	if (!e)
		return qmp_err(err, errlen, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *msg = NULL;

		if (!in[i].len)
			msg = "extent with 0 length is not allowed";
		else if (in[i].offset % r->block_size || in[i].len % r->block_size)
			msg = "dpa or len is not aligned to region block size";
		else if (in[i].offset > r->len || in[i].len > r->len - in[i].offset)
			msg = "extent range is beyond the region end";
		if (msg) {
			free(e);
			return qmp_err(err, errlen, -EINVAL, msg);
		}
		e[i].start = r->base + in[i].offset;
		e[i].len = in[i].len;
		if (tag)
			memcpy(e[i].tag, tag, DCD_TAG_LEN);
	}
	*out = e;
	return 0;
}

int t3_add_dynamic_capacity(struct t3_dev *dev, uint16_t host_id,
			    enum dcd_sel_policy policy, uint8_t region,
			    const uint8_t *tag, const struct t3_dc_extent *ext, size_t n,
			    char *err, size_t errlen)
{
	struct dcd_add_req req = { .policy = policy, .region = region };
	const struct dcd_region *r;
	struct dcd_ext *e = NULL;
	const char *why = NULL;
	uint16_t rc;
	int ret;

	(void)host_id;
	if (!dev->dcd)
		return qmp_err(err, errlen, -ENODEV, "No dynamic capacity support from the device");
	if (region >= dcd_num_regions(dev->dcd))
		return qmp_err(err, errlen, -EINVAL, "region id is too large");
	r = dcd_region(dev->dcd, region);
	if (tag)
		memcpy(req.tag, tag, DCD_TAG_LEN);
	switch (policy) {
	case DCD_SEL_PRESCRIPTIVE:
	case DCD_SEL_SHARED:
		ret = qmp_extents(r, tag, ext, n, &e, err, errlen);
		if (ret)
			return ret;
		req.ext = e;
		req.n = n;
		break;
	case DCD_SEL_FREE:
	case DCD_SEL_CONTIGUOUS:
		for (size_t i = 0; i < n; i++) {
			if (req.length + ext[i].len < req.length)
				return qmp_err(err, errlen, -EINVAL, "total length overflows");
			req.length += ext[i].len;
		}
		break;
	default:
		return qmp_err(err, errlen, -EINVAL, "Selection policy not supported");
	}
	rc = do_add(dev, &req, &why);
	free(e);
	if (rc) {
		log_info("dev %s: QMP add dynamic capacity: %s (rc 0x%02x)", dev->id, why, rc);
		return qmp_err(err, errlen, rc, why ? why : "rejected");
	}
	return 0;
}

int t3_release_dynamic_capacity(struct t3_dev *dev, uint16_t host_id,
				enum dcd_rm_policy policy, bool forced, bool sanitize,
				uint8_t region, const uint8_t *tag,
				const struct t3_dc_extent *ext, size_t n,
				char *err, size_t errlen)
{
	struct dcd_release_req req = {
		.policy = policy, .region = region, .forced = forced, .sanitize = sanitize,
	};
	struct dcd_ext *e = NULL;
	const char *why = NULL;
	uint16_t rc;
	int ret;

	(void)host_id;
	if (!dev->dcd)
		return qmp_err(err, errlen, -ENODEV, "No dynamic capacity support from the device");
	if (region >= dcd_num_regions(dev->dcd))
		return qmp_err(err, errlen, -EINVAL, "region id is too large");
	switch (policy) {
	case DCD_RM_PRESCRIPTIVE:
		ret = qmp_extents(dcd_region(dev->dcd, region), tag, ext, n, &e, err, errlen);
		if (ret)
			return ret;
		req.ext = e;
		req.n = n;
		break;
	case DCD_RM_TAG:
		if (!tag)
			return qmp_err(err, errlen, -EINVAL, "tag-based removal needs a tag");
		memcpy(req.tag, tag, DCD_TAG_LEN);
		break;
	default:
		return qmp_err(err, errlen, -EINVAL, "Removal policy not supported");
	}
	rc = do_release(dev, &req, &why);
	free(e);
	if (rc) {
		log_info("dev %s: QMP release dynamic capacity: %s (rc 0x%02x)", dev->id, why, rc);
		return qmp_err(err, errlen, rc, why ? why : "rejected");
	}
	return 0;
}
