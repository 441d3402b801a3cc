/* SPDX-License-Identifier: MIT */
#include "emu/i2c_bus.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emu/loop.h"
#include "emu/mctp_ep.h"
#include "emu/usock.h"
#include "util/log.h"

#define BUS_ADDRS 128
#define BUS_MAX_CLIENTS 32
#define BUS_FRAME_MAX 512 /* DSP0237 frames are at most 4 + 255 + 1 bytes */
#define BUS_RX_BURST 64   /* frames read per wake-up before yielding */
#define BUS_WIRE_QUEUE 1024 /* frames waiting for the wire before one is lost */
/* I2C bit times (wire-time model): each byte is 8 data bits and an
 * ACK/NACK bit; a transfer adds START and STOP. A NACKed transfer ends
 * after its address byte. */
#define I2C_BITS_PER_BYTE 9u
#define I2C_BITS_START_STOP 2u
#define I2C_BITS_NACK (I2C_BITS_START_STOP + I2C_BITS_PER_BYTE)

struct bus_client {
	struct i2c_bus *bus;
	int fd;
	struct loop_watch *watch;
	uint8_t addr; /* 0 until the first frame names it */
};

/* A frame on the modelled wire, delivered when its last bit is sent. */
struct bus_xfer {
	struct bus_xfer *next;
	uint64_t done_ns;  /* loop time the transfer ends */
	bool nack;         /* a NACK for the controller at dest */
	uint8_t dest;
	size_t len;
	uint8_t buf[];
};

struct i2c_bus {
	struct loop *loop;
	char name[64];
	char path[108];
	int lfd;
	struct loop_watch *lwatch;
	struct mctp_ep *eps[BUS_ADDRS];
	struct bus_client *clients[BUS_MAX_CLIENTS];
	size_t nclients;
	/* wire-time model (i2c_bus_set_speed); speed_hz 0: frames pass at once */
	uint32_t speed_hz;
	uint64_t busy_until_ns; /* the wire is taken until then */
	uint64_t wire_at_ns;    /* while a transfer is delivered: when it ended */
	struct bus_xfer *wire, **wire_tail;
	size_t wire_len;
	struct loop_timer *wire_timer;
	unsigned long long drops[I2C_BUS_DROP_MAX];
};

static const char *const drop_names[I2C_BUS_DROP_MAX] = {
	[I2C_BUS_DROP_NO_FRAME] = "no-frame",
	[I2C_BUS_DROP_ADDR_IN_USE] = "addr-in-use",
	[I2C_BUS_DROP_WRONG_SRC] = "wrong-source",
	[I2C_BUS_DROP_NOT_READ] = "not-read",
	[I2C_BUS_DROP_WIRE_FULL] = "wire-full",
	[I2C_BUS_DROP_GONE] = "gone",
	[I2C_BUS_DROP_REFUSED] = "refused",
};

const char *i2c_bus_drop_name(enum i2c_bus_drop why)
{
	return (unsigned)why < I2C_BUS_DROP_MAX ? drop_names[why] : "unknown";
}

unsigned long long i2c_bus_drops(const struct i2c_bus *bus, enum i2c_bus_drop why)
{
	return (unsigned)why < I2C_BUS_DROP_MAX ? bus->drops[why] : 0;
}

/* Count a drop; log it only at the 1st, 2nd, 4th... of its reason. */
__attribute__((format(printf, 4, 5)))
static void bus_drop(struct i2c_bus *bus, enum i2c_bus_drop why, enum log_level lvl,
		     const char *fmt, ...)
{
	unsigned long long n = ++bus->drops[why];
	char msg[160];
	va_list ap;

	if (!log_every_pow2(n))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg(lvl, "bus %s: %s (%s: %llu so far)", bus->name, msg, drop_names[why], n);
}

const char *i2c_bus_name(const struct i2c_bus *bus) { return bus->name; }
const char *i2c_bus_path(const struct i2c_bus *bus) { return bus->path; }
size_t i2c_bus_clients(const struct i2c_bus *bus) { return bus->nclients; }

static struct bus_client *client_at(struct i2c_bus *bus, uint8_t addr)
{
	/* 0 is "no address yet" (a controller that sent nothing), never a holder */
	if (!addr)
		return NULL;
	for (size_t i = 0; i < bus->nclients; i++)
		if (bus->clients[i]->addr == addr)
			return bus->clients[i];
	return NULL;
}

