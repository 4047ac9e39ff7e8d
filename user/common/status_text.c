/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "status_text.h"

/* o.a.b of type t, or NULL */
static json_object *get(json_object *o, const char *a, const char *b, json_type t)
{
	json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, a, &v))
		return NULL;
	if (b && (!json_object_is_type(v, json_type_object) ||
		  !json_object_object_get_ex(v, b, &v)))
		return NULL;
	return v && json_object_is_type(v, t) ? v : NULL;
}

static uint64_t num(json_object *o, const char *a, const char *b)
{
	json_object *v = get(o, a, b, json_type_int);
	int64_t n = v ? json_object_get_int64(v) : 0;

	return n > 0 ? (uint64_t)n : 0;
}

/* Printable ASCII only: the answer may come from a socket anyone could bind. */
static void put_safe(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s >= 0x20 && *s < 0x7f ? *s : '?', out);
}

static void put_str(FILE *out, json_object *o, const char *a, const char *b)
{
	json_object *v = get(o, a, b, json_type_string);

	put_safe(out, v ? json_object_get_string(v) : "-");
}

static size_t arr_len(json_object *a)
{
	return a ? json_object_array_length(a) : 0;
}

static void print_text(FILE *out, json_object *o)
{
	json_object *active = get(o, "hooks", "active", json_type_array);
	json_object *idle = get(o, "hooks", "idle", json_type_array);
	json_object *missing = get(o, "hooks", "missing", json_type_array);
	json_object *drops = get(o, "drops", NULL, json_type_object);
	json_object *writing = get(o, "log", "writing", json_type_boolean);
	json_object *taken = get(o, "pins", "taken_over", json_type_boolean);
	json_object *pindir = get(o, "pins", "dir", json_type_string);

	fputs("cauditd ", out);
	put_str(out, o, "agent_version", NULL);
	fprintf(out, ", pid %" PRIu64 ", up %" PRIu64 " s\n", num(o, "pid", NULL),
		num(o, "uptime_s", NULL));
	fprintf(out, "hooks:        %zu active, %zu idle (no rule names them), %zu missing\n",
		arr_len(active), arr_len(idle), arr_len(missing));
	for (size_t i = 0; i < arr_len(missing); i++) {
		json_object *m = json_object_array_get_idx(missing, i);

		fputs("  missing     ", out);
		put_str(out, m, "name", NULL);
		fputs(": ", out);
		put_str(out, m, "reason", NULL);
		fputc('\n', out);
	}
	fprintf(out, "policy:       generation %" PRIu64 ", hash ", num(o, "policy", "generation"));
	put_str(out, o, "policy", "hash");
	fputs(" (rules ", out);
	put_str(out, o, "policy", "source");
	fputs(")\n", out);
	fprintf(out, "events:       %" PRIu64 "/s, %" PRIu64 " records since start\n",
		num(o, "events", "per_second"), num(o, "events", "records"));
	fputs("drops:       ", out);
	if (drops) {
		json_object_object_foreach(drops, k, v) {
			fputc(' ', out);
			put_safe(out, k);
			fprintf(out, " %" PRId64, json_object_is_type(v, json_type_int)
							  ? json_object_get_int64(v) : 0);
		}
	}
	fputc('\n', out);
	fprintf(out, "ring buffer:  %" PRIu64 "%% full (%" PRIu64 " of %" PRIu64 " bytes)\n",
		num(o, "ring_buffer", "fill_percent"), num(o, "ring_buffer", "pending_bytes"),
		num(o, "ring_buffer", "size"));
	fputs("log:          ", out);
	put_str(out, o, "log", "dir");
	fprintf(out, ", %.1f MiB in %" PRIu64 " segments, last seq %" PRIu64 "%s\n",
		(double)num(o, "log", "bytes") / 1048576.0, num(o, "log", "segments"),
		num(o, "log", "last_seq"),
		writing && !json_object_get_boolean(writing) ? ", NOT WRITING" : "");
	fputs("last seal:    ", out);
	put_str(out, o, "log", "last_seal");
	fprintf(out, "\nepoch key:    epoch %" PRIu64 ", %" PRIu64 " s old\n",
		num(o, "epoch", "number"), num(o, "epoch", "key_age_s"));
	fputs("pins:         ", out);
	put_safe(out, pindir && json_object_get_string_len(pindir) ? json_object_get_string(pindir)
								    : "none");
	fputs(taken && json_object_get_boolean(taken) ? " (taken over from an earlier daemon)\n"
						       : "\n", out);
}

enum status_result status_print(FILE *out, const char *answer, size_t len, int as_json,
				char *msg, size_t msglen)
{
	struct json_tokener *tok;
	json_object *o, *e;
	enum status_result r = STATUS_OK;

	if (msglen)
		msg[0] = 0;
	if (len > STATUS_ANSWER_MAX)
		return STATUS_INVALID;
	tok = json_tokener_new();
	if (!tok)
		return STATUS_INVALID;
	o = json_tokener_parse_ex(tok, answer, (int)len);
	/* one object, then at most whitespace */
	if (!o || !json_object_is_type(o, json_type_object)) {
		r = STATUS_INVALID;
		goto out;
	}
	for (size_t i = tok->char_offset; i < len; i++) {
		if (answer[i] != '\n' && answer[i] != ' ' && answer[i] != '\r' && answer[i] != '\t') {
			r = STATUS_INVALID;
			goto out;
		}
	}
	if ((e = get(o, "error", NULL, json_type_string))) {
		const char *s = json_object_get_string(e);
		size_t i = 0;

		for (; msglen && s[i] && i + 1 < msglen; i++)
			msg[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
		if (msglen)
			msg[i] = 0;
		r = STATUS_DENIED;
		goto out;
	}
	if (!get(o, "version", NULL, json_type_int) || json_object_get_int64(get(o, "version", NULL, json_type_int)) != 1) {
		r = STATUS_INVALID;
		goto out;
	}
	if (as_json)
		fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	else
		print_text(out, o);
out:
	json_object_put(o);
	json_tokener_free(tok);
	return r;
}
