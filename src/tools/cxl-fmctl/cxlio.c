/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl config-read / config-write / mem-read / mem-write: CXL.io through
 * a switch (include/cxlfm/cxlio.h). Without --ld a configuration request
 * goes to the PPB of downstream port --port (Send PPB CXL.io Configuration
 * Request, 5103h); with --ld to that LD of the MLD below the port (Send LD
 * CXL.io Configuration Request, 5301h). Memory requests go to an LD (Send
 * LD CXL.io Memory Request, 5302h), split into --chunk byte pieces so each
 * fits the switch CCI's message limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "cxlfm/cxlio.h"

#define MEM_MAX (1u << 20)   /* bytes one mem-read / mem-write moves */
#define CHUNK_DEFAULT 256u   /* fits a 512-byte MCTP CCI both ways */

struct io_opts {
	long port;           /* -1: not given */
	long ld;             /* -1: the PPB (config) / not given (mem) */
	unsigned long be;
	unsigned long chunk;
};

static const struct option io_longopts[] = {
	{ "port", required_argument, NULL, 'p' },
	{ "ld", required_argument, NULL, 'l' },
	{ "be", required_argument, NULL, 'b' },
	{ "chunk", required_argument, NULL, 'c' },
	{ NULL, 0, NULL, 0 },
};

static int io_opt(struct fmctl *f, int c, const char *arg, void *ctx)
{
	struct io_opts *o = ctx;
	unsigned long v;

	(void)f;
	switch (c) {
	case 'p':
		if (fm_parse_uint(arg, 255, &v))
			return -1;
		o->port = (long)v;
		return 0;
	case 'l':
		if (!strcmp(arg, "fmld"))
			v = CXLFM_LD_FMLD;
		else if (fm_parse_uint(arg, 0xffff, &v))
			return -1;
		o->ld = (long)v;
		return 0;
	case 'b':
		return fm_parse_uint(arg, 0xf, &o->be) ? -1 : 0;
	case 'c':
		if (fm_parse_uint(arg, CXLFM_LD_MEM_MAX, &v) || v == 0)
			return -1;
		o->chunk = v;
		return 0;
	default:
		return -1;
	}
}

static struct json_object *hex(uint64_t v, int digits)
{
	char b[24];

	snprintf(b, sizeof(b), "0x%0*llx", digits, (unsigned long long)v);
	return json_object_new_string(b);
}

static struct json_object *target_json(const struct io_opts *o)
{
	struct json_object *j = json_object_new_object();

	fm_json_add(j, "port", json_object_new_int((int)o->port));
	if (o->ld >= 0)
		fm_json_add(j, "ld", json_object_new_int((int)o->ld));
	return j;
}

/* Parse the options; the number of the first operand or -1 / -2 (fm_parse). */
static int io_parse(struct fmctl *f, int argc, char **argv, const char *help,
		    struct io_opts *o, bool need_ld)
{
	int i = fm_parse(f, argc, argv, "p:l:", io_longopts, help, io_opt, o);

	if (i < 0)
		return i;
	if (o->port < 0) {
		fm_usage_error(f, "--port is required");
		return -1;
	}
	if (need_ld && o->ld < 0) {
		fm_usage_error(f, "--ld is required");
		return -1;
	}
	return i;
}

static int config_one(struct fmctl *f, struct cxlfm_ep *ep, const struct io_opts *o,
		      const struct cxlfm_config_req *req, uint32_t *val)
{
	struct cxlfm_config_rsp rsp;
	int rc;

	if (o->ld < 0)
		rc = cxlfm_cmd_send_ppb_config(ep, fm_tun(f), (uint8_t)o->port, req, &rsp);
	else
		rc = cxlfm_cmd_send_ld_config(ep, fm_tun(f), (uint8_t)o->port, (uint16_t)o->ld,
					      req, &rsp);
	if (rc)
		return fm_fail(f, ep, o->ld < 0 ? CXLFM_OP_SEND_PPB_CXLIO_CONFIG_REQ :
				      CXLFM_OP_SEND_LD_CXLIO_CONFIG_REQ, rc);
	*val = rsp.data;
	return EXIT_OK;
}

