/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Start-up recovery of the newest segment. Every sealed block is a complete
 * gzip member; between seals the store sync-flushes, so after kill -9 the
 * file ends with a member that inflates up to the last flushed line. Those
 * lines are checked (seq and prev), re-written as a member of their own and
 * sealed late; a torn last line is cut. Nothing sealed is ever rewritten.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "store_keys.h"

#define TEXT_MAX (4ull << 30)
#define LINE_MAX_LEN (1u << 20)

static json_object *parse_line(const char *line, size_t len);
static const char *jstring(json_object *o, const char *a, const char *b);

/* Name of the newest segment into out; 0, or -ENOENT when there is none. */
static int newest_segment(struct store *st, char out[STORE_SEG_NAME_LEN], int *encrypted)
{
	int fd = fcntl(st->dfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	uint64_t best = 0, seq;
	int found = 0, enc, best_enc = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (store_segment_parse_any(de->d_name, &seq, &enc) == 0 && (!found || seq > best)) {
			best = seq;
			best_enc = enc;
			found = 1;
		}
	}
	closedir(d);
	if (!found)
		return -ENOENT;
	if (best_enc)
		store_segment_name_enc(out, best);
	else
		store_segment_name(out, best);
	*encrypted = best_enc;
	return 0;
}

/* The segment index recorded in head.json (encrypted segments hide their header). */
static uint64_t head_index(struct store *st)
{
	char buf[4096];
	int fd = openat(st->dfd, "head.json", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	json_object *o, *m;
	uint64_t idx = 0;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	o = json_tokener_parse(buf);
	if (o && json_object_object_get_ex(o, "index", &m))
		idx = (uint64_t)json_object_get_int64(m);
	json_object_put(o);
	return idx;
}

/*
 * An encrypted segment: the agent cannot read it back (only the auditor can),
 * but every D frame says in the clear which seq and chain head it reaches.
 * Frames after the last seal get a late seal over the cipher chain; a torn
 * frame is cut.
 */
static int recover_encrypted(struct store *st, const char *name, struct store_recovered *rr,
			     char *err, size_t errlen)
{
	struct store_enc_header h;
	struct store_frame f;
	struct stat sb;
	uint8_t *map = NULL, tail_head[CRYPTO_HASH_LEN];
	uint64_t first, after_seal_seq = 0, tail_seq = 0;
	size_t off = STORE_ENC_HEADER_LEN, good = STORE_ENC_HEADER_LEN;
	int fd, r, have_seal = 0, tail = 0, clean = 0;

	fd = openat(st->dfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "%s/%s: %s", st->cfg.log_dir, name, strerror(errno));
		return -errno;
	}
	if ((size_t)sb.st_size < STORE_ENC_HEADER_LEN) {
		close(fd);
		return -ENODATA;
	}
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		close(fd);
		return -errno;
	}
	if (store_enc_header_read(map, (size_t)sb.st_size, &h)) {
		snprintf(err, errlen, "%s: not an encrypted segment", name);
		r = -EINVAL;
		goto out;
	}
	store_segment_parse_any(name, &first, &r);
	cr_hash(st->chead, map, STORE_ENC_HEADER_LEN);
	while ((r = store_frame_next(map, (size_t)sb.st_size, &off, &f)) == 1) {
		cr_chain(st->chead, st->chead, map + good, off - good);
		good = off;
		if (f.type == STORE_FRAME_SEAL) {
			json_object *o = parse_line((const char *)f.body, f.len);
			const char *hh = o ? jstring(o, "seal", "head") : NULL;
			const char *reason = o ? jstring(o, "seal", "reason") : NULL;
			uint64_t seq;

			if (!hh || cr_from_hex(st->head, CRYPTO_HASH_LEN, hh, strlen(hh)) ||
			    store_record_seq((const char *)f.body, f.len, &seq)) {
				json_object_put(o);
				snprintf(err, errlen, "%s: malformed seal frame", name);
				r = -EINVAL;
				goto out;
			}
			clean = reason && strcmp(reason, "shutdown") == 0;
			json_object_put(o);
			cr_chain(st->head, st->head, f.body, f.len);
			after_seal_seq = seq;
			have_seal = 1;
			tail = 0;
		} else {
			tail_seq = f.last_seq;
			memcpy(tail_head, f.head, sizeof(tail_head));
			tail = 1;
		}
	}
	if (!have_seal && !tail) {
		r = -ENODATA;
		goto out;
	}
	if (ftruncate(fd, (off_t)good) < 0 || lseek(fd, 0, SEEK_END) < 0) {
		r = -errno;
		goto out;
	}
	if (st->fd >= 0)
		close(st->fd);
	st->fd = fd;
	fd = -1;
	snprintf(st->seg, sizeof(st->seg), "%s", name);
	st->seg_index = head_index(st);
	st->seg_bytes = good;
	rr->durable_last_seq = tail ? tail_seq : after_seal_seq;
	if (tail) {
		r = store_seal_frames_late(st, have_seal ? after_seal_seq + 1 : first, tail_seq,
					   tail_head);
		if (r)
			goto out;
		log_msg(LOG_NOTICE, "%s: records up to seq %llu written before a crash were sealed "
			"late", name, (unsigned long long)tail_seq);
		/* the late seal's line now ends the chain */
	} else {
		st->base.last_seq = after_seal_seq;
	}
	rr->recovered = tail ? tail_seq - (have_seal ? after_seal_seq : first - 1) : 0;
	rr->clean = clean && !tail && good == (size_t)sb.st_size;
	rr->found = 1;
	rr->previous_last_seq = st->base.last_seq;
	snprintf(rr->seg, sizeof(rr->seg), "%s", name);
	rr->seg_index = st->seg_index;
	r = 0;
