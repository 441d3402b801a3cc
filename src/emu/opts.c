/* SPDX-License-Identifier: MIT */
#include "emu/opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util/log.h"

/*
 * Every QEMU system-emulator option (qemu-options.hx, QEMU 9.x, plus a few
 * older spellings still found in scripts) with whether it takes an argument.
 * The arity matters even for ignored options: `-m 4G` must not make "4G"
 * look like a stray argument.
 */
struct opt_def {
	const char *name;
	bool has_arg;
	enum opts_kind kind;
	const char *implied; /* implied first key for property options */
	const char *canon;   /* alias target */
};

static const struct opt_def opt_defs[] = {
	/* options cxl-emu understands */
	{ "object", true, OPTS_PROPS, "qom-type", NULL },
	{ "device", true, OPTS_PROPS, "driver", NULL },
	{ "machine", true, OPTS_PROPS, "type", NULL },
	{ "M", true, OPTS_PROPS, "type", "machine" },
	{ "qmp", true, OPTS_PROPS, "addr", NULL },
	{ "qmp-pretty", true, OPTS_PROPS, "addr", "qmp" },
	{ "chardev", true, OPTS_PROPS, "backend", NULL },
	{ "mon", true, OPTS_PROPS, "chardev", NULL },
	{ "name", true, OPTS_PROPS, "guest", NULL },
	/* VM-only options with an argument */
	{ "accel", true, OPTS_VM, NULL, NULL },
	{ "acpitable", true, OPTS_VM, NULL, NULL },
	{ "action", true, OPTS_VM, NULL, NULL },
	{ "add-fd", true, OPTS_VM, NULL, NULL },
	{ "append", true, OPTS_VM, NULL, NULL },
	{ "audio", true, OPTS_VM, NULL, NULL },
	{ "audiodev", true, OPTS_VM, NULL, NULL },
	{ "bios", true, OPTS_VM, NULL, NULL },
	{ "blockdev", true, OPTS_VM, NULL, NULL },
	{ "boot", true, OPTS_VM, NULL, NULL },
	{ "cdrom", true, OPTS_VM, NULL, NULL },
	{ "chroot", true, OPTS_VM, NULL, NULL },
	{ "clock", true, OPTS_VM, NULL, NULL },
	{ "compat", true, OPTS_VM, NULL, NULL },
	{ "cpu", true, OPTS_VM, NULL, NULL },
	{ "d", true, OPTS_VM, NULL, NULL },
	{ "D", true, OPTS_VM, NULL, NULL },
	{ "debugcon", true, OPTS_VM, NULL, NULL },
	{ "dfilter", true, OPTS_VM, NULL, NULL },
	{ "display", true, OPTS_VM, NULL, NULL },
	{ "drive", true, OPTS_VM, NULL, NULL },
	{ "dtb", true, OPTS_VM, NULL, NULL },
	{ "echr", true, OPTS_VM, NULL, NULL },
	{ "fda", true, OPTS_VM, NULL, NULL },
	{ "fdb", true, OPTS_VM, NULL, NULL },
	{ "fsdev", true, OPTS_VM, NULL, NULL },
	{ "fw_cfg", true, OPTS_VM, NULL, NULL },
	{ "g", true, OPTS_VM, NULL, NULL },
	{ "gdb", true, OPTS_VM, NULL, NULL },
	{ "global", true, OPTS_VM, NULL, NULL },
	{ "hda", true, OPTS_VM, NULL, NULL },
	{ "hdb", true, OPTS_VM, NULL, NULL },
	{ "hdc", true, OPTS_VM, NULL, NULL },
	{ "hdd", true, OPTS_VM, NULL, NULL },
	{ "icount", true, OPTS_VM, NULL, NULL },
	{ "incoming", true, OPTS_VM, NULL, NULL },
	{ "initrd", true, OPTS_VM, NULL, NULL },
	{ "iscsi", true, OPTS_VM, NULL, NULL },
	{ "k", true, OPTS_VM, NULL, NULL },
	{ "kernel", true, OPTS_VM, NULL, NULL },
	{ "L", true, OPTS_VM, NULL, NULL },
	{ "loadvm", true, OPTS_VM, NULL, NULL },
	{ "m", true, OPTS_VM, NULL, NULL },
	{ "mem-path", true, OPTS_VM, NULL, NULL },
	{ "monitor", true, OPTS_VM, NULL, NULL },
	{ "msg", true, OPTS_VM, NULL, NULL },
	{ "mtdblock", true, OPTS_VM, NULL, NULL },
	{ "net", true, OPTS_VM, NULL, NULL },
	{ "netdev", true, OPTS_VM, NULL, NULL },
	{ "nic", true, OPTS_VM, NULL, NULL },
	{ "numa", true, OPTS_VM, NULL, NULL },
	{ "option-rom", true, OPTS_VM, NULL, NULL },
	{ "overcommit", true, OPTS_VM, NULL, NULL },
	{ "parallel", true, OPTS_VM, NULL, NULL },
	{ "pflash", true, OPTS_VM, NULL, NULL },
	{ "plugin", true, OPTS_VM, NULL, NULL },
	{ "prom-env", true, OPTS_VM, NULL, NULL },
	{ "qtest", true, OPTS_VM, NULL, NULL },
	{ "qtest-log", true, OPTS_VM, NULL, NULL },
	{ "realtime", true, OPTS_VM, NULL, NULL },
	{ "rotate", true, OPTS_VM, NULL, NULL },
	{ "rtc", true, OPTS_VM, NULL, NULL },
	{ "run-with", true, OPTS_VM, NULL, NULL },
	{ "runas", true, OPTS_VM, NULL, NULL },
	{ "sandbox", true, OPTS_VM, NULL, NULL },
	{ "sd", true, OPTS_VM, NULL, NULL },
	{ "seed", true, OPTS_VM, NULL, NULL },
	{ "semihosting-config", true, OPTS_VM, NULL, NULL },
	{ "serial", true, OPTS_VM, NULL, NULL },
	{ "set", true, OPTS_VM, NULL, NULL },
	{ "shim", true, OPTS_VM, NULL, NULL },
	{ "smbios", true, OPTS_VM, NULL, NULL },
	{ "smp", true, OPTS_VM, NULL, NULL },
	{ "soundhw", true, OPTS_VM, NULL, NULL },
	{ "spice", true, OPTS_VM, NULL, NULL },
	{ "tb-size", true, OPTS_VM, NULL, NULL },
	{ "tpmdev", true, OPTS_VM, NULL, NULL },
	{ "trace", true, OPTS_VM, NULL, NULL },
	{ "usbdevice", true, OPTS_VM, NULL, NULL },
	{ "uuid", true, OPTS_VM, NULL, NULL },
	{ "vga", true, OPTS_VM, NULL, NULL },
	{ "virtfs", true, OPTS_VM, NULL, NULL },
	{ "virtioconsole", true, OPTS_VM, NULL, NULL },
	{ "vnc", true, OPTS_VM, NULL, NULL },
	{ "watchdog", true, OPTS_VM, NULL, NULL },
	{ "watchdog-action", true, OPTS_VM, NULL, NULL },
	{ "xen-domid", true, OPTS_VM, NULL, NULL },
	/* VM-only flags */
	{ "alt-grab", false, OPTS_VM, NULL, NULL },
	{ "async-teardown", false, OPTS_VM, NULL, NULL },
	{ "audio-help", false, OPTS_VM, NULL, NULL },
	{ "ctrl-grab", false, OPTS_VM, NULL, NULL },
	{ "curses", false, OPTS_VM, NULL, NULL },
	{ "enable-fips", false, OPTS_VM, NULL, NULL },
	{ "enable-kvm", false, OPTS_VM, NULL, NULL },
	{ "enable-sync-profile", false, OPTS_VM, NULL, NULL },
	{ "full-screen", false, OPTS_VM, NULL, NULL },
	{ "localtime", false, OPTS_VM, NULL, NULL },
	{ "mem-prealloc", false, OPTS_VM, NULL, NULL },
	{ "no-acpi", false, OPTS_VM, NULL, NULL },
	{ "no-fd-bootchk", false, OPTS_VM, NULL, NULL },
	{ "no-frame", false, OPTS_VM, NULL, NULL },
	{ "no-hpet", false, OPTS_VM, NULL, NULL },
	{ "no-kvm", false, OPTS_VM, NULL, NULL },
	{ "no-quit", false, OPTS_VM, NULL, NULL },
	{ "no-reboot", false, OPTS_VM, NULL, NULL },
	{ "no-shutdown", false, OPTS_VM, NULL, NULL },
	{ "no-user-config", false, OPTS_VM, NULL, NULL },
	{ "nographic", false, OPTS_VM, NULL, NULL },
	{ "old-param", false, OPTS_VM, NULL, NULL },
	{ "only-migratable", false, OPTS_VM, NULL, NULL },
	{ "portrait", false, OPTS_VM, NULL, NULL },
	{ "preconfig", false, OPTS_VM, NULL, NULL },
	{ "s", false, OPTS_VM, NULL, NULL },
	{ "sdl", false, OPTS_VM, NULL, NULL },
	{ "semihosting", false, OPTS_VM, NULL, NULL },
	{ "singlestep", false, OPTS_VM, NULL, NULL },
	{ "snapshot", false, OPTS_VM, NULL, NULL },
	{ "usb", false, OPTS_VM, NULL, NULL },
	{ "win2k-hack", false, OPTS_VM, NULL, NULL },
	{ "xen-attach", false, OPTS_VM, NULL, NULL },
	{ "xen-domid-restrict", false, OPTS_VM, NULL, NULL },
};

