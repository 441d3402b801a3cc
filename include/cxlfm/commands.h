/* SPDX-License-Identifier: MIT */
/*
 * The CXL command facts: every CCI / FM API command cxl-fmemu knows,
 * described once. The device models' command sets (src/dev), the Command
 * Effects Log they report, libcxlfm's opcode names and layout sizes, and
 * docs/commands.md all come from CXLFM_COMMANDS below; tests/unit
 * (proto-commands, dev-facts) fail when any of them disagrees with it.
 *
 * One row per opcode, in opcode order:
 *
 *   X(opcode, ID, "Spec Name", "section", request, response, effects, CCIs)
 *
 *   ID        the one C name: CXLFM_OP_<ID> (libcxlfm), CCI_OP_<ID> (devices)
 *   Spec Name the command's name as the CXL specification prints it
 *   section   where the specification defines it (CXL r3.1 unless r3.2 is named)
 *   request   payload length in bytes: a number when the length is fixed, or
 *   response  CXLFM_VAR(min) when it varies (at least min bytes). A fixed
 *             request of another length is answered Invalid Payload Length by
 *             the devices' dispatcher, as is a variable one under min; a
 *             device answering a fixed-length command with another length on
 *             success is a device bug (Internal Error, logged).
 *   effects   the Command Effect bits its CEL entry carries (CXLFM_EFF_*,
 *             CXL r3.2 Table 8-87)
 *   CCIs      the kinds of CCI that may carry it (CXLFM_CCI_*): generic
 *             commands (00xxh-05xxh) any, memory device commands (40xxh-48xxh)
 *             a type-3 device's, FM API commands (51xxh-56xxh) a switch's or
 *             a type-3 device's FM-facing CCI, by command set (CXL r3.1
 *             Table 8-37, §8.2.9.9, Table 8-132). A command set may only
 *             register a command on a CCI of a kind listed here.
 *
 * Where the facts come from: rows that a cxl-emu command set registers are
 * what the devices do, asserted byte by byte by tests/unit (and shown in
 * docs/commands.md). The other rows are the commands libcxlmi can send
 * (its src/cxlmi/api-types.h layouts at d2dd30c); their effects are QEMU's
 * (hw/cxl/cxl-mailbox-utils.c at fc8b078e) where QEMU implements the
 * command, else read from the command's description. Check both against the
 * section when you implement one (step 1 below).
 *
 * Adding a command
 *   1. Its row here. Every opcode libcxlmi can send has one already; else add
 *      it at its opcode (the list stays sorted; ID and name unique). Check
 *      lengths, effects and CCIs against the section before you rely on them.
 *   2. Its handler next to the model it acts on (src/dev/<model>.c), named
 *      cmd_<set>_<name>, with a comment citing section and opcode. The
 *      dispatcher has already checked the request length (fixed, or at least
 *      the minimum); the handler checks what varies (counts against the
 *      length) and the contents, writes the response and returns a CXL
 *      return code.
 *   3. A row CCI_CMD(ID, handler) in the command set of every CCI that
 *      carries it, at its opcode: t3.c (host mailbox, FM-owned LD, LD),
 *      t3_dcd.c, t3_mld.c, sw.c (switch). The CEL entry follows from it.
 *   4. Tests in tests/unit/dev: the success answer byte for byte, each error
 *      the handler returns (Invalid Payload Length for a count that
 *      disagrees with the length, Invalid Input, ...) and the state left
 *      unchanged by an error. dev-facts checks the row, CEL and CCI kind.
 *   5. If the FM needs it: a typed call in include/cxlfm/fmapi.h and
 *      src/lib/fmapi.c (sizes CXL_IN_/CXL_OUT_<ID> from proto/commands.h,
 *      shared records from proto/records.h) with a test against the model.
 *   6. Regenerate docs/commands.md (build/tests/unit/dev/commands-doc >
 *      docs/commands.md; the docs-commands test fails until you do), and say
 *      in docs/ where the behaviour departs from QEMU or the spec.
 */
