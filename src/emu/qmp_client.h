/* SPDX-License-Identifier: MIT */
/*
 * Asynchronous QMP client on the event loop, same codec as the server.
 * The forwarding path uses it: the FM host sends cxl-process-mctp-message
 * to the target host's QMP server.
 *
 * - Connects to "tcp:HOST:PORT", "unix:PATH" or the RFC's "HOST:PORT"
 *   without blocking the loop (name resolution aside: use addresses),
 *   reads the greeting and negotiates with qmp_capabilities.
 * - qmp_client_execute() queues a command; it is sent once the session is
 *   ready, its reply is matched by "id", and its callback runs exactly
 *   once: with the result, a QMP error, or a local failure (timeout, peer
 *   gone, client freed).
 * - When the peer goes away, commands already sent fail with -ECONNRESET
 *   (they may or may not have run), queued ones wait, and the client
 *   reconnects with exponential backoff.
 * - Events go to the on_event callback.
 * Callbacks may call any function here, qmp_client_free() included.
 */
#ifndef CXLFM_EMU_QMP_CLIENT_H
#define CXLFM_EMU_QMP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

struct loop;
struct json_object;
struct qmp_client;

struct qmp_result {
	/*
	 * 0: ret is the "return" value. -EREMOTEIO: the server answered with
	 * an error (cls, desc). -ETIMEDOUT: no answer in time. -ECONNRESET:
	 * the connection dropped after sending. -ECANCELED: client freed.
	 */
	int err;
	struct json_object *ret;  /* borrowed for the callback */
	const char *cls;
	const char *desc;
};

typedef void (*qmp_client_cb)(struct qmp_client *c, const struct qmp_result *r, void *arg);

struct qmp_client_cfg {
	const char *addr;
	unsigned timeout_ms;        /* default per-command timeout; 0 = 5000 */
	unsigned reconnect_min_ms;  /* first retry; 0 = 100 */
	unsigned reconnect_max_ms;  /* backoff cap; 0 = 5000 */
	size_t max_msg;             /* 0 = QMP_MAX_MSG_DEFAULT */
	/* data borrowed; NULL when the event has none */
	void (*on_event)(struct qmp_client *c, const char *name, struct json_object *data,
			 void *arg);
	/* session ready (true) or lost (false) */
	void (*on_state)(struct qmp_client *c, bool ready, void *arg);
	void *arg;
};

/* Starts connecting on the next loop iteration. -EINVAL on a bad address. */
int qmp_client_new(struct loop *l, const struct qmp_client_cfg *cfg, struct qmp_client **out);
/* Pending callbacks run with -ECANCELED before it returns. */
void qmp_client_free(struct qmp_client *c);

/*
 * Queue a command. args owned (NULL = none). timeout_ms 0 = the default;
 * the clock runs from now, connected or not. cb may be NULL.
 */
int qmp_client_execute(struct qmp_client *c, const char *name, struct json_object *args,
		       unsigned timeout_ms, qmp_client_cb cb, void *arg);
bool qmp_client_ready(const struct qmp_client *c);
const char *qmp_client_addr(const struct qmp_client *c);
/* Commands queued or awaiting an answer. */
size_t qmp_client_pending(const struct qmp_client *c);

#endif
