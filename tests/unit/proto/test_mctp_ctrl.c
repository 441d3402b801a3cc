/* SPDX-License-Identifier: MIT */
/* MCTP control messages (DSP0236 clauses 11-12). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/mctp_ctrl.h"

/*
 * Known answers, laid out by hand from DSP0236 1.3.3 (clause 11 control
 * header; Table 14 Set Endpoint ID): the bus owner assigns EID 0x0a with
 * instance ID 1, the endpoint accepts and uses no EID pool.
 *
 *   request   00  type 0x00 (control, IC 0)
 *             81  Rq=1, D=0, IID 1
 *             01  Set Endpoint ID
 *             00  operation 00b = Set EID
 *             0a  EID
 *   response  00 01 01  type, Rq=0 IID 1, command
 *             00  completion code SUCCESS
 *             00  bits[5:4] 00b accepted, bits[1:0] 00b no EID pool
 *             0a  EID setting
 *             00  EID pool size
 */
static const uint8_t set_eid_req[5] = { 0x00, 0x81, 0x01, 0x00, 0x0a };
static const uint8_t set_eid_rsp[7] = { 0x00, 0x01, 0x01, 0x00, 0x00, 0x0a, 0x00 };

/*
 * Get Message Type Support response (Table 19), IID 5: the endpoint speaks
 * CXL FM API (0x07) and CXL CCI (0x08). The count excludes the control
 * message type, which every endpoint supports.
 *   00 05 05  type, Rq=0 IID 5, command 0x05
 *   00        SUCCESS
 *   02        message type count
 *   07 08     message types
 */
static const uint8_t msg_types_rsp[7] = { 0x00, 0x05, 0x05, 0x00, 0x02, 0x07, 0x08 };

/*
 * Get MCTP Version Support (Table 18), IID 2, for the base specification
 * (type 0xff); two entries, 1.3.1 and 1.2.0 (major, minor, update, alpha;
 * F-prefixed BCD, see "Version number format"):
 *   request   00 82 04 ff
 *   response  00 02 04 00 02  f1 f3 f1 00  f1 f2 f0 00
 */
static const uint8_t version_req[4] = { 0x00, 0x82, 0x04, 0xff };
static const uint8_t version_rsp[13] = { 0x00, 0x02, 0x04, 0x00, 0x02, 0xf1, 0xf3,
					 0xf1, 0x00, 0xf1, 0xf2, 0xf0, 0x00 };

static void test_hdr_round_trip(void **state)
{
	uint8_t buf[3];
	struct mctp_ctrl_hdr h = { .rq = true, .d = true, .iid = 31, .cmd = 0xf0 };
	struct mctp_ctrl_hdr d;

	(void)state;
	assert_int_equal(mctp_ctrl_hdr_encode(&h, buf, sizeof(buf)), 3);
	assert_int_equal(buf[0], 0x00);
	assert_int_equal(buf[1], 0x80 | 0x40 | 31);
	assert_int_equal(buf[2], 0xf0);
	assert_int_equal(mctp_ctrl_hdr_decode(buf, 3, &d), 0);
	assert_memory_equal(&h, &d, sizeof(h));
	buf[1] = 0x20 | 7; /* reserved bit 5 ignored */
	assert_int_equal(mctp_ctrl_hdr_decode(buf, 3, &d), 0);
	assert_false(d.rq || d.d);
	assert_int_equal(d.iid, 7);
}

static void test_hdr_errors(void **state)
{
	uint8_t buf[3] = { 0x00, 0x80, 0x02 };
	struct mctp_ctrl_hdr h = { .iid = 32 };

	(void)state;
	assert_int_equal(mctp_ctrl_hdr_encode(&h, buf, 3), -EINVAL);
	h.iid = 0;
	assert_int_equal(mctp_ctrl_hdr_encode(&h, buf, 2), -EMSGSIZE);
	for (size_t n = 0; n < 3; n++)
		assert_int_equal(mctp_ctrl_hdr_decode(buf, n, &h), -EMSGSIZE);
	buf[0] = MCTP_MSG_CXL_CCI;
	assert_int_equal(mctp_ctrl_hdr_decode(buf, 3, &h), -EPROTO);
	buf[0] = 0x80; /* IC set on type 0 */
	assert_int_equal(mctp_ctrl_hdr_decode(buf, 3, &h), -EPROTO);
}