#ifndef CXLFM_COMMANDS_H
#define CXLFM_COMMANDS_H

/* A variable payload length of at least min bytes (lengths fit 21 bits). */
#define CXLFM_VAR(min) (0x1000000 | (min))
#define CXLFM_LEN_IS_VAR(len) (((len) & 0x1000000) != 0)
#define CXLFM_LEN_MIN(len) ((len) & 0xffffff)

/*
 * Command Effect bits of a Command Effects Log entry (CXL r3.2 Table 8-87):
 * X(bit, ID, "name"), the name as cxl-fmctl prints it.
 */
#define CXLFM_EFFECTS(X) \
	X(0, COLD_RESET, "config-change-cold-reset") \
	X(1, IMM_CONFIG, "immediate-config-change") \
	X(2, IMM_DATA, "immediate-data-change") \
	X(3, IMM_POLICY, "immediate-policy-change") \
	X(4, IMM_LOG, "immediate-log-change") \
	X(5, SECURITY, "security-state-change") \
	X(6, BG, "background-operation") \
	X(7, SECONDARY_MBOX, "secondary-mailbox") \
	X(8, ABORT, "request-abort") \
	X(9, CONV_RESET, "config-change-conventional-reset") \
	X(10, CXL_RESET, "config-change-cxl-reset")

enum cxlfm_effect {
#define CXLFM_EFFECT_ENUM_(bit, id, name) CXLFM_EFF_##id = 1 << (bit),
	CXLFM_EFFECTS(CXLFM_EFFECT_ENUM_)
#undef CXLFM_EFFECT_ENUM_
};

/*
 * A change of the device's configuration and data that also holds across
 * every reset: the five effects CXL r3.1 lists for Set LD Allocations
 * (§7.6.7.4.3), Set QoS Allocated BW / BW Limit (§7.6.7.4.8, .10) and the
 * dynamic capacity changes (§7.6.7.6.3, .5, .6; QEMU reports the same).
 */
#define CXLFM_EFF_RECONFIG (CXLFM_EFF_COLD_RESET | CXLFM_EFF_CONV_RESET | \
			    CXLFM_EFF_CXL_RESET | CXLFM_EFF_IMM_CONFIG | CXLFM_EFF_IMM_DATA)

/* Kinds of CCI (a command set is registered on one kind). */
enum cxlfm_cci_kind {
	CXLFM_CCI_T3_MBOX = 0x1, /* a type-3 device's mailbox: its host's driver */
	CXLFM_CCI_T3_FM = 0x2,   /* a type-3 device's MCTP CCI, the FM-owned LD: FM, BMC */
	CXLFM_CCI_T3_LD = 0x4,   /* the CCI of one LD, behind Tunnel Management */
	CXLFM_CCI_SW = 0x8,      /* a switch's CCI (mailbox CCI or MCTP) */
	CXLFM_CCI_T3 = 0x7,
	CXLFM_CCI_ANY = 0xf,
};

/* Log and record UUIDs, wire (RFC 4122) byte order, as array initializers. */
#define CXLFM_CEL_UUID_INIT /* 0da9c0b5-bf41-4b78-8f79-96b1623b3f17, CXL r3.1 §8.2.9.5.2.1 */ \
	{ 0x0d, 0xa9, 0xc0, 0xb5, 0xbf, 0x41, 0x4b, 0x78, \
	  0x8f, 0x79, 0x96, 0xb1, 0x62, 0x3b, 0x3f, 0x17 }
#define CXLFM_DC_EVENT_UUID_INIT /* ca95afa7-f183-4018-8c2f-95268e101a2a, §8.2.9.2.1.6 */ \
	{ 0xca, 0x95, 0xaf, 0xa7, 0xf1, 0x83, 0x40, 0x18, \
	  0x8c, 0x2f, 0x95, 0x26, 0x8e, 0x10, 0x1a, 0x2a }
