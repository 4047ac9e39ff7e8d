/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Every captured file operation, issued raw through syscall(2) on unique
 * paths in a fresh temporary directory, comes back as exactly one record
 * with exact fields: event, syscall, outcome, ret, errno, absolute paths,
 * flags, mode, owner, xattr name, symlink target, fd, and who did it.
 * One agent serves the whole group; every wait has a deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

/* x86_64 numbers newer than Debian 12's headers */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#define NR_fchmodat2 452
#define NR_setxattrat 463
#define NR_removexattrat 466

/* <sys/xattr.h> values, spelled out to keep that header's enum out */
#define CA_XATTR_CREATE 1
#define CA_XATTR_REPLACE 2

/* struct xattr_args of setxattrat(2), not in Debian 12's headers */
struct ca_xattr_args {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

#define UNUSED __attribute__((unused))
#define WAIT_MS 10000
#define NOBODY 65534
#define TEST_UID 1234
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct agent ag;

/* Test directories and path strings, removed and freed in the teardown. */
static char test_dirs[64][PATH_MAX];
static size_t ntest_dirs;
static char *owned[4096];
static size_t nowned;
static unsigned int path_seq;

/* ---- helpers: paths ---------------------------------------------------- */

static char *keep(char *s)
{
	if (nowned < ARRAY_SIZE(owned))
		owned[nowned++] = s;
	return s;
}

/* A fresh directory for one test (mkdtemp, root-owned, 0700). */
static const char *new_dir(void)
{
	char *d;

	if (ntest_dirs >= ARRAY_SIZE(test_dirs))
		fail_msg("too many test directories");
	d = test_dirs[ntest_dirs];
	if (harness_tmpdir(d, PATH_MAX))
		fail_msg("harness_tmpdir: %s", strerror(errno));
	ntest_dirs++;
	return d;
}

/* A unique relative name "stem-N". */
static const char *uniq_name(const char *stem)
{
	return keep(xasprintf("%s-%u", stem, ++path_seq));
}

/* A unique absolute path "dir/stem-N". */
static const char *upath(const char *dir, const char *stem)
{
	return keep(xasprintf("%s/%s-%u", dir, stem, ++path_seq));
}

static const char *join(const char *dir, const char *name)
{
	return keep(xasprintf("%s/%s", dir, name));
}

/* ---- helpers: syscalls ------------------------------------------------- */

#define OK(expr) sys_ok((long)(expr), #expr, __FILE__, __LINE__)
#define FAILS(expr, err) sys_fails((long)(expr), (err), #expr, __FILE__, __LINE__)

static long sys_ok(long r, const char *what, const char *file, int line)
{
	if (r < 0) {
		print_error("%s failed: %s\n", what, strerror(errno));
		_fail(file, line);
	}
	return r;
}

static void sys_fails(long r, int err, const char *what, const char *file, int line)
{
	if (r != -1 || errno != err) {
		print_error("%s: expected -1/%s, got %ld/%s\n", what, strerrorname_np(err), r,
			    r == -1 ? strerrorname_np(errno) : "-");
		_fail(file, line);
	}
}

/* A regular file made with mknod(2): no file.open record for its path. */
static void make_file(const char *path)
{
	OK(syscall(SYS_mknod, path, S_IFREG | 0644, 0));
}

static void make_dir(const char *path)
{
	OK(syscall(SYS_mkdir, path, 0755));
}

static int open_dir(const char *path)
{
	return (int)OK(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

static int open_ro(const char *path)
{
	return (int)OK(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC));
}

/* ---- helpers: records -------------------------------------------------- */

static const char *rec_text(json_object *rec)
{
	return json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN);
}

/* The whole record (print_error() cuts long messages). */
static void show_rec(json_object *rec)
{
	fprintf(stderr, "  record: %s\n", rec_text(rec));
}

/* On a timeout: every record mentioning the value's last component. */
static void dump_related(const char *value)
{
	const char *base = strrchr(value, '/');
	size_t shown = 0;

	base = base ? base + 1 : value;
	agent_poll(&ag);
	for (size_t i = 0; i < ag.nrecs && shown < 20; i++) {
		const char *s = rec_text(ag.recs[i]);

		if (strstr(s, base)) {
			fprintf(stderr, "  related record: %s\n", s);
			shown++;
		}
	}
	if (!shown)
		print_error("  no record mentions \"%s\" (%zu records read)\n", base, ag.nrecs);
}

struct rec_match {
	const char *event, *syscall, *outcome, *key, *value;
};

static int str_is(const char *got, const char *want)
{
	return got && strcmp(got, want) == 0;
}

static int match_rec(json_object *rec, void *arg)
{
	const struct rec_match *m = arg;

	if (m->event && !str_is(jstr(rec, "event"), m->event))
		return 0;
	if (m->syscall && !str_is(jstr(rec, "syscall"), m->syscall))
		return 0;
	if (m->outcome && !str_is(jstr(rec, "outcome"), m->outcome))
		return 0;
	return str_is(jstr(rec, m->key), m->value);
}

/*
 * Wait for the record of (event, syscall, outcome) whose string `key` equals
 * value, then check that it is the only one.
 */
static json_object *wait_rec(const char *event, const char *sc, const char *outcome,
			     const char *key, const char *value, const char *file, int line)
{
	struct rec_match m = { event, sc, outcome, key, value };
	json_object *ev;
	size_t n;

	ev = agent_wait(&ag, 0, match_rec, &m, WAIT_MS, NULL);
	if (!ev) {
		print_error("no %s record (syscall %s, %s) with %s = \"%s\" within %d ms\n", event,
			    sc ? sc : "any", outcome, key, value, WAIT_MS);
		dump_related(value);
		_fail(file, line);
	}
	n = agent_count(&ag, match_rec, &m);
	if (n != 1) {
		print_error("%zu %s records (syscall %s, %s) with %s = \"%s\", expected 1\n", n,
			    event, sc ? sc : "any", outcome, key, value);
		dump_related(value);
		_fail(file, line);
	}
	return ev;
}

/* The record of a successful / failed (event, syscall) on file.path == path. */
#define wait_ok(event, sc, path) \
	wait_rec((event), (sc), "success", "file.path", (path), __FILE__, __LINE__)
#define wait_err(event, sc, path) \
	wait_rec((event), (sc), "failure", "file.path", (path), __FILE__, __LINE__)

#define CHECK_STR(ev, key, want) check_str((ev), (key), (want), __FILE__, __LINE__)
#define CHECK_INT(ev, key, want) check_int((ev), (key), (int64_t)(want), __FILE__, __LINE__)
#define CHECK_ABSENT(ev, key) check_absent((ev), (key), __FILE__, __LINE__)
#define CHECK_NAMES(ev, key, ...) \
	check_list((ev), (key), (const char *[]){ __VA_ARGS__, NULL }, 0, __FILE__, __LINE__)
#define CHECK_LIST(ev, key, want) check_list((ev), (key), (want), 1, __FILE__, __LINE__)
#define CHECK_OP(ev, event, sc, ret, err) \
	check_op((ev), (event), (sc), (long)(ret), (err), getpid(), 0, __FILE__, __LINE__)

static void check_str(json_object *ev, const char *key, const char *want, const char *file,
		      int line)
{
	const char *got = jstr(ev, key);

	if (got && strcmp(got, want) == 0)
		return;
	print_error("%s: expected \"%s\", got %s%s%s\n", key, want, got ? "\"" : "",
		    got ? got : "(no string)", got ? "\"" : "");
	show_rec(ev);
	_fail(file, line);
}

static void check_int(json_object *ev, const char *key, int64_t want, const char *file, int line)
{
	int64_t got = jint(ev, key);

	if (got == want)
		return;
	if (got == INT64_MIN)
		print_error("%s: expected %lld, got no integer\n", key, (long long)want);
	else
		print_error("%s: expected %lld, got %lld\n", key, (long long)want, (long long)got);
	show_rec(ev);
	_fail(file, line);
}

static void check_absent(json_object *ev, const char *key, const char *file, int line)
{
	json_object *v = jget(ev, key);

	if (!v && !jis_null(ev, key))
		return;
	print_error("%s: expected absent, got %s\n", key,
		    v ? json_object_to_json_string(v) : "null");
	show_rec(ev);
	_fail(file, line);
}

/* A string array holding exactly the strings given, in order or in any order. */
static void check_list(json_object *ev, const char *key, const char *const *want, int ordered,
		       const char *file, int line)
{
	json_object *arr = jget(ev, key);
	size_t n = 0, len;

	while (want[n])
		n++;
	if (!arr || !json_object_is_type(arr, json_type_array))
		goto bad;
	len = json_object_array_length(arr);
	if (len != n)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = ordered ? i : 0; j < len; j++) {
			json_object *e = json_object_array_get_idx(arr, j);

			if (json_object_is_type(e, json_type_string) &&
			    strcmp(json_object_get_string(e), want[i]) == 0)
				break;
		}
		if (j == len || (ordered && j != i))
			goto bad;
	}
	return;
bad:
	print_error("%s: expected %zu strings (%s) starting with \"%s\"\n", key, n,
		    ordered ? "in order" : "any order", n ? want[0] : "-");
	show_rec(ev);
	_fail(file, line);
}

/*
 * The fields every syscall record has: event, category, syscall, access,
 * outcome, ret, errno (only on failure) and who did it: process pid, thread
 * tid (0: the main thread, tid == pid), and our uids when pid is us.
 */
