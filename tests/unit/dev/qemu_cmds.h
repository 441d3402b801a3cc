/* SPDX-License-Identifier: MIT */
/*
 * QEMU master's command sets, as data: which opcodes each of QEMU's CCIs
 * registers, the request length its table requires and the CEL effects it
 * reports. For docs/fidelity.md (fidelity_doc.c), which sets them beside
 * cxl-emu's. Facts read from QEMU, not its code:
 *
 *   hw/cxl/cxl-mailbox-utils.c at fc8b078e145d9eaeba605b802bb632612d19bd48
 *   (2025-08-01): the tables cxl_cmd_set, cxl_cmd_set_dcd, cxl_cmd_set_sw,
 *   cxl_cmd_set_fm_dcd, cxl_cmd_set_t3_ld, cxl_cmd_set_t3_fm_owned_ld_mctp,
 *   and which CCI gets which: cxl_initialize_mailbox_t3() (the type-3
 *   mailbox: cxl_cmd_set, plus cxl_cmd_set_dcd with DC regions),
 *   cxl_initialize_t3_fm_owned_ld_mctpcci() (the FM-owned LD:
 *   cxl_cmd_set_t3_fm_owned_ld_mctp, plus cxl_cmd_set_fm_dcd with DC
 *   regions), cxl_initialize_t3_ld_cci() (LD 0: cxl_cmd_set_t3_ld),
 *   cxl_initialize_mailbox_swcci() (cxl_cmd_set_sw), called by
 *   hw/cxl/switch-mailbox-cci.c for the switch mailbox CCI. hw/mem/cxl_type3.c
 *   builds the FM-owned LD CCI (vdm_fm_owned_ld_mctp_cci) and ld0_cci;
 *   cmd_tunnel_management_cmd() routes a switch tunnel to the former and an
 *   FM-owned LD tunnel to the latter. QEMU master has no MCTP endpoint
 *   (hw/cxl/i2c_mctp_cxl.c is on Jonathan Cameron's branches only): there
 *   the switch has its mailbox CCI alone and the FM-owned LD is reached
 *   through the switch's Tunnel Management.
 *
 * Each set is sorted by opcode. in is the table's request length: a fixed
 * length (any other is Invalid Payload Length) or QEMU_ANY_LEN (the table's
 * ~0: any length reaches the handler).
 */
#ifndef QEMU_CMDS_H
#define QEMU_CMDS_H

#include <stddef.h>
#include <stdint.h>

#include "ccis_fixture.h"

#define QEMU_ANY_LEN 0xffffffffu

struct qemu_cmd {
	uint16_t opcode;
	uint32_t in;
	uint16_t effects; /* CXLFM_EFF_* */
};

struct qemu_set {
	const char *name;         /* QEMU's table */
	enum ccis_col col;        /* the kind of CCI that has it */
	enum ccis_variant variant; /* CCIS_PLAIN: every device; CCIS_DC: with DC regions */
	const struct qemu_cmd *cmds;
	size_t count;
};

#define QEMU_BG_ABORT (CXLFM_EFF_BG | CXLFM_EFF_ABORT)

/* Type-3 mailbox (cxl-mailbox-utils.c:3734). */
static const struct qemu_cmd qemu_cmd_set[] = {
	{ 0x0005, 0, 0 },
	{ 0x0100, 1, 0 },
	{ 0x0101, QEMU_ANY_LEN, CXLFM_EFF_IMM_LOG },
	{ 0x0102, 0, 0 },
	{ 0x0103, QEMU_ANY_LEN, CXLFM_EFF_IMM_CONFIG },
	{ 0x0200, 0, 0 },
	{ 0x0201, QEMU_ANY_LEN, QEMU_BG_ABORT },
	{ 0x0202, 2, QEMU_BG_ABORT },
	{ 0x0300, 0, 0 },
	{ 0x0301, 8, CXLFM_EFF_IMM_POLICY },
	{ 0x0400, 0, 0 },
	{ 0x0401, 0x18, 0 },
	{ 0x0500, 8, 0 },
	{ 0x0501, 0x15, 0 },
	{ 0x0502, QEMU_ANY_LEN, CXLFM_EFF_IMM_CONFIG | CXLFM_EFF_IMM_DATA |
		CXLFM_EFF_IMM_POLICY | CXLFM_EFF_IMM_LOG | CXLFM_EFF_SECURITY },
	{ 0x4000, 0, 0 },
	{ 0x4100, 0, 0 },
	{ 0x4102, 8, 0 },
	{ 0x4103, QEMU_ANY_LEN, CXLFM_EFF_IMM_CONFIG | CXLFM_EFF_IMM_DATA },
	{ 0x4201, 0, 0 },
	{ 0x4202, 12, CXLFM_EFF_IMM_POLICY },
	{ 0x4300, 16, 0 },
	{ 0x4301, 8, 0 },
	{ 0x4302, 72, 0 },
	{ 0x4303, 16, 0 },
	{ 0x4304, 17, QEMU_BG_ABORT },
	{ 0x4305, 0, 0 },
	{ 0x4400, 0, CXLFM_EFF_IMM_DATA | CXLFM_EFF_SECURITY | QEMU_BG_ABORT },
	{ 0x4402, QEMU_ANY_LEN, CXLFM_EFF_IMM_DATA | CXLFM_EFF_BG },
	{ 0x4500, 0, 0 },
};

