/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What caudit-forward and caudit-collector say to each other through NATS
 * JetStream (docs/forwarding.md), and the forwarder's checkpoint, which the
 * agent's retention reads too. Pure: no I/O.
 *
 * One subject per host, caudit.log.<host token>; a message is either one
 * line of the host's certs.jsonl or one sealed block (one gzip member,
 * byte for byte as in the segment), with headers:
 *   Nats-Msg-Id     <host>:c:<line index> | <host>:b:<segment first seq>:<block last seq>
 *   Caudit-Kind     cert | block
 *   Caudit-Index    cert: 0-based line of certs.jsonl
 *   Caudit-Segment  block: the segment file name
 *   Caudit-First, Caudit-Last   block: the seq of its first and last record
 * Headers are hints for routing and de-duplication; the collector trusts
 * only what the host's keys verify.
 */
#ifndef CAUDIT_FWD_PROTO_H
#define CAUDIT_FWD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "store_format.h"

#define FWD_SUBJECT_PREFIX "caudit.log."
#define FWD_HOST_MAX 64 /* host name bytes + NUL */
#define FWD_SUBJECT_MAX (sizeof(FWD_SUBJECT_PREFIX) + FWD_HOST_MAX)
#define FWD_MSGID_MAX 128
#define FWD_BLOCK_MAX (8u << 20)       /* compressed bytes of a block sent */
#define FWD_BLOCK_MAX_OUT (256u << 20) /* its decompressed bytes */
#define FWD_CERT_MAX 4096
#define FWD_STATE_FILE "forward.state"
#define FWD_STATE_MAX 1024

#define FWD_H_KIND "Caudit-Kind"
#define FWD_H_INDEX "Caudit-Index"
#define FWD_H_SEGMENT "Caudit-Segment"
#define FWD_H_FIRST "Caudit-First"
#define FWD_H_LAST "Caudit-Last"

enum fwd_kind { FWD_CERT = 1, FWD_BLOCK = 2 };

struct fwd_msg {
	enum fwd_kind kind;
	uint64_t index;			  /* cert */
	char segment[STORE_SEG_NAME_LEN]; /* block */
	uint64_t first, last;		  /* block */
};

/* 1 when h is a usable host name: 1..63 of [A-Za-z0-9._-], no leading '.', no "..". */
int fwd_host_valid(const char *h);
/* caudit.log.<host with '.' as '~'> (a subject token cannot hold '.'). 0 or -EINVAL. */
int fwd_subject(char out[FWD_SUBJECT_MAX], const char *host);
/* The host of a subject; 0 or -EINVAL. */
int fwd_subject_host(const char *subject, char out[FWD_HOST_MAX]);
/* A durable consumer name for the host: caudit-<token>. 0 or -EINVAL. */
int fwd_durable(char out[FWD_SUBJECT_MAX], const char *host);
void fwd_msgid(char out[FWD_MSGID_MAX], const char *host, const struct fwd_msg *m);

/* A strict decimal u64. 0 or -EINVAL. */
int fwd_parse_u64(const char *s, uint64_t *v);
/*
 * The headers of a received message (each may be NULL when absent), checked:
 * 0 with *m, or -EINVAL.
 */
int fwd_msg_parse(struct fwd_msg *m, const char *kind, const char *index, const char *segment,
		  const char *first, const char *last);

/* The forwarder's checkpoint: what the stream acknowledged. */
struct fwd_state {
	uint64_t certs;			  /* certs.jsonl lines acknowledged */
	char segment[STORE_SEG_NAME_LEN]; /* the segment being read ("" : none yet) */
	uint64_t offset;		  /* bytes of it acknowledged */
	uint64_t last_seq;		  /* last seq acknowledged (0: none) */
};

/* "certs N\nsegment NAME\noffset N\nlast_seq N\n"; snprintf's return. */
int fwd_state_format(char *buf, size_t len, const struct fwd_state *st);
/* 0 or -EINVAL. */
int fwd_state_parse(const char *buf, size_t len, struct fwd_state *st);

#endif
