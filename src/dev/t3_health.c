/* SPDX-License-Identifier: MIT */
/*
 * Health of a type-3 device: Get Health Info (4200h), Get / Set Alert
 * Configuration (4201h / 4202h), Get / Set Shutdown State (4203h / 4204h)
 * with the dirty shutdown count, the values QMP sets as the device's
 * sensors would (t3_health_set), and the Memory Module Event records
 * (CXL r3.1 §8.2.9.2.1.3) the device logs when an indicator changes.
 */
#include "dev/t3_mem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dev/t3_nv.h"
#include "dev/t3_priv.h"
#include "proto/le.h"
#include "util/log.h"

/* QEMU's warning threshold defaults (hw/mem/cxl_type3.c init_alert_config). */
#define LIFE_USED_WARN_DEFAULT 40
#define OVER_TEMP_WARN_DEFAULT 25
#define UNDER_TEMP_WARN_DEFAULT 20
/* A reading between QEMU's warning thresholds; QMP x-cxl-health changes it. */
#define TEMPERATURE_DEFAULT 22

#define LIFE_USED_NONE 0xff      /* Life Used not implemented */
#define TEMPERATURE_NONE (-1)    /* Device Temperature FFFFh: not implemented */
#define MEDIA_STATUS_MAX 0x09    /* All Data Loss Imminent */
#define HEALTH_STATUS_BITS 0x07u

/* Additional Status (CXL r3.1 §8.2.9.9.3.1, Get Health Info byte 2). */
#define ADD_LIFE(s) ((s) & 0x3u)
#define ADD_TEMP(s) (((s) >> 2) & 0x3u)
#define ADD_COR_VOL 0x10u
#define ADD_COR_PERS 0x20u

/* Memory Module Event Record Device Event Type (CXL r3.1 §8.2.9.2.1.3). */
enum {
	MM_HEALTH_STATUS = 0x00,
	MM_MEDIA_STATUS = 0x01,
	MM_LIFE_USED = 0x02,
	MM_TEMPERATURE = 0x03,
};

/*
 * Non-volatile sections. SHUTDOWN, 64 bytes: 0:4 "SHDN", 4 version, 5 state
 * (0 clean, 1 dirty), 8:4 dirty shutdown count. HEALTH, 512 bytes: 0:4
 * "HLTH", 4 version, 5 enabled alerts, 6 life used warning threshold, 7
 * life used, 8:2 over-, 10:2 under-temperature, 12:2 corrected volatile,
 * 14:2 corrected persistent error warning thresholds, 16 health status, 17
 * media status, 20:4 / 24:4 corrected volatile / persistent error counts.
 */
#define SHDN_TAG "SHDN"
#define HLTH_TAG "HLTH"
#define NV_VERSION 1
#define SHDN_LEN 12
#define HLTH_LEN 28

static struct t3_health_state *hs(struct t3_dev *dev)
{
	return &dev->mem.health;
}

static int shutdown_store(struct t3_dev *dev, bool dirty, uint32_t count)
{
	uint8_t b[SHDN_LEN] = { 0 };

	memcpy(b, SHDN_TAG, 4);
	b[4] = NV_VERSION;
	b[5] = dirty ? 1 : 0;
	le32_put(b + 8, count);
	return t3_nv_store(dev, T3_NV_SHUTDOWN, b, sizeof(b));
}

static int health_store(struct t3_dev *dev, const struct t3_health_state *h)
{
	uint8_t b[HLTH_LEN] = { 0 };

	memcpy(b, HLTH_TAG, 4);
	b[4] = NV_VERSION;
	b[5] = h->alerts.enabled;
	b[6] = h->alerts.life_used;
	b[7] = h->life_used;
	le16_put(b + 8, (uint16_t)h->alerts.over_temp);
	le16_put(b + 10, (uint16_t)h->alerts.under_temp);
	le16_put(b + 12, h->alerts.cor_vol);
	le16_put(b + 14, h->alerts.cor_pers);
	b[16] = h->health_status;
	b[17] = h->media_status;
	le32_put(b + 20, h->cor_vol);
	le32_put(b + 24, h->cor_pers);
	return t3_nv_store(dev, T3_NV_HEALTH, b, sizeof(b));
}

