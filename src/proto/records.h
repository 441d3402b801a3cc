/* SPDX-License-Identifier: MIT */
/*
 * Records that several commands carry, and both the device models and
 * libcxlfm read or write: one layout each, as pure codecs over byte buffers
 * (little endian, reserved bytes written as zero, ignored when read). The
 * lengths are what a caller checks before calling: put/get never look past
 * REC_*_LEN bytes.
 */
#ifndef CXLFM_PROTO_RECORDS_H
#define CXLFM_PROTO_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Dynamic Capacity Extent (CXL r3.1 §8.2.9.2.1.6), 40 bytes: 0:8 start DPA,
 * 8:8 length, 16:16 tag, 32:2 shared extent sequence, 34:6 rsvd. In Get
 * Dynamic Capacity Extent List (4801h), Get DC Region Extent Lists (5603h),
 * Initiate Dynamic Capacity Add / Release (5604h / 5605h) and DC event
 * records.
 */
#define REC_DC_EXTENT_LEN 40u
#define REC_TAG_LEN 16u
struct rec_dc_extent {
	uint64_t start_dpa;
	uint64_t length;
	uint8_t tag[REC_TAG_LEN];
	uint16_t shared_seq;
};
void rec_dc_extent_put(uint8_t *p, const struct rec_dc_extent *e);
void rec_dc_extent_get(const uint8_t *p, struct rec_dc_extent *e);

/*
 * Updated Extent of Add Dynamic Capacity Response / Release Dynamic Capacity
 * (4802h / 4803h; CXL r3.1 Table 8-169), 24 bytes: 0:8 start DPA, 8:8
 * length, 16:8 rsvd.
 */
#define REC_DC_RANGE_LEN 24u
void rec_dc_range_put(uint8_t *p, uint64_t start_dpa, uint64_t length);
void rec_dc_range_get(const uint8_t *p, uint64_t *start_dpa, uint64_t *length);

/*
 * DC Region Configuration, 40 bytes, of Get Dynamic Capacity Configuration
 * (4800h, the host's: REC_REGION_HOST) and Get Host DC Region Configuration
 * (5601h, the FM's: REC_REGION_FM): 0:8 base DPA, 8:8 decode length in
 * 256 MiB units, 16:8 region length, 24:8 block size, 32 the host's 4-byte
 * DSMAD handle or the FM's 1-byte DSMAS flags, 36 flags (bit0 sanitize on
 * release).
 */
#define REC_DC_REGION_LEN 40u
enum rec_region_form {
	REC_REGION_HOST,
	REC_REGION_FM,
};
struct rec_dc_region {
	uint64_t base;
	uint64_t decode_units;    /* 256 MiB units, as on the wire */
	uint64_t length;
	uint64_t block_size;
	uint32_t dsmad_handle;    /* REC_REGION_HOST */
	uint8_t dsmas_flags;      /* REC_REGION_FM */
	bool sanitize_on_release;
};
void rec_dc_region_put(uint8_t *p, const struct rec_dc_region *r, enum rec_region_form f);
void rec_dc_region_get(const uint8_t *p, struct rec_dc_region *r, enum rec_region_form f);

/* The 16 bytes after the region records of 4800h and 5601h. */
#define REC_DC_LIMITS_LEN 16u
struct rec_dc_limits {
	uint32_t extents_supported;
	uint32_t extents_available;
	uint32_t tags_supported;
	uint32_t tags_available;
};
void rec_dc_limits_put(uint8_t *p, const struct rec_dc_limits *l);
void rec_dc_limits_get(const uint8_t *p, struct rec_dc_limits *l);

/*
 * LD Allocation List entry of Get / Set LD Allocations (5401h / 5402h; CXL
 * r3.1 §7.6.7.4.2), 16 bytes: range 1 and range 2 allocation multipliers.
 */
