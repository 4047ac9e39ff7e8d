/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Process lifecycle records: exec (success and failure), fork, exit, the
 * exec_id chain between parent and child, threads that are not processes,
 * processes that started before the agent, and the credentials block.
 *
 * The binary re-executes itself as the "pre-started" process: with
 * argv[1] == PRESTART_FLAG it waits on an inherited pipe, then makes one
 * directory and exits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define WAIT_MS 15000
#define PRESTART_FLAG "--caudit-prestarted-child"

extern char **environ;

static struct agent ag;
static int agent_up;
static char self_exe[PATH_MAX];
static char work[PATH_MAX];     /* realpath of a private tmp dir */
static char pre_path[PATH_MAX + 64]; /* directory the pre-started process makes */
static char pre_fdstr[16];
static pid_t pre_pid;
static int pre_pipe = -1;       /* write end: one byte lets the child go */
static int marker_seq;
static int main_argc;
static char **main_argv;

/* ---- matching ---- */

static json_object *wait_want(struct want *w)
{
	return agent_wait(&ag, 0, match_want, w, WAIT_MS, NULL);
}

static char *new_marker(void)
{
	return xasprintf("marker-%d-%d", (int)getpid(), ++marker_seq);
}

static int is_hex16(const char *s)
{
	if (!s || strlen(s) != 16)
		return 0;
	for (int i = 0; i < 16; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* The JSON array at path equals argv[0..argc) exactly. */
static void assert_args(json_object *rec, const char *path, char *const argv[], int argc)
{
	json_object *a = jget(rec, path);

	assert_non_null(a);
	assert_true(json_object_is_type(a, json_type_array));
	assert_int_equal(json_object_array_length(a), argc);
	for (int i = 0; i < argc; i++) {
		json_object *v = json_object_array_get_idx(a, (size_t)i);

		assert_true(json_object_is_type(v, json_type_string));
		assert_string_equal(json_object_get_string(v), argv[i]);
	}
}

/* Our own exec_id, from the fork record the agent wrote for one of our children. */
static const char *self_exec_id(void)
{
	struct want w = { .event = "process.fork", .ikey = { "proc.pid" }, .ival = { getpid() } };
	json_object *rec = wait_want(&w);

	assert_non_null(rec);
	assert_true(is_hex16(jstr(rec, "proc.exec_id")));
	return jstr(rec, "proc.exec_id");
}

static int wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

/* ---- the pre-started process ---- */

static int prestarted_child(char **argv)
{
	char c;

	if (read(atoi(argv[2]), &c, 1) != 1)
		_exit(2);
	_exit(mkdir(argv[3], 0700) ? 3 : 0);
}

static int cmdline_has_flag(pid_t pid)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return memmem(buf, (size_t)n, PRESTART_FLAG, strlen(PRESTART_FLAG)) != NULL;
}

static int start_prestarted(void)
{
	int p[2];

	snprintf(pre_path, sizeof(pre_path), "%s/prestarted-%d", work, (int)getpid());
	if (pipe2(p, O_CLOEXEC))
		return -1;
	snprintf(pre_fdstr, sizeof(pre_fdstr), "%d", p[0]);
	pre_pid = fork();
	if (pre_pid < 0)
		return -1;
	if (pre_pid == 0) {
		char *argv[] = { self_exe, PRESTART_FLAG, pre_fdstr, pre_path, NULL };

		fcntl(p[0], F_SETFD, 0);
		execve(self_exe, argv, environ);
		_exit(127);
	}
	close(p[0]);
	pre_pipe = p[1];
	/* the agent's snapshot must see the new image, not our fork of it */
	for (int i = 0; i < 500; i++) {
		if (cmdline_has_flag(pre_pid))
			return 0;
		usleep(10000);
	}
	return -1;
}

/* ---- fixtures ---- */

static int setup(void **state)
{
	char tmp[PATH_MAX];
	ssize_t n;

	if (!harness_can_run())
		return 0;
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n <= 0)
		return -1;
	self_exe[n] = 0;
	if (harness_tmpdir(tmp, sizeof(tmp)) || !realpath(tmp, work))
		return -1;
	if (start_prestarted()) {
		fprintf(stderr, "pre-started child did not come up\n");
		return -1;
	}
	if (agent_start(&ag, NULL))
		return -1;
	agent_up = 1;
	return 0;
}

