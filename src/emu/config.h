/* SPDX-License-Identifier: MIT */
/*
 * cxl-emu configuration: the parsed command line (opts.h) validated into
 * typed structs and a topology tree. cxl-emu turns this into device models,
 * I2C buses and QMP servers; nothing here does I/O.
 *
 * Rules, QEMU's unless said otherwise:
 * - -object ids and -device ids are separate namespaces (QEMU's /objects
 *   and /machine/peripheral); a duplicate within one is an error.
 * - Devices are created in command-line order, so bus= and target= must
 *   name a device given earlier ("Bus 'x' not found" in QEMU); objects are
 *   created before any device, so memdev=/lsa= may name an -object given
 *   anywhere. fixed memory windows (-machine cxl-fmw.N.targets.M) are
 *   resolved after all devices, as QEMU does at machine-done time.
 * - Every CXL device property is typed and checked; an unknown property, a
 *   missing required one, a bad value, a wrong parent kind or a dangling
 *   reference is an error that names the option and the property.
 * - We require id= on pxb-cxl, cxl-rp, cxl-upstream, cxl-downstream and
 *   cxl-type3 (QEMU does not): children, endpoints and QMP paths address
 *   them by id.
 * - A backend is used by one device (QEMU: "memdev is used multiple times").
 * - PCI functions: a CXL port's link has slot 0 only; functions > 0 need
 *   multifunction=on on function 0 (QEMU's PCI rules).
 * - VM-only options, -machine properties other than cxl*, objects other
 *   than memory backends, chardevs not used for QMP, HMP monitors and
 *   devices not on a CXL port give one warning each and are ignored.
 */
#ifndef CXLFM_EMU_CONFIG_H
#define CXLFM_EMU_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "emu/opts.h"

struct json_object;

enum cfg_mem_kind {
	CFG_MEM_FILE, /* memory-backend-file */
	CFG_MEM_RAM,  /* memory-backend-ram, memory-backend-memfd */
};

struct cfg_device;

struct cfg_memdev {
	char *id;
	enum cfg_mem_kind kind;
	const char *qom_type;
	char *mem_path;          /* file backend */
	uint64_t size;
	bool share;
	bool prealloc;           /* accepted, not done: we map on demand */
	uint64_t align;          /* 0 = default */
	bool discard_data;
	bool readonly;
	bool pmem;
	int argi;
	struct cfg_device *user; /* the device using it, NULL if unused */
	struct opts_prop *props; /* as given (qom-get), n_props of them */
	size_t n_props;
};

enum cfg_dev_kind {
	CFG_PCI_ROOT,   /* pcie.0, implicit */
	CFG_PXB_CXL,    /* CXL host bridge */
	CFG_CXL_RP,     /* root port */
	CFG_CXL_USP,    /* switch upstream port */
	CFG_CXL_DSP,    /* switch downstream port */
	CFG_SWITCH_CCI, /* cxl-switch-mailbox-cci */
	CFG_CXL_TYPE3,
	CFG_PCI_FUNC,   /* a non-CXL PCI function on a CXL port (virtio-rng-pci, ...) */
	CFG_I2C_MCTP,   /* i2c_mctp_cxl endpoint */
};

enum cfg_fwd_mode {
	CFG_FWD_SHM,    /* RFC: shared buffer + QMP trigger */
	CFG_FWD_INLINE, /* extension: payload in the QMP command */
};

struct cfg_i2c_bus;

