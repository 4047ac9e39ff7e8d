/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Exact-field assertions on agent records, for the tests of whole event
 * families (test_net.c, test_priv.c): each check prints the expected value,
 * what the record holds and the whole record, then fails the cmocka test at
 * the caller's line. Tests include <cmocka.h> before this header.
 */
#ifndef CAUDIT_REC_CHECK_H
#define CAUDIT_REC_CHECK_H

#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "harness.h"

#ifndef RC_WAIT_MS
#define RC_WAIT_MS 10000
#endif

#define REC_STR(ev, key, want) rc_str((ev), (key), (want), __FILE__, __LINE__)
#define REC_INT(ev, key, want) rc_int((ev), (key), (int64_t)(want), __FILE__, __LINE__)
#define REC_BOOL(ev, key, want) rc_bool((ev), (key), (want), __FILE__, __LINE__)
#define REC_ABSENT(ev, key) rc_absent((ev), (key), __FILE__, __LINE__)
#define REC_NULL(ev, key) rc_null((ev), (key), __FILE__, __LINE__)
#define REC_OP(ev, event, category, sc, ret, err, pid) \
	rc_op((ev), (event), (category), (sc), (int64_t)(ret), (err), (pid), __FILE__, __LINE__)
/* The one record matching w (struct want), waited for; fails on none or several. */
#define REC_ONE(ag, w) rc_one((ag), (w), __FILE__, __LINE__)
/* The one record of (event, syscall, outcome) made by process pid. */
#define REC_CALL(ag, event, sc, outcome, pid) \
	rc_call((ag), (event), (sc), (outcome), (pid), __FILE__, __LINE__)
/* No record matches w (call after rc_sync). */
#define REC_NONE(ag, w) rc_none((ag), (w), __FILE__, __LINE__)

void rc_show(json_object *rec);
void rc_str(json_object *ev, const char *key, const char *want, const char *file, int line);
void rc_int(json_object *ev, const char *key, int64_t want, const char *file, int line);
void rc_bool(json_object *ev, const char *key, int want, const char *file, int line);
void rc_absent(json_object *ev, const char *key, const char *file, int line);
void rc_null(json_object *ev, const char *key, const char *file, int line);

/*
 * Members every syscall record has: event, category, syscall, outcome, ret,
 * errno (name, only on failure; NULL: success), proc.pid and proc.tid (the
 * caller is single-threaded), schema 1.
 */
void rc_op(json_object *ev, const char *event, const char *category, const char *sc,
	   int64_t ret, const char *err, pid_t pid, const char *file, int line);

json_object *rc_one(struct agent *ag, const struct want *w, const char *file, int line);
void rc_none(struct agent *ag, const struct want *w, const char *file, int line);
json_object *rc_call(struct agent *ag, const char *event, const char *sc, const char *outcome,
		     pid_t pid, const char *file, int line);

/*
 * A marker operation of the calling thread (mkdir of a fresh path under dir),
 * waited for: every record of an earlier syscall of this thread is in the log
 * by then, so a missing record really was not written.
 */
void rc_sync(struct agent *ag, const char *dir);

/* Records of ag whose "event" equals event and integer proc.pid equals pid. */
void rc_dump_pid(struct agent *ag, pid_t pid);

#endif
