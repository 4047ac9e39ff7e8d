/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The compiled rule table (user/common/rules_*.c): what each construct of
 * audit.rules(7) becomes — lists, order, ABIs and syscall bitmaps, typed
 * predicates, keys, watches and perm classes, deletions — plus the
 * canonical form, the policy hash and the per-syscall index.
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

#include "rules.h"
#include "rules_fixture.h"

static int stub_user(const char *name, uint32_t *id, void *ctx)
{
	if (!strcmp(name, "root"))
		*id = 0;
	else if (!strcmp(name, "alice"))
		*id = 1000;
	else
		return -ENOENT;
	return 0;
}

static int stub_group(const char *name, uint32_t *id, void *ctx)
{
	if (!strcmp(name, "wheel"))
		*id = 10;
	else
		return -ENOENT;
	return 0;
}

static int stub_is_dir(const char *path, void *ctx)
{
	return !strcmp(path, "/etc/sudoers.d");
}

static const struct rules_env env = {stub_user, stub_group, stub_is_dir, NULL};

static struct rules_policy *compile_ok(const char *text)
{
	return rules_fixture_compile(&env, text);
}

static int sc(const struct rules_rule *r, int abi, unsigned nr)
{
	return (r->sc[abi][nr / 64] >> (nr % 64)) & 1;
}

static unsigned sc_count(const struct rules_rule *r, int abi)
{
	unsigned n = 0;

	for (unsigned w = 0; w < RULES_SC_WORDS; w++)
		n += (unsigned)__builtin_popcountll(r->sc[abi][w]);
	return n;
}

static void test_action_list_and_order(void **state)
{
	struct rules_policy *p = compile_ok("# comment\n\n"
					    "-a always,exit -F arch=b64 -S openat -k first\n"
					    "-a exit,never -F arch=b64 -S openat\n"
					    "-A always,exit -F arch=b64 -S unlink -k prepended\n"
					    "-a never,task\n"
					    "-A never,exit -F arch=b64 -S close\n");
	const struct rules_rule *r;

	assert_int_equal(rules_count(p), 5);
	/* -A inserts at the front: the last -A is evaluated first */
	r = rules_at(p, 0);
	assert_int_equal(r->always, 0);
	assert_true(sc(r, RULES_ABI_64, 3));
	r = rules_at(p, 1);
	assert_string_equal(rules_str(p, r->keys[0]), "prepended");
	assert_int_equal(r->line, 5);
	r = rules_at(p, 2);
	assert_int_equal(r->list, RULES_LIST_EXIT);
	assert_int_equal(r->always, 1);
	assert_string_equal(rules_str(p, r->keys[0]), "first");
	assert_string_equal(rules_file_name(p, r->file), "t.rules");
	r = rules_at(p, 3);
	assert_int_equal(r->always, 0); /* "exit,never": either order */
	r = rules_at(p, 4);
	assert_int_equal(r->list, RULES_LIST_TASK);
	assert_int_equal(r->always, 0);
	rules_free(p);
}

