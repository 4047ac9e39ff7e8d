/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * `caudit search [PATHS] [filters] [--format table|json|csv] [--count] [--limit N]`
 * and `caudit tail [-f] [filters]`: records of the signed log that match,
 * verified as they are read.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "search_cli.h"

static void search_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: caudit search [PATHS...] [filters] [--format table|json|csv] [--count]\n"
	    "                     [--limit N] [--pubkey FILE] [--decrypt-key FILE] [--strict]\n\n"
	    "Prints the records of signed logs that match every filter, in time order,\n"
	    "verifying what it reads. PATHS: log directories or segment files\n"
	    "(default: log_dir of /etc/caudit/cauditd.conf, or --config FILE). Table\n"
	    "(on a terminal, local time) or JSON lines (piped) unless --format says\n"
	    "otherwise.\n\n");
	sc_filters_usage(f);
	fprintf(f, "\n  --count              print the number of matches only\n"
		   "  --limit N            stop after N matches\n"
		   "  --pubkey FILE        root public key (default: key_dir/root.pub)\n"
		   "  --decrypt-key FILE   the auditor's key, to read encrypted segments\n"
		   "  --strict             a segment that fails verification stops the search\n"
		   "  --no-index           read every segment (do not trust segment indexes)\n"
		   "  --stats              counters on stderr (segments skipped, records read)\n\n"
		   "A segment that fails verification is named on stderr and its records are\n"
		   "withheld. Exit status: 0 matches found, 1 none (or --strict failed),\n"
		   "2 usage, 3 could not read.\n");
}

static int finish(struct search_cli *c, struct sc_out *out, const struct sr_stats *st, int r)
{
	sc_out_end(out);
	if (c->stats)
		fprintf(
		    stderr,
		    "segments %llu, skipped by index %llu, read %llu, bad index %llu, failed %llu; "
		    "records read %llu, matched %llu, withheld %llu\n",
		    (unsigned long long)st->segments, (unsigned long long)st->skipped,
		    (unsigned long long)st->scanned, (unsigned long long)st->bad_index,
		    (unsigned long long)st->failed, (unsigned long long)st->records,
		    (unsigned long long)st->matched, (unsigned long long)st->withheld);
	sc_free(c);
	if (r)
		return CMD_ERROR;
	if (st->strict_failed)
		return CMD_FAILED;
	return out->shown ? CMD_OK : CMD_FAILED;
}

int cmd_search(int argc, char **argv)
{
	struct search_cli c = {.cmd = "search"};
	struct sc_out out = {0};
	struct sr_stats st;
	int r = sc_parse(&c, argc, argv, search_usage);

	if (r) {
		sc_free(&c);
		return r < 0 ? CMD_OK : r;
	}
	out.format = c.format;
	out.f = stdout;
	out.count = c.count;
	out.limit = c.limit;
	c.o.emit = sc_emit;
	c.o.opaque = &out;
	r = sr_run(&c.o, c.paths, c.npaths, &st);
	return finish(&c, &out, &st, r);
}

static void tail_usage(FILE *f)
{
	fprintf(f, "usage: caudit tail [-f] [PATHS...] [filters] [--format table|json|csv]\n"
		   "                   [--limit N] [--pubkey FILE] [--decrypt-key FILE]\n\n"
		   "The last matching records (10 unless --limit says otherwise); with -f keeps\n"
		   "following the live log, across rotations, until interrupted.\n\n");
	sc_filters_usage(f);
}

/* The last n matches, kept in a ring. */
struct ring {
	struct sr_match *m;
	size_t n, cap, at;
};

static int ring_emit(void *opaque, const struct sr_match *m)
{
	struct ring *g = opaque;
	struct sr_match *slot = &g->m[g->at];

	free(slot->line);
	*slot = *m;
	slot->line = strndup(m->line, m->len);
	g->at = (g->at + 1) % g->cap;
	if (g->n < g->cap)
		g->n++;
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int cmd_tail(int argc, char **argv)
{
	struct search_cli c = {.cmd = "tail"};
	struct sc_out out = {0};
	struct ring g = {0};
	struct sr_stats st;
	uint64_t last;
	int r = sc_parse(&c, argc, argv, tail_usage);

	if (r) {
		sc_free(&c);
		return r < 0 ? CMD_OK : r;
	}
	if (c.npaths != 1) {
		fprintf(stderr, "caudit tail: follows one log directory\n");
		sc_free(&c);
		return CMD_USAGE;
	}
	out.format = c.format;
	out.f = stdout;
	g.cap = c.limit ? c.limit : 10;
	if (g.cap > 100000)
		g.cap = 100000;
	g.m = calloc(g.cap, sizeof(*g.m));
	if (!g.m) {
		sc_free(&c);
		return CMD_ERROR;
	}
	c.o.emit = ring_emit;
	c.o.opaque = &g;
	c.o.quiet = 1;
	r = sr_run(&c.o, c.paths, 1, &st);
	for (size_t i = 0; i < g.n; i++) {
		struct sr_match *m = &g.m[(g.at + g.cap - g.n + i) % g.cap];

		if (m->line) {
			m->len = strlen(m->line);
			sc_emit(&out, m);
		}
	}
	for (size_t i = 0; i < g.cap; i++)
		free(g.m[i].line);
	free(g.m);
	fflush(stdout);
	last = st.last_seq;
	if (!r && c.follow) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		c.o.emit = sc_emit;
		c.o.opaque = &out;
		while (!stop) {
			sleep(1);
			c.o.after_seq = last;
			r = sr_run(&c.o, c.paths, 1, &st);
			if (r)
				break;
			if (st.last_seq > last)
				last = st.last_seq;
			fflush(stdout);
		}
	}
	sc_out_end(&out);
	sc_free(&c);
	return r ? CMD_ERROR : CMD_OK;
}
