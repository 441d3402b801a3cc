/* SPDX-License-Identifier: MIT */
/* cxl-emu configuration: -machine (CXL fixed memory windows) and the QMP
 * monitors (-qmp, -chardev with -mon). */
#include "emu/config_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- machine ---- */

void cfg_fmw_free(struct cfg_fmw *f)
{
	if (!f)
		return;
	free(f->targets);
	free(f);
}

/* "cxl-fmw.N.targets.M", "cxl-fmw.N.size", "cxl-fmw.N.interleave-granularity" */
static int machine_fmw_prop(struct ctx *x, struct fmw_tmp *t, const struct opts_prop *p)
{
	const char *k = p->key + strlen("cxl-fmw.");
	char *end;
	unsigned long n, m;

	errno = 0;
	n = strtoul(k, &end, 10);
	if (end == k || *end != '.' || errno || n >= FMW_MAX)
		return cfg_err(x, "unknown property '%s' (cxl-fmw.N.targets.M, cxl-fmw.N.size, "
			       "cxl-fmw.N.interleave-granularity; N < %d)", p->key, FMW_MAX);
	k = end + 1;
	t[n].used = true;
	if (!strncmp(k, "targets.", 8)) {
		const char *mk = k + 8;

		m = strtoul(mk, &end, 10);
		if (end == mk || *end || errno || m >= FMW_MAX_TARGETS)
			return cfg_err(x, "unknown property '%s' (targets index must be < %d)", p->key,
				       FMW_MAX_TARGETS);
		t[n].targets[m] = p->val;
		t[n].target_it[m] = x->it;
		return 0;
	}
	if (!strcmp(k, "size") || !strcmp(k, "interleave-granularity")) {
		uint64_t v;
		int rc = opts_parse_size(p->val, &v);

		if (rc)
			return cfg_err(x, "property '%s': '%s' is not a size (a number with an "
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
	return cfg_err(x, "unknown property '%s' (cxl-fmw.N.targets.M, cxl-fmw.N.size, "
		       "cxl-fmw.N.interleave-granularity)", p->key);
}

int cfg_build_machine(struct ctx *x, struct fmw_tmp *fmw)
{
	char ignored[256] = "";
	size_t used = 0;
	int rc;

	for (size_t i = 0; i < x->o->n; i++) {
		const struct opts_item *it = &x->o->items[i];

		if (strcmp(it->opt, "machine"))
			continue;
		cfg_set_item(x, it);
		for (size_t j = 0; j < it->n_props; j++) {
			const struct opts_prop *p = &it->props[j];

			if (!strcmp(p->key, "type")) {
				free(x->c->machine.type);
				x->c->machine.type = strdup(p->val);
				if (!x->c->machine.type)
					return -ENOMEM;
			} else if (!strcmp(p->key, "cxl")) {
				if (opts_parse_bool(p->val, &x->c->machine.cxl))
					return cfg_err(x, "property 'cxl': '%s' is not a boolean "
						       "(on/off, yes/no, true/false)", p->val);
			} else if (!strncmp(p->key, "cxl-fmw.", 8)) {
				rc = machine_fmw_prop(x, fmw, p);
				if (rc)
					return rc;
			} else if (!strncmp(p->key, "cxl", 3)) {
				return cfg_err(x, "unknown property '%s' (cxl, cxl-fmw.N.*)", p->key);
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
		return cfg_warn(x, "-machine: ignoring VM-only properties: %s", ignored);
	return 0;
}

static bool valid_ways(size_t n)
{
	/* CXL r3.1 8.2.4.20.7: 1, 2, 4, 8, 16 and 3, 6, 12 way interleave */
	return n == 1 || n == 2 || n == 4 || n == 8 || n == 16 || n == 3 || n == 6 || n == 12;
}

int cfg_resolve_fmws(struct ctx *x, struct fmw_tmp *t)
{
	char key[64];

	for (unsigned n = 0; n < FMW_MAX; n++) {
		struct cfg_fmw *f;
		size_t m;

		if (!t[n].used)
			continue;
		x->it = NULL;
		if (n && !t[n - 1].used)
			return cfg_err(x, "-machine: cxl-fmw.%u given without cxl-fmw.%u (windows "
				       "are numbered from 0)", n, n - 1);
		for (m = 0; m < FMW_MAX_TARGETS && t[n].targets[m]; m++)
			;
		for (size_t k = m; k < FMW_MAX_TARGETS; k++)
			if (t[n].targets[k])
				return cfg_err(x, "-machine: cxl-fmw.%u.targets.%zu given without "
					       "cxl-fmw.%u.targets.%zu", n, k, n, m);
		if (!m)
			return cfg_err(x, "-machine: missing required property "
				       "'cxl-fmw.%u.targets.0'", n);
		if (!t[n].size)
			return cfg_err(x, "-machine: missing required property 'cxl-fmw.%u.size'", n);
		if (!valid_ways(m))
			return cfg_err(x, "-machine: cxl-fmw.%u has %zu targets; interleave ways must "
				       "be 1, 2, 3, 4, 6, 8, 12 or 16", n, m);
		f = calloc(1, sizeof(*f));
		if (!f || cfg_push(&x->c->machine.fmws, &x->c->machine.n_fmws, f)) {
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
				return cfg_err(x, "-machine: property '%s': host bridge '%s' not found",
					       key, t[n].targets[k]);
			if (d->kind != CFG_PXB_CXL)
				return cfg_err(x, "-machine: property '%s': '%s' is a %s, expected a "
					       "pxb-cxl", key, t[n].targets[k], d->driver);
			f->targets[k] = d;
		}
		opts_parse_size(t[n].size, &f->size);
		/* QEMU cxl_fixed_memory_window_config(): 256 MiB granules */
		if (!f->size || f->size % (256ull << 20))
			return cfg_err(x, "-machine: property 'cxl-fmw.%u.size': %s is not a "
				       "multiple of 256 MiB", n, t[n].size);
		f->granularity = 256;
		if (t[n].gran)
			opts_parse_size(t[n].gran, &f->granularity);
		if (f->granularity < 256 || f->granularity > 16384 ||
		    (f->granularity & (f->granularity - 1)))
			return cfg_err(x, "-machine: property 'cxl-fmw.%u.interleave-granularity': "
				       "%s is not a power of 2 from 256 to 16k", n,
				       t[n].gran ? t[n].gran : "?");
	}
	return 0;
}

/* ---- QMP monitors ---- */

void cfg_qmp_free(struct cfg_qmp *q)
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
	bool server = cfg_bool(it, "server", false);
	int rc = cfg_check_props(x, cfg_props_qmp, NULL, "-chardev socket");

	if (rc)
		return rc;
	if (!server)
		return cfg_err(x, "only QMP servers are supported: add server=on,wait=off");
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (cfg_bool(it, unsupported[i], false))
			return cfg_err(x, "property '%s': not supported", unsupported[i]);
	if (opts_get(it, "tls-creds") || opts_get(it, "fd"))
		return cfg_err(x, "property '%s': not supported",
			       opts_get(it, "fd") ? "fd" : "tls-creds");
	q->wait = cfg_bool(it, "wait", true);
	q->pretty = pretty;
	if (q->wait)
		return cfg_note(x, "%s: wait=on ignored, cxl-emu never waits for a QMP client",
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
			return cfg_err(x, "QMP address %s is already used by %s", q->addr,
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
				return cfg_err(x, "'%s' is not tcp:HOST:PORT", a);
			q->host = strndup(h + 1, (size_t)(rb - h - 1));
			colon = rb + 1;
		} else {
			colon = strrchr(h, ':');
			if (!colon)
				return cfg_err(x, "'%s' is not tcp:HOST:PORT", a);
			q->host = strndup(h, (size_t)(colon - h));
		}
		if (!colon[1])
			return cfg_err(x, "'%s' has no port", a);
		q->port = strdup(colon + 1);
		q->kind = CFG_QMP_TCP;
		return q->host && q->port ? 0 : -ENOMEM;
	}
	if (!strncmp(a, "unix:", 5)) {
		if (!a[5])
			return cfg_err(x, "'%s' has no path", a);
		q->path = strdup(a + 5);
		q->kind = CFG_QMP_UNIX;
		return q->path ? 0 : -ENOMEM;
	}
	return cfg_err(x, "'%s': only tcp:HOST:PORT and unix:PATH QMP servers are supported", a);
}

int cfg_build_qmp(struct ctx *x, const struct opts_item *it)
{
	struct cfg_qmp *q = calloc(1, sizeof(*q));
	int rc;

	cfg_set_item(x, it);
	if (!q || cfg_push(&x->c->qmps, &x->c->n_qmps, q)) {
		free(q);
		return -ENOMEM;
	}
	if (!opts_get(it, "addr"))
		return cfg_err(x, "missing the address (tcp:HOST:PORT or unix:PATH)");
	rc = parse_qmp_addr(x, opts_get(it, "addr"), q);
	if (!rc)
		rc = qmp_socket_opts(x, q, !strcmp(it->given + 1 + (it->given[1] == '-'),
						     "qmp-pretty"));
	if (!rc)
		rc = add_qmp(x, q);
	return rc;
}

/* -mon chardev=ID,mode=control on a -chardev socket,...,server=on */
int cfg_build_mon(struct ctx *x, const struct opts_item *it)
{
	const char *cid = opts_get(it, "chardev"), *mode = opts_get(it, "mode");
	const struct opts_item *ch = NULL;
	struct cfg_qmp *q;
	size_t k;
	int rc;

	cfg_set_item(x, it);
	for (size_t i = 0; i < it->n_props; i++) {
		const char *key = it->props[i].key;

		if (strcmp(key, "chardev") && strcmp(key, "mode") && strcmp(key, "pretty") &&
		    strcmp(key, "id"))
			return cfg_err(x, "unknown property '%s' (chardev, mode, pretty, id)", key);
	}
	if (!mode || !strcmp(mode, "readline"))
		return cfg_warn(x, "%s: ignored (a human monitor, mode=readline; use mode=control "
				"for QMP)", x->label);
	if (strcmp(mode, "control"))
		return cfg_err(x, "property 'mode': '%s' is not control or readline", mode);
	if (!cid)
		return cfg_err(x, "missing required property 'chardev'");
	for (k = 0; k < x->n_chardevs; k++) {
		const char *id = opts_get(x->chardevs[k], "id");

		if (id && !strcmp(id, cid)) {
			ch = x->chardevs[k];
			break;
		}
	}
	if (!ch)
		return cfg_err(x, "property 'chardev': chardev '%s' not found", cid);
	if (x->chardev_used[k])
		return cfg_err(x, "property 'chardev': chardev '%s' is already used by a monitor",
			       cid);
	x->chardev_used[k] = true;
	cfg_set_item(x, ch);
	snprintf(x->label, sizeof(x->label), "-chardev %s,id=%s", opts_get(ch, "backend"), cid);
	if (strcmp(opts_get(ch, "backend"), "socket"))
		return cfg_err(x, "QMP on a '%s' chardev is not supported (use socket with "
			       "server=on)", opts_get(ch, "backend"));
	q = calloc(1, sizeof(*q));
	if (!q || cfg_push(&x->c->qmps, &x->c->n_qmps, q)) {
		free(q);
		return -ENOMEM;
	}
	if (opts_get(ch, "path")) {
		q->kind = CFG_QMP_UNIX;
		q->path = cfg_dup(ch, "path");
		if (!q->path)
			return -ENOMEM;
	} else if (opts_get(ch, "port")) {
		q->kind = CFG_QMP_TCP;
		q->host = strdup(opts_get(ch, "host") ? opts_get(ch, "host") : "");
		q->port = cfg_dup(ch, "port");
		if (!q->host || !q->port)
			return -ENOMEM;
	} else {
		return cfg_err(x, "missing required property 'path' or 'port'");
	}
	rc = qmp_socket_opts(x, q, cfg_bool(it, "pretty", false));
	if (!rc)
		rc = add_qmp(x, q);
	return rc;
}
