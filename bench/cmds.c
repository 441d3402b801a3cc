/* SPDX-License-Identifier: MIT */
/*
 * FM commands through libcxlfm, locally and forwarded.
 *
 * Four cxl-emu processes, started once:
 *   T   the RFC's target host, plus three more DCDs so that each extent
 *       count has its own device (cxl-dcd0 sn=99: 1 extent, cxl-dcd1 sn=100:
 *       100, cxl-dcd2 sn=101: 512, QEMU's limit, cxl-dcd3 sn=102: 10k, with
 *       x-dc-extents-max=10240 on a 40 GiB region behind a fourth downstream
 *       port), MCTP endpoints 0x6-0x9, and the RFC's shared buffer with 16
 *       slots;
 *   L   the same host again, measured directly on its bus: the local path;
 *   F1  the RFC's FM host (same topology) whose endpoints 0x6-0x9 forward
 *       to T over the shared buffer and QMP on TCP loopback;
 *   F2  the same with mctp-fwd=inline (request and response inside QMP).
 * Placement (fb_pin): this process and T on one CPU, L, F1 and F2 on the
 * other, so every hop (bench -> L, bench -> F1 -> T -> F1 -> bench) crosses
 * CPUs, as the ping-pong baselines do.
 * Extents are created once, with QMP cxl-add-dynamic-capacity on L and T
 * and their host agents accepting them, so every round measures the same
 * state.
 *
 * Commands: Identify (0001h) and Get DC Region Extent Lists (5603h, a page
 * of 8 starting in the middle of the list: 344-byte responses, 1 extent
 * for the one-extent device). Throughput: Identify with 1, 4 and 16
 * requests in flight (MCTP gives a requester 8 tags per endpoint, so 16
 * in flight use two bus controllers, 0x10 and 0x11).
 */
#include "fmbench.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cxlfm/cxlfm.h"
#include "proto/le.h"

#define MiB (1024ull * 1024)
#define NDEV 4
#define SLOTS 16
#define OP_IDENTIFY 0x0001
#define OP_DC_EXTENTS 0x5603
#define PAGE 8u
#define NACK_ADDR 0x50 /* nobody is there: the bus answers with a NACK */
#define RAW_ADDR 0x12

static const unsigned dev_extents[NDEV] = { 1, 100, 512, 10000 };
static const char *const dev_label[NDEV] = { "1", "100", "512", "10k" };
static const uint8_t dev_addr[NDEV] = { 0x06, 0x07, 0x08, 0x09 };

enum host { H_LOCAL, H_TARGET, H_SHM, H_INLINE, NHOST };
enum path { P_LOCAL, P_SHM, P_INLINE, NPATH };
static const int path_host[NPATH] = { H_LOCAL, H_SHM, H_INLINE };
static const char *const path_key[NPATH] = { "local", "fwd_shm", "fwd_inline" };
static const char *const path_label[NPATH] = { "local", "forwarded, RFC shm", "forwarded, inline" };

struct path_ctx {
	struct cxlfm_ctx *ctx[2];       /* controllers 0x10 and 0x11 */
	struct cxlfm_ep *ep[2][NDEV];
};

static struct fb_emu hosts[NHOST];
static struct path_ctx pc[NPATH];
static struct fb_qmp tq = { .fd = -1 }; /* L's QMP, for its round trip */
static int raw_fd = -1;                 /* a bare controller on L's bus */
static char bufname[2][64];             /* L's and T's shared buffers */

/* ---- command lines ---- */