static const char read_help[] =
	"Usage: cxl-fmctl config-read --port N [--ld LD|fmld] [--be MASK] OFFSET [LENGTH]\n"
	"Read LENGTH bytes (a multiple of 4, default 4) of configuration space from\n"
	"OFFSET (dword aligned), one dword per request: of the PPB of switch port N\n"
	"(Send PPB CXL.io Configuration Request, 5103h, CXL r3.1 7.6.7.1.4), or with\n"
	"--ld of that LD of the MLD below it ('fmld': its FM-owned LD; Send LD CXL.io\n"
	"Configuration Request, 5301h, 7.6.7.3.2). The switch answers only for what\n"
	"the FM owns: unbound ports, MLD ports, unbound LDs. --be sets the first DW\n"
	"byte enables (default 0xf).\n"
	"\n"
	"Keys: port, ld, offset, values (one 0x%08x per dword).\n";

int cmd_config_read(int argc, char **argv, struct fmctl *f)
{
	struct io_opts o = { .port = -1, .ld = -1, .be = 0xf };
	struct json_object *j, *vals;
	unsigned long off, len = 4;
	struct cxlfm_ep *ep;
	int i = io_parse(f, argc, argv, read_help, &o, false), rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i >= argc)
		return fm_usage_error(f, "give the OFFSET");
	if (fm_parse_uint(argv[i], 0xffc, &off) || off % 4)
		return fm_usage_error(f, "bad OFFSET '%s' (a multiple of 4 below 0x1000)", argv[i]);
	if (i + 1 < argc && (fm_parse_uint(argv[i + 1], 0x1000 - off, &len) || !len || len % 4))
		return fm_usage_error(f, "bad LENGTH '%s' (a multiple of 4 within the 4 KiB "
				      "space)", argv[i + 1]);
	if (i + 2 < argc)
		return fm_extra_operand(f, argv[i + 2]);
	if ((rc = fm_endpoint(f, WANT_SWITCH, &ep)))
		return rc;
	vals = json_object_new_array();
	for (unsigned long a = off; a < off + len; a += 4) {
		struct cxlfm_config_req req = { .offset = (uint16_t)a, .byte_enables = (uint8_t)o.be };
		uint32_t v;

		if ((rc = config_one(f, ep, &o, &req, &v))) {
			json_object_put(vals);
			return rc;
		}
		json_object_array_add(vals, hex(v, 8));
	}
	j = target_json(&o);
	fm_json_add(j, "offset", hex(off, 3));
	fm_json_add(j, "values", vals);
	fm_print(f, j);
	return EXIT_OK;
}

static const char write_help[] =
	"Usage: cxl-fmctl config-write --port N [--ld LD|fmld] [--be MASK] OFFSET VALUE\n"
	"Write the dword VALUE at OFFSET (dword aligned) of the configuration space of\n"
	"the PPB of switch port N (5103h), or with --ld of that LD of the MLD below it\n"
	"(5301h); only the writable bits change. --be sets the first DW byte enables\n"
	"(default 0xf: all four bytes). The dword is read back afterwards.\n"
	"\n"
	"Keys: port, ld, offset, byte_enables, written, value (read back).\n";

