/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "service.h"

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void service_init(struct service *s, uint32_t stop_pings_after)
{
	uint64_t usec = 0;

	s->watchdog_usec = sd_watchdog_enabled(0, &usec) > 0 ? usec : 0;
	s->started_ns = mono_ns();
	s->last_ping_ns = 0;
	s->stop_pings_after = stop_pings_after;
	s->pings_stopped = 0;
}

void service_ready(void)
{
	sd_notify(0, "READY=1");
}

void service_reloading(void)
{
	sd_notify(0, "RELOADING=1");
}

void service_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void service_status(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", buf);
}

void service_watchdog(struct service *s)
{
	int64_t now;

	if (!s->watchdog_usec)
		return;
	now = mono_ns();
	if (s->stop_pings_after && now - s->started_ns >= (int64_t)s->stop_pings_after * 1000000000) {
		if (!s->pings_stopped)
			log_msg(LOG_WARNING, "test_stop_watchdog_after: no more watchdog pings");
		s->pings_stopped = 1;
		return;
	}
	if (now - s->last_ping_ns >= (int64_t)s->watchdog_usec * 1000 / 3) {
		sd_notify(0, "WATCHDOG=1");
		s->last_ping_ns = now;
	}
}
