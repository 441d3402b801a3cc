/* SPDX-License-Identifier: MIT */
/*
 * Memory device commands of a type-3 device: Identify Memory Device
 * (4000h), Get / Set Partition Info (4100h / 4101h) with the next-power-on
 * rule, Get / Set LSA (4102h / 4103h) on the lsa= backend, and the command
 * sets that carry them with t3_health.c's 4200h-4204h on each kind of CCI.
 */
#include "dev/t3_mem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dev/t3_nv.h"
#include "dev/t3_priv.h"
#include "proto/le.h"
#include "util/log.h"
#include "util/memguard.h"

#define UNIT DCD_CAPACITY_UNIT

static bool capacity_in_units(const struct t3_dev *dev, uint16_t op)
{
	uint64_t dc = dev->dcd ? dcd_total_capacity(dev->dcd) : 0;

	if (dev->cfg.vmem_size % UNIT || dev->cfg.pmem_size % UNIT || dc % UNIT) {
		log_err("dev %s op 0x%04x: capacity not a multiple of 256 MiB", dev->id, op);
		return false;
	}
	return true;
}

/* ---- partition ---------------------------------------------------------------- */

/*
 * Non-volatile PARTITION section, 64 bytes: 0:4 "PART", 4 version, 5 flags
 * (bit0 a next partition is pending), 8:8 the partitionable capacity it was
 * set for, 16:8 active and 24:8 next volatile part of it, bytes.
 */
#define PART_TAG "PART"
#define PART_VERSION 1
#define PART_LEN 32

static bool part_fits(const struct t3_partition *p, uint64_t vol)
{
	return vol <= p->partitionable && vol % UNIT == 0;
}

static int part_store(struct t3_dev *dev, const struct t3_partition *p)
{
	uint8_t b[PART_LEN] = { 0 };

	memcpy(b, PART_TAG, 4);
	b[4] = PART_VERSION;
	b[5] = p->next_pending ? 0x01 : 0x00;
	le64_put(b + 8, p->partitionable);
	le64_put(b + 16, p->active_vol);
	le64_put(b + 24, p->next_pending ? p->next_vol : 0);
	return t3_nv_store(dev, T3_NV_PARTITION, b, sizeof(b));
}

/*
 * The partition this power-on runs with: the pending next one if Set
 * Partition Info left one (CXL r3.1 §8.2.9.9.2.2: it takes effect on the
 * next cold reset, a cxl-emu restart here), else the saved active one,
 * else the configuration's (the persistent memdev all persistent).
 */
static void part_power_on(struct t3_dev *dev)
{
	struct t3_partition *p = &dev->mem.part;
	uint8_t b[PART_LEN];
	uint64_t act, next;

	*p = (struct t3_partition){ .partitionable = dev->cfg.pmem_size };
	if (!p->partitionable || t3_nv_load(dev, T3_NV_PARTITION, b, sizeof(b)) ||
	    memcmp(b, PART_TAG, 4))
		return;
	act = le64_get(b + 16);
	next = le64_get(b + 24);
	if (b[4] != PART_VERSION || le64_get(b + 8) != p->partitionable ||
	    !part_fits(p, act) || ((b[5] & 0x01) && !part_fits(p, next))) {
		log_warn("dev %s: its saved partition does not fit its %" PRIu64 " MiB of "
			 "persistent capacity (changed?): all of it is persistent again",
			 dev->id, p->partitionable >> 20);
		part_store(dev, p);
		return;
	}
	p->active_vol = act;
	if (b[5] & 0x01) {
		p->active_vol = next;
		log_info("dev %s: the next partition is active: %" PRIu64 " MiB of the "
			 "persistent memdev volatile", dev->id, next >> 20);
		part_store(dev, p);
	}
}

void t3_partition_active(const struct t3_dev *dev, uint64_t *volatile_bytes,
			 uint64_t *persistent_bytes)
{
	*volatile_bytes = dev->cfg.vmem_size + dev->mem.part.active_vol;
	*persistent_bytes = dev->cfg.pmem_size - dev->mem.part.active_vol;
}

