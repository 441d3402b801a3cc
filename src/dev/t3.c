/* SPDX-License-Identifier: MIT */
/*
 * CXL Type-3 memory device: creation, the host mailbox and FM-owned LD base
 * command sets, memory access and the QMP injection helpers. The DCD
 * commands are in t3_dcd.c, the MLD ones in t3_mld.c.
 */
#include "dev/t3.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/t3_priv.h"
#include "dev/tunnel.h"
#include "proto/le.h"
#include "util/log.h"
#include "util/memguard.h"

#define UNIT DCD_CAPACITY_UNIT
#define SANITIZE_CHUNK 4096u /* a page: what one fault takes away */

uint64_t t3_timestamp(const struct t3_dev *dev)
{
	if (!dev->ts.set)
		return 0;
	return dev->ts.value_ns + (dev->clock->now_ns(dev->clock->arg) - dev->ts.at_ns);
}

/* ---- host mailbox: events ------------------------------------------------------ */

/* CXL r3.1 §8.2.9.2.2 Get Event Records (Opcode 0100h) */
static uint16_t cmd_host_get_event_records(struct cci *cci, const struct cci_cmd *cmd,
					   struct cci_call *call)
{
	(void)cmd;
	return ev_cmd_get_records(&t3_of(cci)->ev, call);
}

/* CXL r3.1 §8.2.9.2.3 Clear Event Records (Opcode 0101h) */
static uint16_t cmd_host_clear_event_records(struct cci *cci, const struct cci_cmd *cmd,
					     struct cci_call *call)
{
	(void)cmd;
	return ev_cmd_clear_records(&t3_of(cci)->ev, call);
}

/* CXL r3.1 §8.2.9.2.4 Get Event Interrupt Policy (Opcode 0102h) */
static uint16_t cmd_host_get_event_int_policy(struct cci *cci, const struct cci_cmd *cmd,
					      struct cci_call *call)
{
	(void)cmd;
	return ev_cmd_get_int_policy(&t3_of(cci)->ev, call);
}

/* CXL r3.1 §8.2.9.2.5 Set Event Interrupt Policy (Opcode 0103h) */
static uint16_t cmd_host_set_event_int_policy(struct cci *cci, const struct cci_cmd *cmd,
					      struct cci_call *call)
{
	(void)cmd;
	return ev_cmd_set_int_policy(&t3_of(cci)->ev, call);
}

/*
 * Type-3 host mailbox (QEMU cxl_cmd_set with effects as QEMU's, plus
 * Identify which the issue lists although QEMU's primary mailbox lacks it).
 */
static const struct cci_cmd t3_host_cmds[] = {
	CCI_CMD(IDENTIFY, cci_cmd_identify),
	CCI_CMD(GET_EVENT_RECORDS, cmd_host_get_event_records),
	CCI_CMD(CLEAR_EVENT_RECORDS, cmd_host_clear_event_records),
	CCI_CMD(GET_EVENT_INT_POLICY, cmd_host_get_event_int_policy),
	CCI_CMD(SET_EVENT_INT_POLICY, cmd_host_set_event_int_policy),
	CCI_CMD(GET_TIMESTAMP, cci_cmd_get_timestamp),
	CCI_CMD(SET_TIMESTAMP, cci_cmd_set_timestamp),
	CCI_CMD(GET_SUPPORTED_LOGS, cci_cmd_get_supported_logs),
	CCI_CMD(GET_LOG, cci_cmd_get_log),
};
static const struct cci_cmd_set t3_host_set = CCI_SET("t3-host", CXLFM_CCI_T3_MBOX, t3_host_cmds);

/* ---- FM-owned LD over MCTP ------------------------------------------------------ */

/*
 * CXL r3.1 §7.6.7.3.1 Tunnel Management Command (Opcode 5300h) on an
 * FM-owned LD: the id selects the LD (0 only for a single-LD device, as
 * QEMU's ld0_cci; 0..num_ld-1 for an MLD, beyond QEMU).
 */
