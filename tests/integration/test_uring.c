/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * io_uring submissions never enter the syscall tracepoints. Each opcode
 * caudit covers (OPENAT, OPENAT2, RENAMEAT, UNLINKAT, MKDIRAT, SYMLINKAT,
 * LINKAT, CONNECT, ACCEPT) is issued through a real ring (liburing) on
 * unique paths or loopback sockets, and must come back as exactly one
 * record with the fields the equivalent syscall gives, plus "via":"io_uring".
 * Also: inline and io-wq (IOSQE_ASYNC) execution, an SQPOLL ring (the
 * kernel thread submits), fixed-file (direct) opens and accepts, and
 * read-only opens filtered as on the syscall path.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <liburing.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "caudit_event.h"
#include "harness.h"

#define UNUSED __attribute__((unused))
#define WAIT_MS 10000
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct agent ag;
static char dir[4096];
static char *owned[256];
static size_t nowned;
static unsigned seq;

static const char *keep(char *s)
{
	if (nowned < ARRAY_SIZE(owned))
		owned[nowned++] = s;
	return s;
}

/* A unique name "stem-N" and its absolute path under the test directory. */
static const char *uname_(const char *stem)
{
	return keep(xasprintf("%s-%u", stem, ++seq));
}

static const char *in_dir(const char *name)
{
	return keep(xasprintf("%s/%s", dir, name));
}

/* ---- the ring ---------------------------------------------------------- */

static struct io_uring ring;

/* Submit what was prepared, wait for its completion, return cqe->res. */
static int run_sqe(struct io_uring *r)
{
	struct io_uring_cqe *cqe;
	int res;

	assert_int_equal(io_uring_submit(r), 1);
	assert_int_equal(io_uring_wait_cqe(r, &cqe), 0);
	res = cqe->res;
	io_uring_cqe_seen(r, cqe);
	return res;
}

static struct io_uring_sqe *sqe_get(struct io_uring *r)
{
	struct io_uring_sqe *s = io_uring_get_sqe(r);

	assert_non_null(s);
	return s;
}

/* ---- records ----------------------------------------------------------- */

static void show_related(const char *needle)
{
	agent_poll(&ag);
	for (size_t i = 0; i < ag.nrecs; i++) {
		const char *s = json_object_to_json_string_ext(ag.recs[i], JSON_C_TO_STRING_PLAIN);

		if (strstr(s, needle))
			fprintf(stderr, "  related: %s\n", s);
	}
}

struct m {
	const char *event, *outcome, *key, *value;
};

static int match(json_object *rec, void *arg)
{
	const struct m *m = arg;
	const char *v;

	if (m->event && (!jstr(rec, "event") || strcmp(jstr(rec, "event"), m->event)))
		return 0;
	if (m->outcome && (!jstr(rec, "outcome") || strcmp(jstr(rec, "outcome"), m->outcome)))
		return 0;
	v = jstr(rec, m->key);
	return v && strcmp(v, m->value) == 0;
}

/* The one record of event/outcome whose string `key` equals value. */
static json_object *one_rec(const char *event, const char *outcome, const char *key,
			    const char *value, const char *file, int line)
{
	struct m m = { event, outcome, key, value };
	json_object *ev = agent_wait(&ag, 0, match, &m, WAIT_MS, NULL);
	size_t n;

	if (!ev) {
		print_error("no %s %s record with %s = %s\n", event, outcome, key, value);
		show_related(value);
		_fail(file, line);
	}
	n = agent_count(&ag, match, &m);
	if (n != 1) {
		print_error("%zu %s records with %s = %s, expected 1\n", n, event, key, value);
		show_related(value);
		_fail(file, line);
	}
	return ev;
}

#define ONE(event, outcome, key, value) one_rec(event, outcome, key, value, __FILE__, __LINE__)
#define CHECK_STR(ev, k, v) check_str(ev, k, v, __FILE__, __LINE__)
#define CHECK_INT(ev, k, v) check_int(ev, k, (int64_t)(v), __FILE__, __LINE__)
#define CHECK_ABSENT(ev, k) check_absent(ev, k, __FILE__, __LINE__)
#define CHECK_URING(ev, event, sc, ret, err) check_uring(ev, event, sc, ret, err, __FILE__, __LINE__)

