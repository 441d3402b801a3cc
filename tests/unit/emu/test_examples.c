/* SPDX-License-Identifier: MIT */
/*
 * The RFC's two hosts (examples/rfc-target-host.sh, rfc-fm-host.sh) parse
 * and start under cxl-emu, serve QMP on an ephemeral port, and stop on
 * SIGTERM with exit 0 leaving no socket behind. Each test uses its own
 * temporary directory and kills what it started.
 *
 * argv[1]: the cxl-emu binary, argv[2]: the examples directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static const char *cxl_emu, *examples;

struct host {
	pid_t pid;
	char log[300];
	char run[300];
	int port;
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	if (f) {
		size_t n = fread(buf, 1, (1 << 16) - 1, f);

		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

static void start(struct host *h, const char *tmp, const char *script, const char *tag,
		  const char *const env[])
{
	char path[300];

	snprintf(path, sizeof(path), "%s/%s", examples, script);
	snprintf(h->log, sizeof(h->log), "%s/%s.log", tmp, tag);
	snprintf(h->run, sizeof(h->run), "%s/run-%s", tmp, tag);
	h->pid = fork();
	assert_true(h->pid >= 0);
	if (h->pid == 0) {
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed or killed test */
		fd = open(h->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 2);
		dup2(fd, 1);
		setenv("CXL_EMU", cxl_emu, 1);
		for (size_t i = 0; env[i]; i += 2)
			setenv(env[i], env[i + 1], 1);
		execl("/bin/sh", "sh", path, "--run-dir", h->run, "--log", "info", (char *)NULL);
		_exit(127);
	}
}

/* Wait for "qmp: listening on tcp:HOST:PORT" in the log. */
static void wait_listening(struct host *h)
{
	for (int i = 0; i < 1000; i++) {
		char *log = slurp(h->log), *p = strstr(log, "qmp: listening on tcp:");
		int status;

		if (p) {
			char *eol = strchr(p, '\n');

			if (eol) {
				*eol = '\0';
				h->port = atoi(strrchr(p, ':') + 1);
				free(log);
				assert_true(h->port > 0);
				return;
			}
		}
		if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
			print_error("cxl-emu exited early:\n%s\n", log);
			free(log);
			fail();
		}
		free(log);
		sleep_ms(10);
	}
	fail_msg("cxl-emu did not start listening");
}

/* Connect to localhost:port (whatever family it resolved to), talk QMP. */
static void qmp_topology(int port, const char *want)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	char sport[16], buf[1 << 16];
	size_t len = 0;
	int fd = -1;
	static const char cmds[] = "{\"execute\":\"qmp_capabilities\"}\r\n"
				   "{\"execute\":\"x-cxl-topology\",\"id\":1}\r\n";

	snprintf(sport, sizeof(sport), "%d", port);
	assert_int_equal(getaddrinfo("localhost", sport, &hints, &res), 0);
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM, 0);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, cmds, sizeof(cmds) - 1), (ssize_t)sizeof(cmds) - 1);
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		assert_true(n > 0);
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\"id\":1}\r\n"))
			break;
	}
	close(fd);
	assert_non_null(strstr(buf, "{\"QMP\":"));
	assert_non_null(strstr(buf, "{\"return\":{}}"));
	assert_non_null(strstr(buf, want));
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* No socket file left anywhere under dir (it may be gone entirely). */
static void assert_no_sockets(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		assert_int_equal(errno, ENOENT);
		return;
	}
	while ((e = readdir(d))) {
		char p[600];
		struct stat st;

		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (!lstat(p, &st))
			assert_false(S_ISSOCK(st.st_mode));
	}
	closedir(d);
}

static void stop(struct host *h)
{
	int status = -1;

	assert_int_equal(kill(h->pid, SIGTERM), 0);
	for (int i = 0; i < 500; i++) {
		if (waitpid(h->pid, &status, WNOHANG) == h->pid)
			break;
		sleep_ms(10);
	}
	if (!WIFEXITED(status)) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, &status, 0);
		fail_msg("cxl-emu did not stop on SIGTERM");
	}
	if (WEXITSTATUS(status)) {
		char *log = slurp(h->log);

		print_error("exit %d, log:\n%s\n", WEXITSTATUS(status), log);
		free(log);
	}
	assert_int_equal(WEXITSTATUS(status), 0);
	h->pid = 0;
	assert_no_sockets(h->run);
}

