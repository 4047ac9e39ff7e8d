/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Building one record: the task's identity, string slots, and the hand-off to
 * the ring buffer. Included only by BPF code.
 *
 * String slots are appended in slot order at rec->off; every write is masked
 * so the verifier can see it stays inside scratch.ev:
 *   ev + (off & CA_OFF_MASK) + at most CA_ARGS_MAX bytes <= CA_EVENT_MAX.
 */
#ifndef CAUDIT_RECORD_BPF_H
#define CAUDIT_RECORD_BPF_H

#include "maps.bpf.h"
#include <bpf/bpf_core_read.h>

#define CA_OFF_MASK (32768 - 1)
#define CA_OFF_LIMIT (32768 - 1)
#define CA_TMP_MASK (CA_PATH_MAX - 1)
#define CA_AT_FDCWD -100
#define CA_AT_EMPTY_PATH 0x1000
/* path components + mount crossings walked; a PATH_MAX path has < 2048 */
#define CA_WALK_MAX 2048

_Static_assert(32768 + CA_ARGS_MAX <= CA_EVENT_MAX, "string writes may overflow scratch");
_Static_assert(CA_PATH_MAX + CA_NAME_MAX <= CA_SCRATCH_TMP, "dentry walk may overflow tmp");

struct ca_rec {
	struct ca_scratch *s;
	struct ca_event *ev;
	__u32 off;      /* next free byte in s->ev */
};

static __always_inline void ca_count_drop(__u32 reason)
{
	__u64 *c = bpf_map_lookup_elem(&drop_counters, &reason);

	if (c)
		*c += 1; /* per-CPU: no atomics needed */
}

/* True when config says this task's events are not wanted. */
static __always_inline bool ca_filtered(__u32 tgid, __u32 uid, const char *comm)
{
	__u8 *v;

	if (tgid == ca_cfg.agent_tgid)
		return true;
	v = bpf_map_lookup_elem(&uid_filter, &uid);
	if (v && *v == CA_FILTER_EXCLUDE)
		return true;
	if (ca_cfg.uid_include_active && !(v && *v == CA_FILTER_INCLUDE))
		return true;
	v = bpf_map_lookup_elem(&comm_filter, comm);
	if (v && *v == CA_FILTER_EXCLUDE)
		return true;
	if (ca_cfg.comm_include_active && !(v && *v == CA_FILTER_INCLUDE))
		return true;
	return false;
}

/* ca_filtered() for the current task, cheap enough for every sys_enter. */
static __always_inline bool ca_current_filtered(void)
{
	struct ca_comm_key key = {};
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 uid = (__u32)bpf_get_current_uid_gid();

	if ((__u32)(pid_tgid >> 32) == ca_cfg.agent_tgid)
		return true;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	return ca_filtered(pid_tgid >> 32, uid, key.comm);
}

static __always_inline __u32 ca_pid_ns_inum(struct task_struct *t)
{
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	bpf_core_read(&up, sizeof(up), &pid->numbers[level & 31]);
	return BPF_CORE_READ(up.ns, ns.inum);
}

