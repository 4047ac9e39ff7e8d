/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rules_facts_from_event(): raw records packed by hand as the BPF side
 * writes them (header, string slots, binary payloads), decoded with
 * event_decode(), turned into facts; each fact checked, including which ones
 * are unknown and which absent. Ends with rules_match() on such facts, the
 * path the agent takes.
 */
#include <arpa/inet.h>
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

#include "event_decode.h"
#include "rules.h"
#include "rules_match.h"

#define HDR sizeof(struct ca_event)

struct rec {
	uint8_t *buf;
	struct ca_decoded d;
};

/* Pack hdr and the NUL-less slots s[i] of n[i] bytes into an exact heap buffer and decode it. */
static void pack(struct rec *r, const struct ca_event *hdr, const char *const s[CA_S__COUNT],
		 const size_t n[CA_S__COUNT])
{
	struct ca_event ev = *hdr;
	size_t off = HDR;

	for (int i = 0; i < CA_S__COUNT; i++) {
		ev.str_len[i] = (uint16_t)n[i];
		off += n[i];
	}
	ev.size = (uint32_t)off;
	r->buf = malloc(off);
	assert_non_null(r->buf);
	memcpy(r->buf, &ev, HDR);
	off = HDR;
	for (int i = 0; i < CA_S__COUNT; i++) {
		if (n[i])
			memcpy(r->buf + off, s[i], n[i]);
		off += n[i];
	}
	assert_int_equal(event_decode(r->buf, ev.size, &r->d), (int)ev.size);
}

/* Slots given as C strings (NULL: absent) or, for binary payloads, with explicit sizes. */
struct slots {
	const char *s[CA_S__COUNT];
	size_t n[CA_S__COUNT];
};

static void slot_str(struct slots *sl, int i, const char *s)
{
	sl->s[i] = s;
	sl->n[i] = s ? strlen(s) : 0;
}

static void hdr(struct ca_event *ev, uint16_t type, unsigned nr)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->syscall_nr = nr;
	ev->task.pid = 500;
	ev->task.tid = 501;
	ev->task.ppid = 1;
	ev->task.uid = 1000, ev->task.euid = 0, ev->task.suid = 2, ev->task.fsuid = 3;
	ev->task.gid = 100, ev->task.egid = 101, ev->task.sgid = 102, ev->task.fsgid = 103;
	ev->task.auid = 1000;
	ev->task.sessionid = 9;
}

