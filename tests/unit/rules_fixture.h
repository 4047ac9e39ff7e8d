/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Shared by the unit tests of the rules language: compile a policy from
 * text, failing the test with every diagnostic when it does not compile.
 * Include after <cmocka.h>.
 */
#ifndef CAUDIT_TEST_RULES_FIXTURE_H
#define CAUDIT_TEST_RULES_FIXTURE_H

#include <string.h>

#include "rules.h"

/* text parsed as one file "t.rules" and compiled under env; fails the test on any error */
static inline struct rules_policy *rules_fixture_compile(const struct rules_env *env,
							 const char *text)
{
	struct rules_policy *p = rules_new(env);

	assert_non_null(p);
	rules_parse(p, "t.rules", text, strlen(text));
	if (rules_compile(p)) {
		char line[600];

		for (unsigned i = 0; i < rules_diag_count(p); i++) {
			rules_diag_format(rules_diag_at(p, i), line, sizeof(line));
			print_error("%s\n", line);
		}
		fail_msg("rules do not compile:\n%s", text);
	}
	return p;
}

#endif
