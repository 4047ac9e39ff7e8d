/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * `caudit report`: the summaries, gathered record by record, and their text
 * and JSON forms. What is counted:
 *   events, categories       every matching record (store records excluded)
 *   users, logins            user.name (or uid) and user.login (or auid)
 *   executables              proc.exe
 *   failures                 outcome failure, by event and errno; the latest listed
 *   sessions                 login and session, first and last seen, origin IPs
 *   privilege changes        execs whose euid differs from uid (setuid programs,
 *                            sudo...), and events named *setuid*, *cred*, *capset*
 *   network destinations     net.dst ip:port
 *   changes under /etc       file events other than reads with a path under /etc
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "jsonw.h"
#include "report.h"
#include "search_time.h"

#define NS 1000000000ll

void rp_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->first = INT64_MAX;
	r->last = INT64_MIN;
	rs_init(&r->sc);
}

static void table_free(struct rp_table *t)
{
	for (size_t i = 0; i < t->cap; i++) {
		free(t->e[i].key);
		free(t->e[i].extra);
	}
	free(t->e);
}

static void list_free(struct rp_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		for (int k = 0; k < 5; k++)
			free(l->r[i].text[k]);
}

void rp_free(struct report *r)
{
	struct rp_table *ts[] = {&r->events,   &r->categories, &r->users, &r->logins, &r->exes,
				 &r->failures, &r->sessions,   &r->privs, &r->dests,  &r->minutes};

	for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++)
		table_free(ts[i]);
	list_free(&r->failed);
	list_free(&r->etc);
	list_free(&r->logins_list);
	rs_free(&r->sc);
}

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

/* The entry of key (created with count 0), or NULL when the table is full. */
static struct rp_entry *entry(struct rp_table *t, const char *key, size_t n)
{
	size_t i;

	if (2 * (t->n + 1) > t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct rp_entry *e;

		if (t->n >= RP_MAX_KEYS || !(e = calloc(cap, sizeof(*e))))
			return NULL;
		for (size_t j = 0; j < t->cap; j++) {
			if (!t->e[j].key)
				continue;
			i = hash(t->e[j].key, strlen(t->e[j].key)) & (cap - 1);
			while (e[i].key)
				i = (i + 1) & (cap - 1);
			e[i] = t->e[j];
		}
		free(t->e);
		t->e = e;
		t->cap = cap;
	}
	i = hash(key, n) & (t->cap - 1);
	while (t->e[i].key && (strlen(t->e[i].key) != n || memcmp(t->e[i].key, key, n)))
		i = (i + 1) & (t->cap - 1);
	if (!t->e[i].key) {
		if (!(t->e[i].key = strndup(key, n)))
			return NULL;
		t->e[i].first = INT64_MAX;
		t->e[i].last = INT64_MIN;
		t->n++;
	}
	return &t->e[i];
}

static struct rp_entry *count(struct rp_table *t, const char *key, size_t n, int64_t time)
{
	struct rp_entry *e = entry(t, key, n);

	if (!e) {
		t->other++;
		return NULL;
	}
	e->n++;
	if (time < e->first)
		e->first = time;
	if (time > e->last)
		e->last = time;
	return e;
}

static void count_s(struct rp_table *t, struct rs_str s, int64_t time)
{
	if (s.p)
		count(t, s.p, s.n, time);
}

/* Add word to e's space-separated extra list once (at most 8 words). */
static void extra_add(struct rp_entry *e, struct rs_str w)
{
	size_t old = e->extra ? strlen(e->extra) : 0, words = 0;
	char *p;

	if (!w.p || !w.n || memchr(w.p, ' ', w.n))
		return;
	for (p = e->extra; p && *p;) {
		char *sp = strchr(p, ' ');
		size_t k = sp ? (size_t)(sp - p) : strlen(p);

		if (k == w.n && !memcmp(p, w.p, k))
			return;
		words++;
		p = sp ? sp + 1 : p + k;
	}
	if (words >= 8 || !(p = realloc(e->extra, old + w.n + 2)))
		return;
	e->extra = p;
	if (old)
		p[old++] = ' ';
	memcpy(p + old, w.p, w.n);
	p[old + w.n] = 0;
}

