/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm typed calls for a memory device's media, security state and
 * SLD QoS: what a BMC or FM watches and manages over MCTP (the FM-owned LD,
 * or an LD through a tunnel) on the type-3 devices cxl-emu models. Poison
 * list, inject and clear (CXL r3.1 §8.2.9.9.4), scan media, sanitize and
 * secure erase (§8.2.9.9.5; a sanitize's progress is Background Operation
 * Status: cxlfm_cmd_bg_op_status() or cxlfm_bg_wait() of fmapi.h), the
 * security state (§8.2.9.9.6.1) and SLD QoS (§8.2.9.9.8).
 *
 * The rules of fmapi.h hold: 0, a negative errno, or the positive CXL
 * return code; host byte order; lengths in bytes where the wire counts
 * 64-byte lines; a response whose counts disagree with its length is
 * -EBADMSG.
 */
#ifndef CXLFM_MEDIA_H
#define CXLFM_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cxlfm/fmapi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Media Error Records one response carries at most (32-byte header, 16-byte records). */
#define CXLFM_MEDIA_ERR_MAX ((CXLFM_MSG_SIZE_MAX - 32) / 16)

/* Error Source of a Media Error Record (CXL r3.1 §8.2.9.9.4.1). */
enum cxlfm_media_err_source {
	CXLFM_MEDIA_ERR_UNKNOWN = 0,
	CXLFM_MEDIA_ERR_EXTERNAL = 1,
	CXLFM_MEDIA_ERR_INTERNAL = 2,
	CXLFM_MEDIA_ERR_INJECTED = 3,
	CXLFM_MEDIA_ERR_VENDOR = 7,
};

/* A Media Error Record: a poisoned range. */
struct cxlfm_media_err {
	uint64_t dpa;    /* 64-byte aligned */
	uint64_t length; /* bytes, a multiple of 64 */
	uint8_t source;  /* enum cxlfm_media_err_source */
};

/* Get Poison List output flags. */
#define CXLFM_POISON_MORE 0x01         /* ask again with the same range for the rest */
#define CXLFM_POISON_OVERFLOW 0x02     /* the list lost entries: overflow_ts says when */
#define CXLFM_POISON_SCAN_RUNNING 0x04 /* a Scan Media is in progress */

/* CXL r3.1 §8.2.9.9.4.1 Get Poison List (Opcode 4300h): one response. */
struct cxlfm_get_poison_list_req {
	uint64_t start_dpa; /* 64-byte aligned */
	uint64_t length;    /* bytes, a multiple of 64 */
};
struct cxlfm_get_poison_list_rsp {
	uint8_t flags;        /* CXLFM_POISON_* */
	uint64_t overflow_ts; /* device timestamp of the overflow */
	uint16_t num_records;
	struct cxlfm_media_err records[CXLFM_MEDIA_ERR_MAX];
};
int cxlfm_cmd_get_poison_list(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      const struct cxlfm_get_poison_list_req *req,
			      struct cxlfm_get_poison_list_rsp *rsp);

/*
 * The whole poison list of a range: Get Poison List again while More is
 * set. Up to max records go to recs; *n gets how many the device listed
 * (more than max: the rest were not kept), *flags (may be NULL) the
 * overflow and scan bits, *overflow_ts (may be NULL) the overflow time.
 * A device that says More without giving a record is -EBADMSG.
 */
int cxlfm_poison_list(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint64_t start_dpa,
		      uint64_t length, struct cxlfm_media_err *recs, size_t max, size_t *n,
		      uint8_t *flags, uint64_t *overflow_ts);

/* CXL r3.1 §8.2.9.9.4.2 Inject Poison (Opcode 4301h): one 64-byte line. */
struct cxlfm_inject_poison_req {
	uint64_t dpa;
};
int cxlfm_cmd_inject_poison(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			    const struct cxlfm_inject_poison_req *req);

/* CXL r3.1 §8.2.9.9.4.3 Clear Poison (Opcode 4302h): the line gets data. */
struct cxlfm_clear_poison_req {
	uint64_t dpa;
	uint8_t data[64];
};
int cxlfm_cmd_clear_poison(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			   const struct cxlfm_clear_poison_req *req);

