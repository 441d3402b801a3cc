/* SPDX-License-Identifier: MIT */
/* cxl-emu configuration seen from outside: the JSON dump (x-cxl-topology),
 * the instance name and run directory, and help texts. */
#include "emu/config_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* ---- JSON ---- */

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static void put_memref(struct json_object *o, const char *k, const struct cfg_memdev *m)
{
	if (m)
		json_object_object_add(o, k, json_object_new_string(m->id));
}

/* QEMU's QOM path: /machine/peripheral/ID, or the anonymous name. */
static struct json_object *qom_path(const struct cfg_device *d)
{
	char buf[256];

	if (!d->id)
		return jstr(d->name);
	snprintf(buf, sizeof(buf), "/machine/peripheral/%s", d->id);
	return jstr(buf);
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct opts_prop *)a)->key, ((const struct opts_prop *)b)->key);
}

/* Every property as given (the last of a repeated one), by name: what the
 * model ignores shows here too. */
static struct json_object *props_json(const struct opts_prop *props, size_t n)
{
	struct opts_prop *sorted = malloc(n * sizeof(*sorted));
	struct json_object *o = json_object_new_object();

	if (!sorted)
		return o;
	memcpy(sorted, props, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), by_key);
	for (size_t i = 0; i < n; i++)
		json_object_object_add(o, sorted[i].key, jstr(opts_get(&(struct opts_item){
			.props = (struct opts_prop *)props, .n_props = n }, sorted[i].key)));
	free(sorted);
	return o;
}

static bool is_linked(const struct cfg_device *d)
{
	return d->kind == CFG_CXL_RP || d->kind == CFG_CXL_USP || d->kind == CFG_CXL_DSP ||
	       d->kind == CFG_CXL_TYPE3;
}

/* x-speed / x-width / x-256b-flit in effect. */
static struct json_object *link_json(const struct cfg_device *d)
{
	struct json_object *l = json_object_new_object();

	json_object_object_add(l, "x-speed", d->link.speed ?
				jstr(cfg_link_speeds[d->link.speed - 1]) : NULL);
	json_object_object_add(l, "x-width", d->link.width ?
				json_object_new_int(d->link.width) : NULL);
	json_object_object_add(l, "x-256b-flit", json_object_new_boolean(d->link.flit_256b));
	return l;
}

static struct json_object *device_json(const struct cfg_device *d)
{
	struct json_object *o = json_object_new_object();
	char addr[16];

