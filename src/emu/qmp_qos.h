/* SPDX-License-Identifier: MIT */
/*
 * QMP x-cxl-qos: the load each LD's host offers a type-3 device, and what the
 * device's QoS load model (dev/qos_model.h, docs/qos.md) makes of it under
 * the controls an FM or host set: each LD's delivered bandwidth, the egress
 * backpressure Get QoS Status reports, the congestion state and DevLoad.
 * Ours: QEMU has no QoS model.
 */
#ifndef CXLFM_EMU_QMP_QOS_H
#define CXLFM_EMU_QMP_QOS_H

struct qmp_server;
struct emu_host;

int qmp_qos_register(struct qmp_server *s, struct emu_host *h);

#endif