#define REC_LD_ALLOC_LEN 16u
struct rec_ld_alloc {
	uint64_t range1;
	uint64_t range2;
};
void rec_ld_alloc_put(uint8_t *p, const struct rec_ld_alloc *a);
void rec_ld_alloc_get(const uint8_t *p, struct rec_ld_alloc *a);

/*
 * Event record (CXL r3.1 §8.2.9.2.1), 128 bytes: the 48-byte Common Event
 * Record header, then 80 bytes of the record type's own. Header: 0:16 UUID,
 * 16 length, 17:3 flags (bits[1:0] severity), 20:2 handle, 22:2 related
 * handle, 24:8 timestamp, 32 maintenance operation class, 33 subclass,
 * 34:2 LD id, 36 head id, 37:11 rsvd.
 */
#define REC_EVENT_LEN 128u
#define REC_EVENT_HDR_LEN 48u
#define REC_EVENT_LENGTH 16u      /* its length byte */
#define REC_EVENT_HANDLE 20u      /* offsets a log stamps when it takes a record */
#define REC_EVENT_TIMESTAMP 24u
struct rec_event_hdr {
	uint8_t uuid[16];
	uint8_t length;
	uint32_t flags;           /* 24 bits */
	uint16_t handle;
	uint16_t related_handle;
	uint64_t timestamp;
	uint8_t maint_op_class;
	uint8_t maint_op_subclass;
	uint16_t ld_id;
	uint8_t head_id;
};
void rec_event_hdr_put(uint8_t *p, const struct rec_event_hdr *h);
void rec_event_hdr_get(const uint8_t *p, struct rec_event_hdr *h);

/*
 * Dynamic Capacity Event Record body (CXL r3.1 §8.2.9.2.1.6), the 80 bytes
 * after the header: 0 event type, 1 validity flags, 2:2 host id, 4 updated
 * region id, 5 flags (bit0 More), 8:40 extent, 72:4 extents available,
 * 76:4 tags available.
 */
#define REC_DC_EVENT_MORE 0x01u
struct rec_dc_event {
	uint8_t type;
	uint8_t validity;
	uint16_t host_id;
	uint8_t region_id;
	uint8_t flags;            /* REC_DC_EVENT_MORE */
	struct rec_dc_extent extent;
	uint32_t extents_available;
	uint32_t tags_available;
};
/* body = record + REC_EVENT_HDR_LEN; writes all 80 bytes. */
void rec_dc_event_put(uint8_t *body, const struct rec_dc_event *e);
void rec_dc_event_get(const uint8_t *body, struct rec_dc_event *e);

/*
 * The Fabric Management event records a switch logs (CXL r3.1 §7.6.8; r3.2
 * Tables 7-79 to 7-81), bodies of 80 bytes after the header.
 *
 * Physical Switch Event Record: 0 physical port id, 1 event type (00h link
 * state change, 01h slot status register updated), 2:2 PCIe Slot Status
 * register, 5 current port configuration state [3:0], 6 connected device
 * mode [3:0], 8 connected device type, 9 supported CXL modes, 10 maximum
 * link width, 11 negotiated link width, 12 supported link speeds vector, 13
 * max link speed, 14 current link speed, 15 LTSSM state, 16 first negotiated
 * lane, 17:2 link state flags (the fields of Get Physical Port State's port
 * information block, Table 7-19), the rest reserved.
 */
#define REC_PHYS_SW_LINK_STATE 0x00u
#define REC_PHYS_SW_SLOT_STATUS 0x01u
struct rec_phys_sw_event {
	uint8_t port_id;
	uint8_t type;
	uint16_t slot_status;
	uint8_t config_state;
	uint8_t conn_mode;
	uint8_t dev_type;
	uint8_t cxl_modes;
	uint8_t max_width;
	uint8_t neg_width;
	uint8_t speeds;
	uint8_t max_speed;
	uint8_t cur_speed;
	uint8_t ltssm;
	uint8_t first_lane;
	uint16_t link_flags;
};
void rec_phys_sw_event_put(uint8_t *body, const struct rec_phys_sw_event *e);
void rec_phys_sw_event_get(const uint8_t *body, struct rec_phys_sw_event *e);

