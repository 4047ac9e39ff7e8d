/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * io_uring submissions: the same records as the ordinary syscalls, flagged
 * CA_F_VIA_URING.
 *
 * Rationale: an operation submitted through io_uring never enters the
 * syscall tracepoints, so without this an attacker opens, renames, deletes
 * and connects unseen. tp_btf hooks close the gap:
 *  - io_uring_submit_req runs in the submitter's context after the op's
 *    prep. The path strings (struct filename) exist only until the op has
 *    run, so the complete record (identity, args, paths, dirfd/cwd bases) is
 *    built here (uring_req.bpf.h), in the layout bpf/syscall.bpf.c uses for
 *    the equivalent syscall, and parked in `uring_pending` keyed by the
 *    io_kiocb pointer; io_uring_req_failed does the same from the SQE for a
 *    request whose prep failed;
 *  - io_uring_complete supplies the result (cqe->res), and so does
 *    io_uring_cqe_overflow for a CQE that found the CQ ring full. They may
 *    run in an iou-wrk thread, in task work or in a kworker, so files and
 *    sockets are looked up in the submitter's table (req->tctx->task) or the
 *    ring's fixed-file table (uring_emit.bpf.h).
 * Opens that succeed name the file the kernel opened (CA_F_PATH_KERNEL),
 * sockets are described from the kernel's socket, as on the syscall path.
 * Any other opcode costs one byte compare at submit and at completion.
 * Loading is optional (user/cauditd/loader.c): without these tracepoints the
 * rest of the agent runs and agent.start lists them as missing.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "uring_emit.bpf.h"
#include "policy.bpf.h"

/*
 * In-flight requests. A plain hash (not LRU): a full map is counted as
 * CA_DROP_MAP_FULL instead of silently evicting someone else's record.
 * Preallocated (1024 x 8 KiB): allocating 8 KiB elements on demand
 * (BPF_F_NO_PREALLOC) made each recorded completion about 4 us slower here
 * and can fail under memory pressure.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
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

/*
 * Start the record of a request by the current task unless the filters drop
 * it: identity (an SQPOLL thread, iou-sqp-N, submits for its process and is
 * filtered and named by the process's comm; a request naming a registered
 * personality runs with, and is recorded with, that personality's creds).
 */
static __always_inline bool uring_begin(struct ca_rec *r, struct io_kiocb *req, __u32 nr,
					struct task_struct *t, __u32 acc)
{
	__u32 gen, rule;
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
	/* judged at submission: the result is unknown to the kernel's test */
	if (ca_pol_decide(ca_pol_current(), nr, 0, NULL, false, 0, acc, !(rflags & CA_REQ_F_CREDS),
			  &gen, &rule) == CA_PD_DROP)
		return false;
	if (!ca_rec_begin(r, CA_EV_SYSCALL, t))
		return false;
	r->ev->policy_gen = gen;
	r->ev->policy_rule = rule;
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
	__u32 nr = uring_nr(op), acc = 0;
	struct task_struct *t;
	struct ca_rec r;

	if (!nr)
		return 0;
	/* read-only opens first, as on the syscall path: the commonest case */
	if ((op == IORING_OP_OPENAT || op == IORING_OP_OPENAT2) && !ca_cfg.capture_read_opens &&
	    !open_writes(BPF_CORE_READ((struct io_open *)&req->cmd, how.flags)))
		return 0;
	t = bpf_get_current_task_btf();
	if (op == IORING_OP_OPENAT || op == IORING_OP_OPENAT2)
		acc = ca_pol_acc_mode(BPF_CORE_READ((struct io_open *)&req->cmd, how.flags));
	if (!uring_begin(&r, req, nr, t, acc) || !fill_op(&r, t, req, op))
		return 0;
	/*
	 * IOSQE_CQE_SKIP_SUCCESS: a success posts no completion, so the record
	 * goes out now with its outcome unknown; a failure still completes and
	 * is recorded then, from the parked copy.
	 */
	if (req->flags & (1ULL << REQ_F_CQE_SKIP_BIT)) {
		uring_fit(&r);
		r.ev->flags |= CA_F_NO_RESULT;
		ca_rec_submit(&r);
		r.ev->flags &= ~CA_F_NO_RESULT;
	}
	uring_park(&r, req);
	return 0;
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
	if (!uring_begin(&r, req, nr, t, 0) || !fill_from_sqe(&r, t, sqe, op))
		return 0;
	uring_park(&r, req);
	return 0;
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
	/* an older or newer object owns the log now (upgrade handover), as in ca_rec_submit */
	if (!ca_gen_active())
		return;
	size = ev->size;
	if (size > CA_URING_REC_MAX)
		size = CA_URING_REC_MAX;
	if (size < sizeof(struct ca_event))
		size = sizeof(struct ca_event);
	if (bpf_ringbuf_output(&events, v, size, ca_rb_flags(size)))
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
					       long res, bool final, bool multishot_only)
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
	/* of the covered opcodes only accept posts extra CQEs: a same user_data is no match */
	if (!uring_nr(op) || (multishot_only && op != IORING_OP_ACCEPT))
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
		uring_by_user_data(ring, cqe->user_data, cqe->res, false, true);
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
	uring_by_user_data(ring, user_data, res, !(cflags & CA_CQE_F_MORE), false);
	return 0;
}
