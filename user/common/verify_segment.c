/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One segment: gzip members inflated in a stream, split into lines, each
 * line checked against the chain (seq, prev, h), store records checked
 * (seals, keys, retention...). The first problem is the verdict; after it
 * the rest is only counted.
 *
 * Pinpointing (docs/log-format.md, "Verdicts"), with e the next expected
 * seq and h the head so far; a line that does not continue the chain is
 * judged with the line after it (N):
 *   seq e, prev ok                      the next record
 *   seq e-1, prev = h(e-2)              the line before was inserted
 *   seq > e, N is record e and our prev = h after N
 *                                       two records swapped: "record e modified"
 *   N is record e (seq e, prev ok)      this line was inserted
 *   seq > e, prev ok                    record e's seq was changed: "record e modified"
 *   seq > e, prev bad                   "records missing (seq e-(seq-1))"; if one of
 *                                       them turns up later it was a reorder:
 *                                       "record e modified"
 *   seq e, prev bad                     record e-1 was modified
 *   seq < e                             inserted (a copy of an older line)
 *   no seq                              record e modified (inserted when nothing follows)
 * Records out of order are thus folded into "record N modified", N being the
 * first seq not at its place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "verify_priv.h"

#define STORE_EVENT_TAG "\"event\":\"log."

/* The 16 hex digits of a line's "prev", or NULL. */
static const char *prev_hex(const char *l, size_t n)
{
	static const char pat[] = ",\"prev\":\"";
	const char *p = memchr(l, ',', n < 40 ? n : 40);

	if (!p || (size_t)(l + n - p) < sizeof(pat) - 1 + STORE_PREV_HEX + 1 ||
	    memcmp(p, pat, sizeof(pat) - 1))
		return NULL;
	return p + sizeof(pat) - 1;
}

/* The "time" of a record line, found near its start. */
static void line_time(const char *l, size_t n, char out[VERIFY_TIME_LEN])
{
	static const char pat[] = "\"time\":\"";
	size_t lim = n < 128 ? n : 128, i;
	const char *p = memmem(l, lim, pat, sizeof(pat) - 1);

	if (!p)
		return;
	p += sizeof(pat) - 1;
	for (i = 0; p + i < l + n && i < VERIFY_TIME_LEN - 1 && p[i] != '"'; i++)
		;
	if (p + i < l + n && p[i] == '"') {
		memcpy(out, p, i);
		out[i] = 0;
	}
}

/* Later lines after a verdict: counted, and checked for a provisional one. */
static void seg_count(struct verify_seg *s, const char *l, size_t n)
{
	uint64_t seq;

	if (s->prov == VERIFY_PROV_NONE || store_record_seq(l, n, &seq))
		return;
	if (s->prov == VERIFY_PROV_MISSING && seq >= s->prov_a && seq <= s->prov_b) {
		verify_set(s->out, VERIFY_MODIFIED, s->prov_a,
			   "record %llu turns up later: records out of order",
			   (unsigned long long)seq);
		s->prov = VERIFY_PROV_NONE;
	} else if (s->prov == VERIFY_PROV_MOVED && seq == s->prov_a) {
		s->prov = VERIFY_PROV_NONE; /* its own place is taken too: it was inserted */
	} else if (s->prov == VERIFY_PROV_MOVED && seq > s->prov_a) {
		verify_set(s->out, VERIFY_MODIFIED, s->prov_e,
			   "record %llu was moved before record %llu: records out of order",
			   (unsigned long long)s->prov_a, (unsigned long long)s->prov_e);
		s->prov = VERIFY_PROV_NONE;
	}
}

