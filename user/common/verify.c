/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The verification run: which segments, in name order; certs.jsonl and
 * head.json; the links between segments; the checks that need the whole
 * log (retention before the oldest segment, head.json after the newest);
 * totals.
 *
 * Links: a segment's header must name the segment before it (prev), which
 * must end at prev_last_seq with head prev_head. When it does not:
 *   header names another file, or links backwards   segments out of order
 *   links to a name between the previous one and it  segment missing between
 *   links to the previous one, which ended early     (previous) records missing
 *   same seq, other head, previous has unsealed tail (previous) record N modified
 * The oldest segment of a directory is the host's first (prev null, epoch 0,
 * prev_head = H(line 1 of certs.jsonl)) or follows segments that a
 * log.retention record (removed, last_seq) accounts for.
 *
 * Epochs come from the chain: a segment that links to the one before it
 * starts at the epoch that one ended with, whatever its header says (a
 * header cannot raise the epoch; the log.key record after it does). Only the
 * oldest segment verified starts at its header's epoch.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "verify_priv.h"

void verify_set(struct verify_segment *s, enum verify_verdict v, uint64_t n, const char *fmt, ...)
{
	va_list ap;

	s->verdict = v;
	s->n = n;
	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
}

void verify_progress(struct verify_ctx *c, uint64_t add)
{
	c->done += add;
	if (c->o->progress && (c->done - c->reported >= (1u << 20) || c->done >= c->total)) {
		c->reported = c->done;
		c->o->progress(c->o->opaque, c->done, c->total);
	}
}

static int ok_verdict(enum verify_verdict v)
{
	return v == VERIFY_VALID || v == VERIFY_UNSEALED_TAIL;
}

/* 1 when a segment found under another file name claimed this name. */
static int misplaced(const struct verify_ctx *c, const char *name)
{
	size_t n = c->nmisplaced < VERIFY_MISPLACED ? c->nmisplaced : VERIFY_MISPLACED;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(c->misplaced[i], name))
			return 1;
	return 0;
}

/* Link to the previous present segment p (known to be complete, named h->prev). */
static void link_same(struct verify_ctx *c, struct verify_segment *s, const struct verify_header *h,
		      uint64_t *epoch)
{
	struct verify_end *p = &c->prev;
	struct verify_segment *ps = &c->rep->segs[p->idx];

	if (p->index != VERIFY_INDEX_UNKNOWN && h->index != p->index + 1) {
		verify_set(s, VERIFY_OUT_OF_ORDER, 0, "index %llu follows index %llu",
			   (unsigned long long)h->index, (unsigned long long)p->index);
	} else if (h->prev_last_seq > p->last_seq) {
		if (ok_verdict(ps->verdict)) {
			verify_set(ps, VERIFY_MISSING, 0, "%s says it ended at seq %llu", s->name,
				   (unsigned long long)h->prev_last_seq);
			ps->a = p->last_seq + 1;
			ps->b = h->prev_last_seq;
		}
	} else if (h->prev_last_seq < p->last_seq) {
		verify_set(s, VERIFY_OUT_OF_ORDER, 0, "follows seq %llu, %s ends at %llu",
			   (unsigned long long)h->prev_last_seq, ps->name,
			   (unsigned long long)p->last_seq);
	} else if (memcmp(h->prev_head, p->head, sizeof(p->head))) {
		if (ps->verdict == VERIFY_UNSEALED_TAIL)
			verify_set(ps, VERIFY_MODIFIED, p->last_seq, "%s links to another head",
				   s->name);
		else
			verify_set(s, VERIFY_OUT_OF_ORDER, 0, "links to another head of %s",
				   ps->name);
	} else if (h->epoch < p->epoch) {
		verify_set(s, VERIFY_UNCERTIFIED_KEY, 0, "starts at epoch %llu after epoch %llu",
			   (unsigned long long)h->epoch, (unsigned long long)p->epoch);
	}
	*epoch = p->epoch;
}

void verify_link(struct verify_ctx *c, size_t idx, const struct verify_header *h, int *need_genesis,
		 uint64_t *epoch)
{
	struct verify_segment *s = &c->rep->segs[idx];
	struct verify_segment *ps = c->prev.present ? &c->rep->segs[c->prev.idx] : NULL;

	*need_genesis = 0;
	*epoch = h->epoch;
	if (h->has_prev && (!ps || strcmp(h->prev, ps->name)) && misplaced(c, h->prev))
		return; /* what it links to is here under another name, and reported there */
	if (!ps) {
		if (!h->has_prev) {
			if (h->prev_last_seq != 0 || h->index != 1 || h->epoch != 0)
				verify_set(s, VERIFY_MALFORMED, 0,
					   "a first segment with index %llu",
					   (unsigned long long)h->index);
			else if (!c->have_genesis)
				*need_genesis = 1;
			else if (memcmp(h->prev_head, c->genesis, sizeof(c->genesis)))
				verify_set(s, VERIFY_UNCERTIFIED_KEY, 0,
					   "does not link to the first certificate of certs.jsonl");
		} else if (!c->anchor_first) {
			c->first_needs_retention = 1;
			c->first_hdr = *h;
		}
		return;
	}
	if (!h->has_prev) {
		verify_set(s, VERIFY_OUT_OF_ORDER, 0, "a first segment after %s", ps->name);
	} else if (!strcmp(h->prev, ps->name)) {
		if (c->prev.complete)
			link_same(c, s, h, epoch);
	} else if (strcmp(h->prev, ps->name) > 0 && strcmp(h->prev, s->name) < 0) {
		verify_set(s, VERIFY_SEGMENT_MISSING, 0, "links to %s", h->prev);
		strcpy(s->other, ps->name);
	} else {
		verify_set(s, VERIFY_OUT_OF_ORDER, 0, "links to %s", h->prev);
	}
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct verify_segment *)a)->name,
		      ((const struct verify_segment *)b)->name);
}

