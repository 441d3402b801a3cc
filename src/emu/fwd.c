/* SPDX-License-Identifier: MIT */
#include "emu/fwd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "dev/cci.h"
#include "emu/loop.h"
#include "emu/qmp_client.h"
#include "emu/qmp_server.h"
#include "proto/fwd_buf.h"
#include "proto/qmp.h"
#include "util/base64.h"
#include "util/log.h"
#include "util/memguard.h"

#define FWD_MAX_SLOTS 256u
#define FWD_INLINE_MAX 1024u   /* largest payload carried inline (CCI cap) */
#define FWD_INLINE_INFLIGHT 16u
#define FWD_NAME_MAX 200u     /* buffer names as given; normalised into NAME_MAX */

/* ---------------- shared buffer ---------------- */

/*
 * The buffer is shared with another process, which may resize, unlink or
 * recreate it at any time (docs/forwarding.md "The buffer is untrusted").
 * We keep the object's fd: fstat tells a truncation (size) from an unlink
 * (no links left), and the owner (mctp-buf-init=on) holds an exclusive
 * flock on it for its life, so a second owner is refused while a buffer
 * whose owner died can be taken over. Every access to the mapping runs
 * under the SIGBUS guard (util/memguard.h): a truncation between a check
 * and the access is a failed request, not a dead process.
 */
struct fwd_shm {
	char name[NAME_MAX];
	unsigned slots;
	uint8_t *base;
	size_t size;
	int fd;
	bool owner;
	bool faulted; /* a fault was logged; the next good access clears it */
	bool gone;    /* FM side: unlinked, no new request goes there */
	int ino_fd;   /* FM side: inotify on the object, -1 without */
	uint64_t resizes; /* FM side: ftruncates of the object seen so far */
	int refs;
	uint8_t busy[FWD_MAX_SLOTS];  /* FM side: slot carries one of our requests */
	uint8_t stale[FWD_MAX_SLOTS]; /* FM side: we gave up on it while posted */
	struct fwd_shm *next;
};

static void shm_norm(const char *in, char *out, size_t len)
{
	snprintf(out, len, "%s%s", in[0] == '/' ? "" : "/", in);
}

/*
 * Open (or, as the owner, create) the object named s->name and map it
 * into s->fd and s->base. An owner finding the name taken takes the object
 * over only if no live owner holds its lock (-EBUSY otherwise), then zeroes
 * it: a fresh start, no request of a previous life is pending.
 */
static int shm_map(struct fwd_shm *s, bool create)
{
	struct stat st;
	bool taken;
	int fd, err;

	fd = shm_open(s->name, O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0), 0600);
	taken = fd < 0 && create && errno == EEXIST;
	if (taken)
		fd = shm_open(s->name, O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (create && flock(fd, LOCK_EX | LOCK_NB)) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto fail;
	}
	if (create && taken)
		log_info("fwd: buffer %s was left by a creator that is gone; taking it over",
			 s->name);
	if (fstat(fd, &st)) {
		err = -errno;
		goto fail;
	}
	if (create && ftruncate(fd, (off_t)s->size)) {
		err = -errno;
		goto fail;
	}
	if (!create && (size_t)st.st_size < s->size) {
		err = -EPROTO;
		goto fail;
	}
	s->base = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (s->base == MAP_FAILED) {
		s->base = NULL;
		err = -errno;
		goto fail;
	}
	s->fd = fd;
	if (create && memguard_set(s->base, 0, s->size)) {
		munmap(s->base, s->size);
		s->base = NULL;
		err = -EFAULT; /* shrunk under us already */
		goto fail;
	}
	return 0;
fail:
	close(fd);
	return err;
}

#define FWD_SHM_DIR "/dev/shm" /* where glibc's shm_open keeps "/name" */

/*
 * The FM side watches the object for size changes (IN_MODIFY: ftruncate by
 * any process; stores through a mapping raise none). A truncation and
 * restore while a request is out zeroes its slot, and by the time the
 * answer comes the object may look whole again: the count tells. Without
 * inotify the FM host only sees what fstat shows at that moment.
 */
static void shm_watch(struct fwd_shm *s)
{
	char path[sizeof(FWD_SHM_DIR) + NAME_MAX];

	snprintf(path, sizeof(path), FWD_SHM_DIR "%s", s->name);
	s->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->ino_fd >= 0 && inotify_add_watch(s->ino_fd, path, IN_MODIFY) < 0) {
		close(s->ino_fd);
		s->ino_fd = -1;
	}
}

/* Size changes of the object so far (an event queue overflow counts as one). */
static uint64_t shm_resizes(struct fwd_shm *s)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while (s->ino_fd >= 0 && (n = read(s->ino_fd, buf, sizeof(buf))) > 0)
		for (size_t at = 0; at + sizeof(struct inotify_event) <= (size_t)n;) {
			const struct inotify_event *ev = (const void *)(buf + at);

			if (ev->mask & (IN_MODIFY | IN_Q_OVERFLOW))
				s->resizes++;
			at += sizeof(*ev) + ev->len;
		}
	return s->resizes;
}

