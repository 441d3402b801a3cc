/* SPDX-License-Identifier: MIT */
/*
 * Switch command sets with tunnels, stateful: per input a switch (USP and
 * four DSPs) with an MLD type-3 device (DC regions, 2..16 LDs, its LD
 * functions reachable by 5301h/5302h) below one port, a single-LD device below another, a PCIe device below the third
 * and nothing below the fourth; then a sequence of requests (fuzz_dev.h) on
 * the switch mailbox CCI, the switch's MCTP CCI (Tunnel Management reaches
 * the devices, and the MLD's LDs through the MLD's own tunnel), and the
 * devices' own CCIs. Background bind/unbind complete as the clock moves.
 * After each request: the dispatcher's contract, the vPPB bindings (only
 * downstream ports, LDs that exist, no (port, LD) bound twice), the ports,
 * and the devices' DC state.
 */
#include <stdlib.h>
#include <string.h>

#include "dev/sw.h"
#include "dev/t3.h"
#include "fuzz.h"
#include "fuzz_dev.h"
#include "proto/le.h"

#define MiB (1024ull * 1024)

enum { PORT_MLD = 1, PORT_SLD = 2, PORT_PCIE = 3, PORT_EMPTY = 4 };

static void check_switch(struct sw_dev *sw, uint8_t mld_lds)
{
	struct sw_vppb_info v[SW_MAX_DSP];
	struct sw_port_info p;
	unsigned nv = sw_vppb_count(sw);

	assert(sw_port_count(sw) == 5);
	for (unsigned i = 0; i < sw_port_count(sw); i++) {
		assert(sw_port_get(sw, i, &p) == 0);
		assert(p.is_usp == (i == 0));
		assert(p.link_up == (!p.perst && !p.link_disabled &&
				     (p.is_usp || p.dev_type != SW_DEV_NONE)));
	}
	assert(sw_port_get(sw, sw_port_count(sw), &p) < 0);
	for (unsigned i = 0; i < nv; i++) {
		assert(sw_vppb_get(sw, i, &v[i]) == 0);
		switch (v[i].status) {
		case SW_VPPB_UNBOUND:
			assert(v[i].port_id == 0xff && v[i].ld_id == SW_LD_NONE);
			continue;
		case SW_VPPB_BOUND_PORT:
			assert(v[i].ld_id == SW_LD_NONE);
			break;
		case SW_VPPB_BOUND_LD:
			assert(v[i].port_id == PORT_MLD && v[i].ld_id < mld_lds);
			break;
		case SW_VPPB_IN_PROGRESS:
			break;
		default:
			assert(0 && "vPPB status out of Table 7-32");
		}
		assert(v[i].port_id >= PORT_MLD && v[i].port_id <= PORT_EMPTY);
		if (v[i].port_id == PORT_MLD)
			assert(v[i].ld_id < mld_lds);
		for (unsigned k = 0; k < i; k++) {
			if (v[k].status == SW_VPPB_UNBOUND || v[k].port_id != v[i].port_id)
				continue;
			/* an MLD's LDs bind separately; any other port binds once */
			assert(v[i].port_id == PORT_MLD && v[k].ld_id != v[i].ld_id);
		}
	}
	assert(sw_vppb_get(sw, nv, &v[0]) < 0);
}

struct ctx {
	struct sw_dev *sw;
	struct t3_dev *mld;
};

static bool port_by_id(struct sw_dev *sw, uint8_t id, struct sw_port_info *pi)
{
	for (unsigned i = 0; i < sw_port_count(sw); i++)
		if (sw_port_get(sw, i, pi) == 0 && pi->port_id == id)
			return true;
	return false;
}

