/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <stddef.h>
#include <string.h>

#include "syscall_table.h"

#define CA_SC(n, num, k, p, dfd, p2, dfd2, f, a, fl, m, own, scf, ev)                        \
	{ .name = #n, .event = ev, .nr = num,                                               \
	  .desc = { .kind = k, .wanted = 1, .path_arg = p, .dirfd_arg = dfd, .path2_arg = p2,  \
		    .dirfd2_arg = dfd2, .fd_arg = f, .aux_arg = a, .flags_arg = fl,           \
		    .mode_arg = m, .flags = scf, .owner_arg = own } },

static const struct ca_syscall_info table[] = {
#include "caudit_syscalls.def"
};

unsigned syscall_table_count(void)
{
	return sizeof(table) / sizeof(table[0]);
}

const struct ca_syscall_info *syscall_table_at(unsigned i)
{
	return i < syscall_table_count() ? &table[i] : NULL;
}

const struct ca_syscall_info *syscall_table_by_nr(unsigned nr)
{
	/* built on first use; the table is static data */
	static const struct ca_syscall_info *by_nr[CA_SYSCALL_MAX];
	static int ready;

	if (!ready) {
		for (unsigned i = 0; i < syscall_table_count(); i++)
			if (table[i].nr >= 0 && table[i].nr < CA_SYSCALL_MAX)
				by_nr[table[i].nr] = &table[i];
		ready = 1;
	}
	return nr < CA_SYSCALL_MAX ? by_nr[nr] : NULL;
}

const struct ca_syscall_info *syscall_table_by_name(const char *name)
{
	for (unsigned i = 0; i < syscall_table_count(); i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

struct ia32_row {
	unsigned nr32;
	const char *name;
};

static const struct ia32_row ia32_rows[] = {
#define CA_IA32(n, name) { n, #name },
#include "caudit_syscalls_ia32.def"
};

unsigned syscall_table_ia32_count(void)
{
	return sizeof(ia32_rows) / sizeof(ia32_rows[0]);
}

const struct ca_syscall_info *syscall_table_ia32_at(unsigned i, unsigned *nr32)
{
	if (i >= syscall_table_ia32_count())
		return NULL;
	*nr32 = ia32_rows[i].nr32;
	return syscall_table_by_name(ia32_rows[i].name);
}
