/* SPDX-License-Identifier: MIT */
/*
 * Baselines measured in the same run as everything else:
 *   - a 64-byte ping-pong between two processes over a UNIX SOCK_SEQPACKET
 *     socket pair (what the I2C bus socket is), and over TCP loopback with
 *     TCP_NODELAY (what the forwarding QMP connection is);
 *   - one QMP round trip (query-version) to a real
 *     `qemu-system-x86_64 -machine none`, when it is installed;
 *   - QEMU's start-up (exec to the QMP greeting) and memory, the reference
 *     for cxl-emu's start-up.
 * QEMU gets its QMP listener as an inherited, already listening socket
 * (`-chardev socket,fd=N,server=on,wait=off -mon chardev=...,mode=control`,
 * the same monitor `-qmp tcp:...,server,wait=off` creates): the port is
 * ephemeral with no reuse race, and the greeting arrives on a connection
 * the kernel accepted before QEMU ran, so start-up is measured without a
 * connect-retry loop.
 */
#include "fmbench.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#define MSG 64

static pid_t unix_pid, tcp_pid;
static int unix_fd = -1, tcp_fd = -1;

struct qemu {
	pid_t pid;
	struct fb_qmp q;
	double start_ms, rss_mb, hwm_mb;
};

static struct qemu qemu_rtt = { .q.fd = -1 };
static char qemu_version[64];

const char *base_qemu_version(void)
{
	return qemu_version[0] ? qemu_version : NULL;
}

/* ---- echo children ---- */

static ssize_t read_full(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n <= 0)
			return n;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static void echo_seqpacket(int fd)
{
	uint8_t buf[MSG];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
			break;
	_exit(0);
}

