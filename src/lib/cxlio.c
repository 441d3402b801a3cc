/* SPDX-License-Identifier: MIT */
/*
 * CXL.io through a switch (include/cxlfm/cxlio.h): the requests are encoded
 * with explicit little-endian stores as CXL r3.1 Tables 7-21, 7-39 and 7-41
 * lay them out, and the answers decoded after their length is checked.
 */
#include "cxlfm/cxlio.h"

#include <errno.h>
#include <string.h>

#include "lib/private.h"
#include "proto/commands.h"
#include "proto/le.h"

#define MEM_REQ_HDR 16u /* Table 7-41: Transaction Data at 10h */
#define MEM_RSP_HDR 4u  /* Table 7-42: Return Data at 4h */

/* Bytes 01h..03h of 5103h / 5301h: Register Number [7:0], Extended Register
 * Number [11:8], First DW Byte Enables [15:12], Transaction Type [23]. */
static int cfg_bits(const struct cxlfm_config_req *req, uint8_t *p)
{
	if (req->offset % 4 || req->offset >= 4096 || req->byte_enables > 0xf)
		return -EINVAL;
	le24_put(p, (uint32_t)req->offset | (uint32_t)req->byte_enables << 12 |
			    (req->write ? 1u << 23 : 0));
	return 0;
}

int cxlfm_ppb_config_encode(uint8_t ppb_id, const struct cxlfm_config_req *req,
			    uint8_t out[CXL_IN_SEND_PPB_CXLIO_CONFIG_REQ])
{
	out[0] = ppb_id;
	if (cfg_bits(req, out + 1))
		return -EINVAL;
	le32_put(out + 4, req->write ? req->data : 0);
	return CXL_IN_SEND_PPB_CXLIO_CONFIG_REQ;
}

int cxlfm_ld_config_encode(uint8_t ppb_id, uint16_t ld_id, const struct cxlfm_config_req *req,
			   uint8_t out[CXL_IN_SEND_LD_CXLIO_CONFIG_REQ])
{
	memset(out, 0, CXL_IN_SEND_LD_CXLIO_CONFIG_REQ);
	out[0] = ppb_id;
	if (cfg_bits(req, out + 1))
		return -EINVAL;
	le16_put(out + 4, ld_id);
	le32_put(out + 8, req->write ? req->data : 0);
	return CXL_IN_SEND_LD_CXLIO_CONFIG_REQ;
}

/* The First / Last DW Byte Enables of a MemRd/MemWr TLP for [addr, addr +
 * len) (PCIe r6.0 §2.2.5); Last is 0 when the range is one DW. */
static uint32_t mem_bits(uint64_t addr, uint16_t len, bool write)
{
	uint64_t end = addr + len - 1;
	uint32_t first = 0, last = 0;

	if (len) {
		first = (0xfu << (addr & 3)) & 0xfu;
		if ((addr & ~3ull) == (end & ~3ull))
			first &= 0xfu >> (3 - (end & 3));
		else
			last = 0xfu >> (3 - (end & 3));
	}
	return first << 12 | last << 16 | (write ? 1u << 23 : 0);
}

int cxlfm_ld_mem_encode(const struct cxlfm_ld_mem_req *req, uint8_t *out, size_t max)
{
	size_t n = MEM_REQ_HDR + (req->write ? req->length : 0u);

	if (req->length > CXLFM_LD_MEM_MAX || (req->write && req->length && !req->data) ||
	    req->addr > UINT64_MAX - req->length)
		return -EINVAL;
	if (n > max)
		return -EMSGSIZE;
	memset(out, 0, MEM_REQ_HDR);
	out[0] = req->port_id;
	le24_put(out + 1, mem_bits(req->addr, req->length, req->write));
	le16_put(out + 4, req->ld_id);
	le16_put(out + 6, req->length);
	le64_put(out + 8, req->addr);
	if (req->write && req->length)
		memcpy(out + MEM_REQ_HDR, req->data, req->length);
	return (int)n;
}

static int dec_config(const void *req, const uint8_t *p, size_t len, void *out)
{
	struct cxlfm_config_rsp *r = out;

	(void)req;
	if (len != CXL_OUT_SEND_PPB_CXLIO_CONFIG_REQ)
		return -EBADMSG;
	r->data = le32_get(p);
	return 0;
}

