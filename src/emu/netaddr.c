/* SPDX-License-Identifier: MIT */
#include "emu/netaddr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static int copy(char *dst, size_t len, const char *src, size_t n)
{
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

static int parse_hostport(const char *s, struct net_addr *out)
{
	const char *colon;
	int rc;

	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return -EINVAL;
		rc = copy(out->host, sizeof(out->host), s + 1, (size_t)(rb - s - 1));
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		rc = copy(out->host, sizeof(out->host), s, (size_t)(colon - s));
	}
	if (rc)
		return rc;
	if (!colon[1])
		return -EINVAL;
	/* QEMU options may follow the address: "tcp:h:p,server=on" is not ours */
	if (strchr(colon + 1, ','))
		return -EINVAL;
	out->kind = NET_TCP;
	return copy(out->port, sizeof(out->port), colon + 1, strlen(colon + 1));
}

int net_addr_parse(const char *s, bool allow_bare, struct net_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (!strncmp(s, "tcp:", 4))
		return parse_hostport(s + 4, out);
	if (!strncmp(s, "unix:", 5)) {
		if (!s[5])
			return -EINVAL;
		out->kind = NET_UNIX;
		return copy(out->path, sizeof(out->path), s + 5, strlen(s + 5));
	}
	if (allow_bare)
		return parse_hostport(s, out);
	return -EINVAL;
}

int net_unix_sockaddr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	return copy(sun->sun_path, sizeof(sun->sun_path), path, strlen(path));
}

int net_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}
