/* SPDX-License-Identifier: MIT */
#include "emu/qmp_server.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "emu/loop.h"
#include "emu/outbuf.h"
#include "emu/netaddr.h"
#include "emu/qmp_schema.h"
#include "util/log.h"

/* src/emu/config.h shadows the build's config.h: meson passes the version */
#ifndef CXL_EMU_VERSION
#define CXL_EMU_VERSION "unknown"
#endif

#define READ_CHUNK 65536

struct cmd_entry {
	const struct qmp_cmd *cmd;
	void *arg;
};

struct listener {
	int fd;
	struct loop_watch *w;
	char addr[300];
	int port;           /* TCP */
	char *unix_path;    /* unlinked on close */
	struct qmp_server *s;
};

struct client;

struct qmp_req {
	struct qmp_server *s;
	struct client *c;   /* NULL once the client is gone */
	const struct qmp_cmd *cmd;
	struct json_object *id;
	struct qmp_req *prev, *next; /* the client's requests in flight */
};

struct client {
	struct qmp_server *s;
	unsigned serial;
	int fd;
	struct loop_watch *w;
	struct loop_timer *kick;  /* deferred: resume input or close */
	struct loop_timer *deadline; /* for capabilities negotiation */
	struct qmp_stream *in;
	struct outbuf out;
	bool negotiated;
	bool oob;
	bool eof;
	bool dead;                /* being closed: no more input or output */
	bool backlog;             /* input left: turn used up or output waiting */
	unsigned bad_inputs;      /* malformed inputs in a row */
	struct qmp_req *sync;     /* request whose handler is running */
	struct qmp_req *blocked;  /* answer awaited before the next command */
	struct qmp_req *reqs;     /* in flight */
	struct client *prev, *next;
};

struct qmp_server {
	struct loop *l;
	struct qmp_server_cfg cfg;
	char package[64];
	struct listener **ls;
	size_t n_ls;
	struct client *clients;
	size_t n_clients;
	unsigned next_serial;
	unsigned long long refused; /* clients turned away: server full */
	size_t out_pause;           /* QMP_SERVER_OUT_PAUSE, below max_out */
	struct cmd_entry *cmds;
	size_t n_cmds;
	bool quitting;
	const char *status;         /* QEMU RunState for query-status (QEMU 9 has no "singlestep" there) */
};

static const char *const capabilities[] = { "oob", NULL };

/* ---- output ---- */

static void client_close(struct client *c, const char *why);

/* So much output waits that the client's commands wait too. */
static bool out_paused(const struct client *c)
{
	return c->out.len - c->out.off > c->s->out_pause;
}

/*
 * Read more only when what was read is done: a client that sends faster
 * than it reads its answers fills its own socket buffer, not our memory.
 */
static bool wants_input(const struct client *c)
{
	return !c->dead && !c->blocked && !c->eof && !c->backlog && !out_paused(c);
}

static void update_interest(struct client *c)
{
	unsigned ev = 0;

	if (c->dead)
		return;
	if (wants_input(c))
		ev |= LOOP_READ;
	if (outbuf_pending(&c->out))
		ev |= LOOP_WRITE;
	loop_watch_mod(c->w, ev);
}

static void flush_out(struct client *c)
{
	int rc = outbuf_flush(&c->out, c->fd);

	if (rc < 0) {
		client_close(c, strerror(-rc));
		return;
	}
	/* the client read its answers: its waiting commands go on */
	if (c->backlog && !out_paused(c))
		loop_timer_arm(c->kick, 0);
	update_interest(c);
}

/* Queue one message (consumed) and try to write it now. */
static void send_msg(struct client *c, struct json_object *msg)
{
	size_t len;
	char *line;
	int rc;

	if (!c || c->dead) {
		json_object_put(msg);
		return;
	}
	line = qmp_to_line(msg, &len);
	json_object_put(msg);
	if (!line) {
		client_close(c, "out of memory");
		return;
	}
	rc = outbuf_put(&c->out, line, len, c->s->cfg.max_out);
	free(line);
	if (rc) {
		client_close(c, rc == -ENOBUFS ? "output not read (buffer limit reached)" :
			     "out of memory");
		return;
	}
	flush_out(c);
}