static void test_arch_and_syscalls(void **state)
{
	struct rules_policy *p =
	    compile_ok("-a always,exit -F arch=b32 -S stime,settimeofday -k t\n"
		       "-a always,exit -F arch=b64 -S 2 -S read,write\n"
		       "-a always,exit -F arch=x86_64 -S all\n"
		       "-a always,exit -S open -k noarch\n"
		       "-a always,exit -F arch!=b32 -S openat\n");
	const struct rules_rule *r = rules_at(p, 0);

	assert_int_equal(r->abis, 1u << RULES_ABI_32);
	assert_true(sc(r, RULES_ABI_32, 25)); /* i386 stime */
	assert_true(sc(r, RULES_ABI_32, 79)); /* i386 settimeofday */
	assert_int_equal(sc_count(r, RULES_ABI_32), 2);
	assert_int_equal(sc_count(r, RULES_ABI_64), 0);
	r = rules_at(p, 1);
	assert_int_equal(r->abis, 1u << RULES_ABI_64);
	assert_true(sc(r, RULES_ABI_64, 0) && sc(r, RULES_ABI_64, 1) && sc(r, RULES_ABI_64, 2));
	assert_int_equal(sc_count(r, RULES_ABI_64), 3);
	r = rules_at(p, 2);
	assert_true(r->flags & RULES_RULE_ALLSC);
	assert_int_equal(sc_count(r, RULES_ABI_64), CA_SYSCALL_MAX);
	/* no arch: auditd matches the x86_64 number in both ABIs */
	r = rules_at(p, 3);
	assert_int_equal(r->abis, 3);
	assert_true(sc(r, RULES_ABI_64, 2) && sc(r, RULES_ABI_32, 2));
	assert_false(sc(r, RULES_ABI_32, 5));
	r = rules_at(p, 4);
	assert_int_equal(r->abis, 1u << RULES_ABI_64);
	assert_true(sc(r, RULES_ABI_64, 257));
	assert_int_equal(rules_diag_count(p), 1); /* the open mismatch warning */
	rules_free(p);
}

static const struct rules_pred *pred(const struct rules_rule *r, unsigned i)
{
	assert_true(i < r->npred);
	return &r->pred[i];
}

static void test_values(void **state)
{
	struct rules_policy *p = compile_ok(
	    "-a always,exit -F arch=b64 -S openat -F auid>=1000 -F auid!=unset -F auid=-1 "
	    "-F auid=4294967295 -F loginuid=alice -F uid=root -F gid=wheel -F egid=7 "
	    "-F exit=-EACCES -F exit=13 -F exit=-5 -F a1&0100 -F a2&=03 -F a0=0x7C020000 "
	    "-F a0=-100 -F success=1 -F pid<5 -F sessionid=unset -k k\n"
	    "-a always,exit -F arch=b64 -S connect -F raddr=10.0.0.0/8 -F laddr=::1 "
	    "-F rport=443 -F lport<=1024 -F origin=192.0.2.7/32 -F saddr_fam=inet6 "
	    "-F filetype=dir -F obj_uid=alice -F obj_gid=wheel -F inode=12 -F devmajor=8 "
	    "-F devminor=1 -F exe=/usr/bin/sudo -C uid!=euid -C auid=obj_uid -F key=a\n");
	const struct rules_rule *r = rules_at(p, 0);
	const struct rules_pred *x;

	x = pred(r, 0);
	assert_int_equal(x->field, RF_AUID);
	assert_int_equal(x->op, RULES_OP_GE);
	assert_int_equal(x->kind, RULES_V_NUM);
	assert_int_equal(x->num, 1000);
	for (unsigned i = 1; i <= 3; i++)
		assert_int_equal(pred(r, i)->num, UINT32_MAX); /* unset, -1, 4294967295 */
	assert_int_equal(pred(r, 1)->op, RULES_OP_NE);
	assert_int_equal(pred(r, 4)->field, RF_AUID); /* loginuid is auid */
	assert_int_equal(pred(r, 4)->num, 1000);
	assert_int_equal(pred(r, 5)->num, 0);
	assert_int_equal(pred(r, 6)->num, 10);
	assert_int_equal(pred(r, 7)->num, 7);
	x = pred(r, 8);
	assert_int_equal(x->field, RF_EXIT);
	assert_int_equal((int32_t)x->num, -13);
	assert_true(x->flags & RULES_PRED_SIGNED);
	assert_int_equal(pred(r, 9)->num, 13);
	assert_int_equal((int32_t)pred(r, 10)->num, -5);
	assert_int_equal(pred(r, 11)->op, RULES_OP_MASK);
	assert_int_equal(pred(r, 11)->num, 64); /* octal, as auditctl reads it */
	assert_int_equal(pred(r, 12)->op, RULES_OP_TEST);
	assert_int_equal(pred(r, 12)->num, 3);
	assert_int_equal(pred(r, 13)->num, 0x7C020000);
	assert_int_equal(pred(r, 14)->num, (uint32_t)-100);
	assert_int_equal(pred(r, 15)->num, 1);
	assert_int_equal(pred(r, 16)->op, RULES_OP_LT);
	assert_int_equal(pred(r, 17)->num, UINT32_MAX);
	assert_int_equal(r->npred, 18);

	r = rules_at(p, 1);
	x = pred(r, 0);
	assert_int_equal(x->kind, RULES_V_CIDR);
	assert_int_equal(x->family, 4);
	assert_int_equal(x->prefix, 8);
	assert_int_equal(x->addr[0], 10);
	x = pred(r, 1);
	assert_int_equal(x->family, 6);
	assert_int_equal(x->prefix, 128);
	assert_int_equal(x->addr[15], 1);
	assert_int_equal(pred(r, 2)->num, 443);
	assert_int_equal(pred(r, 3)->op, RULES_OP_LE);
	assert_int_equal(pred(r, 4)->field, RF_ORIGIN);
	assert_int_equal(pred(r, 4)->prefix, 32);
	assert_int_equal(pred(r, 5)->num, 10); /* AF_INET6 */
	assert_int_equal(pred(r, 6)->num, 0040000);
	assert_int_equal(pred(r, 7)->num, 1000);
	assert_int_equal(pred(r, 8)->num, 10);
	assert_int_equal(pred(r, 12)->kind, RULES_V_STR);
	assert_string_equal(rules_str(p, pred(r, 12)->str), "/usr/bin/sudo");
	x = pred(r, 13);
	assert_int_equal(x->kind, RULES_V_FIELD);
	assert_int_equal(x->field, RF_UID);
	assert_int_equal(x->num, RF_EUID);
	assert_int_equal(x->op, RULES_OP_NE);
	assert_int_equal(pred(r, 14)->num, RF_OBJ_UID);
	assert_int_equal(r->nkeys, 1);
	rules_free(p);
}

