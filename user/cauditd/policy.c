/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loader_policy.h"
#include "policy.h"
#include "policy_kernel.h"
#include "rules_files.h"
#include "rules_match.h"

/* "rules = all": every hooked operation, as before policies existed. */
static const char all_rules[] = "-a always,exit -S all\n";

int policy_read(const char *path, struct rules_policy **out, char *err, size_t errlen)
{
	struct rules_policy *p = rules_new(rules_env_system());
	const char *first = NULL;
	char line[600];
	int errors, r = 0;

	if (!p)
		return -ENOMEM;
	if (!strcmp(path, "all"))
		rules_parse(p, "all", all_rules, sizeof(all_rules) - 1);
	else
		r = rules_read_paths(p, &path, 1, err, errlen);
	if (r) {
		rules_free(p);
		return r;
	}
	errors = rules_compile(p);
	for (unsigned i = 0; i < rules_diag_count(p); i++) {
		const struct rules_diag *dg = rules_diag_at(p, i);

		rules_diag_format(dg, line, sizeof(line));
		log_msg(dg->severity == RULES_ERROR ? LOG_ERR : LOG_WARNING, "%s", line);
		if (dg->severity == RULES_ERROR && !first) {
			snprintf(err, errlen, "%d error%s in %s; first: %s", errors,
				 errors == 1 ? "" : "s", path, line);
			first = err;
		}
	}
	if (errors) {
		if (!first)
			snprintf(err, errlen, "%d errors in %s", errors, path);
		rules_free(p);
		return -EINVAL;
	}
	*out = p;
	return 0;
}

int policy_activate(struct agent_policy *ap, struct loader *l, const struct ca_config *cfg,
		    struct rules_policy *rules, int all, char *err, size_t errlen)
{
	struct policy_gen *slot = &ap->hist[ap->next % POLICY_HISTORY];
	struct kpolicy *k = NULL;
	uint32_t gen = ap->cur ? ap->cur->gen : 0, kgen = 0;
	int r;

	struct ca_pol_lock lock;

	/* immutable until reboot, also for the daemon that takes over the pins */
	if (loader_policy_lock_get(l, &lock) == 0 && lock.locked &&
	    strcmp(lock.hash, rules_hash_hex(rules))) {
		snprintf(err, errlen, "the policy is immutable (-e 2 in generation %u, hash %.16s...) "
			 "until reboot", lock.gen, lock.hash);
		rules_free(rules);
		return -EPERM;
	}
	/* pinned maps carry an earlier daemon's generations: continue after them */
	if (loader_policy_current(l, &kgen) == 0 && kgen > gen)
		gen = kgen;
	gen++;
	r = kpolicy_build(rules, &k);
	if (!r) {
		/* the hooks the new policy needs are there before it is active */
		loader_policy_hooks(l, k, 0);
		r = loader_policy_switch(l, k, gen);
	}
	if (r) {
		snprintf(err, errlen, "load the policy into the kernel: %s", strerror(-r));
		kpolicy_free(k);
		rules_free(rules);
		return r;
	}
	if (k->overflow || k->partial)
		log_msg(LOG_INFO, "policy generation %u: %u rules in the kernel, %u beyond its %d "
			"(decided in user space), %u with conditions only user space can test",
			gen, k->nrules, k->overflow, CA_POL_RULES, k->partial);
	/* and those only the old one needed go once it is not */
	loader_policy_hooks(l, k, 1);
	kpolicy_free(k);
	/* a rule policy decides read-only opens itself */
	loader_policy_read_opens(l, cfg, !all);
	rules_free(slot->rules);
	slot->rules = rules;
	slot->gen = gen;
	slot->all = all;
	snprintf(slot->hash, sizeof(slot->hash), "%s", rules_hash_hex(rules));
	ap->cur = slot;
	ap->next++;
	ap->locked = rules_control(rules)->enabled == 2;
	if (ap->locked && loader_policy_lock_set(l, gen, slot->hash))
		log_msg(LOG_WARNING, "policy generation %u: -e 2 holds until this daemon stops only: "
			"the lock could not be stored with the pins", gen);
	return 0;
}

static const struct policy_gen *by_gen(const struct agent_policy *ap, uint32_t gen)
{
	for (unsigned i = 0; i < POLICY_HISTORY; i++)
		if (ap->hist[i].rules && ap->hist[i].gen == gen)
			return &ap->hist[i];
	return NULL;
}

/* "policy":{"gen","rule"} and the keys of rule i of g. */
static void describe(struct agent_policy *ap, const struct policy_gen *g, unsigned i)
{
	const struct rules_rule *r = g->all ? NULL : rules_at(g->rules, i);

	ap->enc.rule = NULL;
	ap->enc.nkeys = 0;
	if (!r)
		return;
	{
		const char *file = rules_file_name(g->rules, r->file);
		const char *base = strrchr(file, '/');

		snprintf(ap->rule_buf, sizeof(ap->rule_buf), "%s:%u", base ? base + 1 : file,
			 r->line);
		ap->enc.rule = ap->rule_buf;
	}
	for (unsigned k = 0; k < r->nkeys && k < ENC_MAX_KEYS; k++)
		ap->enc.keys[ap->enc.nkeys++] = rules_str(g->rules, r->keys[k]);
}

int policy_select(struct agent_policy *ap, const struct ca_decoded *d, const char *exe,
		  const struct enc_policy **out)
{
	static char pathbuf[RULES_FACTS_PATHBUF]; /* the agent drains in one thread */
	const struct ca_event *ev = d->ev;
	const struct policy_gen *g;
	struct rules_facts f;
	unsigned rule;

	*out = NULL;
	if (ev->policy_rule & CA_POL_NONE)
		return 1; /* not subject to the policy (the start snapshot) */
	ap->enc.gen = ev->policy_gen;
	ap->enc.rule = NULL;
	ap->enc.nkeys = 0;
	*out = &ap->enc;
	g = by_gen(ap, ev->policy_gen);
	if (!g)
		return 1; /* an earlier daemon's policy (pins): kept, keys unknown */
	if (ev->policy_rule & CA_POL_DECIDED) {
		describe(ap, g, ev->policy_rule & CA_POL_RULE_MASK);
		return 1;
	}
	ap->user_decided++;
	if (rules_facts_from_event(d, pathbuf, sizeof(pathbuf), &f) < 0) {
		/* cannot tell: err toward recording, with the kernel's first candidate */
		describe(ap, g, ev->policy_rule & CA_POL_RULE_MASK);
		return 1;
	}
	if (exe && !f.exe)
		f.exe = exe;
	if (!rules_match(g->rules, &f, &rule)) {
		ap->user_dropped++;
		*out = NULL;
		return 0;
	}
	describe(ap, g, rule);
	return 1;
}

void policy_free(struct agent_policy *ap)
{
	for (unsigned i = 0; i < POLICY_HISTORY; i++)
		rules_free(ap->hist[i].rules);
	memset(ap, 0, sizeof(*ap));
}
