/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Encrypted segments (docs/log-format.md "Encryption").
 *
 * With the auditor's key, D frames are decrypted and inflated into the same
 * line checks as a plain segment, S frames (seals) are fed at their place,
 * and every seal's cipher_head must equal the cipher chain computed here.
 *
 * Without it, what is in the clear is checked: the header, the cipher chain,
 * each seal (signature, epoch, certified start, cipher head, the head and seq
 * its D frames say they reach), and seq continuity. Records themselves stay
 * unread, as the owner of the log intended.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "verify_priv.h"

/* Read the whole file (bounded by max_bytes); *buf malloc'd. */
static int slurp(struct verify_ctx *c, int fd, uint8_t **buf, size_t *len)
{
	struct stat st;
	size_t got = 0;

	*buf = NULL;
	*len = 0;
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size > c->max_bytes)
		return -EFBIG;
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	verify_progress(c, got);
	*len = got;
	return 0;
}

/* The cipher head a seal must carry, handed to the seal check (verify_store.c). */
static void expect_cipher(struct verify_seg *s, const uint8_t ch[CRYPTO_HASH_LEN])
{
	s->enc = 1;
	memcpy(s->chead, ch, CRYPTO_HASH_LEN);
}

/* With the key: decrypt and check every record. */
static int read_decrypted(struct verify_seg *s, const uint8_t *buf, size_t len,
			  uint64_t first_seq)
{
	struct verify_ctx *c = s->c;
	struct store_enc_header h;
	struct store_frame f;
	struct cr_stream ss;
	uint8_t ch[CRYPTO_HASH_LEN];
	uint8_t *plain = NULL;
	size_t off = STORE_ENC_HEADER_LEN, last = STORE_ENC_HEADER_LEN;
	uint64_t seq_done = first_seq - 1; /* last seq of the frames read so far */
	z_stream zs;
	int r, in_member = 0, frame_r;

	if (store_enc_header_read(buf, len, &h)) {
		verify_set(s->out, VERIFY_MALFORMED, 0, "not an encrypted segment");
		return 0;
	}
	if (cr_stream_pull_init(&ss, h.sealed_key, h.stream_header, c->o->decrypt_pub,
				c->o->decrypt_secret)) {
		verify_set(s->out, VERIFY_MALFORMED, 0, "not encrypted to this decryption key");
		return 0;
	}
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	cr_hash(ch, buf, STORE_ENC_HEADER_LEN);
	while ((frame_r = store_frame_next(buf, len, &off, &f)) == 1 && !VERIFY_DONE(s)) {
		if (f.type == STORE_FRAME_SEAL) {
			uint64_t seq;

			expect_cipher(s, ch);
			verify_segment_bytes(s, (const char *)f.body, f.len);
			verify_segment_bytes(s, "\n", 1);
			if (store_record_seq((const char *)f.body, f.len, &seq) == 0)
				seq_done = seq;
		} else {
			uint8_t *np = realloc(plain, f.cipher_len);

			if (!np) {
				r = -ENOMEM;
				goto out;
			}
			plain = np;
			if (cr_stream_pull(&ss, plain, f.cipher, f.cipher_len)) {
				verify_set(s->out, VERIFY_MODIFIED, seq_done + 1,
					   "encrypted data does not authenticate");
				break;
			}
			zs.next_in = plain;
			zs.avail_in = f.cipher_len - CRYPTO_STREAM_ABYTES;
			do {
				int zr;

				in_member = 1;
				zs.next_out = c->out;
				zs.avail_out = VERIFY_IO_CHUNK;
				zr = inflate(&zs, Z_NO_FLUSH);
				verify_segment_bytes(s, (const char *)c->out,
						     VERIFY_IO_CHUNK - zs.avail_out);
				if (zr == Z_STREAM_END) {
					in_member = 0;
					inflateReset(&zs);
				} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
					verify_set(s->out, VERIFY_MALFORMED, 0, "not gzip inside");
					break;
				}
			} while ((zs.avail_in || !zs.avail_out) && !VERIFY_DONE(s));
			seq_done = f.last_seq;
		}
		cr_chain(ch, ch, buf + last, off - last);
		last = off;
	}
	if (frame_r < 0 && !VERIFY_DONE(s) && !s->newest)
		verify_set(s->out, VERIFY_TRUNCATED, 0, "ends inside a frame");
	verify_segment_finish(s, in_member || frame_r < 0);
	r = 0;