#define CXLFM_GEN_MEDIA_EVENT_UUID_INIT /* fbcd0a77-c260-417f-85a9-088b1621eba6, §8.2.9.2.1.1 */ \
	{ 0xfb, 0xcd, 0x0a, 0x77, 0xc2, 0x60, 0x41, 0x7f, \
	  0x85, 0xa9, 0x08, 0x8b, 0x16, 0x21, 0xeb, 0xa6 }
#define CXLFM_DRAM_EVENT_UUID_INIT /* 601dcbb3-9c06-4eab-b8af-4e9bfb5c9624, §8.2.9.2.1.2 */ \
	{ 0x60, 0x1d, 0xcb, 0xb3, 0x9c, 0x06, 0x4e, 0xab, \
	  0xb8, 0xaf, 0x4e, 0x9b, 0xfb, 0x5c, 0x96, 0x24 }
#define CXLFM_MEM_MODULE_EVENT_UUID_INIT /* fe927475-dd59-4339-a586-79bab113b774, §8.2.9.2.1.3 */ \
	{ 0xfe, 0x92, 0x74, 0x75, 0xdd, 0x59, 0x43, 0x39, \
	  0xa5, 0x86, 0x79, 0xba, 0xb1, 0x13, 0xb7, 0x74 }
/* Fabric Management event records a switch logs (CXL r3.1 §7.6.8). */
#define CXLFM_PHYS_SW_EVENT_UUID_INIT /* 77cf9271-9c02-470b-9fe4-bc7b75f2da97, §7.6.8.1 */ \
	{ 0x77, 0xcf, 0x92, 0x71, 0x9c, 0x02, 0x47, 0x0b, \
	  0x9f, 0xe4, 0xbc, 0x7b, 0x75, 0xf2, 0xda, 0x97 }
#define CXLFM_VCS_EVENT_UUID_INIT /* 40d26425-3396-4c4d-a5da-3d47263af425, §7.6.8.2 */ \
	{ 0x40, 0xd2, 0x64, 0x25, 0x33, 0x96, 0x4c, 0x4d, \
	  0xa5, 0xda, 0x3d, 0x47, 0x26, 0x3a, 0xf4, 0x25 }
#define CXLFM_MLD_PORT_EVENT_UUID_INIT /* 8dc44363-0c96-4710-b7bf-04bb99534c3f, §7.6.8.3 */ \
	{ 0x8d, 0xc4, 0x43, 0x63, 0x0c, 0x96, 0x47, 0x10, \
	  0xb7, 0xbf, 0x04, 0xbb, 0x99, 0x53, 0x4c, 0x3f }

#define CXLFM_COMMANDS(X) \
/* Generic Component commands: Information and Status, Events, Firmware Update, */ \
/* Timestamp, Logs, Features (CXL r3.1 §8.2.9.1-§8.2.9.6, Table 8-37) */ \
X(0x0001, IDENTIFY, "Identify", "§8.2.9.1.1", 0, 18, 0, CXLFM_CCI_ANY) \
X(0x0002, BG_OP_STATUS, "Background Operation Status", "§8.2.9.1.2", 0, 8, 0, CXLFM_CCI_ANY) \
X(0x0003, GET_RSP_MSG_LIMIT, "Get Response Message Limit", "§8.2.9.1.3", 0, 1, 0, CXLFM_CCI_ANY) \
X(0x0004, SET_RSP_MSG_LIMIT, "Set Response Message Limit", "§8.2.9.1.4", 1, 1, \
  CXLFM_EFF_IMM_CONFIG, CXLFM_CCI_ANY) \
X(0x0005, BG_OP_ABORT, "Request Abort Background Operation", "§8.2.9.1.5", 0, 0, 0, \
  CXLFM_CCI_ANY) \
X(0x0100, GET_EVENT_RECORDS, "Get Event Records", "§8.2.9.2.2", 1, CXLFM_VAR(32), 0, \
  CXLFM_CCI_ANY) \
X(0x0101, CLEAR_EVENT_RECORDS, "Clear Event Records", "§8.2.9.2.3", CXLFM_VAR(6), 0, \
  CXLFM_EFF_IMM_LOG, CXLFM_CCI_ANY) \