static void send_error(struct client *c, const char *cls, const char *desc,
		       struct json_object *id)
{
	send_msg(c, qmp_error_new(cls, desc, id));
}

/* ---- clients ---- */

static void client_free(struct client *c)
{
	struct qmp_server *s = c->s;

	/* Requests in flight stay valid for their handlers, answering nowhere. */
	for (struct qmp_req *r = c->reqs; r; r = r->next)
		r->c = NULL;
	loop_watch_del(c->w);
	loop_timer_free(c->kick);
	loop_timer_free(c->deadline);
	if (c->fd >= 0)
		close(c->fd);
	qmp_stream_free(c->in);
	outbuf_free(&c->out);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_clients--;
	free(c);
}

static void process_input(struct client *c);

static void on_kick(struct loop *l, void *arg)
{
	struct client *c = arg;

	(void)l;
	if (c->dead) {
		client_free(c);
		return;
	}
	process_input(c);
}

/*
 * Never freed from inside a handler or a reply: mark dead and let the loop
 * free it, so every caller up the stack still holds valid memory.
 */
static void client_close(struct client *c, const char *why)
{
	if (c->dead)
		return;
	c->dead = true;
	log_info("qmp: client %u closed: %s", c->serial, why);
	loop_watch_del(c->w);
	c->w = NULL;
	close(c->fd);
	c->fd = -1;
	for (struct qmp_req *r = c->reqs; r; r = r->next)
		r->c = NULL;
	c->reqs = NULL;
	c->sync = c->blocked = NULL;
	loop_timer_cancel(c->deadline);
	loop_timer_arm(c->kick, 0);
}

/* Tell the client why, then close it. */
static void client_reject(struct client *c, const char *why, const char *desc)
{
	send_error(c, QMP_ERR_GENERIC, desc, NULL);
	client_close(c, why);
}

static void on_deadline(struct loop *l, void *arg)
{
	struct client *c = arg;
	char desc[128];

	(void)l;
	if (c->dead || c->negotiated)
		return;
	snprintf(desc, sizeof(desc),
		 "Capabilities negotiation not completed within %llu ms, closing",
		 (unsigned long long)c->s->cfg.negotiate_ms);
	client_reject(c, "no capabilities negotiation in time", desc);
}

static struct json_object *greeting(const struct qmp_server *s)
{
	struct qmp_version v = {
		QMP_SERVER_QEMU_MAJOR, QMP_SERVER_QEMU_MINOR, QMP_SERVER_QEMU_MICRO, s->package,
	};

	return qmp_greeting_new(&v, capabilities);
}

static void on_client_io(struct loop_watch *w, int fd, unsigned ev, void *arg);

static int client_new(struct qmp_server *s, int fd)
{
	struct client *c = calloc(1, sizeof(*c));
	int err;

	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->s = s;
	c->fd = fd;
	c->serial = ++s->next_serial;
	err = qmp_stream_new(s->cfg.max_msg, &c->in);
	if (!err)
		err = loop_timer_new(s->l, on_kick, c, &c->kick);
	if (!err)
		err = loop_timer_new(s->l, on_deadline, c, &c->deadline);
	if (!err)
		err = loop_watch_add(s->l, fd, LOOP_READ, on_client_io, c, &c->w);
	if (err) {
		loop_timer_free(c->kick);
		loop_timer_free(c->deadline);
		qmp_stream_free(c->in);
		close(fd);
		free(c);
		return err;
	}
	c->next = s->clients;
	if (s->clients)
		s->clients->prev = c;
	s->clients = c;
	s->n_clients++;
	log_info("qmp: client %u connected", c->serial);
	loop_timer_arm_ms(c->deadline, s->cfg.negotiate_ms);
	send_msg(c, greeting(s));
	return 0;
}

