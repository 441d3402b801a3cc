/* SPDX-License-Identifier: MIT */
/*
 * End-to-end test helpers: start cxl-emu processes with per-test run
 * directories and ephemeral QMP ports, read what they announce on stdout,
 * talk QMP to them, and make sure they are gone afterwards.
 */
#ifndef CXLFM_TESTS_E2E_H
#define CXLFM_TESTS_E2E_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct json_object;

#define E2E_MAX_BUSES 8
#define E2E_MAX_MEMDEVS 8

struct emu_proc {
	pid_t pid;
	int out_fd;                    /* the child's stdout */
	char run_dir[256];
	int qmp_port;                  /* first TCP QMP listener */
	char bus_path[E2E_MAX_BUSES][300];
	char bus_name[E2E_MAX_BUSES][64];
	int n_buses;
	char memdev_path[E2E_MAX_MEMDEVS][300]; /* "cxl-emu: memdev memN DEV PATH" */
	char memdev_name[E2E_MAX_MEMDEVS][16];
	int n_memdevs;
};

/* A fresh directory under $TMPDIR; removed (with its files) by e2e_rmdir. */
void e2e_mkdtemp(char *buf, size_t len);
void e2e_rmdir(const char *dir);

/*
 * Start CXL_EMU (env, else the build's path) with argv (NULL-terminated;
 * "@PORT" stands for an ephemeral QMP address, "@RUN" inside an argument for
 * the run dir) and wait for its "ready" line. Returns 0 or -1 (with the
 * child killed and the run dir removed).
 */
int emu_start(struct emu_proc *p, const char *const *argv);
/* The same, leaving the run dir to cxl-emu: XDG_RUNTIME_DIR is p->run_dir. */
int emu_start_xdg(struct emu_proc *p, const char *const *argv, bool default_run_dir);
/* As emu_start, with cxl-emu's stderr in <run dir>/EMU_LOG instead of the test's. */
#define EMU_LOG "cxl-emu.log"
int emu_start_quiet(struct emu_proc *p, const char *const *argv);
/*
 * Run CXL_EMU with argv (as emu_start; @RUN is run_dir, which the caller
 * made) expecting it to refuse to start: returns its exit status (128 +
 * signal if a signal ended it) with its stdout and stderr in out, or -1 if
 * it became ready or kept running instead (then it is stopped).
 */
int emu_run_refused(const char *run_dir, const char *const *argv, char *out, size_t len);
/* SIGTERM, wait; returns the exit status (or -1 after a SIGKILL). The run
 * directory stays for the test to inspect: e2e_rmdir(p->run_dir). */
int emu_stop(struct emu_proc *p);
const char *emu_bus(const struct emu_proc *p, const char *name);
/* SIGKILL (a host that loses power: nothing cleaned up), wait. The run directory stays. */
void emu_kill(struct emu_proc *p);

/*
 * Run argv with the environment changes in env ("K=V" sets, "-K" unsets):
 * its exit status (128 + signal), or -1 when it ran over timeout_s seconds
 * and was killed.
 */
int e2e_run(const char *const *argv, const char *const *env, int timeout_s);
/* After a test: stop p if it runs, remove its run dir, forget it (zeroed). */
void emu_cleanup(struct emu_proc *p);

/*
 * The QEMU FM-emulation RFC's hosts up to the switch (argv words for an
 * initializer): the DCD's backends in the run dir, host bridge, root port,
 * switch with its mailbox CCI and three downstream ports, the CFMW. The
 * DCD, the MCTP endpoints and -qmp are each test's own.
 */
