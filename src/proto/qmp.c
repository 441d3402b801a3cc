/* SPDX-License-Identifier: MIT */
#include "proto/qmp.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/*
 * The decoder is a byte-at-a-time lexer plus a token-level grammar check.
 * The lexer finds message boundaries and normalises the text (single-quoted
 * strings become double-quoted, \' becomes ', insignificant whitespace is
 * dropped); the grammar check produces QEMU's parse error texts
 * (qobject/json-parser.c); json-c then builds the value from the checked
 * text. An error found inside a message is reported once, when the
 * message's brackets balance, like QEMU reports its parser errors.
 */

enum lex_state {
	LX_START,
	LX_STR,     /* in a string; s->sq says which quote ends it */
	LX_ESC,     /* after a backslash in a string */
	LX_UESC,    /* in the 4 hex digits of \uXXXX */
	LX_SCALAR,  /* number or keyword */
	LX_RECOVER, /* after a lexical error: skip to a resync point */
};

enum gram_state {
	G_VALUE,        /* a value must come */
	G_VALUE_OR_END, /* after '[' */
	G_KEY,          /* after ',' in an object */
	G_KEY_OR_END,   /* after '{' */
	G_COLON,        /* after a key */
	G_SEP_OR_END,   /* after a member or element */
};

struct qmp_stream {
	size_t max;
	/* input fed and not consumed yet */
	char *in;
	size_t in_off, in_len, in_cap;
	/* normalised text of the open message */
	char *msg;
	size_t msg_len, msg_cap;
	size_t scalar_at;
	bool open;
	enum lex_state lx;
	bool sq;          /* string opened with ' */
	bool is_key;      /* the open string is an object key */
	unsigned uesc, uval;
	enum gram_state g;
	int depth;
	char kinds[QMP_MAX_DEPTH]; /* 'o' object, 'a' array */
	bool failed;
	char why[200];    /* first error of the open message */
	bool finishing;
	struct json_tokener *jt;
	char err[256];
};

enum step {
	ST_CONT,     /* keep going */
	ST_EMIT,     /* message complete: parse it or report s->why */
	ST_LEXERR,   /* s->err set, input resyncs */
	ST_OVERFLOW, /* message too big */
};

int qmp_stream_new(size_t max_msg, struct qmp_stream **out)
{
	struct qmp_stream *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->max = max_msg ? max_msg : QMP_MAX_MSG_DEFAULT;
	s->jt = json_tokener_new_ex(QMP_MAX_DEPTH + 1);
	if (!s->jt) {
		free(s);
		return -ENOMEM;
	}
	json_tokener_set_flags(s->jt, JSON_TOKENER_VALIDATE_UTF8);
	*out = s;
	return 0;
}

void qmp_stream_free(struct qmp_stream *s)
{
	if (!s)
		return;
	json_tokener_free(s->jt);
	free(s->in);
	free(s->msg);
	free(s);
}

static void msg_discard(struct qmp_stream *s)
{
	s->open = false;
	s->msg_len = 0;
	s->depth = 0;
	s->failed = false;
	s->g = G_VALUE;
}

void qmp_stream_reset(struct qmp_stream *s)
{
	msg_discard(s);
	s->in_off = s->in_len = 0;
	s->lx = LX_START;
	s->finishing = false;
}

size_t qmp_stream_pending(const struct qmp_stream *s)
{
	return s->in_len - s->in_off + s->msg_len;
}

int qmp_stream_feed(struct qmp_stream *s, const void *buf, size_t len)
{
	size_t left = s->in_len - s->in_off;

	if (len > s->max || left > s->max - len)
		return -EMSGSIZE;
	if (!len)
		return 0;
	if (s->in_off) {
		memmove(s->in, s->in + s->in_off, left);
		s->in_off = 0;
		s->in_len = left;
	}
	if (s->in_len + len > s->in_cap) {
		size_t cap = s->in_cap ? s->in_cap : 4096;
		char *n;

		while (cap < s->in_len + len)
			cap *= 2;
		n = realloc(s->in, cap);
		if (!n)
			return -ENOMEM;
		s->in = n;
		s->in_cap = cap;
	}
	memcpy(s->in + s->in_len, buf, len);
	s->in_len += len;
	return 0;
}