X(0x0102, GET_EVENT_INT_POLICY, "Get Event Interrupt Policy", "§8.2.9.2.4", 0, 5, 0, \
  CXLFM_CCI_ANY) \
X(0x0103, SET_EVENT_INT_POLICY, "Set Event Interrupt Policy", "§8.2.9.2.5", CXLFM_VAR(4), 0, \
  CXLFM_EFF_IMM_CONFIG, CXLFM_CCI_ANY) \
X(0x0104, GET_MCTP_EVENT_INT_POLICY, "Get MCTP Event Interrupt Policy", "§8.2.9.2.6", 0, 2, \
  0, CXLFM_CCI_ANY) \
X(0x0105, SET_MCTP_EVENT_INT_POLICY, "Set MCTP Event Interrupt Policy", "§8.2.9.2.7", 2, 0, \
  CXLFM_EFF_IMM_CONFIG, CXLFM_CCI_ANY) \
X(0x0106, EVENT_NOTIFICATION, "Event Notification", "§8.2.9.2.8", 2, 0, 0, CXLFM_CCI_ANY) \
X(0x0200, GET_FW_INFO, "Get FW Info", "§8.2.9.3.1", 0, 0x50, 0, CXLFM_CCI_ANY) \
X(0x0201, TRANSFER_FW, "Transfer FW", "§8.2.9.3.2", CXLFM_VAR(0x80), 0, \
  CXLFM_EFF_BG | CXLFM_EFF_ABORT, CXLFM_CCI_ANY) \
X(0x0202, ACTIVATE_FW, "Activate FW", "§8.2.9.3.3", 2, 0, CXLFM_EFF_BG | CXLFM_EFF_ABORT, \
  CXLFM_CCI_ANY) \
X(0x0300, GET_TIMESTAMP, "Get Timestamp", "§8.2.9.4.1", 0, 8, 0, CXLFM_CCI_ANY) \
X(0x0301, SET_TIMESTAMP, "Set Timestamp", "§8.2.9.4.2", 8, 0, CXLFM_EFF_IMM_POLICY, \
  CXLFM_CCI_ANY) \
X(0x0400, GET_SUPPORTED_LOGS, "Get Supported Logs", "§8.2.9.5.1", 0, CXLFM_VAR(8), 0, \
  CXLFM_CCI_ANY) \
X(0x0401, GET_LOG, "Get Log", "§8.2.9.5.2", 0x18, CXLFM_VAR(0), 0, CXLFM_CCI_ANY) \
X(0x0402, GET_LOG_CAPS, "Get Log Capabilities", "§8.2.9.5.3", 16, 4, 0, CXLFM_CCI_ANY) \
X(0x0403, CLEAR_LOG, "Clear Log", "§8.2.9.5.4", 16, 0, CXLFM_EFF_IMM_LOG, CXLFM_CCI_ANY) \
X(0x0404, POPULATE_LOG, "Populate Log", "§8.2.9.5.5", 16, 0, CXLFM_EFF_IMM_LOG, \
  CXLFM_CCI_ANY) \
X(0x0405, GET_SUPPORTED_LOGS_SUBLIST, "Get Supported Logs Sub-List", "§8.2.9.5.6", 2, \
  CXLFM_VAR(8), 0, CXLFM_CCI_ANY) \
X(0x0500, GET_SUPPORTED_FEATURES, "Get Supported Features", "§8.2.9.6.1", 8, CXLFM_VAR(8), \
  0, CXLFM_CCI_ANY) \
X(0x0501, GET_FEATURE, "Get Feature", "§8.2.9.6.2", 0x15, CXLFM_VAR(0), 0, CXLFM_CCI_ANY) \
X(0x0502, SET_FEATURE, "Set Feature", "§8.2.9.6.3", CXLFM_VAR(0x20), 0, \
  CXLFM_EFF_IMM_CONFIG | CXLFM_EFF_IMM_DATA | CXLFM_EFF_IMM_POLICY | CXLFM_EFF_IMM_LOG | \
  CXLFM_EFF_SECURITY, CXLFM_CCI_ANY) \