/* Segment names of dir into rep->segs (when want) and the greatest into newest. */
static int list_dir(struct verify_ctx *c, int want, char newest[STORE_SEG_NAME_LEN])
{
	struct verify_report *rep = c->rep;
	DIR *d = opendir(c->o->dir);
	struct dirent *de;
	size_t cap = 0;
	uint64_t seq;

	newest[0] = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int enc;

		if (store_segment_parse_any(de->d_name, &seq, &enc))
			continue;
		if (strcmp(de->d_name, newest) > 0)
			strcpy(newest, de->d_name);
		if (!want)
			continue;
		if (rep->nsegs == cap) {
			void *p;

			cap = cap ? 2 * cap : 64;
			p = rep->nsegs < VERIFY_MAX_SEGMENTS
				? realloc(rep->segs, cap * sizeof(*rep->segs))
				: NULL;
			if (!p) {
				closedir(d);
				return rep->nsegs < VERIFY_MAX_SEGMENTS ? -ENOMEM : -E2BIG;
			}
			rep->segs = p;
		}
		memset(&rep->segs[rep->nsegs], 0, sizeof(*rep->segs));
		strcpy(rep->segs[rep->nsegs++].name, de->d_name);
	}
	closedir(d);
	return 0;
}

static int list_explicit(struct verify_ctx *c)
{
	struct verify_report *rep = c->rep;
	size_t i;
	uint64_t seq;

	if (c->o->nsegments > VERIFY_MAX_SEGMENTS)
		return -E2BIG;
	rep->segs = calloc(c->o->nsegments ? c->o->nsegments : 1, sizeof(*rep->segs));
	if (!rep->segs)
		return -ENOMEM;
	for (i = 0; i < c->o->nsegments; i++) {
		const char *p = c->o->segments[i], *base = strrchr(p, '/');

		base = base ? base + 1 : p;
		if (store_segment_parse(base, &seq)) {
			snprintf(rep->err, sizeof(rep->err), "%s: not a segment name", p);
			return -EINVAL;
		}
		strcpy(rep->segs[i].name, base);
		rep->nsegs++;
	}
	return 0;
}

/* The file of segment i: the explicit path that names it, or dir/name. */
static const char *seg_path(const struct verify_ctx *c, size_t i, char *buf, size_t len)
{
	const char *name = c->rep->segs[i].name;

	for (size_t j = 0; j < c->o->nsegments; j++) {
		const char *p = c->o->segments[j], *base = strrchr(p, '/');

		if (!strcmp(base ? base + 1 : p, name))
			return p;
	}
	snprintf(buf, len, "%s/%s", c->o->dir, name);
	return buf;
}

/* The oldest segment follows segments removed by retention, or something is missing. */
static void check_retention(struct verify_ctx *c)
{
	const struct verify_header *h = &c->first_hdr;
	struct verify_segment *s = &c->rep->segs[0];

	for (size_t i = 0; i < c->nret; i++) {
		const struct verify_retention *r = &c->ret[i];

		if (r->last_seq == h->prev_last_seq && !strcmp(r->last_removed, h->prev) &&
		    (!r->has_head || !memcmp(r->last_head, h->prev_head, sizeof(r->last_head))))
			return;
	}
	verify_set(s, VERIFY_SEGMENT_MISSING, 0, "links to %s, not removed by retention", h->prev);
	strcpy(s->other, "start");
}

