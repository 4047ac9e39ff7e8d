/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "rec_check.h"

static const char *text(json_object *rec)
{
	return json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN);
}

/* print_error() cuts long messages: the record goes to stderr whole. */
void rc_show(json_object *rec)
{
	fprintf(stderr, "  record: %s\n", text(rec));
}

void rc_str(json_object *ev, const char *key, const char *want, const char *file, int line)
{
	const char *got = jstr(ev, key);

	if (got && strcmp(got, want) == 0)
		return;
	print_error("%s: expected \"%s\", got %s%s%s\n", key, want, got ? "\"" : "",
		    got ? got : "(no string)", got ? "\"" : "");
	rc_show(ev);
	_fail(file, line);
}

void rc_int(json_object *ev, const char *key, int64_t want, const char *file, int line)
{
	int64_t got = jint(ev, key);

	if (got == want)
		return;
	if (got == INT64_MIN)
		print_error("%s: expected %lld, got no integer\n", key, (long long)want);
	else
		print_error("%s: expected %lld, got %lld\n", key, (long long)want, (long long)got);
	rc_show(ev);
	_fail(file, line);
}

void rc_bool(json_object *ev, const char *key, int want, const char *file, int line)
{
	json_object *v = jget(ev, key);

	if (v && json_object_is_type(v, json_type_boolean) &&
	    !!json_object_get_boolean(v) == !!want)
		return;
	print_error("%s: expected %s\n", key, want ? "true" : "false");
	rc_show(ev);
	_fail(file, line);
}

void rc_absent(json_object *ev, const char *key, const char *file, int line)
{
	json_object *v = jget(ev, key);

	if (!v && !jis_null(ev, key))
		return;
	print_error("%s: expected absent, got %s\n", key,
		    v ? json_object_to_json_string(v) : "null");
	rc_show(ev);
	_fail(file, line);
}

void rc_null(json_object *ev, const char *key, const char *file, int line)
{
	if (jis_null(ev, key))
		return;
	print_error("%s: expected null\n", key);
	rc_show(ev);
	_fail(file, line);
}

void rc_op(json_object *ev, const char *event, const char *category, const char *sc,
	   int64_t ret, const char *err, pid_t pid, const char *file, int line)
{
	rc_str(ev, "event", event, file, line);
	rc_str(ev, "category", category, file, line);
	rc_str(ev, "syscall", sc, file, line);
	rc_str(ev, "outcome", err ? "failure" : "success", file, line);
	rc_int(ev, "ret", ret, file, line);
	if (err)
		rc_str(ev, "errno", err, file, line);
	else
		rc_absent(ev, "errno", file, line);
	rc_int(ev, "proc.pid", pid, file, line);
	rc_int(ev, "proc.tid", pid, file, line);
	/* ordinary syscalls: no compat or io_uring marks */
	rc_absent(ev, "abi", file, line);
	rc_absent(ev, "via", file, line);
	rc_int(ev, "schema", 1, file, line);
}

static void describe(const struct want *w)
{
	fprintf(stderr, "  wanted: event %s", w->event ? w->event : "(any)");
	for (int i = 0; i < WANT_MAX && w->skey[i]; i++)
		fprintf(stderr, ", %s = \"%s\"", w->skey[i], w->sval[i]);
	for (int i = 0; i < WANT_MAX && w->ikey[i]; i++)
		fprintf(stderr, ", %s = %lld", w->ikey[i], (long long)w->ival[i]);
	fprintf(stderr, "\n");
}

/* The last records of the wanted event (or of the wanted pid), to see what came instead. */
static void dump_near(struct agent *ag, const struct want *w)
{
	int64_t pid = INT64_MIN;
	size_t shown = 0;

	for (int i = 0; i < WANT_MAX && w->ikey[i]; i++)
		if (strcmp(w->ikey[i], "proc.pid") == 0)
			pid = w->ival[i];
	for (size_t i = ag->nrecs; i-- > 0 && shown < 8;) {
		const char *e = jstr(ag->recs[i], "event");
		int same_event = w->event && e && strcmp(e, w->event) == 0;
		/* the process's life cycle records say nothing about the wanted one */
		int lifecycle = e && (!strcmp(e, "process.fork") || !strcmp(e, "process.exit"));

		if (same_event ||
		    (!lifecycle && pid != INT64_MIN && jint(ag->recs[i], "proc.pid") == pid)) {
			fprintf(stderr, "  near: %s\n", text(ag->recs[i]));
			shown++;
		}
	}
	if (!shown)
		fprintf(stderr, "  no record of that event or pid among %zu\n", ag->nrecs);
}

json_object *rc_one(struct agent *ag, const struct want *w, const char *file, int line)
{
	json_object *ev = agent_wait(ag, 0, match_want, (void *)w, RC_WAIT_MS, NULL);
	size_t n;

	if (!ev) {
		print_error("no matching record within %d ms\n", RC_WAIT_MS);
		describe(w);
		dump_near(ag, w);
		_fail(file, line);
	}
	n = agent_count(ag, match_want, (void *)w);
	if (n != 1) {
		print_error("%zu matching records, expected 1\n", n);
		describe(w);
		for (size_t i = 0; i < ag->nrecs; i++)
			if (match_want(ag->recs[i], (void *)w))
				rc_show(ag->recs[i]);
		_fail(file, line);
	}
	return ev;
}

json_object *rc_call(struct agent *ag, const char *event, const char *sc, const char *outcome,
		     pid_t pid, const char *file, int line)
{
	struct want w = { .event = event,
			  .skey = { "syscall", "outcome" },
			  .sval = { sc, outcome },
			  .ikey = { "proc.pid" },
			  .ival = { pid } };

	return rc_one(ag, &w, file, line);
}

void rc_none(struct agent *ag, const struct want *w, const char *file, int line)
{
	size_t n = agent_count(ag, match_want, (void *)w);

	if (n == 0)
		return;
	print_error("%zu matching records, expected none\n", n);
	describe(w);
	for (size_t i = 0; i < ag->nrecs; i++)
		if (match_want(ag->recs[i], (void *)w))
			rc_show(ag->recs[i]);
	_fail(file, line);
}

void rc_sync(struct agent *ag, const char *dir)
{
	static unsigned seq;
	char path[512];

	snprintf(path, sizeof(path), "%s/sync-%d-%u", dir, (int)getpid(), ++seq);
	if (syscall(SYS_mkdir, path, 0700))
		fail_msg("sync mkdir %s failed", path);
	if (!agent_wait_field(ag, "file.mkdir", "file.path", path, RC_WAIT_MS))
		fail_msg("no file.mkdir record of the sync marker %s", path);
}

void rc_dump_pid(struct agent *ag, pid_t pid)
{
	for (size_t i = 0; i < ag->nrecs; i++)
		if (jint(ag->recs[i], "proc.pid") == pid)
			rc_show(ag->recs[i]);
}
