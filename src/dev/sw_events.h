/* SPDX-License-Identifier: MIT */
/*
 * A switch's event logs (CXL r3.1 §7.6.6.4, §7.6.8): the Physical Switch,
 * Virtual CXL Switch and MLD Port event records the switch logs as its ports,
 * vPPBs and MLD ports change, so an FM sees fabric changes without polling,
 * and the event commands both switch CCIs serve them with: Get / Clear Event
 * Records (0100h / 0101h) on each, Get / Set Event Interrupt Policy (0102h /
 * 0103h) on the mailbox CCI, Get / Set MCTP Event Interrupt Policy (0104h /
 * 0105h) on the MCTP CCI. Pure: sw.c calls the loggers, no I/O.
 */
#ifndef CXLFM_DEV_SW_EVENTS_H
#define CXLFM_DEV_SW_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/cci.h"
#include "dev/events.h"
#include "proto/records.h"

#define SW_EV_LOG_SIZE 64u /* records per informational / warning / failure / fatal log */

struct sw_events {
	struct ev_logs ev;          /* a switch has no dynamic capacity log */
	uint16_t mctp_policy;       /* MCTP Event Interrupt Settings (0104h / 0105h) */
	const struct cci_timestamp *ts;
	const struct cci_clock *clock;
	const char *id;             /* the switch, for logs */
};

/* Set up empty logs; ts and clock (the switch's) stamp the records. 0 or -errno. */
int sw_ev_init(struct sw_events *e, const char *id, const struct cci_timestamp *ts,
	       const struct cci_clock *clock);
void sw_ev_fini(struct sw_events *e);

/* Physical Switch Event Record (§7.6.8.1), in the informational log. */
void sw_ev_phys(struct sw_events *e, const struct rec_phys_sw_event *r);
/* Virtual CXL Switch Event Record (§7.6.8.2): informational, or warning for a failed
 * bind or unbind (Table 7-80). */
void sw_ev_vcs(struct sw_events *e, const struct rec_vcs_event *r, bool failed);
/* MLD Port Event Record (§7.6.8.3): ERR_COR in the warning log, the others in failure. */
void sw_ev_mld_port(struct sw_events *e, const struct rec_mld_port_event *r);

/* The event commands, registered on the switch's CCIs by sw.c. */
extern const struct cci_cmd_set sw_ev_mbox_set;
extern const struct cci_cmd_set sw_ev_mctp_set;

/* sw.c: the event logs of the switch cci belongs to. */
struct sw_events *sw_events_of(struct cci *cci);

#endif