/* Decide the pending line with the next line l (NULL: none usable). */
static void seg_resolve(struct verify_seg *s, const char *l, size_t n)
{
	uint64_t sn = 0, e = s->e;
	int has_n = l && !store_record_seq(l, n, &sn);
	int n_here = has_n && sn == e && store_prev_matches(l, n, s->h);

	s->pending = 0;
	if (n_here && s->p_has_seq && s->p_seq > e && s->p_has_prev) {
		uint8_t hn[CRYPTO_HASH_LEN];
		char hex[2 * CRYPTO_HASH_LEN + 1];

		cr_chain(hn, s->h, l, n);
		cr_to_hex(hex, hn, STORE_PREV_HEX / 2);
		if (!memcmp(hex, s->p_prev, STORE_PREV_HEX)) {
			verify_set(s->out, VERIFY_MODIFIED, e,
				   "record %llu comes before record %llu: records out of order",
				   (unsigned long long)s->p_seq, (unsigned long long)e);
			return;
		}
	}
	if (n_here) {
		uint64_t at = s->p_has_seq ? s->p_seq : e;

		verify_set(s->out, VERIFY_INSERTED, at, "a line before record %llu",
			   (unsigned long long)e);
		if (s->p_has_seq && s->p_seq > e) {
			s->prov = VERIFY_PROV_MOVED;
			s->prov_a = s->p_seq;
			s->prov_e = e;
		}
	} else if (s->p_has_seq && s->p_seq > e && s->p_pm) {
		verify_set(s->out, VERIFY_MODIFIED, e, "its seq reads %llu",
			   (unsigned long long)s->p_seq);
	} else if (s->p_has_seq && s->p_seq > e) {
		verify_set(s->out, VERIFY_MISSING, 0, "seq jumps from %llu to %llu",
			   (unsigned long long)(e - 1), (unsigned long long)s->p_seq);
		s->out->a = e;
		s->out->b = s->p_seq - 1;
		s->prov = VERIFY_PROV_MISSING;
		s->prov_a = e;
		s->prov_b = s->p_seq - 1;
	} else if (s->p_has_seq && s->p_seq == e) {
		verify_set(s->out, VERIFY_MODIFIED, e - 1, "prev of record %llu does not match",
			   (unsigned long long)e);
	} else if (s->p_has_seq) {
		verify_set(s->out, VERIFY_INSERTED, s->p_seq, "seq goes back from %llu to %llu",
			   (unsigned long long)(e - 1), (unsigned long long)s->p_seq);
	} else if (l) {
		verify_set(s->out, VERIFY_MODIFIED, e, "line at seq %llu has no seq",
			   (unsigned long long)e);
	} else {
		verify_set(s->out, VERIFY_INSERTED, e, "a line without seq at the end");
	}
}

/* Chain an accepted line; the header (checked already) is not a store record here. */
static void seg_accept(struct verify_seg *s, const char *l, size_t n, uint64_t seq, int header)
{
	int seal = 0;

	if (!header && memmem(l, n, STORE_EVENT_TAG, sizeof(STORE_EVENT_TAG) - 1)) {
		seal = verify_store_record(s, l, n, seq);
		if (VERIFY_DONE(s))
			return;
	}
	memcpy(s->hp, s->h, sizeof(s->h));
	cr_chain(s->h, s->h, l, n);
	if (s->c->o->record)
		s->c->o->record(s->c->o->record_opaque, (size_t)(s->out - s->c->rep->segs), l, n,
				seq);
	s->e = seq + 1;
	if (!s->nacc++) {
		s->out->first_seq = seq;
		line_time(l, n, s->out->first_time);
	}
	s->out->last_seq = seq;
	line_time(l, n, s->out->last_time);
	if (seal) {
		s->since_seal = 0;
		s->block_start = seq + 1;
	} else {
		s->since_seal++;
	}
}

