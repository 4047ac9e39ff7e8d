/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The enter half of table-driven syscall capture, shared by the per-syscall
 * tracepoints (syscall.bpf.c) and the 32-bit entry (ia32.bpf.c): decide
 * whether a call may make a record and save what its exit needs.
 */
#ifndef CAUDIT_SC_ENTER_BPF_H
#define CAUDIT_SC_ENTER_BPF_H

#include "policy.bpf.h"

#define CA_O_ACCMODE_WRITE 03 /* O_WRONLY | O_RDWR */
#define CA_O_CREAT 0100
#define CA_O_TRUNC 01000

static __always_inline bool open_writes(__u64 flags)
{
	return flags & (CA_O_ACCMODE_WRITE | CA_O_CREAT | CA_O_TRUNC);
}

static __always_inline __u64 arg_at(const __u64 *a, __u8 i)
{
	switch (i) {
	case 0: return a[0];
	case 1: return a[1];
	case 2: return a[2];
	case 3: return a[3];
	case 4: return a[4];
	case 5: return a[5];
	default: return 0;
	}
}

/* ptrace requests that take control of or write to another process */
static __always_inline bool ptrace_request_wanted(__u64 req)
{
	switch (req) {
	case 0:      /* PTRACE_TRACEME */
	case 4:      /* PTRACE_POKETEXT */
	case 5:      /* PTRACE_POKEDATA */
	case 6:      /* PTRACE_POKEUSER */
	case 13:     /* PTRACE_SETREGS */
	case 15:     /* PTRACE_SETFPREGS */
	case 16:     /* PTRACE_ATTACH */
	case 19:     /* PTRACE_SETFPXREGS */
	case 0x4203: /* PTRACE_SETSIGINFO */
	case 0x4205: /* PTRACE_SETREGSET */
	case 0x4206: /* PTRACE_SEIZE */
		return true;
	default:
		return false;
	}
}

/* bpf() commands that only read state are not recorded */
static __always_inline bool bpf_cmd_wanted(__u64 cmd)
{
	switch (cmd) {
	case 1:  /* BPF_MAP_LOOKUP_ELEM */
	case 4:  /* BPF_MAP_GET_NEXT_KEY */
	case 11: /* BPF_PROG_GET_NEXT_ID */
	case 12: /* BPF_MAP_GET_NEXT_ID */
	case 15: /* BPF_OBJ_GET_INFO_BY_FD */
	case 16: /* BPF_PROG_QUERY */
	case 19: /* BPF_BTF_GET_FD_BY_ID */
	case 20: /* BPF_TASK_FD_QUERY */
	case 23: /* BPF_BTF_GET_NEXT_ID */
	case 24: /* BPF_MAP_LOOKUP_BATCH */
	case 31: /* BPF_LINK_GET_NEXT_ID */
		return false;
	default:
		return true;
	}
}

/* msg_name of a user msghdr (sendmsg) or of the first mmsghdr (sendmmsg) */
static __always_inline __u64 msg_name_of(__u64 umsg)
{
	__u64 name = 0;

	/* struct user_msghdr and struct mmsghdr both start with msg_name */
	if (bpf_probe_read_user(&name, sizeof(name), (void *)umsg))
		return 1; /* unreadable at enter: decide at exit */
	return name;
}

/* Open access mode for the policy's perm test (0: unknown or not an open). */
static __always_inline __u32 ca_sc_open_acc(const struct ca_sc_desc *d, const __u64 *args)
{
	if (d->kind != CA_SC_OPEN || (d->flags & CA_SCF_OPEN_HOW) || d->flags_arg >= 6)
		return 0; /* openat2's flags are read at exit */
	return ca_pol_acc_mode(arg_at(args, d->flags_arg));
}

/*
 * The policy at entry: drop calls no rule can select with what is known
 * now; remember the policy for the exit, which decides with the result.
 */
static __always_inline bool ca_sc_policy_enter(struct ca_pending *p, const struct ca_sc_desc *d)
{
	struct ca_pol_active a = ca_pol_current();
	__u32 gen, rule;
	/* exec and set*id change the credentials the rules test: known at exit */
	bool creds_final = d->kind != CA_SC_EXEC && d->kind != CA_SC_CRED;

	if (ca_pol_decide(a, p->nr, !!(p->ev_flags & CA_F_ABI_IA32), p->args, false, 0,
			  ca_sc_open_acc(d, p->args), creds_final, &gen, &rule) == CA_PD_DROP) {
		ca_pol_count_drop(CA_PST_ENTRY);
		return false;
	}
	p->pol_gen = a.gen;
	p->pol_slot = a.slot;
	return true;
}

/*
 * The policy at exit, with the result: false drops the call. Evaluated with
 * the policy seen at enter while its slot still holds it, so a call that
 * straddles a reload is judged by one policy; the decision goes to
 * p->pol_gen and p->pol_slot (now the record's policy_rule). Run by the exit
 * dispatchers, so that the handlers' verification stays as it was.
 */