static const struct opt_def *find_def(const char *name)
{
	for (size_t i = 0; i < sizeof(opt_defs) / sizeof(opt_defs[0]); i++)
		if (!strcmp(opt_defs[i].name, name))
			return &opt_defs[i];
	return NULL;
}

__attribute__((format(printf, 3, 4)))
static int set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void opts_props_free(struct opts_prop *props, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(props[i].key);
		free(props[i].val);
	}
	free(props);
}

static int add_prop(struct opts_prop **props, size_t *n, char *key, char *val)
{
	struct opts_prop *p;

	if (!key || !val) {
		free(key);
		free(val);
		return -ENOMEM;
	}
	p = realloc(*props, (*n + 1) * sizeof(**props));
	if (!p) {
		free(key);
		free(val);
		return -ENOMEM;
	}
	p[*n].key = key;
	p[*n].val = val;
	*props = p;
	(*n)++;
	return 0;
}

/* A value runs to the next single ','; ",," is a literal comma. */
static char *get_value(const char **pp)
{
	const char *p = *pp;
	size_t cap = strlen(p) + 1, n = 0;
	char *v = malloc(cap);

	if (!v)
		return NULL;
	while (*p) {
		if (*p == ',') {
			if (p[1] != ',')
				break;
			p++;
		}
		v[n++] = *p++;
	}
	v[n] = '\0';
	*pp = p;
	return v;
}

