/* SPDX-License-Identifier: MIT */
#include "emu/memdev_server.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dev/cci.h"
#include "emu/loop.h"
#include "emu/usock.h"
#include "proto/memdev_wire.h"
#include "util/log.h"

#define RX_BURST 16 /* requests served per wake-up before yielding */

struct md_client {
	struct memdev_server *s;
	int fd;
	struct loop_watch *watch;
};

struct memdev_server {
	struct loop *loop;
	struct memdev_server_cfg cfg;
	char name[32], dev_id[128], path[108];
	int lfd;
	struct loop_watch *lwatch;
	struct md_client *clients[MEMDEV_SERVER_MAX_CLIENTS];
	size_t nclients;
	uint32_t payload_size;
	uint8_t *hello;     /* the HELLO every client gets */
	size_t hello_len;
	uint8_t *rx, *tx, *out;
	struct memdev_server_stats st;
};

const char *memdev_server_path(const struct memdev_server *s) { return s->path; }
size_t memdev_server_clients(const struct memdev_server *s) { return s->nclients; }

void memdev_server_get_stats(const struct memdev_server *s, struct memdev_server_stats *st)
{
	*st = s->st;
}

static void client_close(struct md_client *c)
{
	struct memdev_server *s = c->s;

	for (size_t i = 0; i < s->nclients; i++) {
		if (s->clients[i] == c) {
			s->clients[i] = s->clients[--s->nclients];
			break;
		}
	}
	loop_watch_del(c->watch);
	close(c->fd);
	free(c);
}

/* Count a reason to close a client; log it at its 1st, 2nd, 4th ... time. */
__attribute__((format(printf, 3, 4)))
static void client_fail(struct md_client *c, unsigned long long *count, const char *fmt, ...)
{
	struct memdev_server *s = c->s;
	char msg[160];
	va_list ap;

	if (log_every_pow2(++*count)) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		log_warn("memdev %s (%s): %s; client closed (%llu so far)", s->name, s->dev_id,
			 msg, *count);
	}
	client_close(c);
}

/* The Background Command Status Register after a command (CXL r3.1 §8.2.8.4.7). */
static uint64_t bg_register(const struct cci *cci)
{
	struct cci_bg_status st;

	cci_bg_status(cci, &st);
	return memdev_bg_make(st.opcode, st.pct, st.rc, st.vendor_status);
}

/* Run one request; false if the client is gone (closed here). */
static bool serve(struct md_client *c, const uint8_t *msg, size_t len)
{
	struct memdev_server *s = c->s;
	struct memdev_req req;
	struct memdev_rsp rsp = { 0 };
	size_t out_len = 0;
	int n = memdev_wire_req_decode(msg, len, s->payload_size, &req);

	if (n) {
		client_fail(c, &s->st.malformed, "%zu-byte message is no request (%s)", len,
			    strerror(-n));
		return false;
	}
	rsp.rc = cci_process(s->cfg.cci, req.opcode, req.payload, req.len, s->out, &out_len);
	if (s->cfg.after)
		s->cfg.after(s->cfg.arg);
	s->st.commands++;
	log_dbg("memdev %s op 0x%04x tag %u: rc 0x%02x, %zu bytes", s->name, req.opcode,
		req.tag, rsp.rc, out_len);
	rsp.tag = req.tag;
	rsp.bg = bg_register(s->cfg.cci);
	rsp.payload = s->out;
	rsp.len = (uint32_t)out_len;
	n = memdev_wire_rsp_encode(&rsp, s->tx, MEMDEV_WIRE_RSP_LEN + s->payload_size);
	if (n < 0) { /* cannot happen: out_len is at most the payload size */
		client_fail(c, &s->st.malformed, "op 0x%04x: response not encodable (%s)",
			    req.opcode, strerror(-n));
		return false;
	}
	/* One answer a request: a client that sends without reading is stuck. */
	if (send(c->fd, s->tx, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) != n) {
		client_fail(c, &s->st.stalled, "answer to op 0x%04x not sent (%s)", req.opcode,
			    strerror(errno));
		return false;
	}
	return true;
}

static void client_cb(struct loop_watch *w, int fd, unsigned events, void *arg)
{
	struct md_client *c = arg;
	struct memdev_server *s = c->s;
	size_t max = MEMDEV_WIRE_REQ_LEN + s->payload_size;

	(void)w;
	(void)events;
	for (int i = 0; i < RX_BURST; i++) {
		ssize_t n = recv(fd, s->rx, max, MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0 || (n == 0 && usock_peer_closed(fd))) {
			log_dbg("memdev %s: client left", s->name);
			client_close(c);
			return;
		}
		if ((size_t)n > max) {
			client_fail(c, &s->st.malformed, "%zd-byte message over the %u-byte mailbox",
				    n, s->payload_size);
			return;
		}
		if (!serve(c, s->rx, (size_t)n))
			return;
	}
}