int fwd_shm_open(const char *name, unsigned slots, bool create, struct fwd_shm **out)
{
	struct fwd_shm *s;
	int err;

	if (!slots || slots > FWD_MAX_SLOTS)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	shm_norm(name, s->name, sizeof(s->name));
	s->slots = slots;
	s->size = (size_t)slots * FWD_SLOT_SIZE;
	s->owner = create;
	s->ino_fd = -1;
	err = shm_map(s, create);
	if (err) {
		free(s);
		return err;
	}
	if (!create)
		shm_watch(s);
	*out = s;
	return 0;
}

/* Does the name still lead to the object we mapped? */
static bool shm_ours(const struct fwd_shm *s)
{
	struct stat a, b;
	int fd = shm_open(s->name, O_RDONLY | O_CLOEXEC, 0);
	bool same = fd >= 0 && !fstat(fd, &a) && !fstat(s->fd, &b) &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino;

	if (fd >= 0)
		close(fd);
	return same;
}

static void shm_unmap(struct fwd_shm *s)
{
	munmap(s->base, s->size);
	/* The owner removes its name, unless another object has it by now. */
	if (s->owner && shm_ours(s))
		shm_unlink(s->name);
	close(s->fd);
	if (s->ino_fd >= 0)
		close(s->ino_fd);
}

void fwd_shm_close(struct fwd_shm *s)
{
	if (!s)
		return;
	shm_unmap(s);
	free(s);
}

/* Map the name afresh in place (the owner creates it): the old mapping goes. */
static int shm_remap(struct fwd_shm *s)
{
	struct fwd_shm n = *s;
	int err = shm_map(&n, s->owner);

	if (err)
		return err;
	shm_unmap(s);
	s->fd = n.fd;
	s->base = n.base;
	return 0;
}

/*
 * What became of the object: 0 as we mapped it, -ENOENT unlinked (another
 * may have the name now), -EPROTO smaller than our slots (why says so).
 */
static int shm_check(const struct fwd_shm *s, char *why, size_t len)
{
	struct stat st;

	if (fstat(s->fd, &st)) {
		int err = errno;

		snprintf(why, len, "buffer %s: %s", s->name, strerror(err));
		return -err;
	}
	if (!st.st_nlink) {
		snprintf(why, len, "buffer %s was unlinked", s->name);
		return -ENOENT;
	}
	if ((size_t)st.st_size < s->size) {
		snprintf(why, len, "buffer %s was truncated to %lld bytes (%u slots need %zu)",
			 s->name, (long long)st.st_size, s->slots, s->size);
		return -EPROTO;
	}
	snprintf(why, len, "buffer %s faulted at its size of %lld bytes", s->name,
		 (long long)st.st_size);
	return 0;
}

/*
 * The owner puts its buffer right: its size back after a truncation (the
 * pages that come back are zero, idle slots), a new object after an unlink.
 */
static int shm_heal(struct fwd_shm *s)
{
	char why[NAME_MAX + 128];
	int err = shm_check(s, why, sizeof(why));

	if (!err)
		return 0;
	if (err == -EPROTO && !ftruncate(s->fd, (off_t)s->size))
		err = 0;
	else if (err == -ENOENT)
		err = shm_remap(s);
	if (err)
		log_err("fwd: %s; cannot restore it: %s", why, strerror(-err));
	else
		log_warn("fwd: %s by another process; restored", why);
	return err;
}

/* A codec call on one slot, run under the SIGBUS guard. */
struct slot_io {
	uint8_t *slot;
	struct fwd_msg *m;
	uint16_t opcode, rc;
	bool bg;
	const uint8_t *pl;
	size_t len;
	uint32_t status;
};

static int io_status(void *arg)
{
	struct slot_io *io = arg;

	io->status = fwd_slot_status(io->slot);
	return 0;
}

static int io_post(void *arg)
{
	struct slot_io *io = arg;

	return fwd_slot_post(io->slot, io->opcode, io->pl, io->len);
}

static int io_read_req(void *arg)
{
	struct slot_io *io = arg;

	return fwd_slot_read_req(io->slot, io->m);
}

static int io_complete(void *arg)
{
	struct slot_io *io = arg;

	return fwd_slot_complete(io->slot, io->rc, io->bg, io->pl, io->len);
}

static int io_read_rsp(void *arg)
{
	struct slot_io *io = arg;

	return fwd_slot_read_rsp(io->slot, io->m);
}

/* The buffer cannot serve (why): said once per episode. */
static void shm_broken(struct fwd_shm *s, const char *why)
{
	if (!s->faulted)
		log_warn("fwd: %s; requests fail until it is restored", why);
	s->faulted = true;
}

/*
 * fn on slot i: its result, or -EFAULT when the mapping faulted (the object
 * shrank under us); then why says what became of the buffer. A good access
 * ends a fault episode.
 */
static int slot_io(struct fwd_shm *s, unsigned i, memguard_fn fn, struct slot_io *io,
		   char *why, size_t len)
{
	int ret;

	io->slot = s->base + (size_t)i * FWD_SLOT_SIZE;
	if (memguard_run(s->base, s->size, fn, io, &ret)) {
		shm_check(s, why, len);
		return -EFAULT;
	}
	if (s->faulted)
		log_info("fwd: buffer %s is usable again", s->name);
	s->faulted = false;
	return ret;
}

uint8_t *fwd_shm_slot(struct fwd_shm *s, unsigned i)
{
	return i < s->slots ? s->base + (size_t)i * FWD_SLOT_SIZE : NULL;
}

unsigned fwd_shm_slots(const struct fwd_shm *s) { return s->slots; }
const char *fwd_shm_name(const struct fwd_shm *s) { return s->name; }

