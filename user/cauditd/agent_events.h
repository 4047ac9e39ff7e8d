/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The agent's own records in the audit log: start, stop, loss, config. */
#ifndef CAUDIT_AGENT_EVENTS_H
#define CAUDIT_AGENT_EVENTS_H

#include <stdint.h>

#include "drain.h"
#include "loader.h"
#include "policy.h"

struct loss_state {
	uint64_t reported[CA_DROP__COUNT]; /* BPF counters already written */
	uint64_t reported_bad;             /* drain.bad_records already written */
	uint64_t reported_write_errors;
};

int agent_event_start(struct drain *d, const struct hook_status *hooks, unsigned nhooks,
		      const char *config_path, const char *config_hash, const char *log_dir);

/*
 * Write an agent.loss record when any counter moved since the last one:
 * per-reason deltas and totals. Returns 0 (also when nothing to say).
 */
int agent_event_loss(struct drain *d, struct loss_state *ls, const uint64_t drops[CA_DROP__COUNT]);

int agent_event_stop(struct drain *d, const char *reason, const uint64_t drops[CA_DROP__COUNT]);

int agent_event_config(struct drain *d, const char *config_path, const char *config_hash,
		       const char *error);

/* agent.policy: generation g (prev: the one it replaces) from path, asked by who. */
int agent_event_policy(struct drain *d, const struct policy_gen *g, const struct policy_gen *prev,
		       const char *path, const struct policy_who *who,
		       const struct hook_status *hooks, unsigned nhooks);

/* "hooks":{"active":[...],"idle":[...],"missing":[{name,reason}]} (agent.start, status). */
void agent_hooks_json(struct jsonw *w, const struct hook_status *hooks, unsigned nhooks);
/* agent.policy_refused: a change that did not happen, and the policy kept. */
int agent_event_policy_refused(struct drain *d, const struct policy_gen *cur, const char *path,
			       const char *reason, const struct policy_who *who);

#endif
