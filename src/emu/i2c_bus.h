/* SPDX-License-Identifier: MIT */
/*
 * An emulated I2C bus: a UNIX SOCK_SEQPACKET socket (docs/bus-socket.md),
 * one datagram per DSP0237 frame. Controllers (FM applications) connect;
 * endpoints (i2c_mctp_cxl devices) sit on the bus at their addresses.
 * A frame goes to the endpoint or controller holding its destination
 * address, or is answered with a NACK datagram.
 *
 * With a speed set (i2c-speed=100k|400k|1M) the bus models wire time: each
 * frame arrives when its last bit would have been clocked out at that
 * speed, one transfer at a time; without, frames pass at once.
 */
#ifndef CXLFM_EMU_I2C_BUS_H
#define CXLFM_EMU_I2C_BUS_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct mctp_ep;
struct i2c_bus;

#define I2C_BUS_NACK 0x01

/*
 * Frames the bus dropped, by reason. Each reason is counted, and logged at
 * its 1st, 2nd, 4th, 8th... occurrence with the count: a controller can
 * cause any of them at will.
 */
enum i2c_bus_drop {
	I2C_BUS_DROP_NO_FRAME,    /* a datagram that is no DSP0237 frame (empty too) */
	I2C_BUS_DROP_ADDR_IN_USE, /* a new controller's first frame names a held address */
	I2C_BUS_DROP_WRONG_SRC,   /* a controller sent as another address */
	I2C_BUS_DROP_NOT_READ,    /* a controller did not read: a frame to it lost */
	I2C_BUS_DROP_WIRE_FULL,   /* too many transfers waiting for the wire */
	I2C_BUS_DROP_GONE,        /* the destination controller left */
	I2C_BUS_DROP_REFUSED,     /* a controller turned away: bus full (not a frame) */
	I2C_BUS_DROP_MAX,
};

int i2c_bus_new(struct loop *loop, const char *name, const char *path,
		struct i2c_bus **out);
void i2c_bus_free(struct i2c_bus *bus);
/* Put an endpoint at its address; -EADDRINUSE if taken. */
int i2c_bus_add_ep(struct i2c_bus *bus, struct mctp_ep *ep);
/* Frame from an endpoint onto the bus (the endpoint's tx op). */
int i2c_bus_tx(struct i2c_bus *bus, uint8_t src_addr, const uint8_t *frame, size_t len);
/* SCL frequency in Hz for the wire-time model; 0 turns it off. */
int i2c_bus_set_speed(struct i2c_bus *bus, uint32_t hz);
uint32_t i2c_bus_speed(const struct i2c_bus *bus);
const char *i2c_bus_name(const struct i2c_bus *bus);
const char *i2c_bus_path(const struct i2c_bus *bus);
size_t i2c_bus_clients(const struct i2c_bus *bus);
unsigned long long i2c_bus_drops(const struct i2c_bus *bus, enum i2c_bus_drop why);
/* "no-frame", ...; "unknown" out of range. */
const char *i2c_bus_drop_name(enum i2c_bus_drop why);

#endif
