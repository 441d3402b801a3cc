/* SPDX-License-Identifier: MIT */
/*
 * MLD QoS (CXL r3.1 §7.6.7.4.4-§7.6.7.4.10, 5403h-5409h) on the FM-owned
 * LD of a device with num_ld > 1: the QoS Telemetry controls, the per-LD
 * allocation and limit fractions, and the egress port's Backpressure
 * Average Percentage, which the load model (dev/qos_model.h, docs/qos.md)
 * computes from them and the load QMP x-cxl-qos offers. QEMU implements
 * none of these commands; layouts and rules are CXL r3.1's (as libcxlmi
 * encodes them).
 */
#include <assert.h>
#include <stdbool.h>
#include <string.h>

#include "dev/t3_priv.h"
#include "proto/le.h"
#include "util/log.h"

static_assert(T3_MAX_LD == QOS_MAX_LD, "one LD count");

/* Table 7-50: the 7 bytes of Get QoS Control's response and Set's request/response. */
static void ctl_put(uint8_t *o, const struct qos_ctl *c)
{
	o[0] = c->control;
	o[1] = c->moderate_pct;
	o[2] = c->severe_pct;
	o[3] = c->sample_interval;
	le16_put(o + 4, c->reqcmp_basis);
	o[6] = c->ccint;
}

/* CXL r3.1 §7.6.7.4.4 Get QoS Control (Opcode 5403h): output Table 7-50. */
static uint16_t cmd_fm_get_qos_control(struct cci *cci, const struct cci_cmd *cmd,
				       struct cci_call *call)
{
	(void)cmd;
	ctl_put(call->out, &t3_of(cci)->mqos.ctl);
	call->out_len = CXL_OUT_GET_QOS_CONTROL;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §7.6.7.4.5 Set QoS Control (Opcode 5404h), Table 7-50: 0 QoS
 * Telemetry Control (bit0 Egress Port Congestion Enable, bit1 Temporary
 * Throughput Reduction Enable), 1 Egress Moderate Percentage (1-100), 2
 * Egress Severe Percentage (1-100), 3 Backpressure Sample Interval (0-15),
 * 4:2 ReqCmpBasis, 6 Completion Collection Interval (0-255). A value out of
 * its range is Invalid Input and nothing changes; reserved control bits are
 * ignored, as Set SLD QoS Control does. The response is the controls now in
 * effect.
 */
static uint16_t cmd_fm_set_qos_control(struct cci *cci, const struct cci_cmd *cmd,
				       struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	const uint8_t *in = call->in;
	struct qos_ctl *c = &dev->mqos.ctl;

	if (!in[1] || in[1] > 100 || !in[2] || in[2] > 100 || in[3] > QOS_INTERVAL_MAX) {
		log_dbg("dev %s op 0x%04x: moderate %u%%, severe %u%%, interval %u out of range",
			dev->id, cmd->info->opcode, in[1], in[2], in[3]);
		return CXL_RC_INVALID_INPUT;
	}
	*c = (struct qos_ctl){
		.control = in[0] & QOS_CTL_BITS, .moderate_pct = in[1], .severe_pct = in[2],
		.sample_interval = in[3], .reqcmp_basis = le16_get(in + 4), .ccint = in[6],
	};
	log_info("dev %s: QoS control %02xh, moderate %u%%, severe %u%%, interval %u, "
		 "ReqCmpBasis %u, completion interval %u", dev->id, c->control, c->moderate_pct,
		 c->severe_pct, c->sample_interval, c->reqcmp_basis, c->ccint);
	ctl_put(call->out, c);
	call->out_len = CXL_OUT_SET_QOS_CONTROL;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §7.6.7.4.6 Get QoS Status (Opcode 5405h), Table 7-51: 0
 * Backpressure Average Percentage, the load model's for the state now (0
 * while the congestion mechanism is off, §3.3.4.3.9).
 */
static uint16_t cmd_fm_get_qos_status(struct cci *cci, const struct cci_cmd *cmd,
				      struct cci_call *call)
{
	struct qos_in in;
	struct qos_out out;

