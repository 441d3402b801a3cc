/* SPDX-License-Identifier: MIT */
#include "emu/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "emu/netaddr.h"

/* ---- property tables ---- */

enum ptype {
	P_STR,
	P_BOOL,
	P_U8,
	P_U16,
	P_U32,
	P_U64,
	P_SIZE,
	P_PCIADDR, /* "slot[.fn]" in hex, QEMU's PCI addr property */
};

struct pdef {
	const char *name;
	enum ptype type;
	bool required;
	const char *doc;
};

struct drvdef {
	const char *name;
	enum cfg_dev_kind kind;
	const struct pdef *props;
	const char *doc;
	bool pci;
};

#define PCI_COMMON \
	{ "addr", P_PCIADDR, false, "PCI slot.function on the parent bus (hex)" }, \
	{ "multifunction", P_BOOL, false, "function 0 of a multi-function slot" }, \
	{ "romfile", P_STR, false, "ignored (no option ROM)" }, \
	{ "rombar", P_U32, false, "ignored" }, \
	{ "acpi-index", P_U32, false, "ignored" }

#define PORT_COMMON \
	{ "hotplug", P_BOOL, false, "ignored" }, \
	{ "x-speed", P_STR, false, "ignored" }, \
	{ "x-width", P_STR, false, "ignored" }, \
	{ "bus-reserve", P_U32, false, "ignored" }, \
	{ "io-reserve", P_SIZE, false, "ignored" }, \
	{ "mem-reserve", P_SIZE, false, "ignored" }, \
	{ "pref32-reserve", P_SIZE, false, "ignored" }, \
	{ "pref64-reserve", P_SIZE, false, "ignored" }, \
	{ "power_controller_present", P_BOOL, false, "ignored" }

static const struct pdef props_pxb[] = {
	{ "id", P_STR, true, "name of the host bridge and of its bus" },
	{ "bus", P_STR, false, "PCI root bus (default pcie.0)" },
	{ "bus_nr", P_U8, true, "first bus number behind the host bridge" },
	{ "hdm_for_passthrough", P_BOOL, false, "HDM decoders with a single root port" },
	{ "numa_node", P_U32, false, "ignored" },
	PCI_COMMON,
	{ NULL, P_STR, false, NULL },
};

static const struct pdef props_rp[] = {
	{ "id", P_STR, true, "name of the port and of its link" },
	{ "bus", P_STR, true, "a pxb-cxl id" },
	{ "port", P_U8, false, "port number (default 0)" },
	{ "chassis", P_U8, false, "chassis number (default 0)" },
	{ "slot", P_U16, false, "slot number (default 0)" },
	PORT_COMMON,
	PCI_COMMON,
	{ NULL, P_STR, false, NULL },
};

static const struct pdef props_usp[] = {
	{ "id", P_STR, true, "name of the switch upstream port" },
	{ "bus", P_STR, true, "a cxl-rp or cxl-downstream id" },
	{ "port", P_U8, false, "port number (default 0)" },
	{ "sn", P_U64, false, "serial number" },
	{ "x-speed", P_STR, false, "ignored" },
	{ "x-width", P_STR, false, "ignored" },
	PCI_COMMON,
	{ NULL, P_STR, false, NULL },
};

static const struct pdef props_dsp[] = {
	{ "id", P_STR, true, "name of the port and of its link" },
	{ "bus", P_STR, true, "a cxl-upstream id" },
	{ "port", P_U8, false, "port number (default 0)" },
	{ "chassis", P_U8, false, "chassis number (default 0)" },
	{ "slot", P_U16, false, "slot number (default 0)" },
	PORT_COMMON,
	PCI_COMMON,
	{ NULL, P_STR, false, NULL },
};

static const struct pdef props_cci[] = {
	{ "id", P_STR, false, "name" },
	{ "bus", P_STR, true, "a cxl-rp or cxl-downstream id (the upstream port's link)" },
	{ "target", P_STR, true, "the cxl-upstream id this CCI manages" },
	PCI_COMMON,
	{ NULL, P_STR, false, NULL },
};

static const struct pdef props_t3[] = {
	{ "id", P_STR, true, "name" },
	{ "bus", P_STR, true, "a cxl-rp or cxl-downstream id" },
	{ "sn", P_U64, false, "serial number (names the forwarding CCI: \"<sn>:oob_mctp_cci\")" },
	{ "memdev", P_STR, false, "legacy persistent memory backend" },
	{ "volatile-memdev", P_STR, false, "volatile memory backend" },
	{ "persistent-memdev", P_STR, false, "persistent memory backend" },
	{ "volatile-dc-memdev", P_STR, false, "dynamic capacity backend" },
	{ "lsa", P_STR, false, "label storage area backend" },
	{ "num-dc-regions", P_U8, false, "dynamic capacity regions (0-8)" },
	{ "x-dc-extents-max", P_U32, false,
	  "cxl-fmemu: DC extents the device tracks, pending + accepted (1-1048576, default 512)" },
	{ "allow-fm-attach", P_BOOL, false, "the FM may manage it over MCTP" },
	{ "mctp-buf-init", P_BOOL, false, "create the forwarding shared buffer" },
	{ "num-ld", P_U8, false, "cxl-fmemu: logical devices (1 = SLD, up to 16)" },
	{ "mctp-buf-name", P_STR, false,
	  "cxl-fmemu: shared buffer name (default /mctp-message-buf)" },
	{ "mctp-buf-slots", P_U32, false, "cxl-fmemu: forwarded requests in flight (default 1)" },
	{ "cdat", P_STR, false, "ignored (built-in CDAT)" },
	PCI_COMMON,
	{ NULL, P_STR, false, NULL },
};

static const struct pdef props_i2c[] = {
	{ "id", P_STR, false, "name" },
	{ "bus", P_STR, true, "I2C bus name, created on first use (e.g. aspeed.i2c.bus.0)" },
	{ "address", P_U8, true, "7-bit I2C address" },
	{ "target", P_STR, true, "a cxl-upstream or cxl-type3 id" },
	{ "mctp-msg-forward", P_BOOL, false, "forward CXL messages to the target's host" },
	{ "qmp", P_STR, false, "the target host's QMP address (HOST:PORT)" },
	{ "mctp-fwd", P_STR, false, "cxl-fmemu: shm (RFC, default) or inline" },
	{ "fwd-timeout", P_U32, false, "cxl-fmemu: forwarding timeout in ms (default 5000)" },
	{ "i2c-speed", P_STR, false,
	  "cxl-fmemu: model the bus's wire time at 100k, 400k or 1M (Hz; default: none)" },
	{ NULL, P_STR, false, NULL },
};

static const struct drvdef drivers[] = {
	{ "pxb-cxl", CFG_PXB_CXL, props_pxb, "CXL host bridge", true },
	{ "cxl-rp", CFG_CXL_RP, props_rp, "CXL root port", true },
	{ "cxl-upstream", CFG_CXL_USP, props_usp, "CXL switch upstream port", true },
	{ "cxl-downstream", CFG_CXL_DSP, props_dsp, "CXL switch downstream port", true },
	{ "cxl-switch-mailbox-cci", CFG_SWITCH_CCI, props_cci, "CXL switch mailbox CCI", true },
	{ "cxl-type3", CFG_CXL_TYPE3, props_t3, "CXL type-3 memory device (DCD, MLD)", true },
	{ "i2c_mctp_cxl", CFG_I2C_MCTP, props_i2c, "MCTP-over-I2C endpoint for a CXL FM", false },
};

#define MEM_IGNORED \
	{ "dump", P_BOOL, false, "ignored" }, \
	{ "merge", P_BOOL, false, "ignored" }, \
	{ "host-nodes", P_STR, false, "ignored" }, \
	{ "policy", P_STR, false, "ignored" }, \
	{ "prealloc-threads", P_U32, false, "ignored" }, \
	{ "prealloc-context", P_STR, false, "ignored" }, \
	{ "reserve", P_BOOL, false, "ignored" }, \
	{ "x-use-canonical-path-for-ramblock-id", P_BOOL, false, "ignored" }

