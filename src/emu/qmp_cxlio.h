/* SPDX-License-Identifier: MIT */
/*
 * QMP x-cxl-config: configuration space as the target host reaches it (a
 * switch's vPPBs, a type-3 device's LD function), the host's side of what
 * an FM reaches with Send PPB / LD CXL.io Configuration Request. Ours (QEMU
 * has no such command; a guest reads it with lspci).
 */
#ifndef CXLFM_EMU_QMP_CXLIO_H
#define CXLFM_EMU_QMP_CXLIO_H

struct qmp_server;
struct emu_host;

int qmp_cxlio_register(struct qmp_server *s, struct emu_host *h);

#endif
