// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One host at the collector: its archive ARCHIVE/<host>/ (certs.jsonl and
 * the segments, each block byte for byte as the host wrote it, so `caudit
 * verify --root <host>.pub ARCHIVE/<host>` checks it), the verifier's state
 * (verify_stream.h) and the checkpoint `.collector-state` (the last stream
 * sequence handled).
 *
 * A block is handled once: blocks at or before the archive's last seq are
 * not archived again; when they come from a stream message already handled
 * (redelivered after a crash or a takeover) that is silent, otherwise it is
 * a replay and raises an alert. The checkpoint is written before the
 * archive, so a crash between the two leaves a block that is handled again.
 * A block after a gap waits COLL_GAP_GRACE_NS for the missing ones (they may
 * be redelivered late after a takeover) before the gap is reported.
 *
 * On open, the archive is verified again from the start (the collector that
 * takes a host over rebuilds its chain state from the archive), and a block
 * torn by a crash at the end of the last segment is cut.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "block_scan.h"
#include "collector.h"
#include "log.h"
#include "verify_stream.h"

#define STATE_FILE ".collector-state"
#define MAX_SEGS 1000000

struct coll_host {
	const struct coll_opts *o;
	struct coll_alerts *alerts;
	char name[FWD_HOST_MAX];
	struct verify_stream *vs;
	int dfd; /* ARCHIVE/<host> */
	int segfd, certfd;
	char seg[STORE_SEG_NAME_LEN]; /* the segment being appended to */
	uint64_t ncerts;	      /* certificate lines archived */
	uint64_t stream_seq;	      /* last stream message handled */
	int dirty;
	uint8_t *alerted; /* per segment: the verdict already reported (+1) */
	size_t nalerted;
	int64_t last_block_ns; /* CLOCK_MONOTONIC */
	int silent;
	int64_t gap_since_ns; /* a block after a gap is waiting (0: none) */
	uint64_t gap_first;
	int broken; /* verified but not archived: rebuild from the archive */
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static enum coll_alert_kind verdict_alert(enum verify_verdict v)
{
	switch (v) {
	case VERIFY_MISSING:
	case VERIFY_SEGMENT_MISSING:
		return ALERT_SEQ_GAP;
	case VERIFY_UNCERTIFIED_KEY:
		return ALERT_UNCERTIFIED;
	case VERIFY_UNKNOWN_ROOT:
		return ALERT_UNKNOWN_ROOT;
	default:
		return ALERT_CHAIN_BROKEN;
	}
}

/* New verdicts of the last segments (a link check may judge the one before). */
static void check_verdicts(struct coll_host *h, int report)
{
	size_t n = verify_stream_nsegs(h->vs), i;

	if (n > h->nalerted) {
		uint8_t *p = realloc(h->alerted, n + 64);

		if (!p)
			return;
		memset(p + h->nalerted, 0, n + 64 - h->nalerted);
		h->alerted = p;
		h->nalerted = n + 64;
	}
	for (i = n >= 2 ? n - 2 : 0; i < n; i++) {
		const struct verify_segment *s = verify_stream_seg(h->vs, i);
		char buf[256];

		if (s->verdict == VERIFY_VALID || s->verdict == VERIFY_UNSEALED_TAIL ||
		    h->alerted[i] == (uint8_t)(s->verdict + 1))
			continue;
		h->alerted[i] = (uint8_t)(s->verdict + 1);
		if (!report)
			continue;
		verify_verdict_format(s, buf, sizeof(buf));
		coll_alert(h->alerts, verdict_alert(s->verdict), h->name, "%s: %s (%s)", s->name,
			   buf, s->detail);
	}
}

static int save_state(struct coll_host *h)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "stream_seq %llu\n", (unsigned long long)h->stream_seq);
	int fd = openat(h->dfd, STATE_FILE ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);

	if (fd < 0)
		return -errno;
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -EIO;
	}
	close(fd);
	if (renameat(h->dfd, STATE_FILE ".tmp", h->dfd, STATE_FILE) < 0)
		return -errno;
	h->dirty = 1;
	return 0;
}

