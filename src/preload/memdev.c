/* SPDX-License-Identifier: MIT */
/*
 * /dev/cxl/memN as Linux serves it (docs/preload.md), on cxl-emu's memdev
 * socket (proto/memdev_wire.h). What the kernel learns when cxl_pci binds
 * the device comes in the socket's HELLO: the mailbox's payload size and
 * its Command Effects Log, from which the commands are enabled as
 * cxl_enumerate_cmds() enables them. The ioctls are the kernel's
 * (drivers/cxl/core/memdev.c cxl_memdev_ioctl(), drivers/cxl/core/mbox.c
 * cxl_query_cmd() and cxl_send_cmd(), drivers/cxl/pci.c
 * __cxl_pci_mbox_send_cmd(); Linux v6.12-v6.18, include/uapi/linux/cxl_mem.h
 * with its 25 command IDs), with CONFIG_CXL_MEM_RAW_COMMANDS=y. Their
 * checks, in the kernel's order, and each errno are the kernel's; user
 * memory is read and written with process_vm_readv/writev, so a bad pointer
 * is EFAULT as with copy_from_user(), not a crash.
 *
 * One object per open(): the app's fd is the connected socket (so it is a
 * real fd, and it lives while an fd names it); the shim does its I/O on its
 * own dup of it, one command at a time (the kernel's mbox_mutex), with
 * tags so that a late answer after a timeout is never taken for the next.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "preload/preload.h"
#include "proto/le.h"
#include "proto/memdev_wire.h"

/* ---- the kernel's UAPI (include/uapi/linux/cxl_mem.h), spelled out ---- */

struct kcxl_send { /* struct cxl_send_command */
	uint32_t id;
	uint32_t flags;
	union {
		struct {
			uint16_t opcode;
			uint16_t rsvd;
		} raw;
		uint32_t rsvd;
	};
	uint32_t retval;
	struct {
		uint32_t size;
		uint32_t rsvd;
		uint64_t payload;
	} in, out;
};
struct kcxl_info { /* struct cxl_command_info */
	uint32_t id, flags, size_in, size_out;
};
_Static_assert(sizeof(struct kcxl_send) == 48, "struct cxl_send_command is 48 bytes");
_Static_assert(sizeof(struct kcxl_info) == 16, "struct cxl_command_info is 16 bytes");

/* _IOR(0xCE, 1, struct cxl_mem_query_commands), _IOWR(0xCE, 2, struct cxl_send_command) */
#define KCXL_QUERY ((2u << 30) | (8u << 16) | (0xceu << 8) | 1u)
#define KCXL_SEND ((3u << 30) | (48u << 16) | (0xceu << 8) | 2u)

enum { /* CXL_CMDS: the command IDs, in the UAPI's order */
	ID_INVALID, ID_IDENTIFY, ID_RAW, ID_GET_SUPPORTED_LOGS, ID_GET_FW_INFO,
	ID_GET_PARTITION_INFO, ID_GET_LSA, ID_GET_HEALTH_INFO, ID_GET_LOG,
	ID_SET_PARTITION_INFO, ID_SET_LSA, ID_GET_ALERT_CONFIG, ID_SET_ALERT_CONFIG,
	ID_GET_SHUTDOWN_STATE, ID_SET_SHUTDOWN_STATE, ID_GET_POISON, ID_INJECT_POISON,
	ID_CLEAR_POISON, ID_GET_SCAN_MEDIA_CAPS, ID_SCAN_MEDIA, ID_GET_SCAN_MEDIA,
	ID_GET_TIMESTAMP, ID_GET_LOG_CAPS, ID_CLEAR_LOG, ID_GET_SUP_LOG_SUBLIST,
	ID_MAX,
};
#define FLAG_ENABLED 0x1u   /* CXL_MEM_COMMAND_FLAG_ENABLED */
#define FLAG_EXCLUSIVE 0x2u /* CXL_MEM_COMMAND_FLAG_EXCLUSIVE */
#define FLAG_MASK 0x3u      /* CXL_MEM_COMMAND_FLAG_MASK */
#define VAR 0xffffffffu     /* CXL_VARIABLE_PAYLOAD */