/* Memory Device commands (CXL r3.1 §8.2.9.9) */ \
X(0x4000, IDENTIFY_MEMORY_DEVICE, "Identify Memory Device", "§8.2.9.9.1.1", 0, 0x45, 0, \
  CXLFM_CCI_T3) \
X(0x4100, GET_PARTITION_INFO, "Get Partition Info", "§8.2.9.9.2.1", 0, 0x20, 0, CXLFM_CCI_T3) \
X(0x4101, SET_PARTITION_INFO, "Set Partition Info", "§8.2.9.9.2.2", 9, 0, \
  CXLFM_EFF_COLD_RESET | CXLFM_EFF_IMM_CONFIG | CXLFM_EFF_IMM_DATA, CXLFM_CCI_T3) \
X(0x4102, GET_LSA, "Get LSA", "§8.2.9.9.2.3", 8, CXLFM_VAR(0), 0, CXLFM_CCI_T3) \
X(0x4103, SET_LSA, "Set LSA", "§8.2.9.9.2.4", CXLFM_VAR(8), 0, \
  CXLFM_EFF_IMM_CONFIG | CXLFM_EFF_IMM_DATA, CXLFM_CCI_T3) \
X(0x4200, GET_HEALTH_INFO, "Get Health Info", "§8.2.9.9.3.1", 0, 0x12, 0, CXLFM_CCI_T3) \
X(0x4201, GET_ALERT_CONFIG, "Get Alert Configuration", "§8.2.9.9.3.2", 0, 0x10, 0, \
  CXLFM_CCI_T3) \
X(0x4202, SET_ALERT_CONFIG, "Set Alert Configuration", "§8.2.9.9.3.3", 12, 0, \
  CXLFM_EFF_IMM_POLICY, CXLFM_CCI_T3) \
X(0x4203, GET_SHUTDOWN_STATE, "Get Shutdown State", "§8.2.9.9.3.4", 0, 1, 0, CXLFM_CCI_T3) \
X(0x4204, SET_SHUTDOWN_STATE, "Set Shutdown State", "§8.2.9.9.3.5", 1, 0, \
  CXLFM_EFF_IMM_CONFIG, CXLFM_CCI_T3) \
X(0x4300, GET_POISON_LIST, "Get Poison List", "§8.2.9.9.4.1", 16, CXLFM_VAR(32), 0, \
  CXLFM_CCI_T3) \
X(0x4301, INJECT_POISON, "Inject Poison", "§8.2.9.9.4.2", 8, 0, 0, CXLFM_CCI_T3) \
X(0x4302, CLEAR_POISON, "Clear Poison", "§8.2.9.9.4.3", 72, 0, 0, CXLFM_CCI_T3) \
X(0x4303, GET_SCAN_MEDIA_CAPS, "Get Scan Media Capabilities", "§8.2.9.9.4.4", 16, 4, 0, \
  CXLFM_CCI_T3) \
X(0x4304, SCAN_MEDIA, "Scan Media", "§8.2.9.9.4.5", 17, 0, CXLFM_EFF_BG | CXLFM_EFF_ABORT, \
  CXLFM_CCI_T3) \
X(0x4305, GET_SCAN_MEDIA_RESULTS, "Get Scan Media Results", "§8.2.9.9.4.6", 0, \
  CXLFM_VAR(32), 0, CXLFM_CCI_T3) \
X(0x4400, SANITIZE, "Sanitize", "§8.2.9.9.5.1", 0, 0, \
  CXLFM_EFF_IMM_DATA | CXLFM_EFF_SECURITY | CXLFM_EFF_BG | CXLFM_EFF_ABORT, CXLFM_CCI_T3) \
X(0x4401, SECURE_ERASE, "Secure Erase", "§8.2.9.9.5.2", 0, 0, \
  CXLFM_EFF_IMM_DATA | CXLFM_EFF_SECURITY, CXLFM_CCI_T3) \
