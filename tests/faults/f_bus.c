/* SPDX-License-Identifier: MIT */
/*
 * Bus controllers that misbehave (issue #13 classes 4, 6, 7 and 10): one
 * that opens messages and never finishes them, two with the same EID whose
 * packets interleave, empty datagrams, one that never reads; and the bus
 * socket's file: a regular file in its place, the mode under umask 000.
 *
 * The raw controllers here build DSP0237 frames with the proto codecs
 * (mctp.h, mctp_i2c.h, cci.h) and read the answers themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "cxlfm/fmapi.h"
#include "faults.h"
#include "proto/cci.h"
#include "proto/mctp.h"
#include "proto/mctp_i2c.h"

#define BUS "aspeed.i2c.bus.0"
#define SW_EP 0x04            /* the target's switch CCI endpoint */
#define NOBODY 0x7e           /* an address no device holds: the bus NACKs it */
#define I2C_BUS_NACK 0x01     /* docs/bus-socket.md: a NACK datagram */
#define PPS_PORTS 52          /* Get Physical Port State of 52 ports: a 2-packet request */
#define OP_PHYS_PORT_STATE 0x5101

/* A bus controller of our own: a raw socket and a reassembler for answers. */
struct raw {
	int fd;
	uint8_t addr, eid;
	struct mctp_reasm reasm;
	uint8_t msg[4096];
	size_t msg_len;
};

static void raw_open(struct raw *r, const char *path, uint8_t addr, uint8_t eid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct mctp_reasm_cfg cfg = { .max_msg = sizeof(r->msg), .nctx = 8,
				      .timeout_ns = MCTP_REASM_TIMEOUT_DEFAULT_NS };

	memset(r, 0, sizeof(*r));
	r->addr = addr;
	r->eid = eid;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	r->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	F_CHECK(r->fd >= 0 && !connect(r->fd, (struct sockaddr *)&sa, sizeof(sa)),
		"cannot connect to %s: %s", path, strerror(errno));
	F_CHECK(mctp_reasm_init(&r->reasm, &cfg) == 0, "reassembler");
}

static void raw_close(struct raw *r)
{
	close(r->fd);
	mctp_reasm_fini(&r->reasm);
}

/* One frame carrying MCTP packet pkt to dest; 0 or -errno. */
static int raw_send(struct raw *r, uint8_t dest, const uint8_t *pkt, size_t len, int flags)
{
	uint8_t frame[MCTP_I2C_FRAME_MAX];
	int n = mctp_i2c_encode(dest, r->addr, pkt, len, frame, sizeof(frame));

	if (n < 0)
		return n;
	return send(r->fd, frame, (size_t)n, MSG_NOSIGNAL | flags) == n ? 0 : -errno;
}

/* The packets of message msg (type byte first) from r to dest_eid, TO set. */
static int raw_packets(const struct raw *r, uint8_t dest_eid, uint8_t tag, const uint8_t *msg,
		       size_t len, uint8_t (*pkt)[MCTP_HDR_LEN + MCTP_BTU], size_t *plen, int max)
{
	struct mctp_pktizer pz;
	int n = 0, k;

	F_CHECK(mctp_pktizer_init(&pz, dest_eid, r->eid, true, tag, msg, len, MCTP_BTU) == 0,
		"packetiser");
	while (n < max && (k = mctp_pktizer_next(&pz, pkt[n], sizeof(pkt[n]))) > 0)
		plen[n++] = (size_t)k;
	return n;
}

enum { GOT_NOTHING, GOT_NACK, GOT_MSG };

