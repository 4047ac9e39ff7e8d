/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Segment index: build, serialise, parse, check, query. See seg_index.h.
 *
 * File layout (integers little-endian):
 *   "CAUDIDX1" name[40] first_seq last_seq records min_time max_time   (u64)
 *   flags u32 (1 events_full, 2 saturated)  nevents u32  { len u8, bytes }*
 *   log2 u32  bloom[2^log2 / 8]
 *   seal: epoch first_seq last_seq count time_ns head[32] late u8 reason[16] sig[64]
 *   sig[64]: Ed25519 over "caudit-index-v1\0" || root || seal epoch || H(everything before)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seg_index.h"

#define SIX_SIG_CTX "caudit-index-v1"

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t term_hash(char type, const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)(unsigned char)type;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	h = mix(h);
	return h ? h : 1;
}

void six_file_name(char out[SIX_NAME_LEN], uint64_t first_seq)
{
	snprintf(out, SIX_NAME_LEN, "idx-%020llu.bin", (unsigned long long)first_seq);
}

void six_init(struct six_builder *b)
{
	memset(b, 0, sizeof(*b));
	rs_init(&b->sc);
	six_reset(b);
}

void six_reset(struct six_builder *b)
{
	for (unsigned i = 0; i < b->nevents; i++)
		free(b->events[i]);
	b->nevents = 0;
	b->events_full = 0;
	b->first_seq = b->last_seq = b->records = 0;
	b->min_time = INT64_MAX;
	b->max_time = INT64_MIN;
	if (b->set)
		memset(b->set, 0, b->capset * sizeof(*b->set));
	b->nset = 0;
	b->saturated = 0;
}

void six_free(struct six_builder *b)
{
	six_reset(b);
	free(b->set);
	rs_free(&b->sc);
	memset(b, 0, sizeof(*b));
}

static void set_insert(uint64_t *set, size_t cap, uint64_t h, size_t *n)
{
	size_t i = h & (cap - 1);

	while (set[i] && set[i] != h)
		i = (i + 1) & (cap - 1);
	if (!set[i]) {
		set[i] = h;
		(*n)++;
	}
}

static void add_hash(struct six_builder *b, uint64_t h)
{
	if (b->saturated)
		return;
	if (2 * (b->nset + 1) > b->capset) {
		size_t cap = b->capset ? 2 * b->capset : 4096, n = 0;
		uint64_t *set;

		if (b->nset >= SIX_MAX_TERMS || !(set = calloc(cap, sizeof(*set)))) {
			b->saturated = 1; /* every bit on: the filter matches anything */
			return;
		}
		for (size_t i = 0; i < b->capset; i++)
			if (b->set[i])
				set_insert(set, cap, b->set[i], &n);
		free(b->set);
		b->set = set;
		b->capset = cap;
	}
	set_insert(b->set, b->capset, h, &b->nset);
}

static void add(struct six_builder *b, char type, const void *p, size_t n)
{
	add_hash(b, term_hash(type, p, n));
}

static void add_str(struct six_builder *b, char type, struct rs_str s)
{
	if (s.p)
		add(b, type, s.p, s.n);
}

static void add_num(struct six_builder *b, char type, struct rs_num n)
{
	char buf[24];
	int k;

	if (!n.set)
		return;
	k = snprintf(buf, sizeof(buf), "%lld", (long long)n.v);
	add(b, type, buf, (size_t)k);
}

/* Path terms: the path and every directory above it ("/etc/passwd", "/etc", "/"). */
static void add_path(struct six_builder *b, struct rs_str p)
{
	size_t n = p.n;

	if (!p.p || !n)
		return;
	while (n > 1 && p.p[n - 1] == '/')
		n--;
	add(b, 'p', p.p, n);
	while (n > 1) {
		while (n > 0 && p.p[n - 1] != '/')
			n--;
		if (!n)
			break;
		if (n > 1)
			n--; /* drop the slash, keep "/" itself */
		add(b, 'p', p.p, n);
	}
}

