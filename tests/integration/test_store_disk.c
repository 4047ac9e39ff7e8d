/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Disk conditions of the signed store, on a small tmpfs as the log disk:
 *  - disk_full_action = suspend: the agent keeps running when the disk
 *    fills, resumes once space is freed, writes a log.gap saying how many
 *    records were lost, and the log before and after is one verified chain;
 *  - admin_space_left above the free space with action syslog: a warning on
 *    stderr, and writing goes on;
 *  - disk_full_action = halt: the agent exits non-zero when the disk fills,
 *    leaving a log that still verifies.
 * The space thresholds are 0 where only the real ENOSPC path is wanted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "store_check.h"

#define START_MS 120000
#define TMPFS_SIZE "4m"
#define LEFT_FOR_LOG (512u << 10) /* free bytes left next to the filler */
#define SEALS "seal_interval = 1\nseal_records = 200\n"
#define NO_THRESHOLDS "space_left = 0\nadmin_space_left = 0\n"
#define SUSPEND_CONF SEALS NO_THRESHOLDS "disk_full_action = suspend\n" GEN_ONLY
#define HALT_CONF SEALS NO_THRESHOLDS "disk_full_action = halt\n" GEN_ONLY
#define ADMIN_CONF SEALS "space_left = 0\nadmin_space_left = 64M\n" \
		   "admin_space_left_action = syslog\ndisk_full_action = suspend\n" GEN_ONLY
/* disk_full_action = suspend retries every 30 s */
#define RESUME_MS 45000

static struct {
	char dir[256];
	char mnt[300];
	char log[320];
	char mk[320];
	char filler[320];
	int mounted;
	struct sagent ag;
	struct gen gen;
} T;

