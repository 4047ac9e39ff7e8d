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

static void rules_usage(FILE *f)
{
	fprintf(f, "usage: caudit rules check [--format text|json] PATH...\n\n"
		   "Parses and compiles audit rules (auditctl syntax, docs/policy.md). PATH is a\n"
		   "rule file or a directory whose *.rules files are read in lexical order.\n"
		   "Prints warnings and errors as file:line:col: message, then a summary\n"
		   "(rules per list, syscalls hooked, watches, keys, policy hash).\n"
		   "Exit status: 0 no error, 1 some error, 2 usage, 3 a file could not be read.\n");
}

static int lookup_user(const char *name, uint32_t *id, void *ctx)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int r = getpwnam_r(name, &pw, buf, sizeof(buf), &res);

	if (r)
		return -r;
	if (!res)
		return -ENOENT;
	*id = pw.pw_uid;
	return 0;
}

static int lookup_group(const char *name, uint32_t *id, void *ctx)
{
	struct group gr, *res = NULL;
	char buf[8192];
	int r = getgrnam_r(name, &gr, buf, sizeof(buf), &res);

	if (r)
		return -r;
	if (!res)
		return -ENOENT;
	*id = gr.gr_gid;
	return 0;
}

/* auditctl -w decides file or directory watch by what the path is now. */
static int path_is_dir(const char *path, void *ctx)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The whole file, at most RULES_MAX_TEXT bytes; 0 or -errno. */
static int read_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t cap = 65536, n = 0;
	char *buf;
	ssize_t r;

	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (n == cap) {
			char *nb;

			if (cap > RULES_MAX_TEXT) {
				free(buf);
				close(fd);
				return -EFBIG;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			close(fd);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = n;
	return 0;
}

static int parse_one(struct rules_policy *p, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	int r = read_file(path, &text, &len);

	if (r) {
		fprintf(stderr, "caudit rules: %s: %s\n", path, strerror(-r));
		return r;
	}
	rules_parse(p, path, text, len);
	free(text);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* PATH/\*.rules in byte order (not the locale's), as augenrules sorts. */
static int parse_dir(struct rules_policy *p, const char *dir)
{
	char **names = NULL, path[4352];
	size_t n = 0, cap = 0;
	struct dirent *de;
	int r = 0;
	DIR *d = opendir(dir);

	if (!d) {
		fprintf(stderr, "caudit rules: %s: %s\n", dir, strerror(errno));
		return -errno;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l < 7 || strcmp(de->d_name + l - 6, ".rules") || de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof(*nn));

			if (!nn || n >= RULES_MAX_FILES) {
				free(nn ? nn : names);
				names = NULL;
				r = -E2BIG;
				break;
			}
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (r) {
		fprintf(stderr, "caudit rules: %s: %s\n", dir, strerror(-r));
	} else {
		qsort(names, n, sizeof(*names), cmp_name);
		for (size_t i = 0; i < n && !r; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			r = parse_one(p, path);
		}
	}
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	return r;
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
	struct rules_env env = {lookup_user, lookup_group, path_is_dir, NULL};
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
	p = rules_new(&env);
	if (!p) {
		fprintf(stderr, "caudit rules check: out of memory\n");
		return CMD_ERROR;
	}
	for (int i = optind; i < argc && !io; i++) {
		struct stat st;

		if (stat(argv[i], &st)) {
			fprintf(stderr, "caudit rules: %s: %s\n", argv[i], strerror(errno));
			io = 1;
		} else if (S_ISDIR(st.st_mode)) {
			io = parse_dir(p, argv[i]) != 0;
		} else {
			io = parse_one(p, argv[i]) != 0;
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
