/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rules_match(): real rule text parsed and compiled, evaluated on facts set
 * by hand. Every field and operator, first match with never/always and -A,
 * the task list, ABIs (b32 rules name i386 numbers, records carry x86_64
 * rows), perm on opens by access mode, dir boundaries, the unknown/absent
 * fact policy, and lines of the STIG pack. Each case asserts the index of
 * the selecting rule (or that none selects).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "rules.h"
#include "rules_fixture.h"
#include "rules_match.h"

#define NONE (-1)
#define K RULES_FACT_KNOWN
#define U RULES_FACT_UNKNOWN
#define A RULES_FACT_ABSENT

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

static int stub_is_dir(const char *path, void *ctx)
{
	return !strcmp(path, "/etc/sudoers.d");
}

static const struct rules_env env = {stub_user, stub_user, stub_is_dir, NULL};

static struct rules_policy *compile_ok(const char *text)
{
	return rules_fixture_compile(&env, text);
}

/* Index of the rule that selects f under text, or NONE. */
static int sel(const char *text, const struct rules_facts *f)
{
	struct rules_policy *p = compile_ok(text);
	unsigned r = 99999;
	int m = rules_match(p, f, &r);

	rules_free(p);
	if (m != 0 && m != 1)
		fail_msg("rules_match returned %d", m);
	if (m && r == 99999)
		fail_msg("match without a rule index");
	return m ? (int)r : NONE;
}

#define EXPECT(text, f, want)                                                                      \
	do {                                                                                       \
		int got_ = sel(text, f);                                                           \
		if (got_ != (want))                                                                \
			fail_msg("%s: selected %d, want %d", text, got_, want);                    \
	} while (0)

/* alice (1000) opens /etc/passwd read-only with openat, 64-bit; every fact known. */
static void base(struct rules_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->abi = RULES_ABI_64;
	f->nr = 257;
	f->pid = 4242;
	f->ppid = 77;
	f->uid = f->euid = f->suid = f->fsuid = 1000;
	f->gid = f->egid = f->sgid = f->fsgid = 1000;
	f->auid = 1000;
	f->sessionid = 3;
	f->have_pers = K;
	f->pers = 0;
	f->have_result = K;
	f->exit = 3;
	f->have_args = K;
	f->a[0] = (uint64_t)(int64_t)AT_FDCWD;
	f->a[1] = 0x7ffd12345678;
	f->a[2] = O_RDONLY;
	f->a[3] = 0;
	f->have_path[0] = K;
	f->path[0] = "/etc/passwd";
	f->have_path[1] = A;
	f->exe = "/usr/bin/cat";
	f->have_obj = K;
	f->obj_uid = 0;
	f->obj_gid = 0;
	f->mode = 0100644;
	f->inode = 1234;
	f->devmajor = 8;
	f->devminor = 1;
	f->saddr_fam = RULES_NUM_ABSENT;
	f->have_laddr = f->have_raddr = A;
	f->lport = f->rport = RULES_NUM_ABSENT;
	f->have_origin = A;
	f->have_open_flags = K;
	f->open_flags = O_RDONLY;
}

/* Every operator as the kernel's audit_comparator, on uid = 1000 (0x3e8). */
static void test_operators(void **state)
{
	static const struct {
		const char *rule;
		int match;
	} t[] = {
	    {"-a always,exit -S openat -F uid=1000 -k k\n", 1},
	    {"-a always,exit -S openat -F uid=999 -k k\n", 0},
	    {"-a always,exit -S openat -F uid!=999 -k k\n", 1},
	    {"-a always,exit -S openat -F uid!=1000 -k k\n", 0},
	    {"-a always,exit -S openat -F uid<1001 -k k\n", 1},
	    {"-a always,exit -S openat -F uid<1000 -k k\n", 0},
	    {"-a always,exit -S openat -F uid>999 -k k\n", 1},
	    {"-a always,exit -S openat -F uid>1000 -k k\n", 0},
	    {"-a always,exit -S openat -F uid<=1000 -k k\n", 1},
	    {"-a always,exit -S openat -F uid<=999 -k k\n", 0},
	    {"-a always,exit -S openat -F uid>=1000 -k k\n", 1},
	    {"-a always,exit -S openat -F uid>=1001 -k k\n", 0},
	    {"-a always,exit -S openat -F uid&0x8 -k k\n", 1},
	    {"-a always,exit -S openat -F uid&0x10 -k k\n", 0},
	    {"-a always,exit -S openat -F uid&=0x3e0 -k k\n", 1},
	    {"-a always,exit -S openat -F uid&=0x3f0 -k k\n", 0},
	    /* names are resolved when read */
	    {"-a always,exit -S openat -F uid=alice -k k\n", 1},
	    {"-a always,exit -S openat -F uid=root -k k\n", 0},
	};
	struct rules_facts f;

	(void)state;
	base(&f);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		EXPECT(t[i].rule, &f, t[i].match ? 0 : NONE);
}