void qmp_stream_finish(struct qmp_stream *s)
{
	s->finishing = true;
}

/* Append to the message text, within the bound. */
static int put(struct qmp_stream *s, const char *p, size_t n)
{
	if (s->msg_len + n + 1 > s->max)
		return -EMSGSIZE;
	if (s->msg_len + n + 1 > s->msg_cap) {
		size_t cap = s->msg_cap ? s->msg_cap : 256;
		char *m;

		while (cap < s->msg_len + n + 1)
			cap *= 2;
		m = realloc(s->msg, cap);
		if (!m)
			return -ENOMEM;
		s->msg = m;
		s->msg_cap = cap;
	}
	memcpy(s->msg + s->msg_len, p, n);
	s->msg_len += n;
	return 0;
}

__attribute__((format(printf, 2, 3)))
static void fail(struct qmp_stream *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failed)
		return; /* QEMU reports the first error of a message */
	s->failed = true;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

static const char *sep_error(const struct qmp_stream *s)
{
	return s->kinds[s->depth - 1] == 'o' ? "expected separator in dict" :
					       "expected separator in list";
}

/* A value token (string, scalar, '{', '[') is starting. */
static void gram_value(struct qmp_stream *s, bool is_string)
{
	s->is_key = false;
	if (s->failed)
		return;
	switch (s->g) {
	case G_VALUE:
	case G_VALUE_OR_END:
		return;
	case G_KEY:
	case G_KEY_OR_END:
		if (is_string)
			s->is_key = true;
		else
			fail(s, "key is not a string in object");
		return;
	case G_COLON:
		fail(s, "missing : in object pair");
		return;
	case G_SEP_OR_END:
		fail(s, "%s", sep_error(s));
		return;
	}
}

/* A value just ended: the message is complete at depth 0. */
static enum step after_value(struct qmp_stream *s)
{
	if (s->depth == 0)
		return ST_EMIT;
	s->g = G_SEP_OR_END;
	return ST_CONT;
}

static void begin(struct qmp_stream *s)
{
	if (!s->open) {
		s->open = true;
		s->msg_len = 0;
		s->failed = false;
		s->g = G_VALUE;
	}
}

static enum step lex_error(struct qmp_stream *s, unsigned char c, const char *where)
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(s->err, sizeof(s->err), "JSON parse error, stray '%c'%s", c, where);
	else
		snprintf(s->err, sizeof(s->err), "JSON parse error, stray '\\x%02x'%s", c, where);
	msg_discard(s);
	s->lx = LX_RECOVER;
	return ST_LEXERR;
}

static bool is_scalar_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '.' || c == '+' || c == '-' || c == '_';
}

/* RFC 8259 number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool is_number(const char *p, bool *integer)
{
	*integer = true;
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return false;
	if (*p == '.') {
		*integer = false;
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		*integer = false;
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

static enum step end_scalar(struct qmp_stream *s)
{
	char *tok = s->msg + s->scalar_at;
	bool integer;

	s->msg[s->msg_len] = '\0';
	s->lx = LX_START;
	if (tok[0] >= 'a' && tok[0] <= 'z') {
		if (strcmp(tok, "true") && strcmp(tok, "false") && strcmp(tok, "null"))
			fail(s, "invalid keyword '%.64s'", tok);
	} else if (!is_number(tok, &integer)) {
		fail(s, "invalid number '%.64s'", tok);
	} else if (integer) {
		/* Out of int64/uint64 range: a double, as QEMU's parser does. */
		errno = 0;
		if (tok[0] == '-')
			(void)strtoll(tok, NULL, 10);
		else
			(void)strtoull(tok, NULL, 10);
		if (errno == ERANGE && put(s, ".0", 2))
			return ST_OVERFLOW;
	}
	return after_value(s);
}

static enum step closer(struct qmp_stream *s, unsigned char c)
{
	char want = c == '}' ? 'o' : 'a';

