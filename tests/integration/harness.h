/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Integration harness: runs the real build/cauditd with a private config and
 * log directory, and reads back what it wrote, record by record, with json-c.
 * Tests trigger operations with raw syscall(2) and unique markers, then wait
 * (with a deadline, never a bare sleep) for the matching record.
 */
#ifndef CAUDIT_HARNESS_H
#define CAUDIT_HARNESS_H

#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>
#include <zlib.h>

#define HARNESS_MAX_RECORDS 2000000

struct agent {
	pid_t pid;
	char dir[256];        /* private directory: config, log/, keys/ */
	char log_path[320];   /* dir/log: segments seg-*.jsonl.gz */
	char conf_path[320];
	/* reader: the segment being followed, inflated as it grows */
	int seg_fd;
	char seg_name[64];
	z_stream z;
	int z_ready;
	char *partial;        /* unterminated tail of the last read */
	size_t partial_len;
	json_object **recs;   /* every record read so far, in order */
	size_t nrecs;
	size_t bad_lines;     /* lines that did not parse (must stay 0) */
	size_t cap;
};

/* Path of a built binary ("cauditd") from $CAUDIT_BUILD (default "build"). */
const char *harness_bin(const char *name, char *buf, size_t len);

/* 1 when the process can load BPF (root); tests skip() otherwise. */
int harness_can_run(void);

/*
 * Config lines that switch pinning and the status socket off unless
 * extra_config sets pin_dir / status_socket itself.
 */
void harness_service_defaults(FILE *f, const char *extra_config);

/*
 * Start cauditd with the shipped defaults plus `extra_config` lines (may be
 * NULL), logging into a fresh private directory, and wait until its
 * agent.start record is in the log. 0 or -1 (message on stderr).
 */
int agent_start(struct agent *a, const char *extra_config);

/* SIGTERM, wait for exit, read the rest of the log. Returns the exit status or -1. */
int agent_stop(struct agent *a);

/*
 * Every segment decompressed and concatenated, in order (malloc'd; the
 * caller frees). For tests that check the raw bytes of the log.
 */
char *agent_raw_log(struct agent *a, size_t *len);

/* Free records and remove the private directory. */
void agent_cleanup(struct agent *a);

/* Read whatever new complete lines the log has (across rotations). Returns how many. */
size_t agent_poll(struct agent *a);

typedef int (*record_match_fn)(json_object *rec, void *arg);

/*
 * First record (from index `from`) for which match returns non-zero, reading
 * new lines until timeout_ms passes. NULL on timeout. The record stays owned
 * by the agent. *index receives its position when index != NULL.
 */
json_object *agent_wait(struct agent *a, size_t from, record_match_fn match, void *arg,
			int timeout_ms, size_t *index);

/* Records (of all read so far) that match. */
size_t agent_count(struct agent *a, record_match_fn match, void *arg);

/*
 * Wait for a record whose "event" equals event (NULL: any) and whose string
 * field at dotted path `field` (e.g. "file.path") equals value.
 */
json_object *agent_wait_field(struct agent *a, const char *event, const char *field,
			      const char *value, int timeout_ms);

#define WANT_MAX 4

/* A record whose event and listed string / integer members all equal. */
struct want {
	const char *event;          /* NULL: any */
	const char *skey[WANT_MAX]; /* dotted paths of string members */
	const char *sval[WANT_MAX];
	const char *ikey[WANT_MAX]; /* dotted paths of integer members */
	int64_t ival[WANT_MAX];
};

/* record_match_fn for struct want */
int match_want(json_object *rec, void *arg);

/* Dotted-path access ("proc.exe", "user.uid", "proc.args.2"); NULL if absent. */
json_object *jget(json_object *o, const char *path);
const char *jstr(json_object *o, const char *path);   /* NULL unless a string */
int64_t jint(json_object *o, const char *path);       /* INT64_MIN unless an int */
int jis_null(json_object *o, const char *path);       /* present and null */
int jarray_has(json_object *arr, const char *s);      /* arr (may be NULL) holds string s */

/* mkdtemp under /tmp with a recognisable prefix; out receives the path. */
int harness_tmpdir(char *out, size_t len);

/*
 * A 32-bit syscall from this 64-bit process. The kernel takes the number in
 * eax and arguments in ebx, ecx, edx (only the low 32 bits), and returns
 * -errno in eax. r8-r11 are declared clobbered: older kernels did not keep
 * them across int $0x80.
 */
long harness_int80(long nr, long a, long b, long c);

/* Sleep ms milliseconds (restarting after signals). */
void sleep_ms(unsigned ms);

/* printf into a malloc'd string (aborts on failure). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
