/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The verifier's reading of store records (docs/log-format.md "Store
 * records"): strict JSON of one line, checked numbers, RFC 3339 times.
 */
#include <errno.h>
#include <string.h>

#include "verify_priv.h"

json_object *verify_json_parse(struct verify_ctx *c, const char *s, size_t len)
{
	json_object *o;

	if (len > (size_t)INT32_MAX || memchr(s, 0, len))
		return NULL;
	if (!c->tok) {
		c->tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
		if (!c->tok)
			return NULL;
		json_tokener_set_flags(c->tok, JSON_TOKENER_STRICT);
	}
	json_tokener_reset(c->tok);
	o = json_tokener_parse_ex(c->tok, s, (int)len);
	if (o && (json_tokener_get_error(c->tok) != json_tokener_success ||
		  json_tokener_get_parse_end(c->tok) != len ||
		  !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

static int digits(const char *s, int n, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), y >= 1970. */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	unsigned era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (uint64_t)era * 146097 + doe - 719468;
}

static unsigned month_days(unsigned y, unsigned m)
{
	static const unsigned char md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" exactly (as encode_time writes it), 1970..2554. */
int verify_parse_time(const char *s, size_t len, uint64_t *ns)
{
	unsigned y, mo, d, h, mi, sec, frac;
	uint64_t days, t;

	if (len != 30 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != '.' || s[29] != 'Z')
		return -EINVAL;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec) ||
	    digits(s + 20, 9, &frac))
		return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 ||
	    sec > 59)
		return -EINVAL;
	days = days_from_civil(y, mo, d);
	t = ((days * 24 + h) * 60 + mi) * 60 + sec;
	if (t > (UINT64_MAX - frac) / 1000000000ull)
		return -EINVAL;
	*ns = t * 1000000000ull + frac;
	return 0;
}

int verify_get_u64(json_object *o, const char *key, uint64_t *v)
{
	return store_json_u64(o, key, v);
}

int verify_get_hex(json_object *o, const char *key, uint8_t *out, size_t n)
{
	return store_json_hex(o, key, out, n);
}

/* A segment name member: must parse as a segment name. */
int verify_get_name(json_object *o, const char *key, char out[STORE_SEG_NAME_LEN])
{
	json_object *m;
	uint64_t seq;
	const char *s;
	int enc;

	if (!json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_string))
		return -EINVAL;
	s = json_object_get_string(m);
	if ((size_t)json_object_get_string_len(m) >= STORE_SEG_NAME_LEN ||
	    store_segment_parse_any(s, &seq, &enc))
		return -EINVAL;
	strcpy(out, s);
	return 0;
}

static const char *get_string(json_object *o, const char *key, size_t *len)
{
	json_object *m;

	if (!json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_string))
		return NULL;
	if (len)
		*len = (size_t)json_object_get_string_len(m);
	return json_object_get_string(m);
}

const char *verify_event(json_object *o)
{
	return get_string(o, "event", NULL);
}

int verify_read_common(json_object *o, uint64_t *time_ns)
{
	const char *s;
	size_t n;
	uint64_t v;

	if (verify_get_u64(o, "schema", &v) || v != 1 || verify_get_u64(o, "seq", &v))
		return -EINVAL;
	s = get_string(o, "category", NULL);
	if (!s || strcmp(s, "log"))
		return -EINVAL;
	s = get_string(o, "time", &n);
	if (!s || verify_parse_time(s, n, time_ns))
		return -EINVAL;
	return 0;
}

static json_object *member_object(json_object *o, const char *key)
{
	json_object *m;

	if (!json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_object))
		return NULL;
	return m;
}

int verify_read_header(json_object *o, uint64_t seq, struct verify_header *h)
{
	json_object *s = member_object(o, "segment"), *m;

	memset(h, 0, sizeof(*h));
	h->seq = seq;
	if (!s || verify_get_name(s, "name", h->name) || verify_get_u64(s, "index", &h->index) ||
	    verify_get_u64(s, "prev_last_seq", &h->prev_last_seq) ||
	    verify_get_hex(s, "prev_head", h->prev_head, sizeof(h->prev_head)) ||
	    verify_get_hex(s, "root", h->root, sizeof(h->root)) ||
	    verify_get_u64(s, "epoch", &h->epoch))
		return -EINVAL;
	if (!json_object_object_get_ex(s, "prev", &m))
		return -EINVAL;
	if (m) {
		if (verify_get_name(s, "prev", h->prev))
			return -EINVAL;
		h->has_prev = 1;
	}
	/* the header continues the seq of what it links to */
	if (h->prev_last_seq == UINT64_MAX || seq != h->prev_last_seq + 1)
		return -EINVAL;
	return 0;
}

int verify_read_retention(json_object *o, struct verify_retention *r)
{
	json_object *s = member_object(o, "retention"), *a;
	size_t i, n;

	memset(r, 0, sizeof(*r));
	if (!s || verify_get_u64(s, "last_seq", &r->last_seq))
		return -EINVAL;
	/* optional: the head where the removed segments ended */
	if (json_object_object_get_ex(s, "last_head", &a)) {
		if (verify_get_hex(s, "last_head", r->last_head, sizeof(r->last_head)))
			return -EINVAL;
		r->has_head = 1;
	}
	if (!json_object_object_get_ex(s, "removed", &a) ||
	    !json_object_is_type(a, json_type_array))
		return -EINVAL;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		const char *name;
		uint64_t seq;

		if (!json_object_is_type(e, json_type_string))
			return -EINVAL;
		name = json_object_get_string(e);
		/* names of other kinds of segment are not this verifier's business */
		if (store_segment_parse(name, &seq))
			continue;
		if (strcmp(name, r->last_removed) > 0)
			strcpy(r->last_removed, name);
	}
	return 0;
}

int verify_check_restart(json_object *o)
{
	json_object *s = member_object(o, "restart"), *m;
	uint64_t v;

	if (!s || !json_object_object_get_ex(s, "clean", &m) ||
	    !json_object_is_type(m, json_type_boolean) || verify_get_u64(s, "recovered", &v) ||
	    verify_get_u64(s, "previous_last_seq", &v))
		return -EINVAL;
	return 0;
}

int verify_check_gap(json_object *o)
{
	json_object *s = member_object(o, "gap");
	uint64_t v;

	if (!s || verify_get_u64(s, "lost", &v) || !get_string(s, "reason", NULL) ||
	    !get_string(s, "from", NULL) || !get_string(s, "to", NULL))
		return -EINVAL;
	return 0;
}
