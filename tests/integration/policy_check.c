/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "policy_check.h"
#include "rec_check.h"

void pc_file_init(struct pc_file *f, const char *dir, const char *base)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s/%s", dir, base);
	snprintf(f->base, sizeof(f->base), "%s", base);
}

unsigned pc_line(struct pc_file *f, const char *key, const char *fmt, ...)
{
	char *body, *line;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	if (vasprintf(&body, fmt, ap) < 0)
		abort();
	va_end(ap);
	line = key ? xasprintf("%s -k %s\n", body, key) : xasprintf("%s\n", body);
	free(body);
	n = strlen(line);
	f->text = realloc(f->text, f->len + n + 1);
	if (!f->text)
		abort();
	memcpy(f->text + f->len, line, n + 1);
	f->len += n;
	free(line);
	if (++f->lines > PC_MAX_LINES)
		fail_msg("rule file %s: more than %d lines", f->base, PC_MAX_LINES);
	if (key) {
		if (pc_line_of(f, key))
			fail_msg("key %s used twice in %s", key, f->base);
		f->key[f->lines] = strdup(key);
	}
	return f->lines;
}

unsigned pc_line_of(const struct pc_file *f, const char *key)
{
	for (unsigned i = 1; i <= f->lines; i++)
		if (f->key[i] && strcmp(f->key[i], key) == 0)
			return i;
	return 0;
}

void pc_file_write(const struct pc_file *f)
{
	FILE *o = fopen(f->path, "we");

	if (!o)
		fail_msg("cannot write %s", f->path);
	if (f->len && fwrite(f->text, 1, f->len, o) != f->len)
		fail_msg("short write to %s", f->path);
	if (fclose(o))
		fail_msg("cannot write %s", f->path);
}

void pc_file_free(struct pc_file *f)
{
	for (unsigned i = 0; i <= PC_MAX_LINES; i++)
		free(f->key[i]);
	free(f->text);
	memset(f, 0, sizeof(*f));
}

int pc_run(char **out, const char *fmt, ...)
{
	char *cmd, *full, buf[4096];
	size_t len = 0;
	char *acc = calloc(1, 1);
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	full = xasprintf("(%s) 2>&1", cmd);
	free(cmd);
	p = popen(full, "r");
	free(full);
	if (!p || !acc)
		abort();
	while (fgets(buf, sizeof(buf), p)) {
		size_t n = strlen(buf);

		acc = realloc(acc, len + n + 1);
		if (!acc)
			abort();
		memcpy(acc + len, buf, n + 1);
		len += n;
	}
	st = pclose(p);
	if (out)
		*out = acc;
	else
		free(acc);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int pc_check_hash(const char *args, char hash[65], int64_t *nrules)
{
	char bin[512], *out = NULL, *json;
	json_object *o;
	const char *h;
	int rc;

	harness_bin("caudit", bin, sizeof(bin));
	/* the JSON summary is stdout's only line; warnings go to stderr */
	rc = pc_run(&out, "%s rules check --format json %s 2>/dev/null", bin, args);
	json = strchr(out, '{');
	o = json ? json_tokener_parse(json) : NULL;
	if (!o)
		fail_msg("rules check %s: exit %d, no JSON:\n%s", args, rc, out);
	h = jstr(o, "policy_hash");
	if (!h || strlen(h) != 64)
		fail_msg("rules check %s: no policy_hash:\n%s", args, out);
	memcpy(hash, h, 65);
	if (nrules)
		*nrules = jint(o, "rules.exit");
	json_object_put(o);
	free(out);
	return rc;
}

json_object *pc_wait_event(struct agent *ag, const char *event, size_t from, int timeout_ms,
			   size_t *index)
{
	struct want w = { .event = event };

	return agent_wait(ag, from, match_want, &w, timeout_ms, index);
}

size_t pc_policy_records(struct agent *ag, json_object **recs, size_t max)
{
	size_t n = 0;

	agent_poll(ag);
	for (size_t i = 0; i < ag->nrecs && n < max; i++) {
		const char *e = jstr(ag->recs[i], "event");

		if (e && strcmp(e, "agent.policy") == 0)
			recs[n++] = ag->recs[i];
	}
	return n;
}

void pc_keys_are(json_object *rec, const char *const *keys, const char *file, int line)
{
	json_object *k = jget(rec, "keys");
	size_t n = 0;

	while (keys && keys[n])
		n++;
	if (!keys) {
		if (!k)
			return;
		print_error("expected no \"keys\" member\n");
		rc_show(rec);
		_fail(file, line);
	}
	if (!k || !json_object_is_type(k, json_type_array) || json_object_array_length(k) != n)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(k, i);

		if (!json_object_is_type(v, json_type_string) ||
		    strcmp(json_object_get_string(v), keys[i]))
			goto bad;
	}
	return;
bad:
	print_error("keys: expected [");
	for (size_t i = 0; i < n; i++)
		print_error("%s\"%s\"", i ? "," : "", keys[i]);
	print_error("]\n");
	rc_show(rec);
	_fail(file, line);
}

void pc_rule_is(json_object *rec, int64_t gen, const char *base, unsigned rline,
		const char *file, int line)
{
	char want[256];
	json_object *pol = jget(rec, "policy");

	snprintf(want, sizeof(want), "%s:%u", base, rline);
	rc_int(rec, "policy.gen", gen, file, line);
	rc_str(rec, "policy.rule", want, file, line);
	if (!pol || json_object_object_length(pol) != 2) {
		print_error("policy: expected exactly gen and rule\n");
		rc_show(rec);
		_fail(file, line);
	}
}

json_object *pc_wait_policy_gen(struct agent *ag, int64_t gen, int timeout_ms)
{
	size_t from = 0;

	for (;;) {
		json_object *r = pc_wait_event(ag, "agent.policy", from, timeout_ms, &from);

		if (!r)
			fail_msg("no agent.policy record of generation %lld", (long long)gen);
		if (jint(r, "agent.policy.gen") == gen)
			return r;
		from++;
	}
}
