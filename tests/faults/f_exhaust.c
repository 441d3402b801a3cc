/* SPDX-License-Identifier: MIT */
/*
 * Exhaustion: many QMP connections, many bus connections, many DC add and
 * release cycles against one cxl-emu. After a warm-up its open descriptors
 * (/proc/PID/fd) must come back to the same count and its anonymous memory
 * (RssAnon in /proc/PID/status: heap and stacks, not the backing files'
 * pages) grow by no more than a small bound.
 *
 * FAULTS_CHURN_N (default 10000) sets the connection counts, FAULTS_DC_CYCLES
 * (default 100000) the DC cycles.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "faults.h"
#include "proto/cci.h"
#include "proto/mctp.h"
#include "proto/mctp_i2c.h"

#define MiB (1024ull * 1024)
static void start_host(struct emu_proc *h)
{
	struct e2e_argv a = { .n = 0 };

	f_dcd_host_argv(&a, NULL);
	f_emu_start(h, a.v);
}

/* One QMP connection of four kinds, by i. */
static void qmp_conn(const struct emu_proc *h, unsigned long i)
{
	int fd;

	switch (i % 4) {
	case 0:
	case 1: /* negotiated, one command */
		fd = f_qmp(h);
		json_object_put(f_qmp_ok(fd, "query-status", NULL));
		break;
	case 2: /* greeting read, never negotiated */
		fd = qmp_connect(h->qmp_port);
		F_CHECK(fd >= 0, "connection %lu: no greeting", i);
		break;
	default: { /* connected and gone at once */
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons((uint16_t)h->qmp_port),
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		F_CHECK(fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa)),
			"connection %lu: %s", i, strerror(errno));
		break;
	}
	}
	close(fd);
}

/* n connections made by conn(h, i) after 400 of warm-up: bounded usage. */
static void churn(void (*conn)(const struct emu_proc *, unsigned long), const char *what)
{
	static struct emu_proc h;
	unsigned long n = f_env_ulong("FAULTS_CHURN_N", 10000);
	struct f_usage u0, u1;
	double t0;

	start_host(&h);
	for (unsigned long i = 0; i < 400; i++)
		conn(&h, i);
	u0 = f_usage_of(&h, -1);
	t0 = f_now();
	for (unsigned long i = 0; i < n; i++)
		conn(&h, i);
	u1 = f_usage_of(&h, u0.fds);
	F_CHECK(f_alive(&h), "the host died");
	f_pass("%s after %s %s in %.1f s", f_usage_bounded(&u0, &u1), f_num(n), what,
	       f_now() - t0);
}

static void churn_qmp(void)
{
	churn(qmp_conn, "QMP connections (half negotiated with a command, a quarter greeting "
	      "only, a quarter closed at once)");
}

/* One bus connection of three kinds, by i: a libcxlfm FM with Identify, a
 * controller that opens a message and leaves, one that connects and leaves. */
static void bus_conn(const struct emu_proc *h, unsigned long i)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	if (i % 2 == 0) {
		struct cxlfm_ctx *ctx = f_fm_open(h, 0x10, 5000);

		rc = f_identify(f_fm_ep(ctx, 0x06), NULL);
		F_CHECK(rc == 0, "connection %lu: Identify: %s", i, cxlfm_rc_str(rc));
		cxlfm_close(ctx);
		return;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", emu_bus(h, "i2c0"));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	F_CHECK(fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa)), "connection %lu: %s",
		i, strerror(errno));
	if (i % 4 == 1) { /* a start of message to 0x6 from 0x21, never continued */
		struct mctp_hdr mh = { .ver = MCTP_HDR_VERSION, .src = 9, .som = true, .to = true,
				       .tag = 1 };
		uint8_t pkt[MCTP_HDR_LEN + MCTP_BTU] = { 0 }, frame[MCTP_I2C_FRAME_MAX];
		int len;

		mctp_hdr_encode(&mh, pkt, sizeof(pkt));
		pkt[MCTP_HDR_LEN] = MCTP_MSG_CXL_CCI;
		len = mctp_i2c_encode(0x06, 0x21, pkt, sizeof(pkt), frame, sizeof(frame));
		if (len < 0 || send(fd, frame, (size_t)len, MSG_NOSIGNAL) != len)
			f_fail("connection %lu: send: %s", i, strerror(errno));
	}
	close(fd);
}

