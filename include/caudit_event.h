/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * caudit event ABI: the records the BPF programs put in the ring buffer and
 * the maps user space fills to steer them.
 *
 * This header is a contract between bpf/ and user/. Rules, as in Tetragon:
 *  - enum values are explicit and never reused;
 *  - only fixed-width integers and char arrays, no bool, no pointers;
 *  - padding is placed by hand and sizes are checked (see CA_ASSERT_SIZE and
 *    tests/unit/test_abi.c);
 *  - bump CA_ABI_VERSION on any incompatible change.
 *
 * One record in the ring buffer:
 *
 *   0                      sizeof(struct ca_event)                      size
 *   +-----------------------+---------+---------+-----+---------+--------+
 *   | struct ca_event       | slot 0  | slot 1  | ... | slot 7  | (pad)  |
 *   | (str_len[] says how   | bytes   | bytes   |     | bytes   |        |
 *   |  long each slot is)   |         |         |     |         |        |
 *   +-----------------------+---------+---------+-----+---------+--------+
 *
 * String slots are packed in slot order, not NUL-terminated; a slot of length
 * 0 is absent. CA_S_ARGS holds NUL-separated arguments.
 */
#ifndef CAUDIT_EVENT_H
#define CAUDIT_EVENT_H

#ifdef __BPF__
/* vmlinux.h provides the __u* types on the BPF side. */
#else
#include <linux/types.h>
#endif

#define CA_ABI_VERSION 3

#define CA_COMM_LEN 16
#define CA_TTY_LEN 16
#define CA_PATH_MAX 4096     /* PATH_MAX, NUL included */
#define CA_NAME_MAX 255      /* one path component */
#define CA_ARGS_MAX 8192     /* upper bound of the args_max option */
#define CA_EVENT_MAX 40960   /* largest record the BPF side emits */
#define CA_SYSCALL_MAX 512   /* x86_64 syscall numbers are below this */
#define CA_ARG_NONE 0xff     /* "no such argument" in struct ca_sc_desc */
#define CA_EXIT_SLOTS 9      /* sys_exit tail-call slots: 0 dispatch, one per kind, final */
#define CA_EXIT_SLOT_FINAL 8 /* the policy's last word on a built file record */

enum ca_event_type {
	CA_EV_NONE = 0,
	CA_EV_PROC_EXEC = 1,  /* successful exec (sched_process_exec) */
	CA_EV_PROC_EXEC_FAIL = 2, /* failed execve/execveat (sys_exit) */
	CA_EV_PROC_FORK = 3,  /* new process (not a thread) */
	CA_EV_PROC_EXIT = 4,  /* last thread of a process exited */
	CA_EV_SYSCALL = 5,    /* table-driven syscall record (file ops ...) */
	CA_EV_TASK_SNAPSHOT = 6, /* task iterator record at start */
	CA_EV_SIGNAL = 7,     /* signal sent to another user's process or the agent */
	CA_EV__MAX,
};

/* String slots, packed after struct ca_event in this order. */
enum ca_str_slot {
	CA_S_PATH = 0,       /* first path: user string, or kernel path (CA_F_PATH_KERNEL) */
	CA_S_PATH_BASE = 1,  /* directory a relative CA_S_PATH is relative to */
	CA_S_PATH2 = 2,      /* second path (rename/link destination) */
	CA_S_PATH2_BASE = 3, /* directory a relative CA_S_PATH2 is relative to */
	CA_S_EXE = 4,        /* absolute executable path */
	CA_S_ARGS = 5,       /* argv, NUL separated */
	CA_S_CWD = 6,        /* working directory */
	CA_S_AUX = 7,        /* xattr name, symlink target; binary payload (below) */
	CA_S__COUNT = 8,
};

/*
 * Syscall records (CA_EV_SYSCALL) never fill CA_S_EXE, CA_S_ARGS or CA_S_CWD
 * (the process cache knows those), so kinds that need a second free-form
 * string use the args slot under this name (mount: file system type).
 */
