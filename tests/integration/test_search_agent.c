/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * caudit search on logs written by the real agent: two agents side by side
 * (one plain, one encrypting to an auditor key), 16K segments so that the
 * markers of a generator spread over many rotated segments.
 *   - the store writes a signed index (idx-<N>.bin) for every closed plain
 *     segment, none for encrypted ones;
 *   - a search for one marker finds exactly its two records (the create
 *     and the unlink, by the generator), skips segments by index, and gives
 *     the same output without the indexes;
 *   - the encrypted log gives the same records with --decrypt-key, and
 *     says what it could not read without it.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <dirent.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "store_check.h"

#define START_MS 60000
#define OPS 2000
/* a name of our own: other tests' generators (caudit-gen) may run on the same machine */
#define SRCH_COMM "caudit-srchgen"
#define CONF "rotate_size = 16K\nseal_interval = 1\nseal_records = 100\ninclude_comms = " SRCH_COMM

static struct {
	char base[256], mk[320], auditor[320];
	struct sagent plain, enc;
	pid_t gen_pid;
	int ready;
} fx;

static char *run_out(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[4096];

	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
		if (len + n + 1 > cap) {
			cap = 2 * (len + n + 1);
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		memcpy(buf + len, chunk, n);
		len += n;
	}
	*status = pclose(p);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[len] = 0;
	return buf;
}

static size_t count_files(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0, sl = strlen(suffix);

	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		n += l > sl && !strcmp(de->d_name + l - sl, suffix);
	}
	closedir(d);
	return n;
}

/* Until the agent's agent.start record is sealed (found by caudit search itself). */
static int wait_started(struct sagent *a, const char *dkey)
{
	char bin[512], cmd[2400];

	harness_bin("caudit", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd),
		 "'%s' search '%s' --pubkey '%s/root.pub' --event agent.start --count %s%s "
		 ">/dev/null 2>&1",
		 bin, a->log_dir, a->key_dir, dkey ? "--decrypt-key " : "", dkey ? dkey : "");
	for (int i = 0; i < START_MS / 100; i++) {
		if (system(cmd) == 0)
			return 0;
		sleep_ms(100);
	}
	fprintf(stderr, "no agent.start found by: %s\n", cmd);
	return -1;
}

/* A child named SRCH_COMM creating and unlinking mk/s-1 .. mk/s-OPS; its pid. */
static pid_t generate(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char path[400];

		prctl(PR_SET_NAME, SRCH_COMM, 0, 0, 0);
		for (unsigned i = 1; i <= OPS; i++) {
			int fd;

			snprintf(path, sizeof(path), "%s/s-%u", fx.mk, i);
			fd = (int)syscall(SYS_openat, AT_FDCWD, path,
					  O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
			if (fd >= 0)
				close(fd);
			syscall(SYS_unlink, path);
			usleep(200);
		}
		_exit(0);
	}
	return pid;
}

static int group_setup(void **state)
{
	char cmd[1200], bin[512], path[400], dkey[400];
	int st;

	memset(&fx, 0, sizeof(fx));
	if (!harness_can_run())
		return 0;
	if (harness_tmpdir(fx.base, sizeof(fx.base)))
		return -1;
	snprintf(fx.mk, sizeof(fx.mk), "%s/mk", fx.base);
	snprintf(fx.auditor, sizeof(fx.auditor), "%s/auditor", fx.base);
	if (mkdir(fx.mk, 0700))
		return -1;
	snprintf(path, sizeof(path), "%s/plain", fx.base);
	if (mkdir(path, 0700))
		return -1;
	sagent_init(&fx.plain, path, NULL, NULL);
	snprintf(path, sizeof(path), "%s/enc", fx.base);
	if (mkdir(path, 0700))
		return -1;
	sagent_init(&fx.enc, path, NULL, NULL);
	harness_bin("caudit", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "'%s' keygen --encryption --out '%s' >/dev/null 2>&1", bin,
		 fx.auditor);
	if (system(cmd))
		return -1;
	snprintf(cmd, sizeof(cmd), CONF "\nencrypt_to = %s/enc.pub", fx.auditor);
	snprintf(dkey, sizeof(dkey), "%s/enc.key", fx.auditor);
	if (sagent_spawn(&fx.plain, CONF) || sagent_spawn(&fx.enc, cmd) ||
	    wait_started(&fx.plain, NULL) || wait_started(&fx.enc, dkey)) {
		char *e = sagent_stderr(&fx.plain), *e2 = sagent_stderr(&fx.enc);

		fprintf(stderr, "agents did not start:\n%s\n%s\n", e, e2);
		free(e);
		free(e2);
		return -1;
	}
	fx.gen_pid = generate();
	if (fx.gen_pid < 0 || waitpid(fx.gen_pid, &st, 0) != fx.gen_pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		return -1;
	sleep_ms(2000);
	st = sagent_signal_wait(&fx.plain, SIGTERM);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	st = sagent_signal_wait(&fx.enc, SIGTERM);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	fx.ready = 1;
	return 0;
}

static int group_teardown(void **state)
{
	if (fx.plain.pid > 0)
		sagent_signal_wait(&fx.plain, SIGKILL);
	if (fx.enc.pid > 0)
		sagent_signal_wait(&fx.enc, SIGKILL);
	if (fx.base[0] && !getenv("CAUDIT_KEEP_TEST_DIRS"))
		rm_tree(fx.base);
	return 0;
}

static void need(void)
{
	if (!harness_can_run())
		skip();
	assert_true(fx.ready);
}

static char *search(const struct sagent *a, const char *extra, int *status)
{
	char bin[512], cmd[2048];

	harness_bin("caudit", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "TZ=UTC '%s' search '%s' --pubkey '%s/root.pub' %s 2>&1", bin,
		 a->log_dir, a->key_dir, extra);
	return run_out(cmd, status);
}

/* The two records of marker n, exactly: create (write access) then unlink, by the generator. */
static void check_marker_records(const char *out, unsigned n)
{
	char path[400], *copy = strdup(out), *save = NULL, *line;
	int seen = 0;

	assert_non_null(copy);
	snprintf(path, sizeof(path), "%s/s-%u", fx.mk, n);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_object *o = json_tokener_parse(line);

		if (!o)
			fail_msg("not a record: %s", line);
		assert_string_equal(jstr(o, "file.path"), path);
		assert_string_equal(jstr(o, "proc.comm"), SRCH_COMM);
		assert_int_equal(jint(o, "proc.pid"), fx.gen_pid);
		assert_string_equal(jstr(o, "outcome"), "success");
		if (seen == 0) {
			assert_string_equal(jstr(o, "event"), "file.open");
			assert_string_equal(jstr(o, "access"), "write");
		} else {
			assert_string_equal(jstr(o, "event"), "file.unlink");
		}
		seen++;
		json_object_put(o);
	}
	assert_int_equal(seen, 2);
	free(copy);
}

