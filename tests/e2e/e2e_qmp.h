/* SPDX-License-Identifier: MIT */
/*
 * QMP checks for the cmocka e2e tests: a command's reply, its return value,
 * or the error it must give. Each fails the running test when the reply is
 * not what it should be. Include after <cmocka.h>.
 */
#ifndef E2E_QMP_H
#define E2E_QMP_H

#include <string.h>

#include <json-c/json.h>

#include "e2e.h"

/* cmd with args as JSON text (NULL: none): the whole reply. */
static inline struct json_object *e2e_qmp_run(int fd, const char *cmd, const char *json)
{
	struct json_object *r = qmp_exec_json(fd, cmd, json);

	if (!r)
		fail_msg("%s %s: no reply", cmd, json ? json : "");
	return r;
}

/* cmd succeeds: its return value (the caller puts it). */
static inline struct json_object *e2e_qmp_ok(int fd, const char *cmd, const char *json)
{
	struct json_object *r = e2e_qmp_run(fd, cmd, json), *ret;

	if (!json_object_object_get_ex(r, "return", &ret))
		fail_msg("%s %s: %s", cmd, json ? json : "", json_object_to_json_string(r));
	json_object_get(ret);
	json_object_put(r);
	return ret;
}

/* cmd fails with error class cls and a description that contains text. */
static inline void e2e_qmp_refused(int fd, const char *cmd, const char *json, const char *cls,
				   const char *text)
{
	struct json_object *r = e2e_qmp_run(fd, cmd, json), *e, *v;
	const char *desc;

	assert_true(text[0]); /* "" would match any description */
	if (!json_object_object_get_ex(r, "error", &e))
		fail_msg("%s %s: expected an error, got %s", cmd, json ? json : "",
			 json_object_to_json_string(r));
	assert_true(json_object_object_get_ex(e, "class", &v));
	assert_string_equal(json_object_get_string(v), cls);
	desc = json_object_object_get_ex(e, "desc", &v) ? json_object_get_string(v) : "";
	if (!strstr(desc, text))
		fail_msg("%s: desc '%s' lacks '%s'", cmd, desc, text);
	json_object_put(r);
}

#endif
