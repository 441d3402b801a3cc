/* SPDX-License-Identifier: MIT */
/*
 * AF_MCTP socket semantics, following Linux net/mctp/af_mctp.c: the
 * address checks of mctp_sendmsg() and mctp_bind(), the flag rules and
 * MSG_TRUNC behaviour of mctp_recvmsg(), SOL_MCTP options, ioctls.
 * Everything else a socket does (blocking, O_NONBLOCK, SO_RCVTIMEO, poll)
 * the app end of the socket pair does itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "preload/preload.h"

#define SOCK_TYPE_MASK 0xf
#define SOCK_TYPE_MAX 11    /* SOCK_MAX: SOCK_PACKET + 1 */
#define SOCKADDR_MAX 128    /* sizeof(struct sockaddr_storage) */
#define IOV_MAX_KERNEL 1024 /* UIO_MAXIOV */
#define RECV_IOV_STACK 16

int preload_socket_check(int type, int protocol)
{
	int flags = type & ~SOCK_TYPE_MASK;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	type &= SOCK_TYPE_MASK;
	if (type >= SOCK_TYPE_MAX)
		return -EINVAL;
	if (protocol) /* mctp_pf_create() */
		return -EPROTONOSUPPORT;
	if (type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	return 0;
}

int preload_socket(int type, int protocol)
{
	int rc = preload_socket_check(type, protocol);

	if (rc)
		return rc;
	preload_lock();
	rc = preload_bus_up();
	if (!rc)
		rc = preload_sock_new(type & SOCK_NONBLOCK, type & SOCK_CLOEXEC);
	preload_unlock();
	/* No bus: like an MCTP stack without an interface (the reason is
	 * on stderr); a bad environment: EINVAL. */
	if (rc < 0 && rc != -EINVAL && rc != -ENOMEM && rc != -EMFILE && rc != -ENFILE)
		rc = -ENETDOWN;
	return rc;
}

/* Padding must be zero (mctp_sockaddr_is_ok()). */
static bool addr_ok(const struct preload_addr *a)
{
	return !a->pad0 && !a->pad1;
}

int preload_bind(struct preload_sock *s, const struct sockaddr *sa, socklen_t len)
{
	struct preload_addr a;

	if (!sa || len > SOCKADDR_MAX || len < sizeof(a))
		return -EINVAL;
	memcpy(&a, sa, sizeof(a));
	if (a.family != PRELOAD_AF_MCTP)
		return -EAFNOSUPPORT;
	if (!addr_ok(&a))
		return -EINVAL;
	if (s->bound)
		return -EADDRINUSE;
	s->bound = true;
	s->bind_net = a.net;
	s->bind_eid = a.eid;
	s->bind_type = a.type & 0x7f; /* the IC bit does not count */
	preload_bind_next(s);
	return 0;
}

ssize_t preload_sendmsg(struct preload_sock *s, const struct msghdr *msg, int flags)
{
	const uint8_t tagbits = PRELOAD_TAG_MASK | PRELOAD_TAG_OWNER | PRELOAD_TAG_PREALLOC;
	static uint8_t buf[PRELOAD_MSG_MAX]; /* under the lock */
	struct preload_addr_ext ext;
	struct preload_addr a;
	socklen_t alen = msg->msg_namelen;
	size_t total = 0;
	int rc;

	(void)flags; /* MSG_DONTWAIT: a send never waits for an answer */
	if (!msg->msg_name)
		return -EDESTADDRREQ; /* no connect() for MCTP sockets */
	if (alen > SOCKADDR_MAX)
		alen = SOCKADDR_MAX; /* copy_msghdr_from_user() */
	if (alen < sizeof(a))
		return -EINVAL;
	memcpy(&a, msg->msg_name, sizeof(a));
	if (a.family != PRELOAD_AF_MCTP || !addr_ok(&a) || (a.tag & ~tagbits) ||
	    ((a.tag & PRELOAD_TAG_PREALLOC) && !(a.tag & PRELOAD_TAG_OWNER)))
		return -EINVAL;
	if (s->addr_ext && alen >= sizeof(ext))
		memcpy(&ext, msg->msg_name, sizeof(ext));
	if (msg->msg_iovlen > IOV_MAX_KERNEL)
		return -EMSGSIZE;
	for (size_t i = 0; i < msg->msg_iovlen; i++) {
		const struct iovec *v = &msg->msg_iov[i];

		if (total + v->iov_len <= sizeof(buf) && v->iov_len)
			memcpy(buf + total, v->iov_base, v->iov_len);
		total += v->iov_len;
		if (total > sizeof(buf))
			total = sizeof(buf) + 1; /* too long: only the length counts */
	}
	rc = preload_route_send(s, &a, s->addr_ext && alen >= sizeof(ext) ? &ext : NULL, buf,
				total);
	return rc ? rc : (ssize_t)total;
}

static void put_name(struct msghdr *msg, const struct preload_dgram *h, bool ext)
{
	struct preload_addr_ext a = {
		.base = { .family = PRELOAD_AF_MCTP, .net = h->net, .eid = h->eid,
			  .type = h->type, .tag = h->tag },
	};
	socklen_t klen = ext ? sizeof(a) : sizeof(a.base);

	if (ext) {
		a.ifindex = PRELOAD_IFINDEX;
		a.halen = PRELOAD_HALEN;
		a.haddr[0] = h->haddr;
	}
	/* move_addr_to_user(): as much as fits, the full length reported */
	memcpy(msg->msg_name, &a, msg->msg_namelen < klen ? msg->msg_namelen : klen);
	msg->msg_namelen = klen;
}

ssize_t preload_recvmsg(int fd, bool addr_ext, struct msghdr *msg, int flags)
{
	struct iovec stack[RECV_IOV_STACK], *iov = stack;
	struct preload_dgram h;
	struct msghdr m;
	ssize_t n;

	if (flags & ~(MSG_DONTWAIT | MSG_TRUNC | MSG_PEEK))
		return -EOPNOTSUPP;
	if (msg->msg_iovlen > IOV_MAX_KERNEL)
		return -EMSGSIZE;
	if (msg->msg_iovlen + 1 > RECV_IOV_STACK) {
		iov = calloc(msg->msg_iovlen + 1, sizeof(*iov));
		if (!iov)
			return -ENOMEM;
	}
	iov[0] = (struct iovec){ .iov_base = &h, .iov_len = sizeof(h) };
	for (size_t i = 0; i < msg->msg_iovlen; i++)
		iov[i + 1] = msg->msg_iov[i];
	m = (struct msghdr){ .msg_iov = iov, .msg_iovlen = msg->msg_iovlen + 1,
			     .msg_control = msg->msg_control,
			     .msg_controllen = msg->msg_controllen };
	/* Blocking, O_NONBLOCK, MSG_DONTWAIT, SO_RCVTIMEO, EINTR and MSG_PEEK
	 * are the kernel's own, on the app end of the pair. */
	n = preload_real_recvmsg(fd, &m, flags);
	if (iov != stack)
		free(iov);
	if (n < 0)
		return -errno;
	if ((size_t)n < sizeof(h))
		return -EBADMSG; /* not one of ours: cannot happen */
	msg->msg_flags = m.msg_flags;
	msg->msg_controllen = m.msg_controllen;
	if (msg->msg_name)
		put_name(msg, &h, addr_ext);
	/* With MSG_TRUNC n is the whole datagram (as mctp_recvmsg() returns
	 * the whole message); MSG_TRUNC in msg_flags says it was cut. */
	return n - (ssize_t)sizeof(h);
}

int preload_setsockopt(int fd, struct preload_sock *s, int level, int name, const void *val,
		       socklen_t len)
{
	(void)fd;
	if (level != PRELOAD_SOL_MCTP)
		return -EINVAL; /* mctp_setsockopt(); SOL_SOCKET never gets here */
	if (name != PRELOAD_OPT_ADDR_EXT)
		return -ENOPROTOOPT;
	if (len != sizeof(int))
		return -EINVAL;
	if (!val)
		return -EFAULT;
	s->addr_ext = *(const int *)val != 0;
	return 0;
}

int preload_getsockopt(int fd, struct preload_sock *s, int level, int name, void *val,
		       socklen_t *len)
{
	int v;

	(void)fd;
	if (!len)
		return -EFAULT;
	if (level == SOL_SOCKET) { /* only SO_DOMAIN gets here */
		v = PRELOAD_AF_MCTP;
		if ((int)*len < 0)
			return -EINVAL;
		if (*len > sizeof(v))
			*len = sizeof(v);
		if (*len && !val)
			return -EFAULT;
		memcpy(val, &v, *len);
		return 0;
	}
	if (level != PRELOAD_SOL_MCTP || name != PRELOAD_OPT_ADDR_EXT || *len != sizeof(int))
		return -EINVAL; /* mctp_getsockopt() */
	if (!val)
		return -EFAULT;
	v = s->addr_ext;
	memcpy(val, &v, sizeof(v));
	return 0;
}

/*
 * The ioctls the VFS and the socket layer handle for every socket go to the
 * app end; the tag ioctls are not offered (no preallocated tags); the rest
 * fail as mctp_ioctl() fails them.
 */
int preload_ioctl(int fd, unsigned long req, void *arg)
{
	(void)fd;
	(void)arg;
	switch (req) {
	case PRELOAD_SIOC_ALLOCTAG:
	case PRELOAD_SIOC_DROPTAG:
	case PRELOAD_SIOC_ALLOCTAG2:
	case PRELOAD_SIOC_DROPTAG2:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}
