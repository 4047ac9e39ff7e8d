// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TLS for the forwarder's syslog output (RFC 5425 style: the octet-counted
 * frames of syslog.c inside a TLS session). The only file that calls
 * OpenSSL. The server must present a certificate that chains to the CA file
 * given (--tls-ca / forward_tls_ca) and names the host we connected to
 * (DNS name, or IP address when we connected to one); anything else ends
 * the handshake with the verifier's reason. A client certificate and key
 * are optional (servers that authenticate their senders); the key file is
 * refused when group or others may read it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "syslog_tls.h"

/* SSL_write takes an int: large blocks go in pieces of this size */
#define TLS_CHUNK (1u << 20)
/* a PEM private key is a few KiB at most */
#define KEY_MAX 65536
/* how long to listen for the server's verdict on our certificate (TLS 1.3) */
#define VERDICT_MS 300

struct syslog_tls {
	SSL_CTX *ctx;
	SSL *ssl;
};

/* The most recent OpenSSL error as text ("unknown" when the queue is empty). */
static const char *ossl_err(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (!e)
		return "unknown error";
	ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

/*
 * The client key: a regular file only its owner may read (like creds), read
 * into a buffer that is wiped afterwards.
 */
static int load_key(SSL_CTX *ctx, const char *path, char *err, size_t errlen)
{
	char e[256], buf[KEY_MAX];
	size_t len = 0;
	struct stat st;
	EVP_PKEY *pk = NULL;
	BIO *bio;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "tls key %s: %s", path, strerror(errno));
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		snprintf(err, errlen,
			 "tls key %s: must be a regular file readable only by its owner "
			 "(chmod 600)",
			 path);
		close(fd);
		return -EPERM;
	}
	while (len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = -errno;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (r || len == sizeof(buf)) {
		explicit_bzero(buf, sizeof(buf));
		snprintf(err, errlen, "tls key %s: %s", path,
			 r ? strerror(-r) : "larger than 64 KiB");
		return r ? r : -EFBIG;
	}
	bio = BIO_new_mem_buf(buf, (int)len);
	if (bio)
		pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	explicit_bzero(buf, sizeof(buf));
	if (!pk) {
		snprintf(err, errlen, "tls key %s: no private key: %s", path,
			 ossl_err(e, sizeof(e)));
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey(ctx, pk) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "tls key %s: does not match the certificate: %s", path,
			 ossl_err(e, sizeof(e)));
		r = -EINVAL;
	}
	EVP_PKEY_free(pk);
	return r;
}

int syslog_tls_new(struct syslog_tls **out, const char *ca, const char *cert, const char *key,
		   char *err, size_t errlen)
{
	struct syslog_tls *t;
	char e[256];
	int r = -EINVAL;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	ERR_clear_error();
	t->ctx = SSL_CTX_new(TLS_client_method());
	if (!t->ctx) {
		snprintf(err, errlen, "tls: %s", ossl_err(e, sizeof(e)));
		goto fail;
	}
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(t->ctx, ca, NULL) != 1) {
		snprintf(err, errlen, "tls ca %s: cannot load: %s", ca, ossl_err(e, sizeof(e)));
		goto fail;
	}
	if (cert && SSL_CTX_use_certificate_chain_file(t->ctx, cert) != 1) {
		snprintf(err, errlen, "tls cert %s: cannot load: %s", cert, ossl_err(e, sizeof(e)));
		goto fail;
	}
	if (key && (r = load_key(t->ctx, key, err, errlen)))
		goto fail;
	*out = t;
	return 0;
fail:
	syslog_tls_free(t);
	return r;
}

/*
 * In TLS 1.3 the client's handshake ends before the server has checked the
 * client certificate: a server that refuses it sends an alert afterwards,
 * and syslog has no acknowledgement that would notice. Listen briefly for
 * such an alert (session tickets are read and ignored) so that a refused
 * certificate is an error, not silently dropped blocks. 0 or -1 with err.
 */