	if (s->depth == 0) {
		/* A stray closer is a message of its own, as in QEMU. */
		begin(s);
		fail(s, "expecting value");
		return ST_EMIT;
	}
	if (!s->failed) {
		char kind = s->kinds[s->depth - 1];

		if (s->g == G_COLON)
			fail(s, "missing : in object pair");
		else if (s->g == G_SEP_OR_END && kind != want)
			fail(s, "%s", sep_error(s));
		else if ((s->g == G_KEY_OR_END && want == 'o') ||
			 (s->g == G_VALUE_OR_END && want == 'a') ||
			 (s->g == G_SEP_OR_END))
			;
		else
			fail(s, "expecting value");
	}
	s->depth--;
	if (put(s, (const char *)&c, 1))
		return ST_OVERFLOW;
	return after_value(s);
}

/* One byte; *consumed false means "look at it again in the new state". */
static enum step step(struct qmp_stream *s, unsigned char c, bool *consumed)
{
	*consumed = true;
	switch (s->lx) {
	case LX_RECOVER:
		/* qmp-spec: brackets and control characters resynchronise. */
		if (c == '{' || c == '}' || c == '[' || c == ']' || (c < 0x20 && c != '\t') ||
		    c >= 0xfe) {
			s->lx = LX_START;
			*consumed = false;
		}
		return ST_CONT;

	case LX_SCALAR:
		if (is_scalar_char(c))
			return put(s, (const char *)&c, 1) ? ST_OVERFLOW : ST_CONT;
		*consumed = false;
		return end_scalar(s);

	case LX_STR:
		if (c < 0x20 || c >= 0xfe)
			return lex_error(s, c, " in string");
		if (c == '\\') {
			s->lx = LX_ESC;
			return ST_CONT;
		}
		if (c == (s->sq ? '\'' : '"')) {
			s->lx = LX_START;
			if (put(s, "\"", 1))
				return ST_OVERFLOW;
			if (s->is_key) {
				s->is_key = false;
				s->g = G_COLON;
				return ST_CONT;
			}
			return after_value(s);
		}
		if (c == '"') /* inside a single-quoted string */
			return put(s, "\\\"", 2) ? ST_OVERFLOW : ST_CONT;
		return put(s, (const char *)&c, 1) ? ST_OVERFLOW : ST_CONT;

	case LX_ESC:
		if (c < 0x20 || c >= 0xfe)
			return lex_error(s, c, " in string");
		s->lx = LX_STR;
		switch (c) {
		case '\'':
			return put(s, "'", 1) ? ST_OVERFLOW : ST_CONT;
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': {
			char e[2] = { '\\', (char)c };

			return put(s, e, 2) ? ST_OVERFLOW : ST_CONT;
		}
		case 'u':
			s->lx = LX_UESC;
			s->uesc = 4;
			s->uval = 0;
			return put(s, "\\u", 2) ? ST_OVERFLOW : ST_CONT;
		default:
			fail(s, "invalid escape sequence in string");
			return ST_CONT;
		}

	case LX_UESC: {
		unsigned d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10u;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10u;
		else {
			fail(s, "invalid hex escape sequence in string");
			s->lx = LX_STR;
			*consumed = false;
			return ST_CONT;
		}
		s->uval = s->uval << 4 | d;
		if (--s->uesc == 0) {
			s->lx = LX_STR;
			/* Values are C strings for their users; NUL would truncate. */
			if (s->uval == 0)
				fail(s, "\\u0000 is not supported in strings");
		}
		return put(s, (const char *)&c, 1) ? ST_OVERFLOW : ST_CONT;
	}