static char *dup_s(struct rs_str s)
{
	return s.p ? strndup(s.p, s.n) : strdup("-");
}

/* Keep the latest RP_LIST rows: records come in time order, so the list rolls. */
static void list_add(struct rp_list *l, int64_t t, char *a, char *b, char *c, char *d, char *e)
{
	struct rp_row *row;

	l->total++;
	if (l->n == RP_LIST) {
		for (int k = 0; k < 5; k++)
			free(l->r[0].text[k]);
		memmove(&l->r[0], &l->r[1], (RP_LIST - 1) * sizeof(l->r[0]));
		l->n--;
	}
	row = &l->r[l->n++];
	row->t = t;
	row->text[0] = a;
	row->text[1] = b;
	row->text[2] = c;
	row->text[3] = d;
	row->text[4] = e;
}

static int is_priv_event(struct rs_str ev)
{
	static const char *const words[] = {"setuid", "setgid", "cred", "capset", "setres"};
	char buf[64];

	if (!ev.p || ev.n >= sizeof(buf))
		return 0;
	memcpy(buf, ev.p, ev.n);
	buf[ev.n] = 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(buf, words[i]))
			return 1;
	return 0;
}

static int under_etc(struct rs_str p)
{
	return p.p && p.n >= 5 && !memcmp(p.p, "/etc/", 5);
}

