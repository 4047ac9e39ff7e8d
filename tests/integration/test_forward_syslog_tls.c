// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * caudit-forward's syslog output over TLS (docs/forwarding.md), against
 * Debian's rsyslog (imtcp with the ossl stream driver) on loopback, with a
 * throwaway CA made by openssl in the test:
 *  - rsyslog requires a client certificate signed by the CA
 *    (x509/certvalid): without one the forwarder reports the server's
 *    refusal (a TLS 1.3 alert after the handshake) and sends nothing; with
 *    one, configured through the config file's
 *    forward_syslog / forward_tls_* keys, sends a host's log: rsyslog
 *    receives exactly the host's records, in order, each with its host
 *    name, event, and chain position (seq, prev, segment, seal: the seq
 *    closing its block, found by the test's own block reader);
 *  - a server whose certificate another CA signed is refused at the
 *    handshake with the verifier's reason, nothing is delivered, nothing is
 *    checkpointed, and the forwarder keeps retrying (the log is the buffer);
 *    the right server certificate reached by a name it does not carry is
 *    refused the same way;
 *  - a client key readable by others is refused at start; a config file
 *    with both forward_nats and forward_syslog is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
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
#include "store_check.h"

static char base[256];

static int setup(void **state)
{
	char *cmd;
	int r;

	(void)state;
	if (!harness_can_run())
		return 0;
	if (harness_tmpdir(base, sizeof(base)))
		return -1;
	/*
	 * ca: the CA the forwarder trusts; srv: its server certificate for
	 * 127.0.0.1; cli: a client certificate it signed; other/srv2: another CA
	 * and a server certificate for 127.0.0.1 it signed.
	 */
	cmd = xasprintf(
	    "(cd %s && printf 'subjectAltName=IP:127.0.0.1\\n' > ip.cnf && "
	    "for ca in ca other; do openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:P-256 -nodes -keyout $ca.key -out $ca.pem -days 2 "
	    "-subj /CN=caudit-test-$ca || exit 1; done && "
	    "for c in srv:ca:ip.cnf srv2:other:ip.cnf cli:ca:; do n=${c%%%%:*}; r=${c#*:}; "
	    "ca=${r%%%%:*}; ext=${r#*:}; openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout $n.key -out $n.csr -subj /CN=caudit-test-$n || exit 1; "
	    "openssl x509 -req -in $n.csr -CA $ca.pem -CAkey $ca.key -CAcreateserial -out $n.pem "
	    "-days 2 ${ext:+-extfile $ext} || exit 1; done && chmod 600 *.key) >%s/openssl.log "
	    "2>&1",
	    base, base);
	r = system(cmd);
	free(cmd);
	return r ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	fleet_teardown(base);
	return 0;
}

/* rsyslogd with a TLS listener on a free loopback port presenting cert; its port. */
static int rsyslog_tls(const char *dir, const char *cert, const char *auth, pid_t *pid)
{
	char conf[400], out[400], pidf[400], log[400], *text;
	const char *argv[] = {"/usr/sbin/rsyslogd", "-n", "-f", conf, "-i", pidf, NULL};
	int port = fleet_port();

	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(conf, sizeof(conf), "%s/rsyslog.conf", dir);
	snprintf(out, sizeof(out), "%s/received.log", dir);
	snprintf(pidf, sizeof(pidf), "%s/rsyslogd.pid", dir);
	snprintf(log, sizeof(log), "%s/rsyslogd.log", dir);
	text =
	    xasprintf("global(workDirectory=\"%s\" maxMessageSize=\"64k\"\n"
		      "  defaultNetstreamDriver=\"ossl\"\n"
		      "  defaultNetstreamDriverCAFile=\"%s/ca.pem\"\n"
		      "  defaultNetstreamDriverCertFile=\"%s/%s.pem\"\n"
		      "  defaultNetstreamDriverKeyFile=\"%s/%s.key\")\n"
		      "module(load=\"imtcp\" streamDriver.name=\"ossl\" streamDriver.mode=\"1\"\n"
		      "  streamDriver.authMode=\"%s\")\n"
		      "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%d\")\n"
		      "template(name=\"raw\" type=\"string\" string=\"%%hostname%% "
		      "%%app-name%% %%msgid%% %%structured-data%% %%msg%%\\n\")\n"
		      "*.* action(type=\"omfile\" file=\"%s\" template=\"raw\")\n",
		      dir, base, base, cert, base, cert, auth, port, out);
	assert_int_equal(fleet_write_file(conf, text), 0);
	free(text);
	*pid = fleet_spawn(log, argv);
	assert_true(*pid > 0);
	assert_int_equal(fleet_wait_port(port, 20000), 0);
	return port;
}

static size_t file_lines(const char *path)
{
	FILE *f = fopen(path, "re");
	size_t n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/*
 * What rsyslog must have received: every record of the host's log, in
 * order, as "host caudit EVENT [caudit@32473 seq prev segment seal] RECORD".
 */
static char *expected(const struct fhost *h, size_t *nrec)
{
	char msg[512], *all = NULL;
	size_t len = 0, seal_line = 0;
	struct slog l;
	FILE *f = open_memstream(&all, &len);

	assert_non_null(f);
	assert_int_equal(slog_read(&l, h->log_dir, msg, sizeof(msg)), 0);
	assert_true(l.nlines > 10);
	for (size_t i = 0; i < l.nlines; i++) {
		json_object *o = slog_parse(&l, i), *s;

		assert_non_null(o);
		assert_true(l.lines[i].sealed); /* the writer ended with a shutdown seal */
		if (seal_line < i)
			seal_line = i;
		while (!l.lines[seal_line].member_end)
			seal_line++;
		s = slog_parse(&l, seal_line);
		assert_non_null(s);
		fprintf(f,
			"%s caudit %s [caudit@32473 seq=\"%lld\" prev=\"%s\" segment=\"%s\" "
			"seal=\"%lld\"] %.*s\n",
			h->name, jstr(o, "event"), (long long)jint(o, "seq"), jstr(o, "prev"),
			l.segs[l.lines[i].seg].name, (long long)jint(s, "seq"), (int)l.lines[i].len,
			slog_text(&l, i));
		json_object_put(s);
		json_object_put(o);
	}
	*nrec = l.nlines;
	slog_free(&l);
	fclose(f);
	return all;
}

/* A whole file as a string ("" when missing). */
static char *read_all(const char *path)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len), *f = fopen(path, "re");
	int c;

	assert_non_null(m);
	while (f && (c = fgetc(f)) != EOF)
		fputc(c, m);
	if (f)
		fclose(f);
	fclose(m);
	return out;
}

