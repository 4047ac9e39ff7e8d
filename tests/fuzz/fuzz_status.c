/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libFuzzer target for status_print (caudit status): any bytes as the status
 * socket's answer, in both output formats. It must not crash, and the text
 * it prints must hold printable ASCII and newlines only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL, msg[64];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return 0;
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
	return 0;
}
