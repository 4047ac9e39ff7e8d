/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The signed log store (docs/log-format.md): a sink that chains every record,
 * seals blocks with forward-secure epoch keys, compresses each block as one
 * gzip member, rotates and prunes segments, survives kill -9 and full disks.
 */
#ifndef CAUDIT_STORE_H
#define CAUDIT_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <zlib.h>

#include "config.h"
#include "encode.h"
#include "keys.h"
#include "seg_index.h"
#include "sink.h"
#include "store_format.h"

#define STORE_ZBUF (64 * 1024)
#define STORE_BLOCK_MAX (32u << 20) /* a block kept in memory while the disk fails */

struct store {
	struct sink base;
	struct ca_config cfg;
	int dfd;                      /* log directory */
	gid_t gid;                    /* log_group */
	struct key_state keys;
	struct enc_host host;
	struct enc_ctx enc;
	struct jsonw w;               /* the store's own records */

	/* the open segment */
	int fd;
	char seg[STORE_SEG_NAME_LEN];
	uint64_t seg_index;
	int64_t seg_opened_ns;        /* CLOCK_MONOTONIC */
	uint64_t seg_bytes;           /* compressed bytes in the file */
	uint64_t block_off;           /* file offset where the open block begins */

	/* compression of the open block (one gzip member) */
	z_stream z;
	int z_ready;
	int z_pending;                /* deflated since the last flush */
	unsigned char zbuf[STORE_ZBUF];

	/* the open block, kept to rewrite it after a write failure */
	char *blk;
	size_t blk_len, blk_cap;

	/* chain */
	uint8_t head[CRYPTO_HASH_LEN]; /* h(last_seq) */
	uint64_t block_first;          /* seq of the block's first record */
	uint64_t block_count;
	int64_t last_seal_ns;          /* CLOCK_MONOTONIC */
	int64_t last_seal_real_ns;     /* for caudit status */

	/* splice buffer */
	char *line;
	size_t line_cap;

	/* encryption to an auditor (encrypt_to): docs/log-format.md "Encryption" */
	int encrypted;                 /* the open segment is encrypted */
	int encrypt_new;               /* new segments are encrypted */
	uint8_t recipient[CRYPTO_BOX_PUB_LEN];
	struct cr_stream ss;           /* secretstream of the open segment */
	struct cr_stream ss_block;     /* ... as it was when the open block began */
	uint8_t chead[CRYPTO_HASH_LEN];       /* cipher chain over header and frames */
	uint8_t chead_block[CRYPTO_HASH_LEN];
	uint8_t *chunk;                /* compressed bytes not yet in a D frame */
	size_t chunk_len, chunk_cap;
	uint8_t *frame;                /* a frame being written */
	size_t frame_cap;
	int seal_frame;                /* the record being appended is a seal: S frame */

	/* failures (docs/operations: disk conditions) */
	int failed;                   /* the disk refused a write; block kept in memory */
	int fail_action;
	int fail_errno;
	int64_t retry_at_ns;
	uint64_t lost;                /* records refused since writing stopped */
	int64_t lost_from_ns;
	int64_t next_disk_check_ns;
	int space_warned, admin_warned, admin_suspended;
	int fatal;                    /* halt: the agent must stop */

	/* the open segment's search index (store_index.c) */
	struct six_builder ix;
	int ix_ready, ix_on;
	struct store_seal last_seal;
	int have_last_seal;
};

/*
 * Open the store in cfg->log_dir with keys from cfg->key_dir (created on
 * first use), recovering what a crash left. 0 or negative errno, err set.
 */
int store_open(struct sink **out, const struct ca_config *cfg, const struct enc_host *host,
	       char *err, size_t errlen);

/* 1 when a halt action fired: the agent must stop. */
int store_fatal(const struct sink *s);

/* What caudit status shows about the store. */
struct store_info {
	uint64_t last_seq;
	int64_t last_seal_real_ns;    /* 0: none since start */
	uint64_t epoch;
	int64_t epoch_not_before_ns;  /* the epoch key's birth */
	int failed;                   /* writing stopped (disk condition) */
	uint64_t lost;
	int dfd;                      /* the log directory (borrowed) */
	char segment[STORE_SEG_NAME_LEN];
};
int store_info(const struct sink *s, struct store_info *out);

/* internal, shared by store*.c */
int store_emit(struct store *st, const char *rec, size_t len);
int store_append_raw(struct store *st, const char *line, size_t len);
int store_seal(struct store *st, const char *reason, int late);
/* Encrypted segments: write an S frame with a late seal over trailing D frames (recovery). */
int store_seal_frames_late(struct store *st, uint64_t first_seq, uint64_t last_seq,
			   const uint8_t head[CRYPTO_HASH_LEN]);
int store_begin_segment(struct store *st, const char *prev, uint64_t prev_index, int genesis);
void store_write_internal_begin(struct store *st, const char *event);
int store_write_internal_end(struct store *st);
int64_t store_now_real_ns(void);

/* store_index.c: the segment index, fed line by line, written when the segment closes */
void store_index_begin(struct store *st);
void store_index_line(struct store *st, const char *line, size_t len);
void store_index_sealed(struct store *st, const struct store_seal *s);
void store_index_write(struct store *st);
void store_index_remove(struct store *st, const char *segment);
void store_index_free(struct store *st);
int64_t store_now_mono_ns(void);

struct store_recovered {
	int found;               /* a previous segment exists */
	int clean;               /* it ended with a shutdown seal */
	uint64_t recovered;      /* unsealed records sealed late */
	uint64_t previous_last_seq;
	uint64_t durable_last_seq; /* last seq the crashed run left, before recovery wrote */
	char seg[STORE_SEG_NAME_LEN];
	uint64_t seg_index;
};

/* Find the newest segment, cut a torn tail, late-seal unsealed records. */
int store_recover(struct store *st, struct store_recovered *rr, char *err, size_t errlen);

/* Retention and free-space checks (store_disk.c). */
void store_retention(struct store *st);
void store_disk_check(struct store *st);
/* A write failed with errno e: apply disk_full_action / disk_error_action. */
void store_write_failed(struct store *st, int e);
/* Write the kept block again as a fresh member (store.c); 0 when the disk took it. */
int store_rewrite_block(struct store *st);
/* Try to write the kept block again; 0 when the disk took it. */
int store_retry(struct store *st);

#endif