/* Each process field matches its own fact and no other. */
static void test_task_fields(void **state)
{
	static const char *const names[] = {"pid",   "ppid",	 "uid",	      "euid", "suid",
					    "fsuid", "gid",	 "egid",      "sgid", "fsgid",
					    "auid",  "loginuid", "sessionid", "pers"};
	struct rules_facts f;
	char rule[128];

	(void)state;
	base(&f);
	f.pid = 11, f.ppid = 12, f.uid = 13, f.euid = 14, f.suid = 15, f.fsuid = 16;
	f.gid = 17, f.egid = 18, f.sgid = 19, f.fsgid = 20, f.auid = 21, f.sessionid = 22;
	f.pers = 23;
	const uint32_t want[] = {11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 21, 22, 23};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(rule, sizeof(rule), "-a always,exit -S openat -F %s=%u -k k\n", names[i],
			 want[i]);
		EXPECT(rule, &f, 0);
		snprintf(rule, sizeof(rule), "-a always,exit -S openat -F %s=%u -k k\n", names[i],
			 want[i] + 100);
		EXPECT(rule, &f, NONE);
	}
	/* unset is 4294967295; loginuid_set says whether auid is set */
	EXPECT("-a always,exit -S openat -F auid!=unset -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F loginuid_set=1 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F loginuid_set=0 -k k\n", &f, NONE);
	f.auid = UINT32_MAX;
	EXPECT("-a always,exit -S openat -F auid=unset -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F auid=-1 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F auid>=1000 -F auid!=unset -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F loginuid_set=0 -k k\n", &f, 0);
	/* pers is not in records: unknown */
	f.have_pers = U;
	EXPECT("-a always,exit -S openat -F pers=99 -k k\n", &f, 0);
	EXPECT("-a never,exit -S openat -F pers=99\n-a always,exit -S openat -k k\n", &f, 1);
}

static void test_exit_success(void **state)
{
	struct rules_facts f;

	(void)state;
	base(&f);
	f.exit = -EACCES;
	EXPECT("-a always,exit -S openat -F exit=-EACCES -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F exit=-13 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F exit=-EPERM -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F exit!=-EPERM -k k\n", &f, 0);
	/* ordered comparisons of exit are signed */
	EXPECT("-a always,exit -S openat -F exit<0 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F exit>=0 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F success=0 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F success=1 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F success!=1 -k k\n", &f, 0);
	f.exit = 5;
	EXPECT("-a always,exit -S openat -F exit>0 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F exit<0 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F success=1 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F success!=0 -k k\n", &f, 0);
	/* exit compares 32 bits, as the kernel */
	f.exit = 0x100000005LL;
	EXPECT("-a always,exit -S openat -F exit=5 -k k\n", &f, 0);
	/* no result yet (io_uring skip-success): unknown; none at all: absent */
	f.have_result = U;
	EXPECT("-a always,exit -S openat -F success=0 -k k\n", &f, 0);
	EXPECT("-a never,exit -S openat -F success=1\n-a always,exit -S openat -k k\n", &f, 1);
	f.have_result = A;
	EXPECT("-a always,exit -S openat -F success=0 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F exit!=0 -k k\n", &f, NONE);
}

static void test_args(void **state)
{
	struct rules_facts f;

	(void)state;
	base(&f);
	f.a[1] = O_WRONLY | O_CREAT | 0x100000000ULL; /* upper bits are not compared */
	EXPECT("-a always,exit -S openat -F a1&0100 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F a1&01000 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F a1&=0101 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F a1=0101 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F a0=-100 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F a0=4294967196 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F a2=0 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F a3!=0 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F a2>0 -k k\n", &f, NONE);
	f.have_args = U;
	EXPECT("-a always,exit -S openat -F a3=7 -k k\n", &f, 0);
	EXPECT("-a never,exit -S openat -F a3=7\n-a always,exit -S openat -k k\n", &f, 1);
}

