/* SPDX-License-Identifier: MIT */
/*
 * cxl-emu: one emulated CXL host per process, configured by a QEMU command
 * line. Parse (opts.c), validate (config.c), print one warning per ignored
 * VM option, create the run directory, start the QMP servers and run the
 * event loop until quit, SIGINT or SIGTERM; then unlink sockets and exit 0.
 *
 * Device models, I2C buses with their MCTP endpoints, forwarding and the
 * host agent come from emu_host_new() (host.c) at emu_start(). Once all of
 * it listens, stdout gets one line per QMP listener ("cxl-emu: qmp ADDR"),
 * one per I2C bus ("cxl-emu: bus NAME PATH"), one per type-3 device's host
 * mailbox socket ("cxl-emu: memdev memN DEVICE PATH") and "cxl-emu: ready":
 * tools and tests wait for that line instead of sleeping.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "emu/config.h"
#include "emu/fwd.h"
#include "emu/host.h"
#include "emu/i2c_bus.h"
#include "emu/loop.h"
#include "emu/opts.h"
#include "emu/qmp_cxl.h"
#include "emu/qmp_cxlio.h"
#include "emu/qmp_media.h"
#include "emu/qmp_fabric.h"
#include "emu/qmp_hotplug.h"
#include "emu/qmp_server.h"
#include "util/log.h"

#ifndef CXL_EMU_VERSION
#define CXL_EMU_VERSION "unknown"
#endif

struct emu {
	struct opts opts;
	struct config *cfg;
	struct loop *loop;
	struct qmp_server *qmp;
	struct emu_host *host;
	struct qmp_hotplug *hotplug;
	char run_dir[4096];
	bool run_dir_created;  /* ours to remove on exit */
	char lock_path[4200];
	int lock_fd;
	int daemon_fd;         /* -daemonize: tells the waiting parent we are ready */
	int pid_fd;            /* -pidfile, locked while we run */
};

/* ---- QMP commands of cxl-emu itself ---- */

static void cmd_x_cxl_topology(struct qmp_req *req, struct json_object *args, void *arg)
{
	struct emu *e = arg;
	struct json_object *o;

	(void)args;
	if (!e || !e->cfg) {
		qmp_reply_error(req, NULL, "no configuration");
		return;
	}
	o = cfg_to_json(e->cfg);
	json_object_object_add(o, "run-dir", json_object_new_string(e->run_dir));
	qmp_reply_return(req, o);
}

/*
 * QEMU's run state: -S starts the machine in "prelaunch", stop pauses it,
 * cont runs it (STOP / RESUME events). Only the guest stops: its OS, the
 * host agents, answers nothing meanwhile; the devices keep answering the FM.
 */
static void set_running(struct emu *e, struct qmp_req *req, bool running)
{
	bool was = !strcmp(qmp_server_status(e->qmp), "running");

	qmp_server_set_status(e->qmp, running ? "running" : "paused");
	emu_host_set_running(e->host, running);
	qmp_reply_return(req, NULL);
	if (was != running)
		qmp_server_event(e->qmp, running ? "RESUME" : "STOP", NULL);
}

static void cmd_cont(struct qmp_req *req, struct json_object *args, void *arg)
{
	(void)args;
	set_running(arg, req, true);
}

static void cmd_stop(struct qmp_req *req, struct json_object *args, void *arg)
{
	(void)args;
	set_running(arg, req, false);
}

static const struct qmp_cmd emu_cmds[] = {
	{ "x-cxl-topology", cmd_x_cxl_topology, NULL,
	  "the configuration: machine, memory backends, PCI/CXL tree, I2C buses, QMP", 0 },
	{ "cont", cmd_cont, NULL, "run the machine (after -S or stop): its host agents answer", 0 },
	{ "stop", cmd_stop, NULL, "pause the machine: its host agents wait; devices still answer",
	  0 },
};

/* Every command cxl-emu serves; also used by --help to list them truthfully. */
static int emu_register_qmp(struct emu *e, struct qmp_server *s)
{
	return qmp_server_register_table(s, emu_cmds, sizeof(emu_cmds) / sizeof(emu_cmds[0]), e);
}

/* ---- help ---- */

