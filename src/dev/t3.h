/* SPDX-License-Identifier: MIT */
/*
 * CXL Type-3 memory device model (QEMU `cxl-type3`), pure: no I/O, no
 * sockets, no transport. It owns
 *   - the host mailbox CCI (the target OS's driver: events, identify,
 *     partition info, DC configuration / extent list / add response /
 *     release),
 *   - the FM-owned LD CCI reached over MCTP, named "<sn>:oob_mctp_cci"
 *     (the QEMU FM-forwarding RFC contract), with the FM DCD management set
 *     when the device has DC regions and the MLD set when num_ld > 1,
 *   - one LD CCI per logical device, targets of Tunnel Management (5300h),
 *   - event logs, DC regions and extents, LD allocations,
 *   - media and poison (t3_media.c), data-at-rest security (t3_security.c),
 *     SLD QoS (t3_qos.c).
 * Memory is plain pointers handed in by the caller (an mmap of the backing
 * file in the emulator, NULL in tests).
 */
#ifndef CXLFM_DEV_T3_H
#define CXLFM_DEV_T3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/cci.h"
#include "dev/dcd.h"
#include "dev/events.h"
#include "dev/qos_model.h"

/* QEMU's type-3 identity: Intel 0x8086:0x0d93, PCI default subsystem
 * Red Hat/Qumranet 0x1af4:0x1100 (pci_set_default_subsystem_id()). */
#define T3_VENDOR_ID 0x8086
#define T3_DEVICE_ID 0x0d93
#define T3_SUBSYS_VENDOR_ID 0x1af4
#define T3_SUBSYS_ID 0x1100

#define T3_HOST_PAYLOAD_MAX 2048u /* QEMU CXL_MAILBOX_MAX_PAYLOAD_SIZE */
#define T3_MCTP_PAYLOAD_MAX 512u  /* QEMU: "Max payload made up" */
#define T3_MCTP_PAYLOAD_CAP 1024u /* Set Response Message Limit accepts 2^8..2^10 */
#define T3_MAX_LD 16u
#define T3_POISON_MAX 256u        /* QEMU CXL_POISON_LIST_LIMIT */
#define T3_EVENT_LOG_SIZE 64u     /* default records per info/warn/fail/fatal log */
#define T3_DC_EVENT_LOG_SIZE 1024u /* default records in the DC log */

struct t3_dev;

struct t3_config {
	const char *id;           /* device id ("cxl-dcd0"), for logs and the dump */
	uint64_t serial;          /* sn */
	uint64_t vmem_size;       /* volatile-memdev size */
	uint64_t pmem_size;       /* persistent-memdev size */
	uint64_t lsa_size;
	uint64_t dc_size;         /* volatile-dc-memdev size */
	unsigned num_dc_regions;  /* 0..8 */
	unsigned num_ld;          /* 0 or 1: single LD; 2..16: MLD */
	uint8_t *dc_mem;          /* DC backend (DPA dc_base + x at dc_mem + x), may be NULL */
	size_t dc_mem_size;
	uint8_t *static_mem;      /* volatile then persistent capacity, may be NULL */
	size_t static_mem_size;
	uint8_t *lsa_mem;         /* the label storage area (lsa_size bytes), may be NULL */
	uint8_t *nv_mem;          /* non-volatile state (dev/t3_nv.h), T3_NV_SIZE bytes;
				   * NULL: kept in memory for the device's life */
	size_t nv_size;
	/* Optional; 0 means QEMU's value. */
	uint32_t dc_extents_max;  /* 0: 512 (x-dc-extents-max) */
	uint64_t dc_block_size;   /* 2 MiB */
	uint64_t dc_block_size_mask; /* supported block sizes: dc_block_size only */
	bool dc_sharable;         /* regions report the Sharable flag (QEMU: no) */
	uint16_t event_log_size;  /* info/warn/failure/fatal: T3_EVENT_LOG_SIZE */
	uint16_t dc_event_log_size; /* DC log: T3_DC_EVENT_LOG_SIZE */
	uint8_t link_speed;       /* x-speed (PCIe Link Capabilities encoding); 0: 5 */
	uint8_t link_width;       /* x-width in lanes; 0: 16 */
	bool flit_256b;           /* x-256b-flit */
};

/*
 * Called whenever a record is added to one of the device's event logs
 * (enum ev_log_type), or with T3_NOTIFY_RAS (dev/t3_mem.h) when its RAS
 * capability has an error for the host, so a host agent can react without
 * polling. It runs
 * inside the command or call that produced the record: it must not call
 * back into the device; schedule the work instead.
 */
