/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Golden diagnostics of the rule language (user/common/rules_*.c): every
 * error and warning message, as `caudit rules check` prints it, from the
 * smallest input that provokes it.
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

static int stub_user(const char *name, uint32_t *id, void *ctx)
{
	if (!strcmp(name, "root"))
		*id = 0;
	else if (!strcmp(name, "alice"))
		*id = 1000;
	else if (!strcmp(name, "eio"))
		return -EIO;
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

struct golden {
	const char *in;
	const char *diag; /* the first diagnostic, formatted */
};

#define E(s) "t.rules:" s
static const struct golden errors[] = {
    /* control lines */
    {"-b", E("1:1: error: -b needs a value")},
    {"-e 3", E("1:4: error: -e takes a number from 0 to 2, not '3'")},
    {"-f x", E("1:4: error: -f takes a number from 0 to 2, not 'x'")},
    {"-r -1", E("1:4: error: -r takes a number from 0 to 4294967295, not '-1'")},
    {"--backlog_wait_time 600001",
     E("1:21: error: --backlog_wait_time takes a number from 0 to 600000, not '600001'")},
    {"-e3", E("1:3: error: -e takes a number from 0 to 2, not '3'")},
    {"-e1 x", E("1:5: error: unexpected 'x' after -e 1")},
    {"-D x", E("1:4: error: -D takes no argument other than -k KEY")},
    {"-i now", E("1:4: error: unexpected 'now' after -i")},
    {"-b 1 2", E("1:6: error: unexpected '2' after -b 1")},
    /* rule text quoted in a message: control bytes and non-ASCII shown as '?' (found by fuzz_rules) */
    {"-e \v0 [", E("1:7: error: unexpected '[' after -e ?0")},
    {"-b 1 \x1b[2J\xc3\xa9", E("1:6: error: unexpected '?[2J?" "?' after -b 1")},
    {"--frobnicate", E("1:1: error: unknown option '--frobnicate'")},
    {"-z", E("1:1: error: unknown option '-z'")},
    {"always,exit", E("1:1: error: expected an option, not 'always,exit'")},
    {"-a always,exit -F arch=b64 -S open -D",
     E("1:36: error: -D cannot be combined with other options")},
    {"-a", E("1:1: error: -a needs a value")},
    /* action and list */
    {"-a always", E("1:4: error: expected ACTION,LIST (e.g. always,exit), not 'always'")},
    {"-a always,exit,x", E("1:4: error: expected ACTION,LIST (e.g. always,exit), not "
			   "'always,exit,x'")},
    {"-a always,never", E("1:11: error: two actions in 'always,never'")},
    {"-a exit,task", E("1:9: error: two lists in 'exit,task'")},
    {"-a entry,always", E("1:4: error: the entry list was removed from Linux (2.6.31): use "
			  "exit")},
    {"-a possible,exit", E("1:4: error: the possible action was removed from Linux: use "
			   "always")},
    {"-a sometimes,exit", E("1:4: error: unknown action or list 'sometimes' (always, never; "
			    "exit, task, exclude, user, filesystem)")},
    {"-A always,exit -a always,exit", E("1:16: error: -a cannot be combined with -A")},
    /* syscalls */
    {"-a always,exit -F arch=b64 -S open,,close", E("1:36: error: '' is not a syscall")},
    {"-a always,exit -F arch=b64 -S 512", E("1:31: error: syscall number '512' is out of "
					    "range (0-511)")},
    {"-a always,exit -F arch=b64 -S stime", E("1:31: error: unknown syscall 'stime' for arch "
					      "b64")},
    {"-a always,exit -F arch=b32 -S nosuchcall", E("1:31: error: unknown syscall "
						   "'nosuchcall' for arch b32")},
    {"-w /etc -S open", E("1:12: error: -S cannot be combined with -w")},
    {"-a never,task -S open", E("1:18: error: -S can only be used on the exit list, not task")},
    {"-S open", E("1:1: error: -S needs -a, -A or -d (the list) before it")},
    /* -C */
    {"-a always,task -C uid!=euid", E("1:19: error: -C can only be used on the exit list")},
    {"-a always,exit -C =euid", E("1:19: error: -C needs a field name before the operator")},
    {"-a always,exit -C uid", E("1:19: error: -C needs FIELD=FIELD or FIELD!=FIELD")},
    {"-a always,exit -C uid<euid", E("1:22: error: -C takes = or !=, not <")},
    {"-a always,exit -C pid=euid", E("1:19: error: -C cannot compare 'pid' (uid, euid, suid, "
				     "fsuid, auid, obj_uid, gid, egid, sgid, fsgid, obj_gid)")},
    {"-a always,exit -C uid=exit", E("1:23: error: -C cannot compare 'exit' (uid, euid, "
				     "suid, fsuid, auid, obj_uid, gid, egid, sgid, fsgid, "
				     "obj_gid)")},
    {"-a always,exit -C uid=gid", E("1:19: error: -C cannot compare a uid field with a gid "
				    "field")},
    {"-a always,exit -C auid=loginuid", E("1:19: error: -C compares 'auid' with itself")},
    /* watches */
    {"-w etc/passwd", E("1:4: error: -w needs an absolute path")},
    {"-W etc/passwd", E("1:4: error: -W needs an absolute path")},
    {"-a always,exit -w /etc", E("1:16: error: -w cannot be combined with -a")},
    {"-p wa", E("1:1: error: -p needs -w before it")},
    {"-w /etc/passwd -p wa -p r", E("1:22: error: -p given twice")},
    {"-w /etc/passwd -p rwxz", E("1:19: error: -p takes letters from rwxa")},
    {"-w /etc/passwd -F uid=0", E("1:16: error: -F cannot be combined with -w (use -a with "
				  "path=)")},
    {"-W /etc/passwd -p wa", E("1:1: error: -W: no such watch to delete")},
    {"-d always,exit -F arch=b64 -S open", E("1:1: error: -d: no such rule to delete")},
    /* keys */
    {"-a always,exit -F uid=0 -k k", E("1:28: error: a key needs -S, -w, path, dir, perm or "
				       "exe before it on the exit list (as auditctl)")},
    {"-w /x -k a\001b", E("1:10: error: key contains a control character")},
    {"-w /x -k 1 -k 2 -k 3 -k 4 -k 5 -k 6 -k 7 -k 8 -k 9 -k 10 -k 11 -k 12 -k 13 -k 14 "
     "-k 15 -k 16 -k 17",
     E("1:97: error: more than 16 keys in a rule")},
    /* -F syntax and table */
    {"-a always,exit -F =1", E("1:19: error: -F needs a field name before the operator")},
    {"-a always,exit -F uid", E("1:19: error: -F needs FIELD OP VALUE (ops: = != < > <= >= & "
				"&=), not 'uid'")},
    {"-a always,exit -F colour=red", E("1:19: error: unknown field 'colour'")},
    {"-a always,exit -F path>/etc", E("1:23: error: path takes =, not >")},
    {"-a always,exit -F arch<b64", E("1:23: error: arch takes = !=, not <")},
    {"-a always,exit -F lport&1", E("1:24: error: lport takes = != < > <= >=, not &")},
    {"-a always,exit -F uid=", E("1:23: error: uid has no value after =")},
    {"-a never,task -F path=/x", E("1:18: error: path cannot be used on the task list")},
    {"-a always,exit -F dir=/x -F msgtype=1", E("1:29: error: msgtype cannot be used on the "
						"exit list")},
    {"-a always,exit -S 2 -F arch=b64", E("1:24: error: arch must be given before -S (as "
					  "auditctl requires)")},
    {"-a always,exit -F arch=b64 -F arch=b32", E("1:36: error: arch given twice")},
    {"-a always,exit -F perm=r -F perm=w", E("1:34: error: perm given twice")},
    /* values */
    {"-a always,exit -F uid=-2", E("1:23: error: uid: '-2' is not a number from 0 to "
				   "4294967295, -1 or unset")},
    {"-a always,exit -F auid=4294967296", E("1:24: error: auid: '4294967296' is not a number "
					    "from 0 to 4294967295, -1 or unset")},
    {"-a always,exit -F sessionid=alice", E("1:29: error: sessionid: 'alice' is not a number "
					    "from 0 to 4294967295, -1 or unset")},
    {"-a always,exit -F uid=eio", E("1:23: error: cannot look up user 'eio' (EIO)")},
    {"-a always,exit -F pid=x", E("1:23: error: pid: 'x' is not a number from 0 to "
				  "4294967295")},
    {"-a always,exit -F a0=-2147483649", E("1:22: error: a0: '-2147483649' is not a 32-bit "
					   "number")},
    {"-a always,exit -F exit=-EFOO", E("1:24: error: exit: '-EFOO' is not a number or an "
				       "errno name (-EPERM)")},
    {"-a always,exit -F success=2", E("1:27: error: success takes 0 or 1, not '2'")},
    {"-a always,exit -F arch=aarch64", E("1:24: error: arch: 'aarch64' is not this host's "
					 "machine (x86_64): use b64 or b32")},
    {"-a always,exit -F arch=b16", E("1:24: error: arch: 'b16' is not an arch (b64, b32, "
				     "x86_64, i386)")},
    {"-a always,exit -F perm=rq", E("1:24: error: perm takes letters from rwxa, not 'rq'")},
    {"-a always,exit -F filetype=pipe", E("1:28: error: filetype: 'pipe' is not file, dir, "
					  "socket, link, character, block or fifo")},
    {"-a never,filesystem -F fstype=ext9", E("1:31: error: fstype: 'ext9' is not debugfs, "
					     "tracefs or a magic number")},
    {"-a always,exit -F saddr_fam=999", E("1:29: error: saddr_fam: '999' is not an address "
					  "family")},
    {"-a always,exit -F rport=65536", E("1:25: error: rport: '65536' is not a port from 0 to "
					"65535")},
    {"-a always,exit -F raddr=10.0.0.1/8", E("1:25: error: raddr: '10.0.0.1/8' is not an "
					     "IPv4 or IPv6 address or CIDR with zero host "
					     "bits")},
    {"-a always,exit -F laddr=::1/129", E("1:25: error: laddr: '::1/129' is not an IPv4 or "
					  "IPv6 address or CIDR with zero host bits")},
    {"-a always,exit -F exe=bin/sh", E("1:23: error: exe needs an absolute path")},
    {"-a always,exit -F path=/a\001", E("1:24: error: path: value contains a control "
					"character")},
    {"-a always,exit -F path=/a -F dir=/b", E("1:34: error: only one path or dir per rule")},
};

static char *first_diag(const char *in, size_t len, int *nerrors)
{
	struct rules_policy *p = rules_new(&env);
	char *out = calloc(1, 600);

	assert_non_null(p);
	rules_parse(p, "t.rules", in, len);
	*nerrors = rules_compile(p);
	if (rules_diag_count(p))
		rules_diag_format(rules_diag_at(p, 0), out, 600);
	rules_free(p);
	return out;
}

static void test_every_error(void **state)
{
	int bad = 0;

	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		int nerr;
		char *got = first_diag(errors[i].in, strlen(errors[i].in), &nerr);
		const char *want = errors[i].diag;

		if (strcmp(got, want) || nerr < 1) {
			print_error("input '%s'\n  want: %s\n  got:  %s (%d errors)\n",
				    errors[i].in, want, got, nerr);
			bad++;
		}
		free(got);
	}
	assert_int_equal(bad, 0);
}

