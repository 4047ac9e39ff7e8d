// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Forwarding through failures: while a host's store writes 400 events/s,
 * the nats-server is stopped for 30 s and started again, then the forwarder
 * and the collector are each killed with SIGKILL and restarted. Every record
 * must arrive exactly once: the archive ends at the host's last seq, has the
 * same record count, verifies, and no alert (gap, replay, chain) was raised.
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

#define OUTAGE_MS 30000

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

static void outage(void **state)
{
	static const char *const kinds[] = {"chain_broken", "seq_gap", "replay", "malformed",
					    "key_not_certified"};
	char trusted[300], archive[300], url[64], pub[400], hpub[400], adir[400], *ndir;
	struct fhost h;
	struct collector c;
	struct natsd n;
	uint64_t recs, last, arecs, alast;
	int st;

	(void)state;
	if (!harness_can_run())
		skip();
	snprintf(trusted, sizeof(trusted), "%s/trusted", base);
	snprintf(archive, sizeof(archive), "%s/archive", base);
	ndir = xasprintf("%s/nats", base);
	assert_int_equal(natsd_start(&n, ndir, "n1", NULL), 0);
	snprintf(url, sizeof(url), "nats://127.0.0.1:%d", n.port);
	assert_int_equal(fhost_init(&h, base, "h1", trusted), 0);
	assert_int_equal(collector_start(&c, url, trusted, archive, "c1", NULL), 0);
	assert_true(fhost_write(&h, 16000, 400, NULL) > 0);
	assert_true(fhost_forward(&h, url, NULL) > 0);
	snprintf(pub, sizeof(pub), "%s/h1.pub", trusted);
	snprintf(hpub, sizeof(hpub), "%s/root.pub", h.key_dir);
	snprintf(adir, sizeof(adir), "%s/h1", archive);

	/* something has arrived, then NATS goes away for 30 s while events flow */
	assert_int_equal(fleet_wait_archive(archive, "h1", pub, 400, 30000), 0);
	natsd_stop(&n);
	sleep_ms(OUTAGE_MS);
	assert_true(fleet_file_has(h.fwd_log, "retrying"));
	assert_int_equal(natsd_restart(&n), 0);
	/* it catches up: past what the host had when NATS came back */
	assert_int_equal(fleet_verify(h.log_dir, hpub, NULL, &last), 1);
	assert_int_equal(fleet_wait_archive(archive, "h1", pub, last, 60000), 0);

	/* the forwarder, then the collector, killed mid-stream and restarted */
	fleet_stop(h.fwd, SIGKILL);
	sleep_ms(1000);
	assert_true(fhost_forward(&h, url, NULL) > 0);
	sleep_ms(1000);
	collector_stop(&c, SIGKILL);
	sleep_ms(1000);
	assert_int_equal(collector_start(&c, url, trusted, archive, "c1", NULL), 0);

	assert_int_equal(waitpid(h.writer, &st, 0), h.writer);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(fleet_verify(h.log_dir, hpub, &recs, &last), 1);
	assert_true(recs >= 16000);
	assert_int_equal(fleet_wait_archive(archive, "h1", pub, last, 60000), 0);
	assert_int_equal(fleet_verify(adir, pub, &arecs, &alast), 1);
	assert_int_equal(arecs, recs);
	assert_int_equal(alast, last);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		assert_int_equal(fleet_alerts(archive, kinds[i], "h1"), 0);
	fleet_stop(h.fwd, SIGTERM);
	collector_stop(&c, SIGTERM);
	natsd_stop(&n);
	free(ndir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(outage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
