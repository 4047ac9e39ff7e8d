/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Evaluating the audit policy in the kernel (include/caudit_policy.h,
 * docs/policy.md "In the kernel"). First match decides, as in auditd: the
 * candidate rules of the syscall are walked in order; a never rule that
 * surely matches drops the operation, an always rule that surely matches
 * selects it (decided: user space only attaches its keys), and an always
 * rule that may match produces the record for user space to decide.
 */
#ifndef CAUDIT_POLICY_BPF_H
#define CAUDIT_POLICY_BPF_H

#include "record.bpf.h"
#include "caudit_policy.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ca_pol_active);
} pol_active SEC(".maps") __weak;

/* The generation each slot holds; 0 while user space rewrites it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CA_POL_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} pol_slot_gen SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ca_pol_lock);
} pol_lock SEC(".maps") __weak;

/* [slot][abi][nr]: candidate rules; nr CA_SYSCALL_MAX is "no syscall". */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CA_POL_SLOTS *CA_POL_ABIS *CA_POL_NR);
	__type(key, __u32);
	__type(value, struct ca_pol_sc);
} pol_sc SEC(".maps") __weak;

/* [slot][rule] */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CA_POL_SLOTS *CA_POL_RULES);
	__type(key, __u32);
	__type(value, struct ca_pol_rule);
} pol_rules SEC(".maps") __weak;

/* Index of the lowest set bit of a 64-bit word with one bit set (de Bruijn). */
static const __u8 ca_debruijn64[64] = {
    0,	1,  2,	53, 3,	7,  54, 27, 4,	38, 41, 8,  34, 55, 48, 28, 62, 5,  39, 46, 44, 42,
    22, 9,  24, 35, 59, 56, 49, 18, 29, 11, 63, 52, 6,	26, 37, 40, 33, 47, 61, 45, 43, 21,
    23, 58, 17, 10, 51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12,
};

static __always_inline __u32 ca_lowest_bit(__u64 w)
{
	return ca_debruijn64[(((w & -w) * 0x022fdd63cc95386dULL) >> 58) & 63];
}

#define CA_PD_DROP 0
#define CA_PD_DECIDED 1 /* an always rule surely matched */
#define CA_PD_MAYBE 2	/* some always rule may match: user space decides */

static __always_inline bool ca_pol_cmp(__u32 v, const struct ca_pol_pred *pr)
{
	__u32 n = pr->num;

	if (pr->flags & CA_PPF_SIGNED) {
		__s32 sv = (__s32)v, sn = (__s32)n;

		switch (pr->op) {
		case CA_POP_LT:
			return sv < sn;
		case CA_POP_GT:
			return sv > sn;
		case CA_POP_LE:
			return sv <= sn;
		case CA_POP_GE:
			return sv >= sn;
		}
	}
	switch (pr->op) {
	case CA_POP_EQ:
		return v == n;
	case CA_POP_NE:
		return v != n;
	case CA_POP_LT:
		return v < n;
	case CA_POP_GT:
		return v > n;
	case CA_POP_LE:
		return v <= n;
	case CA_POP_GE:
		return v >= n;
	case CA_POP_MASK:
		return (v & n) != 0;
	case CA_POP_TEST:
		return (v & n) == n;
	}
	return false;
}

/* Whether hash h is one of the paths (dir: one of the paths or their parents). */
static __always_inline bool ca_pol_path_seen(const struct ca_pol_state *st, bool dir, __u32 h)
{
	if (!dir)
		return st->ph[0] == h || st->ph[1] == h;
	for (__u32 i = 0; i < CA_POL_PROBES; i++) {
		__u32 j = (h + i) & (CA_POL_DT - 1);

		if (st->dt[j].stamp != st->stamp)
			return false; /* an empty slot ends the probe */
		if (st->dt[j].h == h)
			return true;
	}
	return false;
}

/* Note directory hash h; false when the table has no room for it near its slot. */
static __always_inline bool ca_pol_dir_note(struct ca_pol_state *st, __u32 h)
{
	for (__u32 i = 0; i < CA_POL_PROBES; i++) {
		__u32 j = (h + i) & (CA_POL_DT - 1);

		if (st->dt[j].stamp != st->stamp) {
			st->dt[j].stamp = st->stamp;
			st->dt[j].h = h;
			st->nd++;
			return true;
		}
		if (st->dt[j].h == h)
			return true;
	}
	return false;
}