static int has_pred_str(const struct rules_policy *p, const struct rules_rule *r, unsigned field,
			const char *s)
{
	for (unsigned i = 0; i < r->npred; i++)
		if (r->pred[i].field == field && !strcmp(rules_str(p, r->pred[i].str), s))
			return 1;
	return 0;
}

static void test_watches_and_perm_classes(void **state)
{
	struct rules_policy *p = compile_ok("-w /etc/passwd -p wa -k identity -k auth\n"
					    "-w /etc/sudoers.d -p wa\n"
					    "-w /var/log/caudit/ -p r\n"
					    "-w /usr/bin/passwd -p x\n"
					    "-w /etc/shadow\n"
					    "-a always,exit -F arch=b64 -S openat,execve,read "
					    "-F path=/etc/hosts -F perm=w -k h\n");
	const struct rules_rule *r = rules_at(p, 0);

	assert_true(r->flags & RULES_RULE_WATCH);
	assert_true(has_pred_str(p, r, RF_PATH, "/etc/passwd"));
	assert_int_equal(pred(r, 1)->field, RF_PERM);
	assert_int_equal(pred(r, 1)->num, 2 | 8);
	assert_int_equal(r->nkeys, 2);
	assert_string_equal(rules_str(p, r->keys[1]), "auth");
	/* write and attribute classes, the open family; not read or exec */
	assert_true(sc(r, RULES_ABI_64, 257) && sc(r, RULES_ABI_64, 2));  /* openat, open */
	assert_true(sc(r, RULES_ABI_64, 87) && sc(r, RULES_ABI_64, 82));  /* unlink, rename */
	assert_true(sc(r, RULES_ABI_64, 90) && sc(r, RULES_ABI_64, 188)); /* chmod, setxattr */
	assert_true(sc(r, RULES_ABI_64, 76) && sc(r, RULES_ABI_64, 285)); /* truncate, fallocate */
	assert_false(sc(r, RULES_ABI_64, 59) || sc(r, RULES_ABI_64, 0));  /* execve, read */
	assert_false(sc(r, RULES_ABI_64, 89));				  /* readlink */
	assert_true(sc(r, RULES_ABI_32, 5) && sc(r, RULES_ABI_32, 10));	  /* i386 open, unlink */
	assert_true(sc(r, RULES_ABI_32, 212));				  /* i386 chown32 */
	/* a directory by the is_dir lookup, or by a trailing slash: dir (recursive) */
	assert_true(has_pred_str(p, rules_at(p, 1), RF_DIR, "/etc/sudoers.d"));
	r = rules_at(p, 2);
	assert_true(has_pred_str(p, r, RF_DIR, "/var/log/caudit"));
	assert_true(sc(r, RULES_ABI_64, 89) && sc(r, RULES_ABI_64, 257));
	assert_false(sc(r, RULES_ABI_64, 87));
	r = rules_at(p, 3);
	assert_int_equal(sc_count(r, RULES_ABI_64), 2); /* execve, execveat */
	assert_true(sc(r, RULES_ABI_64, 59) && sc(r, RULES_ABI_64, 322));
	assert_true(sc(r, RULES_ABI_32, 11));
	r = rules_at(p, 4);
	assert_int_equal(pred(r, 1)->num, 15); /* no -p: rwxa */
	assert_true(sc(r, RULES_ABI_64, 0) == 0 && sc(r, RULES_ABI_64, 59));
	/* -F perm narrows -S: openat stays, execve and read go */
	r = rules_at(p, 5);
	assert_int_equal(sc_count(r, RULES_ABI_64), 1);
	assert_true(sc(r, RULES_ABI_64, 257));
	rules_free(p);
}

