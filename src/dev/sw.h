/* SPDX-License-Identifier: MIT */
/*
 * CXL switch model: one upstream port (USP), downstream ports (DSPs) with
 * their physical port state and PERST#, one virtual CXL switch (VCS 0) whose
 * vPPBs bind to downstream ports (and to an LD of an MLD), and the switch's
 * two CCIs — the switch mailbox CCI (QEMU's cxl-switch-mailbox-cci) and the
 * MCTP endpoint CCI of the USP — which share one command table: generic
 * commands, the Physical Switch (51h), Virtual Switch (52h) and MLD Port
 * (53h, Tunnel Management) command sets of CXL r3.1 §7.6.7.
 *
 * Pure model: no I/O, no transport. Devices below the DSPs are only seen as
 * the struct cci of their FM-owned LD (the tunnel target).
 *
 * Initial state follows QEMU's fixed topology: vPPB i of VCS 0 is bound to
 * the i-th DSP of the configuration (sw_config.start_unbound for the "FM boots
 * first" case of CXL r3.1 §7.2.1.2, where every vPPB starts unbound).
 */
#ifndef CXLFM_DEV_SW_H
#define CXLFM_DEV_SW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/cci.h"

#define SW_MBOX_PAYLOAD_MAX 2048u /* switch mailbox CCI */
#define SW_MCTP_PAYLOAD_MAX 512u  /* MCTP endpoint CCI, as QEMU */
#define SW_MCTP_PAYLOAD_CAP 1024u /* largest Set Response Message Limit */

/* QEMU's emulated "CXL Switch Upstream Port" PCI ids, reported by Identify. */
#define SW_DEFAULT_VENDOR_ID 0x19e5
#define SW_DEFAULT_DEVICE_ID 0xa128

#define SW_MAX_DSP 254u /* Identify Switch Device counts all ports in one byte */

/* CXL r3.1 Table 7-19 Current Port Configuration State, bits[3:0]. */
enum sw_port_config_state {
	SW_PORT_DISABLED = 0x0,
	SW_PORT_BIND_IN_PROGRESS = 0x1,
	SW_PORT_UNBIND_IN_PROGRESS = 0x2,
	SW_PORT_DSP = 0x3,
	SW_PORT_USP = 0x4,
	SW_PORT_FABRIC = 0x5,
	SW_PORT_INVALID_ID = 0xf,
};

/* CXL r3.1 Table 7-19 Connected Device Type. */
enum sw_dev_type {
	SW_DEV_NONE = 0x00,
	SW_DEV_PCIE = 0x01,
	SW_DEV_CXL_TYPE1 = 0x02,
	SW_DEV_CXL_TYPE2 = 0x03, /* or an HBR switch */
	SW_DEV_CXL_TYPE3_SLD = 0x04,
	SW_DEV_CXL_TYPE3_MLD = 0x05,
	SW_DEV_PBR = 0x06,
};

/* CXL r3.1 Table 7-32 vPPB Binding Status. */
enum sw_vppb_status {
	SW_VPPB_UNBOUND = 0x00,
	SW_VPPB_IN_PROGRESS = 0x01, /* bind or unbind in progress */
	SW_VPPB_BOUND_PORT = 0x02,
	SW_VPPB_BOUND_LD = 0x03,
};

#define SW_LD_NONE 0xffffu /* Bind vPPB "LD ID" for non-MLD targets */

struct sw_dev;

/*
 * One physical port. Port numbers need not be distinct: QEMU does not check
 * them, and a switch whose USP and a DSP share a number (both left at the
 * default 0, say) starts. As in QEMU's FM API (pcie_find_port_by_pn() before
 * the USP), a port number names the first DSP that has it, in configuration
 * order, else the USP; a DSP whose number an earlier DSP has is reachable by
 * no port id (nor is a USP whose number a DSP has).
 */