/* 0 no, 1 yes, 2 unknown: one rule against the facts in scratch. */
static __always_inline int ca_pol_rule_eval(const struct ca_pol_rule *rule,
					    const struct ca_pol_state *st)
{
	bool unknown = rule->flags & CA_PRF_PARTIAL;
	__u32 n = rule->npred;

	for (__u32 j = 0; j < CA_POL_PREDS; j++) {
		const struct ca_pol_pred *pr;
		__u32 f;

		if (j >= n)
			break;
		pr = &rule->pred[j];
		f = pr->field;
		if (f >= CA_PF__COUNT || !(st->known & (1u << (f & 31)))) {
			unknown = true;
			continue;
		}
		if (pr->flags & CA_PPF_FIELD) {
			__u32 g = pr->num, a = st->v[f & 31], b;

			if (g >= CA_PF__COUNT || !(st->known & (1u << (g & 31)))) {
				unknown = true;
				continue;
			}
			b = st->v[g & 31];
			if (pr->op == CA_POP_EQ ? a != b : a == b)
				return 0;
			continue;
		}
		if (f == CA_PF_PATH || f == CA_PF_DIR) {
			/* different hashes prove a mismatch; equal ones user space confirms */
			if (!ca_pol_path_seen(st, f == CA_PF_DIR, pr->num))
				return 0;
			unknown = true;
			continue;
		}
		if (!ca_pol_cmp(st->v[f & 31], pr))
			return 0;
	}
	return unknown ? 2 : 1;
}

/*
 * bpf_loop body: the next candidate rule, in order. State in scratch.pol.
 * Once an always rule may match, the record is made and user space decides;
 * a never rule that may match only makes a later sure match uncertain.
 */
static long ca_pol_step(__u32 i, void *unused)
{
	struct ca_scratch *s = ca_this_scratch();
	struct ca_pol_state *st;
	struct ca_pol_rule *rule;
	__u32 w, idx, key;
	__u64 bits;
	int res;

	if (!s)
		return 1;
	st = &s->pol;
	for (w = 0; w < CA_POL_WORDS; w++)
		if (st->rem[w])
			break;
	if (w >= CA_POL_WORDS) {
		st->result = CA_PD_DROP; /* no always rule can match */
		return 1;
	}
	bits = st->rem[w];
	idx = w * 64 + ca_lowest_bit(bits);
	st->rem[w & (CA_POL_WORDS - 1)] = bits & (bits - 1);
	key = st->slot * CA_POL_RULES + (idx & (CA_POL_RULES - 1));
	rule = bpf_map_lookup_elem(&pol_rules, &key);
	if (!rule)
		return 0;
	res = ca_pol_rule_eval(rule, st);
	if (!res)
		return 0;
	if (!(rule->flags & CA_PRF_ALWAYS)) {
		if (res == 1) {
			st->result = CA_PD_DROP; /* a never rule surely matches first */
			return 1;
		}
		st->never_maybe = 1;
		return 0;
	}
	st->rule = rule->index;
	st->result = res == 1 && !st->never_maybe ? CA_PD_DECIDED : CA_PD_MAYBE;
	return 1;
}

/* The active policy, read as one 8-byte value. */
static __always_inline struct ca_pol_active ca_pol_current(void)
{
	__u32 zero = 0;
	struct ca_pol_active a = {};
	__u64 *raw = bpf_map_lookup_elem(&pol_active, &zero);

	if (raw) {
		__u64 v = *(volatile __u64 *)raw;

		a.gen = (__u32)v;
		a.slot = (__u32)(v >> 32);
	}
	return a;
}

/* The slot still holding generation gen, else the active policy. */
static __always_inline struct ca_pol_active ca_pol_resolve(__u32 gen, __u32 slot)
{
	__u32 *held;

	if (gen && slot < CA_POL_SLOTS) {
		held = bpf_map_lookup_elem(&pol_slot_gen, &slot);
		if (held && *held == gen) {
			struct ca_pol_active a = {gen, slot};

			return a;
		}
	}
	return ca_pol_current();
}

