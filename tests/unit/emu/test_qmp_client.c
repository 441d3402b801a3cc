/* SPDX-License-Identifier: MIT */
/*
 * The asynchronous QMP client against our QMP server, both on one event
 * loop over real sockets: negotiation, results and errors, id matching with
 * several commands in flight, timeouts, events, reconnection with backoff,
 * and freeing with commands pending.
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "emu/loop.h"
#include "emu/qmp_client.h"
#include "emu/qmp_server.h"

struct res {
	int done;
	int err;
	char ret[256];
	char cls[64];
	char desc[256];
	bool free_client; /* callback frees the client */
};

struct fx {
	struct loop *l;
	struct qmp_server *s;
	int port;
	char addr[64];
	struct qmp_client *c;
	struct qmp_req *held[8];
	size_t n_held;
	int ups, downs, events;
	char last_event[64];
	int event_n;
};

static void cmd_hold(struct qmp_req *req, struct json_object *args, void *arg)
{
	struct fx *f = arg;

	(void)args;
	f->held[f->n_held++] = req;
}

static void cmd_event(struct qmp_req *req, struct json_object *args, void *arg)
{
	struct json_object *d = json_object_new_object();

	(void)args;
	(void)arg;
	json_object_object_add(d, "n", json_object_new_int(7));
	qmp_server_event(qmp_req_server(req), "TEST_EVENT", d);
	qmp_reply_return(req, NULL);
}

static const struct qmp_arg echo_args[] = {
	{ "v", QMP_T_ANY, false, NULL, NULL, NULL, NULL },
	{ NULL, QMP_T_ANY, false, NULL, NULL, NULL, NULL },
};

static void cmd_echo(struct qmp_req *req, struct json_object *args, void *arg)
{
	(void)arg;
	qmp_reply_return(req, json_object_get(json_object_object_get(args, "v")));
}

static const struct qmp_cmd cmds[] = {
	{ "x-hold", cmd_hold, NULL, NULL, QMP_CMD_CONCURRENT },
	{ "x-event", cmd_event, NULL, NULL, 0 },
	{ "x-echo", cmd_echo, echo_args, NULL, 0 },
};

static void start_server(struct fx *f, int port)
{
	char addr[64];

	assert_int_equal(qmp_server_new(f->l, NULL, &f->s), 0);
	assert_int_equal(qmp_server_register_table(f->s, cmds, 3, f), 0);
	snprintf(addr, sizeof(addr), "tcp:127.0.0.1:%d", port);
	assert_int_equal(qmp_server_listen(f->s, addr), 0);
	f->port = qmp_server_listener_port(f->s, 0);
	snprintf(f->addr, sizeof(f->addr), "tcp:127.0.0.1:%d", f->port);
}

static void on_state(struct qmp_client *c, bool up, void *arg)
{
	struct fx *f = arg;

	(void)c;
	if (up)
		f->ups++;
	else
		f->downs++;
}

static void on_event(struct qmp_client *c, const char *name, struct json_object *data,
		     void *arg)
{
	struct fx *f = arg;

	(void)c;
	f->events++;
	snprintf(f->last_event, sizeof(f->last_event), "%s", name);
	f->event_n = data ? json_object_get_int(json_object_object_get(data, "n")) : -1;
}

