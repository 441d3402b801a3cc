/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm typed calls for an MLD's QoS (CXL r3.1 §7.6.7.4.4-§7.6.7.4.10,
 * opcodes 5403h-5409h): the QoS Telemetry controls an FM sets on the
 * FM-owned LD of a multi-logical device, the egress port's backpressure,
 * and each LD's allocated bandwidth and bandwidth limit fractions (the QoS
 * model of CXL r3.1 §3.3.4). An SLD's own QoS commands (47xxh) are in
 * media.h.
 *
 * The rules of fmapi.h hold: 0, a negative errno, or the positive CXL
 * return code; host byte order; a response whose counts disagree with its
 * length, or with the request, is -EBADMSG.
 */
#ifndef CXLFM_QOS_H
#define CXLFM_QOS_H

#include <stdint.h>

#include "cxlfm/fmapi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* QoS Telemetry Control bits (CXL r3.1 Table 7-50); also Get LD Info's capabilities. */
#define CXLFM_QOS_EGRESS_CONGESTION 0x01    /* Egress Port Congestion */
#define CXLFM_QOS_THROUGHPUT_REDUCTION 0x02 /* Temporary Throughput Reduction */

/*
 * CXL r3.1 §7.6.7.4.4 Get QoS Control (Opcode 5403h) and §7.6.7.4.5 Set QoS
 * Control (Opcode 5404h), Table 7-50.
 */
struct cxlfm_qos_control {
	uint8_t control;             /* CXLFM_QOS_* enable bits */
	uint8_t moderate_pct;        /* Egress Moderate Percentage, 1-100 (default 10) */
	uint8_t severe_pct;          /* Egress Severe Percentage, 1-100 (default 25) */
	uint8_t sample_interval;     /* Backpressure Sample Interval, 0-15 (default 8) */
	uint16_t reqcmp_basis;       /* ReqCmpBasis (default 0: no limits) */
	uint8_t completion_interval; /* Completion Collection Interval (default 64) */
};
int cxlfm_cmd_get_qos_control(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      struct cxlfm_qos_control *rsp);
/* rsp (may be NULL) gets the controls in effect afterwards. */
int cxlfm_cmd_set_qos_control(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      const struct cxlfm_qos_control *req, struct cxlfm_qos_control *rsp);

/* CXL r3.1 §7.6.7.4.6 Get QoS Status (Opcode 5405h). */
struct cxlfm_get_qos_status_rsp {
	uint8_t backpressure_pct;    /* Backpressure Average Percentage, 0-100 */
};
int cxlfm_cmd_get_qos_status(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			     struct cxlfm_get_qos_status_rsp *rsp);

/* The LDs Get QoS Allocated BW / Get QoS BW Limit ask about. */
struct cxlfm_qos_lds_req {
	uint8_t num_lds;             /* 1..CXLFM_LD_MAX */
	uint8_t start_ld;
};
/* Per-LD fractions from start_ld on: the fraction of bandwidth x 256. */
struct cxlfm_qos_fractions {
	uint8_t num_lds;             /* 1..CXLFM_LD_MAX */
	uint8_t start_ld;
	uint8_t fraction[CXLFM_LD_MAX];
};
/* CXL r3.1 §7.6.7.4.7 Get QoS Allocated BW (Opcode 5406h). */
int cxlfm_cmd_get_qos_allocated_bw(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				   const struct cxlfm_qos_lds_req *req,
				   struct cxlfm_qos_fractions *rsp);
/* CXL r3.1 §7.6.7.4.8 Set QoS Allocated BW (Opcode 5407h); rsp may be NULL. */
int cxlfm_cmd_set_qos_allocated_bw(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				   const struct cxlfm_qos_fractions *req,
				   struct cxlfm_qos_fractions *rsp);
/* CXL r3.1 §7.6.7.4.9 Get QoS BW Limit (Opcode 5408h). */
int cxlfm_cmd_get_qos_bw_limit(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			       const struct cxlfm_qos_lds_req *req,
			       struct cxlfm_qos_fractions *rsp);
/* CXL r3.1 §7.6.7.4.10 Set QoS BW Limit (Opcode 5409h); rsp may be NULL. */
int cxlfm_cmd_set_qos_bw_limit(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			       const struct cxlfm_qos_fractions *req,
			       struct cxlfm_qos_fractions *rsp);

#ifdef __cplusplus
}
#endif
#endif