struct sw_port_cfg {
	uint8_t port;              /* physical port number (QEMU port=) */
	uint8_t width;             /* max link width in lanes (x-width); 0: 16 */
	uint8_t speed;             /* max link speed, PCIe Link Capabilities
				    * encoding 1 (2.5 GT/s) .. 6 (64 GT/s), x-speed;
				    * 0: the port kind's default */
	bool no_256b_flit;         /* x-256b-flit=off: 68B flit only */
};

struct sw_config {
	const char *id;            /* switch id (e.g. the USP's "us0"); copied */
	uint64_t serial;           /* Identify serial number (QEMU USP "sn") */
	uint16_t vendor_id;        /* 0: SW_DEFAULT_VENDOR_ID */
	uint16_t device_id;        /* 0: SW_DEFAULT_DEVICE_ID */
	struct sw_port_cfg usp;
	unsigned n_dsp;            /* number of DSPs, 0..SW_MAX_DSP */
	const struct sw_port_cfg *dsps; /* n_dsp downstream ports, in devfn order */
	uint64_t bind_duration_ns; /* Bind/Unbind vPPB background time; 0: done
				    * at the next tick */
	uint64_t perst_hold_ns;    /* minimum PERST# assertion; 0: 100 ms */
	uint8_t dsp_ld_support;    /* "Supported LD Count" of a DSP; 0: 16 */
	bool start_unbound;        /* all vPPBs unbound at creation */
};

/*
 * CXL.io of the LDs of an MLD below a DSP, for Send LD CXL.io Configuration
 * / Memory Request (5301h/5302h): the device's t3_ld_cfg() / t3_ld_mem()
 * (dev/t3.h has their contract), and link() tells its LD functions the link
 * the port trained.
 */
struct sw_ld_ops {
	int (*cfg)(void *arg, uint16_t ld, unsigned off, uint8_t be, bool write, uint32_t *val);
	int (*mem)(void *arg, uint16_t ld, uint64_t addr, uint8_t *buf, size_t len, bool write,
		   size_t *done);
	void (*link)(void *arg, bool up, uint8_t speed, uint8_t width, bool flit_256b);
};

/* A device connected below a DSP, as the switch sees it. */
struct sw_attached {
	struct cci *fm_cci; /* tunnel target: the device's FM-owned LD CCI */
	uint8_t dev_type;   /* enum sw_dev_type, not SW_DEV_NONE */
	uint8_t ld_count;   /* LDs of an MLD (1..16); ignored otherwise */
	const char *id;     /* device id for the topology dump; copied */
	uint8_t width;      /* the device's max link width, lanes; 0: the port's */
	uint8_t speed;      /* its max link speed (encoding as above); 0: the port's */
	bool flit_256b;     /* it trains in 256B flit mode (x-256b-flit=on) */
	const struct sw_ld_ops *ld_ops; /* a type-3's LD functions; NULL: none */
	void *ld_arg;
	bool hot_plug;      /* hot-added: the PPB's Slot Status records the change */
};

/* Read-only view of one physical port, for topology dumps. */
struct sw_port_info {
	uint8_t port_id;
	bool is_usp;
	uint8_t config_state;    /* enum sw_port_config_state */
	uint8_t dev_type;        /* enum sw_dev_type (DSPs) */
	uint8_t ld_count;
	const char *dev_id;      /* attached device id or NULL */
	bool has_fm_cci;
	bool perst;              /* PERST# asserted */
	bool link_up;
	bool link_disabled;      /* the PPB's Link Control Link Disable is set */
	bool flit_256b;          /* the link runs 256B flits */
	uint8_t ltssm;           /* Table 7-19 LTSSM State */
	uint8_t max_link_width;  /* PCIe Link Capabilities encoding */
	uint8_t negotiated_link_width;
	uint8_t max_link_speed;
	uint8_t current_link_speed;
	uint32_t ppb_resets;     /* Reset PPB operations done */
};

