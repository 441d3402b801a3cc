/* SPDX-License-Identifier: MIT */
/*
 * QMP commands that act on the host's CXL devices, by QEMU's names and
 * arguments (qapi/cxl.json): cxl-add-dynamic-capacity,
 * cxl-release-dynamic-capacity, cxl-inject-general-media-event,
 * cxl-inject-dram-event, cxl-inject-memory-module-event, cxl-inject-poison,
 * cxl-inject-uncorrectable-errors, cxl-inject-correctable-error; and ours:
 * x-cxl-host-agent, x-cxl-health.
 */
#ifndef CXLFM_EMU_QMP_CXL_H
#define CXLFM_EMU_QMP_CXL_H

struct qmp_server;
struct emu_host;

int qmp_cxl_register(struct qmp_server *s, struct emu_host *h);

#endif