	json_object_object_add(o, "id", jstr(d->name));
	json_object_object_add(o, "driver", jstr(d->driver));
	json_object_object_add(o, "kind", jstr(cfg_kind_name(d->kind)));
	if (d->devfn >= 0) {
		snprintf(addr, sizeof(addr), "%x.%x", (unsigned)d->devfn >> 3,
			 (unsigned)d->devfn & 7);
		json_object_object_add(o, "addr", jstr(addr));
		if (d->multifunction)
			json_object_object_add(o, "multifunction", json_object_new_boolean(1));
	}
	if (d->kind != CFG_PCI_ROOT && d->kind != CFG_I2C_MCTP)
		json_object_object_add(o, "qom-path", qom_path(d));
	if (d->n_props)
		json_object_object_add(o, "properties", props_json(d->props, d->n_props));
	if (is_linked(d))
		json_object_object_add(o, "link", link_json(d));
	switch (d->kind) {
	case CFG_PXB_CXL:
		json_object_object_add(o, "bus_nr", json_object_new_int(d->u.pxb.bus_nr));
		json_object_object_add(o, "hdm_for_passthrough",
				       json_object_new_boolean(d->u.pxb.hdm_for_passthrough));
		break;
	case CFG_CXL_RP:
	case CFG_CXL_DSP:
		json_object_object_add(o, "port", json_object_new_int(d->u.port.port));
		json_object_object_add(o, "chassis", json_object_new_int(d->u.port.chassis));
		json_object_object_add(o, "slot", json_object_new_int(d->u.port.slot));
		break;
	case CFG_CXL_USP:
		json_object_object_add(o, "port", json_object_new_int(d->u.usp.port));
		if (d->u.usp.has_sn)
			json_object_object_add(o, "sn", json_object_new_uint64(d->u.usp.sn));
		break;
	case CFG_SWITCH_CCI:
		json_object_object_add(o, "target", jstr(d->u.cci.target->name));
		break;
	case CFG_CXL_TYPE3:
		if (d->u.t3.has_sn)
			json_object_object_add(o, "sn", json_object_new_uint64(d->u.t3.sn));
		put_memref(o, "persistent-memdev", d->u.t3.persistent);
		put_memref(o, "volatile-memdev", d->u.t3.vmem);
		put_memref(o, "volatile-dc-memdev", d->u.t3.dc);
		put_memref(o, "lsa", d->u.t3.lsa);
		json_object_object_add(o, "num-dc-regions",
				       json_object_new_int(d->u.t3.num_dc_regions));
		json_object_object_add(o, "allow-fm-attach",
				       json_object_new_boolean(d->u.t3.allow_fm_attach));
		json_object_object_add(o, "mctp-buf-init",
				       json_object_new_boolean(d->u.t3.mctp_buf_init));
		json_object_object_add(o, "num-ld", json_object_new_int(d->u.t3.num_ld));
		json_object_object_add(o, "mctp-buf-name", jstr(d->u.t3.mctp_buf_name));
		json_object_object_add(o, "mctp-buf-slots",
				       json_object_new_int64(d->u.t3.mctp_buf_slots));
		json_object_object_add(o, "hdm-db", json_object_new_boolean(d->u.t3.hdm_db));
		json_object_object_add(o, "chmu-port", json_object_new_int(d->u.t3.chmu_port));
		break;
	case CFG_I2C_MCTP:
		json_object_object_add(o, "address", json_object_new_int(d->u.i2c.address));
		json_object_object_add(o, "target", jstr(d->u.i2c.target->name));
		json_object_object_add(o, "mctp-msg-forward",
				       json_object_new_boolean(d->u.i2c.forward));
		if (d->u.i2c.forward) {
			json_object_object_add(o, "qmp", jstr(d->u.i2c.qmp));
			json_object_object_add(o, "mctp-fwd", jstr(d->u.i2c.fwd_mode == CFG_FWD_SHM ?
								   "shm" : "inline"));
			json_object_object_add(o, "fwd-timeout",
					       json_object_new_int64(d->u.i2c.fwd_timeout_ms));
		}
		break;
	case CFG_PCI_ROOT:
	case CFG_PCI_FUNC:
		break;
	}
	if (d->n_children) {
		struct json_object *ch = json_object_new_array();

		for (size_t i = 0; i < d->n_children; i++)
			json_object_array_add(ch, device_json(d->children[i]));
		json_object_object_add(o, "children", ch);
	}
	return o;
}

struct json_object *cfg_to_json(const struct config *c)
{
	struct json_object *o = json_object_new_object(), *m = json_object_new_object();
	struct json_object *a;

	json_object_object_add(m, "type", jstr(c->machine.type));
	json_object_object_add(m, "cxl", json_object_new_boolean(c->machine.cxl));
	a = json_object_new_array();
	for (size_t i = 0; i < c->machine.n_fmws; i++) {
		const struct cfg_fmw *f = c->machine.fmws[i];
		struct json_object *w = json_object_new_object(), *t = json_object_new_array();

		for (size_t k = 0; k < f->n_targets; k++)
			json_object_array_add(t, jstr(f->targets[k]->name));
		json_object_object_add(w, "index", json_object_new_int((int)f->index));
		json_object_object_add(w, "targets", t);
		json_object_object_add(w, "size", json_object_new_uint64(f->size));
		json_object_object_add(w, "interleave-granularity",
				       json_object_new_uint64(f->granularity));
		json_object_array_add(a, w);
	}
	json_object_object_add(m, "cxl-fmw", a);
	json_object_object_add(o, "machine", m);
	if (c->name)
		json_object_object_add(o, "name", jstr(c->name));

