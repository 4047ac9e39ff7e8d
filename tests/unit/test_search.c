/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * caudit search, end to end on logs made by the test writer (tests/unit/tw.h):
 *   - golden outputs (tests/golden/search/<case>.out) for every filter and
 *     every format, in two time zones; a JSON line's "prev" is masked since
 *     the keys are random;
 *   - a search merged across rotated segments and across two directories;
 *   - a corrupted segment (reported, search goes on; --strict stops);
 *   - segment indexes: one that checks out skips a segment, a tampered one
 *     is refused and the segment scanned.
 * Runs $CAUDIT_BUILD/caudit (default build/). UPDATE_GOLDEN=1 rewrites the
 * golden files.
 */
#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tw.h"
#include "seg_index.h"
#include "search_log.h"

static int setup(void **state)
{
	struct tw *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	assert_int_equal(cr_init(), 0);
	tw_init(t);
	build_log(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tw *t = *state;
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd))
		return -1;
	free(t);
	return 0;
}

struct gcase {
	const char *name, *tz, *args;
	int status;
};

/* One case per filter and format; "D" stands for the log directory. */
static const struct gcase cases[] = {
    {"all_json", "UTC", "--format json", 0},
    {"store_records", "UTC", "--event 'log.*' --format table", 0},
    {"all_table_utc", "UTC", "--format table", 0},
    {"all_table_new_york", "America/New_York", "--format table", 0},
    {"all_csv", "UTC", "--format csv", 0},
    {"count", "UTC", "--count", 0},
    {"limit", "UTC", "--limit 2 --format table", 0},
    {"since_until_rfc3339", "UTC",
     "--since 2026-11-23T19:30:00Z --until 2026-11-23T14:36:00-05:00 --format table", 0},
    {"since_local_tz", "America/New_York", "--since '2026-11-23 14:36' --format table", 0},
    {"until_date_utc", "UTC", "--until 2026-11-23 --count", 1},
    {"user_name", "UTC", "--user bob --format table", 0},
    {"user_uid_matches_login", "UTC", "--user 1000 --format table", 0},
    {"login", "UTC", "--login alice --event 'file.*' --format table", 0},
    {"session", "UTC", "--session 7 --format table", 0},
    {"event_glob", "UTC", "--event 'file.*' --format table", 0},
    {"event_exact", "UTC", "--event process.exec --format table", 0},
    {"syscall", "UTC", "--syscall openat --format table", 0},
    {"path_exact", "UTC", "--path /etc/passwd --format table", 0},
    {"path_dir", "UTC", "--path /etc --format table", 0},
    {"path_glob", "UTC", "--path '/etc/pass*' --format table", 0},
    {"exe", "UTC", "--exe /usr/bin/vi --format table", 0},
    {"exe_glob", "UTC", "--exe '/usr/bin/c*' --format table", 0},
    {"comm", "UTC", "--comm rm --format table", 0},
    {"pid", "UTC", "--pid 2001 --format table", 0},
    {"ppid", "UTC", "--ppid 1999 --format table", 0},
    {"exec_id", "UTC", "--exec-id " ID_VI " --format table", 0},
    {"exec_id_tree", "UTC", "--exec-id " ID_SSHD " --tree --format table", 0},
    {"ip_origin", "UTC", "--ip 192.0.2.0/24 --format table", 0},
    {"ip_dst", "UTC", "--ip 10.1.2.3 --format table", 0},
    {"ip_src", "UTC", "--ip 172.16.0.0/12 --format table", 0},
    {"ip_none", "UTC", "--ip 2001:db8::/32 --count", 1},
    {"port", "UTC", "--port 443 --format table", 0},
    {"result_failure", "UTC", "--result failure --format table", 0},
    {"result_success_count", "UTC", "--result success --count", 0},
    {"errno_name", "UTC", "--errno EACCES --format table", 0},
    {"errno_number", "UTC", "--errno 2 --format table", 0},
    {"key", "UTC", "--key passwd-changes --format json", 0},
    {"access_write", "UTC", "--access write --format table", 0},
    {"access_read", "UTC", "--access read --format csv", 0},
    {"container", "UTC", "--container 4f2a9c1b7d3e --format table", 0},
    {"host", "UTC", "--host testhost --event 'user.*' --format table", 0},
    {"host_other", "UTC", "--host otherhost --count", 1},
    {"combined", "UTC",
     "--user alice --path /etc/passwd --event 'file.*' --result success --format json", 0},
};

