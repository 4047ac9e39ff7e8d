/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Unit tests for path_resolve (user/common/path.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "path.h"

/* A string literal and its length, embedded NULs included. */
#define S(lit) lit, sizeof(lit) - 1

struct path_case {
	const char *base;
	size_t blen;
	const char *path;
	size_t plen;
	int ret;		/* expected length, or negative errno */
	const char *want;	/* expected output when ret >= 0 */
};

static const struct path_case cases[] = {
	/* from the brief */
	{ S("/home/a"), S("x/../y"), 9, "/home/a/y" },
	{ NULL, 0, S("/a//b/./c/"), 6, "/a/b/c" },
	{ S("/a"), S("../../.."), 1, "/" },
	{ S("/tmp"), S("."), 4, "/tmp" },
	{ S("/ignored"), S("/etc/passwd"), 11, "/etc/passwd" },
	{ NULL, 0, S("x"), -EINVAL, NULL },
	{ S("rel/base"), S("x"), -EINVAL, NULL },
	{ S("/a"), S(""), -EINVAL, NULL },
	{ NULL, 0, S(""), -EINVAL, NULL },
	/* roots and separators */
	{ NULL, 0, S("/"), 1, "/" },
	{ NULL, 0, S("//"), 1, "/" },
	{ NULL, 0, S("///"), 1, "/" },
	{ NULL, 0, S("/."), 1, "/" },
	{ NULL, 0, S("/.."), 1, "/" },
	{ NULL, 0, S("/../.."), 1, "/" },
	{ NULL, 0, S("/./././"), 1, "/" },
	{ NULL, 0, S("//a//"), 2, "/a" },
	{ S("/"), S("a"), 2, "/a" },
	{ S("/"), S(".."), 1, "/" },
	{ S("//"), S("./"), 1, "/" },
	/* dots */
	{ NULL, 0, S("/a/b/.."), 2, "/a" },
	{ NULL, 0, S("/a/b/../.."), 1, "/" },
	{ NULL, 0, S("/a/../b/../c"), 2, "/c" },
	{ NULL, 0, S("/../a/.."), 1, "/" },
	{ NULL, 0, S("/a/../../b"), 2, "/b" },
	{ NULL, 0, S("/a/./b/./"), 4, "/a/b" },
	{ NULL, 0, S("/.../a"), 6, "/.../a" },
	{ NULL, 0, S("/..a/a../.a./a.b"), 16, "/..a/a../.a./a.b" },
	{ NULL, 0, S("/a/.hidden"), 10, "/a/.hidden" },
	{ S("/x/y/z"), S("../../q"), 4, "/x/q" },
	{ S("/x/y/z"), S("../../../../q"), 2, "/q" },
	{ S("/x/y/z/"), S("./"), 6, "/x/y/z" },
	{ S("/x/./y/../z"), S("w"), 6, "/x/z/w" },
	{ S("/x/y"), S(".."), 2, "/x" },
	{ S("/x/y"), S("..//..//."), 1, "/" },
	/* hostile bytes are kept byte for byte */
	{ S("/tmp"), S("a\nb"), 8, "/tmp/a\nb" },
	{ S("/tmp"), S("'\"`$(x)"), 12, "/tmp/'\"`$(x)" },
	{ NULL, 0, S("/\xff\xfe/\xc0\xaf"), 6, "/\xff\xfe/\xc0\xaf" },
	{ NULL, 0, S("/\x1b[31m/\x7f"), 8, "/\x1b[31m/\x7f" },
	{ NULL, 0, S("/a\\b/c"), 6, "/a\\b/c" },
	{ NULL, 0, S("/ /  / . /"), 9, "/ /  / . " },
	{ S("/b\r"), S("\t"), 5, "/b\r/\t" },
	/* embedded NULs end the input */
	{ NULL, 0, S("/a\0/b"), 2, "/a" },
	{ S("/base"), S("\0/abs"), -EINVAL, NULL },
	{ S("/ba\0se"), S("x"), 5, "/ba/x" },
	{ S("\0/base"), S("x"), -EINVAL, NULL },
	{ S("/base"), S("x\0"), 7, "/base/x" },
	/* lengths shorter than the strings */
	{ "/base/more", 5, "y/zzz", 1, 7, "/base/y" },
	{ "/abc", 4, "..xyz", 2, 1, "/" },
	{ "/abc", 0, "x", 1, -EINVAL, NULL },
};

static void test_table(void **state)
{
	char out[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct path_case *t = &cases[i];
		int r;

		memset(out, 'Z', sizeof(out));
		r = path_resolve(t->base, t->blen, t->path, t->plen, out, sizeof(out));
		if (r != t->ret)
			print_error("case %zu: got %d, want %d\n", i, r, t->ret);
		assert_int_equal(r, t->ret);
		if (r >= 0) {
			assert_memory_equal(out, t->want, (size_t)r + 1);
			assert_int_equal(strlen(out), (size_t)r);
		} else {
			assert_int_equal(out[0], '\0');
		}
	}
}

static void test_table_size(void **state)
{
	assert_true(sizeof(cases) / sizeof(cases[0]) >= 30);
}

/* Results written in place must be stable: resolving them again changes nothing. */
static void test_idempotent(void **state)
{
	char out[256], again[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct path_case *t = &cases[i];
		int r, r2;

		r = path_resolve(t->base, t->blen, t->path, t->plen, out, sizeof(out));
		if (r < 0)
			continue;
		r2 = path_resolve(NULL, 0, out, (size_t)r, again, sizeof(again));
		assert_int_equal(r2, r);
		assert_string_equal(again, out);
	}
}

static void test_exact_fit(void **state)
{
	char out[8];

	/* "/a/b/c" is 6 bytes + NUL = 7 */
	memset(out, 'Z', sizeof(out));
	assert_int_equal(path_resolve(NULL, 0, S("/a/b/c"), out, 7), 6);
	assert_string_equal(out, "/a/b/c");
	assert_int_equal(out[7], 'Z');

	memset(out, 'Z', sizeof(out));
	assert_int_equal(path_resolve(NULL, 0, S("/a/b/c"), out, 6), -ENAMETOOLONG);
	assert_int_equal(out[0], '\0');
	assert_int_equal(out[6], 'Z');

	/* "/" needs 2 bytes */
	assert_int_equal(path_resolve(NULL, 0, S("/.."), out, 2), 1);
	assert_string_equal(out, "/");
	memset(out, 'Z', sizeof(out));
	assert_int_equal(path_resolve(NULL, 0, S("/.."), out, 1), -ENAMETOOLONG);
	assert_int_equal(out[0], '\0');
	assert_int_equal(out[1], 'Z');
	assert_int_equal(path_resolve(NULL, 0, S("/"), out, 0), -ENAMETOOLONG);
	assert_int_equal(out[1], 'Z');
}

/* An intermediate result longer than out is fine if the final one fits. */
static void test_long_intermediate(void **state)
{
	char path[300], out[8];

	memset(path, 'x', sizeof(path));
	path[0] = '/';
	memcpy(path + 200, "/../b", 5);
	assert_int_equal(path_resolve(NULL, 0, path, 205, out, sizeof(out)), 2);
	assert_string_equal(out, "/b");
	/* base too long for out but cancelled by the path */
	assert_int_equal(path_resolve(path, 200, S("../c"), out, sizeof(out)), 2);
	assert_string_equal(out, "/c");
	/* base kept: too long */
	assert_int_equal(path_resolve(path, 200, S("c"), out, sizeof(out)), -ENAMETOOLONG);
	assert_int_equal(out[0], '\0');
}

static void test_big_inputs(void **state)
{
	enum { N = 8192 };
	char *base = malloc(N), *path = malloc(N), *out = malloc(2 * N + 2);
	size_t i;
	int r;

	assert_non_null(base);
	assert_non_null(path);
	assert_non_null(out);

	/* "/a/a/a..." base and "b/b/b..." path: nothing to remove */
	for (i = 0; i < N; i++) {
		base[i] = i % 2 ? 'a' : '/';
		path[i] = i % 2 ? '/' : 'b';
	}
	r = path_resolve(base, N, path, N, out, 2 * N + 2);
	assert_int_equal(r, 2 * N);
	assert_int_equal(strlen(out), (size_t)r);
	assert_memory_equal(out, base, N);
	assert_int_equal(out[N], '/');
	assert_memory_equal(out + N + 1, path, N - 1);
	r = path_resolve(base, N, path, N, out, 2 * N);
	assert_int_equal(r, -ENAMETOOLONG);
	assert_int_equal(out[0], '\0');
	r = path_resolve(base, N, path, N, out, 2 * N + 1);
	assert_int_equal(r, 2 * N);

	/* 2730 ".." against 4096 components, then against 2048 */
	for (i = 0; i + 3 <= N; i += 3)
		memcpy(path + i, "../", 3);
	r = path_resolve(base, N, path, i, out, 2 * N + 2);
	assert_int_equal(r, 2 * (N / 2 - i / 3));
	assert_memory_equal(out, base, (size_t)r);
	r = path_resolve(base, N / 2, path, i, out, 2 * N + 2);
	assert_int_equal(r, 1);
	assert_string_equal(out, "/");

	/* a path of only "/" */
	memset(path, '/', N);
	r = path_resolve(NULL, 0, path, N, out, 2);
	assert_int_equal(r, 1);
	assert_string_equal(out, "/");

	/* one 8191-byte component */
	memset(path + 1, 'n', N - 1);
	r = path_resolve(NULL, 0, path, N, out, N + 1);
	assert_int_equal(r, N);
	assert_memory_equal(out, path, N);

	free(base);
	free(path);
	free(out);
}

static void test_null_args(void **state)
{
	char out[16];

	assert_int_equal(path_resolve(NULL, 0, NULL, 0, out, sizeof(out)), -EINVAL);
	assert_int_equal(path_resolve(NULL, 5, S("a"), out, sizeof(out)), -EINVAL);
	assert_int_equal(path_resolve(S("/b"), S("a"), NULL, 0), -ENAMETOOLONG);
	assert_int_equal(path_resolve(NULL, 0, S("/a"), NULL, 0), -ENAMETOOLONG);
	/* -EINVAL takes precedence over a too small buffer */
	assert_int_equal(path_resolve(NULL, 0, S("a"), NULL, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_size),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_exact_fit),
		cmocka_unit_test(test_long_intermediate),
		cmocka_unit_test(test_big_inputs),
		cmocka_unit_test(test_null_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
