/* SPDX-License-Identifier: MIT */
/*
 * An FM client written against the kernel's AF_MCTP API only (no libcxlfm),
 * talking the way libcxlmi does (src/cxlmi/cxlmi.c): one socket per message
 * type, sendto() with MCTP_TAG_OWNER, poll() with a 2 s timeout, recvfrom()
 * into a buffer of the expected size, CCI headers and tags of its own.
 * Run under LD_PRELOAD=libcxlfm-mctp-preload.so against cxl-emu's RFC
 * target topology (tests/preload/test_preload.c):
 *
 *   mctp_client SWITCH_EID DCD_EID [NET]
 *
 * Identify both endpoints, Get Physical Port State, a tunnelled Identify
 * through switch port 0, and a DC add / list / release through the FM API
 * of the DCD endpoint. Exit 0: all good; 1: a check failed; 3: socket()
 * failed (errno printed).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mctp_uapi.h"

#define MSG_FMAPI 0x07
#define MSG_CCI 0x08
#define TIMEOUT_MS 2000
#define MiB (1024ull * 1024)

static unsigned net;
static int sd_cci, sd_fmapi;
static uint8_t next_tag;
static int failures;

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "mctp_client:%d: %s: ", __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                     \
			fprintf(stderr, "\n");                            \
			failures++;                                       \
			return -1;                                        \
		}                                                         \
	} while (0)

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

/* CXL r3.1 §7.6.3 CCI message header (12 bytes) */
static size_t cci_req(uint8_t *buf, uint8_t tag, uint16_t opcode, const void *pl, size_t len)
{
	memset(buf, 0, 12);
	buf[0] = 0; /* request */
	buf[1] = tag;
	buf[3] = (uint8_t)opcode;
	buf[4] = (uint8_t)(opcode >> 8);
	buf[5] = (uint8_t)len;
	buf[6] = (uint8_t)(len >> 8);
	buf[7] = (uint8_t)((len >> 16) & 0x0f);
	put16(buf + 10, 0xabcd); /* as libcxlmi: meaningless */
	if (len)
		memcpy(buf + 12, pl, len);
	return 12 + len;
}

/*
 * One exchange as libcxlmi's send_mctp_direct(): returns the CXL return
 * code (>= 0) with the payload in out, or -1.
 */
static int xfer(uint8_t eid, uint8_t type, uint16_t opcode, const void *in, size_t in_len,
		uint8_t *out, size_t out_max, size_t *out_len)
{
	static uint8_t req[12 + 1024], rsp[12 + 1024];
	struct sockaddr_mctp addr = { 0 }, src = { 0 };
	socklen_t slen = sizeof(src);
	int sd = type == MSG_FMAPI ? sd_fmapi : sd_cci;
	struct pollfd pfd = { .fd = sd, .events = POLLIN };
	uint8_t tag = next_tag++;
	size_t len = cci_req(req, tag, opcode, in, in_len);
	ssize_t n;
	int rc;

	addr.smctp_family = AF_MCTP;
	addr.smctp_network = net;
	addr.smctp_addr.s_addr = eid;
	addr.smctp_type = type;
	addr.smctp_tag = MCTP_TAG_OWNER;
	n = sendto(sd, req, len, 0, (struct sockaddr *)&addr, sizeof(addr));
	CHECK(n == (ssize_t)len, "sendto %04x to EID %u: %zd (%s)", opcode, eid, n, strerror(errno));
	do
		rc = poll(&pfd, 1, TIMEOUT_MS);
	while (rc < 0 && errno == EINTR);
	CHECK(rc == 1 && (pfd.revents & POLLIN), "poll %04x: %d (%s)", opcode, rc,
	      rc ? strerror(errno) : "timed out");
	n = recvfrom(sd, rsp, sizeof(rsp), 0, (struct sockaddr *)&src, &slen);
	CHECK(n >= 12, "recvfrom %04x: %zd (%s)", opcode, n, strerror(errno));
	CHECK(slen == sizeof(src) && src.smctp_family == AF_MCTP && src.smctp_addr.s_addr == eid &&
	      src.smctp_type == type && !(src.smctp_tag & MCTP_TAG_OWNER) && src.smctp_network == 1,
	      "source address: len %u family %u net %u eid %u type %u tag %u", (unsigned)slen,
	      src.smctp_family, src.smctp_network, src.smctp_addr.s_addr, src.smctp_type,
	      src.smctp_tag);
	CHECK(rsp[0] == 1 && rsp[1] == tag && le16(rsp + 3) == opcode,
	      "not the response: category %u tag %u/%u opcode %04x/%04x", rsp[0], rsp[1], tag,
	      le16(rsp + 3), opcode);
	CHECK((le32(rsp + 5) & 0xfffff) == (size_t)n - 12, "payload length %u, message %zd",
	      le32(rsp + 5) & 0xfffff, n);
	CHECK((size_t)n - 12 <= out_max, "%zd-byte payload", n - 12);
	memcpy(out, rsp + 12, (size_t)n - 12);
	*out_len = (size_t)n - 12;
	return le16(rsp + 8);
}