X(0x4402, MEDIA_OPERATIONS, "Media Operations", "r3.2 §8.2.10.9.5.3", CXLFM_VAR(8), \
  CXLFM_VAR(0), CXLFM_EFF_IMM_DATA | CXLFM_EFF_BG, CXLFM_CCI_T3) \
X(0x4500, GET_SECURITY_STATE, "Get Security State", "§8.2.9.9.6.1", 0, 4, 0, CXLFM_CCI_T3) \
X(0x4501, SET_PASSPHRASE, "Set Passphrase", "§8.2.9.9.6.2", 0x60, 0, CXLFM_EFF_SECURITY, \
  CXLFM_CCI_T3) \
X(0x4502, DISABLE_PASSPHRASE, "Disable Passphrase", "§8.2.9.9.6.3", 0x40, 0, \
  CXLFM_EFF_SECURITY, CXLFM_CCI_T3) \
X(0x4503, UNLOCK, "Unlock", "§8.2.9.9.6.4", 0x20, 0, CXLFM_EFF_SECURITY, CXLFM_CCI_T3) \
X(0x4504, FREEZE_SECURITY_STATE, "Freeze Security State", "§8.2.9.9.6.5", 0, 0, \
  CXLFM_EFF_SECURITY, CXLFM_CCI_T3) \
X(0x4505, PASSPHRASE_SECURE_ERASE, "Passphrase Secure Erase", "§8.2.9.9.6.6", 0x40, 0, \
  CXLFM_EFF_IMM_DATA | CXLFM_EFF_SECURITY, CXLFM_CCI_T3) \
X(0x4600, SECURITY_SEND, "Security Send", "§8.2.9.9.7.1", CXLFM_VAR(8), 0, \
  CXLFM_EFF_SECURITY, CXLFM_CCI_T3) \
X(0x4601, SECURITY_RECEIVE, "Security Receive", "§8.2.9.9.7.2", 8, CXLFM_VAR(0), 0, \
  CXLFM_CCI_T3) \
X(0x4700, GET_SLD_QOS_CONTROL, "Get SLD QoS Control", "§8.2.9.9.8.1", 0, 4, 0, CXLFM_CCI_T3) \
X(0x4701, SET_SLD_QOS_CONTROL, "Set SLD QoS Control", "§8.2.9.9.8.2", 4, 0, \
  CXLFM_EFF_IMM_CONFIG, CXLFM_CCI_T3) \
X(0x4702, GET_SLD_QOS_STATUS, "Get SLD QoS Status", "§8.2.9.9.8.3", 0, 1, 0, CXLFM_CCI_T3) \
X(0x4800, GET_DC_CONFIG, "Get Dynamic Capacity Configuration", "§8.2.9.9.9.1", 2, \
  CXLFM_VAR(24), 0, CXLFM_CCI_T3) \
X(0x4801, GET_DC_EXTENT_LIST, "Get Dynamic Capacity Extent List", "§8.2.9.9.9.2", 8, \
  CXLFM_VAR(16), 0, CXLFM_CCI_T3) \
X(0x4802, ADD_DC_RESPONSE, "Add Dynamic Capacity Response", "§8.2.9.9.9.3", CXLFM_VAR(8), 0, \
  CXLFM_EFF_IMM_DATA, CXLFM_CCI_T3) \
X(0x4803, RELEASE_DC, "Release Dynamic Capacity", "§8.2.9.9.9.4", CXLFM_VAR(8), 0, \
  CXLFM_EFF_IMM_DATA, CXLFM_CCI_T3) \
/* FM API: Physical Switch, Virtual Switch, MLD Port, MLD Components, */ \
/* Multi-Headed Device, DCD Management (CXL r3.1 §7.6.7, Table 8-132) */ \
X(0x5100, IDENTIFY_SWITCH_DEVICE, "Identify Switch Device", "§7.6.7.1.1", 0, 0x49, 0, \
  CXLFM_CCI_SW) \
X(0x5101, GET_PHYS_PORT_STATE, "Get Physical Port State", "§7.6.7.1.2", CXLFM_VAR(1), \
  CXLFM_VAR(4), 0, CXLFM_CCI_SW) \
