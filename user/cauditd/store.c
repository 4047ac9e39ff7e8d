/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The signed store's write path: chain, compress, seal, rotate. Recovery is
 * in store_recover.c, retention and disk conditions in store_disk.c, keys and
 * certificates in store_keys.c. Format: docs/log-format.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "store.h"
#include "store_keys.h"

#define NS 1000000000LL

int64_t store_now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

int64_t store_now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Bytes to the segment file; a failure switches the store to keeping blocks in memory. */
static int out_write(struct store *st, const void *p, size_t n)
{
	int r;

	if (st->failed)
		return -EIO;
	r = write_all(st->fd, p, n);
	if (r) {
		store_write_failed(st, -r);
		return r;
	}
	st->seg_bytes += n;
	return 0;
}

static int grow(char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 4096;
	char *nb;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	nb = realloc(*buf, n);
	if (!nb)
		return -ENOMEM;
	*buf = nb;
	*cap = n;
	return 0;
}

/* Run deflate over data with `flush`, writing what it produces. */
static int z_feed(struct store *st, const void *data, size_t len, int flush)
{
	int zr;

	st->z.next_in = (Bytef *)data;
	st->z.avail_in = (uInt)len;
	do {
		size_t have;

		st->z.next_out = st->zbuf;
		st->z.avail_out = sizeof(st->zbuf);
		zr = deflate(&st->z, flush);
		if (zr == Z_STREAM_ERROR)
			return -EIO;
		have = sizeof(st->zbuf) - st->z.avail_out;
		if (have && st->encrypted) {
			if (grow((char **)&st->chunk, &st->chunk_cap, st->chunk_len + have))
				return -ENOMEM;
			memcpy(st->chunk + st->chunk_len, st->zbuf, have);
			st->chunk_len += have;
		} else if (have && out_write(st, st->zbuf, have)) {
			return -EIO;
		}
	} while (st->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

/* Write one frame (encrypted segments) and extend the cipher chain over it. */
static int write_frame(struct store *st, char type, const uint8_t *meta, size_t meta_len,
		       const uint8_t *body, size_t body_len, int encrypt)
{
	size_t n = meta_len + body_len + (encrypt ? CRYPTO_STREAM_ABYTES : 0);
	int r;

	if (n > STORE_FRAME_MAX)
		return -E2BIG;
	r = grow((char **)&st->frame, &st->frame_cap, STORE_FRAME_HDR + n);
	if (r)
		return r;
	store_frame_header(st->frame, type, (uint32_t)n);
	memcpy(st->frame + STORE_FRAME_HDR, meta, meta_len);
	if (encrypt)
		r = cr_stream_push(&st->ss, st->frame + STORE_FRAME_HDR + meta_len, body, body_len);
	else
		memcpy(st->frame + STORE_FRAME_HDR + meta_len, body, body_len);
	if (r)
		return r;
	r = out_write(st, st->frame, STORE_FRAME_HDR + n);
	if (r)
		return r;
	cr_chain(st->chead, st->chead, st->frame, STORE_FRAME_HDR + n);
	return 0;
}

/* Compressed bytes so far -> one D frame, with the seq and head they reach. */
static int flush_data_frame(struct store *st)
{
	uint8_t meta[STORE_DATA_META];
	uint64_t seq = st->base.last_seq;
	int r;

	if (!st->chunk_len)
		return 0;
	for (int i = 0; i < 8; i++)
		meta[i] = (uint8_t)(seq >> (8 * i));
	memcpy(meta + 8, st->head, CRYPTO_HASH_LEN);
	r = write_frame(st, STORE_FRAME_DATA, meta, sizeof(meta), st->chunk, st->chunk_len, 1);
	st->chunk_len = 0;
	return r;
}

int store_append_raw(struct store *st, const char *line, size_t len)
{
	char *at;

	if (st->blk_len + len + 1 > STORE_BLOCK_MAX)
		return -ENOSPC;
	if (grow(&st->blk, &st->blk_cap, st->blk_len + len + 1))
		return -ENOMEM;
	at = st->blk + st->blk_len;
	memcpy(at, line, len);
	at[len] = '\n';
	st->blk_len += len + 1;
	cr_chain(st->head, st->head, line, len);
	store_index_line(st, line, len);
	st->block_count++;
	st->base.last_seq++;
	if (st->failed)
		return 0;
	if (st->encrypted && st->seal_frame)
		return write_frame(st, STORE_FRAME_SEAL, NULL, 0, (const uint8_t *)line, len, 0);
	z_feed(st, at, len + 1, Z_NO_FLUSH);
	st->z_pending = 1;
	return 0;
}

/* Append one record (seq last_seq + 1) with its "prev" link. */
static int emit_nocheck(struct store *st, const char *rec, size_t len)
{
	uint64_t seq;
	int n, r;

	if (store_record_seq(rec, len, &seq) || seq != st->base.last_seq + 1)
		return -EINVAL;
	/* refused, and counted for the log.gap record written when writing resumes */
	if (st->admin_suspended ||
	    (st->failed && (st->fail_action == CONFIG_ACTION_SUSPEND ||
			    st->blk_len + len + STORE_PREV_FIELD_LEN + 1 > STORE_BLOCK_MAX))) {
		if (!st->lost++)
			st->lost_from_ns = store_now_real_ns();
		return -ENOSPC;
	}
	r = grow(&st->line, &st->line_cap, len + STORE_PREV_FIELD_LEN);
	if (r)
		return r;
	n = store_splice_prev(st->line, st->line_cap, rec, len, st->head);
	if (n < 0)
		return n;
	return store_append_raw(st, st->line, (size_t)n);
}

int store_emit(struct store *st, const char *rec, size_t len)
{
	int r = emit_nocheck(st, rec, len);

	if (!r && st->block_count >= st->cfg.seal_records)
		store_seal(st, "count", 0);
	return r;
}

void store_write_internal_begin(struct store *st, const char *event)
{
	encode_record_begin(&st->w, &st->enc, st->base.last_seq + 1, store_now_real_ns(), event,
			    "log");
}

/* Close the record begun with store_write_internal_begin and append it. */
int store_write_internal_end(struct store *st)
{
	jw_object_end(&st->w);
	if (st->w.err)
		return st->w.err;
	return emit_nocheck(st, st->w.buf, st->w.len);
}

/* head.json: the last seal, so verify can tell a cut end from a clean one. */
static void write_head(struct store *st, const struct store_seal *s, uint64_t seal_seq)
{
	struct jsonw w;
	char hex[129];
	int fd;

	jw_init(&w, 4096);
	jw_object_begin(&w, NULL);
	jw_cstring(&w, "segment", st->seg);
	jw_uint(&w, "index", st->seg_index);
	jw_uint(&w, "seal_seq", seal_seq);
	jw_uint(&w, "last_seq", s->last_seq);
	cr_to_hex(hex, s->head, sizeof(s->head));
	jw_cstring(&w, "head", hex);
	jw_uint(&w, "epoch", s->epoch);
	jw_uint(&w, "time_ns", s->time_ns);
	store_seal_write(&w, "seal", s);
	jw_object_end(&w);
	fd = openat(st->dfd, ".head.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		    0640);
	if (fd >= 0) {
		int ok = !w.err && write_all(fd, w.buf, w.len) == 0 && write_all(fd, "\n", 1) == 0;

		if (ok && st->cfg.fsync_seals)
			fsync(fd);
		if (fchown(fd, 0, st->gid) < 0)
			ok = ok && geteuid() != 0;
		close(fd);
		if (ok)
			renameat(st->dfd, ".head.json.tmp", st->dfd, "head.json");
	}
	jw_free(&w);
}

static int rotate_due(struct store *st)
{
	if (st->seg_bytes >= st->cfg.rotate_size)
		return 1;
	return st->cfg.rotate_age &&
	       store_now_mono_ns() - st->seg_opened_ns >= (int64_t)st->cfg.rotate_age * NS;
}

static int store_rotate(struct store *st);

int store_seal(struct store *st, const char *reason, int late)
{
	struct store_seal s = {};
	uint64_t seal_seq, seq_before;
	uint8_t head_before[CRYPTO_HASH_LEN];
	size_t blk_before;
	int r, rotating = 0;

	if (st->failed)
		return -EIO; /* the block stays open in memory until the disk takes it */
	/* the last seal of a segment due to rotate says so; the rotation follows it */
	if (!strcmp(reason, "count") || !strcmp(reason, "interval") || !strcmp(reason, "idle")) {
		rotating = rotate_due(st);
		if (rotating)
			reason = "rotate";
	}
	if (st->encrypted) {
		/* the block's member ends before the seal, which stays readable */
		r = z_feed(st, NULL, 0, Z_FINISH);
		if (!r)
			r = flush_data_frame(st);
		if (r)
			return r;
		s.has_cipher = 1;
		memcpy(s.cipher_head, st->chead, sizeof(s.cipher_head));
	}
	s.epoch = st->keys.cert.epoch;
	s.first_seq = st->block_first;
	s.last_seq = st->base.last_seq;
	s.count = st->block_count;
	memcpy(s.head, st->head, sizeof(s.head));
	s.time_ns = (uint64_t)store_now_real_ns();
	s.late = late;
	snprintf(s.reason, sizeof(s.reason), "%s", reason);
	store_seal_sign(&s, st->keys.root, st->keys.secret);

	encode_record_begin(&st->w, &st->enc, st->base.last_seq + 1, (int64_t)s.time_ns, "log.seal",
			    "log");
	store_seal_write(&st->w, "seal", &s);
	seq_before = st->base.last_seq;
	blk_before = st->blk_len;
	memcpy(head_before, st->head, sizeof(head_before));
	st->seal_frame = 1;
	r = store_write_internal_end(st);
	st->seal_frame = 0;
	seal_seq = st->base.last_seq;
	if (!r && !st->encrypted)
		r = z_feed(st, NULL, 0, Z_FINISH);
	if (!r && st->cfg.fsync_seals && fsync(st->fd) < 0) {
		r = -errno;
		store_write_failed(st, -r);
	}
	if (r) {
		/*
		 * The file was cut back to the block's start: take the seal out of
		 * the block kept in memory too, or the retry would write it inside
		 * the block, followed by a second seal over the same records.
		 */
		if (st->failed && st->base.last_seq != seq_before) {
			st->blk_len = blk_before;
			st->block_count--;
			st->base.last_seq = seq_before;
			memcpy(st->head, head_before, sizeof(st->head));
		}
		return r;
	}
	write_head(st, &s, seal_seq);
	store_index_sealed(st, &s);
	deflateReset(&st->z);
	st->z_pending = 0;
	st->blk_len = 0;
	st->block_off = st->seg_bytes;
	st->block_first = st->base.last_seq + 1;
	st->block_count = 0;
	st->last_seal_ns = store_now_mono_ns();
	st->last_seal_real_ns = store_now_real_ns();
	st->ss_block = st->ss;
	memcpy(st->chead_block, st->chead, sizeof(st->chead));

	if (strcmp(reason, "shutdown") == 0 || strcmp(reason, "recovery") == 0)
		return 0;
	/*
	 * The epoch changes first: its log.key record opens the next block, so
	 * the new key's start_seq is that block's first seq, whichever segment
	 * the block lands in after a rotation.
	 */
	if ((uint64_t)store_now_real_ns() - st->keys.cert.not_before >=
	    (uint64_t)st->cfg.epoch_interval * NS)
		store_keys_next_epoch(st);
	if (rotating)
		return store_rotate(st);
	return 0;
}

int store_seal_frames_late(struct store *st, uint64_t first_seq, uint64_t last_seq,
			   const uint8_t head[CRYPTO_HASH_LEN])
{
	struct store_seal s = {};
	int r;

	st->encrypted = 1;
	s.epoch = st->keys.cert.epoch;
	s.first_seq = first_seq;
	s.last_seq = last_seq;
	s.count = last_seq + 1 - first_seq;
	memcpy(s.head, head, sizeof(s.head));
	memcpy(st->head, head, sizeof(st->head));
	st->base.last_seq = last_seq;
	s.time_ns = (uint64_t)store_now_real_ns();
	s.late = 1;
	snprintf(s.reason, sizeof(s.reason), "recovery");
	s.has_cipher = 1;
	memcpy(s.cipher_head, st->chead, sizeof(s.cipher_head));
	store_seal_sign(&s, st->keys.root, st->keys.secret);
	encode_record_begin(&st->w, &st->enc, st->base.last_seq + 1, (int64_t)s.time_ns, "log.seal",
			    "log");
	store_seal_write(&st->w, "seal", &s);
	st->seal_frame = 1;
	r = store_write_internal_end(st);
	st->seal_frame = 0;
	if (!r && st->cfg.fsync_seals)
		fsync(st->fd);
	if (!r)
		write_head(st, &s, st->base.last_seq);
	return r;
}

int store_begin_segment(struct store *st, const char *prev, uint64_t prev_index, int genesis)
{
	char hex[65], root[65];
	uint64_t prev_last = st->base.last_seq;
	int fd, r;

	st->encrypted = st->encrypt_new;
	if (st->encrypted)
		store_segment_name_enc(st->seg, st->base.last_seq + 1);
	else
		store_segment_name(st->seg, st->base.last_seq + 1);
	/* with the log group from the start: caudit-forward may open it at once */
	fd = fs_create_grouped(st->dfd, st->seg, 0640, st->gid);
	if (fd < 0)
		return fd;
	{
		struct stat sb;

		if (geteuid() == 0 && fstat(fd, &sb) == 0 && sb.st_gid != st->gid)
			log_msg(LOG_WARNING, "%s: cannot give it the log group", st->seg);
	}
	if (st->fd >= 0)
		close(st->fd);
	st->fd = fd;
	fsync(st->dfd);
	st->seg_index = prev_index + 1;
	st->seg_bytes = 0;
	st->block_off = 0;
	st->blk_len = 0;
	st->block_first = st->base.last_seq + 1;
	st->block_count = 0;
	st->seg_opened_ns = store_now_mono_ns();
	st->chunk_len = 0;
	deflateReset(&st->z);
	store_index_begin(st);
	if (st->encrypted) {
		struct store_enc_header h = {};
		uint8_t hb[STORE_ENC_HEADER_LEN];

		/* a fresh stream key per segment, sealed to the auditor only */
		memcpy(h.recipient, st->recipient, sizeof(h.recipient));
		r = cr_stream_push_init(&st->ss, h.sealed_key, h.stream_header, st->recipient);
		if (r)
			return r;
		store_enc_header_write(hb, &h);
		r = out_write(st, hb, sizeof(hb));
		if (r)
			return r;
		cr_hash(st->chead, hb, sizeof(hb));
		st->ss_block = st->ss;
		memcpy(st->chead_block, st->chead, sizeof(st->chead));
	}

	store_write_internal_begin(st, "log.segment");
	jw_object_begin(&st->w, "segment");
	jw_cstring(&st->w, "name", st->seg);
	jw_uint(&st->w, "index", st->seg_index);
	if (genesis || !prev)
		jw_null(&st->w, "prev");
	else
		jw_cstring(&st->w, "prev", prev);
	jw_uint(&st->w, "prev_last_seq", prev_last);
	cr_to_hex(hex, st->head, sizeof(st->head));
	jw_cstring(&st->w, "prev_head", hex);
	cr_to_hex(root, st->keys.root, sizeof(st->keys.root));
	jw_cstring(&st->w, "root", root);
	jw_uint(&st->w, "epoch", st->keys.cert.epoch);
	jw_bool(&st->w, "encrypted", st->encrypted);
	jw_object_end(&st->w);
	r = store_write_internal_end(st);
	if (r)
		return r;
	return store_keys_write_record(st);
}

int store_rewrite_block(struct store *st)
{
	st->failed = 0;
	deflateReset(&st->z);
	if (ftruncate(st->fd, (off_t)st->block_off) < 0) {
		store_write_failed(st, errno);
		return -EIO;
	}
	st->seg_bytes = st->block_off;
	if (st->encrypted) {
		/* the stream and cipher chain go back to where the block began */
		st->ss = st->ss_block;
		memcpy(st->chead, st->chead_block, sizeof(st->chead));
		st->chunk_len = 0;
	}
	if (st->blk_len && z_feed(st, st->blk, st->blk_len, Z_SYNC_FLUSH))
		return -EIO;
	if (st->encrypted && flush_data_frame(st))
		return -EIO;
	return st->failed ? -EIO : 0;
}

static int store_rotate(struct store *st)
{
	char prev[STORE_SEG_NAME_LEN];
	int r;

	if (st->block_count) {
		r = store_seal(st, "rotate", 0);
		if (r)
			return r;
	}
	memcpy(prev, st->seg, sizeof(prev));
	store_index_write(st);
	r = store_begin_segment(st, prev, st->seg_index, 0);
	if (r) {
		log_msg(LOG_ERR, "rotate: cannot open a new segment: %s", strerror(-r));
		store_write_failed(st, -r);
		return r;
	}
	store_retention(st);
	return 0;
}

/* ---- sink operations ---- */

static int op_write(struct sink *s, const char *rec, size_t len)
{
	return store_emit((struct store *)s, rec, len);
}

static int op_flush(struct sink *s)
{
	struct store *st = (struct store *)s;

	if (!st->z_pending || st->failed)
		return 0;
	st->z_pending = 0;
	/* a sync flush puts every complete line on disk in decodable form (kill -9 safe) */
	if (z_feed(st, NULL, 0, Z_SYNC_FLUSH))
		return -EIO;
	return st->encrypted ? flush_data_frame(st) : 0;
}

static void op_tick(struct sink *s)
{
	struct store *st = (struct store *)s;
	int64_t now = store_now_mono_ns();

	if (st->failed && now >= st->retry_at_ns && !st->fatal)
		store_retry(st);
	if (now >= st->next_disk_check_ns) {
		store_disk_check(st);
		/* segments kept for caudit-forward go once it has sent them */
		if (st->cfg.forward_state[0] && !st->failed)
			store_retention(st);
		st->next_disk_check_ns = now + 5 * NS;
	}
	if (!st->failed && now - st->last_seal_ns >= (int64_t)st->cfg.seal_interval * NS)
		store_seal(st, st->block_count ? "interval" : "idle", 0);
}

static void op_close(struct sink *s)
{
	struct store *st = (struct store *)s;

	if (!st)
		return;
	if (st->failed)
		store_retry(st);
	if (st->fd >= 0) {
		if (!st->failed && !store_seal(st, "shutdown", 0))
			store_index_write(st);
		close(st->fd);
	}
	if (st->z_ready)
		deflateEnd(&st->z);
	keys_wipe(&st->keys);
	cr_wipe(&st->ss, sizeof(st->ss));
	cr_wipe(&st->ss_block, sizeof(st->ss_block));
	if (st->dfd >= 0)
		close(st->dfd);
	jw_free(&st->w);
	free(st->blk);
	free(st->line);
	free(st->chunk);
	free(st->frame);
	store_index_free(st);
	free(st);
}

static const struct sink_ops store_ops = {
	.write = op_write,
	.flush = op_flush,
	.tick = op_tick,
	.close = op_close,
};

int store_fatal(const struct sink *s)
{
	return s->ops == &store_ops && ((const struct store *)s)->fatal;
}

int store_info(const struct sink *s, struct store_info *out)
{
	const struct store *st = (const struct store *)s;

	memset(out, 0, sizeof(*out));
	if (s->ops != &store_ops)
		return -EINVAL;
	out->last_seq = st->base.last_seq;
	out->last_seal_real_ns = st->last_seal_real_ns;
	out->epoch = st->keys.cert.epoch;
	out->epoch_not_before_ns = (int64_t)st->keys.cert.not_before;
	out->failed = st->failed;
	out->lost = st->lost;
	out->dfd = st->dfd;
	snprintf(out->segment, sizeof(out->segment), "%s", st->seg);
	return 0;
}

/*
 * Files written under an earlier log_group keep that group: give them the
 * current one, or a reader in the new group (caudit-forward) could read only
 * what was written after the change.
 */
static void regroup_files(struct store *st)
{
	int fd = openat(st->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat sb;

		if (fstatat(st->dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(sb.st_mode) || sb.st_gid == st->gid)
			continue;
		if (fchownat(st->dfd, de->d_name, 0, st->gid, AT_SYMLINK_NOFOLLOW) < 0)
			log_msg(LOG_WARNING, "chown %s/%s: %s", st->cfg.log_dir, de->d_name,
				strerror(errno));
	}
	closedir(d);
}

static int open_log_dir(struct store *st, char *err, size_t errlen)
{
	struct stat sb;

	int r = fs_mkdir_p(st->cfg.log_dir, 0750);

	if (r) {
		snprintf(err, errlen, "create log directory %s: %s", st->cfg.log_dir, strerror(-r));
		return r;
	}
	st->dfd = open(st->cfg.log_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dfd < 0 || fstat(st->dfd, &sb) < 0) {
		snprintf(err, errlen, "open log directory %s: %s", st->cfg.log_dir, strerror(errno));
		return -errno;
	}
	/* 0750 and the log group, whatever it was created with */
	if (geteuid() == 0 && (sb.st_uid != 0 || sb.st_gid != st->gid) && fchown(st->dfd, 0, st->gid))
		log_msg(LOG_WARNING, "chown %s: %s", st->cfg.log_dir, strerror(errno));
	if ((sb.st_mode & 07777) != 0750 && fchmod(st->dfd, 0750) < 0)
		log_msg(LOG_WARNING, "chmod %s: %s", st->cfg.log_dir, strerror(errno));
	if (geteuid() == 0)
		regroup_files(st);
	return 0;
}

int store_open(struct sink **out, const struct ca_config *cfg, const struct enc_host *host,
	       char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof(*st));
	struct store_recovered rr = {};
	int r;

	if (!st)
		return -ENOMEM;
	st->cfg = *cfg;
	st->fd = -1;
	st->dfd = -1;
	st->host = *host;
	st->enc.host = &st->host;
	st->base.ops = &store_ops;
	jw_init(&st->w, 1 << 20);
	r = store_keys_resolve_group(st, err, errlen);
	if (!r)
		r = open_log_dir(st, err, errlen);
	if (!r)
		r = store_keys_open(st, err, errlen);
	if (!r && cfg->encrypt_to[0]) {
		r = keys_read_root_pub(cfg->encrypt_to, st->recipient, err, errlen);
		st->encrypt_new = !r;
	}
	if (r)
		goto fail;
	if (deflateInit2(&st->z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		snprintf(err, errlen, "zlib initialisation failed");
		r = -ENOMEM;
		goto fail;
	}
	st->z_ready = 1;
	r = store_recover(st, &rr, err, errlen);
	if (r)
		goto fail;
	if (!rr.found) {
		r = store_keys_genesis(st, err, errlen);
		if (!r)
			r = store_begin_segment(st, NULL, 0, 1);
	} else {
		st->base.resume_seq = rr.durable_last_seq;
		r = store_begin_segment(st, rr.seg, rr.seg_index, 0);
		if (!r) {
			store_write_internal_begin(st, "log.restart");
			jw_object_begin(&st->w, "restart");
			jw_bool(&st->w, "clean", rr.clean);
			jw_uint(&st->w, "recovered", rr.recovered);
			jw_uint(&st->w, "previous_last_seq", rr.previous_last_seq);
			jw_object_end(&st->w);
			r = store_write_internal_end(st);
		}
	}
	if (r) {
		if (!err[0])
			snprintf(err, errlen, "start a segment in %s: %s", cfg->log_dir, strerror(-r));
		goto fail;
	}
	st->last_seal_ns = store_now_mono_ns();
	*out = &st->base;
	return 0;
fail:
	op_close(&st->base);
	return r;
}
