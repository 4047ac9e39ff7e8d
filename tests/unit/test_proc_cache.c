/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Unit tests for the process cache: set/get/replace/remove, fork copies
 * (deep: the child survives its parent), the entry limit, bucket collisions
 * and the life cycle. Built with ASan, so leaks and use-after-free fail.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proc_cache.h"

/* A string literal and its length, embedded NULs included. */
#define S(lit) lit, sizeof(lit) - 1

static void assert_bytes(const char *got, size_t glen, const char *want, size_t wlen)
{
	assert_non_null(got);
	assert_int_equal(glen, wlen);
	assert_memory_equal(got, want, wlen);
	assert_int_equal(got[glen], '\0'); /* copies are NUL-terminated */
}

static int setup(void **state)
{
	struct proc_cache *pc = calloc(1, sizeof(*pc));

	if (!pc || proc_cache_init(pc, 64))
		return -1;
	*state = pc;
	return 0;
}

static int teardown(void **state)
{
	struct proc_cache *pc = *state;

	proc_cache_free(pc);
	free(pc);
	return 0;
}

static void test_init_free(void **state)
{
	struct proc_cache pc;

	(void)state;
	assert_int_equal(proc_cache_init(&pc, 10), 0);
	assert_non_null(pc.buckets);
	assert_int_equal(pc.count, 0);
	assert_int_equal(pc.max, 10);
	assert_int_equal(pc.refused, 0);
	/* a power of two, at least 1024 */
	assert_true(pc.nbuckets >= 1024);
	assert_int_equal(pc.nbuckets & (pc.nbuckets - 1), 0);
	assert_null(proc_cache_get(&pc, 1));
	proc_cache_free(&pc);
	assert_null(pc.buckets);
	assert_int_equal(pc.count, 0);
	/* freeing again, and using a freed cache for lookups, is harmless */
	proc_cache_free(&pc);
	assert_null(proc_cache_get(&pc, 1));
	proc_cache_remove(&pc, 1);
	/* and it can be initialised again */
	assert_int_equal(proc_cache_init(&pc, 4096), 0);
	assert_true(pc.nbuckets >= 4096);
	assert_int_equal(pc.nbuckets & (pc.nbuckets - 1), 0);
	assert_int_equal(proc_cache_set(&pc, 7, 1, S("/x"), NULL, 0, 0, NULL, 0), 0);
	proc_cache_free(&pc);
	proc_cache_free(&pc);
}

/* A zeroed cache that was never initialised: free and get are safe. */
static void test_zeroed_cache(void **state)
{
	struct proc_cache pc;

	(void)state;
	memset(&pc, 0, sizeof(pc));
	proc_cache_free(&pc);
	assert_null(proc_cache_get(&pc, 0));
	proc_cache_remove(&pc, 0);
}

static void test_set_get(void **state)
{
	struct proc_cache *pc = *state;
	const struct proc_entry *e;

	assert_int_equal(proc_cache_set(pc, 100, 0xabcdef, S("/usr/bin/ls"), S("ls\0-l\0/tmp"), 0,
					 S("/home/u")),
			 0);
	assert_int_equal(pc->count, 1);
	e = proc_cache_get(pc, 100);
	assert_non_null(e);
	assert_int_equal(e->pid, 100);
	assert_int_equal(e->exec_id, 0xabcdef);
	assert_bytes(e->exe, e->exe_len, S("/usr/bin/ls"));
	assert_bytes(e->args, e->args_len, S("ls\0-l\0/tmp"));
	assert_int_equal(e->args_truncated, 0);
	assert_bytes(e->cwd, e->cwd_len, S("/home/u"));
	assert_null(proc_cache_get(pc, 101));
	assert_null(proc_cache_get(pc, 0));
	assert_null(proc_cache_get(pc, UINT32_MAX));
}

static void test_set_copies(void **state)
{
	struct proc_cache *pc = *state;
	const struct proc_entry *e;
	char exe[] = "/bin/sh", args[] = "sh\0-c", cwd[] = "/";

	assert_int_equal(proc_cache_set(pc, 5, 1, exe, 7, args, 5, 1, cwd, 1), 0);
	memset(exe, 'X', sizeof(exe));
	memset(args, 'X', sizeof(args));
	memset(cwd, 'X', sizeof(cwd));
	e = proc_cache_get(pc, 5);
	assert_non_null(e);
	assert_ptr_not_equal(e->exe, exe);
	assert_bytes(e->exe, e->exe_len, S("/bin/sh"));
	assert_bytes(e->args, e->args_len, S("sh\0-c"));
	assert_bytes(e->cwd, e->cwd_len, S("/"));
	assert_int_equal(e->args_truncated, 1);
}

