/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl topology: what an FM can learn from the bus alone. Every
 * endpoint is identified; each switch endpoint gives its ports (Identify
 * Switch Device, Get Physical Port State) and vPPB bindings (Get Virtual
 * CXL Switch Info); type-3 devices below its downstream ports are reached
 * with Tunnel Management (Identify, Get DCD Info, DC region configuration,
 * extent lists). A device seen both behind a port and as an endpoint of
 * its own is one device (same serial number). Output: JSON, or Graphviz.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"

#define MAX_NODES 64

struct topo_dev {
	uint64_t serial;
	struct cxlfm_identify_rsp id;
	struct cxlfm_ep *ep;          /* how to reach it: endpoint ... */
	struct cxlfm_tunnel tun;      /* ... and tunnel (port -1: direct) */
	int eps[8];                   /* endpoint addresses that lead to it */
	size_t neps;
	int sw, port;                 /* switch index and port it sits below, or -1 */
	int ld_count;                 /* MLD: LDs; else 0 */
	bool dcd;
	struct cxlfm_get_host_dc_region_config_rsp cfg;
	uint32_t ext_count[CXLFM_DC_REGIONS_MAX];
	uint64_t ext_bytes[CXLFM_DC_REGIONS_MAX];
};

struct topo_sw {
	uint64_t serial;
	struct cxlfm_identify_rsp id;
	struct cxlfm_ep *ep;
	int eps[8];
	size_t neps;
	size_t nports;
	struct cxlfm_port_info ports[64];
	struct json_object *vcs;      /* array, as `vcs` prints it */
};

struct topo {
	struct topo_dev dev[MAX_NODES];
	size_t ndev;
	struct topo_sw sw[16];
	size_t nsw;
	struct json_object *eps;      /* endpoint list */
};

static const char topo_help[] =
	"Usage: cxl-fmctl topology [--dot]\n"
	"Discover the fabric behind the bus: endpoints, switches with their ports\n"
	"and vPPB bindings, type-3 devices behind switch ports (reached through\n"
	"Tunnel Management 5300h) or at endpoints of their own, and their DC\n"
	"regions with the extents accepted in each. --dot prints a Graphviz\n"
	"digraph (render with 'dot -Tsvg'), otherwise JSON.\n"
	"\n"
	"Keys: bus, endpoints (eid, address, component_type, serial), switches\n"
	"(serial, vendor_id, device_id, endpoints, ports, vcs), devices (serial,\n"
	"vendor_id, device_id, endpoints, switch_serial, port, ld_count, regions\n"
	"(region, base, length, block_size, extents, accepted_bytes)).\n";

static struct topo_dev *dev_find(struct topo *t, uint64_t serial)
{
	for (size_t i = 0; i < t->ndev; i++)
		if (t->dev[i].serial == serial)
			return &t->dev[i];
	return NULL;
}

static struct topo_dev *dev_add(struct topo *t, const struct cxlfm_identify_rsp *id,
				struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun)
{
	struct topo_dev *d = dev_find(t, id->serial);

	if (d)
		return d;
	if (t->ndev == MAX_NODES)
		return NULL;
	d = &t->dev[t->ndev++];
	memset(d, 0, sizeof(*d));
	d->serial = id->serial;
	d->id = *id;
	d->ep = ep;
	d->tun = tun ? *tun : (struct cxlfm_tunnel){ -1, -1 };
	d->sw = d->port = -1;
	return d;
}

/* DC regions and accepted extents of a device (best effort: none if unsupported). */
static void probe_dcd(struct fmctl *f, struct topo_dev *d)
{
	static struct cxlfm_get_dc_region_extent_lists_rsp el;
	const struct cxlfm_tunnel *tun = d->tun.port >= 0 ? &d->tun : NULL;
	struct cxlfm_get_ld_info_rsp li;
	uint32_t start = 0;

	if (!cxlfm_cmd_get_ld_info(d->ep, tun, &li))
		d->ld_count = li.ld_count;
	if (cxlfm_cmd_get_host_dc_region_config(d->ep, tun,
		&(struct cxlfm_get_host_dc_region_config_req){ 0, CXLFM_DC_REGIONS_MAX, 0 }, &d->cfg))
		return;
	d->dcd = true;
	do {
		struct cxlfm_get_dc_region_extent_lists_req req = {
			.extent_count = CXLFM_DC_EXTENTS_MAX, .start_index = start };

		if (cxlfm_cmd_get_dc_region_extent_lists(d->ep, tun, &req, &el))
			break;
		for (uint32_t k = 0; k < el.returned; k++)
			for (unsigned r = 0; r < d->cfg.regions_returned; r++) {
				const struct cxlfm_dc_region *g = &d->cfg.regions[r];

				if (el.extents[k].start_dpa >= g->base &&
				    el.extents[k].start_dpa - g->base < g->length) {
					d->ext_count[r]++;
					d->ext_bytes[r] += el.extents[k].length;
				}
			}
		start += el.returned;
		if (!el.returned)
			break;
	} while (start < el.total);
	(void)f;
}

