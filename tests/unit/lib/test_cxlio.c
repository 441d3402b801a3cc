/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm's CXL.io calls (include/cxlfm/cxlio.h): the request encoders
 * byte for byte (CXL r3.1 Tables 7-21, 7-39, 7-41), their refusals, and the
 * response decoders on what the switch model answers in process (a switch
 * with an MLD of 2 LDs below port 3) and on answers of a wrong length. The
 * calls over a real MCTP bus are in tests/e2e/test_cxlio.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "cxlfm/cxlio.h"
#include "dev/sw.h"
#include "dev/t3.h"
#include "lib/private.h"
#include "proto/le.h"

#define MiB (1ull << 20)

static uint64_t clk(void *arg)
{
	(void)arg;
	return 0;
}

static const struct cci_clock clock_ops = { .now_ns = clk };


static void test_encode(void **state)
{
	struct cxlfm_config_req rd = { .offset = 0x1a8, .byte_enables = 0xc };
	struct cxlfm_config_req wr = { .offset = 0x04, .byte_enables = 0x3, .write = true,
				       .data = 0x11223344u };
	static const uint8_t want_ppb[8] = { 7, 0xa8, 0xc1, 0x00, 0, 0, 0, 0 };
	static const uint8_t want_ppb_wr[8] = { 7, 0x04, 0x30, 0x80, 0x44, 0x33, 0x22, 0x11 };
	static const uint8_t want_ld[12] = { 2, 0x04, 0x30, 0x80, 0xff, 0xff, 0, 0,
					     0x44, 0x33, 0x22, 0x11 };
	uint8_t data[6] = { 1, 2, 3, 4, 5, 6 };
	struct cxlfm_ld_mem_req m = { .port_id = 3, .ld_id = 1, .addr = 0x100000001ull,
				      .length = 6, .write = true, .data = data };
	/* bytes 1..6: first DW BE 1110b, last DW 0111b, write */
	static const uint8_t want_mem[22] = {
		3, 0x00, 0xe0, 0x87, 0x01, 0x00, 0x06, 0x00,
		0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5, 6,
	};
	uint8_t out[32];

	(void)state;
	assert_int_equal(cxlfm_ppb_config_encode(7, &rd, out), 8);
	assert_memory_equal(out, want_ppb, 8);
	assert_int_equal(cxlfm_ppb_config_encode(7, &wr, out), 8);
	assert_memory_equal(out, want_ppb_wr, 8);
	assert_int_equal(cxlfm_ld_config_encode(2, CXLFM_LD_FMLD, &wr, out), 12);
	assert_memory_equal(out, want_ld, 12);
	assert_int_equal(cxlfm_ld_mem_encode(&m, out, sizeof(out)), 22);
	assert_memory_equal(out, want_mem, 22);
	/* a read: no data; one DW (bytes 1, 2): first 0110b, last 0 */
	m.write = false;
	m.length = 2;
	assert_int_equal(cxlfm_ld_mem_encode(&m, out, sizeof(out)), 16);
	assert_int_equal(le24_get(out + 1), 0x006000u);
	/* refusals */
	rd.offset = 0x1a9;
	assert_int_equal(cxlfm_ppb_config_encode(7, &rd, out), -EINVAL);
	rd.offset = 0x1000;
	assert_int_equal(cxlfm_ld_config_encode(7, 0, &rd, out), -EINVAL);
	rd.offset = 0;
	rd.byte_enables = 0x10;
	assert_int_equal(cxlfm_ppb_config_encode(7, &rd, out), -EINVAL);
	m.length = 4097;
	assert_int_equal(cxlfm_ld_mem_encode(&m, out, sizeof(out)), -EINVAL);
	m.length = 17;
	m.write = true;
	assert_int_equal(cxlfm_ld_mem_encode(&m, out, sizeof(out)), -EMSGSIZE);
	m.data = NULL;
	assert_int_equal(cxlfm_ld_mem_encode(&m, out, sizeof(out)), -EINVAL);
}

struct model {
	struct sw_dev *sw;
	struct t3_dev *mld;
	uint8_t *mem;
	uint8_t out[2048];
	size_t out_len;
};

static void model_run(struct model *m, uint16_t op, const uint8_t *in, size_t len)
{
	assert_int_equal(cci_process(sw_mctp_cci(m->sw), op, in, len, m->out, &m->out_len), 0);
}

