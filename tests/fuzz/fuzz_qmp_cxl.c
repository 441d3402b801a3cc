/* SPDX-License-Identifier: MIT */
/*
 * The QMP commands behind the JSON layer: cxl-add/release-dynamic-capacity,
 * cxl-inject-*, x-cxl-host-agent (src/emu/qmp_cxl.c), x-cxl-qos and
 * x-cxl-mld-port-error (src/emu/qmp_fabric.c), x-cxl-config
 * (src/emu/qmp_cxlio.c) and the forwarding
 * target's cxl-process-mctp-message (src/emu/fwd.c), with the QMP server's
 * dispatch and the host agents reacting to what they do.
 *
 * Per input, as cxl-emu's main() does: a QMP server and a host built from
 * a fixed command line (a switch with an MLD that has DC regions and an RFC
 * shared buffer of its own, and a single-LD device) on an event loop with an
 * injected clock; no listener, no I2C bus. A client is attached over a
 * socket pair (in-process, so the run is deterministic) and negotiates. The
 * input is lines:
 *   #slot HEX   write HEX into slot 0 of the MLD's shared buffer (the peer
 *               process's side of the trust boundary) before the next command
 *   #adv MS     move the clock MS milliseconds (host agent delays)
 *   anything else that the server's decoder takes as exactly one JSON
 *               value: sent as one command line (other lines are skipped:
 *               the decoder has its own target, fuzz_qmp).
 * Checked: every value sent gets exactly one reply, a return or an error
 * with a class and a description, in order, echoing the id; the server
 * still answers afterwards; the devices' DC state and event logs stay
 * consistent (fuzz_dev.h); everything is freed (LSan).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <json-c/json.h>

#include "dev/dcd.h"
#include "dev/events.h"
#include "dev/t3.h"
#include "emu/config.h"
#include "emu/fwd.h"
#include "emu/host.h"
#include "emu/loop.h"
#include "emu/opts.h"
#include "emu/qmp_cxl.h"
#include "emu/qmp_fabric.h"
#include "emu/qmp_cxlio.h"
#include "emu/qmp_server.h"
#include "fuzz.h"
#include "fuzz_dev.h"
#include "fuzz_loop.h"
#include "proto/fwd_buf.h"
#include "proto/qmp.h"

#define MAX_LINE 8192

static const char *const devices[] = { "mld", "sld" };

static struct loop *loop;
static struct config *cfg;
static uint64_t clock_ns;
static char shm_name[64];

static uint64_t fake_now(void *arg)
{
	(void)arg;
	return clock_ns;
}

static void on_quit(struct qmp_server *s, void *arg)
{
	(void)s;
	*(bool *)arg = true;
}

static void setup(void)
{
	char mld[512], err[512];
	char *argv[] = {
		"cxl-emu", "-machine", "q35,cxl=on",
		"-object", "memory-backend-ram,id=vm,size=256M",
		"-object", "memory-backend-ram,id=dc,size=512M",
		"-object", "memory-backend-ram,id=vs,size=256M",
		"-device", "pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1",
		"-device", "cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2",
		"-device", "cxl-upstream,port=2,sn=1234,bus=rp0,id=us0",
		"-device", "cxl-downstream,port=0,bus=us0,id=dsp0,chassis=0,slot=4",
		"-device", "cxl-downstream,port=1,bus=us0,id=dsp1,chassis=0,slot=5",
		"-device", mld,
		"-device", "cxl-type3,bus=dsp1,volatile-memdev=vs,id=sld,sn=100",
	};
	struct opts o;

	signal(SIGPIPE, SIG_IGN);
	snprintf(shm_name, sizeof(shm_name), "/cxlfm-fuzz-qmp-cxl-%ld", (long)getpid());
	snprintf(mld, sizeof(mld), "cxl-type3,bus=dsp0,volatile-memdev=vm,volatile-dc-memdev=dc,"
		 "id=mld,num-dc-regions=2,num-ld=4,sn=99,x-dc-extents-max=64,"
		 "allow-fm-attach=on,mctp-buf-init=on,mctp-buf-name=%s", shm_name);
	assert(opts_parse((int)(sizeof(argv) / sizeof(argv[0])), argv, &o, err,
			  sizeof(err)) == 0);
	if (config_build(&o, &cfg, err, sizeof(err))) {
		fprintf(stderr, "fuzz_qmp_cxl: %s\n", err);
		abort();
	}
	opts_free(&o);
	assert(loop_new(&loop) == 0);
	loop_set_clock(loop, fake_now, NULL);
	fz_logs_formatted();
}

struct session {
	struct qmp_server *s;
	struct emu_host *h;
	int fd;
	uint8_t *slot;
	struct fwd_shm *shm;
	char in[1 << 16];
	size_t in_len;
	size_t replies;     /* returns and errors seen */
	struct json_object **ids; /* id of the n-th value sent (NULL: none) */
	size_t sent;
	bool quit;          /* the server closed (quit, or it dropped us) */
	enum qmp_msg_kind last; /* of the last reply */
	uint32_t gen[2];
};

