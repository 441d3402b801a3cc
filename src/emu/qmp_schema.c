/* SPDX-License-Identifier: MIT */
/*
 * QEMU's SchemaInfo (qapi/introspect.json), as QEMU 9.x answers
 * query-qmp-schema:
 *   - a command: {"name", "meta-type": "command", "arg-type", "ret-type"};
 *   - object types with "members" [{"name", "type"}], an optional member
 *     carrying "default": null;
 *   - enum types with "values" (and "members" [{"name"}], QEMU 6.2 on);
 *   - array types named "[ELEM]" with "element-type";
 *   - builtins with their "json-type"; like QEMU, every integer type is
 *     reported as "int" and a value of any type as "any".
 * Like QEMU, types other than builtins and arrays get opaque names ("0",
 * "1", ...): clients look them up through the commands, never by name.
 * The argument types come from each command's qmp_arg spec; a spec's "*"
 * entry (properties passed through, device_add) is not a member, as in
 * QEMU's device_add. Return types are not in the tables: "any".
 */
#include "emu/qmp_schema.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "emu/qmp_server.h"

struct schema {
	struct json_object *list;
	struct json_object *seen; /* name -> true: builtins and arrays emitted once */
	unsigned next;            /* next opaque type name */
};

static void add_once(struct schema *sc, const char *name, struct json_object *info)
{
	if (json_object_object_get_ex(sc->seen, name, NULL)) {
		json_object_put(info);
		return;
	}
	json_object_object_add(sc->seen, name, json_object_new_boolean(1));
	json_object_array_add(sc->list, info);
}

static struct json_object *info_new(const char *name, const char *meta)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "meta-type", json_object_new_string(meta));
	return o;
}

static const char *builtin(struct schema *sc, const char *name, const char *json_type)
{
	struct json_object *o = info_new(name, "builtin");

	json_object_object_add(o, "json-type", json_object_new_string(json_type));
	add_once(sc, name, o);
	return name;
}

static void opaque_name(struct schema *sc, char *buf, size_t len)
{
	snprintf(buf, len, "%u", sc->next++);
}

static const char *type_of(struct schema *sc, const struct qmp_arg *a, char *buf, size_t len);

/* An object type with spec's members; its name goes to buf. */
static const char *object_type(struct schema *sc, const struct qmp_arg *spec, char *buf,
			       size_t len)
{
	struct json_object *members = json_object_new_array(), *o;

	opaque_name(sc, buf, len);
	o = info_new(buf, "object");
	for (const struct qmp_arg *a = spec; a && a->name; a++) {
		struct json_object *m;
		char tbuf[32];

		if (!strcmp(a->name, QMP_ARG_REST))
			continue;
		m = json_object_new_object();
		json_object_object_add(m, "name", json_object_new_string(a->name));
		json_object_object_add(m, "type",
				       json_object_new_string(type_of(sc, a, tbuf, sizeof(tbuf))));
		if (a->optional)
			json_object_object_add(m, "default", NULL);
		json_object_array_add(members, m);
	}
	json_object_object_add(o, "members", members);
	json_object_array_add(sc->list, o);
	return buf;
}

static const char *type_of(struct schema *sc, const struct qmp_arg *a, char *buf, size_t len)
{
	switch (a->type) {
	case QMP_T_STR:
		return builtin(sc, "str", "string");
	case QMP_T_BOOL:
		return builtin(sc, "bool", "boolean");
	case QMP_T_NUMBER:
		return builtin(sc, "number", "number");
	case QMP_T_INT: case QMP_T_UINT: case QMP_T_SIZE:
	case QMP_T_INT8: case QMP_T_INT16: case QMP_T_INT32:
	case QMP_T_UINT8: case QMP_T_UINT16: case QMP_T_UINT32:
		return builtin(sc, "int", "int");
	case QMP_T_OBJECT:
		if (!a->members)
			break;
		return object_type(sc, a->members, buf, len);
	case QMP_T_ENUM: {
		struct json_object *o, *values = json_object_new_array();
		struct json_object *members = json_object_new_array();

		opaque_name(sc, buf, len);
		o = info_new(buf, "enum");
		for (const char *const *v = a->enum_values; v && *v; v++) {
			struct json_object *m = json_object_new_object();

			json_object_object_add(m, "name", json_object_new_string(*v));
			json_object_array_add(members, m);
			json_object_array_add(values, json_object_new_string(*v));
		}
		json_object_object_add(o, "members", members);
		json_object_object_add(o, "values", values);
		json_object_array_add(sc->list, o);
		return buf;
	}
	case QMP_T_ARRAY: {
		char ebuf[32];
		const char *elem = a->elem ? type_of(sc, a->elem, ebuf, sizeof(ebuf)) :
					     builtin(sc, "any", "value");
		struct json_object *o;

		/* element names are short ("str", "12", "[3]"): never cut here */
		if (snprintf(buf, len, "[%s]", elem) >= (int)len)
			return builtin(sc, "any", "value");
		o = info_new(buf, "array");
		json_object_object_add(o, "element-type", json_object_new_string(elem));
		add_once(sc, buf, o);
		return buf;
	}
	case QMP_T_ANY:
	default:
		break;
	}
	return builtin(sc, "any", "value");
}

struct json_object *qmp_schema_build(const struct qmp_cmd *(*cmd)(size_t i, const void *arg),
				     const void *arg)
{
	struct schema sc = { .list = json_object_new_array(), .seen = json_object_new_object() };
	const struct qmp_cmd *c;
	char empty[32];

	/* "0": the empty argument object of every command that takes none */
	object_type(&sc, NULL, empty, sizeof(empty));
	for (size_t i = 0; (c = cmd(i, arg)); i++) {
		struct json_object *o = info_new(c->name, "command");
		char abuf[32];
		const char *at = c->args && c->args->name ?
				 object_type(&sc, c->args, abuf, sizeof(abuf)) : empty;

		json_object_object_add(o, "arg-type", json_object_new_string(at));
		json_object_object_add(o, "ret-type",
				       json_object_new_string(builtin(&sc, "any", "value")));
		json_object_array_add(sc.list, o);
	}
	json_object_put(sc.seen);
	return sc.list;
}
