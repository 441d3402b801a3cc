/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm for what a switch tells an FM beyond its ports and bindings: the
 * domain validation secret values of its virtual CXL switches (CXL r3.1
 * §7.6.7.1.5-§7.6.7.1.8, 5104h-5107h), the event interrupt policy of a
 * mailbox CCI (§8.2.9.2.4-.5, 0102h-0103h), and the Fabric Management event
 * records it logs (§7.6.8: Physical Switch, Virtual CXL Switch, MLD Port),
 * which cxlfm_cmd_get_event_records() reads from the switch's CCIs and the
 * decoders here take apart.
 *
 * The rules of fmapi.h hold: 0, a negative errno, or the positive CXL
 * return code; host byte order; a response of another length is -EBADMSG.
 */
#ifndef CXLFM_FABRIC_H
#define CXLFM_FABRIC_H

#include <stdint.h>

#include "cxlfm/fmapi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- domain validation (CXL r3.1 §7.6.7.1.5-§7.6.7.1.8) ---- */

#define CXLFM_SV_NOT_SET 0x00
#define CXLFM_SV_SET 0x01
struct cxlfm_dv_sv_state_rsp {
	uint8_t state;                 /* CXLFM_SV_* */
};
/* 5104h Get Domain Validation SV State: the host's own VCS (its mailbox CCI). */
int cxlfm_cmd_get_domain_validation_sv_state(struct cxlfm_ep *ep,
					     const struct cxlfm_tunnel *tun,
					     struct cxlfm_dv_sv_state_rsp *rsp);
/* 5105h Set Domain Validation SV: once per VCS (a second one is Invalid Input). */
struct cxlfm_set_domain_validation_sv_req {
	uint8_t sv[16];                /* a UUID naming the host hierarchy, wire order */
};
int cxlfm_cmd_set_domain_validation_sv(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				       const struct cxlfm_set_domain_validation_sv_req *req);
struct cxlfm_vcs_req {
	uint8_t vcs_id;
};
/* 5106h Get VCS Domain Validation SV State: the FM asks about one VCS. */
int cxlfm_cmd_get_vcs_domain_validation_sv_state(struct cxlfm_ep *ep,
						 const struct cxlfm_tunnel *tun,
						 const struct cxlfm_vcs_req *req,
						 struct cxlfm_dv_sv_state_rsp *rsp);
/* 5107h Get Domain Validation SV: a VCS's secret value. */
struct cxlfm_get_domain_validation_sv_rsp {
	uint8_t sv[16];
};
int cxlfm_cmd_get_domain_validation_sv(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				       const struct cxlfm_vcs_req *req,
				       struct cxlfm_get_domain_validation_sv_rsp *rsp);

/* ---- event interrupt policy of a mailbox CCI (CXL r3.1 §8.2.9.2.4-.5) ---- */

/* Interrupt Settings of each log: bits[1:0] mode (0 none, 1 MSI/MSI-X, 2 FW
 * interrupt), bits[7:4] the interrupt message number. */
#define CXLFM_EVENT_INT_NONE 0x0
#define CXLFM_EVENT_INT_MSI 0x1
#define CXLFM_EVENT_INT_FW 0x2
struct cxlfm_event_int_policy {
	uint8_t settings[5];           /* informational, warning, failure, fatal, DC */
	uint8_t num_settings;          /* 4 or 5 (the DC byte is optional in a Set) */
};
int cxlfm_cmd_get_event_int_policy(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				   struct cxlfm_event_int_policy *rsp);
int cxlfm_cmd_set_event_int_policy(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				   const struct cxlfm_event_int_policy *req);

/* ---- Fabric Management event records (CXL r3.1 §7.6.8) ---- */

/* Record UUIDs, wire order. */
extern const uint8_t cxlfm_phys_switch_event_uuid[16]; /* 77cf9271-9c02-470b-9fe4-bc7b75f2da97 */
extern const uint8_t cxlfm_vcs_event_uuid[16];         /* 40d26425-3396-4c4d-a5da-3d47263af425 */
extern const uint8_t cxlfm_mld_port_event_uuid[16];    /* 8dc44363-0c96-4710-b7bf-04bb99534c3f */

/* Physical Switch Event Record: the port as Get Physical Port State shows it. */
#define CXLFM_PHYS_EVENT_LINK_STATE 0x00  /* Link State Change */
#define CXLFM_PHYS_EVENT_SLOT_STATUS 0x01 /* Slot Status Register Updated */
#define CXLFM_SLOT_PRESENCE_CHANGED 0x0008 /* PCIe Slot Status bits */
#define CXLFM_SLOT_PRESENCE 0x0040
#define CXLFM_SLOT_DLL_CHANGED 0x0100
struct cxlfm_phys_switch_event {
	uint8_t type;                  /* CXLFM_PHYS_EVENT_* */
	uint16_t slot_status;          /* CXLFM_SLOT_* ... */
	struct cxlfm_port_info port;   /* supported_ld_count: 0 (not in the record) */
};
/* -EINVAL if rec is another kind of record. */
int cxlfm_phys_switch_event_decode(const struct cxlfm_event_record *rec,
				   struct cxlfm_phys_switch_event *out);

/* Virtual CXL Switch Event Record. */
#define CXLFM_VCS_EVENT_BINDING_CHANGE 0x00
#define CXLFM_VCS_EVENT_SECONDARY_BUS_RESET 0x01
#define CXLFM_VCS_EVENT_LINK_CONTROL 0x02
#define CXLFM_VCS_EVENT_SLOT_CONTROL 0x03
struct cxlfm_vcs_event {
	uint8_t vcs_id;
	uint8_t vppb_id;
	uint8_t type;                  /* CXLFM_VCS_EVENT_* */
	struct cxlfm_vppb_info vppb;   /* the binding now: status, port_id, ld_id */
	uint16_t link_control;
	uint16_t slot_control;
};
int cxlfm_vcs_event_decode(const struct cxlfm_event_record *rec, struct cxlfm_vcs_event *out);

/* MLD Port Event Record. */
#define CXLFM_MLD_PORT_ERR_COR 0x00
#define CXLFM_MLD_PORT_ERR_NONFATAL 0x01
#define CXLFM_MLD_PORT_ERR_FATAL 0x02
struct cxlfm_mld_port_event {
	uint8_t type;                  /* CXLFM_MLD_PORT_* */
	uint8_t port_id;
	uint8_t msg[8];                /* the error message's first 8 bytes */
};
int cxlfm_mld_port_event_decode(const struct cxlfm_event_record *rec,
				struct cxlfm_mld_port_event *out);

#ifdef __cplusplus
}
#endif
#endif
