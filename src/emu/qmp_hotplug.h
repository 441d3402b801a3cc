/* SPDX-License-Identifier: MIT */
/*
 * QEMU's hot-plug and QOM commands over cxl-emu's configuration and host:
 * object-add / object-del of memory backends, device_add / device_del of
 * cxl-type3 below a free root or downstream port (with DEVICE_DELETED),
 * qom-list / qom-get of devices and backends.
 */
#ifndef CXLFM_EMU_QMP_HOTPLUG_H
#define CXLFM_EMU_QMP_HOTPLUG_H

struct config;
struct emu_host;
struct qmp_server;
struct qmp_hotplug;

/* The commands act on c and h, which must outlive the server's use. */
int qmp_hotplug_register(struct qmp_server *s, struct config *c, struct emu_host *h,
			 struct qmp_hotplug **out);
void qmp_hotplug_free(struct qmp_hotplug *hp);

#endif