static const struct pdef props_mem_file[] = {
	{ "id", P_STR, true, "name used by memdev=, lsa=, ..." },
	{ "mem-path", P_STR, true, "backing file, created sparse if missing" },
	{ "size", P_SIZE, true, "size (K/M/G/T suffixes)" },
	{ "share", P_BOOL, false, "MAP_SHARED" },
	{ "prealloc", P_BOOL, false, "accepted; memory is mapped on demand" },
	{ "align", P_SIZE, false, "mapping alignment" },
	{ "offset", P_SIZE, false, "offset into the file" },
	{ "discard-data", P_BOOL, false, "discard the contents on exit" },
	{ "readonly", P_BOOL, false, "map read-only" },
	{ "pmem", P_BOOL, false, "the file is persistent memory" },
	{ "rom", P_STR, false, "ignored" },
	MEM_IGNORED,
	{ NULL, P_STR, false, NULL },
};

static const struct pdef props_mem_ram[] = {
	{ "id", P_STR, true, "name used by memdev=, lsa=, ..." },
	{ "size", P_SIZE, true, "size (K/M/G/T suffixes)" },
	{ "share", P_BOOL, false, "MAP_SHARED" },
	{ "prealloc", P_BOOL, false, "accepted; memory is mapped on demand" },
	{ "hugetlb", P_BOOL, false, "memfd: ignored" },
	{ "hugetlbsize", P_SIZE, false, "memfd: ignored" },
	{ "seal", P_BOOL, false, "memfd: ignored" },
	MEM_IGNORED,
	{ NULL, P_STR, false, NULL },
};

static const struct {
	const char *name;
	enum cfg_mem_kind kind;
	const struct pdef *props;
	const char *doc;
} backends[] = {
	{ "memory-backend-file", CFG_MEM_FILE, props_mem_file, "file-backed memory" },
	{ "memory-backend-ram", CFG_MEM_RAM, props_mem_ram, "anonymous memory" },
	{ "memory-backend-memfd", CFG_MEM_RAM, props_mem_ram, "anonymous memory (as ram)" },
};

/* -qmp chardev properties we accept (QEMU chardev socket options). */
static const struct pdef props_qmp[] = {
	{ "addr", P_STR, false, NULL },
	{ "id", P_STR, false, NULL },
	{ "backend", P_STR, false, NULL },
	{ "host", P_STR, false, NULL },
	{ "port", P_STR, false, NULL },
	{ "path", P_STR, false, NULL },
	{ "server", P_BOOL, false, NULL },
	{ "wait", P_BOOL, false, NULL },
	{ "ipv4", P_BOOL, false, NULL },
	{ "ipv6", P_BOOL, false, NULL },
	{ "nodelay", P_BOOL, false, NULL },
	{ "to", P_U32, false, NULL },
	{ "telnet", P_BOOL, false, NULL },
	{ "tn3270", P_BOOL, false, NULL },
	{ "websocket", P_BOOL, false, NULL },
	{ "reconnect", P_U32, false, NULL },
	{ "reconnect-ms", P_U32, false, NULL },
	{ "tls-creds", P_STR, false, NULL },
	{ "tls-authz", P_STR, false, NULL },
	{ "abstract", P_BOOL, false, NULL },
	{ "tight", P_BOOL, false, NULL },
	{ "mux", P_BOOL, false, NULL },
	{ "logfile", P_STR, false, NULL },
	{ "logappend", P_BOOL, false, NULL },
	{ "fd", P_STR, false, NULL },
	{ NULL, P_STR, false, NULL },
};

/* ---- building context and errors ---- */

struct ctx {
	const struct opts *o;
	struct config *c;
	char *err;
	size_t errlen;
	const struct opts_item *it; /* the option being checked */
	char label[192];
	unsigned anon;
	/* -chardev items, so -mon can find them; used marks QMP ones */
	int *warn_pos, *note_pos;
	int pos;                    /* argv index for lines without x->it */
	const struct opts_item **chardevs;
	bool *chardev_used;
	size_t n_chardevs;
};

static void set_item(struct ctx *x, const struct opts_item *it)
{
	x->it = it;
	opts_describe(it, x->label, sizeof(x->label));
}

__attribute__((format(printf, 2, 3)))
static int perr(struct ctx *x, const char *fmt, ...)
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

static int push(void *arrp, size_t *n, void *elem)
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
	if (!s || push(lines, n, s)) {
		free(s);
		return -ENOMEM;
	}
	return 0;
}

__attribute__((format(printf, 2, 3)))
static int warn(struct ctx *x, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = add_line(&x->c->warnings, &x->c->n_warnings, &x->warn_pos,
		      x->it ? x->it->argi : x->pos, fmt, ap);
	va_end(ap);
	return rc;
}

__attribute__((format(printf, 2, 3)))
static int note(struct ctx *x, const char *fmt, ...)
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

