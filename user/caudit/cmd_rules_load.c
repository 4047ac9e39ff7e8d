/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * `caudit rules load [--socket PATH] [--timeout SECONDS]`: make the running
 * cauditd read its rules again and report the outcome. The request is the
 * agent's SIGHUP (only root may send it: changing the policy is root's), so
 * the agent logs who asked from the signal's sender; the outcome is read back
 * from the status socket: a new policy generation, or one more refusal.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "cmd.h"

struct policy_state {
	long long pid, gen, refused;
	char hash[65], source[4096], refusal[1024];
};

static const char *obj_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : "";
}

static long long obj_int(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

/* 0 with st filled, or -1 with a message printed. */
static int read_state(const char *sock, struct policy_state *st)
{
	size_t len;
	char *buf = status_ask(sock, &len);
	json_object *o, *pol;
	int r = -1;

	if (!buf) {
		fprintf(stderr, "caudit rules load: %s: %s (is cauditd running?)\n", sock,
			strerror(errno));
		return -1;
	}
	o = json_tokener_parse(buf);
	free(buf);
	if (!o || !json_object_object_get_ex(o, "policy", &pol)) {
		fprintf(stderr, "caudit rules load: %s: %s\n", sock,
			o ? obj_str(o, "error") : "not a status answer");
	} else {
		st->pid = obj_int(o, "pid");
		st->gen = obj_int(pol, "generation");
		st->refused = obj_int(pol, "refused");
		snprintf(st->hash, sizeof(st->hash), "%s", obj_str(pol, "hash"));
		snprintf(st->source, sizeof(st->source), "%s", obj_str(pol, "source"));
		snprintf(st->refusal, sizeof(st->refusal), "%s", obj_str(pol, "last_refusal"));
		r = st->pid > 1 ? 0 : -1;
		if (r)
			fprintf(stderr, "caudit rules load: %s: no agent pid in the answer\n", sock);
	}
	json_object_put(o);
	return r;
}

int cmd_rules_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *sock = STATUS_SOCKET;
	struct policy_state before, now;
	long timeout_ms = 30000;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 1 || v > 3600) {
				fprintf(stderr, "caudit rules load: --timeout: 1 to 3600 seconds\n");
				return CMD_USAGE;
			}
			timeout_ms = v * 1000;
			break;
		}
		case 'h':
			printf("usage: caudit rules load [--socket PATH] [--timeout SECONDS]\n");
			return CMD_OK;
		default:
			fprintf(stderr, "usage: caudit rules load [--socket PATH] [--timeout SECONDS]\n");
			return CMD_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "caudit rules load: the agent loads its configured rules "
				"(config 'rules' or --rules); no PATH is taken\n");
		return CMD_USAGE;
	}
	if (read_state(sock, &before))
		return CMD_ERROR;
	if (kill((pid_t)before.pid, SIGHUP) < 0) {
		fprintf(stderr, "caudit rules load: signal cauditd (pid %lld): %s%s\n", before.pid,
			strerror(errno), errno == EPERM ? " (changing the policy needs root)" : "");
		return CMD_FAILED;
	}
	for (long waited = 0; waited < timeout_ms; waited += 50) {
		struct timespec ts = { 0, 50 * 1000000L };

		nanosleep(&ts, NULL);
		if (read_state(sock, &now))
			return CMD_ERROR;
		if (now.refused > before.refused) {
			fprintf(stderr, "caudit rules load: refused, generation %lld stays: %s\n",
				now.gen, now.refusal);
			return CMD_FAILED;
		}
		if (now.gen != before.gen) {
			printf("policy generation %lld loaded from %s\nhash %s\n", now.gen, now.source,
			       now.hash);
			return CMD_OK;
		}
	}
	fprintf(stderr, "caudit rules load: no answer from cauditd within %ld s\n",
		timeout_ms / 1000);
	return CMD_FAILED;
}
