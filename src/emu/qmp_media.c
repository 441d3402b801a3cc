/* SPDX-License-Identifier: MIT */
#include "emu/qmp_media.h"

#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "dev/cci.h"
#include "dev/sw.h"
#include "dev/t3.h"
#include "emu/host.h"
#include "emu/qmp_server.h"
#include "proto/qmp.h"
#include "util/base64.h"

#define MEM_MAX 4096u /* bytes a x-cxl-mem read or write moves */

static const struct qmp_arg mailbox_args[] = {
	{ .name = "path", .type = QMP_T_STR,
	  .doc = "the cxl-type3 device, or a switch (its cxl-upstream: the switch mailbox CCI)" },
	{ .name = "opcode", .type = QMP_T_UINT16 },
	{ .name = "payload", .type = QMP_T_STR, .optional = true,
	  .doc = "the request payload, base64 (default: none)" },
	{ 0 },
};

static const struct qmp_arg mem_args[] = {
	{ .name = "path", .type = QMP_T_STR, .doc = "the cxl-type3 device" },
	{ .name = "dpa", .type = QMP_T_UINT, .doc = "device physical address" },
	{ .name = "ld", .type = QMP_T_UINT16, .optional = true,
	  .doc = "an MLD's LD: dpa is an address in that LD's memory, as its host sees it" },
	{ .name = "length", .type = QMP_T_UINT32, .optional = true,
	  .doc = "read this many bytes (at most 4096)" },
	{ .name = "data", .type = QMP_T_STR, .optional = true,
	  .doc = "write these bytes, base64 (at most 4096)" },
	{ 0 },
};

static const char *arg_str(struct json_object *a, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(a, key, &v) ? json_object_get_string(v) : NULL;
}

/* The device at "path", or NULL with the error sent as QEMU words it. */
static struct t3_dev *device(struct qmp_req *req, struct emu_host *h, struct json_object *a)
{
	const char *path = arg_str(a, "path");
	struct t3_dev *t = emu_host_t3(h, path);

	if (!t)
		qmp_reply_error(req, "GenericError",
				"Unable to resolve CXL type 3 device at path '%s'", path);
	return t;
}

/*
 * The mailbox CCI a host's driver reaches at "path": a type-3 device's, or
 * a switch's cxl-switch-mailbox-cci (the host's own switch commands, such
 * as Set Domain Validation SV); NULL with the error sent.
 */
static struct cci *mailbox(struct qmp_req *req, struct emu_host *h, struct json_object *a)
{
	const char *path = arg_str(a, "path");
	struct t3_dev *t = emu_host_t3(h, path);
	struct sw_dev *sw = t ? NULL : emu_host_switch(h, path);

	if (t)
		return t3_host_cci(t);
	if (sw)
		return sw_mbox_cci(sw);
	qmp_reply_error(req, "GenericError",
			"Unable to resolve CXL type 3 device or switch at path '%s'", path);
	return NULL;
}

/*
 * x-cxl-mailbox: the command runs on the host mailbox CCI as the host's
 * driver sends it; the answer has the shape of cxl-process-mctp-message's
 * inline mode (ret-val, bg-started, payload in base64).
 */
static void cmd_mailbox(struct qmp_req *req, struct json_object *a, void *arg)
{
	static uint8_t in[T3_HOST_PAYLOAD_MAX], out[T3_HOST_PAYLOAD_MAX];
	static char b64[BASE64_LEN(T3_HOST_PAYLOAD_MAX) + 1];
	struct emu_host *h = arg;
	struct cci *cci = mailbox(req, h, a);
	const char *pl = arg_str(a, "payload");
	struct json_object *op, *ret;
	size_t out_len = 0;
	int n = 0;
	uint16_t rc;

	if (!cci)
		return;
	if (pl && (n = base64_decode(pl, in, sizeof(in))) < 0) {
		qmp_reply_error(req, "GenericError", "Parameter 'payload' is not base64 of at "
				"most %u bytes", T3_HOST_PAYLOAD_MAX);
		return;
	}
	json_object_object_get_ex(a, "opcode", &op);
	rc = cci_process(cci, (uint16_t)json_object_get_uint64(op), in, (size_t)n, out, &out_len);
	emu_host_bg_kick(h); /* a background operation it started completes on time */
	base64_encode(out, out_len, b64);
	ret = json_object_new_object();
	json_object_object_add(ret, "ret-val", json_object_new_int(rc));
	json_object_object_add(ret, "bg-started", json_object_new_boolean(rc == CXL_RC_BG_STARTED));
	json_object_object_add(ret, "payload", json_object_new_string(b64));
	qmp_reply_return(req, ret);
}

