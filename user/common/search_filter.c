/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Record filters. Every filter reads the field names of docs/schema.md,
 * including those other features add (origin, net, container, keys): a
 * filter on a field a record does not have simply does not match it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "search_filter.h"

void sf_init(struct sf_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->since = INT64_MIN;
	f->until = INT64_MAX;
	f->user_uid = f->login_uid = f->session = f->pid = f->ppid = f->port = -1;
}

void sf_free(struct sf_filter *f)
{
	free(f->t.ids);
	f->t.ids = NULL;
	f->t.n = f->t.cap = 0;
}

int sf_parse_cidr(const char *s, struct sf_cidr *c)
{
	char buf[64], *slash;
	unsigned max;

	memset(c, 0, sizeof(*c));
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET, buf, c->addr) == 1) {
		c->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		c->family = 6;
		max = 128;
	} else {
		return -EINVAL;
	}
	c->prefix = max;
	if (slash) {
		char *end;
		unsigned long p;

		errno = 0;
		p = strtoul(slash, &end, 10);
		if (!*slash || *end || errno || p > max)
			return -EINVAL;
		c->prefix = (unsigned)p;
	}
	return 0;
}

static int prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full))
		return 0;
	return !rest || ((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

int sf_cidr_match(const struct sf_cidr *c, struct rs_str a)
{
	char buf[64];
	uint8_t x[16];

	if (!a.p || a.n >= sizeof(buf))
		return 0;
	memcpy(buf, a.p, a.n);
	buf[a.n] = 0;
	if (c->family == 4 && inet_pton(AF_INET, buf, x) == 1)
		return prefix_eq(x, c->addr, c->prefix);
	if (c->family == 6 && inet_pton(AF_INET6, buf, x) == 1)
		return prefix_eq(x, c->addr, c->prefix);
	/* an IPv4-mapped IPv6 address in the record against an IPv4 range */
	if (c->family == 4 && inet_pton(AF_INET6, buf, x) == 1) {
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

		return !memcmp(x, mapped, 12) && prefix_eq(x + 12, c->addr, c->prefix);
	}
	return 0;
}

static int has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* s (not NUL-terminated) against pattern: a glob when it has wildcards, else equality. */
static int str_match(const char *pat, struct rs_str s, int flags)
{
	char buf[4096];

	if (!s.p)
		return 0;
	if (!has_glob(pat))
		return strlen(pat) == s.n && !memcmp(pat, s.p, s.n);
	if (s.n >= sizeof(buf))
		return 0;
	memcpy(buf, s.p, s.n);
	buf[s.n] = 0;
	return fnmatch(pat, buf, flags) == 0;
}

/* --path: equal, under the directory pat, or a glob over the whole path. */
static int path_match(const char *pat, struct rs_str p)
{
	size_t n = strlen(pat);

	if (!p.p)
		return 0;
	if (has_glob(pat))
		return str_match(pat, p, 0);
	while (n > 1 && pat[n - 1] == '/')
		n--;
	if (p.n < n || memcmp(p.p, pat, n))
		return 0;
	return p.n == n || p.p[n] == '/' || (n == 1 && pat[0] == '/');
}

static int num_is(const struct rs_num *n, int64_t v)
{
	return n->set && n->v == v;
}

static int user_match(const struct sf_filter *f, const struct rec_view *v)
{
	if (f->user_uid >= 0 &&
	    (num_is(&v->n[RS_UID], f->user_uid) || num_is(&v->n[RS_EUID], f->user_uid) ||
	     num_is(&v->n[RS_AUID], f->user_uid)))
		return 1;
	if (f->user_name &&
	    (rs_eq(v->s[RS_USER_NAME], f->user_name) || rs_eq(v->s[RS_LOGIN], f->user_name)))
		return 1;
	return 0;
}

static int login_match(const struct sf_filter *f, const struct rec_view *v)
{
	if (f->login_uid >= 0 && num_is(&v->n[RS_AUID], f->login_uid))
		return 1;
	return f->login_name && rs_eq(v->s[RS_LOGIN], f->login_name);
}

static int errno_match(const char *want, const struct rec_view *v)
{
	char *end;
	long n = strtol(want, &end, 10);

	if (*want && !*end)
		return v->n[RS_RET].set && v->n[RS_RET].v == -n && n > 0;
	return v->s[RS_ERRNO].p && strlen(want) == v->s[RS_ERRNO].n &&
	       !strncasecmp(want, v->s[RS_ERRNO].p, v->s[RS_ERRNO].n);
}

static int tree_find(const struct sf_tree *t, struct rs_str id, size_t *pos)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(t->ids[mid], id.p, id.n);

		if (!c && t->ids[mid][id.n])
			c = 1;
		if (c < 0)
			lo = mid + 1;
		else if (c > 0)
			hi = mid;
		else {
			*pos = mid;
			return 1;
		}
	}
	*pos = lo;
	return 0;
}

