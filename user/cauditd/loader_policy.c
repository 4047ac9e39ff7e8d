/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Switching the kernel's policy (bpf/policy.bpf.h): the new tables go into
 * the slot the active policy does not use, marked "being written" (0) until
 * complete, then one 8-byte write of pol_active makes them the policy. A call
 * that entered under the old policy is still judged by it at exit while its
 * slot holds it, so no operation is judged by half of each or by neither.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>

#include "loader_policy.h"

static int put(int fd, uint32_t key, const void *val)
{
	return bpf_map_update_elem(fd, &key, val, BPF_ANY) ? -errno : 0;
}

int loader_policy_current(struct loader *l, uint32_t *gen)
{
	struct loader_policy_fds fds;
	struct ca_pol_active a = {0};
	uint32_t zero = 0;
	int r = loader_policy_fds(l, &fds);

	if (r)
		return r;
	if (bpf_map_lookup_elem(fds.active, &zero, &a))
		return -errno;
	*gen = a.gen;
	return 0;
}

int loader_policy_switch(struct loader *l, const struct kpolicy *k, uint32_t gen)
{
	static const struct ca_pol_rule empty_rule;
	struct loader_policy_fds fds;
	struct ca_pol_active a = {0}, next;
	uint32_t zero = 0, slot, busy = 0;
	int r = loader_policy_fds(l, &fds);

	if (r)
		return r;
	if (!gen)
		return -EINVAL;
	if (bpf_map_lookup_elem(fds.active, &zero, &a))
		return -errno;
	slot = a.gen ? !a.slot : 0;
	r = put(fds.slot_gen, slot, &busy);
	for (uint32_t i = 0; !r && i < CA_POL_RULES; i++)
		r = put(fds.rules, slot * CA_POL_RULES + i, i < k->nrules ? &k->rules[i] : &empty_rule);
	for (uint32_t abi = 0; !r && abi < CA_POL_ABIS; abi++)
		for (uint32_t nr = 0; !r && nr < CA_POL_NR; nr++)
			r = put(fds.sc, (slot * CA_POL_ABIS + abi) * CA_POL_NR + nr, &k->sc[abi][nr]);
	if (!r)
		r = put(fds.slot_gen, slot, &gen);
	if (r)
		return r;
	/* the switch */
	next.gen = gen;
	next.slot = slot;
	return put(fds.active, 0, &next);
}

int loader_policy_hooks(struct loader *l, const struct kpolicy *k, int trim)
{
	uint8_t want[CA_POL_NR];

	for (unsigned nr = 0; nr < CA_POL_NR; nr++)
		want[nr] = (uint8_t)kpolicy_names_syscall(k, RULES_ABI_64, nr);
	return loader_hooks_apply(l, want, CA_POL_NR, kpolicy_names_abi(k, RULES_ABI_32), trim);
}

int loader_policy_lock_get(struct loader *l, struct ca_pol_lock *lock)
{
	struct loader_policy_fds fds;
	uint32_t zero = 0;
	int r = loader_policy_fds(l, &fds);

	if (r)
		return r;
	memset(lock, 0, sizeof(*lock));
	return bpf_map_lookup_elem(fds.lock, &zero, lock) ? -errno : 0;
}

int loader_policy_lock_set(struct loader *l, uint32_t gen, const char *hash)
{
	struct loader_policy_fds fds;
	struct ca_pol_lock lock = { .locked = 1, .gen = gen };
	int r = loader_policy_fds(l, &fds);

	if (r)
		return r;
	snprintf(lock.hash, sizeof(lock.hash), "%s", hash);
	return put(fds.lock, 0, &lock);
}
