// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* fleet.h: servers, hosts, forwarders and collectors of the forwarding tests. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <zlib.h>

#include "fleet.h"
#include "fwd_proto.h"
#include "harness.h"
#include "keys.h"
#include "verify.h"

/* every process started, so that a failed test leaves none running */
static pid_t spawned[256];

void fleet_cleanup(void)
{
	for (size_t i = 0; i < sizeof(spawned) / sizeof(spawned[0]); i++)
		if (spawned[i] > 0 && waitpid(spawned[i], NULL, WNOHANG) == 0)
			fleet_stop(spawned[i], SIGKILL);
	memset(spawned, 0, sizeof(spawned));
}

void fleet_teardown(const char *base)
{
	char *cmd;

	fleet_cleanup();
	if (!base[0] || getenv("CAUDIT_KEEP"))
		return;
	cmd = xasprintf("rm -rf %s", base);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", base);
	free(cmd);
}

static void remember(pid_t pid)
{
	for (size_t i = 0; i < sizeof(spawned) / sizeof(spawned[0]); i++) {
		if (spawned[i] <= 0 || waitpid(spawned[i], NULL, WNOHANG) != 0) {
			spawned[i] = pid;
			return;
		}
	}
}

pid_t fleet_spawn(const char *log, const char *const argv[])
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid > 0)
		remember(pid);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setpgid(0, 0);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

int fleet_stop(pid_t pid, int sig)
{
	int st, i;

	if (pid <= 0)
		return -1;
	kill(pid, sig);
	for (i = 0; i < 1500; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r < 0)
			return -1;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

int fleet_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &l))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

int fleet_wait_port(int port, int timeout_ms)
{
	for (int t = 0; t < timeout_ms; t += 50) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_port = htons((uint16_t)port),
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int ok = fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a));

		if (fd >= 0)
			close(fd);
		if (ok)
			return 0;
		sleep_ms(50);
	}
	fprintf(stderr, "port %d: nothing listening\n", port);
	return -1;
}

int fleet_file_has(const char *path, const char *s)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;
	int found;

	if (!f)
		return 0;
	buf = malloc(64 << 20);
	n = buf ? fread(buf, 1, (64 << 20) - 1, f) : 0;
	fclose(f);
	if (!buf)
		return 0;
	buf[n] = 0;
	found = memmem(buf, n, s, strlen(s)) != NULL;
	free(buf);
	return found;
}

int fleet_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t n = strlen(text);
	int ok = fd >= 0 && write(fd, text, n) == (ssize_t)n;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

static int natsd_run(struct natsd *n)
{
	const char *argv[] = {"/usr/sbin/nats-server", "-c", n->conf, NULL};

	if (access(argv[0], X_OK))
		argv[0] = "/usr/bin/nats-server";
	n->pid = fleet_spawn(n->log, argv);
	return n->pid > 0 ? fleet_wait_port(n->port, 20000) : -1;
}

int natsd_start(struct natsd *n, const char *dir, const char *name, const char *extra)
{
	char *conf;
	int r;

	memset(n, 0, sizeof(*n));
	snprintf(n->dir, sizeof(n->dir), "%s", dir);
	snprintf(n->conf, sizeof(n->conf), "%s/nats.conf", dir);
	snprintf(n->log, sizeof(n->log), "%s/nats.log", dir);
	mkdir(dir, 0700);
	n->port = fleet_port();
	conf = xasprintf("server_name: %s\nlisten: 127.0.0.1:%d\nmax_payload: 8MB\n"
			 "jetstream { store_dir: \"%s/js\" }\n%s\n",
			 name, n->port, dir, extra ? extra : "");
	r = fleet_write_file(n->conf, conf);
	free(conf);
	return r ? -1 : natsd_run(n);
}

int natsd_restart(struct natsd *n)
{
	return natsd_run(n);
}

void natsd_stop(struct natsd *n)
{
	if (n->pid > 0)
		fleet_stop(n->pid, SIGTERM);
	n->pid = 0;
}

