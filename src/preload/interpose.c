/* SPDX-License-Identifier: MIT */
/*
 * The libc entry points the shim replaces. Each one hands every fd that is
 * not an AF_MCTP socket of ours straight to the next definition
 * (dlsym(RTLD_NEXT)) after one lock-free check (preload_maybe()); only
 * socket(AF_MCTP, ...) creates shim state. poll(), select(), epoll and
 * fcntl(O_NONBLOCK) need no replacement: the fd is a real socket.
 */
#undef _FORTIFY_SOURCE /* we define recv(), read() ... ourselves */
/* fcntl and fcntl64 are two symbols to replace: neither may stand for the other. */
#undef _FILE_OFFSET_BITS
#undef _TIME_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "preload/preload.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1u << 2)
#endif

/* glibc's _FORTIFY_SOURCE entry points (bits/socket2.h, bits/unistd.h) */
ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *__restrict buf, size_t len, size_t buflen, int flags,
		       __SOCKADDR_ARG addr, socklen_t *__restrict alen);
ssize_t __read_chk(int fd, void *buf, size_t nbytes, size_t buflen);
void __chk_fail(void) __attribute__((noreturn));

/* The next definition of name; optional ones may be missing (NULL). */
void *preload_next(const char *name, bool optional)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f && !optional) {
		preload_error("%s not found in the libraries after the shim", name);
		abort();
	}
	return f;
}

#define REAL_FN(name, optional) PRELOAD_REAL_FN(name, optional)
#define REAL(name) REAL_FN(name, false)

REAL(socket)
REAL(socketpair)
REAL(bind)
REAL(connect)
REAL(getsockname)
REAL(getpeername)
REAL(shutdown)
REAL(setsockopt)
REAL(getsockopt)
REAL(sendto)
REAL(send)
REAL(sendmsg)
REAL(sendmmsg)
REAL(write)
REAL(writev)
REAL(recvfrom)
REAL(recv)
REAL(recvmsg)
REAL(recvmmsg)
REAL(read)
REAL(readv)
REAL(ioctl)
REAL(fcntl)
REAL_FN(fcntl64, true)
REAL(dup)
REAL(dup2)
REAL(dup3)
REAL(close)
REAL(fstat)
REAL_FN(__recv_chk, true)
REAL_FN(__recvfrom_chk, true)
REAL_FN(__read_chk, true)
#ifdef PRELOAD_HAVE_CLOSE_RANGE
REAL_FN(close_range, true)
#endif
#ifdef PRELOAD_HAVE_CLOSEFROM
REAL_FN(closefrom, true)
#endif

int preload_real_close(int fd)
{
	return real_close()(fd);
}

int preload_real_fstat(int fd, struct stat *st)
{
	return real_fstat()(fd, st);
}

int preload_real_socketpair(int domain, int type, int protocol, int sv[2])
{
	return real_socketpair()(domain, type, protocol, sv);
}

ssize_t preload_real_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return real_sendmsg()(fd, msg, flags);
}

ssize_t preload_real_recvmsg(int fd, struct msghdr *msg, int flags)
{
	return real_recvmsg()(fd, msg, flags);
}