	case LX_START:
		break;
	}

	switch (c) {
	case ' ': case '\t': case '\r': case '\n':
		return ST_CONT;
	case '"':
	case '\'':
		begin(s);
		gram_value(s, true);
		s->sq = c == '\'';
		s->lx = LX_STR;
		return put(s, "\"", 1) ? ST_OVERFLOW : ST_CONT;
	case '{':
	case '[':
		begin(s);
		gram_value(s, false);
		if (s->depth >= QMP_MAX_DEPTH) {
			fail(s, "nesting depth limit exceeded");
			s->depth++;
		} else {
			s->kinds[s->depth++] = c == '{' ? 'o' : 'a';
		}
		if (!s->failed)
			s->g = c == '{' ? G_KEY_OR_END : G_VALUE_OR_END;
		return put(s, (const char *)&c, 1) ? ST_OVERFLOW : ST_CONT;
	case '}':
	case ']':
		return closer(s, c);
	case ',':
	case ':':
		begin(s);
		if (s->depth == 0) {
			fail(s, "expecting value");
			return ST_EMIT;
		}
		if (!s->failed) {
			if (c == ',' && s->g == G_SEP_OR_END)
				s->g = s->kinds[s->depth - 1] == 'o' ? G_KEY : G_VALUE;
			else if (c == ':' && s->g == G_COLON)
				s->g = G_VALUE;
			else if (s->g == G_COLON)
				fail(s, "missing : in object pair");
			else if (s->g == G_SEP_OR_END)
				fail(s, "%s", sep_error(s));
			else
				fail(s, "expecting value");
		}
		return put(s, (const char *)&c, 1) ? ST_OVERFLOW : ST_CONT;
	default:
		if (c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
			begin(s);
			gram_value(s, false);
			s->scalar_at = s->msg_len;
			s->lx = LX_SCALAR;
			return put(s, (const char *)&c, 1) ? ST_OVERFLOW : ST_CONT;
		}
		return lex_error(s, c, "");
	}
}

/* The open message is complete: build its value or report its error. */
static int emit(struct qmp_stream *s, struct json_object **val, const char **err)
{
	struct json_object *o = NULL;
	enum json_tokener_error je;

	if (!s->failed) {
		s->msg[s->msg_len] = '\0';
		json_tokener_reset(s->jt);
		/* Length includes the NUL so a top-level number terminates. */
		o = json_tokener_parse_ex(s->jt, s->msg, (int)s->msg_len + 1);
		je = json_tokener_get_error(s->jt);
		if (!o || je != json_tokener_success ||
		    json_tokener_get_parse_end(s->jt) != s->msg_len) {
			json_object_put(o);
			o = NULL;
			fail(s, "%s", json_tokener_error_desc(je == json_tokener_success ?
								 json_tokener_error_parse_unexpected :
								 je));
		}
	}
	if (o) {
		msg_discard(s);
		*val = o;
		return QMP_VALUE;
	}
	snprintf(s->err, sizeof(s->err), "JSON parse error, %s", s->why);
	msg_discard(s);
	*err = s->err;
	return QMP_ERROR;
}

int qmp_stream_next(struct qmp_stream *s, struct json_object **val, const char **err)
{
	*val = NULL;
	*err = NULL;
	while (s->in_off < s->in_len) {
		bool consumed;
		enum step st = step(s, (unsigned char)s->in[s->in_off], &consumed);

		if (consumed)
			s->in_off++;
		switch (st) {
		case ST_CONT:
			continue;
		case ST_EMIT:
			return emit(s, val, err);
		case ST_LEXERR:
			*err = s->err;
			return QMP_ERROR;
		case ST_OVERFLOW:
			msg_discard(s);
			s->lx = LX_RECOVER;
			return -EMSGSIZE;
		}
	}
	if (s->finishing) {
		s->finishing = false;
		if (s->lx == LX_SCALAR && end_scalar(s) == ST_EMIT)
			return emit(s, val, err);
		if (s->open) {
			fail(s, "premature EOI");
			s->lx = LX_START;
			return emit(s, val, err);
		}
		s->lx = LX_START;
	}
	return QMP_NEED_MORE;
}

/* ---- typed arguments ---- */

const char *qmp_type_name(enum qmp_type t)
{
	static const char *const names[] = {
		[QMP_T_ANY] = "any", [QMP_T_STR] = "str", [QMP_T_BOOL] = "bool",
		[QMP_T_INT] = "int", [QMP_T_UINT] = "uint64", [QMP_T_SIZE] = "size",
		[QMP_T_INT8] = "int8", [QMP_T_INT16] = "int16", [QMP_T_INT32] = "int32",
		[QMP_T_UINT8] = "uint8", [QMP_T_UINT16] = "uint16", [QMP_T_UINT32] = "uint32",
		[QMP_T_NUMBER] = "number", [QMP_T_OBJECT] = "object", [QMP_T_ARRAY] = "array",
		[QMP_T_ENUM] = "enum",
	};

	return (unsigned)t < sizeof(names) / sizeof(names[0]) && names[t] ? names[t] : "?";
}

