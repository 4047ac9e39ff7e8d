/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sink.h"

#define JSONL_BUF (256 * 1024)
#define SEQ_PREFIX "{\"schema\":1,\"seq\":"

struct sink_jsonl {
	struct sink base;
	int fd;
	char *buf;
	size_t len;
};

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int jsonl_flush(struct sink *s)
{
	struct sink_jsonl *j = (struct sink_jsonl *)s;
	int r;

	if (!j->len)
		return 0;
	r = write_all(j->fd, j->buf, j->len);
	j->len = 0;
	return r;
}

static int jsonl_write(struct sink *s, const char *rec, size_t len)
{
	struct sink_jsonl *j = (struct sink_jsonl *)s;
	int r;

	if (len + 1 > JSONL_BUF - j->len) {
		r = jsonl_flush(s);
		if (r)
			return r;
	}
	if (len + 1 > JSONL_BUF) {
		r = write_all(j->fd, rec, len);
		if (!r)
			r = write_all(j->fd, "\n", 1);
		if (!r)
			s->last_seq++;
		return r;
	}
	memcpy(j->buf + j->len, rec, len);
	j->buf[j->len + len] = '\n';
	j->len += len + 1;
	s->last_seq++;
	return 0;
}

static void jsonl_close(struct sink *s)
{
	struct sink_jsonl *j = (struct sink_jsonl *)s;

	if (!j)
		return;
	jsonl_flush(s);
	if (j->fd >= 0)
		close(j->fd);
	free(j->buf);
	free(j);
}

static const struct sink_ops jsonl_ops = {
	.write = jsonl_write,
	.flush = jsonl_flush,
	.close = jsonl_close,
};

/*
 * The seq of the last complete line, so numbering continues across restarts.
 * A torn last line (crash mid-write) is cut so the file stays line-valid.
 */
static uint64_t recover_last_seq(int fd)
{
	char tail[65536];
	off_t size = lseek(fd, 0, SEEK_END), start;
	ssize_t n;
	char *end, *line;
	uint64_t seq = 0;

	if (size <= 0)
		return 0;
	start = size > (off_t)sizeof(tail) ? size - (off_t)sizeof(tail) : 0;
	n = pread(fd, tail, sizeof(tail), start);
	if (n <= 0)
		return 0;
	end = tail + n;
	if (end[-1] != '\n') {
		char *nl = memrchr(tail, '\n', (size_t)n);
		off_t keep = nl ? start + (nl - tail) + 1 : start;

		if (ftruncate(fd, keep) == 0)
			end = nl ? nl + 1 : tail;
	}
	if (end == tail)
		return 0;
	end--; /* the final newline */
	line = memrchr(tail, '\n', (size_t)(end - tail));
	line = line ? line + 1 : tail;
	if ((size_t)(end - line) > strlen(SEQ_PREFIX) &&
	    memcmp(line, SEQ_PREFIX, strlen(SEQ_PREFIX)) == 0)
		seq = strtoull(line + strlen(SEQ_PREFIX), NULL, 10);
	return seq;
}

int sink_jsonl_open(struct sink **out, const char *dir, char *err, size_t errlen)
{
	struct sink_jsonl *j;
	char path[4200];
	int dfd;

	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "create log directory %s: %s", dir, strerror(errno));
		return -errno;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(err, errlen, "open log directory %s: %s", dir, strerror(errno));
		return -errno;
	}
	j = calloc(1, sizeof(*j));
	if (!j || !(j->buf = malloc(JSONL_BUF))) {
		close(dfd);
		free(j);
		return -ENOMEM;
	}
	j->fd = openat(dfd, "current.jsonl", O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
		       0640);
	close(dfd);
	if (j->fd < 0) {
		int e = errno;

		snprintf(path, sizeof(path), "%s/current.jsonl", dir);
		snprintf(err, errlen, "open %s: %s", path, strerror(e));
		free(j->buf);
		free(j);
		return -e;
	}
	j->base.ops = &jsonl_ops;
	j->base.last_seq = recover_last_seq(j->fd);
	*out = &j->base;
	return 0;
}
