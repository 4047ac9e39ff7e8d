/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * From the compiled rule table to the kernel's tables. What the kernel can
 * test (credentials, ids, arguments, result, open access mode) becomes a
 * predicate on a fact; everything else (strings, addresses, object fields,
 * field comparisons) becomes an unknown predicate, so the kernel produces
 * the record and the agent decides exactly (docs/policy.md, "In the kernel").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_kernel.h"
#include "syscall_table.h"

#define PERM_READ 4 /* RULES_PERM_R, AUDIT_PERM_READ */

static int kernel_field(unsigned field)
{
	switch (field) {
	case RF_PID:
		return CA_PF_PID;
	case RF_PPID:
		return CA_PF_PPID;
	case RF_UID:
		return CA_PF_UID;
	case RF_EUID:
		return CA_PF_EUID;
	case RF_SUID:
		return CA_PF_SUID;
	case RF_FSUID:
		return CA_PF_FSUID;
	case RF_GID:
		return CA_PF_GID;
	case RF_EGID:
		return CA_PF_EGID;
	case RF_SGID:
		return CA_PF_SGID;
	case RF_FSGID:
		return CA_PF_FSGID;
	case RF_AUID:
		return CA_PF_AUID;
	case RF_SESSIONID:
		return CA_PF_SESSIONID;
	case RF_LOGINUID_SET:
		return CA_PF_LOGINUID_SET;
	case RF_A0:
		return CA_PF_A0;
	case RF_A1:
		return CA_PF_A1;
	case RF_A2:
		return CA_PF_A2;
	case RF_A3:
		return CA_PF_A3;
	case RF_SUCCESS:
		return CA_PF_SUCCESS;
	case RF_EXIT:
		return CA_PF_EXIT;
	case RF_PERM:
		return CA_PF_PERM;
	case RF_OBJ_UID:
		return CA_PF_OBJ_UID;
	case RF_OBJ_GID:
		return CA_PF_OBJ_GID;
	case RF_INODE:
		return CA_PF_INODE;
	case RF_DEVMAJOR:
		return CA_PF_DEVMAJOR;
	case RF_DEVMINOR:
		return CA_PF_DEVMINOR;
	case RF_FILETYPE:
		return CA_PF_FILETYPE;
	default:
		return CA_PF_UNKNOWN;
	}
}

uint32_t kpolicy_path_hash(const char *s)
{
	uint32_t h = CA_FNV_OFFSET;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * CA_FNV_PRIME;
	return h;
}

static int is_task_or_obj(int f)
{
	return (f >= CA_PF_PID && f <= CA_PF_LOGINUID_SET) || (f >= CA_PF_OBJ_UID && f <= CA_PF_FILETYPE);
}

/*
 * path=X implies that the last name of the path is X's: the kernel knows the
 * name of an opened file at the syscall's exit, before it builds the record
 * (bpf/policy.bpf.h ca_pol_leaf_fact), and drops the open there when it
 * differs. Only an accelerator: without it the full path decides later.
 */
static void add_leaf_pred(const char *path, struct ca_pol_rule *out)
{
	const char *leaf = strrchr(path, '/');

	if (!leaf || !leaf[1] || strlen(leaf + 1) > CA_POL_LEAF_MAX)
		return;
	out->pred[out->npred++] = (struct ca_pol_pred){
	    .field = CA_PF_LEAF, .op = CA_POP_EQ, .num = kpolicy_path_hash(leaf + 1)};
}

/* The kernel form of rule r; 1 when some predicate is left to user space. */
static int build_rule(const struct rules_policy *p, const struct rules_rule *r, unsigned index,
		      struct ca_pol_rule *out)
{
	const char *leaf_of = NULL;
	int partial = 0;

	memset(out, 0, sizeof(*out));
	out->flags = r->always ? CA_PRF_ALWAYS : 0;
	out->index = index;
	for (unsigned i = 0; i < r->npred; i++) {
		const struct rules_pred *pr = &r->pred[i];
		struct ca_pol_pred kp = {0};

		if (pr->flags & RULES_PRED_IGNORED)
			continue; /* warned: the condition is dropped */
		kp.field =
		    (uint8_t)(pr->kind == RULES_V_NUM ? kernel_field(pr->field) : CA_PF_UNKNOWN);
		kp.op = pr->op;
		kp.num = pr->num;
		if (pr->flags & RULES_PRED_SIGNED)
			kp.flags |= CA_PPF_SIGNED;
		/* path= and dir= by hash (rule paths are normalized as records' are); not dir=/ */
		if (pr->kind == RULES_V_STR && pr->op == RULES_OP_EQ &&
		    (pr->field == RF_PATH || pr->field == RF_DIR)) {
			const char *v = rules_str(p, pr->str);

			if (v && v[0] == '/' && v[1]) {
				kp.field = pr->field == RF_PATH ? CA_PF_PATH : CA_PF_DIR;
				kp.num = kpolicy_path_hash(v);
			}
		}
		/* -C between two credential or object fields: the kernel has both */
		if (pr->kind == RULES_V_FIELD && is_task_or_obj(kernel_field(pr->field)) &&
		    is_task_or_obj(kernel_field(pr->num))) {
			kp.field = (uint8_t)kernel_field(pr->field);
			kp.flags |= CA_PPF_FIELD;
			kp.num = (uint32_t)kernel_field(pr->num);
		}
		if (kp.field == CA_PF_PERM)
			kp.op = CA_POP_MASK; /* any of the rule's permissions */
		if (kp.field >= CA_PF_PATH)
			partial = 1; /* strings: a match is confirmed in user space */
		if (out->npred == CA_POL_PREDS) {
			out->flags |= CA_PRF_PARTIAL;
			partial = 1;
			continue;
		}
		out->pred[out->npred++] = kp;
		if (kp.field == CA_PF_PATH)
			leaf_of = rules_str(p, pr->str);
	}
	if (leaf_of && out->npred < CA_POL_PREDS)
		add_leaf_pred(leaf_of, out); /* last: it takes no room from a real predicate */
	return partial;
}

