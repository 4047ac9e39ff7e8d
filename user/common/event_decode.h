/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Checked view of one raw record from the ring buffer (or the snapshot
 * iterator). Pure module: validates sizes so that no later code trusts a
 * length it has not checked.
 */
#ifndef CAUDIT_EVENT_DECODE_H
#define CAUDIT_EVENT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "caudit_event.h"

struct ca_decoded {
	const struct ca_event *ev;
	const char *str[CA_S__COUNT]; /* NULL when the slot is absent */
	uint32_t len[CA_S__COUNT];
};

/*
 * Check the record at data (size bytes available) and fill out. Returns the
 * record's size (> 0), or -EBADMSG when it is malformed (size field out of
 * range or beyond size, unknown type, string slots longer than the record).
 */
int event_decode(const void *data, size_t size, struct ca_decoded *out);

#endif
