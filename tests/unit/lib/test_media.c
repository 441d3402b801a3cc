/* SPDX-License-Identifier: MIT */
/*
 * The response decoders of libcxlfm's media calls (src/lib/media.c) on
 * payloads built here: what the device sends decodes field by field, and
 * every payload whose length or counts disagree with its layout is
 * -EBADMSG; General Media and DRAM Event Records built byte by byte decode
 * field by field (CXL r3.1 Tables 8-45 and 8-46), and no other record does.
 * The calls themselves run against cxl-emu in tests/e2e/test_media.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cxlfm/media.h"
#include "cxlfm/memdev.h"
#include "lib/private.h"
#include "proto/le.h"

static const struct cxlfm_decoder *dec(uint16_t opcode)
{
	const struct cxlfm_decoder *d;

	for (size_t i = 0; (d = cxlfm_decoder_at(i)); i++)
		if (d->opcode == opcode)
			return d;
	fail_msg("no decoder for %04x", opcode);
	return NULL;
}

static void test_poison_list(void **state)
{
	const struct cxlfm_decoder *d = dec(CXLFM_OP_GET_POISON_LIST);
	struct cxlfm_get_poison_list_rsp *rsp = malloc(sizeof(*rsp));
	uint8_t p[32 + 2 * 16] = { 0x06 };

	(void)state;
	le64_put(p + 2, 123456789);
	le16_put(p + 10, 2);
	le64_put(p + 32, 0x10001000 | 3);
	le32_put(p + 40, 2);
	le64_put(p + 48, 0x40 | 2 | 0x38); /* reserved bits 5:3 are not address */
	le32_put(p + 56, 1);
	assert_int_equal(d->decode(NULL, p, sizeof(p), rsp), 0);
	assert_int_equal(rsp->flags, 0x06);
	assert_int_equal(rsp->overflow_ts, 123456789);
	assert_int_equal(rsp->num_records, 2);
	assert_int_equal(rsp->records[0].dpa, 0x10001000);
	assert_int_equal(rsp->records[0].source, CXLFM_MEDIA_ERR_INJECTED);
	assert_int_equal(rsp->records[0].length, 128);
	assert_int_equal(rsp->records[1].dpa, 0x40);
	assert_int_equal(rsp->records[1].source, CXLFM_MEDIA_ERR_INTERNAL);
	/* a count the bytes do not carry, a record too many, a short header */
	assert_int_equal(d->decode(NULL, p, sizeof(p) - 1, rsp), -EBADMSG);
	le16_put(p + 10, 3);
	assert_int_equal(d->decode(NULL, p, sizeof(p), rsp), -EBADMSG);
	le16_put(p + 10, 1);
	assert_int_equal(d->decode(NULL, p, sizeof(p), rsp), -EBADMSG);
	assert_int_equal(d->decode(NULL, p, 31, rsp), -EBADMSG);
	free(rsp);
}

static void test_scan_media(void **state)
{
	const struct cxlfm_decoder *d = dec(CXLFM_OP_GET_SCAN_MEDIA_RESULTS);
	struct cxlfm_get_scan_media_results_rsp *rsp = malloc(sizeof(*rsp));
	struct cxlfm_get_scan_media_caps_rsp caps;
	uint8_t p[32 + 16] = { 0 };

	(void)state;
	le64_put(p, 0x20000000);
	le64_put(p + 8, 1024);
	p[16] = 0x03;
	le16_put(p + 18, 1);
	le64_put(p + 32, 0x20000000 | 1);
	le32_put(p + 40, 4);
	assert_int_equal(d->decode(NULL, p, sizeof(p), rsp), 0);
	assert_int_equal(rsp->restart_dpa, 0x20000000);
	assert_int_equal(rsp->restart_length, 65536);
	assert_int_equal(rsp->flags, CXLFM_SCAN_MORE | CXLFM_SCAN_STOPPED);
	assert_int_equal(rsp->records[0].length, 256);
	assert_int_equal(rsp->records[0].source, CXLFM_MEDIA_ERR_EXTERNAL);
	assert_int_equal(d->decode(NULL, p, 33, rsp), -EBADMSG);
	le64_put(p + 8, UINT64_MAX / 32); /* a length in bytes that does not fit */
	assert_int_equal(d->decode(NULL, p, sizeof(p), rsp), -EBADMSG);
	le16_put(p + 18, CXLFM_MEDIA_ERR_MAX + 1);
	assert_int_equal(d->decode(NULL, p, sizeof(p), rsp), -EBADMSG);

	d = dec(CXLFM_OP_GET_SCAN_MEDIA_CAPS);
	le32_put(p, 8388);
	assert_int_equal(d->decode(NULL, p, 4, &caps), 0);
	assert_int_equal(caps.estimated_ms, 8388);
	assert_int_equal(d->decode(NULL, p, 5, &caps), -EBADMSG);
	free(rsp);
}