uint16_t fwd_run(struct cci *cci, uint16_t opcode, const uint8_t *in, size_t in_len,
		 uint8_t *out, size_t *out_len, size_t out_max)
{
	uint8_t *buf = malloc(cci->payload_cap);
	uint16_t rc;

	*out_len = 0;
	if (!buf)
		return CXL_RC_INTERNAL_ERROR;
	rc = cci_process(cci, opcode, in, in_len, buf, out_len);
	if (*out_len > out_max) {
		log_warn("cci %s op 0x%04x: %zu-byte response does not fit %zu bytes",
			 cci->name, opcode, *out_len, out_max);
		rc = CXL_RC_INTERNAL_ERROR;
		*out_len = 0;
	}
	memcpy(out, buf, *out_len);
	free(buf);
	return rc;
}

/* ---------------- FM side ---------------- */

struct fwd_peer {
	struct fwd_fm *fm;
	char addr[PATH_MAX];
	struct qmp_client *qc;
	bool ready;
	struct fwd_peer *next;
};

struct fwd_req {
	struct fwd_link *l;
	uint64_t deadline_ns; /* while queued */
	struct cci_hdr hdr;
	uint8_t payload[FWD_INLINE_MAX];
	int slot;
	uint64_t resizes; /* the buffer's size changes when it was posted */
	fwd_done_fn done;
	void *arg;
	struct fwd_req *next;
};

struct fwd_link {
	struct fwd_fm *fm;
	struct fwd_peer *peer;
	char name[128];
	char cci_name[128];
	enum fwd_mode mode;
	char buf_name[FWD_NAME_MAX];
	unsigned slots;
	unsigned timeout_ms;
	struct fwd_shm *shm;   /* opened on first use, reopened after the peer restarts */
	struct fwd_req *queue, **tail;
	struct loop_timer *queue_timer; /* fails requests that waited too long for a slot */
	unsigned inflight;
	struct fwd_stats st;
	struct fwd_link *next;
};

struct fwd_fm {
	struct loop *loop;
	struct qmp_server *local;
	struct fwd_peer *peers;
	struct fwd_link *links;
	struct fwd_shm *shms;  /* FM-side mappings, shared by links naming the same buffer */
};

static void pump(struct fwd_link *l);
static void queue_expire(struct loop *loop, void *arg);
static void arm_queue_timer(struct fwd_link *l);

