/* SPDX-License-Identifier: MIT */
#include "dev/cci.h"

#include <errno.h>
#include <string.h>

#include "proto/le.h"
#include "util/log.h"

const uint8_t cci_cel_uuid[16] = CXLFM_CEL_UUID_INIT;

#define CCI_PAYLOAD_MIN 256u
#define CCI_PAYLOAD_LIMIT (1u << 20)

static bool is_pow2(size_t v)
{
	return v && !(v & (v - 1));
}

static uint8_t log2_size(size_t v)
{
	uint8_t n = 0;

	while ((size_t)1 << (n + 1) <= v)
		n++;
	return n;
}

int cci_init(struct cci *cci, const char *name, void *owner,
	     const struct cci_ident *ident, struct cci_timestamp *ts,
	     const struct cci_clock *clock, size_t payload_max, size_t payload_cap)
{
	if (!is_pow2(payload_max) || !is_pow2(payload_cap) ||
	    payload_max < CCI_PAYLOAD_MIN || payload_cap > CCI_PAYLOAD_LIMIT ||
	    payload_max > payload_cap || !ident || !ts || !clock)
		return -EINVAL;
	memset(cci, 0, sizeof(*cci));
	cci->name = name;
	cci->owner = owner;
	cci->ident = ident;
	cci->ts = ts;
	cci->clock = clock;
	cci->payload_max = payload_max;
	cci->payload_cap = payload_cap;
	return 0;
}

int cci_add_set(struct cci *cci, const struct cci_cmd_set *set)
{
	if (cci->nsets >= CCI_MAX_SETS)
		return -ENOSPC;
	for (size_t i = 1; i < set->count; i++)
		if (set->cmds[i - 1].info->opcode >= set->cmds[i].info->opcode)
			return -EINVAL; /* tables must be sorted, no duplicates */
	for (size_t i = 0; i < set->count; i++) {
		const struct cxl_cmd_info *c = set->cmds[i].info;

		if ((c->ccis & set->kind) != set->kind) {
			log_err("cci %s: set %s carries %s (%04Xh), which its CCI kind may not",
				cci->name, set->name, c->name, c->opcode);
			return -EINVAL;
		}
		if (cci_find(cci, c->opcode))
			return -EEXIST;
	}
	cci->sets[cci->nsets++] = set;
	return 0;
}

int cci_add_log(struct cci *cci, const struct cci_log *log)
{
	if (!memcmp(log->uuid, cci_cel_uuid, 16))
		return -EEXIST;
	for (size_t i = 0; i < cci->nlogs; i++)
		if (!memcmp(cci->logs[i]->uuid, log->uuid, 16))
			return -EEXIST;
	if (cci->nlogs >= CCI_MAX_LOGS)
		return -ENOSPC;
	cci->logs[cci->nlogs++] = log;
	return 0;
}

