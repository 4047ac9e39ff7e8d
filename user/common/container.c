// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Container identity from cgroup v2 path names. Each runtime names the cgroup
 * it creates for a container in its own way (systemd scopes for the systemd
 * cgroup driver, plain directories for the cgroupfs driver); we look at one
 * path component at a time, left to right, and keep the last (innermost)
 * component that names a container.
 */
#include <string.h>

#include "container.h"

#define HEX_ID_LEN 64

struct comp {
	const char *s;
	size_t n;
};

static int comp_is(const struct comp *c, const char *lit)
{
	size_t l = strlen(lit);

	return c->n == l && memcmp(c->s, lit, l) == 0;
}

static int starts(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(s, lit, l) == 0;
}

static int ends(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(s + n - l, lit, l) == 0;
}

static int is_lower_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

static int is_hex_id(const char *s, size_t n)
{
	if (n != HEX_ID_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_hex(s[i]))
			return 0;
	return 1;
}

/*
 * c is "<prefix><64 hex><suffix>" (suffix may be absent when optional):
 * copy the hex id to id.
 */
static int hex_named(const struct comp *c, const char *prefix, const char *suffix, int optional,
		     char *id)
{
	const char *s = c->s;
	size_t n = c->n, pl = strlen(prefix);

	if (!starts(s, n, prefix))
		return 0;
	s += pl;
	n -= pl;
	if (ends(s, n, suffix))
		n -= strlen(suffix);
	else if (!optional)
		return 0;
	if (!is_hex_id(s, n))
		return 0;
	memcpy(id, s, n);
	id[n] = '\0';
	return 1;
}

/*
 * A pod uid as the kubelet writes it: 8-4-4-4-12 lowercase hex, or 32 hex
 * digits for static pods. The systemd driver writes '_' for '-' (a '-' in a
 * slice name means nesting); both are accepted and '-' is stored.
 */
static int pod_uid(const char *s, size_t n, char *pod)
{
	if (n != 32 && n != 36)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int dash = n == 36 && (i == 8 || i == 13 || i == 18 || i == 23);
		char ch = s[i];

		if (dash ? ch != '-' && ch != '_' : !is_lower_hex(ch))
			return 0;
		pod[i] = dash ? '-' : ch;
	}
	pod[n] = '\0';
	return 1;
}

/* One of the '-' separated words of s[0..n) is "kubepods". */
static int has_kubepods_word(const char *s, size_t n)
{
	size_t i = 0;

	while (i <= n) {
		size_t start = i;

		while (i < n && s[i] != '-')
			i++;
		if (i - start == strlen("kubepods") &&
		    memcmp(s + start, "kubepods", i - start) == 0)
			return 1;
		i++;
	}
	return 0;
}

/*
 * A pod cgroup: "pod<uid>" under a kubepods ancestor (cgroupfs driver), or
 * "<...>-pod<uid>.slice" where <...> has the word kubepods (systemd driver:
 * kubepods-<qos>-pod<uid>.slice, kubepods-pod<uid>.slice for guaranteed
 * pods, kubelet-kubepods-<qos>-pod<uid>.slice under a kubelet cgroup root).
 */
static int pod_comp(const char *s, size_t n, int under_kubepods, char *pod)
{
	size_t i;

	if (under_kubepods && starts(s, n, "pod"))
		return pod_uid(s + 3, n - 3, pod);
	if (!ends(s, n, ".slice"))
		return 0;
	n -= strlen(".slice");
	/* the uid has no "-pod" in it: the last one starts it */
	for (i = n; i >= 4; i--)
		if (memcmp(s + i - 4, "-pod", 4) == 0)
			break;
	if (i < 4 || !has_kubepods_word(s, i - 4))
		return 0;
	return pod_uid(s + i, n - i, pod);
}

/* A name copied as is: not empty, no NUL, at most CONTAINER_ID_MAX bytes. */
static int plain_name(const char *s, size_t n, char *id)
{
	if (n == 0 || n > CONTAINER_ID_MAX || memchr(s, '\0', n))
		return 0;
	memcpy(id, s, n);
	id[n] = '\0';
	return 1;
}

static int hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * A systemd unit instance name, unescaped ("my\x2dbox" -> "my-box"). Any
 * other backslash, a NUL (escaped or not), an empty or too long result is
 * refused.
 */
static int unit_name(const char *s, size_t n, char *id)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '\\') {
			int hi, lo;

			if (i + 3 >= n || s[i + 1] != 'x' || (hi = hex_val(s[i + 2])) < 0 ||
			    (lo = hex_val(s[i + 3])) < 0)
				return 0;
			ch = (char)(hi << 4 | lo);
			i += 3;
		}
		if (ch == '\0' || len == CONTAINER_ID_MAX)
			return 0;
		id[len++] = ch;
	}
	if (len == 0)
		return 0;
	id[len] = '\0';
	return 1;
}