/* The perm predicate's letters, or 0 when the rule has none. */
static uint32_t rule_perm(const struct rules_rule *r)
{
	for (unsigned i = 0; i < r->npred; i++)
		if (r->pred[i].field == RF_PERM && !(r->pred[i].flags & RULES_PRED_IGNORED))
			return r->pred[i].num;
	return 0;
}

static void set_row(struct kpolicy *k, unsigned abi, unsigned row, int kidx, int ro_ok)
{
	struct ca_pol_sc *sc = &k->sc[abi][row];

	if (kidx < 0) {
		sc->flags |= CA_PSF_OVERFLOW;
		return;
	}
	for (unsigned i = 0; i < k->rules[kidx].npred; i++)
		sc->facts |= 1u << k->rules[kidx].pred[i].field;
	sc->bits[kidx / 64] |= 1ULL << (kidx % 64);
	if (!ca_pol_is_open(row) || ro_ok)
		sc->rbits[kidx / 64] |= 1ULL << (kidx % 64);
}

static int in_bitmap(const uint64_t *bm, unsigned nr)
{
	return nr < CA_SYSCALL_MAX && (bm[nr / 64] >> (nr % 64)) & 1;
}

/* Mark the rows rule r applies to in ABI abi (kidx < 0: beyond the kernel's room). */
static void mark_rows(struct kpolicy *k, const struct rules_rule *r, unsigned abi, int kidx,
		      int task)
{
	uint32_t perm = rule_perm(r);
	int ro_ok = !perm || (perm & PERM_READ);

	if (task) {
		for (unsigned row = 0; row < CA_POL_NR; row++)
			set_row(k, abi, row, kidx, ro_ok);
		return;
	}
	/*
	 * -S all (or none) names every syscall, and records of no syscall (row
	 * CA_SYSCALL_MAX) as user space's allsc set does; its syscalls are r->sc,
	 * which a perm= has narrowed to its classes (a watch: not every row).
	 */
	if (r->flags & RULES_RULE_ALLSC)
		set_row(k, abi, CA_SYSCALL_MAX, kidx, ro_ok);
	if (abi == RULES_ABI_64) {
		for (unsigned nr = 0; nr < CA_SYSCALL_MAX; nr++)
			if (in_bitmap(r->sc[abi], nr))
				set_row(k, abi, nr, kidx, ro_ok);
		return;
	}
	/* 32-bit calls reach the kernel as their x86_64 row: map i386 numbers */
	for (unsigned i = 0; i < syscall_table_ia32_count(); i++) {
		unsigned nr32;
		const struct ca_syscall_info *si = syscall_table_ia32_at(i, &nr32);

		if (si && in_bitmap(r->sc[abi], nr32))
			set_row(k, abi, (unsigned)si->nr, kidx, ro_ok);
	}
}

int kpolicy_build(const struct rules_policy *p, struct kpolicy **out)
{
	struct kpolicy *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	/* never,task rules first (they suppress the task's records), then exit */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < rules_count(p); i++) {
			const struct rules_rule *r = rules_at(p, i);
			int task = r->list == RULES_LIST_TASK;
			int kidx = -1;

			if (r->flags & RULES_RULE_INERT)
				continue;
			if (pass == 0 ? !(task && !r->always) : r->list != RULES_LIST_EXIT)
				continue;
			if (k->nrules < CA_POL_RULES) {
				kidx = (int)k->nrules++;
				k->partial += build_rule(p, r, i, &k->rules[kidx]);
			} else {
				k->overflow++;
			}
			for (unsigned abi = 0; abi < RULES_ABI_COUNT; abi++)
				if (r->abis & (1u << abi))
					mark_rows(k, r, abi, kidx, task);
		}
	}
	*out = k;
	return 0;
}

void kpolicy_free(struct kpolicy *k)
{
	free(k);
}

int kpolicy_names_syscall(const struct kpolicy *k, unsigned abi, unsigned nr)
{
	const struct ca_pol_sc *sc;

	if (abi >= CA_POL_ABIS || nr >= CA_POL_NR)
		return 0;
	sc = &k->sc[abi][nr];
	if (sc->flags & CA_PSF_OVERFLOW)
		return 1;
	/* a call only never rules may apply to is never recorded: no hook */
	for (unsigned i = 0; i < k->nrules && i < CA_POL_RULES; i++)
		if ((sc->bits[i / 64] >> (i % 64) & 1) && (k->rules[i].flags & CA_PRF_ALWAYS))
			return 1;
	return 0;
}

int kpolicy_names_abi(const struct kpolicy *k, unsigned abi)
{
	for (unsigned nr = 0; nr < CA_POL_NR; nr++)
		if (kpolicy_names_syscall(k, abi, nr))
			return 1;
	return 0;
}