static void shm_put(struct fwd_fm *fm, struct fwd_shm *s)
{
	if (!s || --s->refs > 0)
		return;
	for (struct fwd_shm **p = &fm->shms; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	fwd_shm_close(s);
}

/*
 * The link's mapping, opened on first use. An object that was unlinked
 * since (its owner restarted, or recreated it) is left for the name's new
 * one once the link's requests in it are answered: -EBUSY until then (the
 * answers use l->shm). A truncated one: -EFAULT, said once.
 */
static int shm_get(struct fwd_link *l, char *why, size_t len)
{
	struct fwd_fm *fm = l->fm;
	char name[NAME_MAX];
	int err;

	if (l->shm && !l->shm->gone) {
		err = shm_check(l->shm, why, len);
		if (err && err != -ENOENT) {
			shm_broken(l->shm, why);
			return -EFAULT;
		}
		if (!err)
			return 0;
		log_info("fwd %s: %s; mapping the name afresh", l->name, why);
		l->shm->gone = true;
	}
	if (l->shm) {
		if (l->inflight)
			return -EBUSY;
		shm_put(fm, l->shm);
		l->shm = NULL;
	}
	shm_norm(l->buf_name, name, sizeof(name));
	for (struct fwd_shm *s = fm->shms; s; s = s->next)
		if (!s->gone && !strcmp(s->name, name) && s->slots >= l->slots) {
			s->refs++;
			l->shm = s;
			return 0;
		}
	err = fwd_shm_open(name, l->slots, false, &l->shm);
	if (err)
		return err;
	l->shm->refs = 1;
	l->shm->next = fm->shms;
	fm->shms = l->shm;
	return 0;
}

static void finish(struct fwd_req *r, uint16_t rc, const uint8_t *pl, size_t len)
{
	uint8_t msg[CCI_HDR_LEN + FWD_INLINE_MAX];
	int n = cci_msg_reply(&r->hdr, rc, pl, len, msg, sizeof(msg));

	r->l->st.responses++;
	if (n < 0)
		r->done(r->arg, NULL, 0);
	else
		r->done(r->arg, msg, (size_t)n);
	free(r);
}

static void peer_event(struct qmp_client *c, const char *name, struct json_object *data,
		       void *arg)
{
	struct fwd_peer *p = arg;
	struct json_object *d;

	(void)c;
	if (!p->fm->local || strncmp(name, "X_CXL_", 6))
		return;
	/* Re-broadcast what the target host said, marked with where from. */
	d = data ? json_object_get(data) : json_object_new_object();
	json_object_object_add(d, "peer", json_object_new_string(p->addr));
	qmp_server_event(p->fm->local, name, d);
}

static void peer_state(struct qmp_client *c, bool ready, void *arg)
{
	struct fwd_peer *p = arg;

	(void)c;
	log_info("fwd: target %s %s", p->addr, ready ? "connected" : "lost");
	p->ready = ready;
	for (struct fwd_link *l = p->fm->links; l; l = l->next) {
		if (l->peer != p)
			continue;
		if (!ready) {
			pump(l); /* what waits for a slot fails now: the target is gone */
			continue;
		}
		/*
		 * A new target session: it will never complete requests we gave
		 * up on in the old one, so their slots are ours again (slot_take
		 * reuses a posted slot that is neither busy nor stale). A buffer
		 * the target made anew is found by shm_get.
		 */
		if (l->shm)
			for (unsigned i = 0; i < l->shm->slots; i++)
				if (!l->shm->busy[i])
					l->shm->stale[i] = 0;
		pump(l);
	}
}

static struct fwd_peer *peer_get(struct fwd_fm *fm, const char *addr)
{
	struct qmp_client_cfg cfg = { .on_event = peer_event, .on_state = peer_state };
	char full[PATH_MAX];
	struct fwd_peer *p;

	/* QEMU's RFC property is "HOST:PORT"; ours also takes tcp:/unix: */
	if (!strncmp(addr, "tcp:", 4) || !strncmp(addr, "unix:", 5))
		snprintf(full, sizeof(full), "%s", addr);
	else
		snprintf(full, sizeof(full), "tcp:%s", addr);
	for (p = fm->peers; p; p = p->next)
		if (!strcmp(p->addr, full))
			return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->fm = fm;
	snprintf(p->addr, sizeof(p->addr), "%s", full);
	cfg.addr = p->addr;
	cfg.arg = p;
	if (qmp_client_new(fm->loop, &cfg, &p->qc)) {
		free(p);
		return NULL;
	}
	p->next = fm->peers;
	fm->peers = p;
	return p;
}

int fwd_fm_new(struct loop *loop, struct qmp_server *local, struct fwd_fm **out)
{
	struct fwd_fm *fm = calloc(1, sizeof(*fm));

	if (!fm)
		return -ENOMEM;
	fm->loop = loop;
	fm->local = local;
	*out = fm;
	return 0;
}

void fwd_fm_free(struct fwd_fm *fm)
{
	if (!fm)
		return;
	/* Freeing the clients cancels their requests (callbacks with ECANCELED). */
	for (struct fwd_peer *p = fm->peers, *n; p; p = n) {
		n = p->next;
		qmp_client_free(p->qc);
		free(p);
	}
	for (struct fwd_link *l = fm->links, *n; l; l = n) {
		n = l->next;
		for (struct fwd_req *r = l->queue, *rn; r; r = rn) {
			rn = r->next;
			r->done(r->arg, NULL, 0);
			free(r);
		}
		loop_timer_free(l->queue_timer);
		free(l);
	}
	while (fm->shms) {
		struct fwd_shm *s = fm->shms;

		fm->shms = s->next;
		fwd_shm_close(s);
	}
	free(fm);
}

int fwd_link_new(struct fwd_fm *fm, const struct fwd_link_cfg *cfg, struct fwd_link **out)
{
	struct fwd_link *l;

	if (!cfg->peer || !cfg->cci_name || (cfg->slots > FWD_MAX_SLOTS))
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->fm = fm;
	snprintf(l->name, sizeof(l->name), "%s", cfg->name ? cfg->name : cfg->cci_name);
	snprintf(l->cci_name, sizeof(l->cci_name), "%s", cfg->cci_name);
	snprintf(l->buf_name, sizeof(l->buf_name), "%s", cfg->buf_name ? cfg->buf_name : FWD_DEFAULT_BUF);
	l->mode = cfg->mode;
	l->slots = cfg->slots ? cfg->slots : 1;
	l->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 5000;
	l->tail = &l->queue;
	l->peer = peer_get(fm, cfg->peer);
	if (!l->peer || loop_timer_new(fm->loop, queue_expire, l, &l->queue_timer)) {
		free(l);
		return -ENOMEM;
	}
	l->next = fm->links;
	fm->links = l;
	*out = l;
	return 0;
}

void fwd_link_stats(const struct fwd_link *l, struct fwd_stats *st)
{
	*st = l->st;
}

/* The answer to a request the target could not serve; why is logged (NULL: it was). */
static void fail(struct fwd_req *r, uint16_t rc, const char *why)
{
	if (why)
		log_warn("fwd %s op 0x%04x tag %u: %s", r->l->name, r->hdr.opcode, r->hdr.tag,
			 why);
	finish(r, rc, NULL, 0);
}

static void done_shm(struct fwd_req *r)
{
	struct fwd_link *l = r->l;
	struct fwd_msg m;
	struct slot_io io = { .m = &m };
	char why[512], tmp[NAME_MAX + 128];
	int err = slot_io(l->shm, (unsigned)r->slot, io_read_rsp, &io, why, sizeof(why));

	if (err == -EFAULT) {
		/* the buffer shrank under us: the path is broken, for now */
		shm_broken(l->shm, why);
		l->st.bad_buffer++;
		fail(r, CXL_RC_RETRY_REQUIRED, NULL);
		return;
	}
	/*
	 * Truncated (and restored) meanwhile: the slot may be zeroed in part, a
	 * response that looks whole included. The size first: a truncation
	 * sets it before it zeroes pages and before its event is queued.
	 */
	if (shm_check(l->shm, tmp, sizeof(tmp)) == -EPROTO ||
	    shm_resizes(l->shm) != r->resizes) {
		l->st.bad_buffer++;
		snprintf(why, sizeof(why), "buffer %s was resized while the request in slot %d "
			 "was out", l->shm->name, r->slot);
		fail(r, CXL_RC_RETRY_REQUIRED, why);
		return;
	}
	if (!err && m.opcode != r->hdr.opcode)
		err = -EBADMSG;
	if (err) {
		l->st.bad_buffer++;
		snprintf(why, sizeof(why), "slot %d of %s holds no valid response (%s)",
			 r->slot, l->shm->name, strerror(-err));
		fail(r, CXL_RC_INTERNAL_ERROR, why);
		return;
	}
	finish(r, m.rc, m.payload, m.len);
}

static void done_inline(struct fwd_req *r, struct json_object *ret)
{
	struct json_object *rv, *bg, *pl;
	uint8_t buf[FWD_INLINE_MAX];
	int64_t rc;
	int n;

	if (!json_object_object_get_ex(ret, "ret-val", &rv) ||
	    !json_object_is_type(rv, json_type_int) ||
	    !json_object_object_get_ex(ret, "payload", &pl) ||
	    !json_object_is_type(pl, json_type_string) ||
	    (json_object_object_get_ex(ret, "bg-started", &bg) &&
	     !json_object_is_type(bg, json_type_boolean))) {
		r->l->st.bad_buffer++;
		fail(r, CXL_RC_INTERNAL_ERROR, "inline reply lacks ret-val/payload");
		return;
	}
	rc = json_object_get_int64(rv);
	n = base64_decode(json_object_get_string(pl), buf, sizeof(buf));
	if (rc < 0 || rc > 0xffff || !cxl_rc_valid((uint16_t)rc) || n < 0) {
		r->l->st.bad_buffer++;
		fail(r, CXL_RC_INTERNAL_ERROR, "inline reply: bad ret-val or payload");
		return;
	}
	finish(r, (uint16_t)rc, buf, (size_t)n);
}

static void on_result(struct qmp_client *c, const struct qmp_result *res, void *arg)
{
	struct fwd_req *r = arg;
	struct fwd_link *l = r->l;
	char why[PATH_MAX + 256], tmp[NAME_MAX + 128];

	(void)c;
	l->inflight--;
	if (r->slot >= 0) {
		l->shm->busy[r->slot] = 0;
		/* No answer: the target may still hold the slot (status 1). */
		if (res->err && res->err != -EREMOTEIO)
			l->shm->stale[r->slot] = 1;
	}
	switch (res->err) {
	case 0:
		if (l->mode == FWD_MODE_SHM)
			done_shm(r);
		else
			done_inline(r, res->ret);
		break;
	case -EREMOTEIO:
		l->st.peer_errors++;
		snprintf(why, sizeof(why), "target %s: %s: %s", l->peer->addr,
			 res->cls ? res->cls : "?", res->desc ? res->desc : "");
		/* A buffer truncated or unlinked under us (even if restored since,
		 * which zeroed the slot): the path is broken, not the request, so
		 * the FM may retry once it is restored. */
		fail(r, res->cls && !strcmp(res->cls, "CommandNotFound") ? CXL_RC_UNSUPPORTED :
			l->mode == FWD_MODE_SHM && (shm_check(l->shm, tmp, sizeof(tmp)) ||
						    shm_resizes(l->shm) != r->resizes) ?
			CXL_RC_RETRY_REQUIRED : CXL_RC_INTERNAL_ERROR, why);
		break;
	case -ECANCELED:
		r->done(r->arg, NULL, 0);
		free(r);
		return; /* shutting down: nothing more to pump */
	default:
		if (res->err == -ETIMEDOUT)
			l->st.timeouts++;
		snprintf(why, sizeof(why), "target %s: %s", l->peer->addr, strerror(-res->err));
		fail(r, CXL_RC_RETRY_REQUIRED, why);
		break;
	}
	pump(l);
}

/*
 * A slot is free when none of our requests holds it and the target is not
 * still working on it: one whose request timed out stays posted (status 1)
 * until the target completes it or a new target session begins, and is
 * skipped until then. The FM host owns the slots it posts: one that is
 * posted with none of our requests in it was written by someone else (or
 * left by an FM host before us) and is taken back. Returns the slot, -1
 * when none is free, -EFAULT when the buffer faulted (why says why).
 */
static int slot_take(struct fwd_link *l, char *why, size_t len)
{
	struct fwd_shm *s = l->shm;

	for (unsigned i = 0; i < s->slots && i < l->slots; i++) {
		struct slot_io io = { 0 };
		int err;

		if (s->busy[i])
			continue;
		err = slot_io(s, i, io_status, &io, why, len);
		if (err)
			return err;
		if (io.status == FWD_STATUS_POSTED) {
			if (s->stale[i])
				continue;
			log_info("fwd %s: slot %u of %s is posted by no request of ours; taken back",
				 l->name, i, s->name);
		}
		s->busy[i] = 1;
		s->stale[i] = 0;
		return (int)i;
	}
	return -1;
}

static int start(struct fwd_req *r, char *why, size_t len)
{
	struct fwd_link *l = r->l;
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, "cci-name", json_object_new_string(l->cci_name));
	if (l->mode == FWD_MODE_SHM) {
		struct slot_io io = { .opcode = r->hdr.opcode, .pl = r->payload,
				      .len = r->hdr.pl_len };
		int err;

		r->resizes = shm_resizes(l->shm);
		err = slot_io(l->shm, (unsigned)r->slot, io_post, &io, why, len);

		if (err) {
			json_object_put(args);
			return err;
		}
		if (l->slots > 1) /* N = 1 is the RFC's command, byte for byte */
			json_object_object_add(args, "slot", json_object_new_int(r->slot));
	} else {
		char b64[BASE64_LEN(FWD_INLINE_MAX) + 1];

		base64_encode(r->payload, r->hdr.pl_len, b64);
		json_object_object_add(args, "opcode", json_object_new_int(r->hdr.opcode));
		json_object_object_add(args, "payload", json_object_new_string(b64));
	}
	return qmp_client_execute(l->peer->qc, "cxl-process-mctp-message", args,
				  l->timeout_ms, on_result, r);
}

