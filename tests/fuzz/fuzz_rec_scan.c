/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libFuzzer target for the record scanner (rec_scan.c), the filters that
 * read its output (search_filter.c) and the index builder (seg_index.c).
 * The line lives in a buffer of exactly its size. Checks: every string the
 * scanner returns lies inside the line or its arena; a line it accepts is
 * one json-c (strict) accepts as an object too; and the index built from the
 * line must say "may match" for a filter the record matches (an index may
 * never hide a record).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "rec_scan.h"
#include "search_filter.h"
#include "seg_index.h"

static void inside(const struct rs_str *s, const char *line, size_t len,
		   const struct rec_scanner *sc)
{
	if (!s->p)
		return;
	if (s->p >= line && s->p + s->n <= line + len)
		return;
	if (s->p >= sc->arena && s->p + s->n <= sc->arena + sc->used)
		return;
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rec_scanner sc;
	struct rec_view v;
	char *line = malloc(size ? size : 1);
	int r;

	memcpy(line, data, size);
	r = rs_scan(&sc, line, size, &v);
	if (r == 0) {
		struct sf_filter f;
		int64_t t = 0;

		for (int i = 0; i < RS__NSTR; i++)
			inside(&v.s[i], line, size, &sc);
		for (unsigned i = 0; i < v.nkeys; i++)
			inside(&v.keys[i], line, size, &sc);
		if (v.s[RS_TIME].p)
			rs_time_ns(v.s[RS_TIME].p, v.s[RS_TIME].n, &t);
		/* a filter built from the record's own values matches it ... */
		sf_init(&f);
		if (v.s[RS_EVENT].p && v.s[RS_EVENT].n < 60 &&
		    !memchr(v.s[RS_EVENT].p, 0, v.s[RS_EVENT].n) &&
		    !strpbrk(strndupa(v.s[RS_EVENT].p, v.s[RS_EVENT].n), "*?[\\"))
			f.event = strndupa(v.s[RS_EVENT].p, v.s[RS_EVENT].n);
		if (v.n[RS_PID].set && v.n[RS_PID].v >= 0)
			f.pid = v.n[RS_PID].v;
		if (v.n[RS_UID].set && v.n[RS_UID].v >= 0)
			f.user_uid = v.n[RS_UID].v;
		if (sf_match(&f, &v, t)) {
			/* ... so the index of a segment holding it must not rule it out */
			struct six_builder b;
			struct store_seal z = {0};
			static const uint8_t key[CRYPTO_SECRET_LEN], root[CRYPTO_PUB_LEN];
			struct seg_index ix;
			uint8_t *buf;
			size_t len;

			six_init(&b);
			six_add_view(&b, &v, 1, t);
			z.last_seq = 0;
			if (six_write(&b, "seg-00000000000000000001.jsonl.gz", &z, root, key, &buf,
				      &len) == 0) {
				if (six_parse(buf, len, &ix) || !six_may_match(&ix, &f))
					abort();
				free(buf);
			}
			six_free(&b);
		}
		sf_free(&f);
	}
	if (r == 0 && !memchr(line, 0, size)) {
		/*
		 * Never more lenient than a real JSON parser: a line we read must be
		 * one json-c reads too, or two readers could disagree on a record.
		 */
		json_tokener *tok = json_tokener_new_ex(RS_MAX_DEPTH + 1);
		json_object *o;

		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		o = json_tokener_parse_ex(tok, line, (int)size);
		if (!o || json_tokener_get_error(tok) != json_tokener_success ||
		    !json_object_is_type(o, json_type_object))
			abort();
		json_object_put(o);
		json_tokener_free(tok);
	}
	free(line);
	return 0;
}