static void echo_stream(int lfd)
{
	uint8_t buf[MSG];
	int one = 1, fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		_exit(1);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while (read_full(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			break;
	_exit(0);
}

static int start_unix(void)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	unix_pid = fork();
	if (unix_pid < 0)
		return -errno;
	if (unix_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fb_pin(fb_cpu_server);
		close(sv[0]);
		echo_seqpacket(sv[1]);
	}
	fb_child_add(unix_pid);
	close(sv[1]);
	unix_fd = sv[0];
	return 0;
}

static int listen_lo(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4) ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl)) {
		int err = -errno;

		close(fd);
		return err;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

static int connect_lo(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int start_tcp(void)
{
	int port, lfd = listen_lo(&port);

	if (lfd < 0)
		return lfd;
	tcp_pid = fork();
	if (tcp_pid < 0) {
		close(lfd);
		return -errno;
	}
	if (tcp_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fb_pin(fb_cpu_server);
		echo_stream(lfd);
	}
	fb_child_add(tcp_pid);
	close(lfd);
	tcp_fd = connect_lo(port);
	return tcp_fd < 0 ? tcp_fd : 0;
}

static int op_unix(void *arg)
{
	uint8_t buf[MSG] = { 0x5a };

	(void)arg;
	if (send(unix_fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf) ||
	    recv(unix_fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
		return -EIO;
	return 0;
}

static int op_tcp(void *arg)
{
	uint8_t buf[MSG] = { 0x5a };

	(void)arg;
	if (write(tcp_fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
	    read_full(tcp_fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		return -EIO;
	return 0;
}

/* ---- QEMU ---- */

static void parse_version(const char *greeting)
{
	struct json_object *o = json_tokener_parse(greeting), *v;

	if (o && json_object_object_get_ex(o, "QMP", &v) &&
	    json_object_object_get_ex(v, "version", &v) &&
	    json_object_object_get_ex(v, "qemu", &v)) {
		struct json_object *ma, *mi, *mc;

		if (json_object_object_get_ex(v, "major", &ma) &&
		    json_object_object_get_ex(v, "minor", &mi) &&
		    json_object_object_get_ex(v, "micro", &mc))
			snprintf(qemu_version, sizeof(qemu_version), "%d.%d.%d",
				 json_object_get_int(ma), json_object_get_int(mi),
				 json_object_get_int(mc));
	}
	json_object_put(o);
}

/* exec to the greeting; the connection is negotiated and left open. */
static int qemu_start(const char *bin, struct qemu *qm)
{
	char chardev[64], line[4096];
	int port, lfd = listen_lo(&port);
	uint64_t t0;

	if (lfd < 0)
		return lfd;
	snprintf(chardev, sizeof(chardev), "socket,id=qmp,fd=3,server=on,wait=off");
	t0 = fb_now_ns();
	qm->pid = fork();
	if (qm->pid == 0) {
		int null;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fb_pin(fb_cpu_server);
		if (lfd == 3) /* dup2 onto itself would keep FD_CLOEXEC */
			fcntl(3, F_SETFD, 0);
		else
			dup2(lfd, 3);
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execl(bin, bin, "-machine", "none", "-nodefaults", "-display", "none",
		      "-chardev", chardev, "-mon", "chardev=qmp,mode=control", (char *)NULL);
		_exit(127);
	}
	if (qm->pid < 0) {
		close(lfd);
		return -errno;
	}
	fb_child_add(qm->pid);
	if (fb_qmp_connect_port(&qm->q, port)) {
		close(lfd);
		return -EIO;
	}
	close(lfd);
	if (fb_qmp_line(&qm->q, line, sizeof(line), 10000) < 0 || !strstr(line, "\"QMP\"")) {
		fprintf(stderr, "cxl-fmbench: %s sent no QMP greeting\n", bin);
		return -EIO;
	}
	qm->start_ms = (double)(fb_now_ns() - t0) / 1e6;
	if (!qemu_version[0])
		parse_version(line);
	if (fb_qmp_cmd(&qm->q, "{\"execute\":\"qmp_capabilities\"}", NULL, 0, 5000))
		return -EIO;
	if (fb_proc_mem(qm->pid, &qm->rss_mb, &qm->hwm_mb))
		qm->rss_mb = qm->hwm_mb = -1;
	return 0;
}

static void qemu_stop(struct qemu *qm)
{
	if (qm->q.fd >= 0) {
		fb_qmp_cmd(&qm->q, "{\"execute\":\"quit\"}", NULL, 0, 2000);
		fb_qmp_close(&qm->q);
	}
	if (qm->pid > 0)
		fb_child_stop(qm->pid);
	qm->pid = 0;
}

static int op_qmp(void *arg)
{
	struct fb_qmp *q = arg;

	return fb_qmp_cmd(q, "{\"execute\":\"query-version\"}", NULL, 0, 5000) ? -EIO : 0;
}

/* A fresh QEMU: exec to greeting and its memory, the start-up reference. */
static int qemu_start_once(const struct fb_opts *o)
{
	struct qemu qm = { .q.fd = -1 };
	int err;

	err = qemu_start(o->qemu, &qm);
	if (!err) {
		fig_add_val(fig_get("start.qemu", "QEMU -machine none: exec to QMP greeting",
				    "ms", FIG_VAL), qm.start_ms);
		fig_add_val(fig_get("rss.qemu", "QEMU -machine none: VmHWM at greeting", "MiB",
				    FIG_VAL), qm.hwm_mb);
	}
	qemu_stop(&qm);
	return err;
}

int base_setup(const struct fb_opts *o)
{
	int err = start_unix();

	(void)o;
	if (!err)
		err = start_tcp();
	if (err)
		fprintf(stderr, "cxl-fmbench: baseline ping-pong: %s\n", strerror(-err));
	return err;
}

int qemu_setup(const struct fb_opts *o)
{
	int err = qemu_start(o->qemu, &qemu_rtt);

	if (err)
		fprintf(stderr, "cxl-fmbench: QEMU (%s) did not start: %s\n", o->qemu,
			strerror(-err));
	return err;
}

int qemu_round(const struct fb_opts *o, int round)
{
	unsigned n = (unsigned)(500 * o->scale);
	double p50, p99;
	int err;

	(void)round;
	if ((err = fb_latency(op_qmp, &qemu_rtt.q, 100, n, &p50, &p99)))
		return err;
	fig_add_lat(fig_get("base.qemu_qmp", "QEMU QMP query-version round trip", "us", FIG_LAT),
		    p50, p99);
	return qemu_start_once(o);
}

void qemu_teardown(void)
{
	qemu_stop(&qemu_rtt);
}

int base_round(const struct fb_opts *o, int round)
{
	unsigned n = (unsigned)(2500 * o->scale);
	double p50, p99;
	int err;

	(void)round;
	if ((err = fb_latency(op_unix, NULL, 500, n, &p50, &p99)))
		return err;
	fig_add_lat(fig_get("base.unix", "UNIX seqpacket ping-pong, 64 B", "us", FIG_LAT),
		    p50, p99);
	if ((err = fb_latency(op_tcp, NULL, 500, n, &p50, &p99)))
		return err;
	fig_add_lat(fig_get("base.tcp", "TCP loopback ping-pong, 64 B", "us", FIG_LAT),
		    p50, p99);
	return 0;
}

void base_teardown(void)
{
	if (unix_fd >= 0)
		close(unix_fd); /* the echo child sees EOF and exits */
	if (tcp_fd >= 0)
		close(tcp_fd);
	unix_fd = tcp_fd = -1;
	if (unix_pid > 0) {
		waitpid(unix_pid, NULL, 0);
		fb_child_forget(unix_pid);
	}
	if (tcp_pid > 0) {
		waitpid(tcp_pid, NULL, 0);
		fb_child_forget(tcp_pid);
	}
	unix_pid = tcp_pid = 0;
}
