// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cgroup id -> path. The id in a record is the kernfs node id of the cgroup
 * directory; on the cgroup2 file system that id is also a file handle
 * (FILEID_KERNFS: type 0xfe, the 8-byte id), so open_by_handle_at() on the
 * mount opens the directory directly and /proc/self/fd names it. That needs
 * CAP_DAC_READ_SEARCH; without it we walk the hierarchy comparing inode
 * numbers (equal to the id on 64-bit kernels). Every found path is checked
 * by looking it up again and comparing the inode, so a cgroup removed while
 * we resolve it (its link gains " (deleted)") gives no path rather than a
 * wrong one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_cache.h"

#define NIL UINT32_MAX
#define FILEID_KERNFS 0xfe
#define CGROUP2_MAGIC 0x63677270
#define WALK_DEPTH_MAX 64

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/*
 * The cgroup2 mount to use: the first one whose root is the hierarchy's root
 * (a bind mount of a subtree only sees part of it), else the first one.
 */
static int find_mount(struct cgroup_cache *c, const char *mountinfo)
{
	FILE *f = fopen(mountinfo, "re");
	char *line = NULL;
	size_t lcap = 0;
	int r = 0;

	if (!f)
		return 0;
	while (getline(&line, &lcap, f) > 0) {
		char *sep = strstr(line, " - "), *save = NULL, *field[5];
		int n = 0;

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		*sep = '\0';
		for (char *t = strtok_r(line, " ", &save); t && n < 5;
		     t = strtok_r(NULL, " ", &save))
			field[n++] = t;
		if (n < 5)
			continue;
		unescape_octal(field[3]);
		unescape_octal(field[4]);
		if (c->mount_point && (c->root[0] == '\0' || strcmp(field[3], "/") != 0))
			continue;
		free(c->mount_point);
		free(c->root);
		c->mount_point = strdup(field[4]);
		c->root = strdup(strcmp(field[3], "/") == 0 ? "" : field[3]);
		if (!c->mount_point || !c->root) {
			r = -ENOMEM;
			break;
		}
	}
	free(line);
	fclose(f);
	return r;
}

/* Can this mount be read through file handles? */
static int handles_work(struct cgroup_cache *c)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + 128];
	} h;
	int mnt_id;
	uint64_t id;

	h.fh.handle_bytes = 128;
	if (name_to_handle_at(c->mount_fd, "", &h.fh, &mnt_id, AT_EMPTY_PATH) < 0)
		return 0;
	if (h.fh.handle_type != FILEID_KERNFS || h.fh.handle_bytes != sizeof(id))
		return 0;
	memcpy(&id, h.fh.f_handle, sizeof(id));
	return id == c->root_ino;
}

/* rel ("/" or "/a/b", relative to the mount) names the directory of id now. */
static int verify(struct cgroup_cache *c, const char *rel, uint64_t id)
{
	struct stat st;

	if (strcmp(rel, "/") == 0)
		return id == c->root_ino;
	return fstatat(c->mount_fd, rel + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode) && (uint64_t)st.st_ino == id;
}

/* Path of id relative to the mount into out[PATH_MAX]: length or negative errno. */
static int by_handle(struct cgroup_cache *c, uint64_t id, char *out)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	char link[64], *tmp = malloc(PATH_MAX);
	size_t mlen = strlen(c->mount_point);
	const char *rel;
	ssize_t n;
	int fd, r;

	if (!tmp)
		return -ENOMEM;
	h.fh.handle_bytes = sizeof(id);
	h.fh.handle_type = FILEID_KERNFS;
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(c->mount_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, tmp, PATH_MAX);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r)
		goto out;
	r = -ENAMETOOLONG;
	if (n >= PATH_MAX)
		goto out;
	tmp[n] = '\0';
	if (strcmp(c->mount_point, "/") == 0)
		mlen = 0;
	r = -ESTALE;
	if (strncmp(tmp, c->mount_point, mlen) != 0 || (tmp[mlen] != '/' && tmp[mlen] != '\0'))
		goto out;
	rel = tmp[mlen] ? tmp + mlen : "/";
	if (!verify(c, rel, id))
		goto out;
	r = (int)strlen(rel);
	memcpy(out, rel, (size_t)r + 1);
out:
	free(tmp);
	return r;
}

