/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* One rule line being built: shared by rules_parse.c (the line) and rules_rule.c (its options). */
#ifndef CAUDIT_RULES_LINE_H
#define CAUDIT_RULES_LINE_H

#include "rules_priv.h"

struct line {
	const struct rules_tok *t;
	unsigned n;
	int failed;
	char mode; /* 'a' 'A' 'd' (rules), 'w' 'W' (watches), 0 none yet */
	unsigned mode_col;
	struct rules_rule r;
	int have_action;
	int sc_given; /* some -S seen */
	int sc_all;
	uint64_t sc_tmp[RULES_SC_WORDS];
	int arch_given;
	unsigned arch_abi; /* the ABI whose numbers -S names resolve to */
	int arch_ne;
	int mismatch_warned;
	int anchor; /* -S, path, dir, perm or exe seen: a key may follow */
	int has_path;
	int perm_given;
	uint32_t perm;
	size_t keylen;
	const char *watch; /* -w/-W path */
	unsigned watch_col;
	int p_given;
	int unsupported; /* some field cannot be honoured */
};

/* An error on this line: recorded (a warning under -i), the line fails; returns -1. */
int line_err(struct rules_policy *p, struct line *L, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* One option of a rule line (a, A, d, w, W, S, F, C, k, p) with its value. */
void line_option(struct rules_policy *p, struct line *L, char opt, unsigned optcol, const char *arg,
		 unsigned col);
/* The line's rule is complete: add, prepend or delete it. */
void line_finish(struct rules_policy *p, struct line *L);

#endif