static void usage(FILE *f)
{
	struct loop *l = NULL;
	struct qmp_server *s = NULL;

	fprintf(f,
		"Usage: cxl-emu [QEMU options] [cxl-emu options]\n"
		"Emulates one CXL host from a QEMU command line: no VM runs, the CXL\n"
		"topology, its QMP server and its FM-facing MCTP endpoints do.\n"
		"\n"
		"cxl-emu options:\n"
		"  --help, -h             this text\n"
		"  --version              print the version\n"
		"  --log LEVEL            none, error, warn (default), info, debug\n"
		"  -v, --verbose          --log info: one line per CXL request (endpoint, EID,\n"
		"                         tags, opcode); -vv or -v -v: debug (MCTP control too)\n"
		"  --log-file PATH        log lines go to PATH (appended) instead of stderr\n"
		"  --run-dir DIR          where the bus sockets live (default\n"
		"                         $XDG_RUNTIME_DIR/cxl-emu/NAME or /tmp/cxl-emu-UID/NAME,\n"
		"                         NAME from -name, else the first QMP address, else the pid)\n"
		"\n"
		"QEMU options cxl-emu emulates:\n"
		"  -machine|-M q35,cxl=on[,cxl-fmw.N.targets.M=PXB,cxl-fmw.N.size=SIZE,\n"
		"              cxl-fmw.N.interleave-granularity=SIZE]\n"
		"  -object TYPE,id=ID,...        memory backends (-object TYPE,help)\n"
		"  -device DRIVER,...            see below (-device DRIVER,help)\n"
		"  -qmp tcp:HOST:PORT,server=on,wait=off   QMP server (repeatable; also\n"
		"  -qmp unix:PATH,server=on,wait=off       -qmp-pretty)\n"
		"  -chardev socket,id=ID,host=HOST,port=PORT|path=PATH,server=on,wait=off\n"
		"      with -mon chardev=ID,mode=control   QMP server, as QEMU users write it\n"
		"  -name NAME                    names the run directory\n"
		"  -readconfig FILE              QEMU config file ([device \"id\"], [object],\n"
		"                                [machine], [chardev], [mon]; others ignored)\n"
		"  -writeconfig FILE|-           write the CXL configuration as such a file\n"
		"  -daemonize                    detach once ready (the parent exits 0, or 1\n"
		"                                if start-up failed)\n"
		"  -pidfile FILE                 write the pid, locked; removed at exit\n"
		"  -S                            start stopped (prelaunch): host agents wait\n"
		"                                until QMP cont\n"
		"  -nodefaults                   accepted (there are no default devices)\n"
		"Option syntax is QEMU's: key=value lists, ',,' for a comma, sizes with\n"
		"K/M/G/T, booleans on/off, --opt for -opt, JSON for -device and -object.\n"
		"\n");
	cfg_print_supported(f);
	fprintf(f,
		"\nEvery other QEMU option (-kernel, -append, -initrd, -smp, -m, -cpu, -accel,\n"
		"-enable-kvm, -drive, -netdev, -nic, -serial, -monitor, -nographic, -display,\n"
		"-gdb, -s, ...) is accepted and ignored with one warning each, as are devices\n"
		"that are not on a CXL port.\n"
		"\nQMP commands:\n");
	struct fwd_target *t = NULL;
	struct qmp_hotplug *hp = NULL;

	if (!loop_new(&l) && !qmp_server_new(l, NULL, &s) && !emu_register_qmp(NULL, s) &&
	    !qmp_cxl_register(s, NULL) && !qmp_media_register(s, NULL) &&
	    !qmp_fabric_register(s, NULL) &&
	    !qmp_cxlio_register(s, NULL) &&
	    !qmp_hotplug_register(s, NULL, NULL, &hp) &&
	    !fwd_target_new(NULL, s, &t)) {
		const struct qmp_cmd *c;

		for (size_t i = 0; (c = qmp_server_command(s, i)); i++)
			fprintf(f, "  %-28s %s\n", c->name, c->doc ? c->doc : "");
	}
	fwd_target_free(t);
	qmp_hotplug_free(hp);
	qmp_server_free(s);
	loop_free(l);
}

/* ---- run directory ---- */

