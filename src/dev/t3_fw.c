/* SPDX-License-Identifier: MIT */
/*
 * Firmware update of a type-3 device (CXL r3.1 §8.2.9.3): Get FW Info
 * (0200h), Transfer FW (0201h), Activate FW (0202h), on the host mailbox, the
 * FM-owned LD and each LD's CCI; one firmware state per device.
 *
 * Model
 *   - T3_FW_SLOTS slots (QEMU has 2; the spec allows 2 to 4). A new device
 *     has slot 1 active holding T3_FW_DEFAULT_REV.
 *   - A package is cxl-fmemu's format (proto/fwpkg.h): the device verifies
 *     it (magic, length, CRC-32, printable revision) when the last byte is
 *     in, and the slot's revision is the package's. A package that fails
 *     verification is not stored: the transfer's background operation ends
 *     with FW Verification Failed. The package itself is not kept, only
 *     what Get FW Info shows (revision, length, CRC).
 *   - Every Transfer FW that carries data (Full, or one part of Initiate /
 *     Continue / End) is a background operation, as QEMU's: its effect
 *     happens when it completes, Request Abort Background Operation (0005h)
 *     throws the part away (a partial transfer then waits for that part
 *     again). Parts follow each other exactly (offset = bytes so far);
 *     the last part may be sent again (same offset and length). 30 s
 *     without a part abandons a partial transfer (QEMU's rule).
 *   - Activate FW online is a background operation too (the command's CEL
 *     entry says background + abort); on completion the slot is active.
 *     Activation "on the next cold reset" stages the slot: cxl-emu has no
 *     device reset, so it takes effect when the device is next created, i.e.
 *     at the next cxl-emu start with the same non-volatile state.
 *   - Slots, revisions, active and staged slot live in the FW section of
 *     the non-volatile state, so the active revision survives a restart.
 *   - One firmware engine per device: while a firmware background operation
 *     runs on one CCI, firmware commands on another answer Busy; a partial
 *     transfer belongs to the CCI that initiated it (another CCI gets FW
 *     Transfer in Progress).
 *
 * Where the spec leaves room QEMU (hw/cxl/cxl-mailbox-utils.c) decides;
 * departures are named where they occur.
 */
#include "dev/t3_gen.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dev/t3_nv.h"
#include "dev/t3_priv.h"
#include "proto/le.h"
#include "util/log.h"

/* Transfer FW actions (CXL r3.1 §8.2.9.3.2). */
enum fw_action {
	XFER_FULL = 0,
	XFER_INIT = 1,
	XFER_CONTINUE = 2,
	XFER_END = 3,
	XFER_ABORT = 4,
	OP_ACTIVATE = 0xff, /* ours: the engine's operation is an online activation */
};

#define XFER_HDR_LEN 0x80u       /* Transfer FW header before the data */
#define XFER_ALIGN 128u          /* Offset is in 128-byte units */
#define XFER_BASE_NS 20000000ull /* a part takes 20 ms ... */
#define XFER_NS_PER_BYTE 10ull   /* ... + 10 ns a byte (100 MB/s) */
#define ACTIVATE_NS 200000000ull /* online activation: 200 ms */
#define XFER_TIMEOUT_NS 30000000000ull /* QEMU: 30 s between parts */

/* Get FW Info FW Activation Capabilities bit 0: online activation supported. */
#define FW_CAP_ONLINE 0x01u

/*
 * FW section of the non-volatile state (t3_nv.h), little endian:
 *   0x00 4  "T3FW"     0x04 1  format 1     0x05 1  active slot
 *   0x06 1  staged slot (0: none)           0x07 1  slots holding firmware (bit n-1: slot n)
 *   0x10 + 32 (n-1), for slot n: 16 revision, 4 package length, 4 CRC-32, 8 rsvd
 */
#define NV_MAGIC "T3FW"
#define NV_FORMAT 1u
#define NV_SLOT0 0x10u
#define NV_SLOT_LEN 32u
#define NV_LEN (NV_SLOT0 + NV_SLOT_LEN * T3_FW_SLOTS)

static struct t3_fw *fw_of(struct t3_dev *dev)
{
	return &dev->gen.fw;
}

static uint64_t now_ns(const struct t3_dev *dev)
{
	return dev->clock->now_ns(dev->clock->arg);
}

