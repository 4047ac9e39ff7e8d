/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * io_uring requests read into records (bpf/uring.bpf.c): from the prepared
 * request at submit (kernel strings of struct filename), or from the SQE
 * when prep refused it (strings from the caller's memory). Each opcode fills
 * args[], aux[] and the string slots as bpf/syscall.bpf.c does for the
 * syscall it stands for, so user space decodes both alike.
 */
#ifndef CAUDIT_URING_REQ_BPF_H
#define CAUDIT_URING_REQ_BPF_H

#include "sock.bpf.h"

#define CA_O_ACCMODE_WRITE 03
#define CA_O_CREAT 0100
#define CA_O_TRUNC 01000
#define CA_O_LARGEFILE 0100000
#define CA_PF_IO_WORKER 0x10
#define CA_REQ_F_CREDS (1ULL << 19)
#define CA_FILE_INDEX_ALLOC 0xffffffffu
#define CA_FFS_MASK (~3UL) /* io_uring keeps FFS_NOWAIT | FFS_ISREG in the low bits */
#define CA_FIXED_FILES_MAX (1u << 20)
#define CA_EINPROGRESS 115
#define CA_SOCK_DGRAM 2

/* Syscall numbers of the equivalent syscalls (x86_64 ABI, fixed). */
#define NR_OPENAT 257
#define NR_OPENAT2 437
#define NR_RENAMEAT2 316
#define NR_UNLINKAT 263
#define NR_MKDIRAT 258
#define NR_SYMLINKAT 266
#define NR_LINKAT 265
#define NR_CONNECT 42
#define NR_ACCEPT4 288

/*
 * A parked record: struct ca_event and its slots, as it will be emitted.
 * Bounded: paths that do not fit are cut (CA_F_PATH_TRUNC, counted). Two
 * absolute PATH_MAX paths with their bases do not fit; ordinary ones do.
 */
#define CA_URING_REC_MAX 8192

struct ca_uring_rec {
	__u8 b[CA_URING_REC_MAX];
};

static __always_inline __u32 uring_nr(__u8 op)
{
	switch (op) {
	case IORING_OP_OPENAT: return NR_OPENAT;
	case IORING_OP_OPENAT2: return NR_OPENAT2;
	case IORING_OP_RENAMEAT: return NR_RENAMEAT2;
	case IORING_OP_UNLINKAT: return NR_UNLINKAT;
	case IORING_OP_MKDIRAT: return NR_MKDIRAT;
	case IORING_OP_SYMLINKAT: return NR_SYMLINKAT;
	case IORING_OP_LINKAT: return NR_LINKAT;
	case IORING_OP_CONNECT: return NR_CONNECT;
	case IORING_OP_ACCEPT: return NR_ACCEPT4;
	default: return 0;
	}
}

/* A kernel string (struct filename->name) into `slot`, as ca_append_user_str. */
static __always_inline int append_kernel_str(struct ca_rec *r, __u32 slot, const char *kptr)
{
	long n;

	if (!kptr || !ca_room(r))
		return -1;
	n = bpf_probe_read_kernel_str(&r->s->ev[r->off & CA_OFF_MASK], CA_PATH_MAX + 1, kptr);
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

/*
 * The object a struct filename names, as syscall.bpf.c's append_object():
 * the string, plus the directory it is relative to when not absolute; an
 * empty name with AT_EMPTY_PATH (fd_if_empty) names dirfd itself.
 */
static __always_inline void append_filename(struct ca_rec *r, struct task_struct *t,
					    struct filename *fn, int dirfd, __u32 slot,
					    __u16 kernel_flag, bool fd_if_empty)
{
	const char *name = fn ? BPF_CORE_READ(fn, name) : NULL;
	__u32 start = r->off;
	int n;

	if (!name) {
		if (fd_if_empty && ca_append_base(r, slot, t, dirfd) > 0)
			r->ev->flags |= kernel_flag;
		return;
	}
	n = append_kernel_str(r, slot, name);
	if (n == 0 && fd_if_empty) {
		if (ca_append_base(r, slot, t, dirfd) > 0)
			r->ev->flags |= kernel_flag;
		return;
	}
	if (n > 0 && ca_byte_at(r, start) != '/')
		ca_append_base(r, slot + 1, t, dirfd);
}

/* The user pointer a struct filename was copied from (args[] as the syscall's). */
static __always_inline __u64 fn_uptr(struct filename *fn)
{
	return fn ? (__u64)BPF_CORE_READ(fn, uptr) : 0;
}

/*
 * Cut the record to CA_URING_REC_MAX. Slots are packed in order, so the
 * first slot that crosses the bound is cut and the later ones dropped; a
 * base directory that does not fit whole is dropped rather than cut, so a
 * relative path is reported unresolved instead of resolved against a wrong
 * directory.
 */
static __always_inline void uring_fit(struct ca_rec *r)
{
	__u32 used = sizeof(struct ca_event), src = sizeof(struct ca_event);

	if (r->off <= CA_URING_REC_MAX)
		return;
#pragma unroll
	for (int i = 0; i < CA_S__COUNT; i++) {
		__u32 len = r->ev->str_len[i], keep = len;

		if (used + len > CA_URING_REC_MAX) {
			bool base = i == CA_S_PATH_BASE || i == CA_S_PATH2_BASE;

			keep = used < CA_URING_REC_MAX && !base ? CA_URING_REC_MAX - used : 0;
			r->ev->str_len[i] = keep;
		}
		/*
		 * A slot dropped before this one leaves a gap: move this slot's
		 * bytes down (through tmp, the ranges may overlap).
		 */
		if (keep && src != used && keep <= CA_SCRATCH_TMP) {
			bpf_probe_read_kernel(r->s->tmp, keep & (CA_SCRATCH_TMP - 1) ?: CA_SCRATCH_TMP,
					      &r->s->ev[src & CA_OFF_MASK]);
			bpf_probe_read_kernel(&r->s->ev[used & CA_OFF_MASK],
					      keep & (CA_SCRATCH_TMP - 1) ?: CA_SCRATCH_TMP, r->s->tmp);
		}
		used += keep;
		src += len;
	}
	r->off = used;
	r->ev->flags |= CA_F_PATH_TRUNC;
	ca_count_drop(CA_DROP_TRUNCATED);
}

/* Credentials a request runs with when it names a registered personality. */
static __always_inline void use_req_creds(struct ca_task_info *ti, struct io_kiocb *req)
{
	const struct cred *c = BPF_CORE_READ(req, creds);

	if (!c)
		return;
	ti->uid = BPF_CORE_READ(c, uid.val);
	ti->euid = BPF_CORE_READ(c, euid.val);
	ti->suid = BPF_CORE_READ(c, suid.val);
	ti->fsuid = BPF_CORE_READ(c, fsuid.val);
	ti->gid = BPF_CORE_READ(c, gid.val);
	ti->egid = BPF_CORE_READ(c, egid.val);
	ti->sgid = BPF_CORE_READ(c, sgid.val);
	ti->fsgid = BPF_CORE_READ(c, fsgid.val);
	ti->cap_effective = BPF_CORE_READ(c, cap_effective.val);
}

static __always_inline bool open_writes(__u64 flags)
{
	return flags & (CA_O_ACCMODE_WRITE | CA_O_CREAT | CA_O_TRUNC);
}

/* Fill args[], aux[] and the path slots for one opcode; false: not recorded. */
static __always_inline bool fill_op(struct ca_rec *r, struct task_struct *t, struct io_kiocb *req,
				    __u8 op)
{
	struct ca_event *ev = r->ev;
	void *cmd = &req->cmd;

	switch (op) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2: {
		struct io_open *o = cmd;
		int dfd = BPF_CORE_READ(o, dfd);
		/* the kernel adds O_LARGEFILE itself; the syscall record has the caller's flags */
		__u64 flags = BPF_CORE_READ(o, how.flags) & ~(__u64)CA_O_LARGEFILE;
		__u64 mode = BPF_CORE_READ(o, how.mode);
		struct filename *fn = BPF_CORE_READ(o, filename);

		ev->args[0] = (__u64)(__s64)dfd;
		ev->args[1] = fn_uptr(fn);
		if (op == IORING_OP_OPENAT) {
			ev->args[2] = flags;
			ev->args[3] = mode;
		} else {
			ev->args[3] = sizeof(struct open_how);
		}
		ev->aux[CA_AUX_OPEN_FLAGS] = flags;
		ev->aux[CA_AUX_OPEN_MODE] = mode;
		append_filename(r, t, fn, dfd, CA_S_PATH, CA_F_PATH_KERNEL, false);
		return true;
	}
	case IORING_OP_RENAMEAT: {
		struct io_rename *o = cmd;
		int od = BPF_CORE_READ(o, old_dfd), nd = BPF_CORE_READ(o, new_dfd);
		struct filename *of = BPF_CORE_READ(o, oldpath), *nf = BPF_CORE_READ(o, newpath);

		ev->args[0] = (__u64)(__s64)od;
		ev->args[1] = fn_uptr(of);
		ev->args[2] = (__u64)(__s64)nd;
		ev->args[3] = fn_uptr(nf);
		ev->args[4] = (__u32)BPF_CORE_READ(o, flags);
		append_filename(r, t, of, od, CA_S_PATH, CA_F_PATH_KERNEL, false);
		append_filename(r, t, nf, nd, CA_S_PATH2, CA_F_PATH2_KERNEL, false);
		return true;
	}
	case IORING_OP_UNLINKAT: {
		struct io_unlink *o = cmd;
		int dfd = BPF_CORE_READ(o, dfd);
		struct filename *fn = BPF_CORE_READ(o, filename);

		ev->args[0] = (__u64)(__s64)dfd;
		ev->args[1] = fn_uptr(fn);
		ev->args[2] = (__u32)BPF_CORE_READ(o, flags);
		append_filename(r, t, fn, dfd, CA_S_PATH, CA_F_PATH_KERNEL, false);
		return true;
	}
	case IORING_OP_MKDIRAT: {
		struct io_mkdir *o = cmd;
		int dfd = BPF_CORE_READ(o, dfd);
		struct filename *fn = BPF_CORE_READ(o, filename);

		ev->args[0] = (__u64)(__s64)dfd;
		ev->args[1] = fn_uptr(fn);
		ev->args[2] = BPF_CORE_READ(o, mode);
		append_filename(r, t, fn, dfd, CA_S_PATH, CA_F_PATH_KERNEL, false);
		return true;
	}
	case IORING_OP_SYMLINKAT: {
		/* symlinkat(target, newdirfd, linkpath): oldpath is the target string */
		struct io_link *o = cmd;
		int nd = BPF_CORE_READ(o, new_dfd);
		struct filename *target = BPF_CORE_READ(o, oldpath), *lf = BPF_CORE_READ(o, newpath);

		ev->args[0] = fn_uptr(target);
		ev->args[1] = (__u64)(__s64)nd;
		ev->args[2] = fn_uptr(lf);
		append_filename(r, t, lf, nd, CA_S_PATH, CA_F_PATH_KERNEL, false);
		if (target)
			append_kernel_str(r, CA_S_AUX, BPF_CORE_READ(target, name));
		return true;
	}
	case IORING_OP_LINKAT: {
		struct io_link *o = cmd;
		int od = BPF_CORE_READ(o, old_dfd), nd = BPF_CORE_READ(o, new_dfd);
		int flags = BPF_CORE_READ(o, flags);
		struct filename *of = BPF_CORE_READ(o, oldpath), *nf = BPF_CORE_READ(o, newpath);

		ev->args[0] = (__u64)(__s64)od;
		ev->args[1] = fn_uptr(of);
		ev->args[2] = (__u64)(__s64)nd;
		ev->args[3] = fn_uptr(nf);
		ev->args[4] = (__u32)flags;
		append_filename(r, t, of, od, CA_S_PATH, CA_F_PATH_KERNEL,
				!!(flags & CA_AT_EMPTY_PATH));
		append_filename(r, t, nf, nd, CA_S_PATH2, CA_F_PATH2_KERNEL, false);
		return true;
	}
	case IORING_OP_CONNECT: {
		struct io_connect *o = cmd;

		struct io_async_msghdr *io = BPF_CORE_READ(req, async_data);
		int len = BPF_CORE_READ(o, addr_len);

		/* the socket itself is read at completion, when req->file is set */
		ev->args[0] = (__u64)(__s64)BPF_CORE_READ(req, cqe.fd);
		ev->args[1] = (__u64)BPF_CORE_READ(o, addr);
		ev->args[2] = (__u64)(__s64)len;
		/*
		 * The caller's sockaddr, parked in CA_S_AUX until completion:
		 * the failed connect's destination and the unix path come from
		 * it. Read from the caller's memory here, in its context, just
		 * after the kernel copied it (as the syscall path reads it at
		 * exit); prep's kernel copy in async_data is recycled before
		 * completion, and where in async_data it lies differs between
		 * kernels (seen at offset 0 on 6.18 although BTF puts
		 * io_async_msghdr.addr at 160), so it is only the fallback.
		 */
		if (len > (int)sizeof(struct __kernel_sockaddr_storage))
			len = sizeof(struct __kernel_sockaddr_storage);
		if (len > 0 && ca_room(r)) {
			__u8 *dst = &r->s->ev[r->off & CA_OFF_MASK];
			void *ua = BPF_CORE_READ(o, addr);

			if (!bpf_probe_read_user(dst, len & 0xff, ua)) {
				ca_set_slot(r, CA_S_AUX, len & 0xff);
			} else if (io) {
				const void *ka = io;
				__u16 fam = 0;

				bpf_probe_read_kernel(&fam, sizeof(fam), ka);
				if (fam != CA_AF_UNIX && fam != CA_AF_INET && fam != CA_AF_INET6)
					ka = &io->addr;
				if (!bpf_probe_read_kernel(dst, len & 0xff, ka))
					ca_set_slot(r, CA_S_AUX, len & 0xff);
			}
		}
		return true;
	}
	case IORING_OP_ACCEPT: {
		struct io_accept *o = cmd;

		ev->args[0] = (__u64)(__s64)BPF_CORE_READ(req, cqe.fd);
		ev->args[1] = (__u64)BPF_CORE_READ(o, addr);
		ev->args[2] = (__u64)BPF_CORE_READ(o, addr_len);
		ev->args[3] = (__u32)BPF_CORE_READ(o, flags);
		/* fixed-file slot the new socket goes to (aux[2], 0: a normal fd) */
		ev->aux[2] = BPF_CORE_READ(o, file_slot);
		return true;
	}
	}
	return false;
}

/* A user path string and the directory it is relative to (syscall.bpf.c's append_object). */
static __always_inline void append_user_object(struct ca_rec *r, struct task_struct *t, __u64 uptr,
					       int dirfd, __u32 slot, __u16 kernel_flag,
					       bool fd_if_empty)
{
	__u32 start = r->off;
	int n;

	if (!uptr) {
		if (fd_if_empty && ca_append_base(r, slot, t, dirfd) > 0)
			r->ev->flags |= kernel_flag;
		return;
	}
	n = ca_append_user_str(r, slot, (const void *)uptr);
	if (n == 0 && fd_if_empty) {
		if (ca_append_base(r, slot, t, dirfd) > 0)
			r->ev->flags |= kernel_flag;
		return;
	}
	if (n > 0 && ca_byte_at(r, start) != '/')
		ca_append_base(r, slot + 1, t, dirfd);
}

/*
 * The record of a request the kernel refused while reading it (prep failed:
 * a bad pointer, a path too long, invalid flags): io_uring_submit_req does
 * not fire for it, its failure CQE does. Built from the SQE, with the
 * strings from the caller's memory (this runs in the submitter's context),
 * as the syscall path reads them.
 */
static __always_inline bool fill_from_sqe(struct ca_rec *r, struct task_struct *t,
					  const struct io_uring_sqe *sqe, __u8 op)
{
	struct ca_event *ev = r->ev;
	int fd = BPF_CORE_READ(sqe, fd);
	__u64 addr = BPF_CORE_READ(sqe, addr), addr2 = BPF_CORE_READ(sqe, addr2);
	__u32 len = BPF_CORE_READ(sqe, len), oflags = BPF_CORE_READ(sqe, open_flags);

	ev->args[0] = (__u64)(__s64)fd;
	ev->args[1] = addr;
	switch (op) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2:
		if (op == IORING_OP_OPENAT) {
			ev->args[2] = oflags;
			ev->args[3] = len;
			ev->aux[CA_AUX_OPEN_FLAGS] = oflags;
			ev->aux[CA_AUX_OPEN_MODE] = len;
		} else {
			struct open_how how = {};

			ev->args[2] = addr2;
			ev->args[3] = len;
			if (bpf_probe_read_user(&how, sizeof(how), (void *)addr2)) {
				how.flags = 01; /* unknown: recorded, not guessed read-only */
				r->ev->flags |= CA_F_READ_FAULT;
				ca_count_drop(CA_DROP_READ_FAULT);
			}
			ev->aux[CA_AUX_OPEN_FLAGS] = how.flags;
			ev->aux[CA_AUX_OPEN_MODE] = how.mode;
		}
		if (!ca_cfg.capture_read_opens && !open_writes(ev->aux[CA_AUX_OPEN_FLAGS]))
			return false;
		append_user_object(r, t, addr, fd, CA_S_PATH, CA_F_PATH_KERNEL, false);
		return true;
	case IORING_OP_RENAMEAT:
	case IORING_OP_LINKAT:
		ev->args[2] = (__u64)(__s64)(int)len;
		ev->args[3] = addr2;
		ev->args[4] = oflags; /* rename_flags / hardlink_flags share the union */
		append_user_object(r, t, addr, fd, CA_S_PATH, CA_F_PATH_KERNEL,
				   op == IORING_OP_LINKAT && (oflags & CA_AT_EMPTY_PATH));
		append_user_object(r, t, addr2, (int)len, CA_S_PATH2, CA_F_PATH2_KERNEL, false);
		return true;
	case IORING_OP_UNLINKAT:
		ev->args[2] = oflags;
		append_user_object(r, t, addr, fd, CA_S_PATH, CA_F_PATH_KERNEL, false);
		return true;
	case IORING_OP_MKDIRAT:
		ev->args[2] = len;
		append_user_object(r, t, addr, fd, CA_S_PATH, CA_F_PATH_KERNEL, false);
		return true;
	case IORING_OP_SYMLINKAT:
		/* symlinkat(target = addr, newdirfd = fd, linkpath = addr2) */
		ev->args[0] = addr;
		ev->args[1] = (__u64)(__s64)fd;
		ev->args[2] = addr2;
		append_user_object(r, t, addr2, fd, CA_S_PATH, CA_F_PATH_KERNEL, false);
		ca_append_user_str(r, CA_S_AUX, (const void *)addr);
		return true;
	case IORING_OP_CONNECT:
		ev->args[2] = addr2;
		if (addr2 > 0 && addr2 <= sizeof(struct __kernel_sockaddr_storage) && ca_room(r) &&
		    !bpf_probe_read_user(&r->s->ev[r->off & CA_OFF_MASK], addr2 & 0xff,
					 (void *)addr))
			ca_set_slot(r, CA_S_AUX, addr2 & 0xff);
		return true;
	case IORING_OP_ACCEPT:
		ev->args[2] = addr2;
		ev->args[3] = oflags;
		return true;
	}
	return false;
}

#endif
