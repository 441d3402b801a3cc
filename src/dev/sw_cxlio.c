/* SPDX-License-Identifier: MIT */
/*
 * CXL.io through the switch: the PPB configuration space of every downstream
 * port and the FM API commands that reach configuration and memory space
 * (CXL r3.1 §7.6.7.1.4 Send PPB CXL.io Configuration Request, §7.6.7.3.2
 * Send LD CXL.io Configuration Request, §7.6.7.3.3 Send LD CXL.io Memory
 * Request). QEMU implements none of the three.
 *
 * A downstream port's PPB is a type 1 function laid out as QEMU's
 * cxl-downstream (hw/pci-bridge/cxl_downstream.c): IDs 19E5h:A129h, class
 * 060400h, BAR0/1 the 64 KiB component register block, the PCI Express
 * Capability at 90h (Downstream Port, slot implemented) and from 100h the
 * DVSECs a CXL switch DSP has (CXL r3.1 Table 8-2: 3, 7, 4, 8 in QEMU's
 * order): CXL Extensions DVSEC for Ports, Flex Bus Port, GPF for CXL Port,
 * Register Locator. Write masks are QEMU's (pci_bridge_initfn,
 * pcie_cap_init, cxl_component_create_dvsec()). QEMU's MSI and AER
 * capabilities are not modelled (the DVSECs start at 100h, QEMU's at 148h).
 * What the port's state decides is refreshed before every access:
 *   Link Capabilities   x-speed / x-width, the port number
 *   Link Status         current speed and negotiated width, Data Link
 *                       Layer Link Active while the link is up (not in
 *                       PERST#, not disabled, a device below)
 *   Link Status 2       Flit Mode Status when the link runs 256B flits
 *   Slot Status         Presence Detect State (a device below); Presence
 *                       Detect Changed and Data Link Layer State Changed
 *                       latch every change until software writes 1
 *   Flex Bus Port status what the link trained to: IO, Mem (type 3),
 *                       Cache (type 1/2), 68B flit and VH, MLD
 * and Link Control's Link Disable takes the port's link down (Get Physical
 * Port State then shows LTSSM Disabled). Reset PPB (5102h) returns the PPB
 * to these reset values. The host's vPPBs (sw_vppb_cfg()) are laid out the
 * same way.
 */
#include "dev/sw_cxlio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dev/pcicfg.h"
#include "proto/le.h"
#include "util/log.h"

#define DSP_VENDOR_ID 0x19e5 /* QEMU's cxl-downstream: Huawei */
#define DSP_DEVICE_ID 0xa129

#define OFF_EXP 0x90u
#define OFF_DVSEC 0x100u
#define LEN_PORT_EXT 0x28u
#define LEN_FLEXBUS 0x20u
#define LEN_GPF 0x10u
#define LEN_REG_LOC 0x24u
#define COMPONENT_BAR_SIZE 0x10000u

/* Flex Bus Port DVSEC capability / control / status bits (CXL r3.1 §8.1.8). */
#define FB_CAP 0x0a
#define FB_CTRL 0x0c
#define FB_STATUS 0x0e
#define FB_CACHE 0x01u
#define FB_IO 0x02u
#define FB_MEM 0x04u
#define FB_68B_VH 0x20u
#define FB_MLD 0x40u
#define FB_DSP_CAPS (FB_CACHE | FB_IO | FB_MEM | FB_68B_VH | FB_MLD)

/* The three bytes at 01h of 5103h / 5301h (Tables 7-21, 7-39) and 5302h
 * (Table 7-41). */
#define REQ_REG(f) ((f) & 0xffu)
#define REQ_EXT_REG(f) (((f) >> 8) & 0xfu)
#define REQ_FIRST_BE(f) ((uint8_t)(((f) >> 12) & 0xfu))
#define REQ_LAST_BE(f) ((uint8_t)(((f) >> 16) & 0xfu))
#define REQ_WRITE(f) (((f) >> 23) & 1u)

#define MEM_REQ_HDR 16u      /* Table 7-41: Transaction Data at 10h */
#define MEM_RSP_HDR 4u       /* Table 7-42: Return Data at 4h */
#define MEM_REQ_MAX 0x1000u  /* "up to a maximum of 4 KB" */

