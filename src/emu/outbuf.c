/* SPDX-License-Identifier: MIT */
#include "emu/outbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int outbuf_put(struct outbuf *o, const char *p, size_t n, size_t max)
{
	if (o->len - o->off + n > max)
		return -ENOBUFS;
	if (o->off && o->len + n > o->cap) {
		memmove(o->buf, o->buf + o->off, o->len - o->off);
		o->len -= o->off;
		o->off = 0;
	}
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		char *b;

		while (cap < o->len + n)
			cap *= 2;
		b = realloc(o->buf, cap);
		if (!b)
			return -ENOMEM;
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

int outbuf_flush(struct outbuf *o, int fd)
{
	while (o->off < o->len) {
		ssize_t n = send(fd, o->buf + o->off, o->len - o->off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			return -errno;
		}
		o->off += (size_t)n;
	}
	outbuf_clear(o);
	return 0;
}

void outbuf_free(struct outbuf *o)
{
	free(o->buf);
	*o = (struct outbuf){ 0 };
}
