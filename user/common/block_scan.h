/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Sealed blocks in a segment file (docs/log-format.md: one gzip member per
 * sealed block). The forwarder cuts a growing segment into blocks with it,
 * the collector checks its archive's end after a crash. Pure: no I/O.
 */
#ifndef CAUDIT_BLOCK_SCAN_H
#define CAUDIT_BLOCK_SCAN_H

#include <stddef.h>
#include <stdint.h>

struct block_info {
	size_t len;	    /* compressed bytes of the member */
	uint64_t records;   /* lines */
	uint64_t first_seq; /* seq of its first / last line (0 when unreadable) */
	uint64_t last_seq;
	int sealed; /* its last line is a log.seal record */
};

/*
 * The gzip member at the start of buf[0..len): 1 with *bi when it is
 * complete, 0 when it is not complete yet (the writer is still in it),
 * -EBADMSG when the bytes are not gzip or inflate past max_out bytes,
 * -ENOMEM.
 */
int block_scan(const void *buf, size_t len, uint64_t max_out, struct block_info *bi);

#endif