static void test_open_relative(void **state)
{
	static char buf[RULES_FACTS_PATHBUF];
	struct slots sl = {0};
	struct ca_event ev;
	struct rules_facts f;
	struct rec r;

	(void)state;
	hdr(&ev, CA_EV_SYSCALL, 257);
	ev.ret = -13;
	ev.args[0] = (uint64_t)(int64_t)AT_FDCWD;
	ev.args[1] = 0x1000;
	ev.args[2] = O_WRONLY | O_CREAT;
	ev.aux[CA_AUX_OPEN_FLAGS] = O_WRONLY | O_CREAT;
	slot_str(&sl, CA_S_PATH, "../etc/./shadow");
	slot_str(&sl, CA_S_PATH_BASE, "/var/tmp");
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.abi, RULES_ABI_64);
	assert_int_equal(f.nr, 257);
	assert_int_equal(f.pid, 500);
	assert_int_equal(f.ppid, 1);
	assert_int_equal(f.uid, 1000);
	assert_int_equal(f.euid, 0);
	assert_int_equal(f.suid, 2);
	assert_int_equal(f.fsuid, 3);
	assert_int_equal(f.gid, 100);
	assert_int_equal(f.egid, 101);
	assert_int_equal(f.sgid, 102);
	assert_int_equal(f.fsgid, 103);
	assert_int_equal(f.auid, 1000);
	assert_int_equal(f.sessionid, 9);
	assert_int_equal(f.have_pers, RULES_FACT_UNKNOWN);
	assert_int_equal(f.have_result, RULES_FACT_KNOWN);
	assert_int_equal(f.exit, -13);
	assert_int_equal(f.have_args, RULES_FACT_KNOWN);
	assert_int_equal(f.a[0], (uint64_t)(int64_t)AT_FDCWD);
	assert_int_equal(f.a[2], O_WRONLY | O_CREAT);
	assert_int_equal(f.have_path[0], RULES_FACT_KNOWN);
	assert_string_equal(f.path[0], "/var/etc/shadow");
	assert_int_equal(f.have_path[1], RULES_FACT_ABSENT);
	assert_null(f.exe);
	assert_int_equal(f.have_open_flags, RULES_FACT_KNOWN);
	assert_int_equal(f.open_flags, O_WRONLY | O_CREAT);
	/* the kernel side did not fill the object: unknown, not absent */
	assert_int_equal(f.have_obj, RULES_FACT_UNKNOWN);
	assert_int_equal(f.saddr_fam, RULES_NUM_ABSENT);
	assert_int_equal(f.have_laddr, RULES_FACT_ABSENT);
	assert_int_equal(f.have_raddr, RULES_FACT_ABSENT);
	assert_int_equal(f.lport, RULES_NUM_ABSENT);
	assert_int_equal(f.have_origin, RULES_FACT_ABSENT);
	free(r.buf);

	/* a relative path without its base cannot be placed: unknown */
	sl.s[CA_S_PATH_BASE] = NULL;
	sl.n[CA_S_PATH_BASE] = 0;
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.have_path[0], RULES_FACT_UNKNOWN);
	assert_null(f.path[0]);
	free(r.buf);
}

static void test_flags(void **state)
{
	static char buf[RULES_FACTS_PATHBUF];
	struct slots sl = {0};
	struct ca_event ev;
	struct rules_facts f;
	struct rec r;

	(void)state;
	/* a 32-bit openat2 through io_uring with skip-success; the object known */
	hdr(&ev, CA_EV_SYSCALL, 437);
	ev.flags = CA_F_ABI_IA32 | CA_F_VIA_URING | CA_F_NO_RESULT | CA_F_PATH_KERNEL | CA_F_OBJ;
	ev.aux[CA_AUX_OPEN_FLAGS] = O_RDWR;
	ev.obj.ino = 0x123456789ULL;
	ev.obj.dev = (259u << 20) | 65536u;
	ev.obj.mode = 0100600;
	ev.obj.uid = 7;
	ev.obj.gid = 8;
	ev.task.origin.family = AF_INET6;
	ev.task.origin.addr[0] = 0x20, ev.task.origin.addr[1] = 0x01, ev.task.origin.addr[15] = 5;
	slot_str(&sl, CA_S_PATH, "/srv/data");
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.abi, RULES_ABI_32);
	assert_int_equal(f.nr, 437);
	assert_int_equal(f.have_result, RULES_FACT_UNKNOWN);
	assert_string_equal(f.path[0], "/srv/data");
	assert_int_equal(f.have_obj, RULES_FACT_KNOWN);
	assert_int_equal(f.inode, 0x123456789ULL);
	assert_int_equal(f.devmajor, 259);
	assert_int_equal(f.devminor, 65536);
	assert_int_equal(f.mode, 0100600);
	assert_int_equal(f.obj_uid, 7);
	assert_int_equal(f.obj_gid, 8);
	assert_int_equal(f.have_origin, RULES_FACT_KNOWN);
	assert_int_equal(f.ofamily, AF_INET6);
	assert_memory_equal(f.oaddr, ev.task.origin.addr, 16);
	assert_int_equal(f.have_open_flags, RULES_FACT_KNOWN);
	free(r.buf);

	/* an unreadable open_how: the flags are a placeholder, so unknown */
	ev.flags = CA_F_READ_FAULT | CA_F_PATH_KERNEL;
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.have_open_flags, RULES_FACT_UNKNOWN);
	assert_int_equal(f.have_obj, RULES_FACT_UNKNOWN);
	free(r.buf);

	/* a cut path is no path to compare: unknown */
	ev.flags = CA_F_PATH_TRUNC | CA_F_PATH_KERNEL;
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.have_path[0], RULES_FACT_UNKNOWN);
	assert_null(f.path[0]);
	free(r.buf);

	/* no room for the path in the caller's buffer: unknown, never cut */
	ev.flags = CA_F_PATH_KERNEL;
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, 5, &f), 0);
	assert_int_equal(f.have_path[0], RULES_FACT_UNKNOWN);
	assert_int_equal(rules_facts_from_event(&r.d, NULL, 0, &f), 0);
	assert_int_equal(f.have_path[0], RULES_FACT_UNKNOWN);
	free(r.buf);

	/* args unknown without the enter */
	hdr(&ev, CA_EV_SYSCALL, 105);
	ev.flags = CA_F_NO_ENTER;
	memset(&sl, 0, sizeof(sl));
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.have_args, RULES_FACT_UNKNOWN);
	assert_int_equal(f.have_path[0], RULES_FACT_ABSENT);
	assert_int_equal(f.have_obj, RULES_FACT_ABSENT);
	free(r.buf);

	/* a syscall record of no captured syscall is refused */
	hdr(&ev, CA_EV_SYSCALL, 0);
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), -EINVAL);
	free(r.buf);
}

