/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Restarts lose nothing and duplicate nothing (docs/operations.md,
 * "Restarts"). With pin_dir set, a child creates and unlinks numbered marker
 * files without pause while the agent is stopped 10 times, 5 with SIGTERM and
 * 5 with SIGKILL, at random moments (fixed seed), and left down a while each
 * time: the pinned programs keep capturing into the pinned ring buffer, the
 * next agent takes the pins over, skips what the killed one had already
 * written, and drains the rest. Then every marker's open and unlink is in
 * the log exactly once, the chain verifies (slog_check and caudit verify),
 * and cauditd --remove-pins removes the pins.
 *
 * A second test changes ring_buffer_size across a restart (an upgrade of the
 * BPF object takes the same path): the new programs are attached while the
 * old ones still capture, one write to the shared ca_active_gen map switches
 * from the old to the new, the old ring is drained: every marker once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "store_check.h"

#define RESTARTS 10
#define SEED 0x7e57a27u
#define START_MS 120000
#define PIN "/sys/fs/bpf/caudit-test-restart"
#define CONF "seal_interval = 1\nseal_records = 200\npin_dir = " PIN "\n" GEN_ONLY
#define GEN_PACE_US 200

static struct {
	char dir[256];
	char mk[320];
	struct sagent ag;
	struct gen gen;
	pid_t killed[RESTARTS];
	int nkilled;
} T;

static int setup(void **state)
{
	memset(&T, 0, sizeof(T));
	if (!harness_can_run())
		return 0;
	rm_tree(PIN);
	rm_tree(PIN "-old");
	if (harness_tmpdir(T.dir, sizeof(T.dir)))
		return -1;
	snprintf(T.mk, sizeof(T.mk), "%s/mk", T.dir);
	if (mkdir(T.mk, 0700))
		return -1;
	sagent_init(&T.ag, T.dir, NULL, NULL);
	return 0;
}

static int teardown(void **state)
{
	gen_stop(&T.gen);
	if (T.ag.pid > 0)
		sagent_signal_wait(&T.ag, SIGKILL);
	for (int i = 0; i < T.nkilled; i++)
		if (T.killed[i] > 0)
			reap_pid(T.killed[i]);
	/* whatever happened, no capture may stay behind */
	rm_tree(PIN);
	rm_tree(PIN "-old");
	if (T.dir[0] && !getenv("CAUDIT_KEEP_TEST_DIRS"))
		rm_tree(T.dir);
	memset(&T, 0, sizeof(T));
	return 0;
}

static void start_or_fail(const char *conf, int k)
{
	if (sagent_start(&T.ag, conf, START_MS)) {
		char *err = sagent_stderr(&T.ag);

		fail_msg("start %d failed; agent stderr:\n%s", k, err);
	}
}

/*
 * Count each marker's open and unlink records in the whole log. counts[n][0]
 * opens, counts[n][1] unlinks, for n = 1 .. max.
 */
static void count_markers(uint64_t max, unsigned (*counts)[2], uint64_t *ring_drops)
{
	struct slog l;
	char msg[1024], prefix[340];
	size_t plen = (size_t)snprintf(prefix, sizeof(prefix), "%s/m-", T.mk);

	*ring_drops = 0;
	assert_int_equal(slog_read(&l, T.ag.log_dir, msg, sizeof(msg)), 0);
	for (size_t i = 0; i < l.nlines; i++) {
		json_object *o = slog_parse(&l, i);
		const char *ev = o ? jstr(o, "event") : NULL, *path;
		char *end;
		uint64_t n;

		assert_non_null(ev);
		if (strcmp(ev, "agent.loss") == 0 && jint(o, "agent.drops.ringbuf_full") > 0)
			*ring_drops += (uint64_t)jint(o, "agent.drops.ringbuf_full");
		path = jstr(o, "file.path");
		if (path && strncmp(path, prefix, plen) == 0 &&
		    (strcmp(ev, "file.open") == 0 || strcmp(ev, "file.unlink") == 0)) {
			n = strtoull(path + plen, &end, 10);
			assert_true(*end == 0 && n >= 1);
			if (n <= max)
				counts[n][strcmp(ev, "file.open") != 0]++;
		}
		json_object_put(o);
	}
	slog_free(&l);
}

static void verify_clean(size_t restarts, size_t unclean)
{
	struct slog_stats st;
	char msg[1024], *out = NULL;
	const char *bad;
	int status = -1, vr;

	if (slog_verify_dir(T.ag.log_dir, T.ag.key_dir, 0, &st, msg, sizeof(msg)))
		fail_msg("log check: %s", msg);
	assert_int_equal(st.first_seq, 1);
	assert_int_equal(st.restarts, restarts);
	assert_int_equal(st.unclean_restarts, unclean);
	vr = run_caudit_verify(T.ag.key_dir, T.ag.log_dir, &out, &status);
	assert_int_equal(vr, 1);
	bad = verify_bad_verdict(out);
	if (bad || status != 0)
		fail_msg("caudit verify (status %d): %s\n%s", status, bad ? bad : "", out);
	free(out);
}

