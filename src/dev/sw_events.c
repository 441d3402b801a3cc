/* SPDX-License-Identifier: MIT */
/*
 * A switch's event logs and event commands (sw_events.h). QEMU's switch has
 * no event logs: its CCIs answer these commands Unsupported.
 */
#include "dev/sw_events.h"

#include <errno.h>
#include <string.h>

#include "proto/le.h"
#include "util/log.h"

static const uint8_t uuid_phys[16] = CXLFM_PHYS_SW_EVENT_UUID_INIT;
static const uint8_t uuid_vcs[16] = CXLFM_VCS_EVENT_UUID_INIT;
static const uint8_t uuid_mld_port[16] = CXLFM_MLD_PORT_EVENT_UUID_INIT;

/* MCTP Event Interrupt Settings (§8.2.9.2.6): one bit per log, informational .. fatal. */
#define SW_MCTP_POLICY_MASK 0x000fu

int sw_ev_init(struct sw_events *e, const char *id, const struct cci_timestamp *ts,
	       const struct cci_clock *clock)
{
	const uint16_t caps[EV_LOG_COUNT] = { SW_EV_LOG_SIZE, SW_EV_LOG_SIZE, SW_EV_LOG_SIZE,
					      SW_EV_LOG_SIZE, 1 };

	e->mctp_policy = 0;
	e->ts = ts;
	e->clock = clock;
	e->id = id;
	return ev_init(&e->ev, caps);
}

void sw_ev_fini(struct sw_events *e)
{
	ev_fini(&e->ev);
}

/* The switch's timestamp (Set Timestamp moved on by the clock), 0 if unset. */
static uint64_t now_ts(const struct sw_events *e)
{
	if (!e->ts->set)
		return 0;
	return e->ts->value_ns + (e->clock->now_ns(e->clock->arg) - e->ts->at_ns);
}

static void add(struct sw_events *e, unsigned log, uint8_t *rec, const char *what)
{
	int rc = ev_add(&e->ev, log, rec, now_ts(e));

	if (rc && rc != -ENOSPC)
		log_warn("sw %s: %s event record lost: %d", e->id, what, rc);
	else if (!rc)
		log_dbg("sw %s: %s event record in log %u", e->id, what, log);
}

void sw_ev_phys(struct sw_events *e, const struct rec_phys_sw_event *r)
{
	uint8_t rec[EV_RECORD_SIZE];

	ev_record_init(rec, uuid_phys, EV_SEV_INFO);
	rec_phys_sw_event_put(rec + EV_HDR_SIZE, r);
	add(e, EV_LOG_INFO, rec, "physical switch");
}

void sw_ev_vcs(struct sw_events *e, const struct rec_vcs_event *r, bool failed)
{
	uint8_t rec[EV_RECORD_SIZE];

	ev_record_init(rec, uuid_vcs, failed ? EV_SEV_WARN : EV_SEV_INFO);
	rec_vcs_event_put(rec + EV_HDR_SIZE, r);
	add(e, failed ? EV_LOG_WARN : EV_LOG_INFO, rec, "virtual switch");
}

void sw_ev_mld_port(struct sw_events *e, const struct rec_mld_port_event *r)
{
	uint8_t rec[EV_RECORD_SIZE];
	bool cor = r->type == 0x00;

	ev_record_init(rec, uuid_mld_port, cor ? EV_SEV_WARN : EV_SEV_FAIL);
	rec_mld_port_event_put(rec + EV_HDR_SIZE, r);
	add(e, cor ? EV_LOG_WARN : EV_LOG_FAIL, rec, "MLD port");
}

/*
 * CXL r3.1 §8.2.9.2.2 Get Event Records (Opcode 0100h) on a switch CCI: the
 * informational, warning, failure and fatal logs; a switch has no dynamic
 * capacity log (log 4 and up: Invalid Input). Both CCIs read the same logs.
 */
static uint16_t cmd_sw_get_event_records(struct cci *cci, const struct cci_cmd *cmd,
					 struct cci_call *call)
{
	(void)cmd;
	if (call->in[0] > EV_LOG_FATAL)
		return CXL_RC_INVALID_INPUT;
	return ev_cmd_get_records(&sw_events_of(cci)->ev, call);
}

