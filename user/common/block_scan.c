// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One gzip member inflated to find where it ends and which records it
 * holds. Only the start of the first and of the current line is kept: the
 * seq is read from a record's prefix (store_record_seq).
 */
#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "block_scan.h"
#include "store_format.h"

#define PREFIX 64
#define SEAL_TAG "\"event\":\"log.seal\""

struct line_state {
	char first[PREFIX], cur[PREFIX];
	size_t first_len, cur_len;
	int have_first;
	int cur_is_seal;  /* the current line has the seal tag in its prefix... */
	size_t cur_total; /* bytes of the current line so far */
	char tag[160];	  /* ...searched in its first bytes */
	size_t tag_len;
	int last_sealed;
	uint64_t records;
	uint64_t last_seq;
};

static void line_end(struct line_state *ls)
{
	uint64_t seq;

	ls->records++;
	if (!ls->have_first) {
		memcpy(ls->first, ls->cur, ls->cur_len);
		ls->first_len = ls->cur_len;
		ls->have_first = 1;
	}
	ls->last_seq = store_record_seq(ls->cur, ls->cur_len, &seq) ? 0 : seq;
	ls->last_sealed = memmem(ls->tag, ls->tag_len, SEAL_TAG, sizeof(SEAL_TAG) - 1) != NULL;
	ls->cur_len = ls->tag_len = ls->cur_total = 0;
}

static void feed(struct line_state *ls, const char *p, size_t n)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;
		size_t c = k < PREFIX - ls->cur_len ? k : PREFIX - ls->cur_len;
		size_t t = k < sizeof(ls->tag) - ls->tag_len ? k : sizeof(ls->tag) - ls->tag_len;

		memcpy(ls->cur + ls->cur_len, p, c);
		ls->cur_len += c;
		memcpy(ls->tag + ls->tag_len, p, t);
		ls->tag_len += t;
		ls->cur_total += k;
		if (!nl)
			break;
		line_end(ls);
		p += k + 1;
		n -= k + 1;
	}
}

int block_scan(const void *buf, size_t len, uint64_t max_out, struct block_info *bi)
{
	static struct line_state zero;
	struct line_state ls = zero;
	unsigned char out[16384];
	uint64_t total = 0;
	z_stream zs;
	int zr, r;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	zs.next_in = (unsigned char *)(uintptr_t)buf;
	zs.avail_in = (unsigned)(len > UINT32_MAX ? UINT32_MAX : len);
	do {
		zs.next_out = out;
		zs.avail_out = sizeof(out);
		zr = inflate(&zs, Z_NO_FLUSH);
		total += sizeof(out) - zs.avail_out;
		if (total > max_out) {
			zr = Z_DATA_ERROR;
			break;
		}
		feed(&ls, (const char *)out, sizeof(out) - zs.avail_out);
	} while (zr == Z_OK);
	if (zr == Z_STREAM_END) {
		uint64_t seq;
		int torn = ls.cur_total != 0;

		if (torn)
			line_end(&ls); /* a last line without newline: counted, never sealed */
		memset(bi, 0, sizeof(*bi));
		bi->len = (size_t)zs.total_in;
		bi->records = ls.records;
		bi->first_seq =
		    ls.have_first && !store_record_seq(ls.first, ls.first_len, &seq) ? seq : 0;
		bi->last_seq = ls.last_seq;
		bi->sealed = ls.last_sealed && !torn;
		r = 1;
	} else if (zr == Z_BUF_ERROR && len <= UINT32_MAX) {
		r = 0; /* needs more input */
	} else {
		r = zr == Z_MEM_ERROR ? -ENOMEM : -EBADMSG;
	}
	inflateEnd(&zs);
	return r;
}