static void test_golden(void **state)
{
	struct tw *t = *state;
	int failed = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct gcase *c = &cases[i];
		struct result r;

		run(&r, c->tz, "search '%s' --pubkey '%s/root.pub' %s", t->dir, t->dir, c->args);
		if (r.status != c->status || r.err[0]) {
			print_error("%s: status %d (want %d), stderr: %s\n", c->name, r.status,
				    c->status, r.err);
			failed++;
		}
		mask_prev(r.out);
		golden(c->name, r.out);
		result_free(&r);
	}
	assert_int_equal(failed, 0);
}

/* A segment file as PATH: that segment only, verified from its directory's certs.jsonl. */
static void test_segment_file(void **state)
{
	struct tw *t = *state;
	struct result r;

	run(&r, "UTC",
	    "search '%s/seg-00000000000000000009.jsonl.gz' --pubkey '%s/root.pub' --format table",
	    t->dir, t->dir);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	golden("segment_file", r.out);
	result_free(&r);
	run(&r, "UTC", "search '%s/certs.jsonl' --pubkey '%s/root.pub' --count", t->dir, t->dir);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "not a log directory or segment"));
	result_free(&r);
}

static void test_usage_errors(void **state)
{
	struct tw *t = *state;
	static const char *bad[] = {
	    "--since 'not a time'", "--ip 300.1.1.1", "--result maybe",
	    "--access exec",	    "--format xml",   "--tree",
	    "--exec-id xyz",	    "--port 70000",   "--since 1h --until 2h",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct result r;

		run(&r, "UTC", "search '%s' --pubkey '%s/root.pub' %s", t->dir, t->dir, bad[i]);
		if (r.status != 2 || !r.err[0])
			fail_msg("'%s': status %d, stderr '%s'", bad[i], r.status, r.err);
		result_free(&r);
	}
}

/* Copy the log to a fresh directory (tampering tests must not touch the shared one). */
static void copy_log(const struct tw *t, char *dir, size_t len)
{
	char cmd[512];

	snprintf(dir, len, "%s-copy", t->dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s'", dir, t->dir, dir);
	assert_int_equal(system(cmd), 0);
}

static void rm_dir(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Rewrite segment 2 with one record changed (bob's EACCES becomes EPERM). */
static void corrupt_segment2(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && zcat seg-00000000000000000009.jsonl.gz | sed 's/EACCES/EPERM!/' | "
		 "gzip > x.gz && mv x.gz seg-00000000000000000009.jsonl.gz",
		 dir);
	assert_int_equal(system(cmd), 0);
}

static void test_corrupted_segment(void **state)
{
	struct tw *t = *state;
	char dir[128];
	struct result r;

	copy_log(t, dir, sizeof(dir));
	corrupt_segment2(dir);
	/* the other segments' records are still found; the bad one is named */
	run(&r, "UTC", "search '%s' --pubkey '%s/root.pub' --event 'file.*' --format table", dir,
	    t->dir);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "seg-00000000000000000009.jsonl.gz: record 10 modified"));
	assert_non_null(strstr(r.out, "/etc/passwd"));
	assert_non_null(strstr(r.out, "/tmp/x"));
	assert_null(strstr(r.out, "EPERM"));
	assert_null(strstr(r.out, "EACCES"));
	golden("corrupted_table", r.out);
	result_free(&r);
	/* --strict: fatal */
	run(&r, "UTC", "search '%s' --pubkey '%s/root.pub' --strict --format json", dir, t->dir);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "record 10 modified"));
	result_free(&r);
	rm_dir(dir);
}

