/* SPDX-License-Identifier: MIT */
/*
 * /dev/cxl/memN through libcxlfm-mctp-preload.so, call by call, against
 * the kernel's behaviour (drivers/cxl/core/memdev.c, mbox.c; Linux v6.12+
 * with CONFIG_CXL_MEM_RAW_COMMANDS=y): a program of the kernel's APIs
 * alone (libc, <linux/cxl_mem.h>). test_memdev runs it with CXLFM_MEMDEV_DIR
 * set, preloaded and linked with the shim's code (the sanitizer builds):
 *
 *   memdev_uapi device   against cxl-emu's device (256 MiB volatile +
 *                        256 MiB persistent, an LSA, serial 0x1234): the
 *                        nodes, open, the fd's other calls, QUERY, every
 *                        error of SEND in the kernel's order, its results,
 *                        fork, threads
 *   memdev_uapi fake     against the test's own broken devices (mem0 answers
 *                        a command late, mem1 turns clients away, mem2
 *                        greets with garbage, mem3 hangs up at the first
 *                        command, mem4 answers garbage)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/cxl_mem.h>

#define DEV "/dev/cxl/mem0"
#define ID_MAX_NOW 25      /* CXL_MEM_COMMAND_ID_MAX of v6.11+ */
#define ID_CLEAR_LOG 23
#define PAYLOAD 2048       /* the device's mailbox payload size */
#define CXL_MAJOR 254      /* the shim's (docs/preload.md) */

static const uint8_t cel_uuid[16] = {
	0x0d, 0xa9, 0xc0, 0xb5, 0xbf, 0x41, 0x4b, 0x78,
	0x8f, 0x79, 0x96, 0xb1, 0x62, 0x3b, 0x3f, 0x17,
};
static const uint8_t vendor_debug_uuid[16] = {
	0x5e, 0x18, 0x19, 0xd9, 0x11, 0xa9, 0x40, 0x0c,
	0x81, 0x1f, 0xd6, 0x07, 0x19, 0x40, 0x3d, 0x86,
};

static int open_dev(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	return fd;
}

/* CXL_MEM_SEND_COMMAND of c: 0 or -errno. */
static int sendc(int fd, struct cxl_send_command *c)
{
	return ioctl(fd, CXL_MEM_SEND_COMMAND, c) < 0 ? -errno : 0;
}