struct sw_ppb {
	struct pcicfg cfg;
	bool up, present;    /* as last latched into Slot Status */
};

struct sw_cxlio {
	unsigned nports;
	struct sw_ppb *ppb;  /* by port index; [0] (the USP) stays unused */
	unsigned nvppb;
	struct sw_ppb *vppb; /* a vPPB's own space (unbound, or bound to an LD) */
};

/* ---- the PPB of a downstream port ------------------------------------------ */

static void build_ppb(struct pcicfg *c)
{
	unsigned e, d, off = OFF_DVSEC;

	pcicfg_init(c);
	pcicfg_set16(c, PCI_VENDOR_ID, DSP_VENDOR_ID);
	pcicfg_set16(c, PCI_DEVICE_ID, DSP_DEVICE_ID);
	pcicfg_wmask16(c, PCI_COMMAND, PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER |
				       PCI_CMD_PARITY | PCI_CMD_SERR | PCI_CMD_INTX_DISABLE);
	pcicfg_w1c16(c, PCI_STATUS, PCI_STATUS_W1C);
	pcicfg_set32(c, PCI_REVISION, 0x06040000u); /* PCI-to-PCI bridge, rev 0 */
	pcicfg_wmask16(c, PCI_CACHE_LINE, 0x00ff);
	pcicfg_set8(c, PCI_HEADER_TYPE, 0x01);
	pcicfg_bar64(c, 0, COMPONENT_BAR_SIZE, false);
	/* Bus numbers, windows (PCIe r6.0 §7.5.1.3): I/O 16-bit, prefetchable 64-bit. */
	pcicfg_wmask32(c, PCI_PRIMARY_BUS, 0x00ffffffu);
	pcicfg_wmask16(c, PCI_IO_BASE, 0xf0f0);
	pcicfg_w1c16(c, PCI_SEC_STATUS, PCI_STATUS_W1C);
	pcicfg_wmask32(c, PCI_MEM_BASE, 0xfff0fff0u);
	pcicfg_set32(c, PCI_PREF_BASE, 0x00010001u);
	pcicfg_wmask32(c, PCI_PREF_BASE, 0xfff0fff0u);
	pcicfg_wmask32(c, PCI_PREF_BASE_UPPER, 0xffffffffu);
	pcicfg_wmask32(c, PCI_PREF_LIMIT_UPPER, 0xffffffffu);
	pcicfg_wmask16(c, PCI_INT_LINE, 0x00ff);
	pcicfg_wmask16(c, PCI_BRIDGE_CONTROL, 0x005f); /* parity, SERR, ISA, VGA, VGA16, SBR */

	e = pcicfg_add_cap(c, OFF_EXP, PCI_CAP_ID_EXP);
	pcicfg_set16(c, e + PCI_EXP_FLAGS,
		     0x0002 | PCI_EXP_TYPE_DOWNSTREAM << 4 | PCI_EXP_FLAGS_SLOT);
	pcicfg_set32(c, e + PCI_EXP_DEVCAP, 0x00008001u); /* MPS 256 B, role-based errors */
	pcicfg_set16(c, e + PCI_EXP_DEVCTL, 0x2810);
	pcicfg_wmask16(c, e + PCI_EXP_DEVCTL, 0x79ff);
	pcicfg_w1c16(c, e + PCI_EXP_DEVSTA, 0x000f);
	/* ASPM, Link Disable, Retrain, CCC, ext sync, bandwidth interrupt enables */
	pcicfg_wmask16(c, e + PCI_EXP_LNKCTL, 0x0cf3);
	pcicfg_w1c16(c, e + PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_W1C);
	pcicfg_wmask16(c, e + PCI_EXP_SLTCTL, 0x1fff);
	pcicfg_w1c16(c, e + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_W1C);
	pcicfg_wmask16(c, e + PCI_EXP_LNKCTL2, 0x000f); /* Target Link Speed */

	d = pcicfg_add_dvsec(c, off, CXL_DVSEC_PORT_EXT, 0, LEN_PORT_EXT);
	pcicfg_wmask16(c, d + 0x0c, 0x400f);       /* Port Control Extensions */
	pcicfg_wmask16(c, d + 0x0e, 0xffff);       /* Alt Bus Base / Limit */
	pcicfg_wmask32(c, d + 0x10, 0xfff0fff0u);  /* Alt Memory Base / Limit */
	pcicfg_wmask32(c, d + 0x14, 0xfff0fff0u);  /* Alt Prefetchable Base / Limit */
	pcicfg_wmask32(c, d + 0x18, 0xffffffffu);
	pcicfg_wmask32(c, d + 0x1c, 0xffffffffu);
	off += LEN_PORT_EXT;

	d = pcicfg_add_dvsec(c, off, CXL_DVSEC_FLEXBUS, 2, LEN_FLEXBUS);
	pcicfg_set16(c, d + FB_CAP, FB_DSP_CAPS);
	pcicfg_set16(c, d + FB_CTRL, FB_DSP_CAPS);
	pcicfg_wmask16(c, d + FB_CTRL, 0x00fd);
	off += LEN_FLEXBUS;

	d = pcicfg_add_dvsec(c, off, CXL_DVSEC_PORT_GPF, 0, LEN_GPF);
	pcicfg_set32(c, d + 0x0c, 0x00010001u);    /* phase 1 / 2 timeout 1 us, as QEMU */
	pcicfg_wmask32(c, d + 0x0c, 0x0f0f0f0fu);
	off += LEN_GPF;

	d = pcicfg_add_dvsec(c, off, CXL_DVSEC_REG_LOC, 0, LEN_REG_LOC);
	pcicfg_set32(c, d + 0x0c, 0x0100u);        /* BAR0, component registers, offset 0 */
}

