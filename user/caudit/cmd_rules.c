/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * `caudit rules check [--format text|json] PATH...`: parses and compiles rule
 * files (docs/policy.md). A directory contributes its *.rules files in
 * byte-wise lexical order (augenrules). Warnings and errors go to stderr as
 * file:line:col: severity: message, the summary to stdout; exit 1 on any error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "rules.h"
#include "rules_files.h"

static void rules_usage(FILE *f)
{
	fprintf(f, "usage: caudit rules check [--format text|json] PATH...\n\n"
		   "Parses and compiles audit rules (auditctl syntax, docs/policy.md). PATH is a\n"
		   "rule file or a directory whose *.rules files are read in lexical order.\n"
		   "Prints warnings and errors as file:line:col: message, then a summary\n"
		   "(rules per list, syscalls hooked, watches, keys, policy hash).\n"
		   "Exit status: 0 no error, 1 some error, 2 usage, 3 a file could not be read.\n");
}

static void print_summary(const struct rules_policy *p, unsigned nfiles, int json)
{
	struct rules_summary s;
	const char *hash = rules_hash_hex(p);

	rules_get_summary(p, &s);
	if (json) {
		printf("{\"files\":%u,\"rules\":{", nfiles);
		for (unsigned l = 0; l < RULES_LIST_COUNT; l++)
			printf("%s\"%s\":%u", l ? "," : "", rules_list_name(l), s.rules[l]);
		printf("},\"syscalls\":{\"b64\":%u,\"b32\":%u},\"watches\":%u,\"keys\":%u,"
		       "\"warnings\":%u,\"errors\":%u,\"policy_hash\":\"%s\"}\n",
		       s.syscalls[RULES_ABI_64], s.syscalls[RULES_ABI_32], s.watches, s.keys,
		       s.warnings, s.errors, hash ? hash : "");
		return;
	}
	printf("files:           %u\nrules:          ", nfiles);
	for (unsigned l = 0; l < RULES_LIST_COUNT; l++)
		printf(" %s %u%s", rules_list_name(l), s.rules[l],
		       l + 1 < RULES_LIST_COUNT ? "," : "");
	printf("\nsyscalls hooked: b64 %u, b32 %u\nwatches:         %u\nkeys:            %u\n"
	       "warnings:        %u\nerrors:          %u\npolicy hash:     %s\n",
	       s.syscalls[RULES_ABI_64], s.syscalls[RULES_ABI_32], s.watches, s.keys, s.warnings,
	       s.errors, hash ? hash : "-");
}

static int rules_check(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	struct rules_policy *p;
	unsigned nfiles = 0;
	int c, json = 0, io = 0, errors;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (strcmp(optarg, "text")) {
				fprintf(stderr,
					"caudit rules check: --format takes text or json\n");
				return CMD_USAGE;
			}
			break;
		case 'h':
			rules_usage(stdout);
			return CMD_OK;
		default:
			rules_usage(stderr);
			return CMD_USAGE;
		}
	}
	if (optind >= argc) {
		rules_usage(stderr);
		return CMD_USAGE;
	}
	p = rules_new(rules_env_system());
	if (!p) {
		fprintf(stderr, "caudit rules check: out of memory\n");
		return CMD_ERROR;
	}
	{
		char err[512];

		if (rules_read_paths(p, (const char *const *)argv + optind,
				     (unsigned)(argc - optind), err, sizeof(err))) {
			fprintf(stderr, "caudit rules: %s\n", err);
			io = 1;
		}
	}
	errors = rules_compile(p);
	for (unsigned i = 0; i < rules_diag_count(p); i++) {
		char line[600];

		rules_diag_format(rules_diag_at(p, i), line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
	if (rules_diag_count(p) >= RULES_MAX_DIAGS)
		fprintf(stderr,
			"caudit rules: more diagnostics than %d; the rest are counted only\n",
			RULES_MAX_DIAGS);
	for (unsigned f = 0; rules_file_name(p, f)[0]; f++)
		nfiles++;
	if (!io)
		print_summary(p, nfiles, json);
	rules_free(p);
	if (io)
		return CMD_ERROR;
	return errors ? CMD_FAILED : CMD_OK;
}

int cmd_rules(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		rules_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CMD_USAGE : CMD_OK;
	}
	if (!strcmp(argv[1], "check"))
		return rules_check(argc - 1, argv + 1);
	fprintf(stderr, "caudit rules: unknown subcommand '%s'\n\n", argv[1]);
	rules_usage(stderr);
	return CMD_USAGE;
}