static int ret_int(int rc)
{
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

static ssize_t ret_ssize(ssize_t rc)
{
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

/* The socket behind fd, or NULL; takes the lock only for maybe-ours fds. */
static struct preload_sock *lookup(int fd, bool *addr_ext)
{
	struct preload_sock *s;

	if (!preload_maybe(fd))
		return NULL;
	preload_lock();
	s = preload_fd_get(fd);
	if (s && addr_ext)
		*addr_ext = s->addr_ext;
	preload_unlock();
	return s;
}

/* The socket behind fd with the lock held, or NULL without it. */
static struct preload_sock *sock_locked(int fd)
{
	struct preload_sock *s;

	if (!preload_maybe(fd))
		return NULL;
	preload_lock();
	s = preload_fd_get(fd);
	if (!s)
		preload_unlock();
	return s;
}

/* Is fd a /dev/cxl/memN? (Calls on it other than those of a character
 * device fail as on one: no read or write, no socket calls.) */
static bool is_memdev(int fd)
{
	bool m;

	if (!preload_maybe(fd))
		return false;
	preload_lock();
	m = preload_fd_memdev(fd) != NULL;
	preload_unlock();
	return m;
}

/* ---- creation ---- */

PRELOAD_VISIBLE int socket(int domain, int type, int protocol)
{
	if (domain == PRELOAD_AF_MCTP)
		return ret_int(preload_socket(type, protocol));
	return real_socket()(domain, type, protocol);
}

PRELOAD_VISIBLE int socketpair(int domain, int type, int protocol, int sv[2])
{
	if (domain == PRELOAD_AF_MCTP) { /* sock_no_socketpair() */
		int rc = preload_socket_check(type, protocol);

		return ret_int(rc ? rc : -EOPNOTSUPP);
	}
	return real_socketpair()(domain, type, protocol, sv);
}

/* ---- addresses ---- */

PRELOAD_VISIBLE int bind(int fd, __CONST_SOCKADDR_ARG addr, socklen_t len)
{
	struct preload_sock *s = sock_locked(fd);

	if (s) {
		int rc = preload_bind(s, addr.__sockaddr__, len);

		preload_unlock();
		return ret_int(rc);
	}
	if (is_memdev(fd))
		return ret_int(-ENOTSOCK);
	return real_bind()(fd, addr, len);
}

PRELOAD_VISIBLE int connect(int fd, __CONST_SOCKADDR_ARG addr, socklen_t len)
{
	if (lookup(fd, NULL))
		return ret_int(-EOPNOTSUPP); /* sock_no_connect() */
	if (is_memdev(fd))
		return ret_int(-ENOTSOCK);
	return real_connect()(fd, addr, len);
}

PRELOAD_VISIBLE int getsockname(int fd, __SOCKADDR_ARG addr, socklen_t *__restrict len)
{
	if (lookup(fd, NULL))
		return ret_int(-EOPNOTSUPP); /* sock_no_getname() */
	if (is_memdev(fd))
		return ret_int(-ENOTSOCK);
	return real_getsockname()(fd, addr, len);
}

PRELOAD_VISIBLE int getpeername(int fd, __SOCKADDR_ARG addr, socklen_t *__restrict len)
{
	if (lookup(fd, NULL))
		return ret_int(-EOPNOTSUPP);
	if (is_memdev(fd))
		return ret_int(-ENOTSOCK);
	return real_getpeername()(fd, addr, len);
}

PRELOAD_VISIBLE int shutdown(int fd, int how)
{
	if (lookup(fd, NULL))
		return ret_int(-EOPNOTSUPP); /* sock_no_shutdown() */
	if (is_memdev(fd))
		return ret_int(-ENOTSOCK);
	return real_shutdown()(fd, how);
}

/* ---- options ---- */

PRELOAD_VISIBLE int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	/* SOL_SOCKET options (SO_RCVTIMEO ...) work on the app end as on
	 * any socket. */
	struct preload_sock *s = level != SOL_SOCKET ? sock_locked(fd) : NULL;

	if (s) {
		int rc = preload_setsockopt(fd, s, level, name, val, len);

		preload_unlock();
		return ret_int(rc);
	}
	if (is_memdev(fd))
		return ret_int(-ENOTSOCK);
	return real_setsockopt()(fd, level, name, val, len);
}

PRELOAD_VISIBLE int getsockopt(int fd, int level, int name, void *__restrict val,
			       socklen_t *__restrict len)
{
	struct preload_sock *s =
		level != SOL_SOCKET || name == SO_DOMAIN ? sock_locked(fd) : NULL;

	if (s) {
		int rc = preload_getsockopt(fd, s, level, name, val, len);

		preload_unlock();
		return ret_int(rc);
	}
	if (is_memdev(fd))
		return ret_int(-ENOTSOCK);
	return real_getsockopt()(fd, level, name, val, len);
}

PRELOAD_VISIBLE int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	switch (req) {
	case FIONBIO: /* the VFS serves these for any file */
	case FIOASYNC:
	case FIOCLEX:
	case FIONCLEX:
		break;
	default:
		if (is_memdev(fd)) /* the rest go to cxl_memdev_ioctl() */
			return ret_int(preload_memdev_ioctl(fd, req, arg));
	}
	switch (req) {
	case FIONBIO: /* the VFS and socket layer serve these for any socket */
	case FIOASYNC:
	case FIOCLEX:
	case FIONCLEX:
	case FIOSETOWN:
	case SIOCSPGRP:
	case FIOGETOWN:
	case SIOCGPGRP:
		break;
	default:
		if (lookup(fd, NULL))
			return ret_int(preload_ioctl(fd, req, arg));
	}
	return real_ioctl()(fd, req, arg);
}

