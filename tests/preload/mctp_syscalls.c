/* SPDX-License-Identifier: MIT */
/*
 * THEORY OF OPERATION: every system call path of an AF_MCTP socket, written
 * against the kernel API only (no libcxlfm), run under
 * LD_PRELOAD=libcxlfm-mctp-preload.so (or linked with the shim's code for
 * the sanitizer builds) against cxl-emu's RFC target topology; CXLFM_BUS
 * names its bus. The program sets the shim's other variables itself before
 * its first AF_MCTP socket:
 *   EID 8 -> the switch (0x04), 9 -> the DCD (0x06), 12 -> 0x30 where nobody
 *   is (never answered), 13 -> 0x22, this program's own raw bus controller
 *   (it checks the frames the shim sends and plays a requester for bind()).
 * The first test runs before any AF_MCTP socket exists: the shim must have
 * left the process alone (no thread, no fd). Exit status: failed tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mctp_uapi.h"

#define SW_EID 8
#define DCD_EID 9
#define SILENT_EID 12
#define CTL_EID 13       /* pinned to our raw controller */
#define CTL_EID2 14      /* not pinned: the shim learns it from a request */
#define CTL_ADDR 0x22
#define OWN_EID 0x40
#define OWN_ADDR 0x10
#define LIFETIME_MS 700
#define IFINDEX 100      /* the shim's bus interface (docs/preload.md) */
#define MSG_CCI 0x08
#define ID_RSP_LEN 30    /* Identify response: 12 + 18 */

static const char *bus_path;

/* ---- helpers ---- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static struct sockaddr_mctp maddr(uint8_t eid, uint8_t type, uint8_t tag)
{
	struct sockaddr_mctp a;

	memset(&a, 0, sizeof(a));
	a.smctp_family = AF_MCTP;
	a.smctp_network = 1;
	a.smctp_addr.s_addr = eid;
	a.smctp_type = type;
	a.smctp_tag = tag;
	return a;
}

static int msock(void)
{
	int sd = socket(AF_MCTP, SOCK_DGRAM, 0);

	assert_true(sd >= 0);
	return sd;
}

/* An Identify (0001h) request with CCI tag tag. */
static void identify_req(uint8_t *buf, uint8_t tag)
{
	memset(buf, 0, 12);
	buf[1] = tag;
	buf[3] = 0x01;
}

static void send_identify(int sd, uint8_t eid, uint8_t tag)
{
	struct sockaddr_mctp a = maddr(eid, MSG_CCI, MCTP_TAG_OWNER);
	uint8_t req[12];

	identify_req(req, tag);
	assert_int_equal(sendto(sd, req, sizeof(req), 0, (struct sockaddr *)&a, sizeof(a)), 12);
}

static void check_identify(const uint8_t *rsp, ssize_t n, uint8_t tag)
{
	assert_int_equal(n, ID_RSP_LEN);
	assert_int_equal(rsp[0], 1);
	assert_int_equal(rsp[1], tag);
	assert_int_equal(rsp[3], 0x01);
	assert_int_equal(rsp[8] | rsp[9] << 8, 0);
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* ---- a raw bus controller (DSP0237 frames by hand) ---- */

static uint8_t pec(const uint8_t *b, size_t n)
{
	uint8_t c = 0;

	for (size_t i = 0; i < n; i++) {
		c ^= b[i];
		for (int k = 0; k < 8; k++)
			c = (uint8_t)(c & 0x80 ? (c << 1) ^ 0x07 : c << 1);
	}
	return c;
}

struct frame {
	uint8_t dest, src, deid, seid, flags;
	uint8_t msg[256];
	size_t len;
};

#define F_SOM 0x80
#define F_EOM 0x40
#define F_TO 0x08

static void ctl_send(int fd, uint8_t dest, uint8_t deid, uint8_t seid, uint8_t flags,
		     const uint8_t *msg, size_t len)
{
	uint8_t f[300];

	f[0] = (uint8_t)(dest << 1);
	f[1] = 0x0f;
	f[2] = (uint8_t)(1 + 4 + len);
	f[3] = (uint8_t)(CTL_ADDR << 1 | 1);
	f[4] = 0x01;
	f[5] = deid;
	f[6] = seid;
	f[7] = flags;
	memcpy(f + 8, msg, len);
	f[8 + len] = pec(f, 8 + len);
	assert_int_equal(send(fd, f, 9 + len, 0), (ssize_t)(9 + len));
}

/* The next MCTP frame that is not a control message, or false. */
static bool ctl_recv(int fd, int timeout_ms, struct frame *fr)
{
	long end = now_ms() + timeout_ms;
	uint8_t b[300];

	for (long left; (left = end - now_ms()) > 0;) {
		ssize_t n;

		if (!readable(fd, (int)left))
			break;
		n = recv(fd, b, sizeof(b), 0);
		assert_true(n > 0);
		if (n < 10 || b[1] != 0x0f || b[2] != n - 4 || pec(b, (size_t)n - 1) != b[n - 1])
			continue; /* a NACK or junk */
		fr->dest = b[0] >> 1;
		fr->src = b[3] >> 1;
		fr->deid = b[5];
		fr->seid = b[6];
		fr->flags = b[7];
		fr->len = (size_t)n - 9;
		memcpy(fr->msg, b + 8, fr->len);
		if ((fr->msg[0] & 0x7f) == 0x00)
			continue; /* MCTP control (a probe): not for these tests */
		return true;
	}
	return false;
}

static int ctl_fd = -1;

/* Connect as controller CTL_ADDR: a frame to ourselves proves the claim. */
static int ctl_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint8_t hello[1] = { 0x7e };
	struct frame fr;
	int fd;

	if (ctl_fd >= 0)
		return ctl_fd;
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", bus_path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ctl_send(fd, CTL_ADDR, 0, 0, F_SOM | F_EOM, hello, 1);
	assert_true(ctl_recv(fd, 1000, &fr));
	assert_int_equal(fr.src, CTL_ADDR);
	ctl_fd = fd;
	return fd;
}