int qmp_server_attach(struct qmp_server *s, int fd)
{
	int err = net_set_nonblock(fd);

	if (err) {
		close(fd);
		return err;
	}
	return client_new(s, fd);
}

size_t qmp_server_clients(const struct qmp_server *s)
{
	size_t n = 0;

	for (const struct client *c = s->clients; c; c = c->next)
		n += !c->dead;
	return n;
}

/* ---- requests ---- */

static void req_unlink(struct qmp_req *r)
{
	struct client *c = r->c;

	if (!c)
		return;
	if (r->prev)
		r->prev->next = r->next;
	else
		c->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	if (c->sync == r)
		c->sync = NULL;
	if (c->blocked == r) {
		/* in order again: take the next command on a fresh stack */
		c->blocked = NULL;
		update_interest(c);
		loop_timer_arm(c->kick, 0);
	}
	r->c = NULL;
}

static void req_finish(struct qmp_req *r, struct json_object *msg)
{
	struct client *c = r->c;

	req_unlink(r);
	if (c)
		send_msg(c, msg);
	else
		json_object_put(msg);
	json_object_put(r->id);
	free(r);
}

void qmp_reply_return(struct qmp_req *req, struct json_object *ret)
{
	req_finish(req, qmp_return_new(ret, req->id));
}

