/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Hot reload of the policy under load (docs/policy.md). A child opens
 * D/flow/f-<n> for writing, one numbered file after another, while the test
 * swaps the policy 100 times between A (key gen-a) and B (key gen-b), both
 * selecting those opens: by SIGHUP after rewriting the configured rule file,
 * and by `caudit rules load --socket S` (which signals the agent the same way
 * and reads the outcome back from the status socket). Then:
 *   - every open is recorded exactly once (none lost, none twice);
 *   - each record's policy.gen is the generation of an agent.policy record
 *     whose policy carries the record's key, and its rule is that policy's
 *     FILE:LINE; generations never go down in the order of the operations;
 *   - 101 agent.policy records (start + 100) with consecutive generations,
 *     hashes alternating and equal to `caudit rules check`'s, "by" naming
 *     the sender (its pid and comm: this test, or the caudit CLI);
 *   - `caudit verify` finds the log intact.
 * Then refusals: a rule file with an error (by SIGHUP and by rules load) is
 * refused with agent.policy_refused and the running policy stays; after a
 * policy with -e 2 every reload is refused and logged.
 * Also: with `rules = all` (the harness default) records carry only the gen.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "policy_check.h"
#include "rec_check.h"
#include "store_check.h"

#define UNUSED __attribute__((unused))
#define WAIT_MS 20000
#define SWAPS 100
#define MAX_OPS 200000

static struct agent ag;
static char D[256], flow[320], sock[320], cur[320], path_a[320], path_b[320];
static char hash_a[65], hash_b[65];

/* The child's progress, in a shared page. */
struct flow_state {
	volatile int stop;
	volatile long done; /* opens finished */
	volatile int err;
};
static struct flow_state *fs;

/* What the test asked for, per generation (index gen - gen_base). */
struct asked {
	char key[8];    /* gen-a / gen-b */
	char rule[64];  /* FILE:LINE */
	char via[32];   /* comm of the sender of the SIGHUP */
	const char *hash;
};
static struct asked asked[SWAPS + 8];
static int64_t gen_base;

static void write_text(const char *path, const char *text)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "we");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	/* atomic: a reload never reads half a file */
	assert_int_equal(rename(tmp, path), 0);
	free(tmp);
}

/* Policy text selecting the flow's opens with key (line 2 is the rule). */
static char *policy_text(const char *key)
{
	return xasprintf("# reload test policy %s\n"
			 "-a always,exit -F arch=b64 -S openat -F dir=%s -k %s\n",
			 key, flow, key);
}

static int flow_child(void)
{
	char path[400];

	prctl(PR_SET_NAME, "rf-flow");
	for (long n = 0; n < MAX_OPS && !fs->stop; n++) {
		long fd;

		snprintf(path, sizeof(path), "%s/f-%ld", flow, n);
		fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			fs->err = errno;
			return 1;
		}
		close((int)fd);
		unlink(path); /* not selected: the directory stays small */
		fs->done = n + 1;
		usleep(1000);
	}
	return 0;
}

static int64_t last_gen(void)
{
	json_object *recs[SWAPS + 16];
	size_t n = pc_policy_records(&ag, recs, SWAPS + 16);

	return n ? jint(recs[n - 1], "agent.policy.gen") : -1;
}

static json_object *wait_gen(int64_t gen)
{
	return pc_wait_policy_gen(&ag, gen, WAIT_MS);
}

/* `caudit rules load --socket S`: exit status, output in *out. */
static int rules_load(char **out)
{
	char bin[512];

	harness_bin("caudit", bin, sizeof(bin));
	return pc_run(out, "%s rules load --socket %s", bin, sock);
}

/* This process's comm, as the agent names a sender. */
static const char *my_comm(void)
{
	static char comm[32];
	FILE *f;

	if (!comm[0] && (f = fopen("/proc/self/comm", "re"))) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	return comm;
}