void t3_fw_revision(const struct t3_dev *dev, char out[T3_FW_REV_LEN])
{
	const struct t3_fw *fw = &dev->gen.fw;

	memset(out, 0, T3_FW_REV_LEN);
	if (fw->active >= 1 && fw->active <= T3_FW_SLOTS)
		memcpy(out, fw->slot[fw->active - 1].rev, strnlen(fw->slot[fw->active - 1].rev,
								   T3_FW_REV_LEN));
}

/* ---- non-volatile state ---- */

static void fw_defaults(struct t3_fw *fw)
{
	memset(fw->slot, 0, sizeof(fw->slot));
	fw->slot[0].valid = true;
	snprintf(fw->slot[0].rev, sizeof(fw->slot[0].rev), "%s", T3_FW_DEFAULT_REV);
	fw->active = 1;
	fw->staged = 0;
}

static void fw_store(struct t3_dev *dev)
{
	const struct t3_fw *fw = fw_of(dev);
	uint8_t b[NV_LEN] = { 0 };

	memcpy(b, NV_MAGIC, 4);
	b[4] = NV_FORMAT;
	b[5] = fw->active;
	b[6] = fw->staged;
	for (unsigned i = 0; i < T3_FW_SLOTS; i++) {
		uint8_t *p = b + NV_SLOT0 + NV_SLOT_LEN * i;

		if (!fw->slot[i].valid)
			continue;
		b[7] |= (uint8_t)(1u << i);
		memcpy(p, fw->slot[i].rev, strnlen(fw->slot[i].rev, T3_FW_REV_LEN));
		le32_put(p + 16, fw->slot[i].len);
		le32_put(p + 20, fw->slot[i].crc);
	}
	if (t3_nv_store(dev, T3_NV_FW, b, sizeof(b)))
		log_warn("dev %s: firmware state not saved: it will not survive a restart",
			 dev->id);
}

/* Decode and check the FW section; false if it is not a state we wrote. */
static bool fw_decode(const uint8_t *b, struct t3_fw *fw, const char **why)
{
	uint8_t used = b[7];

	if (memcmp(b, NV_MAGIC, 4) || b[4] != NV_FORMAT) {
		*why = "unknown format";
		return false;
	}
	if (used >> T3_FW_SLOTS) {
		*why = "slots beyond the device's";
		return false;
	}
	memset(fw->slot, 0, sizeof(fw->slot));
	for (unsigned i = 0; i < T3_FW_SLOTS; i++) {
		const uint8_t *p = b + NV_SLOT0 + NV_SLOT_LEN * i;

		if (!(used & (1u << i)))
			continue;
		if (!fwpkg_rev_ok((const char *)p, T3_FW_REV_LEN)) {
			*why = "a slot's revision is not printable ASCII";
			return false;
		}
		fw->slot[i].valid = true;
		memcpy(fw->slot[i].rev, p, T3_FW_REV_LEN);
		fw->slot[i].len = le32_get(p + 16);
		fw->slot[i].crc = le32_get(p + 20);
	}
	fw->active = b[5];
	fw->staged = b[6];
	if (fw->active < 1 || fw->active > T3_FW_SLOTS || !fw->slot[fw->active - 1].valid) {
		*why = "the active slot holds no firmware";
		return false;
	}
	if (fw->staged && (fw->staged > T3_FW_SLOTS || fw->staged == fw->active ||
			   !fw->slot[fw->staged - 1].valid)) {
		*why = "the staged slot holds no firmware";
		return false;
	}
	return true;
}

static void fw_load(struct t3_dev *dev)
{
	struct t3_fw *fw = fw_of(dev);
	uint8_t b[NV_LEN], zero[NV_LEN] = { 0 };
	const char *why = NULL;

	if (t3_nv_fresh(dev) || t3_nv_load(dev, T3_NV_FW, b, sizeof(b)) ||
	    !memcmp(b, zero, sizeof(b))) {
		fw_defaults(fw);
		fw_store(dev);
		return;
	}
	if (!fw_decode(b, fw, &why)) {
		log_warn("dev %s: firmware state in the non-volatile region is unusable (%s): "
			 "back to slot 1 '%s'", dev->id, why, T3_FW_DEFAULT_REV);
		fw_defaults(fw);
		fw_store(dev);
		return;
	}
	if (fw->staged) {
		/* CXL r3.1 §8.2.9.3.3: activation on the next cold reset; a start is ours. */
		log_info("dev %s: firmware slot %u '%s' activated at start (was staged)",
			 dev->id, fw->staged, fw->slot[fw->staged - 1].rev);
		t3_dbg(dev, "fw: slot %u '%s' activated at start (staged)", fw->staged,
		       fw->slot[fw->staged - 1].rev);
		fw->active = fw->staged;
		fw->staged = 0;
		fw_store(dev);
	}
}