#define XFER_OK(...)                                                      \
	do {                                                              \
		int rc_ = xfer(__VA_ARGS__);                              \
		if (rc_ < 0)                                              \
			return -1;                                        \
		CHECK(rc_ == 0, "return code %d", rc_);                   \
	} while (0)

static int identify(uint8_t sw, uint8_t dcd)
{
	uint8_t out[64];
	size_t n;

	XFER_OK(sw, MSG_CCI, 0x0001, NULL, 0, out, sizeof(out), &n);
	CHECK(n == 18 && out[17] == 0x00 && le64(out + 8) == 1234,
	      "switch Identify: %zu bytes, component type %u, sn %llu", n, out[17],
	      (unsigned long long)le64(out + 8));
	XFER_OK(dcd, MSG_CCI, 0x0001, NULL, 0, out, sizeof(out), &n);
	CHECK(n == 18 && out[17] == 0x03 && le64(out + 8) == 99,
	      "DCD Identify: %zu bytes, component type %u, sn %llu", n, out[17],
	      (unsigned long long)le64(out + 8));
	printf("ok: Identify (0001h) switch and DCD\n");
	return 0;
}

static int port_state(uint8_t sw)
{
	uint8_t in[4] = { 3, 0, 1, 3 }, out[256];
	size_t n;

	XFER_OK(sw, MSG_FMAPI, 0x5101, in, sizeof(in), out, sizeof(out), &n);
	CHECK(n == 4 + 3 * 16 && out[0] == 3, "%zu bytes, %u ports", n, out[0]);
	CHECK(out[4] == 0 && out[5] == 3 && out[8] == 4, "port 0: id %u state %u connected %u",
	      out[4], out[5], out[8]);
	CHECK(out[20] == 1 && out[24] == 0 && out[36] == 3, "ports 1 and 3");
	printf("ok: Get Physical Port State (5101h)\n");
	return 0;
}

/* Tunnel Management Command (5300h) to port 0: an Identify inside. */
static int tunnel(uint8_t sw)
{
	uint8_t in[4 + 12], out[256];
	uint8_t inner_tag = next_tag++;
	size_t n;

	in[0] = 0; /* port 0 */
	in[1] = 0; /* target type: port or LD */
	put16(in + 2, 12);
	cci_req(in + 4, inner_tag, 0x0001, NULL, 0);
	XFER_OK(sw, MSG_FMAPI, 0x5300, in, sizeof(in), out, sizeof(out), &n);
	CHECK(n >= 4 && le16(out) == n - 4, "tunnel response: %zu bytes, length %u", n, le16(out));
	CHECK(out[4] == 1 && out[5] == inner_tag && le16(out + 7) == 0x0001 && le16(out + 12) == 0,
	      "inner response: category %u tag %u opcode %04x rc %u", out[4], out[5],
	      le16(out + 7), le16(out + 12));
	CHECK((le32(out + 9) & 0xfffff) == 18 && le64(out + 16 + 8) == 99 && out[16 + 17] == 3,
	      "tunnelled Identify: the DCD behind port 0 (sn %llu)",
	      (unsigned long long)le64(out + 16 + 8));
	printf("ok: Tunnel Management Command (5300h) -> Identify at port 0\n");
	return 0;
}