static struct fwd_req *dequeue(struct fwd_link *l)
{
	struct fwd_req *r = l->queue;

	l->queue = r->next;
	if (!l->queue)
		l->tail = &l->queue;
	return r;
}

/* Requests that waited a whole timeout for a slot get their failure answer. */
static void queue_expire(struct loop *loop, void *arg)
{
	struct fwd_link *l = arg;
	uint64_t now = loop_now(loop);

	while (l->queue && l->queue->deadline_ns <= now) {
		l->st.timeouts++;
		fail(dequeue(l), CXL_RC_RETRY_REQUIRED, "no free buffer slot in time");
	}
	arm_queue_timer(l);
}

/* Keep the queue's deadline timer on its oldest request. */
static void arm_queue_timer(struct fwd_link *l)
{
	uint64_t now = loop_now(l->fm->loop);

	if (l->queue && !loop_timer_armed(l->queue_timer))
		loop_timer_arm(l->queue_timer,
			       l->queue->deadline_ns > now ? l->queue->deadline_ns - now : 0);
}

static void pump(struct fwd_link *l)
{
	while (l->queue) {
		struct fwd_req *r = l->queue;
		char why[512];
		int err;

		r->slot = -1;
		if (l->mode == FWD_MODE_SHM) {
			err = shm_get(l, why, sizeof(why));
			if (err == -EBUSY) {
				arm_queue_timer(l); /* a new buffer once ours are answered */
				return;
			}
			if (!err)
				err = slot_take(l, why, sizeof(why));
			if (err == -EFAULT) { /* truncated: logged once */
				shm_broken(l->shm, why);
				l->st.bad_buffer++;
				fail(dequeue(l), CXL_RC_RETRY_REQUIRED, NULL);
				continue;
			}
			if (err < -1) {
				snprintf(why, sizeof(why), "buffer %s: %s (is the target host up?)",
					 l->buf_name, strerror(-err));
				fail(dequeue(l), CXL_RC_RETRY_REQUIRED, why);
				continue;
			}
			r->slot = err;
			if (r->slot < 0 && !l->peer->ready) {
				/* Slots held by a target that went away never free
				 * up: fail now rather than wait behind them. */
				fail(dequeue(l), CXL_RC_RETRY_REQUIRED, "target host is down");
				continue;
			}
		}
		if (r->slot < 0 && (l->mode == FWD_MODE_SHM || l->inflight >= FWD_INLINE_INFLIGHT)) {
			arm_queue_timer(l); /* wait for a slot, but not past the timeout */
			return;
		}
		dequeue(l);
		err = start(r, why, sizeof(why));
		if (err) {
			if (r->slot >= 0)
				l->shm->busy[r->slot] = 0;
			if (err == -EFAULT) {
				shm_broken(l->shm, why);
				l->st.bad_buffer++;
			}
			fail(r, err == -EFAULT ? CXL_RC_RETRY_REQUIRED : CXL_RC_INTERNAL_ERROR,
			     err == -EFAULT ? NULL : strerror(-err));
			continue;
		}
		l->inflight++;
	}
	loop_timer_cancel(l->queue_timer);
}