/*
 * Virtual CXL Switch Event Record: 0 VCS id, 1 vPPB id, 2 event type (00h
 * binding change, 01h secondary bus reset, 02h link control register
 * updated, 03h slot control register updated), 3 vPPB binding status, 4
 * bound port id, 5 bound LD id (Table 7-32's values), 6:2 Link Control
 * register, 8:2 Slot Control register, the rest reserved.
 */
#define REC_VCS_BINDING_CHANGE 0x00u
struct rec_vcs_event {
	uint8_t vcs_id;
	uint8_t vppb_id;
	uint8_t type;
	uint8_t binding_status;
	uint8_t port_id;
	uint8_t ld_id;
	uint16_t link_control;
	uint16_t slot_control;
};
void rec_vcs_event_put(uint8_t *body, const struct rec_vcs_event *e);
void rec_vcs_event_get(const uint8_t *body, struct rec_vcs_event *e);

/*
 * MLD Port Event Record: 0 event type (00h ERR_COR, 01h ERR_NONFATAL, 02h
 * ERR_FATAL message received), 1 port id, 4:8 the first 8 bytes of the PCIe
 * error message, the rest reserved.
 */
#define REC_MLD_PORT_MSG_LEN 8u
struct rec_mld_port_event {
	uint8_t type;
	uint8_t port_id;
	uint8_t msg[REC_MLD_PORT_MSG_LEN];
};
void rec_mld_port_event_put(uint8_t *body, const struct rec_mld_port_event *e);
void rec_mld_port_event_get(const uint8_t *body, struct rec_mld_port_event *e);

/*
 * Device health information (CXL r3.1 §8.2.9.9.3.1, Get Health Info output),
 * 18 bytes, also carried whole in a Memory Module Event Record
 * (§8.2.9.2.1.3, offset 31h): 0 health status, 1 media status, 2
 * additional status, 3 life used (percent, FFh not implemented), 4:2 device
 * temperature (degrees Celsius, two's complement; FFFFh not implemented),
 * 6:4 dirty shutdown count, 10:4 corrected volatile error count, 14:4
 * corrected persistent error count.
 */
#define REC_HEALTH_INFO_LEN 18u
struct rec_health_info {
	uint8_t health_status;    /* bit0 maintenance needed, bit1 performance
				   * degraded, bit2 hardware replacement needed */
	uint8_t media_status;     /* 00h normal ... 09h all data loss imminent */
	uint8_t additional_status; /* [1:0] life used, [3:2] temperature (0 normal,
				    * 1 warning, 2 critical), bit4 / bit5 corrected
				    * volatile / persistent error count warning */
	uint8_t life_used;
	int16_t temperature;
	uint32_t dirty_shutdown_count;
	uint32_t corrected_volatile_errors;
	uint32_t corrected_persistent_errors;
};
void rec_health_info_put(uint8_t *p, const struct rec_health_info *h);
void rec_health_info_get(const uint8_t *p, struct rec_health_info *h);

/*
 * Memory Module Event Record body (CXL r3.1 §8.2.9.2.1.3), the 80 bytes after
 * the header: 0 device event type, 1:18 device health information, 19:2
 * validity flags (bit0 component identifier), 21:16 component identifier,
 * 37 device event sub-type, the rest reserved.
 */
#define REC_MEM_MODULE_COMP_ID_VALID 0x01u
struct rec_mem_module_event {
	uint8_t type;             /* 00h health status change ... 05h LSA error */
	struct rec_health_info health;
	uint16_t validity;
	uint8_t component_id[16];
	uint8_t sub_type;
};
/* body = record + REC_EVENT_HDR_LEN; writes all 80 bytes. */
void rec_mem_module_event_put(uint8_t *body, const struct rec_mem_module_event *e);
void rec_mem_module_event_get(const uint8_t *body, struct rec_mem_module_event *e);

#endif
