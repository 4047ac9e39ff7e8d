/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Output of search and tail: JSON lines (the records exactly as verified),
 * CSV (RFC 4180, UTC times), or an aligned table in local time. Values
 * printed to a terminal have control characters replaced: a file name must
 * not be able to move the cursor or change colours.
 */
#include <stdio.h>
#include <string.h>

#include "search_cli.h"
#include "search_time.h"

#define DASH "-"

/* A value for the terminal: control characters and DEL become '?'. */
static void put_safe(FILE *f, struct rs_str s, int width)
{
	int n = 0;

	if (!s.p) {
		fputs(DASH, f);
		n = 1;
	}
	for (uint32_t i = 0; s.p && i < s.n; i++, n++) {
		unsigned char ch = (unsigned char)s.p[i];

		fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, f);
	}
	for (; n < width; n++)
		fputc(' ', f);
}

static struct rs_str cstr(const char *s)
{
	struct rs_str r = {s, (uint32_t)strlen(s)};

	return r;
}

/* Who: the user name, else the uid; with the login user when it differs. */
static void who(const struct rec_view *v, char *buf, size_t len)
{
	const struct rs_str *name = &v->s[RS_USER_NAME], *login = &v->s[RS_LOGIN];
	int k;

	if (name->p)
		k = snprintf(buf, len, "%.*s", (int)name->n, name->p);
	else if (v->n[RS_UID].set)
		k = snprintf(buf, len, "%lld", (long long)v->n[RS_UID].v);
	else
		k = snprintf(buf, len, DASH);
	if (k > 0 && (size_t)k < len && login->p &&
	    !(name->p && name->n == login->n && !memcmp(name->p, login->p, login->n)))
		snprintf(buf + k, len - (size_t)k, "(%.*s)", (int)login->n, login->p);
}

/* The object of the event: a path, an address, an error. */
static struct rs_str what(const struct rec_view *v, char *buf, size_t len)
{
	if (v->s[RS_PATH].p && v->s[RS_PATH2].p) {
		snprintf(buf, len, "%.*s -> %.*s", (int)v->s[RS_PATH].n, v->s[RS_PATH].p,
			 (int)v->s[RS_PATH2].n, v->s[RS_PATH2].p);
		return cstr(buf);
	}
	if (v->s[RS_PATH].p)
		return v->s[RS_PATH];
	if (v->s[RS_EXEC_FILENAME].p)
		return v->s[RS_EXEC_FILENAME];
	if (v->s[RS_DST_IP].p) {
		snprintf(buf, len, "%.*s:%lld", (int)v->s[RS_DST_IP].n, v->s[RS_DST_IP].p,
			 (long long)v->n[RS_DST_PORT].v);
		return cstr(buf);
	}
	if (v->s[RS_ORIGIN_IP].p) {
		snprintf(buf, len, "from %.*s", (int)v->s[RS_ORIGIN_IP].n, v->s[RS_ORIGIN_IP].p);
		return cstr(buf);
	}
	return (struct rs_str){NULL, 0};
}

static void table_row(struct sc_out *o, const struct sr_match *m, const struct rec_view *v)
{
	char t[64], u[160], pid[24], res[48], wb[8300];
	FILE *f = o->f;

	if (!o->header_done) {
		fprintf(f, "%-23s %-16s %-16s %7s %-15s %-9s %s\n", "TIME", "EVENT", "USER", "PID",
			"COMM", "RESULT", "WHAT");
		o->header_done = 1;
	}
	st_format_local(t, sizeof(t), m->t);
	who(v, u, sizeof(u));
	if (v->n[RS_PID].set)
		snprintf(pid, sizeof(pid), "%lld", (long long)v->n[RS_PID].v);
	else
		strcpy(pid, DASH);
	if (v->s[RS_ERRNO].p)
		snprintf(res, sizeof(res), "%.*s", (int)v->s[RS_ERRNO].n, v->s[RS_ERRNO].p);
	else if (v->s[RS_OUTCOME].p)
		snprintf(res, sizeof(res), "%.*s", (int)v->s[RS_OUTCOME].n, v->s[RS_OUTCOME].p);
	else
		strcpy(res, DASH);
	fprintf(f, "%-23s ", t);
	put_safe(f, v->s[RS_EVENT], 16);
	fputc(' ', f);
	put_safe(f, cstr(u), 16);
	fprintf(f, " %7s ", pid);
	put_safe(f, v->s[RS_COMM], 15);
	fputc(' ', f);
	put_safe(f, cstr(res), 9);
	fputc(' ', f);
	put_safe(f, what(v, wb, sizeof(wb)), 0);
	fputc('\n', f);
}

