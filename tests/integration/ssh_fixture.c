/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ssh_fixture.h"

#define SSHFX_GECOS "caudit integration test user (ssh_fixture)"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run argv (no shell), output to `log` (NULL: /dev/null); the exit status or -1. */
static int run(const char *log, char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			      0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(text);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, len) == (ssize_t)len;
	return close(fd) == 0 && ok ? 0 : -1;
}

static int file_has(const char *path, const char *needle)
{
	char buf[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strstr(buf, needle) != NULL;
}

static void show_file(const char *what, const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = 0;
		fprintf(stderr, "---- %s (%s)\n%s----\n", what, path, buf);
	}
}

/* ---- the test user ------------------------------------------------------- */

static void remove_user(void)
{
	char *del[] = { "/usr/sbin/userdel", "-r", SSHFX_USER, NULL };
	char *force[] = { "/usr/sbin/userdel", "-f", "-r", SSHFX_USER, NULL };
	int64_t deadline = now_ms() + 10000;

	/* session processes may take a moment to exit after their client */
	while (run(NULL, del) != 0 && getpwnam(SSHFX_USER) && now_ms() < deadline)
		sleep_ms(200);
	if (getpwnam(SSHFX_USER))
		run(NULL, force);
}

static int make_user(struct sshfx *f)
{
	char *add[] = { "/usr/sbin/useradd", "-m", "-s", "/bin/bash", "-c", SSHFX_GECOS,
			"-p", "*", SSHFX_USER, NULL };
	struct passwd *pw = getpwnam(SSHFX_USER);

	if (pw) {
		/* only ever remove a user this test made */
		if (!pw->pw_gecos || strcmp(pw->pw_gecos, SSHFX_GECOS)) {
			fprintf(stderr, "user %s exists and is not ours: not touching it\n",
				SSHFX_USER);
			return -1;
		}
		fprintf(stderr, "removing %s left by an earlier run\n", SSHFX_USER);
		remove_user();
	}
	if (run(NULL, add) != 0) {
		fprintf(stderr, "useradd %s failed\n", SSHFX_USER);
		return -1;
	}
	f->user_made = 1;
	pw = getpwnam(SSHFX_USER);
	if (!pw)
		return -1;
	f->uid = pw->pw_uid;
	snprintf(f->home, sizeof(f->home), "%s", pw->pw_dir);
	return 0;
}

