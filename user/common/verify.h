/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The log verifier (docs/log-format.md, "Verdicts"): checks a log directory
 * (or chosen segments of it) from the trusted root public key alone and
 * gives every segment exactly one verdict, the first problem found in it.
 * Library code: it prints nothing, the caller formats the report.
 *
 * Everything read is untrusted: line length and decompressed size are
 * bounded, numbers are parsed with checks, nothing read is used as a length.
 */
#ifndef CAUDIT_VERIFY_H
#define CAUDIT_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "store_format.h"

#define VERIFY_CERTS_FILE "certs.jsonl"
#define VERIFY_HEAD_FILE "head.json"
#define VERIFY_DEFAULT_MAX_LINE (1u << 20)	/* longer lines are malformed */
#define VERIFY_DEFAULT_MAX_SEGMENT (4ull << 30) /* decompressed bytes per segment */
#define VERIFY_MAX_SEGMENTS (1u << 20)
#define VERIFY_TIME_LEN 40

enum verify_verdict {
	VERIFY_VALID,
	VERIFY_MODIFIED,	/* record n modified */
	VERIFY_MISSING,		/* records missing (seq a-b) */
	VERIFY_INSERTED,	/* record n inserted */
	VERIFY_SEGMENT_MISSING, /* segment missing between other and name */
	VERIFY_OUT_OF_ORDER,	/* segments out of order */
	VERIFY_UNSEALED_TAIL,	/* n records after the last seal */
	VERIFY_TRUNCATED,
	VERIFY_BAD_SIGNATURE,
	VERIFY_UNCERTIFIED_KEY, /* key not certified by the chain */
	VERIFY_UNKNOWN_ROOT,
	VERIFY_MALFORMED,
	VERIFY__COUNT
};

enum verify_certs_status {
	VERIFY_CERTS_OK,
	VERIFY_CERTS_MISSING,
	VERIFY_CERTS_MALFORMED,	  /* at line certs_line */
	VERIFY_CERTS_BAD_SIG,	  /* at line certs_line */
	VERIFY_CERTS_UNCERTIFIED, /* epoch order broken at line certs_line */
};

enum verify_head_status {
	VERIFY_HEAD_OK,	     /* the log reaches head.json's seal, which matches */
	VERIFY_HEAD_MISSING, /* a warning (an error with strict) */
	VERIFY_HEAD_MALFORMED,
	VERIFY_HEAD_UNCHECKED, /* its seal lies in a segment not verified to the end */
	VERIFY_HEAD_MISMATCH,  /* the log's seal at head.json's last_seq differs */
	VERIFY_HEAD_BEYOND,    /* the log ends before it: the newest segment is truncated */
	VERIFY_HEAD_BAD_SIG,   /* its seal's signature does not verify */
};

typedef void (*verify_progress_fn)(void *opaque, uint64_t done, uint64_t total);

struct verify_opts {
	const char *dir; /* the log directory: certs.jsonl, head.json, segments */
	/*
	 * NULL: every segment of dir, and the oldest must be the host's first
	 * or follow segments removed by a log.retention record. Otherwise the
	 * segment files to verify (paths whose file names are segment names);
	 * the oldest of them is then taken from its header's prev_head.
	 */
	const char *const *segments;
	size_t nsegments;
	uint8_t root[CRYPTO_PUB_LEN]; /* the trusted root public key */
	int strict;		      /* an unsealed tail or a missing head.json fails */
	size_t max_line;	      /* 0: VERIFY_DEFAULT_MAX_LINE */
	uint64_t max_segment_bytes;   /* 0: VERIFY_DEFAULT_MAX_SEGMENT */
	verify_progress_fn progress;  /* compressed bytes read so far / in all */
	void *opaque;
	/* the auditor's X25519 key pair: encrypted segments are then read in full */
	int have_decrypt_key;
	uint8_t decrypt_pub[CRYPTO_BOX_PUB_LEN];
	uint8_t decrypt_secret[CRYPTO_BOX_SECRET_LEN];
	/*
	 * Each record the chain accepts, in order (seg: its index in the
	 * report's segs). How search reads the log: through the verifier, so
	 * a record from a segment whose verdict fails can be set aside.
	 */
	void (*record)(void *opaque, size_t seg, const char *line, size_t len, uint64_t seq);
	void *record_opaque;
};

struct verify_segment {
	char name[STORE_SEG_NAME_LEN];
	enum verify_verdict verdict;
	uint64_t n;			/* record n, or the tail's record count */
	uint64_t a, b;			/* missing seq range */
	char other[STORE_SEG_NAME_LEN]; /* the segment before the missing one, or "start" */
	char detail[128];		/* which check decided, for humans */
	int newest;			/* the newest segment of the directory */
	uint64_t bytes;			/* compressed size */
	uint64_t records;		/* lines read, verified or not */
	uint64_t first_seq, last_seq;	/* of the records verified (0 when none) */
	char first_time[VERIFY_TIME_LEN], last_time[VERIFY_TIME_LEN];
};

struct verify_report {
	struct verify_segment *segs; /* in name order */
	size_t nsegs;
	uint64_t records;
	uint64_t first_seq, last_seq; /* of the records verified */
	char first_time[VERIFY_TIME_LEN], last_time[VERIFY_TIME_LEN];
	uint64_t count[VERIFY__COUNT];
	enum verify_certs_status certs;
	uint64_t certs_line; /* 1-based line of the first problem */
	uint64_t ncerts;     /* certificates accepted from certs.jsonl */
	enum verify_head_status head;
	uint64_t head_last_seq; /* head.json's seal: seq of the seal record */
	char head_segment[STORE_SEG_NAME_LEN];
	char err[512]; /* why verify_log failed */
};

/*
 * Verify; rep is filled (free it with verify_report_free). 0 when the
 * verification ran, whatever its verdicts; negative errno (rep->err says
 * why) when it could not (unreadable directory, out of memory...).
 */
int verify_log(const struct verify_opts *o, struct verify_report *rep);
void verify_report_free(struct verify_report *rep);

/* The segment's verdict in the words of docs/log-format.md. snprintf's return. */
int verify_verdict_format(const struct verify_segment *s, char *buf, size_t len);
/* The verdict's name without numbers ("record modified", "truncated", ...). */
const char *verify_verdict_name(enum verify_verdict v);
/* certs.jsonl's / head.json's status as a phrase. snprintf's return. */
int verify_certs_format(const struct verify_report *rep, char *buf, size_t len);
int verify_head_format(const struct verify_report *rep, char *buf, size_t len);

/* 1 when the segment's verdict fails the verification. */
int verify_segment_failed(const struct verify_segment *s, int strict);
/* 1 when everything verified: every segment, certs.jsonl and head.json. */
int verify_passed(const struct verify_report *rep, int strict);

/*
 * The epoch keys certified by certs.jsonl of dir from root (a search checks
 * segment indexes with them). NULL when none can be read.
 */
struct verify_keyring;
struct verify_keyring *verify_keyring_load(const char *dir, const uint8_t root[CRYPTO_PUB_LEN]);
/* The certified public key of epoch (and the first seq it may seal), or NULL. */
const uint8_t *verify_keyring_find(const struct verify_keyring *k, uint64_t epoch,
				   uint64_t *start_seq);
void verify_keyring_free(struct verify_keyring *k);

#endif
