/* SPDX-License-Identifier: MIT */
/*
 * cxl-emu command line: QEMU's option grammar (util/qemu-option.c,
 * softmmu/vl.c), turned into a list of options with their properties.
 * Meaning and validation live in config.c; this file knows only syntax:
 *
 * - `-opt value` or `--opt value`; options without argument are flags.
 * - Option arguments that are property lists split on ',' into key=value;
 *   ',,' is a literal comma; a trailing comma is tolerated; a first token
 *   without '=' is the option's implied key (`-device cxl-type3,...` is
 *   driver=cxl-type3, `-object memory-backend-file,...` qom-type,
 *   `-machine q35` type, `-qmp tcp:...` the chardev address); any later
 *   bare token is a flag: `server` means server=on, `nowait` wait=off.
 * - `-device` and `-object` also take QEMU's JSON form ('{"driver": ...}').
 * - `-M` is `-machine`, `-qmp-pretty` is `-qmp`; `-machine` may repeat, the
 *   properties merge (config.c; a later value wins, as in QEMU).
 * - -readconfig FILE reads QEMU's config file format where it stands
 *   (util/qemu-config.c): "[group]" or "[group "id"]" sections of
 *   `key = "value"` lines, '#' comments. [device], [object], [machine],
 *   [chardev], [mon] and [name] become the options of that name (the id
 *   as id=); every other group is VM-only, as its option would be.
 * - -writeconfig FILE, -daemonize, -pidfile FILE and -S are kept in struct
 *   opts for main.c; -nodefaults is accepted (cxl-emu has no defaults).
 * - Our own options: --help, --version, --log LEVEL, --run-dir DIR (also
 *   --log=LEVEL, --run-dir=DIR).
 * - Every option QEMU has for the VM only (-kernel, -smp, -drive, ...) is
 *   recognised with its arity so the options after it parse right; config
 *   warns once for each and ignores it. An unknown option is an error.
 */
#ifndef CXLFM_EMU_OPTS_H
#define CXLFM_EMU_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum opts_kind {
	OPTS_PROPS, /* parsed into properties: -object -device -machine -qmp -chardev -mon -name */
	OPTS_VM,    /* VM-only: kept raw, ignored with a warning */
};

struct opts_prop {
	char *key;
	char *val;
};

struct opts_item {
	const char *opt;    /* canonical name without dashes: "device", "machine", ... */
	char *given;        /* as typed: "-M", "--device" */
	int argi;           /* argv index of the option */
	enum opts_kind kind;
	char *arg;          /* the argument as typed, NULL for a flag */
	struct opts_prop *props;
	size_t n_props;
	bool json;          /* argument was JSON */
	bool help;          /* a "help" or "?" property: print help for it */
	char *src;          /* "FILE:LINE" for a -readconfig section, else NULL */
};

struct opts {
	struct opts_item *items; /* command-line order */
	size_t n;
	bool help;
	bool version;
	bool has_log;
	int log_level;      /* enum log_level when has_log */
	char *run_dir;
	char *log_file;     /* --log-file PATH: log lines go there instead of stderr */
	bool daemonize;     /* -daemonize */
	bool prelaunch;     /* -S: QMP reports "prelaunch" until cont */
	char *pidfile;      /* -pidfile FILE */
	char *writeconfig;  /* -writeconfig FILE ("-": stdout) */
};

/*
 * Parse argv[1..argc-1]. Returns 0, or -EINVAL with err filled (e.g.
 * "unknown option '-foo'", "option '-device' requires an argument").
 * Free with opts_free() on success and failure.
 */
int opts_parse(int argc, char *const argv[], struct opts *o, char *err, size_t errlen);
void opts_free(struct opts *o);

/* -readconfig FILE: its sections as options at argv index argi. 0, or
 * -EINVAL with err ("FILE:LINE: parse error"), -ENOMEM. */
int opts_read_config(struct opts *o, const char *path, int argi, char *err, size_t errlen);

/*
 * QEMU key=value list with an optional implied first key. Returns 0 or
 * -EINVAL (empty property name), -ENOMEM.
 */
int opts_split(const char *s, const char *implied, struct opts_prop **props, size_t *n,
	       char *err, size_t errlen);
/* QEMU's JSON option form: one flat object. */
int opts_split_json(const char *s, struct opts_prop **props, size_t *n, char *err,
		    size_t errlen);
void opts_props_free(struct opts_prop *props, size_t n);
/* Append a JSON object's members as properties (QMP device_add's
 * arguments): strings as they are, booleans on/off, integers in decimal;
 * another type is -EINVAL with err. */
struct json_object;
int opts_props_add_json(struct json_object *o, struct opts_prop **props, size_t *n,
			char *err, size_t errlen);

/* Last value of key (QEMU: a later occurrence overrides), or NULL. */
const char *opts_get(const struct opts_item *it, const char *key);

/* Value parsers, QEMU's rules; 0 or -EINVAL / -ERANGE. */
int opts_parse_bool(const char *s, bool *out);   /* on/off yes/no true/false y/n */
int opts_parse_u64(const char *s, uint64_t *out); /* decimal, 0x hex, 0 octal (strtoull base 0) */
int opts_parse_size(const char *s, uint64_t *out); /* number with B/K/M/G/T/P/E suffix, 1.5G */

/* Quote an option back for messages: "-device cxl-type3,id=x", with
 * " (FILE:LINE)" for a -readconfig section. */
void opts_describe(const struct opts_item *it, char *buf, size_t len);

#endif
