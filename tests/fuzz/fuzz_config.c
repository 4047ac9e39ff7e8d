/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libFuzzer target for config_parse: arbitrary bytes as a config file. On
 * success the result must satisfy every documented bound; on error the
 * message must be NUL-terminated, start with "name:" and hold only printable
 * ASCII (quoted input is escaped).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define NAME "fuzz.conf"

static int fuzz_lookup(const char *name, uint32_t *uid)
{
	if (!strcmp(name, "root"))
		*uid = 0;
	else if (!strcmp(name, "nobody"))
		*uid = 65534;
	else if (!strcmp(name, "eio"))
		return -EIO;
	else
		return -ENOENT;
	return 0;
}

static void check_config(const struct ca_config *c)
{
	unsigned i;

	if (c->log_dir[0] != '/' || strnlen(c->log_dir, PATH_MAX) >= PATH_MAX)
		abort();
	if (c->ring_buffer_size < 4096 || c->ring_buffer_size > (1ULL << 30) ||
	    (c->ring_buffer_size & (c->ring_buffer_size - 1)))
		abort();
	if (c->wakeup_bytes > c->ring_buffer_size)
		abort();
	if (c->poll_interval_ms < 1 || c->poll_interval_ms > 1000)
		abort();
	if (c->args_max < 64 || c->args_max > 8192)
		abort();
	if (c->pending_max < 1024 || c->pending_max > 1048576)
		abort();
	if (c->loss_report_interval < 1 || c->loss_report_interval > 3600)
		abort();
	if (c->capture_read_opens != 0 && c->capture_read_opens != 1)
		abort();
	if (c->n_include_uids > CONFIG_MAX_LIST || c->n_exclude_uids > CONFIG_MAX_LIST ||
	    c->n_include_comms > CONFIG_MAX_LIST || c->n_exclude_comms > CONFIG_MAX_LIST)
		abort();
	for (i = 0; i < c->n_include_uids; i++)
		if (c->include_uids[i] == UINT32_MAX)
			abort();
	for (i = 0; i < c->n_exclude_uids; i++)
		if (c->exclude_uids[i] == UINT32_MAX)
			abort();
	for (i = 0; i < c->n_include_comms; i++) {
		size_t n = strnlen(c->include_comms[i], 16);

		if (n < 1 || n > 15 || strchr(c->include_comms[i], ','))
			abort();
	}
	for (i = 0; i < c->n_exclude_comms; i++) {
		size_t n = strnlen(c->exclude_comms[i], 16);

		if (n < 1 || n > 15 || strchr(c->exclude_comms[i], ','))
			abort();
	}
}

static void check_err(const char *err, size_t errlen)
{
	size_t n = strnlen(err, errlen), i;

	if (n == errlen || n < sizeof(NAME))
		abort();
	if (memcmp(err, NAME ":", sizeof(NAME)))
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] > 0x7e)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ca_config c;
	char err[512], small[16];
	int r, r2;

	config_defaults(&c);
	r = config_parse(&c, NAME, (const char *)data, size, fuzz_lookup, err, sizeof(err));
	if (r == 0) {
		if (err[0])
			abort();
		check_config(&c);
	} else if (r == -EINVAL) {
		check_err(err, sizeof(err));
	} else {
		abort();
	}

	/* Same verdict with a tiny error buffer, which stays NUL-terminated. */
	config_defaults(&c);
	memset(small, 'Z', sizeof(small));
	r2 = config_parse(&c, NAME, (const char *)data, size, fuzz_lookup, small, sizeof(small));
	if (r2 != r || !memchr(small, '\0', sizeof(small)))
		abort();
	if (r && strncmp(small, err, strlen(small)))
		abort();
	return 0;
}