void qmp_reply_error(struct qmp_req *req, const char *cls, const char *fmt, ...)
{
	char desc[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	req_finish(req, qmp_error_new(cls, desc, req->id));
}

bool qmp_req_orphaned(const struct qmp_req *req)
{
	return !req->c;
}

const char *qmp_req_command(const struct qmp_req *req)
{
	return req->cmd->name;
}

struct qmp_server *qmp_req_server(const struct qmp_req *req)
{
	return req->s;
}

/* ---- dispatch ---- */

const struct qmp_cmd *qmp_server_find(const struct qmp_server *s, const char *name)
{
	for (size_t i = 0; i < s->n_cmds; i++)
		if (!strcmp(s->cmds[i].cmd->name, name))
			return s->cmds[i].cmd;
	return NULL;
}

const struct qmp_cmd *qmp_server_command(const struct qmp_server *s, size_t i)
{
	return i < s->n_cmds ? s->cmds[i].cmd : NULL;
}

static const struct cmd_entry *find_entry(const struct qmp_server *s, const char *name)
{
	for (size_t i = 0; i < s->n_cmds; i++)
		if (!strcmp(s->cmds[i].cmd->name, name))
			return &s->cmds[i];
	return NULL;
}

static void dispatch(struct client *c, const struct cmd_entry *e, struct json_object *args,
		     struct json_object *id)
{
	struct qmp_req *r = calloc(1, sizeof(*r));
	struct json_object *empty = NULL;

	if (!r) {
		send_error(c, QMP_ERR_GENERIC, "out of memory", id);
		return;
	}
	r->s = c->s;
	r->c = c;
	r->cmd = e->cmd;
	r->id = id ? json_object_get(id) : NULL;
	r->next = c->reqs;
	if (c->reqs)
		c->reqs->prev = r;
	c->reqs = r;
	c->sync = r;
	if (!args)
		args = empty = json_object_new_object();
	log_dbg("qmp: client %u: %s", c->serial, e->cmd->name);
	e->cmd->fn(r, args, e->arg);
	json_object_put(empty);
	/* Still c->sync: the handler kept the request to answer later. */
	if (c->sync == r) {
		c->sync = NULL;
		if (!(e->cmd->flags & QMP_CMD_CONCURRENT)) {
			c->blocked = r;
			update_interest(c);
		}
	}
}

/*
 * QEMU answers every malformed input (one error per JSON parse error), so
 * random bytes would get more bytes of errors back than they have: past
 * QMP_SERVER_MAX_BAD_INPUT in a row the sender is no QMP client.
 */
static void bad_input(struct client *c, const char *err, struct json_object *id)
{
	send_error(c, QMP_ERR_GENERIC, err, id);
	if (++c->bad_inputs < QMP_SERVER_MAX_BAD_INPUT || c->dead)
		return;
	log_warn("qmp: client %u: %u malformed inputs in a row, dropping client", c->serial,
		 c->bad_inputs);
	client_reject(c, "malformed input", "Too many malformed inputs in a row, closing");
}

static void handle_msg(struct client *c, struct json_object *msg)
{
	struct qmp_request rq;
	const struct cmd_entry *e;
	char err[512];

	if (qmp_request_parse(msg, c->oob, &rq, err, sizeof(err))) {
		bad_input(c, err, rq.id);
		return;
	}
	c->bad_inputs = 0;
	if (!c->negotiated && strcmp(rq.name, "qmp_capabilities")) {
		/* QEMU monitor_qmp_dispatch() rewrites CommandNotFound so */
		send_error(c, QMP_ERR_COMMAND_NOT_FOUND,
			   "Expecting capabilities negotiation with 'qmp_capabilities'", rq.id);
		return;
	}
	e = find_entry(c->s, rq.name);
	if (!e) {
		snprintf(err, sizeof(err), "The command %.200s has not been found", rq.name);
		send_error(c, QMP_ERR_COMMAND_NOT_FOUND, err, rq.id);
		return;
	}
	if (rq.oob) {
		/* no command of ours runs out-of-band (allow-oob) */
		snprintf(err, sizeof(err), "The command %s does not support OOB", rq.name);
		send_error(c, QMP_ERR_GENERIC, err, rq.id);
		return;
	}
	if (c->negotiated && !strcmp(rq.name, "qmp_capabilities")) {
		send_error(c, QMP_ERR_COMMAND_NOT_FOUND,
			   "Capabilities negotiation is already complete, command ignored", rq.id);
		return;
	}
	if (qmp_args_check(e->cmd->args, rq.args, err, sizeof(err))) {
		send_error(c, QMP_ERR_GENERIC, err, rq.id);
		return;
	}
	dispatch(c, e, rq.args, rq.id);
}

/*
 * At most QMP_SERVER_CMDS_PER_TURN messages, then the other clients' turn
 * (the kick brings this one back on the next loop iteration); none while
 * too much output waits (flush_out brings it back).
 */
static void process_input(struct client *c)
{
	unsigned turn = QMP_SERVER_CMDS_PER_TURN;

	c->backlog = false;
	while (!c->dead && !c->blocked && !c->s->quitting) {
		struct json_object *v;
		const char *err;
		int rc;

		if (out_paused(c)) {
			c->backlog = true;
			break;
		}
		if (!turn--) {
			c->backlog = true;
			loop_timer_arm(c->kick, 0);
			break;
		}
		rc = qmp_stream_next(c->in, &v, &err);
		if (rc == QMP_NEED_MORE)
			break;
		if (rc == QMP_VALUE) {
			handle_msg(c, v);
			json_object_put(v);
		} else if (rc == QMP_ERROR) {
			bad_input(c, err, NULL);
		} else {
			log_warn("qmp: client %u: message larger than %zu bytes, dropping client",
				 c->serial, c->s->cfg.max_msg);
			client_close(c, "message too large");
			return;
		}
	}
	if (c->dead)
		return;
	update_interest(c);
	/* After EOF: answer what was sent, then close once everything is out. */
	if (c->eof && !c->backlog && !c->blocked && !c->reqs && !outbuf_pending(&c->out))
		client_close(c, "end of input");
}

static void on_client_io(struct loop_watch *w, int fd, unsigned ev, void *arg)
{
	struct client *c = arg;

	(void)w;
	if (ev & LOOP_WRITE) {
		flush_out(c);
		if (c->dead)
			return;
		if (c->eof && !c->backlog && !c->reqs && !outbuf_pending(&c->out)) {
			client_close(c, "end of input");
			return;
		}
	}
	if ((ev & LOOP_READ) && wants_input(c)) {
		char buf[READ_CHUNK];
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			client_close(c, strerror(errno));
			return;
		}
		if (n == 0) {
			c->eof = true;
			qmp_stream_finish(c->in);
			update_interest(c);
		} else if (qmp_stream_feed(c->in, buf, (size_t)n)) {
			log_warn("qmp: client %u: more than %zu bytes of unparsed input, "
				 "dropping client", c->serial, c->s->cfg.max_msg);
			client_close(c, "input limit reached");
			return;
		}
		process_input(c);
		return;
	}
	if (ev & LOOP_ERROR)
		client_close(c, "connection error");
}