static void test_security_and_qos(void **state)
{
	struct cxlfm_get_security_state_rsp sec;
	struct cxlfm_sld_qos_control qc;
	struct cxlfm_get_sld_qos_status_rsp qs;
	const uint8_t state_b[4] = { 0x05, 0, 0, 0 }, qos[4] = { 1, 10, 25, 8 };
	uint8_t pct = 101;

	(void)state;
	assert_int_equal(dec(CXLFM_OP_GET_SECURITY_STATE)->decode(NULL, state_b, 4, &sec), 0);
	assert_int_equal(sec.state, CXLFM_SEC_USER_PASS_SET | CXLFM_SEC_LOCKED);
	assert_int_equal(dec(CXLFM_OP_GET_SECURITY_STATE)->decode(NULL, state_b, 3, &sec),
			 -EBADMSG);
	assert_int_equal(dec(CXLFM_OP_GET_SLD_QOS_CONTROL)->decode(NULL, qos, 4, &qc), 0);
	assert_int_equal(qc.control, CXLFM_SLD_QOS_EGRESS_CONGESTION);
	assert_int_equal(qc.egress_severe_pct, 25);
	assert_int_equal(qc.sample_interval, 8);
	assert_int_equal(dec(CXLFM_OP_GET_SLD_QOS_CONTROL)->decode(NULL, qos, 0, &qc), -EBADMSG);
	assert_int_equal(dec(CXLFM_OP_GET_SLD_QOS_STATUS)->decode(NULL, &pct, 1, &qs), -EBADMSG);
	pct = 100;
	assert_int_equal(dec(CXLFM_OP_GET_SLD_QOS_STATUS)->decode(NULL, &pct, 1, &qs), 0);
	assert_int_equal(qs.backpressure_avg_pct, 100);
}

/* A record of type uuid whose body (bytes 30h-7Fh) counts up from first. */
static void craft(struct cxlfm_event_record *r, const uint8_t uuid[16], uint8_t first)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->uuid, uuid, 16);
	r->length = 128;
	for (size_t i = 0; i < sizeof(r->data); i++)
		r->data[i] = (uint8_t)(first + i);
}

static void test_gen_media_event(void **state)
{
	struct cxlfm_event_record r;
	struct cxlfm_gen_media_event e;
	struct cxlfm_dram_event d;
	struct cxlfm_mem_module_event mm;

	(void)state;
	craft(&r, cxlfm_gen_media_event_uuid, 0x10);
	/* 30h: Physical Address 0x1122334455667003: DPA ...7000, volatile + not repairable */
	le64_put(r.data, 0x1122334455667003ull);
	assert_int_equal(cxlfm_gen_media_event_decode(&r, &e), 0);
	assert_int_equal(e.media.dpa, 0x1122334455667000ull);
	assert_int_equal(e.media.dpa_flags, CXLFM_MEDIA_EV_DPA_VOLATILE | CXLFM_MEDIA_EV_DPA_NOT_REPAIRABLE);
	assert_int_equal(e.media.descriptor, 0x18);       /* 38h */
	assert_int_equal(e.media.type, 0x19);             /* 39h */
	assert_int_equal(e.media.transaction_type, 0x1a); /* 3Ah */
	assert_int_equal(e.media.validity, 0x1c1b);       /* 3Bh, little endian */
	assert_int_equal(e.media.channel, 0x1d);          /* 3Dh */
	assert_int_equal(e.media.rank, 0x1e);             /* 3Eh */
	assert_int_equal(e.device, 0x21201f);       /* 3Fh, 3 bytes */
	for (unsigned i = 0; i < 16; i++)           /* 42h, 16 bytes */
		assert_int_equal(e.component_id[i], 0x22 + i);
	assert_int_equal(e.cme_flags, 0x32);        /* 52h */
	assert_int_equal(e.cme_count, 0x353433);    /* 53h, 3 bytes */
	assert_int_equal(e.sub_type, 0x36);         /* 56h */
	/* the address's flag bits never leak into the DPA */
	le64_put(r.data, 0x3f);
	assert_int_equal(cxlfm_gen_media_event_decode(&r, &e), 0);
	assert_int_equal(e.media.dpa, 0);
	assert_int_equal(e.media.dpa_flags, 0x3f);
	/* another record type is not decoded as this one, nor this one as another */
	assert_int_equal(cxlfm_dram_event_decode(&r, &d), -EINVAL);
	assert_int_equal(cxlfm_mem_module_event_decode(&r, &mm), -EINVAL);
	r.uuid[15] ^= 1;
	assert_int_equal(cxlfm_gen_media_event_decode(&r, &e), -EINVAL);
	assert_int_equal(cxlfm_gen_media_event_decode(NULL, &e), -EINVAL);
}