static const unsigned v4_lens[] = {8, 16, 24, 32};
static const unsigned v6_lens[] = {16, 32, 48, 64, 128};

static uint64_t ip_term(int fam, const uint8_t *a, unsigned len)
{
	uint8_t t[2 + 16] = {(uint8_t)fam, (uint8_t)len};
	unsigned full = len / 8;

	memcpy(t + 2, a, full);
	return term_hash('i', t, 2 + full);
}

static void add_ip(struct six_builder *b, struct rs_str s)
{
	char buf[64];
	uint8_t a[16];

	if (!s.p || s.n >= sizeof(buf))
		return;
	memcpy(buf, s.p, s.n);
	buf[s.n] = 0;
	if (inet_pton(AF_INET, buf, a) == 1) {
		for (size_t i = 0; i < 4; i++)
			add_hash(b, ip_term(4, a, v4_lens[i]));
	} else if (inet_pton(AF_INET6, buf, a) == 1) {
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

		for (size_t i = 0; i < 5; i++)
			add_hash(b, ip_term(6, a, v6_lens[i]));
		if (!memcmp(a, mapped, 12)) /* also found by an IPv4 range */
			for (size_t i = 0; i < 4; i++)
				add_hash(b, ip_term(4, a + 12, v4_lens[i]));
	}
}

static void add_event(struct six_builder *b, struct rs_str e)
{
	unsigned i;

	if (!e.p || b->events_full)
		return;
	for (i = 0; i < b->nevents; i++)
		if (strlen(b->events[i]) == e.n && !memcmp(b->events[i], e.p, e.n))
			return;
	if (b->nevents == SIX_MAX_EVENTS || e.n >= 64 || memchr(e.p, 0, e.n) ||
	    !(b->events[b->nevents] = strndup(e.p, e.n))) {
		b->events_full = 1;
		return;
	}
	b->nevents++;
}

void six_add_view(struct six_builder *b, const struct rec_view *v, uint64_t seq, int64_t t)
{
	if (!b->records++)
		b->first_seq = seq;
	b->last_seq = seq;
	if (t < b->min_time)
		b->min_time = t;
	if (t > b->max_time)
		b->max_time = t;
	add_event(b, v->s[RS_EVENT]);
	add_num(b, 'u', v->n[RS_UID]);
	add_num(b, 'u', v->n[RS_EUID]);
	add_num(b, 'u', v->n[RS_AUID]);
	add_num(b, 'a', v->n[RS_AUID]);
	add_str(b, 'n', v->s[RS_USER_NAME]);
	add_str(b, 'n', v->s[RS_LOGIN]);
	add_str(b, 'L', v->s[RS_LOGIN]);
	add_num(b, 's', v->n[RS_SESSION]);
	add_str(b, 'y', v->s[RS_SYSCALL]);
	add_path(b, v->s[RS_PATH]);
	add_path(b, v->s[RS_PATH2]);
	add_path(b, v->s[RS_EXEC_FILENAME]);
	add_str(b, 'x', v->s[RS_EXE]);
	add_str(b, 'c', v->s[RS_COMM]);
	add_str(b, 'h', v->s[RS_HOST]);
	if (v->s[RS_CONTAINER].p && v->s[RS_CONTAINER].n >= 12)
		add(b, 'C', v->s[RS_CONTAINER].p, 12);
	add_num(b, 'd', v->n[RS_PID]);
	add_num(b, 'D', v->n[RS_PPID]);
	add_str(b, 'E', v->s[RS_EXEC_ID]);
	add_ip(b, v->s[RS_ORIGIN_IP]);
	add_ip(b, v->s[RS_SRC_IP]);
	add_ip(b, v->s[RS_DST_IP]);
	add_num(b, 'P', v->n[RS_ORIGIN_PORT]);
	add_num(b, 'P', v->n[RS_SRC_PORT]);
	add_num(b, 'P', v->n[RS_DST_PORT]);
	add_str(b, 'o', v->s[RS_OUTCOME]);
	add_str(b, 'r', v->s[RS_ERRNO]);
	add_str(b, 'A', v->s[RS_ACCESS]);
	for (unsigned i = 0; i < v->nkeys; i++)
		add_str(b, 'k', v->keys[i]);
}