/* An index for segment `seg` built from its records, signed as the store would. */
static void write_index(const struct tw *t, const char *dir, const char *seg, int epoch)
{
	struct six_builder b;
	struct store_seal z = {0};
	char path[256], cmd[400], *text, *line, *save = NULL;
	uint8_t *buf;
	size_t len;
	uint64_t first;

	snprintf(path, sizeof(path), "%s/seg.txt", dir);
	snprintf(cmd, sizeof(cmd), "zcat '%s/%s' > '%s'", dir, seg, path);
	assert_int_equal(system(cmd), 0);
	text = slurp(path);
	unlink(path);
	six_init(&b);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		six_add_line(&b, line, strlen(line));
		if (strstr(line, "\"event\":\"log.seal\"")) {
			json_object *o = json_tokener_parse(line), *s, *tm;
			int64_t ns;

			assert_non_null(o);
			assert_true(json_object_object_get_ex(o, "seal", &s));
			assert_int_equal(store_seal_read(s, &z), 0);
			/* the signed time is the seal record's own */
			assert_true(json_object_object_get_ex(o, "time", &tm));
			assert_int_equal(rs_time_ns(json_object_get_string(tm),
						    (size_t)json_object_get_string_len(tm), &ns),
					 0);
			z.time_ns = (uint64_t)ns;
			json_object_put(o);
		}
	}
	assert_int_equal(six_write(&b, seg, &z, t->root_pub, t->sec[epoch], &buf, &len), 0);
	assert_int_equal(store_segment_parse(seg, &first), 0);
	snprintf(path, sizeof(path), "%s/idx-%020llu.bin", dir, (unsigned long long)first);
	write_file(path, buf, len, 0);
	free(buf);
	free(text);
	six_free(&b);
}

static void test_index(void **state)
{
	struct tw *t = *state;
	char dir[128], path[512];
	struct result r;
	uint8_t *buf;

	copy_log(t, dir, sizeof(dir));
	write_index(t, dir, "seg-00000000000000000001.jsonl.gz", 0);
	write_index(t, dir, "seg-00000000000000000009.jsonl.gz", 0);
	/* segment 2 is corrupted after its index was made: a search its index rules out skips it */
	corrupt_segment2(dir);
	run(&r, "UTC", "search '%s' --pubkey '%s/root.pub' --path /etc/passwd --format table", dir,
	    t->dir);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, ""); /* segment 2 was never read */
	golden("index_path_passwd", r.out);
	result_free(&r);
	/* ... and --no-index reads it */
	run(&r, "UTC",
	    "search '%s' --pubkey '%s/root.pub' --path /etc/passwd --no-index --format table", dir,
	    t->dir);
	assert_non_null(strstr(r.err, "record 10 modified"));
	golden("index_path_passwd", r.out);
	result_free(&r);
	/* a search the index cannot rule out reads the segment */
	run(&r, "UTC", "search '%s' --pubkey '%s/root.pub' --user bob --count", dir, t->dir);
	assert_non_null(strstr(r.err, "record 10 modified"));
	result_free(&r);

	/* a tampered index (one bit of its bloom filter) is refused: segment 1 is scanned */
	snprintf(path, sizeof(path), "%s/idx-00000000000000000001.bin", dir);
	buf = (uint8_t *)slurp(path);
	{
		struct stat s;

		assert_int_equal(stat(path, &s), 0);
		buf[200] ^= 1;
		write_file(path, buf, (size_t)s.st_size, 0);
	}
	free(buf);
	run(&r, "UTC", "search '%s' --pubkey '%s/root.pub' --path /etc/passwd --format table", dir,
	    t->dir);
	assert_non_null(
	    strstr(r.err, "idx-00000000000000000001.bin: the index does not check out"));
	golden("index_path_passwd", r.out);
	result_free(&r);

	/* an index of another segment copied over it: refused too */
	snprintf(path, sizeof(path),
		 "cp '%s/idx-00000000000000000009.bin' '%s/idx-00000000000000000001.bin'", dir,
		 dir);
	assert_int_equal(system(path), 0);
	run(&r, "UTC", "search '%s' --pubkey '%s/root.pub' --path /etc/passwd --format table", dir,
	    t->dir);
	assert_non_null(
	    strstr(r.err, "idx-00000000000000000001.bin: the index does not check out"));
	golden("index_path_passwd", r.out);
	result_free(&r);
	rm_dir(dir);
}