static const struct pdef *find_pdef(const struct pdef *t, const char *name)
{
	for (; t && t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

static int parse_pciaddr(const char *s, int *devfn)
{
	char *end;
	unsigned long slot, fn = 0;

	if (!*s)
		return -EINVAL;
	errno = 0;
	slot = strtoul(s, &end, 16);
	if (errno || end == s)
		return -EINVAL;
	if (*end == '.') {
		const char *f = end + 1;

		fn = strtoul(f, &end, 16);
		if (errno || end == f)
			return -EINVAL;
	}
	if (*end || slot > 0x1f || fn > 7)
		return -EINVAL;
	*devfn = (int)(slot << 3 | fn);
	return 0;
}

static int check_value(struct ctx *x, const struct pdef *d, const char *v)
{
	uint64_t u, max = 0;
	bool b;
	int devfn, rc;

	switch (d->type) {
	case P_STR:
		return 0;
	case P_BOOL:
		if (opts_parse_bool(v, &b))
			return perr(x, "property '%s': '%s' is not a boolean "
				    "(on/off, yes/no, true/false)", d->name, v);
		return 0;
	case P_SIZE:
		rc = opts_parse_size(v, &u);
		if (rc == -ERANGE)
			return perr(x, "property '%s': '%s' is too large", d->name, v);
		if (rc)
			return perr(x, "property '%s': '%s' is not a size "
				    "(a number with an optional B/K/M/G/T suffix)", d->name, v);
		return 0;
	case P_PCIADDR:
		if (parse_pciaddr(v, &devfn))
			return perr(x, "property '%s': '%s' is not a PCI address "
				    "(slot[.function] in hex, slot <= 1f, function <= 7)", d->name, v);
		return 0;
	case P_U8: max = UINT8_MAX; break;
	case P_U16: max = UINT16_MAX; break;
	case P_U32: max = UINT32_MAX; break;
	case P_U64: max = UINT64_MAX; break;
	}
	rc = opts_parse_u64(v, &u);
	if (rc == -EINVAL)
		return perr(x, "property '%s': '%s' is not a number", d->name, v);
	if (rc || u > max)
		return perr(x, "property '%s': '%s' is out of range (0-%llu)", d->name, v,
			    (unsigned long long)max);
	return 0;
}

/*
 * Check every given property against the table (skip is the implied key),
 * then the required ones. what is "-device cxl-type3" style help hint.
 */
static int check_props(struct ctx *x, const struct pdef *t, const char *skip,
		       const char *help_hint)
{
	const struct opts_item *it = x->it;

	for (size_t i = 0; i < it->n_props; i++) {
		const struct opts_prop *p = &it->props[i];
		const struct pdef *d;
		int rc;

		if (skip && !strcmp(p->key, skip))
			continue;
		d = find_pdef(t, p->key);
		if (!d)
			return perr(x, "unknown property '%s' (see '%s,help')", p->key, help_hint);
		rc = check_value(x, d, p->val);
		if (rc)
			return rc;
	}
	for (; t->name; t++)
		if (t->required && !opts_get(it, t->name))
			return perr(x, "missing required property '%s'", t->name);
	return 0;
}

/* Typed getters; values were checked by check_props. */
static bool get_bool(const struct opts_item *it, const char *k, bool def)
{
	const char *v = opts_get(it, k);
	bool b = def;

	if (v)
		opts_parse_bool(v, &b);
	return b;
}

static uint64_t get_u64(const struct opts_item *it, const char *k, uint64_t def, bool *has)
{
	const char *v = opts_get(it, k);
	uint64_t u = def;

	if (has)
		*has = v != NULL;
	if (v)
		opts_parse_u64(v, &u);
	return u;
}

static uint64_t get_size(const struct opts_item *it, const char *k, uint64_t def)
{
	const char *v = opts_get(it, k);
	uint64_t u = def;

	if (v)
		opts_parse_size(v, &u);
	return u;
}

static char *dup_opt(const struct opts_item *it, const char *k)
{
	const char *v = opts_get(it, k);

	return v ? strdup(v) : NULL;
}

/* QEMU id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
static bool id_ok(const char *id)
{
	if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z')))
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_'))
			return false;
	return true;
}

static int check_id(struct ctx *x, const char *id)
{
	if (!id_ok(id))
		return perr(x, "property 'id': '%s' is not a valid id (a letter, then letters, "
			    "digits, '-', '.', '_')", id);
	return 0;
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
static int later_definition(const struct ctx *x, const char *id)
{
	for (size_t i = 0; i < x->o->n; i++) {
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

/* ---- memory backends ---- */

static void memdev_free(struct cfg_memdev *m)
{
	if (!m)
		return;
	free(m->id);
	free(m->mem_path);
	free(m);
}

static int build_object(struct ctx *x, const struct opts_item *it)
{
	const char *type = opts_get(it, "qom-type");
	char hint[160];
	struct cfg_memdev *m;
	size_t b;
	int rc;

	set_item(x, it);
	if (!type)
		return perr(x, "missing required property 'qom-type'");
	for (b = 0; b < sizeof(backends) / sizeof(backends[0]); b++)
		if (!strcmp(backends[b].name, type))
			break;
	if (b == sizeof(backends) / sizeof(backends[0]))
		return warn(x, "%s: ignored (not a memory backend; only the VM would use it)",
			    x->label);
	snprintf(hint, sizeof(hint), "-object %s", type);
	rc = check_props(x, backends[b].props, "qom-type", hint);
	if (rc)
		return rc;
	rc = check_id(x, opts_get(it, "id"));
	if (rc)
		return rc;
	if (cfg_find_memdev(x->c, opts_get(it, "id")))
		return perr(x, "duplicate id '%s' (another -object has it)", opts_get(it, "id"));
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->id = dup_opt(it, "id");
	m->kind = backends[b].kind;
	m->qom_type = backends[b].name;
	m->mem_path = dup_opt(it, "mem-path");
	m->size = get_size(it, "size", 0);
	m->share = get_bool(it, "share", false);
	m->prealloc = get_bool(it, "prealloc", false);
	m->align = get_size(it, "align", 0);
	m->discard_data = get_bool(it, "discard-data", false);
	m->readonly = get_bool(it, "readonly", false);
	m->pmem = get_bool(it, "pmem", false);
	m->argi = it->argi;
	if (!m->id || (m->kind == CFG_MEM_FILE && !m->mem_path)) {
		memdev_free(m);
		return -ENOMEM;
	}
	if (push(&x->c->memdevs, &x->c->n_memdevs, m)) {
		memdev_free(m);
		return -ENOMEM;
	}
	if (!m->size)
		return perr(x, "property 'size': must be larger than 0");
	if (m->align && (m->align & (m->align - 1)))
		return perr(x, "property 'align': %llu is not a power of 2",
			    (unsigned long long)m->align);
	if (m->prealloc)
		return note(x, "%s: prealloc ignored, memory is mapped on demand", x->label);
	return 0;
}

/* ---- devices ---- */

static void device_free(struct cfg_device *d)
{
	if (!d)
		return;
	free(d->driver);
	free(d->id);
	free(d->name);
	free(d->children);
	if (d->kind == CFG_CXL_TYPE3)
		free(d->u.t3.mctp_buf_name);
	if (d->kind == CFG_I2C_MCTP)
		free(d->u.i2c.qmp);
	free(d);
}

static const struct drvdef *find_driver(const char *name)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(drivers[i].name, name))
			return &drivers[i];
	return NULL;
}

static bool is_port(const struct cfg_device *d)
{
	return d->kind == CFG_CXL_RP || d->kind == CFG_CXL_DSP;
}

/* Resolve bus= and check its kind; kinds is a CFG_* mask. */
static int resolve_bus(struct ctx *x, const char *bus, unsigned kinds, const char *expect,
		       struct cfg_device **out)
{
	struct cfg_device *p = cfg_find_device(x->c, bus);
	int later;

	if (!p) {
		later = later_definition(x, bus);
		if (later)
			return perr(x, "property 'bus': bus '%s' not found (it is defined later, "
				    "by argument %d; devices are created in command-line order)",
				    bus, later);
		return perr(x, "property 'bus': bus '%s' not found", bus);
	}
	if (!(kinds & (1u << p->kind)))
		return perr(x, "property 'bus': '%s' is a %s, expected %s", bus,
			    p->driver ? p->driver : cfg_kind_name(p->kind), expect);
	*out = p;
	return 0;
}

static int resolve_target(struct ctx *x, const char *id, unsigned kinds, const char *expect,
			  struct cfg_device **out)
{
	struct cfg_device *t = cfg_find_device(x->c, id);
	int later;

	if (!t || t == x->c->root) {
		later = later_definition(x, id);
		if (later)
			return perr(x, "property 'target': device '%s' not found (it is defined "
				    "later, by argument %d; devices are created in command-line "
				    "order)", id, later);
		return perr(x, "property 'target': device '%s' not found", id);
	}
	if (!(kinds & (1u << t->kind)))
		return perr(x, "property 'target': '%s' is a %s, expected %s", id, t->driver, expect);
	*out = t;
	return 0;
}

/* Resolve a memdev reference and claim it for device d. */
static int claim_memdev(struct ctx *x, struct cfg_device *d, const char *prop,
			struct cfg_memdev **out)
{
	const char *id = opts_get(x->it, prop);
	struct cfg_memdev *m;

	*out = NULL;
	if (!id)
		return 0;
	m = cfg_find_memdev(x->c, id);
	if (!m)
		return perr(x, "property '%s': memory backend '%s' not found (no -object with "
			    "that id)", prop, id);
	if (m->user)
		return perr(x, "property '%s': memory backend '%s' is already used by '%s'", prop,
			    id, m->user->name);
	m->user = d;
	*out = m;
	return 0;
}

/* Devfns used on a bus: kept as a 256-bit map on the fly from children. */
static struct cfg_device *devfn_user(const struct cfg_device *bus, int devfn)
{
	for (size_t i = 0; i < bus->n_children; i++)
		if (bus->children[i]->devfn == devfn)
			return bus->children[i];
	return NULL;
}

static int place_pci(struct ctx *x, struct cfg_device *d, struct cfg_device *bus)
{
	const char *addr = opts_get(x->it, "addr");
	int devfn = -1;
	struct cfg_device *other;

	d->multifunction = get_bool(x->it, "multifunction", false);
	if (addr) {
		parse_pciaddr(addr, &devfn);
		/* QEMU: a PCIe port's secondary bus has only slot 0 */
		if (is_port(bus) && (devfn >> 3))
			return perr(x, "property 'addr': slot %x is not valid, port '%s' only "
				    "allows slot 0", (unsigned)devfn >> 3, bus->name);
		other = devfn_user(bus, devfn);
		if (other)
			return perr(x, "property 'addr': %x.%x on bus '%s' is already used by '%s'",
				    (unsigned)devfn >> 3, (unsigned)devfn & 7, bus->name,
				    other->name);
	} else if (is_port(bus)) {
		other = devfn_user(bus, 0);
		if (other)
			return perr(x, "port '%s' is already used by '%s' (give addr=0.N and "
				    "multifunction=on on function 0 to share it)", bus->name,
				    other->name);
		devfn = 0;
	} else {
		/* host bridge buses: first free slot; pcie.0 slots 0 and 1 are q35's */
		int slot = bus->kind == CFG_PCI_ROOT ? 2 : 0;

		while (slot < 32 && devfn_user(bus, slot << 3))
			slot++;
		if (slot == 32)
			return perr(x, "no free PCI slot on bus '%s'", bus->name);
		devfn = slot << 3;
	}
	d->devfn = devfn;
	return 0;
}

