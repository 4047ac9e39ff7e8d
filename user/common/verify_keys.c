/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The verifier's epoch keys: certs.jsonl checked from the root key, log.key
 * records met in the log, and head.json (the last seal) loaded for the end
 * check.
 *
 * A certificate for epoch e is accepted when signed by the key of epoch e-1
 * (itself accepted) or by the root key: epoch 0 always is, and a later one
 * is when the host re-certified from root.key (keys_certify_from_root).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "verify_priv.h"

static size_t key_pos(const struct verify_ctx *c, uint64_t epoch)
{
	size_t lo = 0, hi = c->nkeys;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->keys[mid].epoch < epoch)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct verify_key *verify_key_find(const struct verify_ctx *c, uint64_t epoch)
{
	size_t i = key_pos(c, epoch);

	return i < c->nkeys && c->keys[i].epoch == epoch ? &c->keys[i] : NULL;
}

int verify_key_set(struct verify_ctx *c, uint64_t epoch, const uint8_t pub[CRYPTO_PUB_LEN],
		   uint64_t start_seq, int ok)
{
	size_t i = key_pos(c, epoch);

	if (i == c->nkeys || c->keys[i].epoch != epoch) {
		if (c->nkeys == c->capkeys) {
			size_t cap = c->capkeys ? 2 * c->capkeys : 64;
			struct verify_key *k;

			if (c->nkeys >= VERIFY_MAX_KEYS)
				return -E2BIG;
			k = realloc(c->keys, cap * sizeof(*k));
			if (!k)
				return -ENOMEM;
			c->keys = k;
			c->capkeys = cap;
		}
		memmove(&c->keys[i + 1], &c->keys[i], (c->nkeys - i) * sizeof(*c->keys));
		c->nkeys++;
	}
	c->keys[i].epoch = epoch;
	memcpy(c->keys[i].pub, pub, CRYPTO_PUB_LEN);
	c->keys[i].start_seq = start_seq;
	c->keys[i].ok = ok;
	return 0;
}

/* 1 when signed by the root key, 2 by the accepted key of epoch-1, 0 by neither. */
static int cert_signer(const struct verify_ctx *c, const struct store_cert *k)
{
	const struct verify_key *p;

	if (k->epoch > 0) {
		p = verify_key_find(c, k->epoch - 1);
		if (p && p->ok && store_cert_verify(k, c->o->root, p->pub) == 0)
			return 2;
	}
	return store_cert_verify(k, c->o->root, c->o->root) == 0 ? 1 : 0;
}

int verify_key_record(struct verify_ctx *c, const struct store_cert *k, uint64_t cur)
{
	const struct verify_key *known = verify_key_find(c, k->epoch);
	const struct verify_key *p;
	int signer;

	if (k->epoch < cur)
		return VERIFY_UNCERTIFIED_KEY; /* epochs go backwards */
	if (known && known->ok)
		return memcmp(known->pub, k->pub, CRYPTO_PUB_LEN) ? VERIFY_UNCERTIFIED_KEY : 0;
	signer = cert_signer(c, k);
	if (!signer) {
		p = k->epoch ? verify_key_find(c, k->epoch - 1) : NULL;
		if (k->epoch && (!p || !p->ok))
			return VERIFY_UNCERTIFIED_KEY;
		return VERIFY_BAD_SIGNATURE;
	}
	/* one step at a time, unless the root key itself certified the jump */
	if (k->epoch > cur + 1 && signer != 1)
		return VERIFY_UNCERTIFIED_KEY;
	/* only the root key may certify a key for any place in the chain */
	if (signer == 2 && k->start_seq == 0)
		return VERIFY_UNCERTIFIED_KEY;
	return verify_key_set(c, k->epoch, k->pub, k->start_seq, 1) ? VERIFY_UNCERTIFIED_KEY : 0;
}

/* Read a whole small file; -ENOENT when absent, -EFBIG over max. */
static int read_small(const char *dir, const char *name, size_t max, char **buf, size_t *len)
{
	char path[4200];
	struct stat st;
	size_t got = 0;
	int fd, r = 0;

	*buf = NULL;
	*len = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (r) {
		free(*buf);
		*buf = NULL;
		return r;
	}
	(*buf)[got] = 0;
	*len = got;
	return 0;
}

static void certs_fail(struct verify_ctx *c, enum verify_certs_status st, uint64_t line)
{
	c->rep->certs = st;
	c->rep->certs_line = line;
}

