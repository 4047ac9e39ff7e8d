/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cauditd: load the BPF programs, drain their records into the audit log,
 * report what was lost, stop cleanly.
 *
 *   cauditd [-c FILE] [--foreground] [--log-dir DIR]
 *   cauditd -t [-c FILE]       check the configuration and exit
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent_events.h"
#include "config.h"
#include "crypto.h"
#include "drain.h"
#include "loader.h"
#include "origin_seed.h"
#include "log.h"
#include "host.h"
#include "sink.h"
#include "store.h"

#define DEFAULT_CONFIG "/etc/caudit/cauditd.conf"
#define EXIT_CONFIG 78 /* EX_CONFIG: systemd must not restart on this */

struct agent {
	const char *config_path;
	const char *log_dir_override;
	struct ca_config cfg;
	char config_hash[65];
	struct loader *loader;
	struct sink *sink;
	struct drain drain;
	struct loss_state loss;
	int sigfd;
	int epfd;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: cauditd [-c FILE] [--foreground] [--log-dir DIR]\n"
		   "       cauditd -t [-c FILE]   check the configuration and exit\n"
		   "       cauditd --version\n");
}

static void hash_file(const char *path, char out[65])
{
	char *buf = malloc(CONFIG_MAX_FILE); /* the config's bound, not on the stack */
	int fd = buf ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	ssize_t n = fd >= 0 ? read(fd, buf, CONFIG_MAX_FILE) : -1;

	if (fd >= 0)
		close(fd);
	cr_hash_hex(buf ? buf : "", n > 0 ? (size_t)n : 0, out);
	free(buf);
}

/* Parse the config (and the --log-dir override) into cfg. */
static int load_config(struct agent *a, struct ca_config *cfg, char *err, size_t errlen)
{
	int r;

	config_defaults(cfg);
	r = config_load(cfg, a->config_path, err, errlen);
	if (r)
		return r;
	if (a->log_dir_override) {
		if (a->log_dir_override[0] != '/' ||
		    strlen(a->log_dir_override) >= sizeof(cfg->log_dir)) {
			snprintf(err, errlen, "--log-dir: must be an absolute path");
			return -EINVAL;
		}
		strcpy(cfg->log_dir, a->log_dir_override);
	}
	return 0;
}

static int64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void report_loss(struct agent *a)
{
	uint64_t drops[CA_DROP__COUNT];

	if (loader_read_drops(a->loader, drops) == 0)
		agent_event_loss(&a->drain, &a->loss, drops);
}

static void reload(struct agent *a)
{
	struct ca_config next;
	char err[512], hash[65];

	hash_file(a->config_path, hash);
	if (load_config(a, &next, err, sizeof(err))) {
		log_msg(LOG_ERR, "reload refused, keeping the running configuration: %s", err);
		agent_event_config(&a->drain, a->config_path, hash, err);
		return;
	}
	if (strcmp(next.log_dir, a->cfg.log_dir) || next.ring_buffer_size != a->cfg.ring_buffer_size ||
	    next.pending_max != a->cfg.pending_max)
		log_msg(LOG_WARNING, "log_dir, ring_buffer_size and pending_max change at restart");
	loader_apply_runtime(a->loader, &next);
	a->cfg.capture_read_opens = next.capture_read_opens;
	a->cfg.poll_interval_ms = next.poll_interval_ms;
	a->cfg.loss_report_interval = next.loss_report_interval;
	strcpy(a->config_hash, hash);
	agent_event_config(&a->drain, a->config_path, hash, NULL);
	log_msg(LOG_INFO, "configuration reloaded (%s)", hash);
}

static int setup_signals(struct agent *a)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	a->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return a->sigfd < 0 ? -errno : 0;
}

static int run_loop(struct agent *a, const char **stop_reason)
{
	struct epoll_event ev = { .events = EPOLLIN }, evs[4];
	int64_t last_report = mono_s();

	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (a->epfd < 0)
		return -errno;
	ev.data.fd = a->sigfd;
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->sigfd, &ev) < 0)
		return -errno;
	ev.data.fd = drain_epoll_fd(&a->drain);
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
		return -errno;

	for (;;) {
		int n = epoll_wait(a->epfd, evs, 4, (int)a->cfg.poll_interval_ms);

		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++) {
			struct signalfd_siginfo si;

			if (evs[i].data.fd != a->sigfd)
				continue;
			while (read(a->sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					reload(a);
				} else {
					*stop_reason = si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM";
					return 0;
				}
			}
		}
		drain_consume(&a->drain);
		a->sink->ops->flush(a->sink);
		if (a->sink->ops->tick)
			a->sink->ops->tick(a->sink);
		if (store_fatal(a->sink)) {
			*stop_reason = "halt (disk action)";
			return -EIO;
		}
		if (mono_s() - last_report >= (int64_t)a->cfg.loss_report_interval) {
			report_loss(a);
			last_report = mono_s();
		}
	}
}