static void show(json_object *ev)
{
	fprintf(stderr, "  record: %s\n", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
}

static void check_str(json_object *ev, const char *k, const char *want, const char *file, int line)
{
	const char *got = jstr(ev, k);

	if (got && strcmp(got, want) == 0)
		return;
	print_error("%s: expected \"%s\", got \"%s\"\n", k, want, got ? got : "(none)");
	show(ev);
	_fail(file, line);
}

static void check_int(json_object *ev, const char *k, int64_t want, const char *file, int line)
{
	int64_t got = jint(ev, k);

	if (got == want)
		return;
	print_error("%s: expected %lld, got %lld\n", k, (long long)want, (long long)got);
	show(ev);
	_fail(file, line);
}

static void check_absent(json_object *ev, const char *k, const char *file, int line)
{
	if (!jget(ev, k) && !jis_null(ev, k))
		return;
	print_error("%s: expected absent\n", k);
	show(ev);
	_fail(file, line);
}

/* What every io_uring record carries: the syscall it stands for, via, outcome, who. */
static void check_uring(json_object *ev, const char *event, const char *sc, long ret,
			const char *err, const char *file, int line)
{
	check_str(ev, "event", event, file, line);
	check_str(ev, "syscall", sc, file, line);
	check_str(ev, "via", "io_uring", file, line);
	check_str(ev, "outcome", err ? "failure" : "success", file, line);
	check_int(ev, "ret", ret, file, line);
	if (err)
		check_str(ev, "errno", err, file, line);
	else
		check_absent(ev, "errno", file, line);
	check_int(ev, "proc.pid", getpid(), file, line);
	check_int(ev, "user.uid", getuid(), file, line);
	check_int(ev, "user.euid", geteuid(), file, line);
}

/* ---- setup ------------------------------------------------------------- */

static int rm_entry(const char *p, const struct stat *sb UNUSED, int f UNUSED,
		    struct FTW *ftw UNUSED)
{
	return remove(p);
}

static int setup(void **state UNUSED)
{
	if (!harness_can_run())
		return 0;
	if (harness_tmpdir(dir, sizeof(dir)))
		return -1;
	if (io_uring_queue_init(8, &ring, 0))
		return -1;
	return agent_start(&ag, NULL);
}

static int teardown(void **state UNUSED)
{
	if (!harness_can_run())
		return 0;
	agent_cleanup(&ag);
	io_uring_queue_exit(&ring);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	return 0;
}

/* ---- opens ------------------------------------------------------------- */

static void test_openat(void **state UNUSED)
{
	const char *name, *p, *missing, *ro;
	json_object *ev;
	int fd, dfd, res;

	if (!harness_can_run())
		skip();
	/* absolute path, created */
	p = in_dir(uname_("open"));
	io_uring_prep_openat(sqe_get(&ring), AT_FDCWD, p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	fd = run_sqe(&ring);
	assert_true(fd >= 0);
	close(fd);
	ev = ONE("file.open", "success", "file.path", p);
	CHECK_URING(ev, "file.open", "openat", fd, NULL);
	CHECK_STR(ev, "access", "write");
	CHECK_INT(ev, "file.flags", O_WRONLY | O_CREAT | O_CLOEXEC);
	CHECK_STR(ev, "file.flag_names.0", "O_WRONLY");
	CHECK_STR(ev, "file.flag_names.1", "O_CREAT");
	CHECK_STR(ev, "file.flag_names.2", "O_CLOEXEC");
	CHECK_STR(ev, "file.mode", "0600");

	/* relative to a dirfd, existing file truncated: the path the kernel opened */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	name = strrchr(p, '/') + 1;
	io_uring_prep_openat(sqe_get(&ring), dfd, name, O_RDWR | O_TRUNC | O_CLOEXEC, 0);
	fd = run_sqe(&ring);
	assert_true(fd >= 0);
	close(fd);
	/* the second record for this path: the create's is matched above */
	{
		struct m m = { "file.open", "success", "file.path", p };
		json_object *e2 = NULL;

		for (int i = 0; i < WAIT_MS / 50 && agent_count(&ag, match, &m) < 2; i++) {
			sleep_ms(50);
			agent_poll(&ag);
		}
		assert_int_equal(agent_count(&ag, match, &m), 2);
		for (size_t i = 0; i < ag.nrecs; i++)
			if (match(ag.recs[i], &m))
				e2 = ag.recs[i];
		CHECK_URING(e2, "file.open", "openat", fd, NULL);
		CHECK_INT(e2, "file.flags", O_RDWR | O_TRUNC | O_CLOEXEC);
	}

	/* a failure: the caller's relative string, resolved against the dirfd */
	missing = in_dir("no-such-dir/x");
	io_uring_prep_openat(sqe_get(&ring), dfd, "no-such-dir/x", O_WRONLY | O_CREAT | O_CLOEXEC,
			     0644);
	res = run_sqe(&ring);
	assert_int_equal(res, -ENOENT);
	ev = ONE("file.open", "failure", "file.path", missing);
	CHECK_URING(ev, "file.open", "openat", -ENOENT, "ENOENT");
	CHECK_STR(ev, "file.mode", "0644");
	close(dfd);

	/* a read-only open is not recorded (capture_read_opens = no), as for openat(2) */
	ro = p;
	io_uring_prep_openat(sqe_get(&ring), AT_FDCWD, ro, O_RDONLY | O_CLOEXEC, 0);
	fd = run_sqe(&ring);
	assert_true(fd >= 0);
	close(fd);
	/* a later write open on another path is the marker that the read would have arrived */
	p = in_dir(uname_("marker"));
	io_uring_prep_openat(sqe_get(&ring), AT_FDCWD, p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	fd = run_sqe(&ring);
	close(fd);
	ONE("file.open", "success", "file.path", p);
	{
		struct m m = { "file.open", "success", "file.path", ro };

		assert_int_equal(agent_count(&ag, match, &m), 2); /* create + trunc only */
	}
}

static void test_openat2_async(void **state UNUSED)
{
	struct open_how how = { .flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, .mode = 0640 };
	struct io_uring_sqe *s;
	const char *p;
	json_object *ev;
	int fd, res;

	if (!harness_can_run())
		skip();
	/* IOSQE_ASYNC: runs in an iou-wrk thread, completes through task work */
	p = in_dir(uname_("open2"));
	s = sqe_get(&ring);
	io_uring_prep_openat2(s, AT_FDCWD, p, &how);
	io_uring_sqe_set_flags(s, IOSQE_ASYNC);
	fd = run_sqe(&ring);
	assert_true(fd >= 0);
	close(fd);
	ev = ONE("file.open", "success", "file.path", p);
	CHECK_URING(ev, "file.open", "openat2", fd, NULL);
	CHECK_INT(ev, "file.flags", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC);
	CHECK_STR(ev, "file.mode", "0640");

	/* the same again fails with EEXIST */
	io_uring_prep_openat2(sqe_get(&ring), AT_FDCWD, p, &how);
	res = run_sqe(&ring);
	assert_int_equal(res, -EEXIST);
	ev = ONE("file.open", "failure", "file.path", p);
	CHECK_URING(ev, "file.open", "openat2", -EEXIST, "EEXIST");
}

/* A direct (fixed-file) open: no fd in the process, the path from the ring's table. */
static void test_open_direct(void **state UNUSED)
{
	int fds[2] = { -1, -1 };
	const char *p;
	json_object *ev;
	int res;

	if (!harness_can_run())
		skip();
	assert_int_equal(io_uring_register_files(&ring, fds, 2), 0);
	p = in_dir(uname_("direct"));
	io_uring_prep_openat_direct(sqe_get(&ring), AT_FDCWD, p, O_WRONLY | O_CREAT, 0600, 1);
	res = run_sqe(&ring);
	assert_int_equal(res, 0);
	ev = ONE("file.open", "success", "file.path", p);
	CHECK_URING(ev, "file.open", "openat", 0, NULL);
	assert_int_equal(io_uring_unregister_files(&ring), 0);
}

/*
 * IOSQE_CQE_SKIP_SUCCESS: a success posts no completion. The record is made
 * at submit with outcome "unknown"; a failure is recorded when it completes.
 */
static void test_cqe_skip_success(void **state UNUSED)
{
	struct io_uring_sqe *s;
	const char *p, *bad;
	json_object *ev;
	struct stat st;

	if (!harness_can_run())
		skip();
	p = in_dir(uname_("skip"));
	s = sqe_get(&ring);
	io_uring_prep_openat(s, AT_FDCWD, p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	s->flags |= IOSQE_CQE_SKIP_SUCCESS;
	assert_int_equal(io_uring_submit(&ring), 1);
	for (int i = 0; i < 200 && stat(p, &st) != 0; i++)
		usleep(10000);
	assert_int_equal(stat(p, &st), 0);
	ev = ONE("file.open", "unknown", "file.path", p);
	CHECK_STR(ev, "via", "io_uring");
	CHECK_STR(ev, "syscall", "openat");
	assert_true(json_object_is_type(jget(ev, "ret"), json_type_null));
	CHECK_INT(ev, "proc.pid", getpid());

	/* a failure does complete: recorded then, as a failure */
	bad = in_dir("no-such-dir/skip");
	s = sqe_get(&ring);
	io_uring_prep_openat(s, AT_FDCWD, bad, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	s->flags |= IOSQE_CQE_SKIP_SUCCESS;
	assert_int_equal(run_sqe(&ring), -ENOENT);
	ev = ONE("file.open", "failure", "file.path", bad);
	CHECK_STR(ev, "errno", "ENOENT");
	CHECK_STR(ev, "via", "io_uring");
}

/* An SQPOLL ring: the kernel's iou-sqp thread submits; the record names our process. */
static void test_sqpoll(void **state UNUSED)
{
	struct io_uring sq;
	struct io_uring_params prm = { .flags = IORING_SETUP_SQPOLL, .sq_thread_idle = 100 };
	const char *p;
	json_object *ev;
	int fd;

	if (!harness_can_run())
		skip();
	assert_int_equal(io_uring_queue_init_params(4, &sq, &prm), 0);
	p = in_dir(uname_("sqpoll"));
	io_uring_prep_openat(sqe_get(&sq), AT_FDCWD, p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	fd = run_sqe(&sq);
	assert_true(fd >= 0);
	close(fd);
	io_uring_queue_exit(&sq);
	ev = ONE("file.open", "success", "file.path", p);
	CHECK_URING(ev, "file.open", "openat", fd, NULL);
	CHECK_STR(ev, "proc.comm", "test_uring");
}

/* ---- other file operations --------------------------------------------- */

static void test_rename_unlink(void **state UNUSED)
{
	const char *a = uname_("ren-a"), *b = uname_("ren-b"), *pa = in_dir(a), *pb = in_dir(b);
	const char *d = in_dir(uname_("rmd"));
	json_object *ev;
	int dfd, fd;

	if (!harness_can_run())
		skip();
	fd = open(pa, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	/* relative names on both sides, against a dirfd and the cwd */
	assert_int_equal(chdir(dir), 0);
	io_uring_prep_renameat(sqe_get(&ring), dfd, a, AT_FDCWD, b, RENAME_NOREPLACE);
	assert_int_equal(run_sqe(&ring), 0);
	ev = ONE("file.rename", "success", "file.path", pa);
	CHECK_URING(ev, "file.rename", "renameat2", 0, NULL);
	CHECK_STR(ev, "file.path2", pb);
	CHECK_INT(ev, "file.flags", RENAME_NOREPLACE);

	/* renaming it again fails: the old name is gone */
	io_uring_prep_renameat(sqe_get(&ring), dfd, a, dfd, b, 0);
	assert_int_equal(run_sqe(&ring), -ENOENT);
	ev = ONE("file.rename", "failure", "file.path", pa);
	CHECK_URING(ev, "file.rename", "renameat2", -ENOENT, "ENOENT");

	io_uring_prep_unlinkat(sqe_get(&ring), dfd, b, 0);
	assert_int_equal(run_sqe(&ring), 0);
	ev = ONE("file.unlink", "success", "file.path", pb);
	CHECK_URING(ev, "file.unlink", "unlinkat", 0, NULL);
	CHECK_INT(ev, "file.flags", 0);

	assert_int_equal(mkdir(d, 0700), 0);
	io_uring_prep_unlinkat(sqe_get(&ring), AT_FDCWD, d, AT_REMOVEDIR);
	assert_int_equal(run_sqe(&ring), 0);
	ev = ONE("file.rmdir", "success", "file.path", d);
	CHECK_URING(ev, "file.rmdir", "unlinkat", 0, NULL);
	CHECK_INT(ev, "file.flags", AT_REMOVEDIR);
	close(dfd);
	assert_int_equal(chdir("/"), 0);
}

static void test_mkdir_symlink_link(void **state UNUSED)
{
	const char *d = in_dir(uname_("mkd")), *lnk = uname_("sym"), *plnk = in_dir(lnk);
	const char *src = in_dir(uname_("hl-src")), *dst = in_dir(uname_("hl-dst"));
	const char *dst2 = in_dir(uname_("hl-empty"));
	json_object *ev;
	int dfd, fd;

	if (!harness_can_run())
		skip();
	io_uring_prep_mkdirat(sqe_get(&ring), AT_FDCWD, d, 0750);
	assert_int_equal(run_sqe(&ring), 0);
	ev = ONE("file.mkdir", "success", "file.path", d);
	CHECK_URING(ev, "file.mkdir", "mkdirat", 0, NULL);
	CHECK_STR(ev, "file.mode", "0750");

	io_uring_prep_mkdirat(sqe_get(&ring), AT_FDCWD, d, 0750);
	assert_int_equal(run_sqe(&ring), -EEXIST);
	ev = ONE("file.mkdir", "failure", "file.path", d);
	CHECK_URING(ev, "file.mkdir", "mkdirat", -EEXIST, "EEXIST");

	/* symlinkat(target, newdirfd, linkpath): a relative link name against a dirfd */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	io_uring_prep_symlinkat(sqe_get(&ring), "../some/target", dfd, lnk);
	assert_int_equal(run_sqe(&ring), 0);
	ev = ONE("file.symlink", "success", "file.path", plnk);
	CHECK_URING(ev, "file.symlink", "symlinkat", 0, NULL);
	CHECK_STR(ev, "file.target", "../some/target");

	fd = open(src, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	io_uring_prep_linkat(sqe_get(&ring), AT_FDCWD, src, dfd, strrchr(dst, '/') + 1, 0);
	assert_int_equal(run_sqe(&ring), 0);
	ev = ONE("file.link", "success", "file.path", src);
	CHECK_URING(ev, "file.link", "linkat", 0, NULL);
	CHECK_STR(ev, "file.path2", dst);
	CHECK_INT(ev, "file.flags", 0);

	/* AT_EMPTY_PATH: the object is the fd itself, named by the kernel */
	io_uring_prep_linkat(sqe_get(&ring), fd, "", AT_FDCWD, dst2, AT_EMPTY_PATH);
	assert_int_equal(run_sqe(&ring), 0);
	ev = ONE("file.link", "success", "file.path2", dst2);
	CHECK_URING(ev, "file.link", "linkat", 0, NULL);
	CHECK_STR(ev, "file.path", src);
	CHECK_INT(ev, "file.flags", AT_EMPTY_PATH);
	close(fd);
	close(dfd);
}

/* ---- sockets ----------------------------------------------------------- */

static int listener(struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)sa, sizeof(*sa)), 0);
	assert_int_equal(listen(s, 4), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)sa, &len), 0);
	return s;
}

static int match_port(json_object *rec, void *arg)
{
	const int64_t *w = arg; /* event-kind marker: [0] field selector, [1] port */
	const char *e = jstr(rec, "event");

	if (!e || !jstr(rec, "via"))
		return 0;
	if (w[0] == 0)
		return strcmp(e, "net.connect") == 0 && jint(rec, "net.dst.port") == w[1];
	return strcmp(e, "net.accept") == 0 && jint(rec, "net.dst.port") == w[1];
}

static json_object *one_net(int64_t kind, int port, const char *file, int line)
{
	int64_t w[2] = { kind, port };
	json_object *ev = agent_wait(&ag, 0, match_port, w, WAIT_MS, NULL);

	if (!ev) {
		char s[16];

		print_error("no io_uring %s record with net.dst.port %d\n",
			    kind ? "net.accept" : "net.connect", port);
		snprintf(s, sizeof(s), "%d", port);
		show_related(s);
		_fail(file, line);
	}
	if (agent_count(&ag, match_port, w) != 1) {
		print_error("%zu records for port %d, expected 1\n", agent_count(&ag, match_port, w),
			    port);
		_fail(file, line);
	}
	return ev;
}

static void test_connect_accept(void **state UNUSED)
{
	struct sockaddr_in lsa, csa, peer;
	socklen_t plen = sizeof(peer), clen = sizeof(csa);
	json_object *ev;
	int ls, cs, as, closed_port;

	if (!harness_can_run())
		skip();
	ls = listener(&lsa);
	cs = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(cs >= 0);
	io_uring_prep_connect(sqe_get(&ring), cs, (struct sockaddr *)&lsa, sizeof(lsa));
	assert_int_equal(run_sqe(&ring), 0);
	assert_int_equal(getsockname(cs, (struct sockaddr *)&csa, &clen), 0);

	io_uring_prep_accept(sqe_get(&ring), ls, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
	as = run_sqe(&ring);
	assert_true(as >= 0);

	ev = one_net(0, ntohs(lsa.sin_port), __FILE__, __LINE__);
	CHECK_URING(ev, "net.connect", "connect", 0, NULL);
	CHECK_STR(ev, "net.proto", "tcp");
	CHECK_STR(ev, "net.family", "inet");
	CHECK_STR(ev, "net.src.ip", "127.0.0.1");
	CHECK_INT(ev, "net.src.port", ntohs(csa.sin_port));
	CHECK_STR(ev, "net.dst.ip", "127.0.0.1");
	CHECK_INT(ev, "net.fd", cs);

	/* accept: src is the listening address, dst the peer, fd the new socket */
	ev = one_net(1, ntohs(csa.sin_port), __FILE__, __LINE__);
	CHECK_URING(ev, "net.accept", "accept4", as, NULL);
	CHECK_STR(ev, "net.proto", "tcp");
	CHECK_STR(ev, "net.src.ip", "127.0.0.1");
	CHECK_INT(ev, "net.src.port", ntohs(lsa.sin_port));
	CHECK_STR(ev, "net.dst.ip", "127.0.0.1");
	CHECK_INT(ev, "net.fd", as);
	close(as);
	close(cs);

	/* a refused connect: dst is what was asked */
	closed_port = ntohs(lsa.sin_port);
	close(ls);
	cs = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	io_uring_prep_connect(sqe_get(&ring), cs, (struct sockaddr *)&lsa, sizeof(lsa));
	assert_int_equal(run_sqe(&ring), -ECONNREFUSED);
	{
		int64_t w[2] = { 0, closed_port };

		for (int i = 0; i < WAIT_MS / 50 && agent_count(&ag, match_port, w) < 2; i++) {
			sleep_ms(50);
			agent_poll(&ag);
		}
		if (agent_count(&ag, match_port, w) != 2) {
			char ps[16];

			snprintf(ps, sizeof(ps), "%d", closed_port);
			show_related(ps);
			fail_msg("%zu net.connect records for port %d, expected 2",
				 agent_count(&ag, match_port, w), closed_port);
		}
		ev = NULL;
		for (size_t i = 0; i < ag.nrecs; i++)
			if (match_port(ag.recs[i], w))
				ev = ag.recs[i];
	}
	CHECK_URING(ev, "net.connect", "connect", -ECONNREFUSED, "ECONNREFUSED");
	CHECK_STR(ev, "net.dst.ip", "127.0.0.1");
	close(cs);
}

/* A UDP connect names a destination: one record per process and destination, as connect(2). */
static void test_udp_connect(void **state UNUSED)
{
	struct sockaddr_in dst;
	int probe, s1, s2;
	socklen_t l = sizeof(dst);
	json_object *ev;
	int64_t w[2] = { 0, 0 };

	if (!harness_can_run())
		skip();
	/* a port nobody else uses in this test: bound, read back, kept open */
	probe = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(probe, (struct sockaddr *)&dst, sizeof(dst)), 0);
	assert_int_equal(getsockname(probe, (struct sockaddr *)&dst, &l), 0);
	s1 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	s2 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	io_uring_prep_connect(sqe_get(&ring), s1, (struct sockaddr *)&dst, sizeof(dst));
	assert_int_equal(run_sqe(&ring), 0);
	ev = one_net(0, ntohs(dst.sin_port), __FILE__, __LINE__);
	CHECK_URING(ev, "net.connect", "connect", 0, NULL);
	CHECK_STR(ev, "net.proto", "udp");
	CHECK_STR(ev, "net.dst.ip", "127.0.0.1");
	CHECK_INT(ev, "net.fd", s1);
	/* the same destination again, from another socket: nothing new */
	io_uring_prep_connect(sqe_get(&ring), s2, (struct sockaddr *)&dst, sizeof(dst));
	assert_int_equal(run_sqe(&ring), 0);
	/* marker: a later record of ours, so the one not expected would be in by now */
	{
		const char *p = in_dir(uname_("udp-marker"));

		io_uring_prep_mkdirat(sqe_get(&ring), AT_FDCWD, p, 0700);
		assert_int_equal(run_sqe(&ring), 0);
		ONE("file.mkdir", "success", "file.path", p);
	}
	w[1] = ntohs(dst.sin_port);
	assert_int_equal(agent_count(&ag, match_port, w), 1);
	close(s1);
	close(s2);
	close(probe);
}

/* Unix sockets: the path connected to, and the path of the socket accepted. */
static void test_unix(void **state UNUSED)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = in_dir(uname_("sock"));
	json_object *ev;
	int ls, cs, as;

	if (!harness_can_run())
		skip();
	assert_true(strlen(path) < sizeof(sun.sun_path));
	strcpy(sun.sun_path, path);
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(ls, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(ls, 2), 0);
	cs = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	io_uring_prep_connect(sqe_get(&ring), cs, (struct sockaddr *)&sun, sizeof(sun));
	assert_int_equal(run_sqe(&ring), 0);
	io_uring_prep_accept(sqe_get(&ring), ls, NULL, NULL, SOCK_CLOEXEC);
	as = run_sqe(&ring);
	assert_true(as >= 0);

	ev = ONE("net.connect", "success", "net.unix_path", path);
	CHECK_URING(ev, "net.connect", "connect", 0, NULL);
	CHECK_STR(ev, "net.proto", "unix");
	CHECK_STR(ev, "net.family", "unix");
	CHECK_STR(ev, "net.type", "stream");
	CHECK_INT(ev, "net.fd", cs);
	ev = ONE("net.accept", "success", "net.unix_path", path);
	CHECK_URING(ev, "net.accept", "accept4", as, NULL);
	CHECK_STR(ev, "net.family", "unix");
	CHECK_INT(ev, "net.fd", as);
	close(as);
	close(cs);
	close(ls);
}

/* An accept into a fixed-file slot: the socket is read from the ring's table. */
static void test_accept_direct(void **state UNUSED)
{
	struct sockaddr_in lsa, csa;
	socklen_t clen = sizeof(csa);
	int fds[1] = { -1 };
	json_object *ev;
	int ls, cs;

	if (!harness_can_run())
		skip();
	assert_int_equal(io_uring_register_files(&ring, fds, 1), 0);
	ls = listener(&lsa);
	cs = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(cs, (struct sockaddr *)&lsa, sizeof(lsa)), 0);
	assert_int_equal(getsockname(cs, (struct sockaddr *)&csa, &clen), 0);
	io_uring_prep_accept_direct(sqe_get(&ring), ls, NULL, NULL, 0, 0);
	assert_int_equal(run_sqe(&ring), 0);
	ev = one_net(1, ntohs(csa.sin_port), __FILE__, __LINE__);
	CHECK_URING(ev, "net.accept", "accept4", 0, NULL);
	CHECK_INT(ev, "net.src.port", ntohs(lsa.sin_port));
	CHECK_STR(ev, "net.dst.ip", "127.0.0.1");
	close(cs);
	close(ls);
	assert_int_equal(io_uring_unregister_files(&ring), 0);
}

/*
 * A full CQ ring: completions go to the overflow list and io_uring_complete
 * does not fire for them; they are recorded all the same.
 */
static void test_cq_overflow(void **state UNUSED)
{
	struct io_uring small;
	struct io_uring_params prm = { .flags = IORING_SETUP_CQSIZE, .cq_entries = 4 };
	const char *paths[12];
	struct io_uring_cqe *cqe;
	json_object *ev;
	unsigned reaped = 0;

	if (!harness_can_run())
		skip();
	assert_int_equal(io_uring_queue_init_params(4, &small, &prm), 0);
	for (int k = 0; k < 3; k++) {
		for (int i = 0; i < 4; i++) {
			struct io_uring_sqe *s = sqe_get(&small);

			paths[k * 4 + i] = in_dir(uname_("ovf"));
			io_uring_prep_mkdirat(s, AT_FDCWD, paths[k * 4 + i], 0700);
			io_uring_sqe_set_data64(s, (uint64_t)(k * 4 + i));
		}
		assert_int_equal(io_uring_submit(&small), 4);
	}
	/* the kernel reports the overflow once the completions ran (task work) */
	for (int i = 0; i < 200 && !(IO_URING_READ_ONCE(*small.sq.kflags) & IORING_SQ_CQ_OVERFLOW);
	     i++)
		sleep_ms(25);
	assert_true(IO_URING_READ_ONCE(*small.sq.kflags) & IORING_SQ_CQ_OVERFLOW);
	/* all twelve done (three times the CQ ring), then reap them */
	while (reaped < 12 && io_uring_wait_cqe(&small, &cqe) == 0) {
		assert_int_equal(cqe->res, 0);
		io_uring_cqe_seen(&small, cqe);
		reaped++;
	}
	assert_int_equal(reaped, 12);
	io_uring_queue_exit(&small);
	for (int i = 0; i < 12; i++) {
		ev = ONE("file.mkdir", "success", "file.path", paths[i]);
		CHECK_URING(ev, "file.mkdir", "mkdirat", 0, NULL);
		CHECK_STR(ev, "file.mode", "0700");
	}
}

/* Multishot accept: one request, one record per accepted connection. */
static void test_multishot_accept(void **state UNUSED)
{
	struct sockaddr_in lsa, csa[3];
	struct io_uring_cqe *cqe;
	int ls, cs[3], as[3];
	json_object *ev;

	if (!harness_can_run())
		skip();
	ls = listener(&lsa);
	io_uring_prep_multishot_accept(sqe_get(&ring), ls, NULL, NULL, SOCK_CLOEXEC);
	assert_int_equal(io_uring_submit(&ring), 1);
	for (int i = 0; i < 3; i++) {
		socklen_t l = sizeof(csa[i]);

		cs[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_int_equal(connect(cs[i], (struct sockaddr *)&lsa, sizeof(lsa)), 0);
		assert_int_equal(getsockname(cs[i], (struct sockaddr *)&csa[i], &l), 0);
		assert_int_equal(io_uring_wait_cqe(&ring, &cqe), 0);
		as[i] = cqe->res;
		assert_true(as[i] >= 0);
		assert_true(cqe->flags & IORING_CQE_F_MORE);
		io_uring_cqe_seen(&ring, cqe);
	}
	for (int i = 0; i < 3; i++) {
		ev = one_net(1, ntohs(csa[i].sin_port), __FILE__, __LINE__);
		CHECK_URING(ev, "net.accept", "accept4", as[i], NULL);
		CHECK_INT(ev, "net.src.port", ntohs(lsa.sin_port));
		CHECK_INT(ev, "net.fd", as[i]);
		close(as[i]);
		close(cs[i]);
	}
	/* closing the listener ends the request: one failure record */
	io_uring_prep_cancel_fd(sqe_get(&ring), ls, 0);
	assert_int_equal(io_uring_submit(&ring), 1);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(io_uring_wait_cqe(&ring, &cqe), 0);
		io_uring_cqe_seen(&ring, cqe);
	}
	close(ls);
}

/*
 * A record waiting for its completion is kept in 8 KiB. Two relative names
 * of 4000 bytes against a 3900-byte working directory do not fit: the
 * record says it was cut ("truncated"), and the base directory that does not
 * fit is left out rather than cut, so the path is reported as given,
 * unresolved, instead of resolved against a wrong directory.
 */
static void test_truncated(void **state UNUSED)
{
	char comp[204], *oldn, *newn;
	char cwd[4200];
	json_object *ev;
	size_t n = 0;

	if (!harness_can_run())
		skip();
	memset(comp, 'd', 203);
	comp[203] = 0;
	assert_int_equal(chdir(dir), 0);
	for (int i = 0; i < 19; i++) {
		assert_int_equal(mkdir(comp, 0700), 0);
		assert_int_equal(chdir(comp), 0);
	}
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	/* with a 4000-byte name and the record header, the base does not fit */
	assert_true(strlen(cwd) > 8192 - sizeof(struct ca_event) - 3999);
	/* 20 components of 199 bytes: 4000 bytes, a valid length, no such file */
	oldn = malloc(4001);
	newn = malloc(4001);
	assert_non_null(oldn);
	assert_non_null(newn);
	for (int i = 0; i < 20; i++) {
		memset(oldn + n, 'o', 199);
		memset(newn + n, 'n', 199);
		n += 199;
		oldn[n] = newn[n] = '/';
		n++;
	}
	oldn[n - 1] = newn[n - 1] = 0;
	io_uring_prep_renameat(sqe_get(&ring), AT_FDCWD, oldn, AT_FDCWD, newn, 0);
	assert_int_equal(run_sqe(&ring), -ENOENT);
	ev = ONE("file.rename", "failure", "file.path", oldn);
	CHECK_URING(ev, "file.rename", "renameat2", -ENOENT, "ENOENT");
	assert_true(json_object_is_type(jget(ev, "file.path_resolved"), json_type_boolean));
	assert_false(json_object_get_boolean(jget(ev, "file.path_resolved")));
	assert_true(json_object_is_type(jget(ev, "file.truncated"), json_type_boolean));
	assert_true(json_object_get_boolean(jget(ev, "file.truncated")));
	{
		const char *p2 = jstr(ev, "file.path2");

		/* cut to what fits: a prefix of the new name (after the dropped base) */
		assert_non_null(p2);
		assert_int_equal(strlen(p2), 8192 - sizeof(struct ca_event) - strlen(oldn));
		assert_int_equal(strncmp(p2, newn, strlen(p2)), 0);
	}
	free(oldn);
	free(newn);
	assert_int_equal(chdir("/"), 0);
}

/* ---- credentials ------------------------------------------------------ */

#define TEST_UID 1234

/*
 * A request naming a personality registered while the process was root runs
 * as root after the process dropped to another uid: the record carries the
 * credentials the kernel used, not the process's current ones.
 */
static void test_personality(void **state UNUSED)
{
	const char *p = in_dir(uname_("persona"));
	json_object *ev;
	int status;
	pid_t pid;

	if (!harness_can_run())
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct io_uring r;
		struct io_uring_sqe *s;
		struct io_uring_cqe *cqe;
		int id;

		if (io_uring_queue_init(4, &r, 0))
			_exit(10);
		id = io_uring_register_personality(&r);
		if (id < 0)
			_exit(11);
		if (setresgid(TEST_UID, TEST_UID, TEST_UID) || setresuid(TEST_UID, TEST_UID, TEST_UID))
			_exit(12);
		/* as uid 1234 the root-only test directory refuses this: the personality allows it */
		s = io_uring_get_sqe(&r);
		io_uring_prep_mkdirat(s, AT_FDCWD, p, 0700);
		s->personality = (uint16_t)id;
		if (io_uring_submit(&r) != 1 || io_uring_wait_cqe(&r, &cqe))
			_exit(13);
		_exit(cqe->res == 0 ? 0 : 14);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	ev = ONE("file.mkdir", "success", "file.path", p);
	CHECK_STR(ev, "via", "io_uring");
	CHECK_INT(ev, "proc.pid", pid);
	CHECK_INT(ev, "user.uid", 0);
	CHECK_INT(ev, "user.euid", 0);
	CHECK_INT(ev, "user.fsuid", 0);
	CHECK_INT(ev, "user.gid", 0);
}

/* ---- the same record as the syscall --------------------------------- */

struct pair_match {
	const char *event, *path, *path2;
};

static int match_pair(json_object *rec, void *arg)
{
	const struct pair_match *m = arg;
	const char *e = jstr(rec, "event"), *p = jstr(rec, "file.path");
	const char *p2 = jstr(rec, "file.path2");

	if (!e || strcmp(e, m->event) || !p || strcmp(p, m->path))
		return 0;
	if (m->path2)
		return p2 && strcmp(p2, m->path2) == 0;
	return 1;
}

/*
 * The operation was done once through the syscall and once through
 * io_uring, by this thread, on the same paths: the two records are equal
 * except for their position in the log (seq, prev, time) and "via".
 */
static void check_same(const char *event, const char *path, const char *path2)
{
	struct pair_match m = { event, path, path2 };
	json_object *a = NULL, *b = NULL;

	for (int i = 0; i < WAIT_MS / 50 && agent_count(&ag, match_pair, &m) < 2; i++) {
		sleep_ms(50);
		agent_poll(&ag);
	}
	if (agent_count(&ag, match_pair, &m) != 2) {
		print_error("%s %s: %zu records, expected 2 (syscall, io_uring)\n", event, path,
			    agent_count(&ag, match_pair, &m));
		show_related(path);
		fail();
	}
	for (size_t i = 0; i < ag.nrecs; i++) {
		if (!match_pair(ag.recs[i], &m))
			continue;
		if (!a)
			a = ag.recs[i];
		else
			b = ag.recs[i];
	}
	/* the syscall's record first, without "via"; then io_uring's */
	assert_null(jget(a, "via"));
	check_str(b, "via", "io_uring", __FILE__, __LINE__);
	{
		json_object *ca = NULL, *cb = NULL;

		assert_int_equal(json_object_deep_copy(a, &ca, NULL), 0);
		assert_int_equal(json_object_deep_copy(b, &cb, NULL), 0);
		a = ca;
		b = cb;
	}
	for (const char *const *k = (const char *const[]){ "seq", "prev", "time", "via", NULL };
	     *k; k++) {
		json_object_object_del(a, *k);
		json_object_object_del(b, *k);
	}
	if (!json_object_equal(a, b)) {
		print_error("%s records differ:\n", event);
		show(a);
		show(b);
		json_object_put(a);
		json_object_put(b);
		fail();
	}
	json_object_put(a);
	json_object_put(b);
}

static void test_same_as_syscall(void **state UNUSED)
{
	const char *d = in_dir(uname_("same-dir")), *f = in_dir(uname_("same-f"));
	const char *g = in_dir(uname_("same-g")), *lnk = uname_("same-l");
	const char *hl = in_dir(uname_("same-hl")), *o = in_dir(uname_("same-o"));
	int dfd, fd;

	if (!harness_can_run())
		skip();
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);

	assert_int_equal(syscall(SYS_mkdirat, AT_FDCWD, d, 0750), 0);
	assert_int_equal(rmdir(d), 0);
	io_uring_prep_mkdirat(sqe_get(&ring), AT_FDCWD, d, 0750);
	assert_int_equal(run_sqe(&ring), 0);
	check_same("file.mkdir", d, NULL);

	/* a relative path against a dirfd, and a failure */
	assert_int_equal(syscall(SYS_unlinkat, dfd, strrchr(f, '/') + 1, 0), -1);
	io_uring_prep_unlinkat(sqe_get(&ring), dfd, strrchr(f, '/') + 1, 0);
	assert_int_equal(run_sqe(&ring), -ENOENT);
	check_same("file.unlink", f, NULL);

	fd = (int)syscall(SYS_openat, AT_FDCWD, o, O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(unlink(o), 0);
	io_uring_prep_openat(sqe_get(&ring), AT_FDCWD, o, O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
	assert_int_equal(run_sqe(&ring), fd); /* the same lowest free fd */
	close(fd);
	check_same("file.open", o, NULL);

	assert_int_equal(syscall(SYS_renameat2, AT_FDCWD, o, dfd, strrchr(g, '/') + 1, 0), 0);
	assert_int_equal(rename(g, o), 0);
	io_uring_prep_renameat(sqe_get(&ring), AT_FDCWD, o, dfd, strrchr(g, '/') + 1, 0);
	assert_int_equal(run_sqe(&ring), 0);
	check_same("file.rename", o, g);

	assert_int_equal(syscall(SYS_symlinkat, "t/x", dfd, lnk), 0);
	assert_int_equal(unlinkat(dfd, lnk, 0), 0);
	io_uring_prep_symlinkat(sqe_get(&ring), "t/x", dfd, lnk);
	assert_int_equal(run_sqe(&ring), 0);
	check_same("file.symlink", in_dir(lnk), NULL);

	/* refused while the kernel reads the request (prep): invalid flags */
	{
		const char *bad = in_dir(uname_("same-einval"));

		assert_int_equal(syscall(SYS_unlinkat, AT_FDCWD, bad, 0x1), -1);
		assert_int_equal(errno, EINVAL);
		io_uring_prep_unlinkat(sqe_get(&ring), AT_FDCWD, bad, 0x1);
		assert_int_equal(run_sqe(&ring), -EINVAL);
		check_same("file.unlink", bad, NULL);
	}

	assert_int_equal(syscall(SYS_linkat, AT_FDCWD, g, AT_FDCWD, hl, 0), 0);
	assert_int_equal(unlink(hl), 0);
	io_uring_prep_linkat(sqe_get(&ring), AT_FDCWD, g, AT_FDCWD, hl, 0);
	assert_int_equal(run_sqe(&ring), 0);
	check_same("file.link", g, hl);
	close(dfd);
}

static int is_start(json_object *rec, void *arg UNUSED)
{
	const char *e = jstr(rec, "event");

	return e && strcmp(e, "agent.start") == 0;
}

/* agent.start lists the io_uring hooks among the active ones. */
static void test_hooks_listed(void **state UNUSED)
{
	static const char *const want[] = { "io_uring_submit_req", "io_uring_complete",
					    "io_uring_cqe_overflow", "io_uring_req_failed" };
	json_object *st, *act;

	if (!harness_can_run())
		skip();
	st = agent_wait(&ag, 0, is_start, NULL, WAIT_MS, NULL);
	assert_non_null(st);
	act = jget(st, "agent.hooks.active");
	assert_non_null(act);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		size_t j, n = json_object_array_length(act);

		for (j = 0; j < n; j++)
			if (strcmp(json_object_get_string(json_object_array_get_idx(act, j)),
				   want[i]) == 0)
				break;
		if (j == n)
			fail_msg("%s not among the active hooks", want[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hooks_listed),
		cmocka_unit_test(test_openat),
		cmocka_unit_test(test_openat2_async),
		cmocka_unit_test(test_open_direct),
		cmocka_unit_test(test_sqpoll),
		cmocka_unit_test(test_cqe_skip_success),
		cmocka_unit_test(test_rename_unlink),
		cmocka_unit_test(test_mkdir_symlink_link),
		cmocka_unit_test(test_connect_accept),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_udp_connect),
		cmocka_unit_test(test_accept_direct),
		cmocka_unit_test(test_cq_overflow),
		cmocka_unit_test(test_multishot_accept),
		cmocka_unit_test(test_same_as_syscall),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_personality),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
