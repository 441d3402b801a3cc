/* SPDX-License-Identifier: MIT */
#include "emu/host_agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/cci.h"
#include "dev/t3_mem.h"
#include "emu/loop.h"
#include "proto/le.h"
#include "proto/records.h"
#include "util/log.h"

/* Payload and record layouts: the command facts and proto/records.h. */
#define LOG_DYNAMIC_CAPACITY EV_LOG_DCD
#define GET_HDR CXL_OUT_GET_EVENT_RECORDS
#define CLEAR_HDR CXL_IN_CLEAR_EVENT_RECORDS
#define REC_SIZE REC_EVENT_LEN
#define GET_FLAG_OVERFLOW 0x01
#define GET_FLAG_MORE_RECORDS 0x02
#define RECS_MAX 64              /* records one Get Event Records may return here */
#define RAS_ROUNDS 256           /* errors handled per signal, at most */
enum { DC_ADD = 0, DC_RELEASE = 1, DC_FORCED = 2, DC_REGION_CONFIG = 3 };
#define EXT_ENTRY REC_DC_RANGE_LEN
#define EXT_RECORD REC_DC_EXTENT_LEN
#define PATTERN_LEN 64
#define PATTERN_SALT 0xc3a5c3a5c3a5c3a5ull

struct ha_list {
	struct ha_extent *e;
	size_t n, cap;
};

struct host_agent {
	struct loop *loop;
	char id[64];
	struct cci *cci;
	const struct ha_ops *ops;
	void *arg;
	enum ha_policy policy;
	uint64_t delay_ns;
	struct loop_timer *timer;
	struct ha_list add, rel;  /* records of a "More" chain being collected */
	struct ha_list *offers;   /* manual policy: groups waiting, FIFO */
	size_t noffers;
	struct ha_stats st;
	uint8_t *out;
	uint8_t *in;
	bool stopped;             /* the VM is not running (-S, QMP stop) */
	bool missed;              /* and the device signalled meanwhile */
	bool probed;              /* the driver bound the device (first run) */
	bool armed;               /* it set the shutdown state dirty */
	uint32_t dirty_count;     /* the dirty shutdown count it read then */
};

static int list_push(struct ha_list *l, uint64_t dpa, uint64_t len)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct ha_extent *e = realloc(l->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		l->e = e;
		l->cap = cap;
	}
	l->e[l->n++] = (struct ha_extent){ dpa, len };
	return 0;
}

static uint16_t run(struct host_agent *ha, uint16_t op, size_t in_len, size_t *out_len)
{
	uint16_t rc = cci_process(ha->cci, op, ha->in, in_len, ha->out, out_len);

	if (rc != CXL_RC_SUCCESS) {
		ha->st.errors++;
		log_warn("host %s op 0x%04x: %s", ha->id, op, cxl_rc_name(rc));
	}
	return rc;
}

/*
 * Send Add DC Response (4802h) or Release DC (4803h) for e[0..n).
 * The host mailbox holds (payload - 8) / 24 entries: a larger group is
 * answered with the part that fits, as a driver with a bounded buffer would.
 */