static void seg_header(struct verify_seg *s, const char *l, size_t n)
{
	struct verify_segment *out = s->out;
	uint64_t seq, nseq = 0, time_ns;
	json_object *o;
	const char *ev;
	int bad, enc;

	s->have_header = 1;
	store_segment_parse_any(out->name, &nseq, &enc);
	if (store_record_seq(l, n, &seq)) {
		verify_set(out, VERIFY_MALFORMED, 0, "the first line is not a record");
		return;
	}
	o = verify_json_parse(s->c, l, n);
	ev = o ? verify_event(o) : NULL;
	if (!ev || strcmp(ev, "log.segment")) {
		json_object_put(o);
		if (seq > nseq) {
			verify_set(out, VERIFY_MISSING, 0, "the segment starts at seq %llu",
				   (unsigned long long)seq);
			out->a = nseq;
			out->b = seq - 1;
		} else if (seq == nseq) {
			verify_set(out, VERIFY_MODIFIED, seq, "not a segment header");
		} else {
			verify_set(out, VERIFY_MALFORMED, 0, "no segment header");
		}
		return;
	}
	bad = verify_read_common(o, &time_ns) || verify_read_header(o, seq, &s->hdr);
	json_object_put(o);
	if (bad)
		verify_set(out, VERIFY_MALFORMED, 0, "segment header");
	else if (memcmp(s->hdr.root, s->c->o->root, CRYPTO_PUB_LEN))
		verify_set(out, VERIFY_UNKNOWN_ROOT, 0, "the header names another root key");
	else if ((s->misplaced = strcmp(s->hdr.name, out->name) != 0))
		verify_set(out, VERIFY_OUT_OF_ORDER, 0, "its header names %s", s->hdr.name);
	else if (seq != nseq)
		verify_set(out, VERIFY_MALFORMED, 0, "the header's seq is %llu",
			   (unsigned long long)seq);
	else if (!store_prev_matches(l, n, s->hdr.prev_head))
		verify_set(out, VERIFY_MODIFIED, seq, "prev does not match prev_head");
	if (VERIFY_DONE(s))
		return;
	s->link_due = 1;
	memcpy(s->h, s->hdr.prev_head, sizeof(s->h));
	s->cur_epoch = s->hdr.epoch;
	s->block_start = seq;
	seg_accept(s, l, n, seq, 1);
}

/*
 * The header's links to the segment before it, once the next line has
 * confirmed the header: when that line's prev does not match, the header
 * itself was modified, which the chain reports.
 */
static void seg_link(struct verify_seg *s, const char *l, size_t n)
{
	uint64_t seq;

	s->link_due = 0;
	if (l && !store_record_seq(l, n, &seq) && seq == s->e && !store_prev_matches(l, n, s->h))
		return;
	verify_link(s->c, (size_t)(s->out - s->c->rep->segs), &s->hdr, &s->need_genesis,
		    &s->cur_epoch);
}

static void seg_line(struct verify_seg *s, const char *l, size_t n)
{
	uint64_t seq = 0;
	const char *ph;

	s->out->records++;
	if (VERIFY_DONE(s))
		goto count;
	if (!s->have_header) {
		seg_header(s, l, n);
		return;
	}
	if (s->link_due) {
		seg_link(s, l, n);
		if (VERIFY_DONE(s))
			goto count;
	}
	if (s->pending) {
		seg_resolve(s, l, n);
		goto count;
	}
	if (!store_record_seq(l, n, &seq) && seq != UINT64_MAX) {
		if (seq == s->e && store_prev_matches(l, n, s->h)) {
			seg_accept(s, l, n, seq, 0);
			return;
		}
		if (seq == s->e - 1 && store_prev_matches(l, n, s->hp)) {
			verify_set(s->out, VERIFY_INSERTED, seq, "two lines claim seq %llu",
				   (unsigned long long)seq);
			return;
		}
		s->p_has_seq = 1;
		s->p_seq = seq;
		s->p_pm = store_prev_matches(l, n, s->h);
	} else {
		s->p_has_seq = 0;
		s->p_pm = 0;
	}
	ph = prev_hex(l, n);
	s->p_has_prev = ph != NULL;
	if (ph)
		memcpy(s->p_prev, ph, STORE_PREV_HEX);
	s->pending = 1;
	return;
count:
	seg_count(s, l, n);
}