#define RC_SUCCESS 0x00
#define RC_BACKGROUND 0x01
#define OP_SANITIZE 0x4400
#define OP_SET_PARTITION_INFO 0x4101
#define OP_CLEAR_LOG 0x0403

/*
 * cxl_mem_commands[] (drivers/cxl/core/mbox.c): ID -> opcode, input size
 * (exact unless VAR), output size (at least, unless VAR). The poison and
 * scan media IDs are ___DEPRECATED since v6.5: no entry, so never enabled.
 * force: CXL_CMD_FLAG_FORCE_ENABLE.
 */
static const struct kcmd {
	uint16_t opcode;
	uint32_t in, out;
	bool present, force;
} kcmds[ID_MAX] = {
	[ID_IDENTIFY] = { 0x4000, 0, 0x43, true, true },
	[ID_RAW] = { 0, VAR, VAR, true, false },
	[ID_GET_SUPPORTED_LOGS] = { 0x0400, 0, VAR, true, true },
	[ID_GET_FW_INFO] = { 0x0200, 0, 0x50, true, false },
	[ID_GET_PARTITION_INFO] = { 0x4100, 0, 0x20, true, false },
	[ID_GET_LSA] = { 0x4102, 0x8, VAR, true, false },
	[ID_GET_HEALTH_INFO] = { 0x4200, 0, 0x12, true, false },
	[ID_GET_LOG] = { 0x0401, 0x18, VAR, true, true },
	[ID_GET_LOG_CAPS] = { 0x0402, 0x10, 0x4, true, false },
	[ID_CLEAR_LOG] = { 0x0403, 0x10, 0, true, false },
	[ID_GET_SUP_LOG_SUBLIST] = { 0x0405, 0x2, VAR, true, false },
	/* 0x0a, where CXL r3.1 Table 8-129 has 9 bytes: the device answers
	 * Invalid Payload Length to the named command, as to Linux's. */
	[ID_SET_PARTITION_INFO] = { 0x4101, 0x0a, 0, true, false },
	[ID_SET_LSA] = { 0x4103, VAR, 0, true, false },
	[ID_GET_ALERT_CONFIG] = { 0x4201, 0, 0x10, true, false },
	[ID_SET_ALERT_CONFIG] = { 0x4202, 0xc, 0, true, false },
	[ID_GET_SHUTDOWN_STATE] = { 0x4203, 0, 0x1, true, false },
	[ID_SET_SHUTDOWN_STATE] = { 0x4204, 0x1, 0, true, false },
	[ID_GET_SCAN_MEDIA_CAPS] = { 0x4303, 0x10, 0x4, true, false },
	[ID_GET_TIMESTAMP] = { 0x0300, 0, 0x8, true, false },
};

/* cxl_disabled_raw_commands[]: firmware activation, partition, LSA,
 * shutdown state (the driver owns them), scan media and poison (the
 * kernel keeps its own error list). */
static const uint16_t raw_disabled[] = {
	0x0202, 0x4101, 0x4103, 0x4204, 0x4304, 0x4305, 0x4300, 0x4301, 0x4302,
};

/* DEFINE_CXL_VENDOR_DEBUG_UUID, the only log a user may clear */
static const uint8_t vendor_debug_uuid[16] = {
	0x5e, 0x18, 0x19, 0xd9, 0x11, 0xa9, 0x40, 0x0c,
	0x81, 0x1f, 0xd6, 0x07, 0x19, 0x40, 0x3d, 0x86,
};

#define HELLO_TIMEOUT_MS 5000
#define DEFAULT_TIMEOUT_MS 10000

