/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A real systemd booted in a systemd-nspawn container, for the tests of the
 * units (test_systemd.c, test_systemd_forward.c). PID 1 of the test machine
 * is not systemd: the container runs the cached debootstrap root of
 * tests/integration/systemd-rootfs.sh under an overlay (the cache stays
 * clean), with `make install DESTDIR=<root>` done into it. It shares the
 * host's network namespace: a server on the host's loopback is reachable
 * from inside. No cmocka here: -1 with a message on stderr.
 */
#ifndef CAUDIT_NSPAWN_H
#define CAUDIT_NSPAWN_H

#include <limits.h>
#include <sys/types.h>

struct nspawn {
	char dir[256]; /* the test's directory: overlay layers, nspawn.log */
	char root[320], upper[320], work[320];
	char lower[PATH_MAX];
	int mounted;
	pid_t nspawn; /* systemd-nspawn */
	pid_t init;   /* the container's systemd, as the host sees it */
};

/*
 * Run a shell command on the host; its exit status (128 + signal when
 * killed), its output (stdout and stderr) in *out (malloc'd) if non-NULL.
 */
int nspawn_host(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same in the container (all its namespaces); the command must not contain '. */
int nspawn_run(const struct nspawn *c, char **out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Overlay over the cached root, then make install into it. 0 or -1. */
int nspawn_prepare(struct nspawn *c);
/* Boot it (extra: more systemd-nspawn arguments, NULL end); 0 once systemd runs, or -1. */
int nspawn_boot(struct nspawn *c, const char *const extra[]);
/* Power off (SIGTERM to nspawn, SIGKILL after 20 s), unmount, remove the directory. */
void nspawn_destroy(struct nspawn *c);
/* The host path of a path in the container (malloc'd). */
char *nspawn_path(const struct nspawn *c, const char *path);
/* Strip trailing newlines and spaces in place. */
char *nspawn_trim(char *s);

#endif
