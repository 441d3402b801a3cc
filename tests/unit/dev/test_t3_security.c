/* SPDX-License-Identifier: MIT */
/*
 * Type-3 persistent memory data-at-rest security (4500h-4505h), security
 * passthrough (4600h/4601h) and SLD QoS (4700h-4702h) through the device's
 * CCIs. The device: 256 MiB volatile at DPA 0, 256 MiB persistent at
 * 0x10000000, memory and non-volatile state the test keeps across "restarts"
 * (a device destroyed and created again on them).
 */
#include <errno.h>

#include "dev/t3_nv.h"
#include "t3_fixture.h"

#define PBASE VMEM
#define STATIC (2 * VMEM)

enum { MASTER = 0, USER = 1 };
#define ST_USER 0x01u
#define ST_MASTER 0x02u
#define ST_LOCKED 0x04u
#define ST_FROZEN 0x08u
#define ST_USER_LIMIT 0x10u
#define ST_MASTER_LIMIT 0x20u

static uint8_t nv[T3_NV_SIZE];

struct sfx {
	struct fx *f;
	struct t3_config cfg;
	uint8_t *mem;
};

static struct sfx *sfx_new(void)
{
	struct sfx *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	memset(nv, 0, sizeof(nv));
	s->mem = mmap(NULL, STATIC, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(s->mem != MAP_FAILED);
	s->cfg = (struct t3_config){
		.id = "sec0", .serial = 77, .vmem_size = VMEM, .pmem_size = VMEM,
		.lsa_size = 4096, .static_mem = s->mem, .static_mem_size = STATIC,
		.nv_mem = nv, .nv_size = sizeof(nv),
	};
	s->f = fx_new(s->cfg);
	return s;
}

static void sfx_free(struct sfx *s)
{
	fx_free(s->f);
	munmap(s->mem, STATIC);
	free(s);
}

static void restart(struct sfx *s)
{
	t3_destroy(s->f->dev);
	assert_int_equal(t3_create(&s->cfg, &s->f->clk, &s->f->dev), 0);
}

static uint32_t sec_state(struct fx *f)
{
	assert_int_equal(host(f, 0x4500, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4);
	assert_int_equal(le32_get(f->out), t3_security_state(f->dev));
	return le32_get(f->out);
}

/* A 32-byte passphrase from a short string. */
static const uint8_t *pw(const char *s)
{
	static uint8_t b[4][32];
	static unsigned n;
	uint8_t *p = b[n++ % 4];

	memset(p, 0, 32);
	memcpy(p, s, strlen(s));
	return p;
}

static uint16_t set_pass(struct fx *f, uint8_t type, const uint8_t *cur, const uint8_t *new)
{
	uint8_t in[0x60] = { type };

	memcpy(in + 0x20, cur, 32);
	memcpy(in + 0x40, new, 32);
	return host(f, 0x4501, in, sizeof(in));
}

/* Disable Passphrase (4502h) and Passphrase Secure Erase (4505h) share a layout. */
static uint16_t pass_cmd(struct fx *f, uint16_t op, uint8_t type, const uint8_t *pass)
{
	uint8_t in[0x40] = { type };

	memcpy(in + 0x20, pass, 32);
	return host(f, op, in, sizeof(in));
}

static uint16_t unlock(struct fx *f, const uint8_t *pass)
{
	return host(f, 0x4503, pass, 32);
}

static void test_passphrase_lock_unlock(void **state)
{
	struct sfx *s = sfx_new();
	struct fx *f = s->f;
	uint8_t buf[8], in[72] = { 0 };

	(void)state;
	assert_int_equal(sec_state(f), 0);
	/* security disabled: Unlock has nothing to do */
	assert_int_equal(unlock(f, pw("x")), CXL_RC_INVALID_SECURITY_STATE);
	assert_int_equal(set_pass(f, USER, pw("ignored: none set"), pw("alpha")), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	/* set, not locked until the next start */
	assert_int_equal(sec_state(f), ST_USER);
	assert_int_equal(t3_mem_access(f->dev, PBASE, buf, 8, false), 0);
	assert_int_equal(unlock(f, pw("alpha")), CXL_RC_INVALID_SECURITY_STATE);

	restart(s);
	assert_int_equal(sec_state(f), ST_USER | ST_LOCKED);
	/* locked: the persistent capacity refuses the host and the media commands */
	assert_int_equal(t3_mem_access(f->dev, PBASE, buf, 8, false), -EACCES);
	assert_int_equal(t3_mem_access(f->dev, PBASE - 4, buf, 8, true), -EACCES);
	assert_int_equal(t3_mem_access(f->dev, 0, buf, 8, false), 0);
	le64_put(in, PBASE + 0x1000);
	assert_int_equal(host(f, 0x4302, in, 72), CXL_RC_INVALID_SECURITY_STATE);
	assert_int_equal(host(f, 0x4301, in, 8), CXL_RC_INVALID_SECURITY_STATE);
	le64_put(in, 0);
	assert_int_equal(host(f, 0x4301, in, 8), CXL_RC_SUCCESS); /* volatile: fine */
	le64_put(in + 8, STATIC / 64);
	assert_int_equal(host(f, 0x4304, in, 17), CXL_RC_INVALID_SECURITY_STATE);
	assert_int_equal(host(f, 0x4303, in, 16), CXL_RC_SUCCESS);
	assert_int_equal(host(f, 0x4300, in, 16), CXL_RC_SUCCESS); /* the list is no data */
	assert_int_equal(host(f, 0x4401, NULL, 0), CXL_RC_INVALID_SECURITY_STATE);
	assert_int_equal(host(f, 0x4400, NULL, 0), CXL_RC_INVALID_SECURITY_STATE);

	/* wrong passphrases count; the third reaches the limit */
	assert_int_equal(unlock(f, pw("beta")), CXL_RC_INCORRECT_PASSPHRASE);
	assert_int_equal(unlock(f, pw("gamma")), CXL_RC_INCORRECT_PASSPHRASE);
	assert_int_equal(sec_state(f), ST_USER | ST_LOCKED);
	assert_int_equal(unlock(f, pw("delta")), CXL_RC_INCORRECT_PASSPHRASE);
	assert_int_equal(sec_state(f), ST_USER | ST_LOCKED | ST_USER_LIMIT);
	assert_int_equal(unlock(f, pw("alpha")), CXL_RC_INVALID_SECURITY_STATE);
	assert_int_equal(set_pass(f, USER, pw("alpha"), pw("x")), CXL_RC_INVALID_SECURITY_STATE);
	assert_int_equal(t3_mem_access(f->dev, PBASE, buf, 8, false), -EACCES);

	/* the limit lasts until the next start */
	restart(s);
	assert_int_equal(sec_state(f), ST_USER | ST_LOCKED);
	assert_int_equal(unlock(f, pw("beta")), CXL_RC_INCORRECT_PASSPHRASE);
	assert_int_equal(unlock(f, pw("alpha")), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(sec_state(f), ST_USER);
	assert_int_equal(t3_mem_access(f->dev, PBASE, buf, 8, false), 0);
	assert_int_equal(unlock(f, pw("alpha")), CXL_RC_INVALID_SECURITY_STATE);
	/* a correct one reset the count: two wrong ones do not reach the limit */
	assert_int_equal(set_pass(f, USER, pw("no"), pw("x")), CXL_RC_INCORRECT_PASSPHRASE);
	assert_int_equal(set_pass(f, USER, pw("no"), pw("x")), CXL_RC_INCORRECT_PASSPHRASE);
	assert_int_equal(sec_state(f), ST_USER);

	/* change it; Secure Erase works unlocked, Sanitize wants security disabled */
	assert_int_equal(set_pass(f, USER, pw("alpha"), pw("omega")), CXL_RC_SUCCESS);
	assert_int_equal(host(f, 0x4401, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(host(f, 0x4400, NULL, 0), CXL_RC_INVALID_SECURITY_STATE);
	restart(s);
	assert_int_equal(unlock(f, pw("alpha")), CXL_RC_INCORRECT_PASSPHRASE);
	assert_int_equal(unlock(f, pw("omega")), CXL_RC_SUCCESS);

	/* payload lengths */
	assert_int_equal(host(f, 0x4503, in, 31), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x4501, in, 0x5f), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x4500, in, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	sfx_free(s);
}

static void test_disable_and_master(void **state)
{
	struct sfx *s = sfx_new();
	struct fx *f = s->f;
	uint8_t buf[8];

	(void)state;
	/* master first, while no user passphrase is set */
	assert_int_equal(set_pass(f, MASTER, pw("anything"), pw("boss")), CXL_RC_SUCCESS);
	assert_int_equal(sec_state(f), ST_MASTER);
	assert_int_equal(set_pass(f, MASTER, pw("wrong"), pw("boss2")), CXL_RC_INCORRECT_PASSPHRASE);
	assert_int_equal(set_pass(f, MASTER, pw("boss"), pw("boss2")), CXL_RC_SUCCESS);
	assert_int_equal(set_pass(f, USER, pw(""), pw("u1")), CXL_RC_SUCCESS);
	/* "only ... when the user passphrase is not set" */
	assert_int_equal(set_pass(f, MASTER, pw("boss2"), pw("boss3")),
			 CXL_RC_INVALID_SECURITY_STATE);
	assert_int_equal(sec_state(f), ST_USER | ST_MASTER);

	/* disable the user passphrase while locked: unlocked, not locked again */
	restart(s);
	assert_int_equal(sec_state(f), ST_USER | ST_MASTER | ST_LOCKED);
	assert_int_equal(pass_cmd(f, 0x4502, USER, pw("u2")), CXL_RC_INCORRECT_PASSPHRASE);
	assert_int_equal(pass_cmd(f, 0x4502, USER, pw("u1")), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(sec_state(f), ST_MASTER);
	assert_int_equal(t3_mem_access(f->dev, PBASE, buf, 8, false), 0);
	restart(s);
	assert_int_equal(sec_state(f), ST_MASTER);
	/* nothing to disable: Invalid Security State; bad type: Invalid Input */
	assert_int_equal(pass_cmd(f, 0x4502, USER, pw("u1")), CXL_RC_INVALID_SECURITY_STATE);
	assert_int_equal(pass_cmd(f, 0x4502, 2, pw("u1")), CXL_RC_INVALID_INPUT);
	assert_int_equal(set_pass(f, 7, pw(""), pw("u1")), CXL_RC_INVALID_INPUT);
	assert_int_equal(pass_cmd(f, 0x4502, MASTER, pw("boss2")), CXL_RC_SUCCESS);
	assert_int_equal(sec_state(f), 0);
	assert_int_equal(pass_cmd(f, 0x4502, MASTER, pw("boss2")), CXL_RC_INVALID_SECURITY_STATE);
	/* the master limit */
	assert_int_equal(set_pass(f, MASTER, pw(""), pw("m")), CXL_RC_SUCCESS);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pass_cmd(f, 0x4502, MASTER, pw("n")), CXL_RC_INCORRECT_PASSPHRASE);
	assert_int_equal(sec_state(f), ST_MASTER | ST_MASTER_LIMIT);
	assert_int_equal(pass_cmd(f, 0x4502, MASTER, pw("m")), CXL_RC_INVALID_SECURITY_STATE);
	assert_int_equal(pass_cmd(f, 0x4505, MASTER, pw("m")), CXL_RC_INVALID_SECURITY_STATE);
	assert_int_equal(set_pass(f, USER, pw(""), pw("u")), CXL_RC_SUCCESS); /* user is not */
	sfx_free(s);
}

static void test_freeze(void **state)
{
	struct sfx *s = sfx_new();
	struct fx *f = s->f;

	(void)state;
	assert_int_equal(set_pass(f, USER, pw(""), pw("u")), CXL_RC_SUCCESS);
	restart(s);
	assert_int_equal(host(f, 0x4504, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(sec_state(f), ST_USER | ST_LOCKED | ST_FROZEN);
	assert_int_equal(unlock(f, pw("u")), CXL_RC_INVALID_SECURITY_STATE);
	assert_int_equal(set_pass(f, USER, pw("u"), pw("v")), CXL_RC_INVALID_SECURITY_STATE);
	assert_int_equal(pass_cmd(f, 0x4502, USER, pw("u")), CXL_RC_INVALID_SECURITY_STATE);
	assert_int_equal(pass_cmd(f, 0x4505, USER, pw("u")), CXL_RC_INVALID_SECURITY_STATE);
	assert_int_equal(host(f, 0x4504, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(host(f, 0x4504, f->out, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(sec_state(f), ST_USER | ST_LOCKED | ST_FROZEN);
	restart(s);
	assert_int_equal(sec_state(f), ST_USER | ST_LOCKED);
	assert_int_equal(unlock(f, pw("u")), CXL_RC_SUCCESS);
	sfx_free(s);
}

static void test_passphrase_secure_erase(void **state)
{
	struct sfx *s = sfx_new();
	struct fx *f = s->f;
	uint8_t buf[8];

	(void)state;
	memset(s->mem + 0x1000, 0x11, 64);
	memset(s->mem + PBASE + 0x1000, 0x22, 64);
	assert_int_equal(t3_inject_poison(f->dev, PBASE + 0x2000, 64, NULL, 0), 0);
	/* no master passphrase: Invalid Input; no user one: the passphrase is ignored */
	assert_int_equal(pass_cmd(f, 0x4505, MASTER, pw("")), CXL_RC_INVALID_INPUT);
	assert_int_equal(pass_cmd(f, 0x4505, 3, pw("")), CXL_RC_INVALID_INPUT);
	assert_int_equal(s->mem[PBASE + 0x1000], 0x22);
	assert_int_equal(pass_cmd(f, 0x4505, USER, pw("whatever")), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(s->mem[PBASE + 0x1000], 0);
	assert_int_equal(s->mem[0x1000], 0x11); /* the volatile capacity stays */
	assert_int_equal(t3_poison_count(f->dev), 0);

	/* locked with user and master: the master erases, unlocks, disables the user's */
	memset(s->mem + PBASE + 0x1000, 0x22, 64);
	assert_int_equal(set_pass(f, MASTER, pw(""), pw("m")), CXL_RC_SUCCESS);
	assert_int_equal(set_pass(f, USER, pw(""), pw("u")), CXL_RC_SUCCESS);
	restart(s);
	assert_int_equal(pass_cmd(f, 0x4505, MASTER, pw("u")), CXL_RC_INCORRECT_PASSPHRASE);
	assert_int_equal(s->mem[PBASE + 0x1000], 0x22);
	assert_int_equal(pass_cmd(f, 0x4505, MASTER, pw("m")), CXL_RC_SUCCESS);
	assert_int_equal(sec_state(f), ST_MASTER);
	assert_int_equal(s->mem[PBASE + 0x1000], 0);
	assert_int_equal(t3_mem_access(f->dev, PBASE, buf, 8, false), 0);
	restart(s);
	assert_int_equal(sec_state(f), ST_MASTER);

	/* with the user passphrase */
	assert_int_equal(set_pass(f, USER, pw(""), pw("u")), CXL_RC_SUCCESS);
	memset(s->mem + PBASE + 0x1000, 0x22, 64);
	assert_int_equal(pass_cmd(f, 0x4505, USER, pw("v")), CXL_RC_INCORRECT_PASSPHRASE);
	assert_int_equal(pass_cmd(f, 0x4505, USER, pw("u")), CXL_RC_SUCCESS);
	assert_int_equal(sec_state(f), ST_MASTER);
	assert_int_equal(s->mem[PBASE + 0x1000], 0);
	assert_int_equal(host(f, 0x4505, f->out, 0x3f), CXL_RC_INVALID_PAYLOAD_LENGTH);
	sfx_free(s);
}

/*
 * The lock and Passphrase Secure Erase act on the active persistent
 * partition: capacity Set Partition Info made volatile is neither locked
 * nor erased.
 */
static void test_security_follows_partition(void **state)
{
	struct sfx *s = sfx_new();
	struct fx *f = s->f;
	uint8_t buf[8], part[9] = { 1, 0, 0, 0, 0, 0, 0, 0, 0x01 };

	(void)state;
	assert_int_equal(set_pass(f, USER, pw(""), pw("u")), CXL_RC_SUCCESS);
	restart(s);
	assert_int_equal(t3_mem_access(f->dev, PBASE, buf, 8, false), -EACCES);
	assert_int_equal(unlock(f, pw("u")), CXL_RC_SUCCESS);
	/* the one partitionable unit volatile, at once */
	assert_int_equal(host(f, 0x4101, part, sizeof(part)), CXL_RC_SUCCESS);
	restart(s);
	assert_int_equal(sec_state(f), ST_USER | ST_LOCKED);
	assert_int_equal(t3_mem_access(f->dev, PBASE, buf, 8, false), 0);
	assert_int_equal(t3_mem_access(f->dev, STATIC - 8, buf, 8, true), 0);
	memset(s->mem + PBASE + 0x1000, 0x22, 64);
	assert_int_equal(pass_cmd(f, 0x4505, USER, pw("u")), CXL_RC_SUCCESS);
	assert_int_equal(s->mem[PBASE + 0x1000], 0x22); /* volatile now: not erased */
	sfx_free(s);
}

/* What the SECURITY section holds, and that nothing else is taken from it. */
static void test_nv_section(void **state)
{
	struct sfx *s = sfx_new();
	struct fx *f = s->f;
	uint8_t b[84], want_pass[32] = "secret";

	(void)state;
	assert_int_equal(set_pass(f, USER, pw(""), pw("secret")), CXL_RC_SUCCESS);
	assert_int_equal(t3_nv_load(f->dev, T3_NV_SECURITY, b, sizeof(b)), 0);
	assert_memory_equal(b, "T3SEC\0\0\1", 8);
	assert_int_equal(le32_get(b + 8), 1);
	assert_memory_equal(b + 16, want_pass, 32);
	/* a flipped byte: not ours, security starts disabled */
	b[20] ^= 1;
	assert_int_equal(t3_nv_store(f->dev, T3_NV_SECURITY, b, sizeof(b)), 0);
	restart(s);
	assert_int_equal(sec_state(f), 0);
	assert_int_equal(t3_nv_load(f->dev, T3_NV_SECURITY, b, sizeof(b)), 0);
	assert_int_equal(le32_get(b + 8), 0);
	/* another device's state is not inherited either */
	assert_int_equal(set_pass(f, USER, pw(""), pw("secret")), CXL_RC_SUCCESS);
	s->cfg.serial++;
	restart(s);
	assert_int_equal(sec_state(f), 0);
	/* no state region at all: a passphrase lasts as long as the device */
	s->cfg.nv_mem = NULL;
	restart(s);
	assert_int_equal(set_pass(f, USER, pw(""), pw("secret")), CXL_RC_SUCCESS);
	restart(s);
	assert_int_equal(sec_state(f), 0);
	sfx_free(s);
}

/* Over MCTP a BMC reads the state; the rest is the host's. */
static void test_mctp(void **state)
{
	struct sfx *s = sfx_new();
	struct fx *f = s->f;
	uint8_t in[0x60] = { USER };

	(void)state;
	assert_int_equal(set_pass(f, USER, pw(""), pw("u")), CXL_RC_SUCCESS);
	restart(s);
	assert_int_equal(fm(f, 0x4500, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(le32_get(f->out), ST_USER | ST_LOCKED);
	assert_int_equal(run(f, t3_ld_cci(f->dev, 0), 0x4500, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(le32_get(f->out), ST_USER | ST_LOCKED);
	assert_int_equal(fm(f, 0x4501, in, sizeof(in)), CXL_RC_UNSUPPORTED);
	assert_int_equal(fm(f, 0x4503, in, 32), CXL_RC_UNSUPPORTED);
	sfx_free(s);
}

/* Security Send / Receive: SFSC protocol 00h (security protocol information) only. */
static void test_security_passthrough(void **state)
{
	struct sfx *s = sfx_new();
	struct fx *f = s->f;
	uint8_t in[16] = { 0 }, want[264] = { 0 };

	(void)state;
	want[7] = 1; /* list length 0001h, big-endian; protocol 00h */
	assert_int_equal(host(f, 0x4601, in, 8), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 264);
	assert_memory_equal(f->out, want, 264);
	le16_put(in + 1, 1); /* certificate data: none */
	assert_int_equal(host(f, 0x4601, in, 8), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4);
	assert_memory_equal(f->out, want + 8, 4);
	le16_put(in + 1, 2);
	assert_int_equal(host(f, 0x4601, in, 8), CXL_RC_INVALID_INPUT);
	le16_put(in + 1, 0);
	in[0] = 0xef;
	assert_int_equal(host(f, 0x4601, in, 8), CXL_RC_INVALID_INPUT);
	assert_int_equal(host(f, 0x4601, in, 9), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x4600, in, 16), CXL_RC_INVALID_INPUT);
	in[0] = 0;
	assert_int_equal(host(f, 0x4600, in, 8), CXL_RC_INVALID_INPUT);
	assert_int_equal(host(f, 0x4600, in, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(fm(f, 0x4601, in, 8), CXL_RC_UNSUPPORTED);
	sfx_free(s);
}

/* ---- SLD QoS ------------------------------------------------------------------------ */

static void test_sld_qos(void **state)
{
	struct sfx *s = sfx_new();
	struct fx *f = s->f;
	const uint8_t defaults[4] = { 0, 10, 25, 8 };
	uint8_t in[4] = { 0x03, 40, 80, 3 };
	struct t3_config c = s->cfg;
	struct t3_dev *mld;

	(void)state;
	assert_int_equal(host(f, 0x4700, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 4);
	assert_memory_equal(f->out, defaults, 4);
	t3_sld_qos_set_backpressure(f->dev, 60);
	assert_int_equal(host(f, 0x4702, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 1);
	assert_int_equal(f->out[0], 0); /* congestion sampling is off */
	assert_int_equal(host(f, 0x4701, in, 4), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(fm(f, 0x4700, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, in, 4);
	assert_int_equal(run(f, t3_ld_cci(f->dev, 0), 0x4702, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 60);
	t3_sld_qos_set_backpressure(f->dev, 250);
	assert_int_equal(fm(f, 0x4702, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 100);
	/* reserved control bits are ignored; a sample interval of 0 stops sampling */
	in[0] = 0xfd;
	in[3] = 0;
	assert_int_equal(fm(f, 0x4701, in, 4), CXL_RC_SUCCESS);
	assert_int_equal(host(f, 0x4700, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0x01);
	assert_int_equal(host(f, 0x4702, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0], 0);
	/* out of range: Invalid Input, nothing changes */
	const uint8_t bad[][4] = { { 1, 0, 25, 8 }, { 1, 101, 25, 8 }, { 1, 10, 0, 8 },
				   { 1, 10, 101, 8 }, { 1, 10, 25, 16 } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(host(f, 0x4701, bad[i], 4), CXL_RC_INVALID_INPUT);
	assert_int_equal(host(f, 0x4701, in, 3), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x4700, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[1], 40);
	assert_int_equal(f->out[3], 0);
	/* an MLD has the FM API's QoS commands instead */
	c.num_ld = 2;
	c.nv_mem = NULL;
	assert_int_equal(t3_create(&c, &f->clk, &mld), 0);
	assert_int_equal(run(f, t3_host_cci(mld), 0x4700, NULL, 0), CXL_RC_UNSUPPORTED);
	assert_int_equal(run(f, t3_fm_cci(mld), 0x4702, NULL, 0), CXL_RC_UNSUPPORTED);
	t3_destroy(mld);
	sfx_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passphrase_lock_unlock),
		cmocka_unit_test(test_disable_and_master),
		cmocka_unit_test(test_freeze),
		cmocka_unit_test(test_passphrase_secure_erase),
		cmocka_unit_test(test_security_follows_partition),
		cmocka_unit_test(test_nv_section),
		cmocka_unit_test(test_mctp),
		cmocka_unit_test(test_security_passthrough),
		cmocka_unit_test(test_sld_qos),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