static uint16_t cmd_fm_tunnel(struct cci *cci, const struct cci_cmd *cmd,
			      struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct cci_tunnel_req req;
	uint16_t rc;

	(void)cmd;
	rc = cci_tunnel_parse(call, &req);
	if (rc)
		return rc;
	if (req.id >= dev->num_ld) {
		log_dbg("dev %s op 0x5300: no LD %u", dev->id, req.id);
		return CXL_RC_INVALID_INPUT;
	}
	return cci_tunnel_run(&dev->ld[req.id], &req, call);
}

/*
 * The FM-owned LD set. QEMU's cxl_cmd_set_t3_fm_owned_ld_mctp has no
 * Background Operation Status but has Get Timestamp; the list is
 * followed. Effects are the command facts' (QEMU reports 0 for Set Response
 * Message Limit; the facts have Immediate Configuration Change, as the
 * switch always reported).
 */
static const struct cci_cmd t3_fm_cmds[] = {
	CCI_CMD(IDENTIFY, cci_cmd_identify),
	CCI_CMD(BG_OP_STATUS, cci_cmd_bg_op_status),
	CCI_CMD(GET_RSP_MSG_LIMIT, cci_cmd_get_rsp_msg_limit),
	CCI_CMD(SET_RSP_MSG_LIMIT, cci_cmd_set_rsp_msg_limit),
	CCI_CMD(GET_SUPPORTED_LOGS, cci_cmd_get_supported_logs),
	CCI_CMD(GET_LOG, cci_cmd_get_log),
	CCI_CMD(TUNNEL_MGMT, cmd_fm_tunnel),
};
static const struct cci_cmd_set t3_fm_set = CCI_SET("t3-fm-owned-ld", CXLFM_CCI_T3_FM,
						    t3_fm_cmds);

/* An LD's CCI, the tunnel target (QEMU cxl_cmd_set_t3_ld). */
static const struct cci_cmd t3_ld_cmds[] = {
	CCI_CMD(IDENTIFY, cci_cmd_identify),
	CCI_CMD(GET_SUPPORTED_LOGS, cci_cmd_get_supported_logs),
	CCI_CMD(GET_LOG, cci_cmd_get_log),
};
static const struct cci_cmd_set t3_ld_set = CCI_SET("t3-ld", CXLFM_CCI_T3_LD, t3_ld_cmds);

/* ---- lifecycle ---------------------------------------------------------------- */

static void ev_notify(void *arg, unsigned log)
{
	struct t3_dev *dev = arg;

	if (dev->notify)
		dev->notify(dev, log, dev->notify_arg);
}

/*
 * The backing memory is a mapping of a file or shared object: a page that
 * cannot be had (file truncated by another process, no space left for a
 * page of a sparse file) faults with SIGBUS. Accesses run under a guard
 * (util/memguard.h); a fault fails the access and is logged once per
 * device, the device keeps serving.
 */
static void mem_fault(struct t3_dev *dev, uint64_t dpa, uint64_t len, const char *what)
{
	if (dev->mem_fault_logged)
		return;
	dev->mem_fault_logged = true;
	log_err("dev %s: %s at DPA 0x%" PRIx64 "+0x%" PRIx64 " failed: the backing memory "
		"cannot be mapped there (file truncated, or its filesystem full?); further "
		"failures are not logged", dev->id, what, dpa, len);
}

static void dc_sanitize(void *arg, uint64_t dpa, uint64_t len)
{
	struct t3_dev *dev = arg;
	uint64_t off = dpa - dev->dc_base;
	uint8_t *p;

	if (!dev->cfg.dc_mem || off >= dev->cfg.dc_mem_size)
		return;
	if (len > dev->cfg.dc_mem_size - off)
		len = dev->cfg.dc_mem_size - off;
	p = dev->cfg.dc_mem + off;
	if (memguard_set(p, 0, (size_t)len)) {
		/* Zero every page that is there; the rest holds no data. */
		for (uint64_t at = 0; at < len; at += SANITIZE_CHUNK)
			memguard_set(p + at, 0, (size_t)(len - at < SANITIZE_CHUNK ?
							 len - at : SANITIZE_CHUNK));
		mem_fault(dev, dpa, len, "sanitize");
		return;
	}
	log_dbg("dev %s: sanitized DPA 0x%" PRIx64 "+0x%" PRIx64, dev->id, dpa, len);
}

