/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "ringc.h"

#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)
#define RB_HDR 8u

int ringc_open(struct ringc *rc, int map_fd, struct ring_ack *ack)
{
	struct bpf_map_info info = {};
	uint32_t ilen = sizeof(info);
	void *p;

	memset(rc, 0, sizeof(*rc));
	rc->fd = map_fd;
	if (bpf_obj_get_info_by_fd(map_fd, &info, &ilen) < 0)
		return -errno;
	if (info.type != BPF_MAP_TYPE_RINGBUF || !info.max_entries ||
	    (info.max_entries & (info.max_entries - 1)))
		return -EINVAL;
	rc->page = (size_t)sysconf(_SC_PAGESIZE);
	rc->mask = info.max_entries - 1;
	p = mmap(NULL, rc->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	rc->cons = p;
	rc->data_len = rc->page + 2 * (size_t)info.max_entries;
	p = mmap(NULL, rc->data_len, PROT_READ, MAP_SHARED, map_fd, (off_t)rc->page);
	if (p == MAP_FAILED) {
		int e = -errno;

		munmap(rc->cons, rc->page);
		rc->cons = NULL;
		return e;
	}
	rc->prod = p;
	rc->data = (const uint8_t *)p + rc->page;
	if (!ack) {
		ack = calloc(1, sizeof(*ack));
		if (!ack) {
			ringc_close(rc);
			return -ENOMEM;
		}
		rc->ack_owned = 1;
	}
	rc->ack = ack;
	return 0;
}

void ringc_close(struct ringc *rc)
{
	if (rc->cons)
		munmap(rc->cons, rc->page);
	if (rc->prod)
		munmap((void *)rc->prod, rc->data_len);
	if (rc->ack_owned)
		free(rc->ack);
	memset(rc, 0, sizeof(*rc));
	rc->fd = -1;
}

const void *ringc_peek(const struct ringc *rc, uint64_t pos, uint32_t *len, uint64_t *next,
		       int *discarded)
{
	const uint32_t *hdr;
	uint32_t h;

	if (pos >= ringc_producer(rc))
		return NULL;
	hdr = (const uint32_t *)(rc->data + (pos & rc->mask));
	h = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
	if (h & RB_BUSY)
		return NULL; /* being written: later */
	*discarded = !!(h & RB_DISCARD);
	*len = h & ~(RB_BUSY | RB_DISCARD);
	*next = pos + ((*len + RB_HDR + 7) & ~7ull);
	return (const uint8_t *)hdr + RB_HDR;
}

uint64_t ringc_pending(const struct ringc *rc)
{
	return ringc_producer(rc) - ringc_consumer(rc);
}

void ringc_batch_begin(struct ringc *rc)
{
	struct ring_ack *a = rc->ack;

	/* count first: an entry is never read against the wrong base */
	__atomic_store_n(&a->count, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&a->base, ringc_consumer(rc), __ATOMIC_RELEASE);
}

void ringc_batch_note(struct ringc *rc, uint64_t seq, uint64_t pos_after)
{
	struct ring_ack *a = rc->ack;
	uint64_t n = a->count;

	if (n >= RING_ACK_MAX)
		return; /* the caller never goes past RING_ACK_MAX */
	a->e[n].seq = seq;
	a->e[n].pos = pos_after;
	/* the entry is complete before it counts: a kill in between leaves it out */
	__atomic_store_n(&a->count, n + 1, __ATOMIC_RELEASE);
}

void ringc_batch_end(struct ringc *rc, uint64_t pos)
{
	__atomic_store_n(rc->cons, pos, __ATOMIC_RELEASE);
	__atomic_store_n(&rc->ack->count, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&rc->ack->base, pos, __ATOMIC_RELEASE);
}

uint64_t ringc_resume(struct ringc *rc, uint64_t durable_seq)
{
	struct ring_ack *a = rc->ack;
	uint64_t cons = ringc_consumer(rc), n, to = cons, skipped = 0;

	n = __atomic_load_n(&a->count, __ATOMIC_ACQUIRE);
	if (n > RING_ACK_MAX || a->base != cons)
		n = 0; /* the consumer moved past this batch already, or no batch */
	/* seqs never decrease along the batch: the last entry in the log wins */
	for (uint64_t i = 0; i < n; i++) {
		if (a->e[i].seq > durable_seq)
			break;
		if (a->e[i].pos > to && a->e[i].pos <= ringc_producer(rc)) {
			to = a->e[i].pos;
			skipped = i + 1;
		}
	}
	if (to != cons)
		ringc_batch_end(rc, to);
	else
		ringc_batch_begin(rc);
	return skipped;
}
