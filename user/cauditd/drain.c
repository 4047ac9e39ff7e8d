/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drain.h"
#include "event_decode.h"
#include "host.h"

#define PROC_CACHE_MAX 262144
#define RECORD_LIMIT (1u << 20)

uint64_t drain_next_seq(const struct drain *d)
{
	return d->sink->last_seq + 1;
}

int drain_commit(struct drain *d)
{
	int r;

	if (d->w.err)
		return d->w.err;
	r = d->sink->ops->write(d->sink, d->w.buf, d->w.len);
	if (r)
		d->write_errors++;
	return r;
}

static void cache_exec(struct drain *d, const struct ca_decoded *dec)
{
	const struct ca_event *ev = dec->ev;
	const struct ca_task_info *t = &ev->task;

	proc_cache_set(&d->procs, t->pid,
		       encode_exec_id(d->host.boot_id, t->pid, t->start_boottime, t->self_exec_id),
		       dec->str[CA_S_EXE], dec->len[CA_S_EXE], dec->str[CA_S_ARGS],
		       dec->len[CA_S_ARGS], !!(ev->flags & CA_F_ARGS_TRUNC), dec->str[CA_S_CWD],
		       dec->len[CA_S_CWD]);
}

/*
 * One ring record: decoded, enriched, encoded; the journal learns the seq it
 * will have before the store sees it (ringc.h), then it is written.
 */
static void handle_record(struct drain *d, struct ringc *rc, const void *data, size_t size,
			  uint64_t pos_after)
{
	struct ca_decoded dec;
	const struct proc_entry *pe;
	struct enc_proc ep = {}, *epp = NULL;
	const struct ca_event *ev;

	if (event_decode(data, size, &dec) < 0) {
		d->bad_records++;
		ringc_batch_note(rc, d->sink->last_seq, pos_after);
		return;
	}
	ev = dec.ev;
	switch (ev->type) {
	case CA_EV_PROC_EXEC:
		cache_exec(d, &dec);
		break;
	case CA_EV_PROC_FORK:
		proc_cache_fork(&d->procs, ev->task.pid, (uint32_t)ev->aux[CA_AUX_FORK_CHILD_PID], 0);
		break;
	default:
		break;
	}
	if (d->policy) {
		const struct enc_policy *pol;

		if (!policy_select(d->policy, &dec, &pol)) {
			/* the rules do not select it: consumed, not written */
			ringc_batch_note(rc, d->sink->last_seq, pos_after);
			goto done;
		}
		d->enc.policy = pol;
	}
	pe = proc_cache_get(&d->procs, ev->task.pid);
	if (pe) {
		ep.exe = pe->exe;
		ep.exe_len = pe->exe_len;
		ep.args = pe->args;
		ep.args_len = pe->args_len;
		ep.args_truncated = pe->args_truncated;
		ep.cwd = pe->cwd;
		ep.cwd_len = pe->cwd_len;
		epp = &ep;
	}
	if (encode_event(&d->w, &d->enc, drain_next_seq(d), &dec, epp)) {
		d->bad_records++;
		ringc_batch_note(rc, d->sink->last_seq, pos_after);
	} else {
		ringc_batch_note(rc, drain_next_seq(d), pos_after);
		if (drain_commit(d) == 0)
			d->records++;
	}
	d->enc.policy = NULL;
done:
	if (ev->type == CA_EV_PROC_EXIT)
		proc_cache_remove(&d->procs, ev->task.pid);
}

/* enc_cgroup_fn over the drain's cgroup cache */
static int cgroup_of(void *opaque, uint64_t id, struct enc_cgroup *out)
{
	struct drain *d = opaque;
	const struct cgroup_entry *e = cgroup_cache_get(&d->cgroups, id);

	if (!e)
		return 0;
	out->path = e->path;
	out->path_len = e->path_len;
	out->container = e->has_container ? &e->container : NULL;
	return 1;
}

int drain_init(struct drain *d, int ringbuf_fd, struct ring_ack *ack, struct sink *sink,
	       uint32_t args_max)
{
	int r;

	memset(d, 0, sizeof(*d));
	d->sink = sink;
	d->args_max = args_max;
	host_identity(&d->host);
	d->enc.host = &d->host;
	d->enc.boot_to_real_ns = host_boot_to_real_ns();
	d->enc.user_name = host_user_name;
	d->enc.cgroup = cgroup_of;
	d->enc.opaque = d;
	d->enc.agent_pid = (uint32_t)getpid();
	jw_init(&d->w, RECORD_LIMIT);
	r = proc_cache_init(&d->procs, PROC_CACHE_MAX);
	if (r)
		return r;
	r = cgroup_cache_init(&d->cgroups, CGROUP_CACHE_DEFAULT);
	if (r)
		return r;
	r = ringc_open(&d->rc, ringbuf_fd, ack);
	if (r)
		return r;
	d->ready = 1;
	return 0;
}