static int link_child(struct cfg_device *bus, struct cfg_device *d)
{
	d->parent = bus;
	return push(&bus->children, &bus->n_children, d);
}

static int check_port_numbers(struct ctx *x, struct cfg_device *d)
{
	uint8_t port = d->kind == CFG_CXL_USP ? d->u.usp.port : d->u.port.port;

	if (d->kind == CFG_CXL_USP)
		return 0;
	/* A switch's ports share one set of Physical Port IDs (CXL r3.1 §7.6.7.1.1
	 * Active Port Bitmask): the upstream port's number too. */
	if (d->kind == CFG_CXL_DSP && d->parent->kind == CFG_CXL_USP &&
	    d->parent->u.usp.port == port)
		return perr(x, "property 'port': port %u is the upstream port of switch '%s'",
			    port, d->parent->name);
	for (size_t i = 0; i < d->parent->n_children; i++) {
		struct cfg_device *s = d->parent->children[i];

		if (s != d && s->kind == d->kind && s->u.port.port == port)
			return perr(x, "property 'port': port %u on bus '%s' is already used by "
				    "'%s'", port, d->parent->name, s->name);
	}
	/* QEMU pcie_chassis_add_slot(): chassis/slot pairs are machine-wide */
	for (size_t i = 0; i < x->c->n_devices; i++) {
		struct cfg_device *s = x->c->devices[i];

		if (s != d && is_port(s) && s->u.port.chassis == d->u.port.chassis &&
		    s->u.port.slot == d->u.port.slot)
			return perr(x, "chassis=%u,slot=%u is already used by '%s'",
				    d->u.port.chassis, d->u.port.slot, s->name);
	}
	return 0;
}

#define KIND(k) (1u << (k))

static int build_type3(struct ctx *x, struct cfg_device *d)
{
	const struct opts_item *it = x->it;
	const char *name = opts_get(it, "mctp-buf-name");
	bool has_nr;
	uint64_t nr = get_u64(it, "num-dc-regions", 0, &has_nr);
	struct cfg_memdev *legacy;
	int rc;

	d->u.t3.sn = get_u64(it, "sn", 0, &d->u.t3.has_sn);
	if ((rc = claim_memdev(x, d, "memdev", &legacy)) ||
	    (rc = claim_memdev(x, d, "persistent-memdev", &d->u.t3.persistent)) ||
	    (rc = claim_memdev(x, d, "volatile-memdev", &d->u.t3.vmem)) ||
	    (rc = claim_memdev(x, d, "volatile-dc-memdev", &d->u.t3.dc)) ||
	    (rc = claim_memdev(x, d, "lsa", &d->u.t3.lsa)))
		return rc;
	if (legacy && (d->u.t3.persistent || d->u.t3.vmem))
		return perr(x, "property 'memdev': cannot be combined with persistent-memdev "
			    "or volatile-memdev");
	if (legacy)
		d->u.t3.persistent = legacy;
	if (!d->u.t3.persistent && !d->u.t3.vmem && !d->u.t3.dc)
		return perr(x, "missing required property 'volatile-memdev', "
			    "'persistent-memdev', 'volatile-dc-memdev' or 'memdev' "
			    "(at least one memory backend)");
	if (nr > CFG_MAX_DC_REGIONS)
		return perr(x, "property 'num-dc-regions': %llu is out of range (0-%d)",
			    (unsigned long long)nr, CFG_MAX_DC_REGIONS);
	d->u.t3.num_dc_regions = (uint8_t)nr;
	if (d->u.t3.dc && !nr)
		return perr(x, "missing required property 'num-dc-regions' "
			    "(volatile-dc-memdev needs 1-%d regions)", CFG_MAX_DC_REGIONS);
	if (nr && !d->u.t3.dc)
		return perr(x, "missing required property 'volatile-dc-memdev' "
			    "(num-dc-regions=%llu needs a backend)", (unsigned long long)nr);
	/* Beyond QEMU (CXL_NUM_EXTENTS_SUPPORTED, 512): the DC extent limit. */
	if (opts_get(it, "x-dc-extents-max")) {
		uint64_t m = get_u64(it, "x-dc-extents-max", 0, NULL);

		if (!d->u.t3.dc)
			return perr(x, "property 'x-dc-extents-max': only used with "
				    "volatile-dc-memdev");
		if (m < 1 || m > CFG_MAX_DC_EXTENTS)
			return perr(x, "property 'x-dc-extents-max': %llu is out of range (1-%u)",
				    (unsigned long long)m, CFG_MAX_DC_EXTENTS);
		d->u.t3.dc_extents_max = (uint32_t)m;
	}
	if (d->u.t3.dc) {
		/* QEMU cxl_create_dc_regions(): equal regions, 256 MiB multiples */
		uint64_t sz = d->u.t3.dc->size;

		if (sz % nr || (sz / nr) % (256ull << 20))
			return perr(x, "property 'volatile-dc-memdev': backend size %llu does not "
				    "split into %llu regions of a multiple of 256 MiB",
				    (unsigned long long)sz, (unsigned long long)nr);
	}
	for (struct cfg_memdev *m = d->u.t3.vmem;; m = d->u.t3.persistent) {
		if (m && m->size % (256ull << 20))
			return perr(x, "memory backend '%s': size must be a multiple of 256 MiB",
				    m->id);
		if (m == d->u.t3.persistent)
			break;
	}
	d->u.t3.allow_fm_attach = get_bool(it, "allow-fm-attach", false);
	d->u.t3.mctp_buf_init = get_bool(it, "mctp-buf-init", false);
	nr = get_u64(it, "num-ld", 1, NULL);
	if (nr < 1 || nr > CFG_MAX_LD)
		return perr(x, "property 'num-ld': %llu is out of range (1-%d)",
			    (unsigned long long)nr, CFG_MAX_LD);
	d->u.t3.num_ld = (uint8_t)nr;
	/* POSIX shm names: one leading '/', no other '/' */
	if (name && (name[0] != '/' || !name[1] || strchr(name + 1, '/') || strlen(name) > 200))
		return perr(x, "property 'mctp-buf-name': '%s' is not a shared memory name "
			    "(\"/name\", no other '/')", name);
	d->u.t3.mctp_buf_name = strdup(name ? name : CFG_DEFAULT_MCTP_BUF_NAME);
	if (!d->u.t3.mctp_buf_name)
		return -ENOMEM;
	nr = get_u64(it, "mctp-buf-slots", 1, NULL);
	if (nr < 1 || nr > 64)
		return perr(x, "property 'mctp-buf-slots': %llu is out of range (1-64)",
			    (unsigned long long)nr);
	d->u.t3.mctp_buf_slots = (uint32_t)nr;
	if (opts_get(it, "cdat"))
		return warn(x, "%s: cdat= ignored (the built-in CDAT is used)", x->label);
	return 0;
}

static bool i2c_bus_name_ok(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, "..") || strlen(s) > 100)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '_'))
			return false;
	return true;
}

/*
 * i2c-speed: the SCL clock of the whole bus (the I2C standard's Standard
 * mode, Fast mode and Fast-mode Plus), so every endpoint on a bus that
 * names one must name the same.
 */