/* ---- tests ---- */

/* Before any AF_MCTP socket: everything is the kernel's, the shim did nothing. */
static void test_untouched(void **state)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(in);
	int fds = count_dir("/proc/self/fd");
	int u, sv[2], p[2], d, v = 0;
	char buf[16];

	(void)state;
	assert_int_equal(count_dir("/proc/self/task"), 1);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(u >= 0);
	assert_int_equal(bind(u, (struct sockaddr *)&in, sizeof(in)), 0);
	assert_int_equal(getsockname(u, (struct sockaddr *)&in, &len), 0);
	assert_int_equal(sendto(u, "udp", 3, 0, (struct sockaddr *)&in, len), 3);
	assert_int_equal(recvfrom(u, buf, sizeof(buf), 0, NULL, NULL), 3);
	len = sizeof(v);
	assert_int_equal(getsockopt(u, SOL_SOCKET, SO_DOMAIN, &v, &len), 0);
	assert_int_equal(v, AF_INET);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	assert_int_equal(write(sv[0], "ab", 2), 2);
	assert_int_equal(ioctl(sv[1], FIONREAD, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(read(sv[1], buf, sizeof(buf)), 2);
	assert_int_equal(send(sv[1], "cd", 2, 0), 2);
	assert_int_equal(recv(sv[0], buf, sizeof(buf), 0), 2);
	assert_int_equal(pipe(p), 0);
	d = dup(p[1]);
	assert_int_equal(write(d, "x", 1), 1);
	assert_int_equal(dup2(p[1], d), d);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(read(p[0], buf, 2), 1);
	assert_int_equal(read(p[0], buf, 2), -1);
	assert_int_equal(errno, EAGAIN);
	close(d);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	close(u);
	assert_int_equal(count_dir("/proc/self/fd"), fds);
	assert_int_equal(count_dir("/proc/self/task"), 1);
}

static void test_socket(void **state)
{
	int sd, v = 0;
	socklen_t len = sizeof(v);
	int sv[2];

	(void)state;
	errno = 0;
	assert_int_equal(socket(AF_MCTP, SOCK_STREAM, 0), -1);
	assert_int_equal(errno, ESOCKTNOSUPPORT);
	assert_int_equal(socket(AF_MCTP, SOCK_DGRAM, 1), -1);
	assert_int_equal(errno, EPROTONOSUPPORT);
	assert_int_equal(socket(AF_MCTP, SOCK_DGRAM | 0x100, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(socketpair(AF_MCTP, SOCK_DGRAM, 0, sv), -1);
	assert_int_equal(errno, EOPNOTSUPP);

	sd = socket(AF_MCTP, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(sd >= 0);
	assert_true(fcntl(sd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(sd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(getsockopt(sd, SOL_SOCKET, SO_DOMAIN, &v, &len), 0);
	assert_int_equal(v, AF_MCTP);
	assert_int_equal(getsockopt(sd, SOL_SOCKET, SO_TYPE, &v, &len), 0);
	assert_int_equal(v, SOCK_DGRAM);
	close(sd);
	sd = msock();
	assert_false(fcntl(sd, F_GETFL) & O_NONBLOCK);
	assert_false(fcntl(sd, F_GETFD) & FD_CLOEXEC);
	close(sd);
	/* now the shim runs: one thread of its own */
	assert_int_equal(count_dir("/proc/self/task"), 2);
}

static void test_sendto_recvfrom(void **state)
{
	struct sockaddr_mctp src;
	socklen_t slen = sizeof(src);
	uint8_t rsp[64];
	int sd = msock();
	ssize_t n;

	(void)state;
	send_identify(sd, SW_EID, 0x11);
	memset(&src, 0xee, sizeof(src));
	n = recvfrom(sd, rsp, sizeof(rsp), 0, (struct sockaddr *)&src, &slen);
	check_identify(rsp, n, 0x11);
	assert_int_equal(rsp[12 + 17], 0x00); /* a switch */
	assert_int_equal(slen, sizeof(struct sockaddr_mctp));
	assert_int_equal(src.smctp_family, AF_MCTP);
	assert_int_equal(src.__smctp_pad0, 0);
	assert_int_equal(src.smctp_network, 1);
	assert_int_equal(src.smctp_addr.s_addr, SW_EID);
	assert_int_equal(src.smctp_type, MSG_CCI);
	assert_int_equal(src.smctp_tag & ~MCTP_TAG_MASK, 0); /* tag, TO clear */
	assert_int_equal(src.__smctp_pad1, 0);

	/* network 0 is "any": the default one */
	struct sockaddr_mctp a = maddr(DCD_EID, MSG_CCI, MCTP_TAG_OWNER);
	uint8_t req[12];
	a.smctp_network = MCTP_NET_ANY;
	identify_req(req, 0x12);
	assert_int_equal(sendto(sd, req, 12, 0, (struct sockaddr *)&a, sizeof(a)), 12);
	n = recv(sd, rsp, sizeof(rsp), 0);
	check_identify(rsp, n, 0x12);
	assert_int_equal(rsp[12 + 17], 0x03); /* type 3 */

	/* a short address buffer: truncated copy, full length reported */
	send_identify(sd, SW_EID, 0x13);
	memset(&src, 0, sizeof(src));
	slen = 4;
	n = recvfrom(sd, rsp, sizeof(rsp), 0, (struct sockaddr *)&src, &slen);
	check_identify(rsp, n, 0x13);
	assert_int_equal(slen, 12);
	assert_int_equal(src.smctp_family, AF_MCTP);
	assert_int_equal(src.smctp_network, 0); /* not copied */
	close(sd);
}

static void test_sendmsg_recvmsg(void **state)
{
	struct sockaddr_mctp a = maddr(SW_EID, MSG_CCI, MCTP_TAG_OWNER), src;
	uint8_t req[12], part1[5], part2[64];
	struct iovec out[2] = { { req, 3 }, { req + 3, 9 } };
	struct iovec in[2] = { { part1, sizeof(part1) }, { part2, sizeof(part2) } };
	struct msghdr m = { .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = out,
			    .msg_iovlen = 2 };
	uint8_t rsp[ID_RSP_LEN];
	int sd = msock();
	ssize_t n;

	(void)state;
	identify_req(req, 0x21);
	assert_int_equal(sendmsg(sd, &m, 0), 12);
	memset(&m, 0, sizeof(m));
	m.msg_name = &src;
	m.msg_namelen = sizeof(src);
	m.msg_iov = in;
	m.msg_iovlen = 2;
	m.msg_flags = -1;
	n = recvmsg(sd, &m, 0);
	assert_int_equal(n, ID_RSP_LEN);
	memcpy(rsp, part1, 5);
	memcpy(rsp + 5, part2, ID_RSP_LEN - 5);
	check_identify(rsp, n, 0x21);
	assert_int_equal(m.msg_flags, 0);
	assert_int_equal(m.msg_namelen, sizeof(src));
	assert_int_equal(src.smctp_addr.s_addr, SW_EID);
	close(sd);
}

static void test_trunc_peek(void **state)
{
	uint8_t small[8], rsp[64];
	struct iovec iov = { small, sizeof(small) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	int sd = msock();

	(void)state;
	/* cut: the bytes that fit, MSG_TRUNC in msg_flags, the rest gone */
	send_identify(sd, SW_EID, 0x31);
	assert_int_equal(recvmsg(sd, &m, 0), (ssize_t)sizeof(small));
	assert_true(m.msg_flags & MSG_TRUNC);
	assert_int_equal(small[1], 0x31);
	assert_int_equal(recv(sd, rsp, sizeof(rsp), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);

	/* MSG_TRUNC asked: the whole length comes back */
	send_identify(sd, SW_EID, 0x32);
	assert_int_equal(recv(sd, small, sizeof(small), MSG_TRUNC), ID_RSP_LEN);
	assert_int_equal(small[1], 0x32);

	/* a whole message: no MSG_TRUNC */
	send_identify(sd, SW_EID, 0x33);
	iov = (struct iovec){ rsp, sizeof(rsp) };
	m.msg_flags = 0;
	assert_int_equal(recvmsg(sd, &m, 0), ID_RSP_LEN);
	assert_false(m.msg_flags & MSG_TRUNC);

	/* MSG_PEEK leaves it queued */
	send_identify(sd, SW_EID, 0x34);
	assert_int_equal(recv(sd, small, sizeof(small), MSG_PEEK), (ssize_t)sizeof(small));
	assert_int_equal(small[1], 0x34);
	check_identify(rsp, recv(sd, rsp, sizeof(rsp), 0), 0x34);
	close(sd);
}

static void test_nonblocking(void **state)
{
	uint8_t rsp[64];
	int sd = msock(), on = 1;

	(void)state;
	assert_int_equal(recv(sd, rsp, sizeof(rsp), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(fcntl(sd, F_SETFL, fcntl(sd, F_GETFL) | O_NONBLOCK), 0);
	assert_int_equal(recv(sd, rsp, sizeof(rsp), 0), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(read(sd, rsp, sizeof(rsp)), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(recvfrom(sd, rsp, sizeof(rsp), 0, NULL, NULL), -1);
	assert_int_equal(errno, EAGAIN);
	close(sd);
	sd = msock();
	assert_int_equal(ioctl(sd, FIONBIO, &on), 0);
	assert_int_equal(recv(sd, rsp, sizeof(rsp), 0), -1);
	assert_int_equal(errno, EAGAIN);
	/* non-blocking read of an answer that is there */
	send_identify(sd, SW_EID, 0x41);
	assert_true(readable(sd, 2000));
	check_identify(rsp, read(sd, rsp, sizeof(rsp)), 0x41);
	close(sd);
}

static void test_rcvtimeo(void **state)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 300000 }, got;
	socklen_t len = sizeof(got);
	uint8_t rsp[64];
	int sd = msock();
	long t0;

	(void)state;
	assert_int_equal(setsockopt(sd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	assert_int_equal(getsockopt(sd, SOL_SOCKET, SO_RCVTIMEO, &got, &len), 0);
	assert_int_equal(got.tv_usec / 1000, 300);
	/* nothing asked: the timeout passes */
	t0 = now_ms();
	assert_int_equal(recv(sd, rsp, sizeof(rsp), 0), -1);
	assert_int_equal(errno, EAGAIN);
	assert_true(now_ms() - t0 >= 250);
	/* asked an EID whose address nobody holds: sent, never answered */
	send_identify(sd, SILENT_EID, 0x51);
	t0 = now_ms();
	assert_int_equal(recvfrom(sd, rsp, sizeof(rsp), 0, NULL, NULL), -1);
	assert_int_equal(errno, EAGAIN);
	assert_true(now_ms() - t0 >= 250 && now_ms() - t0 < 2000);
	/* and an answer inside the timeout still comes */
	send_identify(sd, SW_EID, 0x52);
	check_identify(rsp, recv(sd, rsp, sizeof(rsp), 0), 0x52);
	close(sd);
}

static void test_readiness(void **state)
{
	struct timespec zero = { 0 }, two = { .tv_sec = 2 };
	struct epoll_event ev = { .events = EPOLLIN }, got;
	uint8_t rsp[64];
	int sd = msock(), ep = epoll_create1(0);
	struct pollfd p = { .fd = sd, .events = POLLIN | POLLOUT };
	struct timeval tv;
	fd_set rd;

	(void)state;
	assert_true(ep >= 0);
	ev.data.fd = sd;
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, sd, &ev), 0);
	/* nothing queued: writable, not readable */
	assert_int_equal(poll(&p, 1, 0), 1);
	assert_int_equal(p.revents, POLLOUT);
	assert_int_equal(epoll_wait(ep, &got, 1, 0), 0);

	/* poll */
	send_identify(sd, SW_EID, 0x61);
	p.events = POLLIN;
	assert_int_equal(poll(&p, 1, 2000), 1);
	assert_int_equal(p.revents, POLLIN);
	check_identify(rsp, recv(sd, rsp, sizeof(rsp), 0), 0x61);
	assert_int_equal(poll(&p, 1, 0), 0);

	/* ppoll */
	send_identify(sd, SW_EID, 0x62);
	assert_int_equal(ppoll(&p, 1, &two, NULL), 1);
	check_identify(rsp, recv(sd, rsp, sizeof(rsp), 0), 0x62);
	assert_int_equal(ppoll(&p, 1, &zero, NULL), 0);

	/* select */
	send_identify(sd, SW_EID, 0x63);
	FD_ZERO(&rd);
	FD_SET(sd, &rd);
	tv = (struct timeval){ .tv_sec = 2 };
	assert_int_equal(select(sd + 1, &rd, NULL, NULL, &tv), 1);
	assert_true(FD_ISSET(sd, &rd));
	check_identify(rsp, recv(sd, rsp, sizeof(rsp), 0), 0x63);

	/* pselect */
	send_identify(sd, SW_EID, 0x64);
	FD_ZERO(&rd);
	FD_SET(sd, &rd);
	assert_int_equal(pselect(sd + 1, &rd, NULL, NULL, &two, NULL), 1);
	check_identify(rsp, recv(sd, rsp, sizeof(rsp), 0), 0x64);
	FD_ZERO(&rd);
	FD_SET(sd, &rd);
	assert_int_equal(pselect(sd + 1, &rd, NULL, NULL, &zero, NULL), 0);

	/* epoll */
	send_identify(sd, SW_EID, 0x65);
	assert_int_equal(epoll_wait(ep, &got, 1, 2000), 1);
	assert_int_equal(got.data.fd, sd);
	assert_true(got.events & EPOLLIN);
	check_identify(rsp, recv(sd, rsp, sizeof(rsp), 0), 0x65);
	assert_int_equal(epoll_wait(ep, &got, 1, 0), 0);
	close(ep);
	close(sd);
}

static void expect_send_err(int sd, const void *addr, socklen_t alen, int err)
{
	uint8_t req[12];

	identify_req(req, 0x71);
	errno = 0;
	assert_int_equal(sendto(sd, req, sizeof(req), 0, addr, alen), -1);
	assert_int_equal(errno, err);
}

static void test_errors(void **state)
{
	struct sockaddr_mctp a;
	uint8_t big[3000] = { 0 }, buf[16];
	int sd = msock(), v = 1;
	socklen_t len = sizeof(v);

	(void)state;
	a = maddr(0x77, MSG_CCI, MCTP_TAG_OWNER); /* nobody has this EID */
	expect_send_err(sd, &a, sizeof(a), EHOSTUNREACH);
	a = maddr(SW_EID, MSG_CCI, MCTP_TAG_OWNER);
	a.smctp_network = 2; /* no such network */
	expect_send_err(sd, &a, sizeof(a), EHOSTUNREACH);
	a = maddr(SW_EID, MSG_CCI, MCTP_TAG_OWNER);
	expect_send_err(sd, &a, sizeof(a) - 1, EINVAL);
	a.smctp_family = AF_INET;
	expect_send_err(sd, &a, sizeof(a), EINVAL);
	a = maddr(SW_EID, MSG_CCI, MCTP_TAG_OWNER);
	a.__smctp_pad0 = 1;
	expect_send_err(sd, &a, sizeof(a), EINVAL);
	a = maddr(SW_EID, MSG_CCI, 0x20); /* undefined tag bit */
	expect_send_err(sd, &a, sizeof(a), EINVAL);
	a = maddr(SW_EID, MSG_CCI, MCTP_TAG_PREALLOC); /* preallocated needs TO */
	expect_send_err(sd, &a, sizeof(a), EINVAL);
	a = maddr(SW_EID, MSG_CCI, MCTP_TAG_PREALLOC | MCTP_TAG_OWNER); /* none allocated */
	expect_send_err(sd, &a, sizeof(a), ENOENT);
	expect_send_err(sd, NULL, 0, EDESTADDRREQ);
	a = maddr(SW_EID, MSG_CCI, MCTP_TAG_OWNER);
	assert_int_equal(sendto(sd, big, sizeof(big), 0, (struct sockaddr *)&a, sizeof(a)), -1);
	assert_int_equal(errno, EMSGSIZE);

	assert_int_equal(send(sd, buf, 12, 0), -1);
	assert_int_equal(errno, EDESTADDRREQ);
	assert_int_equal(write(sd, buf, 12), -1);
	assert_int_equal(errno, EDESTADDRREQ);
	assert_int_equal(connect(sd, (struct sockaddr *)&a, sizeof(a)), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	len = sizeof(a);
	assert_int_equal(getsockname(sd, (struct sockaddr *)&a, &len), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(getpeername(sd, (struct sockaddr *)&a, &len), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(shutdown(sd, SHUT_RDWR), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(recv(sd, buf, sizeof(buf), MSG_WAITALL), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(listen(sd, 1), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(setsockopt(sd, IPPROTO_TCP, 1, &v, sizeof(v)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(setsockopt(sd, SOL_MCTP, 99, &v, sizeof(v)), -1);
	assert_int_equal(errno, ENOPROTOOPT);
	assert_int_equal(setsockopt(sd, SOL_MCTP, MCTP_OPT_ADDR_EXT, &v, 1), -1);
	assert_int_equal(errno, EINVAL);
	len = sizeof(v);
	assert_int_equal(getsockopt(sd, SOL_MCTP, 99, &v, &len), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ioctl(sd, FIONREAD, &v), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ioctl(sd, SIOCMCTPALLOCTAG, buf), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	close(sd);
}

static void test_close(void **state)
{
	uint8_t rsp[64];
	int sd = msock(), sd2, p[2];
	struct timeval tv = { .tv_usec = 300000 };

	(void)state;
	/* closed with an answer on its way: nobody else gets it */
	send_identify(sd, SW_EID, 0x81);
	assert_int_equal(close(sd), 0);
	sd2 = msock();
	assert_int_equal(setsockopt(sd2, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	assert_int_equal(recv(sd2, rsp, sizeof(rsp), 0), -1);
	assert_int_equal(errno, EAGAIN);
	send_identify(sd2, SW_EID, 0x82);
	check_identify(rsp, recv(sd2, rsp, sizeof(rsp), 0), 0x82);
	/* the number, reused by a pipe, is a pipe */
	assert_int_equal(close(sd2), 0);
	assert_int_equal(pipe(p), 0);
	assert_true(p[0] == sd2 || p[1] == sd2);
	assert_int_equal(write(p[1], "pipe", 4), 4);
	assert_int_equal(read(p[0], rsp, sizeof(rsp)), 4);
	close(p[0]);
	close(p[1]);
	/* close_range() closes sockets too */
	sd = msock();
	assert_int_equal(close_range((unsigned)sd, (unsigned)sd, 0), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(read(p[0], rsp, sizeof(rsp)), 1);
	close(p[0]);
	close(p[1]);
}

static void test_dup(void **state)
{
	uint8_t rsp[64];
	int sd = msock(), d, d2, d3, p[2];

	(void)state;
	d = dup(sd);
	assert_true(d >= 0);
	send_identify(d, SW_EID, 0x91); /* sent on the dup, read on the original */
	check_identify(rsp, recv(sd, rsp, sizeof(rsp), 0), 0x91);
	close(sd);
	send_identify(d, SW_EID, 0x92); /* the socket lives while one fd names it */
	check_identify(rsp, recv(d, rsp, sizeof(rsp), 0), 0x92);
	d2 = fcntl(d, F_DUPFD_CLOEXEC, 100);
	assert_true(d2 >= 100);
	send_identify(d2, SW_EID, 0x93);
	check_identify(rsp, recv(d, rsp, sizeof(rsp), 0), 0x93);
	assert_int_equal(pipe(p), 0);
	d3 = dup2(d, p[1]); /* replaces the pipe's write end */
	assert_int_equal(d3, p[1]);
	send_identify(d3, SW_EID, 0x94);
	check_identify(rsp, recv(d2, rsp, sizeof(rsp), 0), 0x94);
	assert_int_equal(dup3(p[0], d3, 0), d3); /* and back to a plain fd: */
	assert_int_equal(read(d3, rsp, 1), 0);   /* a pipe without a writer left */
	close(p[0]);
	close(d3);
	close(d);
	close(d2);
}

static void test_addr_ext(void **state)
{
	struct sockaddr_mctp_ext x;
	socklen_t len = sizeof(x);
	uint8_t rsp[64], req[12];
	int sd = msock(), on = 1, v = 0;

	(void)state;
	assert_int_equal(setsockopt(sd, SOL_MCTP, MCTP_OPT_ADDR_EXT, &on, sizeof(on)), 0);
	len = sizeof(v);
	assert_int_equal(getsockopt(sd, SOL_MCTP, MCTP_OPT_ADDR_EXT, &v, &len), 0);
	assert_int_equal(v, 1);
	send_identify(sd, SW_EID, 0xa1);
	len = sizeof(x);
	check_identify(rsp, recvfrom(sd, rsp, sizeof(rsp), 0, (struct sockaddr *)&x, &len), 0xa1);
	assert_int_equal(len, sizeof(x));
	assert_int_equal(x.smctp_base.smctp_addr.s_addr, SW_EID);
	assert_int_equal(x.smctp_ifindex, IFINDEX);
	assert_int_equal(x.smctp_halen, 1);
	assert_int_equal(x.smctp_haddr[0], 0x04); /* the switch's I2C address */

	/* direct addressing: to the I2C address */
	memset(&x, 0, sizeof(x));
	x.smctp_base = maddr(DCD_EID, MSG_CCI, MCTP_TAG_OWNER);
	x.smctp_ifindex = IFINDEX;
	x.smctp_halen = 1;
	x.smctp_haddr[0] = 0x06;
	identify_req(req, 0xa2);
	assert_int_equal(sendto(sd, req, 12, 0, (struct sockaddr *)&x, sizeof(x)), 12);
	check_identify(rsp, recv(sd, rsp, sizeof(rsp), 0), 0xa2);
	assert_int_equal(rsp[12 + 17], 0x03);
	x.smctp_ifindex = IFINDEX + 1; /* no such interface */
	assert_int_equal(sendto(sd, req, 12, 0, (struct sockaddr *)&x, sizeof(x)), -1);
	assert_int_equal(errno, EINVAL);
	close(sd);
}

/* A request to a controller: the frame the shim sends, and the answer back. */
static void test_request_on_the_wire(void **state)
{
	const uint8_t msg[] = { 0xde, 0xad, 0xbe, 0xef };
	struct sockaddr_mctp a = maddr(CTL_EID, 0x7d, MCTP_TAG_OWNER), src;
	socklen_t slen = sizeof(src);
	int ctl = ctl_open(), sd = msock();
	uint8_t rsp[16], tag;
	struct frame fr;

	(void)state;
	assert_int_equal(sendto(sd, msg, sizeof(msg), 0, (struct sockaddr *)&a, sizeof(a)), 4);
	assert_true(ctl_recv(ctl, 2000, &fr));
	assert_int_equal(fr.dest, CTL_ADDR);
	assert_int_equal(fr.src, OWN_ADDR);
	assert_int_equal(fr.deid, CTL_EID);
	assert_int_equal(fr.seid, OWN_EID);
	assert_int_equal(fr.flags & (F_SOM | F_EOM | F_TO), F_SOM | F_EOM | F_TO);
	assert_int_equal(fr.len, 1 + sizeof(msg));
	assert_int_equal(fr.msg[0], 0x7d); /* the type byte from the address */
	assert_memory_equal(fr.msg + 1, msg, sizeof(msg));
	tag = fr.flags & 7;

	/* the answer: TO clear, same tag */
	const uint8_t answer[] = { 0x7d, 'o', 'k' };
	ctl_send(ctl, OWN_ADDR, OWN_EID, CTL_EID, (uint8_t)(F_SOM | F_EOM | tag), answer, 3);
	assert_true(readable(sd, 2000));
	assert_int_equal(recvfrom(sd, rsp, sizeof(rsp), 0, (struct sockaddr *)&src, &slen), 2);
	assert_memory_equal(rsp, "ok", 2);
	assert_int_equal(src.smctp_addr.s_addr, CTL_EID);
	assert_int_equal(src.smctp_type, 0x7d);
	assert_int_equal(src.smctp_tag, tag);
	close(sd);
}

/* bind(): requests from another controller, and the answers. */
static void test_bind(void **state)
{
	struct sockaddr_mctp b = maddr(MCTP_ADDR_ANY, MSG_CCI, 0), src, r;
	socklen_t slen = sizeof(src);
	const uint8_t req[] = { MSG_CCI, 1, 2, 3 };
	int ctl = ctl_open(), sd = msock(), other = msock(), newer;
	uint8_t buf[16];
	struct frame fr;

	(void)state;
	b.smctp_network = MCTP_NET_ANY;
	assert_int_equal(bind(sd, (struct sockaddr *)&b, sizeof(b) - 1), -1);
	assert_int_equal(errno, EINVAL);
	b.smctp_family = AF_INET;
	assert_int_equal(bind(sd, (struct sockaddr *)&b, sizeof(b)), -1);
	assert_int_equal(errno, EAFNOSUPPORT);
	b.smctp_family = AF_MCTP;
	assert_int_equal(bind(sd, (struct sockaddr *)&b, sizeof(b)), 0);
	assert_int_equal(bind(sd, (struct sockaddr *)&b, sizeof(b)), -1);
	assert_int_equal(errno, EADDRINUSE);

	/* a request from EID 14, which the shim learns to route to */
	ctl_send(ctl, OWN_ADDR, OWN_EID, CTL_EID2, F_SOM | F_EOM | F_TO | 5, req, sizeof(req));
	assert_true(readable(sd, 2000));
	assert_int_equal(recvfrom(sd, buf, sizeof(buf), 0, (struct sockaddr *)&src, &slen), 3);
	assert_memory_equal(buf, req + 1, 3);
	assert_int_equal(src.smctp_addr.s_addr, CTL_EID2);
	assert_int_equal(src.smctp_type, MSG_CCI);
	assert_int_equal(src.smctp_tag, MCTP_TAG_OWNER | 5);
	assert_false(readable(other, 0));

	/* the answer: tag without TO, to the requester */
	r = maddr(CTL_EID2, MSG_CCI, 5);
	assert_int_equal(sendto(sd, "abc", 3, 0, (struct sockaddr *)&r, sizeof(r)), 3);
	assert_true(ctl_recv(ctl, 2000, &fr));
	assert_int_equal(fr.dest, CTL_ADDR);
	assert_int_equal(fr.deid, CTL_EID2);
	assert_int_equal(fr.seid, OWN_EID);
	assert_int_equal(fr.flags & (F_SOM | F_EOM | F_TO | 7), F_SOM | F_EOM | 5);
	assert_int_equal(fr.len, 4);
	assert_int_equal(fr.msg[0], MSG_CCI);
	assert_memory_equal(fr.msg + 1, "abc", 3);

	/* not for us, no socket for the type: dropped */
	ctl_send(ctl, OWN_ADDR, 0x55, CTL_EID2, F_SOM | F_EOM | F_TO | 1, req, sizeof(req));
	const uint8_t req2[] = { 0x7c, 9 };
	ctl_send(ctl, OWN_ADDR, OWN_EID, CTL_EID2, F_SOM | F_EOM | F_TO | 2, req2, sizeof(req2));
	assert_false(readable(sd, 200));
	assert_false(readable(other, 0));

	/* the newest bind for a type gets its requests */
	newer = msock();
	b.smctp_addr.s_addr = OWN_EID;
	assert_int_equal(bind(newer, (struct sockaddr *)&b, sizeof(b)), 0);
	ctl_send(ctl, OWN_ADDR, OWN_EID, CTL_EID, F_SOM | F_EOM | F_TO | 6, req, sizeof(req));
	assert_true(readable(newer, 2000));
	assert_false(readable(sd, 0));
	assert_int_equal(recv(newer, buf, sizeof(buf), 0), 3);
	close(newer);
	close(other);
	close(sd);
}

/* Unanswered requests hold their tags for CXLFM_TIMEOUT_MS, then free them. */
static void test_tag_lifetime(void **state)
{
	struct sockaddr_mctp a = maddr(CTL_EID, 0x7d, MCTP_TAG_OWNER);
	int ctl = ctl_open(), sd = msock();
	uint8_t seen = 0;
	struct frame fr;
	long t0;

	(void)state;
	for (int i = 0; i < 9; i++)
		assert_int_equal(sendto(sd, "q", 1, 0, (struct sockaddr *)&a, sizeof(a)), 1);
	t0 = now_ms();
	for (int i = 0; i < 8; i++) {
		assert_true(ctl_recv(ctl, 1000, &fr));
		assert_true(fr.flags & F_TO);
		seen |= (uint8_t)(1u << (fr.flags & 7));
	}
	assert_int_equal(seen, 0xff); /* eight distinct tags */
	/* the ninth waits for a tag */
	assert_true(ctl_recv(ctl, LIFETIME_MS + 1500, &fr));
	assert_true(now_ms() - t0 >= LIFETIME_MS - 100);
	close(sd);
}

static void test_many_in_flight(void **state)
{
	uint8_t rsp[64];
	uint32_t seen = 0;
	int sd = msock();

	(void)state;
	for (uint8_t i = 0; i < 20; i++)
		send_identify(sd, i % 2 ? SW_EID : DCD_EID, i);
	for (int i = 0; i < 20; i++) {
		ssize_t n;

		assert_true(readable(sd, 3000));
		n = recv(sd, rsp, sizeof(rsp), 0);
		assert_int_equal(n, ID_RSP_LEN);
		assert_true(rsp[1] < 20);
		assert_int_equal(rsp[12 + 17], rsp[1] % 2 ? 0x00 : 0x03);
		seen |= 1u << rsp[1];
	}
	assert_int_equal(seen, 0xfffff);
	close(sd);
}

static void *worker(void *arg)
{
	int sd = socket(AF_MCTP, SOCK_DGRAM, 0);
	uintptr_t id = (uintptr_t)arg, bad = 0;

	for (uint8_t i = 0; i < 25 && sd >= 0; i++) {
		struct sockaddr_mctp a = maddr(id % 2 ? SW_EID : DCD_EID, MSG_CCI, MCTP_TAG_OWNER);
		uint8_t req[12], rsp[64];
		uint8_t tag = (uint8_t)(id * 32 + i);

		identify_req(req, tag);
		if (sendto(sd, req, 12, 0, (struct sockaddr *)&a, sizeof(a)) != 12 ||
		    !readable(sd, 3000) || recv(sd, rsp, sizeof(rsp), 0) != ID_RSP_LEN ||
		    rsp[1] != tag)
			bad++;
	}
	if (sd < 0)
		bad++;
	close(sd);
	return (void *)bad;
}

static void test_threads(void **state)
{
	pthread_t t[4];

	(void)state;
	for (uintptr_t i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i), 0);
	for (int i = 0; i < 4; i++) {
		void *bad;

		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_int_equal((uintptr_t)bad, 0);
	}
}

static void test_mmsg(void **state)
{
	struct sockaddr_mctp a = maddr(SW_EID, MSG_CCI, MCTP_TAG_OWNER);
	uint8_t req[2][12], rsp[2][64];
	struct iovec out[2] = { { req[0], 12 }, { req[1], 12 } };
	struct iovec in[2] = { { rsp[0], 64 }, { rsp[1], 64 } };
	struct mmsghdr vec[2];
	int sd = msock(), got = 0;

	(void)state;
	identify_req(req[0], 0xb1);
	identify_req(req[1], 0xb2);
	memset(vec, 0, sizeof(vec));
	for (int i = 0; i < 2; i++) {
		vec[i].msg_hdr.msg_name = &a;
		vec[i].msg_hdr.msg_namelen = sizeof(a);
		vec[i].msg_hdr.msg_iov = &out[i];
		vec[i].msg_hdr.msg_iovlen = 1;
	}
	assert_int_equal(sendmmsg(sd, vec, 2, 0), 2);
	assert_int_equal(vec[1].msg_len, 12);
	while (got < 2) {
		int n;

		memset(vec, 0, sizeof(vec));
		for (int i = 0; i < 2; i++) {
			vec[i].msg_hdr.msg_iov = &in[i];
			vec[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(sd, vec, (unsigned)(2 - got), MSG_WAITFORONE, NULL);
		assert_true(n >= 1);
		for (int i = 0; i < n; i++)
			assert_int_equal(vec[i].msg_len, ID_RSP_LEN);
		got += n;
	}
	close(sd);
}

static void test_fork(void **state)
{
	uint8_t rsp[64];
	int sd = msock(), status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) { /* the child has no bus: ENETDOWN, no hang */
		struct sockaddr_mctp a = maddr(SW_EID, MSG_CCI, MCTP_TAG_OWNER);
		int ok = sendto(sd, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) == -1 &&
			 errno == ENETDOWN && socket(AF_MCTP, SOCK_DGRAM, 0) == -1 &&
			 errno == ENETDOWN;
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	send_identify(sd, SW_EID, 0xc1); /* the parent goes on */
	check_identify(rsp, recv(sd, rsp, sizeof(rsp), 0), 0xc1);
	close(sd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untouched),
		cmocka_unit_test(test_socket),
		cmocka_unit_test(test_sendto_recvfrom),
		cmocka_unit_test(test_sendmsg_recvmsg),
		cmocka_unit_test(test_trunc_peek),
		cmocka_unit_test(test_nonblocking),
		cmocka_unit_test(test_rcvtimeo),
		cmocka_unit_test(test_readiness),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_addr_ext),
		cmocka_unit_test(test_request_on_the_wire),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_tag_lifetime),
		cmocka_unit_test(test_many_in_flight),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_mmsg),
		cmocka_unit_test(test_fork),
	};
	char lifetime[16];

	bus_path = getenv("CXLFM_BUS");
	if (!bus_path) {
		fprintf(stderr, "mctp_syscalls: set CXLFM_BUS\n");
		return 77;
	}
	/* The shim reads these at the first AF_MCTP socket. */
	setenv("CXLFM_EIDS", "8:0x04,9:0x06,12:0x30,13:0x22", 1);
	setenv("CXLFM_LOCAL_EID", "0x40", 1);
	setenv("CXLFM_ADDR", "0x10", 1);
	snprintf(lifetime, sizeof(lifetime), "%d", LIFETIME_MS);
	setenv("CXLFM_TIMEOUT_MS", lifetime, 1);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
