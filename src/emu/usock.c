/* SPDX-License-Identifier: MIT */
#include "emu/usock.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * The socket file is created 0600 whatever the umask: whoever connects
 * drives the devices behind it (an FM on a bus, the host's driver on a
 * memdev), so only our user may (as the pid file and the forwarding
 * buffer). umask is per process, and cxl-emu has one thread.
 */
static int bind_private(int fd, const struct sockaddr_un *sa)
{
	mode_t old = umask(0177);
	int rc = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));
	int err = errno;

	umask(old);
	errno = err;
	return rc;
}

/*
 * Bind path, replacing a socket file left by a process that died. Anything
 * else there (a live socket, a regular file) is not ours: -EADDRINUSE,
 * -EEXIST.
 */
static int bind_path(int fd, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int probe, live;

	strcpy(sa.sun_path, path);
	if (bind_private(fd, &sa) == 0)
		return 0;
	if (errno != EADDRINUSE)
		return -errno;
	if (lstat(path, &st))
		return -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (probe < 0)
		return -errno;
	live = connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(probe);
	if (live)
		return -EADDRINUSE;
	unlink(path);
	return bind_private(fd, &sa) ? -errno : 0;
}

int usock_listen(const char *path, int backlog, int *out_fd)
{
	struct sockaddr_un sa;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = bind_path(fd, path);
	if (!err && listen(fd, backlog) < 0)
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	*out_fd = fd;
	return 0;
}

bool usock_peer_closed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };

	return poll(&p, 1, 0) != 0;
}
