/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Disk conditions and retention, named one by one as auditd.conf does:
 * space_left and admin_space_left (checked every few seconds),
 * disk_full_action and disk_error_action (on a failed write), and removal of
 * old segments by count, total size and age. Whatever cannot be written is
 * counted, and a signed log.gap record says how much once writing resumes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fwd_proto.h"
#include "log.h"
#include "store.h"

#define NS 1000000000LL
#define RETRY_NS (1 * NS)
#define SUSPEND_RETRY_NS (30 * NS)
#define MAX_SEGMENTS 100000

struct seg_info {
	char name[STORE_SEG_NAME_LEN];
	uint64_t size;
	int64_t mtime;
};

static int cmp_seg(const void *a, const void *b)
{
	return strcmp(((const struct seg_info *)a)->name, ((const struct seg_info *)b)->name);
}

/* Segments other than the open one, oldest first. */
static size_t list_segments(struct store *st, struct seg_info **out)
{
	int fd = fcntl(st->dfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct seg_info *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	uint64_t seq;

	*out = NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	rewinddir(d);
	while ((de = readdir(d)) && n < MAX_SEGMENTS) {
		struct stat sb;

		if (store_segment_parse(de->d_name, &seq) || strcmp(de->d_name, st->seg) == 0 ||
		    fstatat(st->dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (n == cap) {
			struct seg_info *nv = realloc(v, (cap ? cap * 2 : 64) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
			cap = cap ? cap * 2 : 64;
		}
		memcpy(v[n].name, de->d_name, STORE_SEG_NAME_LEN - 6); /* parse checked its length */
		v[n].name[STORE_SEG_NAME_LEN - 6] = 0;
		v[n].size = (uint64_t)sb.st_size;
		v[n].mtime = sb.st_mtime;
		n++;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_seg);
	*out = v;
	return n;
}

/*
 * The last seq caudit-forward has had acknowledged (forward_state): 0 when
 * nothing was, or the checkpoint cannot be read (then nothing counts as
 * forwarded, which errs on the side of keeping segments).
 */
static uint64_t forwarded_through(const struct store *st)
{
	char buf[FWD_STATE_MAX], path[PATH_MAX + sizeof(FWD_STATE_FILE) + 1];
	struct fwd_state fs;
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", st->cfg.forward_state, FWD_STATE_FILE);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	if (n < 0 || fwd_state_parse(buf, (size_t)n, &fs))
		return 0;
	return fs.last_seq;
}

/* The last seq of v[i]: the next segment's first seq - 1. */
static uint64_t seg_last_seq(const struct store *st, const struct seg_info *v, size_t n, size_t i)
{
	uint64_t next = 0;

	store_segment_parse(i + 1 < n ? v[i + 1].name : st->seg, &next);
	return next ? next - 1 : 0;
}

/*
 * Records removed before caudit-forward sent them (disk-full policy): said
 * in a signed log.gap record, as any other loss.
 */
static void write_unforwarded_gap(struct store *st, uint64_t lost)
{
	char now[40];

	encode_time(now, store_now_real_ns());
	log_msg(LOG_WARNING, "retention removed %llu records not yet forwarded",
		(unsigned long long)lost);
	store_write_internal_begin(st, "log.gap");
	jw_object_begin(&st->w, "gap");
	jw_uint(&st->w, "lost", lost);
	jw_cstring(&st->w, "reason", "unforwarded");
	jw_cstring(&st->w, "from", now);
	jw_cstring(&st->w, "to", now);
	jw_object_end(&st->w);
	store_write_internal_end(st);
}

/* Remove the oldest segments while policy says so (force: at least one). */
static void prune(struct store *st, int force)
{
	struct seg_info *v;
	size_t n = list_segments(st, &v), i, removed = 0;
	uint64_t total = st->seg_bytes;
	int64_t now = store_now_real_ns() / NS;
	uint64_t through = 0, fwd = 0, unforwarded = 0;

	if (st->cfg.forward_state[0])
		fwd = forwarded_through(st);
	for (i = 0; i < n; i++)
		total += v[i].size;
	for (i = 0; i < n; i++) {
		int over = (st->cfg.retention_segments && n - i + 1 > st->cfg.retention_segments) ||
			   (st->cfg.retention_size && total > st->cfg.retention_size) ||
			   (st->cfg.retention_age && now - v[i].mtime > (int64_t)st->cfg.retention_age) ||
			   (force && removed == 0);
		uint64_t last = seg_last_seq(st, v, n, i);

		if (!over)
			break;
		if (st->cfg.forward_state[0] && last > fwd) {
			uint64_t first = 0;

			if (!force)
				break; /* not forwarded yet: the local log is the buffer */
			store_segment_parse(v[i].name, &first);
			unforwarded += last - (fwd >= first ? fwd : first - 1);
		}
		store_index_remove(st, v[i].name);
		if (unlinkat(st->dfd, v[i].name, 0) < 0) {
			log_msg(LOG_ERR, "retention: remove %s: %s", v[i].name, strerror(errno));
			break;
		}
		total -= v[i].size;
		removed++;
	}
	if (removed) {
		/* the next segment's first seq - 1 is the last seq removed */
		if (removed < n)
			store_segment_parse(v[removed].name, &through);
		else
			store_segment_parse(st->seg, &through);
		fsync(st->dfd);
		log_msg(LOG_NOTICE, "retention: removed %zu segment(s), oldest kept starts at seq %llu",
			removed, (unsigned long long)through);
		if (!st->failed) {
			store_write_internal_begin(st, "log.retention");
			jw_object_begin(&st->w, "retention");
			jw_array_begin(&st->w, "removed");
			for (i = 0; i < removed; i++)
				jw_cstring(&st->w, NULL, v[i].name);
			jw_array_end(&st->w);
			jw_uint(&st->w, "last_seq", through ? through - 1 : 0);
			jw_object_end(&st->w);
			store_write_internal_end(st);
			if (unforwarded)
				write_unforwarded_gap(st, unforwarded);
		}
	}
	free(v);
}

void store_retention(struct store *st)
{
	if (st->cfg.retention_segments || st->cfg.retention_size || st->cfg.retention_age)
		prune(st, 0);
}

void store_write_failed(struct store *st, int e)
{
	int full = e == ENOSPC || e == EDQUOT;
	int action = full ? st->cfg.disk_full_action : st->cfg.disk_error_action;

	if (!st->failed && action != CONFIG_ACTION_IGNORE)
		log_msg(LOG_ERR, "writing %s failed: %s; %s: %s", st->seg, strerror(e),
			full ? "disk_full_action" : "disk_error_action", config_action_name(action));
	st->failed = 1;
	st->fail_errno = e;
	st->fail_action = action;
	/* the file must end at a block boundary: the open block is kept in memory */
	if (ftruncate(st->fd, (off_t)st->block_off) == 0)
		st->seg_bytes = st->block_off;
	st->retry_at_ns = store_now_mono_ns() +
			  (action == CONFIG_ACTION_SUSPEND ? SUSPEND_RETRY_NS : RETRY_NS);
	if (action == CONFIG_ACTION_ROTATE)
		prune(st, 1);
	if (action == CONFIG_ACTION_HALT)
		st->fatal = 1;
}

/* Say what was lost while writing was stopped; called once writing works again. */
static void write_gap(struct store *st, const char *reason)
{
	char from[40], to[40];

	if (!st->lost)
		return;
	encode_time(from, st->lost_from_ns);
	encode_time(to, store_now_real_ns());
	store_write_internal_begin(st, "log.gap");
	jw_object_begin(&st->w, "gap");
	jw_uint(&st->w, "lost", st->lost);
	jw_cstring(&st->w, "reason", reason);
	jw_cstring(&st->w, "from", from);
	jw_cstring(&st->w, "to", to);
	jw_object_end(&st->w);
	if (store_write_internal_end(st) == 0) {
		log_msg(LOG_WARNING, "%llu records could not be written (%s)",
			(unsigned long long)st->lost, reason);
		st->lost = 0;
	}
}

int store_retry(struct store *st)
{
	const char *reason = st->fail_errno == ENOSPC || st->fail_errno == EDQUOT ? "disk_full"
										  : "disk_error";
	int r;

	r = store_rewrite_block(st);
	if (r) {
		st->retry_at_ns = store_now_mono_ns() + (st->fail_action == CONFIG_ACTION_SUSPEND
							     ? SUSPEND_RETRY_NS : RETRY_NS);
		return r;
	}
	log_msg(LOG_NOTICE, "writing %s resumed", st->seg);
	write_gap(st, reason);
	return store_seal(st, "interval", 0);
}

/* The warning goes into the log too, so auditors see why records may stop. */
static void write_disk_record(struct store *st, const char *threshold, uint64_t limit,
			      uint64_t free_bytes, int action)
{
	if (st->failed || st->admin_suspended)
		return;
	store_write_internal_begin(st, "log.disk");
	jw_object_begin(&st->w, "disk");
	jw_cstring(&st->w, "threshold", threshold);
	jw_uint(&st->w, "limit_bytes", limit);
	jw_uint(&st->w, "free_bytes", free_bytes);
	jw_cstring(&st->w, "action", config_action_name(action));
	jw_object_end(&st->w);
	store_write_internal_end(st);
}

void store_disk_check(struct store *st)
{
	struct statvfs sv;
	uint64_t free_bytes;

	if (fstatvfs(st->dfd, &sv) < 0)
		return;
	free_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
	if (free_bytes < st->cfg.admin_space_left) {
		int a = st->cfg.admin_space_left_action;

		if (!st->admin_warned) {
			log_msg(LOG_CRIT, "%s: %llu bytes free, below admin_space_left; action %s",
				st->cfg.log_dir, (unsigned long long)free_bytes,
				config_action_name(a));
			write_disk_record(st, "admin_space_left", st->cfg.admin_space_left,
					  free_bytes, a);
		}
		st->admin_warned = 1;
		if (a == CONFIG_ACTION_SUSPEND)
			st->admin_suspended = 1;
		else if (a == CONFIG_ACTION_ROTATE)
			prune(st, 1);
		else if (a == CONFIG_ACTION_HALT)
			st->fatal = 1;
	} else if (st->admin_warned) {
		st->admin_warned = 0;
		if (st->admin_suspended) {
			st->admin_suspended = 0;
			log_msg(LOG_NOTICE, "%s: space recovered, writing resumed", st->cfg.log_dir);
			write_gap(st, "admin_space_left");
		}
	}
	if (free_bytes < st->cfg.space_left) {
		if (!st->space_warned && st->cfg.space_left_action != CONFIG_ACTION_IGNORE) {
			log_msg(LOG_WARNING, "%s: %llu bytes free, below space_left",
				st->cfg.log_dir, (unsigned long long)free_bytes);
			write_disk_record(st, "space_left", st->cfg.space_left, free_bytes,
					  st->cfg.space_left_action);
		}
		if (!st->space_warned && st->cfg.space_left_action == CONFIG_ACTION_ROTATE)
			prune(st, 1);
		if (st->cfg.space_left_action == CONFIG_ACTION_HALT)
			st->fatal = 1;
		st->space_warned = 1;
	} else {
		st->space_warned = 0;
	}
}
