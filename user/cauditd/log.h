/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The agent's own diagnostics: stderr, with sd-daemon level prefixes when
 * stderr goes to the journal. Never the audit log.
 */
#ifndef CAUDIT_LOG_H
#define CAUDIT_LOG_H

#include <syslog.h>

void log_init(void);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