static int teardown(void **state)
{
	if (pre_pipe >= 0)
		close(pre_pipe);
	if (pre_pid > 0) {
		kill(pre_pid, SIGKILL);
		waitpid(pre_pid, NULL, 0);
	}
	if (agent_up) {
		if (ag.bad_lines)
			fprintf(stderr, "%zu unparsable log lines\n", ag.bad_lines);
		agent_cleanup(&ag);
	}
	if (work[0]) {
		rmdir(pre_path);
		rmdir(work);
	}
	return 0;
}

/* ---- tests ---- */

static void test_exec_recorded(void **state)
{
	char *marker, *cwd, *argv[4];
	char true_real[PATH_MAX];
	json_object *rec;
	const char *me;
	pid_t pid;

	if (!harness_can_run())
		skip();
	marker = new_marker();
	cwd = xasprintf("%s/%s", work, marker);
	assert_int_equal(mkdir(cwd, 0700), 0);
	argv[0] = "true";
	argv[1] = marker;
	argv[2] = "two words\tand a tab";
	argv[3] = NULL;
	assert_non_null(realpath("/bin/true", true_real));

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (chdir(cwd))
			_exit(126);
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	assert_int_equal(wait_child(pid), 0);

	rec = wait_want(&(struct want){ .event = "process.exec",
					.skey = { "proc.args.1" },
					.sval = { marker },
					.ikey = { "proc.pid" },
					.ival = { pid } });
	assert_non_null(rec);
	assert_string_equal(jstr(rec, "category"), "process");
	assert_string_equal(jstr(rec, "syscall"), "execve");
	assert_string_equal(jstr(rec, "outcome"), "success");
	assert_int_equal(jint(rec, "ret"), 0);
	assert_string_equal(jstr(rec, "proc.exe"), true_real);
	assert_string_equal(jstr(rec, "proc.exe"), "/usr/bin/true");
	assert_string_equal(jstr(rec, "exec.filename"), "/bin/true");
	assert_false(json_object_get_boolean(jget(rec, "exec.memfd")));
	assert_args(rec, "proc.args", argv, 3);
	assert_non_null(jget(rec, "proc.args_truncated"));
	assert_false(json_object_get_boolean(jget(rec, "proc.args_truncated")));
	assert_null(jget(rec, "proc.args_hex"));
	assert_string_equal(jstr(rec, "proc.cwd"), cwd);
	assert_string_equal(jstr(rec, "proc.comm"), "true");
	assert_int_equal(jint(rec, "proc.pid"), pid);
	assert_int_equal(jint(rec, "proc.tid"), pid);
	assert_int_equal(jint(rec, "proc.ppid"), getpid());
	assert_true(is_hex16(jstr(rec, "proc.exec_id")));
	me = self_exec_id();
	assert_string_equal(jstr(rec, "proc.parent_exec_id"), me);
	assert_string_not_equal(jstr(rec, "proc.exec_id"), me);
	assert_non_null(jstr(rec, "proc.start_time"));

	rmdir(cwd);
	free(cwd);
	free(marker);
}

