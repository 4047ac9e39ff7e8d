/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * `caudit report [PATHS] [--since --until] [filters] [--format text|json|html] [-o FILE]`
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "report.h"
#include "search_cli.h"

static void report_usage(FILE *f)
{
	fprintf(f, "usage: caudit report [PATHS...] [--since T] [--until T] [filters]\n"
		   "                     [--format text|json|html] [-o FILE] [--pubkey FILE]\n"
		   "                     [--decrypt-key FILE] [--strict]\n\n"
		   "Summaries of the matching records: events and categories, users and\n"
		   "logins, executables, failed operations, sessions with their origin IPs,\n"
		   "privilege changes, network destinations, changes under /etc. The HTML\n"
		   "report is one self-contained file with charts.\n\n");
	sc_filters_usage(f);
}

int cmd_report(int argc, char **argv)
{
	struct search_cli c = {.cmd = "report"};
	struct report rep;
	struct sr_stats st;
	FILE *f = stdout;
	int r = sc_parse(&c, argc, argv, report_usage);

	if (r) {
		sc_free(&c);
		return r < 0 ? CMD_OK : r;
	}
	if (c.count || c.limit) {
		fprintf(stderr, "caudit report: --count and --limit are for search\n");
		sc_free(&c);
		return CMD_USAGE;
	}
	if (c.out) {
		int fd = open(c.out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);

		if (fd < 0 || !(f = fdopen(fd, "w"))) {
			fprintf(stderr, "caudit report: %s: %s\n", c.out, strerror(errno));
			if (fd >= 0)
				close(fd);
			sc_free(&c);
			return CMD_ERROR;
		}
	}
	rp_init(&rep);
	c.o.emit = rp_add;
	c.o.opaque = &rep;
	r = sr_run(&c.o, c.paths, c.npaths, &st);
	if (!r && !st.strict_failed) {
		if (c.format == SC_JSON)
			rp_write_json(&rep, f);
		else if (c.format == SC_HTML)
			rp_write_html(&rep, f);
		else
			rp_write_text(&rep, f);
	}
	rp_free(&rep);
	sc_free(&c);
	if (f != stdout && fclose(f)) {
		fprintf(stderr, "caudit report: %s: %s\n", c.out, strerror(errno));
		return CMD_ERROR;
	}
	fflush(stdout);
	return r ? CMD_ERROR : st.strict_failed ? CMD_FAILED : CMD_OK;
}
