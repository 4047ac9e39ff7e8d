/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <bpf/bpf.h>

#include "detach.h"
#include "hookset.h"
#include "pins.h"

#define TRACEFS_SYSCALLS "/sys/kernel/tracing/events/syscalls/"
#define IDLE_REASON "no always rule of the policy names it"

static long tracepoint_id(const char *tp)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), TRACEFS_SYSCALLS "%s/id", tp) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

/* A link of prog_fd on syscalls/<tp> (tracepoint program) or its BTF raw tracepoint. */
static int attach_one(int prog_fd, const char *tp)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.sample_period = 1,
		.wakeup_events = 1,
	};
	long id;
	int pfd, lfd;

	if (!tp[0]) {
		lfd = bpf_raw_tracepoint_open(NULL, prog_fd);
		return lfd < 0 ? -errno : lfd;
	}
	id = tracepoint_id(tp);
	if (id < 0)
		return (int)id;
	attr.config = (uint64_t)id;
	pfd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -errno;
	/* the link holds the perf event: its fd is not needed past this */
	lfd = bpf_link_create(prog_fd, pfd, BPF_PERF_EVENT, NULL);
	lfd = lfd < 0 ? -errno : lfd;
	close(pfd);
	return lfd;
}

static void set_state(struct hook_pair *p, int attached)
{
	if (!p->status)
		return;
	p->status->active = attached;
	p->status->idle = !attached;
	snprintf(p->status->reason, sizeof(p->status->reason), "%s", attached ? "" : IDLE_REASON);
}

int hookset_add(struct hookset *s, int nr, const char *const prog[2], const char *const tp[2],
		const int prog_fd[2], const int link_fd[2], struct hook_status *status)
{
	struct hook_pair *p;

	if (s->n >= HOOKSET_MAX)
		return -E2BIG;
	p = &s->pair[s->n];
	memset(p, 0, sizeof(*p));
	p->nr = nr;
	p->status = status;
	for (int i = 0; i < 2; i++) {
		snprintf(p->prog[i], sizeof(p->prog[i]), "%s", prog[i]);
		snprintf(p->tp[i], sizeof(p->tp[i]), "%s", tp[i]);
		p->link_fd[i] = -1;
		p->prog_fd[i] = fcntl(prog_fd[i], F_DUPFD_CLOEXEC, 3);
		if (p->prog_fd[i] < 0) {
			int e = -errno;

			if (i)
				close(p->prog_fd[0]);
			return e;
		}
	}
	for (int i = 0; i < 2; i++) {
		int pinned = s->pins ? pins_prog_get(s->pins, prog[i]) : -1, r = 0;

		if (pinned >= 0)
			close(pinned); /* a restart on the pins: pinned already */
		else if (s->pins)
			r = pins_prog_pin(s->pins, p->prog_fd[i], prog[i]);
		if (r) {
			close(p->prog_fd[0]);
			close(p->prog_fd[1]);
			return r;
		}
	}
	/* the links come last: from here on the pair owns them */
	p->link_fd[0] = link_fd[0];
	p->link_fd[1] = link_fd[1];
	set_state(p, link_fd[0] >= 0 && link_fd[1] >= 0);
	s->n++;
	return 0;
}

static int attached(const struct hook_pair *p)
{
	return p->link_fd[0] >= 0 || p->link_fd[1] >= 0;
}

/*
 * Exit first: a call whose enter is seen always finds its exit attached. A
 * pair that cannot be attached is reported missing with the reason, as a
 * hook the kernel lacks; the other hooks go on.
 */
static int attach_pair(struct hookset *s, struct hook_pair *p)
{
	for (int i = 1; i >= 0; i--) {
		int r;

		if (p->link_fd[i] >= 0)
			continue;
		r = attach_one(p->prog_fd[i], p->tp[i]);
		if (r >= 0) {
			p->link_fd[i] = r;
			r = s->pins ? pins_link_pin(s->pins, r, p->prog[i]) : 0;
		}
		if (r < 0) {
			for (int k = 0; k < 2; k++) {
				if (p->link_fd[k] >= 0)
					close(p->link_fd[k]);
				p->link_fd[k] = -1;
			}
			if (p->status) {
				p->status->active = p->status->idle = 0;
				snprintf(p->status->reason, sizeof(p->status->reason), "attach %s: %s",
					 i ? "exit" : "enter", strerror(-r));
			}
			return r;
		}
	}
	set_state(p, 1);
	return 0;
}

