/* SPDX-License-Identifier: MIT */
/* cxl-emu configuration: memory backends and devices (-object, -device):
 * each builder checks one option and links it into the topology tree. */
#include "emu/config_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/netaddr.h"

/* ---- memory backends ---- */

void cfg_memdev_free(struct cfg_memdev *m)
{
	if (!m)
		return;
	free(m->id);
	free(m->mem_path);
	opts_props_free(m->props, m->n_props);
	free(m);
}

int cfg_build_object(struct ctx *x, const struct opts_item *it)
{
	const char *type = opts_get(it, "qom-type");
	const struct backenddef *b;
	char hint[160];
	struct cfg_memdev *m;
	int rc;

	cfg_set_item(x, it);
	if (!type)
		return cfg_err(x, "missing required property 'qom-type'");
	b = cfg_find_backend(type);
	if (!b)
		return cfg_warn(x, "%s: ignored (not a memory backend; only the VM would use it)",
				x->label);
	snprintf(hint, sizeof(hint), "-object %s", type);
	rc = cfg_check_props(x, b->props, "qom-type", hint);
	if (rc)
		return rc;
	rc = cfg_check_id(x, opts_get(it, "id"));
	if (rc)
		return rc;
	if (cfg_find_memdev(x->c, opts_get(it, "id")))
		return cfg_err(x, "duplicate id '%s' (another -object has it)", opts_get(it, "id"));
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->id = cfg_dup(it, "id");
	m->kind = b->kind;
	m->qom_type = b->name;
	m->mem_path = cfg_dup(it, "mem-path");
	m->size = cfg_size(it, "size", 0);
	m->share = cfg_bool(it, "share", false);
	m->prealloc = cfg_bool(it, "prealloc", false);
	m->align = cfg_size(it, "align", 0);
	m->discard_data = cfg_bool(it, "discard-data", false);
	m->readonly = cfg_bool(it, "readonly", false);
	m->pmem = cfg_bool(it, "pmem", false);
	m->argi = it->argi;
	if (!m->id || (m->kind == CFG_MEM_FILE && !m->mem_path) ||
	    cfg_copy_props(it, &m->props, &m->n_props)) {
		cfg_memdev_free(m);
		return -ENOMEM;
	}
	if (cfg_push(&x->c->memdevs, &x->c->n_memdevs, m)) {
		cfg_memdev_free(m);
		return -ENOMEM;
	}
	if (!m->size)
		return cfg_err(x, "property 'size': must be larger than 0");
	if (m->align && (m->align & (m->align - 1)))
		return cfg_err(x, "property 'align': %llu is not a power of 2",
			       (unsigned long long)m->align);
	if (m->prealloc)
		return cfg_note(x, "%s: prealloc ignored, memory is mapped on demand", x->label);
	return 0;
}

/* ---- devices ---- */

void cfg_device_free(struct cfg_device *d)
{
	if (!d)
		return;
	opts_props_free(d->props, d->n_props);
	free(d->driver);
	free(d->id);
	free(d->name);
	free(d->children);
	if (d->kind == CFG_CXL_TYPE3) {
		free(d->u.t3.mctp_buf_name);
		free(d->u.t3.nv_state);
	}
	if (d->kind == CFG_I2C_MCTP)
		free(d->u.i2c.qmp);
	free(d);
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
		later = cfg_later_definition(x, bus);
		if (later)
			return cfg_err(x, "property 'bus': bus '%s' not found (it is defined later, "
				       "by argument %d; devices are created in command-line order)",
				       bus, later);
		return cfg_err(x, "property 'bus': bus '%s' not found", bus);
	}
	if (!(kinds & (1u << p->kind)))
		return cfg_err(x, "property 'bus': '%s' is a %s, expected %s", bus,
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
		later = cfg_later_definition(x, id);
		if (later)
			return cfg_err(x, "property 'target': device '%s' not found (it is defined "
				       "later, by argument %d; devices are created in command-line "
				       "order)", id, later);
		return cfg_err(x, "property 'target': device '%s' not found", id);
	}
	if (!(kinds & (1u << t->kind)))
		return cfg_err(x, "property 'target': '%s' is a %s, expected %s", id, t->driver, expect);
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
		return cfg_err(x, "property '%s': memory backend '%s' not found (no -object with "
			       "that id)", prop, id);
	if (m->user)
		return cfg_err(x, "property '%s': memory backend '%s' is already used by '%s'", prop,
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

	d->multifunction = cfg_bool(x->it, "multifunction", false);
	if (addr) {
		cfg_parse_pciaddr(addr, &devfn);
		/* QEMU: a PCIe port's secondary bus has only slot 0 */
		if (is_port(bus) && (devfn >> 3))
			return cfg_err(x, "property 'addr': slot %x is not valid, port '%s' only "
				       "allows slot 0", (unsigned)devfn >> 3, bus->name);
		other = devfn_user(bus, devfn);
		if (other)
			return cfg_err(x, "property 'addr': %x.%x on bus '%s' is already used by '%s'",
				       (unsigned)devfn >> 3, (unsigned)devfn & 7, bus->name,
				       other->name);
	} else if (is_port(bus)) {
		other = devfn_user(bus, 0);
		if (other)
			return cfg_err(x, "port '%s' is already used by '%s' (give addr=0.N and "
				       "multifunction=on on function 0 to share it)", bus->name,
				       other->name);
		devfn = 0;
	} else {
		/* host bridge buses: first free slot; pcie.0 slots 0 and 1 are q35's */
		int slot = bus->kind == CFG_PCI_ROOT ? 2 : 0;

		while (slot < 32 && devfn_user(bus, slot << 3))
			slot++;
		if (slot == 32)
			return cfg_err(x, "no free PCI slot on bus '%s'", bus->name);
		devfn = slot << 3;
	}
	d->devfn = devfn;
	return 0;
}

