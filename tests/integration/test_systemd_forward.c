// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * caudit-forward.service under a real systemd (nspawn.c boots one in a
 * container; it shares the host's network, so the nats-server and the
 * collector of this test run on the host's loopback):
 *   - the unit as `make install` puts it, with the sysusers.d and tmpfiles.d
 *     entries: systemd-analyze verify is clean; the exposure is printed
 *   - cauditd.service writes the log, first under log_group = root; after
 *     log_group = caudit and a restart, every file of the log directory has
 *     the group caudit (also the ones written before)
 *   - systemctl start caudit-forward: the process runs as the system user
 *     caudit-forward (uid and gid from /proc, not root), with the group
 *     caudit and no capabilities; it reads its settings from cauditd.conf
 *     (forward_nats over TLS, forward_creds, forward_tls_ca)
 *   - what the agent wrote (a marker program's event among it) reaches the
 *     collector's archive, byte for byte the host's segments, and `caudit
 *     verify` passes on it
 *   - the sandbox: in the forwarder's mount namespace the log directory is
 *     read-only (a write as root there fails with EROFS) and the agent's
 *     keys are inaccessible; as its user and groups outside the sandbox the
 *     log can be read but not written; the checkpoint is its own, 0600
 *   - the agent, in its own sandbox, reads that checkpoint: retention
 *     removes a segment once it has been forwarded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>
#include <cmocka.h>

#include "fleet.h"
#include "harness.h"
#include "nspawn.h"
#include "store_check.h"

/* not the pins of test_systemd: both may run at once */
#define PIN "/sys/fs/bpf/caudit-nspawn-fwd"
#define CONF "pin_dir = " PIN "\nseal_interval = 1\ninclude_comms = cauditfwd1\nrules = all\n"
#define HOST "ct1"
#define WAIT_MS 60000

static struct nspawn T;
static struct natsd nats;
static struct collector coll;
static char base[256];

#define CRUN(out, ...) nspawn_run(&T, out, __VA_ARGS__)

static void set_conf(const char *extra)
{
	char *p = nspawn_path(&T, "/etc/caudit/cauditd.conf");
	char *text = xasprintf("%s%s", CONF, extra);
	FILE *f = fopen(p, "we");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	free(text);
	free(p);
}

static int setup(void **state)
{
	static const char *const nspawn_args[] = {
	    "--capability=all", "--system-call-filter=bpf perf_event_open",
	    "--bind=/sys/kernel/tracing", "--bind=/sys/fs/bpf", NULL};
	char *out;

	(void)state;
	memset(&T, 0, sizeof(T));
	memset(&nats, 0, sizeof(nats));
	memset(&coll, 0, sizeof(coll));
	if (!harness_can_run())
		return 0;
	rm_tree(PIN);
	if (harness_tmpdir(base, sizeof(base)) || nspawn_prepare(&T))
		return -1;
	/* the marker program: comm is the executable's name */
	if (nspawn_host(&out, "cp %s/usr/bin/touch %s/usr/local/bin/cauditfwd1", T.root, T.root)) {
		fprintf(stderr, "%s\n", out);
		free(out);
		return -1;
	}
	free(out);
	/* the agent's configuration before boot (cauditd.service is not enabled) */
	{
		char *p = nspawn_path(&T, "/etc/caudit/cauditd.conf");
		FILE *f = fopen(p, "we");

		free(p);
		if (!f)
			return -1;
		fputs(CONF, f);
		fclose(f);
	}
	return nspawn_boot(&T, nspawn_args);
}

static int teardown(void **state)
{
	(void)state;
	collector_stop(&coll, SIGTERM);
	natsd_stop(&nats);
	fleet_cleanup();
	nspawn_destroy(&T);
	rm_tree(PIN);
	rm_tree(PIN "-old");
	if (base[0] && !getenv("CAUDIT_KEEP_TEST_DIRS"))
		rm_tree(base);
	return 0;
}

/* Fail with the journal of unit. */
static void journal_fail(const char *unit, const char *what, const char *out)
{
	char *j;

	CRUN(&j, "journalctl -u %s --no-pager | tail -n 40; ls -ln /var/log/caudit; "
		 "p=$(systemctl show -p MainPID --value caudit-forward); "
		 "[ \"$p\" != 0 ] && nsenter -t $p -m ls -ln /var/log/caudit", unit);
	/* on stderr: cmocka cuts long messages */
	fprintf(stderr, "%s: %s\njournal of %s:\n%s\n", what, out ? out : "", unit, j);
	fail_msg("%s (journal above)", what);
}

static char *show(const char *unit, const char *prop)
{
	char *out;

	CRUN(&out, "systemctl show -p %s --value %s", prop, unit);
	return nspawn_trim(out);
}

/* A number printed by a command in the container. */
static long crun_num(const char *cmd)
{
	char *out;
	long v;

	assert_int_equal(CRUN(&out, "%s", cmd), 0);
	v = strtol(out, NULL, 10);
	free(out);
	return v;
}

/* Every regular file of the container's log directory has group gid. */
static void log_files_group(gid_t gid)
{
	char *dir = nspawn_path(&T, "/var/log/caudit");
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char *p = xasprintf("%s/%s", dir, de->d_name);
		struct stat sb;

		assert_int_equal(lstat(p, &sb), 0);
		if (S_ISREG(sb.st_mode)) {
			if (sb.st_gid != gid || (sb.st_mode & 0777) != 0640)
				fail_msg("%s: group %u mode %o, want group %u mode 640", p,
					 (unsigned)sb.st_gid, (unsigned)(sb.st_mode & 0777),
					 (unsigned)gid);
			n++;
		}
		free(p);
	}
	closedir(d);
	assert_true(n >= 3); /* certs.jsonl, head.json, a segment at least */
	free(dir);
}

