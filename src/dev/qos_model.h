/* SPDX-License-Identifier: MIT */
/*
 * The QoS load model of a memory device (docs/qos.md): from the load each
 * LD's host offers and the QoS Telemetry controls an FM or host set (CXL
 * r3.1 §3.3.4.3, §7.6.7.4.4-.10, §8.2.9.9.8), the steady state the device
 * settles in: what each LD is admitted and delivered, the egress port's
 * Backpressure Average Percentage, its congestion state and the DevLoad
 * each LD's responses carry (Table 3-32). Pure integer arithmetic on the
 * state it is given: the same state gives the same answer, no clock, no
 * randomness.
 *
 * Bandwidth is in basis points of the device's bandwidth (QOS_BW_FULL =
 * 10000 = all of it), offered load in whole percent of it (a host may ask
 * for more than the device delivers: up to 255 %).
 */
#ifndef CXLFM_DEV_QOS_MODEL_H
#define CXLFM_DEV_QOS_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define QOS_MAX_LD 16u
#define QOS_BW_FULL 10000u       /* the device's bandwidth, basis points */
#define QOS_NO_LIMIT UINT32_MAX  /* an LD without a bandwidth limit */

/* QoS Telemetry Control bits (CXL r3.1 Table 7-50, Table 8-172). */
#define QOS_CTL_EGRESS_CONGESTION 0x01u
#define QOS_CTL_THROUGHPUT_REDUCTION 0x02u
#define QOS_CTL_BITS (QOS_CTL_EGRESS_CONGESTION | QOS_CTL_THROUGHPUT_REDUCTION)

/* The defaults of CXL r3.1 Table 7-50. */
#define QOS_MODERATE_DEFAULT 10u
#define QOS_SEVERE_DEFAULT 25u
#define QOS_INTERVAL_DEFAULT 8u
#define QOS_INTERVAL_MAX 15u
#define QOS_CCI_DEFAULT 64u

/* DevLoad indications (CXL r3.1 §3.3.4.1, Table 3-29), in increasing order. */
enum qos_load {
	QOS_LOAD_LIGHT = 0,
	QOS_LOAD_OPTIMAL = 1,
	QOS_LOAD_MODERATE = 2,
	QOS_LOAD_SEVERE = 3,
};

/* The controls (Set QoS Control's fields; an SLD has the first four). */
struct qos_ctl {
	uint8_t control;          /* QOS_CTL_* */
	uint8_t moderate_pct;     /* Egress Moderate Percentage, 1-100 */
	uint8_t severe_pct;       /* Egress Severe Percentage, 1-100 */
	uint8_t sample_interval;  /* Backpressure Sample Interval; 0: no sampling */
	uint16_t reqcmp_basis;    /* ReqCmpBasis; 0: no bandwidth limits */
	uint8_t ccint;            /* Completion Collection Interval; 0: no limits */
};

struct qos_in {
	struct qos_ctl ctl;
	unsigned n;               /* LDs, 1..QOS_MAX_LD */
	uint8_t load_pct[QOS_MAX_LD]; /* offered load, percent of the device's bandwidth
				       * (over 100: more than it can deliver) */
	uint8_t alloc[QOS_MAX_LD];    /* QoS Allocation Fraction x 256 */
	uint8_t limit[QOS_MAX_LD];    /* QoS Limit Fraction x 256 */
};

struct qos_out {
	uint32_t offered[QOS_MAX_LD];   /* basis points */
	uint32_t limit[QOS_MAX_LD];     /* basis points, or QOS_NO_LIMIT */
	uint32_t admitted[QOS_MAX_LD];  /* min(offered, limit) */
	uint32_t delivered[QOS_MAX_LD];
	uint8_t devload[QOS_MAX_LD];    /* enum qos_load */
	uint32_t demand;                /* sum of admitted */
	uint8_t raw_backpressure;       /* percent, whether measured or not */
	uint8_t backpressure;           /* what Get QoS Status reports */
	uint8_t congestion;             /* egress port congestion state: enum qos_load
					 * (LIGHT: none, MODERATE, SEVERE) */
	uint8_t total_load;             /* TotalLoad of §3.3.4.3.7 */
	bool arbitrated;                /* the link is shared by allocation */
};

/* Whether the controls measure egress congestion (bit0 and an interval). */
bool qos_measuring(const struct qos_ctl *ctl);
/* Whether per-LD bandwidth limits are on (ReqCmpBasis and the interval non-zero). */
bool qos_limits_on(const struct qos_ctl *ctl);

/* Run the model (in->n from 1 to QOS_MAX_LD). */
void qos_model_run(const struct qos_in *in, struct qos_out *out);

/* "light", "optimal", "moderate", "severe". */
const char *qos_load_name(unsigned load);

#endif
