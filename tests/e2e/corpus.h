/* SPDX-License-Identifier: MIT */
/*
 * Running a published command line of the corpus (tests/corpus/, format in
 * its README) with cxl-emu. So that runs do not collide, what a line names
 * on the machine moves into a run directory per host: mem-path= (a
 * directory stays a directory), -qmp unix: and chardev path= sockets,
 * -pidfile; TCP QMP listeners become ephemeral ports, and a later host's
 * qmp=HOST:PORT (mctp-msg-forward) follows the earlier host's real port;
 * the RFC's shared buffer gets a name of this run's own (mctp-buf-name=).
 * Nothing else of the line changes.
 */
#ifndef CXLFM_TESTS_CORPUS_H
#define CXLFM_TESTS_CORPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CORPUS_MAX_HOSTS 4
#define CORPUS_MAX_WORDS 512
#define CORPUS_MAX_BUSES 8

struct corpus_host {
	char *words[CORPUS_MAX_WORDS]; /* argv as run; [0] is cxl-emu */
	int n;
	char dir[600];
	int pub_port;           /* the first TCP QMP port as published, 0 if none */
	int port;               /* ... and as it listens now */
	pid_t pid;
	int out_fd, err_fd;
	char bus_name[CORPUS_MAX_BUSES][64], bus_path[CORPUS_MAX_BUSES][300];
	int n_buses;
};

struct corpus_entry {
	char name[128];         /* the file's name */
	char source[512], qemu[512], expect_err[256]; /* its headers */
	char *text[CORPUS_MAX_HOSTS]; /* each host's command line */
	int n_hosts;
	struct corpus_host hosts[CORPUS_MAX_HOSTS];
};

/* Read a *.cmdline file: 0 or -errno. Free with corpus_free (which also
 * stops the hosts still running). */
int corpus_read(const char *path, struct corpus_entry *e);
void corpus_free(struct corpus_entry *e);
/* Change host k's line before it starts (a test's variation of it). */
int corpus_edit(struct corpus_entry *e, int k, const char *from, const char *to);
/* Add words (shell syntax) at the end of host k's line. */
int corpus_append(struct corpus_entry *e, int k, const char *words);
/* Start host k (hosts in order) under run_dir: 1 ready, 0 exited before
 * ready, -1 not ready in time, -2 could not start. */
int corpus_start(struct corpus_entry *e, int k, const char *run_dir);
/* SIGTERM, wait; the exit status, or -1. */
int corpus_stop(struct corpus_host *h);
/* What it wrote on stderr (after it ended). */
void corpus_stderr(struct corpus_host *h, char *buf, size_t len);
/* Every i2c_mctp_cxl endpoint the line puts on each bus answers Identify
 * with Success; else -1 and why. */
int corpus_identify_all(struct corpus_host *h, char *why, size_t len);

#endif
