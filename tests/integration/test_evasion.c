/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * No blind spots: the ways around syscall tracepoints each give the same
 * record as the ordinary path, marked with how they came.
 *
 *   int $0x80 from this 64-bit process  -> the 64-bit record + "abi":"ia32",
 *                                          syscall named as the 64-bit one
 *   io_uring (liburing)                 -> the syscall record + "via":"io_uring",
 *                                          our pid, outcome/ret from the CQE
 *   execveat / fexecve of a memfd       -> process.exec with exec.memfd true
 *   open_by_handle_at                   -> file.open with the file's path
 *   renameat2(RENAME_EXCHANGE)          -> file.rename with "exchange":true
 *
 * Each evasive operation is paired with the same operation done the
 * ordinary way on a sibling path, and the two records are compared member
 * by member: they may differ only in what must differ (seq, prev, time, the
 * path names, the marker, and for io_uring the worker thread's tid).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "evasion_check.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif

/* ia32 syscall numbers (arch/x86/entry/syscalls/syscall_32.tbl) */
#define IA32_OPEN 5
#define IA32_CREAT 8
#define IA32_UNLINK 10
#define IA32_CHMOD 15
#define IA32_RENAME 38
#define IA32_MKDIR 39
#define IA32_SETRESUID32 208
#define IA32_CONNECT 362

#define TEST_UID 1234
/* memfd names, at most 9 bytes: the image's comm is "memfd:<name>" (records differ by pid) */
#define MEMFD_NAME_X "ev-execat"
#define MEMFD_NAME_F "ev-fexec"
#define MEMFD_COMM_X "memfd:" MEMFD_NAME_X
#define MEMFD_COMM_F "memfd:" MEMFD_NAME_F
#define SOCK_FD 200 /* both sockets of a pair get this fd: equal net.fd */

static struct agent ev_ag;
static char *low;        /* MAP_32BIT scratch: int $0x80 takes 32-bit pointers */
static size_t low_used;

/* ---- int $0x80 (harness_int80) ---------------------------------------------- */

/* A copy of s (or of n bytes) in the low 4 GiB. */
static long low_copy(const void *s, size_t n)
{
	char *p;

	if (low_used + n > 65536)
		fail_msg("low buffer full");
	p = low + low_used;
	memcpy(p, s, n);
	low_used += (n + 15) & ~(size_t)15;
	assert_true((uintptr_t)p + n < (1ull << 32));
	return (long)(uintptr_t)p;
}

static long low_str(const char *s)
{
	return low_copy(s, strlen(s) + 1);
}

/* The only record of event with key == value (a syscall name, when sc != NULL). */
static json_object *one(const char *event, const char *sc, const char *key, const char *value)
{
	return ev_wait_one(event, sc, key, value, __FILE__, __LINE__);
}

static void test_ia32_open(void **state UNUSED)
{
	const char *dir, *p64, *p32, *m64, *m32;
	long fd64, fd32;
	json_object *r64, *r32;

	if (!harness_can_run())
		skip();
	dir = ev_new_dir();
	p64 = ev_path(dir, "open64");
	p32 = ev_path(dir, "open32");
	/* lowest free fd both times: equal ret */
	fd64 = syscall(SYS_open, p64, O_WRONLY | O_CREAT, 0644);
	assert_true(fd64 >= 0);
	close((int)fd64);
	fd32 = harness_int80(IA32_OPEN, low_str(p32), O_WRONLY | O_CREAT, 0644);
	assert_int_equal(fd32, fd64);
	close((int)fd32);

	r64 = one("file.open", "open", "file.path", p64);
	r32 = one("file.open", "open", "file.path", p32);
	EV_SAME(r32, r64, "abi", "ia32", EV_LIST(p32, p64), NULL);
	CHECK_INT(r32, "file.flags", O_WRONLY | O_CREAT);
	CHECK_STR(r32, "file.mode", "0644");
	CHECK_INT(r32, "ret", fd32);

	/* a failure: the same errno */
	m64 = ev_join(dir, "missing/open64");
	m32 = ev_join(dir, "missing/open32");
	assert_int_equal(syscall(SYS_open, m64, O_WRONLY | O_CREAT, 0600), -1);
	assert_int_equal(harness_int80(IA32_OPEN, low_str(m32), O_WRONLY | O_CREAT, 0600), -ENOENT);
	r64 = one("file.open", "open", "file.path", m64);
	r32 = one("file.open", "open", "file.path", m32);
	EV_SAME(r32, r64, "abi", "ia32", EV_LIST(m32, m64), NULL);
	CHECK_STR(r32, "outcome", "failure");
	CHECK_STR(r32, "errno", "ENOENT");
	CHECK_INT(r32, "ret", -ENOENT);
}

static void test_ia32_creat(void **state UNUSED)
{
	const char *dir, *p64, *p32;
	long fd64, fd32;
	json_object *r64, *r32;

	if (!harness_can_run())
		skip();
	dir = ev_new_dir();
	p64 = ev_path(dir, "creat64");
	p32 = ev_path(dir, "creat32");
	fd64 = syscall(SYS_creat, p64, 0600);
	assert_true(fd64 >= 0);
	close((int)fd64);
	fd32 = harness_int80(IA32_CREAT, low_str(p32), 0600, 0);
	assert_int_equal(fd32, fd64);
	close((int)fd32);

	r64 = one("file.open", "creat", "file.path", p64);
	r32 = one("file.open", "creat", "file.path", p32);
	EV_SAME(r32, r64, "abi", "ia32", EV_LIST(p32, p64), NULL);
	CHECK_STR(r32, "file.mode", "0600");
}

static void test_ia32_unlink(void **state UNUSED)
{
	const char *dir, *p64, *p32;
	json_object *r64, *r32;

	if (!harness_can_run())
		skip();
	dir = ev_new_dir();
	p64 = ev_path(dir, "unlink64");
	p32 = ev_path(dir, "unlink32");
	ev_make_file(p64);
	ev_make_file(p32);
	assert_int_equal(syscall(SYS_unlink, p64), 0);
	assert_int_equal(harness_int80(IA32_UNLINK, low_str(p32), 0, 0), 0);
	assert_int_equal(access(p32, F_OK), -1);

	r64 = one("file.unlink", "unlink", "file.path", p64);
	r32 = one("file.unlink", "unlink", "file.path", p32);
	EV_SAME(r32, r64, "abi", "ia32", EV_LIST(p32, p64), NULL);
	CHECK_STR(r32, "outcome", "success");
}

static void test_ia32_rename(void **state UNUSED)
{
	const char *dir, *a64, *b64, *a32, *b32;
	json_object *r64, *r32;

	if (!harness_can_run())
		skip();
	dir = ev_new_dir();
	a64 = ev_path(dir, "rename64-a");
	b64 = ev_path(dir, "rename64-b");
	a32 = ev_path(dir, "rename32-a");
	b32 = ev_path(dir, "rename32-b");
	ev_make_file(a64);
	ev_make_file(a32);
	assert_int_equal(syscall(SYS_rename, a64, b64), 0);
	assert_int_equal(harness_int80(IA32_RENAME, low_str(a32), low_str(b32), 0), 0);
	assert_int_equal(access(b32, F_OK), 0);

	r64 = one("file.rename", "rename", "file.path", a64);
	r32 = one("file.rename", "rename", "file.path", a32);
	EV_SAME(r32, r64, "abi", "ia32", EV_LIST(a32, a64, b32, b64), NULL);
	CHECK_STR(r32, "file.path2", b32);
}

static void test_ia32_mkdir(void **state UNUSED)
{
	const char *dir, *p64, *p32;
	json_object *r64, *r32;

	if (!harness_can_run())
		skip();
	dir = ev_new_dir();
	p64 = ev_path(dir, "mkdir64");
	p32 = ev_path(dir, "mkdir32");
	assert_int_equal(syscall(SYS_mkdir, p64, 0750), 0);
	assert_int_equal(harness_int80(IA32_MKDIR, low_str(p32), 0750, 0), 0);

	r64 = one("file.mkdir", "mkdir", "file.path", p64);
	r32 = one("file.mkdir", "mkdir", "file.path", p32);
	EV_SAME(r32, r64, "abi", "ia32", EV_LIST(p32, p64), NULL);
	CHECK_STR(r32, "file.mode", "0750");
}

static void test_ia32_chmod(void **state UNUSED)
{
	const char *dir, *p64, *p32;
	json_object *r64, *r32;
	struct stat st;

	if (!harness_can_run())
		skip();
	dir = ev_new_dir();
	p64 = ev_path(dir, "chmod64");
	p32 = ev_path(dir, "chmod32");
	ev_make_file(p64);
	ev_make_file(p32);
	assert_int_equal(syscall(SYS_chmod, p64, 0604), 0);
	assert_int_equal(harness_int80(IA32_CHMOD, low_str(p32), 0604, 0), 0);
	assert_int_equal(stat(p32, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0604);

	r64 = one("file.chmod", "chmod", "file.path", p64);
	r32 = one("file.chmod", "chmod", "file.path", p32);
	EV_SAME(r32, r64, "abi", "ia32", EV_LIST(p32, p64), NULL);
	CHECK_STR(r32, "file.mode", "0604");
}

/* A child that becomes TEST_UID with setresuid, the 64-bit or the ia32 way. */
static pid_t setresuid_child(int ia32)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		long r = ia32 ? harness_int80(IA32_SETRESUID32, TEST_UID, TEST_UID, TEST_UID)
			      : syscall(SYS_setresuid, TEST_UID, TEST_UID, TEST_UID);

		_exit(r == 0 && getuid() == TEST_UID && geteuid() == TEST_UID ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return pid;
}

static void test_ia32_setresuid(void **state UNUSED)
{
	static const char *const per_process[] = { "proc.pid", "proc.tid", "proc.exec_id",
						   "proc.start_time", NULL };
	json_object *r64, *r32;
	pid_t c64, c32;
	char pid64[16], pid32[16];

	if (!harness_can_run())
		skip();
	c64 = setresuid_child(0);
	c32 = setresuid_child(1);
	snprintf(pid64, sizeof(pid64), "%d", (int)c64);
	snprintf(pid32, sizeof(pid32), "%d", (int)c32);

	r64 = ev_wait_pid("privilege.setresuid", c64, __FILE__, __LINE__);
	r32 = ev_wait_pid("privilege.setresuid", c32, __FILE__, __LINE__);
	EV_SAME(r32, r64, "abi", "ia32", NULL, per_process);
	CHECK_STR(r32, "syscall", "setresuid");
	CHECK_STR(r32, "outcome", "success");
	CHECK_INT(r32, "cred.old.uid", 0);
	CHECK_INT(r32, "cred.old.euid", 0);
	CHECK_INT(r32, "cred.new.uid", TEST_UID);
	CHECK_INT(r32, "cred.new.euid", TEST_UID);
	CHECK_INT(r32, "cred.new.suid", TEST_UID);
	CHECK_INT(r32, "cred.new.fsuid", TEST_UID);
}

/* A socket at fd SOCK_FD, connected the 64-bit or the ia32 way; returns the src port. */
static int connect_at_fixed_fd(int ia32, const struct sockaddr_in *dst)
{
	struct sockaddr_in src;
	socklen_t len = sizeof(src);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	long r;

	assert_true(s >= 0);
	assert_int_equal(dup3(s, SOCK_FD, O_CLOEXEC), SOCK_FD);
	close(s);
	if (ia32)
		r = harness_int80(IA32_CONNECT, SOCK_FD, low_copy(dst, sizeof(*dst)), sizeof(*dst));
	else
		r = connect(SOCK_FD, (const struct sockaddr *)dst, sizeof(*dst));
	assert_int_equal(r, 0);
	assert_int_equal(getsockname(SOCK_FD, (struct sockaddr *)&src, &len), 0);
	close(SOCK_FD);
	return ntohs(src.sin_port);
}

static void test_ia32_connect(void **state UNUSED)
{
	static const char *const ports[] = { "net.src.port", NULL };
	struct sockaddr_in dst;
	int lfd, port64, port32;
	json_object *r64, *r32;

	if (!harness_can_run())
		skip();
	lfd = ev_listener(&dst);
	port64 = connect_at_fixed_fd(0, &dst);
	port32 = connect_at_fixed_fd(1, &dst);

	r64 = ev_wait_net("net.connect", port64, ntohs(dst.sin_port), __FILE__, __LINE__);
	r32 = ev_wait_net("net.connect", port32, ntohs(dst.sin_port), __FILE__, __LINE__);
	EV_SAME(r32, r64, "abi", "ia32", NULL, ports);
	CHECK_STR(r32, "syscall", "connect");
	CHECK_STR(r32, "outcome", "success");
	CHECK_STR(r32, "net.proto", "tcp");
	CHECK_STR(r32, "net.family", "inet");
	CHECK_STR(r32, "net.src.ip", "127.0.0.1");
	CHECK_STR(r32, "net.dst.ip", "127.0.0.1");
	CHECK_INT(r32, "net.fd", SOCK_FD);
	close(lfd);
}

/* ---- fileless execution ---------------------------------------------------- */

/* A memfd holding a copy of /usr/bin/true. */
static int memfd_true(const char *name)
{
	char buf[65536];
	int src = open("/usr/bin/true", O_RDONLY | O_CLOEXEC);
	int fd = (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC);
	ssize_t n;

	if (src < 0 || fd < 0)
		_exit(3);
	while ((n = read(src, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			_exit(4);
	close(src);
	return fd;
}

extern char **environ;

/*
 * A child runs a memfd copy of true: through execveat(fd, "", AT_EMPTY_PATH)
 * itself, or through glibc's fexecve. The kernel names the image
 * "/memfd:<name> (deleted)" in /proc/PID/exe; the agent's own path walk
 * gives "/memfd:<name>" (docs/schema.md, Paths), which is what is checked.
 */
static pid_t run_memfd(const char *name, const char *arg0, int use_fexecve)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = { (char *)arg0, "--marker", (char *)name, NULL };
		int fd = memfd_true(name);

		if (use_fexecve)
			fexecve(fd, argv, environ);
		else
			syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
		_exit(5);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	return pid;
}

static void check_memfd_exec(const char *name, const char *arg0, pid_t pid, const char *file,
			     int line)
{
	char *exe = xasprintf("/memfd:%s", name), *comm = xasprintf("memfd:%s", name);
	json_object *mc, *ex;
	int64_t fd;
	char *fdpath;

	/* memfd_create: name and flags, ret the fd */
	mc = ev_wait_pid("process.memfd_create", pid, file, line);
	ev_check_str(mc, "syscall", "memfd_create", file, line);
	ev_check_str(mc, "outcome", "success", file, line);
	ev_check_str(mc, "memfd.name", name, file, line);
	ev_check_int(mc, "memfd.flags", MFD_CLOEXEC, file, line);
	fd = jint(mc, "ret");
	if (fd < 0 || fd > 1000)
		ev_fail(mc, "ret: not the memfd's fd", file, line);

	/* the exec: the image came from that memfd */
	ex = ev_wait_pid("process.exec", pid, file, line);
	fdpath = xasprintf("/dev/fd/%lld", (long long)fd);
	ev_check_str(ex, "syscall", "execveat", file, line);
	ev_check_str(ex, "outcome", "success", file, line);
	ev_check_int(ex, "ret", 0, file, line);
	ev_check_str(ex, "proc.exe", exe, file, line);
	ev_check_str(ex, "proc.comm", comm, file, line);
	ev_check_str(ex, "proc.args.0", arg0, file, line);
	ev_check_str(ex, "proc.args.2", name, file, line);
	ev_check_str(ex, "exec.filename", fdpath, file, line);
	if (!json_object_get_boolean(jget(ex, "exec.memfd")) ||
	    !json_object_is_type(jget(ex, "exec.memfd"), json_type_boolean))
		ev_fail(ex, "exec.memfd: expected true", file, line);
	ev_check_int(ex, "proc.ppid", getpid(), file, line);
	free(exe);
	free(comm);
	free(fdpath);
}

static void test_memfd_execveat(void **state UNUSED)
{
	pid_t pid;

	if (!harness_can_run())
		skip();
	pid = run_memfd(MEMFD_NAME_X, "fileless-execveat", 0);
	check_memfd_exec(MEMFD_NAME_X, "fileless-execveat", pid, __FILE__, __LINE__);
}

static void test_memfd_fexecve(void **state UNUSED)
{
	pid_t pid;

	if (!harness_can_run())
		skip();
	pid = run_memfd(MEMFD_NAME_F, "fileless-fexecve", 1);
	check_memfd_exec(MEMFD_NAME_F, "fileless-fexecve", pid, __FILE__, __LINE__);
}

/* ---- open_by_handle_at ----------------------------------------------------- */

static void test_open_by_handle_at(void **state UNUSED)
{
	struct file_handle *fh = calloc(1, sizeof(*fh) + MAX_HANDLE_SZ);
	const char *dir, *p;
	json_object *ev;
	int mount_id, mfd;
	long fd;

	if (!harness_can_run())
		skip();
	assert_non_null(fh);
	dir = ev_new_dir();
	p = ev_path(dir, "by-handle");
	ev_make_file(p);
	fh->handle_bytes = MAX_HANDLE_SZ;
	assert_int_equal(name_to_handle_at(AT_FDCWD, p, fh, &mount_id, 0), 0);
	mfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(mfd >= 0);

	fd = syscall(SYS_open_by_handle_at, mfd, fh, O_WRONLY);
	assert_true(fd >= 0);
	close((int)fd);
	close(mfd);
	free(fh);

	ev = one("file.open", "open_by_handle_at", "file.path", p);
	CHECK_STR(ev, "category", "file");
	CHECK_STR(ev, "access", "write");
	CHECK_STR(ev, "outcome", "success");
	CHECK_INT(ev, "ret", fd);
	CHECK_INT(ev, "file.flags", O_WRONLY);
	CHECK_INT(ev, "proc.pid", getpid());
	ev_check_absent(ev, "abi", __FILE__, __LINE__);
	ev_check_absent(ev, "via", __FILE__, __LINE__);
}

/* ---- renameat2(RENAME_EXCHANGE) -------------------------------------------- */

static void test_rename_exchange(void **state UNUSED)
{
	const char *dir, *a, *b, *c;
	json_object *ev;

	if (!harness_can_run())
		skip();
	dir = ev_new_dir();
	a = ev_path(dir, "xchg-a");
	b = ev_path(dir, "xchg-b");
	c = ev_path(dir, "plain-c");
	ev_make_file(a);
	assert_int_equal(mkdir(b, 0700), 0);

	/* a file and a directory swap names: both paths changed */
	assert_int_equal(syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE), 0);
	ev = one("file.rename", "renameat2", "file.path", a);
	CHECK_STR(ev, "outcome", "success");
	CHECK_STR(ev, "file.path2", b);
	CHECK_INT(ev, "file.flags", RENAME_EXCHANGE);
	ev_check_true(ev, "file.exchange", __FILE__, __LINE__);

	/* an ordinary rename has no "exchange" */
	assert_int_equal(syscall(SYS_renameat2, AT_FDCWD, b, AT_FDCWD, c, 0), 0);
	ev = one("file.rename", "renameat2", "file.path", b);
	CHECK_STR(ev, "file.path2", c);
	ev_check_absent(ev, "file.exchange", __FILE__, __LINE__);
}

/* ---- group ---------------------------------------------------------------- */

static int setup(void **state UNUSED)
{
	if (!harness_can_run())
		return 0;
	low = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		   -1, 0);
	if (low == MAP_FAILED || (uintptr_t)low + 65536 > (1ull << 32))
		return -1;
	ev_agent = &ev_ag;
	/*
	 * Only this test's processes (and its memfd images, named after the
	 * memfd): other work on the machine cannot flood the log.
	 */
	return agent_start(&ev_ag, "include_comms = test_evasion, " MEMFD_COMM_X ", " MEMFD_COMM_F);
}

static int teardown(void **state UNUSED)
{
	if (low && low != MAP_FAILED)
		munmap(low, 65536);
	low = NULL;
	ev_cleanup();
	agent_cleanup(&ev_ag);
	return 0;
}

static void test_log_clean(void **state UNUSED)
{
	json_object *stop;

	if (!harness_can_run())
		skip();
	agent_poll(&ev_ag);
	assert_int_equal(ev_ag.bad_lines, 0);
	assert_int_equal(agent_stop(&ev_ag), 0);
	stop = agent_wait_field(&ev_ag, "agent.stop", "agent.reason", "SIGTERM", 1000);
	assert_non_null(stop);
	CHECK_INT(stop, "agent.totals.ringbuf_full", 0);
	CHECK_INT(stop, "agent.totals.map_full", 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ia32_open),
		cmocka_unit_test(test_ia32_creat),
		cmocka_unit_test(test_ia32_unlink),
		cmocka_unit_test(test_ia32_rename),
		cmocka_unit_test(test_ia32_mkdir),
		cmocka_unit_test(test_ia32_chmod),
		cmocka_unit_test(test_ia32_setresuid),
		cmocka_unit_test(test_ia32_connect),
		cmocka_unit_test(test_memfd_execveat),
		cmocka_unit_test(test_memfd_fexecve),
		cmocka_unit_test(test_open_by_handle_at),
		cmocka_unit_test(test_rename_exchange),
		cmocka_unit_test(test_log_clean),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
