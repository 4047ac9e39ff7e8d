/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Per-segment search index (docs/log-format.md, "Indexes"): the segment's
 * seq and time range, the event names it holds and one Bloom filter of
 * typed terms (users, logins, sessions, executables, comms, path prefixes,
 * IPs and their network prefixes, ports, rule keys, hosts, containers,
 * pids, exec ids, syscalls, outcomes, errnos, access). Written by the store
 * when it closes a plain segment, as idx-<first seq, 20 digits>.bin next
 * to it (not "seg-...": every reader takes seg-* for segments).
 *
 * The index can only make a search skip a segment, so it must never lie:
 * it carries the segment's last seal (signed by the epoch key) and is
 * itself signed by that same key. A reader accepts it only when both
 * signatures verify with a certified key; anything else means "scan".
 * Every term added only ever turns bits on, so an index built from more
 * records than the segment kept (a write retried) errs towards scanning.
 *
 * Pure: no I/O. The parser reads untrusted bytes (fuzzed).
 */
#ifndef CAUDIT_SEG_INDEX_H
#define CAUDIT_SEG_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "rec_scan.h"
#include "search_filter.h"
#include "store_format.h"

#define SIX_NAME_LEN 32 /* "idx-" 20 digits ".bin" + NUL = 29 */
#define SIX_MAGIC "CAUDIDX1"
#define SIX_MAX_EVENTS 256	 /* distinct event names listed; more: "any" */
#define SIX_MAX_TERMS (1u << 21) /* distinct terms; more: the filter says "maybe" */
#define SIX_MIN_LOG2 13
#define SIX_MAX_LOG2 24 /* 2 MiB of filter */
#define SIX_HASHES 6
#define SIX_MAX_FILE (4u << 20)

struct six_builder {
	uint64_t first_seq, last_seq, records;
	int64_t min_time, max_time;
	char *events[SIX_MAX_EVENTS];
	unsigned nevents;
	int events_full;
	uint64_t *set; /* open addressing set of term hashes (0 = empty) */
	size_t nset, capset;
	int saturated;
	struct rec_scanner sc;
};

/* A parsed index; bloom points into the buffer it was parsed from. */
struct seg_index {
	char name[STORE_SEG_NAME_LEN];
	uint64_t first_seq, last_seq, records;
	int64_t min_time, max_time;
	char events[SIX_MAX_EVENTS][64];
	unsigned nevents;
	int events_full;
	int saturated;
	unsigned log2;
	const uint8_t *bloom;
	struct store_seal seal;
	uint8_t body_hash[CRYPTO_HASH_LEN];
	uint8_t sig[CRYPTO_SIG_LEN];
};

/* "idx-%020llu.bin": the index file of the segment starting at first_seq. */
void six_file_name(char out[SIX_NAME_LEN], uint64_t first_seq);

void six_init(struct six_builder *b);
void six_free(struct six_builder *b);
void six_reset(struct six_builder *b);
/* One record line of the segment (as appended). */
void six_add_line(struct six_builder *b, const char *line, size_t len);
/* Terms of one scanned record (also used by tests and the bench). */
void six_add_view(struct six_builder *b, const struct rec_view *v, uint64_t seq, int64_t t);

/*
 * The index file for segment name, closed by its last seal z, signed with
 * the secret key of z's epoch. *out is malloc'd. 0 or -ENOMEM.
 */
int six_write(const struct six_builder *b, const char *name, const struct store_seal *z,
	      const uint8_t root[CRYPTO_PUB_LEN], const uint8_t secret[CRYPTO_SECRET_LEN],
	      uint8_t **out, size_t *len);

/* Parse (bounds only, no signature check). 0 or -EINVAL. */
int six_parse(const uint8_t *buf, size_t len, struct seg_index *ix);

/*
 * 0 when ix is the index of segment name, its seal and its own signature
 * verify with pub (the certified key of ix->seal.epoch, whose certificate
 * lets it seal from start_seq). -EBADMSG otherwise.
 */
int six_check(const struct seg_index *ix, const char *name, const uint8_t root[CRYPTO_PUB_LEN],
	      const uint8_t pub[CRYPTO_PUB_LEN], uint64_t start_seq);

/* 0 when no record of the segment can match f; 1 when one may. */
int six_may_match(const struct seg_index *ix, const struct sf_filter *f);

#endif