static struct cxl_send_command cmd(uint32_t id, uint16_t raw_op, const void *in, uint32_t in_len,
				   void *out, uint32_t out_len)
{
	struct cxl_send_command c = {
		.id = id,
		.in = { .size = in_len, .payload = (uint64_t)(uintptr_t)in },
		.out = { .size = out_len, .payload = (uint64_t)(uintptr_t)out },
	};

	c.raw.opcode = raw_op;
	return c;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* ---- the nodes ---- */

static void test_nodes(void **state)
{
	char buf[256];
	struct stat st, st2;
	struct statx stx;

	(void)state;
	assert_int_equal(stat("/dev/cxl", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(stat(DEV, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(major(st.st_rdev), CXL_MAJOR);
	assert_int_equal(minor(st.st_rdev), 0);
	assert_int_equal(st.st_size, 0);
	/* written differently, the same node */
	assert_int_equal(lstat("/dev//cxl/./mem0", &st2), 0);
	assert_int_equal(st2.st_ino, st.st_ino);
	assert_int_equal(stat("/dev/cxl/../cxl/mem0", &st2), 0);
	assert_int_equal(st2.st_rdev, st.st_rdev);
	assert_int_equal(fstatat(AT_FDCWD, DEV, &st2, 0), 0);
	assert_int_equal(st2.st_rdev, st.st_rdev);
	assert_int_equal(statx(AT_FDCWD, DEV, 0, STATX_BASIC_STATS, &stx), 0);
	assert_true(S_ISCHR(stx.stx_mode));
	assert_int_equal(stx.stx_rdev_major, CXL_MAJOR);
	/* what is not a node */
	assert_int_equal(stat("/dev/cxl/mem1", &st2), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(stat("/dev/cxl/cxl-emu.pid", &st2), -1); /* only memN shows */
	assert_int_equal(errno, ENOENT);
	assert_int_equal(stat("/dev/cxl/mem00", &st2), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(stat(DEV "/", &st2), -1);
	assert_int_equal(errno, ENOTDIR);
	/* access: the user's rw-, no x */
	assert_int_equal(access(DEV, F_OK), 0);
	assert_int_equal(access(DEV, R_OK | W_OK), 0);
	assert_int_equal(access(DEV, X_OK), -1);
	assert_int_equal(errno, EACCES);
	assert_int_equal(faccessat(AT_FDCWD, "/dev/cxl/mem7", F_OK, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(access("/dev/cxl", X_OK), 0);
	/* out of it again: /dev itself */
	assert_int_equal(stat("/dev/cxl/..", &st2), 0);
	assert_int_equal(stat("/dev", &st), 0);
	assert_int_equal(st2.st_ino, st.st_ino);
	/* no extended attributes on a node (ls -l asks) */
	assert_int_equal(lgetxattr(DEV, "security.selinux", buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENODATA);
	assert_int_equal(llistxattr(DEV, buf, sizeof(buf)), 0);
	assert_int_equal(getxattr("/dev/cxl/mem8", "user.x", buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_readdir(void **state)
{
	struct dirent *e;
	int n = 0, dots = 0;
	DIR *d;

	(void)state;
	d = opendir("/dev/cxl");
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
			dots++;
			continue;
		}
		assert_string_equal(e->d_name, "mem0");
		assert_int_equal(e->d_type, DT_CHR);
		n++;
	}
	assert_int_equal(closedir(d), 0);
	assert_int_equal(n, 1);
	assert_int_equal(dots, 2);
	assert_null(opendir(DEV));
	assert_int_equal(errno, ENOTDIR);
	assert_null(opendir("/dev/cxl/mem9"));
	assert_int_equal(errno, ENOENT);
}

static void test_open(void **state)
{
	struct stat st, node;
	int fd;

	(void)state;
	fd = open(DEV, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(stat(DEV, &node), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, node.st_rdev);
	assert_int_equal(st.st_ino, node.st_ino);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	assert_int_equal(close(fd), 0);
	fd = openat(AT_FDCWD, DEV, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(close(fd), 0);
	/* the open flags a character device refuses */
	assert_int_equal(open(DEV, O_RDWR | O_CREAT | O_EXCL, 0600), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(open(DEV, O_RDONLY | O_DIRECTORY), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(open("/dev/cxl/mem3", O_RDWR), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(open("/dev/cxl/mem3", O_RDWR | O_CREAT, 0600), -1);
	assert_int_equal(errno, EACCES); /* only root makes nodes in /dev */
	fd = open("/dev/cxl", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	close(fd);
}

/* A character device with ioctl only: the fd's other calls fail as on one. */
static void test_fd_calls(void **state)
{
	uint8_t buf[16], id[128];
	struct cxl_send_command c = cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, NULL, 0, id, sizeof(id));
	int fd = open_dev(DEV), fd2, fd3, on = 1;

	(void)state;
	assert_int_equal(read(fd, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(write(fd, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(send(fd, buf, sizeof(buf), 0), -1);
	assert_int_equal(errno, ENOTSOCK);
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_int_equal(errno, ENOTSOCK);
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_TYPE, buf, &(socklen_t){ 4 }), -1);
	assert_int_equal(errno, ENOTSOCK);
	assert_int_equal(ioctl(fd, _IO(0xce, 3)), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(ioctl(fd, FIONREAD, &on), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(ioctl(fd, FIONBIO, &on), 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	/* non-blocking or not, an ioctl waits for the mailbox */
	assert_int_equal(sendc(fd, &c), 0);
	assert_int_equal(c.retval, 0);
	/* dup'ed fds name the same open device, which lives while one does */
	fd2 = dup(fd);
	fd3 = fcntl(fd, F_DUPFD_CLOEXEC, 50);
	assert_true(fd3 >= 50);
	assert_int_equal(close(fd), 0);
	assert_int_equal(sendc(fd2, &c), 0);
	assert_int_equal(dup2(fd3, fd2), fd2);
	assert_int_equal(close(fd3), 0);
	assert_int_equal(sendc(fd2, &c), 0);
	assert_int_equal(close(fd2), 0);
	assert_int_equal(ioctl(fd2, CXL_MEM_SEND_COMMAND, &c), -1);
	assert_int_equal(errno, EBADF);
}

/* ---- QUERY ---- */

static void test_query(void **state)
{
	size_t sz = sizeof(struct cxl_mem_query_commands) + ID_MAX_NOW * sizeof(struct cxl_command_info);
	struct cxl_mem_query_commands *all = calloc(1, sz + sizeof(struct cxl_command_info));
	struct cxl_mem_query_commands *q = all;
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *map;
	int fd = open_dev(DEV);

	(void)state;
	assert_int_equal(ioctl(fd, CXL_MEM_QUERY_COMMANDS, q), 0);
	assert_int_equal(q->n_commands, ID_MAX_NOW); /* the whole table, enabled or not */
	/* three asked: three written, the count left as given */
	memset(q, 0xa5, sz);
	q->n_commands = 3;
	assert_int_equal(ioctl(fd, CXL_MEM_QUERY_COMMANDS, q), 0);
	assert_int_equal(q->n_commands, 3);
	assert_int_equal(q->commands[0].id, 0); /* INVALID: an empty entry */
	assert_int_equal(q->commands[0].flags, 0);
	assert_int_equal(q->commands[1].id, CXL_MEM_COMMAND_ID_IDENTIFY);
	assert_int_equal(q->commands[1].flags, 1);
	assert_int_equal(q->commands[1].size_in, 0);
	assert_int_equal(q->commands[1].size_out, 0x43);
	assert_int_equal(q->commands[2].id, CXL_MEM_COMMAND_ID_RAW);
	assert_int_equal(q->commands[2].flags, 0); /* never enabled by the CEL */
	assert_int_equal(q->commands[3].id, 0xa5a5a5a5);
	/* more than there are: the table's entries */
	q->n_commands = ID_MAX_NOW + 1;
	q->commands[ID_MAX_NOW].id = 0x5a5a5a5a;
	assert_int_equal(ioctl(fd, CXL_MEM_QUERY_COMMANDS, q), 0);
	assert_int_equal(q->commands[ID_MAX_NOW].id, 0x5a5a5a5a);
	assert_int_equal(q->commands[CXL_MEM_COMMAND_ID_GET_POISON].id, 0); /* deprecated */
	assert_int_equal(q->commands[CXL_MEM_COMMAND_ID_SET_LSA].flags, 3); /* cxl_pmem's */
	/* bad memory: EFAULT, as copy_to_user() */
	assert_int_equal(ioctl(fd, CXL_MEM_QUERY_COMMANDS, (void *)8), -1);
	assert_int_equal(errno, EFAULT);
	map = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + page, (size_t)page, PROT_NONE), 0);
	q = (struct cxl_mem_query_commands *)(map + page - 8 - 2 * 16);
	q->n_commands = 3; /* the third entry is past the page */
	assert_int_equal(ioctl(fd, CXL_MEM_QUERY_COMMANDS, q), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(q->commands[1].id, CXL_MEM_COMMAND_ID_IDENTIFY); /* written before */
	munmap(map, 2 * (size_t)page);
	free(all);
	close(fd);
}

/* ---- SEND: every error, in cxl_validate_cmd_from_user()'s order ---- */

static void expect(int fd, struct cxl_send_command c, int err)
{
	c.retval = 0xdead;
	assert_int_equal(sendc(fd, &c), -err);
	assert_int_equal(c.retval, 0xdead); /* nothing written back */
}

static void test_send_errors(void **state)
{
	uint8_t out[PAYLOAD + 16], in[PAYLOAD + 16] = { 0 };
	struct cxl_send_command c;
	int fd = open_dev(DEV);

	(void)state;
	/* the ID */
	expect(fd, cmd(0, 0, NULL, 0, out, 0x43), ENOTTY);
	expect(fd, cmd(ID_MAX_NOW, 0, NULL, 0, out, 0x43), ENOTTY);
	expect(fd, cmd(0x10000, 0, NULL, 0, out, 0x43), ENOTTY);
	/* more input than the mailbox takes, before anything else */
	expect(fd, cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, in, PAYLOAD + 1, out, 0x43), EINVAL);
	expect(fd, cmd(CXL_MEM_COMMAND_ID_RAW, 0x4000, in, PAYLOAD + 1, out, 0x43), EINVAL);
	/* a named command's reserved fields and flags */
	c = cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, NULL, 0, out, 0x43);
	c.flags = 4;
	expect(fd, c, EINVAL);
	c = cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, NULL, 0, out, 0x43);
	c.rsvd = 1;
	expect(fd, c, EINVAL);
	c = cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, NULL, 0, out, 0x43);
	c.in.rsvd = 1;
	expect(fd, c, EINVAL);
	c = cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, NULL, 0, out, 0x43);
	c.out.rsvd = 1;
	expect(fd, c, EINVAL);
	/* not enabled: a deprecated ID (no entry) */
	expect(fd, cmd(CXL_MEM_COMMAND_ID_GET_POISON, 0, in, 16, out, 64), ENOTTY);
	expect(fd, cmd(CXL_MEM_COMMAND_ID_SCAN_MEDIA, 0, in, 17, NULL, 0), ENOTTY);
	/* held by cxl_pmem */
	expect(fd, cmd(CXL_MEM_COMMAND_ID_SET_LSA, 0, in, 16, NULL, 0), EBUSY);
	expect(fd, cmd(CXL_MEM_COMMAND_ID_SET_SHUTDOWN_STATE, 0, in, 1, NULL, 0), EBUSY);
	/* sizes: input exact, output at least */
	expect(fd, cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, in, 1, out, 0x43), ENOMEM);
	expect(fd, cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, NULL, 0, out, 0x42), ENOMEM);
	expect(fd, cmd(CXL_MEM_COMMAND_ID_GET_LSA, 0, in, 7, out, 64), ENOMEM);
	/* raw: its reserved field, its output size, what it may not send */
	c = cmd(CXL_MEM_COMMAND_ID_RAW, 0x4000, NULL, 0, out, 0x45);
	c.raw.rsvd = 1;
	expect(fd, c, EINVAL);
	expect(fd, cmd(CXL_MEM_COMMAND_ID_RAW, 0x4000, NULL, 0, out, PAYLOAD + 1), EINVAL);
	expect(fd, cmd(CXL_MEM_COMMAND_ID_RAW, 0x4400, NULL, 0, NULL, 0), EPERM);
	expect(fd, cmd(CXL_MEM_COMMAND_ID_RAW, 0x4503, in, 32, NULL, 0), EPERM);
	expect(fd, cmd(CXL_MEM_COMMAND_ID_RAW, 0x46ff, NULL, 0, NULL, 0), EPERM);
	expect(fd, cmd(CXL_MEM_COMMAND_ID_RAW, 0x0202, in, 2, NULL, 0), EPERM);
	expect(fd, cmd(CXL_MEM_COMMAND_ID_RAW, 0x4304, in, 17, NULL, 0), EPERM);
	/* the input payload is read (EFAULT), then looked at */
	expect(fd, cmd(CXL_MEM_COMMAND_ID_GET_LSA, 0, (void *)16, 8, out, 64), EFAULT);
	memset(in, 0, 10);
	in[8] = 0x01; /* Set Partition Info's Immediate flag */
	expect(fd, cmd(CXL_MEM_COMMAND_ID_SET_PARTITION_INFO, 0, in, 10, NULL, 0), EBUSY);
	memcpy(in, cel_uuid, 16); /* only the vendor debug log may be cleared */
	expect(fd, cmd(ID_CLEAR_LOG, 0, in, 16, NULL, 0), EBUSY);
	memcpy(in, vendor_debug_uuid, 16);
	c = cmd(ID_CLEAR_LOG, 0, in, 16, NULL, 0);
	assert_int_equal(sendc(fd, &c), 0);
	assert_int_equal(c.retval, 0);
	/* the struct itself */
	assert_int_equal(ioctl(fd, CXL_MEM_SEND_COMMAND, (void *)24), -1);
	assert_int_equal(errno, EFAULT);
	/* raw ignores the named command's fields */
	c = cmd(CXL_MEM_COMMAND_ID_RAW, 0x4000, NULL, 0, out, 0x45);
	c.flags = 0xff;
	c.in.rsvd = c.out.rsvd = 7;
	assert_int_equal(sendc(fd, &c), 0);
	assert_int_equal(c.retval, 0);
	/* output into bad memory: the command ran, then EFAULT */
	expect(fd, cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, NULL, 0, (void *)32, 0x43), EFAULT);
	close(fd);
}

/* ---- SEND: what comes back ---- */

static void test_send_results(void **state)
{
	uint8_t out[256], in[8] = { 0 };
	struct cxl_send_command c;
	int fd = open_dev(DEV);

	(void)state;
	/* success: out.size = what the device answered, at most what was asked */
	memset(out, 0xee, sizeof(out));
	c = cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, NULL, 0, out, sizeof(out));
	assert_int_equal(sendc(fd, &c), 0);
	assert_int_equal(c.retval, 0);
	assert_int_equal(c.out.size, 0x45);
	assert_int_equal(get64(out + 0x10), 2); /* 512 MiB in 256 MiB units */
	assert_int_equal(out[0x45], 0xee);
	c = cmd(CXL_MEM_COMMAND_ID_RAW, 0x4000, NULL, 0, out, 0x10);
	assert_int_equal(sendc(fd, &c), 0);
	assert_int_equal(c.out.size, 0x10);
	c = cmd(CXL_MEM_COMMAND_ID_RAW, 0x4000, NULL, 0, NULL, 0);
	assert_int_equal(sendc(fd, &c), 0);
	assert_int_equal(c.out.size, 0);
	/* Identify (0001h) by raw: the serial */
	c = cmd(CXL_MEM_COMMAND_ID_RAW, 0x0001, NULL, 0, out, sizeof(out));
	assert_int_equal(sendc(fd, &c), 0);
	assert_int_equal(c.out.size, 18);
	assert_int_equal(get64(out + 8), 0x1234);
	/* the device's error: retval, out.size as given, the buffer zeroed */
	memset(out, 0xee, sizeof(out));
	c = cmd(CXL_MEM_COMMAND_ID_RAW, 0xbeef, NULL, 0, out, 64);
	assert_int_equal(sendc(fd, &c), 0);
	assert_int_equal(c.retval, 3); /* Unsupported */
	assert_int_equal(c.out.size, 64);
	for (int i = 0; i < 64; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(out[64], 0xee);
	/* Get LSA past its end: Invalid Input */
	in[0] = 0xf8;
	in[1] = 0xff;
	in[2] = 0x0f; /* offset 1 MiB - 8 */
	in[4] = 16;
	c = cmd(CXL_MEM_COMMAND_ID_GET_LSA, 0, in, 8, out, 16);
	assert_int_equal(sendc(fd, &c), 0);
	assert_int_equal(c.retval, 2);
	close(fd);
}

/* A fork()ed child uses the fds it inherited; the parent keeps its own. */
static void test_fork(void **state)
{
	uint8_t out[128];
	struct cxl_send_command c = cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, NULL, 0, out, sizeof(out));
	int fd = open_dev(DEV), st;
	pid_t pid;

	(void)state;
	assert_int_equal(sendc(fd, &c), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < 20; i++)
			if (sendc(fd, &c) || c.retval || c.out.size != 0x45)
				_exit(1);
		_exit(0);
	}
	for (int i = 0; i < 20; i++) {
		assert_int_equal(sendc(fd, &c), 0);
		assert_int_equal(c.out.size, 0x45);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(sendc(fd, &c), 0);
	close(fd);
}

static int shared_fd;

static void *hammer(void *arg)
{
	uint8_t out[32];
	uintptr_t bad = 0;

	(void)arg;
	for (int i = 0; i < 200; i++) {
		struct cxl_send_command c = cmd(CXL_MEM_COMMAND_ID_RAW, 0x0001, NULL, 0, out,
						sizeof(out));

		if (sendc(shared_fd, &c) || c.retval || c.out.size != 18 || get64(out + 8) != 0x1234)
			bad++;
	}
	return (void *)bad;
}

/* Threads on one fd: one command at a time, each its own answer. */
static void test_threads(void **state)
{
	pthread_t t[4];
	void *bad;

	(void)state;
	shared_fd = open_dev(DEV);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
	close(shared_fd);
}

/* ---- broken devices (test_memdev's fakes) ---- */

static void test_fakes(void **state)
{
	uint8_t out[128];
	struct cxl_send_command c = cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, NULL, 0, out, sizeof(out));
	int fd;

	(void)state;
	/* mem0 answers the first command after the shim gave up on it */
	fd = open_dev("/dev/cxl/mem0");
	assert_int_equal(sendc(fd, &c), -ETIMEDOUT);
	assert_int_equal(sendc(fd, &c), 0); /* the late answer is not taken for this one */
	assert_int_equal(c.retval, 0);
	assert_int_equal(c.out.size, 0x45);
	assert_int_equal(out[0], 2); /* the second answer */
	close(fd);
	/* mem1 turns clients away */
	assert_int_equal(open("/dev/cxl/mem1", O_RDWR), -1);
	assert_int_equal(errno, EBUSY);
	/* mem2 is no memdev */
	assert_int_equal(open("/dev/cxl/mem2", O_RDWR), -1);
	assert_int_equal(errno, ENXIO);
	/* mem3 goes away at the first command, mem4 answers garbage: gone */
	for (int i = 3; i <= 4; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/dev/cxl/mem%d", i);
		fd = open_dev(path);
		assert_int_equal(sendc(fd, &c), -ENXIO);
		assert_int_equal(sendc(fd, &c), -ENXIO);
		assert_int_equal(ioctl(fd, CXL_MEM_QUERY_COMMANDS, out), -1);
		assert_int_equal(errno, ENXIO);
		assert_int_equal(ioctl(fd, _IO(0xce, 7)), -1);
		assert_int_equal(errno, ENXIO); /* the device is gone: any ioctl */
		assert_int_equal(close(fd), 0);
	}
	/* no such node */
	assert_int_equal(open("/dev/cxl/mem5", O_RDWR), -1);
	assert_int_equal(errno, ENOENT);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest device[] = {
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_readdir),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_fd_calls),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_send_errors),
		cmocka_unit_test(test_send_results),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_threads),
	};
	const struct CMUnitTest fake[] = {
		cmocka_unit_test(test_fakes),
	};

	if (argc > 1 && !strcmp(argv[1], "fake"))
		return cmocka_run_group_tests(fake, NULL, NULL);
	return cmocka_run_group_tests(device, NULL, NULL);
}
