/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Where encoded records go. The agent writes only through this interface;
 * its implementation is the signed store (store.c).
 */
#ifndef CAUDIT_SINK_H
#define CAUDIT_SINK_H

#include <stddef.h>
#include <stdint.h>

struct sink;

struct sink_ops {
	/* Append one record (a JSON object, no newline). 0 or negative errno. */
	int (*write)(struct sink *s, const char *rec, size_t len);
	/* Push buffered records to the file system. */
	int (*flush)(struct sink *s);
	/* Timers (seal interval, epochs, rotation, disk checks); may be NULL. */
	void (*tick)(struct sink *s);
	/* Flush and free. */
	void (*close)(struct sink *s);
};

/*
 * The sink numbers the log: a record handed to write() must carry seq
 * last_seq + 1, and last_seq moves only when it was written. Records the
 * sink writes itself (seals, headers) take numbers the same way.
 */
struct sink {
	const struct sink_ops *ops;
	uint64_t last_seq;   /* highest seq already in the log (0: empty) */
	/*
	 * Highest seq the previous run left in the log, before the recovery
	 * at start wrote anything: what the ring journal is compared with.
	 */
	uint64_t resume_seq;
};


#endif
