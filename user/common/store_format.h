/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The signed log's format (docs/log-format.md) as pure functions shared by
 * the writer (cauditd's store) and the readers (caudit verify, search):
 * signed messages, certificate and seal records, the "prev" link, segment
 * names. No I/O.
 */
#ifndef CAUDIT_STORE_FORMAT_H
#define CAUDIT_STORE_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "crypto.h"
#include "jsonw.h"

#define STORE_SEG_PREFIX "seg-"
#define STORE_SEG_SUFFIX ".jsonl.gz"
#define STORE_SEG_SUFFIX_ENC ".jsonl.gz.enc"
#define STORE_SEG_NAME_LEN 40   /* "seg-" 20 digits ".jsonl.gz.enc" + NUL = 38 */
#define STORE_PREV_HEX 16       /* hex digits of h(n-1) in "prev" */
#define STORE_PREV_FIELD_LEN 26 /* "prev":"<16 hex>", */

struct store_cert {
	uint64_t epoch;
	uint8_t pub[CRYPTO_PUB_LEN];
	uint64_t not_before;     /* ns since the Unix epoch */
	/*
	 * First seq this key may seal (the seq of its log.key record) when the
	 * previous epoch's key certified it; 0 when the root key did. Binding the
	 * epoch to its place in the chain is what keeps a stolen key from
	 * re-sealing the epoch before it.
	 */
	uint64_t start_seq;
	uint8_t sig[CRYPTO_SIG_LEN];
};

struct store_seal {
	uint64_t epoch;
	uint64_t first_seq;
	uint64_t last_seq;
	uint64_t count;
	uint64_t time_ns;        /* the seal record's "time" */
	uint8_t head[CRYPTO_HASH_LEN];
	int late;
	char reason[16];
	int has_cipher;          /* an encrypted segment: cipher_head is signed too */
	uint8_t cipher_head[CRYPTO_HASH_LEN];
	uint8_t sig[CRYPTO_SIG_LEN];
};

/*
 * Encrypted segments (docs/log-format.md "Encryption"): a fixed header, then
 * frames. D frames hold secretstream ciphertext of the gzip stream, with the
 * seq and chain head reached after them in the clear; S frames hold seal
 * records in the clear. The cipher chain runs over the header and every frame.
 */
#define STORE_ENC_MAGIC "CAUDTX01"
#define STORE_ENC_MAGIC_LEN 8
#define STORE_ENC_HEADER_LEN                                                                 \
	(STORE_ENC_MAGIC_LEN + CRYPTO_BOX_PUB_LEN + CRYPTO_SEALED_KEY_LEN + CRYPTO_STREAM_HEADER_LEN)
#define STORE_FRAME_HDR 5         /* type, u32 little-endian body length */
#define STORE_FRAME_DATA 'D'
#define STORE_FRAME_SEAL 'S'
#define STORE_FRAME_MAX (16u << 20)
#define STORE_DATA_META (8 + CRYPTO_HASH_LEN) /* last_seq, head */

struct store_enc_header {
	uint8_t recipient[CRYPTO_BOX_PUB_LEN];
	uint8_t sealed_key[CRYPTO_SEALED_KEY_LEN];
	uint8_t stream_header[CRYPTO_STREAM_HEADER_LEN];
};

struct store_frame {
	char type;
	const uint8_t *body;
	uint32_t len;
	/* D frames */
	uint64_t last_seq;
	const uint8_t *head;
	const uint8_t *cipher;
	uint32_t cipher_len;
};

void store_enc_header_write(uint8_t out[STORE_ENC_HEADER_LEN], const struct store_enc_header *h);
/* 0, or -EINVAL when buf does not start with an encrypted segment header. */
int store_enc_header_read(const uint8_t *buf, size_t len, struct store_enc_header *h);
/* The 5-byte frame header. */
void store_frame_header(uint8_t out[STORE_FRAME_HDR], char type, uint32_t body_len);
/*
 * The frame at buf[*off]: 1 and *off advanced, 0 at the end, -EBADMSG when
 * the frame is torn (cut short) or malformed.
 */
int store_frame_next(const uint8_t *buf, size_t len, size_t *off, struct store_frame *f);

/* Sign c with signer_secret (the root key for epoch 0, else epoch-1's key). */
void store_cert_sign(struct store_cert *c, const uint8_t root[CRYPTO_PUB_LEN],
		     const uint8_t signer_secret[CRYPTO_SECRET_LEN]);
/* 0 when c is signed by signer_pub, -EBADMSG otherwise. */
int store_cert_verify(const struct store_cert *c, const uint8_t root[CRYPTO_PUB_LEN],
		      const uint8_t signer_pub[CRYPTO_PUB_LEN]);

void store_seal_sign(struct store_seal *s, const uint8_t root[CRYPTO_PUB_LEN],
		     const uint8_t secret[CRYPTO_SECRET_LEN]);
int store_seal_verify(const struct store_seal *s, const uint8_t root[CRYPTO_PUB_LEN],
		      const uint8_t pub[CRYPTO_PUB_LEN]);

/* Members "key" / "seal" objects (inside an open object) */
void store_cert_write(struct jsonw *w, const char *key, const struct store_cert *c);
void store_seal_write(struct jsonw *w, const char *key, const struct store_seal *s);
/* Parse the object of a "key" / "seal" member; 0 or -EINVAL. */
int store_cert_read(json_object *o, struct store_cert *c);
int store_seal_read(json_object *o, struct store_seal *s);

/* Members of untrusted JSON: a non-negative integer; exactly n bytes of hex. 0 or -EINVAL. */
int store_json_u64(json_object *o, const char *key, uint64_t *v);
int store_json_hex(json_object *o, const char *key, uint8_t *out, size_t n);

/* "seg-%020llu.jsonl.gz" */
void store_segment_name(char out[STORE_SEG_NAME_LEN], uint64_t first_seq);
/* 0 and *first_seq when name is a segment name, -EINVAL otherwise. */
int store_segment_parse(const char *name, uint64_t *first_seq);
/* Either kind of segment: *encrypted says which. */
int store_segment_parse_any(const char *name, uint64_t *first_seq, int *encrypted);
/* "seg-%020llu.jsonl.gz.enc" */
void store_segment_name_enc(char out[STORE_SEG_NAME_LEN], uint64_t first_seq);

/*
 * The seq of a record line ({"schema":1,"seq":N,...), reading only its
 * prefix. 0 or -EINVAL.
 */
int store_record_seq(const char *line, size_t len, uint64_t *seq);

/*
 * Copy rec into out with "prev":"<hex of prev_head[0..8)>" inserted after the
 * seq member. Returns the new length, or -EINVAL (rec has no seq prefix) /
 * -ENOSPC (outlen < len + STORE_PREV_FIELD_LEN).
 */
int store_splice_prev(char *out, size_t outlen, const char *rec, size_t len,
		      const uint8_t prev_head[CRYPTO_HASH_LEN]);

/*
 * Check a line's "prev" against h(n-1): 1 when it matches, 0 when it does
 * not or is missing.
 */
int store_prev_matches(const char *line, size_t len, const uint8_t prev_head[CRYPTO_HASH_LEN]);

/* The chain's starting value: H(cert_0 line). */
void store_genesis(uint8_t out[CRYPTO_HASH_LEN], const char *cert0_line, size_t len);

#endif
