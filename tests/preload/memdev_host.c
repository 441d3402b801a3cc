/* SPDX-License-Identifier: MIT */
/*
 * A host program written against Linux's CXL memdev UAPI alone (libc and
 * <linux/cxl_mem.h>, nothing of cxl-fmemu): it opens /dev/cxl/memN and
 * sends every memory device command 4000h-4702h with CXL_MEM_SEND_COMMAND,
 * the named command where the kernel has one, raw otherwise (which needs
 * the kernel's debugfs cxl/mbox/raw_allow_all for the security, sanitize,
 * poison, scan media and driver-owned commands), and checks the answers.
 * test_memdev runs it through libcxlfm-mctp-preload.so against cxl-emu
 * with one type-3 device: 256 MiB volatile, 256 MiB persistent, a 1 MiB
 * LSA and its non-volatile state, in phases around restarts of cxl-emu:
 *
 *   memdev_host DEV commands          every command; leaves the LSA pattern
 *                                     and a user passphrase
 *   memdev_host DEV locked N          after an unclean restart: count N + 1,
 *                                     locked, media commands refused
 *   memdev_host DEV unlock            wrong passphrase refused, then unlocked:
 *                                     poison commands work; passphrase removed
 *   memdev_host DEV clean N           after a clean restart: count N, unlocked
 *   memdev_host DEV sanitize          raw Sanitize with its progress (0002h),
 *                                     then Freeze Security State
 *   memdev_host DEV noraw             without raw_allow_all: what is refused
 *   memdev_host DEV hold              opens, says "open", waits for a line on
 *                                     stdin, then expects the device gone
 *
 * Exit 0 when every check held; each failed one is printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/cxl_mem.h>

/* IDs newer than Debian 12's header (Linux v6.11 added them) */
#define ID_GET_TIMESTAMP 21
#define ID_GET_LOG_CAPS 22
#define ID_MAX_NOW 25
#define FLAG_ENABLED 0x1   /* CXL_MEM_COMMAND_FLAG_ENABLED (v6.3+) */
#define FLAG_EXCLUSIVE 0x2 /* CXL_MEM_COMMAND_FLAG_EXCLUSIVE */

/* CXL r3.1 Table 8-34 return codes */
#define RC_BG_STARTED 0x01
#define RC_INVALID_INPUT 0x02
#define RC_UNSUPPORTED 0x03
#define RC_BUSY 0x06
#define RC_MEDIA_DISABLED 0x07
#define RC_INVALID_SECURITY 0x13
#define RC_INCORRECT_PASSPHRASE 0x14
#define RC_INVALID_PAYLOAD_LENGTH 0x16

#define MiB (1024ull * 1024)
#define UNIT (256 * MiB)
#define PMEM_DPA UNIT /* volatile first, then persistent */

static const char lsa_pattern[] = "cxl-fmemu e2e label storage area, kept across restarts";
static const char passphrase[32] = "cxl-fmemu e2e user passphrase";

static int fd = -1, failures;

#define check(cond, ...)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			failures++;                                             \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);  \
			printf(__VA_ARGS__);                                    \
			printf("\n");                                           \
		}                                                               \
	} while (0)

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

/*
 * One CXL_MEM_SEND_COMMAND: id (a named one, or RAW with opcode). Returns
 * the ioctl's -errno or the device's return code; *out_len (may be NULL)
 * gets out.size.
 */
static int send_cmd(uint32_t id, uint16_t opcode, const void *in, uint32_t in_len, void *out,
		    uint32_t out_max, uint32_t *out_len)
{
	struct cxl_send_command c = {
		.id = id,
		.in = { .size = in_len, .payload = (uint64_t)(uintptr_t)in },
		.out = { .size = out_max, .payload = (uint64_t)(uintptr_t)out },
	};

	if (id == CXL_MEM_COMMAND_ID_RAW)
		c.raw.opcode = opcode;
	if (ioctl(fd, CXL_MEM_SEND_COMMAND, &c) < 0)
		return -errno;
	if (out_len)
		*out_len = c.out.size;
	return (int)c.retval;
}

