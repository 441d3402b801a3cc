/* SPDX-License-Identifier: MIT */
#include "emu/host.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <json-c/json.h>

#include "dev/cci.h"
#include "dev/sw.h"
#include "dev/t3.h"
#include "dev/t3_nv.h"
#include "emu/config.h"
#include "emu/fwd.h"
#include "emu/host_agent.h"
#include "emu/i2c_bus.h"
#include "emu/loop.h"
#include "emu/mctp_ep.h"
#include "emu/memdev_server.h"
#include "emu/qmp_server.h"
#include "proto/le.h"
#include "proto/mctp.h"
#include "util/log.h"

#define RSP_MAX (CCI_HDR_LEN + 4096)

struct mapping {
	uint8_t *base;
	size_t size;
	bool file;
};

struct host_t3 {
	const struct cfg_device *cfg;
	struct emu_host *h;
	struct t3_dev *dev;
	struct host_agent *ha;
	struct mapping dc, stat, lsa, nv;
	struct memdev_server *mds; /* its host mailbox on <run-dir>/memN */
	int memdev;                /* N, or -1 */
	char memdev_name[16];
};

struct host_sw {
	const struct cfg_device *cfg;
	struct sw_dev *sw;
};

struct host_ep {
	struct emu_host *h;
	const struct cfg_device *cfg;
	struct mctp_ep *ep;
	struct i2c_bus *bus;
	struct cci *cci;
	struct fwd_link *link; /* mctp-msg-forward=on: the target host answers */
};

struct emu_host {
	struct loop *loop;
	char *run_dir;     /* NULL: no sockets (buses need one) */
	struct cci_clock clock;
	struct host_t3 **t3s; /* pointers: the host agent and notify keep them */
	size_t nt3;
	struct host_sw *sws;
	size_t nsw;
	struct i2c_bus **buses;
	size_t nbus;
	struct host_ep *eps;
	size_t nep;
	struct cci **ccis; /* every CCI, for background completion */
	size_t nccis;
	struct loop_timer *bg_timer;
	struct qmp_server *qmp;
	struct fwd_target *fwd_target;
	struct fwd_fm *fwd_fm;
	bool stopped;      /* the VM is not running: host agents wait */
};