static void test_null_and_empty_strings(void **state)
{
	struct proc_cache *pc = *state;
	const struct proc_entry *e;

	assert_int_equal(proc_cache_set(pc, 9, 0, NULL, 0, NULL, 0, 0, NULL, 0), 0);
	e = proc_cache_get(pc, 9);
	assert_non_null(e);
	assert_null(e->exe);
	assert_int_equal(e->exe_len, 0);
	assert_null(e->args);
	assert_null(e->cwd);
	/* present but empty is kept apart from absent */
	assert_int_equal(proc_cache_set(pc, 10, 0, "", 0, NULL, 0, 0, "", 0), 0);
	e = proc_cache_get(pc, 10);
	assert_non_null(e);
	assert_bytes(e->exe, e->exe_len, "", 0);
	assert_null(e->args);
	assert_bytes(e->cwd, e->cwd_len, "", 0);
	/* bytes after an embedded NUL are kept too */
	assert_int_equal(proc_cache_set(pc, 11, 0, S("a\0b"), NULL, 0, 0, NULL, 0), 0);
	e = proc_cache_get(pc, 11);
	assert_bytes(e->exe, e->exe_len, S("a\0b"));
}

static void test_replace(void **state)
{
	struct proc_cache *pc = *state;
	const struct proc_entry *e;

	assert_int_equal(proc_cache_set(pc, 200, 1, S("/bin/bash"), S("bash"), 0, S("/")), 0);
	assert_int_equal(proc_cache_set(pc, 200, 2, S("/usr/bin/python3"), S("python3\0x.py"), 1,
					 NULL, 0),
			 0);
	assert_int_equal(pc->count, 1);
	e = proc_cache_get(pc, 200);
	assert_non_null(e);
	assert_int_equal(e->exec_id, 2);
	assert_bytes(e->exe, e->exe_len, S("/usr/bin/python3"));
	assert_bytes(e->args, e->args_len, S("python3\0x.py"));
	assert_int_equal(e->args_truncated, 1);
	assert_null(e->cwd);
	assert_int_equal(e->cwd_len, 0);
	/* replacing many times keeps one entry and leaks nothing */
	for (int i = 0; i < 100; i++)
		assert_int_equal(proc_cache_set(pc, 200, (uint64_t)i, S("/x"), S("x"), 0, S("/")),
				 0);
	assert_int_equal(pc->count, 1);
	assert_int_equal(proc_cache_get(pc, 200)->exec_id, 99);
}

/* An entry may be set from strings that the cache itself owns. */
static void test_replace_from_own_strings(void **state)
{
	struct proc_cache *pc = *state;
	const struct proc_entry *e;

	assert_int_equal(proc_cache_set(pc, 300, 1, S("/bin/true"), S("true\0x"), 0, S("/srv")),
			 0);
	e = proc_cache_get(pc, 300);
	assert_int_equal(proc_cache_set(pc, 300, 2, e->exe, e->exe_len, e->args, e->args_len, 1,
					 e->cwd, e->cwd_len),
			 0);
	e = proc_cache_get(pc, 300);
	assert_int_equal(e->exec_id, 2);
	assert_bytes(e->exe, e->exe_len, S("/bin/true"));
	assert_bytes(e->args, e->args_len, S("true\0x"));
	assert_bytes(e->cwd, e->cwd_len, S("/srv"));
	/* a process "forking itself" is the same thing */
	assert_int_equal(proc_cache_fork(pc, 300, 300, 3), 0);
	e = proc_cache_get(pc, 300);
	assert_int_equal(e->exec_id, 3);
	assert_bytes(e->exe, e->exe_len, S("/bin/true"));
	assert_int_equal(pc->count, 1);
}