static void test_rename(void **state)
{
	static char buf[RULES_FACTS_PATHBUF];
	struct slots sl = {0};
	struct ca_event ev;
	struct rules_facts f;
	struct rec r;

	(void)state;
	hdr(&ev, CA_EV_SYSCALL, 316);
	ev.flags = CA_F_PATH2_KERNEL;
	slot_str(&sl, CA_S_PATH, "new.tmp");
	slot_str(&sl, CA_S_PATH_BASE, "/etc/");
	slot_str(&sl, CA_S_PATH2, "/etc/passwd");
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_string_equal(f.path[0], "/etc/new.tmp");
	assert_string_equal(f.path[1], "/etc/passwd");
	assert_int_equal(f.have_path[1], RULES_FACT_KNOWN);
	assert_int_equal(f.have_open_flags, RULES_FACT_ABSENT);
	free(r.buf);

	/* the second path expected but missing (read fault): unknown */
	sl.s[CA_S_PATH2] = NULL;
	sl.n[CA_S_PATH2] = 0;
	ev.flags = CA_F_READ_FAULT;
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.have_path[0], RULES_FACT_KNOWN);
	assert_int_equal(f.have_path[1], RULES_FACT_UNKNOWN);
	free(r.buf);
}

static void test_net(void **state)
{
	static char buf[RULES_FACTS_PATHBUF];
	struct slots sl = {0};
	struct ca_net_info ni;
	struct ca_event ev;
	struct rules_facts f;
	struct rec r;

	(void)state;
	memset(&ni, 0, sizeof(ni));
	ni.family = AF_INET;
	ni.type = SOCK_STREAM;
	ni.sport = 40000;
	ni.dport = 22;
	ni.flags = CA_NET_HAVE_SRC | CA_NET_HAVE_DST;
	inet_pton(AF_INET, "10.0.0.5", ni.saddr);
	inet_pton(AF_INET, "192.0.2.1", ni.daddr);
	hdr(&ev, CA_EV_SYSCALL, 42);
	sl.s[CA_S_AUX] = (const char *)&ni;
	sl.n[CA_S_AUX] = sizeof(ni);
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.saddr_fam, AF_INET);
	assert_int_equal(f.have_laddr, RULES_FACT_KNOWN);
	assert_int_equal(f.lfamily, AF_INET);
	assert_memory_equal(f.laddr, ni.saddr, 4);
	assert_int_equal(f.lport, 40000);
	assert_int_equal(f.have_raddr, RULES_FACT_KNOWN);
	assert_memory_equal(f.raddr, ni.daddr, 4);
	assert_int_equal(f.rport, 22);
	assert_int_equal(f.have_path[0], RULES_FACT_ABSENT);
	assert_int_equal(f.have_obj, RULES_FACT_ABSENT);
	free(r.buf);

	/* listen: no peer, no sockaddr */
	ni.flags = CA_NET_HAVE_SRC;
	ev.syscall_nr = 50;
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.saddr_fam, RULES_NUM_ABSENT);
	assert_int_equal(f.have_raddr, RULES_FACT_ABSENT);
	assert_int_equal(f.rport, RULES_NUM_ABSENT);
	assert_int_equal(f.lport, 40000);
	free(r.buf);

	/* a unix socket: its file is the path, no IP endpoints */
	memset(&ni, 0, sizeof(ni));
	ni.family = AF_UNIX;
	ev.syscall_nr = 42;
	slot_str(&sl, CA_S_PATH, "/run/x.sock");
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.saddr_fam, AF_UNIX);
	assert_string_equal(f.path[0], "/run/x.sock");
	assert_int_equal(f.have_laddr, RULES_FACT_ABSENT);
	free(r.buf);
	ni.flags = CA_NET_UNIX_ABSTRACT;
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.have_path[0], RULES_FACT_ABSENT);
	free(r.buf);

	/* a payload of the wrong size: the socket is unknown */
	sl.n[CA_S_AUX] = sizeof(ni) - 1;
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.saddr_fam, RULES_NUM_UNKNOWN);
	assert_int_equal(f.have_raddr, RULES_FACT_UNKNOWN);
	assert_int_equal(f.rport, RULES_NUM_UNKNOWN);
	free(r.buf);
}

