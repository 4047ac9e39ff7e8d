/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cauditd configuration: `key = value` lines, '#' comments, blank lines.
 * Table-driven; every error names file:line. Pure parsing (config_parse)
 * does no I/O; config_load reads a file (bounded size) and calls it.
 */
#ifndef CAUDIT_CONFIG_H
#define CAUDIT_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <limits.h>

#define CONFIG_MAX_LIST 64      /* entries in a uid or comm list */
#define CONFIG_MAX_FILE (1 << 20) /* largest config file accepted */
#define CONFIG_URLS_MAX 1024      /* forward_nats */

/* What to do when the log disk runs low or fails (auditd.conf's choices). */
enum config_action {
	CONFIG_ACTION_IGNORE = 0,  /* keep going, count what is lost */
	CONFIG_ACTION_SYSLOG = 1,  /* ... and say so in the journal */
	CONFIG_ACTION_SUSPEND = 2, /* stop writing, count, retry every 30 s */
	CONFIG_ACTION_ROTATE = 3,  /* remove the oldest segments, retry */
	CONFIG_ACTION_HALT = 4,    /* stop the agent (exit status 1) */
};

/* "ignore", "syslog", ... or NULL */
const char *config_action_name(int action);

struct ca_config {
	char log_dir[PATH_MAX];          /* log_dir, default /var/log/caudit */
	char key_dir[PATH_MAX];          /* key_dir, default /var/lib/caudit/keys */
	char log_group[64];              /* log_group: group of log files, default root */
	char pin_dir[PATH_MAX];          /* pin_dir: bpffs directory of the pins, "" = no pins */
	char status_socket[PATH_MAX];    /* status_socket: unix socket of caudit status, "" = none */
	char status_group[64];           /* status_group: group (besides root) allowed to ask */
	uint32_t test_stop_watchdog_after; /* test only: stop WATCHDOG=1 after N s, 0 = never */
	char encrypt_to[PATH_MAX];       /* encrypt_to: auditor's X25519 public key file, "" = off */
	char host_name[64];              /* host_name: the log's host name, "" = gethostname */
	char rules[PATH_MAX];            /* rules: rule file or directory, or "all" */
	char forward_state[PATH_MAX];    /* forward_state: caudit-forward's state dir, "" = none */
	char forward_nats[CONFIG_URLS_MAX]; /* forward_nats: caudit-forward's NATS URLs */
	char forward_creds[PATH_MAX];    /* forward_creds: its "user password" file */
	char forward_tls_ca[PATH_MAX];   /* forward_tls_ca: CA file, TLS on */
	char forward_tls_cert[PATH_MAX]; /* forward_tls_cert / forward_tls_key: client cert */
	char forward_tls_key[PATH_MAX];
	uint32_t seal_records;           /* seal_records: 1..1000000; default 1000 */
	uint32_t seal_interval;          /* seal_interval: seconds 1..3600; default 10 */
	uint32_t epoch_interval;         /* epoch_interval: seconds 1..86400; default 900 */
	int fsync_seals;                 /* fsync: fsync at every seal; default yes */
	uint64_t rotate_size;            /* rotate_size: bytes 4K..16G; default 64M */
	uint32_t rotate_age;             /* rotate_age: seconds, 0 = never; default 3600 */
	uint64_t retention_size;         /* retention_size: bytes of segments, 0 = no limit */
	uint32_t retention_age;          /* retention_age: seconds, 0 = no limit */
	uint32_t retention_segments;     /* retention_segments: count, 0 = no limit */
	uint64_t space_left;             /* space_left: free bytes below which to warn; 75M */
	int space_left_action;           /* space_left_action: default syslog */
	uint64_t admin_space_left;       /* admin_space_left: free bytes; default 50M */
	int admin_space_left_action;     /* admin_space_left_action: default suspend */
	int disk_full_action;            /* disk_full_action: default suspend */
	int disk_error_action;           /* disk_error_action: default suspend */
	uint64_t ring_buffer_size;       /* ring_buffer_size: bytes, power of 2, 4096..1 GiB; default 16 MiB */
	uint64_t wakeup_bytes;           /* wakeup_bytes: 0..ring size; default 262144 */
	uint32_t poll_interval_ms;       /* poll_interval_ms: 1..1000; default 10 */
	uint32_t args_max;               /* args_max: 64..8192; default 4096 */
	uint32_t pending_max;            /* pending_max: 1024..1048576; default 16384 */
	uint32_t loss_report_interval;   /* loss_report_interval: seconds 1..3600; default 5 */
	int capture_read_opens;          /* capture_read_opens: yes|no|true|false|1|0; default no */
	uint32_t include_uids[CONFIG_MAX_LIST]; /* include_uids: comma list of uids or user names */
	unsigned n_include_uids;
	uint32_t exclude_uids[CONFIG_MAX_LIST]; /* exclude_uids */
	unsigned n_exclude_uids;
	char include_comms[CONFIG_MAX_LIST][16]; /* include_comms: comma list, each 1..15 chars */
	unsigned n_include_comms;
	char exclude_comms[CONFIG_MAX_LIST][16]; /* exclude_comms */
	unsigned n_exclude_comms;
	char login_services[CONFIG_MAX_LIST][16]; /* login_services: comms; default sshd */
	unsigned n_login_services;
	uint32_t udp_sends_per_sec;      /* udp_sends_per_sec: 1..100000; default 20 */
	int capture_ia32;                /* capture_ia32: 32-bit syscalls; default yes */
};

/* Fill c with the documented defaults. */
void config_defaults(struct ca_config *c);

/*
 * Resolve a user name to a uid. The parser calls this for non-numeric list
 * entries; config_parse takes it as a parameter so tests need no NSS.
 * Returns 0 and sets *uid, or -ENOENT.
 */
typedef int (*config_user_lookup_fn)(const char *name, uint32_t *uid);

/*
 * Parse text (len bytes, need not be NUL-terminated) named `name` into c,
 * over whatever c holds (call config_defaults first). Returns 0, or -EINVAL
 * with err holding "name:line: message" (e.g. "cauditd.conf:7: unknown key
 * 'lgo_dir'", "x.conf:3: ring_buffer_size: 1000 is not a power of two").
 * Duplicate keys are errors. Lookup may be NULL (names are then errors).
 */
int config_parse(struct ca_config *c, const char *name, const char *text, size_t len,
		 config_user_lookup_fn lookup, char *err, size_t errlen);

/* Read path (at most CONFIG_MAX_FILE bytes) and config_parse it with NSS lookups. */
int config_load(struct ca_config *c, const char *path, char *err, size_t errlen);

#endif
