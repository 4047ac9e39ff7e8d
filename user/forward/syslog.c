// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The forwarder's syslog output: every record of a sealed block as one RFC
 * 5424 message over TCP with octet-counting framing (RFC 6587 3.4.1), for
 * rsyslog, syslog-ng or a SIEM:
 *
 *   LEN SP <110>1 TIME HOST caudit - EVENT [caudit@32473 seq="N" prev="16 hex"
 *       segment="seg-..." seal="S"] {"schema":1,"seq":N,...}
 *
 * PRI 110 is facility log audit (13), severity informational. The chain
 * position in structured data lets the receiver place the record in the
 * host's signed log (seal: the seq of the seal that covers it); the record
 * itself is the message, byte for byte, so it can be checked against the
 * archive. A block counts as sent once the kernel accepted all its bytes.
 * With a CA file (--tls-ca) the frames go inside TLS (syslog_tls.c, RFC
 * 5425's transport); without one, plain TCP.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

#include "forward.h"
#include "store_format.h"
#include "syslog_tls.h"

#define SYSLOG_PEN "32473" /* the example enterprise number of RFC 5612 */
#define SYSLOG_PRI 110
#define HDR_MAX 512
/* a server that accepts but never answers the TLS handshake does not hang us */
#define IO_TIMEOUT_S 15

struct fwd_syslog {
	struct fwd_out base;
	char host[FWD_HOST_MAX];
	char node[256], port[16];
	int fd;
	struct syslog_tls *tls; /* NULL: plain TCP */
	char *out; /* the framed messages of one block */
	size_t len, cap;
};

static void disconnect(struct fwd_syslog *s)
{
	syslog_tls_disconnect(s->tls);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* TCP, then the TLS handshake when configured. 0, or -EAGAIN with err set. */
static int connect_to(struct fwd_syslog *s, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai, *a;
	struct timeval tv = {.tv_sec = IO_TIMEOUT_S};
	char why[512];
	int fd = -1;

	if (getaddrinfo(s->node, s->port, &hints, &ai)) {
		snprintf(err, errlen, "syslog %s:%s: cannot resolve %s", s->node, s->port, s->node);
		return -EAGAIN;
	}
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		if (!connect(fd, a->ai_addr, a->ai_addrlen))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		snprintf(err, errlen, "syslog %s:%s: cannot connect", s->node, s->port);
		return -EAGAIN;
	}
	s->fd = fd;
	if (!s->tls)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (syslog_tls_connect(s->tls, fd, s->node, why, sizeof(why))) {
		snprintf(err, errlen, "syslog %s:%s: %s", s->node, s->port, why);
		disconnect(s);
		return -EAGAIN;
	}
	return 0;
}

static int grow(struct fwd_syslog *s, size_t need)
{
	char *p;
	size_t cap;

	if (s->len + need <= s->cap)
		return 0;
	cap = s->cap ? s->cap : 65536;
	while (cap < s->len + need)
		cap *= 2;
	p = realloc(s->out, cap);
	if (!p)
		return -ENOMEM;
	s->out = p;
	s->cap = cap;
	return 0;
}

/* A JSON string member's value near the start of a record, copied when plain. */
static void field(const char *l, size_t n, const char *key, char *out, size_t olen, size_t lim)
{
	char pat[32];
	const char *p;
	size_t i;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	strcpy(out, "-");
	p = memmem(l, n < lim ? n : lim, pat, strlen(pat));
	if (!p)
		return;
	p += strlen(pat);
	for (i = 0; p + i < l + n && i < olen - 1 && p[i] != '"'; i++)
		if (p[i] == '\\' || p[i] == ' ' || (unsigned char)p[i] < 0x21 || p[i] == ']')
			return;
	if (p + i < l + n && p[i] == '"' && i) {
		memcpy(out, p, i);
		out[i] = 0;
	}
}

static int add_record(struct fwd_syslog *s, const struct fwd_msg *m, const char *l, size_t n)
{
	char hdr[HDR_MAX], time[48], event[64], prev[STORE_PREV_HEX + 1] = "-", num[24];
	uint64_t seq = 0;
	int h;

	field(l, n, "time", time, sizeof(time), 160);
	field(l, n, "event", event, sizeof(event), 1024);
	field(l, n, "prev", prev, sizeof(prev), 60);
	store_record_seq(l, n, &seq);
	h = snprintf(hdr, sizeof(hdr),
		     "<%d>1 %s %s caudit - %s [caudit@" SYSLOG_PEN
		     " seq=\"%llu\" prev=\"%s\" segment=\"%s\" seal=\"%llu\"] ",
		     SYSLOG_PRI, time, s->host, event, (unsigned long long)seq, prev, m->segment,
		     (unsigned long long)m->last);
	if (h < 0 || h >= (int)sizeof(hdr))
		return -EINVAL;
	snprintf(num, sizeof(num), "%zu ", (size_t)h + n);
	if (grow(s, strlen(num) + (size_t)h + n))
		return -ENOMEM;
	memcpy(s->out + s->len, num, strlen(num));
	s->len += strlen(num);
	memcpy(s->out + s->len, hdr, (size_t)h);
	s->len += (size_t)h;
	memcpy(s->out + s->len, l, n);
	s->len += n;
	return 0;
}

/* Inflate the block into framed messages, one per line. */
static int frame_block(struct fwd_syslog *s, const struct fwd_msg *m, const void *data, size_t len)
{
	char *plain = NULL, *p, *end;
	size_t cap = 0, got = 0;
	z_stream zs;
	int zr, r = 0;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	zs.next_in = (unsigned char *)(uintptr_t)data;
	zs.avail_in = (unsigned)len;
	do {
		if (got == cap) {
			char *np;

			cap = cap ? cap * 2 : 1u << 18;
			np = cap <= FWD_BLOCK_MAX_OUT ? realloc(plain, cap) : NULL;
			if (!np) {
				r = -EMSGSIZE;
				break;
			}
			plain = np;
		}
		zs.next_out = (unsigned char *)plain + got;
		zs.avail_out = (unsigned)(cap - got);
		zr = inflate(&zs, Z_NO_FLUSH);
		got = cap - zs.avail_out;
	} while (zr == Z_OK);
	inflateEnd(&zs);
	if (!r && zr != Z_STREAM_END)
		r = -EBADMSG;
	for (p = plain, end = plain + got; !r && p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);

		r = add_record(s, m, p, k);
		p += k + 1;
	}
	free(plain);
	return r;
}

