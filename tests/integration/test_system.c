/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * System operations from real syscalls: mount, umount2, fsmount and
 * move_mount, chroot, pivot_root, unshare and setns, host and domain names,
 * bpf(), perf_event_open, clock changes, reboot, and the hooks this kernel
 * lacks (modules, kexec) reported at start. (Refused forms of several are in
 * test_priv.c.)
 *
 * Anything that changes namespaces or roots runs in a forked child issuing
 * raw syscall(2); results come back through a shared page. Nothing here
 * changes the machine: mounts live in private mount namespaces, names in new
 * UTS namespaces, clocks step forward by milliseconds, and reboot and kexec
 * get arguments the kernel refuses before acting.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
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
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "rec_check.h"

#define UNUSED __attribute__((unused))
#define NOBODY 65534

/* <linux/mount.h> values (that header clashes with <sys/mount.h> in glibc 2.36) */
#define CA_FSCONFIG_CMD_CREATE 6
#define CA_FSMOUNT_CLOEXEC 1
#define CA_MOVE_MOUNT_F_EMPTY_PATH 4

static struct agent ag;
static char dir[256]; /* mount points, roots, sync markers */

/* What a child reports back, in a page shared with the parent. */
struct child_out {
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

/* ---- mounts and roots ---------------------------------------------------- */

/* A private mount namespace: nothing mounted below propagates to the host. */
static int private_mounts(void)
{
	if (syscall(SYS_unshare, CLONE_NEWNS))
		return -1;
	return (int)syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

struct mount_args {
	const char *source, *target, *fstype;
};

static int mount_child(void *arg)
{
	const struct mount_args *m = arg;

	if (private_mounts())
		return 2;
	out->step = 1;
	out->val[0] = syscall(SYS_mount, m->source, m->target, m->fstype, MS_NOSUID | MS_NODEV,
			      "size=1m,mode=0700");
	if (out->val[0])
		return 3;
	out->step = 2;
	out->val[1] = syscall(SYS_umount2, m->target, 0);
	if (out->val[1])
		return 4;
	out->step = 3;
	out->val[2] = syscall(SYS_mount, "none", m->target, "ca-no-such-fs", 0, NULL);
	out->val[3] = errno;
	return 0;
}

static void test_mount_umount(void **state UNUSED)
{
	struct mount_args m;
	json_object *ev;
	pid_t pid;
	char *src;

	if (!harness_can_run())
		skip();
	src = xasprintf("ca-tmpfs-%d", (int)getpid());
	m.source = src;
	m.target = xasprintf("%s/mnt", dir);
	m.fstype = "tmpfs";
	assert_int_equal(mkdir(m.target, 0700), 0);
	pid = run_child(mount_child, &m);
	assert_int_equal(out->val[2], -1);
	assert_int_equal(out->val[3], ENODEV);

	/* making / private: no source, no type */
	ev = REC_CALL(&ag, "system.unshare", "unshare", "success", pid);
	REC_OP(ev, "system.unshare", "system", "unshare", 0, NULL, pid);
	REC_INT(ev, "system.flags", CLONE_NEWNS);

	{
		struct want w = { .event = "system.mount",
				  .skey = { "system.target" },
				  .sval = { "/" },
				  .ikey = { "proc.pid" },
				  .ival = { pid } };

		ev = REC_ONE(&ag, &w);
		REC_OP(ev, "system.mount", "system", "mount", 0, NULL, pid);
		REC_INT(ev, "system.flags", MS_REC | MS_PRIVATE);
		REC_NULL(ev, "system.source");
		REC_NULL(ev, "system.fstype");
	}
	{
		struct want w = { .event = "system.mount",
				  .skey = { "system.source", "outcome" },
				  .sval = { src, "success" },
				  .ikey = { "proc.pid" },
				  .ival = { pid } };

		ev = REC_ONE(&ag, &w);
		REC_OP(ev, "system.mount", "system", "mount", 0, NULL, pid);
		REC_STR(ev, "system.target", m.target);
		REC_STR(ev, "system.fstype", "tmpfs");
		REC_INT(ev, "system.flags", MS_NOSUID | MS_NODEV);
	}
	/* the kernel's tracepoint (and so the record) names umount2 "umount" */
	ev = REC_CALL(&ag, "system.umount", "umount", "success", pid);
	REC_OP(ev, "system.umount", "system", "umount", 0, NULL, pid);
	REC_STR(ev, "system.target", m.target);
	REC_INT(ev, "system.flags", 0);

	ev = REC_CALL(&ag, "system.mount", "mount", "failure", pid);
	REC_OP(ev, "system.mount", "system", "mount", -ENODEV, "ENODEV", pid);
	REC_STR(ev, "system.source", "none");
	REC_STR(ev, "system.target", m.target);
	REC_STR(ev, "system.fstype", "ca-no-such-fs");
	REC_INT(ev, "system.flags", 0);
	free(src);
	free((char *)m.target);
}

/* fsopen/fsconfig/fsmount, then move_mount of the new mount onto a directory. */
static int fsmount_child(void *arg)
{
	const char *target = arg;
	int fsfd, mfd;

	if (private_mounts())
		return 2;
	fsfd = (int)syscall(SYS_fsopen, "tmpfs", 1 /* FSOPEN_CLOEXEC */);
	if (fsfd < 0)
		return 3;
	if (syscall(SYS_fsconfig, fsfd, CA_FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		return 4;
	out->step = 1;
	mfd = (int)syscall(SYS_fsmount, fsfd, CA_FSMOUNT_CLOEXEC, 0);
	if (mfd < 0)
		return 5;
	out->val[0] = fsfd;
	out->val[1] = mfd;
	out->step = 2;
	if (syscall(SYS_move_mount, mfd, "", AT_FDCWD, target, CA_MOVE_MOUNT_F_EMPTY_PATH))
		return 6;
	return 0;
}

static void test_fsmount_move_mount(void **state UNUSED)
{
	json_object *ev;
	char *target;
	pid_t pid;

	if (!harness_can_run())
		skip();
	target = xasprintf("%s/fsmnt", dir);
	assert_int_equal(mkdir(target, 0700), 0);
	pid = run_child(fsmount_child, target);

	ev = REC_CALL(&ag, "system.fsmount", "fsmount", "success", pid);
	REC_OP(ev, "system.fsmount", "system", "fsmount", out->val[1], NULL, pid);
	REC_INT(ev, "system.fd", out->val[0]);
	REC_INT(ev, "system.flags", CA_FSMOUNT_CLOEXEC);

	ev = REC_CALL(&ag, "system.move_mount", "move_mount", "success", pid);
	REC_OP(ev, "system.move_mount", "system", "move_mount", 0, NULL, pid);
	REC_STR(ev, "system.to", target);
	REC_INT(ev, "system.flags", CA_MOVE_MOUNT_F_EMPTY_PATH);
	free(target);
}

static int chroot_child(void *arg)
{
	const char *const *paths = arg;

	out->val[0] = syscall(SYS_chroot, paths[1]);
	out->val[1] = errno;
	out->val[2] = syscall(SYS_chroot, paths[0]);
	out->val[3] = errno;
	return out->val[2] == 0 ? 0 : 2;
}

static void test_chroot(void **state UNUSED)
{
	const char *paths[2];
	json_object *ev;
	pid_t pid;

	if (!harness_can_run())
		skip();
	paths[0] = xasprintf("%s/root", dir);
	paths[1] = xasprintf("%s/no-such-root", dir);
	assert_int_equal(mkdir(paths[0], 0755), 0);
	pid = run_child(chroot_child, paths);
	assert_int_equal(out->val[0], -1);
	assert_int_equal(out->val[1], ENOENT);

	ev = REC_CALL(&ag, "system.chroot", "chroot", "success", pid);
	REC_OP(ev, "system.chroot", "system", "chroot", 0, NULL, pid);
	REC_STR(ev, "system.path", paths[0]);

	ev = REC_CALL(&ag, "system.chroot", "chroot", "failure", pid);
	REC_OP(ev, "system.chroot", "system", "chroot", -ENOENT, "ENOENT", pid);
	REC_STR(ev, "system.path", paths[1]);
	free((char *)paths[0]);
	free((char *)paths[1]);
}

static int pivot_child(void *arg)
{
	const char *const *paths = arg;

	if (private_mounts())
		return 2;
	if (syscall(SYS_mount, "ca-newroot", paths[0], "tmpfs", 0, "size=1m"))
		return 3;
	if (syscall(SYS_mkdir, paths[1], 0700))
		return 4;
	out->step = 1;
	out->ret = syscall(SYS_pivot_root, paths[0], paths[1]);
	out->err = errno;
	return 0;
}

static void test_pivot_root(void **state UNUSED)
{
	const char *paths[2];
	json_object *ev;
	pid_t pid;

	if (!harness_can_run())
		skip();
	paths[0] = xasprintf("%s/newroot", dir);
	paths[1] = xasprintf("%s/newroot/old", dir);
	assert_int_equal(mkdir(paths[0], 0755), 0);
	pid = run_child(pivot_child, paths);
	if (out->ret)
		print_message("pivot_root failed here (%s): checking the failure record\n",
			      strerrorname_np(out->err));

	ev = REC_CALL(&ag, "system.pivot_root", "pivot_root", out->ret ? "failure" : "success",
		      pid);
	REC_OP(ev, "system.pivot_root", "system", "pivot_root", out->ret ? -out->err : 0,
	       out->ret ? strerrorname_np(out->err) : NULL, pid);
	REC_STR(ev, "system.new_root", paths[0]);
	REC_STR(ev, "system.put_old", paths[1]);
	free((char *)paths[0]);
	free((char *)paths[1]);
}

/* ---- namespaces and names ------------------------------------------------ */

static long ns_inode(const char *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	return stat(path, &st) ? -1 : (long)st.st_ino;
}

struct ns_args {
	const char *host, *domain;
};

static int ns_child(void *arg)
{
	const struct ns_args *n = arg;
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 2;
	out->val[0] = fd;
	if (syscall(SYS_unshare, CLONE_NEWUTS | CLONE_NEWNET))
		return 3;
	out->step = 1;
	/* the new namespaces' inodes, as the records after this must show them */
	out->val[3] = ns_inode("net");
	out->ret = ns_inode("uts");
	if (syscall(SYS_sethostname, n->host, strlen(n->host)))
		return 4;
	if (syscall(SYS_setdomainname, n->domain, strlen(n->domain)))
		return 5;
	out->step = 2;
	if (syscall(SYS_setns, fd, CLONE_NEWNET))
		return 6;
	/* the wrong type for that fd: EINVAL */
	out->val[1] = syscall(SYS_setns, fd, CLONE_NEWUTS);
	out->val[2] = errno;
	return 0;
}

static void test_namespaces_and_names(void **state UNUSED)
{
	struct ns_args n;
	json_object *ev;
	const char *want_names[] = { "CLONE_NEWUTS", "CLONE_NEWNET" };
	json_object *names;
	char netns[64];
	ssize_t len;
	pid_t pid;

	if (!harness_can_run())
		skip();
	/* the child's fd names our net namespace: "net:[inode]" */
	len = readlink("/proc/self/ns/net", netns, sizeof(netns) - 1);
	assert_true(len > 0);
	netns[len] = 0;
	n.host = xasprintf("ca-host-%d", (int)getpid());
	n.domain = xasprintf("ca-domain-%d", (int)getpid());
	pid = run_child(ns_child, &n);
	assert_int_equal(out->val[1], -1);
	assert_int_equal(out->val[2], EINVAL);

	assert_true(out->val[3] > 0 && out->val[3] != ns_inode("net"));
	assert_true(out->ret > 0 && out->ret != ns_inode("uts"));
	ev = REC_CALL(&ag, "system.unshare", "unshare", "success", pid);
	REC_OP(ev, "system.unshare", "system", "unshare", 0, NULL, pid);
	REC_INT(ev, "system.flags", CLONE_NEWUTS | CLONE_NEWNET);
	/* read at exit: the process is in its new namespaces */
	REC_INT(ev, "ns.net", out->val[3]);
	REC_INT(ev, "ns.uts", out->ret);
	names = jget(ev, "system.flag_names");
	assert_non_null(names);
	assert_true(json_object_is_type(names, json_type_array));
	assert_int_equal(json_object_array_length(names), 2);
	for (int i = 0; i < 2; i++) {
		int found = 0;

		for (size_t j = 0; j < 2; j++)
			found |= strcmp(json_object_get_string(json_object_array_get_idx(names, j)),
					want_names[i]) == 0;
		if (!found) {
			rc_show(ev);
			fail_msg("system.flag_names lacks %s", want_names[i]);
		}
	}

	ev = REC_CALL(&ag, "system.sethostname", "sethostname", "success", pid);
	REC_OP(ev, "system.sethostname", "system", "sethostname", 0, NULL, pid);
	REC_STR(ev, "system.name", n.host);
	REC_INT(ev, "ns.uts", out->ret);

	ev = REC_CALL(&ag, "system.setdomainname", "setdomainname", "success", pid);
	REC_OP(ev, "system.setdomainname", "system", "setdomainname", 0, NULL, pid);
	REC_STR(ev, "system.name", n.domain);

	ev = REC_CALL(&ag, "system.setns", "setns", "success", pid);
	REC_OP(ev, "system.setns", "system", "setns", 0, NULL, pid);
	/* back in ours */
	REC_INT(ev, "ns.net", ns_inode("net"));
	REC_INT(ev, "system.fd", out->val[0]);
	REC_INT(ev, "system.nstype", CLONE_NEWNET);
	REC_STR(ev, "system.ns", netns);

	ev = REC_CALL(&ag, "system.setns", "setns", "failure", pid);
	REC_OP(ev, "system.setns", "system", "setns", -EINVAL, "EINVAL", pid);
	REC_INT(ev, "system.fd", out->val[0]);
	REC_INT(ev, "system.nstype", CLONE_NEWUTS);
	REC_STR(ev, "system.ns", netns);
	free((char *)n.host);
	free((char *)n.domain);
}

/* uid 65534 may not rename the host: EPERM, the name as the caller gave it. */
static int hostname_denied_child(void *arg)
{
	const char *name = arg;

	if (syscall(SYS_setresgid, NOBODY, NOBODY, NOBODY) ||
	    syscall(SYS_setresuid, NOBODY, NOBODY, NOBODY))
		return 2;
	out->val[0] = syscall(SYS_sethostname, name, strlen(name));
	out->val[1] = errno;
	out->val[2] = syscall(SYS_setdomainname, name, strlen(name));
	out->val[3] = errno;
	return 0;
}

static void test_sethostname_denied(void **state UNUSED)
{
	json_object *ev;
	char *name;
	pid_t pid;

	if (!harness_can_run())
		skip();
	name = xasprintf("ca-denied-%d", (int)getpid());
	pid = run_child(hostname_denied_child, name);
	assert_int_equal(out->val[0], -1);
	assert_int_equal(out->val[1], EPERM);
	assert_int_equal(out->val[2], -1);
	assert_int_equal(out->val[3], EPERM);

	ev = REC_CALL(&ag, "system.sethostname", "sethostname", "failure", pid);
	REC_OP(ev, "system.sethostname", "system", "sethostname", -EPERM, "EPERM", pid);
	REC_STR(ev, "system.name", name);
	REC_INT(ev, "user.uid", NOBODY);
	ev = REC_CALL(&ag, "system.setdomainname", "setdomainname", "failure", pid);
	REC_OP(ev, "system.setdomainname", "system", "setdomainname", -EPERM, "EPERM", pid);
	REC_STR(ev, "system.name", name);
	free(name);
}

/* ---- bpf and perf -------------------------------------------------------- */

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static void test_bpf(void **state UNUSED)
{
	/* r0 = 0; exit */
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	struct want w;
	json_object *ev;
	uint32_t key = 0;
	uint64_t val = 0;
	int pfd, mfd;

	if (!harness_can_run())
		skip();
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uintptr_t)"GPL";
	strcpy(attr.prog_name, "ca_test_prog");
	pfd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	assert_true(pfd >= 0);

	w = (struct want){ .event = "system.bpf",
			   .skey = { "system.name" },
			   .sval = { "ca_test_prog" },
			   .ikey = { "proc.pid" },
			   .ival = { getpid() } };
	ev = REC_ONE(&ag, &w);
	REC_OP(ev, "system.bpf", "system", "bpf", pfd, NULL, getpid());
	REC_STR(ev, "system.cmd", "BPF_PROG_LOAD");
	REC_INT(ev, "system.cmd_nr", BPF_PROG_LOAD);
	REC_INT(ev, "system.prog_type", BPF_PROG_TYPE_SOCKET_FILTER);
	REC_ABSENT(ev, "system.map_type");

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = 1;
	strcpy(attr.map_name, "ca_test_map");
	mfd = (int)sys_bpf(BPF_MAP_CREATE, &attr);
	assert_true(mfd >= 0);
	w.sval[0] = "ca_test_map";
	ev = REC_ONE(&ag, &w);
	REC_OP(ev, "system.bpf", "system", "bpf", mfd, NULL, getpid());
	REC_STR(ev, "system.cmd", "BPF_MAP_CREATE");
	REC_INT(ev, "system.cmd_nr", BPF_MAP_CREATE);
	REC_INT(ev, "system.map_type", BPF_MAP_TYPE_ARRAY);
	REC_ABSENT(ev, "system.prog_type");

	/* reading a map changes nothing: no record */
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)mfd;
	attr.key = (uintptr_t)&key;
	attr.value = (uintptr_t)&val;
	assert_int_equal(sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr), 0);
	rc_sync(&ag, dir);
	w = (struct want){ .event = "system.bpf",
			   .skey = { "system.cmd" },
			   .sval = { "BPF_MAP_LOOKUP_ELEM" },
			   .ikey = { "proc.pid" },
			   .ival = { getpid() } };
	REC_NONE(&ag, &w);
	close(mfd);
	close(pfd);
}

static void test_perf_event_open(void **state UNUSED)
{
	struct perf_event_attr pa;
	json_object *ev;
	int fd;

	if (!harness_can_run())
		skip();
	memset(&pa, 0, sizeof(pa));
	pa.type = PERF_TYPE_SOFTWARE;
	pa.size = sizeof(pa);
	pa.config = PERF_COUNT_SW_DUMMY;
	pa.disabled = 1;
	fd = (int)syscall(SYS_perf_event_open, &pa, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	assert_true(fd >= 0);

	ev = REC_CALL(&ag, "system.perf_event_open", "perf_event_open", "success", getpid());
	REC_OP(ev, "system.perf_event_open", "system", "perf_event_open", fd, NULL, getpid());
	REC_INT(ev, "system.type", PERF_TYPE_SOFTWARE);
	REC_INT(ev, "system.config", PERF_COUNT_SW_DUMMY);
	REC_INT(ev, "system.pid", 0);
	REC_INT(ev, "system.cpu", -1);
	REC_INT(ev, "system.flags", PERF_FLAG_FD_CLOEXEC);
	close(fd);
}

/* ---- clocks -------------------------------------------------------------- */

static json_object *time_record(const char *sc, const char *outcome, const char *file, int line)
{
	return rc_call(&ag, "system.time_change", sc, outcome, getpid(), file, line);
}

#define TIME_REC(sc, outcome) time_record((sc), (outcome), __FILE__, __LINE__)

/*
 * The wall clock set to the value just read plus CLOCK_STEP_NS: it jumps
 * forward by a few milliseconds at most and never back (other tests running
 * on the machine compare timestamps).
 */
#define CLOCK_STEP_NS 5000000L

static void test_clock_settime_settimeofday(void **state UNUSED)
{
	struct timespec ts, mono = { 1, 0 };
	struct timeval tv;
	json_object *ev;

	if (!harness_can_run())
		skip();
	assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts), 0);
	ts.tv_nsec += CLOCK_STEP_NS;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	assert_int_equal(syscall(SYS_clock_settime, CLOCK_REALTIME, &ts), 0);
	ev = TIME_REC("clock_settime", "success");
	REC_OP(ev, "system.time_change", "system", "clock_settime", 0, NULL, getpid());
	REC_INT(ev, "system.clock", CLOCK_REALTIME);
	REC_INT(ev, "system.sec", ts.tv_sec);
	REC_INT(ev, "system.nsec", ts.tv_nsec);

