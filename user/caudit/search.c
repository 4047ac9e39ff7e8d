/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Search engine: see search.h.
 *
 * Indexes: for every segment but the newest, idx-<N>.bin is read, parsed,
 * and checked against the epoch keys certified by certs.jsonl (its seal
 * and its own signature). Only an index that checks out may skip a
 * segment; a missing one means "scan", a bad one also prints a note.
 * Segments left to read form runs of neighbours, each verified as explicit
 * segments (or the whole directory when nothing was skipped, which also
 * checks retention and head.json).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "search.h"
#include "seg_index.h"

#define SR_MAX_PENDING (1u << 30) /* bytes of matches held while merging directories */

struct seglist {
	char (*names)[STORE_SEG_NAME_LEN];
	size_t n;
};

struct run {
	const struct sr_opts *o;
	struct sr_stats *st;
	unsigned src;
	struct rec_scanner sc;
	/* matches of the current verify_log call, by segment */
	struct sr_match *m;
	size_t nm, capm;
	size_t flushed;		   /* matches before this are handed over */
	size_t cur_seg;		   /* segment of the last record seen */
	struct verify_report *rep; /* of the running call (NULL: not known yet) */
	/* merging several directories: everything is kept, sorted at the end */
	int merge;
	size_t bytes;
	int oom;
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int list_segments(const char *dir, struct seglist *l)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;

	l->names = NULL;
	l->n = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		uint64_t seq;
		int enc;

		if (store_segment_parse_any(de->d_name, &seq, &enc))
			continue;
		if (l->n == cap) {
			void *p =
			    l->n < VERIFY_MAX_SEGMENTS
				? realloc(l->names, (cap = cap ? 2 * cap : 64) * sizeof(*l->names))
				: NULL;

			if (!p) {
				closedir(d);
				return -ENOMEM;
			}
			l->names = p;
		}
		strcpy(l->names[l->n++], de->d_name);
	}
	closedir(d);
	qsort(l->names, l->n, sizeof(*l->names), name_cmp);
	return 0;
}

/* The file's bytes, at most max. */
static int read_file(const char *path, size_t max, uint8_t **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat s;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &s) < 0 || !S_ISREG(s.st_mode) || (uint64_t)s.st_size > max) {
		close(fd);
		return -EINVAL;
	}
	*buf = malloc((size_t)s.st_size + 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, *buf, (size_t)s.st_size);
	close(fd);
	if (n != s.st_size) {
		free(*buf);
		return -EIO;
	}
	*len = (size_t)n;
	return 0;
}

/* 1 when the segment's signed index proves no record of it can match. */
static int index_skips(const struct sr_opts *o, struct sr_stats *st, const char *dir,
		       const char *seg, struct verify_keyring *kr)
{
	char path[4200], idxname[SIX_NAME_LEN];
	uint64_t first, start_seq = 0;
	const uint8_t *pub;
	struct seg_index ix;
	uint8_t *buf = NULL;
	size_t len = 0;
	int r, skip = 0;

	if (store_segment_parse(seg, &first))
		return 0; /* encrypted segments have no index */
	six_file_name(idxname, first);
	snprintf(path, sizeof(path), "%s/%s", dir, idxname);
	r = read_file(path, SIX_MAX_FILE, &buf, &len);
	if (r == -ENOENT)
		return 0;
	if (r || six_parse(buf, len, &ix) ||
	    !(pub = verify_keyring_find(kr, ix.seal.epoch, &start_seq)) ||
	    six_check(&ix, seg, o->root, pub, start_seq)) {
		st->bad_index++;
		if (!o->quiet)
			fprintf(stderr, "caudit: %s: the index does not check out; scanning %s\n",
				idxname, seg);
	} else {
		skip = !six_may_match(&ix, o->f) || (o->after_seq && ix.last_seq <= o->after_seq);
	}
	free(buf);
	return skip;
}

static int m_cmp(const void *a, const void *b)
{
	const struct sr_match *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void m_free(struct sr_match *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].line);
}

/* Hand over (or keep, when merging) the matches of segments before `upto`. */
static void flush(struct run *r, size_t upto, int all)
{
	size_t i = r->flushed, end = r->flushed;
	const struct verify_report *rep = r->rep;

	while (end < r->nm && (all || r->m[end].src < upto))
		end++;
	if (end == i)
		return;
	/* src holds the segment index until here: see on_record */
	for (size_t k = i; k < end;) {
		size_t seg = (size_t)r->m[k].src, j = k;
		int bad =
		    rep && seg < rep->nsegs && verify_segment_failed(&rep->segs[seg], r->o->strict);

		while (j < end && (size_t)r->m[j].src == seg)
			j++;
		if (bad && r->o->strict)
			r->st->strict_failed = 1;
		if (bad) {
			r->st->withheld += j - k;
			m_free(r->m + k, j - k);
			memmove(r->m + k, r->m + j, (r->nm - j) * sizeof(*r->m));
			r->nm -= j - k;
			end -= j - k;
			continue;
		}
		for (size_t q = k; q < j; q++)
			r->m[q].src = r->src;
		k = j;
	}
	if (r->merge) {
		r->flushed = end;
		return;
	}
	qsort(r->m + i, end - i, sizeof(*r->m), m_cmp);
	for (size_t k = i; k < end; k++) {
		if (!r->st->stopped && !r->st->strict_failed && r->o->emit(r->o->opaque, &r->m[k]))
			r->st->stopped = 1;
		free(r->m[k].line);
	}
	memmove(r->m + i, r->m + end, (r->nm - end) * sizeof(*r->m));
	r->nm -= end - i;
}

