/* SPDX-License-Identifier: MIT */
/*
 * A type-3 device's generic commands beyond t3.c's base sets (t3_gen.h):
 * Request Abort Background Operation wherever background operations run,
 * events and the MCTP event interrupt policy on the MCTP CCIs, timestamps
 * on the MCTP CCIs, the log commands 0402h-0405h, and the Vendor Debug Log.
 */
#include "dev/t3_gen.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dev/t3_priv.h"
#include "proto/le.h"
#include "util/log.h"

/*
 * MCTP Event Interrupt Settings (CXL r3.1 §8.2.9.2.6): one enable bit per
 * event log, informational .. dynamic capacity, in Get Event Records' log
 * numbering.
 */
#define MCTP_EV_POLICY_MASK ((1u << EV_LOG_COUNT) - 1u)

/* ---- events over MCTP (CXL r3.1 §8.2.9.2) ---------------------------------- */

/*
 * CXL r3.1 §8.2.9.2.2 Get Event Records (0100h) and §8.2.9.2.3 Clear Event
 * Records (0101h) on the MCTP CCIs: the same logs the host mailbox reads, so
 * a BMC or FM sees what the host sees (and a record either clears is gone
 * for both). The response holds as many records as the CCI's response
 * message limit allows.
 */
static uint16_t cmd_gen_get_event_records(struct cci *cci, const struct cci_cmd *cmd,
					  struct cci_call *call)
{
	(void)cmd;
	return ev_cmd_get_records(&t3_of(cci)->ev, call);
}

static uint16_t cmd_gen_clear_event_records(struct cci *cci, const struct cci_cmd *cmd,
					    struct cci_call *call)
{
	(void)cmd;
	return ev_cmd_clear_records(&t3_of(cci)->ev, call);
}

/*
 * CXL r3.1 §8.2.9.2.6 Get MCTP Event Interrupt Policy (0104h): output 2
 * bytes, Event Interrupt Settings (bit n: notifications for event log n).
 */
