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
#include "sc_enter.bpf.h"
#include "sock.bpf.h"

/* argv entries walked: args_max bytes hold at most CA_ARGS_MAX / 2 of them */
#define CA_ARGV_MAX (CA_ARGS_MAX / 2 + 1)

static __always_inline int sc_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct ca_pending p = {};

	p.nr = (__u32)ctx->id;
	/*
	 * Not ctx->args[i]: attach refuses a program whose direct ctx reads go
	 * past the tracepoint's record, and sys_enter_open has three args only.
	 * Slots past the syscall's arity hold bytes nobody reads.
	 */
	bpf_probe_read_kernel(p.args, sizeof(p.args), (void *)ctx->args);
	return ca_sc_enter_common(&p);
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

/* The enter this exit belongs to, taken out of `pending`, and its row. */
static __always_inline bool exit_fetch(struct ca_pending *p, struct ca_sc_desc *d)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ca_pending *pp;
	struct ca_sc_desc *dp;

	pp = bpf_map_lookup_elem(&pending, &tid);
	if (!pp)
		return false;
	*p = *pp;
	/*
	 * Claim the call: at an upgrade handover both objects' exits run and
	 * may share `pending`; the one whose delete succeeds records it, into
	 * its own ring (ca_rec_submit_owned), whichever generation is active.
	 */
	if (bpf_map_delete_elem(&pending, &tid))
		return false;
	dp = bpf_map_lookup_elem(&sc_table, &p->nr);
	if (!dp)
		return false;
	*d = *dp;
	return true;
}

static __always_inline bool exit_rec_begin(struct ca_rec *r, __u16 type, struct task_struct *t,
					   const struct ca_pending *p, long ret)
{
	if (!ca_rec_begin(r, type, t))
		return false;
	r->ev->syscall_nr = p->nr;
	r->ev->policy_gen = p->pol_gen;
	r->ev->policy_rule = p->pol_slot;
	r->ev->ret = ret;
	r->ev->flags |= p->ev_flags;
	r->ev->args[0] = p->args[0];
	r->ev->args[1] = p->args[1];
	r->ev->args[2] = p->args[2];
	r->ev->args[3] = p->args[3];
	r->ev->args[4] = p->args[4];
	r->ev->args[5] = p->args[5];
	return true;
}

/* The object a row names: returned fd, path argument, or fd argument. */
static __always_inline void append_row_object(struct ca_rec *r, struct task_struct *t,
					      const struct ca_pending *p,
					      const struct ca_sc_desc *d, long ret)
{
	if ((d->flags & CA_SCF_RET_FD) && ret >= 0) {
		if (ca_append_fd_path(r, CA_S_PATH, t, ret) > 0)
			r->ev->flags |= CA_F_PATH_KERNEL;
	} else if (d->path_arg < 6) {
		bool fd_if_empty = (d->flags & CA_SCF_PATH_NULL_FD) ||
				   ((d->flags & CA_SCF_EMPTY_PATH_FD) &&
				    (arg_at(p->args, d->flags_arg) & CA_AT_EMPTY_PATH));

		append_object(r, t, p->args, d->path_arg, d->dirfd_arg, CA_S_PATH,
			      CA_F_PATH_KERNEL, fd_if_empty);
	} else if (d->fd_arg < 6) {
		if (ca_append_fd_path(r, CA_S_PATH, t, (int)arg_at(p->args, d->fd_arg)) > 0)
			r->ev->flags |= CA_F_PATH_KERNEL;
	}
}

