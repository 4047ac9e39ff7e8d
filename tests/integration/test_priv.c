/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Privilege operations from real syscalls: credential changes (old and new
 * sets, groups and capabilities, as /proc/self/status shows them around the
 * call), ptrace, process_vm_writev, signals across users and to the agent,
 * memfd_create, and what an unprivileged process is refused (system calls
 * included; their successful forms are in test_system.c).
 *
 * Anything that changes credentials runs in a forked child issuing raw
 * syscall(2) (glibc's set*id broadcast plays no part); results come back
 * through a shared page. The refused calls change nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "rec_check.h"

#define UNUSED __attribute__((unused))
#define NOBODY 65534

#define MAX_GROUPS 32

static struct agent ag;
static char dir[256]; /* mount points, roots, sync markers */

/* ---- credentials as the kernel shows them -------------------------------- */

struct creds {
	long uid[4]; /* real, effective, saved, fs */
	long gid[4];
	int ngroups;
	long groups[MAX_GROUPS];
	unsigned long long cap_inh, cap_prm, cap_eff;
};

static int parse_ids(const char *s, long *out, int max)
{
	int n = 0;
	char *end;

	while (n < max) {
		long v = strtol(s, &end, 10);

		if (end == s)
			break;
		out[n++] = v;
		s = end;
	}
	return n;
}

/* /proc/self/status of the caller (a read-only open: no record). */
static int read_creds(struct creds *c)
{
	char line[512];
	FILE *f = fopen("/proc/self/status", "re");
	int got = 0;

	if (!f)
		return -1;
	memset(c, 0, sizeof(*c));
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Uid:", 4))
			got += parse_ids(line + 4, c->uid, 4) == 4;
		else if (!strncmp(line, "Gid:", 4))
			got += parse_ids(line + 4, c->gid, 4) == 4;
		else if (!strncmp(line, "Groups:", 7))
			c->ngroups = parse_ids(line + 7, c->groups, MAX_GROUPS);
		else if (sscanf(line, "CapInh: %llx", &c->cap_inh) == 1 ||
			 sscanf(line, "CapPrm: %llx", &c->cap_prm) == 1 ||
			 sscanf(line, "CapEff: %llx", &c->cap_eff) == 1)
			got++;
	}
	fclose(f);
	return got == 5 ? 0 : -1;
}

/* One set of the record (cred.old or cred.new) equals c. */
#define CREDS_ARE(ev, side, c) creds_are((ev), (side), (c), __FILE__, __LINE__)

static void creds_are(json_object *ev, const char *side, const struct creds *c, const char *file,
		      int line)
{
	static const char *const u[4] = { "uid", "euid", "suid", "fsuid" };
	static const char *const g[4] = { "gid", "egid", "sgid", "fsgid" };
	const struct {
		const char *name;
		unsigned long long v;
	} caps[3] = { { "effective", c->cap_eff },
		      { "permitted", c->cap_prm },
		      { "inheritable", c->cap_inh } };
	char key[64], hex[24];
	json_object *arr;

	for (int i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "cred.%s.%s", side, u[i]);
		rc_int(ev, key, c->uid[i], file, line);
		snprintf(key, sizeof(key), "cred.%s.%s", side, g[i]);
		rc_int(ev, key, c->gid[i], file, line);
	}
	for (int i = 0; i < 3; i++) {
		snprintf(key, sizeof(key), "cred.%s.caps.%s", side, caps[i].name);
		snprintf(hex, sizeof(hex), "0x%016llx", caps[i].v);
		rc_str(ev, key, hex, file, line);
	}
	snprintf(key, sizeof(key), "cred.%s.groups", side);
	arr = jget(ev, key);
	if (!arr || !json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) != (size_t)c->ngroups) {
		print_error("%s: expected %d groups\n", key, c->ngroups);
		rc_show(ev);
		_fail(file, line);
	}
	for (int i = 0; i < c->ngroups; i++) {
		snprintf(key, sizeof(key), "cred.%s.groups.%d", side, i);
		rc_int(ev, key, c->groups[i], file, line);
	}
}

/* ---- children ------------------------------------------------------------ */

/* What a child reports back, in a page shared with the parent. */
struct child_out {
	struct creds before, after;
	long ret;
	int err;
	int step; /* how far it got, for messages */
	long val[4];
};

static struct child_out *out;

typedef int (*child_fn)(void *arg);

/* Run fn in a forked child; its exit status must be 0. Returns the child's pid. */
static pid_t run_child(child_fn fn, void *arg)
{
	pid_t pid;
	int st;

	memset(out, 0, sizeof(*out));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child failed: status 0x%x, step %d, ret %ld, errno %s", st, out->step,
			 out->ret, strerrorname_np(out->err));
	return pid;
}

/* A cred syscall between two snapshots of the child's credentials. */
struct cred_call {
	long nr;
	long a[3];
	int pre_nobody; /* become uid/gid 65534 first (setresuid/setresgid) */
};

static int cred_child(void *arg)
{
	const struct cred_call *c = arg;

	if (c->pre_nobody && (syscall(SYS_setresgid, NOBODY, NOBODY, NOBODY) ||
			      syscall(SYS_setresuid, NOBODY, NOBODY, NOBODY)))
		return 2;
	out->step = 1;
	if (read_creds(&out->before))
		return 3;
	out->ret = syscall(c->nr, c->a[0], c->a[1], c->a[2]);
	out->err = errno;
	out->step = 2;
	if (read_creds(&out->after))
		return 4;
	return 0;
}

