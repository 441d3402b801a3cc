/* SPDX-License-Identifier: MIT */
/*
 * Type-3 persistent memory data-at-rest security (CXL r3.1 §8.2.9.9.6,
 * 45xxh) and security passthrough (§8.2.9.9.7, 46xxh).
 *
 * The state machine: a user passphrase enables security; from the next
 * start on (a cxl-emu restart is the device's power cycle) the persistent
 * capacity is locked until Unlock gives the user passphrase: host
 * accesses to it fail and the media commands that touch it answer Invalid
 * Security State. A master passphrase may be set only while no user
 * passphrase is; Passphrase Secure Erase with either erases the
 * persistent capacity and disables the user passphrase. Freeze Security
 * State refuses every change until the next start. Each passphrase type
 * allows SEC_TRIES wrong attempts, then its "attempt count reached" bit
 * refuses it until the next start (the count's expiry) or a correct one
 * before the limit resets it. The rules follow the section and where it
 * is silent Linux's model of it (tools/testing/cxl/test/mem.c): the
 * current passphrase is ignored when none is set, and a master Passphrase
 * Secure Erase without a master passphrase is Invalid Input.
 *
 * The passphrases and the "user/master set" bits persist in the SECURITY
 * section of the non-volatile state (dev/t3_nv.h), with the flag of a
 * sanitize that did not complete; lock, freeze and attempt counts are the
 * running device's. The passphrases are stored as given (the state file
 * is the device's own flash): protect the file as the device.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "dev/t3_nv.h"
#include "dev/t3_priv.h"
#include "proto/le.h"
#include "util/log.h"

#define SEC_TRIES 3u  /* wrong passphrases before a type is refused (Linux's test device) */

enum { PASS_MASTER = 0, PASS_USER = 1 }; /* Passphrase Type */

/*
 * SECURITY section, little-endian: 0 magic "T3SEC" + version 1 (8 bytes),
 * 8:4 flags (bit0 user passphrase set, bit1 master set, bit2 a sanitize
 * did not complete), 12:4 reserved 0, 16:32 user passphrase, 48:32 master
 * passphrase (zero when unset), 80:4 FNV-1a of bytes 0-79.
 */
