/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Helpers for the store tests (test_store_*.c): an agent that can be killed
 * and restarted on the same log and key directories, an independent reader
 * of the segments (every gzip member, including the unfinished one a kill
 * leaves), and a checker that recomputes the hash chain with libsodium and
 * checks every link, header, key and seal of docs/log-format.md. Nothing
 * here uses cmocka: functions return -1 with a message, the tests assert.
 */
#ifndef CAUDIT_STORE_CHECK_H
#define CAUDIT_STORE_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "store_format.h"

/* ---- an agent on chosen directories ---- */

struct sagent {
	pid_t pid;
	char dir[256];      /* private directory: config, stderr capture */
	char log_dir[320];
	char key_dir[320];
	char conf[320];
	char err_path[320]; /* the agent's stderr, appended to across starts */
};

/*
 * Fill a: dir (existing), log_dir and key_dir (NULL: dir/log, dir/keys).
 * Nothing is started.
 */
void sagent_init(struct sagent *a, const char *dir, const char *log_dir, const char *key_dir);

/* Write the config (log_dir, key_dir, extra lines) and start build/cauditd. 0 or -1. */
int sagent_spawn(struct sagent *a, const char *extra_config);

/*
 * Wait until the newest segment holds this run's agent.start record. 0, or
 * -1 when the agent exited (*status receives its wait status) or timed out.
 */
int sagent_wait_start(struct sagent *a, int timeout_ms, int *status);

/* sagent_spawn + sagent_wait_start. */
int sagent_start(struct sagent *a, const char *extra_config, int timeout_ms);

/* Send sig and reap; the wait status, or -1 when no agent runs. */
int sagent_signal_wait(struct sagent *a, int sig);

/*
 * SIGKILL the agent and wait (up to timeout_ms) until none of its threads has
 * an address space left: from then on it cannot write another byte, although
 * the kernel may need seconds more to release its BPF links. a->pid becomes
 * 0; the returned pid is reaped later with reap_pid. -1 on timeout.
 */
pid_t sagent_kill9_detach(struct sagent *a, int timeout_ms);
/* waitpid(pid, blocking); the wait status or -1. */
int reap_pid(pid_t pid);

/* Wait up to timeout_ms for the agent to exit by itself; its wait status or -1. */
int sagent_wait_exit(struct sagent *a, int timeout_ms);

/* 1 while the agent has not exited. */
int sagent_alive(struct sagent *a);

/* Wait until the captured stderr contains needle. 1 found, 0 timeout. */
int sagent_wait_stderr(struct sagent *a, const char *needle, int timeout_ms);

/* The captured stderr (malloc'd, NUL-terminated; "" when empty). */
char *sagent_stderr(struct sagent *a);

/* ---- a marker generator: a child doing openat(O_CREAT)+unlink in a loop ---- */

/*
 * The generator's process name. Tests record only it (the agent records the
 * whole machine, and other work on it must not fill their logs).
 */
#define GEN_COMM "caudit-gen"
#define GEN_ONLY "include_comms = " GEN_COMM

struct gen {
	pid_t pid;
	volatile uint64_t *done; /* shared: the last counter completed */
	char dir[300];
};

/*
 * Start a child creating and unlinking dir/<prefix><n> for n = 1, 2, ...
 * sleeping pace_us between iterations (0: none). max_ops 0: until stopped.
 */
int gen_start(struct gen *g, const char *dir, const char *prefix, unsigned pace_us,
	      uint64_t max_ops);
/* Stop (SIGKILL) and reap; returns the last counter completed. */
uint64_t gen_stop(struct gen *g);
/* Wait for a generator started with max_ops to finish; the last counter. */
uint64_t gen_join(struct gen *g);

/* ---- reading a log directory ---- */

struct slog_line {
	size_t off;         /* into the segment's text */
	size_t len;         /* without the newline */
	uint32_t seg;       /* index into slog.segs */
	uint8_t sealed;     /* inside a complete gzip member */
	uint8_t member_end; /* the last line of a complete member */
};