#define CA_S_AUX2 CA_S_ARGS

/* struct ca_event.flags */
enum ca_event_flags {
	CA_F_ARGS_TRUNC = 1 << 0,   /* argv longer than args_max */
	CA_F_PATH_TRUNC = 1 << 1,   /* a path or string slot was cut */
	CA_F_READ_FAULT = 1 << 2,   /* a user string could not be read */
	CA_F_PATH_KERNEL = 1 << 3,  /* CA_S_PATH came from the opened file */
	CA_F_PATH2_KERNEL = 1 << 4, /* CA_S_PATH2 came from a file */
	CA_F_NO_ENTER = 1 << 5,     /* exit seen without its enter */
	CA_F_EXE_MEMFD = 1 << 6,    /* image came from a memfd */
	CA_F_ABI_IA32 = 1 << 7,     /* 32-bit syscall (int $0x80 / compat entry) */
	CA_F_VIA_URING = 1 << 8,    /* operation submitted through io_uring */
	CA_F_NO_RESULT = 1 << 10,   /* recorded at submit: success posts no result */
	CA_F_OBJ = 1 << 11,         /* obj holds the file the operation acted on */
};

/* Drop and degradation reasons, one per-CPU counter each (map drop_counters). */
enum ca_drop_reason {
	CA_DROP_RINGBUF_FULL = 0, /* bpf_ringbuf_output failed: event lost */
	CA_DROP_MAP_FULL = 1,     /* pending enter map full: event lost */
	CA_DROP_READ_FAULT = 2,   /* user memory unreadable: field missing */
	CA_DROP_TRUNCATED = 3,    /* string cut to its bound: field shortened */
	CA_DROP_NO_ENTER = 4,     /* exit without enter: args unknown */
	CA_DROP_RATE_LIMITED = 5, /* UDP send records over the per-socket rate */
	CA_DROP__COUNT = 6,
};

/*
 * Where a login session came from: the peer of the connection a login
 * service (config login_services, e.g. sshd) was started for. Inherited by
 * every descendant in the kernel (map `origins`), so it survives sudo, su and
 * setuid. family 0: no origin.
 */
struct ca_origin {
	__u8 addr[16];        /* IPv4 in the first 4 bytes, or IPv6 */
	__u16 family;         /* AF_INET, AF_INET6; 0 when unset */
	__u16 port;           /* peer port, host order */
	__u32 _pad0;
	char service[CA_COMM_LEN]; /* comm of the login service */
};

/* Who did it: filled for every record from the current task. */
struct ca_task_info {
	__u64 start_boottime; /* thread group leader start, ns since boot */
	__u64 parent_start_boottime; /* same, of real_parent's group leader */
	__u64 cgroup_id;
	__u64 cap_effective;
	__u32 pid;            /* tgid */
	__u32 tid;
	__u32 ppid;           /* real_parent tgid */
	__u32 uid;
	__u32 euid;
	__u32 suid;
	__u32 fsuid;
	__u32 gid;
	__u32 egid;
	__u32 sgid;
	__u32 fsgid;
	__u32 auid;           /* login uid, 4294967295 when unset */
	__u32 sessionid;      /* 4294967295 when unset */
	__u32 ns_pid;
	__u32 ns_mnt;
	__u32 ns_net;
	__u32 ns_user;
	__u32 self_exec_id;   /* group leader's exec count: with pid and */
	__u32 parent_self_exec_id; /* start time it names one image (exec_id) */
	__u32 ns_uts;
	__u32 ns_ipc;
	__u32 ns_cgroup;
	char comm[CA_COMM_LEN];
	char tty[CA_TTY_LEN]; /* "" without a controlling tty */
	struct ca_origin origin;
};

/* The file an operation acted on, when the kernel handed it to us (CA_F_OBJ). */
struct ca_obj_info {
	__u64 ino;
	__u32 dev;            /* kernel dev_t: major << 20 | minor */
	__u32 mode;
	__u32 uid;
	__u32 gid;
};