out:
	munmap(map, (size_t)sb.st_size);
	if (fd >= 0)
		close(fd);
	return r;
}

struct inflated {
	char *text;
	size_t len;        /* decompressed bytes */
	size_t sealed_len; /* of which in complete members */
	size_t member_end; /* file offset after the last complete member */
};

static int inflate_segment(const unsigned char *data, size_t size, struct inflated *out)
{
	z_stream z = {};
	size_t cap = 1 << 20, pos = 0;
	int zr = Z_OK;

	memset(out, 0, sizeof(*out));
	out->text = malloc(cap);
	if (!out->text || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	while (pos < size) {
		z.next_in = (Bytef *)data + pos;
		z.avail_in = (uInt)(size - pos > UINT32_MAX ? UINT32_MAX : size - pos);
		for (;;) {
			if (cap - out->len < (1 << 18)) {
				char *nt = cap >= TEXT_MAX ? NULL : realloc(out->text, cap * 2);

				if (!nt) {
					inflateEnd(&z);
					return -EFBIG;
				}
				out->text = nt;
				cap *= 2;
			}
			z.next_out = (Bytef *)out->text + out->len;
			z.avail_out = (uInt)(cap - out->len);
			zr = inflate(&z, Z_NO_FLUSH);
			out->len = (size_t)((char *)z.next_out - out->text);
			if (zr != Z_OK || z.avail_in == 0)
				break;
		}
		if (zr != Z_STREAM_END)
			break; /* incomplete or damaged: the unsealed tail */
		pos = (size_t)((const unsigned char *)z.next_in - data);
		out->member_end = pos;
		out->sealed_len = out->len;
		inflateReset(&z);
	}
	inflateEnd(&z);
	return 0;
}

static json_object *parse_line(const char *line, size_t len)
{
	json_tokener *tok;
	json_object *o;

	if (len > LINE_MAX_LEN)
		return NULL;
	tok = json_tokener_new();
	o = tok ? json_tokener_parse_ex(tok, line, (int)len) : NULL;
	if (o && json_tokener_get_parse_end(tok) != len) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static const char *jstring(json_object *o, const char *a, const char *b)
{
	json_object *x = NULL, *y = NULL;

	if (!json_object_object_get_ex(o, a, &x) || !json_object_object_get_ex(x, b, &y) ||
	    !json_object_is_type(y, json_type_string))
		return NULL;
	return json_object_get_string(y);
}

/* What the segment header (first line) says: index, root, prev_head. */
static int read_header(struct store *st, const char *line, size_t len, uint64_t *index,
		       uint8_t prev_head[CRYPTO_HASH_LEN], char *err, size_t errlen)
{
	json_object *o = parse_line(line, len), *seg = NULL, *idx = NULL;
	const char *root = o ? jstring(o, "segment", "root") : NULL;
	const char *ph = o ? jstring(o, "segment", "prev_head") : NULL;
	uint8_t rootb[CRYPTO_PUB_LEN];
	int r = -EINVAL;

	if (!root || !ph || !json_object_object_get_ex(o, "segment", &seg) ||
	    !json_object_object_get_ex(seg, "index", &idx) ||
	    cr_from_hex(rootb, sizeof(rootb), root, strlen(root)) ||
	    cr_from_hex(prev_head, CRYPTO_HASH_LEN, ph, strlen(ph))) {
		snprintf(err, errlen, "newest segment: first record is not a segment header");
		goto out;
	}
	if (memcmp(rootb, st->keys.root, sizeof(rootb))) {
		snprintf(err, errlen, "%s holds a log made under another root key: refusing to "
			 "append (move it away or use the matching key_dir)", st->cfg.log_dir);
		r = -EPERM;
		goto out;
	}
	*index = (uint64_t)json_object_get_int64(idx);
	r = 0;
out:
	json_object_put(o);
	return r;
}

static int recover_one(struct store *st, const char *name, struct store_recovered *rr, char *err,
		       size_t errlen)
{
	struct inflated in = {};
	struct stat sb;
	unsigned char *map = NULL;
	const char *p, *end, *tail;
	uint8_t prev_head[CRYPTO_HASH_LEN];
	uint64_t index = 0, seq;
	size_t kept = 0;
	int fd, r;

	fd = openat(st->dfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "%s/%s: %s", st->cfg.log_dir, name, strerror(errno));
		return -errno;
	}
	if (sb.st_size == 0) {
		close(fd);
		return -ENODATA;
	}
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		close(fd);
		return -errno;
	}
	r = inflate_segment(map, (size_t)sb.st_size, &in);
	munmap(map, (size_t)sb.st_size);
	if (r)
		goto out;
	end = memchr(in.text, '\n', in.len);
	if (!end) {
		r = -ENODATA; /* not even the header survived */
		goto out;
	}
	r = read_header(st, in.text, (size_t)(end - in.text), &index, prev_head, err, errlen);
	if (r)
		goto out;

	if (in.sealed_len) {
		/* continue the chain after the last seal */
		const char *last = memrchr(in.text, '\n', in.sealed_len - 1);
		size_t llen;
		json_object *o;
		const char *hh, *reason;

		last = last ? last + 1 : in.text;
		llen = (size_t)(in.text + in.sealed_len - 1 - last);
		o = parse_line(last, llen);
		hh = o ? jstring(o, "seal", "head") : NULL;
		reason = o ? jstring(o, "seal", "reason") : NULL;
		if (!hh || cr_from_hex(st->head, CRYPTO_HASH_LEN, hh, strlen(hh)) ||
		    store_record_seq(last, llen, &seq)) {
			json_object_put(o);
			snprintf(err, errlen, "%s: the last complete block does not end with a seal",
				 name);
			r = -EINVAL;
			goto out;
		}
		rr->clean = reason && strcmp(reason, "shutdown") == 0;
		json_object_put(o);
		cr_chain(st->head, st->head, last, llen);
		st->base.last_seq = seq;
		tail = in.text + in.sealed_len;
	} else {
		/* crashed before the first seal: start again from the header */
		memcpy(st->head, prev_head, sizeof(prev_head));
		if (store_record_seq(in.text, (size_t)(end - in.text), &seq) || seq == 0) {
			r = -ENODATA;
			goto out;
		}
		st->base.last_seq = seq - 1;
		tail = in.text;
	}

	/* the file keeps only complete members; checked unsealed lines go back in */
	if (ftruncate(fd, (off_t)in.member_end) < 0 || lseek(fd, 0, SEEK_END) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: truncate: %s", name, strerror(errno));
		goto out;
	}
	if (st->fd >= 0)
		close(st->fd);
	st->fd = fd;
	fd = -1;
	snprintf(st->seg, sizeof(st->seg), "%s", name);
	st->seg_index = index;
	st->seg_bytes = in.member_end;
	st->block_off = in.member_end;
	st->block_first = st->base.last_seq + 1;
	st->block_count = 0;
	st->blk_len = 0;
	deflateReset(&st->z);
	for (p = tail; p < in.text + in.len;) {
		const char *nl = memchr(p, '\n', (size_t)(in.text + in.len - p));
		size_t len;

		if (!nl)
			break; /* torn last line */
		len = (size_t)(nl - p);
		if (store_record_seq(p, len, &seq) || seq != st->base.last_seq + 1 ||
		    !store_prev_matches(p, len, st->head)) {
			log_msg(LOG_WARNING, "%s: unsealed data after seq %llu does not continue the "
				"chain: dropped", name, (unsigned long long)st->base.last_seq);
			break;
		}
		r = store_append_raw(st, p, len);
		if (r)
			goto out;
		kept++;
		p = nl + 1;
	}
	rr->durable_last_seq = st->base.last_seq;
	if (kept) {
		/*
		 * The epoch may have advanced just before the crash, its log.key
		 * record lost with the tail: announce the key that seals now.
		 */
		r = store_keys_write_record(st);
		if (!r)
			r = store_seal(st, "recovery", 1);
		if (r)
			goto out;
		log_msg(LOG_NOTICE, "%s: %zu records written before a crash were sealed late", name,
			kept);
	}
	rr->recovered = kept;
	rr->clean = rr->clean && !kept && in.member_end == (size_t)sb.st_size;
	rr->found = 1;
	rr->previous_last_seq = st->base.last_seq;
	snprintf(rr->seg, sizeof(rr->seg), "%s", name);
	rr->seg_index = index;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	free(in.text);
	return r;
}

int store_recover(struct store *st, struct store_recovered *rr, char *err, size_t errlen)
{
	char name[STORE_SEG_NAME_LEN];
	int r;

	memset(rr, 0, sizeof(*rr));
	for (;;) {
		int encrypted = 0;

		r = newest_segment(st, name, &encrypted);
		if (r == -ENOENT)
			return 0;
		if (r) {
			snprintf(err, errlen, "%s: %s", st->cfg.log_dir, strerror(-r));
			return r;
		}
		r = encrypted ? recover_encrypted(st, name, rr, err, errlen)
			      : recover_one(st, name, rr, err, errlen);
		if (r != -ENODATA)
			return r;
		/* a segment with no complete record: created, then killed */
		log_msg(LOG_WARNING, "%s: no complete record, removed", name);
		if (unlinkat(st->dfd, name, 0) < 0)
			return -errno;
	}
}
