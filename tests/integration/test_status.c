/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * caudit status against a real agent: the JSON answer's fields (hooks, policy
 * generation before and after SIGHUP, drops, ring buffer, log, epoch), the
 * text format, and the peer credential check of the daemon itself (the
 * socket is opened to everyone for the test, so only the daemon refuses):
 * root and a member of status_group are answered, anyone else is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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

#define NOGROUP 65534 /* Debian's nogroup, named in the config below */

static struct agent A;
static char sock[320];

/* Run caudit status as uid/gid (no supplementary groups); output in *out. */
static int status_as(uid_t uid, gid_t gid, const char *format, char **out)
{
	char bin[PATH_MAX], buf[65536];
	size_t len = 0;
	int pfd[2], st;
	pid_t pid;
	ssize_t n;

	harness_bin("caudit", bin, sizeof(bin));
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
			_exit(126);
		execl(bin, bin, "status", "--socket", sock, "--format", format, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (len < sizeof(buf) - 1 && (n = read(pfd[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	*out = strdup(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int setup(void **state)
{
	char dir[256], *conf;
	struct stat sb;

	if (!harness_can_run())
		return 0;
	if (harness_tmpdir(dir, sizeof(dir)))
		return -1;
	snprintf(sock, sizeof(sock), "%s/status.sock", dir);
	rmdir(dir);
	conf = xasprintf("status_socket = %s\nstatus_group = nogroup\n", sock);
	if (agent_start(&A, conf)) {
		free(conf);
		return -1;
	}
	free(conf);
	/* the socket opens just after agent.start */
	for (int i = 0; i < 200 && access(sock, F_OK); i++)
		sleep_ms(50);
	/* the daemon made the socket's directory reachable (0755 despite its umask) */
	if (stat(dir, &sb) || (sb.st_mode & 07777) != 0755)
		return -1;
	/* everyone may connect: what is checked below is the daemon's own check */
	return chmod(sock, 0666) ? -1 : 0;
}

static int teardown(void **state)
{
	agent_cleanup(&A);
	return 0;
}

static json_object *status_json(uid_t uid, gid_t gid)
{
	char *out;
	json_object *o;

	assert_int_equal(status_as(uid, gid, "json", &out), 0);
	o = json_tokener_parse(out);
	if (!o)
		fail_msg("not JSON: %s", out);
	free(out);
	return o;
}

static void test_status_fields(void **state)
{
	json_object *o;
	char *out;

	if (!harness_can_run())
		skip();
	o = status_json(0, 0);
	assert_int_equal(jint(o, "version"), 1);
	assert_int_equal(jint(o, "pid"), A.pid);
	assert_true(jarray_has(jget(o, "hooks.active"), "syscall:openat"));
	assert_true(jarray_has(jget(o, "hooks.active"), "sched_process_exec"));
	assert_int_equal(jint(o, "policy.generation"), 1);
	assert_string_equal(jstr(o, "policy.config"), A.conf_path);
	assert_int_equal(strlen(jstr(o, "policy.hash")), 64);
	assert_int_equal(jint(o, "drops.ringbuf_full"), 0);
	assert_int_equal(jint(o, "drops.map_full"), 0);
	assert_int_equal(jint(o, "ring_buffer.size"), 16 << 20);
	assert_true(jint(o, "ring_buffer.fill_percent") >= 0);
	assert_string_equal(jstr(o, "log.dir"), A.log_path);
	assert_true(jint(o, "log.bytes") > 0);
	assert_true(jint(o, "log.segments") >= 1);
	assert_true(json_object_get_boolean(jget(o, "log.writing")));
	assert_int_equal(jint(o, "epoch.number"), 0);
	assert_true(jint(o, "epoch.key_age_s") >= 0 && jint(o, "epoch.key_age_s") < 600);
	assert_string_equal(jstr(o, "pins.dir"), "");
	json_object_put(o);

	/* SIGHUP: a new configuration generation */
	kill(A.pid, SIGHUP);
	for (int i = 0; i < 100; i++) {
		int64_t g;

		o = status_json(0, 0);
		g = jint(o, "policy.generation");
		json_object_put(o);
		if (g == 2)
			break;
		assert_true(i < 99);
		sleep_ms(50);
	}

	assert_int_equal(status_as(0, 0, "text", &out), 0);
	assert_non_null(strstr(out, "policy:       generation 2"));
	assert_non_null(strstr(out, "ring buffer:  "));
	free(out);
}

static void test_status_peer_check(void **state)
{
	json_object *o;
	char *out;

	if (!harness_can_run())
		skip();
	/* a member of status_group (nogroup) is answered */
	o = status_json(65534, NOGROUP);
	assert_int_equal(jint(o, "pid"), A.pid);
	json_object_put(o);
	/* anyone else is refused by the daemon, although the socket lets them in */
	assert_int_equal(status_as(65534, 12345, "json", &out), 1);
	assert_non_null(strstr(out, "permission denied"));
	free(out);
	assert_int_equal(status_as(12345, 12345, "text", &out), 1);
	assert_non_null(strstr(out, "permission denied"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_fields),
		cmocka_unit_test(test_status_peer_check),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
