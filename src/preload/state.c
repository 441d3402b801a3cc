/* SPDX-License-Identifier: MIT */
/*
 * The shim's process-wide side: configuration from the environment, the bus
 * connection (libcxlfm as bus owner), EID routes, the one background thread
 * and the delivery of messages into sockets. Everything here runs under
 * preload_lock(); libcxlfm's callbacks run from cxlfm_process() with it held.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "cxlfm/cxlfm.h"
#include "preload/preload.h"
#include "proto/mctp.h"
#include "proto/mctp_i2c.h"

#define MAX_PINS 64
#define TICK_MS 100          /* expiry granularity while requests are out */
#define CLAIM_WAIT_MS 200    /* an address claim that is not echoed by then failed */
#define CLAIM_TRIES 16       /* default addresses tried: 0x10 .. 0x1f */
#define DISCOVER_TIMEOUT_MS 2000
#define KEY_LIFETIME_MS 6000 /* net/mctp/route.c mctp_key_lifetime */
#define BUS_SNDTIMEO_MS 1000 /* a bus that does not read fails sends, not hangs */

struct pin {
	uint8_t eid, addr;
};

struct cfg {
	char bus[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint8_t addr;
	bool addr_set;
	uint8_t own_eid;
	bool own_eid_set;
	struct pin pins[MAX_PINS];
	size_t npins;
	unsigned lifetime_ms;
};

static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static atomic_int debug_level = -1; /* CXLFM_PRELOAD_DEBUG: 1 = ours, 2 = libcxlfm's details too */

static struct {
	bool init;
	int cfg_err;               /* a bad environment: every socket() fails with it */
	struct cfg cfg;
	struct cxlfm_ctx *ctx;     /* NULL: not connected */
	uint8_t own_addr, own_eid;
	int wake;                  /* eventfd: wakes the thread */
	bool thread, idle;         /* idle: the thread waits without a timeout */
	bool forked;               /* we are a fork()ed child: no bus */
	struct preload_sock *socks;
	uintptr_t next_id;
	uint64_t bind_seq;
	uint8_t neigh[256];        /* EID -> I2C address of controllers that asked us */
} st;

void preload_lock(void)
{
	pthread_mutex_lock(&lock);
}

void preload_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

__attribute__((format(printf, 1, 0)))
static void vlog(const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	dprintf(2, PRELOAD_NAME ": %s\n", buf);
}

void preload_debug(const char *fmt, ...)
{
	va_list ap;

	if (atomic_load(&debug_level) < 0) { /* before the first AF_MCTP socket */
		const char *v = getenv("CXLFM_PRELOAD_DEBUG");

		atomic_store(&debug_level, v && *v ? atoi(v) : 0);
	}
	if (!atomic_load(&debug_level))
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void preload_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

uint8_t preload_own_eid(void)
{
	return st.own_eid;
}

/* ---- configuration ---- */

static bool parse_u8(const char *s, unsigned max, uint8_t *out, const char **end)
{
	char *e;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &e, 0);
	if (e == s || errno || v > max || *s == '-' || *s == '+')
		return false;
	*out = (uint8_t)v;
	if (end)
		*end = e;
	else if (*e)
		return false;
	return true;
}

/* CXLFM_EIDS=eid:addr[,eid:addr...], numbers in C notation. */
static int parse_pins(const char *s, struct cfg *c)
{
	while (*s) {
		struct pin p;
		const char *e;

		if (c->npins == MAX_PINS || !parse_u8(s, 0xff, &p.eid, &e) || *e != ':' ||
		    !parse_u8(e + 1, 0x7f, &p.addr, &e) || (*e && *e != ','))
			return -EINVAL;
		if (p.eid < MCTP_EID_FIRST_ASSIGNABLE || p.eid == MCTP_EID_BROADCAST || !p.addr)
			return -EINVAL;
		for (size_t i = 0; i < c->npins; i++)
			if (c->pins[i].eid == p.eid || c->pins[i].addr == p.addr)
				return -EINVAL;
		c->pins[c->npins++] = p;
		s = *e ? e + 1 : e;
	}
	return 0;
}

static int parse_env(struct cfg *c)
{
	const char *v;

	memset(c, 0, sizeof(*c));
	c->addr = CXLFM_DEFAULT_ADDR;
	c->lifetime_ms = KEY_LIFETIME_MS;
	v = getenv("CXLFM_PRELOAD_DEBUG");
	atomic_store(&debug_level, v && *v ? atoi(v) : 0);
	v = getenv("CXLFM_BUS");
	if (v && *v) {
		if (strlen(v) >= sizeof(c->bus)) {
			preload_error("CXLFM_BUS: path too long");
			return -EINVAL;
		}
		strcpy(c->bus, v);
	}
	v = getenv("CXLFM_ADDR");
	if (v && *v) {
		if (!parse_u8(v, 0x7f, &c->addr, NULL) || !c->addr) {
			preload_error("CXLFM_ADDR=%s: want a 7-bit I2C address (1-0x7f)", v);
			return -EINVAL;
		}
		c->addr_set = true;
	}
	v = getenv("CXLFM_LOCAL_EID");
	if (v && *v) {
		if (!parse_u8(v, 0xfe, &c->own_eid, NULL) || c->own_eid < MCTP_EID_FIRST_ASSIGNABLE) {
			preload_error("CXLFM_LOCAL_EID=%s: want an EID 0x08-0xfe", v);
			return -EINVAL;
		}
		c->own_eid_set = true;
	}
	v = getenv("CXLFM_TIMEOUT_MS");
	if (v && *v) {
		char *e;
		unsigned long ms = strtoul(v, &e, 0);

		if (*e || !ms || ms > 600000) {
			preload_error("CXLFM_TIMEOUT_MS=%s: want 1-600000", v);
			return -EINVAL;
		}
		c->lifetime_ms = (unsigned)ms;
	}
	v = getenv("CXLFM_EIDS");
	if (v && *v && parse_pins(v, c)) {
		preload_error("CXLFM_EIDS=%s: want EID:ADDR[,EID:ADDR...] with distinct EIDs "
			      "0x08-0xfe and I2C addresses 1-0x7f", v);
		return -EINVAL;
	}
	for (size_t i = 0; c->own_eid_set && i < c->npins; i++)
		if (c->pins[i].eid == c->own_eid) {
			preload_error("CXLFM_LOCAL_EID 0x%02x is also in CXLFM_EIDS", c->own_eid);
			return -EINVAL;
		}
	return 0;
}

/* Our EID: CXLFM_LOCAL_EID, else 8 (libcxlfm's), else the next one no pin has. */
static uint8_t pick_own_eid(const struct cfg *c)
{
	uint8_t eid = c->own_eid_set ? c->own_eid : CXLFM_DEFAULT_EID;
	bool clash = true;

	while (!c->own_eid_set && clash) {
		clash = false;
		for (size_t i = 0; i < c->npins; i++)
			if (c->pins[i].eid == eid) {
				clash = true;
				eid++;
			}
	}
	return eid;
}

/* ---- the bus connection ---- */

/*
 * The one running cxl-emu bus under the default run directories: those of
 * $XDG_RUNTIME_DIR/cxl-emu/, else (none running there) /tmp/cxl-emu-UID/,
 * where cxl-emu puts them without XDG_RUNTIME_DIR.
 */
static int find_bus(char *out, size_t len)
{
	char found[2][CXLFM_BUS_PATH_MAX];
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	size_t in_xdg, n = cxlfm_bus_scan(found, 2, &in_xdg);

	if (in_xdg)
		n = in_xdg; /* those come first */
	if (n == 1) {
		snprintf(out, len, "%s", found[0]);
		return 0;
	}
	if (n)
		preload_error("several cxl-emu buses are running (%s, %s ...): set CXLFM_BUS",
			      found[0], found[1]);
	else
		preload_error("no running cxl-emu bus found under %s%s%s/tmp/cxl-emu-%u/*/: "
			      "set CXLFM_BUS", xdg && *xdg ? xdg : "",
			      xdg && *xdg ? "/cxl-emu/*/*.sock" : "", xdg && *xdg ? " or " : "",
			      (unsigned)getuid());
	return -ENOENT;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Claim a controller address: the bus gives a controller the source address
 * of its first frame unless an endpoint or another controller holds it, and
 * then delivers a frame to that address back to us. A frame to ourselves
 * that comes back is the proof; one that does not was dropped.
 */
static int claim(int fd, uint8_t addr)
{
	struct mctp_hdr h = { .ver = MCTP_HDR_VERSION, .som = true, .eom = true };
	uint8_t pkt[MCTP_HDR_LEN + 1] = { 0 }, frame[32], buf[512];
	long deadline = now_ms() + CLAIM_WAIT_MS;
	int n;

	mctp_hdr_encode(&h, pkt, sizeof(pkt));
	n = mctp_i2c_encode(addr, addr, pkt, sizeof(pkt), frame, sizeof(frame));
	if (n < 0)
		return n;
	if (send(fd, frame, (size_t)n, MSG_NOSIGNAL) < 0)
		return -errno;
	for (long left; (left = deadline - now_ms()) > 0;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t got;

		if (poll(&p, 1, (int)left) <= 0)
			continue;
		got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
			return got ? -errno : -ECONNRESET;
		if (got == n && !memcmp(buf, frame, (size_t)n))
			return 0;
	}
	return -EADDRINUSE;
}

static void lib_log(int level, const char *msg, void *arg)
{
	(void)arg;
	(void)level; /* the context's log level filters (bus_connect) */
	preload_debug("libcxlfm: %s", msg);
}

static void on_request(struct cxlfm_ctx *ctx, int rc, const struct cxlfm_msg_in *m, void *arg);

static int bus_connect(struct cxlfm_ctx **out)
{
	const struct cfg *c = &st.cfg;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = BUS_SNDTIMEO_MS / 1000,
			      .tv_usec = (BUS_SNDTIMEO_MS % 1000) * 1000 };
	struct cxlfm_opts o = { .size = sizeof(o), .own_eid = pick_own_eid(c), .timeout_ms = DISCOVER_TIMEOUT_MS };
	struct cxlfm_ctx *ctx;
	char found[sizeof(sa.sun_path)];
	const char *path = c->bus;
	int fd, err = -EADDRINUSE, n;

	if (!*path) {
		err = find_bus(found, sizeof(found));
		if (err)
			return err;
		path = found;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		preload_error("bus %s: %s", path, strerror(-err));
		close(fd);
		return err;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	for (unsigned i = 0; i < (c->addr_set ? 1u : CLAIM_TRIES) && err == -EADDRINUSE; i++) {
		o.own_addr = (uint8_t)(c->addr + i);
		if (o.own_addr > 0x7f)
			break;
		err = claim(fd, o.own_addr);
	}
	if (err) {
		preload_error("bus %s: no controller address of our own (%s%s)", path,
			      strerror(-err), err == -EADDRINUSE ? "; set CXLFM_ADDR" : "");
		close(fd);
		return err;
	}
	err = cxlfm_open_fd(fd, &o, &ctx);
	if (err) {
		close(fd);
		return err;
	}
	cxlfm_set_log(ctx, lib_log, NULL);
	if (atomic_load(&debug_level) >= 2) /* every NACK of a scan too */
		cxlfm_set_log_level(ctx, CXLFM_LOG_DEBUG);
	if (c->npins) {
		for (size_t i = 0; i < c->npins; i++) {
			struct cxlfm_ep *ep;

			err = cxlfm_ep_pin_eid(ctx, c->pins[i].addr, c->pins[i].eid, &ep);
			if (err == -ECONNRESET || err == -EPIPE)
				break;
			if (err)
				preload_debug("EID 0x%02x -> I2C 0x%02x: not assigned (%s), kept",
					      c->pins[i].eid, c->pins[i].addr, strerror(-err));
			err = 0;
		}
		n = err ? err : (int)cxlfm_ep_count(ctx);
	} else {
		n = cxlfm_discover(ctx);
	}
	if (n < 0) {
		preload_error("bus %s: %s", path, strerror(-n));
		cxlfm_close(ctx);
		return n;
	}
	preload_debug("bus %s: controller 0x%02x, EID 0x%02x, %d endpoint(s)", path,
		      o.own_addr, o.own_eid, n);
	for (int i = 0; i < n; i++) {
		struct cxlfm_ep *ep = cxlfm_ep_at(ctx, (size_t)i);

		preload_debug("  EID 0x%02x -> I2C 0x%02x", cxlfm_ep_eid(ep), cxlfm_ep_addr(ep));
	}
	cxlfm_set_timeout(ctx, c->lifetime_ms);
	cxlfm_set_request_handler(ctx, on_request, NULL);
	st.own_addr = o.own_addr;
	st.own_eid = o.own_eid;
	memset(st.neigh, 0, sizeof(st.neigh));
	*out = ctx;
	return 0;
}

static void wake_thread(void)
{
	if (st.thread)
		eventfd_write(st.wake, 1);
}

static void bus_close(const char *why)
{
	if (!st.ctx)
		return;
	if (why)
		preload_error("bus connection lost (%s)", why);
	cxlfm_close(st.ctx); /* requests out end with -ECANCELED: no delivery */
	st.ctx = NULL;
}

/* ---- the thread ---- */

static void *bus_thread(void *arg)
{
	(void)arg;
	preload_lock();
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = st.wake, .events = POLLIN },
			{ .fd = st.ctx ? cxlfm_fd(st.ctx) : -1, .events = POLLIN },
		};
		int timeout = st.ctx && cxlfm_pending(st.ctx) ? TICK_MS : -1;
		eventfd_t v;