static void tree_add(struct sf_tree *t, struct rs_str id)
{
	size_t pos;

	if (!id.p || id.n != 16 || tree_find(t, id, &pos) || t->n >= SF_MAX_TREE)
		return;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		void *p = realloc(t->ids, cap * sizeof(*t->ids));

		if (!p)
			return;
		t->ids = p;
		t->cap = cap;
	}
	memmove(&t->ids[pos + 1], &t->ids[pos], (t->n - pos) * sizeof(*t->ids));
	memcpy(t->ids[pos], id.p, 16);
	t->ids[pos][16] = 0;
	t->n++;
}

static int exec_match(struct sf_filter *f, const struct rec_view *v)
{
	struct rs_str id = v->s[RS_EXEC_ID], parent = v->s[RS_PARENT_EXEC_ID];
	size_t pos;

	if (!f->tree)
		return rs_eq(id, f->exec_id);
	if (!f->t.n) {
		struct rs_str root = {f->exec_id, (uint32_t)strlen(f->exec_id)};

		tree_add(&f->t, root);
	}
	if (!id.p)
		return 0;
	if (tree_find(&f->t, id, &pos))
		return 1;
	/* a new image or child whose parent is in the tree joins it */
	if (parent.p && tree_find(&f->t, parent, &pos)) {
		tree_add(&f->t, id);
		return 1;
	}
	return 0;
}

int sf_match(struct sf_filter *f, const struct rec_view *v, int64_t t)
{
	/* first: with --tree every record may grow the tree, matched or not */
	if (f->exec_id && !exec_match(f, v))
		return 0;
	if (t < f->since || t >= f->until)
		return 0;
	if ((f->user_uid >= 0 || f->user_name) && !user_match(f, v))
		return 0;
	if ((f->login_uid >= 0 || f->login_name) && !login_match(f, v))
		return 0;
	if (f->session >= 0 && !num_is(&v->n[RS_SESSION], f->session))
		return 0;
	if (f->event && !str_match(f->event, v->s[RS_EVENT], 0))
		return 0;
	/* the store's own records (log.segment, log.seal...) only when asked for by name */
	if (!f->event && v->s[RS_EVENT].p && v->s[RS_EVENT].n > 4 &&
	    !memcmp(v->s[RS_EVENT].p, "log.", 4))
		return 0;
	if (f->syscall && !rs_eq(v->s[RS_SYSCALL], f->syscall))
		return 0;
	if (f->path && !path_match(f->path, v->s[RS_PATH]) &&
	    !path_match(f->path, v->s[RS_PATH2]) && !path_match(f->path, v->s[RS_EXEC_FILENAME]))
		return 0;
	if (f->exe && !str_match(f->exe, v->s[RS_EXE], 0))
		return 0;
	if (f->comm && !str_match(f->comm, v->s[RS_COMM], 0))
		return 0;
	if (f->host && !str_match(f->host, v->s[RS_HOST], 0))
		return 0;
	if (f->container) {
		struct rs_str c = v->s[RS_CONTAINER];
		size_t n = strlen(f->container);

		if (!c.p || c.n < n || memcmp(c.p, f->container, n))
			return 0;
	}
	if (f->pid >= 0 && !num_is(&v->n[RS_PID], f->pid))
		return 0;
	if (f->ppid >= 0 && !num_is(&v->n[RS_PPID], f->ppid))
		return 0;
	if (f->ip.family && !sf_cidr_match(&f->ip, v->s[RS_ORIGIN_IP]) &&
	    !sf_cidr_match(&f->ip, v->s[RS_SRC_IP]) && !sf_cidr_match(&f->ip, v->s[RS_DST_IP]))
		return 0;
	if (f->port >= 0 && !num_is(&v->n[RS_ORIGIN_PORT], f->port) &&
	    !num_is(&v->n[RS_SRC_PORT], f->port) && !num_is(&v->n[RS_DST_PORT], f->port))
		return 0;
	if (f->result && !rs_eq(v->s[RS_OUTCOME], f->result == 1 ? "success" : "failure"))
		return 0;
	if (f->err && !errno_match(f->err, v))
		return 0;
	if (f->key) {
		unsigned i;

		for (i = 0; i < v->nkeys && !rs_eq(v->keys[i], f->key); i++)
			;
		if (i == v->nkeys)
			return 0;
	}
	if (f->access && !rs_eq(v->s[RS_ACCESS], f->access == 1 ? "read" : "write"))
		return 0;
	return 1;
}

int sf_glob_literal_prefix(const char *glob, char *out, size_t len)
{
	size_t n = strcspn(glob, "*?[\\");

	if (n >= len)
		return -ENOSPC;
	memcpy(out, glob, n);
	out[n] = 0;
	return 0;
}
