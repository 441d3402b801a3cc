/* SPDX-License-Identifier: MIT */
#include "emu/qmp_client.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "emu/loop.h"
#include "emu/outbuf.h"
#include "emu/netaddr.h"
#include "proto/qmp.h"
#include "util/log.h"

#define DEFAULT_TIMEOUT_MS 5000u
#define DEFAULT_RETRY_MIN_MS 100u
#define DEFAULT_RETRY_MAX_MS 5000u
#define CAPS_ID "qmp_capabilities"

enum cstate {
	CS_IDLE,        /* waiting to (re)connect */
	CS_CONNECTING,  /* non-blocking connect in progress */
	CS_GREETING,    /* connected, greeting not seen yet */
	CS_NEGOTIATING, /* qmp_capabilities sent */
	CS_READY,
};

struct creq {
	struct qmp_client *c;
	long long id;
	char *line;         /* serialized command */
	size_t len;
	bool sent;
	qmp_client_cb cb;
	void *arg;
	struct loop_timer *timer;
	struct creq *next;
};

struct qmp_client {
	struct loop *l;
	struct qmp_client_cfg cfg;
	char addr[300];
	struct net_addr na;
	enum cstate st;
	int fd;
	struct loop_watch *w;
	struct loop_timer *retry;
	unsigned delay_ms;
	struct qmp_stream *in;
	struct outbuf out;
	struct creq *reqs;  /* FIFO: send order */
	long long next_id;
	unsigned busy;      /* inside a callback */
	bool dead;          /* qmp_client_free() called */
};

static void disconnect(struct qmp_client *c, const char *why);

/* ---- requests ---- */

static void creq_free(struct creq *r)
{
	loop_timer_free(r->timer);
	free(r->line);
	free(r);
}

static void creq_unlink(struct qmp_client *c, struct creq *r)
{
	for (struct creq **pp = &c->reqs; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			return;
		}
	}
}

/* Run the callback once and free the request. */
static void complete(struct creq *r, const struct qmp_result *res)
{
	struct qmp_client *c = r->c;

	creq_unlink(c, r);
	if (r->cb) {
		c->busy++;
		r->cb(c, res, r->arg);
		c->busy--;
	}
	creq_free(r);
}

static void fail(struct creq *r, int err)
{
	struct qmp_result res = { .err = err };

	complete(r, &res);
}

static void free_now(struct qmp_client *c)
{
	qmp_stream_free(c->in);
	loop_timer_free(c->retry);
	outbuf_free(&c->out);
	free(c);
}

/* After a callback: was the client freed meanwhile? */
static bool gone(struct qmp_client *c)
{
	if (c->dead && !c->busy) {
		free_now(c);
		return true;
	}
	return c->dead;
}

static void on_timeout(struct loop *l, void *arg)
{
	struct creq *r = arg;
	struct qmp_client *c = r->c;

	(void)l;
	log_dbg("qmp-client %s: command %lld timed out", c->addr, r->id);
	c->busy++;
	fail(r, -ETIMEDOUT);
	c->busy--;
	gone(c);
}

/* ---- output ---- */

static void update_interest(struct qmp_client *c)
{
	unsigned ev = LOOP_READ;

	if (!c->w)
		return;
	if (c->st == CS_CONNECTING || outbuf_pending(&c->out))
		ev |= LOOP_WRITE;
	loop_watch_mod(c->w, ev);
}

static int queue_out(struct qmp_client *c, const char *p, size_t n)
{
	/* requests are bounded by the caller's queue: no output limit here */
	return outbuf_put(&c->out, p, n, SIZE_MAX);
}

static void flush_out(struct qmp_client *c)
{
	int rc = outbuf_flush(&c->out, c->fd);

	if (rc < 0) {
		disconnect(c, strerror(-rc));
		return;
	}
	update_interest(c);
}

static void send_pending(struct qmp_client *c)
{
	for (struct creq *r = c->reqs; r && c->st == CS_READY; r = r->next) {
		if (r->sent)
			continue;
		if (queue_out(c, r->line, r->len)) {
			disconnect(c, "out of memory");
			return;
		}
		r->sent = true;
	}
	if (c->st == CS_READY)
		flush_out(c);
}

/* ---- connection ---- */

static void on_retry(struct loop *l, void *arg);
static void on_io(struct loop_watch *w, int fd, unsigned ev, void *arg);

static void schedule_retry(struct qmp_client *c)
{
	c->st = CS_IDLE;
	loop_timer_arm_ms(c->retry, c->delay_ms);
	c->delay_ms = c->delay_ms * 2 > c->cfg.reconnect_max_ms ? c->cfg.reconnect_max_ms :
								c->delay_ms * 2;
}

