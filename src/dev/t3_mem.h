/* SPDX-License-Identifier: MIT */
/*
 * A type-3 device's memory device state beyond capacity, as the host and
 * QMP see it: the volatile / persistent partition (4100h/4101h), health
 * and alerts (4200h-4202h), the shutdown state and dirty shutdown count
 * (4203h/4204h), the DRAM and Memory Module event records QMP injects, and
 * the RAS capability's error registers (CXL r3.1 §8.2.4.17) that QEMU's
 * cxl-inject-uncorrectable-errors / cxl-inject-correctable-error set.
 *
 * The commands themselves are the device's command sets (t3_mem.c,
 * t3_health.c); what survives a restart is in its non-volatile state
 * (dev/t3_nv.h): the partition, the shutdown state and count, the alert
 * configuration, life used, health and media status and the corrected
 * error counts (the temperature is a reading, not state).
 */
#ifndef CXLFM_DEV_T3_MEM_H
#define CXLFM_DEV_T3_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/events.h"
#include "proto/records.h"

struct t3_dev;

/*
 * The notify callback (t3_set_notify) gets this instead of an event log
 * when the RAS capability's status changed: the host's error handler runs
 * (an AER interrupt on a real host).
 */
#define T3_NOTIFY_RAS EV_LOG_COUNT

/* The active volatile and persistent capacity in bytes (Get Partition Info). */
void t3_partition_active(const struct t3_dev *dev, uint64_t *volatile_bytes,
			 uint64_t *persistent_bytes);

/* ---- health (Get Health Info, 4200h) ---- */

/* Programmable alerts (Get/Set Alert Configuration bits, CXL r3.1 §8.2.9.9.3.2). */
#define T3_ALERT_LIFE_USED 0x01u
#define T3_ALERT_OVER_TEMP 0x02u
#define T3_ALERT_UNDER_TEMP 0x04u
#define T3_ALERT_COR_VOL 0x08u
#define T3_ALERT_COR_PERS 0x10u
#define T3_ALERTS_ALL 0x1fu

/* The device's fixed critical thresholds, QEMU's (hw/mem/cxl_type3.c). */
#define T3_LIFE_USED_CRIT 75
#define T3_OVER_TEMP_CRIT 35
#define T3_UNDER_TEMP_CRIT 10

/* What Get Health Info answers (Additional Status from the values and the
 * thresholds), and the shutdown state. */
struct t3_health {
	struct rec_health_info info;
	bool shutdown_dirty;
};
void t3_health_get(const struct t3_dev *dev, struct t3_health *out);

/* The values QMP x-cxl-health sets (has_*: change it). */
struct t3_health_update {
	bool has_health_status, has_media_status, has_life_used, has_temperature;
	bool has_cor_vol, has_cor_pers;
	uint8_t health_status;    /* bits 0-2 */
	uint8_t media_status;     /* 00h-09h */
	uint8_t life_used;        /* 0-100, or FFh: not reported */
	int16_t temperature;      /* -1 (FFFFh): not reported */
	uint32_t cor_vol;
	uint32_t cor_pers;
};
/*
 * Change health values as the device's sensors would. Each Additional
 * Status indicator that crosses a threshold, and a health or media status
 * change, logs a Memory Module Event (docs/cxl-emu.md says in which log).
 * Returns 0, or -EINVAL (err says why; nothing changed).
 */
int t3_health_set(struct t3_dev *dev, const struct t3_health_update *u, char *err,
		  size_t errlen);

/* ---- injected event records (QEMU's qapi/cxl.json) ---- */

/* Common Event Record fields the injection commands take. */
struct t3_event_common {
	unsigned log;             /* EV_LOG_INFO..EV_LOG_FATAL */
	uint32_t flags;           /* Event Record Flags (24 bits) */
};

/* cxl-inject-dram-event: DRAM Event Record, CXL r3.1 §8.2.9.2.1.2. */
struct t3_dram_event {
	struct t3_event_common c;
	uint64_t dpa;
	uint8_t descriptor, type, transaction_type;
	bool has_channel, has_rank, has_nibble_mask, has_bank_group, has_bank;
	bool has_row, has_column;
	uint8_t channel, rank;
	uint32_t nibble_mask;     /* 24 bits */
	uint8_t bank_group, bank;
	uint32_t row;             /* 24 bits */
	uint16_t column;
	size_t n_correction_mask; /* 0: none; at most 4 are recorded */
	const uint64_t *correction_mask;
};
int t3_inject_dram_event(struct t3_dev *dev, const struct t3_dram_event *ev, char *err,
			 size_t errlen);