int fwd_link_submit(struct fwd_link *l, const struct cci_hdr *req, const uint8_t *payload,
		    fwd_done_fn done, void *arg)
{
	size_t max = l->mode == FWD_MODE_SHM ? FWD_PAYLOAD_MAX : FWD_INLINE_MAX;
	struct fwd_req *r;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->l = l;
	r->hdr = *req;
	r->done = done;
	r->arg = arg;
	l->st.requests++;
	if (req->pl_len > max) {
		/* The RFC buffer holds 512 payload bytes, as the MCTP CCI does. */
		finish(r, CXL_RC_INVALID_PAYLOAD_LENGTH, NULL, 0);
		return 0;
	}
	memcpy(r->payload, payload, req->pl_len);
	r->deadline_ns = loop_now(l->fm->loop) + (uint64_t)l->timeout_ms * 1000000u;
	if (l->queue)
		l->st.queued++;
	*l->tail = r;
	l->tail = &r->next;
	pump(l);
	return 0;
}

/* ---------------- target side ---------------- */

struct fwd_entry {
	struct cci *cci;
	char buf_name[FWD_NAME_MAX];
	unsigned slots;
	bool create;
	struct fwd_shm *shm;
	bool shm_shared; /* another entry owns the mapping */
};

struct fwd_target {
	struct loop *loop;
	struct qmp_server *s;
	struct fwd_entry *e;
	size_t n;
	int ino_fd;              /* watches the buffers we own (-1: none) */
	struct loop_watch *ino_w;
};

