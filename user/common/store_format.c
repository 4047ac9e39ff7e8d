/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_format.h"

#define SEQ_PREFIX "{\"schema\":1,\"seq\":"
#define CERT_TAG "caudit-cert-v1"
#define SEAL_TAG "caudit-seal-v1"

static uint8_t *put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

static uint8_t *put_bytes(uint8_t *p, const void *b, size_t n)
{
	memcpy(p, b, n);
	return p + n;
}

/* "caudit-cert-v1\0" || root || epoch || pub || not_before || start_seq */
static size_t cert_msg(uint8_t *out, const uint8_t root[CRYPTO_PUB_LEN], const struct store_cert *c)
{
	uint8_t *p = out;

	p = put_bytes(p, CERT_TAG, sizeof(CERT_TAG));
	p = put_bytes(p, root, CRYPTO_PUB_LEN);
	p = put_u64(p, c->epoch);
	p = put_bytes(p, c->pub, CRYPTO_PUB_LEN);
	p = put_u64(p, c->not_before);
	p = put_u64(p, c->start_seq);
	return (size_t)(p - out);
}

/* "caudit-seal-v1\0" || root || epoch || first || last || head || time || late || cipher_head
 * || count || reason[16] */
static size_t seal_msg(uint8_t *out, const uint8_t root[CRYPTO_PUB_LEN], const struct store_seal *s)
{
	uint8_t *p = out;

	p = put_bytes(p, SEAL_TAG, sizeof(SEAL_TAG));
	p = put_bytes(p, root, CRYPTO_PUB_LEN);
	p = put_u64(p, s->epoch);
	p = put_u64(p, s->first_seq);
	p = put_u64(p, s->last_seq);
	p = put_bytes(p, s->head, CRYPTO_HASH_LEN);
	p = put_u64(p, s->time_ns);
	*p++ = s->late ? 1 : 0;
	/* zeros for plain segments: one message layout for both kinds */
	if (s->has_cipher)
		p = put_bytes(p, s->cipher_head, CRYPTO_HASH_LEN);
	else
		p = (uint8_t *)memset(p, 0, CRYPTO_HASH_LEN) + CRYPTO_HASH_LEN;
	/* count and reason too: "shutdown" is a signed claim of a clean stop */
	p = put_u64(p, s->count);
	memset(p, 0, sizeof(s->reason));
	memcpy(p, s->reason, strnlen(s->reason, sizeof(s->reason) - 1));
	p += sizeof(s->reason);
	return (size_t)(p - out);
}

void store_cert_sign(struct store_cert *c, const uint8_t root[CRYPTO_PUB_LEN],
		     const uint8_t signer_secret[CRYPTO_SECRET_LEN])
{
	uint8_t m[128];

	cr_sign(c->sig, m, cert_msg(m, root, c), signer_secret);
}

int store_cert_verify(const struct store_cert *c, const uint8_t root[CRYPTO_PUB_LEN],
		      const uint8_t signer_pub[CRYPTO_PUB_LEN])
{
	uint8_t m[128];

	return cr_verify(c->sig, m, cert_msg(m, root, c), signer_pub);
}

void store_seal_sign(struct store_seal *s, const uint8_t root[CRYPTO_PUB_LEN],
		     const uint8_t secret[CRYPTO_SECRET_LEN])
{
	uint8_t m[224];

	cr_sign(s->sig, m, seal_msg(m, root, s), secret);
}

int store_seal_verify(const struct store_seal *s, const uint8_t root[CRYPTO_PUB_LEN],
		      const uint8_t pub[CRYPTO_PUB_LEN])
{
	uint8_t m[224];

	return cr_verify(s->sig, m, seal_msg(m, root, s), pub);
}

static void write_hex(struct jsonw *w, const char *key, const uint8_t *b, size_t n)
{
	char hex[2 * 64 + 1];

	cr_to_hex(hex, b, n);
	jw_string(w, key, hex, 2 * n);
}

void store_cert_write(struct jsonw *w, const char *key, const struct store_cert *c)
{
	jw_object_begin(w, key);
	jw_uint(w, "epoch", c->epoch);
	write_hex(w, "pub", c->pub, sizeof(c->pub));
	jw_uint(w, "not_before", c->not_before);
	jw_uint(w, "start_seq", c->start_seq);
	write_hex(w, "sig", c->sig, sizeof(c->sig));
	jw_object_end(w);
}

void store_seal_write(struct jsonw *w, const char *key, const struct store_seal *s)
{
	jw_object_begin(w, key);
	jw_uint(w, "epoch", s->epoch);
	jw_uint(w, "first_seq", s->first_seq);
	jw_uint(w, "last_seq", s->last_seq);
	jw_uint(w, "count", s->count);
	write_hex(w, "head", s->head, sizeof(s->head));
	jw_bool(w, "late", s->late);
	jw_cstring(w, "reason", s->reason);
	if (s->has_cipher)
		write_hex(w, "cipher_head", s->cipher_head, sizeof(s->cipher_head));
	write_hex(w, "sig", s->sig, sizeof(s->sig));
	jw_object_end(w);
}

