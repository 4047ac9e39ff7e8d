// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * caudit-collector: the central auditor.
 *   caudit-collector --nats URL --trusted-keys DIR --archive DIR [options]
 * DIR/<host>.pub is the root public key of each enrolled host. Several
 * instances may run against the same stream and archive: each host is
 * verified by the instance holding its lease (nats.c), the others wait and
 * take over when it stops renewing.
 *
 * The loop: renew or take leases (every second), fetch each held host's
 * new messages (host.c verifies and archives them), look for hosts that
 * went silent, report messages on subjects of hosts nobody enrolled.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "keys.h"
#include "log.h"

#define MAX_HOSTS 100000
#define BATCH 64
#define UNKNOWN_KEY "=unknown" /* '=' is in no host name */
#define NS 1000000000LL

static volatile sig_atomic_t stop;

struct slot {
	char name[FWD_HOST_MAX];
	uint8_t root[CRYPTO_PUB_LEN];
	uint64_t rev;	    /* our lease's revision (0: not ours) */
	int64_t renewed_ns; /* when the lease was last renewed (CLOCK_MONOTONIC) */
	struct coll_host *h;
	struct coll_sub *sub;
	int seen; /* still in the trusted-keys directory */
};

struct unknown_seen {
	char name[FWD_HOST_MAX];
	int64_t at;
};

struct coll {
	struct coll_opts o;
	struct coll_nats *n;
	struct coll_alerts *alerts;
	struct slot *slots;
	size_t nslots;
	struct slot unknown; /* the caudit-all consumer */
	struct unknown_seen recent[64];
	size_t nrecent;
	int64_t last_scan;
};

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static struct slot *find(struct coll *c, const char *name)
{
	for (size_t i = 0; i < c->nslots; i++)
		if (!strcmp(c->slots[i].name, name))
			return &c->slots[i];
	return NULL;
}

static void release(struct coll *c, struct slot *s)
{
	coll_sub_close(s->sub);
	coll_host_close(s->h);
	s->sub = NULL;
	s->h = NULL;
	coll_lease_release(c->n, s->name, s->rev);
	s->rev = 0;
}

/* DIR/<host>.pub: the enrolled hosts. */
static void scan_trusted(struct coll *c)
{
	DIR *d = opendir(c->o.trusted_dir);
	struct dirent *de;
	char err[512], path[PATH_MAX + 300];

	if (!d) {
		log_msg(LOG_ERR, "%s: cannot read the trusted keys", c->o.trusted_dir);
		return;
	}
	for (size_t i = 0; i < c->nslots; i++)
		c->slots[i].seen = 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char name[FWD_HOST_MAX];
		uint8_t root[CRYPTO_PUB_LEN];
		struct slot *s;

		if (l < 5 || strcmp(de->d_name + l - 4, ".pub") || l - 4 >= FWD_HOST_MAX)
			continue;
		memcpy(name, de->d_name, l - 4);
		name[l - 4] = 0;
		if (!fwd_host_valid(name)) {
			log_msg(LOG_WARNING, "%s: not a valid host name, ignored", de->d_name);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", c->o.trusted_dir, de->d_name);
		if (keys_read_root_pub(path, root, err, sizeof(err))) {
			log_msg(LOG_WARNING, "%s", err);
			continue;
		}
		s = find(c, name);
		if (!s && c->nslots < MAX_HOSTS) {
			struct slot *p = realloc(c->slots, (c->nslots + 1) * sizeof(*p));

			if (!p)
				break;
			c->slots = p;
			s = &c->slots[c->nslots++];
			memset(s, 0, sizeof(*s));
			strcpy(s->name, name);
			memcpy(s->root, root, sizeof(root));
			log_msg(LOG_INFO, "host %s enrolled", name);
		}
		if (s)
			s->seen = 1;
	}
	closedir(d);
}