/* One certs.jsonl line; 0 or the status that stops the chain there. */
int verify_cert_line(struct verify_ctx *c, const char *s, size_t n, int64_t *last_epoch)
{
	struct store_cert k;
	json_object *o;
	int signer, r;

	if (n > VERIFY_CERT_LINE_MAX)
		return VERIFY_CERTS_MALFORMED;
	o = verify_json_parse(c, s, n);
	r = o ? store_cert_read(o, &k) : -EINVAL;
	json_object_put(o);
	if (r)
		return VERIFY_CERTS_MALFORMED;
	if (k.epoch > INT64_MAX || (int64_t)k.epoch <= *last_epoch)
		return VERIFY_CERTS_UNCERTIFIED;
	signer = cert_signer(c, &k);
	if (k.epoch > (uint64_t)(*last_epoch + 1) && signer != 1)
		return VERIFY_CERTS_UNCERTIFIED;
	if (!signer) {
		/* remembered so that a seal under it is "signature invalid" */
		if (verify_key_set(c, k.epoch, k.pub, k.start_seq, 0))
			return VERIFY_CERTS_MALFORMED;
		return VERIFY_CERTS_BAD_SIG;
	}
	if (verify_key_set(c, k.epoch, k.pub, k.start_seq, 1))
		return VERIFY_CERTS_MALFORMED;
	*last_epoch = (int64_t)k.epoch;
	c->rep->ncerts++;
	return 0;
}

int verify_load_certs(struct verify_ctx *c)
{
	int64_t last_epoch = -1;
	uint64_t line = 0;
	size_t len, at = 0;
	char *buf;
	int r;

	r = read_small(c->o->dir, VERIFY_CERTS_FILE, VERIFY_CERTS_MAX_BYTES, &buf, &len);
	if (r == -ENOENT) {
		certs_fail(c, VERIFY_CERTS_MISSING, 0);
		return 0;
	}
	if (r == -ENOMEM)
		return r;
	if (r) {
		certs_fail(c, VERIFY_CERTS_MALFORMED, 0);
		return 0;
	}
	if (len == 0)
		certs_fail(c, VERIFY_CERTS_MALFORMED, 1);
	while (at < len) {
		char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (buf + at)) : len - at;

		line++;
		if (line == 1) {
			store_genesis(c->genesis, buf, n);
			c->have_genesis = 1;
		}
		r = nl ? verify_cert_line(c, buf + at, n, &last_epoch) : VERIFY_CERTS_MALFORMED;
		if (r) {
			certs_fail(c, (enum verify_certs_status)r, line);
			break;
		}
		at += n + 1;
	}
	free(buf);
	return 0;
}

/*
 * head.json: {"segment","index","seal_seq","last_seq","head","epoch","time_ns",
 * "seal":{...}}; the top-level copies must agree with the seal.
 */
void verify_load_head(struct verify_ctx *c)
{
	struct verify_head_json *hj = &c->hj;
	json_object *o = NULL, *m;
	uint8_t head[CRYPTO_HASH_LEN];
	uint64_t last_seq, epoch;
	size_t len;
	char *buf;
	int r;

	r = read_small(c->o->dir, VERIFY_HEAD_FILE, VERIFY_HEAD_MAX_BYTES, &buf, &len);
	if (r == -ENOENT) {
		c->rep->head = VERIFY_HEAD_MISSING;
		return;
	}
	c->rep->head = VERIFY_HEAD_MALFORMED;
	if (r)
		return;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	o = verify_json_parse(c, buf, len);
	free(buf);
	r = !o || verify_get_name(o, "segment", hj->segment) ||
	    verify_get_u64(o, "seal_seq", &hj->seal_seq) ||
	    verify_get_u64(o, "last_seq", &last_seq) ||
	    verify_get_hex(o, "head", head, sizeof(head)) || verify_get_u64(o, "epoch", &epoch) ||
	    !json_object_object_get_ex(o, "seal", &m) || store_seal_read(m, &hj->z) ||
	    verify_get_u64(o, "time_ns", &hj->z.time_ns);
	json_object_put(o);
	if (r || hj->z.last_seq != last_seq || hj->z.epoch != epoch ||
	    memcmp(hj->z.head, head, sizeof(head)) || hj->z.last_seq == UINT64_MAX ||
	    hj->seal_seq != hj->z.last_seq + 1)
		return;
	hj->present = 1;
	c->rep->head = VERIFY_HEAD_UNCHECKED;
	c->rep->head_last_seq = hj->seal_seq;
	strcpy(c->rep->head_segment, hj->segment);
}

/* ---- the keyring of certs.jsonl, for readers other than verify_log ---- */

struct verify_keyring {
	struct verify_opts o;
	struct verify_report rep;
	struct verify_ctx c;
};

struct verify_keyring *verify_keyring_load(const char *dir, const uint8_t root[CRYPTO_PUB_LEN])
{
	struct verify_keyring *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->o.dir = dir;
	memcpy(k->o.root, root, CRYPTO_PUB_LEN);
	k->c.o = &k->o;
	k->c.rep = &k->rep;
	if (cr_init() || verify_load_certs(&k->c) || !k->c.nkeys) {
		verify_keyring_free(k);
		return NULL;
	}
	return k;
}

const uint8_t *verify_keyring_find(const struct verify_keyring *k, uint64_t epoch,
				   uint64_t *start_seq)
{
	const struct verify_key *e = k ? verify_key_find(&k->c, epoch) : NULL;

	if (!e || !e->ok)
		return NULL;
	*start_seq = e->start_seq;
	return e->pub;
}

void verify_keyring_free(struct verify_keyring *k)
{
	if (!k)
		return;
	free(k->c.keys);
	free(k->c.ret);
	if (k->c.tok)
		json_tokener_free(k->c.tok);
	free(k);
}