	(void)cmd;
	t3_qos_model(t3_of(cci), &in, &out);
	call->out[0] = out.backpressure;
	call->out_len = CXL_OUT_GET_QOS_STATUS;
	return CXL_RC_SUCCESS;
}

/*
 * LDs start .. start + n - 1 of the device, n >= 1 (Tables 7-52, 7-55:
 * "shall have a minimum value of 1"); else Invalid Input.
 */
static bool lds_ok(const struct t3_dev *dev, unsigned n, unsigned start, uint16_t op)
{
	if (n && start < dev->num_ld && n <= dev->num_ld - start)
		return true;
	log_dbg("dev %s op 0x%04x: LDs %u..%u of %u", dev->id, op, start, start + n - 1,
		dev->num_ld);
	return false;
}

/*
 * The per-LD fractions a command acts on: QoS Allocation Fraction (5406h,
 * 5407h) or QoS Limit Fraction (5408h, 5409h).
 */
static uint8_t *fractions(struct t3_dev *dev, uint16_t op, const char **what)
{
	bool alloc = op == CCI_OP_GET_QOS_ALLOCATED_BW || op == CCI_OP_SET_QOS_ALLOCATED_BW;

	*what = alloc ? "allocation fractions" : "limit fractions";
	return alloc ? dev->mqos.alloc : dev->mqos.limit;
}

/*
 * CXL r3.1 §7.6.7.4.7 Get QoS Allocated BW (Opcode 5406h, Tables 7-52/7-53)
 * and §7.6.7.4.9 Get QoS BW Limit (Opcode 5408h, Tables 7-55/7-56): input 0
 * number of LDs n, 1 start LD id; output n, start, n fractions.
 */
static uint16_t cmd_fm_get_qos_fractions(struct cci *cci, const struct cci_cmd *cmd,
					 struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	unsigned n = call->in[0], start = call->in[1];
	const char *what;
	const uint8_t *frac = fractions(dev, cmd->info->opcode, &what);

	if (!lds_ok(dev, n, start, cmd->info->opcode))
		return CXL_RC_INVALID_INPUT;
	call->out[0] = (uint8_t)n;
	call->out[1] = (uint8_t)start;
	memcpy(call->out + 2, frac + start, n);
	call->out_len = 2 + n;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §7.6.7.4.8 Set QoS Allocated BW (Opcode 5407h, Table 7-54) and
 * §7.6.7.4.10 Set QoS BW Limit (Opcode 5409h, Table 7-57): 0 number of LDs
 * n, 1 start LD id, 2: n fractions (x 256, every value 0-255 valid). A
 * length other than 2 + n is Invalid Payload Length, n = 0 or LDs the
 * device lacks Invalid Input; then nothing changes. The response repeats
 * the request: the fractions now in effect.
 */
static uint16_t cmd_fm_set_qos_fractions(struct cci *cci, const struct cci_cmd *cmd,
					 struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	unsigned n = call->in[0], start = call->in[1];
	const char *what;
	uint8_t *frac = fractions(dev, cmd->info->opcode, &what);

	if (call->in_len != 2 + (size_t)n)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	if (!lds_ok(dev, n, start, cmd->info->opcode))
		return CXL_RC_INVALID_INPUT;
	memcpy(frac + start, call->in + 2, n);
	log_info("dev %s: QoS %s of LDs %u..%u set (first %u/256)", dev->id, what, start,
		 start + n - 1, frac[start]);
	memcpy(call->out, call->in, 2 + (size_t)n);
	call->out_len = 2 + n;
	return CXL_RC_SUCCESS;
}

static const struct cci_cmd t3_fm_mld_qos_cmds[] = {
	CCI_CMD(GET_QOS_CONTROL, cmd_fm_get_qos_control),
	CCI_CMD(SET_QOS_CONTROL, cmd_fm_set_qos_control),
	CCI_CMD(GET_QOS_STATUS, cmd_fm_get_qos_status),
	CCI_CMD(GET_QOS_ALLOCATED_BW, cmd_fm_get_qos_fractions),
	CCI_CMD(SET_QOS_ALLOCATED_BW, cmd_fm_set_qos_fractions),
	CCI_CMD(GET_QOS_BW_LIMIT, cmd_fm_get_qos_fractions),
	CCI_CMD(SET_QOS_BW_LIMIT, cmd_fm_set_qos_fractions),
};
const struct cci_cmd_set t3_fm_mld_qos_set = CCI_SET("t3-fm-mld-qos", CXLFM_CCI_T3_FM,
						     t3_fm_mld_qos_cmds);