static int setup(void **state UNUSED)
{
	char *text, *conf;

	if (!harness_can_run())
		return 0;
	fs = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fs == MAP_FAILED || harness_tmpdir(D, sizeof(D)))
		return -1;
	snprintf(flow, sizeof(flow), "%s/flow", D);
	snprintf(sock, sizeof(sock), "%s/s.sock", D);
	snprintf(cur, sizeof(cur), "%s/cur.rules", D);
	snprintf(path_a, sizeof(path_a), "%s/a.rules", D);
	snprintf(path_b, sizeof(path_b), "%s/b.rules", D);
	if (mkdir(flow, 0700))
		return -1;
	text = policy_text("gen-a");
	write_text(cur, text);
	write_text(path_a, text);
	free(text);
	text = policy_text("gen-b");
	write_text(path_b, text);
	free(text);
	if (pc_check_hash(path_a, hash_a, NULL) || pc_check_hash(path_b, hash_b, NULL))
		return -1;
	if (strcmp(hash_a, hash_b) == 0)
		return -1;
	conf = xasprintf("rules = %s\nstatus_socket = %s", cur, sock);
	if (agent_start(&ag, conf)) {
		free(conf);
		return -1;
	}
	free(conf);
	return 0;
}

static int teardown(void **state UNUSED)
{
	if (!harness_can_run())
		return 0;
	agent_cleanup(&ag);
	if (!getenv("CAUDIT_KEEP_TEST_DIRS"))
		pc_run(NULL, "rm -rf %s", D);
	return 0;
}

#define NEED_ROOT()                    \
	do {                           \
		if (!harness_can_run()) \
			skip();        \
	} while (0)

/* text holds n as a whole number (not part of a longer one or of the hash). */
static int has_number(const char *text, int64_t n)
{
	char g[32];
	size_t l = (size_t)snprintf(g, sizeof(g), "%lld", (long long)n);

	for (const char *p = strstr(text, g); p; p = strstr(p + 1, g)) {
		int before = p > text && (isalnum((unsigned char)p[-1]));
		int after = isalnum((unsigned char)p[l]);

		if (!before && !after)
			return 1;
	}
	return 0;
}

/* One swap to key ("gen-a"/"gen-b") by SIGHUP (rewrite cur.rules) or rules load. */
static void swap(int64_t gen, const char *key, int by_load)
{
	struct asked *a = &asked[gen - gen_base];
	int is_a = strcmp(key, "gen-a") == 0;
	json_object *r;
	char *text;

	snprintf(a->key, sizeof(a->key), "%s", key);
	a->hash = is_a ? hash_a : hash_b;
	snprintf(a->rule, sizeof(a->rule), "cur.rules:2");
	text = policy_text(key);
	write_text(cur, text);
	free(text);
	if (by_load) {
		char *out = NULL;
		int rc = rules_load(&out);

		if (rc != 0)
			fail_msg("caudit rules load: exit %d\n%s", rc, out);
		/* it prints the new generation and hash */
		if (!strstr(out, a->hash))
			fail_msg("caudit rules load did not print the hash %s:\n%s", a->hash, out);
		if (!has_number(out, gen))
			fail_msg("caudit rules load did not print generation %lld:\n%s",
				 (long long)gen, out);
		free(out);
		snprintf(a->via, sizeof(a->via), "caudit");
	} else {
		assert_int_equal(kill(ag.pid, SIGHUP), 0);
		snprintf(a->via, sizeof(a->via), "%s", my_comm());
	}
	r = wait_gen(gen);
	REC_STR(r, "agent.policy.hash", a->hash);
	REC_INT(r, "agent.policy.previous.gen", gen - 1);
	REC_STR(r, "agent.policy.previous.hash", asked[gen - 1 - gen_base].hash);
	/* caudit rules load asks by SIGHUP too: who asked is the sender */
	REC_STR(r, "agent.policy.by.via", "SIGHUP");
	REC_STR(r, "agent.policy.by.comm", a->via);
	REC_INT(r, "agent.policy.by.uid", 0);
	if (!by_load)
		REC_INT(r, "agent.policy.by.pid", getpid());
	else
		assert_true(jint(r, "agent.policy.by.pid") > 0 &&
			    jint(r, "agent.policy.by.pid") != getpid());
}