/* ---- the engine ---- */

/*
 * Busy when another CCI's firmware operation is still running. A CCI the
 * host timer does not tick (an LD's) finishes its operation here.
 */
static bool engine_busy(struct t3_dev *dev, const struct cci *cci)
{
	struct t3_fw *fw = fw_of(dev);

	if (fw->op_cci && fw->op_cci != cci)
		cci_tick(fw->op_cci);
	return fw->op_cci && fw->op_cci != cci;
}

/* A partial transfer left without a part for too long is dropped (QEMU: 30 s). */
static void xfer_expire(struct t3_dev *dev)
{
	struct t3_fw *fw = fw_of(dev);

	if (fw->xfer && now_ns(dev) - fw->xfer_at_ns > XFER_TIMEOUT_NS) {
		log_info("dev %s: partial firmware transfer abandoned after %llu s without a part",
			 dev->id, XFER_TIMEOUT_NS / 1000000000ull);
		t3_dbg(dev, "fw: partial transfer abandoned (timeout) at %" PRIu32 " bytes",
		       fw->xfer_len);
		fw->xfer = false;
	}
}

static void store_package(struct t3_dev *dev, uint8_t slot, const struct fwpkg_rx *rx,
			  struct cci *cci)
{
	struct t3_fw *fw = fw_of(dev);
	struct fwpkg_info info;
	const char *why = NULL;

	if (fwpkg_rx_verify(rx, &info, &why)) {
		log_info("dev %s: firmware package for slot %u refused: %s", dev->id, slot, why);
		t3_dbg(dev, "fw: package of %" PRIu64 " bytes for slot %u failed verification: %s",
		       rx->have, slot, why);
		cci->bg.rc = CXL_RC_FW_VERIFY_FAILED;
		return;
	}
	fw->slot[slot - 1] = (struct t3_fw_slot){ .valid = true, .len = info.len,
						  .crc = info.crc };
	memcpy(fw->slot[slot - 1].rev, info.rev, sizeof(fw->slot[slot - 1].rev));
	fw_store(dev);
	log_info("dev %s: firmware slot %u now holds '%s' (%" PRIu32 " bytes)", dev->id, slot,
		 info.rev, info.len);
	t3_dbg(dev, "fw: slot %u <- '%s' (%" PRIu32 " bytes, crc 0x%08" PRIx32 ") via %s",
	       slot, info.rev, info.len, info.crc, cci->name);
}

/* The engine's background operation completed: apply it. */
static void op_done(struct cci *cci, void *arg)
{
	struct t3_dev *dev = arg;
	struct t3_fw *fw = fw_of(dev);

	fw->op_cci = NULL;
	switch (fw->op_action) {
	case XFER_FULL:
		store_package(dev, fw->op_slot, &fw->op_rx, cci);
		break;
	case XFER_INIT:
		fw->xfer = true;
		fw->xfer_cci = cci;
		fwpkg_rx_init(&fw->rx_prev);
		/* fall through */
	case XFER_CONTINUE:
		if (fw->op_action == XFER_CONTINUE && !fw->op_again)
			fw->rx_prev = fw->rx;
		fw->rx = fw->op_rx;
		fw->last_off = fw->op_off;
		fw->last_len = fw->op_len;
		fw->xfer_len = fw->op_off + fw->op_len;
		fw->xfer_at_ns = now_ns(dev);
		break;
	case XFER_END:
		fw->xfer = false;
		store_package(dev, fw->op_slot, &fw->op_rx, cci);
		break;
	case OP_ACTIVATE:
		fw->active = fw->op_slot;
		if (fw->staged == fw->op_slot)
			fw->staged = 0;
		fw_store(dev);
		log_info("dev %s: firmware slot %u '%s' active (online)", dev->id, fw->active,
			 fw->slot[fw->active - 1].rev);
		t3_dbg(dev, "fw: slot %u '%s' activated online via %s", fw->active,
		       fw->slot[fw->active - 1].rev, cci->name);
		break;
	default:
		break;
	}
}

static void op_aborted(struct cci *cci, void *arg)
{
	struct t3_dev *dev = arg;
	struct t3_fw *fw = fw_of(dev);

	fw->op_cci = NULL;
	t3_dbg(dev, "fw: %s aborted via %s%s", fw->op_action == OP_ACTIVATE ?
	       "activation" : "transfer", cci->name,
	       fw->xfer ? " (the partial transfer waits for the part again)" : "");
}