static int raw(uint16_t op, const void *in, uint32_t in_len, void *out, uint32_t out_max,
	       uint32_t *out_len)
{
	return send_cmd(CXL_MEM_COMMAND_ID_RAW, op, in, in_len, out, out_max, out_len);
}

/* Background Operation Status (0002h): running, percent, opcode, rc. */
static void bg_status(int *running, int *pct, uint16_t *op, uint16_t *rc)
{
	uint8_t o[8];
	uint32_t n = 0;

	check(raw(0x0002, NULL, 0, o, sizeof(o), &n) == 0 && n == 8, "0002h");
	*running = o[0] & 1;
	*pct = o[0] >> 1;
	*op = get16(o + 2);
	*rc = get16(o + 4);
}

/* Wait until no background operation runs (polling 0002h); its return code. */
static uint16_t bg_wait(uint16_t opcode)
{
	int running = 1, pct, last = 0;
	uint16_t op = 0, rc = 0;

	for (int i = 0; running && i < 6000; i++) {
		bg_status(&running, &pct, &op, &rc);
		check(op == opcode, "bg opcode 0x%04x, want 0x%04x", op, opcode);
		check(pct >= last && pct <= 100, "progress %d after %d", pct, last);
		last = pct;
		if (running)
			nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000000 }, NULL);
	}
	check(!running && pct == 100, "still running at %d%%", pct);
	return rc;
}

static void open_dev(const char *dev)
{
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("FAIL: open %s: %s\n", dev, strerror(errno));
		exit(2);
	}
}

/* ---- the commands ---- */

static void check_query(void)
{
	struct cxl_mem_query_commands *q;
	uint32_t n;

	q = calloc(1, sizeof(*q) + ID_MAX_NOW * sizeof(q->commands[0]));
	check(ioctl(fd, CXL_MEM_QUERY_COMMANDS, q) == 0, "count: %s", strerror(errno));
	n = q->n_commands;
	check(n == ID_MAX_NOW, "%u commands", n);
	q->n_commands = ID_MAX_NOW;
	check(ioctl(fd, CXL_MEM_QUERY_COMMANDS, q) == 0, "query: %s", strerror(errno));
	for (uint32_t i = 0; i < ID_MAX_NOW; i++) {
		const struct cxl_command_info *c = &q->commands[i];
		int deprecated = i == 15 || i == 16 || i == 17 || i == 19 || i == 20;

		check(c->id == (i && !deprecated ? i : 0), "entry %u has id %u", i, c->id);
		if (i == CXL_MEM_COMMAND_ID_RAW)
			check(c->flags == 0 && c->size_in == ~0u && c->size_out == ~0u,
			      "raw %x %x %x", c->flags, c->size_in, c->size_out);
		else if (i == CXL_MEM_COMMAND_ID_SET_LSA || i == CXL_MEM_COMMAND_ID_SET_SHUTDOWN_STATE)
			check(c->flags == (FLAG_ENABLED | FLAG_EXCLUSIVE), "%u flags %x", i,
			      c->flags);
		else if (i && !deprecated)
			check(c->flags == FLAG_ENABLED, "%u flags %x", i, c->flags);
	}
	check(q->commands[CXL_MEM_COMMAND_ID_IDENTIFY].size_out == 0x43, "identify");
	check(q->commands[CXL_MEM_COMMAND_ID_GET_LSA].size_in == 8, "get lsa");
	free(q);
}

static void check_identify(void)
{
	uint8_t o[128];
	uint32_t n = 0;

	memset(o, 0xee, sizeof(o));
	check(send_cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, NULL, 0, o, sizeof(o), &n) == 0, "4000h");
	check(n == 0x45, "identify: %u bytes", n);
	check(!memcmp(o, "BWFW VERSION 00", 15), "firmware revision %.16s", (char *)o);
	check(get64(o + 0x10) == 2, "total capacity %llu", (unsigned long long)get64(o + 0x10));
	check(get64(o + 0x18) == 1 && get64(o + 0x20) == 0 && get64(o + 0x28) == 1,
	      "volatile-only, persistent-only, alignment");
	check(get32(o + 0x38) == MiB, "LSA size %u", get32(o + 0x38));
	check(o[0x45] == 0xee, "written past its length");
	/* the kernel's fixed size: 0x43 bytes, the device's answer cut */
	check(send_cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, NULL, 0, o, 0x43, &n) == 0 && n == 0x43,
	      "identify 0x43: %u", n);
}

