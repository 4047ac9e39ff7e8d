/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Helpers for the forwarding tests (test_forward*.c): nats-server and
 * rsyslogd started on loopback ports with their own config and data
 * directories, "hosts" whose logs the agent's store writes under their own
 * keys (build/tests/tools/caudit-writelog), caudit-forward and
 * caudit-collector processes, and readers of the archive and of the
 * collector's alerts. No cmocka here: -1 with a message on stderr.
 */
#ifndef CAUDIT_FLEET_H
#define CAUDIT_FLEET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Start argv[0] (a path) with stdout and stderr appended to log. pid or -1. */
pid_t fleet_spawn(const char *log, const char *const argv[]);
/* Kill every process fleet_spawn started that still runs (a failed test's teardown). */
void fleet_cleanup(void);
/* A forwarding test's teardown: fleet_cleanup(), then base removed (kept with CAUDIT_KEEP). */
void fleet_teardown(const char *base);
/* Send sig (SIGTERM, SIGKILL), wait up to 15 s (then SIGKILL). Exit status or -1. */
int fleet_stop(pid_t pid, int sig);
/* A free TCP port on 127.0.0.1. */
int fleet_port(void);
/* 0 once 127.0.0.1:port accepts connections within timeout_ms, else -1. */
int fleet_wait_port(int port, int timeout_ms);
/* 1 when the file contains s. */
int fleet_file_has(const char *path, const char *s);
/* Write a whole file (mode 0600). 0 or -1. */
int fleet_write_file(const char *path, const char *text);

struct natsd {
	pid_t pid;
	int port;
	char dir[300];
	char conf[340];
	char log[340];
};

/*
 * A nats-server with JetStream in dir (created), listening on a free
 * loopback port, with extra config text (authorization, cluster, tls) and
 * "NAME" as server name. 0 or -1.
 */
int natsd_start(struct natsd *n, const char *dir, const char *name, const char *extra);
/* Start again with the same config and data. */
int natsd_restart(struct natsd *n);
void natsd_stop(struct natsd *n);

/* authorization block: users h (publish caudit.log.h only) and "collector" (all). */
char *fleet_auth_conf(const char *const hosts[], size_t n);

struct fhost {
	char name[64];
	char dir[300];
	char log_dir[340], key_dir[340], state_dir[340], creds[340], fwd_log[340];
	pid_t writer, fwd;
};

/* keygen into dir/keys, root.pub copied to trusted/<name>.pub (trusted NULL: not enrolled). */
int fhost_init(struct fhost *h, const char *base, const char *name, const char *trusted);
/* Write events at rate (0: at once) with the store; args: more writer options (NULL end). */
pid_t fhost_write(struct fhost *h, uint64_t events, uint64_t rate, const char *extra[]);
/* Run the writer to the end. 0 or -1. */
int fhost_write_all(struct fhost *h, uint64_t events, uint64_t rate, const char *extra[]);
/* Start caudit-forward to url with the host's creds ("" : none) and extra flags. */
pid_t fhost_forward(struct fhost *h, const char *url, const char *extra[]);

struct collector {
	pid_t pid;
	char log[340];
};
/* caudit-collector with --no-fsync and extra flags (NULL end). */
int collector_start(struct collector *c, const char *url, const char *trusted, const char *archive,
		    const char *instance, const char *extra[]);
void collector_stop(struct collector *c, int sig);

/* The last seq and record count of a log directory as `caudit verify` sees it; passed: 1. */
int fleet_verify(const char *dir, const char *pubkey, uint64_t *records, uint64_t *last_seq);
/* Wait until archive/<host> reaches last_seq (timeout_ms). 0 or -1. */
int fleet_wait_archive(const char *archive, const char *host, const char *pubkey, uint64_t last_seq,
		       int timeout_ms);
/* Alerts of the collector's log (archive/.collector/log) of kind for host ("" any). */
int fleet_alerts(const char *archive, const char *kind, const char *host);
/* Wait until at least one such alert (timeout_ms). 1 found, 0 not. */
int fleet_wait_alert(const char *archive, const char *kind, const char *host, int timeout_ms);

#endif
