/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A test-only writer of signed logs (docs/log-format.md), shared by the unit
 * tests: segments, log.key, seals, certs.jsonl, head.json, several epochs,
 * built with store_format + crypto + zlib and the tests' own asserts. Include
 * after <cmocka.h>.
 */
#ifndef CAUDIT_TEST_TW_H
#define CAUDIT_TEST_TW_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "crypto.h"
#include "encode.h"
#include "jsonw.h"
#include "store_format.h"
#include "verify.h"

#define TW_FN static __attribute__((unused))

#define TW_EPOCHS 4
#define TW_BLOCK (1u << 20)
#define TW_STEP 1000003

struct tw {
	char dir[64];
	uint8_t root_pub[CRYPTO_PUB_LEN], root_sec[CRYPTO_SECRET_LEN];
	uint8_t pub[TW_EPOCHS][CRYPTO_PUB_LEN], sec[TW_EPOCHS][CRYPTO_SECRET_LEN];
	struct store_cert cert[TW_EPOCHS];
	int epoch;
	uint8_t h[CRYPTO_HASH_LEN];
	uint64_t seq, index, block_first;
	int64_t now;
	char seg[STORE_SEG_NAME_LEN];
	char blk[TW_BLOCK];
	size_t blen;
	uint8_t seg_prev_head[CRYPTO_HASH_LEN]; /* the last segment's prev_head */
	uint64_t seg_prev_seq;
	int64_t step;  /* ns between records (0: TW_STEP) */
	char host[32]; /* host.name (empty: testhost) */
};

TW_FN void tw_path(const struct tw *t, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", t->dir, name);
}

TW_FN void write_file(const char *path, const void *p, size_t n, int append)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0640);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	close(fd);
}

/* A top-level JSON object text written by fn (store_cert_write / store_seal_write style). */
static char *obj_text(struct jsonw *w)
{
	char *s;

	assert_int_equal(w->err, 0);
	s = strndup(w->buf, w->len);
	assert_non_null(s);
	jw_free(w);
	return s;
}

static char *cert_text(const struct store_cert *c)
{
	struct jsonw w;

	jw_init(&w, 0);
	store_cert_write(&w, NULL, c);
	return obj_text(&w);
}

/*
 * One record: the common header, then `members` (raw JSON members, without
 * braces, may be NULL) as the encoder would write them.
 */
TW_FN void tw_record_ex(struct tw *t, const char *event, const char *category, const char *members)
{
	char ts[40], *line;
	struct jsonw w;
	size_t cap;
	int n;

	t->seq++;
	encode_time(ts, t->now);
	t->now += t->step ? t->step : TW_STEP;
	jw_init(&w, 0);
	jw_object_begin(&w, NULL);
	jw_uint(&w, "schema", 1);
	jw_uint(&w, "seq", t->seq);
	jw_cstring(&w, "time", ts);
	jw_object_begin(&w, "host");
	jw_cstring(&w, "name", t->host[0] ? t->host : "testhost");
	jw_cstring(&w, "machine_id", "0123456789abcdef0123456789abcdef");
	jw_cstring(&w, "boot_id", "fedcba98-7654-3210-fedc-ba9876543210");
	jw_object_end(&w);
	jw_cstring(&w, "event", event);
	jw_cstring(&w, "category", category);
	jw_object_end(&w);
	assert_int_equal(w.err, 0);
	assert_true(w.len > 0 && w.buf[w.len - 1] == '}');
	w.len--; /* reopen the object for the raw members */
	cap = w.len + (members ? strlen(members) : 0) + STORE_PREV_FIELD_LEN + 8;
	line = malloc(cap);
	assert_non_null(line);
	{
		char *rec = malloc(cap);
		size_t len = w.len;

		assert_non_null(rec);
		memcpy(rec, w.buf, len);
		if (members && *members) {
			rec[len++] = ',';
			memcpy(rec + len, members, strlen(members));
			len += strlen(members);
		}
		rec[len++] = '}';
		n = store_splice_prev(line, cap, rec, len, t->h);
		free(rec);
	}
	jw_free(&w);
	assert_true(n > 0);
	cr_chain(t->h, t->h, line, (size_t)n);
	assert_true(t->blen + (size_t)n + 1 < sizeof(t->blk));
	memcpy(t->blk + t->blen, line, (size_t)n);
	t->blk[t->blen + (size_t)n] = '\n';
	t->blen += (size_t)n + 1;
	free(line);
}