static int link_child(struct cfg_device *bus, struct cfg_device *d)
{
	d->parent = bus;
	return cfg_push(&bus->children, &bus->n_children, d);
}

/*
 * Port numbers (port=) may repeat: QEMU does not check them, and several
 * cxl-rp left at the default 0 start. Chassis and slot pairs are unique
 * machine-wide: QEMU's pcie_chassis_add_slot() fails the second with
 * "Can't add chassis slot, error -16".
 */
static int check_chassis_slot(struct ctx *x, struct cfg_device *d)
{
	for (size_t i = 0; i < x->c->n_devices; i++) {
		struct cfg_device *s = x->c->devices[i];

		if (s != d && is_port(s) && s->u.port.chassis == d->u.port.chassis &&
		    s->u.port.slot == d->u.port.slot)
			return cfg_err(x, "chassis=%u,slot=%u is already used by '%s' (QEMU: "
				       "\"Can't add chassis slot, error -16\"; give each port "
				       "its own slot=)", d->u.port.chassis, d->u.port.slot, s->name);
	}
	return 0;
}

/*
 * x-speed, x-width and x-256b-flit of ports and type-3 devices, QEMU's
 * defaults for the kind when not given (see cfg_drivers).
 */
static void build_link(struct ctx *x, const struct drvdef *dd, struct cfg_device *d)
{
	int speed = cfg_link_speed(opts_get(x->it, "x-speed"));
	int width = cfg_link_width(opts_get(x->it, "x-width"));

	d->link.speed = (uint8_t)(speed > 0 ? speed : dd->speed);
	d->link.width = (uint8_t)(width > 0 ? width : dd->width);
	d->link.flit_256b = cfg_bool(x->it, "x-256b-flit", dd->flit_256b);
}