static uint64_t clock_now(void *arg)
{
	return loop_now(arg);
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * What can be known at start about a backing file of m->size bytes (fd,
 * as fstat found it): a file size limit below it would end the process
 * with SIGXFSZ at the ftruncate (or fail it with EFBIG), so refuse; less
 * free space than the pages still to allocate is fine for a sparse file
 * until the host touches that much, so warn. A page the filesystem then
 * refuses faults (SIGBUS): the device model guards its accesses and
 * fails them (dev/t3.c).
 */
static int check_file(const struct cfg_memdev *m, int fd, const struct stat *st, char *err,
		      size_t errlen)
{
	uint64_t used = (uint64_t)st->st_blocks * 512, need = m->size > used ? m->size - used : 0;
	struct statvfs vfs;
	struct rlimit rl;

	if ((uint64_t)st->st_size < m->size && !getrlimit(RLIMIT_FSIZE, &rl) &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < m->size)
		return fail(err, errlen, -EFBIG, "-object %s: mem-path '%s': size %llu is over "
			    "the file size limit of %llu bytes (ulimit -f)", m->id, m->mem_path,
			    (unsigned long long)m->size, (unsigned long long)rl.rlim_cur);
	if (m->share && need && !fstatvfs(fd, &vfs) &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < need)
		log_warn("-object %s: mem-path '%s': %llu bytes are not allocated yet and the "
			 "filesystem has %llu free; memory the host touches past that fails",
			 m->id, m->mem_path, (unsigned long long)need,
			 (unsigned long long)vfs.f_bavail * vfs.f_frsize);
	return 0;
}

/*
 * Map a memory backend without touching its data: a file is created sparse
 * (ftruncate) and mapped; pages are read or allocated only when used.
 * A mem-path that is a directory gets an unlinked temporary file, as QEMU.
 */
static int map_memdev(const struct cfg_memdev *m, uint8_t *fixed, struct mapping *out,
		      char *err, size_t errlen)
{
	int flags = fixed ? MAP_FIXED : 0;
	struct stat st;
	int fd = -1, rc;
	void *p;

	out->size = (size_t)m->size;
	if (m->kind != CFG_MEM_FILE) {
		p = mmap(fixed, out->size, PROT_READ | PROT_WRITE,
			 flags | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			return fail(err, errlen, -errno, "-object %s: cannot map %llu bytes: %s",
				    m->id, (unsigned long long)m->size, strerror(errno));
		out->base = p;
		return 0;
	}
	if (!stat(m->mem_path, &st) && S_ISDIR(st.st_mode)) {
		char tmpl[PATH_MAX];

		snprintf(tmpl, sizeof(tmpl), "%s/cxl-emu-%s-XXXXXX", m->mem_path, m->id);
		fd = mkstemp(tmpl);
		if (fd >= 0)
			unlink(tmpl);
	} else {
		fd = open(m->mem_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	}
	if (fd < 0)
		return fail(err, errlen, -errno, "-object %s: mem-path '%s': %s", m->id,
			    m->mem_path, strerror(errno));
	if (fstat(fd, &st)) {
		int e = errno;

		close(fd);
		return fail(err, errlen, -e, "-object %s: mem-path '%s': %s", m->id,
			    m->mem_path, strerror(e));
	}
	rc = check_file(m, fd, &st, err, errlen);
	if (!rc && (uint64_t)st.st_size < m->size && ftruncate(fd, (off_t)m->size))
		rc = fail(err, errlen, -errno, "-object %s: cannot size '%s' to %llu: %s",
			  m->id, m->mem_path, (unsigned long long)m->size, strerror(errno));
	if (rc) {
		close(fd);
		return rc;
	}
	p = mmap(fixed, out->size, PROT_READ | PROT_WRITE,
		 flags | (m->share ? MAP_SHARED : MAP_PRIVATE) | MAP_NORESERVE, fd, 0);
	close(fd); /* the mapping keeps the file */
	if (p == MAP_FAILED)
		return fail(err, errlen, -errno, "-object %s: cannot map '%s': %s", m->id,
			    m->mem_path, strerror(errno));
	out->base = p;
	out->file = m->share;
	return 0;
}

static void unmap(struct mapping *m)
{
	if (!m->base)
		return;
	if (m->file)
		msync(m->base, m->size, MS_SYNC);
	munmap(m->base, m->size);
	m->base = NULL;
}

/*
 * Volatile then persistent capacity as one DPA range: reserve the whole
 * range, then map each backend over its part.
 */
static int map_static(const struct cfg_device *d, struct mapping *out, char *err,
		      size_t errlen)
{
	const struct cfg_memdev *v = d->u.t3.vmem, *pm = d->u.t3.persistent;
	size_t vs = v ? (size_t)v->size : 0, ps = pm ? (size_t)pm->size : 0;
	struct mapping part;
	void *p;
	int rc;

	if (!vs && !ps)
		return 0;
	p = mmap(NULL, vs + ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return fail(err, errlen, -errno, "-device %s: cannot reserve memory: %s",
			    d->name, strerror(errno));
	out->base = p;
	out->size = vs + ps;
	if (v && (rc = map_memdev(v, p, &part, err, errlen)))
		return rc;
	if (pm && (rc = map_memdev(pm, (uint8_t *)p + vs, &part, err, errlen)))
		return rc;
	out->file = (v && v->kind == CFG_MEM_FILE) || (pm && pm->kind == CFG_MEM_FILE);
	return 0;
}

/*
 * Where a device keeps its non-volatile state (dev/t3_nv.h): x-nv-state=,
 * else beside its first backing file that persists (lsa, persistent,
 * volatile, then DC backend: "<mem-path>.nv"); none for anonymous memory
 * or a backend made in a directory (an unlinked file), whose state lasts
 * as long as the process.
 */
static bool nv_path(const struct cfg_device *d, char *buf, size_t len)
{
	const struct cfg_memdev *m[] = {
		d->u.t3.lsa, d->u.t3.persistent, d->u.t3.vmem, d->u.t3.dc,
	};
	struct stat st;

	if (d->u.t3.nv_state) {
		snprintf(buf, len, "%s", d->u.t3.nv_state);
		return true;
	}
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		if (!m[i] || m[i]->kind != CFG_MEM_FILE || !m[i]->share)
			continue;
		if (!stat(m[i]->mem_path, &st) && S_ISDIR(st.st_mode))
			continue;
		return snprintf(buf, len, "%s.nv", m[i]->mem_path) < (int)len;
	}
	return false;
}

static int map_nv(const struct cfg_device *d, struct mapping *out, char *err, size_t errlen)
{
	char path[PATH_MAX], id[200];
	struct cfg_memdev m = { .kind = CFG_MEM_FILE, .size = T3_NV_SIZE, .share = true };

	if (!nv_path(d, path, sizeof(path)))
		return 0;
	snprintf(id, sizeof(id), "%s (non-volatile state)", d->name);
	m.id = id;
	m.mem_path = path;
	return map_memdev(&m, NULL, out, err, errlen);
}

/* ---- background operations: one timer for every CCI of the host ---- */

void emu_host_bg_kick(struct emu_host *h)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < h->nccis; i++) {
		uint64_t r;

		cci_tick(h->ccis[i]);
		r = cci_bg_remaining_ns(h->ccis[i]);
		if (r < next)
			next = r;
	}
	if (next != UINT64_MAX)
		loop_timer_arm(h->bg_timer, next);
}

static void bg_timer_cb(struct loop *l, void *arg)
{
	(void)l;
	emu_host_bg_kick(arg);
}

static int add_cci(struct emu_host *h, struct cci *c)
{
	struct cci **n = realloc(h->ccis, (h->nccis + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	h->ccis = n;
	h->ccis[h->nccis++] = c;
	return 0;
}

static void remove_cci(struct emu_host *h, const struct cci *c)
{
	for (size_t i = 0; i < h->nccis; i++) {
		if (h->ccis[i] == c) {
			memmove(&h->ccis[i], &h->ccis[i + 1], (h->nccis - i - 1) * sizeof(*h->ccis));
			h->nccis--;
			return;
		}
	}
}

/* ---- type-3 devices ---- */

static int ha_mem_write(void *arg, uint64_t dpa, const void *buf, size_t len)
{
	struct host_t3 *t = arg;

	return t3_mem_access(t->dev, dpa, (void *)buf, len, true);
}

static int ha_mem_read(void *arg, uint64_t dpa, void *buf, size_t len)
{
	struct host_t3 *t = arg;

	return t3_mem_access(t->dev, dpa, buf, len, false);
}

/*
 * What the host did with capacity, as a QMP event: FM tools (and an FM host
 * forwarding to us, which re-broadcasts it) learn of it without polling.
 */
static void ha_changed(void *arg, const char *what, const struct ha_extent *e, size_t n)
{
	struct host_t3 *t = arg;
	struct json_object *d, *arr;

	if (!t->h->qmp)
		return;
	d = json_object_new_object();
	arr = json_object_new_array();
	json_object_object_add(d, "device", json_object_new_string(t->cfg->name));
	json_object_object_add(d, "serial", json_object_new_uint64(t3_serial(t->dev)));
	json_object_object_add(d, "action", json_object_new_string(what));
	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "dpa", json_object_new_uint64(e[i].dpa));
		json_object_object_add(x, "len", json_object_new_uint64(e[i].len));
		json_object_array_add(arr, x);
	}
	json_object_object_add(d, "extents", arr);
	qmp_server_event(t->h->qmp, "X_CXL_DC_CHANGE", d);
}

static const struct ha_ops ha_ops = {
	.mem_write = ha_mem_write, .mem_read = ha_mem_read, .changed = ha_changed,
};

static void t3_notify(struct t3_dev *dev, unsigned log, void *arg)
{
	struct host_t3 *t = arg;

	(void)dev;
	(void)log;
	/* Every log is the host's to read; the agent drains the DC log. */
	if (t->ha)
		ha_notify(t->ha);
}

static void memdev_after(void *arg)
{
	emu_host_bg_kick(arg);
}

/* The lowest memdev number no device has, as Linux's ida_alloc() gives one. */
static int memdev_free_id(const struct emu_host *h)
{
	for (int id = 0;; id++) {
		bool used = false;

		for (size_t i = 0; i < h->nt3 && !used; i++)
			used = h->t3s[i]->memdev == id;
		if (!used)
			return id;
	}
}

/*
 * The device's host mailbox on <run-dir>/memN (docs/preload.md), N as
 * Linux numbers memdevs: in the order the devices come (the command line's,
 * the order the host agents bind them), a hot-plugged one the lowest free.
 */
static int memdev_listen(struct emu_host *h, const struct cfg_device *d, struct host_t3 *t,
			 char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct memdev_server_cfg mc = {
		.name = t->memdev_name, .dev_id = d->name, .path = path,
		.cci = t3_host_cci(t->dev), .pmem = d->u.t3.persistent != NULL,
		.serial = t3_serial(t->dev), .after = memdev_after, .arg = h,
	};
	int rc;

	if (!h->run_dir)
		return 0;
	t->memdev = memdev_free_id(h);
	snprintf(t->memdev_name, sizeof(t->memdev_name), "mem%d", t->memdev);
	snprintf(path, sizeof(path), "%s/%s", h->run_dir, t->memdev_name);
	rc = memdev_server_new(h->loop, &mc, &t->mds);
	if (rc) {
		t->memdev = -1;
		return fail(err, errlen, rc, "-device %s: cannot listen on %s: %s%s", d->name, path,
			    strerror(-rc), rc == -EEXIST ? " (a file that is no socket is there)" :
			    rc == -EADDRINUSE ? " (another process serves it)" : "");
	}
	return 0;
}

static int create_t3(struct emu_host *h, const struct cfg_device *d, struct host_t3 *t,
		     char *err, size_t errlen)
{
	struct t3_config tc = {
		.id = d->name,
		.serial = d->u.t3.has_sn ? d->u.t3.sn : 0,
		.vmem_size = d->u.t3.vmem ? d->u.t3.vmem->size : 0,
		.pmem_size = d->u.t3.persistent ? d->u.t3.persistent->size : 0,
		.lsa_size = d->u.t3.lsa ? d->u.t3.lsa->size : 0,
		.dc_size = d->u.t3.dc ? d->u.t3.dc->size : 0,
		.num_dc_regions = d->u.t3.dc ? d->u.t3.num_dc_regions : 0,
		.dc_extents_max = d->u.t3.dc_extents_max,
		.num_ld = d->u.t3.num_ld,
		.link_speed = d->link.speed,
		.link_width = d->link.width,
		.flit_256b = d->link.flit_256b,
	};
	int rc;

	t->cfg = d;
	t->h = h;
	if (d->u.t3.dc && (rc = map_memdev(d->u.t3.dc, NULL, &t->dc, err, errlen)))
		return rc;
	if ((rc = map_static(d, &t->stat, err, errlen)))
		return rc;
	if (d->u.t3.lsa && (rc = map_memdev(d->u.t3.lsa, NULL, &t->lsa, err, errlen)))
		return rc;
	if ((rc = map_nv(d, &t->nv, err, errlen)))
		return rc;
	tc.lsa_mem = t->lsa.base;
	tc.nv_mem = t->nv.base;
	tc.nv_size = t->nv.size;
	tc.dc_mem = t->dc.base;
	tc.dc_mem_size = t->dc.size;
	tc.static_mem = t->stat.base;
	tc.static_mem_size = t->stat.size;
	rc = t3_create(&tc, &h->clock, &t->dev);
	if (rc)
		return fail(err, errlen, rc, "-device %s: cannot create the device: %s",
			    d->name, strerror(-rc));
	if ((rc = ha_new(h->loop, d->name, t3_host_cci(t->dev), &ha_ops, t, &t->ha)))
		return fail(err, errlen, rc, "-device %s: host agent: %s", d->name,
			    strerror(-rc));
	ha_set_running(t->ha, !h->stopped);
	t3_set_notify(t->dev, t3_notify, t);
	if ((rc = memdev_listen(h, d, t, err, errlen)))
		return rc;
	if ((rc = add_cci(h, t3_host_cci(t->dev))) || (rc = add_cci(h, t3_fm_cci(t->dev))))
		return fail(err, errlen, rc, "out of memory");
	/* An LD's CCI runs media operations too (Scan Media through a tunnel). */
	for (unsigned i = 0; i < t3_num_ld(t->dev); i++)
		if ((rc = add_cci(h, t3_ld_cci(t->dev, i))))
			return fail(err, errlen, rc, "out of memory");
	if (d->u.t3.allow_fm_attach && h->fwd_target) {
		rc = fwd_target_add(h->fwd_target, t3_fm_cci(t->dev), d->u.t3.mctp_buf_name,
				    d->u.t3.mctp_buf_slots, d->u.t3.mctp_buf_init);
		if (rc == -EBUSY)
			return fail(err, errlen, rc, "-device %s: MCTP message buffer %s is in use "
				    "by another running host that created it (mctp-buf-init=on "
				    "and the same mctp-buf-name on two target hosts?)", d->name,
				    d->u.t3.mctp_buf_name ? d->u.t3.mctp_buf_name : FWD_DEFAULT_BUF);
		if (rc)
			return fail(err, errlen, rc, "-device %s: MCTP message buffer %s: %s",
				    d->name, d->u.t3.mctp_buf_name ? d->u.t3.mctp_buf_name :
				    FWD_DEFAULT_BUF, strerror(-rc));
	}
	return 0;
}

/* Undo create_t3(), whatever part of it was done. */
static void destroy_t3(struct host_t3 *t)
{
	if (!t)
		return;
	memdev_server_free(t->mds);
	if (t->dev) {
		remove_cci(t->h, t3_host_cci(t->dev));
		remove_cci(t->h, t3_fm_cci(t->dev));
		for (unsigned i = 0; i < t3_num_ld(t->dev); i++)
			remove_cci(t->h, t3_ld_cci(t->dev, i));
		if (t->h->fwd_target)
			fwd_target_del(t->h->fwd_target, t3_fm_cci(t->dev));
	}
	ha_free(t->ha);
	t3_destroy(t->dev);
	unmap(&t->dc);
	unmap(&t->stat);
	unmap(&t->lsa);
	unmap(&t->nv);
	free(t);
}

static int new_t3(struct emu_host *h, const struct cfg_device *d, char *err, size_t errlen)
{
	struct host_t3 **a = realloc(h->t3s, (h->nt3 + 1) * sizeof(*a)), *t;
	int rc;

	if (!a)
		return fail(err, errlen, -ENOMEM, "out of memory");
	h->t3s = a;
	t = calloc(1, sizeof(*t));
	if (!t)
		return fail(err, errlen, -ENOMEM, "out of memory");
	t->h = h;
	t->memdev = -1;
	rc = create_t3(h, d, t, err, errlen);
	if (rc) {
		destroy_t3(t);
		return rc;
	}
	h->t3s[h->nt3++] = t;
	return 0;
}

static struct host_t3 *find_t3(struct emu_host *h, const struct cfg_device *d)
{
	for (size_t i = 0; i < h->nt3; i++)
		if (h->t3s[i]->cfg == d)
			return h->t3s[i];
	return NULL;
}

/* ---- switches ---- */

/* The switch's view of a port's link properties. */
static struct sw_port_cfg port_cfg(const struct cfg_device *d, uint8_t port)
{
	return (struct sw_port_cfg){
		.port = port,
		.width = d->link.width,
		.speed = d->link.speed,
		.no_256b_flit = !d->link.flit_256b,
	};
}

/* DSPs in devfn order: the order QEMU's FM API finds them by port number. */
static size_t switch_dsps(const struct cfg_device *usp, const struct cfg_device **dsps)
{
	size_t n = 0;

	for (size_t i = 0; i < usp->n_children; i++) {
		const struct cfg_device *d = usp->children[i];
		size_t k = n;

		if (d->kind != CFG_CXL_DSP || n == SW_MAX_DSP)
			continue;
		for (; k > 0 && dsps[k - 1]->devfn > d->devfn; k--)
			dsps[k] = dsps[k - 1];
		dsps[k] = d;
		n++;
	}
	return n;
}

/* Connect device c to DSP index i of switch s, as the switch sees it; hot:
 * a hot-add, which the switch logs for the FM (CXL r3.1 §7.6.6.7). */
static int attach_below(struct emu_host *h, struct host_sw *s, unsigned i,
			const struct cfg_device *c, bool hot, char *err, size_t errlen)
{
	struct sw_attached at = {
		.id = c->name, .dev_type = SW_DEV_PCIE,
		.width = c->link.width, .speed = c->link.speed, .flit_256b = c->link.flit_256b,
		.hot_plug = hot,
	};
	struct host_t3 *t = c->kind == CFG_CXL_TYPE3 ? find_t3(h, c) : NULL;
	int rc;

	if (t) {
		unsigned lds = t3_num_ld(t->dev);

		at.fm_cci = t3_fm_cci(t->dev);
		at.dev_type = lds > 1 ? SW_DEV_CXL_TYPE3_MLD : SW_DEV_CXL_TYPE3_SLD;
		at.ld_count = (uint8_t)(lds ? lds : 1);
		at.ld_ops = &t3_sw_ld_ops;
		at.ld_arg = t->dev;
	}
	rc = hot ? sw_hot_add(s->sw, i, &at) : sw_attach(s->sw, i, &at);
	if (rc)
		return fail(err, errlen, rc, "-device %s: cannot attach to %s: %s", c->name,
			    c->parent->name, strerror(-rc));
	return 0;
}

static int create_switch(struct emu_host *h, const struct cfg_device *usp,
			 struct host_sw *s, char *err, size_t errlen)
{
	const struct cfg_device *dsps[SW_MAX_DSP];
	struct sw_port_cfg ports[SW_MAX_DSP];
	struct sw_config sc = {
		.id = usp->name,
		.serial = usp->u.usp.has_sn ? usp->u.usp.sn : 0,
		.usp = port_cfg(usp, usp->u.usp.port),
		.dsps = ports,
		.bind_duration_ns = 100 * 1000000ull, /* a bind takes a while: 100 ms */
	};
	int rc;

	sc.n_dsp = (unsigned)switch_dsps(usp, dsps);
	for (unsigned i = 0; i < sc.n_dsp; i++)
		ports[i] = port_cfg(dsps[i], dsps[i]->u.port.port);
	s->cfg = usp;
	rc = sw_create(&sc, &h->clock, &s->sw);
	if (rc)
		return fail(err, errlen, rc, "-device %s: cannot create the switch: %s",
			    usp->name, strerror(-rc));
	for (unsigned i = 0; i < sc.n_dsp; i++) {
		for (size_t k = 0; k < dsps[i]->n_children; k++) {
			rc = attach_below(h, s, i, dsps[i]->children[k], false, err, errlen);
			if (rc)
				return rc;
		}
	}
	if ((rc = add_cci(h, sw_mbox_cci(s->sw))) || (rc = add_cci(h, sw_mctp_cci(s->sw))))
		return fail(err, errlen, rc, "out of memory");
	/* Switch CCIs take forwarded messages inline (no buffer of their own). */
	if (h->fwd_target && (rc = fwd_target_add(h->fwd_target, sw_mctp_cci(s->sw), NULL, 1,
						  false)))
		return fail(err, errlen, rc, "-device %s: %s", usp->name, strerror(-rc));
	return 0;
}

static struct host_sw *find_sw(struct emu_host *h, const struct cfg_device *d)
{
	for (size_t i = 0; i < h->nsw; i++)
		if (h->sws[i].cfg == d)
			return &h->sws[i];
	return NULL;
}

/* The switch whose downstream port d sits below, with that DSP's index. */
static struct host_sw *switch_above(struct emu_host *h, const struct cfg_device *d,
				    unsigned *idx)
{
	const struct cfg_device *dsp = d->parent, *dsps[SW_MAX_DSP];
	struct host_sw *s;
	size_t n;

	if (!dsp || dsp->kind != CFG_CXL_DSP || !(s = find_sw(h, dsp->parent)))
		return NULL;
	n = switch_dsps(dsp->parent, dsps);
	for (size_t i = 0; i < n; i++) {
		if (dsps[i] == dsp) {
			*idx = (unsigned)i;
			return s;
		}
	}
	return NULL;
}

/* ---- endpoints ---- */

static int ep_tx(struct mctp_ep *ep, const uint8_t *frame, size_t len, void *arg)
{
	struct host_ep *he = arg;

	return i2c_bus_tx(he->bus, mctp_ep_addr(ep), frame, len);
}

/*
 * DSP0234 / DSP0281 as QEMU's i2c_mctp_cxl applies them: FM API messages
 * (0x07) carry command sets 51h-56h, CXL CCI messages (0x08) carry the
 * sets below 51h; anything else is answered Unsupported.
 */
static bool type_allows(uint8_t msg_type, uint16_t opcode)
{
	uint8_t set = (uint8_t)(opcode >> 8);

	if (msg_type == MCTP_MSG_CXL_FMAPI)
		return set >= 0x51 && set <= 0x56;
	return set < 0x51;
}

struct fwd_ctx {
	struct mctp_ep *ep;
	struct mctp_ep_token tok;
};

static void fwd_done(void *arg, const uint8_t *msg, size_t len)
{
	struct fwd_ctx *c = arg;

	if (msg) {
		int n = mctp_ep_reply(c->ep, &c->tok, msg, len);

		if (n < 0)
			log_info("ep %s: forwarded response not sent: %s", mctp_ep_name(c->ep),
				 strerror(-n));
	}
	free(c);
}

/* Returns true if the message went to the target host. */
static bool ep_forward(struct host_ep *he, const struct mctp_ep_token *tok,
		       const uint8_t *msg, size_t len)
{
	const uint8_t *pl;
	struct cci_hdr hdr;
	struct fwd_ctx *c;

	if (cci_msg_decode(msg, len, &hdr, &pl) || hdr.category != CCI_CAT_REQ)
		return false; /* malformed: answered (or dropped) locally */
	c = malloc(sizeof(*c));
	if (!c)
		return false;
	c->ep = he->ep;
	c->tok = *tok;
	if (fwd_link_submit(he->link, &hdr, pl, fwd_done, c)) {
		free(c);
		return false;
	}
	return true;
}

static void ep_handle_cxl(struct mctp_ep *ep, const struct mctp_ep_token *tok,
			  const uint8_t *msg, size_t len, void *arg)
{
	struct host_ep *he = arg;
	uint8_t rsp[RSP_MAX];
	struct cci_hdr hdr;
	int n;

	if (he->link && (len < CCI_HDR_LEN || type_allows(tok->msg_type, le16_get(msg + 3))) &&
	    ep_forward(he, tok, msg, len))
		return;
	if (len >= CCI_HDR_LEN && !type_allows(tok->msg_type, le16_get(msg + 3))) {
		cci_msg_decode(msg, len, &hdr, NULL);
		log_info("ep %s: opcode 0x%04x not allowed in message type 0x%02x",
			 mctp_ep_name(ep), hdr.opcode, tok->msg_type);
		n = hdr.category == CCI_CAT_REQ ?
			cci_msg_reply(&hdr, CXL_RC_UNSUPPORTED, NULL, 0, rsp, sizeof(rsp)) :
			-EBADMSG;
	} else {
		n = cci_msg_run(he->cci, msg, len, rsp, sizeof(rsp));
	}
	if (n < 0) {
		log_info("ep %s: %zu-byte message is no CCI request, dropped",
			 mctp_ep_name(ep), len);
		return;
	}
	n = mctp_ep_reply(ep, tok, rsp, (size_t)n);
	if (n < 0)
		log_warn("ep %s: response not sent: %s", mctp_ep_name(ep), strerror(-n));
	emu_host_bg_kick(he->h);
}

static const struct mctp_ep_ops ep_ops = { .tx = ep_tx, .handle_cxl = ep_handle_cxl };

static struct cci *target_cci(struct emu_host *h, const struct cfg_device *t)
{
	if (t->kind == CFG_CXL_USP) {
		struct host_sw *s = find_sw(h, t);

		return s ? sw_mctp_cci(s->sw) : NULL;
	}
	if (t->kind == CFG_CXL_TYPE3) {
		struct host_t3 *d = find_t3(h, t);

		return d ? t3_fm_cci(d->dev) : NULL;
	}
	return NULL;
}

static int create_ep(struct emu_host *h, struct i2c_bus *bus, const struct cfg_i2c_bus *cb,
		     const struct cfg_device *d, struct host_ep *he, char *err, size_t errlen)
{
	char name[128];
	uint8_t uuid[16] = { 0 };
	struct mctp_ep_cfg ec = { .name = name, .addr = d->u.i2c.address, .uuid = uuid,
				  .ops = &ep_ops, .arg = he };
	int rc;

	snprintf(name, sizeof(name), "%s@0x%02x", cb->name, d->u.i2c.address);
	/* A stable UUID per endpoint: version 4 layout, bytes from bus and address. */
	for (size_t i = 0; cb->name[i]; i++)
		uuid[i % 14] ^= (uint8_t)cb->name[i];
	uuid[14] = d->u.i2c.address;
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
	he->h = h;
	he->cfg = d;
	he->bus = bus;
	he->cci = target_cci(h, d->u.i2c.target);
	if (!he->cci)
		return fail(err, errlen, -EINVAL, "-device i2c_mctp_cxl,target=%s: no CCI",
			    d->u.i2c.target->name);
	if (d->u.i2c.forward) {
		const struct cfg_device *t = d->u.i2c.target;
		struct fwd_link_cfg lc = {
			.peer = d->u.i2c.qmp, .cci_name = he->cci->name, .name = name,
			.mode = d->u.i2c.fwd_mode == CFG_FWD_INLINE ? FWD_MODE_INLINE : FWD_MODE_SHM,
			.timeout_ms = d->u.i2c.fwd_timeout_ms,
		};

		if (!d->u.i2c.qmp)
			return fail(err, errlen, -EINVAL, "-device i2c_mctp_cxl at %s: "
				    "mctp-msg-forward=on needs qmp=HOST:PORT", name);
		if (t->kind == CFG_CXL_TYPE3) {
			lc.buf_name = t->u.t3.mctp_buf_name;
			lc.slots = t->u.t3.mctp_buf_slots;
		} else {
			lc.mode = FWD_MODE_INLINE; /* a switch has no buffer: see docs/forwarding.md */
		}
		if (!h->fwd_fm && (rc = fwd_fm_new(h->loop, h->qmp, &h->fwd_fm)))
			return fail(err, errlen, rc, "out of memory");
		if ((rc = fwd_link_new(h->fwd_fm, &lc, &he->link)))
			return fail(err, errlen, rc, "-device i2c_mctp_cxl at %s: qmp=%s: %s", name,
				    d->u.i2c.qmp, strerror(-rc));
	}
	rc = mctp_ep_new(&ec, &he->ep);
	if (!rc)
		rc = i2c_bus_add_ep(bus, he->ep);
	if (rc)
		return fail(err, errlen, rc, "-device i2c_mctp_cxl at %s: %s", name,
			    strerror(-rc));
	return 0;
}

/* ---- host ---- */

int emu_host_new(struct loop *loop, const struct config *cfg, const char *run_dir,
		 struct qmp_server *qmp, struct emu_host **out, char *err, size_t errlen)
{
	struct emu_host *h = calloc(1, sizeof(*h));
	size_t nsw = 0, nep = 0;
	int rc;

	if (!h)
		return fail(err, errlen, -ENOMEM, "out of memory");
	h->loop = loop;
	h->qmp = qmp;
	if (run_dir && !(h->run_dir = strdup(run_dir))) {
		free(h);
		return fail(err, errlen, -ENOMEM, "out of memory");
	}
	if (qmp && (rc = fwd_target_new(loop, qmp, &h->fwd_target))) {
		free(h->run_dir);
		free(h);
		return fail(err, errlen, rc, "QMP: %s", strerror(-rc));
	}
	h->clock = (struct cci_clock){ .now_ns = clock_now, .arg = loop };
	for (size_t i = 0; i < cfg->n_devices; i++) {
		nsw += cfg->devices[i]->kind == CFG_CXL_USP;
		nep += cfg->devices[i]->kind == CFG_I2C_MCTP;
	}
	h->sws = calloc(nsw ? nsw : 1, sizeof(*h->sws));
	h->eps = calloc(nep ? nep : 1, sizeof(*h->eps));
	h->buses = calloc(cfg->n_i2c_buses ? cfg->n_i2c_buses : 1, sizeof(*h->buses));
	if (!h->sws || !h->eps || !h->buses) {
		rc = fail(err, errlen, -ENOMEM, "out of memory");
		goto out_free;
	}
	if ((rc = loop_timer_new(loop, bg_timer_cb, h, &h->bg_timer))) {
		fail(err, errlen, rc, "timer: %s", strerror(-rc));
		goto out_free;
	}
	/* Devices first, then the switches they sit under, then endpoints. */
	for (size_t i = 0; i < cfg->n_devices; i++)
		if (cfg->devices[i]->kind == CFG_CXL_TYPE3) {
			rc = new_t3(h, cfg->devices[i], err, errlen);
			if (rc)
				goto out_free;
		}
	for (size_t i = 0; i < cfg->n_devices; i++)
		if (cfg->devices[i]->kind == CFG_CXL_USP) {
			rc = create_switch(h, cfg->devices[i], &h->sws[h->nsw++], err, errlen);
			if (rc)
				goto out_free;
		}
	for (size_t b = 0; b < cfg->n_i2c_buses; b++) {
		const struct cfg_i2c_bus *cb = cfg->i2c_buses[b];
		char path[PATH_MAX];

		if (!run_dir) {
			rc = fail(err, errlen, -EINVAL, "I2C bus %s: no run directory", cb->name);
			goto out_free;
		}
		snprintf(path, sizeof(path), "%s/%s.sock", run_dir, cb->name);
		rc = i2c_bus_new(loop, cb->name, path, &h->buses[h->nbus]);
		if (rc) {
			fail(err, errlen, rc, "I2C bus %s: cannot listen on %s: %s", cb->name,
			     path, strerror(-rc));
			goto out_free;
		}
		h->nbus++;
		rc = i2c_bus_set_speed(h->buses[h->nbus - 1], cb->speed_hz);
		if (rc) {
			fail(err, errlen, rc, "I2C bus %s: %s", cb->name, strerror(-rc));
			goto out_free;
		}
		for (size_t e = 0; e < cb->n_eps; e++) {
			rc = create_ep(h, h->buses[h->nbus - 1], cb, cb->eps[e],
				       &h->eps[h->nep++], err, errlen);
			if (rc)
				goto out_free;
		}
	}
	*out = h;
	return 0;

out_free:
	emu_host_free(h);
	return rc;
}

void emu_host_free(struct emu_host *h)
{
	if (!h)
		return;
	/* Forwarded requests still out are dropped before their endpoints go. */
	fwd_fm_free(h->fwd_fm);
	for (size_t i = 0; i < h->nbus; i++)
		i2c_bus_free(h->buses[i]);
	for (size_t i = 0; i < h->nep; i++)
		mctp_ep_free(h->eps[i].ep);
	for (size_t i = 0; i < h->nsw; i++)
		sw_destroy(h->sws[i].sw);
	for (size_t i = 0; i < h->nt3; i++)
		destroy_t3(h->t3s[i]);
	fwd_target_free(h->fwd_target);
	loop_timer_free(h->bg_timer);
	free(h->ccis);
	free(h->t3s);
	free(h->sws);
	free(h->eps);
	free(h->buses);
	free(h->run_dir);
	free(h);
}

void emu_host_set_running(struct emu_host *h, bool running)
{
	h->stopped = !running;
	for (size_t i = 0; i < h->nt3; i++)
		ha_set_running(h->t3s[i]->ha, running);
}

/* ---- hot-plug ---- */

int emu_host_device_add(struct emu_host *h, const struct cfg_device *d, char *err,
			size_t errlen)
{
	struct host_sw *s;
	unsigned idx;
	int rc;

	if (d->kind != CFG_CXL_TYPE3)
		return fail(err, errlen, -EINVAL, "%s: only cxl-type3 can be hot-plugged", d->name);
	rc = new_t3(h, d, err, errlen);
	if (rc)
		return rc;
	s = switch_above(h, d, &idx);
	if (s && (rc = attach_below(h, s, idx, d, true, err, errlen))) {
		destroy_t3(h->t3s[--h->nt3]);
		return rc;
	}
	log_info("%s: hot-plugged below %s", d->name, d->parent->name);
	return 0;
}

int emu_host_device_del(struct emu_host *h, const struct cfg_device *d, char *err,
			size_t errlen)
{
	struct host_t3 *t = find_t3(h, d);
	struct host_sw *s;
	unsigned idx;
	size_t held = 0, i;

	if (!t)
		return fail(err, errlen, -EINVAL, "%s: only cxl-type3 can be hot-unplugged",
			    d->name);
	for (i = 0; i < h->nep; i++)
		if (h->eps[i].cfg->u.i2c.target == d)
			return fail(err, errlen, -EBUSY, "%s is the target of the MCTP endpoint at "
				    "0x%x on %s, which cannot be unplugged", d->name,
				    h->eps[i].cfg->u.i2c.address, h->eps[i].cfg->u.i2c.bus->name);
	/* The OS refuses to let go of memory it has online: so does its agent. */
	if (d->u.t3.dc && !ha_list(t->ha, NULL, 0, &held, NULL) && held)
		return fail(err, errlen, -EBUSY, "%s is in use: its host holds %zu dynamic "
			    "capacity extent%s (release them first)", d->name, held,
			    held == 1 ? "" : "s");
	s = switch_above(h, d, &idx);
	if (s)
		sw_detach(s->sw, idx);
	for (i = 0; h->t3s[i] != t; i++)
		;
	memmove(&h->t3s[i], &h->t3s[i + 1], (h->nt3 - i - 1) * sizeof(*h->t3s));
	h->nt3--;
	destroy_t3(t);
	log_info("%s: hot-unplugged from %s", d->name, d->parent->name);
	return 0;
}

/* A device named as QMP commands name it: its id, "/machine/peripheral/ID",
 * or the QOM path of an anonymous one (which is its name). */
static bool named(const struct cfg_device *d, const char *path)
{
	static const char prefix[] = "/machine/peripheral/";

	if (!strncmp(path, prefix, sizeof(prefix) - 1))
		path += sizeof(prefix) - 1;
	return !strcmp(d->name, path);
}

static struct host_t3 *t3_named(struct emu_host *h, const char *path)
{
	for (size_t i = 0; i < h->nt3; i++)
		if (named(h->t3s[i]->cfg, path))
			return h->t3s[i];
	return NULL;
}

int emu_host_mld_port_error(struct emu_host *h, const char *id, uint8_t type, char *err,
			    size_t errlen)
{
	struct host_t3 *t = t3_named(h, id);
	struct host_sw *s;
	unsigned idx;
	int rc;

	if (!t)
		return fail(err, errlen, -ENOENT, "Unable to resolve CXL type 3 device at path "
			    "'%s'", id);
	if (t3_num_ld(t->dev) < 2)
		return fail(err, errlen, -EINVAL, "'%s' is not an MLD (num-ld)", id);
	s = switch_above(h, t->cfg, &idx);
	if (!s)
		return fail(err, errlen, -ENODEV, "'%s' is not below a switch's downstream port",
			    id);
	rc = sw_mld_port_error(s->sw, idx, type);
	return rc ? fail(err, errlen, rc, "the switch refused: %s", strerror(-rc)) : 0;
}

struct t3_dev *emu_host_t3(struct emu_host *h, const char *id)
{
	struct host_t3 *t = t3_named(h, id);

	return t ? t->dev : NULL;
}

struct host_agent *emu_host_agent(struct emu_host *h, const char *id)
{
	struct host_t3 *t = t3_named(h, id);

	return t ? t->ha : NULL;
}

struct sw_dev *emu_host_switch(struct emu_host *h, const char *id)
{
	for (size_t i = 0; i < h->nsw; i++)
		if (named(h->sws[i].cfg, id))
			return h->sws[i].sw;
	return NULL;
}

struct cci *emu_host_fm_cci(struct emu_host *h, const char *id)
{
	struct t3_dev *t = emu_host_t3(h, id);
	struct sw_dev *s;

	if (t)
		return t3_fm_cci(t);
	s = emu_host_switch(h, id);
	return s ? sw_mctp_cci(s) : NULL;
}

size_t emu_host_bus_count(const struct emu_host *h) { return h->nbus; }
struct i2c_bus *emu_host_bus(const struct emu_host *h, size_t i)
{
	return i < h->nbus ? h->buses[i] : NULL;
}

static bool memdev_of(const struct host_t3 *t, struct emu_memdev *out)
{
	if (!t->mds)
		return false;
	*out = (struct emu_memdev){ .name = t->memdev_name, .dev_id = t->cfg->name,
				    .path = memdev_server_path(t->mds) };
	return true;
}

bool emu_host_memdev_at(const struct emu_host *h, size_t i, struct emu_memdev *out)
{
	return i < h->nt3 && memdev_of(h->t3s[i], out);
}

bool emu_host_memdev(struct emu_host *h, const char *id, struct emu_memdev *out)
{
	struct host_t3 *t = t3_named(h, id);

	return t && memdev_of(t, out);
}
