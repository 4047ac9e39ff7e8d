/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Rule files from disk into a policy (see rules_files.c). */
#ifndef CAUDIT_RULES_FILES_H
#define CAUDIT_RULES_FILES_H

#include <stddef.h>

#include "rules.h"

/* Name lookups through NSS and -w's directory test on this host. */
const struct rules_env *rules_env_system(void);

/*
 * Parse each path (a file, or a directory's *.rules in lexical order) into p.
 * 0, or -errno with "PATH: reason" in err when a file could not be read;
 * syntax errors are diagnostics of p, not failures here.
 */
int rules_read_paths(struct rules_policy *p, const char *const *paths, unsigned n, char *err,
		     size_t errlen);

#endif
