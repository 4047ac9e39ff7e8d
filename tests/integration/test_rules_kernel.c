/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel's share of the policy: writes that a dir= watch does not cover
 * must be dropped in the kernel (no record reaches the agent), writes it
 * covers must reach the agent and be recorded. The agent's counters of
 * records decided and dropped in user space (caudit status) tell them apart;
 * include_comms keeps every other process of the machine out of them.
 * A read watch (path=, perm r) drops a read-only open of another file at
 * the syscall's exit, on the opened file's name, before any record is built
 * (policy.dropped_in_kernel.syscall_exit); a file of the same name elsewhere
 * goes as far as the built record (file_record); a symlink of another name
 * to the watched file is recorded under the file's own path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "harness.h"

#define COMM "cauditkern"
#define OTHER_WRITES 300
#define WATCHED_WRITES 5
#define OTHER_READS 300
#define SAME_NAME_READS 3

static struct agent A;
static char dir[256], sock[320];

/* policy.<key> of the agent's status answer. */
static int64_t status_policy(const char *key)
{
	char bin[PATH_MAX], *cmd, buf[65536];
	size_t n;
	FILE *p;
	json_object *o;
	int64_t v;

	harness_bin("caudit", bin, sizeof(bin));
	cmd = xasprintf("%s status --socket %s --format json", bin, sock);
	p = popen(cmd, "r");
	free(cmd);
	assert_non_null(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	pclose(p);
	buf[n] = 0;
	o = json_tokener_parse(buf);
	assert_non_null(o);
	cmd = xasprintf("policy.%s", key);
	v = jint(o, cmd);
	free(cmd);
	json_object_put(o);
	assert_true(v != INT64_MIN);
	return v;
}

static void write_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	close(fd);
}

static int setup(void **state)
{
	char *rules, *conf, *text;
	FILE *f;

	(void)state;
	if (!harness_can_run())
		return 0;
	if (harness_tmpdir(dir, sizeof(dir)))
		return -1;
	snprintf(sock, sizeof(sock), "%s/status.sock", dir);
	rules = xasprintf("%s/k.rules", dir);
	text = xasprintf("%s/watched", dir);
	mkdir(text, 0700);
	free(text);
	text = xasprintf("%s/other", dir);
	mkdir(text, 0700);
	free(text);
	f = fopen(rules, "we");
	if (!f)
		return -1;
	fprintf(f, "-a always,exit -F arch=b64 -S open,openat,creat -F dir=%s/watched -F perm=w "
		   "-k kw\n",
		dir);
	fprintf(f, "-w %s/secret/shadow -p r -k kr\n", dir);
	fclose(f);
	text = xasprintf("%s/secret", dir);
	mkdir(text, 0700);
	free(text);
	text = xasprintf("%s/secret/shadow", dir);
	write_file(text);
	free(text);
	text = xasprintf("%s/other/shadow", dir);
	write_file(text);
	free(text);
	text = xasprintf("%s/other/f-read", dir);
	write_file(text);
	free(text);
	rules = xasprintf("%s/other/alias", dir);
	text = xasprintf("%s/secret/shadow", dir);
	if (symlink(text, rules))
		return -1;
	free(text);
	free(rules);
	rules = xasprintf("%s/k.rules", dir);
	conf = xasprintf("status_socket = %s\ninclude_comms = " COMM "\nrules = %s\n", sock, rules);
	free(rules);
	if (agent_start(&A, conf)) {
		free(conf);
		return -1;
	}
	free(conf);
	for (int i = 0; i < 200 && access(sock, F_OK); i++)
		sleep_ms(50);
	return prctl(PR_SET_NAME, COMM, 0, 0, 0);
}

static int teardown(void **state)
{
	(void)state;
	agent_cleanup(&A);
	return 0;
}

