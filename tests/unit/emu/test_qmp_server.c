/* SPDX-License-Identifier: MIT */
/*
 * QMP conversations over real sockets (127.0.0.1, ephemeral port), the
 * server driven in-process by the event loop: greeting, negotiation, every
 * built-in command, every error class, id echo, several clients, events,
 * asynchronous replies and clients that leave early.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "emu/loop.h"
#include "emu/qmp_server.h"

struct fx {
	struct loop *l;
	struct qmp_server *s;
	int port;
	int quits;
	struct qmp_req *held[8];
	size_t n_held;
};

struct conn {
	int fd;
	char buf[1 << 16];
	size_t len;
};

/* ---- test commands ---- */

static const struct qmp_arg args_spec[] = {
	{ "a", QMP_T_INT, false, NULL, NULL, NULL, NULL },
	{ "b", QMP_T_STR, true, NULL, NULL, NULL, NULL },
	{ NULL, QMP_T_ANY, false, NULL, NULL, NULL, NULL },
};

static void cmd_args(struct qmp_req *req, struct json_object *args, void *arg)
{
	struct json_object *r = json_object_new_object();

	(void)arg;
	json_object_object_add(r, "a", json_object_get(json_object_object_get(args, "a")));
	qmp_reply_return(req, r);
}

static void cmd_hold(struct qmp_req *req, struct json_object *args, void *arg)
{
	struct fx *f = arg;

	(void)args;
	assert_true(f->n_held < 8);
	f->held[f->n_held++] = req;
}

static void cmd_event(struct qmp_req *req, struct json_object *args, void *arg)
{
	struct json_object *d = json_object_new_object();

	(void)args;
	(void)arg;
	json_object_object_add(d, "n", json_object_new_int(1));
	qmp_server_event(qmp_req_server(req), "TEST_EVENT", d);
	qmp_reply_error(req, QMP_ERR_DEVICE_NOT_FOUND, "Device '%s' not found", "x");
}

static const struct qmp_cmd test_cmds[] = {
	{ "x-test-args", cmd_args, args_spec, "echo a", 0 },
	{ "x-test-hold", cmd_hold, NULL, "answered by the test", 0 },
	{ "x-test-hold-concurrent", cmd_hold, NULL, "answered by the test", QMP_CMD_CONCURRENT },
	{ "x-test-event", cmd_event, NULL, "emit TEST_EVENT, then fail", 0 },
};

static void on_quit(struct qmp_server *s, void *arg)
{
	struct fx *f = arg;

	(void)s;
	f->quits++;
}

static int setup_cfg(void **state, struct qmp_server_cfg cfg)
{
	struct fx *f = calloc(1, sizeof(*f));
	char addr[128];

	cfg.quit = on_quit;
	cfg.arg = f;
	assert_int_equal(loop_new(&f->l), 0);
	assert_int_equal(qmp_server_new(f->l, &cfg, &f->s), 0);
	assert_int_equal(qmp_server_register_table(f->s, test_cmds, 4, f), 0);
	assert_int_equal(qmp_server_listen(f->s, "tcp:127.0.0.1:0"), 0);
	assert_int_equal(qmp_server_listeners(f->s), 1);
	f->port = qmp_server_listener_port(f->s, 0);
	assert_true(f->port > 0);
	assert_int_equal(qmp_server_listener_addr(f->s, 0, addr, sizeof(addr)), 0);
	assert_true(!strncmp(addr, "tcp:127.0.0.1:", 14));
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_cfg(state, (struct qmp_server_cfg){ 0 });
}

static int setup_small(void **state)
{
	return setup_cfg(state, (struct qmp_server_cfg){ .max_msg = 4096 });
}

#define FEW_CLIENTS 4

static int setup_few_clients(void **state)
{
	return setup_cfg(state, (struct qmp_server_cfg){ .max_clients = FEW_CLIENTS });
}

#define SMALL_OUT (64u << 10)

static int setup_small_out(void **state)
{
	return setup_cfg(state, (struct qmp_server_cfg){ .max_out = SMALL_OUT });
}

static int teardown(void **state)
{
	struct fx *f = *state;

	/* requests still held are answered into the void */
	for (size_t i = 0; i < f->n_held; i++)
		if (f->held[i])
			qmp_reply_return(f->held[i], NULL);
	qmp_server_free(f->s);
	loop_free(f->l);
	free(f);
	return 0;
}

/* ---- client side helpers ---- */

static void conn_open(struct fx *f, struct conn *c)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	memset(c, 0, sizeof(*c));
	sin.sin_port = htons((uint16_t)f->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->fd >= 0);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
}

