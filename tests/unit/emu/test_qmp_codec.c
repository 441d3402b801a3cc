/* SPDX-License-Identifier: MIT */
/* QMP stream decoder, request checks and message builders (proto/qmp.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "proto/qmp.h"

/* Collect everything the decoder yields as text: "V:<json>" or "E:<error>". */
static size_t drain(struct qmp_stream *s, char out[][256], size_t max)
{
	size_t n = 0;

	for (;;) {
		struct json_object *v;
		const char *err;
		int rc = qmp_stream_next(s, &v, &err);

		if (rc == QMP_NEED_MORE)
			return n;
		assert_true(n < max);
		if (rc == QMP_VALUE) {
			snprintf(out[n++], 256, "V:%s",
				 json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
			json_object_put(v);
		} else if (rc == QMP_ERROR) {
			snprintf(out[n++], 256, "E:%s", err);
		} else {
			snprintf(out[n++], 256, "X:%d", rc);
		}
	}
}

static size_t feed_all(const char *in, size_t len, size_t chunk, char out[][256], size_t max)
{
	struct qmp_stream *s;
	size_t n = 0;

	assert_int_equal(qmp_stream_new(0, &s), 0);
	for (size_t off = 0; off < len; off += chunk) {
		size_t k = len - off < chunk ? len - off : chunk;

		assert_int_equal(qmp_stream_feed(s, in + off, k), 0);
		n += drain(s, out + n, max - n);
	}
	qmp_stream_finish(s);
	n += drain(s, out + n, max - n);
	qmp_stream_free(s);
	return n;
}

static const char stream[] =
	"{\"execute\":\"qmp_capabilities\"}\r\n"
	"  {\"execute\": \"query-status\", \"id\": [1, {\"a\": null}]}"
	"{'execute':'x','arguments':{'s':'it\\'s \"q\"','n':-1.5e3,'t':true}}\n"
	"[]\n\"str\" 42 \n";

static const char *const expect[] = {
	"V:{\"execute\":\"qmp_capabilities\"}",
	"V:{\"execute\":\"query-status\",\"id\":[1,{\"a\":null}]}",
	"V:{\"execute\":\"x\",\"arguments\":{\"s\":\"it's \\\"q\\\"\",\"n\":-1.5e3,\"t\":true}}",
	"V:[]",
	"V:\"str\"",
	"V:42",
};

static void test_every_split(void **state)
{
	size_t len = strlen(stream);

	(void)state;
	/* one chunk, byte by byte and every two-part split give the same result */
	for (size_t chunk = 1; chunk <= len; chunk++) {
		char out[16][256];
		size_t n = feed_all(stream, len, chunk, out, 16);

		assert_int_equal(n, 6);
		for (size_t i = 0; i < n; i++)
			assert_string_equal(out[i], expect[i]);
	}
	for (size_t cut = 0; cut <= len; cut++) {
		struct qmp_stream *s;
		char out[16][256];
		size_t n;

		assert_int_equal(qmp_stream_new(0, &s), 0);
		assert_int_equal(qmp_stream_feed(s, stream, cut), 0);
		n = drain(s, out, 16);
		assert_int_equal(qmp_stream_feed(s, stream + cut, len - cut), 0);
		n += drain(s, out + n, 16 - n);
		qmp_stream_finish(s);
		n += drain(s, out + n, 16 - n);
		assert_int_equal(n, 6);
		for (size_t i = 0; i < n; i++)
			assert_string_equal(out[i], expect[i]);
		qmp_stream_free(s);
	}
}

static void one(const char *in, size_t n_expect, ...)
{
	char out[16][256];
	size_t n = feed_all(in, strlen(in), strlen(in) ? strlen(in) : 1, out, 16);
	va_list ap;

	if (n != n_expect)
		for (size_t i = 0; i < n; i++)
			print_error("  got %s\n", out[i]);
	assert_int_equal(n, n_expect);
	va_start(ap, n_expect);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(out[i], va_arg(ap, const char *));
	va_end(ap);
}

static void test_parse_errors(void **state)
{
	(void)state;
	one("{\"execute\": }\n", 1, "E:JSON parse error, expecting value");
	one("{\"execute\" \"x\"}", 1, "E:JSON parse error, missing : in object pair");
	one("{\"a\":1 \"b\":2}", 1, "E:JSON parse error, expected separator in dict");
	one("[1 2]", 1, "E:JSON parse error, expected separator in list");
	one("{1:2}", 1, "E:JSON parse error, key is not a string in object");
	one("{\"a\":1,}", 1, "E:JSON parse error, expecting value");
	one("[1,]", 1, "E:JSON parse error, expecting value");
	one("{\"a\":nul}", 1, "E:JSON parse error, invalid keyword 'nul'");
	one("{\"a\":01}", 1, "E:JSON parse error, invalid number '01'");
	one("{\"a\":\"\\x\"}", 1, "E:JSON parse error, invalid escape sequence in string");
	one("{\"a\":\"\\u00zz\"}", 1, "E:JSON parse error, invalid hex escape sequence in string");
	one("{\"a\":\"\\u0000\"}", 1, "E:JSON parse error, \\u0000 is not supported in strings");
	one("}", 1, "E:JSON parse error, expecting value");
	one(",", 1, "E:JSON parse error, expecting value");
	one("[}", 1, "E:JSON parse error, expecting value");
	one("{\"a\":1]", 1, "E:JSON parse error, expected separator in dict");
	one("\"\xc3\x28\"", 1, "E:JSON parse error, invalid utf-8 string");
	/* incomplete at end of input */
	one("{\"a\":[1,", 1, "E:JSON parse error, premature EOI");
	one("\"abc", 1, "E:JSON parse error, premature EOI");
	/* valid UTF-8 passes */
	one("\"\xc3\xa9\"", 1, "V:\"\xc3\xa9\"");
}

static void test_resync(void **state)
{
	(void)state;
	/* a lexical error skips to the next bracket or control character */
	one("@garbage here\n{\"execute\":\"a\"}", 2, "E:JSON parse error, stray '@'",
	    "V:{\"execute\":\"a\"}");
	one("garbage\n{\"execute\":\"a\"}", 2, "E:JSON parse error, invalid keyword 'garbage'",
	    "V:{\"execute\":\"a\"}");
	/* a newline inside a string is an error; the next line parses */
	one("{\"execute\":\"abc\n{\"execute\":\"b\"}", 2,
	    "E:JSON parse error, stray '\\x0a' in string", "V:{\"execute\":\"b\"}");
	/* qmp-spec: a control character resets the parser from any state */
	one("{\"execute\": [1, 2, \x1b{\"execute\":\"c\"}", 2, "E:JSON parse error, stray '\\x1b'",
	    "V:{\"execute\":\"c\"}");
	one("\xff{\"x\":1}", 2, "E:JSON parse error, stray '\\xff'", "V:{\"x\":1}");
	/* recovery stops at the '}' which is then a stray closer, as in QEMU */
	one("{\"a\" # 1}{\"b\":2}", 3, "E:JSON parse error, stray '#'",
	    "E:JSON parse error, expecting value", "V:{\"b\":2}");
	/* whitespace only: nothing */
	one(" \r\n\t ", 0);
}

static void test_numbers_and_strings(void **state)
{
	(void)state;
	one("[18446744073709551615, -9223372036854775808]", 1,
	    "V:[18446744073709551615,-9223372036854775808]");
	/* beyond 64 bits: a double, as QEMU's parser makes it */
	one("[18446744073709551616]", 1, "V:[18446744073709551616.0]");
	one("['a\"b', \"c\\'d\", '\\u00e9']", 1, "V:[\"a\\\"b\",\"c'd\",\"\xc3\xa9\"]");
	one("{\"k\":[true,false,null,0,-0.5,1E+2]}", 1,
	    "V:{\"k\":[true,false,null,0,-0.5,1E+2]}");
	one("NaN", 1, "E:JSON parse error, stray 'N'");
	one("-Infinity", 1, "E:JSON parse error, invalid number '-Infinity'");
}

static void test_size_bound(void **state)
{
	struct qmp_stream *s;
	struct json_object *v;
	const char *err;
	char big[200];

	(void)state;
	assert_int_equal(qmp_stream_new(64, &s), 0);
	/* one feed larger than the bound is refused outright */
	memset(big, ' ', sizeof(big));
	assert_int_equal(qmp_stream_feed(s, big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(qmp_stream_pending(s), 0);
	/* a message that grows past the bound fails, then the stream resyncs */
	snprintf(big, sizeof(big), "{\"execute\":\"%060d\"}\n", 0);
	assert_int_equal(qmp_stream_feed(s, big, 40), 0);
	assert_int_equal(qmp_stream_next(s, &v, &err), QMP_NEED_MORE);
	assert_int_equal(qmp_stream_feed(s, big + 40, strlen(big) - 40), 0);
	assert_int_equal(qmp_stream_next(s, &v, &err), -EMSGSIZE);
	/* the tail of the dropped message: its '}' reads as a stray closer */
	assert_int_equal(qmp_stream_next(s, &v, &err), QMP_ERROR);
	assert_int_equal(qmp_stream_next(s, &v, &err), QMP_NEED_MORE);
	assert_int_equal(qmp_stream_feed(s, "{\"ok\":1}", 8), 0);
	assert_int_equal(qmp_stream_next(s, &v, &err), QMP_VALUE);
	json_object_put(v);
	/* unconsumed input counts against the bound */
	assert_int_equal(qmp_stream_feed(s, big, 60), 0);
	assert_int_equal(qmp_stream_feed(s, big, 10), -EMSGSIZE);
	qmp_stream_reset(s);
	assert_int_equal(qmp_stream_pending(s), 0);
	qmp_stream_free(s);
}

static void test_depth(void **state)
{
	char *in = malloc(2 * (QMP_MAX_DEPTH + 1) + 1);
	char out[4][256];
	size_t n, k = 0;

	(void)state;
	for (int i = 0; i <= QMP_MAX_DEPTH; i++)
		in[k++] = '[';
	for (int i = 0; i <= QMP_MAX_DEPTH; i++)
		in[k++] = ']';
	in[k] = '\0';
	n = feed_all(in, k, k, out, 4);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "E:JSON parse error, nesting depth limit exceeded");
	/* exactly the limit is fine */
	n = feed_all(in + 1, k - 2, k, out, 4);
	assert_int_equal(n, 1);
	assert_int_equal(out[0][0], 'V');
	free(in);
}

/* ---- argument checks ---- */

static const char *const policies[] = { "free", "contiguous", "prescriptive", NULL };
static const struct qmp_arg extent[] = {
	{ "offset", QMP_T_UINT, false, NULL, NULL, NULL, NULL },
	{ "len", QMP_T_UINT, false, NULL, NULL, NULL, NULL },
	{ NULL, QMP_T_ANY, false, NULL, NULL, NULL, NULL },
};
static const struct qmp_arg extent_elem = { "", QMP_T_OBJECT, false, extent, NULL, NULL, NULL };
static const struct qmp_arg dc_args[] = {
	{ "path", QMP_T_STR, false, NULL, NULL, NULL, NULL },
	{ "host-id", QMP_T_UINT16, false, NULL, NULL, NULL, NULL },
	{ "selection-policy", QMP_T_ENUM, false, NULL, NULL, policies, NULL },
	{ "region", QMP_T_UINT8, false, NULL, NULL, NULL, NULL },
	{ "tag", QMP_T_STR, true, NULL, NULL, NULL, NULL },
	{ "extents", QMP_T_ARRAY, false, NULL, &extent_elem, NULL, NULL },
	{ "forced", QMP_T_BOOL, true, NULL, NULL, NULL, NULL },
	{ "temp", QMP_T_INT16, true, NULL, NULL, NULL, NULL },
	{ "n", QMP_T_NUMBER, true, NULL, NULL, NULL, NULL },
	{ "blob", QMP_T_ANY, true, NULL, NULL, NULL, NULL },
	{ "i", QMP_T_INT, true, NULL, NULL, NULL, NULL },
	{ "sz", QMP_T_SIZE, true, NULL, NULL, NULL, NULL },
	{ NULL, QMP_T_ANY, false, NULL, NULL, NULL, NULL },
};

static void check(const char *json, const char *want)
{
	struct json_object *o = json_tokener_parse(json);
	char msg[256] = "";
	int rc;

	assert_non_null(o);
	rc = qmp_args_check(dc_args, o, msg, sizeof(msg));
	if (want) {
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(msg, want);
	} else {
		if (rc)
			print_error("unexpected: %s\n", msg);
		assert_int_equal(rc, 0);
	}
	json_object_put(o);
}

#define OK_ARGS "\"path\":\"/machine/peripheral/cxl-dcd0\",\"host-id\":0," \
	"\"selection-policy\":\"prescriptive\",\"region\":0," \
	"\"extents\":[{\"offset\":0,\"len\":134217728}]"

static void test_args(void **state)
{
	(void)state;
	check("{" OK_ARGS "}", NULL);
	check("{" OK_ARGS ",\"tag\":\"t\",\"forced\":true,\"temp\":-5,\"n\":1.5,\"blob\":[1],"
	      "\"i\":-9223372036854775808,\"sz\":18446744073709551615}", NULL);
	check("{" OK_ARGS ",\"n\":2}", NULL);
	check("{\"host-id\":0}", "Parameter 'path' is missing");
	check("{\"path\":1}", "Invalid parameter type for 'path', expected: string");
	check("{" OK_ARGS ",\"tag\":null}", "Invalid parameter type for 'tag', expected: string");
	check("{" OK_ARGS ",\"forced\":1}", "Invalid parameter type for 'forced', expected: boolean");
	check("{" OK_ARGS ",\"n\":\"1\"}", "Invalid parameter type for 'n', expected: number");
	check("{\"path\":\"p\",\"host-id\":\"0\"}",
	      "Invalid parameter type for 'host-id', expected: integer");
	check("{\"path\":\"p\",\"host-id\":65536}", "Parameter 'host-id' expects uint16_t");
	check("{\"path\":\"p\",\"host-id\":-1}", "Parameter 'host-id' expects uint16_t");
	check("{\"path\":\"p\",\"host-id\":1.0}",
	      "Invalid parameter type for 'host-id', expected: integer");
	check("{\"path\":\"p\",\"host-id\":0,\"selection-policy\":\"any\"}",
	      "Parameter 'selection-policy' does not accept value 'any'");
	check("{\"path\":\"p\",\"host-id\":0,\"selection-policy\":3}",
	      "Invalid parameter type for 'selection-policy', expected: string");
	check("{\"path\":\"p\",\"host-id\":0,\"selection-policy\":\"free\",\"region\":256}",
	      "Parameter 'region' expects uint8_t");
	check("{\"path\":\"p\",\"host-id\":0,\"selection-policy\":\"free\",\"region\":1,"
	      "\"extents\":{}}", "Invalid parameter type for 'extents', expected: array");
	check("{\"path\":\"p\",\"host-id\":0,\"selection-policy\":\"free\",\"region\":1,"
	      "\"extents\":[{\"offset\":0,\"len\":1},{\"offset\":0}]}",
	      "Parameter 'extents[1].len' is missing");
	check("{\"path\":\"p\",\"host-id\":0,\"selection-policy\":\"free\",\"region\":1,"
	      "\"extents\":[{\"offset\":-1,\"len\":1}]}", "Parameter 'extents[0].offset' expects uint64");
	check("{\"path\":\"p\",\"host-id\":0,\"selection-policy\":\"free\",\"region\":1,"
	      "\"extents\":[{\"offset\":0,\"len\":1,\"x\":0}]}",
	      "Parameter 'extents[0].x' is unexpected");
	check("{\"path\":\"p\",\"host-id\":0,\"selection-policy\":\"free\",\"region\":1,"
	      "\"extents\":[3]}", "Invalid parameter type for 'extents[0]', expected: object");
	check("{" OK_ARGS ",\"bogus\":1}", "Parameter 'bogus' is unexpected");
	check("{" OK_ARGS ",\"temp\":40000}", "Parameter 'temp' expects int16_t");
	check("{" OK_ARGS ",\"i\":9223372036854775808}", "Parameter 'i' expects integer");
	check("{" OK_ARGS ",\"sz\":-1}", "Parameter 'sz' expects size");
}

static void test_no_args_spec(void **state)
{
	struct json_object *o = json_tokener_parse("{\"x\":1}");
	char msg[128];

	(void)state;
	assert_int_equal(qmp_args_check(NULL, NULL, msg, sizeof(msg)), 0);
	assert_int_equal(qmp_args_check(NULL, o, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "Parameter 'x' is unexpected");
	json_object_put(o);
}

/* ---- request envelopes ---- */

static void envelope(const char *json, bool oob, const char *want, const char *id_json)
{
	struct json_object *o = json_tokener_parse(json);
	struct qmp_request r;
	char err[256] = "";
	int rc;

	assert_non_null(o);
	rc = qmp_request_parse(o, oob, &r, err, sizeof(err));
	if (want) {
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(err, want);
	} else {
		assert_int_equal(rc, 0);
	}
	if (id_json)
		assert_string_equal(json_object_to_json_string_ext(r.id, JSON_C_TO_STRING_PLAIN),
				    id_json);
	else
		assert_null(r.id);
	json_object_put(o);
}

static void test_envelope(void **state)
{
	(void)state;
	envelope("{\"execute\":\"x\"}", false, NULL, NULL);
	envelope("{\"execute\":\"x\",\"arguments\":{},\"id\":{\"a\":[1]}}", false, NULL,
		 "{\"a\":[1]}");
	envelope("[1]", false, "QMP input must be a JSON object", NULL);
	envelope("\"x\"", false, "QMP input must be a JSON object", NULL);
	envelope("{\"id\":7}", false, "QMP input lacks member 'execute'", "7");
	envelope("{\"execute\":1,\"id\":\"a\"}", false, "QMP input member 'execute' must be a string",
		 "\"a\"");
	envelope("{\"execute\":\"x\",\"arguments\":[]}", false,
		 "QMP input member 'arguments' must be an object", NULL);
	envelope("{\"execute\":\"x\",\"extra\":1}", false, "QMP input member 'extra' is unexpected",
		 NULL);
	envelope("{\"exec-oob\":\"x\"}", false, "QMP input member 'exec-oob' is unexpected", NULL);
	envelope("{\"exec-oob\":\"x\"}", true, NULL, NULL);
	envelope("{\"exec-oob\":\"x\",\"execute\":\"y\"}", true,
		 "QMP input member 'execute' clashes with 'exec-oob'", NULL);
}

static void test_messages(void **state)
{
	static const char *const caps[] = { "oob", NULL };
	struct qmp_version v = { 9, 1, 0, "cxl-fmemu 0.1.0" };
	struct json_object *m, *id = json_object_new_int(5);
	const char *cls, *desc;
	size_t len;
	char *line;

	(void)state;
	m = qmp_greeting_new(&v, caps);
	line = qmp_to_line(m, &len);
	assert_string_equal(line, "{\"QMP\":{\"version\":{\"qemu\":{\"micro\":0,\"minor\":1,"
			    "\"major\":9},\"package\":\"cxl-fmemu 0.1.0\"},\"capabilities\":"
			    "[\"oob\"]}}\r\n");
	assert_int_equal(len, strlen(line));
	assert_int_equal(qmp_msg_classify(m, NULL, NULL), QMP_MSG_GREETING);
	free(line);
	json_object_put(m);

	m = qmp_return_new(NULL, id);
	line = qmp_to_line(m, NULL);
	assert_string_equal(line, "{\"return\":{},\"id\":5}\r\n");
	assert_int_equal(qmp_msg_classify(m, NULL, NULL), QMP_MSG_RETURN);
	free(line);
	json_object_put(m);

	m = qmp_error_new(QMP_ERR_COMMAND_NOT_FOUND, "The command x has not been found", id);
	assert_int_equal(qmp_msg_classify(m, &cls, &desc), QMP_MSG_ERROR);
	assert_string_equal(cls, "CommandNotFound");
	assert_string_equal(desc, "The command x has not been found");
	json_object_put(m);

	m = qmp_event_new("SHUTDOWN", NULL, 1, 2);
	line = qmp_to_line(m, NULL);
	assert_string_equal(line, "{\"event\":\"SHUTDOWN\",\"timestamp\":{\"seconds\":1,"
			    "\"microseconds\":2}}\r\n");
	assert_int_equal(qmp_msg_classify(m, NULL, NULL), QMP_MSG_EVENT);
	free(line);
	json_object_put(m);

	m = json_tokener_parse("{\"error\":\"x\"}");
	assert_int_equal(qmp_msg_classify(m, &cls, &desc), QMP_MSG_INVALID);
	json_object_put(m);
	m = json_tokener_parse("[1]");
	assert_int_equal(qmp_msg_classify(m, NULL, NULL), QMP_MSG_INVALID);
	json_object_put(m);
	json_object_put(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_numbers_and_strings),
		cmocka_unit_test(test_size_bound),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_no_args_spec),
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
