/* SPDX-License-Identifier: MIT */
/*
 * The paths /dev/cxl and /dev/cxl/memN (docs/preload.md): while a cxl-emu
 * run directory with memdev sockets is configured or found, /dev/cxl is
 * that directory seen as Linux's devtmpfs shows it: only its memN
 * sockets, each a character device (major PRELOAD_CXL_MAJOR, minor N).
 * open() connects to the socket (memdev.c); stat(), access(), opendir()
 * and readdir() show the nodes. Every other path, and every path when no
 * run directory is served, goes to libc after a string check.
 *
 * Paths are taken as written, absolute, with "//", "." and ".." resolved
 * lexically (no symbolic links are followed: none of these are links);
 * relative ones (a cwd of /dev/cxl) are not served.
 */
#undef _FORTIFY_SOURCE /* we define __open_2() ... ourselves */
#undef _FILE_OFFSET_BITS /* open and open64, stat and stat64 are distinct symbols */
#define _LARGEFILE64_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/private.h"
#include "preload/preload.h"

_Static_assert(sizeof(struct stat) == sizeof(struct stat64), "stat64 is stat here");
_Static_assert(sizeof(struct dirent) == sizeof(struct dirent64), "dirent64 is dirent here");

/* glibc's fortified and pre-2.33 entry points: not declared any more */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstat(int ver, int fd, struct stat *st);
int __fxstat64(int ver, int fd, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);

PRELOAD_REAL_FN(open, false)
PRELOAD_REAL_FN(open64, false)
PRELOAD_REAL_FN(openat, false)
PRELOAD_REAL_FN(openat64, false)
PRELOAD_REAL_FN(__open_2, true)
PRELOAD_REAL_FN(__open64_2, true)
PRELOAD_REAL_FN(__openat_2, true)
PRELOAD_REAL_FN(__openat64_2, true)
PRELOAD_REAL_FN(stat, false)
PRELOAD_REAL_FN(stat64, false)
PRELOAD_REAL_FN(lstat, false)
PRELOAD_REAL_FN(lstat64, false)
PRELOAD_REAL_FN(fstat64, false)
PRELOAD_REAL_FN(fstatat, false)
PRELOAD_REAL_FN(fstatat64, false)
PRELOAD_REAL_FN(statx, true)
PRELOAD_REAL_FN(access, false)
PRELOAD_REAL_FN(getxattr, false)
PRELOAD_REAL_FN(lgetxattr, false)
PRELOAD_REAL_FN(listxattr, false)
PRELOAD_REAL_FN(llistxattr, false)
PRELOAD_REAL_FN(faccessat, false)
PRELOAD_REAL_FN(opendir, false)
PRELOAD_REAL_FN(readdir, false)
PRELOAD_REAL_FN(readdir64, false)
PRELOAD_REAL_FN(closedir, false)

#define MAX_DIRS 64 /* /dev/cxl opened with opendir() at once */

static struct {
	pthread_once_t once;
	char dir[PATH_MAX];         /* what /dev/cxl is; empty: the real one */
	DIR *dirs[MAX_DIRS];        /* opendir("/dev/cxl")s, under the lock */
	atomic_uint ndirs;
} fs = { .once = PTHREAD_ONCE_INIT };

/* ---- which directory ---- */

/*
 * The run directories of running cxl-emu instances that serve memdevs:
 * $XDG_RUNTIME_DIR/cxl-emu/NAME first (if any is there, only those), then
 * /tmp/cxl-emu-UID/NAME, as the bus sockets are found (cxlfm_bus_scan()).
 * One: that one; none: the real /dev/cxl; several: the real one, and why.
 */
