/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * logcheck: count what a cauditd log holds, for the bench.
 *
 *   logcheck LOG [PID [PREFIX]]
 *
 * LOG is a log directory or one log file. A directory is read as the agent
 * writes it: current.jsonl (plain JSON lines) when there is one, then the
 * signed store's segments seg-*.jsonl.gz in name order (= chain order); zlib
 * reads plain and gzip files alike, and an unfinished gzip member at the end
 * of a file still gives the lines flushed into it. The agent.* records are parsed
 * with json-c; the others, millions in a throughput trial, only have their
 * "event", "proc" pid/tid and "file" path located with string searches: the
 * encoder writes these keys in a fixed order and a quote inside a JSON string
 * is always escaped, so the first match is the key. With PID, the file.open
 * and file.unlink records of that process are counted (pid_open, pid_unlink;
 * its other records go to pid_other). With PREFIX, only the records of paths
 * starting with PREFIX are counted, and one whose file name is t<n> must come
 * from thread n (loadgen names its files after its thread ids), else it also
 * counts as a mismatch.
 *
 * Prints one line of key=value pairs:
 *   files read_errors lines starts stops records store_records bad_lines
 *   stop_records stop_<drop reason>... bad_records write_errors
 *   pid_open pid_unlink pid_other pid_mismatch
 * records counts the event records (neither agent.* nor the store's log.*);
 * store_records the log.* ones; stop_records is the count the agent
 * reported in agent.stop; the stop_* drop totals come from agent.stop, and
 * bad_records / write_errors are summed over the agent.loss records.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <zlib.h>

#define TOTALS_MAX 16
#define PATH_KEY "\"file\":{\"path\":\""
#define PATH_KEY_LEN (sizeof(PATH_KEY) - 1)
#define CHUNK (256 * 1024)
#define LINE_MAX_BYTES (64u << 20)

struct counts {
	uint64_t files, read_errors;
	uint64_t lines, starts, stops, records, store_records, bad_lines, stop_records;
	uint64_t bad_records, write_errors;
	uint64_t pid_open, pid_unlink, pid_other, pid_mismatch;
	char totals_name[TOTALS_MAX][32];
	uint64_t totals[TOTALS_MAX];
	unsigned ntotals;
};

static uint64_t json_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return 0;
	return (uint64_t)json_object_get_int64(v);
}

static struct json_object *json_get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o)
		json_object_object_get_ex(o, key, &v);
	return v;
}

static void agent_record(struct counts *c, const char *line, const char *event, size_t elen)
{
	struct json_object *root = json_tokener_parse(line);
	struct json_object *agent = json_get(root, "agent"), *totals;

	if (!agent) {
		c->bad_lines++;
		json_object_put(root);
		return;
	}
	if (elen == 11 && memcmp(event, "agent.start", elen) == 0) {
		c->starts++;
	} else if (elen == 10 && memcmp(event, "agent.loss", elen) == 0) {
		struct json_object *us = json_get(agent, "user_space");

		c->bad_records += json_u64(us, "bad_records");
		c->write_errors += json_u64(us, "write_errors");
	} else if (elen == 10 && memcmp(event, "agent.stop", elen) == 0) {
		c->stops++;
		c->stop_records = json_u64(agent, "records");
		totals = json_get(agent, "totals");
		c->ntotals = 0;
		if (totals) {
			json_object_object_foreach(totals, key, val) {
				if (c->ntotals == TOTALS_MAX || strlen(key) >= 32)
					continue;
				strcpy(c->totals_name[c->ntotals], key);
				c->totals[c->ntotals++] = (uint64_t)json_object_get_int64(val);
			}
		}
	}
	json_object_put(root);
}

/* Unsigned decimal right after `key` in s, or -1. */
static long long number_after(const char *s, const char *key)
{
	const char *p = strstr(s, key);
	char *end;
	long long v;

	if (!p)
		return -1;
	p += strlen(key);
	v = strtoll(p, &end, 10);
	return end == p ? -1 : v;
}

static void process_record(struct counts *c, const char *line, const char *event, size_t elen,
			   long long pid, const char *prefix)
{
	const char *proc = strstr(line, "\"proc\":{\"pid\":");
	const char *path = NULL, *base;
	long long rec_pid, tid, ntid;
	char *end;

	c->records++;
	if (pid < 0 || !proc)
		return;
	rec_pid = number_after(proc, "\"pid\":");
	if (rec_pid != pid)
		return;
	if (!(elen == 9 && memcmp(event, "file.open", elen) == 0) &&
	    !(elen == 11 && memcmp(event, "file.unlink", elen) == 0)) {
		c->pid_other++;
		return;
	}
	if (prefix) {
		path = strstr(proc, PATH_KEY);
		if (!path || strncmp(path + PATH_KEY_LEN, prefix, strlen(prefix)) != 0) {
			c->pid_other++; /* not one of the generator's files */
			return;
		}
	}
	if (event[5] == 'o')
		c->pid_open++;
	else
		c->pid_unlink++;
	if (!path)
		return;
	tid = number_after(proc, "\"tid\":");
	path += PATH_KEY_LEN + strlen(prefix);
	base = path;
	for (const char *p = path; *p && *p != '"'; p++)
		if (*p == '/')
			base = p + 1;
	if (*base != 't') {
		c->pid_mismatch++;
		return;
	}
	base++;
	ntid = strtoll(base, &end, 10);
	if (end == base || *end != '"' || ntid != tid)
		c->pid_mismatch++;
}