static void check_op(json_object *ev, const char *event, const char *sc, long ret,
		     const char *err, pid_t pid, pid_t tid, const char *file, int line)
{
	int is_file = strncmp(event, "file.", 5) == 0;

	check_str(ev, "event", event, file, line);
	check_str(ev, "category", is_file ? "file" : "process", file, line);
	check_str(ev, "syscall", sc, file, line);
	if (is_file)
		check_str(ev, "access", "write", file, line);
	check_str(ev, "outcome", err ? "failure" : "success", file, line);
	check_int(ev, "ret", ret, file, line);
	if (err)
		check_str(ev, "errno", err, file, line);
	else
		check_absent(ev, "errno", file, line);
	check_int(ev, "proc.pid", pid, file, line);
	check_int(ev, "proc.tid", tid ? tid : pid, file, line);
	if (pid == getpid()) {
		check_int(ev, "user.uid", getuid(), file, line);
		check_int(ev, "user.euid", geteuid(), file, line);
	}
	check_int(ev, "schema", 1, file, line);
}

/* ---- group setup ------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb UNUSED, int flag UNUSED,
		    struct FTW *ftw UNUSED)
{
	return remove(path);
}

static int setup(void **state UNUSED)
{
	if (!harness_can_run())
		return 0;
	return agent_start(&ag, NULL);
}

static int teardown(void **state UNUSED)
{
	agent_cleanup(&ag);
	for (size_t i = 0; i < ntest_dirs; i++)
		if (!getenv("CAUDIT_KEEP_TEST_DIRS"))
			nftw(test_dirs[i], rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	nowned = 0;
	ntest_dirs = 0;
	return 0;
}

/* ---- opens ------------------------------------------------------------- */

static void test_open(void **state UNUSED)
{
	const char *dir, *p, *q, *missing;
	json_object *ev;
	long fd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "open");
	q = upath(dir, "open-existing");
	missing = join(dir, "no-such-dir/open");

	fd = OK(syscall(SYS_open, p, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	close((int)fd);
	ev = wait_ok("file.open", "open", p);
	CHECK_OP(ev, "file.open", "open", fd, NULL);
	CHECK_INT(ev, "file.flags", O_WRONLY | O_CREAT | O_TRUNC);
	CHECK_NAMES(ev, "file.flag_names", "O_WRONLY", "O_CREAT", "O_TRUNC");
	CHECK_STR(ev, "file.mode", "0644");
	CHECK_ABSENT(ev, "file.path2");

	/* no O_CREAT: no mode */
	make_file(q);
	fd = OK(syscall(SYS_open, q, O_RDWR | O_APPEND));
	close((int)fd);
	ev = wait_ok("file.open", "open", q);
	CHECK_OP(ev, "file.open", "open", fd, NULL);
	CHECK_INT(ev, "file.flags", O_RDWR | O_APPEND);
	CHECK_NAMES(ev, "file.flag_names", "O_RDWR", "O_APPEND");
	CHECK_ABSENT(ev, "file.mode");

	FAILS(syscall(SYS_open, missing, O_WRONLY | O_CREAT, 0600), ENOENT);
	ev = wait_err("file.open", "open", missing);
	CHECK_OP(ev, "file.open", "open", -ENOENT, "ENOENT");
	CHECK_INT(ev, "file.flags", O_WRONLY | O_CREAT);
	CHECK_STR(ev, "file.mode", "0600");
}

static void test_openat(void **state UNUSED)
{
	const char *dir, *p, *rel, *relmiss;
	json_object *ev;
	long fd;
	int dfd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "openat");
	rel = uniq_name("openat-rel");
	relmiss = "no-such-dir/openat";
	dfd = open_dir(dir);

	fd = OK(syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	close((int)fd);
	ev = wait_ok("file.open", "openat", p);
	CHECK_OP(ev, "file.open", "openat", fd, NULL);
	CHECK_INT(ev, "file.flags", O_WRONLY | O_CREAT | O_CLOEXEC);
	CHECK_NAMES(ev, "file.flag_names", "O_WRONLY", "O_CREAT", "O_CLOEXEC");
	CHECK_STR(ev, "file.mode", "0600");

	/* relative to a dirfd: the record has the absolute path */
	fd = OK(syscall(SYS_openat, dfd, rel, O_RDWR | O_CREAT | O_EXCL, 0604));
	close((int)fd);
	ev = wait_ok("file.open", "openat", join(dir, rel));
	CHECK_OP(ev, "file.open", "openat", fd, NULL);
	CHECK_INT(ev, "file.flags", O_RDWR | O_CREAT | O_EXCL);
	CHECK_NAMES(ev, "file.flag_names", "O_RDWR", "O_CREAT", "O_EXCL");
	CHECK_STR(ev, "file.mode", "0604");

	FAILS(syscall(SYS_openat, dfd, relmiss, O_WRONLY | O_CREAT, 0600), ENOENT);
	ev = wait_err("file.open", "openat", join(dir, relmiss));
	CHECK_OP(ev, "file.open", "openat", -ENOENT, "ENOENT");
	close(dfd);
}

static void test_openat2(void **state UNUSED)
{
	struct open_how how;
	const char *dir, *p, *rel;
	json_object *ev;
	long fd;
	int dfd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "openat2");
	rel = uniq_name("openat2-rel");
	dfd = open_dir(dir);

	memset(&how, 0, sizeof(how));
	how.flags = O_WRONLY | O_CREAT | O_EXCL;
	how.mode = 0640;
	fd = OK(syscall(SYS_openat2, AT_FDCWD, p, &how, sizeof(how)));
	close((int)fd);
	ev = wait_ok("file.open", "openat2", p);
	CHECK_OP(ev, "file.open", "openat2", fd, NULL);
	CHECK_INT(ev, "file.flags", O_WRONLY | O_CREAT | O_EXCL);
	CHECK_NAMES(ev, "file.flag_names", "O_WRONLY", "O_CREAT", "O_EXCL");
	CHECK_STR(ev, "file.mode", "0640");

	/* the same again: EEXIST, path as the caller gave it */
	FAILS(syscall(SYS_openat2, AT_FDCWD, p, &how, sizeof(how)), EEXIST);
	ev = wait_err("file.open", "openat2", p);
	CHECK_OP(ev, "file.open", "openat2", -EEXIST, "EEXIST");
	CHECK_INT(ev, "file.flags", O_WRONLY | O_CREAT | O_EXCL);
	CHECK_STR(ev, "file.mode", "0640");

	/* relative, no O_CREAT, with a resolve restriction */
	make_file(join(dir, rel));
	memset(&how, 0, sizeof(how));
	how.flags = O_RDWR | O_TRUNC;
	how.resolve = RESOLVE_BENEATH;
	fd = OK(syscall(SYS_openat2, dfd, rel, &how, sizeof(how)));
	close((int)fd);
	ev = wait_ok("file.open", "openat2", join(dir, rel));
	CHECK_OP(ev, "file.open", "openat2", fd, NULL);
	CHECK_INT(ev, "file.flags", O_RDWR | O_TRUNC);
	CHECK_NAMES(ev, "file.flag_names", "O_RDWR", "O_TRUNC");
	CHECK_ABSENT(ev, "file.mode");
	close(dfd);
}

static void test_creat(void **state UNUSED)
{
	const char *dir, *p, *sub;
	json_object *ev;
	long fd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "creat");
	sub = upath(dir, "creat-dir");

	fd = OK(syscall(SYS_creat, p, 0600));
	close((int)fd);
	ev = wait_ok("file.open", "creat", p);
	CHECK_OP(ev, "file.open", "creat", fd, NULL);
	CHECK_INT(ev, "file.flags", O_WRONLY | O_CREAT | O_TRUNC);
	CHECK_NAMES(ev, "file.flag_names", "O_WRONLY", "O_CREAT", "O_TRUNC");
	CHECK_STR(ev, "file.mode", "0600");

	make_dir(sub);
	FAILS(syscall(SYS_creat, sub, 0644), EISDIR);
	ev = wait_err("file.open", "creat", sub);
	CHECK_OP(ev, "file.open", "creat", -EISDIR, "EISDIR");
	CHECK_STR(ev, "file.mode", "0644");
}

