/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Helpers of the policy tests (test_rules_fields.c, test_rules_reload.c,
 * test_rules_packs.c, test_systemd.c): a rule file written line by line that
 * remembers the line of each key, the policy hash `caudit rules check`
 * computes, the agent.policy records, and exact checks of the "keys" and
 * "policy" members a selected record carries (docs/policy.md). Include after
 * <cmocka.h>.
 */
#ifndef CAUDIT_POLICY_CHECK_H
#define CAUDIT_POLICY_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "harness.h"

#define PC_MAX_LINES 512

/* A rule file being written: its text and, per line, the first key it names. */
struct pc_file {
	char path[512];
	char base[128]; /* base name: what "policy.rule" shows before ':' */
	char *text;
	size_t len;
	unsigned lines;
	char *key[PC_MAX_LINES + 1]; /* key[line] (1-based); NULL for lines without one */
};

void pc_file_init(struct pc_file *f, const char *dir, const char *base);
/*
 * Append one line (printf format). When key is not NULL the line gets
 * " -k KEY" appended and key is remembered as that line's key; the line
 * number is returned.
 */
unsigned pc_line(struct pc_file *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The line whose key is key (0 when none). */
unsigned pc_line_of(const struct pc_file *f, const char *key);
/* Write the text to f->path (0600). */
void pc_file_write(const struct pc_file *f);
void pc_file_free(struct pc_file *f);

/*
 * `caudit rules check --format json ARGS`: the policy hash (64 hex) into
 * hash and the exit-list rule count into *nrules; returns the exit status.
 */
int pc_check_hash(const char *args, char hash[65], int64_t *nrules);

/* Run a shell command; exit status, stdout+stderr in *out (malloc'd) if non-NULL. */
int pc_run(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The agent.policy records of ag (read so far), in log order, into recs
 * (at most max); returns how many.
 */
size_t pc_policy_records(struct agent *ag, json_object **recs, size_t max);
/* Wait for the first agent.policy (or event) record at or after index from. */
json_object *pc_wait_event(struct agent *ag, const char *event, size_t from, int timeout_ms,
			   size_t *index);

/* The agent.policy record of generation gen, waited for (fails the test after timeout_ms). */
json_object *pc_wait_policy_gen(struct agent *ag, int64_t gen, int timeout_ms);

/* The record's "keys" array equals keys (NULL-terminated); NULL keys: no "keys" member. */
void pc_keys_are(json_object *rec, const char *const *keys, const char *file, int line);
/* "policy":{"gen":gen,"rule":"BASE:LINE"} exactly. */
void pc_rule_is(json_object *rec, int64_t gen, const char *base, unsigned rline,
		const char *file, int line);

#define PC_KEYS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define KEYS_ARE(rec, keys) pc_keys_are((rec), (keys), __FILE__, __LINE__)
#define RULE_IS(rec, gen, base, rline) pc_rule_is((rec), (gen), (base), (rline), __FILE__, __LINE__)

#endif
