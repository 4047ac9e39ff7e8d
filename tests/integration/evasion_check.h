/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Helpers of the evasion tests (test_evasion.c, test_evasion_uring.c): temp
 * paths, waits for exactly one record, exact field checks that print the
 * whole record, and ev_same(), which compares the record of an evasive
 * operation with the record of the same operation done the ordinary way.
 * Include after <cmocka.h>.
 */
#ifndef CAUDIT_EVASION_CHECK_H
#define CAUDIT_EVASION_CHECK_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "harness.h"

#define UNUSED __attribute__((unused))
#define EV_WAIT_MS 15000

/* The agent the helpers read (set by the test's group setup). */
extern struct agent *ev_agent;

/* A fresh root-owned directory, removed by ev_cleanup(). */
const char *ev_new_dir(void);
/* dir/stem-N, unique in this process; freed by ev_cleanup(). */
const char *ev_path(const char *dir, const char *stem);
/* dir/name; freed by ev_cleanup(). */
const char *ev_join(const char *dir, const char *name);
/* A regular file made with mknod(2): no file.open record for it. */
void ev_make_file(const char *path);
/* Remove the directories and free the strings. */
void ev_cleanup(void);

/* A TCP listener on 127.0.0.1 (kernel-chosen port); its address in *addr. */
int ev_listener(struct sockaddr_in *addr);
/* The local port of a socket. */
int ev_local_port(int fd);

/*
 * The only record of `event` (and syscall sc, unless NULL) whose string at
 * key equals value; waits EV_WAIT_MS, fails the test (printing related
 * records) when there is none or more than one.
 */
json_object *ev_wait_one(const char *event, const char *sc, const char *key, const char *value,
			 const char *file, int line);
/* The only record of `event` by process pid. */
json_object *ev_wait_pid(const char *event, pid_t pid, const char *file, int line);
/* The only `event` (net.connect / net.accept) with this src and dst port. */
json_object *ev_wait_net(const char *event, int src_port, int dst_port, const char *file,
			 int line);

void ev_fail(json_object *rec, const char *what, const char *file, int line);
void ev_check_str(json_object *rec, const char *key, const char *want, const char *file,
		  int line);
void ev_check_int(json_object *rec, const char *key, int64_t want, const char *file, int line);
void ev_check_absent(json_object *rec, const char *key, const char *file, int line);
void ev_check_true(json_object *rec, const char *key, const char *file, int line);

#define CHECK_STR(rec, key, want) ev_check_str((rec), (key), (want), __FILE__, __LINE__)
#define CHECK_INT(rec, key, want) ev_check_int((rec), (key), (int64_t)(want), __FILE__, __LINE__)

/*
 * `got` (the evasive path) equals `ref` (the ordinary path) except:
 * got has mark_key ("abi" / "via") = mark_val as the member right after
 * "syscall", and ref has neither "abi" nor "via"; seq, prev and time are not
 * compared; got's string values equal to subst[2i] are read as subst[2i+1]
 * (NULL-terminated list of pairs, or NULL); dotted paths in `ignore`
 * (NULL-terminated, or NULL) are not compared. On a difference both records
 * are printed.
 */
void ev_same(json_object *got, json_object *ref, const char *mark_key, const char *mark_val,
	     const char *const *subst, const char *const *ignore, const char *file, int line);
/* A NULL-terminated list for ev_same(), usable inside a macro's arguments. */
#define EV_LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define EV_SAME(got, ref, mk, mv, subst, ignore) \
	ev_same((got), (ref), (mk), (mv), (subst), (ignore), __FILE__, __LINE__)

#endif
