/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Session origins of processes that existed before the agent started: the
 * kernel only learns an origin when a login service starts or forks, so at
 * start the agent finds today's login sessions in /proc and tells the
 * kernel. See "origin" in docs/schema.md.
 */
#ifndef CAUDIT_ORIGIN_SEED_H
#define CAUDIT_ORIGIN_SEED_H

#include "config.h"
#include "loader.h"

/* Scan /proc and seed the kernel's origins map. Returns processes seeded, or -errno. */
int origin_seed(struct loader *l, const struct ca_config *cfg);

#endif