static void conn_send(struct conn *c, const char *s)
{
	size_t n = strlen(s);

	assert_int_equal(send(c->fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Pump the loop until a line arrives; NULL when the server closed. */
static char *conn_line(struct fx *f, struct conn *c)
{
	static char line[1 << 16];

	for (int i = 0; i < 3000; i++) {
		char *nl = memchr(c->buf, '\n', c->len);
		ssize_t n;

		if (nl) {
			size_t k = (size_t)(nl - c->buf) + 1;

			assert_true(k >= 2 && nl[-1] == '\r'); /* QEMU writes CRLF */
			memcpy(line, c->buf, k - 2);
			line[k - 2] = '\0';
			memmove(c->buf, c->buf + k, c->len - k);
			c->len -= k;
			return line;
		}
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return NULL;
		if (n > 0) {
			c->len += (size_t)n;
			continue;
		}
		loop_run_once(f->l, 2);
	}
	fail_msg("no reply from the server");
	return NULL;
}

static void expect(struct fx *f, struct conn *c, const char *want)
{
	char *got = conn_line(f, c);

	assert_non_null(got);
	if (strcmp(got, want))
		print_error("got:  %s\nwant: %s\n", got, want);
	assert_string_equal(got, want);
}

/* Nothing arrives while the loop runs a while. */
static void expect_silence(struct fx *f, struct conn *c)
{
	for (int i = 0; i < 20; i++)
		loop_run_once(f->l, 1);
	assert_int_equal(recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT),
			 -1);
	assert_int_equal(c->len, 0);
}

static void expect_closed(struct fx *f, struct conn *c)
{
	assert_null(conn_line(f, c));
}

static void greet(struct fx *f, struct conn *c)
{
	struct json_object *g, *v;
	char *line;

	conn_open(f, c);
	line = conn_line(f, c);
	assert_non_null(line);
	g = json_tokener_parse(line);
	assert_non_null(g);
	/* what libvirt and qmp-shell look at */
	assert_true(json_object_object_get_ex(g, "QMP", &v));
	assert_true(json_object_object_get_ex(v, "capabilities", &v));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "oob");
	assert_true(json_object_object_get_ex(json_object_object_get(g, "QMP"), "version", &v));
	assert_true(json_object_object_get_ex(v, "package", NULL));
	v = json_object_object_get(v, "qemu");
	assert_int_equal(json_object_get_int(json_object_object_get(v, "major")),
			 QMP_SERVER_QEMU_MAJOR);
	assert_int_equal(json_object_get_int(json_object_object_get(v, "minor")),
			 QMP_SERVER_QEMU_MINOR);
	assert_true(json_object_object_get_ex(v, "micro", NULL));
	json_object_put(g);
}

static void negotiate(struct fx *f, struct conn *c)
{
	greet(f, c);
	conn_send(c, "{\"execute\":\"qmp_capabilities\"}\n");
	expect(f, c, "{\"return\":{}}");
}

/* ---- tests ---- */

static void test_greeting_and_negotiation(void **state)
{
	struct fx *f = *state;
	struct conn c;

	greet(f, &c);
	/* before negotiation: QEMU's CommandNotFound, for known and unknown commands */
	conn_send(&c, "{\"execute\":\"query-status\",\"id\":1}\n");
	expect(f, &c, "{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"Expecting "
		      "capabilities negotiation with 'qmp_capabilities'\"},\"id\":1}");
	conn_send(&c, "{\"execute\":\"nope\"}\n");
	expect(f, &c, "{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"Expecting "
		      "capabilities negotiation with 'qmp_capabilities'\"}}");
	/* envelope errors come first, as in QEMU */
	conn_send(&c, "{\"execute\":1}\n");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input member "
		      "'execute' must be a string\"}}");
	conn_send(&c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"x\"]}}\n");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter 'enable[0]' "
		      "does not accept value 'x'\"}}");
	conn_send(&c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]},"
		      "\"id\":\"n\"}\n");
	expect(f, &c, "{\"return\":{},\"id\":\"n\"}");
	conn_send(&c, "{\"execute\":\"qmp_capabilities\"}\n");
	expect(f, &c, "{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"Capabilities "
		      "negotiation is already complete, command ignored\"}}");
	close(c.fd);
}