static void test_process_records(void **state)
{
	static char buf[RULES_FACTS_PATHBUF];
	struct slots sl = {0};
	struct ca_event ev;
	struct rules_facts f;
	struct rec r;

	(void)state;
	/* exec seen without its enter: execve; the image and the name as given */
	hdr(&ev, CA_EV_PROC_EXEC, CA_SYSCALL_MAX);
	slot_str(&sl, CA_S_PATH, "./run.sh");
	slot_str(&sl, CA_S_EXE, "/usr/bin/bash");
	slot_str(&sl, CA_S_CWD, "/home/alice");
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.nr, 59);
	assert_int_equal(f.have_result, RULES_FACT_KNOWN);
	assert_int_equal(f.exit, 0);
	assert_int_equal(f.have_args, RULES_FACT_UNKNOWN);
	assert_string_equal(f.exe, "/usr/bin/bash");
	assert_string_equal(f.path[0], "/usr/bin/bash");
	assert_string_equal(f.path[1], "/home/alice/run.sh");
	free(r.buf);
	/* execveat when its enter was seen */
	ev.syscall_nr = 322;
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.nr, 322);
	free(r.buf);

	/* fork: no syscall row, the result is the child */
	memset(&sl, 0, sizeof(sl));
	hdr(&ev, CA_EV_PROC_FORK, CA_SYSCALL_MAX);
	ev.aux[CA_AUX_FORK_CHILD_PID] = 777;
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.nr, CA_SYSCALL_MAX);
	assert_int_equal(f.have_result, RULES_FACT_KNOWN);
	assert_int_equal(f.exit, 777);
	assert_int_equal(f.have_path[0], RULES_FACT_ABSENT);
	free(r.buf);

	/* exit: nothing returns */
	hdr(&ev, CA_EV_PROC_EXIT, CA_SYSCALL_MAX);
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.have_result, RULES_FACT_ABSENT);
	assert_int_equal(f.have_args, RULES_FACT_ABSENT);
	free(r.buf);

	/* signal: sent before the call returns */
	hdr(&ev, CA_EV_SIGNAL, 62);
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(f.nr, 62);
	assert_int_equal(f.have_result, RULES_FACT_UNKNOWN);
	free(r.buf);
}