void six_add_line(struct six_builder *b, const char *line, size_t len)
{
	struct rec_view v;
	int64_t t = 0;
	uint64_t seq;

	if (store_record_seq(line, len, &seq))
		return;
	if (rs_scan(&b->sc, line, len, &v) ||
	    rs_time_ns(v.s[RS_TIME].p ? v.s[RS_TIME].p : "", v.s[RS_TIME].n, &t)) {
		/* cannot be read back: no term may be trusted to be absent */
		b->saturated = 1;
		b->events_full = 1;
		b->min_time = INT64_MIN;
		b->max_time = INT64_MAX;
		if (!b->records++)
			b->first_seq = seq;
		b->last_seq = seq;
		return;
	}
	six_add_view(b, &v, seq, t);
}

/* ---- serialisation ---- */

struct wbuf {
	uint8_t *p;
	size_t n, cap;
	int err;
};

static void put(struct wbuf *w, const void *p, size_t n)
{
	if (w->err)
		return;
	if (w->n + n > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		uint8_t *q;

		while (cap < w->n + n)
			cap *= 2;
		if (!(q = realloc(w->p, cap))) {
			w->err = -ENOMEM;
			return;
		}
		w->p = q;
		w->cap = cap;
	}
	memcpy(w->p + w->n, p, n);
	w->n += n;
}

static void put64(struct wbuf *w, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(w, b, 8);
}

static void put32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4];

	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(w, b, 4);
}

static unsigned bloom_log2(size_t n)
{
	unsigned l = SIX_MIN_LOG2;

	while (l < SIX_MAX_LOG2 && ((size_t)1 << l) < 16 * n)
		l++;
	return l;
}

static void bloom_set(uint8_t *bl, unsigned log2, uint64_t h)
{
	uint64_t h2 = mix(h ^ 0x9e3779b97f4a7c15ull) | 1, m = ((uint64_t)1 << log2) - 1;

	for (int i = 0; i < SIX_HASHES; i++) {
		uint64_t bit = (h + (uint64_t)i * h2) & m;

		bl[bit >> 3] |= (uint8_t)(1u << (bit & 7));
	}
}

static int bloom_has(const uint8_t *bl, unsigned log2, uint64_t h)
{
	uint64_t h2 = mix(h ^ 0x9e3779b97f4a7c15ull) | 1, m = ((uint64_t)1 << log2) - 1;

	for (int i = 0; i < SIX_HASHES; i++) {
		uint64_t bit = (h + (uint64_t)i * h2) & m;

		if (!(bl[bit >> 3] & (1u << (bit & 7))))
			return 0;
	}
	return 1;
}

static void seal_put(struct wbuf *w, const struct store_seal *z)
{
	uint8_t late = (uint8_t) !!z->late;
	char reason[16] = {0};

	put64(w, z->epoch);
	put64(w, z->first_seq);
	put64(w, z->last_seq);
	put64(w, z->count);
	put64(w, z->time_ns);
	put(w, z->head, CRYPTO_HASH_LEN);
	put(w, &late, 1);
	memcpy(reason, z->reason, strnlen(z->reason, sizeof(reason)));
	put(w, reason, sizeof(reason));
	put(w, z->sig, CRYPTO_SIG_LEN);
}