static int check_config(const struct t3_config *c)
{
	const char *id = c->id ? c->id : "cxl-type3";

	if (c->num_dc_regions > DCD_MAX_REGIONS) {
		log_err("dev %s: num-dc-regions %u (at most 8)", id, c->num_dc_regions);
		return -EINVAL;
	}
	if (c->num_ld > T3_MAX_LD) {
		log_err("dev %s: num-ld %u (at most %u)", id, c->num_ld, T3_MAX_LD);
		return -EINVAL;
	}
	if (!c->vmem_size && !c->pmem_size && !c->num_dc_regions) {
		log_err("dev %s: at least one memdev property must be set", id);
		return -EINVAL;
	}
	if (c->pmem_size && !c->lsa_size) {
		log_err("dev %s: lsa property must be set for persistent devices", id);
		return -EINVAL;
	}
	if (c->num_dc_regions && !c->dc_size) {
		log_err("dev %s: dynamic capacity must have a backing device", id);
		return -EINVAL;
	}
	if (c->dc_mem && c->dc_mem_size < c->dc_size) {
		log_err("dev %s: DC backend smaller than the DC capacity", id);
		return -EINVAL;
	}
	if (c->static_mem && c->static_mem_size < c->vmem_size + c->pmem_size) {
		log_err("dev %s: static backend smaller than the static capacity", id);
		return -EINVAL;
	}
	return 0;
}

static int init_ccis(struct t3_dev *dev)
{
	int rc;

	snprintf(dev->host_name, sizeof(dev->host_name), "%" PRIu64 ":mbox_cci",
		 dev->cfg.serial);
	snprintf(dev->fm_name, sizeof(dev->fm_name), "%" PRIu64 ":oob_mctp_cci",
		 dev->cfg.serial);
	rc = cci_init(&dev->host, dev->host_name, dev, &dev->ident, &dev->ts, dev->clock,
		      T3_HOST_PAYLOAD_MAX, T3_HOST_PAYLOAD_MAX);
	if (!rc)
		rc = cci_add_set(&dev->host, &t3_host_set);
	if (!rc)
		rc = cci_add_set(&dev->host, &t3_mem_host_set);
	if (!rc && dev->dcd)
		rc = cci_add_set(&dev->host, &t3_host_dcd_set);
	if (!rc)
		rc = cci_add_set(&dev->host, &t3_media_host_set);
	if (!rc)
		rc = cci_add_set(&dev->host, &t3_sec_host_set);
	if (!rc && dev->num_ld == 1)
		rc = cci_add_set(&dev->host, &t3_qos_host_set);
	if (!rc)
		rc = cci_init(&dev->fm, dev->fm_name, dev, &dev->ident, &dev->ts, dev->clock,
			      T3_MCTP_PAYLOAD_MAX, T3_MCTP_PAYLOAD_CAP);
	if (!rc)
		rc = cci_add_set(&dev->fm, &t3_fm_set);
	if (!rc)
		rc = cci_add_set(&dev->fm, &t3_mem_fm_set);
	if (!rc && dev->num_ld > 1)
		rc = cci_add_set(&dev->fm, &t3_fm_mld_set);
	if (!rc && dev->num_ld > 1)
		rc = cci_add_set(&dev->fm, &t3_fm_mld_qos_set);
	if (!rc && dev->dcd)
		rc = cci_add_set(&dev->fm, &t3_fm_dcd_set);
	if (!rc)
		rc = cci_add_set(&dev->fm, &t3_media_fm_set);
	if (!rc)
		rc = cci_add_set(&dev->fm, &t3_sec_fm_set);
	if (!rc && dev->num_ld == 1)
		rc = cci_add_set(&dev->fm, &t3_qos_fm_set);
	for (unsigned i = 0; !rc && i < dev->num_ld; i++) {
		snprintf(dev->ld_name[i], sizeof(dev->ld_name[i]), "%" PRIu64 ":ld%u",
			 dev->cfg.serial, i);
		rc = cci_init(&dev->ld[i], dev->ld_name[i], dev, &dev->ident, &dev->ts,
			      dev->clock, T3_MCTP_PAYLOAD_MAX, T3_MCTP_PAYLOAD_MAX);
		if (!rc)
			rc = cci_add_set(&dev->ld[i], &t3_ld_set);
		if (!rc)
			rc = cci_add_set(&dev->ld[i], &t3_media_ld_set);
		if (!rc)
			rc = cci_add_set(&dev->ld[i], &t3_sec_ld_set);
		if (!rc && dev->num_ld == 1)
			rc = cci_add_set(&dev->ld[i], &t3_qos_ld_set);
		if (!rc)
			rc = cci_add_set(&dev->ld[i], &t3_mem_ld_set);
	}
	if (!rc)
		rc = t3_gen_attach(dev);
	if (!rc)
		rc = t3_fw_attach(dev);
	if (!rc)
		rc = t3_features_attach(dev);
	/* The media, security and QoS state the sets act on. */
	t3_qos_init(dev);
	return rc ? rc : t3_sec_init(dev);
}

