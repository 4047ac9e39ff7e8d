/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cauditd under a real systemd. PID 1 of the test machine is not systemd, so
 * the test boots one in a systemd-nspawn container: a cached debootstrap root
 * (tests/integration/systemd-rootfs.sh) under an overlay, `make install
 * DESTDIR=<container root>`, then through systemctl in the container:
 *   - systemd-analyze verify is clean; the security exposure is printed
 *   - start -> active (Type=notify: READY=1 only once BPF is attached and the
 *     log open), STATUS= line, caudit status as a member of group caudit
 *   - systemctl reload (SIGHUP) applies a config change: the include_comms
 *     filter switches from one marker program to another, seen in the log
 *   - test_stop_watchdog_after stops WATCHDOG=1: systemd kills and restarts
 *     the agent (NRestarts, journal), the pins carry capture over
 *   - systemctl stop: a final shutdown seal, caudit verify clean
 *   - a configuration error: exit 78, not restarted (RestartPreventExitStatus)
 * The container and its pins are removed afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "store_check.h"

#define PIN "/sys/fs/bpf/caudit-nspawn-test"
#define BOOT_MS 90000
#define CONF "pin_dir = " PIN "\nseal_interval = 1\nstatus_group = caudit\nrules = all\n"

static struct {
	char dir[256];
	char root[320], upper[320], work[320];
	char lower[PATH_MAX];
	int mounted;
	pid_t nspawn;
	pid_t init;
} T;