static void on_record(void *opaque, size_t seg, const char *line, size_t len, uint64_t seq)
{
	struct run *r = opaque;
	struct rec_view v;
	int64_t t;
	struct sr_match *m;

	r->st->records++;
	/* segments two back are final (the one before may still get a link verdict) */
	if (seg >= 2 && seg - 1 > r->cur_seg) {
		r->cur_seg = seg - 1;
		flush(r, seg - 1, 0);
	}
	if (seq > r->st->last_seq)
		r->st->last_seq = seq;
	if (r->st->stopped || r->oom || seq <= r->o->after_seq)
		return;
	if (rs_scan(&r->sc, line, len, &v) || !v.s[RS_TIME].p ||
	    rs_time_ns(v.s[RS_TIME].p, v.s[RS_TIME].n, &t))
		return; /* a chained record the scanner cannot read: not an event we can filter */
	if (!sf_match(r->o->f, &v, t))
		return;
	r->st->matched++;
	if (r->nm == r->capm) {
		size_t cap = r->capm ? 2 * r->capm : 1024;
		void *p = realloc(r->m, cap * sizeof(*r->m));

		if (!p) {
			r->oom = 1;
			return;
		}
		r->m = p;
		r->capm = cap;
	}
	m = &r->m[r->nm];
	m->line = malloc(len + 1);
	if (!m->line || (r->merge && (r->bytes += len) > SR_MAX_PENDING)) {
		free(m->line);
		r->oom = 1;
		return;
	}
	memcpy(m->line, line, len);
	m->line[len] = 0;
	m->len = len;
	m->t = t;
	m->seq = seq;
	m->src = (unsigned)seg; /* the segment until its verdict is known (flush) */
	r->nm++;
}

static void report_segment(const struct verify_segment *s, const char *dir, int strict)
{
	char v[256];

	verify_verdict_format(s, v, sizeof(v));
	fprintf(stderr, "caudit: %s/%s: %s%s\n", dir, s->name, v,
		strict ? "" : "; its records are not shown");
}

/* Verify and read segments names[a..b) of dir (all of dir when whole). */
static int read_run(struct run *r, const char *dir, const struct seglist *l, size_t a, size_t b,
		    int whole)
{
	const struct sr_opts *o = r->o;
	struct verify_opts vo;
	struct verify_report rep;
	const char **segs = NULL;
	char(*paths)[4200] = NULL;
	size_t keep = r->nm;
	int rc;

	memset(&vo, 0, sizeof(vo));
	vo.dir = dir;
	memcpy(vo.root, o->root, sizeof(vo.root));
	vo.strict = o->strict;
	vo.have_decrypt_key = o->have_decrypt_key;
	memcpy(vo.decrypt_pub, o->decrypt_pub, sizeof(vo.decrypt_pub));
	memcpy(vo.decrypt_secret, o->decrypt_secret, sizeof(vo.decrypt_secret));
	vo.record = on_record;
	vo.record_opaque = r;
	if (!whole) {
		segs = calloc(b - a, sizeof(*segs));
		paths = calloc(b - a, sizeof(*paths));
		if (!segs || !paths) {
			free(segs);
			free(paths);
			return -ENOMEM;
		}
		for (size_t i = a; i < b; i++) {
			snprintf(paths[i - a], sizeof(paths[0]), "%s/%s", dir, l->names[i]);
			segs[i - a] = paths[i - a];
		}
		vo.segments = segs;
		vo.nsegments = b - a;
	}
	r->rep = &rep; /* verify_log fills it as it goes: flush reads finished verdicts */
	r->flushed = keep;
	r->cur_seg = 0;
	rc = verify_log(&vo, &rep);
	cr_wipe(vo.decrypt_secret, sizeof(vo.decrypt_secret));
	free(segs);
	free(paths);
	if (rc) {
		fprintf(stderr, "caudit: %s: %s\n", dir, rep.err);
		m_free(r->m + keep, r->nm - keep);
		r->nm = keep;
		verify_report_free(&rep);
		return rc;
	}
	for (size_t i = 0; i < rep.nsegs; i++) {
		const struct verify_segment *s = &rep.segs[i];

		r->st->scanned++;
		if (!verify_segment_failed(s, o->strict))
			continue;
		r->st->failed++;
		report_segment(s, dir, o->strict);
		if (o->strict)
			r->st->strict_failed = 1;
	}
	if (rep.nsegs) {
		snprintf(r->st->last_segment, sizeof(r->st->last_segment), "%s",
			 rep.segs[rep.nsegs - 1].name);
	}
	if (o->strict && !verify_passed(&rep, 1) && !r->st->strict_failed) {
		fprintf(stderr, "caudit: %s: certs.jsonl or head.json does not verify\n", dir);
		r->st->strict_failed = 1;
	}
	if (r->st->strict_failed) {
		m_free(r->m + keep, r->nm - keep);
		r->nm = keep;
	} else {
		flush(r, 0, 1);
	}
	r->rep = NULL;
	verify_report_free(&rep);
	return 0;
}