static void op_start(struct t3_dev *dev, struct cci *cci, uint8_t action, uint8_t slot,
		     uint64_t ns)
{
	struct t3_fw *fw = fw_of(dev);

	fw->op_cci = cci;
	fw->op_action = action;
	fw->op_slot = slot;
	cci_bg_start(cci, action == OP_ACTIVATE ? CCI_OP_ACTIVATE_FW : CCI_OP_TRANSFER_FW, ns,
		     true, op_done, dev);
	cci_bg_on_abort(cci, op_aborted);
}

/* A slot a package may go to: one of ours, not the active one. */
static uint16_t target_slot_ok(const struct t3_fw *fw, uint8_t slot)
{
	return slot < 1 || slot > T3_FW_SLOTS || slot == fw->active ? CXL_RC_INVALID_SLOT
								       : CXL_RC_SUCCESS;
}

/* ---- commands ---- */

/*
 * CXL r3.1 §8.2.9.3.1 Get FW Info (0200h), output 0x50: 0 FW slots
 * supported, 1 slot info (bits 2:0 active slot, 5:3 slot staged for the
 * next cold reset, 0: none), 2 activation capabilities (bit 0 online),
 * 3:13 rsvd, 0x10 + 16 (n-1) slot n's revision (zero when it holds none).
 */
