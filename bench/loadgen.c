/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * loadgen: recorded file events at a paced rate, for the throughput bench.
 *
 *   loadgen [-u] -r EVENTS_PER_S -t THREADS -d SECONDS -D DIR
 *
 * One "event" is one syscall caudit records, i.e. one audit record. Each
 * worker repeats one operation on its own file DIR/w<i>/t<tid>:
 *
 *   openat(O_WRONLY | O_CREAT) + close       one event: file.open
 *                                            (close is not hooked)
 *   with -u, also unlink()                   two events: file.open, file.unlink
 *
 * Without -u the file is created by the first operation and opened again by
 * the others, so the rate is not bound by the file system: with -u every
 * operation allocates and frees an inode, and on ext4 the inode allocator
 * (recently_deleted() bitmap scans) soon costs more than everything else.
 * The file name carries the worker's thread id, which lets the log check tie
 * each record to the thread that caused it. Each worker has its own directory
 * w<i> (made before the clock starts): workers sharing one directory
 * serialise on its inode lock, and spin on it.
 *
 * Every worker paces itself with a token bucket at R / THREADS operations/s
 * (half that with -u) holding at most BURST_MS of tokens, so a worker that
 * was preempted catches up in a short burst but never runs ahead of the
 * schedule.
 *
 * Prints one line of key=value pairs when done:
 *   target=F events=N opens=N unlinks=N errors=N secs=F rate=F
 *   user_s=F sys_s=F pid=N
 * events counts every open and unlink issued (a failed call is recorded
 * too); rate is events/secs. Files are left in place without -u.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define THREADS_MAX 64
#define SECONDS_MAX 3600
#define RATE_MAX 100000000.0
#define BURST_MS 100.0

struct worker {
	pthread_t thread;
	double op_rate;         /* operations per second for this worker */
	int do_unlink;          /* -u: unlink after every open */
	char dir[4096];
	uint64_t t0, t_end;     /* CLOCK_MONOTONIC ns */
	uint64_t opens, unlinks, errors;
	int err;                /* errno of a setup failure */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	double burst = w->op_rate * BURST_MS / 1000.0, tokens = 0.0;
	char path[sizeof(w->dir) + 32];
	uint64_t last, now;

	if (burst < 1.0)
		burst = 1.0;
	snprintf(path, sizeof(path), "%s/t%ld", w->dir, (long)syscall(SYS_gettid));
	/* start together at t0 */
	now = now_ns();
	if (now < w->t0)
		sleep_ns(w->t0 - now);
	last = w->t0;
	for (;;) {
		int fd;

		now = now_ns();
		if (now >= w->t_end)
			break;
		tokens += (double)(now - last) * w->op_rate / 1e9;
		last = now;
		if (tokens > burst)
			tokens = burst;
		if (tokens < 1.0) {
			uint64_t wait = (uint64_t)((1.0 - tokens) * 1e9 / w->op_rate) + 1;

			if (now + wait > w->t_end)
				wait = w->t_end - now;
			sleep_ns(wait);
			continue;
		}
		tokens -= 1.0;
		fd = openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		w->opens++;
		if (fd < 0)
			w->errors++;
		else
			close(fd);
		if (!w->do_unlink)
			continue;
		w->unlinks++;
		if (unlink(path) < 0)
			w->errors++;
	}
	return NULL;
}

static double parse_num(const char *s, double min, double max, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || !(v >= min && v <= max)) {
		fprintf(stderr, "loadgen: bad %s '%s' (%g..%g)\n", what, s, min, max);
		exit(2);
	}
	return v;
}

static double tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	static struct worker workers[THREADS_MAX];
	double rate = 0, secs = 0, elapsed;
	unsigned threads = 0, started = 0;
	uint64_t opens = 0, unlinks = 0, errors = 0, t0;
	const char *dir = NULL;
	struct rusage ru;
	int c, do_unlink = 0;

	while ((c = getopt(argc, argv, "ur:t:d:D:")) != -1) {
		switch (c) {
		case 'u': do_unlink = 1; break;
		case 'r': rate = parse_num(optarg, 1, RATE_MAX, "rate"); break;
		case 't': threads = (unsigned)parse_num(optarg, 1, THREADS_MAX, "threads"); break;
		case 'd': secs = parse_num(optarg, 0.1, SECONDS_MAX, "seconds"); break;
		case 'D': dir = optarg; break;
		default: goto usage;
		}
	}
	if (!rate || !threads || !secs || !dir || optind != argc)
		goto usage;

	/* sleeps of a few microseconds must not be rounded up to 50 us */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	for (unsigned i = 0; i < threads; i++) {
		struct worker *w = &workers[i];

		if ((size_t)snprintf(w->dir, sizeof(w->dir), "%s/w%u", dir, i) >= sizeof(w->dir) ||
		    (mkdir(w->dir, 0700) < 0 && errno != EEXIST)) {
			fprintf(stderr, "loadgen: mkdir %s/w%u: %s\n", dir, i, strerror(errno));
			return 1;
		}
	}
	t0 = now_ns() + 100 * 1000000u; /* time for every thread to start */
	for (unsigned i = 0; i < threads; i++) {
		struct worker *w = &workers[i];

		w->op_rate = rate / (do_unlink ? 2.0 : 1.0) / threads;
		w->do_unlink = do_unlink;
		w->t0 = t0;
		w->t_end = t0 + (uint64_t)(secs * 1e9);
		w->err = pthread_create(&w->thread, NULL, worker_main, w);
		if (w->err) {
			fprintf(stderr, "loadgen: pthread_create: %s\n", strerror(w->err));
			break;
		}
		started++;
	}
	for (unsigned i = 0; i < started; i++) {
		pthread_join(workers[i].thread, NULL);
		opens += workers[i].opens;
		unlinks += workers[i].unlinks;
		errors += workers[i].errors;
	}
	elapsed = (double)(now_ns() - t0) / 1e9;
	getrusage(RUSAGE_SELF, &ru);
	printf("target=%.0f events=%llu opens=%llu unlinks=%llu errors=%llu secs=%.3f rate=%.0f "
	       "user_s=%.3f sys_s=%.3f pid=%ld\n",
	       rate, (unsigned long long)(opens + unlinks), (unsigned long long)opens,
	       (unsigned long long)unlinks, (unsigned long long)errors, elapsed,
	       (double)(opens + unlinks) / elapsed, tv_s(&ru.ru_utime), tv_s(&ru.ru_stime),
	       (long)getpid());
	return started == threads ? 0 : 1;
usage:
	fprintf(stderr, "usage: loadgen [-u] -r EVENTS_PER_S -t THREADS -d SECONDS -D DIR\n");
	return 2;
}
