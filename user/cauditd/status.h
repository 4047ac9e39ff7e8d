/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The status socket: the only code of the agent that touches sockets. A
 * client connects (caudit status), the agent checks its peer credentials
 * (uid 0, or the status group among its groups), writes one JSON object
 * (docs/operations.md "caudit status") and closes. Nothing is read from the
 * client, so a client can neither block the agent nor feed it input.
 */
#ifndef CAUDIT_STATUS_H
#define CAUDIT_STATUS_H

#include <stddef.h>
#include <sys/types.h>

#include "jsonw.h"

struct status_srv {
	int fd;     /* listening socket, -1: none */
	gid_t gid;  /* status_group */
	char path[108];
	uint64_t refused;
};

/* Listen on path (mode 0660, group); "" means no socket. 0 or -errno, err set. */
int status_open(struct status_srv *s, const char *path, const char *group, char *err,
		size_t errlen);
void status_close(struct status_srv *s);

/* Fill w with the status object (called once per allowed client). */
typedef void (*status_build_fn)(void *ctx, struct jsonw *w);

/* Serve every pending connection (non-blocking). */
void status_serve(struct status_srv *s, status_build_fn fn, void *ctx);

#endif
