/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Small file-system helpers shared by the agent and the command line. */
#ifndef CAUDIT_FSUTIL_H
#define CAUDIT_FSUTIL_H

#include <sys/types.h>

/* mkdir -p: missing parents 0755, the last component `mode`. 0 or negative errno. */
int fs_mkdir_p(const char *path, mode_t mode);

#endif
