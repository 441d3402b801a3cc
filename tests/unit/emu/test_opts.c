/* SPDX-License-Identifier: MIT */
/* QEMU option grammar (util/qemu-option.c rules) as cxl-emu parses it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "emu/opts.h"

static void split(const char *s, const char *implied, struct opts_prop **p, size_t *n)
{
	char err[256];

	assert_int_equal(opts_split(s, implied, p, n, err, sizeof(err)), 0);
}

static void assert_prop(const struct opts_prop *p, const char *k, const char *v)
{
	assert_string_equal(p->key, k);
	assert_string_equal(p->val, v);
}

static void test_implied_key(void **state)
{
	struct opts_prop *p;
	size_t n;

	(void)state;
	split("cxl-type3,bus=swport0,id=cxl-dcd0", "driver", &p, &n);
	assert_int_equal(n, 3);
	assert_prop(&p[0], "driver", "cxl-type3");
	assert_prop(&p[1], "bus", "swport0");
	assert_prop(&p[2], "id", "cxl-dcd0");
	opts_props_free(p, n);

	/* a first token with '=' is not the implied key */
	split("cxl=on,type=q35", "type", &p, &n);
	assert_int_equal(n, 2);
	assert_prop(&p[0], "cxl", "on");
	assert_prop(&p[1], "type", "q35");
	opts_props_free(p, n);

	/* only the first token is implied; later bare tokens are flags */
	split("q35,cxl", "type", &p, &n);
	assert_int_equal(n, 2);
	assert_prop(&p[0], "type", "q35");
	assert_prop(&p[1], "cxl", "on");
	opts_props_free(p, n);
}

static void test_escaped_comma(void **state)
{
	struct opts_prop *p;
	size_t n;

	(void)state;
	split("memory-backend-file,id=m,mem-path=/tmp/a,,b,,,size=4G", "qom-type", &p, &n);
	assert_int_equal(n, 4);
	assert_prop(&p[2], "mem-path", "/tmp/a,b,");
	assert_prop(&p[3], "size", "4G");
	opts_props_free(p, n);

	/* in the implied value too */
	split("odd,,name,x=1", "driver", &p, &n);
	assert_int_equal(n, 2);
	assert_prop(&p[0], "driver", "odd,name");
	opts_props_free(p, n);
}

static void test_trailing_comma(void **state)
{
	struct opts_prop *p;
	size_t n;

	(void)state;
	split("a=1,b=2,", NULL, &p, &n);
	assert_int_equal(n, 2);
	assert_prop(&p[1], "b", "2");
	opts_props_free(p, n);

	/* ",," at the end is an escaped comma, not two separators */
	split("a=1,,", NULL, &p, &n);
	assert_int_equal(n, 1);
	assert_prop(&p[0], "a", "1,");
	opts_props_free(p, n);

	split("", "driver", &p, &n);
	assert_int_equal(n, 0);
	opts_props_free(p, n);
}

static void test_flags(void **state)
{
	struct opts_prop *p;
	size_t n;

	(void)state;
	split("tcp:localhost:4445,server,nowait", "addr", &p, &n);
	assert_int_equal(n, 3);
	assert_prop(&p[0], "addr", "tcp:localhost:4445");
	assert_prop(&p[1], "server", "on");
	assert_prop(&p[2], "wait", "off");
	opts_props_free(p, n);

	split("tcp:localhost:4445,server=on,wait=off", "addr", &p, &n);
	assert_prop(&p[1], "server", "on");
	assert_prop(&p[2], "wait", "off");
	opts_props_free(p, n);

	/* an empty value is a value */
	split("a=,b", NULL, &p, &n);
	assert_int_equal(n, 2);
	assert_prop(&p[0], "a", "");
	assert_prop(&p[1], "b", "on");
	opts_props_free(p, n);
}

