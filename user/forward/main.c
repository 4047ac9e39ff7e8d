// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * caudit-forward: sends a host's signed log on, as the agent writes it.
 *   caudit-forward --log-dir DIR --nats URL [--creds FILE] [--tls-ca FILE ...]
 *   caudit-forward --log-dir DIR --syslog HOST:PORT [--tls-ca FILE ...]
 * Settings come from the agent's config file (-c: log_dir, host_name,
 * forward_state) and flags, flags last. Runs unprivileged: it needs read
 * access to the log directory (the log group) and its own state directory.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "forward.h"
#include "log.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: caudit-forward [-c CONFIG] [--log-dir DIR] [--state-dir DIR] [--host NAME]\n"
	    "                      (--nats URL [--creds FILE] [--tls-ca FILE [--tls-cert FILE\n"
	    "                       --tls-key FILE]] | --syslog HOST:PORT [--tls-ca ...])\n"
	    "                      [--poll-ms N] [--once]\n"
	    "  -c CONFIG      the agent's config file (log_dir, host_name, forward_*)\n"
	    "  --log-dir DIR  the agent's log directory (default /var/log/caudit)\n"
	    "  --state-dir    where the checkpoint is kept (default /var/lib/caudit-forward;\n"
	    "                 the agent's forward_state must name the same directory)\n"
	    "  --host NAME    the host's name at the collector (default host_name, else the\n"
	    "                 machine's host name)\n"
	    "  --nats URL     NATS server(s), comma-separated (nats://, tls://)\n"
	    "  --creds FILE   one line 'user password', mode 0600\n"
	    "  --tls-ca FILE  TLS (to NATS or syslog): the CA that signed the server's certificate\n"
	    "  --tls-cert F, --tls-key F  a client certificate and its key (mode 0600)\n"
	    "  --syslog H:P   send RFC 5424 records over TCP (TLS with --tls-ca) instead of NATS\n"
	    "  --once         exit when everything present has been sent\n");
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (!stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"log-dir", required_argument, 0, 'l'},
	    {"state-dir", required_argument, 0, 's'},
	    {"host", required_argument, 0, 'H'},
	    {"nats", required_argument, 0, 'n'},
	    {"creds", required_argument, 0, 'C'},
	    {"tls-ca", required_argument, 0, 'A'},
	    {"tls-cert", required_argument, 0, 'T'},
	    {"tls-key", required_argument, 0, 'K'},
	    {"syslog", required_argument, 0, 'S'},
	    {"poll-ms", required_argument, 0, 'p'},
	    {"once", no_argument, 0, 'o'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	static struct ca_config cfg;
	static struct fwd_opts o;
	const char *config = NULL, *log_dir = NULL, *state_dir = NULL, *host = NULL;
	struct fwd_reader *rd = NULL;
	struct fwd_out *out = NULL;
	char err[1024];
	unsigned backoff = 0;
	int c, r, status = 1;

	log_init();
	o.poll_ms = 200;
	while ((c = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'l':
			log_dir = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'H':
			host = optarg;
			break;
		case 'n':
			o.nats_url = optarg;
			break;
		case 'C':
			o.creds = optarg;
			break;
		case 'A':
			o.tls_ca = optarg;
			break;
		case 'T':
			o.tls_cert = optarg;
			break;
		case 'K':
			o.tls_key = optarg;
			break;
		case 'S':
			o.syslog = optarg;
			break;
		case 'p':
			o.poll_ms = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'o':
			o.once = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || (o.nats_url && o.syslog) || o.poll_ms < 1 || o.poll_ms > 60000 ||
	    (o.tls_cert && !o.tls_key) || (o.tls_key && !o.tls_cert)) {
		usage(stderr);
		return 2;
	}
	config_defaults(&cfg);
	if (config && config_load(&cfg, config, err, sizeof(err))) {
		fprintf(stderr, "caudit-forward: %s\n", err);
		return 2;
	}
	/* the agent's config file's forward_* keys, where no flag was given */
	if (!o.nats_url && !o.syslog && cfg.forward_nats[0] && cfg.forward_syslog[0]) {
		fprintf(stderr, "caudit-forward: %s: forward_nats and forward_syslog are both set: "
				"give --nats or --syslog\n", config);
		return 2;
	}
	if (!o.nats_url && !o.syslog && cfg.forward_nats[0])
		o.nats_url = cfg.forward_nats;
	if (!o.nats_url && !o.syslog && cfg.forward_syslog[0])
		o.syslog = cfg.forward_syslog;
	if (!o.creds && cfg.forward_creds[0])
		o.creds = cfg.forward_creds;
	if (!o.tls_ca && cfg.forward_tls_ca[0])
		o.tls_ca = cfg.forward_tls_ca;
	if (!o.tls_cert && cfg.forward_tls_cert[0] && cfg.forward_tls_key[0]) {
		o.tls_cert = cfg.forward_tls_cert;
		o.tls_key = cfg.forward_tls_key;
	}
	if (!o.nats_url == !o.syslog) {
		fprintf(stderr, "caudit-forward: give --nats URL (or forward_nats) or --syslog HOST:PORT "
				"(or forward_syslog)\n");
		return 2;
	}
	snprintf(o.log_dir, sizeof(o.log_dir), "%s", log_dir ? log_dir : cfg.log_dir);
	snprintf(o.state_dir, sizeof(o.state_dir), "%s",
		 state_dir		? state_dir
		 : cfg.forward_state[0] ? cfg.forward_state
					: "/var/lib/caudit-forward");
	if (host)
		snprintf(o.host, sizeof(o.host), "%s", host);
	else if (cfg.host_name[0])
		snprintf(o.host, sizeof(o.host), "%s", cfg.host_name);
	else if (gethostname(o.host, sizeof(o.host) - 1) < 0)
		o.host[0] = 0;
	if (!fwd_host_valid(o.host)) {
		fprintf(stderr, "caudit-forward: '%s' is not a valid host name: set --host\n",
			o.host);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	r = fwd_reader_open(&rd, &o, err, sizeof(err));
	if (!r)
		r = o.nats_url ? fwd_nats_open(&out, &o, err, sizeof(err))
			       : fwd_syslog_open(&out, &o, err, sizeof(err));
	if (r) {
		fprintf(stderr, "caudit-forward: %s\n", err);
		goto done;
	}
	log_msg(LOG_INFO, "forwarding %s as host %s to %s", o.log_dir, o.host,
		o.nats_url ? o.nats_url : o.syslog);
	while (!stop) {
		err[0] = 0;
		r = fwd_reader_step(rd, out, err, sizeof(err));
		if (r > 0) {
			if (backoff)
				log_msg(LOG_NOTICE, "sending again");
			backoff = 0;
			continue;
		}
		if (r == -EAGAIN) {
			/* the other side is away: the log keeps everything, try again */
			if (!backoff)
				log_msg(LOG_WARNING, "%s; retrying", err);
			backoff = backoff ? (backoff * 2 > 5000 ? 5000 : backoff * 2) : 250;
			sleep_ms(backoff);
			continue;
		}
		if (r < 0) {
			log_msg(LOG_ERR, "%s", err);
			goto done;
		}
		backoff = 0;
		if (o.once)
			break;
		sleep_ms(o.poll_ms);
	}
	status = 0;
done:
	if (out)
		out->ops->close(out);
	fwd_reader_close(rd);
	explicit_bzero(&cfg, sizeof(cfg));
	return status;
}
