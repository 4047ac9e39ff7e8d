/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Exact evaluation of a compiled policy (rules.h) on one operation, in user
 * space: what the agent runs on a record when the kernel could not decide
 * every predicate itself (strings, CIDRs, facts it lacked). Pure module: no
 * I/O, no allocation; the semantics are docs/policy.md "Semantics".
 *
 *   struct rules_facts f;
 *   char buf[RULES_FACTS_PATHBUF];
 *   unsigned rule;
 *
 *   rules_facts_from_event(&decoded, buf, sizeof(buf), &f);
 *   f.exe = ...;                      optional: from the process cache
 *   if (rules_match(policy, &f, &rule))  ... record, keys of rules_at(policy, rule)
 */
#ifndef CAUDIT_RULES_MATCH_H
#define CAUDIT_RULES_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "event_decode.h"
#include "rules.h"

/*
 * State of a fact group (the have_* members). UNKNOWN: the operation has it
 * but the record does not say (read fault, cut path, a field the kernel side
 * did not fill); ABSENT: the operation has none (no file object, no socket
 * address, no result yet for a process exit) and every predicate on it is
 * false, as in the kernel. 0 is UNKNOWN so that a zeroed struct claims nothing.
 */
enum rules_fact_state {
	RULES_FACT_UNKNOWN = 0,
	RULES_FACT_KNOWN = 1,
	RULES_FACT_ABSENT = 2,
};

/* Integer facts without a have_* member (saddr_fam, lport, rport). */
#define RULES_NUM_UNKNOWN (-1)
#define RULES_NUM_ABSENT (-2)

/* Enough for rules_facts_from_event's paths and exe (two resolved paths and an exe). */
#define RULES_FACTS_PATHBUF (5 * CA_PATH_MAX)

/* Facts about one operation; a fact whose have_* is RULES_FACT_UNKNOWN (0) is unknown. */
struct rules_facts {
	unsigned abi; /* enum rules_abi */
	/*
	 * Syscall number in the x86_64 numbering (32-bit calls too: the
	 * record's row), CA_SYSCALL_MAX when the record is no syscall (only
	 * rules for every syscall apply then).
	 */
	unsigned nr;
	uint32_t pid, ppid, uid, euid, suid, fsuid, gid, egid, sgid, fsgid, auid, sessionid;
	int have_pers;
	uint32_t pers;
	int have_result;
	int64_t exit; /* success is exit >= 0, as caudit's "outcome" */
	int have_args;
	uint64_t a[4];
	/*
	 * The files the operation names, absolute and normalized. have_path[i]
	 * KNOWN with path[i] set, UNKNOWN when the record could not say, ABSENT
	 * when the operation has no such path.
	 */
	int have_path[2];
	const char *path[2];
	const char *exe; /* the process's executable; NULL unknown */
	int have_obj;
	uint32_t obj_uid, obj_gid, mode;
	uint64_t inode;
	uint32_t devmajor, devminor;
	int saddr_fam; /* >= 0, RULES_NUM_UNKNOWN or RULES_NUM_ABSENT */
	/* local/remote IP endpoint: families AF_INET or AF_INET6 (addresses in network order) */
	int have_laddr, have_raddr;
	uint8_t lfamily, rfamily;
	uint8_t laddr[16], raddr[16];
	int lport, rport; /* 0-65535, RULES_NUM_UNKNOWN or RULES_NUM_ABSENT */
	/* the session origin: ofamily AF_INET, AF_INET6, or 0 when the process has none */
	int have_origin;
	uint8_t ofamily;
	uint8_t oaddr[16];
	/* open family (open, openat, openat2, open_by_handle_at): flags for perm r/w */
	int have_open_flags;
	uint32_t open_flags;
};

/*
 * First-match evaluation of compiled policy p: the task list first (a
 * matching never,task rule suppresses, a matching always,task rule ends the
 * task list), then the exit list in order. Returns 1 and *rule = the index
 * (rules_at order) of the always exit rule that selects the operation; 0 when
 * none does (no rule matched, or a never rule did, or p is not compiled).
 */
int rules_match(const struct rules_policy *p, const struct rules_facts *f, unsigned *rule);

/*
 * Fill f from decoded record d. The strings the facts point to (paths made
 * absolute and normalized, exe) are written to buf (buf_len bytes;
 * RULES_FACTS_PATHBUF is always enough, a string that does not fit is
 * unknown): keep buf while f is used. exe is only known for exec records;
 * the caller may fill it from the process cache. Returns 0, or -EINVAL for a
 * record of unknown type or a syscall record of no captured syscall.
 */
int rules_facts_from_event(const struct ca_decoded *d, char *buf, size_t buf_len,
			   struct rules_facts *f);

#endif