static json_object *cred_record(const char *event, const char *outcome, pid_t pid,
				const char *file, int line)
{
	struct want w = { .event = event,
			  .skey = { "outcome" },
			  .sval = { outcome },
			  .ikey = { "proc.pid" },
			  .ival = { pid } };

	return rc_one(&ag, &w, file, line);
}

/*
 * The record of one credential call: exact old and new sets (as the child saw
 * them around the call), outcome and return value.
 */
#define CRED_CASE(sc, ...) \
	cred_case(#sc, SYS_##sc, 0, (long[]){ __VA_ARGS__, 0, 0 }, __FILE__, __LINE__)

static json_object *cred_case(const char *sc, long nr, int pre_nobody, const long *a,
			      const char *file, int line)
{
	struct cred_call c = { nr, { a[0], a[1], a[2] }, pre_nobody };
	char event[64];
	json_object *ev;
	pid_t pid;

	snprintf(event, sizeof(event), "privilege.%s", sc);
	pid = run_child(cred_child, &c);
	ev = cred_record(event, out->ret < 0 ? "failure" : "success", pid, file, line);
	rc_op(ev, event, "privilege", sc, out->ret < 0 ? -out->err : out->ret,
	      out->ret < 0 ? strerrorname_np(out->err) : NULL, pid, file, line);
	creds_are(ev, "old", &out->before, file, line);
	creds_are(ev, "new", &out->after, file, line);
	/* "user" is who the process is after the call */
	rc_int(ev, "user.uid", out->after.uid[0], file, line);
	rc_int(ev, "user.euid", out->after.uid[1], file, line);
	rc_int(ev, "user.fsuid", out->after.uid[3], file, line);
	rc_int(ev, "user.egid", out->after.gid[1], file, line);
	{
		char caps[24];

		snprintf(caps, sizeof(caps), "0x%016llx", out->after.cap_eff);
		rc_str(ev, "user.caps", caps, file, line);
	}
	return ev;
}

static void test_setuid(void **state UNUSED)
{
	if (!harness_can_run())
		skip();
	CRED_CASE(setuid, NOBODY);
	/* root giving up every uid loses its permitted and effective capabilities */
	for (int i = 0; i < 4; i++)
		assert_int_equal(out->after.uid[i], NOBODY);
	assert_true(out->before.cap_eff != 0);
	assert_true(out->after.cap_eff == 0 && out->after.cap_prm == 0);
}

static void test_setgid(void **state UNUSED)
{
	if (!harness_can_run())
		skip();
	CRED_CASE(setgid, NOBODY);
	for (int i = 0; i < 4; i++)
		assert_int_equal(out->after.gid[i], NOBODY);
	assert_int_equal(out->after.uid[0], 0);
}

static void test_setreuid(void **state UNUSED)
{
	if (!harness_can_run())
		skip();
	CRED_CASE(setreuid, 1000, 1001);
	assert_int_equal(out->after.uid[0], 1000);
	assert_int_equal(out->after.uid[1], 1001);
	assert_int_equal(out->after.uid[2], 1001);
	assert_int_equal(out->after.uid[3], 1001);
}

static void test_setregid(void **state UNUSED)
{
	if (!harness_can_run())
		skip();
	CRED_CASE(setregid, 1000, 1001);
	assert_int_equal(out->after.gid[0], 1000);
	assert_int_equal(out->after.gid[1], 1001);
	assert_int_equal(out->after.gid[2], 1001);
}

static void test_setresuid(void **state UNUSED)
{
	if (!harness_can_run())
		skip();
	CRED_CASE(setresuid, 1000, 1001, 1002);
	assert_int_equal(out->after.uid[0], 1000);
	assert_int_equal(out->after.uid[1], 1001);
	assert_int_equal(out->after.uid[2], 1002);
	assert_int_equal(out->after.uid[3], 1001);
}

static void test_setresgid(void **state UNUSED)
{
	if (!harness_can_run())
		skip();
	CRED_CASE(setresgid, 2000, 2001, 2002);
	assert_int_equal(out->after.gid[0], 2000);
	assert_int_equal(out->after.gid[1], 2001);
	assert_int_equal(out->after.gid[2], 2002);
	assert_int_equal(out->after.gid[3], 2001);
}

static void test_setfsuid_setfsgid(void **state UNUSED)
{
	if (!harness_can_run())
		skip();
	/* both return the previous fs id */
	CRED_CASE(setfsuid, 1234);
	assert_int_equal(out->ret, 0);
	assert_int_equal(out->after.uid[3], 1234);
	assert_int_equal(out->after.uid[1], 0);
	/* the file-system capabilities leave the effective set with fsuid 0 */
	assert_true(out->after.cap_eff != out->before.cap_eff);

	CRED_CASE(setfsgid, 1235);
	assert_int_equal(out->ret, 0);
	assert_int_equal(out->after.gid[3], 1235);
}

static void test_setgroups(void **state UNUSED)
{
	static const gid_t groups[3] = { 300, 100, 200 };

	if (!harness_can_run())
		skip();
	CRED_CASE(setgroups, 3, (long)groups);
	/* the kernel keeps them sorted */
	assert_int_equal(out->after.ngroups, 3);
	assert_int_equal(out->after.groups[0], 100);
	assert_int_equal(out->after.groups[1], 200);
	assert_int_equal(out->after.groups[2], 300);

	CRED_CASE(setgroups, 0, 0);
	assert_int_equal(out->after.ngroups, 0);
}

/* More groups than a record keeps: the first 32 (sorted) and groups_total. */
static void test_setgroups_many(void **state UNUSED)
{
	gid_t groups[40];
	struct cred_call c = { SYS_setgroups, { 40, 0, 0 }, 0 };
	json_object *ev, *arr;
	pid_t pid;

	if (!harness_can_run())
		skip();
	for (int i = 0; i < 40; i++)
		groups[i] = (gid_t)(5000 + 39 - i); /* given in reverse: the kernel sorts */
	c.a[1] = (long)groups;
	pid = run_child(cred_child, &c);
	assert_int_equal(out->ret, 0);
	assert_int_equal(out->after.ngroups, MAX_GROUPS); /* what we parsed of /proc */

	ev = cred_record("privilege.setgroups", "success", pid, __FILE__, __LINE__);
	REC_OP(ev, "privilege.setgroups", "privilege", "setgroups", 0, NULL, pid);
	arr = jget(ev, "cred.new.groups");
	assert_non_null(arr);
	assert_int_equal(json_object_array_length(arr), 32);
	for (int i = 0; i < 32; i++) {
		char key[48];

		snprintf(key, sizeof(key), "cred.new.groups.%d", i);
		REC_INT(ev, key, 5000 + i);
	}
	REC_INT(ev, "cred.new.groups_total", 40);
	REC_ABSENT(ev, "cred.old.groups_total");
	CREDS_ARE(ev, "old", &out->before);
}

/* capset: drop CAP_NET_RAW from the effective and permitted sets. */
static int capset_child(void *arg UNUSED)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return 2;
	d[0].effective &= ~(1u << CAP_NET_RAW);
	d[0].permitted &= ~(1u << CAP_NET_RAW);
	out->step = 1;
	if (read_creds(&out->before))
		return 3;
	out->ret = syscall(SYS_capset, &h, d);
	out->err = errno;
	if (read_creds(&out->after))
		return 4;
	/* raising a capability not in the permitted set: EPERM */
	d[0].effective |= 1u << CAP_NET_RAW;
	out->val[0] = syscall(SYS_capset, &h, d);
	out->val[1] = errno;
	return out->ret == 0 ? 0 : 5;
}

