/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The engine behind `caudit search`, `tail` and `report`: reads log
 * directories through the verifier (verify_log with a record callback),
 * skips segments whose signed index proves they hold no match, filters the
 * records and hands the matches of each segment, once its verdict is known,
 * to a sink. A segment that fails verification is reported on stderr and
 * its records are withheld (with --strict the search stops).
 */
#ifndef CAUDIT_SEARCH_H
#define CAUDIT_SEARCH_H

#include <stdint.h>
#include <stdio.h>

#include "rec_scan.h"
#include "search_filter.h"
#include "verify.h"

struct sr_match {
	int64_t t;
	uint64_t seq;
	unsigned src; /* which PATH */
	char *line;
	size_t len;
};

/* Called once per record to show, in output order; returns 1 to stop. */
typedef int (*sr_emit_fn)(void *opaque, const struct sr_match *m);

struct sr_opts {
	struct sf_filter *f;
	uint8_t root[CRYPTO_PUB_LEN];
	int have_decrypt_key;
	uint8_t decrypt_pub[CRYPTO_BOX_PUB_LEN];
	uint8_t decrypt_secret[CRYPTO_BOX_SECRET_LEN];
	int strict;
	int no_index;	    /* scan every segment */
	int quiet;	    /* no stderr notes about indexes */
	uint64_t after_seq; /* only records with seq > after_seq (tail -f) */
	sr_emit_fn emit;
	void *opaque;
};

struct sr_stats {
	uint64_t segments, skipped, scanned, bad_index, failed;
	uint64_t records, matched, withheld;
	uint64_t last_seq; /* greatest seq read */
	char last_segment[STORE_SEG_NAME_LEN];
	int stopped; /* the sink asked to stop */
	int strict_failed;
};

/*
 * Search the log directories paths[0..n): matches in time order (one
 * directory is streamed segment by segment; several are merged). 0, or
 * negative errno when a directory could not be read (a message was printed).
 */
int sr_run(const struct sr_opts *o, const char *const *paths, unsigned n, struct sr_stats *st);

#endif
