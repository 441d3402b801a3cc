/* SPDX-License-Identifier: MIT */
#include "emu/i2c_bus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "emu/loop.h"
#include "emu/mctp_ep.h"
#include "util/log.h"

#define BUS_ADDRS 128
#define BUS_MAX_CLIENTS 32
#define BUS_FRAME_MAX 512 /* DSP0237 frames are at most 4 + 255 + 1 bytes */
#define BUS_RX_BURST 64   /* frames read per wake-up before yielding */

struct bus_client {
	struct i2c_bus *bus;
	int fd;
	struct loop_watch *watch;
	uint8_t addr; /* 0 until the first frame names it */
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
};

const char *i2c_bus_name(const struct i2c_bus *bus) { return bus->name; }
const char *i2c_bus_path(const struct i2c_bus *bus) { return bus->path; }
size_t i2c_bus_clients(const struct i2c_bus *bus) { return bus->nclients; }

static struct bus_client *client_at(struct i2c_bus *bus, uint8_t addr)
{
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
		log_warn("bus %s: frame to 0x%02x lost: %s", c->bus->name, c->addr,
			 strerror(errno));
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

static void route(struct bus_client *from, const uint8_t *buf, size_t len)
{
	struct i2c_bus *bus = from->bus;
	uint8_t dest, src;
	struct bus_client *to;

	/* DSP0237 frame: 0 dest<<1, 1 command, 2 byte count, 3 src<<1|1. */
	if (len < 4 || (buf[0] & 1)) {
		log_info("bus %s: %zu-byte datagram from 0x%02x is no frame, dropped",
			 bus->name, len, from->addr);
		return;
	}
	dest = buf[0] >> 1;
	src = buf[3] >> 1;
	if (!from->addr) {
		if (src == 0 || bus->eps[src] || client_at(bus, src)) {
			log_warn("bus %s: controller claims address 0x%02x in use, dropped",
				 bus->name, src);
			return;
		}
		from->addr = src;
		log_info("bus %s: controller at 0x%02x", bus->name, src);
	} else if (src != from->addr) {
		log_warn("bus %s: controller 0x%02x sent as 0x%02x, dropped", bus->name,
			 from->addr, src);
		return;
	}
	if (bus->eps[dest]) {
		mctp_ep_rx(bus->eps[dest], buf, len, loop_now(bus->loop));
		return;
	}
	to = client_at(bus, dest);
	if (to) {
		client_send(to, buf, len);
		return;
	}
	uint8_t nack[2] = { I2C_BUS_NACK, dest };
	client_send(from, nack, sizeof(nack));
}

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
		if (n <= 0) { /* 0: the controller closed its end */
			client_close(c);
			return;
		}
		if ((size_t)n > sizeof(buf)) {
			log_info("bus %s: %zd-byte datagram from 0x%02x too long, dropped",
				 c->bus->name, n, c->addr);
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
			log_warn("bus %s: controller refused (%zu connected)", bus->name,
				 bus->nclients);
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

/* Bind path, replacing a socket file left by a process that died. */
static int bind_path(int fd, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(sa.sun_path, path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	if (errno != EADDRINUSE)
		return -errno;
	int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (probe < 0)
		return -errno;
	int live = connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(probe);
	if (live)
		return -EADDRINUSE;
	unlink(path);
	return bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
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
	snprintf(bus->name, sizeof(bus->name), "%s", name);
	strcpy(bus->path, path);
	bus->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (bus->lfd < 0) {
		err = -errno;
		goto fail;
	}
	err = bind_path(bus->lfd, path);
	if (!err && listen(bus->lfd, 16) < 0)
		err = -errno;
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
	struct bus_client *to;

	if (len < 4)
		return -EINVAL;
	to = client_at(bus, frame[0] >> 1);
	if (!to) {
		log_info("bus %s: 0x%02x answers 0x%02x, who left", bus->name, src_addr,
			 frame[0] >> 1);
		return 0;
	}
	client_send(to, frame, len);
	return 0;
}
