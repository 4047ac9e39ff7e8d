/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * No blind spots, io_uring: operations submitted through an io_uring (with
 * Debian's liburing) never enter the syscall tracepoints, yet each must give
 * the record the equivalent syscall gives, plus "via":"io_uring" right after
 * "syscall", with this process as proc.pid and outcome/ret from the CQE.
 *
 * Each io_uring operation is paired with the equivalent syscall on a sibling
 * path and the two records are compared member by member (ev_same). The
 * syscall a submission is compared with is the one with the same
 * arguments: IORING_OP_RENAMEAT carries flags (renameat2), IORING_OP_ACCEPT
 * too (accept4). Not compared: seq, prev, time, the path names, and
 * proc.tid, since the kernel runs most of these in an io-wq worker thread
 * of this process.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
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
#include <unistd.h>
#include <liburing.h>
#include <cmocka.h>

#include "harness.h"
#include "evasion_check.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

#define SOCK_FD 200 /* both sockets of a pair get this fd: equal net.fd */

static struct agent ag;
static struct io_uring ring;
static int ring_up;

/* Not compared between a submission and its syscall twin. */
static const char *const worker_tid[] = { "proc.tid", NULL };

/* Submit the prepared SQE, wait for its CQE: the result (fd, 0 or -errno). */
static int uring_run(void)
{
	struct io_uring_cqe *cqe;
	int r, res;

	r = io_uring_submit(&ring);
	if (r != 1)
		fail_msg("io_uring_submit: %d", r);
	r = io_uring_wait_cqe(&ring, &cqe);
	if (r)
		fail_msg("io_uring_wait_cqe: %s", strerror(-r));
	res = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	return res;
}

static struct io_uring_sqe *sqe(void)
{
	struct io_uring_sqe *s = io_uring_get_sqe(&ring);

	assert_non_null(s);
	return s;
}

static json_object *one(const char *event, const char *key, const char *value)
{
	return ev_wait_one(event, NULL, key, value, __FILE__, __LINE__);
}

/* The io_uring record: our pid, the CQE's result, and same as the syscall one. */
#define CHECK_URING(got, ref, res, subst, ignore) \
	check_uring((got), (ref), (res), (subst), (ignore), __FILE__, __LINE__)
static void check_uring(json_object *got, json_object *ref, int res, const char *const *subst,
			const char *const *ignore, const char *file, int line)
{
	ev_check_int(got, "proc.pid", getpid(), file, line);
	ev_check_int(got, "ret", res, file, line);
	ev_check_str(got, "outcome", res < 0 ? "failure" : "success", file, line);
	if (res < 0)
		ev_check_str(got, "errno", strerrorname_np(-res), file, line);
	ev_same(got, ref, "via", "io_uring", subst, ignore, file, line);
}

static void test_uring_openat(void **state UNUSED)
{
	const char *dir, *rs, *ru, *ms, *mu;
	json_object *rsys, *rur;
	int dfd, fd, res;

	if (!harness_can_run())
		skip();
	dir = ev_new_dir();
	rs = strrchr(ev_path(dir, "openat-sys"), '/') + 1;
	ru = strrchr(ev_path(dir, "openat-uring"), '/') + 1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);

	/* relative to a dirfd: absolute paths in both records; lowest fd both times */
	fd = (int)syscall(SYS_openat, dfd, rs, O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
	assert_true(fd >= 0);
	close(fd);
	io_uring_prep_openat(sqe(), dfd, ru, O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
	res = uring_run();
	assert_int_equal(res, fd);
	close(res);

	rsys = one("file.open", "file.path", ev_join(dir, rs));
	rur = one("file.open", "file.path", ev_join(dir, ru));
	CHECK_STR(rsys, "syscall", "openat");
	CHECK_URING(rur, rsys, res, EV_LIST(ev_join(dir, ru), ev_join(dir, rs)), worker_tid);
	CHECK_INT(rur, "file.flags", O_WRONLY | O_CREAT | O_CLOEXEC);
	CHECK_STR(rur, "file.mode", "0640");

	/* failure: ENOENT from the CQE */
	ms = ev_join(dir, "missing/openat-sys");
	mu = ev_join(dir, "missing/openat-uring");
	assert_int_equal(syscall(SYS_openat, AT_FDCWD, ms, O_WRONLY | O_CREAT, 0600), -1);
	io_uring_prep_openat(sqe(), AT_FDCWD, mu, O_WRONLY | O_CREAT, 0600);
	res = uring_run();
	assert_int_equal(res, -ENOENT);
	rsys = one("file.open", "file.path", ms);
	rur = one("file.open", "file.path", mu);
	CHECK_URING(rur, rsys, res, EV_LIST(mu, ms), worker_tid);
	close(dfd);
}

static void test_uring_openat2(void **state UNUSED)
{
	struct open_how how = { .flags = O_RDWR | O_CREAT | O_EXCL, .mode = 0600 };
	const char *dir, *rs, *ru;
	json_object *rsys, *rur;
	int dfd, fd, res;

	if (!harness_can_run())
		skip();
	dir = ev_new_dir();
	rs = strrchr(ev_path(dir, "openat2-sys"), '/') + 1;
	ru = strrchr(ev_path(dir, "openat2-uring"), '/') + 1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	how.resolve = RESOLVE_BENEATH;

	fd = (int)syscall(SYS_openat2, dfd, rs, &how, sizeof(how));
	assert_true(fd >= 0);
	close(fd);
	io_uring_prep_openat2(sqe(), dfd, ru, &how);
	res = uring_run();
	assert_int_equal(res, fd);
	close(res);

	rsys = one("file.open", "file.path", ev_join(dir, rs));
	rur = one("file.open", "file.path", ev_join(dir, ru));
	CHECK_STR(rsys, "syscall", "openat2");
	CHECK_URING(rur, rsys, res, EV_LIST(ev_join(dir, ru), ev_join(dir, rs)), worker_tid);
	CHECK_INT(rur, "file.flags", O_RDWR | O_CREAT | O_EXCL);
	CHECK_STR(rur, "file.mode", "0600");
	close(dfd);
}

static void test_uring_renameat(void **state UNUSED)
{
	const char *dir, *as, *bs, *au, *bu, *xs, *ys, *xu, *yu;
	json_object *rsys, *rur;
	int res;

	if (!harness_can_run())
		skip();
	dir = ev_new_dir();
	as = ev_path(dir, "rename-sys-a");
	bs = ev_path(dir, "rename-sys-b");
	au = ev_path(dir, "rename-uring-a");
	bu = ev_path(dir, "rename-uring-b");
	ev_make_file(as);
	ev_make_file(au);

	assert_int_equal(syscall(SYS_renameat2, AT_FDCWD, as, AT_FDCWD, bs, 0), 0);
	io_uring_prep_renameat(sqe(), AT_FDCWD, au, AT_FDCWD, bu, 0);
	res = uring_run();
	assert_int_equal(res, 0);
	assert_int_equal(access(bu, F_OK), 0);

	rsys = one("file.rename", "file.path", as);
	rur = one("file.rename", "file.path", au);
	CHECK_STR(rsys, "syscall", "renameat2");
	CHECK_URING(rur, rsys, res, EV_LIST(au, as, bu, bs), worker_tid);
	CHECK_STR(rur, "file.path2", bu);

	/* RENAME_EXCHANGE through the ring: both paths changed */
	xs = ev_path(dir, "xchg-sys-x");
	ys = ev_path(dir, "xchg-sys-y");
	xu = ev_path(dir, "xchg-uring-x");
	yu = ev_path(dir, "xchg-uring-y");
	ev_make_file(xs);
	ev_make_file(ys);
	ev_make_file(xu);
	ev_make_file(yu);
	assert_int_equal(syscall(SYS_renameat2, AT_FDCWD, xs, AT_FDCWD, ys, RENAME_EXCHANGE), 0);
	io_uring_prep_renameat(sqe(), AT_FDCWD, xu, AT_FDCWD, yu, RENAME_EXCHANGE);
	res = uring_run();
	assert_int_equal(res, 0);
	rsys = one("file.rename", "file.path", xs);
	rur = one("file.rename", "file.path", xu);
	CHECK_URING(rur, rsys, res, EV_LIST(xu, xs, yu, ys), worker_tid);
	CHECK_INT(rur, "file.flags", RENAME_EXCHANGE);
	ev_check_true(rur, "file.exchange", __FILE__, __LINE__);
}

static void test_uring_unlinkat(void **state UNUSED)
{
	const char *dir, *ps, *pu, *ms, *mu;
	json_object *rsys, *rur;
	int res;

	if (!harness_can_run())
		skip();
	dir = ev_new_dir();
	ps = ev_path(dir, "unlink-sys");
	pu = ev_path(dir, "unlink-uring");
	ev_make_file(ps);
	ev_make_file(pu);

	assert_int_equal(syscall(SYS_unlinkat, AT_FDCWD, ps, 0), 0);
	io_uring_prep_unlinkat(sqe(), AT_FDCWD, pu, 0);
	res = uring_run();
	assert_int_equal(res, 0);
	assert_int_equal(access(pu, F_OK), -1);
	rsys = one("file.unlink", "file.path", ps);
	rur = one("file.unlink", "file.path", pu);
	CHECK_STR(rsys, "syscall", "unlinkat");
	CHECK_URING(rur, rsys, res, EV_LIST(pu, ps), worker_tid);

	/* failure: ENOENT */
	ms = ev_path(dir, "unlink-missing-sys");
	mu = ev_path(dir, "unlink-missing-uring");
	assert_int_equal(syscall(SYS_unlinkat, AT_FDCWD, ms, 0), -1);
	io_uring_prep_unlinkat(sqe(), AT_FDCWD, mu, 0);
	res = uring_run();
	assert_int_equal(res, -ENOENT);
	rsys = one("file.unlink", "file.path", ms);
	rur = one("file.unlink", "file.path", mu);
	CHECK_URING(rur, rsys, res, EV_LIST(mu, ms), worker_tid);
}

static void test_uring_mkdirat(void **state UNUSED)
{
	const char *dir, *ps, *pu;
	json_object *rsys, *rur;
	int res;

	if (!harness_can_run())
		skip();
	dir = ev_new_dir();
	ps = ev_path(dir, "mkdir-sys");
	pu = ev_path(dir, "mkdir-uring");

	assert_int_equal(syscall(SYS_mkdirat, AT_FDCWD, ps, 0710), 0);
	io_uring_prep_mkdirat(sqe(), AT_FDCWD, pu, 0710);
	res = uring_run();
	assert_int_equal(res, 0);
	rsys = one("file.mkdir", "file.path", ps);
	rur = one("file.mkdir", "file.path", pu);
	CHECK_STR(rsys, "syscall", "mkdirat");
	CHECK_URING(rur, rsys, res, EV_LIST(pu, ps), worker_tid);
	CHECK_STR(rur, "file.mode", "0710");
}

static void test_uring_symlinkat(void **state UNUSED)
{
	const char *dir, *ps, *pu;
	json_object *rsys, *rur;
	int res;

	if (!harness_can_run())
		skip();
	dir = ev_new_dir();
	ps = ev_path(dir, "symlink-sys");
	pu = ev_path(dir, "symlink-uring");

	assert_int_equal(syscall(SYS_symlinkat, "../some/target", AT_FDCWD, ps), 0);
	io_uring_prep_symlinkat(sqe(), "../some/target", AT_FDCWD, pu);
	res = uring_run();
	assert_int_equal(res, 0);
	rsys = one("file.symlink", "file.path", ps);
	rur = one("file.symlink", "file.path", pu);
	CHECK_STR(rsys, "syscall", "symlinkat");
	CHECK_URING(rur, rsys, res, EV_LIST(pu, ps), worker_tid);
	CHECK_STR(rur, "file.target", "../some/target");
}

static void test_uring_linkat(void **state UNUSED)
{
	const char *dir, *as, *bs, *au, *bu;
	json_object *rsys, *rur;
	int res;

	if (!harness_can_run())
		skip();
	dir = ev_new_dir();
	as = ev_path(dir, "link-sys-a");
	bs = ev_path(dir, "link-sys-b");
	au = ev_path(dir, "link-uring-a");
	bu = ev_path(dir, "link-uring-b");
	ev_make_file(as);
	ev_make_file(au);

	assert_int_equal(syscall(SYS_linkat, AT_FDCWD, as, AT_FDCWD, bs, 0), 0);
	io_uring_prep_linkat(sqe(), AT_FDCWD, au, AT_FDCWD, bu, 0);
	res = uring_run();
	assert_int_equal(res, 0);
	rsys = one("file.link", "file.path", as);
	rur = one("file.link", "file.path", au);
	CHECK_STR(rsys, "syscall", "linkat");
	CHECK_URING(rur, rsys, res, EV_LIST(au, as, bu, bs), worker_tid);
	CHECK_STR(rur, "file.path2", bu);
}

/* A TCP socket at fd SOCK_FD. */
static void socket_at_fixed_fd(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	assert_int_equal(dup3(s, SOCK_FD, O_CLOEXEC), SOCK_FD);
	close(s);
}

static void test_uring_connect(void **state UNUSED)
{
	static const char *const ignore[] = { "proc.tid", "net.src.port", NULL };
	struct sockaddr_in dst;
	int lfd, lport, port_sys, port_ur, res;
	json_object *rsys, *rur;

	if (!harness_can_run())
		skip();
	lfd = ev_listener(&dst);
	lport = ntohs(dst.sin_port);

	socket_at_fixed_fd();
	assert_int_equal(connect(SOCK_FD, (struct sockaddr *)&dst, sizeof(dst)), 0);
	port_sys = ev_local_port(SOCK_FD);
	close(SOCK_FD);

	socket_at_fixed_fd();
	io_uring_prep_connect(sqe(), SOCK_FD, (struct sockaddr *)&dst, sizeof(dst));
	res = uring_run();
	assert_int_equal(res, 0);
	port_ur = ev_local_port(SOCK_FD);
	close(SOCK_FD);

	rsys = ev_wait_net("net.connect", port_sys, lport, __FILE__, __LINE__);
	rur = ev_wait_net("net.connect", port_ur, lport, __FILE__, __LINE__);
	CHECK_STR(rsys, "syscall", "connect");
	CHECK_URING(rur, rsys, res, NULL, ignore);
	CHECK_STR(rur, "net.proto", "tcp");
	CHECK_STR(rur, "net.family", "inet");
	CHECK_STR(rur, "net.src.ip", "127.0.0.1");
	CHECK_STR(rur, "net.dst.ip", "127.0.0.1");
	CHECK_INT(rur, "net.dst.port", lport);
	CHECK_INT(rur, "net.fd", SOCK_FD);
	close(lfd);
}

/* A client connected to the listener; its local port in *port. */
static int client_of(const struct sockaddr_in *dst, int *port)
{
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(c >= 0);
	assert_int_equal(connect(c, (const struct sockaddr *)dst, sizeof(*dst)), 0);
	*port = ev_local_port(c);
	return c;
}

static void test_uring_accept(void **state UNUSED)
{
	static const char *const ignore[] = { "proc.tid", "net.dst.port", NULL };
	struct sockaddr_in laddr, peer;
	socklen_t plen = sizeof(peer);
	int lfd, lport, c1, c2, p1, p2, a1, res;
	json_object *rsys, *rur;

	if (!harness_can_run())
		skip();
	lfd = ev_listener(&laddr);
	lport = ntohs(laddr.sin_port);
	c1 = client_of(&laddr, &p1);
	c2 = client_of(&laddr, &p2);

	/* the peer address comes from the socket, not from our buffer */
	a1 = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
	assert_true(a1 >= 0);
	assert_int_equal(ntohs(peer.sin_port), p1);
	close(a1);
	io_uring_prep_accept(sqe(), lfd, NULL, NULL, SOCK_CLOEXEC);
	res = uring_run();
	assert_int_equal(res, a1); /* the lowest free fd both times */
	close(res);

	rsys = ev_wait_net("net.accept", lport, p1, __FILE__, __LINE__);
	rur = ev_wait_net("net.accept", lport, p2, __FILE__, __LINE__);
	CHECK_STR(rsys, "syscall", "accept4");
	CHECK_URING(rur, rsys, res, NULL, ignore);
	CHECK_STR(rur, "net.proto", "tcp");
	CHECK_STR(rur, "net.family", "inet");
	CHECK_STR(rur, "net.src.ip", "127.0.0.1");
	CHECK_STR(rur, "net.dst.ip", "127.0.0.1");
	CHECK_INT(rur, "net.fd", res);
	close(c1);
	close(c2);
	close(lfd);
}

/* ---- group ---------------------------------------------------------------- */

static int setup(void **state UNUSED)
{
	int r;

	if (!harness_can_run())
		return 0;
	r = io_uring_queue_init(8, &ring, 0);
	if (r) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-r));
		return -1;
	}
	ring_up = 1;
	ev_agent = &ag;
	/*
	 * Only this process (comm cut to 15 bytes): other work on the machine
	 * cannot flood the log. The filter names the process, so it must also
	 * keep what the kernel runs for it in io-wq worker threads.
	 */
	return agent_start(&ag, "include_comms = test_evasion_ur");
}

static int teardown(void **state UNUSED)
{
	if (ring_up)
		io_uring_queue_exit(&ring);
	ring_up = 0;
	ev_cleanup();
	agent_cleanup(&ag);
	return 0;
}

static void test_log_clean(void **state UNUSED)
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uring_openat),
		cmocka_unit_test(test_uring_openat2),
		cmocka_unit_test(test_uring_renameat),
		cmocka_unit_test(test_uring_unlinkat),
		cmocka_unit_test(test_uring_mkdirat),
		cmocka_unit_test(test_uring_symlinkat),
		cmocka_unit_test(test_uring_linkat),
		cmocka_unit_test(test_uring_connect),
		cmocka_unit_test(test_uring_accept),
		cmocka_unit_test(test_log_clean),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