/* mutual TLS, settings from the config file: exactly the host's records arrive */
static void tls_records(void **state)
{
	char dir[300], hp[64], conf[400], out[400], *text, *want, *got;
	const char *extra[] = {"-c", conf, "--once", NULL};
	struct fhost h;
	size_t nrec;
	pid_t rs;
	int port, st;

	(void)state;
	if (!harness_can_run())
		skip();
	snprintf(dir, sizeof(dir), "%s/mtls", base);
	port = rsyslog_tls(dir, "srv", "x509/certvalid", &rs);
	assert_int_equal(fhost_init(&h, base, "edge2", NULL), 0);
	assert_int_equal(fhost_write_all(&h, 400, 0, NULL), 0);
	want = expected(&h, &nrec);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", port);
	snprintf(out, sizeof(out), "%s/received.log", dir);
	{
		/* no client certificate: rsyslog's alert after the handshake is an error */
		char ca[400];
		const char *bare[] = {"--syslog", hp, "--tls-ca", ca, "--once", NULL};
		uint64_t end = now_ms_mono() + 20000;

		snprintf(ca, sizeof(ca), "%s/ca.pem", base);
		assert_true(fhost_forward(&h, NULL, bare) > 0);
		while (!fleet_file_has(h.fwd_log, "retrying") && now_ms_mono() < end)
			sleep_ms(100);
		if (!fleet_file_has(h.fwd_log,
				    "TLS handshake: the server refused the connection: "
				    "error:0A00045C:SSL routines::tlsv13 alert certificate "
				    "required; retrying"))
			fail_msg("no refusal in the forwarder's log:\n%s", read_all(h.fwd_log));
		fleet_stop(h.fwd, SIGTERM);
		assert_int_equal(file_lines(out), 0);
	}
	snprintf(conf, sizeof(conf), "%s/fwd.conf", dir);
	text = xasprintf("forward_syslog = %s\nforward_tls_ca = %s/ca.pem\n"
			 "forward_tls_cert = %s/cli.pem\nforward_tls_key = %s/cli.key\n",
			 hp, base, base, base);
	assert_int_equal(fleet_write_file(conf, text), 0);
	free(text);
	assert_true(fhost_forward(&h, NULL, extra) > 0);
	assert_int_equal(waitpid(h.fwd, &st, 0), h.fwd);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		got = read_all(h.fwd_log);
		fail_msg("caudit-forward exited with %d:\n%s", st, got);
	}
	for (int t = 0; t < 200 && file_lines(out) < nrec; t++)
		sleep_ms(100);
	got = read_all(out);
	if (strcmp(got, want)) {
		size_t i = 0;

		while (got[i] && got[i] == want[i])
			i++;
		fail_msg("rsyslog received %zu lines, want %zu; first difference at byte %zu:\n"
			 "got:  %.200s\nwant: %.200s",
			 file_lines(out), nrec, i, got + i, want + i);
	}
	/* the forwarder's log says it used TLS to that server */
	assert_true(fleet_file_has(h.fwd_log, hp));
	free(got);
	free(want);
	fleet_stop(rs, SIGTERM);
}