static const uint8_t nv_magic[8] = { 'T', '3', 'S', 'E', 'C', 0, 0, 1 };
#define NV_USER 0x1u
#define NV_MASTER 0x2u
#define NV_SANITIZING 0x4u
#define NV_CHECK 80u
#define NV_LEN 84u

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static int sec_store(struct t3_dev *dev)
{
	const struct t3_sec *s = &dev->sec;
	uint8_t b[NV_LEN] = { 0 };
	uint32_t flags = (s->state & T3_SEC_USER_SET ? NV_USER : 0) |
			 (s->state & T3_SEC_MASTER_SET ? NV_MASTER : 0) |
			 (s->sanitizing ? NV_SANITIZING : 0);

	memcpy(b, nv_magic, sizeof(nv_magic));
	le32_put(b + 8, flags);
	memcpy(b + 16, s->user, T3_PASSPHRASE_LEN);
	memcpy(b + 48, s->master, T3_PASSPHRASE_LEN);
	le32_put(b + NV_CHECK, fnv1a(b, NV_CHECK));
	return t3_nv_store(dev, T3_NV_SECURITY, b, sizeof(b));
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* The section as it was stored, or false for anything we did not write. */
static bool sec_parse(const uint8_t *b, struct t3_sec *s)
{
	uint32_t flags = le32_get(b + 8);

	if (memcmp(b, nv_magic, sizeof(nv_magic)) || le32_get(b + NV_CHECK) != fnv1a(b, NV_CHECK) ||
	    flags & ~(NV_USER | NV_MASTER | NV_SANITIZING) || le32_get(b + 12) ||
	    (!(flags & NV_USER) && !all_zero(b + 16, T3_PASSPHRASE_LEN)) ||
	    (!(flags & NV_MASTER) && !all_zero(b + 48, T3_PASSPHRASE_LEN)))
		return false;
	memset(s, 0, sizeof(*s));
	memcpy(s->user, b + 16, T3_PASSPHRASE_LEN);
	memcpy(s->master, b + 48, T3_PASSPHRASE_LEN);
	if (flags & NV_USER)
		s->state |= T3_SEC_USER_SET | T3_SEC_LOCKED; /* locked at every start */
	if (flags & NV_MASTER)
		s->state |= T3_SEC_MASTER_SET;
	s->sanitizing = flags & NV_SANITIZING;
	return true;
}

int t3_sec_init(struct t3_dev *dev)
{
	uint8_t b[NV_LEN];

	memset(&dev->sec, 0, sizeof(dev->sec));
	if (t3_nv_fresh(dev) || t3_nv_load(dev, T3_NV_SECURITY, b, sizeof(b)) ||
	    all_zero(b, sizeof(b))) {
		sec_store(dev);
		return 0;
	}
	if (!sec_parse(b, &dev->sec)) {
		log_warn("dev %s: the security state in its non-volatile state is not valid: "
			 "starting with security disabled", dev->id);
		sec_store(dev);
		return 0;
	}
	if (dev->sec.sanitizing) {
		dev->media.disabled = true;
		log_warn("dev %s: a sanitize did not complete: the media is disabled until one "
			 "does", dev->id);
	}
	if (dev->sec.state & T3_SEC_LOCKED)
		log_info("dev %s: user passphrase set: persistent memory locked", dev->id);
	return 0;
}

/*
 * The persistent capacity the passphrase protects: the active persistent
 * partition, which follows the active volatile one in DPA order.
 */
static void pmem_range(const struct t3_dev *dev, uint64_t *start, uint64_t *len)
{
	t3_partition_active(dev, start, len);
}

bool t3_sec_locked(const struct t3_dev *dev, uint64_t dpa, uint64_t len)
{
	uint64_t ps, pl;

	pmem_range(dev, &ps, &pl);
	return (dev->sec.state & T3_SEC_LOCKED) && dpa < ps + pl && ps < dpa + len;
}

bool t3_sec_user_set(const struct t3_dev *dev)
{
	return dev->sec.state & T3_SEC_USER_SET;
}

void t3_sec_set_sanitizing(struct t3_dev *dev, bool on)
{
	dev->sec.sanitizing = on;
	sec_store(dev);
}

bool t3_sec_sanitizing(const struct t3_dev *dev)
{
	return dev->sec.sanitizing;
}

uint32_t t3_security_state(const struct t3_dev *dev)
{
	return dev->sec.state;
}

/* ---- passphrases ---------------------------------------------------------------- */

/* Compare without stopping at the first difference. */
static bool pass_eq(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;

	for (unsigned i = 0; i < T3_PASSPHRASE_LEN; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return !d;
}

/* Check pass against type's passphrase; a wrong one counts towards the limit. */
static uint16_t check_pass(struct t3_dev *dev, unsigned type, const uint8_t *pass)
{
	struct t3_sec *s = &dev->sec;
	unsigned *tries = type == PASS_USER ? &s->user_tries : &s->master_tries;

	if (pass_eq(type == PASS_USER ? s->user : s->master, pass)) {
		*tries = 0;
		return CXL_RC_SUCCESS;
	}
	if (++*tries >= SEC_TRIES) {
		s->state |= type == PASS_USER ? T3_SEC_USER_PLIMIT : T3_SEC_MASTER_PLIMIT;
		log_warn("dev %s: %s passphrase attempt limit reached", dev->id,
			 type == PASS_USER ? "user" : "master");
	}
	return CXL_RC_INCORRECT_PASSPHRASE;
}

/* Persist a change; on failure the previous state comes back: Internal Error. */
static uint16_t commit(struct t3_dev *dev, const struct t3_sec *old)
{
	if (!sec_store(dev))
		return CXL_RC_SUCCESS;
	dev->sec = *old;
	log_err("dev %s: the security state could not be stored: change undone", dev->id);
	return CXL_RC_INTERNAL_ERROR;
}

/*
 * The checks every passphrase command starts with: Passphrase Type 0
 * (master) or 1 (user), else Invalid Input; frozen, or the type's attempt
 * limit reached: Invalid Security State.
 */
static uint16_t pass_preamble(const struct t3_dev *dev, uint8_t type)
{
	if (type != PASS_MASTER && type != PASS_USER)
		return CXL_RC_INVALID_INPUT;
	if (dev->sec.state & T3_SEC_FROZEN)
		return CXL_RC_INVALID_SECURITY_STATE;
	if (dev->sec.state & (type == PASS_USER ? T3_SEC_USER_PLIMIT : T3_SEC_MASTER_PLIMIT))
		return CXL_RC_INVALID_SECURITY_STATE;
	return CXL_RC_SUCCESS;
}

/* CXL r3.1 §8.2.9.9.6.1 Get Security State (Opcode 4500h): output 0:4 the state bits. */
static uint16_t cmd_get_security_state(struct cci *cci, const struct cci_cmd *cmd,
				       struct cci_call *call)
{
	(void)cmd;
	le32_put(call->out, t3_of(cci)->sec.state);
	call->out_len = 4;
	return CXL_RC_SUCCESS;
}

/*
 * Set Passphrase and Disable Passphrase share their checks: the type's
 * passphrase, when set, must be given as the current one.
 */
static uint16_t change_passphrase(struct t3_dev *dev, const uint8_t *in, bool set)
{
	struct t3_sec *s = &dev->sec, old = *s;
	uint8_t type = in[0];
	bool user = type == PASS_USER;
	uint32_t bit = user ? T3_SEC_USER_SET : T3_SEC_MASTER_SET;
	uint16_t rc = pass_preamble(dev, type);

	if (rc)
		return rc;
	if (set ? !user && (s->state & T3_SEC_USER_SET) : !(s->state & bit))
		return CXL_RC_INVALID_SECURITY_STATE;
	if ((s->state & bit) && (rc = check_pass(dev, type, in + 0x20)))
		return rc;
	if (set) {
		memcpy(user ? s->user : s->master, in + 0x40, T3_PASSPHRASE_LEN);
		s->state |= bit;
	} else {
		memset(user ? s->user : s->master, 0, T3_PASSPHRASE_LEN);
		s->state &= ~(bit | (user ? T3_SEC_LOCKED : 0));
	}
	if ((rc = commit(dev, &old)))
		return rc;
	log_info("dev %s: %s passphrase %s", dev->id, user ? "user" : "master",
		 set ? "set" : "disabled");
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.6.2 Set Passphrase (Opcode 4501h). Input 0 type,
 * 20h:32 current passphrase (ignored when the type has none), 40h:32 new
 * passphrase. "The master passphrase shall only be set in the security
 * disabled state when the user passphrase is not set": Invalid Security
 * State otherwise. Setting the user passphrase does not lock the device
 * now; it locks at the next start.
 */
static uint16_t cmd_set_passphrase(struct cci *cci, const struct cci_cmd *cmd,
				   struct cci_call *call)
{
	(void)cmd;
	return change_passphrase(t3_of(cci), call->in, true);
}

/*
 * CXL r3.1 §8.2.9.9.6.3 Disable Passphrase (Opcode 4502h). Input 0 type,
 * 20h:32 current passphrase. The type has no passphrase: Invalid Security
 * State. Disabling the user passphrase also unlocks (Linux's model): the
 * persistent memory is no longer locked at a start.
 */
static uint16_t cmd_disable_passphrase(struct cci *cci, const struct cci_cmd *cmd,
				       struct cci_call *call)
{
	(void)cmd;
	return change_passphrase(t3_of(cci), call->in, false);
}

/*
 * CXL r3.1 §8.2.9.9.6.4 Unlock (Opcode 4503h). Input 0:32 the user
 * passphrase. Frozen, no user passphrase, its attempt limit reached, or
 * not locked: Invalid Security State; wrong: Incorrect Passphrase.
 */
static uint16_t cmd_unlock(struct cci *cci, const struct cci_cmd *cmd, struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct t3_sec *s = &dev->sec;
	uint16_t rc;

	(void)cmd;
	if (s->state & (T3_SEC_FROZEN | T3_SEC_USER_PLIMIT) || !(s->state & T3_SEC_USER_SET) ||
	    !(s->state & T3_SEC_LOCKED))
		return CXL_RC_INVALID_SECURITY_STATE;
	if ((rc = check_pass(dev, PASS_USER, call->in)))
		return rc;
	s->state &= ~T3_SEC_LOCKED;
	log_info("dev %s: unlocked", dev->id);
	return CXL_RC_SUCCESS;
}

/* CXL r3.1 §8.2.9.9.6.5 Freeze Security State (Opcode 4504h): until the next start. */
static uint16_t cmd_freeze_security(struct cci *cci, const struct cci_cmd *cmd,
				    struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);

	(void)cmd;
	(void)call;
	if (!(dev->sec.state & T3_SEC_FROZEN))
		log_info("dev %s: security state frozen", dev->id);
	dev->sec.state |= T3_SEC_FROZEN;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.6.6 Passphrase Secure Erase (Opcode 4505h). Input 0
 * type, 20h:32 passphrase. Erases the persistent partition (zeroed here,
 * where a device changes its media encryption keys) and disables the user
 * passphrase, unlocking; the master passphrase stays. With the master
 * type and no master passphrase: Invalid Input; with the user type and no
 * user passphrase the passphrase is ignored. The media disabled by a
 * sanitize: Media Disabled; a media operation running: Busy (neither
 * counts as an attempt). A fault erasing: Internal Error, nothing changes.
 */
static uint16_t cmd_passphrase_secure_erase(struct cci *cci, const struct cci_cmd *cmd,
					    struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct t3_sec *s = &dev->sec, old = *s;
	uint8_t type = call->in[0];
	uint16_t rc = pass_preamble(dev, type);
	uint64_t ps, pl;

	(void)cmd;
	if (rc)
		return rc;
	if (type == PASS_MASTER && !(s->state & T3_SEC_MASTER_SET))
		return CXL_RC_INVALID_INPUT;
	if (t3_media_disabled(dev))
		return CXL_RC_MEDIA_DISABLED;
	if (t3_media_running(dev))
		return CXL_RC_BUSY;
	if ((type == PASS_MASTER || (s->state & T3_SEC_USER_SET)) &&
	    (rc = check_pass(dev, type, call->in + 0x20)))
		return rc;
	pmem_range(dev, &ps, &pl);
	if (t3_media_erase(dev, ps, pl)) {
		*s = old;
		return CXL_RC_INTERNAL_ERROR;
	}
	t3_media_unpoison(dev, ps, pl);
	memset(s->user, 0, T3_PASSPHRASE_LEN);
	s->state &= ~(T3_SEC_USER_SET | T3_SEC_LOCKED);
	s->user_tries = 0;
	if ((rc = commit(dev, &old)))
		return rc;
	log_info("dev %s: passphrase secure erase with the %s passphrase", dev->id,
		 type == PASS_USER ? "user" : "master");
	return CXL_RC_SUCCESS;
}

/* ---- security passthrough -------------------------------------------------------- */

/*
 * Security Send / Receive carry the security protocols of SPC-5 / SFSC.
 * The device implements protocol 00h, "security protocol information",
 * and no other: a protocol such as TCG Storage would have to be invented.
 */
#define SP_INFO 0x00u
#define SPS_PROTOCOL_LIST 0x0000u
#define SPS_CERTIFICATE 0x0001u
#define SP_LIST_ROOM 256u /* libcxlmi reads 8 + 256 bytes: a list of every protocol id */

/*
 * CXL r3.1 §8.2.9.9.7.1 Security Send (Opcode 4600h). Input 0 protocol,
 * 1:2 SP specific, 8: data. Protocol 00h is defined for receiving only
 * (SPC-5) and no other is supported: Invalid Input.
 */
static uint16_t cmd_security_send(struct cci *cci, const struct cci_cmd *cmd,
				  struct cci_call *call)
{
	(void)cmd;
	log_dbg("dev %s op 0x4600: security protocol %02xh not supported", t3_of(cci)->id,
		call->in[0]);
	return CXL_RC_INVALID_INPUT;
}

/*
 * CXL r3.1 §8.2.9.9.7.2 Security Receive (Opcode 4601h). Input 0
 * protocol, 1:2 SP specific. Protocol 00h, SP specific 0000h: the
 * supported protocol list (6 reserved, 2-byte big-endian length, the
 * protocol ids: just 00h), zero-padded to room for all 256 ids as libcxlmi
 * reads it; 0001h: certificate data (2 reserved, 2-byte length 0: none).
 * Anything else: Invalid Input.
 */
static uint16_t cmd_security_receive(struct cci *cci, const struct cci_cmd *cmd,
				     struct cci_call *call)
{
	uint16_t sps = le16_get(call->in + 1);

	(void)cci;
	(void)cmd;
	if (call->in[0] != SP_INFO)
		return CXL_RC_INVALID_INPUT;
	switch (sps) {
	case SPS_PROTOCOL_LIST:
		if (call->out_max < 8 + SP_LIST_ROOM)
			return CXL_RC_INTERNAL_ERROR;
		call->out[7] = 1; /* one protocol follows (big-endian length 0001h) */
		call->out[8] = SP_INFO;
		call->out_len = 8 + SP_LIST_ROOM;
		return CXL_RC_SUCCESS;
	case SPS_CERTIFICATE:
		call->out_len = 4; /* certificate length 0 */
		return CXL_RC_SUCCESS;
	default:
		return CXL_RC_INVALID_INPUT;
	}
}

/* ---- command sets ---------------------------------------------------------------- */

/*
 * The host mailbox: the whole state machine and the passthrough (QEMU has
 * only Get Security State, answering 0). Over MCTP a BMC reads the state;
 * passphrases are the host's business.
 */
static const struct cci_cmd sec_host_cmds[] = {
	CCI_CMD(GET_SECURITY_STATE, cmd_get_security_state),
	CCI_CMD(SET_PASSPHRASE, cmd_set_passphrase),
	CCI_CMD(DISABLE_PASSPHRASE, cmd_disable_passphrase),
	CCI_CMD(UNLOCK, cmd_unlock),
	CCI_CMD(FREEZE_SECURITY_STATE, cmd_freeze_security),
	CCI_CMD(PASSPHRASE_SECURE_ERASE, cmd_passphrase_secure_erase),
	CCI_CMD(SECURITY_SEND, cmd_security_send),
	CCI_CMD(SECURITY_RECEIVE, cmd_security_receive),
};
static const struct cci_cmd sec_fm_cmds[] = {
	CCI_CMD(GET_SECURITY_STATE, cmd_get_security_state),
};
static const struct cci_cmd sec_ld_cmds[] = {
	CCI_CMD(GET_SECURITY_STATE, cmd_get_security_state),
};
const struct cci_cmd_set t3_sec_host_set = CCI_SET("t3-security", CXLFM_CCI_T3_MBOX,
						   sec_host_cmds);
const struct cci_cmd_set t3_sec_fm_set = CCI_SET("t3-security", CXLFM_CCI_T3_FM, sec_fm_cmds);
const struct cci_cmd_set t3_sec_ld_set = CCI_SET("t3-security", CXLFM_CCI_T3_LD, sec_ld_cmds);
