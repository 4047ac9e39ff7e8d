/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "agent_events.h"
#include "host.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void begin(struct drain *d, const char *event)
{
	encode_agent_begin(&d->w, &d->enc, drain_next_seq(d), now_ns(), event);
	jw_object_begin(&d->w, "agent");
	jw_cstring(&d->w, "version", CAUDIT_VERSION);
	jw_uint(&d->w, "pid", (uint64_t)getpid());
}

static int finish(struct drain *d)
{
	jw_object_end(&d->w); /* agent */
	jw_object_end(&d->w); /* record */
	return drain_commit(d);
}

static void write_drops(struct jsonw *w, const char *key, const uint64_t v[CA_DROP__COUNT])
{
	jw_object_begin(w, key);
	for (unsigned i = 0; i < CA_DROP__COUNT; i++)
		jw_uint(w, encode_drop_reason_name(i), v[i]);
	jw_object_end(w);
}

int agent_event_start(struct drain *d, const struct hook_status *hooks, unsigned nhooks,
		      const char *config_path, const char *config_hash, const char *log_dir)
{
	struct utsname u;

	begin(d, "agent.start");
	if (uname(&u) == 0)
		jw_cstring(&d->w, "kernel", u.release);
	jw_uint(&d->w, "abi", CA_ABI_VERSION);
	jw_cstring(&d->w, "config", config_path);
	jw_cstring(&d->w, "config_hash", config_hash);
	jw_cstring(&d->w, "log_dir", log_dir);
	agent_hooks_json(&d->w, hooks, nhooks);
	return finish(d);
}