static int syslog_send(struct fwd_out *out, const struct fwd_msg *m, const void *data, size_t len,
		       char *err, size_t errlen)
{
	struct fwd_syslog *s = (struct fwd_syslog *)out;
	size_t off = 0;
	int r;

	if (m->kind != FWD_BLOCK)
		return 0; /* certificates are in the log as log.key records */
	s->len = 0;
	r = frame_block(s, m, data, len);
	if (r) {
		snprintf(err, errlen, "%s block at seq %llu: %s", m->segment,
			 (unsigned long long)m->first, strerror(-r));
		return r == -ENOMEM ? r : 0; /* not a block: nothing to say as syslog */
	}
	if (s->fd < 0 && (r = connect_to(s, err, errlen)))
		return r;
	if (s->tls) {
		char why[512];

		if (!syslog_tls_write(s->tls, s->out, s->len, why, sizeof(why)))
			return 0;
		snprintf(err, errlen, "syslog %s:%s: %s", s->node, s->port, why);
		disconnect(s);
		return -EAGAIN; /* the block is sent again, whole */
	}
	while (off < s->len) {
		ssize_t n = send(s->fd, s->out + off, s->len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "syslog %s:%s: %s", s->node, s->port,
				 strerror(errno));
			disconnect(s);
			return -EAGAIN; /* the block is sent again, whole */
		}
		off += (size_t)n;
	}
	return 0;
}

static void syslog_close(struct fwd_out *out)
{
	struct fwd_syslog *s = (struct fwd_syslog *)out;

	if (!s)
		return;
	disconnect(s);
	syslog_tls_free(s->tls);
	free(s->out);
	free(s);
}

static const struct fwd_out_ops syslog_ops = {
    .send = syslog_send,
    .close = syslog_close,
};

int fwd_syslog_open(struct fwd_out **out, const struct fwd_opts *o, char *err, size_t errlen)
{
	struct fwd_syslog *s = calloc(1, sizeof(*s));
	const char *colon = strrchr(o->syslog, ':');

	*out = NULL;
	if (!s)
		return -ENOMEM;
	if (!colon || colon == o->syslog || (size_t)(colon - o->syslog) >= sizeof(s->node) ||
	    strlen(colon + 1) >= sizeof(s->port) || !colon[1]) {
		snprintf(err, errlen, "--syslog %s: expected HOST:PORT", o->syslog);
		free(s);
		return -EINVAL;
	}
	memcpy(s->node, o->syslog, (size_t)(colon - o->syslog));
	if (s->node[0] == '[' && s->node[strlen(s->node) - 1] == ']') {
		size_t l = strlen(s->node);

		memmove(s->node, s->node + 1, l - 2);
		s->node[l - 2] = 0;
	}
	strcpy(s->port, colon + 1);
	strcpy(s->host, o->host);
	s->fd = -1;
	if (o->tls_ca) {
		int r = syslog_tls_new(&s->tls, o->tls_ca, o->tls_cert, o->tls_key, err, errlen);

		if (r) {
			free(s);
			return r;
		}
	}
	s->base.ops = &syslog_ops;
	*out = &s->base;
	return 0;
}