/* What the 5302h decoder needs of its request (plain bytes: the fuzz target
 * fills it with any). */
struct mem_shape {
	uint16_t length;
	uint8_t write;
};

/* Return Size at most the length asked; a read carries exactly that many
 * bytes, a write none. */
static int dec_ld_mem(const void *req, const uint8_t *p, size_t len, void *out)
{
	const struct mem_shape *m = req;
	struct cxlfm_ld_mem_rsp *r = out;
	uint16_t n;

	if (len < MEM_RSP_HDR)
		return -EBADMSG;
	n = le16_get(p);
	if (n > m->length || n > CXLFM_LD_MEM_MAX || len != MEM_RSP_HDR + (m->write ? 0u : n))
		return -EBADMSG;
	r->returned = n;
	if (!m->write)
		memcpy(r->data, p + MEM_RSP_HDR, n);
	return 0;
}

static int config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun, uint16_t op,
		  const uint8_t *in, int in_len, struct cxlfm_config_rsp *rsp)
{
	uint8_t buf[CXLFM_MSG_MAX];
	size_t len = 0;
	int rc;

	if (!ep || !rsp || in_len < 0)
		return -EINVAL;
	rc = cxlfm_cmd(ep, tun, op, in, (size_t)in_len, buf, sizeof(buf), &len);
	return rc ? rc : dec_config(NULL, buf, len, rsp);
}

int cxlfm_cmd_send_ppb_config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			      uint8_t ppb_id, const struct cxlfm_config_req *req,
			      struct cxlfm_config_rsp *rsp)
{
	uint8_t in[CXL_IN_SEND_PPB_CXLIO_CONFIG_REQ];

	if (!req)
		return -EINVAL;
	return config(ep, tun, CXLFM_OP_SEND_PPB_CXLIO_CONFIG_REQ, in,
		      cxlfm_ppb_config_encode(ppb_id, req, in), rsp);
}

int cxlfm_cmd_send_ld_config(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			     uint8_t ppb_id, uint16_t ld_id, const struct cxlfm_config_req *req,
			     struct cxlfm_config_rsp *rsp)
{
	uint8_t in[CXL_IN_SEND_LD_CXLIO_CONFIG_REQ];

	if (!req)
		return -EINVAL;
	return config(ep, tun, CXLFM_OP_SEND_LD_CXLIO_CONFIG_REQ, in,
		      cxlfm_ld_config_encode(ppb_id, ld_id, req, in), rsp);
}

int cxlfm_cmd_send_ld_mem(struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
			  const struct cxlfm_ld_mem_req *req, struct cxlfm_ld_mem_rsp *rsp)
{
	uint8_t in[CXLFM_MSG_MAX], out[CXLFM_MSG_MAX];
	struct mem_shape m;
	size_t len = 0;
	int n, rc;

	if (!ep || !req || !rsp)
		return -EINVAL;
	m = (struct mem_shape){ .length = req->length, .write = req->write };
	n = cxlfm_ld_mem_encode(req, in, sizeof(in));
	if (n < 0)
		return n;
	rc = cxlfm_cmd(ep, tun, CXLFM_OP_SEND_LD_CXLIO_MEM_REQ, in, (size_t)n, out, sizeof(out),
		       &len);
	return rc ? rc : dec_ld_mem(&m, out, len, rsp);
}

/* ---- the decoders as a table, for tests and the fuzz target (lib/private.h) ---- */

#define DEC(op, req_t, rsp_t, fn) { op, sizeof(req_t), sizeof(rsp_t), fn }
typedef uint8_t no_req;

static const struct cxlfm_decoder decoders[] = {
	DEC(CXLFM_OP_SEND_PPB_CXLIO_CONFIG_REQ, no_req, struct cxlfm_config_rsp, dec_config),
	DEC(CXLFM_OP_SEND_LD_CXLIO_CONFIG_REQ, no_req, struct cxlfm_config_rsp, dec_config),
	DEC(CXLFM_OP_SEND_LD_CXLIO_MEM_REQ, struct mem_shape, struct cxlfm_ld_mem_rsp,
	    dec_ld_mem),
};

const struct cxlfm_decoder *cxlfm_cxlio_decoder_at(size_t i)
{
	return i < sizeof(decoders) / sizeof(decoders[0]) ? &decoders[i] : NULL;
}