/* ---- events ---- */

void qmp_server_event(struct qmp_server *s, const char *name, struct json_object *data)
{
	struct timespec ts;
	int64_t sec = -1, usec = -1;

	/* qmp-spec: both -1 when the host time is not available */
	if (!clock_gettime(CLOCK_REALTIME, &ts)) {
		sec = ts.tv_sec;
		usec = ts.tv_nsec / 1000;
	}
	for (struct client *c = s->clients, *next; c; c = next) {
		next = c->next;
		if (c->dead || !c->negotiated)
			continue;
		send_msg(c, qmp_event_new(name, data ? json_object_get(data) : NULL, sec, usec));
	}
	json_object_put(data);
}

/* ---- built-in commands ---- */

static const char *const cap_values[] = { "oob", NULL };
static const struct qmp_arg cap_elem = { "", QMP_T_ENUM, false, NULL, NULL, cap_values, NULL };
static const struct qmp_arg args_caps[] = {
	{ "enable", QMP_T_ARRAY, true, NULL, &cap_elem, NULL, "capabilities to enable" },
	{ NULL, QMP_T_ANY, false, NULL, NULL, NULL, NULL },
};

static void cmd_capabilities(struct qmp_req *req, struct json_object *args, void *arg)
{
	struct json_object *en;
	struct client *c = req->c;

	(void)arg;
	c->negotiated = true;
	loop_timer_cancel(c->deadline);
	if (json_object_object_get_ex(args, "enable", &en) && json_object_array_length(en))
		c->oob = true; /* "oob" is the only value the spec lets through */
	qmp_reply_return(req, NULL);
}

static void cmd_query_version(struct qmp_req *req, struct json_object *args, void *arg)
{
	struct qmp_version v = {
		QMP_SERVER_QEMU_MAJOR, QMP_SERVER_QEMU_MINOR, QMP_SERVER_QEMU_MICRO,
		req->s->package,
	};

	(void)args;
	(void)arg;
	qmp_reply_return(req, qmp_version_new(&v));
}

static void cmd_query_commands(struct qmp_req *req, struct json_object *args, void *arg)
{
	struct json_object *list = json_object_new_array();

	(void)args;
	(void)arg;
	for (size_t i = 0; i < req->s->n_cmds; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(req->s->cmds[i].cmd->name));
		json_object_array_add(list, o);
	}
	qmp_reply_return(req, list);
}

static const struct qmp_cmd *schema_cmd(size_t i, const void *arg)
{
	return qmp_server_command(arg, i);
}

/* Generated from the command tables (qmp_schema.c), as QEMU's is from its QAPI schema. */
static void cmd_query_qmp_schema(struct qmp_req *req, struct json_object *args, void *arg)
{
	(void)args;
	(void)arg;
	qmp_reply_return(req, qmp_schema_build(schema_cmd, req->s));
}

