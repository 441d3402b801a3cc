/* SPDX-License-Identifier: MIT */
/* cxl-emu configuration: the property tables of every device, backend and
 * chardev we know, and the typed checks and getters over them. */
#include "emu/config_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* hw/pci/pci.c pci_props, every PCI device's */
#define PCI_COMMON \
	{ "addr", P_PCIADDR, false, "PCI slot.function on the parent bus (hex)" }, \
	{ "multifunction", P_BOOL, false, "function 0 of a multi-function slot" }, \
	{ "romfile", P_STR, false, "ignored (no option ROM)" }, \
	{ "romsize", P_U32, false, "ignored" }, \
	{ "rombar", P_U32, false, "ignored" }, \
	{ "acpi-index", P_U32, false, "ignored" }, \
	{ "failover_pair_id", P_STR, false, "ignored" }, \
	{ "sriov-pf", P_STR, false, "ignored" }, \
	{ "x-pcie-lnksta-dllla", P_BOOL, false, "ignored" }, \
	{ "x-pcie-extcap-init", P_BOOL, false, "ignored" }, \
	{ "x-pcie-err-unc-mask", P_BOOL, false, "ignored" }, \
	{ "x-pcie-ari-nextfn-1", P_BOOL, false, "ignored" }, \
	{ "x-pcie-ext-tag", P_BOOL, false, "ignored" }, \
	{ "x-max-bounce-buffer-size", P_SIZE, false, "ignored" }

/* Link properties, with the kind's QEMU defaults in the help text. */
#define LINK_PROPS(speed, width, flit) \
	{ "x-speed", P_LINK_SPEED, false, "max link speed in GT/s (default " speed ")" }, \
	{ "x-width", P_LINK_WIDTH, false, "max link width in lanes (default " width ")" }, \
	{ "x-256b-flit", P_BOOL, false, "256B flit mode (default " flit ")" }

/* hw/pci/pcie_port.c: PCIESlot (root and downstream ports) */
#define PORT_COMMON \
	{ "aer_log_max", P_U16, false, "ignored" }, \
	{ "hotplug", P_BOOL, false, "ignored" }, \
	{ "x-do-not-expose-native-hotplug-cap", P_BOOL, false, "ignored" }, \
	{ "bus-reserve", P_U32, false, "ignored" }, \
	{ "io-reserve", P_SIZE, false, "ignored" }, \
	{ "mem-reserve", P_SIZE, false, "ignored" }, \
	{ "pref32-reserve", P_SIZE, false, "ignored" }, \
	{ "pref64-reserve", P_SIZE, false, "ignored" }, \
	{ "power_controller_present", P_BOOL, false, "ignored" }

static const struct pdef props_pxb[] = {
	{ "id", P_STR, false, "name of the host bridge and of its bus" },
	{ "bus", P_STR, false, "PCI root bus (default pcie.0)" },
	{ "bus_nr", P_U8, false, "first bus number behind the host bridge (default 0)" },
	{ "hdm_for_passthrough", P_BOOL, false, "HDM decoders with a single root port" },
	{ "bypass_iommu", P_BOOL, false, "ignored" },
	{ "numa_node", P_U32, false, "ignored" },
	PCI_COMMON,
	{ NULL, P_STR, false, NULL },
};

static const struct pdef props_rp[] = {
	{ "id", P_STR, false, "name of the port and of its link" },
	{ "bus", P_STR, true, "a pxb-cxl id" },
	{ "port", P_U8, false, "port number (default 0)" },
	{ "chassis", P_U8, false, "chassis number (default 0)" },
	{ "slot", P_U16, false, "slot number (default 0)" },
	PORT_COMMON,
	LINK_PROPS("64", "32", "on"),
	{ "disable-acs", P_BOOL, false, "ignored" },
	PCI_COMMON,
	{ NULL, P_STR, false, NULL },
};

static const struct pdef props_usp[] = {
	{ "id", P_STR, false, "name of the switch upstream port" },
	{ "bus", P_STR, true, "a cxl-rp or cxl-downstream id" },
	{ "port", P_U8, false, "port number (default 0)" },
	{ "sn", P_U64, false, "serial number" },
	{ "cdat", P_STR, false, "ignored (built-in CDAT)" },
	{ "aer_log_max", P_U16, false, "ignored" },
	LINK_PROPS("32", "16", "on"),
	PCI_COMMON,
	{ NULL, P_STR, false, NULL },
};