/* nats-server (TLS, per-host users) and caudit-collector on the host's loopback. */
static void start_central(char *url, size_t urllen, char *trusted, size_t tlen, char *archive,
			  size_t alen)
{
	static const char *const hosts[] = {HOST};
	char ca_flag_buf[400], *cmd, *auth, *extra, *pub;
	const char *ca_flag[] = {"--tls-ca", ca_flag_buf, NULL};

	cmd = xasprintf(
	    "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	    "-keyout ca.key -out ca.pem -days 2 -subj /CN=caudit-test-ca >/dev/null 2>&1 && "
	    "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key "
	    "-out srv.csr -subj /CN=127.0.0.1 >/dev/null 2>&1 && "
	    "printf 'subjectAltName=IP:127.0.0.1\\n' > ext.cnf && "
	    "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem "
	    "-days 2 -extfile ext.cnf >/dev/null 2>&1",
	    base);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	auth = fleet_auth_conf(hosts, 1);
	extra = xasprintf("%stls { cert_file: \"%s/srv.pem\", key_file: \"%s/srv.key\" }\n", auth,
			  base, base);
	cmd = xasprintf("%s/nats", base);
	assert_int_equal(natsd_start(&nats, cmd, "n1", extra), 0);
	free(cmd);
	free(extra);
	free(auth);
	snprintf(url, urllen, "tls://127.0.0.1:%d", nats.port);
	snprintf(trusted, tlen, "%s/trusted", base);
	snprintf(archive, alen, "%s/archive", base);
	assert_int_equal(mkdir(trusted, 0700), 0);
	/* enrolment: the container's root public key under its host name */
	cmd = xasprintf("cp %s/var/lib/caudit/keys/root.pub %s/" HOST ".pub", T.root, trusted);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	pub = xasprintf("%s/.collector.creds", trusted);
	assert_int_equal(fleet_write_file(pub, "collector collector-secret\n"), 0);
	free(pub);
	snprintf(ca_flag_buf, sizeof(ca_flag_buf), "%s/ca.pem", base);
	assert_int_equal(collector_start(&coll, url, trusted, archive, "c1", ca_flag), 0);
}

