/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * `caudit report`: aureport-style summaries of the records a search
 * selects, gathered in one pass (report.c) and written as text, JSON or a
 * self-contained HTML page with inline SVG charts (report_html.c).
 */
#ifndef CAUDIT_REPORT_H
#define CAUDIT_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "search.h"

#define RP_TOP 10	       /* rows of each "top" table */
#define RP_MAX_KEYS (1u << 20) /* distinct keys per table; more are counted as "(other)" */
#define RP_LIST 50	       /* rows of the lists (failures, /etc changes) */
#define RP_BUCKETS 48	       /* bars of "events over time" */

struct rp_entry {
	char *key;
	uint64_t n;
	int64_t first, last; /* times (ns) */
	char *extra;	     /* sessions: origin IPs seen; others unused */
};

struct rp_table {
	struct rp_entry *e; /* open addressing by key hash */
	size_t n, cap;
	uint64_t other;
};

struct rp_row {
	int64_t t;
	char *text[5];
};

struct rp_list {
	struct rp_row r[RP_LIST];
	size_t n;
	uint64_t total;
};

struct report {
	uint64_t records;
	int64_t first, last;
	struct rp_table events, categories, users, logins, exes, failures, sessions, privs, dests;
	struct rp_table minutes; /* key: minute number, for events over time */
	struct rp_list failed, etc, logins_list;
	struct rec_scanner sc;
};

void rp_init(struct report *r);
void rp_free(struct report *r);
/* sr_emit_fn: one matching record */
int rp_add(void *opaque, const struct sr_match *m);

/* Entries sorted by count (descending, then key); *n set. Caller frees the array. */
struct rp_entry **rp_sorted(const struct rp_table *t, size_t *n);

/* Buckets of events over time: counts[RP_BUCKETS], start and width in ns. */
void rp_timeline(const struct report *r, uint64_t counts[RP_BUCKETS], int64_t *start,
		 int64_t *width);

void rp_write_text(const struct report *r, FILE *f);
void rp_write_json(const struct report *r, FILE *f);
void rp_write_html(const struct report *r, FILE *f);

#endif
