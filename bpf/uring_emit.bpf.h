/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Completing a parked io_uring record (bpf/uring.bpf.c): a successful open
 * names the file the kernel opened, connect and accept describe the socket
 * the kernel holds. Runs wherever the completion runs (the submitter's task
 * work, an iou-wrk thread, a kworker at ring teardown), so files are looked
 * up in the submitter's table (req->tctx->task) or the ring's fixed files.
 */
#ifndef CAUDIT_URING_EMIT_BPF_H
#define CAUDIT_URING_EMIT_BPF_H

#include "uring_req.bpf.h"

/* The file in slot idx of the ring's fixed-file table, or NULL. */
static __always_inline struct file *fixed_file(struct io_ring_ctx *ctx, __u32 idx)
{
	struct io_rsrc_node **nodes = BPF_CORE_READ(ctx, file_table.data.nodes);
	struct io_rsrc_node *node = NULL;
	__u32 nr = BPF_CORE_READ(ctx, file_table.data.nr);

	if (!nodes || idx >= nr || idx >= CA_FIXED_FILES_MAX)
		return NULL;
	bpf_core_read(&node, sizeof(node), &nodes[idx]);
	if (!node)
		return NULL;
	return (struct file *)(BPF_CORE_READ(node, file_ptr) & CA_FFS_MASK);
}

/* The socket of an open file, or NULL. */
static __always_inline struct sock *file_sock(struct file *f)
{
	struct socket *so;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & CA_S_IFMT) != CA_S_IFSOCK)
		return NULL;
	so = BPF_CORE_READ(f, private_data);
	return so ? BPF_CORE_READ(so, sk) : NULL;
}

/* Start a record in scratch from a parked header (identity, args), no slots. */
static __always_inline bool rec_from_parked(struct ca_rec *r, const struct ca_event *parked)
{
	r->s = ca_this_scratch();
	if (!r->s)
		return false;
	bpf_probe_read_kernel(r->s->ev, sizeof(struct ca_event), parked);
	r->ev = (struct ca_event *)r->s->ev;
	r->off = sizeof(struct ca_event);
	__builtin_memset(r->ev->str_len, 0, sizeof(r->ev->str_len));
	return true;
}

/*
 * A successful open: the file the kernel opened, from the submitter's fd
 * table or the ring's fixed-file table. False when it cannot be named (the
 * parked record with the caller's string is emitted instead).
 */
static __always_inline bool emit_open(struct ca_event *parked, struct io_kiocb *req,
				      struct io_ring_ctx *ctx, long res)
{
	struct io_open *o = (struct io_open *)&req->cmd;
	__u32 slot = BPF_CORE_READ(o, file_slot);
	struct task_struct *t = BPF_CORE_READ(req, tctx, task);
	struct file *f;
	struct ca_rec r;

	if (slot == 0)
		f = t ? ca_fd_file(t, res) : NULL;
	else
		f = fixed_file(ctx, slot == CA_FILE_INDEX_ALLOC ? (__u32)res : slot - 1);
	if (!f || !rec_from_parked(&r, parked))
		return false;
	r.ev->flags &= ~(CA_F_PATH_TRUNC | CA_F_READ_FAULT);
	if (ca_append_path(&r, CA_S_PATH, BPF_CORE_READ(f, f_path.mnt),
			   BPF_CORE_READ(f, f_path.dentry)) <= 0)
		return false;
	r.ev->flags |= CA_F_PATH_KERNEL;
	ca_rec_submit(&r);
	return true;
}

/* Unix socket path from the caller's sockaddr_un parked at submit (map memory). */
static __always_inline void append_kaddr_unix_path(struct ca_rec *r, struct ca_net_info *ni,
						   const __u8 *kaddr, int len)
{
	__u8 first = 0;
	__u32 n;

	if (!kaddr || len <= 2 || !ca_room(r))
		return;
	n = len - 2;
	if (n > CA_UNIX_PATH_MAX)
		n = CA_UNIX_PATH_MAX;
	bpf_probe_read_kernel(&first, 1, kaddr + 2);
	if (first == 0) {
		ni->flags |= CA_NET_UNIX_ABSTRACT;
		n -= 1;
		if (n && !bpf_probe_read_kernel(&r->s->ev[r->off & CA_OFF_MASK], n & 0x7f,
						kaddr + 3))
			ca_set_slot(r, CA_S_PATH, n & 0x7f);
		return;
	}
	{
		long m = bpf_probe_read_kernel_str(&r->s->ev[r->off & CA_OFF_MASK], (n & 0x7f) + 1,
						   kaddr + 2);
		if (m > 1)
			ca_set_slot(r, CA_S_PATH, m - 1);
	}
}