static void test_fork_and_exec_chain(void **state)
{
	char *marker, *mdir, *argv[3];
	json_object *fork_rec, *mk, *ex, *exit_rec;
	const char *child_id;
	pid_t pid;

	if (!harness_can_run())
		skip();
	marker = new_marker();
	mdir = xasprintf("%s/%s", work, marker);
	argv[0] = "true";
	argv[1] = marker;
	argv[2] = NULL;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* one recorded act as the forked copy, then a new image */
		if (mkdir(mdir, 0700))
			_exit(126);
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	assert_int_equal(wait_child(pid), 0);

	fork_rec = wait_want(&(struct want){ .event = "process.fork",
					     .ikey = { "child.pid" },
					     .ival = { pid } });
	assert_non_null(fork_rec);
	assert_string_equal(jstr(fork_rec, "category"), "process");
	assert_int_equal(jint(fork_rec, "proc.pid"), getpid());
	assert_int_equal(jint(fork_rec, "proc.tid"), syscall(SYS_gettid));
	assert_true(is_hex16(jstr(fork_rec, "proc.exec_id")));
	child_id = jstr(fork_rec, "child.exec_id");
	assert_true(is_hex16(child_id));

	/* before its exec the child is the image named in the fork record */
	mk = wait_want(&(struct want){ .event = "file.mkdir",
				       .skey = { "file.path" },
				       .sval = { mdir },
				       .ikey = { "proc.pid" },
				       .ival = { pid } });
	assert_non_null(mk);
	assert_string_equal(jstr(mk, "proc.exec_id"), child_id);
	assert_string_equal(jstr(mk, "proc.parent_exec_id"), jstr(fork_rec, "proc.exec_id"));
	/* and inherits the parent's exe in the agent's view */
	assert_string_equal(jstr(mk, "proc.exe"), self_exe);

	ex = wait_want(&(struct want){ .event = "process.exec",
				       .ikey = { "proc.pid" },
				       .ival = { pid } });
	assert_non_null(ex);
	assert_args(ex, "proc.args", argv, 2);
	assert_string_equal(jstr(ex, "proc.parent_exec_id"), jstr(fork_rec, "proc.exec_id"));
	assert_string_not_equal(jstr(ex, "proc.exec_id"), child_id);

	/* the exit belongs to the new image */
	exit_rec = wait_want(&(struct want){ .event = "process.exit",
					     .ikey = { "proc.pid" },
					     .ival = { pid } });
	assert_non_null(exit_rec);
	assert_string_equal(jstr(exit_rec, "proc.exec_id"), jstr(ex, "proc.exec_id"));
	assert_string_equal(jstr(exit_rec, "proc.exe"), "/usr/bin/true");

	rmdir(mdir);
	free(mdir);
	free(marker);
}

static void test_exit_code(void **state)
{
	json_object *rec, *fork_rec;
	pid_t pid;
	int st;

	if (!harness_can_run())
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(42);
	st = wait_child(pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 42);

	rec = wait_want(&(struct want){ .event = "process.exit",
					.ikey = { "proc.pid" },
					.ival = { pid } });
	assert_non_null(rec);
	assert_string_equal(jstr(rec, "category"), "process");
	assert_int_equal(jint(rec, "exit.code"), 42);
	assert_true(jis_null(rec, "exit.signal"));
	assert_non_null(jget(rec, "exit.core_dumped"));
	assert_false(json_object_get_boolean(jget(rec, "exit.core_dumped")));
	assert_int_equal(jint(rec, "proc.ppid"), getpid());
	/* never exec'd: still the image the fork record named */
	fork_rec = wait_want(&(struct want){ .event = "process.fork",
					     .ikey = { "child.pid" },
					     .ival = { pid } });
	assert_non_null(fork_rec);
	assert_string_equal(jstr(rec, "proc.exec_id"), jstr(fork_rec, "child.exec_id"));
}

