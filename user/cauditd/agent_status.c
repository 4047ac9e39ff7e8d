/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "encode.h"
#include "store.h"

static int64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Size of the log directory's files; rescanned at most every 5 s. */
static void scan_log_dir(struct agent *a)
{
	struct store_info si;
	struct dirent *de;
	DIR *d;
	int fd;

	if (a->log_scanned_s && mono_s() - a->log_scanned_s < 5)
		return;
	a->log_scanned_s = mono_s();
	if (store_info(a->sink, &si) || (fd = fcntl(si.dfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	rewinddir(d); /* the dup shares the store's directory offset */
	a->log_bytes = 0;
	a->log_segments = 0;
	while ((de = readdir(d))) {
		struct stat sb;

		if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISREG(sb.st_mode)) {
			a->log_bytes += (uint64_t)sb.st_blocks * 512;
			a->log_segments += strncmp(de->d_name, "seg-", 4) == 0;
		}
	}
	closedir(d);
}

void agent_update_stats(struct agent *a)
{
	int64_t now = now_ns(CLOCK_MONOTONIC);
	uint64_t drops[CA_DROP__COUNT] = {}, total = 0;

	if (a->stat_at_ns && now - a->stat_at_ns < 1000000000)
		return;
	if (a->stat_at_ns)
		a->events_per_s = (double)(a->drain.records - a->stat_records) * 1e9 /
				  (double)(now - a->stat_at_ns);
	a->stat_at_ns = now;
	a->stat_records = a->drain.records;
	scan_log_dir(a);
	loader_read_drops(a->loader, drops);
	for (int i = 0; i < CA_DROP__COUNT; i++)
		total += drops[i];
	service_status("capturing: %.0f events/s, %llu dropped, log %.1f MiB in %llu segments",
		       a->events_per_s, (unsigned long long)total, (double)a->log_bytes / 1048576.0,
		       (unsigned long long)a->log_segments);
}

void agent_build_status(void *ctx, struct jsonw *w)
{
	struct agent *a = ctx;
	uint64_t drops[CA_DROP__COUNT] = {}, pdrops[CA_PST__COUNT] = {};
	const struct hook_status *hooks;
	struct store_info si;
	unsigned nhooks;
	char t[40];
	uint64_t pending = ringc_pending(&a->drain.rc), size = a->drain.rc.mask + 1;

	jw_uint(w, "version", 1);
	jw_cstring(w, "agent_version", CAUDIT_VERSION);
	jw_uint(w, "pid", (uint64_t)getpid());
	jw_uint(w, "uptime_s", (uint64_t)(mono_s() - a->started_s));
	hooks = loader_hooks(a->loader, &nhooks);
	agent_hooks_json(w, hooks, nhooks);
	jw_object_begin(w, "policy");
	jw_uint(w, "generation", a->policy.cur ? a->policy.cur->gen : 0);
	jw_cstring(w, "hash", a->policy.cur ? a->policy.cur->hash : "");
	jw_cstring(w, "source", a->policy.source);
	jw_bool(w, "immutable", a->policy.locked);
	jw_uint(w, "refused", a->policy.refused);
	if (a->policy.refused)
		jw_cstring(w, "last_refusal", a->policy.last_refusal);
	else
		jw_null(w, "last_refusal");
	jw_uint(w, "decided_in_user_space", a->policy.user_decided);
	jw_uint(w, "dropped_in_user_space", a->policy.user_dropped);
	loader_read_policy_drops(a->loader, pdrops);
	jw_object_begin(w, "dropped_in_kernel");
	jw_uint(w, "syscall_entry", pdrops[CA_PST_ENTRY]);
	jw_uint(w, "syscall_exit", pdrops[CA_PST_EXIT]);
	jw_uint(w, "file_record", pdrops[CA_PST_RECORD]);
	jw_object_end(w);
	jw_cstring(w, "config", a->config_path);
	jw_uint(w, "config_generation", a->generation);
	jw_cstring(w, "config_hash", a->config_hash);
	jw_object_end(w);
	jw_object_begin(w, "events");
	jw_uint(w, "per_second", (uint64_t)(a->events_per_s + 0.5));
	jw_uint(w, "records", a->drain.records);
	jw_uint(w, "bad_records", a->drain.bad_records);
	jw_uint(w, "write_errors", a->drain.write_errors);
	jw_object_end(w);
	loader_read_drops(a->loader, drops);
	jw_object_begin(w, "drops");
	for (unsigned i = 0; i < CA_DROP__COUNT; i++)
		jw_uint(w, encode_drop_reason_name(i), drops[i]);
	jw_object_end(w);
	jw_object_begin(w, "ring_buffer");
	jw_uint(w, "size", size);
	jw_uint(w, "pending_bytes", pending);
	jw_uint(w, "fill_percent", pending * 100 / (size ? size : 1));
	jw_object_end(w);
	a->log_scanned_s = 0;
	scan_log_dir(a);
	store_info(a->sink, &si);
	jw_object_begin(w, "log");
	jw_cstring(w, "dir", a->cfg.log_dir);
	jw_uint(w, "bytes", a->log_bytes);
	jw_uint(w, "segments", a->log_segments);
	jw_cstring(w, "segment", si.segment);
	jw_uint(w, "last_seq", si.last_seq);
	if (si.last_seal_real_ns) {
		encode_time(t, si.last_seal_real_ns);
		jw_cstring(w, "last_seal", t);
	} else {
		jw_null(w, "last_seal");
	}
	jw_bool(w, "writing", !si.failed);
	jw_uint(w, "lost", si.lost);
	jw_object_end(w);
	jw_object_begin(w, "epoch");
	jw_uint(w, "number", si.epoch);
	jw_uint(w, "key_age_s", (uint64_t)((now_ns(CLOCK_REALTIME) - si.epoch_not_before_ns) /
					   1000000000));
	jw_object_end(w);
	jw_object_begin(w, "pins");
	jw_cstring(w, "dir", a->cfg.pin_dir);
	jw_bool(w, "taken_over", a->pin_state == PINS_REUSE);
	jw_object_end(w);
}