int store_json_u64(json_object *o, const char *key, uint64_t *v)
{
	json_object *m;

	if (!json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_int))
		return -EINVAL;
	errno = 0;
	*v = json_object_get_uint64(m);
	if (errno || json_object_get_int64(m) < 0)
		return -EINVAL;
	return 0;
}

int store_json_hex(json_object *o, const char *key, uint8_t *out, size_t n)
{
	json_object *m;
	const char *s;

	if (!json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_string))
		return -EINVAL;
	s = json_object_get_string(m);
	return cr_from_hex(out, n, s, (size_t)json_object_get_string_len(m));
}

int store_cert_read(json_object *o, struct store_cert *c)
{
	memset(c, 0, sizeof(*c));
	if (!o || !json_object_is_type(o, json_type_object) ||
	    store_json_u64(o, "epoch", &c->epoch) ||
	    store_json_hex(o, "pub", c->pub, sizeof(c->pub)) ||
	    store_json_u64(o, "not_before", &c->not_before) ||
	    store_json_u64(o, "start_seq", &c->start_seq) ||
	    store_json_hex(o, "sig", c->sig, sizeof(c->sig)))
		return -EINVAL;
	return 0;
}

int store_seal_read(json_object *o, struct store_seal *s)
{
	json_object *m;
	const char *r;

	memset(s, 0, sizeof(*s));
	if (!o || !json_object_is_type(o, json_type_object) ||
	    store_json_u64(o, "epoch", &s->epoch) ||
	    store_json_u64(o, "first_seq", &s->first_seq) ||
	    store_json_u64(o, "last_seq", &s->last_seq) || store_json_u64(o, "count", &s->count) ||
	    store_json_hex(o, "head", s->head, sizeof(s->head)) ||
	    store_json_hex(o, "sig", s->sig, sizeof(s->sig)))
		return -EINVAL;
	if (!json_object_object_get_ex(o, "late", &m) || !json_object_is_type(m, json_type_boolean))
		return -EINVAL;
	s->late = json_object_get_boolean(m);
	if (!json_object_object_get_ex(o, "reason", &m) ||
	    !json_object_is_type(m, json_type_string))
		return -EINVAL;
	r = json_object_get_string(m);
	if (strlen(r) >= sizeof(s->reason))
		return -EINVAL;
	strcpy(s->reason, r);
	if (json_object_object_get_ex(o, "cipher_head", &m)) {
		if (store_json_hex(o, "cipher_head", s->cipher_head, sizeof(s->cipher_head)))
			return -EINVAL;
		s->has_cipher = 1;
	}
	return 0;
}

void store_segment_name(char out[STORE_SEG_NAME_LEN], uint64_t first_seq)
{
	snprintf(out, STORE_SEG_NAME_LEN, STORE_SEG_PREFIX "%020" PRIu64 STORE_SEG_SUFFIX,
		 first_seq);
}

