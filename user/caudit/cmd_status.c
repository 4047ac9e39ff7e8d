/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * caudit status [--socket PATH] [--format text|json]: ask the running cauditd
 * over its status socket (root or the status group; the daemon checks the
 * peer credentials) and print its answer.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "cmd.h"
#include "status_text.h"


static void usage(FILE *f)
{
	fprintf(f, "usage: caudit status [--socket PATH] [--format text|json]\n"
		   "  Asks the running cauditd (default socket " STATUS_SOCKET ").\n");
}

/* Read the daemon's answer: one JSON object, at most STATUS_ANSWER_MAX bytes. */
char *status_ask(const char *path, size_t *len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *buf = NULL;
	size_t n = 0;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	buf = malloc(STATUS_ANSWER_MAX + 1);
	if (!buf)
		goto fail;
	for (;;) {
		ssize_t r = read(fd, buf + n, STATUS_ANSWER_MAX - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == STATUS_ANSWER_MAX) {
			errno = EMSGSIZE;
			goto fail;
		}
	}
	close(fd);
	buf[n] = 0;
	*len = n;
	return buf;
fail:
	{
		int e = errno;

		free(buf);
		close(fd);
		errno = e;
	}
	return NULL;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *path = STATUS_SOCKET;
	int json = 0, c;
	enum status_result r;
	char *buf, msg[256];
	size_t len;

	while ((c = getopt_long(argc, argv, "s:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': path = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "caudit status: --format: text or json\n");
				return CMD_USAGE;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'h': usage(stdout); return CMD_OK;
		default: usage(stderr); return CMD_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return CMD_USAGE;
	}
	buf = status_ask(path, &len);
	if (!buf) {
		fprintf(stderr, "caudit status: %s: %s (is cauditd running?)\n", path,
			strerror(errno));
		return CMD_ERROR;
	}
	r = status_print(stdout, buf, len, json, msg, sizeof(msg));
	if (r == STATUS_DENIED) {
		fprintf(stderr, "caudit status: %s: %s\n", path, msg);
		free(buf);
		return CMD_FAILED;
	}
	if (r != STATUS_OK) {
		fprintf(stderr, "caudit status: %s: not a status answer\n", path);
		free(buf);
		return CMD_ERROR;
	}
	free(buf);
	return CMD_OK;
}