static void seg_overlong(struct verify_seg *s)
{
	s->out->records++;
	if (VERIFY_DONE(s))
		return;
	if (s->link_due)
		seg_link(s, NULL, 0);
	if (VERIFY_DONE(s))
		return;
	if (s->pending)
		seg_resolve(s, NULL, 0);
	else
		verify_set(s->out, VERIFY_MALFORMED, 0, "a line longer than %zu bytes",
			   s->c->max_line);
}

void verify_segment_bytes(struct verify_seg *s, const char *p, size_t n)
{
	size_t max = s->c->max_line;

	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;

		if (nl && !s->linelen && !s->overlong) {
			if (k > max)
				seg_overlong(s);
			else
				seg_line(s, p, k);
		} else {
			if (!s->overlong && k <= max - s->linelen) {
				memcpy(s->c->line + s->linelen, p, k);
				s->linelen += k;
			} else {
				s->overlong = 1;
			}
			if (nl) {
				if (s->overlong)
					seg_overlong(s);
				else
					seg_line(s, s->c->line, s->linelen);
				s->linelen = 0;
				s->overlong = 0;
			}
		}
		if (!nl)
			break;
		p += k + 1;
		n -= k + 1;
	}
}

/* The end of the file: incomplete when it stops inside a gzip member. */
void verify_segment_finish(struct verify_seg *s, int incomplete)
{
	int partial = s->linelen || s->overlong;
	int tail = s->newest && incomplete;

	if (s->overlong) {
		seg_overlong(s); /* counts it */
		partial = 0;
	} else if (partial) {
		s->out->records++;
	}
	if (!s->have_header && !VERIFY_DONE(s)) {
		verify_set(s->out, VERIFY_TRUNCATED, 0, "no complete segment header");
		return;
	}
	if (s->link_due)
		seg_link(s, NULL, 0);
	if (s->pending && !VERIFY_DONE(s))
		seg_resolve(s, NULL, 0);
	if (VERIFY_DONE(s))
		return;
	if (partial && !tail)
		verify_set(s->out, VERIFY_TRUNCATED, 0, "ends inside a line");
	else if (incomplete && !tail)
		verify_set(s->out, VERIFY_TRUNCATED, 0, "ends inside a gzip member");
	else if (s->since_seal + (uint64_t)partial) {
		verify_set(s->out, VERIFY_UNSEALED_TAIL, s->since_seal + (uint64_t)partial, "%s",
			   s->newest ? "the newest segment" : "not the newest segment");
	}
}

static int seg_read(struct verify_seg *s, int fd)
{
	struct verify_ctx *c = s->c;
	z_stream zs;
	int in_member = 0, zr = Z_OK, r = 0, too_big = 0;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, c->in, VERIFY_IO_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		verify_progress(c, (uint64_t)n);
		zs.next_in = c->in;
		zs.avail_in = (unsigned)n;
		do {
			size_t got;

			if (zs.avail_in)
				in_member = 1;
			zs.next_out = c->out;
			zs.avail_out = VERIFY_IO_CHUNK;
			zr = inflate(&zs, Z_NO_FLUSH);
			got = VERIFY_IO_CHUNK - zs.avail_out;
			s->out_total += got;
			if (s->out_total > c->max_bytes) {
				too_big = 1;
				zr = Z_DATA_ERROR;
				break;
			}
			verify_segment_bytes(s, (const char *)c->out, got);
			if (zr == Z_STREAM_END) {
				in_member = 0;
				zr = inflateReset(&zs);
			}
			if (zr == Z_BUF_ERROR)
				zr = Z_OK; /* wants more input */
			if (zr != Z_OK)
				break;
		} while (zs.avail_in || !zs.avail_out);
		if (zr != Z_OK)
			break;
	}
	inflateEnd(&zs);
	if (r)
		return r;
	if (zr == Z_MEM_ERROR)
		return -ENOMEM;
	if (zr != Z_OK) {
		if (!VERIFY_DONE(s)) {
			if (s->link_due)
				seg_link(s, NULL, 0);
			if (s->pending && !VERIFY_DONE(s))
				seg_resolve(s, NULL, 0);
			if (!VERIFY_DONE(s))
				verify_set(s->out, VERIFY_MALFORMED, 0, "%s",
					   too_big ? "more decompressed bytes than allowed"
						   : "not gzip");
		}
		return 0;
	}
	verify_segment_finish(s, in_member);
	return 0;
}

