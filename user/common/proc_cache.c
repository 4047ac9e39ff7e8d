/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proc_cache.h"

static size_t bucket_of(const struct proc_cache *pc, uint32_t pid)
{
	return (pid * 2654435761u) & (pc->nbuckets - 1);
}

int proc_cache_init(struct proc_cache *pc, size_t max)
{
	size_t n = 1024;

	memset(pc, 0, sizeof(*pc));
	while (n < max && n < (1u << 22))
		n <<= 1;
	pc->buckets = calloc(n, sizeof(*pc->buckets));
	if (!pc->buckets)
		return -ENOMEM;
	pc->nbuckets = n;
	pc->max = max;
	return 0;
}

static void entry_free(struct proc_entry *e)
{
	if (!e)
		return;
	free(e->exe);
	free(e->args);
	free(e->cwd);
	free(e);
}

void proc_cache_free(struct proc_cache *pc)
{
	if (!pc->buckets)
		return;
	for (size_t i = 0; i < pc->nbuckets; i++) {
		struct proc_entry *e = pc->buckets[i];

		while (e) {
			struct proc_entry *n = e->next;

			entry_free(e);
			e = n;
		}
	}
	free(pc->buckets);
	memset(pc, 0, sizeof(*pc));
}

static struct proc_entry **slot_of(const struct proc_cache *pc, uint32_t pid)
{
	struct proc_entry **pe = &pc->buckets[bucket_of(pc, pid)];

	while (*pe && (*pe)->pid != pid)
		pe = &(*pe)->next;
	return pe;
}

const struct proc_entry *proc_cache_get(const struct proc_cache *pc, uint32_t pid)
{
	return pc->buckets ? *slot_of(pc, pid) : NULL;
}

void proc_cache_remove(struct proc_cache *pc, uint32_t pid)
{
	struct proc_entry **pe, *e;

	if (!pc->buckets)
		return; /* freed or never initialised, as in proc_cache_get() */
	pe = slot_of(pc, pid);
	e = *pe;
	if (!e)
		return;
	*pe = e->next;
	entry_free(e);
	pc->count--;
}

static int dup_bytes(char **dst, size_t *dlen, const char *src, size_t len)
{
	*dst = NULL;
	*dlen = 0;
	if (!src)
		return 0;
	*dst = malloc(len + 1);
	if (!*dst)
		return -ENOMEM;
	memcpy(*dst, src, len);
	(*dst)[len] = 0;
	*dlen = len;
	return 0;
}

int proc_cache_set(struct proc_cache *pc, uint32_t pid, uint64_t exec_id, const char *exe,
		   size_t exe_len, const char *args, size_t args_len, int args_truncated,
		   const char *cwd, size_t cwd_len)
{
	struct proc_entry **pe = slot_of(pc, pid);
	struct proc_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	if (!*pe && pc->count >= pc->max) {
		free(e);
		pc->refused++;
		return -ENOSPC;
	}
	e->pid = pid;
	e->exec_id = exec_id;
	e->args_truncated = args_truncated;
	if (dup_bytes(&e->exe, &e->exe_len, exe, exe_len) ||
	    dup_bytes(&e->args, &e->args_len, args, args_len) ||
	    dup_bytes(&e->cwd, &e->cwd_len, cwd, cwd_len)) {
		entry_free(e);
		return -ENOMEM;
	}
	if (*pe) {
		e->next = (*pe)->next;
		entry_free(*pe);
	} else {
		pc->count++;
	}
	*pe = e;
	return 0;
}

int proc_cache_fork(struct proc_cache *pc, uint32_t parent, uint32_t child, uint64_t exec_id)
{
	const struct proc_entry *p = proc_cache_get(pc, parent);

	if (!p)
		return 0;
	return proc_cache_set(pc, child, exec_id, p->exe, p->exe_len, p->args, p->args_len,
			      p->args_truncated, p->cwd, p->cwd_len);
}
