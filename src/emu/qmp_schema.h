/* SPDX-License-Identifier: MIT */
/*
 * query-qmp-schema: the commands a QMP server has, described in QEMU's
 * SchemaInfo form (qapi/introspect.json), generated from the same command
 * tables that check the arguments, so the two cannot disagree.
 */
#ifndef CXLFM_EMU_QMP_SCHEMA_H
#define CXLFM_EMU_QMP_SCHEMA_H

#include <stddef.h>

struct json_object;
struct qmp_cmd;

/* cmd(i, arg) returns the i-th command, NULL past the end. A new array. */
struct json_object *qmp_schema_build(const struct qmp_cmd *(*cmd)(size_t i, const void *arg),
				     const void *arg);

#endif
