/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * systemd service protocol (sd_notify): READY=1 once BPF is attached and the
 * log open, RELOADING=1 around SIGHUP, STOPPING=1, a STATUS= line, and
 * WATCHDOG=1 pings from the main loop when the unit sets WatchdogSec.
 * Without systemd ($NOTIFY_SOCKET unset) every call does nothing.
 */
#ifndef CAUDIT_SERVICE_H
#define CAUDIT_SERVICE_H

#include <stdint.h>

struct service {
	uint64_t watchdog_usec;   /* 0: no watchdog */
	int64_t last_ping_ns;
	int64_t started_ns;
	uint32_t stop_pings_after; /* test_stop_watchdog_after (test only), seconds */
	int pings_stopped;
};

void service_init(struct service *s, uint32_t stop_pings_after);
void service_ready(void);
void service_reloading(void);
void service_stopping(void);
void service_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Called every main loop iteration: pings at a third of the watchdog period. */
void service_watchdog(struct service *s);

#endif
