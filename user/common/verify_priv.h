/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Internals shared by the verifier's files (not an interface):
 *   verify.c          the run: segment list, links between segments, head.json, totals
 *   verify_keys.c     the epoch key table, certs.jsonl, head.json loading
 *   verify_records.c  JSON of store records, times
 *   verify_segment.c  one segment: gzip members, lines, the chain, links
 *   verify_store.c    store records in the chain: seals, keys, retention
 *   verify_report.c   verdict words, pass/fail
 */
#ifndef CAUDIT_VERIFY_PRIV_H
#define CAUDIT_VERIFY_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "verify.h"

#define VERIFY_MAX_KEYS (1u << 22)	/* epochs known at once */
#define VERIFY_MAX_RETENTION (1u << 16) /* log.retention records remembered */
#define VERIFY_CERTS_MAX_BYTES (64u << 20)
#define VERIFY_CERT_LINE_MAX 4096
#define VERIFY_HEAD_MAX_BYTES 4096
#define VERIFY_IO_CHUNK (256u << 10)
#define VERIFY_MISPLACED 64 /* names claimed by misplaced segments, remembered */

struct verify_key {
	uint64_t epoch;
	uint8_t pub[CRYPTO_PUB_LEN];
	uint64_t start_seq; /* first seq it may seal; 0: root-certified, any */
	int ok; /* 1: certified; 0: its certificate's signature is invalid */
};

/* A log.segment record's "segment" member and its seq. */
struct verify_header {
	uint64_t seq;
	char name[STORE_SEG_NAME_LEN];
	uint64_t index;
	int has_prev;
	char prev[STORE_SEG_NAME_LEN];
	uint64_t prev_last_seq;
	uint8_t prev_head[CRYPTO_HASH_LEN];
	uint8_t root[CRYPTO_PUB_LEN];
	uint64_t epoch;
};

struct verify_retention {
	uint64_t last_seq;
	int has_head;
	uint8_t last_head[CRYPTO_HASH_LEN];
	char last_removed[STORE_SEG_NAME_LEN]; /* greatest name in "removed" */
};

/* Where the segment before the current one ended. */
struct verify_end {
	int present;
	int complete;	/* verified to its end: valid or unsealed tail */
	size_t idx;	/* in rep->segs */
	uint64_t index; /* its header's index */
	uint64_t last_seq;
	uint64_t epoch; /* current epoch at its end */
	uint8_t head[CRYPTO_HASH_LEN];
};

/* head.json: the last seal (its record's seq, its segment, the seal itself) */
struct verify_head_json {
	int present;
	char segment[STORE_SEG_NAME_LEN];
	uint64_t seal_seq;
	struct store_seal z; /* time_ns from head.json's "time_ns" */
	int matched;	     /* 1 the log's seal at seal_seq is this one, -1 it differs */
};

struct verify_ctx {
	const struct verify_opts *o;
	struct verify_report *rep;
	size_t max_line;
	uint64_t max_bytes;
	struct verify_key *keys; /* sorted by epoch */
	size_t nkeys, capkeys;
	uint8_t genesis[CRYPTO_HASH_LEN];
	int have_genesis;
	struct verify_retention *ret;
	size_t nret, capret;
	int anchor_first; /* explicit segments: the oldest starts from its header */
	int first_needs_retention;
	struct verify_header first_hdr;
	struct verify_head_json hj;
	uint64_t max_seal_seq; /* greatest seq of a verified seal record */
	int any_sealed;
	struct verify_end prev;
	/* header names of segments found under another file name (swapped, replayed) */
	char misplaced[VERIFY_MISPLACED][STORE_SEG_NAME_LEN];
	size_t nmisplaced;
	uint64_t done, total, reported;
	json_tokener *tok;
	unsigned char *in, *out;
	char *line;
};

enum { VERIFY_PROV_NONE, VERIFY_PROV_MISSING, VERIFY_PROV_MOVED };