		st.idle = timeout < 0;
		preload_unlock();
		poll(p, 2, timeout);
		preload_lock();
		st.idle = false;
		if (p[0].revents & POLLIN)
			eventfd_read(st.wake, &v);
		if (st.ctx && cxlfm_fd(st.ctx) == p[1].fd) {
			int rc = cxlfm_process(st.ctx, 0);

			if (rc < 0)
				bus_close(strerror(-rc));
		}
	}
	return NULL;
}

static int start_thread(void)
{
	sigset_t all, old;
	pthread_t t;
	int err;

	/* Signals stay with the program's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&t, NULL, bus_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	pthread_detach(t);
	pthread_setname_np(t, "cxlfm-mctp");
	st.thread = true;
	return 0;
}

/* ---- fork ---- */

static void fork_prepare(void)
{
	preload_lock();
}

static void fork_parent(void)
{
	preload_unlock();
}

/*
 * The child shares the bus connection and has no thread: it must not touch
 * either. Its AF_MCTP calls fail with ENETDOWN (docs/preload.md).
 */
static void fork_child(void)
{
	pthread_mutexattr_t a;

	/* The lock is held by the parent's thread id: a new one, held. */
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&lock, &a);
	pthread_mutexattr_destroy(&a);
	preload_lock();
	if (st.ctx) {
		cxlfm_close(st.ctx); /* closes the child's copy of the fd only */
		st.ctx = NULL;
	}
	st.thread = false;
	st.forked = st.init;
	preload_memdev_forked();
	preload_unlock();
}