/* File operations and failed execs (kinds EXEC, OPEN, FILE). */
static __always_inline int exit_file(void *ctx, long ret, void *progs)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct ca_pending p;
	struct ca_sc_desc d;
	struct ca_rec r;
	__u64 flags = 0, mode = 0;
	bool fault = false;

	if (!exit_fetch(&p, &d))
		return 0;
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

	if (!exit_rec_begin(&r, d.kind == CA_SC_EXEC ? CA_EV_PROC_EXEC_FAIL : CA_EV_SYSCALL, t,
			    &p, ret))
		return 0;
	r.ev->aux[CA_AUX_OPEN_FLAGS] = flags;
	r.ev->aux[CA_AUX_OPEN_MODE] = mode;
	if (fault) {
		r.ev->flags |= CA_F_READ_FAULT;
		ca_count_drop(CA_DROP_READ_FAULT);
	}
	append_row_object(&r, t, &p, &d, ret);
	if (d.kind == CA_SC_EXEC) {
		/* aux_arg of an exec is its argv (64-bit pointers: not for ia32 calls) */
		if (!(p.ev_flags & CA_F_ABI_IA32))
			append_user_argv(&r, arg_at(p.args, d.aux_arg));
	} else {
		append_object(&r, t, p.args, d.path2_arg, d.dirfd2_arg, CA_S_PATH2,
			      CA_F_PATH2_KERNEL, false);
		if (d.aux_arg < 6)
			ca_append_user_str(&r, CA_S_AUX, (const void *)arg_at(p.args, d.aux_arg));
		/*
		 * Now the paths and the object are known: when the policy left the
		 * record open, its last word comes from a program of its own (the
		 * verifier checks it apart from this one).
		 */
		if (r.ev->policy_gen && !(r.ev->policy_rule & (CA_POL_DECIDED | CA_POL_NONE))) {
			r.ev->size = r.off;
			bpf_tail_call(ctx, progs, CA_EXIT_SLOT_FINAL);
		}
	}
	ca_rec_submit_owned(&r);
	return 0;
}

/* Keep a login service's accepted peer for the child it forks next. */
static __always_inline void note_login_accept(struct task_struct *t, const struct ca_net_info *ni)
{
	struct ca_comm_key key = {};
	struct ca_origin o = {};
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if ((ni->family != CA_AF_INET && ni->family != CA_AF_INET6) ||
	    !(ni->flags & CA_NET_HAVE_DST))
		return;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	if (!bpf_map_lookup_elem(&login_services, &key))
		return;
	__builtin_memcpy(o.addr, ni->daddr, sizeof(o.addr));
	o.family = ni->family;
	o.port = ni->dport;
	__builtin_memcpy(o.service, key.comm, sizeof(o.service));
	bpf_map_update_elem(&accepted_peer, &tgid, &o, BPF_ANY);
}

/*
 * A UDP destination (send or connect) is recorded once per process and
 * destination, and at most udp_sends_per_sec new destinations per socket
 * and second; the excess is counted as rate_limited and not remembered, so
 * it is recorded later. Per process, not per socket: resolvers open a new
 * socket for every query.
 */
static __always_inline bool udp_new_destination(struct sock *sk, const struct ca_net_info *ni)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct ca_udp_dst_key k = {};
	struct ca_udp_rate *rt, fresh = {};
	__u64 now = bpf_ktime_get_boot_ns();
	__u64 skey = BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
	__u8 one = 1;

	k.tgid = bpf_get_current_pid_tgid() >> 32;
	k.start_boottime = BPF_CORE_READ(t, group_leader, start_boottime);
	__builtin_memcpy(k.daddr, ni->daddr, sizeof(k.daddr));
	k.dport = ni->dport;
	if (bpf_map_lookup_elem(&udp_seen, &k))
		return false;
	rt = bpf_map_lookup_elem(&udp_rate, &skey);
	if (rt && now - rt->window_start < 1000000000ull) {
		if (rt->count >= ca_cfg.udp_sends_per_sec) {
			ca_count_drop(CA_DROP_RATE_LIMITED);
			return false;
		}
		rt->count++;
	} else {
		fresh.window_start = now;
		fresh.count = 1;
		bpf_map_update_elem(&udp_rate, &skey, &fresh, BPF_ANY);
	}
	bpf_map_update_elem(&udp_seen, &k, &one, BPF_ANY);
	return true;
}

#define CA_SOCK_DGRAM 2
#define CA_EINPROGRESS 115