struct preload_memdev {
	unsigned refs;         /* fds naming it, ioctls in flight */
	pthread_mutex_t io;    /* one command at a time (the kernel's mbox_mutex) */
	int io_fd;             /* the shim's own dup of the connection */
	dev_t sdev;            /* the connection (the app's fd), to recognise it */
	ino_t sino;
	struct stat node;      /* what fstat reports: the character device */
	unsigned n;            /* memN */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool dead;             /* the device went away: -ENXIO */
	bool reconnect;        /* a fork()ed child: its own connection first */
	uint32_t tag;
	uint32_t payload_size;
	uint32_t enabled, exclusive; /* bitmaps of command IDs */
	uint8_t *buf;          /* a request or a response */
	struct preload_memdev *next;
};

static struct preload_memdev *all; /* under the lock */

/* debugfs cxl/mbox/raw_allow_all, kstrtobool's spellings */
static bool raw_allow_all(void)
{
	const char *v = getenv("CXLFM_MEMDEV_RAW_ALLOW_ALL");

	if (!v || !*v)
		return false;
	return v[0] == '1' || v[0] == 'y' || v[0] == 'Y' || !strcasecmp(v, "on");
}

static unsigned timeout_ms(void)
{
	const char *v = getenv("CXLFM_MEMDEV_TIMEOUT_MS");
	unsigned long ms;
	char *e;

	if (!v || !*v)
		return DEFAULT_TIMEOUT_MS;
	ms = strtoul(v, &e, 0);
	if (*e || !ms || ms > 600000) {
		preload_error("CXLFM_MEMDEV_TIMEOUT_MS=%s: want 1-600000, %u taken", v,
			      DEFAULT_TIMEOUT_MS);
		return DEFAULT_TIMEOUT_MS;
	}
	return (unsigned)ms;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

/* ---- user memory: copy_from_user() / copy_to_user() ---- */

/*
 * n bytes between the shim's local and the program's user address, to the
 * program if to: 0 or -EFAULT. Where process_vm_* is not allowed (seccomp)
 * the copy is direct, refusing only the first page.
 */
static int user_copy(void *local, uint64_t user, size_t n, bool to)
{
	struct iovec l = { .iov_base = local, .iov_len = n };
	struct iovec r = { .iov_base = (void *)(uintptr_t)user, .iov_len = n };
	ssize_t done;

	if (!n)
		return 0;
	done = to ? process_vm_writev(getpid(), &l, 1, &r, 1, 0) :
		    process_vm_readv(getpid(), &l, 1, &r, 1, 0);
	if (done == (ssize_t)n)
		return 0;
	if (done < 0 && (errno == ENOSYS || errno == EPERM) && user >= 4096) {
		if (to)
			memcpy((void *)(uintptr_t)user, local, n);
		else
			memcpy(local, (const void *)(uintptr_t)user, n);
		return 0;
	}
	return -EFAULT;
}

static int copy_from(void *dst, uint64_t src, size_t n)
{
	return user_copy(dst, src, n, false);
}

static int copy_to(uint64_t dst, const void *src, size_t n)
{
	return user_copy((void *)src, dst, n, true);
}

/* n zero bytes to dst (the kernel's zeroed bounce buffer), a page at a time */
static int zero_to(uint64_t dst, size_t n)
{
	static const uint8_t zero[4096];

	for (size_t off = 0; off < n; off += sizeof(zero)) {
		size_t k = n - off < sizeof(zero) ? n - off : sizeof(zero);
		int rc = copy_to(dst + off, zero, k);

		if (rc)
			return rc;
	}
	return 0;
}

/* ---- the connection ---- */

/* Wait until fd is ready for events, or the deadline; -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		long long left = deadline - now_ms();
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/*
 * The kernel's view of the device, from its HELLO: payload size, the
 * commands enabled by its CEL (cxl_walk_cel(), then the force-enabled
 * ones), the ones cxl_pmem holds when the device has persistent capacity
 * (drivers/cxl/pmem.c: Set Shutdown State, Set LSA).
 */
static void learn(struct preload_memdev *m, const struct memdev_hello *h)
{
	m->payload_size = h->payload_size;
	m->enabled = 0;
	for (uint32_t off = 0; off + 4 <= h->cel_len; off += 4) {
		uint16_t op = le16_get(h->cel + off);

		for (unsigned id = 0; id < ID_MAX; id++) /* cxl_mem_find_command() */
			if (kcmds[id].present && id != ID_RAW && kcmds[id].opcode == op) {
				m->enabled |= 1u << id;
				break;
			}
	}
	for (unsigned id = 0; id < ID_MAX; id++)
		if (kcmds[id].force)
			m->enabled |= 1u << id;
	m->exclusive = h->flags & MEMDEV_HELLO_PMEM ?
		       1u << ID_SET_SHUTDOWN_STATE | 1u << ID_SET_LSA : 0;
}

/* A new connection to m->path with its HELLO read: its fd, or -errno. */
static int connect_dev(struct preload_memdev *m, bool cloexec)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint8_t hello[MEMDEV_WIRE_HELLO_LEN + MEMDEV_WIRE_CEL_MAX];
	struct memdev_hello h;
	ssize_t n;
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | (cloexec ? SOCK_CLOEXEC : 0), 0);
	if (fd < 0)
		return -errno;
	strcpy(sa.sun_path, m->path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		preload_debug("%s: %s", m->path, strerror(-rc));
		preload_real_close(fd);
		/* A node whose device is gone (nobody serves it): no such device. */
		return rc == -EMFILE || rc == -ENFILE || rc == -ENOMEM ? rc : -ENXIO;
	}
	rc = wait_fd(fd, POLLIN, now_ms() + HELLO_TIMEOUT_MS);
	n = rc ? -1 : recv(fd, hello, sizeof(hello), MSG_DONTWAIT | MSG_TRUNC);
	if (!rc && n == 0) {
		/* turned away: the emulator serves a limited number of clients */
		preload_error("%s: the device refuses more clients", m->path);
		rc = -EBUSY;
	} else if (!rc && (n < 0 || (size_t)n > sizeof(hello) ||
			   memdev_wire_hello_decode(hello, (size_t)n, &h))) {
		preload_error("%s: no memdev behind it (%s)", m->path,
			      n < 0 ? strerror(errno) : "not its greeting");
		rc = -ENXIO;
	} else if (rc) {
		preload_error("%s: no greeting from the device (%s)", m->path, strerror(-rc));
		rc = -ENXIO;
	}
	if (rc) {
		preload_real_close(fd);
		return rc;
	}
	learn(m, &h);
	return fd;
}