static void test_deletions(void **state)
{
	struct rules_policy *p = compile_ok("-a always,exit -F arch=b64 -S openat -k a\n"
					    "-D\n"
					    "-w /etc/passwd -p wa -k x\n"
					    "-w /etc/group -p wa -k y\n"
					    "-a always,exit -F arch=b64 -S unlink -F uid=0 -k a\n"
					    "-a always,exit -F arch=b64 -S unlink -F uid=1 -k b\n"
					    "-W /etc/passwd -p wa -k x\n"
					    "-d always,exit -F arch=b64 -S unlink -F uid=1 -k b\n"
					    "-D -k a\n");
	const struct rules_rule *r;

	assert_int_equal(rules_count(p), 1);
	r = rules_at(p, 0);
	assert_true(has_pred_str(p, r, RF_PATH, "/etc/group"));
	assert_int_equal(rules_control(p)->delete_all, 1);
	rules_free(p);
}

static void test_controls_and_unhonoured(void **state)
{
	struct rules_policy *p =
	    compile_ok("-D\n-b8192\n-f 1\n-r 0\n--backlog_wait_time 60000\n"
		       "-i\n-c\n-e 1\n"
		       "-a always,exit -F arch=b64 -S adjtimex -F subj_type=t\n"
		       "-a never,exit -F arch=b64 -S adjtimex -F subj_type=t\n"
		       "-a never,exit -F arch=b64 -S adjtimex -F uid=nobody_here\n"
		       "-a always,user -F uid=0\n");
	const struct rules_control *c = rules_control(p);

	assert_int_equal(c->backlog, 8192);
	assert_int_equal(c->failure, 1);
	assert_int_equal(c->rate, 0);
	assert_int_equal(c->backlog_wait_time, 60000);
	assert_int_equal(c->enabled, 1);
	assert_true(c->ignore_errors && c->continue_on_error && c->delete_all);
	assert_int_equal(rules_count(p), 4);
	assert_true(pred(rules_at(p, 0), 0)->flags & RULES_PRED_IGNORED);
	assert_false(rules_at(p, 0)->flags & RULES_RULE_INERT);
	assert_true(rules_at(p, 1)->flags & RULES_RULE_INERT);
	assert_true(rules_at(p, 2)->flags & RULES_RULE_INERT);
	assert_true(rules_at(p, 3)->flags & RULES_RULE_INERT);
	rules_free(p);
}

