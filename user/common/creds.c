// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"

#define CREDS_MAX 512

/*
 * "user password" on one line: the host's NATS credentials. Refused when
 * group or others may read it, like every secret.
 */
int creds_read(const char *path, char *user, size_t ulen, char *pass, size_t plen, char *err,
	       size_t errlen)
{
	char buf[CREDS_MAX + 1], *sp;
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		close(fd);
		snprintf(err, errlen, "%s: must be a regular file readable by its owner only",
			 path);
		return -EPERM;
	}
	n = read(fd, buf, CREDS_MAX);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -EIO;
	}
	buf[n] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	sp = strchr(buf, ' ');
	if (!sp || sp == buf || !sp[1] || (size_t)(sp - buf) >= ulen || strlen(sp + 1) >= plen) {
		explicit_bzero(buf, sizeof(buf));
		snprintf(err, errlen, "%s: expected one line 'user password'", path);
		return -EINVAL;
	}
	*sp = 0;
	strcpy(user, buf);
	strcpy(pass, sp + 1);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}