void agent_hooks_json(struct jsonw *w, const struct hook_status *hooks, unsigned nhooks)
{
	jw_object_begin(w, "hooks");
	jw_array_begin(w, "active");
	for (unsigned i = 0; i < nhooks; i++)
		if (hooks[i].active)
			jw_cstring(w, NULL, hooks[i].name);
	jw_array_end(w);
	/* loaded, attached when a policy names them */
	jw_array_begin(w, "idle");
	for (unsigned i = 0; i < nhooks; i++)
		if (!hooks[i].active && hooks[i].idle)
			jw_cstring(w, NULL, hooks[i].name);
	jw_array_end(w);
	jw_array_begin(w, "missing");
	for (unsigned i = 0; i < nhooks; i++) {
		if (hooks[i].active || hooks[i].idle)
			continue;
		jw_object_begin(w, NULL);
		jw_cstring(w, "name", hooks[i].name);
		jw_cstring(w, "reason", hooks[i].reason);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_object_end(w);
}

int agent_event_loss(struct drain *d, struct loss_state *ls, const uint64_t drops[CA_DROP__COUNT])
{
	uint64_t delta[CA_DROP__COUNT];
	int moved = 0;
	uint64_t bad = d->bad_records - ls->reported_bad;
	uint64_t werr = d->write_errors - ls->reported_write_errors;

	for (unsigned i = 0; i < CA_DROP__COUNT; i++) {
		delta[i] = drops[i] - ls->reported[i];
		moved |= delta[i] != 0;
	}
	if (!moved && !bad && !werr)
		return 0;
	begin(d, "agent.loss");
	write_drops(&d->w, "loss", delta);
	write_drops(&d->w, "totals", drops);
	jw_object_begin(&d->w, "user_space");
	jw_uint(&d->w, "bad_records", bad);
	jw_uint(&d->w, "write_errors", werr);
	jw_object_end(&d->w);
	if (finish(d))
		return -1; /* keep the counts: they go into the next report */
	memcpy(ls->reported, drops, sizeof(ls->reported));
	ls->reported_bad += bad;
	ls->reported_write_errors += werr;
	return 0;
}

int agent_event_stop(struct drain *d, const char *reason, const uint64_t drops[CA_DROP__COUNT])
{
	begin(d, "agent.stop");
	jw_cstring(&d->w, "reason", reason);
	jw_uint(&d->w, "records", d->records);
	write_drops(&d->w, "totals", drops);
	jw_object_begin(&d->w, "user_space");
	jw_uint(&d->w, "bad_records", d->bad_records);
	jw_uint(&d->w, "write_errors", d->write_errors);
	jw_object_end(&d->w);
	return finish(d);
}

int agent_event_config(struct drain *d, const char *config_path, const char *config_hash,
		       const char *error)
{
	begin(d, "agent.config");
	jw_cstring(&d->w, "config", config_path);
	jw_cstring(&d->w, "config_hash", config_hash);
	jw_cstring(&d->w, "outcome", error ? "failure" : "success");
	if (error)
		jw_cstring(&d->w, "error", error);
	return finish(d);
}

static void write_who(struct jsonw *w, const struct policy_who *who)
{
	jw_object_begin(w, "by");
	jw_uint(w, "uid", who->uid);
	jw_int(w, "pid", who->pid);
	if (who->comm[0])
		jw_cstring(w, "comm", who->comm);
	jw_cstring(w, "via", who->via);
	jw_object_end(w);
}

int agent_event_policy(struct drain *d, const struct policy_gen *g, const struct policy_gen *prev,
		       const char *path, const struct policy_who *who,
		       const struct hook_status *hooks, unsigned nhooks)
{
	struct rules_summary s;

	rules_get_summary(g->rules, &s);
	begin(d, "agent.policy");
	jw_object_begin(&d->w, "policy");
	jw_uint(&d->w, "gen", g->gen);
	jw_cstring(&d->w, "hash", g->hash);
	jw_cstring(&d->w, "source", path);
	jw_uint(&d->w, "rules", s.rules[RULES_LIST_EXIT] + s.rules[RULES_LIST_TASK]);
	jw_uint(&d->w, "watches", s.watches);
	jw_uint(&d->w, "keys", s.keys);
	jw_uint(&d->w, "warnings", s.warnings);
	jw_bool(&d->w, "immutable", rules_control(g->rules)->enabled == 2);
	if (prev) {
		struct rules_summary ps;

		rules_get_summary(prev->rules, &ps);
		jw_object_begin(&d->w, "previous");
		jw_uint(&d->w, "gen", prev->gen);
		jw_cstring(&d->w, "hash", prev->hash);
		jw_uint(&d->w, "rules", ps.rules[RULES_LIST_EXIT] + ps.rules[RULES_LIST_TASK]);
		jw_bool(&d->w, "same", !strcmp(prev->hash, g->hash));
		jw_object_end(&d->w);
	}
	/* the syscalls hooked from now on: the policy decides what is attached */
	jw_array_begin(&d->w, "hooked");
	for (unsigned i = 0; i < nhooks; i++)
		if (hooks[i].active && !strncmp(hooks[i].name, "syscall:", 8))
			jw_cstring(&d->w, NULL, hooks[i].name + 8);
	jw_array_end(&d->w);
	{
		int ia32 = 0;

		for (unsigned i = 0; i < nhooks; i++)
			ia32 |= hooks[i].active && !strncmp(hooks[i].name, "ia32:", 5);
		jw_bool(&d->w, "hooked_ia32", ia32);
	}
	write_who(&d->w, who);
	jw_object_end(&d->w);
	return finish(d);
}

int agent_event_policy_refused(struct drain *d, const struct policy_gen *cur, const char *path,
			       const char *reason, const struct policy_who *who)
{
	begin(d, "agent.policy_refused");
	jw_object_begin(&d->w, "policy");
	jw_cstring(&d->w, "source", path);
	jw_cstring(&d->w, "reason", reason);
	if (cur) {
		jw_uint(&d->w, "kept_gen", cur->gen);
		jw_cstring(&d->w, "kept_hash", cur->hash);
	}
	write_who(&d->w, who);
	jw_object_end(&d->w);
	return finish(d);
}