static int probe_switch(struct fmctl *f, struct topo *t, struct topo_sw *s)
{
	uint8_t ids[256];
	size_t n;
	int rc;
	struct cxlfm_identify_switch_device_rsp isd;

	f->has_tunnel = false; /* topology talks to each switch's own CCI */
	if ((rc = fm_active_ports(f, s->ep, ids, &n)))
		return rc;
	if (n > 64)
		n = 64;
	if ((rc = fm_get_ports(f, s->ep, ids, n, s->ports)))
		return rc;
	s->nports = n;
	s->vcs = json_object_new_array();
	if (!cxlfm_cmd_identify_switch_device(s->ep, NULL, &isd)) {
		for (int v = 0; v < 256; v++) {
			struct json_object *o;

			if (!(isd.active_vcs_mask[v / 8] & (1u << (v % 8))))
				continue;
			if (fm_vcs_json(f, s->ep, (uint8_t)v, &o))
				break;
			json_object_array_add(s->vcs, o);
		}
	}
	for (size_t p = 0; p < n; p++) {
		const struct cxlfm_port_info *pi = &s->ports[p];
		struct cxlfm_tunnel tun = { pi->port_id, -1 };
		struct cxlfm_identify_rsp id;
		struct topo_dev *d;

		if (pi->config_state == CXLFM_PORT_STATE_USP ||
		    (pi->connected_dev_type != CXLFM_DEV_CXL_TYPE3_SLD &&
		     pi->connected_dev_type != CXLFM_DEV_CXL_TYPE3_MLD))
			continue;
		if (cxlfm_cmd_identify(s->ep, &tun, &id))
			continue;
		d = dev_add(t, &id, s->ep, &tun);
		if (!d)
			continue;
		d->sw = (int)(s - t->sw);
		d->port = pi->port_id;
	}
	return EXIT_OK;
}

static int build(struct fmctl *f, struct topo *t)
{
	int rc = fm_discover(f);

	if (rc)
		return rc;
	t->eps = json_object_new_array();
	for (size_t i = 0; i < cxlfm_ep_count(f->ctx); i++) {
		struct cxlfm_ep *ep = cxlfm_ep_at(f->ctx, i);
		struct json_object *o = fm_json_ep(ep);
		struct cxlfm_identify_rsp id;

		json_object_array_add(t->eps, o);
		if (cxlfm_cmd_identify(ep, NULL, &id)) {
			fm_json_add(o, "component_type", NULL);
			continue;
		}
		fm_json_add(o, "component_type",
			    json_object_new_string(fm_component_name(id.component_type)));
		fm_json_add(o, "serial", fm_json_u64(id.serial));
		if (id.component_type == CXLFM_COMPONENT_SWITCH && t->nsw < 16) {
			struct topo_sw *s = NULL;

			for (size_t k = 0; k < t->nsw; k++)
				if (t->sw[k].serial == id.serial)
					s = &t->sw[k];
			if (!s) {
				s = &t->sw[t->nsw++];
				memset(s, 0, sizeof(*s));
				s->serial = id.serial;
				s->id = id;
				s->ep = ep;
			}
			if (s->neps < 8)
				s->eps[s->neps++] = cxlfm_ep_addr(ep);
		} else if (id.component_type == CXLFM_COMPONENT_TYPE3) {
			struct topo_dev *d = dev_add(t, &id, ep, NULL);

			if (d && d->neps < 8)
				d->eps[d->neps++] = cxlfm_ep_addr(ep);
		}
	}
	for (size_t k = 0; k < t->nsw; k++)
		if ((rc = probe_switch(f, t, &t->sw[k])))
			return rc;
	/* Prefer the device's own endpoint to a tunnel for the DC details. */
	for (size_t k = 0; k < t->ndev; k++) {
		struct topo_dev *d = &t->dev[k];

		if (d->neps) {
			struct cxlfm_ep *ep;

			if (!cxlfm_ep_by_addr(f->ctx, (uint8_t)d->eps[0], &ep)) {
				d->ep = ep;
				d->tun = (struct cxlfm_tunnel){ -1, -1 };
			}
		}
		probe_dcd(f, d);
	}
	return EXIT_OK;
}

/* ---- JSON ---- */

static struct json_object *addr_list(const int *a, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_int(a[i]));
	return arr;
}

static struct json_object *to_json(struct fmctl *f, struct topo *t)
{
	struct json_object *o = json_object_new_object(), *sws, *devs;

