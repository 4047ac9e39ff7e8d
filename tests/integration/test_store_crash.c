/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The signed store survives kill -9. While a child creates and unlinks
 * numbered marker files, the agent is SIGKILLed 20 times at random moments
 * (fixed seed) and restarted on the same log and key directories. After each
 * kill the test reads what is on disk; after a clean stop it checks the whole
 * log: seq continuous from 1, every prev link and seal head against a chain
 * recomputed with libsodium, every seal's Ed25519 signature with the epoch
 * keys of certs.jsonl, exactly one unclean log.restart per kill whose counts
 * match what the kill left, recovery seals late, every line that was on disk
 * after a kill (sealed or flushed) still there byte for byte, and no marker
 * recorded twice.
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
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "harness.h"
#include "keys.h"
#include "store_check.h"

#define KILLS 20
#define SEED 0x5eed2026u
#define START_MS 120000
#define CONF "seal_interval = 1\nseal_records = 200\n" GEN_ONLY
#define GEN_PACE_US 300

/* What one kill left on disk in the newest segment. */
struct snap {
	uint64_t last_sealed;     /* seq of the last line inside complete members (a seal) */
	uint64_t last_complete;   /* seq of the last complete line */
	size_t unsealed;          /* complete lines after the last complete gzip member */
	size_t sealed_markers;    /* marker records inside complete members */
	size_t lines;
};

struct seen {
	uint64_t seq;
	uint8_t h[32];
};

static struct {
	char dir[256];
	char mk[320];
	struct sagent ag;
	struct gen gen;
	struct snap snaps[KILLS];
	pid_t killed[KILLS];      /* reaped at the end: the kernel frees BPF links slowly */
	int nkilled;
	struct seen *seen;
	size_t nseen, capseen;
} T;

static int setup(void **state)
{
	memset(&T, 0, sizeof(T));
	if (!harness_can_run())
		return 0;
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
	for (int i = 0; i < T.nkilled; i++) {
		if (T.killed[i] > 0)
			reap_pid(T.killed[i]);
	}
	if (T.dir[0] && !getenv("CAUDIT_KEEP_TEST_DIRS"))
		rm_tree(T.dir);
	free(T.seen);
	memset(&T, 0, sizeof(T));
	return 0;
}

static int is_marker(const char *text, size_t len)
{
	char needle[340];
	int n = snprintf(needle, sizeof(needle), "\"%s/m-", T.mk);

	return memmem(text, len, needle, (size_t)n) != NULL;
}

/* After a kill: remember every complete line of the newest segment. */
static void take_snapshot(struct snap *sn)
{
	struct slog l;
	char msg[512];

	assert_int_equal(slog_read_newest(&l, T.ag.log_dir, msg, sizeof(msg)), 0);
	assert_true(l.nsegs == 1 && l.nlines > 0);
	memset(sn, 0, sizeof(*sn));
	sn->lines = l.nlines;
	sn->unsealed = l.nlines - l.segs[0].sealed_lines;
	for (size_t i = 0; i < l.nlines; i++) {
		struct seen *s;
		uint64_t seq;

		/* a complete line is a whole record with its seq */
		if (store_record_seq(slog_text(&l, i), l.lines[i].len, &seq))
			fail_msg("%s line %zu after a kill: no seq prefix", l.segs[0].name, i + 1);
		if (T.nseen == T.capseen) {
			T.capseen = T.capseen ? T.capseen * 2 : 65536;
			T.seen = realloc(T.seen, T.capseen * sizeof(*T.seen));
			assert_non_null(T.seen);
		}
		s = &T.seen[T.nseen++];
		s->seq = seq;
		crypto_generichash(s->h, sizeof(s->h), (const unsigned char *)slog_text(&l, i),
				   l.lines[i].len, NULL, 0);
		if (i == 0)
			sn->last_sealed = seq - 1;
		if (l.lines[i].sealed)
			sn->last_sealed = seq;
		sn->last_complete = seq;
		if (l.lines[i].sealed && is_marker(slog_text(&l, i), l.lines[i].len))
			sn->sealed_markers++;
	}
	slog_free(&l);
}

