/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* NATS user credentials of caudit-forward and caudit-collector (docs/forwarding.md). */
#ifndef CAUDIT_CREDS_H
#define CAUDIT_CREDS_H

#include <stddef.h>

/*
 * path holds one line "user password". Refused unless a regular file that
 * only its owner may read or write. 0, or negative errno with err set.
 */
int creds_read(const char *path, char *user, size_t ulen, char *pass, size_t plen, char *err,
	       size_t errlen);

#endif
