/* SPDX-License-Identifier: MIT */
/*
 * CXL switch model and the Switch CCI command set (CXL r3.1 §7.6.7.1
 * Physical Switch, §7.6.7.2 Virtual Switch, §7.6.7.3.1 Tunnel Management).
 *
 * Reference behaviour: QEMU hw/cxl/cxl-mailbox-utils.c (cxl_cmd_set_sw and
 * the USP MCTP set) for 5100h/5101h/5102h/5300h. QEMU implements neither
 * Get Virtual CXL Switch Info (5200h) nor Bind/Unbind vPPB (5201h/5202h):
 * those follow CXL r3.1 §7.6.7.2 and its Tables 7-30 to 7-34.
 */
#include "dev/sw.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dev/sw_dv.h"
#include "dev/sw_events.h"
#include "dev/sw_cxlio.h"
#include "dev/tunnel.h"
#include "proto/le.h"
#include "util/log.h"

#define SW_NO_PORT 0xffu
#define SW_PERST_HOLD_DEFAULT_NS 100000000ull /* QEMU ASSERT_WAIT_TIME_MS */
#define SW_DSP_LD_SUPPORT_DEFAULT 16u         /* an MLD has up to 16 LDs */
#define SW_MLD_MAX_LD 16u

/* Link defaults of QEMU's cxl-downstream / cxl-upstream ("x-width",
 * "x-speed"): x16 at 64 GT/s below, x16 at 32 GT/s above. Encodings are
 * those of the PCIe Link Capabilities register: Max Link Width is the lane
 * count, Max Link Speed 1 (2.5 GT/s) .. 6 (64 GT/s); the Supported Link
 * Speeds Vector of Link Capabilities 2 has bit n-1 for speed n. */
#define SW_LINK_WIDTH_X16 0x10u
#define SW_DSP_MAX_SPEED 6u    /* 64.0 GT/s */
#define SW_USP_MAX_SPEED 5u    /* 32.0 GT/s */
#define SW_MAX_SPEED 6u

/* CXL r3.1 Table 7-19 Supported CXL Modes bits and Connected Device Mode. */
#define SW_MODE_68B_VH (1u << 1)
#define SW_MODE_256B (1u << 2)
#define SW_CONN_MODE_NONE 0x0u   /* not CXL or disconnected */
#define SW_CONN_MODE_68B_VH 0x2u /* CXL 68B Flit and VH */
#define SW_CONN_MODE_256B 0x3u   /* Standard 256B Flit */

/* CXL r3.1 Table 7-19 LTSSM State and Link State Flags. */
#define SW_LTSSM_DETECT 0x00u
#define SW_LTSSM_L0 0x04u
#define SW_LTSSM_DISABLED 0x08u
#define SW_LINK_PERST (1u << 1)
#define SW_LINK_PRSNT (1u << 2)

/* CXL r3.1 Table 7-32 VCS State. */
#define SW_VCS_ENABLED 0x01u
#define SW_VCS_INVALID 0xffu

/* CXL r3.1 Table 7-20 Port Opcode. */
enum sw_port_op {
	SW_PPC_ASSERT_PERST = 0x00,
	SW_PPC_DEASSERT_PERST = 0x01,
	SW_PPC_RESET_PPB = 0x02,
};

/* Wire sizes (CXL r3.1 Tables 7-18/7-19, 7-31/7-32); whole payloads: proto/commands.h. */
#define SW_PORT_STATE_HDR 4u
#define SW_PORT_BLOCK_LEN 16u
#define SW_VCS_INFO_HDR 4u
#define SW_VCS_BLOCK_HDR 4u
#define SW_VPPB_ENTRY_LEN 4u

enum sw_pending_op {
	SW_OP_NONE,
	SW_OP_BIND,
	SW_OP_UNBIND,
};

struct sw_port {
	uint8_t id;
	bool usp;
	uint8_t width;        /* max link width, lanes */
	uint8_t speed;        /* max link speed encoding */
	bool flit_256b;       /* the port supports 256B flits */
	bool perst;
	uint64_t perst_at_ns;
	uint32_t resets;
	/* the device below a DSP */
	struct cci *fm_cci;
	uint8_t dev_type;
	uint8_t ld_count;
	char *dev_id;
	uint8_t dev_width;    /* the device's link maxima and flit mode */
	uint8_t dev_speed;
	bool dev_flit_256b;
	const struct sw_ld_ops *ld_ops; /* its LD functions (sw_cxlio.c) */
	void *ld_arg;
	bool link_disabled;   /* PPB Link Control Link Disable (sw_cxlio.c) */
};

struct sw_vppb {
	uint8_t status;      /* enum sw_vppb_status */
	uint8_t port;        /* index in ports[] of the bound or target DSP,
			      * SW_NO_PORT if unbound (port ids may repeat) */
	uint16_t ld;         /* bound or target LD, SW_LD_NONE */
	uint8_t pending;     /* enum sw_pending_op while IN_PROGRESS */
};

/* One CCI of the switch with its bind/unbind in flight. */
struct sw_ep {
	struct cci cci;
	struct sw_dev *sw;
	char *name;
	uint8_t ingress_port; /* Identify Switch Device byte 0 */
	uint8_t vppb;         /* vPPB of the running background operation */
};

struct sw_dev {
	char *id;
	struct cci_ident ident;
	struct cci_timestamp ts;
	const struct cci_clock *clock;
	uint64_t bind_ns;
	uint64_t perst_hold_ns;
	uint8_t dsp_ld_support;
	unsigned nports;        /* 1 + number of DSPs */
	struct sw_port *ports;  /* [0] is the USP */
	int16_t port_idx[256];  /* port number -> index in ports, -1 if none;
				 * the first DSP with the number, else the USP */
	unsigned nvppb;
	struct sw_vppb *vppbs;
	struct sw_ep mbox;
	struct sw_ep mctp;
	struct sw_events ev;    /* event logs (sw_events.c) */
	struct sw_dv dv;        /* VCS 0's domain validation secret value (sw_dv.c) */
	struct sw_cxlio *cxlio; /* the PPBs' configuration spaces (sw_cxlio.c) */
};