static const struct golden warnings[] = {
    {"-b 8192", E("1:1: warning: -b sets the kernel audit backlog; caudit's buffer is set in "
		  "cauditd.conf: recorded, no effect")},
    {"-f 1", E("1:1: warning: -f sets the kernel's failure mode; caudit reports its own "
	       "losses: recorded, no effect")},
    {"-r 100", E("1:1: warning: -r sets the kernel's message rate limit; caudit does not drop "
		 "by rate: recorded, no effect")},
    {"--backlog_wait_time 60000",
     E("1:1: warning: --backlog_wait_time sets the kernel's backlog wait; caudit never blocks "
       "the audited task: recorded, no effect")},
    {"--loginuid-immutable", E("1:1: warning: --loginuid-immutable is a kernel setting caudit "
			       "does not change: ignored")},
    {"--reset-lost", E("1:1: warning: --reset-lost resets a kernel audit counter caudit does "
		       "not use: ignored")},
    {"-a always,exit -S open", E("1:19: warning: -S open without -F arch: number 2 is matched "
				 "in both ABIs, as auditd does; add -F arch=b64 or b32")},
    {"-a always,exit -F uid=chrony", E("1:23: warning: unknown user 'chrony': the rule can "
				       "never match and is kept inert")},
    {"-a always,exit -F gid=nogroup", E("1:23: warning: unknown group 'nogroup': the rule can "
					"never match and is kept inert")},
    {"-a always,exit -F arch=b64 -S open -F subj_type=x_t",
     E("1:39: warning: subj_type is not honoured (SELinux labels are not available to "
       "caudit): the condition is dropped, so the rule matches more")},
    {"-a never,exit -F arch=b64 -S open -F obj_user=u",
     E("1:38: warning: obj_user is not honoured (SELinux labels are not available to caudit): "
       "this never rule is disabled, so it suppresses nothing")},
    {"-a always,exit -F arch=b64 -S open -F exe_children=/bin/sh",
     E("1:39: warning: exe_children is not honoured (process-tree matching is not implemented "
       "yet): the condition is dropped, so the rule matches more")},
    {"-a always,exclude -F msgtype=1300",
     E("1:22: warning: msgtype is not honoured (caudit's records are not kernel audit message "
       "types): the condition is dropped, so the rule matches more")},
    {"-a always,user -F uid=0", E("1:1: warning: the user list filters messages programs send "
				  "to the kernel's audit daemon; caudit does not receive them: "
				  "rule has no effect")},
    {"-a never,exclude -F uid=0", E("1:1: warning: the exclude list drops kernel audit record "
				    "types; caudit writes its own records: rule has no effect")},
    {"-i\n-a always,exit -F colour=red", E("2:19: warning: unknown field 'colour' (rule "
					   "skipped: -i)")},
};