static int trace = -1; /* FUZZ_TRACE=1: the session on stderr, for writing seeds */

static void check_reply(struct session *ss, struct json_object *m)
{
	const char *cls, *desc;
	enum qmp_msg_kind k = qmp_msg_classify(m, &cls, &desc);
	struct json_object *id = NULL;

	assert(k != QMP_MSG_INVALID);
	if (k == QMP_MSG_GREETING || k == QMP_MSG_EVENT)
		return;
	if (k == QMP_MSG_ERROR)
		assert(cls && cls[0] && desc && desc[0]);
	/* the server drops a client after too many malformed inputs in a row,
	 * saying why first (qmp_server.c): an answer to nothing, then EOF */
	if (k == QMP_MSG_ERROR && ss->replies == ss->sent &&
	    !strcmp(desc, "Too many malformed inputs in a row, closing")) {
		ss->quit = true;
		return;
	}
	/* in order, one per value, the request's id echoed */
	assert(ss->replies < ss->sent);
	json_object_object_get_ex(m, "id", &id);
	if (ss->ids[ss->replies])
		assert(id && json_object_equal(id, ss->ids[ss->replies]));
	ss->replies++;
	ss->last = k;
}

static void read_replies(struct session *ss)
{
	while (ss->fd >= 0) {
		ssize_t n = recv(ss->fd, ss->in + ss->in_len, sizeof(ss->in) - ss->in_len,
				 MSG_DONTWAIT);
		char *nl;

		if (n <= 0)
			break;
		ss->in_len += (size_t)n;
		while ((nl = memchr(ss->in, '\n', ss->in_len))) {
			size_t len = (size_t)(nl - ss->in) + 1;
			struct json_object *m;

			*nl = '\0';
			m = json_tokener_parse(ss->in);
			assert(m);
			if (trace)
				fprintf(stderr, "<- %s\n", ss->in);
			check_reply(ss, m);
			json_object_put(m);
			memmove(ss->in, ss->in + len, ss->in_len - len);
			ss->in_len -= len;
		}
		assert(ss->in_len < sizeof(ss->in));
	}
}

static void check_devices(struct session *ss)
{
	for (unsigned i = 0; i < 2; i++) {
		struct t3_dev *t = emu_host_t3(ss->h, devices[i]);

		assert(t);
		if (t3_dcd(t))
			fz_check_dcd(t3_dcd(t), &ss->gen[i]);
		fz_check_events(t3_events(t));
	}
}

static void read_replies_cb(void *arg)
{
	read_replies(arg);
}

/* Run the loop until nothing is left to do now, reading what comes back. */
static void pump(struct session *ss)
{
	fz_settle(loop, read_replies_cb, ss);
}

static void send_line(struct session *ss, const char *line, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(ss->fd, line + off, len - off, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0)
			off += (size_t)n;
		else
			pump(ss);
	}
	send(ss->fd, "\n", 1, MSG_NOSIGNAL);
	pump(ss);
}