typedef void (*t3_notify_fn)(struct t3_dev *dev, unsigned log, void *arg);

/*
 * Create a device. clock must outlive it. Returns 0, -EINVAL (a reason is
 * logged) or -ENOMEM. DC geometry as QEMU: regions after the static
 * capacity, dc_size split evenly, each a multiple of 256 MiB.
 */
int t3_create(const struct t3_config *cfg, const struct cci_clock *clock,
	      struct t3_dev **out);
void t3_destroy(struct t3_dev *dev);
void t3_set_notify(struct t3_dev *dev, t3_notify_fn fn, void *arg);

const char *t3_id(const struct t3_dev *dev);
uint64_t t3_serial(const struct t3_dev *dev);
unsigned t3_num_ld(const struct t3_dev *dev);
struct cci *t3_host_cci(struct t3_dev *dev);
/* The FM-owned LD over MCTP CCI, named "<sn decimal>:oob_mctp_cci". */
struct cci *t3_fm_cci(struct t3_dev *dev);
/* The CCI of logical device ld (tunnel target), or NULL. */
struct cci *t3_ld_cci(struct t3_dev *dev, unsigned ld);

/* Read-only views for the QMP / topology dump. */
const struct ev_logs *t3_events(const struct t3_dev *dev);
/* The dynamic capacity state (query with dcd.h), NULL without DC regions. */
const struct dcd *t3_dcd(const struct t3_dev *dev);
uint64_t t3_dc_base(const struct t3_dev *dev);
/* LD allocation multipliers (units of 256 MiB); -EINVAL for a bad ld. */
int t3_ld_allocation(const struct t3_dev *dev, unsigned ld, uint64_t *range1,
		     uint64_t *range2);

/*
 * Host memory access at device physical address dpa: static capacity, or
 * DC capacity entirely inside accepted extents, written at backend offset
 * dpa - t3_dc_base(). Returns 0; -EFAULT outside those; -ENXIO when the
 * range has no backing memory; -EACCES when it touches persistent capacity
 * the security state locks (CXL r3.1 §8.2.9.9.6); -ENOMEDIUM while a
 * sanitize has the media disabled (§8.2.9.9.5.1); -EIO when a read touches
 * poison or the backing memory faults (SIGBUS: file truncated, filesystem
 * full).
 */
int t3_mem_access(struct t3_dev *dev, uint64_t dpa, void *buf, size_t len, bool write);

/* One extent argument of the QMP commands: bytes from the region base. */
struct t3_dc_extent {
	uint64_t offset;
	uint64_t len;
};

/*
 * QMP cxl-add-dynamic-capacity (QEMU qapi/cxl.json): offer capacity to the
 * host, as Initiate Dynamic Capacity Add does. host_id is ignored as QEMU
 * does (one host). Prescriptive and enable-shared-access take the extents;
 * free and contiguous take the region and the sum of the extents' lengths
 * (their offsets are ignored). tag may be NULL (no tag). Returns 0, a
 * positive CXL return code or -errno; err (may be NULL) gets the reason.
 */
int t3_add_dynamic_capacity(struct t3_dev *dev, uint16_t host_id,
			    enum dcd_sel_policy policy, uint8_t region,
			    const uint8_t *tag, const struct t3_dc_extent *ext, size_t n,
			    char *err, size_t errlen);

/*
 * QMP cxl-release-dynamic-capacity: ask the host to release capacity
 * (Release Capacity events), or with forced remove it at once (Forced
 * Capacity Release events). Tag-based removal takes region and tag;
 * prescriptive takes the extents. Returns as t3_add_dynamic_capacity().
 */
int t3_release_dynamic_capacity(struct t3_dev *dev, uint16_t host_id,
				enum dcd_rm_policy policy, bool forced, bool sanitize,
				uint8_t region, const uint8_t *tag,
				const struct t3_dc_extent *ext, size_t n,
				char *err, size_t errlen);

/* QMP cxl-inject-general-media-event arguments. */
struct t3_gen_media_event {
	unsigned log;             /* EV_LOG_INFO..EV_LOG_FATAL */
	uint32_t flags;           /* event record flags (24 bits) */
	uint64_t dpa;
	uint8_t descriptor;
	uint8_t type;
	uint8_t transaction_type;
	bool has_channel;
	uint8_t channel;
	bool has_rank;
	uint8_t rank;
	bool has_device;
	uint32_t device;          /* 24 bits */
	const char *component_id; /* NULL: none; at most 15 characters used */
};