	/* the monotonic clock cannot be set: EINVAL */
	assert_int_equal(syscall(SYS_clock_settime, CLOCK_MONOTONIC, &mono), -1);
	assert_int_equal(errno, EINVAL);
	ev = TIME_REC("clock_settime", "failure");
	REC_OP(ev, "system.time_change", "system", "clock_settime", -EINVAL, "EINVAL", getpid());
	REC_INT(ev, "system.clock", CLOCK_MONOTONIC);
	REC_INT(ev, "system.sec", 1);
	REC_INT(ev, "system.nsec", 0);

	assert_int_equal(gettimeofday(&tv, NULL), 0);
	tv.tv_usec += CLOCK_STEP_NS / 1000;
	if (tv.tv_usec >= 1000000) {
		tv.tv_sec++;
		tv.tv_usec -= 1000000;
	}
	assert_int_equal(syscall(SYS_settimeofday, &tv, NULL), 0);
	ev = TIME_REC("settimeofday", "success");
	REC_OP(ev, "system.time_change", "system", "settimeofday", 0, NULL, getpid());
	REC_NULL(ev, "system.clock");
	REC_INT(ev, "system.sec", tv.tv_sec);
	REC_INT(ev, "system.nsec", (int64_t)tv.tv_usec * 1000);
}

