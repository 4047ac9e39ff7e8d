/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Hostile input: file names, argv, comm and cwd chosen to break the log or
 * forge records (newlines followed by JSON, quotes, backslashes, invalid
 * UTF-8, control characters, U+2028), paths at and past PATH_MAX, and argv far
 * beyond args_max. Every record must still be found with the exact bytes
 * (the decoded string, or "<field>_hex" when the bytes are not UTF-8), and
 * every line of the log must parse on its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define WAIT_MS 15000
#define ARGS_MAX 4096 /* the shipped default of args_max */
#define MANY_ARGS 10000
#define FORGED "{\"event\":\"forged\",\"category\":\"agent\"}"

extern char **environ;

static struct agent ag;
static int agent_up;
static char work[PATH_MAX];
static int marker_seq;

struct hostile_name {
	const char *what;
	const char *name;   /* the bytes */
	const char *shown;  /* the decoded JSON string (U+FFFD per bad byte) */
	int invalid;        /* not UTF-8: exact bytes in "<field>_hex" */
};

#define REPL "\xef\xbf\xbd"

static const struct hostile_name names[] = {
	{ "newline + forged record", "nl\n" FORGED "\n", "nl\n" FORGED "\n", 0 },
	{ "double quote", "q\"uote\",\"event\":\"forged", "q\"uote\",\"event\":\"forged", 0 },
	{ "backslash", "back\\slash\\\"\\u0000", "back\\slash\\\"\\u0000", 0 },
	{ "bytes ff fe", "bad-\xff\xfe-utf8", "bad-" REPL REPL "-utf8", 1 },
	{ "lone continuation 80", "lone-\x80-cont", "lone-" REPL "-cont", 1 },
	{ "overlong c0 af", "overlong-\xc0\xaf-slash", "overlong-" REPL REPL "-slash", 1 },
	{ "escape 1b", "esc-\x1b[31mred\x1b[0m", "esc-\x1b[31mred\x1b[0m", 0 },
	{ "U+2028 U+2029", "sep-\xe2\x80\xa8-\xe2\x80\xa9-", "sep-\xe2\x80\xa8-\xe2\x80\xa9-", 0 },
	{ "tab cr del", "tab\tcr\rdel\x7f", "tab\tcr\rdel\x7f", 0 },
	{ "truncated sequence", "cut-\xe2\x80", "cut-" REPL REPL, 1 },
	{ "surrogate", "sur-\xed\xa0\x80", "sur-" REPL REPL REPL, 1 },
};

/* ---- helpers ---- */

static char *new_marker(void)
{
	return xasprintf("m%d-%d", (int)getpid(), ++marker_seq);
}

static char *hex_of(const char *s, size_t n)
{
	static const char d[] = "0123456789abcdef";
	char *h = malloc(2 * n + 1);

	if (!h)
		abort();
	for (size_t i = 0; i < n; i++) {
		h[2 * i] = d[(unsigned char)s[i] >> 4];
		h[2 * i + 1] = d[(unsigned char)s[i] & 0xf];
	}
	h[2 * n] = 0;
	return h;
}

static json_object *wait_want(struct want *w)
{
	return agent_wait(&ag, 0, match_want, w, WAIT_MS, NULL);
}

static int wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static int match_forged(json_object *rec, void *arg)
{
	const char *e = jstr(rec, "event");

	return !e || strcmp(e, "forged") == 0;
}

/*
 * Find the record of `event` whose string field `key` holds exactly the
 * bytes s[0..n): by "<key>_hex" when they are not UTF-8, else by the string.
 */