static void test_swap_under_load(void **state UNUSED)
{
	json_object *start, *recs[SWAPS + 16];
	size_t nrec, nflow = 0;
	pid_t pid;
	long total;
	int st, seen_gens = 0;
	unsigned char *count;
	int64_t prev_gen = -1, *gen_of;
	int keys_seen[2] = { 0, 0 };

	NEED_ROOT();
	start = pc_wait_event(&ag, "agent.policy", 0, WAIT_MS, NULL);
	assert_non_null(start);
	gen_base = jint(start, "agent.policy.gen");
	assert_true(gen_base >= 1);
	REC_STR(start, "agent.policy.hash", hash_a);
	REC_STR(start, "agent.policy.by.via", "start");
	REC_INT(start, "agent.policy.rules", 1);
	snprintf(asked[0].key, sizeof(asked[0].key), "gen-a");
	snprintf(asked[0].rule, sizeof(asked[0].rule), "cur.rules:2");
	asked[0].hash = hash_a;

	memset((void *)fs, 0, sizeof(*fs));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(flow_child());
	/* the flow is running before the first swap */
	while (fs->done < 20 && !fs->err)
		sleep_ms(5);
	for (int i = 1; i <= SWAPS; i++)
		swap(gen_base + i, i % 2 ? "gen-b" : "gen-a", (i / 2) % 2);
	fs->stop = 1;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("flow child failed: status 0x%x errno %d", st, fs->err);
	total = fs->done;
	print_message("%ld opens during %d swaps\n", total, SWAPS);

	/* every record of the flow is in once the last open's is */
	{
		char last[400];

		snprintf(last, sizeof(last), "%s/f-%ld", flow, total - 1);
		if (!agent_wait_field(&ag, "file.open", "file.path", last, WAIT_MS))
			fail_msg("no record of the last open %s", last);
	}
	count = calloc((size_t)total, 1);
	gen_of = calloc((size_t)total, sizeof(*gen_of));
	assert_non_null(count);
	assert_non_null(gen_of);
	for (size_t i = 0; i < ag.nrecs; i++) {
		json_object *r = ag.recs[i];
		const char *p = jstr(r, "file.path");
		size_t fl = strlen(flow);
		long n;
		char tail;
		int64_t g;
		const struct asked *a;

		if (!p || strncmp(p, flow, fl) || sscanf(p + fl, "/f-%ld%c", &n, &tail) != 1)
			continue;
		nflow++;
		if (n < 0 || n >= total)
			fail_msg("record of an open that was not made: %s", p);
		count[n]++;
		g = jint(r, "policy.gen");
		if (g < gen_base || g > gen_base + SWAPS) {
			rc_show(r);
			fail_msg("policy.gen %lld is no generation of this run", (long long)g);
		}
		a = &asked[g - gen_base];
		KEYS_ARE(r, PC_KEYS(a->key));
		REC_STR(r, "policy.rule", a->rule);
		keys_seen[strcmp(a->key, "gen-a") == 0]++;
		gen_of[n] = g;
	}
	for (long n = 0; n < total; n++) {
		if (count[n] != 1)
			fail_msg("open %ld (%s/f-%ld) recorded %u times, expected once", n, flow, n,
				 count[n]);
		if (gen_of[n] < prev_gen)
			fail_msg("open %ld has generation %lld after an earlier open had %lld", n,
				 (long long)gen_of[n], (long long)prev_gen);
		if (gen_of[n] != prev_gen)
			seen_gens++;
		prev_gen = gen_of[n];
	}
	print_message("%zu records, %d generations seen in them\n", nflow, seen_gens);
	assert_true(seen_gens >= 2);
	assert_true(keys_seen[0] > 0 && keys_seen[1] > 0);
	free(count);
	free(gen_of);

	/* the policy records: start + 100, consecutive, hashes alternating */
	nrec = pc_policy_records(&ag, recs, SWAPS + 16);
	assert_int_equal(nrec, SWAPS + 1);
	for (size_t i = 0; i < nrec; i++) {
		REC_INT(recs[i], "agent.policy.gen", gen_base + (int64_t)i);
		REC_STR(recs[i], "agent.policy.hash", i % 2 ? hash_b : hash_a);
		REC_INT(recs[i], "agent.policy.rules", 1);
	}
}

