/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm typed calls: one function per CXL FM API / CCI command that
 * cxl-fmemu's device models implement, named cxlfm_cmd_<name>(), with
 * struct cxlfm_<name>_req / _rsp in host byte order. The wire layouts are
 * those of CXL r3.1; each call names its section and opcode.
 *
 * Common rules
 *   - ep is an endpoint of a context (cxlfm.h); tun is NULL for the
 *     endpoint's own CCI, or a tunnel through a switch port and/or to an LD
 *     (Tunnel Management Command 5300h wraps the request).
 *   - Return value: 0 on success, a negative errno for a transport or
 *     decoding failure, or the positive CXL return code the component
 *     answered with (CXL r3.1 Table 8-34; cxlfm_rc_str() names it).
 *     CXLFM_RC_BG_STARTED (1) is success for commands that run in the
 *     background (Bind / Unbind vPPB): wait with cxlfm_bg_wait().
 *   - A response shorter or longer than its layout says, or whose counts
 *     disagree with its length, is -EBADMSG: nothing is read past the bytes
 *     received. A request that cannot be encoded is -EINVAL (or -EMSGSIZE
 *     when it does not fit one message).
 *   - *rsp is written only on success (0); it is undefined otherwise.
 *   - Lists in responses are fixed-size arrays sized for the largest message
 *     libcxlfm accepts (CXLFM_MSG_SIZE_MAX, cxlfm.h), with a count field; lists in requests
 *     are caller arrays (pointer + count). Every field is host byte order;
 *     sizes the spec gives in 256 MiB units are converted to bytes (the
 *     field names say so).
 */
#ifndef CXLFM_FMAPI_H
#define CXLFM_FMAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cxlfm/commands.h"
#include "cxlfm/cxlfm.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * ---- opcodes ----
 * enum cxlfm_opcode (CXLFM_OP_IDENTIFY, ...) comes from the command facts in
 * cxlfm/commands.h, with every command's name, section, payload sizes,
 * effects and CCIs as an X-macro list (CXLFM_COMMANDS).
 */

/* Return codes callers test for most (CXL r3.1 Table 8-34). */
#define CXLFM_RC_SUCCESS 0x00
#define CXLFM_RC_BG_STARTED 0x01
#define CXLFM_RC_INVALID_INPUT 0x02
#define CXLFM_RC_UNSUPPORTED 0x03
#define CXLFM_RC_BUSY 0x06

/*
 * Spec name of an opcode ("Get DCD Info") for any command of the command
 * facts (cxlfm/commands.h), whether or not libcxlfm has a typed call for it;
 * NULL for an opcode not in them (vendor or unknown).
 */
const char *cxlfm_opcode_name(uint16_t opcode);
/*
 * Short identifier of a result for logs and JSON: "success",
 * "invalid-input", ... for CXL return codes, "ETIMEDOUT"-style errno names
 * for negative values, "unknown" otherwise.
 */
const char *cxlfm_rc_id(int rc);

/* ---- list maxima (cover a response of CXLFM_MSG_SIZE_MAX bytes) ---- */
#define CXLFM_LOGS_MAX 128            /* Get Supported Logs entries */
#define CXLFM_LOG_DATA_MAX CXLFM_MSG_SIZE_MAX /* Get Log bytes per call */
#define CXLFM_CEL_MAX 1024            /* CEL entries read by cxlfm_cmd_get_cel() */
#define CXLFM_PORTS_MAX 255           /* Get Physical Port State */
#define CXLFM_VCS_MAX 8               /* Get Virtual CXL Switch Info: VCSs per call */
#define CXLFM_VPPBS_MAX 256           /* ... vPPB entries per VCS */
#define CXLFM_LD_MAX 16               /* LDs of an MLD */
#define CXLFM_DC_REGIONS_MAX 8        /* DC regions of a DCD */
#define CXLFM_DC_EXTENTS_MAX 64       /* extents per extent-list call */
#define CXLFM_EVENT_RECORDS_MAX 16    /* records per Get Event Records */

/* ---- generic commands (CXL r3.1 §8.2.9.1, §8.2.9.4, §8.2.9.5) ---- */

/* Identify component types (CXL r3.1 Table 8-38). */
#define CXLFM_COMPONENT_SWITCH 0x00
#define CXLFM_COMPONENT_TYPE3 0x03