/* Type-3 mailbox with DC regions (cxl-mailbox-utils.c:3813). */
static const struct qemu_cmd qemu_cmd_set_dcd[] = {
	{ 0x4800, 2, 0 },
	{ 0x4801, 8, 0 },
	{ 0x4802, QEMU_ANY_LEN, CXLFM_EFF_IMM_DATA },
	{ 0x4803, QEMU_ANY_LEN, CXLFM_EFF_IMM_DATA },
};

/* Switch mailbox CCI (cxl-mailbox-utils.c:3827). */
static const struct qemu_cmd qemu_cmd_set_sw[] = {
	{ 0x0001, 0, 0 },
	{ 0x0002, 0, 0 },
	{ 0x0005, 0, 0 },
	{ 0x0300, 0, 0 },
	{ 0x0301, 8, CXLFM_EFF_IMM_POLICY },
	{ 0x0400, 0, 0 },
	{ 0x0401, 0x18, 0 },
	{ 0x5100, 0, 0 },
	{ 0x5101, QEMU_ANY_LEN, 0 },
	{ 0x5300, QEMU_ANY_LEN, 0 },
};

/* FM-owned LD with DC regions (cxl-mailbox-utils.c:3847). */
static const struct qemu_cmd qemu_cmd_set_fm_dcd[] = {
	{ 0x5600, 0, 0 },
	{ 0x5601, 4, 0 },
	{ 0x5602, 16, CXLFM_EFF_RECONFIG },
	{ 0x5603, 12, 0 },
	{ 0x5604, QEMU_ANY_LEN, CXLFM_EFF_RECONFIG },
	{ 0x5605, QEMU_ANY_LEN, CXLFM_EFF_RECONFIG },
};

/* LD 0, behind the FM-owned LD's Tunnel Management (cxl-mailbox-utils.c:4117). */
static const struct qemu_cmd qemu_cmd_set_t3_ld[] = {
	{ 0x0001, 0, 0 },
	{ 0x0400, 0, 0 },
	{ 0x0401, 0x18, 0 },
};

/* FM-owned LD (cxl-mailbox-utils.c:4133). */
static const struct qemu_cmd qemu_cmd_set_t3_fm_owned_ld_mctp[] = {
	{ 0x0001, 0, 0 },
	{ 0x0003, 0, 0 },
	{ 0x0004, 1, 0 },
	{ 0x0300, 0, 0 },
	{ 0x0400, 0, 0 },
	{ 0x0401, 0x18, 0 },
	{ 0x5300, QEMU_ANY_LEN, 0 },
};

#define QEMU_SET(n, c, v, t) { (n), (c), (v), (t), sizeof(t) / sizeof((t)[0]) }

static const struct qemu_set qemu_sets[] = {
	QEMU_SET("cxl_cmd_set", CCIS_HOST, CCIS_PLAIN, qemu_cmd_set),
	QEMU_SET("cxl_cmd_set_dcd", CCIS_HOST, CCIS_DC, qemu_cmd_set_dcd),
	QEMU_SET("cxl_cmd_set_t3_fm_owned_ld_mctp", CCIS_FM, CCIS_PLAIN,
		 qemu_cmd_set_t3_fm_owned_ld_mctp),
	QEMU_SET("cxl_cmd_set_fm_dcd", CCIS_FM, CCIS_DC, qemu_cmd_set_fm_dcd),
	QEMU_SET("cxl_cmd_set_t3_ld", CCIS_LD, CCIS_PLAIN, qemu_cmd_set_t3_ld),
	QEMU_SET("cxl_cmd_set_sw", CCIS_SWITCH, CCIS_PLAIN, qemu_cmd_set_sw),
};

#define QEMU_NSETS (sizeof(qemu_sets) / sizeof(qemu_sets[0]))

#endif