static int setup(void **state)
{
	memset(&T, 0, sizeof(T));
	if (!harness_can_run())
		return 0;
	if (harness_tmpdir(T.dir, sizeof(T.dir)))
		return -1;
	snprintf(T.mnt, sizeof(T.mnt), "%s/mnt", T.dir);
	snprintf(T.log, sizeof(T.log), "%s/log", T.mnt);
	snprintf(T.filler, sizeof(T.filler), "%s/filler", T.mnt);
	snprintf(T.mk, sizeof(T.mk), "%s/mk", T.dir);
	if (mkdir(T.mnt, 0700) || mkdir(T.mk, 0700))
		return -1;
	if (mount("tmpfs", T.mnt, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=" TMPFS_SIZE ",mode=0700")) {
		fprintf(stderr, "mount tmpfs on %s: %s\n", T.mnt, strerror(errno));
		return -1;
	}
	T.mounted = 1;
	/* the log on the small disk; keys and the agent's stderr stay on /tmp */
	sagent_init(&T.ag, T.dir, T.log, NULL);
	return 0;
}

static int teardown(void **state)
{
	gen_stop(&T.gen);
	if (T.ag.pid > 0)
		sagent_signal_wait(&T.ag, SIGKILL);
	if (T.mounted && umount2(T.mnt, MNT_DETACH))
		fprintf(stderr, "umount %s: %s\n", T.mnt, strerror(errno));
	if (T.dir[0] && !getenv("CAUDIT_KEEP_TEST_DIRS"))
		rm_tree(T.dir);
	memset(&T, 0, sizeof(T));
	return 0;
}

static uint64_t free_bytes(void)
{
	struct statvfs sv;

	assert_int_equal(statvfs(T.mnt, &sv), 0);
	return (uint64_t)sv.f_bavail * sv.f_frsize;
}

/* Fill the tmpfs but for `left` bytes with a file that can be deleted later. */
static void make_filler(uint64_t left)
{
	static char zero[65536];
	uint64_t want = free_bytes() - left, done = 0;
	int fd = open(T.filler, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	while (done < want) {
		size_t n = want - done < sizeof(zero) ? (size_t)(want - done) : sizeof(zero);

		assert_int_equal(write(fd, zero, n), (ssize_t)n);
		done += n;
	}
	assert_int_equal(close(fd), 0);
	assert_true(free_bytes() <= left + 65536);
}

static void start_agent(const char *conf)
{
	if (sagent_start(&T.ag, conf, START_MS)) {
		char *err = sagent_stderr(&T.ag);

		fail_msg("cauditd did not start; stderr:\n%s", err);
	}
}

static void wait_stderr(const char *needle, int timeout_ms)
{
	if (!sagent_wait_stderr(&T.ag, needle, timeout_ms)) {
		char *err = sagent_stderr(&T.ag);

		fail_msg("no \"%s\" on the agent's stderr within %d ms:\n%s", needle, timeout_ms,
			 err);
	}
}

static void check_caudit_verify(void)
{
	char *out;
	int status, vr = run_caudit_verify(T.ag.key_dir, T.ag.log_dir, &out, &status);

	assert_true(vr >= 0);
	if (vr == 1) {
		const char *bad = verify_bad_verdict(out);

		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || bad) {
			fprintf(stderr, "caudit verify output:\n%s\n", out);
			fail_msg("caudit verify: status %d, %s", status, bad ? bad : "exit status");
		}
	}
	free(out);
}

/* A marker record of ours: 1 for dir/m-N, 2 for dir/after-N, else 0. */
static int marker_kind(const struct slog *l, size_t i)
{
	char m[400], a[400];
	int nm = snprintf(m, sizeof(m), "\"%s/m-", T.mk);
	int na = snprintf(a, sizeof(a), "\"%s/after-", T.mk);

	if (memmem(slog_text(l, i), l->lines[i].len, m, (size_t)nm))
		return 1;
	if (memmem(slog_text(l, i), l->lines[i].len, a, (size_t)na))
		return 2;
	return 0;
}

static void test_disk_full_suspend_then_resume(void **state)
{
	uint64_t t0 = now_ms_mono(), t_full, t_resumed, generated;
	size_t gap_at = 0, before = 0, after = 0, m_after_gap = 0;
	struct slog_stats st;
	struct slog l;
	char msg[1024];
	json_object *gap;
	uint64_t from, to;
	int status;

	if (!harness_can_run())
		skip();
	make_filler(LEFT_FOR_LOG);
	start_agent(SUSPEND_CONF);
	assert_int_equal(gen_start(&T.gen, T.mk, "m-", 100, 0), 0);

	/* the disk fills: the store keeps its block in memory and stops writing */
	wait_stderr("disk_full_action: suspend", 60000);
	t_full = now_ms_mono();
	sleep_ms(1000); /* records refused while suspended */
	generated = gen_stop(&T.gen);
	sleep_ms(500);
	assert_true(sagent_alive(&T.ag));

	/* space comes back: writing resumes at the next retry */
	assert_int_equal(unlink(T.filler), 0);
	wait_stderr("resumed", RESUME_MS);
	t_resumed = now_ms_mono();
	assert_true(sagent_alive(&T.ag));
	assert_int_equal(gen_start(&T.gen, T.mk, "after-", 200, 200), 0);
	assert_int_equal(gen_join(&T.gen), 200);
	sleep_ms(1500);
	status = sagent_signal_wait(&T.ag, SIGTERM);
	assert_true(status != -1 && WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* one continuous, verified chain across the gap */
	if (slog_verify_dir(T.ag.log_dir, T.ag.key_dir, 0, &st, msg, sizeof(msg)))
		fail_msg("log check: %s", msg);
	assert_int_equal(st.gaps, 1);
	assert_true(st.lost > 0);

	assert_int_equal(slog_read(&l, T.ag.log_dir, msg, sizeof(msg)), 0);
	for (size_t i = 0; i < l.nlines; i++) {
		int kind = marker_kind(&l, i);

		if (!gap_at && memmem(slog_text(&l, i), l.lines[i].len, "\"log.gap\"", 9))
			gap_at = i;
		if (kind == 1 && !gap_at)
			before++;
		else if (kind == 1)
			m_after_gap++;
		else if (kind == 2 && gap_at)
			after++;
		else if (kind == 2)
			fail_msg("a marker written after the resume precedes the log.gap");
	}
	assert_true(gap_at > 0);
	gap = slog_parse(&l, gap_at);
	assert_non_null(gap);
	assert_string_equal(jstr(gap, "event"), "log.gap");
	assert_string_equal(jstr(gap, "category"), "log");
	assert_string_equal(jstr(gap, "gap.reason"), "disk_full");
	assert_true(jint(gap, "gap.lost") > 0);
	assert_int_equal(slog_time_ns(jstr(gap, "gap.from"), &from), 0);
	assert_int_equal(slog_time_ns(jstr(gap, "gap.to"), &to), 0);
	assert_true(from <= to);
	json_object_put(gap);
	/* records from before the disk filled, none of the refused ones, the new ones */
	assert_true(before > 0);
	assert_int_equal(m_after_gap, 0);
	assert_true(after > 0);
	{
		json_object *last = slog_parse(&l, l.nlines - 1);

		assert_string_equal(jstr(last, "seal.reason"), "shutdown");
		json_object_put(last);
	}
	fprintf(stderr, "disk full: filled after %.1f s, resumed %.1f s later; %" PRIu64
		" markers generated, %zu before the gap, %" PRIu64 " records lost, %zu markers "
		"after; %zu records, %zu seals\n", (double)(t_full - t0) / 1000.0,
		(double)(t_resumed - t_full) / 1000.0, generated, before, st.lost, after, l.nlines,
		st.seals);
	slog_free(&l);
	check_caudit_verify();
}

static void test_admin_space_left_syslog_warns(void **state)
{
	struct slog_stats st;
	struct slog l;
	char msg[1024], *err, *line;
	size_t markers = 0, disk_records = 0;
	int status;

	if (!harness_can_run())
		skip();
	/* 4 MiB of tmpfs: always below admin_space_left = 64M */
	start_agent(ADMIN_CONF);
	wait_stderr("below admin_space_left", 15000);
	err = sagent_stderr(&T.ag);
	line = strstr(err, "below admin_space_left");
	assert_non_null(strstr(line, "action syslog"));
	free(err);

	/* syslog only warns: writing goes on */
	assert_int_equal(gen_start(&T.gen, T.mk, "m-", 200, 300), 0);
	assert_int_equal(gen_join(&T.gen), 300);
	sleep_ms(1500);
	assert_true(sagent_alive(&T.ag));
	status = sagent_signal_wait(&T.ag, SIGTERM);
	assert_true(status != -1 && WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	if (slog_verify_dir(T.ag.log_dir, T.ag.key_dir, 0, &st, msg, sizeof(msg)))
		fail_msg("log check: %s", msg);
	assert_int_equal(st.gaps, 0);
	assert_int_equal(slog_read(&l, T.ag.log_dir, msg, sizeof(msg)), 0);
	for (size_t i = 0; i < l.nlines; i++) {
		const char *t = l.segs[l.lines[i].seg].text + l.lines[i].off;

		markers += marker_kind(&l, i) == 1;
		/* the warning is in the signed log too, once */
		if (memmem(t, l.lines[i].len, "\"event\":\"log.disk\"", 18) &&
		    memmem(t, l.lines[i].len, "\"threshold\":\"admin_space_left\"", 30) &&
		    memmem(t, l.lines[i].len, "\"action\":\"syslog\"", 17))
			disk_records++;
	}
	slog_free(&l);
	assert_true(markers > 0);
	assert_int_equal(disk_records, 1);
	check_caudit_verify();
}

static void test_disk_full_halt_exits(void **state)
{
	struct slog_stats st;
	char msg[1024], *err;
	int status;

	if (!harness_can_run())
		skip();
	make_filler(LEFT_FOR_LOG);
	start_agent(HALT_CONF);
	assert_int_equal(gen_start(&T.gen, T.mk, "m-", 100, 0), 0);
	status = sagent_wait_exit(&T.ag, 60000);
	gen_stop(&T.gen);
	err = sagent_stderr(&T.ag);
	if (status == -1)
		fail_msg("the agent did not stop when the disk filled; stderr:\n%s", err);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 0);
	if (!strstr(err, "disk_full_action: halt"))
		fail_msg("stderr does not name the halt action:\n%s", err);
	free(err);

	/* what was written before the halt is a verified chain, cut at a block boundary */
	if (slog_verify_dir(T.ag.log_dir, T.ag.key_dir, SLOG_HEAD_LAGS, &st, msg, sizeof(msg)))
		fail_msg("log check after halt: %s", msg);
	assert_true(st.seals > 0);
	fprintf(stderr, "halt: exit status %d; %" PRIu64 " records, %zu seals kept\n",
		WEXITSTATUS(status), st.last_seq, st.seals);
	check_caudit_verify();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_disk_full_suspend_then_resume, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_admin_space_left_syslog_warns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_disk_full_halt_exits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
