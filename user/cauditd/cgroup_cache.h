/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cgroup id (bpf_get_current_cgroup_id(): the kernfs id, which is the inode
 * number of the cgroup's directory on the cgroup2 mount) -> the cgroup's path
 * and the container that path names. Bounded LRU cache in front of
 * open_by_handle_at() on the cgroup2 mount, with a directory walk when file
 * handles are refused. A cgroup v2 directory cannot be renamed, and ids are
 * never reused, so a found path stays true; a failed lookup is remembered
 * for CGROUP_NEG_TTL_MS only (a transient failure must not hide a cgroup).
 */
#ifndef CAUDIT_CGROUP_CACHE_H
#define CAUDIT_CGROUP_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "container.h"

#define CGROUP_CACHE_DEFAULT 4096
#define CGROUP_NEG_TTL_MS 1000
/* Directories one walk visits at most (the fallback when handles fail). */
#define CGROUP_WALK_MAX 65536

struct cgroup_entry {
	uint64_t id;
	char *path;               /* NULL: negative entry */
	size_t path_len;
	int64_t expires_ns;       /* negative entries: CLOCK_MONOTONIC expiry */
	int has_container;
	struct container_info container;
	uint32_t prev, next;      /* LRU list, most recent at head */
	uint32_t hnext;           /* hash chain */
};

struct cgroup_cache {
	int mount_fd;             /* the cgroup2 mount; -1: none, nothing resolves */
	int use_walk;             /* file handles refused: walk the tree instead */
	uint64_t root_ino;        /* inode (= cgroup id) of the mount's root */
	char *mount_point;        /* as in mountinfo, unescaped */
	char *root;               /* mountinfo root of the mount; "" when "/" */
	struct cgroup_entry *e;
	uint32_t *buckets;
	uint32_t cap, nbuckets, used, head, tail;
	uint64_t hits, misses, failures;
};

/*
 * Find the cgroup2 mount in /proc/self/mountinfo and open it. With no cgroup2
 * mount the cache still works and resolves nothing (0 is returned). 0 or
 * negative errno (out of memory).
 */
int cgroup_cache_init(struct cgroup_cache *c, uint32_t cap);

/* Safe on a zeroed or freed cache. */
void cgroup_cache_free(struct cgroup_cache *c);

/*
 * The entry of id: path relative to the cgroup2 root ("/", "/system.slice/x"),
 * and the container it names. NULL when id does not resolve (removed cgroup,
 * no cgroup2 mount). The entry stays valid until the next call.
 */
const struct cgroup_entry *cgroup_cache_get(struct cgroup_cache *c, uint64_t id);

#endif