static uint16_t flexbus_status(const struct sw_port_info *pi)
{
	uint16_t st = FB_IO;

	if (!pi->link_up || pi->dev_type < SW_DEV_CXL_TYPE1 || pi->dev_type > SW_DEV_PBR)
		return 0;
	if (pi->dev_type == SW_DEV_CXL_TYPE1 || pi->dev_type == SW_DEV_CXL_TYPE2)
		st |= FB_CACHE;
	if (pi->dev_type != SW_DEV_CXL_TYPE1)
		st |= FB_MEM;
	if (!pi->flit_256b)
		st |= FB_68B_VH;
	if (pi->dev_type == SW_DEV_CXL_TYPE3_MLD)
		st |= FB_MLD;
	return st;
}

void sw_cxlio_changed(struct sw_dev *sw, unsigned idx, bool latch)
{
	struct sw_cxlio *x = sw ? sw_cxlio_get(sw) : NULL;
	const struct sw_ld_ops *ops;
	struct sw_port_info pi;
	struct sw_ppb *b;
	bool present;
	void *arg;

	if (!x || idx == 0 || idx >= x->nports || sw_port_get(sw, idx, &pi))
		return;
	b = &x->ppb[idx];
	present = pi.dev_type != SW_DEV_NONE;
	if (latch && b->up != pi.link_up)
		pcicfg_bits16(&b->cfg, OFF_EXP + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_DLLSC, true);
	if (latch && b->present != present)
		pcicfg_bits16(&b->cfg, OFF_EXP + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDC, true);
	b->up = pi.link_up;
	b->present = present;
	/* a device there at power-on: the vPPBs bound to the port boot with it */
	for (unsigned v = 0; !latch && v < x->nvppb; v++) {
		struct sw_vppb_info vi;

		if (sw_vppb_get(sw, v, &vi) || vi.status < SW_VPPB_BOUND_PORT ||
		    sw_port_index(sw, vi.port_id) != (int)idx)
			continue;
		x->vppb[v].up = pi.link_up;
		x->vppb[v].present = present;
	}
	if (!sw_port_ld_ops(sw, idx, &ops, &arg) && ops->link)
		ops->link(arg, pi.link_up, pi.current_link_speed, pi.negotiated_link_width,
			  pi.flit_256b);
}

/*
 * A downstream port's link and slot as software sees them in c: the
 * capabilities of port caps, the link of port link when up (flit mode, Flex
 * Bus status), Presence Detect State present. Latched and RW1C bits stay.
 */