/* servers the CA file does not vouch for: refused, nothing sent or checkpointed */
static void tls_refused(void **state)
{
	char dir[300], hp[64], ca[400], out[400], path[400];
	const char *extra[] = {"--syslog", hp, "--tls-ca", ca, "--once", NULL};
	struct fhost h;
	uint64_t end;
	pid_t rs;
	int port;

	(void)state;
	if (!harness_can_run())
		skip();
	snprintf(dir, sizeof(dir), "%s/other", base);
	port = rsyslog_tls(dir, "srv2", "anon", &rs);
	assert_int_equal(fhost_init(&h, base, "edge3", NULL), 0);
	assert_int_equal(fhost_write_all(&h, 50, 0, NULL), 0);
	snprintf(ca, sizeof(ca), "%s/ca.pem", base);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", port);
	assert_true(fhost_forward(&h, NULL, extra) > 0);
	end = now_ms_mono() + 20000;
	while (!fleet_file_has(h.fwd_log, "retrying") && now_ms_mono() < end)
		sleep_ms(100);
	{
		char *want = xasprintf("syslog 127.0.0.1:%d: TLS handshake: server certificate "
				       "refused: unable to get local issuer certificate; retrying",
				       port);

		if (!fleet_file_has(h.fwd_log, want))
			fail_msg("no '%s' in the forwarder's log:\n%s", want, read_all(h.fwd_log));
		free(want);
	}
	/* --once does not end it: what was not sent stays to be sent */
	sleep_ms(600);
	assert_int_equal(waitpid(h.fwd, NULL, WNOHANG), 0);
	fleet_stop(h.fwd, SIGTERM);
	snprintf(out, sizeof(out), "%s/received.log", dir);
	assert_int_equal(file_lines(out), 0);
	snprintf(path, sizeof(path), "%s/forward.state", h.state_dir);
	if (access(path, F_OK) == 0 && !fleet_file_has(path, "last_seq 0\n"))
		fail_msg("a block was checkpointed as sent:\n%s", read_all(path));

	/* the right CA, but the certificate does not name the host we asked for */
	unlink(h.fwd_log);
	snprintf(ca, sizeof(ca), "%s/other.pem", base);
	snprintf(hp, sizeof(hp), "localhost:%d", port);
	assert_true(fhost_forward(&h, NULL, extra) > 0);
	end = now_ms_mono() + 20000;
	while (!fleet_file_has(h.fwd_log, "retrying") && now_ms_mono() < end)
		sleep_ms(100);
	if (!fleet_file_has(h.fwd_log, "TLS handshake: server certificate refused: "
				       "hostname mismatch; retrying"))
		fail_msg("no hostname mismatch in the forwarder's log:\n%s", read_all(h.fwd_log));
	fleet_stop(h.fwd, SIGTERM);
	assert_int_equal(file_lines(out), 0);

	/* that CA and the name the certificate has: accepted, the whole log arrives */
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", port);
	unlink(h.fwd_log);
	assert_true(fhost_forward(&h, NULL, extra) > 0);
	{
		size_t nrec;
		char *want = expected(&h, &nrec), *got;
		int st;

		assert_int_equal(waitpid(h.fwd, &st, 0), h.fwd);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			fail_msg("caudit-forward exited with %d:\n%s", st, read_all(h.fwd_log));
		for (int t = 0; t < 200 && file_lines(out) < nrec; t++)
			sleep_ms(100);
		got = read_all(out);
		assert_string_equal(got, want);
		free(got);
		free(want);
	}
	fleet_stop(rs, SIGTERM);
}

