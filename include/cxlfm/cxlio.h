/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm typed calls for CXL.io through a switch: configuration requests
 * to a downstream port's PPB (5103h) and configuration and memory requests
 * to the LDs of an MLD below a downstream port (5301h, 5302h). All three go
 * to a switch's CCI (its MCTP endpoint or mailbox CCI; tun as in fmapi.h).
 * The rules of fmapi.h hold: 0 / negative errno / positive CXL return code,
 * host byte order, *rsp written only on success, -EBADMSG for a response
 * whose length disagrees with its layout, -EINVAL for a request that cannot
 * be encoded.
 *
 * Configuration requests move one dword: offset is the register's byte
 * offset (dword aligned, below 4 KiB), byte_enables the First DW Byte
 * Enables (bit n: byte n; 0xf the whole dword). A switch processes them
 * only for what the FM owns (CXL r3.1 §7.2.3.1): a PPB of an unbound port
 * or an MLD port, an LD no vPPB is bound to, or the FM-owned LD (FFFFh).
 */
#ifndef CXLFM_CXLIO_H
#define CXLFM_CXLIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cxlfm/fmapi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CXLFM_LD_FMLD 0xffff        /* the FM-owned LD of an MLD */
#define CXLFM_LD_MEM_MAX 4096       /* bytes one Send LD CXL.io Memory Request moves */
#define CXLFM_RC_RETRY_REQUIRED 0x05 /* a bind or unbind of the target runs */

/* One dword of configuration space, read or written. */
struct cxlfm_config_req {
	uint16_t offset;       /* byte offset, dword aligned, < 4096 */
	uint8_t byte_enables;  /* first DW byte enables, 0x0-0xf */
	bool write;
	uint32_t data;         /* write data (little-endian register value) */
};
struct cxlfm_config_rsp {
	uint32_t data;         /* read data; 0 for a write */
};

/* CXL r3.1 §7.6.7.1.4 Send PPB CXL.io Configuration Request (Opcode 5103h). */
int cxlfm_cmd_send_ppb_config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      uint8_t ppb_id, const struct cxlfm_config_req *req,
			      struct cxlfm_config_rsp *rsp);

/* CXL r3.1 §7.6.7.3.2 Send LD CXL.io Configuration Request (Opcode 5301h):
 * LD ld_id (or CXLFM_LD_FMLD) of the MLD below port ppb_id. */
int cxlfm_cmd_send_ld_config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			     uint8_t ppb_id, uint16_t ld_id, const struct cxlfm_config_req *req,
			     struct cxlfm_config_rsp *rsp);

/*
 * CXL r3.1 §7.6.7.3.3 Send LD CXL.io Memory Request (Opcode 5302h): length
 * bytes at addr (an address in a BAR of the LD's function) of LD ld_id of
 * the MLD below port_id; the byte enables are those of the range. A write
 * takes its data from req->data. The answer's returned count says how many
 * bytes moved (fewer than asked when the device stopped part-way); a read
 * puts them in rsp->data. The whole exchange must fit the CCI's message
 * limit and libcxlfm's (2048 bytes): split larger transfers.
 */
struct cxlfm_ld_mem_req {
	uint8_t port_id;
	uint16_t ld_id;
	uint64_t addr;
	uint16_t length;       /* 0..CXLFM_LD_MEM_MAX */
	bool write;
	const uint8_t *data;   /* write: length bytes */
};
struct cxlfm_ld_mem_rsp {
	uint16_t returned;     /* bytes transferred */
	uint8_t data[CXLFM_LD_MEM_MAX]; /* read: returned bytes */
};
int cxlfm_cmd_send_ld_mem(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  const struct cxlfm_ld_mem_req *req, struct cxlfm_ld_mem_rsp *rsp);

#ifdef __cplusplus
}
#endif

#endif
