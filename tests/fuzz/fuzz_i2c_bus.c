/* SPDX-License-Identifier: MIT */
/*
 * The emulated I2C bus's routing (route() in src/emu/i2c_bus.c, reached the
 * way cxl-emu reaches it: datagrams on the bus socket), against a model of
 * docs/bus-socket.md. Per input: a bus in a temporary directory on an event
 * loop with an injected clock, two MCTP endpoints (0x04, 0x06: real
 * endpoints that answer every CXL request with its own bytes) and up to
 * four controllers, each a SOCK_SEQPACKET socket of this process, so the
 * run is deterministic. The first byte picks the wire-time model (off,
 * 100k, 400k, 1M); then records
 *   0 ctl  bits[1:0] controller, bits[7:2] % 4: 0 send, 1 disconnect and
 *          connect again, 2 move the clock (len x 100 us), 3 send a frame
 *          built from the payload (dest = p[0], src = p[1], a valid DSP0237
 *          frame around the rest)
 *   1:2 len (LE), 3: payload
 * Model (without the wire-time model, where delivery is immediate): a
 * controller's address is the source of its first frame unless 0, an
 * endpoint's or another controller's; later frames must keep it; short
 * datagrams and read bits are dropped; a frame to an endpoint goes to it,
 * to a controller arrives there unchanged, to nobody comes back as the
 * NACK datagram (0x01, dest). Every datagram a controller receives must be
 * the next one the model expects, or a well-formed frame from an endpoint
 * to that controller's address. With the wire-time model on, every
 * delivery is checked for well-formedness and addressing only.
 * Zero-length datagrams are not sent: cxl-emu takes them as a controller
 * leaving (a separate fix changes that).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "emu/i2c_bus.h"
#include "emu/loop.h"
#include "emu/mctp_ep.h"
#include "fuzz.h"
#include "fuzz_loop.h"
#include "proto/le.h"
#include "proto/mctp_i2c.h"

#define NCTL 4
#define NEP 2
#define MAX_EXPECT 1024
#define DGRAM_MAX 600

static const uint8_t ep_addr[NEP] = { 0x04, 0x06 };
static const uint32_t speeds[] = { 0, 100000, 400000, 1000000 };

static struct loop *loop;
static uint64_t clock_ns;
static char dir[64], path[128];

struct dgram {
	size_t len;
	uint8_t b[DGRAM_MAX];
};

struct ctl {
	int fd;
	uint8_t addr;           /* claimed, 0: none yet */
	struct dgram *expect;   /* model: datagrams due, in order */
	size_t head, n;
};

struct run {
	struct i2c_bus *bus;
	struct mctp_ep *ep[NEP];
	struct ctl c[NCTL];
	bool wire;
};

static uint64_t fake_now(void *arg)
{
	(void)arg;
	return clock_ns;
}

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/cxlfm-fuzz-bus-XXXXXX");
	assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bus.sock", dir);
	atexit(cleanup);
	assert(loop_new(&loop) == 0);
	loop_set_clock(loop, fake_now, NULL);
}

static struct i2c_bus *cur_bus;

static int ep_tx(struct mctp_ep *ep, const uint8_t *frame, size_t len, void *arg)
{
	(void)arg;
	return i2c_bus_tx(cur_bus, mctp_ep_addr(ep), frame, len);
}

static void ep_handle(struct mctp_ep *ep, const struct mctp_ep_token *tok, const uint8_t *msg,
		      size_t len, void *arg)
{
	(void)arg;
	mctp_ep_reply(ep, tok, msg, len);
}

static const struct mctp_ep_ops ep_ops = { .tx = ep_tx, .handle_cxl = ep_handle };

static bool is_ep(uint8_t a)
{
	for (unsigned i = 0; i < NEP; i++)
		if (ep_addr[i] == a)
			return true;
	return false;
}

static struct ctl *ctl_at(struct run *r, uint8_t a)
{
	if (!a)
		return NULL; /* no address yet is nobody's address */
	for (unsigned i = 0; i < NCTL; i++)
		if (r->c[i].fd >= 0 && r->c[i].addr == a)
			return &r->c[i];
	return NULL;
}

static void expect(struct ctl *c, const uint8_t *b, size_t len)
{
	assert(c->n < MAX_EXPECT && len <= DGRAM_MAX);
	c->expect[(c->head + c->n) % MAX_EXPECT].len = len;
	memcpy(c->expect[(c->head + c->n) % MAX_EXPECT].b, b, len);
	c->n++;
}

/*
 * What the bus should do with this datagram from c (docs/bus-socket.md).
 * Addresses are claimed when the bus reads the frame, with or without the
 * wire-time model; what is due where is modelled without it.
 */
static void model(struct run *r, struct ctl *c, const uint8_t *b, size_t len)
{
	uint8_t dest, src, nack[2];
	struct ctl *to;

	if (len < 4 || len > 512 || (b[0] & 1))
		return;
	dest = b[0] >> 1;
	src = b[3] >> 1;
	if (!c->addr) {
		if (src == 0 || is_ep(src) || ctl_at(r, src))
			return; /* the address is taken: dropped */
		c->addr = src;
	} else if (src != c->addr) {
		return;
	}
	if (r->wire || is_ep(dest))
		return; /* the endpoint answers; its frames are checked apart */
	to = ctl_at(r, dest);
	if (to) {
		expect(to, b, len);
		return;
	}
	nack[0] = I2C_BUS_NACK;
	nack[1] = dest;
	expect(c, nack, sizeof(nack));
}