static void load_state(struct coll_host *h)
{
	char buf[64];
	ssize_t n;
	int fd = openat(h->dfd, STATE_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	if (strncmp(buf, "stream_seq ", 11) || fwd_parse_u64(buf + 11, &h->stream_seq))
		h->stream_seq = 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The archive's certificate lines into the verifier. */
static int load_certs(struct coll_host *h)
{
	struct stat sb;
	char *buf, *p, *end;

	h->certfd = openat(h->dfd, "certs.jsonl", O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (h->certfd < 0 || fstat(h->certfd, &sb) < 0)
		return -errno;
	if (!sb.st_size)
		return 0;
	buf = malloc((size_t)sb.st_size);
	if (!buf)
		return -ENOMEM;
	if (pread(h->certfd, buf, (size_t)sb.st_size, 0) != sb.st_size) {
		free(buf);
		return -EIO;
	}
	end = buf + sb.st_size;
	for (p = buf; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl) {
			/* a line torn by a crash: cut, it comes again */
			if (ftruncate(h->certfd, p - buf) < 0) {
				free(buf);
				return -errno;
			}
			break;
		}
		verify_stream_cert(h->vs, p, (size_t)(nl - p));
		h->ncerts++;
		p = nl + 1;
	}
	free(buf);
	return 0;
}

/* One archived segment into the verifier; the last one's torn end is cut. */
static int load_segment(struct coll_host *h, const char *name, int last)
{
	int fd = openat(h->dfd, name, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW), r;
	struct stat sb;
	uint8_t *map = NULL;
	size_t off = 0;

	if (fd < 0 || fstat(fd, &sb) < 0)
		return -errno;
	r = verify_stream_segment(h->vs, name);
	if (r)
		goto out;
	if (sb.st_size) {
		map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			r = -errno;
			map = NULL;
			goto out;
		}
	}
	while (off < (size_t)sb.st_size) {
		struct block_info bi;
		int b = block_scan(map + off, (size_t)sb.st_size - off, FWD_BLOCK_MAX_OUT, &bi);

		if (b <= 0) {
			if (last && b == 0) {
				r = ftruncate(fd, (off_t)off) < 0 ? -errno : 0;
				break;
			}
			bi.len = (size_t)sb.st_size - off; /* archived as received: judged so */
		}
		verify_stream_block(h->vs, map + off, bi.len);
		off += bi.len;
	}
	if (last) {
		strcpy(h->seg, name);
		h->segfd = fd;
		fd = -1;
	}
out:
	if (map)
		munmap(map, (size_t)sb.st_size);
	if (fd >= 0)
		close(fd);
	return r;
}

static int load_archive(struct coll_host *h)
{
	int fd = fcntl(h->dfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	uint64_t seq;
	int r = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((de = readdir(d)) && n < MAX_SEGS) {
		if (store_segment_parse(de->d_name, &seq))
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));

			if (!p) {
				r = -ENOMEM;
				break;
			}
			names = p;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (!r)
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; !r && i < n; i++)
		r = load_segment(h, names[i], i == n - 1);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int coll_host_open(struct coll_host **out, const struct coll_opts *o, const char *name,
		   const uint8_t root[CRYPTO_PUB_LEN], struct coll_alerts *alerts, char *err,
		   size_t errlen)
{
	struct coll_host *h = calloc(1, sizeof(*h));
	char path[PATH_MAX + FWD_HOST_MAX + 2];
	int r;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->o = o;
	h->alerts = alerts;
	h->segfd = h->certfd = -1;
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(path, sizeof(path), "%s/%s", o->archive_dir, name);
	if (mkdir(path, 0750) < 0 && errno != EEXIST) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	h->dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (h->dfd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	r = verify_stream_new(&h->vs, root, 0, 0);
	if (!r)
		r = load_certs(h);
	if (!r)
		r = load_archive(h);
	if (r) {
		snprintf(err, errlen, "%s: archive: %s", path, strerror(-r));
		goto fail;
	}
	check_verdicts(h, 0); /* reported when they were found */
	load_state(h);
	h->last_block_ns = mono_ns();
	*out = h;
	return 0;
fail:
	coll_host_close(h);
	return r;
}

void coll_host_close(struct coll_host *h)
{
	if (!h)
		return;
	coll_host_flush(h);
	if (h->segfd >= 0)
		close(h->segfd);
	if (h->certfd >= 0)
		close(h->certfd);
	if (h->dfd > 0)
		close(h->dfd);
	verify_stream_free(h->vs);
	free(h->alerted);
	free(h);
}

int coll_host_broken(const struct coll_host *h)
{
	return h->broken;
}

uint64_t coll_host_last_seq(const struct coll_host *h)
{
	struct verify_stream_state st;

	verify_stream_state(h->vs, &st);
	return st.last_seq;
}

static int write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -EIO;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

static int handle_cert(struct coll_host *h, const struct coll_msg *cm, const struct fwd_msg *m)
{
	int r;

	if (m->index < h->ncerts)
		return 0; /* sent again after a lost acknowledgement */
	if (m->index > h->ncerts) {
		coll_alert(h->alerts, ALERT_SEQ_GAP, h->name,
			   "certificate line %llu received, line %llu expected",
			   (unsigned long long)m->index, (unsigned long long)h->ncerts);
		return 0;
	}
	if (cm->len > FWD_CERT_MAX || memchr(cm->data, '\n', cm->len)) {
		coll_alert(h->alerts, ALERT_MALFORMED, h->name, "certificate line %llu malformed",
			   (unsigned long long)m->index);
		return 0;
	}
	r = verify_stream_cert(h->vs, cm->data, cm->len);
	if (r)
		coll_alert(h->alerts,
			   r == VERIFY_CERTS_BAD_SIG ? ALERT_CHAIN_BROKEN : ALERT_UNCERTIFIED,
			   h->name, "certificate line %llu: %s", (unsigned long long)m->index,
			   r == VERIFY_CERTS_BAD_SIG	 ? "signature invalid"
			   : r == VERIFY_CERTS_MALFORMED ? "malformed"
							 : "key not certified by the chain");
	h->stream_seq = cm->stream_seq;
	r = save_state(h);
	if (!r)
		r = write_all(h->certfd, cm->data, cm->len);
	if (!r)
		r = write_all(h->certfd, "\n", 1);
	if (!r)
		h->ncerts++;
	else
		h->broken = 1;
	return r;
}

static int handle_block(struct coll_host *h, const struct coll_msg *cm, const struct fwd_msg *m)
{
	uint64_t last = coll_host_last_seq(h);
	int r;

	if (m->last <= last && last) {
		if (cm->stream_seq > h->stream_seq)
			coll_alert(h->alerts, ALERT_REPLAY, h->name,
				   "block of seq %llu-%llu (%s) received again as stream message "
				   "%llu; the archive is at seq %llu",
				   (unsigned long long)m->first, (unsigned long long)m->last,
				   m->segment, (unsigned long long)cm->stream_seq,
				   (unsigned long long)last);
		return 0;
	}
	if (m->first > last + 1 && last) {
		int64_t now = mono_ns();

		if (!h->gap_since_ns || h->gap_first != m->first) {
			h->gap_since_ns = now;
			h->gap_first = m->first;
		}
		if (now - h->gap_since_ns < COLL_GAP_GRACE_NS)
			return -EAGAIN; /* the missing blocks may still come */
	}
	h->gap_since_ns = 0;
	if (strcmp(m->segment, h->seg)) {
		int fd;

		if (h->seg[0] && strcmp(m->segment, h->seg) < 0) {
			coll_alert(h->alerts, ALERT_CHAIN_BROKEN, h->name,
				   "a block of %s after segment %s", m->segment, h->seg);
			return 0;
		}
		r = verify_stream_segment(h->vs, m->segment);
		if (r)
			return r;
		fd = openat(h->dfd, m->segment, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (fd < 0)
			return -errno;
		if (h->segfd >= 0) {
			if (h->o->fsync)
				fsync(h->segfd);
			close(h->segfd);
		}
		h->segfd = fd;
		strcpy(h->seg, m->segment);
	}
	verify_stream_block(h->vs, cm->data, cm->len);
	check_verdicts(h, 1);
	h->stream_seq = cm->stream_seq;
	r = save_state(h);
	if (!r)
		r = write_all(h->segfd, cm->data, cm->len);
	if (r) {
		/* the verifier is past what the archive holds: start again from the archive */
		h->broken = 1;
		return r;
	}
	h->last_block_ns = mono_ns();
	if (h->silent) {
		h->silent = 0;
		log_msg(LOG_NOTICE, "%s: sending again after silence", h->name);
	}
	return r;
}

int coll_host_message(struct coll_host *h, const struct coll_msg *cm)
{
	struct fwd_msg m;

	if (fwd_msg_parse(&m, cm->kind, cm->index, cm->segment, cm->first, cm->last) ||
	    (m.kind == FWD_BLOCK && (cm->len == 0 || cm->len > FWD_BLOCK_MAX))) {
		if (cm->stream_seq > h->stream_seq)
			coll_alert(h->alerts, ALERT_MALFORMED, h->name,
				   "stream message %llu is neither a block nor a certificate",
				   (unsigned long long)cm->stream_seq);
		return 0;
	}
	return m.kind == FWD_CERT ? handle_cert(h, cm, &m) : handle_block(h, cm, &m);
}

int coll_host_flush(struct coll_host *h)
{
	if (h->broken)
		return -EIO;
	if (!h->dirty || !h->o->fsync) {
		h->dirty = 0;
		return 0;
	}
	h->dirty = 0;
	if ((h->segfd >= 0 && fsync(h->segfd) < 0) || (h->certfd >= 0 && fsync(h->certfd) < 0) ||
	    fsync(h->dfd) < 0)
		return -errno;
	return 0;
}

void coll_host_check_silence(struct coll_host *h, int64_t now_ns)
{
	int64_t limit = (int64_t)h->o->silence_factor * h->o->seal_interval * 1000000000LL;

	if (h->silent || now_ns - h->last_block_ns <= limit)
		return;
	h->silent = 1;
	coll_alert(h->alerts, ALERT_SILENT, h->name,
		   "no block for more than %u s (%u x seal interval %u s); last seq %llu",
		   h->o->silence_factor * h->o->seal_interval, h->o->silence_factor,
		   h->o->seal_interval, (unsigned long long)coll_host_last_seq(h));
}