struct ca_event {
	__u32 size;           /* whole record, header and strings */
	__u16 type;           /* enum ca_event_type */
	__u16 flags;          /* enum ca_event_flags */
	__u64 boot_ns;        /* bpf_ktime_get_boot_ns() at the event */
	__s64 ret;            /* syscall return value */
	__u64 args[6];        /* raw syscall arguments */
	__u64 aux[4];         /* per type: see CA_AUX_* */
	__u32 syscall_nr;     /* x86_64 number; CA_SYSCALL_MAX for none */
	__u16 str_len[CA_S__COUNT];
	__u32 policy_gen;
	__u32 policy_rule;
	__u32 _pad0;
	struct ca_obj_info obj;
	struct ca_task_info task;
};

/* aux[] meaning per event type */
#define CA_AUX_FORK_CHILD_PID 0  /* CA_EV_PROC_FORK: child tgid */
#define CA_AUX_FORK_CHILD_START 1 /* CA_EV_PROC_FORK: child start_boottime */
#define CA_AUX_EXIT_CODE 0       /* CA_EV_PROC_EXIT: wait status */
#define CA_AUX_OPEN_FLAGS 0      /* CA_EV_SYSCALL opens: flags (openat2: how.flags) */
#define CA_AUX_OPEN_MODE 1       /* CA_EV_SYSCALL opens: mode */
#define CA_AUX_EXEC_OLD_PID 0    /* CA_EV_PROC_EXEC: pid before exec (de_thread) */
#define CA_AUX_SIG_NR 0          /* CA_EV_SIGNAL: signal number */
#define CA_AUX_SIG_TARGET 1      /* CA_EV_SIGNAL: target tgid */
#define CA_AUX_SIG_TARGET_UID 2  /* CA_EV_SIGNAL: target uid | euid << 32 */
#define CA_AUX_SIG_RESULT 3      /* CA_EV_SIGNAL: TRACE_SIGNAL_* result */
#define CA_AUX_SYS_0 0           /* CA_SC_SYS: per-syscall values (docs/schema.md) */
#define CA_AUX_SYS_1 1
#define CA_AUX_SYS_2 2

/*
 * Binary payloads in CA_S_AUX, by kind. Fixed layouts, sizes checked by the
 * decoder before use.
 *
 * CA_SC_NET (and the login-service exec): the socket, addresses in network
 * byte order, ports in host order. Unix socket paths go to CA_S_PATH.
 */
struct ca_net_info {
	__u16 family;         /* AF_INET, AF_INET6, AF_UNIX ... */
	__u16 type;           /* SOCK_STREAM, SOCK_DGRAM, SOCK_RAW ... */
	__u16 protocol;       /* IPPROTO_* */
	__u16 sport;
	__u16 dport;
	__u16 flags;          /* CA_NET_* */
	__u32 _pad0;
	__u8 saddr[16];
	__u8 daddr[16];
};

enum ca_net_flags {
	CA_NET_HAVE_SRC = 1 << 0,
	CA_NET_HAVE_DST = 1 << 1,
	CA_NET_UNIX_ABSTRACT = 1 << 2, /* CA_S_PATH is an abstract name (no leading NUL) */
	CA_NET_DST_FROM_USER = 1 << 3, /* dst read from the caller's sockaddr */
};

#define CA_GROUPS_MAX 32

/* One credential set (CA_SC_CRED payload holds the one before and after). */
struct ca_creds {
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
	__u64 cap_effective;
	__u64 cap_permitted;
	__u64 cap_inheritable;
	__u32 ngroups;        /* may exceed CA_GROUPS_MAX: only the first are kept */
	__u32 _pad0;
	__u32 groups[CA_GROUPS_MAX];
};

struct ca_cred_change {
	struct ca_creds old;
	struct ca_creds new;
};

/*
 * Kinds of table-driven syscalls. The kind decides the event name and
 * category in user space and the special handling in BPF.
 */
