/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The host's signing keys (docs/log-format.md "Keys"): the root key pair and
 * the current epoch key with its certificate, kept in a key directory.
 * Files holding secrets must be 0600 (or stricter) and owned by us; anything
 * looser is refused. Secrets are wiped from memory and from the replaced file.
 */
#ifndef CAUDIT_KEYS_H
#define CAUDIT_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "store_format.h"

#define KEYS_ROOT_PUB "root.pub"
#define KEYS_ROOT_KEY "root.key"
#define KEYS_STATE "state"

struct key_state {
	uint8_t root[CRYPTO_PUB_LEN];
	uint8_t secret[CRYPTO_SECRET_LEN]; /* current epoch's secret */
	struct store_cert cert;            /* current epoch: number, pub, not_before, sig */
};

/* Read a root public key file (64 hex + newline). 0 or negative errno, err set. */
int keys_read_root_pub(const char *path, uint8_t root[CRYPTO_PUB_LEN], char *err, size_t errlen);

/*
 * Create dir (0700) with a new root key pair and epoch 0 certified by it:
 * root.pub (0644), root.key (0600), state (0600). Refuses to overwrite.
 */
int keys_generate(const char *dir, uint64_t now_ns, char *err, size_t errlen);

/*
 * Load dir/state into ks. Refuses a file that group or others can access, or
 * that another user owns. -ENOENT when there is no state.
 */
int keys_load(const char *dir, struct key_state *ks, char *err, size_t errlen);

/* Certify a fresh epoch key `epoch` with dir/root.key and save it as the state. */
int keys_certify_from_root(const char *dir, uint64_t epoch, uint64_t now_ns, struct key_state *ks,
			   char *err, size_t errlen);

/*
 * Next epoch, starting at seq start_seq (where its log.key record goes):
 * new key pair certified by the current secret, state replaced
 * atomically (old file zeroed first), old secret wiped. On failure ks is
 * unchanged.
 */
int keys_advance(const char *dir, struct key_state *ks, uint64_t now_ns, uint64_t start_seq,
		 char *err, size_t errlen);

/*
 * The auditor's encryption keys: `caudit keygen --encryption` writes
 * dir/enc.pub (0644) and dir/enc.key (0600), 64 hex characters each.
 */
#define KEYS_ENC_PUB "enc.pub"
#define KEYS_ENC_KEY "enc.key"
int keys_generate_encryption(const char *dir, char *err, size_t errlen);
/* Read an enc.key (refusing loose permissions): secret and its public key. */
int keys_read_enc_secret(const char *path, uint8_t secret[CRYPTO_BOX_SECRET_LEN],
			 uint8_t pub[CRYPTO_BOX_PUB_LEN], char *err, size_t errlen);

/* Wipe the secret. */
void keys_wipe(struct key_state *ks);

#endif
