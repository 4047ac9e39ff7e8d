/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "store_keys.h"

#define CERTS_MAX (64u << 20)

int store_keys_resolve_group(struct store *st, char *err, size_t errlen)
{
	struct group gr, *res = NULL;
	char buf[4096];

	if (getgrnam_r(st->cfg.log_group, &gr, buf, sizeof(buf), &res) != 0 || !res) {
		snprintf(err, errlen, "log_group: no group named '%s'", st->cfg.log_group);
		return -ENOENT;
	}
	st->gid = res->gr_gid;
	return 0;
}

/* The whole of certs.jsonl (NUL-terminated), or NULL with *len 0 when absent. */
static char *read_certs(struct store *st, size_t *len, int *r)
{
	int fd = openat(st->dfd, STORE_CERTS, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;
	char *buf;
	ssize_t n;

	*len = 0;
	*r = 0;
	if (fd < 0) {
		*r = errno == ENOENT ? 0 : -errno;
		return NULL;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > CERTS_MAX) {
		close(fd);
		*r = -EFBIG;
		return NULL;
	}
	buf = malloc((size_t)sb.st_size + 1);
	n = buf ? pread(fd, buf, (size_t)sb.st_size, 0) : -1;
	close(fd);
	if (n != sb.st_size) {
		free(buf);
		*r = -EIO;
		return NULL;
	}
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}

/* The newest certificate in certs.jsonl: 0, -ENOENT (none) or -EINVAL. */
static int last_cert(const char *buf, size_t len, struct store_cert *c)
{
	const char *end = buf + len, *line;
	json_object *o;
	int r;

	while (end > buf && end[-1] == '\n')
		end--;
	if (end == buf)
		return -ENOENT;
	line = memrchr(buf, '\n', (size_t)(end - buf));
	line = line ? line + 1 : buf;
	o = json_tokener_parse(line);
	r = store_cert_read(o, c);
	json_object_put(o);
	return r;
}

static int append_cert(struct store *st, const struct store_cert *c)
{
	struct jsonw w;
	int fd, r = 0;

	jw_init(&w, 4096);
	store_cert_write(&w, NULL, c);
	fd = openat(st->dfd, STORE_CERTS, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
		    0640);
	if (fd < 0 || w.err) {
		r = fd < 0 ? -errno : w.err;
	} else {
		if (fchown(fd, 0, st->gid) < 0 && geteuid() == 0)
			log_msg(LOG_WARNING, "chown %s: %s", STORE_CERTS, strerror(errno));
		/* line and newline in one write: a crash cannot glue two certificates */
		struct iovec iov[2] = { { w.buf, w.len }, { (void *)"\n", 1 } };

		if (writev(fd, iov, 2) != (ssize_t)(w.len + 1) || fsync(fd) < 0)
			r = -EIO;
	}
	if (fd >= 0)
		close(fd);
	jw_free(&w);
	return r;
}

static int load_or_create(struct store *st, uint64_t next_epoch, char *err, size_t errlen)
{
	const char *dir = st->cfg.key_dir;
	char path[PATH_MAX + 16];
	int r;

	r = keys_load(dir, &st->keys, err, errlen);
	if (r != -ENOENT)
		return r;
	err[0] = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, KEYS_ROOT_KEY);
	if (access(path, F_OK) == 0) {
		r = keys_certify_from_root(dir, next_epoch, (uint64_t)store_now_real_ns(),
					   &st->keys, err, errlen);
		if (!r)
			log_msg(LOG_NOTICE, "epoch %llu key certified with %s",
				(unsigned long long)next_epoch, path);
		return r;
	}
	if (next_epoch) {
		snprintf(err, errlen, "%s: no key state and no root key, but %s/%s has epoch %llu: "
			 "restore the key state or the root key", dir, st->cfg.log_dir, STORE_CERTS,
			 (unsigned long long)next_epoch - 1);
		return -ENOENT;
	}
	r = keys_generate(dir, (uint64_t)store_now_real_ns(), err, errlen);
	if (r)
		return r;
	log_msg(LOG_NOTICE,
		"generated a new root key: auditors verify this host's log with %s/%s; "
		"move %s/%s offline once the agent runs (it needs only %s/state)",
		dir, KEYS_ROOT_PUB, dir, KEYS_ROOT_KEY, dir);
	return keys_load(dir, &st->keys, err, errlen);
}

int store_keys_open(struct store *st, char *err, size_t errlen)
{
	struct store_cert last;
	size_t len;
	char *certs;
	int r, have;

	certs = read_certs(st, &len, &r);
	if (r) {
		snprintf(err, errlen, "%s/%s: %s", st->cfg.log_dir, STORE_CERTS, strerror(-r));
		return r;
	}
	have = certs ? last_cert(certs, len, &last) : -ENOENT;
	free(certs);
	if (have == -EINVAL) {
		snprintf(err, errlen, "%s/%s: last line is not a certificate", st->cfg.log_dir,
			 STORE_CERTS);
		return -EINVAL;
	}
	r = load_or_create(st, have == 0 ? last.epoch + 1 : 0, err, errlen);
	if (r)
		return r;
	if (have == 0) {
		if (st->keys.cert.epoch < last.epoch) {
			snprintf(err, errlen,
				 "%s/state holds epoch %llu but the log is at epoch %llu: "
				 "the key state was rolled back; refusing to sign with an old key",
				 st->cfg.key_dir, (unsigned long long)st->keys.cert.epoch,
				 (unsigned long long)last.epoch);
			return -EPERM;
		}
		if (st->keys.cert.epoch == last.epoch) {
			if (memcmp(st->keys.cert.pub, last.pub, sizeof(last.pub))) {
				snprintf(err, errlen, "%s/state does not match the epoch %llu key in "
					 "%s/%s: this log belongs to another key",
					 st->cfg.key_dir, (unsigned long long)last.epoch,
					 st->cfg.log_dir, STORE_CERTS);
				return -EPERM;
			}
			return 0;
		}
	}
	r = append_cert(st, &st->keys.cert);
	if (r)
		snprintf(err, errlen, "%s/%s: %s", st->cfg.log_dir, STORE_CERTS, strerror(-r));
	return r;
}

int store_keys_genesis(struct store *st, char *err, size_t errlen)
{
	size_t len;
	char *certs, *nl;
	int r;

	certs = read_certs(st, &len, &r);
	if (!certs) {
		snprintf(err, errlen, "%s/%s: missing", st->cfg.log_dir, STORE_CERTS);
		return r ? r : -ENOENT;
	}
	nl = memchr(certs, '\n', len);
	store_genesis(st->head, certs, nl ? (size_t)(nl - certs) : len);
	free(certs);
	return 0;
}

int store_keys_write_record(struct store *st)
{
	store_write_internal_begin(st, "log.key");
	store_cert_write(&st->w, "key", &st->keys.cert);
	return store_write_internal_end(st);
}

void store_keys_next_epoch(struct store *st)
{
	char err[512] = "";
	int r;

	/* the log.key record written below takes the next seq: the epoch starts there */
	r = keys_advance(st->cfg.key_dir, &st->keys, (uint64_t)store_now_real_ns(),
			 st->base.last_seq + 1, err, sizeof(err));
	if (r) {
		log_msg(LOG_ERR, "epoch change failed, keeping epoch %llu: %s",
			(unsigned long long)st->keys.cert.epoch, err);
		return;
	}
	r = append_cert(st, &st->keys.cert);
	if (r)
		log_msg(LOG_ERR, "%s/%s: %s", st->cfg.log_dir, STORE_CERTS, strerror(-r));
	store_keys_write_record(st);
}