static void check_warnings(const char *path)
{
	char *log = slurp(path);

	/* each VM-only option exactly once */
	assert_int_equal(count(log, "-kernel bzImage: ignored"), 1);
	assert_int_equal(count(log, "-smp 4: ignored"), 1);
	assert_int_equal(count(log, "-accel kvm: ignored"), 1);
	assert_int_equal(count(log, "-nographic: ignored"), 1);
	assert_int_equal(count(log, "-device virtio-net-pci: ignored"), 1);
	assert_int_equal(count(log, "warn: "), 11);
	assert_int_equal(count(log, "error"), 0);
	free(log);
}

static void rm_tree(const char *tmp)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

static void test_both_hosts(void **state)
{
	char tmp[] = "/tmp/cxl-emu-examples-XXXXXX", dir_t[300], dir_f[300], port[16];
	struct host t = { 0 }, f = { 0 };

	(void)state;
	assert_non_null(mkdtemp(tmp));
	snprintf(dir_t, sizeof(dir_t), "%s/target", tmp);
	snprintf(dir_f, sizeof(dir_f), "%s/fm", tmp);
	{
		const char *const env[] = { "TARGET_QMP_PORT", "0", "TARGET_DIR", dir_t, NULL };

		start(&t, tmp, "rfc-target-host.sh", "target", env);
	}
	wait_listening(&t);
	snprintf(port, sizeof(port), "%d", t.port);
	{
		const char *const env[] = { "TARGET_QMP_PORT", port, "FM_QMP_PORT", "0",
					    "FM_DIR", dir_f, NULL };

		start(&f, tmp, "rfc-fm-host.sh", "fm", env);
	}
	wait_listening(&f);
	qmp_topology(t.port, "\"mctp-buf-init\":true");
	qmp_topology(f.port, "\"mctp-msg-forward\":true,\"qmp\":\"127.0.0.1:");
	check_warnings(t.log);
	check_warnings(f.log);
	stop(&f);
	stop(&t);
	rm_tree(tmp);
}

static void test_bad_command_line(void **state)
{
	char tmp[] = "/tmp/cxl-emu-examples-XXXXXX", log[300];
	struct host h = { 0 };
	int status;
	char *text;
	const char *const env[] = { "TARGET_QMP_PORT", "0", "TARGET_DIR", "/tmp", NULL };

	(void)state;
	assert_non_null(mkdtemp(tmp));
	snprintf(log, sizeof(log), "%s/bad.log", tmp);
	/* an extra device with a typo'd property: exit 1, property named */
	h.pid = fork();
	if (h.pid == 0) {
		char path[300];
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed or killed test */
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 2);
		snprintf(path, sizeof(path), "%s/rfc-target-host.sh", examples);
		setenv("CXL_EMU", cxl_emu, 1);
		for (size_t i = 0; env[i]; i += 2)
			setenv(env[i], env[i + 1], 1);
		execl("/bin/sh", "sh", path, "-device", "cxl-downstream,port=9,bus=us0,id=sw9,"
		      "chasis=0,slot=9", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(h.pid, &status, 0), h.pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	text = slurp(log);
	assert_non_null(strstr(text, "cxl-emu: -device cxl-downstream,id=sw9: unknown property "
				     "'chasis'"));
	free(text);
	rm_tree(tmp);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_hosts),
		cmocka_unit_test(test_bad_command_line),
	};

	if (argc < 3) {
		fprintf(stderr, "usage: %s CXL_EMU EXAMPLES_DIR\n", argv[0]);
		return 2;
	}
	/* absolute: the scripts run with their own environment */
	cxl_emu = realpath(argv[1], NULL);
	examples = realpath(argv[2], NULL);
	if (!cxl_emu || !examples) {
		fprintf(stderr, "%s: %s or %s not found\n", argv[0], argv[1], argv[2]);
		return 2;
	}
	{
		int rc = cmocka_run_group_tests(tests, NULL, NULL);

		free((char *)cxl_emu);
		free((char *)examples);
		return rc;
	}
}
