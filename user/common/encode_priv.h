/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Pieces of the schema v1 encoder shared by encode.c (records, process,
 * user, file) and encode_ops.c (network, privilege, system, signal).
 */
#ifndef CAUDIT_ENCODE_PRIV_H
#define CAUDIT_ENCODE_PRIV_H

#include "encode.h"
#include "syscall_table.h"

/*
 * A path member from string slot `slot` (and its base directory in
 * slot + 1): kernel paths as they are, user strings made absolute; null
 * when the slot is absent.
 */
void encode_path(struct jsonw *w, const char *key, const struct ca_decoded *d, int slot,
		 int kernel);

/* A user or group id; 4294967295 is written -1 as auditd does. */
void encode_id(struct jsonw *w, const char *key, uint32_t id);

/* "category" of an event name: its prefix ("net" is "network"). */
const char *encode_category(const char *event);

/* "origin" member when the process has a session origin. */
void encode_origin(struct jsonw *w, const struct ca_origin *o);

/* The body of CA_SC_NET, CA_SC_CRED, CA_SC_SYS and CA_SC_KILL records. */
void encode_net(struct jsonw *w, const struct ca_decoded *d, const struct ca_syscall_info *si);
void encode_cred(struct jsonw *w, const struct ca_decoded *d);
void encode_sys(struct jsonw *w, const struct ca_decoded *d, const struct ca_syscall_info *si);

/* The "signal" member of a CA_EV_SIGNAL record. */
void encode_signal(struct jsonw *w, const struct enc_ctx *c, const struct ca_decoded *d);

#endif