static void put_port_state(struct pcicfg *c, const struct sw_port_info *caps,
			   const struct sw_port_info *link, bool up, bool present)
{
	pcicfg_set32(c, OFF_EXP + PCI_EXP_LNKCAP,
		     (uint32_t)caps->max_link_speed | (uint32_t)caps->max_link_width << 4 |
		     PCI_EXP_LNKCAP_DLLLARC | (uint32_t)caps->port_id << 24);
	pcicfg_set16(c, OFF_EXP + PCI_EXP_LNKSTA,
		     (uint16_t)((pcicfg_get16(c, OFF_EXP + PCI_EXP_LNKSTA) & PCI_EXP_LNKSTA_W1C) |
				(up ? link->current_link_speed |
				      link->negotiated_link_width << 4 | PCI_EXP_LNKSTA_DLLLA : 0)));
	/* Slot Capabilities: hot-plug capable, physical slot number = port number */
	pcicfg_set32(c, OFF_EXP + PCI_EXP_SLTCAP,
		     PCI_EXP_SLTCAP_HPC | (uint32_t)caps->port_id << 19);
	pcicfg_bits16(c, OFF_EXP + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDS, present);
	pcicfg_set32(c, OFF_EXP + PCI_EXP_LNKCAP2, ((1u << caps->max_link_speed) - 1u) << 1);
	if (!(pcicfg_get16(c, OFF_EXP + PCI_EXP_LNKCTL2) & 0xf))
		pcicfg_set16(c, OFF_EXP + PCI_EXP_LNKCTL2, caps->max_link_speed);
	pcicfg_set16(c, OFF_EXP + PCI_EXP_LNKSTA2,
		     up && link->flit_256b ? PCI_EXP_LNKSTA2_FLIT : 0);
	pcicfg_set16(c, pcicfg_find_dvsec(c, CXL_DVSEC_FLEXBUS) + FB_STATUS,
		     up ? flexbus_status(link) : 0);
}

/* Write what the port's state decides into its PPB. */
static void refresh(struct sw_dev *sw, unsigned idx)
{
	struct pcicfg *c = &sw_cxlio_get(sw)->ppb[idx].cfg;
	struct sw_port_info pi;

	sw_cxlio_changed(sw, idx, true);
	sw_port_get(sw, idx, &pi);
	put_port_state(c, &pi, &pi, pi.link_up, pi.dev_type != SW_DEV_NONE);
	pcicfg_bits16(c, OFF_EXP + PCI_EXP_LNKCTL, PCI_EXP_LNKCTL_LD, pi.link_disabled);
}

/* After a configuration write: Link Control. */
static void after_write(struct sw_dev *sw, unsigned idx)
{
	struct pcicfg *c = &sw_cxlio_get(sw)->ppb[idx].cfg;
	uint16_t lc = pcicfg_get16(c, OFF_EXP + PCI_EXP_LNKCTL);

	/* Retrain Link always reads 0 (PCIe r6.0 §7.5.3.7); the link is trained. */
	pcicfg_bits16(c, OFF_EXP + PCI_EXP_LNKCTL, PCI_EXP_LNKCTL_RL, false);
	sw_port_set_link_disable(sw, idx, (lc & PCI_EXP_LNKCTL_LD) != 0);
}

/* The PPB at its reset values, latches starting from the port's state now. */
static void ppb_reset(struct sw_dev *sw, struct sw_ppb *b, unsigned idx)
{
	struct sw_port_info pi;

	build_ppb(&b->cfg);
	sw_port_get(sw, idx, &pi);
	b->up = pi.link_up;
	b->present = pi.dev_type != SW_DEV_NONE;
}

void sw_cxlio_reset(struct sw_dev *sw, unsigned idx)
{
	struct sw_cxlio *x = sw_cxlio_get(sw);

	if (!x || idx == 0 || idx >= x->nports)
		return;
	ppb_reset(sw, &x->ppb[idx], idx);
	sw_port_set_link_disable(sw, idx, false); /* Link Disable's reset value is 0 */
}