/* connect, accept, bind, listen, UDP sends (kind NET). */
static __always_inline int exit_net(long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct ca_net_info ni = {};
	struct ca_pending p;
	struct ca_sc_desc d;
	struct ca_rec r;
	struct sock *sk;
	__u64 uaddr = 0, ulen = 0;
	bool is_send = false, is_accept = false;

	if (!exit_fetch(&p, &d))
		return 0;
	switch (p.nr) {
	case 42: /* connect(fd, addr, len) */
	case 49: /* bind(fd, addr, len) */
		uaddr = p.args[1];
		ulen = p.args[2];
		break;
	case 43: /* accept */
	case 288: /* accept4 */
		is_accept = true;
		break;
	case 44: /* sendto(fd, buf, len, flags, addr, addrlen) */
		uaddr = p.args[4];
		ulen = p.args[5];
		is_send = true;
		break;
	case 46: /* sendmsg(fd, msg, flags) */
	case 307: { /* sendmmsg(fd, vec, n, flags): the first message */
		struct { __u64 name; __u32 namelen; } m = {};

		if (bpf_probe_read_user(&m, sizeof(m), (void *)p.args[1]))
			return 0;
		uaddr = m.name;
		ulen = m.namelen;
		is_send = true;
		break;
	}
	}
	/* accept: the new socket knows both ends; on failure, the listener */
	sk = ca_fd_sock(t, is_accept && ret >= 0 ? (int)ret : (int)p.args[0]);
	if (sk)
		ca_sock_fill(&ni, sk);
	if (is_send) {
		if ((ni.family != CA_AF_INET && ni.family != CA_AF_INET6) ||
		    ni.type != CA_SOCK_DGRAM || !uaddr)
			return 0;
		ni.flags &= ~CA_NET_HAVE_DST;
		ca_user_sockaddr(&ni, uaddr, ulen, false);
		if (!(ni.flags & CA_NET_HAVE_DST) || !udp_new_destination(sk, &ni))
			return 0;
	} else if (p.nr == 42 && ret == 0 && ni.type == CA_SOCK_DGRAM &&
		   (ni.family == CA_AF_INET || ni.family == CA_AF_INET6)) {
		/* a UDP connect only names a destination: as for sends */
		if (!udp_new_destination(sk, &ni))
			return 0;
	} else if (p.nr == 42 && ret < 0 && ret != -CA_EINPROGRESS) {
		/* a failed connect may have reset the socket: what was asked */
		ni.flags &= ~CA_NET_HAVE_DST;
		ni.dport = 0;
		ca_user_sockaddr(&ni, uaddr, ulen, false);
	} else if (p.nr == 49 && ret < 0) {
		ni.flags &= ~CA_NET_HAVE_SRC;
		ca_user_sockaddr(&ni, uaddr, ulen, true);
	}
	if (is_accept && ret < 0)
		ni.flags &= ~CA_NET_HAVE_DST; /* the listener has no peer */

	if (!exit_rec_begin(&r, CA_EV_SYSCALL, t, &p, ret))
		return 0;
	if (ni.family == CA_AF_UNIX) {
		if (uaddr && !is_send)
			ca_append_user_unix_path(&r, &ni, uaddr, ulen);
		else if (sk)
			ca_append_sock_unix_path(&r, &ni, sk);
	}
	ca_append_net(&r, &ni);
	ca_rec_submit_owned(&r);
	if (is_accept && ret >= 0)
		note_login_accept(t, &ni);
	return 0;
}

/* set*id, setgroups, capset (kind CRED): the credentials before and after. */
static __always_inline int exit_cred(long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ca_cred_change *cc;
	struct ca_creds *old;
	struct ca_pending p;
	struct ca_sc_desc d;
	struct ca_rec r;

	if (!exit_fetch(&p, &d))
		return 0;
	if (!exit_rec_begin(&r, CA_EV_SYSCALL, t, &p, ret))
		return 0;
	/* the payload is the only slot: it starts right after the header */
	cc = (struct ca_cred_change *)&r.s->ev[sizeof(struct ca_event)];
	old = bpf_map_lookup_elem(&pending_cred, &tid);
	if (old) {
		cc->old = *old;
		bpf_map_delete_elem(&pending_cred, &tid);
	} else {
		__builtin_memset(&cc->old, 0, sizeof(cc->old));
		r.ev->flags |= CA_F_NO_ENTER;
		ca_count_drop(CA_DROP_NO_ENTER);
	}
	read_creds(&cc->new, t);
	ca_set_slot(&r, CA_S_AUX, sizeof(*cc));
	ca_rec_submit_owned(&r);
	return 0;
}

/* A struct timespec or timeval from the caller: seconds and nanoseconds. */
static __always_inline void read_user_time(struct ca_rec *r, __u64 uptr, __u32 mul)
{
	__s64 tv[2] = {};

	if (uptr && !bpf_probe_read_user(tv, sizeof(tv), (void *)uptr)) {
		r->ev->aux[CA_AUX_SYS_0] = tv[0];
		r->ev->aux[CA_AUX_SYS_1] = tv[1] * mul;
	}
}

