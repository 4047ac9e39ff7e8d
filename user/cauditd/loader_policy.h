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
/*
 * The syscall hooks k needs: attach those it names (trim 0, before the
 * switch), or detach those it does not (trim 1, after). Returns the number
 * of hook pairs changed.
 */
int loader_policy_hooks(struct loader *l, const struct kpolicy *k, int trim);

/* The -e 2 lock (pinned with the programs: it outlives a daemon restart). */
int loader_policy_lock_get(struct loader *l, struct ca_pol_lock *lock);
int loader_policy_lock_set(struct loader *l, uint32_t gen, const char *hash);

#endif
