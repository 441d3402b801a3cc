/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm typed calls of the memory device command set (CXL r3.1
 * §8.2.9.9, 4000h-4204h) that a BMC or FM sends to a type-3 device's MCTP
 * CCI (its FM-owned LD, or an LD through a tunnel) and a host to its
 * mailbox: identity and capacity, partition, label storage area, health,
 * alert configuration, shutdown state; and the decoding of the Memory
 * Module Event Records (health changes) that cxlfm_cmd_get_event_records()
 * returns. The common rules of cxlfm/fmapi.h hold: 0, a negative errno, or
 * the positive CXL return code; host byte order; capacities in bytes
 * (the wire has 256 MiB units); *rsp written only on success.
 */
#ifndef CXLFM_MEMDEV_H
#define CXLFM_MEMDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cxlfm/fmapi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* CXL r3.1 §8.2.9.9.1.1 Identify Memory Device (Opcode 4000h). */
struct cxlfm_identify_memdev_rsp {
	char fw_revision[17];         /* ASCII, NUL-terminated here */
	uint64_t total_capacity;      /* bytes */
	uint64_t volatile_only;       /* bytes */
	uint64_t persistent_only;     /* bytes */
	uint64_t partition_align;     /* bytes; 0: no partitionable capacity */
	uint16_t event_log_size[4];   /* records: informational, warning, failure, fatal */
	uint32_t lsa_size;            /* bytes */
	uint32_t poison_list_max;     /* media error records (24 bits) */
	uint16_t inject_poison_limit; /* 0: no limit of its own */
	uint8_t poison_caps;
	uint8_t qos_telemetry_caps;
	uint16_t dc_event_log_size;   /* records */
};
int cxlfm_cmd_identify_memdev(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      struct cxlfm_identify_memdev_rsp *rsp);

/* CXL r3.1 §8.2.9.9.2.1 Get Partition Info (Opcode 4100h), bytes. */
struct cxlfm_partition_info_rsp {
	uint64_t active_volatile;
	uint64_t active_persistent;
	uint64_t next_volatile;       /* both next 0: no change pending */
	uint64_t next_persistent;
};
int cxlfm_cmd_get_partition_info(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 struct cxlfm_partition_info_rsp *rsp);

/* CXL r3.1 §8.2.9.9.2.2 Set Partition Info (Opcode 4101h). */
struct cxlfm_set_partition_info_req {
	uint64_t volatile_bytes;      /* of the partitionable capacity; a multiple of
				       * 256 MiB (else -EINVAL) and of the alignment */
	bool immediate;               /* now, not at the next reset */
};
int cxlfm_cmd_set_partition_info(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 const struct cxlfm_set_partition_info_req *req);

/* CXL r3.1 §8.2.9.9.2.3 Get LSA (Opcode 4102h) and §8.2.9.9.2.4 Set LSA (4103h). */
#define CXLFM_LSA_DATA_MAX CXLFM_MSG_SIZE_MAX /* bytes per Get LSA (the message limit) */
struct cxlfm_get_lsa_req {
	uint32_t offset;
	uint32_t length;              /* at most CXLFM_LSA_DATA_MAX (else -EINVAL) */
};
struct cxlfm_get_lsa_rsp {
	uint32_t length;              /* = the request's */
	uint8_t data[CXLFM_LSA_DATA_MAX];
};
int cxlfm_cmd_get_lsa(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		      const struct cxlfm_get_lsa_req *req, struct cxlfm_get_lsa_rsp *rsp);
struct cxlfm_set_lsa_req {
	uint32_t offset;
	uint32_t length;              /* 8 + length must fit a message (else -EMSGSIZE) */
	const void *data;
};
int cxlfm_cmd_set_lsa(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		      const struct cxlfm_set_lsa_req *req);

