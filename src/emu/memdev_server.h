/* SPDX-License-Identifier: MIT */
/*
 * A type-3 device's host mailbox served on a UNIX SOCK_SEQPACKET socket,
 * <run-dir>/memN (proto/memdev_wire.h, docs/preload.md): what
 * libcxlfm-mctp-preload.so turns into /dev/cxl/memN for unmodified
 * programs. Each client gets the HELLO (payload size, CEL), then one
 * RESPONSE per REQUEST, run with cci_process() on the device's host
 * mailbox CCI in the loop's thread, as x-cxl-mailbox runs them. The socket
 * is a trust boundary: a malformed message closes that client (logged),
 * a client that does not read its answers is closed, at most
 * MEMDEV_SERVER_MAX_CLIENTS are served at once (more are turned away).
 */
#ifndef CXLFM_EMU_MEMDEV_SERVER_H
#define CXLFM_EMU_MEMDEV_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct cci;
struct memdev_server;

#define MEMDEV_SERVER_MAX_CLIENTS 16

struct memdev_server_cfg {
	const char *name;   /* "mem0", for logs */
	const char *dev_id; /* the -device id, for logs */
	const char *path;   /* where to listen */
	struct cci *cci;    /* the device's host mailbox */
	bool pmem;          /* it has persistent capacity (MEMDEV_HELLO_PMEM) */
	uint64_t serial;
	/* Run after each command: background operations complete on time. */
	void (*after)(void *arg);
	void *arg;
};

/* -ENAMETOOLONG, -EADDRINUSE, -EEXIST (usock_listen), -ENOMEM, ... */
int memdev_server_new(struct loop *loop, const struct memdev_server_cfg *cfg,
		      struct memdev_server **out);
/* Closes every client, unlinks the socket. NULL is a no-op. */
void memdev_server_free(struct memdev_server *s);

const char *memdev_server_path(const struct memdev_server *s);
size_t memdev_server_clients(const struct memdev_server *s);

struct memdev_server_stats {
	unsigned long long commands;  /* requests answered */
	unsigned long long malformed; /* clients closed for a malformed message */
	unsigned long long refused;   /* connections turned away: too many clients */
	unsigned long long stalled;   /* clients closed: their answer could not be sent */
};
void memdev_server_get_stats(const struct memdev_server *s, struct memdev_server_stats *st);

#endif
