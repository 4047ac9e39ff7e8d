/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "procnet.h"

/* next space-separated field of [*p, end) */
static int next_field(const char **p, const char *end, const char **f, size_t *n)
{
	const char *s = *p;

	while (s < end && *s == ' ')
		s++;
	if (s == end)
		return -EINVAL;
	*f = s;
	while (s < end && *s != ' ' && *s != '\n')
		s++;
	*n = (size_t)(s - *f);
	*p = s;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* n hex digits into *v */
static int hex_u64(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 16)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int h = hexval(s[i]);

		if (h < 0)
			return -EINVAL;
		x = x << 4 | (uint64_t)h;
	}
	*v = x;
	return 0;
}

/*
 * "ADDR:PORT": the kernel prints each 32-bit word of the address with %08X
 * as it sits in memory on this (little-endian) host, so each word's bytes
 * come out reversed.
 */
static int parse_endpoint(const char *s, size_t n, uint16_t family, uint8_t addr[16],
			  uint16_t *port)
{
	size_t words = family == AF_INET6 ? 4 : 1;
	uint64_t v;

	if (n != words * 8 + 1 + 4 || s[words * 8] != ':')
		return -EINVAL;
	memset(addr, 0, 16);
	for (size_t w = 0; w < words; w++) {
		if (hex_u64(s + w * 8, 8, &v))
			return -EINVAL;
		for (int b = 0; b < 4; b++)
			addr[w * 4 + (size_t)b] = (uint8_t)(v >> (8 * b));
	}
	if (hex_u64(s + words * 8 + 1, 4, &v))
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int procnet_parse_line(const char *line, size_t len, uint16_t family, struct procnet_sock *out)
{
	const char *p = line, *end = line + len, *f;
	size_t n;
	struct procnet_sock s;
	uint16_t lport;
	uint8_t laddr[16];
	uint64_t v;
	char *num_end;

	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	s.family = family;
	/* sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode */
	if (next_field(&p, end, &f, &n) || n < 2 || f[n - 1] != ':')
		return -EINVAL;
	if (next_field(&p, end, &f, &n) || parse_endpoint(f, n, family, laddr, &lport))
		return -EINVAL;
	if (next_field(&p, end, &f, &n) || parse_endpoint(f, n, family, s.raddr, &s.rport))
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		if (next_field(&p, end, &f, &n))
			return -EINVAL;
	if (next_field(&p, end, &f, &n) || n == 0 || n > 20)
		return -EINVAL;
	{
		char buf[24];

		memcpy(buf, f, n);
		buf[n] = 0;
		if (buf[0] < '0' || buf[0] > '9')
			return -EINVAL;
		errno = 0;
		v = strtoull(buf, &num_end, 10);
		if (errno || *num_end)
			return -EINVAL;
	}
	s.inode = v;
	*out = s;
	return 0;
}