/* CXL r3.1 §8.2.9.1.1 Identify (Opcode 0001h). */
struct cxlfm_identify_rsp {
	uint16_t vendor_id;
	uint16_t device_id;
	uint16_t subsys_vendor_id;
	uint16_t subsys_id;
	uint64_t serial;
	uint8_t max_msg_size_log2; /* maximum supported message size, 2^n bytes */
	uint8_t component_type;    /* CXLFM_COMPONENT_* */
};
int cxlfm_cmd_identify(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		       struct cxlfm_identify_rsp *rsp);

/* CXL r3.1 §8.2.9.1.2 Background Operation Status (Opcode 0002h). */
struct cxlfm_bg_op_status_rsp {
	bool running;          /* a background operation is in progress */
	uint8_t percent;       /* percentage complete, 0-100 */
	uint16_t opcode;       /* the last (or running) background command */
	uint16_t rc;           /* its return code once finished */
	uint16_t vendor_status;
};
int cxlfm_cmd_bg_op_status(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			   struct cxlfm_bg_op_status_rsp *rsp);

/* CXL r3.1 §8.2.9.1.3 Get Response Message Limit (Opcode 0003h). */
struct cxlfm_get_response_msg_limit_rsp {
	uint8_t limit_log2;    /* responses carry at most 2^n payload bytes */
};
int cxlfm_cmd_get_response_msg_limit(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				     struct cxlfm_get_response_msg_limit_rsp *rsp);

/* CXL r3.1 §8.2.9.1.4 Set Response Message Limit (Opcode 0004h). */
struct cxlfm_set_response_msg_limit_req {
	uint8_t limit_log2;    /* 8 (256 B) .. 20 (1 MiB) */
};
struct cxlfm_set_response_msg_limit_rsp {
	uint8_t limit_log2;    /* the limit now in effect */
};
int cxlfm_cmd_set_response_msg_limit(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				     const struct cxlfm_set_response_msg_limit_req *req,
				     struct cxlfm_set_response_msg_limit_rsp *rsp);

/* CXL r3.1 §8.2.9.4.1 Get Timestamp (Opcode 0300h). */
struct cxlfm_get_timestamp_rsp {
	uint64_t timestamp;    /* ns since midnight 1 Jan 1970 UTC, 0 if never set */
};
int cxlfm_cmd_get_timestamp(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			    struct cxlfm_get_timestamp_rsp *rsp);

/* CXL r3.1 §8.2.9.4.2 Set Timestamp (Opcode 0301h). */
struct cxlfm_set_timestamp_req {
	uint64_t timestamp;
};
int cxlfm_cmd_set_timestamp(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			    const struct cxlfm_set_timestamp_req *req);

/* CXL r3.1 §8.2.9.5.1 Get Supported Logs (Opcode 0400h). */
struct cxlfm_log_entry {
	uint8_t uuid[16];      /* wire (RFC 4122) byte order */
	uint32_t size;         /* bytes */
};
struct cxlfm_get_supported_logs_rsp {
	uint16_t num_entries;
	struct cxlfm_log_entry entries[CXLFM_LOGS_MAX];
};
int cxlfm_cmd_get_supported_logs(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 struct cxlfm_get_supported_logs_rsp *rsp);

/* The Command Effects Log UUID 0da9c0b5-bf41-4b78-8f79-96b1623b3f17, wire order. */
extern const uint8_t cxlfm_cel_uuid[16];

/* CXL r3.1 §8.2.9.5.2 Get Log (Opcode 0401h). */
struct cxlfm_get_log_req {
	uint8_t uuid[16];
	uint32_t offset;
	uint32_t length;       /* at most CXLFM_LOG_DATA_MAX */
};
struct cxlfm_get_log_rsp {
	uint32_t length;       /* bytes in data, at most req.length */
	uint8_t data[CXLFM_LOG_DATA_MAX];
};
int cxlfm_cmd_get_log(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		      const struct cxlfm_get_log_req *req, struct cxlfm_get_log_rsp *rsp);

/*
 * The whole Command Effects Log (CXL r3.1 §8.2.9.5.2.1): Get Supported Logs
 * for its size, then Get Log in 256-byte pieces. -ENOENT if the component
 * lists no CEL.
 */
