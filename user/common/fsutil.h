/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Small file-system helpers shared by the agent and the command line. */
#ifndef CAUDIT_FSUTIL_H
#define CAUDIT_FSUTIL_H

#include <sys/types.h>

/* mkdir -p: missing parents 0755, the last component `mode`. 0 or negative errno. */
int fs_mkdir_p(const char *path, mode_t mode);

/*
 * Create dfd/name (it must not exist) for appending, mode `mode`, owned by
 * root and group gid *before* the name appears: a reader in that group (the
 * forwarder polling the log directory) never finds the file with another
 * group. O_TMPFILE + linkat where the file system has it, else create and
 * chown (where a reader may see the file briefly with the creator's group).
 * Only root changes the group (otherwise the process's own group stays);
 * that change is best effort (fstat the fd to check it). The fd
 * (O_CLOEXEC), or negative errno (-EEXIST when name exists).
 */
int fs_create_grouped(int dfd, const char *name, mode_t mode, gid_t gid);

#endif