/* O_TMPFILE carries a mode; O_DIRECTORY (one of its bits) alone does not. */
static void test_open_tmpfile(void **state UNUSED)
{
	const char *dir, *sub, *named, *tmpname;
	json_object *ev;
	struct stat st;
	long fd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	sub = upath(dir, "tmpfile-dir");
	named = upath(dir, "tmpfile-named");
	make_dir(sub);

	fd = OK(syscall(SYS_openat, AT_FDCWD, sub, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
	OK(fstat((int)fd, &st));
	/* an unnamed file: the kernel calls its dentry "#<inode>" */
	tmpname = keep(xasprintf("%s/#%llu", sub, (unsigned long long)st.st_ino));
	OK(syscall(SYS_linkat, fd, "", AT_FDCWD, named, AT_EMPTY_PATH));
	close((int)fd);
	ev = wait_ok("file.open", "openat", tmpname);
	CHECK_OP(ev, "file.open", "openat", fd, NULL);
	CHECK_INT(ev, "file.flags", O_TMPFILE | O_WRONLY | O_CLOEXEC);
	CHECK_NAMES(ev, "file.flag_names", "O_WRONLY", "O_TMPFILE", "O_DIRECTORY", "O_CLOEXEC");
	CHECK_STR(ev, "file.mode", "0600");
	ev = wait_rec("file.link", "linkat", "success", "file.path2", named, __FILE__, __LINE__);
	CHECK_OP(ev, "file.link", "linkat", 0, NULL);
	CHECK_STR(ev, "file.path", tmpname);
	CHECK_INT(ev, "file.flags", AT_EMPTY_PATH);

	FAILS(syscall(SYS_openat, AT_FDCWD, sub, O_RDWR | O_DIRECTORY, 0), EISDIR);
	ev = wait_err("file.open", "openat", sub);
	CHECK_OP(ev, "file.open", "openat", -EISDIR, "EISDIR");
	CHECK_INT(ev, "file.flags", O_RDWR | O_DIRECTORY);
	CHECK_NAMES(ev, "file.flag_names", "O_RDWR", "O_DIRECTORY");
	CHECK_ABSENT(ev, "file.mode");
}

/*
 * The kernel-resolved path: "./", "../" and a symlinked directory in the
 * name; the record has the file that was opened.
 */
static void test_open_resolved_path(void **state UNUSED)
{
	const char *dir, *real, *lnk, *name, *via, *want;
	json_object *ev;
	long fd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	real = upath(dir, "real");
	lnk = upath(dir, "lnk");
	name = uniq_name("resolved");
	make_dir(real);
	make_dir(join(real, "sub"));
	OK(syscall(SYS_symlink, real, lnk));
	via = keep(xasprintf("%s/./sub/../%s", lnk, name));
	want = join(real, name);

	fd = OK(syscall(SYS_openat, AT_FDCWD, via, O_WRONLY | O_CREAT, 0644));
	close((int)fd);
	ev = wait_ok("file.open", "openat", want);
	CHECK_OP(ev, "file.open", "openat", fd, NULL);
	CHECK_STR(ev, "file.mode", "0644");

	/* "//" and a trailing "/." on an existing file through the link */
	via = keep(xasprintf("%s//sub/./..//%s", lnk, name));
	fd = OK(syscall(SYS_open, via, O_WRONLY | O_APPEND));
	close((int)fd);
	ev = wait_ok("file.open", "open", want);
	CHECK_OP(ev, "file.open", "open", fd, NULL);
	CHECK_INT(ev, "file.flags", O_WRONLY | O_APPEND);
}

/* Kernel paths across mount points: a directory on /dev/shm (tmpfs). */
static void test_open_other_mount(void **state UNUSED)
{
	struct stat st_tmp, st_shm;
	const char *p;
	json_object *ev;
	char *dir;
	long fd;

	if (!harness_can_run())
		skip();
	if (stat("/tmp", &st_tmp) || stat("/dev/shm", &st_shm) || st_tmp.st_dev == st_shm.st_dev) {
		print_message("/dev/shm is not a separate mount: skipped\n");
		skip();
	}
	if (ntest_dirs >= ARRAY_SIZE(test_dirs))
		fail_msg("too many test directories");
	dir = test_dirs[ntest_dirs];
	snprintf(dir, PATH_MAX, "/dev/shm/caudit-test-XXXXXX");
	if (!mkdtemp(dir))
		fail_msg("mkdtemp %s: %s", dir, strerror(errno));
	ntest_dirs++;
	p = upath(dir, "shm");

	fd = OK(syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	OK(syscall(SYS_fchmod, fd, 0640));
	close((int)fd);
	ev = wait_ok("file.open", "openat", p);
	CHECK_OP(ev, "file.open", "openat", fd, NULL);
	ev = wait_ok("file.chmod", "fchmod", p);
	CHECK_OP(ev, "file.chmod", "fchmod", 0, NULL);
	CHECK_INT(ev, "file.fd", fd);
	CHECK_STR(ev, "file.mode", "0640");
}

/* match: any record whose file.path is arg */
static int match_path(json_object *rec, void *arg)
{
	return str_is(jstr(rec, "file.path"), arg);
}

/* match: a file.open record whose file.path is arg */
static int match_open_path(json_object *rec, void *arg)
{
	return str_is(jstr(rec, "event"), "file.open") && str_is(jstr(rec, "file.path"), arg);
}

/* Read-only opens are not recorded by default (capture_read_opens = no). */
static void test_read_only_open_not_recorded(void **state UNUSED)
{
	const char *dir, *ro, *missing, *marker;
	struct open_how how;
	long fd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	ro = upath(dir, "read-only");
	missing = upath(dir, "read-only-missing");
	marker = upath(dir, "marker");
	make_file(ro);

	fd = OK(syscall(SYS_open, ro, O_RDONLY));
	close((int)fd);
	fd = OK(syscall(SYS_openat, AT_FDCWD, ro, O_RDONLY | O_CLOEXEC));
	close((int)fd);
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_CLOEXEC;
	fd = OK(syscall(SYS_openat2, AT_FDCWD, ro, &how, sizeof(how)));
	close((int)fd);
	fd = OK(syscall(SYS_openat, AT_FDCWD, ro, O_PATH | O_CLOEXEC));
	close((int)fd);
	FAILS(syscall(SYS_openat, AT_FDCWD, missing, O_RDONLY), ENOENT);
	make_dir(marker);

	/* the later marker is in the log, so the opens would be too */
	CHECK_OP(wait_ok("file.mkdir", "mkdir", marker), "file.mkdir", "mkdir", 0, NULL);
	assert_int_equal(agent_count(&ag, match_open_path, (void *)ro), 0);
	assert_int_equal(agent_count(&ag, match_path, (void *)missing), 0);
	/* only the mknod that made it */
	assert_int_equal(agent_count(&ag, match_path, (void *)ro), 1);
	CHECK_OP(wait_ok("file.mknod", "mknod", ro), "file.mknod", "mknod", 0, NULL);
}

/* ---- truncate ---------------------------------------------------------- */

static void test_truncate(void **state UNUSED)
{
	const char *dir, *p, *missing;
	json_object *ev;
	struct stat st;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "truncate");
	missing = upath(dir, "truncate-missing");
	make_file(p);

	OK(syscall(SYS_truncate, p, 4096));
	OK(stat(p, &st));
	assert_int_equal(st.st_size, 4096);
	ev = wait_ok("file.truncate", "truncate", p);
	CHECK_OP(ev, "file.truncate", "truncate", 0, NULL);
	CHECK_ABSENT(ev, "file.fd");
	CHECK_ABSENT(ev, "file.flags");

	FAILS(syscall(SYS_truncate, missing, 0), ENOENT);
	ev = wait_err("file.truncate", "truncate", missing);
	CHECK_OP(ev, "file.truncate", "truncate", -ENOENT, "ENOENT");
}

static void test_ftruncate(void **state UNUSED)
{
	const char *dir, *p;
	json_object *ev;
	long fd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "ftruncate");
	make_file(p);

	fd = OK(syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CLOEXEC));
	OK(syscall(SYS_ftruncate, fd, 100));
	close((int)fd);
	ev = wait_ok("file.truncate", "ftruncate", p);
	CHECK_OP(ev, "file.truncate", "ftruncate", 0, NULL);
	CHECK_INT(ev, "file.fd", fd);
}

/* ---- unlink, rmdir ----------------------------------------------------- */

static void test_unlink(void **state UNUSED)
{
	const char *dir, *p;
	json_object *ev;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "unlink");
	make_file(p);

	OK(syscall(SYS_unlink, p));
	ev = wait_ok("file.unlink", "unlink", p);
	CHECK_OP(ev, "file.unlink", "unlink", 0, NULL);
	CHECK_ABSENT(ev, "file.flags");

	FAILS(syscall(SYS_unlink, p), ENOENT);
	ev = wait_err("file.unlink", "unlink", p);
	CHECK_OP(ev, "file.unlink", "unlink", -ENOENT, "ENOENT");
}

static void test_unlinkat(void **state UNUSED)
{
	const char *dir, *p, *d, *full, *rel, *reld, *nonempty;
	json_object *ev;
	int dfd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "unlinkat");
	d = upath(dir, "unlinkat-dir");
	rel = uniq_name("unlinkat-rel");
	reld = uniq_name("unlinkat-reldir");
	nonempty = upath(dir, "unlinkat-nonempty");
	dfd = open_dir(dir);
	make_file(p);
	make_dir(d);
	make_file(join(dir, rel));
	make_dir(join(dir, reld));
	make_dir(nonempty);
	make_file(join(nonempty, "f"));

	OK(syscall(SYS_unlinkat, AT_FDCWD, p, 0));
	ev = wait_ok("file.unlink", "unlinkat", p);
	CHECK_OP(ev, "file.unlink", "unlinkat", 0, NULL);
	CHECK_INT(ev, "file.flags", 0);

	/* AT_REMOVEDIR makes it a file.rmdir */
	OK(syscall(SYS_unlinkat, AT_FDCWD, d, AT_REMOVEDIR));
	ev = wait_ok("file.rmdir", "unlinkat", d);
	CHECK_OP(ev, "file.rmdir", "unlinkat", 0, NULL);
	CHECK_INT(ev, "file.flags", AT_REMOVEDIR);

	/* relative to a dirfd */
	OK(syscall(SYS_unlinkat, dfd, rel, 0));
	full = join(dir, rel);
	ev = wait_ok("file.unlink", "unlinkat", full);
	CHECK_OP(ev, "file.unlink", "unlinkat", 0, NULL);
	CHECK_ABSENT(ev, "file.path_resolved");

	OK(syscall(SYS_unlinkat, dfd, reld, AT_REMOVEDIR));
	ev = wait_ok("file.rmdir", "unlinkat", join(dir, reld));
	CHECK_OP(ev, "file.rmdir", "unlinkat", 0, NULL);
	CHECK_INT(ev, "file.flags", AT_REMOVEDIR);

	FAILS(syscall(SYS_unlinkat, AT_FDCWD, nonempty, AT_REMOVEDIR), ENOTEMPTY);
	ev = wait_err("file.rmdir", "unlinkat", nonempty);
	CHECK_OP(ev, "file.rmdir", "unlinkat", -ENOTEMPTY, "ENOTEMPTY");
	close(dfd);
}