const struct cci_cmd *cci_find(const struct cci *cci, uint16_t opcode)
{
	for (size_t s = 0; s < cci->nsets; s++) {
		const struct cci_cmd_set *set = cci->sets[s];
		size_t lo = 0, hi = set->count;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (set->cmds[mid].info->opcode == opcode)
				return &set->cmds[mid];
			if (set->cmds[mid].info->opcode < opcode)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return NULL;
}

uint64_t cci_now_ns(const struct cci *cci)
{
	return cci->clock->now_ns(cci->clock->arg);
}

uint16_t cci_process(struct cci *cci, uint16_t opcode, const uint8_t *in,
		     size_t in_len, uint8_t *out, size_t *out_len)
{
	const struct cxl_cmd_info *info;
	const struct cci_cmd *cmd;
	struct cci_call call;
	uint16_t rc;

	*out_len = 0;
	/* An operation the clock says has finished completes before anything
	 * else looks at the device state. */
	cci_tick(cci);

	cmd = cci_find(cci, opcode);
	if (!cmd || !cmd->handler) {
		log_dbg("cci %s op 0x%04x: unsupported", cci->name, opcode);
		return CXL_RC_UNSUPPORTED;
	}
	info = cmd->info;
	if (in_len > cci->payload_max || !cxl_cmd_in_len_ok(info, in_len)) {
		log_dbg("cci %s op 0x%04x %s: payload length %zu", cci->name,
			opcode, info->name, in_len);
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	}
	if ((info->effects & CXLFM_EFF_BG) && cci->bg.running)
		return CXL_RC_BUSY;

	memset(out, 0, cci->payload_max);
	call = (struct cci_call){
		.in = in, .in_len = in_len, .out = out, .out_max = cci->payload_max,
	};
	rc = cmd->handler(cci, cmd, &call);
	if (call.out_len > call.out_max) {
		log_err("cci %s op 0x%04x %s: handler wrote %zu > %zu bytes",
			cci->name, opcode, info->name, call.out_len, call.out_max);
		return CXL_RC_INTERNAL_ERROR;
	}
	if (rc == CXL_RC_SUCCESS && !cxl_cmd_out_len_ok(info, call.out_len)) {
		/* The facts say what a success answer carries: a handler that
		 * answers otherwise is wrong, and nothing of it leaves. */
		log_err("cci %s op 0x%04x %s: handler answered %zu bytes, the command has %s%u",
			cci->name, opcode, info->name, call.out_len,
			info->out_var ? "at least " : "", (unsigned)info->out_len);
		return CXL_RC_INTERNAL_ERROR;
	}
	if (rc == CXL_RC_BG_STARTED && !cci->bg.running) {
		log_err("cci %s op 0x%04x %s: background started without an operation",
			cci->name, opcode, info->name);
		return CXL_RC_INTERNAL_ERROR;
	}
	if (rc == CXL_RC_SUCCESS || rc == CXL_RC_BG_STARTED)
		*out_len = call.out_len;
	log_dbg("cci %s op 0x%04x %s: rc 0x%02x out %zu", cci->name, opcode,
		info->name, rc, *out_len);
	return rc;
}

size_t cci_cel_size(const struct cci *cci)
{
	size_t n = 0;

	for (size_t s = 0; s < cci->nsets; s++)
		n += cci->sets[s]->count;
	return 4 * n;
}

/*
 * The CEL lists the commands in opcode order, whichever set serves them (as
 * QEMU's, which walks its opcode table): a merge of the sorted sets.
 */
size_t cci_cel_read(const struct cci *cci, size_t off, uint8_t *buf, size_t len)
{
	size_t at[CCI_MAX_SETS] = { 0 };
	size_t pos = 0, done = 0;

	for (;;) {
		const struct cxl_cmd_info *c = NULL;
		size_t from = 0;
		uint8_t ent[4];

		for (size_t s = 0; s < cci->nsets; s++) {
			const struct cxl_cmd_info *n;

			if (at[s] == cci->sets[s]->count)
				continue;
			n = cci->sets[s]->cmds[at[s]].info;
			if (!c || n->opcode < c->opcode) {
				c = n;
				from = s;
			}
		}
		if (!c)
			return done;
		at[from]++;
		le16_put(ent, c->opcode);
		le16_put(ent + 2, c->effects);
		for (size_t b = 0; b < 4; b++, pos++) {
			if (pos < off)
				continue;
			if (done == len)
				return done;
			buf[done++] = ent[b];
		}
	}
}

void cci_bg_start(struct cci *cci, uint16_t opcode, uint64_t duration_ns,
		  bool abortable, cci_bg_done_fn done, void *arg)
{
	cci->bg = (struct cci_bg){
		.running = true,
		.abortable = abortable,
		.opcode = opcode,
		.start_ns = cci_now_ns(cci),
		.duration_ns = duration_ns,
		.done = done,
		.arg = arg,
	};
}

void cci_bg_on_abort(struct cci *cci, cci_bg_done_fn aborted)
{
	cci->bg.aborted = aborted;
}

uint64_t cci_bg_remaining_ns(const struct cci *cci)
{
	uint64_t elapsed;

	if (!cci->bg.running)
		return UINT64_MAX;
	elapsed = cci_now_ns(cci) - cci->bg.start_ns;
	return elapsed >= cci->bg.duration_ns ? 0 : cci->bg.duration_ns - elapsed;
}

bool cci_tick(struct cci *cci)
{
	if (!cci->bg.running || cci_bg_remaining_ns(cci) != 0)
		return false;
	cci->bg.running = false;
	cci->bg.rc = CXL_RC_SUCCESS;
	cci->bg.last_pct = 100;
	if (cci->bg.done)
		cci->bg.done(cci, cci->bg.arg);
	log_dbg("cci %s op 0x%04x: background operation done, rc 0x%02x",
		cci->name, cci->bg.opcode, cci->bg.rc);
	return true;
}

/* CXL r3.1 §8.2.9.1.1 Identify (0001h): output 18 bytes. */
uint16_t cci_cmd_identify(struct cci *cci, const struct cci_cmd *cmd,
			  struct cci_call *call)
{
	const struct cci_ident *id = cci->ident;
	uint8_t *o = call->out;

	(void)cmd;
	le16_put(o + 0, id->vendor_id);
	le16_put(o + 2, id->device_id);
	le16_put(o + 4, id->subsys_vendor_id);
	le16_put(o + 6, id->subsys_id);
	le64_put(o + 8, id->serial);
	o[16] = log2_size(cci->payload_max);
	o[17] = id->component_type;
	call->out_len = 18;
	return CXL_RC_SUCCESS;
}

void cci_bg_status(const struct cci *cci, struct cci_bg_status *st)
{
	const struct cci_bg *bg = &cci->bg;

	st->running = bg->running;
	st->pct = bg->last_pct;
	st->opcode = bg->opcode;
	st->rc = bg->running ? 0 : bg->rc;
	st->vendor_status = bg->running ? 0 : bg->vendor_status;
	if (bg->running) {
		uint64_t elapsed = cci_now_ns(cci) - bg->start_ns;
		uint64_t p = bg->duration_ns ? elapsed * 100 / bg->duration_ns : 100;

		st->pct = (uint8_t)(p > 99 ? 99 : p);
	}
}

/* CXL r3.1 §8.2.9.1.2 Background Operation Status (0002h): output 8 bytes. */
uint16_t cci_cmd_bg_op_status(struct cci *cci, const struct cci_cmd *cmd,
			      struct cci_call *call)
{
	struct cci_bg_status st;

	(void)cmd;
	cci_bg_status(cci, &st);
	call->out[0] = (uint8_t)((st.running ? 1u : 0u) | (unsigned)st.pct << 1);
	le16_put(call->out + 2, st.opcode);
	le16_put(call->out + 4, st.rc);
	le16_put(call->out + 6, st.vendor_status);
	call->out_len = 8;
	return CXL_RC_SUCCESS;
}

/* CXL r3.1 §8.2.9.1.3 Get Response Message Limit (0003h). */
uint16_t cci_cmd_get_rsp_msg_limit(struct cci *cci, const struct cci_cmd *cmd,
				   struct cci_call *call)
{
	(void)cmd;
	call->out[0] = log2_size(cci->payload_max);
	call->out_len = 1;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.1.4 Set Response Message Limit (0004h): 2^n bytes with
 * n >= 8 (256 B) and no more than the CCI can hold; answers the limit now
 * in effect.
 */
uint16_t cci_cmd_set_rsp_msg_limit(struct cci *cci, const struct cci_cmd *cmd,
				   struct cci_call *call)
{
	uint8_t n = call->in[0];

	(void)cmd;
	if (n < 8 || n > 20 || ((size_t)1 << n) > cci->payload_cap)
		return CXL_RC_INVALID_INPUT;
	cci->payload_max = (size_t)1 << n;
	call->out[0] = n;
	call->out_len = 1;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.1.5 Request Abort Background Operation (0005h). Nothing
 * running: success. Running but not abortable: Request Abort Not Supported.
 */
uint16_t cci_cmd_bg_op_abort(struct cci *cci, const struct cci_cmd *cmd,
			     struct cci_call *call)
{
	(void)cmd;
	(void)call;
	if (!cci->bg.running)
		return CXL_RC_SUCCESS;
	if (!cci->bg.abortable)
		return CXL_RC_REQUEST_ABORT_NOT_SUPPORTED;
	cci->bg.running = false;
	cci->bg.rc = CXL_RC_ABORTED;
	cci->bg.last_pct = (uint8_t)((cci_now_ns(cci) - cci->bg.start_ns) * 100 /
				     (cci->bg.duration_ns ? cci->bg.duration_ns : 1));
	if (cci->bg.last_pct > 99)
		cci->bg.last_pct = 99;
	log_info("cci %s op 0x%04x: background operation aborted", cci->name,
		 cci->bg.opcode);
	if (cci->bg.aborted)
		cci->bg.aborted(cci, cci->bg.arg);
	return CXL_RC_SUCCESS;
}

/* CXL r3.1 §8.2.9.4.1 Get Timestamp (0300h): 0 until set. */
uint16_t cci_cmd_get_timestamp(struct cci *cci, const struct cci_cmd *cmd,
			       struct cci_call *call)
{
	uint64_t v = 0;

	(void)cmd;
	if (cci->ts->set)
		v = cci->ts->value_ns + (cci_now_ns(cci) - cci->ts->at_ns);
	le64_put(call->out, v);
	call->out_len = 8;
	return CXL_RC_SUCCESS;
}

/* CXL r3.1 §8.2.9.4.2 Set Timestamp (0301h): input 8 bytes. */
uint16_t cci_cmd_set_timestamp(struct cci *cci, const struct cci_cmd *cmd,
			       struct cci_call *call)
{
	(void)cmd;
	cci->ts->set = true;
	cci->ts->value_ns = le64_get(call->in);
	cci->ts->at_ns = cci_now_ns(cci);
	return CXL_RC_SUCCESS;
}

/* ---- logs (CXL r3.1 §8.2.9.5) ------------------------------------------ */

#define LOG_ENTRY_LEN 20u /* Supported Log Entry: UUID, log size (§8.2.9.5.1) */

/* The log with uuid: the CEL (NULL, *cel set) or one of cci->logs; false if none. */
static bool find_log(const struct cci *cci, const uint8_t *uuid, const struct cci_log **log,
		     bool *cel)
{
	*log = NULL;
	*cel = !memcmp(uuid, cci_cel_uuid, 16);
	if (*cel)
		return true;
	for (size_t i = 0; i < cci->nlogs; i++) {
		if (!memcmp(cci->logs[i]->uuid, uuid, 16)) {
			*log = cci->logs[i];
			return true;
		}
	}
	return false;
}

static size_t log_size(struct cci *cci, const struct cci_log *log)
{
	return log ? log->size(cci) : cci_cel_size(cci);
}

/* Supported Log Entry idx (0: the CEL) at p. */
static void put_log_entry(struct cci *cci, size_t idx, uint8_t *p)
{
	const struct cci_log *log = idx ? cci->logs[idx - 1] : NULL;
	size_t size = log_size(cci, log);

	memcpy(p, log ? log->uuid : cci_cel_uuid, 16);
	le32_put(p + 16, size > UINT32_MAX ? UINT32_MAX : (uint32_t)size);
}

/*
 * CXL r3.1 §8.2.9.5.1 Get Supported Logs (0400h). Output: 0:2 number of
 * entries, 2:6 rsvd, then 20-byte Supported Log Entries (UUID, log size):
 * the CEL, then every log the CCI serves.
 */
uint16_t cci_cmd_get_supported_logs(struct cci *cci, const struct cci_cmd *cmd,
				    struct cci_call *call)
{
	size_t n = 1 + cci->nlogs;

	(void)cmd;
	if (8 + n * LOG_ENTRY_LEN > call->out_max)
		n = (call->out_max - 8) / LOG_ENTRY_LEN;
	le16_put(call->out, (uint16_t)n);
	for (size_t i = 0; i < n; i++)
		put_log_entry(cci, i, call->out + 8 + i * LOG_ENTRY_LEN);
	call->out_len = 8 + n * LOG_ENTRY_LEN;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.5.2 Get Log (0401h): input 0:16 UUID, 16:4 offset,
 * 20:4 length. A log the CCI does not serve: Invalid Log; a range past the
 * log's size (as Get Supported Logs reports it) or a length over the
 * response limit: Invalid Input.
 */
uint16_t cci_cmd_get_log(struct cci *cci, const struct cci_cmd *cmd,
			 struct cci_call *call)
{
	uint64_t off = le32_get(call->in + 16);
	uint64_t len = le32_get(call->in + 20);
	const struct cci_log *log;
	bool cel;

	(void)cmd;
	if (!find_log(cci, call->in, &log, &cel))
		return CXL_RC_INVALID_LOG;
	if (len > call->out_max || off + len > log_size(cci, log))
		return CXL_RC_INVALID_INPUT;
	if (cel) {
		call->out_len = cci_cel_read(cci, (size_t)off, call->out, (size_t)len);
	} else {
		log->read(cci, (size_t)off, call->out, (size_t)len);
		call->out_len = (size_t)len;
	}
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.5.3 Get Log Capabilities (0402h): input the log's UUID,
 * output 4 bytes of Parameter Flags (CCI_LOG_CAP_*). The CEL has none: it
 * is what the command sets say, neither cleared nor populated.
 */
uint16_t cci_cmd_get_log_caps(struct cci *cci, const struct cci_cmd *cmd,
			      struct cci_call *call)
{
	const struct cci_log *log;
	bool cel;

	(void)cmd;
	if (!find_log(cci, call->in, &log, &cel))
		return CXL_RC_INVALID_LOG;
	le32_put(call->out, cel ? 0 : log->caps);
	call->out_len = 4;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.5.4 Clear Log (0403h) and §8.2.9.5.5 Populate Log (0404h):
 * input the log's UUID. Unknown log: Invalid Log. A log that does not
 * support the operation (its Get Log Capabilities flag is clear; the CEL
 * supports neither) is answered Unsupported: the specification names no
 * return code for it, and the command is indeed not supported for that log.
 */
static uint16_t log_op(struct cci *cci, struct cci_call *call, bool populate)
{
	const struct cci_log *log;
	uint16_t (*fn)(struct cci *);
	bool cel;

	if (!find_log(cci, call->in, &log, &cel))
		return CXL_RC_INVALID_LOG;
	fn = cel ? NULL : populate ? log->populate : log->clear;
	if (!fn) {
		log_dbg("cci %s: %s Log on a log that does not support it", cci->name,
			populate ? "Populate" : "Clear");
		return CXL_RC_UNSUPPORTED;
	}
	return fn(cci);
}

uint16_t cci_cmd_clear_log(struct cci *cci, const struct cci_cmd *cmd, struct cci_call *call)
{
	(void)cmd;
	return log_op(cci, call, false);
}

uint16_t cci_cmd_populate_log(struct cci *cci, const struct cci_cmd *cmd,
			      struct cci_call *call)
{
	(void)cmd;
	return log_op(cci, call, true);
}

/*
 * CXL r3.1 §8.2.9.5.6 Get Supported Logs Sub-List (0405h): input 0 maximum
 * number of entries, 1 start entry index. Output 0 entries returned, 1 rsvd,
 * 2:2 total number of supported log entries, 4 start entry index, 5:3 rsvd,
 * 8: Supported Log Entries (as Get Supported Logs, same order). A start
 * index past the last entry: Invalid Input.
 */
uint16_t cci_cmd_get_supported_logs_sublist(struct cci *cci, const struct cci_cmd *cmd,
					    struct cci_call *call)
{
	size_t total = 1 + cci->nlogs, max = call->in[0], start = call->in[1], n;

	(void)cmd;
	if (start >= total)
		return CXL_RC_INVALID_INPUT;
	n = total - start;
	if (n > max)
		n = max;
	if (8 + n * LOG_ENTRY_LEN > call->out_max)
		n = (call->out_max - 8) / LOG_ENTRY_LEN;
	call->out[0] = (uint8_t)n;
	le16_put(call->out + 2, (uint16_t)total);
	call->out[4] = (uint8_t)start;
	for (size_t i = 0; i < n; i++)
		put_log_entry(cci, start + i, call->out + 8 + i * LOG_ENTRY_LEN);
	call->out_len = 8 + n * LOG_ENTRY_LEN;
	return CXL_RC_SUCCESS;
}

static const struct cci_cmd cci_logs_cmds[] = {
	CCI_CMD(GET_LOG_CAPS, cci_cmd_get_log_caps),
	CCI_CMD(CLEAR_LOG, cci_cmd_clear_log),
	CCI_CMD(POPULATE_LOG, cci_cmd_populate_log),
	CCI_CMD(GET_SUPPORTED_LOGS_SUBLIST, cci_cmd_get_supported_logs_sublist),
};
const struct cci_cmd_set cci_logs_set_sw = CCI_SET("logs", CXLFM_CCI_SW, cci_logs_cmds);

int cci_msg_reply(const struct cci_hdr *req, uint16_t rc, const uint8_t *pl,
		  size_t pl_len, uint8_t *rsp, size_t rsp_max)
{
	struct cci_hdr h = {
		.category = CCI_CAT_RSP, .tag = req->tag, .opcode = req->opcode,
		.pl_len = (uint32_t)pl_len, .bg = rc == CXL_RC_BG_STARTED, .rc = rc,
	};

	if (rsp_max < CCI_HDR_LEN + pl_len)
		return -EMSGSIZE;
	if (cci_hdr_encode(&h, rsp, rsp_max) < 0)
		return -EMSGSIZE;
	if (pl_len)
		memmove(rsp + CCI_HDR_LEN, pl, pl_len);
	return (int)(CCI_HDR_LEN + pl_len);
}

int cci_msg_run(struct cci *cci, const uint8_t *msg, size_t len, uint8_t *rsp,
		size_t rsp_max)
{
	struct cci_hdr h;
	const uint8_t *pl;
	size_t out_len = 0;
	uint16_t rc;
	int err;

	if (rsp_max < CCI_HDR_LEN + cci->payload_max)
		return -EMSGSIZE;
	err = cci_msg_decode(msg, len, &h, &pl);
	if (err == -EMSGSIZE && len >= CCI_HDR_LEN && h.category == CCI_CAT_REQ)
		return cci_msg_reply(&h, CXL_RC_INVALID_PAYLOAD_LENGTH, NULL, 0, rsp, rsp_max);
	if (err || h.category != CCI_CAT_REQ)
		return -EBADMSG;
	rc = cci_process(cci, h.opcode, pl, h.pl_len, rsp + CCI_HDR_LEN, &out_len);
	return cci_msg_reply(&h, rc, rsp + CCI_HDR_LEN, out_len, rsp, rsp_max);
}