/* Identity of task t (credentials, ids, namespaces, tty). */
static __always_inline void ca_fill_task(struct ca_task_info *ti, struct task_struct *t)
{
	const struct cred *cred = BPF_CORE_READ(t, cred);
	struct tty_struct *tty;

	ti->pid = BPF_CORE_READ(t, tgid);
	ti->tid = BPF_CORE_READ(t, pid);
	ti->ppid = BPF_CORE_READ(t, real_parent, tgid);
	ti->start_boottime = BPF_CORE_READ(t, group_leader, start_boottime);
	ti->self_exec_id = BPF_CORE_READ(t, group_leader, self_exec_id);
	ti->parent_start_boottime = BPF_CORE_READ(t, real_parent, group_leader, start_boottime);
	ti->parent_self_exec_id = BPF_CORE_READ(t, real_parent, group_leader, self_exec_id);
	ti->uid = BPF_CORE_READ(cred, uid.val);
	ti->euid = BPF_CORE_READ(cred, euid.val);
	ti->suid = BPF_CORE_READ(cred, suid.val);
	ti->fsuid = BPF_CORE_READ(cred, fsuid.val);
	ti->gid = BPF_CORE_READ(cred, gid.val);
	ti->egid = BPF_CORE_READ(cred, egid.val);
	ti->sgid = BPF_CORE_READ(cred, sgid.val);
	ti->fsgid = BPF_CORE_READ(cred, fsgid.val);
	ti->cap_effective = BPF_CORE_READ(cred, cap_effective.val);
	ti->auid = BPF_CORE_READ(t, loginuid.val);
	ti->sessionid = BPF_CORE_READ(t, sessionid);
	ti->ns_mnt = BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum);
	ti->ns_net = BPF_CORE_READ(t, nsproxy, net_ns, ns.inum);
	ti->ns_user = BPF_CORE_READ(cred, user_ns, ns.inum);
	ti->ns_pid = ca_pid_ns_inum(t);
	ti->ns_uts = BPF_CORE_READ(t, nsproxy, uts_ns, ns.inum);
	ti->ns_ipc = BPF_CORE_READ(t, nsproxy, ipc_ns, ns.inum);
	ti->ns_cgroup = BPF_CORE_READ(t, nsproxy, cgroup_ns, ns.inum);
	BPF_CORE_READ_STR_INTO(&ti->comm, t, comm);
	{
		__u32 tgid = ti->pid;
		struct ca_origin *o = bpf_map_lookup_elem(&origins, &tgid);

		if (o)
			ti->origin = *o;
		else
			__builtin_memset(&ti->origin, 0, sizeof(ti->origin));
	}
	tty = BPF_CORE_READ(t, signal, tty);
	if (tty)
		BPF_CORE_READ_STR_INTO(&ti->tty, tty, name);
	else
		ti->tty[0] = 0;
}

/*
 * Start a record of `type` for the current task in this CPU's scratch.
 * Returns false when there is no scratch (cannot happen once loaded).
 */
static __always_inline bool ca_rec_begin(struct ca_rec *r, __u16 type, struct task_struct *t)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct ca_event *ev;

	r->s = bpf_map_lookup_elem(&scratch, &cpu);
	if (!r->s)
		return false;
	ev = (struct ca_event *)r->s->ev;
	r->ev = ev;
	r->off = sizeof(*ev);
	ev->type = type;
	ev->flags = 0;
	ev->boot_ns = bpf_ktime_get_boot_ns();
	ev->ret = 0;
	ev->syscall_nr = CA_SYSCALL_MAX;
	ev->_pad0 = 0;
	ev->policy_gen = 0;
	ev->policy_rule = CA_POL_NONE;
	__builtin_memset(&ev->obj, 0, sizeof(ev->obj));
	__builtin_memset(ev->args, 0, sizeof(ev->args));
	__builtin_memset(ev->aux, 0, sizeof(ev->aux));
	__builtin_memset(ev->str_len, 0, sizeof(ev->str_len));
	ev->task.cgroup_id = bpf_get_current_cgroup_id();
	ca_fill_task(&ev->task, t);
	return true;
}

/*
 * Ring buffer flags for a record of `size` bytes: wake the consumer when the
 * data pending crosses a multiple of wakeup_bytes, not for every record
 * above it. A wakeup is an irq_work, i.e. a self-IPI: in a virtual machine
 * each one exits to the hypervisor (about 5 us measured on these machines),
 * and waking per record while the consumer drains cost a recorded syscall
 * more than half its overhead. A missed wakeup costs latency only: the
 * consumer also polls every poll_interval_ms. Past half the ring, every
 * record wakes it, as before: the agent is behind and must not sleep (in a
 * virtual machine the interrupts also slow the producers down, which delays
 * loss under a burst the agent cannot keep up with: docs/operations.md).
 */