static void test_capset(void **state UNUSED)
{
	struct creds after;
	json_object *ev;
	pid_t pid;

	if (!harness_can_run())
		skip();
	pid = run_child(capset_child, NULL);
	ev = cred_record("privilege.capset", "success", pid, __FILE__, __LINE__);
	REC_OP(ev, "privilege.capset", "privilege", "capset", 0, NULL, pid);
	CREDS_ARE(ev, "old", &out->before);
	CREDS_ARE(ev, "new", &out->after);
	assert_true(out->before.cap_eff & (1ull << CAP_NET_RAW));
	assert_int_equal(out->after.cap_eff, out->before.cap_eff & ~(1ull << CAP_NET_RAW));
	assert_int_equal(out->after.cap_prm, out->before.cap_prm & ~(1ull << CAP_NET_RAW));

	assert_int_equal(out->val[0], -1);
	assert_int_equal(out->val[1], EPERM);
	ev = cred_record("privilege.capset", "failure", pid, __FILE__, __LINE__);
	REC_OP(ev, "privilege.capset", "privilege", "capset", -EPERM, "EPERM", pid);
	/* nothing changed: both sets are the ones after the first capset */
	after = out->after;
	CREDS_ARE(ev, "old", &after);
	CREDS_ARE(ev, "new", &after);
}

/* uid 65534 asking for root back: EPERM, both sets the same. */
static void test_setresuid_denied(void **state UNUSED)
{
	json_object *ev;
	long a[3] = { 0, 0, 0 };

	if (!harness_can_run())
		skip();
	ev = cred_case("setresuid", SYS_setresuid, 1, a, __FILE__, __LINE__);
	assert_int_equal(out->ret, -1);
	assert_int_equal(out->err, EPERM);
	REC_INT(ev, "cred.old.uid", NOBODY);
	REC_INT(ev, "cred.new.euid", NOBODY);
	REC_STR(ev, "cred.new.caps.effective", "0x0000000000000000");
}

/* ---- ptrace and process_vm_writev ---------------------------------------- */

static volatile long poke_word = 0x1111;
static volatile char vm_buf[32];

/* A child that waits on a pipe, then reports what it holds: exit 0 when written as expected. */
static pid_t waiting_child(int *wfd)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;

		close(p[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(poke_word == 0x2222 || strcmp((const char *)vm_buf, "from-parent") == 0 ? 0
											      : 1);
	}
	close(p[0]);
	*wfd = p[1];
	return pid;
}

