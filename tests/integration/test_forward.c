// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Forwarding to a central collector (docs/forwarding.md), on loopback with
 * a nats-server (JetStream, per-host users) started by the test:
 *  - three hosts, logs written by the agent's store under three host keys,
 *    forwarded as they grow over TLS; each archive reaches the host's last
 *    seq, verifies (verify_log and `caudit verify`) with the same record
 *    count, and is byte for byte the host's log; no alert is raised;
 *    `caudit search --trusted-keys` over the whole archive counts every
 *    host's records, and --host one host's;
 *  - a host's credentials cannot publish under another host's subject
 *    (NATS refuses it; nothing reaches the other host's archive);
 *  - alerts: a record modified on the host before forwarding, an old block
 *    sent again, a host without an enrolled key, a log made under another
 *    root key, a host gone silent: each raises its alert in the
 *    collector's signed log, which itself verifies;
 *  - rsyslog (imtcp, octet-counted frames) receives every record as RFC
 *    5424 with the chain position in structured data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>
#include <dirent.h>

#include "block_scan.h"
#include "store_format.h"
#include "fleet.h"
#include "harness.h"

#define WAIT_MS 60000

static char base[256];

static int setup(void **state)
{
	(void)state;
	if (!harness_can_run())
		return 0;
	return harness_tmpdir(base, sizeof(base));
}

static int teardown(void **state)
{
	(void)state;
	fleet_teardown(base);
	return 0;
}

static void need_root(void)
{
	if (!harness_can_run())
		skip();
}

/* A CA and a server certificate for 127.0.0.1, made with openssl. */
static void make_tls(const char *dir)
{
	char *cmd = xasprintf(
	    "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	    "-keyout ca.key -out ca.pem -days 2 -subj /CN=caudit-test-ca >/dev/null 2>&1 && "
	    "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key "
	    "-out srv.csr -subj /CN=127.0.0.1 >/dev/null 2>&1 && "
	    "printf 'subjectAltName=IP:127.0.0.1\\n' > ext.cnf && "
	    "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem "
	    "-days 2 -extfile ext.cnf >/dev/null 2>&1",
	    dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static uint64_t host_last_seq(struct fhost *h, uint64_t *records)
{
	char pub[400];
	uint64_t last = 0;

	snprintf(pub, sizeof(pub), "%s/root.pub", h->key_dir);
	assert_int_equal(fleet_verify(h->log_dir, pub, records, &last), 1);
	return last;
}

static void wait_exit(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void no_alert(const char *archive, const char *host)
{
	static const char *const kinds[] = {"chain_broken", "seq_gap",		"key_not_certified",
					    "replay",	    "unknown_root_key", "malformed"};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int n = fleet_alerts(archive, kinds[i], host);

		if (n)
			fprintf(stderr, "unexpected alert %s for %s\n", kinds[i], host);
		assert_int_equal(n, 0);
	}
}

/* `caudit search --trusted-keys TRUSTED ARCHIVE --count`: every record (the store's too). */
static uint64_t search_count(const char *trusted, const char *archive, const char *args)
{
	char *cmd, buf[64] = "";
	uint64_t n;
	FILE *p;

	cmd = xasprintf("%s/caudit search --trusted-keys %s %s --event '*' --count %s",
			getenv("CAUDIT_BUILD") ? getenv("CAUDIT_BUILD") : "build", trusted, archive,
			args);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(buf, sizeof(buf), p));
	assert_int_equal(pclose(p), 0);
	n = strtoull(buf, NULL, 10);
	fprintf(stderr, "%s: %llu\n", cmd, (unsigned long long)n);
	free(cmd);
	return n;
}

static void three_hosts(void **state)
{
	static const char *const names[] = {"web1", "db.prod", "cache-3"};
	char dir[300], trusted[400], archive[400], url[128], ca[400], pub[1000], tls[1000];
	const char *ca_flag[] = {"--tls-ca", ca, NULL};
	const char *wr[] = {"--rotate-size", "65536", NULL};
	struct fhost h[3], spoof;
	uint64_t nrecs[3], total = 0;
	struct collector c;
	struct natsd n;
	char *auth, *extra, *cmd;

	(void)state;
	need_root();
	snprintf(dir, sizeof(dir), "%s/three", base);
	snprintf(trusted, sizeof(trusted), "%s/trusted", dir);
	snprintf(archive, sizeof(archive), "%s/archive", dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkdir(trusted, 0700), 0);
	make_tls(dir);
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(tls, sizeof(tls), "tls { cert_file: \"%s/srv.pem\", key_file: \"%s/srv.key\" }\n",
		 dir, dir);
	auth = fleet_auth_conf(names, 3);
	extra = xasprintf("%s%s", auth, tls);
	assert_int_equal(natsd_start(&n, xasprintf("%s/nats", dir), "n1", extra), 0);
	snprintf(url, sizeof(url), "tls://127.0.0.1:%d", n.port);
	snprintf(pub, sizeof(pub), "%s/.collector.creds", trusted);
	assert_int_equal(fleet_write_file(pub, "collector collector-secret\n"), 0);
	assert_int_equal(collector_start(&c, url, trusted, archive, "c1", ca_flag), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fhost_init(&h[i], dir, names[i], trusted), 0);
		assert_true(fhost_write(&h[i], 4000, 2000, wr) > 0);
		if (i == 0) {
			/* web1 takes its NATS settings from the agent's config file */
			char *conf = xasprintf("%s/cauditd.conf", h[i].dir), *text;
			const char *c_flag[] = { "-c", conf, NULL };

			text = xasprintf("host_name = %s\nforward_nats = %s\nforward_creds = %s\n"
					 "forward_tls_ca = %s\n",
					 names[i], url, h[i].creds, ca);
			assert_int_equal(fleet_write_file(conf, text), 0);
			free(text);
			assert_true(fhost_forward(&h[i], NULL, c_flag) > 0);
			free(conf);
		} else {
			assert_true(fhost_forward(&h[i], url, ca_flag) > 0);
		}
	}
	for (int i = 0; i < 3; i++) {
		uint64_t recs, last, arecs = 0, alast = 0;
		char adir[1000];

		wait_exit(h[i].writer);
		last = host_last_seq(&h[i], &recs);
		assert_true(recs > 4000);
		snprintf(pub, sizeof(pub), "%s/%s.pub", trusted, names[i]);
		assert_int_equal(fleet_wait_archive(archive, names[i], pub, last, WAIT_MS), 0);
		snprintf(adir, sizeof(adir), "%s/%s", archive, names[i]);
		assert_int_equal(fleet_verify(adir, pub, &arecs, &alast), 1);
		assert_int_equal(arecs, recs);
		assert_int_equal(alast, last);
		nrecs[i] = recs;
		total += recs;
		/* the archive is the host's log, byte for byte, and `caudit verify` says so */
		cmd = xasprintf(
		    "for f in %s/seg-*; do cmp -s $f %s/$(basename $f) || exit 1; done && "
		    "%s/caudit verify --quiet --host %s --trusted-keys %s %s",
		    h[i].log_dir, adir, getenv("CAUDIT_BUILD") ? getenv("CAUDIT_BUILD") : "build",
		    names[i], trusted, archive);
		assert_int_equal(system(cmd), 0);
		free(cmd);
		no_alert(archive, names[i]);
	}
	/* one search over the whole archive: every host under its own key, nothing lost */
	assert_int_equal(search_count(trusted, archive, ""), total);
	assert_int_equal(search_count(trusted, archive, "--host web1"), nrecs[0]);
	/* web1's credentials cannot publish in db.prod's name */
	memset(&spoof, 0, sizeof(spoof));
	spoof = h[0];
	snprintf(spoof.name, sizeof(spoof.name), "db.prod");
	snprintf(spoof.state_dir, sizeof(spoof.state_dir), "%s/web1/fwd-spoof", dir);
	snprintf(spoof.fwd_log, sizeof(spoof.fwd_log), "%s/web1/forward-spoof.log", dir);
	assert_true(fhost_forward(&spoof, url, ca_flag) > 0);
	for (int t = 0; t < 100 && !fleet_file_has(spoof.fwd_log, "Permissions Violation"); t++)
		sleep_ms(100);
	assert_true(fleet_file_has(spoof.fwd_log, "Permissions Violation for Publish to "
						  "\"caudit.log.db~prod\""));
	fleet_stop(spoof.fwd, SIGTERM);
	no_alert(archive, "db.prod");
	for (int i = 0; i < 3; i++)
		assert_int_equal(fleet_stop(h[i].fwd, SIGTERM), 0);
	collector_stop(&c, SIGTERM);
	/* the collector's own log verifies with its root key */
	snprintf(pub, sizeof(pub), "%s/.collector/c1/keys/root.pub", archive);
	cmd = xasprintf("%s/.collector/c1/log", archive);
	assert_int_equal(fleet_verify(cmd, pub, NULL, NULL), 1);
	free(cmd);
	natsd_stop(&n);
	free(auth);
	free(extra);
}

/* Change one digit inside the second sealed block of the host's first segment. */
static void tamper(struct fhost *h)
{
	char path[400];
	unsigned char *buf, *plain, *out;
	size_t off = 0, len;
	struct block_info bi;
	struct stat sb;
	z_stream zs;
	int fd;

	snprintf(path, sizeof(path), "%s/seg-00000000000000000001.jsonl.gz", h->log_dir);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0 && fstat(fd, &sb) == 0);
	buf = malloc((size_t)sb.st_size);
	assert_int_equal(read(fd, buf, (size_t)sb.st_size), sb.st_size);
	assert_int_equal(block_scan(buf, (size_t)sb.st_size, 1 << 30, &bi), 1);
	off = bi.len; /* the second block starts here */
	assert_int_equal(block_scan(buf + off, (size_t)sb.st_size - off, 1 << 30, &bi), 1);
	plain = malloc(1 << 22);
	len = 1 << 22;
	assert_int_equal(uncompress(plain, &len, buf + off, bi.len),
			 Z_DATA_ERROR); /* gzip, not zlib */
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
	zs.next_in = buf + off;
	zs.avail_in = (unsigned)bi.len;
	zs.next_out = plain;
	zs.avail_out = 1 << 22;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	len = zs.total_out;
	inflateEnd(&zs);
	{
		char *p = memmem(plain, len, "\"op\":{\"n\":", 10);

		assert_non_null(p);
		p[10] = p[10] == '9' ? '8' : (char)(p[10] + 1);
	}
	out = malloc(len + 4096);
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = plain;
	zs.avail_in = (unsigned)len;
	zs.next_out = out;
	zs.avail_out = (unsigned)(len + 4096);
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	/* rewrite: blocks before, the modified block, blocks after */
	assert_int_equal(ftruncate(fd, (off_t)off), 0);
	assert_int_equal(pwrite(fd, out, zs.total_out, (off_t)off), (ssize_t)zs.total_out);
	assert_int_equal(pwrite(fd, buf + off + bi.len, (size_t)sb.st_size - off - bi.len,
				(off_t)(off + zs.total_out)),
			 (ssize_t)((size_t)sb.st_size - off - bi.len));
	close(fd);
	free(buf);
	free(plain);
	free(out);
}