static void test_empty_name(void **state)
{
	struct opts_prop *p;
	size_t n;
	char err[256];

	(void)state;
	assert_int_equal(opts_split("a=1,=2", NULL, &p, &n, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "empty property name in 'a=1,=2'");
	assert_int_equal(opts_split(",a=1", NULL, &p, &n, err, sizeof(err)), -EINVAL);
}

static void test_json(void **state)
{
	struct opts_prop *p;
	size_t n;
	char err[256];

	(void)state;
	assert_int_equal(opts_split_json("{\"driver\":\"cxl-type3\",\"id\":\"d\",\"allow-fm-attach\""
					 ":true,\"num-dc-regions\":2,\"sn\":18446744073709551615}",
					 &p, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 5);
	assert_prop(&p[0], "driver", "cxl-type3");
	assert_prop(&p[2], "allow-fm-attach", "on");
	assert_prop(&p[3], "num-dc-regions", "2");
	assert_prop(&p[4], "sn", "18446744073709551615");
	opts_props_free(p, n);
	assert_int_equal(opts_split_json("{\"a\":[1]}", &p, &n, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "JSON option member 'a' must be a string, number or boolean");
	assert_int_equal(opts_split_json("{bad", &p, &n, err, sizeof(err)), -EINVAL);
}

static void test_bool(void **state)
{
	static const char *const yes[] = { "on", "yes", "true", "y" };
	static const char *const no[] = { "off", "no", "false", "n" };
	bool b;

	(void)state;
	for (int i = 0; i < 4; i++) {
		b = false;
		assert_int_equal(opts_parse_bool(yes[i], &b), 0);
		assert_true(b);
		assert_int_equal(opts_parse_bool(no[i], &b), 0);
		assert_false(b);
	}
	assert_int_equal(opts_parse_bool("ON", &b), -EINVAL);
	assert_int_equal(opts_parse_bool("1", &b), -EINVAL);
	assert_int_equal(opts_parse_bool("", &b), -EINVAL);
	assert_int_equal(opts_parse_bool("maybe", &b), -EINVAL);
}

static void test_size(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} ok[] = {
		{ "0", 0 }, { "100", 100 }, { "16B", 16 }, { "16b", 16 },
		{ "1k", 1024 }, { "1K", 1024 }, { "256M", 256ull << 20 }, { "256m", 256ull << 20 },
		{ "4G", 4ull << 30 }, { "4g", 4ull << 30 }, { "2T", 2ull << 40 }, { "2t", 2ull << 40 },
		{ "1P", 1ull << 50 }, { "1E", 1ull << 60 }, { "1.5G", 3ull << 29 },
		{ "0.5k", 512 }, { "0x1000", 4096 }, { "0X10", 16 }, { "0x10M", 16ull << 20 },
		{ "18446744073709551615", UINT64_MAX },
	};
	static const char *const bad[] = {
		"", "G", "4X", "4GB", "-1", " 4G", "4G ", "1.5", "1.5B", "1.", ".5G", "0x", "4 G",
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 1;
		assert_int_equal(opts_parse_size(ok[i].s, &v), 0);
		assert_true(v == ok[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(opts_parse_size(bad[i], &v), -EINVAL);
	assert_int_equal(opts_parse_size("16E", &v), -ERANGE);
	assert_int_equal(opts_parse_size("18446744073709551616", &v), -ERANGE);
}

static void test_number(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(opts_parse_u64("12", &v), 0);
	assert_true(v == 12);
	assert_int_equal(opts_parse_u64("0x1f", &v), 0);
	assert_true(v == 31);
	assert_int_equal(opts_parse_u64("0XFF", &v), 0);
	assert_true(v == 255);
	/* QEMU parses numbers with strtoull base 0: a leading 0 is octal */
	assert_int_equal(opts_parse_u64("010", &v), 0);
	assert_true(v == 8);
	assert_int_equal(opts_parse_u64("0", &v), 0);
	assert_true(v == 0);
	assert_int_equal(opts_parse_u64("08", &v), -EINVAL);
	assert_int_equal(opts_parse_u64("-1", &v), -EINVAL);
	assert_int_equal(opts_parse_u64("", &v), -EINVAL);
	assert_int_equal(opts_parse_u64(" 1", &v), -EINVAL);
	assert_int_equal(opts_parse_u64("1k", &v), -EINVAL);
	assert_int_equal(opts_parse_u64("0x", &v), -EINVAL);
	assert_int_equal(opts_parse_u64("18446744073709551616", &v), -ERANGE);
}

static int parse(struct opts *o, char *err, size_t len, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)"cxl-emu";
	va_start(ap, len);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return opts_parse(argc, argv, o, err, len);
}

static void test_parse_argv(void **state)
{
	struct opts o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, sizeof(err), "-m", "4G", "-nographic", "-smp", "4",
			       "--device", "cxl-rp,id=rp", "-enable-kvm", "-s", "-S",
			       "-M", "q35", "-machine", "cxl=on", "-qmp-pretty",
			       "unix:/tmp/x,server", "--log", "debug", "--run-dir=/tmp/r",
			       "disk.img", NULL), 0);
	assert_int_equal(o.n, 10); /* -S is not an item: it sets prelaunch */
	assert_true(o.prelaunch);
	assert_string_equal(o.items[0].opt, "m");
	assert_int_equal(o.items[0].kind, OPTS_VM);
	assert_string_equal(o.items[0].arg, "4G");
	assert_int_equal(o.items[0].argi, 1);
	assert_string_equal(o.items[1].opt, "nographic");
	assert_null(o.items[1].arg);
	assert_string_equal(o.items[3].opt, "device");
	assert_string_equal(o.items[3].given, "--device");
	assert_int_equal(o.items[3].kind, OPTS_PROPS);
	assert_string_equal(opts_get(&o.items[3], "driver"), "cxl-rp");
	assert_string_equal(o.items[6].opt, "machine");
	assert_string_equal(o.items[6].given, "-M");
	assert_string_equal(opts_get(&o.items[6], "type"), "q35");
	assert_string_equal(o.items[7].opt, "machine");
	assert_string_equal(opts_get(&o.items[7], "cxl"), "on");
	assert_string_equal(o.items[8].opt, "qmp");
	assert_string_equal(opts_get(&o.items[8], "addr"), "unix:/tmp/x");
	assert_string_equal(opts_get(&o.items[8], "server"), "on");
	/* a bare argument is QEMU's first disk image */
	assert_string_equal(o.items[9].opt, "hda");
	assert_string_equal(o.items[9].arg, "disk.img");
	assert_true(o.has_log);
	assert_int_equal(o.log_level, 3);
	assert_string_equal(o.run_dir, "/tmp/r");
	assert_false(o.help);
	opts_free(&o);

	assert_int_equal(parse(&o, err, sizeof(err), "--help", "-version", "--log=none",
			       "--run-dir", "d", NULL), 0);
	assert_true(o.help);
	assert_true(o.version);
	assert_int_equal(o.log_level, -1);
	assert_string_equal(o.run_dir, "d");
	opts_free(&o);
}

static void test_parse_errors(void **state)
{
	struct opts o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, sizeof(err), "-nographic", "-frobnicate", NULL), -EINVAL);
	assert_string_equal(err, "unknown option '-frobnicate' (see --help)");
	opts_free(&o);
	assert_int_equal(parse(&o, err, sizeof(err), "-device", NULL), -EINVAL);
	assert_string_equal(err, "option '-device' requires an argument");
	opts_free(&o);
	assert_int_equal(parse(&o, err, sizeof(err), "-kernel", NULL), -EINVAL);
	assert_string_equal(err, "option '-kernel' requires an argument");
	opts_free(&o);
	assert_int_equal(parse(&o, err, sizeof(err), "--log", "loud", NULL), -EINVAL);
	assert_string_equal(err, "--log: unknown level 'loud' (none, error, warn, info, debug)");
	opts_free(&o);
	assert_int_equal(parse(&o, err, sizeof(err), "--run-dir", NULL), -EINVAL);
	assert_string_equal(err, "option '--run-dir' requires an argument");
	opts_free(&o);
	assert_int_equal(parse(&o, err, sizeof(err), "-device", "x,=1", NULL), -EINVAL);
	assert_string_equal(err, "-device: empty property name in 'x,=1'");
	opts_free(&o);
}