/* ---- sending ---- */

static ssize_t send_to(int fd, struct preload_sock *s, const void *buf, size_t len, int flags,
		       const struct sockaddr *to, socklen_t tolen)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = { .msg_name = (void *)to, .msg_namelen = to ? tolen : 0,
			    .msg_iov = &iov, .msg_iovlen = 1 };

	(void)fd;
	if (to && tolen > 128) /* move_addr_to_kernel() */
		return -EINVAL;
	return preload_sendmsg(s, &m, flags);
}

PRELOAD_VISIBLE ssize_t sendto(int fd, const void *buf, size_t len, int flags,
			       __CONST_SOCKADDR_ARG to, socklen_t tolen)
{
	struct preload_sock *s = sock_locked(fd);

	if (s) {
		ssize_t rc = send_to(fd, s, buf, len, flags, to.__sockaddr__, tolen);

		preload_unlock();
		return ret_ssize(rc);
	}
	if (is_memdev(fd))
		return ret_ssize(-ENOTSOCK);
	return real_sendto()(fd, buf, len, flags, to, tolen);
}

PRELOAD_VISIBLE ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	if (lookup(fd, NULL))
		return ret_ssize(-EDESTADDRREQ);
	if (is_memdev(fd))
		return ret_ssize(-ENOTSOCK);
	return real_send()(fd, buf, len, flags);
}

PRELOAD_VISIBLE ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct preload_sock *s = sock_locked(fd);

	if (s) {
		ssize_t rc = preload_sendmsg(s, msg, flags);

		preload_unlock();
		return ret_ssize(rc);
	}
	if (is_memdev(fd))
		return ret_ssize(-ENOTSOCK);
	return real_sendmsg()(fd, msg, flags);
}

PRELOAD_VISIBLE int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	struct preload_sock *s = sock_locked(fd);

	if (s) {
		ssize_t rc = 0;
		unsigned i;

		if (vlen > 1024)
			vlen = 1024; /* UIO_MAXIOV */
		for (i = 0; i < vlen; i++) {
			rc = preload_sendmsg(s, &vec[i].msg_hdr, flags);
			if (rc < 0)
				break;
			vec[i].msg_len = (unsigned)rc;
		}
		preload_unlock();
		return i ? (int)i : ret_int((int)rc);
	}
	if (is_memdev(fd))
		return ret_int(-ENOTSOCK);
	return real_sendmmsg()(fd, vec, vlen, flags);
}

PRELOAD_VISIBLE ssize_t write(int fd, const void *buf, size_t len)
{
	if (lookup(fd, NULL))
		return ret_ssize(-EDESTADDRREQ); /* a send without an address */
	if (is_memdev(fd))
		return ret_ssize(-EINVAL);
	return real_write()(fd, buf, len);
}

PRELOAD_VISIBLE ssize_t writev(int fd, const struct iovec *iov, int n)
{
	if (lookup(fd, NULL))
		return ret_ssize(-EDESTADDRREQ);
	if (is_memdev(fd))
		return ret_ssize(-EINVAL);
	return real_writev()(fd, iov, n);
}

/* ---- receiving ---- */

static ssize_t recv_from(int fd, bool ext, void *buf, size_t len, int flags,
			 struct sockaddr *from, socklen_t *fromlen)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_name = from && fromlen ? from : NULL,
			    .msg_namelen = from && fromlen ? *fromlen : 0,
			    .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t rc = preload_recvmsg(fd, ext, &m, flags);

	if (rc >= 0 && m.msg_name)
		*fromlen = m.msg_namelen;
	return rc;
}

