// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* fwd_proto.h: subjects, message ids, headers and the checkpoint, checked. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fwd_proto.h"

int fwd_host_valid(const char *h)
{
	size_t n = strnlen(h, FWD_HOST_MAX);

	if (n == 0 || n >= FWD_HOST_MAX || h[0] == '.' || strstr(h, ".."))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = h[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static void token(char *out, const char *host)
{
	for (; *host; host++)
		*out++ = *host == '.' ? '~' : *host;
	*out = 0;
}

int fwd_subject(char out[FWD_SUBJECT_MAX], const char *host)
{
	if (!fwd_host_valid(host))
		return -EINVAL;
	strcpy(out, FWD_SUBJECT_PREFIX);
	token(out + sizeof(FWD_SUBJECT_PREFIX) - 1, host);
	return 0;
}

int fwd_durable(char out[FWD_SUBJECT_MAX], const char *host)
{
	if (!fwd_host_valid(host))
		return -EINVAL;
	strcpy(out, "caudit-");
	token(out + 7, host);
	return 0;
}

int fwd_subject_host(const char *subject, char out[FWD_HOST_MAX])
{
	const char *t;
	size_t n, i;

	if (strncmp(subject, FWD_SUBJECT_PREFIX, sizeof(FWD_SUBJECT_PREFIX) - 1))
		return -EINVAL;
	t = subject + sizeof(FWD_SUBJECT_PREFIX) - 1;
	n = strnlen(t, FWD_HOST_MAX);
	if (n == 0 || n >= FWD_HOST_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (t[i] == '.')
			return -EINVAL;
		out[i] = t[i] == '~' ? '.' : t[i];
	}
	out[n] = 0;
	return fwd_host_valid(out) ? 0 : -EINVAL;
}

void fwd_msgid(char out[FWD_MSGID_MAX], const char *host, const struct fwd_msg *m)
{
	uint64_t segseq = 0;

	if (m->kind == FWD_CERT) {
		snprintf(out, FWD_MSGID_MAX, "%s:c:%llu", host, (unsigned long long)m->index);
		return;
	}
	store_segment_parse(m->segment, &segseq);
	snprintf(out, FWD_MSGID_MAX, "%s:b:%llu:%llu", host, (unsigned long long)segseq,
		 (unsigned long long)m->last);
}

int fwd_parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!s || !*s || strlen(s) > 20)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

int fwd_msg_parse(struct fwd_msg *m, const char *kind, const char *index, const char *segment,
		  const char *first, const char *last)
{
	struct fwd_msg t;
	uint64_t segseq;

	memset(&t, 0, sizeof(t));
	if (!kind)
		return -EINVAL;
	if (!strcmp(kind, "cert")) {
		t.kind = FWD_CERT;
		if (fwd_parse_u64(index, &t.index))
			return -EINVAL;
	} else if (!strcmp(kind, "block")) {
		t.kind = FWD_BLOCK;
		if (!segment || strnlen(segment, STORE_SEG_NAME_LEN) >= STORE_SEG_NAME_LEN ||
		    store_segment_parse(segment, &segseq) || fwd_parse_u64(first, &t.first) ||
		    fwd_parse_u64(last, &t.last) || t.first > t.last || t.first < segseq)
			return -EINVAL;
		strcpy(t.segment, segment);
	} else {
		return -EINVAL;
	}
	*m = t;
	return 0;
}

int fwd_state_format(char *buf, size_t len, const struct fwd_state *st)
{
	return snprintf(buf, len, "certs %llu\nsegment %s\noffset %llu\nlast_seq %llu\n",
			(unsigned long long)st->certs, st->segment[0] ? st->segment : "-",
			(unsigned long long)st->offset, (unsigned long long)st->last_seq);
}

int fwd_state_parse(const char *buf, size_t len, struct fwd_state *out)
{
	char tmp[FWD_STATE_MAX + 1], *save = NULL, *line;
	struct fwd_state st;
	unsigned seen = 0;

	if (len > FWD_STATE_MAX)
		return -EINVAL;
	memcpy(tmp, buf, len);
	tmp[len] = 0;
	if (strlen(tmp) != len)
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	for (line = strtok_r(tmp, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, ' ');
		uint64_t seq;

		if (!v)
			return -EINVAL;
		*v++ = 0;
		if (!strcmp(line, "certs") && !fwd_parse_u64(v, &st.certs)) {
			seen |= 1;
		} else if (!strcmp(line, "segment")) {
			if (!strcmp(v, "-"))
				st.segment[0] = 0;
			else if (strlen(v) < STORE_SEG_NAME_LEN && !store_segment_parse(v, &seq))
				strcpy(st.segment, v);
			else
				return -EINVAL;
			seen |= 2;
		} else if (!strcmp(line, "offset") && !fwd_parse_u64(v, &st.offset)) {
			seen |= 4;
		} else if (!strcmp(line, "last_seq") && !fwd_parse_u64(v, &st.last_seq)) {
			seen |= 8;
		} else {
			return -EINVAL;
		}
	}
	if (seen != 15)
		return -EINVAL;
	*out = st;
	return 0;
}