static __always_inline void ca_pol_count_drop(__u32 stage)
{
	__u64 *c = bpf_map_lookup_elem(&pol_dropped, &stage);

	if (c)
		*c += 1; /* per-CPU */
}

/*
 * Task facts of t into st (credentials, ids, login). t comes from
 * bpf_get_current_task_btf(): plain loads, which the verifier turns into
 * fault-safe ones, cost far less than a bpf_probe_read_kernel() each.
 */
static __always_inline void ca_pol_task_facts(struct ca_pol_state *st, struct task_struct *t)
{
	const struct cred *cred = t->cred;
	__u32 auid = t->loginuid.val;

	st->v[CA_PF_PID] = t->tgid;
	st->v[CA_PF_PPID] = t->real_parent->tgid;
	st->v[CA_PF_UID] = cred->uid.val;
	st->v[CA_PF_EUID] = cred->euid.val;
	st->v[CA_PF_SUID] = cred->suid.val;
	st->v[CA_PF_FSUID] = cred->fsuid.val;
	st->v[CA_PF_GID] = cred->gid.val;
	st->v[CA_PF_EGID] = cred->egid.val;
	st->v[CA_PF_SGID] = cred->sgid.val;
	st->v[CA_PF_FSGID] = cred->fsgid.val;
	st->v[CA_PF_AUID] = auid;
	st->v[CA_PF_SESSIONID] = t->sessionid;
	st->v[CA_PF_LOGINUID_SET] = auid != 0xffffffffu;
	st->known |= (1u << (CA_PF_LOGINUID_SET + 1)) - 1; /* PID .. LOGINUID_SET */
}

/* ACC_MODE of open flags as audit's perm test sees them: 4 read, 2 write. */
static __always_inline __u32 ca_pol_acc_mode(__u64 flags)
{
	switch (flags & 3) {
	case 0:
		return 4;
	case 1:
		return 2;
	default:
		return 6;
	}
}

/*
 * Start an evaluation in scratch.pol for syscall nr (x86_64 row) of abi
 * under policy a. Returns false when no rule may apply (drop at once).
 * read_only: an open known to be read-only (its read-only candidate set).
 */
static __always_inline bool ca_pol_begin(struct ca_pol_state *st, struct ca_pol_active a, __u32 abi,
					 __u32 nr, bool read_only)
{
	__u32 key = (a.slot * CA_POL_ABIS + (abi & 1)) * CA_POL_NR;
	struct ca_pol_sc *sc;

	key += nr < CA_POL_NR ? nr : CA_SYSCALL_MAX;
	sc = bpf_map_lookup_elem(&pol_sc, &key);
	if (!sc)
		return false;
	st->gen = a.gen;
	st->slot = a.slot & 1;
	st->known = 0;
	st->maybe_seen = 0;
	st->never_maybe = 0;
	st->result = (sc->flags & CA_PSF_OVERFLOW) ? CA_PD_MAYBE : CA_PD_DROP;
	st->rule = CA_POL_RULE_MASK;
	st->facts = sc->facts;
	for (__u32 w = 0; w < CA_POL_WORDS; w++)
		st->rem[w] = read_only ? sc->rbits[w] : sc->bits[w];
	return st->result == CA_PD_MAYBE || st->rem[0] || st->rem[1] || st->rem[2] || st->rem[3];
}

/* False when no rule of policy a can apply to nr of abi: the cheapest test there is. */
static __always_inline bool ca_pol_any(struct ca_pol_active a, __u32 abi, __u32 nr,
				       bool read_only)
{
	__u32 key = (a.slot * CA_POL_ABIS + (abi & 1)) * CA_POL_NR;
	struct ca_pol_sc *sc;

	if (!a.gen)
		return true;
	key += nr < CA_POL_NR ? nr : CA_SYSCALL_MAX;
	sc = bpf_map_lookup_elem(&pol_sc, &key);
	if (!sc)
		return false;
	if (sc->flags & CA_PSF_OVERFLOW)
		return true;
	if (read_only)
		return sc->rbits[0] | sc->rbits[1] | sc->rbits[2] | sc->rbits[3];
	return sc->bits[0] | sc->bits[1] | sc->bits[2] | sc->bits[3];
}

