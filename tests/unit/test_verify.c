/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Unit tests for the log verifier (user/common/verify*.c) against
 * docs/log-format.md:
 *   - known answers computed independently (python3 hashlib / cryptography)
 *     for the chain and the signed messages;
 *   - a small test-only writer that builds valid logs (segments, log.key,
 *     seals, certs.jsonl, head.json; several epochs and segments) with
 *     store_format + crypto + zlib, then one tampering per verdict.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "encode.h"
#include "store_format.h"
#include "verify.h"
#include "verify_priv.h"

/* ---- known answers ---- */

/*
 * Computed once with:
 *   python3 -c 'import hashlib;H=lambda b:hashlib.blake2b(b,digest_size=32).digest()
 *   h=H(CERT.encode())
 *   for r in RECS: p=r.index(",",r.index("\"seq\":"));
 *     l=r[:p+1]+"\"prev\":\""+h[:8].hex()+"\","+r[p+1:]; h=H(h+l.encode()); print(h.hex())'
 */
#define KAT_CERT                                                                                   \
	"{\"epoch\":0,\"pub\":\"" KAT_64("1") "\",\"not_before\":1763925000000000000,"             \
					      "\"sig\":\"" KAT_64("2") KAT_64("2") "\"}"
#define KAT_8(c) c c c c c c c c
#define KAT_64(c) KAT_8(KAT_8(c))

static const char *const kat_recs[3] = {
    "{\"schema\":1,\"seq\":1,\"time\":\"2026-11-23T19:27:27.921599106Z\",\"event\":\"log."
    "segment\"}",
    "{\"schema\":1,\"seq\":2,\"time\":\"2026-11-23T19:27:28.000000000Z\",\"event\":\"file.open\"}",
    "{\"schema\":1,\"seq\":3,\"time\":\"2026-11-23T19:27:29.000000001Z\",\"event\":\"log.seal\"}",
};
static const char kat_genesis[] =
    "1262bd7ea8380fc816d18da06d09eff0e249f119fdf7cf6c63f0373308e19d54";
static const char *const kat_heads[3] = {
    "de8cf3da972ce0cffe918d43e0627ec5c6f4cb1f87133e56ac6ba6422f9f2345",
    "cb6e03d2162f4bff47803394168f5140ffda0057ff16455a684e27aa50dfa44e",
    "5b23cb28db2819959f67f952a742b87bfe458a31f5a4b23ea18e33fba35094ad",
};
static const char kat_line2[] =
    "{\"schema\":1,\"seq\":2,\"prev\":\"de8cf3da972ce0cf\","
    "\"time\":\"2026-11-23T19:27:28.000000000Z\",\"event\":\"file.open\"}";

/*
 * Ed25519 key from seed 01 02 .. 20 (libsodium's secret key = seed || pub) and
 * the signatures of the documented messages, computed once with python3's
 * cryptography (Ed25519PrivateKey.from_private_bytes(seed).sign(msg)) over
 *   b"caudit-cert-v1\0" + root + q(3) + b"\x33"*32 + q(1763925000000000000) + q(0)
 *   b"caudit-seal-v1\0" + root + q(3) + q(1001) + q(2000) + b"\x44"*32
 *       + q(1763925123456789012) + b"\x01" + cipher_head + q(1000)
 *       + b"count".ljust(16, b"\0")
 * with root = b"\x55"*32, q = struct.pack("<Q", v) and cipher_head 32 zero bytes
 * for a plain segment (b"\x66"*32 for the encrypted case).
 */
static const char kat_secret[] = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
				 "79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664";
static const char kat_pub[] = "79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664";
static const char kat_cert_sig[] =
    "16302bb1206bef400a64c59bd39199c0b5275454be53f28c015218c2a86b83cd"
    "147a00df6ba5ac93f6dfc1cd34ef6cc9be5990ab3b8e59a8167105c344617f08";
static const char kat_seal_sig[] =
    "f44b9a955d4bfe205632f4570ed639c414e277fa12b55b2ac3a76beef2571368"
    "f222eb182d970b7578f2d4909b6151920cd3627d2625ab72e9c655721e95b10f";
static const char kat_seal_cipher_sig[] =
    "3c710548befa9c8c13caa2003c99d204a941a9ca1c0658fe4bf1edeefeb0cd57"
    "06d27fc7c7ce554320ac88a77e03dd371beb824f75fc5e3b65bf738838659b0b";

static void hex_in(uint8_t *out, size_t n, const char *hex)
{
	assert_int_equal(cr_from_hex(out, n, hex, strlen(hex)), 0);
}

static void assert_hex(const uint8_t *b, size_t n, const char *exp)
{
	char hex[2 * 64 + 1];

	cr_to_hex(hex, b, n);
	assert_string_equal(hex, exp);
}

static void test_chain_known_answer(void **state)
{
	uint8_t h[CRYPTO_HASH_LEN];
	char line[512];

	(void)state;
	store_genesis(h, KAT_CERT, strlen(KAT_CERT));
	assert_hex(h, sizeof(h), kat_genesis);
	for (int i = 0; i < 3; i++) {
		int n = store_splice_prev(line, sizeof(line), kat_recs[i], strlen(kat_recs[i]), h);

		assert_true(n > 0);
		line[n] = 0;
		if (i == 1)
			assert_string_equal(line, kat_line2);
		assert_true(store_prev_matches(line, (size_t)n, h));
		cr_chain(h, h, line, (size_t)n);
		assert_hex(h, sizeof(h), kat_heads[i]);
	}
}

