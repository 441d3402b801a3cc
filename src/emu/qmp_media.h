/* SPDX-License-Identifier: MIT */
/*
 * QMP commands that play the target host's OS towards a type-3 device
 * where the host agent does not: x-cxl-mailbox runs a raw command on the
 * device's host mailbox (what Linux's CXL_MEM_SEND_COMMAND does through
 * /dev/cxl/memN), x-cxl-mem loads and stores device memory (the host's
 * CXL.mem accesses). Both are ours (QEMU has no such commands): a test or
 * tool drives the security state machine and sees what the media answers.
 */
#ifndef CXLFM_EMU_QMP_MEDIA_H
#define CXLFM_EMU_QMP_MEDIA_H

struct qmp_server;
struct emu_host;

int qmp_media_register(struct qmp_server *s, struct emu_host *h);

#endif
