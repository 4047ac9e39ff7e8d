// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The forwarder's reading side: certs.jsonl line by line, then the
 * segments in name order (chain order), each cut into its complete gzip
 * members (sealed blocks; the open block is an unfinished member and waits).
 * After the output acknowledged a batch, the checkpoint (state_dir/
 * forward.state) is replaced atomically: tmp file, fsync, rename, fsync of
 * the directory. A crash re-sends at most the last batch, which the
 * stream's de-duplication stores once.
 *
 * A segment is finished when a newer one exists (the agent only begins a
 * segment after sealing or recovering the one before). Encrypted segments
 * are not forwarded (docs/forwarding.md).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "block_scan.h"
#include "forward.h"
#include "log.h"
#include "verify.h"

#define READ_MAX (FWD_BLOCK_MAX + 65536) /* bytes read from a segment at once */
#define BATCH 64			 /* blocks sent between checkpoints */
#define CERTS_MAX (64u << 20)

struct fwd_reader {
	const struct fwd_opts *o;
	int dfd, sfd; /* log directory, state directory */
	struct fwd_state st;
	unsigned char *buf;
	int warned_enc;
	int warned_dir;
};

static int save_state(struct fwd_reader *r, char *err, size_t errlen)
{
	char buf[FWD_STATE_MAX];
	int n = fwd_state_format(buf, sizeof(buf), &r->st), fd;

	fd = openat(r->sfd, FWD_STATE_FILE ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || write(fd, buf, (size_t)n) != n || fsync(fd) < 0) {
		snprintf(err, errlen, "%s/%s.tmp: %s", r->o->state_dir, FWD_STATE_FILE,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	close(fd);
	if (renameat(r->sfd, FWD_STATE_FILE ".tmp", r->sfd, FWD_STATE_FILE) < 0 ||
	    fsync(r->sfd) < 0) {
		snprintf(err, errlen, "%s/%s: %s", r->o->state_dir, FWD_STATE_FILE,
			 strerror(errno));
		return -EIO;
	}
	return 0;
}

static int load_state(struct fwd_reader *r, char *err, size_t errlen)
{
	char buf[FWD_STATE_MAX];
	ssize_t n;
	int fd = openat(r->sfd, FWD_STATE_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	memset(&r->st, 0, sizeof(r->st));
	if (fd < 0 && errno == ENOENT)
		return 0; /* first run: from the start */
	if (fd < 0) {
		snprintf(err, errlen, "%s/%s: %s", r->o->state_dir, FWD_STATE_FILE,
			 strerror(errno));
		return -errno;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || fwd_state_parse(buf, (size_t)n, &r->st)) {
		snprintf(err, errlen, "%s/%s: not a forwarder checkpoint", r->o->state_dir,
			 FWD_STATE_FILE);
		return -EINVAL;
	}
	return 0;
}

int fwd_reader_open(struct fwd_reader **out, const struct fwd_opts *o, char *err, size_t errlen)
{
	struct fwd_reader *r = calloc(1, sizeof(*r));
	int e;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->o = o;
	r->sfd = -1;
	r->dfd = -1; /* opened once the agent has made it */
	if (mkdir(o->state_dir, 0750) < 0 && errno != EEXIST) {
		e = -errno;
		snprintf(err, errlen, "%s: %s", o->state_dir, strerror(errno));
		goto fail;
	}
	r->sfd = open(o->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->sfd < 0) {
		e = -errno;
		snprintf(err, errlen, "%s: %s", o->state_dir, strerror(errno));
		goto fail;
	}
	r->buf = malloc(READ_MAX);
	if (!r->buf) {
		e = -ENOMEM;
		goto fail;
	}
	e = load_state(r, err, errlen);
	if (e)
		goto fail;
	*out = r;
	return 0;
fail:
	fwd_reader_close(r);
	return e;
}

void fwd_reader_close(struct fwd_reader *r)
{
	if (!r)
		return;
	if (r->dfd >= 0)
		close(r->dfd);
	if (r->sfd >= 0)
		close(r->sfd);
	free(r->buf);
	free(r);
}

void fwd_reader_state(const struct fwd_reader *r, struct fwd_state *st)
{
	*st = r->st;
}

/* certs.jsonl lines after the acknowledged ones. */
static int step_certs(struct fwd_reader *r, struct fwd_out *out, char *err, size_t errlen)
{
	int fd = openat(r->dfd, VERIFY_CERTS_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;
	char *buf, *p, *end;
	uint64_t line = 0;
	int sent = 0, e = 0;

	if (fd < 0)
		return 0; /* the agent has not started yet */
	if (fstat(fd, &sb) < 0 || (uint64_t)sb.st_size > CERTS_MAX) {
		close(fd);
		snprintf(err, errlen, "%s: unreadable or too large", VERIFY_CERTS_FILE);
		return -EFBIG;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf || read(fd, buf, (size_t)sb.st_size) != sb.st_size) {
		close(fd);
		free(buf);
		snprintf(err, errlen, "%s: read failed", VERIFY_CERTS_FILE);
		return -EIO;
	}
	close(fd);
	end = buf + sb.st_size;
	for (p = buf; p < end; line++) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		struct fwd_msg m = {.kind = FWD_CERT, .index = line};

		if (!nl)
			break; /* being written */
		if (line >= r->st.certs) {
			e = out->ops->send(out, &m, p, (size_t)(nl - p), err, errlen);
			if (e)
				break;
			r->st.certs = line + 1;
			sent++;
		}
		p = nl + 1;
	}
	free(buf);
	if (sent) {
		int s = save_state(r, err, errlen);

		if (s)
			return s;
	}
	return e ? e : sent;
}

/*
 * The segment to read after `after` ("" : the oldest), and whether one
 * newer than `after` exists. 0 when found.
 */
static int next_segment(struct fwd_reader *r, const char *after, char next[STORE_SEG_NAME_LEN],
			int *newer)
{
	int fd = fcntl(r->dfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	uint64_t seq;
	int enc;

	next[0] = 0;
	*newer = 0;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (store_segment_parse_any(de->d_name, &seq, &enc) ||
		    strcmp(de->d_name, after) <= 0)
			continue;
		if (enc) {
			if (!r->warned_enc++)
				log_msg(LOG_WARNING, "%s: encrypted segments are not forwarded",
					de->d_name);
			continue;
		}
		*newer = 1;
		if (!next[0] || strcmp(de->d_name, next) < 0)
			strcpy(next, de->d_name);
	}
	closedir(d);
	return next[0] ? 0 : -ENOENT;
}

/* Complete blocks of the current segment after the acknowledged offset. */
static int step_blocks(struct fwd_reader *r, struct fwd_out *out, char *err, size_t errlen)
{
	struct fwd_state *st = &r->st;
	char next[STORE_SEG_NAME_LEN];
	int newer, fd, sent = 0, e = 0, final;
	struct stat sb;
	ssize_t n;
	size_t off = 0;

	if (!st->segment[0]) {
		if (next_segment(r, "", next, &newer))
			return 0;
		strcpy(st->segment, next);
		st->offset = 0;
	}
	fd = openat(r->dfd, st->segment, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		/* removed before it was forwarded (disk-full policy): a log.gap says so */
		if (next_segment(r, st->segment, next, &newer))
			return 0;
		log_msg(LOG_WARNING, "%s was removed before it was forwarded; going on with %s",
			st->segment, next);
		strcpy(st->segment, next);
		st->offset = 0;
		return 1;
	}
	if (fd < 0 || fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", st->segment, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	/* asked before reading: a newer segment means this file is complete */
	final = !next_segment(r, st->segment, next, &newer);
	if ((uint64_t)sb.st_size > st->offset) {
		n = pread(fd, r->buf, READ_MAX, (off_t)st->offset);
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", st->segment, strerror(errno));
			close(fd);
			return -EIO;
		}
		while (off < (size_t)n && sent < BATCH) {
			struct block_info bi;
			struct fwd_msg m = {.kind = FWD_BLOCK};
			int b = block_scan(r->buf + off, (size_t)n - off, FWD_BLOCK_MAX_OUT, &bi);

			if (b == 0)
				break; /* the open block */
			if (b < 0) {
				/* not gzip: sent as it is, for the collector to report */
				log_msg(LOG_ERR, "%s: bytes at offset %llu are not a sealed block",
					st->segment, (unsigned long long)(st->offset + off));
				bi.len = (size_t)n - off < FWD_BLOCK_MAX ? (size_t)n - off
									 : FWD_BLOCK_MAX;
				bi.first_seq = bi.last_seq = st->last_seq + 1;
			}
			strcpy(m.segment, st->segment);
			m.first = bi.first_seq;
			m.last = bi.last_seq >= bi.first_seq ? bi.last_seq : bi.first_seq;
			e = out->ops->send(out, &m, r->buf + off, bi.len, err, errlen);
			if (e)
				break;
			off += bi.len;
			if (bi.last_seq)
				st->last_seq = bi.last_seq;
			sent++;
		}
		st->offset += off;
	}
	close(fd);
	if (!sent && !e && final) {
		/* a newer segment exists: this one will not grow (any torn tail was never sealed)
		 */
		if ((uint64_t)sb.st_size > st->offset)
			log_msg(LOG_WARNING, "%s: %llu bytes after the last sealed block skipped",
				st->segment,
				(unsigned long long)((uint64_t)sb.st_size - st->offset));
		strcpy(st->segment, next);
		st->offset = 0;
		sent = 1;
	}
	if (sent) {
		int s = save_state(r, err, errlen);

		if (s)
			return s;
	}
	return e ? e : sent;
}

int fwd_reader_step(struct fwd_reader *r, struct fwd_out *out, char *err, size_t errlen)
{
	int a, b;

	if (r->dfd < 0) {
		r->dfd = open(r->o->log_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (r->dfd < 0 && errno == ENOENT) {
			if (!r->warned_dir++)
				log_msg(LOG_NOTICE, "%s: waiting for the agent to create it",
					r->o->log_dir);
			return 0;
		}
		if (r->dfd < 0) {
			snprintf(err, errlen, "%s: %s", r->o->log_dir, strerror(errno));
			return -errno;
		}
	}
	a = step_certs(r, out, err, errlen);

	if (a < 0)
		return a;
	b = step_blocks(r, out, err, errlen);
	if (b < 0)
		return b;
	return a + b;
}