static const struct qmp_arg process_args[] = {
	{ .name = "cci-name", .type = QMP_T_STR, .doc = "\"<sn>:oob_mctp_cci\" or a switch's CCI" },
	{ .name = "slot", .type = QMP_T_UINT32, .optional = true,
	  .doc = "extension: the slot of a multi-slot buffer (default 0)" },
	{ .name = "opcode", .type = QMP_T_UINT16, .optional = true,
	  .doc = "extension, inline mode: the command" },
	{ .name = "payload", .type = QMP_T_STR, .optional = true,
	  .doc = "extension, inline mode: the request payload, base64" },
	{ 0 },
};

static struct fwd_entry *entry_find(struct fwd_target *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].cci->name, name))
			return &t->e[i];
	return NULL;
}

static int entry_shm(struct fwd_target *t, struct fwd_entry *e)
{
	char name[NAME_MAX];

	if (e->shm)
		return 0;
	shm_norm(e->buf_name, name, sizeof(name));
	for (size_t i = 0; i < t->n; i++)
		if (&t->e[i] != e && t->e[i].shm && !t->e[i].shm_shared &&
		    !strcmp(t->e[i].shm->name, name)) {
			e->shm = t->e[i].shm;
			e->shm_shared = true;
			return 0;
		}
	return fwd_shm_open(name, e->slots, e->create, &e->shm);
}

/*
 * After a request found nothing valid in its slot, or faulted: what became
 * of the buffer. The owner puts a truncated or unlinked one right; another
 * target maps an unlinked name afresh. 1 when something was put right (look
 * again), 0 when the object is as mapped, -errno when it is unusable (why
 * says so, logged once). Per request this costs nothing: the owner's watch
 * repairs at once, the FM host checks its own view (fstat) before posting.
 */
static int buf_fix(struct fwd_shm *s, char *why, size_t len)
{
	int err = shm_check(s, why, len);

	if (!err)
		return 0;
	if (s->owner)
		err = shm_heal(s);
	else if (err == -ENOENT)
		err = shm_remap(s);
	if (!err)
		return 1;
	shm_broken(s, why);
	return err;
}

static void cmd_process(struct qmp_req *req, struct json_object *a, void *arg)
{
	struct fwd_target *t = arg;
	struct json_object *v;
	const char *name = json_object_get_string(json_object_object_get(a, "cci-name"));
	struct fwd_entry *e = entry_find(t, name);
	uint8_t out[FWD_INLINE_MAX];
	char why[NAME_MAX + 128];
	struct slot_io io = { 0 };
	size_t out_len;
	struct fwd_msg m;
	unsigned slot = 0;
	uint16_t rc;
	int err;

	if (!e) {
		qmp_reply_error(req, "GenericError", "No CCI named '%s' accepts FM messages", name);
		return;
	}
	if (json_object_object_get_ex(a, "payload", &v)) {
		uint8_t in[FWD_INLINE_MAX];
		char b64[BASE64_LEN(FWD_INLINE_MAX) + 1];
		struct json_object *op, *ret;
		int n;

		if (!json_object_object_get_ex(a, "opcode", &op)) {
			qmp_reply_error(req, "GenericError", "Parameter 'opcode' is missing");
			return;
		}
		n = base64_decode(json_object_get_string(v), in, sizeof(in));
		if (n < 0) {
			qmp_reply_error(req, "GenericError", "Parameter 'payload' is not base64 of "
					"at most %u bytes", FWD_INLINE_MAX);
			return;
		}
		rc = fwd_run(e->cci, (uint16_t)json_object_get_int(op), in, (size_t)n, out,
			     &out_len, sizeof(out));
		base64_encode(out, out_len, b64);
		ret = json_object_new_object();
		json_object_object_add(ret, "ret-val", json_object_new_int(rc));
		json_object_object_add(ret, "bg-started", json_object_new_boolean(rc == CXL_RC_BG_STARTED));
		json_object_object_add(ret, "payload", json_object_new_string(b64));
		qmp_reply_return(req, ret);
		return;
	}
	if (json_object_object_get_ex(a, "slot", &v))
		slot = (unsigned)json_object_get_int64(v);
	err = entry_shm(t, e);
	if (err) {
		qmp_reply_error(req, "GenericError", "MCTP message buffer %s: %s", e->buf_name,
				strerror(-err));
		return;
	}
	if (slot >= e->shm->slots) {
		qmp_reply_error(req, "GenericError", "Slot %u out of range (buffer %s has %u)",
				slot, e->shm->name, e->shm->slots);
		return;
	}
	io.m = &m;
	err = slot_io(e->shm, slot, io_read_req, &io, why, sizeof(why));
	if (err) {
		int fix = buf_fix(e->shm, why, sizeof(why));

		if (fix == 1)
			err = slot_io(e->shm, slot, io_read_req, &io, why, sizeof(why));
		if (fix < 0 || err == -EFAULT) {
			qmp_reply_error(req, "GenericError", "MCTP message buffer unusable: %s",
					why);
			return;
		}
	}
	if (err) {
		/* The peer's buffer is untrusted: refuse, say why, keep serving. */
		log_warn("fwd %s slot %u: bad request in %s: %s", name, slot, e->shm->name,
			 err == -EAGAIN ? "nothing posted" : strerror(-err));
		qmp_reply_error(req, "GenericError", "Slot %u of %s holds no valid request: %s",
				slot, e->shm->name,
				err == -EAGAIN ? "status is not 1" :
				err == -EMSGSIZE ? "len_in exceeds 512" : "corrupt status word");
		return;
	}
	rc = fwd_run(e->cci, m.opcode, m.payload, m.len, out, &out_len, FWD_PAYLOAD_MAX);
	io = (struct slot_io){ .rc = rc, .bg = rc == CXL_RC_BG_STARTED, .pl = out, .len = out_len };
	if (slot_io(e->shm, slot, io_complete, &io, why, sizeof(why)) == -EFAULT) {
		buf_fix(e->shm, why, sizeof(why));
		qmp_reply_error(req, "GenericError", "Command 0x%04x ran, its response could not "
				"be written: %s", m.opcode, why);
		return;
	}
	qmp_reply_return(req, json_object_new_object());
}

