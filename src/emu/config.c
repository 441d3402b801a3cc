/* SPDX-License-Identifier: MIT */
/* cxl-emu configuration: the building context, its errors, warnings and
 * notes, lookups, and config_build() over the whole command line. */
#include "emu/config_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

void cfg_set_item(struct ctx *x, const struct opts_item *it)
{
	x->it = it;
	opts_describe(it, x->label, sizeof(x->label));
}

int cfg_err(struct ctx *x, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->it)
		snprintf(x->err, x->errlen, "%s: %s", x->label, msg);
	else
		snprintf(x->err, x->errlen, "%s", msg);
	return -EINVAL;
}

int cfg_push(void *arrp, size_t *n, void *elem)
{
	void ***arr = arrp;
	void **a = realloc(*arr, (*n + 1) * sizeof(void *));

	if (!a)
		return -ENOMEM;
	a[(*n)++] = elem;
	*arr = a;
	return 0;
}

/*
 * Warnings and notes are collected while options are visited in dependency
 * order (objects first); each remembers its argv index so they can be
 * printed in command-line order.
 */
__attribute__((format(printf, 5, 0)))
static int add_line(char ***lines, size_t *n, int **pos, int argi, const char *fmt,
		    va_list ap)
{
	char buf[512], *s;
	int *p;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	p = realloc(*pos, (*n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	*pos = p;
	p[*n] = argi;
	s = strdup(buf);
	if (!s || cfg_push(lines, n, s)) {
		free(s);
		return -ENOMEM;
	}
	return 0;
}

int cfg_warn(struct ctx *x, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = add_line(&x->c->warnings, &x->c->n_warnings, &x->warn_pos,
		      x->it ? x->it->argi : x->pos, fmt, ap);
	va_end(ap);
	return rc;
}

int cfg_note(struct ctx *x, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = add_line(&x->c->notes, &x->c->n_notes, &x->note_pos,
		      x->it ? x->it->argi : x->pos, fmt, ap);
	va_end(ap);
	return rc;
}

/* Stable insertion sort of lines by argv index. */
static void sort_lines(char **lines, int *pos, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		char *l = lines[i];
		int p = pos[i];
		size_t j = i;

		for (; j > 0 && pos[j - 1] > p; j--) {
			lines[j] = lines[j - 1];
			pos[j] = pos[j - 1];
		}
		lines[j] = l;
		pos[j] = p;
	}
}

/* ---- lookups ---- */

struct cfg_device *cfg_find_device(const struct config *c, const char *id)
{
	if (!id)
		return NULL;
	if (c->root && !strcmp(id, c->root->name))
		return c->root;
	for (size_t i = 0; i < c->n_devices; i++)
		if (c->devices[i]->id && !strcmp(c->devices[i]->id, id))
			return c->devices[i];
	return NULL;
}

struct cfg_memdev *cfg_find_memdev(const struct config *c, const char *id)
{
	for (size_t i = 0; id && i < c->n_memdevs; i++)
		if (!strcmp(c->memdevs[i]->id, id))
			return c->memdevs[i];
	return NULL;
}

struct cfg_i2c_bus *cfg_find_i2c_bus(const struct config *c, const char *name)
{
	for (size_t i = 0; name && i < c->n_i2c_buses; i++)
		if (!strcmp(c->i2c_buses[i]->name, name))
			return c->i2c_buses[i];
	return NULL;
}

const char *cfg_kind_name(enum cfg_dev_kind k)
{
	switch (k) {
	case CFG_PCI_ROOT: return "pci-root";
	case CFG_PXB_CXL: return "pxb-cxl";
	case CFG_CXL_RP: return "cxl-rp";
	case CFG_CXL_USP: return "cxl-upstream";
	case CFG_CXL_DSP: return "cxl-downstream";
	case CFG_SWITCH_CCI: return "cxl-switch-mailbox-cci";
	case CFG_CXL_TYPE3: return "cxl-type3";
	case CFG_PCI_FUNC: return "pci-function";
	case CFG_I2C_MCTP: return "i2c_mctp_cxl";
	}
	return "?";
}

/* Which -device (argv index) defines id, for "defined later" hints. */
int cfg_later_definition(const struct ctx *x, const char *id)
{
	for (size_t i = 0; x->o && i < x->o->n; i++) {
		const struct opts_item *it = &x->o->items[i];
		const char *v;

		if (it->argi <= x->it->argi || strcmp(it->opt, "device"))
			continue;
		v = opts_get(it, "id");
		if (v && !strcmp(v, id))
			return it->argi;
	}
	return 0;
}

/* ---- the whole command line ---- */

static void free_lines(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_memdevs; i++)
		cfg_memdev_free(c->memdevs[i]);
	free(c->memdevs);
	for (size_t i = 0; i < c->n_devices; i++)
		cfg_device_free(c->devices[i]);
	free(c->devices);
	cfg_device_free(c->root);
	for (size_t i = 0; i < c->n_i2c_buses; i++) {
		free(c->i2c_buses[i]->name);
		free(c->i2c_buses[i]->eps);
		free(c->i2c_buses[i]);
	}
	free(c->i2c_buses);
	for (size_t i = 0; i < c->n_qmps; i++)
		cfg_qmp_free(c->qmps[i]);
	free(c->qmps);
	for (size_t i = 0; i < c->machine.n_fmws; i++)
		cfg_fmw_free(c->machine.fmws[i]);
	free(c->machine.fmws);
	free(c->machine.type);
	free(c->name);
	free_lines(c->warnings, c->n_warnings);
	free_lines(c->notes, c->n_notes);
	free(c);
}