struct cxlfm_cel_entry {
	uint16_t opcode;
	uint16_t effects;      /* Command Effect bits (CXL r3.1 §8.2.9.5.2.1) */
};
struct cxlfm_cel {
	uint32_t num_entries;
	struct cxlfm_cel_entry entries[CXLFM_CEL_MAX];
};
int cxlfm_cmd_get_cel(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		      struct cxlfm_cel *rsp);

/* ---- events (CXL r3.1 §8.2.9.2), on a type-3 host mailbox ---- */

enum cxlfm_event_log {
	CXLFM_EVENT_LOG_INFO = 0,
	CXLFM_EVENT_LOG_WARN = 1,
	CXLFM_EVENT_LOG_FAIL = 2,
	CXLFM_EVENT_LOG_FATAL = 3,
	CXLFM_EVENT_LOG_DCD = 4,
};

/* CXL r3.1 §8.2.9.2.2 Get Event Records (Opcode 0100h). */
struct cxlfm_get_event_records_req {
	uint8_t log;           /* enum cxlfm_event_log */
};
/* One 128-byte event record: the Common Event Record header
 * (CXL r3.1 §8.2.9.2.1) decoded. */
struct cxlfm_event_record {
	uint8_t uuid[16];      /* record type, wire order */
	uint8_t length;
	uint32_t flags;        /* 24 bits; bits[1:0] severity */
	uint16_t handle;
	uint16_t related_handle;
	uint64_t timestamp;
	uint8_t maint_op_class;
	uint8_t maint_op_subclass;
	uint16_t ld_id;
	uint8_t head_id;
	uint8_t data[80];      /* record-specific bytes 30h..7Fh */
};
#define CXLFM_EVENT_FLAG_OVERFLOW 0x01
#define CXLFM_EVENT_FLAG_MORE 0x02
struct cxlfm_get_event_records_rsp {
	uint8_t flags;         /* CXLFM_EVENT_FLAG_* */
	uint16_t overflow_count;
	uint64_t first_overflow_ts;
	uint64_t last_overflow_ts;
	uint16_t num_records;
	struct cxlfm_event_record records[CXLFM_EVENT_RECORDS_MAX];
};
int cxlfm_cmd_get_event_records(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				const struct cxlfm_get_event_records_req *req,
				struct cxlfm_get_event_records_rsp *rsp);

/* CXL r3.1 §8.2.9.2.3 Clear Event Records (Opcode 0101h). */
struct cxlfm_clear_event_records_req {
	uint8_t log;
	bool clear_all;        /* handles are ignored */
	uint8_t num_handles;
	const uint16_t *handles;
};
int cxlfm_cmd_clear_event_records(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				  const struct cxlfm_clear_event_records_req *req);

/* A DC extent, 40 bytes on the wire (CXL r3.1 §8.2.9.2.1.6 Dynamic Capacity Extent). */
struct cxlfm_dc_extent {
	uint64_t start_dpa;
	uint64_t length;
	uint8_t tag[16];
	uint16_t shared_seq;
};

/* Dynamic Capacity Event Record (CXL r3.1 §8.2.9.2.1.6), from record data. */
enum cxlfm_dc_event_type {
	CXLFM_DC_EVENT_ADD_CAPACITY = 0,
	CXLFM_DC_EVENT_RELEASE_CAPACITY = 1,
	CXLFM_DC_EVENT_FORCED_RELEASE = 2,
	CXLFM_DC_EVENT_REGION_CONFIG_UPDATED = 3,
	CXLFM_DC_EVENT_ADD_CAPACITY_RESPONSE = 4,
	CXLFM_DC_EVENT_CAPACITY_RELEASED = 5,
};
struct cxlfm_dc_event {
	uint8_t type;          /* enum cxlfm_dc_event_type */
	uint8_t validity;
	uint16_t host_id;
	uint8_t region_id;     /* updated region (Region Configuration Updated) */
	bool more;             /* more records of the same request follow */
	struct cxlfm_dc_extent extent;
	uint32_t extents_available;
	uint32_t tags_available;
};
/* DC event record UUID ca95afa7-f183-4018-8c2f-95268e101a2a, wire order. */
extern const uint8_t cxlfm_dc_event_uuid[16];
/* Decode a DC event record; -EINVAL if rec is another kind of record. */
int cxlfm_dc_event_decode(const struct cxlfm_event_record *rec, struct cxlfm_dc_event *out);

/* ---- host-side dynamic capacity (CXL r3.1 §8.2.9.9.9), host mailbox ---- */