static void test_rmdir(void **state UNUSED)
{
	const char *dir, *d, *f;
	json_object *ev;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	d = upath(dir, "rmdir");
	f = upath(dir, "rmdir-file");
	make_dir(d);
	make_file(f);

	OK(syscall(SYS_rmdir, d));
	ev = wait_ok("file.rmdir", "rmdir", d);
	CHECK_OP(ev, "file.rmdir", "rmdir", 0, NULL);

	FAILS(syscall(SYS_rmdir, f), ENOTDIR);
	ev = wait_err("file.rmdir", "rmdir", f);
	CHECK_OP(ev, "file.rmdir", "rmdir", -ENOTDIR, "ENOTDIR");
}

/* ---- rename ------------------------------------------------------------ */

static void test_rename(void **state UNUSED)
{
	const char *dir, *a, *b, *missing, *c;
	json_object *ev;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	a = upath(dir, "rename-a");
	b = upath(dir, "rename-b");
	missing = upath(dir, "rename-missing");
	c = upath(dir, "rename-c");
	make_file(a);

	OK(syscall(SYS_rename, a, b));
	ev = wait_ok("file.rename", "rename", a);
	CHECK_OP(ev, "file.rename", "rename", 0, NULL);
	CHECK_STR(ev, "file.path2", b);
	CHECK_ABSENT(ev, "file.flags");

	FAILS(syscall(SYS_rename, missing, c), ENOENT);
	ev = wait_err("file.rename", "rename", missing);
	CHECK_OP(ev, "file.rename", "rename", -ENOENT, "ENOENT");
	CHECK_STR(ev, "file.path2", c);
}

static void test_renameat(void **state UNUSED)
{
	const char *dir, *sub, *ra, *rb, *rc, *abs_d;
	json_object *ev;
	int dfd, sfd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	sub = upath(dir, "renameat-sub");
	ra = uniq_name("renameat-a");
	rb = uniq_name("renameat-b");
	rc = uniq_name("renameat-c");
	abs_d = upath(dir, "renameat-d");
	make_dir(sub);
	dfd = open_dir(dir);
	sfd = open_dir(sub);
	make_file(join(dir, ra));

	/* both names relative to one dirfd */
	OK(syscall(SYS_renameat, dfd, ra, dfd, rb));
	ev = wait_ok("file.rename", "renameat", join(dir, ra));
	CHECK_OP(ev, "file.rename", "renameat", 0, NULL);
	CHECK_STR(ev, "file.path2", join(dir, rb));

	/* the second name relative to another dirfd */
	OK(syscall(SYS_renameat, dfd, rb, sfd, rc));
	ev = wait_ok("file.rename", "renameat", join(dir, rb));
	CHECK_OP(ev, "file.rename", "renameat", 0, NULL);
	CHECK_STR(ev, "file.path2", join(sub, rc));

	/* relative source, absolute destination */
	OK(syscall(SYS_renameat, sfd, rc, AT_FDCWD, abs_d));
	ev = wait_ok("file.rename", "renameat", join(sub, rc));
	CHECK_OP(ev, "file.rename", "renameat", 0, NULL);
	CHECK_STR(ev, "file.path2", abs_d);
	close(sfd);
	close(dfd);
}

static void test_renameat2(void **state UNUSED)
{
	const char *dir, *a, *b, *c;
	json_object *ev;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	a = upath(dir, "renameat2-a");
	b = upath(dir, "renameat2-b");
	c = upath(dir, "renameat2-c");
	make_file(a);
	make_file(b);

	OK(syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, c, RENAME_NOREPLACE));
	ev = wait_ok("file.rename", "renameat2", a);
	CHECK_OP(ev, "file.rename", "renameat2", 0, NULL);
	CHECK_STR(ev, "file.path2", c);
	CHECK_INT(ev, "file.flags", RENAME_NOREPLACE);

	FAILS(syscall(SYS_renameat2, AT_FDCWD, c, AT_FDCWD, b, RENAME_NOREPLACE), EEXIST);
	ev = wait_err("file.rename", "renameat2", c);
	CHECK_OP(ev, "file.rename", "renameat2", -EEXIST, "EEXIST");
	CHECK_STR(ev, "file.path2", b);
	CHECK_INT(ev, "file.flags", RENAME_NOREPLACE);

	OK(syscall(SYS_renameat2, AT_FDCWD, c, AT_FDCWD, b, RENAME_EXCHANGE));
	ev = wait_ok("file.rename", "renameat2", c);
	CHECK_OP(ev, "file.rename", "renameat2", 0, NULL);
	CHECK_STR(ev, "file.path2", b);
	CHECK_INT(ev, "file.flags", RENAME_EXCHANGE);
}

/* ---- mkdir ------------------------------------------------------------- */

static void test_mkdir(void **state UNUSED)
{
	const char *dir, *d;
	json_object *ev;
	struct stat st;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	d = upath(dir, "mkdir");

	OK(syscall(SYS_mkdir, d, 0750));
	OK(stat(d, &st));
	assert_true(S_ISDIR(st.st_mode));
	ev = wait_ok("file.mkdir", "mkdir", d);
	CHECK_OP(ev, "file.mkdir", "mkdir", 0, NULL);
	CHECK_STR(ev, "file.mode", "0750");
	CHECK_ABSENT(ev, "file.flags");

	FAILS(syscall(SYS_mkdir, d, 0700), EEXIST);
	ev = wait_err("file.mkdir", "mkdir", d);
	CHECK_OP(ev, "file.mkdir", "mkdir", -EEXIST, "EEXIST");
	CHECK_STR(ev, "file.mode", "0700");
}

static void test_mkdirat(void **state UNUSED)
{
	const char *dir, *d, *rel, *relmiss;
	json_object *ev;
	int dfd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	d = upath(dir, "mkdirat");
	rel = uniq_name("mkdirat-rel");
	relmiss = "no-such-dir/mkdirat";
	dfd = open_dir(dir);

	OK(syscall(SYS_mkdirat, AT_FDCWD, d, 0711));
	ev = wait_ok("file.mkdir", "mkdirat", d);
	CHECK_OP(ev, "file.mkdir", "mkdirat", 0, NULL);
	CHECK_STR(ev, "file.mode", "0711");

	OK(syscall(SYS_mkdirat, dfd, rel, 0755));
	ev = wait_ok("file.mkdir", "mkdirat", join(dir, rel));
	CHECK_OP(ev, "file.mkdir", "mkdirat", 0, NULL);
	CHECK_STR(ev, "file.mode", "0755");

	FAILS(syscall(SYS_mkdirat, dfd, relmiss, 0755), ENOENT);
	ev = wait_err("file.mkdir", "mkdirat", join(dir, relmiss));
	CHECK_OP(ev, "file.mkdir", "mkdirat", -ENOENT, "ENOENT");
	close(dfd);
}

/* ---- links ------------------------------------------------------------- */

static void test_link(void **state UNUSED)
{
	const char *dir, *a, *b;
	json_object *ev;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	a = upath(dir, "link-a");
	b = upath(dir, "link-b");
	make_file(a);

	OK(syscall(SYS_link, a, b));
	ev = wait_ok("file.link", "link", a);
	CHECK_OP(ev, "file.link", "link", 0, NULL);
	CHECK_STR(ev, "file.path2", b);

	FAILS(syscall(SYS_link, a, b), EEXIST);
	ev = wait_err("file.link", "link", a);
	CHECK_OP(ev, "file.link", "link", -EEXIST, "EEXIST");
	CHECK_STR(ev, "file.path2", b);
}

static void test_linkat(void **state UNUSED)
{
	const char *dir, *ra, *rb, *a, *c, *s, *d2, *e;
	json_object *ev;
	int dfd, fd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	ra = uniq_name("linkat-a");
	rb = uniq_name("linkat-b");
	a = join(dir, ra);
	c = upath(dir, "linkat-c");
	s = upath(dir, "linkat-sym");
	d2 = upath(dir, "linkat-d");
	e = upath(dir, "linkat-e");
	dfd = open_dir(dir);
	make_file(a);
	OK(syscall(SYS_symlink, a, s));

	OK(syscall(SYS_linkat, dfd, ra, dfd, rb, 0));
	ev = wait_ok("file.link", "linkat", a);
	CHECK_OP(ev, "file.link", "linkat", 0, NULL);
	CHECK_STR(ev, "file.path2", join(dir, rb));
	CHECK_INT(ev, "file.flags", 0);

	/* AT_EMPTY_PATH: the fd is the file */
	fd = open_ro(a);
	OK(syscall(SYS_linkat, fd, "", AT_FDCWD, c, AT_EMPTY_PATH));
	close(fd);
	ev = wait_rec("file.link", "linkat", "success", "file.path2", c, __FILE__, __LINE__);
	CHECK_OP(ev, "file.link", "linkat", 0, NULL);
	CHECK_STR(ev, "file.path", a);
	CHECK_INT(ev, "file.flags", AT_EMPTY_PATH);

	/* AT_SYMLINK_FOLLOW: the path is the name given (the link) */
	OK(syscall(SYS_linkat, AT_FDCWD, s, AT_FDCWD, d2, AT_SYMLINK_FOLLOW));
	ev = wait_ok("file.link", "linkat", s);
	CHECK_OP(ev, "file.link", "linkat", 0, NULL);
	CHECK_STR(ev, "file.path2", d2);
	CHECK_INT(ev, "file.flags", AT_SYMLINK_FOLLOW);

	FAILS(syscall(SYS_linkat, dfd, "no-such-file", AT_FDCWD, e, 0), ENOENT);
	ev = wait_err("file.link", "linkat", join(dir, "no-such-file"));
	CHECK_OP(ev, "file.link", "linkat", -ENOENT, "ENOENT");
	CHECK_STR(ev, "file.path2", e);
	close(dfd);
}