static void release_child(pid_t pid, int wfd)
{
	int st;

	close(wfd);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static json_object *ptrace_record(pid_t target, const char *req, const char *file, int line)
{
	struct want w = { .event = "process.ptrace",
			  .skey = { "ptrace.request" },
			  .sval = { req },
			  .ikey = { "proc.pid", "ptrace.target.pid" },
			  .ival = { getpid(), target } };

	return rc_one(&ag, &w, file, line);
}

static void test_ptrace(void **state UNUSED)
{
	struct want any;
	json_object *ev;
	long word = 0;
	int wfd, st;
	pid_t pid;

	if (!harness_can_run())
		skip();
	pid = waiting_child(&wfd);
	assert_int_equal(syscall(SYS_ptrace, PTRACE_ATTACH, pid, 0, 0), 0);
	assert_int_equal(waitpid(pid, &st, __WALL), pid);
	assert_true(WIFSTOPPED(st));
	/* the raw PEEKDATA stores the word at the data address */
	assert_int_equal(syscall(SYS_ptrace, PTRACE_PEEKDATA, pid, &poke_word, &word), 0);
	assert_int_equal(word, 0x1111);
	assert_int_equal(syscall(SYS_ptrace, PTRACE_POKEDATA, pid, &poke_word, 0x2222), 0);
	assert_int_equal(syscall(SYS_ptrace, PTRACE_PEEKDATA, pid, &poke_word, &word), 0);
	assert_int_equal(word, 0x2222);
	assert_int_equal(syscall(SYS_ptrace, PTRACE_DETACH, pid, 0, 0), 0);
	release_child(pid, wfd);

	ev = ptrace_record(pid, "PTRACE_ATTACH", __FILE__, __LINE__);
	REC_OP(ev, "process.ptrace", "process", "ptrace", 0, NULL, getpid());
	REC_INT(ev, "ptrace.request_nr", PTRACE_ATTACH);
	REC_INT(ev, "ptrace.target.pid", pid);

	ev = ptrace_record(pid, "PTRACE_POKEDATA", __FILE__, __LINE__);
	REC_OP(ev, "process.ptrace", "process", "ptrace", 0, NULL, getpid());
	REC_INT(ev, "ptrace.request_nr", PTRACE_POKEDATA);

	/* reads and the detach are not recorded: the two above are all */
	rc_sync(&ag, dir);
	any = (struct want){ .event = "process.ptrace",
			     .ikey = { "ptrace.target.pid" },
			     .ival = { pid } };
	assert_int_equal(agent_count(&ag, match_want, &any), 2);
}

/* PTRACE_SEIZE and a register write are recorded; INTERRUPT, GETREGS, CONT are not. */
static void test_ptrace_seize_setregs(void **state UNUSED)
{
	struct user_regs_struct regs;
	struct want any;
	json_object *ev;
	int wfd, st;
	pid_t pid;

	if (!harness_can_run())
		skip();
	pid = waiting_child(&wfd);
	assert_int_equal(syscall(SYS_ptrace, PTRACE_SEIZE, pid, 0, 0), 0);
	assert_int_equal(syscall(SYS_ptrace, PTRACE_INTERRUPT, pid, 0, 0), 0);
	assert_int_equal(waitpid(pid, &st, __WALL), pid);
	assert_true(WIFSTOPPED(st));
	assert_int_equal(syscall(SYS_ptrace, PTRACE_GETREGS, pid, 0, &regs), 0);
	/* the same registers back: a write that changes nothing, still a write */
	assert_int_equal(syscall(SYS_ptrace, PTRACE_SETREGS, pid, 0, &regs), 0);
	assert_int_equal(syscall(SYS_ptrace, PTRACE_POKEDATA, pid, &poke_word, 0x2222), 0);
	assert_int_equal(syscall(SYS_ptrace, PTRACE_DETACH, pid, 0, 0), 0);
	release_child(pid, wfd);

	ev = ptrace_record(pid, "PTRACE_SEIZE", __FILE__, __LINE__);
	REC_OP(ev, "process.ptrace", "process", "ptrace", 0, NULL, getpid());
	REC_INT(ev, "ptrace.request_nr", PTRACE_SEIZE);
	ev = ptrace_record(pid, "PTRACE_SETREGS", __FILE__, __LINE__);
	REC_OP(ev, "process.ptrace", "process", "ptrace", 0, NULL, getpid());
	REC_INT(ev, "ptrace.request_nr", PTRACE_SETREGS);
	ev = ptrace_record(pid, "PTRACE_POKEDATA", __FILE__, __LINE__);
	REC_OP(ev, "process.ptrace", "process", "ptrace", 0, NULL, getpid());
	rc_sync(&ag, dir);
	any = (struct want){ .event = "process.ptrace",
			     .ikey = { "ptrace.target.pid" },
			     .ival = { pid } };
	assert_int_equal(agent_count(&ag, match_want, &any), 3);
}

/* PTRACE_TRACEME from a child: recorded, the child is the process. */
static void test_ptrace_traceme(void **state UNUSED)
{
	struct want w;
	json_object *ev;
	pid_t pid;
	int st;

	if (!harness_can_run())
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0) == 0 ? 0 : 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);

	w = (struct want){ .event = "process.ptrace",
			   .skey = { "ptrace.request" },
			   .sval = { "PTRACE_TRACEME" },
			   .ikey = { "proc.pid" },
			   .ival = { pid } };
	ev = REC_ONE(&ag, &w);
	REC_OP(ev, "process.ptrace", "process", "ptrace", 0, NULL, pid);
	REC_INT(ev, "ptrace.request_nr", PTRACE_TRACEME);
}

static void test_process_vm_writev(void **state UNUSED)
{
	static const char msg[] = "from-parent";
	struct iovec local = { (void *)msg, sizeof(msg) };
	struct iovec remote = { (void *)vm_buf, sizeof(msg) };
	struct want w;
	json_object *ev;
	int wfd;
	pid_t pid;

	if (!harness_can_run())
		skip();
	pid = waiting_child(&wfd);
	assert_int_equal(syscall(SYS_process_vm_writev, pid, &local, 1, &remote, 1, 0),
			 (long)sizeof(msg));
	release_child(pid, wfd);

	w = (struct want){ .event = "process.vm_write",
			   .ikey = { "proc.pid", "target.pid" },
			   .ival = { getpid(), pid } };
	ev = REC_ONE(&ag, &w);
	REC_OP(ev, "process.vm_write", "process", "process_vm_writev", (long)sizeof(msg), NULL,
	       getpid());
	REC_INT(ev, "target.pid", pid);

	/* reading another process's memory is not recorded */
	{
		char back[sizeof(msg)];
		struct iovec lr = { back, sizeof(back) };
		struct iovec rr = { (void *)vm_buf, sizeof(back) };
		pid_t reader_target;
		int wfd2;
		struct want none = { .event = "process.vm_write",
				     .ikey = { "proc.pid", "target.pid" } };

		strcpy((char *)vm_buf, "from-parent"); /* the child's copy: it exits 0 */
		reader_target = waiting_child(&wfd2);
		assert_int_equal(syscall(SYS_process_vm_readv, reader_target, &lr, 1, &rr, 1, 0),
				 (long)sizeof(back));
		release_child(reader_target, wfd2);
		memset((void *)vm_buf, 0, sizeof(vm_buf));
		rc_sync(&ag, dir);
		none.ival[0] = getpid();
		none.ival[1] = reader_target;
		REC_NONE(&ag, &none);
	}

	/* a pid that does not exist: ESRCH, still a record */
	assert_int_equal(syscall(SYS_process_vm_writev, pid, &local, 1, &remote, 1, 0), -1);
	assert_int_equal(errno, ESRCH);
	w.skey[0] = "outcome";
	w.sval[0] = "failure";
	ev = REC_ONE(&ag, &w);
	REC_OP(ev, "process.vm_write", "process", "process_vm_writev", -ESRCH, "ESRCH", getpid());
}

