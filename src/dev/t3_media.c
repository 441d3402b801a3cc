/* SPDX-License-Identifier: MIT */
/*
 * Type-3 media and poison management (CXL r3.1 §8.2.9.9.4, 43xxh) and
 * sanitize (§8.2.9.9.5, 44xxh; Media Operations from CXL r3.2
 * §8.2.10.9.5.3), with the QMP poison injection QEMU has.
 *
 * The model: poison is a set of 64-byte aligned ranges on the media. The
 * device lists at most T3_POISON_MAX of them (the Poison List); poison it
 * learns of past that (QMP cxl-inject-poison into a full list, a split by
 * Clear Poison) is still on the media but unlisted, the list is marked
 * overflowed, and only Scan Media finds it again (as QEMU's backup list).
 * A host read of any poisoned byte fails (t3_mem_access).
 *
 * Scan Media, Sanitize and Media Operations run in the background: one at a
 * time for the device, whichever CCI started it (the media is one). While
 * a sanitize runs, or after one that did not complete (aborted, or cxl-emu
 * stopped during it: the state is kept in the non-volatile SECURITY
 * section), the media is disabled: host accesses fail and the media
 * commands answer Media Disabled until a sanitize completes (§8.2.9.9.5.1).
 * Erasing gives whole pages back to the backing file (a hole reads zeros
 * and keeps the file sparse) and writes the rest, under the SIGBUS guard.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dev/t3_priv.h"
#include "proto/le.h"
#include "util/log.h"
#include "util/memguard.h"

#define LINE 64u                /* poison and media operation granularity */
#define REC_LEN 16u             /* Media Error Record (CXL r3.1 §8.2.9.9.4.1) */
#define POISON_HDR CXL_OUT_GET_POISON_LIST
#define SCAN_HDR CXL_OUT_GET_SCAN_MEDIA_RESULTS
#define FILL_CHUNK (1u << 20)

/* Media Error Record error sources, bits[2:0] of its address (§8.2.9.9.4.1). */
enum { SRC_UNKNOWN = 0, SRC_EXTERNAL = 1, SRC_INTERNAL = 2, SRC_INJECTED = 3 };

/* Get Poison List output flags (CXL r3.1 §8.2.9.9.4.1). */
#define POISON_MORE 0x01u
#define POISON_OVERFLOW 0x02u
#define POISON_SCANNING 0x04u
/* Get Scan Media Results output flags (§8.2.9.9.4.6). */
#define SCAN_MORE 0x01u
#define SCAN_STOPPED 0x02u
/* Scan Media input flags bit 0: no event log (§8.2.9.9.4.5). */
#define SCAN_NO_EVENT_LOG 0x01u

/* General Media Event Record (CXL r3.1 §8.2.9.2.1.1) fields. */
#define GME_UNCORRECTABLE 0x01u  /* Memory Event Descriptor */
#define GME_POISON_OVERFLOW 0x04u
#define GME_MEDIA_ECC_ERROR 0x00u /* Memory Event Type */
#define GME_HOST_SCAN_MEDIA 0x03u /* Transaction Type */
#define GME_HOST_INJECT_POISON 0x04u
#define GME_VOLATILE 0x01u       /* Physical Address bit 0 */

/* Media Operations classes (CXL r3.2 §8.2.10.9.5.3), as QEMU. */
enum { MOP_GENERAL = 0, MOP_SANITIZE = 1 };
enum { MOP_DISCOVERY = 0 };
enum { MOP_SAN_SANITIZE = 0, MOP_SAN_ZERO = 1 };
#define MOP_HDR 8u
#define MOP_RANGE 16u
#define MOP_SANITIZE_FILL 0x0f   /* what QEMU writes for the sanitize subclass */
static const uint8_t mop_list[][2] = {
	{ MOP_SANITIZE, MOP_SAN_SANITIZE },
	{ MOP_SANITIZE, MOP_SAN_ZERO },
};
#define MOP_COUNT (sizeof(mop_list) / sizeof(mop_list[0]))

/* ---- capacity and backing memory ---------------------------------------------- */

static uint64_t capacity(const struct t3_dev *dev)
{
	return dev->cfg.vmem_size + dev->cfg.pmem_size +
	       (dev->dcd ? dcd_total_capacity(dev->dcd) : 0);
}

/* [start, start + units * 64) inside the device's DPA space; its length in bytes. */
static bool range_ok(const struct t3_dev *dev, uint64_t start, uint64_t units, uint64_t *len)
{
	uint64_t cap = capacity(dev);

	if (units > (UINT64_MAX - start) / LINE)
		return false;
	*len = units * LINE;
	return start <= cap && *len <= cap - start;
}

/*
 * The backing bytes of [dpa, dpa + len), which lie in one of the static
 * and DC parts, or NULL where there is no memory behind them.
 */
static uint8_t *backing(const struct t3_dev *dev, uint64_t dpa, uint64_t len)
{
	uint64_t static_end = dev->cfg.vmem_size + dev->cfg.pmem_size;

	if (dpa + len <= static_end)
		return dev->cfg.static_mem && dpa + len <= dev->cfg.static_mem_size ?
		       dev->cfg.static_mem + dpa : NULL;
	if (dev->dcd && dpa >= dev->dc_base) {
		uint64_t off = dpa - dev->dc_base;

		return dev->cfg.dc_mem && off + len <= dev->cfg.dc_mem_size ?
		       dev->cfg.dc_mem + off : NULL;
	}
	return NULL;
}

