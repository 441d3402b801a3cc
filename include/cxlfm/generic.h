/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm typed calls for the generic component commands an FM or a BMC
 * uses to manage a device (CXL r3.1 §8.2.9.1-§8.2.9.6) beyond those of
 * fmapi.h: Request Abort Background Operation, the MCTP event interrupt
 * policy, firmware update, the log commands 0402h-0405h and features.
 * The rules of fmapi.h hold: 0 / negative errno / positive CXL return code,
 * host byte order, *rsp written only on success, -EBADMSG for a response
 * whose length disagrees with its layout.
 */
#ifndef CXLFM_GENERIC_H
#define CXLFM_GENERIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cxlfm/fmapi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes of these commands (CXL r3.1 Table 8-34). */
#define CXLFM_RC_FW_XFER_IN_PROGRESS 0x08
#define CXLFM_RC_FW_XFER_OUT_OF_ORDER 0x09
#define CXLFM_RC_FW_VERIFY_FAILED 0x0a
#define CXLFM_RC_INVALID_SLOT 0x0b
#define CXLFM_RC_ABORTED 0x12
#define CXLFM_RC_INVALID_PAYLOAD_LENGTH 0x16
#define CXLFM_RC_INVALID_LOG 0x17
#define CXLFM_RC_UNSUPPORTED_FEATURE_VERSION 0x19
#define CXLFM_RC_UNSUPPORTED_FEATURE_SELECTION 0x1a
#define CXLFM_RC_FEATURE_XFER_IN_PROGRESS 0x1b
#define CXLFM_RC_FEATURE_XFER_OUT_OF_ORDER 0x1c
#define CXLFM_RC_REQUEST_ABORT_NOT_SUPPORTED 0x20

/* CXL r3.1 §8.2.9.1.5 Request Abort Background Operation (Opcode 0005h). */
int cxlfm_cmd_request_bg_abort(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun);

/* ---- MCTP event notifications (CXL r3.1 §8.2.9.2.6, §8.2.9.2.7) ---- */

/* Event Interrupt Settings: bit (1 << enum cxlfm_event_log) per log. */
struct cxlfm_mctp_event_int_policy {
	uint16_t settings;
};
/* Get MCTP Event Interrupt Policy (Opcode 0104h). */
int cxlfm_cmd_get_mctp_event_int_policy(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
					struct cxlfm_mctp_event_int_policy *rsp);
/* Set MCTP Event Interrupt Policy (Opcode 0105h). */
int cxlfm_cmd_set_mctp_event_int_policy(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
					const struct cxlfm_mctp_event_int_policy *req);

/* ---- firmware update (CXL r3.1 §8.2.9.3) ---- */

#define CXLFM_FW_SLOTS_MAX 4
#define CXLFM_FW_REV_LEN 16

/* Get FW Info (Opcode 0200h). */
struct cxlfm_get_fw_info_rsp {
	uint8_t slots_supported;
	uint8_t active_slot;
	uint8_t staged_slot;           /* activated at the next cold reset; 0: none */
	bool online_activation;        /* Activate FW online is supported */
	/* per slot (index 0 = slot 1), NUL-terminated; "" when the slot holds none */
	char rev[CXLFM_FW_SLOTS_MAX][CXLFM_FW_REV_LEN + 1];
};
int cxlfm_cmd_get_fw_info(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  struct cxlfm_get_fw_info_rsp *rsp);

/* Transfer FW actions. */
enum cxlfm_fw_action {
	CXLFM_FW_XFER_FULL = 0,
	CXLFM_FW_XFER_INIT = 1,
	CXLFM_FW_XFER_CONTINUE = 2,
	CXLFM_FW_XFER_END = 3,
	CXLFM_FW_XFER_ABORT = 4,
};
/* Transfer FW (Opcode 0201h): usually a background operation (CXLFM_RC_BG_STARTED). */
struct cxlfm_transfer_fw_req {
	uint8_t action;                /* enum cxlfm_fw_action */
	uint8_t slot;                  /* full / end: the slot to store the package in */
	uint32_t offset;               /* bytes into the package, a multiple of 128 */
	const void *data;
	size_t len;
};
int cxlfm_cmd_transfer_fw(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  const struct cxlfm_transfer_fw_req *req);

/* Activate FW (Opcode 0202h): online is usually a background operation. */
enum cxlfm_fw_activation {
	CXLFM_FW_ACTIVATE_ONLINE = 0,
	CXLFM_FW_ACTIVATE_ON_RESET = 1, /* at the next cold reset */
};
struct cxlfm_activate_fw_req {
	uint8_t action;                /* enum cxlfm_fw_activation */
	uint8_t slot;
};
int cxlfm_cmd_activate_fw(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  const struct cxlfm_activate_fw_req *req);

/*
 * Transfer a whole package into slot: one Full transfer when it fits a
 * request, else Initiate / Continue / End in parts as large as the
 * component (and the tunnel) takes, each waited for (cxlfm_bg_wait). Returns
 * 0 once the component stored it; a positive CXL code from a command or
 * from a part's background operation (FW Verification Failed: the package
 * was refused), with an open partial transfer aborted; or a negative errno.
 */
int cxlfm_fw_update(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint8_t slot,
		    const void *pkg, size_t len);

/*
 * A firmware package as cxl-emu's type-3 devices take it (docs/cxl-emu.md):
 * a 32-byte header with revision rev (1-16 printable ASCII characters) and
 * the payload's CRC-32, then payload. Returns its length, -EINVAL for a bad
 * revision or -EMSGSIZE when out_max is too small.
 */
long cxlfm_fw_package(const char *rev, const void *payload, size_t len, void *out,
		      size_t out_max);

/* ---- logs (CXL r3.1 §8.2.9.5) ---- */