static void test_path_dir(void **state)
{
	struct rules_facts f;

	(void)state;
	base(&f);
	EXPECT("-a always,exit -F path=/etc/passwd -k k\n", &f, 0);
	EXPECT("-a always,exit -F path=/etc/passw -k k\n", &f, NONE);
	EXPECT("-a always,exit -F path=/etc -k k\n", &f, NONE);
	EXPECT("-a always,exit -F dir=/etc -k k\n", &f, 0);
	EXPECT("-a always,exit -F dir=/etc/ -k k\n", &f, 0);
	EXPECT("-a always,exit -F dir=/ -k k\n", &f, 0);
	EXPECT("-a always,exit -F dir=/etc/passwd -k k\n", &f, 0);
	/* rule paths are normalized as records' paths are */
	EXPECT("-w /etc//./passwd -p r -k k\n", &f, 0);
	EXPECT("-a always,exit -F dir=/etc/ssh/../ -k k\n", &f, 0);
	EXPECT("-a always,exit -F path=/etc/x/../passwd -k k\n", &f, 0);
	/* component boundary */
	f.path[0] = "/etc/sshd_config";
	EXPECT("-a always,exit -F dir=/etc/ssh -k k\n", &f, NONE);
	f.path[0] = "/etc/ssh";
	EXPECT("-a always,exit -F dir=/etc/ssh -k k\n", &f, 0);
	f.path[0] = "/etc/ssh/sshd_config.d/x.conf";
	EXPECT("-a always,exit -F dir=/etc/ssh -k k\n", &f, 0);
	/* either path of a two-path call (rename onto the watched file) */
	f.nr = 82;
	f.path[0] = "/etc/passwd+";
	f.have_path[1] = K;
	f.path[1] = "/etc/passwd";
	EXPECT("-w /etc/passwd -p wa -k identity\n", &f, 0);
	f.path[1] = "/tmp/x";
	EXPECT("-w /etc/passwd -p wa -k identity\n", &f, NONE);
	/* one path unknown: an always rule records, a never rule does not suppress */
	f.have_path[1] = U;
	f.path[1] = NULL;
	EXPECT("-w /etc/passwd -p wa -k identity\n", &f, 0);
	EXPECT("-a never,exit -F dir=/tmp\n-a always,exit -S rename -k k\n", &f, 1);
	/* a known match decides even when the other path is unknown */
	f.path[0] = "/tmp/y";
	EXPECT("-a never,exit -F dir=/tmp\n-a always,exit -S rename -k k\n", &f, NONE);
	/* no path at all (setuid): false, as the kernel finds no name */
	base(&f);
	f.nr = 105;
	f.have_path[0] = A;
	f.path[0] = NULL;
	EXPECT("-a always,exit -F dir=/ -k k\n", &f, NONE);
	EXPECT("-a always,exit -S setuid -k k\n", &f, 0);
}

static void test_exe(void **state)
{
	struct rules_facts f;

	(void)state;
	base(&f);
	EXPECT("-a always,exit -S openat -F exe=/usr/bin/cat -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F exe=/usr/bin/ca -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F exe!=/usr/bin/cat -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F exe!=/bin/sh -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F exe=/usr//bin/./cat -k k\n", &f, 0);
	f.exe = NULL;
	EXPECT("-a always,exit -S openat -F exe=/bin/sh -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F exe!=/bin/sh -k k\n", &f, 0);
	EXPECT("-a never,exit -F exe=/usr/bin/cat\n-a always,exit -S openat -k k\n", &f, 1);
}

static void test_object(void **state)
{
	struct rules_facts f;

	(void)state;
	base(&f);
	f.inode = 0x500000000ULL + 1234; /* compared on 32 bits, as the kernel */
	f.obj_uid = 0;
	f.obj_gid = 42;
	EXPECT("-a always,exit -S openat -F filetype=file -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F filetype=dir -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F filetype!=dir -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F obj_uid=root -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F obj_uid>0 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F obj_gid=42 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F obj_gid!=42 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F inode=1234 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F inode!=1234 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F devmajor=8 -F devminor=1 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F devmajor=8 -F devminor=2 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F devmajor!=8 -k k\n", &f, NONE);
	f.mode = 0020620;
	EXPECT("-a always,exit -S openat -F filetype=character -k k\n", &f, 0);
	f.mode = 0040755;
	EXPECT("-a always,exit -S openat -F filetype=dir -k k\n", &f, 0);
	/* object unknown (the kernel side did not fill it) */
	f.have_obj = U;
	EXPECT("-a always,exit -S openat -F obj_uid=7 -k k\n", &f, 0);
	EXPECT("-a never,exit -S openat -F obj_uid=0\n-a always,exit -S openat -k k\n", &f, 1);
	/* no object (a setuid): false for every operator, as the kernel with no name */
	f.have_obj = A;
	EXPECT("-a always,exit -S openat -F obj_uid=0 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F inode!=1 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F filetype!=dir -k k\n", &f, NONE);
}

