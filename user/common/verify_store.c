/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Store records met in the chain (docs/log-format.md "Store records"):
 *   log.seal  signed with the key of the epoch current in the chain (not a
 *             later one), over exactly its block (first_seq..last_seq, count;
 *             an idle seal covers none) and the head before it
 *   log.key   certified by the current epoch's key or the root key; the
 *             epoch stays or goes up by one (more only when root-certified)
 *   log.retention, log.restart, log.gap  their required fields
 * A line is checked here only after the chain accepted it.
 */
#include <string.h>

#include "verify_priv.h"

/* The log's seal at head.json's seal_seq must be head.json's seal. */
static void hj_match(struct verify_seg *s, const struct store_seal *z, uint64_t seq)
{
	struct verify_head_json *hj = &s->c->hj;

	if (!hj->present || seq != hj->seal_seq)
		return;
	if (!memcmp(z->sig, hj->z.sig, sizeof(z->sig)) && z->last_seq == hj->z.last_seq &&
	    !memcmp(z->head, hj->z.head, sizeof(z->head)) && !strcmp(hj->segment, s->out->name))
		hj->matched = 1;
	else
		hj->matched = -1;
}

static void check_seal(struct verify_seg *s, json_object *o, uint64_t seq, uint64_t time_ns)
{
	struct verify_ctx *c = s->c;
	const struct verify_key *k;
	struct store_seal z;
	json_object *m;

	if (!json_object_object_get_ex(o, "seal", &m) || store_seal_read(m, &z)) {
		verify_set(s->out, VERIFY_MALFORMED, 0, "seal at seq %llu",
			   (unsigned long long)seq);
		return;
	}
	z.time_ns = time_ns;
	/* in an encrypted segment the seal also vouches for the ciphertext */
	if (s->enc != z.has_cipher || (s->enc && memcmp(z.cipher_head, s->chead,
							  sizeof(z.cipher_head)))) {
		verify_set(s->out, VERIFY_MODIFIED, seq - 1,
			   s->enc ? "encrypted data before seal %llu modified"
				  : "seal %llu claims encrypted data",
			   (unsigned long long)seq);
		s->enc = 0;
		return;
	}
	s->enc = 0;
	if (z.epoch != s->cur_epoch) {
		verify_set(s->out, VERIFY_UNCERTIFIED_KEY, 0,
			   "seal at seq %llu uses epoch %llu, "
			   "the chain is at epoch %llu",
			   (unsigned long long)seq, (unsigned long long)z.epoch,
			   (unsigned long long)s->cur_epoch);
		return;
	}
	k = verify_key_find(c, z.epoch);
	if (!k || !k->ok) {
		verify_set(s->out, k ? VERIFY_BAD_SIGNATURE : VERIFY_UNCERTIFIED_KEY, 0,
			   "certificate of epoch %llu (seal at seq %llu)",
			   (unsigned long long)z.epoch, (unsigned long long)seq);
		return;
	}
	/* a key certified by its predecessor seals nothing before its epoch began */
	if (k->start_seq && z.first_seq < k->start_seq) {
		verify_set(s->out, VERIFY_UNCERTIFIED_KEY, 0,
			   "seal at seq %llu covers records from %llu with the key of epoch %llu, "
			   "which starts at seq %llu",
			   (unsigned long long)seq, (unsigned long long)z.first_seq,
			   (unsigned long long)z.epoch, (unsigned long long)k->start_seq);
		return;
	}
	if (store_seal_verify(&z, c->o->root, k->pub)) {
		verify_set(s->out, VERIFY_BAD_SIGNATURE, 0, "seal at seq %llu",
			   (unsigned long long)seq);
		return;
	}
	/* an idle seal covers no record: first_seq = last_seq + 1, count 0 */
	if (z.last_seq != seq - 1 || z.first_seq != s->block_start ||
	    z.count != z.last_seq + 1 - z.first_seq) {
		verify_set(s->out, VERIFY_MODIFIED, seq,
			   "seal covers %llu-%llu (count %llu), "
			   "its block is %llu-%llu",
			   (unsigned long long)z.first_seq, (unsigned long long)z.last_seq,
			   (unsigned long long)z.count, (unsigned long long)s->block_start,
			   (unsigned long long)(seq - 1));
		return;
	}
	if (memcmp(z.head, s->h, sizeof(z.head))) {
		verify_set(s->out, VERIFY_MODIFIED, seq - 1, "head sealed at seq %llu differs",
			   (unsigned long long)seq);
		return;
	}
	if (!c->any_sealed || seq > c->max_seal_seq)
		c->max_seal_seq = seq;
	c->any_sealed = 1;
	hj_match(s, &z, seq);
}

static void check_key(struct verify_seg *s, json_object *o, uint64_t seq)
{
	struct store_cert k;
	json_object *m;
	int v;

	if (!json_object_object_get_ex(o, "key", &m) || store_cert_read(m, &k)) {
		verify_set(s->out, VERIFY_MALFORMED, 0, "key at seq %llu", (unsigned long long)seq);
		return;
	}
	v = verify_key_record(s->c, &k, s->cur_epoch);
	if (v) {
		verify_set(s->out, (enum verify_verdict)v, 0,
			   "key of epoch %llu at seq %llu "
			   "(current epoch %llu)",
			   (unsigned long long)k.epoch, (unsigned long long)seq,
			   (unsigned long long)s->cur_epoch);
		return;
	}
	s->cur_epoch = k.epoch;
	if (s->need_genesis && k.epoch == 0) {
		/* no certs.jsonl: the first certificate's line as the store writes it */
		uint8_t g[CRYPTO_HASH_LEN];
		struct jsonw w;

		jw_init(&w, 4096);
		store_cert_write(&w, NULL, &k);
		store_genesis(g, w.buf ? w.buf : "", w.len);
		if (w.err || memcmp(g, s->hdr.prev_head, sizeof(g)))
			verify_set(s->out, VERIFY_UNCERTIFIED_KEY, 0,
				   "the first segment does not link to its certificate");
		jw_free(&w);
		s->need_genesis = 0;
	}
}

