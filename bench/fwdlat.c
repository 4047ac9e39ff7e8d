// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Forwarding delay: follows a host's archive at the collector (ARCHIVE/<host>,
 * blocks appended after verification) and, for each record written by
 * tests/tools/caudit-writelog (whose "op":{"t_ns":T} is the wall-clock time
 * of the operation), takes now - T when its block appears. Stops after
 * `events` such records (or timeout seconds) and prints
 *   records=N median_ms=X p99_ms=Y max_ms=Z
 *   fwdlat ARCHIVE_HOST_DIR EVENTS TIMEOUT_S
 * Polls every 2 ms: that much is added to the figures at most.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "block_scan.h"
#include "store_format.h"

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The newest segment name after `after` or equal, "" when none. */
static void next_seg(const char *dir, const char *cur, char *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint64_t s;

	out[0] = 0;
	if (!d)
		return;
	while ((de = readdir(d)))
		if (!store_segment_parse(de->d_name, &s) && strcmp(de->d_name, cur) > 0 &&
		    (!out[0] || strcmp(de->d_name, out) < 0))
			strcpy(out, de->d_name);
	closedir(d);
}

int main(int argc, char **argv)
{
	static unsigned char buf[16 << 20], plain[64 << 20];
	char seg[STORE_SEG_NAME_LEN] = "", next[STORE_SEG_NAME_LEN], path[4200];
	uint64_t want, n = 0;
	int64_t *d, deadline;
	off_t off = 0;

	if (argc != 4)
		return 2;
	want = strtoull(argv[2], NULL, 10);
	deadline = now_ns(CLOCK_MONOTONIC) + strtoll(argv[3], NULL, 10) * 1000000000LL;
	d = calloc(want + 1, sizeof(*d));
	if (!d)
		return 1;
	while (n < want && now_ns(CLOCK_MONOTONIC) < deadline) {
		struct timespec ts = {0, 2000000};
		ssize_t got = 0;
		size_t at = 0;
		int fd;

		/* asked before reading: a newer segment means this one is complete */
		next_seg(argv[1], seg, next);
		if (seg[0]) {
			snprintf(path, sizeof(path), "%s/%s", argv[1], seg);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			got = fd >= 0 ? pread(fd, buf, sizeof(buf), off) : -1;
			if (fd >= 0)
				close(fd);
		}
		while (got > 0 && (size_t)got > at) {
			struct block_info bi;
			z_stream zs;
			int64_t t = now_ns(CLOCK_REALTIME);
			char *p;

			if (block_scan(buf + at, (size_t)got - at, sizeof(plain), &bi) != 1)
				break;
			memset(&zs, 0, sizeof(zs));
			inflateInit2(&zs, 16 + MAX_WBITS);
			zs.next_in = buf + at;
			zs.avail_in = (unsigned)bi.len;
			zs.next_out = plain;
			zs.avail_out = sizeof(plain) - 1;
			inflate(&zs, Z_FINISH);
			plain[zs.total_out] = 0;
			inflateEnd(&zs);
			for (p = (char *)plain; (p = strstr(p, "\"t_ns\":")) && n < want; p += 7)
				d[n++] = t - strtoll(p + 7, NULL, 10);
			at += bi.len;
		}
		off += (off_t)at;
		if (!at) {
			if (next[0] && (!seg[0] || got == 0)) {
				strcpy(seg, next);
				off = 0;
				continue;
			}
			nanosleep(&ts, NULL);
		}
	}
	if (!n) {
		printf("records=0\n");
		return 1;
	}
	qsort(d, n, sizeof(*d), cmp64);
	printf("records=%llu median_ms=%.1f p99_ms=%.1f max_ms=%.1f\n", (unsigned long long)n,
	       d[n / 2] / 1e6, d[n * 99 / 100] / 1e6, d[n - 1] / 1e6);
	free(d);
	return n == want ? 0 : 1;
}
