/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The answer of cauditd's status socket (docs/operations.md, "caudit
 * status"): checked and printed by `caudit status`. Pure: no I/O but the
 * FILE it is given. Whatever the bytes, it never crashes and prints only
 * what it checked; it is fuzzed (tests/fuzz/fuzz_status.c).
 */
#ifndef CAUDIT_STATUS_TEXT_H
#define CAUDIT_STATUS_TEXT_H

#include <stddef.h>
#include <stdio.h>

#define STATUS_ANSWER_MAX (1u << 20) /* longest answer accepted */

enum status_result {
	STATUS_OK = 0,
	STATUS_DENIED = 1,  /* the daemon refused us: {"error": "..."} */
	STATUS_INVALID = 2, /* not a status answer */
};

/*
 * Parse the answer (len bytes) and print it to out as text, or as one line
 * of JSON when as_json. On STATUS_DENIED the daemon's message is copied to
 * msg (msglen bytes, NUL-terminated, non-printable bytes replaced).
 */
enum status_result status_print(FILE *out, const char *answer, size_t len, int as_json,
				char *msg, size_t msglen);

#endif