/* What the switch's responses say agrees with its state (CXL r3.1 §7.6.7.1-2). */
static void check_response(struct cci *cci, uint16_t op, const uint8_t *in, size_t in_len,
			   const uint8_t *out, size_t out_len, void *arg)
{
	struct ctx *c = arg;
	struct sw_vppb_info v;
	struct sw_port_info pi;
	unsigned bound = 1;
	const uint8_t *o;

	if (cci != sw_mbox_cci(c->sw) && cci != sw_mctp_cci(c->sw)) {
		fz_check_t3_response(cci, op, in, in_len, out, out_len, c->mld);
		return;
	}
	switch (op) {
	case CCI_OP_IDENTIFY_SWITCH_DEVICE:
		for (unsigned i = 0; i < sw_vppb_count(c->sw); i++) {
			assert(sw_vppb_get(c->sw, i, &v) == 0);
			bound += v.status == SW_VPPB_BOUND_PORT || v.status == SW_VPPB_BOUND_LD;
		}
		assert(out[2] == sw_port_count(c->sw));
		assert(le16_get(out + 0x44) == sw_vppb_count(c->sw) + 1);
		assert(le16_get(out + 0x46) == bound);
		break;
	case CCI_OP_GET_PHYS_PORT_STATE:
		assert(out[0] == in[0] && out_len == 4 + 16u * in[0]);
		for (unsigned i = 0; i < in[0]; i++) {
			const uint8_t *b = out + 4 + 16 * i;

			assert(b[0] == in[1 + i]);
			if (port_by_id(c->sw, in[1 + i], &pi))
				assert(b[1] == pi.config_state && b[11] == pi.ltssm);
			else
				assert(b[1] == SW_PORT_INVALID_ID);
		}
		break;
	case CCI_OP_SEND_PPB_CXLIO_CONFIG_REQ:
	case CCI_OP_SEND_LD_CXLIO_CONFIG_REQ:
		/* write answers carry no data (CXL r3.1 Tables 7-22, 7-40) */
		assert(out_len == 4);
		if (in[3] & 0x80)
			assert(le32_get(out) == 0);
		break;
	case CCI_OP_SEND_LD_CXLIO_MEM_REQ:
		/* Return Size: at most the length; read data is that many bytes */
		assert(le16_get(out) <= le16_get(in + 6));
		assert(out_len == 4u + ((in[3] & 0x80) ? 0u : le16_get(out)));
		break;
	case CCI_OP_GET_VCS_INFO:
		o = out + 4;
		for (unsigned i = 0; i < in[2]; i++) {
			unsigned start = in[0], cnt;

			assert(o[0] == in[3 + i]);
			if (o[0]) {
				assert(o[1] == 0xff);
				o += 4;
				continue;
			}
			assert(o[3] == sw_vppb_count(c->sw));
			cnt = start < o[3] ? o[3] - start : 0;
			cnt = cnt < in[1] ? cnt : in[1];
			o += 4;
			for (unsigned e = 0; e < cnt; e++, o += 4) {
				assert(sw_vppb_get(c->sw, start + e, &v) == 0);
				assert(o[0] == v.status && o[1] == v.port_id);
				assert(o[2] == (v.ld_id == SW_LD_NONE ? 0xff : v.ld_id));
			}
		}
		assert((size_t)(o - out) == out_len);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* DSP index i has port id dsps[i].port */
	static const struct sw_port_cfg dsps[] = {
		{ .port = PORT_MLD }, { .port = PORT_SLD }, { .port = PORT_PCIE }, { .port = PORT_EMPTY },
	};
	struct fz_in in = { data, size };
	uint8_t c0 = fz_byte(&in);
	struct t3_config mc = {
		.id = "fuzz-mld", .serial = 7, .vmem_size = 256 * MiB,
		.num_dc_regions = 2, .dc_size = 512 * MiB, .dc_extents_max = 16,
		.num_ld = 2 + (c0 & 0x0f) % 15,
	};
	struct t3_config scfg = { .id = "fuzz-sld", .serial = 8, .vmem_size = 256 * MiB };
	struct sw_config swc = {
		.id = "fuzz-sw", .serial = 1, .usp = { .port = 0 }, .n_dsp = 4, .dsps = dsps,
		.bind_duration_ns = (c0 & 0x10) ? 1000000 : 0,
		.perst_hold_ns = (c0 & 0x20) ? 1000000 : 0,
		.start_unbound = c0 & 0x40,
	};
	struct t3_dev *mld, *sld;
	struct sw_dev *sw;
	struct cci *ccis[6];
	struct fz_msg m;
	struct ctx ctx;
	uint32_t gen = 0;

	fz_logs_formatted();
	assert(t3_create(&mc, &fz_clock, &mld) == 0);
	assert(t3_create(&scfg, &fz_clock, &sld) == 0);
	assert(sw_create(&swc, &fz_clock, &sw) == 0);
	assert(sw_attach(sw, 0, &(struct sw_attached){
		.fm_cci = t3_fm_cci(mld), .dev_type = SW_DEV_CXL_TYPE3_MLD,
		.ld_count = (uint8_t)mc.num_ld, .id = "fuzz-mld", .ld_ops = &t3_sw_ld_ops,
		.ld_arg = mld }) == 0);
	assert(sw_attach(sw, 1, &(struct sw_attached){
		.fm_cci = t3_fm_cci(sld), .dev_type = SW_DEV_CXL_TYPE3_SLD, .id = "fuzz-sld" }) == 0);
	assert(sw_attach(sw, 2, &(struct sw_attached){
		.dev_type = SW_DEV_PCIE, .id = "nic" }) == 0);
	ctx = (struct ctx){ .sw = sw, .mld = mld };
	ccis[0] = sw_mbox_cci(sw);
	ccis[1] = sw_mctp_cci(sw);
	ccis[2] = t3_fm_cci(mld);
	ccis[3] = t3_host_cci(mld);
	ccis[4] = t3_ld_cci(mld, 1);
	ccis[5] = t3_fm_cci(sld);
	while (fz_next_msg(&in, &m)) {
		fz_advance(m.adv);
		/* as cxl-emu's host: finished operations complete on the timer */
		sw_tick(sw);
		fz_run(ccis[(m.sel & 0x7f) % 6], &m, check_response, &ctx);
		sw_tick(sw);
		check_switch(sw, (uint8_t)mc.num_ld);
		fz_check_dcd(t3_dcd(mld), &gen);
		fz_check_events(t3_events(mld));
		fz_check_events(t3_events(sld));
	}
	sw_destroy(sw);
	t3_destroy(sld);
	t3_destroy(mld);
	return 0;
}