static struct sw_ep *ep_of(struct cci *cci)
{
	return cci->owner;
}

struct sw_events *sw_events_of(struct cci *cci)
{
	return &ep_of(cci)->sw->ev;
}

/* One VCS (0), whose upstream port carries the mailbox CCI. */
struct sw_dv *sw_dv_of(struct cci *cci, int vcs)
{
	return vcs <= 0 ? &ep_of(cci)->sw->dv : NULL;
}

const char *sw_id_of(struct cci *cci)
{
	return ep_of(cci)->sw->id;
}

static struct sw_port *port_find(struct sw_dev *sw, uint8_t id)
{
	int16_t i = sw->port_idx[id];

	return i < 0 ? NULL : &sw->ports[i];
}

static struct sw_port *dsp_find(struct sw_dev *sw, uint8_t id)
{
	struct sw_port *p = port_find(sw, id);

	return p && !p->usp ? p : NULL;
}

static uint8_t port_index(const struct sw_dev *sw, const struct sw_port *p)
{
	return (uint8_t)(p - sw->ports);
}

static bool dev_is_type3(uint8_t t)
{
	return t == SW_DEV_CXL_TYPE3_SLD || t == SW_DEV_CXL_TYPE3_MLD;
}

static bool dev_is_cxl(uint8_t t)
{
	return t >= SW_DEV_CXL_TYPE1 && t <= SW_DEV_PBR;
}

static bool port_link_up(const struct sw_port *p)
{
	if (p->perst || p->link_disabled)
		return false;
	return p->usp || p->dev_type != SW_DEV_NONE;
}

static uint8_t port_config_state(const struct sw_dev *sw, const struct sw_port *p)
{
	if (p->usp)
		return SW_PORT_USP;
	for (unsigned v = 0; v < sw->nvppb; v++) {
		const struct sw_vppb *b = &sw->vppbs[v];

		if (b->status != SW_VPPB_IN_PROGRESS || b->port != port_index(sw, p))
			continue;
		return b->pending == SW_OP_BIND ? SW_PORT_BIND_IN_PROGRESS :
						  SW_PORT_UNBIND_IN_PROGRESS;
	}
	return SW_PORT_DSP;
}

static uint8_t min_u8(uint8_t a, uint8_t b)
{
	return a < b ? a : b;
}

/* The link trains to what both ends support (PCIe r6 §4.2.6): the USP's
 * partner is the root port, which we take to match it. */
static void port_info(const struct sw_dev *sw, const struct sw_port *p,
		      struct sw_port_info *o)
{
	bool up = port_link_up(p);
	uint8_t width = p->usp ? p->width : min_u8(p->width, p->dev_width);
	uint8_t speed = p->usp ? p->speed : min_u8(p->speed, p->dev_speed);

	*o = (struct sw_port_info){
		.port_id = p->id,
		.is_usp = p->usp,
		.config_state = port_config_state(sw, p),
		.dev_type = p->dev_type,
		.ld_count = p->ld_count,
		.dev_id = p->dev_id,
		.has_fm_cci = p->fm_cci != NULL,
		.perst = p->perst,
		.link_up = up,
		.link_disabled = p->link_disabled,
		.ltssm = (uint8_t)(up ? SW_LTSSM_L0 :
				   p->link_disabled ? SW_LTSSM_DISABLED : SW_LTSSM_DETECT),
		.max_link_width = p->width,
		.negotiated_link_width = (uint8_t)(up ? width : 0),
		.max_link_speed = p->speed,
		.current_link_speed = (uint8_t)(up ? speed : 0),
		.flit_256b = up && p->flit_256b && (p->usp || p->dev_flit_256b),
		.ppb_resets = p->resets,
	};
}

/* ---- event records (sw_events.c) ------------------------------------------ */

/*
 * CXL r3.1 §7.6.6.5/.6: "upon completion of the binding [unbinding]
 * process, the switch notifies the FM by generating a Virtual CXL Switch
 * Event Record" with the vPPB's binding as it now is (Table 7-32 values).
 * The vPPBs have no configuration space here: Link and Slot Control read 0.
 */
static void ev_binding(struct sw_dev *sw, uint8_t vppb)
{
	const struct sw_vppb *v = &sw->vppbs[vppb];
	struct rec_vcs_event r = {
		.vcs_id = 0, .vppb_id = vppb, .type = REC_VCS_BINDING_CHANGE,
		.binding_status = v->status,
		.port_id = v->port == SW_NO_PORT ? (uint8_t)SW_NO_PORT : sw->ports[v->port].id,
		.ld_id = (uint8_t)(v->ld == SW_LD_NONE ? 0xffu : v->ld),
	};

	sw_ev_vcs(&sw->ev, &r, false);
}

/* ---- background bind / unbind ---------------------------------------- */

static void sw_bg_done(struct cci *cci, void *arg)
{
	struct sw_ep *ep = arg;
	struct sw_dev *sw = ep->sw;
	struct sw_vppb *v = &sw->vppbs[ep->vppb];

	if (v->status != SW_VPPB_IN_PROGRESS) {
		/* cannot happen: only this operation moves the vPPB out of it */
		log_err("sw %s vppb %u: background op 0x%04x finished in state %u",
			sw->id, ep->vppb, cci->bg.opcode, v->status);
		cci->bg.rc = CXL_RC_INTERNAL_ERROR;
		return;
	}
	if (v->pending == SW_OP_BIND) {
		v->status = v->ld == SW_LD_NONE ? SW_VPPB_BOUND_PORT : SW_VPPB_BOUND_LD;
		log_info("sw %s vcs 0 vppb %u: bound to port %u ld 0x%04x (%s)",
			 sw->id, ep->vppb, sw->ports[v->port].id, v->ld, cci->name);
	} else {
		log_info("sw %s vcs 0 vppb %u: unbound from port %u ld 0x%04x (%s)",
			 sw->id, ep->vppb, sw->ports[v->port].id, v->ld, cci->name);
		v->status = SW_VPPB_UNBOUND;
		v->port = SW_NO_PORT;
		v->ld = SW_LD_NONE;
	}
	v->pending = SW_OP_NONE;
	ev_binding(sw, ep->vppb);
}