/* Read-only view of one vPPB of VCS 0. */
struct sw_vppb_info {
	uint8_t status;  /* enum sw_vppb_status */
	uint8_t port_id; /* bound (or being bound) port; 0xff if unbound */
	uint16_t ld_id;  /* bound LD or SW_LD_NONE */
};

/*
 * Create a switch. clock must outlive the switch. Returns 0, -EINVAL for a
 * bad configuration (a link width or speed out of the PCIe encodings) or
 * -ENOMEM.
 */
int sw_create(const struct sw_config *cfg, const struct cci_clock *clock,
	      struct sw_dev **out);
void sw_destroy(struct sw_dev *sw);

/*
 * Connect a device below downstream port dsp (0..n_dsp-1, the index in
 * sw_config.dsps: port numbers may repeat). Returns 0,
 * -ENOENT if there is no such DSP, -EEXIST if a device is already there,
 * -EINVAL for a bad description, -EBUSY if the port's vPPB bindings do not
 * fit the device (LD bindings on a non-MLD, an LD id >= ld_count), -ENOMEM.
 * A whole-port binding of an MLD's port becomes a binding of LD 0.
 */
int sw_attach(struct sw_dev *sw, unsigned dsp, const struct sw_attached *dev);
/* Disconnect it again (bindings stay, as for a port whose link is down): a
 * hot-remove, logged as a Physical Switch Event (CXL r3.1 §7.6.6.7). */
int sw_detach(struct sw_dev *sw, unsigned dsp);
/* sw_attach() of a device hot-added once the switch runs: logged as a
 * Physical Switch Event (Slot Status updated, §7.6.6.7). */
int sw_hot_add(struct sw_dev *sw, unsigned dsp, const struct sw_attached *dev);
/*
 * The MLD below DSP dsp sent the switch a PCIe error message (type 0
 * ERR_COR, 1 ERR_NONFATAL, 2 ERR_FATAL): an MLD Port Event Record (CXL r3.1
 * §7.6.8.3). -ENOENT without such a DSP, -EINVAL if no MLD is there or for
 * another type.
 */
int sw_mld_port_error(struct sw_dev *sw, unsigned dsp, uint8_t type);

/* The two CCIs; both run the switch command set, each with its own
 * background operation; CXL.io (5103h, 5301h, 5302h) is the MCTP CCI's only. */
struct cci *sw_mbox_cci(struct sw_dev *sw);
struct cci *sw_mctp_cci(struct sw_dev *sw);

/*
 * The host's view of the configuration space of vPPB vppb of VCS 0 (its
 * host enumerates it as a switch downstream port; dev/sw_cxlio.c): while a
 * physical port is bound, that port's PPB itself (CXL r3.1 §7.2.1.2);
 * otherwise the vPPB's own space, link down and nothing present when
 * unbound, the MLD port's link when bound to an LD. One dword, as a
 * configuration request carries it: off dword aligned below 4096, first DW
 * byte enables be; a write changes the writable bits only. Returns 0,
 * -ENOENT for no such vPPB, -EINVAL for a bad offset.
 */
int sw_vppb_cfg(struct sw_dev *sw, unsigned vppb, unsigned off, uint8_t be, bool write,
		uint32_t *val);

/* Complete finished bind/unbind operations on both CCIs; returns how many. */
unsigned sw_tick(struct sw_dev *sw);
/* Nanoseconds until the next background operation finishes, or UINT64_MAX. */
uint64_t sw_bg_remaining_ns(const struct sw_dev *sw);

/* Accessors for a topology dump. Ports: index 0 is the USP, 1..n the DSPs in
 * configuration order. */
const char *sw_id(const struct sw_dev *sw);
uint8_t sw_usp_port(const struct sw_dev *sw);
unsigned sw_port_count(const struct sw_dev *sw);
int sw_port_get(const struct sw_dev *sw, unsigned idx, struct sw_port_info *out);
unsigned sw_vppb_count(const struct sw_dev *sw);
int sw_vppb_get(const struct sw_dev *sw, unsigned vppb, struct sw_vppb_info *out);

#endif
