/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The HTML report: one self-contained file (no script, no font, no image
 * fetched: the charts are inline SVG drawn here), readable offline and
 * safe to mail. Every string from the log is HTML-escaped.
 *
 * The four charts sit at fixed places in a 1200-pixel-wide page (see
 * CHART_* below) so a test can render the page in headless Chromium and
 * check each chart's area in the screenshot.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "search_time.h"

#define CHART_W 560
#define CHART_H 320
#define CHART_X0 20
#define CHART_Y0 90
#define CHART_DX 590
#define CHART_DY 340
#define NS 1000000000ll

static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
		}
	}
}

static void chart_begin(FILE *f, int i, const char *title)
{
	fprintf(f,
		"<div class=\"chart\" style=\"left:%dpx;top:%dpx\"><svg "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">"
		"<text x=\"10\" y=\"22\" class=\"t\">",
		CHART_X0 + (i % 2) * CHART_DX, CHART_Y0 + (i / 2) * CHART_DY, CHART_W, CHART_H,
		CHART_W, CHART_H);
	esc(f, title);
	fputs("</text>", f);
}

static void chart_end(FILE *f)
{
	fputs("</svg></div>\n", f);
}

static void no_data(FILE *f)
{
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"n\">no records</text>", CHART_W / 2 - 40,
		CHART_H / 2);
}

/* Horizontal bars of the top entries of t. */
static void bars(FILE *f, int i, const char *title, const struct rp_table *t, const char *color)
{
	size_t n;
	struct rp_entry **v = rp_sorted(t, &n);
	uint64_t max = n ? v[0]->n : 1;
	int rows = n < 8 ? (int)n : 8, x0 = 190, wmax = CHART_W - x0 - 60;

	chart_begin(f, i, title);
	if (!rows)
		no_data(f);
	for (int k = 0; k < rows; k++) {
		int y = 40 + k * 34, w = (int)((double)v[k]->n / (double)max * wmax);
		char label[40];

		if (w < 2)
			w = 2;
		snprintf(label, sizeof(label), "%.28s", v[k]->key);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"l\" text-anchor=\"end\">", x0 - 8,
			y + 19);
		esc(f, label);
		fprintf(f,
			"</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"26\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\" class=\"l\">%" PRIu64 "</text>",
			x0, y, w, color, x0 + w + 6, y + 19, v[k]->n);
	}
	chart_end(f);
	free(v);
}

static void timeline(FILE *f, const struct report *r)
{
	uint64_t c[RP_BUCKETS], max = 1;
	int64_t start, width;
	int x0 = 50, y0 = 40, h = CHART_H - 90, bw = (CHART_W - x0 - 20) / RP_BUCKETS;
	char a[64], b[64], title[160];

	rp_timeline(r, c, &start, &width);
	for (int k = 0; k < RP_BUCKETS; k++)
		if (c[k] > max)
			max = c[k];
	snprintf(title, sizeof(title), "Events over time (%lld min per bar)",
		 (long long)(width / (60 * NS)));
	chart_begin(f, 0, title);
	if (!r->records)
		no_data(f);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", x0, y0 + h,
		x0 + bw * RP_BUCKETS, y0 + h);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"l\" text-anchor=\"end\">%" PRIu64 "</text>",
		x0 - 4, y0 + 10, max);
	for (int k = 0; r->records && k < RP_BUCKETS; k++) {
		int bh = (int)((double)c[k] / (double)max * h);

		if (c[k] && bh < 2)
			bh = 2;
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#2e6da4\"/>",
			x0 + k * bw + 1, y0 + h - bh, bw - 2, bh);
	}
	if (r->records) {
		st_format_local(a, sizeof(a), start);
		st_format_local(b, sizeof(b), start + width * RP_BUCKETS);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"l\">", x0, y0 + h + 22);
		esc(f, a);
		fprintf(f, "</text><text x=\"%d\" y=\"%d\" class=\"l\" text-anchor=\"end\">",
			x0 + bw * RP_BUCKETS, y0 + h + 22);
		esc(f, b);
		fputs("</text>", f);
	}
	chart_end(f);
}