struct walk {
	struct cgroup_cache *c;
	uint64_t id;
	char *path; /* PATH_MAX */
	size_t len;
	unsigned visited;
	int found;
};

static uint32_t find(const struct cgroup_cache *c, uint64_t id);
static uint32_t slot_for(struct cgroup_cache *c, uint64_t id);
static void set_path(struct cgroup_cache *c, struct cgroup_entry *e, const char *rel, size_t len);

/*
 * A directory the walk passed: cache it while there is a free slot (never
 * evicting), so that walks, which cost a pass over the tree, stay rare.
 */
static void remember(struct cgroup_cache *c, uint64_t id, const char *rel, size_t len)
{
	if (c->used >= c->cap || find(c, id) != NIL)
		return;
	set_path(c, &c->e[slot_for(c, id)], rel, len);
}

/* Depth-first search below dfd (consumed) for the directory whose inode is w->id. */
static void walk_dir(struct walk *w, int dfd, unsigned depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		close(dfd);
		return;
	}
	while (!w->found && w->visited < CGROUP_WALK_MAX && (de = readdir(d))) {
		size_t nl = strlen(de->d_name), old = w->len;
		int sub;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 || old + 1 + nl >= PATH_MAX)
			continue;
		w->visited++;
		w->path[old] = '/';
		memcpy(w->path + old + 1, de->d_name, nl + 1);
		w->len = old + 1 + nl;
		if ((uint64_t)de->d_ino == w->id) {
			w->found = 1;
			break;
		}
		remember(w->c, (uint64_t)de->d_ino, w->path, w->len);
		if (depth < WALK_DEPTH_MAX) {
			sub = openat(dirfd(d), de->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				walk_dir(w, sub, depth + 1);
		}
		if (!w->found) {
			w->len = old;
			w->path[old] = '\0';
		}
	}
	closedir(d);
}