__attribute__((format(printf, 3, 4)))
static int arg_err(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int check_object(const struct qmp_arg *spec, struct json_object *obj, const char *path,
			char *msg, size_t len);

static int check_int(const struct qmp_arg *a, struct json_object *v, const char *path,
		     char *msg, size_t len)
{
	int64_t i = json_object_get_int64(v);
	uint64_t u = json_object_get_uint64(v);
	bool neg = i < 0, huge = i == INT64_MAX && u > (uint64_t)INT64_MAX;
	static const struct {
		enum qmp_type t;
		int64_t min;
		uint64_t max;
		const char *cname;
	} lim[] = {
		{ QMP_T_INT8, INT8_MIN, INT8_MAX, "int8_t" },
		{ QMP_T_INT16, INT16_MIN, INT16_MAX, "int16_t" },
		{ QMP_T_INT32, INT32_MIN, INT32_MAX, "int32_t" },
		{ QMP_T_UINT8, 0, UINT8_MAX, "uint8_t" },
		{ QMP_T_UINT16, 0, UINT16_MAX, "uint16_t" },
		{ QMP_T_UINT32, 0, UINT32_MAX, "uint32_t" },
	};

	switch (a->type) {
	case QMP_T_INT:
		if (huge)
			return arg_err(msg, len, "Parameter '%s' expects integer", path);
		return 0;
	case QMP_T_UINT:
	case QMP_T_SIZE:
		if (neg)
			return arg_err(msg, len, "Parameter '%s' expects %s", path,
				       a->type == QMP_T_SIZE ? "size" : "uint64");
		return 0;
	default:
		break;
	}
	for (size_t k = 0; k < sizeof(lim) / sizeof(lim[0]); k++) {
		if (lim[k].t != a->type)
			continue;
		if (huge || i < lim[k].min || (!neg && (uint64_t)i > lim[k].max))
			return arg_err(msg, len, "Parameter '%s' expects %s", path, lim[k].cname);
		return 0;
	}
	return 0;
}

static int check_value(const struct qmp_arg *a, struct json_object *v, const char *path,
		       char *msg, size_t len)
{
	enum json_type jt = json_object_get_type(v);

	switch (a->type) {
	case QMP_T_ANY:
		return 0;
	case QMP_T_STR:
		if (jt != json_type_string)
			break;
		return 0;
	case QMP_T_ENUM:
		if (jt != json_type_string)
			break;
		for (const char *const *e = a->enum_values; e && *e; e++)
			if (!strcmp(*e, json_object_get_string(v)))
				return 0;
		return arg_err(msg, len, "Parameter '%s' does not accept value '%.64s'", path,
			       json_object_get_string(v));
	case QMP_T_BOOL:
		if (jt != json_type_boolean)
			break;
		return 0;
	case QMP_T_INT: case QMP_T_UINT: case QMP_T_SIZE:
	case QMP_T_INT8: case QMP_T_INT16: case QMP_T_INT32:
	case QMP_T_UINT8: case QMP_T_UINT16: case QMP_T_UINT32:
		if (jt != json_type_int)
			break;
		return check_int(a, v, path, msg, len);
	case QMP_T_NUMBER:
		if (jt != json_type_int && jt != json_type_double)
			break;
		return 0;
	case QMP_T_OBJECT:
		if (jt != json_type_object)
			break;
		return a->members ? check_object(a->members, v, path, msg, len) : 0;
	case QMP_T_ARRAY:
		if (jt != json_type_array)
			break;
		if (a->elem) {
			size_t n = json_object_array_length(v);

			for (size_t i = 0; i < n; i++) {
				char sub[256];
				int err;

				snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
				err = check_value(a->elem, json_object_array_get_idx(v, i), sub,
						  msg, len);
				if (err)
					return err;
			}
		}
		return 0;
	}
	{
		static const char *const expect[] = {
			[QMP_T_STR] = "string", [QMP_T_ENUM] = "string",
			[QMP_T_BOOL] = "boolean", [QMP_T_NUMBER] = "number",
			[QMP_T_OBJECT] = "object", [QMP_T_ARRAY] = "array",
		};
		const char *e = (unsigned)a->type < sizeof(expect) / sizeof(expect[0]) &&
						expect[a->type] ? expect[a->type] : "integer";

		return arg_err(msg, len, "Invalid parameter type for '%s', expected: %s", path, e);
	}
}

static void join(char *out, size_t len, const char *path, const char *name)
{
	if (path && *path)
		snprintf(out, len, "%s.%s", path, name);
	else
		snprintf(out, len, "%s", name);
}

static int check_object(const struct qmp_arg *spec, struct json_object *obj, const char *path,
			char *msg, size_t len)
{
	struct json_object_iterator it, end;

	bool open = false; /* a "*" entry: further members are the handler's */

	for (const struct qmp_arg *a = spec; a && a->name; a++) {
		struct json_object *v;
		char sub[256];
		int err;

		if (!strcmp(a->name, QMP_ARG_REST)) {
			open = true;
			continue;
		}
		join(sub, sizeof(sub), path, a->name);
		if (!obj || !json_object_object_get_ex(obj, a->name, &v)) {
			if (a->optional)
				continue;
			return arg_err(msg, len, "Parameter '%s' is missing", sub);
		}
		err = check_value(a, v, sub, msg, len);
		if (err)
			return err;
	}
	if (!obj || open)
		return 0;
	it = json_object_iter_begin(obj);
	end = json_object_iter_end(obj);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *key = json_object_iter_peek_name(&it);
		const struct qmp_arg *a = spec;
		char sub[256];

		while (a && a->name && strcmp(a->name, key))
			a++;
		if (a && a->name)
			continue;
		join(sub, sizeof(sub), path, key);
		return arg_err(msg, len, "Parameter '%s' is unexpected", sub);
	}
	return 0;
}