static void topo_common(struct fb_argv *a, const char *dir)
{
	fb_argv_add(a, "-machine");
	fb_argv_add(a, "q35,cxl=on");
	fb_argv_add(a, "-m");
	fb_argv_add(a, "4G,maxmem=8G,slots=8");
	fb_argv_add(a, "-smp");
	fb_argv_add(a, "4");
	fb_argv_add(a, "-nographic");
	fb_argv_add(a, "-object");
	fb_argv_add(a, "memory-backend-file,id=cxl-mem2,share=on,mem-path=%s/t3_cxl2.raw,size=4G", dir);
	fb_argv_add(a, "-object");
	fb_argv_add(a, "memory-backend-file,id=cxl-lsa2,share=on,mem-path=%s/t3_lsa2.raw,size=512M", dir);
	fb_argv_add(a, "-device");
	fb_argv_add(a, "pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1");
	fb_argv_add(a, "-device");
	fb_argv_add(a, "cxl-rp,port=0,bus=cxl.1,id=cxl_rp_port0,chassis=0,slot=2");
	fb_argv_add(a, "-device");
	fb_argv_add(a, "cxl-upstream,port=2,sn=1234,bus=cxl_rp_port0,id=us0,addr=0.0,multifunction=on");
	fb_argv_add(a, "-device");
	fb_argv_add(a, "cxl-switch-mailbox-cci,bus=cxl_rp_port0,addr=0.1,target=us0");
	fb_argv_add(a, "-device");
	fb_argv_add(a, "cxl-downstream,port=0,bus=us0,id=swport0,chassis=0,slot=4");
	fb_argv_add(a, "-device");
	fb_argv_add(a, "cxl-downstream,port=1,bus=us0,id=swport1,chassis=0,slot=5");
	fb_argv_add(a, "-device");
	fb_argv_add(a, "cxl-downstream,port=3,bus=us0,id=swport2,chassis=0,slot=6");
	fb_argv_add(a, "-M");
	fb_argv_add(a, "cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,cxl-fmw.0.interleave-granularity=1k");
	fb_argv_add(a, "-qmp");
	fb_argv_add(a, "tcp:127.0.0.1:0,server,wait=off");
	fb_argv_add(a, "--log");
	fb_argv_add(a, "error");
}