/* cauditd --remove-pins with the agent's config: the pins are gone. */
static void remove_pins(void)
{
	char bin[PATH_MAX], *cmd;
	struct stat sb;

	harness_bin("cauditd", bin, sizeof(bin));
	assert_int_equal(stat(PIN, &sb), 0); /* left pinned by SIGTERM */
	cmd = xasprintf("%s --remove-pins -c %s >/dev/null", bin, T.ag.conf);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(stat(PIN, &sb), -1);
	assert_int_equal(errno, ENOENT);
}

static size_t count_in(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_ten_restarts_exactly_once(void **state)
{
	unsigned seed = SEED, (*counts)[2];
	uint64_t generated, drops;
	char *err;
	int status;

	if (!harness_can_run())
		skip();
	start_or_fail(CONF, 0);
	assert_int_equal(gen_start(&T.gen, T.mk, "m-", GEN_PACE_US, 0), 0);
	for (int k = 0; k < RESTARTS; k++) {
		sleep_ms(100 + (unsigned)(rand_r(&seed) % 500));
		if (k % 2 == 0) {
			status = sagent_signal_wait(&T.ag, SIGTERM);
			assert_true(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
		} else {
			T.killed[T.nkilled] = sagent_kill9_detach(&T.ag, 10000);
			assert_true(T.killed[T.nkilled++] > 0);
		}
		/* nobody drains now: the pinned programs go on filling the ring */
		sleep_ms(100 + (unsigned)(rand_r(&seed) % 300));
		start_or_fail(CONF, k + 1);
	}
	sleep_ms(300);
	generated = gen_stop(&T.gen);
	/* its events are in the ring already: SIGTERM drains them */
	status = sagent_signal_wait(&T.ag, SIGTERM);
	assert_true(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (int i = 0; i < T.nkilled; i++) {
		status = reap_pid(T.killed[i]);
		T.killed[i] = 0;
		assert_true(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
	err = sagent_stderr(&T.ag);
	assert_int_equal(count_in(err, "took over the pinned programs"), RESTARTS);
	free(err);

	verify_clean(RESTARTS, RESTARTS / 2);
	assert_true(generated > 1000);
	counts = calloc(generated + 2, sizeof(*counts));
	assert_non_null(counts);
	count_markers(generated + 1, counts, &drops);
	assert_int_equal(drops, 0);
	for (uint64_t n = 1; n <= generated; n++) {
		if (counts[n][0] != 1 || counts[n][1] != 1)
			fail_msg("marker m-%" PRIu64 " of %" PRIu64 ": %u opens, %u unlinks (want 1, 1)",
				 n, generated, counts[n][0], counts[n][1]);
	}
	/* the one in progress when the generator was killed: at most once */
	assert_true(counts[generated + 1][0] <= 1 && counts[generated + 1][1] <= 1);
	free(counts);
	remove_pins();
}

static void test_ring_resize_hands_over(void **state)
{
	unsigned (*counts)[2];
	uint64_t generated, drops;
	char *err;
	int status;

	if (!harness_can_run())
		skip();
	start_or_fail(CONF, 0);
	assert_int_equal(gen_start(&T.gen, T.mk, "m-", GEN_PACE_US, 0), 0);
	sleep_ms(300);
	T.killed[T.nkilled] = sagent_kill9_detach(&T.ag, 10000);
	assert_true(T.killed[T.nkilled++] > 0);
	sleep_ms(200);
	/* another stamp: the old programs and ring are handed over, not reused */
	start_or_fail(CONF "\nring_buffer_size = 8M", 1);
	sleep_ms(300);
	generated = gen_stop(&T.gen);
	status = sagent_signal_wait(&T.ag, SIGTERM);
	assert_true(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	err = sagent_stderr(&T.ag);
	assert_non_null(strstr(err, "took over from an earlier BPF object"));
	free(err);
	verify_clean(1, 1);
	counts = calloc(generated + 2, sizeof(*counts));
	assert_non_null(counts);
	count_markers(generated + 1, counts, &drops);
	assert_int_equal(drops, 0);
	assert_true(generated > 500);
	for (uint64_t n = 1; n <= generated; n++) {
		if (counts[n][0] != 1 || counts[n][1] != 1)
			fail_msg("marker m-%" PRIu64 " of %" PRIu64 ": %u opens, %u unlinks at the "
				 "handover (want 1, 1)", n, generated, counts[n][0], counts[n][1]);
	}
	assert_true(counts[generated + 1][0] <= 1 && counts[generated + 1][1] <= 1);
	free(counts);
	remove_pins();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ten_restarts_exactly_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_resize_hands_over, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