static json_object *wait_bytes(const char *event, const char *key, const char *s, size_t n,
			       int invalid, const char *outcome)
{
	char hkey[64];
	char *hex = NULL;
	json_object *rec;
	struct want w = { .event = event, .skey = { key, "outcome" }, .sval = { s, outcome } };

	if (invalid) {
		snprintf(hkey, sizeof(hkey), "%s_hex", key);
		hex = hex_of(s, n);
		w.skey[0] = hkey;
		w.sval[0] = hex;
	}
	rec = wait_want(&w);
	if (rec && !invalid) {
		snprintf(hkey, sizeof(hkey), "%s_hex", key);
		assert_null(jget(rec, hkey));
	}
	free(hex);
	return rec;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* ---- fixtures ---- */

static int setup(void **state)
{
	char tmp[PATH_MAX];

	if (!harness_can_run())
		return 0;
	if (harness_tmpdir(tmp, sizeof(tmp)) || !realpath(tmp, work))
		return -1;
	if (agent_start(&ag, NULL))
		return -1;
	agent_up = 1;
	return 0;
}

static int teardown(void **state)
{
	if (agent_up)
		agent_cleanup(&ag);
	if (work[0] && !getenv("CAUDIT_KEEP_TEST_DIRS"))
		nftw(work, rm_entry, 64, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* ---- file names ---- */

static void test_hostile_file_names(void **state)
{
	if (!harness_can_run())
		skip();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct hostile_name *h = &names[i];
		char *path, *shown, *missing;
		json_object *rec;
		int fd;

		path = xasprintf("%s/%s", work, h->name);
		shown = xasprintf("%s/%s", work, h->shown);
		fd = (int)syscall(SYS_openat, AT_FDCWD, path,
				  O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			fail_msg("create %s: %s", h->what, strerror(errno));
		close(fd);

		/* success: the path of the opened file, from the kernel */
		rec = wait_bytes("file.open", "file.path", path, strlen(path), h->invalid,
				 "success");
		if (!rec)
			fail_msg("no file.open record for the name with %s", h->what);
		assert_string_equal(jstr(rec, "file.path"), shown);
		assert_int_equal(jint(rec, "proc.pid"), getpid());

		/* failure: the path as the caller passed it, from user memory */
		missing = xasprintf("%s/missing-dir/%s", work, h->name);
		fd = (int)syscall(SYS_openat, AT_FDCWD, missing, O_WRONLY | O_CREAT | O_CLOEXEC,
				  0600);
		assert_int_equal(fd, -1);
		rec = wait_bytes("file.open", "file.path", missing, strlen(missing), h->invalid,
				 "failure");
		if (!rec)
			fail_msg("no failed file.open record for the name with %s", h->what);
		assert_string_equal(jstr(rec, "errno"), "ENOENT");
		free(missing);
		free(shown);
		free(path);
	}
	assert_int_equal(agent_count(&ag, match_forged, NULL), 0);
	assert_int_equal(ag.bad_lines, 0);
}

/* Second paths (rename) and auxiliary strings (symlink targets) too. */
static void test_hostile_path2_and_target(void **state)
{
	static const char bad[] = "ren-\xff\n" FORGED;
	static const char target[] = "\xfe-target\n" FORGED "\\\"";
	char *marker, *from, *to, *link;
	json_object *rec;
	int fd;

	if (!harness_can_run())
		skip();
	marker = new_marker();
	from = xasprintf("%s/from-%s", work, marker);
	to = xasprintf("%s/%s-%s", work, bad, marker);
	link = xasprintf("%s/link-%s", work, marker);
	fd = open(from, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(syscall(SYS_rename, from, to), 0);
	assert_int_equal(syscall(SYS_symlink, target, link), 0);

	rec = wait_bytes("file.rename", "file.path2", to, strlen(to), 1, "success");
	assert_non_null(rec);
	assert_string_equal(jstr(rec, "file.path"), from);

	rec = wait_bytes("file.symlink", "file.target", target, strlen(target), 1, "success");
	assert_non_null(rec);
	assert_string_equal(jstr(rec, "file.path"), link);
	assert_int_equal(agent_count(&ag, match_forged, NULL), 0);
	free(link);
	free(to);
	free(from);
	free(marker);
}

/* comm and cwd of the acting process are attacker-chosen strings as well. */
static void test_hostile_comm_and_cwd(void **state)
{
	static const char comm[] = "c\n\"\xff\x1b{}";
	char *marker, *cwd, *argv[3];
	json_object *rec;
	char *hex;
	pid_t pid;

	if (!harness_can_run())
		skip();
	marker = new_marker();
	cwd = xasprintf("%s/cwd-\xff\n" FORGED "-%s", work, marker);
	assert_int_equal(mkdir(cwd, 0700), 0);
	argv[0] = "true";
	argv[1] = marker;
	argv[2] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (prctl(PR_SET_NAME, comm, 0, 0, 0) || chdir(cwd) ||
		    mkdir("by-hostile-comm", 0700))
			_exit(126);
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	assert_int_equal(wait_child(pid), 0);

	hex = hex_of(comm, strlen(comm));
	rec = wait_want(&(struct want){ .event = "file.mkdir",
					.skey = { "proc.comm_hex" },
					.sval = { hex },
					.ikey = { "proc.pid" },
					.ival = { pid } });
	assert_non_null(rec);
	assert_string_equal(jstr(rec, "proc.comm"), "c\n\"" REPL "\x1b{}");
	free(hex);

	hex = hex_of(cwd, strlen(cwd));
	rec = wait_want(&(struct want){ .event = "process.exec",
					.ikey = { "proc.pid" },
					.ival = { pid } });
	assert_non_null(rec);
	assert_string_equal(jstr(rec, "proc.cwd_hex"), hex);
	assert_string_equal(jstr(rec, "proc.args.1"), marker);
	free(hex);
	free(cwd);
	free(marker);
}

/* ---- lengths ---- */

struct prefix_match {
	const char *prefix;
	const char *errno_name;
};

static int match_failed_open_prefix(json_object *rec, void *arg)
{
	const struct prefix_match *m = arg;
	const char *e = jstr(rec, "event"), *p = jstr(rec, "file.path"), *en = jstr(rec, "errno");

	return e && strcmp(e, "file.open") == 0 && p &&
	       strncmp(p, m->prefix, strlen(m->prefix)) == 0 && en &&
	       strcmp(en, m->errno_name) == 0;
}

/* Fill buf up to exactly total bytes with 200-byte components under prefix. */
static void long_path(char *buf, size_t total, const char *prefix)
{
	size_t len = strlen(prefix), comp = 0;

	memcpy(buf, prefix, len);
	while (len < total) {
		if (comp == 200) {
			buf[len++] = '/';
			comp = 0;
			continue;
		}
		buf[len++] = 'L';
		comp++;
	}
	if (buf[total - 1] == '/')
		buf[total - 1] = 'L';
	buf[total] = 0;
}

static void test_path_too_long(void **state)
{
	char *marker, *prefix, *path;
	struct prefix_match m;
	json_object *rec;
	const char *got;
	long fd;

	if (!harness_can_run())
		skip();
	marker = new_marker();
	prefix = xasprintf("%s/toolong-%s/", work, marker);
	path = malloc(PATH_MAX + 1);
	assert_non_null(path);
	long_path(path, PATH_MAX, prefix); /* strlen 4096: one past the longest valid path */
	assert_int_equal(strlen(path), PATH_MAX);
	fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_int_equal(fd, -1);
	assert_int_equal(errno, ENAMETOOLONG);

	m.prefix = prefix;
	m.errno_name = "ENAMETOOLONG";
	rec = agent_wait(&ag, 0, match_failed_open_prefix, &m, WAIT_MS, NULL);
	assert_non_null(rec);
	assert_string_equal(jstr(rec, "outcome"), "failure");
	assert_int_equal(jint(rec, "ret"), -ENAMETOOLONG);
	got = jstr(rec, "file.path");
	/* what is kept is the start of what was passed */
	assert_true(strlen(got) <= strlen(path));
	assert_memory_equal(got, path, strlen(got));
	/* and a path cut short must say so: the kept part is itself a valid length */
	if (!json_object_get_boolean(jget(rec, "file.truncated"))) {
		fprintf(stderr, "record: %s\n",
			json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
		fail_msg("4096-byte path recorded as %zu bytes without file.truncated",
			 strlen(got));
	}
	free(path);
	free(prefix);
	free(marker);
}

static void test_deep_path(void **state)
{
	enum { TOTAL = 4000, COMP = 200 };
	char *marker, *path, *last_dir, *comp, *fname;
	json_object *rec;
	size_t len, r;
	int dfd, fd, i = 0;

	if (!harness_can_run())
		skip();
	marker = new_marker();
	path = malloc(PATH_MAX);
	comp = malloc(COMP + 1);
	assert_non_null(path);
	assert_non_null(comp);
	snprintf(path, PATH_MAX, "%s", work);
	len = strlen(path);
	dfd = open(work, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	while (TOTAL - len - 1 > 255) {
		int nfd, n = snprintf(comp, COMP + 1, "d%d-%s-", i++, marker);

		memset(comp + n, 'D', COMP - (size_t)n);
		comp[COMP] = 0;
		assert_int_equal(syscall(SYS_mkdirat, dfd, comp, 0700), 0);
		nfd = openat(dfd, comp, O_PATH | O_DIRECTORY | O_CLOEXEC);
		assert_true(nfd >= 0);
		close(dfd);
		dfd = nfd;
		path[len++] = '/';
		memcpy(path + len, comp, COMP + 1);
		len += COMP;
	}
	last_dir = strdup(path);
	r = TOTAL - len - 1;
	assert_true(r >= 32 && r <= 255);
	fname = path + len + 1;
	path[len] = '/';
	snprintf(fname, r + 1, "file-%s-", marker);
	memset(fname + strlen(fname), 'F', r - strlen(fname));
	fname[r] = 0;
	assert_int_equal(strlen(path), TOTAL);

	fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			  0600);
	assert_true(fd >= 0);
	close(fd);

	/* the kernel's path of the opened file */
	rec = wait_want(&(struct want){ .event = "file.open", .skey = { "file.path" },
					.sval = { path } });
	assert_non_null(rec);
	assert_null(jget(rec, "file.truncated"));
	/* a name relative to a deep dirfd, made absolute */
	rec = wait_want(&(struct want){ .event = "file.mkdir", .skey = { "file.path" },
					.sval = { last_dir } });
	assert_non_null(rec);
	assert_null(jget(rec, "file.truncated"));
	assert_null(jget(rec, "file.path_resolved"));
	/* and the same file named relative to it */
	assert_int_equal(syscall(SYS_unlinkat, dfd, fname, 0), 0);
	rec = wait_want(&(struct want){ .event = "file.unlink", .skey = { "file.path" },
					.sval = { path } });
	assert_non_null(rec);
	close(dfd);
	free(last_dir);
	free(comp);
	free(path);
	free(marker);
}

/* ---- argv ---- */

/* n arguments: "a<index>", or "x" each when short */
static char **many_args(int n, int short_x)
{
	char **argv = calloc((size_t)n + 1, sizeof(*argv));

	assert_non_null(argv);
	for (int i = 0; i < n; i++)
		argv[i] = short_x ? xasprintf("x") : xasprintf("a%d", i);
	return argv;
}

static void free_args(char **argv)
{
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

/* args at `key` is a cut of argv: equal elements, the last possibly shortened. */
static void assert_args_prefix(json_object *rec, const char *key, char **argv, int argc)
{
	json_object *a = jget(rec, key);
	size_t n, bytes = 0;

	assert_non_null(a);
	n = json_object_array_length(a);
	assert_true(n >= 1 && n <= (size_t)argc);
	for (size_t i = 0; i < n; i++) {
		const char *v = json_object_get_string(json_object_array_get_idx(a, i));
		size_t vl = strlen(v);

		if (i + 1 < n)
			assert_string_equal(v, argv[i]);
		else
			assert_true(vl <= strlen(argv[i]) && memcmp(v, argv[i], vl) == 0);
		bytes += vl + (i + 1 < n); /* NUL separators between arguments */
	}
	assert_true(bytes <= ARGS_MAX);
	/* cut at the bound, not far before it (an argument here is at most 6 bytes) */
	assert_true(bytes + 16 >= ARGS_MAX);
}

static void test_exec_many_args(void **state)
{
	char **argv;
	json_object *rec;
	pid_t pid;

	if (!harness_can_run())
		skip();
	argv = many_args(MANY_ARGS, 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	assert_int_equal(wait_child(pid), 0);
	rec = wait_want(&(struct want){ .event = "process.exec", .ikey = { "proc.pid" },
					.ival = { pid } });
	assert_non_null(rec);
	assert_true(json_object_get_boolean(jget(rec, "proc.args_truncated")));
	assert_args_prefix(rec, "proc.args", argv, MANY_ARGS);
	assert_string_equal(jstr(rec, "exec.filename"), "/bin/true");
	free_args(argv);
}

static void test_exec_fail_many_args(void **state)
{
	char **argv, *marker, *path;
	json_object *rec;

	if (!harness_can_run())
		skip();
	marker = new_marker();
	path = xasprintf("/nonexistent-%s", marker);
	argv = many_args(MANY_ARGS, 0);
	assert_int_equal(syscall(SYS_execve, path, argv, environ), -1);
	assert_int_equal(errno, ENOENT);
	rec = wait_want(&(struct want){ .event = "process.exec", .skey = { "exec.filename" },
					.sval = { path } });
	assert_non_null(rec);
	assert_true(json_object_get_boolean(jget(rec, "exec.args_truncated")));
	assert_args_prefix(rec, "exec.args", argv, MANY_ARGS);
	free_args(argv);
	free(path);
	free(marker);
}

/*
 * Many short arguments that fit args_max in bytes: either all are kept or
 * the record says it is cut.
 */
static void test_exec_fail_many_short_args(void **state)
{
	enum { N = 2000 };
	char **argv, *marker, *path;
	json_object *rec;
	size_t n;

	if (!harness_can_run())
		skip();
	marker = new_marker();
	path = xasprintf("/nonexistent-%s", marker);
	argv = many_args(N, 1);
	assert_int_equal(syscall(SYS_execve, path, argv, environ), -1);
	rec = wait_want(&(struct want){ .event = "process.exec", .skey = { "exec.filename" },
					.sval = { path } });
	assert_non_null(rec);
	n = json_object_array_length(jget(rec, "exec.args"));
	if (n != N && !json_object_get_boolean(jget(rec, "exec.args_truncated"))) {
		fprintf(stderr, "record exec member: %s\n",
			json_object_to_json_string_ext(jget(rec, "exec"), JSON_C_TO_STRING_PLAIN));
		fail_msg("%d arguments (%d bytes) recorded as %zu with args_truncated false", N,
			 2 * N - 1, n);
	}
	free_args(argv);
	free(path);
	free(marker);
}

static void test_exec_hostile_arg(void **state)
{
	static const char arg[] = "nl\n" FORGED "\xff\xfe\"\\";
	char *marker, *argv[4], *hex;
	json_object *rec, *ah, *v;
	pid_t pid;

	if (!harness_can_run())
		skip();
	marker = new_marker();
	argv[0] = "true";
	argv[1] = (char *)arg;
	argv[2] = marker;
	argv[3] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execve("/bin/true", argv, environ);
		_exit(127);
	}
	assert_int_equal(wait_child(pid), 0);
	rec = wait_want(&(struct want){ .event = "process.exec", .ikey = { "proc.pid" },
					.ival = { pid } });
	assert_non_null(rec);
	assert_int_equal(json_object_array_length(jget(rec, "proc.args")), 3);
	assert_string_equal(jstr(rec, "proc.args.0"), "true");
	assert_string_equal(jstr(rec, "proc.args.1"), "nl\n" FORGED REPL REPL "\"\\");
	assert_string_equal(jstr(rec, "proc.args.2"), marker);
	ah = jget(rec, "proc.args_hex");
	assert_non_null(ah);
	assert_int_equal(json_object_object_length(ah), 1);
	hex = hex_of(arg, strlen(arg));
	assert_true(json_object_object_get_ex(ah, "1", &v));
	assert_string_equal(json_object_get_string(v), hex);

	/* the same argv in a failed exec lands in exec.args / exec.args_hex */
	free(marker);
	marker = new_marker();
	argv[2] = marker;
	assert_int_equal(syscall(SYS_execve, "/nonexistent-hostile", argv, environ), -1);
	rec = wait_want(&(struct want){ .event = "process.exec", .skey = { "exec.args.2" },
					.sval = { marker } });
	assert_non_null(rec);
	assert_string_equal(jstr(rec, "exec.args_hex.1"), hex);
	assert_int_equal(json_object_object_length(jget(rec, "exec.args_hex")), 1);
	free(hex);
	free(marker);
}

/* ---- the whole log ---- */

static void test_whole_log_parses(void **state)
{
	FILE *f;
	char *line = NULL, *raw;
	size_t cap = 0, lines = 0, raw_len = 0;
	ssize_t n;

	if (!harness_can_run())
		skip();
	assert_int_equal(agent_stop(&ag), 0);
	assert_non_null(agent_wait_field(&ag, "agent.stop", "category", "agent", 1000));
	assert_int_equal(ag.bad_lines, 0);
	assert_int_equal(agent_count(&ag, match_forged, NULL), 0);

	/* independently of the harness reader: every raw line is one JSON object */
	raw = agent_raw_log(&ag, &raw_len);
	assert_non_null(raw);
	f = fmemopen(raw, raw_len, "r");
	assert_non_null(f);
	while ((n = getline(&line, &cap, f)) > 0) {
		json_tokener *tok = json_tokener_new();
		json_object *o;
		const char *e;

		lines++;
		if (line[n - 1] != '\n')
			fail_msg("line %zu is not terminated", lines);
		line[--n] = 0;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)line[i];

			if (c < 0x20 || c == 0x7f)
				fail_msg("line %zu: raw control byte 0x%02x", lines, c);
			/* U+2028/U+2029 end lines in JavaScript: written escaped */
			if (c == 0xe2 && i + 2 < n && (unsigned char)line[i + 1] == 0x80 &&
			    ((unsigned char)line[i + 2] & 0xfe) == 0xa8)
				fail_msg("line %zu: raw U+2028/U+2029", lines);
		}
		o = json_tokener_parse_ex(tok, line, (int)n);
		if (!o || json_tokener_get_parse_end(tok) != (size_t)n ||
		    !json_object_is_type(o, json_type_object))
			fail_msg("line %zu does not parse: %.200s", lines, line);
		e = jstr(o, "event");
		assert_non_null(e);
		assert_string_not_equal(e, "forged");
		json_object_put(o);
		json_tokener_free(tok);
	}
	free(line);
	fclose(f);
	free(raw);
	assert_int_equal(lines, ag.nrecs);
	/* the hostile strings were in there */
	assert_true(lines > 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_file_names),
		cmocka_unit_test(test_hostile_path2_and_target),
		cmocka_unit_test(test_hostile_comm_and_cwd),
		cmocka_unit_test(test_path_too_long),
		cmocka_unit_test(test_deep_path),
		cmocka_unit_test(test_exec_many_args),
		cmocka_unit_test(test_exec_fail_many_args),
		cmocka_unit_test(test_exec_fail_many_short_args),
		cmocka_unit_test(test_exec_hostile_arg),
		cmocka_unit_test(test_whole_log_parses),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