static void churn_bus(void)
{
	churn(bus_conn, "bus connections (half an FM with Identify, a quarter leaving a "
	      "message unfinished, a quarter closed at once)");
}

/* One add and one release of the extent at dpa, each repeated while the
 * host has not yet answered the previous step (Invalid Extent List/Physical
 * Address); the repeats are counted. */
static void dc_cycle(struct cxlfm_ep *ep, uint64_t dpa, unsigned long *repeats)
{
	for (int step = 0; step < 2; step++) {
		int rc, tries = 0;

		while ((rc = step ? f_dc_release(ep, dpa, 2 * MiB) : f_dc_add(ep, dpa, 2 * MiB))) {
			F_CHECK(rc > 0 && ++tries < 1000, "%s: %s", step ? "release" : "add",
				cxlfm_rc_str(rc));
			(*repeats)++;
		}
	}
}

static void churn_dc(void)
{
	static struct emu_proc h;
	unsigned long n = f_env_ulong("FAULTS_DC_CYCLES", 100000), repeats = 0;
	struct f_extents held = { 0 };
	struct cxlfm_ctx *ctx;
	struct cxlfm_ep *ep;
	struct f_usage u0, u1;
	uint64_t base;
	double t0;
	long stats_held;
	int q;

	start_host(&h);
	ctx = f_fm_open(&h, 0x10, 5000);
	ep = f_fm_ep(ctx, 0x06);
	base = f_dc_base(ep);
	for (unsigned long i = 0; i < 1000; i++)
		dc_cycle(ep, base + (i % 8) * 4 * MiB, &repeats);
	u0 = f_usage_of(&h, -1);
	t0 = f_now();
	for (unsigned long i = 0; i < n; i++)
		dc_cycle(ep, base + (i % 8) * 4 * MiB, &repeats);
	u1 = f_usage_of(&h, -1);
	q = f_qmp(&h);
	F_CHECK(f_fm_extents(ep, &held) == 0, "5603h");
	for (int i = 0; i < 100 && held.n; i++) { /* the last release being answered */
		f_sleep_ms(10);
		F_CHECK(f_fm_extents(ep, &held) == 0, "5603h");
	}
	F_CHECK(held.n == 0, "%zu extents held after the last release", held.n);
	f_ha_extents(q, "dcd", &held, &stats_held);
	F_CHECK(held.n == 0 && stats_held == 0, "the host holds %zu (stats: %ld)", held.n,
		stats_held);
	F_CHECK(f_ha_stat(q, "dcd", "accepted") == n + 1000, "accepted %llu times, not %lu",
		(unsigned long long)f_ha_stat(q, "dcd", "accepted"), n + 1000);
	close(q);
	cxlfm_close(ctx);
	f_extents_free(&held);
	f_pass("%s after %s DC add/release cycles in %.1f s (%s requests repeated while the "
	       "host answered the previous one)", f_usage_bounded(&u0, &u1), f_num(n), f_now() - t0,
	       f_num(repeats));
}

const struct f_scenario f_exhaust_scenarios[] = {
	{ "churn-qmp", "10k QMP connections: no fd or heap growth", churn_qmp, 300 },
	{ "churn-bus", "10k bus connections: no fd or heap growth", churn_bus, 300 },
	{ "churn-dc", "100k DC add/release cycles: no fd or heap growth", churn_dc, 600 },
	{ NULL, NULL, NULL, 0 },
};