unsigned sw_tick(struct sw_dev *sw)
{
	unsigned n = 0;

	n += cci_tick(&sw->mbox.cci) ? 1u : 0u;
	n += cci_tick(&sw->mctp.cci) ? 1u : 0u;
	return n;
}

uint64_t sw_bg_remaining_ns(const struct sw_dev *sw)
{
	uint64_t a = cci_bg_remaining_ns(&sw->mbox.cci);
	uint64_t b = cci_bg_remaining_ns(&sw->mctp.cci);

	return a < b ? a : b;
}

/* ---- Physical Switch command set (51h) ------------------------------- */

/*
 * CXL r3.1 §7.6.7.1.1 Identify Switch Device (Opcode 5100h), Table 7-16:
 * 0 ingress port, 1 rsvd, 2 number of physical ports, 3 number of VCSs,
 * 4:32 active port bitmask, 24h:32 active VCS bitmask, 44h:2 total vPPBs,
 * 46h:2 bound vPPBs, 48h number of HDM decoders per USP.
 * As QEMU, the upstream vPPB counts as a (always bound) vPPB: total is
 * DSPs + 1. The ingress port of the mailbox CCI is the USP's port (the
 * mailbox is a function of the USP); over MCTP it is bus index 0.
 */
static uint16_t cmd_sw_identify_switch_device(struct cci *cci, const struct cci_cmd *cmd,
					      struct cci_call *call)
{
	struct sw_ep *ep = ep_of(cci);
	struct sw_dev *sw = ep->sw;
	uint8_t *o = call->out;
	unsigned bound = 1;

	(void)cmd;
	sw_tick(sw);
	o[0] = ep->ingress_port;
	o[2] = (uint8_t)sw->nports;
	o[3] = 1;
	for (unsigned i = 0; i < sw->nports; i++)
		o[4 + sw->ports[i].id / 8] |= (uint8_t)(1u << (sw->ports[i].id % 8));
	o[0x24] = 0x01; /* VCS 0 */
	for (unsigned v = 0; v < sw->nvppb; v++)
		if (sw->vppbs[v].status == SW_VPPB_BOUND_PORT ||
		    sw->vppbs[v].status == SW_VPPB_BOUND_LD)
			bound++;
	le16_put(o + 0x44, (uint16_t)(sw->nvppb + 1));
	le16_put(o + 0x46, (uint16_t)bound);
	o[0x48] = 4; /* HDM decoders per USP, as QEMU */
	call->out_len = CXL_OUT_IDENTIFY_SWITCH_DEVICE;
	return CXL_RC_SUCCESS;
}

/* One 16-byte Port Information Block, CXL r3.1 Table 7-19. */
static void port_block_put(const struct sw_dev *sw, const struct sw_port *p, uint8_t *b)
{
	struct sw_port_info pi;
	uint16_t flags = 0;

	port_info(sw, p, &pi);
	b[0] = p->id;
	b[1] = pi.config_state;
	b[5] = (uint8_t)(SW_MODE_68B_VH | (p->flit_256b ? SW_MODE_256B : 0));
	b[8] = (uint8_t)((1u << p->speed) - 1u);
	if (!p->usp) {
		if (pi.link_up && dev_is_cxl(p->dev_type))
			b[2] = (uint8_t)(pi.flit_256b ? SW_CONN_MODE_256B : SW_CONN_MODE_68B_VH);
		b[4] = p->dev_type;
		b[15] = sw->dsp_ld_support;
		if (p->dev_type != SW_DEV_NONE)
			flags |= SW_LINK_PRSNT;
	}
	b[6] = pi.max_link_width;
	b[7] = pi.negotiated_link_width;
	b[9] = pi.max_link_speed;
	b[10] = pi.current_link_speed;
	b[11] = pi.ltssm;
	b[12] = 0; /* first negotiated lane */
	if (p->perst)
		flags |= SW_LINK_PERST;
	le16_put(b + 13, flags);
}

/* PCIe Slot Status register bits a Physical Switch Event Record carries. */
#define SW_SLOT_PDC 0x0008u   /* Presence Detect Changed */
#define SW_SLOT_PDS 0x0040u   /* Presence Detect State */
#define SW_SLOT_DLLSC 0x0100u /* Data Link Layer State Changed */

/*
 * A Physical Switch Event Record (CXL r3.1 §7.6.8.1) for port p as it now
 * is: type 00h Link State Change (PERST#, the link going down or up) or 01h
 * Slot Status Register Updated (a device arrived or left: Presence Detect
 * Changed, §7.6.6.7). The port fields are Get Physical Port State's.
 */
static void ev_port(struct sw_dev *sw, const struct sw_port *p, uint8_t type)
{
	uint8_t b[SW_PORT_BLOCK_LEN] = { 0 };
	uint16_t slot = SW_SLOT_DLLSC;
	struct rec_phys_sw_event r;

	port_block_put(sw, p, b);
	if (type == REC_PHYS_SW_SLOT_STATUS)
		slot |= SW_SLOT_PDC;
	if (p->usp || p->dev_type != SW_DEV_NONE)
		slot |= SW_SLOT_PDS;
	r = (struct rec_phys_sw_event){
		.port_id = b[0], .type = type, .slot_status = slot, .config_state = b[1],
		.conn_mode = b[2], .dev_type = b[4], .cxl_modes = b[5], .max_width = b[6],
		.neg_width = b[7], .speeds = b[8], .max_speed = b[9], .cur_speed = b[10],
		.ltssm = b[11], .first_lane = b[12], .link_flags = le16_get(b + 13),
	};
	sw_ev_phys(&sw->ev, &r);
}

