/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Detaching many BPF links at once. Each tracepoint detach waits for an RCU
 * grace period: one after another that is seconds for ~90 links. Threads let
 * the grace periods overlap.
 */
#ifndef CAUDIT_DETACH_H
#define CAUDIT_DETACH_H

#include <stddef.h>

/* fn(item) for each of the n items (size bytes each) of items, in threads; returns when all are done. */
void detach_parallel(void *items, size_t size, unsigned n, void (*fn)(void *item));

#endif
