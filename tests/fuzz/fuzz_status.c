/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libFuzzer target for status_print (caudit status): any bytes as the status
 * socket's answer, in both output formats. It must not crash, and the text
 * it prints must hold printable ASCII and newlines only. Half the inputs are
 * spliced into a real answer (at an offset the first bytes choose) so that
 * the printer, not only the JSON parser, sees them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status_text.h"

static const char answer[] =
	"{\"version\":1,\"agent_version\":\"0.1.0\",\"pid\":42,\"uptime_s\":7,"
	"\"hooks\":{\"active\":[\"sched_process_exec\"],"
	"\"missing\":[{\"name\":\"syscall:foo\",\"reason\":\"no tracepoint\"}]},"
	"\"policy\":{\"generation\":3,\"hash\":\"ab12\",\"config\":\"/etc/c.conf\"},"
	"\"events\":{\"per_second\":1500,\"records\":90000},"
	"\"drops\":{\"ringbuf_full\":2,\"map_full\":0},"
	"\"ring_buffer\":{\"size\":16777216,\"pending_bytes\":1048576,\"fill_percent\":6},"
	"\"log\":{\"dir\":\"/var/log/caudit\",\"bytes\":3145728,\"segments\":2,"
	"\"last_seq\":99,\"last_seal\":\"2026-12-03T10:00:00Z\",\"writing\":false},"
	"\"epoch\":{\"number\":4,\"key_age_s\":120},"
	"\"pins\":{\"dir\":\"/sys/fs/bpf/caudit\",\"taken_over\":true}}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL, msg[64], *spliced = NULL;
	size_t len = 0;
	FILE *f;

	if (size >= 3 && (data[0] & 1)) {
		/* answer[0 .. at) + input + answer[at + cut ..] */
		size_t n = sizeof(answer) - 1, at = ((size_t)data[1] * 4) % n, cut = data[2] % 16;

		if (at + cut > n)
			cut = n - at;
		spliced = malloc(n + size);
		if (!spliced)
			return 0;
		memcpy(spliced, answer, at);
		memcpy(spliced + at, data + 3, size - 3);
		memcpy(spliced + at + size - 3, answer + at + cut, n - at - cut);
		data = (const uint8_t *)spliced;
		size = n - cut + size - 3;
	}
	f = open_memstream(&out, &len);
	if (!f) {
		free(spliced);
		return 0;
	}
	status_print(f, (const char *)data, size, 0, msg, sizeof(msg));
	fclose(f);
	for (size_t i = 0; i < len; i++)
		if (out[i] != '\n' && (out[i] < 0x20 || out[i] >= 0x7f))
			abort();
	for (size_t i = 0; msg[i]; i++)
		if (msg[i] < 0x20 || msg[i] >= 0x7f)
			abort();
	free(out);
	f = fopen("/dev/null", "we");
	if (f) {
		status_print(f, (const char *)data, size, 1, msg, sizeof(msg));
		fclose(f);
	}
	free(spliced);
	return 0;
}