/*
 * CXL r3.1 §7.6.7.1.2 Get Physical Port State (Opcode 5101h). Request
 * (Table 7-17): 0 number of ports N, 1:N port ids. Response (Table 7-18):
 * 0 N, 1:3 rsvd, 4: N port information blocks (Table 7-19).
 * A port id the switch does not have gets a block with configuration
 * state Fh "Invalid Port_ID" (Table 7-19) — QEMU fails the whole command
 * with Invalid Input instead. A response over the message limit is
 * Invalid Input, as QEMU.
 */
static uint16_t cmd_sw_get_phys_port_state(struct cci *cci, const struct cci_cmd *cmd,
					   struct cci_call *call)
{
	struct sw_dev *sw = ep_of(cci)->sw;
	size_t n, len;

	(void)cmd;
	if (call->in_len < 1)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	n = call->in[0];
	if (call->in_len != 1 + n)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	len = SW_PORT_STATE_HDR + SW_PORT_BLOCK_LEN * n;
	if (len > call->out_max)
		return CXL_RC_INVALID_INPUT;
	sw_tick(sw);
	call->out[0] = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		uint8_t *b = call->out + SW_PORT_STATE_HDR + SW_PORT_BLOCK_LEN * i;
		const struct sw_port *p = port_find(sw, call->in[1 + i]);

