/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libFuzzer target for the segment index parser (seg_index.c): untrusted
 * bytes from the log directory. The input lives in a buffer of exactly its
 * size; a parsed index is checked (signature with a fixed key: must fail
 * for anything not signed by it) and queried with a few filters.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seg_index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t pub[CRYPTO_PUB_LEN], root[CRYPTO_PUB_LEN];
	uint8_t *buf = malloc(size ? size : 1);
	struct seg_index *ix = malloc(sizeof(*ix));
	struct sf_filter f;

	memcpy(buf, data, size);
	if (six_parse(buf, size, ix) == 0) {
		if (six_check(ix, "seg-00000000000000000001.jsonl.gz", root, pub, 0) == 0)
			abort(); /* an all-zero key signs nothing */
		sf_init(&f);
		f.event = "file.*";
		f.path = "/etc/pa*";
		f.user_name = "root";
		f.user_uid = 0;
		sf_parse_cidr("10.0.0.0/8", &f.ip);
		six_may_match(ix, &f);
		f.path = "/etc";
		f.exe = "/usr/bin/vi";
		six_may_match(ix, &f);
		sf_free(&f);
	}
	free(ix);
	free(buf);
	return 0;
}
