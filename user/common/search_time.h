/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Times on the command line (--since, --until) and in tables. Local time
 * is the TZ of the process (the TZ environment variable, else
 * /etc/localtime), as with date(1).
 */
#ifndef CAUDIT_SEARCH_TIME_H
#define CAUDIT_SEARCH_TIME_H

#include <stddef.h>
#include <stdint.h>

/*
 * s to ns since 1970: RFC 3339 ("2026-11-23T20:23:49Z", "...+01:00",
 * fraction optional), a local date ("2026-11-23") or local date and time
 * ("2026-11-23 20:23[:49]", "2026-11-23T20:23"), a relative age before now
 * ("30s", "10m", "2h", "3d", "1w"), "now", "today", "yesterday" (local
 * midnight). now_ns: the current time. 0 or -EINVAL.
 */
int st_parse(const char *s, int64_t now_ns, int64_t *ns);

/* "2026-11-23 21:23:49 CET" in local time. */
void st_format_local(char *out, size_t len, int64_t ns);

#endif
