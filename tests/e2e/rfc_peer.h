/* SPDX-License-Identifier: MIT */
/*
 * A QEMU-style peer for the forwarding path, written only from the RFC's
 * documented layout (../shared/ref/rfc-forwarding.md): offsets are spelled
 * out here by hand, none of cxl-fmemu's forwarding code is used.
 */
#ifndef CXLFM_TESTS_RFC_PEER_H
#define CXLFM_TESTS_RFC_PEER_H

#include <stddef.h>
#include <stdint.h>

/* The RFC's struct, x86-64: int status; u8 set; u8 cmd; size_t len_in,
 * len_out; u8 payload[512], payload_out[512]; bool bg_started; int ret_val. */
#define RFC_STATUS 0
#define RFC_SET 8
#define RFC_CMD 9
#define RFC_LEN_IN 16
#define RFC_LEN_OUT 24
#define RFC_PAYLOAD 32
#define RFC_PAYLOAD_OUT 544
#define RFC_BG 1056
#define RFC_RET 1060
#define RFC_SIZE 1064

/* Map (create if asked) the named shm object. */
uint8_t *rfc_map(const char *name, int create);
void rfc_unmap(uint8_t *buf);
/* The named object's size, -1 when no object has the name. */
long rfc_size(const char *name);

/*
 * A one-connection QMP server on 127.0.0.1 (ephemeral port), answering
 * cxl-process-mctp-message by filling the buffer with handler's answer.
 * Runs in a child process; returns its pid and the port.
 */
typedef void (*rfc_handler)(uint8_t *buf);
int rfc_target_start(const char *shm_name, rfc_handler h, int *port);

#endif
