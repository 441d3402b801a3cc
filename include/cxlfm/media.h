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

/* ---- General Media and DRAM Event Records (CXL r3.1 §8.2.9.2.1.1, §8.2.9.2.1.2) ---- */

/* Physical Address flags (the address's bits[5:0]). */
#define CXLFM_MEDIA_EV_DPA_VOLATILE 0x01
#define CXLFM_MEDIA_EV_DPA_NOT_REPAIRABLE 0x02
/* Memory Event Descriptor bits. */
#define CXLFM_MEDIA_EV_UNCORRECTABLE 0x01
#define CXLFM_MEDIA_EV_THRESHOLD 0x02
#define CXLFM_MEDIA_EV_POISON_LIST_OVERFLOW 0x04
/* Transaction Type (both records). */
enum cxlfm_media_ev_transaction {
	CXLFM_MEDIA_EV_TXN_UNKNOWN = 0,
	CXLFM_MEDIA_EV_TXN_HOST_READ = 1,
	CXLFM_MEDIA_EV_TXN_HOST_WRITE = 2,
	CXLFM_MEDIA_EV_TXN_HOST_SCAN_MEDIA = 3,
	CXLFM_MEDIA_EV_TXN_HOST_INJECT_POISON = 4,
	CXLFM_MEDIA_EV_TXN_INTERNAL_MEDIA_SCRUB = 5,
	CXLFM_MEDIA_EV_TXN_INTERNAL_MEDIA_MANAGEMENT = 6,
	CXLFM_MEDIA_EV_TXN_INTERNAL_MEDIA_ECS = 7,  /* error check scrub */
	CXLFM_MEDIA_EV_TXN_MEDIA_INITIALIZATION = 8,
};
/* Validity flags of a General Media Event Record: which fields hold a value. */
#define CXLFM_GEN_MEDIA_VALID_CHANNEL 0x0001
#define CXLFM_GEN_MEDIA_VALID_RANK 0x0002
#define CXLFM_GEN_MEDIA_VALID_DEVICE 0x0004
#define CXLFM_GEN_MEDIA_VALID_COMPONENT 0x0008
#define CXLFM_GEN_MEDIA_VALID_COMPONENT_PLDM 0x0010 /* component_id in PLDM format */
/* ... of a DRAM Event Record. */
#define CXLFM_DRAM_VALID_CHANNEL 0x0001
#define CXLFM_DRAM_VALID_RANK 0x0002
#define CXLFM_DRAM_VALID_NIBBLE_MASK 0x0004
#define CXLFM_DRAM_VALID_BANK_GROUP 0x0008
#define CXLFM_DRAM_VALID_BANK 0x0010
#define CXLFM_DRAM_VALID_ROW 0x0020
#define CXLFM_DRAM_VALID_COLUMN 0x0040
#define CXLFM_DRAM_VALID_CORRECTION_MASK 0x0080
#define CXLFM_DRAM_VALID_COMPONENT 0x0100
#define CXLFM_DRAM_VALID_COMPONENT_PLDM 0x0200
#define CXLFM_DRAM_VALID_SUB_CHANNEL 0x0400

/*
 * What General Media and DRAM Event Records share: where the event was and
 * what it was. Fields whose validity flag is clear hold what the record
 * holds (zero from a well-behaved device).
 */
struct cxlfm_media_event {
	uint64_t dpa;                 /* 64-byte aligned: the flags masked off */
	uint8_t dpa_flags;            /* CXLFM_MEDIA_EV_DPA_* */
	uint8_t descriptor;           /* CXLFM_MEDIA_EV_UNCORRECTABLE ... */
	uint8_t type;                 /* memory event type, as each record defines it */
	uint8_t transaction_type;     /* enum cxlfm_media_ev_transaction */
	uint16_t validity;            /* CXLFM_GEN_MEDIA_VALID_* or CXLFM_DRAM_VALID_* */
	uint8_t channel;              /* valid: bit0 of both */
	uint8_t rank;                 /* valid: bit1 of both */
};

/*
 * General Media Event Record: an error (or a threshold) at a device
 * physical address. Memory event types: 00h media ECC error, 01h invalid
 * address, 02h data path error, 03h TE state violation, 04h scrub media ECC
 * error, 05h advanced programmable CME counter expiration, 06h CKID
 * violation.
 */
struct cxlfm_gen_media_event {
	struct cxlfm_media_event media;
	uint32_t device;              /* 24 bits */
	uint8_t component_id[16];
	uint8_t cme_flags;            /* advanced programmable CME threshold event flags */
	uint32_t cme_count;           /* corrected memory errors at the event, 24 bits */
	uint8_t sub_type;             /* memory event sub-type */
};
/* General Media Event Record UUID fbcd0a77-c260-417f-85a9-088b1621eba6, wire order. */
extern const uint8_t cxlfm_gen_media_event_uuid[16];
/* Decode a General Media Event Record; -EINVAL if rec is another kind of record. */
int cxlfm_gen_media_event_decode(const struct cxlfm_event_record *rec,
				 struct cxlfm_gen_media_event *out);

/*
 * DRAM Event Record: a DRAM error, located down to the bit. Memory event
 * types: 00h media ECC error, 01h scrub media ECC error, 02h invalid
 * address, 03h data path error, 04h TE state violation, 05h advanced
 * programmable CME counter expiration, 06h CKID violation.
 */
#define CXLFM_DRAM_CORRECTION_MASKS 4
struct cxlfm_dram_event {
	struct cxlfm_media_event media;
	uint32_t nibble_mask;         /* 24 bits */
	uint8_t bank_group;
	uint8_t bank;
	uint32_t row;                 /* 24 bits */
	uint16_t column;
	uint64_t correction_mask[CXLFM_DRAM_CORRECTION_MASKS];
	uint8_t component_id[16];
	uint8_t sub_channel;
	uint8_t cme_flags;
	uint32_t cvme_count;          /* corrected volatile memory errors at the event */
	uint8_t sub_type;
};
/* DRAM Event Record UUID 601dcbb3-9c06-4eab-b8af-4e9bfb5c9624, wire order. */
extern const uint8_t cxlfm_dram_event_uuid[16];
/* Decode a DRAM Event Record; -EINVAL if rec is another kind of record. */
int cxlfm_dram_event_decode(const struct cxlfm_event_record *rec, struct cxlfm_dram_event *out);

#ifdef __cplusplus
}
#endif
#endif
