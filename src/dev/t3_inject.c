/* SPDX-License-Identifier: MIT */
/*
 * What QEMU's qapi/cxl.json injects into a type-3 device besides General
 * Media events and poison (t3.c): DRAM and Memory Module event records,
 * and uncorrectable and correctable protocol errors in the device's RAS
 * capability (CXL r3.1 §8.2.4.17), which the host's error handler reads and
 * clears (an AER interrupt on a real host: here the notify callback with
 * T3_NOTIFY_RAS).
 */
#include "dev/t3_mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/t3_priv.h"
#include "proto/le.h"
#include "util/log.h"

/* DRAM Event Record validity flags (CXL r3.1 §8.2.9.2.1.2), QEMU's order. */
enum {
	DRAM_VALID_CHANNEL = 1 << 0,
	DRAM_VALID_RANK = 1 << 1,
	DRAM_VALID_NIBBLE_MASK = 1 << 2,
	DRAM_VALID_BANK_GROUP = 1 << 3,
	DRAM_VALID_BANK = 1 << 4,
	DRAM_VALID_ROW = 1 << 5,
	DRAM_VALID_COLUMN = 1 << 6,
	DRAM_VALID_CORRECTION_MASK = 1 << 7,
};
#define DRAM_CORRECTION_MASKS 4

/* Status bits that are error types (§8.2.4.17.1, §8.2.4.17.4); 12 and 13 are reserved. */
#define UE_TYPES 0x1cfffu
#define CE_TYPES 0x7fu

static int seterr(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return -EINVAL;
}

static int check_log(unsigned log, char *err, size_t errlen)
{
	return log > EV_LOG_FATAL ? seterr(err, errlen, "Unhandled error log type") : 0;
}

/*
 * DRAM Event Record, CXL r3.1 §8.2.9.2.1.2 (QEMU CXLEventDram): 30h physical
 * address, 38h memory event descriptor, 39h memory event type, 3Ah
 * transaction type, 3Bh:2 validity flags, 3Dh channel, 3Eh rank, 3Fh:3
 * nibble mask, 42h bank group, 43h bank, 44h:3 row, 47h:2 column, 49h:32
 * correction mask (four 8-byte masks; more are ignored, as QEMU).
 */
int t3_inject_dram_event(struct t3_dev *dev, const struct t3_dram_event *ev, char *err,
			 size_t errlen)
{
	/* The optional fields: where each goes, its width and validity flag. */
	const struct {
		bool has;
		uint8_t off, width;
		uint16_t flag;
		uint32_t value;
	} opt[] = {
		{ ev->has_channel, 0x3d, 1, DRAM_VALID_CHANNEL, ev->channel },
		{ ev->has_rank, 0x3e, 1, DRAM_VALID_RANK, ev->rank },
		{ ev->has_nibble_mask, 0x3f, 3, DRAM_VALID_NIBBLE_MASK, ev->nibble_mask },
		{ ev->has_bank_group, 0x42, 1, DRAM_VALID_BANK_GROUP, ev->bank_group },
		{ ev->has_bank, 0x43, 1, DRAM_VALID_BANK, ev->bank },
		{ ev->has_row, 0x44, 3, DRAM_VALID_ROW, ev->row },
		{ ev->has_column, 0x47, 2, DRAM_VALID_COLUMN, ev->column },
	};
	uint8_t rec[EV_RECORD_SIZE];
	uint16_t valid = 0;

	if (check_log(ev->c.log, err, errlen))
		return -EINVAL;
	ev_record_init(rec, ev_uuid_dram, ev->c.flags & 0xffffffu);
	le64_put(rec + 0x30, ev->dpa);
	rec[0x38] = ev->descriptor;
	rec[0x39] = ev->type;
	rec[0x3a] = ev->transaction_type;
	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++) {
		if (!opt[i].has)
			continue;
		for (unsigned b = 0; b < opt[i].width; b++) /* little endian */
			rec[opt[i].off + b] = (uint8_t)(opt[i].value >> (8 * b));
		valid |= opt[i].flag;
	}
	if (ev->correction_mask) {
		for (size_t i = 0; i < ev->n_correction_mask && i < DRAM_CORRECTION_MASKS; i++)
			le64_put(rec + 0x49 + 8 * i, ev->correction_mask[i]);
		valid |= DRAM_VALID_CORRECTION_MASK;
	}
	le16_put(rec + 0x3b, valid);
	/* A full log counts an overflow, as the device would; not an error. */
	ev_add(&dev->ev, ev->c.log, rec, t3_timestamp(dev));
	return 0;
}

/*
 * Memory Module Event Record, CXL r3.1 §8.2.9.2.1.3: the fields as given
 * (QEMU's command records them as they are: the device's own health does
 * not change; QMP x-cxl-health changes that).
 */