	fm_json_add(o, "bus", json_object_new_string(f->bus));
	fm_json_add(o, "endpoints", json_object_get(t->eps));
	sws = json_object_new_array();
	for (size_t k = 0; k < t->nsw; k++) {
		struct topo_sw *s = &t->sw[k];
		struct json_object *x = json_object_new_object(), *ports = json_object_new_array();

		fm_json_add(x, "serial", fm_json_u64(s->serial));
		fm_json_add(x, "vendor_id", fm_json_hex16(s->id.vendor_id));
		fm_json_add(x, "device_id", fm_json_hex16(s->id.device_id));
		fm_json_add(x, "endpoints", addr_list(s->eps, s->neps));
		for (size_t p = 0; p < s->nports; p++)
			json_object_array_add(ports, fm_port_to_json(&s->ports[p]));
		fm_json_add(x, "ports", ports);
		fm_json_add(x, "vcs", json_object_get(s->vcs));
		json_object_array_add(sws, x);
	}
	fm_json_add(o, "switches", sws);
	devs = json_object_new_array();
	for (size_t k = 0; k < t->ndev; k++) {
		struct topo_dev *d = &t->dev[k];
		struct json_object *x = json_object_new_object(), *regs;

		fm_json_add(x, "serial", fm_json_u64(d->serial));
		fm_json_add(x, "vendor_id", fm_json_hex16(d->id.vendor_id));
		fm_json_add(x, "device_id", fm_json_hex16(d->id.device_id));
		fm_json_add(x, "endpoints", addr_list(d->eps, d->neps));
		fm_json_add(x, "switch_serial", d->sw >= 0 ? fm_json_u64(t->sw[d->sw].serial) : NULL);
		fm_json_add(x, "port", d->port >= 0 ? json_object_new_int(d->port) : NULL);
		fm_json_add(x, "ld_count", json_object_new_int(d->ld_count));
		regs = json_object_new_array();
		for (unsigned r = 0; d->dcd && r < d->cfg.regions_returned; r++) {
			struct json_object *g = json_object_new_object();

			fm_json_add(g, "region", json_object_new_int((int)r));
			fm_json_add(g, "base", fm_json_u64(d->cfg.regions[r].base));
			fm_json_add(g, "length", fm_json_u64(d->cfg.regions[r].length));
			fm_json_add(g, "block_size", fm_json_u64(d->cfg.regions[r].block_size));
			fm_json_add(g, "extents", json_object_new_int((int)d->ext_count[r]));
			fm_json_add(g, "accepted_bytes", fm_json_u64(d->ext_bytes[r]));
			json_object_array_add(regs, g);
		}
		fm_json_add(x, "regions", regs);
		json_object_array_add(devs, x);
	}
	fm_json_add(o, "devices", devs);
	return o;
}

/* ---- Graphviz ---- */

static void size_str(uint64_t v, char *b, size_t n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;

	while (i < 4 && v >= 1024 && v % 1024 == 0) {
		v /= 1024;
		i++;
	}
	snprintf(b, n, "%llu %s", (unsigned long long)v, unit[i]);
}

