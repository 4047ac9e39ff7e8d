/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The store's part of segment indexes (user/common/seg_index.h): every line
 * appended to a plain segment feeds the builder; when the segment is closed
 * (rotation, shutdown) its index is signed with the key of its last seal
 * and written as idx-<first seq>.bin (temporary file, then rename). An
 * index is an optimisation: failing to write one is logged, never fatal,
 * and a reader without it scans the segment. Encrypted segments get none:
 * the index would tell in the clear who did what.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store.h"

void store_index_begin(struct store *st)
{
	if (!st->ix_ready) {
		six_init(&st->ix);
		st->ix_ready = 1;
	}
	six_reset(&st->ix);
	st->ix_on = !st->encrypted;
	st->have_last_seal = 0;
}

void store_index_line(struct store *st, const char *line, size_t len)
{
	if (st->ix_on)
		six_add_line(&st->ix, line, len);
}

void store_index_sealed(struct store *st, const struct store_seal *s)
{
	st->last_seal = *s;
	st->have_last_seal = 1;
}

void store_index_write(struct store *st)
{
	char name[SIX_NAME_LEN], tmp[SIX_NAME_LEN + 8];
	uint64_t first;
	uint8_t *buf = NULL;
	size_t len = 0;
	int fd, r;

	/* only a segment that ends with its last seal, signed by the key we hold */
	if (!st->ix_on || !st->have_last_seal || st->last_seal.epoch != st->keys.cert.epoch ||
	    st->ix.last_seq != st->base.last_seq || store_segment_parse(st->seg, &first))
		return;
	st->ix_on = 0;
	six_file_name(name, first);
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	r = six_write(&st->ix, st->seg, &st->last_seal, st->keys.root, st->keys.secret, &buf, &len);
	if (r) {
		log_msg(LOG_WARNING, "index of %s: %s", st->seg, strerror(-r));
		return;
	}
	fd = openat(st->dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len) {
		log_msg(LOG_WARNING, "index %s: %s", name, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlinkat(st->dfd, tmp, 0);
		}
		free(buf);
		return;
	}
	if (fchown(fd, 0, st->gid) < 0 && geteuid() == 0)
		log_msg(LOG_WARNING, "chown %s: %s", name, strerror(errno));
	close(fd);
	free(buf);
	if (renameat(st->dfd, tmp, st->dfd, name) < 0) {
		log_msg(LOG_WARNING, "index %s: %s", name, strerror(errno));
		unlinkat(st->dfd, tmp, 0);
	}
}

void store_index_remove(struct store *st, const char *segment)
{
	char name[SIX_NAME_LEN];
	uint64_t first;

	if (store_segment_parse(segment, &first))
		return;
	six_file_name(name, first);
	unlinkat(st->dfd, name, 0);
}

void store_index_free(struct store *st)
{
	if (st->ix_ready)
		six_free(&st->ix);
	st->ix_ready = 0;
}