static void new_client(struct fx *f, const char *addr)
{
	struct qmp_client_cfg cfg = {
		.addr = addr, .reconnect_min_ms = 10, .reconnect_max_ms = 40,
		.on_state = on_state, .on_event = on_event, .arg = f,
	};

	assert_int_equal(qmp_client_new(f->l, &cfg, &f->c), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_int_equal(loop_new(&f->l), 0);
	start_server(f, 0);
	new_client(f, f->addr);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	qmp_client_free(f->c);
	for (size_t i = 0; i < f->n_held; i++)
		if (f->held[i])
			qmp_reply_return(f->held[i], NULL);
	qmp_server_free(f->s);
	loop_free(f->l);
	free(f);
	return 0;
}

static void pump_until(struct fx *f, const int *flag, int value)
{
	for (int i = 0; i < 2000 && *flag < value; i++)
		loop_run_once(f->l, 2);
	assert_true(*flag >= value);
}

static void on_result(struct qmp_client *c, const struct qmp_result *r, void *arg)
{
	struct res *res = arg;

	res->done++;
	res->err = r->err;
	if (r->ret)
		snprintf(res->ret, sizeof(res->ret), "%s",
			 json_object_to_json_string_ext(r->ret, JSON_C_TO_STRING_PLAIN));
	if (r->cls)
		snprintf(res->cls, sizeof(res->cls), "%s", r->cls);
	if (r->desc)
		snprintf(res->desc, sizeof(res->desc), "%s", r->desc);
	if (res->free_client)
		qmp_client_free(c);
}

static void test_execute(void **state)
{
	struct fx *f = *state;
	struct res a = { 0 }, b = { 0 }, c = { 0 };
	struct json_object *args = json_object_new_object();

	/* queued before the session is up, sent once it is */
	assert_false(qmp_client_ready(f->c));
	assert_int_equal(qmp_client_execute(f->c, "query-status", NULL, 0, on_result, &a), 0);
	assert_int_equal(qmp_client_pending(f->c), 1);
	pump_until(f, &a.done, 1);
	assert_true(qmp_client_ready(f->c));
	assert_int_equal(f->ups, 1);
	assert_int_equal(a.err, 0);
	assert_string_equal(a.ret, "{\"status\":\"running\",\"running\":true}");

	assert_int_equal(qmp_client_execute(f->c, "no-such", NULL, 0, on_result, &b), 0);
	json_object_object_add(args, "v", json_object_new_string("hi"));
	assert_int_equal(qmp_client_execute(f->c, "x-echo", args, 0, on_result, &c), 0);
	pump_until(f, &c.done, 1);
	assert_int_equal(b.done, 1);
	assert_int_equal(b.err, -EREMOTEIO);
	assert_string_equal(b.cls, "CommandNotFound");
	assert_string_equal(b.desc, "The command no-such has not been found");
	assert_int_equal(c.err, 0);
	assert_string_equal(c.ret, "\"hi\"");
	assert_int_equal(qmp_client_pending(f->c), 0);
	assert_string_equal(qmp_client_addr(f->c), f->addr);
}

static void test_matching_and_timeout(void **state)
{
	struct fx *f = *state;
	struct res r[3] = { 0 }, late = { 0 }, after = { 0 };

	for (int i = 0; i < 3; i++)
		assert_int_equal(qmp_client_execute(f->c, "x-hold", NULL, 0, on_result, &r[i]), 0);
	for (int i = 0; i < 2000 && f->n_held < 3; i++)
		loop_run_once(f->l, 2);
	assert_int_equal(f->n_held, 3);
	/* answered out of order: each reply finds its own command by id */
	for (int i = 2; i >= 0; i--) {
		qmp_reply_return(f->held[i], json_object_new_int(i));
		f->held[i] = NULL;
	}
	pump_until(f, &r[0].done, 1);
	for (int i = 0; i < 3; i++) {
		char want[8];

		snprintf(want, sizeof(want), "%d", i);
		assert_int_equal(r[i].done, 1);
		assert_string_equal(r[i].ret, want);
	}
	/* a timeout; the late answer is dropped */
	assert_int_equal(qmp_client_execute(f->c, "x-hold", NULL, 30, on_result, &late), 0);
	pump_until(f, &late.done, 1);
	assert_int_equal(late.err, -ETIMEDOUT);
	assert_int_equal(f->n_held, 4);
	qmp_reply_return(f->held[3], json_object_new_int(99));
	f->held[3] = NULL;
	assert_int_equal(qmp_client_execute(f->c, "query-status", NULL, 0, on_result, &after), 0);
	pump_until(f, &after.done, 1);
	assert_int_equal(after.err, 0);
	assert_int_equal(late.done, 1);
}

static void test_events(void **state)
{
	struct fx *f = *state;
	struct res r = { 0 };

	assert_int_equal(qmp_client_execute(f->c, "x-event", NULL, 0, on_result, &r), 0);
	pump_until(f, &r.done, 1);
	assert_int_equal(f->events, 1);
	assert_string_equal(f->last_event, "TEST_EVENT");
	assert_int_equal(f->event_n, 7);
	qmp_server_event(f->s, "OTHER", NULL);
	pump_until(f, &f->events, 2);
	assert_string_equal(f->last_event, "OTHER");
	assert_int_equal(f->event_n, -1);
}

static void test_reconnect(void **state)
{
	struct fx *f = *state;
	struct res inflight = { 0 }, queued = { 0 };
	int port = f->port;

	pump_until(f, &f->ups, 1);
	assert_int_equal(qmp_client_execute(f->c, "x-hold", NULL, 5000, on_result, &inflight), 0);
	for (int i = 0; i < 2000 && f->n_held < 1; i++)
		loop_run_once(f->l, 2);
	/* the peer goes away with a command in flight */
	qmp_server_free(f->s);
	f->s = NULL; /* held[0] is orphaned now; teardown answers it into the void */
	pump_until(f, &inflight.done, 1);
	assert_int_equal(inflight.err, -ECONNRESET);
	pump_until(f, &f->downs, 1);
	assert_false(qmp_client_ready(f->c));
	/* commands issued while down wait for the next session */
	assert_int_equal(qmp_client_execute(f->c, "query-status", NULL, 5000, on_result, &queued),
			 0);
	for (int i = 0; i < 30; i++)
		loop_run_once(f->l, 2);
	assert_int_equal(queued.done, 0);
	start_server(f, port);
	pump_until(f, &queued.done, 1);
	assert_int_equal(queued.err, 0);
	assert_int_equal(f->ups, 2);
}

static void test_free_pending(void **state)
{
	struct fx *f = *state;
	struct res a = { 0 }, b = { 0 };

	assert_int_equal(qmp_client_execute(f->c, "x-hold", NULL, 0, on_result, &a), 0);
	assert_int_equal(qmp_client_execute(f->c, "query-status", NULL, 0, on_result, &b), 0);
	qmp_client_free(f->c);
	f->c = NULL;
	assert_int_equal(a.done, 1);
	assert_int_equal(a.err, -ECANCELED);
	assert_int_equal(b.err, -ECANCELED);
}

static void test_free_in_callback(void **state)
{
	struct fx *f = *state;
	struct res a = { .free_client = true }, b = { 0 };

	assert_int_equal(qmp_client_execute(f->c, "query-status", NULL, 0, on_result, &a), 0);
	assert_int_equal(qmp_client_execute(f->c, "x-hold", NULL, 0, on_result, &b), 0);
	pump_until(f, &a.done, 1);
	f->c = NULL;
	assert_int_equal(a.err, 0);
	assert_int_equal(b.done, 1);
	assert_int_equal(b.err, -ECANCELED);
	for (int i = 0; i < 10; i++)
		loop_run_once(f->l, 1);
}

static void test_unix_and_bare(void **state)
{
	struct fx *f = *state;
	char dir[] = "/tmp/qmpc-XXXXXX", addr[128];
	struct res r = { 0 }, r2 = { 0 };

	assert_non_null(mkdtemp(dir));
	snprintf(addr, sizeof(addr), "unix:%s/q.sock", dir);
	assert_int_equal(qmp_server_listen(f->s, addr), 0);
	qmp_client_free(f->c);
	new_client(f, addr);
	assert_int_equal(qmp_client_execute(f->c, "query-status", NULL, 0, on_result, &r), 0);
	pump_until(f, &r.done, 1);
	assert_int_equal(r.err, 0);
	qmp_client_free(f->c);
	/* the RFC's qmp=127.0.0.1:PORT */
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", f->port);
	new_client(f, addr);
	assert_int_equal(qmp_client_execute(f->c, "query-status", NULL, 0, on_result, &r2), 0);
	pump_until(f, &r2.done, 1);
	assert_int_equal(r2.err, 0);
	qmp_server_free(f->s);
	f->s = NULL;
	rmdir(dir);
	assert_int_equal(qmp_server_new(f->l, NULL, &f->s), 0);
}

static void test_bad_peer(void **state)
{
	struct fx *f = *state;
	struct qmp_client_cfg cfg = { .addr = "nonsense" };
	struct qmp_client *c;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int ls, peer = -1;
	char addr[64], buf[256];
	ssize_t n;

	assert_int_equal(qmp_client_new(f->l, &cfg, &c), -EINVAL);
	cfg.addr = "tcp:nohost";
	assert_int_equal(qmp_client_new(f->l, &cfg, &c), -EINVAL);

	/* something that is not a QMP server: the client hangs up */
	ls = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(ls, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(ls, 1), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sin, &sl), 0);
	snprintf(addr, sizeof(addr), "tcp:127.0.0.1:%d", ntohs(sin.sin_port));
	qmp_client_free(f->c);
	new_client(f, addr);
	for (int i = 0; i < 2000 && peer < 0; i++) {
		loop_run_once(f->l, 2);
		peer = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
	}
	assert_true(peer >= 0);
	assert_int_equal(write(peer, "{\"hello\":1}\r\n", 13), 13);
	n = -1;
	for (int i = 0; i < 2000; i++) {
		loop_run_once(f->l, 2);
		n = read(peer, buf, sizeof(buf));
		if (n == 0)
			break;
	}
	assert_int_equal(n, 0);
	assert_int_equal(f->ups, 0);
	close(peer);
	close(ls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_execute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_matching_and_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_in_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unix_and_bare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_peer, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
