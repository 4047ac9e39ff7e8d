// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for what the collector and the forwarder read from
 * outside: message headers (fwd_msg_parse, fwd_subject_host), the
 * forwarder's checkpoint (fwd_state_parse), a block cut from a segment
 * (block_scan) and a block fed to the streaming verifier (verify_stream)
 * after a certificate line, both from the input. The first byte picks the
 * way; nothing may crash, leak, hang or read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "block_scan.h"
#include "fwd_proto.h"
#include "verify_stream.h"

#define FUZZ_MAX_INPUT (1u << 20)

/* The input split at NUL bytes into up to n strings (NULL when missing). */
static void split(const uint8_t *d, size_t n, char *buf, const char *out[], size_t nout)
{
	size_t k = 0, start = 0;

	memcpy(buf, d, n);
	buf[n] = 0;
	for (size_t i = 0; i < nout; i++)
		out[i] = NULL;
	for (size_t i = 0; i <= n && k < nout; i++) {
		if (i == n || !buf[i]) {
			buf[i] = 0;
			out[k++] = buf + start;
			start = i + 1;
		}
	}
}

/* gzip the bytes as one member, as the store does for a sealed block. */
static size_t gzip(const uint8_t *d, size_t n, uint8_t **out)
{
	z_stream zs;
	size_t cap = n + n / 8 + 128;

	memset(&zs, 0, sizeof(zs));
	*out = malloc(cap);
	if (!*out ||
	    deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	zs.next_in = (uint8_t *)(uintptr_t)d;
	zs.avail_in = (unsigned)n;
	zs.next_out = *out;
	zs.avail_out = (unsigned)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	deflateEnd(&zs);
	return zs.total_out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t root[CRYPTO_PUB_LEN] = {1, 2, 3};
	const char *f[6];
	char *buf;

	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		abort();
	switch (data[0] % 5) {
	case 0: {
		struct fwd_msg m;
		char host[FWD_HOST_MAX], id[FWD_MSGID_MAX];

		split(data + 1, size - 1, buf, f, 6);
		if (!fwd_msg_parse(&m, f[0], f[1], f[2], f[3], f[4]) && f[5] &&
		    fwd_host_valid(f[5]))
			fwd_msgid(id, f[5], &m);
		if (f[5])
			fwd_subject_host(f[5], host);
		break;
	}
	case 1: {
		struct fwd_state st;
		char out[FWD_STATE_MAX];

		if (!fwd_state_parse((const char *)data + 1, size - 1, &st))
			fwd_state_format(out, sizeof(out), &st);
		break;
	}
	case 2: {
		struct block_info bi;

		block_scan(data + 1, size - 1, 1 << 24, &bi);
		break;
	}
	default: {
		/* [cert line] \0 [segment name] \0 [block lines, gzipped (case 3) or raw (4)] */
		struct verify_stream *vs;
		struct verify_stream_state st;
		const char *p[3];
		uint8_t *gz = NULL;
		size_t glen, off;

		split(data + 1, size - 1, buf, p, 3);
		if (!p[2] || verify_stream_new(&vs, root, 4096, 1 << 24))
			break;
		verify_stream_cert(vs, p[0], strlen(p[0]));
		verify_stream_segment(vs, p[1]);
		off = (size_t)(p[2] - buf) + 1;
		if (data[0] % 5 == 3) {
			glen = gzip(data + off, size - off, &gz);
			verify_stream_block(vs, gz, glen);
		} else {
			verify_stream_block(vs, data + off, size - off);
		}
		verify_stream_segment(vs, "seg-99999999999999999999.jsonl.gz");
		verify_stream_state(vs, &st);
		free(gz);
		verify_stream_free(vs);
		break;
	}
	}
	free(buf);
	return 0;
}