int rp_add(void *opaque, const struct sr_match *m)
{
	struct report *r = opaque;
	struct rec_view v;
	char buf[256];
	int n;

	if (rs_scan(&r->sc, m->line, m->len, &v))
		return 0;
	r->records++;
	if (m->t < r->first)
		r->first = m->t;
	if (m->t > r->last)
		r->last = m->t;
	n = snprintf(buf, sizeof(buf), "%lld", (long long)(m->t / (60 * NS)));
	count(&r->minutes, buf, (size_t)n, m->t);
	count_s(&r->events, v.s[RS_EVENT], m->t);
	count_s(&r->categories, v.s[RS_CATEGORY], m->t);
	if (v.s[RS_USER_NAME].p)
		count_s(&r->users, v.s[RS_USER_NAME], m->t);
	else if (v.n[RS_UID].set &&
		 (n = snprintf(buf, sizeof(buf), "%lld", (long long)v.n[RS_UID].v)))
		count(&r->users, buf, (size_t)n, m->t);
	if (v.s[RS_LOGIN].p)
		count_s(&r->logins, v.s[RS_LOGIN], m->t);
	else if (v.n[RS_AUID].set && v.n[RS_AUID].v != 4294967295ll &&
		 (n = snprintf(buf, sizeof(buf), "%lld", (long long)v.n[RS_AUID].v)))
		count(&r->logins, buf, (size_t)n, m->t);
	count_s(&r->exes, v.s[RS_EXE], m->t);
	if (rs_eq(v.s[RS_OUTCOME], "failure")) {
		n = snprintf(buf, sizeof(buf), "%.*s %.*s", (int)v.s[RS_EVENT].n,
			     v.s[RS_EVENT].p ? v.s[RS_EVENT].p : "", (int)v.s[RS_ERRNO].n,
			     v.s[RS_ERRNO].p ? v.s[RS_ERRNO].p : "?");
		count(&r->failures, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1,
		      m->t);
		list_add(&r->failed, m->t, dup_s(v.s[RS_EVENT]), dup_s(v.s[RS_ERRNO]),
			 dup_s(v.s[RS_USER_NAME]), dup_s(v.s[RS_EXE]),
			 dup_s(v.s[RS_PATH].p ? v.s[RS_PATH] : v.s[RS_EXEC_FILENAME]));
	}
	if (v.n[RS_SESSION].set && v.n[RS_SESSION].v != 4294967295ll &&
	    (v.s[RS_LOGIN].p || v.n[RS_AUID].set)) {
		struct rp_entry *e;

		n = snprintf(buf, sizeof(buf), "%.*s session %lld",
			     v.s[RS_LOGIN].p ? (int)v.s[RS_LOGIN].n : 1,
			     v.s[RS_LOGIN].p ? v.s[RS_LOGIN].p : "?", (long long)v.n[RS_SESSION].v);
		e = count(&r->sessions, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1,
			  m->t);
		if (e)
			extra_add(e, v.s[RS_ORIGIN_IP]);
	}
	if (v.s[RS_ORIGIN_IP].p && v.s[RS_EVENT].p && v.s[RS_EVENT].n > 5 &&
	    !memcmp(v.s[RS_EVENT].p, "user.", 5))
		list_add(&r->logins_list, m->t, dup_s(v.s[RS_EVENT]), dup_s(v.s[RS_USER_NAME]),
			 dup_s(v.s[RS_ORIGIN_IP]), dup_s(v.s[RS_ORIGIN_SERVICE]),
			 dup_s(v.s[RS_OUTCOME]));
	if (is_priv_event(v.s[RS_EVENT]) ||
	    (rs_eq(v.s[RS_EVENT], "process.exec") && v.n[RS_UID].set && v.n[RS_EUID].set &&
	     v.n[RS_UID].v != v.n[RS_EUID].v)) {
		n = snprintf(buf, sizeof(buf), "%.*s by %.*s", (int)v.s[RS_EXE].n,
			     v.s[RS_EXE].p ? v.s[RS_EXE].p : "?",
			     v.s[RS_LOGIN].p ? (int)v.s[RS_LOGIN].n : 1,
			     v.s[RS_LOGIN].p ? v.s[RS_LOGIN].p : "?");
		count(&r->privs, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1, m->t);
	}
	if (v.s[RS_DST_IP].p) {
		n = snprintf(buf, sizeof(buf), "%.*s:%lld", (int)v.s[RS_DST_IP].n, v.s[RS_DST_IP].p,
			     (long long)v.n[RS_DST_PORT].v);
		count(&r->dests, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1, m->t);
	}
	if (v.s[RS_EVENT].p && v.s[RS_EVENT].n > 5 && !memcmp(v.s[RS_EVENT].p, "file.", 5) &&
	    !rs_eq(v.s[RS_ACCESS], "read") &&
	    (under_etc(v.s[RS_PATH]) || under_etc(v.s[RS_PATH2]))) {
		char *what = NULL;

		if (!v.s[RS_PATH2].p)
			what = dup_s(v.s[RS_PATH]);
		else if (asprintf(&what, "%.*s -> %.*s", (int)v.s[RS_PATH].n,
				  v.s[RS_PATH].p ? v.s[RS_PATH].p : "", (int)v.s[RS_PATH2].n,
				  v.s[RS_PATH2].p) < 0)
			what = NULL;
		list_add(&r->etc, m->t, dup_s(v.s[RS_EVENT]), what ? what : strdup("?"),
			 dup_s(v.s[RS_USER_NAME]), dup_s(v.s[RS_LOGIN]), dup_s(v.s[RS_EXE]));
	}
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct rp_entry *x = *(const struct rp_entry *const *)a;
	const struct rp_entry *y = *(const struct rp_entry *const *)b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct rp_entry **rp_sorted(const struct rp_table *t, size_t *n)
{
	struct rp_entry **v = calloc(t->n ? t->n : 1, sizeof(*v));
	size_t k = 0;

	if (!v) {
		*n = 0;
		return NULL;
	}
	for (size_t i = 0; i < t->cap; i++)
		if (t->e[i].key)
			v[k++] = &t->e[i];
	qsort(v, k, sizeof(*v), entry_cmp);
	*n = k;
	return v;
}

void rp_timeline(const struct report *r, uint64_t counts[RP_BUCKETS], int64_t *start,
		 int64_t *width)
{
	static const int64_t widths[] = {60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400};
	int64_t span, w = widths[sizeof(widths) / sizeof(widths[0]) - 1] * NS;

	memset(counts, 0, RP_BUCKETS * sizeof(counts[0]));
	*start = 0;
	*width = 60 * NS;
	if (!r->records)
		return;
	span = r->last - r->first + 1;
	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
		if (widths[i] * NS * RP_BUCKETS >= span) {
			w = widths[i] * NS;
			break;
		}
	while (w * RP_BUCKETS < span)
		w *= 2;
	*start = r->first - (r->first % w + w) % w;
	*width = w;
	for (size_t i = 0; i < r->minutes.cap; i++) {
		const struct rp_entry *e = &r->minutes.e[i];
		int64_t b;

		if (!e->key)
			continue;
		b = (strtoll(e->key, NULL, 10) * 60 * NS - *start) / w;
		if (b < 0)
			b = 0;
		if (b >= RP_BUCKETS)
			b = RP_BUCKETS - 1;
		counts[b] += e->n;
	}
}

/* ---- text ---- */

static void text_table(FILE *f, const char *title, const struct rp_table *t, int times)
{
	size_t n;
	struct rp_entry **v = rp_sorted(t, &n);

	fprintf(f, "\n%s\n", title);
	if (!n)
		fprintf(f, "  (none)\n");
	for (size_t i = 0; v && i < n && i < RP_TOP; i++) {
		fprintf(f, "  %10llu  %s", (unsigned long long)v[i]->n, v[i]->key);
		if (times) {
			char a[64], b[64];

			st_format_local(a, sizeof(a), v[i]->first);
			st_format_local(b, sizeof(b), v[i]->last);
			fprintf(f, "  (%s .. %s)", a, b);
		}
		if (v[i]->extra)
			fprintf(f, "  from %s", v[i]->extra);
		fputc('\n', f);
	}
	if (n > RP_TOP)
		fprintf(f, "  ... %zu more\n", n - RP_TOP);
	free(v);
}

static void text_list(FILE *f, const char *title, const struct rp_list *l)
{
	fprintf(f, "\n%s (%llu%s)\n", title, (unsigned long long)l->total,
		l->total > l->n ? ", latest shown" : "");
	if (!l->n)
		fprintf(f, "  (none)\n");
	for (size_t i = 0; i < l->n; i++) {
		char t[64];

		st_format_local(t, sizeof(t), l->r[i].t);
		fprintf(f, "  %s", t);
		for (int k = 0; k < 5; k++) {
			fputs("  ", f);
			for (const char *p = l->r[i].text[k]; *p; p++)
				fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, f);
		}
		fputc('\n', f);
	}
}