static void test_symlink(void **state UNUSED)
{
	const char *dir, *p, *target = "some/relative/../target";
	json_object *ev;
	char buf[128];
	ssize_t n;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "symlink");

	OK(syscall(SYS_symlink, target, p));
	n = readlink(p, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = 0;
	assert_string_equal(buf, target);
	ev = wait_ok("file.symlink", "symlink", p);
	CHECK_OP(ev, "file.symlink", "symlink", 0, NULL);
	/* the target is kept exactly as given, not resolved */
	CHECK_STR(ev, "file.target", target);
	CHECK_ABSENT(ev, "file.xattr");
	CHECK_ABSENT(ev, "file.path2");

	FAILS(syscall(SYS_symlink, "/other", p), EEXIST);
	ev = wait_err("file.symlink", "symlink", p);
	CHECK_OP(ev, "file.symlink", "symlink", -EEXIST, "EEXIST");
	CHECK_STR(ev, "file.target", "/other");
}

static void test_symlinkat(void **state UNUSED)
{
	const char *dir, *p, *rel;
	json_object *ev;
	int dfd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "symlinkat");
	rel = uniq_name("symlinkat-rel");
	dfd = open_dir(dir);

	OK(syscall(SYS_symlinkat, "/nonexistent/target", dfd, rel));
	ev = wait_ok("file.symlink", "symlinkat", join(dir, rel));
	CHECK_OP(ev, "file.symlink", "symlinkat", 0, NULL);
	CHECK_STR(ev, "file.target", "/nonexistent/target");

	OK(syscall(SYS_symlinkat, "./rel-target", AT_FDCWD, p));
	ev = wait_ok("file.symlink", "symlinkat", p);
	CHECK_OP(ev, "file.symlink", "symlinkat", 0, NULL);
	CHECK_STR(ev, "file.target", "./rel-target");
	close(dfd);
}

/* ---- mknod ------------------------------------------------------------- */

static void test_mknod(void **state UNUSED)
{
	const char *dir, *p;
	json_object *ev;
	struct stat st;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "mknod-fifo");

	OK(syscall(SYS_mknod, p, S_IFIFO | 0640, 0));
	OK(lstat(p, &st));
	assert_true(S_ISFIFO(st.st_mode));
	ev = wait_ok("file.mknod", "mknod", p);
	CHECK_OP(ev, "file.mknod", "mknod", 0, NULL);
	CHECK_STR(ev, "file.mode", "0640");

	FAILS(syscall(SYS_mknod, p, S_IFIFO | 0600, 0), EEXIST);
	ev = wait_err("file.mknod", "mknod", p);
	CHECK_OP(ev, "file.mknod", "mknod", -EEXIST, "EEXIST");
	CHECK_STR(ev, "file.mode", "0600");
}

static void test_mknodat(void **state UNUSED)
{
	const char *dir, *p, *rel;
	json_object *ev;
	int dfd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "mknodat");
	rel = uniq_name("mknodat-rel");
	dfd = open_dir(dir);

	OK(syscall(SYS_mknodat, dfd, rel, S_IFIFO | 0600, 0));
	ev = wait_ok("file.mknod", "mknodat", join(dir, rel));
	CHECK_OP(ev, "file.mknod", "mknodat", 0, NULL);
	CHECK_STR(ev, "file.mode", "0600");

	OK(syscall(SYS_mknodat, AT_FDCWD, p, S_IFREG | 0604, 0));
	ev = wait_ok("file.mknod", "mknodat", p);
	CHECK_OP(ev, "file.mknod", "mknodat", 0, NULL);
	CHECK_STR(ev, "file.mode", "0604");
	close(dfd);
}

/* ---- chmod ------------------------------------------------------------- */

static void assert_mode(const char *path, mode_t want)
{
	struct stat st;

	OK(lstat(path, &st));
	assert_int_equal(st.st_mode & 07777, want);
}

static void test_chmod(void **state UNUSED)
{
	const char *dir, *p, *missing;
	json_object *ev;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "chmod");
	missing = upath(dir, "chmod-missing");
	make_file(p);

	OK(syscall(SYS_chmod, p, 0640));
	assert_mode(p, 0640);
	ev = wait_ok("file.chmod", "chmod", p);
	CHECK_OP(ev, "file.chmod", "chmod", 0, NULL);
	CHECK_STR(ev, "file.mode", "0640");
	CHECK_ABSENT(ev, "file.fd");

	FAILS(syscall(SYS_chmod, missing, 04755), ENOENT);
	ev = wait_err("file.chmod", "chmod", missing);
	CHECK_OP(ev, "file.chmod", "chmod", -ENOENT, "ENOENT");
	CHECK_STR(ev, "file.mode", "4755");
}

static void test_fchmod(void **state UNUSED)
{
	const char *dir, *p;
	json_object *ev;
	int fd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "fchmod");
	make_file(p);

	fd = open_ro(p);
	OK(syscall(SYS_fchmod, fd, 0604));
	close(fd);
	assert_mode(p, 0604);
	ev = wait_ok("file.chmod", "fchmod", p);
	CHECK_OP(ev, "file.chmod", "fchmod", 0, NULL);
	CHECK_STR(ev, "file.mode", "0604");
	CHECK_INT(ev, "file.fd", fd);
}

static void test_fchmodat(void **state UNUSED)
{
	const char *dir, *p, *rel;
	json_object *ev;
	int dfd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "fchmodat");
	rel = uniq_name("fchmodat-rel");
	dfd = open_dir(dir);
	make_file(p);
	make_file(join(dir, rel));

	OK(syscall(SYS_fchmodat, AT_FDCWD, p, 0640));
	assert_mode(p, 0640);
	ev = wait_ok("file.chmod", "fchmodat", p);
	CHECK_OP(ev, "file.chmod", "fchmodat", 0, NULL);
	CHECK_STR(ev, "file.mode", "0640");
	CHECK_ABSENT(ev, "file.flags");

	OK(syscall(SYS_fchmodat, dfd, rel, 0600));
	ev = wait_ok("file.chmod", "fchmodat", join(dir, rel));
	CHECK_OP(ev, "file.chmod", "fchmodat", 0, NULL);
	CHECK_STR(ev, "file.mode", "0600");
	close(dfd);
}

static void test_fchmodat2(void **state UNUSED)
{
	const char *dir, *p, *q, *rel;
	json_object *ev;
	int dfd, fd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "fchmodat2");
	q = upath(dir, "fchmodat2-fd");
	rel = uniq_name("fchmodat2-rel");
	make_file(p);
	make_file(q);
	make_file(join(dir, rel));

	if (syscall(NR_fchmodat2, AT_FDCWD, p, 0640, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOSYS) {
			print_message("fchmodat2 not in this kernel: skipped\n");
			skip();
		}
		fail_msg("fchmodat2: %s", strerror(errno));
	}
	assert_mode(p, 0640);
	ev = wait_ok("file.chmod", "fchmodat2", p);
	CHECK_OP(ev, "file.chmod", "fchmodat2", 0, NULL);
	CHECK_STR(ev, "file.mode", "0640");
	CHECK_INT(ev, "file.flags", AT_SYMLINK_NOFOLLOW);

	/* AT_EMPTY_PATH: the fd is the file */
	fd = open_ro(q);
	OK(syscall(NR_fchmodat2, fd, "", 0600, AT_EMPTY_PATH));
	close(fd);
	assert_mode(q, 0600);
	ev = wait_ok("file.chmod", "fchmodat2", q);
	CHECK_OP(ev, "file.chmod", "fchmodat2", 0, NULL);
	CHECK_STR(ev, "file.mode", "0600");
	CHECK_INT(ev, "file.flags", AT_EMPTY_PATH);

	dfd = open_dir(dir);
	OK(syscall(NR_fchmodat2, dfd, rel, 0604, 0));
	close(dfd);
	ev = wait_ok("file.chmod", "fchmodat2", join(dir, rel));
	CHECK_OP(ev, "file.chmod", "fchmodat2", 0, NULL);
	CHECK_STR(ev, "file.mode", "0604");
	CHECK_INT(ev, "file.flags", 0);
}

/* ---- chown ------------------------------------------------------------- */

static void assert_owner(const char *path, uid_t uid, gid_t gid)
{
	struct stat st;

	OK(lstat(path, &st));
	assert_int_equal(st.st_uid, uid);
	assert_int_equal(st.st_gid, gid);
}

static void test_chown(void **state UNUSED)
{
	const char *dir, *p, *missing;
	json_object *ev;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "chown");
	missing = upath(dir, "chown-missing");
	make_file(p);

	OK(syscall(SYS_chown, p, TEST_UID, -1));
	assert_owner(p, TEST_UID, 0);
	ev = wait_ok("file.chown", "chown", p);
	CHECK_OP(ev, "file.chown", "chown", 0, NULL);
	CHECK_INT(ev, "file.owner_uid", TEST_UID);
	CHECK_INT(ev, "file.owner_gid", -1);

	FAILS(syscall(SYS_chown, missing, 0, 0), ENOENT);
	ev = wait_err("file.chown", "chown", missing);
	CHECK_OP(ev, "file.chown", "chown", -ENOENT, "ENOENT");
	CHECK_INT(ev, "file.owner_uid", 0);
	CHECK_INT(ev, "file.owner_gid", 0);
}

static void test_fchown(void **state UNUSED)
{
	const char *dir, *p;
	json_object *ev;
	int fd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "fchown");
	make_file(p);

	fd = open_ro(p);
	OK(syscall(SYS_fchown, fd, -1, TEST_UID));
	close(fd);
	assert_owner(p, 0, TEST_UID);
	ev = wait_ok("file.chown", "fchown", p);
	CHECK_OP(ev, "file.chown", "fchown", 0, NULL);
	CHECK_INT(ev, "file.owner_uid", -1);
	CHECK_INT(ev, "file.owner_gid", TEST_UID);
	CHECK_INT(ev, "file.fd", fd);
}