static void test_builtin_commands(void **state)
{
	struct fx *f = *state;
	struct json_object *o, *v;
	struct conn c;
	char *line;
	size_t n;

	negotiate(f, &c);
	conn_send(&c, "{\"execute\":\"query-status\"}\n");
	expect(f, &c, "{\"return\":{\"status\":\"running\",\"running\":true}}");
	conn_send(&c, "{\"execute\":\"query-version\",\"id\":2}\n");
	line = conn_line(f, &c);
	o = json_tokener_parse(line);
	assert_true(json_object_object_get_ex(o, "return", &v));
	assert_true(json_object_object_get_ex(v, "qemu", NULL));
	assert_non_null(strstr(json_object_get_string(json_object_object_get(v, "package")),
			       "cxl-fmemu"));
	assert_int_equal(json_object_get_int(json_object_object_get(o, "id")), 2);
	json_object_put(o);

	conn_send(&c, "{\"execute\":\"query-commands\"}\n");
	o = json_tokener_parse(conn_line(f, &c));
	v = json_object_object_get(o, "return");
	n = json_object_array_length(v);
	assert_int_equal(n, 10);
	{
		static const char *const names[] = {
			"qmp_capabilities", "query-version", "query-commands", "query-qmp-schema",
			"query-status",
			"quit", "x-test-args", "x-test-hold", "x-test-hold-concurrent",
			"x-test-event",
		};

		for (size_t i = 0; i < n; i++)
			assert_string_equal(json_object_get_string(json_object_object_get(
				json_object_array_get_idx(v, i), "name")), names[i]);
	}
	json_object_put(o);
	close(c.fd);
}

static void test_error_classes(void **state)
{
	struct fx *f = *state;
	struct conn c;

	negotiate(f, &c);
	conn_send(&c, "{\"execute\": }\n");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"JSON parse error, "
		      "expecting value\"}}");
	conn_send(&c, "[\"execute\"]\n");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input must be a JSON "
		      "object\"}}");
	conn_send(&c, "{\"arguments\":{},\"id\":3}\n");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input lacks member "
		      "'execute'\"},\"id\":3}");
	conn_send(&c, "{\"execute\":\"query-status\",\"argument\":{}}\n");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input member "
		      "'argument' is unexpected\"}}");
	conn_send(&c, "{\"execute\":\"query-statuss\",\"id\":4}\n");
	expect(f, &c, "{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command "
		      "query-statuss has not been found\"},\"id\":4}");
	conn_send(&c, "{\"execute\":\"x-test-args\"}\n");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter 'a' is "
		      "missing\"}}");
	conn_send(&c, "{\"execute\":\"x-test-args\",\"arguments\":{\"a\":\"1\"}}\n");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Invalid parameter type "
		      "for 'a', expected: integer\"}}");
	conn_send(&c, "{\"execute\":\"x-test-args\",\"arguments\":{\"a\":1,\"c\":2}}\n");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter 'c' is "
		      "unexpected\"}}");
	conn_send(&c, "{\"execute\":\"x-test-args\",\"arguments\":{\"a\":-7,\"b\":\"s\"}}\n");
	expect(f, &c, "{\"return\":{\"a\":-7}}");
	conn_send(&c, "{\"execute\":\"query-status\",\"arguments\":{\"x\":1}}\n");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Parameter 'x' is "
		      "unexpected\"}}");
	/* a handler's own error class goes through */
	conn_send(&c, "{\"execute\":\"x-test-event\",\"id\":9}\n");
	assert_non_null(strstr(conn_line(f, &c), "{\"event\":\"TEST_EVENT\",\"data\":{\"n\":1},"
					       "\"timestamp\":{\"seconds\":"));
	expect(f, &c, "{\"error\":{\"class\":\"DeviceNotFound\",\"desc\":\"Device 'x' not "
		      "found\"},\"id\":9}");
	close(c.fd);
}

static void test_oob(void **state)
{
	struct fx *f = *state;
	struct conn c;

	negotiate(f, &c);
	/* without the capability, exec-oob is just an unknown member */
	conn_send(&c, "{\"exec-oob\":\"query-status\",\"id\":1}\n");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input member "
		      "'exec-oob' is unexpected\"},\"id\":1}");
	close(c.fd);
	greet(f, &c);
	conn_send(&c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}\n");
	expect(f, &c, "{\"return\":{}}");
	conn_send(&c, "{\"exec-oob\":\"query-status\",\"id\":1}\n");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"The command "
		      "query-status does not support OOB\"},\"id\":1}");
	conn_send(&c, "{\"exec-oob\":\"nope\",\"id\":2}\n");
	expect(f, &c, "{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command nope "
		      "has not been found\"},\"id\":2}");
	close(c.fd);
}

static void test_id_echo(void **state)
{
	static const char *const ids[] = {
		"0", "-12", "18446744073709551615", "1.5", "\"abc\"", "true", "[1,\"x\",{}]",
		"{\"k\":{\"n\":[null]}}",
	};
	struct fx *f = *state;
	struct conn c;
	char buf[512], want[512];

	negotiate(f, &c);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(buf, sizeof(buf), "{\"id\":%s,\"execute\":\"x-test-args\","
			 "\"arguments\":{\"a\":%zu}}\n", ids[i], i);
		conn_send(&c, buf);
		snprintf(want, sizeof(want), "{\"return\":{\"a\":%zu},\"id\":%s}", i, ids[i]);
		expect(f, &c, want);
		/* and on errors */
		snprintf(buf, sizeof(buf), "{\"execute\":\"nope\",\"id\":%s}\n", ids[i]);
		conn_send(&c, buf);
		snprintf(want, sizeof(want), "{\"error\":{\"class\":\"CommandNotFound\",\"desc\":"
			 "\"The command nope has not been found\"},\"id\":%s}", ids[i]);
		expect(f, &c, want);
	}
	close(c.fd);
}

