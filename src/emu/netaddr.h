/* SPDX-License-Identifier: MIT */
/*
 * Socket addresses as QEMU users write them: "tcp:HOST:PORT",
 * "tcp:[V6]:PORT", "unix:PATH", and, where a peer is meant (the RFC's
 * qmp=127.0.0.1:4445), a bare "HOST:PORT".
 */
#ifndef CXLFM_EMU_NETADDR_H
#define CXLFM_EMU_NETADDR_H

#include <stdbool.h>
#include <sys/un.h>

enum net_kind { NET_TCP, NET_UNIX };

struct net_addr {
	enum net_kind kind;
	char host[256]; /* TCP; "" = any (servers) */
	char port[32];  /* TCP */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* UNIX */
};

/* 0, -EINVAL (syntax) or -ENAMETOOLONG. allow_bare: "HOST:PORT" is TCP. */
int net_addr_parse(const char *s, bool allow_bare, struct net_addr *out);
/* Fill a sockaddr_un; -ENAMETOOLONG if path does not fit. */
int net_unix_sockaddr(const char *path, struct sockaddr_un *sun);
/* Make fd non-blocking and close-on-exec. */
int net_set_nonblock(int fd);

#endif