static void scan(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char pat[2][PATH_MAX], found[2][PATH_MAX];
	size_t npat = 0, n = 0;

	if (xdg && *xdg)
		snprintf(pat[npat++], sizeof(pat[0]), "%s/cxl-emu/*/mem[0-9]*", xdg);
	snprintf(pat[npat++], sizeof(pat[0]), "/tmp/cxl-emu-%u/*/mem[0-9]*", (unsigned)getuid());
	for (size_t p = 0; p < npat && !n; p++) {
		glob_t g;

		if (glob(pat[p], 0, NULL, &g))
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			char *slash = strrchr(g.gl_pathv[i], '/');

			if (!cxlfm_sock_alive(g.gl_pathv[i]))
				continue;
			*slash = '\0';
			if (n && !strcmp(found[n - 1], g.gl_pathv[i]))
				continue; /* glob sorts: one directory's come together */
			if (n < 2)
				snprintf(found[n], sizeof(found[n]), "%s", g.gl_pathv[i]);
			n++;
		}
		globfree(&g);
	}
	if (n == 1)
		snprintf(fs.dir, sizeof(fs.dir), "%s", found[0]);
	else if (n)
		preload_error("several cxl-emu hosts serve memdevs (%s, %s ...): /dev/cxl is not "
			      "served; set CXLFM_MEMDEV_DIR", found[0], found[1]);
	preload_debug("/dev/cxl: %s", fs.dir[0] ? fs.dir : "the real one");
}

static void resolve(void)
{
	const char *v = getenv("CXLFM_MEMDEV_DIR");

	if (v && !strcmp(v, "off"))
		return;
	if (v && *v) {
		if (strlen(v) >= sizeof(fs.dir) - NAME_MAX - 2)
			preload_error("CXLFM_MEMDEV_DIR: path too long, /dev/cxl is not served");
		else
			snprintf(fs.dir, sizeof(fs.dir), "%s", v);
		return;
	}
	scan();
}

const char *preload_memdev_dir(void)
{
	pthread_once(&fs.once, resolve);
	return fs.dir[0] ? fs.dir : NULL;
}

/* ---- which path ---- */

enum kind { OTHER, DIR_NODE, DEV_NODE };

#define MAX_DEPTH 32

/* An absolute path's components, "//", "." and ".." resolved lexically. */
struct walk {
	const char *c[MAX_DEPTH];
	size_t len[MAX_DEPTH];
	size_t n;
	bool through; /* it went through /dev/cxl on the way */
};

static bool is(const struct walk *w, size_t i, const char *name)
{
	return w->len[i] == strlen(name) && !memcmp(w->c[i], name, w->len[i]);
}

/* false: not absolute, or deeper than MAX_DEPTH, or a name too long */
static bool walk(const char *path, struct walk *w)
{
	w->n = 0;
	w->through = false;
	if (!path || path[0] != '/')
		return false;
	for (const char *p = path; *p;) {
		const char *e;
		size_t l;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchrnul(p, '/');
		l = (size_t)(e - p);
		if (l == 2 && p[0] == '.' && p[1] == '.') {
			if (w->n)
				w->n--;
		} else if (!(l == 1 && p[0] == '.')) {
			if (w->n == MAX_DEPTH || l > NAME_MAX)
				return false;
			w->c[w->n] = p;
			w->len[w->n++] = l;
		}
		if (w->n >= 2 && is(w, 0, "dev") && is(w, 1, "cxl"))
			w->through = true;
		p = e;
	}
	return true;
}

/*
 * /dev/cxl (DIR_NODE) or /dev/cxl/NAME (DEV_NODE, NAME in name) while
 * /dev/cxl is served; OTHER for anything else. *slash: it ends in '/'.
 */
static enum kind classify(const char *path, char name[NAME_MAX + 1], bool *slash)
{
	struct walk w;

	if (!path || !strstr(path, "cxl") || !walk(path, &w) || !w.through ||
	    w.n < 2 || w.n > 3 || !is(&w, 0, "dev") || !is(&w, 1, "cxl") || !preload_memdev_dir())
		return OTHER;
	if (slash)
		*slash = path[strlen(path) - 1] == '/';
	if (w.n == 2)
		return DIR_NODE;
	memcpy(name, w.c[2], w.len[2]);
	name[w.len[2]] = '\0';
	return DEV_NODE;
}

/*
 * The path libc should look up for path, which is none of ours: when it
 * went through a served /dev/cxl (that may not exist) and ends elsewhere
 * ("/dev/cxl/.." is /dev), where it ends, in buf; else path itself.
 */