static void test_unwatched_writes_never_reach_the_agent(void **state)
{
	char path[PATH_MAX];
	int64_t decided0, dropped0;

	(void)state;
	if (!harness_can_run())
		skip();
	decided0 = status_policy("decided_in_user_space");
	dropped0 = status_policy("dropped_in_user_space");
	for (int i = 0; i < OTHER_WRITES; i++) {
		snprintf(path, sizeof(path), "%s/other/f%d", dir, i);
		write_file(path);
	}
	for (int i = 0; i < WATCHED_WRITES; i++) {
		snprintf(path, sizeof(path), "%s/watched/f%d", dir, i);
		write_file(path);
	}
	for (int i = 0; i < WATCHED_WRITES; i++) {
		json_object *r;

		snprintf(path, sizeof(path), "%s/watched/f%d", dir, i);
		r = agent_wait_field(&A, "file.open", "file.path", path, 10000);
		assert_non_null(r);
		assert_string_equal(jstr(r, "policy.rule"), "k.rules:1");
		assert_string_equal(json_object_get_string(json_object_array_get_idx(jget(r, "keys"), 0)),
				    "kw");
	}
	/* the watched writes matched by hash and were confirmed in user space; no other */
	assert_int_equal(status_policy("decided_in_user_space") - decided0, WATCHED_WRITES);
	assert_int_equal(status_policy("dropped_in_user_space") - dropped0, 0);
	snprintf(path, sizeof(path), "%s/other/f0", dir);
	assert_null(agent_wait_field(&A, "file.open", "file.path", path, 200));
}

static void read_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	close(fd);
}

static void test_read_watch_decided_on_the_opened_name(void **state)
{
	char path[PATH_MAX], shadow[PATH_MAX];
	int64_t exit0, record0, record1, decided0, dropped0;
	struct want w = {.event = "file.open", .skey = {"file.path"}, .sval = {shadow}};
	json_object *r;
	size_t at = 0;

	(void)state;
	if (!harness_can_run())
		skip();
	snprintf(shadow, sizeof(shadow), "%s/secret/shadow", dir);
	decided0 = status_policy("decided_in_user_space");
	dropped0 = status_policy("dropped_in_user_space");
	exit0 = status_policy("dropped_in_kernel.syscall_exit");
	record0 = status_policy("dropped_in_kernel.file_record");
	snprintf(path, sizeof(path), "%s/other/f-read", dir);
	for (int i = 0; i < OTHER_READS; i++)
		read_file(path);
	/* none of those went as far as a built record */
	assert_int_equal(status_policy("dropped_in_kernel.file_record") - record0, 0);
	assert_true(status_policy("dropped_in_kernel.syscall_exit") - exit0 >= OTHER_READS);
	/* nothing but these opens between the two readings */
	record0 = status_policy("dropped_in_kernel.file_record");
	snprintf(path, sizeof(path), "%s/other/shadow", dir);
	for (int i = 0; i < SAME_NAME_READS; i++)
		read_file(path);
	record1 = status_policy("dropped_in_kernel.file_record");
	snprintf(path, sizeof(path), "%s/other/alias", dir);
	read_file(path);
	read_file(shadow);
	/* both opens of the watched file, the one by the link's name included */
	for (int i = 0; i < 2; i++, at++) {
		r = agent_wait(&A, at, match_want, &w, 10000, &at);
		assert_non_null(r);
		assert_string_equal(jstr(r, "policy.rule"), "k.rules:2");
		assert_string_equal(json_object_get_string(json_object_array_get_idx(jget(r, "keys"), 0)),
				    "kr");
	}
	assert_int_equal(status_policy("decided_in_user_space") - decided0, 2);
	assert_int_equal(status_policy("dropped_in_user_space") - dropped0, 0);
	/* the same name left the syscall's exit, and the kernel dropped it once the path was known */
	assert_int_equal(record1 - record0, SAME_NAME_READS);
	snprintf(path, sizeof(path), "%s/other/shadow", dir);
	assert_null(agent_wait_field(&A, "file.open", "file.path", path, 200));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unwatched_writes_never_reach_the_agent),
		cmocka_unit_test(test_read_watch_decided_on_the_opened_name),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