static int await_verdict(SSL *ssl, int fd, char *err, size_t errlen)
{
	int fl = fcntl(fd, F_GETFL), r = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[256], e[256];

	if (SSL_version(ssl) < TLS1_3_VERSION || fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return 0;
	while (poll(&p, 1, VERDICT_MS) > 0) {
		int n = SSL_read(ssl, buf, sizeof(buf)), se = SSL_get_error(ssl, n);

		if (n > 0 || se == SSL_ERROR_WANT_READ || se == SSL_ERROR_WANT_WRITE)
			continue; /* a ticket (or data a syslog server should not send) */
		snprintf(err, errlen, "TLS handshake: the server refused the connection: %s",
			 se == SSL_ERROR_ZERO_RETURN ? "closed" : ossl_err(e, sizeof(e)));
		r = -1;
		break;
	}
	fcntl(fd, F_SETFL, fl);
	return r;
}

int syslog_tls_connect(struct syslog_tls *t, int fd, const char *node, char *err, size_t errlen)
{
	unsigned char addr[16];
	char e[256];
	long v;

	syslog_tls_disconnect(t);
	ERR_clear_error();
	t->ssl = SSL_new(t->ctx);
	if (!t->ssl || SSL_set_fd(t->ssl, fd) != 1) {
		snprintf(err, errlen, "tls: %s", ossl_err(e, sizeof(e)));
		goto fail;
	}
	/* the certificate must name what we connected to: an address or a host name */
	if (inet_pton(AF_INET, node, addr) == 1 || inet_pton(AF_INET6, node, addr) == 1) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), node) != 1) {
			snprintf(err, errlen, "tls: %s", ossl_err(e, sizeof(e)));
			goto fail;
		}
	} else if (SSL_set1_host(t->ssl, node) != 1 ||
		   SSL_set_tlsext_host_name(t->ssl, node) != 1) {
		snprintf(err, errlen, "tls: %s", ossl_err(e, sizeof(e)));
		goto fail;
	}
	if (SSL_connect(t->ssl) != 1) {
		v = SSL_get_verify_result(t->ssl);
		if (v != X509_V_OK)
			snprintf(err, errlen, "TLS handshake: server certificate refused: %s",
				 X509_verify_cert_error_string(v));
		else
			snprintf(err, errlen, "TLS handshake failed: %s", ossl_err(e, sizeof(e)));
		goto fail;
	}
	if (await_verdict(t->ssl, fd, err, errlen))
		goto fail;
	return 0;
fail:
	ERR_clear_error();
	SSL_free(t->ssl);
	t->ssl = NULL;
	return -ECONNREFUSED;
}

int syslog_tls_write(struct syslog_tls *t, const void *buf, size_t len, char *err, size_t errlen)
{
	const char *p = buf;
	char e[256];

	while (len) {
		int n = (int)(len < TLS_CHUNK ? len : TLS_CHUNK), w;

		ERR_clear_error();
		w = SSL_write(t->ssl, p, n);
		if (w <= 0) {
			int se = SSL_get_error(t->ssl, w);

			if (se == SSL_ERROR_SYSCALL && errno)
				snprintf(err, errlen, "tls: %s", strerror(errno));
			else
				snprintf(err, errlen, "tls: %s", ossl_err(e, sizeof(e)));
			return -EIO;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

void syslog_tls_disconnect(struct syslog_tls *t)
{
	if (!t || !t->ssl)
		return;
	/* close_notify, no wait for the peer's: the caller closes the socket */
	SSL_shutdown(t->ssl);
	SSL_free(t->ssl);
	t->ssl = NULL;
	ERR_clear_error();
}

void syslog_tls_free(struct syslog_tls *t)
{
	if (!t)
		return;
	syslog_tls_disconnect(t);
	SSL_CTX_free(t->ctx);
	free(t);
}