static const char *via(const char *path, char buf[PATH_MAX])
{
	struct walk w;
	size_t at = 0;

	if (!path || !strstr(path, "cxl") || !walk(path, &w) || !w.through ||
	    !preload_memdev_dir())
		return path;
	buf[at++] = '/';
	for (size_t i = 0; i < w.n; i++) {
		if (at + w.len[i] + 2 > PATH_MAX)
			return path;
		memcpy(buf + at, w.c[i], w.len[i]);
		at += w.len[i];
		if (i + 1 < w.n)
			buf[at++] = '/';
	}
	buf[at] = '\0';
	return buf;
}

/* memN's N: "mem" and decimal digits, no leading zero. */
static bool memdev_number(const char *name, unsigned *n)
{
	unsigned long v;
	char *e;

	if (strncmp(name, "mem", 3) || name[3] < '0' || name[3] > '9' ||
	    (name[3] == '0' && name[4]))
		return false;
	v = strtoul(name + 3, &e, 10);
	if (*e || v > 0xfffff) /* a minor number */
		return false;
	*n = (unsigned)v;
	return true;
}

/* What a path names: its kind; for a node its socket, the socket's stat and N. */
struct target {
	enum kind kind;
	bool slash;             /* written with a trailing '/' */
	bool found;             /* a node: its socket is there */
	unsigned n;
	struct stat sock;
	char path[PATH_MAX];
};

static void lookup(const char *path, struct target *t)
{
	char name[NAME_MAX + 1];

	t->found = false;
	t->slash = false;
	t->kind = classify(path, name, &t->slash);
	if (t->kind == DEV_NODE && memdev_number(name, &t->n) &&
	    snprintf(t->path, sizeof(t->path), "%s/%s", preload_memdev_dir(), name) <
		    (int)sizeof(t->path) &&
	    !real_lstat()(t->path, &t->sock) && S_ISSOCK(t->sock.st_mode))
		t->found = true;
}

