/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Our own consumer of a BPF ring buffer map, so that the consumer position
 * moves only once the records read are in the log (libbpf's ring_buffer
 * moves it after every callback, which loses records on kill -9).
 *
 * Layout of the mmapped map (kernel/bpf/ringbuf.c): page 0 the consumer
 * position (read-write), page 1 the producer position, then the data pages
 * mapped twice so that a record never wraps. Each record starts with an
 * 8-byte header: u32 length with BUSY (bit 31) and DISCARD (bit 30) flags,
 * then u32 page offset; records are 8-byte aligned.
 *
 * The acknowledgement journal (struct ring_ack) says, before a record is
 * handed to the store, which log seq it will have and where the ring
 * position will be once it is consumed. It lives in a pinned map, so after
 * kill -9 the next daemon skips exactly the records that reached the log
 * (docs/operations.md, "Restarts").
 */
#ifndef CAUDIT_RINGC_H
#define CAUDIT_RINGC_H

#include <stddef.h>
#include <stdint.h>

#define RING_ACK_MAX 4096 /* ring records per batch between two consumer moves */

struct ring_ack_ent {
	uint64_t seq; /* the log seq the record was to get (or the last seq, if none) */
	uint64_t pos; /* consumer position once this record is consumed */
};

/* entry 0 of the pinned array map holds base/count; entries 1.. hold e[] */
struct ring_ack {
	uint64_t base;  /* consumer position when the batch began */
	uint64_t count; /* entries of e[] valid (written after the entry) */
	struct ring_ack_ent e[RING_ACK_MAX];
};

struct ringc {
	int fd;
	uint64_t *cons;       /* consumer position (ours to write) */
	const uint64_t *prod; /* producer position */
	const uint8_t *data;
	uint64_t mask;
	size_t page;
	size_t data_len;      /* bytes mapped at prod */
	struct ring_ack *ack; /* journal: pinned map, or private memory */
	int ack_owned;
};

/* Map the ring buffer map fd (the fd stays the caller's). 0 or negative errno. */
int ringc_open(struct ringc *rc, int map_fd, struct ring_ack *ack);
void ringc_close(struct ringc *rc);

/*
 * After a restart: skip the records the journal says reached the log, whose
 * last seq before recovery was durable_seq. Returns how many were skipped.
 */
uint64_t ringc_resume(struct ringc *rc, uint64_t durable_seq);

/* The next complete record at or after *pos below the producer (NULL: none). */
const void *ringc_peek(const struct ringc *rc, uint64_t pos, uint32_t *len, uint64_t *next,
		       int *discarded);

static inline uint64_t ringc_consumer(const struct ringc *rc)
{
	return __atomic_load_n(rc->cons, __ATOMIC_ACQUIRE);
}

static inline uint64_t ringc_producer(const struct ringc *rc)
{
	return __atomic_load_n(rc->prod, __ATOMIC_ACQUIRE);
}

/* Start a batch at the consumer position. */
void ringc_batch_begin(struct ringc *rc);
/* Journal one record before it is handed to the store. */
void ringc_batch_note(struct ringc *rc, uint64_t seq, uint64_t pos_after);
/* The batch is in the log (written to the segment file): move the consumer. */
void ringc_batch_end(struct ringc *rc, uint64_t pos);

/* Bytes between consumer and producer, and the ring size. */
uint64_t ringc_pending(const struct ringc *rc);

#endif
