/* SPDX-License-Identifier: MIT */
/*
 * The AF_MCTP shim's calls (src/preload): sequences of bind, sendmsg and
 * its relatives, recvmsg and its relatives, setsockopt, getsockopt, ioctl,
 * dup, close and the kernel's other socket calls on AF_MCTP sockets, with
 * fuzzed arguments, through the interposed libc entry points themselves
 * (the shim is linked in, as tests/preload's mctp_syscalls_linked).
 *
 * No bus: the environment is invalid on purpose (CXLFM_ADDR=0), so the
 * shim never connects and never starts its thread, and every run is
 * deterministic. Sockets come from the shim's own constructor
 * (preload_sock_new(), what socket() calls once a bus is up); messages
 * arrive as the bus thread delivers them (a datagram with the source
 * header on the socket pair's far end). What the bus would do with a sent
 * message is not reached here (the send fails with ENETDOWN after the
 * address checks): that needs the bus thread and real time, and is
 * covered by the e2e+preload suite.
 *
 * Input: records, op byte then arguments taken as needed (zero when the
 * input runs out). Model, as Linux net/mctp/af_mctp.c: bind/setsockopt/
 * getsockopt/ioctl results and errors; sendmsg address checks (EINVAL,
 * EDESTADDRREQ) before ENETDOWN; recvmsg returns the delivered messages in
 * order with their source address (short or extended form), MSG_TRUNC and
 * MSG_PEEK as the kernel's; dup'ed fds share a socket, the last close
 * frees it; EAGAIN when nothing is queued.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuzz.h"
#include "preload/preload.h"

/* glibc's _FORTIFY_SOURCE entry points, which the shim replaces too */
ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __read_chk(int fd, void *buf, size_t nbytes, size_t buflen);

#define MAX_FDS 12
#define MAX_SOCKS 8
#define MAX_QUEUE 512 /* above any max_dgram_qlen: the kernel refuses first */
#define MSG_MAX 300

struct qmsg {
	struct preload_dgram h;
	size_t len;
	uint8_t b[MSG_MAX];
};

struct msock {
	bool used;
	bool ext;
	bool bound;
	struct qmsg q[MAX_QUEUE];
	size_t head, n;
};

struct mfd {
	int fd;              /* -1: free slot */
	int sock;            /* index in socks */
};

static struct msock socks[MAX_SOCKS];
static struct mfd fds[MAX_FDS];

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct in *in)
{
	uint8_t b = in->n ? *in->p : 0;

	if (in->n) {
		in->p++;
		in->n--;
	}
	return b;
}

static size_t take(struct in *in, uint8_t *out, size_t want)
{
	size_t n = want < in->n ? want : in->n;

	memcpy(out, in->p, n);
	memset(out + n, 0, want - n);
	in->p += n;
	in->n -= n;
	return want;
}

static int refs(int sock)
{
	int n = 0;

	for (int i = 0; i < MAX_FDS; i++)
		n += fds[i].fd >= 0 && fds[i].sock == sock;
	return n;
}

static struct mfd *pick(struct in *in)
{
	uint8_t k = u8(in);

	for (int i = 0; i < MAX_FDS; i++) {
		struct mfd *f = &fds[(k + i) % MAX_FDS];

		if (f->fd >= 0)
			return f;
	}
	return NULL;
}

static struct mfd *free_slot(void)
{
	for (int i = 0; i < MAX_FDS; i++)
		if (fds[i].fd < 0)
			return &fds[i];
	return NULL;
}

static void expect_err(long rc, int err)
{
	assert(rc == -1);
	assert(errno == err);
}

/* An fd leaves the table; the socket goes with its last fd. */
static void forget(struct mfd *f)
{
	int s = f->sock;

	f->fd = -1;
	if (!refs(s))
		memset(&socks[s], 0, sizeof(socks[s]));
}

static struct mfd *by_fd(int fd)
{
	for (int i = 0; i < MAX_FDS; i++)
		if (fds[i].fd == fd)
			return &fds[i];
	return NULL;
}

