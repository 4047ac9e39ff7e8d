/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host.h"

#define NAME_CACHE 1024
#define NAME_TTL_S 60

static void read_line(const char *path, char *out, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	out[0] = 0;
	if (fd < 0)
		return;
	n = read(fd, out, len - 1);
	close(fd);
	if (n <= 0)
		return;
	out[n] = 0;
	out[strcspn(out, "\r\n")] = 0;
}

void host_identity(struct enc_host *h)
{
	memset(h, 0, sizeof(*h));
	if (gethostname(h->name, sizeof(h->name) - 1) < 0)
		h->name[0] = 0;
	read_line("/etc/machine-id", h->machine_id, sizeof(h->machine_id));
	read_line("/proc/sys/kernel/random/boot_id", h->boot_id, sizeof(h->boot_id));
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t host_boot_to_real_ns(void)
{
	return clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
}

struct name_slot {
	uint32_t uid;
	int valid;
	int found;
	time_t at;
	char name[64];
};

const char *host_user_name(void *opaque, uint32_t uid)
{
	static struct name_slot cache[NAME_CACHE];
	struct name_slot *s = &cache[uid % NAME_CACHE];
	time_t now = time(NULL);

	if (!s->valid || s->uid != uid || now - s->at > NAME_TTL_S) {
		struct passwd pw, *res = NULL;
		char buf[4096];

		s->valid = 1;
		s->uid = uid;
		s->at = now;
		s->found = getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res &&
			   strlen(res->pw_name) < sizeof(s->name);
		if (s->found)
			strcpy(s->name, res->pw_name);
	}
	return s->found ? s->name : NULL;
}
