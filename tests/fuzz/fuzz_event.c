/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libFuzzer target for the record path of the agent: ring buffer bytes ->
 * event_decode() -> encode_event() -> one JSON line. The input is decoded as
 * it is; then a repaired copy (size, type and slot lengths forced into range,
 * everything else as given) is decoded too, so that the encoder sees every
 * header the fuzzer can invent. Each accepted record is encoded with a fixed
 * host and context, with no process or a fake one, and the output must parse
 * with json-c as exactly one object on one line. Any mismatch aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "encode.h"
#include "event_decode.h"
#include "syscall_table.h"

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* The Makefile builds with recoverable UBSan checks: make every report a crash. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

static const struct enc_host host = {
	.name = "fuzz-host",
	.machine_id = "00112233445566778899aabbccddeeff",
	.boot_id = "0f0e0d0c-0b0a-0908-0706-050403020100",
};

static const char *user_name(void *opaque, uint32_t uid)
{
	(void)opaque;
	if (uid == 0)
		return "root";
	if (uid % 3 == 1)
		return "us\"er\n\xff"; /* hostile names from the passwd database */
	return NULL;
}

static const struct enc_ctx ctx_names = {
	.host = &host,
	.boot_to_real_ns = 1763900000LL * 1000000000LL,
	.user_name = user_name,
	.opaque = NULL,
};

static const struct enc_ctx ctx_plain = {
	.host = &host,
	.boot_to_real_ns = -5000000000LL,
};

static const struct enc_proc fake_proc = {
	.exe = "/usr/bin/fake\xff",
	.exe_len = 14,
	.args = "fake\0-v\0\xc3(\0",
	.args_len = 12,
	.args_truncated = 1,
	.cwd = "/home/\"x\"",
	.cwd_len = 9,
};

static struct json_tokener *tok;
static struct jsonw jw;

/* Strict, complete, one object, no byte below 0x20 anywhere. */
static void check_output(const struct jsonw *w)
{
	struct json_object *root, *v;

	CHECK(w->err == 0);
	CHECK(w->depth == 0);
	CHECK(w->len > 0 && w->buf[0] == '{' && w->buf[w->len - 1] == '}');
	for (size_t i = 0; i < w->len; i++)
		CHECK((uint8_t)w->buf[i] >= 0x20);
	json_tokener_reset(tok);
	root = json_tokener_parse_ex(tok, w->buf, (int)w->len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		fprintf(stderr, "json-c: %s\n%.*s\n",
			json_tokener_error_desc(json_tokener_get_error(tok)), (int)w->len, w->buf);
		abort();
	}
	CHECK(root);
	CHECK(json_tokener_get_parse_end(tok) == w->len);
	CHECK(json_object_is_type(root, json_type_object));
	CHECK(json_object_object_get_ex(root, "event", &v));
	CHECK(json_object_is_type(v, json_type_string));
	CHECK(json_object_object_get_ex(root, "proc", &v));
	CHECK(json_object_is_type(v, json_type_object));
	json_object_put(root);
}

static void encode_one(const struct ca_decoded *d, unsigned variant)
{
	const struct enc_ctx *c = variant & 1 ? &ctx_names : &ctx_plain;
	const struct enc_proc *p = variant & 2 ? &fake_proc : NULL;
	uint16_t type = d->ev->type;
	int r;

	r = encode_event(&jw, c, d->ev->boot_ns ^ d->ev->task.pid, d, p);
	if (type == CA_EV_TASK_SNAPSHOT ||
	    (type == CA_EV_SYSCALL && !syscall_table_by_nr(d->ev->syscall_nr))) {
		CHECK(r == -EBADMSG);
		return;
	}
	CHECK(r == 0);
	check_output(&jw);
}

static void decode_and_encode(const uint8_t *buf, size_t size, unsigned variant)
{
	struct ca_decoded d;
	int r = event_decode(buf, size, &d);
	size_t off = sizeof(struct ca_event);

	if (r < 0) {
		CHECK(r == -EBADMSG);
		return;
	}
	/* what the decoder promises */
	CHECK((size_t)r >= sizeof(struct ca_event) && (size_t)r <= size &&
	      (size_t)r <= CA_EVENT_MAX);
	CHECK(d.ev == (const void *)buf);
	CHECK(d.ev->type > CA_EV_NONE && d.ev->type < CA_EV__MAX);
	for (int i = 0; i < CA_S__COUNT; i++) {
		CHECK(d.len[i] == d.ev->str_len[i]);
		CHECK(!d.str[i] == !d.len[i]);
		if (d.str[i])
			CHECK(d.str[i] == (const char *)buf + off);
		off += d.len[i];
	}
	CHECK(off <= (size_t)r);
	encode_one(&d, variant);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ca_event *ev;
	uint8_t *buf;
	size_t len, room;
	unsigned variant;

	if (size > 2 * CA_EVENT_MAX)
		return 0;
	if (!tok) {
		tok = json_tokener_new();
		CHECK(tok);
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
		jw_init(&jw, 0);
	}
	variant = size ? data[size - 1] : 0;

	/* the bytes exactly as given, in a buffer of exactly their size */
	buf = malloc(size ? size : 1);
	CHECK(buf);
	if (size)
		memcpy(buf, data, size);
	decode_and_encode(buf, size, variant);
	free(buf);

	/* repaired: a header (zero-filled if short), then the bytes as slots */
	len = size < sizeof(*ev) ? sizeof(*ev) : size;
	if (len > CA_EVENT_MAX)
		len = CA_EVENT_MAX;
	buf = calloc(1, len);
	CHECK(buf);
	memcpy(buf, data, size < len ? size : len);
	ev = (struct ca_event *)buf;
	ev->size = (uint32_t)len;
	ev->type = (uint16_t)(CA_EV_PROC_EXEC + ev->type % (CA_EV__MAX - CA_EV_PROC_EXEC));
	if (ev->type == CA_EV_SYSCALL && !(variant & 4))
		ev->syscall_nr = (uint32_t)syscall_table_at(ev->syscall_nr %
							    syscall_table_count())->nr;
	room = len - sizeof(*ev);
	for (int i = 0; i < CA_S__COUNT; i++) {
		if (ev->str_len[i] > room)
			ev->str_len[i] = (uint16_t)room;
		room -= ev->str_len[i];
	}
	decode_and_encode(buf, len, variant);
	CHECK(event_decode(buf, len, &(struct ca_decoded){ 0 }) == (int)len);
	free(buf);
	return 0;
}