static int ret_int(int rc)
{
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

/* ---- open ---- */

/* open() of path as Linux's open of /dev/cxl[/memN]; -ENOSYS: not ours. */
static int open_node(const char *path, int flags, mode_t mode)
{
	struct target t;
	int fd;

	lookup(path, &t);
	if (t.kind == OTHER)
		return -ENOSYS;
	if (t.kind == DIR_NODE) {
		fd = real_open()(preload_memdev_dir(), flags, mode);
		return fd < 0 ? -errno : fd;
	}
	if (!t.found)
		return flags & O_CREAT ? -EACCES : -ENOENT; /* only root creates in /dev */
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (t.slash || (flags & O_DIRECTORY))
		return -ENOTDIR;
	if ((flags & O_PATH) == O_PATH) {
		fd = real_open()(t.path, flags, mode);
		return fd < 0 ? -errno : fd;
	}
	return preload_memdev_open(t.path, t.n, &t.sock, flags);
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

/* open and open64, openat and openat64 (absolute paths: dirfd does not count) */
#define OPEN_FN(name, params, args)                                              \
	PRELOAD_VISIBLE int name params                                          \
	{                                                                        \
		char buf[PATH_MAX];                                              \
		va_list ap;                                                      \
		mode_t mode;                                                     \
		int rc;                                                          \
										 \
		va_start(ap, flags);                                             \
		mode = mode_arg(flags, ap);                                      \
		va_end(ap);                                                      \
		rc = open_node(path, flags, mode);                               \
		path = rc == -ENOSYS ? via(path, buf) : path;                    \
		return rc == -ENOSYS ? real_##name() args : ret_int(rc);         \
	}
OPEN_FN(open, (const char *path, int flags, ...), (path, flags, mode))
OPEN_FN(open64, (const char *path, int flags, ...), (path, flags, mode))
OPEN_FN(openat, (int dirfd, const char *path, int flags, ...), (dirfd, path, flags, mode))
OPEN_FN(openat64, (int dirfd, const char *path, int flags, ...), (dirfd, path, flags, mode))

/* _FORTIFY_SOURCE's: flags without O_CREAT, no mode; the plain call if libc has none */
#define OPEN2_FN(name, plain, params, args)                                      \
	PRELOAD_VISIBLE int name params                                          \
	{                                                                        \
		char buf[PATH_MAX];                                              \
		int rc = open_node(path, flags, 0);                              \
										 \
		if (rc != -ENOSYS)                                               \
			return ret_int(rc);                                      \
		path = via(path, buf);                                           \
		return real_##name() ? real_##name() args : real_##plain() args; \
	}
OPEN2_FN(__open_2, open, (const char *path, int flags), (path, flags))
OPEN2_FN(__open64_2, open64, (const char *path, int flags), (path, flags))
OPEN2_FN(__openat_2, openat, (int dirfd, const char *path, int flags), (dirfd, path, flags))
OPEN2_FN(__openat64_2, openat64, (int dirfd, const char *path, int flags),
	 (dirfd, path, flags))

/* ---- stat ---- */

/* stat of path if it is /dev/cxl[/NAME]: 0 or -errno; -ENOSYS: not ours. */
static int stat_node(const char *path, struct stat *st)
{
	struct target t;

	lookup(path, &t);
	if (t.kind == OTHER)
		return -ENOSYS;
	if (t.kind == DIR_NODE)
		return real_stat()(preload_memdev_dir(), st) ? -errno : 0;
	if (!t.found)
		return -ENOENT;
	if (t.slash)
		return -ENOTDIR;
	preload_memdev_node_stat(&t.sock, t.n, st);
	return 0;
}

/* fstat of one of our memdev fds: 0, or -ENOSYS for any other fd. */
static int stat_fd(int fd, struct stat *st)
{
	struct preload_memdev *m;

	if (!preload_maybe(fd))
		return -ENOSYS;
	preload_lock();
	m = preload_fd_memdev(fd);
	if (m)
		preload_memdev_stat(m, st);
	preload_unlock();
	return m ? 0 : -ENOSYS;
}

/* stat and lstat (no symbolic link is served: lstat is stat), and their 64s */
#define STAT_FN(name, type)                                                      \
	PRELOAD_VISIBLE int name(const char *path, type *st)                     \
	{                                                                        \
		char buf[PATH_MAX];                                              \
		int rc = stat_node(path, (struct stat *)st);                     \
										 \
		return rc == -ENOSYS ? real_##name()(via(path, buf), st) : ret_int(rc); \
	}
STAT_FN(stat, struct stat)
STAT_FN(stat64, struct stat64)
STAT_FN(lstat, struct stat)
STAT_FN(lstat64, struct stat64)

PRELOAD_VISIBLE int fstat(int fd, struct stat *st)
{
	int rc = stat_fd(fd, st);

	return rc == -ENOSYS ? preload_real_fstat(fd, st) : ret_int(rc);
}

PRELOAD_VISIBLE int fstat64(int fd, struct stat64 *st)
{
	int rc = stat_fd(fd, (struct stat *)st);

	return rc == -ENOSYS ? real_fstat64()(fd, st) : ret_int(rc);
}

static int statat_node(int dirfd, const char *path, struct stat *st, int flags)
{
	if (path && !*path && (flags & AT_EMPTY_PATH))
		return stat_fd(dirfd, st);
	return stat_node(path, st);
}

#define STATAT_FN(name, type)                                                    \
	PRELOAD_VISIBLE int name(int dirfd, const char *path, type *st, int flags) \
	{                                                                        \
		char buf[PATH_MAX];                                              \
		int rc = statat_node(dirfd, path, (struct stat *)st, flags);     \
										 \
		if (rc != -ENOSYS)                                               \
			return ret_int(rc);                                      \
		return real_##name()(dirfd, via(path, buf), st, flags);          \
	}
STATAT_FN(fstatat, struct stat)
STATAT_FN(fstatat64, struct stat64)

/* Binaries built before glibc 2.33 call these (the layout is stat's here). */
#define XSTAT_FN(name, to, params, args)                                         \
	PRELOAD_VISIBLE int name params                                          \
	{                                                                        \
		(void)ver;                                                       \
		return to args;                                                  \
	}
XSTAT_FN(__xstat, stat, (int ver, const char *path, struct stat *st), (path, st))
XSTAT_FN(__xstat64, stat64, (int ver, const char *path, struct stat64 *st), (path, st))
XSTAT_FN(__lxstat, lstat, (int ver, const char *path, struct stat *st), (path, st))
XSTAT_FN(__lxstat64, lstat64, (int ver, const char *path, struct stat64 *st), (path, st))
XSTAT_FN(__fxstat, fstat, (int ver, int fd, struct stat *st), (fd, st))
XSTAT_FN(__fxstat64, fstat64, (int ver, int fd, struct stat64 *st), (fd, st))
XSTAT_FN(__fxstatat, fstatat, (int ver, int dirfd, const char *path, struct stat *st, int flags),
	 (dirfd, path, st, flags))
XSTAT_FN(__fxstatat64, fstatat64,
	 (int ver, int dirfd, const char *path, struct stat64 *st, int flags),
	 (dirfd, path, st, flags))

static struct statx_timestamp stx_time(struct timespec ts)
{
	return (struct statx_timestamp){ .tv_sec = ts.tv_sec, .tv_nsec = (uint32_t)ts.tv_nsec };
}

PRELOAD_VISIBLE int statx(int dirfd, const char *path, int flags, unsigned mask,
			  struct statx *stx)
{
	char buf[PATH_MAX];
	struct stat st;
	int rc = statat_node(dirfd, path, &st, flags);

	if (rc == -ENOSYS) {
		if (real_statx())
			return real_statx()(dirfd, via(path, buf), flags, mask, stx);
		return ret_int(-ENOSYS);
	}
	if (rc)
		return ret_int(rc);
	memset(stx, 0, sizeof(*stx));
	stx->stx_mask = STATX_BASIC_STATS;
	stx->stx_blksize = (uint32_t)st.st_blksize;
	stx->stx_nlink = (uint32_t)st.st_nlink;
	stx->stx_uid = st.st_uid;
	stx->stx_gid = st.st_gid;
	stx->stx_mode = (uint16_t)st.st_mode;
	stx->stx_ino = st.st_ino;
	stx->stx_size = (uint64_t)st.st_size;
	stx->stx_blocks = (uint64_t)st.st_blocks;
	stx->stx_atime = stx_time(st.st_atim);
	stx->stx_ctime = stx_time(st.st_ctim);
	stx->stx_mtime = stx_time(st.st_mtim);
	stx->stx_rdev_major = major(st.st_rdev);
	stx->stx_rdev_minor = minor(st.st_rdev);
	stx->stx_dev_major = major(st.st_dev);
	stx->stx_dev_minor = minor(st.st_dev);
	return 0;
}

/* ---- access ---- */

/* access of /dev/cxl[/NAME]: 0 or -errno; -ENOSYS: not ours. */
static int access_node(const char *path, int mode)
{
	struct target t;

	lookup(path, &t);
	if (t.kind == OTHER)
		return -ENOSYS;
	if (t.kind == DIR_NODE)
		return real_access()(preload_memdev_dir(), mode) ? -errno : 0;
	if (!t.found)
		return -ENOENT;
	return mode & X_OK ? -EACCES : 0; /* crw------- of the user */
}

PRELOAD_VISIBLE int access(const char *path, int mode)
{
	char buf[PATH_MAX];
	int rc = access_node(path, mode);

	return rc == -ENOSYS ? real_access()(via(path, buf), mode) : ret_int(rc);
}

PRELOAD_VISIBLE int faccessat(int dirfd, const char *path, int mode, int flags)
{
	char buf[PATH_MAX];
	int rc = access_node(path, mode);

	return rc == -ENOSYS ? real_faccessat()(dirfd, via(path, buf), mode, flags) : ret_int(rc);
}

/* ---- extended attributes (ls -l asks for security.selinux) ---- */

/* A node has none: -ENODATA (get) or 0 (list); -ENOSYS: not ours, the
 * directory's own are the run directory's. */
static ssize_t xattr_node(const char *path, bool list, const char **dir)
{
	struct target t;

	lookup(path, &t);
	if (t.kind == DIR_NODE)
		*dir = preload_memdev_dir();
	if (t.kind != DEV_NODE)
		return -ENOSYS;
	if (!t.found)
		return -ENOENT;
	return list ? 0 : -ENODATA;
}

static ssize_t ret_ssize(ssize_t rc)
{
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

#define GETXATTR_FN(name)                                                        \
	PRELOAD_VISIBLE ssize_t name(const char *path, const char *attr, void *val, size_t len) \
	{                                                                        \
		char buf[PATH_MAX];                                              \
		const char *dir = via(path, buf);                                \
		ssize_t rc = xattr_node(path, false, &dir);                      \
										 \
		return rc == -ENOSYS ? real_##name()(dir, attr, val, len) : ret_ssize(rc); \
	}
GETXATTR_FN(getxattr)
GETXATTR_FN(lgetxattr)

#define LISTXATTR_FN(name)                                                       \
	PRELOAD_VISIBLE ssize_t name(const char *path, char *list, size_t len)   \
	{                                                                        \
		char buf[PATH_MAX];                                              \
		const char *dir = via(path, buf);                                \
		ssize_t rc = xattr_node(path, true, &dir);                       \
										 \
		return rc == -ENOSYS ? real_##name()(dir, list, len) : ret_ssize(rc); \
	}
LISTXATTR_FN(listxattr)
LISTXATTR_FN(llistxattr)

/* ---- directory ---- */

static bool dir_ours(DIR *d, bool drop)
{
	bool found = false;

	if (!atomic_load(&fs.ndirs) || !d)
		return false;
	preload_lock();
	for (size_t i = 0; i < MAX_DIRS && !found; i++) {
		if (fs.dirs[i] == d) {
			found = true;
			if (drop) {
				fs.dirs[i] = NULL;
				atomic_fetch_sub(&fs.ndirs, 1);
			}
		}
	}
	preload_unlock();
	return found;
}

PRELOAD_VISIBLE DIR *opendir(const char *path)
{
	char buf[PATH_MAX];
	struct target t;
	DIR *d;

	lookup(path, &t);
	if (t.kind == OTHER)
		return real_opendir()(via(path, buf));
	if (t.kind == DEV_NODE) {
		errno = t.found ? ENOTDIR : ENOENT;
		return NULL;
	}
	d = real_opendir()(preload_memdev_dir());
	if (!d)
		return NULL;
	preload_lock();
	for (size_t i = 0; i < MAX_DIRS; i++) {
		if (!fs.dirs[i]) {
			fs.dirs[i] = d;
			atomic_fetch_add(&fs.ndirs, 1);
			preload_unlock();
			return d;
		}
	}
	preload_unlock();
	real_closedir()(d);
	errno = EMFILE;
	return NULL;
}

/* Of the run directory's entries: ".", ".." and the memN sockets, as devices. */
static bool keep(const char *dir, struct dirent *e)
{
	char path[PATH_MAX];
	struct stat st;
	unsigned n;

	if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
		return true;
	if (!memdev_number(e->d_name, &n))
		return false;
	if (e->d_type == DT_UNKNOWN) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
		    real_lstat()(path, &st) || !S_ISSOCK(st.st_mode))
			return false;
	} else if (e->d_type != DT_SOCK) {
		return false;
	}
	e->d_type = DT_CHR;
	return true;
}

PRELOAD_VISIBLE struct dirent *readdir(DIR *d)
{
	struct dirent *e;

	if (!dir_ours(d, false))
		return real_readdir()(d);
	while ((e = real_readdir()(d)) && !keep(preload_memdev_dir(), e))
		;
	return e;
}

PRELOAD_VISIBLE struct dirent64 *readdir64(DIR *d)
{
	struct dirent64 *e;

	if (!dir_ours(d, false))
		return real_readdir64()(d);
	while ((e = real_readdir64()(d)) && !keep(preload_memdev_dir(), (struct dirent *)e))
		;
	return e;
}

PRELOAD_VISIBLE int closedir(DIR *d)
{
	dir_ours(d, true);
	return real_closedir()(d);
}