static void test_adjtimex(void **state UNUSED)
{
	struct timex tx;
	struct want w;
	json_object *ev;
	long tick, r;

	if (!harness_can_run())
		skip();
	/* modes 0 only reads: no record */
	memset(&tx, 0, sizeof(tx));
	r = syscall(SYS_adjtimex, &tx);
	assert_true(r >= 0);
	tick = tx.tick;
	memset(&tx, 0, sizeof(tx));
	assert_true(syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx) >= 0);
	rc_sync(&ag, dir);
	w = (struct want){ .event = "system.time_change",
			   .ikey = { "proc.pid" },
			   .ival = { getpid() } };
	w.skey[0] = "syscall";
	w.sval[0] = "adjtimex";
	REC_NONE(&ag, &w);
	w.sval[0] = "clock_adjtime";
	REC_NONE(&ag, &w);

	/* the tick set to its current value */
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_TICK;
	tx.tick = tick;
	r = syscall(SYS_adjtimex, &tx);
	assert_true(r >= 0);
	ev = TIME_REC("adjtimex", "success");
	REC_OP(ev, "system.time_change", "system", "adjtimex", r, NULL, getpid());
	REC_NULL(ev, "system.clock");
	REC_INT(ev, "system.modes", ADJ_TICK);
	REC_ABSENT(ev, "system.sec");

	/* a tick out of range: EINVAL, nothing changed */
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_TICK;
	tx.tick = 1;
	assert_int_equal(syscall(SYS_adjtimex, &tx), -1);
	assert_int_equal(errno, EINVAL);
	ev = TIME_REC("adjtimex", "failure");
	REC_OP(ev, "system.time_change", "system", "adjtimex", -EINVAL, "EINVAL", getpid());
	REC_INT(ev, "system.modes", ADJ_TICK);

	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_TICK;
	tx.tick = tick;
	r = syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx);
	assert_true(r >= 0);
	ev = TIME_REC("clock_adjtime", "success");
	REC_OP(ev, "system.time_change", "system", "clock_adjtime", r, NULL, getpid());
	REC_INT(ev, "system.modes", ADJ_TICK);
	REC_INT(ev, "system.clock", CLOCK_REALTIME);
}