int opts_split(const char *s, const char *implied, struct opts_prop **props, size_t *n,
	       char *err, size_t errlen)
{
	const char *p = s;
	bool first = true;
	int rc;

	*props = NULL;
	*n = 0;
	while (*p) {
		size_t len = strcspn(p, "=,");
		char *key, *val;

		if (p[len] != '=' && first && implied) {
			/* "foo,more": the implied key's value (QEMU firstname) */
			key = strdup(implied);
			val = get_value(&p);
		} else if (p[len] != '=') {
			/* a bare flag: "server" is server=on, "nowait" wait=off */
			if (!len) {
				rc = set_err(err, errlen, "empty property name in '%s'", s);
				goto fail;
			}
			if (len > 2 && !strncmp(p, "no", 2)) {
				key = strndup(p + 2, len - 2);
				val = strdup("off");
			} else {
				key = strndup(p, len);
				val = strdup("on");
			}
			p += len;
		} else {
			if (!len) {
				rc = set_err(err, errlen, "empty property name in '%s'", s);
				goto fail;
			}
			key = strndup(p, len);
			p += len + 1;
			val = get_value(&p);
		}
		rc = add_prop(props, n, key, val);
		if (rc)
			goto fail;
		if (*p == ',')
			p++; /* a trailing comma ends the list quietly */
		first = false;
	}
	return 0;
fail:
	opts_props_free(*props, *n);
	*props = NULL;
	*n = 0;
	return rc;
}