int store_segment_parse(const char *name, uint64_t *first_seq)
{
	size_t pl = strlen(STORE_SEG_PREFIX), sl = strlen(STORE_SEG_SUFFIX);
	uint64_t v = 0;

	if (strlen(name) != pl + 20 + sl || strncmp(name, STORE_SEG_PREFIX, pl) ||
	    strcmp(name + pl + 20, STORE_SEG_SUFFIX))
		return -EINVAL;
	for (size_t i = pl; i < pl + 20; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	*first_seq = v;
	return 0;
}

void store_segment_name_enc(char out[STORE_SEG_NAME_LEN], uint64_t first_seq)
{
	snprintf(out, STORE_SEG_NAME_LEN, STORE_SEG_PREFIX "%020" PRIu64 STORE_SEG_SUFFIX_ENC,
		 first_seq);
}

int store_segment_parse_any(const char *name, uint64_t *first_seq, int *encrypted)
{
	size_t n = strlen(name), el = strlen(STORE_SEG_SUFFIX_ENC), pl = strlen(STORE_SEG_SUFFIX);
	char plain[STORE_SEG_NAME_LEN];

	if (store_segment_parse(name, first_seq) == 0) {
		*encrypted = 0;
		return 0;
	}
	/* the encrypted name is the plain name plus ".enc" */
	if (n >= sizeof(plain) || n < el || strcmp(name + n - el, STORE_SEG_SUFFIX_ENC))
		return -EINVAL;
	memcpy(plain, name, n - el + pl);
	plain[n - el + pl] = 0;
	if (store_segment_parse(plain, first_seq))
		return -EINVAL;
	*encrypted = 1;
	return 0;
}

void store_enc_header_write(uint8_t out[STORE_ENC_HEADER_LEN], const struct store_enc_header *h)
{
	uint8_t *p = out;

	p = put_bytes(p, STORE_ENC_MAGIC, STORE_ENC_MAGIC_LEN);
	p = put_bytes(p, h->recipient, sizeof(h->recipient));
	p = put_bytes(p, h->sealed_key, sizeof(h->sealed_key));
	put_bytes(p, h->stream_header, sizeof(h->stream_header));
}

int store_enc_header_read(const uint8_t *buf, size_t len, struct store_enc_header *h)
{
	const uint8_t *p = buf + STORE_ENC_MAGIC_LEN;

	if (len < STORE_ENC_HEADER_LEN || memcmp(buf, STORE_ENC_MAGIC, STORE_ENC_MAGIC_LEN))
		return -EINVAL;
	memcpy(h->recipient, p, sizeof(h->recipient));
	p += sizeof(h->recipient);
	memcpy(h->sealed_key, p, sizeof(h->sealed_key));
	p += sizeof(h->sealed_key);
	memcpy(h->stream_header, p, sizeof(h->stream_header));
	return 0;
}

void store_frame_header(uint8_t out[STORE_FRAME_HDR], char type, uint32_t body_len)
{
	out[0] = (uint8_t)type;
	for (int i = 0; i < 4; i++)
		out[1 + i] = (uint8_t)(body_len >> (8 * i));
}

static uint64_t get_u64le(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

int store_frame_next(const uint8_t *buf, size_t len, size_t *off, struct store_frame *f)
{
	const uint8_t *p = buf + *off;
	size_t left = len - *off;
	uint32_t n = 0;

	memset(f, 0, sizeof(*f));
	if (*off >= len)
		return 0;
	if (left < STORE_FRAME_HDR)
		return -EBADMSG;
	for (int i = 3; i >= 0; i--)
		n = (n << 8) | p[1 + i];
	if (n > STORE_FRAME_MAX || n > left - STORE_FRAME_HDR)
		return -EBADMSG;
	f->type = (char)p[0];
	f->body = p + STORE_FRAME_HDR;
	f->len = n;
	if (f->type == STORE_FRAME_DATA) {
		if (n < STORE_DATA_META + CRYPTO_STREAM_ABYTES)
			return -EBADMSG;
		f->last_seq = get_u64le(f->body);
		f->head = f->body + 8;
		f->cipher = f->body + STORE_DATA_META;
		f->cipher_len = n - STORE_DATA_META;
	} else if (f->type != STORE_FRAME_SEAL) {
		return -EBADMSG;
	}
	*off += STORE_FRAME_HDR + n;
	return 1;
}

/* Length of the seq prefix including its digits, 0 if absent. */
static size_t seq_prefix(const char *line, size_t len, uint64_t *seq)
{
	size_t pl = strlen(SEQ_PREFIX), i;
	uint64_t v = 0;

	if (len <= pl || memcmp(line, SEQ_PREFIX, pl))
		return 0;
	for (i = pl; i < len && line[i] >= '0' && line[i] <= '9' && i - pl < 20; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(line[i] - '0');
	}
	if (i == pl || i >= len || (line[i] != ',' && line[i] != '}'))
		return 0;
	if (seq)
		*seq = v;
	return i;
}

int store_record_seq(const char *line, size_t len, uint64_t *seq)
{
	return seq_prefix(line, len, seq) ? 0 : -EINVAL;
}

int store_splice_prev(char *out, size_t outlen, const char *rec, size_t len,
		      const uint8_t prev_head[CRYPTO_HASH_LEN])
{
	size_t at = seq_prefix(rec, len, NULL);
	char hex[STORE_PREV_HEX + 1];

	if (!at || rec[at] != ',')
		return -EINVAL;
	if (outlen < len + STORE_PREV_FIELD_LEN)
		return -ENOSPC;
	cr_to_hex(hex, prev_head, STORE_PREV_HEX / 2);
	memcpy(out, rec, at + 1);
	memcpy(out + at + 1, "\"prev\":\"", 8);
	memcpy(out + at + 9, hex, STORE_PREV_HEX);
	memcpy(out + at + 9 + STORE_PREV_HEX, "\",", 2);
	memcpy(out + at + 1 + STORE_PREV_FIELD_LEN, rec + at + 1, len - at - 1);
	return (int)(len + STORE_PREV_FIELD_LEN);
}

int store_prev_matches(const char *line, size_t len, const uint8_t prev_head[CRYPTO_HASH_LEN])
{
	size_t at = seq_prefix(line, len, NULL);
	char hex[STORE_PREV_HEX + 1];

	if (!at || len < at + STORE_PREV_FIELD_LEN || memcmp(line + at, ",\"prev\":\"", 9))
		return 0;
	cr_to_hex(hex, prev_head, STORE_PREV_HEX / 2);
	return memcmp(line + at + 9, hex, STORE_PREV_HEX) == 0 &&
	       memcmp(line + at + 9 + STORE_PREV_HEX, "\",", 2) == 0;
}

void store_genesis(uint8_t out[CRYPTO_HASH_LEN], const char *cert0_line, size_t len)
{
	cr_hash(out, cert0_line, len);
}
