/* SPDX-License-Identifier: MIT */
/*
 * Type-3 memory device commands 4000h-4103h (src/dev/t3_mem.c): Identify
 * Memory Device, Get/Set Partition Info with the next-power-on rule, Get/Set
 * LSA on the LSA backend, on the host mailbox, the FM-owned LD and an LD.
 * Expected payloads are written out by hand from the spec's layouts; a
 * power cycle is a second device made on the first one's non-volatile
 * region.
 */
#include <errno.h>

#include "t3_fixture.h"
#include "dev/t3_mem.h"
#include "dev/t3_nv.h"

#define LSA_SIZE (128u * 1024)

/* 512 MiB volatile, 256 MiB persistent, LSA 128 KiB. */
static struct t3_config mem_config(void)
{
	return (struct t3_config){
		.id = "mem0", .serial = 7, .vmem_size = 512 * MiB, .pmem_size = 256 * MiB,
		.lsa_size = LSA_SIZE,
	};
}

/* 256 MiB volatile, 1 GiB persistent: four units to partition. */
static struct t3_config part_config(uint8_t *nv)
{
	return (struct t3_config){
		.id = "pm0", .serial = 8, .vmem_size = 256 * MiB, .pmem_size = 1024 * MiB,
		.lsa_size = LSA_SIZE, .nv_mem = nv, .nv_size = nv ? T3_NV_SIZE : 0,
	};
}

static uint16_t ld0(struct fx *f, uint16_t op, const void *in, size_t len)
{
	return run(f, t3_ld_cci(f->dev, 0), op, in, len);
}

/* ---- 4000h ------------------------------------------------------------------- */