static __always_inline __u64 ca_rb_flags(__u32 size)
{
	__u64 pending = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 step = ca_cfg.wakeup_bytes;

	if (!step)
		return 0; /* the kernel's default: wake when the consumer has caught up */
	if (pending + size >= bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 2)
		return BPF_RB_FORCE_WAKEUP;
	return pending / step != (pending + size) / step ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/*
 * Hand the record to user space (batched wakeups: ca_rb_flags), into this
 * object's ring. For a record its handler owns: a syscall whose enter was
 * claimed out of `pending` (exit_fetch). At an upgrade handover the old
 * object's ring is drained by the new daemon after the old programs are
 * detached (user/cauditd/main.c, handover), so a record started by the old
 * programs is written, never dropped uncounted.
 */
static __always_inline void ca_rec_submit_owned(struct ca_rec *r)
{
	__u32 size = r->off;

	if (size > CA_EVENT_MAX)
		size = CA_EVENT_MAX;
	r->ev->size = size;
	if (bpf_ringbuf_output(&events, r->s->ev, size, ca_rb_flags(size)))
		ca_count_drop(CA_DROP_RINGBUF_FULL);
}

/*
 * Hand over a record both objects' programs build during a handover (process
 * lifecycle, signals, io_uring completions): only the active object's is
 * written. The old object's programs run first on a hook, so a record it
 * discards here is written by the new object's right after.
 */
static __always_inline void ca_rec_submit(struct ca_rec *r)
{
	if (ca_gen_active())
		ca_rec_submit_owned(r);
}

static __always_inline void ca_set_slot(struct ca_rec *r, __u32 slot, __u32 len)
{
	if (slot < CA_S__COUNT)
		r->ev->str_len[slot] = len;
	r->off += len;
}

/* Room left for a string of up to `want` bytes; 0 marks truncation. */
static __always_inline bool ca_room(struct ca_rec *r)
{
	if (r->off > CA_OFF_LIMIT) {
		r->ev->flags |= CA_F_PATH_TRUNC;
		ca_count_drop(CA_DROP_TRUNCATED);
		return false;
	}
	return true;
}

/*
 * Append a user-space NUL-terminated string (without its NUL) to `slot`.
 * Returns the length appended, or -1 when the string could not be read.
 */
static __always_inline int ca_append_user_str(struct ca_rec *r, __u32 slot, const void *uptr)
{
	long n;

	if (!uptr || !ca_room(r))
		return -1;
	/*
	 * One byte more than the longest valid path: a string that fills it is
	 * longer than PATH_MAX - 1 and is kept cut, flagged and counted.
	 */
	n = bpf_probe_read_user_str(&r->s->ev[r->off & CA_OFF_MASK], CA_PATH_MAX + 1, uptr);
	if (n <= 0) {
		r->ev->flags |= CA_F_READ_FAULT;
		ca_count_drop(CA_DROP_READ_FAULT);
		return -1;
	}
	if (n > CA_PATH_MAX) {
		n = CA_PATH_MAX + 1;
		r->ev->flags |= CA_F_PATH_TRUNC;
		ca_count_drop(CA_DROP_TRUNCATED);
	}
	ca_set_slot(r, slot, n - 1);
	return n - 1;
}

/* First byte of a slot just appended at offset `start`. */
static __always_inline __u8 ca_byte_at(struct ca_rec *r, __u32 start)
{
	return r->s->ev[start & CA_OFF_MASK];
}

static __always_inline struct ca_scratch *ca_this_scratch(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&scratch, &cpu);
}

