/* SPDX-License-Identifier: MIT */
/*
 * The host agent plays the target OS's CXL driver for one type-3 device.
 * Like Linux's cxl_pci (drivers/cxl/core/mbox.c) it talks to the device
 * through its host mailbox CCI (host_cci: a type-3 device's t3_host_cci()),
 * and to its RAS capability registers as cxl_pci's AER handlers do:
 *   - when it binds the device (the host first runs): Identify Memory
 *     Device and Get Partition Info; with persistent capacity Set Shutdown
 *     State dirty and Get Health Info for the dirty shutdown count; then
 *     every event log read;
 *   - on each event notification (an MSI in a real host; it never polls):
 *     the RAS errors read and cleared, then every event log read until
 *     empty and cleared (Get / Clear Event Records), fatal first. Dynamic
 *     Capacity records are answered like Linux's DCD support: Add Dynamic
 *     Capacity Response (4802h) for Add Capacity, Release Dynamic Capacity
 *     (4803h) for Release Capacity.
 * It writes a test pattern into accepted capacity so data integrity can be
 * checked later.
 */
#ifndef CXLFM_EMU_HOST_AGENT_H
#define CXLFM_EMU_HOST_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct cci;
struct host_agent;

enum ha_policy {
	HA_ACCEPT = 0, /* accept every offered extent (Linux default) */
	HA_REJECT,     /* answer offers with an empty Add DC Response */
	HA_MANUAL,     /* hold offers until accepted or rejected over QMP */
};

struct ha_extent {
	uint64_t dpa;
	uint64_t len;
};

struct ha_ops {
	/* Host write into device memory at dpa (the device checks the range). */
	int (*mem_write)(void *arg, uint64_t dpa, const void *buf, size_t len);
	int (*mem_read)(void *arg, uint64_t dpa, void *buf, size_t len);
	/* Something the FM may want to know: "accepted", "released" ... */
	void (*changed)(void *arg, const char *what, const struct ha_extent *e, size_t n);
};

int ha_new(struct loop *loop, const char *dev_id, struct cci *host_cci,
	   const struct ha_ops *ops, void *arg, struct host_agent **out);
void ha_free(struct host_agent *ha);

/* The device signalled (an event log, or its RAS capability): read and clear
 * everything (after the configured delay). */
void ha_notify(struct host_agent *ha);
/* The VM stops (-S, QMP stop) or runs (cont): a stopped host answers
 * nothing until it runs again. Agents start running. */
void ha_set_running(struct host_agent *ha, bool running);

int ha_policy_parse(const char *s, enum ha_policy *out);
const char *ha_policy_name(enum ha_policy p);
void ha_set_policy(struct host_agent *ha, enum ha_policy p, uint64_t delay_ns);
enum ha_policy ha_get_policy(const struct host_agent *ha);
uint64_t ha_get_delay_ns(const struct host_agent *ha);

/* Manual policy: offers waiting, oldest first. */
size_t ha_offers(const struct host_agent *ha, size_t i, const struct ha_extent **ext);
size_t ha_offer_count(const struct host_agent *ha);
/*
 * Answer the oldest offer: accept the listed ranges (n = 0: decline it).
 * Returns the CXL return code of the Add DC Response, or -ENOENT.
 */
int ha_answer_offer(struct host_agent *ha, const struct ha_extent *accept, size_t n);

/* Extents the host holds now (Get Dynamic Capacity Extent List, 4801h). */
int ha_list(struct host_agent *ha, struct ha_extent *out, size_t max, size_t *n,
	    uint32_t *generation);
/* Check the pattern written at accept time in every extent held. 0 or -EIO. */
int ha_verify(struct host_agent *ha, size_t *checked);

/* Counters for QMP and tests. */
struct ha_stats {
	uint64_t records, accepted, rejected, released, forced, errors;
	uint64_t events[5];       /* records read and cleared, per event log (ev_log_type) */
	uint64_t overflows;       /* reads that said a log had overflowed */
	uint64_t uncorrectable;   /* RAS errors handled and cleared */
	uint64_t correctable;
};
void ha_get_stats(const struct host_agent *ha, struct ha_stats *st);
/* The dirty shutdown count the host read when it armed dirty shutdown
 * tracking (a device with persistent capacity); false if it did not. */
bool ha_dirty_shutdown_count(const struct host_agent *ha, uint32_t *count);

#endif
