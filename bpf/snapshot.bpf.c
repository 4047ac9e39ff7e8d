/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Process snapshot at agent start: one CA_EV_TASK_SNAPSHOT record per
 * process (thread group leader) with its identity, executable and cwd, so
 * that events of processes started before the agent still carry an exe.
 *
 * Rationale: iter/task walks the kernel's task list directly, including tasks
 * whose /proc entries are not readable; user space merges it with a /proc
 * scan (argv comes from /proc/PID/cmdline: an iterator cannot read another
 * process's memory without sleeping). Best effort by nature: the live events
 * that follow are authoritative.
 */
#include "record.bpf.h"
#include <bpf/bpf_tracing.h>

SEC("iter/task")
int ca_snapshot_tasks(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *t = ctx->task;
	struct ca_rec r;
	__u32 size;

	if (!t || t->pid != t->tgid)
		return 0;
	if (!ca_rec_begin(&r, CA_EV_TASK_SNAPSHOT, t))
		return 0;
	r.ev->task.cgroup_id = 0; /* only known for the current task */
	r.ev->aux[0] = t->start_boottime;
	if (t->mm) {
		struct file *exe = BPF_CORE_READ(t, mm, exe_file);

		if (exe)
			ca_append_path(&r, CA_S_EXE, BPF_CORE_READ(exe, f_path.mnt),
				       BPF_CORE_READ(exe, f_path.dentry));
	}
	ca_append_path(&r, CA_S_CWD, BPF_CORE_READ(t, fs, pwd.mnt),
		       BPF_CORE_READ(t, fs, pwd.dentry));
	size = r.off;
	if (size > CA_EVENT_MAX)
		size = CA_EVENT_MAX;
	r.ev->size = size;
	bpf_seq_write(seq, r.s->ev, size);
	return 0;
}
