/* SPDX-License-Identifier: MIT */
/*
 * The QMP client's session and reply/event handling (src/emu/qmp_client.c),
 * which the forwarding path points at another host's QMP server: the fuzzer
 * plays that server. Per process, a listening UNIX socket in a temporary
 * directory; per input, a client on an event loop with an injected clock,
 * so the run is deterministic (the socket is in-process, timers fire only
 * when the input moves the clock). The first byte picks what the callbacks
 * do (nothing, queue another command, free the client); then records
 *   0 op, 1 len, 2: data
 * op % 6: 0 the server sends data; 1 the client executes a command (name
 * and timeout from data); 2 the clock moves (data[0] + 1) x 50 ms;
 * 3 the server drops the connection; 4 the server sends a greeting and
 * accepts the capabilities; 5 the client is freed and a new one started.
 * The server accepts every (re)connection.
 * Checked: every command's callback runs exactly once (a result, a QMP
 * error with class and text, a timeout, a reset or a cancellation), the
 * pending count matches, session state changes alternate ready / lost,
 * events have a name, nothing leaks.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "emu/loop.h"
#include "emu/qmp_client.h"
#include "fuzz.h"
#include "fuzz_loop.h"

#define MAX_REQS 256

enum cb_mode { CB_NOTHING, CB_EXECUTE, CB_FREE };

static struct loop *loop;
static uint64_t clock_ns;
static char dir[64], path[128], addr[160];
static int lfd = -1;

struct run {
	struct qmp_client *c;
	int sfd;                /* server end of the current connection */
	enum cb_mode mode;
	bool done[MAX_REQS];
	size_t issued;          /* commands accepted by qmp_client_execute */
	size_t completed;
	size_t open;            /* of the current client */
	bool ready;             /* last on_state */
	unsigned in_cb;
	bool freed_in_cb;
};

static struct run *R;

static uint64_t fake_now(void *arg)
{
	(void)arg;
	return clock_ns;
}

static void cleanup(void)
{
	if (lfd >= 0)
		close(lfd);
	unlink(path);
	rmdir(dir);
}