int t3_inject_mem_module_event(struct t3_dev *dev, const struct t3_mem_module_event *ev,
			       char *err, size_t errlen)
{
	struct rec_mem_module_event e = {
		.type = ev->type,
		.health = {
			.health_status = ev->health_status,
			.media_status = ev->media_status,
			.additional_status = ev->additional_status,
			.life_used = ev->life_used,
			.temperature = ev->temperature,
			.dirty_shutdown_count = ev->dirty_shutdown_count,
			.corrected_volatile_errors = ev->corrected_volatile_errors,
			.corrected_persistent_errors = ev->corrected_persistent_errors,
		},
	};
	uint8_t rec[EV_RECORD_SIZE];

	if (check_log(ev->c.log, err, errlen))
		return -EINVAL;
	ev_record_init(rec, ev_uuid_mem_module, ev->c.flags & 0xffffffu);
	rec_mem_module_event_put(rec + EV_HDR_SIZE, &e);
	ev_add(&dev->ev, ev->c.log, rec, t3_timestamp(dev));
	return 0;
}

/* ---- RAS capability --------------------------------------------------------------- */

static void ras_signal(struct t3_dev *dev)
{
	if (dev->notify)
		dev->notify(dev, T3_NOTIFY_RAS, dev->notify_arg);
}

/*
 * QEMU's qmp_cxl_inject_uncorrectable_errors: the errors join a queue;
 * only when it was empty do the registers change and the host get an
 * interrupt (the ones behind wait for the host to clear the first). A
 * header of more than 16 DWORDs (the 512-bit Header Log) is refused here;
 * QEMU takes up to 32 and keeps 32. No error is masked (QEMU honours the
 * Uncorrectable Error Mask register, which nothing here sets).
 */
int t3_inject_uncorrectable(struct t3_dev *dev, const struct t3_ras_ue *e, size_t n,
			    char *err, size_t errlen)
{
	struct t3_ras *r = &dev->mem.ras;
	bool first = r->n_ue == 0;

	for (size_t i = 0; i < n; i++) {
		if (e[i].type > 31 || !(UE_TYPES & (1u << e[i].type)))
			return seterr(err, errlen, "Unknown error code");
		if (e[i].n_header > T3_RAS_HEADER_DWORDS)
			return seterr(err, errlen, "Header must be 16 DWORD or less");
	}
	if (r->n_ue + n > r->cap_ue) {
		size_t cap = r->n_ue + n + 8;
		struct t3_ras_ue_rec *q = realloc(r->ue, cap * sizeof(*q));

		if (!q) {
			if (err && errlen)
				snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		r->ue = q;
		r->cap_ue = cap;
	}
	for (size_t i = 0; i < n; i++) {
		struct t3_ras_ue_rec *q = &r->ue[r->n_ue++];

		memset(q, 0, sizeof(*q));
		q->type = (uint8_t)e[i].type;
		if (e[i].n_header)
			memcpy(q->header, e[i].header, e[i].n_header * sizeof(uint32_t));
	}
	log_info("dev %s: %zu uncorrectable error(s) injected, %zu waiting", dev->id, n,
		 r->n_ue);
	if (first && r->n_ue)
		ras_signal(dev);
	return 0;
}

int t3_inject_correctable(struct t3_dev *dev, unsigned type, char *err, size_t errlen)
{
	if (type > 31 || !(CE_TYPES & (1u << type)))
		return seterr(err, errlen, "Invalid COR error");
	dev->mem.ras.ce_status |= 1u << type;
	log_info("dev %s: correctable error %u injected", dev->id, type);
	ras_signal(dev);
	return 0;
}

void t3_ras_read(const struct t3_dev *dev, struct t3_ras_regs *out)
{
	const struct t3_ras *r = &dev->mem.ras;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < r->n_ue; i++)
		out->ue_status |= 1u << r->ue[i].type;
	if (r->n_ue) {
		out->first_error = r->ue[0].type;
		memcpy(out->header, r->ue[0].header, sizeof(out->header));
	}
	out->ce_status = r->ce_status;
	out->queued = r->n_ue;
}

/* QEMU's ct3d_reg_write on the Uncorrectable Error Status register. */
void t3_ras_clear_ue(struct t3_dev *dev, uint32_t bits)
{
	struct t3_ras *r = &dev->mem.ras;
	size_t k = 0;

	if (!r->n_ue)
		return;
	if (bits == 1u << r->ue[0].type) {
		memmove(r->ue, r->ue + 1, --r->n_ue * sizeof(*r->ue));
		return;
	}
	for (size_t i = 0; i < r->n_ue; i++)
		if (!(bits & (1u << r->ue[i].type)))
			r->ue[k++] = r->ue[i];
	r->n_ue = k;
}

void t3_ras_clear_ce(struct t3_dev *dev, uint32_t bits)
{
	dev->mem.ras.ce_status &= ~bits;
}

void t3_ras_free(struct t3_dev *dev)
{
	free(dev->mem.ras.ue);
	dev->mem.ras = (struct t3_ras){ 0 };
}