static void op_new(struct in *in)
{
	struct mfd *f = free_slot();
	int s, fd;

	(void)in;
	if (!f)
		return;
	for (s = 0; s < MAX_SOCKS && socks[s].used; s++)
		;
	if (s == MAX_SOCKS)
		return;
	preload_lock();
	/* always O_NONBLOCK: a receive must never wait in a fuzz run */
	fd = preload_sock_new(1, u8(in) & 1);
	preload_unlock();
	assert(fd >= 0);
	assert(!by_fd(fd));
	memset(&socks[s], 0, sizeof(socks[s]));
	socks[s].used = true;
	f->fd = fd;
	f->sock = s;
}

static void op_bind(struct in *in)
{
	struct mfd *f = pick(in);
	uint8_t a[140];
	socklen_t len = u8(in) % sizeof(a);
	struct preload_addr pa;
	struct msock *s;
	int rc;

	take(in, a, sizeof(pa));
	memset(a + sizeof(pa), 0, sizeof(a) - sizeof(pa));
	if (!f)
		return;
	s = &socks[f->sock];
	memcpy(&pa, a, sizeof(pa));
	rc = bind(f->fd, (struct sockaddr *)a, len);
	if (len > 128 || len < sizeof(pa))
		expect_err(rc, EINVAL);
	else if (pa.family != PRELOAD_AF_MCTP)
		expect_err(rc, EAFNOSUPPORT);
	else if (pa.pad0 || pa.pad1)
		expect_err(rc, EINVAL);
	else if (s->bound)
		expect_err(rc, EADDRINUSE);
	else {
		assert(rc == 0);
		s->bound = true;
	}
}

/* What mctp_sendmsg() says about an address before routing. */
static int send_addr_err(const uint8_t *name, size_t namelen)
{
	const uint8_t bits = PRELOAD_TAG_MASK | PRELOAD_TAG_OWNER | PRELOAD_TAG_PREALLOC;
	struct preload_addr a;

	if (!name)
		return EDESTADDRREQ;
	if (namelen > 128)
		namelen = 128;
	if (namelen < sizeof(a))
		return EINVAL;
	memcpy(&a, name, sizeof(a));
	if (a.family != PRELOAD_AF_MCTP || a.pad0 || a.pad1 || (a.tag & ~bits) ||
	    ((a.tag & PRELOAD_TAG_PREALLOC) && !(a.tag & PRELOAD_TAG_OWNER)))
		return EINVAL;
	return 0;
}

static void op_send(struct in *in)
{
	struct mfd *f = pick(in);
	uint8_t how = u8(in), name[160], data[64];
	size_t namelen = u8(in) % sizeof(name), dlen = u8(in) % sizeof(data);
	struct iovec iov[3];
	struct msghdr m = { 0 };
	long rc;
	int err;

	take(in, name, sizeof(struct preload_addr_ext));
	memset(name + sizeof(struct preload_addr_ext), 0,
	       sizeof(name) - sizeof(struct preload_addr_ext));
	take(in, data, dlen);
	if (!f)
		return;
	switch (how % 6) {
	case 0: /* sendmsg over up to three iovecs */
		iov[0] = (struct iovec){ data, dlen / 3 };
		iov[1] = (struct iovec){ data + dlen / 3, 0 };
		iov[2] = (struct iovec){ data + dlen / 3, dlen - dlen / 3 };
		m = (struct msghdr){ .msg_name = (how & 0x80) ? NULL : name,
				     .msg_namelen = (socklen_t)namelen, .msg_iov = iov,
				     .msg_iovlen = 3 };
		rc = sendmsg(f->fd, &m, (how & 0x40) ? MSG_DONTWAIT : 0);
		err = send_addr_err(m.msg_name, namelen);
		break;
	case 1:
		rc = sendto(f->fd, data, dlen, 0, (how & 0x80) ? NULL : (struct sockaddr *)name,
			    (socklen_t)namelen);
		err = (how & 0x80) ? EDESTADDRREQ : namelen > 128 ? EINVAL :
			send_addr_err(name, namelen);
		break;
	case 2:
		rc = send(f->fd, data, dlen, 0);
		err = EDESTADDRREQ;
		break;
	case 3:
		rc = write(f->fd, data, dlen);
		err = EDESTADDRREQ;
		break;
	case 4:
		iov[0] = (struct iovec){ data, dlen };
		rc = writev(f->fd, iov, 1);
		err = EDESTADDRREQ;
		break;
	default: {
		struct mmsghdr mm[2];

		iov[0] = (struct iovec){ data, dlen };
		memset(mm, 0, sizeof(mm));
		mm[0].msg_hdr = (struct msghdr){ .msg_name = name,
						 .msg_namelen = (socklen_t)namelen,
						 .msg_iov = iov, .msg_iovlen = 1 };
		mm[1] = mm[0];
		rc = sendmmsg(f->fd, mm, 2, 0);
		err = send_addr_err(name, namelen);
		break;
	}
	}
	/* no bus: whatever passes the address checks cannot be routed */
	expect_err(rc, err ? err : ENETDOWN);
}

