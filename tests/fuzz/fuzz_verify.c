/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libFuzzer target for the log verifier: the input becomes the only segment
 * of a log directory next to a fixed certs.jsonl and head.json, four ways:
 *   1. the raw bytes as the segment file (gzip framing);
 *   2. the bytes gzip-compressed (lines, records, seq and prev checks);
 *   3. the bytes as lines whose "prev" the harness rewrites to follow the
 *      chain, so that store records (headers, keys, seals, retention...)
 *      are parsed past the chain checks;
 *   4. the bytes as certs.jsonl, with the segment of 2.
 * The verifier must return 0 with one segment and a verdict in range, and
 * never crash, leak or hang (decompressed size and line length are bounded).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "store_format.h"
#include "verify.h"

#define SEG "seg-00000000000000000001.jsonl.gz"
#define FUZZ_MAX_INPUT (1u << 20)

/* A fixed key: seed 01..20 || its public key (see tests/unit/test_verify.c). */
static const char secret_hex[] = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
				 "79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664";

static char dir[64];
static uint8_t root[CRYPTO_PUB_LEN], genesis[CRYPTO_HASH_LEN];
static char *certs;
static size_t certs_len;

static void put_file(const char *name, const void *p, size_t n)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	if (n && write(fd, p, n) != (ssize_t)n)
		abort();
	close(fd);
}

static void cleanup(void)
{
	static const char *const names[] = {SEG, VERIFY_CERTS_FILE, VERIFY_HEAD_FILE};
	char path[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	free(certs);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t sec[CRYPTO_SECRET_LEN];
	struct store_cert c = {.epoch = 0, .not_before = 1763925000000000000ull};
	struct store_seal z = {0};
	struct jsonw w;

	(void)argc;
	(void)argv;
	if (cr_init() || cr_from_hex(sec, sizeof(sec), secret_hex, strlen(secret_hex)))
		abort();
	memcpy(root, sec + 32, sizeof(root));
	memcpy(c.pub, root, sizeof(c.pub));
	store_cert_sign(&c, root, sec);
	jw_init(&w, 0);
	store_cert_write(&w, NULL, &c);
	if (w.err)
		abort();
	certs_len = w.len + 1;
	certs = malloc(certs_len);
	if (!certs)
		abort();
	memcpy(certs, w.buf, w.len);
	certs[w.len] = '\n';
	store_genesis(genesis, w.buf, w.len);
	jw_free(&w);
	strcpy(dir, "/tmp/caudit-fuzz-verify-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	put_file(VERIFY_CERTS_FILE, certs, certs_len);
	/* head.json as the store writes it, a seal of records 1-2 signed with the key */
	z.epoch = 0;
	z.first_seq = 1;
	z.last_seq = 2;
	z.count = 2;
	z.time_ns = 1795462047000000000ull;
	memcpy(z.head, genesis, sizeof(z.head));
	strcpy(z.reason, "count");
	store_seal_sign(&z, root, sec);
	jw_init(&w, 0);
	jw_object_begin(&w, NULL);
	jw_cstring(&w, "segment", SEG);
	jw_uint(&w, "index", 1);
	jw_uint(&w, "seal_seq", 3);
	jw_uint(&w, "last_seq", z.last_seq);
	jw_hex_bytes(&w, "head", z.head, sizeof(z.head));
	jw_uint(&w, "epoch", z.epoch);
	jw_uint(&w, "time_ns", z.time_ns);
	store_seal_write(&w, "seal", &z);
	jw_object_end(&w);
	if (w.err)
		abort();
	put_file(VERIFY_HEAD_FILE, w.buf, w.len);
	jw_free(&w);
	cr_wipe(sec, sizeof(sec));
	return 0;
}

/* data as one gzip member into *out (malloc'd). */
static size_t gzip(const uint8_t *data, size_t size, uint8_t **out)
{
	z_stream zs;
	uLong cap = compressBound((uLong)size) + 64;

	memset(&zs, 0, sizeof(zs));
	*out = malloc(cap);
	if (!*out || deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY))
		abort();
	zs.next_in = (uint8_t *)data;
	zs.avail_in = (uInt)size;
	zs.next_out = *out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	deflateEnd(&zs);
	return cap - zs.avail_out;
}

/* Rewrite each line's "prev" to follow the chain (from its "prev_head" on line 1). */
static size_t fix_chain(const uint8_t *data, size_t size, uint8_t **out)
{
	static const char pat[] = ",\"prev\":\"", ph[] = "\"prev_head\":\"";
	uint8_t h[CRYPTO_HASH_LEN];
	size_t at = 0, line = 0;
	char *p = malloc(size + 1);

	if (!p)
		abort();
	memcpy(p, data, size);
	p[size] = 0;
	memcpy(h, genesis, sizeof(h));
	while (at < size) {
		char *l = p + at, *nl = memchr(l, '\n', size - at), *f, hex[65];
		size_t n = nl ? (size_t)(nl - l) : size - at;
		uint64_t seq;

		if (line++ == 0) {
			f = memmem(l, n, ph, sizeof(ph) - 1);
			if (f && (size_t)(l + n - f) >= sizeof(ph) - 1 + 64)
				cr_from_hex(h, sizeof(h), f + sizeof(ph) - 1, 64);
		}
		f = memmem(l, n < 48 ? n : 48, pat, sizeof(pat) - 1);
		if (!store_record_seq(l, n, &seq) && f &&
		    (size_t)(l + n - f) >= sizeof(pat) - 1 + STORE_PREV_HEX) {
			cr_to_hex(hex, h, STORE_PREV_HEX / 2);
			memcpy(f + sizeof(pat) - 1, hex, STORE_PREV_HEX);
		}
		cr_chain(h, h, l, n);
		at += n + 1;
	}
	*out = (uint8_t *)p;
	return size;
}

static void check(void)
{
	struct verify_opts o = {.dir = dir, .max_line = 1u << 16, .max_segment_bytes = 8u << 20};
	struct verify_report rep;
	char buf[256];

	memcpy(o.root, root, sizeof(root));
	if (verify_log(&o, &rep) != 0 || rep.nsegs != 1 ||
	    (unsigned)rep.segs[0].verdict >= VERIFY__COUNT)
		abort();
	if (verify_verdict_format(&rep.segs[0], buf, sizeof(buf)) <= 0 ||
	    !memchr(buf, 0, sizeof(buf)))
		abort();
	verify_certs_format(&rep, buf, sizeof(buf));
	verify_head_format(&rep, buf, sizeof(buf));
	if (rep.count[rep.segs[0].verdict] != 1 || rep.records != rep.segs[0].records)
		abort();
	verify_passed(&rep, 0);
	verify_report_free(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *z, *fixed;
	size_t zn;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	put_file(SEG, data, size);
	check();
	zn = gzip(data, size, &z);
	put_file(SEG, z, zn);
	check();
	put_file(VERIFY_CERTS_FILE, data, size);
	check();
	put_file(VERIFY_CERTS_FILE, certs, certs_len);
	free(z);
	zn = gzip(data, fix_chain(data, size, &fixed), &z);
	free(fixed);
	put_file(SEG, z, zn);
	check();
	free(z);
	return 0;
}
