/* SPDX-License-Identifier: MIT */
/*
 * The fault suite (docs/testing.md "Fault suite", `make faults`): scenarios
 * that break cxl-emu's peers, buffers, sockets and files the way issue #13
 * found, and check that the hosts survive, stay bounded and recover.
 *
 * Each scenario runs in its own child of the runner (its own process group,
 * $TMPDIR and shared-memory name prefix) and ends with f_pass(), f_fail()
 * or f_skip(): one line "PASS name: figure" (or FAIL / SKIP with why) that
 * the runner prints. What a scenario starts through these helpers is
 * stopped and removed when it ends, however it ends; the runner checks that
 * nothing is left (processes, files, shm objects).
 */
#ifndef CXLFM_TESTS_FAULTS_H
#define CXLFM_TESTS_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../e2e/e2e.h"

struct cxlfm_ctx;
struct cxlfm_ep;
struct json_object;

/* ---- scenarios ---- */

struct f_scenario {
	const char *name;
	const char *what;      /* one line for --list */
	void (*run)(void);
	unsigned timeout_s;    /* 0: F_DEFAULT_TIMEOUT_S; the soak adds its length */
};
#define F_DEFAULT_TIMEOUT_S 180

/* Each f_*.c file's table, in the order they run. */
extern const struct f_scenario f_fwd_scenarios[], f_backing_scenarios[], f_qmp_scenarios[],
	f_bus_scenarios[], f_proc_scenarios[], f_race_scenarios[], f_exhaust_scenarios[],
	f_soak_scenarios[];

/* ---- results: each prints the line for the runner and exits ---- */

