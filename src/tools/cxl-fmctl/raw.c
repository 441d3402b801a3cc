/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl raw: any opcode with a hex payload, for commands cxl-fmctl has
 * no verb for; and cel: the Command Effects Log, i.e. what a CCI supports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"

#define RAW_MAX 2048

static const char raw_help[] =
	"Usage: cxl-fmctl raw OPCODE [HEX...] [--addr 0xNN | --tunnel PORT[:LD]]\n"
	"Send command OPCODE (hex: 5600, 0x5600 or 5600h) with the payload given as\n"
	"hex bytes (\"01 02\", 0102, 01:02; several arguments are joined) and print\n"
	"the return code and the response payload. Command sets 51h-56h go as MCTP\n"
	"message type 07h (FM API), the rest as 08h (CXL CCI). A CXL error return\n"
	"code is printed too, and the exit code is 3. Without --addr the endpoint\n"
	"is the switch for command sets 51h-53h, the type-3 device for 48h and\n"
	"54h-56h, else the only endpoint on the bus.\n"
	"\n"
	"Keys: opcode, name, rc, rc_name, length, payload (hex bytes).\n";

static int parse_opcode(const char *s, uint16_t *out)
{
	char buf[16], *end;
	size_t n = strlen(s);
	unsigned long v;

	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	if (buf[n - 1] == 'h' || buf[n - 1] == 'H')
		buf[n - 1] = 0;
	v = strtoul(buf, &end, 16);
	if (end == buf || *end || v > 0xffff)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static void hexdump(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 16) {
		printf("  %04zx ", i);
		for (size_t k = i; k < i + 16 && k < n; k++)
			printf(" %02x", p[k]);
		putchar('\n');
	}
}

int cmd_raw(int argc, char **argv, struct fmctl *f)
{
	static uint8_t in[RAW_MAX], out[RAW_MAX];
	size_t in_len = 0, out_len = 0;
	struct json_object *o;
	struct cxlfm_ep *ep;
	const char *name;
	uint16_t opcode;
	char *hex;
	int i = fm_parse(f, argc, argv, "", NULL, raw_help, NULL, NULL);
	int rc;
	bool json;

	if (i < 0)
		return fm_parse_exit(i);
	if (i >= argc || parse_opcode(argv[i], &opcode))
		return fm_usage_error(f, "expected OPCODE (hex), got '%s'", i < argc ? argv[i] : "");
	for (int k = i + 1; k < argc; k++) {
		int n = fm_parse_hex(argv[k], in + in_len, sizeof(in) - in_len);

		if (n < 0)
			return fm_usage_error(f, "bad hex payload '%s'", argv[k]);
		in_len += (size_t)n;
	}
	/* Without --addr: the kind of endpoint the command set belongs to. */
	switch (opcode >> 8) {
	case 0x51: case 0x52: case 0x53:
		rc = fm_endpoint(f, WANT_SWITCH, &ep);
		break;
	case 0x48: case 0x54: case 0x55: case 0x56:
		rc = fm_endpoint(f, WANT_TYPE3, &ep);
		break;
	default:
		rc = fm_endpoint(f, WANT_ANY, &ep);
		break;
	}
	if (rc)
		return rc;
	rc = cxlfm_cmd(ep, fm_tun(f), opcode, in, in_len, out, sizeof(out), &out_len);
	if (rc < 0)
		return fm_fail(f, ep, opcode, rc);
	name = cxlfm_opcode_name(opcode);
	json = f->json >= 0 ? f->json == 1 : !isatty(1);
	if (!json) {
		printf("opcode   0x%04x%s%s\nrc       %s (0x%02x)\nlength   %zu\n", opcode,
		       name ? " " : "", name ? name : "", cxlfm_rc_str(rc), rc, out_len);
		hexdump(out, out_len);
	} else {
		hex = malloc(3 * out_len + 1);
		if (!hex)
			return fm_error(f, EXIT_TRANSPORT, "out of memory");
		hex[0] = 0;
		for (size_t k = 0; k < out_len; k++)
			snprintf(hex + 3 * k, 4, "%02x%s", out[k], k + 1 < out_len ? " " : "");
		o = json_object_new_object();
		fm_json_add(o, "opcode", fm_json_hex16(opcode));
		fm_json_add(o, "name", name ? json_object_new_string(name) : NULL);
		fm_json_add(o, "rc", json_object_new_int(rc));
		fm_json_add(o, "rc_name", json_object_new_string(cxlfm_rc_str(rc)));
		fm_json_add(o, "length", json_object_new_int((int)out_len));
		fm_json_add(o, "payload", json_object_new_string(hex));
		free(hex);
		fm_print(f, o);
	}
	return rc > CXLFM_RC_BG_STARTED ? fm_fail(f, ep, opcode, rc) : EXIT_OK;
}

/* ---- cel ---- */

static const char cel_help[] =
	"Usage: cxl-fmctl cel [--addr 0xNN | --tunnel PORT[:LD]]\n"
	"The Command Effects Log (Get Supported Logs 0400h, Get Log 0401h; CXL r3.1\n"
	"8.2.9.5.2.1): every command the CCI implements and its effects.\n"
	"\n"
	"Keys: opcode, name, effects (the bits), effect_names.\n";

int cmd_cel(int argc, char **argv, struct fmctl *f)
{
	static const char *const effect_names[16] = {
#define EFFECT_NAME(bit, id, name) [bit] = name,
		CXLFM_EFFECTS(EFFECT_NAME)
#undef EFFECT_NAME
	};
	static struct cxlfm_cel cel;
	struct json_object *arr;
	struct cxlfm_ep *ep;
	int i = fm_parse(f, argc, argv, "", NULL, cel_help, NULL, NULL);
	int rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i < argc)
		return fm_extra_operand(f, argv[i]);
	if ((rc = fm_endpoint(f, WANT_ANY, &ep)))
		return rc;
	rc = cxlfm_cmd_get_cel(ep, fm_tun(f), &cel);
	if (rc == -ENOENT)
		return fm_error(f, EXIT_CXL, "the CCI lists no Command Effects Log");
	if (rc)
		return fm_fail(f, ep, CXLFM_OP_GET_LOG, rc);
	arr = json_object_new_array();
	for (uint32_t k = 0; k < cel.num_entries; k++) {
		struct json_object *x = json_object_new_object(), *names = json_object_new_array();
		const char *name = cxlfm_opcode_name(cel.entries[k].opcode);

		for (unsigned b = 0; b < 16; b++)
			if ((cel.entries[k].effects & (1u << b)) && effect_names[b])
				json_object_array_add(names, json_object_new_string(effect_names[b]));
		fm_json_add(x, "opcode", fm_json_hex16(cel.entries[k].opcode));
		fm_json_add(x, "name", name ? json_object_new_string(name) : NULL);
		fm_json_add(x, "effects", json_object_new_int(cel.entries[k].effects));
		fm_json_add(x, "effect_names", names);
		json_object_array_add(arr, x);
	}
	fm_print(f, arr);
	return EXIT_OK;
}