/* The constraints Set Alert Configuration holds thresholds to (§8.2.9.9.3.3). */
static bool alerts_valid(const struct t3_alerts *a)
{
	return !(a->enabled & ~T3_ALERTS_ALL) && a->life_used < T3_LIFE_USED_CRIT &&
	       a->over_temp < T3_OVER_TEMP_CRIT && a->under_temp > T3_UNDER_TEMP_CRIT;
}

static void health_defaults(struct t3_health_state *h)
{
	h->health_status = 0;
	h->media_status = 0;
	h->life_used = 0;
	h->temperature = TEMPERATURE_DEFAULT;
	h->cor_vol = 0;
	h->cor_pers = 0;
	h->alerts = (struct t3_alerts){
		.life_used = LIFE_USED_WARN_DEFAULT, .over_temp = OVER_TEMP_WARN_DEFAULT,
		.under_temp = UNDER_TEMP_WARN_DEFAULT,
	};
}

/* Load the HEALTH section; anything out of range is not trusted. */
static void health_load(struct t3_dev *dev)
{
	struct t3_health_state *h = hs(dev), l;
	uint8_t b[HLTH_LEN];

	health_defaults(h);
	if (t3_nv_load(dev, T3_NV_HEALTH, b, sizeof(b)) || memcmp(b, HLTH_TAG, 4))
		return;
	l = *h;
	l.alerts.enabled = b[5];
	l.alerts.life_used = b[6];
	l.life_used = b[7];
	l.alerts.over_temp = (int16_t)le16_get(b + 8);
	l.alerts.under_temp = (int16_t)le16_get(b + 10);
	l.alerts.cor_vol = le16_get(b + 12);
	l.alerts.cor_pers = le16_get(b + 14);
	l.health_status = b[16];
	l.media_status = b[17];
	l.cor_vol = le32_get(b + 20);
	l.cor_pers = le32_get(b + 24);
	if (b[4] != NV_VERSION || !alerts_valid(&l.alerts) ||
	    (l.life_used > 100 && l.life_used != LIFE_USED_NONE) ||
	    l.health_status & ~HEALTH_STATUS_BITS || l.media_status > MEDIA_STATUS_MAX) {
		log_warn("dev %s: its saved health and alert settings are out of range: "
			 "using the defaults", dev->id);
		health_store(dev, h);
		return;
	}
	*h = l;
}

/*
 * Power-on: a device whose shutdown state was left dirty (Set Shutdown
 * State, then power lost: cxl-emu killed) counts a dirty shutdown (CXL
 * r3.1 §8.2.9.9.3.1 Dirty Shutdown Count; the state stays dirty until
 * the host or an orderly power-off sets it clean).
 */
int t3_health_power_on(struct t3_dev *dev)
{
	struct t3_health_state *h = hs(dev);
	uint8_t b[SHDN_LEN];

	health_load(dev);
	h->dirty = false;
	h->dirty_count = 0;
	if (t3_nv_load(dev, T3_NV_SHUTDOWN, b, sizeof(b)) || memcmp(b, SHDN_TAG, 4))
		return 0;
	if (b[4] != NV_VERSION || b[5] > 1) {
		log_warn("dev %s: its saved shutdown state is not one: clean, count 0", dev->id);
		shutdown_store(dev, false, 0);
		return 0;
	}
	h->dirty = b[5];
	h->dirty_count = le32_get(b + 8);
	if (h->dirty) {
		h->dirty_count++; /* wraps to 0, as the count does (Linux sysfs-bus-cxl) */
		log_info("dev %s: shutdown state dirty at power-on: dirty shutdown count %" PRIu32,
			 dev->id, h->dirty_count);
		shutdown_store(dev, true, h->dirty_count);
	}
	return 0;
}