struct slog_seg {
	char name[STORE_SEG_NAME_LEN];
	char *text;         /* decompressed */
	size_t text_len;
	size_t first_line;  /* index into slog.lines */
	size_t nlines;
	size_t sealed_lines; /* lines inside complete members */
	size_t torn;        /* bytes after the last newline */
	uint64_t file_size;
	int complete;       /* the file is exactly a sequence of complete members */
};

struct slog {
	struct slog_seg *segs;
	size_t nsegs;
	struct slog_line *lines;
	size_t nlines;
};

/* Every segment of log_dir in name order. 0, or -1 with msg. */
int slog_read(struct slog *l, const char *log_dir, char *msg, size_t msglen);
/* Only the newest segment (l empty when there is none). */
int slog_read_newest(struct slog *l, const char *log_dir, char *msg, size_t msglen);
void slog_free(struct slog *l);

static inline const char *slog_text(const struct slog *l, size_t i)
{
	return l->segs[l->lines[i].seg].text + l->lines[i].off;
}

/* Parse line i strictly (the whole line, one object); NULL otherwise. Caller puts. */
json_object *slog_parse(const struct slog *l, size_t i);

/* ---- certificates ---- */

struct slog_certs {
	struct store_cert *c; /* c[i].epoch == i */
	size_t n;
	char *line0;          /* the first line of certs.jsonl, without newline */
	size_t line0_len;
};

/*
 * Read log_dir/certs.jsonl and check it: one certificate per line, epochs
 * 0, 1, 2 ..., epoch 0 signed by root, epoch i by epoch i-1's key.
 */
int slog_certs_read(struct slog_certs *c, const char *log_dir, const uint8_t root[CRYPTO_PUB_LEN],
		    char *msg, size_t msglen);
void slog_certs_free(struct slog_certs *c);

/* ---- the chain ---- */

enum {
	SLOG_OPEN_TAIL = 1, /* the newest segment may end in an unsealed, unfinished block */
	SLOG_RETAINED = 2,  /* older segments may have been removed by retention */
	SLOG_HEAD_LAGS = 4, /* head.json may name an earlier seal (its rewrite hit a full disk) */
};

struct slog_stats {
	uint64_t first_seq, last_seq;
	size_t seals, late_seals, recovery_seals, keys, restarts, unclean_restarts, gaps;
	size_t retentions;
	uint64_t lost;       /* sum of log.gap lost */
	uint8_t head[32];    /* h(last_seq) */
	char first_prev[STORE_SEG_NAME_LEN]; /* the oldest segment's header prev ("" if null) */
};

/*
 * Recompute the chain over every line of l (crypto_generichash, not the
 * library) and check: each line a JSON object with the seq prefix; seq
 * continuous (from 1 unless SLOG_RETAINED); every prev; every segment header
 * (name, index, prev, prev_last_seq, prev_head, root); every log.key against
 * certs.jsonl; every seal (block bounds, count, head, epoch order, reason,
 * late flag, Ed25519 signature over its "time"); gzip members ending exactly
 * at seals; head.json matching its seal. 0, or -1 with the first problem.
 */
int slog_check(const struct slog *l, const struct slog_certs *certs,
	       const uint8_t root[CRYPTO_PUB_LEN], const char *log_dir, unsigned flags,
	       struct slog_stats *st, char *msg, size_t msglen);

/* Read root.pub, certs and every segment, then slog_check. Convenience for tests. */
int slog_verify_dir(const char *log_dir, const char *key_dir, unsigned flags,
		    struct slog_stats *st, char *msg, size_t msglen);

/* "2026-11-23T19:54:01.123456789Z" -> ns since the Unix epoch. 0 or -1. */
int slog_time_ns(const char *s, uint64_t *ns);

/* ---- caudit verify ---- */

/*
 * Run `caudit verify --pubkey key_dir/root.pub log_dir` when build/caudit
 * exists: 1 with its combined output and exit status; 0 (and a message on
 * stderr) when the binary is not built; -1 when it could not be run.
 */
int run_caudit_verify(const char *key_dir, const char *log_dir, char **output, int *status);

/* The first verdict in output other than "valid" / "unsealed tail", or NULL. */
const char *verify_bad_verdict(const char *output);

/* Whole path helpers */
int rm_tree(const char *path);
uint64_t now_ms_mono(void);

#endif
