// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * verify_stream.h: verify_log's run, taken apart so that the collector can
 * call it one block at a time. The checks are the engine's own
 * (verify_segment_bytes, verify_link, verify_cert_line); this file only
 * keeps the context that verify_log keeps on its stack for one run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "verify_priv.h"
#include "verify_stream.h"

struct verify_stream {
	struct verify_opts o;
	struct verify_report rep;
	struct verify_ctx c;
	struct verify_seg s; /* the open segment */
	int open;
	size_t capsegs;
	int64_t last_epoch; /* of the certificate lines */
	uint64_t ncertlines;
};

int verify_stream_new(struct verify_stream **out, const uint8_t root[CRYPTO_PUB_LEN],
		      size_t max_line, uint64_t max_segment_bytes)
{
	struct verify_stream *vs = calloc(1, sizeof(*vs));

	*out = NULL;
	if (!vs || cr_init()) {
		free(vs);
		return -ENOMEM;
	}
	memcpy(vs->o.root, root, CRYPTO_PUB_LEN);
	vs->o.dir = "";
	vs->o.max_line = max_line ? max_line : VERIFY_DEFAULT_MAX_LINE;
	vs->o.max_segment_bytes =
	    max_segment_bytes ? max_segment_bytes : VERIFY_DEFAULT_MAX_SEGMENT;
	vs->c.o = &vs->o;
	vs->c.rep = &vs->rep;
	vs->c.max_line = vs->o.max_line;
	vs->c.max_bytes = vs->o.max_segment_bytes;
	vs->c.out = malloc(VERIFY_IO_CHUNK);
	vs->c.line = malloc(vs->c.max_line);
	vs->last_epoch = -1;
	vs->rep.certs = VERIFY_CERTS_MISSING;
	if (!vs->c.out || !vs->c.line) {
		verify_stream_free(vs);
		return -ENOMEM;
	}
	*out = vs;
	return 0;
}

void verify_stream_free(struct verify_stream *vs)
{
	if (!vs)
		return;
	free(vs->c.out);
	free(vs->c.line);
	free(vs->c.keys);
	free(vs->c.ret);
	if (vs->c.tok)
		json_tokener_free(vs->c.tok);
	verify_report_free(&vs->rep);
	free(vs);
}

int verify_stream_cert(struct verify_stream *vs, const char *line, size_t len)
{
	int r;

	if (vs->rep.certs != VERIFY_CERTS_OK && vs->rep.certs != VERIFY_CERTS_MISSING)
		return vs->rep.certs; /* the chain of certificates stopped there */
	if (!vs->ncertlines++) {
		store_genesis(vs->c.genesis, line, len);
		vs->c.have_genesis = 1;
	}
	r = verify_cert_line(&vs->c, line, len, &vs->last_epoch);
	vs->rep.certs = r ? (enum verify_certs_status)r : VERIFY_CERTS_OK;
	if (r)
		vs->rep.certs_line = vs->ncertlines;
	return r;
}

/* The open segment ends: a block that stopped inside a line, an unsealed end. */
static void close_segment(struct verify_stream *vs)
{
	size_t idx = vs->rep.nsegs - 1;

	vs->s.out = &vs->rep.segs[idx];
	vs->s.newest = 0;
	verify_segment_finish(&vs->s, 0);
	verify_segment_end(&vs->c, &vs->s, idx);
	vs->open = 0;
}

int verify_stream_segment(struct verify_stream *vs, const char *name)
{
	struct verify_segment *seg;
	uint64_t first;

	if (store_segment_parse(name, &first))
		return -EINVAL;
	if (vs->rep.nsegs && strcmp(name, vs->rep.segs[vs->rep.nsegs - 1].name) <= 0)
		return -EINVAL;
	if (vs->open)
		close_segment(vs);
	if (vs->rep.nsegs == vs->capsegs) {
		size_t cap = vs->capsegs ? 2 * vs->capsegs : 16;
		void *p;

		if (cap > VERIFY_MAX_SEGMENTS)
			return -E2BIG;
		p = realloc(vs->rep.segs, cap * sizeof(*vs->rep.segs));
		if (!p)
			return -ENOMEM;
		vs->rep.segs = p;
		vs->capsegs = cap;
	}
	seg = &vs->rep.segs[vs->rep.nsegs++];
	memset(seg, 0, sizeof(*seg));
	strcpy(seg->name, name);
	seg->newest = 1;
	memset(&vs->s, 0, sizeof(vs->s));
	vs->s.c = &vs->c;
	vs->s.out = seg;
	vs->s.newest = 1;
	vs->open = 1;
	return 0;
}

int verify_stream_block(struct verify_stream *vs, const void *gz, size_t len)
{
	struct verify_seg *s = &vs->s;
	struct verify_ctx *c = &vs->c;
	z_stream zs;
	int zr;

	if (!vs->open)
		return -EINVAL;
	s->out = &vs->rep.segs[vs->rep.nsegs - 1];
	s->out->bytes += len;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	zs.next_in = (unsigned char *)(uintptr_t)gz;
	zs.avail_in = (unsigned)(len > UINT32_MAX ? UINT32_MAX : len);
	do {
		size_t got;

		zs.next_out = c->out;
		zs.avail_out = VERIFY_IO_CHUNK;
		zr = inflate(&zs, Z_NO_FLUSH);
		got = VERIFY_IO_CHUNK - zs.avail_out;
		s->out_total += got;
		if (s->out_total > c->max_bytes) {
			zr = Z_DATA_ERROR;
			break;
		}
		verify_segment_bytes(s, (const char *)c->out, got);
	} while (zr == Z_OK);
	inflateEnd(&zs);
	if (VERIFY_DONE(s))
		return 0;
	if (zr != Z_STREAM_END || zs.avail_in || len > UINT32_MAX)
		verify_set(s->out, VERIFY_MALFORMED, 0, "a block that is not one gzip member");
	else if (s->linelen || s->overlong)
		verify_set(s->out, VERIFY_TRUNCATED, 0, "a block that ends inside a line");
	return 0;
}

void verify_stream_state(const struct verify_stream *vs, struct verify_stream_state *st)
{
	memset(st, 0, sizeof(*st));
	st->seg = vs->rep.nsegs ? &vs->rep.segs[vs->rep.nsegs - 1] : NULL;
	st->last_seq = vs->open ? (vs->s.e ? vs->s.e - 1 : 0) : vs->c.prev.last_seq;
	st->since_seal = vs->open ? vs->s.since_seal : 0;
	st->ncerts = vs->rep.ncerts;
	st->certs = vs->rep.certs;
}

size_t verify_stream_nsegs(const struct verify_stream *vs)
{
	return vs->rep.nsegs;
}

const struct verify_segment *verify_stream_seg(const struct verify_stream *vs, size_t i)
{
	return i < vs->rep.nsegs ? &vs->rep.segs[i] : NULL;
}