static void csv_str(FILE *f, struct rs_str s)
{
	if (!s.p)
		return;
	fputc('"', f);
	for (uint32_t i = 0; i < s.n; i++) {
		if (s.p[i] == '"')
			fputc('"', f);
		fputc(s.p[i], f);
	}
	fputc('"', f);
}

static void csv_num(FILE *f, struct rs_num n)
{
	if (n.set)
		fprintf(f, "%lld", (long long)n.v);
}

static const struct {
	const char *name;
	int str; /* 1: rs_field, 0: rs_numfield */
	int id;
} csv_cols[] = {
    {"time", 1, RS_TIME},	    {"seq", 0, RS_SEQ},		  {"host", 1, RS_HOST},
    {"event", 1, RS_EVENT},	    {"syscall", 1, RS_SYSCALL},	  {"outcome", 1, RS_OUTCOME},
    {"errno", 1, RS_ERRNO},	    {"user", 1, RS_USER_NAME},	  {"uid", 0, RS_UID},
    {"euid", 0, RS_EUID},	    {"auid", 0, RS_AUID},	  {"login", 1, RS_LOGIN},
    {"session", 0, RS_SESSION},	    {"pid", 0, RS_PID},		  {"ppid", 0, RS_PPID},
    {"exec_id", 1, RS_EXEC_ID},	    {"comm", 1, RS_COMM},	  {"exe", 1, RS_EXE},
    {"path", 1, RS_PATH},	    {"path2", 1, RS_PATH2},	  {"access", 1, RS_ACCESS},
    {"origin_ip", 1, RS_ORIGIN_IP}, {"src_ip", 1, RS_SRC_IP},	  {"src_port", 0, RS_SRC_PORT},
    {"dst_ip", 1, RS_DST_IP},	    {"dst_port", 0, RS_DST_PORT}, {"container", 1, RS_CONTAINER},
};

static void csv_row(struct sc_out *o, const struct rec_view *v)
{
	FILE *f = o->f;
	size_t n = sizeof(csv_cols) / sizeof(csv_cols[0]);

	if (!o->header_done) {
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s,", csv_cols[i].name);
		fputs("keys\r\n", f);
		o->header_done = 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (csv_cols[i].str)
			csv_str(f, v->s[csv_cols[i].id]);
		else
			csv_num(f, v->n[csv_cols[i].id]);
		fputc(',', f);
	}
	if (v->nkeys) {
		/* keys joined by spaces, as one field */
		fputc('"', f);
		for (unsigned k = 0; k < v->nkeys; k++) {
			for (uint32_t i = 0; i < v->keys[k].n; i++) {
				if (v->keys[k].p[i] == '"')
					fputc('"', f);
				fputc(v->keys[k].p[i], f);
			}
			if (k + 1 < v->nkeys)
				fputc(' ', f);
		}
		fputc('"', f);
	}
	fputs("\r\n", f);
}

int sc_emit(void *opaque, const struct sr_match *m)
{
	struct sc_out *o = opaque;
	struct rec_view v;

	if (o->limit && o->shown >= o->limit)
		return 1;
	o->shown++;
	if (o->count)
		return 0;
	if (o->format == SC_JSON) {
		fwrite(m->line, 1, m->len, o->f);
		fputc('\n', o->f);
	} else if (!rs_scan(&o->sc, m->line, m->len, &v)) {
		if (o->format == SC_CSV)
			csv_row(o, &v);
		else
			table_row(o, m, &v);
	}
	return o->limit && o->shown >= o->limit;
}

void sc_out_end(struct sc_out *o)
{
	if (o->count)
		fprintf(o->f, "%llu\n", (unsigned long long)o->shown);
	fflush(o->f);
	rs_free(&o->sc);
}
