/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* -F FIELD OP VALUE and -k KEY of a rule line as predicates (rules_value.c). */
#ifndef CAUDIT_RULES_VALUE_H
#define CAUDIT_RULES_VALUE_H

#include "rules_line.h"

/* 0, or -1 with the line failed and the error recorded. */
int rules_value_field(struct rules_policy *p, struct line *L, const char *arg, unsigned col);
int rules_value_key(struct rules_policy *p, struct line *L, const char *key, unsigned col);

#endif
