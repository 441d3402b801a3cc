/* SPDX-License-Identifier: MIT */
/* Internals shared by the type-3 device files (t3.c, t3_dcd.c, t3_mld.c). */
#ifndef CXLFM_DEV_T3_PRIV_H
#define CXLFM_DEV_T3_PRIV_H

#include "dev/t3.h"
#include "dev/t3_gen.h"
#include "dev/t3_mem_priv.h"
#include "dev/qos_model.h"
#include "proto/records.h"

#define T3_NAME_LEN 48

/* A poisoned range: 64-byte aligned, a multiple of 64 bytes (t3_media.c). */
struct t3_poison {
	uint64_t start;
	uint64_t len;
	uint8_t source; /* Media Error Record error source (CXL r3.1 §8.2.9.9.4.1) */
};

/* A range a Media Operations sanitize or zero writes when it completes; a
 * request holds at most (2048 - 8) / 16 of them. */
#define T3_MEDIA_OPS_MAX 128u
struct t3_media_range {
	uint64_t start;
	uint64_t len;
};

/*
 * Media and poison state (t3_media.c): the Poison List (4300h-4302h), the
 * poison past a full list that only Scan Media finds (4303h-4305h), the
 * results of the last scan, and the media background operations (4304h,
 * 4400h, 4402h) one at a time for the whole device, whichever CCI started
 * them.
 */
struct t3_media {
	struct t3_poison list[T3_POISON_MAX]; /* sorted by start */
	size_t nlist;
	struct t3_poison hidden[T3_POISON_MAX]; /* on the media, not listed */
	size_t nhidden;
	bool overflow;
	uint64_t overflow_ts;
	bool cursor;              /* Get Poison List "More": where the last one stopped */
	uint64_t cursor_start, cursor_len;
	size_t cursor_next;
	bool scan_ran;            /* Get Scan Media Results has something to say */
	uint64_t scan_start, scan_len;
	uint8_t scan_flags;
	struct t3_poison results[T3_POISON_MAX];
	size_t nresults, results_next;
	bool scan_stopped;        /* the scan did not reach its end */
	uint64_t restart_start, restart_len;
	struct cci *bg_cci;       /* the CCI whose background operation is ours */
	bool disabled;            /* Media Disabled: a sanitize runs or did not finish */
	struct t3_media_range ops[T3_MEDIA_OPS_MAX]; /* Media Operations in progress */
	uint32_t nops;
	uint8_t ops_fill;
};

/* Persistent memory data-at-rest security (t3_security.c, CXL r3.1 §8.2.9.9.6). */
#define T3_PASSPHRASE_LEN 32u
/* Get Security State bits (CXL r3.1 §8.2.9.9.6.1), as Linux's CXL_PMEM_SEC_STATE_*. */
#define T3_SEC_USER_SET 0x01u
#define T3_SEC_MASTER_SET 0x02u
#define T3_SEC_LOCKED 0x04u
#define T3_SEC_FROZEN 0x08u
#define T3_SEC_USER_PLIMIT 0x10u
#define T3_SEC_MASTER_PLIMIT 0x20u
struct t3_sec {
	uint32_t state;           /* Get Security State bits */
	uint8_t user[T3_PASSPHRASE_LEN];
	uint8_t master[T3_PASSPHRASE_LEN];
	unsigned user_tries, master_tries; /* wrong passphrases since reset or success */
	bool sanitizing;          /* a sanitize started and did not complete */
};

/* SLD QoS telemetry (t3_qos.c, CXL r3.1 §8.2.9.9.8). */
struct t3_sld_qos {
	uint8_t control;          /* bit0 egress port congestion, bit1 throughput reduction */
	uint8_t moderate_pct;
	uint8_t severe_pct;
	uint8_t sample_interval;
	uint8_t backpressure_pct; /* last measured egress backpressure */
};

/*
 * An MLD's QoS controls (t3_mld_qos.c, CXL r3.1 §7.6.7.4.4-.10): Set QoS
 * Control's fields and the per-LD allocation and limit fractions (x 256).
 */
struct t3_mld_qos {
	struct qos_ctl ctl;
	uint8_t alloc[T3_MAX_LD];
	uint8_t limit[T3_MAX_LD];
};


struct t3_cxlio;