int sw_cxlio_new(struct sw_dev *sw, struct sw_cxlio **out)
{
	struct sw_cxlio *x = calloc(1, sizeof(*x));

	if (!x)
		return -ENOMEM;
	x->nports = sw_port_count(sw);
	x->ppb = calloc(x->nports, sizeof(*x->ppb));
	if (!x->ppb) {
		free(x);
		return -ENOMEM;
	}
	for (unsigned i = 1; i < x->nports; i++)
		ppb_reset(sw, &x->ppb[i], i);
	x->nvppb = sw_vppb_count(sw);
	x->vppb = calloc(x->nvppb ? x->nvppb : 1, sizeof(*x->vppb));
	if (!x->vppb) {
		sw_cxlio_free(x);
		return -ENOMEM;
	}
	for (unsigned v = 0; v < x->nvppb; v++)
		build_ppb(&x->vppb[v].cfg);
	*out = x;
	return 0;
}

void sw_cxlio_free(struct sw_cxlio *x)
{
	if (!x)
		return;
	free(x->ppb);
	free(x->vppb);
	free(x);
}

/* ---- the host's view: vPPBs ------------------------------------------------- */

/*
 * A vPPB's own configuration space, as its host sees it while no physical
 * port is bound to it: unbound (or a bind / unbind running), "as if it is in
 * a Link Down state with no Presence Detect indication" (CXL r3.1 §7.2.3.1);
 * bound to an LD of an MLD port, present, its link the MLD port's (the
 * host's Link Disable has no effect on a link other hosts share, §7.2.3.2).
 * Link Capabilities are those of the downstream port the vPPB starts with
 * (vPPB v and the v-th DSP, as QEMU's fixed topology pairs them).
 * What the host last saw of the vPPB is kept whichever space served it: a
 * bind or unbind that changes presence or the link latches Presence Detect
 * Changed and Data Link Layer State Changed in the space the host sees next,
 * its hot-plug indication. Devices there at power-on (sw_attach() not
 * hot_plug) are what the host boots with.
 */
static void vppb_latch(struct sw_ppb *host_view, struct pcicfg *c, bool up, bool present)
{
	if (host_view->up != up)
		pcicfg_bits16(c, OFF_EXP + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_DLLSC, true);
	if (host_view->present != present)
		pcicfg_bits16(c, OFF_EXP + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDC, true);
	host_view->up = up;
	host_view->present = present;
}

static void refresh_vppb(struct sw_dev *sw, unsigned v)
{
	struct sw_ppb *b = &sw_cxlio_get(sw)->vppb[v];
	struct pcicfg *c = &b->cfg;
	struct sw_port_info home, pi = { 0 };
	struct sw_vppb_info vi;
	bool up = false, present = false;
	int idx;

	sw_vppb_get(sw, v, &vi);
	sw_port_get(sw, v + 1, &home);
	if (vi.status == SW_VPPB_BOUND_LD && (idx = sw_port_index(sw, vi.port_id)) >= 0 &&
	    !sw_port_get(sw, (unsigned)idx, &pi)) {
		present = true;
		up = pi.link_up;
	}
	vppb_latch(b, c, up, present);
	put_port_state(c, &home, &pi, up, present);
	pcicfg_bits16(c, OFF_EXP + PCI_EXP_LNKCTL, PCI_EXP_LNKCTL_RL, false);
}

int sw_vppb_cfg(struct sw_dev *sw, unsigned vppb, unsigned off, uint8_t be, bool write,
		uint32_t *val)
{
	struct sw_cxlio *x = sw_cxlio_get(sw);
	struct sw_vppb_info vi;
	struct pcicfg *c;
	int idx = -1;

	if (vppb >= x->nvppb)
		return -ENOENT;
	if (off >= PCICFG_SIZE || off % 4)
		return -EINVAL;
	sw_tick(sw);
	sw_vppb_get(sw, vppb, &vi);
	if (vi.status == SW_VPPB_BOUND_PORT)
		idx = sw_port_index(sw, vi.port_id);
	if (idx > 0) {
		/* "all Physical downstream PPB functionality maps directly to the
		 * vPPB" (CXL r3.1 §7.2.1.2): the host works on the port's PPB */
		struct sw_port_info pi;

		c = &x->ppb[idx].cfg;
		refresh(sw, (unsigned)idx);
		sw_port_get(sw, (unsigned)idx, &pi);
		vppb_latch(&x->vppb[vppb], c, pi.link_up, pi.dev_type != SW_DEV_NONE);
	} else {
		c = &x->vppb[vppb].cfg;
		refresh_vppb(sw, vppb);
	}
	if (!write) {
		*val = pcicfg_read(c, off, be & 0xf);
		return 0;
	}
	if (pcicfg_write(c, off, be & 0xf, *val) && idx > 0)
		after_write(sw, (unsigned)idx);
	return 0;
}