static void disconnect(struct qmp_client *c, const char *why)
{
	bool was_ready = c->st == CS_READY;

	if (c->st == CS_IDLE)
		return;
	log_info("qmp-client %s: disconnected: %s", c->addr, why);
	loop_watch_del(c->w);
	c->w = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	outbuf_clear(&c->out);
	qmp_stream_reset(c->in);
	if (!c->dead)
		schedule_retry(c);
	else
		c->st = CS_IDLE;
	/* sent commands may or may not have run: their callers decide */
	c->busy++;
	for (;;) {
		/* rescan each time: a callback may queue or cancel commands */
		struct creq *r = c->reqs;

		while (r && !r->sent)
			r = r->next;
		if (!r)
			break;
		fail(r, -ECONNRESET);
	}
	c->busy--;
	if (was_ready && c->cfg.on_state && !c->dead) {
		c->busy++;
		c->cfg.on_state(c, false, c->cfg.arg);
		c->busy--;
	}
}

static int open_socket(struct qmp_client *c)
{
	int fd, rc;

	if (c->na.kind == NET_UNIX) {
		struct sockaddr_un sun;

		if (net_unix_sockaddr(c->na.path, &sun))
			return -ENAMETOOLONG;
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	} else {
		struct addrinfo hints = { 0 }, *res;
		int one = 1;

		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		rc = getaddrinfo(c->na.host, c->na.port, &hints, &res);
		if (rc)
			return rc == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
		fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			rc = -errno;
			freeaddrinfo(res);
			return rc;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		rc = connect(fd, res->ai_addr, res->ai_addrlen);
		freeaddrinfo(res);
	}
	if (rc < 0 && errno != EINPROGRESS) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static void on_retry(struct loop *l, void *arg)
{
	struct qmp_client *c = arg;
	int fd, err;

	(void)l;
	fd = open_socket(c);
	if (fd < 0) {
		log_dbg("qmp-client %s: connect: %s", c->addr, strerror(-fd));
		schedule_retry(c);
		return;
	}
	c->fd = fd;
	c->st = CS_CONNECTING;
	err = loop_watch_add(c->l, fd, LOOP_READ | LOOP_WRITE, on_io, c, &c->w);
	if (err) {
		close(fd);
		c->fd = -1;
		schedule_retry(c);
	}
}

static void send_caps(struct qmp_client *c)
{
	static const char caps[] = "{\"execute\":\"qmp_capabilities\",\"id\":\"" CAPS_ID "\"}\r\n";

	if (queue_out(c, caps, sizeof(caps) - 1)) {
		disconnect(c, "out of memory");
		return;
	}
	c->st = CS_NEGOTIATING;
	flush_out(c);
}

/* One message from the server. */
static void handle(struct qmp_client *c, struct json_object *m)
{
	const char *cls, *desc;
	enum qmp_msg_kind k = qmp_msg_classify(m, &cls, &desc);
	struct json_object *idj = NULL, *v;
	struct creq *r;

	if (c->st == CS_GREETING) {
		if (k != QMP_MSG_GREETING) {
			disconnect(c, "no QMP greeting");
			return;
		}
		send_caps(c);
		return;
	}
	json_object_object_get_ex(m, "id", &idj);
	if (c->st == CS_NEGOTIATING) {
		if (k == QMP_MSG_EVENT)
			return;
		if (k != QMP_MSG_RETURN) {
			disconnect(c, k == QMP_MSG_ERROR ? desc : "bad negotiation reply");
			return;
		}
		c->st = CS_READY;
		c->delay_ms = c->cfg.reconnect_min_ms;
		log_info("qmp-client %s: connected", c->addr);
		if (c->cfg.on_state) {
			c->busy++;
			c->cfg.on_state(c, true, c->cfg.arg);
			c->busy--;
			if (c->dead)
				return;
		}
		send_pending(c);
		return;
	}
	if (k == QMP_MSG_EVENT) {
		if (c->cfg.on_event) {
			json_object_object_get_ex(m, "event", &v);
			c->busy++;
			c->cfg.on_event(c, json_object_get_string(v),
					json_object_object_get_ex(m, "data", &idj) ? idj : NULL,
					c->cfg.arg);
			c->busy--;
		}
		return;
	}
	if (k != QMP_MSG_RETURN && k != QMP_MSG_ERROR) {
		log_dbg("qmp-client %s: unexpected message dropped", c->addr);
		return;
	}
	/* by id; a reply without one (a parse error) goes to the oldest sent */
	for (r = c->reqs; r; r = r->next) {
		if (!r->sent)
			continue;
		if (!idj || (json_object_is_type(idj, json_type_int) &&
			     json_object_get_int64(idj) == r->id))
			break;
	}
	if (!r) {
		log_dbg("qmp-client %s: reply for an unknown id dropped", c->addr);
		return;
	}
	if (k == QMP_MSG_RETURN) {
		struct qmp_result res = { .err = 0 };

		json_object_object_get_ex(m, "return", &res.ret);
		complete(r, &res);
	} else {
		struct qmp_result res = { .err = -EREMOTEIO, .cls = cls, .desc = desc };

		complete(r, &res);
	}
}

static void read_input(struct qmp_client *c)
{
	char buf[16384];
	ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK)
			disconnect(c, strerror(errno));
		return;
	}
	if (n == 0) {
		disconnect(c, "peer closed the connection");
		return;
	}
	if (qmp_stream_feed(c->in, buf, (size_t)n)) {
		disconnect(c, "reply too large");
		return;
	}
	for (;;) {
		struct json_object *v;
		const char *err;
		int rc = qmp_stream_next(c->in, &v, &err);

		if (rc == QMP_NEED_MORE)
			return;
		if (rc != QMP_VALUE) {
			disconnect(c, rc == QMP_ERROR ? err : "reply too large");
			return;
		}
		handle(c, v);
		json_object_put(v);
		if (c->dead || c->st == CS_IDLE)
			return;
	}
}