static void test_set_eid_req_known_answer(void **state)
{
	struct mctp_ctrl_set_eid_req rq = { .op = MCTP_SET_EID_OP_SET, .eid = 0x0a };
	struct mctp_ctrl_hdr h;
	uint8_t buf[8];

	(void)state;
	assert_int_equal(mctp_ctrl_set_eid_req_encode(1, &rq, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, set_eid_req, 5);
	memset(&rq, 0xff, sizeof(rq));
	assert_int_equal(mctp_ctrl_set_eid_req_decode(set_eid_req, 5, &h, &rq), 0);
	assert_true(h.rq);
	assert_int_equal(h.iid, 1);
	assert_int_equal(h.cmd, MCTP_CTRL_SET_EID);
	assert_int_equal(rq.op, MCTP_SET_EID_OP_SET);
	assert_int_equal(rq.eid, 0x0a);
}

static void test_set_eid_rsp_known_answer(void **state)
{
	struct mctp_ctrl_set_eid_rsp rsp = { .cc = 0, .status = MCTP_SET_EID_ACCEPTED,
					     .alloc = MCTP_EID_POOL_NONE,
					     .eid = 0x0a, .pool_size = 0 };
	struct mctp_ctrl_hdr h;
	uint8_t buf[8];

	(void)state;
	assert_int_equal(mctp_ctrl_set_eid_rsp_encode(1, &rsp, buf, sizeof(buf)), 7);
	assert_memory_equal(buf, set_eid_rsp, 7);
	memset(&rsp, 0xff, sizeof(rsp));
	assert_int_equal(mctp_ctrl_set_eid_rsp_decode(set_eid_rsp, 7, &h, &rsp), 0);
	assert_false(h.rq);
	assert_int_equal(h.iid, 1);
	assert_int_equal(rsp.cc, MCTP_CTRL_CC_SUCCESS);
	assert_int_equal(rsp.status, MCTP_SET_EID_ACCEPTED);
	assert_int_equal(rsp.alloc, MCTP_EID_POOL_NONE);
	assert_int_equal(rsp.eid, 0x0a);
	assert_int_equal(rsp.pool_size, 0);
}

/* Rejected, pool required, pool of 16: status byte 0x11; force/reset ops. */
static void test_set_eid_fields(void **state)
{
	struct mctp_ctrl_set_eid_rsp rsp = { .status = MCTP_SET_EID_REJECTED,
					     .alloc = MCTP_EID_POOL_REQUIRED,
					     .eid = 0x20, .pool_size = 16 };
	struct mctp_ctrl_set_eid_req rq = { .op = MCTP_SET_EID_OP_RESET, .eid = 0 };
	uint8_t buf[8];

	(void)state;
	assert_int_equal(mctp_ctrl_set_eid_rsp_encode(31, &rsp, buf, sizeof(buf)), 7);
	assert_int_equal(buf[1], 31);
	assert_int_equal(buf[4], 0x11);
	assert_int_equal(buf[6], 16);
	buf[4] |= 0xcc; /* reserved bits[7:6] and [3:2] ignored */
	assert_int_equal(mctp_ctrl_set_eid_rsp_decode(buf, 7, NULL, &rsp), 0);
	assert_int_equal(rsp.status, MCTP_SET_EID_REJECTED);
	assert_int_equal(rsp.alloc, MCTP_EID_POOL_REQUIRED);

	assert_int_equal(mctp_ctrl_set_eid_req_encode(0, &rq, buf, sizeof(buf)), 5);
	assert_int_equal(buf[3], 0x02);
	buf[3] = 0xfd; /* reserved bits[7:2] ignored: op 01b Force */
	assert_int_equal(mctp_ctrl_set_eid_req_decode(buf, 5, NULL, &rq), 0);
	assert_int_equal(rq.op, MCTP_SET_EID_OP_FORCE);
}

static void test_get_eid(void **state)
{
	const uint8_t want_rq[3] = { 0x00, 0x83, 0x02 };
	/* EID 0x0a, byte 3: bits[5:4] 01b bus owner/bridge, bits[1:0] 10b static = current */
	const uint8_t want_rsp[7] = { 0x00, 0x03, 0x02, 0x00, 0x0a, 0x12, 0x01 };
	struct mctp_ctrl_get_eid_rsp rsp = { .eid = 0x0a,
					     .ep_type = MCTP_EP_TYPE_BUS_OWNER_BRIDGE,
					     .eid_type = MCTP_EID_TYPE_STATIC_CURRENT,
					     .medium = 0x01 };
	struct mctp_ctrl_hdr h;
	uint8_t buf[8];

	(void)state;
	assert_int_equal(mctp_ctrl_get_eid_req_encode(3, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, want_rq, 3);
	assert_int_equal(mctp_ctrl_get_eid_req_decode(want_rq, 3, &h), 0);
	assert_int_equal(h.iid, 3);
	assert_int_equal(mctp_ctrl_get_eid_rsp_encode(3, &rsp, buf, sizeof(buf)), 7);
	assert_memory_equal(buf, want_rsp, 7);
	memset(&rsp, 0xff, sizeof(rsp));
	assert_int_equal(mctp_ctrl_get_eid_rsp_decode(want_rsp, 7, &h, &rsp), 0);
	assert_int_equal(rsp.cc, 0);
	assert_int_equal(rsp.eid, 0x0a);
	assert_int_equal(rsp.ep_type, MCTP_EP_TYPE_BUS_OWNER_BRIDGE);
	assert_int_equal(rsp.eid_type, MCTP_EID_TYPE_STATIC_CURRENT);
	assert_int_equal(rsp.medium, 0x01);
}

static void test_get_uuid(void **state)
{
	struct mctp_ctrl_get_uuid_rsp rsp = { .cc = 0 }, d;
	uint8_t buf[32];

	(void)state;
	for (uint8_t i = 0; i < MCTP_UUID_LEN; i++)
		rsp.uuid[i] = (uint8_t)(0xa0 + i);
	assert_int_equal(mctp_ctrl_get_uuid_req_encode(0, buf, sizeof(buf)), 3);
	assert_int_equal(buf[2], MCTP_CTRL_GET_UUID);
	assert_int_equal(mctp_ctrl_get_uuid_req_decode(buf, 3, NULL), 0);
	assert_int_equal(mctp_ctrl_get_uuid_rsp_encode(0, &rsp, buf, sizeof(buf)), 20);
	assert_int_equal(buf[3], 0x00);
	assert_memory_equal(buf + 4, rsp.uuid, 16);
	assert_int_equal(mctp_ctrl_get_uuid_rsp_decode(buf, 20, NULL, &d), 0);
	assert_memory_equal(&d, &rsp, sizeof(rsp));
}

static void test_get_version_known_answer(void **state)
{
	struct mctp_ctrl_get_version_req rq = { .type = MCTP_CTRL_VERSION_TYPE_BASE };
	struct mctp_ctrl_get_version_rsp rsp = {
		.count = 2,
		.ver = { { 0xf1, 0xf3, 0xf1, 0x00 }, { 0xf1, 0xf2, 0xf0, 0x00 } },
	};
	struct mctp_ctrl_get_version_rsp d;
	struct mctp_ctrl_hdr h;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(mctp_ctrl_get_version_req_encode(2, &rq, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, version_req, 4);
	rq.type = 0;
	assert_int_equal(mctp_ctrl_get_version_req_decode(version_req, 4, &h, &rq), 0);
	assert_int_equal(rq.type, 0xff);
	assert_int_equal(mctp_ctrl_get_version_rsp_encode(2, &rsp, buf, sizeof(buf)), 13);
	assert_memory_equal(buf, version_rsp, 13);
	assert_int_equal(mctp_ctrl_get_version_rsp_decode(version_rsp, 13, &h, &d), 0);
	assert_int_equal(h.iid, 2);
	assert_memory_equal(&d, &rsp, sizeof(rsp));
}

/* Unknown message type: completion code 0x80 and nothing else. */
static void test_get_version_unsupported_type(void **state)
{
	const uint8_t want[4] = { 0x00, 0x02, 0x04, 0x80 };
	struct mctp_ctrl_get_version_rsp rsp = {
		.cc = MCTP_CTRL_CC_VERSION_TYPE_UNSUPPORTED, .count = 3 };
	uint8_t buf[64], longer[6] = { 0x00, 0x02, 0x04, 0x80, 0x00, 0x00 };

	(void)state;
	assert_int_equal(mctp_ctrl_get_version_rsp_encode(2, &rsp, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, want, 4);
	memset(&rsp, 0xff, sizeof(rsp));
	assert_int_equal(mctp_ctrl_get_version_rsp_decode(want, 4, NULL, &rsp), 0);
	assert_int_equal(rsp.cc, 0x80);
	assert_int_equal(rsp.count, 0);
	/* a responder that appends a zero count is fine too: cc decides */
	assert_int_equal(mctp_ctrl_get_version_rsp_decode(longer, 6, NULL, &rsp), 0);
	assert_int_equal(rsp.cc, 0x80);
}

static void test_get_msg_types_known_answer(void **state)
{
	struct mctp_ctrl_get_msg_types_rsp rsp = {
		.count = 2, .types = { MCTP_MSG_CXL_FMAPI, MCTP_MSG_CXL_CCI } };
	struct mctp_ctrl_get_msg_types_rsp d;
	struct mctp_ctrl_hdr h;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(mctp_ctrl_get_msg_types_req_encode(5, buf, sizeof(buf)), 3);
	assert_int_equal(buf[1], 0x85);
	assert_int_equal(buf[2], 0x05);
	assert_int_equal(mctp_ctrl_get_msg_types_req_decode(buf, 3, &h), 0);
	assert_int_equal(mctp_ctrl_get_msg_types_rsp_encode(5, &rsp, buf, sizeof(buf)), 7);
	assert_memory_equal(buf, msg_types_rsp, 7);
	assert_int_equal(mctp_ctrl_get_msg_types_rsp_decode(msg_types_rsp, 7, &h, &d), 0);
	assert_memory_equal(&d, &rsp, sizeof(rsp));
}

/* The largest lists that fit one baseline packet round-trip; one more does not encode. */
static void test_list_limits(void **state)
{
	struct mctp_ctrl_get_msg_types_rsp t = { .count = MCTP_CTRL_MSG_TYPES_MAX }, td;
	struct mctp_ctrl_get_version_rsp v = { .count = MCTP_CTRL_VERSIONS_MAX }, vd;
	uint8_t buf[128];
	int n;

	(void)state;
	for (unsigned i = 0; i < MCTP_CTRL_MSG_TYPES_MAX; i++)
		t.types[i] = (uint8_t)i;
	for (unsigned i = 0; i < MCTP_CTRL_VERSIONS_MAX; i++)
		v.ver[i] = (struct mctp_ver){ 0xf1, (uint8_t)(0xf0 + i % 10), 0xff, 0 };
	n = mctp_ctrl_get_msg_types_rsp_encode(0, &t, buf, sizeof(buf));
	assert_int_equal(n, (int)MCTP_BTU);
	assert_int_equal(mctp_ctrl_get_msg_types_rsp_decode(buf, (size_t)n, NULL, &td), 0);
	assert_memory_equal(&t, &td, sizeof(t));
	n = mctp_ctrl_get_version_rsp_encode(0, &v, buf, sizeof(buf));
	assert_int_equal(n, 61);
	assert_int_equal(mctp_ctrl_get_version_rsp_decode(buf, (size_t)n, NULL, &vd), 0);
	assert_memory_equal(&v, &vd, sizeof(v));
	t.count++;
	v.count++;
	assert_int_equal(mctp_ctrl_get_msg_types_rsp_encode(0, &t, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mctp_ctrl_get_version_rsp_encode(0, &v, buf, sizeof(buf)), -EINVAL);
}

/* Every proper prefix of a valid message is rejected, and so is one extra byte. */
static void test_truncated_and_long(void **state)
{
	struct mctp_ctrl_set_eid_req srq;
	struct mctp_ctrl_set_eid_rsp srsp;
	struct mctp_ctrl_get_version_req vrq;
	struct mctp_ctrl_get_version_rsp vrsp;
	struct mctp_ctrl_get_msg_types_rsp trsp;
	struct mctp_ctrl_get_eid_rsp ersp;
	struct mctp_ctrl_get_uuid_rsp ursp;
	const uint8_t get_eid_rsp[7] = { 0x00, 0x00, 0x02, 0x00, 0x0a, 0x00, 0x00 };
	uint8_t uuid_rsp[20] = { 0x00, 0x00, 0x03, 0x00 };
	uint8_t buf[32];

	(void)state;
	for (size_t n = 0; n < 5; n++)
		assert_int_equal(mctp_ctrl_set_eid_req_decode(set_eid_req, n, NULL, &srq),
				 -EMSGSIZE);
	for (size_t n = 0; n < 7; n++)
		assert_int_equal(mctp_ctrl_set_eid_rsp_decode(set_eid_rsp, n, NULL, &srsp),
				 -EMSGSIZE);
	for (size_t n = 0; n < 4; n++)
		assert_int_equal(mctp_ctrl_get_version_req_decode(version_req, n, NULL, &vrq),
				 -EMSGSIZE);
	for (size_t n = 0; n < 13; n++)
		assert_int_equal(mctp_ctrl_get_version_rsp_decode(version_rsp, n, NULL, &vrsp),
				 -EMSGSIZE);
	for (size_t n = 0; n < 7; n++)
		assert_int_equal(mctp_ctrl_get_msg_types_rsp_decode(msg_types_rsp, n, NULL,
								    &trsp), -EMSGSIZE);
	for (size_t n = 0; n < 7; n++)
		assert_int_equal(mctp_ctrl_get_eid_rsp_decode(get_eid_rsp, n, NULL, &ersp),
				 -EMSGSIZE);
	for (size_t n = 0; n < 20; n++)
		assert_int_equal(mctp_ctrl_get_uuid_rsp_decode(uuid_rsp, n, NULL, &ursp),
				 -EMSGSIZE);

	memcpy(buf, set_eid_req, 5);
	buf[5] = 0;
	assert_int_equal(mctp_ctrl_set_eid_req_decode(buf, 6, NULL, &srq), -EMSGSIZE);
	memcpy(buf, set_eid_rsp, 7);
	buf[7] = 0;
	assert_int_equal(mctp_ctrl_set_eid_rsp_decode(buf, 8, NULL, &srsp), -EMSGSIZE);
	memcpy(buf, msg_types_rsp, 7);
	buf[7] = 0x09;
	assert_int_equal(mctp_ctrl_get_msg_types_rsp_decode(buf, 8, NULL, &trsp), -EMSGSIZE);
	assert_int_equal(mctp_ctrl_get_eid_req_encode(0, buf, sizeof(buf)), 3);
	buf[3] = 0;
	assert_int_equal(mctp_ctrl_get_eid_req_decode(buf, 4, NULL), -EMSGSIZE);
	assert_int_equal(mctp_ctrl_get_uuid_req_decode(buf, 2, NULL), -EMSGSIZE);
}

/* The count byte disagrees with the bytes present, or exceeds a baseline packet. */
static void test_count_mismatch(void **state)
{
	struct mctp_ctrl_get_msg_types_rsp t;
	struct mctp_ctrl_get_version_rsp v;
	uint8_t buf[80];

	(void)state;
	memcpy(buf, msg_types_rsp, 7);
	buf[4] = 3; /* says 3, 2 present */
	assert_int_equal(mctp_ctrl_get_msg_types_rsp_decode(buf, 7, NULL, &t), -EMSGSIZE);
	buf[4] = 1; /* says 1, 2 present */
	assert_int_equal(mctp_ctrl_get_msg_types_rsp_decode(buf, 7, NULL, &t), -EMSGSIZE);
	memcpy(buf, version_rsp, 13);
	buf[4] = 1;
	assert_int_equal(mctp_ctrl_get_version_rsp_decode(buf, 13, NULL, &v), -EMSGSIZE);
	buf[4] = 3;
	assert_int_equal(mctp_ctrl_get_version_rsp_decode(buf, 13, NULL, &v), -EMSGSIZE);
	/* 60 types: consistent length, but beyond what one control packet holds */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, msg_types_rsp, 4);
	buf[4] = MCTP_CTRL_MSG_TYPES_MAX + 1;
	assert_int_equal(mctp_ctrl_get_msg_types_rsp_decode(buf, 5 + buf[4], NULL, &t),
			 -EMSGSIZE);
	memcpy(buf, version_rsp, 4);
	buf[4] = MCTP_CTRL_VERSIONS_MAX + 1;
	assert_int_equal(mctp_ctrl_get_version_rsp_decode(buf, 5 + 4u * buf[4], NULL, &v),
			 -EMSGSIZE);
}

/* A request handed to a response decoder, the reverse, or another command. */
static void test_wrong_direction_or_command(void **state)
{
	struct mctp_ctrl_set_eid_req srq;
	struct mctp_ctrl_set_eid_rsp srsp;
	struct mctp_ctrl_get_eid_rsp ersp;
	struct mctp_ctrl_get_msg_types_rsp trsp;
	struct mctp_ctrl_hdr h;
	uint8_t cc, buf[8];

	(void)state;
	assert_int_equal(mctp_ctrl_set_eid_rsp_decode(set_eid_req, 5, NULL, &srsp), -EBADMSG);
	assert_int_equal(mctp_ctrl_set_eid_req_decode(set_eid_rsp, 7, NULL, &srq), -EBADMSG);
	assert_int_equal(mctp_ctrl_get_eid_rsp_decode(set_eid_rsp, 7, NULL, &ersp), -EBADMSG);
	assert_int_equal(mctp_ctrl_get_msg_types_req_decode(set_eid_req, 3, NULL), -EBADMSG);
	assert_int_equal(mctp_ctrl_get_msg_types_rsp_decode(set_eid_rsp, 7, NULL, &trsp),
			 -EBADMSG);
	assert_int_equal(mctp_ctrl_rsp_decode(set_eid_req, 5, &h, &cc), -EBADMSG);
	/* a CCI message is not a control message at all */
	memcpy(buf, set_eid_rsp, 7);
	buf[0] = MCTP_MSG_CXL_CCI;
	assert_int_equal(mctp_ctrl_set_eid_rsp_decode(buf, 7, NULL, &srsp), -EPROTO);
}

/* Error completion codes: only the code is encoded and decoded. */
static void test_error_completion(void **state)
{
	const uint8_t want[4] = { 0x00, 0x09, 0x06, 0x05 };
	struct mctp_ctrl_set_eid_rsp srsp = { .cc = MCTP_CTRL_CC_INVALID_DATA,
					      .eid = 0x55, .status = 3 };
	struct mctp_ctrl_get_eid_rsp ersp = { .cc = MCTP_CTRL_CC_NOT_READY };
	struct mctp_ctrl_get_uuid_rsp ursp = { .cc = MCTP_CTRL_CC_ERROR };
	struct mctp_ctrl_get_msg_types_rsp trsp = { .cc = MCTP_CTRL_CC_ERROR, .count = 200 };
	struct mctp_ctrl_hdr h;
	uint8_t buf[8], cc = 0xee;

	(void)state;
	/* unsupported command 0x06 (Get Vendor Defined Message Support), IID 9 */
	assert_int_equal(mctp_ctrl_cc_rsp_encode(9, 0x06, MCTP_CTRL_CC_UNSUPPORTED_CMD,
						 buf, sizeof(buf)), 4);
	assert_memory_equal(buf, want, 4);
	assert_int_equal(mctp_ctrl_rsp_decode(want, 4, &h, &cc), 0);
	assert_int_equal(cc, MCTP_CTRL_CC_UNSUPPORTED_CMD);
	assert_int_equal(h.cmd, 0x06);
	assert_int_equal(h.iid, 9);
	assert_int_equal(mctp_ctrl_rsp_decode(want, 3, &h, &cc), -EMSGSIZE);
	assert_int_equal(mctp_ctrl_cc_rsp_encode(9, 0x06, 0, buf, 3), -EMSGSIZE);
	assert_int_equal(mctp_ctrl_cc_rsp_encode(32, 0x06, 0, buf, 4), -EINVAL);

	/* invalid field values are not checked when only cc is sent */
	assert_int_equal(mctp_ctrl_set_eid_rsp_encode(1, &srsp, buf, sizeof(buf)), 4);
	assert_int_equal(buf[3], MCTP_CTRL_CC_INVALID_DATA);
	memset(&srsp, 0xff, sizeof(srsp));
	assert_int_equal(mctp_ctrl_set_eid_rsp_decode(buf, 4, NULL, &srsp), 0);
	assert_int_equal(srsp.cc, MCTP_CTRL_CC_INVALID_DATA);
	assert_int_equal(srsp.eid, 0);
	assert_int_equal(mctp_ctrl_get_eid_rsp_encode(1, &ersp, buf, sizeof(buf)), 4);
	assert_int_equal(mctp_ctrl_get_eid_rsp_decode(buf, 4, NULL, &ersp), 0);
	assert_int_equal(ersp.cc, MCTP_CTRL_CC_NOT_READY);
	assert_int_equal(mctp_ctrl_get_uuid_rsp_encode(1, &ursp, buf, sizeof(buf)), 4);
	assert_int_equal(mctp_ctrl_get_uuid_rsp_decode(buf, 4, NULL, &ursp), 0);
	assert_int_equal(ursp.cc, MCTP_CTRL_CC_ERROR);
	assert_int_equal(mctp_ctrl_get_msg_types_rsp_encode(1, &trsp, buf, sizeof(buf)), 4);
	assert_int_equal(mctp_ctrl_get_msg_types_rsp_decode(buf, 4, NULL, &trsp), 0);
	assert_int_equal(trsp.count, 0);
	/* cc SUCCESS but the data is missing */
	buf[3] = MCTP_CTRL_CC_SUCCESS;
	assert_int_equal(mctp_ctrl_get_msg_types_rsp_decode(buf, 4, NULL, &trsp), -EMSGSIZE);
	buf[2] = MCTP_CTRL_SET_EID;
	assert_int_equal(mctp_ctrl_set_eid_rsp_decode(buf, 4, NULL, &srsp), -EMSGSIZE);
}

static void test_encode_errors(void **state)
{
	struct mctp_ctrl_set_eid_req rq = { .op = 4 };
	struct mctp_ctrl_set_eid_rsp rsp = { .status = 4 };
	struct mctp_ctrl_get_eid_rsp ersp = { .eid_type = 4 };
	struct mctp_ctrl_get_version_req vrq = { 0 };
	uint8_t buf[64];

	(void)state;
	assert_int_equal(mctp_ctrl_set_eid_req_encode(0, &rq, buf, sizeof(buf)), -EINVAL);
	rq.op = 0;
	assert_int_equal(mctp_ctrl_set_eid_req_encode(32, &rq, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mctp_ctrl_set_eid_req_encode(0, &rq, buf, 4), -EMSGSIZE);
	assert_int_equal(mctp_ctrl_set_eid_rsp_encode(0, &rsp, buf, sizeof(buf)), -EINVAL);
	rsp.status = 0;
	rsp.alloc = 4;
	assert_int_equal(mctp_ctrl_set_eid_rsp_encode(0, &rsp, buf, sizeof(buf)), -EINVAL);
	rsp.alloc = 0;
	assert_int_equal(mctp_ctrl_set_eid_rsp_encode(0, &rsp, buf, 6), -EMSGSIZE);
	assert_int_equal(mctp_ctrl_get_eid_rsp_encode(0, &ersp, buf, sizeof(buf)), -EINVAL);
	ersp.eid_type = 0;
	ersp.ep_type = 4;
	assert_int_equal(mctp_ctrl_get_eid_rsp_encode(0, &ersp, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(mctp_ctrl_get_eid_req_encode(0, buf, 2), -EMSGSIZE);
	assert_int_equal(mctp_ctrl_get_version_req_encode(0, &vrq, buf, 3), -EMSGSIZE);
	assert_int_equal(mctp_ctrl_get_msg_types_req_encode(40, buf, sizeof(buf)), -EINVAL);
}

/* A malformed request still yields its header, so the responder can answer it. */
static void test_header_filled_on_error(void **state)
{
	const uint8_t long_get_eid[4] = { 0x00, 0x97, 0x02, 0x00 };
	struct mctp_ctrl_set_eid_req rq;
	struct mctp_ctrl_set_eid_rsp rsp;
	struct mctp_ctrl_hdr h = { 0 };
	uint8_t buf[8];

	(void)state;
	assert_int_equal(mctp_ctrl_get_eid_req_decode(long_get_eid, 4, &h), -EMSGSIZE);
	assert_true(h.rq);
	assert_int_equal(h.iid, 0x17);
	assert_int_equal(h.cmd, MCTP_CTRL_GET_EID);
	assert_int_equal(mctp_ctrl_cc_rsp_encode(h.iid, h.cmd,
						 mctp_ctrl_cc_from_errno(-EMSGSIZE),
						 buf, sizeof(buf)), 4);
	assert_int_equal(buf[1], 0x17);
	assert_int_equal(buf[3], MCTP_CTRL_CC_INVALID_LENGTH);
	memset(&h, 0, sizeof(h));
	assert_int_equal(mctp_ctrl_set_eid_req_decode(long_get_eid, 4, &h, &rq), -EBADMSG);
	assert_int_equal(h.cmd, MCTP_CTRL_GET_EID);
	memset(&h, 0, sizeof(h));
	assert_int_equal(mctp_ctrl_set_eid_rsp_decode(msg_types_rsp, 7, &h, &rsp), -EBADMSG);
	assert_int_equal(h.iid, 5);
	assert_int_equal(h.cmd, MCTP_CTRL_GET_MSG_TYPES);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(mctp_ctrl_cmd_name(MCTP_CTRL_SET_EID), "Set Endpoint ID");
	assert_string_equal(mctp_ctrl_cmd_name(MCTP_CTRL_GET_MSG_TYPES),
			    "Get Message Type Support");
	assert_null(mctp_ctrl_cmd_name(0x00));
	assert_string_equal(mctp_ctrl_cc_name(0x03), "ERROR_INVALID_LENGTH");
	assert_string_equal(mctp_ctrl_cc_name(0x80), "COMMAND_SPECIFIC");
	assert_null(mctp_ctrl_cc_name(0x06));
	assert_int_equal(mctp_ctrl_cc_from_errno(-EMSGSIZE), MCTP_CTRL_CC_INVALID_LENGTH);
	assert_int_equal(mctp_ctrl_cc_from_errno(-EINVAL), MCTP_CTRL_CC_INVALID_DATA);
	assert_int_equal(mctp_ctrl_cc_from_errno(-EBADMSG), MCTP_CTRL_CC_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_round_trip),
		cmocka_unit_test(test_hdr_errors),
		cmocka_unit_test(test_set_eid_req_known_answer),
		cmocka_unit_test(test_set_eid_rsp_known_answer),
		cmocka_unit_test(test_set_eid_fields),
		cmocka_unit_test(test_get_eid),
		cmocka_unit_test(test_get_uuid),
		cmocka_unit_test(test_get_version_known_answer),
		cmocka_unit_test(test_get_version_unsupported_type),
		cmocka_unit_test(test_get_msg_types_known_answer),
		cmocka_unit_test(test_list_limits),
		cmocka_unit_test(test_truncated_and_long),
		cmocka_unit_test(test_count_mismatch),
		cmocka_unit_test(test_wrong_direction_or_command),
		cmocka_unit_test(test_error_completion),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_header_filled_on_error),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
