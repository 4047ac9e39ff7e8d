/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The audit policy as the kernel sees it (docs/policy.md, "In the kernel"):
 * the compiled rules (user/common/rules.h) reduced to what BPF can test,
 * written by user space into two slots of array maps; one map write flips
 * the active slot, so a new policy takes effect at once and nothing is
 * evaluated against half of one.
 *
 * Every predicate is tri-state in the kernel: true, false, or unknown (a
 * fact the kernel does not have at that point: the result at syscall entry,
 * a path string, an address). A rule with an unknown predicate is only a
 * candidate: the record is produced and the agent decides exactly in user
 * space. A never rule suppresses in the kernel only when it matches for sure.
 */
#ifndef CAUDIT_POLICY_H
#define CAUDIT_POLICY_H

#ifndef __BPF__
#include <linux/types.h>
#endif

#define CA_POL_SLOTS 2
#define CA_POL_RULES 256                /* rules the kernel evaluates per policy */
#define CA_POL_WORDS (CA_POL_RULES / 64)
#define CA_POL_PREDS 16                 /* predicates per rule in the kernel */
#define CA_POL_NR (CA_SYSCALL_MAX + 1)  /* syscall numbers, and CA_SYSCALL_MAX: no syscall */
#define CA_POL_ABIS 2                   /* 0 b64, 1 b32 (enum rules_abi) */
#define CA_POL_DIRS 32                  /* directories of a record's paths the kernel hashes */
#define CA_POL_LEAF_MAX 64              /* longest last name the kernel hashes for CA_PF_LEAF */

/*
 * FNV-1a, 32 bits: the kernel compares a path with path= and dir= values by
 * this hash. Equal hashes are only "maybe equal" (user space compares the
 * strings); different hashes prove the strings differ.
 */
#define CA_FNV_OFFSET 2166136261u
#define CA_FNV_PRIME 16777619u

/*
 * The opens whose access mode decides perm r and w (x86_64 numbers: open,
 * openat, openat2, open_by_handle_at), for the kernel and user space alike.
 */
static inline int ca_pol_is_open(unsigned int nr)
{
	return nr == 2 || nr == 257 || nr == 437 || nr == 304;
}

/* Facts the kernel can test; the index into struct ca_pol_facts.v. */
enum ca_pol_field {
	CA_PF_PID = 0,
	CA_PF_PPID,
	CA_PF_UID,
	CA_PF_EUID,
	CA_PF_SUID,
	CA_PF_FSUID,
	CA_PF_GID,
	CA_PF_EGID,
	CA_PF_SGID,
	CA_PF_FSGID,
	CA_PF_AUID,
	CA_PF_SESSIONID,
	CA_PF_LOGINUID_SET,
	CA_PF_A0,
	CA_PF_A1,
	CA_PF_A2,
	CA_PF_A3,
	CA_PF_SUCCESS,
	CA_PF_EXIT,
	CA_PF_PERM,     /* open family: the access mode (4 read, 2 write); others: always true */
	CA_PF_OBJ_UID,
	CA_PF_OBJ_GID,
	CA_PF_INODE,    /* low 32 bits, as the kernel's audit compares */
	CA_PF_DEVMAJOR,
	CA_PF_DEVMINOR,
	CA_PF_FILETYPE, /* mode & S_IFMT */
	CA_PF_LEAF,     /* FNV-1a of the path's last name: known where the kernel has the file */
	CA_PF_PATH,     /* num: hash of the path (either path of the operation); a match is unknown */
	CA_PF_DIR,      /* num: hash of the directory (the path or a parent); a match is unknown */
	CA_PF_UNKNOWN,  /* never known in the kernel: user space decides */
	CA_PF__COUNT,
};

/* Operators: enum rules_op's numbers. */
#define CA_POP_EQ 1
#define CA_POP_NE 2
#define CA_POP_LT 3
#define CA_POP_GT 4
#define CA_POP_LE 5
#define CA_POP_GE 6
#define CA_POP_MASK 7
#define CA_POP_TEST 8

#define CA_PPF_SIGNED 1 /* compare as signed 32-bit (exit) */
#define CA_PPF_FIELD 2  /* -C: num is the other field (enum ca_pol_field), compared with = or != */

struct ca_pol_pred {
	__u8 field; /* enum ca_pol_field */
	__u8 op;
	__u8 flags; /* CA_PPF_* */
	__u8 _pad0;
	__u32 num;
};

#define CA_PRF_ALWAYS 1  /* always (else never) */
#define CA_PRF_PARTIAL 2 /* more predicates than CA_POL_PREDS: the rest are unknown */

struct ca_pol_rule {
	__u8 flags;  /* CA_PRF_* */
	__u8 npred;
	__u16 _pad0;
	__u32 index; /* the rule's index in the compiled policy (rules_at) */
	struct ca_pol_pred pred[CA_POL_PREDS];
};

#define CA_PSF_OVERFLOW 1 /* more rules name this syscall than the kernel holds: record */

/* Per slot, ABI and syscall: the kernel rules that may apply, in order. */
struct ca_pol_sc {
	__u64 bits[CA_POL_WORDS];
	__u64 rbits[CA_POL_WORDS]; /* open family opened read-only: rules whose perm has r */
	__u32 flags; /* CA_PSF_* */
	__u32 facts; /* bit per enum ca_pol_field the candidates test: only those are read */
};

/* The active policy: one 8-byte value, written and read whole. */
struct ca_pol_active {
	__u32 gen;  /* 0: no policy loaded, record what the capture filters pass */
	__u32 slot;
};

/*
 * A policy loaded with -e 2: immutable until reboot. Kept in a map so that
 * it is pinned with the programs and outlives a daemon restart (bpffs is
 * emptied at reboot); the BPF side never reads it.
 */
struct ca_pol_lock {
	__u32 locked;
	__u32 gen;
	char hash[65]; /* the locked policy's hash, hex */
	__u8 _pad0[7];
};

/*
 * Where the kernel dropped a syscall the policy evaluated (per-CPU counters,
 * map pol_dropped; caudit status: policy.dropped_in_kernel). A syscall that
 * no rule names is not counted: it returns before any evaluation.
 */
enum ca_pol_stage {
	CA_PST_ENTRY = 0,  /* at syscall entry, on the arguments and the task */
	CA_PST_EXIT = 1,   /* at exit: with the result (and an opened file's name) */
	CA_PST_RECORD = 2, /* after the file record was built: on its paths and object */
	CA_PST__COUNT = 3,
};

/* ca_event.policy_rule */
#define CA_POL_RULE_MASK 0x00ffffffu
#define CA_POL_DECIDED (1u << 31) /* the kernel decided: the rule in the low bits selected it */
#define CA_POL_NONE (1u << 30)    /* not subject to the policy (snapshot, agent records) */

#endif