static void test_compare(void **state)
{
	struct rules_facts f;

	(void)state;
	base(&f);
	EXPECT("-a always,exit -S openat -C uid!=euid -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -C uid=euid -k k\n", &f, 0);
	f.euid = 0;
	EXPECT("-a always,exit -S openat -C uid!=euid -F euid=0 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -C auid!=obj_uid -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -C euid=obj_uid -k k\n", &f, 0);
	f.obj_gid = 1000;
	EXPECT("-a always,exit -S openat -C gid=obj_gid -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -C fsgid!=obj_gid -k k\n", &f, NONE);
	f.have_obj = A;
	EXPECT("-a always,exit -S openat -C auid!=obj_uid -k k\n", &f, NONE);
	f.have_obj = U;
	EXPECT("-a always,exit -S openat -C auid=obj_uid -k k\n", &f, 0);
}

static void set_v4(uint8_t *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
	memset(a, 0, 16);
	a[0] = x, a[1] = y, a[2] = z, a[3] = w;
}

static void test_network(void **state)
{
	struct rules_facts f;

	(void)state;
	base(&f);
	f.nr = 42; /* connect */
	f.have_path[0] = A;
	f.have_obj = A;
	f.saddr_fam = AF_INET;
	f.have_laddr = f.have_raddr = K;
	f.lfamily = f.rfamily = AF_INET;
	set_v4(f.laddr, 10, 1, 2, 3);
	set_v4(f.raddr, 192, 168, 7, 9);
	f.lport = 40000;
	f.rport = 443;
	EXPECT("-a always,exit -S connect -F saddr_fam=inet -k k\n", &f, 0);
	EXPECT("-a always,exit -S connect -F saddr_fam=inet6 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S connect -F saddr_fam!=unix -k k\n", &f, 0);
	EXPECT("-a always,exit -S connect -F raddr=192.168.0.0/16 -k k\n", &f, 0);
	EXPECT("-a always,exit -S connect -F raddr=192.168.7.10/31 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S connect -F raddr=192.168.7.8/30 -k k\n", &f, 0);
	EXPECT("-a always,exit -S connect -F raddr=192.168.7.9 -k k\n", &f, 0);
	EXPECT("-a always,exit -S connect -F raddr!=10.0.0.0/8 -k k\n", &f, 0);
	EXPECT("-a always,exit -S connect -F laddr=10.0.0.0/8 -k k\n", &f, 0);
	EXPECT("-a always,exit -S connect -F laddr!=10.0.0.0/8 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S connect -F raddr=0.0.0.0/0 -k k\n", &f, 0);
	/* families do not mix; an IPv6 rule never matches an IPv4 address */
	EXPECT("-a always,exit -S connect -F raddr=::/0 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S connect -F raddr!=::/0 -k k\n", &f, 0);
	EXPECT("-a always,exit -S connect -F rport=443 -k k\n", &f, 0);
	EXPECT("-a always,exit -S connect -F rport<1024 -F lport>=32768 -k k\n", &f, 0);
	EXPECT("-a always,exit -S connect -F rport!=443 -k k\n", &f, NONE);
	/* IPv6, and IPv4-mapped IPv6 counting as IPv4 */
	f.rfamily = AF_INET6;
	memset(f.raddr, 0, 16);
	f.raddr[0] = 0xfd, f.raddr[15] = 1;
	EXPECT("-a always,exit -S connect -F raddr=fd00::/8 -k k\n", &f, 0);
	EXPECT("-a always,exit -S connect -F raddr=fe80::/10 -k k\n", &f, NONE);
	memset(f.raddr, 0, 16);
	f.raddr[10] = f.raddr[11] = 0xff;
	f.raddr[12] = 127, f.raddr[15] = 1;
	EXPECT("-a always,exit -S connect -F raddr=127.0.0.0/8 -k k\n", &f, 0);
	/* no peer (listen): absent, false either way; not in the record: unknown */
	f.have_raddr = A;
	f.rport = RULES_NUM_ABSENT;
	EXPECT("-a always,exit -S connect -F raddr!=10.0.0.0/8 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S connect -F rport>0 -k k\n", &f, NONE);
	f.have_raddr = U;
	f.rport = RULES_NUM_UNKNOWN;
	f.saddr_fam = RULES_NUM_UNKNOWN;
	EXPECT("-a always,exit -S connect -F raddr=10.0.0.0/8 -k k\n", &f, 0);
	EXPECT("-a always,exit -S connect -F rport=1 -k k\n", &f, 0);
	EXPECT("-a always,exit -S connect -F saddr_fam=netlink -k k\n", &f, 0);
	EXPECT("-a never,exit -S connect -F raddr=10.0.0.0/8\n-a always,exit -S connect -k k\n", &f,
	       1);
	f.saddr_fam = RULES_NUM_ABSENT;
	EXPECT("-a always,exit -S connect -F saddr_fam!=inet -k k\n", &f, NONE);
}