/* Run a shell command; its exit status, output (stdout+stderr) in *out if non-NULL. */
static int run(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run(char **out, const char *fmt, ...)
{
	va_list ap;
	char *cmd, *full, buf[4096];
	size_t len = 0, cap = 0;
	char *acc = NULL;
	FILE *f;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	full = xasprintf("(%s) 2>&1", cmd);
	f = popen(full, "r");
	free(full);
	if (!f) {
		free(cmd);
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		size_t n = strlen(buf);

		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			acc = realloc(acc, cap);
			assert_non_null(acc);
		}
		memcpy(acc + len, buf, n + 1);
		len += n;
	}
	st = pclose(f);
	if (getenv("CAUDIT_TEST_VERBOSE"))
		fprintf(stderr, "$ %s\n%s", cmd, acc ? acc : "");
	free(cmd);
	if (out)
		*out = acc ? acc : strdup("");
	else
		free(acc);
	return st == -1 ? -1 : (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* Run in the container (all its namespaces); cmd must not contain single quotes. */
#define CRUN(out, ...) run(out, "nsenter -t %d -a sh -c '%s'", (int)T.init, xs(__VA_ARGS__))

static char *xs_buf[64];
static int xs_n;
static const char *xs(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *xs(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	free(xs_buf[xs_n % 64]);
	xs_buf[xs_n++ % 64] = s;
	return s;
}

static char *trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = 0;
	return s;
}

/* `systemctl show -p PROP --value cauditd` in the container (malloc'd). */
static char *show(const char *prop)
{
	char *out;

	CRUN(&out, "systemctl show -p %s --value cauditd", prop);
	return trim(out);
}

static int wait_show(const char *prop, const char *want, int timeout_ms)
{
	uint64_t end = now_ms_mono() + (uint64_t)timeout_ms;

	while (now_ms_mono() < end) {
		char *v = show(prop);
		int ok = strcmp(v, want) == 0;

		free(v);
		if (ok)
			return 0;
		sleep_ms(200);
	}
	return -1;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The container's init: the child of systemd-nspawn named systemd. */
static pid_t find_init(pid_t parent)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = 0;

	while (d && (de = readdir(d))) {
		char path[300], buf[512], *p;
		int ppid;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(buf, sizeof(buf), f)) {
			fclose(f);
			continue;
		}
		fclose(f);
		p = strrchr(buf, ')');
		if (p && sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == parent &&
		    strstr(buf, "(systemd)"))
			found = (pid_t)atoi(de->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

static void set_conf(const char *extra);

static int setup(void **state)
{
	char *out = NULL;
	uint64_t end;

	memset(&T, 0, sizeof(T));
	if (!harness_can_run())
		return 0;
	rm_tree(PIN);
	if (run(&out, "sh tests/integration/systemd-rootfs.sh")) {
		fprintf(stderr, "systemd-rootfs.sh failed:\n%s\n", out);
		free(out);
		return -1;
	}
	snprintf(T.lower, sizeof(T.lower), "%s", trim(out));
	free(out);
	if (harness_tmpdir(T.dir, sizeof(T.dir)))
		return -1;
	snprintf(T.root, sizeof(T.root), "%s/root", T.dir);
	snprintf(T.upper, sizeof(T.upper), "%s/upper", T.dir);
	snprintf(T.work, sizeof(T.work), "%s/work", T.dir);
	if (mkdir(T.root, 0755) || mkdir(T.upper, 0755) || mkdir(T.work, 0755))
		return -1;
	/* the cached root stays clean: every run writes into its own upper layer */
	out = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", T.lower, T.upper, T.work);
	if (mount("overlay", T.root, "overlay", 0, out)) {
		fprintf(stderr, "overlay mount: %s\n", strerror(errno));
		free(out);
		return -1;
	}
	free(out);
	T.mounted = 1;
	if (run(&out, "make -s install DESTDIR=%s BUILD=%s >/dev/null", T.root,
		getenv("CAUDIT_BUILD") ? getenv("CAUDIT_BUILD") : "build")) {
		fprintf(stderr, "make install failed:\n%s\n", out);
		free(out);
		return -1;
	}
	free(out);
	/* the test's configuration, before boot */
	set_conf("include_comms = cauditmark1\n");
	/* marker programs: comm is the executable's name */
	run(NULL, "cp %s/usr/bin/touch %s/usr/local/bin/cauditmark1 && "
		  "cp %s/usr/bin/touch %s/usr/local/bin/cauditmark2", T.root, T.root, T.root, T.root);

	T.nspawn = fork();
	if (T.nspawn < 0)
		return -1;
	if (T.nspawn == 0) {
		char *log = xasprintf("%s/nspawn.log", T.dir);
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setsid();
		execlp("systemd-nspawn", "systemd-nspawn", "-q", "-D", T.root, "-b",
		       "--register=no", "--keep-unit", "--console=read-only",
		       "--capability=all", "--system-call-filter=bpf perf_event_open",
		       "--bind=/sys/kernel/tracing", "--bind=/sys/fs/bpf", (char *)NULL);
		_exit(127);
	}
	end = now_ms_mono() + BOOT_MS;
	while (!T.init && now_ms_mono() < end) {
		sleep_ms(100);
		T.init = find_init(T.nspawn);
	}
	while (T.init && now_ms_mono() < end) {
		int ok;

		CRUN(&out, "systemctl is-system-running");
		ok = strstr(out, "running") || strstr(out, "degraded");
		free(out);
		if (ok)
			return 0;
		sleep_ms(200);
	}
	run(&out, "tail -n 30 %s/nspawn.log", T.dir);
	fprintf(stderr, "the container did not boot (init %d):\n%s\n", (int)T.init, out);
	free(out);
	return -1;
}

static int teardown(void **state)
{
	if (T.nspawn > 0) {
		uint64_t end = now_ms_mono() + 20000;
		int st;

		/* SIGTERM: nspawn asks the container's systemd to power off */
		kill(T.nspawn, SIGTERM);
		while (waitpid(T.nspawn, &st, WNOHANG) == 0) {
			if (now_ms_mono() > end) {
				kill(T.nspawn, SIGKILL);
				if (T.init > 0)
					kill(T.init, SIGKILL);
				waitpid(T.nspawn, &st, 0);
				break;
			}
			sleep_ms(100);
		}
	}
	rm_tree(PIN);
	rm_tree(PIN "-old");
	if (T.mounted)
		umount2(T.root, MNT_DETACH);
	if (T.dir[0] && !getenv("CAUDIT_KEEP_TEST_DIRS"))
		rm_tree(T.dir);
	for (int i = 0; i < 64; i++) {
		free(xs_buf[i]);
		xs_buf[i] = NULL;
	}
	memset(&T, 0, sizeof(T));
	return 0;
}

static char *host_path(const char *p)
{
	return xasprintf("%s%s", T.root, p);
}

/* Records of the container's log whose file.path equals path. */
static size_t count_path(const char *path)
{
	char *dir = host_path("/var/log/caudit"), msg[512];
	struct slog l;
	size_t n = 0;

	assert_int_equal(slog_read(&l, dir, msg, sizeof(msg)), 0);
	for (size_t i = 0; i < l.nlines; i++) {
		json_object *o = slog_parse(&l, i);
		const char *p = o ? jstr(o, "file.path") : NULL;

		n += p && strcmp(p, path) == 0;
		json_object_put(o);
	}
	slog_free(&l);
	free(dir);
	return n;
}

static int wait_path(const char *path, size_t want, int timeout_ms)
{
	uint64_t end = now_ms_mono() + (uint64_t)timeout_ms;

	do {
		if (count_path(path) >= want)
			return 0;
		sleep_ms(250);
	} while (now_ms_mono() < end);
	return -1;
}

/* Fail with the unit's journal: what cauditd and systemd said. */
static void journal_fail(const char *what, const char *out)
{
	char *j;

	CRUN(&j, "journalctl -u cauditd --no-pager | tail -n 40");
	fail_msg("%s: %s\njournal:\n%s", what, out ? out : "", j);
}

static void set_conf(const char *extra)
{
	char *p = host_path("/etc/caudit/cauditd.conf"), *text = xasprintf("%s%s", CONF, extra);

	write_file(p, text);
	free(text);
	free(p);
}

static void test_systemd_service(void **state)
{
	char *out, *v, *p, *last;
	int n0;

	if (!harness_can_run())
		skip();
	/* the documented installation steps (docs/operations.md, "Install") */
	if (CRUN(&out, "systemctl daemon-reload && systemd-sysusers && systemd-tmpfiles --create"))
		fail_msg("sysusers/tmpfiles: %s", out);
	free(out);
	/* the unit as installed, checked by the container's own systemd */
	assert_int_equal(CRUN(&out, "systemd-analyze verify "
				    "/usr/local/lib/systemd/system/cauditd.service"), 0);
	if (out[0])
		fail_msg("systemd-analyze verify:\n%s", out);
	free(out);
	CRUN(&out, "systemd-analyze security cauditd.service | tail -n 1");
	print_message("systemd-analyze security: %s", out);
	assert_non_null(strstr(out, "Overall exposure level for cauditd.service"));
	free(out);

	/* start: Type=notify, active only after READY=1 */
	if (CRUN(&out, "systemctl start cauditd"))
		journal_fail("systemctl start", out);
	free(out);
	v = show("ActiveState");
	assert_string_equal(v, "active");
	free(v);
	v = show("StatusText");
	assert_true(strncmp(v, "capturing:", 10) == 0);
	free(v);
	/* caudit status from a member of group caudit (not root) */
	if (CRUN(&out, "setpriv --reuid=65534 --regid=caudit --clear-groups "
		       "/usr/local/bin/caudit status"))
		journal_fail("caudit status as a member of group caudit", out);
	assert_non_null(strstr(out, "hooks:"));
	assert_non_null(strstr(out, "policy:       generation 1"));
	free(out);
	assert_int_not_equal(CRUN(&out, "setpriv --reuid=65534 --regid=65534 --clear-groups "
					"/usr/local/bin/caudit status"), 0);
	free(out);

	/* reload: the filter switches from cauditmark1 to cauditmark2 */
	CRUN(NULL, "cauditmark1 /var/tmp/m1-before; cauditmark2 /var/tmp/m2-before");
	assert_int_equal(wait_path("/var/tmp/m1-before", 1, 20000), 0);
	set_conf("include_comms = cauditmark2\n");
	assert_int_equal(CRUN(&out, "systemctl reload cauditd"), 0);
	free(out);
	assert_int_equal(CRUN(&out, "/usr/local/bin/caudit status"), 0);
	assert_non_null(strstr(out, "policy:       generation 2"));
	free(out);
	CRUN(NULL, "cauditmark1 /var/tmp/m1-after; cauditmark2 /var/tmp/m2-after");
	assert_int_equal(wait_path("/var/tmp/m2-after", 1, 20000), 0);
	assert_int_equal(count_path("/var/tmp/m2-before"), 0);
	assert_int_equal(count_path("/var/tmp/m1-after"), 0);

	/* the watchdog: pings stop, systemd restarts the agent */
	v = show("NRestarts");
	n0 = atoi(v);
	free(v);
	p = host_path("/etc/systemd/system/cauditd.service.d");
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	p = host_path("/etc/systemd/system/cauditd.service.d/test.conf");
	write_file(p, "[Service]\nWatchdogSec=2\n");
	free(p);
	set_conf("include_comms = cauditmark2\ntest_stop_watchdog_after = 2\n");
	assert_int_equal(CRUN(&out, "systemctl daemon-reload && systemctl restart cauditd"), 0);
	free(out);
	{
		uint64_t end = now_ms_mono() + 40000;
		int restarted = 0;

		while (!restarted && now_ms_mono() < end) {
			v = show("NRestarts");
			restarted = atoi(v) > n0;
			free(v);
			sleep_ms(250);
		}
		assert_true(restarted);
	}
	CRUN(&out, "journalctl -u cauditd --no-pager");
	assert_non_null(strstr(out, "Watchdog timeout"));
	free(out);
	/* back to normal: pings again, and capture went on through the restarts */
	set_conf("include_comms = cauditmark2\n");
	p = host_path("/etc/systemd/system/cauditd.service.d/test.conf");
	unlink(p);
	free(p);
	assert_int_equal(CRUN(&out, "systemctl daemon-reload && systemctl restart cauditd"), 0);
	free(out);
	assert_int_equal(wait_show("ActiveState", "active", 20000), 0);
	CRUN(NULL, "cauditmark2 /var/tmp/m2-final");
	assert_int_equal(wait_path("/var/tmp/m2-final", 1, 20000), 0);

	/* stop: a shutdown seal ends the log, and it verifies */
	assert_int_equal(CRUN(&out, "systemctl stop cauditd"), 0);
	free(out);
	v = show("ActiveState");
	assert_string_equal(v, "inactive");
	free(v);
	{
		char *dir = host_path("/var/log/caudit"), *key = host_path("/var/lib/caudit/keys");
		const char *bad;
		struct slog l;
		char msg[512];
		json_object *o;
		int status = -1;

		assert_int_equal(slog_read(&l, dir, msg, sizeof(msg)), 0);
		assert_true(l.nlines > 0);
		o = slog_parse(&l, l.nlines - 1);
		assert_non_null(o);
		assert_string_equal(jstr(o, "event"), "log.seal");
		assert_string_equal(jstr(o, "seal.reason"), "shutdown");
		json_object_put(o);
		slog_free(&l);
		assert_int_equal(run_caudit_verify(key, dir, &last, &status), 1);
		bad = verify_bad_verdict(last);
		if (bad || status != 0)
			fail_msg("caudit verify (status %d): %s\n%s", status, bad ? bad : "", last);
		free(last);
		free(dir);
		free(key);
	}
	/* a configuration error: exit 78, and RestartPreventExitStatus=78 stops the loop */
	set_conf("no_such_key = 1\n");
	assert_int_not_equal(CRUN(&out, "systemctl start cauditd"), 0);
	free(out);
	v = show("ExecMainStatus");
	assert_string_equal(v, "78");
	free(v);
	v = show("NRestarts");
	n0 = atoi(v);
	free(v);
	sleep_ms(2500); /* RestartSec=1: a restart would have happened by now */
	v = show("NRestarts");
	assert_int_equal(atoi(v), n0);
	free(v);
	v = show("ActiveState");
	assert_string_equal(v, "failed");
	free(v);
	CRUN(&out, "journalctl -u cauditd --no-pager");
	assert_non_null(strstr(out, "unknown key 'no_such_key'"));
	free(out);

	/* uninstall: cauditd --remove-pins stops the capture left pinned */
	set_conf("");
	assert_int_equal(CRUN(&out, "/usr/local/sbin/cauditd --remove-pins"), 0);
	free(out);
	assert_int_equal(access(PIN, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_systemd_service, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
