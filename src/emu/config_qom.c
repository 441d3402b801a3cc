/* SPDX-License-Identifier: MIT */
/*
 * cxl-emu configuration as QEMU's QOM tree shows it to qom-list / qom-get:
 * /machine/peripheral/ID and /machine/peripheral-anon/device[N] for
 * devices, /objects/ID for memory backends. A device or backend lists its
 * type's properties; qom-get reads "type" and the properties it was built
 * with (a link property, memdev=ID, reads as the object's path, as QEMU's).
 */
#include "emu/config_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define OBJECTS "/objects"
#define PERIPHERAL "/machine/peripheral"
#define ANON "/machine/peripheral-anon"

/* The memory backends a cxl-type3 links to. */
static bool is_link(const char *key)
{
	static const char *const links[] = { "memdev", "persistent-memdev", "volatile-memdev",
					     "volatile-dc-memdev", "lsa" };

	for (size_t i = 0; i < CFG_N(links); i++)
		if (!strcmp(key, links[i]))
			return true;
	return false;
}

/* One qom-list entry; the type is "kind<what>" when kind is given. */
static void add_entry(struct json_object *a, const char *name, const char *kind,
		      const char *what)
{
	struct json_object *o = json_object_new_object();
	char type[160];

	if (kind)
		snprintf(type, sizeof(type), "%s<%s>", kind, what);
	else
		snprintf(type, sizeof(type), "%s", what);
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_array_add(a, o);
}

static void list_props(struct json_object *a, const struct pdef *t)
{
	add_entry(a, "type", NULL, "string");
	for (; t->name; t++) {
		if (!strcmp(t->name, "id"))
			continue;
		if (is_link(t->name))
			add_entry(a, t->name, "link", "memory-backend");
		else
			add_entry(a, t->name, NULL, cfg_ptype_name(t->type));
	}
}

/* A backend by "/objects/ID". */
static struct cfg_memdev *find_object(const struct config *c, const char *path)
{
	size_t n = strlen(OBJECTS);

	if (strncmp(path, OBJECTS "/", n + 1))
		return NULL;
	return cfg_find_memdev(c, path + n + 1);
}

int cfg_qom_list(const struct config *c, const char *path, struct json_object **out,
		 char *err, size_t errlen)
{
	struct json_object *a = json_object_new_array();
	const struct cfg_device *d;
	const struct cfg_memdev *m;

	*out = a;
	if (!strcmp(path, "/")) {
		add_entry(a, "machine", "child", "container");
		add_entry(a, "objects", "child", "container");
	} else if (!strcmp(path, "/machine")) {
		add_entry(a, "peripheral", "child", "container");
		add_entry(a, "peripheral-anon", "child", "container");
	} else if (!strcmp(path, PERIPHERAL) || !strcmp(path, ANON)) {
		bool anon = !strcmp(path, ANON);

		for (size_t i = 0; i < c->n_devices; i++) {
			d = c->devices[i];
			if (!d->id == anon)
				add_entry(a, anon ? d->name + strlen(ANON "/") : d->id, "child",
					  d->driver);
		}
	} else if (!strcmp(path, OBJECTS)) {
		for (size_t i = 0; i < c->n_memdevs; i++)
			add_entry(a, c->memdevs[i]->id, "child", c->memdevs[i]->qom_type);
	} else if ((m = find_object(c, path))) {
		list_props(a, cfg_find_backend(m->qom_type)->props);
	} else if ((d = cfg_find_qom(c, path)) && d->kind != CFG_PCI_ROOT) {
		const struct drvdef *dd = cfg_find_driver(d->driver);

		if (dd)
			list_props(a, dd->props);
		else
			add_entry(a, "type", NULL, "string");
	} else {
		json_object_put(a);
		*out = NULL;
		snprintf(err, errlen, "Device '%s' not found", path);
		return -ENOENT;
	}
	return 0;
}

/* A given value as its QOM type. */
static struct json_object *typed(const struct pdef *p, const char *key, const char *val)
{
	char path[300];
	uint64_t u;
	bool b;

	if (is_link(key)) {
		snprintf(path, sizeof(path), OBJECTS "/%s", val);
		return json_object_new_string(path);
	}
	switch (p ? p->type : P_STR) {
	case P_BOOL:
		if (!opts_parse_bool(val, &b))
			return json_object_new_boolean(b);
		break;
	case P_U8: case P_U16: case P_U32: case P_U64:
		if (!opts_parse_u64(val, &u))
			return json_object_new_uint64(u);
		break;
	case P_SIZE:
		if (!opts_parse_size(val, &u))
			return json_object_new_uint64(u);
		break;
	default:
		break;
	}
	return json_object_new_string(val);
}

static int get_prop(const struct opts_prop *props, size_t n, const struct pdef *table,
		    const char *type, const char *path, const char *prop,
		    struct json_object **out, char *err, size_t errlen)
{
	const struct pdef *p = table ? cfg_find_pdef(table, prop) : NULL;

	if (!strcmp(prop, "type")) {
		*out = json_object_new_string(type);
		return 0;
	}
	for (size_t i = n; i-- > 0;) {
		if (!strcmp(props[i].key, prop)) {
			*out = typed(p, prop, props[i].val);
			return 0;
		}
	}
	if (!p || !strcmp(prop, "id")) {
		snprintf(err, errlen, "Property '%s.%s' not found", type, prop);
		return -ENOENT;
	}
	snprintf(err, errlen, "Property '%s' of %s was not given: qom-get reports the "
		 "properties a device was built with", prop, path);
	return -ENODATA;
}

int cfg_qom_get(const struct config *c, const char *path, const char *prop,
		struct json_object **out, char *err, size_t errlen)
{
	const struct cfg_device *d;
	const struct cfg_memdev *m;

	*out = NULL;
	if ((m = find_object(c, path)))
		return get_prop(m->props, m->n_props, cfg_find_backend(m->qom_type)->props,
				m->qom_type, path, prop, out, err, errlen);
	d = cfg_find_qom(c, path);
	if (!d || d->kind == CFG_PCI_ROOT) {
		snprintf(err, errlen, "Device '%s' not found", path);
		return -ENOENT;
	}
	return get_prop(d->props, d->n_props,
			cfg_find_driver(d->driver) ? cfg_find_driver(d->driver)->props : NULL,
			d->driver, path, prop, out, err, errlen);
}