X(0x5102, PHYS_PORT_CONTROL, "Physical Port Control", "§7.6.7.1.3", 2, 0, 0, CXLFM_CCI_SW) \
/* 5103h, 5301h, 5302h checked against CXL r3.1: Command Effects None; 5302h's */ \
/* Transaction Data starts at 10h (Table 7-41; the 2-byte length its 01h row */ \
/* prints, which libcxlmi's 15-byte request follows, contradicts bits[23:0]). */ \
X(0x5103, SEND_PPB_CXLIO_CONFIG_REQ, "Send PPB CXL.io Configuration Request", "§7.6.7.1.4", \
  8, 4, 0, CXLFM_CCI_SW) \
X(0x5104, GET_DOMAIN_VALIDATION_SV_STATE, "Get Domain Validation SV State", "§7.6.7.1.5", 0, \
  1, 0, CXLFM_CCI_SW) \
X(0x5105, SET_DOMAIN_VALIDATION_SV, "Set Domain Validation SV", "§7.6.7.1.6", 16, 0, 0, \
  CXLFM_CCI_SW) \
X(0x5106, GET_VCS_DOMAIN_VALIDATION_SV_STATE, "Get VCS Domain Validation SV State", \
  "§7.6.7.1.7", 1, 1, 0, CXLFM_CCI_SW) \
X(0x5107, GET_DOMAIN_VALIDATION_SV, "Get Domain Validation SV", "§7.6.7.1.8", 1, 16, 0, \
  CXLFM_CCI_SW) \
X(0x5200, GET_VCS_INFO, "Get Virtual CXL Switch Info", "§7.6.7.2.1", CXLFM_VAR(3), \
  CXLFM_VAR(4), 0, CXLFM_CCI_SW) \
X(0x5201, BIND_VPPB, "Bind vPPB", "§7.6.7.2.2", 6, 0, CXLFM_EFF_BG, CXLFM_CCI_SW) \
X(0x5202, UNBIND_VPPB, "Unbind vPPB", "§7.6.7.2.3", 3, 0, CXLFM_EFF_BG, CXLFM_CCI_SW) \
X(0x5300, TUNNEL_MGMT, "Tunnel Management Command", "§7.6.7.3.1", CXLFM_VAR(16), \
  CXLFM_VAR(16), 0, CXLFM_CCI_SW | CXLFM_CCI_T3_FM) \
X(0x5301, SEND_LD_CXLIO_CONFIG_REQ, "Send LD CXL.io Configuration Request", "§7.6.7.3.2", \
  12, 4, 0, CXLFM_CCI_SW) \
X(0x5302, SEND_LD_CXLIO_MEM_REQ, "Send LD CXL.io Memory Request", "§7.6.7.3.3", \
  CXLFM_VAR(16), CXLFM_VAR(4), 0, CXLFM_CCI_SW) \
X(0x5400, GET_LD_INFO, "Get LD Info", "§7.6.7.4.1", 0, 11, 0, CXLFM_CCI_T3_FM) \
X(0x5401, GET_LD_ALLOCATIONS, "Get LD Allocations", "§7.6.7.4.2", 2, CXLFM_VAR(4), 0, \
  CXLFM_CCI_T3_FM) \
X(0x5402, SET_LD_ALLOCATIONS, "Set LD Allocations", "§7.6.7.4.3", CXLFM_VAR(4), \
  CXLFM_VAR(4), CXLFM_EFF_RECONFIG, CXLFM_CCI_T3_FM) \
X(0x5403, GET_QOS_CONTROL, "Get QoS Control", "§7.6.7.4.4", 0, 7, 0, CXLFM_CCI_T3_FM) \
X(0x5404, SET_QOS_CONTROL, "Set QoS Control", "§7.6.7.4.5", 7, 7, CXLFM_EFF_IMM_POLICY, \
  CXLFM_CCI_T3_FM) \
