/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One line of /proc/net/tcp or /proc/net/tcp6: the socket's inode and its
 * remote end. Pure module (the agent reads the files, this parses them).
 */
#ifndef CAUDIT_PROCNET_H
#define CAUDIT_PROCNET_H

#include <stddef.h>
#include <stdint.h>

struct procnet_sock {
	uint64_t inode;
	uint16_t family;       /* AF_INET or AF_INET6 */
	uint16_t rport;        /* host order */
	uint8_t raddr[16];     /* network order; IPv4 in the first 4 bytes */
};

/*
 * Parse one data line (not the header) of len bytes; family says which file
 * it came from. Returns 0, or -EINVAL for anything that is not a
 * well-formed line (header, short line, bad hex).
 */
int procnet_parse_line(const char *line, size_t len, uint16_t family, struct procnet_sock *out);

#endif