/* CXL r3.1 §8.2.9.2.3 Clear Event Records (Opcode 0101h), the same four logs. */
static uint16_t cmd_sw_clear_event_records(struct cci *cci, const struct cci_cmd *cmd,
					   struct cci_call *call)
{
	(void)cmd;
	if (call->in_len >= 1 && call->in[0] > EV_LOG_FATAL)
		return CXL_RC_INVALID_INPUT;
	return ev_cmd_clear_records(&sw_events_of(cci)->ev, call);
}

/*
 * CXL r3.1 §8.2.9.2.4 / §8.2.9.2.5 Get / Set Event Interrupt Policy (0102h /
 * 0103h) on the mailbox CCI (a PCI function's MSI/MSI-X): the settings are
 * kept and reported; no interrupt is raised (cxl-emu has no host interrupt
 * for a switch's mailbox). The dynamic capacity byte reads 0.
 */
static uint16_t cmd_sw_get_event_int_policy(struct cci *cci, const struct cci_cmd *cmd,
					    struct cci_call *call)
{
	(void)cmd;
	return ev_cmd_get_int_policy(&sw_events_of(cci)->ev, call);
}

static uint16_t cmd_sw_set_event_int_policy(struct cci *cci, const struct cci_cmd *cmd,
					    struct cci_call *call)
{
	struct sw_events *e = sw_events_of(cci);
	uint16_t rc;

	(void)cmd;
	if (call->in_len == EV_LOG_COUNT && (call->in[EV_LOG_DCD] & 0x3))
		return CXL_RC_INVALID_INPUT; /* no dynamic capacity log to signal */
	rc = ev_cmd_set_int_policy(&e->ev, call);
	if (rc == CXL_RC_SUCCESS)
		log_info("sw %s: event interrupt policy %02x %02x %02x %02x (via %s)", e->id,
			 call->in[0], call->in[1], call->in[2], call->in[3], cci->name);
	return rc;
}

/* CXL r3.1 §8.2.9.2.6 Get MCTP Event Interrupt Policy (0104h) on the MCTP CCI. */
static uint16_t cmd_sw_get_mctp_ev_policy(struct cci *cci, const struct cci_cmd *cmd,
					  struct cci_call *call)
{
	(void)cmd;
	le16_put(call->out, sw_events_of(cci)->mctp_policy);
	call->out_len = CXL_OUT_GET_MCTP_EVENT_INT_POLICY;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.2.7 Set MCTP Event Interrupt Policy (0105h): bits 0-3 for
 * the four logs, other bits ignored. Kept and reported; as for a type-3
 * device (docs/cxl-emu.md), the endpoint originates no Event Notification
 * (0106h): the FM reads the logs with Get Event Records.
 */
static uint16_t cmd_sw_set_mctp_ev_policy(struct cci *cci, const struct cci_cmd *cmd,
					  struct cci_call *call)
{
	struct sw_events *e = sw_events_of(cci);

	(void)cmd;
	e->mctp_policy = (uint16_t)(le16_get(call->in) & SW_MCTP_POLICY_MASK);
	return CXL_RC_SUCCESS;
}

static const struct cci_cmd sw_ev_mbox_cmds[] = {
	CCI_CMD(GET_EVENT_RECORDS, cmd_sw_get_event_records),
	CCI_CMD(CLEAR_EVENT_RECORDS, cmd_sw_clear_event_records),
	CCI_CMD(GET_EVENT_INT_POLICY, cmd_sw_get_event_int_policy),
	CCI_CMD(SET_EVENT_INT_POLICY, cmd_sw_set_event_int_policy),
};
static const struct cci_cmd sw_ev_mctp_cmds[] = {
	CCI_CMD(GET_EVENT_RECORDS, cmd_sw_get_event_records),
	CCI_CMD(CLEAR_EVENT_RECORDS, cmd_sw_clear_event_records),
	CCI_CMD(GET_MCTP_EVENT_INT_POLICY, cmd_sw_get_mctp_ev_policy),
	CCI_CMD(SET_MCTP_EVENT_INT_POLICY, cmd_sw_set_mctp_ev_policy),
};
const struct cci_cmd_set sw_ev_mbox_set = CCI_SET("switch-events", CXLFM_CCI_SW, sw_ev_mbox_cmds);
const struct cci_cmd_set sw_ev_mctp_set = CCI_SET("switch-events", CXLFM_CCI_SW, sw_ev_mctp_cmds);