/* The next NACK or whole message for r within timeout_ms. */
static int raw_recv(struct raw *r, int timeout_ms)
{
	double end = f_now() + timeout_ms / 1000.0;
	uint8_t buf[MCTP_I2C_FRAME_MAX + 8];

	for (;;) {
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		struct mctp_i2c_frame f;
		struct mctp_msg m;
		int left = (int)((end - f_now()) * 1000);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return GOT_NOTHING;
		n = recv(r->fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return GOT_NOTHING;
		if (buf[0] == I2C_BUS_NACK)
			return GOT_NACK;
		if (mctp_i2c_decode(buf, (size_t)n, &f))
			continue;
		if (mctp_reasm_rx(&r->reasm, f.src, f.pkt, f.pkt_len,
				  (uint64_t)(f_now() * 1e9), &m) == 1) {
			r->msg_len = m.len < sizeof(r->msg) ? m.len : sizeof(r->msg);
			memcpy(r->msg, m.data, r->msg_len);
			return GOT_MSG;
		}
	}
}

/* Until the bus has handled everything r sent: a frame to nobody, its NACK back. */
static void raw_sync(struct raw *r)
{
	static const uint8_t probe[MCTP_HDR_LEN + 1] = { 1, 0, 0, 0xc8, 0 };

	F_CHECK(raw_send(r, NOBODY, probe, sizeof(probe), 0) == 0, "probe: %s", strerror(errno));
	F_CHECK(raw_recv(r, 2000) == GOT_NACK, "no NACK from the bus for 0x%02x", NOBODY);
}

/* Get Physical Port State (FM API) of PPS_PORTS ports from first on. */
static size_t pps_request(uint8_t *msg, uint8_t cci_tag, uint8_t first)
{
	struct cci_hdr h = { .category = CCI_CAT_REQ, .tag = cci_tag,
			     .opcode = OP_PHYS_PORT_STATE, .pl_len = 1 + PPS_PORTS };

	msg[0] = MCTP_MSG_CXL_FMAPI;
	cci_hdr_encode(&h, msg + 1, CCI_HDR_LEN);
	msg[1 + CCI_HDR_LEN] = PPS_PORTS;
	for (unsigned i = 0; i < PPS_PORTS; i++)
		msg[2 + CCI_HDR_LEN + i] = (uint8_t)(first + i);
	return 2 + CCI_HDR_LEN + PPS_PORTS;
}

/* Does a Get Physical Port State answer describe the ports from first on? */
static bool pps_answers(const uint8_t *pl, size_t len, uint8_t first)
{
	if (len != 4 + 16 * PPS_PORTS || pl[0] != PPS_PORTS)
		return false;
	for (unsigned i = 0; i < PPS_PORTS; i++)
		if (pl[4 + 16 * i] != (uint8_t)(first + i))
			return false;
	return true;
}

static bool pps_msg_answers(const struct raw *r, uint8_t cci_tag, uint8_t first)
{
	struct cci_hdr h;
	const uint8_t *pl;

	return r->msg_len > 1 && r->msg[0] == MCTP_MSG_CXL_FMAPI &&
	       !cci_msg_decode(r->msg + 1, r->msg_len - 1, &h, &pl) &&
	       h.category == CCI_CAT_RSP && h.tag == cci_tag && h.rc == CXL_RC_SUCCESS &&
	       pps_answers(pl, h.pl_len, first);
}

static void start_target(struct emu_proc *p, const char *tag)
{
	struct e2e_argv a = { .n = 0 };
	char buf[64];

	f_shm_name(buf, sizeof(buf), tag);
	e2e_rfc_target_argv(&a, buf, 1, 0, true);
	f_emu_start(p, a.v);
}

/*
 * The switch endpoint's EID, given by a bus owner at 0x10, which also lets
 * its responses grow to 1 KiB (Set Response Message Limit, its cap): the answer to
 * a 2-packet Get Physical Port State is 836 bytes.
 */
static uint8_t switch_eid(const struct emu_proc *p, struct cxlfm_ctx **owner)
{
	struct cxlfm_set_response_msg_limit_req req = { .limit_log2 = 10 };
	struct cxlfm_set_response_msg_limit_rsp rsp;
	struct cxlfm_ep *ep;
	int rc;

	*owner = f_fm_open(p, 0x10, 5000);
	ep = f_fm_ep(*owner, SW_EP);
	rc = cxlfm_cmd_set_response_msg_limit(ep, NULL, &req, &rsp);
	F_CHECK(rc == 0 && rsp.limit_log2 == 10, "Set Response Message Limit: %s",
		cxlfm_rc_str(rc));
	return cxlfm_ep_eid(ep);
}

/*
 * Class 4b: two controllers on the same EID (8) and MCTP tag send 2-packet
 * requests whose packets interleave at the endpoint (A's first, B's first,
 * A's last, B's last; the order is forced with a NACK round trip). Each
 * must get the answer to its own request.
 */
static void same_eid(void)
{
	static struct emu_proc t;
	struct cxlfm_ctx *owner;
	struct raw a, b;
	uint8_t pa[4][MCTP_HDR_LEN + MCTP_BTU], pb[4][MCTP_HDR_LEN + MCTP_BTU], msg[128];
	size_t la[4], lb[4];
	const int rounds = 200;
	int ok = 0, wrong = 0, lost = 0;
	uint8_t eid;

	start_target(&t, "eid");
	eid = switch_eid(&t, &owner);
	raw_open(&a, emu_bus(&t, BUS), 0x20, 8);
	raw_open(&b, emu_bus(&t, BUS), 0x21, 8);
	for (int k = 0; k < rounds; k++) {
		uint8_t fa = (uint8_t)(k * 3), fb = (uint8_t)(k * 3 + 100), tag = (uint8_t)(k % 8);
		size_t len = pps_request(msg, (uint8_t)k, fa);

		F_CHECK(raw_packets(&a, eid, tag, msg, len, pa, la, 4) == 2, "not 2 packets");
		len = pps_request(msg, (uint8_t)k, fb);
		F_CHECK(raw_packets(&b, eid, tag, msg, len, pb, lb, 4) == 2, "not 2 packets");
		F_CHECK(!raw_send(&a, SW_EP, pa[0], la[0], 0), "send");
		raw_sync(&a);
		F_CHECK(!raw_send(&b, SW_EP, pb[0], lb[0], 0), "send");
		raw_sync(&b);
		F_CHECK(!raw_send(&a, SW_EP, pa[1], la[1], 0), "send");
		F_CHECK(!raw_send(&b, SW_EP, pb[1], lb[1], 0), "send");
		for (int side = 0; side < 2; side++) {
			struct raw *r = side ? &b : &a;

			if (raw_recv(r, 3000) != GOT_MSG)
				F_CHECK(++lost < 4, "%d answers lost after %d rounds", lost, k + 1);
			else if (pps_msg_answers(r, (uint8_t)k, side ? fb : fa))
				ok++;
			else
				wrong++;
		}
	}
	raw_close(&a);
	raw_close(&b);
	cxlfm_close(owner);
	F_CHECK(ok == 2 * rounds, "%d answered right, %d wrong (spliced), %d lost", ok, wrong,
		lost);
	F_CHECK(f_alive(&t), "the host died");
	f_pass("%d interleaved pairs of 2-packet requests from two controllers on EID 8 with "
	       "the same tag: %d/%d answered right, 0 spliced, 0 lost", rounds, ok, 2 * rounds);
}

struct victims {
	uint8_t first[2][8];
	int ok, wrong, lost;
};

struct victim_req {
	struct victims *v;
	uint8_t first;
	bool done;
};

static void victim_done(struct cxlfm_ep *ep, int rc, const uint8_t *rsp, size_t len, void *arg)
{
	struct victim_req *q = arg;

	(void)ep;
	if (rc < 0)
		q->v->lost++;
	else if (rc == 0 && pps_answers(rsp, len, q->first))
		q->v->ok++;
	else
		q->v->wrong++;
	q->done = true;
}

/*
 * Class 4a: a controller that opens messages (start-of-message packets,
 * every tag, a new source EID each time) and never finishes them, sent
 * between the turns of two controllers that keep 8 two-packet requests
 * each in flight: every request is answered, none with another's data.
 */
static void som_starve(void)
{
	static struct emu_proc t;
	static struct victim_req reqs[2][8];
	struct victims v = { .ok = 0 };
	struct cxlfm_ctx *ctx[2];
	struct cxlfm_ep *ep[2];
	struct raw att;
	uint8_t pkt[MCTP_HDR_LEN + MCTP_BTU] = { 0 }, in[1 + PPS_PORTS];
	unsigned long long starts = 0;
	const int per = 300;
	int submitted = 0;
	uint8_t eid;

	start_target(&t, "som");
	eid = switch_eid(&t, &ctx[0]);
	ctx[1] = f_fm_open(&t, 0x11, 5000);
	ep[0] = f_fm_ep(ctx[0], SW_EP);
	ep[1] = f_fm_ep(ctx[1], SW_EP);
	raw_open(&att, emu_bus(&t, BUS), 0x22, 8);
	while (v.ok + v.wrong + v.lost < 2 * per && v.lost < 16) {
		/* a burst of starts that are never continued */
		for (int i = 0; i < 64; i++, starts++) {
			struct mctp_hdr h = { .ver = MCTP_HDR_VERSION, .dest = eid,
					      .src = (uint8_t)(8 + starts % 240), .som = true,
					      .to = true, .tag = (uint8_t)(starts % 8) };

			mctp_hdr_encode(&h, pkt, sizeof(pkt));
			pkt[MCTP_HDR_LEN] = MCTP_MSG_CXL_FMAPI;
			F_CHECK(raw_send(&att, SW_EP, pkt, sizeof(pkt), 0) == 0, "attacker send: %s",
				strerror(errno));
		}
		for (int c = 0; c < 2; c++)
			for (int i = 0; i < 8 && submitted < 2 * per; i++) {
				struct victim_req *q = &reqs[c][i];

				if (submitted >= 16 && !q->done)
					continue;
				*q = (struct victim_req){ .v = &v, .first = (uint8_t)(submitted * 7) };
				in[0] = PPS_PORTS;
				for (unsigned p = 0; p < PPS_PORTS; p++)
					in[1 + p] = (uint8_t)(q->first + p);
				F_CHECK(cxlfm_submit(ep[c], NULL, OP_PHYS_PORT_STATE, in, sizeof(in),
						     victim_done, q) == 0, "submit");
				submitted++;
			}
		cxlfm_process(ctx[0], 1);
		cxlfm_process(ctx[1], 1);
	}
	raw_close(&att);
	cxlfm_close(ctx[0]);
	cxlfm_close(ctx[1]);
	F_CHECK(v.ok == 2 * per, "%d answered right, %d wrong, %d lost (of %d sent)", v.ok,
		v.wrong, v.lost, submitted);
	F_CHECK(f_alive(&t), "the host died");
	f_pass("2 controllers x %d two-packet requests (8 in flight each): %d answered right, "
	       "0 lost, while a third sent %s unfinished start-of-message packets", per, v.ok,
	       f_num(starts));
}

/* Class 10: empty datagrams do not cost a controller its connection. */
static void empty_datagrams(void)
{
	static struct emu_proc h;
	struct e2e_argv a = { .n = 0 };
	struct cxlfm_opts o = { .size = sizeof(o), .own_addr = 0x23, .timeout_ms = 5000 };
	struct cxlfm_ctx *ctx;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint64_t serial = 0;
	size_t lines;
	int fd, rc;

	f_dcd_host_argv(&a, NULL);
	f_emu_start(&h, a.v);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", emu_bus(&h, "i2c0"));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	F_CHECK(fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa)), "connect");
	for (int i = 0; i < 1000; i++)
		F_CHECK(send(fd, "", 0, MSG_NOSIGNAL) == 0, "empty send %d: %s", i, strerror(errno));
	F_CHECK(cxlfm_open_fd(fd, &o, &ctx) == 0, "libcxlfm on the same connection");
	rc = f_identify(f_fm_ep(ctx, 0x06), &serial);
	F_CHECK(rc == 0 && serial == 7, "Identify on the same connection: %s", cxlfm_rc_str(rc));
	cxlfm_close(ctx);
	lines = f_log_count(&h, "so far");
	F_CHECK(lines <= 16, "%zu drop log lines for 1000 empty datagrams", lines);
	F_CHECK(f_emu_stop(&h) == 0, "no clean exit");
	f_pass("1,000 empty datagrams, then Identify on the same connection answered; "
	       "%zu drop log lines", lines);
}

/*
 * Class 10: a controller that sends requests and never reads loses the
 * answers once its socket is full; the bus goes on, says so in a few log
 * lines (1st, 2nd, 4th... drop), and serves everyone else.
 */
static void drop_logs(void)
{
	static struct emu_proc h;
	struct e2e_argv a = { .n = 0 };
	struct cxlfm_ctx *owner;
	uint8_t pkts[2][MCTP_HDR_LEN + MCTP_BTU], msg[1 + CCI_HDR_LEN];
	struct cci_hdr ch = { .category = CCI_CAT_REQ, .opcode = 0x0001 };
	size_t plen[2], lines;
	const unsigned long n = 100000;
	uint64_t serial = 0;
	struct raw r;
	uint8_t eid;

	f_dcd_host_argv(&a, NULL);
	f_emu_start(&h, a.v);
	owner = f_fm_open(&h, 0x10, 5000);
	eid = cxlfm_ep_eid(f_fm_ep(owner, 0x06));
	raw_open(&r, emu_bus(&h, "i2c0"), 0x24, 9);
	msg[0] = MCTP_MSG_CXL_CCI;
	cci_hdr_encode(&ch, msg + 1, CCI_HDR_LEN);
	F_CHECK(raw_packets(&r, eid, 0, msg, sizeof(msg), pkts, plen, 2) == 1, "one packet");
	for (unsigned long i = 0; i < n; i++)
		F_CHECK(raw_send(&r, 0x06, pkts[0], plen[0], 0) == 0, "send %lu: %s", i,
			strerror(errno));
	F_CHECK(f_identify(f_fm_ep(owner, 0x06), &serial) == 0 && serial == 7,
		"another controller is not served");
	lines = f_log_count(&h, "so far");
	raw_close(&r);
	cxlfm_close(owner);
	F_CHECK(lines >= 1 && lines <= 64, "%zu drop log lines for %lu lost answers", lines, n);
	F_CHECK(f_emu_stop(&h) == 0, "no clean exit");
	f_pass("%s Identify requests from a controller that never reads: %zu drop log lines; "
	       "another controller served", f_num(n), lines);
}

/* Class 6: a regular file where the bus socket goes is refused, and kept. */
static void path_is_file(void)
{
	static const char text[] = "not a socket: keep me\n";
	struct e2e_argv a = { .n = 0 };
	char dir[256], path[300], out[4096], back[64] = "", *nl;
	FILE *f;
	int rc;

	f_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/i2c0.sock", dir);
	f = fopen(path, "w");
	F_CHECK(f && fputs(text, f) >= 0 && !fclose(f), "cannot write %s", path);
	f_dcd_host_argv(&a, NULL);
	rc = emu_run_refused(dir, a.v, out, sizeof(out));
	F_CHECK(rc == 1, "exit %d (1 wanted): %s", rc, out);
	F_CHECK(strstr(out, "File exists"), "no reason given: %s", out);
	f = fopen(path, "r");
	F_CHECK(f && fgets(back, sizeof(back), f), "the file is gone");
	fclose(f);
	F_CHECK(!strcmp(back, text), "the file changed: '%s'", back);
	nl = strstr(out, "File exists");
	while (nl > out && nl[-1] != '\n')
		nl--;
	if (strchr(nl, '\n'))
		*strchr(nl, '\n') = 0;
	f_pass("refused, exit 1 (\"%s\"); the file kept its %zu bytes", f_short(nl),
	       sizeof(text) - 1);
}

/* Class 7: the bus socket is 0600 whatever the umask. */
static void socket_mode(void)
{
	static struct emu_proc h;
	struct e2e_argv a = { .n = 0 };
	struct stat st;

	umask(0);
	f_dcd_host_argv(&a, NULL);
	f_emu_start(&h, a.v);
	F_CHECK(stat(emu_bus(&h, "i2c0"), &st) == 0, "stat: %s", strerror(errno));
	F_CHECK(S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600, "mode %o under umask 000",
		st.st_mode & 0777);
	F_CHECK(f_emu_stop(&h) == 0, "no clean exit");
	f_pass("bus socket mode %04o under umask 000", st.st_mode & 0777);
}

const struct f_scenario f_bus_scenarios[] = {
	{ "bus-som-starve", "#13.4: never-finished start-of-message packets vs 2 controllers",
	  som_starve, 0 },
	{ "bus-same-eid", "#13.4: two controllers on one EID, interleaved packets", same_eid, 0 },
	{ "bus-empty-datagram", "#13.10: zero-length datagrams keep the controller",
	  empty_datagrams, 0 },
	{ "bus-drop-log", "#13.10: lost-frame logs rate-limited", drop_logs, 0 },
	{ "bus-path-file", "#13.6: a regular file at <run-dir>/<bus>.sock", path_is_file, 0 },
	{ "bus-socket-mode", "#13.7: bus socket mode under umask 000", socket_mode, 0 },
	{ NULL, NULL, NULL, 0 },
};
