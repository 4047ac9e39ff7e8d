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

/* Overwrite secrets; the compiler may not drop it. */
void cr_wipe(void *p, size_t len);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void cr_to_hex(char *out, const uint8_t *in, size_t n);
/* Parse exactly 2n hex characters into n bytes: 0 or -EINVAL. */
int cr_from_hex(uint8_t *out, size_t n, const char *hex, size_t hexlen);

#endif
