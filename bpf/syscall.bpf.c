/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Table-driven syscall capture (file operations and failed execs).
 *
 * Rationale: the per-syscall tracepoints syscalls/sys_{enter,exit}_NAME cost
 * nothing on syscalls we do not hook. sys_enter saves the raw arguments in
 * `pending` keyed by thread id; sys_exit reads the path strings (the pages are
 * faulted in by then), resolves relative names against the dirfd or cwd with
 * a dentry walk, and for opens walks the returned fd so the record holds the
 * file the kernel actually opened. How to read each syscall's arguments comes
 * from the sc_table map, filled from user/common/syscall_table.c, so adding a
 * syscall or switching one off needs no program change.
 */
#include "record.bpf.h"

#define CA_O_ACCMODE_WRITE 03 /* O_WRONLY | O_RDWR */
#define CA_O_CREAT 0100
#define CA_O_TRUNC 01000
/* argv entries walked: args_max bytes hold at most CA_ARGS_MAX / 2 of them */
#define CA_ARGV_MAX (CA_ARGS_MAX / 2 + 1)

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

static __always_inline int sc_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 nr = (__u32)ctx->id;
	struct ca_sc_desc *d;
	struct ca_pending p = {};

	if (!ca_gen_active())
		return 0; /* the pending map may be shared with another object's programs */
	d = bpf_map_lookup_elem(&sc_table, &nr);
	if (!d || !d->wanted)
		return 0;
	/*
	 * Not ctx->args[i]: attach refuses a program whose direct ctx reads go
	 * past the tracepoint's record, and sys_enter_open has three args only.
	 * Slots past the syscall's arity hold bytes nobody reads.
	 */
	bpf_probe_read_kernel(p.args, sizeof(p.args), (void *)ctx->args);
	/*
	 * Read-only opens, the commonest syscall we hook, are dropped first:
	 * the flags test is cheaper than the uid/comm filter (openat2: at exit).
	 */
	if (d->kind == CA_SC_OPEN && !ca_cfg.capture_read_opens && d->flags_arg < 6 &&
	    !open_writes(arg_at(p.args, d->flags_arg)))
		return 0;
	if (ca_current_filtered())
		return 0;
	p.nr = nr;
	p.enter_ns = bpf_ktime_get_boot_ns();
	if (bpf_map_update_elem(&pending, &tid, &p, BPF_ANY))
		ca_count_drop(CA_DROP_MAP_FULL);
	return 0;
}

/*
 * Append the object a path argument names: the path string, and the
 * directory it is relative to when it does not start with '/'. A NULL or
 * empty path with the right flag means the dirfd itself is the object.
 */
static __always_inline void append_object(struct ca_rec *r, struct task_struct *t,
					  const __u64 *args, __u8 path_arg, __u8 dirfd_arg,
					  __u32 slot, __u16 kernel_flag, bool fd_if_empty)
{
	int dirfd = CA_AT_FDCWD;
	__u64 uptr;
	__u32 start;
	int n;

	if (path_arg >= 6)
		return;
	if (dirfd_arg < 6)
		dirfd = (int)arg_at(args, dirfd_arg);
	uptr = arg_at(args, path_arg);
	/* a NULL or empty path with AT_EMPTY_PATH names dirfd itself (or the cwd) */
	if (!uptr) {
		if (fd_if_empty && ca_append_base(r, slot, t, dirfd) > 0)
			r->ev->flags |= kernel_flag;
		return;
	}
	start = r->off;
	n = ca_append_user_str(r, slot, (const void *)uptr);
	if (n == 0 && fd_if_empty) {
		if (ca_append_base(r, slot, t, dirfd) > 0)
			r->ev->flags |= kernel_flag;
		return;
	}
	if (n > 0 && ca_byte_at(r, start) != '/')
		ca_append_base(r, slot + 1, t, dirfd);
}

static long argv_step(__u32 i, void *unused)
{
	struct ca_scratch *s = ca_this_scratch();
	struct ca_loop_state *w;
	const char *ap = NULL;
	__u32 room, used;
	long n;

	if (!s)
		return 1;
	w = &s->loop;
	if (bpf_probe_read_user(&ap, sizeof(ap), (void *)(w->argv + i * sizeof(ap)))) {
		w->fault = 1;
		return 1;
	}
	if (!ap)
		return 1;
	used = w->used;
	if (used >= w->max || used >= CA_ARGS_MAX) {
		w->argv_trunc = 1;
		return 1;
	}
	room = w->max - used;
	if (room > CA_ARGS_MAX)
		room = CA_ARGS_MAX;
	n = bpf_probe_read_user_str(&s->ev[(w->start + used) & CA_OFF_MASK], room, ap);
	if (n <= 0) {
		w->fault = 1;
		return 1;
	}
	if (n >= room)
		w->argv_trunc = 1;
	w->used = used + n;
	return 0;
}

