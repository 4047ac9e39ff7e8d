/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Event schema v1 encoder (docs/schema.md): one decoded record plus what user
 * space knows about its process -> one JSON object. Pure module: names and
 * process details come in through the context, nothing is looked up here.
 */
#ifndef CAUDIT_ENCODE_H
#define CAUDIT_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "container.h"
#include "event_decode.h"
#include "jsonw.h"

#define CA_SCHEMA_VERSION 1
#define CA_ID_UNSET 4294967295u

struct enc_host {
	char name[256];
	char machine_id[64];
	char boot_id[64];
};

/* uid -> user name, or NULL when unknown. */
typedef const char *(*enc_user_name_fn)(void *opaque, uint32_t uid);

/* What user space knows of a cgroup id. */
struct enc_cgroup {
	const char *path;                        /* relative to the cgroup2 root: "/a/b" */
	size_t path_len;
	const struct container_info *container;  /* NULL: the path names no container */
};

/* cgroup id -> 1 with *out filled, or 0 when its path is unknown. */
typedef int (*enc_cgroup_fn)(void *opaque, uint64_t id, struct enc_cgroup *out);

/* The policy decision of a record (docs/policy.md): which policy and rule selected it. */
#define ENC_MAX_KEYS 16
struct enc_policy {
	uint32_t gen;                    /* 0: no policy decision to write */
	const char *rule;                /* "FILE:LINE", or NULL */
	const char *keys[ENC_MAX_KEYS];  /* the rule's keys */
	unsigned nkeys;
};

struct enc_ctx {
	const struct enc_host *host;
	int64_t boot_to_real_ns;     /* CLOCK_REALTIME - CLOCK_BOOTTIME */
	enc_user_name_fn user_name;  /* may be NULL */
	enc_cgroup_fn cgroup;        /* may be NULL: every cgroup.path is null */
	void *opaque;
	uint32_t agent_pid;          /* signals to it say "agent": true; 0 = unknown */
	const struct enc_policy *policy; /* of the record being encoded; NULL: none */
};

/* What the process cache knows of the acting process (all may be absent). */
struct enc_proc {
	const char *exe;
	size_t exe_len;
	const char *args;   /* NUL separated */
	size_t args_len;
	int args_truncated;
	const char *cwd;
	size_t cwd_len;
};

/* exec_id of (pid, start_boottime, self_exec_id) on boot boot_id. */
uint64_t encode_exec_id(const char *boot_id, uint32_t pid, uint64_t start_boottime,
			uint32_t self_exec_id);

/* RFC 3339 UTC with nanoseconds ("2026-11-23T19:12:42.123456789Z") into out[40]. */
void encode_time(char out[40], int64_t realtime_ns);

/*
 * Encode record d as a complete JSON object (no newline) into w, which is
 * reset first. proc may be NULL. Returns 0 or w->err.
 */
int encode_event(struct jsonw *w, const struct enc_ctx *c, uint64_t seq,
		 const struct ca_decoded *d, const struct enc_proc *proc);

/*
 * Begin an agent record: writes the common header fields and leaves the
 * top-level object open for the caller's "agent" member; close it with
 * jw_object_end(). event is e.g. "agent.start".
 */
void encode_agent_begin(struct jsonw *w, const struct enc_ctx *c, uint64_t seq,
			int64_t realtime_ns, const char *event);

/* encode_agent_begin for any category ("log" for the store's own records). */
void encode_record_begin(struct jsonw *w, const struct enc_ctx *c, uint64_t seq,
			 int64_t realtime_ns, const char *event, const char *category);

/* Names of enum ca_drop_reason values ("ringbuf_full", ...). */
const char *encode_drop_reason_name(unsigned reason);

#endif
