// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for the forwarding protocol (user/common/fwd_proto.c) and the
 * block scanner (user/common/block_scan.c): host names and subjects,
 * message ids, header checks, the checkpoint, gzip members cut from a
 * growing segment.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "block_scan.h"
#include "fwd_proto.h"

/* A string literal and its length, embedded NULs included. */
#define S(lit) lit, sizeof(lit) - 1

static void host_names(void **state)
{
	char s[FWD_SUBJECT_MAX], h[FWD_HOST_MAX];

	(void)state;
	assert_true(fwd_host_valid("web1"));
	assert_true(fwd_host_valid("db.prod.example"));
	assert_true(fwd_host_valid("a-b_c"));
	assert_false(fwd_host_valid(""));
	assert_false(fwd_host_valid(".x"));
	assert_false(fwd_host_valid("a..b"));
	assert_false(fwd_host_valid("a b"));
	assert_false(fwd_host_valid("a*"));
	assert_false(fwd_host_valid("a>"));
	assert_false(fwd_host_valid("=unknown"));
	assert_false(
	    fwd_host_valid("0123456789012345678901234567890123456789012345678901234567890123"));
	assert_int_equal(fwd_subject(s, "db.prod"), 0);
	assert_string_equal(s, "caudit.log.db~prod");
	assert_int_equal(fwd_subject_host(s, h), 0);
	assert_string_equal(h, "db.prod");
	assert_int_equal(fwd_durable(s, "db.prod"), 0);
	assert_string_equal(s, "caudit-db~prod");
	assert_int_equal(fwd_subject(s, "a b"), -EINVAL);
	/* another prefix, a deeper subject, an empty token */
	assert_int_equal(fwd_subject_host("caudit.key.web1", h), -EINVAL);
	assert_int_equal(fwd_subject_host("caudit.log.web1.x", h), -EINVAL);
	assert_int_equal(fwd_subject_host("caudit.log.", h), -EINVAL);
}

static void messages(void **state)
{
	struct fwd_msg m;
	char id[FWD_MSGID_MAX];

	(void)state;
	assert_int_equal(
	    fwd_msg_parse(&m, "block", NULL, "seg-00000000000000000201.jsonl.gz", "201", "402"), 0);
	assert_int_equal(m.kind, FWD_BLOCK);
	assert_int_equal(m.first, 201);
	assert_int_equal(m.last, 402);
	fwd_msgid(id, "web1", &m);
	assert_string_equal(id, "web1:b:201:402");
	assert_int_equal(fwd_msg_parse(&m, "cert", "3", NULL, NULL, NULL), 0);
	fwd_msgid(id, "web1", &m);
	assert_string_equal(id, "web1:c:3");
	/* refused: unknown kind, missing or bad numbers, first after last, before the segment */
	assert_int_equal(fwd_msg_parse(&m, "blob", "1", NULL, NULL, NULL), -EINVAL);
	assert_int_equal(fwd_msg_parse(&m, NULL, "1", NULL, NULL, NULL), -EINVAL);
	assert_int_equal(fwd_msg_parse(&m, "cert", "-1", NULL, NULL, NULL), -EINVAL);
	assert_int_equal(fwd_msg_parse(&m, "cert", "18446744073709551616", NULL, NULL, NULL),
			 -EINVAL);
	assert_int_equal(fwd_msg_parse(&m, "block", NULL, "seg-1.jsonl.gz", "1", "2"), -EINVAL);
	assert_int_equal(
	    fwd_msg_parse(&m, "block", NULL, "seg-00000000000000000001.jsonl.gz", "5", "4"),
	    -EINVAL);
	assert_int_equal(
	    fwd_msg_parse(&m, "block", NULL, "seg-00000000000000000010.jsonl.gz", "5", "40"),
	    -EINVAL);
	assert_int_equal(
	    fwd_msg_parse(&m, "block", NULL, "seg-00000000000000000001.jsonl.gz", "1", "2x"),
	    -EINVAL);
}

static void checkpoint(void **state)
{
	struct fwd_state a = {.certs = 2, .offset = 12345, .last_seq = 999}, b;
	char buf[FWD_STATE_MAX];
	int n;

	(void)state;
	strcpy(a.segment, "seg-00000000000000000001.jsonl.gz");
	n = fwd_state_format(buf, sizeof(buf), &a);
	assert_int_equal(fwd_state_parse(buf, (size_t)n, &b), 0);
	assert_int_equal(b.certs, 2);
	assert_int_equal(b.offset, 12345);
	assert_int_equal(b.last_seq, 999);
	assert_string_equal(b.segment, a.segment);
	assert_int_equal(fwd_state_parse(S("certs 1\nsegment -\noffset 0\nlast_seq 0\n"), &b), 0);
	assert_string_equal(b.segment, "");
	/* a missing key, an unknown key, a bad name, an embedded NUL */
	assert_int_equal(fwd_state_parse(S("certs 1\nsegment -\noffset 0\n"), &b), -EINVAL);
	assert_int_equal(fwd_state_parse(S("certs 1\nsegment -\noffset 0\nlast_seq 0\nx 1\n"), &b),
			 -EINVAL);
	assert_int_equal(fwd_state_parse(S("certs 1\nsegment seg-x\noffset 0\nlast_seq 0\n"), &b),
			 -EINVAL);
	assert_int_equal(fwd_state_parse(S("certs 1\0segment -\noffset 0\nlast_seq 0\n"), &b),
			 -EINVAL);
}

static size_t gz(const char *text, uint8_t *out, size_t cap)
{
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (uint8_t *)(uintptr_t)text;
	zs.avail_in = (unsigned)strlen(text);
	zs.next_out = out;
	zs.avail_out = (unsigned)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return zs.total_out;
}

static void blocks(void **state)
{
	static const char b1[] = "{\"schema\":1,\"seq\":7,\"prev\":\"0011223344556677\",\"x\":1}\n"
				 "{\"schema\":1,\"seq\":8,\"prev\":\"0011223344556677\","
				 "\"event\":\"log.seal\"}\n";
	static const char b2[] = "{\"schema\":1,\"seq\":9,\"prev\":\"0011223344556677\"}\n";
	uint8_t buf[4096];
	struct block_info bi;
	size_t n1, n2;

	(void)state;
	n1 = gz(b1, buf, sizeof(buf));
	n2 = gz(b2, buf + n1, sizeof(buf) - n1);
	assert_int_equal(block_scan(buf, n1 + n2, 1 << 20, &bi), 1);
	assert_int_equal(bi.len, n1);
	assert_int_equal(bi.records, 2);
	assert_int_equal(bi.first_seq, 7);
	assert_int_equal(bi.last_seq, 8);
	assert_true(bi.sealed);
	assert_int_equal(block_scan(buf + n1, n2, 1 << 20, &bi), 1);
	assert_int_equal(bi.len, n2);
	assert_int_equal(bi.first_seq, 9);
	assert_false(bi.sealed);
	/* a member still being written, and bytes that are not gzip */
	assert_int_equal(block_scan(buf, n1 - 5, 1 << 20, &bi), 0);
	assert_int_equal(block_scan((const uint8_t *)"not gzip at all", 15, 1 << 20, &bi),
			 -EBADMSG);
	/* more decompressed bytes than allowed */
	assert_int_equal(block_scan(buf, n1, 10, &bi), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(host_names),
	    cmocka_unit_test(messages),
	    cmocka_unit_test(checkpoint),
	    cmocka_unit_test(blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