/* CXL r3.1 §8.2.9.9.9.1 Get Dynamic Capacity Configuration (Opcode 4800h). */
struct cxlfm_get_dc_config_req {
	uint8_t region_count;  /* regions wanted */
	uint8_t start_region;
};
struct cxlfm_dc_config_region {
	uint64_t base;
	uint64_t decode_len;   /* bytes (the wire has 256 MiB units) */
	uint64_t length;
	uint64_t block_size;
	uint32_t dsmad_handle;
	bool sanitize_on_release;
};
struct cxlfm_get_dc_config_rsp {
	uint8_t num_regions;   /* regions the device has */
	uint8_t regions_returned;
	struct cxlfm_dc_config_region regions[CXLFM_DC_REGIONS_MAX];
	uint32_t extents_supported;
	uint32_t extents_available;
	uint32_t tags_supported;
	uint32_t tags_available;
};
int cxlfm_cmd_get_dc_config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			    const struct cxlfm_get_dc_config_req *req,
			    struct cxlfm_get_dc_config_rsp *rsp);

/* CXL r3.1 §8.2.9.9.9.2 Get Dynamic Capacity Extent List (Opcode 4801h). */
struct cxlfm_get_dc_extent_list_req {
	uint32_t extent_count; /* at most CXLFM_DC_EXTENTS_MAX */
	uint32_t start_index;
};
struct cxlfm_get_dc_extent_list_rsp {
	uint32_t returned;
	uint32_t total;
	uint32_t generation;
	struct cxlfm_dc_extent extents[CXLFM_DC_EXTENTS_MAX];
};
int cxlfm_cmd_get_dc_extent_list(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 const struct cxlfm_get_dc_extent_list_req *req,
				 struct cxlfm_get_dc_extent_list_rsp *rsp);

/* Updated Extent of Add DC Response / Release DC (CXL r3.1 §8.2.9.9.9.3). */
struct cxlfm_dc_range {
	uint64_t start_dpa;
	uint64_t length;
};
/* CXL r3.1 §8.2.9.9.9.3 Add Dynamic Capacity Response (Opcode 4802h) and
 * §8.2.9.9.9.4 Release Dynamic Capacity (Opcode 4803h). */
struct cxlfm_dc_response_req {
	uint32_t num_ranges;   /* 0 declines an offer (4802h only) */
	uint8_t flags;         /* bit0 More */
	const struct cxlfm_dc_range *ranges;
};
int cxlfm_cmd_add_dc_response(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      const struct cxlfm_dc_response_req *req);
int cxlfm_cmd_release_dc(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			 const struct cxlfm_dc_response_req *req);

/* ---- Physical Switch command set (CXL r3.1 §7.6.7.1) ---- */

/* CXL r3.1 §7.6.7.1.1 Identify Switch Device (Opcode 5100h). */
struct cxlfm_identify_switch_device_rsp {
	uint8_t ingress_port;
	uint8_t num_physical_ports;
	uint8_t num_vcs;
	uint8_t active_port_mask[32];  /* bit n: port n exists */
	uint8_t active_vcs_mask[32];
	uint16_t total_vppbs;
	uint16_t bound_vppbs;
	uint8_t num_hdm_decoders;
};
int cxlfm_cmd_identify_switch_device(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				     struct cxlfm_identify_switch_device_rsp *rsp);

