/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cauditd under a real systemd. PID 1 of the test machine is not systemd, so
 * the test boots one in a systemd-nspawn container: a cached debootstrap root
 * (tests/integration/systemd-rootfs.sh) under an overlay, `make install
 * DESTDIR=<container root>`, then through systemctl in the container:
 *   - systemd-analyze verify is clean; the security exposure is printed
 *   - start -> active (Type=notify: READY=1 only once BPF is attached and the
 *     log open), STATUS= line, caudit status as a member of group caudit
 *   - systemctl reload (SIGHUP) applies a config change and a rule change:
 *     the include_comms filter switches from one marker program to another,
 *     and a rule file in /etc/caudit/rules.d gets a new key; a new
 *     agent.policy record (via SIGHUP, hash = `caudit rules check`'s) and the
 *     new key on the next matching operation show it in the log
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
#include "nspawn.h"
#include "policy_check.h"
#include "rec_check.h"
#include "store_check.h"

#define PIN "/sys/fs/bpf/caudit-nspawn-test"
#define CONF                                                                          \
	"pin_dir = " PIN "\nseal_interval = 1\nstatus_group = caudit\n"                 \
	"rules = /etc/caudit/rules.d\n"
/* The test's rule file: the marker programs' writes under /var/tmp, with a key. */
#define TEST_RULES "/etc/caudit/rules.d/50-test.rules"
#define TEST_RULE "-a always,exit -F arch=b64 -F dir=/var/tmp -F perm=wa -k %s\n"

/* the container (nspawn.c) */
static struct nspawn T;

#define run nspawn_host
#define trim nspawn_trim
/* Run in the container (all its namespaces); cmd must not contain single quotes. */
#define CRUN(out, ...) nspawn_run(&T, out, __VA_ARGS__)

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

static void set_conf(const char *extra);
static void set_rules(const char *key);

static int setup(void **state)
{
	static const char *const nspawn_args[] = {
	    "--capability=all", "--system-call-filter=bpf perf_event_open",
	    "--bind=/sys/kernel/tracing", "--bind=/sys/fs/bpf", NULL};

	memset(&T, 0, sizeof(T));
	if (!harness_can_run())
		return 0;
	rm_tree(PIN);
	if (nspawn_prepare(&T))
		return -1;
	/* the test's configuration and rule file, before boot */
	set_conf("include_comms = cauditmark1\n");
	set_rules("sd-before");
	/* marker programs: comm is the executable's name */
	run(NULL, "cp %s/usr/bin/touch %s/usr/local/bin/cauditmark1 && "
		  "cp %s/usr/bin/touch %s/usr/local/bin/cauditmark2", T.root, T.root, T.root, T.root);
	return nspawn_boot(&T, nspawn_args);
}

static int teardown(void **state)
{
	nspawn_destroy(&T);
	rm_tree(PIN);
	rm_tree(PIN "-old");
	return 0;
}

static char *host_path(const char *p)
{
	return nspawn_path(&T, p);
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

static void set_rules(const char *key)
{
	char *p = host_path(TEST_RULES), *text = xasprintf(TEST_RULE, key);

	write_file(p, text);
	free(text);
	free(p);
}

/* The records of the container's log whose event is event, parsed (caller puts them). */
static size_t log_events(const char *event, json_object **out, size_t max)
{
	char *dir = host_path("/var/log/caudit"), msg[512];
	struct slog l;
	size_t n = 0;

	assert_int_equal(slog_read(&l, dir, msg, sizeof(msg)), 0);
	for (size_t i = 0; i < l.nlines; i++) {
		json_object *o = slog_parse(&l, i);
		const char *e = o ? jstr(o, "event") : NULL;

		if (e && strcmp(e, event) == 0 && n < max)
			out[n++] = o;
		else
			json_object_put(o);
	}
	slog_free(&l);
	free(dir);
	return n;
}

/* The only record of the container's log whose file.path is path (caller puts it). */
static json_object *path_record(const char *path)
{
	char *dir = host_path("/var/log/caudit"), msg[512];
	json_object *found = NULL;
	struct slog l;

	assert_int_equal(slog_read(&l, dir, msg, sizeof(msg)), 0);
	for (size_t i = 0; i < l.nlines; i++) {
		json_object *o = slog_parse(&l, i);
		const char *p = o ? jstr(o, "file.path") : NULL;

		if (p && strcmp(p, path) == 0 && !found) {
			found = o;
			continue;
		}
		json_object_put(o);
	}
	slog_free(&l);
	free(dir);
	if (!found)
		fail_msg("no record of %s in the container's log", path);
	return found;
}

/* `caudit rules check` in the container: the policy hash of its rules.d. */
static void container_hash(char hash[65])
{
	char *out, *h;

	assert_int_equal(CRUN(&out, "/usr/local/bin/caudit rules check --format json "
				    "/etc/caudit/rules.d 2>/dev/null"),
			 0);
	h = strstr(out, "\"policy_hash\":\"");
	assert_non_null(h);
	h += strlen("\"policy_hash\":\"");
	assert_true(strlen(h) >= 64);
	memcpy(hash, h, 64);
	hash[64] = 0;
	free(out);
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

	/*
	 * reload: the filter switches from cauditmark1 to cauditmark2, and the
	 * test's rule from key sd-before to sd-after
	 */
	{
		json_object *pol[8], *r;
		char hash[65];
		size_t npol;
		int64_t gen1;

		npol = log_events("agent.policy", pol, 8);
		assert_int_equal(npol, 1);
		container_hash(hash);
		REC_STR(pol[0], "agent.policy.hash", hash);
		REC_STR(pol[0], "agent.policy.by.via", "start");
		gen1 = jint(pol[0], "agent.policy.gen");
		json_object_put(pol[0]);

		CRUN(NULL, "cauditmark1 /var/tmp/m1-before; cauditmark2 /var/tmp/m2-before");
		assert_int_equal(wait_path("/var/tmp/m1-before", 1, 20000), 0);
		r = path_record("/var/tmp/m1-before");
		KEYS_ARE(r, PC_KEYS("sd-before"));
		RULE_IS(r, gen1, "50-test.rules", 1);
		json_object_put(r);

		set_conf("include_comms = cauditmark2\n");
		set_rules("sd-after");
		assert_int_equal(CRUN(&out, "systemctl reload cauditd"), 0);
		free(out);
		assert_int_equal(CRUN(&out, "/usr/local/bin/caudit status"), 0);
		assert_non_null(strstr(out, "policy:       generation 2"));
		free(out);
		CRUN(NULL, "cauditmark1 /var/tmp/m1-after; cauditmark2 /var/tmp/m2-after");
		assert_int_equal(wait_path("/var/tmp/m2-after", 1, 20000), 0);
		assert_int_equal(count_path("/var/tmp/m2-before"), 0);
		assert_int_equal(count_path("/var/tmp/m1-after"), 0);

		/* the policy change is in the log, asked for by SIGHUP (systemctl reload) */
		npol = log_events("agent.policy", pol, 8);
		assert_int_equal(npol, 2);
		container_hash(hash);
		REC_INT(pol[1], "agent.policy.gen", gen1 + 1);
		REC_STR(pol[1], "agent.policy.hash", hash);
		REC_STR(pol[1], "agent.policy.by.via", "SIGHUP");
		REC_INT(pol[1], "agent.policy.by.uid", 0);
		json_object_put(pol[0]);
		json_object_put(pol[1]);
		r = path_record("/var/tmp/m2-after");
		KEYS_ARE(r, PC_KEYS("sd-after"));
		RULE_IS(r, gen1 + 1, "50-test.rules", 1);
		json_object_put(r);
	}

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
