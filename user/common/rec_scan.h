/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A fast, purpose-built reader of one record line (docs/schema.md) for
 * search, tail, report and the store's segment index: it walks the JSON
 * once, keeps the members the filters and summaries use and skips the rest
 * without building a tree. json-c is several times slower at this.
 *
 * The input is untrusted: every read is bounded by the line length, nesting
 * is limited, and malformed JSON is refused (-EINVAL). Strings come back
 * unescaped (valid JSON escapes only, \u surrogates paired), pointing into
 * the line when they hold no escape, else into the scanner's arena.
 */
#ifndef CAUDIT_REC_SCAN_H
#define CAUDIT_REC_SCAN_H

#include <stddef.h>
#include <stdint.h>

#define RS_MAX_KEYS 16	/* rule keys kept per record (issue 5's top-level "keys") */
#define RS_MAX_DEPTH 32 /* deeper nesting is refused */

struct rs_str {
	const char *p; /* NULL: absent or null */
	uint32_t n;
};

struct rs_num {
	int64_t v;
	int set;
};

enum rs_field {
	RS_TIME,
	RS_EVENT,
	RS_CATEGORY,
	RS_SYSCALL,
	RS_OUTCOME,
	RS_ERRNO,
	RS_ACCESS,
	RS_HOST,
	RS_EXEC_ID,
	RS_PARENT_EXEC_ID,
	RS_COMM,
	RS_EXE,
	RS_USER_NAME,
	RS_LOGIN,
	RS_PATH,
	RS_PATH2,
	RS_ORIGIN_IP,
	RS_ORIGIN_SERVICE,
	RS_SRC_IP,
	RS_DST_IP,
	RS_CONTAINER,
	RS_EXEC_FILENAME,
	RS_NET_PROTO,
	RS__NSTR
};

enum rs_numfield {
	RS_SEQ,
	RS_RET,
	RS_PID,
	RS_PPID,
	RS_UID,
	RS_EUID,
	RS_AUID,
	RS_SESSION,
	RS_ORIGIN_PORT,
	RS_SRC_PORT,
	RS_DST_PORT,
	RS__NNUM
};

struct rec_view {
	struct rs_str s[RS__NSTR];
	struct rs_num n[RS__NNUM];
	struct rs_str keys[RS_MAX_KEYS];
	unsigned nkeys;
};

struct rec_scanner {
	char *arena; /* unescaped strings of the current line */
	size_t cap, used;
};

void rs_init(struct rec_scanner *sc);
void rs_free(struct rec_scanner *sc);
/* Fill v from one line (no newline). 0, -EINVAL (malformed) or -ENOMEM. */
int rs_scan(struct rec_scanner *sc, const char *line, size_t len, struct rec_view *v);

/* "2026-11-23T20:23:49.759220080Z" (UTC, 0-9 fraction digits) to ns since 1970; 0 or -EINVAL. */
int rs_time_ns(const char *s, size_t n, int64_t *ns);

/* 1 when the string equals the C string c. */
int rs_eq(struct rs_str a, const char *c);

#endif
