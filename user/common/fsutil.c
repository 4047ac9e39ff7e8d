/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

int fs_mkdir_p(const char *dir, mode_t mode)
{
	char path[4200];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, n + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int fs_create_grouped(int dfd, const char *name, mode_t mode, gid_t gid)
{
	const int flags = O_WRONLY | O_APPEND | O_CLOEXEC;
	int root = geteuid() == 0, fd, r;
	char proc[64];

	/* an unnamed file first: owner, group and mode are right when it gets its name */
	fd = openat(dfd, ".", O_TMPFILE | flags, mode);
	if (fd >= 0) {
		if (root && fchown(fd, 0, gid) < 0)
			(void)0; /* best effort: the caller checks the group */
		/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd does not */
		if (linkat(fd, "", dfd, name, AT_EMPTY_PATH) == 0)
			return fd;
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (errno != EEXIST && linkat(AT_FDCWD, proc, dfd, name, AT_SYMLINK_FOLLOW) == 0)
			return fd;
		r = -errno;
		close(fd);
		if (r == -EEXIST)
			return r;
		/* no /proc: the plain way below */
	} else if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		return -errno;
	}
	fd = openat(dfd, name, flags | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	if (root && fchown(fd, 0, gid) < 0)
		(void)0; /* best effort, as above */
	return fd;
}
