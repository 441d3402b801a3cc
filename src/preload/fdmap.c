/* SPDX-License-Identifier: MIT */
/*
 * Which fds are AF_MCTP sockets or /dev/cxl/memN. A lock-free mark per fd
 * number below PRELOAD_FDMARKS lets every interposed call on any other fd
 * go straight to libc; the table behind it (under the lock) maps fd ->
 * socket or memdev, several fds per one after dup(). Each lookup checks
 * that the fd still is the socket it was (device and inode), so an fd
 * closed behind the shim's back (a raw close syscall) and reused is never
 * mistaken for one of ours.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "preload/preload.h"

atomic_bool preload_active;
atomic_uchar preload_marks[PRELOAD_FDMARKS];
atomic_uint preload_big;

struct fd_entry {
	int fd;
	struct preload_sock *s;    /* an AF_MCTP socket, or */
	struct preload_memdev *m;  /* a /dev/cxl/memN */
};

static struct fd_entry *fds;
static size_t nfds, capfds;

static void mark(int fd, bool on)
{
	if (fd < PRELOAD_FDMARKS)
		atomic_store_explicit(&preload_marks[fd], on, memory_order_release);
	else if (on)
		atomic_fetch_add(&preload_big, 1);
	else
		atomic_fetch_sub(&preload_big, 1);
}

static struct fd_entry *find(int fd)
{
	for (size_t i = 0; i < nfds; i++)
		if (fds[i].fd == fd)
			return &fds[i];
	return NULL;
}

static int map(int fd, struct preload_sock *s, struct preload_memdev *m)
{
	struct fd_entry *e = find(fd);

	if (e) /* a stale entry for this number: replace it */
		preload_fd_unmap(fd);
	if (nfds == capfds) {
		size_t cap = capfds ? capfds * 2 : 16;
		struct fd_entry *n = realloc(fds, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		fds = n;
		capfds = cap;
	}
	fds[nfds++] = (struct fd_entry){ .fd = fd, .s = s, .m = m };
	if (s)
		s->refs++;
	else
		preload_memdev_ref(m);
	mark(fd, true);
	atomic_store_explicit(&preload_active, true, memory_order_release);
	return 0;
}

int preload_fd_map(int fd, struct preload_sock *s)
{
	return map(fd, s, NULL);
}

int preload_fd_map_memdev(int fd, struct preload_memdev *m)
{
	return map(fd, NULL, m);
}

void preload_fd_unmap(int fd)
{
	struct fd_entry *e = find(fd);
	struct preload_sock *s;
	struct preload_memdev *m;

	if (!e)
		return;
	s = e->s;
	m = e->m;
	*e = fds[--nfds];
	mark(fd, false);
	if (s)
		preload_sock_unref(s);
	else
		preload_memdev_unref(m);
}

void preload_fd_unmap_range(unsigned first, unsigned last)
{
	for (size_t i = 0; i < nfds;) {
		unsigned fd = (unsigned)fds[i].fd;

		if (fd >= first && fd <= last)
			preload_fd_unmap(fds[i].fd); /* moves the last entry here */
		else
			i++;
	}
}

/* fd's entry if fd still is what it was mapped as; a stale one is dropped. */
static struct fd_entry *get(int fd)
{
	struct fd_entry *e = find(fd);
	struct stat st;
	bool same;

	if (!e)
		return NULL;
	same = preload_real_fstat(fd, &st) == 0 &&
	       (e->s ? st.st_dev == e->s->dev && st.st_ino == e->s->ino :
		       preload_memdev_is(e->m, st.st_dev, st.st_ino));
	if (same)
		return e;
	preload_debug("fd %d is no longer the socket it was: forgotten", fd);
	preload_fd_unmap(fd);
	return NULL;
}

struct preload_sock *preload_fd_get(int fd)
{
	struct fd_entry *e = get(fd);

	return e ? e->s : NULL;
}

struct preload_memdev *preload_fd_memdev(int fd)
{
	struct fd_entry *e = get(fd);

	return e ? e->m : NULL;
}

int preload_fd_dup(int old, int newfd)
{
	struct fd_entry *e = get(old);
	struct preload_sock *s;
	struct preload_memdev *m;

	if (!e)
		return 0;
	s = e->s; /* map() may move the entries */
	m = e->m;
	return map(newfd, s, m);
}
