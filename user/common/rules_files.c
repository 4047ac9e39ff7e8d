/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading rule files from disk for the policy compiler (rules.h is pure):
 * a PATH is a rule file or a directory whose *.rules files are read in
 * byte-wise lexical order (augenrules); names resolve through NSS, as
 * auditctl resolves them. Shared by `caudit rules` and the agent.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules_files.h"

static int lookup_user(const char *name, uint32_t *id, void *ctx)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int r = getpwnam_r(name, &pw, buf, sizeof(buf), &res);

	if (r)
		return -r;
	if (!res)
		return -ENOENT;
	*id = pw.pw_uid;
	return 0;
}

static int lookup_group(const char *name, uint32_t *id, void *ctx)
{
	struct group gr, *res = NULL;
	char buf[8192];
	int r = getgrnam_r(name, &gr, buf, sizeof(buf), &res);

	if (r)
		return -r;
	if (!res)
		return -ENOENT;
	*id = gr.gr_gid;
	return 0;
}

/* auditctl -w decides file or directory watch by what the path is now. */
static int path_is_dir(const char *path, void *ctx)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The whole file, at most RULES_MAX_TEXT bytes; 0 or -errno. */
static int read_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t cap = 65536, n = 0;
	char *buf;
	ssize_t r;

	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (n == cap) {
			char *nb;

			if (cap > RULES_MAX_TEXT) {
				free(buf);
				close(fd);
				return -EFBIG;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			close(fd);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = n;
	return 0;
}

static int parse_one(struct rules_policy *p, const char *path, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int r = read_file(path, &text, &len);

	if (r) {
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	rules_parse(p, path, text, len);
	free(text);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* PATH/\*.rules in byte order (not the locale's), as augenrules sorts. */
static int parse_dir(struct rules_policy *p, const char *dir, char *err, size_t errlen)
{
	char **names = NULL, path[4352];
	size_t n = 0, cap = 0;
	struct dirent *de;
	int r = 0;
	DIR *d = opendir(dir);

	if (!d) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-r));
		return r;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l < 7 || strcmp(de->d_name + l - 6, ".rules") || de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof(*nn));

			if (!nn || n >= RULES_MAX_FILES) {
				free(nn ? nn : names);
				names = NULL;
				r = -E2BIG;
				break;
			}
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (r) {
		snprintf(err, errlen, "%s: %s", dir, strerror(-r));
	} else {
		qsort(names, n, sizeof(*names), cmp_name);
		for (size_t i = 0; i < n && !r; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			r = parse_one(p, path, err, errlen);
		}
	}
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

const struct rules_env *rules_env_system(void)
{
	static const struct rules_env env = {lookup_user, lookup_group, path_is_dir, NULL};

	return &env;
}

int rules_read_paths(struct rules_policy *p, const char *const *paths, unsigned n, char *err,
		     size_t errlen)
{
	for (unsigned i = 0; i < n; i++) {
		struct stat st;
		int r;

		if (stat(paths[i], &st)) {
			r = -errno;
			snprintf(err, errlen, "%s: %s", paths[i], strerror(-r));
			return r;
		}
		r = S_ISDIR(st.st_mode) ? parse_dir(p, paths[i], err, errlen)
					: parse_one(p, paths[i], err, errlen);
		if (r)
			return r;
	}
	return 0;
}
