/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The agent's state, shared by main.c (lifecycle, loop, reload, shutdown)
 * and agent_status.c (rates, STATUS= line, the caudit status answer).
 */
#ifndef CAUDIT_AGENT_H
#define CAUDIT_AGENT_H

#include <stdint.h>

#include "agent_events.h"
#include "config.h"
#include "drain.h"
#include "jsonw.h"
#include "loader.h"
#include "pins.h"
#include "policy.h"
#include "service.h"
#include "sink.h"
#include "status.h"

struct agent {
	const char *config_path;
	const char *log_dir_override;
	const char *rules_override;  /* --rules PATH */
	struct agent_policy policy;
	struct rules_policy *start_rules; /* read before the BPF load, activated by it */
	struct ca_config cfg;
	char config_hash[65];
	struct loader *loader;
	struct sink *sink;
	struct drain drain;
	struct loss_state loss;
	int sigfd;
	int epfd;
	struct pins *pins;          /* NULL: pin_dir = "" */
	enum pins_state pin_state;
	struct status_srv status;
	struct service svc;
	uint64_t generation;        /* configuration generation: 1 + successful reloads */
	int64_t started_s;
	/* rates for STATUS= and caudit status, updated every second */
	int64_t stat_at_ns;
	uint64_t stat_records;
	double events_per_s;
	uint64_t log_bytes;
	uint64_t log_segments;
	int64_t log_scanned_s;
};

/* Every second at most: events/s, log usage, the STATUS= line. */
void agent_update_stats(struct agent *a);

/* status_build_fn: the caudit status answer (docs/operations.md). */
void agent_build_status(void *ctx, struct jsonw *w);

#endif
