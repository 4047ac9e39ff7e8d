/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What user space remembers of each live process: executable, argv and
 * working directory at its last exec, so that every event can name the
 * program behind it. Pure module (no I/O); bounded in entries and bytes.
 */
#ifndef CAUDIT_PROC_CACHE_H
#define CAUDIT_PROC_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct proc_entry {
	uint32_t pid;
	uint64_t exec_id;
	char *exe;
	size_t exe_len;
	char *args;        /* NUL separated */
	size_t args_len;
	int args_truncated;
	char *cwd;
	size_t cwd_len;
	struct proc_entry *next;
};

struct proc_cache {
	struct proc_entry **buckets;
	size_t nbuckets;   /* power of two */
	size_t count;
	size_t max;
	uint64_t refused;  /* inserts refused because the cache was full */
};

/* Empty cache holding at most max processes. Returns 0 or -ENOMEM. */
int proc_cache_init(struct proc_cache *pc, size_t max);
void proc_cache_free(struct proc_cache *pc);

/*
 * Record that pid now runs this image (replacing what was known). Strings are
 * copied; any may be NULL. Returns 0, -ENOSPC when full, -ENOMEM.
 */
int proc_cache_set(struct proc_cache *pc, uint32_t pid, uint64_t exec_id, const char *exe,
		   size_t exe_len, const char *args, size_t args_len, int args_truncated,
		   const char *cwd, size_t cwd_len);

/* A forked child runs its parent's image until it execs. */
int proc_cache_fork(struct proc_cache *pc, uint32_t parent, uint32_t child, uint64_t exec_id);

/* The entry of pid, or NULL. */
const struct proc_entry *proc_cache_get(const struct proc_cache *pc, uint32_t pid);

void proc_cache_remove(struct proc_cache *pc, uint32_t pid);

#endif
