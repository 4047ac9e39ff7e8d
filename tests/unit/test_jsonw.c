/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Unit tests for jsonw: exact output for every construct, escape and class of
 * invalid UTF-8, the limit, and a property test that feeds random bytes and
 * checks the result with json-c and with an independent byte-by-byte
 * reference encoder written the slow, obvious way.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "jsonw.h"

#define R "\xef\xbf\xbd" /* U+FFFD as written for each invalid byte */

/* ---- helpers ---- */

static char *out_dup(const struct jsonw *w)
{
	char *s = malloc(w->len + 1);

	assert_non_null(s);
	if (w->len)
		memcpy(s, w->buf, w->len);
	s[w->len] = '\0';
	return s;
}

static void assert_out(const struct jsonw *w, const char *exp)
{
	char *got = out_dup(w);

	assert_int_equal(w->err, 0);
	assert_string_equal(got, exp);
	assert_int_equal(w->len, strlen(exp));
	free(got);
}

/* Same check for a writer that is allowed to be in error. */
static void assert_out_any(const struct jsonw *w, const char *exp)
{
	char *got = out_dup(w);

	assert_string_equal(got, exp);
	assert_int_equal(w->len, strlen(exp));
	free(got);
}

/*
 * Reference UTF-8 decoder: decode the code point with the textbook bit masks,
 * then reject by value. Deliberately unlike the table-driven code under test.
 */