/* The child of a fork() gets its own connection: the parent's stays the parent's. */
static int reconnect(struct preload_memdev *m)
{
	int fd = connect_dev(m, true);

	m->reconnect = false;
	if (fd < 0 || dup3(fd, m->io_fd, O_CLOEXEC) < 0) {
		if (fd >= 0)
			preload_real_close(fd);
		m->dead = true;
		return -ENXIO;
	}
	preload_real_close(fd);
	return 0;
}

static void gone(struct preload_memdev *m, const char *why)
{
	if (!m->dead)
		preload_debug("mem%u: the device is gone (%s)", m->n, why);
	m->dead = true;
}

/*
 * The mailbox transaction (cxl_pci_mbox_send()): the request out, its
 * answer back in m->buf (r points into it). -ENXIO once the device is gone
 * (the kernel's cxlds NULL after the device went away), -ETIMEDOUT when it
 * does not answer (the kernel's "mailbox timeout").
 */
static int exchange(struct preload_memdev *m, uint16_t opcode, const uint8_t *in, size_t len,
		    struct memdev_rsp *r)
{
	struct memdev_req req = { .opcode = opcode, .tag = ++m->tag, .payload = in,
				  .len = (uint32_t)len };
	long long deadline = now_ms() + timeout_ms();
	size_t max = MEMDEV_WIRE_RSP_LEN + m->payload_size;
	int n, rc;