/* ---- signals ------------------------------------------------------------- */

/* A child named comm that (as_nobody) becomes uid 65534, then waits to be killed. */
static pid_t sleeper(const char *comm, int as_nobody)
{
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, comm);
		if (as_nobody && (syscall(SYS_setresgid, NOBODY, NOBODY, NOBODY) ||
				  syscall(SYS_setresuid, NOBODY, NOBODY, NOBODY)))
			_exit(2);
		if (write(p[1], "r", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void reap_signalled(pid_t pid, int sig)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), sig);
}

static json_object *signal_record(const char *sc, const char *outcome, pid_t sender,
				  pid_t target, const char *file, int line)
{
	struct want w = { .event = "process.signal",
			  .skey = { "syscall", "outcome" },
			  .sval = { sc, outcome },
			  .ikey = { "proc.pid", "signal.target.pid" },
			  .ival = { sender, target } };

	return rc_one(&ag, &w, file, line);
}

static void test_kill_other_user(void **state UNUSED)
{
	json_object *ev;
	pid_t v1, v2, v3, v4;
	int pidfd;

	if (!harness_can_run())
		skip();
	v1 = sleeper("ca-victim-kill", 1);
	assert_int_equal(syscall(SYS_kill, v1, SIGTERM), 0);
	reap_signalled(v1, SIGTERM);
	ev = signal_record("kill", "success", getpid(), v1, __FILE__, __LINE__);
	REC_OP(ev, "process.signal", "process", "kill", 0, NULL, getpid());
	REC_STR(ev, "signal.name", "SIGTERM");
	REC_INT(ev, "signal.nr", SIGTERM);
	REC_INT(ev, "signal.target.pid", v1);
	REC_INT(ev, "signal.target.uid", NOBODY);
	REC_INT(ev, "signal.target.euid", NOBODY);
	REC_STR(ev, "signal.target.comm", "ca-victim-kill");
	REC_BOOL(ev, "signal.target.agent", 0);
	REC_STR(ev, "signal.result", "delivered");
	REC_INT(ev, "user.uid", 0);

	v2 = sleeper("ca-victim-tgk", 1);
	assert_int_equal(syscall(SYS_tgkill, v2, v2, SIGUSR2), 0);
	reap_signalled(v2, SIGUSR2);
	ev = signal_record("tgkill", "success", getpid(), v2, __FILE__, __LINE__);
	REC_OP(ev, "process.signal", "process", "tgkill", 0, NULL, getpid());
	REC_STR(ev, "signal.name", "SIGUSR2");
	REC_INT(ev, "signal.nr", SIGUSR2);
	REC_INT(ev, "signal.target.uid", NOBODY);
	REC_INT(ev, "signal.target.euid", NOBODY);
	REC_STR(ev, "signal.target.comm", "ca-victim-tgk");
	REC_BOOL(ev, "signal.target.agent", 0);
	REC_STR(ev, "signal.result", "delivered");

	v3 = sleeper("ca-victim-tk", 1);
	assert_int_equal(syscall(SYS_tkill, v3, SIGHUP), 0);
	reap_signalled(v3, SIGHUP);
	ev = signal_record("tkill", "success", getpid(), v3, __FILE__, __LINE__);
	REC_OP(ev, "process.signal", "process", "tkill", 0, NULL, getpid());
	REC_STR(ev, "signal.name", "SIGHUP");
	REC_INT(ev, "signal.nr", SIGHUP);
	REC_INT(ev, "signal.target.uid", NOBODY);
	REC_STR(ev, "signal.target.comm", "ca-victim-tk");

	/* a pidfd reaches the same hook */
	v4 = sleeper("ca-victim-pidfd", 1);
	pidfd = (int)syscall(SYS_pidfd_open, v4, 0);
	assert_true(pidfd >= 0);
	assert_int_equal(syscall(SYS_pidfd_send_signal, pidfd, SIGINT, NULL, 0), 0);
	close(pidfd);
	reap_signalled(v4, SIGINT);
	ev = signal_record("pidfd_send_signal", "success", getpid(), v4, __FILE__, __LINE__);
	REC_OP(ev, "process.signal", "process", "pidfd_send_signal", 0, NULL, getpid());
	REC_STR(ev, "signal.name", "SIGINT");
	REC_INT(ev, "signal.nr", SIGINT);
	REC_INT(ev, "signal.target.uid", NOBODY);
	REC_STR(ev, "signal.target.comm", "ca-victim-pidfd");
}

/*
 * A group of two uid-65534 processes killed with kill(-pgid): one record per
 * process that received the signal.
 */
