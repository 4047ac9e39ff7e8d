/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * opcost: cost of one operation in ns, median of several timed runs.
 *
 *   opcost OP ITERS RUNS [PATH]
 *
 *   getppid    syscall(SYS_getppid): no caudit hook at all
 *   open_ro    openat(PATH, O_RDONLY) + close: hooked, dropped in the kernel
 *   open_wr    openat(PATH, O_WRONLY) + close: hooked and recorded
 *   forkexec   fork + execve("/bin/true") + waitpid
 *   uring_nop  IORING_OP_NOP submitted and reaped: io_uring hooks attached, op not covered
 *   uring_open_ro  IORING_OP_OPENAT(PATH, O_RDONLY) + close: covered, dropped in the kernel
 *   uring_open_wr  IORING_OP_OPENAT(PATH, O_WRONLY) + close: covered and recorded
 *
 * One warm-up run of ITERS/10 iterations comes first. Prints one line:
 *   op=OP iters=N runs=N median_ns=F min_ns=F max_ns=F ops=N pid=N
 * where ops counts every operation done, warm-up included (records expected).
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUNS_MAX 101
#define ITERS_MAX 100000000UL

enum op { OP_GETPPID, OP_OPEN_RO, OP_OPEN_WR, OP_FORKEXEC, OP_URING_NOP, OP_URING_OPEN_RO,
	  OP_URING_OPEN_WR };

static const char *const op_names[] = {
	[OP_GETPPID] = "getppid",
	[OP_OPEN_RO] = "open_ro",
	[OP_OPEN_WR] = "open_wr",
	[OP_FORKEXEC] = "forkexec",
	[OP_URING_NOP] = "uring_nop",
	[OP_URING_OPEN_RO] = "uring_open_ro",
	[OP_URING_OPEN_WR] = "uring_open_wr",
};

static struct io_uring ring;

extern char **environ;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "opcost: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void do_open(const char *path, int flags, unsigned long iters)
{
	for (unsigned long i = 0; i < iters; i++) {
		int fd = openat(AT_FDCWD, path, flags | O_CLOEXEC);

		if (fd < 0)
			die(path);
		close(fd);
	}
}

static void do_forkexec(unsigned long iters)
{
	static char *const argv[] = { "true", NULL };

	for (unsigned long i = 0; i < iters; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execve("/bin/true", argv, environ);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "opcost: /bin/true failed (status %#x)\n", status);
			exit(1);
		}
	}
}

/* One request at a time: submit, wait, reap (a NOP, or an openat whose fd is closed). */
static void do_uring(const char *path, int open_flags, unsigned long iters)
{
	for (unsigned long i = 0; i < iters; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		struct io_uring_cqe *cqe;
		int res;

		if (!sqe)
			die("io_uring_get_sqe");
		if (path)
			io_uring_prep_openat(sqe, AT_FDCWD, path, open_flags | O_CLOEXEC, 0);
		else
			io_uring_prep_nop(sqe);
		if (io_uring_submit_and_wait(&ring, 1) != 1 || io_uring_wait_cqe(&ring, &cqe))
			die("io_uring submit");
		res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (res < 0) {
			errno = -res;
			die(path ? path : "nop");
		}
		if (path)
			close(res);
	}
}

static void run(enum op op, const char *path, unsigned long iters)
{
	switch (op) {
	case OP_GETPPID:
		for (unsigned long i = 0; i < iters; i++)
			syscall(SYS_getppid);
		break;
	case OP_OPEN_RO:
		do_open(path, O_RDONLY, iters);
		break;
	case OP_OPEN_WR:
		do_open(path, O_WRONLY, iters);
		break;
	case OP_FORKEXEC:
		do_forkexec(iters);
		break;
	case OP_URING_NOP:
		do_uring(NULL, 0, iters);
		break;
	case OP_URING_OPEN_RO:
		do_uring(path, O_RDONLY, iters);
		break;
	case OP_URING_OPEN_WR:
		do_uring(path, O_WRONLY, iters);
		break;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static unsigned long parse_ulong(const char *s, unsigned long max, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v == 0 || v > max) {
		fprintf(stderr, "opcost: bad %s '%s' (1..%lu)\n", what, s, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	double ns[RUNS_MAX];
	unsigned long iters, runs, warm;
	const char *path = NULL;
	enum op op;
	unsigned i;

	if (argc < 4 || argc > 5) {
		fprintf(stderr,
			"usage: opcost getppid|open_ro|open_wr|forkexec|uring_nop|uring_open_ro|"
			"uring_open_wr ITERS RUNS [PATH]\n");
		return 2;
	}
	for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (strcmp(argv[1], op_names[i]) == 0)
			break;
	if (i == sizeof(op_names) / sizeof(op_names[0])) {
		fprintf(stderr, "opcost: unknown op '%s'\n", argv[1]);
		return 2;
	}
	op = (enum op)i;
	iters = parse_ulong(argv[2], ITERS_MAX, "ITERS");
	runs = parse_ulong(argv[3], RUNS_MAX, "RUNS");
	if (op >= OP_URING_NOP && io_uring_queue_init(4, &ring, 0) < 0) {
		fprintf(stderr, "opcost: io_uring_queue_init failed\n");
		return 1;
	}
	if (op == OP_OPEN_RO || op == OP_OPEN_WR || op == OP_URING_OPEN_RO ||
	    op == OP_URING_OPEN_WR) {
		if (argc != 5) {
			fprintf(stderr, "opcost: %s needs a PATH\n", op_names[op]);
			return 2;
		}
		path = argv[4];
	}

	warm = iters / 10 ? iters / 10 : 1;
	run(op, path, warm);
	for (i = 0; i < runs; i++) {
		uint64_t t0 = now_ns();

		run(op, path, iters);
		ns[i] = (double)(now_ns() - t0) / (double)iters;
	}
	qsort(ns, runs, sizeof(ns[0]), cmp_double);
	printf("op=%s iters=%lu runs=%lu median_ns=%.1f min_ns=%.1f max_ns=%.1f ops=%lu pid=%ld\n",
	       op_names[op], iters, runs,
	       runs % 2 ? ns[runs / 2] : (ns[runs / 2 - 1] + ns[runs / 2]) / 2, ns[0],
	       ns[runs - 1], warm + iters * runs, (long)getpid());
	return 0;
}