/* Run the walk; returns CA_PD_*. */
static __always_inline int ca_pol_run(struct ca_pol_state *st)
{
	if (st->result == CA_PD_MAYBE)
		return CA_PD_MAYBE; /* more rules than the kernel holds: user space decides */
	bpf_loop(CA_POL_RULES + 1, ca_pol_step, NULL, 0);
	return st->result;
}

/* The call's own facts: arguments (NULL: unknown), result, open access mode. */
static __always_inline void ca_pol_call_facts(struct ca_pol_state *st, __u32 nr, const __u64 *args,
					      bool have_ret, long ret, __u32 acc)
{
	if (args) {
		st->v[CA_PF_A0] = (__u32)args[0];
		st->v[CA_PF_A1] = (__u32)args[1];
		st->v[CA_PF_A2] = (__u32)args[2];
		st->v[CA_PF_A3] = (__u32)args[3];
		st->known |= 1u << CA_PF_A0 | 1u << CA_PF_A1 | 1u << CA_PF_A2 | 1u << CA_PF_A3;
	}
	if (have_ret) {
		st->v[CA_PF_SUCCESS] = ret >= 0;
		st->v[CA_PF_EXIT] = (__u32)ret;
		st->known |= 1u << CA_PF_SUCCESS | 1u << CA_PF_EXIT;
	}
	if (!ca_pol_is_open(nr)) {
		st->v[CA_PF_PERM] = 0xff; /* the rule's syscall set already holds its classes */
		st->known |= 1u << CA_PF_PERM;
	} else if (acc) {
		st->v[CA_PF_PERM] = acc;
		st->known |= 1u << CA_PF_PERM;
	}
}

/*
 * CA_PF_LEAF for open file fd of the current task: the hash of the last name
 * its record's path will end with (ca_walk_step's first step). Left unknown
 * where that name is not the dentry's own: a mount's root is named by its
 * mount point. Names longer than CA_POL_LEAF_MAX stay unknown too.
 */
static __always_inline void ca_pol_leaf_fact(struct ca_pol_state *st, int fd)
{
	struct file *f = ca_fd_file(bpf_get_current_task_btf(), fd);
	unsigned char name[CA_POL_LEAF_MAX];
	struct vfsmount *mnt;
	struct dentry *d;
	__u32 len, h = CA_FNV_OFFSET;

	if (!f)
		return;
	d = BPF_CORE_READ(f, f_path.dentry);
	mnt = BPF_CORE_READ(f, f_path.mnt);
	if (!d || !mnt || d == BPF_CORE_READ(mnt, mnt_root))
		return;
	len = BPF_CORE_READ(d, d_name.len);
	if (!len || len > CA_POL_LEAF_MAX ||
	    bpf_probe_read_kernel(name, len, BPF_CORE_READ(d, d_name.name)))
		return;
	for (__u32 i = 0; i < CA_POL_LEAF_MAX; i++) {
		if (i >= len)
			break;
		h = (h ^ name[i]) * CA_FNV_PRIME;
	}
	st->v[CA_PF_LEAF] = h;
	st->known |= 1u << CA_PF_LEAF;
}

/*
 * One policy decision for an operation of the current task: syscall nr (the
 * x86_64 row), its ABI and raw arguments (NULL: unknown), its result when
 * have_ret, the open access mode (0: unknown or not an open), and whether
 * the task's credentials are already final (not for exec and set*id at
 * entry: auditd tests them at exit). Under policy a (gen 0: no policy, all
 * pass). Returns CA_PD_*; the record fields go to *gen and *rule.
 */