struct fill_arg {
	uint8_t *p;
	size_t len;
	uint8_t fill;
};

/* Write fill where the bytes differ, a page at a time: untouched pages stay so. */
static int fill_run(void *arg)
{
	const struct fill_arg *a = arg;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	for (size_t at = 0; at < a->len; at += pg) {
		size_t n = a->len - at < pg ? a->len - at : pg;
		uint8_t *q = a->p + at;

		if (q[0] != a->fill || memcmp(q, q + 1, n - 1))
			memset(q, a->fill, n);
	}
	return 0;
}

/* Fill len bytes at p under the SIGBUS guard, chunk by chunk; -EIO if one faulted. */
static int fill_guarded(uint8_t *p, size_t len, uint8_t fill)
{
	int rc = 0, ret;

	for (size_t at = 0; at < len; at += FILL_CHUNK) {
		struct fill_arg a = { p + at, len - at < FILL_CHUNK ? len - at : FILL_CHUNK, fill };

		if (memguard_run(a.p, a.len, fill_run, &a, &ret))
			rc = -EIO;
	}
	return rc;
}

/*
 * Fill backing memory. For zeros, the whole pages of a shared mapping are
 * punched out of the file (MADV_REMOVE: the file stays sparse, reads give
 * zeros); a private mapping or a filesystem without holes is written.
 */
static int fill_mem(uint8_t *p, size_t len, uint8_t fill)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t head = (size_t)(-(uintptr_t)p & (pg - 1)), body;

	if (!fill && len > head) {
		body = (len - head) & ~(pg - 1);
		if (body && !madvise(p + head, body, MADV_REMOVE))
			return fill_guarded(p, head, 0) | fill_guarded(p + head + body,
								len - head - body, 0);
	}
	return fill_guarded(p, len, fill);
}

static void fault_log(struct t3_dev *dev, const char *what, uint64_t dpa, uint64_t len)
{
	log_err("dev %s: %s of DPA 0x%" PRIx64 "+0x%" PRIx64 " failed: the backing memory "
		"faults there (file truncated, or its filesystem full?)", dev->id, what, dpa, len);
}

/* Fill [dpa, dpa + len) of the media, static and DC parts; no memory: nothing to do. */
static int media_fill(struct t3_dev *dev, uint64_t dpa, uint64_t len, uint8_t fill)
{
	uint64_t static_end = dev->cfg.vmem_size + dev->cfg.pmem_size, end = dpa + len;
	int rc = 0;

	if (dpa < static_end && dev->cfg.static_mem) {
		uint64_t e = end < static_end ? end : static_end;

		if (e > dev->cfg.static_mem_size)
			e = dev->cfg.static_mem_size;
		if (e > dpa)
			rc |= fill_mem(dev->cfg.static_mem + dpa, (size_t)(e - dpa), fill);
	}
	if (dev->dcd && end > dev->dc_base && dev->cfg.dc_mem) {
		uint64_t s = dpa > dev->dc_base ? dpa - dev->dc_base : 0, e = end - dev->dc_base;

		if (e > dev->cfg.dc_mem_size)
			e = dev->cfg.dc_mem_size;
		if (e > s)
			rc |= fill_mem(dev->cfg.dc_mem + s, (size_t)(e - s), fill);
	}
	if (rc)
		fault_log(dev, "erase", dpa, len);
	return rc ? -EIO : 0;
}

int t3_media_erase(struct t3_dev *dev, uint64_t dpa, uint64_t len)
{
	return media_fill(dev, dpa, len, 0);
}

/* ---- the poison sets ------------------------------------------------------------ */

static bool overlaps(const struct t3_poison *p, uint64_t start, uint64_t len)
{
	return start < p->start + p->len && p->start < start + len;
}

static bool any_overlap(const struct t3_poison *a, size_t n, uint64_t start, uint64_t len)
{
	for (size_t i = 0; i < n; i++)
		if (overlaps(&a[i], start, len))
			return true;
	return false;
}

static bool covered(const struct t3_poison *a, size_t n, uint64_t start, uint64_t len)
{
	for (size_t i = 0; i < n; i++)
		if (start >= a[i].start && start + len <= a[i].start + a[i].len)
			return true;
	return false;
}

/* Insert e in start order; false when the set is full. */
static bool set_insert(struct t3_poison *a, size_t *n, struct t3_poison e)
{
	size_t i = *n;

	if (*n == T3_POISON_MAX)
		return false;
	while (i > 0 && a[i - 1].start > e.start) {
		a[i] = a[i - 1];
		i--;
	}
	a[i] = e;
	(*n)++;
	return true;
}

static void set_remove(struct t3_poison *a, size_t *n, size_t i)
{
	memmove(&a[i], &a[i + 1], (*n - i - 1) * sizeof(*a));
	(*n)--;
}

static void mark_overflow(struct t3_dev *dev)
{
	if (dev->media.overflow)
		return;
	dev->media.overflow = true;
	dev->media.overflow_ts = t3_timestamp(dev);
	log_info("dev %s: poison list overflowed", dev->id);
}

/* Unlisted poison; if even that is full the range is forgotten (logged). */
static void hide(struct t3_dev *dev, struct t3_poison e)
{
	mark_overflow(dev);
	if (!set_insert(dev->media.hidden, &dev->media.nhidden, e))
		log_warn("dev %s: poison at DPA 0x%" PRIx64 "+0x%" PRIx64 " dropped: the device "
			 "tracks no more", dev->id, e.start, e.len);
}