/*
 * Destination of a failed connect from the caller's sockaddr parked at
 * submit, as ca_user_sockaddr() reads it at exit on the syscall path (a
 * failed connect may have reset the socket).
 */
static __always_inline void kaddr_dst(struct ca_net_info *ni, const __u8 *kaddr, int len)
{
	struct sockaddr_in6 sa = {};

	if (!kaddr || len < 2)
		return;
	bpf_probe_read_kernel(&sa, sizeof(sa), kaddr);
	if (sa.sin6_family == CA_AF_INET && len >= (int)sizeof(struct sockaddr_in)) {
		struct sockaddr_in *in = (struct sockaddr_in *)&sa;

		__builtin_memset(ni->daddr, 0, sizeof(ni->daddr));
		__builtin_memcpy(ni->daddr, &in->sin_addr.s_addr, 4);
		ni->dport = bpf_ntohs(in->sin_port);
	} else if (sa.sin6_family == CA_AF_INET6 && len >= (int)sizeof(struct sockaddr_in6)) {
		__builtin_memcpy(ni->daddr, &sa.sin6_addr, 16);
		ni->dport = bpf_ntohs(sa.sin6_port);
	} else {
		return;
	}
	ni->flags |= CA_NET_HAVE_DST | CA_NET_DST_FROM_USER;
	if (!ni->family)
		ni->family = sa.sin6_family;
}

/*
 * A UDP connect only names a destination: recorded once per (process,
 * destination) and rate-limited per socket, as a connect or send on the
 * syscall path (syscall.bpf.c's udp_new_destination, with the submitter's
 * tgid instead of the current task's: completions may run in a worker).
 */
static __always_inline bool udp_new_destination(__u32 tgid, struct sock *sk,
						const struct ca_net_info *ni)
{
	struct ca_udp_dst_key k = {};
	struct ca_udp_rate *rt, fresh = {};
	__u64 now = bpf_ktime_get_boot_ns(), skey = (__u64)sk;
	__u8 one = 1;

	k.tgid = tgid;
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

/*
 * connect and accept: the socket as the kernel holds it after the op
 * (connect: the request's socket; accept: the new one), as struct
 * ca_net_info in CA_S_AUX, unix paths in CA_S_PATH.
 */
static __always_inline void emit_net(struct ca_event *parked, struct io_kiocb *req,
				     struct io_ring_ctx *ctx, long res, __u8 op)
{
	struct ca_net_info ni = {};
	struct sock *sk = NULL;
	struct ca_rec r;

	if (!rec_from_parked(&r, parked))
		return;
	if (op == IORING_OP_ACCEPT && res >= 0) {
		__u32 slot = (__u32)parked->aux[2];

		if (slot == 0) {
			struct task_struct *t = BPF_CORE_READ(req, tctx, task);

			sk = t ? ca_fd_sock(t, res) : NULL;
		} else {
			sk = file_sock(fixed_file(ctx, slot == CA_FILE_INDEX_ALLOC ? (__u32)res
										 : slot - 1));
		}
	} else {
		/* connect, or a failed accept: the request's own socket */
		sk = file_sock(BPF_CORE_READ(req, file));
	}
	r.ev->aux[2] = 0;
	if (sk)
		ca_sock_fill(&ni, sk);
	if (op == IORING_OP_CONNECT) {
		/* the sockaddr parked at submit: the only slot of a parked connect */
		int len = parked->str_len[CA_S_AUX];
		const __u8 *kaddr = len ? (const __u8 *)parked + sizeof(struct ca_event) : NULL;

		if (res == 0 && ni.type == CA_SOCK_DGRAM &&
		    (ni.family == CA_AF_INET || ni.family == CA_AF_INET6) &&
		    !udp_new_destination(parked->task.pid, sk, &ni))
			return;
		if (res < 0 && res != -CA_EINPROGRESS) {
			ni.flags &= ~CA_NET_HAVE_DST;
			ni.dport = 0;
			kaddr_dst(&ni, kaddr, len);
		}
		if (ni.family == CA_AF_UNIX)
			append_kaddr_unix_path(&r, &ni, kaddr, len);
	} else {
		if (res < 0)
			ni.flags &= ~CA_NET_HAVE_DST; /* the listener has no peer */
		if (sk && ni.family == CA_AF_UNIX)
			ca_append_sock_unix_path(&r, &ni, sk);
	}
	ca_append_net(&r, &ni);
	ca_rec_submit(&r);
}

#endif