struct cfg_device {
	enum cfg_dev_kind kind;
	char *driver;
	char *id;                 /* NULL when not given (allowed for CCI, I2C, PCI funcs) */
	char *name;               /* id, or "<driver>[N]" for messages and JSON */
	int argi;                 /* argv index of its -device */
	struct cfg_device *parent;/* bus; NULL for the root and I2C endpoints */
	struct opts_prop *props;  /* as given (qom-get), n_props of them */
	size_t n_props;
	bool hotplugged;          /* came with device_add */
	struct cfg_device **children;
	size_t n_children;
	int devfn;                /* slot << 3 | function; -1 when not PCI */
	bool multifunction;
	struct cfg_link {         /* ports and type-3: x-speed, x-width, x-256b-flit,
				   * as given or QEMU's default for the kind; 0 for
				   * devices without a link of their own */
		uint8_t speed;    /* PCIe Link Capabilities encoding, 1 (2.5 GT/s)
				   * .. 6 (64 GT/s) */
		uint8_t width;    /* lanes */
		bool flit_256b;
	} link;
	union {
		struct {
			uint8_t bus_nr;
			bool hdm_for_passthrough;
		} pxb;
		struct {          /* CFG_CXL_RP, CFG_CXL_DSP */
			uint8_t port;
			uint8_t chassis;
			uint16_t slot;
		} port;
		struct {
			uint8_t port;
			bool has_sn;
			uint64_t sn;
		} usp;
		struct {
			struct cfg_device *target; /* a CFG_CXL_USP */
		} cci;
		struct {
			bool has_sn;
			uint64_t sn;
			struct cfg_memdev *persistent; /* persistent-memdev or legacy memdev */
			struct cfg_memdev *vmem;       /* volatile-memdev */
			struct cfg_memdev *dc;         /* volatile-dc-memdev */
			struct cfg_memdev *lsa;
			uint8_t num_dc_regions;
			uint32_t dc_extents_max;       /* ours: x-dc-extents-max, 0 = 512 */
			bool allow_fm_attach;
			bool mctp_buf_init;
			uint8_t num_ld;                /* ours: logical devices, 1 = SLD */
			char *mctp_buf_name;           /* ours: shm object, default "/mctp-message-buf" */
			uint32_t mctp_buf_slots;       /* ours: requests in flight, default 1 */
			char *nv_state;                /* ours: x-nv-state, the NV state file */
			bool hdm_db;                   /* hdm-db: back-invalidate HDM decoders */
			uint16_t chmu_port;            /* chmu-port: the CHMU's port number */
		} t3;
		struct {
			struct cfg_i2c_bus *bus;
			uint8_t address;               /* 7-bit */
			struct cfg_device *target;     /* CFG_CXL_USP or CFG_CXL_TYPE3 */
			bool forward;                  /* mctp-msg-forward */
			char *qmp;                     /* peer QMP address as given */
			enum cfg_fwd_mode fwd_mode;    /* ours: mctp-fwd=shm|inline */
			uint32_t fwd_timeout_ms;       /* ours: fwd-timeout */
		} i2c;
	} u;
};

#define CFG_DEFAULT_MCTP_BUF_NAME "/mctp-message-buf"
#define CFG_DEFAULT_FWD_TIMEOUT_MS 5000u
#define CFG_MAX_DC_REGIONS 8
#define CFG_MAX_LD 16
#define CFG_MAX_DC_EXTENTS (1u << 20) /* x-dc-extents-max, upper bound */

struct cfg_i2c_bus {
	char *name;               /* e.g. "aspeed.i2c.bus.0" */
	struct cfg_device **eps;  /* endpoints in command-line order */
	size_t n_eps;
	uint32_t speed_hz;        /* ours: i2c-speed (wire-time model), 0: none */
	const struct cfg_device *speed_from; /* the endpoint that set it */
};

struct cfg_fmw {
	unsigned index;           /* N in cxl-fmw.N */
	struct cfg_device **targets; /* pxb-cxl host bridges, by M */
	size_t n_targets;
	uint64_t size;
	uint64_t granularity;     /* interleave-granularity, default 256 */
};

enum cfg_qmp_kind { CFG_QMP_TCP, CFG_QMP_UNIX };

struct cfg_qmp {
	enum cfg_qmp_kind kind;
	char *host;               /* TCP; "" = all addresses */
	char *port;               /* TCP, as given (number or service) */
	char *path;               /* UNIX */
	bool wait;                /* QEMU's wait=on; we never wait (noted) */
	bool pretty;
	char *addr;               /* "tcp:HOST:PORT" or "unix:PATH" */
	char *origin;             /* "-qmp ..." or "-chardev id=..." for messages */
};

struct cfg_machine {
	char *type;               /* "q35" unless given */
	bool cxl;
	struct cfg_fmw **fmws;
	size_t n_fmws;
};