/* Stop capture first so that the last counters read are final. */
static void shutdown_agent(struct agent *a, const char *reason)
{
	uint64_t drops[CA_DROP__COUNT] = {};

	loader_detach(a->loader);
	while (drain_consume(&a->drain) > 0)
		;
	loader_read_drops(a->loader, drops);
	agent_event_loss(&a->drain, &a->loss, drops);
	agent_event_stop(&a->drain, reason, drops);
	a->sink->ops->flush(a->sink);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-dir", required_argument, NULL, 'l' },
		{ "test", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct agent a = { .config_path = DEFAULT_CONFIG, .sigfd = -1, .epfd = -1 };
	const char *stop_reason = "error";
	int check_only = 0, foreground = 0, c, r, rc = 1;
	unsigned nhooks, nactive = 0;
	const struct hook_status *hooks;
	struct enc_host host;
	char err[512] = "";

	while ((c = getopt_long(argc, argv, "c:ftVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a.config_path = optarg; break;
		case 'f': foreground = 1; break;
		case 'l': a.log_dir_override = optarg; break;
		case 't': check_only = 1; break;
		case 'V': printf("cauditd %s\n", CAUDIT_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init();
	if (cr_init()) {
		log_msg(LOG_ERR, "libsodium initialisation failed");
		return 1;
	}
	if (load_config(&a, &a.cfg, err, sizeof(err))) {
		log_msg(LOG_ERR, "%s", err);
		return EXIT_CONFIG;
	}
	hash_file(a.config_path, a.config_hash);
	if (check_only) {
		printf("%s: configuration OK\n", a.config_path);
		return 0;
	}
	if (!foreground && daemon(0, 1) < 0) {
		log_msg(LOG_ERR, "daemon: %s", strerror(errno));
		return 1;
	}
	umask(027);
	r = setup_signals(&a);
	if (r) {
		log_msg(LOG_ERR, "signals: %s", strerror(-r));
		goto out;
	}
	host_identity(&host);
	r = store_open(&a.sink, &a.cfg, &host, err, sizeof(err));
	if (r) {
		log_msg(LOG_ERR, "%s", err);
		goto out;
	}
	r = loader_open(&a.loader, &a.cfg, (uint32_t)getpid(), err, sizeof(err));
	if (r) {
		log_msg(LOG_ERR, "%s", err);
		goto out;
	}
	r = drain_init(&a.drain, loader_ringbuf_fd(a.loader), a.sink, a.cfg.args_max);
	if (r) {
		log_msg(LOG_ERR, "ring buffer: %s", strerror(-r));
		goto out;
	}
	if (loader_snapshot(a.loader, drain_snapshot_record, &a.drain))
		log_msg(LOG_WARNING, "task iterator unavailable: process snapshot from /proc only");
	drain_scan_proc(&a.drain);
	r = origin_seed(a.loader, &a.cfg);
	if (r > 0)
		log_msg(LOG_INFO, "session origin of %d running processes found in /proc", r);
	r = 0;

	hooks = loader_hooks(a.loader, &nhooks);
	for (unsigned i = 0; i < nhooks; i++) {
		if (hooks[i].active)
			nactive++;
		else
			log_msg(LOG_WARNING, "hook %s missing: %s", hooks[i].name, hooks[i].reason);
	}
	agent_event_start(&a.drain, hooks, nhooks, a.config_path, a.config_hash, a.cfg.log_dir);
	a.sink->ops->flush(a.sink);
	log_msg(LOG_INFO, "capturing: %u hooks active, %u missing; log in %s", nactive,
		nhooks - nactive, a.cfg.log_dir);

	r = run_loop(&a, &stop_reason);
	if (r)
		log_msg(LOG_ERR, "main loop: %s", strerror(-r));
	shutdown_agent(&a, r && strcmp(stop_reason, "error") == 0 ? "error" : stop_reason);
	rc = r ? 1 : 0;
	log_msg(LOG_INFO, "stopped (%s)", stop_reason);
out:
	if (a.drain.rb)
		drain_free(&a.drain);
	loader_close(a.loader);
	if (a.sink)
		a.sink->ops->close(a.sink);
	if (a.epfd >= 0)
		close(a.epfd);
	if (a.sigfd >= 0)
		close(a.sigfd);
	return rc;
}