static void table(FILE *f, const char *title, const struct rp_table *t, int extra)
{
	size_t n;
	struct rp_entry **v = rp_sorted(t, &n);

	fputs("<h2>", f);
	esc(f, title);
	fputs("</h2><table><tr><th>count</th><th>what</th>", f);
	if (extra)
		fputs("<th>first seen</th><th>last seen</th><th>origin IPs</th>", f);
	fputs("</tr>\n", f);
	for (size_t i = 0; v && i < n && i < 25; i++) {
		fprintf(f, "<tr><td>%" PRIu64 "</td><td>", v[i]->n);
		esc(f, v[i]->key);
		fputs("</td>", f);
		if (extra) {
			char a[64], b[64];

			st_format_local(a, sizeof(a), v[i]->first);
			st_format_local(b, sizeof(b), v[i]->last);
			fprintf(f, "<td>%s</td><td>%s</td><td>", a, b);
			esc(f, v[i]->extra ? v[i]->extra : "");
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	if (!n)
		fputs("<tr><td colspan=\"5\">none</td></tr>\n", f);
	fputs("</table>\n", f);
	free(v);
}

static void list(FILE *f, const char *title, const struct rp_list *l, const char *const h[5])
{
	fputs("<h2>", f);
	esc(f, title);
	fprintf(f, " (%" PRIu64 ")</h2><table><tr><th>time</th>", l->total);
	for (int k = 0; k < 5; k++)
		fprintf(f, "<th>%s</th>", h[k]);
	fputs("</tr>\n", f);
	for (size_t i = 0; i < l->n; i++) {
		char t[64];

		st_format_local(t, sizeof(t), l->r[i].t);
		fprintf(f, "<tr><td>%s</td>", t);
		for (int k = 0; k < 5; k++) {
			fputs("<td>", f);
			esc(f, l->r[i].text[k]);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	if (!l->n)
		fputs("<tr><td colspan=\"6\">none</td></tr>\n", f);
	fputs("</table>\n", f);
}

void rp_write_html(const struct report *r, FILE *f)
{
	static const char *const failed[5] = {"event", "errno", "user", "exe", "path"};
	static const char *const etc[5] = {"event", "path", "user", "login", "exe"};
	static const char *const logins[5] = {"event", "user", "ip", "service", "outcome"};
	char a[64] = "-", b[64] = "-";

	if (r->records) {
		st_format_local(a, sizeof(a), r->first);
		st_format_local(b, sizeof(b), r->last);
	}
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'\">"
		"<title>caudit report</title><style>"
		"body{margin:0;font:14px sans-serif;color:#222;background:#fff;width:1200px}"
		"header{position:absolute;left:20px;top:10px;height:70px}"
		"h1{margin:0;font-size:22px}"
		".chart{position:absolute;width:%dpx;height:%dpx;border:1px solid #ddd}"
		".t{font:bold 15px sans-serif}.l{font:12px sans-serif;fill:#333}"
		".n{font:14px sans-serif;fill:#999}"
		"main{position:absolute;left:20px;top:%dpx;width:1160px}"
		"table{border-collapse:collapse;margin-bottom:12px}"
		"td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}"
		"h2{font-size:16px;margin:18px 0 6px}"
		"</style></head><body>\n<header><h1>caudit report</h1><p>",
		CHART_W, CHART_H, CHART_Y0 + 2 * CHART_DY + 10);
	esc(f, a);
	fputs(" .. ", f);
	esc(f, b);
	fprintf(f, " &middot; %" PRIu64 " records</p></header>\n", r->records);
	timeline(f, r);
	bars(f, 1, "Top users", &r->users, "#3a8f5c");
	bars(f, 2, "Top executables", &r->exes, "#7a52a3");
	bars(f, 3, "Failures (event, errno)", &r->failures, "#c0392b");
	fputs("<main>\n", f);
	table(f, "Events", &r->events, 0);
	table(f, "Categories", &r->categories, 0);
	table(f, "Users", &r->users, 0);
	table(f, "Logins", &r->logins, 0);
	table(f, "Executables", &r->exes, 0);
	table(f, "Failed operations", &r->failures, 0);
	list(f, "Latest failures", &r->failed, failed);
	table(f, "Sessions", &r->sessions, 1);
	list(f, "Logins with an origin", &r->logins_list, logins);
	table(f, "Privilege changes", &r->privs, 0);
	table(f, "Network destinations", &r->dests, 0);
	list(f, "Changes under /etc", &r->etc, etc);
	fputs("</main></body></html>\n", f);
}