/* The Vendor Debug Log: 5e1819d9-11a9-400c-811f-d60719403d86 (CXL r3.1 Table 8-71). */
extern const uint8_t cxlfm_vendor_debug_log_uuid[16];

/* Get Log Capabilities (Opcode 0402h) parameter flags. */
#define CXLFM_LOG_CAP_CLEAR (1u << 0)
#define CXLFM_LOG_CAP_POPULATE (1u << 1)
#define CXLFM_LOG_CAP_AUTO_POPULATE (1u << 2)
#define CXLFM_LOG_CAP_PERSISTENT (1u << 3)
struct cxlfm_get_log_caps_rsp {
	uint32_t flags;                /* CXLFM_LOG_CAP_* */
};
int cxlfm_cmd_get_log_caps(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			   const uint8_t uuid[16], struct cxlfm_get_log_caps_rsp *rsp);
/* Clear Log (Opcode 0403h). */
int cxlfm_cmd_clear_log(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			const uint8_t uuid[16]);
/* Populate Log (Opcode 0404h). */
int cxlfm_cmd_populate_log(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			   const uint8_t uuid[16]);

/* Get Supported Logs Sub-List (Opcode 0405h). */
struct cxlfm_get_supported_logs_sublist_req {
	uint8_t max_entries;
	uint8_t start_index;
};
struct cxlfm_get_supported_logs_sublist_rsp {
	uint8_t num_entries;
	uint16_t total_entries;        /* logs the component supports */
	uint8_t start_index;
	struct cxlfm_log_entry entries[CXLFM_LOGS_MAX];
};
int cxlfm_cmd_get_supported_logs_sublist(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
	const struct cxlfm_get_supported_logs_sublist_req *req,
	struct cxlfm_get_supported_logs_sublist_rsp *rsp);

/* ---- features (CXL r3.1 §8.2.9.6) ---- */

/* entries in one response: 8-byte header, 48-byte entries */
#define CXLFM_FEATURES_MAX ((CXLFM_MSG_SIZE_MAX - 8) / 48)
#define CXLFM_FEATURE_DATA_MAX CXLFM_MSG_SIZE_MAX

/* Feature UUIDs, wire order: Device Patrol Scrub Control (r3.1 §8.2.9.9.11.1)
 * and DDR5 Error Check Scrub Control (§8.2.9.9.11.2). */
extern const uint8_t cxlfm_feature_patrol_scrub_uuid[16];
extern const uint8_t cxlfm_feature_ecs_uuid[16];

/* Supported Feature Entry attribute flags. */
#define CXLFM_FEATURE_CHANGEABLE (1u << 0)
#define CXLFM_FEATURE_RESET_PERSISTENCE(attrs) (((attrs) >> 1) & 7u)
#define CXLFM_FEATURE_PERSIST_FW_UPDATE (1u << 4)
#define CXLFM_FEATURE_DEFAULT_SEL (1u << 5)
#define CXLFM_FEATURE_SAVED_SEL (1u << 6)

/* Get Supported Features (Opcode 0500h). */
struct cxlfm_get_supported_features_req {
	uint16_t start_index;
	uint16_t max_entries;          /* 0 .. CXLFM_FEATURES_MAX */
};
struct cxlfm_feature_entry {
	uint8_t uuid[16];
	uint16_t index;
	uint16_t get_size;             /* Get Feature data bytes */
	uint16_t set_size;             /* Set Feature data bytes (0: not settable) */
	uint32_t attrs;                /* CXLFM_FEATURE_* */
	uint8_t get_version;
	uint8_t set_version;
	uint16_t set_effects;          /* Command Effect bits of a Set Feature */
};
struct cxlfm_get_supported_features_rsp {
	uint16_t num_entries;
	uint16_t device_features;      /* features the device supports in all */
	struct cxlfm_feature_entry entries[CXLFM_FEATURES_MAX];
};
int cxlfm_cmd_get_supported_features(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				     const struct cxlfm_get_supported_features_req *req,
				     struct cxlfm_get_supported_features_rsp *rsp);

/* Get Feature (Opcode 0501h). */
enum cxlfm_feature_sel {
	CXLFM_FEATURE_SEL_CURRENT = 0,
	CXLFM_FEATURE_SEL_DEFAULT = 1,
	CXLFM_FEATURE_SEL_SAVED = 2,
};
struct cxlfm_get_feature_req {
	uint8_t uuid[16];
	uint16_t offset;
	uint16_t count;                /* at most CXLFM_FEATURE_DATA_MAX */
	uint8_t selection;             /* enum cxlfm_feature_sel */
};
struct cxlfm_get_feature_rsp {
	uint16_t length;               /* bytes in data, at most req.count */
	uint8_t data[CXLFM_FEATURE_DATA_MAX];
};
int cxlfm_cmd_get_feature(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  const struct cxlfm_get_feature_req *req,
			  struct cxlfm_get_feature_rsp *rsp);

/* Set Feature (Opcode 0502h). */
enum cxlfm_feature_action {
	CXLFM_FEATURE_XFER_FULL = 0,
	CXLFM_FEATURE_XFER_INIT = 1,
	CXLFM_FEATURE_XFER_CONTINUE = 2,
	CXLFM_FEATURE_XFER_FINISH = 3,
	CXLFM_FEATURE_XFER_ABORT = 4,
};
struct cxlfm_set_feature_req {
	uint8_t uuid[16];
	uint8_t action;                /* enum cxlfm_feature_action */
	bool saved;                    /* Saved Across Reset: kept after a restart */
	uint16_t offset;
	uint8_t version;               /* the feature's Set Feature version */
	const void *data;
	size_t len;
};
int cxlfm_cmd_set_feature(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  const struct cxlfm_set_feature_req *req);

#ifdef __cplusplus
}
#endif
#endif
