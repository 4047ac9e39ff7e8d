/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The agent starts, reports its hooks, records one rename, and stops cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "caudit_event.h"
#include "harness.h"

static struct agent ag;

static int setup(void **state)
{
	if (!harness_can_run())
		return 0;
	return agent_start(&ag, NULL);
}

static int teardown(void **state)
{
	agent_cleanup(&ag);
	return 0;
}

static void test_start_record_lists_hooks(void **state)
{
	json_object *start, *active;

	if (!harness_can_run())
		skip();
	start = agent_wait_field(&ag, "agent.start", "category", "agent", 1000);
	assert_non_null(start);
	active = jget(start, "agent.hooks.active");
	assert_non_null(active);
	assert_true(json_object_array_length(active) >= 3);
	{
		int found = 0;

		for (size_t i = 0; i < json_object_array_length(active); i++)
			found |= strcmp(json_object_get_string(json_object_array_get_idx(active, i)),
					"sched_process_exec") == 0;
		assert_true(found);
	}
	assert_int_equal(jint(start, "agent.abi"), CA_ABI_VERSION);
}

static void test_rename_recorded(void **state)
{
	char dir[64], a[128], b[128];
	json_object *ev;
	int fd;

	if (!harness_can_run())
		skip();
	assert_int_equal(harness_tmpdir(dir, sizeof(dir)), 0);
	snprintf(a, sizeof(a), "%s/smoke-a", dir);
	snprintf(b, sizeof(b), "%s/smoke-b", dir);
	fd = (int)syscall(SYS_openat, AT_FDCWD, a, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(syscall(SYS_rename, a, b), 0);
	ev = agent_wait_field(&ag, "file.rename", "file.path", a, 10000);
	assert_non_null(ev);
	assert_string_equal(jstr(ev, "file.path2"), b);
	assert_string_equal(jstr(ev, "syscall"), "rename");
	assert_string_equal(jstr(ev, "outcome"), "success");
	assert_int_equal(jint(ev, "proc.pid"), getpid());
	assert_int_equal(jint(ev, "user.uid"), getuid());
	unlink(b);
	rmdir(dir);
	assert_int_equal(ag.bad_lines, 0);
}

static void test_stop_writes_stop_record(void **state)
{
	json_object *stop;

	if (!harness_can_run())
		skip();
	assert_int_equal(agent_stop(&ag), 0);
	stop = agent_wait_field(&ag, "agent.stop", "agent.reason", "SIGTERM", 1000);
	assert_non_null(stop);
	assert_int_equal(jint(stop, "agent.totals.ringbuf_full"), 0);
	assert_int_equal(jint(stop, "agent.totals.map_full"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_record_lists_hooks),
		cmocka_unit_test(test_rename_recorded),
		cmocka_unit_test(test_stop_writes_stop_record),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
