/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The kernel's policy slots (loader_policy.c). */
#ifndef CAUDITD_LOADER_POLICY_H
#define CAUDITD_LOADER_POLICY_H

#include <stdint.h>

#include "loader.h"
#include "policy_kernel.h"

/* Generation of the policy the kernel holds now (0: none; pinned: an earlier daemon's). */
int loader_policy_current(struct loader *l, uint32_t *gen);
/* Make k the kernel's policy as generation gen (> 0), at once. 0 or -errno. */
int loader_policy_switch(struct loader *l, const struct kpolicy *k, uint32_t gen);

#endif