static void check_partition(void)
{
	uint8_t o[32], in[10] = { 0 };
	uint32_t n = 0;

	check(send_cmd(CXL_MEM_COMMAND_ID_GET_PARTITION_INFO, 0, NULL, 0, o, 32, &n) == 0 &&
	      n == 32, "4100h");
	check(get64(o) == 1 && get64(o + 8) == 1 && get64(o + 16) == 0 && get64(o + 24) == 0,
	      "active %llu/%llu next %llu/%llu", (unsigned long long)get64(o),
	      (unsigned long long)get64(o + 8), (unsigned long long)get64(o + 16),
	      (unsigned long long)get64(o + 24));
	/* Linux's named command sends 0x0a bytes; the spec's payload is 9 */
	put64(in, 1);
	check(send_cmd(CXL_MEM_COMMAND_ID_SET_PARTITION_INFO, 0, in, 10, NULL, 0, NULL) ==
	      RC_INVALID_PAYLOAD_LENGTH, "named 4101h");
	/* raw: the next partition all volatile (256 MiB units), then all persistent again */
	put64(in, 1);
	check(raw(0x4101, in, 9, NULL, 0, NULL) == 0, "4101h");
	check(send_cmd(CXL_MEM_COMMAND_ID_GET_PARTITION_INFO, 0, NULL, 0, o, 32, NULL) == 0 &&
	      get64(o + 16) == 2 && get64(o + 24) == 0, "next 2/0");
	put64(in, 0);
	check(raw(0x4101, in, 9, NULL, 0, NULL) == 0, "4101h back");
	check(send_cmd(CXL_MEM_COMMAND_ID_GET_PARTITION_INFO, 0, NULL, 0, o, 32, NULL) == 0 &&
	      get64(o + 16) == 1 && get64(o + 24) == 1, "next 1/1");
}

static void read_lsa(uint32_t off, uint8_t *buf, uint32_t len)
{
	uint8_t in[8];
	uint32_t n = 0;

	put32(in, off);
	put32(in + 4, len);
	check(send_cmd(CXL_MEM_COMMAND_ID_GET_LSA, 0, in, 8, buf, len, &n) == 0 && n == len,
	      "4102h at %u: %u bytes", off, n);
}

static void check_lsa(void)
{
	uint8_t in[8 + sizeof(lsa_pattern)] = { 0 }, buf[sizeof(lsa_pattern)];

	put32(in, 4096);
	memcpy(in + 8, lsa_pattern, sizeof(lsa_pattern));
	/* cxl_pmem owns the LSA: the named command is the kernel's */
	check(send_cmd(CXL_MEM_COMMAND_ID_SET_LSA, 0, in, sizeof(in), NULL, 0, NULL) == -EBUSY,
	      "named 4103h");
	check(raw(0x4103, in, sizeof(in), NULL, 0, NULL) == 0, "4103h");
	read_lsa(4096, buf, sizeof(buf));
	check(!memcmp(buf, lsa_pattern, sizeof(buf)), "LSA reads back");
	put32(in, MiB - 4);
	check(raw(0x4103, in, sizeof(in), NULL, 0, NULL) == RC_INVALID_INPUT, "past the LSA");
}