static const struct qmp_cmd process_cmd = {
	"cxl-process-mctp-message", cmd_process, process_args,
	"Run an FM message waiting in the shared buffer (RFC) or carried inline", 0,
};

/*
 * The owner of a buffer restores it as soon as another process truncates
 * or unlinks it (inotify on the directory of POSIX shared memory, where
 * glibc's shm_open keeps "/name"), so an FM host that maps it later (one
 * restarted after an unlink, say) finds it without waiting for a request.
 */

static void heal_all(struct fwd_target *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++) {
		struct fwd_shm *s = t->e[i].shm;

		if (s && !t->e[i].shm_shared && s->owner && (!name || !strcmp(s->name + 1, name)))
			shm_heal(s);
	}
}

static void on_shm_event(struct loop_watch *w, int fd, unsigned events, void *arg)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct fwd_target *t = arg;
	ssize_t n;

	(void)w;
	(void)events;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (size_t at = 0; at + sizeof(struct inotify_event) <= (size_t)n;) {
			const struct inotify_event *ev = (const void *)(buf + at);

			if (ev->mask & IN_Q_OVERFLOW)
				heal_all(t, NULL); /* events were lost: look at each */
			else if (ev->len)
				heal_all(t, ev->name);
			at += sizeof(*ev) + ev->len;
		}
	}
}

static void watch_start(struct fwd_target *t)
{
	int err = 0;

	if (t->ino_fd >= 0 || !t->loop)
		return;
	t->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (t->ino_fd < 0 ||
	    inotify_add_watch(t->ino_fd, FWD_SHM_DIR, IN_MODIFY | IN_DELETE | IN_MOVED_FROM) < 0)
		err = -errno;
	else
		err = loop_watch_add(t->loop, t->ino_fd, LOOP_READ, on_shm_event, t, &t->ino_w);
	if (err) {
		/* the next request still finds and repairs the damage */
		log_info("fwd: cannot watch %s (%s): buffers are checked per request",
			 FWD_SHM_DIR, strerror(-err));
		if (t->ino_fd >= 0)
			close(t->ino_fd);
		t->ino_fd = -1;
	}
}

int fwd_target_new(struct loop *loop, struct qmp_server *s, struct fwd_target **out)
{
	struct fwd_target *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	t->loop = loop;
	t->ino_fd = -1;
	t->s = s;
	err = qmp_server_register(s, &process_cmd, t);
	if (err) {
		free(t);
		return err;
	}
	*out = t;
	return 0;
}

void fwd_target_free(struct fwd_target *t)
{
	if (!t)
		return;
	loop_watch_del(t->ino_w);
	if (t->ino_fd >= 0)
		close(t->ino_fd);
	for (size_t i = 0; i < t->n; i++)
		if (!t->e[i].shm_shared)
			fwd_shm_close(t->e[i].shm);
	free(t->e);
	free(t);
}

void fwd_target_del(struct fwd_target *t, const struct cci *cci)
{
	for (size_t i = 0; i < t->n; i++) {
		struct fwd_entry *e = &t->e[i];

		if (e->cci != cci)
			continue;
		/* a mapping this entry owns goes to an entry sharing it, if any */
		for (size_t k = 0; e->shm && !e->shm_shared && k < t->n; k++) {
			if (k != i && t->e[k].shm == e->shm) {
				t->e[k].shm_shared = false;
				e->shm_shared = true;
			}
		}
		if (e->shm && !e->shm_shared)
			fwd_shm_close(e->shm);
		memmove(e, e + 1, (t->n - i - 1) * sizeof(*e));
		t->n--;
		return;
	}
}

int fwd_target_add(struct fwd_target *t, struct cci *cci, const char *buf_name,
		   unsigned slots, bool create)
{
	struct fwd_entry *e = realloc(t->e, (t->n + 1) * sizeof(*e));
	int err = 0;

	if (!e)
		return -ENOMEM;
	t->e = e;
	e = &t->e[t->n];
	memset(e, 0, sizeof(*e));
	e->cci = cci;
	snprintf(e->buf_name, sizeof(e->buf_name), "%s", buf_name ? buf_name : FWD_DEFAULT_BUF);
	e->slots = slots ? slots : 1;
	e->create = create;
	t->n++;
	/* The creating side makes the buffer now; the other opens it when asked. */
	if (create)
		err = entry_shm(t, e);
	if (err)
		t->n--;
	else if (create)
		watch_start(t);
	return err;
}