static void alerts(void **state)
{
	static const char *const names[] = {"tamper", "replay", "stranger", "rekeyed", "quiet"};
	char dir[300], trusted[400], archive[400], url[128], pub[1000], *cmd;
	const char *once[] = {"--once", NULL};
	const char *cargs[] = {
	    "--seal-interval", "1", "--silence-factor", "3", "--duplicate-window", "1", NULL};
	struct fhost t, r, u, k, q;
	struct collector c;
	struct natsd n;
	char *auth;

	(void)state;
	need_root();
	snprintf(dir, sizeof(dir), "%s/alerts", base);
	snprintf(trusted, sizeof(trusted), "%s/trusted", dir);
	snprintf(archive, sizeof(archive), "%s/archive", dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkdir(trusted, 0700), 0);
	auth = fleet_auth_conf(names, 5);
	assert_int_equal(natsd_start(&n, xasprintf("%s/nats", dir), "n1", auth), 0);
	snprintf(url, sizeof(url), "nats://127.0.0.1:%d", n.port);
	snprintf(pub, sizeof(pub), "%s/.collector.creds", trusted);
	assert_int_equal(fleet_write_file(pub, "collector collector-secret\n"), 0);
	assert_int_equal(collector_start(&c, url, trusted, archive, "c1", cargs), 0);

	/* a record modified on the host after it was sealed, before it was forwarded */
	assert_int_equal(fhost_init(&t, dir, "tamper", trusted), 0);
	assert_int_equal(fhost_write_all(&t, 1000, 0, NULL), 0);
	tamper(&t);
	assert_true(fhost_forward(&t, url, once) > 0);
	assert_int_equal(fleet_wait_alert(archive, "chain_broken", "tamper", WAIT_MS), 1);
	assert_true(fleet_file_has(c.log, "alert chain_broken: host tamper: "
					  "seg-00000000000000000001.jsonl.gz: record "));

	/* an old block published again (after the duplicate window) */
	assert_int_equal(fhost_init(&r, dir, "replay", trusted), 0);
	assert_int_equal(fhost_write_all(&r, 600, 0, NULL), 0);
	wait_exit(fhost_forward(&r, url, once));
	snprintf(pub, sizeof(pub), "%s/replay.pub", trusted);
	assert_int_equal(
	    fleet_wait_archive(archive, "replay", pub, host_last_seq(&r, NULL), WAIT_MS), 0);
	sleep_ms(1500);
	snprintf(r.state_dir, sizeof(r.state_dir), "%s/fwd-again", r.dir);
	wait_exit(fhost_forward(&r, url, once));
	assert_int_equal(fleet_wait_alert(archive, "replay", "replay", WAIT_MS), 1);

	/* a host nobody enrolled */
	assert_int_equal(fhost_init(&u, dir, "stranger", NULL), 0);
	assert_int_equal(fhost_write_all(&u, 300, 0, NULL), 0);
	wait_exit(fhost_forward(&u, url, once));
	assert_int_equal(fleet_wait_alert(archive, "unknown_host", "stranger", WAIT_MS), 1);

	/* enrolled with one key, log made under another root key */
	assert_int_equal(fhost_init(&k, dir, "rekeyed", trusted), 0);
	cmd = xasprintf("rm -rf %s && %s/caudit keygen --out %s >/dev/null", k.key_dir,
			getenv("CAUDIT_BUILD") ? getenv("CAUDIT_BUILD") : "build", k.key_dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(fhost_write_all(&k, 300, 0, NULL), 0);
	wait_exit(fhost_forward(&k, url, once));
	assert_int_equal(fleet_wait_alert(archive, "unknown_root_key", "rekeyed", WAIT_MS), 1);

	/* a host that stops sending: silent after 3 x 1 s */
	assert_int_equal(fhost_init(&q, dir, "quiet", trusted), 0);
	assert_int_equal(fhost_write_all(&q, 300, 0, NULL), 0);
	wait_exit(fhost_forward(&q, url, once));
	assert_int_equal(fleet_wait_alert(archive, "silent_host", "quiet", WAIT_MS), 1);
	/* ... and only the alerts that were due */
	assert_int_equal(fleet_alerts(archive, "replay", "tamper"), 0);
	assert_int_equal(fleet_alerts(archive, "chain_broken", "replay"), 0);
	assert_int_equal(fleet_alerts(archive, "chain_broken", "quiet"), 0);
	assert_int_equal(fleet_alerts(archive, "unknown_host", "quiet"), 0);

	collector_stop(&c, SIGTERM);
	snprintf(pub, sizeof(pub), "%s/.collector/c1/keys/root.pub", archive);
	cmd = xasprintf("%s/.collector/c1/log", archive);
	assert_int_equal(fleet_verify(cmd, pub, NULL, NULL), 1);
	free(cmd);
	natsd_stop(&n);
	free(auth);
}

static void rsyslog(void **state)
{
	char dir[300], conf[400], out[400], pid[400], log[400], hp[64], *text, *cmd;
	const char *argv[] = {"/usr/sbin/rsyslogd", "-n", "-f", conf, "-i", pid, NULL};
	const char *sargs[] = {"--syslog", hp, "--once", NULL};
	uint64_t recs = 0, lines = 0;
	struct fhost h;
	pid_t rs;
	int port;

	(void)state;
	need_root();
	snprintf(dir, sizeof(dir), "%s/syslog", base);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(conf, sizeof(conf), "%s/rsyslog.conf", dir);
	snprintf(out, sizeof(out), "%s/received.log", dir);
	snprintf(pid, sizeof(pid), "%s/rsyslogd.pid", dir);
	snprintf(log, sizeof(log), "%s/rsyslogd.log", dir);
	port = fleet_port();
	text = xasprintf("global(workDirectory=\"%s\" maxMessageSize=\"64k\")\n"
			 "module(load=\"imtcp\")\n"
			 "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%d\")\n"
			 "template(name=\"raw\" type=\"string\" string=\"%%hostname%% "
			 "%%app-name%% %%structured-data%% %%msg%%\\n\")\n"
			 "*.* action(type=\"omfile\" file=\"%s\" template=\"raw\")\n",
			 dir, port, out);
	assert_int_equal(fleet_write_file(conf, text), 0);
	free(text);
	rs = fleet_spawn(log, argv);
	assert_true(rs > 0);
	assert_int_equal(fleet_wait_port(port, 20000), 0);

	assert_int_equal(fhost_init(&h, dir, "edge1", NULL), 0);
	assert_int_equal(fhost_write_all(&h, 500, 0, NULL), 0);
	host_last_seq(&h, &recs);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", port);
	wait_exit(fhost_forward(&h, NULL, sargs));
	for (int t = 0; t < 200; t++) {
		cmd = xasprintf("test $(wc -l < %s) -ge %llu", out, (unsigned long long)recs);
		lines = system(cmd) == 0;
		free(cmd);
		if (lines)
			break;
		sleep_ms(100);
	}
	assert_true(lines);
	/* record 1 is the segment header, the chain position is in structured data */
	assert_true(fleet_file_has(out, "edge1 caudit [caudit@32473 seq=\"1\" prev=\""));
	assert_true(fleet_file_has(out, "segment=\"seg-00000000000000000001.jsonl.gz\""));
	assert_true(fleet_file_has(out, " {\"schema\":1,\"seq\":2,\"prev\":\""));
	cmd = xasprintf("grep -c '\"event\":\"test.op\"' %s | grep -qx 500", out);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	fleet_stop(rs, SIGTERM);
}

static size_t segments(const char *dir, char names[][64], size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "seg-", 4) && n < max && strlen(de->d_name) < 64)
			memcpy(names[n++], de->d_name, strlen(de->d_name) + 1);
	closedir(d);
	qsort(names, n, 64, (int (*)(const void *, const void *))strcmp);
	return n;
}

