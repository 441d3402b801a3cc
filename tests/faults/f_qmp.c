/* SPDX-License-Identifier: MIT */
/*
 * QMP peers that misbehave (issue #13 classes 3 and 10): idle connections
 * that never negotiate, 1 MiB of random bytes, a client that pipelines
 * commands and never reads its answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "faults.h"

#define QMP_CLIENTS_MAX 64 /* docs/qmp.md "Limits" */

/* Forwarded Identify requests through the FM host: how many were answered. */
static int forward_n(const struct f_pair *p, int n)
{
	struct cxlfm_ctx *ctx = f_fm_open(&p->fm, 0x10, 10000);
	struct cxlfm_ep *ep = f_fm_ep(ctx, 0x06);
	int ok = 0;

	for (int i = 0; i < n; i++) {
		uint64_t serial = 0;

		ok += f_identify(ep, &serial) == 0 && serial == 99;
	}
	cxlfm_close(ctx);
	return ok;
}

/* Idle clients the server has closed (EOF, after what it told them). */
static int closed_by_server(const int *fd, int n)
{
	int closed = 0;

	for (int i = 0; i < n; i++) {
		char buf[4096];
		ssize_t r;

		while ((r = recv(fd[i], buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			;
		closed += r == 0;
	}
	return closed;
}

/*
 * Class 3: the target's QMP full of connections that never negotiate, made
 * before the FM host connects (so it needs room) and after; the FM host's
 * forwarded requests are all answered.
 */
static void idle_clients(void)
{
	static struct f_pair p;
	static int idle[2 * QMP_CLIENTS_MAX];
	const int per = QMP_CLIENTS_MAX, reqs = 200;
	int ok1, ok2, evicted;

	f_pair_start(&p, "idle", 1, NULL);
	F_CHECK(f_emu_stop(&p.fm) == 0, "the FM host did not exit cleanly");
	for (int i = 0; i < per; i++) {
		idle[i] = qmp_connect(p.tgt_port);
		F_CHECK(idle[i] >= 0, "idle client %d got no greeting", i);
	}
	f_pair_restart_fm(&p, NULL);
	ok1 = forward_n(&p, reqs);
	for (int i = per; i < 2 * per; i++)
		idle[i] = qmp_connect(p.tgt_port);
	ok2 = forward_n(&p, reqs);
	evicted = closed_by_server(idle, 2 * per);
	for (int i = 0; i < 2 * per; i++)
		if (idle[i] >= 0)
			close(idle[i]);
	F_CHECK(ok1 == reqs && ok2 == reqs, "forwarded requests answered: %d and %d of %d",
		ok1, ok2, reqs);
	F_CHECK(f_alive(&p.tgt) && f_alive(&p.fm), "a host died");
	f_pass("%d idle clients on the target's QMP (%d before the FM host connected): "
	       "%d/%d forwarded requests answered; %d idle clients closed to make room",
	       2 * per, per, ok1 + ok2, 2 * reqs, evicted);
}

/* Class 10: 1 MiB of random bytes on a QMP connection: bounded output, then closed. */
static void random_bytes(void)
{
	static struct emu_proc h;
	static uint8_t junk[1 << 20];
	struct e2e_argv a = { .n = 0 };
	size_t sent = 0, got = 0;
	bool eof = false;
	double t0;
	int fd, q;

	f_dcd_host_argv(&a, NULL);
	f_emu_start(&h, a.v);
	srand(13);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)rand();
	fd = qmp_connect(h.qmp_port);
	F_CHECK(fd >= 0, "no greeting");
	fcntl(fd, F_SETFL, O_NONBLOCK);
	t0 = f_now();
	while (!eof && f_now() - t0 < 20) {
		struct pollfd pf = { .fd = fd, .events = POLLIN | (sent < sizeof(junk) ? POLLOUT : 0) };
		char buf[65536];
		ssize_t r;

		if (poll(&pf, 1, 100) <= 0)
			continue;
		if (pf.revents & POLLOUT) {
			r = send(fd, junk + sent, sizeof(junk) - sent, MSG_NOSIGNAL);
			if (r > 0)
				sent += (size_t)r;
			else if (r < 0 && errno != EAGAIN)
				sent = sizeof(junk); /* it closed on us: nothing more goes */
		}
		while ((r = recv(fd, buf, sizeof(buf), 0)) > 0)
			got += (size_t)r;
		if (r == 0 || (r < 0 && errno != EAGAIN))
			eof = true;
	}
	close(fd);
	F_CHECK(eof, "the server kept the connection %.0f s after %zu bytes", f_now() - t0, sent);
	F_CHECK(got < 64 * 1024, "%zu bytes of answers for %zu bytes of junk", got, sent);
	q = f_qmp(&h);
	json_object_put(f_qmp_ok(q, "query-status", NULL));
	close(q);
	f_pass("%s bytes out for 1 MiB of random bytes in, then closed; a new client is served",
	       f_num(got));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * n round trips of query-status on q, sorted: their times (ms) and the CPU
 * time the server ran meanwhile (ms), which is what it spent on others while
 * q waited (scheduling delays on a loaded machine add time, not CPU). Before
 * each, flood() runs.
 */
static void sample(int q, pid_t server, double *ms, double *cpu_ms, int n,
		   void (*flood)(void *), void *arg)
{
	for (int i = 0; i < n; i++) {
		struct json_object *r;
		long long c0, c1;
		double t0;

		if (flood)
			flood(arg);
		c0 = f_proc_cpu_ns(server);
		t0 = f_now();
		r = f_qmp_ok(q, "query-status", NULL);
		ms[i] = (f_now() - t0) * 1e3;
		c1 = f_proc_cpu_ns(server);
		cpu_ms[i] = c0 >= 0 && c1 >= c0 ? (double)(c1 - c0) / 1e6 : 0;
		json_object_put(r);
	}
	qsort(ms, (size_t)n, sizeof(ms[0]), cmp_double);
	qsort(cpu_ms, (size_t)n, sizeof(cpu_ms[0]), cmp_double);
}

struct flooder {
	int fd;
	unsigned long long sent;
};

/* As many pipelined x-cxl-topology commands as the socket takes. */
static void flood(void *arg)
{
	static const char cmd[] = "{\"execute\": \"x-cxl-topology\"}\n";
	static char chunk[64 * (sizeof(cmd) - 1)];
	struct flooder *f = arg;
	ssize_t r;

	if (!chunk[0])
		for (size_t i = 0; i < 64; i++)
			memcpy(chunk + i * (sizeof(cmd) - 1), cmd, sizeof(cmd) - 1);
	while ((r = send(f->fd, chunk, sizeof(chunk), MSG_NOSIGNAL | MSG_DONTWAIT)) > 0)
		f->sent += (unsigned long long)r;
}

/*
 * Class 10: a client that pipelines commands with big answers and never
 * reads them, beside one that measures query-status. The server runs 16 of
 * a client's commands per turn and stops reading a client while 256 KiB of
 * its answers wait. Before, each turn ran all that one read brought (some
 * 2000 commands): the other client waited ~50 ms while the server worked
 * for the flooder. Checked: the server's CPU time during any one wait (the
 * work done for others meanwhile, which a loaded machine does not inflate)
 * stays under 20 ms (~5 ms here), and no wait reaches 1 s.
 */
static void flood_latency(void)
{
	static struct emu_proc h;
	struct e2e_argv a = { .n = 0 };
	struct flooder fl = { .fd = -1 };
	double base[200], base_cpu[200], busy[500], busy_cpu[500];
	int q;

	f_dcd_host_argv(&a, NULL);
	f_emu_start(&h, a.v);
	F_CHECK(f_proc_cpu_ns(h.pid) >= 0, "no /proc/%d/schedstat", (int)h.pid);
	q = f_qmp(&h);
	sample(q, h.pid, base, base_cpu, 200, NULL, NULL);
	fl.fd = qmp_open(h.qmp_port);
	F_CHECK(fl.fd >= 0, "the flooding client cannot connect");
	sample(q, h.pid, busy, busy_cpu, 500, flood, &fl);
	F_CHECK(f_alive(&h), "the host died");
	F_CHECK(fl.sent > 1024 * 1024, "only %llu bytes of commands went out", fl.sent);
	close(fl.fd);
	close(q);
	F_CHECK(busy_cpu[499] < 20, "the server ran %.1f ms for others while a query-status "
		"waited (%.1f ms)", busy_cpu[499], busy[499]);
	F_CHECK(busy[499] < 1000, "query-status took %.0f ms under the flood", busy[499]);
	f_pass("query-status p50 %.2f -> %.2f ms, p99 %.2f -> %.2f ms, at most %.2f ms of server "
	       "CPU during one, while another client pipelined %s bytes of x-cxl-topology "
	       "without reading", base[100], busy[250], base[197], busy[494], busy_cpu[499],
	       f_num(fl.sent));
}

const struct f_scenario f_qmp_scenarios[] = {
	{ "qmp-idle-clients", "#13.3: 128 idle QMP connections vs forwarding", idle_clients, 0 },
	{ "qmp-random-bytes", "#13.10: 1 MiB of random bytes on QMP", random_bytes, 0 },
	{ "qmp-flood", "#13.10: a flooding client that never reads vs another's latency",
	  flood_latency, 0 },
	{ NULL, NULL, NULL, 0 },
};