/* Why the device refused a memory access (t3_mem_access()'s return values). */
static const char *mem_error(int rc)
{
	switch (rc) {
	case -EACCES:
		return "the persistent capacity is locked (security state)";
	case -ENOMEDIUM:
		return "the media is disabled (sanitize)";
	case -EIO:
		return "poison, or the backing memory failed";
	case -EFAULT:
		return "not capacity the host can access";
	case -ENXIO:
		return "no memory behind it";
	default:
		return strerror(-rc);
	}
}

/*
 * x-cxl-mem: a read (length) answers {"data": base64}; a write (data) answers
 * {}. With "ld", dpa is an offset in that LD's memory (the host bound to the
 * LD addresses its share from 0, dev/t3.h t3_ld_dpa()).
 */
static void cmd_mem(struct qmp_req *req, struct json_object *a, void *arg)
{
	static uint8_t buf[MEM_MAX];
	static char b64[BASE64_LEN(MEM_MAX) + 1];
	struct t3_dev *t = device(req, arg, a);
	const char *data = arg_str(a, "data");
	struct json_object *len_arg = NULL, *dpa_arg, *ld_arg = NULL, *ret;
	uint64_t dpa, dev_dpa;
	size_t len;
	int rc;

	if (!t)
		return;
	json_object_object_get_ex(a, "dpa", &dpa_arg);
	dpa = json_object_get_uint64(dpa_arg);
	json_object_object_get_ex(a, "length", &len_arg);
	if (!data == !len_arg) {
		qmp_reply_error(req, "GenericError", "Give either 'length' (read) or 'data' (write)");
		return;
	}
	if (data) {
		rc = base64_decode(data, buf, sizeof(buf));
		if (rc < 0) {
			qmp_reply_error(req, "GenericError", "Parameter 'data' is not base64 of at "
					"most %u bytes", MEM_MAX);
			return;
		}
		len = (size_t)rc;
	} else {
		len = (size_t)json_object_get_uint64(len_arg);
		if (len > MEM_MAX) {
			qmp_reply_error(req, "GenericError", "Parameter 'length' is above %u",
					MEM_MAX);
			return;
		}
	}
	dev_dpa = dpa;
	if (json_object_object_get_ex(a, "ld", &ld_arg)) {
		unsigned ld = (unsigned)json_object_get_uint64(ld_arg);

		rc = t3_ld_dpa(t, ld, dpa, len, &dev_dpa);
		if (rc) {
			qmp_reply_error(req, "GenericError", "LD %u: %s", ld, rc == -ENOENT ?
					"the device has no such LD" :
					"the range runs past the LD's allocation");
			return;
		}
	}
	rc = t3_mem_access(t, dev_dpa, buf, len, data != NULL);
	if (rc) {
		qmp_reply_error(req, "GenericError", "DPA 0x%llx+%zu: %s",
				(unsigned long long)dpa, len, mem_error(rc));
		return;
	}
	ret = json_object_new_object();
	if (!data) {
		base64_encode(buf, len, b64);
		json_object_object_add(ret, "data", json_object_new_string(b64));
	}
	qmp_reply_return(req, ret);
}

static const struct qmp_cmd media_cmds[] = {
	{ "x-cxl-mailbox", cmd_mailbox, mailbox_args,
	  "Run a command on a type-3 device's host mailbox, as the host's driver", 0 },
	{ "x-cxl-mem", cmd_mem, mem_args,
	  "Read or write a type-3 device's memory, as the host (CXL.mem)", 0 },
};

int qmp_media_register(struct qmp_server *s, struct emu_host *h)
{
	return qmp_server_register_table(s, media_cmds, sizeof(media_cmds) / sizeof(media_cmds[0]),
					 h);
}