static void setup(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/cxlfm-fuzz-qc-XXXXXX");
	assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/qmp.sock", dir);
	snprintf(addr, sizeof(addr), "unix:%s", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert(lfd >= 0);
	assert(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	assert(listen(lfd, 16) == 0);
	atexit(cleanup);
	assert(loop_new(&loop) == 0);
	loop_set_clock(loop, fake_now, NULL);
}

static void execute(struct run *r, const char *name, unsigned timeout_ms);

static void on_result(struct qmp_client *c, const struct qmp_result *res, void *arg)
{
	struct run *r = R;
	size_t i = (size_t)(uintptr_t)arg;

	assert(c == r->c);
	assert(i < r->issued && !r->done[i]);
	r->done[i] = true;
	r->completed++;
	r->open--;
	switch (res->err) {
	case 0:
		assert(res->ret);
		break;
	case -EREMOTEIO:
		assert(res->cls && res->desc);
		break;
	case -ETIMEDOUT:
	case -ECONNRESET:
	case -ECANCELED:
		break;
	default:
		assert(0 && "undocumented result");
	}
	if (res->err == -ECANCELED || r->freed_in_cb)
		return;
	r->in_cb++;
	if (r->mode == CB_EXECUTE && r->issued < MAX_REQS / 2) {
		execute(r, "query-status", 0);
	} else if (r->mode == CB_FREE) {
		r->freed_in_cb = true;
		qmp_client_free(c); /* the rest complete, cancelled, in here */
	}
	r->in_cb--;
}

static void on_event(struct qmp_client *c, const char *name, struct json_object *data,
		     void *arg)
{
	(void)data;
	(void)arg;
	assert(c == R->c && name);
}

static void on_state(struct qmp_client *c, bool ready, void *arg)
{
	struct run *r = arg;

	assert(c == r->c);
	assert(ready != r->ready);
	r->ready = ready;
	assert(qmp_client_ready(c) == ready);
}

static void execute(struct run *r, const char *name, unsigned timeout_ms)
{
	size_t i = r->issued;

	if (!r->c || i >= MAX_REQS)
		return;
	if (qmp_client_execute(r->c, name, json_object_new_object(), timeout_ms, on_result,
			       (void *)(uintptr_t)i) == 0) {
		r->issued++;
		r->open++;
	}
}

static void accept_new(struct run *r)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	while (fd >= 0) {
		if (r->sfd >= 0)
			close(r->sfd);
		r->sfd = fd;
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	}
}

static void check(struct run *r)
{
	if (r->c && !r->freed_in_cb)
		assert(qmp_client_pending(r->c) == r->open);
}

/* After each loop iteration: take connections, drop what the client sent. */
static void after_iteration(void *arg)
{
	struct run *r = arg;
	char sink[4096];

	accept_new(r);
	while (r->sfd >= 0 && recv(r->sfd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
	if (r->freed_in_cb) {
		r->c = NULL;
		r->freed_in_cb = false;
		r->ready = false;
		assert(r->open == 0);
	}
	check(r);
}

static void pump(struct run *r)
{
	fz_settle(loop, after_iteration, r);
}

static void server_send(struct run *r, const void *buf, size_t len)
{
	size_t off = 0;

	while (r->sfd >= 0 && off < len) {
		ssize_t n = send(r->sfd, (const char *)buf + off, len - off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n <= 0)
			break; /* the client does not read (it is waiting): drop the rest */
		off += (size_t)n;
	}
	pump(r);
}

static void client_new(struct run *r)
{
	struct qmp_client_cfg cfg = {
		.addr = addr, .timeout_ms = 1000, .reconnect_min_ms = 50,
		.reconnect_max_ms = 400, .max_msg = 4096,
		.on_event = on_event, .on_state = on_state, .arg = r,
	};

	assert(qmp_client_new(loop, &cfg, &r->c) == 0);
	r->ready = false;
	pump(r);
}

static void client_free(struct run *r)
{
	if (!r->c)
		return;
	qmp_client_free(r->c);
	r->c = NULL;
	r->ready = false;
	assert(r->open == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char greeting[] =
		"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 9},"
		" \"package\": \"\"}, \"capabilities\": [\"oob\"]}}\r\n"
		"{\"return\": {}, \"id\": \"qmp_capabilities\"}\r\n";
	struct run *r = calloc(1, sizeof(*r));
	size_t off = 1;

	if (!loop)
		setup();
	assert(r);
	R = r;
	r->sfd = -1;
	r->mode = size ? (enum cb_mode)(data[0] % 3) : CB_NOTHING;
	client_new(r);
	while (off + 2 <= size) {
		uint8_t op = data[off] % 6;
		size_t len = data[off + 1];
		const uint8_t *d = data + off + 2;
		char name[64];

		if (len > size - off - 2)
			len = size - off - 2;
		off += 2 + len;
		if (!r->c && op != 5)
			continue;
		switch (op) {
		case 0:
			server_send(r, d, len);
			break;
		case 1:
			snprintf(name, sizeof(name), "%.*s", (int)len, (const char *)d);
			execute(r, len ? name + 1 : "query-status", len ? d[0] * 10u : 0);
			pump(r);
			break;
		case 2:
			clock_ns += ((len ? d[0] : 0) + 1u) * 50000000ull;
			pump(r);
			break;
		case 3:
			if (r->sfd >= 0)
				close(r->sfd);
			r->sfd = -1;
			pump(r);
			break;
		case 4:
			server_send(r, greeting, sizeof(greeting) - 1);
			break;
		default:
			client_free(r);
			client_new(r);
			break;
		}
	}
	client_free(r);
	pump(r);
	if (r->sfd >= 0)
		close(r->sfd);
	r->sfd = -1;
	/* every command answered exactly once */
	assert(r->completed == r->issued);
	for (size_t i = 0; i < r->issued; i++)
		assert(r->done[i]);
	/* a connection not accepted yet is dropped */
	accept_new(r);
	if (r->sfd >= 0)
		close(r->sfd);
	R = NULL;
	free(r);
	return 0;
}