static void accept_cb(struct loop_watch *w, int fd, unsigned events, void *arg)
{
	struct memdev_server *s = arg;
	struct md_client *c;
	int cfd;

	(void)w;
	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (s->nclients == MEMDEV_SERVER_MAX_CLIENTS || !(c = calloc(1, sizeof(*c)))) {
			if (log_every_pow2(++s->st.refused))
				log_warn("memdev %s (%s): client refused, %zu connected (%llu so far)",
					 s->name, s->dev_id, s->nclients, s->st.refused);
			close(cfd);
			continue;
		}
		c->s = s;
		c->fd = cfd;
		if (send(cfd, s->hello, s->hello_len, MSG_DONTWAIT | MSG_NOSIGNAL) !=
		    (ssize_t)s->hello_len ||
		    loop_watch_add(s->loop, cfd, LOOP_READ, client_cb, c, &c->watch) < 0) {
			close(cfd);
			free(c);
			continue;
		}
		s->clients[s->nclients++] = c;
		log_dbg("memdev %s: client connected (%zu)", s->name, s->nclients);
	}
}

static int make_hello(struct memdev_server *s)
{
	struct cci *cci = s->cfg.cci;
	size_t cel_len = cci_cel_size(cci);
	struct memdev_hello h = {
		.flags = s->cfg.pmem ? MEMDEV_HELLO_PMEM : 0,
		.payload_size = s->payload_size,
		.serial = s->cfg.serial,
		.cel_len = (uint32_t)cel_len,
	};
	uint8_t *cel;
	int n;

	if (cel_len > MEMDEV_WIRE_CEL_MAX)
		return -E2BIG;
	cel = malloc(cel_len ? cel_len : 1);
	s->hello = malloc(MEMDEV_WIRE_HELLO_LEN + cel_len);
	if (!cel || !s->hello) {
		free(cel);
		return -ENOMEM;
	}
	cci_cel_read(cci, 0, cel, cel_len);
	h.cel = cel;
	n = memdev_wire_hello_encode(&h, s->hello, MEMDEV_WIRE_HELLO_LEN + cel_len);
	free(cel);
	if (n < 0)
		return n;
	s->hello_len = (size_t)n;
	return 0;
}

/* Stop listening (the socket file goes too) and free s; its clients are gone. */
static void release(struct memdev_server *s)
{
	if (s->lfd >= 0) {
		loop_watch_del(s->lwatch);
		close(s->lfd);
		unlink(s->path);
	}
	free(s->hello);
	free(s->rx);
	free(s->tx);
	free(s->out);
	free(s);
}

int memdev_server_new(struct loop *loop, const struct memdev_server_cfg *cfg,
		      struct memdev_server **out)
{
	struct memdev_server *s;
	int err;

	if (strlen(cfg->path) >= sizeof(s->path))
		return -ENAMETOOLONG;
	if (cfg->cci->payload_max > MEMDEV_WIRE_PAYLOAD_MAX)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->cfg = *cfg;
	s->lfd = -1;
	snprintf(s->name, sizeof(s->name), "%s", cfg->name);
	snprintf(s->dev_id, sizeof(s->dev_id), "%s", cfg->dev_id);
	strcpy(s->path, cfg->path);
	s->cfg.name = s->name;
	s->cfg.dev_id = s->dev_id;
	s->cfg.path = s->path;
	s->payload_size = (uint32_t)cfg->cci->payload_max;
	s->rx = malloc(MEMDEV_WIRE_REQ_LEN + s->payload_size);
	s->tx = malloc(MEMDEV_WIRE_RSP_LEN + s->payload_size);
	s->out = malloc(s->payload_size);
	err = !s->rx || !s->tx || !s->out ? -ENOMEM : make_hello(s);
	if (!err)
		err = usock_listen(s->path, 16, &s->lfd);
	if (!err)
		err = loop_watch_add(loop, s->lfd, LOOP_READ, accept_cb, s, &s->lwatch);
	if (err) {
		release(s);
		return err;
	}
	log_info("memdev %s: %s's host mailbox on %s", s->name, s->dev_id, s->path);
	*out = s;
	return 0;
}

void memdev_server_free(struct memdev_server *s)
{
	if (!s)
		return;
	while (s->nclients)
		client_close(s->clients[0]);
	release(s);
}