static void test_two_clients_events(void **state)
{
	struct fx *f = *state;
	struct conn a, b, z;
	char *line;
	struct json_object *o, *ts;

	negotiate(f, &a);
	negotiate(f, &b);
	greet(f, &z); /* never negotiates: gets no events */
	assert_int_equal(qmp_server_clients(f->s), 3);
	/* interleaved requests, each answered on its own connection */
	conn_send(&a, "{\"execute\":\"x-test-args\",\"arguments\":{\"a\":1},\"id\":\"a\"}\n");
	conn_send(&b, "{\"execute\":\"x-test-args\",\"arguments\":{\"a\":2},\"id\":\"b\"}\n");
	expect(f, &b, "{\"return\":{\"a\":2},\"id\":\"b\"}");
	expect(f, &a, "{\"return\":{\"a\":1},\"id\":\"a\"}");

	qmp_server_event(f->s, "CXL_TEST", NULL);
	line = conn_line(f, &a);
	o = json_tokener_parse(line);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "event")), "CXL_TEST");
	assert_false(json_object_object_get_ex(o, "data", NULL));
	assert_true(json_object_object_get_ex(o, "timestamp", &ts));
	assert_true(json_object_get_int64(json_object_object_get(ts, "seconds")) > 1600000000);
	assert_true(json_object_get_int64(json_object_object_get(ts, "microseconds")) < 1000000);
	json_object_put(o);
	line = conn_line(f, &b);
	assert_non_null(strstr(line, "\"event\":\"CXL_TEST\""));
	expect_silence(f, &z);

	/* an event raised by a command reaches everyone negotiated, then the reply */
	conn_send(&a, "{\"execute\":\"x-test-event\",\"id\":5}\n");
	line = conn_line(f, &a);
	assert_non_null(strstr(line, "\"event\":\"TEST_EVENT\",\"data\":{\"n\":1}"));
	expect(f, &a, "{\"error\":{\"class\":\"DeviceNotFound\",\"desc\":\"Device 'x' not "
		      "found\"},\"id\":5}");
	line = conn_line(f, &b);
	assert_non_null(strstr(line, "TEST_EVENT"));
	expect_silence(f, &z);
	close(a.fd);
	close(b.fd);
	close(z.fd);
	for (int i = 0; i < 50 && qmp_server_clients(f->s); i++)
		loop_run_once(f->l, 2);
	assert_int_equal(qmp_server_clients(f->s), 0);
}

static void test_garbage_then_valid(void **state)
{
	struct fx *f = *state;
	struct conn c;

	negotiate(f, &c);
	conn_send(&c, "this is not json\n{\"execute\":\"query-status\",\"id\":1}\n");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"JSON parse error, "
		      "invalid keyword 'this'\"}}");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"JSON parse error, "
		      "invalid keyword 'is'\"}}");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"JSON parse error, "
		      "invalid keyword 'not'\"}}");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"JSON parse error, "
		      "invalid keyword 'json'\"}}");
	expect(f, &c, "{\"return\":{\"status\":\"running\",\"running\":true},"
		      "\"id\":1}");
	/* a half command, then a control character resets the parser */
	conn_send(&c, "{\"execute\":\"query-st");
	conn_send(&c, "\x04\n{\"execute\":\"query-status\",\"id\":2}\n");
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"JSON parse error, stray "
		      "'\\\\x04' in string\"}}");
	expect(f, &c, "{\"return\":{\"status\":\"running\",\"running\":true},"
		      "\"id\":2}");
	/* binary junk */
	conn_send(&c, "\xff\xfe\x01{\"execute\":\"query-status\",\"id\":3}\n");
	for (int i = 0; i < 3; i++)
		assert_non_null(strstr(conn_line(f, &c), "stray"));
	expect(f, &c, "{\"return\":{\"status\":\"running\",\"running\":true},"
		      "\"id\":3}");
	close(c.fd);
}