static void test_lchown(void **state UNUSED)
{
	const char *dir, *p, *s;
	json_object *ev;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "lchown-target");
	s = upath(dir, "lchown-link");
	make_file(p);
	OK(syscall(SYS_symlink, p, s));

	OK(syscall(SYS_lchown, s, TEST_UID, TEST_UID));
	assert_owner(s, TEST_UID, TEST_UID);
	assert_owner(p, 0, 0);
	/* the link itself, not its target */
	ev = wait_ok("file.chown", "lchown", s);
	CHECK_OP(ev, "file.chown", "lchown", 0, NULL);
	CHECK_INT(ev, "file.owner_uid", TEST_UID);
	CHECK_INT(ev, "file.owner_gid", TEST_UID);
}

static void test_fchownat(void **state UNUSED)
{
	const char *dir, *p, *rel;
	json_object *ev;
	int dfd, fd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "fchownat-fd");
	rel = uniq_name("fchownat-rel");
	dfd = open_dir(dir);
	make_file(p);
	make_file(join(dir, rel));

	OK(syscall(SYS_fchownat, dfd, rel, TEST_UID, 0, AT_SYMLINK_NOFOLLOW));
	assert_owner(join(dir, rel), TEST_UID, 0);
	ev = wait_ok("file.chown", "fchownat", join(dir, rel));
	CHECK_OP(ev, "file.chown", "fchownat", 0, NULL);
	CHECK_INT(ev, "file.owner_uid", TEST_UID);
	CHECK_INT(ev, "file.owner_gid", 0);
	CHECK_INT(ev, "file.flags", AT_SYMLINK_NOFOLLOW);

	fd = open_ro(p);
	OK(syscall(SYS_fchownat, fd, "", -1, TEST_UID, AT_EMPTY_PATH));
	close(fd);
	assert_owner(p, 0, TEST_UID);
	ev = wait_ok("file.chown", "fchownat", p);
	CHECK_OP(ev, "file.chown", "fchownat", 0, NULL);
	CHECK_INT(ev, "file.owner_uid", -1);
	CHECK_INT(ev, "file.owner_gid", TEST_UID);
	CHECK_INT(ev, "file.flags", AT_EMPTY_PATH);
	close(dfd);
}

/* ---- extended attributes ----------------------------------------------- */

/*
 * A test directory where user.* attributes work: a fresh harness_tmpdir()
 * (ext4 /tmp has them), else one under /var/tmp; skip() if neither has them.
 */
static const char *xattr_dir(void)
{
	const char *dir = new_dir();
	const char *probe = join(dir, "xattr-probe");
	char *alt;

	make_file(probe);
	if (syscall(SYS_setxattr, probe, "user.probe", "1", 1, 0) == 0)
		return dir;
	if (errno != EOPNOTSUPP)
		fail_msg("setxattr probe in %s: %s", dir, strerror(errno));
	if (ntest_dirs >= ARRAY_SIZE(test_dirs))
		fail_msg("too many test directories");
	alt = test_dirs[ntest_dirs];
	snprintf(alt, PATH_MAX, "/var/tmp/caudit-test-XXXXXX");
	if (!mkdtemp(alt))
		fail_msg("mkdtemp %s: %s", alt, strerror(errno));
	ntest_dirs++;
	print_message("user xattrs unsupported in %s, using %s\n", dir, alt);
	probe = join(alt, "xattr-probe");
	make_file(probe);
	if (syscall(SYS_setxattr, probe, "user.probe", "1", 1, 0) != 0) {
		print_message("user xattrs unsupported in %s too: skipped\n", alt);
		skip();
	}
	return alt;
}

static void test_setxattr(void **state UNUSED)
{
	const char *dir, *p;
	json_object *ev;
	char buf[16];

	if (!harness_can_run())
		skip();
	dir = xattr_dir();
	p = upath(dir, "setxattr");
	make_file(p);

	OK(syscall(SYS_setxattr, p, "user.caudit", "v1", 2, CA_XATTR_CREATE));
	assert_int_equal(syscall(SYS_getxattr, p, "user.caudit", buf, sizeof(buf)), 2);
	ev = wait_ok("file.setxattr", "setxattr", p);
	CHECK_OP(ev, "file.setxattr", "setxattr", 0, NULL);
	CHECK_STR(ev, "file.xattr", "user.caudit");
	CHECK_INT(ev, "file.flags", CA_XATTR_CREATE);
	CHECK_ABSENT(ev, "file.target");

	FAILS(syscall(SYS_setxattr, p, "user.caudit", "v2", 2, CA_XATTR_CREATE), EEXIST);
	ev = wait_err("file.setxattr", "setxattr", p);
	CHECK_OP(ev, "file.setxattr", "setxattr", -EEXIST, "EEXIST");
	CHECK_STR(ev, "file.xattr", "user.caudit");
	CHECK_INT(ev, "file.flags", CA_XATTR_CREATE);
}

static void test_lsetxattr(void **state UNUSED)
{
	const char *dir, *p, *s;
	json_object *ev;

	if (!harness_can_run())
		skip();
	dir = xattr_dir();
	p = upath(dir, "lsetxattr");
	s = upath(dir, "lsetxattr-link");
	make_file(p);
	OK(syscall(SYS_symlink, p, s));

	OK(syscall(SYS_lsetxattr, p, "user.l", "v", 1, 0));
	ev = wait_ok("file.setxattr", "lsetxattr", p);
	CHECK_OP(ev, "file.setxattr", "lsetxattr", 0, NULL);
	CHECK_STR(ev, "file.xattr", "user.l");
	CHECK_INT(ev, "file.flags", 0);

	/* user.* on the symlink itself is refused: the record names the link */
	FAILS(syscall(SYS_lsetxattr, s, "user.l", "v", 1, 0), EPERM);
	ev = wait_err("file.setxattr", "lsetxattr", s);
	CHECK_OP(ev, "file.setxattr", "lsetxattr", -EPERM, "EPERM");
	CHECK_STR(ev, "file.xattr", "user.l");
}


static void test_fsetxattr(void **state UNUSED)
{
	const char *dir, *p, *q;
	json_object *ev;
	int fd;

	if (!harness_can_run())
		skip();
	dir = xattr_dir();
	p = upath(dir, "fsetxattr");
	q = upath(dir, "fsetxattr-replace");
	make_file(p);
	make_file(q);
	OK(syscall(SYS_setxattr, q, "user.f", "old", 3, 0));

	/* the path is the file behind the fd */
	fd = open_ro(p);
	OK(syscall(SYS_fsetxattr, fd, "user.f", "value", 5, CA_XATTR_CREATE));
	close(fd);
	ev = wait_ok("file.setxattr", "fsetxattr", p);
	CHECK_OP(ev, "file.setxattr", "fsetxattr", 0, NULL);
	CHECK_STR(ev, "file.xattr", "user.f");
	CHECK_INT(ev, "file.flags", CA_XATTR_CREATE);
	CHECK_INT(ev, "file.fd", fd);

	fd = open_ro(q);
	OK(syscall(SYS_fsetxattr, fd, "user.f", "new", 3, CA_XATTR_REPLACE));
	close(fd);
	ev = wait_ok("file.setxattr", "fsetxattr", q);
	CHECK_OP(ev, "file.setxattr", "fsetxattr", 0, NULL);
	CHECK_INT(ev, "file.flags", CA_XATTR_REPLACE);
	CHECK_INT(ev, "file.fd", fd);
}

static void test_removexattr(void **state UNUSED)
{
	const char *dir, *p;
	json_object *ev;

	if (!harness_can_run())
		skip();
	dir = xattr_dir();
	p = upath(dir, "removexattr");
	make_file(p);
	OK(syscall(SYS_setxattr, p, "user.r", "v", 1, 0));

	OK(syscall(SYS_removexattr, p, "user.r"));
	ev = wait_ok("file.removexattr", "removexattr", p);
	CHECK_OP(ev, "file.removexattr", "removexattr", 0, NULL);
	CHECK_STR(ev, "file.xattr", "user.r");
	CHECK_ABSENT(ev, "file.flags");

	FAILS(syscall(SYS_removexattr, p, "user.r"), ENODATA);
	ev = wait_err("file.removexattr", "removexattr", p);
	CHECK_OP(ev, "file.removexattr", "removexattr", -ENODATA, "ENODATA");
	CHECK_STR(ev, "file.xattr", "user.r");
}

static void test_lremovexattr(void **state UNUSED)
{
	const char *dir, *p, *s;
	json_object *ev;

	if (!harness_can_run())
		skip();
	dir = xattr_dir();
	p = upath(dir, "lremovexattr");
	s = upath(dir, "lremovexattr-link");
	make_file(p);
	OK(syscall(SYS_symlink, p, s));
	OK(syscall(SYS_setxattr, p, "user.lr", "v", 1, 0));

	OK(syscall(SYS_lremovexattr, p, "user.lr"));
	ev = wait_ok("file.removexattr", "lremovexattr", p);
	CHECK_OP(ev, "file.removexattr", "lremovexattr", 0, NULL);
	CHECK_STR(ev, "file.xattr", "user.lr");

	FAILS(syscall(SYS_lremovexattr, s, "user.lr"), EPERM);
	ev = wait_err("file.removexattr", "lremovexattr", s);
	CHECK_OP(ev, "file.removexattr", "lremovexattr", -EPERM, "EPERM");
	CHECK_STR(ev, "file.xattr", "user.lr");
}