/* A refused reload: agent.policy_refused (after index from) asked by comm; returns it. */
static json_object *refused(size_t from, const char *comm)
{
	json_object *r = pc_wait_event(&ag, "agent.policy_refused", from, WAIT_MS, NULL);

	if (!r)
		fail_msg("no agent.policy_refused record (asked by %s)", comm);
	REC_STR(r, "agent.policy.by.via", "SIGHUP");
	REC_STR(r, "agent.policy.by.comm", comm);
	REC_INT(r, "agent.policy.by.uid", 0);
	REC_INT(r, "agent.policy.kept_gen", last_gen()); /* the running policy stays */
	if (!jstr(r, "agent.policy.reason") || !*jstr(r, "agent.policy.reason"))
		fail_msg("agent.policy_refused without a reason");
	return r;
}

/* An open under flow selected by the running policy: its key and generation. */
static void probe(const char *name, const char *key, int64_t gen, const char *rule)
{
	char *p = xasprintf("%s/%s", flow, name);
	long fd = syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	json_object *r;

	assert_true(fd >= 0);
	close((int)fd);
	r = agent_wait_field(&ag, "file.open", "file.path", p, WAIT_MS);
	if (!r)
		fail_msg("no record of %s: the running policy no longer selects it", p);
	KEYS_ARE(r, PC_KEYS(key));
	REC_INT(r, "policy.gen", gen);
	REC_STR(r, "policy.rule", rule);
	free(p);
}

static void test_bad_file_refused(void **state UNUSED)
{
	int64_t gen = last_gen();
	size_t from;
	json_object *r;
	char *out = NULL, *text;
	int rc;

	NEED_ROOT();
	agent_poll(&ag);
	from = ag.nrecs;
	/* the rule file with an error, by SIGHUP */
	text = xasprintf("-a always,exit -F arch=b64 -S openat -F dir=%s -k gen-x\n"
			 "-a always,exit -F arch=b64 -S nosuch -k gen-x\n",
			 flow);
	write_text(cur, text);
	free(text);
	assert_int_equal(kill(ag.pid, SIGHUP), 0);
	r = refused(from, my_comm());
	if (!strstr(jstr(r, "agent.policy.reason"), "cur.rules:2:"))
		fail_msg("reason does not name cur.rules:2: %s", jstr(r, "agent.policy.reason"));
	REC_INT(r, "agent.policy.by.pid", getpid());
	assert_int_equal(last_gen(), gen);
	probe("after-bad-sighup", asked[gen - gen_base].key, gen, asked[gen - gen_base].rule);

	/* and by caudit rules load: non-zero, the error printed, policy unchanged */
	write_text(cur, "-w /etc/passwd -p wa -k ok\n-a always,exit -F arch=b64 -S nosuch -k x\n");
	agent_poll(&ag);
	from = ag.nrecs;
	rc = rules_load(&out);
	assert_int_not_equal(rc, 0);
	if (!strstr(out, "cur.rules:2:31: error: unknown syscall 'nosuch' for arch b64"))
		fail_msg("caudit rules load did not print the error:\n%s", out);
	refused(from, "caudit");
	assert_int_equal(last_gen(), gen);
	probe("after-bad-load", asked[gen - gen_base].key, gen, asked[gen - gen_base].rule);
	free(out);
	/* cur.rules good again, for the next test */
	text = policy_text(asked[gen - gen_base].key);
	write_text(cur, text);
	free(text);
}

