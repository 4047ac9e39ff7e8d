/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Path resolution for events: join a path string a process passed to a
 * syscall with the directory it was relative to (dirfd or cwd, resolved in
 * the kernel), and normalise lexically. Pure: no I/O, symlinks are not
 * followed (the kernel-resolved path of an opened file is used where there is
 * one).
 */
#ifndef CAUDIT_PATH_H
#define CAUDIT_PATH_H

#include <stddef.h>

/*
 * Write to out (outlen bytes, NUL-terminated) the absolute normal form of
 * `path` (plen bytes), taken relative to `base` (blen bytes, absolute) when
 * path is relative; base may be NULL/0 when path is absolute. Normal form:
 * starts with '/', no empty, "." or ".." components (".." at the root stays
 * at the root), no trailing '/' except for "/" itself. Bytes other than '/'
 * are kept as they are (any byte but NUL is legal in a file name; embedded
 * NULs end the input).
 * Returns the length written, -EINVAL for a relative path without an
 * absolute base or an empty path, -ENAMETOOLONG when out is too small.
 */
int path_resolve(const char *base, size_t blen, const char *path, size_t plen, char *out,
		 size_t outlen);

#endif