TW_FN void tw_record(struct tw *t, const char *event, const char *key, const char *raw)
{
	char *m = NULL;

	if (key) {
		size_t n = strlen(key) + strlen(raw) + 4;

		m = malloc(n);
		assert_non_null(m);
		snprintf(m, n, "\"%s\":%s", key, raw);
	}
	tw_record_ex(t, event, strncmp(event, "log.", 4) ? "file" : "log", m);
	free(m);
}

TW_FN void tw_events(struct tw *t, int n)
{
	for (int i = 0; i < n; i++) {
		char raw[96];

		snprintf(raw, sizeof(raw), "{\"path\":\"/tmp/file-%llu\",\"flags\":1}",
			 (unsigned long long)t->seq + 1);
		tw_record(t, "file.open", "file", raw);
	}
}

/* The block so far as one gzip member of the current segment (unfinished: sync-flushed). */
TW_FN void tw_flush(struct tw *t, int finish)
{
	z_stream zs = {0};
	uLong cap = compressBound((uLong)t->blen) + 64;
	unsigned char *out = malloc(cap);
	char path[128];

	assert_non_null(out);
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (unsigned char *)t->blk;
	zs.avail_in = (uInt)t->blen;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, finish ? Z_FINISH : Z_SYNC_FLUSH),
			 finish ? Z_STREAM_END : Z_OK);
	tw_path(t, t->seg, path, sizeof(path));
	write_file(path, out, cap - zs.avail_out, 1);
	deflateEnd(&zs);
	free(out);
	t->blen = 0;
}

TW_FN void tw_certs_append(struct tw *t, const struct store_cert *c)
{
	char path[128], *s = cert_text(c);

	tw_path(t, VERIFY_CERTS_FILE, path, sizeof(path));
	write_file(path, s, strlen(s), 1);
	write_file(path, "\n", 1, 1);
	free(s);
}

