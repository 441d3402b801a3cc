/* SPDX-License-Identifier: MIT */
/*
 * The QoS load model (qos_model.h). The equations, their reasons and what
 * the model leaves out are in docs/qos.md; the numbered steps here are its.
 */
#include "dev/qos_model.h"

#include <stddef.h>

bool qos_measuring(const struct qos_ctl *ctl)
{
	/* CXL r3.1 §3.3.4.3.9: an interval of 0 disables the measurement, which
	 * then reads 0; the Enable bit turns the mechanism on (§3.3.4.3.4). */
	return (ctl->control & QOS_CTL_EGRESS_CONGESTION) && ctl->sample_interval;
}

bool qos_limits_on(const struct qos_ctl *ctl)
{
	/* Table 7-50: ReqCmpBasis 0 "disables the mechanism"; a Completion
	 * Collection Interval of 0 counts no responses (§3.3.4.3.10), so the
	 * per-LD utilisation the limit is compared with is not measured. */
	return ctl->reqcmp_basis && ctl->ccint;
}

const char *qos_load_name(unsigned load)
{
	static const char *const names[] = { "light", "optimal", "moderate", "severe" };

	return load < 4 ? names[load] : "?";
}

/*
 * Weighted max-min fair share of cap among the LDs in set with demand a[i]
 * and weight w[i] (water-filling: an LD whose demand fits its share at the
 * current level gets its demand, and what it leaves is shared again). This is
 * the "adjusted allocated bandwidth" of CXL r3.1 §3.3.4.3.7: LDs under their
 * allocation leave a surplus that the LDs over theirs share in proportion to
 * their allocations. Shares are rounded down. Returns what is left of cap.
 */
static uint32_t share(const uint32_t *a, const uint32_t *w, bool *set, unsigned n,
		      uint32_t cap, uint32_t *d)
{
	for (;;) {
		uint64_t wsum = 0;
		uint32_t used = 0;
		bool fitted = false;

		for (unsigned i = 0; i < n; i++)
			if (set[i])
				wsum += w[i];
		if (!wsum)
			return cap;
		/* a[i] <= cap * w[i] / wsum, compared without rounding */
		for (unsigned i = 0; i < n; i++) {
			if (set[i] && (uint64_t)a[i] * wsum <= (uint64_t)cap * w[i]) {
				d[i] = a[i];
				used += a[i];
				set[i] = false;
				fitted = true;
			}
		}
		if (fitted) {
			cap -= used; /* the fitted demands sum to at most cap */
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			if (set[i]) {
				d[i] = (uint32_t)((uint64_t)cap * w[i] / wsum);
				used += d[i];
				set[i] = false;
			}
		}
		return cap - used;
	}
}

static uint8_t max_u8(uint8_t a, uint8_t b)
{
	return a > b ? a : b;
}

void qos_model_run(const struct qos_in *in, struct qos_out *out)
{
	const struct qos_ctl *c = &in->ctl;
	unsigned n = in->n > QOS_MAX_LD ? QOS_MAX_LD : in->n;
	uint32_t w[QOS_MAX_LD] = { 0 }, one[QOS_MAX_LD] = { 0 };
	bool set[QOS_MAX_LD] = { false };
	uint8_t intload;
	uint64_t demand = 0;

	*out = (struct qos_out){ 0 };
	/* (1) offered load, and (2) what each LD's limit admits of it */
	for (unsigned i = 0; i < n; i++) {
		out->offered[i] = in->load_pct[i] * (QOS_BW_FULL / 100);
		out->limit[i] = QOS_NO_LIMIT;
		if (qos_limits_on(c))
			out->limit[i] = (uint32_t)((uint64_t)in->limit[i] * c->reqcmp_basis *
						   (QOS_BW_FULL / 100) / 256);
		out->admitted[i] = out->offered[i] < out->limit[i] ? out->offered[i] :
								      out->limit[i];
		demand += out->admitted[i];
	}
	out->demand = (uint32_t)demand;
	/* (3) the excess over the link waits at the egress port */
	if (demand > QOS_BW_FULL)
		out->raw_backpressure = (uint8_t)((100 * (demand - QOS_BW_FULL) + demand / 2) /
						  demand);
	out->backpressure = qos_measuring(c) ? out->raw_backpressure : 0;
	/* (4) egress port congestion state, §3.3.4.3.4 */
	out->congestion = QOS_LOAD_LIGHT;
	if (qos_measuring(c) && out->raw_backpressure >= c->severe_pct)
		out->congestion = QOS_LOAD_SEVERE;
	else if (qos_measuring(c) && out->raw_backpressure >= c->moderate_pct)
		out->congestion = QOS_LOAD_MODERATE;
	/* (5) IntLoad: the device keeps up with what the link carries */
	intload = demand >= QOS_BW_FULL ? QOS_LOAD_OPTIMAL : QOS_LOAD_LIGHT;
	out->total_load = max_u8(intload, out->congestion);
	/* (6) who gets the link */
	if (out->total_load >= QOS_LOAD_MODERATE) {
		uint32_t left;

		out->arbitrated = true;
		for (unsigned i = 0; i < n; i++) {
			w[i] = in->alloc[i];
			one[i] = 1;
			set[i] = in->alloc[i] != 0;
		}
		left = share(out->admitted, w, set, n, QOS_BW_FULL, out->delivered);
		/* LDs without an allocation share what the others leave, evenly */
		for (unsigned i = 0; i < n; i++)
			set[i] = in->alloc[i] == 0;
		share(out->admitted, one, set, n, left, out->delivered);
	} else {
		for (unsigned i = 0; i < n; i++)
			out->delivered[i] = demand > QOS_BW_FULL ?
				(uint32_t)((uint64_t)out->admitted[i] * QOS_BW_FULL / demand) :
				out->admitted[i];
	}
	/* (7) DevLoad per LD, CXL r3.1 Table 3-32 */
	for (unsigned i = 0; i < n; i++) {
		bool over_limit = out->offered[i] > out->limit[i];
		bool over_alloc = out->arbitrated && out->admitted[i] > out->delivered[i];
		uint8_t t = out->total_load;

		if (t <= QOS_LOAD_OPTIMAL)
			out->devload[i] = over_limit ? QOS_LOAD_MODERATE : t;
		else if (t == QOS_LOAD_MODERATE)
			out->devload[i] = over_limit || over_alloc ? QOS_LOAD_MODERATE :
								     QOS_LOAD_OPTIMAL;
		else
			out->devload[i] = over_alloc ? QOS_LOAD_SEVERE : QOS_LOAD_MODERATE;
	}
}