struct t3_dev {
	char *id;
	struct t3_config cfg;     /* copy; cfg.id points at id */
	struct cci_ident ident;
	struct cci_timestamp ts;
	const struct cci_clock *clock;
	char host_name[T3_NAME_LEN];
	char fm_name[T3_NAME_LEN];
	char ld_name[T3_MAX_LD][T3_NAME_LEN];
	struct cci host;
	struct cci fm;
	struct cci ld[T3_MAX_LD];
	unsigned num_ld;
	struct rec_ld_alloc ld_alloc[T3_MAX_LD]; /* multipliers of the granularity */
	struct ev_logs ev;
	struct dcd *dcd;          /* NULL without DC regions */
	uint64_t dc_base;
	struct t3_media media;
	struct t3_sec sec;
	struct t3_sld_qos qos;
	struct t3_mld_qos mqos;   /* num_ld > 1 */
	uint8_t qos_load[T3_MAX_LD]; /* offered load per LD, percent (QMP x-cxl-qos) */
	t3_notify_fn notify;
	void *notify_arg;
	bool mem_fault_logged;    /* the backing memory failed once: said so */
	uint8_t *nv;              /* non-volatile state (t3_nv.c): cfg.nv_mem or nv_own */
	uint8_t *nv_own;
	bool nv_fresh;
	bool nv_fault_logged;
	struct t3_gen gen;        /* generic commands: t3_gen.c, t3_fw.c, t3_features.c */
	struct t3_mem mem;        /* t3_mem.c, t3_health.c, t3_inject.c: 40xxh-42xxh, RAS */
	struct t3_cxlio *cxlio;   /* t3_cxlio.c: LD functions' config and memory space */
};

/* t3_nv.c: at creation and destruction. */
int t3_nv_open(struct t3_dev *dev);
void t3_nv_close(struct t3_dev *dev);

/* The device a CCI belongs to. */
static inline struct t3_dev *t3_of(struct cci *cci)
{
	return cci->owner;
}

/* Device timestamp (Set Timestamp value moved on by the clock), 0 if unset. */
uint64_t t3_timestamp(const struct t3_dev *dev);

/* Command sets defined next to their handlers. */
extern const struct cci_cmd_set t3_host_dcd_set;  /* t3_dcd.c: 48xxh */
extern const struct cci_cmd_set t3_fm_dcd_set;    /* t3_dcd.c: 56xxh */
extern const struct cci_cmd_set t3_fm_mld_set;    /* t3_mld.c: 5400h-5402h */
extern const struct cci_cmd_set t3_fm_mld_qos_set; /* t3_mld_qos.c: 5403h-5409h */

extern const struct cci_cmd_set t3_media_host_set; /* t3_media.c: 43xxh, 44xxh */
extern const struct cci_cmd_set t3_media_fm_set;
extern const struct cci_cmd_set t3_media_ld_set;
extern const struct cci_cmd_set t3_sec_host_set;   /* t3_security.c: 45xxh, 46xxh */
extern const struct cci_cmd_set t3_sec_fm_set;     /* Get Security State only */
extern const struct cci_cmd_set t3_sec_ld_set;
extern const struct cci_cmd_set t3_qos_host_set;   /* t3_qos.c: 47xxh, an SLD's */
extern const struct cci_cmd_set t3_qos_fm_set;
extern const struct cci_cmd_set t3_qos_ld_set;

/*
 * t3_security.c: the security state from the non-volatile state (a user
 * passphrase locks the persistent capacity at every start). Returns 0.
 */
int t3_sec_init(struct t3_dev *dev);
/* Whether [dpa, dpa + len) touches persistent capacity the lock closes. */
bool t3_sec_locked(const struct t3_dev *dev, uint64_t dpa, uint64_t len);
/* The user passphrase is set: Sanitize refuses (CXL r3.1 §8.2.9.9.5.1). */
bool t3_sec_user_set(const struct t3_dev *dev);
/* A sanitize started (true) or completed (false): kept across restarts. */
void t3_sec_set_sanitizing(struct t3_dev *dev, bool on);
bool t3_sec_sanitizing(const struct t3_dev *dev);

/* t3_qos.c: the SLD and MLD QoS controls at their defaults, no load. */
void t3_qos_init(struct t3_dev *dev);
/* The QoS Telemetry Capabilities Identify Memory Device reports (0 for an MLD). */
uint8_t t3_qos_caps(const struct t3_dev *dev);

/* t3_media.c: the media background operation running (its opcode) or 0; and
 * whether a sanitize disabled the media (each completes one that is due). */
uint16_t t3_media_running(struct t3_dev *dev);
bool t3_media_disabled(struct t3_dev *dev);
/* t3_media.c: what a host access meets (locked, media disabled, poison); 0 if none. */
int t3_media_gate(struct t3_dev *dev, uint64_t dpa, uint64_t len, bool write);
/* Zero [dpa, dpa + len) of the media (static or DC backing): 0 or -EIO. */
int t3_media_erase(struct t3_dev *dev, uint64_t dpa, uint64_t len);
/* Poison of [dpa, dpa + len) is gone (the range was rewritten). */
void t3_media_unpoison(struct t3_dev *dev, uint64_t dpa, uint64_t len);

/* t3_cxlio.c: the LD functions at creation (-ENOMEM) and destruction. */
int t3_cxlio_init(struct t3_dev *dev);
void t3_cxlio_free(struct t3_dev *dev);

/* LD allocations at creation: capacity split evenly in 256 MiB units. */
void t3_mld_init(struct t3_dev *dev);

/*
 * Log one DC event record per extent (CXL r3.1 §8.2.9.2.1.6 Dynamic Capacity Event Record),
 * "More" on all but the last. type: 0 add, 1 release, 2 forced release.
 */
void t3_dc_events(struct t3_dev *dev, uint8_t type, const struct dcd_ext *ext, size_t n);

#endif