/* ---- the commands ------------------------------------------------------------ */

/* Configuration register byte offset from the request's Register Number and
 * Extended Register Number; -1 when not dword aligned. */
static int cfg_offset(uint32_t f)
{
	unsigned off = REQ_EXT_REG(f) << 8 | REQ_REG(f);

	return off % 4 ? -1 : (int)off;
}

/*
 * CXL r3.1 §7.6.7.1.4 Send PPB CXL.io Configuration Request (Opcode 5103h).
 * Request (Table 7-21): 0 PPB ID (physical port), 1:3 bits[7:0] Register
 * Number, [11:8] Extended Register Number, [15:12] First DW Byte Enables,
 * [23] 1 = write; 4:4 write data. Response (Table 7-22): 0:4 read data
 * (zero for a write).
 * "Only processed for unbound ports and MLD ports": a DSP bound to a vPPB
 * (its configuration space is the host's) and the USP (the VCS's upstream
 * vPPB) are Invalid Input, a DSP whose bind or unbind runs is Retry
 * Required. An unknown port and a register offset that is not dword
 * aligned (its bits[1:0] set) are Invalid Input. A read returns the enabled
 * bytes (others 0).
 */
static uint16_t cmd_sw_ppb_config(struct cci *cci, const struct cci_cmd *cmd,
				  struct cci_call *call)
{
	struct sw_dev *sw = sw_of_cci(cci);
	struct sw_cxlio *x = sw_cxlio_get(sw);
	uint32_t f = le24_get(call->in + 1), val = le32_get(call->in + 4);
	int idx = sw_port_index(sw, call->in[0]), off = cfg_offset(f);
	struct sw_port_info pi;
	struct pcicfg *c;

	(void)cmd;
	sw_tick(sw);
	if (idx < 0 || off < 0) {
		log_dbg("sw %s 5103h: port %u register 0x%x", sw_id(sw), call->in[0],
			(unsigned)(f & 0xfff));
		return CXL_RC_INVALID_INPUT;
	}
	sw_port_get(sw, (unsigned)idx, &pi);
	if (pi.is_usp) {
		log_dbg("sw %s 5103h: port %u is the upstream port", sw_id(sw), pi.port_id);
		return CXL_RC_INVALID_INPUT;
	}
	if (pi.dev_type != SW_DEV_CXL_TYPE3_MLD) {
		uint8_t b = sw_port_binding(sw, (unsigned)idx, SW_LD_NONE);

		if (b == SW_VPPB_IN_PROGRESS)
			return CXL_RC_RETRY_REQUIRED;
		if (b != SW_VPPB_UNBOUND) {
			log_dbg("sw %s 5103h: port %u is bound to a vPPB", sw_id(sw), pi.port_id);
			return CXL_RC_INVALID_INPUT;
		}
	}
	c = &x->ppb[idx].cfg;
	refresh(sw, (unsigned)idx);
	if (REQ_WRITE(f)) {
		if (pcicfg_write(c, (unsigned)off, REQ_FIRST_BE(f), val))
			after_write(sw, (unsigned)idx);
		log_dbg("sw %s port %u: PPB config write 0x%03x be 0x%x = 0x%08x", sw_id(sw),
			pi.port_id, off, REQ_FIRST_BE(f), val);
		val = 0;
	} else {
		val = pcicfg_read(c, (unsigned)off, REQ_FIRST_BE(f));
	}
	le32_put(call->out, val);
	call->out_len = CXL_OUT_SEND_PPB_CXLIO_CONFIG_REQ;
	return CXL_RC_SUCCESS;
}