/* The agent's path: record -> facts -> policy. */
static void test_record_to_match(void **state)
{
	static const char text[] = "-a never,exit -F arch=b64 -S all -F exe=/usr/sbin/cron\n"
				   "-w /etc/shadow -p wa -k identity\n"
				   "-a always,exit -F arch=b32 -S open -F success=0 -k denied32\n"
				   "-a always,exit -F arch=b64 -S execve -F auid>=1000 -F "
				   "auid!=unset -k user-exec\n"
				   "-a always,exit -S connect -F raddr=192.0.2.0/24 -F rport=22 -k "
				   "ssh-out\n";
	static const struct rules_env env = {NULL, NULL, NULL, NULL};
	static char buf[RULES_FACTS_PATHBUF];
	struct rules_policy *p = rules_new(&env);
	struct slots sl = {0};
	struct ca_net_info ni;
	struct ca_event ev;
	struct rules_facts f;
	struct rec r;
	unsigned rule = 99;

	(void)state;
	rules_parse(p, "t.rules", text, strlen(text));
	assert_int_equal(rules_compile(p), 0);

	/* O_WRONLY openat of ../shadow from /etc/ssh */
	hdr(&ev, CA_EV_SYSCALL, 257);
	ev.aux[CA_AUX_OPEN_FLAGS] = O_WRONLY;
	slot_str(&sl, CA_S_PATH, "../shadow");
	slot_str(&sl, CA_S_PATH_BASE, "/etc/ssh");
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(rules_match(p, &f, &rule), 1);
	assert_int_equal(rule, 1);
	/* read-only: not wanted */
	free(r.buf);
	ev.aux[CA_AUX_OPEN_FLAGS] = O_RDONLY;
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(rules_match(p, &f, &rule), 0);
	/* cron writing it: exe unknown in a syscall record until the caller fills it */
	free(r.buf);
	ev.aux[CA_AUX_OPEN_FLAGS] = O_RDWR;
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(rules_match(p, &f, &rule), 1);
	f.exe = "/usr/sbin/cron";
	assert_int_equal(rules_match(p, &f, &rule), 0);
	free(r.buf);

	/* a failed 32-bit open (i386 5, carried as x86_64 row 2) */
	memset(&sl, 0, sizeof(sl));
	hdr(&ev, CA_EV_SYSCALL, 2);
	ev.flags = CA_F_ABI_IA32;
	ev.ret = -2;
	slot_str(&sl, CA_S_PATH, "/nope");
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(rules_match(p, &f, &rule), 1);
	assert_int_equal(rule, 2);
	free(r.buf);

	/* an exec by a logged-in user, seen without its enter */
	memset(&sl, 0, sizeof(sl));
	hdr(&ev, CA_EV_PROC_EXEC, CA_SYSCALL_MAX);
	slot_str(&sl, CA_S_EXE, "/usr/bin/id");
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(rules_match(p, &f, &rule), 1);
	assert_int_equal(rule, 3);
	free(r.buf);

	/* ssh out to 192.0.2.7:22 */
	memset(&sl, 0, sizeof(sl));
	memset(&ni, 0, sizeof(ni));
	ni.family = AF_INET;
	ni.dport = 22;
	ni.flags = CA_NET_HAVE_DST;
	inet_pton(AF_INET, "192.0.2.7", ni.daddr);
	hdr(&ev, CA_EV_SYSCALL, 42);
	sl.s[CA_S_AUX] = (const char *)&ni;
	sl.n[CA_S_AUX] = sizeof(ni);
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(rules_match(p, &f, &rule), 1);
	assert_int_equal(rule, 4);
	free(r.buf);
	ni.dport = 23;
	pack(&r, &ev, sl.s, sl.n);
	assert_int_equal(rules_facts_from_event(&r.d, buf, sizeof(buf), &f), 0);
	assert_int_equal(rules_match(p, &f, &rule), 0);
	free(r.buf);
	rules_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_relative),   cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_rename),	    cmocka_unit_test(test_net),
	    cmocka_unit_test(test_process_records), cmocka_unit_test(test_record_to_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