static __always_inline int ca_pol_decide_fd(struct ca_pol_active a, __u32 nr, __u32 abi,
					    const __u64 *args, bool have_ret, long ret, __u32 acc,
					    bool creds_final, int leaf_fd, __u32 *gen, __u32 *rule)
{
	struct ca_scratch *s;
	struct ca_pol_state *st;
	int res;

	*gen = a.gen;
	*rule = CA_POL_NONE;
	if (!a.gen)
		return CA_PD_MAYBE;
	s = ca_this_scratch();
	if (!s)
		return CA_PD_MAYBE;
	st = &s->pol;
	if (!ca_pol_begin(st, a, abi, nr, ca_pol_is_open(nr) && acc == 4))
		return CA_PD_DROP;
	/* the task's credentials and ids only when some candidate tests them */
	if (creds_final && (st->facts & ((1u << (CA_PF_LOGINUID_SET + 1)) - 1)))
		ca_pol_task_facts(st, bpf_get_current_task_btf());
	ca_pol_call_facts(st, nr, args, have_ret, ret, acc);
	if (leaf_fd >= 0 && (st->facts & (1u << CA_PF_LEAF)))
		ca_pol_leaf_fact(st, leaf_fd);
	res = ca_pol_run(st);
	*rule = (st->rule & CA_POL_RULE_MASK) | (res == CA_PD_DECIDED ? CA_POL_DECIDED : 0);
	return res;
}

/* ca_pol_decide_fd without a file whose name the kernel knows. */
static __always_inline int ca_pol_decide(struct ca_pol_active a, __u32 nr, __u32 abi,
					 const __u64 *args, bool have_ret, long ret, __u32 acc,
					 bool creds_final, __u32 *gen, __u32 *rule)
{
	return ca_pol_decide_fd(a, nr, abi, args, have_ret, ret, acc, creds_final, -1, gen, rule);
}

/*
 * bpf_loop body: one byte of the path being hashed (FNV-1a), noting the hash
 * of each parent directory and whether the path is in normal form (no "//",
 * "." or ".." component, no trailing "/"), the form rule paths are in.
 */
static long ca_pol_hash_step(__u32 i, void *unused)
{
	struct ca_scratch *s = ca_this_scratch();
	struct ca_pol_state *st;
	__u8 c;

	if (!s)
		return 1;
	st = &s->pol;
	if (st->hpos >= st->hend)
		return 1;
	c = s->ev[(st->hoff + st->hpos) & CA_OFF_MASK];
	if (c == '/') {
		if (st->hpos > 0) {
			if (!st->hcomp || (st->hcomp == 1 && st->hc1 == '.') ||
			    (st->hcomp == 2 && st->hc1 == '.' && st->hc2 == '.'))
				st->hbad = 1;
			if (st->nd >= CA_POL_DIRS || !ca_pol_dir_note(st, st->h))
				st->hbad = 1;
		}
		st->hcomp = 0;
	} else {
		st->hcomp++;
		if (st->hcomp == 1)
			st->hc1 = c;
		else if (st->hcomp == 2)
			st->hc2 = c;
	}
	st->h = (st->h ^ c) * CA_FNV_PRIME;
	st->hpos++;
	return 0;
}

/* Hash string slot `slot` of the record as path k; false when it cannot be compared. */
static __always_inline bool ca_pol_hash_slot(struct ca_scratch *s, struct ca_event *ev, __u32 slot,
					     __u32 k, bool kernel)
{
	struct ca_pol_state *st = &s->pol;
	__u32 off = sizeof(*ev), len;

	for (__u32 j = 0; j < CA_S__COUNT; j++) {
		if (j >= slot)
			break;
		off += ev->str_len[j];
	}
	len = ev->str_len[slot & (CA_S__COUNT - 1)];
	if (!len || len >= CA_PATH_MAX)
		return false;
	/* a name as the caller gave it counts only when absolute */
	if (!kernel && s->ev[off & CA_OFF_MASK] != '/')
		return false;
	st->h = CA_FNV_OFFSET;
	st->hoff = off;
	st->hpos = 0;
	st->hend = len;
	st->hk = k;
	st->hcomp = 0;
	st->hbad = 0;
	bpf_loop(CA_PATH_MAX, ca_pol_hash_step, NULL, 0);
	if (st->hpos != len || st->hbad || (len > 1 && !st->hcomp) ||
	    (st->hcomp == 1 && st->hc1 == '.') ||
	    (st->hcomp == 2 && st->hc1 == '.' && st->hc2 == '.'))
		return false;
	st->ph[k & 1] = st->h;
	/* dir= names the directory itself too */
	return st->nd < CA_POL_DIRS && ca_pol_dir_note(st, st->h);
}

/*
 * The last word on a built file record the kernel left open: the facts it
 * now holds (the object, the paths) go into the walk again. False drops the
 * record; else policy_rule says whether the kernel decided.
 */