/* cxl-inject-memory-module-event: Memory Module Event Record, §8.2.9.2.1.3. */
struct t3_mem_module_event {
	struct t3_event_common c;
	uint8_t type;
	uint8_t health_status, media_status, additional_status, life_used;
	int16_t temperature;
	uint32_t dirty_shutdown_count;
	uint32_t corrected_volatile_errors;
	uint32_t corrected_persistent_errors;
};
int t3_inject_mem_module_event(struct t3_dev *dev, const struct t3_mem_module_event *ev,
			       char *err, size_t errlen);

/* ---- RAS capability (CXL r3.1 §8.2.4.17) ---- */

#define T3_RAS_HEADER_DWORDS 16   /* Header Log: 512 bits */

/* Uncorrectable Error Status bits (CXL r3.1 §8.2.4.17.1), QEMU's CxlUncorErrorType. */
enum t3_ras_ue_type {
	T3_UE_CACHE_DATA_PARITY = 0,
	T3_UE_CACHE_ADDRESS_PARITY = 1,
	T3_UE_CACHE_BE_PARITY = 2,
	T3_UE_CACHE_DATA_ECC = 3,
	T3_UE_MEM_DATA_PARITY = 4,
	T3_UE_MEM_ADDRESS_PARITY = 5,
	T3_UE_MEM_BE_PARITY = 6,
	T3_UE_MEM_DATA_ECC = 7,
	T3_UE_REINIT_THRESHOLD = 8,
	T3_UE_RSVD_ENCODING = 9,
	T3_UE_POISON_RECEIVED = 10,
	T3_UE_RECEIVER_OVERFLOW = 11,
	T3_UE_INTERNAL = 14,
	T3_UE_CXL_IDE_TX = 15,
	T3_UE_CXL_IDE_RX = 16,
};

/* Correctable Error Status bits (§8.2.4.17.4), QEMU's CxlCorErrorType. */
enum t3_ras_ce_type {
	T3_CE_CACHE_DATA_ECC = 0,
	T3_CE_MEM_DATA_ECC = 1,
	T3_CE_CRC_THRESHOLD = 2,
	T3_CE_RETRY_THRESHOLD = 3,
	T3_CE_CACHE_POISON_RECEIVED = 4,
	T3_CE_MEM_POISON_RECEIVED = 5,
	T3_CE_PHYSICAL = 6,
};

struct t3_ras_ue {
	unsigned type;            /* enum t3_ras_ue_type */
	size_t n_header;          /* DWORDs given, at most T3_RAS_HEADER_DWORDS */
	const uint32_t *header;
};
/*
 * cxl-inject-uncorrectable-errors: queue the errors; the status register
 * shows every queued type, the First Error Pointer and Header Log the
 * oldest. The host is signalled when the queue was empty. Returns 0, or
 * -EINVAL (a type that is not a status bit, a header over 16 DWORDs;
 * nothing queued).
 */
int t3_inject_uncorrectable(struct t3_dev *dev, const struct t3_ras_ue *e, size_t n,
			    char *err, size_t errlen);
/* cxl-inject-correctable-error: set the type's status bit, signal the host. */
int t3_inject_correctable(struct t3_dev *dev, unsigned type, char *err, size_t errlen);

/* The registers as the host's error handler reads them. */
struct t3_ras_regs {
	uint32_t ue_status;
	uint8_t first_error;      /* First Error Pointer: a status bit number */
	uint32_t header[T3_RAS_HEADER_DWORDS];
	uint32_t ce_status;
	size_t queued;            /* uncorrectable errors waiting, the first included */
};
void t3_ras_read(const struct t3_dev *dev, struct t3_ras_regs *r);
/*
 * Write 1s to clear the Uncorrectable Error Status (QEMU's semantics):
 * exactly the First Error Pointer's bit drops the first error; several bits
 * drop every queued error of those types. The next error then fills the
 * registers.
 */
void t3_ras_clear_ue(struct t3_dev *dev, uint32_t bits);
void t3_ras_clear_ce(struct t3_dev *dev, uint32_t bits);

#endif
