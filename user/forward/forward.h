/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * caudit-forward (docs/forwarding.md): reads the sealed blocks of a host's
 * log directory as the agent writes them and sends them on, to NATS
 * JetStream (nats.c, the only file that speaks NATS) or as RFC 5424 syslog
 * (syslog.c). The local log is the buffer: what the other side has
 * acknowledged is kept in a checkpoint (reader.c), written atomically, and
 * sending resumes there after any restart or outage.
 */
#ifndef CAUDIT_FORWARD_H
#define CAUDIT_FORWARD_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "fwd_proto.h"

struct fwd_opts {
	char log_dir[PATH_MAX];
	char state_dir[PATH_MAX];
	char host[FWD_HOST_MAX];
	const char *nats_url; /* comma-separated server URLs */
	const char *creds;    /* "user password" file, 0600 */
	const char *tls_ca;   /* CA file: TLS to NATS */
	const char *tls_cert; /* client certificate and key (optional) */
	const char *tls_key;
	const char *syslog; /* host:port: RFC 5424 over TCP instead of NATS */
	unsigned poll_ms;
	int once; /* exit when everything present was sent */
};

/* One output: NATS JetStream or syslog. */
struct fwd_out;

/* nats.c */
int fwd_nats_open(struct fwd_out **out, const struct fwd_opts *o, char *err, size_t errlen);
/* syslog.c */
int fwd_syslog_open(struct fwd_out **out, const struct fwd_opts *o, char *err, size_t errlen);

struct fwd_out_ops {
	/*
	 * Send one message; 0 once the other side has it stored, -EAGAIN when
	 * it could not be confirmed (try again later), other negative errno.
	 */
	int (*send)(struct fwd_out *out, const struct fwd_msg *m, const void *data, size_t len,
		    char *err, size_t errlen);
	void (*close)(struct fwd_out *out);
};

struct fwd_out {
	const struct fwd_out_ops *ops;
};

/* reader.c: the log directory and the checkpoint */
struct fwd_reader;
int fwd_reader_open(struct fwd_reader **out, const struct fwd_opts *o, char *err, size_t errlen);
void fwd_reader_close(struct fwd_reader *r);
/*
 * Send what is new (certificate lines, then complete blocks) through out.
 * Returns the number of messages sent (0: nothing new), -EAGAIN when out
 * could not take one (retry later), other negative errno on a local error.
 */
int fwd_reader_step(struct fwd_reader *r, struct fwd_out *out, char *err, size_t errlen);
/* What the checkpoint says. */
void fwd_reader_state(const struct fwd_reader *r, struct fwd_state *st);

#endif