	a = json_object_new_array();
	for (size_t i = 0; i < c->n_memdevs; i++) {
		const struct cfg_memdev *md = c->memdevs[i];
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "id", jstr(md->id));
		json_object_object_add(j, "qom-type", jstr(md->qom_type));
		if (md->mem_path)
			json_object_object_add(j, "mem-path", jstr(md->mem_path));
		json_object_object_add(j, "size", json_object_new_uint64(md->size));
		json_object_object_add(j, "share", json_object_new_boolean(md->share));
		if (md->user)
			json_object_object_add(j, "used-by", jstr(md->user->name));
		json_object_array_add(a, j);
	}
	json_object_object_add(o, "memdevs", a);
	json_object_object_add(o, "topology", device_json(c->root));

	a = json_object_new_array();
	for (size_t i = 0; i < c->n_i2c_buses; i++) {
		const struct cfg_i2c_bus *b = c->i2c_buses[i];
		struct json_object *j = json_object_new_object(), *e = json_object_new_array();

		for (size_t k = 0; k < b->n_eps; k++)
			json_object_array_add(e, device_json(b->eps[k]));
		json_object_object_add(j, "name", jstr(b->name));
		if (b->speed_hz)
			json_object_object_add(j, "i2c-speed", json_object_new_int64(b->speed_hz));
		json_object_object_add(j, "endpoints", e);
		json_object_array_add(a, j);
	}
	json_object_object_add(o, "i2c-buses", a);

	a = json_object_new_array();
	for (size_t i = 0; i < c->n_qmps; i++)
		json_object_array_add(a, jstr(c->qmps[i]->addr));
	json_object_object_add(o, "qmp", a);
	return o;
}

/* ---- -writeconfig ---- */

static bool chardev_of_monitor(const struct opts *o, const char *id)
{
	for (size_t i = 0; id && i < o->n; i++)
		if (!strcmp(o->items[i].opt, "mon") && opts_get(&o->items[i], "chardev") &&
		    !strcmp(opts_get(&o->items[i], "chardev"), id))
			return true;
	return false;
}

/* QEMU's config format has no quoting: a value cannot hold '"' or a newline. */
static int write_prop(FILE *f, const char *k, const char *v, const char *label, char *err,
		      size_t errlen)
{
	if (strpbrk(v, "\"\n") || strpbrk(k, " \t\n=")) {
		snprintf(err, errlen, "-writeconfig: %s: property '%s' cannot be written in "
			 "QEMU's config format", label, k);
		return -EINVAL;
	}
	fprintf(f, "  %s = \"%s\"\n", k, v);
	return 0;
}

static int write_section(FILE *f, const struct opts_item *it, char *err, size_t errlen)
{
	const char *id = opts_get(it, "id");
	char label[256];
	int rc;

	opts_describe(it, label, sizeof(label));
	if (id && strchr(id, '"'))
		return write_prop(f, "id", id, label, err, errlen);
	if (id)
		fprintf(f, "[%s \"%s\"]\n", it->opt, id);
	else
		fprintf(f, "[%s]\n", it->opt);
	for (size_t i = 0; i < it->n_props; i++) {
		if (!strcmp(it->props[i].key, "id"))
			continue;
		rc = write_prop(f, it->props[i].key, it->props[i].val, label, err, errlen);
		if (rc)
			return rc;
	}
	fputc('\n', f);
	return 0;
}

/*
 * The configuration as a QEMU config file for -readconfig: the CXL options
 * as given (devices, objects, machine, name, chardevs that are not QMP),
 * then each QMP monitor as a [chardev] with its [mon], which is how QEMU
 * writes -qmp. VM-only options have no place in it.
 */
int cfg_write_config(const struct config *c, const struct opts *o, FILE *f, char *err,
		     size_t errlen)
{
	static const char *const groups[] = { "object", "device", "machine", "name", "chardev" };
	int rc;

	fprintf(f, "# cxl-emu -writeconfig: read it back with -readconfig\n\n");
	for (size_t i = 0; i < o->n; i++) {
		const struct opts_item *it = &o->items[i];
		bool keep = false;

		if (it->kind != OPTS_PROPS)
			continue;
		for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
			keep |= !strcmp(it->opt, groups[g]);
		if (!keep || (!strcmp(it->opt, "chardev") &&
			      chardev_of_monitor(o, opts_get(it, "id"))))
			continue;
		rc = write_section(f, it, err, errlen);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < c->n_qmps; i++) {
		const struct cfg_qmp *q = c->qmps[i];

		fprintf(f, "[chardev \"qmp%zu\"]\n  backend = \"socket\"\n", i);
		if (q->kind == CFG_QMP_TCP)
			fprintf(f, "  host = \"%s\"\n  port = \"%s\"\n", q->host, q->port);
		else
			fprintf(f, "  path = \"%s\"\n", q->path);
		fprintf(f, "  server = \"on\"\n  wait = \"%s\"\n\n", q->wait ? "on" : "off");
		fprintf(f, "[mon]\n  chardev = \"qmp%zu\"\n  mode = \"control\"\n%s\n", i,
			q->pretty ? "  pretty = \"on\"\n" : "");
	}
	return ferror(f) ? -EIO : 0;
}