static void send_value(struct session *ss, const char *line, size_t len,
		       struct json_object *v)
{
	struct json_object *id = NULL, *ex = NULL;

	ss->ids = realloc(ss->ids, (ss->sent + 1) * sizeof(*ss->ids));
	assert(ss->ids);
	if (json_object_is_type(v, json_type_object) &&
	    json_object_object_get_ex(v, "id", &id))
		json_object_get(id);
	ss->ids[ss->sent++] = id;
	if (json_object_is_type(v, json_type_object) &&
	    json_object_object_get_ex(v, "execute", &ex) &&
	    json_object_is_type(ex, json_type_string) &&
	    !strcmp(json_object_get_string(ex), "quit"))
		ss->quit = true; /* the server stops reading after it */
	if (trace)
		fprintf(stderr, "-> %.*s\n", (int)len, line);
	send_line(ss, line, len);
	assert(ss->replies == ss->sent);
	check_devices(ss);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void write_slot(struct session *ss, const char *hex, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i + 1 < len && o < FWD_SLOT_SIZE; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);

		if (hi < 0 || lo < 0)
			break;
		ss->slot[o++] = (uint8_t)(hi << 4 | lo);
	}
}

/* v if line is exactly one value to the server's own decoder, else NULL */
static struct json_object *one_value(const char *line, size_t len)
{
	struct json_object *v = NULL, *extra = NULL;
	struct qmp_stream *st;
	const char *err;

	if (memchr(line, '\n', len))
		return NULL;
	assert(qmp_stream_new(MAX_LINE + 1, &st) == 0);
	if (qmp_stream_feed(st, line, len) == 0 && qmp_stream_feed(st, "\n", 1) == 0 &&
	    qmp_stream_next(st, &v, &err) == QMP_VALUE &&
	    qmp_stream_next(st, &extra, &err) != QMP_NEED_MORE) {
		json_object_put(v);
		json_object_put(extra);
		v = NULL;
	}
	if (qmp_stream_pending(st)) { /* something open after it */
		json_object_put(v);
		v = NULL;
	}
	qmp_stream_free(st);
	return v;
}

static void run_line(struct session *ss, const char *line, size_t len);

/*
 * The host OS answers everything: with the accept policy and time moving
 * on, no offer stays pending in the device and no DC event unread, and the
 * data the host wrote into what it holds is still there (unless poison was
 * injected, which makes reads fail on purpose).
 */
static void settle(struct session *ss)
{
	static const char accept[] = "{\"execute\": \"x-cxl-host-agent\", \"arguments\": "
		"{\"path\": \"mld\", \"action\": \"set\", \"policy\": \"accept\", "
		"\"delay-ms\": 0}}";
	static const char verify[] = "{\"execute\": \"x-cxl-host-agent\", \"arguments\": "
		"{\"path\": \"mld\", \"action\": \"verify\"}}";
	struct t3_dev *t = emu_host_t3(ss->h, "mld");

	run_line(ss, accept, sizeof(accept) - 1);
	assert(ss->last == QMP_MSG_RETURN);
	for (int i = 0; i < 5; i++) {
		clock_ns += 1000000000ull;
		pump(ss);
	}
	assert(dcd_pending_groups(t3_dcd(t)) == 0);
	assert(ev_count(t3_events(t), EV_LOG_DCD) == 0);
	if (t3_poison_count(t))
		return;
	run_line(ss, verify, sizeof(verify) - 1);
	assert(ss->last == QMP_MSG_RETURN);
}

/*
 * A shared-buffer request to the switch's CCI: cxl-emu registers switch
 * CCIs for inline requests only, but without a payload it opens the RFC's
 * default buffer "/mctp-message-buf", which another process on this
 * machine may own. Not sent: the run must neither depend on nor write to
 * anything outside itself.
 */