static void on_io(struct loop_watch *w, int fd, unsigned ev, void *arg)
{
	struct qmp_client *c = arg;

	(void)w;
	c->busy++;
	if (c->st == CS_CONNECTING) {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			soerr = errno;
		if (soerr) {
			log_dbg("qmp-client %s: connect: %s", c->addr, strerror(soerr));
			disconnect(c, strerror(soerr));
			goto out;
		}
		c->st = CS_GREETING;
		update_interest(c);
	}
	if (ev & LOOP_WRITE)
		flush_out(c);
	if ((ev & (LOOP_READ | LOOP_ERROR)) && c->st != CS_IDLE && !c->dead)
		read_input(c);
out:
	c->busy--;
	gone(c);
}

/* ---- API ---- */

int qmp_client_new(struct loop *l, const struct qmp_client_cfg *cfg, struct qmp_client **out)
{
	struct qmp_client *c;
	int err;

	if (!cfg || !cfg->addr)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->l = l;
	c->cfg = *cfg;
	c->fd = -1;
	snprintf(c->addr, sizeof(c->addr), "%s", cfg->addr);
	c->cfg.addr = c->addr;
	if (!c->cfg.timeout_ms)
		c->cfg.timeout_ms = DEFAULT_TIMEOUT_MS;
	if (!c->cfg.reconnect_min_ms)
		c->cfg.reconnect_min_ms = DEFAULT_RETRY_MIN_MS;
	if (!c->cfg.reconnect_max_ms)
		c->cfg.reconnect_max_ms = DEFAULT_RETRY_MAX_MS;
	if (c->cfg.reconnect_max_ms < c->cfg.reconnect_min_ms)
		c->cfg.reconnect_max_ms = c->cfg.reconnect_min_ms;
	c->delay_ms = c->cfg.reconnect_min_ms;
	c->next_id = 1;
	err = net_addr_parse(cfg->addr, true, &c->na);
	if (!err)
		err = qmp_stream_new(cfg->max_msg, &c->in);
	if (!err)
		err = loop_timer_new(l, on_retry, c, &c->retry);
	if (err) {
		qmp_stream_free(c->in);
		free(c);
		return err;
	}
	loop_timer_arm(c->retry, 0);
	*out = c;
	return 0;
}

void qmp_client_free(struct qmp_client *c)
{
	if (!c || c->dead)
		return;
	c->dead = true;
	c->busy++;
	loop_timer_cancel(c->retry);
	/* every command, sent or not, is cancelled: nobody waits for answers */
	while (c->reqs)
		fail(c->reqs, -ECANCELED);
	disconnect(c, "closed");
	c->busy--;
	gone(c);
}

int qmp_client_execute(struct qmp_client *c, const char *name, struct json_object *args,
		       unsigned timeout_ms, qmp_client_cb cb, void *arg)
{
	struct json_object *m;
	struct creq *r, **tail;
	int err;

	if (c->dead || !name) {
		json_object_put(args);
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		json_object_put(args);
		return -ENOMEM;
	}
	r->c = c;
	r->id = c->next_id++;
	r->cb = cb;
	r->arg = arg;
	m = json_object_new_object();
	json_object_object_add(m, "execute", json_object_new_string(name));
	if (args)
		json_object_object_add(m, "arguments", args);
	json_object_object_add(m, "id", json_object_new_int64(r->id));
	r->line = qmp_to_line(m, &r->len);
	json_object_put(m);
	err = r->line ? loop_timer_new(c->l, on_timeout, r, &r->timer) : -ENOMEM;
	if (err) {
		creq_free(r);
		return err;
	}
	loop_timer_arm_ms(r->timer, timeout_ms ? timeout_ms : c->cfg.timeout_ms);
	for (tail = &c->reqs; *tail; tail = &(*tail)->next)
		;
	*tail = r;
	if (c->st == CS_READY)
		send_pending(c);
	return 0;
}

bool qmp_client_ready(const struct qmp_client *c)
{
	return c->st == CS_READY;
}

const char *qmp_client_addr(const struct qmp_client *c)
{
	return c->addr;
}

size_t qmp_client_pending(const struct qmp_client *c)
{
	size_t n = 0;

	for (const struct creq *r = c->reqs; r; r = r->next)
		n++;
	return n;
}