void cmds_rfc_target_argv(struct fb_argv *a, const char *dir, const char *name, unsigned slots)
{
	topo_common(a, dir);
	fb_argv_add(a, "-device");
	fb_argv_add(a, "cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,lsa=cxl-lsa2,"
		    "num-dc-regions=2,sn=99,allow-fm-attach=on,mctp-buf-init=on,"
		    "mctp-buf-name=%s,mctp-buf-slots=%u", name, slots);
	fb_argv_add(a, "-device");
	fb_argv_add(a, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0");
	fb_argv_add(a, "-device");
	fb_argv_add(a, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0");
}

/*
 * The extra DCDs on swport1..: 4 GiB in two regions for 100 and 512
 * extents; for 10k, one 40 GiB region (10k extents 4 MiB apart) and the
 * limit raised past QEMU's 512. Their backends are RAM (mapped on demand),
 * not files: the host agent writes a pattern into every extent it accepts,
 * and a fault on a file's hole costs the file system a block allocation
 * (~0.3 ms here: a 64-extent offer took 40 ms), and the dirty pages are
 * written back on exit.
 */
static void extra_dcds(struct fb_argv *a, const char *t3_extra)
{
	fb_argv_add(a, "-device");
	fb_argv_add(a, "cxl-downstream,port=4,bus=us0,id=swport3,chassis=0,slot=7");
	for (int i = 1; i < NDEV; i++) {
		bool big = dev_extents[i] > 512;

		fb_argv_add(a, "-object");
		fb_argv_add(a, "memory-backend-ram,id=dc%d,size=%s", i, big ? "40G" : "4G");
		fb_argv_add(a, "-device");
		fb_argv_add(a, "cxl-type3,bus=swport%d,volatile-dc-memdev=dc%d,id=cxl-dcd%d,"
			    "num-dc-regions=%d,sn=%d,allow-fm-attach=on%s%s", i, i, i, big ? 1 : 2,
			    99 + i, big ? ",x-dc-extents-max=10240" : "", t3_extra);
	}
}

static void target_argv(struct fb_argv *a, const char *dir, const char *buf)
{
	char extra[256];

	cmds_rfc_target_argv(a, dir, buf, SLOTS);
	snprintf(extra, sizeof(extra), ",mctp-buf-name=%s,mctp-buf-slots=%u", buf, SLOTS);
	extra_dcds(a, extra);
	for (int i = 1; i < NDEV; i++) {
		fb_argv_add(a, "-device");
		fb_argv_add(a, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=%d,target=cxl-dcd%d",
			    dev_addr[i], i);
	}
}

static void fm_argv(struct fb_argv *a, const char *dir, int tport, bool inl)
{
	char extra[256];

	topo_common(a, dir);
	snprintf(extra, sizeof(extra), ",mctp-buf-name=%s,mctp-buf-slots=%u", bufname[1], SLOTS);
	fb_argv_add(a, "-device");
	fb_argv_add(a, "cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,lsa=cxl-lsa2,"
		    "num-dc-regions=2,sn=99,allow-fm-attach=on%s", inl ? "" : extra);
	extra_dcds(a, inl ? "" : extra);
	fb_argv_add(a, "-device");
	fb_argv_add(a, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0");
	for (int i = 0; i < NDEV; i++) {
		fb_argv_add(a, "-device");
		fb_argv_add(a, "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=%d,target=cxl-dcd%d,"
			    "mctp-msg-forward=on,qmp=127.0.0.1:%d%s", dev_addr[i], i, tport,
			    inl ? ",mctp-fwd=inline" : "");
	}
}

/* ---- set-up ---- */

static int start_host(const struct fb_opts *o, int h)
{
	struct fb_emu *e = &hosts[h];
	struct fb_argv a = { 0 };
	int err;

	if (fb_tmpdir(e->dir, sizeof(e->dir)))
		return -1;
	if (h == H_LOCAL || h == H_TARGET)
		target_argv(&a, e->dir, bufname[h == H_TARGET]);
	else
		fm_argv(&a, e->dir, hosts[H_TARGET].qmp_port, h == H_INLINE);
	err = fb_emu_start(e, o->emu, &a, h == H_TARGET ? fb_cpu_client : fb_cpu_server);
	fb_argv_free(&a);
	if (!err && (!e->n_bus || !e->qmp_port)) {
		fprintf(stderr, "cxl-fmbench: cxl-emu announced no bus or QMP port\n");
		err = -1;
	}
	return err;
}

static int open_path(struct path_ctx *p, const char *bus)
{
	for (int c = 0; c < 2; c++) {
		struct cxlfm_opts opts = { .size = sizeof(opts), .own_addr = (uint8_t)(0x10 + c), .timeout_ms = 5000 };
		int err = cxlfm_open(bus, &opts, &p->ctx[c]);

		if (err)
			return err;
		for (int d = 0; d < NDEV; d++)
			if ((err = cxlfm_ep_by_addr(p->ctx[c], dev_addr[d], &p->ep[c][d])))
				return err;
	}
	return 0;
}

/*
 * Get DC Region Extent Lists (5603h, input: host id, rsvd, count, start),
 * a page of 8 from start; checks the answer, *total gets the extent count.
 */
static int list_page(struct cxlfm_ep *ep, uint32_t start, uint32_t *total)
{
	uint8_t in[12] = { 0 }, out[512];
	size_t n;
	int rc;

	le32_put(in + 4, PAGE);
	le32_put(in + 8, start);
	rc = cxlfm_cmd(ep, NULL, OP_DC_EXTENTS, in, sizeof(in), out, sizeof(out), &n);
	if (rc)
		return rc;
	*total = n >= 24 ? le32_get(out + 12) : 0;
	if (n < 24 || le32_get(out + 4) != start || le32_get(out + 8) > PAGE ||
	    n != 24 + 40 * (size_t)le32_get(out + 8))
		return -EPROTO;
	return 0;
}

static uint32_t page_start(unsigned extents)
{
	return extents > PAGE ? extents / 2 : 0;
}

/*
 * Extents first..first+count of a device: 2 MiB every 4 MiB (never
 * adjacent; 512 fill the 2 GiB region 0, 10k most of a 40 GiB one), in
 * offers of at most OFFER_MAX: the host agent answers an offer with one Add
 * Dynamic Capacity Response, which holds (2048 - 8) / 24 = 85 extents in
 * the host mailbox. 10k extents are 157 offers, ~0.5 s per host.
 */
#define OFFER_MAX 64u

static int add_extents(struct fb_qmp *q, int dev, unsigned count)
{
	size_t cap = 256 + (size_t)OFFER_MAX * 48, len;
	char *cmd = malloc(cap), reply[512];
	int rc = 0;

	if (!cmd)
		return -ENOMEM;
	for (unsigned first = 0; first < count && !rc; first += OFFER_MAX) {
		unsigned n = count - first < OFFER_MAX ? count - first : OFFER_MAX;

		len = (size_t)snprintf(cmd, cap, "{\"execute\":\"cxl-add-dynamic-capacity\","
				       "\"arguments\":{\"path\":\"cxl-dcd%d\",\"host-id\":0,"
				       "\"selection-policy\":\"prescriptive\",\"region\":0,"
				       "\"extents\":[", dev);
		for (unsigned i = first; i < first + n; i++)
			len += (size_t)snprintf(cmd + len, cap - len,
						"%s{\"offset\":%llu,\"len\":%llu}",
						i > first ? "," : "",
						(unsigned long long)(i * 4 * MiB),
						(unsigned long long)(2 * MiB));
		snprintf(cmd + len, cap - len, "]}}");
		rc = fb_qmp_cmd(q, cmd, reply, sizeof(reply), 10000);
	}
	free(cmd);
	if (rc) {
		fprintf(stderr, "cxl-fmbench: cxl-add-dynamic-capacity (cxl-dcd%d): %s\n", dev,
			rc < 0 ? "no answer" : reply);
		return -EIO;
	}
	return 0;
}

/* On host h; then wait until the FM sees them on path p (h's devices). */
static int make_extents(int h, int p)
{
	struct fb_qmp q = { .fd = -1 };
	int err = 0;

	if (fb_qmp_connect_port(&q, hosts[h].qmp_port) || fb_qmp_handshake(&q, 5000)) {
		fprintf(stderr, "cxl-fmbench: cannot talk QMP to an emulated host\n");
		fb_qmp_close(&q);
		return -EIO;
	}
	for (int d = 0; d < NDEV && !err; d++)
		err = add_extents(&q, d, dev_extents[d]);
	fb_qmp_close(&q);
	/* the host agent accepts them: wait until the FM sees them all */
	for (int d = 0; d < NDEV && !err; d++) {
		uint32_t total = 0;
		uint64_t deadline = fb_now_ns() + 10000000000ull;

		while (!(err = list_page(pc[p].ep[0][d], 0, &total)) &&
		       total != dev_extents[d] && fb_now_ns() < deadline)
			usleep(2000);
		if (!err && total != dev_extents[d]) {
			fprintf(stderr, "cxl-fmbench: cxl-dcd%d holds %u extents, not %u\n", d,
				total, dev_extents[d]);
			err = -EIO;
		}
	}
	return err;
}

static int open_raw(const char *bus)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(bus) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	raw_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (raw_fd < 0)
		return -errno;
	memcpy(sa.sun_path, bus, strlen(bus) + 1);
	return connect(raw_fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
}

int cmds_setup(const struct fb_opts *o)
{
	int err;

	for (int i = 0; i < 2; i++) {
		snprintf(bufname[i], sizeof(bufname[i]), "/cxl-fmbench-%d-%c", (int)getpid(),
			 i ? 't' : 'l');
		fb_shm_track(bufname[i]);
	}
	for (int h = 0; h < NHOST; h++) /* T before F1 and F2: they need its port */
		if (start_host(o, h))
			return -EIO;
	for (int p = 0; p < NPATH; p++)
		if ((err = open_path(&pc[p], hosts[path_host[p]].bus[0]))) {
			fprintf(stderr, "cxl-fmbench: %s: libcxlfm: %s\n", path_label[p],
				cxlfm_rc_str(err));
			return err;
		}
	if ((err = make_extents(H_LOCAL, P_LOCAL)) || (err = make_extents(H_TARGET, P_SHM)))
		return err;
	if ((err = open_raw(hosts[H_LOCAL].bus[0]))) {
		fprintf(stderr, "cxl-fmbench: raw bus controller: %s\n", strerror(-err));
		return err;
	}
	if (fb_qmp_connect_port(&tq, hosts[H_LOCAL].qmp_port) || fb_qmp_handshake(&tq, 5000))
		return -EIO;
	return 0;
}

void cmds_teardown(void)
{
	for (int p = 0; p < NPATH; p++)
		for (int c = 0; c < 2; c++) {
			cxlfm_close(pc[p].ctx[c]);
			pc[p].ctx[c] = NULL;
		}
	if (raw_fd >= 0)
		close(raw_fd);
	raw_fd = -1;
	fb_qmp_close(&tq);
	/* FM hosts first: they hold the target's buffer open */
	for (int h = NHOST - 1; h >= 0; h--)
		if (hosts[h].pid > 0)
			fb_emu_stop(&hosts[h]);
}

/* ---- latency ---- */

struct cmd_arg {
	struct cxlfm_ep *ep;
	uint16_t opcode;
	unsigned extents;
};

static int op_cmd(void *arg)
{
	struct cmd_arg *c = arg;
	uint8_t out[512];
	uint32_t total;
	size_t n;
	int rc;

	if (c->opcode == OP_IDENTIFY) {
		rc = cxlfm_cmd(c->ep, NULL, OP_IDENTIFY, NULL, 0, out, sizeof(out), &n);
		return rc ? (rc < 0 ? rc : -EPROTO) : (n == 18 ? 0 : -EPROTO);
	}
	rc = list_page(c->ep, page_start(c->extents), &total);
	return rc ? rc : (total == c->extents ? 0 : -EPROTO);
}

/* A frame to an address nobody holds: the bus socket's own round trip. */
static int op_nack(void *arg)
{
	uint8_t f[21] = { NACK_ADDR << 1, 0x0f, 17, RAW_ADDR << 1 | 1, 0x01, 0x00, 0x08, 0xc8 };
	uint8_t r[16];

	(void)arg;
	if (send(raw_fd, f, sizeof(f), 0) != (ssize_t)sizeof(f) ||
	    recv(raw_fd, r, sizeof(r), 0) != 2 || r[0] != 0x01 || r[1] != NACK_ADDR)
		return -EIO;
	return 0;
}

static int op_emu_qmp(void *arg)
{
	(void)arg;
	return fb_qmp_cmd(&tq, "{\"execute\":\"query-version\"}", NULL, 0, 5000) ? -EIO : 0;
}

static int measure(const char *key, const char *label, fb_op_fn fn, void *arg,
		   unsigned warm, unsigned n)
{
	double p50, p99;
	int err = fb_latency(fn, arg, warm, n, &p50, &p99);

	if (err) {
		fprintf(stderr, "cxl-fmbench: %s: %s\n", label,
			err < 0 ? strerror(-err) : cxlfm_rc_str(err));
		return err;
	}
	fig_add_lat(fig_get(key, label, "us", FIG_LAT), p50, p99);
	return 0;
}

static int path_latency(int p, unsigned n)
{
	char key[64], label[96];
	struct cmd_arg a = { .ep = pc[p].ep[0][0], .opcode = OP_IDENTIFY };
	int err;

	snprintf(key, sizeof(key), "%s.identify", path_key[p]);
	snprintf(label, sizeof(label), "Identify, %s", path_label[p]);
	if ((err = measure(key, label, op_cmd, &a, n / 10, n)))
		return err;
	for (int d = 0; d < NDEV; d++) {
		a = (struct cmd_arg){ .ep = pc[p].ep[0][d], .opcode = OP_DC_EXTENTS,
				      .extents = dev_extents[d] };
		snprintf(key, sizeof(key), "%s.extents%u", path_key[p], dev_extents[d]);
		snprintf(label, sizeof(label), "DC Extent Lists (%s in region), %s",
			 dev_label[d], path_label[p]);
		if ((err = measure(key, label, op_cmd, &a, n / 20, n / 2)))
			return err;
	}
	return 0;
}

/* ---- throughput ---- */

struct tp {
	unsigned want[2], out[2];
	uint64_t done;
	int err;
};

struct tp_side {
	struct tp *tp;
	int c;
};

static void tp_done(struct cxlfm_ep *ep, int rc, const uint8_t *rsp, size_t len, void *arg)
{
	struct tp_side *s = arg;

	(void)ep;
	(void)rsp;
	s->tp->out[s->c]--;
	if (rc || len != 18) {
		if (!s->tp->err)
			s->tp->err = rc ? rc : -EPROTO;
		return;
	}
	s->tp->done++;
}

/* File scope: a request still out after an error completes (ECANCELED) later. */
static struct tp tps;
static struct tp_side side[2] = { { &tps, 0 }, { &tps, 1 } };

static int throughput(int p, unsigned inflight, double secs, double *ops)
{
	uint64_t warm_end = fb_now_ns() + 20000000u, t0 = 0, end = 0, done0 = 0;
	bool measuring = false, stop = false;

	tps = (struct tp){ .want = { inflight > 8 ? inflight / 2 : inflight,
				   inflight > 8 ? inflight / 2 : 0 } };
	for (;;) {
		struct pollfd pfd[2];
		uint64_t now = fb_now_ns();

		if (!measuring && now >= warm_end) {
			measuring = true;
			t0 = now;
			done0 = tps.done;
			end = now + (uint64_t)(secs * 1e9);
		}
		if (measuring && now >= end && !stop) {
			*ops = (double)(tps.done - done0) / ((double)(now - t0) / 1e9);
			stop = true;
		}
		for (int c = 0; c < 2 && !stop && !tps.err; c++)
			while (tps.out[c] < tps.want[c]) {
				int rc = cxlfm_submit(pc[p].ep[c][0], NULL, OP_IDENTIFY, NULL, 0,
						      tp_done, &side[c]);

				if (rc)
					return rc;
				tps.out[c]++;
			}
		if (!tps.out[0] && !tps.out[1])
			break;
		for (int c = 0; c < 2; c++)
			pfd[c] = (struct pollfd){ .fd = cxlfm_fd(pc[p].ctx[c]), .events = POLLIN };
		if (poll(pfd, 2, 6000) <= 0)
			return -ETIMEDOUT;
		for (int c = 0; c < 2; c++)
			if (pfd[c].revents) {
				int rc = cxlfm_process(pc[p].ctx[c], 0);

				if (rc < 0)
					return rc;
			}
	}
	return tps.err;
}

int cmds_round(const struct fb_opts *o, int round)
{
	static const unsigned levels[] = { 1, 4, 16 };
	unsigned nl = (unsigned)(2000 * o->scale), nf = (unsigned)(500 * o->scale);
	double secs = 0.08 * o->scale;
	int err;

	(void)round;
	if ((err = measure("emu.bus_nack", "bus socket round trip through cxl-emu (NACK)",
			   op_nack, NULL, 200, nl)) ||
	    (err = measure("emu.qmp", "cxl-emu QMP query-version round trip", op_emu_qmp,
			   NULL, 50, nf)))
		return err;
	for (int p = 0; p < NPATH; p++)
		if ((err = path_latency(p, p == P_LOCAL ? nl : nf)))
			return err;
	for (int p = 0; p < NPATH; p++)
		for (unsigned i = 0; i < 3; i++) {
			char key[64], label[96];
			double ops = 0;

			err = throughput(p, levels[i], secs, &ops);
			if (err) {
				fprintf(stderr, "cxl-fmbench: throughput %s, %u in flight: %s\n",
					path_label[p], levels[i], cxlfm_rc_str(err));
				return err;
			}
			snprintf(key, sizeof(key), "tput.%s.%u", path_key[p], levels[i]);
			snprintf(label, sizeof(label), "Identify throughput, %s, %u in flight",
				 path_label[p], levels[i]);
			fig_add_val(fig_get(key, label, "ops/s", FIG_VAL), ops);
		}
	return 0;
}