/* Accepted extents (5603h); the first one's start and length. */
static int extents(uint8_t dcd, uint32_t *total, uint64_t *dpa, uint64_t *len)
{
	uint8_t in[12] = { 0 }, out[512];
	size_t n;

	put32(in + 4, 8);
	XFER_OK(dcd, MSG_FMAPI, 0x5603, in, sizeof(in), out, sizeof(out), &n);
	CHECK(n >= 24, "%zu bytes", n);
	*total = le32(out + 12);
	if (le32(out + 8) && n >= 24 + 16) {
		*dpa = le64(out + 24);
		*len = le64(out + 32);
	}
	return 0;
}

static int wait_extents(uint8_t dcd, uint32_t want, uint64_t *dpa, uint64_t *len)
{
	uint32_t total = ~0u;

	for (int i = 0; i < 400; i++) {
		if (extents(dcd, &total, dpa, len))
			return -1;
		if (total == want)
			return 0;
		usleep(5000);
	}
	CHECK(total == want, "%u extents, want %u", total, want);
	return 0;
}

static int dc_cycle(uint8_t dcd)
{
	uint8_t in[72], out[256];
	uint64_t base, dpa, got_dpa = 0, got_len = 0;
	size_t n;

	memset(in, 0, sizeof(in)); /* Get Host DC Region Configuration: region 0 */
	in[2] = 1;
	XFER_OK(dcd, MSG_FMAPI, 0x5601, in, 4, out, sizeof(out), &n);
	CHECK(n >= 4 + 8, "%zu bytes", n);
	base = le64(out + 4);
	dpa = base + 256 * MiB;

	memset(in, 0, sizeof(in)); /* Initiate Dynamic Capacity Add, prescriptive */
	in[2] = 2;
	put64(in + 4, 128 * MiB);
	put32(in + 28, 1);
	put64(in + 32, dpa);
	put64(in + 40, 128 * MiB);
	XFER_OK(dcd, MSG_FMAPI, 0x5604, in, sizeof(in), out, sizeof(out), &n);
	if (wait_extents(dcd, 1, &got_dpa, &got_len))
		return -1;
	CHECK(got_dpa == dpa && got_len == 128 * MiB, "extent %llx+%llx",
	      (unsigned long long)got_dpa, (unsigned long long)got_len);
	printf("ok: Initiate DC Add (5604h), listed (5603h)\n");

	in[2] = 1; /* Initiate Dynamic Capacity Release, prescriptive */
	XFER_OK(dcd, MSG_FMAPI, 0x5605, in, sizeof(in), out, sizeof(out), &n);
	if (wait_extents(dcd, 0, &got_dpa, &got_len))
		return -1;
	printf("ok: Initiate DC Release (5605h), list empty\n");
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long sw, dcd;

	if (argc < 3) {
		fprintf(stderr, "usage: %s SWITCH_EID DCD_EID [NET]\n", argv[0]);
		return 2;
	}
	sw = strtoul(argv[1], NULL, 0);
	dcd = strtoul(argv[2], NULL, 0);
	net = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : 1;
	srand((unsigned)time(NULL));
	next_tag = (uint8_t)rand();
	sd_cci = socket(AF_MCTP, SOCK_DGRAM, 0);
	if (sd_cci < 0) {
		fprintf(stderr, "mctp_client: socket(AF_MCTP): %s\n", strerror(errno));
		return 3;
	}
	sd_fmapi = socket(AF_MCTP, SOCK_DGRAM, 0);
	if (sd_fmapi < 0) {
		fprintf(stderr, "mctp_client: socket(AF_MCTP): %s\n", strerror(errno));
		return 3;
	}
	if (identify((uint8_t)sw, (uint8_t)dcd) == 0 && port_state((uint8_t)sw) == 0 &&
	    tunnel((uint8_t)sw) == 0)
		dc_cycle((uint8_t)dcd);
	close(sd_cci);
	close(sd_fmapi);
	return failures ? 1 : 0;
}