/* A DOT string literal: quotes and backslashes escaped. */
static void dot_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static void print_dot(struct fmctl *f, struct topo *t)
{
	const char *base = strrchr(f->bus, '/');
	char busname[256];

	snprintf(busname, sizeof(busname), "%s", base ? base + 1 : f->bus);
	if (strlen(busname) > 5 && !strcmp(busname + strlen(busname) - 5, ".sock"))
		busname[strlen(busname) - 5] = 0;
	printf("digraph cxl_fabric {\n"
	       "  rankdir=LR;\n"
	       "  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n"
	       "  edge [fontname=\"Helvetica\", fontsize=9];\n"
	       "  fm [label=\"FM (cxl-fmctl)\", shape=ellipse];\n"
	       "  bus [label=");
	dot_str(busname);
	printf(", shape=ellipse, style=dashed];\n  fm -> bus [label=\"I2C / MCTP\"];\n");
	for (size_t i = 0; i < json_object_array_length(t->eps); i++) {
		struct json_object *e = json_object_array_get_idx(t->eps, i), *a, *id;

		json_object_object_get_ex(e, "address", &a);
		json_object_object_get_ex(e, "eid", &id);
		printf("  ep_%02x [label=\"endpoint 0x%02x\\nEID %d\", shape=oval];\n"
		       "  bus -> ep_%02x;\n", json_object_get_int(a), json_object_get_int(a),
		       json_object_get_int(id), json_object_get_int(a));
	}
	for (size_t k = 0; k < t->nsw; k++) {
		struct topo_sw *s = &t->sw[k];

		printf("  subgraph cluster_sw%zu {\n    label=\"switch sn %llu (%04x:%04x)\";\n"
		       "    style=rounded;\n", k, (unsigned long long)s->serial, s->id.vendor_id,
		       s->id.device_id);
		printf("    sw%zu [label=\"switch CCI\", shape=component];\n", k);
		for (size_t p = 0; p < s->nports; p++) {
			const struct cxlfm_port_info *pi = &s->ports[p];

			printf("    sw%zu_p%u [label=\"port %u\\n%s\\n%s\"%s];\n", k, pi->port_id,
			       pi->port_id, fm_port_state_name(pi->config_state),
			       fm_dev_type_name(pi->connected_dev_type),
			       pi->config_state == CXLFM_PORT_STATE_USP ? ", style=bold" : "");
			printf("    sw%zu -> sw%zu_p%u [arrowhead=none];\n", k, k, pi->port_id);
		}
		for (size_t v = 0; v < json_object_array_length(s->vcs); v++) {
			struct json_object *vcs = json_object_array_get_idx(s->vcs, v), *x, *vp;

			if (!json_object_object_get_ex(vcs, "vppbs", &vp))
				continue;
			json_object_object_get_ex(vcs, "vcs_id", &x);
			int vid = json_object_get_int(x);

			for (size_t b = 0; b < json_object_array_length(vp); b++) {
				struct json_object *e = json_object_array_get_idx(vp, b), *st, *port, *ld;

				json_object_object_get_ex(e, "status", &st);
				json_object_object_get_ex(e, "port_id", &port);
				json_object_object_get_ex(e, "ld_id", &ld);
				printf("    sw%zu_v%d_%zu [label=\"VCS %d vPPB %zu\\n%s\", shape=cds];\n",
				       k, vid, b, vid, b, json_object_get_string(st));
				if (port)
					printf("    sw%zu_v%d_%zu -> sw%zu_p%d [style=dashed%s%s%s];\n",
					       k, vid, b, k, json_object_get_int(port),
					       ld ? ", label=\"LD " : "", ld ? json_object_get_string(ld) : "",
					       ld ? "\"" : "");
			}
		}
		printf("  }\n");
		for (size_t e = 0; e < s->neps; e++)
			printf("  ep_%02x -> sw%zu [label=\"CCI\"];\n", s->eps[e], k);
	}
	for (size_t k = 0; k < t->ndev; k++) {
		struct topo_dev *d = &t->dev[k];

		printf("  dev%zu [label=\"type-3 sn %llu\\n%04x:%04x%s", k,
		       (unsigned long long)d->serial, d->id.vendor_id, d->id.device_id,
		       d->dcd ? "\\nDCD" : "");
		if (d->ld_count > 1)
			printf("\\nMLD, %d LDs", d->ld_count);
		printf("\", shape=box3d];\n");
		if (d->sw >= 0)
			printf("  sw%d_p%d -> dev%zu [label=\"link\"];\n", d->sw, d->port, k);
		for (size_t e = 0; e < d->neps; e++)
			printf("  ep_%02x -> dev%zu [label=\"FM-owned LD\"];\n", d->eps[e], k);
		for (unsigned r = 0; d->dcd && r < d->cfg.regions_returned; r++) {
			const struct cxlfm_dc_region *g = &d->cfg.regions[r];
			char len[32], bs[32], acc[32];

			size_str(g->length, len, sizeof(len));
			size_str(g->block_size, bs, sizeof(bs));
			size_str(d->ext_bytes[r], acc, sizeof(acc));
			printf("  dev%zu_r%u [label=\"DC region %u\\nDPA 0x%llx, %s\\nblocks %s\\n"
			       "%u extent(s), %s accepted\", shape=folder];\n", k, r, r,
			       (unsigned long long)g->base, len, bs, d->ext_count[r], acc);
			printf("  dev%zu -> dev%zu_r%u [arrowhead=none];\n", k, k, r);
		}
	}
	printf("}\n");
}

static int topo_opt(struct fmctl *f, int c, const char *arg, void *ctx)
{
	(void)f;
	(void)arg;
	if (c != 'D')
		return -1;
	*(bool *)ctx = true;
	return 0;
}

int cmd_topology(int argc, char **argv, struct fmctl *f)
{
	static const struct option opts[] = {
		{ "dot", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	bool dot = false;
	struct topo *t;
	int i, rc;

	i = fm_parse(f, argc, argv, "", opts, topo_help, topo_opt, &dot);
	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	t = calloc(1, sizeof(*t));
	if (!t)
		return fm_error(f, EXIT_TRANSPORT, "out of memory");
	rc = build(f, t);
	if (!rc) {
		if (dot)
			print_dot(f, t);
		else
			fm_print(f, to_json(f, t));
	}
	for (size_t k = 0; k < t->nsw; k++)
		json_object_put(t->sw[k].vcs);
	json_object_put(t->eps);
	free(t);
	return rc;
}