/* The verification of one segment (verify_segment.c, verify_store.c). */
struct verify_seg {
	struct verify_ctx *c;
	struct verify_segment *out;
	int newest;
	int have_header;
	int misplaced; /* its header names another file */
	int link_due;  /* the header's links, checked with the next line */
	int need_genesis;
	struct verify_header hdr;
	uint8_t h[CRYPTO_HASH_LEN];  /* head after the last accepted record */
	uint8_t hp[CRYPTO_HASH_LEN]; /* head before it */
	uint64_t e;		     /* next expected seq */
	uint64_t nacc;		     /* records accepted */
	uint64_t cur_epoch;
	uint64_t block_start;
	uint64_t since_seal;
	/* a line that did not continue the chain, judged with the next one */
	int pending, p_has_seq, p_pm, p_has_prev;
	uint64_t p_seq;
	char p_prev[STORE_PREV_HEX];
	/* a verdict that later lines may still correct */
	int prov;
	uint64_t prov_a, prov_b, prov_e;
	/* line assembly */
	size_t linelen;
	int overlong;
	uint64_t out_total;
	/* encrypted segment: the cipher chain the next seal must carry */
	int enc;
	uint8_t chead[CRYPTO_HASH_LEN];
};

#define VERIFY_DONE(s) ((s)->out->verdict != VERIFY_VALID)

/* verify.c */
void verify_set(struct verify_segment *s, enum verify_verdict v, uint64_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/*
 * The header h of segment idx against the segment before it. *epoch gets
 * the epoch current at the segment's start: the chain's (where the previous
 * segment ended) when it links to one, else the header's.
 */
void verify_link(struct verify_ctx *c, size_t idx, const struct verify_header *h, int *need_genesis,
		 uint64_t *epoch);
void verify_progress(struct verify_ctx *c, uint64_t add);

/* verify_keys.c */
const struct verify_key *verify_key_find(const struct verify_ctx *c, uint64_t epoch);
int verify_key_set(struct verify_ctx *c, uint64_t epoch, const uint8_t pub[CRYPTO_PUB_LEN],
		   uint64_t start_seq, int ok);
int verify_load_certs(struct verify_ctx *c);
/*
 * One line of certs.jsonl (the first gives the chain's genesis, set by the
 * caller); 0 or the verify_certs_status that stops the chain there.
 */
int verify_cert_line(struct verify_ctx *c, const char *s, size_t n, int64_t *last_epoch);
void verify_load_head(struct verify_ctx *c);
/*
 * A certificate for epoch c->epoch met in the log while epoch cur is
 * current: 0 when certified (and now in the table), else the verdict.
 */
int verify_key_record(struct verify_ctx *c, const struct store_cert *k, uint64_t cur);

/* verify_records.c */
json_object *verify_json_parse(struct verify_ctx *c, const char *s, size_t len);
int verify_parse_time(const char *s, size_t len, uint64_t *ns);
int verify_get_u64(json_object *o, const char *key, uint64_t *v);
int verify_get_hex(json_object *o, const char *key, uint8_t *out, size_t n);
int verify_get_name(json_object *o, const char *key, char out[STORE_SEG_NAME_LEN]);
/* The common header of a store record: "time" parsed, category "log". */
int verify_read_common(json_object *o, uint64_t *time_ns);
const char *verify_event(json_object *o);
int verify_read_header(json_object *o, uint64_t seq, struct verify_header *h);
int verify_read_retention(json_object *o, struct verify_retention *r);
int verify_check_restart(json_object *o);
int verify_check_gap(json_object *o);

/*
 * verify_store.c: the checks of a chained store record (seal, key, retention,
 * restart, gap); a verdict when one fails. 1 for a log.seal record.
 */
int verify_store_record(struct verify_seg *s, const char *l, size_t n, uint64_t seq);

/* verify_segment.c: 0, or negative errno when the file cannot be read */
int verify_segment_run(struct verify_ctx *c, const char *path, size_t idx);
/* Where segment idx (verified as s) ended, for the link of the next one. */
void verify_segment_end(struct verify_ctx *c, struct verify_seg *s, size_t idx);
/* Decompressed bytes into the line checks; the end of the data. */
void verify_segment_bytes(struct verify_seg *s, const char *p, size_t n);
void verify_segment_finish(struct verify_seg *s, int incomplete);

/* verify_encrypted.c: an encrypted segment from fd, named for first_seq */
int verify_encrypted_run(struct verify_seg *s, int fd, uint64_t first_seq);
/*
 * verify_store.c: a seal read from an S frame without the decryption key,
 * whose cipher head must be ch. 0 with *z and *seq, or -1 with a verdict set.
 */
int verify_sealed_frame(struct verify_seg *s, const char *l, size_t n,
			const uint8_t ch[CRYPTO_HASH_LEN], struct store_seal *z, uint64_t *seq);

/* c->prev.index of a segment whose header could not be read (encrypted) */
#define VERIFY_INDEX_UNKNOWN UINT64_MAX

#endif