static __always_inline bool ca_sc_policy_exit(struct ca_pending *p, const struct ca_sc_desc *d,
					long ret)
{
	struct ca_pol_active a = ca_pol_resolve(p->pol_gen, p->pol_slot);
	/* an open's new fd: the record's path will end with that file's name */
	int leaf_fd = d->kind == CA_SC_OPEN && (d->flags & CA_SCF_RET_FD) && ret >= 0 ? ret : -1;
	__u32 gen, rule;

	if (ca_pol_decide_fd(a, p->nr, !!(p->ev_flags & CA_F_ABI_IA32), p->args, true, ret,
			     ca_sc_open_acc(d, p->args), true, leaf_fd, &gen, &rule) == CA_PD_DROP) {
		ca_pol_count_drop(CA_PST_EXIT);
		return false;
	}
	p->pol_gen = gen;
	p->pol_slot = rule;
	return true;
}

/* Cheap per-syscall tests at enter: calls no record will be made for. */
static __always_inline bool enter_wanted(const struct ca_sc_desc *d, __u32 nr, const __u64 *a)
{
	switch (nr) {
	case 101: return ptrace_request_wanted(a[0]);
	case 321: return bpf_cmd_wanted(a[0]);
	case 44:  return a[4] != 0;               /* sendto without address: connected */
	case 46:
	case 307: return msg_name_of(a[1]) != 0;  /* sendmsg/sendmmsg */
	}
	return true;
}

static __always_inline void read_creds(struct ca_creds *c, struct task_struct *t)
{
	const struct cred *cred = BPF_CORE_READ(t, cred);
	struct group_info *gi = BPF_CORE_READ(cred, group_info);
	__u32 n = 0;

	c->uid = BPF_CORE_READ(cred, uid.val);
	c->euid = BPF_CORE_READ(cred, euid.val);
	c->suid = BPF_CORE_READ(cred, suid.val);
	c->fsuid = BPF_CORE_READ(cred, fsuid.val);
	c->gid = BPF_CORE_READ(cred, gid.val);
	c->egid = BPF_CORE_READ(cred, egid.val);
	c->sgid = BPF_CORE_READ(cred, sgid.val);
	c->fsgid = BPF_CORE_READ(cred, fsgid.val);
	c->cap_effective = BPF_CORE_READ(cred, cap_effective.val);
	c->cap_permitted = BPF_CORE_READ(cred, cap_permitted.val);
	c->cap_inheritable = BPF_CORE_READ(cred, cap_inheritable.val);
	c->_pad0 = 0;
	if (gi)
		n = BPF_CORE_READ(gi, ngroups);
	c->ngroups = n;
	__builtin_memset(c->groups, 0, sizeof(c->groups));
	if (n > CA_GROUPS_MAX)
		n = CA_GROUPS_MAX;
	if (gi && n) {
		__u32 sz = n * 4;

		if (sz > sizeof(c->groups))
			sz = sizeof(c->groups);
		bpf_probe_read_kernel(c->groups, sz, &gi->gid[0]);
	}
}

/*
 * Shared by the per-syscall tracepoints and the ia32 entry: decide whether
 * the call may make a record and save what the exit needs. nr is the x86_64
 * number; a holds the six raw arguments.
 */
static __always_inline int ca_sc_enter_common(struct ca_pending *p)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 nr = p->nr;
	struct ca_sc_desc *d;

	if (!ca_gen_active())
		return 0; /* the pending map may be shared with another object's programs */
	d = bpf_map_lookup_elem(&sc_table, &nr);
	if (!d || !d->wanted)
		return 0;
	/* a syscall no rule names (a read-only open no rule with r wants): nothing more to do */
	if (!ca_pol_any(ca_pol_current(), !!(p->ev_flags & CA_F_ABI_IA32), nr,
			ca_pol_is_open(nr) && ca_sc_open_acc(d, p->args) == 4))
		return 0;
	/*
	 * Read-only opens, the commonest syscall we hook, are dropped first:
	 * the flags test is cheaper than the uid/comm filter (openat2: at exit).
	 */
	if (d->kind == CA_SC_OPEN && !ca_cfg.capture_read_opens && d->flags_arg < 6 &&
	    !open_writes(arg_at(p->args, d->flags_arg)))
		return 0;
	if (d->kind >= CA_SC_NET && !enter_wanted(d, nr, p->args))
		return 0;
	if (ca_current_filtered())
		return 0;
	if (!ca_sc_policy_enter(p, d))
		return 0;
	p->enter_ns = bpf_ktime_get_boot_ns();
	if (bpf_map_update_elem(&pending, &tid, p, BPF_ANY)) {
		ca_count_drop(CA_DROP_MAP_FULL);
		return 0;
	}
	if (d->kind == CA_SC_CRED) {
		struct ca_scratch *s = ca_this_scratch();

		if (!s)
			return 0;
		/* staged in scratch: a struct ca_creds is too big for the stack */
		read_creds((struct ca_creds *)s->tmp, bpf_get_current_task_btf());
		if (bpf_map_update_elem(&pending_cred, &tid, s->tmp, BPF_ANY))
			ca_count_drop(CA_DROP_MAP_FULL);
	}
	return 0;
}

#endif