/* Name of a uts namespace after a successful sethostname/setdomainname. */
static __always_inline void append_uts_name(struct ca_rec *r, struct task_struct *t, bool host,
					    const struct ca_pending *p, long ret)
{
	struct uts_namespace *uts = BPF_CORE_READ(t, nsproxy, uts_ns);
	__u64 len = p->args[1];
	long n;

	if (!ca_room(r))
		return;
	if (ret == 0) {
		const char *src = host ? uts->name.nodename : uts->name.domainname;

		n = bpf_probe_read_kernel_str(&r->s->ev[r->off & CA_OFF_MASK], 65, src);
		if (n > 1)
			ca_set_slot(r, CA_S_AUX, n - 1);
		return;
	}
	/* refused: the caller's buffer, which need not end with a NUL */
	if (len > 64)
		len = 64;
	if (len && !bpf_probe_read_user(&r->s->ev[r->off & CA_OFF_MASK], len & 0x7f,
				       (void *)p->args[0]))
		ca_set_slot(r, CA_S_AUX, len & 0x7f);
}

#define CA_NSFS_MAGIC 0x6e736673

/* An nsfs fd's namespace: type name in CA_S_AUX, inode in aux[0] (0: not nsfs, e.g. a pidfd). */
static __always_inline void append_ns_name(struct ca_rec *r, struct task_struct *t, int fd)
{
	struct file *f = ca_fd_file(t, fd);
	struct inode *ino;
	struct ns_common *ns;
	const char *name;
	long n;

	if (!f)
		return;
	ino = BPF_CORE_READ(f, f_inode);
	if (BPF_CORE_READ(ino, i_sb, s_magic) != CA_NSFS_MAGIC)
		return;
	ns = BPF_CORE_READ(ino, i_private);
	r->ev->aux[CA_AUX_SYS_0] = BPF_CORE_READ(ns, inum);
	name = BPF_CORE_READ(ns, ops, name);
	if (!name || !ca_room(r))
		return;
	n = bpf_probe_read_kernel_str(&r->s->ev[r->off & CA_OFF_MASK], 32, name);
	if (n > 1)
		ca_set_slot(r, CA_S_AUX, n - 1);
}

/* Fixed-size name of a bpf() object (prog_name, map_name) from the attr. */
static __always_inline void append_bpf_name(struct ca_rec *r, __u64 attr, __u32 off)
{
	long n;

	if (!ca_room(r))
		return;
	n = bpf_probe_read_user_str(&r->s->ev[r->off & CA_OFF_MASK], 16, (void *)(attr + off));
	if (n > 1)
		ca_set_slot(r, CA_S_AUX, n - 1);
}

/* System and process-control operations (kinds SYS and KILL). */
static __always_inline int exit_sys(long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct ca_pending p;
	struct ca_sc_desc d;
	struct ca_rec r;
	__u32 v32 = 0;
	bool aux_str;

	if (!exit_fetch(&p, &d))
		return 0;
	aux_str = d.aux_arg < 6;
	/* kill family: delivered signals come from signal_generate */
	if (d.kind == CA_SC_KILL && ret != -1 /* EPERM */)
		return 0;
	/* adjtimex/clock_adjtime with modes 0 only read the clock */
	if (p.nr == 159 || p.nr == 305) {
		if (bpf_probe_read_user(&v32, sizeof(v32), (void *)p.args[p.nr == 159 ? 0 : 1]) ||
		    v32 == 0)
			return 0;
	}
	if (!exit_rec_begin(&r, CA_EV_SYSCALL, t, &p, ret))
		return 0;
	append_row_object(&r, t, &p, &d, ret);
	append_object(&r, t, p.args, d.path2_arg, d.dirfd2_arg, CA_S_PATH2, CA_F_PATH2_KERNEL,
		      false);
	switch (p.nr) {
	case 165: /* mount: file system type, then the source */
		ca_append_user_str(&r, CA_S_AUX2, (const void *)p.args[2]);
		break;
	case 170: /* sethostname */
	case 171: /* setdomainname */
		append_uts_name(&r, t, p.nr == 170, &p, ret);
		aux_str = false;
		break;
	case 308: /* setns(fd, nstype): which namespace the fd names */
		append_ns_name(&r, t, (int)p.args[0]);
		aux_str = false;
		break;
	case 321: /* bpf(cmd, attr, size) */
		if (p.args[0] == 5 /* BPF_PROG_LOAD */ || p.args[0] == 0 /* BPF_MAP_CREATE */) {
			bpf_probe_read_user(&v32, sizeof(v32), (void *)p.args[1]);
			r.ev->aux[CA_AUX_SYS_0] = v32;
			append_bpf_name(&r, p.args[1], p.args[0] == 5 ? 48 : 28);
		}
		aux_str = false;
		break;
	case 298: { /* perf_event_open(attr, ...) */
		struct { __u32 type, size; __u64 config; } pa = {};

		if (!bpf_probe_read_user(&pa, sizeof(pa), (void *)p.args[0])) {
			r.ev->aux[CA_AUX_SYS_0] = pa.type;
			r.ev->aux[CA_AUX_SYS_1] = pa.config;
		}
		break;
	}
	case 164: /* settimeofday(tv, tz) */
		read_user_time(&r, p.args[0], 1000);
		break;
	case 227: /* clock_settime(clock, tp) */
		read_user_time(&r, p.args[1], 1);
		break;
	case 159: /* adjtimex(tx): modes */
	case 305: /* clock_adjtime(clock, tx) */
		r.ev->aux[CA_AUX_SYS_0] = v32;
		break;
	}
	if (aux_str)
		ca_append_user_str(&r, CA_S_AUX, (const void *)arg_at(p.args, d.aux_arg));
	ca_rec_submit_owned(&r);
	return 0;
}