static void cmd_query_status(struct qmp_req *req, struct json_object *args, void *arg)
{
	struct json_object *o = json_object_new_object();

	(void)args;
	(void)arg;
	json_object_object_add(o, "status", json_object_new_string(req->s->status));
	json_object_object_add(o, "running",
			       json_object_new_boolean(!strcmp(req->s->status, "running")));
	qmp_reply_return(req, o);
}

void qmp_server_set_status(struct qmp_server *s, const char *status)
{
	s->status = status;
}

const char *qmp_server_status(const struct qmp_server *s)
{
	return s->status;
}

static void cmd_quit(struct qmp_req *req, struct json_object *args, void *arg)
{
	struct qmp_server *s = req->s;
	struct json_object *data = json_object_new_object();

	(void)args;
	(void)arg;
	qmp_reply_return(req, NULL);
	/* QEMU: the reply, then SHUTDOWN {guest: false, reason: host-qmp-quit} */
	json_object_object_add(data, "guest", json_object_new_boolean(0));
	json_object_object_add(data, "reason", json_object_new_string("host-qmp-quit"));
	qmp_server_event(s, "SHUTDOWN", data);
	s->quitting = true;
	log_info("qmp: quit requested");
	if (s->cfg.quit)
		s->cfg.quit(s, s->cfg.arg);
	else
		loop_stop(s->l, 0);
}

static const struct qmp_cmd builtin[] = {
	{ "qmp_capabilities", cmd_capabilities, args_caps,
	  "leave capabilities negotiation mode (optionally enable \"oob\")", 0 },
	{ "query-version", cmd_query_version, NULL, "QEMU version we emulate and our package", 0 },
	{ "query-commands", cmd_query_commands, NULL, "list the commands", 0 },
	{ "query-qmp-schema", cmd_query_qmp_schema, NULL,
	  "the commands and their argument types (QEMU's SchemaInfo)", 0 },
	{ "query-status", cmd_query_status, NULL, "run state: running, prelaunch (-S), paused", 0 },
	{ "quit", cmd_quit, NULL, "shut cxl-emu down cleanly", 0 },
};

