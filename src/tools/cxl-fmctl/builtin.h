/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmctl internals: the command table's prototypes, the invocation
 * context every command gets, and helpers shared by the per-object files
 * (list.c, switch.c, ld.c, dcd.c, events.c, health.c, poison.c, fw.c, raw.c,
 * topology.c, json.c).
 * Only include/cxlfm/ is used to reach the bus.
 */
#ifndef CXL_FMCTL_BUILTIN_H
#define CXL_FMCTL_BUILTIN_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "cxlfm/cxlfm.h"
#include "cxlfm/fmapi.h"

/* Exit codes (docs/man/cxl-fmctl.md). */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,     /* bad options or arguments */
	EXIT_TRANSPORT = 2, /* no bus, endpoint unreachable, timeout, bad response */
	EXIT_CXL = 3,       /* the component answered with a CXL error return code */
	EXIT_NOTFOUND = 4,  /* no (or more than one) endpoint fits the command */
	EXIT_WAIT = 5,      /* --wait: the host did not get there in time */
};

/* What kind of endpoint a command needs when none is named. */
enum fm_want {
	WANT_ANY,
	WANT_SWITCH,
	WANT_TYPE3,
};

struct fmctl {
	const char *prog;
	const char *cmd;          /* "dcd add", for messages */
	const char *bus;          /* --bus, CXL_FMCTL_BUS, or found */
	char bus_buf[512];
	int addr;                 /* --addr, -1 if not given */
	int eid;                  /* --eid, -1 if not given */
	int json;                 /* 1 --json, 0 --human, -1 by isatty */
	unsigned timeout_ms;      /* --timeout, 0: library default */
	bool has_tunnel;
	struct cxlfm_tunnel tunnel;
	int verbose;
	struct cxlfm_ctx *ctx;
	bool discovered;
};

/* Global options, accepted before the command and by every command. */
#define FM_GLOBAL_OPTS \
	{ "bus", required_argument, NULL, 'B' }, \
	{ "addr", required_argument, NULL, 'a' }, \
	{ "eid", required_argument, NULL, 'e' }, \
	{ "tunnel", required_argument, NULL, 'T' }, \
	{ "json", no_argument, NULL, 'j' }, \
	{ "human", no_argument, NULL, 'H' }, \
	{ "timeout", required_argument, NULL, 't' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }
#define FM_GLOBAL_SHORT "B:a:e:T:jHt:vh"

/* Handle a global option; 1 handled, 0 not global, -1 bad value. */
int fm_global_opt(struct fmctl *f, int c, const char *arg);
/*
 * getopt_long over argv with the command's options plus the globals.
 * Returns the index of the first operand, or -1 (usage printed) or -2 for
 * --help (help printed). The command's own options are handed to cb.
 */
int fm_parse(struct fmctl *f, int argc, char **argv, const char *shortopts,
	     const struct option *longopts, const char *help,
	     int (*cb)(struct fmctl *f, int c, const char *arg, void *ctx), void *ctx);
/* The exit code for fm_parse()'s -1 (usage error) or -2 (--help done). */
static inline int fm_parse_exit(int i)
{
	return i == -2 ? EXIT_OK : EXIT_USAGE;
}
/* An operand the command takes none of: a usage error naming it. */
int fm_extra_operand(struct fmctl *f, const char *arg);

/*
 * The start of a command that takes no operands: parse (fm_parse), refuse
 * an operand, find the endpoint of kind want. Returns -1 when the command
 * goes on with *ep, else the exit code to return.
 */
int fm_begin(struct fmctl *f, int argc, char **argv, const struct option *longopts,
	     const char *help, int (*cb)(struct fmctl *f, int c, const char *arg, void *ctx),
	     void *ctx, enum fm_want want, struct cxlfm_ep **ep);

/*
 * The end of a command that may run in the background: rc is its answer
 * (CXLFM_RC_BG_STARTED: started). Adds "background" to o and, unless
 * no_wait, waits up to wait_ms for the operation (Background Operation
 * Status, cxlfm_bg_wait) and adds "completed", "rc", "rc_name". Returns -1
 * when the operation finished with Success: the caller adds more to o and
 * prints it. Otherwise o is printed (released when the command itself
 * failed) and the exit code is returned: EXIT_OK when not waited for,
 * EXIT_WAIT when it still ran after wait_ms, the operation's CXL code.
 */
int fm_bg_finish(struct fmctl *f, struct cxlfm_ep *ep, uint16_t opcode, int rc, bool no_wait,
		 unsigned long wait_ms, struct json_object *o);

