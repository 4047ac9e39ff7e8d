/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Which container a cgroup v2 path belongs to, from the names container
 * runtimes give their cgroups (docs/schema.md, section 6). Pure module: no
 * I/O. The path comes from the kernel but its components are chosen by
 * whoever created the cgroups, so every byte is checked: ids that must be 64
 * lowercase hex digits are rejected otherwise, and lengths are bounded.
 */
#ifndef CAUDIT_CONTAINER_H
#define CAUDIT_CONTAINER_H

#include <stddef.h>

/* Longest name kept as an id (machine and LXC names; hex ids are 64). */
#define CONTAINER_ID_MAX 128
/* A Kubernetes pod uid: 36 with dashes, 32 for static pods (config hash). */
#define CONTAINER_POD_MAX 36

struct container_info {
	const char *runtime;                 /* static string: "docker", "containerd", ... */
	char id[CONTAINER_ID_MAX + 1];       /* NUL-terminated, never empty, no NUL inside */
	char pod[CONTAINER_POD_MAX + 1];     /* pod uid, "" when not a Kubernetes pod */
};

/*
 * Parse the cgroup path (n bytes, relative to the cgroup2 root: "/a/b",
 * embedded NULs allowed and never matched). Returns 1 and fills *out when a
 * component names a container; the innermost such component wins, so a
 * container inside a container reports the inner one. Returns 0 and leaves
 * *out untouched otherwise. Runtimes and what they match:
 *   docker          .../docker-<hex>.scope, .../docker/<hex>
 *   containerd      .../cri-containerd-<hex>.scope, .../nerdctl-<hex>.scope
 *   cri-o           .../crio-<hex>.scope, .../crio-<hex> (crio-conmon-* is the monitor)
 *   podman          .../libpod-<hex>.scope, .../libpod-<hex> (libpod-conmon-* is the monitor)
 *   kubernetes      .../kubepods.../pod<uid>/<hex> (cgroupfs driver: the runtime is not named)
 *   systemd-nspawn  .../systemd-nspawn@<name>.service (name unescaped: \x2d -> '-')
 *   lxc             /lxc.payload.<name>, /lxc.payload/<name>, /lxc/<name>
 * <hex> is exactly 64 lowercase hex digits. Kubepods slices
 * (kubepods-<qos>-pod<uid>.slice, kubepods/<qos>/pod<uid>) fill pod for the
 * container directly inside them, also in the "<slice>:<runtime>:<hex>" form.
 */
int container_parse(const char *path, size_t n, struct container_info *out);

#endif