static void test_exit_signal(void **state)
{
	json_object *rec;
	pid_t pid;
	int st;

	if (!harness_can_run())
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	assert_int_equal(kill(pid, SIGKILL), 0);
	st = wait_child(pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	rec = wait_want(&(struct want){ .event = "process.exit",
					.ikey = { "proc.pid" },
					.ival = { pid } });
	assert_non_null(rec);
	assert_true(jis_null(rec, "exit.code"));
	assert_string_equal(jstr(rec, "exit.signal"), "SIGKILL");
	assert_false(json_object_get_boolean(jget(rec, "exit.core_dumped")));
}

static void test_exec_enoent(void **state)
{
	char *marker, *path, *argv[3];
	json_object *rec;
	long r;

	if (!harness_can_run())
		skip();
	marker = new_marker();
	path = xasprintf("/nonexistent-%s", marker);
	argv[0] = "nonexistent";
	argv[1] = marker;
	argv[2] = NULL;
	r = syscall(SYS_execve, path, argv, environ);
	assert_int_equal(r, -1);
	assert_int_equal(errno, ENOENT);

	rec = wait_want(&(struct want){ .event = "process.exec",
					.skey = { "exec.filename" },
					.sval = { path } });
	assert_non_null(rec);
	assert_string_equal(jstr(rec, "category"), "process");
	assert_string_equal(jstr(rec, "syscall"), "execve");
	assert_string_equal(jstr(rec, "outcome"), "failure");
	assert_string_equal(jstr(rec, "errno"), "ENOENT");
	assert_int_equal(jint(rec, "ret"), -ENOENT);
	assert_args(rec, "exec.args", argv, 2);
	assert_false(json_object_get_boolean(jget(rec, "exec.args_truncated")));
	assert_int_equal(jint(rec, "proc.pid"), getpid());
	/* the failed attempt does not replace the image: exe stays ours */
	assert_string_equal(jstr(rec, "proc.exe"), self_exe);
	free(path);
	free(marker);
}

/* A relative name is made absolute against the caller's cwd. */
static void test_exec_enoent_relative(void **state)
{
	char *marker, *rel, *abs, *argv[2];
	json_object *rec;
	pid_t pid;

	if (!harness_can_run())
		skip();
	marker = new_marker();
	rel = xasprintf("rel-%s", marker);
	abs = xasprintf("%s/%s", work, rel);
	argv[0] = rel;
	argv[1] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (chdir(work))
			_exit(126);
		execve(rel, argv, environ);
		_exit(errno == ENOENT ? 0 : 1);
	}
	assert_int_equal(wait_child(pid), 0);

	rec = wait_want(&(struct want){ .event = "process.exec",
					.skey = { "outcome" },
					.sval = { "failure" },
					.ikey = { "proc.pid" },
					.ival = { pid } });
	assert_non_null(rec);
	assert_string_equal(jstr(rec, "errno"), "ENOENT");
	assert_string_equal(jstr(rec, "exec.path"), abs);
	assert_null(jget(rec, "exec.path_resolved"));
	assert_args(rec, "exec.args", argv, 1);
	free(abs);
	free(rel);
	free(marker);
}

static void test_exec_eacces(void **state)
{
	char *marker, *path, *argv[3];
	json_object *rec;
	long r;
	int fd;

	if (!harness_can_run())
		skip();
	marker = new_marker();
	path = xasprintf("%s/noexec-%s", work, marker);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\nexit 0\n", 17), 17);
	close(fd);
	assert_int_equal(chmod(path, 0644), 0);
	argv[0] = path;
	argv[1] = marker;
	argv[2] = NULL;
	r = syscall(SYS_execve, path, argv, environ);
	assert_int_equal(r, -1);
	assert_int_equal(errno, EACCES);

	rec = wait_want(&(struct want){ .event = "process.exec",
					.skey = { "exec.filename" },
					.sval = { path } });
	assert_non_null(rec);
	assert_string_equal(jstr(rec, "outcome"), "failure");
	assert_string_equal(jstr(rec, "errno"), "EACCES");
	assert_int_equal(jint(rec, "ret"), -EACCES);
	assert_args(rec, "exec.args", argv, 2);
	assert_int_equal(jint(rec, "proc.pid"), getpid());
	unlink(path);
	free(path);
	free(marker);
}

