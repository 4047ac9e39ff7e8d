/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel's form of a policy (user/common/policy_kernel.c): which rules
 * become candidates of which syscall and ABI, in which order, with which
 * predicates the kernel tests and which it leaves to user space.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy_kernel.h"
#include "rules.h"

static int no_user(const char *name, uint32_t *id, void *ctx)
{
	(void)ctx;
	if (strcmp(name, "alice"))
		return -2;
	*id = 1000;
	return 0;
}

static int not_dir(const char *path, void *ctx)
{
	(void)ctx;
	return !strcmp(path, "/etc/ssh");
}

static const struct rules_env env = {no_user, no_user, not_dir, NULL};

static struct kpolicy *build(const char *text, struct rules_policy **pp)
{
	struct rules_policy *p = rules_new(&env);
	struct kpolicy *k = NULL;

	assert_non_null(p);
	rules_parse(p, "t.rules", text, strlen(text));
	assert_int_equal(rules_compile(p), 0);
	assert_int_equal(kpolicy_build(p, &k), 0);
	*pp = p;
	return k;
}

static int has(const __u64 *bits, unsigned i)
{
	return (bits[i / 64] >> (i % 64)) & 1;
}

static void test_order_and_rows(void **state)
{
	struct rules_policy *p;
	struct kpolicy *k = build("-a always,exit -F arch=b64 -S openat -F auid>=1000 -k a\n"
				  "-a never,task -F uid=1000\n"
				  "-a always,exit -F arch=b32 -S open -k b\n"
				  "-a never,exit -F arch=b64 -S mkdir -F uid=0\n",
				  &p);

	(void)state;
	assert_int_equal(k->nrules, 4);
	/* never,task first, whatever its place in the file */
	assert_int_equal(k->rules[0].index, 1);
	assert_int_equal(k->rules[0].flags & CA_PRF_ALWAYS, 0);
	assert_int_equal(k->rules[1].index, 0);
	assert_true(k->rules[1].flags & CA_PRF_ALWAYS);
	/* the task rule is a candidate of every syscall of both ABIs, and of "no syscall" */
	assert_true(has(k->sc[0][0].bits, 0) && has(k->sc[1][59].bits, 0));
	assert_true(has(k->sc[0][CA_SYSCALL_MAX].bits, 0));
	/* openat (257) in b64 only */
	assert_true(has(k->sc[0][257].bits, 1));
	assert_false(has(k->sc[1][257].bits, 1));
	/* i386 open (5) reaches the kernel as the x86_64 row open (2) */
	assert_true(has(k->sc[1][2].bits, 2));
	assert_false(has(k->sc[0][2].bits, 2));
	assert_true(has(k->sc[0][83].bits, 3)); /* mkdir */
	/* hooks: the calls an always rule may select, per ABI */
	assert_true(kpolicy_names_syscall(k, RULES_ABI_64, 257));
	assert_false(kpolicy_names_syscall(k, RULES_ABI_32, 257));
	assert_true(kpolicy_names_syscall(k, RULES_ABI_32, 2));
	assert_false(kpolicy_names_syscall(k, RULES_ABI_64, 2));
	/* the never rules are candidates of read (0) and mkdir (83), but never record them */
	assert_false(kpolicy_names_syscall(k, RULES_ABI_64, 0));
	assert_false(kpolicy_names_syscall(k, RULES_ABI_64, 83));
	assert_true(kpolicy_names_abi(k, RULES_ABI_32));
	kpolicy_free(k);
	rules_free(p);
}

static void test_predicates(void **state)
{
	struct rules_policy *p;
	struct kpolicy *k = build("-a always,exit -F arch=b64 -S openat -F exit=-EACCES "
				  "-F auid>=1000 -F auid!=unset -k access\n"
				  "-w /etc/passwd -p wa -k identity\n"
				  "-a always,exit -F arch=b64 -S connect -F raddr=10.0.0.0/8 -k net\n",
				  &p);
	const struct ca_pol_rule *r = &k->rules[0];

	(void)state;
	assert_int_equal(r->npred, 3);
	assert_int_equal(r->pred[0].field, CA_PF_EXIT);
	assert_int_equal(r->pred[0].op, CA_POP_EQ);
	assert_int_equal((int32_t)r->pred[0].num, -13);
	assert_true(r->pred[0].flags & CA_PPF_SIGNED);
	assert_int_equal(r->pred[1].field, CA_PF_AUID);
	assert_int_equal(r->pred[1].op, CA_POP_GE);
	assert_int_equal(r->pred[1].num, 1000);
	assert_int_equal(r->pred[2].field, CA_PF_AUID);
	assert_int_equal(r->pred[2].op, CA_POP_NE);
	assert_int_equal(r->pred[2].num, 0xffffffffu);
	/* the watch: the path by its hash (user space confirms a match), perm as a mask */
	r = &k->rules[1];
	assert_int_equal(r->npred, 3);
	assert_int_equal(r->pred[0].field, CA_PF_PATH);
	assert_int_equal(r->pred[0].num, kpolicy_path_hash("/etc/passwd"));
	assert_int_equal(kpolicy_path_hash("/etc/passwd"), 0x0bbdb997u); /* FNV-1a 32 */
	assert_int_equal(r->pred[1].field, CA_PF_PERM);
	assert_int_equal(r->pred[1].op, CA_POP_MASK);
	assert_int_equal(r->pred[1].num, 2 | 8);
	/* implied by the path, known at an open's exit: the last name */
	assert_int_equal(r->pred[2].field, CA_PF_LEAF);
	assert_int_equal(r->pred[2].op, CA_POP_EQ);
	assert_int_equal(r->pred[2].num, kpolicy_path_hash("passwd"));
	assert_true(k->sc[0][257].facts & (1u << CA_PF_LEAF));
	/* a write/attr watch is no candidate of a read-only open */
	assert_true(has(k->sc[0][257].bits, 1));
	assert_false(has(k->sc[0][257].rbits, 1));
	assert_true(has(k->sc[0][257].rbits, 0));
	/* but of chmod, whatever the mode */
	assert_true(has(k->sc[0][90].rbits, 1));
	/* a watch names its perm classes only: not clone or exit_group (lifecycle records) */
	assert_false(has(k->sc[0][56].bits, 1));
	assert_false(has(k->sc[0][231].bits, 1));
	assert_false(has(k->sc[1][56].bits, 1));
	/* and records of no known syscall, as user space's -S all set */
	assert_true(has(k->sc[0][CA_SYSCALL_MAX].bits, 1));
	assert_true(has(k->sc[1][CA_SYSCALL_MAX].bits, 1));
	assert_false(has(k->sc[0][CA_SYSCALL_MAX].bits, 0)); /* -S openat names openat only */
	assert_int_equal(k->rules[2].pred[0].field, CA_PF_UNKNOWN);
	assert_int_equal(k->partial, 2);
	kpolicy_free(k);
	rules_free(p);
}