	if (m->reconnect && reconnect(m))
		return -ENXIO;
	if (m->dead)
		return -ENXIO;
	n = memdev_wire_req_encode(&req, m->buf, max);
	if (n < 0)
		return n;
	while (send(m->io_fd, m->buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) != n) {
		if (errno == EAGAIN || errno == EINTR) {
			if ((rc = wait_fd(m->io_fd, POLLOUT, deadline)))
				return rc;
			continue;
		}
		gone(m, strerror(errno));
		return -ENXIO;
	}
	for (;;) {
		ssize_t got;

		if ((rc = wait_fd(m->io_fd, POLLIN, deadline))) {
			preload_error("mem%u: op 0x%04x: no answer in %u ms", m->n, opcode,
				      timeout_ms());
			return rc;
		}
		got = recv(m->io_fd, m->buf, max, MSG_DONTWAIT | MSG_TRUNC);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (got <= 0) {
			gone(m, got ? strerror(errno) : "connection closed");
			return -ENXIO;
		}
		if ((size_t)got > max ||
		    memdev_wire_rsp_decode(m->buf, (size_t)got, m->payload_size, r)) {
			gone(m, "a malformed answer");
			return -ENXIO;
		}
		if (r->tag == req.tag)
			return 0;
		/* the answer to a command that timed out: dropped */
	}
}

/* ---- objects ---- */

void preload_memdev_node_stat(const struct stat *sock, unsigned n, struct stat *st)
{
	*st = *sock;
	st->st_mode = S_IFCHR | 0600;
	st->st_nlink = 1;
	st->st_rdev = makedev(PRELOAD_CXL_MAJOR, n);
	st->st_size = 0;
	st->st_blocks = 0;
	st->st_blksize = 4096;
}

void preload_memdev_stat(const struct preload_memdev *m, struct stat *st)
{
	*st = m->node;
}

bool preload_memdev_is(const struct preload_memdev *m, dev_t dev, ino_t ino)
{
	return m->sdev == dev && m->sino == ino;
}

void preload_memdev_ref(struct preload_memdev *m)
{
	m->refs++;
}

static void memdev_free(struct preload_memdev *m)
{
	if (m->io_fd >= 0)
		preload_real_close(m->io_fd);
	pthread_mutex_destroy(&m->io);
	free(m->buf);
	free(m);
}

void preload_memdev_unref(struct preload_memdev *m)
{
	if (--m->refs)
		return;
	for (struct preload_memdev **p = &all; *p; p = &(*p)->next)
		if (*p == m) {
			*p = m->next;
			break;
		}
	memdev_free(m);
}

void preload_memdev_forked(void)
{
	for (struct preload_memdev *m = all; m; m = m->next) {
		pthread_mutex_init(&m->io, NULL); /* another thread may have held it */
		m->reconnect = !m->dead;
	}
}

int preload_memdev_open(const char *path, unsigned n, const struct stat *sock, int flags)
{
	struct preload_memdev *m = calloc(1, sizeof(*m));
	struct stat conn;
	int fd, rc;

	if (!m)
		return -ENOMEM;
	m->io_fd = -1;
	m->n = n;
	pthread_mutex_init(&m->io, NULL);
	if (strlen(path) >= sizeof(m->path)) {
		memdev_free(m);
		return -ENAMETOOLONG;
	}
	strcpy(m->path, path);
	preload_memdev_node_stat(sock, n, &m->node);
	fd = connect_dev(m, flags & O_CLOEXEC);
	if (fd < 0) {
		memdev_free(m);
		return fd;
	}
	m->buf = malloc(MEMDEV_WIRE_RSP_LEN + m->payload_size);
	m->io_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (!m->buf || m->io_fd < 0 || preload_real_fstat(fd, &conn) ||
	    ((flags & O_NONBLOCK) && fcntl(fd, F_SETFL, O_NONBLOCK))) {
		rc = m->buf ? -errno : -ENOMEM;
		preload_real_close(fd);
		memdev_free(m);
		return rc;
	}
	m->sdev = conn.st_dev;
	m->sino = conn.st_ino;
	preload_atfork_once();
	preload_lock();
	rc = preload_fd_map_memdev(fd, m); /* the fd's reference */
	if (!rc) {
		m->next = all;
		all = m;
	}
	preload_unlock();
	if (rc) {
		preload_real_close(fd);
		memdev_free(m);
		return rc;
	}
	preload_debug("mem%u: fd %d on %s, payload %u bytes, enabled 0x%07x, "
			     "exclusive 0x%x", n, fd, path, m->payload_size, m->enabled,
			     m->exclusive);
	return fd;
}