X(0x5405, GET_QOS_STATUS, "Get QoS Status", "§7.6.7.4.6", 0, 1, 0, CXLFM_CCI_T3_FM) \
X(0x5406, GET_QOS_ALLOCATED_BW, "Get QoS Allocated BW", "§7.6.7.4.7", 2, CXLFM_VAR(2), 0, \
  CXLFM_CCI_T3_FM) \
X(0x5407, SET_QOS_ALLOCATED_BW, "Set QoS Allocated BW", "§7.6.7.4.8", CXLFM_VAR(2), \
  CXLFM_VAR(2), CXLFM_EFF_RECONFIG, CXLFM_CCI_T3_FM) \
X(0x5408, GET_QOS_BW_LIMIT, "Get QoS BW Limit", "§7.6.7.4.9", 2, CXLFM_VAR(2), 0, \
  CXLFM_CCI_T3_FM) \
X(0x5409, SET_QOS_BW_LIMIT, "Set QoS BW Limit", "§7.6.7.4.10", CXLFM_VAR(2), CXLFM_VAR(2), \
  CXLFM_EFF_RECONFIG, CXLFM_CCI_T3_FM) \
X(0x5500, GET_MHD_INFO, "Get Multi-Headed Info", "§7.6.7.5.1", 2, CXLFM_VAR(8), 0, \
  CXLFM_CCI_T3_FM) \
X(0x5501, GET_HEAD_INFO, "Get Head Info", "§7.6.7.5.2", 2, CXLFM_VAR(4), 0, CXLFM_CCI_T3_FM) \
X(0x5600, GET_DCD_INFO, "Get DCD Info", "§7.6.7.6.1", 0, 0x54, 0, CXLFM_CCI_T3_FM) \
X(0x5601, GET_HOST_DC_REGION_CONFIG, "Get Host DC Region Configuration", "§7.6.7.6.2", 4, \
  CXLFM_VAR(20), 0, CXLFM_CCI_T3_FM) \
X(0x5602, SET_DC_REGION_CONFIG, "Set DC Region Configuration", "§7.6.7.6.3", 16, 0, \
  CXLFM_EFF_RECONFIG, CXLFM_CCI_T3_FM) \
X(0x5603, GET_DC_REGION_EXTENT_LISTS, "Get DC Region Extent Lists", "§7.6.7.6.4", 12, \
  CXLFM_VAR(24), 0, CXLFM_CCI_T3_FM) \
X(0x5604, INITIATE_DC_ADD, "Initiate Dynamic Capacity Add", "§7.6.7.6.5", CXLFM_VAR(32), 0, \
  CXLFM_EFF_RECONFIG, CXLFM_CCI_T3_FM) \
X(0x5605, INITIATE_DC_RELEASE, "Initiate Dynamic Capacity Release", "§7.6.7.6.6", \
  CXLFM_VAR(32), 0, CXLFM_EFF_RECONFIG, CXLFM_CCI_T3_FM) \
X(0x5606, DC_ADD_REFERENCE, "Dynamic Capacity Add Reference", "r3.2 §7.6.7.6.7", 16, 0, \
  CXLFM_EFF_IMM_CONFIG, CXLFM_CCI_T3_FM) \
X(0x5607, DC_REMOVE_REFERENCE, "Dynamic Capacity Remove Reference", "r3.2 §7.6.7.6.8", 16, 0, \
  CXLFM_EFF_IMM_CONFIG, CXLFM_CCI_T3_FM) \
X(0x5608, DC_LIST_TAGS, "Dynamic Capacity List Tags", "r3.2 §7.6.7.6.9", 8, CXLFM_VAR(16), \
  0, CXLFM_CCI_T3_FM)

/* Opcodes (CXL r3.1 Table 8-37, §8.2.9.9, Table 8-132): CXLFM_OP_IDENTIFY, ... */
enum cxlfm_opcode {
#define CXLFM_OPCODE_ENUM_(op, id, ...) CXLFM_OP_##id = (op),
	CXLFM_COMMANDS(CXLFM_OPCODE_ENUM_)
#undef CXLFM_OPCODE_ENUM_
};

#endif