static int take(struct coll *c, struct slot *s)
{
	char err[1024];
	int r;

	if (s == &c->unknown) {
		r = coll_sub_open(c->n, NULL, &s->sub, err, sizeof(err));
	} else {
		r = coll_host_open(&s->h, &c->o, s->name, s->root, c->alerts, err, sizeof(err));
		if (!r)
			r = coll_sub_open(c->n, s->name, &s->sub, err, sizeof(err));
	}
	if (r) {
		log_msg(LOG_ERR, "host %s: %s", s->name, err);
		release(c, s);
		return r;
	}
	if (s->h)
		log_msg(LOG_INFO, "host %s taken by %s at seq %llu", s->name, c->o.instance,
			(unsigned long long)coll_host_last_seq(s->h));
	return 0;
}

static void leases(struct coll *c)
{
	for (size_t i = 0; i <= c->nslots && !stop; i++) {
		struct slot *s = i < c->nslots ? &c->slots[i] : &c->unknown;
		int held = s->rev != 0;

		if (i < c->nslots && !s->seen) {
			if (held)
				release(c, s); /* no longer enrolled */
			continue;
		}
		if (coll_lease(c->n, s->name, &s->rev)) {
			s->renewed_ns = mono_ns();
			if (!held)
				take(c, s);
		} else if (held) {
			log_msg(LOG_WARNING, "host %s: lease lost", s->name);
			s->rev = 0;
			release(c, s);
		}
	}
}

static int host_msg(void *opaque, const struct coll_msg *m)
{
	return coll_host_message(opaque, m);
}

static int host_flush(void *opaque)
{
	return coll_host_flush(opaque);
}

/* caudit-all: a subject whose host nobody enrolled, reported once a minute per host. */
static int unknown_msg(void *opaque, const struct coll_msg *m)
{
	struct coll *c = opaque;
	char host[FWD_HOST_MAX];
	int64_t now = mono_ns();
	size_t i;

	if (fwd_subject_host(m->subject, host)) {
		coll_alert(c->alerts, ALERT_UNKNOWN_HOST, "-", "a message on subject '%.80s'",
			   m->subject);
		return 0;
	}
	if (find(c, host))
		return 0;
	if (now - c->last_scan > NS / 2) {
		/* enrolled since the last look? */
		c->last_scan = now;
		scan_trusted(c);
		if (find(c, host))
			return 0;
	}
	for (i = 0; i < c->nrecent; i++)
		if (!strcmp(c->recent[i].name, host) && now - c->recent[i].at < 60 * NS)
			return 0;
	i = c->nrecent < 64 ? c->nrecent++ : (size_t)(now % 64);
	strcpy(c->recent[i].name, host);
	c->recent[i].at = now;
	coll_alert(c->alerts, ALERT_UNKNOWN_HOST, host,
		   "messages from a host without an enrolled key (no %s.pub in %s)", host,
		   c->o.trusted_dir);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: caudit-collector --nats URL --trusted-keys DIR --archive DIR [options]\n"
	    "  --creds FILE          'user password' (0600)\n"
	    "  --tls-ca FILE [--tls-cert FILE --tls-key FILE]\n"
	    "  --instance NAME       this instance in the leases, unique (default: host name)\n"
	    "  --alert-log DIR       its own signed log (default ARCHIVE/.collector/NAME/log)\n"
	    "  --key-dir DIR         its keys (default ARCHIVE/.collector/NAME/keys)\n"
	    "  --stream NAME         JetStream stream (default CAUDIT)\n"
	    "  --replicas N          stream replicas (default 1)\n"
	    "  --seal-interval S     the hosts' seal_interval (default 10)\n"
	    "  --silence-factor N    silent after N x seal interval (default 3)\n"
	    "  --lease-ttl S         seconds before a dead instance's hosts are taken (default 5)\n"
	    "  --duplicate-window S  de-duplication window of the stream (default 3600)\n"
	    "  --no-fsync            do not fsync the archive (tests, benchmarks)\n");
}

