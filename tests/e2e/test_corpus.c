/* SPDX-License-Identifier: MIT */
/*
 * The regression corpus (tests/corpus/ *.cmdline, format in its README):
 * published QEMU CXL command lines, run by cxl-emu with only the binary
 * name changed.
 *
 * - A line QEMU starts must reach "ready", every i2c_mctp_cxl endpoint on
 *   it must answer Identify (0001h) with Success, and SIGTERM must end it
 *   with status 0.
 * - A line QEMU rejects must end with a non-zero status, no "ready", and
 *   the text of its "# expect-error:" header on stderr (the message names
 *   the option, property or driver).
 *
 * How a line is made to run beside others: tests/e2e/corpus.h.
 *
 * Prints one line per file: ok/FAIL, the file, its verdict and source.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "e2e.h"

#ifndef CORPUS_DIR
#define CORPUS_DIR "tests/corpus"
#endif

static char run_dir[256];

static bool run_entry(struct corpus_entry *e, char *why, size_t len)
{
	bool rejects = !strncmp(e->qemu, "rejects", 7), ok = true;
	char err[8192];
	int k;

	if (rejects && !*e->expect_err) {
		snprintf(why, len, "a rejected line needs an '# expect-error:' header");
		return false;
	}
	for (k = 0; k < e->n_hosts && ok; k++) {
		struct corpus_host *h = &e->hosts[k];
		int r;

		r = corpus_start(e, k, run_dir);
		if (r == -2) {
			snprintf(why, len, "host %d: cannot start: %s", k, strerror(errno));
			return false;
		}
		if (rejects) {
			int st = corpus_stop(h);

			corpus_stderr(h, err, sizeof(err));
			if (r == 1 || st == 0 || !strstr(err, e->expect_err)) {
				snprintf(why, len, "host %d: wanted a refusal with \"%s\", got %s "
					 "(status %d): %.300s", k, e->expect_err,
					 r == 1 ? "ready" : "an exit", st, err);
				ok = false;
			}
		} else if (r != 1) {
			corpus_stop(h);
			corpus_stderr(h, err, sizeof(err));
			snprintf(why, len, "host %d: not ready: %.400s", k, err);
			ok = false;
		}
	}
	for (int i = 0; !rejects && ok && i < e->n_hosts; i++)
		if (corpus_identify_all(&e->hosts[i], why, len))
			ok = false;
	/* stop the later hosts first: an FM host forwards to its target */
	for (int i = k - 1; i >= 0 && !rejects; i--) {
		struct corpus_host *h = &e->hosts[i];
		int st = corpus_stop(h);

		if (ok && st != 0) {
			snprintf(why, len, "host %d: exit status %d after SIGTERM", i, st);
			ok = false;
		}
	}
	return ok;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_cmdline(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 8 && !strcmp(d->d_name + n - 8, ".cmdline");
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : CORPUS_DIR;
	struct dirent **list;
	int n = scandir(dir, &list, is_cmdline, by_name), failed = 0, starts = 0;

	if (n <= 0) {
		fprintf(stderr, "corpus: no *.cmdline in %s\n", dir);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	e2e_mkdtemp(run_dir, sizeof(run_dir));
	for (int i = 0; i < n; i++) {
		char path[512], why[1024] = "";
		struct corpus_entry e;
		bool ok;

		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (corpus_read(path, &e)) {
			printf("FAIL %s: cannot read it\n", list[i]->d_name);
			failed++;
			continue;
		}
		ok = run_entry(&e, why, sizeof(why));
		starts += strncmp(e.qemu, "rejects", 7) != 0;
		printf("%s %-48s %-7s %s\n", ok ? "ok  " : "FAIL", list[i]->d_name,
		       strncmp(e.qemu, "rejects", 7) ? "starts" : "rejects", e.source);
		if (!ok)
			printf("     %s\n", why);
		failed += !ok;
		corpus_free(&e);
		free(list[i]);
	}
	free(list);
	e2e_rmdir(run_dir);
	printf("corpus: %d files (%d start, %d rejected): %d passed, %d failed\n", n, starts,
	       n - starts, n - failed, failed);
	return failed ? 1 : 0;
}
