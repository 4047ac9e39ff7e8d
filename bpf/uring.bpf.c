/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * io_uring submissions: the same records as the ordinary syscalls, flagged
 * CA_F_VIA_URING.
 *
 * Rationale: an operation submitted through io_uring never enters the
 * syscall tracepoints, so without this an attacker opens, renames, deletes
 * and connects unseen. Two tp_btf hooks close the gap:
 *  - io_uring_submit_req runs in the submitter's context after the op's
 *    prep. The path strings (struct filename) exist only until the op has
 *    run, so the complete record (identity, args, paths, dirfd/cwd bases) is
 *    built here, in the layout bpf/syscall.bpf.c uses for the equivalent
 *    syscall, and parked in `uring_pending` keyed by the io_kiocb pointer;
 *  - io_uring_complete supplies the result (cqe->res). It may run in an
 *    iou-wrk thread or in task work, so files and sockets are looked up in
 *    the submitter's table (req->tctx->task) or the ring's fixed-file table.
 * Opens that succeed name the file the kernel opened (CA_F_PATH_KERNEL),
 * sockets are described from the kernel's socket, as on the syscall path.
 * Any other opcode costs one byte compare at submit and at completion.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "sock.bpf.h"

#define CA_O_ACCMODE_WRITE 03
#define CA_O_CREAT 0100
#define CA_O_TRUNC 01000
#define CA_O_LARGEFILE 0100000
#define CA_PF_IO_WORKER 0x10
#define CA_REQ_F_FIXED_FILE (1ULL << 0)
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

/*
 * In-flight requests. A plain hash (not LRU): a full map is counted as
 * CA_DROP_MAP_FULL instead of silently evicting someone else's record.
 * Allocated on demand: only requests in flight cost memory.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct ca_uring_rec);
} uring_pending SEC(".maps");

/*
 * Completions that do not name their request: the extra CQEs of a
 * multishot accept (io_uring_complete with req NULL) and CQEs that went to
 * the overflow list because the CQ ring was full (io_uring_cqe_overflow).
 * Both carry the ring and the caller's user_data, so every parked request
 * is also indexed by (ring, user_data). Two requests in flight on one ring
 * with the same user_data share an entry: the later one wins.
 */
struct ca_uring_ud_key {
	__u64 ring;
	__u64 user_data;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ca_uring_ud_key);
	__type(value, __u64);
} uring_ud SEC(".maps");

#define CA_CQE_F_MORE (1u << 1)

_Static_assert(CA_URING_REC_MAX <= CA_EVENT_MAX, "parked record larger than scratch");

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
	__u32 used = sizeof(struct ca_event);

	if (r->off <= CA_URING_REC_MAX)
		return;
