/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "status.h"

#define STATUS_MAX_GROUPS 256
#define STATUS_BACKLOG 8

int status_open(struct status_srv *s, const char *path, const char *group, char *err,
		size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct group *gr;
	char dir[sizeof(sa.sun_path)];
	char *slash;
	int r;

	s->fd = -1;
	s->refused = 0;
	if (!path[0])
		return 0;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "status_socket %s: longer than %zu bytes", path,
			 sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	gr = getgrnam(group);
	if (!gr) {
		snprintf(err, errlen, "status_group %s: no such group", group);
		return -ENOENT;
	}
	s->gid = gr->gr_gid;
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		struct stat sb;
		int existed;

		*slash = 0;
		existed = stat(dir, &sb) == 0;
		r = fs_mkdir_p(dir, 0755);
		if (r) {
			snprintf(err, errlen, "status_socket: create %s: %s", dir, strerror(-r));
			return r;
		}
		/* created under our umask (027): the status group must reach the socket */
		if (!existed && chmod(dir, 0755) < 0)
			log_msg(LOG_WARNING, "chmod %s: %s", dir, strerror(errno));
	}
	memcpy(sa.sun_path, path, strlen(path));
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		goto fail;
	unlink(path); /* left by a killed daemon */
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	/* the peer check below is the access control; the mode is a second fence */
	if (chmod(path, 0660) < 0 || (geteuid() == 0 && chown(path, 0, s->gid) < 0))
		goto fail;
	if (listen(s->fd, STATUS_BACKLOG) < 0)
		goto fail;
	return 0;
fail:
	r = -errno;
	snprintf(err, errlen, "status_socket %s: %s", path, strerror(errno));
	status_close(s);
	return r;
}

void status_close(struct status_srv *s)
{
	if (s->fd >= 0) {
		close(s->fd);
		unlink(s->path);
	}
	s->fd = -1;
}

static int peer_allowed(const struct status_srv *s, int fd, struct ucred *uc)
{
	gid_t groups[STATUS_MAX_GROUPS];
	socklen_t len = sizeof(*uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, uc, &len) < 0)
		return 0;
	if (uc->uid == 0 || uc->gid == s->gid)
		return 1;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return 0; /* more than STATUS_MAX_GROUPS groups: refused */
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == s->gid)
			return 1;
	return 0;
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* a client that does not read gets what fitted */
		p += w;
		n -= (size_t)w;
	}
}

void status_serve(struct status_srv *s, status_build_fn fn, void *ctx)
{
	struct jsonw w;

	if (s->fd < 0)
		return;
	for (int i = 0; i < STATUS_BACKLOG; i++) {
		int c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct ucred uc = {};

		if (c < 0)
			return;
		if (!peer_allowed(s, c, &uc)) {
			static const char no[] = "{\"error\":\"permission denied\"}\n";

			if (!s->refused++ || s->refused % 1000 == 0)
				log_msg(LOG_WARNING, "status: refused uid %u pid %d (not root, "
					"not in the status group)", uc.uid, uc.pid);
			send_all(c, no, sizeof(no) - 1);
			close(c);
			continue;
		}
		jw_init(&w, 1 << 20);
		jw_object_begin(&w, NULL);
		fn(ctx, &w);
		jw_object_end(&w);
		if (!w.err) {
			send_all(c, w.buf, w.len);
			send_all(c, "\n", 1);
		}
		jw_free(&w);
		close(c);
	}
}