static int build_vm_option(struct ctx *x, const struct opts_item *it)
{
	char where[340] = "";

	if (it->src)
		snprintf(where, sizeof(where), " (%s)", it->src);
	if (it->arg)
		return cfg_warn(x, "%s %s%s: ignored (VM-only option)", it->given, it->arg, where);
	return cfg_warn(x, "%s%s: ignored (VM-only option)", it->given, where);
}

static int build_name(struct ctx *x, const struct opts_item *it)
{
	const char *g = opts_get(it, "guest");

	cfg_set_item(x, it);
	if (!g || !*g)
		return cfg_err(x, "missing required property 'guest'");
	free(x->c->name);
	x->c->name = strdup(g);
	if (!x->c->name)
		return -ENOMEM;
	return cfg_note(x, "-name %s: names the run directory (the VM name itself is ignored)", g);
}

static bool has_cxl_device(const struct config *c)
{
	for (size_t i = 0; i < c->n_devices; i++)
		if (c->devices[i]->kind != CFG_PCI_FUNC)
			return true;
	return false;
}

static int build_all(struct ctx *x)
{
	const struct opts *o = x->o;
	struct fmw_tmp fmw[FMW_MAX];
	int rc;

	memset(fmw, 0, sizeof(fmw));
	x->chardevs = calloc(o->n + 1, sizeof(*x->chardevs));
	x->chardev_used = calloc(o->n + 1, sizeof(*x->chardev_used));
	if (!x->chardevs || !x->chardev_used)
		return -ENOMEM;

	/* objects first: QEMU creates them before devices */
	for (size_t i = 0; i < o->n; i++) {
		if (!strcmp(o->items[i].opt, "object")) {
			rc = cfg_build_object(x, &o->items[i]);
			if (rc)
				return rc;
		} else if (!strcmp(o->items[i].opt, "chardev")) {
			const struct opts_item *it = &o->items[i];

			cfg_set_item(x, it);
			if (!opts_get(it, "id"))
				return cfg_err(x, "missing required property 'id'");
			for (size_t k = 0; k < x->n_chardevs; k++)
				if (!strcmp(opts_get(x->chardevs[k], "id"), opts_get(it, "id")))
					return cfg_err(x, "duplicate id '%s' (another -chardev has it)",
						       opts_get(it, "id"));
			x->chardevs[x->n_chardevs++] = it;
		}
	}
	rc = cfg_build_machine(x, fmw);
	if (rc)
		return rc;
	for (size_t i = 0; i < o->n; i++) {
		const struct opts_item *it = &o->items[i];

		x->it = NULL;
		if (it->kind == OPTS_VM)
			rc = build_vm_option(x, it);
		else if (!strcmp(it->opt, "device"))
			rc = cfg_build_device(x, it);
		else if (!strcmp(it->opt, "qmp"))
			rc = cfg_build_qmp(x, it);
		else if (!strcmp(it->opt, "mon"))
			rc = cfg_build_mon(x, it);
		else if (!strcmp(it->opt, "name"))
			rc = build_name(x, it);
		else
			rc = 0;
		if (rc)
			return rc;
	}
	for (size_t k = 0; k < x->n_chardevs; k++) {
		if (x->chardev_used[k])
			continue;
		cfg_set_item(x, x->chardevs[k]);
		rc = cfg_warn(x, "-chardev %s: ignored (not a QMP monitor; only the VM would use it)",
			      x->chardevs[k]->arg);
		if (rc)
			return rc;
	}
	rc = cfg_resolve_fmws(x, fmw);
	if (rc)
		return rc;
	rc = cfg_check_multifunction(x, x->c->root);
	if (rc)
		return rc;
	x->it = NULL;
	/* A line about something else is a mistake; an empty CXL machine (QEMU's
	 * qtest basic_hostbridge) is what it says, so it starts, with a word. */
	if (!has_cxl_device(x->c) && !x->c->machine.cxl)
		return cfg_err(x, "no CXL device on the command line: cxl-emu emulates the CXL "
			       "topology (pxb-cxl, cxl-rp, cxl-upstream, cxl-type3, i2c_mctp_cxl, "
			       "...) and nothing else; see --help");
	if (!has_cxl_device(x->c) && (rc = cfg_warn(x, "-machine cxl=on: no CXL device on the "
						   "command line: only QMP runs")))
		return rc;
	if (!x->c->machine.cxl && x->c->root->n_children)
		return cfg_err(x, "-machine: CXL devices need cxl=on (e.g. -machine q35,cxl=on)");
	if (x->c->machine.n_fmws && !x->c->machine.cxl)
		return cfg_err(x, "-machine: cxl-fmw.* needs cxl=on");
	/* RFC forwarding names a CCI "<sn>:oob_mctp_cci": equal sns collide */
	for (size_t i = 0; i < x->c->n_devices; i++) {
		const struct cfg_device *a = x->c->devices[i];

		if (a->kind != CFG_CXL_TYPE3 || !a->u.t3.has_sn)
			continue;
		for (size_t j = i + 1; j < x->c->n_devices; j++) {
			const struct cfg_device *b = x->c->devices[j];

			if (b->kind == CFG_CXL_TYPE3 && b->u.t3.has_sn && b->u.t3.sn == a->u.t3.sn) {
				x->it = NULL;
				x->pos = b->argi;
				rc = cfg_warn(x, "-device cxl-type3,id=%s: sn=%llu is also the serial "
					      "number of '%s'; their forwarding CCI names collide",
					      b->name, (unsigned long long)b->u.t3.sn, a->name);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

/* ---- hot-plug ---- */

static void pop_memdev(struct config *c, size_t n)
{
	while (c->n_memdevs > n)
		cfg_memdev_free(c->memdevs[--c->n_memdevs]);
}

/* Warnings a hot-plug adds go to the log: there is no start-up to print them. */
static void hotplug_done(struct ctx *x, size_t nw, size_t nn)
{
	for (size_t i = nw; i < x->c->n_warnings; i++)
		log_warn("%s", x->c->warnings[i]);
	for (size_t i = nn; i < x->c->n_notes; i++)
		log_info("%s", x->c->notes[i]);
	free(x->warn_pos);
	free(x->note_pos);
}

int cfg_object_add(struct config *c, const struct opts_item *it, char *err, size_t errlen)
{
	struct ctx x = { .c = c, .err = err, .errlen = errlen };
	const char *type = opts_get(it, "qom-type");
	size_t n = c->n_memdevs, nw = c->n_warnings, nn = c->n_notes;
	int rc = 0;

	cfg_set_item(&x, it);
	if (!type || !cfg_find_backend(type))
		rc = cfg_err(&x, "'%s' is not a memory backend (%s)", type ? type : "?",
			     "only memory-backend-file, -ram and -memfd can be added");
	if (!rc)
		rc = cfg_build_object(&x, it);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (rc)
		pop_memdev(c, n);
	hotplug_done(&x, nw, nn);
	return rc;
}

int cfg_object_del(struct config *c, const char *id, char *err, size_t errlen)
{
	struct cfg_memdev *m = cfg_find_memdev(c, id);
	size_t i = 0;

	if (!m) {
		snprintf(err, errlen, "object '%s' not found", id);
		return -ENOENT;
	}
	/* QEMU user_creatable_del() */
	if (m->user) {
		snprintf(err, errlen, "object '%s' is in use, can not be deleted (by '%s')", id,
			 m->user->name);
		return -EBUSY;
	}
	while (c->memdevs[i] != m)
		i++;
	memmove(&c->memdevs[i], &c->memdevs[i + 1], (c->n_memdevs - i - 1) * sizeof(m));
	c->n_memdevs--;
	cfg_memdev_free(m);
	return 0;
}

static void remove_ptr(void **arr, size_t *n, const void *p)
{
	for (size_t i = 0; i < *n; i++) {
		if (arr[i] == p) {
			memmove(&arr[i], &arr[i + 1], (*n - i - 1) * sizeof(*arr));
			(*n)--;
			return;
		}
	}
}

void cfg_device_del(struct config *c, struct cfg_device *d)
{
	if (d->parent)
		remove_ptr((void **)d->parent->children, &d->parent->n_children, d);
	remove_ptr((void **)c->devices, &c->n_devices, d);
	for (size_t i = 0; i < c->n_memdevs; i++)
		if (c->memdevs[i]->user == d)
			c->memdevs[i]->user = NULL;
	cfg_device_free(d);
}

int cfg_device_add(struct config *c, const struct opts_item *it, struct cfg_device **out,
		   char *err, size_t errlen)
{
	struct ctx x = { .c = c, .err = err, .errlen = errlen };
	const char *driver = opts_get(it, "driver");
	size_t n = c->n_devices, nw = c->n_warnings, nn = c->n_notes;
	int rc;

	cfg_set_item(&x, it);
	*out = NULL;
	/* what QEMU's PCIe hot-plug can take here: a device below a port */
	if (!driver || strcmp(driver, "cxl-type3"))
		rc = cfg_err(&x, "'%s' cannot be hot-plugged: cxl-emu hot-plugs cxl-type3 below "
			     "a free cxl-rp or cxl-downstream", driver ? driver : "?");
	else
		rc = cfg_build_device(&x, it);
	if (!rc)
		rc = cfg_check_multifunction(&x, c->devices[n]->parent);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (rc && c->n_devices > n)
		cfg_device_del(c, c->devices[n]);
	if (!rc) {
		c->devices[n]->hotplugged = true;
		*out = c->devices[n];
	}
	hotplug_done(&x, nw, nn);
	return rc;
}

struct cfg_device *cfg_find_qom(const struct config *c, const char *path)
{
	static const char prefix[] = "/machine/peripheral/";

	if (!path)
		return NULL;
	if (!strncmp(path, prefix, sizeof(prefix) - 1))
		return cfg_find_device(c, path + sizeof(prefix) - 1);
	if (path[0] == '/') {
		for (size_t i = 0; i < c->n_devices; i++)
			if (!c->devices[i]->id && !strcmp(c->devices[i]->name, path))
				return c->devices[i];
		return NULL;
	}
	return cfg_find_device(c, path);
}

int config_build(const struct opts *o, struct config **out, char *err, size_t errlen)
{
	struct ctx x = { .o = o, .err = err, .errlen = errlen };
	int rc;

	*out = NULL;
	x.c = calloc(1, sizeof(*x.c));
	if (!x.c)
		return -ENOMEM;
	x.c->root = calloc(1, sizeof(*x.c->root));
	if (!x.c->root) {
		free(x.c);
		return -ENOMEM;
	}
	x.c->root->kind = CFG_PCI_ROOT;
	x.c->root->devfn = -1;
	x.c->root->name = strdup("pcie.0");
	x.c->root->id = strdup("pcie.0");
	x.c->root->driver = strdup("pcie-host");
	if (!x.c->root->name || !x.c->root->id || !x.c->root->driver)
		rc = -ENOMEM;
	else
		rc = build_all(&x);
	if (!rc) {
		sort_lines(x.c->warnings, x.warn_pos, x.c->n_warnings);
		sort_lines(x.c->notes, x.note_pos, x.c->n_notes);
	}
	free(x.warn_pos);
	free(x.note_pos);
	free(x.chardevs);
	free(x.chardev_used);
	if (rc) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		config_free(x.c);
		return rc;
	}
	*out = x.c;
	return 0;
}