static void test_origin(void **state)
{
	struct rules_facts f;

	(void)state;
	base(&f);
	/* no origin: not from any network */
	EXPECT("-a always,exit -S openat -F origin=0.0.0.0/0 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F origin!=10.0.0.0/8 -k k\n", &f, 0);
	f.have_origin = K;
	f.ofamily = AF_INET;
	set_v4(f.oaddr, 10, 9, 8, 7);
	EXPECT("-a always,exit -S openat -F origin=10.0.0.0/8 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F origin!=10.0.0.0/8 -k k\n", &f, NONE);
	EXPECT("-a always,exit -S openat -F origin=10.9.8.6/31 -k k\n", &f, 0);
	EXPECT("-a always,exit -S openat -F origin=10.9.8.8/31 -k k\n", &f, NONE);
	f.have_origin = U;
	EXPECT("-a always,exit -S openat -F origin=192.0.2.0/24 -k k\n", &f, 0);
	/* on the task list too: a never,task rule on an unknown origin suppresses nothing */
	EXPECT("-a never,task -F origin=10.0.0.0/8\n-a always,exit -S openat -k k\n", &f, 1);
}

/* perm on opens: the access mode (ACC_MODE) decides; O_CREAT/O_TRUNC do not count. */
static void test_perm_open(void **state)
{
	static const struct {
		unsigned nr;
		uint32_t flags;
		const char *perm;
		int match;
	} t[] = {
	    {257, O_RDONLY, "r", 1},
	    {257, O_RDONLY, "w", 0},
	    {257, O_WRONLY, "w", 1},
	    {257, O_WRONLY, "r", 0},
	    {257, O_RDWR, "r", 1},
	    {257, O_RDWR, "w", 1},
	    {257, O_RDONLY | O_TRUNC, "w", 0},
	    {257, O_RDONLY | O_CREAT, "w", 0},
	    {257, O_WRONLY | O_CREAT, "wa", 1},
	    {257, O_RDONLY, "wa", 0},
	    {257, O_RDONLY, "x", 0},
	    {257, O_RDONLY, "a", 0},
	    {2, O_WRONLY, "w", 1},
	    {2, O_RDONLY, "w", 0},
	    {437, O_RDWR, "w", 1},
	    {437, O_RDONLY, "w", 0},
	    {304, O_RDONLY, "r", 1},
	    {304, O_WRONLY, "r", 0},
	    {304, O_WRONLY, "w", 1},
	    {257, 3, "r", 1},
	};
	struct rules_facts f;
	char rule[128];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		base(&f);
		f.nr = t[i].nr;
		f.open_flags = t[i].flags;
		snprintf(rule, sizeof(rule), "-w /etc/passwd -p %s -k k\n", t[i].perm);
		if (sel(rule, &f) != (t[i].match ? 0 : NONE))
			fail_msg("nr %u flags %#o -p %s: want %s", t[i].nr, t[i].flags, t[i].perm,
				 t[i].match ? "match" : "none");
	}
	/* open flags unknown: an always rule records, a never rule does not suppress */
	base(&f);
	f.have_open_flags = U;
	EXPECT("-w /etc/passwd -p w -k k\n", &f, 0);
	EXPECT("-a never,exit -F path=/etc/passwd -F perm=w\n-a always,exit -S openat -k k\n", &f,
	       1);
}

