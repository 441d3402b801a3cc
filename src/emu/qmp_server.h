/* SPDX-License-Identifier: MIT */
/*
 * QMP server on the event loop (QEMU's monitor/qmp.c behaviour,
 * docs/interop/qmp-spec.rst):
 *
 * - TCP and UNIX listeners, several clients at once;
 * - greeting on connect, capabilities negotiation: before
 *   qmp_capabilities every other command gets CommandNotFound "Expecting
 *   capabilities negotiation with 'qmp_capabilities'" and no events;
 * - commands come from a table (name, handler, typed argument spec, doc)
 *   that drives argument checking, errors and query-commands;
 * - replies carry the request's "id"; a JSON parse error is answered and
 *   the connection kept, up to QMP_SERVER_MAX_BAD_INPUT malformed inputs
 *   in a row (then the client is told and closed); input per client is
 *   bounded (a client exceeding it is dropped with a log line);
 * - every bound is per client, so one peer cannot starve the others: at
 *   most QMP_SERVER_CMDS_PER_TURN commands of a client per loop iteration;
 *   its input is not read while more than QMP_SERVER_OUT_PAUSE bytes (at
 *   most half of cfg.max_out) of output wait for it, and it is dropped
 *   past cfg.max_out (events queue up even while reading is paused);
 *   capabilities negotiation must end within cfg.negotiate_ms;
 * - at most cfg.max_clients clients: when full, the oldest client that has
 *   not negotiated yet makes room; if every client has, the new one gets
 *   the greeting and a GenericError, and is closed (docs/qmp.md "Limits");
 * - a handler answers now or later: it gets a request handle and completes
 *   it exactly once with qmp_reply_return() or qmp_reply_error(). Like
 *   QEMU, a client's next command waits until the previous one is answered
 *   (responses stay in order) unless the command is QMP_CMD_CONCURRENT;
 *   if the client disconnects first, completing the handle just frees it;
 * - events go to every negotiated client, with QEMU's timestamp.
 *
 * Built-in commands: qmp_capabilities, query-version, query-commands,
 * query-qmp-schema (qmp_schema.c), query-status, quit.
 */
#ifndef CXLFM_EMU_QMP_SERVER_H
#define CXLFM_EMU_QMP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/qmp.h"

struct loop;
struct json_object;
struct qmp_server;
struct qmp_req;

/*
 * args is the checked "arguments" object (an empty object when none were
 * given), borrowed for the duration of the call; json_object_get() it to
 * keep it for a later reply.
 */
typedef void (*qmp_cmd_fn)(struct qmp_req *req, struct json_object *args, void *arg);

/* The command may stay unanswered without holding up the client's next ones. */
#define QMP_CMD_CONCURRENT 0x1u

struct qmp_cmd {
	const char *name;
	qmp_cmd_fn fn;
	const struct qmp_arg *args; /* NULL-name-terminated; NULL = takes none */
	const char *doc;            /* one line, for docs and --help */
	unsigned flags;
};

/* What we claim to be: QEMU 9.1, the first with the DCD QMP commands. */
#define QMP_SERVER_QEMU_MAJOR 9
#define QMP_SERVER_QEMU_MINOR 1
#define QMP_SERVER_QEMU_MICRO 0

/* Defaults and fixed per-client bounds (docs/qmp.md "Limits"). */
#define QMP_SERVER_MAX_CLIENTS 64
#define QMP_SERVER_NEGOTIATE_MS 10000u
#define QMP_SERVER_MAX_OUT (16u << 20)
#define QMP_SERVER_OUT_PAUSE (256u << 10)
#define QMP_SERVER_CMDS_PER_TURN 16u
#define QMP_SERVER_MAX_BAD_INPUT 16u

struct qmp_server_cfg {
	const char *package;      /* greeting "package"; default "cxl-fmemu <version>" */
	size_t max_msg;           /* input bound per client; 0 = QMP_MAX_MSG_DEFAULT */
	size_t max_out;           /* unread output bound per client; 0 = QMP_SERVER_MAX_OUT */
	unsigned max_clients;     /* 0 = QMP_SERVER_MAX_CLIENTS */
	/* a client that has not negotiated within this is closed (loop clock);
	 * 0 = QMP_SERVER_NEGOTIATE_MS */
	uint64_t negotiate_ms;
	/* "quit": called after the reply went out; NULL = loop_stop(loop, 0). */
	void (*quit)(struct qmp_server *s, void *arg);
	void *arg;
};

int qmp_server_new(struct loop *l, const struct qmp_server_cfg *cfg, struct qmp_server **out);
/* Closes listeners (UNIX socket files are unlinked) and clients. */
void qmp_server_free(struct qmp_server *s);

/*
 * Listen on "tcp:HOST:PORT" (every address HOST resolves to; empty HOST =
 * all; PORT 0 = ephemeral) or "unix:PATH". Returns 0 or -errno.
 */
int qmp_server_listen(struct qmp_server *s, const char *addr);
size_t qmp_server_listeners(const struct qmp_server *s);
/* "tcp:127.0.0.1:41234" / "unix:/path" of listener i. */
int qmp_server_listener_addr(const struct qmp_server *s, size_t i, char *buf, size_t len);
/* TCP port of listener i, or -ENOENT / -EINVAL (UNIX). */
int qmp_server_listener_port(const struct qmp_server *s, size_t i);
/* Serve an already connected stream socket; the server owns fd. */
int qmp_server_attach(struct qmp_server *s, int fd);
size_t qmp_server_clients(const struct qmp_server *s);

/* -EEXIST if the name is taken. The table entry must outlive the server. */
int qmp_server_register(struct qmp_server *s, const struct qmp_cmd *cmd, void *arg);
int qmp_server_register_table(struct qmp_server *s, const struct qmp_cmd *cmds, size_t n,
			      void *arg);
const struct qmp_cmd *qmp_server_find(const struct qmp_server *s, const char *name);
/* The i-th registered command (registration order), NULL past the end. */
const struct qmp_cmd *qmp_server_command(const struct qmp_server *s, size_t i);

/* ---- completing a request (exactly once each) ---- */

/* ret owned; NULL = {}. */
void qmp_reply_return(struct qmp_req *req, struct json_object *ret);
/* cls NULL = GenericError. */
__attribute__((format(printf, 3, 4)))
void qmp_reply_error(struct qmp_req *req, const char *cls, const char *fmt, ...);
/* The requesting client went away; the reply will be dropped. */
bool qmp_req_orphaned(const struct qmp_req *req);
const char *qmp_req_command(const struct qmp_req *req);
struct qmp_server *qmp_req_server(const struct qmp_req *req);

/* ---- run state ---- */

/* What query-status reports (QEMU's RunState: "running", "prelaunch",
 * "paused"); "running" at start. status must outlive the server. */
void qmp_server_set_status(struct qmp_server *s, const char *status);
const char *qmp_server_status(const struct qmp_server *s);

/* ---- events ---- */

/* To every negotiated client; data owned, NULL = no "data". */
void qmp_server_event(struct qmp_server *s, const char *name, struct json_object *data);

#endif
