/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The verifier's words (docs/log-format.md, "Verdicts") and pass/fail rules. */
#include <stdio.h>
#include <stdlib.h>

#include "verify.h"

static const char *const names[VERIFY__COUNT] = {
    [VERIFY_VALID] = "valid",
    [VERIFY_MODIFIED] = "record modified",
    [VERIFY_MISSING] = "records missing",
    [VERIFY_INSERTED] = "record inserted",
    [VERIFY_SEGMENT_MISSING] = "segment missing",
    [VERIFY_OUT_OF_ORDER] = "segments out of order",
    [VERIFY_UNSEALED_TAIL] = "unsealed tail",
    [VERIFY_TRUNCATED] = "truncated",
    [VERIFY_BAD_SIGNATURE] = "signature invalid",
    [VERIFY_UNCERTIFIED_KEY] = "key not certified by the chain",
    [VERIFY_UNKNOWN_ROOT] = "unknown root key",
    [VERIFY_MALFORMED] = "malformed",
};

const char *verify_verdict_name(enum verify_verdict v)
{
	return (unsigned)v < VERIFY__COUNT ? names[v] : "unknown";
}

int verify_verdict_format(const struct verify_segment *s, char *buf, size_t len)
{
	unsigned long long n = s->n;

	switch (s->verdict) {
	case VERIFY_MODIFIED:
		return snprintf(buf, len, "record %llu modified", n);
	case VERIFY_MISSING:
		return snprintf(buf, len, "records missing (seq %llu-%llu)",
				(unsigned long long)s->a, (unsigned long long)s->b);
	case VERIFY_INSERTED:
		return snprintf(buf, len, "record %llu inserted", n);
	case VERIFY_SEGMENT_MISSING:
		return snprintf(buf, len, "segment missing between %s and %s", s->other, s->name);
	case VERIFY_UNSEALED_TAIL:
		return snprintf(buf, len, "unsealed tail (%llu records after the last seal)", n);
	default:
		return snprintf(buf, len, "%s", verify_verdict_name(s->verdict));
	}
}

int verify_certs_format(const struct verify_report *rep, char *buf, size_t len)
{
	unsigned long long line = rep->certs_line, n = rep->ncerts;

	switch (rep->certs) {
	case VERIFY_CERTS_OK:
		return snprintf(buf, len, "%llu certificates, valid", n);
	case VERIFY_CERTS_MISSING:
		return snprintf(buf, len, "missing (keys only from log.key records)");
	case VERIFY_CERTS_MALFORMED:
		return snprintf(buf, len, "malformed at line %llu (%llu certificates before)", line,
				n);
	case VERIFY_CERTS_BAD_SIG:
		return snprintf(buf, len, "signature invalid at line %llu", line);
	case VERIFY_CERTS_UNCERTIFIED:
		return snprintf(buf, len, "key not certified by the chain at line %llu", line);
	}
	return snprintf(buf, len, "unknown");
}

int verify_head_format(const struct verify_report *rep, char *buf, size_t len)
{
	unsigned long long seq = rep->head_last_seq;

	switch (rep->head) {
	case VERIFY_HEAD_OK:
		return snprintf(buf, len, "matches the seal of seq %llu in %s", seq,
				rep->head_segment);
	case VERIFY_HEAD_MISSING:
		return snprintf(buf, len, "missing: the end of the log is not checked");
	case VERIFY_HEAD_MALFORMED:
		return snprintf(buf, len, "malformed");
	case VERIFY_HEAD_UNCHECKED:
		return snprintf(buf, len, "not checked (its seal of seq %llu is in %s)", seq,
				rep->head_segment);
	case VERIFY_HEAD_MISMATCH:
		return snprintf(buf, len, "does not match the log's seal of seq %llu", seq);
	case VERIFY_HEAD_BEYOND:
		return snprintf(buf, len, "the log ends before its seal of seq %llu in %s", seq,
				rep->head_segment);
	case VERIFY_HEAD_BAD_SIG:
		return snprintf(buf, len, "signature invalid (seal of seq %llu)", seq);
	}
	return snprintf(buf, len, "unknown");
}

int verify_segment_failed(const struct verify_segment *s, int strict)
{
	if (s->verdict == VERIFY_VALID)
		return 0;
	if (s->verdict == VERIFY_UNSEALED_TAIL)
		return strict || !s->newest;
	return 1;
}

int verify_passed(const struct verify_report *rep, int strict)
{
	if (!rep->nsegs)
		return 0;
	for (size_t i = 0; i < rep->nsegs; i++)
		if (verify_segment_failed(&rep->segs[i], strict))
			return 0;
	if (rep->certs != VERIFY_CERTS_OK && (strict || rep->certs != VERIFY_CERTS_MISSING))
		return 0;
	switch (rep->head) {
	case VERIFY_HEAD_OK:
	case VERIFY_HEAD_UNCHECKED:
		return 1;
	case VERIFY_HEAD_MISSING:
		return !strict;
	default:
		return 0;
	}
}

void verify_report_free(struct verify_report *rep)
{
	free(rep->segs);
	rep->segs = NULL;
	rep->nsegs = 0;
}
