/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * BPF objects pinned in bpffs (pin_dir, default /sys/fs/bpf/caudit) so that
 * capture goes on while the daemon restarts or is upgraded:
 *
 *   meta          stamp of the BPF object and the settings that size its
 *                 maps, drop counters already reported; pinned last: a
 *                 directory without it is an unfinished pinning
 *   ack           the ring consumer's journal (ringc.h), mmapped
 *   hooks         the hook status list of the daemon that attached
 *   map_<name>    every map of the object (ring buffer, filters, _bss ...)
 *   link_<prog>   every attached program
 *
 * This file owns the pin directory; loader.c owns the skeleton and asks
 * here for fds and pins.
 */
#ifndef CAUDIT_PINS_H
#define CAUDIT_PINS_H

#include <stddef.h>
#include <stdint.h>

#include "caudit_event.h"
#include "loader.h"
#include "ringc.h"

#define PINS_STAMP_LEN 32
#define PINS_DROPS 16 /* >= CA_DROP__COUNT, fixed: the layout outlives versions */

enum pins_state {
	PINS_NONE = 0,   /* nothing pinned: load, attach, pin */
	PINS_REUSE = 1,  /* same object and sizes: take the maps and links over */
	PINS_OLD = 2,    /* another object: moved aside for a handover */
};

struct pins;

/*
 * Open (create) dir on bpffs, mounting /sys/fs/bpf when it is not. With a
 * compatible stamp the state is PINS_REUSE; pins of another stamp (or an
 * unfinished pinning) are renamed to dir-old for pins_old_*. 0 or -errno.
 */
int pins_open(struct pins **out, const char *dir, const uint8_t stamp[PINS_STAMP_LEN],
	      enum pins_state *state, char *err, size_t errlen);
void pins_close(struct pins *p);

/* fd of pinned map `name` (the caller closes it), or negative errno. */
int pins_map_get(struct pins *p, const char *name);
/* Pin a map / a link under its name. 0 or negative errno. */
int pins_map_pin(struct pins *p, int fd, const char *name);
int pins_link_pin(struct pins *p, int fd, const char *name);
/* Pin a program under its name (attached later, maybe by the next daemon). */
int pins_prog_pin(struct pins *p, int fd, const char *name);
/* fd of the pinned program / link `name` (the caller closes it), or negative errno. */
int pins_prog_get(struct pins *p, const char *name);
int pins_link_get(struct pins *p, const char *name);
/* Remove link pin `name`: the link detaches once no fd holds it. */
void pins_link_unpin(struct pins *p, const char *name);

/* The consumer journal (created if absent), mapped until pins_close. */
struct ring_ack *pins_ack(struct pins *p);

/* Hooks of the daemon that attached the pinned links. */
int pins_hooks_read(struct pins *p, struct hook_status *out, unsigned max, unsigned *n);

/* Drop counters already written to the log by earlier daemons. */
void pins_drops_reported(struct pins *p, uint64_t out[CA_DROP__COUNT]);
void pins_drops_save(struct pins *p, const uint64_t reported[CA_DROP__COUNT]);

/* Record the hooks and the stamp: the pins are complete. 0 or negative errno. */
int pins_commit(struct pins *p, const struct hook_status *hooks, unsigned n);

/*
 * The old pins moved aside (PINS_OLD): their ring buffer map fd and journal
 * (negative errno / NULL when absent), then stop their programs (remove the
 * link pins), then remove the rest.
 */
int pins_old_ring(struct pins *p, struct ring_ack **ack);
/* fd of the old pins' map `name` (the caller closes it), or negative errno. */
int pins_old_map_get(struct pins *p, const char *name);
void pins_old_unlink_links(struct pins *p);
void pins_old_remove(struct pins *p);

/* Remove every pin under dir and dir itself (uninstall). 0 or negative errno. */
int pins_remove_dir(const char *dir);

#endif