static void test_pipelined_half_close(void **state)
{
	struct fx *f = *state;
	struct conn c;

	greet(f, &c);
	conn_send(&c, "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"x-test-args\","
		      "\"arguments\":{\"a\":1}}{\"execute\":\"x-test-args\",\"arguments\":{\"a\":2}}"
		      "{\"execute\":\"x-test-args\",\"arguments\":{\"a\":3}}");
	/* EOF: everything sent is still answered, then the server closes */
	shutdown(c.fd, SHUT_WR);
	expect(f, &c, "{\"return\":{}}");
	expect(f, &c, "{\"return\":{\"a\":1}}");
	expect(f, &c, "{\"return\":{\"a\":2}}");
	expect(f, &c, "{\"return\":{\"a\":3}}");
	expect_closed(f, &c);
	close(c.fd);
}

static void test_async_in_order(void **state)
{
	struct fx *f = *state;
	struct conn c;

	negotiate(f, &c);
	/* like QEMU, the next command waits for the previous answer */
	conn_send(&c, "{\"execute\":\"x-test-hold\",\"id\":1}"
		      "{\"execute\":\"query-status\",\"id\":2}\n");
	expect_silence(f, &c);
	assert_int_equal(f->n_held, 1);
	assert_false(qmp_req_orphaned(f->held[0]));
	assert_string_equal(qmp_req_command(f->held[0]), "x-test-hold");
	qmp_reply_return(f->held[0], json_object_new_string("late"));
	f->held[0] = NULL;
	expect(f, &c, "{\"return\":\"late\",\"id\":1}");
	expect(f, &c, "{\"return\":{\"status\":\"running\",\"running\":true},"
		      "\"id\":2}");
	/* an asynchronous error */
	conn_send(&c, "{\"execute\":\"x-test-hold\",\"id\":3}\n");
	for (int i = 0; i < 20 && f->n_held < 2; i++)
		loop_run_once(f->l, 1);
	qmp_reply_error(f->held[1], NULL, "target %s gone", "host");
	f->held[1] = NULL;
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"target host gone\"},"
		      "\"id\":3}");
	close(c.fd);
}

static void test_async_concurrent(void **state)
{
	struct fx *f = *state;
	struct conn c;

	negotiate(f, &c);
	conn_send(&c, "{\"execute\":\"x-test-hold-concurrent\",\"id\":1}"
		      "{\"execute\":\"x-test-hold-concurrent\",\"id\":2}"
		      "{\"execute\":\"query-status\",\"id\":3}\n");
	expect(f, &c, "{\"return\":{\"status\":\"running\",\"running\":true},"
		      "\"id\":3}");
	assert_int_equal(f->n_held, 2);
	qmp_reply_return(f->held[1], NULL);
	f->held[1] = NULL;
	expect(f, &c, "{\"return\":{},\"id\":2}");
	qmp_reply_return(f->held[0], NULL);
	f->held[0] = NULL;
	expect(f, &c, "{\"return\":{},\"id\":1}");
	close(c.fd);
}

static void reset_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void test_disconnect_before_reply(void **state)
{
	struct fx *f = *state;
	struct conn a, b;

	/* (1) the server sees the client go (reset) while a reply is pending */
	negotiate(f, &a);
	conn_send(&a, "{\"execute\":\"x-test-hold-concurrent\",\"id\":1}\n");
	for (int i = 0; i < 20 && f->n_held < 1; i++)
		loop_run_once(f->l, 1);
	assert_int_equal(f->n_held, 1);
	reset_close(a.fd);
	for (int i = 0; i < 100 && qmp_server_clients(f->s); i++)
		loop_run_once(f->l, 2);
	assert_int_equal(qmp_server_clients(f->s), 0);
	assert_true(qmp_req_orphaned(f->held[0]));
	qmp_reply_return(f->held[0], json_object_new_int(1));
	f->held[0] = NULL;

	/* (2) it does not (in-order command, no reading): the reply finds out */
	negotiate(f, &b);
	conn_send(&b, "{\"execute\":\"x-test-hold\",\"id\":2}\n");
	for (int i = 0; i < 20 && f->n_held < 2; i++)
		loop_run_once(f->l, 1);
	assert_int_equal(f->n_held, 2);
	reset_close(b.fd);
	for (int i = 0; i < 20; i++)
		loop_run_once(f->l, 1);
	qmp_reply_error(f->held[1], NULL, "too late");
	f->held[1] = NULL;
	for (int i = 0; i < 100 && qmp_server_clients(f->s); i++)
		loop_run_once(f->l, 2);
	assert_int_equal(qmp_server_clients(f->s), 0);

	/* and the server keeps serving */
	negotiate(f, &a);
	close(a.fd);
}