static void close_link(void *item)
{
	close(*(int *)item);
}

struct detach_job {
	unsigned n;
	int fds[];
};

static void *detach_job_run(void *arg)
{
	struct detach_job *j = arg;

	detach_parallel(j->fds, sizeof(j->fds[0]), j->n, close_link);
	free(j);
	return NULL;
}

/*
 * Close the links of the hooks a policy change dropped, off the main loop:
 * ~90 detaches take seconds (each waits for a grace period), and the agent
 * must go on draining the ring meanwhile. The hooks are already unpinned
 * and out of the set; their programs only find no call of the new policy.
 */
static void detach_in_background(const int *fds, unsigned n)
{
	struct detach_job *j;
	pthread_attr_t attr;
	pthread_t th;
	int started = 0;

	if (!n)
		return;
	j = malloc(sizeof(*j) + n * sizeof(j->fds[0]));
	if (!j) {
		detach_parallel((void *)fds, sizeof(fds[0]), n, close_link);
		return;
	}
	j->n = n;
	memcpy(j->fds, fds, n * sizeof(fds[0]));
	if (pthread_attr_init(&attr) == 0) {
		if (pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0)
			started = pthread_create(&th, &attr, detach_job_run, j) == 0;
		pthread_attr_destroy(&attr);
	}
	if (!started)
		detach_job_run(j);
}

static int wanted(const struct hook_pair *p, const uint8_t *want64, unsigned nwant, int want_ia32)
{
	if (p->nr == HOOKSET_IA32)
		return want_ia32;
	return p->nr >= 0 && (unsigned)p->nr < nwant && want64[p->nr];
}

int hookset_apply(struct hookset *s, const uint8_t *want64, unsigned nwant, int want_ia32,
		  enum hookset_phase phase)
{
	int fds[2 * HOOKSET_MAX];
	unsigned nfds = 0;
	int changed = 0;

	for (unsigned i = 0; i < s->n; i++) {
		struct hook_pair *p = &s->pair[i];
		int w = wanted(p, want64, nwant, want_ia32);

		if (phase == HOOKSET_ATTACH && w && !(p->link_fd[0] >= 0 && p->link_fd[1] >= 0)) {
			if (attach_pair(s, p) == 0)
				changed++;
		} else if (phase == HOOKSET_TRIM && !w && attached(p)) {
			/* a call in flight whose exit is no longer seen leaves a stale
			 * pending entry: the exits check its syscall (ca_sys_exit) */
			for (int k = 0; k < 2; k++) {
				if (p->link_fd[k] < 0)
					continue;
				if (s->pins)
					pins_link_unpin(s->pins, p->prog[k]);
				fds[nfds++] = p->link_fd[k];
				p->link_fd[k] = -1;
			}
			set_state(p, 0);
			changed++;
		}
	}
	detach_in_background(fds, nfds);
	return changed;
}

void hookset_close(struct hookset *s, int keep_links)
{
	int fds[2 * HOOKSET_MAX];
	unsigned nfds = 0;

	for (unsigned i = 0; i < s->n; i++) {
		struct hook_pair *p = &s->pair[i];

		for (int k = 0; k < 2; k++) {
			if (p->link_fd[k] >= 0) {
				if (!keep_links && s->pins)
					pins_link_unpin(s->pins, p->prog[k]);
				fds[nfds++] = p->link_fd[k];
			}
			if (p->prog_fd[k] >= 0)
				close(p->prog_fd[k]);
			p->link_fd[k] = p->prog_fd[k] = -1;
		}
	}
	detach_parallel(fds, sizeof(fds[0]), nfds, close_link);
	s->n = 0;
}