static int num(const char *s, unsigned lo, unsigned hi, unsigned *v)
{
	uint64_t x;

	if (fwd_parse_u64(s, &x) || x < lo || x > hi)
		return -1;
	*v = (unsigned)x;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"nats", required_argument, 0, 'n'},
	    {"trusted-keys", required_argument, 0, 't'},
	    {"archive", required_argument, 0, 'a'},
	    {"creds", required_argument, 0, 'C'},
	    {"tls-ca", required_argument, 0, 'A'},
	    {"tls-cert", required_argument, 0, 'T'},
	    {"tls-key", required_argument, 0, 'K'},
	    {"alert-log", required_argument, 0, 'L'},
	    {"key-dir", required_argument, 0, 'k'},
	    {"instance", required_argument, 0, 'i'},
	    {"stream", required_argument, 0, 's'},
	    {"replicas", required_argument, 0, 'r'},
	    {"seal-interval", required_argument, 0, 'I'},
	    {"silence-factor", required_argument, 0, 'F'},
	    {"lease-ttl", required_argument, 0, 'l'},
	    {"duplicate-window", required_argument, 0, 'D'},
	    {"no-fsync", no_argument, 0, 'N'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	static struct coll c;
	const char *trusted = NULL, *archive = NULL, *alert = NULL, *keydir = NULL;
	int64_t next_lease = 0, next_scan = 0;
	char err[1024], hn[64] = "collector";
	int opt, r, status = 1;

	log_init();
	c.o.stream = "CAUDIT";
	c.o.replicas = 1;
	c.o.seal_interval = 10;
	c.o.silence_factor = 3;
	c.o.lease_ttl = 5;
	c.o.dup_window = 3600;
	c.o.fsync = 1;
	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		int bad = 0;

		switch (opt) {
		case 'n':
			c.o.nats_url = optarg;
			break;
		case 't':
			trusted = optarg;
			break;
		case 'a':
			archive = optarg;
			break;
		case 'C':
			c.o.creds = optarg;
			break;
		case 'A':
			c.o.tls_ca = optarg;
			break;
		case 'T':
			c.o.tls_cert = optarg;
			break;
		case 'K':
			c.o.tls_key = optarg;
			break;
		case 'L':
			alert = optarg;
			break;
		case 'k':
			keydir = optarg;
			break;
		case 'i':
			snprintf(c.o.instance, sizeof(c.o.instance), "%s", optarg);
			break;
		case 's':
			c.o.stream = optarg;
			break;
		case 'r':
			bad = num(optarg, 1, 5, &c.o.replicas);
			break;
		case 'I':
			bad = num(optarg, 1, 3600, &c.o.seal_interval);
			break;
		case 'F':
			bad = num(optarg, 1, 1000, &c.o.silence_factor);
			break;
		case 'l':
			bad = num(optarg, 2, 600, &c.o.lease_ttl);
			break;
		case 'D':
			bad = num(optarg, 1, 7 * 86400, &c.o.dup_window);
			break;
		case 'N':
			c.o.fsync = 0;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		if (bad) {
			fprintf(stderr, "caudit-collector: %s: out of range\n", optarg);
			return 2;
		}
	}
	if (optind != argc || !c.o.nats_url || !trusted || !archive) {
		usage(stderr);
		return 2;
	}
	snprintf(c.o.trusted_dir, sizeof(c.o.trusted_dir), "%s", trusted);
	snprintf(c.o.archive_dir, sizeof(c.o.archive_dir), "%s", archive);
	if (!c.o.instance[0]) {
		gethostname(hn, sizeof(hn) - 1);
		snprintf(c.o.instance, sizeof(c.o.instance), "%s", hn);
	}
	if (!fwd_host_valid(c.o.instance)) {
		fprintf(stderr, "caudit-collector: --instance %s: use 1-63 of A-Z a-z 0-9 . _ -\n",
			c.o.instance);
		return 2;
	}
	/* each instance its own signed log and keys: two writers would break one chain */
	snprintf(c.o.alert_dir, sizeof(c.o.alert_dir), "%s%s%s%s", alert ? alert : archive,
		 alert ? "" : "/.collector/", alert ? "" : c.o.instance, alert ? "" : "/log");
	snprintf(c.o.key_dir, sizeof(c.o.key_dir), "%s%s%s%s", keydir ? keydir : archive,
		 keydir ? "" : "/.collector/", keydir ? "" : c.o.instance, keydir ? "" : "/keys");
	strcpy(c.unknown.name, UNKNOWN_KEY);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (!alert || !keydir) {
		mkdir(archive, 0750);
		snprintf(err, sizeof(err), "%s/.collector", archive);
		mkdir(err, 0750);
		snprintf(err, sizeof(err), "%s/.collector/%s", archive, c.o.instance);
		mkdir(err, 0750);
	}
	r = coll_alerts_open(&c.alerts, &c.o, err, sizeof(err));
	if (r) {
		fprintf(stderr, "caudit-collector: %s\n", err);
		goto done;
	}
	/* NATS may not be there yet, or its JetStream not ready (cluster election) */
	for (int tries = 0; !stop; tries++) {
		struct timespec ts = {1, 0};

		r = coll_nats_open(&c.n, &c.o, err, sizeof(err));
		if (!r)
			break;
		if (!tries)
			log_msg(LOG_WARNING, "%s; retrying", err);
		nanosleep(&ts, NULL);
	}
	if (r)
		goto done;
	log_msg(LOG_INFO, "collector %s: stream %s, archive %s", c.o.instance, c.o.stream,
		c.o.archive_dir);
	while (!stop) {
		int64_t now = mono_ns();
		int got = 0;

		if (now >= next_scan) {
			scan_trusted(&c);
			next_scan = now + 10 * NS;
		}
		if (now >= next_lease) {
			leases(&c);
			for (size_t i = 0; i < c.nslots; i++)
				if (c.slots[i].h)
					coll_host_check_silence(c.slots[i].h, now);
			coll_alerts_tick(c.alerts);
			next_lease = now + (int64_t)c.o.lease_ttl * NS / 4;
		}
		for (size_t i = 0; i < c.nslots && !stop; i++) {
			struct slot *s = &c.slots[i];

			/*
			 * Work only while the lease is surely ours: another instance can take
			 * it a TTL after our last renewal, we stop at half of that.
			 */
			if (!s->sub || now - s->renewed_ns > (int64_t)c.o.lease_ttl * NS / 2)
				continue;
			r = coll_sub_fetch(s->sub, BATCH, host_msg, host_flush, s->h);
			if (r > 0)
				got += r;
			else if (r < 0)
				log_msg(LOG_WARNING, "host %s: %s", s->name, strerror(-r));
			if (coll_host_broken(s->h)) {
				/* reopened from its archive at the next lease round */
				log_msg(LOG_ERR, "host %s: archive write failed; reopening",
					s->name);
				release(&c, s);
			}
		}
		if (c.unknown.sub &&
		    now - c.unknown.renewed_ns <= (int64_t)c.o.lease_ttl * NS / 2) {
			r = coll_sub_fetch(c.unknown.sub, 256, unknown_msg, NULL, &c);
			if (r > 0)
				got += r;
		}
		if (!got) {
			struct timespec ts = {0, 20 * 1000000};

			nanosleep(&ts, NULL);
		}
	}
	status = 0;
done:
	for (size_t i = 0; i < c.nslots; i++)
		if (c.slots[i].rev)
			release(&c, &c.slots[i]);
	if (c.unknown.rev)
		release(&c, &c.unknown);
	coll_nats_close(c.n);
	coll_alerts_close(c.alerts);
	free(c.slots);
	return status;
}