int opts_props_add_json(struct json_object *o, struct opts_prop **props, size_t *n,
			char *err, size_t errlen)
{
	json_object_object_foreach(o, key, v) {
		char buf[64];
		const char *val = buf;
		int rc;

		switch (json_object_get_type(v)) {
		case json_type_string:
			val = json_object_get_string(v);
			break;
		case json_type_boolean:
			val = json_object_get_boolean(v) ? "on" : "off";
			break;
		case json_type_int:
			if (json_object_get_int64(v) < 0)
				snprintf(buf, sizeof(buf), "%lld",
					 (long long)json_object_get_int64(v));
			else
				snprintf(buf, sizeof(buf), "%llu",
					 (unsigned long long)json_object_get_uint64(v));
			break;
		default:
			return set_err(err, errlen, "member '%s' must be a string, number or boolean",
				       key);
		}
		rc = add_prop(props, n, strdup(key), strdup(val));
		if (rc)
			return rc;
	}
	return 0;
}

int opts_split_json(const char *s, struct opts_prop **props, size_t *n, char *err,
		    size_t errlen)
{
	struct json_object *o = json_tokener_parse(s);
	int rc;

	*props = NULL;
	*n = 0;
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return set_err(err, errlen, "invalid JSON option argument '%s'", s);
	}
	rc = opts_props_add_json(o, props, n, err, errlen);
	json_object_put(o);
	if (rc == -EINVAL) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s", err);
		set_err(err, errlen, "JSON option %s", tmp);
	}
	if (rc) {
		opts_props_free(*props, *n);
		*props = NULL;
		*n = 0;
	}
	return rc;
}

const char *opts_get(const struct opts_item *it, const char *key)
{
	for (size_t i = it->n_props; i-- > 0;)
		if (!strcmp(it->props[i].key, key))
			return it->props[i].val;
	return NULL;
}

int opts_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "on", "yes", "true", "y" };
	static const char *const no[] = { "off", "no", "false", "n" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

int opts_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	/* strtoull would take " 1" and "-1" (as 2^64-1); QEMU rejects both. */
	if (!*s || !(s[0] >= '0' && s[0] <= '9'))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end || end == s)
		return -EINVAL;
	*out = v;
	return 0;
}

int opts_parse_size(const char *s, uint64_t *out)
{
	const char *p = s;
	uint64_t ipart = 0, unit = 1;
	double frac = 0, scale = 0.1;
	bool has_frac = false, hex = false;
	char *end;
	int shift = 0;

	if (!(*p >= '0' && *p <= '9'))
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		hex = true;
		errno = 0;
		ipart = strtoull(p, &end, 16);
		if (errno == ERANGE)
			return -ERANGE;
		if (end == p + 2)
			return -EINVAL;
		p = end;
	} else {
		while (*p >= '0' && *p <= '9') {
			unsigned d = (unsigned)(*p++ - '0');

			if (ipart > (UINT64_MAX - d) / 10)
				return -ERANGE;
			ipart = ipart * 10 + d;
		}
		if (*p == '.') {
			p++;
			if (!(*p >= '0' && *p <= '9'))
				return -EINVAL;
			has_frac = true;
			while (*p >= '0' && *p <= '9') {
				frac += (*p++ - '0') * scale;
				scale /= 10;
			}
		}
	}
	switch (*p) {
	case '\0':
		break;
	case 'B': case 'b': shift = 0; p++; break;
	case 'K': case 'k': shift = 10; p++; break;
	case 'M': case 'm': shift = 20; p++; break;
	case 'G': case 'g': shift = 30; p++; break;
	case 'T': case 't': shift = 40; p++; break;
	case 'P': case 'p': shift = 50; p++; break;
	case 'E': case 'e': shift = 60; p++; break;
	default:
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	/* QEMU: a fraction needs a unit above bytes ("1.5B" is nonsense). */
	if (has_frac && shift == 0)
		return -EINVAL;
	(void)hex;
	unit = 1ull << shift;
	if (ipart > UINT64_MAX / unit)
		return -ERANGE;
	ipart *= unit;
	if (has_frac) {
		double f = frac * (double)unit;

		if (f >= (double)(UINT64_MAX - ipart))
			return -ERANGE;
		ipart += (uint64_t)f;
	}
	*out = ipart;
	return 0;
}