out:
	inflateEnd(&zs);
	if (plain) {
		cr_wipe(plain, 0);
		free(plain);
	}
	cr_wipe(&ss, sizeof(ss));
	return r;
}

/* Without the key: the header, the cipher chain, the seals and seq continuity. */
static void read_sealed_only(struct verify_seg *s, const uint8_t *buf, size_t len,
			     uint64_t first_seq)
{
	struct store_enc_header h;
	struct store_frame f;
	uint8_t ch[CRYPTO_HASH_LEN], dhead[CRYPTO_HASH_LEN];
	size_t off = STORE_ENC_HEADER_LEN, last = STORE_ENC_HEADER_LEN;
	uint64_t block_first = first_seq, dseq = first_seq - 1, tail = 0;
	int frame_r, have_d = 0;

	if (store_enc_header_read(buf, len, &h)) {
		verify_set(s->out, VERIFY_MALFORMED, 0, "not an encrypted segment");
		return;
	}
	cr_hash(ch, buf, STORE_ENC_HEADER_LEN);
	while ((frame_r = store_frame_next(buf, len, &off, &f)) == 1 && !VERIFY_DONE(s)) {
		if (f.type == STORE_FRAME_DATA) {
			if (f.last_seq < dseq) {
				verify_set(s->out, VERIFY_MODIFIED, dseq + 1,
					   "frames out of order");
				break;
			}
			s->out->records += f.last_seq - dseq;
			tail += f.last_seq - dseq;
			dseq = f.last_seq;
			memcpy(dhead, f.head, sizeof(dhead));
			have_d = 1;
		} else {
			struct store_seal z;
			uint64_t seq;

			if (verify_sealed_frame(s, (const char *)f.body, f.len, ch, &z, &seq))
				break;
			if (seq != dseq + 1 || z.first_seq != block_first ||
			    z.last_seq != dseq || (have_d && memcmp(z.head, dhead, sizeof(dhead)))) {
				verify_set(s->out, seq > dseq + 1 ? VERIFY_MISSING : VERIFY_MODIFIED,
					   seq, "seal at seq %llu does not cover the frames before it",
					   (unsigned long long)seq);
				s->out->a = dseq + 1;
				s->out->b = seq - 1;
				break;
			}
			s->out->records++;
			dseq = seq;
			block_first = seq + 1;
			have_d = 0;
			tail = 0;
			/* the chain continues after the seal line */
			cr_chain(s->h, z.head, f.body, f.len);
			s->e = seq + 1;
		}
		cr_chain(ch, ch, buf + last, off - last);
		last = off;
	}
	if (VERIFY_DONE(s))
		return;
	if (frame_r < 0 && !s->newest)
		verify_set(s->out, VERIFY_TRUNCATED, 0, "ends inside a frame");
	else if (tail)
		verify_set(s->out, s->newest ? VERIFY_UNSEALED_TAIL : VERIFY_TRUNCATED, tail,
			   "records after the last seal");
	s->have_header = 1; /* linkage by seq: the header itself is encrypted */
}

int verify_encrypted_run(struct verify_seg *s, int fd, uint64_t first_seq)
{
	struct verify_ctx *c = s->c;
	uint8_t *buf;
	size_t len;
	int r;

	r = slurp(c, fd, &buf, &len);
	if (r == -EFBIG) {
		verify_set(s->out, VERIFY_MALFORMED, 0, "larger than allowed");
		return 0;
	}
	if (r)
		return r;
	if (c->o->have_decrypt_key) {
		r = read_decrypted(s, buf, len, first_seq);
	} else {
		read_sealed_only(s, buf, len, first_seq);
		r = 0;
	}
	free(buf);
	return r;
}