/*
 * Take [start, start + len) out of a set. One entry can be split in two;
 * when that leaves the set one entry too many, the highest is returned in
 * *spill (true), the caller decides where it goes.
 */
static bool set_cut(struct t3_poison *a, size_t *n, uint64_t start, uint64_t len,
		    struct t3_poison *spill)
{
	struct t3_poison tmp[T3_POISON_MAX + 1];
	size_t k = 0;
	bool over;

	for (size_t i = 0; i < *n; i++) {
		struct t3_poison e = a[i];
		uint64_t end = e.start + e.len;

		if (!overlaps(&e, start, len)) {
			tmp[k++] = e;
			continue;
		}
		if (e.start < start)
			tmp[k++] = (struct t3_poison){ e.start, start - e.start, e.source };
		if (end > start + len)
			tmp[k++] = (struct t3_poison){ start + len, end - start - len, e.source };
	}
	over = k > T3_POISON_MAX;
	if (over)
		*spill = tmp[--k];
	memcpy(a, tmp, k * sizeof(*a));
	*n = k;
	return over;
}

/*
 * Poison of [dpa, dpa + len) is gone. A split that overfills the list
 * pushes its upper part off the list, still on the media (overflow).
 */
void t3_media_unpoison(struct t3_dev *dev, uint64_t dpa, uint64_t len)
{
	struct t3_media *m = &dev->media;
	struct t3_poison spill;

	if (set_cut(m->hidden, &m->nhidden, dpa, len, &spill))
		log_warn("dev %s: poison at DPA 0x%" PRIx64 "+0x%" PRIx64 " dropped: the device "
			 "tracks no more", dev->id, spill.start, spill.len);
	if (set_cut(m->list, &m->nlist, dpa, len, &spill))
		hide(dev, spill);
	m->cursor = false;
}

static bool poisoned(const struct t3_dev *dev, uint64_t dpa, uint64_t len)
{
	return any_overlap(dev->media.list, dev->media.nlist, dpa, len) ||
	       any_overlap(dev->media.hidden, dev->media.nhidden, dpa, len);
}

/* ---- background operations ---------------------------------------------------- */

static bool media_op(uint16_t opcode)
{
	return opcode == CCI_OP_SCAN_MEDIA || opcode == CCI_OP_SANITIZE ||
	       opcode == CCI_OP_MEDIA_OPERATIONS;
}

uint16_t t3_media_running(struct t3_dev *dev)
{
	struct cci *c = dev->media.bg_cci;

	if (!c)
		return 0;
	cci_tick(c); /* one the clock says is over completes first */
	return c->bg.running && media_op(c->bg.opcode) ? c->bg.opcode : 0;
}

bool t3_media_disabled(struct t3_dev *dev)
{
	if (dev->media.disabled)
		t3_media_running(dev);
	return dev->media.disabled;
}

static void media_start(struct t3_dev *dev, struct cci *cci, uint16_t opcode, uint64_t ms,
			bool abortable, cci_bg_done_fn done)
{
	dev->media.bg_cci = cci;
	cci_bg_start(cci, opcode, ms * 1000000ull, abortable, done, dev);
	log_info("dev %s op 0x%04x: started on %s, %" PRIu64 " ms", dev->id, opcode, cci->name,
		 ms);
}

/*
 * How long a sanitize of mib MiB takes: QEMU's table (4 s up to 512 MiB,
 * doubling with the size, at most 4 hours).
 */
