/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A real OpenSSH login on loopback for the session-origin tests: a
 * throw-away user (shell /bin/bash, a fresh ed25519 key in authorized_keys),
 * Debian's sshd on SSHFX_ADDR:SSHFX_PORT with a private config (its own host
 * key, pid file and log in a temp dir; UsePAM yes, so pam_loginuid sets the
 * login uid and session id), and ssh clients bound to a chosen source
 * address, as that user or as root (with a key only this sshd accepts).
 * Everything is removed by sshfx_stop(); a user left by a killed run is
 * recognised by its GECOS marker and removed by the next start.
 */
#ifndef CAUDIT_SSH_FIXTURE_H
#define CAUDIT_SSH_FIXTURE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define SSHFX_USER "cauditssh"
#define SSHFX_BIN "/usr/sbin/sshd"
#define SSHFX_ADDR "127.0.0.2"
#define SSHFX_PORT 2222
#define SSHFX_CLIENT_MS 120000 /* a client still running after this is killed */

struct sshfx {
	char dir[PATH_MAX];  /* temp dir: keys, sshd config, logs */
	char home[PATH_MAX]; /* the user's home */
	uid_t uid;           /* the user's uid */
	int user_made;
	pid_t sshd_pid;
	int made_run_sshd;   /* we created /run/sshd (removed again) */
	char rundir[64];     /* root-only dir under /run: the root login's keys file */
};

struct sshfx_client {
	const char *src_ip;  /* ssh -b */
	const char *cmd;     /* the remote command */
	int as_root;         /* log in as root instead of SSHFX_USER */
	pid_t pid;
	int out_fd;          /* its stdout; -1 when closed */
	char out[512];
	size_t out_len;
	int status;          /* wait status once finished */
};

/* 1 when sshd and ssh are installed. */
int sshfx_available(void);

/* The user, keys and a listening sshd. 0, or -1 with a message (and sshfx_stop() due). */
int sshfx_start(struct sshfx *f);

/* Stop sshd (by pid), remove the user with its home, /run/sshd if ours, the temp dir. */
void sshfx_stop(struct sshfx *f);

/* Start `ssh -b src_ip user@SSHFX_ADDR cmd`; stdout is read from c->out_fd. -1 on failure. */
int sshfx_client_start(struct sshfx *f, struct sshfx_client *c);

/* Read until c->out holds a full line. 0, or -1 after timeout_ms or EOF. */
int sshfx_client_line(struct sshfx_client *c, int timeout_ms);

/* Read the rest of the output and reap the client (killed after SSHFX_CLIENT_MS). */
void sshfx_client_finish(struct sshfx_client *c);

/* Kill and reap a client that is still running (teardown). */
void sshfx_client_kill(struct sshfx_client *c);

/* Print the client's stderr and sshd's log to stderr (after a failure). */
void sshfx_show_logs(const struct sshfx *f, const struct sshfx_client *c);

#endif