char *fleet_auth_conf(const char *const hosts[], size_t n)
{
	char *s = xasprintf("authorization {\n users = [\n"
			    "  { user: collector, password: collector-secret }\n");

	for (size_t i = 0; i < n; i++) {
		char subject[FWD_SUBJECT_MAX], *t;

		if (fwd_subject(subject, hosts[i]))
			abort();
		t = xasprintf("%s  { user: %s, password: %s-secret, permissions: {"
			      " publish: { allow: [\"%s\"] },"
			      " subscribe: { allow: [\"_INBOX.>\"] } } }\n",
			      s, hosts[i], hosts[i], subject);
		free(s);
		s = t;
	}
	{
		char *t = xasprintf("%s ]\n}\n", s);

		free(s);
		s = t;
	}
	return s;
}

int fhost_init(struct fhost *h, const char *base, const char *name, const char *trusted)
{
	char bin[256], *cmd, *creds;
	int r;

	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->dir, sizeof(h->dir), "%s/%s", base, name);
	snprintf(h->log_dir, sizeof(h->log_dir), "%s/log", h->dir);
	snprintf(h->key_dir, sizeof(h->key_dir), "%s/keys", h->dir);
	snprintf(h->state_dir, sizeof(h->state_dir), "%s/fwd", h->dir);
	snprintf(h->creds, sizeof(h->creds), "%s/creds", h->dir);
	snprintf(h->fwd_log, sizeof(h->fwd_log), "%s/forward.log", h->dir);
	if (mkdir(h->dir, 0700))
		return -1;
	creds = xasprintf("%s %s-secret\n", name, name);
	r = fleet_write_file(h->creds, creds);
	free(creds);
	cmd = xasprintf("%s keygen --out %s >/dev/null", harness_bin("caudit", bin, sizeof(bin)),
			h->key_dir);
	r = r ? r : system(cmd);
	free(cmd);
	if (!r && trusted) {
		cmd = xasprintf("mkdir -p %s && cp %s/root.pub %s/%s.pub", trusted, h->key_dir,
				trusted, name);
		r = system(cmd);
		free(cmd);
	}
	if (r)
		fprintf(stderr, "host %s: setup failed\n", name);
	return r ? -1 : 0;
}

pid_t fhost_write(struct fhost *h, uint64_t events, uint64_t rate, const char *extra[])
{
	char bin[256], ev[24], rt[24], log[400];
	const char *argv[32] = {harness_bin("tests/tools/caudit-writelog", bin, sizeof(bin)),
				"--log-dir",
				h->log_dir,
				"--key-dir",
				h->key_dir,
				"--host",
				h->name,
				"--events",
				ev,
				"--rate",
				rt,
				"--seal-interval",
				"1",
				"--seal-records",
				"200"};
	size_t n = 15;

	snprintf(ev, sizeof(ev), "%llu", (unsigned long long)events);
	snprintf(rt, sizeof(rt), "%llu", (unsigned long long)rate);
	snprintf(log, sizeof(log), "%s/writer.log", h->dir);
	for (size_t i = 0; extra && extra[i] && n < 31; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	h->writer = fleet_spawn(log, argv);
	return h->writer;
}

int fhost_write_all(struct fhost *h, uint64_t events, uint64_t rate, const char *extra[])
{
	int st;

	if (fhost_write(h, events, rate, extra) <= 0 || waitpid(h->writer, &st, 0) != h->writer ||
	    !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "host %s: writer failed\n", h->name);
		return -1;
	}
	h->writer = 0;
	return 0;
}

