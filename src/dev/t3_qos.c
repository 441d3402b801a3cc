/* SPDX-License-Identifier: MIT */
/*
 * SLD QoS telemetry (CXL r3.1 §8.2.9.9.8, 47xxh; the QoS model of §3.3.4):
 * the controls a host or BMC sets on a single logical device and the
 * egress backpressure it reports. An MLD has the FM API's per-LD QoS
 * commands (54xxh, t3_mld_qos.c) instead, so only a device with one LD
 * registers these. Nothing here moves data: the backpressure is what the
 * load model (dev/qos_model.h, docs/qos.md) gives for the load QMP
 * x-cxl-qos offers (t3_qos_set_load), or what t3_sld_qos_set_backpressure
 * sets; 0 while there is none. QEMU has none of these commands.
 */
#include <errno.h>
#include <string.h>

#include "dev/t3_priv.h"
#include "proto/le.h"
#include "util/log.h"

void t3_qos_init(struct t3_dev *dev)
{
	dev->qos = (struct t3_sld_qos){
		.moderate_pct = QOS_MODERATE_DEFAULT,
		.severe_pct = QOS_SEVERE_DEFAULT,
		.sample_interval = QOS_INTERVAL_DEFAULT,
	};
	/* CXL r3.1 Table 7-50, 7-53, 7-56: every default (fractions 0). */
	dev->mqos = (struct t3_mld_qos){
		.ctl = {
			.moderate_pct = QOS_MODERATE_DEFAULT,
			.severe_pct = QOS_SEVERE_DEFAULT,
			.sample_interval = QOS_INTERVAL_DEFAULT,
			.ccint = QOS_CCI_DEFAULT,
		},
	};
	memset(dev->qos_load, 0, sizeof(dev->qos_load));
}

void t3_qos_model(const struct t3_dev *dev, struct qos_in *in, struct qos_out *out)
{
	*in = (struct qos_in){ .n = dev->num_ld };
	memcpy(in->load_pct, dev->qos_load, sizeof(in->load_pct));
	if (dev->num_ld > 1) {
		in->ctl = dev->mqos.ctl;
		memcpy(in->alloc, dev->mqos.alloc, sizeof(in->alloc));
		memcpy(in->limit, dev->mqos.limit, sizeof(in->limit));
		qos_model_run(in, out);
		return;
	}
	/* An SLD: the 47xxh controls, no allocation or limit to share by. */
	in->ctl = (struct qos_ctl){
		.control = dev->qos.control, .moderate_pct = dev->qos.moderate_pct,
		.severe_pct = dev->qos.severe_pct, .sample_interval = dev->qos.sample_interval,
	};
	qos_model_run(in, out);
	/* What Get SLD QoS Status reports (t3_sld_qos_set_backpressure may have set it). */
	out->raw_backpressure = dev->qos.backpressure_pct;
	out->backpressure = qos_measuring(&in->ctl) ? dev->qos.backpressure_pct : 0;
}

int t3_qos_set_load(struct t3_dev *dev, unsigned first, const uint8_t *pct, size_t n)
{
	struct qos_in in;
	struct qos_out out;

	if (first > dev->num_ld || n > dev->num_ld - first)
		return -EINVAL;
	memcpy(dev->qos_load + first, pct, n);
	if (dev->num_ld == 1) {
		in = (struct qos_in){ .n = 1, .load_pct = { dev->qos_load[0] } };
		qos_model_run(&in, &out);
		t3_sld_qos_set_backpressure(dev, out.raw_backpressure);
	}
	log_info("dev %s: QoS load %u%% on LD %u (%zu LD%s set)", dev->id, n ? pct[0] : 0,
		 first, n, n == 1 ? "" : "s");
	return 0;
}

/*
 * CXL r3.1 Table 8-127 offset 42h QoS Telemetry Capabilities: bit0 Egress
 * Port Congestion, bit1 Temporary Throughput Reduction supported; both
 * are Set SLD QoS Control's, which only a single-LD device has.
 */
