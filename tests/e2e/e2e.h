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

struct emu_proc {
	pid_t pid;
	int out_fd;                    /* the child's stdout */
	char run_dir[256];
	int qmp_port;                  /* first TCP QMP listener */
	char bus_path[E2E_MAX_BUSES][300];
	char bus_name[E2E_MAX_BUSES][64];
	int n_buses;
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
/* SIGTERM, wait; returns the exit status (or -1 after a SIGKILL). The run
 * directory stays for the test to inspect: e2e_rmdir(p->run_dir). */
int emu_stop(struct emu_proc *p);
const char *emu_bus(const struct emu_proc *p, const char *name);

/* A negotiated QMP connection (greeting read, qmp_capabilities done). */
int qmp_open(int port);
/* Execute and return the whole reply object ({"return":…} or {"error":…}). */
struct json_object *qmp_exec(int fd, const char *cmd, struct json_object *args);
/* Read lines until one matches event name or the timeout passes. */
struct json_object *qmp_wait_event(int fd, const char *name, int timeout_ms);

#endif
