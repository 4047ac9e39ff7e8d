/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A compiled policy (rules.h) reduced to the tables the BPF side evaluates
 * (include/caudit_policy.h). Pure module: the loader copies the result into
 * the maps of a free slot.
 */
#ifndef CAUDIT_POLICY_KERNEL_H
#define CAUDIT_POLICY_KERNEL_H

#include <stdint.h>

#include "caudit_event.h"
#include "caudit_policy.h"
#include "rules.h"

struct kpolicy {
	unsigned nrules;                          /* kernel rules used */
	unsigned overflow;                        /* rules the kernel could not hold */
	unsigned partial;                         /* rules with predicates left to user space */
	struct ca_pol_rule rules[CA_POL_RULES];
	struct ca_pol_sc sc[CA_POL_ABIS][CA_POL_NR]; /* by x86_64 row */
};

/*
 * Reduce p (compiled without errors). Rules evaluated: never rules of the
 * task list (for every syscall), then the exit list, in order; inert rules
 * and the lists caudit does not act on are left out. Returns 0 or -ENOMEM.
 */
int kpolicy_build(const struct rules_policy *p, struct kpolicy **out);
void kpolicy_free(struct kpolicy *k);

/* The kernel's hash of a path (CA_FNV_*). */
uint32_t kpolicy_path_hash(const char *s);

/*
 * 1 when some always rule may select a call of x86_64 syscall row nr made
 * under abi (RULES_ABI_64, RULES_ABI_32): the call's hooks must be attached.
 */
int kpolicy_names_syscall(const struct kpolicy *k, unsigned abi, unsigned nr);
/* 1 when some always rule may select a call of abi (the ia32 hooks). */
int kpolicy_names_abi(const struct kpolicy *k, unsigned abi);

#endif
