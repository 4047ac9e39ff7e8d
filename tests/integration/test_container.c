// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Containers and namespaces, end to end: a child is moved into a fresh
 * cgroup named the way docker's systemd driver names a container's scope,
 * enters new UTS, IPC, network, mount and cgroup namespaces, and creates a
 * file. Its file.open record must carry the cgroup's id and path, the
 * container id and runtime taken from that path, and the namespace inodes
 * the child itself read from /proc/self/ns, all different from ours. A
 * process of ours, in the cgroup it started in, gets its own path and no
 * container.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define UNUSED __attribute__((unused))
#define WAIT_MS 10000

/* the namespaces the child leaves, in the order ns_ino[] holds them */
static const char *const ns_names[] = { "uts", "ipc", "net", "mnt", "cgroup", "pid", "user" };
#define NNS (sizeof(ns_names) / sizeof(ns_names[0]))
#define NNS_NEW 5 /* the first five are new in the child; pid and user are ours */

static struct agent ag;
static char cg_mount[1024];      /* cgroup2 mount point */
static char cg_root[1024];       /* its root inside the hierarchy, "" for "/" */
static char tmpdir[64];
static char parent_dir[PATH_MAX], scope_dir[PATH_MAX + 128]; /* the test's cgroups */

/* what the child saw and did, and its record */
static char hex_id[65];
static uint64_t scope_id;
static uint64_t child_ns[NNS], our_ns[NNS];
static char child_file[PATH_MAX];
/* the second agent's podman cgroup and file */
static char podman_dir[PATH_MAX + 128], podman_file[PATH_MAX];
static char *hostile_dir, *hostile_file;
static json_object *child_rec;