/* CXL r3.1 §8.2.9.9.3.1 Get Health Info (Opcode 4200h). */
#define CXLFM_HEALTH_MAINTENANCE_NEEDED 0x01
#define CXLFM_HEALTH_PERFORMANCE_DEGRADED 0x02
#define CXLFM_HEALTH_REPLACEMENT_NEEDED 0x04
/* Additional Status: life used and temperature 0 normal, 1 warning, 2 critical. */
#define CXLFM_HEALTH_LIFE_USED(as) ((as) & 0x3)
#define CXLFM_HEALTH_TEMPERATURE(as) (((as) >> 2) & 0x3)
#define CXLFM_HEALTH_COR_VOLATILE_WARN 0x10
#define CXLFM_HEALTH_COR_PERSISTENT_WARN 0x20
struct cxlfm_health_info {
	uint8_t health_status;        /* CXLFM_HEALTH_* bits */
	uint8_t media_status;         /* 00h normal ... 09h all data loss imminent */
	uint8_t additional_status;
	uint8_t life_used;            /* percent; 0xff: not reported */
	int16_t temperature;          /* degrees Celsius; -1 (FFFFh): not reported */
	uint32_t dirty_shutdown_count;
	uint32_t corrected_volatile_errors;
	uint32_t corrected_persistent_errors;
};
int cxlfm_cmd_get_health_info(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      struct cxlfm_health_info *rsp);

/* CXL r3.1 §8.2.9.9.3.2 Get / §8.2.9.9.3.3 Set Alert Configuration (4201h / 4202h). */
#define CXLFM_ALERT_LIFE_USED 0x01
#define CXLFM_ALERT_OVER_TEMP 0x02
#define CXLFM_ALERT_UNDER_TEMP 0x04
#define CXLFM_ALERT_COR_VOLATILE 0x08
#define CXLFM_ALERT_COR_PERSISTENT 0x10
struct cxlfm_alert_config {
	uint8_t valid_alerts;         /* CXLFM_ALERT_*: the warning thresholds in force */
	uint8_t programmable_alerts;  /* ... that the host may set */
	uint8_t life_used_crit;       /* percent */
	uint8_t life_used_warn;
	int16_t over_temp_crit;       /* degrees Celsius */
	int16_t under_temp_crit;
	int16_t over_temp_warn;
	int16_t under_temp_warn;
	uint16_t cor_volatile_warn;   /* corrected error counts */
	uint16_t cor_persistent_warn;
};
int cxlfm_cmd_get_alert_config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			       struct cxlfm_alert_config *rsp);
struct cxlfm_set_alert_config_req {
	uint8_t valid;                /* CXLFM_ALERT_*: the alerts this sets */
	uint8_t enable;               /* of those, enabled (with their threshold) or not */
	uint8_t life_used_warn;
	int16_t over_temp_warn;
	int16_t under_temp_warn;
	uint16_t cor_volatile_warn;
	uint16_t cor_persistent_warn;
};
int cxlfm_cmd_set_alert_config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			       const struct cxlfm_set_alert_config_req *req);

/* CXL r3.1 §8.2.9.9.3.4 Get / §8.2.9.9.3.5 Set Shutdown State (4203h / 4204h). */
struct cxlfm_shutdown_state {
	bool dirty;
};
int cxlfm_cmd_get_shutdown_state(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 struct cxlfm_shutdown_state *rsp);
int cxlfm_cmd_set_shutdown_state(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
				 const struct cxlfm_shutdown_state *req);

/*
 * Memory Module Event Record (CXL r3.1 §8.2.9.2.1.3): a device health
 * change, with the health information at the time. Device event types:
 * 00h health status, 01h media status, 02h life used, 03h temperature
 * change, 04h data path error, 05h LSA error.
 */
struct cxlfm_mem_module_event {
	uint8_t type;
	struct cxlfm_health_info health;
	uint16_t validity;            /* bit0: component_id is valid */
	uint8_t component_id[16];
	uint8_t sub_type;
};
/* Memory Module Event Record UUID fe927475-dd59-4339-a586-79bab113b774, wire order. */
extern const uint8_t cxlfm_mem_module_event_uuid[16];
/* Decode a Memory Module Event Record; -EINVAL if rec is another kind of record. */
int cxlfm_mem_module_event_decode(const struct cxlfm_event_record *rec,
				  struct cxlfm_mem_module_event *out);

#ifdef __cplusplus
}
#endif

#endif
