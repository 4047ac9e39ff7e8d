/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * jsonw: bounded JSON writer. See jsonw.h for the contract.
 *
 * Every audit event goes through here, so the string path is built around
 * long runs: bytes that need no escaping (printable ASCII and valid UTF-8
 * other than U+2028/U+2029) are found eight at a time and copied with one
 * copy per run; only the rare byte that needs attention is handled alone.
 *
 * Every public call remembers where its output started and truncates back
 * there if it fails, so a failed writer never ends in half a token and the
 * sticky err stops anything from being appended to it afterwards.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

#define JW_DEFAULT_LIMIT ((size_t)16 << 20)
/* Small enough not to matter, large enough that a typical event never grows. */
#define JW_INITIAL_CAP 1024

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static const char hexdig[16] = "0123456789abcdef";

/* 0: copied as is; 1: ASCII that must be escaped; 2: start of a non-ASCII sequence */
static const uint8_t jw_cls[256] = {
	[0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f] = 1, [0x80 ... 0xff] = 2,
};

/* Two-character escapes JSON allows; everything else of class 1 is \u00XX. */
static const char jw_short[128] = {
	['"'] = '"', ['\\'] = '\\', ['\b'] = 'b', ['\f'] = 'f',
	['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
};

static const char digits2[200] = "00010203040506070809"
				 "10111213141516171819"
				 "20212223242526272829"
				 "30313233343536373839"
				 "40414243444546474849"
				 "50515253545556575859"
				 "60616263646566676869"
				 "70717273747576777879"
				 "80818283848586878889"
				 "90919293949596979899";

static inline size_t jw_limit(const struct jsonw *w)
{
	return w->limit ? w->limit : JW_DEFAULT_LIMIT;
}

static int jw_grow(struct jsonw *w, size_t need)
{
	size_t limit = jw_limit(w);
	size_t want, ncap;
	char *nbuf;

	/* A call that already failed must not write anything past the hole. */
	if (w->err)
		return 0;
	/* len > limit only if the caller lowered limit by hand; still refuse. */
	if (w->len > limit || need > limit - w->len) {
		w->err = -ENOSPC;
		return 0;
	}
	want = w->len + need;
	ncap = w->cap ? w->cap : JW_INITIAL_CAP;
	while (ncap < want) {
		if (ncap > limit / 2) {
			ncap = limit;
			break;
		}
		ncap *= 2;
	}
	if (ncap > limit)
		ncap = limit;
	nbuf = realloc(w->buf, ncap);
	if (!nbuf) {
		w->err = -ENOMEM;
		return 0;
	}
	w->buf = nbuf;
	w->cap = ncap;
	return 1;
}

static inline int jw_reserve(struct jsonw *w, size_t need)
{
	if (likely(w->cap - w->len >= need))
		return 1;
	return jw_grow(w, need);
}

static inline uint64_t load64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline void store64(void *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/*
 * Most runs are a few to a few dozen bytes (keys, names, paths), where a call
 * into libc's memcpy costs more than the copy: use overlapping word moves,
 * which stay inside [s, s + n) and [d, d + n).
 */
static inline void copy_run(char *d, const void *src, size_t n)
{
	const char *s = src;
	uint32_t a, b;

	if (n >= 8) {
		if (n > 32) {
			memcpy(d, s, n);
			return;
		}
		if (n > 16) {
			store64(d, load64(s));
			store64(d + 8, load64(s + 8));
			store64(d + n - 16, load64(s + n - 16));
		}
		store64(d + n - 8, load64(s + n - 8));
		store64(d, load64(s));
	} else if (n >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else if (n) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

static inline int jw_put(struct jsonw *w, const void *p, size_t n)
{
	if (unlikely(!jw_reserve(w, n)))
		return 0;
	copy_run(w->buf + w->len, p, n);
	w->len += n;
	return 1;
}

static inline int jw_putc(struct jsonw *w, char c)
{
	if (unlikely(!jw_reserve(w, 1)))
		return 0;
	w->buf[w->len++] = c;
	return 1;
}

/* Undo a failed call: the buffer then ends after the last complete member. */
static inline void jw_done(struct jsonw *w, size_t mark)
{
	if (unlikely(w->err))
		w->len = mark;
}

/*
 * Nonzero when any of the eight bytes needs a look of its own: non-ASCII,
 * C0 control, DEL, '"' or '\\'. Exact for all-ASCII words; false positives
 * elsewhere only send the word to the byte loop.
 */
static inline uint64_t word_special(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"');
	uint64_t b = x ^ (ONES * '\\');
	uint64_t d = x ^ (ONES * 0x7f);
	uint64_t m = x;

	m |= (q - ONES) & ~q;
	m |= (b - ONES) & ~b;
	m |= (d - ONES) & ~d;
	m |= (x - ONES * 0x20) & ~x;
	return m & HIGHS;
}

/*
 * Length of the valid UTF-8 sequence (RFC 3629) starting at the non-ASCII
 * byte p[0], or 0 when that byte cannot start one here. The narrowed second
 * byte ranges are what reject overlongs, surrogates and code points above
 * U+10FFFF; C0, C1 and F5..FF never lead.
 */
static inline size_t utf8_seq(const uint8_t *p, size_t avail)
{
	uint8_t c = p[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0xc2)
		return 0;
	if (c < 0xe0) {
		len = 2;
	} else if (c < 0xf0) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c < 0xf5) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (avail < len || p[1] < lo || p[1] > hi)
		return 0;
	if (len > 2 && (p[2] & 0xc0) != 0x80)
		return 0;
	if (len > 3 && (p[3] & 0xc0) != 0x80)
		return 0;
	return len;
}

/* U+2028/U+2029 are valid JSON but end a line in JavaScript and some log viewers. */
static inline int is_line_sep(const uint8_t *p, size_t len)
{
	return len == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] & 0xfe) == 0xa8;
}

/*
 * The inside of a JSON string (no quotes). Returns 1 when some byte was not
 * valid UTF-8 and was replaced. Stops at the first failed write; the caller's
 * jw_done() then removes the partial output.
 */
static int jw_str_body(struct jsonw *w, const uint8_t *s, size_t n)
{
	static const char repl[3] = { (char)0xef, (char)0xbf, (char)0xbd };
	size_t i = 0, start, k;
	int lossy = 0;
	char *o;
	uint8_t c;

	while (i < n) {
		start = i;
		k = 0;
		for (;;) {
			while (n - i >= 8) {
				if (word_special(load64(s + i)))
					break;
				i += 8;
			}
			while (i < n && !jw_cls[s[i]])
				i++;
			if (i >= n || jw_cls[s[i]] == 1)
				break;
			k = utf8_seq(s + i, n - i);
			if (!k || is_line_sep(s + i, k))
				break;
			/* Valid non-ASCII text goes out in the same copy as the ASCII. */
			i += k;
			k = 0;
		}
		if (i > start && unlikely(!jw_put(w, s + start, i - start)))
			return lossy;
		if (i >= n)
			break;

		/*
		 * Reserve exactly what each case writes, so that output which fits
		 * the limit to the byte is never refused.
		 */
		c = s[i];
		if (c < 0x80 && jw_short[c]) {
			if (unlikely(!jw_reserve(w, 2)))
				return lossy;
			o = w->buf + w->len;
			o[0] = '\\';
			o[1] = jw_short[c];
			w->len += 2;
			i++;
		} else if (c < 0x80) {
			if (unlikely(!jw_reserve(w, 6)))
				return lossy;
			o = w->buf + w->len;
			memcpy(o, "\\u00", 4);
			o[4] = hexdig[c >> 4];
			o[5] = hexdig[c & 0xf];
			w->len += 6;
			i++;
		} else if (k) {
			/* only U+2028/U+2029 leave the run with a valid sequence */
			if (unlikely(!jw_put(w, s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6)))
				return lossy;
			i += 3;
		} else {
			/* One U+FFFD per bad byte: a truncated sequence is not swallowed whole. */
			lossy = 1;
			if (unlikely(!jw_put(w, repl, 3)))
				return lossy;
			i++;
		}
	}
	return lossy;
}

static void jw_hex_body(struct jsonw *w, const uint8_t *p, size_t n)
{
	char *o;
	size_t i;

	if (n > (SIZE_MAX >> 1)) {
		w->err = -ENOSPC;
		return;
	}
	if (!n || !jw_reserve(w, 2 * n))
		return;
	o = w->buf + w->len;
	for (i = 0; i < n; i++) {
		o[2 * i] = hexdig[p[i] >> 4];
		o[2 * i + 1] = hexdig[p[i] & 0xf];
	}
	w->len += 2 * n;
}

/* Keys up to this long that need no escaping are copied while they are scanned. */
#define JW_KEY_FAST 48

/*
 * Comma and "key": in front of a value; keys go through the string escaper
 * too. Forced inline: it runs once per member and the call would cost about
 * as much as the copy.
 */
static inline __attribute__((always_inline)) void jw_member(struct jsonw *w, const char *key)
{
	const uint8_t *k = (const uint8_t *)key;
	char *o;
	size_t i;

	/*
	 * Keys are short literals: one pass finds the end and copies, with no
	 * strlen and no second scan. NUL is class 1, so it also ends the loop.
	 */
	if (key && likely(w->cap - w->len >= JW_KEY_FAST + 4)) { /* + comma, quotes, colon */
		o = w->buf + w->len;
		if (w->need_comma[w->depth])
			*o++ = ',';
		o[0] = '"';
		for (i = 0; i < JW_KEY_FAST && !jw_cls[k[i]]; i++)
			o[1 + i] = (char)k[i];
		/* a key of exactly JW_KEY_FAST bytes still fits the room checked above */
		if (likely(!k[i])) {
			o[1 + i] = '"';
			o[2 + i] = ':';
			w->len = (size_t)(o + 3 + i - w->buf);
			w->need_comma[w->depth] = 1;
			return;
		}
	}
	if (w->need_comma[w->depth] && !jw_putc(w, ','))
		return;
	w->need_comma[w->depth] = 1;
	if (!key)
		return;
	if (!jw_putc(w, '"'))
		return;
	jw_str_body(w, k, strlen(key));
	if (jw_reserve(w, 2)) {
		w->buf[w->len++] = '"';
		w->buf[w->len++] = ':';
	}
}

void jw_init(struct jsonw *w, size_t limit)
{
	memset(w, 0, sizeof(*w));
	w->limit = limit;
}

void jw_free(struct jsonw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = 0;
	w->cap = 0;
	w->err = 0;
	w->depth = 0;
	memset(w->need_comma, 0, sizeof(w->need_comma));
}

void jw_reset(struct jsonw *w)
{
	w->len = 0;
	w->err = 0;
	w->depth = 0;
	memset(w->need_comma, 0, sizeof(w->need_comma));
}

static void jw_open(struct jsonw *w, const char *key, char c)
{
	size_t mark = w->len;

	if (w->err)
		return;
	/* Nesting is fixed by the caller's code, so running out is a bug there. */
	if (w->depth >= JW_MAX_DEPTH) {
		w->err = -EINVAL;
		return;
	}
	jw_member(w, key);
	jw_putc(w, c);
	jw_done(w, mark);
	if (!w->err)
		w->need_comma[++w->depth] = 0;
}

static void jw_close(struct jsonw *w, char c)
{
	size_t mark = w->len;

	if (w->err)
		return;
	if (w->depth <= 0) {
		w->err = -EINVAL;
		return;
	}
	jw_putc(w, c);
	jw_done(w, mark);
	if (!w->err)
		w->depth--;
}

void jw_object_begin(struct jsonw *w, const char *key)
{
	jw_open(w, key, '{');
}

void jw_object_end(struct jsonw *w)
{
	jw_close(w, '}');
}

void jw_array_begin(struct jsonw *w, const char *key)
{
	jw_open(w, key, '[');
}

void jw_array_end(struct jsonw *w)
{
	jw_close(w, ']');
}

static inline void put2(char *p, uint32_t v)
{
	memcpy(p, digits2 + 2 * v, 2);
}

/*
 * Decimal digits of v, right-aligned so the end of out is the end of the
 * number. Eight digits at a time in 32-bit arithmetic, two per table load:
 * timestamps and ids are mostly long numbers.
 */
static inline size_t u64_dec(char out[20], uint64_t v)
{
	char *p = out + 20;
	uint32_t x, hi, lo;

	while (v >= 100000000) {
		x = (uint32_t)(v % 100000000);
		v /= 100000000;
		hi = x / 10000;
		lo = x % 10000;
		p -= 8;
		put2(p, hi / 100);
		put2(p + 2, hi % 100);
		put2(p + 4, lo / 100);
		put2(p + 6, lo % 100);
	}
	x = (uint32_t)v;
	while (x >= 100) {
		p -= 2;
		put2(p, x % 100);
		x /= 100;
	}
	if (x >= 10) {
		p -= 2;
		put2(p, x);
	} else {
		*--p = (char)('0' + x);
	}
	return (size_t)(out + 20 - p);
}

static void jw_number(struct jsonw *w, const char *key, int neg, uint64_t mag)
{
	size_t mark = w->len, k;
	char tmp[48];

	if (w->err)
		return;
	jw_member(w, key);
	/* the number ends at tmp + 24, so 24 bytes from its start are inside tmp */
	k = u64_dec(tmp + 4, mag);
	if (neg)
		tmp[24 - ++k] = '-';
	if (likely(w->cap - w->len >= 24)) {
		/* a fixed-size copy is a few moves; the bytes past the number are scratch */
		memcpy(w->buf + w->len, tmp + 24 - k, 24);
		w->len += k;
	} else if (jw_reserve(w, k)) {
		memcpy(w->buf + w->len, tmp + 24 - k, k);
		w->len += k;
	}
	jw_done(w, mark);
}

void jw_uint(struct jsonw *w, const char *key, uint64_t v)
{
	jw_number(w, key, 0, v);
}

void jw_int(struct jsonw *w, const char *key, int64_t v)
{
	/* Negate in unsigned arithmetic: -INT64_MIN does not fit an int64_t. */
	if (v < 0)
		jw_number(w, key, 1, (uint64_t)0 - (uint64_t)v);
	else
		jw_number(w, key, 0, (uint64_t)v);
}

void jw_bool(struct jsonw *w, const char *key, int v)
{
	size_t mark = w->len;

	if (w->err)
		return;
	jw_member(w, key);
	if (v)
		jw_put(w, "true", 4);
	else
		jw_put(w, "false", 5);
	jw_done(w, mark);
}

void jw_null(struct jsonw *w, const char *key)
{
	size_t mark = w->len;

	if (w->err)
		return;
	jw_member(w, key);
	jw_put(w, "null", 4);
	jw_done(w, mark);
}

void jw_hex64(struct jsonw *w, const char *key, uint64_t v)
{
	size_t mark = w->len;
	char tmp[20];
	int i;

	if (w->err)
		return;
	jw_member(w, key);
	tmp[0] = '"';
	tmp[1] = '0';
	tmp[2] = 'x';
	for (i = 0; i < 16; i++)
		tmp[3 + i] = hexdig[(v >> (60 - 4 * i)) & 0xf];
	tmp[19] = '"';
	jw_put(w, tmp, sizeof(tmp));
	jw_done(w, mark);
}

int jw_string(struct jsonw *w, const char *key, const char *s, size_t n)
{
	size_t mark = w->len;
	int lossy;

	if (w->err)
		return 0;
	jw_member(w, key);
	jw_putc(w, '"');
	lossy = jw_str_body(w, (const uint8_t *)s, n);
	jw_putc(w, '"');
	/*
	 * The sibling key is written straight into the buffer, escaped like the
	 * key itself, so no temporary copy limits how long a key may be.
	 */
	if (lossy && key) {
		jw_put(w, ",\"", 2);
		jw_str_body(w, (const uint8_t *)key, strlen(key));
		jw_put(w, "_hex\":\"", 7);
		jw_hex_body(w, (const uint8_t *)s, n);
		jw_putc(w, '"');
	}
	jw_done(w, mark);
	return lossy;
}

int jw_cstring(struct jsonw *w, const char *key, const char *s)
{
	if (!s) {
		jw_null(w, key);
		return 0;
	}
	return jw_string(w, key, s, strlen(s));
}

void jw_hex_bytes(struct jsonw *w, const char *key, const void *p, size_t n)
{
	size_t mark = w->len;

	if (w->err)
		return;
	jw_member(w, key);
	jw_putc(w, '"');
	jw_hex_body(w, p, n);
	jw_putc(w, '"');
	jw_done(w, mark);
}

void jw_raw(struct jsonw *w, const char *key, const char *json, size_t n)
{
	size_t mark = w->len;

	if (w->err)
		return;
	jw_member(w, key);
	if (n)
		jw_put(w, json, n);
	jw_done(w, mark);
}

int utf8_valid(const char *str, size_t n)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t i = 0, k;

	while (i < n) {
		if (n - i >= 8) {
			if (!(load64(s + i) & HIGHS)) {
				i += 8;
				continue;
			}
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(s + i, n - i);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}