static uint64_t ns_ino(const char *pid, const char *name)
{
	char p[64];
	struct stat st;

	snprintf(p, sizeof(p), "/proc/%s/ns/%s", pid, name);
	return stat(p, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* The cgroup2 mount from /proc/self/mountinfo (where the agent looks too). */
static int find_cgroup2(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		char root[1024], mp[1024], *sep = strstr(line, " - ");

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %1023s %1023s", root, mp) != 2)
			continue;
		snprintf(cg_mount, sizeof(cg_mount), "%s", mp);
		snprintf(cg_root, sizeof(cg_root), "%s", strcmp(root, "/") == 0 ? "" : root);
		found = 1;
	}
	fclose(f);
	return found ? 0 : -1;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* rmdir, retried while the kernel still counts an exiting member (EBUSY). */
static void rmdir_retry(const char *path)
{
	for (int i = 0; i < 100 && rmdir(path) < 0 && errno == EBUSY; i++)
		sleep_ms(20);
}

static int setup(void **state UNUSED)
{
	if (!harness_can_run())
		return 0;
	if (find_cgroup2()) {
		fprintf(stderr, "no cgroup2 mount in /proc/self/mountinfo\n");
		return -1;
	}
	if (harness_tmpdir(tmpdir, sizeof(tmpdir)))
		return -1;
	return agent_start(&ag, NULL);
}

static int teardown(void **state UNUSED)
{
	agent_cleanup(&ag);
	if (scope_dir[0])
		rmdir_retry(scope_dir);
	if (podman_dir[0])
		rmdir_retry(podman_dir);
	if (hostile_dir)
		rmdir_retry(hostile_dir);
	if (hostile_file)
		unlink(hostile_file);
	free(hostile_dir);
	free(hostile_file);
	if (parent_dir[0])
		rmdir_retry(parent_dir);
	if (child_file[0])
		unlink(child_file);
	if (podman_file[0])
		unlink(podman_file);
	if (tmpdir[0])
		rmdir(tmpdir);
	return 0;
}

/*
 * The child: wait until the parent has moved it, leave five namespaces,
 * report their inodes, create the file, exit. Exit codes say what failed.
 */
static void child_main(int go_fd, int report_fd, const char *file)
{
	uint64_t ino[NNS];
	char c;
	int fd;

	alarm(60); /* never outlive a parent that failed before saying go */
	if (read(go_fd, &c, 1) != 1)
		_exit(10);
	if (unshare(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWCGROUP))
		_exit(11);
	for (size_t i = 0; i < NNS; i++)
		ino[i] = ns_ino("self", ns_names[i]);
	if (write(report_fd, ino, sizeof(ino)) != (ssize_t)sizeof(ino))
		_exit(12);
	fd = (int)syscall(SYS_openat, AT_FDCWD, file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			  0600);
	if (fd < 0)
		_exit(13);
	close(fd);
	_exit(0);
}

/*
 * Fork a child, move it into the cgroup cg_dir, let it unshare and create
 * file; ns receives the inodes it saw. Returns its pid once it exited well.
 */
static pid_t spawn_in(const char *cg_dir, const char *file, uint64_t ns[NNS])
{
	int go[2], rep[2], status;
	char pid_s[32], *procs;
	pid_t pid;

	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	assert_int_equal(pipe2(rep, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		close(rep[0]);
		child_main(go[0], rep[1], file);
	}
	close(go[0]);
	close(rep[1]);
	snprintf(pid_s, sizeof(pid_s), "%d", pid);
	procs = xasprintf("%s/cgroup.procs", cg_dir);
	assert_int_equal(write_str(procs, pid_s), 0);
	free(procs);
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	assert_int_equal(read(rep[0], ns, NNS * sizeof(ns[0])), NNS * sizeof(ns[0]));
	close(rep[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return pid;
}

/* 64 random lowercase hex digits into out[65]. */
static void random_hex_id(char *out)
{
	unsigned char rnd[32];

	assert_int_equal(getrandom(rnd, sizeof(rnd), 0), sizeof(rnd));
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(out + 2 * i, 3, "%02x", rnd[i]);
}

static json_object *wait_open(const char *file, pid_t pid)
{
	struct want w = { .event = "file.open", .skey = { "file.path" }, .sval = { file },
			  .ikey = { "proc.pid" }, .ival = { pid } };
	json_object *rec = agent_wait(&ag, 0, match_want, &w, WAIT_MS, NULL);

	if (!rec)
		fail_msg("no file.open record of %s by pid %d", file, pid);
	return rec;
}

/* Run the child once; the record and inodes stay for the tests below. */
static void run_child(void)
{
	struct stat st;
	pid_t pid;

	if (child_rec)
		return;
	random_hex_id(hex_id);
	snprintf(parent_dir, sizeof(parent_dir), "%s/caudit-test-%d.slice", cg_mount, getpid());
	snprintf(scope_dir, sizeof(scope_dir), "%s/docker-%s.scope", parent_dir, hex_id);
	assert_int_equal(mkdir(parent_dir, 0755), 0);
	assert_int_equal(mkdir(scope_dir, 0755), 0);
	assert_int_equal(stat(scope_dir, &st), 0);
	scope_id = (uint64_t)st.st_ino;
	snprintf(child_file, sizeof(child_file), "%s/in-container", tmpdir);
	for (size_t i = 0; i < NNS; i++)
		our_ns[i] = ns_ino("self", ns_names[i]);
	pid = spawn_in(scope_dir, child_file, child_ns);
	child_rec = wait_open(child_file, pid);
}

static void show(json_object *rec)
{
	fprintf(stderr, "  record: %s\n",
		json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN));
}

/* cgroup {id, path} and container {id, runtime} of the child's record. */
static void test_cgroup_and_container(void **state UNUSED)
{
	char *want_path;

	if (!harness_can_run())
		skip();
	run_child();
	want_path = xasprintf("%s/caudit-test-%d.slice/docker-%s.scope", cg_root, getpid(),
			      hex_id);
	if (jint(child_rec, "cgroup.id") != (int64_t)scope_id || !jstr(child_rec, "cgroup.path") ||
	    strcmp(jstr(child_rec, "cgroup.path"), want_path) != 0 ||
	    !jstr(child_rec, "container.id") || strcmp(jstr(child_rec, "container.id"), hex_id) ||
	    !jstr(child_rec, "container.runtime") ||
	    strcmp(jstr(child_rec, "container.runtime"), "docker") ||
	    json_object_object_length(jget(child_rec, "container")) != 2) {
		show(child_rec);
		fail_msg("want cgroup {id %llu, path %s}, container {id %s, runtime docker}",
			 (unsigned long long)scope_id, want_path, hex_id);
	}
	free(want_path);
}

/* ns: the inodes the child read after unshare; the new ones differ from ours. */
static void test_namespaces(void **state UNUSED)
{
	if (!harness_can_run())
		skip();
	run_child();
	for (size_t i = 0; i < NNS; i++) {
		char key[16];

		snprintf(key, sizeof(key), "ns.%s", ns_names[i]);
		assert_true(child_ns[i] != 0);
		if (i < NNS_NEW)
			assert_true(child_ns[i] != our_ns[i]);
		else
			assert_true(child_ns[i] == our_ns[i]);
		if (jint(child_rec, key) != (int64_t)child_ns[i]) {
			show(child_rec);
			fail_msg("%s: want %llu (ours %llu)", key, (unsigned long long)child_ns[i],
				 (unsigned long long)our_ns[i]);
		}
	}
}

/* Our own record: our cgroup (from /proc/self/cgroup), no container member. */
static void test_host_process(void **state UNUSED)
{
	struct want w = { .event = "file.open", .skey = { "file.path" } };
	char line[PATH_MAX + 8], *path = NULL, *want, *dir;
	FILE *f = fopen("/proc/self/cgroup", "re");
	uint64_t ours[NNS];
	json_object *rec;
	struct stat st;
	int fd;

	if (!harness_can_run())
		skip();
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			path = line + 3;
			break;
		}
	fclose(f);
	assert_non_null(path);
	/* /proc/self/cgroup is relative to our cgroup namespace root: the initial one here */
	want = xasprintf("%s%s", cg_root, strcmp(path, "/") == 0 && cg_root[0] ? "" : path);
	w.sval[0] = xasprintf("%s/on-host", tmpdir);
	fd = (int)syscall(SYS_openat, AT_FDCWD, w.sval[0], O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	w.ikey[0] = "proc.pid";
	w.ival[0] = getpid();
	rec = agent_wait(&ag, 0, match_want, &w, WAIT_MS, NULL);
	assert_non_null(rec);
	dir = xasprintf("%s%s", cg_mount, strcmp(path, "/") == 0 ? "" : path);
	assert_int_equal(stat(dir, &st), 0);
	free(dir);
	if (jint(rec, "cgroup.id") != (int64_t)st.st_ino || !jstr(rec, "cgroup.path") ||
	    strcmp(jstr(rec, "cgroup.path"), want) != 0 || jget(rec, "container")) {
		show(rec);
		fail_msg("want cgroup {id %llu, path %s} and no container",
			 (unsigned long long)st.st_ino, want);
	}
	for (size_t i = 0; i < NNS; i++) {
		char key[16];

		snprintf(key, sizeof(key), "ns.%s", ns_names[i]);
		ours[i] = ns_ino("self", ns_names[i]);
		if (jint(rec, key) != (int64_t)ours[i]) {
			show(rec);
			fail_msg("%s: want %llu", key, (unsigned long long)ours[i]);
		}
	}
	unlink(w.sval[0]);
	free((char *)w.sval[0]);
	free(want);
}

/*
 * A cgroup name is chosen by whoever creates it (the kernel refuses only
 * '/' and newlines): quotes, a tab and a byte that is not UTF-8 stay inside
 * cgroup.path (exact bytes in path_hex), and a name spelling a "container"
 * member forges none.
 */
static void test_hostile_name(void **state UNUSED)
{
	static const char name[] = "x\",\"container\":{\"id\":\"f\t\xff";
	char *want, *hex;
	uint64_t ns[NNS];
	json_object *rec;
	size_t n;
	pid_t pid;

	if (!harness_can_run())
		skip();
	run_child(); /* creates parent_dir */
	hostile_dir = xasprintf("%s/%s", parent_dir, name);
	assert_int_equal(mkdir(hostile_dir, 0755), 0);
	hostile_file = xasprintf("%s/hostile-cgroup", tmpdir);
	pid = spawn_in(hostile_dir, hostile_file, ns);
	rec = wait_open(hostile_file, pid);
	want = xasprintf("%s/caudit-test-%d.slice/%s", cg_root, getpid(), name);
	n = strlen(want);
	hex = malloc(2 * n + 1);
	assert_non_null(hex);
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)want[i]);
	if (!jstr(rec, "cgroup.path_hex") || strcmp(jstr(rec, "cgroup.path_hex"), hex) != 0 ||
	    jget(rec, "container")) {
		show(rec);
		fail_msg("want cgroup.path_hex %s and no container", hex);
	}
	free(hex);
	free(want);
}

/* Nothing was lost and every line parsed. */
static void test_clean_log(void **state UNUSED)
{
	if (!harness_can_run())
		skip();
	assert_int_equal(agent_stop(&ag), 0);
	assert_int_equal(ag.bad_lines, 0);
}

/* CapEff of a process, from /proc/PID/status (all ones if unreadable: fails the check). */
static unsigned long long cap_effective(pid_t pid)
{
	char path[64], line[256];
	unsigned long long caps = ~0ull;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return caps;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

/*
 * Without CAP_DAC_READ_SEARCH the agent cannot open file handles and must
 * find cgroups by walking the hierarchy: a second agent, started with that
 * capability dropped from the bounding set (so its exec gets none), still
 * names a podman container's cgroup.
 */
static void test_walk_without_handles(void **state UNUSED)
{
	char id2[65], *want_path;
	uint64_t ns[NNS];
	json_object *rec;
	struct stat st;
	pid_t pid;

	if (!harness_can_run())
		skip();
	run_child(); /* creates parent_dir */
	agent_cleanup(&ag);
	assert_int_equal(prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0), 0);
	assert_int_equal(agent_start(&ag, NULL), 0);
	assert_false(cap_effective(ag.pid) & (1ull << CAP_DAC_READ_SEARCH));
	random_hex_id(id2);
	snprintf(podman_dir, sizeof(podman_dir), "%s/libpod-%s.scope", parent_dir, id2);
	assert_int_equal(mkdir(podman_dir, 0755), 0);
	assert_int_equal(stat(podman_dir, &st), 0);
	snprintf(podman_file, sizeof(podman_file), "%s/in-podman", tmpdir);
	pid = spawn_in(podman_dir, podman_file, ns);
	rec = wait_open(podman_file, pid);
	want_path = xasprintf("%s/caudit-test-%d.slice/libpod-%s.scope", cg_root, getpid(), id2);
	if (jint(rec, "cgroup.id") != (int64_t)st.st_ino || !jstr(rec, "cgroup.path") ||
	    strcmp(jstr(rec, "cgroup.path"), want_path) != 0 || !jstr(rec, "container.id") ||
	    strcmp(jstr(rec, "container.id"), id2) != 0 || !jstr(rec, "container.runtime") ||
	    strcmp(jstr(rec, "container.runtime"), "podman") != 0) {
		show(rec);
		fail_msg("want cgroup {id %llu, path %s}, container {id %s, runtime podman}",
			 (unsigned long long)st.st_ino, want_path, id2);
	}
	free(want_path);
	assert_int_equal(agent_stop(&ag), 0);
	assert_int_equal(ag.bad_lines, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_and_container),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_host_process),
		cmocka_unit_test(test_hostile_name),
		cmocka_unit_test(test_clean_log),
		cmocka_unit_test(test_walk_without_handles),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