		if (p) {
			port_block_put(sw, p, b);
		} else {
			b[0] = call->in[1 + i];
			b[1] = SW_PORT_INVALID_ID;
		}
	}
	call->out_len = len;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §7.6.7.1.3 Physical Port Control (Opcode 5102h), Table 7-20:
 * 0 PPB id (physical port number), 1 port opcode (0 assert PERST#,
 * 1 deassert PERST#, 2 reset PPB). No output.
 * As QEMU: the USP and every DSP can be controlled; an unknown port or
 * opcode is Invalid Input; asserting an asserted PERST#, deasserting one
 * that is not asserted and resetting a PPB held in PERST# are Internal
 * Error. PERST# stays asserted for at least perst_hold_ns (QEMU: 100 ms);
 * a deassert before that answers Retry Required (QEMU: Internal Error).
 */
static uint16_t cmd_sw_phys_port_control(struct cci *cci, const struct cci_cmd *cmd,
					 struct cci_call *call)
{
	struct sw_dev *sw = ep_of(cci)->sw;
	struct sw_port *p = port_find(sw, call->in[0]);
	uint8_t op = call->in[1];
	uint64_t now = cci_now_ns(cci);

	(void)cmd;
	if (!p || op > SW_PPC_RESET_PPB)
		return CXL_RC_INVALID_INPUT;
	switch (op) {
	case SW_PPC_ASSERT_PERST:
		if (p->perst)
			return CXL_RC_INTERNAL_ERROR;
		p->perst = true;
		p->perst_at_ns = now;
		log_info("sw %s port %u: PERST# asserted", sw->id, p->id);
		/* the host's hierarchy is reset: its VCS's secret value goes (sw_dv.c) */
		if (p->usp)
			sw_dv_reset(&sw->dv, sw->id, 0);
		sw_cxlio_changed(sw, port_index(sw, p), true);
		ev_port(sw, p, REC_PHYS_SW_LINK_STATE);
		break;
	case SW_PPC_DEASSERT_PERST:
		if (!p->perst)
			return CXL_RC_INTERNAL_ERROR;
		if (now - p->perst_at_ns < sw->perst_hold_ns)
			return CXL_RC_RETRY_REQUIRED;
		p->perst = false;
		log_info("sw %s port %u: PERST# deasserted", sw->id, p->id);
		sw_cxlio_changed(sw, port_index(sw, p), true);
		ev_port(sw, p, REC_PHYS_SW_LINK_STATE);
		break;
	default:
		if (p->perst)
			return CXL_RC_INTERNAL_ERROR;
		p->resets++;
		log_info("sw %s port %u: PPB reset", sw->id, p->id);
		sw_cxlio_reset(sw, port_index(sw, p));
		break;
	}
	return CXL_RC_SUCCESS;
}

/* ---- Virtual Switch command set (52h), CXL r3.1 §7.6.7.2 -------------- */

static size_t vcs_entries(const struct sw_dev *sw, uint8_t start, uint8_t limit)
{
	size_t left = start < sw->nvppb ? sw->nvppb - start : 0;

	return left < limit ? left : limit;
}

/*
 * CXL r3.1 §7.6.7.2.1 Get Virtual CXL Switch Info (Opcode 5200h).
 * Request (Table 7-30): 0 start vPPB, 1 vPPB list limit (>= 1), 2 number
 * of VCSs N (>= 1), 3:N VCS ids. Response (Table 7-31): 0 N, 1:3 rsvd,
 * 4: N VCS information blocks (Table 7-32): 0 VCS id, 1 state (01h
 * enabled, FFh invalid id: nothing follows), 2 USP id, 3 number of vPPBs,
 * then min(limit, vPPBs from start) entries of 4: binding status, bound
 * port id, bound LD id (FFh unless bound to an LD), rsvd.
 * vPPB ids are the downstream vPPBs 0..n-1 (vPPB i starts bound to the
 * i-th DSP). A vPPB being bound or unbound shows status 01h with the port
 * and LD the operation is about. A response over the message limit is
 * Invalid Input.
 */
static uint16_t cmd_sw_get_vcs_info(struct cci *cci, const struct cci_cmd *cmd,
				    struct cci_call *call)
{
	struct sw_dev *sw = ep_of(cci)->sw;
	uint8_t start, limit, nvcs;
	size_t len = SW_VCS_INFO_HDR;
	uint8_t *o;

	(void)cmd;
	if (call->in_len < 3)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	start = call->in[0];
	limit = call->in[1];
	nvcs = call->in[2];
	if (call->in_len != 3u + nvcs)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	if (limit == 0 || nvcs == 0)
		return CXL_RC_INVALID_INPUT;
	for (size_t i = 0; i < nvcs; i++) {
		len += SW_VCS_BLOCK_HDR;
		if (call->in[3 + i] == 0)
			len += SW_VPPB_ENTRY_LEN * vcs_entries(sw, start, limit);
	}
	if (len > call->out_max)
		return CXL_RC_INVALID_INPUT;
	sw_tick(sw);

	call->out[0] = nvcs;
	o = call->out + SW_VCS_INFO_HDR;
	for (size_t i = 0; i < nvcs; i++) {
		uint8_t id = call->in[3 + i];
		size_t cnt;

		o[0] = id;
		if (id != 0) {
			o[1] = SW_VCS_INVALID;
			o += SW_VCS_BLOCK_HDR;
			continue;
		}
		o[1] = SW_VCS_ENABLED;
		o[2] = sw->ports[0].id;
		o[3] = (uint8_t)sw->nvppb;
		o += SW_VCS_BLOCK_HDR;
		cnt = vcs_entries(sw, start, limit);
		for (size_t e = 0; e < cnt; e++, o += SW_VPPB_ENTRY_LEN) {
			const struct sw_vppb *v = &sw->vppbs[start + e];

			o[0] = v->status;
			o[1] = v->port == SW_NO_PORT ? (uint8_t)SW_NO_PORT : sw->ports[v->port].id;
			o[2] = (uint8_t)(v->ld == SW_LD_NONE ? 0xffu : v->ld);
		}
	}
	call->out_len = (size_t)(o - call->out);
	return CXL_RC_SUCCESS;
}

/* Is (port, ld) bound to a vPPB or being bound? For a non-MLD port any
 * binding of the port counts. */
static bool port_taken(const struct sw_dev *sw, const struct sw_port *p, uint16_t ld)
{
	for (unsigned v = 0; v < sw->nvppb; v++) {
		const struct sw_vppb *b = &sw->vppbs[v];

		if (b->status == SW_VPPB_UNBOUND || b->port != port_index(sw, p))
			continue;
		if (p->dev_type != SW_DEV_CXL_TYPE3_MLD || b->ld == ld ||
		    b->ld == SW_LD_NONE)
			return true;
	}
	return false;
}

/*
 * CXL r3.1 §7.6.7.2.2 Bind vPPB (Opcode 5201h), Table 7-33: 0 VCS id,
 * 1 vPPB id, 2 physical port id, 3 rsvd, 4:2 LD id (the LD of an MLD
 * port, else FFFFh). A background operation: Background Command Started,
 * the binding is visible once it completes (vPPB status 01h meanwhile).
 * Invalid Input for: VCS other than 0, vPPB out of range or not unbound,
 * a port that is not a DSP, an LD id that does not fit the port's device,
 * or a port (an MLD's LD) already bound or being bound.
 */
static uint16_t cmd_sw_bind_vppb(struct cci *cci, const struct cci_cmd *cmd,
				 struct cci_call *call)
{
	struct sw_ep *ep = ep_of(cci);
	struct sw_dev *sw = ep->sw;
	uint8_t vcs = call->in[0], vppb = call->in[1], port_id = call->in[2];
	uint16_t ld = le16_get(call->in + 4);
	struct sw_port *p;
	struct sw_vppb *v;

	sw_tick(sw);
	if (vcs != 0 || vppb >= sw->nvppb) {
		log_dbg("sw %s bind: no vcs %u vppb %u", sw->id, vcs, vppb);
		return CXL_RC_INVALID_INPUT;
	}
	v = &sw->vppbs[vppb];
	if (v->status != SW_VPPB_UNBOUND) {
		log_dbg("sw %s bind: vppb %u not unbound (%u)", sw->id, vppb, v->status);
		return CXL_RC_INVALID_INPUT;
	}
	p = dsp_find(sw, port_id);
	if (!p) {
		log_dbg("sw %s bind: port %u is not a downstream port", sw->id, port_id);
		return CXL_RC_INVALID_INPUT;
	}
	if (p->dev_type == SW_DEV_CXL_TYPE3_MLD ? ld >= p->ld_count : ld != SW_LD_NONE) {
		log_dbg("sw %s bind: ld 0x%04x does not fit port %u", sw->id, ld, port_id);
		return CXL_RC_INVALID_INPUT;
	}
	if (port_taken(sw, p, ld)) {
		log_dbg("sw %s bind: port %u ld 0x%04x already bound", sw->id, port_id, ld);
		return CXL_RC_INVALID_INPUT;
	}
	*v = (struct sw_vppb){
		.status = SW_VPPB_IN_PROGRESS, .port = port_index(sw, p), .ld = ld,
		.pending = SW_OP_BIND,
	};
	ep->vppb = vppb;
	cci_bg_start(cci, cmd->info->opcode, sw->bind_ns, false, sw_bg_done, ep);
	log_info("sw %s vcs 0 vppb %u: binding port %u ld 0x%04x (%s)", sw->id,
		 vppb, port_id, ld, cci->name);
	return CXL_RC_BG_STARTED;
}

/*
 * CXL r3.1 §7.6.7.2.3 Unbind vPPB (Opcode 5202h), Table 7-34: 0 VCS id,
 * 1 vPPB id, 2 bits[3:0] unbind option (0 wait for link down, 1 managed
 * hot-remove, 2 surprise hot-remove). A background operation. There is no
 * host to notify here, so the three options behave alike. Invalid Input
 * for: VCS other than 0, vPPB out of range, a reserved option, a vPPB
 * that is not bound (unbound, or a bind/unbind in progress).
 */
static uint16_t cmd_sw_unbind_vppb(struct cci *cci, const struct cci_cmd *cmd,
				   struct cci_call *call)
{
	struct sw_ep *ep = ep_of(cci);
	struct sw_dev *sw = ep->sw;
	uint8_t vcs = call->in[0], vppb = call->in[1], option = call->in[2] & 0x0f;
	struct sw_vppb *v;

	sw_tick(sw);
	if (vcs != 0 || vppb >= sw->nvppb || option > 2) {
		log_dbg("sw %s unbind: vcs %u vppb %u option %u", sw->id, vcs, vppb, option);
		return CXL_RC_INVALID_INPUT;
	}
	v = &sw->vppbs[vppb];
	if (v->status != SW_VPPB_BOUND_PORT && v->status != SW_VPPB_BOUND_LD) {
		log_dbg("sw %s unbind: vppb %u not bound (%u)", sw->id, vppb, v->status);
		return CXL_RC_INVALID_INPUT;
	}
	v->status = SW_VPPB_IN_PROGRESS;
	v->pending = SW_OP_UNBIND;
	ep->vppb = vppb;
	cci_bg_start(cci, cmd->info->opcode, sw->bind_ns, false, sw_bg_done, ep);
	log_info("sw %s vcs 0 vppb %u: unbinding port %u ld 0x%04x option %u (%s)",
		 sw->id, vppb, sw->ports[v->port].id, v->ld, option, cci->name);
	return CXL_RC_BG_STARTED;
}

/* ---- MLD Port command set (53h) -------------------------------------- */

/*
 * CXL r3.1 §7.6.7.3.1 Tunnel Management Command (Opcode 5300h), Tables
 * 7-37/7-38. On a switch the id is the egress (downstream) port: the
 * message goes to the FM-owned LD CCI of the type-3 device below it (an
 * MLD routes further to its LDs inside its own tunnel). A port that is
 * not a DSP, has no device, or whose device is not a type-3 with an
 * FM-owned LD CCI is Invalid Input, as QEMU.
 */
static uint16_t cmd_sw_tunnel(struct cci *cci, const struct cci_cmd *cmd,
			      struct cci_call *call)
{
	struct sw_dev *sw = ep_of(cci)->sw;
	struct cci_tunnel_req req;
	struct sw_port *p;
	uint16_t rc;

	(void)cmd;
	rc = cci_tunnel_parse(call, &req);
	if (rc != CXL_RC_SUCCESS)
		return rc;
	p = dsp_find(sw, req.id);
	if (!p || !p->fm_cci || !dev_is_type3(p->dev_type)) {
		log_dbg("sw %s tunnel: no type-3 device below port %u", sw->id, req.id);
		return CXL_RC_INVALID_INPUT;
	}
	return cci_tunnel_run(p->fm_cci, &req, call);
}

/* ---- the command set -------------------------------------------------- */

static const struct cci_cmd sw_cmds[] = {
	CCI_CMDS_GENERIC,
	CCI_CMD(IDENTIFY_SWITCH_DEVICE, cmd_sw_identify_switch_device),
	CCI_CMD(GET_PHYS_PORT_STATE, cmd_sw_get_phys_port_state),
	CCI_CMD(PHYS_PORT_CONTROL, cmd_sw_phys_port_control),
	CCI_CMD(GET_VCS_INFO, cmd_sw_get_vcs_info),
	CCI_CMD(BIND_VPPB, cmd_sw_bind_vppb),
	CCI_CMD(UNBIND_VPPB, cmd_sw_unbind_vppb),
	CCI_CMD(TUNNEL_MGMT, cmd_sw_tunnel),
};
/* 5103h, 5301h and 5302h are sw_cxlio.c's set. */
static const struct cci_cmd_set sw_cmd_set = CCI_SET("switch", CXLFM_CCI_SW, sw_cmds);

/* ---- lifecycle -------------------------------------------------------- */

static char *str_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb + 1);
	return s;
}