/*
 * The source address recvmsg() reported for h: sockaddr_mctp, or with
 * MCTP_OPT_ADDR_EXT sockaddr_mctp_ext naming our one interface; the full
 * length in len, as much as fit in buflen bytes (move_addr_to_user()).
 */
static void check_name(const uint8_t *got, socklen_t len, socklen_t buflen,
		       const struct preload_dgram *h, bool ext)
{
	struct preload_addr_ext a;
	socklen_t want = ext ? sizeof(struct preload_addr_ext) : sizeof(struct preload_addr);
	socklen_t n = buflen < want ? buflen : want;

	assert(len == want);
	memset(&a, 0, sizeof(a));
	memcpy(&a, got, n);
	if (n >= offsetof(struct preload_addr, net) + 4)
		assert(a.base.family == PRELOAD_AF_MCTP && !a.base.pad0 && a.base.net == h->net);
	if (n >= sizeof(struct preload_addr))
		assert(a.base.eid == h->eid && a.base.type == h->type && a.base.tag == h->tag &&
		       !a.base.pad1);
	if (ext && n == want)
		assert(a.ifindex == PRELOAD_IFINDEX && a.halen == PRELOAD_HALEN &&
		       a.haddr[0] == h->haddr);
}

/* recvmmsg() of two messages: each as one recvmsg() (do_recvmmsg()). */
static void recv_mmsg(struct mfd *f, struct msock *s, int flags, size_t buflen)
{
	uint8_t buf[2][MSG_MAX + 8];
	struct iovec iov[2] = { { buf[0], buflen }, { buf[1], buflen } };
	struct mmsghdr mm[2];
	int rc;

	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 2; i++)
		mm[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
	rc = recvmmsg(f->fd, mm, 2, flags, NULL);
	if (flags & MSG_OOB) {
		expect_err(rc, EOPNOTSUPP);
		return;
	}
	if (!s->n) {
		expect_err(rc, EAGAIN);
		return;
	}
	/* MSG_PEEK reads the oldest one twice */
	assert(rc == ((flags & MSG_PEEK) || s->n > 1 ? 2 : 1));
	for (int i = 0; i < rc; i++) {
		const struct qmsg *q = &s->q[(s->head + ((flags & MSG_PEEK) ? 0 : i)) % MAX_QUEUE];
		size_t want = (flags & MSG_TRUNC) || q->len < buflen ? q->len : buflen;

		assert(mm[i].msg_len == want);
		assert(!memcmp(buf[i], q->b, q->len < buflen ? q->len : buflen));
	}
	if (!(flags & MSG_PEEK)) {
		s->head = (s->head + (size_t)rc) % MAX_QUEUE;
		s->n -= (size_t)rc;
	}
}

