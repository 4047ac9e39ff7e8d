/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define START_TIMEOUT_MS 120000

const char *harness_bin(const char *name, char *buf, size_t len)
{
	const char *b = getenv("CAUDIT_BUILD");

	snprintf(buf, len, "%s/%s", b && *b ? b : "build", name);
	return buf;
}

int harness_can_run(void)
{
	return geteuid() == 0;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int harness_tmpdir(char *out, size_t len)
{
	snprintf(out, len, "/tmp/caudit-test-XXXXXX");
	return mkdtemp(out) ? 0 : -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void add_record(struct agent *a, const char *line, size_t len)
{
	json_tokener *tok;
	json_object *o;

	if (len == 0)
		return;
	tok = json_tokener_new();
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o || json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object)) {
		a->bad_lines++;
		fprintf(stderr, "harness: unparsable log line: %.*s\n", (int)(len > 300 ? 300 : len),
			line);
		json_object_put(o);
		json_tokener_free(tok);
		return;
	}
	json_tokener_free(tok);
	if (a->nrecs == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 4096;

		if (ncap > HARNESS_MAX_RECORDS)
			abort();
		a->recs = realloc(a->recs, ncap * sizeof(*a->recs));
		if (!a->recs)
			abort();
		a->cap = ncap;
	}
	a->recs[a->nrecs++] = o;
}

/* Feed decompressed bytes into line assembly. */
static void take_text(struct agent *a, const char *buf, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		if (a->partial_len) {
			a->partial = realloc(a->partial, a->partial_len + (i - start));
			memcpy(a->partial + a->partial_len, buf + start, i - start);
			add_record(a, a->partial, a->partial_len + (i - start));
			a->partial_len = 0;
		} else {
			add_record(a, buf + start, i - start);
		}
		start = i + 1;
	}
	if (start < n) {
		a->partial = realloc(a->partial, a->partial_len + (n - start));
		memcpy(a->partial + a->partial_len, buf + start, n - start);
		a->partial_len += n - start;
	}
}

