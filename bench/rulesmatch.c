// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Cost of rules_match() per record, the agent's user-space evaluation of a
 * whole policy. Usage: rulesmatch [ITERS] RULES-FILE...  (e.g. Debian's
 * 30-stig.rules). Prints ns per call for a few typical operations: a read
 * no rule wants, a write of a watched file, a user's exec, a 32-bit unlink,
 * a record of no syscall (fork).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules.h"
#include "rules_match.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "re");
	char *buf = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && n < (16 << 20) &&
	    fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, fp) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void base(struct rules_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->abi = RULES_ABI_64;
	f->nr = 257;
	f->uid = f->euid = f->suid = f->fsuid = 1000;
	f->gid = f->egid = f->sgid = f->fsgid = 1000;
	f->auid = 1000;
	f->sessionid = 4;
	f->have_result = f->have_args = f->have_open_flags = RULES_FACT_KNOWN;
	f->exit = 3;
	f->have_path[0] = RULES_FACT_KNOWN;
	f->path[0] = "/usr/lib/x86_64-linux-gnu/libc.so.6";
	f->have_path[1] = RULES_FACT_ABSENT;
	f->exe = "/usr/bin/cat";
	f->have_obj = RULES_FACT_UNKNOWN;
	f->saddr_fam = f->lport = f->rport = RULES_NUM_ABSENT;
	f->have_laddr = f->have_raddr = f->have_origin = RULES_FACT_ABSENT;
}

int main(int argc, char **argv)
{
	static const struct rules_env env = {NULL, NULL, NULL, NULL};
	struct rules_policy *p = rules_new(&env);
	struct rules_facts f[5];
	const char *what[5] = {"openat O_RDONLY, no rule wants it", "openat O_WRONLY /etc/shadow",
			       "execve by a user", "32-bit unlinkat", "fork (no syscall row)"};
	long iters = 1000000;
	int first = 1;
	volatile unsigned sink = 0;

	if (argc > 1 && argv[1][0] >= '0' && argv[1][0] <= '9')
		iters = strtol(argv[first++], NULL, 10);
	if (!p || first >= argc) {
		fprintf(stderr, "usage: rulesmatch [ITERS] RULES-FILE...\n");
		return 2;
	}
	for (int i = first; i < argc; i++) {
		size_t len = 0;
		char *text = slurp(argv[i], &len);

		if (!text) {
			fprintf(stderr, "rulesmatch: cannot read %s\n", argv[i]);
			return 3;
		}
		rules_parse(p, argv[i], text, len);
		free(text);
	}
	if (rules_compile(p)) {
		fprintf(stderr, "rulesmatch: the rules have errors (caudit rules check)\n");
		return 1;
	}
	for (int i = 0; i < 5; i++)
		base(&f[i]);
	f[1].path[0] = "/etc/shadow";
	f[1].open_flags = O_WRONLY;
	f[2].nr = 59;
	f[2].path[0] = "/usr/bin/id";
	f[2].exit = 0;
	f[3].abi = RULES_ABI_32;
	f[3].nr = 263;
	f[3].path[0] = "/tmp/x";
	f[4].nr = 512;
	f[4].have_path[0] = RULES_FACT_ABSENT;
	printf("rules: %u; %ld calls each\n", rules_count(p), iters);
	printf("%-36s %10s %8s\n", "operation", "ns/call", "rule");
	for (int i = 0; i < 5; i++) {
		unsigned rule = 0;
		int m = rules_match(p, &f[i], &rule);
		double t0 = now_ns();

		for (long k = 0; k < iters; k++) {
			unsigned r = 0;

			sink += (unsigned)rules_match(p, &f[i], &r) + r;
		}
		char sel[16] = "none";

		if (m)
			snprintf(sel, sizeof(sel), "%u", rule);
		printf("%-36s %10.1f %8s\n", what[i], (now_ns() - t0) / (double)iters, sel);
	}
	rules_free(p);
	return sink == 0xdeadbeef;
}