/*
 * An orderly power-off flushes what the device holds (Global Persistent
 * Flush, CXL r3.1 §9.8) and so leaves the shutdown state clean: only a
 * power-off without it (a killed cxl-emu) counts as dirty next time.
 */
void t3_health_power_off(struct t3_dev *dev, bool orderly)
{
	if (orderly && hs(dev)->dirty)
		shutdown_store(dev, false, hs(dev)->dirty_count);
}

/* ---- reporting ------------------------------------------------------------------ */

static uint8_t additional_status(const struct t3_health_state *h)
{
	const struct t3_alerts *a = &h->alerts;
	unsigned life = 0, temp = 0;
	uint8_t s = 0;

	if (h->life_used != LIFE_USED_NONE) {
		if (h->life_used >= T3_LIFE_USED_CRIT)
			life = 2;
		else if ((a->enabled & T3_ALERT_LIFE_USED) && h->life_used >= a->life_used)
			life = 1;
	}
	if (h->temperature != TEMPERATURE_NONE) {
		if (h->temperature >= T3_OVER_TEMP_CRIT || h->temperature <= T3_UNDER_TEMP_CRIT)
			temp = 2;
		else if (((a->enabled & T3_ALERT_OVER_TEMP) && h->temperature >= a->over_temp) ||
			 ((a->enabled & T3_ALERT_UNDER_TEMP) && h->temperature <= a->under_temp))
			temp = 1;
	}
	s = (uint8_t)(life | temp << 2);
	if ((a->enabled & T3_ALERT_COR_VOL) && h->cor_vol >= a->cor_vol)
		s |= ADD_COR_VOL;
	if ((a->enabled & T3_ALERT_COR_PERS) && h->cor_pers >= a->cor_pers)
		s |= ADD_COR_PERS;
	return s;
}

static void health_info(const struct t3_health_state *h, struct rec_health_info *r)
{
	*r = (struct rec_health_info){
		.health_status = h->health_status,
		.media_status = h->media_status,
		.additional_status = additional_status(h),
		.life_used = h->life_used,
		.temperature = h->temperature,
		.dirty_shutdown_count = h->dirty_count,
		.corrected_volatile_errors = h->cor_vol,
		.corrected_persistent_errors = h->cor_pers,
	};
}

void t3_health_get(const struct t3_dev *dev, struct t3_health *out)
{
	const struct t3_health_state *h = &dev->mem.health;

	health_info(h, &out->info);
	out->shutdown_dirty = h->dirty;
}

/*
 * One Memory Module Event Record with a copy of the health information, in
 * the log of the new state's severity: normal in the Informational log, a
 * warning in the Warning log, critical in the Failure log (the spec leaves
 * the log to the device). Its flags carry the severity and the health
 * status bits (Event Record Flags bits 3-5: maintenance needed,
 * performance degraded, hardware replacement needed).
 */
static void mm_event(struct t3_dev *dev, uint8_t type, unsigned level)
{
	static const unsigned logs[] = { EV_LOG_INFO, EV_LOG_WARN, EV_LOG_FAIL };
	const struct t3_health_state *h = hs(dev);
	struct rec_mem_module_event e = { .type = type };
	uint8_t rec[EV_RECORD_SIZE];
	unsigned log = logs[level > 2 ? 2 : level];

	health_info(h, &e.health);
	ev_record_init(rec, ev_uuid_mem_module,
		       log | (uint32_t)(h->health_status & HEALTH_STATUS_BITS) << 3);
	rec_mem_module_event_put(rec + EV_HDR_SIZE, &e);
	log_info("dev %s: health: memory module event type %u in log %u", dev->id, type, log);
	ev_add(&dev->ev, log, rec, t3_timestamp(dev));
}

struct snap {
	uint8_t health, media, additional;
};

static struct snap snap_of(const struct t3_health_state *h)
{
	return (struct snap){ h->health_status, h->media_status, additional_status(h) };
}