static void check_health(void)
{
	uint8_t o[18], in[12] = { 0 }, a[16];

	check(send_cmd(CXL_MEM_COMMAND_ID_GET_HEALTH_INFO, 0, NULL, 0, o, 18, NULL) == 0, "4200h");
	check(get16(o + 4) == 22, "temperature %u", get16(o + 4));
	check(send_cmd(CXL_MEM_COMMAND_ID_GET_ALERT_CONFIG, 0, NULL, 0, a, 16, NULL) == 0, "4201h");
	/* enable the life used warning at 50 % */
	in[0] = 0x01;
	in[1] = 0x01;
	in[2] = 50;
	check(send_cmd(CXL_MEM_COMMAND_ID_SET_ALERT_CONFIG, 0, in, 12, NULL, 0, NULL) == 0, "4202h");
	check(send_cmd(CXL_MEM_COMMAND_ID_GET_ALERT_CONFIG, 0, NULL, 0, a, 16, NULL) == 0 &&
	      (a[0] & 0x01) && a[3] == 50, "alert: valid %x, life used %u", a[0], a[3]);
	/* the host armed dirty shutdown tracking when it bound the device */
	check(send_cmd(CXL_MEM_COMMAND_ID_GET_SHUTDOWN_STATE, 0, NULL, 0, o, 1, NULL) == 0 &&
	      o[0] == 1, "4203h: %u", o[0]);
	o[0] = 1;
	check(send_cmd(CXL_MEM_COMMAND_ID_SET_SHUTDOWN_STATE, 0, o, 1, NULL, 0, NULL) == -EBUSY,
	      "named 4204h: the kernel's");
	check(raw(0x4204, o, 1, NULL, 0, NULL) == 0, "4204h");
}

static uint32_t dirty_count(void)
{
	uint8_t o[18];

	check(send_cmd(CXL_MEM_COMMAND_ID_GET_HEALTH_INFO, 0, NULL, 0, o, 18, NULL) == 0, "4200h");
	return get32(o + 6);
}

static uint16_t poison_count(uint64_t dpa)
{
	uint8_t in[16], o[2048];
	uint32_t n = 0;

	put64(in, dpa);
	put64(in + 8, 1);
	check(raw(0x4300, in, 16, o, sizeof(o), &n) == 0 && n >= 32, "4300h");
	return get16(o + 0x0a);
}

static void check_poison(void)
{
	uint8_t in[72] = { 0 }, o[64];
	uint16_t rc;

	check(poison_count(PMEM_DPA) == 0, "no poison yet");
	put64(in, PMEM_DPA + 0x1000);
	check(raw(0x4301, in, 8, NULL, 0, NULL) == 0, "4301h");
	check(poison_count(PMEM_DPA + 0x1000) == 1, "injected");
	put64(in, PMEM_DPA + 0x1000);
	check(raw(0x4302, in, 72, NULL, 0, NULL) == 0, "4302h");
	check(poison_count(PMEM_DPA + 0x1000) == 0, "cleared");
	/* the scan media commands */
	put64(in, 0);
	put64(in + 8, 2 * UNIT / 64);
	check(send_cmd(CXL_MEM_COMMAND_ID_GET_SCAN_MEDIA_CAPS, 0, in, 16, o, 4, NULL) == 0,
	      "4303h");
	put64(in, PMEM_DPA + 0x2000);
	check(raw(0x4301, in, 8, NULL, 0, NULL) == 0, "4301h");
	put64(in, PMEM_DPA);
	put64(in + 8, MiB / 64);
	in[16] = 0;
	/* a background operation the kernel does not wait for: ETIMEDOUT, it runs on */
	check(raw(0x4304, in, 17, NULL, 0, NULL) == -ETIMEDOUT, "4304h");
	rc = bg_wait(0x4304);
	check(rc == 0, "scan media rc 0x%x", rc);
	check(raw(0x4305, NULL, 0, o, sizeof(o), NULL) == 0 && get16(o + 0x12) == 1 &&
	      (get64(o + 0x20) & ~0x3full) == PMEM_DPA + 0x2000, "4305h: %u records", get16(o + 0x12));
	put64(in, PMEM_DPA + 0x2000);
	memset(in + 8, 0, 64);
	check(raw(0x4302, in, 72, NULL, 0, NULL) == 0, "4302h");
}

static void check_media_ops(void)
{
	uint8_t in[16] = { 0 }, o[64];
	uint32_t n = 0;

	/* class 0 subclass 0: discovery of the operations */
	put16(in + 8, 0);
	put16(in + 10, 8);
	check(raw(0x4402, in, 12, o, sizeof(o), &n) == 0 && n >= 12, "4402h discovery");
	check(get16(o + 8) == 2 && get16(o + 10) == 2, "%u operations", get16(o + 8));
	/* no range: nothing to do */
	in[0] = 1;
	check(raw(0x4402, in, 8, NULL, 0, NULL) == 0, "4402h zero, no range");
}

