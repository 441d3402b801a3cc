/* SPDX-License-Identifier: MIT */
/*
 * Domain validation secret values of a switch's virtual CXL switches (CXL
 * r3.1 §7.6.7.1.5-§7.6.7.1.8, 5104h-5107h): a host sets the secret value
 * (a UUID naming its hierarchy) of its VCS once through the switch mailbox
 * CCI of its upstream port, and an FM reads each VCS's state and value. Pure
 * state and handlers; sw.c owns the state and registers the sets.
 */
#ifndef CXLFM_DEV_SW_DV_H
#define CXLFM_DEV_SW_DV_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/cci.h"

struct sw_dv {
	bool set;
	uint8_t sv[16];   /* the secret value, wire order */
};

/* The VCS's host hierarchy was reset: its secret value may be set again. */
void sw_dv_reset(struct sw_dv *dv, const char *sw_id, unsigned vcs);

/*
 * The mailbox CCI (the host's) serves 5104h-5107h, the MCTP CCI (an FM's)
 * 5106h and 5107h: a host's request names no VCS, it is the VCS of the
 * mailbox it comes through.
 */
extern const struct cci_cmd_set sw_dv_mbox_set;
extern const struct cci_cmd_set sw_dv_mctp_set;

/*
 * sw.c: the secret value state of VCS vcs of the switch cci belongs to
 * (vcs < 0: the VCS the CCI's upstream port is in), or NULL for a VCS the
 * switch does not have.
 */
struct sw_dv *sw_dv_of(struct cci *cci, int vcs);
/* sw.c: the switch's id, for logs. */
const char *sw_id_of(struct cci *cci);

#endif