/* Log what changed since old: each indicator that moved, once. */
static void report(struct t3_dev *dev, struct snap old)
{
	struct snap now = snap_of(hs(dev));
	uint8_t cor = (uint8_t)((old.additional ^ now.additional) & (ADD_COR_VOL | ADD_COR_PERS));

	if (now.health != old.health)
		mm_event(dev, MM_HEALTH_STATUS, now.health ? 1 : 0);
	if (now.media != old.media)
		mm_event(dev, MM_MEDIA_STATUS, now.media ? 1 : 0);
	if (ADD_LIFE(now.additional) != ADD_LIFE(old.additional))
		mm_event(dev, MM_LIFE_USED, ADD_LIFE(now.additional));
	if (ADD_TEMP(now.additional) != ADD_TEMP(old.additional))
		mm_event(dev, MM_TEMPERATURE, ADD_TEMP(now.additional));
	for (uint8_t bit = ADD_COR_VOL; bit <= ADD_COR_PERS; bit <<= 1)
		if (cor & bit)
			mm_event(dev, MM_HEALTH_STATUS, (now.additional & bit) ? 1 : 0);
}

static int seterr(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return -EINVAL;
}

int t3_health_set(struct t3_dev *dev, const struct t3_health_update *u, char *err,
		  size_t errlen)
{
	struct t3_health_state *h = hs(dev);
	struct snap old = snap_of(h);

	if (u->has_health_status && (u->health_status & ~HEALTH_STATUS_BITS))
		return seterr(err, errlen, "health-status has bits 0-2 only");
	if (u->has_media_status && u->media_status > MEDIA_STATUS_MAX)
		return seterr(err, errlen, "media-status is 0-9 (CXL r3.1 §8.2.9.9.3.1)");
	if (u->has_life_used && u->life_used > 100 && u->life_used != LIFE_USED_NONE)
		return seterr(err, errlen, "life-used is a percentage (0-100), or 255: none");
	if (u->has_health_status)
		h->health_status = u->health_status;
	if (u->has_media_status)
		h->media_status = u->media_status;
	if (u->has_life_used)
		h->life_used = u->life_used;
	if (u->has_temperature)
		h->temperature = u->temperature;
	if (u->has_cor_vol)
		h->cor_vol = u->cor_vol;
	if (u->has_cor_pers)
		h->cor_pers = u->cor_pers;
	health_store(dev, h); /* a fault is logged; the values hold until power-off */
	report(dev, old);
	return 0;
}

/* ---- commands ------------------------------------------------------------------- */

/*
 * CXL r3.1 §8.2.9.9.3.1 Get Health Info (Opcode 4200h), output 0x12
 * (proto/records.h rec_health_info). Additional Status is
 * worked out from the values and the thresholds: life used and
 * temperature critical at the fixed critical thresholds, warning at an
 * enabled programmable one; a corrected error count warning at an
 * enabled one.
 */
uint16_t t3_cmd_get_health_info(struct cci *cci, const struct cci_cmd *cmd,
				struct cci_call *call)
{
	struct rec_health_info r;

	(void)cmd;
	health_info(hs(t3_of(cci)), &r);
	rec_health_info_put(call->out, &r);
	call->out_len = REC_HEALTH_INFO_LEN;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.3.2 Get Alert Configuration (Opcode 4201h), output 0x10:
 * 0 valid alerts (the programmable warning thresholds that
 * are enabled), 1 programmable alerts (all five), 2 life used critical, 3
 * life used warning threshold, 4:2 over- and 6:2 under-temperature
 * critical, 8:2 over- and 10:2 under-temperature warning, 12:2 corrected
 * volatile and 14:2 corrected persistent error warning thresholds. QEMU
 * reports valid alerts 0 and the enabled ones as programmable.
 */
uint16_t t3_cmd_get_alert_config(struct cci *cci, const struct cci_cmd *cmd,
				 struct cci_call *call)
{
	const struct t3_alerts *a = &hs(t3_of(cci))->alerts;
	uint8_t *o = call->out;

