/* SPDX-License-Identifier: MIT */
/*
 * QMP commands of ours for what an FM manages that only the hosts' side can
 * cause (QEMU has neither):
 *  - x-cxl-qos: the load each LD's host offers a type-3 device, and what the
 *    device's QoS load model (dev/qos_model.h, docs/qos.md) makes of it under
 *    the controls an FM or host set: each LD's delivered bandwidth, the
 *    egress backpressure Get QoS Status reports, the congestion state and
 *    DevLoad;
 *  - x-cxl-mld-port-error: an MLD sends the switch above it a PCIe error
 *    message, which the switch logs as an MLD Port Event Record.
 */
#ifndef CXLFM_EMU_QMP_FABRIC_H
#define CXLFM_EMU_QMP_FABRIC_H

struct qmp_server;
struct emu_host;

int qmp_fabric_register(struct qmp_server *s, struct emu_host *h);

#endif