/*
 * Each handler is built twice: as a tracepoint program for the per-syscall
 * exits and as a tp_btf/sys_exit program for 32-bit calls (bpf/ia32.bpf.c).
 * Neither is attached: both are reached by tail call.
 */
#define CA_EXIT_HANDLER(name, fn)                                                          \
	SEC("tracepoint")                                                                  \
	int ca_tail_##name(struct trace_event_raw_sys_exit *ctx)                           \
	{                                                                                  \
		return fn(ctx->ret);                                                       \
	}                                                                                  \
	SEC("tp_btf/sys_exit")                                                             \
	int ca_tail_##name##_ia32(__u64 *ctx)                                              \
	{                                                                                  \
		return fn((long)ctx[1]);                                                   \
	}

SEC("tracepoint")
int ca_tail_file(struct trace_event_raw_sys_exit *ctx)
{
	return exit_file(ctx, ctx->ret, &sc_exit_prog);
}

SEC("tp_btf/sys_exit")
int ca_tail_file_ia32(__u64 *ctx)
{
	return exit_file(ctx, (long)ctx[1], &ia32_exit_prog);
}

/* Slot CA_EXIT_SLOT_FINAL: the record exit_file built, judged with its paths and object. */
static __always_inline int exit_final(void)
{
	struct ca_scratch *s = ca_this_scratch();
	struct ca_event *ev;
	struct ca_rec r;
	__u32 nr;

	if (!s)
		return 0;
	ev = (struct ca_event *)s->ev;
	r.s = s;
	r.ev = ev;
	r.off = ev->size;
	nr = ev->syscall_nr;
	if (!ca_pol_final(&r, nr, ev->flags & CA_F_ABI_IA32,
			  ca_pol_is_open(nr) ? ca_pol_acc_mode(ev->aux[CA_AUX_OPEN_FLAGS]) : 0)) {
		ca_pol_count_drop(CA_PST_RECORD);
		return 0;
	}
	ca_rec_submit_owned(&r);
	return 0;
}

SEC("tracepoint")
int ca_tail_final(struct trace_event_raw_sys_exit *ctx)
{
	return exit_final();
}

SEC("tp_btf/sys_exit")
int ca_tail_final_ia32(__u64 *ctx)
{
	return exit_final();
}

CA_EXIT_HANDLER(net, exit_net)
CA_EXIT_HANDLER(cred, exit_cred)
CA_EXIT_HANDLER(sys, exit_sys)

/* Slot 0 of sc_exit_prog: on to the handler of the pending call's kind. */
SEC("tracepoint")
int ca_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ca_pending *pp = bpf_map_lookup_elem(&pending, &tid);
	struct ca_sc_desc *d;
	__u32 nr;

	if (!pp)
		return 0;
	nr = pp->nr;
	/*
	 * The enter of another call: its exit was not seen (detached when the
	 * policy stopped naming it). Stale: drop it, never record it as this one.
	 */
	if (nr != (__u32)ctx->id) {
		bpf_map_delete_elem(&pending, &tid);
		bpf_map_delete_elem(&pending_cred, &tid);
		return 0;
	}
	d = bpf_map_lookup_elem(&sc_table, &nr);
	if (!d)
		return 0;
	if (ca_gen_active() && !ca_sc_policy_exit(pp, d, ctx->ret)) {
		bpf_map_delete_elem(&pending, &tid);
		if (d->kind == CA_SC_CRED) /* only set*id calls stage credentials */
			bpf_map_delete_elem(&pending_cred, &tid);
		return 0;
	}
	bpf_tail_call(ctx, &sc_exit_prog, d->kind);
	return 0;
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
