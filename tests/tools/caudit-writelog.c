// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test and benchmark helper: writes a host's signed log with the agent's
 * real store (user/cauditd/store*.c), without BPF, so that forwarding tests
 * can run several "hosts" with their own keys on one machine.
 *   caudit-writelog --log-dir DIR --key-dir DIR --host NAME [--events N]
 *                   [--rate PER_SECOND] [--seal-records N] [--seal-interval S]
 *                   [--rotate-size BYTES] [--forward-state DIR] [--retention-segments N]
 *                   [--low-disk-rotate]
 * Each event is {"event":"test.op","category":"test","op":{"n":i,"t_ns":T}},
 * T the wall-clock time of the "operation", for end-to-end delay figures.
 * With --events 0 it writes until SIGTERM. Exits after a shutdown seal.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "encode.h"
#include "jsonw.h"
#include "log.h"
#include "store.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"log-dir", required_argument, 0, 'l'},
	    {"key-dir", required_argument, 0, 'k'},
	    {"host", required_argument, 0, 'H'},
	    {"events", required_argument, 0, 'n'},
	    {"rate", required_argument, 0, 'r'},
	    {"seal-records", required_argument, 0, 's'},
	    {"seal-interval", required_argument, 0, 'i'},
	    {"rotate-size", required_argument, 0, 'R'},
	    {"forward-state", required_argument, 0, 'f'},
	    {"retention-segments", required_argument, 0, 'S'},
	    {"low-disk-rotate", no_argument, 0, 'D'},
	    {0, 0, 0, 0},
	};
	static struct ca_config cfg;
	struct enc_host host;
	struct enc_ctx enc;
	struct sink *sink = NULL;
	struct jsonw w;
	uint64_t events = 1000, rate = 0, i;
	int64_t start, last_flush = 0;
	char err[512];
	int c, r;

	log_init();
	config_defaults(&cfg);
	memset(&host, 0, sizeof(host));
	cfg.fsync_seals = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'l':
			snprintf(cfg.log_dir, sizeof(cfg.log_dir), "%s", optarg);
			break;
		case 'k':
			snprintf(cfg.key_dir, sizeof(cfg.key_dir), "%s", optarg);
			break;
		case 'H':
			snprintf(host.name, sizeof(host.name), "%s", optarg);
			break;
		case 'n':
			events = strtoull(optarg, NULL, 10);
			break;
		case 'r':
			rate = strtoull(optarg, NULL, 10);
			break;
		case 's':
			cfg.seal_records = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			cfg.seal_interval = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'R':
			cfg.rotate_size = strtoull(optarg, NULL, 10);
			break;
		case 'f':
			snprintf(cfg.forward_state, sizeof(cfg.forward_state), "%s", optarg);
			break;
		case 'S':
			cfg.retention_segments = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'D':
			/* the disk always looks full: the rotate action removes old segments */
			cfg.admin_space_left = 1ULL << 50;
			cfg.admin_space_left_action = CONFIG_ACTION_ROTATE;
			cfg.space_left = 1ULL << 50;
			cfg.space_left_action = CONFIG_ACTION_IGNORE;
			break;
		default:
			fprintf(stderr, "caudit-writelog: bad arguments\n");
			return 2;
		}
	}
	if (!host.name[0] || !cfg.seal_records || !cfg.seal_interval) {
		fprintf(stderr, "caudit-writelog: --host, --log-dir and --key-dir are needed\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	r = store_open(&sink, &cfg, &host, err, sizeof(err));
	if (r) {
		fprintf(stderr, "caudit-writelog: %s\n", err);
		return 1;
	}
	memset(&enc, 0, sizeof(enc));
	enc.host = &host;
	jw_init(&w, 1 << 16);
	start = now_ns(CLOCK_MONOTONIC);
	for (i = 0; !stop && (!events || i < events); i++) {
		int64_t t = now_ns(CLOCK_MONOTONIC);

		if (rate) {
			/* the i-th event is due at start + i/rate */
			int64_t due = start + (int64_t)(i * 1000000000ull / rate);

			while (!stop && t < due) {
				struct timespec ts = {0, 1000000};

				sink->ops->flush(sink);
				sink->ops->tick(sink);
				nanosleep(&ts, NULL);
				t = now_ns(CLOCK_MONOTONIC);
			}
		}
		jw_reset(&w);
		encode_record_begin(&w, &enc, sink->last_seq + 1, now_ns(CLOCK_REALTIME), "test.op",
				    "test");
		jw_object_begin(&w, "op");
		jw_uint(&w, "n", i);
		jw_int(&w, "t_ns", now_ns(CLOCK_REALTIME));
		jw_object_end(&w);
		jw_object_end(&w);
		r = w.err ? w.err : sink->ops->write(sink, w.buf, w.len);
		if (r) {
			fprintf(stderr, "caudit-writelog: write: %s\n", strerror(-r));
			break;
		}
		if (t - last_flush > 10000000) {
			sink->ops->flush(sink);
			sink->ops->tick(sink);
			last_flush = t;
		}
	}
	/* idle: keep sealing until told to stop, when asked to run forever */
	while (!events && !stop) {
		struct timespec ts = {0, 10000000};

		sink->ops->flush(sink);
		sink->ops->tick(sink);
		nanosleep(&ts, NULL);
	}
	sink->ops->close(sink);
	jw_free(&w);
	return r ? 1 : 0;
}