/* Flags must not swallow the next option; options with args must. */
static void test_vm_arity(void **state)
{
	static const char *const flags[] = {
		"-nographic", "-enable-kvm", "-s", "-no-reboot",
		"-no-shutdown", "-snapshot", "-usb", "-full-screen",
	};
	static const char *const with_arg[] = {
		"-kernel", "-append", "-initrd", "-smp", "-accel", "-serial", "-monitor",
		"-display", "-drive", "-netdev", "-nic", "-virtfs", "-cpu", "-m", "-gdb",
		"-boot", "-bios", "-vga", "-rtc", "-global", "-L", "-fsdev",
		"-blockdev", "-audiodev", "-trace", "-d", "-D", "-numa",
	};
	struct opts o;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		assert_int_equal(parse(&o, err, sizeof(err), flags[i], "-M", "q35", NULL), 0);
		assert_int_equal(o.n, 2);
		assert_null(o.items[0].arg);
		assert_int_equal(o.items[0].kind, OPTS_VM);
		opts_free(&o);
	}
	for (size_t i = 0; i < sizeof(with_arg) / sizeof(with_arg[0]); i++) {
		assert_int_equal(parse(&o, err, sizeof(err), with_arg[i], "-x", "-M", "q35", NULL),
				 0);
		assert_int_equal(o.n, 2);
		assert_string_equal(o.items[0].arg, "-x");
		opts_free(&o);
	}
}