/*
 * An encrypted segment read without its key: its header is unreadable, so it
 * links to its neighbours by seq (its name's first seq follows the previous
 * segment's last) and by the chain head its seals continue.
 */
static int encrypted_link(struct verify_ctx *c, struct verify_seg *s, size_t idx, uint64_t first,
			  int r)
{
	struct verify_end *p = &c->prev;

	if (p->present && p->complete && s->out->verdict == VERIFY_VALID) {
		if (first > p->last_seq + 1) {
			verify_set(s->out, VERIFY_MISSING, 0, "starts at seq %llu after %llu",
				   (unsigned long long)first, (unsigned long long)p->last_seq);
			s->out->a = p->last_seq + 1;
			s->out->b = first - 1;
		} else if (first < p->last_seq + 1) {
			verify_set(s->out, VERIFY_OUT_OF_ORDER, 0, "starts at seq %llu, before %llu",
				   (unsigned long long)first, (unsigned long long)p->last_seq + 1);
		}
	}
	p->present = 1;
	p->idx = idx;
	p->complete = s->out->verdict == VERIFY_VALID || s->out->verdict == VERIFY_UNSEALED_TAIL;
	p->index = VERIFY_INDEX_UNKNOWN;
	p->last_seq = s->e ? s->e - 1 : 0;
	p->epoch = s->cur_epoch;
	memcpy(p->head, s->h, sizeof(s->h));
	return r;
}

int verify_segment_run(struct verify_ctx *c, const char *path, size_t idx)
{
	struct verify_seg s;
	struct stat st;
	uint64_t first = 0;
	int fd, r, enc = 0;

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.out = &c->rep->segs[idx];
	s.newest = s.out->newest;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		verify_set(s.out, VERIFY_MALFORMED, 0, "not a regular file");
		r = 0;
	} else if (store_segment_parse_any(s.out->name, &first, &enc) == 0 && enc) {
		if (!c->o->have_decrypt_key) {
			/* read by seals alone: the chain position comes from the name */
			s.cur_epoch = c->prev.present ? c->prev.epoch : 0;
			s.e = first;
		}
		r = verify_encrypted_run(&s, fd, first);
		if (!c->o->have_decrypt_key) {
			close(fd);
			return encrypted_link(c, &s, idx, first, r);
		}
	} else {
		r = seg_read(&s, fd);
	}
	close(fd);
	verify_segment_end(c, &s, idx);
	return r;
}

void verify_segment_end(struct verify_ctx *c, struct verify_seg *s, size_t idx)
{
	/*
	 * A copy of another segment (replayed, swapped) is not the one the next
	 * links to; the name it claims is remembered (it was found, if misplaced).
	 */
	if (s->misplaced) {
		strcpy(c->misplaced[c->nmisplaced++ % VERIFY_MISPLACED], s->hdr.name);
		return;
	}
	c->prev.present = 1;
	c->prev.idx = idx;
	c->prev.complete = s->have_header && (s->out->verdict == VERIFY_VALID ||
					      s->out->verdict == VERIFY_UNSEALED_TAIL);
	c->prev.index = s->hdr.index;
	c->prev.last_seq = s->e ? s->e - 1 : 0;
	c->prev.epoch = s->cur_epoch;
	memcpy(c->prev.head, s->h, sizeof(s->h));
}
