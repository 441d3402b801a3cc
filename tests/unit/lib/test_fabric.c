/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm's fabric.h decoders on payloads and records built here: domain
 * validation and event interrupt policy responses (any other length is
 * -EBADMSG), and the Physical Switch, Virtual CXL Switch and MLD Port event
 * records field by field (another record kind is -EINVAL). The calls run
 * against the device model in test_fmapi.c and cxl-emu in tests/e2e.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cxlfm/fabric.h"
#include "lib/private.h"

static const struct cxlfm_decoder *dec(uint16_t opcode)
{
	const struct cxlfm_decoder *d = cxlfm_decoder_find(opcode);

	assert_non_null(d);
	return d;
}

static void test_responses(void **state)
{
	const uint8_t p[17] = { 0x01, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 };
	struct cxlfm_dv_sv_state_rsp st;
	struct cxlfm_get_domain_validation_sv_rsp sv;
	struct cxlfm_event_int_policy pol;

	(void)state;
	assert_int_equal(dec(CXLFM_OP_GET_DOMAIN_VALIDATION_SV_STATE)->decode(NULL, p, 1, &st), 0);
	assert_int_equal(st.state, CXLFM_SV_SET);
	assert_int_equal(dec(CXLFM_OP_GET_VCS_DOMAIN_VALIDATION_SV_STATE)->decode(NULL, p, 2, &st),
			 -EBADMSG);
	assert_int_equal(dec(CXLFM_OP_GET_DOMAIN_VALIDATION_SV)->decode(NULL, p, 16, &sv), 0);
	assert_memory_equal(sv.sv, p, 16);
	assert_int_equal(dec(CXLFM_OP_GET_DOMAIN_VALIDATION_SV)->decode(NULL, p, 17, &sv),
			 -EBADMSG);
	assert_int_equal(dec(CXLFM_OP_GET_DOMAIN_VALIDATION_SV)->decode(NULL, p, 15, &sv),
			 -EBADMSG);
	/* 5 settings, or 4 from a device without a dynamic capacity log */
	assert_int_equal(dec(CXLFM_OP_GET_EVENT_INT_POLICY)->decode(NULL, p, 5, &pol), 0);
	assert_int_equal(pol.num_settings, 5);
	assert_int_equal(pol.settings[4], 5);
	assert_int_equal(dec(CXLFM_OP_GET_EVENT_INT_POLICY)->decode(NULL, p, 4, &pol), 0);
	assert_int_equal(pol.num_settings, 4);
	assert_int_equal(pol.settings[4], 0);
	assert_int_equal(dec(CXLFM_OP_GET_EVENT_INT_POLICY)->decode(NULL, p, 3, &pol), -EBADMSG);
	assert_int_equal(dec(CXLFM_OP_GET_EVENT_INT_POLICY)->decode(NULL, p, 6, &pol), -EBADMSG);
}

static void test_records(void **state)
{
	/* CXL r3.2 Table 7-79 from byte 30h: port 3, link state change, slot status
	 * 0140h, state DSP, mode 2, type MLD, modes 06h, widths x16 / x8, speeds
	 * 3Fh, max 6, current 5, L0, lane 1, flags 0004h */
	const uint8_t phys[19] = { 3, 0x00, 0x40, 0x01, 0xee, 0xf3, 0xf2, 0xee, 0x05, 0x06,
				   0xd0, 0x08, 0x3f, 0x06, 0x05, 0x04, 0x01, 0x04, 0x00 };
	const uint8_t vcs[10] = { 0, 7, 0x00, 0x03, 2, 1, 0x34, 0x12, 0x78, 0x56 };
	const uint8_t mld[12] = { 0x02, 9, 0, 0, 0x30, 1, 2, 3, 4, 5, 6, 0x33 };
	struct cxlfm_event_record r = { .length = 128 };
	struct cxlfm_phys_switch_event pe;
	struct cxlfm_vcs_event ve;
	struct cxlfm_mld_port_event me;

	(void)state;
	memcpy(r.uuid, cxlfm_phys_switch_event_uuid, 16);
	memcpy(r.data, phys, sizeof(phys));
	assert_int_equal(cxlfm_phys_switch_event_decode(&r, &pe), 0);
	assert_int_equal(pe.type, CXLFM_PHYS_EVENT_LINK_STATE);
	assert_int_equal(pe.slot_status, 0x0140);
	assert_int_equal(pe.port.port_id, 3);
	assert_int_equal(pe.port.config_state, 3);        /* reserved bits dropped */
	assert_int_equal(pe.port.connected_dev_mode, 2);
	assert_int_equal(pe.port.connected_dev_type, CXLFM_DEV_CXL_TYPE3_MLD);
	assert_int_equal(pe.port.supported_cxl_modes, 0x06);
	assert_int_equal(pe.port.max_link_width, 0x10);  /* bits[5:0] */
	assert_int_equal(pe.port.negotiated_link_width, 8);
	assert_int_equal(pe.port.supported_link_speeds, 0x3f);
	assert_int_equal(pe.port.max_link_speed, 6);
	assert_int_equal(pe.port.current_link_speed, 5);
	assert_int_equal(pe.port.ltssm_state, 4);
	assert_int_equal(pe.port.first_negotiated_lane, 1);
	assert_int_equal(pe.port.link_state_flags, CXLFM_LINK_PRSNT);
	assert_int_equal(cxlfm_vcs_event_decode(&r, &ve), -EINVAL);
	assert_int_equal(cxlfm_mld_port_event_decode(&r, &me), -EINVAL);

	memcpy(r.uuid, cxlfm_vcs_event_uuid, 16);
	memcpy(r.data, vcs, sizeof(vcs));
	assert_int_equal(cxlfm_vcs_event_decode(&r, &ve), 0);
	assert_int_equal(ve.vppb_id, 7);
	assert_int_equal(ve.type, CXLFM_VCS_EVENT_BINDING_CHANGE);
	assert_int_equal(ve.vppb.status, 0x03);
	assert_int_equal(ve.vppb.port_id, 2);
	assert_int_equal(ve.vppb.ld_id, 1);
	assert_int_equal(ve.link_control, 0x1234);
	assert_int_equal(ve.slot_control, 0x5678);
	assert_int_equal(cxlfm_phys_switch_event_decode(&r, &pe), -EINVAL);

	memcpy(r.uuid, cxlfm_mld_port_event_uuid, 16);
	memcpy(r.data, mld, sizeof(mld));
	assert_int_equal(cxlfm_mld_port_event_decode(&r, &me), 0);
	assert_int_equal(me.type, CXLFM_MLD_PORT_ERR_FATAL);
	assert_int_equal(me.port_id, 9);
	assert_memory_equal(me.msg, mld + 4, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_responses),
		cmocka_unit_test(test_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