/* ---- the ioctls ---- */

/* cxl_query_cmd() */
static int query(struct preload_memdev *m, uint64_t arg)
{
	uint32_t n;
	int rc = copy_from(&n, arg, sizeof(n));

	if (rc)
		return rc;
	if (n == 0) { /* how many there are: the whole table */
		n = ID_MAX;
		return copy_to(arg, &n, sizeof(n));
	}
	for (uint32_t j = 0; j < ID_MAX; j++) {
		const struct kcmd *c = &kcmds[j];
		struct kcxl_info info = { 0 };

		if (c->present) {
			info = (struct kcxl_info){ .id = j, .size_in = c->in, .size_out = c->out };
			if (m->enabled & 1u << j)
				info.flags |= FLAG_ENABLED;
			if (m->exclusive & 1u << j)
				info.flags |= FLAG_EXCLUSIVE;
		}
		rc = copy_to(arg + 8 + (uint64_t)j * sizeof(info), &info, sizeof(info));
		if (rc)
			return rc;
		if (j + 1 == n)
			break;
	}
	return 0;
}

/* cxl_mem_raw_command_allowed() */
static bool raw_allowed(uint16_t op)
{
	uint8_t set = (uint8_t)(op >> 8);

	if (raw_allow_all())
		return true;
	if (set == 0x44 || set == 0x45 || set == 0x46) /* cxl_is_security_command() */
		return false;
	for (size_t i = 0; i < sizeof(raw_disabled) / sizeof(raw_disabled[0]); i++)
		if (raw_disabled[i] == op)
			return false;
	return true;
}

/* cxl_payload_from_user_allowed() */
static bool payload_allowed(uint16_t op, const uint8_t *in, size_t len)
{
	switch (op) {
	case OP_SET_PARTITION_INFO: /* no immediate repartitioning under the driver */
		return len >= 9 && !(in[8] & 0x01);
	case OP_CLEAR_LOG: /* only the vendor debug log */
		return len >= 16 && !memcmp(in, vendor_debug_uuid, 16);
	default:
		return true;
	}
}

/*
 * cxl_validate_cmd_from_user(): the opcode and the sizes of the mailbox
 * command, or the kernel's errno. The input payload is read in by the
 * caller (cxl_mbox_cmd_ctor()).
 */
static int validate(const struct preload_memdev *m, const struct kcxl_send *s, uint16_t *op,
		    uint32_t *size_out)
{
	const struct kcmd *c;

	if (s->id == ID_INVALID || s->id >= ID_MAX)
		return -ENOTTY;
	if (s->in.size > m->payload_size)
		return -EINVAL;
	if (s->id == ID_RAW) { /* cxl_to_mem_cmd_raw() */
		if (s->raw.rsvd)
			return -EINVAL;
		if (s->out.size > m->payload_size)
			return -EINVAL;
		if (!raw_allowed(s->raw.opcode))
			return -EPERM;
		preload_debug("mem%u: raw command path used (op 0x%04x)", m->n,
				     s->raw.opcode);
		*op = s->raw.opcode;
	} else { /* cxl_to_mem_cmd() */
		c = &kcmds[s->id];
		if (s->flags & ~FLAG_MASK)
			return -EINVAL;
		if (s->rsvd)
			return -EINVAL;
		if (s->in.rsvd || s->out.rsvd)
			return -EINVAL;
		if (!c->present || !(m->enabled & 1u << s->id))
			return -ENOTTY;
		if (m->exclusive & 1u << s->id)
			return -EBUSY;
		if (c->in != VAR && c->in != s->in.size)
			return -ENOMEM;
		if (c->out != VAR && s->out.size < c->out)
			return -ENOMEM;
		*op = c->opcode;
	}
	*size_out = s->out.size == VAR ? m->payload_size : s->out.size;
	return 0;
}

