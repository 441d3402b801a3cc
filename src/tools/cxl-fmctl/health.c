/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl health: what a BMC watches of a memory device over MCTP. Get
 * Health Info (4200h, CXL r3.1 §8.2.9.9.3.1), Get Alert Configuration
 * (4201h, §8.2.9.9.3.2) and Get Shutdown State (4203h, §8.2.9.9.3.4),
 * decoded to named fields; threshold options set the alert configuration
 * first (Set Alert Configuration, 4202h, §8.2.9.9.3.3). The health fields
 * are also what a Memory Module Event Record carries (events.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "cxlfm/memdev.h"

/* Media Status (CXL r3.1 Table 8-133). */
static const char *media_status_name(uint8_t ms)
{
	static const char *const n[] = {
		"normal", "not-ready", "write-persistency-lost", "all-data-lost",
		"write-persistency-loss-on-power-loss", "write-persistency-loss-on-shutdown",
		"write-persistency-loss-imminent", "all-data-loss-on-power-loss",
		"all-data-loss-on-shutdown", "all-data-loss-imminent",
	};

	return ms < sizeof(n) / sizeof(n[0]) ? n[ms] : "reserved";
}

/* A two-bit Additional Status indicator. */
static const char *level_name(unsigned v)
{
	static const char *const n[] = { "normal", "warning", "critical", "reserved" };

	return n[v & 3];
}

struct json_object *fm_health_json(const struct cxlfm_health_info *h)
{
	struct json_object *o = json_object_new_object();
	uint8_t as = h->additional_status;

	fm_json_add(o, "maintenance_needed", json_object_new_boolean(
		h->health_status & CXLFM_HEALTH_MAINTENANCE_NEEDED));
	fm_json_add(o, "performance_degraded", json_object_new_boolean(
		h->health_status & CXLFM_HEALTH_PERFORMANCE_DEGRADED));
	fm_json_add(o, "replacement_needed", json_object_new_boolean(
		h->health_status & CXLFM_HEALTH_REPLACEMENT_NEEDED));
	fm_json_add(o, "media_status", json_object_new_string(media_status_name(h->media_status)));
	fm_json_add(o, "life_used_status",
		    json_object_new_string(level_name(CXLFM_HEALTH_LIFE_USED(as))));
	fm_json_add(o, "temperature_status",
		    json_object_new_string(level_name(CXLFM_HEALTH_TEMPERATURE(as))));
	fm_json_add(o, "corrected_volatile_status", json_object_new_string(
		as & CXLFM_HEALTH_COR_VOLATILE_WARN ? "warning" : "normal"));
	fm_json_add(o, "corrected_persistent_status", json_object_new_string(
		as & CXLFM_HEALTH_COR_PERSISTENT_WARN ? "warning" : "normal"));
	/* FFh / FFFFh: the device does not report it */
	fm_json_add(o, "life_used_percent",
		    h->life_used == 0xff ? NULL : json_object_new_int(h->life_used));
	fm_json_add(o, "temperature",
		    h->temperature == -1 ? NULL : json_object_new_int(h->temperature));
	fm_json_add(o, "dirty_shutdown_count", fm_json_u64(h->dirty_shutdown_count));
	fm_json_add(o, "corrected_volatile_errors", fm_json_u64(h->corrected_volatile_errors));
	fm_json_add(o, "corrected_persistent_errors",
		    fm_json_u64(h->corrected_persistent_errors));
	return o;
}

/* One alert of Get Alert Configuration; crit NULL where the alert has none. */
static struct json_object *alert_json(const char *name, const struct cxlfm_alert_config *ac,
				      uint8_t bit, struct json_object *crit, int warn)
{
	struct json_object *o = json_object_new_object();

	fm_json_add(o, "alert", json_object_new_string(name));
	fm_json_add(o, "critical", crit);
	fm_json_add(o, "warning", json_object_new_int(warn));
	fm_json_add(o, "enabled", json_object_new_boolean(ac->valid_alerts & bit));
	fm_json_add(o, "programmable", json_object_new_boolean(ac->programmable_alerts & bit));
	return o;
}

static struct json_object *alerts_json(const struct cxlfm_alert_config *ac)
{
	struct json_object *a = json_object_new_array();

	json_object_array_add(a, alert_json("life-used", ac, CXLFM_ALERT_LIFE_USED,
		json_object_new_int(ac->life_used_crit), ac->life_used_warn));
	json_object_array_add(a, alert_json("over-temperature", ac, CXLFM_ALERT_OVER_TEMP,
		json_object_new_int(ac->over_temp_crit), ac->over_temp_warn));
	json_object_array_add(a, alert_json("under-temperature", ac, CXLFM_ALERT_UNDER_TEMP,
		json_object_new_int(ac->under_temp_crit), ac->under_temp_warn));
	json_object_array_add(a, alert_json("corrected-volatile", ac, CXLFM_ALERT_COR_VOLATILE,
		NULL, ac->cor_volatile_warn));
	json_object_array_add(a, alert_json("corrected-persistent", ac,
		CXLFM_ALERT_COR_PERSISTENT, NULL, ac->cor_persistent_warn));
	return a;
}

static const char health_help[] =
	"Usage: cxl-fmctl health [--life-used-warn PCT|off] [--over-temp-warn C|off]\n"
	"                        [--under-temp-warn C|off] [--cor-volatile-warn N|off]\n"
	"                        [--cor-persistent-warn N|off] [--addr 0xNN | --tunnel PORT[:LD]]\n"
	"A memory device's health as a BMC reads it over MCTP: Get Health Info (4200h,\n"
	"CXL r3.1 8.2.9.9.3.1), Get Alert Configuration (4201h) and Get Shutdown State\n"
	"(4203h). The threshold options first set the programmable warning thresholds\n"
	"with Set Alert Configuration (4202h): a value enables that alert with it,\n"
	"'off' disables it; alerts not named stay as they are. Temperatures in degrees\n"
	"Celsius, life used in percent, the others corrected error counts.\n"
	"\n"
	"Keys: maintenance_needed, performance_degraded, replacement_needed,\n"
	"media_status (normal, not-ready, ..., all-data-loss-imminent), life_used_status,\n"
	"temperature_status (normal, warning, critical), corrected_volatile_status,\n"
	"corrected_persistent_status (normal, warning), life_used_percent, temperature\n"
	"(null: not reported), dirty_shutdown_count, corrected_volatile_errors,\n"
	"corrected_persistent_errors, shutdown_state (clean, dirty), alerts (alert,\n"
	"critical, warning, enabled, programmable), alerts_set (the alerts just set).\n"
	"shutdown_state and alerts are null when the CCI answers Unsupported to them.\n";

enum {
	OPT_LIFE = 'L', OPT_OVER = 'O', OPT_UNDER = 'U', OPT_COR_VOL = 'V', OPT_COR_PERS = 'P',
};

struct health_opts {
	struct cxlfm_set_alert_config_req set;
};

/* A threshold: "off", or an integer in [min, max]. */
static int threshold(const char *arg, long min, long max, bool *on, long *v)
{
	char *end;

	if (!strcmp(arg, "off")) {
		*on = false;
		return 0;
	}
	errno = 0;
	*v = strtol(arg, &end, 0);
	if (errno || end == arg || *end || *v < min || *v > max)
		return -1;
	*on = true;
	return 0;
}

static int health_opt(struct fmctl *f, int c, const char *arg, void *ctx)
{
	struct cxlfm_set_alert_config_req *s = &((struct health_opts *)ctx)->set;
	uint8_t bit;
	bool on;
	long v = 0;
	int rc;

	(void)f;
	switch (c) {
	case OPT_LIFE:
		bit = CXLFM_ALERT_LIFE_USED;
		if ((rc = threshold(arg, 0, 100, &on, &v)) == 0 && on)
			s->life_used_warn = (uint8_t)v;
		break;
	case OPT_OVER:
		bit = CXLFM_ALERT_OVER_TEMP;
		if ((rc = threshold(arg, INT16_MIN, INT16_MAX, &on, &v)) == 0 && on)
			s->over_temp_warn = (int16_t)v;
		break;
	case OPT_UNDER:
		bit = CXLFM_ALERT_UNDER_TEMP;
		if ((rc = threshold(arg, INT16_MIN, INT16_MAX, &on, &v)) == 0 && on)
			s->under_temp_warn = (int16_t)v;
		break;
	case OPT_COR_VOL:
		bit = CXLFM_ALERT_COR_VOLATILE;
		if ((rc = threshold(arg, 0, UINT16_MAX, &on, &v)) == 0 && on)
			s->cor_volatile_warn = (uint16_t)v;
		break;
	case OPT_COR_PERS:
		bit = CXLFM_ALERT_COR_PERSISTENT;
		if ((rc = threshold(arg, 0, UINT16_MAX, &on, &v)) == 0 && on)
			s->cor_persistent_warn = (uint16_t)v;
		break;
	default:
		return -1;
	}
	if (rc)
		return -1;
	s->valid |= bit;
	if (on)
		s->enable |= bit;
	else
		s->enable &= (uint8_t)~bit;
	return 0;
}

static struct json_object *alert_names(uint8_t mask)
{
	static const char *const n[] = { "life-used", "over-temperature", "under-temperature",
					 "corrected-volatile", "corrected-persistent" };
	struct json_object *a = json_object_new_array();

	for (unsigned b = 0; b < 5; b++)
		if (mask & (1u << b))
			json_object_array_add(a, json_object_new_string(n[b]));
	return a;
}

int cmd_health(int argc, char **argv, struct fmctl *f)
{
	static const struct option opts[] = {
		{ "life-used-warn", required_argument, NULL, OPT_LIFE },
		{ "over-temp-warn", required_argument, NULL, OPT_OVER },
		{ "under-temp-warn", required_argument, NULL, OPT_UNDER },
		{ "cor-volatile-warn", required_argument, NULL, OPT_COR_VOL },
		{ "cor-persistent-warn", required_argument, NULL, OPT_COR_PERS },
		{ NULL, 0, NULL, 0 },
	};
	struct health_opts ho = { .set = { 0 } };
	struct cxlfm_health_info h;
	struct cxlfm_alert_config ac;
	struct cxlfm_shutdown_state sd;
	struct json_object *o;
	struct cxlfm_ep *ep;
	int rc = fm_begin(f, argc, argv, opts, health_help, health_opt, &ho, WANT_TYPE3, &ep);
	int rc_ac, rc_sd;

	if (rc >= 0)
		return rc;
	if (ho.set.valid) {
		/* Valid Alert Actions name the alerts set; the device keeps the others */
		rc = cxlfm_cmd_set_alert_config(ep, fm_tun(f), &ho.set);
		if (rc)
			return fm_fail(f, ep, CXLFM_OP_SET_ALERT_CONFIG, rc);
	}
	rc = cxlfm_cmd_get_health_info(ep, fm_tun(f), &h);
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_GET_HEALTH_INFO, rc);
	rc_ac = cxlfm_cmd_get_alert_config(ep, fm_tun(f), &ac);
	if (rc_ac && rc_ac != CXLFM_RC_UNSUPPORTED)
		return fm_fail(f, ep, CXLFM_OP_GET_ALERT_CONFIG, rc_ac);
	rc_sd = cxlfm_cmd_get_shutdown_state(ep, fm_tun(f), &sd);
	if (rc_sd && rc_sd != CXLFM_RC_UNSUPPORTED)
		return fm_fail(f, ep, CXLFM_OP_GET_SHUTDOWN_STATE, rc_sd);
	o = fm_health_json(&h);
	fm_json_add(o, "shutdown_state",
		    rc_sd ? NULL : json_object_new_string(sd.dirty ? "dirty" : "clean"));
	fm_json_add(o, "alerts", rc_ac ? NULL : alerts_json(&ac));
	if (ho.set.valid)
		fm_json_add(o, "alerts_set", alert_names(ho.set.valid));
	fm_print(f, o);
	return EXIT_OK;
}