static int ep_init(struct sw_dev *sw, struct sw_ep *ep, const char *suffix,
		   uint8_t ingress, size_t max, size_t cap)
{
	int rc;

	ep->sw = sw;
	ep->ingress_port = ingress;
	ep->name = str_join(sw->id, suffix);
	if (!ep->name)
		return -ENOMEM;
	rc = cci_init(&ep->cci, ep->name, ep, &sw->ident, &sw->ts, sw->clock, max, cap);
	if (!rc)
		rc = cci_add_set(&ep->cci, &sw_cmd_set);
	if (!rc)
		rc = cci_add_set(&ep->cci, &cci_logs_set_sw);
	if (!rc)
		rc = cci_add_set(&ep->cci, ep == &sw->mbox ? &sw_ev_mbox_set : &sw_ev_mctp_set);
	if (!rc)
		rc = cci_add_set(&ep->cci, ep == &sw->mbox ? &sw_dv_mbox_set : &sw_dv_mctp_set);
	return rc;
}

/* PCIe Link Capabilities Max Link Width values: x1, x2, x4, x8, x12, x16, x32. */
static bool width_ok(uint8_t w)
{
	return w == 0 || w == 1 || w == 2 || w == 4 || w == 8 || w == 12 || w == 16 ||
	       w == 32;
}

static bool port_cfg_ok(const struct sw_port_cfg *p)
{
	return width_ok(p->width) && p->speed <= SW_MAX_SPEED;
}

static int config_check(const struct sw_config *cfg, const struct cci_clock *clock)
{
	if (!cfg || !clock || !clock->now_ns || cfg->n_dsp > SW_MAX_DSP ||
	    (cfg->n_dsp && !cfg->dsps) || !port_cfg_ok(&cfg->usp))
		return -EINVAL;
	for (unsigned i = 0; i < cfg->n_dsp; i++)
		if (!port_cfg_ok(&cfg->dsps[i]))
			return -EINVAL;
	return 0;
}

static void port_setup(struct sw_port *p, const struct sw_port_cfg *c, bool usp)
{
	p->usp = usp;
	p->id = c->port;
	p->width = c->width ? c->width : (uint8_t)SW_LINK_WIDTH_X16;
	p->speed = c->speed ? c->speed : (uint8_t)(usp ? SW_USP_MAX_SPEED : SW_DSP_MAX_SPEED);
	p->flit_256b = !c->no_256b_flit;
}

int sw_create(const struct sw_config *cfg, const struct cci_clock *clock,
	      struct sw_dev **out)
{
	struct sw_dev *sw;
	int rc = config_check(cfg, clock);

