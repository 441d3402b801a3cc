/* SPDX-License-Identifier: MIT */
/*
 * The UNIX SOCK_SEQPACKET sockets cxl-emu listens on in its run directory
 * (the I2C buses' <bus>.sock, the type-3 devices' memN): created 0600, a
 * socket file left by a process that died replaced, anything else at the
 * path refused.
 */
#ifndef CXLFM_EMU_USOCK_H
#define CXLFM_EMU_USOCK_H

#include <stdbool.h>

/*
 * A non-blocking, close-on-exec listening socket at path. -ENAMETOOLONG,
 * -EADDRINUSE (a live socket is there: another process serves it),
 * -EEXIST (a file that is no socket is there), or another -errno.
 */
int usock_listen(const char *path, int backlog, int *out_fd);
/* A SOCK_SEQPACKET recv() returned 0: an empty datagram, or the peer gone? */
bool usock_peer_closed(int fd);

#endif