static void test_forward_service(void **state)
{
	char url[128], trusted[300], archive[300], *out, *v, *cmd;
	long uid, gid, log_gid;
	uint64_t recs = 0, last = 0, arecs = 0, alast = 0;
	int pid;

	(void)state;
	if (!harness_can_run())
		skip();
	/* the documented installation steps (docs/operations.md, docs/forwarding.md) */
	if (CRUN(&out, "systemctl daemon-reload && systemd-sysusers && systemd-tmpfiles --create"))
		fail_msg("sysusers/tmpfiles: %s", out);
	free(out);
	assert_int_equal(CRUN(&out, "systemd-analyze verify "
				    "/usr/local/lib/systemd/system/caudit-forward.service"),
			 0);
	if (out[0])
		fail_msg("systemd-analyze verify:\n%s", out);
	free(out);
	CRUN(&out, "systemd-analyze security caudit-forward.service | tail -n 1");
	print_message("systemd-analyze security: %s", out);
	assert_non_null(strstr(out, "Overall exposure level for caudit-forward.service"));
	free(out);
	uid = crun_num("id -u caudit-forward");
	gid = crun_num("id -g caudit-forward");
	log_gid = crun_num("getent group caudit | cut -d: -f3");
	assert_true(uid > 0 && uid < 1000); /* a system user, not root */
	assert_true(gid > 0 && log_gid > 0 && gid != log_gid);
	/* the configuration is readable by the log group, not writable by it */
	v = nspawn_path(&T, "/etc/caudit/cauditd.conf");
	{
		struct stat sb;

		assert_int_equal(stat(v, &sb), 0);
		assert_int_equal((long)sb.st_gid, log_gid);
		assert_int_equal(sb.st_mode & 0777, 0640);
	}
	free(v);

	/* the agent writes the log under log_group = root first */
	if (CRUN(&out, "systemctl start cauditd"))
		journal_fail("cauditd", "systemctl start cauditd", out);
	free(out);
	CRUN(NULL, "cauditfwd1 /var/tmp/fwd-before");
	sleep_ms(1500);
	log_files_group(0);

	/* then log_group = caudit, and the forwarder's settings */
	start_central(url, sizeof(url), trusted, sizeof(trusted), archive, sizeof(archive));
	cmd = xasprintf("cp %s/ca.pem %s/etc/caudit/nats-ca.pem", base, T.root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(CRUN(&out,
			      "printf \"" HOST " " HOST "-secret\\n\" > "
			      "/etc/caudit/forward.creds && chown caudit-forward: "
			      "/etc/caudit/forward.creds && chmod 600 /etc/caudit/forward.creds"),
			 0);
	free(out);
	cmd = xasprintf("log_group = caudit\nhost_name = " HOST "\n"
			"forward_state = /var/lib/caudit-forward\nforward_nats = %s\n"
			"forward_creds = /etc/caudit/forward.creds\n"
			"forward_tls_ca = /etc/caudit/nats-ca.pem\n",
			url);
	set_conf(cmd);
	free(cmd);
	if (CRUN(&out, "systemctl restart cauditd"))
		journal_fail("cauditd", "systemctl restart cauditd", out);
	free(out);
	log_files_group((gid_t)log_gid);

	/* the forwarder, started by systemd as its own user */
	if (CRUN(&out, "systemctl start caudit-forward"))
		journal_fail("caudit-forward", "systemctl start caudit-forward", out);
	free(out);
	sleep_ms(500);
	v = show("caudit-forward", "ActiveState");
	if (strcmp(v, "active"))
		journal_fail("caudit-forward", "not active", v);
	free(v);
	v = show("caudit-forward", "MainPID");
	pid = atoi(v);
	free(v);
	assert_true(pid > 1);
	CRUN(&out, "cat /proc/%d/status", pid);
	{
		char want[128];

		snprintf(want, sizeof(want), "\nUid:\t%ld\t%ld\t%ld\t%ld\n", uid, uid, uid, uid);
		if (!strstr(out, want))
			fail_msg("want '%s' in\n%s", want + 1, out);
		snprintf(want, sizeof(want), "\nGid:\t%ld\t%ld\t%ld\t%ld\n", gid, gid, gid, gid);
		if (!strstr(out, want))
			fail_msg("want '%s' in\n%s", want + 1, out);
		/* its own group and the log group, nothing else (the kernel sorts them) */
		snprintf(want, sizeof(want), "\nGroups:\t%ld %ld \n", gid < log_gid ? gid : log_gid,
			 gid < log_gid ? log_gid : gid);
		if (!strstr(out, want))
			fail_msg("want '%s' in\n%s", want + 1, out);
		assert_non_null(strstr(out, "\nCapEff:\t0000000000000000\n"));
		assert_non_null(strstr(out, "\nCapBnd:\t0000000000000000\n"));
		assert_non_null(strstr(out, "\nNoNewPrivs:\t1\n"));
	}
	free(out);

	/* events while it runs; then the agent stops (a final seal) */
	CRUN(NULL, "cauditfwd1 /var/tmp/fwd-during");
	sleep_ms(1500);
	if (CRUN(&out, "systemctl stop cauditd"))
		journal_fail("cauditd", "systemctl stop cauditd", out);
	free(out);
	{
		char *dir = nspawn_path(&T, "/var/log/caudit");
		char *pub = xasprintf("%s/" HOST ".pub", trusted);
		char *adir = xasprintf("%s/" HOST, archive);

		assert_int_equal(fleet_verify(dir, pub, &recs, &last), 1);
		if (fleet_wait_archive(archive, HOST, pub, last, WAIT_MS))
			journal_fail("caudit-forward",
				     "the archive did not reach the host's last seq", coll.log);
		assert_int_equal(fleet_verify(adir, pub, &arecs, &alast), 1);
		assert_int_equal(arecs, recs);
		assert_int_equal(alast, last);
		/* byte for byte the host's segments, and `caudit verify` agrees */
		cmd = xasprintf(
		    "for f in %s/seg-*; do cmp -s $f %s/$(basename $f) || exit 1; done && "
		    "%s/caudit verify --quiet --host " HOST " --trusted-keys %s %s && "
		    "zcat %s/seg-* | grep -q '\"path\":\"/var/tmp/fwd-before\"' && "
		    "zcat %s/seg-* | grep -q '\"path\":\"/var/tmp/fwd-during\"'",
		    dir, adir, getenv("CAUDIT_BUILD") ? getenv("CAUDIT_BUILD") : "build", trusted,
		    archive, adir, adir);
		assert_int_equal(system(cmd), 0);
		free(cmd);
		assert_int_equal(fleet_alerts(archive, "chain_broken", HOST), 0);
		assert_int_equal(fleet_alerts(archive, "seq_gap", HOST), 0);
		free(adir);
		free(pub);
		free(dir);
	}
	CRUN(&out, "journalctl -u caudit-forward --no-pager");
	cmd = xasprintf("forwarding /var/log/caudit as host " HOST " to %s", url);
	if (!strstr(out, cmd))
		fail_msg("no '%s' in the journal:\n%s", cmd, out);
	free(cmd);
	free(out);

	/* the sandbox: the log directory is read-only in its mount namespace, even to root */
	assert_int_not_equal(CRUN(&out, "nsenter -t %d -m touch /var/log/caudit/x", pid), 0);
	if (!strstr(out, "Read-only file system"))
		fail_msg("write in the forwarder's namespace: %s", out);
	free(out);
	/* the agent's keys are not there at all (InaccessiblePaths: an empty 000 node) */
	CRUN(&out,
	     "nsenter -t %d -m stat -c %%a /var/lib/caudit; "
	     "nsenter -t %d -m ls -A /var/lib/caudit",
	     pid, pid);
	assert_string_equal(out, "0\n");
	free(out);
	/* its user and groups: the log can be read, not written */
	assert_int_equal(CRUN(&out, "setpriv --reuid=caudit-forward --regid=caudit-forward "
				    "--init-groups cat /var/log/caudit/certs.jsonl >/dev/null"),
			 0);
	free(out);
	assert_int_not_equal(CRUN(&out, "setpriv --reuid=caudit-forward --regid=caudit-forward "
					"--init-groups touch /var/log/caudit/x"),
			     0);
	assert_non_null(strstr(out, "Permission denied"));
	free(out);
	/* the checkpoint: its own, 0600, in its state directory */
	CRUN(&out,
	     "stat -c \"%%u %%a\" /var/lib/caudit-forward/forward.state /var/lib/caudit-forward");
	v = xasprintf("%ld 600\n%ld 700\n", uid, uid);
	assert_string_equal(out, v);
	free(v);
	free(out);

	/*
	 * Across the two sandboxes, the agent reads that checkpoint
	 * (forward_state): with small segments and retention_segments = 2 it
	 * removes the first segment, forwarded long ago. An unreadable
	 * checkpoint would count as nothing forwarded and keep everything.
	 */
	cmd = xasprintf("log_group = caudit\nhost_name = " HOST "\n"
			"forward_state = /var/lib/caudit-forward\nforward_nats = %s\n"
			"forward_creds = /etc/caudit/forward.creds\n"
			"forward_tls_ca = /etc/caudit/nats-ca.pem\n"
			"rotate_size = 4096\nretention_segments = 2\n",
			url);
	set_conf(cmd);
	free(cmd);
	{
		char *seg1 = nspawn_path(&T, "/var/log/caudit/seg-00000000000000000001.jsonl.gz");
		char *aseg1 = xasprintf("%s/" HOST "/seg-00000000000000000001.jsonl.gz", archive);
		uint64_t end = now_ms_mono() + WAIT_MS;

		/* (the agent may remove it as soon as it starts: all of it was sent) */
		assert_int_equal(access(seg1, F_OK), 0);
		if (CRUN(&out, "systemctl restart cauditd"))
			journal_fail("cauditd", "systemctl restart cauditd", out);
		free(out);
		while (access(seg1, F_OK) == 0 && now_ms_mono() < end) {
			CRUN(NULL, "for i in $(seq 50); do cauditfwd1 /var/tmp/fwd-r$i; done");
			sleep_ms(500);
		}
		if (access(seg1, F_OK) == 0)
			journal_fail("cauditd", "retention kept the forwarded first segment", "");
		/* it had been archived */
		assert_int_equal(access(aseg1, F_OK), 0);
		free(aseg1);
		free(seg1);
	}

	/* stop: SIGTERM, a clean exit */
	assert_int_equal(CRUN(&out, "systemctl stop caudit-forward"), 0);
	free(out);
	v = show("caudit-forward", "ExecMainStatus");
	if (strcmp(v, "0"))
		journal_fail("caudit-forward", "exit status", v);
	free(v);
	v = show("caudit-forward", "NRestarts");
	if (strcmp(v, "0"))
		journal_fail("caudit-forward", "restarted", v);
	free(v);
	v = show("caudit-forward", "ActiveState");
	assert_string_equal(v, "inactive");
	free(v);
	/* uninstall: the capture left pinned */
	assert_int_equal(CRUN(&out, "/usr/local/sbin/cauditd --remove-pins"), 0);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_forward_service, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