static void test_help_request(void **state)
{
	struct opts o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, sizeof(err), "-device", "help", "-device",
			       "cxl-type3,help", "-object", "memory-backend-ram,?", "-device",
			       "cxl-rp,id=help", NULL), 0);
	assert_true(o.items[0].help);
	assert_true(o.items[1].help);
	assert_true(o.items[2].help);
	assert_false(o.items[3].help);
	opts_free(&o);
}

static void test_last_wins_and_describe(void **state)
{
	struct opts o;
	char err[256], buf[128];

	(void)state;
	assert_int_equal(parse(&o, err, sizeof(err), "-device", "cxl-rp,port=1,port=2,id=rp0",
			       "-device", "cxl-switch-mailbox-cci,bus=x", "-qmp",
			       "tcp:h:1,server", NULL), 0);
	assert_string_equal(opts_get(&o.items[0], "port"), "2");
	assert_null(opts_get(&o.items[0], "nope"));
	opts_describe(&o.items[0], buf, sizeof(buf));
	assert_string_equal(buf, "-device cxl-rp,id=rp0");
	opts_describe(&o.items[1], buf, sizeof(buf));
	assert_string_equal(buf, "-device cxl-switch-mailbox-cci");
	opts_describe(&o.items[2], buf, sizeof(buf));
	assert_string_equal(buf, "-qmp tcp:h:1");
	opts_free(&o);
}

