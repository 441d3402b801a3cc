/* SPDX-License-Identifier: MIT */
/*
 * CXL.io through a switch (sw_cxlio.c): the emulated configuration space of
 * each downstream port's PPB, Send PPB CXL.io Configuration Request (5103h),
 * and Send LD CXL.io Configuration / Memory Request (5301h / 5302h) to the
 * LDs of an MLD below a downstream port (CXL r3.1 §7.6.7.1.4, §7.6.7.3.2,
 * §7.6.7.3.3). Internal to the switch model: sw.c creates it, calls the
 * hooks when a port's state changes and registers sw_cxlio_set on its MCTP
 * CCI (CXL r3.2 Table 8-397: prohibited on the switch's host mailbox).
 */
#ifndef CXLFM_DEV_SW_CXLIO_H
#define CXLFM_DEV_SW_CXLIO_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/cci.h"
#include "dev/sw.h"

struct sw_cxlio;

int sw_cxlio_new(struct sw_dev *sw, struct sw_cxlio **out);
void sw_cxlio_free(struct sw_cxlio *x);
/* Port idx (0 the USP, 1.. the DSPs) changed: link, PERST#, presence. With
 * latch, the Slot Status change bits record it (a device there at power-on
 * latches nothing); the device's LD functions learn the link. */
void sw_cxlio_changed(struct sw_dev *sw, unsigned idx, bool latch);
/* Reset PPB (5102h): the port's PPB back to its reset state. */
void sw_cxlio_reset(struct sw_dev *sw, unsigned idx);

extern const struct cci_cmd_set sw_cxlio_set;

/* What sw.c offers this module. */
struct sw_dev *sw_of_cci(struct cci *cci);
struct sw_cxlio *sw_cxlio_get(const struct sw_dev *sw);
/* The index of the port a port number names (as the FM API finds it), or -ENOENT. */
int sw_port_index(const struct sw_dev *sw, uint8_t port_id);
/*
 * How port idx is bound (enum sw_vppb_status): SW_VPPB_IN_PROGRESS when a
 * bind or unbind of it runs, else BOUND_PORT / BOUND_LD / UNBOUND. ld is an
 * LD of an MLD port, or SW_LD_NONE for any binding of the port.
 */
uint8_t sw_port_binding(const struct sw_dev *sw, unsigned idx, uint16_t ld);
/* The LD functions below port idx: 0 or -ENODEV. */
int sw_port_ld_ops(const struct sw_dev *sw, unsigned idx, const struct sw_ld_ops **ops,
		   void **arg);
/* The PPB's Link Disable: the link goes down (LTSSM Disabled) while set. */
void sw_port_set_link_disable(struct sw_dev *sw, unsigned idx, bool on);

#endif