static void test_indexes_written(void **state)
{
	size_t segs, idx;

	need();
	segs = count_files(fx.plain.log_dir, ".jsonl.gz");
	idx = count_files(fx.plain.log_dir, ".bin");
	print_message("plain log: %zu segments, %zu indexes\n", segs, idx);
	assert_true(segs >= 4);
	/* every segment was closed (rotation or shutdown): each has its index */
	assert_int_equal(idx, segs);
	assert_true(count_files(fx.enc.log_dir, ".jsonl.gz.enc") >= 4);
	assert_int_equal(count_files(fx.enc.log_dir, ".bin"), 0);
}

static void test_search_marker_with_and_without_index(void **state)
{
	char arg[600], *out, *out2, *stats;
	int status;
	unsigned long long segs = 0, skipped = 0;

	need();
	snprintf(arg, sizeof(arg), "--path '%s/s-123' --format json", fx.mk);
	out = search(&fx.plain, arg, &status);
	assert_int_equal(WEXITSTATUS(status), 0);
	check_marker_records(out, 123);
	snprintf(arg, sizeof(arg), "--path '%s/s-123' --format json --no-index", fx.mk);
	out2 = search(&fx.plain, arg, &status);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(out, out2);
	free(out2);
	/* the indexes ruled out most segments */
	snprintf(arg, sizeof(arg), "--path '%s/s-123' --count --stats", fx.mk);
	stats = search(&fx.plain, arg, &status);
	assert_int_equal(sscanf(strstr(stats, "segments"), "segments %llu, skipped by index %llu",
				&segs, &skipped),
			 2);
	print_message("%s", stats);
	assert_true(skipped >= segs / 2);
	assert_non_null(strstr(stats, "bad index 0"));
	free(stats);
	free(out);
	/* every unlink of the generator, across all the segments */
	snprintf(arg, sizeof(arg), "--path '%s' --event file.unlink --comm " SRCH_COMM " --count",
		 fx.mk);
	out = search(&fx.plain, arg, &status);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(strtoull(out, NULL, 10), OPS);
	free(out);
}

static void test_search_encrypted(void **state)
{
	char arg[800], *out;
	int status;

	need();
	snprintf(arg, sizeof(arg), "--path '%s/s-321' --format json --decrypt-key '%s/enc.key'",
		 fx.mk, fx.auditor);
	out = search(&fx.enc, arg, &status);
	assert_int_equal(WEXITSTATUS(status), 0);
	check_marker_records(out, 321);
	free(out);
	/* without the key: nothing found, and a note that says why */
	snprintf(arg, sizeof(arg), "--path '%s/s-321' --format json", fx.mk);
	out = search(&fx.enc, arg, &status);
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_non_null(
	    strstr(out, "encrypted segment(s) verified by their seals but not searched"));
	assert_null(strstr(out, "\"event\""));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_indexes_written),
	    cmocka_unit_test(test_search_marker_with_and_without_index),
	    cmocka_unit_test(test_search_encrypted),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