void rp_write_text(const struct report *r, FILE *f)
{
	char a[64] = "-", b[64] = "-";

	if (r->records) {
		st_format_local(a, sizeof(a), r->first);
		st_format_local(b, sizeof(b), r->last);
	}
	fprintf(f, "caudit report\n\nperiod:   %s .. %s\nrecords:  %llu\n", a, b,
		(unsigned long long)r->records);
	text_table(f, "events", &r->events, 0);
	text_table(f, "categories", &r->categories, 0);
	text_table(f, "users", &r->users, 0);
	text_table(f, "logins", &r->logins, 0);
	text_table(f, "executables", &r->exes, 0);
	text_table(f, "failed operations (event, errno)", &r->failures, 0);
	text_list(f, "latest failures: event errno user exe path", &r->failed);
	text_table(f, "sessions (first .. last seen, origin IPs)", &r->sessions, 1);
	text_list(f, "logins with an origin: event user ip service outcome", &r->logins_list);
	text_table(f, "privilege changes (setuid execs, credential events)", &r->privs, 0);
	text_table(f, "network destinations", &r->dests, 0);
	text_list(f, "changes under /etc: event path user login exe", &r->etc);
}

/* ---- JSON ---- */

static void json_table(struct jsonw *w, const char *key, const struct rp_table *t)
{
	size_t n;
	struct rp_entry **v = rp_sorted(t, &n);
	char a[40];

	jw_array_begin(w, key);
	for (size_t i = 0; v && i < n; i++) {
		jw_object_begin(w, NULL);
		jw_string(w, "key", v[i]->key, strlen(v[i]->key));
		jw_uint(w, "count", v[i]->n);
		encode_time(a, v[i]->first);
		jw_cstring(w, "first", a);
		encode_time(a, v[i]->last);
		jw_cstring(w, "last", a);
		if (v[i]->extra) {
			jw_array_begin(w, "origin_ips");
			for (char *p = v[i]->extra; *p;) {
				char *sp = strchr(p, ' ');
				size_t k = sp ? (size_t)(sp - p) : strlen(p);

				jw_string(w, NULL, p, k);
				p += k + (sp ? 1 : 0);
			}
			jw_array_end(w);
		}
		jw_object_end(w);
	}
	jw_array_end(w);
	free(v);
}