/* Record a General Media Event (CXL r3.1 §8.2.9.2.1.1) in ev->log. */
int t3_inject_general_media_event(struct t3_dev *dev, const struct t3_gen_media_event *ev,
				  char *err, size_t errlen);
/*
 * QMP cxl-inject-poison: start 64-byte aligned, length a multiple of 64,
 * inside the device's capacity, no overlap with poison already there.
 * Past T3_POISON_MAX listed entries the poison is on the media but not on
 * the list, which is marked overflowed (Scan Media finds it).
 */
int t3_inject_poison(struct t3_dev *dev, uint64_t start, uint64_t len, char *err,
		     size_t errlen);
/* Entries on the Poison List, and whether it overflowed. */
size_t t3_poison_count(const struct t3_dev *dev);
bool t3_poison_overflowed(const struct t3_dev *dev);

/* Get Security State bits (CXL r3.1 §8.2.9.9.6.1): user/master set, locked, ... */
uint32_t t3_security_state(const struct t3_dev *dev);

/*
 * CXL.io of the device's logical devices (t3_cxlio.c): the configuration
 * space of each LD's PCIe function and of the FM-owned LD (T3_LD_FMLD, an
 * MLD's only), and the memory space behind their BARs, as a switch's Send LD
 * CXL.io Configuration / Memory Request (CXL r3.1 §7.6.7.3.2/.3) reaches
 * them. A configuration request is one dword: off (dword aligned, < 4096),
 * first DW byte enables be; a read puts the enabled bytes in *val, a write
 * changes only the writable bits. Returns 0, -ENOENT for an LD the device
 * does not have, -EINVAL for a bad offset.
 */
#define T3_LD_FMLD 0xffffu
int t3_ld_cfg(struct t3_dev *dev, uint16_t ld, unsigned off, uint8_t be, bool write,
	      uint32_t *val);
/*
 * A memory request of len bytes at bus address addr to LD ld. It must fall
 * inside one memory BAR of the function while its Memory Space Enable is
 * set: the register BAR (read-only registers) or the memory window (the
 * LD's allocation, byte o of the window = byte o of the LD's memory).
 * Returns 0 with *done the bytes moved (fewer than len when the media
 * refuses a 64-byte line: poison, locked, disabled), -ENOENT for no such
 * LD, -EFAULT when no BAR decodes the whole range or it runs past the LD's
 * allocation.
 */
int t3_ld_mem(struct t3_dev *dev, uint16_t ld, uint64_t addr, uint8_t *buf, size_t len,
	      bool write, size_t *done);
/*
 * The device DPA of bytes [off, off + len) of LD ld's memory: LDs lie end
 * to end in LD order, each its (range 1 + range 2) allocation long.
 * -ENOENT for no such LD, -EFAULT past its allocation.
 */
int t3_ld_dpa(const struct t3_dev *dev, unsigned ld, uint64_t off, uint64_t len,
	      uint64_t *dpa);
/* The link the device's port trained (a switch port tells it; until then
 * its own maxima, up): the LD functions' Link Status shows it. */
void t3_ld_link(struct t3_dev *dev, bool up, uint8_t speed, uint8_t width, bool flit_256b);
/* The three above as a switch port calls them (struct sw_ld_ops of dev/sw.h,
 * its arg the struct t3_dev *). */
struct sw_ld_ops;
extern const struct sw_ld_ops t3_sw_ld_ops;

/*
 * The egress backpressure (0-100 %) Get SLD QoS Status reports while
 * congestion sampling is on: what a load model measures. t3_qos_set_load()
 * sets it from the model; this sets it directly (until the next load).
 */
void t3_sld_qos_set_backpressure(struct t3_dev *dev, uint8_t pct);

/*
 * The QoS load model (dev/qos_model.h, docs/qos.md), fed by QMP x-cxl-qos.
 * Offer pct[i] percent of the device's bandwidth on LD first + i, for n
 * LDs (over 100: the host asks for more than the device delivers): -EINVAL
 * for an LD the device lacks, nothing changed. Get QoS Status (an MLD's 5405h) and Get SLD QoS Status (4702h)
 * then report the backpressure the model gives.
 */
int t3_qos_set_load(struct t3_dev *dev, unsigned first, const uint8_t *pct, size_t n);
/* The model's inputs from the device's state now, and its answer. */
void t3_qos_model(const struct t3_dev *dev, struct qos_in *in, struct qos_out *out);

#endif