/* perm on the other classes: the syscall decides (bitmap narrowed by the compiler). */
static void test_perm_classes(void **state)
{
	static const struct {
		unsigned nr;
		const char *perm;
		int match;
	} t[] = {
	    {90, "a", 1},     {90, "w", 0},  {90, "r", 0},  /* chmod */
	    {92, "a", 1},     {188, "a", 1},		    /* chown, setxattr */
	    {82, "w", 1},     {82, "a", 0},		    /* rename */
	    {87, "w", 1},     {87, "r", 0},		    /* unlink */
	    {85, "w", 1},     {85, "r", 0},		    /* creat: in the write class */
	    {86, "w", 1},     {86, "a", 1},		    /* link: write and attr */
	    {76, "w", 1},     {89, "r", 1},  {89, "w", 0},  /* truncate, readlink */
	    {59, "x", 1},     {59, "r", 0},  {322, "x", 1}, /* execve, execveat */
	    {105, "rwxa", 0},				    /* setuid: no class */
	};
	struct rules_facts f;
	char rule[128];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		base(&f);
		f.nr = t[i].nr;
		snprintf(rule, sizeof(rule), "-w /etc/passwd -p %s -k k\n", t[i].perm);
		if (sel(rule, &f) != (t[i].match ? 0 : NONE))
			fail_msg("nr %u -p %s: want %s", t[i].nr, t[i].perm,
				 t[i].match ? "match" : "none");
	}
	/* an exec record (no syscall row) is in no class */
	base(&f);
	f.nr = CA_SYSCALL_MAX;
	EXPECT("-a always,exit -F perm=x -k k\n", &f, NONE);
	EXPECT("-a always,exit -F auid=1000\n", &f, 0);
}

static void test_first_match(void **state)
{
	struct rules_facts f;

	(void)state;
	base(&f);
	/* first match decides: never first suppresses, always first records */
	EXPECT("-a never,exit -S openat -F uid=1000\n"
	       "-a always,exit -S openat -k a\n",
	       &f, NONE);
	EXPECT("-a always,exit -S openat -k a\n"
	       "-a never,exit -S openat -F uid=1000\n",
	       &f, 0);
	/* rules that do not match are passed over; the index is rules_at order */
	EXPECT("-a always,exit -S openat -F uid=0 -k a\n"
	       "-a never,exit -S openat -F uid=0\n"
	       "-a always,exit -S close -k b\n"
	       "-a always,exit -S openat -F auid>=1000 -k c\n"
	       "-a always,exit -S openat -k d\n",
	       &f, 3);
	/* -A puts a rule first: the last -A is evaluated first */
	EXPECT("-a always,exit -S openat -k a\n"
	       "-A never,exit -S openat -F uid=1000\n",
	       &f, NONE);
	EXPECT("-a always,exit -S openat -k a\n"
	       "-A always,exit -S openat -k b\n"
	       "-A always,exit -S openat -F uid=0 -k c\n",
	       &f, 1);
	/* -S all, and no -S, apply to every syscall */
	EXPECT("-a always,exit -S close -k a\n-a always,exit -S all -F uid=1000 -k b\n", &f, 1);
	EXPECT("-a always,exit -S close -k a\n-a always,exit -F uid=1000\n", &f, 1);
	/* nothing matches */
	EXPECT("-a always,exit -S close -k a\n", &f, NONE);
	EXPECT("", &f, NONE);
	/* -D drops what came before */
	EXPECT("-a always,exit -S openat -k a\n-D\n-a always,exit -S openat -k b\n", &f, 0);
}

/* The task list: evaluated for every operation, first match; always,task records nothing. */
static void test_task_list(void **state)
{
	struct rules_facts f;

	(void)state;
	base(&f);
	EXPECT("-a never,task -F uid=1000\n-a always,exit -S openat -k a\n", &f, NONE);
	EXPECT("-a never,task -F uid=0\n-a always,exit -S openat -k a\n", &f, 1);
	/* an earlier always,task rule ends the task list before the never rule */
	EXPECT("-a always,task -F auid=1000\n-a never,task\n-a always,exit -S openat -k a\n", &f,
	       2);
	EXPECT("-a always,task -F auid=0\n-a never,task\n-a always,exit -S openat -k a\n", &f,
	       NONE);
	/* always,task alone records nothing */
	EXPECT("-a always,task\n", &f, NONE);
	/* the task list also applies to records of no syscall */
	f.nr = CA_SYSCALL_MAX;
	EXPECT("-a never,task -F uid=1000\n-a always,exit\n", &f, NONE);
	EXPECT("-a never,task -F uid=1\n-a always,exit\n", &f, 1);
}

