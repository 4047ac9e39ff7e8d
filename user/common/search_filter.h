/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The filters of `caudit search`, `tail` and `report` (combined with AND)
 * and their test on one scanned record. Pure: names are resolved to uids
 * by the caller, times are already in ns.
 */
#ifndef CAUDIT_SEARCH_FILTER_H
#define CAUDIT_SEARCH_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "rec_scan.h"

#define SF_MAX_TREE (1u << 20) /* exec ids remembered for --tree */

struct sf_cidr {
	int family; /* 0: none, 4 or 6 */
	uint8_t addr[16];
	unsigned prefix;
};

struct sf_tree {
	char (*ids)[17]; /* sorted exec ids (16 hex) */
	size_t n, cap;
};

struct sf_filter {
	int64_t since, until; /* ns; INT64_MIN / INT64_MAX when not given */
	/* --user: its uid (when known) matches uid, euid or auid; its name, name or login */
	int64_t user_uid; /* -1: none */
	const char *user_name;
	int64_t login_uid; /* --login: auid */
	const char *login_name;
	int64_t session;   /* -1: none */
	const char *event; /* glob */
	const char *syscall;
	const char *path;			   /* exact, directory prefix or glob */
	const char *exe, *comm, *host, *container; /* exact or glob (container: id prefix) */
	int64_t pid, ppid;			   /* -1: none */
	const char *exec_id;
	int tree; /* with exec_id: its descendants too */
	struct sf_cidr ip;
	int64_t port;	 /* -1: none */
	int result;	 /* 0 any, 1 success, 2 failure */
	const char *err; /* --errno: a name (ENOENT) or a number */
	const char *key;
	int access; /* 0 any, 1 read, 2 write */
	struct sf_tree t;
};

void sf_init(struct sf_filter *f);
void sf_free(struct sf_filter *f);

/* --ip: "10.0.0.0/8", "::1", "192.168.1.5". 0 or -EINVAL. */
int sf_parse_cidr(const char *s, struct sf_cidr *c);
/* 1 when the address text a (as in a record) lies in c. */
int sf_cidr_match(const struct sf_cidr *c, struct rs_str a);

/*
 * 1 when the record v matches every filter given. time_ns is the record's
 * time (already parsed). With --tree, records are fed in seq order: an exec
 * or fork whose parent is in the tree adds its exec id.
 */
int sf_match(struct sf_filter *f, const struct rec_view *v, int64_t time_ns);

/* 1 when the filters look at the path / ip / etc. (for the index) */
int sf_glob_literal_prefix(const char *glob, char *out, size_t len);

#endif