int t3_create(const struct t3_config *cfg, const struct cci_clock *clock,
	      struct t3_dev **out)
{
	uint16_t caps[EV_LOG_COUNT];
	struct t3_dev *dev;
	int rc;

	*out = NULL;
	if (!cfg || !clock || !clock->now_ns)
		return -EINVAL;
	rc = check_config(cfg);
	if (rc)
		return rc;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->id = strdup(cfg->id ? cfg->id : "cxl-type3");
	if (!dev->id) {
		free(dev);
		return -ENOMEM;
	}
	dev->cfg = *cfg;
	dev->cfg.id = dev->id;
	dev->clock = clock;
	dev->num_ld = cfg->num_ld ? cfg->num_ld : 1;
	dev->ident = (struct cci_ident){
		.vendor_id = T3_VENDOR_ID, .device_id = T3_DEVICE_ID,
		.subsys_vendor_id = T3_SUBSYS_VENDOR_ID, .subsys_id = T3_SUBSYS_ID,
		.serial = cfg->serial, .component_type = CCI_COMPONENT_TYPE3,
	};
	for (unsigned i = 0; i < EV_LOG_DCD; i++)
		caps[i] = cfg->event_log_size ? cfg->event_log_size : T3_EVENT_LOG_SIZE;
	caps[EV_LOG_DCD] = cfg->dc_event_log_size ? cfg->dc_event_log_size :
			   T3_DC_EVENT_LOG_SIZE;
	rc = ev_init(&dev->ev, caps);
	if (rc)
		goto fail;
	dev->ev.notify = ev_notify;
	dev->ev.notify_arg = dev;
	dev->dc_base = cfg->vmem_size + cfg->pmem_size;
	if (cfg->num_dc_regions) {
		struct dcd_config dc = {
			.base = dev->dc_base,
			.size = cfg->dc_size,
			.num_regions = cfg->num_dc_regions,
			.block_size = cfg->dc_block_size,
			.block_size_mask = cfg->dc_block_size_mask,
			.extents_max = cfg->dc_extents_max,
			.sharable = cfg->dc_sharable,
			/* DSMAD handles follow the static ones, as QEMU's CDAT. */
			.dsmad_handle_base = (cfg->vmem_size ? 1u : 0u) + (cfg->pmem_size ? 1u : 0u),
			.sanitize = dc_sanitize,
			.arg = dev,
		};

		rc = dcd_create(&dc, &dev->dcd);
		if (rc) {
			log_err("dev %s: DC regions setup failed", dev->id);
			goto fail;
		}
	}
	rc = t3_nv_open(dev);
	if (rc)
		goto fail;
	rc = init_ccis(dev);
	if (rc)
		goto fail;
	t3_mld_init(dev);
	rc = t3_cxlio_init(dev);
	if (rc)
		goto fail;
	log_info("dev %s: type-3 sn %" PRIu64 ", %u DC region(s), %u LD(s)", dev->id,
		 cfg->serial, cfg->num_dc_regions, dev->num_ld);
	*out = dev;
	return 0;
fail:
	t3_destroy(dev);
	return rc;
}

void t3_destroy(struct t3_dev *dev)
{
	if (!dev)
		return;
	t3_cxlio_free(dev);
	dcd_destroy(dev->dcd);
	ev_fini(&dev->ev);
	t3_nv_close(dev);
	free(dev->id);
	free(dev);
}

void t3_set_notify(struct t3_dev *dev, t3_notify_fn fn, void *arg)
{
	dev->notify = fn;
	dev->notify_arg = arg;
}

