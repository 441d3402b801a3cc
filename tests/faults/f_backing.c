/* SPDX-License-Identifier: MIT */
/*
 * Issue #13 class 2: backing memory the file system cannot provide. A DC
 * backing file on a full 1 MiB tmpfs (a private mount namespace: root or
 * CAP_SYS_ADMIN, skipped otherwise), and a file size limit below a backend.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <json-c/json.h>

#include "faults.h"

#define MiB (1024ull * 1024)

/* Until the host holds want extents (or 5 s): what it holds. */
static size_t wait_held(int q, size_t want)
{
	struct f_extents e = { 0 };
	double t0 = f_now();
	size_t n;

	do {
		f_ha_extents(q, "dcd", &e, NULL);
		n = e.n;
		if (n == want)
			break;
		f_sleep_ms(5);
	} while (f_now() - t0 < 5);
	f_extents_free(&e);
	return n;
}

/*
 * The host accepts capacity whose pages the full file system cannot give:
 * the agent's pattern writes fault (SIGBUS, recovered), are counted as
 * errors, and its data check fails; the host keeps serving, writes the next
 * extent once there is room, and exits cleanly.
 */
static void fs_full(void)
{
	static struct emu_proc h;
	static char zeros[65536];
	struct e2e_argv a = { .n = 0 };
	char dir[256], file[300], filler[300];
	const char *err;
	unsigned long long filled = 0;
	uint64_t errs, errs2;
	ssize_t w;
	int q, fd;

	if (unshare(CLONE_NEWNS))
		f_skip("a private 1 MiB tmpfs needs root or CAP_SYS_ADMIN (unshare: %s)",
		       strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		f_skip("cannot make mounts private: %s", strerror(errno));
	f_tmpdir(dir, sizeof(dir));
	if (mount("tmpfs", dir, "tmpfs", 0, "size=1m"))
		f_skip("cannot mount a tmpfs: %s", strerror(errno));
	f_mounted(dir);
	snprintf(file, sizeof(file), "%s/dc.raw", dir);
	f_dcd_host_argv(&a, file);
	f_emu_start(&h, a.v);
	q = f_qmp(&h);
	snprintf(filler, sizeof(filler), "%s/filler", dir);
	fd = open(filler, O_WRONLY | O_CREAT, 0600);
	F_CHECK(fd >= 0, "cannot create %s", filler);
	while ((w = write(fd, zeros, sizeof(zeros))) > 0)
		filled += (unsigned long long)w;
	close(fd);
	F_CHECK(!(err = f_qmp_dc(q, "dcd", true, 0, 2 * MiB)), "add: %s", err);
	F_CHECK(wait_held(q, 1) == 1, "the host did not accept the extent");
	errs = f_ha_stat(q, "dcd", "errors");
	F_CHECK(errs >= 1, "no write error counted on a full file system");
	F_CHECK(!f_qmp_try(q, "x-cxl-host-agent", "{\"path\": \"dcd\", \"action\": \"verify\"}",
			   NULL, 0), "the data check passed on pages that were never written");
	F_CHECK(f_alive(&h), "the host died");
	F_CHECK(unlink(filler) == 0, "unlink: %s", strerror(errno));
	F_CHECK(!(err = f_qmp_dc(q, "dcd", true, 4 * MiB, 2 * MiB)), "second add: %s", err);
	F_CHECK(wait_held(q, 2) == 2, "the host did not accept the second extent");
	errs2 = f_ha_stat(q, "dcd", "errors");
	F_CHECK(errs2 == errs, "%llu more errors with room on the file system",
		(unsigned long long)(errs2 - errs));
	close(q);
	F_CHECK(f_emu_stop(&h) == 0, "no clean exit");
	f_pass("%s KiB filler filled the 1 MiB tmpfs: the host accepted 2 MiB, counted %llu "
	       "failed writes, its data check failed; with room again the next extent was "
	       "written (no new error); exit 0", f_num(filled / 1024), (unsigned long long)errs);
}

/* ulimit -f below the backend's size: refused at start, with the reason. */
static void fsize_limit(void)
{
	struct e2e_argv a = { .n = 0 };
	struct rlimit lim = { .rlim_cur = MiB, .rlim_max = RLIM_INFINITY };
	char dir[256], out[4096], *line, *nl;
	int rc;

	F_CHECK(getrlimit(RLIMIT_FSIZE, &lim) == 0, "getrlimit");
	lim.rlim_cur = MiB; /* ulimit -f 1024 */
	F_CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0, "setrlimit: %s", strerror(errno));
	f_tmpdir(dir, sizeof(dir));
	f_dcd_host_argv(&a, NULL);
	rc = emu_run_refused(dir, a.v, out, sizeof(out));
	F_CHECK(rc == 1, "exit %d (1 wanted): %s", rc, out);
	line = strstr(out, "file size limit");
	F_CHECK(line, "no reason given: %s", out);
	while (line > out && line[-1] != '\n')
		line--;
	if ((nl = strchr(line, '\n')))
		*nl = 0;
	F_CHECK(strstr(line, "dc.raw"), "the file is not named: %s", line);
	f_pass("a 1 GiB backend under ulimit -f 1024: refused at start, exit 1: \"%s\"",
	       f_short(line));
}

const struct f_scenario f_backing_scenarios[] = {
	{ "backing-fs-full", "#13.2: DC backing file on a full 1 MiB tmpfs (root)", fs_full, 0 },
	{ "backing-fsize-limit", "#13.2: ulimit -f below the backend size", fsize_limit, 0 },
	{ NULL, NULL, NULL, 0 },
};