int qmp_args_check(const struct qmp_arg *spec, struct json_object *args, char *msg,
		   size_t msglen)
{
	if (args && !json_object_is_type(args, json_type_object))
		return arg_err(msg, msglen, "QMP input member 'arguments' must be an object");
	return check_object(spec, args, "", msg, msglen);
}

/* ---- requests ---- */

int qmp_request_parse(struct json_object *msg, bool allow_oob, struct qmp_request *out,
		      char *err, size_t errlen)
{
	struct json_object_iterator it, end;
	const char *exec_key = NULL;

	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(msg, json_type_object))
		return arg_err(err, errlen, "QMP input must be a JSON object");
	json_object_object_get_ex(msg, "id", &out->id);
	it = json_object_iter_begin(msg);
	end = json_object_iter_end(msg);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *key = json_object_iter_peek_name(&it);
		struct json_object *v = json_object_iter_peek_value(&it);

		if (!strcmp(key, "execute") || (allow_oob && !strcmp(key, "exec-oob"))) {
			if (!json_object_is_type(v, json_type_string))
				return arg_err(err, errlen, "QMP input member '%s' must be a string",
					       key);
			if (exec_key)
				return arg_err(err, errlen,
					       "QMP input member '%s' clashes with '%s'", key,
					       exec_key);
			exec_key = key;
			out->name = json_object_get_string(v);
		} else if (!strcmp(key, "arguments")) {
			if (!json_object_is_type(v, json_type_object))
				return arg_err(err, errlen,
					       "QMP input member 'arguments' must be an object");
			out->args = v;
		} else if (strcmp(key, "id")) {
			return arg_err(err, errlen, "QMP input member '%.64s' is unexpected", key);
		}
	}
	if (!exec_key)
		return arg_err(err, errlen, "QMP input lacks member 'execute'");
	out->oob = !strcmp(exec_key, "exec-oob");
	return 0;
}

/* ---- messages ---- */

struct json_object *qmp_version_new(const struct qmp_version *v)
{
	struct json_object *ver = json_object_new_object(), *q = json_object_new_object();

