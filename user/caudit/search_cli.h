/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The command line shared by `caudit search`, `tail` and `report`: the
 * filters, the key options, the paths (default: log_dir of the agent's
 * configuration), output formats.
 */
#ifndef CAUDIT_SEARCH_CLI_H
#define CAUDIT_SEARCH_CLI_H

#include <stdio.h>

#include "search.h"

enum sc_format { SC_AUTO, SC_TABLE, SC_JSON, SC_CSV, SC_TEXT, SC_HTML };

struct search_cli {
	const char *cmd; /* "search", "tail", "report" */
	struct sf_filter f;
	struct sr_opts o;
	const char *paths[64];
	unsigned npaths;
	char default_dir[4096];
	enum sc_format format;
	int count;
	uint64_t limit; /* 0: none */
	int follow;
	int stats;	 /* --stats: counters on stderr */
	const char *out; /* -o FILE (report) */
	const char *pubkey, *decrypt_key, *config;
	char pubkey_buf[4200];
};

/* Parse argv; 0, or the exit status to return (usage printed). */
int sc_parse(struct search_cli *c, int argc, char **argv, void (*usage)(FILE *));
void sc_free(struct search_cli *c);

/* The usage text of the filters. */
void sc_filters_usage(FILE *f);

/* Output of one match in the chosen format. */
struct sc_out {
	enum sc_format format;
	FILE *f;
	uint64_t shown, limit;
	int count;
	int header_done;
	struct rec_scanner sc;
};
int sc_emit(void *opaque, const struct sr_match *m);
void sc_out_end(struct sc_out *o);

#endif