/*
 * The LD functions an FM may reach on port port_id, LD ld (CXL r3.1
 * §7.6.7.3.2/.3): an MLD port whose link is up; LD 0..n-1 or FFFFh (the
 * FM-owned LD) that no vPPB is bound to. Invalid Input otherwise ("shall be
 * generated if the requested LD is bound"); a bind or unbind of the LD in
 * progress is Retry Required.
 */
static uint16_t ld_target(struct sw_dev *sw, uint8_t port_id, uint16_t ld, uint16_t opcode,
			  const struct sw_ld_ops **ops, void **arg)
{
	int idx = sw_port_index(sw, port_id);
	struct sw_port_info pi;
	uint8_t b;

	if (idx < 0 || sw_port_get(sw, (unsigned)idx, &pi) ||
	    pi.dev_type != SW_DEV_CXL_TYPE3_MLD || sw_port_ld_ops(sw, (unsigned)idx, ops, arg)) {
		log_dbg("sw %s %04xh: port %u has no MLD", sw_id(sw), opcode, port_id);
		return CXL_RC_INVALID_INPUT;
	}
	if (ld != SW_LD_NONE && ld >= pi.ld_count) {
		log_dbg("sw %s %04xh: port %u has no LD 0x%04x", sw_id(sw), opcode, port_id, ld);
		return CXL_RC_INVALID_INPUT;
	}
	if (!pi.link_up) {
		log_dbg("sw %s %04xh: port %u link is down", sw_id(sw), opcode, port_id);
		return CXL_RC_INVALID_INPUT;
	}
	b = ld == SW_LD_NONE ? SW_VPPB_UNBOUND : sw_port_binding(sw, (unsigned)idx, ld);
	if (b == SW_VPPB_IN_PROGRESS)
		return CXL_RC_RETRY_REQUIRED;
	if (b != SW_VPPB_UNBOUND) {
		log_dbg("sw %s %04xh: port %u LD %u is bound", sw_id(sw), opcode, port_id, ld);
		return CXL_RC_INVALID_INPUT;
	}
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §7.6.7.3.2 Send LD CXL.io Configuration Request (Opcode 5301h).
 * Request (Table 7-39): 0 PPB ID, 1:3 as 5103h's, 4:2 LD ID, 6:2 rsvd,
 * 8:4 write data. Response (Table 7-40): 0:4 read data. The function is
 * the LD's (or the FM-owned LD's for FFFFh) of the MLD below the port;
 * which ones an FM may reach: ld_target(). A register offset that is not
 * dword aligned is Invalid Input.
 */
static uint16_t cmd_sw_ld_config(struct cci *cci, const struct cci_cmd *cmd,
				 struct cci_call *call)
{
	struct sw_dev *sw = sw_of_cci(cci);
	uint32_t f = le24_get(call->in + 1), val = le32_get(call->in + 8);
	uint16_t ld = le16_get(call->in + 4), rc;
	int off = cfg_offset(f);
	const struct sw_ld_ops *ops;
	void *arg;

	sw_tick(sw);
	if (off < 0)
		return CXL_RC_INVALID_INPUT;
	rc = ld_target(sw, call->in[0], ld, cmd->info->opcode, &ops, &arg);
	if (rc != CXL_RC_SUCCESS)
		return rc;
	if (ops->cfg(arg, ld, (unsigned)off, REQ_FIRST_BE(f), REQ_WRITE(f) != 0, &val)) {
		log_err("sw %s port %u LD 0x%04x: configuration request failed", sw_id(sw),
			call->in[0], ld);
		return CXL_RC_INTERNAL_ERROR;
	}
	le32_put(call->out, REQ_WRITE(f) ? 0 : val);
	call->out_len = CXL_OUT_SEND_LD_CXLIO_CONFIG_REQ;
	return CXL_RC_SUCCESS;
}

/* The byte enables a MemRd/MemWr TLP for [addr, addr + len) carries (PCIe
 * r6.0 §2.2.5): first and last DW; last is 0 for a one-DW request. */
static void mem_byte_enables(uint64_t addr, size_t len, uint8_t *first, uint8_t *last)
{
	uint64_t end = addr + len - 1;

	*first = *last = 0;
	if (!len)
		return;
	*first = (uint8_t)((0xfu << (addr & 3)) & 0xfu);
	if ((addr & ~3ull) == (end & ~3ull))
		*first = (uint8_t)(*first & (0xfu >> (3 - (end & 3))));
	else
		*last = (uint8_t)(0xfu >> (3 - (end & 3)));
}