static const struct pdef props_dsp[] = {
	{ "id", P_STR, false, "name of the port and of its link" },
	{ "bus", P_STR, true, "a cxl-upstream id" },
	{ "port", P_U8, false, "port number (default 0)" },
	{ "chassis", P_U8, false, "chassis number (default 0)" },
	{ "slot", P_U16, false, "slot number (default 0)" },
	PORT_COMMON,
	LINK_PROPS("64", "16", "on"),
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
	{ "id", P_STR, false, "name" },
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
	{ "x-nv-state", P_STR, false,
	  "cxl-fmemu: file of the device's non-volatile state (default: beside its first "
	  "shared backing file, <mem-path>.nv)" },
	{ "cdat", P_STR, false, "ignored (built-in CDAT)" },
	LINK_PROPS("32", "16", "off"),
	{ "hdm-db", P_BOOL, false, "HDM-DB (back-invalidate) decoders; needs x-256b-flit=on" },
	{ "chmu-port", P_U16, false, "port number of the hotness monitoring unit (default 0)" },
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

/* QEMU's link defaults: x-256b-flit on for the ports, off for cxl-type3;
 * x-speed 64 GT/s (6) below a switch and at a root port, 32 GT/s (5) for
 * the USP and a type-3; x-width 16 lanes, 32 at a root port. */
const struct drvdef cfg_drivers[] = {
	{ "pxb-cxl", CFG_PXB_CXL, props_pxb, "CXL host bridge", true, false, 0, 0 },
	{ "cxl-rp", CFG_CXL_RP, props_rp, "CXL root port", true, true, 6, 32 },
	{ "cxl-upstream", CFG_CXL_USP, props_usp, "CXL switch upstream port", true, true, 5, 16 },
	{ "cxl-downstream", CFG_CXL_DSP, props_dsp, "CXL switch downstream port", true, true, 6,
	  16 },
	{ "cxl-switch-mailbox-cci", CFG_SWITCH_CCI, props_cci, "CXL switch mailbox CCI", true,
	  false, 0, 0 },
	{ "cxl-type3", CFG_CXL_TYPE3, props_t3, "CXL type-3 memory device (DCD, MLD)", true,
	  false, 5, 16 },
	{ "i2c_mctp_cxl", CFG_I2C_MCTP, props_i2c, "MCTP-over-I2C endpoint for a CXL FM", false,
	  false, 0, 0 },
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

const struct backenddef cfg_backends[] = {
	{ "memory-backend-file", CFG_MEM_FILE, props_mem_file, "file-backed memory" },
	{ "memory-backend-ram", CFG_MEM_RAM, props_mem_ram, "anonymous memory" },
	{ "memory-backend-memfd", CFG_MEM_RAM, props_mem_ram, "anonymous memory (as ram)" },
};

const size_t cfg_n_drivers = CFG_N(cfg_drivers);
const size_t cfg_n_backends = CFG_N(cfg_backends);

/* -qmp chardev properties we accept (QEMU chardev socket options). */
const struct drvdef *cfg_find_driver(const char *name)
{
	for (size_t i = 0; i < cfg_n_drivers; i++)
		if (!strcmp(cfg_drivers[i].name, name))
			return &cfg_drivers[i];
	return NULL;
}

const struct backenddef *cfg_find_backend(const char *qom_type)
{
	for (size_t i = 0; i < cfg_n_backends; i++)
		if (!strcmp(cfg_backends[i].name, qom_type))
			return &cfg_backends[i];
	return NULL;
}

const struct pdef cfg_props_qmp[] = {
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

const struct pdef *cfg_find_pdef(const struct pdef *t, const char *name)
{
	for (; t && t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

int cfg_parse_pciaddr(const char *s, int *devfn)
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

/* A property type as QEMU names it (-device X,help, qom-list). */
const char *cfg_ptype_name(enum ptype t)
{
	switch (t) {
	case P_STR: return "str";
	case P_BOOL: return "bool";
	case P_U8: return "uint8";
	case P_U16: return "uint16";
	case P_U32: return "uint32";
	case P_U64: return "uint64";
	case P_SIZE: return "size";
	case P_PCIADDR: return "int32";
	case P_LINK_SPEED: return "PCIELinkSpeed";
	case P_LINK_WIDTH: return "PCIELinkWidth";
	}
	return "str";
}

/* QEMU's PCIELinkSpeed / PCIELinkWidth enums (qapi/common.json). */
const char *const cfg_link_speeds[CFG_LINK_SPEEDS] = { "2_5", "5", "8", "16", "32", "64" };

int cfg_link_speed(const char *s)
{
	if (!s)
		return 0;
	for (size_t i = 0; i < CFG_LINK_SPEEDS; i++)
		if (!strcmp(s, cfg_link_speeds[i]))
			return (int)i + 1;
	return -1;
}

int cfg_link_width(const char *s)
{
	static const char *const widths[] = { "1", "2", "4", "8", "12", "16", "32" };

	if (!s)
		return 0;
	for (size_t i = 0; i < CFG_N(widths); i++)
		if (!strcmp(s, widths[i]))
			return atoi(s);
	return -1;
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
			return cfg_err(x, "property '%s': '%s' is not a boolean "
				       "(on/off, yes/no, true/false)", d->name, v);
		return 0;
	case P_SIZE:
		rc = opts_parse_size(v, &u);
		if (rc == -ERANGE)
			return cfg_err(x, "property '%s': '%s' is too large", d->name, v);
		if (rc)
			return cfg_err(x, "property '%s': '%s' is not a size "
				       "(a number with an optional B/K/M/G/T suffix)", d->name, v);
		return 0;
	case P_LINK_SPEED:
		if (cfg_link_speed(v) < 0)
			return cfg_err(x, "property '%s': '%s' is not a link speed (2_5, 5, 8, 16, 32 "
				       "or 64 GT/s)", d->name, v);
		return 0;
	case P_LINK_WIDTH:
		if (cfg_link_width(v) < 0)
			return cfg_err(x, "property '%s': '%s' is not a link width (1, 2, 4, 8, 12, 16 "
				       "or 32 lanes)", d->name, v);
		return 0;
	case P_PCIADDR:
		if (cfg_parse_pciaddr(v, &devfn))
			return cfg_err(x, "property '%s': '%s' is not a PCI address "
				       "(slot[.function] in hex, slot <= 1f, function <= 7)", d->name, v);
		return 0;
	case P_U8: max = UINT8_MAX; break;
	case P_U16: max = UINT16_MAX; break;
	case P_U32: max = UINT32_MAX; break;
	case P_U64: max = UINT64_MAX; break;
	}
	rc = opts_parse_u64(v, &u);
	if (rc == -EINVAL)
		return cfg_err(x, "property '%s': '%s' is not a number", d->name, v);
	if (rc || u > max)
		return cfg_err(x, "property '%s': '%s' is out of range (0-%llu)", d->name, v,
			       (unsigned long long)max);
	return 0;
}

/*
 * Check every given property against the table (skip is the implied key),
 * then the required ones. what is "-device cxl-type3" style help hint.
 */
int cfg_check_props(struct ctx *x, const struct pdef *t, const char *skip,
		       const char *help_hint)
{
	const struct opts_item *it = x->it;

	for (size_t i = 0; i < it->n_props; i++) {
		const struct opts_prop *p = &it->props[i];
		const struct pdef *d;
		int rc;

		if (skip && !strcmp(p->key, skip))
			continue;
		d = cfg_find_pdef(t, p->key);
		if (!d)
			return cfg_err(x, "unknown property '%s' (see '%s,help')", p->key, help_hint);
		rc = check_value(x, d, p->val);
		if (rc)
			return rc;
	}
	for (; t->name; t++)
		if (t->required && !opts_get(it, t->name))
			return cfg_err(x, "missing required property '%s'", t->name);
	return 0;
}

/* Typed getters; values were checked by check_props. */
bool cfg_bool(const struct opts_item *it, const char *k, bool def)
{
	const char *v = opts_get(it, k);
	bool b = def;

	if (v)
		opts_parse_bool(v, &b);
	return b;
}

uint64_t cfg_u64(const struct opts_item *it, const char *k, uint64_t def, bool *has)
{
	const char *v = opts_get(it, k);
	uint64_t u = def;

	if (has)
		*has = v != NULL;
	if (v)
		opts_parse_u64(v, &u);
	return u;
}

uint64_t cfg_size(const struct opts_item *it, const char *k, uint64_t def)
{
	const char *v = opts_get(it, k);
	uint64_t u = def;

	if (v)
		opts_parse_size(v, &u);
	return u;
}

char *cfg_dup(const struct opts_item *it, const char *k)
{
	const char *v = opts_get(it, k);

	return v ? strdup(v) : NULL;
}

int cfg_copy_props(const struct opts_item *it, struct opts_prop **out, size_t *n)
{
	struct opts_prop *p = calloc(it->n_props ? it->n_props : 1, sizeof(*p));

	*out = NULL;
	*n = 0;
	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < it->n_props; i++) {
		p[i].key = strdup(it->props[i].key);
		p[i].val = strdup(it->props[i].val);
		if (!p[i].key || !p[i].val) {
			opts_props_free(p, i + 1);
			return -ENOMEM;
		}
	}
	*out = p;
	*n = it->n_props;
	return 0;
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

int cfg_check_id(struct ctx *x, const char *id)
{
	if (!id_ok(id))
		return cfg_err(x, "property 'id': '%s' is not a valid id (a letter, then letters, "
			       "digits, '-', '.', '_')", id);
	return 0;
}
