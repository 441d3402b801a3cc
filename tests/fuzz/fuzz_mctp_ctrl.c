/* SPDX-License-Identifier: MIT */
/*
 * MCTP control message decoders. Every decoder runs on every input; each
 * either fails with a documented errno or decodes something that re-encodes
 * to the input (up to reserved bits and the D bit, which encoders clear).
 * A decoded request is also answered, and the answer must decode.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "proto/mctp_ctrl.h"

static const uint8_t *in;
static size_t in_len;

static void check_rc(int rc)
{
	assert(rc == 0 || rc == -EMSGSIZE || rc == -EPROTO || rc == -EBADMSG);
}

/* Re-encoded message vs input: byte 1 without D and reserved bits. */
static void same(const uint8_t *re, int n, size_t want_len)
{
	assert(n == (int)want_len && want_len <= in_len);
	assert(re[0] == in[0] && re[1] == (in[1] & 0x9f) && re[2] == in[2]);
	if (want_len > 3)
		assert(!memcmp(re + 3, in + 3, want_len - 3));
}

static size_t rsp_len(uint8_t cc, size_t full)
{
	return cc == MCTP_CTRL_CC_SUCCESS ? full : MCTP_CTRL_HDR_LEN + 1;
}

static void set_eid(void)
{
	struct mctp_ctrl_set_eid_req rq;
	struct mctp_ctrl_set_eid_rsp rsp;
	struct mctp_ctrl_hdr h;
	uint8_t re[80];
	int rc;

	rc = mctp_ctrl_set_eid_req_decode(in, in_len, &h, &rq);
	check_rc(rc);
	if (!rc) {
		struct mctp_ctrl_set_eid_rsp a = { .eid = rq.eid, .alloc = rq.op };

		assert(h.rq && h.cmd == MCTP_CTRL_SET_EID && rq.op <= 3);
		rc = mctp_ctrl_set_eid_req_encode(h.iid, &rq, re, sizeof(re));
		assert(rc == 5);
		assert(re[3] == (in[3] & 3));
		re[3] = in[3];
		same(re, rc, in_len);
		/* answer it; the answer decodes back */
		rc = mctp_ctrl_set_eid_rsp_encode(h.iid, &a, re, sizeof(re));
		assert(rc == (int)MCTP_CTRL_SET_EID_RSP_LEN);
		assert(mctp_ctrl_set_eid_rsp_decode(re, (size_t)rc, NULL, &rsp) == 0);
		assert(rsp.eid == rq.eid && rsp.alloc == rq.op);
	}
	rc = mctp_ctrl_set_eid_rsp_decode(in, in_len, &h, &rsp);
	check_rc(rc);
	if (!rc) {
		assert(!h.rq && rsp.status <= 3 && rsp.alloc <= 3);
		rc = mctp_ctrl_set_eid_rsp_encode(h.iid, &rsp, re, sizeof(re));
		if (rsp.cc == MCTP_CTRL_CC_SUCCESS) {
			assert(re[4] == (in[4] & 0x33));
			re[4] = in[4];
		}
		same(re, rc, rsp_len(rsp.cc, MCTP_CTRL_SET_EID_RSP_LEN));
	}
}

static void get_eid(void)
{
	struct mctp_ctrl_get_eid_rsp rsp;
	struct mctp_ctrl_hdr h;
	uint8_t re[80];
	int rc;

	rc = mctp_ctrl_get_eid_req_decode(in, in_len, &h);
	check_rc(rc);
	if (!rc) {
		rc = mctp_ctrl_get_eid_req_encode(h.iid, re, sizeof(re));
		same(re, rc, in_len);
	}
	rc = mctp_ctrl_get_eid_rsp_decode(in, in_len, &h, &rsp);
	check_rc(rc);
	if (!rc) {
		rc = mctp_ctrl_get_eid_rsp_encode(h.iid, &rsp, re, sizeof(re));
		if (rsp.cc == MCTP_CTRL_CC_SUCCESS) {
			assert(re[5] == (in[5] & 0x33));
			re[5] = in[5];
		}
		same(re, rc, rsp_len(rsp.cc, MCTP_CTRL_GET_EID_RSP_LEN));
	}
}