static void test_sign_known_answer(void **state)
{
	uint8_t sec[CRYPTO_SECRET_LEN], pub[CRYPTO_PUB_LEN], root[CRYPTO_PUB_LEN];
	struct store_cert c = {.epoch = 3, .not_before = 1763925000000000000ull};
	struct store_seal z = {.epoch = 3,
			       .first_seq = 1001,
			       .last_seq = 2000,
			       .count = 1000,
			       .time_ns = 1763925123456789012ull,
			       .late = 1};
	struct store_cert c2;
	struct store_seal z2;

	(void)state;
	hex_in(sec, sizeof(sec), kat_secret);
	hex_in(pub, sizeof(pub), kat_pub);
	memset(root, 0x55, sizeof(root));
	memset(c.pub, 0x33, sizeof(c.pub));
	memset(z.head, 0x44, sizeof(z.head));
	strcpy(z.reason, "count");

	store_cert_sign(&c, root, sec);
	assert_hex(c.sig, sizeof(c.sig), kat_cert_sig);
	assert_int_equal(store_cert_verify(&c, root, pub), 0);
	/* one bit of any signed field */
	c2 = c, c2.epoch ^= 1;
	assert_int_equal(store_cert_verify(&c2, root, pub), -EBADMSG);
	c2 = c, c2.pub[31] ^= 1;
	assert_int_equal(store_cert_verify(&c2, root, pub), -EBADMSG);
	c2 = c, c2.not_before ^= 1ull << 40;
	assert_int_equal(store_cert_verify(&c2, root, pub), -EBADMSG);
	c2 = c, c2.sig[0] ^= 1;
	assert_int_equal(store_cert_verify(&c2, root, pub), -EBADMSG);
	root[0] ^= 1;
	assert_int_equal(store_cert_verify(&c, root, pub), -EBADMSG);
	root[0] ^= 1;

	store_seal_sign(&z, root, sec);
	assert_hex(z.sig, sizeof(z.sig), kat_seal_sig);
	assert_int_equal(store_seal_verify(&z, root, pub), 0);
	z2 = z, z2.epoch ^= 1;
	assert_int_equal(store_seal_verify(&z2, root, pub), -EBADMSG);
	z2 = z, z2.first_seq ^= 1;
	assert_int_equal(store_seal_verify(&z2, root, pub), -EBADMSG);
	z2 = z, z2.last_seq ^= 1;
	assert_int_equal(store_seal_verify(&z2, root, pub), -EBADMSG);
	z2 = z, z2.head[7] ^= 0x10;
	assert_int_equal(store_seal_verify(&z2, root, pub), -EBADMSG);
	z2 = z, z2.time_ns ^= 1;
	assert_int_equal(store_seal_verify(&z2, root, pub), -EBADMSG);
	z2 = z, z2.late = 0;
	assert_int_equal(store_seal_verify(&z2, root, pub), -EBADMSG);
	/* count and reason are signed too: "shutdown" claims a clean stop */
	z2 = z, z2.count = 7;
	assert_int_equal(store_seal_verify(&z2, root, pub), -EBADMSG);
	z2 = z, strcpy(z2.reason, "shutdown");
	assert_int_equal(store_seal_verify(&z2, root, pub), -EBADMSG);
	/* an encrypted segment's seal signs its cipher chain head too */
	z2 = z, z2.has_cipher = 1;
	memset(z2.cipher_head, 0x66, sizeof(z2.cipher_head));
	store_seal_sign(&z2, root, sec);
	assert_hex(z2.sig, sizeof(z2.sig), kat_seal_cipher_sig);
	z2.cipher_head[31] ^= 1;
	assert_int_equal(store_seal_verify(&z2, root, pub), -EBADMSG);
}

static void test_time(void **state)
{
	uint64_t ns;

	(void)state;
	/* python3: datetime(...,tzinfo=timezone.utc).timestamp() * 10**9 + fraction */
	assert_int_equal(verify_parse_time("2026-11-23T19:27:27.921599106Z", 30, &ns), 0);
	assert_int_equal(ns, 1795462047921599106ull);
	assert_int_equal(verify_parse_time("2000-02-29T23:59:59.999999999Z", 30, &ns), 0);
	assert_int_equal(ns, 951868799999999999ull);
	assert_int_equal(verify_parse_time("1970-01-01T00:00:00.000000000Z", 30, &ns), 0);
	assert_int_equal(ns, 0);
	assert_int_equal(verify_parse_time("2001-02-29T00:00:00.000000000Z", 30, &ns), -EINVAL);
	assert_int_equal(verify_parse_time("2026-11-23T19:27:27.92159910Z", 29, &ns), -EINVAL);
	assert_int_equal(verify_parse_time("2026-11-23 19:27:27.921599106Z", 30, &ns), -EINVAL);
	assert_int_equal(verify_parse_time("9999-12-31T23:59:59.999999999Z", 30, &ns), -EINVAL);
	assert_int_equal(verify_parse_time("2026-13-23T19:27:27.921599106Z", 30, &ns), -EINVAL);
}

#include "tw.h"

#define SEG1 "seg-00000000000000000001.jsonl.gz"
#define SEG2 "seg-00000000000000000021.jsonl.gz"
#define SEG3 "seg-00000000000000000036.jsonl.gz"

