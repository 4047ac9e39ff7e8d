// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* fsutil: fs_create_grouped (segments appear with their final mode and group). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsutil.h"

static void test_create_grouped(void **state)
{
	char dir[] = "/tmp/caudit-fsutil-XXXXXX", path[64];
	struct stat sb;
	mode_t old = umask(027);
	int dfd, fd, fd2;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	fd = fs_create_grouped(dfd, "seg-1", 0640, getegid());
	assert_true(fd >= 0);
	/* named, the mode asked for, our group, open for appending, close-on-exec */
	assert_int_equal(fstatat(dfd, "seg-1", &sb, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0640);
	assert_int_equal(sb.st_gid, getegid());
	assert_true(fcntl(fd, F_GETFL) & O_APPEND);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(fd, "ab", 2), 2);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(write(fd, "c\n", 2), 2);
	{
		char buf[8] = {0};
		int rfd = openat(dfd, "seg-1", O_RDONLY | O_CLOEXEC);

		assert_true(rfd >= 0);
		assert_int_equal(read(rfd, buf, sizeof(buf)), 4);
		assert_string_equal(buf, "abc\n");
		close(rfd);
	}
	/* an existing name is refused, and left as it was */
	fd2 = fs_create_grouped(dfd, "seg-1", 0640, getegid());
	assert_int_equal(fd2, -EEXIST);
	assert_int_equal(fstatat(dfd, "seg-1", &sb, 0), 0);
	assert_int_equal(sb.st_size, 4);
	close(fd);
	snprintf(path, sizeof(path), "%s/seg-1", dir);
	assert_int_equal(unlink(path), 0);
	close(dfd);
	assert_int_equal(rmdir(dir), 0);
	umask(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_grouped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