static void test_canonical_and_hash(void **state)
{
	struct rules_policy *a = compile_ok("-a always,exit -F arch=b64 -S openat -F uid=0 -k k\n");
	struct rules_policy *b = compile_ok("# same rule, other layout\n\n"
					    "-a   exit,always\t-F arch=x86_64 -S 257 -F uid=root "
					    "-F key=k\r\n");
	struct rules_policy *c = compile_ok("-a always,exit -F arch=b64 -S openat -F uid=1 -k k\n");
	size_t len;
	const char *canon = rules_canonical(a, &len);
	char sc64[129];

	memset(sc64, '0', 128);
	sc64[128] = '\0';
	/* openat is 257: word 4, bit 1 */
	memcpy(sc64 + 4 * 16, "0000000000000002", 16);
	{
		char want[1024];

		snprintf(want, sizeof(want),
			 "caudit-policy 1\n"
			 "control backlog=-1 failure=-1 rate=-1 enabled=-1 backlog_wait_time=-1\n"
			 "rule list=exit action=always abis=1 inert=0 allsc=0\n"
			 " sc64=%s\n"
			 " pred uid = flags=0 num=0\n"
			 " key 1:k\n",
			 sc64);
		assert_string_equal(canon, want);
		assert_int_equal(len, strlen(want));
	}
	assert_int_equal(strlen(rules_hash_hex(a)), 64);
	assert_string_equal(rules_hash_hex(a), rules_hash_hex(b));
	assert_string_not_equal(rules_hash_hex(a), rules_hash_hex(c));
	rules_free(a);
	rules_free(b);
	rules_free(c);
}

static void test_index_and_summary(void **state)
{
	struct rules_policy *p = compile_ok("-a never,exit -F arch=b64 -S openat -F uid=5\n"
					    "-a always,exit -F arch=b64 -S openat,unlink -k a\n"
					    "-a always,exit -F arch=b32 -S open -k b\n"
					    "-w /etc/passwd -p wa -k a\n"
					    "-a never,task -F uid=7\n");
	struct rules_summary s;
	const uint64_t *ix;
	unsigned words;

	ix = rules_index(p, RULES_LIST_EXIT, RULES_ABI_64, 257, &words);
	assert_non_null(ix);
	assert_int_equal(words, 1);
	assert_int_equal(ix[0], 0x1 | 0x2 | 0x8); /* rules 0, 1 and the watch */
	ix = rules_index(p, RULES_LIST_EXIT, RULES_ABI_32, 5, &words);
	assert_int_equal(ix[0], 0x4 | 0x8);
	ix = rules_index(p, RULES_LIST_EXIT, RULES_ABI_64, 0, &words);
	assert_int_equal(ix[0], 0);
	assert_null(rules_index(p, RULES_LIST_TASK, RULES_ABI_64, 0, &words));

	rules_get_summary(p, &s);
	assert_int_equal(s.rules[RULES_LIST_EXIT], 4);
	assert_int_equal(s.rules[RULES_LIST_TASK], 1);
	assert_int_equal(s.watches, 1);
	assert_int_equal(s.keys, 2);
	assert_int_equal(s.errors, 0);
	assert_true(s.syscalls[RULES_ABI_64] > 2); /* openat, unlink and the watch's classes */
	rules_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_action_list_and_order),
	    cmocka_unit_test(test_arch_and_syscalls),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_watches_and_perm_classes),
	    cmocka_unit_test(test_deletions),
	    cmocka_unit_test(test_controls_and_unhonoured),
	    cmocka_unit_test(test_canonical_and_hash),
	    cmocka_unit_test(test_index_and_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