	(void)cmd;
	o[0] = a->enabled;
	o[1] = T3_ALERTS_ALL;
	o[2] = T3_LIFE_USED_CRIT;
	o[3] = a->life_used;
	le16_put(o + 4, (uint16_t)T3_OVER_TEMP_CRIT);
	le16_put(o + 6, (uint16_t)T3_UNDER_TEMP_CRIT);
	le16_put(o + 8, (uint16_t)a->over_temp);
	le16_put(o + 10, (uint16_t)a->under_temp);
	le16_put(o + 12, a->cor_vol);
	le16_put(o + 14, a->cor_pers);
	call->out_len = 0x10;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.3.3 Set Alert Configuration (Opcode 4202h), input 12:
 * 0 valid alert actions (which alerts this changes), 1
 * enable alert actions (enable or disable each of those), 2 life used, 4:2
 * over-, 6:2 under-temperature (two's complement), 8:2 corrected volatile,
 * 10:2 corrected persistent error warning thresholds. An enabled warning
 * threshold must be below its critical one (under-temperature: above):
 * else Invalid Input and nothing changes (QEMU applies the alerts before
 * the failing one, enables every valid one whatever the enable bits say
 * and compares temperatures unsigned). A threshold the current values now
 * cross logs its Memory Module Event.
 */
uint16_t t3_cmd_set_alert_config(struct cci *cci, const struct cci_cmd *cmd,
				 struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct t3_health_state *h = hs(dev);
	const uint8_t *in = call->in;
	uint8_t valid = in[0] & T3_ALERTS_ALL, enable = in[1] & valid;
	struct t3_alerts a = h->alerts;
	struct snap old = snap_of(h);

	(void)cmd;
	a.enabled = (uint8_t)((a.enabled & ~valid) | enable);
	if (enable & T3_ALERT_LIFE_USED)
		a.life_used = in[2];
	if (enable & T3_ALERT_OVER_TEMP)
		a.over_temp = (int16_t)le16_get(in + 4);
	if (enable & T3_ALERT_UNDER_TEMP)
		a.under_temp = (int16_t)le16_get(in + 6);
	if (enable & T3_ALERT_COR_VOL)
		a.cor_vol = le16_get(in + 8);
	if (enable & T3_ALERT_COR_PERS)
		a.cor_pers = le16_get(in + 10);
	if (!alerts_valid(&a)) {
		log_dbg("dev %s op 0x4202: a warning threshold beyond its critical one", dev->id);
		return CXL_RC_INVALID_INPUT;
	}
	h->alerts = a;
	if (health_store(dev, h))
		log_warn("dev %s op 0x4202: alert configuration not saved", dev->id);
	report(dev, old);
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.3.4 Get Shutdown State (Opcode 4203h), output 1: bit0
 * dirty.
 */
uint16_t t3_cmd_get_shutdown_state(struct cci *cci, const struct cci_cmd *cmd,
				   struct cci_call *call)
{
	(void)cmd;
	call->out[0] = hs(t3_of(cci))->dirty ? 0x01 : 0x00;
	call->out_len = 1;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.3.5 Set Shutdown State (Opcode 4204h), input 1: bit0
 * dirty (1) or clean (0), kept in the non-volatile state. Linux's
 * cxl_arm_dirty_shutdown() sets it dirty when it binds a device with
 * persistent capacity (drivers/cxl/pmem.c); a power loss while it is
 * dirty counts at the next power-on. Not saved: Internal Error, unchanged.
 */
uint16_t t3_cmd_set_shutdown_state(struct cci *cci, const struct cci_cmd *cmd,
				   struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	bool dirty = call->in[0] & 0x01;

	(void)cmd;
	if (shutdown_store(dev, dirty, hs(dev)->dirty_count))
		return CXL_RC_INTERNAL_ERROR;
	hs(dev)->dirty = dirty;
	return CXL_RC_SUCCESS;
}