/* CXL r3.1 §8.2.9.9.4.4 Get Scan Media Capabilities (Opcode 4303h). */
struct cxlfm_get_scan_media_caps_req {
	uint64_t start_dpa;
	uint64_t length; /* bytes */
};
struct cxlfm_get_scan_media_caps_rsp {
	uint32_t estimated_ms;
};
int cxlfm_cmd_get_scan_media_caps(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				  const struct cxlfm_get_scan_media_caps_req *req,
				  struct cxlfm_get_scan_media_caps_rsp *rsp);

/* CXL r3.1 §8.2.9.9.4.5 Scan Media (Opcode 4304h): background (CXLFM_RC_BG_STARTED). */
struct cxlfm_scan_media_req {
	uint64_t start_dpa;
	uint64_t length;   /* bytes */
	bool no_event_log; /* no General Media Event per error found */
};
int cxlfm_cmd_scan_media(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			 const struct cxlfm_scan_media_req *req);

/* Get Scan Media Results output flags. */
#define CXLFM_SCAN_MORE 0x01    /* more records: ask again */
#define CXLFM_SCAN_STOPPED 0x02 /* the scan stopped early: restart_* say where */

/* CXL r3.1 §8.2.9.9.4.6 Get Scan Media Results (Opcode 4305h); records are consumed. */
struct cxlfm_get_scan_media_results_rsp {
	uint64_t restart_dpa;
	uint64_t restart_length; /* bytes */
	uint8_t flags;           /* CXLFM_SCAN_* */
	uint16_t num_records;
	struct cxlfm_media_err records[CXLFM_MEDIA_ERR_MAX];
};
int cxlfm_cmd_get_scan_media_results(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				     struct cxlfm_get_scan_media_results_rsp *rsp);

/* CXL r3.1 §8.2.9.9.5.1 Sanitize (Opcode 4400h): background (CXLFM_RC_BG_STARTED). */
int cxlfm_cmd_sanitize(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun);
/* CXL r3.1 §8.2.9.9.5.2 Secure Erase (Opcode 4401h). */
int cxlfm_cmd_secure_erase(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun);

/* Security state bits (CXL r3.1 §8.2.9.9.6.1). */
#define CXLFM_SEC_USER_PASS_SET 0x01
#define CXLFM_SEC_MASTER_PASS_SET 0x02
#define CXLFM_SEC_LOCKED 0x04
#define CXLFM_SEC_FROZEN 0x08
#define CXLFM_SEC_USER_PASS_LIMIT 0x10   /* user passphrase attempt count reached */
#define CXLFM_SEC_MASTER_PASS_LIMIT 0x20 /* master passphrase attempt count reached */

/* CXL r3.1 §8.2.9.9.6.1 Get Security State (Opcode 4500h). */
struct cxlfm_get_security_state_rsp {
	uint32_t state; /* CXLFM_SEC_* */
};
int cxlfm_cmd_get_security_state(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 struct cxlfm_get_security_state_rsp *rsp);

/* SLD QoS Telemetry Control bits. */
#define CXLFM_SLD_QOS_EGRESS_CONGESTION 0x01
#define CXLFM_SLD_QOS_THROUGHPUT_REDUCTION 0x02

/* CXL r3.1 §8.2.9.9.8.1/2 Get / Set SLD QoS Control (Opcodes 4700h, 4701h). */
struct cxlfm_sld_qos_control {
	uint8_t control;            /* CXLFM_SLD_QOS_* */
	uint8_t egress_moderate_pct; /* 1-100 */
	uint8_t egress_severe_pct;   /* 1-100 */
	uint8_t sample_interval;     /* backpressure sample interval, 0-15 */
};
int cxlfm_cmd_get_sld_qos_control(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				  struct cxlfm_sld_qos_control *rsp);
int cxlfm_cmd_set_sld_qos_control(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				  const struct cxlfm_sld_qos_control *req);

/* CXL r3.1 §8.2.9.9.8.3 Get SLD QoS Status (Opcode 4702h). */
struct cxlfm_get_sld_qos_status_rsp {
	uint8_t backpressure_avg_pct;
};
int cxlfm_cmd_get_sld_qos_status(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 struct cxlfm_get_sld_qos_status_rsp *rsp);

#ifdef __cplusplus
}
#endif
#endif
