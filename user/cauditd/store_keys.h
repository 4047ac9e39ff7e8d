/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The store's side of the keys: loading them, certs.jsonl, epoch changes. */
#ifndef CAUDIT_STORE_KEYS_H
#define CAUDIT_STORE_KEYS_H

#include "store.h"

#define STORE_CERTS "certs.jsonl"

/* log_group -> st->gid */
int store_keys_resolve_group(struct store *st, char *err, size_t errlen);
/*
 * Load the epoch key from key_dir (generating the root key on a first start),
 * and bring certs.jsonl in line with it; refuses a key state older than the
 * newest certificate (rolled back) or one that contradicts it.
 */
int store_keys_open(struct store *st, char *err, size_t errlen);
/* The chain's start for a host's first segment: H(first line of certs.jsonl). */
int store_keys_genesis(struct store *st, char *err, size_t errlen);
/* Append a log.key record for the current epoch. */
int store_keys_write_record(struct store *st);
/* Move to the next epoch (after a seal): new key, certificate, log.key record. */
void store_keys_next_epoch(struct store *st);

#endif