uint8_t t3_qos_caps(const struct t3_dev *dev)
{
	return dev->num_ld == 1 ? QOS_CTL_BITS : 0;
}

void t3_sld_qos_set_backpressure(struct t3_dev *dev, uint8_t pct)
{
	dev->qos.backpressure_pct = pct > 100 ? 100 : pct;
}

/*
 * CXL r3.1 §8.2.9.9.8.1 Get SLD QoS Control (Opcode 4700h), output 4: 0
 * QoS Telemetry Control (bit0 Egress Port Congestion Enable, bit1
 * Temporary Throughput Reduction Enable), 1 Egress Moderate Percentage, 2
 * Egress Severe Percentage, 3 Backpressure Sample Interval (0-15, 0:
 * no sampling).
 */
static uint16_t cmd_get_sld_qos_control(struct cci *cci, const struct cci_cmd *cmd,
					struct cci_call *call)
{
	const struct t3_sld_qos *q = &t3_of(cci)->qos;

	(void)cmd;
	call->out[0] = q->control;
	call->out[1] = q->moderate_pct;
	call->out[2] = q->severe_pct;
	call->out[3] = q->sample_interval;
	call->out_len = 4;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.8.2 Set SLD QoS Control (Opcode 4701h), input as Get's
 * output. The percentages are 1-100 and the sample interval 0-15, else
 * Invalid Input and nothing changes; reserved control bits are ignored.
 */
static uint16_t cmd_set_sld_qos_control(struct cci *cci, const struct cci_cmd *cmd,
					struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	const uint8_t *in = call->in;

	(void)cmd;
	if (!in[1] || in[1] > 100 || !in[2] || in[2] > 100 || in[3] > QOS_INTERVAL_MAX)
		return CXL_RC_INVALID_INPUT;
	dev->qos.control = in[0] & QOS_CTL_BITS;
	dev->qos.moderate_pct = in[1];
	dev->qos.severe_pct = in[2];
	dev->qos.sample_interval = in[3];
	log_info("dev %s: SLD QoS control %02xh, moderate %u%%, severe %u%%, interval %u",
		 dev->id, dev->qos.control, in[1], in[2], in[3]);
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.8.3 Get SLD QoS Status (Opcode 4702h), output 1:
 * Backpressure Average Percentage, measured only while egress port
 * congestion is enabled with a sample interval (else 0).
 */
static uint16_t cmd_get_sld_qos_status(struct cci *cci, const struct cci_cmd *cmd,
				       struct cci_call *call)
{
	const struct t3_sld_qos *q = &t3_of(cci)->qos;

	(void)cmd;
	call->out[0] = (q->control & QOS_CTL_EGRESS_CONGESTION) && q->sample_interval ?
		       q->backpressure_pct : 0;
	call->out_len = 1;
	return CXL_RC_SUCCESS;
}

/* The host and, over MCTP, a BMC (the FM-owned LD and the LD behind a tunnel). */
#define QOS_CMDS \
	CCI_CMD(GET_SLD_QOS_CONTROL, cmd_get_sld_qos_control), \
	CCI_CMD(SET_SLD_QOS_CONTROL, cmd_set_sld_qos_control), \
	CCI_CMD(GET_SLD_QOS_STATUS, cmd_get_sld_qos_status)
static const struct cci_cmd qos_host_cmds[] = { QOS_CMDS };
static const struct cci_cmd qos_fm_cmds[] = { QOS_CMDS };
static const struct cci_cmd qos_ld_cmds[] = { QOS_CMDS };
const struct cci_cmd_set t3_qos_host_set = CCI_SET("t3-sld-qos", CXLFM_CCI_T3_MBOX, qos_host_cmds);
const struct cci_cmd_set t3_qos_fm_set = CCI_SET("t3-sld-qos", CXLFM_CCI_T3_FM, qos_fm_cmds);
const struct cci_cmd_set t3_qos_ld_set = CCI_SET("t3-sld-qos", CXLFM_CCI_T3_LD, qos_ld_cmds);