/* Ordinary records pass; the tag matched inside them is no store record. */
int verify_store_record(struct verify_seg *s, const char *l, size_t n, uint64_t seq)
{
	struct verify_ctx *c = s->c;
	struct verify_retention r;
	uint64_t time_ns;
	json_object *o = verify_json_parse(c, l, n);
	const char *ev = o ? verify_event(o) : NULL;
	int seal = 0;

	if (!o) {
		verify_set(s->out, VERIFY_MALFORMED, 0, "record %llu is not JSON",
			   (unsigned long long)seq);
		return 0;
	}
	if (!ev || strncmp(ev, "log.", 4))
		goto out; /* the tag was inside an ordinary record */
	if (verify_read_common(o, &time_ns)) {
		verify_set(s->out, VERIFY_MALFORMED, 0, "%s at seq %llu", ev,
			   (unsigned long long)seq);
	} else if (!strcmp(ev, "log.seal")) {
		check_seal(s, o, seq, time_ns);
		seal = 1;
	} else if (!strcmp(ev, "log.key")) {
		check_key(s, o, seq);
	} else if (!strcmp(ev, "log.segment")) {
		verify_set(s->out, VERIFY_MALFORMED, 0, "a second segment header at seq %llu",
			   (unsigned long long)seq);
	} else if (!strcmp(ev, "log.retention")) {
		if (verify_read_retention(o, &r)) {
			verify_set(s->out, VERIFY_MALFORMED, 0, "retention at seq %llu",
				   (unsigned long long)seq);
		} else if (c->nret < VERIFY_MAX_RETENTION) {
			if (c->nret == c->capret) {
				size_t cap = c->capret ? 2 * c->capret : 16;
				void *p = realloc(c->ret, cap * sizeof(*c->ret));

				if (p) {
					c->ret = p;
					c->capret = cap;
				}
			}
			if (c->nret < c->capret)
				c->ret[c->nret++] = r;
		}
	} else if ((!strcmp(ev, "log.restart") && verify_check_restart(o)) ||
		   (!strcmp(ev, "log.gap") && verify_check_gap(o))) {
		verify_set(s->out, VERIFY_MALFORMED, 0, "%s at seq %llu", ev,
			   (unsigned long long)seq);
	}
out:
	json_object_put(o);
	return seal;
}

int verify_sealed_frame(struct verify_seg *s, const char *l, size_t n,
			const uint8_t ch[CRYPTO_HASH_LEN], struct store_seal *z, uint64_t *seq)
{
	struct verify_ctx *c = s->c;
	const struct verify_key *k;
	json_object *o = verify_json_parse(c, l, n), *m;
	const char *ev = o ? verify_event(o) : NULL;
	uint64_t time_ns;
	int r = -1;

	if (!ev || strcmp(ev, "log.seal") || store_record_seq(l, n, seq) ||
	    verify_read_common(o, &time_ns) || !json_object_object_get_ex(o, "seal", &m) ||
	    store_seal_read(m, z)) {
		verify_set(s->out, VERIFY_MALFORMED, 0, "a seal frame that is not a seal");
		goto out;
	}
	z->time_ns = time_ns;
	if (!z->has_cipher || memcmp(z->cipher_head, ch, sizeof(z->cipher_head)) ||
	    !store_prev_matches(l, n, z->head)) {
		verify_set(s->out, VERIFY_MODIFIED, *seq - 1, "encrypted data before seal %llu",
			   (unsigned long long)*seq);
		goto out;
	}
	/* epochs only move forward; the log.key records are inside the ciphertext */
	k = verify_key_find(c, z->epoch);
	if (z->epoch < s->cur_epoch || !k) {
		verify_set(s->out, VERIFY_UNCERTIFIED_KEY, 0, "seal at seq %llu uses epoch %llu",
			   (unsigned long long)*seq, (unsigned long long)z->epoch);
		goto out;
	}
	if (!k->ok || store_seal_verify(z, c->o->root, k->pub)) {
		verify_set(s->out, VERIFY_BAD_SIGNATURE, 0, "seal at seq %llu",
			   (unsigned long long)*seq);
		goto out;
	}
	if (k->start_seq && z->first_seq < k->start_seq) {
		verify_set(s->out, VERIFY_UNCERTIFIED_KEY, 0,
			   "seal at seq %llu covers records before epoch %llu began",
			   (unsigned long long)*seq, (unsigned long long)z->epoch);
		goto out;
	}
	s->cur_epoch = z->epoch;
	if (!c->any_sealed || *seq > c->max_seal_seq)
		c->max_seal_seq = *seq;
	c->any_sealed = 1;
	hj_match(s, z, *seq);
	r = 0;
out:
	json_object_put(o);
	return r;
}