TW_FN void tw_init(struct tw *t)
{
	memset(t, 0, sizeof(*t));
	strcpy(t->dir, "/tmp/caudit-test-tw-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	cr_keypair(t->root_pub, t->root_sec);
	for (int i = 0; i < TW_EPOCHS; i++)
		cr_keypair(t->pub[i], t->sec[i]);
	t->now = 1795462047000000000ll;
	t->cert[0].epoch = 0;
	memcpy(t->cert[0].pub, t->pub[0], CRYPTO_PUB_LEN);
	t->cert[0].not_before = (uint64_t)t->now;
	store_cert_sign(&t->cert[0], t->root_pub, t->root_sec);
	tw_certs_append(t, &t->cert[0]);
	{
		char *s = cert_text(&t->cert[0]);

		store_genesis(t->h, s, strlen(s));
		free(s);
	}
}

TW_FN void tw_segment(struct tw *t)
{
	char raw[512], prev[STORE_SEG_NAME_LEN + 2], ph[65], root[65];

	if (t->seg[0])
		snprintf(prev, sizeof(prev), "\"%s\"", t->seg);
	else
		strcpy(prev, "null");
	store_segment_name(t->seg, t->seq + 1);
	memcpy(t->seg_prev_head, t->h, sizeof(t->h));
	t->seg_prev_seq = t->seq;
	cr_to_hex(ph, t->h, CRYPTO_HASH_LEN);
	cr_to_hex(root, t->root_pub, CRYPTO_PUB_LEN);
	snprintf(raw, sizeof(raw),
		 "{\"name\":\"%s\",\"index\":%llu,\"prev\":%s,"
		 "\"prev_last_seq\":%llu,\"prev_head\":\"%s\",\"root\":\"%s\",\"epoch\":%d}",
		 t->seg, (unsigned long long)++t->index, prev, (unsigned long long)t->seq, ph, root,
		 t->epoch);
	t->block_first = t->seq + 1;
	tw_record(t, "log.segment", "segment", raw);
}

TW_FN void tw_key(struct tw *t, const struct store_cert *c)
{
	char *s = cert_text(c);

	tw_record(t, "log.key", "key", s);
	free(s);
}

TW_FN void tw_advance(struct tw *t)
{
	struct store_cert *c = &t->cert[t->epoch + 1];

	assert_true(t->epoch + 1 < TW_EPOCHS);
	c->epoch = (uint64_t)t->epoch + 1;
	memcpy(c->pub, t->pub[t->epoch + 1], CRYPTO_PUB_LEN);
	c->not_before = (uint64_t)t->now;
	/* the open block: the store advances right after a seal, so there they coincide */
	c->start_seq = t->block_first;
	store_cert_sign(c, t->root_pub, t->sec[t->epoch]);
	tw_certs_append(t, c);
	t->epoch++;
	tw_key(t, c);
}

/* A seal claiming epoch `claim`, signed with the key of epoch `signer`. */
TW_FN void tw_seal_ex(struct tw *t, int claim, int signer)
{
	struct store_seal z = {.epoch = (uint64_t)claim,
			       .first_seq = t->block_first,
			       .last_seq = t->seq,
			       .time_ns = (uint64_t)t->now};
	char path[128], *s;
	struct jsonw w;

	z.count = z.last_seq - z.first_seq + 1;
	memcpy(z.head, t->h, sizeof(z.head));
	strcpy(z.reason, "count");
	store_seal_sign(&z, t->root_pub, t->sec[signer]);
	jw_init(&w, 0);
	store_seal_write(&w, NULL, &z);
	s = obj_text(&w);
	tw_record(t, "log.seal", "seal", s);
	free(s);
	tw_flush(t, 1);
	t->block_first = t->seq + 1;
	/* head.json as the store writes it */
	jw_init(&w, 0);
	jw_object_begin(&w, NULL);
	jw_cstring(&w, "segment", t->seg);
	jw_uint(&w, "index", t->index);
	jw_uint(&w, "seal_seq", t->seq);
	jw_uint(&w, "last_seq", z.last_seq);
	jw_hex_bytes(&w, "head", z.head, sizeof(z.head));
	jw_uint(&w, "epoch", z.epoch);
	jw_uint(&w, "time_ns", z.time_ns);
	store_seal_write(&w, "seal", &z);
	jw_object_end(&w);
	s = obj_text(&w);
	tw_path(t, VERIFY_HEAD_FILE, path, sizeof(path));
	write_file(path, s, strlen(s), 0);
	write_file(path, "\n", 1, 1);
	free(s);
}

TW_FN void tw_seal(struct tw *t)
{
	tw_seal_ex(t, t->epoch, t->epoch);
}

/*
 * The default log: 3 segments, 2 epochs, 41 records.
 *   seg 1:  1 header, 2 key 0, 3-10, 11 seal, 12-15, 16 key 1, 17-19, 20 seal
 *   seg 21: 21 header, 22-29, 30 seal, 31-34, 35 seal
 *   seg 36: 36 header, 37-40, 41 seal
 */
TW_FN void tw_default(struct tw *t)
{
	tw_segment(t);
	tw_key(t, &t->cert[0]);
	tw_events(t, 8);
	tw_seal(t);
	tw_events(t, 4);
	tw_advance(t);
	tw_events(t, 3);
	tw_seal(t);
	tw_segment(t);
	tw_events(t, 8);
	tw_seal(t);
	tw_events(t, 4);
	tw_seal(t);
	tw_segment(t);
	tw_events(t, 4);
	tw_seal(t);
}

#endif