/*
 * CXL r3.1 §8.2.9.9.1.1 Identify Memory Device (Opcode 4000h), output 0x45
 * (Table 8-127): 00h FW revision (16 ASCII), 10h total, 18h volatile only,
 * 20h persistent only capacity, 28h partition alignment (256 MiB units;
 * static capacity only, as QEMU), 30h/32h/34h/36h informational / warning
 * / failure / fatal event log sizes, 38h LSA size, 3Ch:3 poison list
 * maximum media error records, 3Fh:2 inject poison limit (0: none but the
 * list's), 41h poison handling capabilities, 42h QoS telemetry
 * capabilities, 43h:2 dynamic capacity event log size.
 *
 * The FW revision is the active firmware slot's (t3_fw.c). Departures from
 * QEMU (which reports volatile = vmem, persistent = pmem, alignment 0,
 * event log sizes 0 and no QoS telemetry): the persistent memdev's
 * capacity is partitionable in 256 MiB steps (Set Partition Info), so it
 * is reported as neither volatile-only nor persistent-only with alignment
 * 1; the event log sizes are the logs' real capacities; a single-LD device
 * reports the SLD QoS controls it has (t3_qos.c).
 */
static uint16_t cmd_identify_memdev(struct cci *cci, const struct cci_cmd *cmd,
				    struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	uint64_t lsa = dev->cfg.lsa_size;
	uint8_t *o = call->out;
	char rev[T3_FW_REV_LEN];

	(void)cmd;
	if (!capacity_in_units(dev, CCI_OP_IDENTIFY_MEMORY_DEVICE))
		return CXL_RC_INTERNAL_ERROR;
	t3_fw_revision(dev, rev);
	memcpy(o, rev, sizeof(rev));
	le64_put(o + 0x10, (dev->cfg.vmem_size + dev->cfg.pmem_size) / UNIT);
	le64_put(o + 0x18, dev->cfg.vmem_size / UNIT);
	le64_put(o + 0x20, 0);
	le64_put(o + 0x28, dev->mem.part.partitionable ? 1 : 0);
	for (unsigned i = 0; i < EV_LOG_DCD; i++)
		le16_put(o + 0x30 + 2 * i, (uint16_t)dev->ev.log[i].cap);
	le32_put(o + 0x38, lsa > UINT32_MAX ? UINT32_MAX : (uint32_t)lsa);
	le24_put(o + 0x3c, T3_POISON_MAX);
	o[0x42] = t3_qos_caps(dev);
	le16_put(o + 0x43, (uint16_t)dev->ev.log[EV_LOG_DCD].cap);
	call->out_len = 0x45;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.2.1 Get Partition Info (Opcode 4100h), output 0x20:
 * active volatile, active persistent, next volatile, next
 * persistent capacity in 256 MiB units, volatile-only and persistent-only
 * capacity included; both next fields 0: no change is pending.
 */
static uint16_t cmd_get_partition_info(struct cci *cci, const struct cci_cmd *cmd,
				       struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	const struct t3_partition *p = &dev->mem.part;
	uint64_t vol, pers;

	(void)cmd;
	if (!capacity_in_units(dev, CCI_OP_GET_PARTITION_INFO))
		return CXL_RC_INTERNAL_ERROR;
	t3_partition_active(dev, &vol, &pers);
	le64_put(call->out + 0, vol / UNIT);
	le64_put(call->out + 8, pers / UNIT);
	if (p->next_pending) {
		le64_put(call->out + 16, (dev->cfg.vmem_size + p->next_vol) / UNIT);
		le64_put(call->out + 24, (dev->cfg.pmem_size - p->next_vol) / UNIT);
	}
	call->out_len = 0x20;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.2.2 Set Partition Info (Opcode 4101h), input 9 bytes:
 * 0:8 the partitionable capacity to make volatile (256 MiB
 * units, a multiple of the partition alignment; the rest is persistent),
 * 8 flags (bit0 Immediate). Without Immediate the partition is the next
 * one, active from the next power-on (reported by Get Partition Info until
 * then); with it, it is active at once and nothing is pending. No
 * partitionable capacity (alignment 0): Unsupported; more than the
 * partitionable capacity: Invalid Input. The contents of the capacity stay
 * where they are: DPA x is the same backing byte whatever its partition.
 */
static uint16_t cmd_set_partition_info(struct cci *cci, const struct cci_cmd *cmd,
				       struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct t3_partition p = dev->mem.part;
	uint64_t units = le64_get(call->in);
	bool immediate = call->in[8] & 0x01;

	(void)cmd;
	if (!capacity_in_units(dev, CCI_OP_SET_PARTITION_INFO))
		return CXL_RC_INTERNAL_ERROR;
	if (!p.partitionable)
		return CXL_RC_UNSUPPORTED;
	if (units > p.partitionable / UNIT) {
		log_dbg("dev %s op 0x4101: %" PRIu64 " units over the partitionable %" PRIu64,
			dev->id, units, (uint64_t)(p.partitionable / UNIT));
		return CXL_RC_INVALID_INPUT;
	}
	if (immediate) {
		p.active_vol = units * UNIT;
		p.next_pending = false;
		p.next_vol = 0;
	} else {
		p.next_vol = units * UNIT;
		p.next_pending = true;
	}
	if (part_store(dev, &p))
		return CXL_RC_INTERNAL_ERROR;
	dev->mem.part = p;
	log_info("dev %s op 0x4101: %" PRIu64 " MiB of the persistent memdev volatile %s",
		 dev->id, (uint64_t)((units * UNIT) >> 20), immediate ? "now" : "from the next power-on");
	return CXL_RC_SUCCESS;
}

/* ---- label storage area --------------------------------------------------------- */

static uint32_t lsa_size(const struct t3_dev *dev)
{
	return dev->cfg.lsa_size > UINT32_MAX ? UINT32_MAX : (uint32_t)dev->cfg.lsa_size;
}

/* The LSA: the backend's memory, or (no backend) the device's own, made on a write. */
static uint8_t *lsa_base(struct t3_dev *dev, bool write)
{
	if (dev->cfg.lsa_mem)
		return dev->cfg.lsa_mem;
	if (!dev->mem.lsa_own && write)
		dev->mem.lsa_own = calloc(1, lsa_size(dev));
	return dev->mem.lsa_own;
}

static uint16_t lsa_fault(struct t3_dev *dev, uint16_t op)
{
	if (!dev->mem.lsa_fault_logged)
		log_err("dev %s op 0x%04x: the LSA backend cannot be accessed (file "
			"truncated, or its filesystem full?); further failures are not logged",
			dev->id, op);
	dev->mem.lsa_fault_logged = true;
	return CXL_RC_INTERNAL_ERROR;
}

/*
 * CXL r3.1 §8.2.9.9.2.3 Get LSA (Opcode 4102h), input 8: 0:4
 * offset, 4:4 length; output the length bytes of the LSA from offset.
 * Offset + length past the LSA size: Invalid Input, as QEMU. A length the
 * CCI's response message cannot hold is Invalid Input too (QEMU would
 * write past its buffer); hosts read the LSA in pieces of at most that.
 * While a sanitize disables the media: Media Disabled (it zeroes the LSA
 * too; §8.2.9.9.5.1 fails the commands that access what it sanitizes).
 */
static uint16_t cmd_get_lsa(struct cci *cci, const struct cci_cmd *cmd, struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	uint32_t off = le32_get(call->in), len = le32_get(call->in + 4);
	const uint8_t *p;

	(void)cmd;
	if (t3_media_disabled(dev))
		return CXL_RC_MEDIA_DISABLED;
	if ((uint64_t)off + len > lsa_size(dev) || len > call->out_max) {
		log_dbg("dev %s op 0x4102: 0x%x+0x%x past the LSA (0x%x) or the message",
			dev->id, off, len, lsa_size(dev));
		return CXL_RC_INVALID_INPUT;
	}
	p = lsa_base(dev, false);
	if (p && memguard_copy(call->out, p + off, len))
		return lsa_fault(dev, CCI_OP_GET_LSA);
	call->out_len = len; /* never written: zeros (the output starts zeroed) */
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.2.4 Set LSA (Opcode 4103h), input: 0:4
 * offset, 4:4 reserved, 8: the data to write there. Past the LSA size:
 * Invalid Input, nothing written. The backend is a shared mapping of the
 * lsa= file: what is written outlives the process.
 */
static uint16_t cmd_set_lsa(struct cci *cci, const struct cci_cmd *cmd, struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	uint32_t off = le32_get(call->in);
	size_t n = call->in_len - CXL_IN_SET_LSA;
	uint8_t *p;

	(void)cmd;
	if (t3_media_disabled(dev))
		return CXL_RC_MEDIA_DISABLED;
	if ((uint64_t)off + n > lsa_size(dev)) {
		log_dbg("dev %s op 0x4103: 0x%x+0x%zx past the LSA (0x%x)", dev->id, off, n,
			lsa_size(dev));
		return CXL_RC_INVALID_INPUT;
	}
	if (!n)
		return CXL_RC_SUCCESS;
	p = lsa_base(dev, true);
	if (!p) {
		log_err("dev %s op 0x4103: no memory for a %u-byte LSA", dev->id, lsa_size(dev));
		return CXL_RC_INTERNAL_ERROR;
	}
	if (memguard_copy(p + off, call->in + CXL_IN_SET_LSA, n))
		return lsa_fault(dev, CCI_OP_SET_LSA);
	return CXL_RC_SUCCESS;
}

/* ---- power and command sets ------------------------------------------------------ */

int t3_mem_power_on(struct t3_dev *dev)
{
	part_power_on(dev);
	return t3_health_power_on(dev);
}

void t3_mem_power_off(struct t3_dev *dev, bool orderly)
{
	t3_health_power_off(dev, orderly);
	t3_ras_free(dev);
	free(dev->mem.lsa_own);
	dev->mem.lsa_own = NULL;
}

/*
 * Every memory device command of 4000h-4204h on each CCI of the device:
 * the host mailbox (QEMU's cxl_cmd_set has 4000h-4103h less 4101h, and
 * 4201h/4202h), and, beyond QEMU (whose MCTP sets have none of them), the
 * FM-owned LD over MCTP and the LDs behind Tunnel Management, where a BMC
 * monitors identity, health and alerts: the command facts allow them on
 * every type-3 CCI. An MLD's LDs answer for the whole device.
 */
static const struct cci_cmd t3_mem_cmds[] = {
	CCI_CMD(IDENTIFY_MEMORY_DEVICE, cmd_identify_memdev),
	CCI_CMD(GET_PARTITION_INFO, cmd_get_partition_info),
	CCI_CMD(SET_PARTITION_INFO, cmd_set_partition_info),
	CCI_CMD(GET_LSA, cmd_get_lsa),
	CCI_CMD(SET_LSA, cmd_set_lsa),
	CCI_CMD(GET_HEALTH_INFO, t3_cmd_get_health_info),
	CCI_CMD(GET_ALERT_CONFIG, t3_cmd_get_alert_config),
	CCI_CMD(SET_ALERT_CONFIG, t3_cmd_set_alert_config),
	CCI_CMD(GET_SHUTDOWN_STATE, t3_cmd_get_shutdown_state),
	CCI_CMD(SET_SHUTDOWN_STATE, t3_cmd_set_shutdown_state),
};
const struct cci_cmd_set t3_mem_host_set = CCI_SET("t3-memdev", CXLFM_CCI_T3_MBOX, t3_mem_cmds);
const struct cci_cmd_set t3_mem_fm_set = CCI_SET("t3-memdev", CXLFM_CCI_T3_FM, t3_mem_cmds);
const struct cci_cmd_set t3_mem_ld_set = CCI_SET("t3-memdev", CXLFM_CCI_T3_LD, t3_mem_cmds);