	json_object_object_add(q, "micro", json_object_new_int(v->micro));
	json_object_object_add(q, "minor", json_object_new_int(v->minor));
	json_object_object_add(q, "major", json_object_new_int(v->major));
	json_object_object_add(ver, "qemu", q);
	json_object_object_add(ver, "package", json_object_new_string(v->package ? v->package : ""));
	return ver;
}

struct json_object *qmp_greeting_new(const struct qmp_version *v, const char *const *caps)
{
	struct json_object *g = json_object_new_object(), *q = json_object_new_object();
	struct json_object *c = json_object_new_array();

	for (; caps && *caps; caps++)
		json_object_array_add(c, json_object_new_string(*caps));
	json_object_object_add(q, "version", qmp_version_new(v));
	json_object_object_add(q, "capabilities", c);
	json_object_object_add(g, "QMP", q);
	return g;
}

static void add_id(struct json_object *m, struct json_object *id)
{
	if (id)
		json_object_object_add(m, "id", json_object_get(id));
}

struct json_object *qmp_return_new(struct json_object *ret, struct json_object *id)
{
	struct json_object *m = json_object_new_object();

	json_object_object_add(m, "return", ret ? ret : json_object_new_object());
	add_id(m, id);
	return m;
}

struct json_object *qmp_error_new(const char *cls, const char *desc, struct json_object *id)
{
	struct json_object *m = json_object_new_object(), *e = json_object_new_object();

	json_object_object_add(e, "class", json_object_new_string(cls ? cls : QMP_ERR_GENERIC));
	json_object_object_add(e, "desc", json_object_new_string(desc ? desc : ""));
	json_object_object_add(m, "error", e);
	add_id(m, id);
	return m;
}

struct json_object *qmp_event_new(const char *name, struct json_object *data, int64_t sec,
				  int64_t usec)
{
	struct json_object *m = json_object_new_object(), *ts = json_object_new_object();

	json_object_object_add(m, "event", json_object_new_string(name));
	if (data)
		json_object_object_add(m, "data", data);
	json_object_object_add(ts, "seconds", json_object_new_int64(sec));
	json_object_object_add(ts, "microseconds", json_object_new_int64(usec));
	json_object_object_add(m, "timestamp", ts);
	return m;
}

enum qmp_msg_kind qmp_msg_classify(struct json_object *msg, const char **cls,
				   const char **desc)
{
	struct json_object *v, *c, *d;

	if (cls)
		*cls = NULL;
	if (desc)
		*desc = NULL;
	if (!json_object_is_type(msg, json_type_object))
		return QMP_MSG_INVALID;
	if (json_object_object_get_ex(msg, "QMP", &v))
		return json_object_is_type(v, json_type_object) ? QMP_MSG_GREETING :
								    QMP_MSG_INVALID;
	if (json_object_object_get_ex(msg, "return", &v))
		return QMP_MSG_RETURN;
	if (json_object_object_get_ex(msg, "error", &v)) {
		if (!json_object_is_type(v, json_type_object) ||
		    !json_object_object_get_ex(v, "class", &c) ||
		    !json_object_is_type(c, json_type_string))
			return QMP_MSG_INVALID;
		if (cls)
			*cls = json_object_get_string(c);
		if (desc)
			*desc = json_object_object_get_ex(v, "desc", &d) &&
					json_object_is_type(d, json_type_string) ?
				json_object_get_string(d) : "";
		return QMP_MSG_ERROR;
	}
	if (json_object_object_get_ex(msg, "event", &v))
		return json_object_is_type(v, json_type_string) ? QMP_MSG_EVENT : QMP_MSG_INVALID;
	return QMP_MSG_INVALID;
}

char *qmp_to_line(struct json_object *msg, size_t *len)
{
	size_t n;
	const char *s = json_object_to_json_string_length(
		msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	char *line;

	if (!s)
		return NULL;
	line = malloc(n + 3);
	if (!line)
		return NULL;
	memcpy(line, s, n);
	memcpy(line + n, "\r\n", 3);
	if (len)
		*len = n + 2;
	return line;
}
