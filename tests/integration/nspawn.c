// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A systemd container for the unit tests (nspawn.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "nspawn.h"
#include "store_check.h"

#define BOOT_MS 90000

static int run_cmd(char **out, char *cmd)
{
	char *full = xasprintf("(%s) 2>&1", cmd), buf[4096], *acc = NULL;
	size_t len = 0, cap = 0;
	FILE *f = popen(full, "r");
	int st;

	free(full);
	if (!f) {
		free(cmd);
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		size_t n = strlen(buf);

		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			acc = realloc(acc, cap);
			if (!acc)
				abort();
		}
		memcpy(acc + len, buf, n + 1);
		len += n;
	}
	st = pclose(f);
	if (getenv("CAUDIT_TEST_VERBOSE"))
		fprintf(stderr, "$ %s\n%s", cmd, acc ? acc : "");
	free(cmd);
	if (out)
		*out = acc ? acc : strdup("");
	else
		free(acc);
	return st == -1 ? -1 : (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

int nspawn_host(char **out, const char *fmt, ...)
{
	va_list ap;
	char *cmd;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	return run_cmd(out, cmd);
}

int nspawn_run(const struct nspawn *c, char **out, const char *fmt, ...)
{
	va_list ap;
	char *cmd, *full;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	full = xasprintf("nsenter -t %d -a sh -c '%s'", (int)c->init, cmd);
	free(cmd);
	return run_cmd(out, full);
}

char *nspawn_trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = 0;
	return s;
}

char *nspawn_path(const struct nspawn *c, const char *path)
{
	return xasprintf("%s%s", c->root, path);
}

/* The container's init: the child of systemd-nspawn named systemd. */
static pid_t find_init(pid_t parent)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = 0;

	while (d && (de = readdir(d))) {
		char path[300], buf[512], *p;
		int ppid;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(buf, sizeof(buf), f)) {
			fclose(f);
			continue;
		}
		fclose(f);
		p = strrchr(buf, ')');
		if (p && sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == parent &&
		    strstr(buf, "(systemd)"))
			found = (pid_t)atoi(de->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

int nspawn_prepare(struct nspawn *c)
{
	char *out = NULL;

	memset(c, 0, sizeof(*c));
	if (nspawn_host(&out, "sh tests/integration/systemd-rootfs.sh")) {
		fprintf(stderr, "systemd-rootfs.sh failed:\n%s\n", out);
		free(out);
		return -1;
	}
	snprintf(c->lower, sizeof(c->lower), "%s", nspawn_trim(out));
	free(out);
	if (harness_tmpdir(c->dir, sizeof(c->dir)))
		return -1;
	snprintf(c->root, sizeof(c->root), "%s/root", c->dir);
	snprintf(c->upper, sizeof(c->upper), "%s/upper", c->dir);
	snprintf(c->work, sizeof(c->work), "%s/work", c->dir);
	if (mkdir(c->root, 0755) || mkdir(c->upper, 0755) || mkdir(c->work, 0755))
		return -1;
	/* the cached root stays clean: every run writes into its own upper layer */
	out = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", c->lower, c->upper, c->work);
	if (mount("overlay", c->root, "overlay", 0, out)) {
		fprintf(stderr, "overlay mount: %s\n", strerror(errno));
		free(out);
		return -1;
	}
	free(out);
	c->mounted = 1;
	if (nspawn_host(&out, "make -s install DESTDIR=%s BUILD=%s >/dev/null", c->root,
			getenv("CAUDIT_BUILD") ? getenv("CAUDIT_BUILD") : "build")) {
		fprintf(stderr, "make install failed:\n%s\n", out);
		free(out);
		return -1;
	}
	free(out);
	return 0;
}

int nspawn_boot(struct nspawn *c, const char *const extra[])
{
	uint64_t end;
	char *out;

	c->nspawn = fork();
	if (c->nspawn < 0)
		return -1;
	if (c->nspawn == 0) {
		const char *argv[32] = {
		    "systemd-nspawn",	  "-q", "-D", c->root, "-b", "--register=no", "--keep-unit",
		    "--console=read-only"};
		char *log = xasprintf("%s/nspawn.log", c->dir);
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		size_t n = 8;

		for (size_t i = 0; extra && extra[i] && n < 31; i++)
			argv[n++] = extra[i];
		argv[n] = NULL;
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setsid();
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	end = now_ms_mono() + BOOT_MS;
	while (!c->init && now_ms_mono() < end) {
		sleep_ms(100);
		c->init = find_init(c->nspawn);
	}
	while (c->init && now_ms_mono() < end) {
		int ok;

		nspawn_run(c, &out, "systemctl is-system-running");
		ok = strstr(out, "running") || strstr(out, "degraded");
		free(out);
		if (ok)
			return 0;
		sleep_ms(200);
	}
	nspawn_host(&out, "tail -n 30 %s/nspawn.log", c->dir);
	fprintf(stderr, "the container did not boot (init %d):\n%s\n", (int)c->init, out);
	free(out);
	return -1;
}

void nspawn_destroy(struct nspawn *c)
{
	if (c->nspawn > 0) {
		uint64_t end = now_ms_mono() + 20000;
		int st;

		/* SIGTERM: nspawn asks the container's systemd to power off */
		kill(c->nspawn, SIGTERM);
		while (waitpid(c->nspawn, &st, WNOHANG) == 0) {
			if (now_ms_mono() > end) {
				kill(c->nspawn, SIGKILL);
				if (c->init > 0)
					kill(c->init, SIGKILL);
				waitpid(c->nspawn, &st, 0);
				break;
			}
			sleep_ms(100);
		}
	}
	if (c->mounted)
		umount2(c->root, MNT_DETACH);
	if (c->dir[0] && !getenv("CAUDIT_KEEP_TEST_DIRS"))
		rm_tree(c->dir);
	memset(c, 0, sizeof(*c));
}