static void op_recv(struct in *in)
{
	struct mfd *f = pick(in);
	uint8_t how = u8(in) % 8, fl = u8(in);
	size_t buflen = u8(in) % (MSG_MAX + 8);
	socklen_t namebuf = u8(in) % 64, namelen = namebuf;
	int flags = MSG_DONTWAIT | ((fl & 1) ? MSG_PEEK : 0) | ((fl & 2) ? MSG_TRUNC : 0) |
		    ((fl & 4) ? MSG_OOB : 0);
	uint8_t buf[MSG_MAX + 8], name[64];
	struct iovec iov[20];
	struct msghdr m = { 0 };
	struct msock *s;
	const struct qmsg *q;
	bool named = false, ext;
	long rc;

	if (!f)
		return;
	s = &socks[f->sock];
	ext = s->ext;
	switch (how) {
	case 0: {
		/* 1..20 iovecs: past 15 the shim allocates its own array */
		size_t k = 1 + (fl >> 3) % 20, at = 0;

		for (size_t i = 0; i < k; i++) {
			size_t part = i + 1 < k ? buflen / k : buflen - at;

			iov[i] = (struct iovec){ buf + at, part };
			at += part;
		}
		named = !(fl & 0x80);
		m = (struct msghdr){ .msg_name = named ? name : NULL, .msg_namelen = namelen,
				     .msg_iov = iov, .msg_iovlen = k };
		rc = recvmsg(f->fd, &m, flags);
		namelen = m.msg_namelen;
		break;
	}
	case 1:
		named = true;
		rc = recvfrom(f->fd, buf, buflen, flags, (struct sockaddr *)name, &namelen);
		break;
	case 2:
		rc = recv(f->fd, buf, buflen, flags);
		break;
	case 3: /* read() and readv() take no flags: the socket is non-blocking */
		flags = 0;
		rc = read(f->fd, buf, buflen);
		break;
	case 4:
		flags = 0;
		iov[0] = (struct iovec){ buf, buflen };
		rc = readv(f->fd, iov, 1);
		break;
	case 5: /* the _FORTIFY_SOURCE entry points */
		rc = __recv_chk(f->fd, buf, buflen, sizeof(buf), flags);
		break;
	case 6:
		flags = 0;
		rc = __read_chk(f->fd, buf, buflen, sizeof(buf));
		break;
	default:
		recv_mmsg(f, s, flags | ((fl & 8) ? MSG_WAITFORONE : 0), buflen);
		return;
	}
	if (flags & MSG_OOB) {
		expect_err(rc, EOPNOTSUPP); /* mctp_recvmsg() takes no other flag */
		return;
	}
	if (!s->n) {
		expect_err(rc, EAGAIN);
		return;
	}
	q = &s->q[s->head];
	assert(rc >= 0);
	/* with MSG_TRUNC the whole length, as mctp_recvmsg() */
	assert((size_t)rc == ((flags & MSG_TRUNC) || q->len < buflen ? q->len : buflen));
	assert(!memcmp(buf, q->b, q->len < buflen ? q->len : buflen));
	if (how == 0)
		assert(!!(m.msg_flags & MSG_TRUNC) == (q->len > buflen));
	if (named)
		check_name(name, namelen, namebuf, &q->h, ext);
	if (!(flags & MSG_PEEK)) {
		s->head = (s->head + 1) % MAX_QUEUE;
		s->n--;
	}
}

static void op_sockopt(struct in *in)
{
	struct mfd *f = pick(in);
	uint8_t how = u8(in), lv = u8(in), nm = u8(in), ln = u8(in), v = u8(in);
	int level = lv % 3 == 0 ? PRELOAD_SOL_MCTP : lv % 3 == 1 ? SOL_SOCKET : lv;
	int name = nm % 2 ? PRELOAD_OPT_ADDR_EXT : nm;
	socklen_t len = ln % 2 ? sizeof(int) : ln % 16;
	int val[4] = { v, 0, 0, 0 }, out[4];
	struct msock *s;
	long rc;

	if (!f)
		return;
	s = &socks[f->sock];
	if (how & 1) {
		/* SOL_SOCKET options are the app end's own: not the shim's */
		if (level == SOL_SOCKET)
			return;
		rc = setsockopt(f->fd, level, name, val, len);
		if (level != PRELOAD_SOL_MCTP)
			expect_err(rc, EINVAL);
		else if (name != PRELOAD_OPT_ADDR_EXT)
			expect_err(rc, ENOPROTOOPT);
		else if (len != sizeof(int))
			expect_err(rc, EINVAL);
		else {
			assert(rc == 0);
			s->ext = v != 0;
		}
		return;
	}
	if (level == SOL_SOCKET)
		name = SO_DOMAIN; /* the only SOL_SOCKET option the shim answers */
	memset(out, 0xa5, sizeof(out));
	rc = getsockopt(f->fd, level, name, out, &len);
	if (level == SOL_SOCKET) {
		assert(rc == 0 && len <= sizeof(int));
		assert(!memcmp(out, &(int){ PRELOAD_AF_MCTP }, len));
	} else if (level != PRELOAD_SOL_MCTP || name != PRELOAD_OPT_ADDR_EXT ||
		   len != sizeof(int)) {
		expect_err(rc, EINVAL);
	} else {
		assert(rc == 0 && out[0] == (int)s->ext);
	}
}