int cmd_config_write(int argc, char **argv, struct fmctl *f)
{
	struct io_opts o = { .port = -1, .ld = -1, .be = 0xf };
	struct cxlfm_config_req req;
	unsigned long off;
	uint64_t val;
	uint32_t now;
	struct json_object *j;
	struct cxlfm_ep *ep;
	int i = io_parse(f, argc, argv, write_help, &o, false), rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i + 2 > argc)
		return fm_usage_error(f, "give OFFSET and VALUE");
	if (fm_parse_uint(argv[i], 0xffc, &off) || off % 4)
		return fm_usage_error(f, "bad OFFSET '%s' (a multiple of 4 below 0x1000)", argv[i]);
	if (fm_parse_u64(argv[i + 1], &val) || val > UINT32_MAX)
		return fm_usage_error(f, "bad VALUE '%s' (a dword)", argv[i + 1]);
	if (i + 2 < argc)
		return fm_extra_operand(f, argv[i + 2]);
	if ((rc = fm_endpoint(f, WANT_SWITCH, &ep)))
		return rc;
	req = (struct cxlfm_config_req){ .offset = (uint16_t)off, .byte_enables = (uint8_t)o.be,
					 .write = true, .data = (uint32_t)val };
	if ((rc = config_one(f, ep, &o, &req, &now)))
		return rc;
	req = (struct cxlfm_config_req){ .offset = (uint16_t)off, .byte_enables = 0xf };
	if ((rc = config_one(f, ep, &o, &req, &now)))
		return rc;
	j = target_json(&o);
	fm_json_add(j, "offset", hex(off, 3));
	fm_json_add(j, "byte_enables", hex(o.be, 1));
	fm_json_add(j, "written", hex(val, 8));
	fm_json_add(j, "value", hex(now, 8));
	fm_print(f, j);
	return EXIT_OK;
}

/*
 * Move len bytes at addr in --chunk pieces; stops early when the device
 * returns fewer bytes than asked. *done gets the bytes moved.
 */
static int mem_xfer(struct fmctl *f, struct cxlfm_ep *ep, const struct io_opts *o,
		    uint64_t addr, uint8_t *buf, size_t len, bool write, size_t *done)
{
	struct cxlfm_ld_mem_rsp *rsp = malloc(sizeof(*rsp));
	int rc = EXIT_OK;

	*done = 0;
	if (!rsp)
		return fm_error(f, EXIT_TRANSPORT, "out of memory");
	while (*done < len) {
		size_t n = len - *done < o->chunk ? len - *done : o->chunk;
		struct cxlfm_ld_mem_req req = {
			.port_id = (uint8_t)o->port, .ld_id = (uint16_t)o->ld,
			.addr = addr + *done, .length = (uint16_t)n, .write = write,
			.data = write ? buf + *done : NULL,
		};
		int r = cxlfm_cmd_send_ld_mem(ep, fm_tun(f), &req, rsp);

		if (r) {
			rc = fm_fail(f, ep, CXLFM_OP_SEND_LD_CXLIO_MEM_REQ, r);
			break;
		}
		if (!write)
			memcpy(buf + *done, rsp->data, rsp->returned);
		*done += rsp->returned;
		if (rsp->returned < n) {
			fprintf(stderr, "%s: the device moved %zu of %zu bytes (it stopped at "
				"0x%llx)\n", f->prog, *done, len,
				(unsigned long long)(addr + *done));
			break;
		}
	}
	free(rsp);
	return rc;
}

static struct json_object *mem_json(const struct io_opts *o, uint64_t addr, size_t len,
				    size_t done)
{
	struct json_object *j = target_json(o);

	fm_json_add(j, "address", hex(addr, 1));
	fm_json_add(j, "length", fm_json_u64(len));
	fm_json_add(j, "returned", fm_json_u64(done));
	return j;
}

static const char mread_help[] =
	"Usage: cxl-fmctl mem-read --port N --ld LD|fmld [--chunk BYTES] ADDRESS LENGTH\n"
	"Read LENGTH bytes (at most 1 MiB) at ADDRESS, an address in a memory BAR of\n"
	"that LD's function, of the MLD below switch port N (Send LD CXL.io Memory\n"
	"Request, 5302h, CXL r3.1 7.6.7.3.3), --chunk bytes per request (default\n"
	"256, at most 4096: a request's answer must fit the switch CCI's message\n"
	"limit). The LD's BARs and Memory Space Enable are set with config-write.\n"
	"\n"
	"Keys: port, ld, address, length, returned (bytes the device moved), data\n"
	"(hex).\n";