/* -e 2: the policy is locked; SIGHUP and rules load are refused and logged. */
static void test_immutable(void **state UNUSED)
{
	int64_t gen = last_gen() + 1;
	char *text, *out = NULL, *locked, *lhash = calloc(1, 65);
	json_object *r;
	size_t from;
	int rc;

	NEED_ROOT();
	locked = cur;
	text = xasprintf("-a always,exit -F arch=b64 -S openat -F dir=%s -k gen-locked\n-e 2\n",
			 flow);
	write_text(locked, text);
	free(text);
	assert_int_equal(pc_check_hash(locked, lhash, NULL), 0);
	rc = rules_load(&out);
	if (rc)
		fail_msg("loading the -e 2 policy: exit %d\n%s", rc, out);
	free(out);
	r = wait_gen(gen);
	REC_STR(r, "agent.policy.hash", lhash);
	REC_BOOL(r, "agent.policy.immutable", 1);
	probe("locked-1", "gen-locked", gen, "cur.rules:1");

	agent_poll(&ag);
	from = ag.nrecs;
	text = policy_text("gen-b"); /* a good file, refused all the same */
	write_text(cur, text);
	free(text);
	assert_int_equal(kill(ag.pid, SIGHUP), 0);
	refused(from, my_comm());
	agent_poll(&ag);
	from = ag.nrecs;
	rc = rules_load(&out);
	assert_int_not_equal(rc, 0);
	print_message("rules load under -e 2: %s", out);
	free(out);
	refused(from, "caudit");
	assert_int_equal(last_gen(), gen);
	probe("locked-2", "gen-locked", gen, "cur.rules:1");
	free(lhash);
}

/* Last: the log of all this verifies. */
static void test_log_verifies(void **state UNUSED)
{
	char key_dir[400], *out = NULL;
	const char *bad;
	int status = -1;

	NEED_ROOT();
	assert_int_equal(ag.bad_lines, 0);
	agent_stop(&ag);
	snprintf(key_dir, sizeof(key_dir), "%s/keys", ag.dir);
	assert_int_equal(run_caudit_verify(key_dir, ag.log_path, &out, &status), 1);
	bad = verify_bad_verdict(out);
	if (bad || status)
		fail_msg("caudit verify (status %d): %s\n%s", status, bad ? bad : "", out);
	free(out);
}

/* rules = all (the harness default): every record carries only the generation. */
static void test_rules_all(void **state UNUSED)
{
	struct agent b;
	char tmp[256], *p;
	json_object *pol, *r;
	long fd;

	NEED_ROOT();
	assert_int_equal(agent_start(&b, NULL), 0);
	pol = agent_wait_field(&b, "agent.policy", "agent.policy.by.via", "start", WAIT_MS);
	assert_non_null(pol);
	assert_int_equal(harness_tmpdir(tmp, sizeof(tmp)), 0);
	p = xasprintf("%s/all", tmp);
	fd = syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close((int)fd);
	r = agent_wait_field(&b, "file.open", "file.path", p, WAIT_MS);
	assert_non_null(r);
	KEYS_ARE(r, NULL);
	REC_INT(r, "policy.gen", jint(pol, "agent.policy.gen"));
	REC_ABSENT(r, "policy.rule");
	agent_cleanup(&b);
	unlink(p);
	rmdir(tmp);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_under_load),
		cmocka_unit_test(test_bad_file_refused),
		cmocka_unit_test(test_immutable),
		cmocka_unit_test(test_log_verifies),
		cmocka_unit_test(test_rules_all),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
