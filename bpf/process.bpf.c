/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Process lifecycle: exec, fork, exit.
 *
 * Rationale: the sched_process_{exec,fork,exit} tracepoints (tp_btf) fire on
 * every path that creates, replaces or ends a process image, whatever syscall
 * or ABI led there (execve, execveat, 32-bit entry, io_uring workers ...).
 * At sched_process_exec the new mm is installed, so argv is read from
 * mm->arg_start..arg_end, and bprm->file is the image actually executed.
 * Failed execs never reach it; they are recorded at sys_exit (syscall.bpf.c).
 */
#include "sock.bpf.h"
#include "policy.bpf.h"
#include <bpf/bpf_tracing.h>

#define CA_SIGNAL_GROUP_EXIT 0x00000004

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define CA_TS_COMPAT_PROC 0x0002

/* The x86_64 syscall the current task is in, or CA_SYSCALL_MAX (32-bit, none). */
static __always_inline __u32 current_syscall_nr(struct task_struct *t)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	long nr;

	if (!regs || (t->thread_info.status & CA_TS_COMPAT_PROC))
		return CA_SYSCALL_MAX;
	nr = BPF_CORE_READ(regs, orig_ax);
	return nr >= 0 && nr < CA_SYSCALL_MAX ? (__u32)nr : CA_SYSCALL_MAX;
}

/* The policy for a lifecycle record of syscall nr: false drops it. */
static __always_inline bool lifecycle_policy(struct ca_rec *r, __u32 nr, bool have_ret, long ret)
{
	__u32 gen, rule;

	if (ca_pol_decide(ca_pol_current(), nr, 0, NULL, have_ret, ret, 0, true, &gen,
			  &rule) == CA_PD_DROP)
		return false;
	r->ev->policy_gen = gen;
	r->ev->policy_rule = rule;
	return true;
}

/* argv of the new image, cut at args_max (flagged). */
static __always_inline void append_args(struct ca_rec *r, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	unsigned long end = BPF_CORE_READ(mm, arg_end);
	__u64 len = end - start;
	__u32 max = ca_cfg.args_max;

	if (!ca_room(r) || end <= start)
		return;
	if (max > CA_ARGS_MAX)
		max = CA_ARGS_MAX;
	if (len > max) {
		len = max;
		r->ev->flags |= CA_F_ARGS_TRUNC;
		ca_count_drop(CA_DROP_TRUNCATED);
	}
	if (len > CA_ARGS_MAX)
		len = CA_ARGS_MAX;
	if (bpf_probe_read_user(&r->s->ev[r->off & CA_OFF_MASK], len, (void *)start)) {
		r->ev->flags |= CA_F_READ_FAULT;
		ca_count_drop(CA_DROP_READ_FAULT);
		return;
	}
	/* argv ends with a NUL: keep the separators, drop the final one */
	if (len && r->s->ev[(r->off + len - 1) & CA_OFF_MASK] == 0)
		len--;
	ca_set_slot(r, CA_S_ARGS, len);
}

/*
 * A login service (config login_services) started for a connection has the
 * client socket on fd 0 (sshd re-executes itself so, inetd services too):
 * its peer becomes the origin of this process and, through fork, of the
 * whole session below it.
 */