static void check_security(void)
{
	uint8_t in[96] = { 0 }, o[264];
	uint32_t n = 0;

	check(raw(0x4500, NULL, 0, o, 4, &n) == 0 && n == 4 && get32(o) == 0, "4500h");
	in[0] = 1; /* user */
	memcpy(in + 0x40, passphrase, 32);
	check(raw(0x4501, in, 96, NULL, 0, NULL) == 0, "4501h");
	check(raw(0x4500, NULL, 0, o, 4, NULL) == 0 && get32(o) == 0x01, "user passphrase set");
	/* secure erase needs the device unlocked; passphrase secure erase the passphrase */
	check(raw(0x4401, NULL, 0, NULL, 0, NULL) == 0, "4401h");
	memset(in, 0, sizeof(in));
	in[0] = 1;
	memcpy(in + 0x20, "not the passphrase", 18);
	check(raw(0x4505, in, 64, NULL, 0, NULL) == RC_INCORRECT_PASSPHRASE, "4505h wrong");
	memcpy(in + 0x20, passphrase, 32);
	check(raw(0x4505, in, 64, NULL, 0, NULL) == 0, "4505h");
	check(raw(0x4500, NULL, 0, o, 4, NULL) == 0 && get32(o) == 0, "erased: no passphrase");
	/* disable: set again, then give it */
	memset(in, 0, sizeof(in));
	in[0] = 1;
	memcpy(in + 0x40, passphrase, 32);
	check(raw(0x4501, in, 96, NULL, 0, NULL) == 0, "4501h again");
	memset(in, 0, sizeof(in));
	in[0] = 1;
	memcpy(in + 0x20, passphrase, 32);
	check(raw(0x4502, in, 64, NULL, 0, NULL) == 0, "4502h");
	check(raw(0x4500, NULL, 0, o, 4, NULL) == 0 && get32(o) == 0, "disabled");
	/* unlock of an unlocked device */
	check(raw(0x4503, passphrase, 32, NULL, 0, NULL) == RC_INVALID_SECURITY, "4503h");
	/* the security passthrough: protocol 0 lists what it speaks */
	memset(in, 0, sizeof(in));
	check(raw(0x4601, in, 8, o, sizeof(o), &n) == 0 && n == sizeof(o) && o[7] == 1 &&
	      o[8] == 0, "4601h: %u bytes", n);
	check(raw(0x4600, in, 8, NULL, 0, NULL) == RC_INVALID_INPUT, "4600h");
}

static void check_qos(void)
{
	uint8_t o[4], in[4];

	check(raw(0x4700, NULL, 0, o, 4, NULL) == 0, "4700h");
	memcpy(in, o, 4);
	in[1] = 20;
	check(raw(0x4701, in, 4, NULL, 0, NULL) == 0, "4701h");
	check(raw(0x4700, NULL, 0, o, 4, NULL) == 0 && o[1] == 20, "moderate %u", o[1]);
	check(raw(0x4702, NULL, 0, o, 1, NULL) == 0, "4702h");
}

static void set_passphrase(void)
{
	uint8_t in[96] = { 0 }, lsa[sizeof(lsa_pattern) + 8] = { 0 };

	/* what the restarts look for: the LSA's pattern, a user passphrase */
	put32(lsa, 0);
	memcpy(lsa + 8, lsa_pattern, sizeof(lsa_pattern));
	check(raw(0x4103, lsa, sizeof(lsa), NULL, 0, NULL) == 0, "4103h");
	in[0] = 1;
	memcpy(in + 0x40, passphrase, 32);
	check(raw(0x4501, in, 96, NULL, 0, NULL) == 0, "4501h");
}

