/* SPDX-License-Identifier: MIT */
/*
 * QMP stream decoder and request checks. The first byte picks the chunk
 * size the rest is fed in. Properties: only the documented results come
 * out, every error is a "JSON parse error, ..." text, pending input stays
 * within the bound, and every value decoded re-encodes to text the decoder
 * parses back to an equal value. Values are then checked as requests and
 * their arguments against a spec using every argument type.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fuzz.h"
#include "proto/qmp.h"

#define MAX_MSG 4096

static const char *const pol[] = { "free", "contiguous", "prescriptive", NULL };
static const struct qmp_arg ext[] = {
	{ "offset", QMP_T_UINT, false, NULL, NULL, NULL, NULL },
	{ "len", QMP_T_SIZE, false, NULL, NULL, NULL, NULL },
	{ NULL, QMP_T_ANY, false, NULL, NULL, NULL, NULL },
};
static const struct qmp_arg ext_elem = { "", QMP_T_OBJECT, false, ext, NULL, NULL, NULL };
static const struct qmp_arg int_elem = { "", QMP_T_INT32, false, NULL, NULL, NULL, NULL };
static const struct qmp_arg spec[] = {
	{ "path", QMP_T_STR, false, NULL, NULL, NULL, NULL },
	{ "host-id", QMP_T_UINT16, true, NULL, NULL, NULL, NULL },
	{ "policy", QMP_T_ENUM, true, NULL, NULL, pol, NULL },
	{ "region", QMP_T_UINT8, true, NULL, NULL, NULL, NULL },
	{ "extents", QMP_T_ARRAY, true, NULL, &ext_elem, NULL, NULL },
	{ "ints", QMP_T_ARRAY, true, NULL, &int_elem, NULL, NULL },
	{ "b", QMP_T_BOOL, true, NULL, NULL, NULL, NULL },
	{ "i8", QMP_T_INT8, true, NULL, NULL, NULL, NULL },
	{ "i16", QMP_T_INT16, true, NULL, NULL, NULL, NULL },
	{ "u32", QMP_T_UINT32, true, NULL, NULL, NULL, NULL },
	{ "i", QMP_T_INT, true, NULL, NULL, NULL, NULL },
	{ "n", QMP_T_NUMBER, true, NULL, NULL, NULL, NULL },
	{ "o", QMP_T_OBJECT, true, NULL, NULL, NULL, NULL },
	{ "any", QMP_T_ANY, true, NULL, NULL, NULL, NULL },
	{ NULL, QMP_T_ANY, false, NULL, NULL, NULL, NULL },
};

static void round_trip(struct json_object *v)
{
	struct qmp_stream *s;
	struct json_object *back = NULL;
	const char *err;
	size_t len;
	char *line = qmp_to_line(v, &len);
	int rc;

	assert(line && len >= 2 && line[len - 2] == '\r' && line[len - 1] == '\n');
	assert(qmp_stream_new(1u << 22, &s) == 0);
	assert(qmp_stream_feed(s, line, len) == 0);
	rc = qmp_stream_next(s, &back, &err);
	assert(rc == QMP_VALUE);
	assert(json_object_equal(v, back));
	json_object_put(back);
	assert(qmp_stream_next(s, &back, &err) == QMP_NEED_MORE);
	qmp_stream_free(s);
	free(line);
}

static void as_request(struct json_object *v)
{
	struct qmp_request rq;
	char msg[512];

	for (int oob = 0; oob < 2; oob++) {
		msg[0] = '\0';
		if (qmp_request_parse(v, oob, &rq, msg, sizeof(msg))) {
			assert(msg[0]);
			continue;
		}
		assert(rq.name);
		msg[0] = '\0';
		if (qmp_args_check(spec, rq.args, msg, sizeof(msg)))
			assert(msg[0]);
		json_object_put(qmp_error_new(QMP_ERR_GENERIC, msg, rq.id));
	}
}

static void drain(struct qmp_stream *s)
{
	for (;;) {
		struct json_object *v;
		const char *err;
		int rc = qmp_stream_next(s, &v, &err);

		assert(qmp_stream_pending(s) <= 2 * MAX_MSG);
		if (rc == QMP_NEED_MORE)
			return;
		if (rc == -EMSGSIZE)
			continue;
		if (rc == QMP_ERROR) {
			assert(err && !strncmp(err, "JSON parse error, ", 18));
			continue;
		}
		assert(rc == QMP_VALUE && v);
		round_trip(v);
		as_request(v);
		json_object_put(v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qmp_stream *s;
	size_t chunk;

	if (!size)
		return 0;
	chunk = 1 + data[0] % 64u;
	data++;
	size--;
	assert(qmp_stream_new(MAX_MSG, &s) == 0);
	for (size_t off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;

		assert(qmp_stream_feed(s, data + off, n) == 0);
		drain(s);
	}
	qmp_stream_finish(s);
	drain(s);
	qmp_stream_free(s);
	return 0;
}