const char *t3_id(const struct t3_dev *dev) { return dev->id; }
uint64_t t3_serial(const struct t3_dev *dev) { return dev->cfg.serial; }
unsigned t3_num_ld(const struct t3_dev *dev) { return dev->num_ld; }
struct cci *t3_host_cci(struct t3_dev *dev) { return &dev->host; }
struct cci *t3_fm_cci(struct t3_dev *dev) { return &dev->fm; }
const struct ev_logs *t3_events(const struct t3_dev *dev) { return &dev->ev; }
const struct dcd *t3_dcd(const struct t3_dev *dev) { return dev->dcd; }
uint64_t t3_dc_base(const struct t3_dev *dev) { return dev->dc_base; }

struct cci *t3_ld_cci(struct t3_dev *dev, unsigned ld)
{
	return ld < dev->num_ld ? &dev->ld[ld] : NULL;
}

/* ---- memory, injected events ------------------------------------------------- */

int t3_mem_access(struct t3_dev *dev, uint64_t dpa, void *buf, size_t len, bool write)
{
	uint64_t static_end = dev->cfg.vmem_size + dev->cfg.pmem_size;
	uint8_t *p;
	int rc;

	if (!len)
		return 0;
	if (dpa + len < dpa)
		return -EFAULT;
	if (dpa + len <= static_end) {
		if (!dev->cfg.static_mem || dpa + len > dev->cfg.static_mem_size)
			return -ENXIO;
		p = dev->cfg.static_mem + dpa;
	} else if (dev->dcd && dpa >= dev->dc_base) {
		uint64_t off = dpa - dev->dc_base;

		if (!dcd_accessible(dev->dcd, dpa, len))
			return -EFAULT;
		if (!dev->cfg.dc_mem || off + len > dev->cfg.dc_mem_size)
			return -ENXIO;
		p = dev->cfg.dc_mem + off;
	} else {
		return -EFAULT;
	}
	/* What the media says: locked (t3_security.c), disabled, poisoned (t3_media.c). */
	rc = t3_media_gate(dev, dpa, len, write);
	if (rc)
		return rc;
	if (write ? memguard_copy(p, buf, len) : memguard_copy(buf, p, len)) {
		mem_fault(dev, dpa, len, write ? "write" : "read");
		return -EIO;
	}
	return 0;
}

static int seterr(char *err, size_t errlen, int rc, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return rc;
}

/*
 * General Media Event Record, CXL r3.1 §8.2.9.2.1.1 (QEMU CXLEventGenMedia):
 * 0x30 physical address, 0x38 memory event descriptor, 0x39 memory event
 * type, 0x3a transaction type, 0x3b:2 validity flags (bit0 channel, bit1
 * rank, bit2 device, bit3 component id), 0x3d channel, 0x3e rank, 0x3f:3
 * device, 0x42:16 component identifier.
 */
int t3_inject_general_media_event(struct t3_dev *dev, const struct t3_gen_media_event *ev,
				  char *err, size_t errlen)
{
	uint8_t rec[EV_RECORD_SIZE];
	uint16_t valid = 0;

	if (ev->log > EV_LOG_FATAL)
		return seterr(err, errlen, -EINVAL, "Unhandled error log type");
	ev_record_init(rec, ev_uuid_gen_media, ev->flags & 0xffffffu);
	le64_put(rec + 0x30, ev->dpa);
	rec[0x38] = ev->descriptor;
	rec[0x39] = ev->type;
	rec[0x3a] = ev->transaction_type;
	if (ev->has_channel) {
		rec[0x3d] = ev->channel;
		valid |= 1u << 0;
	}
	if (ev->has_rank) {
		rec[0x3e] = ev->rank;
		valid |= 1u << 1;
	}
	if (ev->has_device) {
		le24_put(rec + 0x3f, ev->device);
		valid |= 1u << 2;
	}
	if (ev->component_id) {
		size_t n = strlen(ev->component_id);

		memcpy(rec + 0x42, ev->component_id, n > 15 ? 15 : n);
		valid |= 1u << 3;
	}
	le16_put(rec + 0x3b, valid);
	/* A full log counts an overflow, as the device would; not an error. */
	ev_add(&dev->ev, ev->log, rec, t3_timestamp(dev));
	return 0;
}