/* head.json's seal: signed by its epoch's key, and reached by the log. */
static void check_head(struct verify_ctx *c)
{
	struct verify_report *rep = c->rep;
	struct verify_segment *last = &rep->segs[rep->nsegs - 1];
	const struct verify_head_json *hj = &c->hj;
	const struct verify_key *k;
	int all_complete = 1;

	if (!hj->present)
		return;
	for (size_t i = 0; i < rep->nsegs; i++)
		all_complete &= ok_verdict(rep->segs[i].verdict);
	k = verify_key_find(c, hj->z.epoch);
	if (k && k->ok && store_seal_verify(&hj->z, c->o->root, k->pub)) {
		rep->head = VERIFY_HEAD_BAD_SIG;
	} else if (!last->newest || !k || !k->ok) {
		rep->head = VERIFY_HEAD_UNCHECKED; /* not the segments given, or no key for it */
	} else if (hj->matched == 1) {
		rep->head = VERIFY_HEAD_OK;
	} else if (hj->matched < 0) {
		rep->head = VERIFY_HEAD_MISMATCH;
	} else if (ok_verdict(last->verdict) && (!c->any_sealed || hj->seal_seq > c->max_seal_seq ||
						 strcmp(hj->segment, last->name) > 0)) {
		rep->head = VERIFY_HEAD_BEYOND;
		verify_set(last, VERIFY_TRUNCATED, 0, "head.json has a seal at seq %llu in %s",
			   (unsigned long long)hj->seal_seq, hj->segment);
	} else {
		rep->head = all_complete ? VERIFY_HEAD_MISMATCH : VERIFY_HEAD_UNCHECKED;
	}
}

static void totals(struct verify_report *rep)
{
	int have = 0;

	for (size_t i = 0; i < rep->nsegs; i++) {
		const struct verify_segment *s = &rep->segs[i];

		rep->count[s->verdict]++;
		rep->records += s->records;
		if (!s->last_seq && !s->first_time[0])
			continue;
		if (!have) {
			rep->first_seq = s->first_seq;
			memcpy(rep->first_time, s->first_time, sizeof(rep->first_time));
			have = 1;
		}
		rep->last_seq = s->last_seq;
		memcpy(rep->last_time, s->last_time, sizeof(rep->last_time));
	}
}

static int run(struct verify_ctx *c)
{
	struct verify_report *rep = c->rep;
	char newest[STORE_SEG_NAME_LEN], buf[4200];
	struct stat st;
	size_t i;
	int r;

	if (c->o->segments) {
		c->anchor_first = 1;
		r = list_explicit(c);
		if (!r && list_dir(c, 0, newest))
			newest[0] = 0;
	} else {
		r = list_dir(c, 1, newest);
		if (r)
			snprintf(rep->err, sizeof(rep->err), "%s: %s", c->o->dir, strerror(-r));
	}
	if (r)
		return r;
	qsort(rep->segs, rep->nsegs, sizeof(*rep->segs), name_cmp);
	for (i = 0; i < rep->nsegs; i++) {
		const char *p = seg_path(c, i, buf, sizeof(buf));

		if (i && !strcmp(rep->segs[i].name, rep->segs[i - 1].name)) {
			snprintf(rep->err, sizeof(rep->err), "%s: given twice", rep->segs[i].name);
			return -EINVAL;
		}
		if (stat(p, &st) < 0) {
			r = -errno;
			snprintf(rep->err, sizeof(rep->err), "%s: %s", p, strerror(errno));
			return r;
		}
		rep->segs[i].bytes = (uint64_t)st.st_size;
		c->total += (uint64_t)st.st_size;
	}
	if (rep->nsegs)
		rep->segs[rep->nsegs - 1].newest =
		    strcmp(rep->segs[rep->nsegs - 1].name, newest) >= 0;
	r = verify_load_certs(c);
	if (r)
		return r;
	verify_load_head(c);
	for (i = 0; i < rep->nsegs; i++) {
		const char *p = seg_path(c, i, buf, sizeof(buf));

		r = verify_segment_run(c, p, i);
		if (r) {
			snprintf(rep->err, sizeof(rep->err), "%s: %s", p, strerror(-r));
			return r;
		}
	}
	if (c->first_needs_retention)
		check_retention(c);
	if (rep->nsegs)
		check_head(c);
	totals(rep);
	return 0;
}

int verify_log(const struct verify_opts *o, struct verify_report *rep)
{
	struct verify_ctx c;
	int r;

	memset(rep, 0, sizeof(*rep));
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.rep = rep;
	c.max_line = o->max_line ? o->max_line : VERIFY_DEFAULT_MAX_LINE;
	c.max_bytes = o->max_segment_bytes ? o->max_segment_bytes : VERIFY_DEFAULT_MAX_SEGMENT;
	if (!o->dir) {
		snprintf(rep->err, sizeof(rep->err), "no log directory");
		return -EINVAL;
	}
	if (cr_init()) {
		snprintf(rep->err, sizeof(rep->err), "libsodium did not initialise");
		return -EIO;
	}
	c.in = malloc(VERIFY_IO_CHUNK);
	c.out = malloc(VERIFY_IO_CHUNK);
	c.line = malloc(c.max_line);
	r = c.in && c.out && c.line ? run(&c) : -ENOMEM;
	if (r && !rep->err[0])
		snprintf(rep->err, sizeof(rep->err), "%s", strerror(-r));
	free(c.in);
	free(c.out);
	free(c.line);
	free(c.keys);
	free(c.ret);
	if (c.tok)
		json_tokener_free(c.tok);
	return r;
}