static void process_line(struct counts *c, char *line, long long pid, const char *prefix)
{
	const char *ev = strstr(line, "\"event\":\"");
	const char *end;

	c->lines++;
	if (!ev || !(end = strchr(ev + 9, '"'))) {
		c->bad_lines++;
		return;
	}
	ev += 9;
	if (strncmp(ev, "agent.", 6) == 0)
		agent_record(c, line, ev, (size_t)(end - ev));
	else if (strncmp(ev, "log.", 4) == 0)
		c->store_records++;
	else
		process_record(c, line, ev, (size_t)(end - ev), pid, prefix);
}

/* Every line of one file, plain or gzip (any number of members). */
static int read_file(struct counts *c, const char *path, long long pid, const char *prefix)
{
	static char *buf;
	static size_t cap;
	gzFile gz = gzopen(path, "rb");
	size_t len = 0;
	int n = 0, err = 0;

	if (!gz) {
		fprintf(stderr, "logcheck: %s: %s\n", path, strerror(errno));
		return -1;
	}
	gzbuffer(gz, CHUNK);
	c->files++;
	for (;;) {
		char *p, *nl;

		if (cap - len < CHUNK) {
			size_t ncap = cap ? cap * 2 : 4 * CHUNK;
			char *nb = ncap <= LINE_MAX_BYTES ? realloc(buf, ncap) : NULL;

			if (!nb) {
				fprintf(stderr, "logcheck: %s: line too long\n", path);
				err = -1;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		n = gzread(gz, buf + len, (unsigned)(cap - len - 1));
		if (n <= 0)
			break;
		len += (size_t)n;
		p = buf;
		while ((nl = memchr(p, '\n', len - (size_t)(p - buf)))) {
			*nl = 0;
			process_line(c, p, pid, prefix);
			p = nl + 1;
		}
		len -= (size_t)(p - buf);
		memmove(buf, p, len);
	}
	if (n < 0) {
		int zerr;

		/* an unfinished last member (the agent still writing) is not an error */
		gzerror(gz, &zerr);
		if (zerr != Z_BUF_ERROR)
			c->read_errors++;
	}
	if (len) {
		buf[len] = 0; /* a torn last line */
		process_line(c, buf, pid, prefix);
	}
	gzclose(gz);
	return err;
}

static int is_segment(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return strncmp(de->d_name, "seg-", 4) == 0 && n > 11 &&
	       strcmp(de->d_name + n - 9, ".jsonl.gz") == 0;
}

static int read_log(struct counts *c, const char *log, long long pid, const char *prefix)
{
	struct dirent **segs;
	struct stat sb;
	char path[4200];
	int n, r = 0;

	if (stat(log, &sb) < 0) {
		fprintf(stderr, "logcheck: %s: %s\n", log, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode))
		return read_file(c, log, pid, prefix);
	snprintf(path, sizeof(path), "%s/current.jsonl", log);
	if (access(path, F_OK) == 0)
		r = read_file(c, path, pid, prefix);
	n = scandir(log, &segs, is_segment, alphasort);
	if (n < 0) {
		fprintf(stderr, "logcheck: %s: %s\n", log, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", log, segs[i]->d_name);
		if (r == 0)
			r = read_file(c, path, pid, prefix);
		free(segs[i]);
	}
	free(segs);
	return r;
}

int main(int argc, char **argv)
{
	static struct counts c;
	const char *prefix = argc > 3 ? argv[3] : NULL;
	long long pid = argc > 2 ? strtoll(argv[2], NULL, 10) : -1;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: logcheck LOG [PID [PREFIX]]\n");
		return 2;
	}
	if (read_log(&c, argv[1], pid, prefix))
		return 1;
	printf("files=%" PRIu64 " read_errors=%" PRIu64 " lines=%" PRIu64 " starts=%" PRIu64
	       " stops=%" PRIu64 " records=%" PRIu64 " store_records=%" PRIu64 " bad_lines=%" PRIu64
	       " stop_records=%" PRIu64,
	       c.files, c.read_errors, c.lines, c.starts, c.stops, c.records, c.store_records,
	       c.bad_lines, c.stop_records);
	for (unsigned i = 0; i < c.ntotals; i++)
		printf(" stop_%s=%" PRIu64, c.totals_name[i], c.totals[i]);
	printf(" bad_records=%" PRIu64 " write_errors=%" PRIu64 " pid_open=%" PRIu64
	       " pid_unlink=%" PRIu64 " pid_other=%" PRIu64 " pid_mismatch=%" PRIu64 "\n",
	       c.bad_records, c.write_errors, c.pid_open, c.pid_unlink, c.pid_other,
	       c.pid_mismatch);
	return 0;
}