	if (rc) {
		log_err("sw %s: invalid configuration", cfg && cfg->id ? cfg->id : "?");
		return rc;
	}
	sw = calloc(1, sizeof(*sw));
	if (!sw)
		return -ENOMEM;
	sw->clock = clock;
	sw->bind_ns = cfg->bind_duration_ns;
	sw->perst_hold_ns = cfg->perst_hold_ns ? cfg->perst_hold_ns : SW_PERST_HOLD_DEFAULT_NS;
	sw->dsp_ld_support = cfg->dsp_ld_support ? cfg->dsp_ld_support :
						   (uint8_t)SW_DSP_LD_SUPPORT_DEFAULT;
	sw->ident = (struct cci_ident){
		.vendor_id = cfg->vendor_id ? cfg->vendor_id : SW_DEFAULT_VENDOR_ID,
		.device_id = cfg->device_id ? cfg->device_id : SW_DEFAULT_DEVICE_ID,
		.serial = cfg->serial,
		.component_type = CCI_COMPONENT_SWITCH,
	};
	sw->nports = cfg->n_dsp + 1;
	sw->nvppb = cfg->n_dsp;
	sw->id = strdup(cfg->id ? cfg->id : "switch");
	sw->ports = calloc(sw->nports, sizeof(*sw->ports));
	sw->vppbs = calloc(sw->nvppb ? sw->nvppb : 1, sizeof(*sw->vppbs));
	if (!sw->id || !sw->ports || !sw->vppbs) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = sw_ev_init(&sw->ev, sw->id, &sw->ts, clock);
	if (rc)
		goto fail;
	memset(sw->port_idx, 0xff, sizeof(sw->port_idx));
	port_setup(&sw->ports[0], &cfg->usp, true);
	sw->port_idx[cfg->usp.port] = 0;
	/* last to first, so the first DSP with a number keeps it */
	for (unsigned i = sw->nports - 1; i > 0; i--) {
		port_setup(&sw->ports[i], &cfg->dsps[i - 1], false);
		sw->port_idx[sw->ports[i].id] = (int16_t)i;
	}
	for (unsigned v = 0; v < sw->nvppb; v++) {
		sw->vppbs[v] = (struct sw_vppb){
			.status = cfg->start_unbound ? SW_VPPB_UNBOUND : SW_VPPB_BOUND_PORT,
			.port = cfg->start_unbound ? SW_NO_PORT : (uint8_t)(v + 1),
			.ld = SW_LD_NONE,
		};
	}
	rc = ep_init(sw, &sw->mbox, ":switch_mailbox_cci", cfg->usp.port,
		     SW_MBOX_PAYLOAD_MAX, SW_MBOX_PAYLOAD_MAX);
	if (!rc)
		rc = ep_init(sw, &sw->mctp, ":mctp_cci", 0, SW_MCTP_PAYLOAD_MAX,
			     SW_MCTP_PAYLOAD_CAP);
	/* CXL.io over MCTP only: CXL r3.2 Table 8-397 prohibits 5103h, 5301h
	 * and 5302h on a switch's host mailbox (the switch mailbox CCI). */
	if (!rc)
		rc = cci_add_set(&sw->mctp.cci, &sw_cxlio_set);
	if (!rc)
		rc = sw_cxlio_new(sw, &sw->cxlio);
	if (rc)
		goto fail;
	log_info("sw %s: usp port %u, %u downstream ports, vppbs %s", sw->id,
		 cfg->usp.port, cfg->n_dsp, cfg->start_unbound ? "unbound" : "bound");
	*out = sw;
	return 0;
fail:
	sw_destroy(sw);
	return rc;
}

void sw_destroy(struct sw_dev *sw)
{
	if (!sw)
		return;
	sw_cxlio_free(sw->cxlio);
	if (sw->ports)
		for (unsigned i = 0; i < sw->nports; i++)
			free(sw->ports[i].dev_id);
	free(sw->ports);
	free(sw->vppbs);
	sw_ev_fini(&sw->ev);
	free(sw->mbox.name);
	free(sw->mctp.name);
	free(sw->id);
	free(sw);
}

static struct sw_port *dsp_at(struct sw_dev *sw, unsigned dsp)
{
	return dsp + 1 < sw->nports ? &sw->ports[dsp + 1] : NULL;
}

int sw_attach(struct sw_dev *sw, unsigned dsp, const struct sw_attached *dev)
{
	struct sw_port *p = dsp_at(sw, dsp);
	bool mld;
	char *id = NULL;

	if (!p)
		return -ENOENT;
	if (!dev || dev->dev_type == SW_DEV_NONE || dev->dev_type > SW_DEV_PBR)
		return -EINVAL;
	mld = dev->dev_type == SW_DEV_CXL_TYPE3_MLD;
	if (mld && (dev->ld_count == 0 || dev->ld_count > SW_MLD_MAX_LD))
		return -EINVAL;
	if (p->dev_type != SW_DEV_NONE)
		return -EEXIST;
	for (unsigned v = 0; v < sw->nvppb; v++) {
		const struct sw_vppb *b = &sw->vppbs[v];

		if (b->status == SW_VPPB_UNBOUND || b->port != port_index(sw, p))
			continue;
		if (b->status == SW_VPPB_IN_PROGRESS)
			return -EBUSY;
		if (b->ld != SW_LD_NONE && (!mld || b->ld >= dev->ld_count))
			return -EBUSY;
	}
	if (dev->id) {
		id = strdup(dev->id);
		if (!id)
			return -ENOMEM;
	}
	p->fm_cci = dev->fm_cci;
	p->dev_type = dev->dev_type;
	p->ld_count = mld ? dev->ld_count : 1;
	p->dev_id = id;
	p->dev_width = dev->width ? dev->width : p->width;
	p->dev_speed = dev->speed ? dev->speed : p->speed;
	p->dev_flit_256b = dev->flit_256b;
	p->ld_ops = dev->ld_ops;
	p->ld_arg = dev->ld_arg;
	/* The host saw the whole port; an MLD shows it its LD 0. */
	for (unsigned v = 0; mld && v < sw->nvppb; v++) {
		struct sw_vppb *b = &sw->vppbs[v];

		if (b->status == SW_VPPB_BOUND_PORT && b->port == port_index(sw, p)) {
			b->status = SW_VPPB_BOUND_LD;
			b->ld = 0;
		}
	}
	log_info("sw %s port %u: attached %s (type 0x%02x, %u LDs)", sw->id,
		 p->id, id ? id : "device", dev->dev_type, p->ld_count);
	sw_cxlio_changed(sw, port_index(sw, p), dev->hot_plug);
	return 0;
}

