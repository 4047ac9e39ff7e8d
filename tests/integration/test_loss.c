/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Loss accounting: with a one-page ring buffer a burst of file operations
 * must overflow it, and every lost record must be counted exactly once. The
 * test holds its own fd on the agent's drop_counters map (found through the
 * agent's fdinfo and libbpf's low-level API), so after the agent has stopped
 * it reads the final kernel-side counts and compares them with the sum of the
 * agent.loss records and with agent.stop's totals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "caudit_event.h"
#include "harness.h"

#define BURST_THREADS 4
#define BURST_OPS 20000
#define TINY_RING "ring_buffer_size = 4096\n" \
		  "wakeup_bytes = 1024\n" \
		  "poll_interval_ms = 200\n" \
		  "loss_report_interval = 1"

static const char *const reason_names[CA_DROP__COUNT] = {
	[CA_DROP_RINGBUF_FULL] = "ringbuf_full",
	[CA_DROP_MAP_FULL] = "map_full",
	[CA_DROP_READ_FAULT] = "read_fault",
	[CA_DROP_TRUNCATED] = "truncated",
	[CA_DROP_NO_ENTER] = "no_enter",
	[CA_DROP_RATE_LIMITED] = "rate_limited",
};

static struct agent ag;
static int agent_up;
static char work[PATH_MAX];

struct burst {
	pthread_t th;
	char path[PATH_MAX + 32];
	int failures;
};

static void *burst_main(void *p)
{
	struct burst *b = p;

	for (int i = 0; i < BURST_OPS; i++) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, b->path,
				      O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

		if (fd < 0) {
			b->failures++;
			continue;
		}
		close(fd);
		if (syscall(SYS_unlink, b->path))
			b->failures++;
	}
	return NULL;
}

/* map_id values of the bpf maps process pid holds, from its fdinfo. */
static size_t map_ids_of(pid_t pid, uint32_t *ids, size_t max)
{
	char dpath[64];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(dpath, sizeof(dpath), "/proc/%d/fdinfo", (int)pid);
	d = opendir(dpath);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char line[128];
		FILE *f;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		f = fdopen(fd, "r");
		if (!f) {
			close(fd);
			continue;
		}
		while (fgets(line, sizeof(line), f)) {
			unsigned id;

			if (sscanf(line, "map_id: %u", &id) == 1) {
				ids[n++] = id;
				break;
			}
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/*
 * An fd of our agent's drop_counters: among the maps the agent process holds
 * (other agents may run on this machine), the per-CPU array of that name.
 */
static int open_drop_counters(pid_t agent)
{
	uint32_t ids[512];
	size_t n = map_ids_of(agent, ids, sizeof(ids) / sizeof(ids[0]));

	for (size_t i = 0; i < n; i++) {
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    strcmp(info.name, "drop_counters") == 0 &&
		    info.type == BPF_MAP_TYPE_PERCPU_ARRAY && info.key_size == 4 &&
		    info.value_size == 8 && info.max_entries == CA_DROP__COUNT)
			return fd;
		close(fd);
	}
	return -1;
}

static int read_counters(int fd, uint64_t out[CA_DROP__COUNT])
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *vals;

	if (ncpus <= 0)
		return -1;
	vals = calloc((size_t)ncpus, sizeof(*vals));
	if (!vals)
		return -1;
	for (uint32_t k = 0; k < CA_DROP__COUNT; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			free(vals);
			return -1;
		}
		for (int c = 0; c < ncpus; c++)
			out[k] += vals[c];
	}
	free(vals);
	return 0;
}

static int is_event(json_object *rec, const char *event)
{
	const char *e = jstr(rec, "event");

	return e && strcmp(e, event) == 0;
}

static int match_loss_ringbuf(json_object *rec, void *arg)
{
	return is_event(rec, "agent.loss") && jint(rec, "agent.loss.ringbuf_full") > 0;
}

static int setup(void **state)
{
	char tmp[PATH_MAX];

	if (!harness_can_run())
		return 0;
	if (harness_tmpdir(tmp, sizeof(tmp)) || !realpath(tmp, work))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	if (agent_up)
		agent_cleanup(&ag);
	if (work[0])
		rmdir(work);
	return 0;
}