static const char *marker_op(json_object *o)
{
	const char *ev = jstr(o, "event");

	if (!ev)
		return NULL;
	if (strcmp(ev, "file.open") == 0)
		return "open";
	if (strcmp(ev, "file.unlink") == 0)
		return "unlink";
	return NULL;
}

static void test_kill9_twenty_times(void **state)
{
	uint64_t t0 = now_ms_mono(), generated, last_marker[2] = { 0, 0 };
	unsigned seed = SEED;
	size_t markers[2] = { 0, 0 }, restart_no = 0, sealed_markers = 0, recovered = 0;
	struct slog_stats st;
	struct slog l;
	char msg[1024], *out;
	int status, vr;

	if (!harness_can_run())
		skip();
	assert_int_equal(sagent_start(&T.ag, CONF, START_MS), 0);
	assert_int_equal(gen_start(&T.gen, T.mk, "m-", GEN_PACE_US, 0), 0);

	for (int k = 0; k < KILLS; k++) {
		unsigned delay = 50 + (unsigned)(rand_r(&seed) % 751);

		sleep_ms(delay);
		/* once its memory is gone it cannot write; no need to wait for the reap */
		T.killed[T.nkilled] = sagent_kill9_detach(&T.ag, 10000);
		assert_true(T.killed[T.nkilled++] > 0);
		take_snapshot(&T.snaps[k]);
		sealed_markers += T.snaps[k].sealed_markers;
		if (sagent_start(&T.ag, CONF, START_MS)) {
			char *err = sagent_stderr(&T.ag);

			fail_msg("restart %d failed; agent stderr:\n%s", k + 1, err);
		}
	}
	sleep_ms(500);
	generated = gen_stop(&T.gen);
	status = sagent_signal_wait(&T.ag, SIGTERM);
	assert_true(status != -1 && WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	for (int i = 0; i < T.nkilled; i++) {
		status = reap_pid(T.killed[i]);
		T.killed[i] = 0;
		assert_true(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}

	/* the whole log: chain, links, headers, keys, seals, signatures, head.json */
	if (slog_verify_dir(T.ag.log_dir, T.ag.key_dir, 0, &st, msg, sizeof(msg)))
		fail_msg("log check: %s", msg);
	assert_int_equal(st.first_seq, 1);
	assert_int_equal(st.restarts, KILLS);
	assert_int_equal(st.unclean_restarts, KILLS);
	assert_int_equal(st.late_seals, st.recovery_seals);

	assert_int_equal(slog_read(&l, T.ag.log_dir, msg, sizeof(msg)), 0);
	assert_int_equal(l.nsegs, KILLS + 1);
	for (size_t i = 0; i < l.nlines; i++) {
		json_object *o = slog_parse(&l, i);
		const char *ev = o ? jstr(o, "event") : NULL;
		const char *op, *path;

		assert_non_null(ev);
		if (strcmp(ev, "log.restart") == 0) {
			struct snap *sn;
			uint64_t prev_last;

			/* one per kill, third record of its segment, after the header's key */
			assert_true(restart_no < KILLS);
			sn = &T.snaps[restart_no++];
			assert_int_equal(i, l.segs[l.lines[i].seg].first_line + 2);
			assert_true(l.lines[i].seg == restart_no);
			assert_false(json_object_get_boolean(jget(o, "restart.clean")));
			/* every complete line the kill left was kept (none dropped) */
			assert_int_equal(jint(o, "restart.recovered"), sn->unsealed);
			prev_last = (uint64_t)jint(o, "restart.previous_last_seq");
			assert_int_equal(jint(o, "seq"), prev_last + 3);
			recovered += sn->unsealed;
			if (!sn->unsealed) {
				assert_int_equal(prev_last, sn->last_complete);
			} else {
				/*
				 * A late seal closes the previous segment over what followed
				 * the last seal; between the kept lines and it the store may
				 * only re-announce its key.
				 */
				json_object *seal = slog_parse(&l, prev_last - 1);

				assert_true(prev_last > sn->last_complete);
				assert_true(prev_last <= sn->last_complete + 2);
				assert_non_null(seal);
				assert_string_equal(jstr(seal, "event"), "log.seal");
				assert_string_equal(jstr(seal, "seal.reason"), "recovery");
				assert_true(json_object_get_boolean(jget(seal, "seal.late")));
				assert_int_equal(jint(seal, "seal.first_seq"), sn->last_sealed + 1);
				assert_int_equal(jint(seal, "seal.last_seq"), prev_last - 1);
				json_object_put(seal);
				for (uint64_t q = sn->last_complete + 1; q < prev_last; q++) {
					json_object *k = slog_parse(&l, q - 1);

					assert_string_equal(jstr(k, "event"), "log.key");
					json_object_put(k);
				}
			}
		}
		op = marker_op(o);
		path = op ? jstr(o, "file.path") : NULL;
		if (path && strncmp(path, T.mk, strlen(T.mk)) == 0 &&
		    strncmp(path + strlen(T.mk), "/m-", 3) == 0) {
			int which = strcmp(op, "open") != 0;
			char *end;
			uint64_t n = strtoull(path + strlen(T.mk) + 3, &end, 10);

			assert_true(*end == 0 && n > 0);
			/* one generator thread: its markers come in order, none twice */
			if (n <= last_marker[which])
				fail_msg("marker %s m-%" PRIu64 " at seq %lld after m-%" PRIu64,
					 op, n, (long long)jint(o, "seq"), last_marker[which]);
			last_marker[which] = n;
			markers[which]++;
		}
		json_object_put(o);
	}
	assert_int_equal(restart_no, KILLS);
	/* the clean stop: agent.stop, then the shutdown seal */
	{
		json_object *last = slog_parse(&l, l.nlines - 1);
		json_object *stop = slog_parse(&l, l.nlines - 2);

		assert_string_equal(jstr(last, "seal.reason"), "shutdown");
		assert_string_equal(jstr(stop, "event"), "agent.stop");
		json_object_put(last);
		json_object_put(stop);
	}

	/* every line that was on disk after a kill is still there, unchanged */
	for (size_t i = 0; i < T.nseen; i++) {
		struct seen *s = &T.seen[i];
		size_t idx = (size_t)(s->seq - 1);
		uint8_t h[32];

		assert_true(idx < l.nlines);
		crypto_generichash(h, sizeof(h), (const unsigned char *)slog_text(&l, idx),
				   l.lines[idx].len, NULL, 0);
		if (memcmp(h, s->h, sizeof(h)))
			fail_msg("seq %" PRIu64 " differs from what was on disk after a kill",
				 s->seq);
	}
	assert_true(markers[0] > 0 && markers[1] > 0);
	assert_true(sealed_markers > 0);

	vr = run_caudit_verify(T.ag.key_dir, T.ag.log_dir, &out, &status);
	assert_true(vr >= 0);
	if (vr == 1) {
		const char *bad = verify_bad_verdict(out);

		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || bad) {
			fprintf(stderr, "caudit verify output:\n%s\n", out);
			fail_msg("caudit verify: status %d, %s", status, bad ? bad : "exit status");
		}
	}
	free(out);

	fprintf(stderr, "crash: %d kills, %zu records in %zu segments, %zu seals (%zu recovery, "
		"%zu records recovered), %zu lines compared after kills; markers: %" PRIu64
		" generated, %zu opens + %zu unlinks recorded, %zu sealed before a kill; %.1f s\n",
		KILLS, l.nlines, l.nsegs, st.seals, st.recovery_seals, recovered, T.nseen,
		generated, markers[0], markers[1], sealed_markers,
		(double)(now_ms_mono() - t0) / 1000.0);
	slog_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kill9_twenty_times, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