/* A temporary file holding text; the caller unlinks path. */
static void write_tmp(char *path, size_t len, const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, len, "%s/cxl-emu-opts-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/*
 * -readconfig (QEMU util/qemu-config.c): sections become options where the
 * option stands, ids become id=, other groups are VM-only, and errors name
 * the file and line.
 */
static void test_readconfig(void **state)
{
	char path[256], err[512], want[512];
	struct opts o;

	(void)state;
	write_tmp(path, sizeof(path),
		  "# a topology\n"
		  "[machine]\n"
		  "  type = \"q35\"\n"
		  "  cxl = \"on\"\n"
		  "\n"
		  "[object \"mem0\"]\n"
		  "  qom-type = \"memory-backend-ram\"\n"
		  "  size = \"256M\"\n"
		  "[drive \"hd\"]\n"
		  "  file = \"disk.qcow2\"\n"
		  "[device]\n"
		  "  driver = \"pxb-cxl\"\n"
		  "  bus = \"pcie.0\"\n");
	assert_int_equal(parse(&o, err, sizeof(err), "-m", "4G", "-readconfig", path,
			       "-device", "cxl-rp,id=rp", NULL), 0);
	assert_int_equal(o.n, 6);
	assert_string_equal(o.items[1].opt, "machine");
	assert_string_equal(opts_get(&o.items[1], "cxl"), "on");
	assert_int_equal(o.items[1].argi, 3);
	assert_string_equal(o.items[2].opt, "object");
	assert_string_equal(opts_get(&o.items[2], "id"), "mem0");
	assert_string_equal(opts_get(&o.items[2], "qom-type"), "memory-backend-ram");
	assert_string_equal(o.items[2].arg, "id=mem0,qom-type=memory-backend-ram,size=256M");
	snprintf(want, sizeof(want), "%s:6", path);
	assert_string_equal(o.items[2].src, want);
	assert_int_equal(o.items[3].kind, OPTS_VM);
	assert_string_equal(o.items[3].given, "[drive \"hd\"]");
	assert_string_equal(o.items[4].opt, "device");
	assert_null(opts_get(&o.items[4], "id"));
	opts_describe(&o.items[4], err, sizeof(err));
	snprintf(want, sizeof(want), "-device pxb-cxl (%s:11)", path);
	assert_string_equal(err, want);
	assert_string_equal(o.items[5].opt, "device");
	assert_int_equal(o.items[5].argi, 5);
	opts_free(&o);
	unlink(path);

	/* errors: a key before any group, a line that is neither, no file */
	write_tmp(path, sizeof(path), "  driver = \"x\"\n");
	assert_int_equal(parse(&o, err, sizeof(err), "-readconfig", path, NULL), -EINVAL);
	snprintf(want, sizeof(want), "%s:1: no group defined", path);
	assert_string_equal(err, want);
	opts_free(&o);
	unlink(path);
	write_tmp(path, sizeof(path), "[device]\n  driver = cxl-rp\n");
	assert_int_equal(parse(&o, err, sizeof(err), "-readconfig", path, NULL), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: parse error", path);
	assert_string_equal(err, want);
	opts_free(&o);
	unlink(path);
	assert_int_equal(parse(&o, err, sizeof(err), "-readconfig", path, NULL), -EINVAL);
	snprintf(want, sizeof(want), "-readconfig %s: No such file or directory", path);
	assert_string_equal(err, want);
	opts_free(&o);
	assert_int_equal(parse(&o, err, sizeof(err), "-readconfig", NULL), -EINVAL);
	assert_string_equal(err, "option '-readconfig' requires an argument");
	opts_free(&o);
}

/* Options about how cxl-emu runs are kept apart from the emulated ones. */
static void test_run_options(void **state)
{
	struct opts o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, sizeof(err), "-daemonize", "-pidfile", "/tmp/p",
			       "-writeconfig", "-", "-nodefaults", "-S", NULL), 0);
	assert_int_equal(o.n, 0);
	assert_true(o.daemonize);
	assert_true(o.prelaunch);
	assert_string_equal(o.pidfile, "/tmp/p");
	assert_string_equal(o.writeconfig, "-");
	opts_free(&o);
	assert_int_equal(parse(&o, err, sizeof(err), "-pidfile", NULL), -EINVAL);
	assert_string_equal(err, "option '-pidfile' requires an argument");
	opts_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_implied_key),
		cmocka_unit_test(test_escaped_comma),
		cmocka_unit_test(test_trailing_comma),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_empty_name),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_number),
		cmocka_unit_test(test_parse_argv),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_vm_arity),
		cmocka_unit_test(test_help_request),
		cmocka_unit_test(test_last_wins_and_describe),
		cmocka_unit_test(test_readconfig),
		cmocka_unit_test(test_run_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