static void phase_commands(void)
{
	uint8_t o[8];

	check_query();
	check_identify();
	check_partition();
	check_lsa();
	check_health();
	check_poison();
	check_media_ops();
	check_security();
	check_qos();
	/* generic commands the kernel names */
	check(send_cmd(ID_GET_TIMESTAMP, 0, NULL, 0, o, 8, NULL) == 0, "0300h");
	/* no dynamic capacity here */
	check(raw(0x4800, (uint8_t[2]){ 0, 0 }, 2, o, 8, NULL) == RC_UNSUPPORTED, "4800h");
	set_passphrase();
}

static void check_lsa_pattern(void)
{
	uint8_t buf[sizeof(lsa_pattern)];

	read_lsa(0, buf, sizeof(buf));
	check(!memcmp(buf, lsa_pattern, sizeof(buf)), "the LSA kept its pattern");
}

static void phase_locked(uint32_t before)
{
	uint8_t o[4], in[8];

	check(dirty_count() == before + 1, "dirty count %u after %u", dirty_count(), before);
	check(raw(0x4500, NULL, 0, o, 4, NULL) == 0 && get32(o) == (0x01 | 0x04),
	      "locked: state %x", get32(o));
	check_lsa_pattern(); /* labels are readable locked */
	/* media access refused while locked */
	put64(in, PMEM_DPA + 0x1000);
	check(raw(0x4301, in, 8, NULL, 0, NULL) == RC_INVALID_SECURITY, "4301h locked");
	check(raw(0x4503, "not the passphrase", 18, NULL, 0, NULL) == RC_INVALID_PAYLOAD_LENGTH,
	      "short");
	check(raw(0x4503, "not the passphrase..............", 32, NULL, 0, NULL) ==
	      RC_INCORRECT_PASSPHRASE, "4503h wrong");
	check(raw(0x4500, NULL, 0, o, 4, NULL) == 0 && (get32(o) & 0x04), "still locked");
}

static void phase_unlock(void)
{
	uint8_t o[4], in[64] = { 0 }, clr[72] = { 0 };

	check(raw(0x4503, passphrase, 32, NULL, 0, NULL) == 0, "4503h");
	check(raw(0x4500, NULL, 0, o, 4, NULL) == 0 && get32(o) == 0x01, "unlocked: %x",
	      get32(o));
	put64(in, PMEM_DPA + 0x1000);
	check(raw(0x4301, in, 8, NULL, 0, NULL) == 0, "4301h unlocked");
	check(poison_count(PMEM_DPA + 0x1000) == 1, "injected");
	put64(clr, PMEM_DPA + 0x1000);
	check(raw(0x4302, clr, 71, NULL, 0, NULL) == RC_INVALID_PAYLOAD_LENGTH, "4302h short");
	check(raw(0x4302, clr, 72, NULL, 0, NULL) == 0, "4302h");
	check(poison_count(PMEM_DPA + 0x1000) == 0, "cleared");
	memset(in, 0, sizeof(in));
	in[0] = 1;
	memcpy(in + 0x20, passphrase, 32);
	check(raw(0x4502, in, 64, NULL, 0, NULL) == 0, "4502h");
}

static void phase_clean(uint32_t count)
{
	uint8_t o[4];

	check(dirty_count() == count, "dirty count %u, want %u", dirty_count(), count);
	check(raw(0x4500, NULL, 0, o, 4, NULL) == 0 && get32(o) == 0, "state %x", get32(o));
	check_lsa_pattern();
}

/* Freeze Security State (4504h): no passphrase change until the next power-on. */
static void freeze(void)
{
	uint8_t o[4], in[96] = { 1 };

	check(raw(0x4504, NULL, 0, NULL, 0, NULL) == 0, "4504h");
	check(raw(0x4500, NULL, 0, o, 4, NULL) == 0 && get32(o) == 0x08, "frozen: %x", get32(o));
	memcpy(in + 0x40, passphrase, 32);
	check(raw(0x4501, in, 96, NULL, 0, NULL) == RC_INVALID_SECURITY, "4501h frozen");
	check(raw(0x4504, NULL, 0, NULL, 0, NULL) == 0, "4504h again: still frozen");
}