static size_t ref_seq(const uint8_t *p, size_t n)
{
	uint32_t cp;
	size_t len, j;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (j = 1; j < len; j++) {
		if ((p[j] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[j] & 0x3f);
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
		return 0;
	return len;
}

static int ref_valid(const uint8_t *p, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		k = ref_seq(p + i, n - i);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

/* What a JSON parser should give back for a lossy string. */
static size_t ref_replace(const uint8_t *p, size_t n, uint8_t *out)
{
	size_t i = 0, o = 0, k;

	while (i < n) {
		k = ref_seq(p + i, n - i);
		if (k) {
			memcpy(out + o, p + i, k);
			o += k;
			i += k;
		} else {
			memcpy(out + o, R, 3);
			o += 3;
			i++;
		}
	}
	return o;
}

/* Escaped string body, one byte at a time with snprintf. */
static size_t ref_escape(const uint8_t *p, size_t n, char *out)
{
	size_t i = 0, o = 0, k;
	uint8_t c;

	while (i < n) {
		c = p[i];
		k = ref_seq(p + i, n - i);
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c == '\n' || c == '\t' || c == '\r' || c == '\b' || c == '\f') {
			out[o++] = '\\';
			out[o++] = "btn?fr"[c - '\b'];
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)sprintf(out + o, "\\u%04x", c);
		} else if (k == 3 && !memcmp(p + i, "\xe2\x80\xa8", 3)) {
			memcpy(out + o, "\\u2028", 6);
			o += 6;
		} else if (k == 3 && !memcmp(p + i, "\xe2\x80\xa9", 3)) {
			memcpy(out + o, "\\u2029", 6);
			o += 6;
		} else if (k) {
			memcpy(out + o, p + i, k);
			o += k;
		} else {
			memcpy(out + o, R, 3);
			o += 3;
			k = 1;
		}
		i += k ? k : 1;
	}
	return o;
}

static void hexstr(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

/*
 * Check one input both as an object member (with the _hex sibling when
 * invalid) and as an array element (never a sibling). `value` is the exact
 * JSON string expected, quotes included.
 */
static void check_str(const char *in, size_t n, const char *value, int lossy)
{
	struct jsonw w;
	char exp[4096], hex[1024];

	assert_true(n < 400);
	jw_init(&w, 0);

	jw_object_begin(&w, NULL);
	assert_int_equal(jw_string(&w, "s", in, n), lossy);
	jw_object_end(&w);
	if (lossy) {
		hexstr((const uint8_t *)in, n, hex);
		snprintf(exp, sizeof(exp), "{\"s\":%s,\"s_hex\":\"%s\"}", value, hex);
	} else {
		snprintf(exp, sizeof(exp), "{\"s\":%s}", value);
	}
	assert_out(&w, exp);

	jw_reset(&w);
	jw_array_begin(&w, NULL);
	assert_int_equal(jw_string(&w, NULL, in, n), lossy);
	jw_array_end(&w);
	snprintf(exp, sizeof(exp), "[%s]", value);
	assert_out(&w, exp);

	assert_int_equal(utf8_valid(in, n), !lossy);
	assert_int_equal(ref_valid((const uint8_t *)in, n), !lossy);
	jw_free(&w);
}

#define CHECK(lit, value, lossy) check_str(lit, sizeof(lit) - 1, value, lossy)

/* ---- structure ---- */

static void test_empty(void **state)
{
	struct jsonw w;

	jw_init(&w, 0);
	jw_object_begin(&w, NULL);
	jw_object_end(&w);
	assert_out(&w, "{}");
	jw_reset(&w);
	jw_array_begin(&w, NULL);
	jw_array_end(&w);
	assert_out(&w, "[]");
	jw_free(&w);
}

static void test_nested(void **state)
{
	struct jsonw w;

	jw_init(&w, 0);
	jw_object_begin(&w, NULL);
	jw_uint(&w, "a", 1);
	jw_object_begin(&w, "b");
	jw_array_begin(&w, "c");
	jw_uint(&w, NULL, 1);
	jw_int(&w, NULL, -2);
	jw_object_begin(&w, NULL);
	jw_object_end(&w);
	jw_array_begin(&w, NULL);
	jw_array_end(&w);
	jw_cstring(&w, NULL, "x");
	jw_object_begin(&w, NULL);
	jw_null(&w, "n");
	jw_object_end(&w);
	jw_array_end(&w);
	jw_array_begin(&w, "d");
	jw_array_end(&w);
	jw_object_end(&w);
	jw_bool(&w, "e", 1);
	jw_bool(&w, "f", 0);
	jw_bool(&w, "f2", 42);
	jw_null(&w, "g");
	jw_cstring(&w, "h", NULL);
	jw_raw(&w, "i", "{\"j\":[1]}", 9);
	jw_hex_bytes(&w, "k", "\x00\xab\xff", 3);
	jw_hex_bytes(&w, "l", NULL, 0);
	jw_cstring(&w, "m", "");
	jw_hex64(&w, "o", 0xabc);
	/* siblings at the same depth each start without a comma */
	jw_object_begin(&w, "p");
	jw_uint(&w, "x", 1);
	jw_object_end(&w);
	jw_array_begin(&w, "q");
	jw_uint(&w, NULL, 2);
	jw_uint(&w, NULL, 3);
	jw_array_end(&w);
	jw_object_end(&w);
	assert_int_equal(w.depth, 0);
	assert_out(&w, "{\"a\":1,\"b\":{\"c\":[1,-2,{},[],\"x\",{\"n\":null}],\"d\":[]},"
		       "\"e\":true,\"f\":false,\"f2\":true,\"g\":null,\"h\":null,"
		       "\"i\":{\"j\":[1]},\"k\":\"00abff\",\"l\":\"\",\"m\":\"\","
		       "\"o\":\"0x0000000000000abc\",\"p\":{\"x\":1},\"q\":[2,3]}");
	jw_free(&w);
}

static void test_depth(void **state)
{
	struct jsonw w;
	char exp[64];
	int i;

	jw_init(&w, 0);
	for (i = 0; i < JW_MAX_DEPTH; i++)
		jw_array_begin(&w, NULL);
	jw_uint(&w, NULL, 7);
	for (i = 0; i < JW_MAX_DEPTH; i++)
		jw_array_end(&w);
	memset(exp, '[', JW_MAX_DEPTH);
	exp[JW_MAX_DEPTH] = '7';
	memset(exp + JW_MAX_DEPTH + 1, ']', JW_MAX_DEPTH);
	exp[2 * JW_MAX_DEPTH + 1] = '\0';
	assert_out(&w, exp);

	/* one level too deep */
	jw_reset(&w);
	for (i = 0; i < JW_MAX_DEPTH; i++)
		jw_object_begin(&w, i ? "k" : NULL);
	assert_int_equal(w.err, 0);
	jw_object_begin(&w, "k");
	assert_int_equal(w.err, -EINVAL);

	/* closing what was never opened */
	jw_reset(&w);
	jw_object_end(&w);
	assert_int_equal(w.err, -EINVAL);
	jw_free(&w);
}

static void test_keys_escaped(void **state)
{
	struct jsonw w;

	jw_init(&w, 0);
	jw_object_begin(&w, NULL);
	jw_uint(&w, "a\"b\\c\nd\x01", 1);
	jw_uint(&w, "k\xff", 2);
	jw_uint(&w, "", 3);
	jw_uint(&w, "\xe2\x80\xa8", 4);
	jw_object_end(&w);
	assert_out(&w, "{\"a\\\"b\\\\c\\nd\\u0001\":1,\"k" R "\":2,\"\":3,\"\\u2028\":4}");

	/* a lossy value under an escaped key: the sibling key is escaped the same way */
	jw_reset(&w);
	jw_object_begin(&w, NULL);
	assert_int_equal(jw_string(&w, "a\"\xfe", "\x80", 1), 1);
	jw_object_end(&w);
	assert_out(&w, "{\"a\\\"" R "\":\"" R "\",\"a\\\"" R "_hex\":\"80\"}");
	jw_free(&w);
}

/* Keys around the length where plain keys stop being copied in one pass, plain or not. */
static void test_key_lengths(void **state)
{
	static const char specials[] = { '"', '\\', '\n', 0x7f, (char)0xc3, (char)0xff };
	struct jsonw w;
	char key[128], exp[1024], *p;
	size_t len, pos, j;
	int warm;

	jw_init(&w, 0);
	for (warm = 0; warm < 2; warm++) {
		for (len = 0; len < 100; len++) {
			for (pos = 0; pos <= len; pos++) {
				for (j = 0; j < sizeof(specials); j++) {
					memset(key, 'k', len);
					key[len] = '\0';
					if (pos < len)
						key[pos] = specials[j];
					/* a fresh writer has no room yet: the slow path */
					if (!warm)
						jw_free(&w);
					jw_reset(&w);
					jw_object_begin(&w, NULL);
					jw_uint(&w, "a", 1);
					jw_uint(&w, key, 2);
					jw_object_end(&w);
					p = exp + sprintf(exp, "{\"a\":1,\"");
					p += ref_escape((const uint8_t *)key, len, p);
					strcpy(p, "\":2}");
					assert_out(&w, exp);
					if (pos == len)
						break; /* no special to vary */
				}
			}
		}
	}
	jw_free(&w);
}

static void test_long_key_sibling(void **state)
{
	struct jsonw w;
	size_t klen = 10000, i;
	char *key = malloc(klen + 1), *exp = malloc(2 * klen + 64), *p;

	assert_non_null(key);
	assert_non_null(exp);
	for (i = 0; i < klen; i++)
		key[i] = (char)('a' + i % 26);
	key[klen] = '\0';
	p = exp;
	p += sprintf(p, "{\"%s\":\"x" R "\",", key);
	p += sprintf(p, "\"%s_hex\":\"78ff\"}", key);

	jw_init(&w, 0);
	jw_object_begin(&w, NULL);
	assert_int_equal(jw_string(&w, key, "x\xff", 2), 1);
	jw_object_end(&w);
	assert_out(&w, exp);
	jw_free(&w);
	free(key);
	free(exp);
}

/* ---- escapes ---- */

static void test_escapes(void **state)
{
	CHECK("\"", "\"\\\"\"", 0);
	CHECK("\\", "\"\\\\\"", 0);
	CHECK("\n", "\"\\n\"", 0);
	CHECK("\t", "\"\\t\"", 0);
	CHECK("\r", "\"\\r\"", 0);
	CHECK("\b", "\"\\b\"", 0);
	CHECK("\f", "\"\\f\"", 0);
	CHECK("\x01", "\"\\u0001\"", 0);
	CHECK("\x0b", "\"\\u000b\"", 0);
	CHECK("\x1b[0m", "\"\\u001b[0m\"", 0);
	CHECK("\x1f", "\"\\u001f\"", 0);
	CHECK("\x7f", "\"\\u007f\"", 0);
	CHECK("/ ~", "\"/ ~\"", 0);
	CHECK("a\"b\\c\nd\te\rf\bg\fh\x7fi", "\"a\\\"b\\\\c\\nd\\te\\rf\\bg\\fh\\u007fi\"", 0);
	CHECK("{\"forged\":1}\n{\"x\":", "\"{\\\"forged\\\":1}\\n{\\\"x\\\":\"", 0);
}

static void test_all_controls(void **state)
{
	static const char *const names[32] = {
		"\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006",
		"\\u0007", "\\b",     "\\t",     "\\n",     "\\u000b", "\\f",     "\\r",
		"\\u000e", "\\u000f", "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014",
		"\\u0015", "\\u0016", "\\u0017", "\\u0018", "\\u0019", "\\u001a", "\\u001b",
		"\\u001c", "\\u001d", "\\u001e", "\\u001f",
	};
	char in[1], exp[32];
	int c;

	for (c = 0; c < 32; c++) {
		in[0] = (char)c;
		snprintf(exp, sizeof(exp), "\"%s\"", names[c]);
		check_str(in, 1, exp, 0);
	}
}

static void test_embedded_nul(void **state)
{
	CHECK("a\0b", "\"a\\u0000b\"", 0);
	CHECK("\0", "\"\\u0000\"", 0);
	CHECK("\0\0", "\"\\u0000\\u0000\"", 0);
	/* a NUL right after a long run, and the run after it */
	CHECK("0123456789abcdef\0" "0123456789abcdef",
	      "\"0123456789abcdef\\u00000123456789abcdef\"", 0);
}

static void test_line_separators(void **state)
{
	CHECK("\xe2\x80\xa8", "\"\\u2028\"", 0);
	CHECK("\xe2\x80\xa9", "\"\\u2029\"", 0);
	CHECK("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", "\"a\\u2028b\\u2029c\"", 0);
	/* neighbours are ordinary text */
	CHECK("\xe2\x80\xa7\xe2\x80\xaa", "\"\xe2\x80\xa7\xe2\x80\xaa\"", 0);
	/* truncated U+2028 is invalid, not a separator */
	CHECK("\xe2\x80", "\"" R R "\"", 1);
}

/* Every special byte at every offset of a long run, to cover the word-at-a-time scan. */
static void test_special_at_every_offset(void **state)
{
	static const char *const specials[] = {
		"\"", "\\", "\n", "\x7f", "\x1f", "\x00", "\xff", "\xc3\xa9", "\xe2\x80\xa8",
		"\xf0\x9f\x98\x80", "\xe2\x82",
	};
	static const size_t slen[] = { 1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 2 };
	uint8_t in[64];
	char exp[256];
	size_t pos, j, n, e;

	for (j = 0; j < sizeof(slen) / sizeof(slen[0]); j++) {
		for (pos = 0; pos < 40; pos++) {
			n = 40 + slen[j];
			memset(in, 'a', sizeof(in));
			memcpy(in + pos, specials[j], slen[j]);
			exp[0] = '"';
			e = 1 + ref_escape(in, n, exp + 1);
			exp[e++] = '"';
			exp[e] = '\0';
			check_str((const char *)in, n, exp, !ref_valid(in, n));
		}
	}
}

/* ---- UTF-8 ---- */

static void test_valid_utf8(void **state)
{
	CHECK("\xc3\xa9", "\"\xc3\xa9\"", 0);		 /* U+00E9 */
	CHECK("\xe2\x82\xac", "\"\xe2\x82\xac\"", 0);	 /* U+20AC */
	CHECK("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"", 0); /* U+1F600 */
	/* the edges of each range */
	CHECK("\xc2\x80", "\"\xc2\x80\"", 0);		      /* U+0080 */
	CHECK("\xdf\xbf", "\"\xdf\xbf\"", 0);		      /* U+07FF */
	CHECK("\xe0\xa0\x80", "\"\xe0\xa0\x80\"", 0);	      /* U+0800 */
	CHECK("\xed\x9f\xbf", "\"\xed\x9f\xbf\"", 0);	      /* U+D7FF */
	CHECK("\xee\x80\x80", "\"\xee\x80\x80\"", 0);	      /* U+E000 */
	CHECK("\xef\xbf\xbf", "\"\xef\xbf\xbf\"", 0);	      /* U+FFFF */
	CHECK("\xef\xbf\xbd", "\"\xef\xbf\xbd\"", 0);	      /* U+FFFD itself */
	CHECK("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"", 0); /* U+10000 */
	CHECK("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"", 0); /* U+10FFFF */
	CHECK("/home/\xc3\xa9l\xc3\xa8ve/\xe6\x96\x87\xe6\x9b\xb8.txt",
	      "\"/home/\xc3\xa9l\xc3\xa8ve/\xe6\x96\x87\xe6\x9b\xb8.txt\"", 0);
	assert_int_equal(utf8_valid("", 0), 1);
	assert_int_equal(utf8_valid(NULL, 0), 1);
}

static void test_invalid_lone_continuation(void **state)
{
	CHECK("\x80", "\"" R "\"", 1);
	CHECK("\xbf", "\"" R "\"", 1);
	CHECK("a\x80\x80" "b", "\"a" R R "b\"", 1);
}

static void test_invalid_overlong(void **state)
{
	CHECK("\xc0\x80", "\"" R R "\"", 1);		/* U+0000 in 2 bytes */
	CHECK("\xc0\xaf", "\"" R R "\"", 1);		/* '/' in 2 bytes */
	CHECK("\xc1\xbf", "\"" R R "\"", 1);		/* U+007F in 2 bytes */
	CHECK("\xe0\x80\x80", "\"" R R R "\"", 1);	/* U+0000 in 3 bytes */
	CHECK("\xe0\x9f\xbf", "\"" R R R "\"", 1);	/* U+07FF in 3 bytes */
	CHECK("\xf0\x80\x80\x80", "\"" R R R R "\"", 1); /* U+0000 in 4 bytes */
	CHECK("\xf0\x8f\xbf\xbf", "\"" R R R R "\"", 1); /* U+FFFF in 4 bytes */
}

static void test_invalid_surrogates(void **state)
{
	CHECK("\xed\xa0\x80", "\"" R R R "\"", 1); /* U+D800 */
	CHECK("\xed\xaf\xbf", "\"" R R R "\"", 1); /* U+DBFF */
	CHECK("\xed\xb0\x80", "\"" R R R "\"", 1); /* U+DC00 */
	CHECK("\xed\xbf\xbf", "\"" R R R "\"", 1); /* U+DFFF */
	/* a CESU-8 pair is two surrogates, not one code point */
	CHECK("\xed\xa0\xbd\xed\xb8\x80", "\"" R R R R R R "\"", 1);
}

static void test_invalid_too_large(void **state)
{
	CHECK("\xf4\x90\x80\x80", "\"" R R R R "\"", 1); /* U+110000 */
	CHECK("\xf4\xbf\xbf\xbf", "\"" R R R R "\"", 1);
	CHECK("\xf5\x80\x80\x80", "\"" R R R R "\"", 1);
	CHECK("\xf7\xbf\xbf\xbf", "\"" R R R R "\"", 1);
	CHECK("\xf8\x88\x80\x80\x80", "\"" R R R R R "\"", 1); /* old 5-byte form */
	CHECK("\xfc\x84\x80\x80\x80\x80", "\"" R R R R R R "\"", 1);
	CHECK("\xfe", "\"" R "\"", 1);
	CHECK("\xff", "\"" R "\"", 1);
}

static void test_invalid_truncated(void **state)
{
	CHECK("\xc3", "\"" R "\"", 1);
	CHECK("\xe2\x82", "\"" R R "\"", 1);
	CHECK("\xf0\x9f\x98", "\"" R R R "\"", 1);
	CHECK("a\xe2\x82", "\"a" R R "\"", 1);
	/* cut short by ASCII, by an escape and by a new lead byte */
	CHECK("\xe2\x82z", "\"" R R "z\"", 1);
	CHECK("\xf0\x9f\x98\n", "\"" R R R "\\n\"", 1);
	CHECK("\xc3\xc3\xa9", "\"" R "\xc3\xa9\"", 1);
	CHECK("\xe2\xf0\x9f\x98\x80", "\"" R "\xf0\x9f\x98\x80\"", 1);
}

static void test_invalid_mixed(void **state)
{
	CHECK("ok\xffok\xc3\xa9\x80", "\"ok" R "ok\xc3\xa9" R "\"", 1);
	CHECK("\xff\"\xfe", "\"" R "\\\"" R "\"", 1);
}

static void test_lossy_in_array_and_cstring(void **state)
{
	struct jsonw w;

	jw_init(&w, 0);
	jw_object_begin(&w, NULL);
	jw_array_begin(&w, "argv");
	assert_int_equal(jw_cstring(&w, NULL, "a\xff"), 1);
	assert_int_equal(jw_cstring(&w, NULL, "b"), 0);
	jw_array_end(&w);
	assert_int_equal(jw_cstring(&w, "comm", "x\x80"), 1);
	assert_int_equal(jw_cstring(&w, "cwd", "/"), 0);
	jw_object_end(&w);
	assert_out(&w, "{\"argv\":[\"a" R "\",\"b\"],\"comm\":\"x" R "\",\"comm_hex\":\"7880\","
		       "\"cwd\":\"/\"}");
	jw_free(&w);
}

/* ---- numbers ---- */

static void test_integers(void **state)
{
	struct jsonw w;

	jw_init(&w, 0);
	jw_array_begin(&w, NULL);
	jw_uint(&w, NULL, 0);
	jw_uint(&w, NULL, 9);
	jw_uint(&w, NULL, 10);
	jw_uint(&w, NULL, 99);
	jw_uint(&w, NULL, 100);
	jw_uint(&w, NULL, 12345678901234567890ULL);
	jw_uint(&w, NULL, UINT64_MAX);
	jw_int(&w, NULL, 0);
	jw_int(&w, NULL, -1);
	jw_int(&w, NULL, -10);
	jw_int(&w, NULL, INT64_MAX);
	jw_int(&w, NULL, INT64_MIN);
	jw_array_end(&w);
	assert_out(&w, "[0,9,10,99,100,12345678901234567890,18446744073709551615,0,-1,-10,"
		       "9223372036854775807,-9223372036854775808]");
	jw_free(&w);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64*: fixed seed, so a failure reproduces */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void test_integers_random(void **state)
{
	struct jsonw w;
	char exp[32];
	uint64_t u;
	int i;

	jw_init(&w, 0);
	for (i = 0; i < 100000; i++) {
		/* spread over all magnitudes, not just 19-20 digit numbers */
		u = rnd() >> (rnd() % 64);
		jw_reset(&w);
		jw_uint(&w, NULL, u);
		snprintf(exp, sizeof(exp), "%" PRIu64, u);
		assert_out(&w, exp);
		jw_reset(&w);
		jw_int(&w, NULL, (int64_t)u);
		snprintf(exp, sizeof(exp), "%" PRId64, (int64_t)u);
		assert_out(&w, exp);
		jw_reset(&w);
		jw_int(&w, NULL, -(int64_t)(u >> 1));
		snprintf(exp, sizeof(exp), "%" PRId64, -(int64_t)(u >> 1));
		assert_out(&w, exp);
	}
	jw_free(&w);
}

static void test_hex64(void **state)
{
	struct jsonw w;

	jw_init(&w, 0);
	jw_object_begin(&w, NULL);
	jw_hex64(&w, "a", 0);
	jw_hex64(&w, "b", 0xdeadbeef);
	jw_hex64(&w, "c", 0x0123456789abcdefULL);
	jw_hex64(&w, "d", UINT64_MAX);
	jw_hex64(&w, "e", 1ULL << 63);
	jw_object_end(&w);
	assert_out(&w, "{\"a\":\"0x0000000000000000\",\"b\":\"0x00000000deadbeef\","
		       "\"c\":\"0x0123456789abcdef\",\"d\":\"0xffffffffffffffff\","
		       "\"e\":\"0x8000000000000000\"}");
	jw_free(&w);
}

/* ---- limit, errors, reset ---- */

static void test_limit_exact(void **state)
{
	static const char exp[] = "{\"a\":\"0123456789\"}";
	struct jsonw w;

	jw_init(&w, sizeof(exp) - 1);
	jw_object_begin(&w, NULL);
	jw_cstring(&w, "a", "0123456789");
	jw_object_end(&w);
	assert_out(&w, exp);
	assert_true(w.cap <= w.limit);
	jw_free(&w);

	/* one byte short: the failed call leaves no trace, and nothing follows it */
	jw_init(&w, sizeof(exp) - 2);
	jw_object_begin(&w, NULL);
	jw_cstring(&w, "a", "0123456789");
	assert_int_equal(w.err, 0);
	jw_object_end(&w);
	assert_int_equal(w.err, -ENOSPC);
	assert_out_any(&w, "{\"a\":\"0123456789\"");
	jw_uint(&w, "b", 1);
	jw_object_end(&w);
	assert_int_equal(jw_string(&w, "c", "\xff", 1), 0);
	assert_int_equal(w.err, -ENOSPC);
	assert_out_any(&w, "{\"a\":\"0123456789\"");
	assert_true(w.cap <= w.limit);
	jw_free(&w);
}

static void test_limit_escape_exact(void **state)
{
	/* every kind of escape ending exactly at the limit */
	static const char *const in[] = { "\n", "\x01", "\xe2\x80\xa8", "\xff" };
	static const char *const exp[] = { "\"\\n\"", "\"\\u0001\"", "\"\\u2028\"", "\"" R "\"" };
	struct jsonw w;
	size_t i;

	for (i = 0; i < 4; i++) {
		jw_init(&w, strlen(exp[i]));
		jw_cstring(&w, NULL, in[i]);
		assert_out(&w, exp[i]);
		jw_free(&w);

		jw_init(&w, strlen(exp[i]) - 1);
		jw_cstring(&w, NULL, in[i]);
		assert_int_equal(w.err, -ENOSPC);
		assert_int_equal(w.len, 0);
		jw_free(&w);
	}
}

static void test_limit_mid_string(void **state)
{
	struct jsonw w;
	char big[100];

	memset(big, 'x', sizeof(big));
	jw_init(&w, 50);
	jw_object_begin(&w, NULL);
	jw_uint(&w, "n", 1);
	jw_string(&w, "s", big, sizeof(big));
	assert_int_equal(w.err, -ENOSPC);
	assert_out_any(&w, "{\"n\":1");
	jw_free(&w);

	/* the value fits (22 bytes in all) but its _hex sibling does not: the whole member goes */
	jw_init(&w, 30);
	jw_object_begin(&w, NULL);
	jw_uint(&w, "n", 1);
	jw_string(&w, "s", "\xff\xff\xff", 3);
	assert_int_equal(w.err, -ENOSPC);
	assert_out_any(&w, "{\"n\":1");
	jw_free(&w);

	/* a key alone is too long */
	jw_init(&w, 8);
	jw_object_begin(&w, NULL);
	jw_null(&w, "abcdefgh");
	assert_int_equal(w.err, -ENOSPC);
	assert_out_any(&w, "{");
	jw_free(&w);
}

static void test_limit_default(void **state)
{
	size_t n = (size_t)16 << 20;
	struct jsonw w;
	char *big = malloc(n);

	assert_non_null(big);
	memset(big, 'a', n);

	jw_init(&w, 0);
	jw_string(&w, NULL, big, n - 2);
	assert_int_equal(w.err, 0);
	assert_int_equal(w.len, n);
	assert_int_equal(w.buf[0], '"');
	assert_int_equal(w.buf[n - 1], '"');

	jw_reset(&w);
	jw_string(&w, NULL, big, n - 1);
	assert_int_equal(w.err, -ENOSPC);
	assert_int_equal(w.len, 0);

	jw_reset(&w);
	jw_hex_bytes(&w, NULL, big, n / 2);
	assert_int_equal(w.err, -ENOSPC);
	jw_free(&w);
	free(big);
}

static void test_reset(void **state)
{
	struct jsonw w;
	char *buf;
	size_t cap;

	jw_init(&w, 12);
	jw_object_begin(&w, NULL);
	jw_array_begin(&w, "a");
	jw_cstring(&w, NULL, "0123456789");
	assert_int_equal(w.err, -ENOSPC);
	buf = w.buf;
	cap = w.cap;

	jw_reset(&w);
	assert_int_equal(w.err, 0);
	assert_int_equal(w.len, 0);
	assert_int_equal(w.depth, 0);
	assert_ptr_equal(w.buf, buf);
	assert_int_equal(w.cap, cap);
	/* no stale comma from the previous document */
	jw_object_begin(&w, NULL);
	jw_uint(&w, "b", 2);
	jw_object_end(&w);
	assert_out(&w, "{\"b\":2}");

	/* reset in the middle of a document */
	jw_reset(&w);
	jw_array_begin(&w, NULL);
	jw_uint(&w, NULL, 1);
	jw_reset(&w);
	jw_array_begin(&w, NULL);
	jw_uint(&w, NULL, 3);
	jw_array_end(&w);
	assert_out(&w, "[3]");
	jw_free(&w);
}

static void test_jw_free(void **state)
{
	struct jsonw w;

	memset(&w, 0, sizeof(w));
	jw_free(&w);
	jw_init(&w, 0);
	jw_free(&w);
	jw_uint(&w, NULL, 5);
	assert_out(&w, "5");
	jw_free(&w);
	jw_free(&w);
	assert_null(w.buf);
}

/* ---- property test ---- */

static const char *const fragments[] = {
	"a",		"Z",	    "/",	"\"",	    "\\",	    "\n",
	"\t",		"\x01",	    "\x7f",	"\x00",	    "\xc3\xa9",	    "\xe2\x82\xac",
	"\xf0\x9f\x98\x80", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf",
	"\x80",		"\xbf",	    "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf",
	"\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80",
	"\xf5\x80\x80\x80", "\xff", "\xfe", "\xc3", "\xe2\x82", "\xf0\x9f\x98",
};
static const size_t fraglen[] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 3, 3, 3, 4,
	1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 1, 1, 1, 2, 3,
};

static size_t gen(uint8_t *p, size_t max)
{
	size_t n = rnd() % (max + 1), i = 0, k, f;
	unsigned int mode = rnd() % 4;

	while (i < n) {
		switch (mode) {
		case 0: /* any byte */
			p[i++] = (uint8_t)rnd();
			break;
		case 1: /* printable text with the odd control or high byte */
			k = rnd() % 64;
			p[i++] = k == 0 ? (uint8_t)rnd() : k == 1 ? (uint8_t)(rnd() % 32)
						 : (uint8_t)(0x20 + rnd() % 95);
			break;
		default: /* mostly valid UTF-8 assembled from pieces, some of them bad */
			f = rnd() % (sizeof(fraglen) / sizeof(fraglen[0]));
			if (mode == 2 && f >= 17 && rnd() % 8)
				f = rnd() % 17;
			for (k = 0; k < fraglen[f] && i < n; k++)
				p[i++] = (uint8_t)fragments[f][k];
			break;
		}
	}
	return n;
}

static size_t unhex(const char *h, size_t hlen, uint8_t *out)
{
	size_t i;
	unsigned int b;

	assert_int_equal(hlen % 2, 0);
	for (i = 0; i < hlen / 2; i++) {
		assert_int_equal(sscanf(h + 2 * i, "%2x", &b), 1);
		assert_non_null(strchr("0123456789abcdef", h[2 * i]));
		assert_non_null(strchr("0123456789abcdef", h[2 * i + 1]));
		out[i] = (uint8_t)b;
	}
	return hlen / 2;
}

static void test_property_random(void **state)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root, *v, *hex, *arr;
	enum json_tokener_error jerr;
	uint8_t in[301], back[1000];
	char esc[2000];
	struct jsonw w;
	size_t n, e, blen, i;
	int it, lossy, nvalid = 0, nlossy = 0;

	assert_non_null(tok);
	assert_int_equal(sizeof(fraglen) / sizeof(fraglen[0]),
			 sizeof(fragments) / sizeof(fragments[0]));
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	jw_init(&w, 0);

	for (it = 0; it < 20000; it++) {
		n = gen(in, 300);
		lossy = !ref_valid(in, n);
		assert_int_equal(utf8_valid((const char *)in, n), !lossy);

		jw_reset(&w);
		jw_object_begin(&w, NULL);
		jw_int(&w, "i", it);
		assert_int_equal(jw_string(&w, "s", (const char *)in, n), lossy);
		jw_array_begin(&w, "a");
		assert_int_equal(jw_string(&w, NULL, (const char *)in, n), lossy);
		jw_array_end(&w);
		jw_bool(&w, "z", 1);
		jw_object_end(&w);
		assert_int_equal(w.err, 0);
		assert_int_equal(w.depth, 0);

		/* one event, one line: no raw newline nor any other raw control byte */
		assert_null(memchr(w.buf, '\n', w.len));
		for (i = 0; i < w.len; i++)
			assert_true((uint8_t)w.buf[i] >= 0x20);
		assert_int_equal(utf8_valid(w.buf, w.len), 1);

		/* exact bytes against the reference encoder */
		e = ref_escape(in, n, esc);
		assert_non_null(memmem(w.buf, w.len, esc, e));

		json_tokener_reset(tok);
		root = json_tokener_parse_ex(tok, w.buf, (int)w.len);
		jerr = json_tokener_get_error(tok);
		if (jerr != json_tokener_success)
			fail_msg("iteration %d: %s", it, json_tokener_error_desc(jerr));
		assert_non_null(root);
		assert_int_equal(json_tokener_get_parse_end(tok), w.len);

		assert_true(json_object_object_get_ex(root, "s", &v));
		assert_true(json_object_is_type(v, json_type_string));
		assert_true(json_object_object_get_ex(root, "a", &arr));
		assert_int_equal(json_object_array_length(arr), 1);
		assert_string_equal(json_object_get_string(json_object_array_get_idx(arr, 0)),
				    json_object_get_string(v));
		if (!lossy) {
			nvalid++;
			assert_int_equal(json_object_get_string_len(v), n);
			assert_memory_equal(json_object_get_string(v), in, n);
			assert_false(json_object_object_get_ex(root, "s_hex", &hex));
			assert_int_equal(json_object_object_length(root), 4);
		} else {
			nlossy++;
			blen = ref_replace(in, n, back);
			assert_int_equal(json_object_get_string_len(v), blen);
			assert_memory_equal(json_object_get_string(v), back, blen);
			assert_true(json_object_object_get_ex(root, "s_hex", &hex));
			blen = unhex(json_object_get_string(hex),
				     (size_t)json_object_get_string_len(hex), back);
			assert_int_equal(blen, n);
			assert_memory_equal(back, in, n);
			assert_int_equal(json_object_object_length(root), 5);
		}
		json_object_put(root);
	}
	/* the generator must exercise both sides */
	assert_true(nvalid > 2000);
	assert_true(nlossy > 2000);
	jw_free(&w);
	json_tokener_free(tok);
}

/* utf8_valid against the reference on short strings built from every byte pattern class. */
static void test_utf8_valid_exhaustive(void **state)
{
	uint8_t s[4];
	uint32_t v;
	size_t n;

	/* all 1-, 2- and 3-byte strings, and 4-byte ones with a sampled tail */
	for (n = 1; n <= 3; n++) {
		for (v = 0; v < (1u << (8 * n)); v++) {
			memcpy(s, &v, n);
			if (utf8_valid((const char *)s, n) != ref_valid(s, n))
				fail_msg("n=%zu v=%06x", n, v);
		}
	}
	for (v = 0; v < (1u << 24); v += 7) {
		s[0] = (uint8_t)(0xf0 + (v >> 21));
		s[1] = (uint8_t)(v >> 13);
		s[2] = (uint8_t)(v >> 5);
		s[3] = (uint8_t)(v * 0x9d);
		if (utf8_valid((const char *)s, 4) != ref_valid(s, 4))
			fail_msg("4-byte %02x %02x %02x %02x", s[0], s[1], s[2], s[3]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_keys_escaped),
		cmocka_unit_test(test_key_lengths),
		cmocka_unit_test(test_long_key_sibling),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_all_controls),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_line_separators),
		cmocka_unit_test(test_special_at_every_offset),
		cmocka_unit_test(test_valid_utf8),
		cmocka_unit_test(test_invalid_lone_continuation),
		cmocka_unit_test(test_invalid_overlong),
		cmocka_unit_test(test_invalid_surrogates),
		cmocka_unit_test(test_invalid_too_large),
		cmocka_unit_test(test_invalid_truncated),
		cmocka_unit_test(test_invalid_mixed),
		cmocka_unit_test(test_lossy_in_array_and_cstring),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_integers_random),
		cmocka_unit_test(test_hex64),
		cmocka_unit_test(test_limit_exact),
		cmocka_unit_test(test_limit_escape_exact),
		cmocka_unit_test(test_limit_mid_string),
		cmocka_unit_test(test_limit_default),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_jw_free),
		cmocka_unit_test(test_property_random),
		cmocka_unit_test(test_utf8_valid_exhaustive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