int qmp_server_register(struct qmp_server *s, const struct qmp_cmd *cmd, void *arg)
{
	struct cmd_entry *n;

	if (!cmd || !cmd->name || !cmd->fn)
		return -EINVAL;
	if (qmp_server_find(s, cmd->name))
		return -EEXIST;
	n = realloc(s->cmds, (s->n_cmds + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	n[s->n_cmds].cmd = cmd;
	n[s->n_cmds].arg = arg;
	s->cmds = n;
	s->n_cmds++;
	return 0;
}

int qmp_server_register_table(struct qmp_server *s, const struct qmp_cmd *cmds, size_t n,
			      void *arg)
{
	for (size_t i = 0; i < n; i++) {
		int err = qmp_server_register(s, &cmds[i], arg);

		if (err)
			return err;
	}
	return 0;
}

/* ---- listeners ---- */

/*
 * Full: the oldest client still in capabilities negotiation goes, so idle
 * connections cannot lock out a peer that negotiates (a forwarding host).
 */
static bool make_room(struct qmp_server *s)
{
	struct client *old = NULL;

	for (struct client *c = s->clients; c; c = c->next)
		if (!c->dead && !c->negotiated && (!old || c->serial < old->serial))
			old = c;
	if (!old)
		return false;
	log_info("qmp: %u clients, closing client %u (not negotiated) for a new one",
		 s->cfg.max_clients, old->serial);
	client_reject(old, "server full, not negotiated",
		      "Too many QMP clients, closing the oldest one not negotiated");
	return true;
}

/* Full of negotiated clients: the greeting, why, and close. */
static void refuse(struct qmp_server *s, const struct listener *ls, int fd)
{
	char desc[96];
	struct json_object *msgs[2];
	size_t len;

	if (log_every_pow2(++s->refused))
		log_warn("qmp: %s: %u clients already, refused a new one (%llu so far)", ls->addr,
			 s->cfg.max_clients, s->refused);
	snprintf(desc, sizeof(desc), "Too many QMP clients (at most %u at once)",
		 s->cfg.max_clients);
	msgs[0] = greeting(s);
	msgs[1] = qmp_error_new(QMP_ERR_GENERIC, desc, NULL);
	for (size_t i = 0; i < 2; i++) {
		char *line = qmp_to_line(msgs[i], &len);

		/* a new socket's buffer takes these few bytes; if not, the close says it */
		if (line && send(fd, line, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			log_dbg("qmp: %s: refusal not sent: %s", ls->addr, strerror(errno));
		free(line);
		json_object_put(msgs[i]);
	}
	shutdown(fd, SHUT_WR);
	close(fd);
}

static void on_accept(struct loop_watch *w, int fd, unsigned ev, void *arg)
{
	struct listener *ls = arg;
	struct qmp_server *s = ls->s;

	(void)w;
	(void)ev;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;

		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("qmp: accept on %s: %s", ls->addr, strerror(errno));
			return;
		}
		if (qmp_server_clients(s) >= s->cfg.max_clients && !make_room(s)) {
			refuse(s, ls, cfd);
			continue;
		}
		if (!ls->unix_path)
			setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (client_new(s, cfd))
			log_warn("qmp: %s: cannot serve a new client", ls->addr);
	}
}

static void listener_free(struct listener *ls)
{
	if (!ls)
		return;
	loop_watch_del(ls->w);
	if (ls->fd >= 0)
		close(ls->fd);
	if (ls->unix_path) {
		unlink(ls->unix_path);
		free(ls->unix_path);
	}
	free(ls);
}

static int add_listener(struct qmp_server *s, int fd, const char *addr, int port,
			const char *path)
{
	struct listener *ls = calloc(1, sizeof(*ls)), **n;
	int err;

	if (!ls) {
		close(fd);
		return -ENOMEM;
	}
	ls->fd = fd;
	ls->s = s;
	ls->port = port;
	snprintf(ls->addr, sizeof(ls->addr), "%s", addr);
	if (path && !(ls->unix_path = strdup(path))) {
		listener_free(ls);
		return -ENOMEM;
	}
	n = realloc(s->ls, (s->n_ls + 1) * sizeof(*n));
	if (!n) {
		listener_free(ls);
		return -ENOMEM;
	}
	s->ls = n;
	err = loop_watch_add(s->l, fd, LOOP_READ, on_accept, ls, &ls->w);
	if (err) {
		listener_free(ls);
		return err;
	}
	s->ls[s->n_ls++] = ls;
	log_info("qmp: listening on %s", addr);
	return 0;
}

static int listen_unix(struct qmp_server *s, const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	char addr[300];
	int fd, err = net_unix_sockaddr(path, &sun);

	if (err)
		return err;
	/* A stale socket from a crashed run is ours to replace; a file is not. */
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 16) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	snprintf(addr, sizeof(addr), "unix:%s", path);
	return add_listener(s, fd, addr, -1, path);
}

static int bind_one(const struct addrinfo *ai, int *port_io, char *addr, size_t alen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[NI_MAXHOST];
	int fd, one = 1, err;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* each family binds separately, so "localhost" gets ::1 and 127.0.0.1 */
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
	if (*port_io > 0) {
		if (ss.ss_family == AF_INET)
			((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)*port_io);
		else
			((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)*port_io);
	}
	if (bind(fd, (struct sockaddr *)&ss, ai->ai_addrlen) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	*port_io = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
						   ((struct sockaddr_in6 *)&ss)->sin6_port);
	getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), NULL, 0, NI_NUMERICHOST);
	snprintf(addr, alen, ss.ss_family == AF_INET6 ? "tcp:[%s]:%d" : "tcp:%s:%d", host,
		 *port_io);
	return fd;
}