/* CXL r3.1 §8.2.9.9.1.1 Identify Memory Device output payload, every CCI. */
static void test_identify_memdev(void **state)
{
	struct fx *f = fx_new(mem_config());
	uint8_t want[0x45] = {
		'B', 'W', 'F', 'W', ' ', 'V', 'E', 'R', 'S', 'I', 'O', 'N', ' ', '0', '0', 0,
		[0x10] = 3, [0x18] = 2, [0x20] = 0, [0x28] = 1,
		[0x30] = 64, [0x32] = 64, [0x34] = 64, [0x36] = 64,
		[0x38] = 0x00, [0x39] = 0x00, [0x3a] = 0x02,
		[0x3c] = 0x00, [0x3d] = 0x01,
		[0x42] = 0x03, /* an SLD: both QoS telemetry controls */
		[0x43] = 0x00, [0x44] = 0x04,
	};
	struct t3_config c = mem_config();

	(void)state;
	assert_int_equal(host(f, 0x4000, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0x45);
	assert_memory_equal(f->out, want, 0x45);
	assert_int_equal(fm(f, 0x4000, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want, 0x45);
	assert_int_equal(ld0(f, 0x4000, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want, 0x45);
	assert_int_equal(host(f, 0x4000, want, 4), CXL_RC_INVALID_PAYLOAD_LENGTH);
	fx_free(f);

	/* volatile only, no LSA, DC regions: nothing to partition */
	f = fx_new(dcd_config());
	memset(want + 0x10, 0, 0x45 - 0x10);
	want[0x10] = 1;
	want[0x18] = 1;
	want[0x30] = want[0x32] = want[0x34] = want[0x36] = 64;
	want[0x3d] = 0x01;
	want[0x42] = 0x03;
	want[0x44] = 0x04;
	assert_int_equal(host(f, 0x4000, NULL, 0), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want, 0x45);
	fx_free(f);

	/* an MLD has no SLD QoS controls to report */
	c.num_ld = 2;
	f = fx_new(c);
	assert_int_equal(fm(f, 0x4000, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out[0x42], 0);
	fx_free(f);
	c.num_ld = 0;

	/* capacity not in 256 MiB units: Internal Error (as QEMU) */
	c.vmem_size = 100 * MiB;
	f = fx_new(c);
	assert_int_equal(host(f, 0x4000, NULL, 0), CXL_RC_INTERNAL_ERROR);
	assert_int_equal(host(f, 0x4100, NULL, 0), CXL_RC_INTERNAL_ERROR);
	assert_int_equal(host(f, 0x4101, (uint8_t[9]){ 0 }, 9), CXL_RC_INTERNAL_ERROR);
	fx_free(f);
}

/* ---- 4100h / 4101h ------------------------------------------------------------------ */

static void set_partition(uint8_t in[9], uint64_t units, bool immediate)
{
	le64_put(in, units);
	in[8] = immediate ? 0x01 : 0x00;
}

static void check_partition(struct fx *f, uint64_t av, uint64_t ap, uint64_t nv, uint64_t np)
{
	uint8_t want[0x20] = { 0 };

	le64_put(want, av);
	le64_put(want + 8, ap);
	le64_put(want + 16, nv);
	le64_put(want + 24, np);
	assert_int_equal(host(f, 0x4100, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0x20);
	assert_memory_equal(f->out, want, 0x20);
}

/* CXL r3.1 §8.2.9.9.2.1 Get Partition Info output payload. */
static void test_partition_info(void **state)
{
	struct fx *f = fx_new(mem_config());
	uint64_t v, p;

	(void)state;
	check_partition(f, 2, 1, 0, 0);
	assert_int_equal(fm(f, 0x4100, NULL, 0), CXL_RC_SUCCESS);
	assert_int_equal(le64_get(f->out), 2);
	assert_int_equal(host(f, 0x4100, f->out, 1), CXL_RC_INVALID_PAYLOAD_LENGTH);
	t3_partition_active(f->dev, &v, &p);
	assert_int_equal(v, 512 * MiB);
	assert_int_equal(p, 256 * MiB);
	fx_free(f);
}

/*
 * CXL r3.1 §8.2.9.9.2.2 Set Partition Info: the next partition shows in Get
 * Partition Info and becomes active at the next power-on; Immediate
 * applies at once; the errors change nothing.
 */
static void test_set_partition(void **state)
{
	static uint8_t region[T3_NV_SIZE];
	struct fx *f;
	uint8_t in[9];
	uint64_t v, p;

	(void)state;
	memset(region, 0, sizeof(region));
	f = fx_new(part_config(region));
	check_partition(f, 1, 4, 0, 0);
	set_partition(in, 3, false);
	assert_int_equal(host(f, 0x4101, in, 9), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	check_partition(f, 1, 4, 4, 1);
	t3_partition_active(f->dev, &v, &p);
	assert_int_equal(v, 256 * MiB);

	/* errors: more than the partitionable capacity, lengths; nothing changes */
	set_partition(in, 5, false);
	assert_int_equal(host(f, 0x4101, in, 9), CXL_RC_INVALID_INPUT);
	assert_int_equal(fm(f, 0x4101, in, 9), CXL_RC_INVALID_INPUT);
	set_partition(in, UINT64_MAX, true);
	assert_int_equal(host(f, 0x4101, in, 9), CXL_RC_INVALID_INPUT);
	assert_int_equal(host(f, 0x4101, in, 8), CXL_RC_INVALID_PAYLOAD_LENGTH);
	check_partition(f, 1, 4, 4, 1);

	/* power cycle: the next partition is the active one, nothing pending */
	fx_free(f);
	f = fx_new(part_config(region));
	check_partition(f, 4, 1, 0, 0);
	t3_partition_active(f->dev, &v, &p);
	assert_int_equal(v, 1024 * MiB);
	assert_int_equal(p, 256 * MiB);

	/* and it stays so across the next one */
	fx_free(f);
	f = fx_new(part_config(region));
	check_partition(f, 4, 1, 0, 0);

	/* Immediate: active at once, a pending next partition dropped */
	set_partition(in, 1, false);
	assert_int_equal(ld0(f, 0x4101, in, 9), CXL_RC_SUCCESS);
	check_partition(f, 4, 1, 2, 3);
	set_partition(in, 0, true);
	assert_int_equal(host(f, 0x4101, in, 9), CXL_RC_SUCCESS);
	check_partition(f, 1, 4, 0, 0);
	fx_free(f);
	f = fx_new(part_config(region));
	check_partition(f, 1, 4, 0, 0);
	fx_free(f);

	/* no persistent memdev: nothing to partition */
	f = fx_new(dcd_config());
	set_partition(in, 0, false);
	assert_int_equal(host(f, 0x4101, in, 9), CXL_RC_UNSUPPORTED);
	check_partition(f, 1, 0, 0, 0);
	fx_free(f);
}

/* A saved partition that does not fit the device (its memdev changed) is not used. */
static void test_partition_foreign(void **state)
{
	static uint8_t region[T3_NV_SIZE];
	struct t3_config c = part_config(region);
	struct fx *f;
	uint8_t in[9];

	(void)state;
	memset(region, 0, sizeof(region));
	f = fx_new(c);
	set_partition(in, 4, true);
	assert_int_equal(host(f, 0x4101, in, 9), CXL_RC_SUCCESS);
	check_partition(f, 5, 0, 0, 0);
	fx_free(f);
	c.pmem_size = 512 * MiB; /* smaller now: 4 units no longer fit */
	f = fx_new(c);
	check_partition(f, 1, 2, 0, 0);
	fx_free(f);
	c.pmem_size = 1024 * MiB;
	f = fx_new(c);
	check_partition(f, 1, 4, 0, 0);
	fx_free(f);
}

/* ---- 4102h / 4103h ------------------------------------------------------------------ */

static uint16_t set_lsa(struct fx *f, struct cci *cci, uint32_t off, const void *data,
			size_t n)
{
	uint8_t in[8 + 64] = { 0 };

	assert_true(n <= 64);
	le32_put(in, off);
	le32_put(in + 4, 0xdeadbeef); /* reserved: ignored */
	if (n)
		memcpy(in + 8, data, n);
	return run(f, cci, 0x4103, in, 8 + n);
}

static uint16_t get_lsa(struct fx *f, struct cci *cci, uint32_t off, uint32_t len)
{
	uint8_t in[8];

	le32_put(in, off);
	le32_put(in + 4, len);
	return run(f, cci, 0x4102, in, sizeof(in));
}

/* CXL r3.1 §8.2.9.9.2.3/4 Get/Set LSA on the LSA backend. */
static void test_lsa(void **state)
{
	uint8_t *lsa = calloc(1, LSA_SIZE);
	struct t3_config c = mem_config();
	struct fx *f;
	const uint8_t want[8] = { 0, 0, 'l', 'a', 'b', 'e', 'l', 0 };
	uint8_t in[8] = { 0 };

	(void)state;
	assert_non_null(lsa);
	c.lsa_mem = lsa;
	f = fx_new(c);
	assert_int_equal(set_lsa(f, t3_host_cci(f->dev), 0x100, "label", 5), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_memory_equal(lsa + 0x100, "label", 5);
	assert_int_equal(get_lsa(f, t3_host_cci(f->dev), 0xfe, 8), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 8);
	assert_memory_equal(f->out, want, 8);
	/* the BMC's view over MCTP and an LD's is the same LSA */
	assert_int_equal(get_lsa(f, t3_fm_cci(f->dev), 0xfe, 8), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want, 8);
	assert_int_equal(set_lsa(f, t3_ld_cci(f->dev, 0), LSA_SIZE - 4, "tail", 4),
			 CXL_RC_SUCCESS);
	assert_int_equal(get_lsa(f, t3_host_cci(f->dev), LSA_SIZE - 4, 4), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, "tail", 4);
	assert_int_equal(get_lsa(f, t3_host_cci(f->dev), 0, 0), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 0);
	assert_int_equal(set_lsa(f, t3_host_cci(f->dev), 0x200, NULL, 0), CXL_RC_SUCCESS);
	/* a whole message's worth on each CCI, one byte more is refused */
	assert_int_equal(get_lsa(f, t3_host_cci(f->dev), 0, 2048), CXL_RC_SUCCESS);
	assert_int_equal(f->out_len, 2048);
	assert_memory_equal(f->out + 0x100, "label", 5);
	assert_int_equal(get_lsa(f, t3_host_cci(f->dev), 0, 2049), CXL_RC_INVALID_INPUT);
	assert_int_equal(get_lsa(f, t3_fm_cci(f->dev), 0, 512), CXL_RC_SUCCESS);
	assert_int_equal(get_lsa(f, t3_fm_cci(f->dev), 0, 513), CXL_RC_INVALID_INPUT);

	/* past the end, wrapping offsets, lengths: refused, nothing written */
	assert_int_equal(get_lsa(f, t3_host_cci(f->dev), LSA_SIZE - 3, 4), CXL_RC_INVALID_INPUT);
	assert_int_equal(get_lsa(f, t3_host_cci(f->dev), 0xffffffff, 2), CXL_RC_INVALID_INPUT);
	assert_int_equal(get_lsa(f, t3_host_cci(f->dev), LSA_SIZE + 1, 0), CXL_RC_INVALID_INPUT);
	assert_int_equal(set_lsa(f, t3_host_cci(f->dev), LSA_SIZE - 3, "XXXX", 4),
			 CXL_RC_INVALID_INPUT);
	assert_int_equal(set_lsa(f, t3_host_cci(f->dev), 0xfffffffe, "XXXX", 4),
			 CXL_RC_INVALID_INPUT);
	assert_memory_equal(lsa + LSA_SIZE - 4, "tail", 4);
	assert_int_equal(host(f, 0x4103, in, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x4102, in, 7), CXL_RC_INVALID_PAYLOAD_LENGTH);
	assert_int_equal(host(f, 0x4102, in, 9), CXL_RC_INVALID_PAYLOAD_LENGTH);

	/* the backend outlives the device: a new one reads what was written */
	fx_free(f);
	f = fx_new(c);
	assert_int_equal(get_lsa(f, t3_host_cci(f->dev), 0xfe, 8), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, want, 8);
	fx_free(f);
	free(lsa);
}

/* Without a backend the device keeps its own LSA; without an LSA there is none. */
static void test_lsa_no_backend(void **state)
{
	struct fx *f = fx_new(mem_config());
	const uint8_t zero[16] = { 0 };

	(void)state;
	assert_int_equal(get_lsa(f, t3_host_cci(f->dev), 16, 16), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, zero, 16);
	assert_int_equal(set_lsa(f, t3_host_cci(f->dev), 20, "abc", 3), CXL_RC_SUCCESS);
	assert_int_equal(get_lsa(f, t3_host_cci(f->dev), 20, 3), CXL_RC_SUCCESS);
	assert_memory_equal(f->out, "abc", 3);
	fx_free(f);

	f = fx_new(dcd_config());
	assert_int_equal(get_lsa(f, t3_host_cci(f->dev), 0, 0), CXL_RC_SUCCESS);
	assert_int_equal(get_lsa(f, t3_host_cci(f->dev), 0, 1), CXL_RC_INVALID_INPUT);
	assert_int_equal(set_lsa(f, t3_host_cci(f->dev), 0, "a", 1), CXL_RC_INVALID_INPUT);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identify_memdev),
		cmocka_unit_test(test_partition_info),
		cmocka_unit_test(test_set_partition),
		cmocka_unit_test(test_partition_foreign),
		cmocka_unit_test(test_lsa),
		cmocka_unit_test(test_lsa_no_backend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