static void json_list(struct jsonw *w, const char *key, const struct rp_list *l,
		      const char *const names[5])
{
	char a[40];

	jw_object_begin(w, key);
	jw_uint(w, "total", l->total);
	jw_array_begin(w, "latest");
	for (size_t i = 0; i < l->n; i++) {
		jw_object_begin(w, NULL);
		encode_time(a, l->r[i].t);
		jw_cstring(w, "time", a);
		for (int k = 0; k < 5; k++)
			jw_string(w, names[k], l->r[i].text[k], strlen(l->r[i].text[k]));
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_object_end(w);
}

void rp_write_json(const struct report *r, FILE *f)
{
	static const char *const failed[5] = {"event", "errno", "user", "exe", "path"};
	static const char *const etc[5] = {"event", "path", "user", "login", "exe"};
	static const char *const logins[5] = {"event", "user", "ip", "service", "outcome"};
	uint64_t counts[RP_BUCKETS];
	int64_t start, width;
	struct jsonw w;
	char a[40];

	jw_init(&w, 0);
	jw_object_begin(&w, NULL);
	jw_uint(&w, "records", r->records);
	if (r->records) {
		encode_time(a, r->first);
		jw_cstring(&w, "first", a);
		encode_time(a, r->last);
		jw_cstring(&w, "last", a);
	}
	rp_timeline(r, counts, &start, &width);
	jw_object_begin(&w, "timeline");
	encode_time(a, start);
	jw_cstring(&w, "start", a);
	jw_uint(&w, "bucket_seconds", (uint64_t)(width / NS));
	jw_array_begin(&w, "counts");
	for (int i = 0; i < RP_BUCKETS; i++)
		jw_uint(&w, NULL, counts[i]);
	jw_array_end(&w);
	jw_object_end(&w);
	json_table(&w, "events", &r->events);
	json_table(&w, "categories", &r->categories);
	json_table(&w, "users", &r->users);
	json_table(&w, "logins", &r->logins);
	json_table(&w, "executables", &r->exes);
	json_table(&w, "failures", &r->failures);
	json_list(&w, "failed", &r->failed, failed);
	json_table(&w, "sessions", &r->sessions);
	json_list(&w, "origin_logins", &r->logins_list, logins);
	json_table(&w, "privilege_changes", &r->privs);
	json_table(&w, "network_destinations", &r->dests);
	json_list(&w, "etc_changes", &r->etc, etc);
	jw_object_end(&w);
	if (!w.err) {
		fwrite(w.buf, 1, w.len, f);
		fputc('\n', f);
	}
	jw_free(&w);
}