/*
 * CXL r3.1 §7.6.7.3.3 Send LD CXL.io Memory Request (Opcode 5302h).
 * Request (Table 7-41): 0 port ID, 1:3 bits[15:12] First DW BE, [19:16]
 * Last DW BE, [23] 1 = write; 4:2 LD ID, 6:2 transaction length (bytes, at
 * most 1000h), 8:8 address (an HPA in the LD's MMIO space), 10h: write data.
 * Response (Table 7-42): 0:2 Return Size (bytes transferred), 2:2 rsvd,
 * 4: read data.
 * The request's bytes are [address, address + length); its byte enables,
 * when not both zero, must be those a MemRd/MemWr TLP for that range has.
 * Invalid Payload Length: a write whose data is not length bytes, a read
 * with data. Invalid Input: length over 4 KiB, byte enables that disagree,
 * a read answer over the message limit, a target ld_target() refuses, an
 * address no BAR of the function decodes with Memory Space Enable set (or
 * past the LD's allocation). A media error part-way (poison, a locked or
 * disabled media) ends the transfer: Success with the Return Size reached.
 */
static uint16_t cmd_sw_ld_mem(struct cci *cci, const struct cci_cmd *cmd,
			      struct cci_call *call)
{
	struct sw_dev *sw = sw_of_cci(cci);
	uint32_t f = le24_get(call->in + 1);
	uint16_t ld = le16_get(call->in + 4), len = le16_get(call->in + 6), rc;
	uint64_t addr = le64_get(call->in + 8);
	bool write = REQ_WRITE(f) != 0;
	const struct sw_ld_ops *ops;
	uint8_t first, last, data[MEM_REQ_MAX], *buf = data;
	size_t done = 0;
	void *arg;
	int err;

	sw_tick(sw);
	if (call->in_len != MEM_REQ_HDR + (write ? len : 0u))
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	mem_byte_enables(addr, len, &first, &last);
	if (len > MEM_REQ_MAX || (!write && MEM_RSP_HDR + (size_t)len > call->out_max) ||
	    ((REQ_FIRST_BE(f) || REQ_LAST_BE(f)) &&
	     (REQ_FIRST_BE(f) != first || REQ_LAST_BE(f) != last)) ||
	    addr > UINT64_MAX - len) {
		log_dbg("sw %s 5302h: length %u at 0x%llx, byte enables %x/%x", sw_id(sw), len,
			(unsigned long long)addr, REQ_FIRST_BE(f), REQ_LAST_BE(f));
		return CXL_RC_INVALID_INPUT;
	}
	rc = ld_target(sw, call->in[0], ld, cmd->info->opcode, &ops, &arg);
	if (rc != CXL_RC_SUCCESS)
		return rc;
	if (write)
		memcpy(data, call->in + MEM_REQ_HDR, len);
	else
		buf = call->out + MEM_RSP_HDR;
	err = ops->mem(arg, ld, addr, buf, len, write, &done);
	if (err) {
		log_dbg("sw %s port %u LD 0x%04x: nothing decodes 0x%llx+%u (%d)", sw_id(sw),
			call->in[0], ld, (unsigned long long)addr, len, err);
		return CXL_RC_INVALID_INPUT;
	}
	le16_put(call->out, (uint16_t)done);
	call->out_len = MEM_RSP_HDR + (write ? 0 : done);
	return CXL_RC_SUCCESS;
}

static const struct cci_cmd sw_cxlio_cmds[] = {
	CCI_CMD(SEND_PPB_CXLIO_CONFIG_REQ, cmd_sw_ppb_config),
	CCI_CMD(SEND_LD_CXLIO_CONFIG_REQ, cmd_sw_ld_config),
	CCI_CMD(SEND_LD_CXLIO_MEM_REQ, cmd_sw_ld_mem),
};
const struct cci_cmd_set sw_cxlio_set = CCI_SET("switch-cxlio", CXLFM_CCI_SW, sw_cxlio_cmds);