static uint16_t cmd_gen_get_mctp_ev_policy(struct cci *cci, const struct cci_cmd *cmd,
					   struct cci_call *call)
{
	(void)cmd;
	le16_put(call->out, t3_of(cci)->gen.mctp_ev_policy);
	call->out_len = 2;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.2.7 Set MCTP Event Interrupt Policy (0105h): input 2
 * bytes as 0104h's output; reserved bits are ignored. No output payload, as
 * libcxlmi expects (its call fails on anything longer).
 *
 * The settings ask the device to send Event Notification (0106h) requests
 * to the FM when a log gains records. That message goes from the device to
 * the FM as an MCTP request; cxl-emu's MCTP endpoints only answer requests
 * (they originate none), so the settings are kept and reported but no
 * notification is sent: an FM polls Get Event Records (docs/cxl-emu.md).
 */
static uint16_t cmd_gen_set_mctp_ev_policy(struct cci *cci, const struct cci_cmd *cmd,
					   struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	uint16_t v = (uint16_t)(le16_get(call->in) & MCTP_EV_POLICY_MASK);

	(void)cmd;
	if (v != dev->gen.mctp_ev_policy)
		t3_dbg(dev, "events: MCTP event notifications 0x%04x -> 0x%04x (via %s)",
		       dev->gen.mctp_ev_policy, v, cci->name);
	dev->gen.mctp_ev_policy = v;
	return CXL_RC_SUCCESS;
}

/* ---- Vendor Debug Log (CXL r3.1 §8.2.9.5.2, Table 8-71 log identifier) ---- */

/*
 * Its content is the vendor's to define. Ours is a text trace, one line per
 * management action that changed the device (firmware transfers and
 * activations, feature settings, MCTP notification policy, aborted
 * operations), stamped with the device timestamp ("t=", Set Timestamp's
 * epoch, ns) or, before one was set, the device's uptime ("up=", ns).
 * Populate Log appends a snapshot of the device's state; Clear Log empties
 * it. Kept in memory: a restart starts it empty. When it is full the oldest
 * lines make room.
 */
static void dbg_append(struct t3_dev *dev, const char *line, size_t n)
{
	struct t3_gen *g = &dev->gen;

	if (n > T3_DBG_LOG_SIZE)
		n = T3_DBG_LOG_SIZE;
	while (g->dbg_len + n > T3_DBG_LOG_SIZE) {
		char *nl = memchr(g->dbg, '\n', g->dbg_len);
		size_t drop = nl ? (size_t)(nl - g->dbg) + 1 : g->dbg_len;

		memmove(g->dbg, g->dbg + drop, g->dbg_len - drop);
		g->dbg_len -= drop;
	}
	memcpy(g->dbg + g->dbg_len, line, n);
	g->dbg_len += n;
}

void t3_dbg(struct t3_dev *dev, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	if (dev->ts.set)
		n = snprintf(line, sizeof(line), "t=%" PRIu64 " ", t3_timestamp(dev));
	else
		n = snprintf(line, sizeof(line), "up=%" PRIu64 " ",
			     dev->clock->now_ns(dev->clock->arg));
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	dbg_append(dev, line, (size_t)n);
	log_dbg("dev %s: %.*s", dev->id, n - 1, line);
}

static size_t dbg_size(struct cci *cci)
{
	return t3_of(cci)->gen.dbg_len;
}

static void dbg_read(struct cci *cci, size_t off, uint8_t *buf, size_t len)
{
	memcpy(buf, t3_of(cci)->gen.dbg + off, len);
}

static uint16_t dbg_clear(struct cci *cci)
{
	t3_of(cci)->gen.dbg_len = 0;
	return CXL_RC_SUCCESS;
}

static const char *const ev_names[EV_LOG_COUNT] = { "info", "warn", "fail", "fatal", "dc" };

static uint16_t dbg_populate(struct cci *cci)
{
	struct t3_dev *dev = t3_of(cci);
	const struct t3_fw *fw = &dev->gen.fw;
	char evs[128];
	unsigned saved = 0;
	int n = 0;

	t3_dbg(dev, "state: fw slot %u '%s' active, staged slot %u, slots used 0x%x, "
	       "transfer %s", fw->active, fw->slot[fw->active - 1].rev, fw->staged,
	       (fw->slot[0].valid ? 1u : 0u) | (fw->slot[1].valid ? 2u : 0u) |
	       (fw->slot[2].valid ? 4u : 0u) | (fw->slot[3].valid ? 8u : 0u),
	       fw->xfer ? "in progress" : "idle");
	for (unsigned i = 0; i < T3_FEAT_COUNT; i++)
		saved |= dev->gen.feat.has_saved[i] ? 1u << i : 0u;
	for (unsigned l = 0; l < EV_LOG_COUNT; l++)
		n += snprintf(evs + n, sizeof(evs) - (size_t)n, " %s %zu", ev_names[l],
			      ev_count(&dev->ev, l));
	t3_dbg(dev, "state: features saved 0x%02x, event records%s, MCTP notifications 0x%04x",
	       saved, evs, dev->gen.mctp_ev_policy);
	return CXL_RC_SUCCESS;
}

static const struct cci_log t3_dbg_log = {
	/* 5e1819d9-11a9-400c-811f-d60719403d86 (CXL r3.1 Table 8-71) */
	.uuid = { 0x5e, 0x18, 0x19, 0xd9, 0x11, 0xa9, 0x40, 0x0c,
		  0x81, 0x1f, 0xd6, 0x07, 0x19, 0x40, 0x3d, 0x86 },
	.caps = CCI_LOG_CAP_CLEAR | CCI_LOG_CAP_POPULATE | CCI_LOG_CAP_AUTO_POPULATE,
	.size = dbg_size,
	.read = dbg_read,
	.clear = dbg_clear,
	.populate = dbg_populate,
};

/* ---- command sets ---------------------------------------------------------- */

/*
 * Every CCI of the device: Request Abort Background Operation (QEMU's
 * primary mailbox has it; background operations run on each) and the log
 * commands beyond Get Supported Logs / Get Log (in t3.c's base sets).
 */
static const struct cci_cmd t3_gen_cmds[] = {
	CCI_CMD(BG_OP_ABORT, cci_cmd_bg_op_abort),
	CCI_CMD(GET_LOG_CAPS, cci_cmd_get_log_caps),
	CCI_CMD(CLEAR_LOG, cci_cmd_clear_log),
	CCI_CMD(POPULATE_LOG, cci_cmd_populate_log),
	CCI_CMD(GET_SUPPORTED_LOGS_SUBLIST, cci_cmd_get_supported_logs_sublist),
};

/*
 * The MCTP CCIs (FM-owned LD, LDs): what a BMC or an FM needs besides the
 * base set: event records and their MCTP notification policy, timestamps
 * (QEMU's FM-owned LD has Get Timestamp; Set is allowed on any CCI). The host
 * mailbox has events and timestamps in t3.c's base set, and MSI/MSI-X
 * interrupts (Get/Set Event Interrupt Policy) instead of the MCTP policy.
 */
static const struct cci_cmd t3_gen_mctp_cmds[] = {
	CCI_CMD(GET_EVENT_RECORDS, cmd_gen_get_event_records),
	CCI_CMD(CLEAR_EVENT_RECORDS, cmd_gen_clear_event_records),
	CCI_CMD(GET_MCTP_EVENT_INT_POLICY, cmd_gen_get_mctp_ev_policy),
	CCI_CMD(SET_MCTP_EVENT_INT_POLICY, cmd_gen_set_mctp_ev_policy),
	CCI_CMD(GET_TIMESTAMP, cci_cmd_get_timestamp),
	CCI_CMD(SET_TIMESTAMP, cci_cmd_set_timestamp),
};

/*
 * CXL r3.1 §8.2.9.1.2 Background Operation Status (0002h), a generic command
 * any CCI may carry. QEMU's LD CCI lacks it, and its host mailbox, where the
 * Background Command Status Register (§8.2.8.4.7) tells a driver the same;
 * here both answer it: firmware runs on an LD's CCI too, and host software
 * that reaches the mailbox only through commands (Linux's CXL_MEM_SEND_COMMAND
 * raw, docs/preload.md) sees a sanitize's progress with it.
 */
static const struct cci_cmd t3_gen_bg_cmds[] = {
	CCI_CMD(BG_OP_STATUS, cci_cmd_bg_op_status),
};

static const struct cci_cmd_set t3_gen_host_set =
	CCI_SET("t3-host-gen", CXLFM_CCI_T3_MBOX, t3_gen_cmds);
static const struct cci_cmd_set t3_gen_fm_set =
	CCI_SET("t3-fm-gen", CXLFM_CCI_T3_FM, t3_gen_cmds);
static const struct cci_cmd_set t3_gen_ld_set =
	CCI_SET("t3-ld-gen", CXLFM_CCI_T3_LD, t3_gen_cmds);
static const struct cci_cmd_set t3_gen_fm_mctp_set =
	CCI_SET("t3-fm-mctp", CXLFM_CCI_T3_FM, t3_gen_mctp_cmds);
static const struct cci_cmd_set t3_gen_ld_mctp_set =
	CCI_SET("t3-ld-mctp", CXLFM_CCI_T3_LD, t3_gen_mctp_cmds);
static const struct cci_cmd_set t3_gen_ld_bg_set =
	CCI_SET("t3-ld-bg", CXLFM_CCI_T3_LD, t3_gen_bg_cmds);
static const struct cci_cmd_set t3_gen_host_bg_set =
	CCI_SET("t3-host-bg", CXLFM_CCI_T3_MBOX, t3_gen_bg_cmds);

static int attach_one(struct cci *cci, const struct cci_cmd_set *set)
{
	int rc = cci_add_set(cci, set);

	return rc ? rc : cci_add_log(cci, &t3_dbg_log);
}

int t3_gen_attach(struct t3_dev *dev)
{
	int rc;

	dev->gen.mctp_ev_policy = 0;
	dev->gen.dbg_len = 0;
	rc = attach_one(&dev->host, &t3_gen_host_set);
	if (!rc)
		rc = cci_add_set(&dev->host, &t3_gen_host_bg_set);
	if (!rc)
		rc = attach_one(&dev->fm, &t3_gen_fm_set);
	if (!rc)
		rc = cci_add_set(&dev->fm, &t3_gen_fm_mctp_set);
	for (unsigned i = 0; !rc && i < dev->num_ld; i++) {
		rc = attach_one(&dev->ld[i], &t3_gen_ld_set);
		if (!rc)
			rc = cci_add_set(&dev->ld[i], &t3_gen_ld_mctp_set);
		if (!rc)
			rc = cci_add_set(&dev->ld[i], &t3_gen_ld_bg_set);
	}
	return rc;
}