/* ---- reboot, kexec, modules ---------------------------------------------- */

/* Wrong magic numbers: refused with EINVAL before the command is looked at. */
static void test_reboot_refused(void **state UNUSED)
{
	const long bad_cmd = 0x12345678; /* no such command either (written as hex) */
	json_object *ev;

	if (!harness_can_run())
		skip();
	assert_int_equal(syscall(SYS_reboot, 0xdeadbeefL, 0x0badc0deL, bad_cmd, NULL), -1);
	assert_int_equal(errno, EINVAL);
	ev = REC_CALL(&ag, "system.reboot", "reboot", "failure", getpid());
	REC_OP(ev, "system.reboot", "system", "reboot", -EINVAL, "EINVAL", getpid());
	REC_STR(ev, "system.cmd", "0x12345678");
}

static int tracepoint_exists(const char *sc)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/syscalls/sys_enter_%s", sc);
	return access(path, F_OK) == 0;
}

static json_object *agent_start_record(void)
{
	struct want w = { .event = "agent.start", .ikey = { "agent.pid" }, .ival = { ag.pid } };

	return REC_ONE(&ag, &w);
}

/* name is in agent.start's hooks.missing with a reason, and not in hooks.active. */
static void hook_missing(json_object *start, const char *name)
{
	json_object *missing = jget(start, "agent.hooks.missing");
	json_object *active = jget(start, "agent.hooks.active");
	int found = 0;

	assert_non_null(missing);
	assert_non_null(active);
	for (size_t i = 0; i < json_object_array_length(missing); i++) {
		json_object *m = json_object_array_get_idx(missing, i);
		const char *n = jstr(m, "name"), *r = jstr(m, "reason");

		if (n && strcmp(n, name) == 0) {
			found = 1;
			assert_non_null(r);
			assert_string_equal(r, "no tracepoint in this kernel");
		}
	}
	for (size_t i = 0; i < json_object_array_length(active); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(active, i)), name) == 0)
			found = 0;
	if (!found) {
		rc_show(start);
		fail_msg("%s is not reported as a missing hook", name);
	}
}