static void test_every_warning(void **state)
{
	int bad = 0;

	for (size_t i = 0; i < sizeof(warnings) / sizeof(warnings[0]); i++) {
		int nerr;
		char *got = first_diag(warnings[i].in, strlen(warnings[i].in), &nerr);

		if (strcmp(got, warnings[i].diag) || nerr) {
			print_error("input '%s'\n  want: %s\n  got:  %s (%d errors)\n",
				    warnings[i].in, warnings[i].diag, got, nerr);
			bad++;
		}
		free(got);
	}
	assert_int_equal(bad, 0);
}

/* Errors that need big or binary input. */
static void test_limits(void **state)
{
	size_t n = RULES_MAX_LINE + 10, off = 0;
	char *big = malloc(RULES_MAX_TEXT + 2), *got;
	int nerr;

	assert_non_null(big);
	memset(big, 'x', n);
	got = first_diag(big, n, &nerr);
	assert_string_equal(got, "t.rules:1:1: error: line longer than 8192 bytes");
	free(got);

	{
		struct rules_policy *p = rules_new(&env);
		char line[600];

		rules_parse(p, "t.rules", "-w /a\n-w\000/b\n", 12);
		rules_diag_format(rules_diag_at(p, 0), line, sizeof(line));
		assert_string_equal(line, "t.rules:2:3: error: NUL byte in line");
		rules_free(p);
	}

	/* 513 words */
	off = 0;
	for (int i = 0; i < 513; i++)
		off += (size_t)sprintf(big + off, "-k ");
	got = first_diag(big, off, &nerr);
	assert_string_equal(got, "t.rules:1:1: error: more than 512 words on a line");
	free(got);

	/* keys joined beyond 256 bytes */
	off = (size_t)sprintf(big, "-w /x -k ");
	memset(big + off, 'k', 200);
	off += 200;
	off += (size_t)sprintf(big + off, " -k ");
	memset(big + off, 'k', 60);
	off += 60;
	got = first_diag(big, off, &nerr);
	assert_string_equal(got, "t.rules:1:214: error: keys of a rule exceed 256 bytes");
	free(got);

	/* a value as long as PATH_MAX */
	off = (size_t)sprintf(big, "-a always,exit -F path=/");
	memset(big + off, 'p', RULES_MAX_VALUE);
	off += RULES_MAX_VALUE;
	got = first_diag(big, off, &nerr);
	assert_string_equal(got, "t.rules:1:24: error: path: value longer than 4095 bytes");
	free(got);
	off = (size_t)sprintf(big, "-w /");
	memset(big + off, 'p', RULES_MAX_VALUE);
	off += RULES_MAX_VALUE;
	got = first_diag(big, off, &nerr);
	assert_string_equal(got, "t.rules:1:4: error: path longer than 4095 bytes");
	free(got);

	/* 65 fields, and 65 with -C */
	off = (size_t)sprintf(big, "-a always,exit");
	for (int i = 0; i < 65; i++)
		off += (size_t)sprintf(big + off, " -F uid=%d", i);
	got = first_diag(big, off, &nerr);
	assert_string_equal(got, "t.rules:1:653: error: more than 64 fields in a rule");
	free(got);
	off = (size_t)sprintf(big, "-a always,exit");
	for (int i = 0; i < 64; i++)
		off += (size_t)sprintf(big + off, " -F uid=%d", i);
	off += (size_t)sprintf(big + off, " -C uid!=euid");
	got = first_diag(big, off, &nerr);
	assert_string_equal(got, "t.rules:1:649: error: more than 64 fields in a rule");
	free(got);

	/* rule count and policy size */
	{
		struct rules_policy *p = rules_new(&env);
		size_t len = 0;
		char line[600];

		for (int i = 0; i <= RULES_MAX_RULES; i++)
			len += (size_t)sprintf(big + len, "-w /f%d\n", i);
		assert_int_equal(rules_parse(p, "t.rules", big, len), 1);
		rules_diag_format(rules_diag_at(p, 0), line, sizeof(line));
		assert_string_equal(line, "t.rules:16385:1: error: more than 16384 rules");
		rules_free(p);

		p = rules_new(&env);
		memset(big, '#', RULES_MAX_TEXT + 1);
		assert_int_equal(rules_parse(p, "big.rules", big, RULES_MAX_TEXT + 1), 1);
		rules_diag_format(rules_diag_at(p, 0), line, sizeof(line));
		assert_string_equal(line, "big.rules: error: rule text exceeds 16777216 bytes");
		rules_free(p);

		p = rules_new(&env);
		for (int i = 0; i <= RULES_MAX_FILES; i++)
			rules_parse(p, "f.rules", "", 0);
		rules_diag_format(rules_diag_at(p, 0), line, sizeof(line));
		assert_string_equal(line, "f.rules: error: more than 1024 rule files");
		rules_free(p);
	}
	free(big);
}

/* After -e 2 nothing may change the policy, as in auditd; comments are fine. */
static void test_immutable(void **state)
{
	struct rules_policy *p = rules_new(&env);
	char line[600];

	assert_non_null(p);
	rules_parse(p, "t.rules", "-e 2\n# done\n\n  -w /etc/passwd\n", 30);
	assert_int_equal(rules_compile(p), 1);
	assert_int_equal(rules_diag_count(p), 1);
	rules_diag_format(rules_diag_at(p, 0), line, sizeof(line));
	assert_string_equal(line, "t.rules:4:3: error: the policy is immutable after -e 2: nothing "
				  "may follow it");
	assert_int_equal(rules_count(p), 0);
	rules_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_error),
	    cmocka_unit_test(test_every_warning),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_immutable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
