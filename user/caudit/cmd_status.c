/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * caudit status [--socket PATH] [--format text|json]: ask the running cauditd
 * over its status socket (root or the status group; the daemon checks the
 * peer credentials) and print its answer.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <json-c/json.h>

#include "cmd.h"

#define STATUS_SOCKET "/run/caudit/cauditd.sock"
#define STATUS_MAX (1u << 20) /* the daemon's answer is far smaller */

static void usage(FILE *f)
{
	fprintf(f, "usage: caudit status [--socket PATH] [--format text|json]\n"
		   "  Asks the running cauditd (default socket " STATUS_SOCKET ").\n");
}

/* Read the daemon's answer: one JSON object, at most STATUS_MAX bytes. */
static char *ask(const char *path, size_t *len)
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
	buf = malloc(STATUS_MAX + 1);
	if (!buf)
		goto fail;
	for (;;) {
		ssize_t r = read(fd, buf + n, STATUS_MAX - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == STATUS_MAX) {
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

static json_object *get(json_object *o, const char *a, const char *b)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, a, &v))
		return NULL;
	if (b && !json_object_object_get_ex(v, b, &v))
		return NULL;
	return v;
}

static uint64_t num(json_object *o, const char *a, const char *b)
{
	json_object *v = get(o, a, b);

	return v ? (uint64_t)json_object_get_int64(v) : 0;
}

static const char *str(json_object *o, const char *a, const char *b)
{
	json_object *v = get(o, a, b);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "-";
}

static void print_text(json_object *o)
{
	json_object *active = get(o, "hooks", "active"), *missing = get(o, "hooks", "missing");
	json_object *drops = get(o, "drops", NULL);
	size_t nmiss = missing ? json_object_array_length(missing) : 0;

	printf("cauditd %s, pid %" PRIu64 ", up %" PRIu64 " s\n", str(o, "agent_version", NULL),
	       num(o, "pid", NULL), num(o, "uptime_s", NULL));
	printf("hooks:        %zu active, %zu missing\n",
	       active ? json_object_array_length(active) : 0, nmiss);
	for (size_t i = 0; i < nmiss; i++) {
		json_object *m = json_object_array_get_idx(missing, i);

		printf("  missing     %s: %s\n", str(m, "name", NULL), str(m, "reason", NULL));
	}
	printf("policy:       generation %" PRIu64 ", hash %s (%s)\n",
	       num(o, "policy", "generation"), str(o, "policy", "hash"), str(o, "policy", "config"));
	printf("events:       %" PRIu64 "/s, %" PRIu64 " records since start\n",
	       num(o, "events", "per_second"), num(o, "events", "records"));
	printf("drops:       ");
	if (drops) {
		json_object_object_foreach(drops, k, v)
			printf(" %s %" PRId64, k, json_object_get_int64(v));
	}
	printf("\n");
	printf("ring buffer:  %" PRIu64 "%% full (%" PRIu64 " of %" PRIu64 " bytes)\n",
	       num(o, "ring_buffer", "fill_percent"), num(o, "ring_buffer", "pending_bytes"),
	       num(o, "ring_buffer", "size"));
	printf("log:          %s, %.1f MiB in %" PRIu64 " segments, last seq %" PRIu64 "%s\n",
	       str(o, "log", "dir"), (double)num(o, "log", "bytes") / 1048576.0,
	       num(o, "log", "segments"), num(o, "log", "last_seq"),
	       json_object_get_boolean(get(o, "log", "writing")) ? "" : ", NOT WRITING");
	printf("last seal:    %s\n", str(o, "log", "last_seal"));
	printf("epoch key:    epoch %" PRIu64 ", %" PRIu64 " s old\n", num(o, "epoch", "number"),
	       num(o, "epoch", "key_age_s"));
	printf("pins:         %s%s\n", str(o, "pins", "dir")[0] ? str(o, "pins", "dir") : "none",
	       json_object_get_boolean(get(o, "pins", "taken_over"))
		       ? " (taken over from an earlier daemon)" : "");
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
	json_object *o;
	char *buf;
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
	buf = ask(path, &len);
	if (!buf) {
		fprintf(stderr, "caudit status: %s: %s (is cauditd running?)\n", path,
			strerror(errno));
		return CMD_ERROR;
	}
	o = json_tokener_parse(buf);
	if (!o || !json_object_is_type(o, json_type_object)) {
		fprintf(stderr, "caudit status: %s: not a status answer\n", path);
		json_object_put(o);
		free(buf);
		return CMD_ERROR;
	}
	if (get(o, "error", NULL)) {
		fprintf(stderr, "caudit status: %s: %s\n", path, str(o, "error", NULL));
		json_object_put(o);
		free(buf);
		return CMD_FAILED;
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	else
		print_text(o);
	json_object_put(o);
	free(buf);
	return CMD_OK;
}