static int setup(void **state)
{
	struct tw *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	tw_init(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tw *t = *state;
	DIR *d = opendir(t->dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char path[512];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", t->dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(t->dir);
	free(t);
	return 0;
}

/* ---- tampering helpers ---- */

struct lines {
	char *v[256];
	size_t n;
};

static void lines_read(const struct tw *t, const char *seg, struct lines *l)
{
	char path[128], *buf = malloc(TW_BLOCK), *p;
	gzFile f;
	int n;

	assert_non_null(buf);
	tw_path(t, seg, path, sizeof(path));
	f = gzopen(path, "rbe");
	assert_non_null(f);
	n = gzread(f, buf, TW_BLOCK - 1);
	gzclose(f);
	assert_true(n > 0);
	buf[n] = 0;
	l->n = 0;
	for (p = buf; *p;) {
		char *nl = strchr(p, '\n');

		assert_non_null(nl);
		assert_true(l->n < 256);
		l->v[l->n++] = strndup(p, (size_t)(nl - p));
		p = nl + 1;
	}
	free(buf);
}

static void lines_write(const struct tw *t, const char *seg, struct lines *l)
{
	char path[128];
	gzFile f;

	tw_path(t, seg, path, sizeof(path));
	f = gzopen(path, "wbe");
	assert_non_null(f);
	for (size_t i = 0; i < l->n; i++) {
		gzputs(f, l->v[i]);
		gzputs(f, "\n");
		free(l->v[i]);
	}
	assert_int_equal(gzclose(f), Z_OK);
	l->n = 0;
}

static size_t lines_find(const struct lines *l, uint64_t seq)
{
	for (size_t i = 0; i < l->n; i++) {
		uint64_t s;

		if (!store_record_seq(l->v[i], strlen(l->v[i]), &s) && s == seq)
			return i;
	}
	fail_msg("seq %llu not found", (unsigned long long)seq);
	return 0;
}

static void lines_insert(struct lines *l, size_t at, const char *s)
{
	memmove(&l->v[at + 1], &l->v[at], (l->n - at) * sizeof(l->v[0]));
	l->v[at] = strdup(s);
	l->n++;
}

static void lines_delete(struct lines *l, size_t at)
{
	free(l->v[at]);
	memmove(&l->v[at], &l->v[at + 1], (l->n - at - 1) * sizeof(l->v[0]));
	l->n--;
}

static off_t file_size(const struct tw *t, const char *seg)
{
	char path[128];
	struct stat st;

	tw_path(t, seg, path, sizeof(path));
	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void file_truncate(const struct tw *t, const char *seg, off_t size)
{
	char path[128];

	tw_path(t, seg, path, sizeof(path));
	assert_int_equal(truncate(path, size), 0);
}

static void file_rename(const struct tw *t, const char *from, const char *to)
{
	char a[128], b[128];

	tw_path(t, from, a, sizeof(a));
	tw_path(t, to, b, sizeof(b));
	assert_int_equal(rename(a, b), 0);
}

/* ---- running the verifier ---- */

static void run_opts(struct tw *t, struct verify_opts *o, struct verify_report *rep)
{
	o->dir = t->dir;
	if (!o->root[0] && !o->root[1])
		memcpy(o->root, t->root_pub, sizeof(o->root));
	assert_int_equal(verify_log(o, rep), 0);
}

static void run(struct tw *t, struct verify_report *rep)
{
	struct verify_opts o = {0};

	run_opts(t, &o, rep);
}

static void assert_verdict(const struct verify_report *rep, const char *seg, const char *exp)
{
	char buf[256];

	for (size_t i = 0; i < rep->nsegs; i++) {
		if (strcmp(rep->segs[i].name, seg))
			continue;
		verify_verdict_format(&rep->segs[i], buf, sizeof(buf));
		if (strcmp(buf, exp))
			fail_msg("%s: \"%s\" (%s), expected \"%s\"", seg, buf, rep->segs[i].detail,
				 exp);
		return;
	}
	fail_msg("%s not in the report", seg);
}

/* Build the default log, tamper, verify: the verdicts of seg 1, 21, 36. */
static void expect3(const struct verify_report *rep, const char *v1, const char *v2, const char *v3)
{
	assert_int_equal(rep->nsegs, 3);
	assert_verdict(rep, SEG1, v1);
	assert_verdict(rep, SEG2, v2);
	assert_verdict(rep, SEG3, v3);
}

/* Start again with an empty directory and new keys. */
static void reset(void **state)
{
	teardown(state);
	assert_int_equal(setup(state), 0);
}

/* Change the first occurrence of `from` in record seq's line of seg to `to`. */
static void edit_record(struct tw *t, const char *seg, uint64_t seq, const char *from,
			const char *to)
{
	struct lines l;
	size_t i;
	char *p, *n;

	lines_read(t, seg, &l);
	i = lines_find(&l, seq);
	p = strstr(l.v[i], from);
	assert_non_null(p);
	n = malloc(strlen(l.v[i]) + strlen(to) + 1);
	assert_non_null(n);
	memcpy(n, l.v[i], (size_t)(p - l.v[i]));
	strcpy(n + (p - l.v[i]), to);
	strcat(n, p + strlen(from));
	free(l.v[i]);
	l.v[i] = n;
	lines_write(t, seg, &l);
}

/* ---- verdicts ---- */

struct progress_seen {
	uint64_t done, total;
	int calls;
};

static void on_progress(void *opaque, uint64_t done, uint64_t total)
{
	struct progress_seen *p = opaque;

	assert_true(done >= p->done);
	p->done = done;
	p->total = total;
	p->calls++;
}

static void test_valid(void **state)
{
	struct tw *t = *state;
	struct progress_seen seen = {0};
	struct verify_opts o = {.progress = on_progress, .opaque = &seen};
	struct verify_report rep;

	tw_default(t);
	run_opts(t, &o, &rep);
	expect3(&rep, "valid", "valid", "valid");
	assert_int_equal(rep.records, 41);
	assert_int_equal(rep.first_seq, 1);
	assert_int_equal(rep.last_seq, 41);
	assert_int_equal(rep.segs[1].first_seq, 21);
	assert_int_equal(rep.segs[1].last_seq, 35);
	assert_int_equal(rep.count[VERIFY_VALID], 3);
	assert_int_equal(rep.certs, VERIFY_CERTS_OK);
	assert_int_equal(rep.ncerts, 2);
	assert_int_equal(rep.head, VERIFY_HEAD_OK);
	assert_int_equal(rep.head_last_seq, 41);
	assert_string_equal(rep.first_time, "2026-11-23T19:27:27.000000000Z");
	assert_string_equal(rep.last_time, "2026-11-23T19:27:27.040000120Z");
	assert_true(rep.segs[2].newest && !rep.segs[0].newest);
	assert_true(verify_passed(&rep, 1));
	assert_true(seen.calls > 0 && seen.done == seen.total && seen.total > 0);
	verify_report_free(&rep);
}

static void test_unsealed_tail(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;

	/* the running segment: an open gzip member after the last seal */
	tw_default(t);
	tw_events(t, 3);
	tw_flush(t, 0);
	run(t, &rep);
	expect3(&rep, "valid", "valid", "unsealed tail (3 records after the last seal)");
	assert_int_equal(rep.head, VERIFY_HEAD_OK);
	assert_true(verify_passed(&rep, 0));
	assert_false(verify_passed(&rep, 1));
	verify_report_free(&rep);

	/* complete members, no seal */
	reset(state);
	t = *state;
	tw_default(t);
	tw_events(t, 2);
	tw_flush(t, 1);
	run(t, &rep);
	assert_verdict(&rep, SEG3, "unsealed tail (2 records after the last seal)");
	assert_true(verify_passed(&rep, 0));
	verify_report_free(&rep);
}

static void test_modified(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;

	tw_default(t);
	edit_record(t, SEG1, 5, "file-5", "file-6");
	run(t, &rep);
	expect3(&rep, "record 5 modified", "valid", "valid");
	assert_false(verify_passed(&rep, 0));
	verify_report_free(&rep);

	/* the last record before a seal */
	reset(state);
	t = *state;
	tw_default(t);
	edit_record(t, SEG1, 10, "\"flags\":1", "\"flags\":3");
	run(t, &rep);
	expect3(&rep, "record 10 modified", "valid", "valid");
	verify_report_free(&rep);

	/* the newest segment's last record */
	reset(state);
	t = *state;
	tw_default(t);
	edit_record(t, SEG3, 40, "file-40", "file-04");
	run(t, &rep);
	expect3(&rep, "valid", "valid", "record 40 modified");
	verify_report_free(&rep);

	/* the last seal's count: covered by its signature */
	reset(state);
	t = *state;
	tw_default(t);
	edit_record(t, SEG3, 41, "\"count\":5", "\"count\":6");
	run(t, &rep);
	expect3(&rep, "valid", "valid", "signature invalid");
	verify_report_free(&rep);

	/* a record's seq */
	reset(state);
	t = *state;
	tw_default(t);
	edit_record(t, SEG2, 24, "\"seq\":24", "\"seq\":84");
	run(t, &rep);
	expect3(&rep, "valid", "record 24 modified", "valid");
	verify_report_free(&rep);

	/* a segment header: the chain names it, not its links */
	reset(state);
	t = *state;
	tw_default(t);
	edit_record(t, SEG2, 21, "\"index\":2", "\"index\":3");
	run(t, &rep);
	expect3(&rep, "valid", "record 21 modified", "valid");
	verify_report_free(&rep);
}

static void test_signature_invalid(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;
	struct lines l;
	size_t i;
	char *p;

	tw_default(t);
	lines_read(t, SEG2, &l);
	i = lines_find(&l, 30);
	p = strstr(l.v[i], "\"sig\":\"");
	assert_non_null(p);
	p[7] = p[7] == '0' ? '1' : '0';
	lines_write(t, SEG2, &l);
	run(t, &rep);
	expect3(&rep, "valid", "signature invalid", "valid");
	verify_report_free(&rep);

	/* a seal of the current epoch signed with another key */
	reset(state);
	t = *state;
	tw_segment(t);
	tw_key(t, &t->cert[0]);
	tw_events(t, 3);
	tw_seal_ex(t, 0, 1);
	run(t, &rep);
	assert_verdict(&rep, SEG1, "signature invalid");
	verify_report_free(&rep);
}

static void test_deleted(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;
	struct lines l;

	tw_default(t);
	lines_read(t, SEG2, &l);
	lines_delete(&l, lines_find(&l, 25));
	lines_write(t, SEG2, &l);
	run(t, &rep);
	expect3(&rep, "valid", "records missing (seq 25-25)", "valid");
	verify_report_free(&rep);

	/* several, across a seal */
	reset(state);
	t = *state;
	tw_default(t);
	lines_read(t, SEG2, &l);
	for (int i = 0; i < 4; i++)
		lines_delete(&l, lines_find(&l, 28 + (uint64_t)i));
	lines_write(t, SEG2, &l);
	run(t, &rep);
	expect3(&rep, "valid", "records missing (seq 28-31)", "valid");
	verify_report_free(&rep);

	/* a segment's header */
	reset(state);
	t = *state;
	tw_default(t);
	lines_read(t, SEG2, &l);
	lines_delete(&l, 0);
	lines_write(t, SEG2, &l);
	run(t, &rep);
	expect3(&rep, "valid", "records missing (seq 21-21)", "valid");
	verify_report_free(&rep);

	/* the last sealed block of an older segment: the next header tells */
	reset(state);
	t = *state;
	tw_segment(t);
	tw_key(t, &t->cert[0]);
	tw_events(t, 3);
	tw_seal(t);
	{
		off_t cut = file_size(t, SEG1);

		tw_events(t, 4);
		tw_seal(t);
		tw_segment(t);
		tw_events(t, 2);
		tw_seal(t);
		file_truncate(t, SEG1, cut);
	}
	run(t, &rep);
	assert_verdict(&rep, SEG1, "records missing (seq 7-11)");
	assert_verdict(&rep, "seg-00000000000000000012.jsonl.gz", "valid");
	verify_report_free(&rep);
}

static void test_inserted(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;
	struct lines l;
	char *fake;

	/* a line with the next seq and a made-up prev */
	tw_default(t);
	lines_read(t, SEG2, &l);
	lines_insert(&l, lines_find(&l, 26),
		     "{\"schema\":1,\"seq\":26,\"prev\":\"0123456789abcdef\",\"event\":\"x\"}");
	lines_write(t, SEG2, &l);
	run(t, &rep);
	expect3(&rep, "valid", "record 26 inserted", "valid");
	verify_report_free(&rep);

	/* a forged record whose prev is right (anyone can compute the chain) */
	reset(state);
	t = *state;
	tw_default(t);
	lines_read(t, SEG2, &l);
	fake = strdup(l.v[lines_find(&l, 26)]);
	assert_non_null(fake);
	memcpy(strstr(fake, "file-26"), "evil-26", 7);
	lines_insert(&l, lines_find(&l, 26), fake);
	free(fake);
	lines_write(t, SEG2, &l);
	run(t, &rep);
	expect3(&rep, "valid", "record 26 inserted", "valid");
	verify_report_free(&rep);

	/* a line that is not a record */
	reset(state);
	t = *state;
	tw_default(t);
	lines_read(t, SEG2, &l);
	lines_insert(&l, lines_find(&l, 26), "hello");
	lines_write(t, SEG2, &l);
	run(t, &rep);
	expect3(&rep, "valid", "record 26 inserted", "valid");
	verify_report_free(&rep);

	/* a copy of an older record */
	reset(state);
	t = *state;
	tw_default(t);
	lines_read(t, SEG2, &l);
	fake = strdup(l.v[lines_find(&l, 23)]);
	assert_non_null(fake);
	lines_insert(&l, lines_find(&l, 28), fake);
	free(fake);
	lines_write(t, SEG2, &l);
	run(t, &rep);
	expect3(&rep, "valid", "record 23 inserted", "valid");
	verify_report_free(&rep);

	/* a line appended to a closed segment */
	reset(state);
	t = *state;
	tw_default(t);
	lines_read(t, SEG1, &l);
	lines_insert(&l, l.n, "{\"junk\":true}");
	lines_write(t, SEG1, &l);
	run(t, &rep);
	expect3(&rep, "record 21 inserted", "valid", "valid");
	verify_report_free(&rep);
}

static void swap_lines(struct tw *t, const char *seg, uint64_t a, uint64_t b)
{
	struct lines l;
	size_t i, j;
	char *tmp;

	lines_read(t, seg, &l);
	i = lines_find(&l, a);
	j = lines_find(&l, b);
	tmp = l.v[i];
	l.v[i] = l.v[j];
	l.v[j] = tmp;
	lines_write(t, seg, &l);
}

static void test_reordered(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;
	struct lines l;
	char *moved;

	tw_default(t);
	swap_lines(t, SEG2, 24, 25);
	run(t, &rep);
	expect3(&rep, "valid", "record 24 modified", "valid");
	verify_report_free(&rep);

	reset(state);
	t = *state;
	tw_default(t);
	swap_lines(t, SEG2, 23, 27);
	run(t, &rep);
	expect3(&rep, "valid", "record 23 modified", "valid");
	verify_report_free(&rep);

	/* one record moved earlier */
	reset(state);
	t = *state;
	tw_default(t);
	lines_read(t, SEG2, &l);
	{
		size_t i = lines_find(&l, 27), j;

		moved = l.v[i];
		memmove(&l.v[i], &l.v[i + 1], (l.n - i - 1) * sizeof(l.v[0]));
		l.n--;
		j = lines_find(&l, 24);
		memmove(&l.v[j + 1], &l.v[j], (l.n - j) * sizeof(l.v[0]));
		l.v[j] = moved;
		l.n++;
	}
	lines_write(t, SEG2, &l);
	run(t, &rep);
	expect3(&rep, "valid", "record 24 modified", "valid");
	verify_report_free(&rep);
}

static void test_truncated(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;

	/* inside the gzip trailer of an older segment's last member */
	tw_default(t);
	file_truncate(t, SEG1, file_size(t, SEG1) - 7);
	run(t, &rep);
	expect3(&rep, "truncated", "valid", "valid");
	verify_report_free(&rep);

	/* in the middle */
	reset(state);
	t = *state;
	tw_default(t);
	file_truncate(t, SEG2, file_size(t, SEG2) / 2);
	run(t, &rep);
	expect3(&rep, "valid", "truncated", "valid");
	verify_report_free(&rep);

	/* the newest segment: its records look like an unsealed tail, head.json tells */
	reset(state);
	t = *state;
	tw_default(t);
	file_truncate(t, SEG3, file_size(t, SEG3) - 40);
	run(t, &rep);
	expect3(&rep, "valid", "valid", "truncated");
	assert_int_equal(rep.head, VERIFY_HEAD_BEYOND);
	verify_report_free(&rep);
}

static void test_head_beyond(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;
	off_t cut;

	/* whole sealed blocks cut from the end of the newest segment */
	tw_default(t);
	cut = file_size(t, SEG3);
	tw_events(t, 3);
	tw_seal(t);
	file_truncate(t, SEG3, cut);
	run(t, &rep);
	expect3(&rep, "valid", "valid", "truncated");
	assert_int_equal(rep.head, VERIFY_HEAD_BEYOND);
	assert_int_equal(rep.head_last_seq, 45);
	assert_false(verify_passed(&rep, 0));
	verify_report_free(&rep);

	/* the newest segment removed */
	reset(state);
	t = *state;
	tw_default(t);
	{
		char path[128];

		tw_path(t, SEG3, path, sizeof(path));
		assert_int_equal(unlink(path), 0);
	}
	run(t, &rep);
	assert_int_equal(rep.nsegs, 2);
	assert_verdict(&rep, SEG1, "valid");
	assert_verdict(&rep, SEG2, "truncated");
	verify_report_free(&rep);
}

/* Replace the first `from` in dir/name with `to` (same length). */
static void edit_file(const struct tw *t, const char *name, const char *from, const char *to)
{
	char path[128], buf[8192], *p;
	ssize_t n;
	int fd;

	tw_path(t, name, path, sizeof(path));
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = 0;
	p = strstr(buf, from);
	assert_non_null(p);
	assert_int_equal(strlen(from), strlen(to));
	memcpy(p, to, strlen(to));
	assert_int_equal(pwrite(fd, buf, (size_t)n, 0), n);
	close(fd);
}

static void test_head_json(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;
	char path[128], stale[8192];
	ssize_t n;
	int fd;

	tw_default(t);
	tw_path(t, VERIFY_HEAD_FILE, path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	run(t, &rep);
	expect3(&rep, "valid", "valid", "valid");
	assert_int_equal(rep.head, VERIFY_HEAD_MISSING);
	assert_true(verify_passed(&rep, 0));
	assert_false(verify_passed(&rep, 1));
	verify_report_free(&rep);

	/* one seal behind (the store died between the seal and head.json): fine */
	reset(state);
	t = *state;
	tw_segment(t);
	tw_key(t, &t->cert[0]);
	tw_events(t, 2);
	tw_seal(t);
	tw_path(t, VERIFY_HEAD_FILE, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, stale, sizeof(stale));
	close(fd);
	assert_true(n > 0);
	tw_events(t, 2);
	tw_seal(t);
	write_file(path, stale, (size_t)n, 0);
	run(t, &rep);
	assert_verdict(&rep, SEG1, "valid");
	assert_int_equal(rep.head, VERIFY_HEAD_OK);
	assert_int_equal(rep.head_last_seq, 5);
	verify_report_free(&rep);

	/* its seal's signature */
	reset(state);
	t = *state;
	tw_default(t);
	edit_file(t, VERIFY_HEAD_FILE, "\"late\":false", "\"late\":true ");
	run(t, &rep);
	assert_int_equal(rep.head, VERIFY_HEAD_BAD_SIG);
	assert_false(verify_passed(&rep, 0));
	verify_report_free(&rep);

	/* its copies disagree with its seal */
	reset(state);
	t = *state;
	tw_default(t);
	edit_file(t, VERIFY_HEAD_FILE, "\"last_seq\":40", "\"last_seq\":39");
	run(t, &rep);
	assert_int_equal(rep.head, VERIFY_HEAD_MALFORMED);
	assert_false(verify_passed(&rep, 0));
	verify_report_free(&rep);
}

/* Idle seals, a key re-announced in every segment, an epoch change then a rotation. */
static void test_store_patterns(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;

	tw_segment(t);
	tw_key(t, &t->cert[0]);
	tw_events(t, 2);
	tw_seal(t);
	tw_seal(t); /* idle: no record */
	tw_seal(t);
	tw_advance(t);
	tw_seal(t); /* rotate: the block holds only log.key */
	tw_segment(t);
	tw_key(t, &t->cert[1]);
	tw_record(t, "log.restart", "restart",
		  "{\"clean\":false,\"recovered\":0,\"previous_last_seq\":8}");
	tw_events(t, 2);
	tw_seal(t);
	run(t, &rep);
	assert_int_equal(rep.nsegs, 2);
	assert_verdict(&rep, SEG1, "valid");
	assert_verdict(&rep, "seg-00000000000000000010.jsonl.gz", "valid");
	assert_true(verify_passed(&rep, 1));
	verify_report_free(&rep);

	/* a header cannot raise the epoch: only a log.key record can */
	reset(state);
	t = *state;
	tw_segment(t);
	tw_key(t, &t->cert[0]);
	tw_events(t, 2);
	tw_seal(t);
	t->epoch = 1; /* the next header says epoch 1; no log.key 1 anywhere */
	t->cert[1].epoch = 1;
	t->cert[1].start_seq = t->seq + 1;
	memcpy(t->cert[1].pub, t->pub[1], CRYPTO_PUB_LEN);
	store_cert_sign(&t->cert[1], t->root_pub, t->sec[0]);
	tw_certs_append(t, &t->cert[1]);
	tw_segment(t);
	tw_events(t, 2);
	tw_seal(t);
	run(t, &rep);
	assert_verdict(&rep, SEG1, "valid");
	assert_verdict(&rep, "seg-00000000000000000006.jsonl.gz", "key not certified by the chain");
	verify_report_free(&rep);

	/* ... and with the log.key record after the header, as the store writes it */
	reset(state);
	t = *state;
	tw_segment(t);
	tw_key(t, &t->cert[0]);
	tw_events(t, 2);
	tw_seal(t);
	t->epoch = 1;
	t->cert[1].epoch = 1;
	t->cert[1].start_seq = t->seq + 1;
	memcpy(t->cert[1].pub, t->pub[1], CRYPTO_PUB_LEN);
	store_cert_sign(&t->cert[1], t->root_pub, t->sec[0]);
	tw_certs_append(t, &t->cert[1]);
	tw_segment(t);
	tw_key(t, &t->cert[1]);
	tw_events(t, 2);
	tw_seal(t);
	run(t, &rep);
	assert_verdict(&rep, "seg-00000000000000000006.jsonl.gz", "valid");
	verify_report_free(&rep);

	/* a key re-certified by the root key (lost key state), a jump of epochs */
	reset(state);
	t = *state;
	tw_segment(t);
	tw_key(t, &t->cert[0]);
	tw_events(t, 2);
	tw_seal(t);
	t->epoch = 3;
	t->cert[3].epoch = 3;
	memcpy(t->cert[3].pub, t->pub[3], CRYPTO_PUB_LEN);
	store_cert_sign(&t->cert[3], t->root_pub, t->root_sec);
	tw_certs_append(t, &t->cert[3]);
	tw_segment(t);
	tw_key(t, &t->cert[3]);
	tw_events(t, 2);
	tw_seal(t);
	run(t, &rep);
	assert_verdict(&rep, SEG1, "valid");
	assert_verdict(&rep, "seg-00000000000000000006.jsonl.gz", "valid");
	assert_int_equal(rep.certs, VERIFY_CERTS_OK);
	verify_report_free(&rep);
}

static void test_segment_missing(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;
	char path[128];

	tw_default(t);
	tw_path(t, SEG2, path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	run(t, &rep);
	assert_int_equal(rep.nsegs, 2);
	assert_verdict(&rep, SEG1, "valid");
	assert_verdict(&rep, SEG3, "segment missing between " SEG1 " and " SEG3);
	verify_report_free(&rep);

	/* the oldest ones, without a retention record */
	reset(state);
	t = *state;
	tw_default(t);
	tw_path(t, SEG1, path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	run(t, &rep);
	assert_verdict(&rep, SEG2, "segment missing between start and " SEG2);
	assert_verdict(&rep, SEG3, "valid");
	verify_report_free(&rep);
}

static void test_retention(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;
	char raw[256], path[128];

	tw_segment(t);
	tw_key(t, &t->cert[0]);
	tw_events(t, 3);
	tw_seal(t);
	tw_segment(t);
	tw_events(t, 3);
	tw_seal(t);
	tw_segment(t);
	snprintf(raw, sizeof(raw), "{\"removed\":[\"%s\"],\"last_seq\":6}", SEG1);
	tw_record(t, "log.retention", "retention", raw);
	tw_events(t, 2);
	tw_seal(t);
	tw_path(t, SEG1, path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	run(t, &rep);
	assert_int_equal(rep.nsegs, 2);
	assert_verdict(&rep, "seg-00000000000000000007.jsonl.gz", "valid");
	assert_verdict(&rep, "seg-00000000000000000012.jsonl.gz", "valid");
	assert_true(verify_passed(&rep, 1));
	verify_report_free(&rep);
}

static void test_segments_swapped(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;

	tw_default(t);
	file_rename(t, SEG2, "tmp");
	file_rename(t, SEG3, SEG2);
	file_rename(t, "tmp", SEG3);
	run(t, &rep);
	expect3(&rep, "valid", "segments out of order", "segments out of order");
	assert_false(verify_passed(&rep, 0));
	verify_report_free(&rep);

	/* the oldest two: the next one links to a segment that is here, misplaced */
	reset(state);
	t = *state;
	tw_default(t);
	file_rename(t, SEG1, "tmp");
	file_rename(t, SEG2, SEG1);
	file_rename(t, "tmp", SEG2);
	run(t, &rep);
	expect3(&rep, "segments out of order", "segments out of order", "valid");
	assert_int_equal(rep.head, VERIFY_HEAD_OK);
	verify_report_free(&rep);
}

static void test_replayed(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;
	char a[128], b[128], buf[65536];
	ssize_t n;
	int fd;

	/* an old segment copied under a later name */
	tw_default(t);
	tw_path(t, SEG1, a, sizeof(a));
	tw_path(t, "seg-00000000000000000050.jsonl.gz", b, sizeof(b));
	fd = open(a, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(n > 0);
	write_file(b, buf, (size_t)n, 0);
	run(t, &rep);
	assert_int_equal(rep.nsegs, 4);
	assert_verdict(&rep, SEG1, "valid");
	assert_verdict(&rep, SEG3, "valid");
	assert_verdict(&rep, "seg-00000000000000000050.jsonl.gz", "segments out of order");
	verify_report_free(&rep);

	/* ... between two others */
	assert_int_equal(unlink(b), 0);
	tw_path(t, "seg-00000000000000000030.jsonl.gz", b, sizeof(b));
	write_file(b, buf, (size_t)n, 0);
	run(t, &rep);
	assert_int_equal(rep.nsegs, 4);
	assert_verdict(&rep, "seg-00000000000000000030.jsonl.gz", "segments out of order");
	assert_verdict(&rep, SEG3, "valid");
	verify_report_free(&rep);

	/* ... in place of a later one */
	assert_int_equal(unlink(b), 0);
	tw_path(t, SEG3, b, sizeof(b));
	write_file(b, buf, (size_t)n, 0);
	run(t, &rep);
	expect3(&rep, "valid", "valid", "segments out of order");
	verify_report_free(&rep);
}

static void test_wrong_root(void **state)
{
	struct tw *t = *state;
	struct verify_opts o = {0};
	struct verify_report rep;
	uint8_t sec[CRYPTO_SECRET_LEN];

	tw_default(t);
	cr_keypair(o.root, sec);
	run_opts(t, &o, &rep);
	expect3(&rep, "unknown root key", "unknown root key", "unknown root key");
	assert_int_equal(rep.certs, VERIFY_CERTS_BAD_SIG);
	assert_int_equal(rep.certs_line, 1);
	verify_report_free(&rep);
}

static void test_later_epoch_key(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;

	/* a seal signed with epoch 1's key before epoch 1's log.key */
	tw_segment(t);
	tw_key(t, &t->cert[0]);
	tw_events(t, 3);
	tw_seal_ex(t, 1, 1);
	tw_advance(t);
	tw_events(t, 2);
	tw_seal(t);
	run(t, &rep);
	assert_verdict(&rep, SEG1, "key not certified by the chain");
	assert_int_equal(rep.certs, VERIFY_CERTS_OK);
	verify_report_free(&rep);
}

static void test_epoch_backwards(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;

	tw_segment(t);
	tw_key(t, &t->cert[0]);
	tw_events(t, 2);
	tw_seal(t);
	tw_advance(t);
	tw_events(t, 2);
	tw_key(t, &t->cert[0]);
	tw_events(t, 2);
	tw_seal(t);
	run(t, &rep);
	assert_verdict(&rep, SEG1, "key not certified by the chain");
	verify_report_free(&rep);

	/* a key certified by nobody */
	reset(state);
	t = *state;
	tw_segment(t);
	tw_key(t, &t->cert[0]);
	tw_events(t, 2);
	{
		struct store_cert c = {.epoch = 1, .not_before = 5, .start_seq = t->seq + 1};

		memcpy(c.pub, t->pub[2], CRYPTO_PUB_LEN);
		store_cert_sign(&c, t->root_pub, t->sec[2]);
		tw_key(t, &c);
	}
	tw_seal(t);
	run(t, &rep);
	assert_verdict(&rep, SEG1, "signature invalid");
	verify_report_free(&rep);
}

/*
 * Forward security: a thief holding epoch 1's key moves its log.key record
 * back and re-seals records of epoch 0. The certificate names the seq where
 * epoch 1 begins, so the re-sealed block is refused.
 */
static void test_stolen_key_reseals_earlier_epoch(void **state)
{
	struct verify_report rep;
	struct tw *t = *state;

	tw_segment(t);
	tw_key(t, &t->cert[0]);
	tw_events(t, 2);
	tw_seal(t);
	tw_events(t, 3); /* epoch 0's records, unsealed when the thief arrives */
	t->cert[1].epoch = 1;
	t->cert[1].start_seq = t->seq + 10; /* where the real epoch 1 began */
	memcpy(t->cert[1].pub, t->pub[1], CRYPTO_PUB_LEN);
	store_cert_sign(&t->cert[1], t->root_pub, t->sec[0]);
	tw_certs_append(t, &t->cert[1]);
	t->epoch = 1;
	tw_key(t, &t->cert[1]); /* moved back before the records it now seals */
	tw_seal(t);
	run(t, &rep);
	assert_verdict(&rep, SEG1, "key not certified by the chain");
	assert_false(verify_passed(&rep, 0));
	verify_report_free(&rep);
}

static void test_certs(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;
	char path[128];

	/* certs.jsonl gone: the log's own log.key records carry the chain */
	tw_default(t);
	tw_path(t, VERIFY_CERTS_FILE, path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	run(t, &rep);
	expect3(&rep, "valid", "valid", "valid");
	assert_int_equal(rep.certs, VERIFY_CERTS_MISSING);
	assert_true(verify_passed(&rep, 0));
	assert_false(verify_passed(&rep, 1));
	verify_report_free(&rep);

	/* a certificate changed in certs.jsonl */
	reset(state);
	t = *state;
	tw_default(t);
	tw_path(t, VERIFY_CERTS_FILE, path, sizeof(path));
	{
		char buf[4096];
		int fd = open(path, O_RDWR | O_CLOEXEC);
		ssize_t n;
		char *p;

		assert_true(fd >= 0);
		n = read(fd, buf, sizeof(buf) - 1);
		assert_true(n > 0);
		buf[n] = 0;
		p = strstr(strchr(buf, '\n'), "\"not_before\":");
		assert_non_null(p);
		p[14] = p[14] == '1' ? '2' : '1';
		assert_int_equal(pwrite(fd, buf, (size_t)n, 0), n);
		close(fd);
	}
	run(t, &rep);
	expect3(&rep, "valid", "valid", "valid");
	assert_int_equal(rep.certs, VERIFY_CERTS_BAD_SIG);
	assert_int_equal(rep.certs_line, 2);
	assert_false(verify_passed(&rep, 0));
	verify_report_free(&rep);
}

static void test_malformed(void **state)
{
	struct tw *t = *state;
	struct verify_opts o = {.max_line = 64};
	struct verify_report rep;
	char path[128];
	gzFile f;

	tw_default(t);
	tw_path(t, SEG2, path, sizeof(path));
	write_file(path, "not gzip at all\n", 16, 0);
	run(t, &rep);
	expect3(&rep, "valid", "malformed", "valid");
	verify_report_free(&rep);

	f = gzopen(path, "wbe");
	assert_non_null(f);
	gzputs(f, "hello\nworld\n");
	gzclose(f);
	run(t, &rep);
	expect3(&rep, "valid", "malformed", "valid");
	verify_report_free(&rep);

	/* lines longer than allowed */
	run_opts(t, &o, &rep);
	assert_verdict(&rep, SEG1, "malformed");
	verify_report_free(&rep);

	/* a store record missing a field, sealed properly */
	reset(state);
	t = *state;
	tw_segment(t);
	tw_key(t, &t->cert[0]);
	tw_record(t, "log.restart", "restart", "{\"clean\":false}");
	tw_seal(t);
	run(t, &rep);
	assert_verdict(&rep, SEG1, "malformed");
	verify_report_free(&rep);
}

static void test_explicit_segments(void **state)
{
	struct tw *t = *state;
	struct verify_report rep;
	char a[128], b[128];
	const char *segs[2] = {b, a};
	struct verify_opts o = {.segments = segs, .nsegments = 2};

	tw_default(t);
	tw_path(t, SEG2, a, sizeof(a));
	tw_path(t, SEG3, b, sizeof(b));
	run_opts(t, &o, &rep);
	assert_int_equal(rep.nsegs, 2);
	assert_verdict(&rep, SEG2, "valid");
	assert_verdict(&rep, SEG3, "valid");
	assert_int_equal(rep.head, VERIFY_HEAD_OK);
	assert_true(verify_passed(&rep, 1));
	verify_report_free(&rep);

	/* one in the middle: head.json is not its business */
	o.nsegments = 1;
	segs[0] = a;
	run_opts(t, &o, &rep);
	assert_verdict(&rep, SEG2, "valid");
	assert_int_equal(rep.head, VERIFY_HEAD_UNCHECKED);
	assert_true(verify_passed(&rep, 1));
	verify_report_free(&rep);
}

static void test_format(void **state)
{
	struct verify_segment s = {.name = SEG2, .verdict = VERIFY_MISSING, .a = 3, .b = 9};
	char buf[256];

	(void)state;
	verify_verdict_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "records missing (seq 3-9)");
	s.verdict = VERIFY_SEGMENT_MISSING;
	strcpy(s.other, SEG1);
	verify_verdict_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "segment missing between " SEG1 " and " SEG2);
	s.verdict = VERIFY_UNCERTIFIED_KEY;
	verify_verdict_format(&s, buf, sizeof(buf));
	assert_string_equal(buf, "key not certified by the chain");
	for (int v = 0; v < VERIFY__COUNT; v++)
		assert_string_not_equal(verify_verdict_name((enum verify_verdict)v), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chain_known_answer),
	    cmocka_unit_test(test_sign_known_answer),
	    cmocka_unit_test(test_time),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test_setup_teardown(test_valid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unsealed_tail, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_modified, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_signature_invalid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deleted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inserted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reordered, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_head_beyond, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_head_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_patterns, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_segment_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_segments_swapped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_replayed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_later_epoch_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_epoch_backwards, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_certs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stolen_key_reseals_earlier_epoch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_explicit_segments, setup, teardown),
	};

	if (cr_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