static void test_kill_process_group(void **state UNUSED)
{
	pid_t leader, member;
	int p[2];

	if (!harness_can_run())
		skip();
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	leader = fork();
	assert_true(leader >= 0);
	if (leader == 0) {
		pid_t m;

		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (setpgid(0, 0) || syscall(SYS_setresgid, NOBODY, NOBODY, NOBODY) ||
		    syscall(SYS_setresuid, NOBODY, NOBODY, NOBODY))
			_exit(2);
		m = fork();
		if (m < 0)
			_exit(3);
		if (m == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (write(p[1], "m", 1) != 1)
				_exit(4);
			for (;;)
				pause();
		}
		if (write(p[1], &m, sizeof(m)) != sizeof(m))
			_exit(4);
		for (;;)
			pause();
	}
	close(p[1]);
	/* the member's "ready" byte and its pid, in either order */
	{
		char buf[1 + sizeof(pid_t)];
		size_t got = 0;

		while (got < sizeof(buf)) {
			ssize_t r = read(p[0], buf + got, sizeof(buf) - got);

			assert_true(r > 0);
			got += (size_t)r;
		}
		if (buf[0] == 'm')
			memcpy(&member, buf + 1, sizeof(member));
		else
			memcpy(&member, buf, sizeof(member));
	}
	close(p[0]);
	assert_int_equal(syscall(SYS_kill, -leader, SIGTERM), 0);
	reap_signalled(leader, SIGTERM);

	for (int i = 0; i < 2; i++) {
		pid_t target = i ? member : leader;
		json_object *ev = signal_record("kill", "success", getpid(), target, __FILE__,
						__LINE__);

		REC_OP(ev, "process.signal", "process", "kill", 0, NULL, getpid());
		REC_STR(ev, "signal.name", "SIGTERM");
		REC_INT(ev, "signal.target.uid", NOBODY);
		REC_BOOL(ev, "signal.target.agent", 0);
	}
}

/* A uid-65534 child tries kill and tgkill on a root process: two EPERM records. */
static int denied_child(void *arg)
{
	pid_t target = *(pid_t *)arg;

	if (syscall(SYS_setresgid, NOBODY, NOBODY, NOBODY) ||
	    syscall(SYS_setresuid, NOBODY, NOBODY, NOBODY))
		return 2;
	out->step = 1;
	out->val[0] = syscall(SYS_kill, target, SIGUSR1);
	out->val[1] = errno;
	out->val[2] = syscall(SYS_tgkill, target, target, SIGUSR1);
	out->val[3] = errno;
	return 0;
}

/* uid 65534 against the (root) agent: SIGTERM refused; SIGCONT allowed within a session. */
static int agent_kill_child(void *arg)
{
	pid_t agent = *(pid_t *)arg;

	if (syscall(SYS_setresgid, NOBODY, NOBODY, NOBODY) ||
	    syscall(SYS_setresuid, NOBODY, NOBODY, NOBODY))
		return 2;
	out->step = 1;
	out->val[0] = syscall(SYS_kill, agent, SIGTERM);
	out->val[1] = errno;
	out->val[2] = syscall(SYS_kill, agent, SIGCONT);
	out->val[3] = errno;
	return 0;
}

static void test_agent_signalled_by_other_user(void **state UNUSED)
{
	json_object *ev;
	pid_t agent = ag.pid, sender;

	if (!harness_can_run())
		skip();
	sender = run_child(agent_kill_child, &agent);
	assert_int_equal(out->val[0], -1);
	assert_int_equal(out->val[1], EPERM);
	/* the kernel lets a process of the same session continue another (SIGCONT) */
	assert_int_equal(out->val[2], 0);
	assert_int_equal(kill(agent, 0), 0);

	ev = signal_record("kill", "failure", sender, agent, __FILE__, __LINE__);
	REC_OP(ev, "process.signal", "process", "kill", -EPERM, "EPERM", sender);
	REC_STR(ev, "signal.name", "SIGTERM");
	REC_INT(ev, "user.uid", NOBODY);

	ev = signal_record("kill", "success", sender, agent, __FILE__, __LINE__);
	REC_OP(ev, "process.signal", "process", "kill", 0, NULL, sender);
	REC_STR(ev, "signal.name", "SIGCONT");
	REC_INT(ev, "signal.target.uid", 0);
	REC_BOOL(ev, "signal.target.agent", 1);
	REC_INT(ev, "user.uid", NOBODY);
}

static void test_kill_denied(void **state UNUSED)
{
	json_object *ev;
	pid_t target, sender;

	if (!harness_can_run())
		skip();
	target = sleeper("ca-root-target", 0);
	sender = run_child(denied_child, &target);
	assert_int_equal(out->val[0], -1);
	assert_int_equal(out->val[1], EPERM);
	assert_int_equal(out->val[2], -1);
	assert_int_equal(out->val[3], EPERM);

	ev = signal_record("kill", "failure", sender, target, __FILE__, __LINE__);
	REC_OP(ev, "process.signal", "process", "kill", -EPERM, "EPERM", sender);
	REC_STR(ev, "signal.name", "SIGUSR1");
	REC_INT(ev, "signal.nr", SIGUSR1);
	REC_INT(ev, "user.uid", NOBODY);
	REC_INT(ev, "user.euid", NOBODY);
	/* refused: only the pid the caller gave */
	REC_ABSENT(ev, "signal.target.uid");
	REC_ABSENT(ev, "signal.target.comm");
	REC_ABSENT(ev, "signal.result");

	ev = signal_record("tgkill", "failure", sender, target, __FILE__, __LINE__);
	REC_OP(ev, "process.signal", "process", "tgkill", -EPERM, "EPERM", sender);
	REC_STR(ev, "signal.name", "SIGUSR1");
	REC_INT(ev, "signal.nr", SIGUSR1);

	/* the target never got it, and is ours to kill without a record */
	assert_int_equal(syscall(SYS_kill, target, SIGKILL), 0);
	reap_signalled(target, SIGKILL);
	rc_sync(&ag, dir);
	{
		struct want w = { .event = "process.signal",
				  .skey = { "outcome" },
				  .sval = { "success" },
				  .ikey = { "signal.target.pid" },
				  .ival = { target } };

		REC_NONE(&ag, &w);
	}
}