void opts_describe(const struct opts_item *it, char *buf, size_t len)
{
	const char *what = NULL, *id = NULL;

	if (!strcmp(it->opt, "device"))
		what = opts_get(it, "driver");
	else if (!strcmp(it->opt, "object"))
		what = opts_get(it, "qom-type");
	else if (!strcmp(it->opt, "qmp"))
		what = opts_get(it, "addr");
	else if (!strcmp(it->opt, "chardev"))
		what = opts_get(it, "backend");
	if (it->kind == OPTS_PROPS && strcmp(it->opt, "qmp"))
		id = opts_get(it, "id");
	if (what && id)
		snprintf(buf, len, "-%s %s,id=%s", it->opt, what, id);
	else if (what)
		snprintf(buf, len, "-%s %s", it->opt, what);
	else if (id)
		snprintf(buf, len, "-%s id=%s", it->opt, id);
	else
		snprintf(buf, len, "-%s", it->opt);
	if (it->src) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, " (%s)", it->src);
	}
}

void opts_free(struct opts *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->items[i].given);
		free(o->items[i].arg);
		free(o->items[i].src);
		opts_props_free(o->items[i].props, o->items[i].n_props);
	}
	free(o->items);
	free(o->run_dir);
	free(o->log_file);
	free(o->pidfile);
	free(o->writeconfig);
	memset(o, 0, sizeof(*o));
}

/* QEMU: "-device help", "-device cxl-type3,help", "-object ?" ask for help. */
static bool is_help_prop(const struct opts_prop *p, const char *implied)
{
	return !strcmp(p->key, "help") || !strcmp(p->key, "?") ||
	       (implied && !strcmp(p->key, implied) &&
		(!strcmp(p->val, "help") || !strcmp(p->val, "?")));
}

static struct opts_item *new_item(struct opts *o, const struct opt_def *d, const char *given,
				  int argi, const char *arg)
{
	struct opts_item *items = realloc(o->items, (o->n + 1) * sizeof(*items));
	struct opts_item *it;

	if (!items)
		return NULL;
	o->items = items;
	it = &items[o->n++];
	memset(it, 0, sizeof(*it));
	it->opt = d->canon ? d->canon : d->name;
	it->kind = d->kind;
	it->argi = argi;
	it->given = strdup(given);
	it->arg = arg ? strdup(arg) : NULL;
	return it->given && (!arg || it->arg) ? it : NULL;
}

static int add_item(struct opts *o, const struct opt_def *d, const char *given, int argi,
		    const char *arg, char *err, size_t errlen)
{
	struct opts_item *it = new_item(o, d, given, argi, arg);
	int rc = 0;

	if (!it)
		return -ENOMEM;
	if (d->kind != OPTS_PROPS)
		return 0;
	if (arg[0] == '{' && (!strcmp(it->opt, "device") || !strcmp(it->opt, "object"))) {
		it->json = true;
		rc = opts_split_json(arg, &it->props, &it->n_props, err, errlen);
	} else {
		rc = opts_split(arg, d->implied, &it->props, &it->n_props, err, errlen);
	}
	if (rc == -EINVAL) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s", err);
		return set_err(err, errlen, "%s: %s", given, tmp);
	}
	for (size_t i = 0; !rc && i < it->n_props; i++)
		if (is_help_prop(&it->props[i], it->json ? NULL : d->implied))
			it->help = true;
	return rc;
}

/* ---- -readconfig ---- */

/* The groups that become cxl-emu options; every other group is VM-only. */
static const struct opt_def *config_group(const char *group)
{
	static const char *const groups[] = { "device", "object", "machine", "chardev", "mon",
					      "name" };

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (!strcmp(group, groups[i]))
			return find_def(group);
	return NULL;
}