static uint64_t sanitize_ms(uint64_t mib)
{
	static const struct {
		uint64_t mib, secs;
	} t[] = {
		{ 512, 4 }, { 1024, 8 }, { 2048, 15 }, { 4096, 30 }, { 8192, 60 },
		{ 16384, 120 }, { 32768, 240 }, { 65536, 480 }, { 131072, 900 },
		{ 262144, 1800 }, { 524288, 3600 }, { 1048576, 7200 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (mib <= t[i].mib)
			return t[i].secs * 1000;
	return 4 * 3600 * 1000;
}

/* Scan Media's estimate, QEMU's: 0.5 us a 64-byte line, at least 1 ms. */
static uint32_t scan_ms(uint64_t len)
{
	uint64_t ms = len / LINE / 2000;

	return ms < 1 ? 1 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* ---- host access ---------------------------------------------------------------- */

int t3_media_gate(struct t3_dev *dev, uint64_t dpa, uint64_t len, bool write)
{
	if (t3_sec_locked(dev, dpa, len))
		return -EACCES;
	if (t3_media_disabled(dev))
		return -ENOMEDIUM;
	if (!write && poisoned(dev, dpa, len))
		return -EIO;
	return 0;
}

/* ---- events --------------------------------------------------------------------- */

/* A General Media Event Record (Informational log) for poison at [dpa, dpa + 64...). */
static void poison_event(struct t3_dev *dev, uint64_t dpa, uint8_t descriptor, uint8_t tx)
{
	struct t3_gen_media_event ev = {
		.log = EV_LOG_INFO,
		.dpa = dpa | (dpa < dev->cfg.vmem_size || dpa >= dev->dc_base ? GME_VOLATILE : 0),
		.descriptor = descriptor,
		.type = GME_MEDIA_ECC_ERROR,
		.transaction_type = tx,
	};

	t3_inject_general_media_event(dev, &ev, NULL, 0);
}

/* ---- QMP ------------------------------------------------------------------------ */

static int seterr(char *err, size_t errlen, int rc, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return rc;
}

/*
 * QMP cxl-inject-poison, as QEMU's qmp_cxl_inject_poison: the range goes
 * on the list with source Internal, or past a full list unlisted with the
 * list marked overflowed. Beyond QEMU: a range outside the device's
 * capacity is refused.
 */
int t3_inject_poison(struct t3_dev *dev, uint64_t start, uint64_t len, char *err,
		     size_t errlen)
{
	struct t3_media *m = &dev->media;
	struct t3_poison e = { start, len, SRC_INTERNAL };
	uint64_t units = len / LINE, bytes;

	if (len % LINE || !len)
		return seterr(err, errlen, -EINVAL,
			      "Poison injection must be in multiples of 64 bytes");
	if (start % LINE)
		return seterr(err, errlen, -EINVAL, "Poison start address must be 64 byte aligned");
	if (!range_ok(dev, start, units, &bytes))
		return seterr(err, errlen, -EINVAL, "Poison range is outside the device's capacity");
	if (any_overlap(m->list, m->nlist, start, len) ||
	    any_overlap(m->hidden, m->nhidden, start, len))
		return seterr(err, errlen, -EINVAL,
			      "Overlap with existing poisoned region not supported");
	if (m->nhidden == T3_POISON_MAX)
		return seterr(err, errlen, -ENOSPC, "The device tracks no more poison");
	m->cursor = false;
	if (!set_insert(m->list, &m->nlist, e)) {
		hide(dev, e);
		log_warn("dev %s: poison list full, DPA 0x%" PRIx64 " is not listed", dev->id,
			 start);
	}
	return 0;
}

size_t t3_poison_count(const struct t3_dev *dev) { return dev->media.nlist; }
bool t3_poison_overflowed(const struct t3_dev *dev) { return dev->media.overflow; }

/* ---- 4300h-4302h: the poison list ----------------------------------------------- */

static void put_record(uint8_t *p, const struct t3_poison *e, uint64_t start, uint64_t len)
{
	uint64_t s = e->start > start ? e->start : start;
	uint64_t end = e->start + e->len < start + len ? e->start + e->len : start + len;

	le64_put(p, s | (e->source & 7u));
	le32_put(p + 8, (uint32_t)((end - s) / LINE));
}

/*
 * CXL r3.1 §8.2.9.9.4.1 Get Poison List (Opcode 4300h). Input 0:8 start
 * DPA (64-byte aligned), 8:8 length in 64-byte units. Output 0 flags (bit0
 * More Media Error Records, bit1 Poison List Overflow, bit2 Scan Media in
 * Progress), 2:8 overflow timestamp, 10:2 record count, 32: 16-byte Media
 * Error Records (0:8 DPA | error source, 8:4 length in lines) clipped to
 * the range. A list longer than one response sets More; the same request
 * again continues where the last stopped (the device keeps the place until
 * the list or the request changes), as the kernel's loop expects. QEMU
 * never sets More: more records than one response holds fail its
 * assertion. Over MCTP 30 records fit.
 */
static uint16_t cmd_get_poison_list(struct cci *cci, const struct cci_cmd *cmd,
				    struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct t3_media *m = &dev->media;
	uint64_t start = le64_get(call->in), len;
	size_t max = (call->out_max - POISON_HDR) / REC_LEN, skip = 0, seen = 0, n = 0;
	uint8_t flags = 0;

	(void)cmd;
	if (start % LINE)
		return CXL_RC_INVALID_INPUT;
	if (!range_ok(dev, start, le64_get(call->in + 8), &len))
		return CXL_RC_INVALID_PHYSICAL_ADDRESS;
	if (t3_media_disabled(dev))
		return CXL_RC_MEDIA_DISABLED;
	if (m->cursor && m->cursor_start == start && m->cursor_len == len)
		skip = m->cursor_next;
	for (size_t i = 0; i < m->nlist; i++) {
		if (!overlaps(&m->list[i], start, len) || seen++ < skip)
			continue;
		if (n == max) {
			flags |= POISON_MORE;
			break;
		}
		put_record(call->out + POISON_HDR + n * REC_LEN, &m->list[i], start, len);
		n++;
	}
	m->cursor = flags & POISON_MORE;
	m->cursor_start = start;
	m->cursor_len = len;
	m->cursor_next = skip + n;
	if (m->overflow) {
		flags |= POISON_OVERFLOW;
		le64_put(call->out + 2, m->overflow_ts);
	}
	if (t3_media_running(dev) == CCI_OP_SCAN_MEDIA)
		flags |= POISON_SCANNING;
	call->out[0] = flags;
	le16_put(call->out + 10, (uint16_t)n);
	call->out_len = POISON_HDR + n * REC_LEN;
	return CXL_RC_SUCCESS;
}

/*
 * What Inject and Clear Poison check of their 64-byte line, in this
 * order: alignment (Invalid Input; QEMU does not check), the device's
 * capacity (Invalid Physical Address), the media disabled by a sanitize,
 * a locked persistent capacity (Invalid Security State), a running Scan
 * Media (Busy: the list is the scan's until it ends; QEMU answers Success
 * and changes nothing).
 */
static uint16_t line_check(struct t3_dev *dev, uint64_t dpa)
{
	uint64_t len;

	if (dpa % LINE)
		return CXL_RC_INVALID_INPUT;
	if (!range_ok(dev, dpa, 1, &len))
		return CXL_RC_INVALID_PHYSICAL_ADDRESS;
	if (t3_media_running(dev) == CCI_OP_SCAN_MEDIA)
		return CXL_RC_BUSY;
	if (t3_media_disabled(dev))
		return CXL_RC_MEDIA_DISABLED;
	if (t3_sec_locked(dev, dpa, LINE))
		return CXL_RC_INVALID_SECURITY_STATE;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.4.2 Inject Poison (Opcode 4301h). Input 0:8 DPA. A
 * line already poisoned: Success, nothing changes. A full list: Inject
 * Poison Limit Reached (Identify Memory Device reports no separate limit).
 * The line goes on the list with source Injected and a General Media
 * Event (uncorrectable, transaction Host Inject Poison) is logged, as the
 * kernel's debugfs inject_poison documents the device does.
 */
static uint16_t cmd_inject_poison(struct cci *cci, const struct cci_cmd *cmd,
				  struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct t3_media *m = &dev->media;
	uint64_t dpa = le64_get(call->in);
	uint16_t rc = line_check(dev, dpa);

	(void)cmd;
	if (rc)
		return rc;
	if (covered(m->list, m->nlist, dpa, LINE) || covered(m->hidden, m->nhidden, dpa, LINE))
		return CXL_RC_SUCCESS;
	if (!set_insert(m->list, &m->nlist, (struct t3_poison){ dpa, LINE, SRC_INJECTED }))
		return CXL_RC_INJECT_POISON_LIMIT;
	m->cursor = false;
	poison_event(dev, dpa, GME_UNCORRECTABLE, GME_HOST_INJECT_POISON);
	log_info("dev %s: poison injected at DPA 0x%" PRIx64, dev->id, dpa);
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.4.3 Clear Poison (Opcode 4302h). Input 0:8 DPA, 8:64
 * the data to write there. The data is written whether or not the line is
 * poisoned (not an error, as QEMU and the kernel's debugfs say), then the
 * line leaves the poison sets; an entry it splits in two may push the
 * upper part off a full list (overflow). No memory behind the line, or a
 * fault writing it: Internal Error, nothing changes.
 */
static uint16_t cmd_clear_poison(struct cci *cci, const struct cci_cmd *cmd,
				 struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	uint64_t dpa = le64_get(call->in);
	uint16_t rc = line_check(dev, dpa);
	uint8_t *p;

	(void)cmd;
	if (rc)
		return rc;
	p = backing(dev, dpa, LINE);
	if (!p) {
		log_err("dev %s op 0x4302: no memory behind DPA 0x%" PRIx64, dev->id, dpa);
		return CXL_RC_INTERNAL_ERROR;
	}
	if (memguard_copy(p, call->in + 8, LINE)) {
		fault_log(dev, "clear poison", dpa, LINE);
		return CXL_RC_INTERNAL_ERROR;
	}
	t3_media_unpoison(dev, dpa, LINE);
	return CXL_RC_SUCCESS;
}

/* ---- 4303h-4305h: scan media ---------------------------------------------------- */

/* Start DPA and length (lines) of Get Scan Media Capabilities and Scan Media. */
static uint16_t scan_range(struct t3_dev *dev, const uint8_t *in, uint64_t *start,
			   uint64_t *len)
{
	*start = le64_get(in);
	if (*start % LINE)
		return CXL_RC_INVALID_INPUT;
	if (!range_ok(dev, *start, le64_get(in + 8), len))
		return CXL_RC_INVALID_PHYSICAL_ADDRESS;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §8.2.9.9.4.4 Get Scan Media Capabilities (Opcode 4303h). Input
 * as Get Poison List; output 0:4 estimated scan time in ms (QEMU's
 * estimate). A range beyond the static capacity but inside the DC
 * capacity is fine (QEMU refuses DC ranges here).
 */
static uint16_t cmd_get_scan_media_caps(struct cci *cci, const struct cci_cmd *cmd,
					struct cci_call *call)
{
	uint64_t start, len;
	uint16_t rc = scan_range(t3_of(cci), call->in, &start, &len);

	(void)cmd;
	if (rc)
		return rc;
	le32_put(call->out, scan_ms(len));
	call->out_len = 4;
	return CXL_RC_SUCCESS;
}

/*
 * Scan Media finished: every poisoned range (listed or not) in the scanned
 * range is a result, clipped to it, in DPA order; unlisted ones found go
 * on the list while it has room, and once none is left unlisted the
 * overflow is over. Each result is logged as a General Media Event
 * (transaction Host Scan Media) unless the request said No Event Log.
 * More results than the device holds stop the scan at the first it
 * could not hold: Scan Stopped Prematurely, with the restart range.
 */
static void scan_done(struct cci *cci, void *arg)
{
	struct t3_dev *dev = arg;
	struct t3_media *m = &dev->media;
	uint64_t start = m->scan_start, end = m->scan_start + m->scan_len;
	size_t i = 0, j = 0;

	(void)cci;
	m->nresults = 0;
	m->results_next = 0;
	m->scan_stopped = false;
	m->restart_start = m->restart_len = 0;
	while (i < m->nlist || j < m->nhidden) {
		bool from_list = j == m->nhidden ||
				 (i < m->nlist && m->list[i].start < m->hidden[j].start);
		const struct t3_poison *e = from_list ? &m->list[i++] : &m->hidden[j++];

		if (!overlaps(e, start, m->scan_len))
			continue;
		if (m->nresults == T3_POISON_MAX) {
			m->scan_stopped = true;
			m->restart_start = e->start > start ? e->start : start;
			m->restart_len = end - m->restart_start;
			break;
		}
		m->results[m->nresults] = *e;
		if (e->start < start) {
			m->results[m->nresults].len -= start - e->start;
			m->results[m->nresults].start = start;
		}
		if (m->results[m->nresults].start + m->results[m->nresults].len > end)
			m->results[m->nresults].len = end - m->results[m->nresults].start;
		m->nresults++;
		if (!(m->scan_flags & SCAN_NO_EVENT_LOG))
			poison_event(dev, e->start > start ? e->start : start, GME_UNCORRECTABLE,
				     GME_HOST_SCAN_MEDIA);
	}
	for (size_t k = 0; k < m->nhidden && m->nlist < T3_POISON_MAX;) {
		const struct t3_poison *e = &m->hidden[k];
		uint64_t found_end = m->scan_stopped ? m->restart_start : end;

		if (overlaps(e, start, found_end - start)) {
			set_insert(m->list, &m->nlist, *e);
			set_remove(m->hidden, &m->nhidden, k);
		} else {
			k++;
		}
	}
	if (!m->nhidden)
		m->overflow = false, m->overflow_ts = 0;
	m->cursor = false;
	log_info("dev %s: scan media of DPA 0x%" PRIx64 "+0x%" PRIx64 " found %zu error(s)%s",
		 dev->id, start, m->scan_len, m->nresults, m->scan_stopped ? ", stopped" : "");
}

/*
 * CXL r3.1 §8.2.9.9.4.5 Scan Media (Opcode 4304h), a background operation
 * (abortable). Input as Get Scan Media Capabilities plus 16 flags (bit0 No
 * Event Log). The previous results are discarded at once; until the scan
 * completes, the results say it stopped at its start (what an aborted
 * scan leaves). A locked persistent range: Invalid Security State; another
 * media operation of the device running (from any CCI): Busy.
 */
static uint16_t cmd_scan_media(struct cci *cci, const struct cci_cmd *cmd,
			       struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct t3_media *m = &dev->media;
	uint64_t start, len;
	uint16_t rc = scan_range(dev, call->in, &start, &len);

	if (rc)
		return rc;
	if (t3_media_disabled(dev))
		return CXL_RC_MEDIA_DISABLED;
	if (t3_sec_locked(dev, start, len))
		return CXL_RC_INVALID_SECURITY_STATE;
	if (t3_media_running(dev))
		return CXL_RC_BUSY;
	m->scan_ran = true;
	m->scan_start = start;
	m->scan_len = len;
	m->scan_flags = call->in[16];
	m->nresults = m->results_next = 0;
	m->scan_stopped = true;
	m->restart_start = start;
	m->restart_len = len;
	media_start(dev, cci, cmd->info->opcode, scan_ms(len), true, scan_done);
	return CXL_RC_BG_STARTED;
}

/*
 * CXL r3.1 §8.2.9.9.4.6 Get Scan Media Results (Opcode 4305h). Output 0:8
 * restart DPA, 8:8 restart length (lines) when the scan stopped early, 16
 * flags (bit0 More Media Error Records, bit1 Scan Stopped Prematurely),
 * 18:2 record count, 32: Media Error Records. Returned records are
 * consumed, More says some remain. No scan since the device started:
 * Unsupported (as QEMU); a scan running: Busy.
 */
static uint16_t cmd_get_scan_media_results(struct cci *cci, const struct cci_cmd *cmd,
					   struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct t3_media *m = &dev->media;
	size_t max = (call->out_max - SCAN_HDR) / REC_LEN, n = 0;
	uint8_t flags = 0;

	(void)cmd;
	if (!m->scan_ran)
		return CXL_RC_UNSUPPORTED;
	if (t3_media_running(dev) == CCI_OP_SCAN_MEDIA)
		return CXL_RC_BUSY;
	if (t3_media_disabled(dev))
		return CXL_RC_MEDIA_DISABLED;
	while (m->results_next < m->nresults && n < max) {
		const struct t3_poison *e = &m->results[m->results_next++];

		put_record(call->out + SCAN_HDR + n * REC_LEN, e, e->start, e->len);
		n++;
	}
	if (m->results_next < m->nresults)
		flags |= SCAN_MORE;
	if (m->scan_stopped) {
		flags |= SCAN_STOPPED;
		le64_put(call->out, m->restart_start);
		le64_put(call->out + 8, m->restart_len / LINE);
	}
	call->out[16] = flags;
	le16_put(call->out + 18, (uint16_t)n);
	call->out_len = SCAN_HDR + n * REC_LEN;
	return CXL_RC_SUCCESS;
}

/* ---- 4400h-4402h: sanitize ------------------------------------------------------- */

/* Nothing of what the media held remains: poison, scan results, pending operations. */
static void media_forget(struct t3_dev *dev)
{
	struct t3_media *m = &dev->media;

	m->nlist = m->nhidden = 0;
	m->overflow = false;
	m->overflow_ts = 0;
	m->cursor = false;
	m->scan_ran = false;
	m->nresults = m->results_next = 0;
}

/*
 * Sanitize completed: the static and DC capacity and the label storage
 * area are zeroed, the event records discarded (as QEMU's
 * __do_sanitization), poison is gone; the media is enabled again. A fault
 * writing the backing memory fails the operation (Internal Error in
 * Background Operation Status) and the media stays disabled.
 */
static void sanitize_done(struct cci *cci, void *arg)
{
	struct t3_dev *dev = arg;
	int rc = media_fill(dev, 0, capacity(dev), 0);

	if (dev->cfg.lsa_mem && dev->cfg.lsa_size &&
	    fill_mem(dev->cfg.lsa_mem, (size_t)dev->cfg.lsa_size, 0)) {
		fault_log(dev, "sanitize of the label storage area", 0, dev->cfg.lsa_size);
		rc = -EIO;
	}
	if (rc) {
		cci->bg.rc = CXL_RC_INTERNAL_ERROR;
		log_err("dev %s: sanitize failed, the media stays disabled", dev->id);
		return;
	}
	media_forget(dev);
	ev_discard_all(&dev->ev);
	dev->media.disabled = false;
	t3_sec_set_sanitizing(dev, false);
	log_info("dev %s: sanitize complete", dev->id);
}

/*
 * CXL r3.1 §8.2.9.9.5.1 Sanitize (Opcode 4400h), a background operation
 * (abortable) of QEMU's duration for the capacity. "Prior to using these
 * commands, any security applied to the user data areas of the device
 * shall be disabled": a user passphrase set is Invalid Security State.
 * Once started the media is disabled until a sanitize completes (an
 * aborted one leaves it disabled, across restarts too); unlike QEMU a
 * sanitize may run on disabled media, or the device could never leave
 * that state. Whether the host still uses the memory is the host's check
 * (Linux refuses while HDM decoders are committed).
 */
static uint16_t cmd_sanitize(struct cci *cci, const struct cci_cmd *cmd, struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);

	(void)call;
	if (t3_sec_user_set(dev))
		return CXL_RC_INVALID_SECURITY_STATE;
	if (t3_media_running(dev))
		return CXL_RC_BUSY;
	dev->media.disabled = true;
	dev->media.nops = 0;
	t3_sec_set_sanitizing(dev, true);
	media_start(dev, cci, cmd->info->opcode, sanitize_ms(capacity(dev) >> 20), true,
		    sanitize_done);
	return CXL_RC_BG_STARTED;
}

/*
 * CXL r3.1 §8.2.9.9.5.2 Secure Erase (Opcode 4401h), immediate (no
 * background effect in its CEL entry): the user data of every capacity
 * becomes irretrievable (zeroed here, where a device changes its media
 * encryption keys); the label storage area stays. Locked: Invalid
 * Security State (secure erase needs the device unlocked); disabled
 * media: Media Disabled; a media operation running: Busy.
 */
static uint16_t cmd_secure_erase(struct cci *cci, const struct cci_cmd *cmd,
				 struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);

	(void)cmd;
	(void)call;
	if (dev->sec.state & T3_SEC_LOCKED)
		return CXL_RC_INVALID_SECURITY_STATE;
	if (t3_media_running(dev))
		return CXL_RC_BUSY;
	if (t3_media_disabled(dev))
		return CXL_RC_MEDIA_DISABLED;
	if (t3_media_erase(dev, 0, capacity(dev)))
		return CXL_RC_INTERNAL_ERROR;
	media_forget(dev);
	log_info("dev %s: secure erase done", dev->id);
	return CXL_RC_SUCCESS;
}

/* Media Operations sanitize or zero finished: each range filled, its poison gone. */
static void media_ops_done(struct cci *cci, void *arg)
{
	struct t3_dev *dev = arg;
	struct t3_media *m = &dev->media;

	for (uint32_t i = 0; i < m->nops; i++) {
		if (media_fill(dev, m->ops[i].start, m->ops[i].len, m->ops_fill))
			cci->bg.rc = CXL_RC_INTERNAL_ERROR;
		t3_media_unpoison(dev, m->ops[i].start, m->ops[i].len);
	}
	m->nops = 0;
}

/*
 * A DPA range of Media Operations, as QEMU's validate_dpa_addr: 64-byte
 * aligned start and length, not empty, inside the capacity; its DC part
 * entirely in capacity the host accepted.
 */
static bool mop_range_ok(struct t3_dev *dev, uint64_t start, uint64_t len)
{
	uint64_t static_end = dev->cfg.vmem_size + dev->cfg.pmem_size, bytes;

	if (start % LINE || len % LINE || !len || !range_ok(dev, start, len / LINE, &bytes))
		return false;
	if (start + len > static_end) {
		uint64_t s = start > dev->dc_base ? start : dev->dc_base;

		return dev->dcd && dcd_accessible(dev->dcd, s, start + len - s);
	}
	return true;
}

/* Discovery: 0:8 granularity (64), 8:2 total operations, 10:2 returned, 12: (class, subclass). */
static uint16_t mop_discovery(struct cci_call *call)
{
	unsigned start, n;

	if (call->in_len < MOP_HDR + 4)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	start = le16_get(call->in + 8);
	n = le16_get(call->in + 10);
	if (le32_get(call->in + 4) || start >= MOP_COUNT)
		return CXL_RC_INVALID_INPUT;
	if (n > MOP_COUNT - start)
		n = (unsigned)MOP_COUNT - start;
	le64_put(call->out, LINE);
	le16_put(call->out + 8, (uint16_t)MOP_COUNT);
	le16_put(call->out + 10, (uint16_t)n);
	for (unsigned i = 0; i < n; i++) {
		call->out[12 + 2 * i] = mop_list[start + i][0];
		call->out[13 + 2 * i] = mop_list[start + i][1];
	}
	call->out_len = 12 + 2 * n;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.2 §8.2.10.9.5.3 Media Operations (Opcode 4402h), as QEMU has it.
 * Input 0 class, 1 subclass, 4:4 DPA range count, 8: the ranges (0:8
 * start, 8:8 length) or, for discovery, 8:2 start index and 10:2 number
 * of operations. Class 0 subclass 0 discovery lists sanitize and zero;
 * class 1 subclass 0 sanitize (fills 0Fh, as QEMU) and 1 zero run in the
 * background (QEMU's sanitize duration for the bytes) and write the
 * ranges when they complete. Other classes: Unsupported (QEMU). No
 * range: Success, nothing starts. A count that disagrees with the length
 * is Invalid Payload Length (QEMU takes extra bytes); a bad range Invalid
 * Input; a locked persistent range Invalid Security State.
 */
static uint16_t cmd_media_operations(struct cci *cci, const struct cci_cmd *cmd,
				     struct cci_call *call)
{
	struct t3_dev *dev = t3_of(cci);
	struct t3_media *m = &dev->media;
	uint8_t cls = call->in[0], sub = call->in[1];
	uint32_t n = le32_get(call->in + 4);
	uint64_t total = 0;

	if (cls == MOP_GENERAL && sub == MOP_DISCOVERY)
		return mop_discovery(call);
	if (cls != MOP_SANITIZE || (sub != MOP_SAN_SANITIZE && sub != MOP_SAN_ZERO))
		return CXL_RC_UNSUPPORTED;
	if (!n)
		return CXL_RC_SUCCESS;
	if (n > T3_MEDIA_OPS_MAX || call->in_len != MOP_HDR + (size_t)n * MOP_RANGE)
		return CXL_RC_INVALID_PAYLOAD_LENGTH;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t s = le64_get(call->in + MOP_HDR + i * MOP_RANGE);
		uint64_t l = le64_get(call->in + MOP_HDR + i * MOP_RANGE + 8);

		if (!mop_range_ok(dev, s, l))
			return CXL_RC_INVALID_INPUT;
		if (t3_sec_locked(dev, s, l))
			return CXL_RC_INVALID_SECURITY_STATE;
		total += l;
	}
	if (t3_media_running(dev))
		return CXL_RC_BUSY;
	if (t3_media_disabled(dev))
		return CXL_RC_MEDIA_DISABLED;
	for (uint32_t i = 0; i < n; i++) {
		m->ops[i].start = le64_get(call->in + MOP_HDR + i * MOP_RANGE);
		m->ops[i].len = le64_get(call->in + MOP_HDR + i * MOP_RANGE + 8);
	}
	m->nops = n;
	m->ops_fill = sub == MOP_SAN_ZERO ? 0 : MOP_SANITIZE_FILL;
	media_start(dev, cci, cmd->info->opcode, sanitize_ms(total >> 20), false, media_ops_done);
	return CXL_RC_BG_STARTED;
}

/* ---- command sets ---------------------------------------------------------------- */

/*
 * The host mailbox has them all (QEMU's cxl_cmd_set, plus Secure Erase). A
 * BMC over MCTP (the FM-owned LD, and an LD behind Tunnel Management)
 * monitors and manages the media too (issue #14: "poison list ... for a
 * BMC"): the same commands on the same device state. QEMU has none of
 * them there.
 */
#define MEDIA_CMDS \
	CCI_CMD(GET_POISON_LIST, cmd_get_poison_list), \
	CCI_CMD(INJECT_POISON, cmd_inject_poison), \
	CCI_CMD(CLEAR_POISON, cmd_clear_poison), \
	CCI_CMD(GET_SCAN_MEDIA_CAPS, cmd_get_scan_media_caps), \
	CCI_CMD(SCAN_MEDIA, cmd_scan_media), \
	CCI_CMD(GET_SCAN_MEDIA_RESULTS, cmd_get_scan_media_results), \
	CCI_CMD(SANITIZE, cmd_sanitize), \
	CCI_CMD(SECURE_ERASE, cmd_secure_erase), \
	CCI_CMD(MEDIA_OPERATIONS, cmd_media_operations)
static const struct cci_cmd media_host_cmds[] = { MEDIA_CMDS };
static const struct cci_cmd media_fm_cmds[] = { MEDIA_CMDS };
static const struct cci_cmd media_ld_cmds[] = { MEDIA_CMDS };
const struct cci_cmd_set t3_media_host_set = CCI_SET("t3-media", CXLFM_CCI_T3_MBOX,
						     media_host_cmds);
const struct cci_cmd_set t3_media_fm_set = CCI_SET("t3-media", CXLFM_CCI_T3_FM, media_fm_cmds);
const struct cci_cmd_set t3_media_ld_set = CCI_SET("t3-media", CXLFM_CCI_T3_LD, media_ld_cmds);