static void test_fremovexattr(void **state UNUSED)
{
	const char *dir, *p;
	json_object *ev;
	int fd;

	if (!harness_can_run())
		skip();
	dir = xattr_dir();
	p = upath(dir, "fremovexattr");
	make_file(p);
	OK(syscall(SYS_setxattr, p, "user.fr", "v", 1, 0));

	fd = open_ro(p);
	OK(syscall(SYS_fremovexattr, fd, "user.fr"));
	FAILS(syscall(SYS_fremovexattr, fd, "user.fr"), ENODATA);
	close(fd);
	ev = wait_ok("file.removexattr", "fremovexattr", p);
	CHECK_OP(ev, "file.removexattr", "fremovexattr", 0, NULL);
	CHECK_STR(ev, "file.xattr", "user.fr");
	CHECK_INT(ev, "file.fd", fd);

	ev = wait_err("file.removexattr", "fremovexattr", p);
	CHECK_OP(ev, "file.removexattr", "fremovexattr", -ENODATA, "ENODATA");
	CHECK_INT(ev, "file.fd", fd);
}

static void test_setxattrat(void **state UNUSED)
{
	struct ca_xattr_args args = { (uintptr_t)"val", 3, CA_XATTR_CREATE };
	const char *dir, *rel, *q, *p, *s;
	json_object *ev;
	int dfd, fd;

	if (!harness_can_run())
		skip();
	dir = xattr_dir();
	rel = uniq_name("setxattrat-rel");
	q = upath(dir, "setxattrat-fd");
	p = upath(dir, "setxattrat-target");
	s = upath(dir, "setxattrat-link");
	make_file(join(dir, rel));
	make_file(q);
	make_file(p);
	OK(syscall(SYS_symlink, p, s));
	dfd = open_dir(dir);

	if (syscall(NR_setxattrat, dfd, rel, 0, "user.at", &args, sizeof(args)) < 0) {
		close(dfd);
		if (errno == ENOSYS) {
			print_message("setxattrat not in this kernel: skipped\n");
			skip();
		}
		fail_msg("setxattrat: %s", strerror(errno));
	}
	close(dfd);
	ev = wait_ok("file.setxattr", "setxattrat", join(dir, rel));
	CHECK_OP(ev, "file.setxattr", "setxattrat", 0, NULL);
	CHECK_STR(ev, "file.xattr", "user.at");
	CHECK_INT(ev, "file.flags", 0);

	/* AT_EMPTY_PATH: the fd is the file */
	fd = open_ro(q);
	OK(syscall(NR_setxattrat, fd, "", AT_EMPTY_PATH, "user.at2", &args, sizeof(args)));
	close(fd);
	ev = wait_ok("file.setxattr", "setxattrat", q);
	CHECK_OP(ev, "file.setxattr", "setxattrat", 0, NULL);
	CHECK_STR(ev, "file.xattr", "user.at2");
	CHECK_INT(ev, "file.flags", AT_EMPTY_PATH);

	FAILS(syscall(NR_setxattrat, AT_FDCWD, s, AT_SYMLINK_NOFOLLOW, "user.at3", &args,
		      sizeof(args)), EPERM);
	ev = wait_err("file.setxattr", "setxattrat", s);
	CHECK_OP(ev, "file.setxattr", "setxattrat", -EPERM, "EPERM");
	CHECK_STR(ev, "file.xattr", "user.at3");
	CHECK_INT(ev, "file.flags", AT_SYMLINK_NOFOLLOW);
}

static void test_removexattrat(void **state UNUSED)
{
	const char *dir, *rel, *p, *q;
	json_object *ev;
	int dfd, fd;

	if (!harness_can_run())
		skip();
	dir = xattr_dir();
	rel = uniq_name("removexattrat-rel");
	p = upath(dir, "removexattrat");
	q = upath(dir, "removexattrat-fd");
	make_file(join(dir, rel));
	make_file(p);
	make_file(q);
	OK(syscall(SYS_setxattr, join(dir, rel), "user.rat", "v", 1, 0));
	OK(syscall(SYS_setxattr, q, "user.rat", "v", 1, 0));
	dfd = open_dir(dir);

	if (syscall(NR_removexattrat, dfd, rel, 0, "user.rat") < 0) {
		close(dfd);
		if (errno == ENOSYS) {
			print_message("removexattrat not in this kernel: skipped\n");
			skip();
		}
		fail_msg("removexattrat: %s", strerror(errno));
	}
	close(dfd);
	ev = wait_ok("file.removexattr", "removexattrat", join(dir, rel));
	CHECK_OP(ev, "file.removexattr", "removexattrat", 0, NULL);
	CHECK_STR(ev, "file.xattr", "user.rat");
	CHECK_INT(ev, "file.flags", 0);

	fd = open_ro(q);
	OK(syscall(NR_removexattrat, fd, "", AT_EMPTY_PATH, "user.rat"));
	close(fd);
	ev = wait_ok("file.removexattr", "removexattrat", q);
	CHECK_OP(ev, "file.removexattr", "removexattrat", 0, NULL);
	CHECK_INT(ev, "file.flags", AT_EMPTY_PATH);

	FAILS(syscall(NR_removexattrat, AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, "user.none"), ENODATA);
	ev = wait_err("file.removexattr", "removexattrat", p);
	CHECK_OP(ev, "file.removexattr", "removexattrat", -ENODATA, "ENODATA");
	CHECK_STR(ev, "file.xattr", "user.none");
	CHECK_INT(ev, "file.flags", AT_SYMLINK_NOFOLLOW);
}

/* ---- timestamps -------------------------------------------------------- */

static void test_utimensat(void **state UNUSED)
{
	struct timespec ts[2] = { { 1, 0 }, { 2, 0 } };
	const char *dir, *p, *rel, *q, *e, *missing;
	json_object *ev;
	struct stat st;
	int dfd, fd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "utimensat");
	rel = uniq_name("utimensat-rel");
	q = upath(dir, "futimens");
	e = upath(dir, "utimensat-empty");
	missing = upath(dir, "utimensat-missing");
	make_file(p);
	make_file(join(dir, rel));
	make_file(q);
	make_file(e);
	dfd = open_dir(dir);

	OK(syscall(SYS_utimensat, AT_FDCWD, p, NULL, 0));
	ev = wait_ok("file.utime", "utimensat", p);
	CHECK_OP(ev, "file.utime", "utimensat", 0, NULL);
	CHECK_INT(ev, "file.flags", 0);

	OK(syscall(SYS_utimensat, dfd, rel, ts, AT_SYMLINK_NOFOLLOW));
	OK(stat(join(dir, rel), &st));
	assert_int_equal(st.st_mtim.tv_sec, 2);
	ev = wait_ok("file.utime", "utimensat", join(dir, rel));
	CHECK_OP(ev, "file.utime", "utimensat", 0, NULL);
	CHECK_INT(ev, "file.flags", AT_SYMLINK_NOFOLLOW);

	/* futimens(): a NULL path, the fd is the file */
	fd = open_ro(q);
	OK(syscall(SYS_utimensat, fd, NULL, NULL, 0));
	close(fd);
	ev = wait_ok("file.utime", "utimensat", q);
	CHECK_OP(ev, "file.utime", "utimensat", 0, NULL);
	CHECK_INT(ev, "file.flags", 0);

	fd = open_ro(e);
	OK(syscall(SYS_utimensat, fd, "", NULL, AT_EMPTY_PATH));
	close(fd);
	ev = wait_ok("file.utime", "utimensat", e);
	CHECK_OP(ev, "file.utime", "utimensat", 0, NULL);
	CHECK_INT(ev, "file.flags", AT_EMPTY_PATH);

	FAILS(syscall(SYS_utimensat, AT_FDCWD, missing, NULL, 0), ENOENT);
	ev = wait_err("file.utime", "utimensat", missing);
	CHECK_OP(ev, "file.utime", "utimensat", -ENOENT, "ENOENT");
	close(dfd);
}

/* ---- failed exec ------------------------------------------------------- */

static json_object *wait_exec_fail(const char *filename, const char *file, int line)
{
	/* exec.path is absolute; exec.filename is what the caller passed */
	return wait_rec("process.exec", "execve", "failure", "exec.path", filename, file, line);
}

static void test_execve_missing(void **state UNUSED)
{
	char *argv[] = { "no-such-program", "--one", "two words", "", NULL };
	char *envp[] = { "CAUDIT_TEST=1", NULL };
	const char *want[] = { "no-such-program", "--one", "two words", "", NULL };
	const char *dir, *p, *rel, *dotrel;
	json_object *ev;
	int cwd, r, err;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	p = upath(dir, "no-such-program");
	rel = uniq_name("no-such-program");
	dotrel = keep(xasprintf("./%s", rel));

	FAILS(syscall(SYS_execve, p, argv, envp), ENOENT);
	ev = wait_exec_fail(p, __FILE__, __LINE__);
	CHECK_OP(ev, "process.exec", "execve", -ENOENT, "ENOENT");
	CHECK_LIST(ev, "exec.args", want);
	check_int(ev, "proc.pid", getpid(), __FILE__, __LINE__);

	/* relative to the cwd: the filename is made absolute */
	cwd = open_dir(".");
	OK(chdir(dir));
	r = (int)syscall(SYS_execve, dotrel, argv, envp);
	err = errno;
	OK(fchdir(cwd));
	close(cwd);
	assert_int_equal(r, -1);
	assert_int_equal(err, ENOENT);
	ev = wait_exec_fail(join(dir, rel), __FILE__, __LINE__);
	CHECK_OP(ev, "process.exec", "execve", -ENOENT, "ENOENT");
	CHECK_LIST(ev, "exec.args", want);
	assert_string_equal(jstr(ev, "exec.filename"), dotrel);
}

