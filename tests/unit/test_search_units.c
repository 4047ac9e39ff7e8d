/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Unit tests of the pure search modules: command-line times in chosen time
 * zones (search_time.c), CIDR parsing and matching (search_filter.c), the
 * record scanner's unescaping and refusals (rec_scan.c), and the segment
 * index: a round trip, the signature binding, and what it may rule out
 * (seg_index.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "crypto.h"
#include "rec_scan.h"
#include "search_filter.h"
#include "search_time.h"
#include "seg_index.h"

#define NS 1000000000ll
/* 2026-03-08T12:00:00Z: the day the US moves to daylight saving time */
#define NOW (1772971200ll * NS)

static int64_t parse(const char *tz, const char *s)
{
	int64_t ns = 0;

	setenv("TZ", tz, 1);
	tzset();
	assert_int_equal(st_parse(s, NOW, &ns), 0);
	return ns;
}

static void test_times(void **state)
{
	int64_t ns;

	assert_int_equal(parse("UTC", "2026-03-08T12:00:00Z"), NOW);
	assert_int_equal(parse("UTC", "2026-03-08T13:30:00+01:30"), NOW);
	assert_int_equal(parse("UTC", "2026-03-08T12:00:00.5Z"), NOW + NS / 2);
	assert_int_equal(parse("UTC", "2h"), NOW - 2 * 3600 * NS);
	assert_int_equal(parse("UTC", "10m"), NOW - 600 * NS);
	assert_int_equal(parse("UTC", "3d"), NOW - 3 * 86400 * NS);
	assert_int_equal(parse("UTC", "1w"), NOW - 7 * 86400 * NS);
	assert_int_equal(parse("UTC", "now"), NOW);
	assert_int_equal(parse("UTC", "today"), NOW - 12 * 3600 * NS);
	assert_int_equal(parse("UTC", "yesterday"), NOW - 36 * 3600 * NS);
	/* New York: 07:00 EST at NOW's 12:00Z (the switch is at 02:00 local that day) */
	assert_int_equal(parse("America/New_York", "today"), NOW - 7 * 3600 * NS);
	/* yesterday's midnight is 24 h before today's (no switch in between) */
	assert_int_equal(parse("America/New_York", "yesterday"), NOW - 31 * 3600 * NS);
	/* local times on both sides of the switch */
	assert_int_equal(parse("America/New_York", "2026-03-08 01:00"), NOW - 6 * 3600 * NS);
	assert_int_equal(parse("America/New_York", "2026-03-08 04:00"), NOW - 4 * 3600 * NS);
	assert_int_equal(parse("Asia/Kolkata", "2026-03-08"),
			 NOW - 12 * 3600 * NS - 5 * 3600 * NS - 1800 * NS);
	setenv("TZ", "UTC", 1);
	tzset();
	static const char *bad[] = {"",
				    "x",
				    "2h30",
				    "-1h",
				    "10q",
				    "2026-13-01",
				    "2026-03-08T25:00Z",
				    "2026-03-08T12:00:00+1",
				    "2026-3-8",
				    "99999999999999999999d"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (st_parse(bad[i], NOW, &ns) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
}

static int cidr_match(const char *cidr, const char *ip)
{
	struct sf_cidr c;
	struct rs_str s = {ip, (uint32_t)strlen(ip)};

	assert_int_equal(sf_parse_cidr(cidr, &c), 0);
	return sf_cidr_match(&c, s);
}

static void test_cidr(void **state)
{
	struct sf_cidr c;

	assert_true(cidr_match("10.0.0.0/8", "10.200.1.2"));
	assert_false(cidr_match("10.0.0.0/8", "11.0.0.1"));
	assert_true(cidr_match("192.168.1.128/25", "192.168.1.200"));
	assert_false(cidr_match("192.168.1.128/25", "192.168.1.100"));
	assert_true(cidr_match("1.2.3.4", "1.2.3.4"));
	assert_false(cidr_match("1.2.3.4", "1.2.3.5"));
	assert_true(cidr_match("0.0.0.0/0", "8.8.8.8"));
	assert_true(cidr_match("2001:db8::/32", "2001:db8:1::5"));
	assert_false(cidr_match("2001:db8::/32", "2001:db9::5"));
	assert_true(cidr_match("10.0.0.0/8", "::ffff:10.1.1.1")); /* IPv4-mapped */
	assert_false(cidr_match("10.0.0.0/8", "not an ip"));
	assert_int_equal(sf_parse_cidr("10.0.0.0/33", &c), -EINVAL);
	assert_int_equal(sf_parse_cidr("10.0.0/8", &c), -EINVAL);
	assert_int_equal(sf_parse_cidr("::1/129", &c), -EINVAL);
	assert_int_equal(sf_parse_cidr("1.2.3.4/", &c), -EINVAL);
}

static void test_scanner(void **state)
{
	static const char line[] =
	    "{\"schema\":1,\"seq\":7,\"time\":\"2026-03-08T12:00:00Z\",\"event\":\"file.open\","
	    "\"args\":[\"a\",{\"x\":[1,2,{\"y\":null}]},true,false,-1.5e3],"
	    "\"proc\":{\"pid\":42,\"comm\":\"a\\\"b\\u00e9\\ud83d\\ude00\"},"
	    "\"file\":{\"path\":\"/etc/\\/x\"},\"keys\":[\"k1\",\"k2\"],"
	    "\"net\":{\"dst\":{\"ip\":\"10.0.0.1\",\"port\":443}},\"user\":{\"uid\":"
	    "18446744073709551615}}";
	struct rec_scanner sc;
	struct rec_view v;
	int64_t t;

	rs_init(&sc);
	assert_int_equal(rs_scan(&sc, line, strlen(line), &v), 0);
	assert_true(v.n[RS_SEQ].set && v.n[RS_SEQ].v == 7);
	assert_true(rs_eq(v.s[RS_EVENT], "file.open"));
	assert_true(v.n[RS_PID].v == 42);
	assert_true(rs_eq(v.s[RS_COMM], "a\"b\xc3\xa9\xf0\x9f\x98\x80"));
	assert_true(rs_eq(v.s[RS_PATH], "/etc//x"));
	assert_int_equal(v.nkeys, 2);
	assert_true(rs_eq(v.keys[1], "k2"));
	assert_true(rs_eq(v.s[RS_DST_IP], "10.0.0.1") && v.n[RS_DST_PORT].v == 443);
	assert_false(v.n[RS_UID].set); /* beyond int64: no value */
	assert_int_equal(rs_time_ns(v.s[RS_TIME].p, v.s[RS_TIME].n, &t), 0);
	assert_int_equal(t, NOW);
	static const char *bad[] = {"",
				    "[]",
				    "{",
				    "{\"a\":}",
				    "{\"a\":1,}",
				    "{\"a\":01}",
				    "{\"a\":\"\\x\"}",
				    "{\"proc\":{\"comm\":\"\\udc00\"}}",
				    "{\"a\":1} x",
				    "{\"a\":\"\x01\"}",
				    "{\"a\":.5}",
				    "{\"a\":1.}",
				    "{\"a\":tru}",
				    "{\"a\":[1 2]}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rs_scan(&sc, bad[i], strlen(bad[i]), &v) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	rs_free(&sc);
}

static void test_index(void **state)
{
	static const char rec[] =
	    "{\"schema\":1,\"seq\":5,\"time\":\"2026-03-08T12:00:00Z\",\"event\":\"file.open\","
	    "\"access\":\"write\",\"outcome\":\"success\",\"proc\":{\"pid\":42,\"exe\":\"/usr/bin/"
	    "vi\","
	    "\"comm\":\"vi\"},\"user\":{\"uid\":0,\"name\":\"root\",\"auid\":1000,\"login\":"
	    "\"alice\","
	    "\"session\":3},\"file\":{\"path\":\"/etc/passwd\"},\"origin\":{\"ip\":\"192.0.2.7\"},"
	    "\"keys\":[\"identity\"]}";
	static const char seal[] = "{\"schema\":1,\"seq\":6,\"time\":\"2026-03-08T12:00:01Z\","
				   "\"event\":\"log.seal\"}";
	uint8_t root[CRYPTO_PUB_LEN], rs[CRYPTO_SECRET_LEN], pub[CRYPTO_PUB_LEN],
	    sec[CRYPTO_SECRET_LEN], other[CRYPTO_PUB_LEN], osec[CRYPTO_SECRET_LEN], *buf;
	struct store_seal z = {.epoch = 2, .first_seq = 5, .last_seq = 5, .count = 1};
	const char *name = "seg-00000000000000000005.jsonl.gz";
	struct six_builder b;
	struct seg_index ix;
	struct sf_filter f;
	size_t len;

	assert_int_equal(cr_init(), 0);
	cr_keypair(root, rs);
	cr_keypair(pub, sec);
	cr_keypair(other, osec);
	strcpy(z.reason, "rotate");
	store_seal_sign(&z, root, sec);
	six_init(&b);
	six_add_line(&b, rec, strlen(rec));
	six_add_line(&b, seal, strlen(seal));
	assert_int_equal(six_write(&b, name, &z, root, sec, &buf, &len), 0);
	six_free(&b);
	assert_int_equal(six_parse(buf, len, &ix), 0);
	assert_int_equal(ix.first_seq, 5);
	assert_int_equal(ix.last_seq, 6);
	assert_int_equal(ix.min_time, NOW);
	assert_int_equal(ix.max_time, NOW + NS);
	assert_int_equal(ix.nevents, 2);
	assert_int_equal(six_check(&ix, name, root, pub, 0), 0);
	assert_int_equal(six_check(&ix, name, root, pub, 6), -EBADMSG); /* key starts later */
	assert_int_equal(six_check(&ix, name, root, other, 0), -EBADMSG);
	assert_int_equal(six_check(&ix, "seg-00000000000000000001.jsonl.gz", root, pub, 0),
			 -EBADMSG);
	/* every byte is covered: flip each one in turn */
	for (size_t i = 0; i < len; i++) {
		struct seg_index t;

		buf[i] ^= 0x20;
		if (six_parse(buf, len, &t) == 0 && six_check(&t, name, root, pub, 0) == 0)
			fail_msg("byte %zu is not covered by the signature", i);
		buf[i] ^= 0x20;
	}
	/* what it may and may not rule out */
#define MAY(expr, want)                                                                            \
	do {                                                                                       \
		sf_init(&f);                                                                       \
		expr;                                                                              \
		assert_int_equal(six_may_match(&ix, &f), want);                                    \
	} while (0)
	MAY((void)0, 1);
	MAY(f.user_name = "alice", 1);
	MAY(f.user_uid = 1000, 1);
	MAY(f.user_uid = 0, 1);
	MAY((f.user_name = "bob", f.user_uid = 1001), 0);
	MAY(f.login_name = "alice", 1);
	MAY(f.login_name = "root", 0);
	MAY(f.path = "/etc", 1);
	MAY(f.path = "/etc/", 1);
	MAY(f.path = "/", 1);
	MAY(f.path = "/etc/passwd", 1);
	MAY(f.path = "/etc/pa*", 1);
	MAY(f.path = "/etc/shadow", 0);
	MAY(f.path = "/var", 0);
	MAY(f.path = "/var/*", 0);
	MAY(f.event = "file.*", 1);
	MAY(f.event = "process.*", 0);
	MAY(f.exe = "/usr/bin/vi", 1);
	MAY(f.exe = "/usr/bin/v*", 1); /* a glob is not looked up */
	MAY(f.exe = "/usr/bin/vim", 0);
	MAY(sf_parse_cidr("192.0.2.0/24", &f.ip), 1);
	MAY(sf_parse_cidr("192.0.2.0/26", &f.ip), 1); /* looked up as its /24 */
	MAY(sf_parse_cidr("198.51.100.0/24", &f.ip), 0);
	MAY(sf_parse_cidr("192.0.0.0/7", &f.ip), 1); /* too wide to look up */
	MAY(f.key = "identity", 1);
	MAY(f.key = "network", 0);
	MAY(f.session = 3, 1);
	MAY(f.session = 4, 0);
	MAY(f.pid = 42, 1);
	MAY(f.pid = 43, 0);
	MAY(f.access = 2, 1);
	MAY(f.access = 1, 0);
	MAY(f.result = 2, 0);
	MAY(f.since = NOW + 2 * NS, 0);
	MAY(f.until = NOW, 0);
	MAY(f.until = NOW + 1, 1);
	MAY((f.exec_id = "0000000000000001", f.tree = 1), 1);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_times),
	    cmocka_unit_test(test_cidr),
	    cmocka_unit_test(test_scanner),
	    cmocka_unit_test(test_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
