/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The loader's side of pinning (docs/operations.md, "Restarts" and
 * "Upgrades"): which maps of the BPF object come from the pins, which are
 * shared with an older object, and pinning what was attached. Works on the
 * libbpf object that loader.c (the skeleton's owner) hands over.
 */
#ifndef CAUDIT_LOADER_PINS_H
#define CAUDIT_LOADER_PINS_H

#include <stddef.h>
#include <stdint.h>

#include "loader.h"

struct bpf_object;
struct bpf_link;
struct bpf_program;
struct pins;

/*
 * A restart on compatible pins: every map of obj becomes the pinned one (the
 * ring buffer with what accumulated, the filters, .bss), and no program is
 * loaded (the pinned links keep the running ones; the caller may switch the
 * snapshot iterator back on). Before load. 0 or negative errno.
 */
int lpins_reuse(struct bpf_object *obj, struct pins *p);

/*
 * An upgrade: obj shares with the old object the maps whose meaning and
 * shape did not change (ca_active_gen, pending, the ring buffer if of the
 * same size, drop counters). Never the tail-call table (old programs would
 * run new code) nor .bss/.rodata. Before load. Returns the generation obj
 * must run as; *shared says whether ca_active_gen is the old object's.
 */
uint32_t lpins_share_old(struct bpf_object *obj, struct pins *p, int *shared);

/* Pin every map and link, then the hook list and the stamp. 0 or -errno, err set. */
int lpins_pin_all(struct bpf_object *obj, struct pins *p, struct bpf_link *const *links,
		  struct bpf_program *const *progs, unsigned nlinks,
		  const struct hook_status *hooks, unsigned nhooks, char *err, size_t errlen);

#endif