static uint16_t send_extents(struct host_agent *ha, uint16_t op,
			     const struct ha_extent *e, size_t n)
{
	size_t max = (ha->cci->payload_max - 8) / EXT_ENTRY;
	size_t out_len;

	if (n > max) {
		log_warn("host %s: %zu extents, answering the first %zu", ha->id, n, max);
		n = max;
	}
	memset(ha->in, 0, 8 + n * EXT_ENTRY);
	le32_put(ha->in, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		rec_dc_range_put(ha->in + 8 + i * EXT_ENTRY, e[i].dpa, e[i].len);
	return run(ha, op, 8 + n * EXT_ENTRY, &out_len);
}

static void pattern(uint64_t dpa, uint8_t *buf)
{
	for (unsigned i = 0; i < PATTERN_LEN / 8; i++)
		le64_put(buf + 8 * i, (dpa + 8 * i) ^ PATTERN_SALT);
}

/* First and last 64 bytes of each extent: cheap, and catches offset errors. */
static void write_patterns(struct host_agent *ha, const struct ha_extent *e, size_t n)
{
	uint8_t buf[PATTERN_LEN];

	if (!ha->ops || !ha->ops->mem_write)
		return;
	for (size_t i = 0; i < n; i++) {
		uint64_t at[2] = { e[i].dpa, e[i].dpa + e[i].len - PATTERN_LEN };

		for (unsigned k = 0; k < (e[i].len >= 2 * PATTERN_LEN ? 2u : 1u); k++) {
			pattern(at[k], buf);
			/* A failed write (backing memory gone) is an error the
			 * host notes; the capacity stays accepted, as a driver would
			 * keep memory it could not test. */
			if (ha->ops->mem_write(ha->arg, at[k], buf, sizeof(buf))) {
				ha->st.errors++;
				log_warn("host %s: pattern write at 0x%llx failed", ha->id,
					 (unsigned long long)at[k]);
			}
		}
	}
}

static void changed(struct host_agent *ha, const char *what, const struct ha_extent *e,
		    size_t n)
{
	if (ha->ops && ha->ops->changed)
		ha->ops->changed(ha->arg, what, e, n);
}

static int accept_ranges(struct host_agent *ha, const struct ha_extent *e, size_t n)
{
	uint16_t rc = send_extents(ha, CCI_OP_ADD_DC_RESPONSE, e, n);

	if (rc != CXL_RC_SUCCESS)
		return rc;
	if (n) {
		ha->st.accepted += n;
		write_patterns(ha, e, n);
		log_info("host %s: accepted %zu extent(s)", ha->id, n);
		changed(ha, "accepted", e, n);
	} else {
		ha->st.rejected++;
		log_info("host %s: declined an offer", ha->id);
		changed(ha, "declined", NULL, 0);
	}
	return 0;
}

static void offer_done(struct host_agent *ha)
{
	struct ha_list *l = &ha->add;

	if (ha->policy == HA_MANUAL) {
		struct ha_list *o = realloc(ha->offers, (ha->noffers + 1) * sizeof(*o));

		if (!o) {
			ha->st.errors++;
			return;
		}
		ha->offers = o;
		ha->offers[ha->noffers++] = *l;
		*l = (struct ha_list){ 0 };
		changed(ha, "offered", o[ha->noffers - 1].e, o[ha->noffers - 1].n);
		return;
	}
	accept_ranges(ha, l->e, ha->policy == HA_ACCEPT ? l->n : 0);
	l->n = 0;
}

/*
 * A release (asked or forced) can cut a held extent: what is left of it then
 * starts or ends where no pattern was written, and ha_verify() would call
 * unchanged data corrupt. A pattern depends only on its DPA, so writing the
 * patterns of everything held again changes no data and keeps them at every
 * extent's edges.
 */
static void rewrite_patterns(struct host_agent *ha)
{
	struct ha_extent *e = NULL;
	size_t n = 0, cap = 64;

	for (;;) {
		free(e);
		e = malloc(cap * sizeof(*e));
		if (!e || ha_list(ha, e, cap, &n, NULL)) {
			free(e);
			return;
		}
		if (n <= cap)
			break;
		cap = n;
	}
	write_patterns(ha, e, n);
	free(e);
}

static void release_done(struct host_agent *ha)
{
	struct ha_list *l = &ha->rel;

	/* The host gives back what the FM asks for: nothing here pins memory. */
	if (send_extents(ha, CCI_OP_RELEASE_DC, l->e, l->n) == CXL_RC_SUCCESS) {
		ha->st.released += l->n;
		log_info("host %s: released %zu extent(s)", ha->id, l->n);
		changed(ha, "released", l->e, l->n);
		rewrite_patterns(ha);
	}
	l->n = 0;
}

static void handle_record(struct host_agent *ha, const uint8_t *rec)
{
	struct rec_dc_event ev;
	uint64_t dpa, len;
	bool more;

	rec_dc_event_get(rec + REC_EVENT_HDR_LEN, &ev);
	dpa = ev.extent.start_dpa;
	len = ev.extent.length;
	more = ev.flags & REC_DC_EVENT_MORE;
	ha->st.records++;
	switch (ev.type) {
	case DC_ADD:
		if (list_push(&ha->add, dpa, len))
			ha->st.errors++;
		if (!more)
			offer_done(ha);
		break;
	case DC_RELEASE:
		if (list_push(&ha->rel, dpa, len))
			ha->st.errors++;
		if (!more)
			release_done(ha);
		break;
	case DC_FORCED: {
		struct ha_extent e = { dpa, len };

		ha->st.forced++;
		log_info("host %s: capacity at 0x%llx forcibly removed", ha->id,
			 (unsigned long long)dpa);
		changed(ha, "forced-release", &e, 1);
		rewrite_patterns(ha);
		break;
	}
	default: /* region configuration updated: nothing held changes */
		break;
	}
}

static const char *record_kind(const uint8_t *rec)
{
	if (!memcmp(rec, ev_uuid_gen_media, 16))
		return "general media";
	if (!memcmp(rec, ev_uuid_dram, 16))
		return "DRAM";
	if (!memcmp(rec, ev_uuid_mem_module, 16))
		return "memory module";
	return "vendor or unknown";
}

/*
 * Read one event log until it is empty, as Linux's cxl_mem_get_records_log
 * (drivers/cxl/core/mbox.c): Get Event Records, handle (trace) each record,
 * note an overflow, Clear Event Records with the handles read; again until
 * a read returns none. Dynamic Capacity records are answered
 * (handle_record); the others are logged and counted.
 */
static void drain_log(struct host_agent *ha, unsigned log)
{
	for (unsigned rounds = 0; rounds < 1024; rounds++) {
		uint8_t recs[RECS_MAX * REC_SIZE];
		uint16_t handles[RECS_MAX];
		size_t out_len, count;

		ha->in[0] = (uint8_t)log;
		if (run(ha, CCI_OP_GET_EVENT_RECORDS, CXL_IN_GET_EVENT_RECORDS, &out_len) ||
		    out_len < GET_HDR)
			return;
		count = le16_get(ha->out + 20);
		if (count > (out_len - GET_HDR) / REC_SIZE || count > RECS_MAX) {
			log_err("host %s: Get Event Records says %zu records in %zu bytes",
				ha->id, count, out_len);
			ha->st.errors++;
			return;
		}
		if (!count)
			return;
		if (ha->out[0] & GET_FLAG_OVERFLOW) {
			ha->st.overflows++;
			log_warn("host %s: event log %u overflowed: %u record(s) lost", ha->id,
				 log, le16_get(ha->out + 2));
		}
		/* Copy the records first: answering reuses the output buffer. */
		memcpy(recs, ha->out + GET_HDR, count * REC_SIZE);
		for (size_t i = 0; i < count; i++)
			handles[i] = le16_get(recs + i * REC_SIZE + REC_EVENT_HANDLE);
		ha->st.events[log] += count;
		for (size_t i = 0; i < count; i++) {
			if (log == LOG_DYNAMIC_CAPACITY)
				handle_record(ha, recs + i * REC_SIZE);
			else
				log_info("host %s: %s event record (log %u, handle %u)", ha->id,
					 record_kind(recs + i * REC_SIZE), log, handles[i]);
		}
		/* Clear Event Records: 0 log, 1 flags, 2 count, 3:3 rsvd, 6: handles */
		memset(ha->in, 0, CLEAR_HDR);
		ha->in[0] = (uint8_t)log;
		ha->in[2] = (uint8_t)count;
		for (size_t i = 0; i < count; i++)
			le16_put(ha->in + CLEAR_HDR + 2 * i, handles[i]);
		if (run(ha, CCI_OP_CLEAR_EVENT_RECORDS, CLEAR_HDR + 2 * count, &out_len))
			return;
	}
}

/*
 * The device's RAS capability (CXL r3.1 §8.2.4.17), read as Linux's
 * cxl_pci error handlers do on an AER interrupt (drivers/cxl/core/pci.c
 * cxl_handle_cor_ras / __cxl_handle_ras): the correctable status is read
 * and written back to clear it; the uncorrectable status, First Error
 * Pointer and Header Log are read and the whole status written back. The
 * device behind the host mailbox is a type-3 device (cci->owner). Linux
 * handles one uncorrectable error per interrupt and leaves the queue's
 * rest for the next; here the host clears until nothing is left.
 */
static void handle_ras(struct host_agent *ha)
{
	struct t3_dev *dev = ha->cci->owner;
	struct t3_ras_regs r;

	for (unsigned round = 0; round < RAS_ROUNDS; round++) {
		size_t before;

		t3_ras_read(dev, &r);
		if (r.ce_status) {
			ha->st.correctable += (uint64_t)__builtin_popcount(r.ce_status);
			log_info("host %s: correctable error status 0x%08x", ha->id, r.ce_status);
			t3_ras_clear_ce(dev, r.ce_status);
		}
		if (!r.ue_status)
			return;
		before = r.queued;
		log_warn("host %s: uncorrectable error status 0x%08x, first error %u, header "
			 "%08x %08x %08x %08x", ha->id, r.ue_status, r.first_error, r.header[0],
			 r.header[1], r.header[2], r.header[3]);
		t3_ras_clear_ue(dev, r.ue_status);
		t3_ras_read(dev, &r);
		ha->st.uncorrectable += before - r.queued;
	}
}

/* Linux's order (cxl_mem_get_event_records): fatal first; then Dynamic Capacity. */
static const unsigned drain_order[] = {
	EV_LOG_FATAL, EV_LOG_FAIL, EV_LOG_WARN, EV_LOG_INFO, EV_LOG_DCD,
};

static void drain_all(struct host_agent *ha)
{
	handle_ras(ha);
	for (size_t i = 0; i < sizeof(drain_order) / sizeof(drain_order[0]); i++)
		drain_log(ha, drain_order[i]);
}

static void drain(struct loop *l, void *arg)
{
	(void)l;
	drain_all(arg);
}

/*
 * What Linux does when it binds the device (cxl_pci_probe, cxl_mem_probe,
 * cxl_nvdimm_probe): learn its capacity (Identify Memory Device, and Get
 * Partition Info when it is partitionable: cxl_mem_dpa_fetch); with
 * persistent capacity, arm dirty shutdown tracking (Set Shutdown State
 * dirty: cxl_arm_dirty_shutdown) and read the dirty shutdown count (Get
 * Health Info: cxl_get_dirty_count); read every event log (cxl_event_config).
 */
static void probe(struct host_agent *ha)
{
	uint64_t pmem = 0;
	size_t out_len;

	ha->probed = true;
	if (!run(ha, CCI_OP_IDENTIFY_MEMORY_DEVICE, 0, &out_len) &&
	    out_len == CXL_OUT_IDENTIFY_MEMORY_DEVICE) {
		pmem = le64_get(ha->out + 0x20);
		if (le64_get(ha->out + 0x28) &&
		    !run(ha, CCI_OP_GET_PARTITION_INFO, 0, &out_len) &&
		    out_len == CXL_OUT_GET_PARTITION_INFO)
			pmem = le64_get(ha->out + 8);
	}
	if (pmem) {
		ha->in[0] = 0x01;
		if (!run(ha, CCI_OP_SET_SHUTDOWN_STATE, 1, &out_len) &&
		    !run(ha, CCI_OP_GET_HEALTH_INFO, 0, &out_len) &&
		    out_len == CXL_OUT_GET_HEALTH_INFO) {
			ha->armed = true;
			ha->dirty_count = le32_get(ha->out + 6);
			log_info("host %s: dirty shutdown tracking armed, count %u", ha->id,
				 ha->dirty_count);
		}
	}
	drain_all(ha);
}

int ha_new(struct loop *loop, const char *dev_id, struct cci *host_cci,
	   const struct ha_ops *ops, void *arg, struct host_agent **out)
{
	struct host_agent *ha = calloc(1, sizeof(*ha));
	int err;

	if (!ha)
		return -ENOMEM;
	ha->loop = loop;
	snprintf(ha->id, sizeof(ha->id), "%s", dev_id);
	ha->cci = host_cci;
	ha->ops = ops;
	ha->arg = arg;
	ha->out = malloc(host_cci->payload_cap);
	ha->in = malloc(host_cci->payload_cap);
	err = !ha->out || !ha->in ? -ENOMEM :
	      loop_timer_new(loop, drain, ha, &ha->timer);
	if (err) {
		free(ha->out);
		free(ha->in);
		free(ha);
		return err;
	}
	*out = ha;
	return 0;
}

void ha_free(struct host_agent *ha)
{
	if (!ha)
		return;
	loop_timer_free(ha->timer);
	for (size_t i = 0; i < ha->noffers; i++)
		free(ha->offers[i].e);
	free(ha->offers);
	free(ha->add.e);
	free(ha->rel.e);
	free(ha->out);
	free(ha->in);
	free(ha);
}

void ha_notify(struct host_agent *ha)
{
	if (ha->stopped)
		ha->missed = true;
	else if (!loop_timer_armed(ha->timer))
		loop_timer_arm(ha->timer, ha->delay_ns);
}

/* A stopped guest's driver does not run: what the device signals waits
 * until it runs again, as an interrupt pending on a paused VM. */
void ha_set_running(struct host_agent *ha, bool running)
{
	ha->stopped = !running;
	if (running && !ha->probed)
		probe(ha);
	if (running && ha->missed) {
		ha->missed = false;
		ha_notify(ha);
	}
}

static const char *const policy_names[] = { "accept", "reject", "manual" };

int ha_policy_parse(const char *s, enum ha_policy *out)
{
	for (unsigned i = 0; i < 3; i++)
		if (!strcmp(s, policy_names[i])) {
			*out = (enum ha_policy)i;
			return 0;
		}
	return -EINVAL;
}

const char *ha_policy_name(enum ha_policy p)
{
	return (unsigned)p < 3 ? policy_names[p] : "?";
}

void ha_set_policy(struct host_agent *ha, enum ha_policy p, uint64_t delay_ns)
{
	ha->policy = p;
	ha->delay_ns = delay_ns;
	/* Offers held under manual policy are answered by the new policy. */
	while (p != HA_MANUAL && ha->noffers) {
		struct ha_list *o = &ha->offers[0];

		accept_ranges(ha, o->e, p == HA_ACCEPT ? o->n : 0);
		free(o->e);
		memmove(ha->offers, ha->offers + 1, --ha->noffers * sizeof(*o));
	}
}

enum ha_policy ha_get_policy(const struct host_agent *ha) { return ha->policy; }
uint64_t ha_get_delay_ns(const struct host_agent *ha) { return ha->delay_ns; }
size_t ha_offer_count(const struct host_agent *ha) { return ha->noffers; }

size_t ha_offers(const struct host_agent *ha, size_t i, const struct ha_extent **ext)
{
	if (i >= ha->noffers)
		return 0;
	*ext = ha->offers[i].e;
	return ha->offers[i].n;
}

int ha_answer_offer(struct host_agent *ha, const struct ha_extent *accept, size_t n)
{
	int rc;

	if (!ha->noffers)
		return -ENOENT;
	rc = accept_ranges(ha, accept, n);
	if (rc)
		return rc; /* the device refused: the offer stays */
	free(ha->offers[0].e);
	memmove(ha->offers, ha->offers + 1, --ha->noffers * sizeof(ha->offers[0]));
	return 0;
}

int ha_list(struct host_agent *ha, struct ha_extent *out, size_t max, size_t *n,
	    uint32_t *generation)
{
	uint32_t start = 0, total;

	*n = 0;
	do {
		size_t out_len, got;

		/* Get DC Extent List (4801h): 0:4 count, 4:4 start index. */
		le32_put(ha->in, (uint32_t)((ha->cci->payload_max - 16) / EXT_RECORD));
		le32_put(ha->in + 4, start);
		if (run(ha, CCI_OP_GET_DC_EXTENT_LIST, CXL_IN_GET_DC_EXTENT_LIST, &out_len) ||
		    out_len < CXL_OUT_GET_DC_EXTENT_LIST)
			return -EIO;
		got = le32_get(ha->out);
		total = le32_get(ha->out + 4);
		if (generation)
			*generation = le32_get(ha->out + 8);
		if (got > (out_len - 16) / EXT_RECORD)
			return -EIO;
		for (size_t i = 0; i < got; i++, start++) {
			struct rec_dc_extent r;

			rec_dc_extent_get(ha->out + 16 + i * EXT_RECORD, &r);
			if (*n < max)
				out[*n] = (struct ha_extent){ r.start_dpa, r.length };
			(*n)++;
		}
		if (!got)
			break;
	} while (start < total);
	return 0;
}

int ha_verify(struct host_agent *ha, size_t *checked)
{
	uint8_t want[PATTERN_LEN], got[PATTERN_LEN];
	struct ha_extent *e;
	size_t n, cap = 64;
	int err = 0;

	*checked = 0;
	if (!ha->ops || !ha->ops->mem_read)
		return -EOPNOTSUPP;
	for (;;) {
		e = malloc(cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		err = ha_list(ha, e, cap, &n, NULL);
		if (err || n <= cap)
			break;
		free(e);
		cap = n;
	}
	for (size_t i = 0; !err && i < n; i++) {
		uint64_t at[2] = { e[i].dpa, e[i].dpa + e[i].len - PATTERN_LEN };

		for (unsigned k = 0; k < (e[i].len >= 2 * PATTERN_LEN ? 2u : 1u); k++) {
			pattern(at[k], want);
			if (ha->ops->mem_read(ha->arg, at[k], got, sizeof(got)) ||
			    memcmp(want, got, sizeof(got))) {
				log_err("host %s: pattern mismatch at 0x%llx", ha->id,
					(unsigned long long)at[k]);
				err = -EIO;
				break;
			}
		}
		(*checked)++;
	}
	free(e);
	return err;
}

void ha_get_stats(const struct host_agent *ha, struct ha_stats *st)
{
	*st = ha->st;
}

bool ha_dirty_shutdown_count(const struct host_agent *ha, uint32_t *count)
{
	*count = ha->dirty_count;
	return ha->armed;
}
