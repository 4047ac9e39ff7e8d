/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Sockets seen from BPF: the struct sock behind an fd, its addresses as a
 * struct ca_net_info, and sockaddrs read from the caller's memory.
 *
 * Rationale: addresses are taken from the kernel's socket whenever it has
 * them (after connect, bind, accept), so a record names the endpoint the
 * kernel used, not what the caller claimed; a caller's sockaddr is read only
 * where the socket holds no peer (failed connect, UDP sendto), and the record
 * says so (CA_NET_DST_FROM_USER).
 */
#ifndef CAUDIT_SOCK_BPF_H
#define CAUDIT_SOCK_BPF_H

#include "record.bpf.h"
#include <bpf/bpf_endian.h>

#define CA_AF_UNIX 1
#define CA_AF_INET 2
#define CA_AF_INET6 10
#define CA_S_IFMT 00170000
#define CA_S_IFSOCK 0140000
#define CA_UNIX_PATH_MAX 108

/* The socket behind fd in task t, or NULL when fd is not a socket. */
static __always_inline struct sock *ca_fd_sock(struct task_struct *t, int fd)
{
	struct file *f = ca_fd_file(t, fd);
	struct socket *so;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & CA_S_IFMT) != CA_S_IFSOCK)
		return NULL;
	so = BPF_CORE_READ(f, private_data);
	return so ? BPF_CORE_READ(so, sk) : NULL;
}

static __always_inline bool ca_nonzero16(const __u8 *a)
{
	const __u64 *q = (const __u64 *)a;

	return q[0] || q[1];
}

/* Family, type, protocol and the addresses the kernel holds for sk. */
static __always_inline void ca_sock_fill(struct ca_net_info *ni, struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	ni->family = family;
	ni->type = BPF_CORE_READ(sk, sk_type);
	ni->protocol = BPF_CORE_READ(sk, sk_protocol);
	if (family == CA_AF_INET) {
		__u32 s = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 d = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(ni->saddr, &s, 4);
		__builtin_memcpy(ni->daddr, &d, 4);
	} else if (family == CA_AF_INET6) {
		BPF_CORE_READ_INTO(&ni->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&ni->daddr, sk, __sk_common.skc_v6_daddr);
	} else {
		return;
	}
	ni->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	ni->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (ni->sport || ca_nonzero16(ni->saddr))
		ni->flags |= CA_NET_HAVE_SRC;
	if (ni->dport)
		ni->flags |= CA_NET_HAVE_DST;
}

/*
 * An inet or inet6 address from a caller's sockaddr (len bytes at uaddr)
 * into ni's source (src) or destination. Returns the family read, or 0.
 */
static __always_inline __u16 ca_user_sockaddr(struct ca_net_info *ni, __u64 uaddr, __u64 len,
					      bool src)
{
	struct sockaddr_in6 sa = {};
	__u8 *addr = src ? ni->saddr : ni->daddr;
	__u16 port;
	__u64 n = len;

	if (!uaddr || len < 2)
		return 0;
	if (n > sizeof(sa))
		n = sizeof(sa);
	if (bpf_probe_read_user(&sa, n & 0x1f, (void *)uaddr))
		return 0;
	if (sa.sin6_family == CA_AF_INET && n >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in *in = (struct sockaddr_in *)&sa;

		__builtin_memset(addr, 0, 16);
		__builtin_memcpy(addr, &in->sin_addr.s_addr, 4);
		port = bpf_ntohs(in->sin_port);
	} else if (sa.sin6_family == CA_AF_INET6 && n >= sizeof(struct sockaddr_in6)) {
		__builtin_memcpy(addr, &sa.sin6_addr, 16);
		port = bpf_ntohs(sa.sin6_port);
	} else {
		return sa.sin6_family;
	}
	if (src) {
		ni->sport = port;
		ni->flags |= CA_NET_HAVE_SRC;
	} else {
		ni->dport = port;
		ni->flags |= CA_NET_HAVE_DST | CA_NET_DST_FROM_USER;
	}
	if (!ni->family)
		ni->family = sa.sin6_family;
	return sa.sin6_family;
}

/* Append ni as the binary CA_S_AUX payload. */
static __always_inline void ca_append_net(struct ca_rec *r, const struct ca_net_info *ni)
{
	if (!ca_room(r))
		return;
	bpf_probe_read_kernel(&r->s->ev[r->off & CA_OFF_MASK], sizeof(*ni), ni);
	ca_set_slot(r, CA_S_AUX, sizeof(*ni));
}

/* Unix path of a caller's sockaddr_un into CA_S_PATH (abstract: flagged). */
static __always_inline void ca_append_user_unix_path(struct ca_rec *r, struct ca_net_info *ni,
						     __u64 uaddr, __u64 len)
{
	__u64 n;
	__u8 first = 0;

	if (!uaddr || len <= 2 || !ca_room(r))
		return;
	n = len - 2;
	if (n > CA_UNIX_PATH_MAX)
		n = CA_UNIX_PATH_MAX;
	if (bpf_probe_read_user(&first, 1, (void *)(uaddr + 2)))
		return;
	if (first == 0) {
		/* abstract: every byte of the name counts, NULs included */
		ni->flags |= CA_NET_UNIX_ABSTRACT;
		n -= 1;
		if (n == 0 || bpf_probe_read_user(&r->s->ev[r->off & CA_OFF_MASK],
						  n & 0x7f, (void *)(uaddr + 3)))
			return;
		ca_set_slot(r, CA_S_PATH, n & 0x7f);
		return;
	}
	{
		long m = bpf_probe_read_user_str(&r->s->ev[r->off & CA_OFF_MASK], (n & 0x7f) + 1,
						 (void *)(uaddr + 2));
		if (m > 1)
			ca_set_slot(r, CA_S_PATH, m - 1);
	}
}

/* Bound path of a unix socket (unix_sk(sk)->addr) into CA_S_PATH. */
static __always_inline void ca_append_sock_unix_path(struct ca_rec *r, struct ca_net_info *ni,
						     struct sock *sk)
{
	struct unix_address *ua = BPF_CORE_READ((struct unix_sock *)sk, addr);
	int len;
	char *name;
	__u8 first = 0;
	__u32 n;

	if (!ua || !ca_room(r))
		return;
	len = BPF_CORE_READ(ua, len);
	if (len <= 2)
		return;
	n = len - 2;
	if (n > CA_UNIX_PATH_MAX)
		n = CA_UNIX_PATH_MAX;
	name = (char *)&ua->name[0].sun_path[0];
	bpf_probe_read_kernel(&first, 1, name);
	if (first == 0) {
		ni->flags |= CA_NET_UNIX_ABSTRACT;
		n -= 1;
		if (n && !bpf_probe_read_kernel(&r->s->ev[r->off & CA_OFF_MASK], n & 0x7f,
						name + 1))
			ca_set_slot(r, CA_S_PATH, n & 0x7f);
		return;
	}
	{
		long m = bpf_probe_read_kernel_str(&r->s->ev[r->off & CA_OFF_MASK], (n & 0x7f) + 1,
						   name);
		if (m > 1)
			ca_set_slot(r, CA_S_PATH, m - 1);
	}
}

#endif
