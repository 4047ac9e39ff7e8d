/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * How caudit-forward and caudit-collector connect to NATS: one place for the
 * server pool, reconnection, credentials and TLS. Linked into both programs
 * (not into libcaudit: the fuzzers and unit tests do not link libnats).
 */
#ifndef CAUDIT_NATSCONN_H
#define CAUDIT_NATSCONN_H

#include <stddef.h>

#include <nats/nats.h>

struct natsconn_cfg {
	const char *urls;     /* "url1,url2,...": the client fails over between them */
	const char *name;     /* connection name the server shows */
	const char *creds;    /* "user password" file (0600), or NULL */
	const char *tls_ca;   /* CA file: TLS on; NULL: plain */
	const char *tls_cert; /* client certificate and key, or NULL */
	const char *tls_key;
};

/*
 * Fill *out with options for cfg: reconnect forever, every 500 ms. The
 * password is wiped from memory once handed to the client. Returns 0, or a
 * negative errno with err set (*out untouched).
 */
int natsconn_options(natsOptions **out, const struct natsconn_cfg *cfg, char *err, size_t errlen);

#endif
