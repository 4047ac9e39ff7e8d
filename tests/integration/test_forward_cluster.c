// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A fleet's setup: a three-node JetStream cluster (stream and leases with
 * 3 replicas) and two collector instances. While two hosts write, one NATS
 * node is killed, then the collector instance holding the hosts is killed;
 * the other instance takes the hosts over within seconds (its log says so)
 * and nothing is lost or processed twice: the archives end at the hosts'
 * last seqs, with their record counts, and verify; no alert was raised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "fleet.h"
#include "harness.h"

static char base[256];

static int setup(void **state)
{
	(void)state;
	if (!harness_can_run())
		return 0;
	return harness_tmpdir(base, sizeof(base));
}

static int teardown(void **state)
{
	(void)state;
	fleet_teardown(base);
	return 0;
}

static int wait_log(const char *path, const char *s, int timeout_ms)
{
	for (int t = 0; t < timeout_ms; t += 100) {
		if (fleet_file_has(path, s))
			return 0;
		sleep_ms(100);
	}
	fprintf(stderr, "%s: no '%s'\n", path, s);
	return -1;
}

static void cluster(void **state)
{
	static const char *const hosts[] = {"c1", "c2"};
	static const char *const kinds[] = {"chain_broken", "seq_gap", "replay", "malformed"};
	const char *cargs[] = {"--replicas", "3", "--lease-ttl", "3", NULL};
	char trusted[300], archive[300], url[256], pub[400], hpub[400], adir[400];
	int cport[3];
	struct natsd n[3];
	struct fhost h[2];
	struct collector a, b;

	(void)state;
	if (!harness_can_run())
		skip();
	snprintf(trusted, sizeof(trusted), "%s/trusted", base);
	snprintf(archive, sizeof(archive), "%s/archive", base);
	for (int i = 0; i < 3; i++)
		cport[i] = fleet_port();
	for (int i = 0; i < 3; i++) {
		char *extra = xasprintf("cluster { name: caudit, listen: 127.0.0.1:%d, routes: ["
					" nats-route://127.0.0.1:%d, nats-route://127.0.0.1:%d,"
					" nats-route://127.0.0.1:%d ] }\n",
					cport[i], cport[0], cport[1], cport[2]);
		char *dir = xasprintf("%s/n%d", base, i + 1), name[8];

		snprintf(name, sizeof(name), "n%d", i + 1);
		assert_int_equal(natsd_start(&n[i], dir, name, extra), 0);
		free(extra);
		free(dir);
	}
	snprintf(url, sizeof(url), "nats://127.0.0.1:%d,nats://127.0.0.1:%d,nats://127.0.0.1:%d",
		 n[0].port, n[1].port, n[2].port);
	for (int i = 0; i < 2; i++)
		assert_int_equal(fhost_init(&h[i], base, hosts[i], trusted), 0);
	/* A takes both hosts first, B waits */
	assert_int_equal(collector_start(&a, url, trusted, archive, "A", cargs), 0);
	assert_int_equal(wait_log(a.log, "host c1 taken by A", 60000), 0);
	assert_int_equal(wait_log(a.log, "host c2 taken by A", 60000), 0);
	assert_int_equal(collector_start(&b, url, trusted, archive, "B", cargs), 0);
	for (int i = 0; i < 2; i++) {
		assert_true(fhost_write(&h[i], 6000, 400, NULL) > 0);
		assert_true(fhost_forward(&h[i], url, NULL) > 0);
	}
	snprintf(pub, sizeof(pub), "%s/c1.pub", trusted);
	assert_int_equal(fleet_wait_archive(archive, "c1", pub, 400, 60000), 0);
	/* a NATS node dies, then the collector that holds the hosts */
	fleet_stop(n[2].pid, SIGKILL);
	n[2].pid = 0;
	sleep_ms(2000);
	collector_stop(&a, SIGKILL);
	assert_int_equal(wait_log(b.log, "host c1 taken by B", 30000), 0);
	assert_int_equal(wait_log(b.log, "host c2 taken by B", 30000), 0);
	for (int i = 0; i < 2; i++) {
		uint64_t recs, last, arecs, alast;
		int st;

		assert_int_equal(waitpid(h[i].writer, &st, 0), h[i].writer);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		snprintf(hpub, sizeof(hpub), "%s/root.pub", h[i].key_dir);
		assert_int_equal(fleet_verify(h[i].log_dir, hpub, &recs, &last), 1);
		snprintf(pub, sizeof(pub), "%s/%s.pub", trusted, hosts[i]);
		assert_int_equal(fleet_wait_archive(archive, hosts[i], pub, last, 60000), 0);
		snprintf(adir, sizeof(adir), "%s/%s", archive, hosts[i]);
		assert_int_equal(fleet_verify(adir, pub, &arecs, &alast), 1);
		assert_int_equal(arecs, recs);
		assert_int_equal(alast, last);
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			assert_int_equal(fleet_alerts(archive, kinds[k], hosts[i]), 0);
		fleet_stop(h[i].fwd, SIGTERM);
	}
	collector_stop(&b, SIGTERM);
	natsd_stop(&n[0]);
	natsd_stop(&n[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cluster),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