static void get_uuid(void)
{
	struct mctp_ctrl_get_uuid_rsp rsp;
	struct mctp_ctrl_hdr h;
	uint8_t re[80];
	int rc;

	rc = mctp_ctrl_get_uuid_req_decode(in, in_len, &h);
	check_rc(rc);
	if (!rc) {
		rc = mctp_ctrl_get_uuid_req_encode(h.iid, re, sizeof(re));
		same(re, rc, in_len);
	}
	rc = mctp_ctrl_get_uuid_rsp_decode(in, in_len, &h, &rsp);
	check_rc(rc);
	if (!rc) {
		rc = mctp_ctrl_get_uuid_rsp_encode(h.iid, &rsp, re, sizeof(re));
		same(re, rc, rsp_len(rsp.cc, MCTP_CTRL_GET_UUID_RSP_LEN));
	}
}

static void get_version(void)
{
	struct mctp_ctrl_get_version_req rq;
	struct mctp_ctrl_get_version_rsp rsp;
	struct mctp_ctrl_hdr h;
	uint8_t re[80];
	int rc;

	rc = mctp_ctrl_get_version_req_decode(in, in_len, &h, &rq);
	check_rc(rc);
	if (!rc) {
		struct mctp_ctrl_get_version_rsp a = { .count = 1 };

		rc = mctp_ctrl_get_version_req_encode(h.iid, &rq, re, sizeof(re));
		same(re, rc, in_len);
		if (rq.type != MCTP_MSG_CTRL && rq.type != MCTP_CTRL_VERSION_TYPE_BASE)
			a.cc = MCTP_CTRL_CC_VERSION_TYPE_UNSUPPORTED;
		a.ver[0] = (struct mctp_ver){ 0xf1, 0xf3, 0xf3, 0x00 };
		rc = mctp_ctrl_get_version_rsp_encode(h.iid, &a, re, sizeof(re));
		assert(rc > 0);
		assert(mctp_ctrl_get_version_rsp_decode(re, (size_t)rc, NULL, &rsp) == 0);
		assert(rsp.cc == a.cc && rsp.count == (a.cc ? 0 : 1));
	}
	rc = mctp_ctrl_get_version_rsp_decode(in, in_len, &h, &rsp);
	check_rc(rc);
	if (!rc) {
		assert(rsp.count <= MCTP_CTRL_VERSIONS_MAX);
		rc = mctp_ctrl_get_version_rsp_encode(h.iid, &rsp, re, sizeof(re));
		same(re, rc, rsp_len(rsp.cc, MCTP_CTRL_GET_VERSION_RSP_LEN(rsp.count)));
	}
}

static void get_msg_types(void)
{
	struct mctp_ctrl_get_msg_types_rsp rsp;
	struct mctp_ctrl_hdr h;
	uint8_t re[80];
	int rc;

	rc = mctp_ctrl_get_msg_types_req_decode(in, in_len, &h);
	check_rc(rc);
	if (!rc) {
		rc = mctp_ctrl_get_msg_types_req_encode(h.iid, re, sizeof(re));
		same(re, rc, in_len);
	}
	rc = mctp_ctrl_get_msg_types_rsp_decode(in, in_len, &h, &rsp);
	check_rc(rc);
	if (!rc) {
		assert(rsp.count <= MCTP_CTRL_MSG_TYPES_MAX);
		rc = mctp_ctrl_get_msg_types_rsp_encode(h.iid, &rsp, re, sizeof(re));
		same(re, rc, rsp_len(rsp.cc, MCTP_CTRL_GET_MSG_TYPES_RSP_LEN(rsp.count)));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mctp_ctrl_hdr h;
	uint8_t re[4], cc;
	int rc;

	in = data;
	in_len = size;
	rc = mctp_ctrl_hdr_decode(data, size, &h);
	check_rc(rc);
	if (!rc) {
		assert(h.iid <= MCTP_CTRL_IID_MAX);
		assert(mctp_ctrl_hdr_encode(&h, re, sizeof(re)) == 3);
		assert(re[0] == data[0] && re[1] == (data[1] & 0xdf) && re[2] == data[2]);
	}
	rc = mctp_ctrl_rsp_decode(data, size, &h, &cc);
	check_rc(rc);
	if (!rc) {
		assert(mctp_ctrl_cc_rsp_encode(h.iid, h.cmd, cc, re, sizeof(re)) == 4);
		assert(!memcmp(re, data, 1) && re[2] == data[2] && re[3] == data[3]);
	}
	set_eid();
	get_eid();
	get_uuid();
	get_version();
	get_msg_types();
	return 0;
}
