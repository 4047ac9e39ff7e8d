/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Lexical path normalisation, in one pass from right to left: a ".." skips
 * the nearest component on its left that is not itself skipped, and ".."s
 * left over at the root are dropped, which is what a left-to-right stack
 * gives. Every kept component is final, so it is written straight to the end
 * of the output buffer; the result is then moved to the front. O(blen + plen),
 * no recursion, no allocation, no intermediate result that could overflow.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "path.h"

/*
 * Walk the components of s[0..n) from the right, prepending kept ones (as
 * "/name") to out[*pos..). *skip counts pending "..".
 */
static int path_walk(const char *s, size_t n, char *out, size_t *pos, size_t *skip)
{
	size_t i = n;

	while (i > 0) {
		size_t end, len;

		while (i > 0 && s[i - 1] == '/')
			i--;
		end = i;
		while (i > 0 && s[i - 1] != '/')
			i--;
		len = end - i;
		if (len == 0)
			break;
		if (len == 1 && s[i] == '.')
			continue;
		if (len == 2 && s[i] == '.' && s[i + 1] == '.') {
			(*skip)++;
			continue;
		}
		if (*skip) {
			(*skip)--;
			continue;
		}
		if (*pos < len + 1)
			return -ENAMETOOLONG;
		*pos -= len;
		memcpy(out + *pos, s + i, len);
		out[--*pos] = '/';
	}
	return 0;
}

int path_resolve(const char *base, size_t blen, const char *path, size_t plen, char *out,
		 size_t outlen)
{
	size_t cap, pos, skip = 0, len;
	int r;

	if (out && outlen)
		out[0] = '\0';
	plen = path ? strnlen(path, plen) : 0;
	if (!plen)
		return -EINVAL;
	if (path[0] != '/') {
		blen = base ? strnlen(base, blen) : 0;
		if (!blen || base[0] != '/')
			return -EINVAL;
	}
	if (!out || !outlen)
		return -ENAMETOOLONG;

	/* Longest result that fits with its NUL and in the int return value. */
	cap = outlen - 1 > (size_t)INT_MAX ? (size_t)INT_MAX : outlen - 1;
	pos = cap;
	r = path_walk(path, plen, out, &pos, &skip);
	if (!r && path[0] != '/')
		r = path_walk(base, blen, out, &pos, &skip);
	if (!r && pos == cap) {
		/* Nothing kept: the root. */
		if (cap < 1)
			r = -ENAMETOOLONG;
		else
			out[--pos] = '/';
	}
	if (r) {
		out[0] = '\0';
		return r;
	}
	len = cap - pos;
	memmove(out, out + pos, len);
	out[len] = '\0';
	return (int)len;
}