static void test_arch(void **state)
{
	struct rules_facts f;

	(void)state;
	base(&f);
	f.nr = 2; /* open, x86_64 number */
	EXPECT("-a always,exit -F arch=b64 -S open -k k\n", &f, 0);
	EXPECT("-a always,exit -F arch=b32 -S open -k k\n", &f, NONE);
	EXPECT("-a always,exit -F arch!=b32 -S open -k k\n", &f, 0);
	/* a 32-bit open: the record carries row 2, b32 rules name i386 open = 5 */
	f.abi = RULES_ABI_32;
	EXPECT("-a always,exit -F arch=b32 -S open -k k\n", &f, 0);
	EXPECT("-a always,exit -F arch=b32 -S 5 -k k\n", &f, 0);
	EXPECT("-a always,exit -F arch=b64 -S open -k k\n", &f, NONE);
	/* without arch, -S open is number 2 in both ABIs (i386 fork), as auditd */
	EXPECT("-a always,exit -S open -k k\n", &f, NONE);
	EXPECT("-a always,exit -F arch=b32 -S fork -k k\n", &f, NONE);
	EXPECT("-a always,exit -S all -k k\n", &f, 0);
	EXPECT("-a always,exit -F arch=b64 -S all -k k\n", &f, NONE);
	/* i386-only numbering: fchownat is 298 on i386, 260 on x86_64 */
	f.nr = 260;
	EXPECT("-a always,exit -F arch=b32 -S fchownat -F auid>=1000 -k k\n", &f, 0);
	EXPECT("-a always,exit -F arch=b32 -S 260 -k k\n", &f, NONE);
	/* perm classes per ABI: a 32-bit chmod (i386 15) */
	f.nr = 90;
	EXPECT("-w /etc/passwd -p a -k k\n", &f, 0);
	EXPECT("-w /etc/passwd -p w -k k\n", &f, NONE);
	/* a 32-bit call caudit has no i386 number for: only rules for every syscall */
	f.nr = 0; /* read: not in the ia32 table */
	EXPECT("-a always,exit -F arch=b32 -S read -k k\n-a always,exit -S all -k all\n", &f, 1);
	EXPECT("-a always,exit -F perm=r -k k\n", &f, NONE);
}

/* Fields caudit cannot honour: dropped in always rules, never rules disabled. */
static void test_ignored_and_inert(void **state)
{
	struct rules_facts f;

	(void)state;
	base(&f);
	EXPECT("-a always,exit -S openat -F subj_type=foo_t -k k\n", &f, 0);
	EXPECT("-a never,exit -S openat -F subj_type=foo_t\n-a always,exit -S openat -k k\n", &f,
	       1);
	/* an unknown user makes the rule inert */
	EXPECT("-a always,exit -S openat -F uid=nosuchuser -k k\n", &f, NONE);
	EXPECT("-a never,exit -S openat -F uid=nosuchuser\n-a always,exit -S openat -k k\n", &f, 1);
	/* exclude, user and filesystem lists have no effect */
	EXPECT("-a never,exclude -F msgtype=1300\n-a always,exit -S openat -k k\n", &f, 1);
	EXPECT("-a never,user -F uid=1000\n-a always,exit -S openat -k k\n", &f, 1);
	EXPECT("-a never,filesystem -F fstype=tracefs\n-a always,exit -S openat -k k\n", &f, 1);
}

static void test_not_compiled(void **state)
{
	struct rules_policy *p = rules_new(&env);
	const char *text = "-a always,exit -S openat -k k\n";
	struct rules_facts f;
	unsigned r = 7;

	(void)state;
	base(&f);
	rules_parse(p, "t.rules", text, strlen(text));
	assert_int_equal(rules_match(p, &f, &r), 0);
	assert_int_equal(r, 7);
	assert_int_equal(rules_compile(p), 0);
	assert_int_equal(rules_match(p, &f, &r), 1);
	assert_int_equal(r, 0);
	f.abi = 5;
	assert_int_equal(rules_match(p, &f, &r), 0);
	rules_free(p);
}