static int set_bus_speed(struct ctx *x, struct cfg_i2c_bus *bus, const struct cfg_device *d,
			 const char *v)
{
	static const struct { const char *name; uint32_t hz; } speeds[] = {
		{ "100k", 100000 }, { "400k", 400000 }, { "1M", 1000000 },
	};
	uint32_t hz = 0;

	if (!v)
		return 0;
	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		if (!strcmp(v, speeds[i].name))
			hz = speeds[i].hz;
	if (!hz)
		return perr(x, "property 'i2c-speed': '%s' is not 100k, 400k or 1M", v);
	if (bus->speed_hz && bus->speed_hz != hz)
		return perr(x, "property 'i2c-speed': bus '%s' already runs at %u Hz (set by "
			    "'%s')", bus->name, bus->speed_hz, bus->speed_from->name);
	bus->speed_hz = hz;
	bus->speed_from = d;
	return 0;
}

static int build_i2c(struct ctx *x, struct cfg_device *d)
{
	const struct opts_item *it = x->it;
	const char *busname = opts_get(it, "bus"), *mode = opts_get(it, "mctp-fwd");
	struct cfg_i2c_bus *bus;
	struct net_addr na;
	uint64_t v;
	int rc;

	if (!i2c_bus_name_ok(busname))
		return perr(x, "property 'bus': '%s' is not a usable I2C bus name (letters, "
			    "digits, '-', '.', '_')", busname);
	v = get_u64(it, "address", 0, NULL);
	if (v > 0x7f)
		return perr(x, "property 'address': 0x%llx is not a 7-bit I2C address",
			    (unsigned long long)v);
	d->u.i2c.address = (uint8_t)v;
	rc = resolve_target(x, opts_get(it, "target"), KIND(CFG_CXL_USP) | KIND(CFG_CXL_TYPE3),
			    "a cxl-upstream or cxl-type3", &d->u.i2c.target);
	if (rc)
		return rc;
	d->u.i2c.forward = get_bool(it, "mctp-msg-forward", false);
	d->u.i2c.qmp = dup_opt(it, "qmp");
	if (opts_get(it, "qmp") && !d->u.i2c.qmp)
		return -ENOMEM;
	if (d->u.i2c.forward && !d->u.i2c.qmp)
		return perr(x, "missing required property 'qmp' (mctp-msg-forward=on needs the "
			    "target host's QMP address)");
	if (!d->u.i2c.forward && (mode || opts_get(it, "fwd-timeout") || d->u.i2c.qmp))
		return perr(x, "property '%s': only used with mctp-msg-forward=on",
			    mode ? "mctp-fwd" : d->u.i2c.qmp ? "qmp" : "fwd-timeout");
	/* as the forwarding client will read it (src/emu/fwd.c, qmp_client.c) */
	if (d->u.i2c.qmp && net_addr_parse(d->u.i2c.qmp, true, &na))
		return perr(x, "property 'qmp': '%s' is not HOST:PORT, tcp:HOST:PORT or "
			    "unix:PATH", d->u.i2c.qmp);
	if (!mode || !strcmp(mode, "shm"))
		d->u.i2c.fwd_mode = CFG_FWD_SHM;
	else if (!strcmp(mode, "inline"))
		d->u.i2c.fwd_mode = CFG_FWD_INLINE;
	else
		return perr(x, "property 'mctp-fwd': '%s' is not shm or inline", mode);
	v = get_u64(it, "fwd-timeout", CFG_DEFAULT_FWD_TIMEOUT_MS, NULL);
	if (!v)
		return perr(x, "property 'fwd-timeout': must be at least 1 ms");
	d->u.i2c.fwd_timeout_ms = (uint32_t)v;

	bus = cfg_find_i2c_bus(x->c, busname);
	if (!bus) {
		bus = calloc(1, sizeof(*bus));
		if (!bus)
			return -ENOMEM;
		bus->name = strdup(busname);
		if (!bus->name || push(&x->c->i2c_buses, &x->c->n_i2c_buses, bus)) {
			free(bus->name);
			free(bus);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < bus->n_eps; i++)
		if (bus->eps[i]->u.i2c.address == d->u.i2c.address)
			return perr(x, "property 'address': 0x%x on bus '%s' is already used by "
				    "'%s'", d->u.i2c.address, busname, bus->eps[i]->name);
	rc = set_bus_speed(x, bus, d, opts_get(it, "i2c-speed"));
	if (rc)
		return rc;
	d->u.i2c.bus = bus;
	return push(&bus->eps, &bus->n_eps, d);
}

static int new_device(struct ctx *x, enum cfg_dev_kind kind, const char *driver,
		      struct cfg_device **out)
{
	struct cfg_device *d = calloc(1, sizeof(*d));
	const char *id = opts_get(x->it, "id");
	char name[160];

	if (!d)
		return -ENOMEM;
	d->kind = kind;
	d->devfn = -1;
	d->argi = x->it->argi;
	d->driver = strdup(driver);
	d->id = id ? strdup(id) : NULL;
	if (id)
		snprintf(name, sizeof(name), "%s", id);
	else
		snprintf(name, sizeof(name), "%s[%u]", driver, x->anon++);
	d->name = strdup(name);
	if (!d->driver || !d->name || (id && !d->id) ||
	    push(&x->c->devices, &x->c->n_devices, d)) {
		device_free(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

static int build_plain_device(struct ctx *x, const char *driver)
{
	const char *busname = opts_get(x->it, "bus"), *id = opts_get(x->it, "id");
	struct cfg_device *bus = busname ? cfg_find_device(x->c, busname) : NULL, *d;
	int rc;

	/* Only a PCI function behind a CXL port is part of the CXL topology. */
	if (!bus || !is_port(bus)) {
		if (busname && later_definition(x, busname))
			return perr(x, "property 'bus': bus '%s' not found (it is defined later, "
				    "by argument %d; devices are created in command-line order)",
				    busname, later_definition(x, busname));
		return warn(x, "%s: ignored (not on a CXL port; only the VM would use it)",
			    x->label);
	}
	if (id && (rc = check_id(x, id)))
		return rc;
	if (id && cfg_find_device(x->c, id))
		return perr(x, "duplicate id '%s' (already used by another -device)", id);
	rc = new_device(x, CFG_PCI_FUNC, driver, &d);
	if (rc)
		return rc;
	{
		const char *addr = opts_get(x->it, "addr");
		int devfn;

		if (addr && parse_pciaddr(addr, &devfn))
			return perr(x, "property 'addr': '%s' is not a PCI address", addr);
	}
	if (opts_get(x->it, "multifunction")) {
		bool b;

		if (opts_parse_bool(opts_get(x->it, "multifunction"), &b))
			return perr(x, "property 'multifunction': '%s' is not a boolean",
				    opts_get(x->it, "multifunction"));
	}
	rc = place_pci(x, d, bus);
	if (rc)
		return rc;
	return link_child(bus, d);
}

static int build_device(struct ctx *x, const struct opts_item *it)
{
	const char *driver = opts_get(it, "driver"), *id;
	const struct drvdef *dd;
	struct cfg_device *d, *bus = NULL;
	char hint[128];
	int rc;

	set_item(x, it);
	if (!driver || !*driver)
		return perr(x, "missing required property 'driver'");
	dd = find_driver(driver);
	if (!dd)
		return build_plain_device(x, driver);
	snprintf(hint, sizeof(hint), "-device %s", driver);
	rc = check_props(x, dd->props, "driver", hint);
	if (rc)
		return rc;
	id = opts_get(it, "id");
	if (id) {
		rc = check_id(x, id);
		if (rc)
			return rc;
		if (cfg_find_device(x->c, id))
			return perr(x, "duplicate id '%s' (already used by another -device)", id);
	}
	rc = new_device(x, dd->kind, driver, &d);
	if (rc)
		return rc;

	switch (dd->kind) {
	case CFG_PXB_CXL:
		rc = resolve_bus(x, opts_get(it, "bus") ? opts_get(it, "bus") : "pcie.0",
				 KIND(CFG_PCI_ROOT), "the PCI root bus pcie.0", &bus);
		if (rc)
			return rc;
		d->u.pxb.bus_nr = (uint8_t)get_u64(it, "bus_nr", 0, NULL);
		d->u.pxb.hdm_for_passthrough = get_bool(it, "hdm_for_passthrough", false);
		if (!d->u.pxb.bus_nr)
			return perr(x, "property 'bus_nr': bus 0 belongs to pcie.0");
		for (size_t i = 0; i < x->c->n_devices; i++) {
			struct cfg_device *o = x->c->devices[i];

			if (o != d && o->kind == CFG_PXB_CXL && o->u.pxb.bus_nr == d->u.pxb.bus_nr)
				return perr(x, "property 'bus_nr': bus %u is already used by '%s'",
					    d->u.pxb.bus_nr, o->name);
		}
		break;
	case CFG_CXL_RP:
		rc = resolve_bus(x, opts_get(it, "bus"), KIND(CFG_PXB_CXL), "a pxb-cxl", &bus);
		break;
	case CFG_CXL_USP:
		rc = resolve_bus(x, opts_get(it, "bus"), KIND(CFG_CXL_RP) | KIND(CFG_CXL_DSP),
				 "a cxl-rp or cxl-downstream", &bus);
		if (!rc) {
			d->u.usp.port = (uint8_t)get_u64(it, "port", 0, NULL);
			d->u.usp.sn = get_u64(it, "sn", 0, &d->u.usp.has_sn);
		}
		break;
	case CFG_CXL_DSP:
		rc = resolve_bus(x, opts_get(it, "bus"), KIND(CFG_CXL_USP), "a cxl-upstream",
				 &bus);
		break;
	case CFG_SWITCH_CCI:
		rc = resolve_bus(x, opts_get(it, "bus"), KIND(CFG_CXL_RP) | KIND(CFG_CXL_DSP),
				 "a cxl-rp or cxl-downstream", &bus);
		if (!rc)
			rc = resolve_target(x, opts_get(it, "target"), KIND(CFG_CXL_USP),
					    "a cxl-upstream", &d->u.cci.target);
		break;
	case CFG_CXL_TYPE3:
		rc = resolve_bus(x, opts_get(it, "bus"), KIND(CFG_CXL_RP) | KIND(CFG_CXL_DSP),
				 "a cxl-rp or cxl-downstream", &bus);
		if (!rc)
			rc = build_type3(x, d);
		break;
	case CFG_I2C_MCTP:
		return build_i2c(x, d);
	case CFG_PCI_ROOT:
	case CFG_PCI_FUNC:
		break;
	}
	if (rc)
		return rc;
	if (dd->kind == CFG_CXL_RP || dd->kind == CFG_CXL_DSP) {
		d->u.port.port = (uint8_t)get_u64(it, "port", 0, NULL);
		d->u.port.chassis = (uint8_t)get_u64(it, "chassis", 0, NULL);
		d->u.port.slot = (uint16_t)get_u64(it, "slot", 0, NULL);
	}
	rc = place_pci(x, d, bus);
	if (rc)
		return rc;
	rc = link_child(bus, d);
	if (rc)
		return rc;
	if (dd->kind == CFG_CXL_RP || dd->kind == CFG_CXL_DSP)
		return check_port_numbers(x, d);
	return 0;
}

/* PCI rule: functions above 0 need function 0 with multifunction=on. */
static int check_multifunction(struct ctx *x, const struct cfg_device *bus)
{
	for (size_t i = 0; i < bus->n_children; i++) {
		const struct cfg_device *d = bus->children[i], *f0;

		if (d->devfn > 0 && (d->devfn & 7)) {
			f0 = devfn_user(bus, d->devfn & ~7);
			if (f0 && !f0->multifunction) {
				x->it = NULL;
				return perr(x, "-device %s,id=%s: function %x.%x needs "
					    "multifunction=on on function 0 ('%s')",
					    f0->driver, f0->name, (unsigned)d->devfn >> 3,
					    (unsigned)d->devfn & 7, f0->name);
			}
		}
		if (check_multifunction(x, d))
			return -EINVAL;
	}
	return 0;
}

/* ---- machine ---- */

static void fmw_free(struct cfg_fmw *f)
{
	if (!f)
		return;
	free(f->targets);
	free(f);
}


#define FMW_MAX 16
#define FMW_MAX_TARGETS 16

struct fmw_tmp {
	bool used;
	const char *targets[FMW_MAX_TARGETS];
	const struct opts_item *target_it[FMW_MAX_TARGETS];
	const char *size, *gran;
	const struct opts_item *size_it, *gran_it;
};

/* "cxl-fmw.N.targets.M", "cxl-fmw.N.size", "cxl-fmw.N.interleave-granularity" */
static int machine_fmw_prop(struct ctx *x, struct fmw_tmp *t, const struct opts_prop *p)
{
	const char *k = p->key + strlen("cxl-fmw.");
	char *end;
	unsigned long n, m;

	errno = 0;
	n = strtoul(k, &end, 10);
	if (end == k || *end != '.' || errno || n >= FMW_MAX)
		return perr(x, "unknown property '%s' (cxl-fmw.N.targets.M, cxl-fmw.N.size, "
			    "cxl-fmw.N.interleave-granularity; N < %d)", p->key, FMW_MAX);
	k = end + 1;
	t[n].used = true;
	if (!strncmp(k, "targets.", 8)) {
		const char *mk = k + 8;

		m = strtoul(mk, &end, 10);
		if (end == mk || *end || errno || m >= FMW_MAX_TARGETS)
			return perr(x, "unknown property '%s' (targets index must be < %d)", p->key,
				    FMW_MAX_TARGETS);
		t[n].targets[m] = p->val;
		t[n].target_it[m] = x->it;
		return 0;
	}
	if (!strcmp(k, "size") || !strcmp(k, "interleave-granularity")) {
		uint64_t v;
		int rc = opts_parse_size(p->val, &v);

		if (rc)
			return perr(x, "property '%s': '%s' is not a size (a number with an "
				    "optional B/K/M/G/T suffix)", p->key, p->val);
		if (k[0] == 's') {
			t[n].size = p->val;
			t[n].size_it = x->it;
		} else {
			t[n].gran = p->val;
			t[n].gran_it = x->it;
		}
		return 0;
	}
	return perr(x, "unknown property '%s' (cxl-fmw.N.targets.M, cxl-fmw.N.size, "
		    "cxl-fmw.N.interleave-granularity)", p->key);
}

static int build_machine(struct ctx *x, struct fmw_tmp *fmw)
{
	char ignored[256] = "";
	size_t used = 0;
	int rc;

	for (size_t i = 0; i < x->o->n; i++) {
		const struct opts_item *it = &x->o->items[i];

		if (strcmp(it->opt, "machine"))
			continue;
		set_item(x, it);
		for (size_t j = 0; j < it->n_props; j++) {
			const struct opts_prop *p = &it->props[j];

			if (!strcmp(p->key, "type")) {
				free(x->c->machine.type);
				x->c->machine.type = strdup(p->val);
				if (!x->c->machine.type)
					return -ENOMEM;
			} else if (!strcmp(p->key, "cxl")) {
				if (opts_parse_bool(p->val, &x->c->machine.cxl))
					return perr(x, "property 'cxl': '%s' is not a boolean "
						    "(on/off, yes/no, true/false)", p->val);
			} else if (!strncmp(p->key, "cxl-fmw.", 8)) {
				rc = machine_fmw_prop(x, fmw, p);
				if (rc)
					return rc;
			} else if (!strncmp(p->key, "cxl", 3)) {
				return perr(x, "unknown property '%s' (cxl, cxl-fmw.N.*)", p->key);
			} else if (!strstr(ignored, p->key)) {
				used += (size_t)snprintf(ignored + used, sizeof(ignored) - used, "%s%s",
							 used ? ", " : "", p->key);
				if (used >= sizeof(ignored))
					used = sizeof(ignored) - 1;
			}
		}
	}
	if (!x->c->machine.type)
		x->c->machine.type = strdup("q35");
	if (!x->c->machine.type)
		return -ENOMEM;
	if (*ignored)
		return warn(x, "-machine: ignoring VM-only properties: %s", ignored);
	return 0;
}

static bool valid_ways(size_t n)
{
	/* CXL r3.1 8.2.4.20.7: 1, 2, 4, 8, 16 and 3, 6, 12 way interleave */
	return n == 1 || n == 2 || n == 4 || n == 8 || n == 16 || n == 3 || n == 6 || n == 12;
}

static int resolve_fmws(struct ctx *x, struct fmw_tmp *t)
{
	char key[64];

	for (unsigned n = 0; n < FMW_MAX; n++) {
		struct cfg_fmw *f;
		size_t m;

		if (!t[n].used)
			continue;
		x->it = NULL;
		if (n && !t[n - 1].used)
			return perr(x, "-machine: cxl-fmw.%u given without cxl-fmw.%u (windows "
				    "are numbered from 0)", n, n - 1);
		for (m = 0; m < FMW_MAX_TARGETS && t[n].targets[m]; m++)
			;
		for (size_t k = m; k < FMW_MAX_TARGETS; k++)
			if (t[n].targets[k])
				return perr(x, "-machine: cxl-fmw.%u.targets.%zu given without "
					    "cxl-fmw.%u.targets.%zu", n, k, n, m);
		if (!m)
			return perr(x, "-machine: missing required property "
				    "'cxl-fmw.%u.targets.0'", n);
		if (!t[n].size)
			return perr(x, "-machine: missing required property 'cxl-fmw.%u.size'", n);
		if (!valid_ways(m))
			return perr(x, "-machine: cxl-fmw.%u has %zu targets; interleave ways must "
				    "be 1, 2, 3, 4, 6, 8, 12 or 16", n, m);
		f = calloc(1, sizeof(*f));
		if (!f || push(&x->c->machine.fmws, &x->c->machine.n_fmws, f)) {
			free(f);
			return -ENOMEM;
		}
		f->index = n;
		f->targets = calloc(m, sizeof(*f->targets));
		if (!f->targets)
			return -ENOMEM;
		f->n_targets = m;
		for (size_t k = 0; k < m; k++) {
			struct cfg_device *d = cfg_find_device(x->c, t[n].targets[k]);

			snprintf(key, sizeof(key), "cxl-fmw.%u.targets.%zu", n, k);
			if (!d)
				return perr(x, "-machine: property '%s': host bridge '%s' not found",
					    key, t[n].targets[k]);
			if (d->kind != CFG_PXB_CXL)
				return perr(x, "-machine: property '%s': '%s' is a %s, expected a "
					    "pxb-cxl", key, t[n].targets[k], d->driver);
			f->targets[k] = d;
		}
		opts_parse_size(t[n].size, &f->size);
		/* QEMU cxl_fixed_memory_window_config(): 256 MiB granules */
		if (!f->size || f->size % (256ull << 20))
			return perr(x, "-machine: property 'cxl-fmw.%u.size': %s is not a "
				    "multiple of 256 MiB", n, t[n].size);
		f->granularity = 256;
		if (t[n].gran)
			opts_parse_size(t[n].gran, &f->granularity);
		if (f->granularity < 256 || f->granularity > 16384 ||
		    (f->granularity & (f->granularity - 1)))
			return perr(x, "-machine: property 'cxl-fmw.%u.interleave-granularity': "
				    "%s is not a power of 2 from 256 to 16k", n,
				    t[n].gran ? t[n].gran : "?");
	}
	return 0;
}

/* ---- QMP monitors ---- */

static void qmp_free(struct cfg_qmp *q)
{
	if (!q)
		return;
	free(q->host);
	free(q->port);
	free(q->path);
	free(q->addr);
	free(q->origin);
	free(q);
}

/*
 * Shared by -qmp ADDR,... and -chardev socket,...: the server socket
 * options QEMU users write. Anything we cannot serve is an error, not a
 * silent downgrade.
 */
static int qmp_socket_opts(struct ctx *x, struct cfg_qmp *q, bool pretty)
{
	const struct opts_item *it = x->it;
	static const char *const unsupported[] = {
		"telnet", "tn3270", "websocket", "abstract", "mux",
	};
	bool server = get_bool(it, "server", false);
	int rc = check_props(x, props_qmp, NULL, "-chardev socket");

	if (rc)
		return rc;
	if (!server)
		return perr(x, "only QMP servers are supported: add server=on,wait=off");
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (get_bool(it, unsupported[i], false))
			return perr(x, "property '%s': not supported", unsupported[i]);
	if (opts_get(it, "tls-creds") || opts_get(it, "fd"))
		return perr(x, "property '%s': not supported",
			    opts_get(it, "fd") ? "fd" : "tls-creds");
	q->wait = get_bool(it, "wait", true);
	q->pretty = pretty;
	if (q->wait)
		return note(x, "%s: wait=on ignored, cxl-emu never waits for a QMP client",
			    x->label);
	return 0;
}

static int add_qmp(struct ctx *x, struct cfg_qmp *q)
{
	char buf[512];
	char *origin = strdup(x->label);

	if (q->kind == CFG_QMP_TCP)
		snprintf(buf, sizeof(buf), "tcp:%s%s%s:%s", strchr(q->host, ':') ? "[" : "",
			 q->host, strchr(q->host, ':') ? "]" : "", q->port);
	else
		snprintf(buf, sizeof(buf), "unix:%s", q->path);
	q->addr = strdup(buf);
	q->origin = origin;
	if (!q->addr || !origin)
		return -ENOMEM;
	for (size_t i = 0; i < x->c->n_qmps; i++)
		if (x->c->qmps[i] != q && x->c->qmps[i]->addr &&
		    !strcmp(x->c->qmps[i]->addr, q->addr) && strcmp(q->port ? q->port : "", "0"))
			return perr(x, "QMP address %s is already used by %s", q->addr,
				    x->c->qmps[i]->origin);
	return 0;
}

/* "tcp:HOST:PORT", "tcp:[v6]:PORT", "unix:PATH" (QEMU qemu_chr_parse_compat) */
static int parse_qmp_addr(struct ctx *x, const char *a, struct cfg_qmp *q)
{
	if (!strncmp(a, "tcp:", 4)) {
		const char *h = a + 4, *colon;

		if (*h == '[') {
			const char *rb = strchr(h, ']');

			if (!rb || rb[1] != ':')
				return perr(x, "'%s' is not tcp:HOST:PORT", a);
			q->host = strndup(h + 1, (size_t)(rb - h - 1));
			colon = rb + 1;
		} else {
			colon = strrchr(h, ':');
			if (!colon)
				return perr(x, "'%s' is not tcp:HOST:PORT", a);
			q->host = strndup(h, (size_t)(colon - h));
		}
		if (!colon[1])
			return perr(x, "'%s' has no port", a);
		q->port = strdup(colon + 1);
		q->kind = CFG_QMP_TCP;
		return q->host && q->port ? 0 : -ENOMEM;
	}
	if (!strncmp(a, "unix:", 5)) {
		if (!a[5])
			return perr(x, "'%s' has no path", a);
		q->path = strdup(a + 5);
		q->kind = CFG_QMP_UNIX;
		return q->path ? 0 : -ENOMEM;
	}
	return perr(x, "'%s': only tcp:HOST:PORT and unix:PATH QMP servers are supported", a);
}

static int build_qmp(struct ctx *x, const struct opts_item *it)
{
	struct cfg_qmp *q = calloc(1, sizeof(*q));
	int rc;

	set_item(x, it);
	if (!q || push(&x->c->qmps, &x->c->n_qmps, q)) {
		free(q);
		return -ENOMEM;
	}
	if (!opts_get(it, "addr"))
		return perr(x, "missing the address (tcp:HOST:PORT or unix:PATH)");
	rc = parse_qmp_addr(x, opts_get(it, "addr"), q);
	if (!rc)
		rc = qmp_socket_opts(x, q, !strcmp(it->given + 1 + (it->given[1] == '-'),
						     "qmp-pretty"));
	if (!rc)
		rc = add_qmp(x, q);
	return rc;
}

/* -mon chardev=ID,mode=control on a -chardev socket,...,server=on */
static int build_mon(struct ctx *x, const struct opts_item *it)
{
	const char *cid = opts_get(it, "chardev"), *mode = opts_get(it, "mode");
	const struct opts_item *ch = NULL;
	struct cfg_qmp *q;
	size_t k;
	int rc;

	set_item(x, it);
	for (size_t i = 0; i < it->n_props; i++) {
		const char *key = it->props[i].key;

		if (strcmp(key, "chardev") && strcmp(key, "mode") && strcmp(key, "pretty") &&
		    strcmp(key, "id"))
			return perr(x, "unknown property '%s' (chardev, mode, pretty, id)", key);
	}
	if (!mode || !strcmp(mode, "readline"))
		return warn(x, "%s: ignored (a human monitor, mode=readline; use mode=control "
			    "for QMP)", x->label);
	if (strcmp(mode, "control"))
		return perr(x, "property 'mode': '%s' is not control or readline", mode);
	if (!cid)
		return perr(x, "missing required property 'chardev'");
	for (k = 0; k < x->n_chardevs; k++) {
		const char *id = opts_get(x->chardevs[k], "id");

		if (id && !strcmp(id, cid)) {
			ch = x->chardevs[k];
			break;
		}
	}
	if (!ch)
		return perr(x, "property 'chardev': chardev '%s' not found", cid);
	if (x->chardev_used[k])
		return perr(x, "property 'chardev': chardev '%s' is already used by a monitor",
			    cid);
	x->chardev_used[k] = true;
	set_item(x, ch);
	snprintf(x->label, sizeof(x->label), "-chardev %s,id=%s", opts_get(ch, "backend"), cid);
	if (strcmp(opts_get(ch, "backend"), "socket"))
		return perr(x, "QMP on a '%s' chardev is not supported (use socket with "
			    "server=on)", opts_get(ch, "backend"));
	q = calloc(1, sizeof(*q));
	if (!q || push(&x->c->qmps, &x->c->n_qmps, q)) {
		free(q);
		return -ENOMEM;
	}
	if (opts_get(ch, "path")) {
		q->kind = CFG_QMP_UNIX;
		q->path = dup_opt(ch, "path");
		if (!q->path)
			return -ENOMEM;
	} else if (opts_get(ch, "port")) {
		q->kind = CFG_QMP_TCP;
		q->host = strdup(opts_get(ch, "host") ? opts_get(ch, "host") : "");
		q->port = dup_opt(ch, "port");
		if (!q->host || !q->port)
			return -ENOMEM;
	} else {
		return perr(x, "missing required property 'path' or 'port'");
	}
	rc = qmp_socket_opts(x, q, get_bool(it, "pretty", false));
	if (!rc)
		rc = add_qmp(x, q);
	return rc;
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
		memdev_free(c->memdevs[i]);
	free(c->memdevs);
	for (size_t i = 0; i < c->n_devices; i++)
		device_free(c->devices[i]);
	free(c->devices);
	device_free(c->root);
	for (size_t i = 0; i < c->n_i2c_buses; i++) {
		free(c->i2c_buses[i]->name);
		free(c->i2c_buses[i]->eps);
		free(c->i2c_buses[i]);
	}
	free(c->i2c_buses);
	for (size_t i = 0; i < c->n_qmps; i++)
		qmp_free(c->qmps[i]);
	free(c->qmps);
	for (size_t i = 0; i < c->machine.n_fmws; i++)
		fmw_free(c->machine.fmws[i]);
	free(c->machine.fmws);
	free(c->machine.type);
	free(c->name);
	free_lines(c->warnings, c->n_warnings);
	free_lines(c->notes, c->n_notes);
	free(c);
}

static int build_vm_option(struct ctx *x, const struct opts_item *it)
{
	if (it->arg)
		return warn(x, "%s %s: ignored (VM-only option)", it->given, it->arg);
	return warn(x, "%s: ignored (VM-only option)", it->given);
}

static int build_name(struct ctx *x, const struct opts_item *it)
{
	const char *g = opts_get(it, "guest");

	set_item(x, it);
	if (!g || !*g)
		return perr(x, "missing required property 'guest'");
	free(x->c->name);
	x->c->name = strdup(g);
	if (!x->c->name)
		return -ENOMEM;
	return note(x, "-name %s: names the run directory (the VM name itself is ignored)", g);
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
			rc = build_object(x, &o->items[i]);
			if (rc)
				return rc;
		} else if (!strcmp(o->items[i].opt, "chardev")) {
			const struct opts_item *it = &o->items[i];

			set_item(x, it);
			if (!opts_get(it, "id"))
				return perr(x, "missing required property 'id'");
			for (size_t k = 0; k < x->n_chardevs; k++)
				if (!strcmp(opts_get(x->chardevs[k], "id"), opts_get(it, "id")))
					return perr(x, "duplicate id '%s' (another -chardev has it)",
						    opts_get(it, "id"));
			x->chardevs[x->n_chardevs++] = it;
		}
	}
	rc = build_machine(x, fmw);
	if (rc)
		return rc;
	for (size_t i = 0; i < o->n; i++) {
		const struct opts_item *it = &o->items[i];

		x->it = NULL;
		if (it->kind == OPTS_VM)
			rc = build_vm_option(x, it);
		else if (!strcmp(it->opt, "device"))
			rc = build_device(x, it);
		else if (!strcmp(it->opt, "qmp"))
			rc = build_qmp(x, it);
		else if (!strcmp(it->opt, "mon"))
			rc = build_mon(x, it);
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
		set_item(x, x->chardevs[k]);
		rc = warn(x, "-chardev %s: ignored (not a QMP monitor; only the VM would use it)",
			  x->chardevs[k]->arg);
		if (rc)
			return rc;
	}
	rc = resolve_fmws(x, fmw);
	if (rc)
		return rc;
	rc = check_multifunction(x, x->c->root);
	if (rc)
		return rc;
	x->it = NULL;
	if (!x->c->machine.cxl && x->c->root->n_children)
		return perr(x, "-machine: CXL devices need cxl=on (e.g. -machine q35,cxl=on)");
	if (x->c->machine.n_fmws && !x->c->machine.cxl)
		return perr(x, "-machine: cxl-fmw.* needs cxl=on");
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
				rc = warn(x, "-device cxl-type3,id=%s: sn=%llu is also the serial "
					  "number of '%s'; their forwarding CCI names collide",
					  b->name, (unsigned long long)b->u.t3.sn, a->name);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
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

static const char *ptype_name(enum ptype t)
{
	switch (t) {
	case P_STR: return "str";
	case P_BOOL: return "bool";
	case P_U8: return "uint8";
	case P_U16: return "uint16";
	case P_U32: return "uint32";
	case P_U64: return "uint64";
	case P_SIZE: return "size";
	case P_PCIADDR: return "pci-devfn";
	}
	return "?";
}

static void print_props(FILE *f, const char *what, const struct pdef *t)
{
	fprintf(f, "%s options:\n", what);
	for (; t->name; t++)
		fprintf(f, "  %-24s <%s>%s%s%s\n", t->name, ptype_name(t->type),
			t->required ? " (required)" : "", t->doc ? " - " : "", t->doc ? t->doc : "");
}

void cfg_print_supported(FILE *f)
{
	fprintf(f, "Devices (-device DRIVER,help lists the properties):\n");
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		fprintf(f, "  %-24s %s\n", drivers[i].name, drivers[i].doc);
	fprintf(f, "  %-24s %s\n", "any other PCI device",
		"kept as a non-CXL function when its bus= is a CXL port, else ignored");
	fprintf(f, "Objects (-object TYPE,help lists the properties):\n");
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		fprintf(f, "  %-24s %s\n", backends[i].name, backends[i].doc);
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
			if (dev && find_driver(what)) {
				print_props(f, what, find_driver(what)->props);
				return 1;
			}
			for (size_t i = 0; !dev && i < sizeof(backends) / sizeof(backends[0]); i++) {
				if (!strcmp(backends[i].name, what)) {
					print_props(f, what, backends[i].props);
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