/* a client key others may read is refused before anything is sent */
static void tls_loose_key(void **state)
{
	char hp[64], ca[400], cert[400], key[400], *log;
	const char *extra[] = {"--syslog", hp,		"--tls-ca", ca,	      "--tls-cert",
			       cert,	   "--tls-key", key,	    "--once", NULL};
	struct fhost h;
	int st;

	(void)state;
	if (!harness_can_run())
		skip();
	assert_int_equal(fhost_init(&h, base, "edge4", NULL), 0);
	assert_int_equal(fhost_write_all(&h, 10, 0, NULL), 0);
	snprintf(ca, sizeof(ca), "%s/ca.pem", base);
	snprintf(cert, sizeof(cert), "%s/cli.pem", base);
	snprintf(key, sizeof(key), "%s/cli-loose.key", base);
	log = xasprintf("cp %s/cli.key %s && chmod 644 %s", base, key, key);
	assert_int_equal(system(log), 0);
	free(log);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", fleet_port());
	assert_true(fhost_forward(&h, NULL, extra) > 0);
	assert_int_equal(waitpid(h.fwd, &st, 0), h.fwd);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	log = xasprintf("caudit-forward: tls key %s: must be a regular file readable only by "
			"its owner (chmod 600)",
			key);
	if (!fleet_file_has(h.fwd_log, log))
		fail_msg("no '%s' in:\n%s", log, read_all(h.fwd_log));
	free(log);
}

/* forward_nats and forward_syslog both in the config file: which one is meant? */
static void config_two_outputs(void **state)
{
	char conf[400], *want;
	const char *extra[] = {"-c", conf, "--once", NULL};
	struct fhost h;
	int st;

	(void)state;
	if (!harness_can_run())
		skip();
	assert_int_equal(fhost_init(&h, base, "edge5", NULL), 0);
	snprintf(conf, sizeof(conf), "%s/two.conf", base);
	assert_int_equal(fleet_write_file(conf, "forward_nats = nats://127.0.0.1:4222\n"
						"forward_syslog = 127.0.0.1:514\n"),
			 0);
	assert_true(fhost_forward(&h, NULL, extra) > 0);
	assert_int_equal(waitpid(h.fwd, &st, 0), h.fwd);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	want = xasprintf("caudit-forward: %s: forward_nats and forward_syslog are both set: give "
			 "--nats or --syslog",
			 conf);
	if (!fleet_file_has(h.fwd_log, want))
		fail_msg("no '%s' in:\n%s", want, read_all(h.fwd_log));
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tls_records),
	    cmocka_unit_test(tls_refused),
	    cmocka_unit_test(tls_loose_key),
	    cmocka_unit_test(config_two_outputs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