#pragma unroll
	for (int i = 0; i < CA_S__COUNT; i++) {
		__u32 len = r->ev->str_len[i];

		if (used + len > CA_URING_REC_MAX) {
			bool base = i == CA_S_PATH_BASE || i == CA_S_PATH2_BASE;

			len = used < CA_URING_REC_MAX && !base ? CA_URING_REC_MAX - used : 0;
			r->ev->str_len[i] = len;
		}
		used += len;
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

/*
 * Start the record of a request by the current task unless the filters drop
 * it: identity (an SQPOLL thread, iou-sqp-N, submits for its process and is
 * filtered and named by the process's comm; a request naming a registered
 * personality runs with, and is recorded with, that personality's creds).
 */
static __always_inline bool uring_begin(struct ca_rec *r, struct io_kiocb *req, __u32 nr,
					struct task_struct *t)
{
	struct ca_comm_key comm = {};
	__u64 rflags = req->flags;
	__u32 uid = (__u32)bpf_get_current_uid_gid();

	if (t->flags & CA_PF_IO_WORKER)
		BPF_CORE_READ_STR_INTO(&comm.comm, t, group_leader, comm);
	else
		bpf_get_current_comm(comm.comm, sizeof(comm.comm));
	if (rflags & CA_REQ_F_CREDS)
		uid = BPF_CORE_READ(req, creds, uid.val);
	if (ca_filtered(t->tgid, uid, comm.comm))
		return false;
	if (!ca_rec_begin(r, CA_EV_SYSCALL, t))
		return false;
	r->ev->flags |= CA_F_VIA_URING;
	r->ev->syscall_nr = nr;
	__builtin_memcpy(r->ev->task.comm, comm.comm, sizeof(comm.comm));
	if (rflags & CA_REQ_F_CREDS)
		use_req_creds(&r->ev->task, req);
	return true;
}

/* Park the record until the request's completion, indexed by req and by (ring, user_data). */
static __always_inline void uring_park(struct ca_rec *r, struct io_kiocb *req)
{
	struct ca_uring_ud_key uk = { (__u64)req->ctx, req->cqe.user_data };
	__u64 key = (__u64)req;

	uring_fit(r);
	r->ev->size = r->off;
	if (bpf_map_update_elem(&uring_pending, &key, r->s->ev, BPF_ANY)) {
		ca_count_drop(CA_DROP_MAP_FULL);
		return;
	}
	if (bpf_map_update_elem(&uring_ud, &uk, &key, BPF_ANY))
		ca_count_drop(CA_DROP_MAP_FULL);
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(ca_uring_submit, struct io_kiocb *req)
{
	__u8 op = req->opcode;
	__u32 nr = uring_nr(op);
	struct task_struct *t;
	struct ca_rec r;

	if (!nr)
		return 0;
	/* read-only opens first, as on the syscall path: the commonest case */
	if ((op == IORING_OP_OPENAT || op == IORING_OP_OPENAT2) && !ca_cfg.capture_read_opens &&
	    !open_writes(BPF_CORE_READ((struct io_open *)&req->cmd, how.flags)))
		return 0;
	t = bpf_get_current_task_btf();
	if (!uring_begin(&r, req, nr, t) || !fill_op(&r, t, req, op))
		return 0;
	uring_park(&r, req);
	return 0;
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

SEC("tp_btf/io_uring_req_failed")
int BPF_PROG(ca_uring_failed, const struct io_uring_sqe *sqe, struct io_kiocb *req, int error)
{
	__u8 op = BPF_CORE_READ(sqe, opcode);
	__u32 nr = uring_nr(op);
	struct task_struct *t;
	struct ca_rec r;

	if (!nr)
		return 0;
	t = bpf_get_current_task_btf();
	if (!uring_begin(&r, req, nr, t) || !fill_from_sqe(&r, t, sqe, op))
		return 0;
	uring_park(&r, req);
	return 0;
}

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

/* Unix socket path from a kernel copy of the caller's sockaddr_un. */
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
 * Destination of a failed connect from the kernel's copy of the caller's
 * sockaddr, as ca_user_sockaddr() reads it from user memory on the syscall
 * path (a failed connect may have reset the socket).
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

/* Emit the parked record v of req with result res (v stays parked). */
static __always_inline void uring_emit(struct ca_uring_rec *v, struct io_kiocb *req,
				       struct io_ring_ctx *ring, __u8 op, long res)
{
	struct ca_event *ev = (struct ca_event *)v->b;
	__u32 size;

	ev->ret = res;
	ev->boot_ns = bpf_ktime_get_boot_ns();
	if (op == IORING_OP_CONNECT || op == IORING_OP_ACCEPT) {
		emit_net(ev, req, ring, res, op);
		return;
	}
	if ((op == IORING_OP_OPENAT || op == IORING_OP_OPENAT2) && res >= 0 &&
	    emit_open(ev, req, ring, res))
		return;
	size = ev->size;
	if (size > CA_URING_REC_MAX)
		size = CA_URING_REC_MAX;
	if (size < sizeof(struct ca_event))
		size = sizeof(struct ca_event);
	if (bpf_ringbuf_output(&events, v, size,
			       bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + size >=
					       ca_cfg.wakeup_bytes
				       ? BPF_RB_FORCE_WAKEUP
				       : BPF_RB_NO_WAKEUP))
		ca_count_drop(CA_DROP_RINGBUF_FULL);
}

/* Forget a finished request (its (ring, user_data) entry only if still its own). */
static __always_inline void uring_forget(__u64 req, __u64 ring, __u64 user_data)
{
	struct ca_uring_ud_key uk = { ring, user_data };
	__u64 *owner = bpf_map_lookup_elem(&uring_ud, &uk);

	bpf_map_delete_elem(&uring_pending, &req);
	if (owner && *owner == req)
		bpf_map_delete_elem(&uring_ud, &uk);
}

/*
 * A completion without its request: find it by (ring, user_data). final:
 * the request is done (no IORING_CQE_F_MORE), forget it.
 */
static __always_inline void uring_by_user_data(struct io_ring_ctx *ring, __u64 user_data,
					       long res, bool final)
{
	struct ca_uring_ud_key uk = { (__u64)ring, user_data };
	struct ca_uring_rec *v;
	struct io_kiocb *req;
	__u64 *rp, key;
	__u8 op;

	rp = bpf_map_lookup_elem(&uring_ud, &uk);
	if (!rp)
		return;
	key = *rp;
	v = bpf_map_lookup_elem(&uring_pending, &key);
	if (!v)
		return;
	req = (struct io_kiocb *)key;
	op = BPF_CORE_READ(req, opcode);
	if (!uring_nr(op))
		return;
	uring_emit(v, req, ring, op, res);
	if (final)
		uring_forget(key, (__u64)ring, user_data);
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(ca_uring_complete, struct io_ring_ctx *ring, void *vreq, struct io_uring_cqe *cqe)
{
	struct io_kiocb *req = vreq;
	struct ca_uring_rec *v;
	__u64 key = (__u64)vreq;
	__u8 op;

	if (!req) {
		/* an extra CQE of a multishot request (accept): more follow */
		uring_by_user_data(ring, cqe->user_data, cqe->res, false);
		return 0;
	}
	op = BPF_CORE_READ(req, opcode);
	if (!uring_nr(op))
		return 0;
	v = bpf_map_lookup_elem(&uring_pending, &key);
	if (!v)
		return 0;
	uring_emit(v, req, ring, op, cqe->res);
	uring_forget(key, (__u64)ring, cqe->user_data);
	return 0;
}

/*
 * The CQ ring was full: the CQE went to the overflow list and
 * io_uring_complete does not fire for it.
 */
SEC("tp_btf/io_uring_cqe_overflow")
int BPF_PROG(ca_uring_overflow, void *ring, __u64 user_data, __s32 res, __u32 cflags, void *ocqe)
{
	uring_by_user_data(ring, user_data, res, !(cflags & CA_CQE_F_MORE));
	return 0;
}
