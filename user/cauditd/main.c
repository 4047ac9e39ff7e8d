/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cauditd: load the BPF programs, drain their records into the audit log,
 * report what was lost, stop cleanly.
 *
 *   cauditd [-c FILE] [--foreground] [--log-dir DIR]
 *   cauditd -t [-c FILE]       check the configuration and exit
 *   cauditd --remove-pins [-c FILE]   stop capture left running by pins (uninstall)
 *
 * Under systemd (Type=notify) it reports READY=1 once BPF is attached and the
 * log open, a STATUS= line and watchdog pings. With pin_dir set, SIGTERM
 * leaves the BPF programs and the ring buffer pinned: capture goes on until
 * the next daemon takes them over (docs/operations.md, "Restarts").
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

#include "agent.h"
#include "crypto.h"
#include "origin_seed.h"
#include "log.h"
#include "host.h"
#include "store.h"

#define DEFAULT_CONFIG "/etc/caudit/cauditd.conf"
#define EXIT_CONFIG 78 /* EX_CONFIG: systemd must not restart on this */



static void usage(FILE *f)
{
	fprintf(f, "usage: cauditd [-c FILE] [--foreground] [--log-dir DIR] [--rules PATH]\n"
		   "       cauditd -t [-c FILE]   check the configuration and exit\n"
		   "       cauditd --remove-pins [-c FILE]   remove pin_dir: capture stops\n"
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

	if (loader_read_drops(a->loader, drops) == 0) {
		agent_event_loss(&a->drain, &a->loss, drops);
		/* pinned counters outlive us: the next daemon reports only what is new */
		if (a->pins)
			pins_drops_save(a->pins, a->loss.reported);
	}
}

static void reload(struct agent *a)
{
	struct ca_config next;
	char err[512], hash[65];

	service_reloading();
	hash_file(a->config_path, hash);
	if (load_config(a, &next, err, sizeof(err))) {
		log_msg(LOG_ERR, "reload refused, keeping the running configuration: %s", err);
		agent_event_config(&a->drain, a->config_path, hash, err);
		service_ready();
		return;
	}
	if (strcmp(next.log_dir, a->cfg.log_dir) || next.ring_buffer_size != a->cfg.ring_buffer_size ||
	    next.pending_max != a->cfg.pending_max || strcmp(next.pin_dir, a->cfg.pin_dir) ||
	    strcmp(next.status_socket, a->cfg.status_socket))
		log_msg(LOG_WARNING, "log_dir, ring_buffer_size, pending_max, pin_dir and "
			"status_socket change at restart");
	loader_apply_runtime(a->loader, &next);
	a->cfg.capture_read_opens = next.capture_read_opens;
	memcpy(a->cfg.rules, next.rules, sizeof(next.rules));
	a->cfg.poll_interval_ms = next.poll_interval_ms;
	a->cfg.loss_report_interval = next.loss_report_interval;
	/* the filters apply to every program, also the pinned ones of a takeover */
	memcpy(a->cfg.include_uids, next.include_uids, sizeof(next.include_uids));
	a->cfg.n_include_uids = next.n_include_uids;
	memcpy(a->cfg.exclude_uids, next.exclude_uids, sizeof(next.exclude_uids));
	a->cfg.n_exclude_uids = next.n_exclude_uids;
	memcpy(a->cfg.include_comms, next.include_comms, sizeof(next.include_comms));
	a->cfg.n_include_comms = next.n_include_comms;
	memcpy(a->cfg.exclude_comms, next.exclude_comms, sizeof(next.exclude_comms));
	a->cfg.n_exclude_comms = next.n_exclude_comms;
	strcpy(a->config_hash, hash);
	a->generation++;
	agent_event_config(&a->drain, a->config_path, hash, NULL);
	a->sink->ops->flush(a->sink);
	log_msg(LOG_INFO, "configuration reloaded (%s), generation %llu", hash,
		(unsigned long long)a->generation);
	service_ready();
}

/* The name of process pid (who sent a signal), "" when it is gone. */
static void process_comm(int32_t pid, char *out, size_t len)
{
	char path[64];
	int fd;
	ssize_t n;

	out[0] = 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, out, len - 1);
	close(fd);
	if (n <= 0) {
		out[0] = 0;
		return;
	}
	out[n] = 0;
	out[strcspn(out, "\n")] = 0;
}

