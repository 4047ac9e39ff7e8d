/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * `caudit verify [--pubkey FILE] [--strict] [--quiet] [--verbose] [PATHS...]`:
 * one line per segment ("<segment>: <verdict>") and a summary. PATHS is one
 * log directory (default /var/log/caudit) or segment files of one directory.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "fwd_proto.h"
#include "keys.h"
#include "verify.h"

#define DEFAULT_LOG_DIR "/var/log/caudit"
#define DEFAULT_PUBKEY "/var/lib/caudit/keys/" KEYS_ROOT_PUB
#define BAR_WIDTH 30

static void verify_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: caudit verify [--pubkey FILE] [--decrypt-key FILE] [--strict] [--quiet] [--verbose]\n"
	    "                     [PATHS...]\n"
	    "       caudit verify --host NAME --trusted-keys DIR [options] ARCHIVE\n\n"
	    "Verifies a signed log from its root public key. PATHS: one log directory\n"
	    "(default " DEFAULT_LOG_DIR ") or segment files of one directory, which\n"
	    "also holds certs.jsonl and head.json.\n\n"
	    "  --pubkey FILE  the root public key (default " DEFAULT_PUBKEY ";\n"
	    "                 an auditor should pass their own copy)\n"
	    "  --strict       an unsealed tail, a missing head.json or certs.jsonl fail too\n"
	    "  --decrypt-key FILE  the auditor's enc.key: encrypted segments are then\n"
	    "                 decrypted and every record checked (without it, encrypted\n"
	    "                 segments are checked through their seals and cipher chain)\n"
	    "  --host NAME    a host's log in a collector's ARCHIVE (ARCHIVE/NAME), verified\n"
	    "                 with --trusted-keys DIR/NAME.pub unless --pubkey is given\n"
	    "  --quiet        print only the problems\n"
	    "  --verbose      add which check decided each verdict\n\n"
	    "Exit status: 0 valid, 1 problems found, 2 usage error, 3 could not verify.\n");
}

static void progress(void *opaque, uint64_t done, uint64_t total)
{
	unsigned pct = total ? (unsigned)(done * 100 / total) : 100, fill = pct * BAR_WIDTH / 100;
	char bar[BAR_WIDTH + 1];

	(void)opaque;
	memset(bar, '#', fill);
	memset(bar + fill, '.', BAR_WIDTH - fill);
	bar[BAR_WIDTH] = 0;
	fprintf(stderr, "\rverifying [%s] %3u%%", bar, pct > 100 ? 100 : pct);
}

struct paths {
	char dir[PATH_MAX];
	const char **segs;
	size_t nsegs;
};