static void sig_msg(uint8_t msg[16 + CRYPTO_PUB_LEN + 8 + CRYPTO_HASH_LEN],
		    const uint8_t root[CRYPTO_PUB_LEN], uint64_t epoch,
		    const uint8_t body_hash[CRYPTO_HASH_LEN])
{
	memcpy(msg, SIX_SIG_CTX, sizeof(SIX_SIG_CTX)); /* with its NUL: 16 bytes */
	memcpy(msg + 16, root, CRYPTO_PUB_LEN);
	for (int i = 0; i < 8; i++)
		msg[16 + CRYPTO_PUB_LEN + i] = (uint8_t)(epoch >> (8 * i));
	memcpy(msg + 16 + CRYPTO_PUB_LEN + 8, body_hash, CRYPTO_HASH_LEN);
}

int six_write(const struct six_builder *b, const char *name, const struct store_seal *z,
	      const uint8_t root[CRYPTO_PUB_LEN], const uint8_t secret[CRYPTO_SECRET_LEN],
	      uint8_t **out, size_t *len)
{
	struct wbuf w = {0};
	char nm[STORE_SEG_NAME_LEN] = {0};
	unsigned log2 = bloom_log2(b->nset);
	size_t bytes = ((size_t)1 << log2) / 8;
	uint8_t *bl, h[CRYPTO_HASH_LEN], sig[CRYPTO_SIG_LEN];
	uint8_t msg[16 + CRYPTO_PUB_LEN + 8 + CRYPTO_HASH_LEN];

	if (b->saturated)
		log2 = SIX_MIN_LOG2, bytes = ((size_t)1 << log2) / 8;
	bl = calloc(1, bytes);
	if (!bl)
		return -ENOMEM;
	if (b->saturated)
		memset(bl, 0xff, bytes);
	else
		for (size_t i = 0; i < b->capset; i++)
			if (b->set[i])
				bloom_set(bl, log2, b->set[i]);
	snprintf(nm, sizeof(nm), "%s", name);
	put(&w, SIX_MAGIC, 8);
	put(&w, nm, sizeof(nm));
	put64(&w, b->first_seq);
	put64(&w, b->last_seq);
	put64(&w, b->records);
	put64(&w, (uint64_t)b->min_time);
	put64(&w, (uint64_t)b->max_time);
	put32(&w, (uint32_t)(b->events_full | (b->saturated << 1)));
	put32(&w, b->nevents);
	for (unsigned i = 0; i < b->nevents; i++) {
		uint8_t n = (uint8_t)strlen(b->events[i]);

		put(&w, &n, 1);
		put(&w, b->events[i], n);
	}
	put32(&w, log2);
	put(&w, bl, bytes);
	free(bl);
	seal_put(&w, z);
	if (w.err) {
		free(w.p);
		return w.err;
	}
	cr_hash(h, w.p, w.n);
	sig_msg(msg, root, z->epoch, h);
	cr_sign(sig, msg, sizeof(msg), secret);
	put(&w, sig, sizeof(sig));
	if (w.err) {
		free(w.p);
		return w.err;
	}
	*out = w.p;
	*len = w.n;
	return 0;
}

struct rbuf {
	const uint8_t *p;
	size_t n, off;
	int err;
};