#define E2E_RFC_SWITCH \
	"-machine", "q35,cxl=on", "-m", "4G,maxmem=8G,slots=8", "-smp", "4", "-nographic", \
	"-object", "memory-backend-file,id=cxl-mem2,share=on,mem-path=@RUN/t3_cxl2.raw,size=4G", \
	"-object", "memory-backend-file,id=cxl-lsa2,share=on,mem-path=@RUN/t3_lsa2.raw,size=512M", \
	"-device", "pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1", \
	"-device", "cxl-rp,port=0,bus=cxl.1,id=cxl_rp_port0,chassis=0,slot=2", \
	"-device", "cxl-upstream,port=2,sn=1234,bus=cxl_rp_port0,id=us0,addr=0.0,multifunction=on", \
	"-device", "cxl-switch-mailbox-cci,bus=cxl_rp_port0,addr=0.1,target=us0", \
	"-device", "cxl-downstream,port=0,bus=us0,id=swport0,chassis=0,slot=4", \
	"-device", "cxl-downstream,port=1,bus=us0,id=swport1,chassis=0,slot=5", \
	"-device", "cxl-downstream,port=3,bus=us0,id=swport2,chassis=0,slot=6", \
	"-M", "cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,cxl-fmw.0.interleave-granularity=1k"

/*
 * One host with one DCD (dcd, sn=7, 2 regions of a 1 GiB file backend in the
 * run dir, at most 600 extents) on a root port, its FM endpoint 0x6 on bus
 * i2c0, and QMP (argv words for an initializer).
 */
#define E2E_DCD_HOST \
	"-machine", "q35,cxl=on", "-qmp", "@PORT", \
	"-object", "memory-backend-file,id=dc,share=on,mem-path=@RUN/dc.raw,size=1G", \
	"-device", "pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1", \
	"-device", "cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2", \
	"-device", "cxl-type3,bus=rp0,volatile-dc-memdev=dc,id=dcd,num-dc-regions=2,sn=7," \
		   "x-dc-extents-max=600", \
	"-device", "i2c_mctp_cxl,bus=i2c0,address=6,target=dcd"

/* An argv built word by word; v stays NULL-terminated. */
struct e2e_argv {
	const char *v[96];
	char s[32][512]; /* storage of the formatted words */
	int n, ns;
};
/* Append one formatted word. */
void e2e_argv_add(struct e2e_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append constant words (NULL-terminated). */
void e2e_argv_addv(struct e2e_argv *a, const char *const *words);

/*
 * The QEMU FM-emulation RFC's two hosts (docs/forwarding.md), each with the
 * DCD cxl-dcd0 (sn=99) below the switch: E2E_RFC_SWITCH and the DCD, whose
 * further properties are t3_extra (",mctp-buf-name=..." or "").
 */
void e2e_rfc_topology(struct e2e_argv *a, const char *t3_extra);
/* The target host: buffer buf of slots slots (created when init), switch
 * endpoint 0x4 and DCD endpoint 0x6 on aspeed.i2c.bus.0, QMP on
 * 127.0.0.1:port (0: an ephemeral port). */
void e2e_rfc_target_argv(struct e2e_argv *a, const char *buf, unsigned slots, int port,
			 bool init);
/* The FM host: endpoint 0x6 (and 0x4 if fwd_switch) forwards to the target's
 * QMP on 127.0.0.1:target_port; ep_extra: more properties of 0x6 (or NULL). */
void e2e_rfc_fm_argv(struct e2e_argv *a, const char *buf, unsigned slots, int target_port,
		     bool fwd_switch, const char *ep_extra);

/*
 * After a test of the RFC pair: stop the FM host and the target (either may
 * not have started: pid 0), remove their run dirs, and unlink the shared
 * buffer buf (may be NULL) in case a host was killed before it could.
 */
void e2e_rfc_pair_stop(struct emu_proc *tgt, struct emu_proc *fm, const char *buf);

/* Connected to 127.0.0.1:port and the greeting read, nothing sent; -1 if no greeting. */
int qmp_connect(int port);
/* A negotiated QMP connection (greeting read, qmp_capabilities done). */
int qmp_open(int port);
/* Execute and return the whole reply object ({"return":…} or {"error":…}). */
struct json_object *qmp_exec(int fd, const char *cmd, struct json_object *args);
/* The same with the arguments as JSON text (NULL: none). */
struct json_object *qmp_exec_json(int fd, const char *cmd, const char *json);
/* Read lines until one matches event name or the timeout passes. */
struct json_object *qmp_wait_event(int fd, const char *name, int timeout_ms);

#endif