/* Lines of Debian's 30-stig.rules, in their order. */
static const char stig[] =
    "-a always,exit -F arch=b32 -S adjtimex,settimeofday,stime -F key=time-change\n" /* 0 */
    "-a always,exit -F arch=b64 -S adjtimex,settimeofday -F key=time-change\n"	     /* 1 */
    "-a always,exit -F arch=b64 -S clock_settime -F a0=0x0 -F key=time-change\n"     /* 2 */
    "-w /etc/passwd -p wa -k identity\n"					     /* 3 */
    "-w /etc/shadow -p wa -k identity\n"					     /* 4 */
    "-a always,exit -F dir=/etc/NetworkManager/ -F perm=wa -F key=system-locale\n"   /* 5 */
    "-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat -F auid>=1000 -F auid!=unset "
    "-F key=perm_mod\n" /* 6 */
    "-a always,exit -F arch=b64 -S open,truncate,ftruncate,creat,openat,openat2,"
    "open_by_handle_at -F exit=-EACCES -F auid>=1000 -F auid!=unset -F key=access\n" /* 7 */
    "-a always,exit -F arch=b32 -S unlink,unlinkat,rename,renameat -F auid>=1000 -F "
    "auid!=unset -F key=delete\n" /* 8 */
    "-a always,exit -F arch=b64 -S unlink,unlinkat,rename,renameat -F auid>=1000 -F "
    "auid!=unset -F key=delete\n"	     /* 9 */
    "-w /etc/sudoers.d/ -p wa -k actions\n"; /* 10 */

static void test_stig(void **state)
{
	struct rules_facts f;

	(void)state;
	base(&f);
	/* reading /etc/passwd is not wanted; writing it is */
	EXPECT(stig, &f, NONE);
	f.open_flags = O_WRONLY | O_TRUNC;
	EXPECT(stig, &f, 3);
	/* chmod of /etc/shadow by a logged-in user: the watch comes first */
	f.nr = 90;
	f.path[0] = "/etc/shadow";
	EXPECT(stig, &f, 4);
	f.path[0] = "/home/alice/x";
	EXPECT(stig, &f, 6);
	f.auid = UINT32_MAX; /* a daemon: no login */
	EXPECT(stig, &f, NONE);
	/* denied open of any file by a user */
	base(&f);
	f.path[0] = "/root/secret";
	f.exit = -EACCES;
	EXPECT(stig, &f, 7);
	f.exit = -ENOENT;
	EXPECT(stig, &f, NONE);
	/* time */
	base(&f);
	f.nr = 227;
	f.a[0] = 0;
	EXPECT(stig, &f, 2);
	f.a[0] = 1; /* CLOCK_MONOTONIC cannot be set: not wanted */
	EXPECT(stig, &f, NONE);
	f.abi = RULES_ABI_32;
	f.nr = 159; /* adjtimex, i386 124 */
	EXPECT(stig, &f, 0);
	/* deletes in both ABIs, and a rename into a watched directory */
	base(&f);
	f.nr = 263;
	f.path[0] = "/tmp/x";
	EXPECT(stig, &f, 9);
	f.abi = RULES_ABI_32; /* unlinkat, i386 301 */
	EXPECT(stig, &f, 8);
	f.nr = 82;
	f.auid = UINT32_MAX;
	f.abi = RULES_ABI_64;
	f.have_path[1] = K;
	f.path[1] = "/etc/sudoers.d/90-x";
	EXPECT(stig, &f, 10);
	f.path[1] = "/etc/NetworkManager/system-connections/a.nmconnection";
	EXPECT(stig, &f, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_operators),	 cmocka_unit_test(test_task_fields),
	    cmocka_unit_test(test_exit_success), cmocka_unit_test(test_args),
	    cmocka_unit_test(test_path_dir),	 cmocka_unit_test(test_exe),
	    cmocka_unit_test(test_object),	 cmocka_unit_test(test_compare),
	    cmocka_unit_test(test_network),	 cmocka_unit_test(test_origin),
	    cmocka_unit_test(test_perm_open),	 cmocka_unit_test(test_perm_classes),
	    cmocka_unit_test(test_first_match),	 cmocka_unit_test(test_task_list),
	    cmocka_unit_test(test_arch),	 cmocka_unit_test(test_ignored_and_inert),
	    cmocka_unit_test(test_not_compiled), cmocka_unit_test(test_stig),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
