/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Every map and global of the BPF side, declared once. The .bpf.c files are
 * statically linked by `bpftool gen object`; __weak lets each file include
 * this header and still end with one instance of each.
 */
#ifndef CAUDIT_MAPS_BPF_H
#define CAUDIT_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "caudit_event.h"
#include "caudit_policy.h"

struct ca_comm_key {
	char comm[CA_COMM_LEN];
};

/* Events to user space. Size set by the loader (ring_buffer_size). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps") __weak;

/*
 * Where a record is assembled before bpf_ringbuf_output(). A plain array
 * indexed by CPU (the loader sets max_entries to the number of possible CPUs)
 * because a per-CPU array value is limited to 32 KiB. Programs run with
 * migration disabled and our hooks do not nest on one CPU.
 */
#define CA_SCRATCH_TMP 8192
#define CA_TMP_PATH_END CA_PATH_MAX /* dentry walks build paths ending here */
/*
 * State of a bpf_loop() walk lives here rather than on the stack: values the
 * verifier reads from a map are unknown scalars, so it checks the callback
 * once instead of once per distinct constant the loop would produce.
 */
struct ca_loop_state {
	__u64 dentry;     /* dentry walk: current dentry */
	__u64 mnt_root;   /* root dentry of the current mount */
	__u64 mnt;        /* current struct mount */
	__u32 pos;        /* path so far is tmp[pos .. CA_TMP_PATH_END) */
	__u32 trunc;
	__u32 done;       /* the walk reached a root (else it ran out of steps) */
	__u32 _pad1;
	__u64 argv;       /* argv walk: user array of pointers */
	__u32 start;      /* offset of the args slot in ev */
	__u32 used;
	__u32 max;
	__u32 argv_trunc;
	__u32 fault;      /* argv walk: a pointer or string was unreadable */
	__u32 _pad0;
};

/* An evaluation of the policy (bpf/policy.bpf.h): facts and the walk. */
#define CA_POL_DT 128
#define CA_POL_PROBES 4

struct ca_pol_state {
	__u64 rem[CA_POL_WORDS]; /* candidate rules not yet evaluated */
	__u32 v[32];             /* facts, by enum ca_pol_field */
	__u32 known;             /* bit per fact */
	__u32 gen, slot;
	__u32 facts;             /* facts the candidates test */
	__u32 rule;              /* index of the deciding or first candidate rule */
	__u8 result;             /* CA_PD_* */
	__u8 maybe_seen;
	__u8 never_maybe;        /* a never rule may have matched */
	__u8 _pad0;
	/* path facts (bpf/policy.bpf.h ca_pol_final): hashes of the paths and their parents */
	__u32 ph[2];
	__u32 stamp;              /* dt entries of this evaluation carry it */
	__u32 nd;                 /* directories noted */
	struct {
		__u32 h, stamp;
	} dt[CA_POL_DT];         /* directory hashes: open addressing, CA_POL_PROBES probes */
	/* the hashing walk over one path */
	__u32 h, hoff, hpos, hend, hk, hcomp, hbad;
	__u8 hc1, hc2, _pad1[2];
};

struct ca_scratch {
	__u8 ev[CA_EVENT_MAX];
	__u8 tmp[CA_SCRATCH_TMP];
	struct ca_loop_state loop;
	struct ca_pol_state pol;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ca_scratch);
} scratch SEC(".maps") __weak;

/* One counter per enum ca_drop_reason, per CPU; user space sums them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CA_DROP__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} drop_counters SEC(".maps") __weak;

/* Syscalls the policy dropped in the kernel, per enum ca_pol_stage, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CA_PST__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} pol_dropped SEC(".maps") __weak;

/* Syscall arguments saved at sys_enter, keyed by thread id. */
struct ca_pending {
	__u64 args[6];
	__u64 enter_ns;
	__u32 nr;         /* x86_64 number (ia32 calls are mapped) */
	__u32 ev_flags;   /* CA_F_ABI_IA32 ... copied into the record */
	__u32 pol_gen;    /* policy seen at enter (0: none); then the deciding one */
	__u32 pol_slot;   /* at enter: its slot; after the exit test: policy_rule */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct ca_pending);
} pending SEC(".maps") __weak;

/* How to read each syscall (user/common/syscall_table.c fills it). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CA_SYSCALL_MAX);
	__type(key, __u32);
	__type(value, struct ca_sc_desc);
} sc_table SEC(".maps") __weak;

/*
 * The shared sys_exit handlers. Each sys_exit_NAME stub tail-calls slot 0,
 * the dispatcher, which tail-calls the handler of the syscall's kind (slot =
 * enum ca_sc_kind), so the verifier checks each large handler once instead
 * of once per syscall. ia32_exit_prog holds the same handlers built for
 * tp_btf/sys_exit (tail calls need the caller's program type).
 */

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, CA_EXIT_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} sc_exit_prog SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, CA_EXIT_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} ia32_exit_prog SEC(".maps") __weak;

/* ia32 syscall number -> x86_64 number + 1 (0: not captured). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CA_SYSCALL_MAX);
	__type(key, __u32);
	__type(value, __u32);
} ia32_to_64 SEC(".maps") __weak;

/* Credentials before a CA_SC_CRED call, keyed by thread id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct ca_creds);
} pending_cred SEC(".maps") __weak;

/* Session origin of each process (tgid), inherited at fork. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct ca_origin);
} origins SEC(".maps") __weak;

/* Peer of the last connection a login service accepted (tgid), for its next fork. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct ca_origin);
} accepted_peer SEC(".maps") __weak;

/* Login services (config login_services): comm -> 1. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct ca_comm_key);
	__type(value, __u8);
} login_services SEC(".maps") __weak;

/* UDP destinations already recorded, per process. */
struct ca_udp_dst_key {
	__u64 start_boottime; /* with tgid: this process, not a later one with its pid */
	__u32 tgid;
	__u16 dport;
	__u16 _pad0;
	__u8 daddr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ca_udp_dst_key);
	__type(value, __u8);
} udp_seen SEC(".maps") __weak;

/* Per-socket window of new-destination records (rate limit), keyed by the
 * socket's inode number: a struct sock address is reused once freed. */
struct ca_udp_rate {
	__u64 window_start;
	__u32 count;
	__u32 _pad0;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ca_udp_rate);
} udp_rate SEC(".maps") __weak;

/* Config filters: uid (real) and comm -> enum ca_filter_verdict. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u8);
} uid_filter SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct ca_comm_key);
	__type(value, __u8);
} comm_filter SEC(".maps") __weak;

/*
 * Which program generation may emit records (docs/operations.md, "Upgrades").
 * The map is pinned and handed from one BPF object to the next; the programs
 * of an object emit only while the map holds their generation, so at an
 * upgrade the switch from the old programs to the new ones is one map write:
 * no gap, and no event recorded by both.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} ca_active_gen SEC(".maps") __weak;

/* This object's generation, set by the loader before load. */
const volatile __u32 ca_my_gen __weak = 0;

/*
 * False while another object's programs own the log. Syscall enters check it
 * before storing into the shared `pending`; an exit records the call it
 * claims out of `pending` whatever the generation (exit_fetch); records
 * both objects build (lifecycle, signals, io_uring) are written by the
 * active object only (ca_rec_submit).
 */
static __always_inline bool ca_gen_active(void)
{
	__u32 zero = 0, *gen = bpf_map_lookup_elem(&ca_active_gen, &zero);

	return !gen || *gen == ca_my_gen;
}

/* Runtime settings, written by user space through the skeleton's .bss. */
struct ca_runtime_cfg ca_cfg __weak;

#endif