/* mkdir -p with mode 0700 for what we create; true in *created for the leaf. */
static int make_dirs(const char *path, bool *created)
{
	char buf[4096];
	size_t n = strlen(path);

	*created = false;
	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p)
			continue;
		char save = *p;

		*p = '\0';
		if (mkdir(buf, 0700) == 0) {
			if (!save)
				*created = true;
		} else if (errno != EEXIST) {
			return -errno;
		}
		*p = save;
		if (!save)
			break;
	}
	return 0;
}

/* /tmp/cxl-emu-UID is shared ground: it must be ours and private. */
static int check_private(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077))
		return -EPERM;
	return 0;
}

static int setup_run_dir(struct emu *e)
{
	struct stat st;
	int rc;

	if (e->opts.run_dir) {
		snprintf(e->run_dir, sizeof(e->run_dir), "%s", e->opts.run_dir);
	} else {
		rc = cfg_default_run_dir(e->cfg, getenv("XDG_RUNTIME_DIR"), (unsigned)getuid(),
					 (long)getpid(), e->run_dir, sizeof(e->run_dir));
		if (rc)
			return rc;
	}
	rc = make_dirs(e->run_dir, &e->run_dir_created);
	if (rc) {
		fprintf(stderr, "cxl-emu: cannot create run directory %s: %s\n", e->run_dir,
			strerror(-rc));
		return rc;
	}
	if (!e->opts.run_dir) {
		char parent[4096];
		char *slash;

		snprintf(parent, sizeof(parent), "%s", e->run_dir);
		slash = strrchr(parent, '/');
		if (slash)
			*slash = '\0';
		if (check_private(parent) || check_private(e->run_dir)) {
			fprintf(stderr, "cxl-emu: %s is not a private directory of this user "
				"(use --run-dir)\n", parent);
			return -EPERM;
		}
	}
	if (stat(e->run_dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "cxl-emu: %s is not a directory\n", e->run_dir);
		return -ENOTDIR;
	}
	/* One instance per run dir: bus sockets would collide. */
	snprintf(e->lock_path, sizeof(e->lock_path), "%s/cxl-emu.pid", e->run_dir);
	e->lock_fd = open(e->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (e->lock_fd < 0) {
		rc = -errno;
		fprintf(stderr, "cxl-emu: %s: %s\n", e->lock_path, strerror(errno));
		return rc;
	}
	if (flock(e->lock_fd, LOCK_EX | LOCK_NB)) {
		char pid[32] = "?";
		ssize_t n = read(e->lock_fd, pid, sizeof(pid) - 1);

		pid[n > 0 ? n : 1] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		fprintf(stderr, "cxl-emu: run directory %s is used by another cxl-emu (pid %s); "
			"give -name or --run-dir\n", e->run_dir, pid);
		close(e->lock_fd);
		e->lock_fd = -1;
		e->lock_path[0] = '\0';
		return -EBUSY;
	}
	if (ftruncate(e->lock_fd, 0) == 0)
		dprintf(e->lock_fd, "%ld\n", (long)getpid());
	log_info("run directory %s", e->run_dir);
	return 0;
}

static void teardown_run_dir(struct emu *e)
{
	if (e->lock_fd >= 0) {
		unlink(e->lock_path);
		close(e->lock_fd);
		e->lock_fd = -1;
	}
	/* only if we made it and nothing else is left in it */
	if (e->run_dir_created)
		rmdir(e->run_dir);
}

/* ---- -daemonize, -pidfile, -writeconfig ---- */

/*
 * QEMU's os_daemonize(): the parent waits until the child is ready (or
 * failed), then exits 0 (or 1); the child continues in a new session. The
 * child's startup lines still reach the parent's stdout; stdio goes to
 * /dev/null once ready (os_setup_post()).
 */
static int daemonize(struct emu *e)
{
	int fds[2];
	pid_t pid;
	char st = 1;

	if (pipe2(fds, O_CLOEXEC)) {
		fprintf(stderr, "cxl-emu: -daemonize: %s\n", strerror(errno));
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "cxl-emu: -daemonize: %s\n", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		close(fds[1]);
		while (read(fds[0], &st, 1) < 0 && errno == EINTR)
			;
		_exit(st == 0 ? 0 : 1);
	}
	close(fds[0]);
	e->daemon_fd = fds[1];
	setsid();
	return 0;
}

static void daemon_ready(struct emu *e)
{
	int null;

	if (e->daemon_fd < 0)
		return;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
	if (write(e->daemon_fd, "", 1) != 1)
		log_warn("-daemonize: the parent is gone");
	close(e->daemon_fd);
	e->daemon_fd = -1;
}

/* QEMU's qemu_write_pidfile(): locked while we run, removed at exit. */
static int write_pidfile(struct emu *e)
{
	const char *path = e->opts.pidfile;

	if (!path)
		return 0;
	e->pid_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (e->pid_fd < 0) {
		fprintf(stderr, "cxl-emu: cannot create PID file %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (flock(e->pid_fd, LOCK_EX | LOCK_NB)) {
		fprintf(stderr, "cxl-emu: cannot lock PID file %s: another process holds it\n",
			path);
		close(e->pid_fd);
		e->pid_fd = -1;
		return -1;
	}
	if (ftruncate(e->pid_fd, 0) || dprintf(e->pid_fd, "%ld\n", (long)getpid()) < 0) {
		fprintf(stderr, "cxl-emu: cannot write PID file %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void remove_pidfile(struct emu *e)
{
	if (e->pid_fd < 0)
		return;
	unlink(e->opts.pidfile);
	close(e->pid_fd);
	e->pid_fd = -1;
}

static int write_config(const struct emu *e)
{
	const char *path = e->opts.writeconfig;
	bool out = !strcmp(path, "-");
	FILE *f = out ? stdout : fopen(path, "we");
	char err[512];
	int rc;

	if (!f) {
		fprintf(stderr, "cxl-emu: -writeconfig %s: %s\n", path, strerror(errno));
		return -1;
	}
	rc = cfg_write_config(e->cfg, &e->opts, f, err, sizeof(err));
	if ((out ? fflush(f) : fclose(f)) && !rc)
		rc = -EIO;
	if (rc) {
		fprintf(stderr, "cxl-emu: %s\n", rc == -EINVAL ? err : strerror(-rc));
		return -1;
	}
	return 0;
}

/* ---- start and stop ---- */

static void on_signal(struct loop *l, void *arg)
{
	(void)arg;
	log_info("signal received, shutting down");
	loop_stop(l, 0);
}

static int emu_start(struct emu *e)
{
	struct emu_memdev md;
	char err[1024];
	int rc;

	rc = qmp_server_new(e->loop, NULL, &e->qmp);
	if (!rc)
		rc = emu_register_qmp(e, e->qmp);
	if (rc)
		return rc;
	for (size_t i = 0; i < e->cfg->n_qmps; i++) {
		const struct cfg_qmp *q = e->cfg->qmps[i];

		rc = qmp_server_listen(e->qmp, q->addr);
		if (rc) {
			fprintf(stderr, "cxl-emu: %s: cannot listen on %s: %s\n", q->origin, q->addr,
				strerror(-rc));
			return rc;
		}
	}
	rc = emu_host_new(e->loop, e->cfg, e->run_dir, e->qmp, &e->host, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "cxl-emu: %s\n", err);
		return rc;
	}
	if (e->opts.prelaunch) {
		qmp_server_set_status(e->qmp, "prelaunch");
		emu_host_set_running(e->host, false);
	}
	rc = qmp_cxl_register(e->qmp, e->host);
	if (!rc)
		rc = qmp_media_register(e->qmp, e->host);
	if (!rc)
		rc = qmp_fabric_register(e->qmp, e->host);
	if (!rc)
		rc = qmp_cxlio_register(e->qmp, e->host);
	if (!rc)
		rc = qmp_hotplug_register(e->qmp, e->cfg, e->host, &e->hotplug);
	if (rc)
		return rc;
	for (size_t i = 0; i < qmp_server_listeners(e->qmp); i++)
		if (!qmp_server_listener_addr(e->qmp, i, err, sizeof(err)))
			printf("cxl-emu: qmp %s\n", err);
	for (size_t i = 0; i < emu_host_bus_count(e->host); i++)
		printf("cxl-emu: bus %s %s\n", i2c_bus_name(emu_host_bus(e->host, i)),
		       i2c_bus_path(emu_host_bus(e->host, i)));
	for (size_t i = 0; emu_host_memdev_at(e->host, i, &md); i++)
		printf("cxl-emu: memdev %s %s %s\n", md.name, md.dev_id, md.path);
	printf("cxl-emu: ready\n");
	fflush(stdout);
	daemon_ready(e);
	return 0;
}

static void emu_stop(struct emu *e)
{
	/* Models first (backing files synced, sockets unlinked), then the servers. */
	emu_host_free(e->host);
	e->host = NULL;
	qmp_server_free(e->qmp);
	e->qmp = NULL;
	qmp_hotplug_free(e->hotplug);
	e->hotplug = NULL;
}

int main(int argc, char **argv)
{
	struct emu e = { .lock_fd = -1, .daemon_fd = -1, .pid_fd = -1 };
	sigset_t stop_sigs;
	char err[1024];
	int rc, code = 1;

	log_set_level(LOG_LVL_WARN);
	rc = opts_parse(argc, argv, &e.opts, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "cxl-emu: %s\n", rc == -ENOMEM ? "out of memory" : err);
		goto out;
	}
	if (e.opts.has_log)
		log_set_level((enum log_level)e.opts.log_level);
	/* QEMU's -msg timestamp=on form: UTC wall clock, microseconds */
	log_set_timestamps(true);
	if (e.opts.log_file) {
		rc = log_open_file(e.opts.log_file);
		if (rc) {
			fprintf(stderr, "cxl-emu: --log-file %s: %s\n", e.opts.log_file,
				strerror(-rc));
			goto out;
		}
	}
	if (e.opts.help) {
		usage(stdout);
		code = 0;
		goto out;
	}
	if (e.opts.version) {
		printf("cxl-emu (cxl-fmemu) %s\n", CXL_EMU_VERSION);
		code = 0;
		goto out;
	}
	for (size_t i = 0; i < e.opts.n; i++) {
		if (cfg_print_help(&e.opts.items[i], stdout)) {
			code = 0;
			goto out;
		}
	}
	rc = config_build(&e.opts, &e.cfg, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "cxl-emu: %s\n", err);
		goto out;
	}
	for (size_t i = 0; i < e.cfg->n_warnings; i++)
		log_warn("%s", e.cfg->warnings[i]);
	for (size_t i = 0; i < e.cfg->n_notes; i++)
		log_info("%s", e.cfg->notes[i]);
	if (e.opts.writeconfig && write_config(&e))
		goto out;
	if (e.opts.daemonize && daemonize(&e))
		goto out;
	if (write_pidfile(&e))
		goto out;

	signal(SIGPIPE, SIG_IGN);
	/*
	 * Blocked from here to exit, not only while the loop lives: a second
	 * SIGTERM after loop_free() must not turn a clean exit 0 into 143.
	 */
	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGTERM);
	sigaddset(&stop_sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop_sigs, NULL);
	/* Past the file size limit a write or ftruncate fails with EFBIG, which
	 * is reported, instead of ending the process (emu/host.c checks the
	 * limit against each backing file first). */
	signal(SIGXFSZ, SIG_IGN);
	if (loop_new(&e.loop)) {
		fprintf(stderr, "cxl-emu: cannot create the event loop\n");
		goto out;
	}
	if (loop_signal_add(e.loop, SIGINT, on_signal, &e) ||
	    loop_signal_add(e.loop, SIGTERM, on_signal, &e) ||
	    loop_signal_add(e.loop, SIGHUP, on_signal, &e)) {
		fprintf(stderr, "cxl-emu: cannot watch signals\n");
		goto out;
	}
	if (setup_run_dir(&e))
		goto out;
	if (emu_start(&e))
		goto out;
	log_info("running (%zu QMP listener(s), run directory %s)",
		 qmp_server_listeners(e.qmp), e.run_dir);
	code = loop_run(e.loop) ? 1 : 0;
out:
	emu_stop(&e);
	if (e.loop)
		loop_run_cleanups(e.loop);
	teardown_run_dir(&e);
	remove_pidfile(&e);
	loop_free(e.loop);
	config_free(e.cfg);
	opts_free(&e.opts);
	return code;
}