/* The section as an option argument, for messages: "k=v,k2=v2" (',,' for ','). */
static int section_arg(struct opts_item *it)
{
	size_t len = 1;
	char *a, *p;

	for (size_t i = 0; i < it->n_props; i++)
		len += 2 * (strlen(it->props[i].key) + strlen(it->props[i].val)) + 2;
	a = p = malloc(len);
	if (!a)
		return -ENOMEM;
	for (size_t i = 0; i < it->n_props; i++) {
		p += sprintf(p, "%s%s=", i ? "," : "", it->props[i].key);
		for (const char *v = it->props[i].val; *v; v++) {
			*p++ = *v;
			if (*v == ',')
				*p++ = ',';
		}
	}
	*p = '\0';
	free(it->arg);
	it->arg = a;
	return 0;
}

/* Start a section: an option item for the groups we use, a VM-only one else. */
static int start_section(struct opts *o, const char *group, const char *id, int argi,
			 const char *src)
{
	static const struct opt_def vm = { "readconfig", false, OPTS_VM, NULL, NULL };
	const struct opt_def *d = config_group(group);
	struct opts_item *it;
	char given[160];

	if (d)
		snprintf(given, sizeof(given), "-%s", group);
	else if (id)
		snprintf(given, sizeof(given), "[%s \"%s\"]", group, id);
	else
		snprintf(given, sizeof(given), "[%s]", group);
	it = new_item(o, d ? d : &vm, given, argi, NULL);
	if (!it || !(it->src = strdup(src)))
		return -ENOMEM;
	if (d && id)
		return add_prop(&it->props, &it->n_props, strdup("id"), strdup(id));
	return 0;
}

/*
 * QEMU's config file format (util/qemu-config.c qemu_config_parse(), with
 * its sscanf patterns): "[group]" or "[group "id"]" starts a section,
 * `key = "value"` adds to it; blank lines and '#' comments are skipped.
 * Sections are options at the place of -readconfig (argv index argi).
 */
int opts_read_config(struct opts *o, const char *path, int argi, char *err, size_t errlen)
{
	char line[1200], group[64], id[64], key[64], val[1024], src[320];
	FILE *f = fopen(path, "re");
	size_t first = o->n;
	int lineno = 0, rc = 0;

	if (!f)
		return set_err(err, errlen, "-readconfig %s: %s", path, strerror(errno));
	while (!rc && fgets(line, sizeof(line), f)) {
		const char *p = line;

		lineno++;
		snprintf(src, sizeof(src), "%s:%d", path, lineno);
		if (!strchr(line, '\n') && !feof(f)) {
			rc = set_err(err, errlen, "%s: line too long", src);
			break;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || *p == '\r' || *p == '\0' || *p == '#')
			continue;
		if (sscanf(p, "[%63s \"%63[^\"]\"]", group, id) == 2) {
			rc = start_section(o, group, id, argi, src);
		} else if (sscanf(p, "[%63[^]]]", group) == 1) {
			rc = start_section(o, group, NULL, argi, src);
		} else if (sscanf(p, "%63s = \"%1023[^\"]\"", key, val) == 2) {
			struct opts_item *it = o->n > first ? &o->items[o->n - 1] : NULL;

			if (!it)
				rc = set_err(err, errlen, "%s: no group defined", src);
			else if (it->kind == OPTS_PROPS)
				rc = add_prop(&it->props, &it->n_props, strdup(key), strdup(val));
		} else {
			rc = set_err(err, errlen, "%s: parse error", src);
		}
	}
	if (!rc && ferror(f))
		rc = set_err(err, errlen, "-readconfig %s: read error", path);
	fclose(f);
	for (size_t i = first; !rc && i < o->n; i++)
		if (o->items[i].kind == OPTS_PROPS)
			rc = section_arg(&o->items[i]);
	return rc;
}

/* --NAME PATH: a non-empty path, the last one given wins. */
static int set_path(char **dst, const char *name, const char *what, const char *val,
		    char *err, size_t errlen)
{
	if (!*val)
		return set_err(err, errlen, "--%s: empty %s name", name, what);
	free(*dst);
	*dst = strdup(val);
	return *dst ? 0 : -ENOMEM;
}