/*
 * cxl_send_cmd(): validate, run the mailbox command (__cxl_pci_mbox_send_cmd():
 * a background operation other than Sanitize is waited for with no polls,
 * so one not done at once is -ETIMEDOUT; Sanitize answers Background
 * Command Started and runs on), copy the output and the struct back.
 */
static int send_cmd(struct preload_memdev *m, uint64_t arg)
{
	struct kcxl_send s;
	struct memdev_rsp r;
	uint32_t size_out;
	uint16_t op, rc16;
	uint8_t *in;
	int rc = copy_from(&s, arg, sizeof(s));

	if (rc)
		return rc;
	rc = validate(m, &s, &op, &size_out);
	if (rc)
		return rc;
	in = malloc(s.in.size ? s.in.size : 1);
	if (!in)
		return -ENOMEM;
	rc = copy_from(in, s.in.payload, s.in.size);
	if (!rc && s.in.size && !payload_allowed(op, in, s.in.size)) {
		preload_debug("mem%u: op 0x%04x: input payload not allowed", m->n, op);
		rc = -EBUSY;
	}
	if (!rc)
		rc = exchange(m, op, in, s.in.size, &r);
	free(in);
	if (rc)
		return rc;
	rc16 = r.rc;
	if (rc16 == RC_BACKGROUND && op != OP_SANITIZE) {
		if (memdev_bg_pct(r.bg) != 100) {
			preload_error("mem%u: timeout waiting for background (0 ms): op 0x%04x "
				      "runs on", m->n, op);
			return -ETIMEDOUT;
		}
		rc16 = memdev_bg_rc(r.bg);
	}
	/* an error: completed, out.size left as asked, the bounce buffer's zeros copied */
	if (rc16 != RC_SUCCESS && !(rc16 == RC_BACKGROUND && op == OP_SANITIZE)) {
		rc = zero_to(s.out.payload, size_out);
	} else {
		uint32_t k = size_out < m->payload_size ? size_out : m->payload_size;

		if (r.len < k)
			k = r.len;
		if (!size_out)
			k = 0;
		size_out = k;
		rc = copy_to(s.out.payload, r.payload, k);
	}
	if (rc)
		return rc;
	s.out.size = size_out;
	s.retval = rc16;
	return copy_to(arg, &s, sizeof(s));
}

int preload_memdev_ioctl(int fd, unsigned long req, void *arg)
{
	struct preload_memdev *m;
	struct pollfd p;
	int rc;

	preload_lock();
	m = preload_fd_memdev(fd);
	if (m)
		preload_memdev_ref(m);
	preload_unlock();
	if (!m)
		return -EBADF;
	pthread_mutex_lock(&m->io);
	/* cxl_memdev_ioctl(): a device gone is ENXIO for any ioctl */
	p = (struct pollfd){ .fd = m->io_fd, .events = POLLRDHUP };
	if (!m->reconnect && !m->dead && poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP)))
		gone(m, "connection closed");
	if (m->dead)
		rc = -ENXIO;
	else if ((unsigned)req == KCXL_QUERY)
		rc = query(m, (uint64_t)(uintptr_t)arg);
	else if ((unsigned)req == KCXL_SEND)
		rc = send_cmd(m, (uint64_t)(uintptr_t)arg);
	else
		rc = -ENOTTY;
	if (rc)
		preload_debug("mem%u: ioctl 0x%x: %s", m->n, (unsigned)req, strerror(-rc));
	pthread_mutex_unlock(&m->io);
	preload_lock();
	preload_memdev_unref(m);
	preload_unlock();
	return rc;
}