enum ca_sc_kind {
	CA_SC_NONE = 0,       /* not captured */
	CA_SC_EXEC = 1,       /* execve, execveat: failures only at exit */
	CA_SC_OPEN = 2,       /* open, openat, openat2, creat */
	CA_SC_FILE = 3,       /* other file operations */
	CA_SC_NET = 4,        /* connect, accept, bind, listen, UDP sends */
	CA_SC_CRED = 5,       /* set*id, setgroups, capset: old and new credentials */
	CA_SC_SYS = 6,        /* system and process-control operations */
	CA_SC_KILL = 7,       /* kill family: denied attempts here, others CA_EV_SIGNAL */
};

/* struct ca_sc_desc.flags */
enum ca_sc_flags {
	CA_SCF_RET_FD = 1 << 0,     /* ret is an fd: resolve its path */
	CA_SCF_OPEN_HOW = 1 << 1,   /* flags and mode in struct open_how at args[2] */
	CA_SCF_PATH_NULL_FD = 1 << 2, /* NULL path: dirfd is the file (utimensat) */
	CA_SCF_EMPTY_PATH_FD = 1 << 3, /* AT_EMPTY_PATH in flags: dirfd is the file */
	CA_SCF_CREAT_FLAGS = 1 << 4, /* creat: flags are O_CREAT|O_WRONLY|O_TRUNC */
};

/*
 * How to read one syscall's arguments: indexes into args[] or CA_ARG_NONE.
 * Array map sc_table, indexed by syscall number, filled from user space
 * (user/syscall_table.c is the single source). The policy issue plugs in
 * through `wanted` without reloading programs.
 */
struct ca_sc_desc {
	__u8 kind;        /* enum ca_sc_kind */
	__u8 wanted;      /* 0: drop at enter without a record */
	__u8 path_arg;
	__u8 dirfd_arg;
	__u8 path2_arg;
	__u8 dirfd2_arg;
	__u8 fd_arg;      /* fd whose path is the object (fchmod ...) */
	__u8 aux_arg;     /* user string for CA_S_AUX */
	__u8 flags_arg;   /* open flags or AT_* flags */
	__u8 mode_arg;
	__u16 flags;      /* enum ca_sc_flags */
	__u8 owner_arg;   /* uid argument; the gid is the next one */
	__u8 _pad0[3];
};

/* Values of the uid_filter and comm_filter maps */
enum ca_filter_verdict {
	CA_FILTER_INCLUDE = 1,
	CA_FILTER_EXCLUDE = 2,
};

/* Runtime settings, in the BPF .bss (changeable without reload). */
struct ca_runtime_cfg {
	__u32 agent_tgid;        /* never record the agent itself */
	__u32 capture_read_opens; /* 1: also record O_RDONLY opens */
	__u32 uid_include_active; /* 1: only uids marked CA_FILTER_INCLUDE */
	__u32 comm_include_active; /* 1: only comms marked CA_FILTER_INCLUDE */
	__u32 args_max;          /* argv bytes kept, <= CA_ARGS_MAX */
	__u32 udp_sends_per_sec; /* new-destination UDP send records per socket */
	__u64 wakeup_bytes;      /* wake the consumer at each multiple of this pending */
};

#define CA_ASSERT_SIZE(type, n) _Static_assert(sizeof(type) == (n), #type " size changed")
CA_ASSERT_SIZE(struct ca_origin, 40);
CA_ASSERT_SIZE(struct ca_task_info, 192);
CA_ASSERT_SIZE(struct ca_obj_info, 24);
CA_ASSERT_SIZE(struct ca_event, 352);
CA_ASSERT_SIZE(struct ca_net_info, 48);
CA_ASSERT_SIZE(struct ca_creds, 192);
CA_ASSERT_SIZE(struct ca_sc_desc, 16);
CA_ASSERT_SIZE(struct ca_runtime_cfg, 32);

#endif /* CAUDIT_EVENT_H */
