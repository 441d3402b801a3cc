/* SPDX-License-Identifier: MIT */
/*
 * cxl-fmbench internals: figures, processes, the QMP line client, and the
 * benchmark modules (baselines, commands through libcxlfm, extent scaling,
 * start-up). See bench/cxl-fmbench.c for what is measured and how.
 */
#ifndef CXLFM_BENCH_FMBENCH_H
#define CXLFM_BENCH_FMBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FB_MAX_ROUNDS 32

/* ---- time and statistics ---- */

uint64_t fb_now_ns(void);
/* Sort v (n values) and return the q-quantile (0..1), nearest rank. */
double fb_quantile(double *v, size_t n, double q);
double fb_median(const double *v, size_t n);

/* ---- figures: one value (or p50/p99 pair) per round, median at the end ---- */

enum fig_kind {
	FIG_LAT,  /* latency: p50 and p99 per round, in microseconds */
	FIG_VAL,  /* one value per round (unit in the figure) */
};

struct fig {
	char key[64];       /* JSON key, e.g. "local.identify" */
	char label[96];     /* table label */
	const char *unit;
	enum fig_kind kind;
	double p50[FB_MAX_ROUNDS];
	double p99[FB_MAX_ROUNDS];
	int n;
};

struct fig *fig_get(const char *key, const char *label, const char *unit, enum fig_kind k);
struct fig *fig_find(const char *key);
void fig_add_lat(struct fig *f, double p50, double p99);
void fig_add_val(struct fig *f, double v);
/* Median over the rounds; NAN when the figure has no runs. */
double fig_p50(const struct fig *f);
double fig_p99(const struct fig *f);
size_t fig_count(void);
struct fig *fig_at(size_t i);

/*
 * Time iters calls of fn after warm warm-up calls; p50/p99 in microseconds.
 * Returns 0, or fn's first error.
 */
typedef int (*fb_op_fn)(void *arg);
int fb_latency(fb_op_fn fn, void *arg, unsigned warm, unsigned iters,
	       double *p50_us, double *p99_us);

/* ---- processes, temp dirs, shm names: everything is undone at exit ---- */

void fb_cleanup_init(void);
void fb_cleanup(void);
void fb_child_add(pid_t pid);
/* SIGTERM, wait up to 5 s, then SIGKILL. Returns the wait status or -1. */
int fb_child_stop(pid_t pid);
void fb_child_forget(pid_t pid);
/* A new private directory under $TMPDIR (or /tmp), removed at exit. */
int fb_tmpdir(char *buf, size_t len);
void fb_rmtree(const char *dir);
void fb_shm_track(const char *name);

/*
 * CPU placement. With two or more CPUs, cxl-fmbench itself (the client of
 * every round trip) runs on fb_cpu_client and the processes it talks to
 * on fb_cpu_server, so every hop of every figure, baselines included,
 * crosses CPUs the same way (a same-CPU hand-off costs about a third less
 * on this kind of VM, and the scheduler picks either at random).
 * -1: not pinned (one CPU, or --no-pin).
 */
extern int fb_cpu_client, fb_cpu_server;
void fb_pin_init(bool enable);
/* In a child after fork: run on cpu (no-op for -1). */
void fb_pin(int cpu);

/* VmRSS and VmHWM of pid in MiB; -1 on failure. */
int fb_proc_mem(pid_t pid, double *rss_mb, double *hwm_mb);

/* ---- argv builder ---- */

struct fb_argv {
	char **v;
	size_t n, cap;
};

void fb_argv_add(struct fb_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fb_argv_free(struct fb_argv *a);

/* ---- a cxl-emu process ---- */

#define FB_MAX_BUSES 4

struct fb_emu {
	pid_t pid;
	int out_fd;
	char dir[256];          /* its run dir, also where backing files go */
	int qmp_port;
	char bus[FB_MAX_BUSES][300];
	int n_bus;
	double start_ms;        /* fork/exec to the "ready" line */
};

/*
 * Start emu_path on cpu (see fb_pin) with args (the run dir is added as
 * --run-dir; args may name files in e->dir, which must exist). Returns 0
 * or -1 with a reason on stderr (and the tail of the emulator's stderr).
 */
int fb_emu_start(struct fb_emu *e, const char *emu_path, const struct fb_argv *args, int cpu);
/* Stop it and remove its directory. */
void fb_emu_stop(struct fb_emu *e);

/* ---- QMP line client (blocking, with timeouts) ---- */

struct fb_qmp {
	int fd;
	size_t len;
	char buf[1 << 16];
};

int fb_qmp_connect_port(struct fb_qmp *q, int port);
/* Read the greeting and negotiate. */
int fb_qmp_handshake(struct fb_qmp *q, int timeout_ms);
/* Next line into line (NUL-terminated). Returns its length or -1. */
int fb_qmp_line(struct fb_qmp *q, char *line, size_t max, int timeout_ms);
/*
 * Send one command line (without the newline) and read until its reply.
 * Returns 0 for {"return"...}, 1 for {"error"...}, -1 on I/O failure;
 * the reply line goes to reply when given.
 */
int fb_qmp_cmd(struct fb_qmp *q, const char *cmd, char *reply, size_t max, int timeout_ms);
void fb_qmp_close(struct fb_qmp *q);

/* ---- modules ---- */

struct fb_opts {
	const char *emu;       /* cxl-emu binary */
	const char *qemu;      /* qemu-system-x86_64, or NULL when absent */
	const char *json;      /* results file, or NULL */
	int rounds;
	double scale;          /* iteration multiplier (--quick: less) */
	bool pin;              /* place processes on CPUs (fb_pin_init) */
};

/* baseline.c: bare ping-pongs; QEMU's QMP round trip and start-up. */
int base_setup(const struct fb_opts *o);
int base_round(const struct fb_opts *o, int round);
void base_teardown(void);
int qemu_setup(const struct fb_opts *o);
int qemu_round(const struct fb_opts *o, int round);
void qemu_teardown(void);
const char *base_qemu_version(void);

/* cmds.c: cxl-emu hosts, commands through libcxlfm, throughput. */
int cmds_setup(const struct fb_opts *o);
int cmds_round(const struct fb_opts *o, int round);
void cmds_teardown(void);
/* The RFC target host's argv (for the start-up figure), buffer name given. */
void cmds_rfc_target_argv(struct fb_argv *a, const char *dir, const char *bufname,
			  unsigned slots);

/* startup.c: start-up time and memory of emulated hosts. */
int startup_round(const struct fb_opts *o, int round);

/* extents.c: the device model's extent scaling, in process. */
int extents_round(const struct fb_opts *o, int round);

/*
 * wire.c: the I2C wire-time model (i2c-speed=100k, 400k, 1M), one host per
 * speed; figures "wire.identify.<speed>" and "wire.ports.<speed>" (Get
 * Physical Port State of 3 ports: WIRE_PORTS_REQ bytes in, _RSP out).
 */
#define WIRE_SPEEDS 3
struct wire_speed {
	const char *name; /* the i2c-speed value */
	const char *key;  /* in figure and JSON keys */
	double hz;
};
extern const struct wire_speed wire_speeds[WIRE_SPEEDS];
#define WIRE_PORTS_REQ 4
#define WIRE_PORTS_RSP (4 + 3 * 16)
int wire_setup(const struct fb_opts *o);
int wire_round(const struct fb_opts *o, int round);
void wire_teardown(void);

#endif