static void client_send(struct bus_client *c, const uint8_t *buf, size_t len)
{
	/* A controller that does not read is like one holding the clock
	 * low: its frames are lost, the bus goes on. */
	if (send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		bus_drop(c->bus, I2C_BUS_DROP_NOT_READ, LOG_LVL_WARN, "frame to 0x%02x lost: %s",
			 c->addr, strerror(errno));
}

static void client_close(struct bus_client *c)
{
	struct i2c_bus *bus = c->bus;

	for (size_t i = 0; i < bus->nclients; i++) {
		if (bus->clients[i] != c)
			continue;
		bus->clients[i] = bus->clients[--bus->nclients];
		break;
	}
	log_info("bus %s: controller 0x%02x left", bus->name, c->addr);
	loop_watch_del(c->watch);
	close(c->fd);
	free(c);
}

/* Hand a frame to whoever holds dest now. */
static void deliver(struct i2c_bus *bus, uint8_t dest, const uint8_t *buf, size_t len)
{
	struct bus_client *to;

	if (bus->eps[dest]) {
		mctp_ep_rx(bus->eps[dest], buf, len, loop_now(bus->loop));
		return;
	}
	to = client_at(bus, dest);
	if (to)
		client_send(to, buf, len);
	else
		bus_drop(bus, I2C_BUS_DROP_GONE, LOG_LVL_INFO, "frame for 0x%02x, who left, dropped",
			 dest);
}

static void send_nack(struct i2c_bus *bus, uint8_t to_addr, uint8_t dest)
{
	uint8_t nack[2] = { I2C_BUS_NACK, dest };
	struct bus_client *to = client_at(bus, to_addr);

	if (to)
		client_send(to, nack, sizeof(nack));
}

static uint64_t wire_ns(const struct i2c_bus *bus, uint64_t bits)
{
	return (bits * 1000000000u + bus->speed_hz - 1) / bus->speed_hz;
}

/*
 * The wire-time model: one transfer at a time, in the order they were
 * started (no arbitration between controllers: first come, first served).
 * A transfer of n bytes takes 9n + 2 bit times and is delivered when it
 * ends; a NACKed one ends after its address byte. No clock stretching.
 */
static void wire_put(struct i2c_bus *bus, bool nack, uint8_t dest, const uint8_t *buf,
		     size_t len)
{
	uint64_t now = loop_now(bus->loop);
	uint64_t bits = nack ? I2C_BITS_NACK : I2C_BITS_PER_BYTE * len + I2C_BITS_START_STOP;
	/* A frame sent while another is delivered (an endpoint answering at
	 * once) starts when that one ended on the wire, not when its timer
	 * ran: the timer's lateness must not add up hop by hop. */
	uint64_t start = bus->wire_at_ns ? bus->wire_at_ns : now;
	struct bus_xfer *x;

	if (bus->wire_len == BUS_WIRE_QUEUE || !(x = malloc(sizeof(*x) + len))) {
		bus_drop(bus, I2C_BUS_DROP_WIRE_FULL, LOG_LVL_WARN,
			 "%zu transfers waiting for the wire, frame for 0x%02x lost", bus->wire_len,
			 dest);
		return;
	}
	if (bus->busy_until_ns < start)
		bus->busy_until_ns = start;
	bus->busy_until_ns += wire_ns(bus, bits);
	*x = (struct bus_xfer){ .done_ns = bus->busy_until_ns, .nack = nack, .dest = dest,
				.len = len };
	memcpy(x->buf, buf, len);
	*bus->wire_tail = x;
	bus->wire_tail = &x->next;
	if (!bus->wire_len++)
		loop_timer_arm(bus->wire_timer, x->done_ns > now ? x->done_ns - now : 0);
}

static void wire_cb(struct loop *l, void *arg)
{
	struct i2c_bus *bus = arg;
	uint64_t now = loop_now(l);
	struct bus_xfer *x;

	while ((x = bus->wire) && x->done_ns <= now) {
		bus->wire = x->next;
		if (!bus->wire)
			bus->wire_tail = &bus->wire;
		bus->wire_len--;
		bus->wire_at_ns = x->done_ns;
		if (x->nack)
			send_nack(bus, x->dest, x->buf[1]);
		else
			deliver(bus, x->dest, x->buf, x->len);
		bus->wire_at_ns = 0;
		free(x);
	}
	if (bus->wire)
		loop_timer_arm(bus->wire_timer, bus->wire->done_ns - now);
}

static void route(struct bus_client *from, const uint8_t *buf, size_t len)
{
	struct i2c_bus *bus = from->bus;
	uint8_t dest, src;
	bool acked;

	/* DSP0237 frame: 0 dest<<1, 1 command, 2 byte count, 3 src<<1|1. */
	if (len < 4 || (buf[0] & 1)) {
		bus_drop(bus, I2C_BUS_DROP_NO_FRAME, LOG_LVL_INFO,
			 "%zu-byte datagram from 0x%02x is no frame, dropped", len, from->addr);
		return;
	}
	dest = buf[0] >> 1;
	src = buf[3] >> 1;
	if (!from->addr) {
		if (src == 0 || bus->eps[src] || client_at(bus, src)) {
			bus_drop(bus, I2C_BUS_DROP_ADDR_IN_USE, LOG_LVL_WARN,
				 "controller claims address 0x%02x in use, dropped", src);
			return;
		}
		from->addr = src;
		log_info("bus %s: controller at 0x%02x", bus->name, src);
	} else if (src != from->addr) {
		bus_drop(bus, I2C_BUS_DROP_WRONG_SRC, LOG_LVL_WARN,
			 "controller 0x%02x sent as 0x%02x, dropped", from->addr, src);
		return;
	}
	/* Whether anyone ACKs is known after the address byte. */
	acked = bus->eps[dest] || client_at(bus, dest);
	if (bus->speed_hz) {
		uint8_t nack[2] = { I2C_BUS_NACK, dest };

		if (acked)
			wire_put(bus, false, dest, buf, len);
		else
			wire_put(bus, true, from->addr, nack, sizeof(nack));
	} else if (acked) {
		deliver(bus, dest, buf, len);
	} else {
		send_nack(bus, from->addr, dest);
	}
}

/*
 * recv() returns 0 both for an empty datagram, which is a malformed frame
 * (route() drops it), and at the end: the end is when the peer shut down.
 */
static void client_cb(struct loop_watch *w, int fd, unsigned events, void *arg)
{
	struct bus_client *c = arg;
	uint8_t buf[BUS_FRAME_MAX];

	(void)w;
	(void)events;
	/* Level-triggered: after a burst, what is left wakes us again. */
	for (int i = 0; i < BUS_RX_BURST; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0 || (n == 0 && usock_peer_closed(fd))) {
			client_close(c);
			return;
		}
		if ((size_t)n > sizeof(buf)) {
			bus_drop(c->bus, I2C_BUS_DROP_NO_FRAME, LOG_LVL_INFO,
				 "%zd-byte datagram from 0x%02x too long, dropped", n, c->addr);
			continue;
		}
		route(c, buf, (size_t)n);
	}
}