static int by_walk(struct cgroup_cache *c, uint64_t id, char *out)
{
	struct walk w = { .c = c, .id = id, .path = out };
	int fd;

	if (id == c->root_ino) {
		strcpy(out, "/");
		return 1;
	}
	fd = openat(c->mount_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	out[0] = '\0';
	walk_dir(&w, fd, 1);
	if (!w.found)
		return w.visited >= CGROUP_WALK_MAX ? -E2BIG : -ENOENT;
	return verify(c, out, id) ? (int)w.len : -ESTALE;
}

/* id -> path relative to the mount into out[PATH_MAX]: length or negative errno. */
static int resolve(struct cgroup_cache *c, uint64_t id, char *out)
{
	int r = -EPERM;

	if (!c->use_walk) {
		r = by_handle(c, id, out);
		/* refused (no CAP_DAC_READ_SEARCH) rather than not found */
		if (r == -EPERM || r == -EOPNOTSUPP || r == -EINVAL || r == -ENOSYS)
			c->use_walk = 1;
	}
	if (c->use_walk)
		r = by_walk(c, id, out);
	return r;
}

int cgroup_cache_init(struct cgroup_cache *c, uint32_t cap)
{
	struct statfs sfs;
	struct stat st;
	int r;

	memset(c, 0, sizeof(*c));
	c->mount_fd = -1;
	c->head = c->tail = NIL;
	c->cap = cap ? cap : CGROUP_CACHE_DEFAULT;
	c->nbuckets = 1;
	while (c->nbuckets < 2 * c->cap)
		c->nbuckets <<= 1;
	c->e = calloc(c->cap, sizeof(*c->e));
	c->buckets = malloc(c->nbuckets * sizeof(*c->buckets));
	if (!c->e || !c->buckets) {
		cgroup_cache_free(c);
		return -ENOMEM;
	}
	memset(c->buckets, 0xff, c->nbuckets * sizeof(*c->buckets));
	r = find_mount(c, "/proc/self/mountinfo");
	if (r) {
		cgroup_cache_free(c);
		return r;
	}
	if (!c->mount_point)
		return 0;
	c->mount_fd = open(c->mount_point, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->mount_fd < 0)
		return 0;
	if (fstatfs(c->mount_fd, &sfs) < 0 || sfs.f_type != CGROUP2_MAGIC ||
	    fstat(c->mount_fd, &st) < 0) {
		close(c->mount_fd);
		c->mount_fd = -1;
		return 0;
	}
	c->root_ino = (uint64_t)st.st_ino;
	c->use_walk = !handles_work(c);
	return 0;
}

void cgroup_cache_free(struct cgroup_cache *c)
{
	if (c->e)
		for (uint32_t i = 0; i < c->used; i++)
			free(c->e[i].path);
	free(c->e);
	free(c->buckets);
	/* the fd is opened only once mount_point is set: a zeroed cache owns no fd 0 */
	if (c->mount_point && c->mount_fd >= 0)
		close(c->mount_fd);
	free(c->mount_point);
	free(c->root);
	memset(c, 0, sizeof(*c));
	c->mount_fd = -1;
}

static uint32_t bucket_of(const struct cgroup_cache *c, uint64_t id)
{
	return (uint32_t)((id * 0x9e3779b97f4a7c15ull) >> 32) & (c->nbuckets - 1);
}

static void lru_unlink(struct cgroup_cache *c, uint32_t i)
{
	struct cgroup_entry *e = &c->e[i];

	if (e->prev != NIL)
		c->e[e->prev].next = e->next;
	else
		c->head = e->next;
	if (e->next != NIL)
		c->e[e->next].prev = e->prev;
	else
		c->tail = e->prev;
}

static void lru_push(struct cgroup_cache *c, uint32_t i)
{
	c->e[i].prev = NIL;
	c->e[i].next = c->head;
	if (c->head != NIL)
		c->e[c->head].prev = i;
	c->head = i;
	if (c->tail == NIL)
		c->tail = i;
}

static void hash_unlink(struct cgroup_cache *c, uint32_t i)
{
	uint32_t *p = &c->buckets[bucket_of(c, c->e[i].id)];

	while (*p != i)
		p = &c->e[*p].hnext;
	*p = c->e[i].hnext;
}

static uint32_t find(const struct cgroup_cache *c, uint64_t id)
{
	uint32_t i;

	for (i = c->buckets[bucket_of(c, id)]; i != NIL; i = c->e[i].hnext)
		if (c->e[i].id == id)
			break;
	return i;
}

/* e's path: the mount's root, then rel ("/" or "/a/b", len bytes). NULL on ENOMEM. */
static void set_path(struct cgroup_cache *c, struct cgroup_entry *e, const char *rel, size_t len)
{
	size_t rl = strlen(c->root);

	if (rl && len == 1)
		len = 0; /* the mount's root is the root's own path, no trailing '/' */
	e->path = malloc(rl + len + 1);
	if (!e->path)
		return;
	memcpy(e->path, c->root, rl);
	memcpy(e->path + rl, rel, len);
	e->path[rl + len] = '\0';
	e->path_len = rl + len;
	e->has_container = container_parse(e->path, e->path_len, &e->container);
}

/* A slot for id, linked into the hash and at the head of the LRU list. */
static uint32_t slot_for(struct cgroup_cache *c, uint64_t id)
{
	uint32_t i, b = bucket_of(c, id);

	if (c->used < c->cap) {
		i = c->used++;
	} else {
		i = c->tail;
		lru_unlink(c, i);
		hash_unlink(c, i);
		free(c->e[i].path);
	}
	memset(&c->e[i], 0, sizeof(c->e[i]));
	c->e[i].id = id;
	c->e[i].hnext = c->buckets[b];
	c->buckets[b] = i;
	lru_push(c, i);
	return i;
}

const struct cgroup_entry *cgroup_cache_get(struct cgroup_cache *c, uint64_t id)
{
	struct cgroup_entry *e;
	uint32_t i;
	char *buf;
	int r;

	if (c->mount_fd < 0)
		return NULL;
	i = find(c, id);
	if (i != NIL) {
		lru_unlink(c, i);
		lru_push(c, i);
		e = &c->e[i];
		if (e->path || now_ns() < e->expires_ns) {
			c->hits++;
			return e->path ? e : NULL;
		}
	} else {
		e = &c->e[slot_for(c, id)];
	}
	c->misses++;
	buf = malloc(PATH_MAX);
	r = buf ? resolve(c, id, buf) : -ENOMEM;
	if (r >= 0)
		set_path(c, e, buf, (size_t)r);
	free(buf);
	if (!e->path) {
		c->failures++;
		e->expires_ns = now_ns() + (int64_t)CGROUP_NEG_TTL_MS * 1000000;
		return NULL;
	}
	return e;
}
