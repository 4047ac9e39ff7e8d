/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libFuzzer target for jsonw: the input is written as a string member, as an
 * array element and as a key, and under a small limit. Whatever the bytes,
 * the output must parse with json-c as strict, valid UTF-8 JSON on one line,
 * valid input must come back unchanged, invalid input must come back with one
 * U+FFFD per bad byte and exactly in the _hex sibling. Any mismatch aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonw.h"

static struct json_tokener *tok;

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* Reference decoder, written differently from jsonw's table-driven one. */
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

/* Expected decoded text; returns its length, *lossy set when anything was replaced. */
static size_t ref_replace(const uint8_t *p, size_t n, uint8_t *out, int *lossy)
{
	size_t i = 0, o = 0, k;

	*lossy = 0;
	while (i < n) {
		k = ref_seq(p + i, n - i);
		if (k) {
			memcpy(out + o, p + i, k);
			o += k;
			i += k;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			*lossy = 1;
		}
	}
	return o;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void check_hex(struct json_object *h, const uint8_t *data, size_t size)
{
	const char *s;
	size_t i;
	int hi, lo;

	CHECK(json_object_is_type(h, json_type_string));
	CHECK((size_t)json_object_get_string_len(h) == 2 * size);
	s = json_object_get_string(h);
	for (i = 0; i < size; i++) {
		hi = hexval(s[2 * i]);
		lo = hexval(s[2 * i + 1]);
		CHECK(hi >= 0 && lo >= 0);
		CHECK((uint8_t)(hi << 4 | lo) == data[i]);
	}
}

static void check_str(struct json_object *v, const uint8_t *exp, size_t n)
{
	CHECK(json_object_is_type(v, json_type_string));
	CHECK((size_t)json_object_get_string_len(v) == n);
	CHECK(!n || !memcmp(json_object_get_string(v), exp, n));
}

/* Parse the whole output: strict JSON, valid UTF-8, nothing left over, one line. */
static struct json_object *parse(const struct jsonw *w)
{
	struct json_object *root;
	size_t i;

	CHECK(w->err == 0);
	CHECK(w->depth == 0);
	for (i = 0; i < w->len; i++)
		CHECK((uint8_t)w->buf[i] >= 0x20);
	CHECK(utf8_valid(w->buf, w->len));
	json_tokener_reset(tok);
	root = json_tokener_parse_ex(tok, w->buf, (int)w->len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		fprintf(stderr, "json-c: %s\n%.*s\n",
			json_tokener_error_desc(json_tokener_get_error(tok)), (int)w->len, w->buf);
		abort();
	}
	CHECK(root);
	CHECK(json_tokener_get_parse_end(tok) == w->len);
	return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *root, *v, *h;
	uint8_t *back, *key;
	size_t blen, klen, kblen, limit;
	int lossy, klossy;
	struct jsonw w;

	if (size > 1 << 16)
		return 0;
	if (!tok) {
		tok = json_tokener_new();
		CHECK(tok);
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	}
	back = malloc(3 * size + 8);
	key = malloc(size + 1);
	CHECK(back && key);
	blen = ref_replace(data, size, back, &lossy);
	CHECK(utf8_valid((const char *)data, size) == !lossy);

	/* as a member: {"s":...,"s_hex":...,"a":[...]} */
	jw_init(&w, 0);
	jw_object_begin(&w, NULL);
	CHECK(jw_string(&w, "s", (const char *)data, size) == lossy);
	jw_array_begin(&w, "a");
	CHECK(jw_string(&w, NULL, (const char *)data, size) == lossy);
	jw_uint(&w, NULL, size);
	jw_array_end(&w);
	jw_object_end(&w);
	root = parse(&w);
	CHECK(json_object_object_get_ex(root, "s", &v));
	check_str(v, back, blen);
	CHECK(json_object_object_get_ex(root, "s_hex", &h) == lossy);
	if (lossy)
		check_hex(h, data, size);
	CHECK(json_object_object_get_ex(root, "a", &v));
	CHECK(json_object_array_length(v) == 2);
	check_str(json_object_array_get_idx(v, 0), back, blen);
	CHECK(json_object_object_length(root) == (lossy ? 3 : 2));
	json_object_put(root);

	/*
	 * As a key (up to the first NUL, since keys are C strings), with the input
	 * as its value too, so the _hex sibling is built from a hostile key.
	 */
	klen = strnlen((const char *)data, size);
	memcpy(key, data, klen);
	key[klen] = '\0';
	kblen = ref_replace(key, klen, back, &klossy);
	back[kblen] = '\0';
	jw_reset(&w);
	jw_object_begin(&w, NULL);
	CHECK(jw_string(&w, (const char *)key, (const char *)key, klen) == klossy);
	jw_object_end(&w);
	root = parse(&w);
	CHECK(json_object_object_get_ex(root, (const char *)back, &v));
	check_str(v, back, kblen);
	CHECK(json_object_object_length(root) == (klossy ? 2 : 1));
	if (klossy) {
		memcpy(back + kblen, "_hex", 5);
		CHECK(json_object_object_get_ex(root, (const char *)back, &h));
		check_hex(h, key, klen);
	}
	json_object_put(root);
	jw_free(&w);

	/* under a small limit: either complete and valid, or -ENOSPC and never beyond it */
	limit = 1 + (size ? data[0] : 0);
	jw_init(&w, limit);
	jw_object_begin(&w, NULL);
	jw_string(&w, "s", (const char *)data, size);
	jw_object_end(&w);
	CHECK(w.len <= limit && w.cap <= limit);
	if (w.err) {
		CHECK(w.err == -ENOSPC);
	} else {
		root = parse(&w);
		json_object_put(root);
	}
	jw_free(&w);

	free(back);
	free(key);
	return 0;
}
