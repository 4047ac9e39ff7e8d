/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The only file that touches libsodium. Hashes now; signatures, key
 * derivation and encryption join it with the signed store.
 */
#ifndef CAUDIT_CRYPTO_H
#define CAUDIT_CRYPTO_H

#include <stddef.h>

/* Initialise the library once; 0 or -EIO. */
int crypto_init(void);

/* BLAKE2b-256 of data as 64 lowercase hex characters plus NUL. */
void crypto_hash_hex(const void *data, size_t len, char out[65]);

#endif