int cmd_mem_read(int argc, char **argv, struct fmctl *f)
{
	struct io_opts o = { .port = -1, .ld = -1, .chunk = CHUNK_DEFAULT };
	struct json_object *j;
	uint64_t addr, len;
	struct cxlfm_ep *ep;
	size_t done;
	uint8_t *buf;
	char *txt;
	int i = io_parse(f, argc, argv, mread_help, &o, true), rc;

	if (i < 0)
		return fm_parse_exit(i);
	if (i + 2 > argc)
		return fm_usage_error(f, "give ADDRESS and LENGTH");
	if (fm_parse_u64(argv[i], &addr))
		return fm_usage_error(f, "bad ADDRESS '%s'", argv[i]);
	if (fm_parse_size(argv[i + 1], &len) || len > MEM_MAX)
		return fm_usage_error(f, "bad LENGTH '%s' (at most 1 MiB)", argv[i + 1]);
	if (i + 2 < argc)
		return fm_extra_operand(f, argv[i + 2]);
	if ((rc = fm_endpoint(f, WANT_SWITCH, &ep)))
		return rc;
	buf = malloc(len ? len : 1);
	txt = malloc(2 * len + 1);
	if (!buf || !txt) {
		free(buf);
		free(txt);
		return fm_error(f, EXIT_TRANSPORT, "out of memory");
	}
	rc = mem_xfer(f, ep, &o, addr, buf, len, false, &done);
	if (!rc) {
		for (size_t k = 0; k < done; k++)
			snprintf(txt + 2 * k, 3, "%02x", buf[k]);
		txt[2 * done] = 0;
		j = mem_json(&o, addr, len, done);
		fm_json_add(j, "data", json_object_new_string(txt));
		fm_print(f, j);
	}
	free(buf);
	free(txt);
	return rc;
}

static const char mwrite_help[] =
	"Usage: cxl-fmctl mem-write --port N --ld LD|fmld [--chunk BYTES] ADDRESS HEX\n"
	"Write the bytes HEX (\"0a0b0c\", \"0a 0b\", \"0a:0b\"; at most 1 MiB) at\n"
	"ADDRESS, an address in a memory BAR of that LD's function, of the MLD below\n"
	"switch port N (Send LD CXL.io Memory Request, 5302h, CXL r3.1 7.6.7.3.3),\n"
	"--chunk bytes per request (default 256, at most 4096).\n"
	"\n"
	"Keys: port, ld, address, length, returned (bytes the device took).\n";

int cmd_mem_write(int argc, char **argv, struct fmctl *f)
{
	struct io_opts o = { .port = -1, .ld = -1, .chunk = CHUNK_DEFAULT };
	struct cxlfm_ep *ep;
	uint64_t addr;
	size_t done;
	uint8_t *buf;
	int i = io_parse(f, argc, argv, mwrite_help, &o, true), rc, n;

	if (i < 0)
		return fm_parse_exit(i);
	if (i + 2 > argc)
		return fm_usage_error(f, "give ADDRESS and HEX data");
	if (fm_parse_u64(argv[i], &addr))
		return fm_usage_error(f, "bad ADDRESS '%s'", argv[i]);
	if (i + 2 < argc)
		return fm_extra_operand(f, argv[i + 2]);
	buf = malloc(MEM_MAX);
	if (!buf)
		return fm_error(f, EXIT_TRANSPORT, "out of memory");
	n = fm_parse_hex(argv[i + 1], buf, MEM_MAX);
	if (n < 0) {
		free(buf);
		return fm_usage_error(f, "bad HEX data (pairs of hex digits, at most 1 MiB)");
	}
	if ((rc = fm_endpoint(f, WANT_SWITCH, &ep))) {
		free(buf);
		return rc;
	}
	rc = mem_xfer(f, ep, &o, addr, buf, (size_t)n, true, &done);
	if (!rc)
		fm_print(f, mem_json(&o, addr, (size_t)n, done));
	free(buf);
	return rc;
}