static const uint8_t *take(struct rbuf *r, size_t n)
{
	const uint8_t *p;

	if (r->err || r->n - r->off < n) {
		r->err = -EINVAL;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

static uint64_t get64(struct rbuf *r)
{
	const uint8_t *p = take(r, 8);
	uint64_t v = 0;

	for (int i = 0; p && i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint32_t get32(struct rbuf *r)
{
	const uint8_t *p = take(r, 4);
	uint32_t v = 0;

	for (int i = 0; p && i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

int six_parse(const uint8_t *buf, size_t len, struct seg_index *ix)
{
	struct rbuf r = {.p = buf, .n = len};
	const uint8_t *p;
	uint32_t flags, nev;
	size_t body;

	memset(ix, 0, sizeof(*ix));
	if (len > SIX_MAX_FILE || !(p = take(&r, 8)) || memcmp(p, SIX_MAGIC, 8))
		return -EINVAL;
	if (!(p = take(&r, STORE_SEG_NAME_LEN)) || !memchr(p, 0, STORE_SEG_NAME_LEN))
		return -EINVAL;
	memcpy(ix->name, p, STORE_SEG_NAME_LEN);
	ix->first_seq = get64(&r);
	ix->last_seq = get64(&r);
	ix->records = get64(&r);
	ix->min_time = (int64_t)get64(&r);
	ix->max_time = (int64_t)get64(&r);
	flags = get32(&r);
	nev = get32(&r);
	if (r.err || flags > 3 || nev > SIX_MAX_EVENTS)
		return -EINVAL;
	ix->events_full = flags & 1;
	ix->saturated = !!(flags & 2);
	for (uint32_t i = 0; i < nev; i++) {
		const uint8_t *n = take(&r, 1);

		if (!n || *n >= 64 || !(p = take(&r, *n)) || memchr(p, 0, *n))
			return -EINVAL;
		memcpy(ix->events[i], p, *n);
		ix->events[i][*n] = 0;
	}
	ix->nevents = nev;
	ix->log2 = get32(&r);
	if (r.err || ix->log2 < SIX_MIN_LOG2 || ix->log2 > SIX_MAX_LOG2)
		return -EINVAL;
	if (!(ix->bloom = take(&r, ((size_t)1 << ix->log2) / 8)))
		return -EINVAL;
	ix->seal.epoch = get64(&r);
	ix->seal.first_seq = get64(&r);
	ix->seal.last_seq = get64(&r);
	ix->seal.count = get64(&r);
	ix->seal.time_ns = get64(&r);
	if ((p = take(&r, CRYPTO_HASH_LEN)))
		memcpy(ix->seal.head, p, CRYPTO_HASH_LEN);
	if ((p = take(&r, 1)))
		ix->seal.late = *p;
	if ((p = take(&r, 16))) {
		if (!memchr(p, 0, 16))
			return -EINVAL;
		memcpy(ix->seal.reason, p, 16);
	}
	if ((p = take(&r, CRYPTO_SIG_LEN)))
		memcpy(ix->seal.sig, p, CRYPTO_SIG_LEN);
	body = r.off;
	if ((p = take(&r, CRYPTO_SIG_LEN)))
		memcpy(ix->sig, p, CRYPTO_SIG_LEN);
	if (r.err || r.off != len || ix->seal.late > 1)
		return -EINVAL;
	cr_hash(ix->body_hash, buf, body);
	return 0;
}

int six_check(const struct seg_index *ix, const char *name, const uint8_t root[CRYPTO_PUB_LEN],
	      const uint8_t pub[CRYPTO_PUB_LEN], uint64_t start_seq)
{
	uint8_t msg[16 + CRYPTO_PUB_LEN + 8 + CRYPTO_HASH_LEN];
	uint64_t first;

	/* the index of this segment, closed by this seal, as its last record */
	if (strcmp(ix->name, name) || store_segment_parse(name, &first) || ix->first_seq != first ||
	    ix->seal.last_seq + 1 != ix->last_seq || ix->first_seq > ix->last_seq)
		return -EBADMSG;
	if (start_seq && ix->seal.first_seq < start_seq)
		return -EBADMSG;
	if (store_seal_verify(&ix->seal, root, pub))
		return -EBADMSG;
	sig_msg(msg, root, ix->seal.epoch, ix->body_hash);
	return cr_verify(ix->sig, msg, sizeof(msg), pub) ? -EBADMSG : 0;
}

static int has(const struct seg_index *ix, char type, const void *p, size_t n)
{
	return ix->saturated || bloom_has(ix->bloom, ix->log2, term_hash(type, p, n));
}

static int has_num(const struct seg_index *ix, char type, int64_t v)
{
	char buf[24];
	int k = snprintf(buf, sizeof(buf), "%lld", (long long)v);

	return has(ix, type, buf, (size_t)k);
}

static int has_cstr(const struct seg_index *ix, char type, const char *s)
{
	return has(ix, type, s, strlen(s));
}

static int plain(const char *s)
{
	return !strpbrk(s, "*?[\\");
}

static int path_may(const struct seg_index *ix, const char *pat)
{
	char buf[4096];
	size_t n;

	if (sf_glob_literal_prefix(pat, buf, sizeof(buf)))
		return 1;
	if (!plain(pat)) {
		char *slash = strrchr(buf, '/');

		if (!slash || buf[0] != '/')
			return 1; /* a glob without a directory to look for */
		slash[slash == buf ? 1 : 0] = 0;
	}
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = 0;
	return !n || has(ix, 'p', buf, n);
}

static int ip_may(const struct seg_index *ix, const struct sf_cidr *c)
{
	const unsigned *lens = c->family == 4 ? v4_lens : v6_lens;
	size_t nl = c->family == 4 ? 4 : 5;
	unsigned best = 0;
	uint8_t a[16];

	for (size_t i = 0; i < nl; i++)
		if (lens[i] <= c->prefix)
			best = lens[i];
	if (!best)
		return 1;
	memcpy(a, c->addr, 16);
	return ix->saturated || bloom_has(ix->bloom, ix->log2, ip_term(c->family, a, best));
}

int six_may_match(const struct seg_index *ix, const struct sf_filter *f)
{
	if (f->until <= ix->min_time || f->since > ix->max_time)
		return 0;
	if (f->event && !ix->events_full) {
		unsigned i;

		for (i = 0; i < ix->nevents && fnmatch(f->event, ix->events[i], 0); i++)
			;
		if (i == ix->nevents)
			return 0;
	}
	if (f->exec_id && f->tree)
		return 1; /* the tree grows from records anywhere before: read everything */
	if ((f->user_uid >= 0 || f->user_name) &&
	    !(f->user_uid >= 0 && has_num(ix, 'u', f->user_uid)) &&
	    !(f->user_name && has_cstr(ix, 'n', f->user_name)))
		return 0;
	if ((f->login_uid >= 0 || f->login_name) &&
	    !(f->login_uid >= 0 && has_num(ix, 'a', f->login_uid)) &&
	    !(f->login_name && has_cstr(ix, 'L', f->login_name)))
		return 0;
	if (f->session >= 0 && !has_num(ix, 's', f->session))
		return 0;
	if (f->syscall && !has_cstr(ix, 'y', f->syscall))
		return 0;
	if (f->path && !path_may(ix, f->path))
		return 0;
	if (f->exe && plain(f->exe) && !has_cstr(ix, 'x', f->exe))
		return 0;
	if (f->comm && plain(f->comm) && !has_cstr(ix, 'c', f->comm))
		return 0;
	if (f->host && plain(f->host) && !has_cstr(ix, 'h', f->host))
		return 0;
	if (f->container && strlen(f->container) >= 12 && !has(ix, 'C', f->container, 12))
		return 0;
	if (f->pid >= 0 && !has_num(ix, 'd', f->pid))
		return 0;
	if (f->ppid >= 0 && !has_num(ix, 'D', f->ppid))
		return 0;
	if (f->exec_id && !has_cstr(ix, 'E', f->exec_id))
		return 0;
	if (f->ip.family && !ip_may(ix, &f->ip))
		return 0;
	if (f->port >= 0 && !has_num(ix, 'P', f->port))
		return 0;
	if (f->result && !has_cstr(ix, 'o', f->result == 1 ? "success" : "failure"))
		return 0;
	if (f->key && !has_cstr(ix, 'k', f->key))
		return 0;
	if (f->access && !has_cstr(ix, 'A', f->access == 1 ? "read" : "write"))
		return 0;
	return 1;
}
