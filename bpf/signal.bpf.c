/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Signals aimed at another user's process, or at the agent.
 *
 * Rationale: tp_btf/signal_generate fires in the sender's context once per
 * target task after the kernel's permission check, so it sees exactly which
 * process got the signal (including each member of a process group) and
 * with which credentials; the per-syscall kill tracepoints only see the pid
 * argument. Only signals sent by the kill family of syscalls are considered
 * (the syscall in progress, from the task's saved registers), so the
 * kernel's own SIGCHLD, SIGPIPE and faults are not. Same-user signals are
 * everyday process management and are not recorded; those the kernel's rule
 * would refuse without CAP_KILL (kill_ok_by_cred) are, and so is any signal
 * to the agent. Refused attempts are recorded by the kill tracepoints (EPERM).
 */
#include "policy.bpf.h"
#include <bpf/bpf_tracing.h>

#define CA_TS_COMPAT 0x0002

/* x86_64 number of a kill-family syscall in progress, or -1. */
static __always_inline long kill_family_nr(long nr, bool compat)
{
	if (compat) {
		switch (nr) {
		case 37: return 62;   /* kill */
		case 238: return 200; /* tkill */
		case 270: return 234; /* tgkill */
		case 178: return 129; /* rt_sigqueueinfo */
		case 335: return 297; /* rt_tgsigqueueinfo */
		case 424: return 424; /* pidfd_send_signal */
		}
		return -1;
	}
	switch (nr) {
	case 62: case 200: case 234: case 129: case 297: case 424:
		return nr;
	}
	return -1;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(ca_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *target,
	     int group, int result)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	bool compat = t->thread_info.status & CA_TS_COMPAT;
	const struct cred *sc, *tc;
	__u32 s_uid, s_euid, t_uid, t_euid, t_suid, t_tgid;
	bool to_agent, same_user;
	struct ca_rec r;
	__u32 gen, rule;
	long nr;

	if (!regs)
		return 0;
	nr = kill_family_nr(BPF_CORE_READ(regs, orig_ax), compat);
	if (nr < 0)
		return 0;
	t_tgid = BPF_CORE_READ(target, tgid);
	if (t_tgid == (__u32)(bpf_get_current_pid_tgid() >> 32))
		return 0;
	sc = BPF_CORE_READ(t, cred);
	tc = BPF_CORE_READ(target, real_cred);
	s_uid = BPF_CORE_READ(sc, uid.val);
	s_euid = BPF_CORE_READ(sc, euid.val);
	t_uid = BPF_CORE_READ(tc, uid.val);
	t_euid = BPF_CORE_READ(tc, euid.val);
	t_suid = BPF_CORE_READ(tc, suid.val);
	same_user = s_euid == t_suid || s_euid == t_uid || s_uid == t_suid || s_uid == t_uid;
	to_agent = t_tgid == ca_cfg.agent_tgid;
	if (same_user && !to_agent)
		return 0;
	if (ca_current_filtered())
		return 0;
	if (ca_pol_decide(ca_pol_current(), nr, compat, NULL, false, 0, 0, true, &gen, &rule) ==
	    CA_PD_DROP)
		return 0;
	if (!ca_rec_begin(&r, CA_EV_SIGNAL, t))
		return 0;
	r.ev->policy_gen = gen;
	r.ev->policy_rule = rule;
	r.ev->syscall_nr = nr;
	if (compat)
		r.ev->flags |= CA_F_ABI_IA32;
	r.ev->aux[CA_AUX_SIG_NR] = sig;
	r.ev->aux[CA_AUX_SIG_TARGET] = t_tgid;
	r.ev->aux[CA_AUX_SIG_TARGET_UID] = t_uid | (__u64)t_euid << 32;
	r.ev->aux[CA_AUX_SIG_RESULT] = (__u32)result;
	if (ca_room(&r)) {
		long n = bpf_probe_read_kernel_str(&r.s->ev[r.off & CA_OFF_MASK], CA_COMM_LEN,
						   target->group_leader->comm);
		if (n > 1)
			ca_set_slot(&r, CA_S_AUX, n - 1);
	}
	ca_rec_submit(&r);
	return 0;
}