static int build_type3(struct ctx *x, struct cfg_device *d)
{
	const struct opts_item *it = x->it;
	const char *name = opts_get(it, "mctp-buf-name");
	bool has_nr;
	uint64_t nr = cfg_u64(it, "num-dc-regions", 0, &has_nr);
	struct cfg_memdev *legacy;
	int rc;

	d->u.t3.sn = cfg_u64(it, "sn", 0, &d->u.t3.has_sn);
	if ((rc = claim_memdev(x, d, "memdev", &legacy)) ||
	    (rc = claim_memdev(x, d, "persistent-memdev", &d->u.t3.persistent)) ||
	    (rc = claim_memdev(x, d, "volatile-memdev", &d->u.t3.vmem)) ||
	    (rc = claim_memdev(x, d, "volatile-dc-memdev", &d->u.t3.dc)) ||
	    (rc = claim_memdev(x, d, "lsa", &d->u.t3.lsa)))
		return rc;
	if (legacy && (d->u.t3.persistent || d->u.t3.vmem))
		return cfg_err(x, "property 'memdev': cannot be combined with persistent-memdev "
			       "or volatile-memdev");
	if (legacy)
		d->u.t3.persistent = legacy;
	if (!d->u.t3.persistent && !d->u.t3.vmem && !d->u.t3.dc)
		return cfg_err(x, "missing required property 'volatile-memdev', "
			       "'persistent-memdev', 'volatile-dc-memdev' or 'memdev' "
			       "(at least one memory backend)");
	if (nr > CFG_MAX_DC_REGIONS)
		return cfg_err(x, "property 'num-dc-regions': %llu is out of range (0-%d)",
			       (unsigned long long)nr, CFG_MAX_DC_REGIONS);
	d->u.t3.num_dc_regions = (uint8_t)nr;
	if (d->u.t3.dc && !nr)
		return cfg_err(x, "missing required property 'num-dc-regions' "
			       "(volatile-dc-memdev needs 1-%d regions)", CFG_MAX_DC_REGIONS);
	if (nr && !d->u.t3.dc)
		return cfg_err(x, "missing required property 'volatile-dc-memdev' "
			       "(num-dc-regions=%llu needs a backend)", (unsigned long long)nr);
	/* Beyond QEMU (CXL_NUM_EXTENTS_SUPPORTED, 512): the DC extent limit. */
	if (opts_get(it, "x-dc-extents-max")) {
		uint64_t m = cfg_u64(it, "x-dc-extents-max", 0, NULL);

		if (!d->u.t3.dc)
			return cfg_err(x, "property 'x-dc-extents-max': only used with "
				       "volatile-dc-memdev");
		if (m < 1 || m > CFG_MAX_DC_EXTENTS)
			return cfg_err(x, "property 'x-dc-extents-max': %llu is out of range (1-%u)",
				       (unsigned long long)m, CFG_MAX_DC_EXTENTS);
		d->u.t3.dc_extents_max = (uint32_t)m;
	}
	if (d->u.t3.dc) {
		/* QEMU cxl_create_dc_regions(): equal regions, 256 MiB multiples */
		uint64_t sz = d->u.t3.dc->size;

		if (sz % nr || (sz / nr) % (256ull << 20))
			return cfg_err(x, "property 'volatile-dc-memdev': backend size %llu does not "
				       "split into %llu regions of a multiple of 256 MiB",
				       (unsigned long long)sz, (unsigned long long)nr);
	}
	/* QEMU cxl_setup_memory() */
	if (d->u.t3.persistent && !d->u.t3.lsa)
		return cfg_err(x, "lsa property must be set for persistent devices");
	/* QEMU starts these; Identify Memory Device, Get Partition Info and
	 * Get FW Info then answer Internal Error, as ours do. */
	for (struct cfg_memdev *m = d->u.t3.vmem;; m = d->u.t3.persistent) {
		if (m && m->size % (256ull << 20) &&
		    (rc = cfg_warn(x, "%s: memory backend '%s' (%llu bytes) is not a multiple of "
				   "256 MiB: the device reports Internal Error for its capacity, "
				   "as QEMU's does", x->label, m->id, (unsigned long long)m->size)))
			return rc;
		if (m == d->u.t3.persistent)
			break;
	}
	/* DC regions start at the end of the static capacity, on a 256 MiB
	 * boundary (QEMU cxl_create_dc_regions()) */
	if (d->u.t3.dc) {
		uint64_t base = (d->u.t3.vmem ? d->u.t3.vmem->size : 0) +
				(d->u.t3.persistent ? d->u.t3.persistent->size : 0);

		if (base % (256ull << 20))
			return cfg_err(x, "property 'volatile-dc-memdev': the DC regions would start "
				       "at 0x%llx, after the static capacity, which is not a multiple "
				       "of 256 MiB", (unsigned long long)base);
	}
	d->u.t3.hdm_db = cfg_bool(it, "hdm-db", false);
	if (d->u.t3.hdm_db && !d->link.flit_256b)
		return cfg_err(x, "hdm-db requires operating in 256b flit (x-256b-flit=on)");
	d->u.t3.chmu_port = (uint16_t)cfg_u64(it, "chmu-port", 0, NULL);
	if (opts_get(it, "x-nv-state") && !(d->u.t3.nv_state = cfg_dup(it, "x-nv-state")))
		return -ENOMEM;
	d->u.t3.allow_fm_attach = cfg_bool(it, "allow-fm-attach", false);
	d->u.t3.mctp_buf_init = cfg_bool(it, "mctp-buf-init", false);
	nr = cfg_u64(it, "num-ld", 1, NULL);
	if (nr < 1 || nr > CFG_MAX_LD)
		return cfg_err(x, "property 'num-ld': %llu is out of range (1-%d)",
			       (unsigned long long)nr, CFG_MAX_LD);
	d->u.t3.num_ld = (uint8_t)nr;
	/* POSIX shm names: one leading '/', no other '/' */
	if (name && (name[0] != '/' || !name[1] || strchr(name + 1, '/') || strlen(name) > 200))
		return cfg_err(x, "property 'mctp-buf-name': '%s' is not a shared memory name "
			       "(\"/name\", no other '/')", name);
	d->u.t3.mctp_buf_name = strdup(name ? name : CFG_DEFAULT_MCTP_BUF_NAME);
	if (!d->u.t3.mctp_buf_name)
		return -ENOMEM;
	nr = cfg_u64(it, "mctp-buf-slots", 1, NULL);
	if (nr < 1 || nr > 64)
		return cfg_err(x, "property 'mctp-buf-slots': %llu is out of range (1-64)",
			       (unsigned long long)nr);
	d->u.t3.mctp_buf_slots = (uint32_t)nr;
	if (opts_get(it, "cdat"))
		return cfg_warn(x, "%s: cdat= ignored (the built-in CDAT is used)", x->label);
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
		return cfg_err(x, "property 'i2c-speed': '%s' is not 100k, 400k or 1M", v);
	if (bus->speed_hz && bus->speed_hz != hz)
		return cfg_err(x, "property 'i2c-speed': bus '%s' already runs at %u Hz (set by "
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
		return cfg_err(x, "property 'bus': '%s' is not a usable I2C bus name (letters, "
			       "digits, '-', '.', '_')", busname);
	v = cfg_u64(it, "address", 0, NULL);
	if (v > 0x7f)
		return cfg_err(x, "property 'address': 0x%llx is not a 7-bit I2C address",
			       (unsigned long long)v);
	d->u.i2c.address = (uint8_t)v;
	rc = resolve_target(x, opts_get(it, "target"), KIND(CFG_CXL_USP) | KIND(CFG_CXL_TYPE3),
			    "a cxl-upstream or cxl-type3", &d->u.i2c.target);
	if (rc)
		return rc;
	d->u.i2c.forward = cfg_bool(it, "mctp-msg-forward", false);
	d->u.i2c.qmp = cfg_dup(it, "qmp");
	if (opts_get(it, "qmp") && !d->u.i2c.qmp)
		return -ENOMEM;
	if (d->u.i2c.forward && !d->u.i2c.qmp)
		return cfg_err(x, "missing required property 'qmp' (mctp-msg-forward=on needs the "
			       "target host's QMP address)");
	if (!d->u.i2c.forward && (mode || opts_get(it, "fwd-timeout") || d->u.i2c.qmp))
		return cfg_err(x, "property '%s': only used with mctp-msg-forward=on",
			       mode ? "mctp-fwd" : d->u.i2c.qmp ? "qmp" : "fwd-timeout");
	/* as the forwarding client will read it (src/emu/fwd.c, qmp_client.c) */
	if (d->u.i2c.qmp && net_addr_parse(d->u.i2c.qmp, true, &na))
		return cfg_err(x, "property 'qmp': '%s' is not HOST:PORT, tcp:HOST:PORT or "
			       "unix:PATH", d->u.i2c.qmp);
	if (!mode || !strcmp(mode, "shm"))
		d->u.i2c.fwd_mode = CFG_FWD_SHM;
	else if (!strcmp(mode, "inline"))
		d->u.i2c.fwd_mode = CFG_FWD_INLINE;
	else
		return cfg_err(x, "property 'mctp-fwd': '%s' is not shm or inline", mode);
	v = cfg_u64(it, "fwd-timeout", CFG_DEFAULT_FWD_TIMEOUT_MS, NULL);
	if (!v)
		return cfg_err(x, "property 'fwd-timeout': must be at least 1 ms");
	d->u.i2c.fwd_timeout_ms = (uint32_t)v;

	bus = cfg_find_i2c_bus(x->c, busname);
	if (!bus) {
		bus = calloc(1, sizeof(*bus));
		if (!bus)
			return -ENOMEM;
		bus->name = strdup(busname);
		if (!bus->name || cfg_push(&x->c->i2c_buses, &x->c->n_i2c_buses, bus)) {
			free(bus->name);
			free(bus);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < bus->n_eps; i++)
		if (bus->eps[i]->u.i2c.address == d->u.i2c.address)
			return cfg_err(x, "property 'address': 0x%x on bus '%s' is already used by "
				       "'%s'", d->u.i2c.address, busname, bus->eps[i]->name);
	rc = set_bus_speed(x, bus, d, opts_get(it, "i2c-speed"));
	if (rc)
		return rc;
	d->u.i2c.bus = bus;
	return cfg_push(&bus->eps, &bus->n_eps, d);
}

/*
 * A device without id= is named as QEMU names it, by its QOM path
 * "/machine/peripheral-anon/device[N]", N counting every -device (and
 * device_add) without an id in order, kept or ignored.
 */
static int new_device(struct ctx *x, enum cfg_dev_kind kind, const char *driver,
		      unsigned anon, struct cfg_device **out)
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
		snprintf(name, sizeof(name), "/machine/peripheral-anon/device[%u]", anon);
	d->name = strdup(name);
	if (!d->driver || !d->name || (id && !d->id) ||
	    cfg_copy_props(x->it, &d->props, &d->n_props) ||
	    cfg_push(&x->c->devices, &x->c->n_devices, d)) {
		cfg_device_free(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

static int build_plain_device(struct ctx *x, const char *driver, unsigned anon)
{
	const char *busname = opts_get(x->it, "bus"), *id = opts_get(x->it, "id");
	struct cfg_device *bus = busname ? cfg_find_device(x->c, busname) : NULL, *d;
	int rc;

	/* Only a PCI function behind a CXL port is part of the CXL topology. */
	if (!bus || !is_port(bus)) {
		if (busname && cfg_later_definition(x, busname))
			return cfg_err(x, "property 'bus': bus '%s' not found (it is defined later, "
				       "by argument %d; devices are created in command-line order)",
				       busname, cfg_later_definition(x, busname));
		return cfg_warn(x, "%s: ignored (not on a CXL port; only the VM would use it)",
				x->label);
	}
	if (id && (rc = cfg_check_id(x, id)))
		return rc;
	if (id && cfg_find_device(x->c, id))
		return cfg_err(x, "duplicate id '%s' (already used by another -device)", id);
	rc = new_device(x, CFG_PCI_FUNC, driver, anon, &d);
	if (rc)
		return rc;
	{
		const char *addr = opts_get(x->it, "addr");
		int devfn;

		if (addr && cfg_parse_pciaddr(addr, &devfn))
			return cfg_err(x, "property 'addr': '%s' is not a PCI address", addr);
	}
	if (opts_get(x->it, "multifunction")) {
		bool b;

		if (opts_parse_bool(opts_get(x->it, "multifunction"), &b))
			return cfg_err(x, "property 'multifunction': '%s' is not a boolean",
				       opts_get(x->it, "multifunction"));
	}
	rc = place_pci(x, d, bus);
	if (rc)
		return rc;
	return link_child(bus, d);
}

/* Edit distance with transpositions (optimal string alignment), capped. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[40][40];

	if (la >= 40 || lb >= 40)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
			size_t m = sub < del ? sub : del;

			m = m < ins ? m : ins;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < m)
				m = d[i - 2][j - 2] + 1;
			d[i][j] = m;
		}
	}
	return d[la][lb];
}

/*
 * QEMU rejects a driver it does not know ("'x' is not a valid device model
 * name"). We ignore real QEMU devices that only the VM uses (e1000,
 * virtio-*), so an unknown name that looks like one of ours — it mentions
 * cxl or is an MCTP endpoint — is taken for a typo and rejected.
 */
static int reject_unknown_cxl(struct ctx *x, const char *driver)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	if (!strcasestr(driver, "cxl") && strncmp(driver, "i2c_mctp", 8) &&
	    strncmp(driver, "i2c-mctp", 8))
		return 0;
	for (size_t i = 0; i < cfg_n_drivers; i++) {
		size_t dist = edit_distance(driver, cfg_drivers[i].name);

		if (dist < best_d) {
			best_d = dist;
			best = cfg_drivers[i].name;
		}
	}
	if (best && best_d <= 3)
		return cfg_err(x, "'%s' is not a valid device model name (did you mean '%s'?)",
			       driver, best);
	return cfg_err(x, "'%s' is not a valid device model name (see -device help)", driver);
}

int cfg_build_device(struct ctx *x, const struct opts_item *it)
{
	const char *driver = opts_get(it, "driver"), *id = opts_get(it, "id");
	const struct drvdef *dd;
	struct cfg_device *d, *bus = NULL;
	unsigned anon = id ? 0 : x->c->n_anon++;
	char hint[128];
	int rc;

	cfg_set_item(x, it);
	if (!driver || !*driver)
		return cfg_err(x, "missing required property 'driver'");
	dd = cfg_find_driver(driver);
	if (!dd)
		return reject_unknown_cxl(x, driver) ?: build_plain_device(x, driver, anon);
	snprintf(hint, sizeof(hint), "-device %s", driver);
	rc = cfg_check_props(x, dd->props, "driver", hint);
	if (rc)
		return rc;
	if (id) {
		rc = cfg_check_id(x, id);
		if (rc)
			return rc;
		if (cfg_find_device(x->c, id))
			return cfg_err(x, "duplicate id '%s' (already used by another -device)", id);
	}
	rc = new_device(x, dd->kind, driver, anon, &d);
	if (rc)
		return rc;
	build_link(x, dd, d);

	switch (dd->kind) {
	case CFG_PXB_CXL:
		rc = resolve_bus(x, opts_get(it, "bus") ? opts_get(it, "bus") : "pcie.0",
				 KIND(CFG_PCI_ROOT), "the PCI root bus pcie.0", &bus);
		if (rc)
			return rc;
		/* QEMU's default is 0 ("not a legal PXB bus number", yet it
		 * starts); pxb_register_bus() refuses a number another host
		 * bridge has: "Bus N is already in use". */
		d->u.pxb.bus_nr = (uint8_t)cfg_u64(it, "bus_nr", 0, NULL);
		d->u.pxb.hdm_for_passthrough = cfg_bool(it, "hdm_for_passthrough", false);
		for (size_t i = 0; i < x->c->n_devices; i++) {
			struct cfg_device *o = x->c->devices[i];

			if (o != d && o->kind == CFG_PXB_CXL && o->u.pxb.bus_nr == d->u.pxb.bus_nr)
				return cfg_err(x, "property 'bus_nr': bus %u is already in use by "
					       "'%s'", d->u.pxb.bus_nr, o->name);
		}
		break;
	case CFG_CXL_RP:
		rc = resolve_bus(x, opts_get(it, "bus"), KIND(CFG_PXB_CXL), "a pxb-cxl", &bus);
		break;
	case CFG_CXL_USP:
		rc = resolve_bus(x, opts_get(it, "bus"), KIND(CFG_CXL_RP) | KIND(CFG_CXL_DSP),
				 "a cxl-rp or cxl-downstream", &bus);
		if (!rc) {
			d->u.usp.port = (uint8_t)cfg_u64(it, "port", 0, NULL);
			d->u.usp.sn = cfg_u64(it, "sn", 0, &d->u.usp.has_sn);
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
		d->u.port.port = (uint8_t)cfg_u64(it, "port", 0, NULL);
		d->u.port.chassis = (uint8_t)cfg_u64(it, "chassis", 0, NULL);
		d->u.port.slot = (uint16_t)cfg_u64(it, "slot", 0, NULL);
	}
	rc = place_pci(x, d, bus);
	if (rc)
		return rc;
	rc = link_child(bus, d);
	if (rc)
		return rc;
	if (dd->kind == CFG_CXL_RP || dd->kind == CFG_CXL_DSP)
		return check_chassis_slot(x, d);
	return 0;
}

/* PCI rule: functions above 0 need function 0 with multifunction=on. */
int cfg_check_multifunction(struct ctx *x, const struct cfg_device *bus)
{
	for (size_t i = 0; i < bus->n_children; i++) {
		const struct cfg_device *d = bus->children[i], *f0;

		if (d->devfn > 0 && (d->devfn & 7)) {
			f0 = devfn_user(bus, d->devfn & ~7);
			if (f0 && !f0->multifunction) {
				x->it = NULL;
				return cfg_err(x, "-device %s,id=%s: function %x.%x needs "
					       "multifunction=on on function 0 ('%s')",
					       f0->driver, f0->name, (unsigned)d->devfn >> 3,
					       (unsigned)d->devfn & 7, f0->name);
			}
		}
		if (cfg_check_multifunction(x, d))
			return -EINVAL;
	}
	return 0;
}
