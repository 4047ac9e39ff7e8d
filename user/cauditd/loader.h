/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The loader: the only code that touches the BPF skeleton. open -> size maps
 * -> choose hooks -> load -> fill tables -> attach; later: runtime settings,
 * drop counters, the process snapshot, detach.
 */
#ifndef CAUDIT_LOADER_H
#define CAUDIT_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "caudit_event.h"
#include "caudit_policy.h"
#include "config.h"

#define LOADER_MAX_HOOKS 192
#define LOADER_MAX_LINKS 512 /* two per syscall (enter, exit) and the rest */

struct hook_status {
	char name[48];       /* "syscall:openat", "sched_process_exec", "iter/task" */
	int active;
	int idle;            /* loaded, not attached: no rule of the policy names it */
	char reason[64];     /* why it is missing or idle */
};

struct loader;
struct pins;

/*
 * Load and attach everything cfg asks for, excluding process agent_tgid.
 * Optional hooks that the kernel lacks are reported as missing; a required
 * hook that fails is an error. With pins, every map and link is pinned there
 * and stays after loader_close. pin_state (enum pins_state): PINS_REUSE
 * takes the pinned maps and links of an earlier daemon over (nothing is
 * attached); PINS_OLD shares the old object's compatible maps, attaches, and
 * switches ca_active_gen so that the old programs stop emitting as the new
 * ones start. Returns 0 or a negative errno with err set.
 */
/* Called once the maps are filled, before any program is attached (policy). */
typedef int (*loader_ready_fn)(void *ctx, struct loader *l, char *err, size_t errlen);
int loader_open(struct loader **out, const struct ca_config *cfg, uint32_t agent_tgid,
		struct pins *pins, int pin_state, loader_ready_fn ready, void *ready_ctx, char *err,
		size_t errlen);

/*
 * What makes pins reusable: a hash of the BPF object and of the settings
 * that size its maps (ring_buffer_size, pending_max, CPUs, ABI sizes).
 */
void loader_stamp(const struct ca_config *cfg, uint8_t out[32]);

/* 1 when the pins of an earlier daemon were taken over. */
int loader_reused(const struct loader *l);

/* Apply the settings that can change without reloading (SIGHUP). */
int loader_apply_runtime(struct loader *l, const struct ca_config *cfg);

/* fd of the events ring buffer map */
int loader_ringbuf_fd(const struct loader *l);

/* The policy maps (bpf/policy.bpf.h), for loader_policy.c. */
struct loader_policy_fds {
	int active, slot_gen, sc, rules, lock;
};
int loader_policy_fds(const struct loader *l, struct loader_policy_fds *fds);
/* on: a rule policy decides read-only opens (capture_read_opens no longer applies). */
void loader_policy_read_opens(struct loader *l, const struct ca_config *cfg, int on);

/* Drop counters summed over CPUs. */
int loader_read_drops(const struct loader *l, uint64_t out[CA_DROP__COUNT]);
/* Syscalls the policy dropped in the kernel, per enum ca_pol_stage. */
int loader_read_policy_drops(const struct loader *l, uint64_t out[CA_PST__COUNT]);

/* Hook status list (valid until loader_close). */
const struct hook_status *loader_hooks(const struct loader *l, unsigned *count);

/*
 * Attach the syscall hooks wanted (trim 0), or detach those not wanted
 * (trim 1): want64[nr] per x86_64 syscall row, want_ia32 for the 32-bit
 * pair (hookset.h). Returns the number of hooks changed.
 */
int loader_hooks_apply(struct loader *l, const uint8_t *want64, unsigned nwant, int want_ia32,
		       int trim);


/*
 * Run the task iterator: calls fn once per raw snapshot record. Returns 0,
 * or -EOPNOTSUPP when the iterator is not available on this kernel.
 */
typedef void (*loader_record_fn)(void *opaque, const void *data, size_t size);
int loader_snapshot(struct loader *l, loader_record_fn fn, void *opaque);

/* Set the session origin of process pid in the kernel (origin_seed.c). */
int loader_set_origin(struct loader *l, uint32_t pid, const struct ca_origin *origin);

/* Stop capture: detach every program (maps stay readable). Not for pinned links. */
void loader_detach(struct loader *l);
/* Free everything (pinned objects stay); NULL is fine. */
void loader_close(struct loader *l);

#endif