static void op_ioctl(struct in *in)
{
	static const unsigned long tags[] = {
		PRELOAD_SIOC_ALLOCTAG, PRELOAD_SIOC_DROPTAG, PRELOAD_SIOC_ALLOCTAG2,
		PRELOAD_SIOC_DROPTAG2,
	};
	struct mfd *f = pick(in);
	uint8_t how = u8(in), raw[4];
	unsigned long req;
	int arg[16] = { 0 };
	long rc;

	take(in, raw, sizeof(raw));
	if (!f)
		return;
	if (how % 3 == 0) {
		req = tags[how / 3 % 4];
	} else if (how % 3 == 1) {
		req = how & 4 ? FIOCLEX : FIONCLEX; /* the VFS's, on the app end */
		assert(ioctl(f->fd, req, arg) == 0);
		return;
	} else {
		req = (unsigned long)raw[0] | (unsigned long)raw[1] << 8 |
		      (unsigned long)raw[2] << 16 | (unsigned long)raw[3] << 24;
		/* the ones the VFS and the socket layer serve go to the app end */
		if (req == FIONBIO || req == FIOASYNC || req == FIOCLEX || req == FIONCLEX ||
		    req == FIOSETOWN || req == SIOCSPGRP || req == FIOGETOWN || req == SIOCGPGRP)
			return;
	}
	rc = ioctl(f->fd, req, arg);
	if (req >= PRELOAD_SIOC_ALLOCTAG && req <= PRELOAD_SIOC_DROPTAG2)
		expect_err(rc, EOPNOTSUPP);
	else
		expect_err(rc, EINVAL);
}

