/* SPDX-License-Identifier: MIT */
/*
 * Bytes queued for a non-blocking stream socket: appended whole, sent as
 * the socket takes them. Shared by the QMP server's clients and the QMP
 * client.
 */
#ifndef CXLFM_EMU_OUTBUF_H
#define CXLFM_EMU_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>

struct outbuf {
	char *buf;
	size_t len, off, cap;
};

/* Append n bytes. -ENOMEM; -ENOBUFS if more than max would wait unsent. */
int outbuf_put(struct outbuf *o, const char *p, size_t n, size_t max);
/*
 * Send without blocking. 0: nothing left; 1: the socket is full (wait for
 * it to be writable); -errno: the connection failed.
 */
int outbuf_flush(struct outbuf *o, int fd);
static inline bool outbuf_pending(const struct outbuf *o) { return o->len > o->off; }
static inline void outbuf_clear(struct outbuf *o) { o->len = o->off = 0; }
void outbuf_free(struct outbuf *o);

#endif
