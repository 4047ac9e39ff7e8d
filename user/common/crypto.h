/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The only file that touches libsodium: BLAKE2b-256 hashes, Ed25519 keys and
 * signatures, randomness, wiping. Other modules see fixed-size byte arrays.
 */
#ifndef CAUDIT_CRYPTO_H
#define CAUDIT_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_HASH_LEN 32
#define CRYPTO_PUB_LEN 32
#define CRYPTO_SECRET_LEN 64
#define CRYPTO_SIG_LEN 64

/* Initialise the library once; 0 or -EIO. */
int cr_init(void);

/* BLAKE2b-256 of data as 64 lowercase hex characters plus NUL. */
void cr_hash_hex(const void *data, size_t len, char out[65]);
/* BLAKE2b-256 of data. */
void cr_hash(uint8_t out[CRYPTO_HASH_LEN], const void *data, size_t len);
/* One chain step: out = H(prev || data). out may alias prev. */
void cr_chain(uint8_t out[CRYPTO_HASH_LEN], const uint8_t prev[CRYPTO_HASH_LEN],
		  const void *data, size_t len);

/* New Ed25519 key pair. */
void cr_keypair(uint8_t pub[CRYPTO_PUB_LEN], uint8_t secret[CRYPTO_SECRET_LEN]);
/* Detached signature of msg. */
void cr_sign(uint8_t sig[CRYPTO_SIG_LEN], const void *msg, size_t len,
		 const uint8_t secret[CRYPTO_SECRET_LEN]);
/* 0 when sig is pub's signature of msg, -EBADMSG otherwise. */
int cr_verify(const uint8_t sig[CRYPTO_SIG_LEN], const void *msg, size_t len,
		  const uint8_t pub[CRYPTO_PUB_LEN]);

/* ---- encryption to an auditor: X25519 sealed boxes + secretstream ---- */
#define CRYPTO_BOX_PUB_LEN 32
#define CRYPTO_BOX_SECRET_LEN 32
#define CRYPTO_STREAM_KEY_LEN 32
#define CRYPTO_SEALED_KEY_LEN (CRYPTO_STREAM_KEY_LEN + 48) /* crypto_box_SEALBYTES */
#define CRYPTO_STREAM_HEADER_LEN 24
#define CRYPTO_STREAM_ABYTES 17

/* secretstream state, opaque (libsodium's is 52 bytes) */
struct cr_stream {
	uint8_t opaque[64];
};

/* The X25519 public key of secret. */
void cr_box_public(uint8_t pub[CRYPTO_BOX_PUB_LEN], const uint8_t secret[CRYPTO_BOX_SECRET_LEN]);
/* New X25519 key pair for an auditor. */
void cr_box_keypair(uint8_t pub[CRYPTO_BOX_PUB_LEN], uint8_t secret[CRYPTO_BOX_SECRET_LEN]);

/*
 * Start an encrypted stream to `recipient`: a fresh key, sealed to the
 * recipient (sealed_key), and the stream header. The key is wiped here.
 */
int cr_stream_push_init(struct cr_stream *st, uint8_t sealed_key[CRYPTO_SEALED_KEY_LEN],
			uint8_t header[CRYPTO_STREAM_HEADER_LEN],
			const uint8_t recipient[CRYPTO_BOX_PUB_LEN]);
/* Encrypt one message: out gets len + CRYPTO_STREAM_ABYTES bytes. */
int cr_stream_push(struct cr_stream *st, uint8_t *out, const uint8_t *in, size_t len);
/* Open a stream with the recipient's key pair: 0, or -EBADMSG (not for this key). */
int cr_stream_pull_init(struct cr_stream *st, const uint8_t sealed_key[CRYPTO_SEALED_KEY_LEN],
			const uint8_t header[CRYPTO_STREAM_HEADER_LEN],
			const uint8_t pub[CRYPTO_BOX_PUB_LEN],
			const uint8_t secret[CRYPTO_BOX_SECRET_LEN]);
/*
 * Decrypt the next message (len bytes, including CRYPTO_STREAM_ABYTES) into
 * out (len - ABYTES bytes): 0, or -EBADMSG when it was altered or reordered.
 */
int cr_stream_pull(struct cr_stream *st, uint8_t *out, const uint8_t *in, size_t len);

/* Overwrite secrets; the compiler may not drop it. */
void cr_wipe(void *p, size_t len);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void cr_to_hex(char *out, const uint8_t *in, size_t n);
/* Parse exactly 2n hex characters into n bytes: 0 or -EINVAL. */
int cr_from_hex(uint8_t *out, size_t n, const char *hex, size_t hexlen);

#endif