/* A fresh client key in the user's authorized_keys (mode 0600 in 0700 .ssh). */
static int install_key(struct sshfx *f)
{
	char *key = xasprintf("%s/client_key", f->dir);
	char *keygen[] = { "/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
			   "caudit-test", "-f", key, NULL };
	char *dotssh = xasprintf("%s/.ssh", f->home);
	char *ak = xasprintf("%s/.ssh/authorized_keys", f->home);
	char *pub = xasprintf("%s.pub", key);
	struct passwd *pw = getpwnam(SSHFX_USER);
	char buf[1024];
	ssize_t n;
	int fd, r = -1;

	if (!pw || run(NULL, keygen) != 0)
		goto out;
	fd = open(pub, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		goto out;
	buf[n] = 0;
	if ((mkdir(dotssh, 0700) && errno != EEXIST) || write_file(ak, buf, 0600) ||
	    chown(dotssh, pw->pw_uid, pw->pw_gid) || chown(ak, pw->pw_uid, pw->pw_gid) ||
	    chmod(dotssh, 0700) || chmod(ak, 0600))
		goto out;
	r = 0;
out:
	free(key);
	free(dotssh);
	free(ak);
	free(pub);
	return r;
}

/*
 * A key for root logins, accepted only through a keys file in a root-only
 * directory under /run (StrictModes checks every parent of the file up to
 * "/", and /tmp is world-writable); root's own ~/.ssh is left alone.
 */
static int install_root_key(struct sshfx *f)
{
	char *key = xasprintf("%s/root_key", f->dir), *pub = xasprintf("%s/root_key.pub", f->dir);
	char *keygen[] = { "/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
			   "caudit-test-root", "-f", key, NULL };
	char *keys = NULL, buf[1024];
	ssize_t n;
	int fd, r = -1;

	snprintf(f->rundir, sizeof(f->rundir), "/run/caudit-test-ssh-XXXXXX");
	if (!mkdtemp(f->rundir)) {
		f->rundir[0] = 0;
		goto out;
	}
	if (run(NULL, keygen) != 0)
		goto out;
	fd = open(pub, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		goto out;
	buf[n] = 0;
	keys = xasprintf("%s/root_keys", f->rundir);
	r = write_file(keys, buf, 0600);
out:
	free(key);
	free(pub);
	free(keys);
	return r;
}

/* ---- sshd ---------------------------------------------------------------- */

static int start_sshd(struct sshfx *f)
{
	char *hostkey = xasprintf("%s/host_ed25519", f->dir);
	char *keygen[] = { "/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostkey,
			   NULL };
	char *conf = xasprintf("%s/sshd_config", f->dir), *log = xasprintf("%s/sshd.log", f->dir);
	char *text = NULL;
	char listening[128];
	int64_t deadline;
	int r = -1;

	if (run(NULL, keygen) != 0)
		goto out;
	text = xasprintf("Port %d\n"
			 "ListenAddress %s\n"
			 "HostKey %s\n"
			 "PidFile %s/sshd.pid\n"
			 "AuthorizedKeysFile .ssh/authorized_keys\n"
			 "UsePAM yes\n"
			 "PubkeyAuthentication yes\n"
			 "PasswordAuthentication no\n"
			 "KbdInteractiveAuthentication no\n"
			 "PermitRootLogin prohibit-password\n"
			 "AllowUsers %s root\n"
			 "StrictModes yes\n"
			 "PrintMotd no\n"
			 "PrintLastLog no\n"
			 "X11Forwarding no\n"
			 "AllowTcpForwarding no\n"
			 "MaxStartups 20\n"
			 "LogLevel VERBOSE\n"
			 "Match User root\n"
			 "\tAuthorizedKeysFile %s/root_keys\n",
			 SSHFX_PORT, SSHFX_ADDR, hostkey, f->dir, SSHFX_USER, f->rundir);
	if (write_file(conf, text, 0600))
		goto out;
	/* the privilege separation directory Debian's init script would make */
	if (mkdir("/run/sshd", 0755) == 0)
		f->made_run_sshd = 1;
	else if (errno != EEXIST)
		goto out;

	f->sshd_pid = fork();
	if (f->sshd_pid < 0)
		goto out;
	if (f->sshd_pid == 0) {
		/* a test that dies must not leave an sshd behind */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(SSHFX_BIN, SSHFX_BIN, "-f", conf, "-D", "-E", log, (char *)NULL);
		_exit(127);
	}
	snprintf(listening, sizeof(listening), "Server listening on %s port %d.", SSHFX_ADDR,
		 SSHFX_PORT);
	deadline = now_ms() + 20000;
	while (now_ms() < deadline) {
		int st;

		if (file_has(log, listening)) {
			r = 0;
			goto out;
		}
		if (waitpid(f->sshd_pid, &st, WNOHANG) == f->sshd_pid) {
			fprintf(stderr, "sshd exited during start (status 0x%x)\n", st);
			f->sshd_pid = 0;
			show_file("sshd log", log);
			goto out;
		}
		sleep_ms(50);
	}
	fprintf(stderr, "sshd: no \"%s\" within 20 s\n", listening);
	show_file("sshd log", log);
out:
	free(hostkey);
	free(conf);
	free(log);
	free(text);
	return r;
}

static void stop_sshd(struct sshfx *f)
{
	int st;

	if (f->sshd_pid <= 0)
		return;
	kill(f->sshd_pid, SIGTERM);
	waitpid(f->sshd_pid, &st, 0);
	f->sshd_pid = 0;
}

/* ---- the fixture ---------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int sshfx_available(void)
{
	return access(SSHFX_BIN, X_OK) == 0 && access("/usr/bin/ssh", X_OK) == 0 &&
	       access("/usr/bin/ssh-keygen", X_OK) == 0;
}

int sshfx_start(struct sshfx *f)
{
	memset(f, 0, sizeof(*f));
	if (harness_tmpdir(f->dir, sizeof(f->dir))) {
		f->dir[0] = 0;
		return -1;
	}
	if (make_user(f) || install_key(f) || install_root_key(f))
		return -1;
	return start_sshd(f);
}

void sshfx_stop(struct sshfx *f)
{
	stop_sshd(f);
	if (f->user_made) {
		remove_user();
		f->user_made = 0;
	}
	if (f->made_run_sshd) {
		rmdir("/run/sshd");
		f->made_run_sshd = 0;
	}
	if (f->rundir[0])
		nftw(f->rundir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	f->rundir[0] = 0;
	if (f->dir[0] && !getenv("CAUDIT_KEEP_TEST_DIRS"))
		nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	f->dir[0] = 0;
}

/* ---- clients -------------------------------------------------------------- */

int sshfx_client_start(struct sshfx *f, struct sshfx_client *c)
{
	char *key = xasprintf("%s/%s", f->dir, c->as_root ? "root_key" : "client_key");
	char *errlog = xasprintf("%s/ssh-%s.err", f->dir, c->src_ip);
	char *dest = xasprintf("%s@%s", c->as_root ? "root" : SSHFX_USER, SSHFX_ADDR);
	char port[16];
	int p[2];

	c->pid = 0;
	c->out_fd = -1;
	c->out_len = 0;
	c->out[0] = 0;
	snprintf(port, sizeof(port), "%d", SSHFX_PORT);
	if (pipe2(p, O_CLOEXEC))
		goto out;
	c->pid = fork();
	if (c->pid < 0) {
		close(p[0]);
		close(p[1]);
		c->pid = 0;
		goto out;
	}
	if (c->pid == 0) {
		int efd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int nfd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		/* a test that dies must not leave a client behind */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(nfd, 0);
		dup2(p[1], 1);
		if (efd >= 0)
			dup2(efd, 2);
		execl("/usr/bin/ssh", "ssh", "-F", "/dev/null", "-b", c->src_ip, "-p", port, "-i",
		      key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		      "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
		      "-o", "ConnectTimeout=30", dest, c->cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	c->out_fd = p[0];
out:
	free(key);
	free(errlog);
	free(dest);
	return c->pid > 0 ? 0 : -1;
}

/* One read into c->out: 1 when data came, 0 at EOF (fd closed), -1 on timeout. */
static int client_read(struct sshfx_client *c, int timeout_ms)
{
	struct pollfd pf = { .fd = c->out_fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pf, 1, timeout_ms) <= 0)
		return -1;
	n = read(c->out_fd, c->out + c->out_len, sizeof(c->out) - 1 - c->out_len);
	if (n > 0) {
		c->out_len += (size_t)n;
		c->out[c->out_len] = 0;
		return 1;
	}
	close(c->out_fd);
	c->out_fd = -1;
	return 0;
}

int sshfx_client_line(struct sshfx_client *c, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	while (!memchr(c->out, '\n', c->out_len) && c->out_fd >= 0 && now_ms() < deadline)
		client_read(c, 500);
	return memchr(c->out, '\n', c->out_len) ? 0 : -1;
}

void sshfx_client_finish(struct sshfx_client *c)
{
	int64_t deadline = now_ms() + SSHFX_CLIENT_MS;

	while (c->out_fd >= 0 && now_ms() < deadline)
		client_read(c, 500);
	if (c->out_fd >= 0) {
		fprintf(stderr, "ssh from %s still running after %d ms: killed\n", c->src_ip,
			SSHFX_CLIENT_MS);
		kill(c->pid, SIGKILL);
		close(c->out_fd);
		c->out_fd = -1;
	}
	if (c->pid > 0)
		waitpid(c->pid, &c->status, 0);
	c->pid = 0;
	c->out[c->out_len] = 0;
}

void sshfx_client_kill(struct sshfx_client *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		c->pid = 0;
	}
	if (c->out_fd >= 0)
		close(c->out_fd);
	c->out_fd = -1;
}

void sshfx_show_logs(const struct sshfx *f, const struct sshfx_client *c)
{
	char *errlog = xasprintf("%s/ssh-%s.err", f->dir, c->src_ip);
	char *log = xasprintf("%s/sshd.log", f->dir);

	show_file("ssh client stderr", errlog);
	show_file("sshd log", log);
	free(errlog);
	free(log);
}