static void test_remove(void **state)
{
	struct proc_cache *pc = *state;

	assert_int_equal(proc_cache_set(pc, 1, 1, S("/a"), NULL, 0, 0, NULL, 0), 0);
	assert_int_equal(proc_cache_set(pc, 2, 2, S("/b"), NULL, 0, 0, NULL, 0), 0);
	assert_int_equal(pc->count, 2);
	proc_cache_remove(pc, 1);
	assert_int_equal(pc->count, 1);
	assert_null(proc_cache_get(pc, 1));
	assert_non_null(proc_cache_get(pc, 2));
	/* unknown and already removed pids: no-op */
	proc_cache_remove(pc, 1);
	proc_cache_remove(pc, 12345);
	proc_cache_remove(pc, 0);
	proc_cache_remove(pc, UINT32_MAX);
	assert_int_equal(pc->count, 1);
	assert_bytes(proc_cache_get(pc, 2)->exe, proc_cache_get(pc, 2)->exe_len, S("/b"));
	proc_cache_remove(pc, 2);
	assert_int_equal(pc->count, 0);
	/* removed pids can come back */
	assert_int_equal(proc_cache_set(pc, 1, 9, S("/c"), NULL, 0, 0, NULL, 0), 0);
	assert_int_equal(proc_cache_get(pc, 1)->exec_id, 9);
	assert_int_equal(pc->count, 1);
}

static void test_fork_deep_copy(void **state)
{
	struct proc_cache *pc = *state;
	const struct proc_entry *p, *c;

	assert_int_equal(proc_cache_set(pc, 10, 111, S("/usr/sbin/sshd"), S("sshd\0-D"), 1,
					 S("/var/empty")),
			 0);
	assert_int_equal(proc_cache_fork(pc, 10, 11, 222), 0);
	assert_int_equal(pc->count, 2);
	p = proc_cache_get(pc, 10);
	c = proc_cache_get(pc, 11);
	assert_non_null(p);
	assert_non_null(c);
	assert_int_equal(c->pid, 11);
	assert_int_equal(c->exec_id, 222);
	assert_int_equal(p->exec_id, 111);
	/* own copies, not shared pointers */
	assert_ptr_not_equal(c->exe, p->exe);
	assert_ptr_not_equal(c->args, p->args);
	assert_ptr_not_equal(c->cwd, p->cwd);
	/* the child outlives its parent */
	proc_cache_remove(pc, 10);
	assert_null(proc_cache_get(pc, 10));
	c = proc_cache_get(pc, 11);
	assert_non_null(c);
	assert_bytes(c->exe, c->exe_len, S("/usr/sbin/sshd"));
	assert_bytes(c->args, c->args_len, S("sshd\0-D"));
	assert_int_equal(c->args_truncated, 1);
	assert_bytes(c->cwd, c->cwd_len, S("/var/empty"));
	/* and the child's later exec leaves nothing of the parent's behind */
	assert_int_equal(proc_cache_set(pc, 11, 333, S("/bin/sh"), NULL, 0, 0, NULL, 0), 0);
	c = proc_cache_get(pc, 11);
	assert_bytes(c->exe, c->exe_len, S("/bin/sh"));
	assert_null(c->args);
}

static void test_fork_absent_fields(void **state)
{
	struct proc_cache *pc = *state;
	const struct proc_entry *c;

	assert_int_equal(proc_cache_set(pc, 20, 1, S("/bin/x"), NULL, 0, 0, NULL, 0), 0);
	assert_int_equal(proc_cache_fork(pc, 20, 21, 2), 0);
	c = proc_cache_get(pc, 21);
	assert_non_null(c);
	assert_bytes(c->exe, c->exe_len, S("/bin/x"));
	assert_null(c->args);
	assert_null(c->cwd);
}

static void test_fork_unknown_parent(void **state)
{
	struct proc_cache *pc = *state;

	assert_int_equal(proc_cache_fork(pc, 999, 1000, 1), 0);
	assert_null(proc_cache_get(pc, 1000));
	assert_int_equal(pc->count, 0);
	/* a known child is left as it was */
	assert_int_equal(proc_cache_set(pc, 1000, 5, S("/y"), NULL, 0, 0, NULL, 0), 0);
	assert_int_equal(proc_cache_fork(pc, 999, 1000, 6), 0);
	assert_int_equal(proc_cache_get(pc, 1000)->exec_id, 5);
}