void drain_free(struct drain *d)
{
	if (d->ready)
		ringc_close(&d->rc);
	d->ready = 0;
	proc_cache_free(&d->procs);
	cgroup_cache_free(&d->cgroups);
	jw_free(&d->w);
}

int drain_epoll_fd(const struct drain *d)
{
	return d->rc.fd;
}

int drain_consume_ring(struct drain *d, struct ringc *rc)
{
	int total = 0;

	for (;;) {
		uint64_t pos = ringc_consumer(rc), next;
		unsigned n = 0;
		const void *rec;
		uint32_t len;
		int discarded;

		ringc_batch_begin(rc);
		while (n < RING_ACK_MAX && (rec = ringc_peek(rc, pos, &len, &next, &discarded))) {
			if (discarded)
				ringc_batch_note(rc, d->sink->last_seq, next);
			else
				handle_record(d, rc, rec, len, next);
			pos = next;
			n++;
		}
		if (!n)
			return total;
		/* in the segment file (page cache) before the kernel may reuse the space */
		d->sink->ops->flush(d->sink);
		ringc_batch_end(rc, pos);
		total += (int)n;
	}
}

int drain_consume(struct drain *d)
{
	/*
	 * Follow wall-clock steps (NTP, settimeofday) but not the few tens of ns
	 * two clock reads differ by: one process's start_time must not jitter.
	 */
	int64_t off = host_boot_to_real_ns(), diff = off - d->enc.boot_to_real_ns;

	if (diff > 1000000 || diff < -1000000)
		d->enc.boot_to_real_ns = off;
	return drain_consume_ring(d, &d->rc);
}

void drain_snapshot_record(void *opaque, const void *data, size_t size)
{
	struct drain *d = opaque;
	struct ca_decoded dec;
	const struct ca_task_info *t;

	if (event_decode(data, size, &dec) < 0 || dec.ev->type != CA_EV_TASK_SNAPSHOT)
		return;
	t = &dec.ev->task;
	proc_cache_set(&d->procs, t->pid, 0, dec.str[CA_S_EXE], dec.len[CA_S_EXE], NULL, 0, 0,
		       dec.str[CA_S_CWD], dec.len[CA_S_CWD]);
}

static ssize_t read_file(int dirfd, const char *name, char *buf, size_t len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n, total = 0;

	if (fd < 0)
		return -1;
	while ((size_t)total < len && (n = read(fd, buf + total, len - (size_t)total)) > 0)
		total += n;
	close(fd);
	return total;
}

static ssize_t read_link(int dirfd, const char *name, char *buf, size_t len)
{
	ssize_t n = readlinkat(dirfd, name, buf, len);

	return n >= (ssize_t)len ? -1 : n;
}

void drain_scan_proc(struct drain *d)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	char *args = malloc(d->args_max + 1);
	char exe[4096], cwd[4096];

	if (!dir || !args)
		goto out;
	while ((de = readdir(dir))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);
		const struct proc_entry *pe;
		ssize_t na, ne = -1, nc = -1;
		int pfd, trunc;

		if (*end || pid == 0 || pid > UINT32_MAX)
			continue;
		pfd = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd < 0)
			continue;
		na = read_file(pfd, "cmdline", args, d->args_max + 1);
		trunc = na > (ssize_t)d->args_max;
		if (trunc)
			na = d->args_max;
		if (na > 0 && args[na - 1] == 0)
			na--;
		pe = proc_cache_get(&d->procs, (uint32_t)pid);
		if (!pe || !pe->exe)
			ne = read_link(pfd, "exe", exe, sizeof(exe));
		if (!pe || !pe->cwd)
			nc = read_link(pfd, "cwd", cwd, sizeof(cwd));
		close(pfd);
		proc_cache_set(&d->procs, (uint32_t)pid, 0,
			       pe && pe->exe ? pe->exe : (ne > 0 ? exe : NULL),
			       pe && pe->exe ? pe->exe_len : (size_t)(ne > 0 ? ne : 0),
			       na > 0 ? args : NULL, na > 0 ? (size_t)na : 0, trunc,
			       pe && pe->cwd ? pe->cwd : (nc > 0 ? cwd : NULL),
			       pe && pe->cwd ? pe->cwd_len : (size_t)(nc > 0 ? nc : 0));
	}
out:
	if (dir)
		closedir(dir);
	free(args);
}