static void test_oversize(void **state)
{
	struct fx *f = *state;
	struct conn big, ok;
	char *junk = malloc(6000);

	negotiate(f, &ok);
	negotiate(f, &big);
	memset(junk, '[', 5999);
	junk[5999] = '\0';
	conn_send(&big, junk);
	expect_closed(f, &big);
	close(big.fd);
	/* a long string too */
	negotiate(f, &big);
	junk[0] = '"';
	memset(junk + 1, 'a', 5998);
	conn_send(&big, junk);
	expect_closed(f, &big);
	close(big.fd);
	free(junk);
	conn_send(&ok, "{\"execute\":\"query-status\"}\n");
	expect(f, &ok, "{\"return\":{\"status\":\"running\",\"running\":true}}");
	close(ok.fd);
}

static void test_quit(void **state)
{
	struct fx *f = *state;
	struct conn a, b;
	char *line;

	negotiate(f, &a);
	negotiate(f, &b);
	conn_send(&a, "{\"execute\":\"quit\",\"id\":\"q\"}{\"execute\":\"query-status\"}\n");
	expect(f, &a, "{\"return\":{},\"id\":\"q\"}");
	line = conn_line(f, &a);
	assert_non_null(strstr(line, "{\"event\":\"SHUTDOWN\",\"data\":{\"guest\":false,"
				     "\"reason\":\"host-qmp-quit\"}"));
	line = conn_line(f, &b);
	assert_non_null(strstr(line, "SHUTDOWN"));
	assert_int_equal(f->quits, 1);
	/* nothing after quit is executed */
	expect_silence(f, &a);
	close(a.fd);
	close(b.fd);
}

static void test_unix_and_attach(void **state)
{
	struct fx *f = *state;
	char dir[] = "/tmp/qmp-test-XXXXXX", path[64], addr[160];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct conn c;
	struct stat st;
	int sv[2];
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/qmp.sock", dir);
	snprintf(addr, sizeof(addr), "unix:%s", path);
	assert_int_equal(qmp_server_listen(f->s, addr), 0);
	assert_int_equal(qmp_server_listener_port(f->s, 1), -EINVAL);
	memset(&c, 0, sizeof(c));
	c.fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(connect(c.fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_non_null(strstr(conn_line(f, &c), "\"QMP\""));
	conn_send(&c, "{\"execute\":\"qmp_capabilities\"}\n");
	expect(f, &c, "{\"return\":{}}");
	close(c.fd);

	/* an already connected socket */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(qmp_server_attach(f->s, sv[0]), 0);
	memset(&c, 0, sizeof(c));
	c.fd = sv[1];
	assert_non_null(strstr(conn_line(f, &c), "\"QMP\""));
	close(c.fd);

	/* a stale socket file is replaced, a regular file is not */
	assert_int_equal(qmp_server_listen(f->s, addr), 0);
	snprintf(path, sizeof(path), "%s/file", dir);
	fp = fopen(path, "w");
	fclose(fp);
	snprintf(addr, sizeof(addr), "unix:%s", path);
	assert_int_equal(qmp_server_listen(f->s, addr), -EEXIST);
	unlink(path);

	/* freeing the server removes its socket file */
	qmp_server_free(f->s);
	f->s = NULL;
	snprintf(path, sizeof(path), "%s/qmp.sock", dir);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(qmp_server_new(f->l, NULL, &f->s), 0);
}

static void test_listen_errors(void **state)
{
	struct fx *f = *state;
	char addr[64], longp[200];

	assert_int_equal(qmp_server_listen(f->s, "localhost:4445"), -EINVAL);
	assert_int_equal(qmp_server_listen(f->s, "tcp:127.0.0.1"), -EINVAL);
	assert_int_equal(qmp_server_listen(f->s, "unix:"), -EINVAL);
	memset(longp, 'x', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	snprintf(addr, sizeof(addr), "unix:");
	{
		char a[256];

		snprintf(a, sizeof(a), "unix:%s", longp);
		assert_int_equal(qmp_server_listen(f->s, a), -ENAMETOOLONG);
	}
	snprintf(addr, sizeof(addr), "tcp:127.0.0.1:%d", f->port);
	assert_int_equal(qmp_server_listen(f->s, addr), -EADDRINUSE);
	assert_int_equal(qmp_server_register(f->s, &test_cmds[0], NULL), -EEXIST);
	assert_non_null(qmp_server_find(f->s, "quit"));
	assert_null(qmp_server_find(f->s, "quitt"));
	assert_int_equal(qmp_server_listener_port(f->s, 9), -ENOENT);
}

/* ---- per-client bounds (issue #13: peers bounded per peer) ---- */

static uint64_t fake_ns;

static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_ns;
}

/*
 * A negotiated client on a UNIX socket pair: what the server sends is in
 * the client's socket when send() returns, so a test can count it.
 */
static void negotiate_pair(struct fx *f, struct conn *c, int server_sndbuf)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	if (server_sndbuf)
		assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &server_sndbuf,
					    sizeof(server_sndbuf)), 0);
	assert_int_equal(qmp_server_attach(f->s, sv[0]), 0);
	memset(c, 0, sizeof(*c));
	c->fd = sv[1];
	assert_non_null(strstr(conn_line(f, c), "\"QMP\""));
	conn_send(c, "{\"execute\":\"qmp_capabilities\"}\n");
	expect(f, c, "{\"return\":{}}");
}

