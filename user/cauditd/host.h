/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Host identity and user names (NSS, cached). */
#ifndef CAUDIT_HOST_H
#define CAUDIT_HOST_H

#include <stdint.h>

#include "encode.h"

/* Fill hostname, machine id (empty when the host has none) and boot id. */
void host_identity(struct enc_host *h);

/* CLOCK_REALTIME - CLOCK_BOOTTIME in ns, to place BPF boot-time stamps. */
int64_t host_boot_to_real_ns(void);

/* enc_user_name_fn: uid -> name through NSS, cached for a minute. */
const char *host_user_name(void *opaque, uint32_t uid);

#endif