/* retention_segments = 2, but the store keeps what caudit-forward has not sent */
static void retention_guard(void **state)
{
	char dir[300], names[64][64], path[400], st[200], pub[400];
	const char *extra[] = {
	    "--rotate-size", "8192", "--retention-segments", "2", "--forward-state", NULL, NULL};
	struct fhost h;
	uint64_t first3 = 0;
	size_t n;

	(void)state;
	need_root();
	snprintf(dir, sizeof(dir), "%s/retention", base);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(fhost_init(&h, dir, "keep", NULL), 0);
	assert_int_equal(mkdir(h.state_dir, 0750), 0);
	extra[5] = h.state_dir;
	assert_int_equal(fhost_write_all(&h, 3000, 0, extra), 0);
	n = segments(h.log_dir, names, 64);
	assert_true(n >= 5); /* nothing forwarded: nothing removed */
	/* the forwarder acknowledged the first two segments */
	assert_int_equal(store_segment_parse(names[2], &first3), 0);
	snprintf(path, sizeof(path), "%s/forward.state", h.state_dir);
	snprintf(st, sizeof(st), "certs 1\nsegment %s\noffset 0\nlast_seq %llu\n", names[2],
		 (unsigned long long)(first3 - 1));
	assert_int_equal(fleet_write_file(path, st), 0);
	assert_int_equal(fhost_write_all(&h, 10, 0, extra), 0);
	{
		char now[64][64];
		size_t m = segments(h.log_dir, now, 64);

		/* exactly the two forwarded ones are gone, the rest stays beyond the limit */
		assert_int_equal(m, n + 1 - 2);
		assert_string_equal(now[0], names[2]);
	}
	snprintf(pub, sizeof(pub), "%s/root.pub", h.key_dir);
	assert_int_equal(fleet_verify(h.log_dir, pub, NULL, NULL), 1);
}