/*
 * "<pod slice>:<runtime>:<hex>": the cgroupsPath form the kubelet passes
 * with the systemd driver, seen as a directory name when a runtime uses it
 * under its own cgroup (e.g. /system.slice/containerd.service/<this>).
 */
static const char *colon_form(const struct comp *c, struct container_info *ci)
{
	static const struct {
		const char *name, *runtime;
	} rts[] = {
		{ "cri-containerd", "containerd" },
		{ "crio", "cri-o" },
		{ "docker", "docker" },
	};
	const char *c1 = memchr(c->s, ':', c->n), *c2;
	size_t rest;

	if (!c1)
		return NULL;
	rest = c->n - (size_t)(c1 + 1 - c->s);
	c2 = memchr(c1 + 1, ':', rest);
	if (!c2 || !is_hex_id(c2 + 1, c->n - (size_t)(c2 + 1 - c->s)))
		return NULL;
	if (!pod_comp(c->s, (size_t)(c1 - c->s), 0, ci->pod))
		return NULL;
	for (size_t i = 0; i < sizeof(rts) / sizeof(rts[0]); i++) {
		if ((size_t)(c2 - c1 - 1) == strlen(rts[i].name) &&
		    memcmp(c1 + 1, rts[i].name, strlen(rts[i].name)) == 0) {
			memcpy(ci->id, c2 + 1, HEX_ID_LEN);
			ci->id[HEX_ID_LEN] = '\0';
			return rts[i].runtime;
		}
	}
	return NULL;
}

/*
 * Does component c (prev: the one before it, prev_first: prev is the first one,
 * parent_pod: the pod uid when prev is a pod cgroup, else NULL) name a
 * container? Fills *ci (id, pod) and returns the runtime, or NULL.
 */
static const char *match(const struct comp *c, const struct comp *prev, int prev_first,
			 const char *parent_pod, struct container_info *ci)
{
	const char *rt = NULL;

	ci->pod[0] = '\0';
	if (hex_named(c, "docker-", ".scope", 0, ci->id))
		rt = "docker";
	else if (prev && comp_is(prev, "docker") && hex_named(c, "", "", 0, ci->id))
		rt = "docker";
	else if (hex_named(c, "cri-containerd-", ".scope", 0, ci->id) ||
		 hex_named(c, "nerdctl-", ".scope", 0, ci->id))
		rt = "containerd";
	else if (hex_named(c, "crio-", ".scope", 1, ci->id))
		rt = "cri-o";
	else if (hex_named(c, "libpod-", ".scope", 1, ci->id))
		rt = "podman";
	else if (parent_pod && hex_named(c, "", "", 0, ci->id))
		rt = "kubernetes";
	else if (starts(c->s, c->n, "systemd-nspawn@") && ends(c->s, c->n, ".service") &&
		 unit_name(c->s + strlen("systemd-nspawn@"),
			   c->n - strlen("systemd-nspawn@") - strlen(".service"), ci->id))
		rt = "systemd-nspawn";
	else if (starts(c->s, c->n, "lxc.payload.") &&
		 plain_name(c->s + strlen("lxc.payload."), c->n - strlen("lxc.payload."), ci->id))
		rt = "lxc";
	else if (prev && (comp_is(prev, "lxc.payload") || (prev_first && comp_is(prev, "lxc"))) &&
		 plain_name(c->s, c->n, ci->id))
		rt = "lxc";
	else if ((rt = colon_form(c, ci)))
		return rt;
	if (rt && parent_pod)
		memcpy(ci->pod, parent_pod, strlen(parent_pod) + 1);
	return rt;
}

int container_parse(const char *path, size_t n, struct container_info *out)
{
	struct container_info best, cur;
	struct comp c, prev = { NULL, 0 };
	char pod[2][CONTAINER_POD_MAX + 1];
	int found = 0, under_kubepods = 0, have_pod = 0, ncomp = 0, k = 0;
	size_t i = 0;

	while (i < n) {
		const char *rt;

		while (i < n && path[i] == '/')
			i++;
		if (i == n)
			break;
		c.s = path + i;
		while (i < n && path[i] != '/')
			i++;
		c.n = (size_t)(path + i - c.s);
		rt = match(&c, ncomp ? &prev : NULL, ncomp == 1, have_pod ? pod[k] : NULL, &cur);
		if (rt) {
			cur.runtime = rt;
			best = cur;
			found = 1;
		}
		/* is this component a pod cgroup, for the next one? */
		have_pod = pod_comp(c.s, c.n, under_kubepods, pod[k ^ 1]);
		k ^= 1;
		if (starts(c.s, c.n, "kubepods"))
			under_kubepods = 1;
		prev = c;
		ncomp++;
	}
	if (!found)
		return 0;
	*out = best;
	return 1;
}