__attribute__((noreturn, format(printf, 1, 2))) void f_pass(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void f_fail(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void f_skip(const char *fmt, ...);

/* FAIL (with the line) unless cond holds. */
#define F_CHECK(cond, ...)                                                                  \
	do {                                                                                \
		if (!(cond))                                                                \
			f_fail_at(__LINE__, #cond, __VA_ARGS__);                           \
	} while (0)
__attribute__((noreturn, format(printf, 3, 4))) void f_fail_at(int line, const char *cond,
							       const char *fmt, ...);

/* ---- environment ---- */

double f_now(void);                  /* monotonic seconds */
void f_sleep_ms(unsigned ms);
/* An unsigned from the environment, def when unset or not a number. */
unsigned long f_env_ulong(const char *name, unsigned long def);
/* A shared-memory name of this scenario ("/cxlfm-f<runner>-<scenario>-tag"). */
void f_shm_name(char *buf, size_t len, const char *tag);
/* A fresh directory under the scenario's $TMPDIR, removed at the end. */
void f_tmpdir(char *buf, size_t len);
/* A file system mounted on dir (in the scenario's own mount namespace):
 * unmounted before the directories go. */
void f_mounted(const char *dir);
/* line with the scenario's $TMPDIR written as "$TMPDIR" (a static buffer). */
const char *f_short(const char *line);
/* Thousands separators: "12,345" (a rotating static buffer, 8 at a time). */
const char *f_num(unsigned long long v);

/* ---- cxl-emu processes (e2e helpers, stderr in the run dir's log) ---- */

/* Start and track p (stopped and removed at the end); FAIL if it does not start. */
void f_emu_start(struct emu_proc *p, const char *const *argv);
/* Stop p (SIGTERM); returns its exit status; its run dir goes. */
int f_emu_stop(struct emu_proc *p);
/* SIGKILL p and reap it; its run dir goes. */
void f_emu_kill(struct emu_proc *p);
/* Wait up to secs for p to exit on its own: its exit status (128 + signal),
 * or -1 (then it is killed). Its run dir stays. */
int f_emu_wait(struct emu_proc *p, double secs);
/* True while p runs (not exited, not a zombie). */
bool f_alive(const struct emu_proc *p);
/* Lines of p's stderr log containing text (all lines for NULL). */
size_t f_log_count(const struct emu_proc *p, const char *text);

/* E2E_DCD_HOST (device "dcd", endpoint 0x6 on bus i2c0) with its backing
 * file at mem_path (NULL: in the run dir). */
void f_dcd_host_argv(struct e2e_argv *a, const char *mem_path);

/* /proc/PID: open file descriptors, and a "Key:" of status in KiB (-1 if unknown). */
long f_proc_fds(pid_t pid);
/* CPU time pid has run, in ns (/proc/PID/schedstat); -1 if unknown. */
long long f_proc_cpu_ns(pid_t pid);
long f_proc_kb(pid_t pid, const char *key);

/*
 * What a process holds: open descriptors, anonymous memory (RssAnon: heap
 * and stacks, not the pages of backing files) and VmRSS, in KiB.
 */
struct f_usage {
	long fds, anon_kb, rss_kb;
};
/* p's usage once its descriptors settle (the same count three reads in a
 * row, 10 ms apart, and at most most when most >= 0), 5 s at most. */
struct f_usage f_usage_of(const struct emu_proc *p, long most);
/* FAIL unless after has before's descriptors and at most FAULTS_ANON_BOUND_KB
 * (default 1024) more RssAnon; else "fd 10 -> 10, RssAnon 312 -> 398 KiB
 * (VmRSS ...)". */
const char *f_usage_bounded(const struct f_usage *before, const struct f_usage *after);

/* The RFC's two hosts (e2e_rfc_*_argv) on buffer p->buf. */
struct f_pair {
	struct emu_proc tgt, fm;
	char buf[64];
	unsigned slots;
	int tgt_port;
};
/* Target (creating the buffer) then FM host; fm_ep_extra: more properties of 0x6. */
void f_pair_start(struct f_pair *p, const char *tag, unsigned slots, const char *fm_ep_extra);
/* The target again on its old port (after f_emu_kill), creating the buffer. */
void f_pair_restart_target(struct f_pair *p);
void f_pair_restart_fm(struct f_pair *p, const char *fm_ep_extra);

/* ---- FM side ---- */

/* A libcxlfm context on host p's bus as controller addr; FAIL if it cannot. */
struct cxlfm_ctx *f_fm_open(const struct emu_proc *p, uint8_t addr, unsigned timeout_ms);
struct cxlfm_ep *f_fm_ep(struct cxlfm_ctx *ctx, uint8_t addr);
/* Identify; returns the result (0, CXL return code or -errno), *serial on success. */
int f_identify(struct cxlfm_ep *ep, uint64_t *serial);

/*
 * Forwarded load: Identify requests kept in flight on endpoint ep_addr of
 * host p from n_ctx controllers (0x10, 0x11, ...) with per_ctx each (MCTP
 * gives a requester 8 tags per endpoint). Every answer is counted by kind;
 * an answer of success must carry serial want_serial.
 */
#define F_LOAD_MAX_CTX 4
struct f_load {
	struct cxlfm_ctx *ctx[F_LOAD_MAX_CTX];
	struct cxlfm_ep *ep[F_LOAD_MAX_CTX];
	unsigned n_ctx, per_ctx;
	uint64_t want_serial;
	bool running;              /* completions submit again */
	unsigned long long sent, ok, retry, other, wrong;
	int first_other;           /* the first unexpected result */
	double last_done;          /* f_now() of the latest completion */
};
void f_load_init(struct f_load *l, const struct emu_proc *p, uint8_t ep_addr, unsigned n_ctx,
		 unsigned per_ctx, unsigned timeout_ms);
/* Fill every slot and keep them full for secs seconds (or until stop() says so). */
void f_load_run(struct f_load *l, double secs, bool (*stop)(void *), void *arg);
/* Stop resubmitting and wait (up to secs) for every request out: false if some
 * never completed. */
bool f_load_drain(struct f_load *l, double secs);
size_t f_load_pending(const struct f_load *l);
void f_load_free(struct f_load *l);

/* Dynamic capacity through an FM endpoint: region 0's base DPA (5601h),
 * and one prescriptive extent added (5604h) or released (5605h). */
uint64_t f_dc_base(struct cxlfm_ep *ep);
int f_dc_add(struct cxlfm_ep *ep, uint64_t dpa, uint64_t len);
int f_dc_release(struct cxlfm_ep *ep, uint64_t dpa, uint64_t len);

/* ---- QMP ---- */

/* A negotiated client of p; FAIL if it cannot connect. */
int f_qmp(const struct emu_proc *p);
/* Execute cmd with args as JSON text; the "return" value (a reference the
 * caller puts) or FAIL with the error. */
struct json_object *f_qmp_ok(int fd, const char *cmd, const char *json_args);
/* The same, NULL and the error's desc in err when it answered an error. */
struct json_object *f_qmp_try(int fd, const char *cmd, const char *json_args, char *err,
			      size_t errlen);

/* QMP cxl-add-dynamic-capacity / cxl-release-dynamic-capacity of one extent
 * (offset from region 0's base, prescriptive) on device dev: NULL, or the
 * error's desc (a static buffer). */
const char *f_qmp_dc(int fd, const char *dev, bool add, uint64_t offset, uint64_t len);
/* x-cxl-host-agent's stats member "key" for device dev. */
uint64_t f_ha_stat(int fd, const char *dev, const char *key);

/* DC extents as [start, len) pairs, sorted; compared exactly. */
struct f_extent {
	uint64_t dpa, len;
};
struct f_extents {
	struct f_extent *e;
	size_t n, cap;
};
void f_extents_add(struct f_extents *s, uint64_t dpa, uint64_t len);
/* Remove one equal to (dpa, len); false if there was none. */
bool f_extents_del(struct f_extents *s, uint64_t dpa, uint64_t len);
void f_extents_sort(struct f_extents *s);
bool f_extents_equal(const struct f_extents *a, const struct f_extents *b);
/* Overlapping or repeated extents in a sorted list. */
size_t f_extents_overlaps(const struct f_extents *s);
void f_extents_free(struct f_extents *s);
/* The accepted extents as the FM reads them (5603h, pages of 64), sorted. */
int f_fm_extents(struct cxlfm_ep *ep, struct f_extents *out);
/* The host's extents as x-cxl-host-agent shows them (the device's host
 * mailbox 4801h), sorted; *stats_held: accepted - released - forced. */
void f_ha_extents(int qmp, const char *dev, struct f_extents *out, long *stats_held);

#endif