/* A root process killing its own root child: nothing to record. */
static void test_kill_own_child_not_recorded(void **state UNUSED)
{
	struct want w;
	pid_t child;

	if (!harness_can_run())
		skip();
	child = sleeper("ca-own-child", 0);
	assert_int_equal(syscall(SYS_kill, child, SIGTERM), 0);
	reap_signalled(child, SIGTERM);
	rc_sync(&ag, dir);
	w = (struct want){ .event = "process.signal",
			   .ikey = { "signal.target.pid" },
			   .ival = { child } };
	REC_NONE(&ag, &w);
}

/* A signal aimed at the agent is recorded whoever sends it (SIGCONT does nothing to it). */
static void test_signal_to_agent(void **state UNUSED)
{
	json_object *ev;

	if (!harness_can_run())
		skip();
	assert_int_equal(syscall(SYS_kill, ag.pid, SIGCONT), 0);
	ev = signal_record("kill", "success", getpid(), ag.pid, __FILE__, __LINE__);
	REC_OP(ev, "process.signal", "process", "kill", 0, NULL, getpid());
	REC_STR(ev, "signal.name", "SIGCONT");
	REC_INT(ev, "signal.nr", SIGCONT);
	REC_INT(ev, "signal.target.uid", 0);
	REC_STR(ev, "signal.target.comm", "cauditd");
	REC_BOOL(ev, "signal.target.agent", 1);
}

/* ---- memfd ----------------------------------------------------------------- */

static void test_memfd_create(void **state UNUSED)
{
	struct want w;
	json_object *ev;
	char *name;
	int fd;

	if (!harness_can_run())
		skip();
	name = xasprintf("ca-memfd-%d", (int)getpid());
	fd = (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_true(fd >= 0);
	w = (struct want){ .event = "process.memfd_create",
			   .skey = { "memfd.name" },
			   .sval = { name },
			   .ikey = { "proc.pid" },
			   .ival = { getpid() } };
	ev = REC_ONE(&ag, &w);
	REC_OP(ev, "process.memfd_create", "process", "memfd_create", fd, NULL, getpid());
	REC_INT(ev, "memfd.flags", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	close(fd);
	free(name);
}

/* ---- refused attempts ---------------------------------------------------- */

/* Results of test_refused_as_nobody, in the shared page after struct child_out. */
struct denied {
	pid_t target; /* a root process */
	const char *dir;
	long r[9];
	int err[9];
};

_Static_assert(sizeof(struct child_out) + sizeof(struct denied) <= 4096, "shared page");

/* What an unprivileged process may not do; every call must fail with EPERM. */
static int denied_ops_child(void *arg)
{
	struct denied *d = arg;
	struct iovec iov = { (void *)&poke_word, sizeof(poke_word) };
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	struct timespec ts;
	int i = 0;

	if (syscall(SYS_setresgid, NOBODY, NOBODY, NOBODY) ||
	    syscall(SYS_setresuid, NOBODY, NOBODY, NOBODY))
		return 2;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uintptr_t)"GPL";
	strcpy(attr.prog_name, "ca_denied_prog");
	clock_gettime(CLOCK_REALTIME, &ts);
#define TRY(call)                    \
	do {                         \
		d->r[i] = (call);    \
		d->err[i++] = errno; \
	} while (0)
	TRY(syscall(SYS_ptrace, PTRACE_ATTACH, d->target, 0, 0));
	TRY(syscall(SYS_process_vm_writev, d->target, &iov, 1, &iov, 1, 0));
	TRY(syscall(SYS_mount, "ca-denied", d->dir, "tmpfs", 0, NULL));
	TRY(syscall(SYS_chroot, "/")); /* a path it may search: the capability check fails */
	TRY(syscall(SYS_unshare, CLONE_NEWNET));
	TRY(syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)));
	TRY(syscall(SYS_clock_settime, CLOCK_REALTIME, &ts));
	TRY(syscall(SYS_reboot, 0xdeadbeefL, 0x0badc0deL, 0x12345678L, NULL));
	TRY(syscall(SYS_setns, 0, CLONE_NEWNET)); /* fd 0 is no namespace: EINVAL first */
#undef TRY
	return 0;
}

/* "process" or "system" from the event name. */
static const char *encode_category_of(const char *event)
{
	return strncmp(event, "process.", 8) == 0 ? "process" : "system";
}