static __always_inline void note_login_origin(struct task_struct *t)
{
	struct ca_comm_key key = {};
	struct ca_net_info ni = {};
	struct ca_origin o = {};
	struct sock *sk;
	__u32 tgid;

	BPF_CORE_READ_STR_INTO(&key.comm, t, comm);
	if (!bpf_map_lookup_elem(&login_services, &key))
		return;
	sk = ca_fd_sock(t, 0);
	if (!sk)
		return;
	ca_sock_fill(&ni, sk);
	if ((ni.family != CA_AF_INET && ni.family != CA_AF_INET6) ||
	    !(ni.flags & CA_NET_HAVE_DST))
		return;
	__builtin_memcpy(o.addr, ni.daddr, sizeof(o.addr));
	o.family = ni.family;
	o.port = ni.dport;
	__builtin_memcpy(o.service, key.comm, sizeof(o.service));
	tgid = BPF_CORE_READ(t, tgid);
	if (bpf_map_update_elem(&origins, &tgid, &o, BPF_ANY))
		ca_count_drop(CA_DROP_MAP_FULL);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ca_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct ca_rec r;
	__u32 start;

	__u32 old_tid = old_pid, nr = CA_SYSCALL_MAX, gen, rule;
	struct ca_pending *pe;
	struct ca_pol_active a;
	__u64 args[4] = {};
	bool ia32 = false;

	if (!ca_gen_active())
		return 0; /* shares pending with the active object: hands off */
	pe = bpf_map_lookup_elem(&pending, &old_tid);

	/* which call it was (execve or execveat), when its enter was seen */
	if (pe) {
		nr = pe->nr;
		ia32 = pe->ev_flags & CA_F_ABI_IA32;
		args[0] = pe->args[0];
		args[1] = pe->args[1];
		args[2] = pe->args[2];
		args[3] = pe->args[3];
		a = ca_pol_resolve(pe->pol_gen, pe->pol_slot);
	} else {
		nr = current_syscall_nr(t);
		a = ca_pol_current();
	}
	/* exec from a non-leader thread changed its tid: its sys_exit won't match */
	if (old_tid != (__u32)BPF_CORE_READ(t, pid))
		bpf_map_delete_elem(&pending, &old_tid);
	note_login_origin(t);
	if (ca_current_filtered())
		return 0;
	/* judged as auditd does at the exec's exit: new credentials, success */
	if (ca_pol_decide(a, nr, ia32, pe ? args : NULL, true, 0, 0, true, &gen, &rule) ==
	    CA_PD_DROP)
		return 0;
	if (!ca_rec_begin(&r, CA_EV_PROC_EXEC, t))
		return 0;
	r.ev->syscall_nr = nr;
	r.ev->policy_gen = gen;
	r.ev->policy_rule = rule;
	if (ia32)
		r.ev->flags |= CA_F_ABI_IA32;
	r.ev->aux[CA_AUX_EXEC_OLD_PID] = old_pid;

	/* the name as the caller gave it (may be /proc/self/fd/N, a script ...) */
	if (ca_room(&r)) {
		long n = bpf_probe_read_kernel_str(&r.s->ev[r.off & CA_OFF_MASK], CA_PATH_MAX,
						   BPF_CORE_READ(bprm, filename));
		if (n > 0) {
			if (n > CA_PATH_MAX)
				n = CA_PATH_MAX;
			ca_set_slot(&r, CA_S_PATH, n - 1);
		}
	}
	start = r.off;
	if (ca_append_struct_path(&r, CA_S_EXE, &bprm->file->f_path) > 0 &&
	    ca_byte_at(&r, start) == '/') {
		/* memfd images live on an internal mount: "/memfd:name" */
		char m[7] = {};

		bpf_probe_read_kernel(m, 6, &r.s->ev[(start + 1) & CA_OFF_MASK]);
		if (m[0] == 'm' && m[1] == 'e' && m[2] == 'm' && m[3] == 'f' && m[4] == 'd' &&
		    m[5] == ':')
			r.ev->flags |= CA_F_EXE_MEMFD;
	}
	append_args(&r, t);
	ca_append_path(&r, CA_S_CWD, BPF_CORE_READ(t, fs, pwd.mnt),
		       BPF_CORE_READ(t, fs, pwd.dentry));
	ca_rec_submit(&r);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ca_process_fork, struct task_struct *parent, struct task_struct *child)
{
	struct ca_rec r;
	__u32 ptgid, ctgid;
	struct ca_origin *o;

	/* threads share the process: only new thread groups are processes */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	/* the session origin passes to the child (a login service's: the last accepted peer) */
	ptgid = BPF_CORE_READ(parent, tgid);
	ctgid = BPF_CORE_READ(child, tgid);
	o = bpf_map_lookup_elem(&origins, &ptgid);
	if (!o) {
		o = bpf_map_lookup_elem(&accepted_peer, &ptgid);
		if (o && bpf_map_update_elem(&origins, &ctgid, o, BPF_ANY) == 0)
			bpf_map_delete_elem(&accepted_peer, &ptgid);
	} else if (bpf_map_update_elem(&origins, &ctgid, o, BPF_ANY)) {
		ca_count_drop(CA_DROP_MAP_FULL);
	}
	if (ca_current_filtered())
		return 0;
	if (!ca_rec_begin(&r, CA_EV_PROC_FORK, bpf_get_current_task_btf()))
		return 0;
	r.ev->syscall_nr = current_syscall_nr(bpf_get_current_task_btf());
	if (!lifecycle_policy(&r, r.ev->syscall_nr, true, ctgid))
		return 0;
	r.ev->aux[CA_AUX_FORK_CHILD_PID] = BPF_CORE_READ(child, tgid);
	r.ev->aux[CA_AUX_FORK_CHILD_START] = BPF_CORE_READ(child, start_boottime);
	ca_rec_submit(&r);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ca_process_exit, struct task_struct *p, bool group_dead)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct ca_rec r;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	unsigned int sflags;
	int code;

	if (!ca_gen_active())
		return 0;
	/* a thread that dies inside a hooked syscall leaves its enter behind */
	bpf_map_delete_elem(&pending, &tid);
	bpf_map_delete_elem(&pending_cred, &tid);
	if (!group_dead)
		return 0;
	if (ca_current_filtered())
		goto forget;
	if (!ca_rec_begin(&r, CA_EV_PROC_EXIT, t))
		goto forget;
	{
		/* exit or exit_group; a death by signal is in no syscall of its own */
		__u32 nr = current_syscall_nr(t);

		r.ev->syscall_nr = nr == 60 || nr == 231 ? nr : CA_SYSCALL_MAX;
		if (!lifecycle_policy(&r, r.ev->syscall_nr, false, 0))
			goto forget;
	}
	sflags = BPF_CORE_READ(t, signal, flags);
	if (sflags & CA_SIGNAL_GROUP_EXIT)
		code = BPF_CORE_READ(t, signal, group_exit_code);
	else
		code = BPF_CORE_READ(t, exit_code);
	r.ev->aux[CA_AUX_EXIT_CODE] = (__u32)code;
	ca_rec_submit(&r);
forget:
	/* after the record: the exit record still carries the origin */
	tid = BPF_CORE_READ(t, tgid);
	bpf_map_delete_elem(&origins, &tid);
	bpf_map_delete_elem(&accepted_peer, &tid);
	return 0;
}