int sw_detach(struct sw_dev *sw, unsigned dsp)
{
	struct sw_port *p = dsp_at(sw, dsp);

	if (!p)
		return -ENOENT;
	if (p->dev_type == SW_DEV_NONE)
		return -ENODEV;
	log_info("sw %s port %u: detached %s", sw->id, p->id,
		 p->dev_id ? p->dev_id : "device");
	free(p->dev_id);
	p->dev_id = NULL;
	p->fm_cci = NULL;
	p->dev_type = SW_DEV_NONE;
	p->ld_count = 0;
	p->ld_ops = NULL;
	p->ld_arg = NULL;
	sw_cxlio_changed(sw, port_index(sw, p), true);
	ev_port(sw, p, REC_PHYS_SW_SLOT_STATUS); /* a hot-remove: §7.6.6.7 */
	return 0;
}

int sw_hot_add(struct sw_dev *sw, unsigned dsp, const struct sw_attached *dev)
{
	int rc = sw_attach(sw, dsp, dev);

	if (!rc)
		ev_port(sw, dsp_at(sw, dsp), REC_PHYS_SW_SLOT_STATUS); /* §7.6.6.7 */
	return rc;
}

int sw_mld_port_error(struct sw_dev *sw, unsigned dsp, uint8_t type)
{
	/* PCIe message codes ERR_COR, ERR_NONFATAL, ERR_FATAL (PCIe r6 §2.2.8.3) */
	static const uint8_t code[3] = { 0x30, 0x31, 0x33 };
	struct sw_port *p = dsp_at(sw, dsp);
	struct rec_mld_port_event r;

	if (!p)
		return -ENOENT;
	if (p->dev_type != SW_DEV_CXL_TYPE3_MLD || type > 2)
		return -EINVAL;
	/* the first 8 bytes of the message TLP: Fmt/Type 30h (4 DW, no data,
	 * routed to the Root Complex), requester 0000h (no bus numbers here),
	 * tag 0, the message code */
	r = (struct rec_mld_port_event){ .type = type, .port_id = p->id,
					 .msg = { 0x30, 0, 0, 0, 0, 0, 0, code[type] } };
	sw_ev_mld_port(&sw->ev, &r);
	log_info("sw %s port %u: %s from the MLD", sw->id, p->id,
		 type == 0 ? "ERR_COR" : type == 1 ? "ERR_NONFATAL" : "ERR_FATAL");
	return 0;
}

struct cci *sw_mbox_cci(struct sw_dev *sw)
{
	return &sw->mbox.cci;
}

struct cci *sw_mctp_cci(struct sw_dev *sw)
{
	return &sw->mctp.cci;
}

const char *sw_id(const struct sw_dev *sw)
{
	return sw->id;
}

uint8_t sw_usp_port(const struct sw_dev *sw)
{
	return sw->ports[0].id;
}

unsigned sw_port_count(const struct sw_dev *sw)
{
	return sw->nports;
}

int sw_port_get(const struct sw_dev *sw, unsigned idx, struct sw_port_info *out)
{
	if (idx >= sw->nports)
		return -ENOENT;
	port_info(sw, &sw->ports[idx], out);
	return 0;
}

unsigned sw_vppb_count(const struct sw_dev *sw)
{
	return sw->nvppb;
}

int sw_vppb_get(const struct sw_dev *sw, unsigned vppb, struct sw_vppb_info *out)
{
	const struct sw_vppb *v;

	if (vppb >= sw->nvppb)
		return -ENOENT;
	v = &sw->vppbs[vppb];
	*out = (struct sw_vppb_info){
		.status = v->status,
		.port_id = v->port == SW_NO_PORT ? (uint8_t)SW_NO_PORT : sw->ports[v->port].id,
		.ld_id = v->ld,
	};
	return 0;
}

/* ---- for sw_cxlio.c (dev/sw_cxlio.h) ------------------------------------- */

struct sw_dev *sw_of_cci(struct cci *cci)
{
	return ep_of(cci)->sw;
}

struct sw_cxlio *sw_cxlio_get(const struct sw_dev *sw)
{
	return sw->cxlio;
}

int sw_port_index(const struct sw_dev *sw, uint8_t port_id)
{
	int16_t i = sw->port_idx[port_id];

	return i < 0 ? -ENOENT : i;
}

uint8_t sw_port_binding(const struct sw_dev *sw, unsigned idx, uint16_t ld)
{
	uint8_t st = SW_VPPB_UNBOUND;

	for (unsigned v = 0; v < sw->nvppb; v++) {
		const struct sw_vppb *b = &sw->vppbs[v];

		if (b->status == SW_VPPB_UNBOUND || b->port != idx ||
		    (ld != SW_LD_NONE && b->ld != ld))
			continue;
		if (b->status == SW_VPPB_IN_PROGRESS)
			return SW_VPPB_IN_PROGRESS;
		st = b->status;
	}
	return st;
}

int sw_port_ld_ops(const struct sw_dev *sw, unsigned idx, const struct sw_ld_ops **ops,
		   void **arg)
{
	if (idx >= sw->nports || !sw->ports[idx].ld_ops)
		return -ENODEV;
	*ops = sw->ports[idx].ld_ops;
	*arg = sw->ports[idx].ld_arg;
	return 0;
}

void sw_port_set_link_disable(struct sw_dev *sw, unsigned idx, bool on)
{
	struct sw_port *p = &sw->ports[idx];

	if (p->link_disabled == on)
		return;
	p->link_disabled = on;
	log_info("sw %s port %u: link %s (PPB Link Disable)", sw->id, p->id,
		 on ? "disabled" : "enabled");
	sw_cxlio_changed(sw, idx, true);
}