static const char *rules_path(const struct agent *a, const struct ca_config *cfg)
{
	return a->rules_override ? a->rules_override : cfg->rules;
}

/* loader_ready_fn: the start policy goes into the kernel before capture begins. */
static int activate_start_policy(void *ctx, struct loader *l, char *err, size_t errlen)
{
	struct agent *a = ctx;
	struct rules_policy *p = a->start_rules;

	a->start_rules = NULL;
	return policy_activate(&a->policy, l, &a->cfg, p, !strcmp(rules_path(a, &a->cfg), "all"),
			       err, errlen);
}

/* agent.policy for the active generation, with the hooks it left attached. */
static void log_policy(struct agent *a, const struct policy_gen *prev, const char *path,
		       const struct policy_who *who)
{
	unsigned nhooks;
	const struct hook_status *hooks = loader_hooks(a->loader, &nhooks);

	agent_event_policy(&a->drain, a->policy.cur, prev, path, who, hooks, nhooks);
}

/*
 * Replace the policy by the rules at path: all or nothing. Refused while the
 * policy is immutable (-e 2) or when the rules do not compile; a refusal is
 * logged with who asked, and the running policy stays. 0 or negative errno.
 */
static int policy_reload(struct agent *a, const char *path, const struct policy_who *who,
			 char *err, size_t errlen)
{
	const struct policy_gen *prev = a->policy.cur;
	struct policy_gen prev_copy = {0};
	struct rules_policy *p = NULL;
	int r;

	if (a->policy.locked) {
		snprintf(err, errlen, "the policy is immutable (-e 2 in generation %u) until reboot",
			 prev ? prev->gen : 0);
		r = -EPERM;
	} else {
		r = policy_read(path, &p, err, errlen);
	}
	if (!r) {
		if (prev)
			prev_copy = *prev; /* its slot may be reused by the new generation */
		r = policy_activate(&a->policy, a->loader, &a->cfg, p, !strcmp(path, "all"), err,
				    errlen);
	}
	if (r) {
		a->policy.refused++;
		snprintf(a->policy.last_refusal, sizeof(a->policy.last_refusal), "%s", err);
		log_msg(LOG_ERR, "policy change from %s refused (%s, uid %u pid %d), keeping "
			"generation %u: %s", path, who->via, who->uid, who->pid,
			prev ? prev->gen : 0, err);
		agent_event_policy_refused(&a->drain, a->policy.cur, path, err, who);
		a->sink->ops->flush(a->sink);
		return r;
	}
	snprintf(a->policy.source, sizeof(a->policy.source), "%s", path);
	log_policy(a, prev ? &prev_copy : NULL, path, who);
	a->sink->ops->flush(a->sink);
	log_msg(LOG_INFO, "policy generation %u (%s) from %s (%s, uid %u pid %d)",
		a->policy.cur->gen, a->policy.cur->hash, path, who->via, who->uid, who->pid);
	return 0;
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
	if (a->status.fd >= 0) {
		ev.data.fd = a->status.fd;
		if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
			return -errno;
	}

	for (;;) {
		int n = epoll_wait(a->epfd, evs, 4, (int)a->cfg.poll_interval_ms);

		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++) {
			struct signalfd_siginfo si;

			if (evs[i].data.fd == a->status.fd)
				status_serve(&a->status, agent_build_status, a);
			if (evs[i].data.fd != a->sigfd)
				continue;
			while (read(a->sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					struct policy_who who = {si.ssi_uid, (int32_t)si.ssi_pid,
								 "", "SIGHUP"};
					char perr[768];

					process_comm(who.pid, who.comm, sizeof(who.comm));
					reload(a);
					policy_reload(a, rules_path(a, &a->cfg), &who, perr,
						      sizeof(perr));
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
		agent_update_stats(a);
		service_watchdog(&a->svc);
	}
}

/*
 * Without pins, stop capture first so that the last counters read are final.
 * With pins capture goes on: drain what is there, the next daemon the rest.
 */
static void shutdown_agent(struct agent *a, const char *reason)
{
	uint64_t drops[CA_DROP__COUNT] = {};

	service_stopping();
	if (!a->pins) {
		loader_detach(a->loader);
		while (drain_consume(&a->drain) > 0)
			;
	} else {
		drain_consume(&a->drain);
	}
	loader_read_drops(a->loader, drops);
	agent_event_loss(&a->drain, &a->loss, drops);
	agent_event_stop(&a->drain, reason, drops);
	a->sink->ops->flush(a->sink);
	if (a->pins) {
		pins_drops_save(a->pins, a->loss.reported);
		log_msg(LOG_INFO, "BPF programs stay pinned in %s: capture goes on until the next "
			"start (cauditd --remove-pins stops it)", a->cfg.pin_dir);
	}
}

/*
 * An upgrade (other BPF object or ring size): the new programs are attached
 * and pinned; now stop the old ones and move what their ring still holds
 * into the log, skipping what the old daemon's journal says is there.
 */
#define HANDOVER_GRACE_MS 100

static void handover(struct agent *a)
{
	struct ring_ack *ack = NULL;
	struct ringc rc;
	int fd = pins_old_ring(a->pins, &ack), n = 0;
	uint64_t skipped = 0;

	pins_old_unlink_links(a->pins);
	/*
	 * Unlinking detached the old programs, but one may still be running
	 * (preempted under load): an exit it claimed goes into the old ring.
	 * Give it time to finish before the ring is read for the last time.
	 */
	{
		struct timespec grace = { 0, HANDOVER_GRACE_MS * 1000000L };

		while (nanosleep(&grace, &grace) && errno == EINTR)
			;
	}
	if (fd >= 0 && ringc_open(&rc, fd, ack) == 0) {
		skipped = ringc_resume(&rc, a->sink->resume_seq);
		n = drain_consume_ring(&a->drain, &rc);
		ringc_close(&rc);
	}
	if (fd >= 0)
		close(fd);
	pins_old_remove(a->pins);
	log_msg(LOG_NOTICE, "took over from an earlier BPF object: %d records of its ring "
		"written, %llu already in the log", n, (unsigned long long)skipped);
}

/* Pin, or take over the pins (restart), before loading anything. */
static int open_pins(struct agent *a, char *err, size_t errlen)
{
	uint8_t stamp[PINS_STAMP_LEN];

	if (!a->cfg.pin_dir[0])
		return 0;
	loader_stamp(&a->cfg, stamp);
	return pins_open(&a->pins, a->cfg.pin_dir, stamp, &a->pin_state, err, errlen);
}

static int remove_pins(struct agent *a)
{
	char old[PATH_MAX + 8];
	int r;

	if (!a->cfg.pin_dir[0]) {
		printf("pin_dir is empty in %s: nothing pinned\n", a->config_path);
		return 0;
	}
	snprintf(old, sizeof(old), "%s-old", a->cfg.pin_dir);
	pins_remove_dir(old);
	r = pins_remove_dir(a->cfg.pin_dir);
	if (r) {
		log_msg(LOG_ERR, "remove %s: %s", a->cfg.pin_dir, strerror(-r));
		return 1;
	}
	printf("removed %s: capture stopped\n", a->cfg.pin_dir);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-dir", required_argument, NULL, 'l' },
		{ "test", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "remove-pins", no_argument, NULL, 'R' },
		{ "rules", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct agent a = { .config_path = DEFAULT_CONFIG, .sigfd = -1, .epfd = -1 };
	const char *stop_reason = "error";
	int check_only = 0, foreground = 0, unpin = 0, c, r, rc = 1;
	unsigned nhooks, nactive = 0, nidle = 0;
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
		case 'R': unpin = 1; break;
		case 'r': a.rules_override = optarg; break;
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
	if (a.rules_override && strcmp(a.rules_override, "all") && a.rules_override[0] != '/') {
		/* the daemon changes directory: keep the path it was given meaning the same */
		static char abs_rules[PATH_MAX];

		if (!realpath(a.rules_override, abs_rules)) {
			log_msg(LOG_ERR, "--rules %s: %s", a.rules_override, strerror(errno));
			return EXIT_CONFIG;
		}
		a.rules_override = abs_rules;
	}
	if (!unpin && policy_read(rules_path(&a, &a.cfg), &a.start_rules, err, sizeof(err))) {
		log_msg(LOG_ERR, "rules: %s", err);
		return EXIT_CONFIG;
	}
	if (check_only) {
		printf("%s: configuration OK; rules %s: policy %s\n", a.config_path,
		       rules_path(&a, &a.cfg), rules_hash_hex(a.start_rules));
		rules_free(a.start_rules);
		return 0;
	}
	if (unpin)
		return remove_pins(&a);
	a.generation = 1;
	a.status.fd = -1;
	a.started_s = mono_s();
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
	if (a.cfg.host_name[0]) /* the name the collector knows this host by */
		snprintf(host.name, sizeof(host.name), "%s", a.cfg.host_name);
	r = store_open(&a.sink, &a.cfg, &host, err, sizeof(err));
	if (r) {
		log_msg(LOG_ERR, "%s", err);
		goto out;
	}
	r = open_pins(&a, err, sizeof(err));
	if (!r)
		r = loader_open(&a.loader, &a.cfg, (uint32_t)getpid(), a.pins, a.pin_state,
				activate_start_policy, &a, err, sizeof(err));
	if (r) {
		log_msg(LOG_ERR, "%s", err);
		goto out;
	}
	r = drain_init(&a.drain, loader_ringbuf_fd(a.loader), a.pins ? pins_ack(a.pins) : NULL,
		       a.sink, a.cfg.args_max);
	if (r) {
		log_msg(LOG_ERR, "ring buffer: %s", strerror(-r));
		goto out;
	}
	a.drain.policy = &a.policy;
	if (a.pin_state == PINS_REUSE) {
		uint64_t skipped = ringc_resume(&a.drain.rc, a.sink->resume_seq);

		pins_drops_reported(a.pins, a.loss.reported);
		log_msg(LOG_NOTICE, "took over the pinned programs in %s: %llu bytes waiting, "
			"%llu records already in the log skipped", a.cfg.pin_dir,
			(unsigned long long)ringc_pending(&a.drain.rc), (unsigned long long)skipped);
	}
	if (loader_snapshot(a.loader, drain_snapshot_record, &a.drain))
		log_msg(LOG_WARNING, "task iterator unavailable: process snapshot from /proc only");
	drain_scan_proc(&a.drain);
	r = origin_seed(a.loader, &a.cfg);
	if (r > 0)
		log_msg(LOG_INFO, "session origin of %d running processes found in /proc", r);
	r = 0;
	if (a.pin_state == PINS_OLD)
		handover(&a);

	hooks = loader_hooks(a.loader, &nhooks);
	for (unsigned i = 0; i < nhooks; i++) {
		if (hooks[i].active)
			nactive++;
		else if (hooks[i].idle)
			nidle++;
		else
			log_msg(LOG_WARNING, "hook %s missing: %s", hooks[i].name, hooks[i].reason);
	}
	agent_event_start(&a.drain, hooks, nhooks, a.config_path, a.config_hash, a.cfg.log_dir);
	{
		struct policy_who who = {(uint32_t)getuid(), (int32_t)getpid(), "cauditd", "start"};

		snprintf(a.policy.source, sizeof(a.policy.source), "%s", rules_path(&a, &a.cfg));
		log_policy(&a, NULL, rules_path(&a, &a.cfg), &who);
	}
	a.sink->ops->flush(a.sink);
	log_msg(LOG_INFO, "capturing: %u hooks active, %u idle (no rule names them), %u missing; "
		"log in %s; config %s; pins in %s",
		nactive, nidle, nhooks - nactive - nidle, a.cfg.log_dir, a.config_path,
		a.cfg.pin_dir[0] ? a.cfg.pin_dir : "(none)");
	r = status_open(&a.status, a.cfg.status_socket, a.cfg.status_group, err, sizeof(err));
	if (r) /* capture matters more than the status socket */
		log_msg(LOG_WARNING, "%s", err);
	service_init(&a.svc, a.cfg.test_stop_watchdog_after);
	agent_update_stats(&a);
	service_ready();

	r = run_loop(&a, &stop_reason);
	if (r)
		log_msg(LOG_ERR, "main loop: %s", strerror(-r));
	shutdown_agent(&a, r && strcmp(stop_reason, "error") == 0 ? "error" : stop_reason);
	rc = r ? 1 : 0;
	log_msg(LOG_INFO, "stopped (%s)", stop_reason);
out:
	rules_free(a.start_rules);
	policy_free(&a.policy);
	drain_free(&a.drain);
	status_close(&a.status);
	loader_close(a.loader);
	pins_close(a.pins);
	if (a.sink)
		a.sink->ops->close(a.sink);
	if (a.epfd >= 0)
		close(a.epfd);
	if (a.sigfd >= 0)
		close(a.sigfd);
	return rc;
}
