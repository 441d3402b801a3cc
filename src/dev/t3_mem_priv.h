/* SPDX-License-Identifier: MIT */
/*
 * Internals of a type-3 device's memory device commands 4000h-4204h
 * (t3_mem.c: identify, partition, LSA; t3_health.c: health, alerts,
 * shutdown state) and its RAS capability (t3_inject.c), shared with t3_nv.c
 * (power on / off) and t3.c (the command sets each CCI registers).
 */
#ifndef CXLFM_DEV_T3_MEM_PRIV_H
#define CXLFM_DEV_T3_MEM_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/cci.h"
#include "dev/t3_mem.h"

struct t3_dev;

/*
 * The partitionable capacity is the persistent memdev's (bytes): part of it
 * may be volatile. active_vol of it is volatile now; next_vol becomes
 * active at the next power-on when next_pending (Set Partition Info).
 */
struct t3_partition {
	uint64_t partitionable;
	uint64_t active_vol;
	uint64_t next_vol;
	bool next_pending;
};

/* Programmable warning thresholds (Set Alert Configuration, 4202h). */
struct t3_alerts {
	uint8_t enabled;          /* T3_ALERT_* */
	uint8_t life_used;        /* percent */
	int16_t over_temp;        /* degrees Celsius */
	int16_t under_temp;
	uint16_t cor_vol;         /* corrected error counts */
	uint16_t cor_pers;
};

struct t3_health_state {
	uint8_t health_status;
	uint8_t media_status;
	uint8_t life_used;
	int16_t temperature;
	uint32_t cor_vol;
	uint32_t cor_pers;
	bool dirty;               /* shutdown state (4203h/4204h) */
	uint32_t dirty_count;
	struct t3_alerts alerts;
};

/* One uncorrectable error waiting in the RAS capability (QEMU's error list). */
struct t3_ras_ue_rec {
	uint8_t type;
	uint32_t header[T3_RAS_HEADER_DWORDS];
};

struct t3_ras {
	struct t3_ras_ue_rec *ue;  /* FIFO: the first is the First Error Pointer's */
	size_t n_ue, cap_ue;
	uint32_t ce_status;
};

struct t3_mem {
	struct t3_partition part;
	uint8_t *lsa_own;         /* the LSA without a backend (unit tests), made on
				   * the first Set LSA */
	bool lsa_fault_logged;
	struct t3_health_state health;
	struct t3_ras ras;
};

/* t3_nv.c: power on (sections loaded and checked) and power off. */
int t3_mem_power_on(struct t3_dev *dev);
/* orderly: the device shuts down cleanly (its non-volatile state is there). */
void t3_mem_power_off(struct t3_dev *dev, bool orderly);
int t3_health_power_on(struct t3_dev *dev);
void t3_health_power_off(struct t3_dev *dev, bool orderly);
void t3_ras_free(struct t3_dev *dev);

/* The memory device command sets (40xxh-42xxh), one per kind of CCI. */
extern const struct cci_cmd_set t3_mem_host_set;
extern const struct cci_cmd_set t3_mem_fm_set;
extern const struct cci_cmd_set t3_mem_ld_set;

/* t3_health.c's handlers, rows of t3_mem.c's table. */
uint16_t t3_cmd_get_health_info(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t t3_cmd_get_alert_config(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t t3_cmd_set_alert_config(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t t3_cmd_get_shutdown_state(struct cci *, const struct cci_cmd *, struct cci_call *);
uint16_t t3_cmd_set_shutdown_state(struct cci *, const struct cci_cmd *, struct cci_call *);

#endif