struct config {
	struct cfg_machine machine;
	struct cfg_memdev **memdevs;
	size_t n_memdevs;
	struct cfg_device *root;       /* pcie.0 */
	struct cfg_device **devices;   /* every -device kept, command-line order */
	size_t n_devices;
	struct cfg_i2c_bus **i2c_buses;
	size_t n_i2c_buses;
	struct cfg_qmp **qmps;
	size_t n_qmps;
	char *name;                    /* -name guest=..., NULL if not given */
	unsigned n_anon;               /* devices without id so far (QOM device[N]) */
	char **warnings;               /* one line per ignored option */
	size_t n_warnings;
	char **notes;                  /* accepted but not emulated (prealloc, wait=on) */
	size_t n_notes;
};

/* Returns 0, or -EINVAL with err naming option and property; -ENOMEM. */
int config_build(const struct opts *o, struct config **out, char *err, size_t errlen);
void config_free(struct config *c);

/*
 * Hot-plug (QMP object-add / object-del / device_add / device_del) on a
 * built configuration. it holds the properties as -object / -device would.
 * Returns 0, or -EINVAL with err, -EBUSY (an object in use), -ENOENT (no
 * such id), -ENOMEM; on failure the configuration is as before.
 * cfg_device_add takes cxl-type3 only, under a root or downstream port.
 */
int cfg_object_add(struct config *c, const struct opts_item *it, char *err, size_t errlen);
int cfg_object_del(struct config *c, const char *id, char *err, size_t errlen);
int cfg_device_add(struct config *c, const struct opts_item *it, struct cfg_device **out,
		   char *err, size_t errlen);
/* Unlinks d from the tree, gives back its backends and frees it. */
void cfg_device_del(struct config *c, struct cfg_device *d);
/* A device by id, "/machine/peripheral/ID" or its anonymous QOM path. */
struct cfg_device *cfg_find_qom(const struct config *c, const char *path);

struct cfg_device *cfg_find_device(const struct config *c, const char *id);
struct cfg_memdev *cfg_find_memdev(const struct config *c, const char *id);
struct cfg_i2c_bus *cfg_find_i2c_bus(const struct config *c, const char *name);
const char *cfg_kind_name(enum cfg_dev_kind k);

/*
 * -writeconfig: the configuration as a QEMU config file that -readconfig
 * reads back to the same configuration. 0, -EINVAL (a value the format
 * cannot hold, err set) or -EIO.
 */
int cfg_write_config(const struct config *c, const struct opts *o, FILE *f, char *err,
		     size_t errlen);

/*
 * QEMU's qom-list / qom-get over the configuration (config_qom.c): "/",
 * "/machine", "/machine/peripheral", "/machine/peripheral-anon", "/objects",
 * a device or a backend. 0, or -ENOENT / -ENODATA with err.
 */
int cfg_qom_list(const struct config *c, const char *path, struct json_object **out,
		 char *err, size_t errlen);
int cfg_qom_get(const struct config *c, const char *path, const char *prop,
		struct json_object **out, char *err, size_t errlen);

/* The whole configuration as JSON (x-cxl-topology). */
struct json_object *cfg_to_json(const struct config *c);

/*
 * Instance name: -name, else from the first QMP address ("tcp-localhost-
 * 4445"), else "pid-<pid>"; reduced to [A-Za-z0-9._-].
 */
void cfg_instance_name(const struct config *c, long pid, char *buf, size_t len);
/*
 * Default run directory: $XDG_RUNTIME_DIR/cxl-emu/<name> when xdg is an
 * absolute path, else /tmp/cxl-emu-<uid>/<name>. -ENAMETOOLONG if too long.
 */
int cfg_default_run_dir(const struct config *c, const char *xdg, unsigned uid, long pid,
			char *buf, size_t len);

/* "-device help", "-device cxl-type3,help", "-object help" ...: 1 if printed. */
int cfg_print_help(const struct opts_item *it, FILE *f);
/* Supported devices and objects, one line each (for --help). */
void cfg_print_supported(FILE *f);

#endif
