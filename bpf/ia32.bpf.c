/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * 32-bit syscalls (int $0x80, sysenter) of any process, 64-bit ones included.
 *
 * Rationale: the per-syscall tracepoints return early for compat syscalls
 * (trace_get_syscall_nr() is -1 when in_ia32_syscall()), so without this an
 * attacker could unlink /etc/shadow through `int $0x80` unseen. The raw
 * sys_enter/sys_exit tracepoints fire for every syscall: these programs
 * return after one load and test unless the thread is in a compat syscall
 * (TS_COMPAT, set before sys_enter and cleared after sys_exit), then map the
 * 32-bit number to the 64-bit row (include/caudit_syscalls_ia32.def) and run
 * the same enter logic and, by tail call, the same exit handlers as
 * syscall.bpf.c. Their cost on every other syscall is in `make bench`.
 */
#include "sc_enter.bpf.h"
#include <bpf/bpf_tracing.h>

#define CA_TS_COMPAT 0x0002

static __always_inline bool in_compat_syscall(struct task_struct *t)
{
	return t->thread_info.status & CA_TS_COMPAT;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(ca_ia32_enter, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct ca_pending p = {};
	__u32 nr32 = (__u32)id, *nr64;

	if (!in_compat_syscall(t))
		return 0;
	nr64 = bpf_map_lookup_elem(&ia32_to_64, &nr32);
	if (!nr64 || !*nr64)
		return 0;
	p.nr = *nr64 - 1;
	p.ev_flags = CA_F_ABI_IA32;
	/* i386 argument registers; pointers are 32-bit values */
	p.args[0] = (__u32)BPF_CORE_READ(regs, bx);
	p.args[1] = (__u32)BPF_CORE_READ(regs, cx);
	p.args[2] = (__u32)BPF_CORE_READ(regs, dx);
	p.args[3] = (__u32)BPF_CORE_READ(regs, si);
	p.args[4] = (__u32)BPF_CORE_READ(regs, di);
	p.args[5] = (__u32)BPF_CORE_READ(regs, bp);
	return ca_sc_enter_common(&p);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ca_ia32_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tid;
	struct ca_pending *pp;
	struct ca_sc_desc *d;
	__u32 nr, nr32, *nr64;

	if (!in_compat_syscall(t))
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	pp = bpf_map_lookup_elem(&pending, &tid);
	if (!pp || !(pp->ev_flags & CA_F_ABI_IA32))
		return 0;
	nr = pp->nr;
	/* a stale enter of another call (its exit was detached): see ca_sys_exit */
	nr32 = (__u32)BPF_CORE_READ(regs, orig_ax);
	nr64 = bpf_map_lookup_elem(&ia32_to_64, &nr32);
	if (!nr64 || *nr64 - 1 != nr) {
		bpf_map_delete_elem(&pending, &tid);
		bpf_map_delete_elem(&pending_cred, &tid);
		return 0;
	}
	d = bpf_map_lookup_elem(&sc_table, &nr);
	if (!d)
		return 0;
	if (ca_gen_active() && !ca_sc_policy_exit(pp, d, ret)) {
		bpf_map_delete_elem(&pending, &tid);
		if (d->kind == CA_SC_CRED) /* only set*id calls stage credentials */
			bpf_map_delete_elem(&pending_cred, &tid);
		return 0;
	}
	bpf_tail_call(ctx, &ia32_exit_prog, d->kind);
	return 0;
}