static bool global_buffer(struct json_object *v)
{
	struct json_object *ex, *a, *name;

	return json_object_is_type(v, json_type_object) &&
	       json_object_object_get_ex(v, "execute", &ex) &&
	       !strcmp(json_object_get_string(ex), "cxl-process-mctp-message") &&
	       json_object_object_get_ex(v, "arguments", &a) &&
	       json_object_is_type(a, json_type_object) &&
	       !json_object_object_get_ex(a, "payload", NULL) &&
	       json_object_object_get_ex(a, "cci-name", &name) &&
	       json_object_is_type(name, json_type_string) &&
	       !strcmp(json_object_get_string(name), "us0:mctp_cci");
}

static void run_line(struct session *ss, const char *line, size_t len)
{
	struct json_object *v;

	if (len > 6 && !memcmp(line, "#slot ", 6)) {
		write_slot(ss, line + 6, len - 6);
		return;
	}
	if (len > 5 && !memcmp(line, "#adv ", 5)) {
		clock_ns += strtoull(line + 5, NULL, 10) % 100000 * 1000000ull;
		pump(ss);
		check_devices(ss);
		return;
	}
	if (ss->quit)
		return;
	/* the stream decoder has its own target (fuzz_qmp): values only */
	v = one_value(line, len);
	if (v && !global_buffer(v))
		send_value(ss, line, len, v);
	json_object_put(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char caps[] = "{\"execute\": \"qmp_capabilities\"}";
	static const char last[] = "{\"execute\": \"query-status\", \"id\": \"fuzz-last\"}";
	struct session *ss;
	struct qmp_server_cfg qc = { .quit = on_quit };
	char err[512];
	int sv[2];

	if (!loop)
		setup();
	if (trace < 0)
		trace = getenv("FUZZ_TRACE") != NULL;
	ss = calloc(1, sizeof(*ss));
	assert(ss);
	qc.arg = &ss->quit;
	assert(qmp_server_new(loop, &qc, &ss->s) == 0);
	if (emu_host_new(loop, cfg, NULL, ss->s, &ss->h, err, sizeof(err))) {
		fprintf(stderr, "fuzz_qmp_cxl: %s\n", err);
		abort();
	}
	assert(qmp_cxl_register(ss->s, ss->h) == 0);
	assert(qmp_fabric_register(ss->s, ss->h) == 0);
	assert(qmp_cxlio_register(ss->s, ss->h) == 0);
	assert(fwd_shm_open(shm_name, 1, false, &ss->shm) == 0);
	ss->slot = fwd_shm_slot(ss->shm, 0);
	/* both mappings are made: a crashing input leaves no object behind */
	shm_unlink(shm_name);
	assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	assert(qmp_server_attach(ss->s, sv[0]) == 0);
	ss->fd = sv[1];
	pump(ss);
	run_line(ss, caps, sizeof(caps) - 1);
	for (size_t off = 0; off < size;) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) : size - off;

		if (len <= MAX_LINE)
			run_line(ss, (const char *)data + off, len);
		off += len + 1;
	}
	if (!ss->quit) {
		/* still serving */
		size_t before = ss->replies;

		run_line(ss, last, sizeof(last) - 1);
		assert(ss->replies == before + 1);
		/* and the host agent of every device answers with its state
		 * (docs/qmp.md: every action answers with the state the host
		 * is in afterwards) */
		for (unsigned i = 0; i < 2; i++) {
			char get[128];
			int n = snprintf(get, sizeof(get), "{\"execute\": \"x-cxl-host-agent\", "
					 "\"arguments\": {\"path\": \"%s\"}}", devices[i]);

			run_line(ss, get, (size_t)n);
			assert(ss->last == QMP_MSG_RETURN);
		}
		settle(ss);
	}
	/* whatever the host agents were told to wait for happens */
	for (int i = 0; i < 20; i++) {
		clock_ns += 1000000000ull;
		pump(ss);
	}
	check_devices(ss);
	close(ss->fd);
	ss->fd = -1;
	pump(ss);
	emu_host_free(ss->h);
	qmp_server_free(ss->s);
	pump(ss);
	fwd_shm_close(ss->shm);
	for (size_t i = 0; i < ss->sent; i++)
		json_object_put(ss->ids[i]);
	free(ss->ids);
	free(ss);
	return 0;
}