/* the disk-full policy removes a segment not yet forwarded: a signed gap record says so */
static void retention_forced(void **state)
{
	char dir[300], names[64][64], pub[400];
	const char *extra[] = {"--rotate-size",	    "8192", "--forward-state", NULL,
			       "--low-disk-rotate", NULL};
	struct fhost h;
	uint64_t first2 = 0;
	char *cmd;

	(void)state;
	need_root();
	snprintf(dir, sizeof(dir), "%s/forced", base);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(fhost_init(&h, dir, "full", NULL), 0);
	assert_int_equal(mkdir(h.state_dir, 0750), 0);
	extra[3] = h.state_dir;
	/* 8 s: the free-space check runs every 5 s */
	assert_int_equal(fhost_write_all(&h, 2000, 250, extra), 0);
	assert_true(segments(h.log_dir, names, 64) >= 2);
	/* the first segment went, nothing had been forwarded: lost = its records */
	assert_string_not_equal(names[0], "seg-00000000000000000001.jsonl.gz");
	assert_int_equal(store_segment_parse(names[0], &first2), 0);
	cmd = xasprintf("zcat %s/seg-* | grep -q '\"event\":\"log.gap\".*\"gap\":{\"lost\":%llu,"
			"\"reason\":\"unforwarded\"'",
			h.log_dir, (unsigned long long)(first2 - 1));
	assert_int_equal(system(cmd), 0);
	free(cmd);
	snprintf(pub, sizeof(pub), "%s/root.pub", h.key_dir);
	assert_int_equal(fleet_verify(h.log_dir, pub, NULL, NULL), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(three_hosts),	cmocka_unit_test(alerts),
	    cmocka_unit_test(rsyslog),		cmocka_unit_test(retention_guard),
	    cmocka_unit_test(retention_forced),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