struct thread_arg {
	pid_t tid;
	const char *path;
	int ok;
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	int fd;

	a->tid = (pid_t)syscall(SYS_gettid);
	fd = (int)syscall(SYS_openat, AT_FDCWD, a->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	a->ok = fd >= 0;
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int match_fork_of(json_object *rec, void *arg)
{
	const char *e = jstr(rec, "event");

	return e && strcmp(e, "process.fork") == 0 && jint(rec, "child.pid") == *(pid_t *)arg;
}

static void test_thread_is_not_process(void **state)
{
	struct thread_arg ta = { 0 };
	char *marker, *path;
	json_object *rec;
	pthread_t th;
	pid_t pid;

	if (!harness_can_run())
		skip();
	marker = new_marker();
	path = xasprintf("%s/thread-%s", work, marker);
	ta.path = path;
	assert_int_equal(pthread_create(&th, NULL, thread_main, &ta), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_true(ta.ok);
	assert_int_not_equal(ta.tid, getpid());

	/* the thread is seen, as a thread of this process */
	rec = wait_want(&(struct want){ .event = "file.open",
					.skey = { "file.path" },
					.sval = { path } });
	assert_non_null(rec);
	assert_int_equal(jint(rec, "proc.pid"), getpid());
	assert_int_equal(jint(rec, "proc.tid"), ta.tid);

	/* a real fork afterwards: once its record is in, the thread's would be too */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(wait_child(pid), 0);
	assert_non_null(wait_want(&(struct want){ .event = "process.fork",
						  .ikey = { "child.pid" },
						  .ival = { pid } }));
	assert_int_equal(agent_count(&ag, match_fork_of, &ta.tid), 0);
	unlink(path);
	free(path);
	free(marker);
}

static void test_prestarted_process(void **state)
{
	char cwd[PATH_MAX];
	char *argv[] = { self_exe, PRESTART_FLAG, pre_fdstr, pre_path };
	json_object *rec, *exit_rec;

	if (!harness_can_run())
		skip();
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(write(pre_pipe, "g", 1), 1);
	assert_int_equal(wait_child(pre_pid), 0);
	pre_pid = 0;

	rec = wait_want(&(struct want){ .event = "file.mkdir",
					.skey = { "file.path" },
					.sval = { pre_path } });
	assert_non_null(rec);
	assert_string_equal(jstr(rec, "outcome"), "success");
	assert_int_equal(jint(rec, "proc.ppid"), getpid());
	/* from the agent's start snapshot: exe, argv and cwd of a process it never saw exec */
	assert_string_equal(jstr(rec, "proc.exe"), self_exe);
	assert_args(rec, "proc.args", argv, 4);
	assert_false(json_object_get_boolean(jget(rec, "proc.args_truncated")));
	assert_string_equal(jstr(rec, "proc.cwd"), cwd);

	exit_rec = wait_want(&(struct want){ .event = "process.exit",
					     .ikey = { "proc.pid" },
					     .ival = { jint(rec, "proc.pid") } });
	assert_non_null(exit_rec);
	assert_int_equal(jint(exit_rec, "exit.code"), 0);
	assert_string_equal(jstr(exit_rec, "proc.exe"), self_exe);
	assert_string_equal(jstr(exit_rec, "proc.exec_id"), jstr(rec, "proc.exec_id"));
}

/* One line of /proc/self/status ("CapEff:\t...") without the key, or "". */
static void status_field(const char *key, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	size_t kl = strlen(key);

	out[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			char *v = line + kl + 1;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = 0;
			snprintf(out, len, "%s", v);
			break;
		}
	}
	fclose(f);
}

static long long read_proc_num(const char *path)
{
	FILE *f = fopen(path, "re");
	long long v = -1;

	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void test_credentials(void **state)
{
	static const char *const keys[] = { "uid",  "name",  "euid", "suid",    "fsuid",
					    "gid",  "egid",  "sgid", "fsgid",   "auid",
					    "login", "session", "caps" };
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	char *marker, *path, capeff[64], *caps;
	long long auid, ses;
	struct passwd *pw;
	json_object *rec, *user;
	int fd;

	if (!harness_can_run())
		skip();
	marker = new_marker();
	path = xasprintf("%s/cred-%s", work, marker);
	fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	rec = wait_want(&(struct want){ .event = "file.open",
					.skey = { "file.path" },
					.sval = { path } });
	assert_non_null(rec);
	user = jget(rec, "user");
	assert_non_null(user);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_object *v;

		if (!json_object_object_get_ex(user, keys[i], &v))
			fail_msg("user.%s missing", keys[i]);
	}

	assert_int_equal(getresuid(&ruid, &euid, &suid), 0);
	assert_int_equal(getresgid(&rgid, &egid, &sgid), 0);
	assert_int_equal(jint(rec, "user.uid"), ruid);
	assert_int_equal(jint(rec, "user.euid"), euid);
	assert_int_equal(jint(rec, "user.suid"), suid);
	assert_int_equal(jint(rec, "user.fsuid"), setfsuid((uid_t)-1));
	assert_int_equal(jint(rec, "user.gid"), rgid);
	assert_int_equal(jint(rec, "user.egid"), egid);
	assert_int_equal(jint(rec, "user.sgid"), sgid);
	assert_int_equal(jint(rec, "user.fsgid"), setfsgid((gid_t)-1));
	pw = getpwuid(ruid);
	assert_non_null(pw);
	assert_string_equal(jstr(rec, "user.name"), pw->pw_name);

	auid = read_proc_num("/proc/self/loginuid");
	if (auid == 4294967295LL) {
		assert_int_equal(jint(rec, "user.auid"), -1);
		assert_true(jis_null(rec, "user.login"));
	} else {
		assert_int_equal(jint(rec, "user.auid"), auid);
		pw = getpwuid((uid_t)auid);
		if (pw)
			assert_string_equal(jstr(rec, "user.login"), pw->pw_name);
	}
	ses = read_proc_num("/proc/self/sessionid");
	if (ses == 4294967295LL)
		assert_true(jis_null(rec, "user.session"));
	else
		assert_int_equal(jint(rec, "user.session"), ses);

	status_field("CapEff", capeff, sizeof(capeff));
	assert_int_equal(strlen(capeff), 16);
	caps = xasprintf("0x%s", capeff);
	assert_string_equal(jstr(rec, "user.caps"), caps);
	assert_int_equal(strlen(jstr(rec, "user.caps")), 18);
	assert_true(is_hex16(jstr(rec, "user.caps") + 2));

	/* our own exe and argv come from the start snapshot too */
	assert_string_equal(jstr(rec, "proc.exe"), self_exe);
	assert_args(rec, "proc.args", main_argv, main_argc);

	unlink(path);
	free(caps);
	free(path);
	free(marker);
}

static void test_log_well_formed(void **state)
{
	if (!harness_can_run())
		skip();
	agent_poll(&ag);
	assert_int_equal(ag.bad_lines, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_recorded),
		cmocka_unit_test(test_fork_and_exec_chain),
		cmocka_unit_test(test_exit_code),
		cmocka_unit_test(test_exit_signal),
		cmocka_unit_test(test_exec_enoent),
		cmocka_unit_test(test_exec_enoent_relative),
		cmocka_unit_test(test_exec_eacces),
		cmocka_unit_test(test_thread_is_not_process),
		cmocka_unit_test(test_prestarted_process),
		cmocka_unit_test(test_credentials),
		cmocka_unit_test(test_log_well_formed),
	};

	if (argc == 4 && strcmp(argv[1], PRESTART_FLAG) == 0)
		return prestarted_child(argv);
	main_argc = argc;
	main_argv = argv;
	return cmocka_run_group_tests(tests, setup, teardown);
}