/* Open the bus (finding it if needed). Returns an exit code. */
int fm_connect(struct fmctl *f);
/* Run bus-owner discovery once. Returns an exit code. */
int fm_discover(struct fmctl *f);
/* The endpoint a command acts on. Returns an exit code. */
int fm_endpoint(struct fmctl *f, enum fm_want want, struct cxlfm_ep **out);
const struct cxlfm_tunnel *fm_tun(const struct fmctl *f);
/* Report a failed command on stderr; returns the exit code for rc. */
int fm_fail(struct fmctl *f, struct cxlfm_ep *ep, uint16_t opcode, int rc);
int fm_usage_error(struct fmctl *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fm_error(struct fmctl *f, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "ep 0x06 (EID 11)" or "ep 0x04 (EID 10) port 0 ld 1" */
void fm_ep_name(const struct fmctl *f, struct cxlfm_ep *ep, bool with_tunnel, char *buf,
		size_t len);

/* ---- parsing helpers ---- */
int fm_parse_u64(const char *s, uint64_t *out);              /* dec or 0x hex */
int fm_parse_uint(const char *s, unsigned long max, unsigned long *out);
int fm_parse_size(const char *s, uint64_t *out);             /* K/M/G/T, dec, 0x */
void fm_uuid_str(const uint8_t uuid[16], char out[37]);
bool fm_uuid_is_null(const uint8_t uuid[16]);
/* Hex bytes "0a 0b", "0a0b", "0a:0b"; returns bytes written or -1. */
int fm_parse_hex(const char *s, uint8_t *out, size_t max);

/* ---- output (json.c) ---- */
/* Print o (consumed) as JSON or as human text, then a newline. */
void fm_print(const struct fmctl *f, struct json_object *o);
struct json_object *fm_json_u64(uint64_t v);
struct json_object *fm_json_hex16(uint16_t v);                  /* "0x5600" */
struct json_object *fm_json_uuid(const uint8_t uuid[16]);       /* null for zeros */
struct json_object *fm_json_ep(struct cxlfm_ep *ep);            /* {"eid","address"} */
void fm_json_add(struct json_object *o, const char *k, struct json_object *v);
/* Add every member of src (consumed) to dst. */
void fm_json_merge(struct json_object *dst, struct json_object *src);
struct json_object *fm_identify_to_json(const struct cxlfm_identify_rsp *id);
const char *fm_component_name(uint8_t type);
const char *fm_port_state_name(uint8_t st);
const char *fm_dev_type_name(uint8_t t);
const char *fm_vppb_status_name(uint8_t st);
const char *fm_sel_policy_name(unsigned p);
const char *fm_rm_policy_name(unsigned p);
const char *fm_dc_event_name(unsigned t);
const char *fm_event_log_name(unsigned log);

/* ---- switch helpers (switch.c), also used by topology.c ---- */
struct json_object *fm_port_to_json(const struct cxlfm_port_info *p);
/* Port states of ids[0..n) into out[0..n); an exit code. */
int fm_get_ports(struct fmctl *f, struct cxlfm_ep *ep, const uint8_t *ids, size_t n,
		 struct cxlfm_port_info *out);
/* The active ports of the switch (Identify Switch Device); an exit code. */
int fm_active_ports(struct fmctl *f, struct cxlfm_ep *ep, uint8_t ids[256], size_t *n);
/* One VCS with all its vPPBs; an exit code. */
int fm_vcs_json(struct fmctl *f, struct cxlfm_ep *ep, uint8_t id, struct json_object **out);

/* ---- switch event records (fabric.c), for events.c ---- */
/* "physical-switch", "virtual-switch", "mld-port", or NULL for another record. */
const char *fm_switch_event_kind(const struct cxlfm_event_record *r);
/* One of those records decoded. */
struct json_object *fm_switch_event_json(const struct cxlfm_event_record *r);

/* ---- dcd helpers (dcd.c), also used by topology.c ---- */
/* Every DC region (paged Get Host DC Region Configuration); an exit code. */
int fm_dcd_regions(struct fmctl *f, struct cxlfm_ep *ep, const struct cxlfm_tunnel *tun,
		   struct cxlfm_get_host_dc_region_config_rsp *out);

/* ---- health.c, also used by events.c ---- */
struct cxlfm_health_info;
/* Named fields of a device's health information (Get Health Info's output). */
struct json_object *fm_health_json(const struct cxlfm_health_info *h);

/* ---- commands ---- */
int cmd_list(int argc, char **argv, struct fmctl *f);
int cmd_identify(int argc, char **argv, struct fmctl *f);
int cmd_bg(int argc, char **argv, struct fmctl *f);
int cmd_switch(int argc, char **argv, struct fmctl *f);
int cmd_ports(int argc, char **argv, struct fmctl *f);
int cmd_vcs(int argc, char **argv, struct fmctl *f);
int cmd_bind(int argc, char **argv, struct fmctl *f);
int cmd_unbind(int argc, char **argv, struct fmctl *f);
int cmd_port_control(int argc, char **argv, struct fmctl *f);
int cmd_ld(int argc, char **argv, struct fmctl *f);
int cmd_qos(int argc, char **argv, struct fmctl *f);
int cmd_dv(int argc, char **argv, struct fmctl *f);
int cmd_dcd(int argc, char **argv, struct fmctl *f);
int cmd_events(int argc, char **argv, struct fmctl *f);
int cmd_health(int argc, char **argv, struct fmctl *f);
int cmd_poison(int argc, char **argv, struct fmctl *f);
int cmd_fw(int argc, char **argv, struct fmctl *f);
int cmd_raw(int argc, char **argv, struct fmctl *f);
int cmd_cel(int argc, char **argv, struct fmctl *f);
int cmd_topology(int argc, char **argv, struct fmctl *f);
int cmd_config_read(int argc, char **argv, struct fmctl *f);   /* cxlio.c */
int cmd_config_write(int argc, char **argv, struct fmctl *f);
int cmd_mem_read(int argc, char **argv, struct fmctl *f);
int cmd_mem_write(int argc, char **argv, struct fmctl *f);

/* A command with sub-commands ("dcd add"). */
struct fm_subcmd {
	const char *name;
	int (*fn)(int argc, char **argv, struct fmctl *f);
	const char *summary;
};
int fm_run_subcmd(const char *group, const struct fm_subcmd *cmds, size_t n, int argc,
		  char **argv, struct fmctl *f);

#endif
