/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libFuzzer target for path_resolve. Input layout:
 *   byte 0-1   output buffer size (little endian, mod 20000)
 *   byte 2-3   base length (little endian, mod rest + 1); bit 15 of the
 *              output size word passes a NULL base instead
 *   rest       base bytes, then path bytes
 * Base, path and output each live in a buffer of exactly their size so that
 * ASan sees any access outside them. The result is checked for the normal
 * form and against a simple left-to-right reference implementation.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

/* Reference: a stack of components, left to right. out must hold blen+plen+2. */
static size_t ref_push(const char *s, size_t n, char *out, size_t len)
{
	size_t i = 0;

	while (i < n) {
		size_t start;

		while (i < n && s[i] == '/')
			i++;
		start = i;
		while (i < n && s[i] != '/')
			i++;
		if (i == start)
			break;
		if (i - start == 1 && s[start] == '.')
			continue;
		if (i - start == 2 && s[start] == '.' && s[start + 1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			continue;
		}
		out[len++] = '/';
		memcpy(out + len, s + start, i - start);
		len += i - start;
	}
	return len;
}

static int ref_resolve(const char *base, size_t blen, const char *path, size_t plen, char *out)
{
	size_t len = 0;

	plen = path ? strnlen(path, plen) : 0;
	if (!plen)
		return -EINVAL;
	if (path[0] != '/') {
		blen = base ? strnlen(base, blen) : 0;
		if (!blen || base[0] != '/')
			return -EINVAL;
		len = ref_push(base, blen, out, 0);
	}
	len = ref_push(path, plen, out, len);
	if (!len)
		out[len++] = '/';
	out[len] = '\0';
	return (int)len;
}

static void check_normal(const char *out, int r)
{
	size_t n = (size_t)r, i;

	if (strlen(out) != n || out[0] != '/')
		abort();
	if (n > 1 && out[n - 1] == '/')
		abort();
	for (i = 0; i < n; i++) {
		size_t end;

		if (out[i] != '/')
			continue;
		if (i + 1 < n && out[i + 1] == '/')
			abort();
		end = i + 1;
		while (end < n && out[end] != '/')
			end++;
		if (end - i == 2 && out[i + 1] == '.')
			abort();
		if (end - i == 3 && out[i + 1] == '.' && out[i + 2] == '.')
			abort();
	}
}

static char *dup_exact(const uint8_t *p, size_t n)
{
	char *s = malloc(n ? n : 1);

	if (!s)
		abort();
	if (n)
		memcpy(s, p, n);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t outlen, blen, plen, rest;
	char *base, *path, *out, *ref, *again;
	int null_base, r, rr, r2;
	uint16_t w;

	if (size < 4)
		return 0;
	w = (uint16_t)(data[0] | data[1] << 8);
	null_base = w >> 15;
	outlen = (w & 0x7fff) % 20000;
	rest = size - 4;
	blen = (size_t)(data[2] | data[3] << 8) % (rest + 1);
	plen = rest - blen;

	base = dup_exact(data + 4, blen);
	path = dup_exact(data + 4 + blen, plen);
	out = outlen ? malloc(outlen) : NULL;
	ref = malloc(blen + plen + 2);
	again = malloc(blen + plen + 2);
	if ((outlen && !out) || !ref || !again)
		abort();

	rr = ref_resolve(null_base ? NULL : base, blen, path, plen, ref);
	r = path_resolve(null_base ? NULL : base, blen, path, plen, out, outlen);

	if (rr == -EINVAL) {
		if (r != -EINVAL)
			abort();
	} else if ((size_t)rr + 1 > outlen) {
		if (r != -ENAMETOOLONG)
			abort();
		if (outlen && out[0] != '\0')
			abort();
	} else {
		if (r != rr || memcmp(out, ref, (size_t)rr + 1))
			abort();
		check_normal(out, r);
		/* normal form is a fixed point */
		r2 = path_resolve(NULL, 0, out, (size_t)r, again, blen + plen + 2);
		if (r2 != r || strcmp(again, out))
			abort();
	}
	if (r < 0 && outlen && !memchr(out, '\0', outlen))
		abort();

	free(base);
	free(path);
	free(out);
	free(ref);
	free(again);
	return 0;
}
