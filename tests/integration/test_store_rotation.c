/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Segments, retention, epochs and key state of the signed store:
 *  - a burst with a small rotate_size makes several segments, each starting
 *    with a log.segment header linked to the one before (name and chain
 *    head), each closed by a "rotate" seal, each readable by zcat and jq;
 *  - retention_segments removes old segments and says so in log.retention;
 *  - epoch_interval = 1 certifies a new key every second: certs.jsonl and
 *    the log.key records form a chain from the root key, the state file
 *    holds the newest epoch;
 *  - a key state readable by others, or rolled back, is refused at start.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "keys.h"
#include "store_check.h"

#define START_MS 120000
#define ROTATE_SIZE 65536
#define ROTATE_CONF "rotate_size = 64K\nseal_interval = 1\nseal_records = 500\n" GEN_ONLY
#define RETAIN_CONF "rotate_size = 16K\nseal_interval = 1\nseal_records = 200\n" \
		    "retention_segments = 3\n" GEN_ONLY
#define EPOCH_CONF "epoch_interval = 1\nseal_interval = 1\n" GEN_ONLY

static struct {
	char dir[256];
	char mk[320];
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
	if (T.dir[0] && !getenv("CAUDIT_KEEP_TEST_DIRS"))
		rm_tree(T.dir);
	memset(&T, 0, sizeof(T));
	return 0;
}

static void start_agent(const char *conf)
{
	if (sagent_start(&T.ag, conf, START_MS)) {
		char *err = sagent_stderr(&T.ag);

		fail_msg("cauditd did not start; stderr:\n%s", err);
	}
}