/*
 * CONFIG_MODULES and CONFIG_KEXEC are off on this kernel: the syscalls give
 * ENOSYS, there is nothing to hook, and agent.start says so. On a kernel that
 * has them, a refused call must be a failure record instead.
 */
static void check_absent_or_recorded(json_object *start, const char *sc, long nr, long a0,
				     long a1, long a2, long a3, long a4, const char *event)
{
	char hook[64];
	long r = syscall(nr, a0, a1, a2, a3, a4);
	int err = errno;
	json_object *ev;

	assert_int_equal(r, -1);
	snprintf(hook, sizeof(hook), "syscall:%s", sc);
	if (!tracepoint_exists(sc)) {
		assert_int_equal(err, ENOSYS);
		hook_missing(start, hook);
		return;
	}
	print_message("%s exists on this kernel: checking its failure record\n", sc);
	ev = REC_CALL(&ag, event, sc, "failure", getpid());
	REC_OP(ev, event, "system", sc, -err, strerrorname_np(err), getpid());
}

static void test_unavailable_hooks(void **state UNUSED)
{
	json_object *start;

	if (!harness_can_run())
		skip();
	start = agent_start_record();
	/* invalid module image (NULL, 0 bytes), fd -1, a name that is no module */
	check_absent_or_recorded(start, "init_module", SYS_init_module, 0, 0, (long)"", 0, 0,
				 "system.module_load");
	check_absent_or_recorded(start, "finit_module", SYS_finit_module, -1, (long)"", 0, 0, 0,
				 "system.module_load");
	check_absent_or_recorded(start, "delete_module", SYS_delete_module,
				 (long)"ca_no_such_module", O_NONBLOCK, 0, 0, 0,
				 "system.module_unload");
	/*
	 * kexec: flag bit 30 is no valid flag, so the kernel refuses (EINVAL, or
	 * EPERM under lockdown) before anything; KEXEC_ON_CRASH unset with zero
	 * segments would otherwise mean "unload".
	 */
	check_absent_or_recorded(start, "kexec_load", SYS_kexec_load, 0, 0, 0, 1L << 30, 0,
				 "system.kexec_load");
	check_absent_or_recorded(start, "kexec_file_load", SYS_kexec_file_load, -1, -1, 0, 0,
				 1L << 30, "system.kexec_load");
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
	out = mmap(NULL, sizeof(*out), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (out == MAP_FAILED || harness_tmpdir(dir, sizeof(dir)))
		return -1;
	/*
	 * Only this program's processes: the agent sees the whole machine, and
	 * other tests running beside this one must not fill our memory.
	 */
	return agent_start(&ag, "include_comms = test_system");
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
		cmocka_unit_test(test_mount_umount),
		cmocka_unit_test(test_fsmount_move_mount),
		cmocka_unit_test(test_chroot),
		cmocka_unit_test(test_pivot_root),
		cmocka_unit_test(test_namespaces_and_names),
		cmocka_unit_test(test_sethostname_denied),
		cmocka_unit_test(test_bpf),
		cmocka_unit_test(test_perf_event_open),
		cmocka_unit_test(test_clock_settime_settimeofday),
		cmocka_unit_test(test_adjtimex),
		cmocka_unit_test(test_reboot_refused),
		cmocka_unit_test(test_unavailable_hooks),
		cmocka_unit_test(test_log_clean_and_stop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