#define STATUS_RET "{\"return\":{\"status\":\"running\",\"running\":true}"

static void test_negotiation_deadline(void **state)
{
	struct fx *f = *state;
	struct conn idle, done;

	fake_ns = 1000000000ull;
	loop_set_clock(f->l, fake_clock, NULL);
	greet(f, &idle);
	negotiate(f, &done);
	fake_ns += QMP_SERVER_NEGOTIATE_MS * 1000000ull - 1;
	expect_silence(f, &idle);
	fake_ns += 1;
	expect(f, &idle, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Capabilities "
			 "negotiation not completed within 10000 ms, closing\"}}");
	expect_closed(f, &idle);
	close(idle.fd);
	/* a negotiated client has no deadline */
	fake_ns += 100 * QMP_SERVER_NEGOTIATE_MS * 1000000ull;
	conn_send(&done, "{\"execute\":\"query-status\"}\n");
	expect(f, &done, STATUS_RET "}");
	assert_int_equal(qmp_server_clients(f->s), 1);
	close(done.fd);
}

static void test_client_limit(void **state)
{
	struct fx *f = *state;
	struct conn c[FEW_CLIENTS], extra, late;
	char *line;

	for (int i = 0; i < FEW_CLIENTS; i++)
		greet(f, &c[i]);
	assert_int_equal(qmp_server_clients(f->s), FEW_CLIENTS);
	/* full of clients that did not negotiate: the oldest makes room */
	negotiate(f, &extra);
	expect(f, &c[0], "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Too many QMP "
			 "clients, closing the oldest one not negotiated\"}}");
	expect_closed(f, &c[0]);
	close(c[0].fd);
	assert_int_equal(qmp_server_clients(f->s), FEW_CLIENTS);
	/* full of negotiated clients: the greeting, an error, closed */
	for (int i = 1; i < FEW_CLIENTS; i++) {
		conn_send(&c[i], "{\"execute\":\"qmp_capabilities\"}\n");
		expect(f, &c[i], "{\"return\":{}}");
	}
	conn_open(f, &late);
	line = conn_line(f, &late);
	assert_non_null(line);
	assert_non_null(strstr(line, "{\"QMP\":{\"version\":"));
	expect(f, &late, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Too many QMP "
			 "clients (at most 4 at once)\"}}");
	expect_closed(f, &late);
	close(late.fd);
	/* the others go on */
	conn_send(&extra, "{\"execute\":\"query-status\"}\n");
	expect(f, &extra, STATUS_RET "}");
	assert_int_equal(qmp_server_clients(f->s), FEW_CLIENTS);
	for (int i = 1; i < FEW_CLIENTS; i++)
		close(c[i].fd);
	close(extra.fd);
}

#define PARSE_ERR_X "{\"error\":{\"class\":\"GenericError\",\"desc\":\"JSON parse error, " \
		    "invalid keyword 'x'\"}}"
#define NOT_OBJECT "{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input must be a " \
		   "JSON object\"}}"

static void test_malformed_input_bounded(void **state)
{
	struct fx *f = *state;
	struct conn c;
	char buf[4096];
	size_t n = 0;

	negotiate(f, &c);
	/* one short of the limit, then a command: the count starts again */
	for (int round = 0; round < 2; round++) {
		n = 0;
		for (unsigned i = 0; i + 1 < QMP_SERVER_MAX_BAD_INPUT; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, i % 2 ? "[1]\n" : "x\n");
		snprintf(buf + n, sizeof(buf) - n, "{\"execute\":\"query-status\"}\n");
		conn_send(&c, buf);
		for (unsigned i = 0; i + 1 < QMP_SERVER_MAX_BAD_INPUT; i++)
			expect(f, &c, i % 2 ? NOT_OBJECT : PARSE_ERR_X);
		expect(f, &c, STATUS_RET "}");
	}
	/* the limit: each answered, then why, then closed */
	n = 0;
	for (unsigned i = 0; i < QMP_SERVER_MAX_BAD_INPUT + 10; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "x\n");
	conn_send(&c, buf);
	for (unsigned i = 0; i < QMP_SERVER_MAX_BAD_INPUT; i++)
		expect(f, &c, PARSE_ERR_X);
	expect(f, &c, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"Too many malformed "
		      "inputs in a row, closing\"}}");
	expect_closed(f, &c);
	close(c.fd);
}