static uint16_t cmd_get_fw_info(struct cci *cci, const struct cci_cmd *cmd,
				struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	const struct t3_fw *fw = fw_of(dev);

	(void)cmd;
	engine_busy(dev, cci); /* completes a finished operation of another CCI */
	call->out[0] = T3_FW_SLOTS;
	call->out[1] = (uint8_t)((fw->active & 7u) | (fw->staged & 7u) << 3);
	call->out[2] = FW_CAP_ONLINE;
	for (unsigned i = 0; i < T3_FW_SLOTS; i++)
		if (fw->slot[i].valid)
			memcpy(call->out + 0x10 + 16 * i, fw->slot[i].rev,
			       strnlen(fw->slot[i].rev, T3_FW_REV_LEN));
	call->out_len = 0x50;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.3.2 Transfer FW (0201h). Input: 0 action (0 full, 1
 * initiate, 2 continue, 3 end, 4 abort), 1 slot (full / end: where the
 * package goes), 2:2 rsvd, 4:4 offset in 128-byte units (parts), 8:0x78
 * rsvd, 0x80 data. Answers, checked in this order:
 *   Busy               the firmware engine works for another CCI;
 *   Invalid Input      an unknown action;
 *   FW Transfer in Progress  any action while another CCI's transfer is
 *                      open (Abort: Success, an open transfer dropped);
 *   Invalid Input      an Initiate at an offset other than 0 (QEMU), data
 *                      past T3_FW_MAX_SIZE;
 *   FW Transfer in Progress  Full or Initiate while a transfer is open;
 *   FW Transfer Out of Order  Continue / End without a transfer (QEMU:
 *                      Invalid Input), or at an offset that is neither the
 *                      next byte nor the last part's again;
 *   Invalid Payload Length   Full, Initiate or Continue without data;
 *   Invalid Slot       Full / End to slot 0, past the last slot, or the
 *                      active slot (QEMU);
 *   Background Operation Started  the data is being taken; the operation's
 *                      return code is FW Verification Failed when the
 *                      package, once whole, is not sound.
 */
static uint16_t cmd_transfer_fw(struct cci *cci, const struct cci_cmd *cmd,
				struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct t3_fw *fw = fw_of(dev);
	uint8_t action = call->in[0], slot = call->in[1];
	uint64_t off = (uint64_t)le32_get(call->in + 4) * XFER_ALIGN;
	const uint8_t *data = call->in + XFER_HDR_LEN;
	size_t len = call->in_len - XFER_HDR_LEN;
	const struct fwpkg_rx *base;
	uint16_t rc;

	(void)cmd;
	if (engine_busy(dev, cci))
		return CXL_RC_BUSY;
	xfer_expire(dev);
	if (action > XFER_ABORT)
		return CXL_RC_INVALID_INPUT;
	if (fw->xfer && fw->xfer_cci != cci)
		return CXL_RC_FW_XFER_IN_PROGRESS;
	if (action == XFER_ABORT) {
		if (fw->xfer)
			t3_dbg(dev, "fw: partial transfer aborted at %" PRIu32 " bytes via %s",
			       fw->xfer_len, cci->name);
		fw->xfer = false;
		return CXL_RC_SUCCESS;
	}
	if (action == XFER_FULL)
		off = 0; /* the offset is ignored */
	if (off + len > T3_FW_MAX_SIZE || (action == XFER_INIT && off))
		return CXL_RC_INVALID_INPUT;
	switch (action) {
	case XFER_FULL:
	case XFER_INIT:
		if (fw->xfer)
			return CXL_RC_FW_XFER_IN_PROGRESS;
		base = NULL;
		break;
	default: /* continue, end */
		if (!fw->xfer)
			return CXL_RC_FW_XFER_OUT_OF_ORDER;
		if (off == fw->last_off && len == fw->last_len)
			base = &fw->rx_prev; /* the last part again */
		else if (off == fw->xfer_len)
			base = &fw->rx;
		else
			return CXL_RC_FW_XFER_OUT_OF_ORDER;
		break;
	}
	fw->op_again = base == &fw->rx_prev;
	if (!len && action != XFER_END)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	if (action == XFER_FULL || action == XFER_END) {
		rc = target_slot_ok(fw, slot);
		if (rc)
			return rc;
	}
	if (base)
		fw->op_rx = *base;
	else
		fwpkg_rx_init(&fw->op_rx);
	fwpkg_rx_feed(&fw->op_rx, data, len);
	fw->op_off = (uint32_t)off;
	fw->op_len = (uint32_t)len;
	op_start(dev, cci, action, slot, XFER_BASE_NS + XFER_NS_PER_BYTE * len);
	return CXL_RC_BG_STARTED;
}

/*
 * CXL r3.1 §8.2.9.3.3 Activate FW (0202h). Input: 0 action (0 online, 1 on
 * the next cold reset), 1 slot. Busy as Transfer FW; an unknown action:
 * Invalid Input; slot 0, past the last, holding no firmware or the active
 * one: Invalid Slot (QEMU). Online: a background operation, the slot active
 * when it completes. On reset: staged at once (Get FW Info shows it), active
 * from the next start.
 */
static uint16_t cmd_activate_fw(struct cci *cci, const struct cci_cmd *cmd,
				struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct t3_fw *fw = fw_of(dev);
	uint8_t action = call->in[0], slot = call->in[1];

	(void)cmd;
	if (engine_busy(dev, cci))
		return CXL_RC_BUSY;
	if (action > 1)
		return CXL_RC_INVALID_INPUT;
	if (target_slot_ok(fw, slot) || !fw->slot[slot - 1].valid)
		return CXL_RC_INVALID_SLOT;
	if (action == 1) {
		fw->staged = slot;
		fw_store(dev);
		t3_dbg(dev, "fw: slot %u '%s' staged for the next start via %s", slot,
		       fw->slot[slot - 1].rev, cci->name);
		return CXL_RC_SUCCESS;
	}
	op_start(dev, cci, OP_ACTIVATE, slot, ACTIVATE_NS);
	return CXL_RC_BG_STARTED;
}

static const struct cci_cmd t3_fw_cmds[] = {
	CCI_CMD(GET_FW_INFO, cmd_get_fw_info),
	CCI_CMD(TRANSFER_FW, cmd_transfer_fw),
	CCI_CMD(ACTIVATE_FW, cmd_activate_fw),
};
static const struct cci_cmd_set t3_fw_host_set = CCI_SET("t3-host-fw", CXLFM_CCI_T3_MBOX,
							 t3_fw_cmds);
static const struct cci_cmd_set t3_fw_fm_set = CCI_SET("t3-fm-fw", CXLFM_CCI_T3_FM,
						       t3_fw_cmds);
static const struct cci_cmd_set t3_fw_ld_set = CCI_SET("t3-ld-fw", CXLFM_CCI_T3_LD,
						       t3_fw_cmds);

int t3_fw_attach(struct t3_dev *dev)
{
	struct t3_fw *fw = fw_of(dev);
	int rc;

	memset(fw, 0, sizeof(*fw));
	fw_load(dev);
	rc = cci_add_set(&dev->host, &t3_fw_host_set);
	if (!rc)
		rc = cci_add_set(&dev->fm, &t3_fw_fm_set);
	for (unsigned i = 0; !rc && i < dev->num_ld; i++)
		rc = cci_add_set(&dev->ld[i], &t3_fw_ld_set);
	return rc;
}