PRELOAD_VISIBLE ssize_t recvfrom(int fd, void *__restrict buf, size_t len, int flags,
				 __SOCKADDR_ARG from, socklen_t *__restrict fromlen)
{
	bool ext = false;

	if (lookup(fd, &ext))
		return ret_ssize(recv_from(fd, ext, buf, len, flags, from.__sockaddr__, fromlen));
	if (is_memdev(fd))
		return ret_ssize(-ENOTSOCK);
	return real_recvfrom()(fd, buf, len, flags, from, fromlen);
}

PRELOAD_VISIBLE ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	if (lookup(fd, NULL))
		return ret_ssize(recv_from(fd, false, buf, len, flags, NULL, NULL));
	if (is_memdev(fd))
		return ret_ssize(-ENOTSOCK);
	return real_recv()(fd, buf, len, flags);
}

PRELOAD_VISIBLE ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	bool ext = false;

	if (lookup(fd, &ext))
		return ret_ssize(preload_recvmsg(fd, ext, msg, flags));
	if (is_memdev(fd))
		return ret_ssize(-ENOTSOCK);
	return real_recvmsg()(fd, msg, flags);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

PRELOAD_VISIBLE int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags,
			     struct timespec *tmo)
{
	bool ext = false;

	if (lookup(fd, &ext)) {
		long long end = tmo ? now_ns() + tmo->tv_sec * 1000000000ll + tmo->tv_nsec : 0;
		int f = flags & ~MSG_WAITFORONE;
		ssize_t rc = 0;
		unsigned i;

		/* do_recvmmsg(): MSG_WAITFORONE turns on MSG_DONTWAIT after
		 * the first message; the timeout is checked between them. */
		for (i = 0; i < vlen; i++) {
			rc = preload_recvmsg(fd, ext, &vec[i].msg_hdr, f);
			if (rc < 0)
				break;
			vec[i].msg_len = (unsigned)rc;
			if (flags & MSG_WAITFORONE)
				f |= MSG_DONTWAIT;
			if (tmo && now_ns() >= end) {
				i++;
				break;
			}
		}
		return i ? (int)i : ret_int((int)rc);
	}
	if (is_memdev(fd))
		return ret_int(-ENOTSOCK);
	return real_recvmmsg()(fd, vec, vlen, flags, tmo);
}

PRELOAD_VISIBLE ssize_t read(int fd, void *buf, size_t len)
{
	if (lookup(fd, NULL))
		return ret_ssize(recv_from(fd, false, buf, len, 0, NULL, NULL));
	if (is_memdev(fd))
		return ret_ssize(-EINVAL);
	return real_read()(fd, buf, len);
}

PRELOAD_VISIBLE ssize_t readv(int fd, const struct iovec *iov, int n)
{
	if (lookup(fd, NULL)) {
		struct msghdr m = { .msg_iov = (struct iovec *)iov };

		if (n < 0)
			return ret_ssize(-EINVAL);
		m.msg_iovlen = (size_t)n;
		return ret_ssize(preload_recvmsg(fd, false, &m, 0));
	}
	if (is_memdev(fd))
		return ret_ssize(-EINVAL);
	return real_readv()(fd, iov, n);
}

PRELOAD_VISIBLE ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	if (len > buflen)
		__chk_fail();
	if (lookup(fd, NULL) || !real___recv_chk())
		return recv(fd, buf, len, flags);
	return real___recv_chk()(fd, buf, len, buflen, flags);
}

PRELOAD_VISIBLE ssize_t __recvfrom_chk(int fd, void *__restrict buf, size_t len, size_t buflen,
				       int flags, __SOCKADDR_ARG from,
				       socklen_t *__restrict fromlen)
{
	if (len > buflen)
		__chk_fail();
	if (lookup(fd, NULL) || !real___recvfrom_chk())
		return recvfrom(fd, buf, len, flags, from, fromlen);
	return real___recvfrom_chk()(fd, buf, len, buflen, flags, from, fromlen);
}

PRELOAD_VISIBLE ssize_t __read_chk(int fd, void *buf, size_t nbytes, size_t buflen)
{
	if (nbytes > buflen)
		__chk_fail();
	if (lookup(fd, NULL) || !real___read_chk())
		return read(fd, buf, nbytes);
	return real___read_chk()(fd, buf, nbytes, buflen);
}

