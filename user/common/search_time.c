/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Command-line times; see search_time.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "rec_scan.h"
#include "search_time.h"

#define NS 1000000000ll

static int num(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Local midnight `days_back` days before the day of now. */
static int local_midnight(int64_t now_ns, int days_back, int64_t *ns)
{
	time_t t = (time_t)(now_ns / NS);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return -EINVAL;
	tm.tm_mday -= days_back;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ns = (int64_t)t * NS;
	return 0;
}

static int relative(const char *s, int64_t now_ns, int64_t *ns)
{
	char *end;
	unsigned long long v;
	int64_t unit;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || end[0] == 0 || end[1] != 0)
		return -EINVAL;
	switch (*end) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	case 'w':
		unit = 7 * 86400;
		break;
	default:
		return -EINVAL;
	}
	if (v > (unsigned long long)(INT64_MAX / NS / unit))
		return -EINVAL;
	*ns = now_ns - (int64_t)v * unit * NS;
	return 0;
}

/* "YYYY-MM-DD[( |T)HH:MM[:SS[.frac]]][Z|±HH:MM]" */
static int absolute(const char *s, int64_t *ns)
{
	size_t n = strlen(s);
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om;
	int64_t frac = 0, scale = NS;
	size_t i = 10;
	int zone = 0; /* 0 local, 1 offset given */
	long off = 0;
	time_t t;

	if (n < 10 || s[4] != '-' || s[7] != '-' || num(s, 4, &y) || num(s + 5, 2, &mo) ||
	    num(s + 8, 2, &d))
		return -EINVAL;
	if (n > 10) {
		if ((s[10] != 'T' && s[10] != ' ') || n < 16 || s[13] != ':' ||
		    num(s + 11, 2, &h) || num(s + 14, 2, &mi))
			return -EINVAL;
		i = 16;
		if (i < n && s[i] == ':') {
			if (n < 19 || num(s + 17, 2, &sec))
				return -EINVAL;
			i = 19;
			if (i < n && s[i] == '.') {
				for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
					if (scale > 1) {
						scale /= 10;
						frac += (s[i] - '0') * scale;
					}
				}
			}
		}
		if (i < n && s[i] == 'Z' && i + 1 == n) {
			zone = 1;
		} else if (i < n && (s[i] == '+' || s[i] == '-') && n == i + 6 && s[i + 3] == ':' &&
			   !num(s + i + 1, 2, &oh) && !num(s + i + 4, 2, &om) && oh < 24 &&
			   om < 60) {
			zone = 1;
			off = (oh * 3600L + om * 60L) * (s[i] == '-' ? -1 : 1);
		} else if (i != n) {
			return -EINVAL;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	if (zone) {
		char buf[40];
		int64_t utc;

		snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, sec);
		if (rs_time_ns(buf, strlen(buf), &utc))
			return -EINVAL;
		*ns = utc - (int64_t)off * NS + frac;
		return 0;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ns = (int64_t)t * NS + frac;
	return 0;
}

int st_parse(const char *s, int64_t now_ns, int64_t *ns)
{
	if (!strcmp(s, "now")) {
		*ns = now_ns;
		return 0;
	}
	if (!strcmp(s, "today"))
		return local_midnight(now_ns, 0, ns);
	if (!strcmp(s, "yesterday"))
		return local_midnight(now_ns, 1, ns);
	if (!relative(s, now_ns, ns))
		return 0;
	return absolute(s, ns);
}

void st_format_local(char *out, size_t len, int64_t ns)
{
	time_t t = (time_t)(ns / NS - (ns < 0 && ns % NS ? 1 : 0));
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(out, len, "%Y-%m-%d %H:%M:%S %Z", &tm))
		snprintf(out, len, "?");
}
