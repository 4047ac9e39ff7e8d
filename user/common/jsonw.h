/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * jsonw: a bounded JSON writer that always produces one valid UTF-8 JSON
 * value, whatever bytes it is given. Pure module: no I/O.
 *
 * Strings: valid UTF-8 is copied with JSON escapes (", \, control
 * characters as \n \t \r \b \f or \u00XX, DEL as \u007f, U+2028/U+2029 as
 * \u2028/\u2029). Invalid UTF-8 (bad lead/continuation bytes, overlongs,
 * surrogates, > U+10FFFF, truncated sequences) is replaced byte by byte with
 * U+FFFD, and the writer reports it so the caller can keep the exact bytes
 * (see jw_string). Nothing in a string can end the line or forge a field.
 *
 * Errors are sticky: once the buffer limit is reached or memory runs out,
 * w->err is set (-ENOSPC / -ENOMEM) and further calls do nothing.
 */
#ifndef CAUDIT_JSONW_H
#define CAUDIT_JSONW_H

#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 16

struct jsonw {
	char *buf;
	size_t len;
	size_t cap;
	size_t limit;          /* maximum len; 0 = 16 MiB */
	int err;               /* 0 or negative errno, sticky */
	int depth;
	uint8_t need_comma[JW_MAX_DEPTH + 1];
};

/* Initialise an empty writer whose output never exceeds limit bytes. */
void jw_init(struct jsonw *w, size_t limit);
/* Free the buffer; safe on a zeroed or already freed writer. */
void jw_free(struct jsonw *w);
/* Empty the output (keeps the allocation), clears err and depth. */
void jw_reset(struct jsonw *w);

/*
 * Members: key is the member name inside an object, NULL inside an array or
 * at top level. Keys are written escaped like strings.
 */
void jw_object_begin(struct jsonw *w, const char *key);
void jw_object_end(struct jsonw *w);
void jw_array_begin(struct jsonw *w, const char *key);
void jw_array_end(struct jsonw *w);
void jw_uint(struct jsonw *w, const char *key, uint64_t v);
void jw_int(struct jsonw *w, const char *key, int64_t v);
void jw_bool(struct jsonw *w, const char *key, int v);
void jw_null(struct jsonw *w, const char *key);
/* "0x%016llx"-style string, for capability sets and ids */
void jw_hex64(struct jsonw *w, const char *key, uint64_t v);

/*
 * String of n bytes (may contain NULs and anything else). Returns 1 when the
 * bytes were not valid UTF-8 (so the value was lossy), 0 otherwise. When lossy
 * and key != NULL, a sibling member "<key>_hex" with the exact bytes in
 * lowercase hex is written right after it.
 */
int jw_string(struct jsonw *w, const char *key, const char *s, size_t n);
/* jw_string of a NUL-terminated string; NULL writes null. */
int jw_cstring(struct jsonw *w, const char *key, const char *s);
/* Lowercase hex of n bytes as a JSON string. */
void jw_hex_bytes(struct jsonw *w, const char *key, const void *p, size_t n);
/* Append already-valid JSON text as a member value (caller guarantees it). */
void jw_raw(struct jsonw *w, const char *key, const char *json, size_t n);

/* 1 when s[0..n) is valid UTF-8 (RFC 3629), 0 otherwise. */
int utf8_valid(const char *s, size_t n);

#endif