static void test_refused_as_nobody(void **state UNUSED)
{
	static const struct {
		const char *event, *sc;
	} ops[8] = {
		{ "process.ptrace", "ptrace" },	   { "process.vm_write", "process_vm_writev" },
		{ "system.mount", "mount" },	   { "system.chroot", "chroot" },
		{ "system.unshare", "unshare" },   { "system.bpf", "bpf" },
		{ "system.time_change", "clock_settime" }, { "system.reboot", "reboot" },
	};
	struct denied *d;
	json_object *ev;
	pid_t pid, target;

	if (!harness_can_run())
		skip();
	/* the results come back in the shared page, after struct child_out's fields */
	d = (struct denied *)(out + 1);
	target = sleeper("ca-root-victim", 0);
	memset(d, 0, sizeof(*d));
	d->target = target;
	d->dir = dir;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(denied_ops_child(d));
	{
		int st;

		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_int_equal(syscall(SYS_kill, target, SIGKILL), 0);
	reap_signalled(target, SIGKILL);

	for (int i = 0; i < 8; i++) {
		if (d->r[i] != -1 || d->err[i] != EPERM)
			fail_msg("%s as uid 65534: %ld/%s, expected EPERM", ops[i].sc, d->r[i],
				 strerrorname_np(d->err[i]));
		ev = REC_CALL(&ag, ops[i].event, ops[i].sc, "failure", pid);
		REC_OP(ev, ops[i].event, encode_category_of(ops[i].event), ops[i].sc, -EPERM,
		       "EPERM", pid);
		REC_INT(ev, "user.uid", NOBODY);
		REC_STR(ev, "user.caps", "0x0000000000000000");
	}
	assert_int_equal(d->r[8], -1);
	assert_int_equal(d->err[8], EINVAL);
	ev = REC_CALL(&ag, "system.setns", "setns", "failure", pid);
	REC_OP(ev, "system.setns", "system", "setns", -EINVAL, "EINVAL", pid);

	/* the fields of what was refused */
	ev = REC_CALL(&ag, "process.ptrace", "ptrace", "failure", pid);
	REC_STR(ev, "ptrace.request", "PTRACE_ATTACH");
	REC_INT(ev, "ptrace.target.pid", target);
	ev = REC_CALL(&ag, "process.vm_write", "process_vm_writev", "failure", pid);
	REC_INT(ev, "target.pid", target);
	ev = REC_CALL(&ag, "system.mount", "mount", "failure", pid);
	REC_STR(ev, "system.source", "ca-denied");
	REC_STR(ev, "system.target", dir);
	REC_STR(ev, "system.fstype", "tmpfs");
	ev = REC_CALL(&ag, "system.chroot", "chroot", "failure", pid);
	REC_STR(ev, "system.path", "/");
	ev = REC_CALL(&ag, "system.unshare", "unshare", "failure", pid);
	REC_INT(ev, "system.flags", CLONE_NEWNET);
	ev = REC_CALL(&ag, "system.bpf", "bpf", "failure", pid);
	REC_STR(ev, "system.cmd", "BPF_PROG_LOAD");
	REC_INT(ev, "system.prog_type", BPF_PROG_TYPE_SOCKET_FILTER);
	REC_STR(ev, "system.name", "ca_denied_prog");
	ev = REC_CALL(&ag, "system.time_change", "clock_settime", "failure", pid);
	REC_INT(ev, "system.clock", CLOCK_REALTIME);
	ev = REC_CALL(&ag, "system.reboot", "reboot", "failure", pid);
	REC_STR(ev, "system.cmd", "0x12345678");
}

/* ---- the log as a whole -------------------------------------------------- */

static void test_log_clean_and_stop(void **state UNUSED)
{
	json_object *stop;

	if (!harness_can_run())
		skip();
	agent_poll(&ag);
	assert_int_equal(ag.bad_lines, 0);
	assert_int_equal(agent_stop(&ag), 0);
	stop = agent_wait_field(&ag, "agent.stop", "agent.reason", "SIGTERM", 1000);
	assert_non_null(stop);
	REC_INT(stop, "agent.totals.ringbuf_full", 0);
	REC_INT(stop, "agent.totals.map_full", 0);
	assert_int_equal(ag.bad_lines, 0);
}

/* ---- setup --------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb UNUSED, int flag UNUSED,
		    struct FTW *ftw UNUSED)
{
	return remove(path);
}

static int setup(void **state UNUSED)
{
	if (!harness_can_run())
		return 0;
	/* one page for struct child_out and, after it, other results children report */
	out = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (out == MAP_FAILED || harness_tmpdir(dir, sizeof(dir)))
		return -1;
	/*
	 * Only this program's processes: the agent sees the whole machine, and
	 * other tests running beside this one must not fill our memory.
	 */
	return agent_start(&ag, "include_comms = test_priv");
}

static int teardown(void **state UNUSED)
{
	agent_cleanup(&ag);
	if (dir[0] && !getenv("CAUDIT_KEEP_TEST_DIRS"))
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setuid),
		cmocka_unit_test(test_setgid),
		cmocka_unit_test(test_setreuid),
		cmocka_unit_test(test_setregid),
		cmocka_unit_test(test_setresuid),
		cmocka_unit_test(test_setresgid),
		cmocka_unit_test(test_setfsuid_setfsgid),
		cmocka_unit_test(test_setgroups),
		cmocka_unit_test(test_setgroups_many),
		cmocka_unit_test(test_capset),
		cmocka_unit_test(test_setresuid_denied),
		cmocka_unit_test(test_ptrace),
		cmocka_unit_test(test_ptrace_seize_setregs),
		cmocka_unit_test(test_ptrace_traceme),
		cmocka_unit_test(test_process_vm_writev),
		cmocka_unit_test(test_kill_other_user),
		cmocka_unit_test(test_kill_process_group),
		cmocka_unit_test(test_kill_denied),
		cmocka_unit_test(test_kill_own_child_not_recorded),
		cmocka_unit_test(test_signal_to_agent),
		cmocka_unit_test(test_agent_signalled_by_other_user),
		cmocka_unit_test(test_memfd_create),
		cmocka_unit_test(test_refused_as_nobody),
		cmocka_unit_test(test_log_clean_and_stop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

