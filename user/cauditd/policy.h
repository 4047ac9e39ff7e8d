/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The agent's audit policy (docs/policy.md): read and compile the rules,
 * hand them to the kernel as a new generation, and decide for each record
 * what the kernel left open, attaching the selecting rule's keys.
 */
#ifndef CAUDITD_POLICY_H
#define CAUDITD_POLICY_H

#include <stdint.h>

#include "config.h"
#include "encode.h"
#include "event_decode.h"
#include "loader.h"
#include "rules.h"

#define POLICY_HISTORY 32 /* generations whose records may still be in the ring */

struct policy_gen {
	uint32_t gen;
	struct rules_policy *rules; /* NULL: slot free */
	char hash[65];
	int all;                    /* "rules = all": no rule policy */
};

struct agent_policy {
	struct policy_gen hist[POLICY_HISTORY];
	unsigned next;              /* hist slot the next generation takes */
	const struct policy_gen *cur;
	int locked;                 /* the active policy has -e 2 */
	uint64_t user_dropped;      /* records the kernel passed that the rules do not select */
	uint64_t user_decided;      /* records decided in user space */
	char rule_buf[320];         /* "FILE:LINE" of the record being encoded */
	struct enc_policy enc;
};

/* Who asked for a policy change, for the log. */
struct policy_who {
	uint32_t uid;
	int32_t pid;
	const char *via; /* "start", "SIGHUP", "caudit rules load" */
};

/*
 * Read and compile PATH ("all", a file or a directory). Warnings are logged;
 * on errors nothing is returned and err holds "N errors; first: file:line:col:
 * message". 0 or negative errno.
 */
int policy_read(const char *path, struct rules_policy **out, char *err, size_t errlen);

/*
 * Make rules (taken over; freed on failure) the kernel's policy as the next
 * generation. 0 or negative errno with err set.
 */
int policy_activate(struct agent_policy *ap, struct loader *l, const struct ca_config *cfg,
		    struct rules_policy *rules, int all, char *err, size_t errlen);

/*
 * The decision for one decoded record: 1 write it (out describes the policy
 * and keys), 0 the rules do not select it.
 */
int policy_select(struct agent_policy *ap, const struct ca_decoded *d,
		  const struct enc_policy **out);

void policy_free(struct agent_policy *ap);

#endif