/* -C between credentials goes to the kernel as a field comparison. */
static int has_leaf(const struct ca_pol_rule *r)
{
	for (unsigned i = 0; i < r->npred; i++)
		if (r->pred[i].field == CA_PF_LEAF)
			return 1;
	return 0;
}

/* The last-name predicate only where path= is an equality on a name it can hash. */
static void test_leaf_only_where_implied(void **state)
{
	char text[4096], name[CA_POL_LEAF_MAX + 2];
	struct rules_policy *p;
	struct kpolicy *k;
	int n;

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0; /* one byte longer than the kernel hashes */
	n = snprintf(text, sizeof(text),
		     "-a always,exit -F arch=b64 -S openat -F path=/etc/shadow -k a\n"
		     "-a always,exit -F arch=b64 -S openat -F dir=/etc/ssh -k b\n"
		     "-a always,exit -F arch=b64 -S openat -F path=/tmp/%s -k d\n"
		     "-a always,exit -F arch=b64 -S openat -F path=/tmp/%.*s -k e\n"
		     "-a always,exit -F arch=b64 -S openat -F path=/etc/shadow",
		     name, CA_POL_LEAF_MAX, name);
	/* a rule whose 16 predicates leave no room: no leaf, and no real one lost */
	for (int i = 0; i < CA_POL_PREDS - 1; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, " -F a0!=%d", i);
	snprintf(text + n, sizeof(text) - (size_t)n, " -k f\n");
	k = build(text, &p);
	assert_true(has_leaf(&k->rules[0]));
	assert_int_equal(k->rules[0].pred[k->rules[0].npred - 1].num, kpolicy_path_hash("shadow"));
	assert_false(has_leaf(&k->rules[1])); /* dir= is recursive: any name */
	assert_false(has_leaf(&k->rules[2]));
	assert_true(has_leaf(&k->rules[3]));
	assert_int_equal(k->rules[4].npred, CA_POL_PREDS);
	assert_false(has_leaf(&k->rules[4]));
	assert_false(k->rules[4].flags & CA_PRF_PARTIAL);
	kpolicy_free(k);
	rules_free(p);
}

static void test_field_compare(void **state)
{
	struct rules_policy *p;
	struct kpolicy *k = build("-a always,exit -F arch=b64 -S execve -C uid!=euid -F euid=0 "
				  "-k setuid\n",
				  &p);
	const struct ca_pol_rule *r = &k->rules[0];

	(void)state;
	assert_int_equal(r->npred, 2);
	assert_int_equal(r->pred[0].field, CA_PF_UID);
	assert_true(r->pred[0].flags & CA_PPF_FIELD);
	assert_int_equal(r->pred[0].op, CA_POP_NE);
	assert_int_equal(r->pred[0].num, CA_PF_EUID);
	assert_int_equal(r->pred[1].field, CA_PF_EUID);
	assert_int_equal(k->partial, 0);
	kpolicy_free(k);
	rules_free(p);
}

/* More rules than the kernel holds: the rest is decided in user space. */
static void test_overflow(void **state)
{
	struct rules_policy *p;
	size_t cap = (CA_POL_RULES + 10) * 64, n = 0;
	char *text = malloc(cap);
	struct kpolicy *k;

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < CA_POL_RULES + 10; i++)
		n += (size_t)snprintf(text + n, cap - n,
				      "-a always,exit -F arch=b64 -S %s -F uid=%d\n",
				      i < CA_POL_RULES ? "mkdir" : "rmdir", i);
	k = build(text, &p);
	assert_int_equal(k->nrules, CA_POL_RULES);
	assert_int_equal(k->overflow, 10);
	assert_false(k->sc[0][83].flags & CA_PSF_OVERFLOW);
	assert_true(k->sc[0][84].flags & CA_PSF_OVERFLOW);
	kpolicy_free(k);
	rules_free(p);
	free(text);
}

/* Inert rules (a never rule with a field caudit cannot honour) are left out. */
static void test_inert_left_out(void **state)
{
	struct rules_policy *p;
	struct kpolicy *k = build("-a never,exit -F arch=b64 -S adjtimex -F subj_type=chronyd_t\n"
				  "-a always,exit -F arch=b64 -S adjtimex -k time\n",
				  &p);

	(void)state;
	assert_int_equal(k->nrules, 1);
	assert_int_equal(k->rules[0].index, 1);
	kpolicy_free(k);
	rules_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_rows),
		cmocka_unit_test(test_predicates),
		cmocka_unit_test(test_leaf_only_where_implied),
		cmocka_unit_test(test_field_compare),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_inert_left_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
