/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* caudit: the command line. `caudit <command> [args]`. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct cmd cmds[] = {
    {"keygen", cmd_keygen, "create a host's root key and first epoch key"},
    {"verify", cmd_verify, "verify a signed log from the root public key"},
    {"status", cmd_status, "ask the running cauditd how it is doing"},
    {"search", cmd_search, "find records in signed logs (filters, table/json/csv)"},
    {"tail", cmd_tail, "the last records, and with -f the live log"},
    {"report", cmd_report, "summaries of a period (text, json, html with charts)"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: caudit <command> [args]\n"
		   "       caudit --help | --version\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\n`caudit <command> --help` describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CMD_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CMD_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("caudit %s\n", CAUDIT_VERSION);
		return CMD_OK;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		static char name[32];

		if (strcmp(argv[1], cmds[i].name))
			continue;
		/* getopt's messages name the command: "caudit verify: ..." */
		snprintf(name, sizeof(name), "caudit %s", cmds[i].name);
		argv[1] = name;
		return cmds[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "caudit: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return CMD_USAGE;
}