/* argv of a failed exec, from the caller's memory (NUL separated). */
static __always_inline void append_user_argv(struct ca_rec *r, __u64 argv)
{
	struct ca_loop_state *w = &r->s->loop;
	__u32 used;

	if (!argv || !ca_room(r))
		return;
	w->argv = argv;
	w->start = r->off;
	w->used = 0;
	w->argv_trunc = 0;
	w->fault = 0;
	w->max = ca_cfg.args_max;
	if (w->max > CA_ARGS_MAX)
		w->max = CA_ARGS_MAX;
	if (bpf_loop(CA_ARGV_MAX, argv_step, NULL, 0) == CA_ARGV_MAX) {
		const char *next = NULL;

		/* out of iterations: more arguments follow unless argv ends here */
		bpf_probe_read_user(&next, sizeof(next),
				    (void *)(argv + CA_ARGV_MAX * sizeof(next)));
		if (next)
			w->argv_trunc = 1;
	}
	if (w->argv_trunc) {
		r->ev->flags |= CA_F_ARGS_TRUNC;
		ca_count_drop(CA_DROP_TRUNCATED);
	}
	if (w->fault) {
		r->ev->flags |= CA_F_READ_FAULT;
		ca_count_drop(CA_DROP_READ_FAULT);
	}
	used = w->used;
	if (used > CA_ARGS_MAX)
		used = CA_ARGS_MAX;
	if (used)
		ca_set_slot(r, CA_S_ARGS, used - 1);
}

static __always_inline int sc_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	long ret = ctx->ret;
	struct ca_pending *pp, p;
	struct ca_sc_desc *dp, d;
	struct ca_rec r;
	__u64 flags = 0, mode = 0;
	bool fault = false;

	if (!ca_gen_active())
		return 0; /* the active object's exit completes this call */
	pp = bpf_map_lookup_elem(&pending, &tid);
	if (!pp)
		return 0;
	p = *pp;
	bpf_map_delete_elem(&pending, &tid);
	dp = bpf_map_lookup_elem(&sc_table, &p.nr);
	if (!dp)
		return 0;
	d = *dp;

	if (d.kind == CA_SC_EXEC && ret >= 0)
		return 0; /* recorded by sched_process_exec */
	if (d.kind == CA_SC_OPEN) {
		if (d.flags & CA_SCF_OPEN_HOW) {
			struct open_how how = {};

			if (bpf_probe_read_user(&how, sizeof(how), (void *)p.args[2])) {
				/* unknown flags: record it rather than guess read-only */
				how.flags = 01;
				fault = true;
			}
			flags = how.flags;
			mode = how.mode;
		} else if (d.flags & CA_SCF_CREAT_FLAGS) {
			flags = CA_O_CREAT | 01 | CA_O_TRUNC;
			mode = arg_at(p.args, d.mode_arg);
		} else {
			flags = arg_at(p.args, d.flags_arg);
			mode = arg_at(p.args, d.mode_arg);
		}
		if (!ca_cfg.capture_read_opens && !open_writes(flags))
			return 0;
	}

	if (!ca_rec_begin(&r, d.kind == CA_SC_EXEC ? CA_EV_PROC_EXEC_FAIL : CA_EV_SYSCALL, t))
		return 0;
	r.ev->syscall_nr = p.nr;
	r.ev->ret = ret;
	r.ev->args[0] = p.args[0];
	r.ev->args[1] = p.args[1];
	r.ev->args[2] = p.args[2];
	r.ev->args[3] = p.args[3];
	r.ev->args[4] = p.args[4];
	r.ev->args[5] = p.args[5];
	r.ev->aux[CA_AUX_OPEN_FLAGS] = flags;
	r.ev->aux[CA_AUX_OPEN_MODE] = mode;
	if (fault) {
		r.ev->flags |= CA_F_READ_FAULT;
		ca_count_drop(CA_DROP_READ_FAULT);
	}

	if ((d.flags & CA_SCF_RET_FD) && ret >= 0) {
		if (ca_append_fd_path(&r, CA_S_PATH, t, ret) > 0)
			r.ev->flags |= CA_F_PATH_KERNEL;
	} else if (d.path_arg < 6) {
		bool fd_if_empty = (d.flags & CA_SCF_PATH_NULL_FD) ||
				   ((d.flags & CA_SCF_EMPTY_PATH_FD) &&
				    (arg_at(p.args, d.flags_arg) & CA_AT_EMPTY_PATH));

		append_object(&r, t, p.args, d.path_arg, d.dirfd_arg, CA_S_PATH, CA_F_PATH_KERNEL,
			      fd_if_empty);
	} else if (d.fd_arg < 6) {
		if (ca_append_fd_path(&r, CA_S_PATH, t, (int)arg_at(p.args, d.fd_arg)) > 0)
			r.ev->flags |= CA_F_PATH_KERNEL;
	}
	if (d.kind == CA_SC_EXEC) {
		/* aux_arg of an exec is its argv */
		append_user_argv(&r, arg_at(p.args, d.aux_arg));
	} else {
		append_object(&r, t, p.args, d.path2_arg, d.dirfd2_arg, CA_S_PATH2,
			      CA_F_PATH2_KERNEL, false);
		if (d.aux_arg < 6)
			ca_append_user_str(&r, CA_S_AUX, (const void *)arg_at(p.args, d.aux_arg));
	}
	ca_rec_submit(&r);
	return 0;
}

/* The shared exit handler: not attached itself, reached by tail call. */
SEC("tracepoint")
int ca_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	return sc_exit(ctx);
}

/* One enter/exit pair per syscall; all share the table-driven handlers. */
#define CA_SYSCALL(name)                                                                   \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                        \
	int ca_enter_##name(struct trace_event_raw_sys_enter *ctx)                         \
	{                                                                                  \
		return sc_enter(ctx);                                                      \
	}                                                                                  \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                         \
	int ca_exit_##name(struct trace_event_raw_sys_exit *ctx)                           \
	{                                                                                  \
		bpf_tail_call(ctx, &sc_exit_prog, 0);                                      \
		return 0;                                                                  \
	}

#include "caudit_syscalls.def"
