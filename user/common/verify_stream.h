/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The verifier fed incrementally: the collector receives a host's log as a
 * stream of certificate lines and sealed blocks (one gzip member each) and
 * verifies each on arrival with the same checks as `caudit verify` (the
 * verify_segment.c engine), keeping the chain state between blocks instead
 * of re-reading files. Plain segments only. Library code: prints nothing.
 */
#ifndef CAUDIT_VERIFY_STREAM_H
#define CAUDIT_VERIFY_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "verify.h"

struct verify_stream;

/* What the stream has reached after a call. */
struct verify_stream_state {
	const struct verify_segment *seg; /* the open segment's verdict so far (NULL: none) */
	uint64_t last_seq;		  /* last record accepted by the chain (0: none) */
	uint64_t since_seal;		  /* records accepted after the last seal */
	uint64_t ncerts;		  /* certificate lines accepted */
	enum verify_certs_status certs;	  /* the first problem in the certificate lines */
};

/* 0 or -ENOMEM. max_line / max_segment_bytes: 0 for the defaults of verify.h. */
int verify_stream_new(struct verify_stream **out, const uint8_t root[CRYPTO_PUB_LEN],
		      size_t max_line, uint64_t max_segment_bytes);
void verify_stream_free(struct verify_stream *vs);

/* The next line of the host's certs.jsonl (no newline). 0, or the verify_certs_status. */
int verify_stream_cert(struct verify_stream *vs, const char *line, size_t len);

/*
 * A new segment begins; the one before it is finished (an unsealed end is
 * its verdict). 0, -EINVAL (not a plain segment name, or not after the
 * previous name), -E2BIG / -ENOMEM.
 */
int verify_stream_segment(struct verify_stream *vs, const char *name);

/*
 * One sealed block of the open segment: exactly one complete gzip member.
 * Its lines go through the chain checks; a member that is torn, followed by
 * other bytes, or does not end with a complete line makes the segment's
 * verdict malformed / truncated. 0, or -EINVAL when no segment is open.
 */
int verify_stream_block(struct verify_stream *vs, const void *gz, size_t len);

void verify_stream_state(const struct verify_stream *vs, struct verify_stream_state *st);
/* Segments met so far, in order, with their verdicts (a link check may change an older one). */
size_t verify_stream_nsegs(const struct verify_stream *vs);
const struct verify_segment *verify_stream_seg(const struct verify_stream *vs, size_t i);

#endif