static void test_dram_event(void **state)
{
	struct cxlfm_event_record r;
	struct cxlfm_dram_event d;
	struct cxlfm_gen_media_event e;

	(void)state;
	craft(&r, cxlfm_dram_event_uuid, 0x80);
	le64_put(r.data, 0x0000000080000041ull); /* DPA 0x80000040, volatile */
	assert_int_equal(cxlfm_dram_event_decode(&r, &d), 0);
	assert_int_equal(d.media.dpa, 0x80000040ull);
	assert_int_equal(d.media.dpa_flags, CXLFM_MEDIA_EV_DPA_VOLATILE);
	assert_int_equal(d.media.descriptor, 0x88);       /* 38h */
	assert_int_equal(d.media.type, 0x89);
	assert_int_equal(d.media.transaction_type, 0x8a);
	assert_int_equal(d.media.validity, 0x8c8b);       /* 3Bh */
	assert_int_equal(d.media.channel, 0x8d);
	assert_int_equal(d.media.rank, 0x8e);
	assert_int_equal(d.nibble_mask, 0x91908f);  /* 3Fh, 3 bytes */
	assert_int_equal(d.bank_group, 0x92);       /* 42h */
	assert_int_equal(d.bank, 0x93);             /* 43h */
	assert_int_equal(d.row, 0x969594);          /* 44h, 3 bytes */
	assert_int_equal(d.column, 0x9897);         /* 47h */
	assert_int_equal(d.correction_mask[0], 0xa09f9e9d9c9b9a99ull); /* 49h */
	assert_int_equal(d.correction_mask[3], 0xb8b7b6b5b4b3b2b1ull); /* 61h */
	for (unsigned i = 0; i < 16; i++)           /* 69h */
		assert_int_equal(d.component_id[i], 0xb9 + i);
	assert_int_equal(d.sub_channel, 0xc9);      /* 79h */
	assert_int_equal(d.cme_flags, 0xca);        /* 7Ah */
	assert_int_equal(d.cvme_count, 0xcdcccb);   /* 7Bh, 3 bytes */
	assert_int_equal(d.sub_type, 0xce);         /* 7Eh; 7Fh is reserved */
	assert_int_equal(cxlfm_gen_media_event_decode(&r, &e), -EINVAL);
	r.uuid[0] ^= 0x80;
	assert_int_equal(cxlfm_dram_event_decode(&r, &d), -EINVAL);
}

/* Requests that cannot be encoded never leave. */
static void test_bad_requests(void **state)
{
	const struct cxlfm_get_poison_list_req req = { 0, 100 };
	struct cxlfm_get_poison_list_rsp *rsp = malloc(sizeof(*rsp));

	(void)state;
	assert_int_equal(cxlfm_cmd_get_poison_list(NULL, NULL, &req, rsp), -EINVAL);
	assert_int_equal(cxlfm_cmd_scan_media(NULL, NULL, &(struct cxlfm_scan_media_req){ 0, 64, false }),
			 -EINVAL);
	assert_int_equal(cxlfm_cmd_sanitize(NULL, NULL), -EINVAL);
	free(rsp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poison_list),
		cmocka_unit_test(test_scan_media),
		cmocka_unit_test(test_security_and_qos),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_gen_media_event),
		cmocka_unit_test(test_dram_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