static void receive(struct run *r, struct ctl *c)
{
	uint8_t b[DGRAM_MAX];
	ssize_t n;

	while (c->fd >= 0 && (n = recv(c->fd, b, sizeof(b), MSG_DONTWAIT)) > 0) {
		size_t len = (size_t)n;

		if (getenv("FUZZ_TRACE")) /* for writing seeds */
			fprintf(stderr, "controller 0x%02x got %zu bytes: %02x %02x .. from 0x%02x\n",
				c->addr, len, b[0], len > 1 ? b[1] : 0, len > 3 ? b[3] >> 1 : 0);

		if (len >= 4 && (b[3] & 1) && is_ep(b[3] >> 1)) {
			struct mctp_i2c_frame f;

			/* an endpoint's answer: to us, well-formed */
			assert(c->addr && b[0] >> 1 == c->addr);
			assert(mctp_i2c_decode(b, len, &f) == 0);
			continue;
		}
		if (len == 2 && b[0] == I2C_BUS_NACK) {
			assert(c->addr);
		} else {
			assert(len >= 4 && !(b[0] & 1) && b[0] >> 1 == c->addr);
		}
		if (r->wire)
			continue;
		assert(c->n);
		assert(c->expect[c->head].len == len && !memcmp(c->expect[c->head].b, b, len));
		c->head = (c->head + 1) % MAX_EXPECT;
		c->n--;
	}
}

static void receive_all(void *arg)
{
	struct run *r = arg;

	for (unsigned k = 0; k < NCTL; k++)
		receive(r, &r->c[k]);
}

static void pump(struct run *r)
{
	fz_settle(loop, receive_all, r);
}

static void ctl_connect(struct run *r, struct ctl *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert(c->fd >= 0);
	assert(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	c->addr = 0;
	c->head = c->n = 0;
	pump(r); /* the bus accepts it */
}

static void ctl_close(struct run *r, struct ctl *c)
{
	close(c->fd);
	c->fd = -1;
	c->addr = 0;
	pump(r); /* the bus sees it leave */
	if (!r->wire)
		assert(c->n == 0); /* everything due was delivered before */
	c->n = 0;
}

static void ctl_send(struct run *r, struct ctl *c, const uint8_t *b, size_t len)
{
	if (!len)
		return;
	if (send(c->fd, b, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return;
	if (getenv("FUZZ_TRACE"))
		fprintf(stderr, "controller %ld (0x%02x) sends %zu bytes: %02x %02x %02x %02x\n",
			(long)(c - r->c), c->addr, len, b[0], len > 1 ? b[1] : 0, len > 2 ? b[2] : 0,
			len > 3 ? b[3] : 0);
	model(r, c, b, len);
	pump(r);
}

/* p[0] dest, p[1] src, the rest an MCTP packet: a well-formed frame. */
static void ctl_send_frame(struct run *r, struct ctl *c, const uint8_t *p, size_t len)
{
	uint8_t frame[4 + 255 + 1];
	int n;

	if (len < 2)
		return;
	n = mctp_i2c_encode(p[0] & 0x7f, p[1] & 0x7f, p + 2, len - 2 > 255 ? 255 : len - 2,
			    frame, sizeof(frame));
	if (n > 0)
		ctl_send(r, c, frame, (size_t)n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t uuid[16] = { 1 };
	struct run *r = calloc(1, sizeof(*r));
	size_t off = 1;

	if (!loop)
		setup();
	assert(r);
	assert(i2c_bus_new(loop, "fuzz", path, &r->bus) == 0);
	cur_bus = r->bus;
	assert(i2c_bus_set_speed(r->bus, size ? speeds[data[0] % 4] : 0) == 0);
	r->wire = i2c_bus_speed(r->bus) != 0;
	for (unsigned i = 0; i < NEP; i++) {
		char name[32];
		struct mctp_ep_cfg ec = {
			.name = name, .addr = ep_addr[i], .uuid = uuid,
			.reasm_timeout_ns = 100000000, .ops = &ep_ops,
		};

		snprintf(name, sizeof(name), "fuzz@0x%02x", ep_addr[i]);
		assert(mctp_ep_new(&ec, &r->ep[i]) == 0);
		assert(i2c_bus_add_ep(r->bus, r->ep[i]) == 0);
	}
	assert(i2c_bus_add_ep(r->bus, r->ep[0]) == -EADDRINUSE);
	for (unsigned i = 0; i < NCTL; i++) {
		r->c[i].expect = malloc(MAX_EXPECT * sizeof(struct dgram));
		assert(r->c[i].expect);
		ctl_connect(r, &r->c[i]);
	}
	assert(i2c_bus_clients(r->bus) == NCTL);
	while (off + 3 <= size) {
		uint8_t ctl = data[off];
		size_t len = le16_get(data + off + 1);
		const uint8_t *p = data + off + 3;
		struct ctl *c = &r->c[ctl & 3];

		if (len > size - off - 3)
			len = size - off - 3;
		if (len > DGRAM_MAX)
			len = DGRAM_MAX;
		off += 3 + len;
		switch ((ctl >> 2) % 4) {
		case 0:
			ctl_send(r, c, p, len);
			break;
		case 1:
			ctl_close(r, c);
			ctl_connect(r, c);
			break;
		case 2:
			clock_ns += (uint64_t)len * 100000;
			pump(r);
			break;
		default:
			ctl_send_frame(r, c, p, len);
			break;
		}
		assert(i2c_bus_clients(r->bus) == NCTL);
	}
	/* the wire empties */
	clock_ns += 10000000000ull;
	pump(r);
	for (unsigned i = 0; i < NCTL; i++) {
		if (!r->wire)
			assert(r->c[i].n == 0);
		close(r->c[i].fd);
		free(r->c[i].expect);
	}
	pump(r);
	assert(i2c_bus_clients(r->bus) == 0);
	i2c_bus_free(r->bus);
	for (unsigned i = 0; i < NEP; i++)
		mctp_ep_free(r->ep[i]);
	free(r);
	return 0;
}
