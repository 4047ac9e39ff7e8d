/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Unit tests for the /proc/net/tcp line parser (user/common/procnet.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "procnet.h"

static int parse(const char *line, uint16_t family, struct procnet_sock *s)
{
	return procnet_parse_line(line, strlen(line), family, s);
}

/* An sshd connection from 127.0.0.5:40522 to 127.0.0.2:2222, as the kernel prints it. */
static void test_ipv4_established(void **state)
{
	struct procnet_sock s;
	char ip[INET_ADDRSTRLEN];

	(void)state;
	assert_int_equal(parse("   3: 0200007F:08AE 0500007F:9E4A 01 00000000:00000000 02:0009F7C6 "
			       "00000000     0        0 188963 2 000000008dfd6722 20 4 31 10 -1\n",
			       AF_INET, &s),
			 0);
	assert_int_equal(s.family, AF_INET);
	assert_int_equal(s.inode, 188963);
	assert_int_equal(s.rport, 40522);
	assert_non_null(inet_ntop(AF_INET, s.raddr, ip, sizeof(ip)));
	assert_string_equal(ip, "127.0.0.5");
}

static void test_ipv6(void **state)
{
	struct procnet_sock s;
	char ip[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(parse("   0: 00000000000000000000000001000000:D0DD "
			       "00000000000000000000000001000000:B730 01 00000000:00000000 "
			       "03:000013BB 00000000     0        0 4242 3 00000000314af20e\n",
			       AF_INET6, &s),
			 0);
	assert_int_equal(s.inode, 4242);
	assert_int_equal(s.rport, 0xB730);
	assert_non_null(inet_ntop(AF_INET6, s.raddr, ip, sizeof(ip)));
	assert_string_equal(ip, "::1");
	/* fe80::1 with a byte in every word */
	assert_int_equal(parse("   0: 00000000000000000000000001000000:0016 "
			       "000080FE000000000000000001000000:1F90 01 00000000:00000000 "
			       "00:00000000 00000000     0        0 7 1 0000000000000000\n",
			       AF_INET6, &s),
			 0);
	assert_non_null(inet_ntop(AF_INET6, s.raddr, ip, sizeof(ip)));
	assert_string_equal(ip, "fe80::1");
	assert_int_equal(s.rport, 8080);
}

static void test_rejects(void **state)
{
	static const char *const bad[] = {
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
		"timeout inode\n",
		"",
		"   0: 0100007F:965F",
		"   0: 0100007F:965F 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0 "
		"       0\n",
		"   0: 0100007G:965F 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0 "
		"       0 1 3\n",
		"   0: 0100007F:965F 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0 "
		"       0 -5 3\n",
		"   0: 0100007F:965F 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0 "
		"       0 99999999999999999999999 3\n",
		"   0 0100007F:965F 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0 "
		"       0 1 3\n",
	};
	struct procnet_sock s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], AF_INET, &s) != -EINVAL)
			fail_msg("line %zu accepted", i);
	/* an IPv4 line is not an IPv6 one, and other families are refused */
	assert_int_equal(parse("   0: 0100007F:965F 00000000:0000 0A 00000000:00000002 00:00000000 "
			       "00000000     0        0 1 3\n", AF_INET6, &s), -EINVAL);
	assert_int_equal(parse("   0: 0100007F:965F 00000000:0000 0A 00000000:00000002 00:00000000 "
			       "00000000     0        0 1 3\n", AF_UNIX, &s), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_established),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