/* CXL r3.1 §7.6.7.1.2 Get Physical Port State (Opcode 5101h). */
struct cxlfm_get_phys_port_state_req {
	uint8_t num_ports;
	uint8_t port_ids[CXLFM_PORTS_MAX];
};
/* Port Information Block, CXL r3.1 Table 7-19. */
#define CXLFM_PORT_STATE_DISABLED 0x0
#define CXLFM_PORT_STATE_BIND_IN_PROGRESS 0x1
#define CXLFM_PORT_STATE_UNBIND_IN_PROGRESS 0x2
#define CXLFM_PORT_STATE_DSP 0x3
#define CXLFM_PORT_STATE_USP 0x4
#define CXLFM_PORT_STATE_FABRIC 0x5
#define CXLFM_PORT_STATE_INVALID_PORT_ID 0xf
#define CXLFM_DEV_NONE 0x00
#define CXLFM_DEV_PCIE 0x01
#define CXLFM_DEV_CXL_TYPE1 0x02
#define CXLFM_DEV_CXL_TYPE2 0x03
#define CXLFM_DEV_CXL_TYPE3_SLD 0x04
#define CXLFM_DEV_CXL_TYPE3_MLD 0x05
#define CXLFM_DEV_PBR 0x06
#define CXLFM_LINK_PERST 0x0002        /* link state flags: PERST# asserted */
#define CXLFM_LINK_PRSNT 0x0004        /* presence detected */
struct cxlfm_port_info {
	uint8_t port_id;
	uint8_t config_state;          /* bits[3:0], CXLFM_PORT_STATE_* */
	uint8_t connected_dev_mode;
	uint8_t connected_dev_type;    /* CXLFM_DEV_* */
	uint8_t supported_cxl_modes;
	uint8_t max_link_width;
	uint8_t negotiated_link_width;
	uint8_t supported_link_speeds; /* vector */
	uint8_t max_link_speed;
	uint8_t current_link_speed;
	uint8_t ltssm_state;
	uint8_t first_negotiated_lane;
	uint16_t link_state_flags;     /* CXLFM_LINK_* */
	uint8_t supported_ld_count;
};
struct cxlfm_get_phys_port_state_rsp {
	uint8_t num_ports;
	struct cxlfm_port_info ports[CXLFM_PORTS_MAX];
};
int cxlfm_cmd_get_phys_port_state(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				  const struct cxlfm_get_phys_port_state_req *req,
				  struct cxlfm_get_phys_port_state_rsp *rsp);

/* CXL r3.1 §7.6.7.1.3 Physical Port Control (Opcode 5102h). */
enum cxlfm_port_op {
	CXLFM_PORT_ASSERT_PERST = 0,
	CXLFM_PORT_DEASSERT_PERST = 1,
	CXLFM_PORT_RESET_PPB = 2,
};
struct cxlfm_phys_port_control_req {
	uint8_t ppb_id;
	uint8_t port_opcode;           /* enum cxlfm_port_op */
};
int cxlfm_cmd_phys_port_control(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				const struct cxlfm_phys_port_control_req *req);

/* ---- Virtual Switch command set (CXL r3.1 §7.6.7.2) ---- */

/* CXL r3.1 §7.6.7.2.1 Get Virtual CXL Switch Info (Opcode 5200h). */
struct cxlfm_get_vcs_info_req {
	uint8_t start_vppb;
	uint8_t vppb_list_limit;       /* >= 1 */
	uint8_t num_vcs;               /* 1..CXLFM_VCS_MAX */
	uint8_t vcs_ids[CXLFM_VCS_MAX];
};
#define CXLFM_VCS_DISABLED 0x00
#define CXLFM_VCS_ENABLED 0x01
#define CXLFM_VCS_INVALID_ID 0xff
#define CXLFM_VPPB_UNBOUND 0x00
#define CXLFM_VPPB_IN_PROGRESS 0x01
#define CXLFM_VPPB_BOUND_PORT 0x02
#define CXLFM_VPPB_BOUND_LD 0x03
struct cxlfm_vppb_info {
	uint8_t status;                /* CXLFM_VPPB_* */
	uint8_t port_id;
	uint8_t ld_id;                 /* 0xff unless bound to an LD */
};
struct cxlfm_vcs_info {
	uint8_t vcs_id;
	uint8_t state;                 /* CXLFM_VCS_*; INVALID_ID: nothing else */
	uint8_t usp_id;
	uint8_t num_vppbs;             /* vPPBs of the VCS */
	uint16_t num_entries;          /* entries below: from start_vppb, up to the limit */
	struct cxlfm_vppb_info vppbs[CXLFM_VPPBS_MAX];
};
struct cxlfm_get_vcs_info_rsp {
	uint8_t num_vcs;
	struct cxlfm_vcs_info vcs[CXLFM_VCS_MAX];
};
int cxlfm_cmd_get_vcs_info(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			   const struct cxlfm_get_vcs_info_req *req,
			   struct cxlfm_get_vcs_info_rsp *rsp);

/* CXL r3.1 §7.6.7.2.2 Bind vPPB (Opcode 5201h): a background operation. */
#define CXLFM_LD_NONE 0xffff
struct cxlfm_bind_vppb_req {
	uint8_t vcs_id;
	uint8_t vppb_id;
	uint8_t port_id;
	uint16_t ld_id;                /* CXLFM_LD_NONE for a whole port */
};
int cxlfm_cmd_bind_vppb(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			const struct cxlfm_bind_vppb_req *req);