/* ---- fd lifetime ---- */

PRELOAD_VISIBLE int close(int fd)
{
	if (preload_maybe(fd)) {
		preload_lock();
		preload_fd_unmap(fd); /* the last fd of a socket frees it */
		preload_unlock();
	}
	return real_close()(fd);
}

/* A new fd for what old is: the same socket or memdev if old is one. */
static int dup_like(int old, int (*op)(int old, int arg), int arg)
{
	int n;

	preload_lock();
	n = op(old, arg);
	if (n >= 0 && preload_fd_dup(old, n)) {
		real_close()(n);
		n = -1;
		errno = ENOMEM;
	}
	preload_unlock();
	return n;
}

static int op_dup(int old, int arg)
{
	(void)arg;
	return real_dup()(old);
}

PRELOAD_VISIBLE int dup(int old)
{
	if (!preload_maybe(old))
		return real_dup()(old);
	return dup_like(old, op_dup, 0);
}

/* dup2/dup3: newfd is replaced whatever it was. */
static int dup_onto(int old, int newfd, int flags, bool three)
{
	int n;

	preload_lock();
	n = three ? real_dup3()(old, newfd, flags) : real_dup2()(old, newfd);
	if (n >= 0 && old != newfd) {
		preload_fd_unmap(newfd);
		if (preload_maybe(old) && preload_fd_dup(old, newfd)) {
			real_close()(newfd);
			n = -1;
			errno = ENOMEM;
		}
	}
	preload_unlock();
	return n;
}

PRELOAD_VISIBLE int dup2(int old, int newfd)
{
	if (!preload_maybe(old) && !preload_maybe(newfd))
		return real_dup2()(old, newfd);
	return dup_onto(old, newfd, 0, false);
}

PRELOAD_VISIBLE int dup3(int old, int newfd, int flags)
{
	if (!preload_maybe(old) && !preload_maybe(newfd))
		return real_dup3()(old, newfd, flags);
	return dup_onto(old, newfd, flags, true);
}

static int op_dupfd(int old, int arg)
{
	return real_fcntl()(old, F_DUPFD, arg);
}

static int op_dupfd_cloexec(int old, int arg)
{
	return real_fcntl()(old, F_DUPFD_CLOEXEC, arg);
}

static int fcntl_common(int (*next)(int, int, ...), int fd, int cmd, void *arg)
{
	if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && preload_maybe(fd))
		return dup_like(fd, cmd == F_DUPFD ? op_dupfd : op_dupfd_cloexec,
				(int)(intptr_t)arg);
	return next(fd, cmd, arg);
}

PRELOAD_VISIBLE int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	/* As glibc's own wrapper: every fcntl argument fits a pointer. */
	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(real_fcntl(), fd, cmd, arg);
}

PRELOAD_VISIBLE int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(real_fcntl64() ? real_fcntl64() : real_fcntl(), fd, cmd, arg);
}

#ifdef PRELOAD_HAVE_CLOSE_RANGE
PRELOAD_VISIBLE int close_range(unsigned int first, unsigned int last, int flags)
{
	int rc;

	if (!atomic_load(&preload_active)) {
		if (real_close_range())
			return real_close_range()(first, last, flags);
		return (int)syscall(SYS_close_range, first, last, flags);
	}
	preload_lock();
	if (!((unsigned)flags & CLOSE_RANGE_CLOEXEC) && first <= last)
		preload_fd_unmap_range(first, last);
	if (real_close_range())
		rc = real_close_range()(first, last, flags);
	else
		rc = (int)syscall(SYS_close_range, first, last, flags);
	preload_unlock();
	return rc;
}
#endif

#ifdef PRELOAD_HAVE_CLOSEFROM
static void do_closefrom(int low)
{
	if (real_closefrom())
		real_closefrom()(low);
	else
		syscall(SYS_close_range, (unsigned)low, ~0u, 0);
}

PRELOAD_VISIBLE void closefrom(int low)
{
	if (atomic_load(&preload_active) && low >= 0) {
		preload_lock();
		preload_fd_unmap_range((unsigned)low, ~0u);
		do_closefrom(low);
		preload_unlock();
		return;
	}
	do_closefrom(low);
}
#endif
