/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * caudit-collector (docs/forwarding.md): consumes the hosts' sealed blocks
 * from NATS JetStream, verifies each host's chain on arrival with the
 * verifier's streaming API (verify_stream.h) and the host's enrolled root
 * key, archives the blocks byte for byte in the log layout (so `caudit
 * verify` reads the archive), and raises alerts in its own signed log.
 *
 *   main.c   options, the loop: leases, fetching, silence checks
 *   nats.c   the only file that speaks NATS: stream, consumers, leases (KV)
 *   host.c   one host: archive, verification, de-duplication, checkpoint
 *   alert.c  alerts: the collector's own signed log (the agent's store) + journal
 */
#ifndef CAUDIT_COLLECTOR_H
#define CAUDIT_COLLECTOR_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "fwd_proto.h"

/* A dead instance's unacknowledged messages are delivered again after this. */
#define COLL_ACK_WAIT_S 5
/* A block that comes after a gap waits this long for the missing ones (redelivery). */
#define COLL_GAP_GRACE_NS ((COLL_ACK_WAIT_S + 3) * 1000000000LL)

struct coll_opts {
	const char *nats_url;
	const char *creds;
	const char *tls_ca, *tls_cert, *tls_key;
	char trusted_dir[PATH_MAX];
	char archive_dir[PATH_MAX];
	char alert_dir[PATH_MAX]; /* the collector's own signed log */
	char key_dir[PATH_MAX];	  /* its keys */
	char instance[96];	  /* this collector's name in the leases */
	const char *stream;	  /* JetStream stream, default CAUDIT */
	unsigned replicas;
	unsigned seal_interval;	 /* the hosts' seal_interval, seconds */
	unsigned silence_factor; /* silent after factor * seal_interval */
	unsigned lease_ttl;	 /* seconds */
	unsigned dup_window;	 /* seconds */
	int fsync;
};

/* ---- nats.c ---- */
struct coll_nats;
struct coll_sub;

struct coll_msg {
	const char *subject;
	const void *data;
	size_t len;
	uint64_t stream_seq;
	uint64_t delivered; /* times the server delivered it (1: first time) */
	/* headers, NULL when absent */
	const char *kind, *index, *segment, *first, *last;
};

int coll_nats_open(struct coll_nats **out, const struct coll_opts *o, char *err, size_t errlen);
void coll_nats_close(struct coll_nats *n);
/* 1 when the lease on key is ours (taken or renewed; *rev follows it), 0 when another holds it. */
int coll_lease(struct coll_nats *n, const char *key, uint64_t *rev);
void coll_lease_release(struct coll_nats *n, const char *key, uint64_t rev);
/* The durable pull consumer of host (NULL: every host's subject). */
int coll_sub_open(struct coll_nats *n, const char *host, struct coll_sub **out, char *err,
		  size_t errlen);
void coll_sub_close(struct coll_sub *s);
/*
 * Up to batch messages that are there now, each handed to fn; those it
 * returns 0 for are acknowledged once flush(opaque) returned 0. Returns the
 * number handled, or negative errno.
 */
int coll_sub_fetch(struct coll_sub *s, int batch, int (*fn)(void *opaque, const struct coll_msg *m),
		   int (*flush)(void *opaque), void *opaque);

/* ---- alert.c ---- */
enum coll_alert_kind {
	ALERT_CHAIN_BROKEN, /* a record modified, inserted, reordered; a bad seal */
	ALERT_SEQ_GAP,	    /* records or segments missing */
	ALERT_UNCERTIFIED,  /* key not certified by the chain */
	ALERT_UNKNOWN_HOST, /* a subject without an enrolled key */
	ALERT_UNKNOWN_ROOT, /* a log made under another root key */
	ALERT_REPLAY,	    /* an old block received again as a new message */
	ALERT_SILENT,	    /* nothing for silence_factor * seal_interval */
	ALERT_MALFORMED,    /* a message that is not a block or certificate */
};

struct coll_alerts;
int coll_alerts_open(struct coll_alerts **out, const struct coll_opts *o, char *err, size_t errlen);
void coll_alerts_close(struct coll_alerts *a);
/* Timers of the signed log (seals). */
void coll_alerts_tick(struct coll_alerts *a);
void coll_alert(struct coll_alerts *a, enum coll_alert_kind kind, const char *host, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));
const char *coll_alert_name(enum coll_alert_kind kind);

/* ---- host.c ---- */
struct coll_host;
/* Load the host's archive (verifying it again) and checkpoint. */
int coll_host_open(struct coll_host **out, const struct coll_opts *o, const char *name,
		   const uint8_t root[CRYPTO_PUB_LEN], struct coll_alerts *alerts, char *err,
		   size_t errlen);
void coll_host_close(struct coll_host *h);
/* One message of the host's subject; 0 (acknowledge) or negative errno (retry). */
int coll_host_message(struct coll_host *h, const struct coll_msg *m);
/* Make what was archived durable and save the checkpoint: 0 or negative errno. */
int coll_host_flush(struct coll_host *h);
/* Silence check, with the monotonic time now. */
void coll_host_check_silence(struct coll_host *h, int64_t now_ns);
uint64_t coll_host_last_seq(const struct coll_host *h);
/* 1 after a failed archive write: the host must be closed and opened again. */
int coll_host_broken(const struct coll_host *h);

#endif
