/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* status_print: the text and JSON forms of a status answer, refusals, hostile answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "status_text.h"

static const char answer[] =
	"{\"version\":1,\"agent_version\":\"0.1.0\",\"pid\":42,\"uptime_s\":7,"
	"\"hooks\":{\"active\":[\"sched_process_exec\",\"syscall:openat\"],"
	"\"idle\":[\"syscall:read\",\"syscall:bind\",\"ia32:sys_enter/sys_exit\"],"
	"\"missing\":[{\"name\":\"syscall:foo\",\"reason\":\"no tracepoint\"}]},"
	"\"policy\":{\"generation\":3,\"hash\":\"ab12\",\"source\":\"/etc/caudit/rules.d\",\"config\":\"/etc/caudit/cauditd.conf\"},"
	"\"events\":{\"per_second\":1500,\"records\":90000},"
	"\"drops\":{\"ringbuf_full\":2,\"map_full\":0},"
	"\"ring_buffer\":{\"size\":16777216,\"pending_bytes\":1048576,\"fill_percent\":6},"
	"\"log\":{\"dir\":\"/var/log/caudit\",\"bytes\":3145728,\"segments\":2,\"last_seq\":99,"
	"\"last_seal\":\"2026-12-03T10:00:00.000000000Z\",\"writing\":false},"
	"\"epoch\":{\"number\":4,\"key_age_s\":120},"
	"\"pins\":{\"dir\":\"/sys/fs/bpf/caudit\",\"taken_over\":true}}\n";

static enum status_result print(const char *a, int json, char **out, char *msg, size_t msglen)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	enum status_result r;

	assert_non_null(f);
	r = status_print(f, a, strlen(a), json, msg, msglen);
	fclose(f);
	return r;
}

static void test_text(void **state)
{
	char *out, msg[64];

	assert_int_equal(print(answer, 0, &out, msg, sizeof(msg)), STATUS_OK);
	assert_string_equal(out,
		"cauditd 0.1.0, pid 42, up 7 s\n"
		"hooks:        2 active, 3 idle (no rule names them), 1 missing\n"
		"  missing     syscall:foo: no tracepoint\n"
		"policy:       generation 3, hash ab12 (rules /etc/caudit/rules.d)\n"
		"events:       1500/s, 90000 records since start\n"
		"drops:        ringbuf_full 2 map_full 0\n"
		"ring buffer:  6% full (1048576 of 16777216 bytes)\n"
		"log:          /var/log/caudit, 3.0 MiB in 2 segments, last seq 99, NOT WRITING\n"
		"last seal:    2026-12-03T10:00:00.000000000Z\n"
		"epoch key:    epoch 4, 120 s old\n"
		"pins:         /sys/fs/bpf/caudit (taken over from an earlier daemon)\n");
	free(out);
}

static void test_json(void **state)
{
	char *out, msg[64];

	assert_int_equal(print(answer, 1, &out, msg, sizeof(msg)), STATUS_OK);
	assert_non_null(strstr(out, "\"pid\":42"));
	/* one line */
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
	free(out);
}

static void test_denied(void **state)
{
	char *out, msg[8];

	assert_int_equal(print("{\"error\":\"permission\\u0007denied\"}\n", 0, &out, msg,
			       sizeof(msg)), STATUS_DENIED);
	assert_string_equal(msg, "permiss"); /* cut to msglen, control bytes replaced */
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(print("{\"error\":\"a\\u0001b\"}", 0, &out, msg, sizeof(msg)),
			 STATUS_DENIED);
	assert_string_equal(msg, "a?b");
	free(out);
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"", "[]", "42", "{\"version\":2}", "{}", "{\"version\":1} x",
		"{\"version\":1}{\"version\":1}", "{\"version\":\"1\"}", "{\"version\":1",
	};
	char *out, msg[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(print(bad[i], 0, &out, msg, sizeof(msg)), STATUS_INVALID);
		assert_string_equal(out, "");
		free(out);
	}
}

static void test_hostile_types(void **state)
{
	char *out, msg[64];

	/* wrong types and control characters: printed as absent, '?' for the bytes */
	assert_int_equal(print("{\"version\":1,\"agent_version\":\"x\\u001b[31m\","
			       "\"pid\":-5,\"hooks\":{\"active\":{},\"missing\":[1,\"s\",{}]},"
			       "\"drops\":[],\"log\":\"no\",\"pins\":{\"dir\":7}}",
			       0, &out, msg, sizeof(msg)), STATUS_OK);
	assert_non_null(strstr(out, "cauditd x?[31m, pid 0, up 0 s\n"));
	assert_non_null(strstr(out, "hooks:        0 active, 0 idle (no rule names them), 3 missing\n"));
	assert_non_null(strstr(out, "  missing     -: -\n"));
	assert_non_null(strstr(out, "log:          -, 0.0 MiB in 0 segments, last seq 0\n"));
	assert_non_null(strstr(out, "pins:         none\n"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_denied),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_hostile_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