static void accept_cb(struct loop_watch *w, int fd, unsigned events, void *arg)
{
	struct i2c_bus *bus = arg;
	struct bus_client *c;
	int cfd;

	(void)w;
	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (bus->nclients == BUS_MAX_CLIENTS || !(c = calloc(1, sizeof(*c)))) {
			bus_drop(bus, I2C_BUS_DROP_REFUSED, LOG_LVL_WARN,
				 "controller refused (%zu connected)", bus->nclients);
			close(cfd);
			continue;
		}
		c->bus = bus;
		c->fd = cfd;
		if (loop_watch_add(bus->loop, cfd, LOOP_READ, client_cb, c, &c->watch) < 0) {
			close(cfd);
			free(c);
			continue;
		}
		bus->clients[bus->nclients++] = c;
	}
}

int i2c_bus_new(struct loop *loop, const char *name, const char *path,
		struct i2c_bus **out)
{
	struct i2c_bus *bus;
	int err;

	if (strlen(path) >= sizeof(bus->path))
		return -ENAMETOOLONG;
	bus = calloc(1, sizeof(*bus));
	if (!bus)
		return -ENOMEM;
	bus->loop = loop;
	bus->wire_tail = &bus->wire;
	snprintf(bus->name, sizeof(bus->name), "%s", name);
	strcpy(bus->path, path);
	bus->lfd = -1;
	err = usock_listen(path, 16, &bus->lfd);
	if (!err)
		err = loop_watch_add(loop, bus->lfd, LOOP_READ, accept_cb, bus, &bus->lwatch);
	if (err)
		goto fail;
	*out = bus;
	return 0;
fail:
	if (bus->lfd >= 0)
		close(bus->lfd);
	free(bus);
	return err;
}

void i2c_bus_free(struct i2c_bus *bus)
{
	if (!bus)
		return;
	while (bus->nclients)
		client_close(bus->clients[0]);
	while (bus->wire) {
		struct bus_xfer *x = bus->wire;

		bus->wire = x->next;
		free(x);
	}
	loop_timer_free(bus->wire_timer);
	loop_watch_del(bus->lwatch);
	close(bus->lfd);
	unlink(bus->path);
	free(bus);
}

int i2c_bus_add_ep(struct i2c_bus *bus, struct mctp_ep *ep)
{
	uint8_t a = mctp_ep_addr(ep);

	if (a >= BUS_ADDRS)
		return -EINVAL;
	if (bus->eps[a])
		return -EADDRINUSE;
	bus->eps[a] = ep;
	return 0;
}

int i2c_bus_tx(struct i2c_bus *bus, uint8_t src_addr, const uint8_t *frame, size_t len)
{
	uint8_t dest;

	if (len < 4)
		return -EINVAL;
	dest = frame[0] >> 1;
	if (!client_at(bus, dest)) {
		log_info("bus %s: 0x%02x answers 0x%02x, who left", bus->name, src_addr, dest);
		return 0;
	}
	if (bus->speed_hz)
		wire_put(bus, false, dest, frame, len);
	else
		deliver(bus, dest, frame, len);
	return 0;
}

int i2c_bus_set_speed(struct i2c_bus *bus, uint32_t hz)
{
	if (hz && !bus->wire_timer) {
		int err = loop_timer_new(bus->loop, wire_cb, bus, &bus->wire_timer);

		if (err)
			return err;
	}
	if (!hz && bus->wire) {
		/* Turned off: what is on the wire arrives now. */
		loop_timer_cancel(bus->wire_timer);
		for (struct bus_xfer *x = bus->wire; x; x = x->next)
			x->done_ns = 0;
		wire_cb(bus->loop, bus);
	}
	bus->speed_hz = hz;
	return 0;
}

uint32_t i2c_bus_speed(const struct i2c_bus *bus)
{
	return bus->speed_hz;
}
