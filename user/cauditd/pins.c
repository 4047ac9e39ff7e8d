/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include <bpf/bpf.h>

#include "log.h"
#include "pins.h"

#define BPFFS "/sys/fs/bpf"
#define PINS_MAGIC 0x63617564697470ull /* "cauditp", layout 1 */

struct pins_meta {
	uint64_t magic;
	uint8_t stamp[PINS_STAMP_LEN];
	uint64_t drops_reported[PINS_DROPS];
};

struct pins {
	char dir[PATH_MAX];
	char old[PATH_MAX + 8];
	int have_old;
	int meta_fd;
	struct pins_meta meta;
	struct ring_ack *ack;
	struct ring_ack *old_ack;
	size_t ack_len;
};

static size_t ack_map_len(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (sizeof(struct ring_ack) + page - 1) / page * page;
}

static int path_of(char *out, size_t len, const char *dir, const char *prefix, const char *name)
{
	size_t d = strlen(dir), p = strlen(prefix), n = strlen(name);

	if (d + 1 + p + n + 1 > len)
		return -ENAMETOOLONG;
	memcpy(out, dir, d);
	out[d] = '/';
	memcpy(out + d + 1, prefix, p);
	memcpy(out + d + 1 + p, name, n + 1);
	return 0;
}

static void undot(char *name)
{
	for (; *name; name++)
		if (*name == '.')
			*name = '_';
}