/* CXL r3.1 §7.6.7.2.3 Unbind vPPB (Opcode 5202h): a background operation. */
enum cxlfm_unbind_option {
	CXLFM_UNBIND_WAIT = 0,         /* wait for port link down */
	CXLFM_UNBIND_MANAGED = 1,      /* simulate managed hot-remove */
	CXLFM_UNBIND_SURPRISE = 2,     /* simulate surprise hot-remove */
};
struct cxlfm_unbind_vppb_req {
	uint8_t vcs_id;
	uint8_t vppb_id;
	uint8_t option;                /* enum cxlfm_unbind_option */
};
int cxlfm_cmd_unbind_vppb(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  const struct cxlfm_unbind_vppb_req *req);

/* ---- MLD Components command set (CXL r3.1 §7.6.7.4) ---- */

/* CXL r3.1 §7.6.7.4.1 Get LD Info (Opcode 5400h). */
struct cxlfm_get_ld_info_rsp {
	uint64_t memory_size;          /* bytes */
	uint16_t ld_count;
	uint8_t qos_telemetry_caps;
};
int cxlfm_cmd_get_ld_info(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  struct cxlfm_get_ld_info_rsp *rsp);

/* LD Allocation List entry (CXL r3.1 §7.6.7.4.2): multipliers of the granularity. */
struct cxlfm_ld_allocation {
	uint64_t range1;
	uint64_t range2;
};

/* CXL r3.1 §7.6.7.4.2 Get LD Allocations (Opcode 5401h). */
struct cxlfm_get_ld_allocations_req {
	uint8_t start_ld;
	uint8_t ld_list_limit;
};
struct cxlfm_get_ld_allocations_rsp {
	uint8_t num_lds;               /* LDs of the device */
	uint8_t granularity;           /* 0: 256 MiB, 1: 512 MiB, 2: 1 GiB */
	uint8_t start_ld;
	uint8_t num_entries;
	struct cxlfm_ld_allocation entries[CXLFM_LD_MAX];
};
int cxlfm_cmd_get_ld_allocations(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 const struct cxlfm_get_ld_allocations_req *req,
				 struct cxlfm_get_ld_allocations_rsp *rsp);

/* CXL r3.1 §7.6.7.4.3 Set LD Allocations (Opcode 5402h). */
struct cxlfm_set_ld_allocations_req {
	uint8_t num_entries;           /* 1..CXLFM_LD_MAX */
	uint8_t start_ld;
	struct cxlfm_ld_allocation entries[CXLFM_LD_MAX];
};
struct cxlfm_set_ld_allocations_rsp {
	uint8_t num_entries;
	uint8_t start_ld;
	struct cxlfm_ld_allocation entries[CXLFM_LD_MAX]; /* now in effect */
};
int cxlfm_cmd_set_ld_allocations(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 const struct cxlfm_set_ld_allocations_req *req,
				 struct cxlfm_set_ld_allocations_rsp *rsp);

/* ---- DCD Management command set (CXL r3.1 §7.6.7.6) ---- */

enum cxlfm_dc_selection_policy {
	CXLFM_DC_SEL_FREE = 0,
	CXLFM_DC_SEL_CONTIGUOUS = 1,
	CXLFM_DC_SEL_PRESCRIPTIVE = 2,
	CXLFM_DC_SEL_ENABLE_SHARED = 3,
};
enum cxlfm_dc_removal_policy {
	CXLFM_DC_RM_TAG_BASED = 0,
	CXLFM_DC_RM_PRESCRIPTIVE = 1,
};

/* CXL r3.1 §7.6.7.6.1 Get DCD Info (Opcode 5600h). */
struct cxlfm_get_dcd_info_rsp {
	uint8_t num_hosts;
	uint8_t num_regions;
	uint16_t add_policies;         /* bit n: selection policy n supported */
	uint16_t release_policies;     /* bit n: removal policy n supported */
	uint8_t sanitize_mask;         /* bit n: region n's sanitize flag is configurable */
	uint64_t total_capacity;       /* bytes (the wire has 256 MiB units) */
	uint64_t block_size_mask[CXLFM_DC_REGIONS_MAX]; /* bit n: 2^n bytes supported */
};
int cxlfm_cmd_get_dcd_info(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			   struct cxlfm_get_dcd_info_rsp *rsp);

