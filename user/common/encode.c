/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "encode.h"
#include "encode_priv.h"
#include "path.h"
#include "syscall_table.h"

#define CA_AT_REMOVEDIR 0x200
#define CA_RENAME_EXCHANGE 2
/* x86_64 kernel value: glibc defines O_LARGEFILE as 0 on 64-bit targets */
#define CA_O_LARGEFILE 0100000

static const char *const drop_names[CA_DROP__COUNT] = {
	[CA_DROP_RINGBUF_FULL] = "ringbuf_full",
	[CA_DROP_MAP_FULL] = "map_full",
	[CA_DROP_READ_FAULT] = "read_fault",
	[CA_DROP_TRUNCATED] = "truncated",
	[CA_DROP_NO_ENTER] = "no_enter",
	[CA_DROP_RATE_LIMITED] = "rate_limited",
};

const char *encode_drop_reason_name(unsigned reason)
{
	return reason < CA_DROP__COUNT ? drop_names[reason] : "unknown";
}

/* splitmix64 finaliser: a fixed, documented mix, not a secret */
static uint64_t mix64(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

/* The boot id's share of every exec_id, computed once per boot id (hot path). */
static uint64_t boot_seed(const char *boot_id)
{
	static __thread char cached[64];
	static __thread uint64_t seed;
	static __thread int valid;
	uint64_t h = 0x63617564697431ull; /* "caudit1" */

	if (valid && boot_id && strncmp(cached, boot_id, sizeof(cached)) == 0)
		return seed;
	for (const char *p = boot_id; p && *p; p++)
		h = mix64(h, (unsigned char)*p);
	if (boot_id && strlen(boot_id) < sizeof(cached)) {
		strcpy(cached, boot_id);
		seed = h;
		valid = 1;
	}
	return h;
}

uint64_t encode_exec_id(const char *boot_id, uint32_t pid, uint64_t start_boottime,
			uint32_t self_exec_id)
{
	uint64_t h = boot_seed(boot_id);

	h = mix64(h, pid);
	h = mix64(h, start_boottime);
	return mix64(h, self_exec_id);
}

/* n decimal digits of v, zero-padded, at p. */
static void put_digits(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/*
 * Every record's time: by hand rather than snprintf, which was a tenth of
 * the agent's encoding time; gmtime_r only when the second changes.
 */
void encode_time(char out[40], int64_t ns)
{
	static __thread time_t cached_sec = -1;
	static __thread struct tm cached_tm;
	time_t sec = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);
	struct tm tm;
	int year;

	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	if (sec != cached_sec) {
		gmtime_r(&sec, &cached_tm);
		cached_sec = sec;
	}
	tm = cached_tm;
	year = tm.tm_year + 1900;
	if (year < 0 || year > 9999) {
		/* years stay 4 digits until 9999; the buffer fits any int anyway */
		snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", year % 10000,
			 (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100,
			 tm.tm_min % 100, tm.tm_sec % 100, frac % 1000000000);
		return;
	}
	/* YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ */
	put_digits(out, (unsigned)year, 4);
	out[4] = '-';
	put_digits(out + 5, (unsigned)(tm.tm_mon + 1) % 100, 2);
	out[7] = '-';
	put_digits(out + 8, (unsigned)tm.tm_mday % 100, 2);
	out[10] = 'T';
	put_digits(out + 11, (unsigned)tm.tm_hour % 100, 2);
	out[13] = ':';
	put_digits(out + 14, (unsigned)tm.tm_min % 100, 2);
	out[16] = ':';
	put_digits(out + 17, (unsigned)tm.tm_sec % 100, 2);
	out[19] = '.';
	put_digits(out + 20, (unsigned)frac, 9);
	out[29] = 'Z';
	out[30] = 0;
}

static void write_id_hex(struct jsonw *w, const char *key, uint64_t id)
{
	static const char hex[] = "0123456789abcdef";
	char buf[16];

	for (int i = 15; i >= 0; i--, id >>= 4)
		buf[i] = hex[id & 15];
	jw_string(w, key, buf, 16);
}

static void write_header(struct jsonw *w, const struct enc_ctx *c, uint64_t seq,
			 int64_t realtime_ns, const char *event, const char *category)
{
	char ts[40];

	encode_time(ts, realtime_ns);
	jw_object_begin(w, NULL);
	jw_uint(w, "schema", CA_SCHEMA_VERSION);
	jw_uint(w, "seq", seq);
	jw_cstring(w, "time", ts);
	jw_object_begin(w, "host");
	jw_cstring(w, "name", c->host->name);
	jw_cstring(w, "machine_id", c->host->machine_id);
	jw_cstring(w, "boot_id", c->host->boot_id);
	jw_object_end(w);
	jw_cstring(w, "event", event);
	jw_cstring(w, "category", category);
}

void encode_record_begin(struct jsonw *w, const struct enc_ctx *c, uint64_t seq,
			 int64_t realtime_ns, const char *event, const char *category)
{
	jw_reset(w);
	write_header(w, c, seq, realtime_ns, event, category);
}

void encode_agent_begin(struct jsonw *w, const struct enc_ctx *c, uint64_t seq,
			int64_t realtime_ns, const char *event)
{
	encode_record_begin(w, c, seq, realtime_ns, event, "agent");
}

/* A user or group id, with -1 (4294967295) written as -1 as auditd does. */
void encode_id(struct jsonw *w, const char *key, uint32_t id)
{
	if (id == CA_ID_UNSET)
		jw_int(w, key, -1);
	else
		jw_uint(w, key, id);
}

static void write_user_name(struct jsonw *w, const struct enc_ctx *c, const char *key,
			    uint32_t uid)
{
	const char *n = NULL;

	if (uid != CA_ID_UNSET && c->user_name)
		n = c->user_name(c->opaque, uid);
	if (n)
		jw_cstring(w, key, n);
	else
		jw_null(w, key);
}

/* strlen bounded by n: a string slot's text up to its first NUL */
static size_t slot_strlen(const char *s, size_t n)
{
	const char *z = s ? memchr(s, 0, n) : NULL;

	return z ? (size_t)(z - s) : n;
}

/* argv as an array; exact bytes of non-UTF-8 arguments in "args_hex" */
static void write_args(struct jsonw *w, const char *args, size_t len, int truncated)
{
	size_t start = 0, i, nlossy = 0;
	unsigned idx = 0;
	unsigned lossy[64];

	jw_array_begin(w, "args");
	for (i = 0; args && i <= len; i++) {
		if (i < len && args[i] != 0)
			continue;
		if (jw_string(w, NULL, args + start, i - start) &&
		    nlossy < sizeof(lossy) / sizeof(lossy[0]))
			lossy[nlossy++] = idx;
		idx++;
		start = i + 1;
	}
	jw_array_end(w);
	jw_bool(w, "args_truncated", truncated);
	if (nlossy) {
		size_t done = 0;

		jw_object_begin(w, "args_hex");
		start = 0;
		idx = 0;
		for (i = 0; i <= len && done < nlossy; i++) {
			if (i < len && args[i] != 0)
				continue;
			if (idx == lossy[done]) {
				char k[16];

				snprintf(k, sizeof(k), "%u", idx);
				jw_hex_bytes(w, k, args + start, i - start);
				done++;
			}
			idx++;
			start = i + 1;
		}
		jw_object_end(w);
	}
}

static void write_proc(struct jsonw *w, const struct enc_ctx *c, const struct ca_decoded *d,
		       const struct enc_proc *proc)
{
	const struct ca_task_info *t = &d->ev->task;
	int is_exec = d->ev->type == CA_EV_PROC_EXEC;
	char ts[40];

	jw_object_begin(w, "proc");
	jw_uint(w, "pid", t->pid);
	jw_uint(w, "tid", t->tid);
	jw_uint(w, "ppid", t->ppid);
	write_id_hex(w, "exec_id",
		     encode_exec_id(c->host->boot_id, t->pid, t->start_boottime, t->self_exec_id));
	write_id_hex(w, "parent_exec_id",
		     encode_exec_id(c->host->boot_id, t->ppid, t->parent_start_boottime,
				    t->parent_self_exec_id));
	jw_string(w, "comm", t->comm, slot_strlen(t->comm, sizeof(t->comm)));
	if (is_exec && d->str[CA_S_EXE])
		jw_string(w, "exe", d->str[CA_S_EXE], d->len[CA_S_EXE]);
	else if (proc && proc->exe)
		jw_string(w, "exe", proc->exe, proc->exe_len);
	else
		jw_null(w, "exe");
	if (is_exec)
		write_args(w, d->str[CA_S_ARGS], d->len[CA_S_ARGS],
			   !!(d->ev->flags & CA_F_ARGS_TRUNC));
	else if (d->ev->type == CA_EV_PROC_EXEC_FAIL)
		; /* attempted argv is in "exec" */
	else if (proc && proc->args)
		write_args(w, proc->args, proc->args_len, proc->args_truncated);
	else
		jw_null(w, "args");
	if (is_exec && d->str[CA_S_CWD])
		jw_string(w, "cwd", d->str[CA_S_CWD], d->len[CA_S_CWD]);
	else if (proc && proc->cwd)
		jw_string(w, "cwd", proc->cwd, proc->cwd_len);
	else
		jw_null(w, "cwd");
	if (t->tty[0])
		jw_string(w, "tty", t->tty, slot_strlen(t->tty, sizeof(t->tty)));
	else
		jw_null(w, "tty");
	encode_time(ts, (int64_t)(t->start_boottime + (uint64_t)c->boot_to_real_ns));
	jw_cstring(w, "start_time", ts);
	jw_object_end(w);
}

static void write_user(struct jsonw *w, const struct enc_ctx *c, const struct ca_task_info *t)
{
	jw_object_begin(w, "user");
	jw_uint(w, "uid", t->uid);
	write_user_name(w, c, "name", t->uid);
	jw_uint(w, "euid", t->euid);
	jw_uint(w, "suid", t->suid);
	jw_uint(w, "fsuid", t->fsuid);
	jw_uint(w, "gid", t->gid);
	jw_uint(w, "egid", t->egid);
	jw_uint(w, "sgid", t->sgid);
	jw_uint(w, "fsgid", t->fsgid);
	encode_id(w, "auid", t->auid);
	write_user_name(w, c, "login", t->auid);
	if (t->sessionid == CA_ID_UNSET)
		jw_null(w, "session");
	else
		jw_uint(w, "session", t->sessionid);
	jw_hex64(w, "caps", t->cap_effective);
	jw_object_end(w);
}

struct flag_name {
	unsigned long bit;
	const char *name;
};

static const struct flag_name open_flag_names[] = {
	{ O_WRONLY, "O_WRONLY" },   { O_RDWR, "O_RDWR" },         { O_CREAT, "O_CREAT" },
	{ O_EXCL, "O_EXCL" },       { O_NOCTTY, "O_NOCTTY" },     { O_TRUNC, "O_TRUNC" },
	{ O_APPEND, "O_APPEND" },   { O_NONBLOCK, "O_NONBLOCK" }, { O_DSYNC, "O_DSYNC" },
	{ O_DIRECT, "O_DIRECT" },   { CA_O_LARGEFILE, "O_LARGEFILE" }, { O_NOFOLLOW, "O_NOFOLLOW" },
	{ O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" },   { O_PATH, "O_PATH" },
	{ __O_TMPFILE, "O_TMPFILE" }, { O_DIRECTORY, "O_DIRECTORY" }, { O_SYNC, "O_SYNC" },
};

static void write_open_flags(struct jsonw *w, uint64_t flags)
{
	jw_uint(w, "flags", flags);
	jw_array_begin(w, "flag_names");
	if ((flags & O_ACCMODE) == O_RDONLY)
		jw_cstring(w, NULL, "O_RDONLY");
	for (size_t i = 0; i < sizeof(open_flag_names) / sizeof(open_flag_names[0]); i++)
		if ((flags & open_flag_names[i].bit) == open_flag_names[i].bit)
			jw_cstring(w, NULL, open_flag_names[i].name);
	jw_array_end(w);
}

static void write_mode(struct jsonw *w, uint64_t mode)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%04llo", (unsigned long long)(mode & 07777));
	jw_cstring(w, "mode", buf);
}

/*
 * One path member: kernel paths as they are; user strings made absolute
 * against their base directory. If that fails the string is kept as given
 * and "<key>_resolved": false says so.
 */
void encode_path(struct jsonw *w, const char *key, const struct ca_decoded *d, int slot,
		       int kernel)
{
	const char *p = d->str[slot], *base = d->str[slot + 1];
	size_t plen = d->len[slot], blen = d->len[slot + 1];
	char out[2 * CA_PATH_MAX];
	int n;

	if (!p) {
		jw_null(w, key);
		return;
	}
	if (kernel) {
		jw_string(w, key, p, plen);
		return;
	}
	n = path_resolve(base, blen, p, plen, out, sizeof(out));
	if (n >= 0) {
		jw_string(w, key, out, (size_t)n);
	} else {
		char k[32];

		jw_string(w, key, p, plen);
		snprintf(k, sizeof(k), "%s_resolved", key);
		jw_bool(w, k, 0);
	}
}

/* mknod's S_IFMT bits; mknod with type 0 makes a regular file */
static const char *file_type_name(uint64_t mode)
{
	switch (mode & 0170000) {
	case 0:
	case 0100000: return "reg";
	case 0010000: return "fifo";
	case 0020000: return "chr";
	case 0060000: return "blk";
	case 0140000: return "sock";
	default: return "unknown";
	}
}

static void write_file(struct jsonw *w, const struct ca_decoded *d,
		       const struct ca_syscall_info *si)
{
	const struct ca_event *ev = d->ev;
	const struct ca_sc_desc *s = &si->desc;

	jw_object_begin(w, "file");
	encode_path(w, "path", d, CA_S_PATH, !!(ev->flags & CA_F_PATH_KERNEL));
	if (d->str[CA_S_PATH2])
		encode_path(w, "path2", d, CA_S_PATH2, !!(ev->flags & CA_F_PATH2_KERNEL));
	if (s->kind == CA_SC_OPEN) {
		write_open_flags(w, ev->aux[CA_AUX_OPEN_FLAGS]);
		/* __O_TMPFILE includes O_DIRECTORY: all of its bits, not any */
		if ((ev->aux[CA_AUX_OPEN_FLAGS] & O_CREAT) ||
		    (ev->aux[CA_AUX_OPEN_FLAGS] & __O_TMPFILE) == __O_TMPFILE)
			write_mode(w, ev->aux[CA_AUX_OPEN_MODE]);
	} else {
		if (s->flags_arg < 6)
			jw_uint(w, "flags", ev->args[s->flags_arg]);
		if (s->mode_arg < 6)
			write_mode(w, ev->args[s->mode_arg]);
	}
	if (strcmp(si->event, "file.mknod") == 0 && s->mode_arg < 5) {
		uint64_t mode = ev->args[s->mode_arg], dev = ev->args[s->mode_arg + 1];
		const char *type = file_type_name(mode);

		jw_cstring(w, "type", type);
		if (strcmp(type, "chr") == 0 || strcmp(type, "blk") == 0) {
			jw_uint(w, "dev_major", (dev >> 8) & 0xfff);
			jw_uint(w, "dev_minor", (dev & 0xff) | ((dev >> 12) & 0xfff00));
		}
	}
	if (s->owner_arg < 5) {
		encode_id(w, "owner_uid", (uint32_t)ev->args[s->owner_arg]);
		encode_id(w, "owner_gid", (uint32_t)ev->args[s->owner_arg + 1]);
	}
	if (s->fd_arg < 6)
		jw_int(w, "fd", (int32_t)ev->args[s->fd_arg]);
	if (d->str[CA_S_AUX]) {
		const char *k = strcmp(si->event, "file.symlink") == 0 ? "target" : "xattr";

		jw_string(w, k, d->str[CA_S_AUX], d->len[CA_S_AUX]);
	}
	if (strcmp(si->event, "file.rename") == 0 && s->flags_arg < 6 &&
	    (ev->args[s->flags_arg] & CA_RENAME_EXCHANGE))
		jw_bool(w, "exchange", 1);
	if (ev->flags & CA_F_PATH_TRUNC)
		jw_bool(w, "truncated", 1);
	jw_object_end(w);
}

static void write_outcome(struct jsonw *w, int64_t ret)
{
	if (ret < 0) {
		const char *name = ret >= -4095 ? strerrorname_np((int)-ret) : NULL;

		jw_cstring(w, "outcome", "failure");
		if (name) {
			jw_cstring(w, "errno", name);
		} else {
			char buf[24];

			/* negated as unsigned: -INT64_MIN does not fit an int64_t */
			snprintf(buf, sizeof(buf), "E%llu", -(unsigned long long)ret);
			jw_cstring(w, "errno", buf);
		}
	} else {
		jw_cstring(w, "outcome", "success");
	}
	jw_int(w, "ret", ret);
}

/* "syscall", and how it came when not the ordinary way ("abi", "via"). */
static void write_syscall_name(struct jsonw *w, const char *name, uint16_t flags)
{
	jw_cstring(w, "syscall", name);
	if (flags & CA_F_ABI_IA32)
		jw_cstring(w, "abi", "ia32");
	if (flags & CA_F_VIA_URING)
		jw_cstring(w, "via", "io_uring");
}

static void write_exit(struct jsonw *w, uint32_t status)
{
	jw_object_begin(w, "exit");
	if ((status & 0x7f) == 0) {
		jw_uint(w, "code", (status >> 8) & 0xff);
		jw_null(w, "signal");
	} else {
		const char *sig = sigabbrev_np((int)(status & 0x7f));

		jw_null(w, "code");
		if (sig) {
			char buf[24];

			snprintf(buf, sizeof(buf), "SIG%s", sig);
			jw_cstring(w, "signal", buf);
		} else {
			jw_uint(w, "signal", status & 0x7f);
		}
	}
	jw_bool(w, "core_dumped", !!(status & 0x80));
	jw_object_end(w);
}

/* "cgroup" {id, path}, "container" when the path names one, "ns". */
static void write_tail(struct jsonw *w, const struct enc_ctx *c, const struct ca_task_info *t)
{
	struct enc_cgroup cg = { 0 };
	int known = c->cgroup && c->cgroup(c->opaque, t->cgroup_id, &cg) && cg.path;

	jw_object_begin(w, "cgroup");
	jw_uint(w, "id", t->cgroup_id);
	if (known)
		jw_string(w, "path", cg.path, cg.path_len);
	else
		jw_null(w, "path");
	jw_object_end(w);
	if (known && cg.container) {
		jw_object_begin(w, "container");
		jw_cstring(w, "id", cg.container->id);
		jw_cstring(w, "runtime", cg.container->runtime);
		if (cg.container->pod[0])
			jw_cstring(w, "pod", cg.container->pod);
		jw_object_end(w);
	}
	jw_object_begin(w, "ns");
	jw_uint(w, "pid", t->ns_pid);
	jw_uint(w, "mnt", t->ns_mnt);
	jw_uint(w, "net", t->ns_net);
	jw_uint(w, "user", t->ns_user);
	jw_uint(w, "uts", t->ns_uts);
	jw_uint(w, "ipc", t->ns_ipc);
	jw_uint(w, "cgroup", t->ns_cgroup);
	jw_object_end(w);
}

/* "policy":{"gen":N,"rule":"FILE:LINE"},"keys":[...] */
static void write_policy(struct jsonw *w, const struct enc_policy *p)
{
	if (!p->gen)
		return;
	jw_object_begin(w, "policy");
	jw_uint(w, "gen", p->gen);
	if (p->rule)
		jw_cstring(w, "rule", p->rule);
	jw_object_end(w);
	if (!p->nkeys)
		return;
	jw_array_begin(w, "keys");
	for (unsigned i = 0; i < p->nkeys && i < ENC_MAX_KEYS; i++)
		jw_cstring(w, NULL, p->keys[i]);
	jw_array_end(w);
}

int encode_event(struct jsonw *w, const struct enc_ctx *c, uint64_t seq,
		 const struct ca_decoded *d, const struct enc_proc *proc)
{
	const struct ca_event *ev = d->ev;
	const struct ca_task_info *t = &ev->task;
	const struct ca_syscall_info *si = NULL;
	/* wraps rather than overflows (undefined) on absurd clock values */
	int64_t when = (int64_t)(ev->boot_ns + (uint64_t)c->boot_to_real_ns);
	const char *event;

	jw_reset(w);
	switch (ev->type) {
	case CA_EV_PROC_EXEC:
		si = syscall_table_by_nr(ev->syscall_nr);
		write_header(w, c, seq, when, "process.exec", "process");
		/* known when the agent saw the call enter; else the common case */
		jw_cstring(w, "syscall", si && si->desc.kind == CA_SC_EXEC ? si->name : "execve");
		write_outcome(w, 0);
		si = NULL;
		break;
	case CA_EV_PROC_EXEC_FAIL:
		si = syscall_table_by_nr(ev->syscall_nr);
		write_header(w, c, seq, when, "process.exec", "process");
		write_syscall_name(w, si ? si->name : "execve", ev->flags);
		write_outcome(w, ev->ret);
		break;
	case CA_EV_PROC_FORK:
		write_header(w, c, seq, when, "process.fork", "process");
		break;
	case CA_EV_PROC_EXIT:
		write_header(w, c, seq, when, "process.exit", "process");
		break;
	case CA_EV_SYSCALL:
		si = syscall_table_by_nr(ev->syscall_nr);
		if (!si)
			return -EBADMSG;
		event = si->event;
		if (strcmp(event, "file.unlink") == 0 && si->desc.flags_arg < 6 &&
		    (ev->args[si->desc.flags_arg] & CA_AT_REMOVEDIR))
			event = "file.rmdir";
		write_header(w, c, seq, when, event, encode_category(event));
		write_syscall_name(w, si->name, ev->flags);
		if (si->desc.kind == CA_SC_OPEN && !(ev->aux[CA_AUX_OPEN_FLAGS] & (O_WRONLY | O_RDWR |
										     O_CREAT | O_TRUNC)))
			jw_cstring(w, "access", "read");
		else if (si->desc.kind <= CA_SC_FILE)
			jw_cstring(w, "access", "write");
		if (ev->flags & CA_F_NO_RESULT) {
			/* io_uring IOSQE_CQE_SKIP_SUCCESS: no result is posted on success */
			jw_cstring(w, "outcome", "unknown");
			jw_null(w, "ret");
		} else {
			write_outcome(w, ev->ret);
		}
		break;
	case CA_EV_SIGNAL:
		write_header(w, c, seq, when, "process.signal", "process");
		write_syscall_name(w, syscall_name(ev->syscall_nr), ev->flags);
		write_outcome(w, 0);
		break;
	default:
		return -EBADMSG;
	}

	write_proc(w, c, d, proc);
	write_user(w, c, t);
	encode_origin(w, &t->origin);

	switch (ev->type) {
	case CA_EV_PROC_EXEC:
		jw_object_begin(w, "exec");
		if (d->str[CA_S_PATH])
			jw_string(w, "filename", d->str[CA_S_PATH], d->len[CA_S_PATH]);
		jw_bool(w, "memfd", !!(ev->flags & CA_F_EXE_MEMFD));
		if (ev->flags & CA_F_PATH_TRUNC)
			jw_bool(w, "truncated", 1);
		jw_object_end(w);
		break;
	case CA_EV_PROC_EXEC_FAIL:
		/* filename as the caller gave it, path made absolute (as for successes: exe) */
		jw_object_begin(w, "exec");
		if (d->str[CA_S_PATH])
			jw_string(w, "filename", d->str[CA_S_PATH], d->len[CA_S_PATH]);
		else
			jw_null(w, "filename");
		encode_path(w, "path", d, CA_S_PATH, !!(ev->flags & CA_F_PATH_KERNEL));
		write_args(w, d->str[CA_S_ARGS], d->len[CA_S_ARGS],
			   !!(ev->flags & CA_F_ARGS_TRUNC));
		if (ev->flags & CA_F_PATH_TRUNC)
			jw_bool(w, "truncated", 1);
		jw_object_end(w);
		break;
	case CA_EV_PROC_FORK: {
		uint32_t cpid = (uint32_t)ev->aux[CA_AUX_FORK_CHILD_PID];

		jw_object_begin(w, "child");
		jw_uint(w, "pid", cpid);
		write_id_hex(w, "exec_id",
			     encode_exec_id(c->host->boot_id, cpid, ev->aux[CA_AUX_FORK_CHILD_START],
					    t->self_exec_id));
		jw_object_end(w);
		break;
	}
	case CA_EV_PROC_EXIT:
		write_exit(w, (uint32_t)ev->aux[CA_AUX_EXIT_CODE]);
		break;
	case CA_EV_SYSCALL:
		switch (si->desc.kind) {
		case CA_SC_NET:
			encode_net(w, d, si);
			break;
		case CA_SC_CRED:
			encode_cred(w, d);
			break;
		case CA_SC_SYS:
		case CA_SC_KILL:
			encode_sys(w, d, si);
			break;
		default:
			write_file(w, d, si);
		}
		break;
	case CA_EV_SIGNAL:
		encode_signal(w, c, d);
		break;
	}
	if (ev->flags & CA_F_READ_FAULT)
		jw_bool(w, "read_fault", 1);
	if (c->policy)
		write_policy(w, c->policy);
	write_tail(w, c, t);
	jw_object_end(w);
	return w->err;
}