static void test_ringbuf_overflow_accounted(void **state)
{
	struct burst b[BURST_THREADS];
	uint64_t kernel[CA_DROP__COUNT], loss_sum[CA_DROP__COUNT] = { 0 };
	size_t nloss = 0, burst_recs = 0;
	json_object *stop = NULL;
	int mfd;
	int64_t prev_seq = -1;
	pid_t agent_pid;

	if (!harness_can_run())
		skip();
	assert_int_equal(agent_start(&ag, TINY_RING), 0);
	agent_up = 1;
	agent_pid = ag.pid;
	mfd = open_drop_counters(agent_pid);
	assert_true(mfd >= 0);

	for (int t = 0; t < BURST_THREADS; t++) {
		snprintf(b[t].path, sizeof(b[t].path), "%s/burst-%d", work, t);
		b[t].failures = 0;
		assert_int_equal(pthread_create(&b[t].th, NULL, burst_main, &b[t]), 0);
	}
	for (int t = 0; t < BURST_THREADS; t++) {
		assert_int_equal(pthread_join(b[t].th, NULL), 0);
		assert_int_equal(b[t].failures, 0);
	}
	/* the periodic report notices the overflow while the agent runs */
	assert_non_null(agent_wait(&ag, 0, match_loss_ringbuf, NULL, 15000, NULL));

	assert_int_equal(agent_stop(&ag), 0);
	assert_int_equal(read_counters(mfd, kernel), 0);
	close(mfd);

	for (size_t i = 0; i < ag.nrecs; i++) {
		json_object *rec = ag.recs[i];
		int64_t seq = jint(rec, "seq");
		const char *path;

		/* nothing is lost between the agent and its log: seq has no gaps */
		if (prev_seq >= 0 && seq != prev_seq + 1)
			fail_msg("seq %lld follows %lld", (long long)seq, (long long)prev_seq);
		prev_seq = seq;
		if (is_event(rec, "agent.loss")) {
			nloss++;
			assert_int_equal(jint(rec, "agent.pid"), agent_pid);
			for (int r = 0; r < CA_DROP__COUNT; r++) {
				char key[64];
				int64_t v;

				snprintf(key, sizeof(key), "agent.loss.%s", reason_names[r]);
				v = jint(rec, key);
				assert_true(v >= 0);
				loss_sum[r] += (uint64_t)v;
				/* each report's totals are the sum of the deltas so far */
				snprintf(key, sizeof(key), "agent.totals.%s", reason_names[r]);
				assert_int_equal(jint(rec, key), loss_sum[r]);
			}
			assert_int_equal(jint(rec, "agent.user_space.bad_records"), 0);
			assert_int_equal(jint(rec, "agent.user_space.write_errors"), 0);
		} else if (is_event(rec, "agent.stop")) {
			assert_null(stop);
			stop = rec;
		} else if ((path = jstr(rec, "file.path")) && strstr(path, "/burst-") &&
			   strncmp(path, work, strlen(work)) == 0) {
			/* a survivor of the burst is a whole, correct record */
			burst_recs++;
			assert_string_equal(jstr(rec, "outcome"), "success");
			assert_int_equal(jint(rec, "proc.pid"), getpid());
			assert_true(is_event(rec, "file.open") || is_event(rec, "file.unlink"));
		}
	}
	assert_int_equal(ag.bad_lines, 0);
	assert_non_null(stop);
	/* agent.stop is the last event; only the store's shutdown seal follows it */
	assert_true(ag.nrecs >= 2);
	assert_ptr_equal(stop, ag.recs[ag.nrecs - 2]);
	assert_string_equal(jstr(ag.recs[ag.nrecs - 1], "event"), "log.seal");
	assert_string_equal(jstr(ag.recs[ag.nrecs - 1], "seal.reason"), "shutdown");
	assert_string_equal(jstr(stop, "agent.reason"), "SIGTERM");
	assert_true(nloss >= 1);

	fprintf(stderr, "burst: %zu of %d records survived; %zu agent.loss records\n", burst_recs,
		2 * BURST_THREADS * BURST_OPS, nloss);
	for (int r = 0; r < CA_DROP__COUNT; r++) {
		char key[64];

		snprintf(key, sizeof(key), "agent.totals.%s", reason_names[r]);
		fprintf(stderr, "  %-13s kernel %llu  loss records %llu  agent.stop %lld\n",
			reason_names[r], (unsigned long long)kernel[r],
			(unsigned long long)loss_sum[r], (long long)jint(stop, key));
		assert_int_equal(loss_sum[r], kernel[r]);
		assert_int_equal(jint(stop, key), kernel[r]);
	}
	/* the burst really overflowed the ring, and lost records of its own */
	assert_true(kernel[CA_DROP_RINGBUF_FULL] > 0);
	assert_true(burst_recs < 2 * BURST_THREADS * BURST_OPS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ringbuf_overflow_accounted),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
