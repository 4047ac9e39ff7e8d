/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The syscall hooks a policy names (docs/policy.md, "In the kernel"). Each
 * syscall's enter/exit tracepoint programs, and the pair of raw sys_enter /
 * sys_exit programs for 32-bit calls, are attached only while the active
 * policy has an always rule that may select one of their calls. The programs
 * stay loaded (and pinned, so that the next daemon on the pins can attach
 * them too): changing the policy attaches or detaches links, it reloads no
 * program.
 */
#ifndef CAUDIT_HOOKSET_H
#define CAUDIT_HOOKSET_H

#include <stdint.h>

#include "loader.h"

#define HOOKSET_MAX 160 /* syscall pairs and the ia32 pair */
#define HOOKSET_IA32 (-1)

struct pins;

struct hook_pair {
	char prog[2][48];          /* enter and exit program names */
	char tp[2][48];            /* syscalls/<tp>; "" for the ia32 raw tracepoints */
	int nr;                    /* x86_64 syscall row, or HOOKSET_IA32 */
	int prog_fd[2];            /* owned */
	int link_fd[2];            /* -1: not attached */
	struct hook_status *status; /* "syscall:<name>" in the loader's list */
};

struct hookset {
	struct hook_pair pair[HOOKSET_MAX];
	unsigned n;
	struct pins *pins; /* NULL: links live as long as this daemon */
};

/*
 * Add a pair of loaded programs (fds duplicated), attached or not. With pins
 * the programs are pinned unless already pinned (reuse). links: the pinned
 * links of a daemon that attached them, -1 each when not attached. 0 or
 * negative errno.
 */
int hookset_add(struct hookset *s, int nr, const char *const prog[2], const char *const tp[2],
		const int prog_fd[2], const int link_fd[2], struct hook_status *status);

/*
 * Attach the pairs wanted and not attached (HOOKSET_ATTACH), or detach the
 * pairs attached and not wanted (HOOKSET_TRIM). want64[nr] for syscall row
 * nr; want_ia32 for the ia32 pair. Attach before the policy that needs the
 * hooks becomes active, trim after the one that needed them is gone. A pair
 * that fails to attach is reported missing in its status. Returns the number
 * of pairs changed.
 */
enum hookset_phase { HOOKSET_ATTACH, HOOKSET_TRIM };
int hookset_apply(struct hookset *s, const uint8_t *want64, unsigned nwant, int want_ia32,
		  enum hookset_phase phase);

/*
 * Close every fd. keep_links: the pinned links stay attached (a restart on
 * the pins); otherwise every link is detached.
 */
void hookset_close(struct hookset *s, int keep_links);

#endif
