/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <string.h>

#include "event_decode.h"

int event_decode(const void *data, size_t size, struct ca_decoded *out)
{
	const struct ca_event *ev = data;
	size_t off = sizeof(*ev);

	if (size < sizeof(*ev) || ev->size < sizeof(*ev) || ev->size > size ||
	    ev->size > CA_EVENT_MAX)
		return -EBADMSG;
	if (ev->type == CA_EV_NONE || ev->type >= CA_EV__MAX)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->ev = ev;
	for (int i = 0; i < CA_S__COUNT; i++) {
		uint32_t n = ev->str_len[i];

		if (n > ev->size - off)
			return -EBADMSG;
		if (n) {
			out->str[i] = (const char *)data + off;
			out->len[i] = n;
		}
		off += n;
	}
	return (int)ev->size;
}
