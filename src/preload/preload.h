/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm-mctp-preload internals (docs/preload.md). Not installed.
 *
 * Two services behind one LD_PRELOAD: AF_MCTP sockets (below, sock.c,
 * state.c) and /dev/cxl/memN (fs.c: the paths, memdev.c: the open device
 * and its ioctls, as Linux's cxl_core). fdmap.c tells both kinds of fd.
 *
 * Design: an AF_MCTP socket is one end of an AF_UNIX SOCK_DGRAM socket pair
 * (the "app end", a real fd the program polls, selects, epolls, sets
 * O_NONBLOCK and SO_RCVTIMEO on, all served by the kernel). The shim keeps
 * the other end (the "peer end") and writes every message for the socket
 * into it as one datagram: a struct preload_dgram (the source address) and
 * the message after its type byte. Receiving is a real recvmsg() on the app
 * end with the header peeled off.
 *
 * Sending goes through libcxlfm on one bus connection per process. One
 * background thread, started with the first AF_MCTP socket, runs
 * cxlfm_process() and turns completions into datagrams. A single recursive
 * mutex (preload_lock) guards all of it; libcxlfm's callbacks run with it
 * held. A program that never opens an AF_MCTP socket never gets past
 * preload_maybe(): no allocation, no connection, no thread.
 */
#ifndef CXLFM_PRELOAD_H
#define CXLFM_PRELOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#define PRELOAD_VISIBLE __attribute__((visibility("default")))
#define PRELOAD_NAME "libcxlfm-mctp-preload"

/* The kernel's AF_MCTP user ABI (include/uapi/linux/mctp.h, linux/socket.h),
 * spelled out so the shim builds without those headers. */
#define PRELOAD_AF_MCTP 45
#define PRELOAD_SOL_MCTP 285
#define PRELOAD_NET_ANY 0u
#define PRELOAD_NET_DEFAULT 1u /* MCTP_INITIAL_DEFAULT_NET: the only network */
#define PRELOAD_ADDR_NULL 0x00
#define PRELOAD_ADDR_ANY 0xff
#define PRELOAD_TAG_MASK 0x07
#define PRELOAD_TAG_OWNER 0x08
#define PRELOAD_TAG_PREALLOC 0x10
#define PRELOAD_OPT_ADDR_EXT 1
#define PRELOAD_SIOCPROTOPRIVATE 0x89e0
#define PRELOAD_SIOC_ALLOCTAG (PRELOAD_SIOCPROTOPRIVATE + 0)
#define PRELOAD_SIOC_DROPTAG (PRELOAD_SIOCPROTOPRIVATE + 1)
#define PRELOAD_SIOC_ALLOCTAG2 (PRELOAD_SIOCPROTOPRIVATE + 2)
#define PRELOAD_SIOC_DROPTAG2 (PRELOAD_SIOCPROTOPRIVATE + 3)
#define PRELOAD_MAX_ADDR_LEN 32 /* MAX_ADDR_LEN */
/* The emulated I2C bus as an interface (extended addressing): its index
 * and hardware address length (one 7-bit I2C address, as mctp-i2c). */
#define PRELOAD_IFINDEX 100
#define PRELOAD_HALEN 1
/* Messages after the type byte: libcxlfm's limit (CXLFM_MSG_MAX - 1). */
#define PRELOAD_MSG_MAX 2047

struct preload_addr { /* struct sockaddr_mctp */
	uint16_t family;
	uint16_t pad0;
	uint32_t net;
	uint8_t eid;
	uint8_t type;
	uint8_t tag;
	uint8_t pad1;
};
struct preload_addr_ext { /* struct sockaddr_mctp_ext */
	struct preload_addr base;
	int32_t ifindex;
	uint8_t halen;
	uint8_t pad0[3];
	uint8_t haddr[PRELOAD_MAX_ADDR_LEN];
};
_Static_assert(sizeof(struct preload_addr) == 12, "sockaddr_mctp is 12 bytes");
_Static_assert(offsetof(struct preload_addr, net) == 4 && offsetof(struct preload_addr, eid) == 8 &&
	       offsetof(struct preload_addr, tag) == 10, "sockaddr_mctp layout");
_Static_assert(sizeof(struct preload_addr_ext) == 52 &&
	       offsetof(struct preload_addr_ext, halen) == 16, "sockaddr_mctp_ext layout");

/* Head of every datagram on a socket pair: where the message came from. */
struct preload_dgram {
	uint32_t net;
	uint8_t eid;   /* source EID */
	uint8_t type;  /* message type byte */
	uint8_t tag;   /* as the kernel reports it: tag | TO for a request */
	uint8_t haddr; /* source I2C address */
};

struct preload_sock {
	uintptr_t id;          /* completions find the socket by it, never by pointer */
	unsigned refs;         /* application fds naming it (dup) */
	int peer;              /* our end of the pair */
	dev_t dev;             /* the app end, to recognise it behind a number */
	ino_t ino;
	bool addr_ext;         /* MCTP_OPT_ADDR_EXT */
	bool bound;
	uint32_t bind_net;
	uint8_t bind_eid, bind_type;
	uint64_t bind_seq;     /* newest bind wins, as in the kernel's bind list */
	struct preload_sock *next;
};

/* ---- state.c ---- */
void preload_lock(void);
void preload_unlock(void);
/* Under the lock: connect, discover and start the thread if not yet done. */
int preload_bus_up(void);
/* Under the lock: a new socket pair wrapped as a socket; its app fd. */
int preload_sock_new(int nonblock, int cloexec);
void preload_sock_unref(struct preload_sock *s);
/* Under the lock: s was just bound; it now comes first for its type. */
void preload_bind_next(struct preload_sock *s);
/* Under the lock. Send one message (type byte in addr) as the kernel's
 * mctp_sendmsg() does after its address checks; returns 0 or -errno. */
int preload_route_send(struct preload_sock *s, const struct preload_addr *a,
		       const struct preload_addr_ext *ext, const uint8_t *msg, size_t len);
__attribute__((format(printf, 1, 2))) void preload_debug(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void preload_error(const char *fmt, ...);
uint8_t preload_own_eid(void);

/* ---- fdmap.c (all under the lock but preload_maybe) ---- */
struct preload_memdev;
extern atomic_bool preload_active;
#define PRELOAD_FDMARKS 4096
extern atomic_uchar preload_marks[PRELOAD_FDMARKS];
extern atomic_uint preload_big; /* mapped fds >= PRELOAD_FDMARKS */

/* Might fd be an AF_MCTP socket? Lock-free; false for every fd of a
 * program that never made one. */
static inline bool preload_maybe(int fd)
{
	if (!atomic_load_explicit(&preload_active, memory_order_acquire) || fd < 0)
		return false;
	if (fd < PRELOAD_FDMARKS)
		return atomic_load_explicit(&preload_marks[fd], memory_order_relaxed) != 0;
	return atomic_load_explicit(&preload_big, memory_order_relaxed) != 0;
}
/* The socket behind fd, checking the fd still is the app end it was
 * (a stale entry, e.g. after a close the shim did not see, is dropped). */
struct preload_sock *preload_fd_get(int fd);
int preload_fd_map(int fd, struct preload_sock *s);
/* The /dev/cxl/memN behind fd (memdev.c), checked as preload_fd_get() checks. */
struct preload_memdev *preload_fd_memdev(int fd);
int preload_fd_map_memdev(int fd, struct preload_memdev *m);
/* newfd now names what old names (dup): 0, also when old is none of ours; -ENOMEM. */
int preload_fd_dup(int old, int newfd);
/* Forget fd (closed or replaced); drops its socket or memdev reference. */
void preload_fd_unmap(int fd);
void preload_fd_unmap_range(unsigned first, unsigned last);

/* ---- real functions (interpose.c) ---- */
/* The next definition of name (dlsym RTLD_NEXT); a missing required one aborts. */
void *preload_next(const char *name, bool optional);
#define PRELOAD_REAL_FN(name, optional)                                          \
	static __typeof__(&name) real_##name(void)                              \
	{                                                                        \
		static void *_Atomic fn;                                         \
		void *f = atomic_load_explicit(&fn, memory_order_relaxed);       \
		if (!f) {                                                        \
			f = preload_next(#name, optional);                       \
			atomic_store_explicit(&fn, f, memory_order_relaxed);     \
		}                                                                \
		return (__typeof__(&name))f;                                     \
	}
struct stat;
int preload_real_fstat(int fd, struct stat *st);
int preload_real_close(int fd);
int preload_real_socketpair(int domain, int type, int protocol, int sv[2]);
ssize_t preload_real_sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t preload_real_recvmsg(int fd, struct msghdr *msg, int flags);

/* ---- sock.c: the AF_MCTP side of each call; 0/length or -errno ---- */
/* socket()'s and socketpair()'s checks, in the kernel's order. */
int preload_socket_check(int type, int protocol);
int preload_socket(int type, int protocol);
int preload_bind(struct preload_sock *s, const struct sockaddr *sa, socklen_t len);
ssize_t preload_sendmsg(struct preload_sock *s, const struct msghdr *msg, int flags);
ssize_t preload_recvmsg(int fd, bool addr_ext, struct msghdr *msg, int flags);
int preload_setsockopt(int fd, struct preload_sock *s, int level, int name, const void *val,
		       socklen_t len);
int preload_getsockopt(int fd, struct preload_sock *s, int level, int name, void *val,
		       socklen_t *len);
int preload_ioctl(int fd, unsigned long req, void *arg);

/* ---- state.c: fork ---- */
/* Register the shim's fork handlers (once): the lock, the bus, memdev connections. */
void preload_atfork_once(void);

/* ---- memdev.c: /dev/cxl/memN, Linux's cxl_pci and cxl_core (docs/preload.md) ---- */
/* Open the memdev served on socket path (N from memN, sock its lstat); its fd, or -errno. */
int preload_memdev_open(const char *path, unsigned n, const struct stat *sock, int flags);
/* The ioctl of an fd preload_fd_memdev() knows: 0 or -errno, as cxl_memdev_ioctl(). */
int preload_memdev_ioctl(int fd, unsigned long req, void *arg);
/* Under the lock: fstat of an open memdev: the character device it stands for. */
void preload_memdev_stat(const struct preload_memdev *m, struct stat *st);
/* Under the lock: one reference more or less (fds and ioctls in flight). */
void preload_memdev_ref(struct preload_memdev *m);
void preload_memdev_unref(struct preload_memdev *m);
/* Under the lock: the socket behind the fd it was opened as. */
bool preload_memdev_is(const struct preload_memdev *m, dev_t dev, ino_t ino);
/* In a fork()ed child: every memdev connects again at its next use. */
void preload_memdev_forked(void);
/* A memdev's character device: major (of the dynamic range), minor N. */
#define PRELOAD_CXL_MAJOR 254u
void preload_memdev_node_stat(const struct stat *sock, unsigned n, struct stat *st);

/* ---- fs.c: the /dev/cxl paths ---- */
/* The directory /dev/cxl stands for (CXLFM_MEMDEV_DIR, else the one running
 * cxl-emu's run directory with memdevs), or NULL: /dev/cxl is the real one. */
const char *preload_memdev_dir(void);

#endif