/* A message as the bus thread delivers it (deliver() in state.c). */
static void op_deliver(struct in *in)
{
	struct mfd *f = pick(in);
	struct qmsg q;
	struct preload_sock *ps;
	struct iovec iov[2];
	struct msghdr m;
	struct msock *s;
	long rc;

	take(in, (uint8_t *)&q.h, sizeof(q.h));
	q.len = u8(in) % MSG_MAX;
	take(in, q.b, q.len);
	if (!f)
		return;
	s = &socks[f->sock];
	preload_lock();
	ps = preload_fd_get(f->fd);
	assert(ps);
	iov[0] = (struct iovec){ &q.h, sizeof(q.h) };
	iov[1] = (struct iovec){ q.b, q.len };
	m = (struct msghdr){ .msg_iov = iov, .msg_iovlen = 2 };
	rc = preload_real_sendmsg(ps->peer, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
	preload_unlock();
	if (rc < 0) {
		assert(errno == EAGAIN); /* a full queue loses it, as in the kernel */
		return;
	}
	assert(s->n < MAX_QUEUE);
	s->q[(s->head + s->n) % MAX_QUEUE] = q;
	s->n++;
}

static void op_dup(struct in *in)
{
	struct mfd *f = pick(in), *to;
	uint8_t how = u8(in);
	int fd;

	if (!f)
		return;
	switch (how % 4) {
	case 0:
		fd = dup(f->fd);
		break;
	case 1:
		fd = fcntl(f->fd, (how & 4) ? F_DUPFD_CLOEXEC : F_DUPFD, (how & 8) ? 4100 : 0);
		break;
	default:
		/* onto another fd of ours (possibly of the same socket, or itself) */
		to = pick(in);
		fd = how % 4 == 2 ? dup2(f->fd, to->fd) : dup3(f->fd, to->fd, O_CLOEXEC);
		if (to->fd == f->fd) {
			if (how % 4 == 2)
				assert(fd == f->fd);
			else
				expect_err(fd, EINVAL);
			return;
		}
		assert(fd == to->fd);
		to->fd = -1;
		forget(&(struct mfd){ .sock = to->sock });
		to->fd = fd;
		to->sock = f->sock;
		return;
	}
	if (fd < 0)
		return; /* out of fds (F_DUPFD past the limit) */
	to = free_slot();
	if (!to) {
		close(fd);
		return;
	}
	to->fd = fd;
	to->sock = f->sock;
}

static void op_close(struct in *in)
{
	struct mfd *f = pick(in);
	uint8_t how = u8(in);

	if (!f)
		return;
	if (how % 3 == 0)
		assert(close(f->fd) == 0);
#ifdef PRELOAD_HAVE_CLOSE_RANGE
	else if (how % 3 == 1)
		assert(close_range((unsigned)f->fd, (unsigned)f->fd, 0) == 0);
#endif
	else
		assert(close(f->fd) == 0);
	forget(f);
}

/* The socket calls AF_MCTP sockets refuse, and socket() itself. */
static void op_misc(struct in *in)
{
	struct mfd *f = pick(in);
	uint8_t how = u8(in), t = u8(in), p = u8(in);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int sv[2];

	switch (how % 6) {
	case 0:
		if (f)
			expect_err(connect(f->fd, (struct sockaddr *)&ss, sizeof(struct preload_addr)),
				   EOPNOTSUPP);
		break;
	case 1:
		if (f)
			expect_err(getsockname(f->fd, (struct sockaddr *)&ss, &sl), EOPNOTSUPP);
		break;
	case 2:
		if (f)
			expect_err(getpeername(f->fd, (struct sockaddr *)&ss, &sl), EOPNOTSUPP);
		break;
	case 3:
		if (f)
			expect_err(shutdown(f->fd, SHUT_RDWR), EOPNOTSUPP);
		break;
	default: {
		/* preload_socket_check(), then the bad environment: EINVAL */
		int type = (t & 0x0f) | ((t & 0x10) ? SOCK_NONBLOCK : 0) |
			   ((t & 0x20) ? SOCK_CLOEXEC : 0) | ((t & 0x40) ? 0x100 : 0);
		int proto = p & 1 ? p : 0, err;
		long rc = how % 6 == 4 ? socket(PRELOAD_AF_MCTP, type, proto) :
					 socketpair(PRELOAD_AF_MCTP, type, proto, sv);

		if (type & 0x100)
			err = EINVAL;
		else if ((type & 0x0f) >= 11)
			err = EINVAL;
		else if (proto)
			err = EPROTONOSUPPORT;
		else if ((type & 0x0f) != SOCK_DGRAM)
			err = ESOCKTNOSUPPORT;
		else
			err = how % 6 == 4 ? EINVAL : EOPNOTSUPP;
		expect_err(rc, err);
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const ops[])(struct in *) = {
		op_new, op_bind, op_send, op_recv, op_sockopt, op_ioctl, op_deliver,
		op_dup, op_close, op_misc,
	};
	struct in in = { data, size };

	/* an environment the shim refuses: no bus, ever */
	setenv("CXLFM_ADDR", "0", 1);
	setenv("CXLFM_BUS", "/nonexistent/cxl-fuzz.sock", 1);
	for (int i = 0; i < MAX_FDS; i++)
		fds[i].fd = -1;
	memset(socks, 0, sizeof(socks));
	while (in.n)
		ops[u8(&in) % (sizeof(ops) / sizeof(ops[0]))](&in);
	for (int i = 0; i < MAX_FDS; i++)
		if (fds[i].fd >= 0) {
			assert(close(fds[i].fd) == 0);
			forget(&fds[i]);
		}
	return 0;
}