static void stop_agent(void)
{
	int status = sagent_signal_wait(&T.ag, SIGTERM);

	assert_true(status != -1 && WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Markers as fast as they go, then time for the agent to drain and seal. */
static void burst(uint64_t ops)
{
	assert_int_equal(gen_start(&T.gen, T.mk, "m-", 0, ops), 0);
	assert_int_equal(gen_join(&T.gen), ops);
	sleep_ms(1500);
}

static void check_log(unsigned flags, struct slog_stats *st)
{
	char msg[1024];

	if (slog_verify_dir(T.ag.log_dir, T.ag.key_dir, flags, st, msg, sizeof(msg)))
		fail_msg("log check: %s", msg);
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

static size_t count_segments(void)
{
	struct slog l;
	char msg[512];
	size_t n;

	assert_int_equal(slog_read(&l, T.ag.log_dir, msg, sizeof(msg)), 0);
	n = l.nsegs;
	slog_free(&l);
	return n;
}

/* zcat SEG: the same lines as our reader, each one JSON object; then jq accepts it. */
static void check_zcat_jq(const struct slog *l, size_t s, int have_jq)
{
	const struct slog_seg *sg = &l->segs[s];
	char cmd[1024], *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "zcat '%s/%s'", T.ag.log_dir, sg->name);
	p = popen(cmd, "re");
	assert_non_null(p);
	while ((len = getline(&line, &cap, p)) > 0) {
		size_t idx = sg->first_line + n;
		json_tokener *tok = json_tokener_new();
		json_object *o;

		assert_true(line[len - 1] == '\n');
		line[--len] = 0;
		o = json_tokener_parse_ex(tok, line, (int)len);
		if (!o || json_tokener_get_parse_end(tok) != (size_t)len ||
		    !json_object_is_type(o, json_type_object))
			fail_msg("zcat %s: line %zu is not a JSON object", sg->name, n + 1);
		json_object_put(o);
		json_tokener_free(tok);
		assert_true(n < sg->nlines);
		assert_true((size_t)len == l->lines[idx].len &&
			    memcmp(line, slog_text(l, idx), (size_t)len) == 0);
		n++;
	}
	free(line);
	st = pclose(p);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(n, sg->nlines);
	if (have_jq) {
		snprintf(cmd, sizeof(cmd), "zcat '%s/%s' | jq -e . > /dev/null", T.ag.log_dir,
			 sg->name);
		st = system(cmd);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fail_msg("'zcat %s | jq .' failed (status %d)", sg->name, st);
	}
}

static void test_rotation_links_segments(void **state)
{
	int have_jq = system("command -v jq > /dev/null 2>&1") == 0;
	struct slog_stats st;
	struct slog l;
	char msg[512];

	if (!harness_can_run())
		skip();
	start_agent(ROTATE_CONF);
	burst(8000);
	stop_agent();
	check_log(0, &st);

	assert_int_equal(slog_read(&l, T.ag.log_dir, msg, sizeof(msg)), 0);
	assert_true(l.nsegs >= 4);
	if (!have_jq)
		fprintf(stderr,
			"NOTE: jq is not installed: only zcat and json-c read the segments\n");
	for (size_t s = 0; s < l.nsegs; s++) {
		const struct slog_seg *sg = &l.segs[s];
		json_object *hdr = slog_parse(&l, sg->first_line);
		json_object *last = slog_parse(&l, sg->first_line + sg->nlines - 1);
		char want[STORE_SEG_NAME_LEN];

		assert_non_null(hdr);
		assert_non_null(last);
		/* seg-<first seq, 20 digits>.jsonl.gz, and the header says so */
		store_segment_name(want, (uint64_t)jint(hdr, "seq"));
		assert_string_equal(sg->name, want);
		assert_string_equal(jstr(hdr, "event"), "log.segment");
		assert_string_equal(jstr(hdr, "segment.name"), sg->name);
		assert_int_equal(jint(hdr, "segment.index"), s + 1);
		if (s == 0) {
			assert_true(jis_null(hdr, "segment.prev"));
		} else {
			/* prev names the file before; prev_head (checked against the
			 * recomputed chain by check_log) follows its last record */
			json_object *prev_last = slog_parse(&l, sg->first_line - 1);

			assert_string_equal(jstr(hdr, "segment.prev"), l.segs[s - 1].name);
			assert_int_equal(jint(hdr, "segment.prev_last_seq"),
					 jint(prev_last, "seq"));
			json_object_put(prev_last);
		}
		assert_string_equal(jstr(last, "event"), "log.seal");
		if (s + 1 < l.nsegs) {
			assert_string_equal(jstr(last, "seal.reason"), "rotate");
			/* rotated once past rotate_size, at a seal */
			assert_true(sg->file_size >= ROTATE_SIZE);
			assert_true(sg->file_size < ROTATE_SIZE + (512u << 10));
		} else {
			assert_string_equal(jstr(last, "seal.reason"), "shutdown");
		}
		json_object_put(hdr);
		json_object_put(last);
		check_zcat_jq(&l, s, have_jq);
	}
	fprintf(stderr, "rotation: %zu records in %zu segments, %zu seals\n", l.nlines, l.nsegs,
		st.seals);
	slog_free(&l);
	check_caudit_verify();
}

static void test_retention_removes_oldest(void **state)
{
	struct slog_stats st;
	struct slog l;
	char msg[512];
	size_t nret = 0, listed = 0;
	int found_link = 0;

	if (!harness_can_run())
		skip();
	start_agent(RETAIN_CONF);
	burst(8000);
	stop_agent();
	check_log(SLOG_RETAINED, &st);

	assert_int_equal(slog_read(&l, T.ag.log_dir, msg, sizeof(msg)), 0);
	/* at most retention_segments, plus the open one */
	assert_true(l.nsegs >= 2 && l.nsegs <= 4);
	assert_true(st.first_seq > 1);
	assert_true(st.first_prev[0] != 0);
	for (size_t i = 0; i < l.nlines; i++) {
		json_object *o, *removed;

		if (!memmem(slog_text(&l, i), l.lines[i].len, "\"log.retention\"", 15))
			continue;
		o = slog_parse(&l, i);
		assert_non_null(o);
		if (!jstr(o, "event") || strcmp(jstr(o, "event"), "log.retention")) {
			json_object_put(o);
			continue;
		}
		nret++;
		removed = jget(o, "retention.removed");
		assert_non_null(removed);
		assert_true(json_object_is_type(removed, json_type_array));
		assert_true(json_object_array_length(removed) > 0);
		for (size_t k = 0; k < json_object_array_length(removed); k++) {
			const char *name = json_object_get_string(
				json_object_array_get_idx(removed, k));
			char path[1024];
			uint64_t first;

			assert_non_null(name);
			assert_int_equal(store_segment_parse(name, &first), 0);
			assert_true(first < st.first_seq);
			snprintf(path, sizeof(path), "%s/%s", T.ag.log_dir, name);
			assert_true(access(path, F_OK) != 0 && errno == ENOENT);
			listed++;
			/* the record that removed the oldest segment's predecessor */
			if (strcmp(name, st.first_prev) == 0) {
				assert_int_equal(jint(o, "retention.last_seq"), st.first_seq - 1);
				found_link = 1;
			}
		}
		json_object_put(o);
	}
	assert_true(nret >= 1);
	assert_true(found_link);
	fprintf(stderr, "retention: %zu segments kept (seq %" PRIu64 "..%" PRIu64 "), %zu "
		"log.retention records listing %zu removed segments\n", l.nsegs, st.first_seq,
		st.last_seq, nret, listed);
	slog_free(&l);
	check_caudit_verify();
}

static void test_epochs_certified_in_chain(void **state)
{
	uint8_t root[CRYPTO_PUB_LEN];
	struct slog_certs c;
	struct slog_stats st;
	struct key_state ks;
	struct slog l;
	char path[1024], msg[512], err[512] = "";
	int64_t last_key_epoch = -1;
	size_t nkeys = 0, distinct = 0;

	if (!harness_can_run())
		skip();
	start_agent(EPOCH_CONF);
	sleep_ms(4200);
	stop_agent();
	check_log(0, &st);

	snprintf(path, sizeof(path), "%s/root.pub", T.ag.key_dir);
	assert_int_equal(keys_read_root_pub(path, root, err, sizeof(err)), 0);
	if (slog_certs_read(&c, T.ag.log_dir, root, msg, sizeof(msg)))
		fail_msg("%s", msg);
	/* a line per epoch; 0 signed by the root key, i by the key of i - 1 */
	assert_true(c.n >= 3);
	for (size_t i = 0; i < c.n; i++) {
		assert_int_equal(c.c[i].epoch, i);
		assert_int_equal(store_cert_verify(&c.c[i], root, i ? c.c[i - 1].pub : root), 0);
		if (i) {
			assert_true(c.c[i].not_before > c.c[i - 1].not_before);
			/* and not by the root key, nor by itself */
			assert_int_not_equal(store_cert_verify(&c.c[i], root, root), 0);
			assert_int_not_equal(store_cert_verify(&c.c[i], root, c.c[i].pub), 0);
		}
	}

	/* the log.key records: every epoch, in increasing order, as in certs.jsonl */
	assert_int_equal(slog_read(&l, T.ag.log_dir, msg, sizeof(msg)), 0);
	for (size_t i = 0; i < l.nlines; i++) {
		json_object *o;
		struct store_cert k;

		if (!memmem(slog_text(&l, i), l.lines[i].len, "\"log.key\"", 9))
			continue;
		o = slog_parse(&l, i);
		assert_non_null(o);
		assert_int_equal(store_cert_read(jget(o, "key"), &k), 0);
		assert_true((int64_t)k.epoch >= last_key_epoch);
		if ((int64_t)k.epoch > last_key_epoch) {
			assert_int_equal(k.epoch, last_key_epoch + 1);
			distinct++;
		}
		last_key_epoch = (int64_t)k.epoch;
		assert_true(k.epoch < c.n);
		assert_memory_equal(k.pub, c.c[k.epoch].pub, sizeof(k.pub));
		assert_memory_equal(k.sig, c.c[k.epoch].sig, sizeof(k.sig));
		nkeys++;
		json_object_put(o);
	}
	assert_int_equal(distinct, c.n);
	assert_int_equal(last_key_epoch, c.n - 1);

	/* the state file holds the newest epoch */
	assert_int_equal(keys_load(T.ag.key_dir, &ks, err, sizeof(err)), 0);
	assert_int_equal(ks.cert.epoch, c.n - 1);
	assert_memory_equal(ks.cert.pub, c.c[c.n - 1].pub, sizeof(ks.cert.pub));
	assert_memory_equal(ks.root, root, sizeof(root));
	keys_wipe(&ks);

	fprintf(stderr, "epochs: %zu certificates, %zu log.key records, %zu seals\n", c.n, nkeys,
		st.seals);
	slog_free(&l);
	slog_certs_free(&c);
	check_caudit_verify();
}

/* Start an agent that must refuse: its exit status, with its stderr in *err. */
static int refused_start(const char *conf, char **err)
{
	int status;

	assert_int_equal(sagent_spawn(&T.ag, conf), 0);
	status = sagent_wait_exit(&T.ag, 60000);
	*err = sagent_stderr(&T.ag);
	if (status == -1)
		fail_msg("cauditd did not refuse to start; stderr:\n%s", *err);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_key_state_readable_by_others_refused(void **state)
{
	char path[600], *err, mode_msg[700];
	size_t segs;

	if (!harness_can_run())
		skip();
	start_agent(GEN_ONLY);
	stop_agent();
	segs = count_segments();
	snprintf(path, sizeof(path), "%s/state", T.ag.key_dir);
	assert_int_equal(chmod(path, 0644), 0);

	/* a store error, not a configuration error: exit status 1, not 78 */
	assert_int_equal(refused_start(GEN_ONLY, &err), 1);
	snprintf(mode_msg, sizeof(mode_msg), "%s: mode 0644", path);
	if (!strstr(err, mode_msg))
		fail_msg("stderr does not name %s and its mode:\n%s", path, err);
	free(err);
	assert_int_equal(count_segments(), segs);

	/* the mode was the only problem */
	assert_int_equal(chmod(path, 0600), 0);
	start_agent(GEN_ONLY);
	stop_agent();
	check_caudit_verify();
}

static void write_bytes(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = malloc(65536);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 65536, f);
	fclose(f);
	return buf;
}

static void test_key_state_rolled_back_refused(void **state)
{
	char path[600], certs[600], *old, *now_certs, *err;
	struct key_state ks;
	size_t old_len, certs_len, certs_len2, segs;
	char kerr[512] = "";
	struct stat sb;

	if (!harness_can_run())
		skip();
	/* the first run leaves the key state at epoch 0: keep a copy */
	start_agent(GEN_ONLY);
	stop_agent();
	assert_int_equal(keys_load(T.ag.key_dir, &ks, kerr, sizeof(kerr)), 0);
	assert_int_equal(ks.cert.epoch, 0);
	keys_wipe(&ks);
	snprintf(path, sizeof(path), "%s/state", T.ag.key_dir);
	old = slurp(path, &old_len);

	/* epochs advance */
	start_agent(EPOCH_CONF);
	sleep_ms(2500);
	stop_agent();
	assert_int_equal(keys_load(T.ag.key_dir, &ks, kerr, sizeof(kerr)), 0);
	assert_true(ks.cert.epoch >= 1);
	keys_wipe(&ks);
	segs = count_segments();
	snprintf(certs, sizeof(certs), "%s/certs.jsonl", T.ag.log_dir);
	free(slurp(certs, &certs_len));

	/* the old state comes back (same mode): the agent must not sign with it */
	write_bytes(path, old, old_len);
	free(old);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(refused_start(EPOCH_CONF, &err), 1);
	if (!strstr(err, "rolled back"))
		fail_msg("stderr does not say the key state was rolled back:\n%s", err);
	free(err);
	/* and it wrote nothing */
	assert_int_equal(count_segments(), segs);
	now_certs = slurp(certs, &certs_len2);
	free(now_certs);
	assert_int_equal(certs_len2, certs_len);
	check_caudit_verify();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rotation_links_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_removes_oldest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_epochs_certified_in_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_state_readable_by_others_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_key_state_rolled_back_refused, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