/* The directory of a file path, resolved, into out. */
static int dir_of(const char *path, char out[PATH_MAX])
{
	char tmp[PATH_MAX];

	if (strlen(path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	strcpy(tmp, path);
	return realpath(dirname(tmp), out) ? 0 : -errno;
}

/* Sort PATHS into one directory or segment files of one directory. */
static int take_paths(int n, char **argv, struct paths *p)
{
	struct stat st;
	char d[PATH_MAX];

	if (n == 0) {
		strcpy(p->dir, DEFAULT_LOG_DIR);
		return 0;
	}
	if (stat(argv[0], &st) == 0 && S_ISDIR(st.st_mode)) {
		if (n != 1) {
			fprintf(stderr,
				"caudit verify: give one log directory, or segment files\n");
			return CMD_USAGE;
		}
		snprintf(p->dir, sizeof(p->dir), "%s", argv[0]);
		return 0;
	}
	p->segs = calloc((size_t)n, sizeof(*p->segs));
	if (!p->segs)
		return CMD_ERROR;
	for (int i = 0; i < n; i++) {
		int r = stat(argv[i], &st) < 0 ? -errno : S_ISDIR(st.st_mode) ? -EISDIR : 0;

		if (!r)
			r = dir_of(argv[i], d);
		if (r) {
			fprintf(stderr, "caudit verify: %s: %s\n", argv[i], strerror(-r));
			return r == -EISDIR ? CMD_USAGE : CMD_ERROR;
		}
		if (i && strcmp(d, p->dir)) {
			fprintf(stderr,
				"caudit verify: %s is not in %s: give segments of one "
				"directory\n",
				argv[i], p->dir);
			return CMD_USAGE;
		}
		strcpy(p->dir, d);
		p->segs[p->nsegs++] = argv[i];
	}
	return 0;
}

static void print_segment(const struct verify_segment *s, int verbose)
{
	char v[256];

	verify_verdict_format(s, v, sizeof(v));
	if (verbose && s->detail[0])
		printf("%s: %s (%s)\n", s->name, v, s->detail);
	else
		printf("%s: %s\n", s->name, v);
}

static void print_summary(const struct verify_report *rep, int strict, int passed)
{
	char buf[512];
	int first = 1;

	printf("\nsegments:    %zu (", rep->nsegs);
	for (int v = 0; v < VERIFY__COUNT; v++) {
		if (!rep->count[v])
			continue;
		printf("%s%llu %s", first ? "" : ", ", (unsigned long long)rep->count[v],
		       verify_verdict_name((enum verify_verdict)v));
		first = 0;
	}
	printf(")\nrecords:     %llu\n", (unsigned long long)rep->records);
	if (rep->last_seq)
		printf("seq:         %llu..%llu\n", (unsigned long long)rep->first_seq,
		       (unsigned long long)rep->last_seq);
	if (rep->first_time[0])
		printf("time:        %s .. %s\n", rep->first_time, rep->last_time);
	verify_certs_format(rep, buf, sizeof(buf));
	printf("certs.jsonl: %s\n", buf);
	verify_head_format(rep, buf, sizeof(buf));
	printf("head.json:   %s\n", buf);
	printf("result:      %s%s\n", passed ? "valid" : "FAILED", strict ? " (strict)" : "");
}

/* Problems outside the segments, for --quiet. */
static void print_file_problems(const struct verify_report *rep, int strict)
{
	char buf[512];

	if (rep->certs != VERIFY_CERTS_OK && (strict || rep->certs != VERIFY_CERTS_MISSING)) {
		verify_certs_format(rep, buf, sizeof(buf));
		printf("certs.jsonl: %s\n", buf);
	}
	if (rep->head != VERIFY_HEAD_OK && rep->head != VERIFY_HEAD_UNCHECKED &&
	    (strict || rep->head != VERIFY_HEAD_MISSING)) {
		verify_head_format(rep, buf, sizeof(buf));
		printf("head.json: %s\n", buf);
	}
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"pubkey", required_argument, NULL, 'k'}, {"strict", no_argument, NULL, 's'},
	    {"quiet", no_argument, NULL, 'q'},	      {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},	      {"decrypt-key", required_argument, NULL, 'd'},
	    {"host", required_argument, NULL, 'H'},   {"trusted-keys", required_argument, NULL, 't'},
	    {},
	};
	const char *pubkey = NULL, *decrypt_key = NULL, *host = NULL, *trusted = NULL;
	char hostkey[PATH_MAX];
	int quiet = 0, verbose = 0, strict = 0, c, r, passed, bar;
	struct verify_report rep;
	struct verify_opts o;
	struct paths p;
	char err[512];

	memset(&o, 0, sizeof(o));
	memset(&p, 0, sizeof(p));
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:d:sqvh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			pubkey = optarg;
			break;
		case 'd':
			decrypt_key = optarg;
			break;
		case 'H':
			host = optarg;
			break;
		case 't':
			trusted = optarg;
			break;
		case 's':
			strict = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			verify_usage(stdout);
			return CMD_OK;
		default:
			verify_usage(stderr);
			return CMD_USAGE;
		}
	}
	if (host && (argc - optind != 1 || (!pubkey && !trusted) || !fwd_host_valid(host))) {
		fprintf(stderr, "caudit verify: --host NAME needs the archive directory and "
				"--trusted-keys DIR (or --pubkey)\n");
		return CMD_USAGE;
	}
	r = take_paths(argc - optind, argv + optind, &p);
	if (!r && host && p.segs) {
		fprintf(stderr, "caudit verify: --host: give the archive directory\n");
		r = CMD_USAGE;
	}
	if (r) {
		free(p.segs);
		if (r == CMD_USAGE)
			verify_usage(stderr);
		return r;
	}
	if (host) {
		/* a collector's archive: ARCHIVE/<host>, key TRUSTED/<host>.pub */
		size_t l = strlen(p.dir);

		if (l + 1 + strlen(host) >= sizeof(p.dir)) {
			fprintf(stderr, "caudit verify: %s/%s: path too long\n", p.dir, host);
			return CMD_USAGE;
		}
		p.dir[l] = '/';
		strcpy(p.dir + l + 1, host);
		if (!pubkey) {
			snprintf(hostkey, sizeof(hostkey), "%s/%s.pub", trusted, host);
			pubkey = hostkey;
		}
	}
	if (!pubkey) {
		pubkey = DEFAULT_PUBKEY;
		fprintf(stderr,
			"caudit verify: warning: using this host's %s; an auditor should "
			"pass their own copy with --pubkey\n",
			pubkey);
	}
	err[0] = 0;
	if (keys_read_root_pub(pubkey, o.root, err, sizeof(err))) {
		fprintf(stderr, "caudit verify: %s\n", err);
		free(p.segs);
		return CMD_ERROR;
	}
	if (decrypt_key) {
		if (keys_read_enc_secret(decrypt_key, o.decrypt_secret, o.decrypt_pub, err,
					 sizeof(err))) {
			fprintf(stderr, "caudit verify: %s\n", err);
			free(p.segs);
			return CMD_ERROR;
		}
		o.have_decrypt_key = 1;
	}
	bar = !quiet && isatty(STDERR_FILENO);
	o.dir = p.dir;
	o.segments = p.segs;
	o.nsegments = p.nsegs;
	o.strict = strict;
	o.progress = bar ? progress : NULL;
	r = verify_log(&o, &rep);
	cr_wipe(o.decrypt_secret, sizeof(o.decrypt_secret));
	if (bar)
		fprintf(stderr, "\r\033[K");
	free(p.segs);
	if (r) {
		fprintf(stderr, "caudit verify: %s\n", rep.err);
		verify_report_free(&rep);
		return r == -EINVAL ? CMD_USAGE : CMD_ERROR;
	}
	if (!rep.nsegs) {
		fprintf(stderr, "caudit verify: no segments in %s\n", p.dir);
		verify_report_free(&rep);
		return CMD_FAILED;
	}
	passed = verify_passed(&rep, strict);
	for (size_t i = 0; i < rep.nsegs; i++)
		if (!quiet || rep.segs[i].verdict != VERIFY_VALID)
			print_segment(&rep.segs[i], verbose);
	if (quiet)
		print_file_problems(&rep, strict);
	else
		print_summary(&rep, strict, passed);
	verify_report_free(&rep);
	return passed ? CMD_OK : CMD_FAILED;
}