/* ---- instance name and run directory ---- */

static void sanitize(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; *in && n + 1 < len; in++) {
		char ch = *in;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';

		if (!ok)
			ch = '-';
		if (ch == '-' && (n == 0 || out[n - 1] == '-'))
			continue;
		out[n++] = ch;
	}
	while (n && out[n - 1] == '-')
		n--;
	out[n] = '\0';
}

void cfg_instance_name(const struct config *c, long pid, char *buf, size_t len)
{
	char raw[512] = "";

	if (len > 65)
		len = 65; /* one path component, short enough for sun_path */
	if (c && c->name) {
		snprintf(raw, sizeof(raw), "%s", c->name);
	} else if (c && c->n_qmps) {
		const struct cfg_qmp *q = c->qmps[0];

		/* an ephemeral port names nothing: two such instances would share it */
		if (q->kind == CFG_QMP_UNIX)
			snprintf(raw, sizeof(raw), "unix-%s", q->path);
		else if (strcmp(q->port, "0"))
			snprintf(raw, sizeof(raw), "tcp-%s-%s", *q->host ? q->host : "any", q->port);
	}
	sanitize(raw, buf, len);
	if (!*buf || !strcmp(buf, ".") || !strcmp(buf, ".."))
		snprintf(buf, len, "pid-%ld", pid);
}

int cfg_default_run_dir(const struct config *c, const char *xdg, unsigned uid, long pid,
			char *buf, size_t len)
{
	char name[80];
	int n;

	cfg_instance_name(c, pid, name, sizeof(name));
	if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/cxl-emu/%s", xdg, name);
	else
		n = snprintf(buf, len, "/tmp/cxl-emu-%u/%s", uid, name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* ---- help ---- */

static void print_props(FILE *f, const char *what, const struct pdef *t)
{
	fprintf(f, "%s options:\n", what);
	for (; t->name; t++)
		fprintf(f, "  %-24s <%s>%s%s%s\n", t->name, cfg_ptype_name(t->type),
			t->required ? " (required)" : "", t->doc ? " - " : "", t->doc ? t->doc : "");
}

void cfg_print_supported(FILE *f)
{
	fprintf(f, "Devices (-device DRIVER,help lists the properties):\n");
	for (size_t i = 0; i < cfg_n_drivers; i++)
		fprintf(f, "  %-24s %s\n", cfg_drivers[i].name, cfg_drivers[i].doc);
	fprintf(f, "  %-24s %s\n", "any other PCI device",
		"kept as a non-CXL function when its bus= is a CXL port, else ignored");
	fprintf(f, "Objects (-object TYPE,help lists the properties):\n");
	for (size_t i = 0; i < cfg_n_backends; i++)
		fprintf(f, "  %-24s %s\n", cfg_backends[i].name, cfg_backends[i].doc);
}

int cfg_print_help(const struct opts_item *it, FILE *f)
{
	const char *what;

	if (!it->help)
		return 0;
	if (!strcmp(it->opt, "device") || !strcmp(it->opt, "object")) {
		bool dev = it->opt[0] == 'd';

		what = opts_get(it, dev ? "driver" : "qom-type");
		if (what && strcmp(what, "help") && strcmp(what, "?")) {
			if (dev && cfg_find_driver(what)) {
				print_props(f, what, cfg_find_driver(what)->props);
				return 1;
			}
			for (size_t i = 0; !dev && i < cfg_n_backends; i++) {
				if (!strcmp(cfg_backends[i].name, what)) {
					print_props(f, what, cfg_backends[i].props);
					return 1;
				}
			}
			fprintf(f, "'%s' is not emulated by cxl-emu (ignored when given)\n", what);
			return 1;
		}
		cfg_print_supported(f);
		return 1;
	}
	if (!strcmp(it->opt, "machine")) {
		fprintf(f, "-machine options used by cxl-emu (others are ignored):\n"
			"  type                     q35 (default)\n"
			"  cxl                      <bool> - on for CXL host bridges\n"
			"  cxl-fmw.N.targets.M      <str> - pxb-cxl id of window N, target M\n"
			"  cxl-fmw.N.size           <size> - window size, multiple of 256 MiB\n"
			"  cxl-fmw.N.interleave-granularity <size> - 256 to 16k, power of 2\n");
		return 1;
	}
	return 0;
}