/* Random bytes get a bounded answer, not one error per token. */
static void test_random_input_bounded(void **state)
{
	struct fx *f = *state;
	enum { BLOB = 256 << 10 };
	uint8_t *blob = malloc(BLOB), rx[4096];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t sent = 0, got = 0;
	bool closed = false;
	struct conn c;

	for (size_t i = 0; i < BLOB; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		blob[i] = (uint8_t)x;
	}
	greet(f, &c);
	for (int i = 0; i < 20000 && !closed; i++) {
		ssize_t k;

		if (sent < BLOB) {
			k = send(c.fd, blob + sent, BLOB - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (k > 0)
				sent += (size_t)k;
		}
		loop_run_once(f->l, 1);
		while ((k = recv(c.fd, rx, sizeof(rx), MSG_DONTWAIT)) > 0)
			got += (size_t)k;
		closed = k == 0 || (k < 0 && errno != EAGAIN);
	}
	assert_true(closed);
	/* QMP_SERVER_MAX_BAD_INPUT errors of ~100 bytes and the last word */
	assert_true(got < 4096);
	assert_true(got > 0);
	close(c.fd);
	free(blob);
}

/* A client's commands are taken a turn at a time, so others are not held up. */
static void test_turns(void **state)
{
	struct fx *f = *state;
	enum { N = 100 };
	char buf[N * 48], want[96], rx[N * 128];
	struct conn a, b;
	size_t n = 0;
	ssize_t k;
	int lines = 0;

	negotiate_pair(f, &a, 0);
	negotiate_pair(f, &b, 0);
	for (int i = 0; i < N; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "{\"execute\":\"query-status\",\"id\":%d}", i);
	conn_send(&a, buf);
	conn_send(&b, "{\"execute\":\"query-status\",\"id\":\"b\"}");
	/* one iteration: b's command and a turn of a's (the kick for the next
	 * turn may run in it too), not all of them */
	assert_true(loop_run_once(f->l, 1000) >= 2);
	k = recv(a.fd, rx, sizeof(rx), MSG_DONTWAIT);
	assert_true(k > 0);
	for (ssize_t i = 0; i < k; i++)
		lines += rx[i] == '\n';
	assert_true(lines >= (int)QMP_SERVER_CMDS_PER_TURN);
	assert_true(lines <= 2 * (int)QMP_SERVER_CMDS_PER_TURN);
	expect(f, &b, STATUS_RET ",\"id\":\"b\"}");
	/* the rest follows, in order */
	memcpy(a.buf, rx, (size_t)k);
	a.len = (size_t)k;
	for (int i = 0; i < N; i++) {
		snprintf(want, sizeof(want), STATUS_RET ",\"id\":%d}", i);
		expect(f, &a, want);
	}
	close(a.fd);
	close(b.fd);
}

/*
 * A client that sends without reading: its input waits once enough output
 * does, instead of the output growing to the bound and the client dropped.
 */
static void test_unread_output_paused(void **state)
{
	struct fx *f = *state;
	enum { N = 4000 };
	char *buf = malloc(N * 48), want[96];
	size_t n = 0, sent = 0;
	struct conn c;

	/* the kernel holds little of what the client does not read */
	negotiate_pair(f, &c, 4096);
	/* ~340 KB of answers to ~150 KB of commands, none read yet */
	for (int i = 0; i < N; i++)
		n += (size_t)snprintf(buf + n, N * 48 - n,
				      "{\"execute\":\"query-status\",\"id\":%d}\n", i);
	for (int i = 0; i < 2000 && qmp_server_clients(f->s); i++) {
		ssize_t k = send(c.fd, buf + sent, n - sent, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (k > 0)
			sent += (size_t)k;
		loop_run_once(f->l, 0);
	}
	assert_int_equal(qmp_server_clients(f->s), 1);
	/* reading now: every answer comes, in order, as the rest is sent */
	for (int i = 0; i < N; i++) {
		if (sent < n) {
			ssize_t k = send(c.fd, buf + sent, n - sent, MSG_DONTWAIT | MSG_NOSIGNAL);

			if (k > 0)
				sent += (size_t)k;
		}
		snprintf(want, sizeof(want), STATUS_RET ",\"id\":%d}", i);
		expect(f, &c, want);
	}
	assert_int_equal(sent, n);
	assert_int_equal(qmp_server_clients(f->s), 1);
	close(c.fd);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_greeting_and_negotiation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_builtin_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_classes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oob, setup, teardown),
		cmocka_unit_test_setup_teardown(test_id_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_clients_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_then_valid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_half_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_async_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_async_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disconnect_before_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversize, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_quit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unix_and_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_negotiation_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_limit, setup_few_clients, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_input_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_input_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_turns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unread_output_paused, setup_small_out,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
