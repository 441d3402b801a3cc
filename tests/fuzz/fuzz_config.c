/* SPDX-License-Identifier: MIT */
/*
 * cxl-emu's command line: the input split on NUL and newline is argv
 * (after "cxl-emu"), run through opts_parse() and config_build() as main()
 * does, and on success through cfg_to_json() (x-cxl-topology), the instance
 * name and the help printer. Properties: an error always says why; a built
 * configuration is a consistent tree whose ids resolve, whose JSON parses
 * back, and on which cxl-emu's host comes up (src/emu/host.c: devices,
 * switches, buses, endpoints, forwarding links), so a command line that
 * passes validation never fails later with a less clear error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "emu/config.h"
#include "emu/host.h"
#include "emu/loop.h"
#include "emu/opts.h"
#include "fuzz.h"

#define MAX_ARGS 256

static struct loop *loop;
static char run_dir[64];

static void cleanup(void)
{
	rmdir(run_dir);
}

static void check_tree(const struct cfg_device *d, unsigned depth)
{
	assert(depth < 64);
	assert(d->name && d->name[0]);
	for (size_t i = 0; i < d->n_children; i++) {
		assert(d->children[i]->parent == d);
		check_tree(d->children[i], depth + 1);
	}
}

/*
 * cxl-emu's host on this configuration (src/emu/host.c, as main() starts
 * it), with every backend turned into anonymous memory so nothing is
 * written outside this process: it must come up. No QMP server (so no
 * shared buffers are created) and the loop never runs (so forwarding
 * endpoints never connect anywhere). Backends too large to map here are
 * left out.
 */
static void start_host(struct config *c)
{
	struct emu_host *h;
	char err[1024];
	uint64_t total = 0;

	for (size_t i = 0; i < c->n_memdevs; i++) {
		total += c->memdevs[i]->size;
		if (c->memdevs[i]->size > (64ull << 30) || total > (256ull << 30))
			return;
		c->memdevs[i]->kind = CFG_MEM_RAM;
	}
	err[0] = '\0';
	if (emu_host_new(loop, c, run_dir, NULL, &h, err, sizeof(err))) {
		fprintf(stderr, "fuzz_config: a valid configuration fails: %s\n", err);
		abort();
	}
	emu_host_free(h);
}

static void check_config(struct config *c)
{
	struct json_object *j, *back;
	char name[128], dir[256];

	assert(c->root && c->root->kind == CFG_PCI_ROOT);
	check_tree(c->root, 0);
	for (size_t i = 0; i < c->n_memdevs; i++) {
		const struct cfg_memdev *m = c->memdevs[i];

		assert(cfg_find_memdev(c, m->id) == m);
		if (m->user)
			assert(m->user->kind == CFG_CXL_TYPE3);
	}
	for (size_t i = 0; i < c->n_devices; i++) {
		const struct cfg_device *d = c->devices[i];

		assert(cfg_kind_name(d->kind));
		if (d->id)
			assert(cfg_find_device(c, d->id) == d);
		if (d->kind == CFG_CXL_TYPE3)
			assert(d->u.t3.num_dc_regions <= CFG_MAX_DC_REGIONS &&
			       d->u.t3.num_ld <= CFG_MAX_LD);
		if (d->kind == CFG_I2C_MCTP) {
			assert(d->u.i2c.bus && d->u.i2c.address <= 0x7f);
			assert(cfg_find_i2c_bus(c, d->u.i2c.bus->name) == d->u.i2c.bus);
			assert(d->u.i2c.target && (d->u.i2c.target->kind == CFG_CXL_USP ||
						   d->u.i2c.target->kind == CFG_CXL_TYPE3));
		}
	}
	j = cfg_to_json(c);
	assert(j);
	back = json_tokener_parse(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	assert(back && json_object_equal(j, back));
	json_object_put(back);
	json_object_put(j);
	cfg_instance_name(c, 1234, name, sizeof(name));
	for (const char *p = name; *p; p++)
		assert(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			      *p));
	if (cfg_default_run_dir(c, "/run/user/0", 0, 1234, dir, sizeof(dir)) == 0)
		assert(dir[0] == '/');
	start_host(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 1];
	struct config *c = NULL;
	struct opts o;
	char err[512];
	int argc = 0, rc;

	assert(buf);
	if (!loop) {
		snprintf(run_dir, sizeof(run_dir), "/tmp/cxlfm-fuzz-cfg-XXXXXX");
		assert(mkdtemp(run_dir) && loop_new(&loop) == 0);
		atexit(cleanup);
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = (char *)"cxl-emu";
	for (char *p = buf, *end = buf + size; p <= end && argc < MAX_ARGS; p++) {
		char *s = p;

		while (p < end && *p != '\0' && *p != '\n')
			p++;
		*p = '\0';
		argv[argc++] = s;
	}
	argv[argc] = NULL;
	err[0] = '\0';
	rc = opts_parse(argc, argv, &o, err, sizeof(err));
	if (rc && getenv("FUZZ_TRACE"))
		fprintf(stderr, "opts_parse: %s\n", err);
	if (rc) {
		assert(rc == -EINVAL || rc == -ENOMEM);
		assert(rc == -ENOMEM || (err[0] && strlen(err) < sizeof(err)));
		opts_free(&o);
		free(buf);
		return 0;
	}
	for (size_t i = 0; i < o.n; i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		assert(f);
		cfg_print_help(&o.items[i], f);
		fclose(f);
		free(text);
	}
	err[0] = '\0';
	rc = config_build(&o, &c, err, sizeof(err));
	if (getenv("FUZZ_TRACE")) /* for writing seeds */
		fprintf(stderr, "config_build: %s\n", rc ? err : "ok");
	if (rc) {
		assert(rc == -EINVAL || rc == -ENOMEM);
		assert(rc == -ENOMEM || (err[0] && strlen(err) < sizeof(err)));
	} else {
		check_config(c);
		for (size_t i = 0; i < c->n_warnings; i++)
			assert(c->warnings[i] && c->warnings[i][0]);
		config_free(c);
	}
	opts_free(&o);
	free(buf);
	return 0;
}