static __always_inline bool ca_pol_final(struct ca_rec *r, __u32 nr, bool ia32, __u32 acc)
{
	struct ca_event *ev = r->ev;
	struct ca_pol_state *st = &r->s->pol;
	struct ca_pol_active a = {ev->policy_gen, 0};
	__u32 zero = 0, one = 1, *g0, *g1;
	bool paths = true;
	int res;

	if (!ev->policy_gen || (ev->policy_rule & (CA_POL_DECIDED | CA_POL_NONE)))
		return true;
	g0 = bpf_map_lookup_elem(&pol_slot_gen, &zero);
	g1 = bpf_map_lookup_elem(&pol_slot_gen, &one);
	if (g0 && *g0 == a.gen)
		a.slot = 0;
	else if (g1 && *g1 == a.gen)
		a.slot = 1;
	else
		return true; /* that policy is gone: user space decides */
	if (!ca_pol_begin(st, a, ia32, nr, ca_pol_is_open(nr) && acc == 4))
		return false;
	st->v[CA_PF_PID] = ev->task.pid;
	st->v[CA_PF_PPID] = ev->task.ppid;
	st->v[CA_PF_UID] = ev->task.uid;
	st->v[CA_PF_EUID] = ev->task.euid;
	st->v[CA_PF_SUID] = ev->task.suid;
	st->v[CA_PF_FSUID] = ev->task.fsuid;
	st->v[CA_PF_GID] = ev->task.gid;
	st->v[CA_PF_EGID] = ev->task.egid;
	st->v[CA_PF_SGID] = ev->task.sgid;
	st->v[CA_PF_FSGID] = ev->task.fsgid;
	st->v[CA_PF_AUID] = ev->task.auid;
	st->v[CA_PF_SESSIONID] = ev->task.sessionid;
	st->v[CA_PF_LOGINUID_SET] = ev->task.auid != 0xffffffffu;
	st->known = (1u << (CA_PF_LOGINUID_SET + 1)) - 1; /* PID .. LOGINUID_SET */
	ca_pol_call_facts(st, nr, ev->args, !(ev->flags & CA_F_NO_RESULT), ev->ret, acc);
	if (ev->flags & CA_F_OBJ) {
		st->v[CA_PF_OBJ_UID] = ev->obj.uid;
		st->v[CA_PF_OBJ_GID] = ev->obj.gid;
		st->v[CA_PF_INODE] = (__u32)ev->obj.ino;
		st->v[CA_PF_DEVMAJOR] = ev->obj.dev >> 20;
		st->v[CA_PF_DEVMINOR] = ev->obj.dev & 0xfffff;
		st->v[CA_PF_FILETYPE] = ev->obj.mode & 0170000;
		st->known |= 1u << CA_PF_OBJ_UID | 1u << CA_PF_OBJ_GID | 1u << CA_PF_INODE |
			     1u << CA_PF_DEVMAJOR | 1u << CA_PF_DEVMINOR | 1u << CA_PF_FILETYPE;
	}
	/* every path the record names must be comparable for path facts to count */
	st->nd = 0;
	st->stamp++; /* empties the directory table */
	if (!st->stamp)
		st->stamp = 1;
	if (ev->flags & CA_F_PATH_TRUNC)
		paths = false;
	if (paths && ev->str_len[CA_S_PATH] &&
	    !ca_pol_hash_slot(r->s, ev, CA_S_PATH, 0, ev->flags & CA_F_PATH_KERNEL))
		paths = false;
	if (paths && ev->str_len[CA_S_PATH2] &&
	    !ca_pol_hash_slot(r->s, ev, CA_S_PATH2, 1, ev->flags & CA_F_PATH2_KERNEL))
		paths = false;
	if (paths && ev->str_len[CA_S_PATH]) {
		if (!ev->str_len[CA_S_PATH2])
			st->ph[1] = st->ph[0]; /* one path: the second compares as the first */
		st->known |= 1u << CA_PF_PATH | 1u << CA_PF_DIR;
	}
	res = ca_pol_run(st);
	if (res == CA_PD_DROP)
		return false;
	ev->policy_rule = (st->rule & CA_POL_RULE_MASK) | (res == CA_PD_DECIDED ? CA_POL_DECIDED : 0);
	return true;
}

#endif