/* The first segment name greater than `after` ("" for the first), or 0. */
static int next_segment(struct agent *a, const char *after, char *out, size_t len)
{
	DIR *d = opendir(a->log_path);
	struct dirent *de;
	int found = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "seg-", 4) || strcmp(de->d_name, after) <= 0 ||
		    strlen(de->d_name) >= len)
			continue;
		if (!found || strcmp(de->d_name, out) < 0) {
			memcpy(out, de->d_name, strlen(de->d_name) + 1);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

static int open_segment(struct agent *a, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", a->log_path, name);
	a->seg_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (a->seg_fd < 0)
		return -1;
	snprintf(a->seg_name, sizeof(a->seg_name), "%s", name);
	if (a->z_ready)
		inflateEnd(&a->z);
	memset(&a->z, 0, sizeof(a->z));
	a->z_ready = inflateInit2(&a->z, 16 + MAX_WBITS) == Z_OK;
	return a->z_ready ? 0 : -1;
}

/* Inflate what was appended to the followed segment; 1 when it ended cleanly at EOF. */
static int follow_segment(struct agent *a)
{
	unsigned char in[1 << 16];
	char out[1 << 16];
	ssize_t n;
	int at_member_end = 0;

	while ((n = read(a->seg_fd, in, sizeof(in))) > 0) {
		a->z.next_in = in;
		a->z.avail_in = (uInt)n;
		while (a->z.avail_in > 0) {
			int zr;

			a->z.next_out = (Bytef *)out;
			a->z.avail_out = sizeof(out);
			zr = inflate(&a->z, Z_NO_FLUSH);
			take_text(a, out, sizeof(out) - a->z.avail_out);
			at_member_end = zr == Z_STREAM_END;
			if (zr == Z_STREAM_END)
				inflateReset(&a->z); /* the next sealed block */
			else if (zr != Z_OK && zr != Z_BUF_ERROR)
				return 0;
			else if (a->z.avail_out != 0 && a->z.avail_in == 0)
				break;
		}
		/* drain output still buffered in zlib */
		for (;;) {
			int zr;

			a->z.next_out = (Bytef *)out;
			a->z.avail_out = sizeof(out);
			zr = inflate(&a->z, Z_SYNC_FLUSH);
			take_text(a, out, sizeof(out) - a->z.avail_out);
			if (zr == Z_STREAM_END) {
				inflateReset(&a->z);
				at_member_end = 1;
			}
			if (a->z.avail_out != 0 || zr != Z_OK)
				break;
		}
	}
	return at_member_end;
}

size_t agent_poll(struct agent *a)
{
	size_t before = a->nrecs;
	char next[64];

	for (;;) {
		int ended;

		if (a->seg_fd <= 0) {
			if (!next_segment(a, "", next, sizeof(next)) || open_segment(a, next))
				break;
		}
		ended = follow_segment(a);
		/* rotation: a sealed segment followed by a newer one is finished */
		if (!ended || !next_segment(a, a->seg_name, next, sizeof(next)))
			break;
		close(a->seg_fd);
		if (open_segment(a, next))
			break;
	}
	return a->nrecs - before;
}

json_object *agent_wait(struct agent *a, size_t from, record_match_fn match, void *arg,
			int timeout_ms, size_t *index)
{
	int64_t deadline = now_ms() + timeout_ms;
	size_t i = from;

	for (;;) {
		agent_poll(a);
		for (; i < a->nrecs; i++) {
			if (match(a->recs[i], arg)) {
				if (index)
					*index = i;
				return a->recs[i];
			}
		}
		if (now_ms() >= deadline)
			return NULL;
		usleep(10000);
	}
}

size_t agent_count(struct agent *a, record_match_fn match, void *arg)
{
	size_t n = 0;

	agent_poll(a);
	for (size_t i = 0; i < a->nrecs; i++)
		n += match(a->recs[i], arg) != 0;
	return n;
}

struct field_match {
	const char *event, *field, *value;
};

static int match_field(json_object *rec, void *arg)
{
	struct field_match *m = arg;
	const char *v;

	if (m->event) {
		const char *e = jstr(rec, "event");

		if (!e || strcmp(e, m->event))
			return 0;
	}
	v = jstr(rec, m->field);
	return v && strcmp(v, m->value) == 0;
}

json_object *agent_wait_field(struct agent *a, const char *event, const char *field,
			      const char *value, int timeout_ms)
{
	struct field_match m = { event, field, value };

	return agent_wait(a, 0, match_field, &m, timeout_ms, NULL);
}

json_object *jget(json_object *o, const char *path)
{
	char key[128];

	while (o && *path) {
		size_t n = strcspn(path, ".");
		json_object *next = NULL;

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = 0;
		if (json_object_is_type(o, json_type_array)) {
			char *end;
			long idx = strtol(key, &end, 10);

			if (*end || idx < 0 || (size_t)idx >= json_object_array_length(o))
				return NULL;
			next = json_object_array_get_idx(o, (size_t)idx);
		} else if (!json_object_object_get_ex(o, key, &next)) {
			return NULL;
		}
		o = next;
		path += n;
		if (*path == '.')
			path++;
	}
	return o;
}

const char *jstr(json_object *o, const char *path)
{
	json_object *v = jget(o, path);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int64_t jint(json_object *o, const char *path)
{
	json_object *v = jget(o, path);

	return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : INT64_MIN;
}

int jis_null(json_object *o, const char *path)
{
	const char *dot = strrchr(path, '.');
	json_object *parent = o, *v = NULL;

	if (dot) {
		char head[128];

		if ((size_t)(dot - path) >= sizeof(head))
			return 0;
		memcpy(head, path, (size_t)(dot - path));
		head[dot - path] = 0;
		parent = jget(o, head);
		path = dot + 1;
	}
	return parent && json_object_object_get_ex(parent, path, &v) && v == NULL;
}

int match_want(json_object *rec, void *arg)
{
	const struct want *w = arg;

	if (w->event) {
		const char *e = jstr(rec, "event");

		if (!e || strcmp(e, w->event))
			return 0;
	}
	for (int i = 0; i < WANT_MAX && w->skey[i]; i++) {
		const char *v = jstr(rec, w->skey[i]);

		if (!v || strcmp(v, w->sval[i]))
			return 0;
	}
	for (int i = 0; i < WANT_MAX && w->ikey[i]; i++)
		if (jint(rec, w->ikey[i]) != w->ival[i])
			return 0;
	return 1;
}

static int match_start(json_object *rec, void *arg)
{
	const char *e = jstr(rec, "event");
	int64_t pid = jint(rec, "agent.pid");

	return e && strcmp(e, "agent.start") == 0 && pid == *(pid_t *)arg;
}

void harness_service_defaults(FILE *f, const char *extra_config)
{
	/* tests pin nothing and open no status socket unless they say so */
	if (!extra_config || !strstr(extra_config, "pin_dir"))
		fprintf(f, "pin_dir =\n");
	if (!extra_config || !strstr(extra_config, "status_socket"))
		fprintf(f, "status_socket =\n");
	/* every hooked operation unless the test brings its own rules */
	if (!extra_config || !strstr(extra_config, "rules"))
		fprintf(f, "rules = all\n");
}

int agent_start(struct agent *a, const char *extra_config)
{
	char bin[PATH_MAX], shipped[PATH_MAX];
	FILE *f;
	int64_t deadline;

	memset(a, 0, sizeof(*a));
	if (harness_tmpdir(a->dir, sizeof(a->dir)))
		return -1;
	snprintf(a->conf_path, sizeof(a->conf_path), "%s/cauditd.conf", a->dir);
	snprintf(a->log_path, sizeof(a->log_path), "%s/log", a->dir);
	f = fopen(a->conf_path, "we");
	if (!f)
		return -1;
	fprintf(f, "log_dir = %s/log\nkey_dir = %s/keys\n", a->dir, a->dir);
	harness_service_defaults(f, extra_config);
	if (extra_config)
		fprintf(f, "%s\n", extra_config);
	fclose(f);
	(void)shipped;
	harness_bin("cauditd", bin, sizeof(bin));
	a->pid = fork();
	if (a->pid < 0)
		return -1;
	if (a->pid == 0) {
		/* a test that dies must not leave its agent recording the machine */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(bin, bin, "-c", a->conf_path, "--foreground", (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	deadline = now_ms() + START_TIMEOUT_MS;
	while (now_ms() < deadline) {
		int st;

		if (waitpid(a->pid, &st, WNOHANG) == a->pid) {
			fprintf(stderr, "harness: cauditd exited during start (status %d)\n", st);
			a->pid = 0;
			return -1;
		}
		if (agent_wait(a, 0, match_start, &a->pid, 50, NULL))
			return 0;
	}
	fprintf(stderr, "harness: no agent.start within %d ms\n", START_TIMEOUT_MS);
	return -1;
}

int agent_stop(struct agent *a)
{
	int st = 0;

	if (a->pid <= 0)
		return -1;
	kill(a->pid, SIGTERM);
	if (waitpid(a->pid, &st, 0) != a->pid)
		st = -1;
	a->pid = 0;
	agent_poll(a);
	return st;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

void agent_cleanup(struct agent *a)
{
	if (a->pid > 0)
		agent_stop(a);
	for (size_t i = 0; i < a->nrecs; i++)
		json_object_put(a->recs[i]);
	free(a->recs);
	free(a->partial);
	if (a->seg_fd > 0)
		close(a->seg_fd);
	if (a->z_ready)
		inflateEnd(&a->z);
	if (a->dir[0] && !getenv("CAUDIT_KEEP_TEST_DIRS"))
		nftw(a->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	memset(a, 0, sizeof(*a));
}

char *agent_raw_log(struct agent *a, size_t *len)
{
	char name[64] = "", next[64], path[512];
	size_t cap = 1 << 20;
	char *buf = malloc(cap);

	*len = 0;
	while (buf && next_segment(a, name, next, sizeof(next))) {
		gzFile gz;
		int n;

		snprintf(path, sizeof(path), "%s/%s", a->log_path, next);
		memcpy(name, next, sizeof(name));
		gz = gzopen(path, "rb");
		if (!gz)
			break;
		for (;;) {
			if (cap - *len < 65536) {
				cap *= 2;
				buf = realloc(buf, cap);
				if (!buf)
					abort();
			}
			n = gzread(gz, buf + *len, 65536);
			if (n <= 0)
				break;
			*len += (size_t)n;
		}
		gzclose(gz);
	}
	return buf;
}

long harness_int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "0"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory", "cc", "r8", "r9", "r10", "r11");
	return ret;
}

int jarray_has(json_object *arr, const char *s)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
			return 1;
	return 0;
}