static void test_fork_replaces_child(void **state)
{
	struct proc_cache *pc = *state;
	const struct proc_entry *c;

	assert_int_equal(proc_cache_set(pc, 30, 1, S("/parent"), NULL, 0, 0, NULL, 0), 0);
	assert_int_equal(proc_cache_set(pc, 31, 2, S("/stale"), S("old"), 0, S("/old")), 0);
	assert_int_equal(proc_cache_fork(pc, 30, 31, 3), 0);
	assert_int_equal(pc->count, 2);
	c = proc_cache_get(pc, 31);
	assert_bytes(c->exe, c->exe_len, S("/parent"));
	assert_null(c->args);
	assert_null(c->cwd);
}

static void test_max_entries(void **state)
{
	struct proc_cache pc;
	const struct proc_entry *e;

	(void)state;
	assert_int_equal(proc_cache_init(&pc, 3), 0);
	for (uint32_t pid = 1; pid <= 3; pid++)
		assert_int_equal(proc_cache_set(&pc, pid, pid, S("/a"), NULL, 0, 0, NULL, 0), 0);
	assert_int_equal(pc.count, 3);
	assert_int_equal(proc_cache_set(&pc, 4, 4, S("/b"), NULL, 0, 0, NULL, 0), -ENOSPC);
	assert_int_equal(pc.refused, 1);
	assert_null(proc_cache_get(&pc, 4));
	/* fork into a full cache: refused too */
	assert_int_equal(proc_cache_fork(&pc, 1, 5, 5), -ENOSPC);
	assert_int_equal(pc.refused, 2);
	assert_null(proc_cache_get(&pc, 5));
	assert_int_equal(pc.count, 3);
	/* replacing a known pid is still allowed when full */
	assert_int_equal(proc_cache_set(&pc, 2, 22, S("/new"), NULL, 0, 0, NULL, 0), 0);
	e = proc_cache_get(&pc, 2);
	assert_bytes(e->exe, e->exe_len, S("/new"));
	assert_int_equal(pc.refused, 2);
	assert_int_equal(proc_cache_fork(&pc, 1, 3, 33), 0);
	assert_int_equal(proc_cache_get(&pc, 3)->exec_id, 33);
	/* room again after a remove */
	proc_cache_remove(&pc, 1);
	assert_int_equal(proc_cache_set(&pc, 4, 4, S("/b"), NULL, 0, 0, NULL, 0), 0);
	assert_int_equal(pc.count, 3);
	assert_int_equal(pc.refused, 2);
	proc_cache_free(&pc);

	/* max 0: nothing is ever stored */
	assert_int_equal(proc_cache_init(&pc, 0), 0);
	assert_int_equal(proc_cache_set(&pc, 1, 1, NULL, 0, NULL, 0, 0, NULL, 0), -ENOSPC);
	assert_int_equal(pc.refused, 1);
	assert_int_equal(pc.count, 0);
	proc_cache_free(&pc);
}

/*
 * pids that differ by multiples of nbuckets land in one bucket (the hash is
 * a multiply modulo a power of two that divides 2^32). Insert, look up and
 * remove them in orders that hit the head, the middle and the tail of one
 * chain.
 */
