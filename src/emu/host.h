/* SPDX-License-Identifier: MIT */
/*
 * One emulated host built from a validated configuration: memory backends
 * mapped on demand, type-3 devices, switches with their attached devices,
 * I2C buses with MCTP endpoints, and a host agent per type-3 device.
 */
#ifndef CXLFM_EMU_HOST_H
#define CXLFM_EMU_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct config;
struct cfg_device;
struct emu_host;
struct t3_dev;
struct sw_dev;
struct host_agent;
struct i2c_bus;
struct cci;
struct qmp_server;

/*
 * run_dir (NULL: none, then no I2C bus may be configured) gets the sockets:
 * <bus>.sock per I2C bus, memN per type-3 device. qmp (may be NULL) gets
 * cxl-process-mctp-message for the devices that
 * allow FM attach, and X_CXL_DC_CHANGE events from the host agents.
 */
int emu_host_new(struct loop *loop, const struct config *cfg, const char *run_dir,
		 struct qmp_server *qmp, struct emu_host **out, char *err, size_t errlen);
/* Syncs file backends, unlinks sockets, frees everything. */
void emu_host_free(struct emu_host *h);

/*
 * Hot-plug a cxl-type3 the configuration has just linked below a root or
 * downstream port (cfg_device_add): the device, its host agent and, below
 * a switch, its attachment. Hot-unplug one: -EBUSY (err says why) while its
 * host holds DC extents of it or an MCTP endpoint targets it; the caller
 * then unlinks it from the configuration.
 */
int emu_host_device_add(struct emu_host *h, const struct cfg_device *d, char *err,
			size_t errlen);
int emu_host_device_del(struct emu_host *h, const struct cfg_device *d, char *err,
			size_t errlen);

/* Lookups by QEMU id (or QOM-style path "/machine/peripheral/<id>"). */
struct t3_dev *emu_host_t3(struct emu_host *h, const char *id);
struct host_agent *emu_host_agent(struct emu_host *h, const char *id);
struct sw_dev *emu_host_switch(struct emu_host *h, const char *id);
/*
 * The MLD id, below a switch's downstream port, sends the switch a PCIe
 * error message (type 0 ERR_COR, 1 ERR_NONFATAL, 2 ERR_FATAL): the switch
 * logs an MLD Port Event Record. 0, or -errno with err saying why.
 */
int emu_host_mld_port_error(struct emu_host *h, const char *id, uint8_t type, char *err,
			    size_t errlen);
/* The CCI an FM reaches through an endpoint targeting id. */
struct cci *emu_host_fm_cci(struct emu_host *h, const char *id);

size_t emu_host_bus_count(const struct emu_host *h);
struct i2c_bus *emu_host_bus(const struct emu_host *h, size_t i);

/* The VM stops or runs (QMP stop / cont, -S): the host agents, which play
 * its OS, wait while it is stopped; the devices keep answering the FM. */
void emu_host_set_running(struct emu_host *h, bool running);

/*
 * A type-3 device's host mailbox as the host's /dev/cxl/memN
 * (emu/memdev_server.h, docs/preload.md): its name "memN", the device's id
 * and the socket's path. None without a run directory.
 */
struct emu_memdev {
	const char *name, *dev_id, *path;
};
/* The i-th type-3 device's (in the order they were created); false past the last. */
bool emu_host_memdev_at(const struct emu_host *h, size_t i, struct emu_memdev *out);
bool emu_host_memdev(struct emu_host *h, const char *id, struct emu_memdev *out);

/* Run finished background operations now; re-arms the completion timer. */
void emu_host_bg_kick(struct emu_host *h);

#endif
