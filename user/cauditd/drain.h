/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The consumer: ring buffer records -> checked -> enriched from the process
 * cache -> encoded -> the sink, numbered. Also writes the agent's own records.
 */
#ifndef CAUDIT_DRAIN_H
#define CAUDIT_DRAIN_H

#include "policy.h"
#include <stddef.h>
#include <stdint.h>

#include "cgroup_cache.h"
#include "encode.h"
#include "proc_cache.h"
#include "ringc.h"
#include "sink.h"

struct drain {
	struct ringc rc;       /* the events ring buffer */
	int ready;
	struct proc_cache procs;
	struct cgroup_cache cgroups; /* cgroup id -> path, container */
	struct jsonw w;
	struct enc_host host;
	struct enc_ctx enc;
	struct sink *sink;     /* numbers the records: sink->last_seq */
	uint32_t args_max;
	uint64_t records;      /* event records written */
	uint64_t bad_records;  /* records that failed to decode or encode */
	uint64_t write_errors; /* records lost because the sink failed */
	struct agent_policy *policy; /* NULL: every record is written */
};

/*
 * Ready to consume ringbuf_fd into sink, journaling into ack (a pinned map's
 * memory; NULL: private memory). 0 or negative errno.
 */
int drain_init(struct drain *d, int ringbuf_fd, struct ring_ack *ack, struct sink *sink,
	       uint32_t args_max);
void drain_free(struct drain *d);

/* epoll fd that becomes readable when records are pending */
int drain_epoll_fd(const struct drain *d);

/*
 * Consume every pending record in batches: each batch is flushed to the
 * segment file before the consumer position moves. Returns how many.
 */
int drain_consume(struct drain *d);
/* The same for another ring (an old daemon's ring at an upgrade). */
int drain_consume_ring(struct drain *d, struct ringc *rc);

/* Write the record in d->w (encoded with seq drain_next_seq(d)). */
uint64_t drain_next_seq(const struct drain *d);
int drain_commit(struct drain *d);

/* loader_record_fn for the start snapshot: seeds the process cache. */
void drain_snapshot_record(void *opaque, const void *data, size_t size);
/* Merge a /proc scan into the process cache (argv, and what the iterator missed). */
void drain_scan_proc(struct drain *d);

#endif