/* CXL r3.1 §7.6.7.6.2 Get Host DC Region Configuration (Opcode 5601h). */
struct cxlfm_get_host_dc_region_config_req {
	uint16_t host_id;
	uint8_t region_count;
	uint8_t start_region;
};
struct cxlfm_dc_region {
	uint64_t base;
	uint64_t decode_len;           /* bytes (the wire has 256 MiB units) */
	uint64_t length;
	uint64_t block_size;
	uint8_t dsmas_flags;           /* bit2 non-volatile, 3 sharable, 4 HW coherency,
					* 5 IC-specific, 6 read-only */
	bool sanitize_on_release;
};
struct cxlfm_get_host_dc_region_config_rsp {
	uint16_t host_id;
	uint8_t num_regions;
	uint8_t regions_returned;
	struct cxlfm_dc_region regions[CXLFM_DC_REGIONS_MAX];
	uint32_t extents_supported;
	uint32_t extents_available;
	uint32_t tags_supported;
	uint32_t tags_available;
};
int cxlfm_cmd_get_host_dc_region_config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
					const struct cxlfm_get_host_dc_region_config_req *req,
					struct cxlfm_get_host_dc_region_config_rsp *rsp);

/* CXL r3.1 §7.6.7.6.3 Set DC Region Configuration (Opcode 5602h). */
struct cxlfm_set_dc_region_config_req {
	uint8_t region_id;
	uint64_t block_size;
	bool sanitize_on_release;
};
int cxlfm_cmd_set_dc_region_config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				   const struct cxlfm_set_dc_region_config_req *req);

/* CXL r3.1 §7.6.7.6.4 Get DC Region Extent Lists (Opcode 5603h). */
struct cxlfm_get_dc_region_extent_lists_req {
	uint16_t host_id;
	uint32_t extent_count;         /* at most CXLFM_DC_EXTENTS_MAX */
	uint32_t start_index;
};
struct cxlfm_get_dc_region_extent_lists_rsp {
	uint16_t host_id;
	uint32_t start_index;
	uint32_t returned;
	uint32_t total;                /* extents the host has accepted */
	uint32_t generation;
	struct cxlfm_dc_extent extents[CXLFM_DC_EXTENTS_MAX];
};
int cxlfm_cmd_get_dc_region_extent_lists(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
					 const struct cxlfm_get_dc_region_extent_lists_req *req,
					 struct cxlfm_get_dc_region_extent_lists_rsp *rsp);

/* CXL r3.1 §7.6.7.6.5 Initiate Dynamic Capacity Add (Opcode 5604h). */
struct cxlfm_initiate_dc_add_req {
	uint16_t host_id;
	uint8_t selection_policy;      /* enum cxlfm_dc_selection_policy */
	uint8_t region;                /* free / contiguous */
	uint64_t length;               /* free / contiguous */
	uint8_t tag[16];
	uint32_t num_extents;          /* prescriptive / enable shared access */
	const struct cxlfm_dc_extent *extents; /* absolute DPAs */
};
int cxlfm_cmd_initiate_dc_add(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      const struct cxlfm_initiate_dc_add_req *req);

/* CXL r3.1 §7.6.7.6.6 Initiate Dynamic Capacity Release (Opcode 5605h). */
struct cxlfm_initiate_dc_release_req {
	uint16_t host_id;
	uint8_t removal_policy;        /* enum cxlfm_dc_removal_policy */
	bool forced_removal;
	bool sanitize_on_release;
	uint8_t region;                /* tag based */
	uint64_t length;
	uint8_t tag[16];               /* tag based */
	uint32_t num_extents;          /* prescriptive */
	const struct cxlfm_dc_extent *extents;
};
int cxlfm_cmd_initiate_dc_release(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				  const struct cxlfm_initiate_dc_release_req *req);

/* ---- background operations ---- */

/*
 * Poll Background Operation Status (0002h) until no operation runs, for at
 * most timeout_ms (0: CXLFM_DEFAULT_TIMEOUT_MS). Returns 0 with *op_rc (may
 * be NULL) set to the finished operation's return code, -ETIMEDOUT if it is
 * still running, or what the status command itself returned.
 */
int cxlfm_bg_wait(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		  unsigned timeout_ms, uint16_t *op_rc);

#ifdef __cplusplus
}
#endif
#endif