static int run_dir(struct run *r, const char *path)
{
	const struct sr_opts *o = r->o;
	struct verify_keyring *kr = NULL;
	char dir[4096], only[STORE_SEG_NAME_LEN] = "";
	struct seglist l;
	unsigned char *skip;
	size_t i, nskip = 0;
	struct stat sb;
	int rc;

	/* a segment file: its directory (certs.jsonl, the keys), that segment only */
	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
		char *slash = strrchr(dir, '/');
		const char *base = slash ? slash + 1 : dir;
		uint64_t seq;
		int enc;

		if (strlen(base) >= sizeof(only) || store_segment_parse_any(base, &seq, &enc)) {
			fprintf(stderr, "caudit: %s: not a log directory or segment\n", path);
			return -EINVAL;
		}
		strcpy(only, base);
		if (!slash)
			strcpy(dir, ".");
		else if (slash == dir)
			dir[1] = 0;
		else
			*slash = 0;
	}
	rc = list_segments(dir, &l);
	if (rc) {
		fprintf(stderr, "caudit: %s: %s\n", dir, strerror(-rc));
		return rc;
	}
	skip = calloc(l.n ? l.n : 1, 1);
	if (!skip) {
		free(l.names);
		return -ENOMEM;
	}
	for (i = 0; only[0] && i < l.n; i++)
		if (strcmp(l.names[i], only)) {
			skip[i] = 1;
			nskip++;
		}
	r->st->segments += l.n - nskip;
	if (only[0] && nskip == l.n) {
		fprintf(stderr, "caudit: %s: not found\n", path);
		free(skip);
		free(l.names);
		return -ENOENT;
	}
	/* tail -f: segments that end before after_seq are done */
	for (i = 0; o->after_seq && i + 1 < l.n; i++) {
		uint64_t next;
		int enc;

		if (!store_segment_parse_any(l.names[i + 1], &next, &enc) &&
		    next <= o->after_seq + 1) {
			skip[i] = 1;
			nskip++;
		}
	}
	if (!o->have_decrypt_key && !o->quiet) {
		size_t enc = 0;

		for (i = 0; i < l.n; i++)
			enc += strstr(l.names[i], STORE_SEG_SUFFIX_ENC) != NULL;
		if (enc)
			fprintf(
			    stderr,
			    "caudit: %s: %zu encrypted segment(s) verified by their seals but not "
			    "searched: give the auditor's key with --decrypt-key\n",
			    dir, enc);
	}
	if (!o->no_index && l.n > 1)
		kr = verify_keyring_load(dir, o->root);
	for (i = 0; kr && i + 1 < l.n; i++) /* the newest is still being written */
		if (!skip[i] && index_skips(o, r->st, dir, l.names[i], kr)) {
			skip[i] = 1;
			nskip++;
		}
	verify_keyring_free(kr);
	r->st->skipped += nskip - (only[0] ? l.n - 1 : 0);
	if (!nskip) {
		rc = l.n ? read_run(r, dir, &l, 0, l.n, 1) : 0;
	} else {
		for (i = 0; i < l.n && !rc && !r->st->strict_failed && !r->st->stopped;) {
			size_t j = i;

			if (skip[i]) {
				i++;
				continue;
			}
			while (j < l.n && !skip[j])
				j++;
			rc = read_run(r, dir, &l, i, j, 0);
			i = j;
		}
	}
	free(skip);
	free(l.names);
	return rc;
}

int sr_run(const struct sr_opts *o, const char *const *paths, unsigned n, struct sr_stats *st)
{
	struct run r;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	memset(&r, 0, sizeof(r));
	r.o = o;
	r.st = st;
	r.merge = n > 1;
	rs_init(&r.sc);
	for (unsigned i = 0; i < n && !rc && !st->strict_failed && !st->stopped; i++) {
		r.src = i;
		rc = run_dir(&r, paths[i]);
	}
	if (r.oom && !rc) {
		fprintf(stderr, "caudit: too many matching records to sort in memory; narrow the "
				"search or search one directory at a time\n");
		rc = -ENOMEM;
	}
	if (r.merge && !rc && !st->strict_failed) {
		qsort(r.m, r.nm, sizeof(*r.m), m_cmp);
		for (size_t k = 0; k < r.nm && !st->stopped; k++)
			if (o->emit(o->opaque, &r.m[k]))
				st->stopped = 1;
	}
	m_free(r.m, r.nm);
	free(r.m);
	rs_free(&r.sc);
	return rc;
}