static void test_bucket_collisions(void **state)
{
	struct proc_cache pc;
	const uint32_t base = 77;
	const unsigned n = 40;
	size_t nb;
	char exe[32];

	(void)state;
	assert_int_equal(proc_cache_init(&pc, 1000), 0);
	nb = pc.nbuckets;
	for (unsigned i = 0; i < n; i++) {
		uint32_t pid = base + (uint32_t)(i * nb);
		int len = snprintf(exe, sizeof(exe), "/bin/p%u", i);

		assert_int_equal(proc_cache_set(&pc, pid, i, exe, (size_t)len, NULL, 0, 0, NULL, 0),
				 0);
	}
	assert_int_equal(pc.count, n);
	/* all in one chain */
	{
		unsigned used = 0, chain = 0;

		for (size_t b = 0; b < pc.nbuckets; b++) {
			unsigned k = 0;

			for (const struct proc_entry *e = pc.buckets[b]; e; e = e->next)
				k++;
			if (k) {
				used++;
				chain = k;
			}
		}
		assert_int_equal(used, 1);
		assert_int_equal(chain, n);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct proc_entry *e = proc_cache_get(&pc, base + (uint32_t)(i * nb));
		int len = snprintf(exe, sizeof(exe), "/bin/p%u", i);

		assert_non_null(e);
		assert_int_equal(e->exec_id, i);
		assert_bytes(e->exe, e->exe_len, exe, (size_t)len);
	}
	/* a colliding pid that is not there */
	assert_null(proc_cache_get(&pc, base + (uint32_t)(n * nb)));
	proc_cache_remove(&pc, base + (uint32_t)(n * nb));
	assert_int_equal(pc.count, n);
	/* replace one in the middle of the chain: the chain stays intact */
	assert_int_equal(proc_cache_set(&pc, base + (uint32_t)(20 * nb), 1000, S("/mid"), NULL, 0,
					 0, NULL, 0),
			 0);
	assert_int_equal(pc.count, n);
	/* remove the odd ones (head, middle, tail positions), then check the rest */
	for (unsigned i = 1; i < n; i += 2)
		proc_cache_remove(&pc, base + (uint32_t)(i * nb));
	assert_int_equal(pc.count, n / 2);
	for (unsigned i = 0; i < n; i++) {
		const struct proc_entry *e = proc_cache_get(&pc, base + (uint32_t)(i * nb));

		if (i % 2) {
			assert_null(e);
		} else {
			assert_non_null(e);
			assert_int_equal(e->exec_id, i == 20 ? 1000 : i);
		}
	}
	/* remove the rest from the tail end first */
	for (int i = (int)n - 2; i >= 0; i -= 2)
		proc_cache_remove(&pc, base + (uint32_t)((unsigned)i * nb));
	assert_int_equal(pc.count, 0);
	for (size_t b = 0; b < pc.nbuckets; b++)
		assert_null(pc.buckets[b]);
	proc_cache_free(&pc);
}

/* Many pids, random operations, checked against a plain array model. */
static void test_random_model(void **state)
{
	enum { PIDS = 3000, OPS = 60000 };
	struct proc_cache pc;
	uint64_t *model = calloc(PIDS, sizeof(*model)); /* exec_id + 1, 0 = absent */
	unsigned seed = 4242;
	size_t count = 0;

	(void)state;
	assert_non_null(model);
	assert_int_equal(proc_cache_init(&pc, 2000), 0);
	for (int op = 0; op < OPS; op++) {
		uint32_t pid = (uint32_t)(rand_r(&seed) % PIDS);
		uint64_t id = (uint64_t)rand_r(&seed);
		char exe[32];
		int len = snprintf(exe, sizeof(exe), "/e/%llu", (unsigned long long)id);
		int r;

		switch (rand_r(&seed) % 4) {
		case 0:
		case 1:
			r = proc_cache_set(&pc, pid, id, exe, (size_t)len, exe, (size_t)len, 0,
					   NULL, 0);
			if (!model[pid] && count >= 2000) {
				assert_int_equal(r, -ENOSPC);
			} else {
				assert_int_equal(r, 0);
				count += !model[pid];
				model[pid] = id + 1;
			}
			break;
		case 2:
			count -= !!model[pid];
			model[pid] = 0;
			proc_cache_remove(&pc, pid);
			break;
		default: {
			uint32_t child = (uint32_t)(rand_r(&seed) % PIDS);

			r = proc_cache_fork(&pc, pid, child, id);
			if (!model[pid] || (!model[child] && count >= 2000)) {
				assert_int_equal(r, model[pid] ? -ENOSPC : 0);
			} else {
				assert_int_equal(r, 0);
				count += !model[child];
				model[child] = id + 1;
			}
			break;
		}
		}
		assert_int_equal(pc.count, count);
	}
	for (uint32_t pid = 0; pid < PIDS; pid++) {
		const struct proc_entry *e = proc_cache_get(&pc, pid);

		if (!model[pid]) {
			assert_null(e);
			continue;
		}
		assert_non_null(e);
		assert_int_equal(e->exec_id + 1, model[pid]);
		assert_int_equal(e->pid, pid);
	}
	proc_cache_free(&pc);
	free(model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_free),
		cmocka_unit_test(test_zeroed_cache),
		cmocka_unit_test_setup_teardown(test_set_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_and_empty_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_from_own_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_deep_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_absent_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_unknown_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_replaces_child, setup, teardown),
		cmocka_unit_test(test_max_entries),
		cmocka_unit_test(test_bucket_collisions),
		cmocka_unit_test(test_random_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