static int listen_tcp(struct qmp_server *s, const char *host, const char *port)
{
	struct addrinfo hints = { 0 }, *res, *ai;
	int rc, port_no = 0, first_err = 0, bound = 0;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(*host ? host : NULL, port, &hints, &res);
	if (rc) {
		log_err("qmp: tcp:%s:%s: %s", host, port, gai_strerror(rc));
		return rc == EAI_SYSTEM ? -errno : -EADDRNOTAVAIL;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		char addr[300];
		int fd;

		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		/* port 0: the first bind picks it, the other families reuse it */
		fd = bind_one(ai, &port_no, addr, sizeof(addr));
		if (fd < 0) {
			if (!first_err)
				first_err = fd;
			log_dbg("qmp: tcp:%s:%s: one address failed: %s", host, port,
				strerror(-fd));
			continue;
		}
		rc = add_listener(s, fd, addr, port_no, NULL);
		if (rc) {
			freeaddrinfo(res);
			return rc;
		}
		bound++;
	}
	freeaddrinfo(res);
	return bound ? 0 : (first_err ? first_err : -EADDRNOTAVAIL);
}

int qmp_server_listen(struct qmp_server *s, const char *addr)
{
	struct net_addr na;
	int err = net_addr_parse(addr, false, &na);

	if (err)
		return err;
	if (na.kind == NET_UNIX)
		return listen_unix(s, na.path);
	return listen_tcp(s, na.host, na.port);
}

size_t qmp_server_listeners(const struct qmp_server *s)
{
	return s->n_ls;
}

int qmp_server_listener_addr(const struct qmp_server *s, size_t i, char *buf, size_t len)
{
	if (i >= s->n_ls)
		return -ENOENT;
	snprintf(buf, len, "%s", s->ls[i]->addr);
	return 0;
}

int qmp_server_listener_port(const struct qmp_server *s, size_t i)
{
	if (i >= s->n_ls)
		return -ENOENT;
	return s->ls[i]->unix_path ? -EINVAL : s->ls[i]->port;
}

/* ---- life cycle ---- */

int qmp_server_new(struct loop *l, const struct qmp_server_cfg *cfg, struct qmp_server **out)
{
	struct qmp_server *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->l = l;
	s->status = "running";
	if (cfg)
		s->cfg = *cfg;
	if (!s->cfg.max_msg)
		s->cfg.max_msg = QMP_MAX_MSG_DEFAULT;
	if (!s->cfg.max_out)
		s->cfg.max_out = QMP_SERVER_MAX_OUT;
	if (!s->cfg.max_clients)
		s->cfg.max_clients = QMP_SERVER_MAX_CLIENTS;
	if (!s->cfg.negotiate_ms)
		s->cfg.negotiate_ms = QMP_SERVER_NEGOTIATE_MS;
	/* paused well before dropped: only events can fill the rest */
	s->out_pause = s->cfg.max_out / 2 < QMP_SERVER_OUT_PAUSE ? s->cfg.max_out / 2 :
								    QMP_SERVER_OUT_PAUSE;
	snprintf(s->package, sizeof(s->package), "%s",
		 s->cfg.package ? s->cfg.package : "cxl-fmemu " CXL_EMU_VERSION);
	s->cfg.package = s->package;
	err = qmp_server_register_table(s, builtin, sizeof(builtin) / sizeof(builtin[0]), NULL);
	if (err) {
		qmp_server_free(s);
		return err;
	}
	*out = s;
	return 0;
}

void qmp_server_free(struct qmp_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_ls; i++)
		listener_free(s->ls[i]);
	free(s->ls);
	while (s->clients) {
		struct client *c = s->clients;

		/* a last chance for replies already queued (quit's among them) */
		if (!c->dead)
			flush_out(c);
		client_free(c);
	}
	free(s->cmds);
	free(s);
}
