/* SPDX-License-Identifier: MIT */
#include "proto/commands.h"

const struct cxl_cmd_info cxl_cmd_table[CXL_CMD_COUNT] = {
#define CXL_CMD_INFO_(op, id_, name_, ref_, in, out, eff, ccis_) \
	[CXL_CMD_IDX_##id_] = { \
		.opcode = (op), .effects = (eff), .ccis = (ccis_), \
		.in_var = CXLFM_LEN_IS_VAR(in), .out_var = CXLFM_LEN_IS_VAR(out), \
		.in_len = CXLFM_LEN_MIN(in), .out_len = CXLFM_LEN_MIN(out), \
		.id = #id_, .name = (name_), .ref = (ref_), \
	},
	CXLFM_COMMANDS(CXL_CMD_INFO_)
#undef CXL_CMD_INFO_
};

const struct cxl_cmd_info *cxl_cmd_find(uint16_t opcode)
{
	size_t lo = 0, hi = CXL_CMD_COUNT;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cxl_cmd_table[mid].opcode == opcode)
			return &cxl_cmd_table[mid];
		if (cxl_cmd_table[mid].opcode < opcode)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *cxl_effect_name(unsigned bit)
{
	static const char *const names[16] = {
#define CXL_EFFECT_NAME_(bit_, id, name) [bit_] = (name),
		CXLFM_EFFECTS(CXL_EFFECT_NAME_)
#undef CXL_EFFECT_NAME_
	};

	return bit < 16 ? names[bit] : NULL;
}