/* One step of a dentry walk towards the root, crossing mount points. */
static long ca_walk_step(__u32 i, void *unused)
{
	struct ca_scratch *s = ca_this_scratch();
	struct ca_loop_state *w;
	struct dentry *d, *parent;
	const unsigned char *name;
	__u32 len, pos;

	if (!s)
		return 1;
	w = &s->loop;
	d = (struct dentry *)w->dentry;
	if (w->dentry == w->mnt_root) {
		struct mount *m = (struct mount *)w->mnt;
		struct mount *up = BPF_CORE_READ(m, mnt_parent);

		if (up == m || !up) {
			w->done = 1;
			return 1; /* root of the mount tree */
		}
		w->dentry = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
		w->mnt = (__u64)up;
		w->mnt_root = (__u64)BPF_CORE_READ(up, mnt.mnt_root);
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (!parent) {
		w->done = 1;
		return 1;
	}
	len = BPF_CORE_READ(d, d_name.len);
	name = BPF_CORE_READ(d, d_name.name);
	if (len > CA_NAME_MAX)
		len = CA_NAME_MAX;
	if (parent == d) {
		char first = 0;

		/* a file system's own root is named "/": nothing to add */
		bpf_probe_read_kernel(&first, 1, name);
		if (len == 1 && first == '/') {
			w->done = 1;
			return 1;
		}
	}
	pos = w->pos;
	if (pos > CA_TMP_PATH_END || pos < len + 2) {
		w->trunc = 1;
		w->done = 1;
		return 1;
	}
	pos -= len;
	bpf_probe_read_kernel(&s->tmp[pos & CA_TMP_MASK], len, name);
	pos -= 1;
	s->tmp[pos & CA_TMP_MASK] = '/';
	w->pos = pos;
	w->dentry = (__u64)parent;
	/*
	 * A dentry that is its own parent heads a pseudo or detached file
	 * system (memfd, pipe, anon inode): its name is all there is ("/memfd:x").
	 */
	if (parent == d) {
		w->done = 1;
		return 1;
	}
	return 0;
}

/* Append the absolute path of (mnt, dentry) to `slot`; returns its length. */
static __always_inline int ca_append_path(struct ca_rec *r, __u32 slot, struct vfsmount *vfsmnt,
					  struct dentry *dentry)
{
	struct ca_loop_state *w = &r->s->loop;
	__u32 len, pos;

	if (!vfsmnt || !dentry || !ca_room(r))
		return -1;
	w->dentry = (__u64)dentry;
	w->mnt = (__u64)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
	w->mnt_root = (__u64)BPF_CORE_READ(vfsmnt, mnt_root);
	w->pos = CA_TMP_PATH_END;
	w->trunc = 0;
	w->done = 0;
	bpf_loop(CA_WALK_MAX, ca_walk_step, NULL, 0);
	if (!w->done)
		w->trunc = 1; /* deeper than we walk: the leading part is missing */
	if (w->trunc) {
		r->ev->flags |= CA_F_PATH_TRUNC;
		ca_count_drop(CA_DROP_TRUNCATED);
	}
	pos = w->pos;
	if (pos >= CA_TMP_PATH_END) {
		/* the root itself */
		r->s->ev[r->off & CA_OFF_MASK] = '/';
		ca_set_slot(r, slot, 1);
		return 1;
	}
	len = CA_TMP_PATH_END - pos;
	if (len > CA_PATH_MAX)
		len = CA_PATH_MAX;
	bpf_probe_read_kernel(&r->s->ev[r->off & CA_OFF_MASK], len, &r->s->tmp[pos & CA_TMP_MASK]);
	ca_set_slot(r, slot, len);
	return len;
}

static __always_inline int ca_append_struct_path(struct ca_rec *r, __u32 slot, const struct path *p)
{
	return ca_append_path(r, slot, BPF_CORE_READ(p, mnt), BPF_CORE_READ(p, dentry));
}

/* The open file behind fd in the current task, or NULL. */
static __always_inline struct file *ca_fd_file(struct task_struct *t, int fd)
{
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_core_read(&f, sizeof(f), &fds[fd]);
	return f;
}

/* The inode behind an open file, for the rules' object fields (obj_uid, inode ...). */
static __always_inline void ca_set_obj(struct ca_rec *r, struct file *f)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);

	if (!ino)
		return;
	r->ev->obj.ino = BPF_CORE_READ(ino, i_ino);
	r->ev->obj.dev = BPF_CORE_READ(ino, i_sb, s_dev);
	r->ev->obj.mode = BPF_CORE_READ(ino, i_mode);
	r->ev->obj.uid = BPF_CORE_READ(ino, i_uid.val);
	r->ev->obj.gid = BPF_CORE_READ(ino, i_gid.val);
	r->ev->flags |= CA_F_OBJ;
}

static __always_inline int ca_append_fd_path(struct ca_rec *r, __u32 slot, struct task_struct *t,
					     int fd)
{
	struct file *f = ca_fd_file(t, fd);

	if (!f)
		return -1;
	if (slot == CA_S_PATH)
		ca_set_obj(r, f);
	return ca_append_path(r, slot, BPF_CORE_READ(f, f_path.mnt),
			      BPF_CORE_READ(f, f_path.dentry));
}

/* Append the directory a relative path is resolved against: dirfd or cwd. */
static __always_inline int ca_append_base(struct ca_rec *r, __u32 slot, struct task_struct *t,
					  int dirfd)
{
	if (dirfd == CA_AT_FDCWD)
		return ca_append_path(r, slot, BPF_CORE_READ(t, fs, pwd.mnt),
				      BPF_CORE_READ(t, fs, pwd.dentry));
	return ca_append_fd_path(r, slot, t, dirfd);
}

#endif