/* ---- relative paths against the cwd ------------------------------------ */

static void test_relative_to_cwd(void **state UNUSED)
{
	const char *dir, *sub, *f, *a, *via, *from_root;
	long r_mkdir, r_open, r_rename, r_unlink, r_chmod, r_root;
	json_object *ev;
	int cwd;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	sub = uniq_name("cwd-sub");
	f = uniq_name("cwd-f");
	a = uniq_name("cwd-a");
	via = keep(xasprintf("%s/../%s", sub, f));
	from_root = upath(dir, "cwd-from-root");

	/* all calls first, so a failed assertion cannot leave the cwd moved */
	cwd = open_dir(".");
	OK(chdir(dir));
	r_mkdir = syscall(SYS_mkdir, sub, 0755);
	r_open = syscall(SYS_openat, AT_FDCWD, via, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (r_open >= 0)
		close((int)r_open);
	r_rename = syscall(SYS_rename, f, a);
	r_unlink = syscall(SYS_unlink, keep(xasprintf("./%s", a)));
	r_chmod = syscall(SYS_chmod, keep(xasprintf("%s/../%s/.", sub, sub)), 0700);
	/* the cwd is the root: "tmp/..." */
	r_root = chdir("/") ? -1 : syscall(SYS_mkdir, from_root + 1, 0755);
	OK(fchdir(cwd));
	close(cwd);
	assert_true(r_mkdir == 0 && r_open >= 0 && r_rename == 0 && r_unlink == 0 && r_chmod == 0);
	assert_int_equal(r_root, 0);

	ev = wait_ok("file.mkdir", "mkdir", join(dir, sub));
	CHECK_OP(ev, "file.mkdir", "mkdir", 0, NULL);
	CHECK_ABSENT(ev, "file.path_resolved");

	ev = wait_ok("file.open", "openat", join(dir, f));
	CHECK_OP(ev, "file.open", "openat", r_open, NULL);

	ev = wait_ok("file.rename", "rename", join(dir, f));
	CHECK_OP(ev, "file.rename", "rename", 0, NULL);
	CHECK_STR(ev, "file.path2", join(dir, a));
	CHECK_ABSENT(ev, "file.path2_resolved");

	ev = wait_ok("file.unlink", "unlink", join(dir, a));
	CHECK_OP(ev, "file.unlink", "unlink", 0, NULL);

	ev = wait_ok("file.chmod", "chmod", join(dir, sub));
	CHECK_OP(ev, "file.chmod", "chmod", 0, NULL);
	CHECK_STR(ev, "file.mode", "0700");

	ev = wait_ok("file.mkdir", "mkdir", from_root);
	CHECK_OP(ev, "file.mkdir", "mkdir", 0, NULL);
}

/* ---- who did it: other credentials --------------------------------------- */

static void wait_child_ok(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

struct thread_op {
	const char *path;
	pid_t tid;
	long ret;
};

static void *thread_mkdir(void *arg)
{
	struct thread_op *op = arg;

	op->tid = (pid_t)syscall(SYS_gettid);
	op->ret = syscall(SYS_mkdir, op->path, 0755);
	return NULL;
}

/* An operation from a second thread: proc.pid is the process, proc.tid the thread. */
static void test_thread_identity(void **state UNUSED)
{
	struct thread_op op = { 0 };
	pthread_t th;
	json_object *ev;

	if (!harness_can_run())
		skip();
	op.path = upath(new_dir(), "thread");
	assert_int_equal(pthread_create(&th, NULL, thread_mkdir, &op), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(op.ret, 0);
	assert_true(op.tid != getpid());

	ev = wait_ok("file.mkdir", "mkdir", op.path);
	check_op(ev, "file.mkdir", "mkdir", 0, NULL, getpid(), op.tid, __FILE__, __LINE__);
	CHECK_INT(ev, "user.uid", getuid());
}

/* An unprivileged child is refused in a root-owned 0700 directory. */
static void test_unprivileged_eacces(void **state UNUSED)
{
	const char *dir, *locked, *target;
	json_object *ev;
	pid_t pid;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	OK(syscall(SYS_chmod, dir, 0755));
	locked = upath(dir, "locked");
	OK(syscall(SYS_mkdir, locked, 0700));
	target = join(locked, "denied");

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		long r;

		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(2);
		r = syscall(SYS_openat, AT_FDCWD, target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		_exit(r == -1 && errno == EACCES ? 0 : 1);
	}
	wait_child_ok(pid);

	ev = wait_err("file.open", "openat", target);
	check_op(ev, "file.open", "openat", -EACCES, "EACCES", pid, 0, __FILE__, __LINE__);
	CHECK_INT(ev, "proc.ppid", getpid());
	CHECK_INT(ev, "user.uid", NOBODY);
	CHECK_INT(ev, "user.euid", NOBODY);
	CHECK_INT(ev, "user.suid", NOBODY);
	CHECK_INT(ev, "user.fsuid", NOBODY);
	CHECK_INT(ev, "user.gid", NOBODY);
	CHECK_INT(ev, "user.egid", NOBODY);
	CHECK_STR(ev, "user.caps", "0x0000000000000000");
	CHECK_INT(ev, "file.flags", O_WRONLY | O_CREAT | O_CLOEXEC);
	CHECK_STR(ev, "file.mode", "0600");
}

/* The login uid as the records write it: -1 when unset. */
static int64_t own_auid(void)
{
	unsigned long v = 0;
	FILE *f = fopen("/proc/self/loginuid", "re");

	if (!f)
		return -1;
	if (fscanf(f, "%lu", &v) != 1)
		v = 4294967295ul;
	fclose(f);
	return v == 4294967295ul ? -1 : (int64_t)v;
}

/* A root child that becomes uid 1234: new uids, the same login uid. */
static void test_setresuid_credentials(void **state UNUSED)
{
	const char *dir, *open_dir_path, *target;
	json_object *ev;
	int64_t auid;
	pid_t pid;

	if (!harness_can_run())
		skip();
	dir = new_dir();
	OK(syscall(SYS_chmod, dir, 0755));
	open_dir_path = upath(dir, "world");
	OK(syscall(SYS_mkdir, open_dir_path, 0777));
	OK(syscall(SYS_chmod, open_dir_path, 0777));
	target = join(open_dir_path, "by-1234");

	/* the parent's auid, as recorded */
	ev = wait_ok("file.mkdir", "mkdir", open_dir_path);
	CHECK_OP(ev, "file.mkdir", "mkdir", 0, NULL);
	auid = own_auid();
	CHECK_INT(ev, "user.auid", auid);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setresuid(TEST_UID, TEST_UID, TEST_UID))
			_exit(2);
		_exit(syscall(SYS_mkdir, target, 0755) == 0 ? 0 : 1);
	}
	wait_child_ok(pid);

	ev = wait_ok("file.mkdir", "mkdir", target);
	check_op(ev, "file.mkdir", "mkdir", 0, NULL, pid, 0, __FILE__, __LINE__);
	CHECK_INT(ev, "user.uid", TEST_UID);
	CHECK_INT(ev, "user.euid", TEST_UID);
	CHECK_INT(ev, "user.suid", TEST_UID);
	CHECK_INT(ev, "user.fsuid", TEST_UID);
	CHECK_INT(ev, "user.gid", getgid());
	CHECK_INT(ev, "user.auid", auid);
	CHECK_STR(ev, "file.mode", "0755");
	assert_owner(target, TEST_UID, getgid());
}

/* ---- the log as a whole ------------------------------------------------ */

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
	CHECK_INT(stop, "agent.totals.ringbuf_full", 0);
	CHECK_INT(stop, "agent.totals.map_full", 0);
	assert_int_equal(ag.bad_lines, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_openat),
		cmocka_unit_test(test_openat2),
		cmocka_unit_test(test_creat),
		cmocka_unit_test(test_open_tmpfile),
		cmocka_unit_test(test_open_resolved_path),
		cmocka_unit_test(test_open_other_mount),
		cmocka_unit_test(test_read_only_open_not_recorded),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_ftruncate),
		cmocka_unit_test(test_unlink),
		cmocka_unit_test(test_unlinkat),
		cmocka_unit_test(test_rmdir),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_renameat),
		cmocka_unit_test(test_renameat2),
		cmocka_unit_test(test_mkdir),
		cmocka_unit_test(test_mkdirat),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_linkat),
		cmocka_unit_test(test_symlink),
		cmocka_unit_test(test_symlinkat),
		cmocka_unit_test(test_mknod),
		cmocka_unit_test(test_mknodat),
		cmocka_unit_test(test_chmod),
		cmocka_unit_test(test_fchmod),
		cmocka_unit_test(test_fchmodat),
		cmocka_unit_test(test_fchmodat2),
		cmocka_unit_test(test_chown),
		cmocka_unit_test(test_fchown),
		cmocka_unit_test(test_lchown),
		cmocka_unit_test(test_fchownat),
		cmocka_unit_test(test_setxattr),
		cmocka_unit_test(test_lsetxattr),
		cmocka_unit_test(test_fsetxattr),
		cmocka_unit_test(test_removexattr),
		cmocka_unit_test(test_lremovexattr),
		cmocka_unit_test(test_fremovexattr),
		cmocka_unit_test(test_setxattrat),
		cmocka_unit_test(test_removexattrat),
		cmocka_unit_test(test_utimensat),
		cmocka_unit_test(test_execve_missing),
		cmocka_unit_test(test_relative_to_cwd),
		cmocka_unit_test(test_thread_identity),
		cmocka_unit_test(test_unprivileged_eacces),
		cmocka_unit_test(test_setresuid_credentials),
		cmocka_unit_test(test_log_clean_and_stop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
