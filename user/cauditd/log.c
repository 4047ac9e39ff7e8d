/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static int journal_prefix;

void log_init(void)
{
	/* systemd sets JOURNAL_STREAM when stderr is connected to the journal */
	journal_prefix = getenv("JOURNAL_STREAM") != NULL;
}

void log_msg(int level, const char *fmt, ...)
{
	static const char *const names[] = { "emerg", "alert", "crit", "error",
					     "warning", "notice", "info", "debug" };
	va_list ap;

	if (journal_prefix)
		fprintf(stderr, "<%d>", level & 7);
	else
		fprintf(stderr, "%s: %s: ", program_invocation_short_name, names[level & 7]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