/* bpffs must hold dir: mount it on /sys/fs/bpf when a fresh machine lacks it. */
static int ensure_bpffs(const char *dir, char *err, size_t errlen)
{
	char parent[PATH_MAX];
	char *slash;
	struct statfs st;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent) {
		snprintf(err, errlen, "pin_dir %s: must be a directory below a bpffs mount", dir);
		return -EINVAL;
	}
	*slash = 0;
	if (statfs(parent, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (strcmp(parent, BPFFS) == 0 &&
	    mount("bpf", BPFFS, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") == 0)
		return 0;
	snprintf(err, errlen, "pin_dir %s: %s is not a bpffs mount (mount -t bpf bpf %s)", dir,
		 parent, parent);
	return -ENOTDIR;
}

static int dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int empty = 1;

	if (!d)
		return 1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

/* Unlink entries starting with prefix ("" = all). Links first stops capture first. */
static void unlink_prefix(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 &&
		    unlinkat(dirfd(d), de->d_name, 0) < 0)
			log_msg(LOG_WARNING, "unpin %s/%s: %s", dir, de->d_name, strerror(errno));
	}
	closedir(d);
}

int pins_remove_dir(const char *dir)
{
	struct stat sb;

	if (stat(dir, &sb) < 0)
		return errno == ENOENT ? 0 : -errno;
	unlink_prefix(dir, "link_");
	unlink_prefix(dir, "");
	return rmdir(dir) < 0 ? -errno : 0;
}

static int read_meta(int fd, struct pins_meta *m)
{
	uint32_t zero = 0;

	return bpf_map_lookup_elem(fd, &zero, m) < 0 ? -errno : 0;
}

static struct ring_ack *map_ack(const char *dir, int create, size_t len)
{
	char path[PATH_MAX];
	int fd;
	void *p;

	if (path_of(path, sizeof(path), dir, "", "ack"))
		return NULL;
	fd = bpf_obj_get(path);
	if (fd < 0 && create) {
		LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);

		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "caudit_ack", 4, sizeof(struct ring_ack_ent),
				    RING_ACK_MAX + 1, &o);
		if (fd >= 0 && bpf_obj_pin(fd, path) < 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

int pins_open(struct pins **out, const char *dir, const uint8_t stamp[PINS_STAMP_LEN],
	      enum pins_state *state, char *err, size_t errlen)
{
	struct pins *p = calloc(1, sizeof(*p));
	char path[PATH_MAX];
	int r;

	if (!p)
		return -ENOMEM;
	p->meta_fd = -1;
	p->ack_len = ack_map_len();
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	/* bpffs refuses dots in names: "-old", and "_" for ".bss" in map names */
	snprintf(p->old, sizeof(p->old), "%s-old", dir);
	r = ensure_bpffs(dir, err, errlen);
	if (r)
		goto fail;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		snprintf(err, errlen, "pin_dir %s: %s", dir, strerror(errno));
		goto fail;
	}
	*state = PINS_NONE;
	path_of(path, sizeof(path), dir, "", "meta");
	p->meta_fd = bpf_obj_get(path);
	if (p->meta_fd >= 0 && read_meta(p->meta_fd, &p->meta) == 0 &&
	    p->meta.magic == PINS_MAGIC && !memcmp(p->meta.stamp, stamp, PINS_STAMP_LEN)) {
		*state = PINS_REUSE;
	} else if (!dir_empty(dir)) {
		/* another version, other sizes, or a pinning that did not finish */
		if (p->meta_fd >= 0)
			close(p->meta_fd);
		p->meta_fd = -1;
		memset(&p->meta, 0, sizeof(p->meta));
		if (!dir_empty(p->old)) {
			log_msg(LOG_WARNING, "%s: left by an unfinished handover, removed", p->old);
			pins_remove_dir(p->old);
		} else {
			rmdir(p->old);
		}
		if (rename(dir, p->old) < 0 || mkdir(dir, 0700) < 0) {
			r = -errno;
			snprintf(err, errlen, "pin_dir %s: move old pins aside: %s", dir,
				 strerror(errno));
			goto fail;
		}
		p->have_old = 1;
		*state = PINS_OLD;
	}
	p->meta.magic = PINS_MAGIC;
	memcpy(p->meta.stamp, stamp, PINS_STAMP_LEN);
	p->ack = map_ack(dir, 1, p->ack_len);
	if (!p->ack) {
		r = -errno ? -errno : -EINVAL;
		snprintf(err, errlen, "pin_dir %s: consumer journal: %s", dir, strerror(-r));
		goto fail;
	}
	*out = p;
	return 0;
fail:
	pins_close(p);
	return r;
}

void pins_close(struct pins *p)
{
	if (!p)
		return;
	if (p->ack)
		munmap(p->ack, p->ack_len);
	if (p->old_ack)
		munmap(p->old_ack, p->ack_len);
	if (p->meta_fd >= 0)
		close(p->meta_fd);
	free(p);
}

static int pinned_get(const char *dir, const char *prefix, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (path_of(path, sizeof(path), dir, prefix, name))
		return -ENAMETOOLONG;
	undot(path + strlen(dir) + 1);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

int pins_map_get(struct pins *p, const char *name)
{
	return pinned_get(p->dir, "map_", name);
}

int pins_prog_get(struct pins *p, const char *name)
{
	return pinned_get(p->dir, "prog_", name);
}

int pins_link_get(struct pins *p, const char *name)
{
	return pinned_get(p->dir, "link_", name);
}

void pins_link_unpin(struct pins *p, const char *name)
{
	char path[PATH_MAX];

	if (path_of(path, sizeof(path), p->dir, "link_", name) == 0) {
		undot(path + strlen(p->dir) + 1);
		unlink(path);
	}
}

static int pin_fd(const char *dir, int fd, const char *prefix, const char *name)
{
	char path[PATH_MAX];

	if (path_of(path, sizeof(path), dir, prefix, name))
		return -ENAMETOOLONG;
	undot(path + strlen(dir) + 1);
	unlink(path); /* a leftover of an unfinished pinning */
	return bpf_obj_pin(fd, path) < 0 ? -errno : 0;
}

int pins_map_pin(struct pins *p, int fd, const char *name)
{
	return pin_fd(p->dir, fd, "map_", name);
}

int pins_link_pin(struct pins *p, int fd, const char *name)
{
	return pin_fd(p->dir, fd, "link_", name);
}

int pins_prog_pin(struct pins *p, int fd, const char *name)
{
	return pin_fd(p->dir, fd, "prog_", name);
}

struct ring_ack *pins_ack(struct pins *p)
{
	return p->ack;
}

int pins_hooks_read(struct pins *p, struct hook_status *out, unsigned max, unsigned *n)
{
	char path[PATH_MAX];
	int fd;

	*n = 0;
	path_of(path, sizeof(path), p->dir, "", "hooks");
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	for (uint32_t i = 0; i < max; i++) {
		if (bpf_map_lookup_elem(fd, &i, &out[i]) < 0 || !out[i].name[0])
			break;
		out[i].name[sizeof(out[i].name) - 1] = 0;
		out[i].reason[sizeof(out[i].reason) - 1] = 0;
		(*n)++;
	}
	close(fd);
	return 0;
}

void pins_drops_reported(struct pins *p, uint64_t out[CA_DROP__COUNT])
{
	for (int i = 0; i < CA_DROP__COUNT && i < PINS_DROPS; i++)
		out[i] = p->meta.drops_reported[i];
}

void pins_drops_save(struct pins *p, const uint64_t reported[CA_DROP__COUNT])
{
	uint32_t zero = 0;

	for (int i = 0; i < CA_DROP__COUNT && i < PINS_DROPS; i++)
		p->meta.drops_reported[i] = reported[i];
	if (p->meta_fd >= 0)
		bpf_map_update_elem(p->meta_fd, &zero, &p->meta, BPF_ANY);
}

int pins_commit(struct pins *p, const struct hook_status *hooks, unsigned n)
{
	char path[PATH_MAX];
	uint32_t zero = 0;
	int fd, r;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "caudit_hooks", 4, sizeof(struct hook_status),
			    LOADER_MAX_HOOKS + 1, NULL);
	if (fd < 0)
		return -errno;
	for (uint32_t i = 0; i < n && i < LOADER_MAX_HOOKS; i++)
		bpf_map_update_elem(fd, &i, &hooks[i], BPF_ANY);
	r = pin_fd(p->dir, fd, "", "hooks");
	close(fd);
	if (r)
		return r;
	if (p->meta_fd < 0) {
		p->meta_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "caudit_meta", 4,
					    sizeof(struct pins_meta), 1, NULL);
		if (p->meta_fd < 0)
			return -errno;
	}
	if (bpf_map_update_elem(p->meta_fd, &zero, &p->meta, BPF_ANY) < 0)
		return -errno;
	/* last: from now on the next daemon takes these pins over */
	path_of(path, sizeof(path), p->dir, "", "meta");
	unlink(path);
	return bpf_obj_pin(p->meta_fd, path) < 0 ? -errno : 0;
}

int pins_old_ring(struct pins *p, struct ring_ack **ack)
{
	char path[PATH_MAX];
	int fd;

	*ack = NULL;
	if (!p->have_old)
		return -ENOENT;
	if (path_of(path, sizeof(path), p->old, "map_", "events"))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (!p->old_ack)
		p->old_ack = map_ack(p->old, 0, p->ack_len);
	*ack = p->old_ack;
	return fd;
}

int pins_old_map_get(struct pins *p, const char *name)
{
	if (!p->have_old)
		return -ENOENT;
	return pinned_get(p->old, "map_", name);
}

void pins_old_unlink_links(struct pins *p)
{
	if (p->have_old)
		unlink_prefix(p->old, "link_");
}

void pins_old_remove(struct pins *p)
{
	if (!p->have_old)
		return;
	if (p->old_ack) {
		munmap(p->old_ack, p->ack_len);
		p->old_ack = NULL;
	}
	pins_remove_dir(p->old);
	p->have_old = 0;
}