pid_t fhost_forward(struct fhost *h, const char *url, const char *extra[])
{
	char bin[256];
	const char *argv[32] = {harness_bin("caudit-forward", bin, sizeof(bin)),
				"--log-dir",
				h->log_dir,
				"--state-dir",
				h->state_dir,
				"--host",
				h->name,
				"--poll-ms",
				"50"};
	size_t n = 9;

	if (url) {
		argv[n++] = "--nats";
		argv[n++] = url;
		argv[n++] = "--creds";
		argv[n++] = h->creds;
	}
	for (size_t i = 0; extra && extra[i] && n < 31; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	h->fwd = fleet_spawn(h->fwd_log, argv);
	return h->fwd;
}

int collector_start(struct collector *c, const char *url, const char *trusted, const char *archive,
		    const char *instance, const char *extra[])
{
	static char creds[400];
	char bin[256];
	const char *argv[40] = {harness_bin("caudit-collector", bin, sizeof(bin)),
				"--nats",
				url,
				"--trusted-keys",
				trusted,
				"--archive",
				archive,
				"--instance",
				instance,
				"--no-fsync"};
	size_t n = 10;

	snprintf(creds, sizeof(creds), "%s/.collector.creds", trusted);
	if (access(creds, R_OK) == 0) {
		argv[n++] = "--creds";
		argv[n++] = creds;
	}
	for (size_t i = 0; extra && extra[i] && n < 39; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	snprintf(c->log, sizeof(c->log), "%s/collector-%s.log", archive, instance);
	mkdir(archive, 0750);
	c->pid = fleet_spawn(c->log, argv);
	return c->pid > 0 ? 0 : -1;
}

void collector_stop(struct collector *c, int sig)
{
	if (c->pid > 0)
		fleet_stop(c->pid, sig);
	c->pid = 0;
}

int fleet_verify(const char *dir, const char *pubkey, uint64_t *records, uint64_t *last_seq)
{
	struct verify_opts o;
	struct verify_report rep;
	char err[512];
	int passed;

	memset(&o, 0, sizeof(o));
	o.dir = dir;
	if (keys_read_root_pub(pubkey, o.root, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (verify_log(&o, &rep)) {
		verify_report_free(&rep);
		return -1;
	}
	passed = verify_passed(&rep, 0);
	if (records)
		*records = rep.records;
	if (last_seq)
		*last_seq = rep.last_seq;
	verify_report_free(&rep);
	return passed;
}

int fleet_wait_archive(const char *archive, const char *host, const char *pubkey, uint64_t last_seq,
		       int timeout_ms)
{
	char dir[400];
	uint64_t got = 0;

	snprintf(dir, sizeof(dir), "%s/%s", archive, host);
	for (int t = 0; t < timeout_ms; t += 250) {
		if (fleet_verify(dir, pubkey, NULL, &got) >= 0 && got >= last_seq)
			return 0;
		sleep_ms(250);
	}
	fprintf(stderr, "%s: archive reached seq %llu, not %llu\n", host, (unsigned long long)got,
		(unsigned long long)last_seq);
	return -1;
}

static int alerts_in(const char *dir, const char *kind, const char *host);

int fleet_alerts(const char *archive, const char *kind, const char *host)
{
	char dir[400], sub[800];
	struct dirent *de;
	int count = 0;
	DIR *d;

	/* every instance's log: ARCHIVE/.collector/<instance>/log */
	snprintf(dir, sizeof(dir), "%s/.collector", archive);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s/log", dir, de->d_name);
		count += alerts_in(sub, kind, host);
	}
	closedir(d);
	return count;
}

static int alerts_in(const char *dir, const char *kind, const char *host)
{
	char path[1200], line[8192];
	struct dirent *de;
	int count = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		gzFile z;

		if (strncmp(de->d_name, "seg-", 4))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		z = gzopen(path, "rb");
		while (z && gzgets(z, line, sizeof(line))) {
			json_object *o = json_tokener_parse(line);

			if (o && jstr(o, "event") && !strcmp(jstr(o, "event"), "collector.alert") &&
			    jstr(o, "alert.kind") && !strcmp(jstr(o, "alert.kind"), kind) &&
			    (!host[0] ||
			     (jstr(o, "alert.host") && !strcmp(jstr(o, "alert.host"), host))))
				count++;
			json_object_put(o);
		}
		if (z)
			gzclose(z);
	}
	closedir(d);
	return count;
}

int fleet_wait_alert(const char *archive, const char *kind, const char *host, int timeout_ms)
{
	for (int t = 0; t < timeout_ms; t += 200) {
		if (fleet_alerts(archive, kind, host) > 0)
			return 1;
		sleep_ms(200);
	}
	return 0;
}