static void test_decode_model(void **state)
{
	static const struct sw_port_cfg dsps[] = { { .port = 3 } };
	struct sw_config sc = { .id = "sw", .usp = { .port = 0 }, .n_dsp = 1, .dsps = dsps };
	struct t3_config tc = { .id = "mld", .serial = 5, .vmem_size = 512 * MiB, .num_ld = 2 };
	struct model *m = calloc(1, sizeof(*m));
	struct cxlfm_config_req req = { .offset = 0, .byte_enables = 0xf };
	struct cxlfm_config_rsp c;
	struct cxlfm_ld_mem_rsp *r = malloc(sizeof(*r));
	uint8_t in[64], pat[8] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 };
	struct cxlfm_ld_mem_req mreq = { .port_id = 3, .ld_id = 1, .addr = 0x40000000ull,
					 .length = 8, .write = true, .data = pat };
	struct { uint16_t length; uint8_t write; } shape;
	int n;

	(void)state;
	assert_non_null(m);
	assert_non_null(r);
	m->mem = mmap(NULL, 512 * MiB, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(m->mem != MAP_FAILED);
	tc.static_mem = m->mem;
	tc.static_mem_size = 512 * MiB;
	assert_int_equal(t3_create(&tc, &clock_ops, &m->mld), 0);
	sc.start_unbound = true;
	assert_int_equal(sw_create(&sc, &clock_ops, &m->sw), 0);
	assert_int_equal(sw_attach(m->sw, 0, &(struct sw_attached){
		.dev_type = SW_DEV_CXL_TYPE3_MLD, .ld_count = 2, .fm_cci = t3_fm_cci(m->mld),
		.ld_ops = &t3_sw_ld_ops, .ld_arg = m->mld }), 0);

	/* 5103h: the PPB's IDs */
	n = cxlfm_ppb_config_encode(3, &req, in);
	model_run(m, 0x5103, in, (size_t)n);
	assert_int_equal(cxlfm_decoder_find(0x5103)->decode(NULL, m->out, m->out_len, &c), 0);
	assert_int_equal(c.data, 0xa12919e5u);
	/* 5301h: LD 1's IDs, then its memory window at 1 GiB with memory on */
	n = cxlfm_ld_config_encode(3, 1, &req, in);
	model_run(m, 0x5301, in, (size_t)n);
	assert_int_equal(cxlfm_decoder_find(0x5301)->decode(NULL, m->out, m->out_len, &c), 0);
	assert_int_equal(c.data, 0x0d938086u);
	req = (struct cxlfm_config_req){ .offset = 0x18, .byte_enables = 0xf, .write = true,
					 .data = 0x40000000u };
	model_run(m, 0x5301, in, (size_t)cxlfm_ld_config_encode(3, 1, &req, in));
	req = (struct cxlfm_config_req){ .offset = 0x04, .byte_enables = 0x1, .write = true,
					 .data = 0x2 };
	model_run(m, 0x5301, in, (size_t)cxlfm_ld_config_encode(3, 1, &req, in));
	assert_int_equal(cxlfm_decoder_find(0x5301)->decode(NULL, m->out, m->out_len, &c), 0);
	assert_int_equal(c.data, 0);
	/* 5302h: write 8 bytes, read them back */
	n = cxlfm_ld_mem_encode(&mreq, in, sizeof(in));
	model_run(m, 0x5302, in, (size_t)n);
	shape.length = 8;
	shape.write = 1;
	assert_int_equal(cxlfm_decoder_find(0x5302)->decode(&shape, m->out, m->out_len, r), 0);
	assert_int_equal(r->returned, 8);
	mreq.write = false;
	n = cxlfm_ld_mem_encode(&mreq, in, sizeof(in));
	model_run(m, 0x5302, in, (size_t)n);
	shape.write = 0;
	assert_int_equal(cxlfm_decoder_find(0x5302)->decode(&shape, m->out, m->out_len, r), 0);
	assert_int_equal(r->returned, 8);
	assert_memory_equal(r->data, pat, 8);
	/* LD 1 starts at DPA 256 MiB (2 LDs share 512 MiB) */
	assert_memory_equal(m->mem + 256 * MiB, pat, 8);

	/* malformed answers */
	assert_int_equal(cxlfm_decoder_find(0x5103)->decode(NULL, m->out, 3, &c), -EBADMSG);
	assert_int_equal(cxlfm_decoder_find(0x5301)->decode(NULL, m->out, 5, &c), -EBADMSG);
	assert_int_equal(cxlfm_decoder_find(0x5302)->decode(&shape, m->out, 3, r), -EBADMSG);
	assert_int_equal(cxlfm_decoder_find(0x5302)->decode(&shape, m->out, 4 + 7, r), -EBADMSG);
	shape.length = 7; /* more returned than asked */
	assert_int_equal(cxlfm_decoder_find(0x5302)->decode(&shape, m->out, 4 + 8, r), -EBADMSG);
	shape.length = 8;
	shape.write = 1; /* a write answer with data */
	assert_int_equal(cxlfm_decoder_find(0x5302)->decode(&shape, m->out, 4 + 8, r), -EBADMSG);

	sw_destroy(m->sw);
	t3_destroy(m->mld);
	munmap(m->mem, 512 * MiB);
	free(r);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_decode_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
