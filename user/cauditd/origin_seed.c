/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "origin_seed.h"
#include "procnet.h"

#define SEED_MAX_PROCS (1 << 20)
#define SEED_MAX_DEPTH 128

struct seed_proc {
	uint32_t pid;
	uint32_t ppid;
	uint64_t fd0_inode;  /* socket inode on fd 0, or 0 */
	char comm[16];
};

struct seed_sock {
	uint64_t inode;
	struct ca_origin peer;
};

static int by_pid(const void *a, const void *b)
{
	uint32_t x = ((const struct seed_proc *)a)->pid, y = ((const struct seed_proc *)b)->pid;

	return x < y ? -1 : x > y;
}

static ssize_t read_small(int dirfd, const char *name, char *buf, size_t len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

/* ppid from /proc/PID/stat: the field after the ")" that ends comm */
static int read_ppid(int pfd, uint32_t *ppid)
{
	char buf[512];
	char *p;
	unsigned long v;

	if (read_small(pfd, "stat", buf, sizeof(buf)) <= 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %lu", &v) != 1)
		return -1;
	*ppid = (uint32_t)v;
	return 0;
}

static uint64_t fd0_socket_inode(int pfd)
{
	char link[64];
	ssize_t n = readlinkat(pfd, "fd/0", link, sizeof(link) - 1);
	unsigned long long ino;

	if (n <= 0)
		return 0;
	link[n] = 0;
	return sscanf(link, "socket:[%llu]", &ino) == 1 ? ino : 0;
}

static int is_login_service(const struct ca_config *cfg, const char *comm)
{
	for (unsigned i = 0; i < cfg->n_login_services; i++)
		if (strncmp(cfg->login_services[i], comm, 15) == 0)
			return 1;
	return 0;
}

/* Connected TCP sockets of the agent's network namespace. */
static size_t read_sockets(struct seed_sock **out)
{
	static const struct {
		const char *path;
		uint16_t family;
	} files[] = { { "/proc/net/tcp", AF_INET }, { "/proc/net/tcp6", AF_INET6 } };
	struct seed_sock *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t f = 0; f < 2; f++) {
		FILE *fp = fopen(files[f].path, "re");
		char *line = NULL;
		size_t lcap = 0;
		ssize_t len;

		if (!fp)
			continue;
		while ((len = getline(&line, &lcap, fp)) > 0) {
			struct procnet_sock ps;

			if (procnet_parse_line(line, (size_t)len, files[f].family, &ps) ||
			    !ps.inode || !ps.rport)
				continue;
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				struct seed_sock *nv = nc < SEED_MAX_PROCS ?
						       realloc(v, nc * sizeof(*v)) : NULL;

				if (!nv)
					break;
				v = nv;
				cap = nc;
			}
			memset(&v[n], 0, sizeof(v[n]));
			v[n].inode = ps.inode;
			v[n].peer.family = ps.family;
			v[n].peer.port = ps.rport;
			memcpy(v[n].peer.addr, ps.raddr, sizeof(ps.raddr));
			n++;
		}
		free(line);
		fclose(fp);
	}
	*out = v;
	return n;
}

static size_t read_procs(struct seed_proc **out)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	struct seed_proc *v = NULL;
	size_t n = 0, cap = 0;

	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);
		struct seed_proc p = { 0 };
		int pfd;

		if (*end || pid == 0 || pid > UINT32_MAX)
			continue;
		pfd = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd < 0)
			continue;
		p.pid = (uint32_t)pid;
		if (read_ppid(pfd, &p.ppid) == 0 &&
		    read_small(pfd, "comm", p.comm, sizeof(p.comm)) > 0) {
			p.comm[strcspn(p.comm, "\n")] = 0;
			p.fd0_inode = fd0_socket_inode(pfd);
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 256;
				struct seed_proc *nv = nc <= SEED_MAX_PROCS ?
						       realloc(v, nc * sizeof(*v)) : NULL;

				if (!nv) {
					close(pfd);
					break;
				}
				v = nv;
				cap = nc;
			}
			v[n++] = p;
		}
		close(pfd);
	}
	closedir(dir);
	qsort(v, n, sizeof(*v), by_pid);
	*out = v;
	return n;
}

static const struct seed_proc *find_proc(const struct seed_proc *v, size_t n, uint32_t pid)
{
	struct seed_proc key = { .pid = pid };

	return bsearch(&key, v, n, sizeof(*v), by_pid);
}

static const struct ca_origin *login_origin(const struct ca_config *cfg,
					    const struct seed_proc *p, const struct seed_sock *s,
					    size_t ns)
{
	if (!p->fd0_inode || !is_login_service(cfg, p->comm))
		return NULL;
	for (size_t i = 0; i < ns; i++)
		if (s[i].inode == p->fd0_inode)
			return &s[i].peer;
	return NULL;
}

int origin_seed(struct loader *l, const struct ca_config *cfg)
{
	struct seed_proc *procs = NULL;
	struct seed_sock *socks = NULL;
	size_t np, ns;
	int seeded = 0;

	ns = read_sockets(&socks);
	if (ns == 0) {
		free(socks);
		return 0;
	}
	np = read_procs(&procs);
	for (size_t i = 0; i < np; i++) {
		const struct seed_proc *p = &procs[i];
		const struct ca_origin *o = NULL;

		/* the nearest login service among the process and its ancestors */
		for (int depth = 0; p && depth < SEED_MAX_DEPTH && !o; depth++) {
			const struct seed_proc *up;

			o = login_origin(cfg, p, socks, ns);
			if (o)
				break;
			up = p->ppid && p->ppid != p->pid ? find_proc(procs, np, p->ppid) : NULL;
			p = up;
		}
		if (o) {
			struct ca_origin origin = *o;

			memcpy(origin.service, p->comm, sizeof(origin.service));
			if (loader_set_origin(l, procs[i].pid, &origin) == 0)
				seeded++;
		}
	}
	free(procs);
	free(socks);
	return seeded;
}
