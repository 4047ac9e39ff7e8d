/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The captured syscalls (include/caudit_syscalls.def) as a table for user
 * space: names, numbers, event names and the struct ca_sc_desc the BPF side
 * reads from the sc_table map. Pure module.
 */
#ifndef CAUDIT_SYSCALL_TABLE_H
#define CAUDIT_SYSCALL_TABLE_H

#include "caudit_event.h"

struct ca_syscall_info {
	const char *name;    /* "openat" */
	const char *event;   /* "file.open" */
	int nr;              /* x86_64 number */
	struct ca_sc_desc desc;
};

/* Number of rows and row i (0 <= i < count). */
unsigned syscall_table_count(void);
const struct ca_syscall_info *syscall_table_at(unsigned i);
/* The row of syscall nr, or NULL when caudit does not capture it. */
const struct ca_syscall_info *syscall_table_by_nr(unsigned nr);
/* The row named name, or NULL. */
const struct ca_syscall_info *syscall_table_by_name(const char *name);

/*
 * The 32-bit (ia32) numbers of captured syscalls (caudit_syscalls_ia32.def):
 * row i's 64-bit row, with its ia32 number in *nr32; NULL past the end or
 * when the name has no row (a table bug the unit tests catch).
 */
unsigned syscall_table_ia32_count(void);
const struct ca_syscall_info *syscall_table_ia32_at(unsigned i, unsigned *nr32);

/* x86_64 syscall name of nr for any syscall, or NULL when unknown. */
const char *syscall_name(unsigned nr);

#endif
