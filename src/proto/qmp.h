/* SPDX-License-Identifier: MIT */
/*
 * QMP wire protocol, no I/O (docs/interop/qmp-spec.rst in QEMU).
 *
 * 1. A stream decoder: feed it bytes as they arrive, pull complete JSON
 *    values or parse errors. Message boundaries follow QEMU's JSON streamer
 *    (qobject/json-streamer.c): a message ends when its brackets balance,
 *    whitespace between messages is skipped, and after a lexical error the
 *    decoder skips input until a bracket or an ASCII control character
 *    (qmp-spec "Forcing the JSON parser into known-good state"), so one bad
 *    line costs one error reply and the connection goes on. QEMU's
 *    extensions are accepted: 'single-quoted' strings and \' escapes.
 *    One message is bounded in size; the caller decides what to do when a
 *    peer exceeds it (cxl-emu drops that client).
 * 2. Request checking the way QEMU's dispatcher does it: the envelope
 *    ({"execute", "arguments", "id"}, qapi/qmp-dispatch.c) and typed
 *    arguments against a spec, with QEMU's error texts ("Parameter 'x' is
 *    missing", "Invalid parameter type for 'x', expected: integer", ...).
 * 3. Builders for greeting, return, error and event messages, and a
 *    serializer producing one CRLF-terminated line (QEMU writes "\r\n").
 */
#ifndef CXLFM_PROTO_QMP_H
#define CXLFM_PROTO_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

/* Default bound on one message (and on unparsed input) per peer. */
#define QMP_MAX_MSG_DEFAULT (1u << 20)
/* Nesting limit; QEMU's streamer uses the same (MAX_NESTING). */
#define QMP_MAX_DEPTH 1024

/* Error classes (QEMU qapi/control.json QapiErrorClass). */
#define QMP_ERR_GENERIC          "GenericError"
#define QMP_ERR_COMMAND_NOT_FOUND "CommandNotFound"
#define QMP_ERR_DEVICE_NOT_ACTIVE "DeviceNotActive"
#define QMP_ERR_DEVICE_NOT_FOUND "DeviceNotFound"
#define QMP_ERR_KVM_MISSING_CAP  "KVMMissingCap"

/* ---- stream decoder ---- */

struct qmp_stream;

enum qmp_next {
	QMP_NEED_MORE = 0, /* no complete message in the input fed so far */
	QMP_VALUE = 1,     /* *val holds a parsed value; caller owns it */
	QMP_ERROR = 2,     /* *err holds "JSON parse error, ..." */
};

/* max_msg 0 = QMP_MAX_MSG_DEFAULT. */
int qmp_stream_new(size_t max_msg, struct qmp_stream **out);
void qmp_stream_free(struct qmp_stream *s);
/* Forget all input and state (a new connection). */
void qmp_stream_reset(struct qmp_stream *s);
/*
 * Append input. Copies it. -EMSGSIZE if the unconsumed input would exceed
 * the bound (nothing is appended then).
 */
int qmp_stream_feed(struct qmp_stream *s, const void *buf, size_t len);
/*
 * End of input: a message still open becomes an error ("premature EOI")
 * and a trailing top-level number or keyword completes.
 */
void qmp_stream_finish(struct qmp_stream *s);
/*
 * Next message: enum qmp_next, or -EMSGSIZE when one message exceeds the
 * bound (its input is dropped and the decoder resynchronises). *err stays
 * valid until the next call on s.
 */
int qmp_stream_next(struct qmp_stream *s, struct json_object **val, const char **err);
/* Bytes fed and not consumed yet plus the open message's text. */
size_t qmp_stream_pending(const struct qmp_stream *s);

/* ---- typed arguments (QAPI types as QMP carries them) ---- */

enum qmp_type {
	QMP_T_ANY = 0,
	QMP_T_STR,
	QMP_T_BOOL,
	QMP_T_INT,    /* int64 */
	QMP_T_UINT,   /* uint64 */
	QMP_T_SIZE,   /* uint64 byte count (QAPI 'size': a number, no suffix) */
	QMP_T_INT8, QMP_T_INT16, QMP_T_INT32,
	QMP_T_UINT8, QMP_T_UINT16, QMP_T_UINT32,
	QMP_T_NUMBER, /* any JSON number */
	QMP_T_OBJECT, /* members: spec of its members, or NULL for any object */
	QMP_T_ARRAY,  /* elem: spec of every element, or NULL for any */
	QMP_T_ENUM,   /* a string from enum_values */
};

struct qmp_arg {
	const char *name;      /* NULL ends a spec list */
	enum qmp_type type;
	bool optional;
	const struct qmp_arg *members;    /* QMP_T_OBJECT */
	const struct qmp_arg *elem;       /* QMP_T_ARRAY: one spec, name unused */
	const char *const *enum_values;   /* QMP_T_ENUM, NULL-terminated */
	const char *doc;
};

/*
 * A spec entry named QMP_ARG_REST lets members the spec does not name
 * through unchecked, for commands whose arguments are another type's
 * properties (QEMU's device_add, object-add).
 */
#define QMP_ARG_REST "*"

/* QAPI-style type name ("int", "uint8", "size", "str", "['X']" ...). */
const char *qmp_type_name(enum qmp_type t);

/*
 * Check args (an object, or NULL for none) against spec (NULL-name
 * terminated; NULL spec = no arguments). Order of checks and texts follow
 * QEMU's qobject input visitor: members in spec order, then unexpected
 * keys. Returns 0 or -EINVAL with msg filled.
 */
int qmp_args_check(const struct qmp_arg *spec, struct json_object *args, char *msg,
		   size_t msglen);

/* ---- requests ---- */

struct qmp_request {
	const char *name;          /* "execute" or "exec-oob" value */
	struct json_object *args;  /* borrowed; NULL when absent */
	struct json_object *id;    /* borrowed; NULL when absent */
	bool oob;                  /* came as "exec-oob" */
};

/*
 * Validate a request envelope like QEMU (qmp_dispatch_check_obj): must be an
 * object, "execute" (or, with allow_oob, "exec-oob") a string, "arguments"
 * an object, no other member but "id". On error *out->id is still set when
 * the message was an object carrying one, so the error can echo it.
 */
int qmp_request_parse(struct json_object *msg, bool allow_oob, struct qmp_request *out,
		      char *err, size_t errlen);

/* ---- messages ---- */

struct qmp_version {
	int major, minor, micro;
	const char *package;
};

struct json_object *qmp_version_new(const struct qmp_version *v);
/* {"QMP": {"version": ..., "capabilities": [...]}}; caps NULL-terminated. */
struct json_object *qmp_greeting_new(const struct qmp_version *v, const char *const *caps);
/* ret is owned (NULL = {}), id borrowed (NULL = none). */
struct json_object *qmp_return_new(struct json_object *ret, struct json_object *id);
struct json_object *qmp_error_new(const char *cls, const char *desc, struct json_object *id);
/* data owned, NULL = no "data" member. */
struct json_object *qmp_event_new(const char *name, struct json_object *data, int64_t sec,
				  int64_t usec);

enum qmp_msg_kind {
	QMP_MSG_INVALID = 0,
	QMP_MSG_GREETING,
	QMP_MSG_RETURN,
	QMP_MSG_ERROR,
	QMP_MSG_EVENT,
};
/* What a client received. For ERROR, *cls and *desc point into msg. */
enum qmp_msg_kind qmp_msg_classify(struct json_object *msg, const char **cls,
				   const char **desc);

/* One line: compact JSON + "\r\n", malloc'd; NULL on ENOMEM. */
char *qmp_to_line(struct json_object *msg, size_t *len);

#endif
