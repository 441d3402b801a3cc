/* SPDX-License-Identifier: MIT */
/*
 * Multi-logical device commands (CXL r3.1 §7.6.7.4 MLD Components), on the
 * FM-owned LD CCI of a device with num_ld > 1. QEMU implements none of
 * them: layouts and rules follow CXL r3.1 (as libcxlmi encodes them).
 * The memory given to LDs is the device's whole capacity (static + DC), in
 * 256 MiB granules (Memory Granularity 0).
 */
#include <errno.h>
#include <string.h>

#include "dev/t3_priv.h"
#include "proto/le.h"
#include "util/log.h"

#define GRANULE DCD_CAPACITY_UNIT
#define ALLOC_REC_LEN REC_LD_ALLOC_LEN

static uint64_t mld_capacity(const struct t3_dev *dev)
{
	return dev->cfg.vmem_size + dev->cfg.pmem_size +
	       (dev->dcd ? dcd_total_capacity(dev->dcd) : 0);
}

void t3_mld_init(struct t3_dev *dev)
{
	uint64_t units = mld_capacity(dev) / GRANULE;
	uint64_t each = units / dev->num_ld;

	for (unsigned i = 0; i < dev->num_ld; i++)
		dev->ld_alloc[i] = (struct rec_ld_alloc){ .range1 = each };
	dev->ld_alloc[0].range1 += units - each * dev->num_ld;
}

int t3_ld_allocation(const struct t3_dev *dev, unsigned ld, uint64_t *range1,
		     uint64_t *range2)
{
	if (ld >= dev->num_ld)
		return -EINVAL;
	*range1 = dev->ld_alloc[ld].range1;
	*range2 = dev->ld_alloc[ld].range2;
	return 0;
}

/*
 * CXL r3.1 §7.6.7.4.1 Get LD Info (Opcode 5400h), output 11: 0:8 memory
 * size (bytes), 8:2 LD count, 10 QoS telemetry capability: bit0 Egress
 * Port Congestion (Get QoS Status is there, t3_mld_qos.c), bit1 Temporary
 * Throughput Reduction (its enable is kept; the model has no reductions to
 * announce, docs/qos.md), as an SLD's Identify Memory Device reports them.
 */
static uint16_t cmd_fm_get_ld_info(struct cci *cci, const struct cci_cmd *cmd,
				   struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);

	(void)cmd;
	le64_put(call->out, mld_capacity(dev));
	le16_put(call->out + 8, (uint16_t)dev->num_ld);
	call->out[10] = QOS_CTL_BITS;
	call->out_len = 11;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §7.6.7.4.2 Get LD Allocations (Opcode 5401h). Input 0 start LD
 * id (>= LD count: Invalid Input), 1 LD allocation list limit. Output 0
 * number of LDs, 1 memory granularity (0 = 256 MiB), 2 start LD id, 3 list
 * length L, 4: L x 16 (range 1, range 2 allocation multipliers).
 */
static uint16_t cmd_fm_get_ld_allocations(struct cci *cci, const struct cci_cmd *cmd,
					  struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	unsigned start = call->in[0], n;

	(void)cmd;
	if (start >= dev->num_ld)
		return CXL_RC_INVALID_INPUT;
	n = dev->num_ld - start;
	if (n > call->in[1])
		n = call->in[1];
	if (n > (call->out_max - 4) / ALLOC_REC_LEN)
		n = (unsigned)((call->out_max - 4) / ALLOC_REC_LEN);
	call->out[0] = (uint8_t)dev->num_ld;
	call->out[1] = 0;
	call->out[2] = (uint8_t)start;
	call->out[3] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++)
		rec_ld_alloc_put(call->out + 4 + i * ALLOC_REC_LEN, &dev->ld_alloc[start + i]);
	call->out_len = 4 + n * ALLOC_REC_LEN;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §7.6.7.4.3 Set LD Allocations (Opcode 5402h). Input 0 number of
 * LDs n, 1 start LD id, 2:2 rsvd, 4: n x 16; length must be 4 + 16n. n = 0
 * or LDs past the device: Invalid Input; allocations together beyond the
 * device's capacity: Invalid Input, nothing changed ("fails if the device
 * fails to allocate any of the allocations"). Output: the same shape with
 * the allocations now in effect.
 */
static uint16_t cmd_fm_set_ld_allocations(struct cci *cci, const struct cci_cmd *cmd,
					  struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct rec_ld_alloc next[T3_MAX_LD];
	uint64_t units = mld_capacity(dev) / GRANULE, sum = 0;
	unsigned n, start;

	if (call->in_len < 4)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	n = call->in[0];
	start = call->in[1];
	if (call->in_len != 4 + (size_t)n * ALLOC_REC_LEN)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	if (!n || start >= dev->num_ld || n > dev->num_ld - start)
		return CXL_RC_INVALID_INPUT;
	memcpy(next, dev->ld_alloc, sizeof(next));
	for (unsigned i = 0; i < n; i++)
		rec_ld_alloc_get(call->in + 4 + i * ALLOC_REC_LEN, &next[start + i]);
	for (unsigned i = 0; i < dev->num_ld; i++) {
		if (next[i].range1 > units || next[i].range2 > units - next[i].range1 ||
		    next[i].range1 + next[i].range2 > units - sum) {
			log_info("dev %s op 0x%04x: allocations exceed %llu granules", dev->id,
				 cmd->info->opcode, (unsigned long long)units);
			return CXL_RC_INVALID_INPUT;
		}
		sum += next[i].range1 + next[i].range2;
	}
	memcpy(dev->ld_alloc, next, sizeof(next));
	call->out[0] = (uint8_t)n;
	call->out[1] = (uint8_t)start;
	for (unsigned i = 0; i < n; i++)
		rec_ld_alloc_put(call->out + 4 + i * ALLOC_REC_LEN, &dev->ld_alloc[start + i]);
	call->out_len = 4 + n * ALLOC_REC_LEN;
	return CXL_RC_SUCCESS;
}

static const struct cci_cmd t3_fm_mld_cmds[] = {
	CCI_CMD(GET_LD_INFO, cmd_fm_get_ld_info),
	CCI_CMD(GET_LD_ALLOCATIONS, cmd_fm_get_ld_allocations),
	CCI_CMD(SET_LD_ALLOCATIONS, cmd_fm_set_ld_allocations),
};
const struct cci_cmd_set t3_fm_mld_set = CCI_SET("t3-fm-mld", CXLFM_CCI_T3_FM, t3_fm_mld_cmds);