static void phase_sanitize(void)
{
	int running = 0, pct = 0, seen = 0, last = 0;
	uint16_t op = 0, rc = 0;
	uint32_t n = 99;
	uint8_t buf[8];

	check(raw(0x4400, NULL, 0, buf, 8, &n) == RC_BG_STARTED && n == 0, "4400h: %u", n);
	/* again while it runs */
	check(raw(0x4400, NULL, 0, NULL, 0, NULL) == RC_BUSY, "4400h busy");
	for (int i = 0; i < 6000; i++) {
		bg_status(&running, &pct, &op, &rc);
		check(op == 0x4400 && pct >= last, "op %x pct %d", op, pct);
		last = pct;
		if (!running)
			break;
		if (!seen++) /* the media is disabled meanwhile */
			check(raw(0x4300, (uint8_t[16]){ 0, 0, 0, 0x10, 0, 0, 0, 0, 1 }, 16, buf, 8,
				  NULL) == RC_MEDIA_DISABLED, "4300h during sanitize");
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000000 }, NULL);
	}
	check(seen > 0, "never saw it running");
	check(!running && pct == 100 && rc == 0, "done: %d %d %x", running, pct, rc);
	printf("progress seen %d times\n", seen);
	freeze();
}

/* Without raw_allow_all: what Linux refuses by default. */
static void phase_noraw(void)
{
	static const uint16_t refused[] = {
		0x0202, 0x4101, 0x4103, 0x4204, 0x4300, 0x4301, 0x4302, 0x4304, 0x4305,
		0x4400, 0x4401, 0x4402, 0x4500, 0x4501, 0x4502, 0x4503, 0x4504, 0x4505,
		0x4600, 0x4601,
	};
	uint8_t o[64];

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		check(raw(refused[i], NULL, 0, NULL, 0, NULL) == -EPERM, "raw 0x%04x", refused[i]);
	check(raw(0x4700, NULL, 0, o, 4, NULL) == 0, "raw 4700h allowed");
	check(raw(0x0002, NULL, 0, o, 8, NULL) == 0, "raw 0002h allowed");
	check(send_cmd(ID_GET_LOG_CAPS, 0, (uint8_t[16]){ 0x0d, 0xa9, 0xc0, 0xb5, 0xbf, 0x41,
		       0x4b, 0x78, 0x8f, 0x79, 0x96, 0xb1, 0x62, 0x3b, 0x3f, 0x17 }, 16, o, 4,
		       NULL) == 0, "0402h named");
}

/* Open, then the device goes away under the open fd. */
static void phase_hold(const char *dev)
{
	char line[16];
	uint8_t o[128];

	check(send_cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, NULL, 0, o, sizeof(o), NULL) == 0, "4000h");
	printf("open\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		check(0, "no line on stdin");
	check(send_cmd(CXL_MEM_COMMAND_ID_IDENTIFY, 0, NULL, 0, o, sizeof(o), NULL) == -ENXIO,
	      "identify on a gone device");
	check(ioctl(fd, _IO(0xce, 9)) < 0 && errno == ENXIO, "any ioctl: %s", strerror(errno));
	check(open(dev, O_RDWR) < 0 && errno == ENXIO, "open again: %s", strerror(errno));
	check(close(fd) == 0, "close");
	fd = -1;
}

int main(int argc, char **argv)
{
	const char *phase = argc > 2 ? argv[2] : "";
	uint32_t n = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 0) : 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s /dev/cxl/memN PHASE [N]\n", argv[0]);
		return 2;
	}
	open_dev(argv[1]);
	if (!strcmp(phase, "commands"))
		phase_commands();
	else if (!strcmp(phase, "locked"))
		phase_locked(n);
	else if (!strcmp(phase, "unlock"))
		phase_unlock();
	else if (!strcmp(phase, "clean"))
		phase_clean(n);
	else if (!strcmp(phase, "sanitize"))
		phase_sanitize();
	else if (!strcmp(phase, "noraw"))
		phase_noraw();
	else if (!strcmp(phase, "hold"))
		phase_hold(argv[1]);
	else
		return 2;
	if (fd >= 0)
		close(fd);
	printf("%s: %d failure(s)\n", phase, failures);
	return failures ? 1 : 0;
}