/* Our own long options, also in --opt=value form. */
static int own_option(struct opts *o, const char *name, const char *val, char *err,
		      size_t errlen)
{
	if (!strcmp(name, "log")) {
		enum log_level lvl;

		if (log_level_parse(val, &lvl))
			return set_err(err, errlen,
				       "--log: unknown level '%s' (none, error, warn, info, debug)",
				       val);
		o->has_log = true;
		o->log_level = lvl;
		return 0;
	}
	if (!strcmp(name, "log-file"))
		return set_path(&o->log_file, name, "file", val, err, errlen);
	if (!strcmp(name, "run-dir"))
		return set_path(&o->run_dir, name, "directory", val, err, errlen);
	return -ENOENT;
}

static int set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	return *dst ? 0 : -ENOMEM;
}

/*
 * QEMU options that change how cxl-emu runs rather than what it emulates.
 * Returns how many arguments it took (0 or 1), -ENOENT if name is not one
 * of them, or an error.
 */
static int emu_option(struct opts *o, const char *name, const char *arg, int argi,
		      char *err, size_t errlen)
{
	static const char *const with_arg[] = { "readconfig", "writeconfig", "pidfile" };
	int rc;

	if (!strcmp(name, "daemonize"))
		return o->daemonize = true, 0;
	if (!strcmp(name, "S"))
		return o->prelaunch = true, 0;
	if (!strcmp(name, "nodefaults"))
		return 0;
	for (size_t i = 0; i < sizeof(with_arg) / sizeof(with_arg[0]); i++) {
		if (strcmp(name, with_arg[i]))
			continue;
		if (!arg)
			return set_err(err, errlen, "option '-%s' requires an argument", name);
		if (name[0] == 'r')
			rc = opts_read_config(o, arg, argi, err, errlen);
		else
			rc = set_str(name[0] == 'w' ? &o->writeconfig : &o->pidfile, arg);
		return rc ? rc : 1;
	}
	return -ENOENT;
}

int opts_parse(int argc, char *const argv[], struct opts *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *name;
		const struct opt_def *d;
		char own[32];
		const char *eq;
		int rc;

		if (a[0] != '-' || !a[1]) {
			/* QEMU takes a bare argument as the first disk image (-hda). */
			static const struct opt_def image = { "hda", true, OPTS_VM, NULL, NULL };

			rc = add_item(o, &image, "-hda", i, a, err, errlen);
			if (rc)
				return rc;
			continue;
		}
		name = a + 1 + (a[1] == '-');
		if (!strcmp(name, "help") || !strcmp(name, "h")) {
			o->help = true;
			continue;
		}
		if (!strcmp(name, "version")) {
			o->version = true;
			continue;
		}
		eq = strchr(name, '=');
		if (eq && a[1] == '-' && (size_t)(eq - name) < sizeof(own)) {
			snprintf(own, sizeof(own), "%.*s", (int)(eq - name), name);
			rc = own_option(o, own, eq + 1, err, errlen);
			if (rc != -ENOENT) {
				if (rc)
					return rc;
				continue;
			}
		}
		/* -v: info (every CXL request), -v -v or -vv: debug; --log wins if later */
		if (!strcmp(name, "v") || !strcmp(name, "vv") || !strcmp(name, "verbose")) {
			o->log_level = name[1] == 'v' || (o->has_log && o->log_level >= LOG_LVL_INFO) ?
				       LOG_LVL_DEBUG : LOG_LVL_INFO;
			o->has_log = true;
			continue;
		}
		if (!strcmp(name, "log") || !strcmp(name, "run-dir") || !strcmp(name, "log-file")) {
			if (i + 1 >= argc)
				return set_err(err, errlen, "option '%s' requires an argument", a);
			rc = own_option(o, name, argv[++i], err, errlen);
			if (rc)
				return rc;
			continue;
		}
		rc = emu_option(o, name, i + 1 < argc ? argv[i + 1] : NULL, i, err, errlen);
		if (rc >= 0) {
			i += rc;
			continue;
		}
		if (rc != -ENOENT)
			return rc;
		d = find_def(name);
		if (!d)
			return set_err(err, errlen, "unknown option '%s' (see --help)", a);
		if (d->has_arg && i + 1 >= argc)
			return set_err(err, errlen, "option '%s' requires an argument", a);
		rc = add_item(o, d, a, i, d->has_arg ? argv[i + 1] : NULL, err, errlen);
		if (rc)
			return rc;
		if (d->has_arg)
			i++;
	}
	return 0;
}