static void register_atfork(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void preload_atfork_once(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, register_atfork);
}

static int state_init(void)
{
	st.init = true;
	st.cfg_err = parse_env(&st.cfg);
	if (st.cfg_err)
		return st.cfg_err;
	st.wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (st.wake < 0) {
		st.init = false;
		return -errno;
	}
	preload_atfork_once();
	return 0;
}

int preload_bus_up(void)
{
	struct cxlfm_ctx *ctx;
	int err;

	if (!st.init && (err = state_init()))
		return err;
	if (st.cfg_err)
		return st.cfg_err;
	if (st.forked)
		return -ENETDOWN;
	if (st.ctx)
		return 0;
	err = bus_connect(&ctx);
	if (err)
		return err;
	st.ctx = ctx;
	if (!st.thread && (err = start_thread())) {
		bus_close(NULL);
		return err;
	}
	wake_thread();
	return 0;
}

/* ---- sockets ---- */

int preload_sock_new(int nonblock, int cloexec)
{
	struct preload_sock *s;
	struct stat sb;
	int sv[2], err;

	if (preload_real_socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	s = calloc(1, sizeof(*s));
	if (!s || preload_real_fstat(sv[0], &sb) || fcntl(sv[1], F_SETFL, O_NONBLOCK) ||
	    (!cloexec && fcntl(sv[0], F_SETFD, 0)) ||
	    (nonblock && fcntl(sv[0], F_SETFL, O_NONBLOCK))) {
		err = s ? -errno : -ENOMEM;
		free(s);
		preload_real_close(sv[0]);
		preload_real_close(sv[1]);
		return err;
	}
	s->id = ++st.next_id;
	s->peer = sv[1];
	s->dev = sb.st_dev;
	s->ino = sb.st_ino;
	s->next = st.socks;
	st.socks = s;
	err = preload_fd_map(sv[0], s);
	if (err) {
		preload_sock_unref(s); /* refs 0: unlinks, closes the peer end */
		preload_real_close(sv[0]);
		return err;
	}
	return sv[0];
}

void preload_sock_unref(struct preload_sock *s)
{
	if (s->refs > 1) {
		s->refs--;
		return;
	}
	for (struct preload_sock **p = &st.socks; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	/* Answers still on their way find no socket by s->id and are dropped;
	 * tags stay held until they come or expire, as the kernel's keys. */
	preload_real_close(s->peer);
	free(s);
}

static struct preload_sock *sock_by_id(uintptr_t id)
{
	for (struct preload_sock *s = st.socks; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

void preload_bind_next(struct preload_sock *s)
{
	s->bind_seq = ++st.bind_seq;
}

static void deliver(struct preload_sock *s, const struct preload_dgram *h,
		    const uint8_t *msg, size_t len)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)h, .iov_len = sizeof(*h) },
		{ .iov_base = (void *)msg, .iov_len = len },
	};
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

	/* A socket whose queue is full loses the message, as a full
	 * socket receive buffer does in the kernel. */
	if (preload_real_sendmsg(s->peer, &m, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		preload_debug("socket %lu: %zu-byte message from EID 0x%02x dropped (%s)",
			      (unsigned long)s->id, len, h->eid, strerror(errno));
}

static void on_response(struct cxlfm_ctx *ctx, int rc, const struct cxlfm_msg_in *m,
			void *arg)
{
	struct preload_sock *s = sock_by_id((uintptr_t)arg);
	struct preload_dgram h;

	(void)ctx;
	if (rc < 0) { /* the kernel drops these silently too: no answer comes */
		preload_debug("EID 0x%02x tag %u: no response (%s)", m->src_eid, m->tag,
			      strerror(-rc));
		return;
	}
	if (!s) {
		preload_debug("EID 0x%02x tag %u: response for a closed socket dropped",
			      m->src_eid, m->tag);
		return;
	}
	h = (struct preload_dgram){ .net = PRELOAD_NET_DEFAULT, .eid = m->src_eid,
				    .type = m->msg_type, .tag = m->tag, .haddr = m->src_addr };
	deliver(s, &h, m->msg, m->len);
}

/*
 * A request from another bus controller: to the socket bound to its type
 * (net/mctp/route.c mctp_lookup_bind()), newest bind first.
 */
static void on_request(struct cxlfm_ctx *ctx, int rc, const struct cxlfm_msg_in *m,
		       void *arg)
{
	struct preload_sock *best = NULL;
	struct preload_dgram h;

	(void)ctx;
	(void)arg;
	if (rc < 0)
		return;
	if (m->dest_eid != st.own_eid && m->dest_eid != PRELOAD_ADDR_NULL &&
	    m->dest_eid != PRELOAD_ADDR_ANY) {
		preload_debug("request for EID 0x%02x (not ours) dropped", m->dest_eid);
		return;
	}
	if (mctp_eid_assignable(m->src_eid))
		st.neigh[m->src_eid] = m->src_addr; /* where to send the answer */
	for (struct preload_sock *s = st.socks; s; s = s->next) {
		if (!s->bound || (s->bind_net != PRELOAD_NET_ANY && s->bind_net != PRELOAD_NET_DEFAULT) ||
		    s->bind_type != (m->msg_type & MCTP_MSG_TYPE_MASK) ||
		    (s->bind_eid != PRELOAD_ADDR_ANY && s->bind_eid != m->dest_eid))
			continue;
		if (!best || s->bind_seq > best->bind_seq)
			best = s;
	}
	if (!best) {
		preload_debug("request of type 0x%02x from EID 0x%02x: no socket bound, dropped",
			      m->msg_type, m->src_eid);
		return;
	}
	h = (struct preload_dgram){ .net = PRELOAD_NET_DEFAULT, .eid = m->src_eid,
				    .type = m->msg_type,
				    .tag = (uint8_t)(m->tag | PRELOAD_TAG_OWNER),
				    .haddr = m->src_addr };
	deliver(best, &h, m->msg, m->len);
}

static struct cxlfm_ep *ep_at_addr(uint8_t addr)
{
	size_t n = cxlfm_ep_count(st.ctx);

	for (size_t i = 0; i < n; i++) {
		struct cxlfm_ep *ep = cxlfm_ep_at(st.ctx, i);

		if (cxlfm_ep_addr(ep) == addr)
			return ep;
	}
	return NULL;
}

int preload_route_send(struct preload_sock *s, const struct preload_addr *a,
		       const struct preload_addr_ext *ext, const uint8_t *msg, size_t len)
{
	uint32_t net = a->net == PRELOAD_NET_ANY ? PRELOAD_NET_DEFAULT : a->net;
	struct cxlfm_ep *ep = NULL;
	uint8_t addr = 0;
	int err = preload_bus_up();

	if (err)
		return -ENETDOWN;
	if (ext) {
		/* Direct addressing: our bus is the one interface. */
		if (ext->ifindex != PRELOAD_IFINDEX || ext->halen != PRELOAD_HALEN ||
		    ext->pad0[0] || ext->pad0[1] || ext->pad0[2])
			return -EINVAL;
		addr = ext->haddr[0];
		ep = ep_at_addr(addr);
	} else {
		if (net != PRELOAD_NET_DEFAULT)
			return -EHOSTUNREACH;
		ep = cxlfm_ep_by_eid(st.ctx, a->eid);
		addr = ep ? cxlfm_ep_addr(ep) : st.neigh[a->eid];
	}
	if (!addr || addr > 0x7f)
		return -EHOSTUNREACH;
	if (len > PRELOAD_MSG_MAX)
		return -EMSGSIZE;
	if (a->tag & PRELOAD_TAG_OWNER) {
		if (a->tag & PRELOAD_TAG_PREALLOC)
			return -ENOENT; /* no SIOCMCTPALLOCTAG here: no such key */
		if (!ep)
			return -EHOSTUNREACH; /* requests go to endpoints only */
		err = cxlfm_msg_submit(ep, a->type, msg, len, on_response, (void *)s->id);
	} else {
		err = cxlfm_msg_send(st.ctx, addr, a->eid, a->tag & PRELOAD_TAG_MASK, a->type,
				     msg, len);
	}
	if (err == -EPIPE || err == -ECONNRESET || err == -ENOTCONN)
		return -ENETDOWN; /* the thread sees the bus go and drops it */
	if (err == -EAGAIN)
		return -ENOBUFS; /* the bus did not take the frame in time */
	if (!err && st.idle)
		wake_thread(); /* it must now wake to expire the request */
	return err;
}