/* Two hosts' logs merged in time order. */
static void test_merge_dirs(void **state)
{
	struct tw *t = *state;
	struct tw *u = calloc(1, sizeof(*u));
	struct result r;

	assert_non_null(u);
	tw_init(u);
	strcpy(u->host, "otherhost");
	u->now = T0 + 90ll * 1000000000; /* interleaved with the first log */
	u->step = 120ll * 1000000000;
	seg_start(u, 1);
	for (int i = 0; i < 3; i++)
		ev(u, "file.open", "file",
		   "\"syscall\":\"openat\",\"access\":\"write\",\"outcome\":\"success\",\"ret\":"
		   "3," PROC(500, 1, ID_OTHER, "0000000000000001", "logger",
			     "/usr/bin/logger") "," BOB ",\"file\":{\"path\":\"/var/log/x\"}");
	tw_seal(u);
	/* u's records are signed by another root: each directory needs its own key... */
	run(&r, "UTC", "search '%s' '%s' --pubkey '%s/root.pub' --event 'file.open' --format table",
	    t->dir, u->dir, t->dir);
	assert_non_null(strstr(r.err, "unknown root key"));
	result_free(&r);
	/* ... so the second host is given the same root here (a fleet sharing an auditor key) */
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", u->dir);
		assert_int_equal(system(cmd), 0);
		memcpy(u->root_pub, t->root_pub, sizeof(u->root_pub));
		memcpy(u->root_sec, t->root_sec, sizeof(u->root_sec));
		assert_non_null(mkdtemp(strcpy(u->dir, "/tmp/caudit-test-tw2-XXXXXX")));
		u->seq = 0;
		u->index = 0;
		u->seg[0] = 0;
		u->epoch = 0;
		u->now = T0 + 90ll * 1000000000;
		memset(&u->cert[0], 0, sizeof(u->cert[0]));
		memcpy(u->cert[0].pub, u->pub[0], CRYPTO_PUB_LEN);
		u->cert[0].not_before = (uint64_t)u->now;
		store_cert_sign(&u->cert[0], u->root_pub, u->root_sec);
		tw_certs_append(u, &u->cert[0]);
		{
			char *s = cert_text(&u->cert[0]);

			store_genesis(u->h, s, strlen(s));
			free(s);
		}
		seg_start(u, 1);
		for (int i = 0; i < 3; i++)
			ev(u, "file.open", "file",
			   "\"syscall\":\"openat\",\"access\":\"write\",\"outcome\":\"success\","
			   "\"ret\":3," PROC(
			       500, 1, ID_OTHER, "0000000000000001", "logger",
			       "/usr/bin/logger") "," BOB ",\"file\":{\"path\":\"/var/log/x\"}");
		tw_seal(u);
	}
	run(&r, "UTC", "search '%s' '%s' --pubkey '%s/root.pub' --event 'file.open' --format table",
	    t->dir, u->dir, t->dir);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	golden("merge_two_dirs", r.out);
	result_free(&r);
	rm_dir(u->dir);
	free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),	 cmocka_unit_test(test_usage_errors),
	    cmocka_unit_test(test_segment_file), cmocka_unit_test(test_corrupted_segment),
	    cmocka_unit_test(test_index),	 cmocka_unit_test(test_merge_dirs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
