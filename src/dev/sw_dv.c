/* SPDX-License-Identifier: MIT */
/*
 * Domain validation secret values (sw_dv.h). QEMU implements none of
 * 5104h-5107h (Unsupported); the rules here are CXL r3.1's.
 */
#include "dev/sw_dv.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"

void sw_dv_reset(struct sw_dv *dv, const char *sw_id, unsigned vcs)
{
	if (dv->set)
		log_info("sw %s vcs %u: domain validation secret value cleared (reset)", sw_id,
			 vcs);
	*dv = (struct sw_dv){ .set = false };
}

/*
 * CXL r3.1 §7.6.7.1.6 Set Domain Validation SV (Opcode 5105h): 0:16 the
 * secret value (a UUID identifying the host hierarchy) of the host's VCS.
 * "The secret value can be set only once": a second Set is Invalid Input
 * and keeps the first, until the VCS's hierarchy is reset (its upstream
 * port's PERST#, sw.c). Any 16 bytes are a value, the nil UUID too.
 */
static uint16_t cmd_sw_set_dv_sv(struct cci *cci, const struct cci_cmd *cmd,
				 struct cci_call *call)
{
	struct sw_dv *dv = sw_dv_of(cci, -1);
	char u[33];

	(void)cmd;
	if (!dv)
		return CXL_RC_INTERNAL_ERROR;
	if (dv->set) {
		log_dbg("sw %s: domain validation secret value already set", sw_id_of(cci));
		return CXL_RC_INVALID_INPUT;
	}
	memcpy(dv->sv, call->in, sizeof(dv->sv));
	dv->set = true;
	for (unsigned i = 0; i < 16; i++)
		snprintf(u + 2 * i, 3, "%02x", dv->sv[i]);
	log_info("sw %s: domain validation secret value %s set (via %s)", sw_id_of(cci), u,
		 cci->name);
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §7.6.7.1.5 Get Domain Validation SV State (Opcode 5104h), the
 * host's, no input: its own VCS; §7.6.7.1.7 Get VCS Domain Validation SV
 * State (Opcode 5106h), the FM's: input 0 VCS ID. Output 0 Secret Value
 * State (00h not set, 01h set). A VCS the switch does not have is Invalid
 * Input (the spec lists no return code for it).
 */
static uint16_t cmd_sw_get_dv_sv_state(struct cci *cci, const struct cci_cmd *cmd,
				       struct cci_call *call)
{
	bool own = cmd->info->opcode == CCI_OP_GET_DOMAIN_VALIDATION_SV_STATE;
	struct sw_dv *dv = sw_dv_of(cci, own ? -1 : call->in[0]);

	if (!dv)
		return CXL_RC_INVALID_INPUT;
	call->out[0] = dv->set ? 0x01 : 0x00;
	call->out_len = 1;
	return CXL_RC_SUCCESS;
}

/*
 * CXL r3.1 §7.6.7.1.8 Get Domain Validation SV (Opcode 5107h): input 0 VCS
 * ID, output 0:16 its secret value; all zeros while none is set (5106h
 * tells the two apart). A VCS the switch does not have is Invalid Input.
 */
static uint16_t cmd_sw_get_dv_sv(struct cci *cci, const struct cci_cmd *cmd,
				 struct cci_call *call)
{
	struct sw_dv *dv = sw_dv_of(cci, call->in[0]);

	(void)cmd;
	if (!dv)
		return CXL_RC_INVALID_INPUT;
	if (dv->set)
		memcpy(call->out, dv->sv, sizeof(dv->sv));
	call->out_len = CXL_OUT_GET_DOMAIN_VALIDATION_SV;
	return CXL_RC_SUCCESS;
}

static const struct cci_cmd sw_dv_mbox_cmds[] = {
	CCI_CMD(GET_DOMAIN_VALIDATION_SV_STATE, cmd_sw_get_dv_sv_state),
	CCI_CMD(SET_DOMAIN_VALIDATION_SV, cmd_sw_set_dv_sv),
	CCI_CMD(GET_VCS_DOMAIN_VALIDATION_SV_STATE, cmd_sw_get_dv_sv_state),
	CCI_CMD(GET_DOMAIN_VALIDATION_SV, cmd_sw_get_dv_sv),
};
static const struct cci_cmd sw_dv_mctp_cmds[] = {
	CCI_CMD(GET_VCS_DOMAIN_VALIDATION_SV_STATE, cmd_sw_get_dv_sv_state),
	CCI_CMD(GET_DOMAIN_VALIDATION_SV, cmd_sw_get_dv_sv),
};
const struct cci_cmd_set sw_dv_mbox_set = CCI_SET("switch-dv", CXLFM_CCI_SW, sw_dv_mbox_cmds);
const struct cci_cmd_set sw_dv_mctp_set = CCI_SET("switch-dv", CXLFM_CCI_SW, sw_dv_mctp_cmds);
