/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* TLS client of the syslog output (syslog_tls.c, the only OpenSSL user). */
#ifndef CAUDIT_SYSLOG_TLS_H
#define CAUDIT_SYSLOG_TLS_H

#include <stddef.h>

struct syslog_tls;

/*
 * A TLS client that trusts the certificates of the CA file ca (PEM) and,
 * when cert and key are given, presents that client certificate. 0, or
 * negative errno with err set (a file that cannot be read or parsed, a key
 * readable by group or others, a key that does not match the certificate).
 */
int syslog_tls_new(struct syslog_tls **out, const char *ca, const char *cert, const char *key,
		   char *err, size_t errlen);
/*
 * Handshake over the connected socket fd; the server's certificate must
 * chain to the CA and name node (host name or IP address). 0, or
 * -ECONNREFUSED with the reason in err. The caller keeps and closes fd.
 */
int syslog_tls_connect(struct syslog_tls *t, int fd, const char *node, char *err, size_t errlen);
/* Write all of buf in the session. 0, or -EIO with err set (then disconnect). */
int syslog_tls_write(struct syslog_tls *t, const void *buf, size_t len, char *err, size_t errlen);
/* End the session (close_notify); the socket stays open. NULL-safe. */
void syslog_tls_disconnect(struct syslog_tls *t);
void syslog_tls_free(struct syslog_tls *t);

#endif
