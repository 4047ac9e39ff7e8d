/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Unit tests for the configuration parser (user/common/config.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

#define ERRLEN 512

/* Test users: alice=1000, bob=1001, "bad" breaks NSS, "minus1" maps to (uid_t)-1. */
static int stub_lookup(const char *name, uint32_t *uid)
{
	if (!strcmp(name, "alice"))
		*uid = 1000;
	else if (!strcmp(name, "bob"))
		*uid = 1001;
	else if (!strcmp(name, "bad"))
		return -EIO;
	else if (!strcmp(name, "minus1"))
		*uid = UINT32_MAX;
	else
		return -ENOENT;
	return 0;
}

static struct ca_config cfg;
static char err[ERRLEN];

static int parse_n(const char *text, size_t len)
{
	config_defaults(&cfg);
	memset(err, 'Z', sizeof(err));
	return config_parse(&cfg, "t.conf", text, len, stub_lookup, err, sizeof(err));
}

static int parse(const char *text)
{
	return parse_n(text, strlen(text));
}

static void ok(const char *text)
{
	int r = parse(text);

	if (r)
		print_error("unexpected error: %s\n", err);
	assert_int_equal(r, 0);
	assert_string_equal(err, "");
}

static void bad(const char *text, const char *want)
{
	assert_int_equal(parse(text), -EINVAL);
	assert_string_equal(err, want);
}

static void test_defaults(void **state)
{
	struct ca_config c;

	memset(&c, 0x5a, sizeof(c));
	config_defaults(&c);
	assert_string_equal(c.log_dir, "/var/log/caudit");
	assert_int_equal(c.ring_buffer_size, 16 << 20);
	assert_int_equal(c.wakeup_bytes, 262144);
	assert_int_equal(c.poll_interval_ms, 10);
	assert_int_equal(c.args_max, 4096);
	assert_int_equal(c.pending_max, 16384);
	assert_int_equal(c.loss_report_interval, 5);
	assert_int_equal(c.capture_read_opens, 0);
	assert_int_equal(c.n_include_uids, 0);
	assert_int_equal(c.n_exclude_uids, 0);
	assert_int_equal(c.n_include_comms, 0);
	assert_int_equal(c.n_exclude_comms, 0);

	/* an empty file keeps them */
	ok("");
	assert_memory_equal(&cfg, &c, sizeof(c));
}

static void test_service_keys(void **state)
{
	struct ca_config c;

	config_defaults(&c);
	assert_string_equal(c.pin_dir, "/sys/fs/bpf/caudit");
	assert_string_equal(c.status_socket, "/run/caudit/cauditd.sock");
	assert_string_equal(c.status_group, "root");
	assert_int_equal(c.test_stop_watchdog_after, 0);
	ok("pin_dir = /sys/fs/bpf/other\nstatus_socket = /run/x.sock\nstatus_group = adm\n"
	   "test_stop_watchdog_after = 5\n");
	assert_string_equal(cfg.pin_dir, "/sys/fs/bpf/other");
	assert_string_equal(cfg.status_socket, "/run/x.sock");
	assert_string_equal(cfg.status_group, "adm");
	assert_int_equal(cfg.test_stop_watchdog_after, 5);
	/* empty: no pins, no socket */
	ok("pin_dir =\nstatus_socket =\n");
	assert_string_equal(cfg.pin_dir, "");
	assert_string_equal(cfg.status_socket, "");
	bad("pin_dir = caudit\n", "t.conf:1: pin_dir: 'caudit' is not an absolute path");
	bad("test_stop_watchdog_after = 86401\n",
	    "t.conf:1: test_stop_watchdog_after: 86401 is out of range (0..86400)");
}

static void test_every_key(void **state)
{
	ok("log_dir = /srv/audit\n"
	   "ring_buffer_size = 4194304\n"
	   "wakeup_bytes = 65536\n"
	   "poll_interval_ms = 250\n"
	   "args_max = 8192\n"
	   "pending_max = 1024\n"
	   "loss_report_interval = 3600\n"
	   "capture_read_opens = yes\n"
	   "include_uids = 0, 1000, alice, bob\n"
	   "exclude_uids = 65534\n"
	   "include_comms = bash,sshd, python3 \n"
	   "exclude_comms = 123456789012345\n");
	assert_string_equal(cfg.log_dir, "/srv/audit");
	assert_int_equal(cfg.ring_buffer_size, 4194304);
	assert_int_equal(cfg.wakeup_bytes, 65536);
	assert_int_equal(cfg.poll_interval_ms, 250);
	assert_int_equal(cfg.args_max, 8192);
	assert_int_equal(cfg.pending_max, 1024);
	assert_int_equal(cfg.loss_report_interval, 3600);
	assert_int_equal(cfg.capture_read_opens, 1);
	assert_int_equal(cfg.n_include_uids, 4);
	assert_int_equal(cfg.include_uids[0], 0);
	assert_int_equal(cfg.include_uids[1], 1000);
	assert_int_equal(cfg.include_uids[2], 1000);
	assert_int_equal(cfg.include_uids[3], 1001);
	assert_int_equal(cfg.n_exclude_uids, 1);
	assert_int_equal(cfg.exclude_uids[0], 65534);
	assert_int_equal(cfg.n_include_comms, 3);
	assert_string_equal(cfg.include_comms[0], "bash");
	assert_string_equal(cfg.include_comms[1], "sshd");
	assert_string_equal(cfg.include_comms[2], "python3");
	assert_int_equal(cfg.n_exclude_comms, 1);
	assert_string_equal(cfg.exclude_comms[0], "123456789012345");
}

static void test_bounds_accepted(void **state)
{
	ok("ring_buffer_size = 4096\nwakeup_bytes = 0\npoll_interval_ms = 1\nargs_max = 64\n"
	   "pending_max = 1048576\nloss_report_interval = 1\n");
	assert_int_equal(cfg.ring_buffer_size, 4096);
	assert_int_equal(cfg.wakeup_bytes, 0);
	assert_int_equal(cfg.poll_interval_ms, 1);
	assert_int_equal(cfg.args_max, 64);
	assert_int_equal(cfg.pending_max, 1048576);
	assert_int_equal(cfg.loss_report_interval, 1);
	ok("ring_buffer_size = 1073741824\nwakeup_bytes = 1073741824\npoll_interval_ms = 1000\n");
	assert_int_equal(cfg.ring_buffer_size, 1ULL << 30);
	assert_int_equal(cfg.wakeup_bytes, 1ULL << 30);
	assert_int_equal(cfg.poll_interval_ms, 1000);
	ok("wakeup_bytes = 16777216\n");
	ok("poll_interval_ms = 0010\n");
	assert_int_equal(cfg.poll_interval_ms, 10);
	ok("exclude_uids = 4294967294\n");
	assert_int_equal(cfg.exclude_uids[0], 4294967294U);
}

static void test_booleans(void **state)
{
	static const char *const yes[] = { "yes", "true", "1", "YES", "True" };
	static const char *const no[] = { "no", "false", "0", "No", "FALSE" };
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(buf, sizeof(buf), "capture_read_opens=%s", yes[i]);
		ok(buf);
		assert_int_equal(cfg.capture_read_opens, 1);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(buf, sizeof(buf), "capture_read_opens = %s\n", no[i]);
		cfg.capture_read_opens = 1;
		assert_int_equal(config_parse(&cfg, "t.conf", buf, strlen(buf), NULL, err,
					      sizeof(err)),
				 0);
		assert_int_equal(cfg.capture_read_opens, 0);
	}
}

static void test_size_suffixes(void **state)
{
	ok("ring_buffer_size = 4K\nwakeup_bytes = 1K\n");
	assert_int_equal(cfg.ring_buffer_size, 4096);
	assert_int_equal(cfg.wakeup_bytes, 1024);
	ok("ring_buffer_size = 64M\nwakeup_bytes = 3M\n");
	assert_int_equal(cfg.ring_buffer_size, 64ULL << 20);
	assert_int_equal(cfg.wakeup_bytes, 3ULL << 20);
	ok("ring_buffer_size = 1G\nwakeup_bytes = 1G\n");
	assert_int_equal(cfg.ring_buffer_size, 1ULL << 30);
	assert_int_equal(cfg.wakeup_bytes, 1ULL << 30);
	ok("wakeup_bytes = 0K\n");
	assert_int_equal(cfg.wakeup_bytes, 0);
}

static void test_comments_blank_crlf(void **state)
{
	ok("# cauditd.conf\n"
	   "\n"
	   "   # indented comment = with equals\n"
	   "\t\n"
	   "#log_dir = relative\n"
	   "poll_interval_ms = 20\r\n"
	   "\r\n"
	   "  # comment\r\n"
	   "args_max=128\r\n"
	   "\t pending_max \t=\t 2048 \t\r\n"
	   "log_dir = /var/log/a#b # not a comment\r\n"
	   "loss_report_interval = 7");
	assert_int_equal(cfg.poll_interval_ms, 20);
	assert_int_equal(cfg.args_max, 128);
	assert_int_equal(cfg.pending_max, 2048);
	assert_string_equal(cfg.log_dir, "/var/log/a#b # not a comment");
	assert_int_equal(cfg.loss_report_interval, 7);

	/* CR at the end of the text without LF */
	ok("args_max = 100\r");
	assert_int_equal(cfg.args_max, 100);
	/* only blank lines and comments */
	ok("\n\n#\n   \n\r\n#x");
}

static void test_not_nul_terminated(void **state)
{
	static const char text[] = "args_max = 1234567";

	/* only "args_max = 123" is given */
	assert_int_equal(parse_n(text, 14), 0);
	assert_int_equal(cfg.args_max, 123);
	assert_int_equal(parse_n(NULL, 0), 0);
}

static void test_lists(void **state)
{
	char buf[1024];
	size_t n, i;

	/* empty value: empty list, replacing what was there */
	config_defaults(&cfg);
	cfg.n_include_uids = 3;
	cfg.n_exclude_comms = 2;
	assert_int_equal(config_parse(&cfg, "t.conf", "include_uids =\nexclude_comms=  \t", 32,
				      stub_lookup, err, sizeof(err)),
			 0);
	assert_int_equal(cfg.n_include_uids, 0);
	assert_int_equal(cfg.n_exclude_comms, 0);

	/* exactly CONFIG_MAX_LIST entries */
	n = (size_t)snprintf(buf, sizeof(buf), "exclude_uids = 0");
	for (i = 1; i < CONFIG_MAX_LIST; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, ",%zu", i);
	ok(buf);
	assert_int_equal(cfg.n_exclude_uids, CONFIG_MAX_LIST);
	assert_int_equal(cfg.exclude_uids[CONFIG_MAX_LIST - 1], CONFIG_MAX_LIST - 1);

	n = (size_t)snprintf(buf, sizeof(buf), "include_comms = c0");
	for (i = 1; i < CONFIG_MAX_LIST; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, ", c%zu", i);
	ok(buf);
	assert_int_equal(cfg.n_include_comms, CONFIG_MAX_LIST);
	assert_string_equal(cfg.include_comms[63], "c63");

	/* comms keep inner spaces and bytes outside ASCII */
	ok("exclude_comms = Web Content , \xc3\xa9t\xc3\xa9,a:b/c\n");
	assert_int_equal(cfg.n_exclude_comms, 3);
	assert_string_equal(cfg.exclude_comms[0], "Web Content");
	assert_string_equal(cfg.exclude_comms[1], "\xc3\xa9t\xc3\xa9");
	assert_string_equal(cfg.exclude_comms[2], "a:b/c");

	/* single entry, a name */
	ok("exclude_uids = bob");
	assert_int_equal(cfg.n_exclude_uids, 1);
	assert_int_equal(cfg.exclude_uids[0], 1001);
}

/* config_parse writes over what c holds, touching only the keys it sets. */
static void test_over_existing(void **state)
{
	config_defaults(&cfg);
	cfg.args_max = 77;
	strcpy(cfg.log_dir, "/x");
	assert_int_equal(config_parse(&cfg, "t.conf", "poll_interval_ms = 3", 20, NULL, err,
				      sizeof(err)),
			 0);
	assert_int_equal(cfg.args_max, 77);
	assert_string_equal(cfg.log_dir, "/x");
	assert_int_equal(cfg.poll_interval_ms, 3);
}

/* ---- one test per error class ---- */

static void test_err_missing_equals(void **state)
{
	bad("# ok\n\nlog_dir /var/log\n", "t.conf:3: missing '=' in 'log_dir /var/log'");
}

static void test_err_empty_key(void **state)
{
	bad("  = 5\n", "t.conf:1: missing key before '='");
}

static void test_err_unknown_key(void **state)
{
	bad("\n\nlgo_dir = /x\n", "t.conf:3: unknown key 'lgo_dir'");
	bad("Log_Dir = /x", "t.conf:1: unknown key 'Log_Dir'");
	bad("log dir = /x", "t.conf:1: unknown key 'log dir'");
}

static void test_err_duplicate_key(void **state)
{
	bad("args_max = 100\n# x\nargs_max = 100\n",
	    "t.conf:3: duplicate key 'args_max' (first set on line 1)");
	bad("include_uids =\ninclude_uids = 1\n",
	    "t.conf:2: duplicate key 'include_uids' (first set on line 1)");
}

static void test_err_empty_value(void **state)
{
	bad("log_dir =\n", "t.conf:1: log_dir: empty value");
	bad("args_max = \t \n", "t.conf:1: args_max: empty value");
	bad("capture_read_opens=", "t.conf:1: capture_read_opens: empty value");
}

static void test_err_bad_number(void **state)
{
	bad("args_max = -1", "t.conf:1: args_max: '-1' is not a number");
	bad("args_max = +100", "t.conf:1: args_max: '+100' is not a number");
	bad("args_max = 100x", "t.conf:1: args_max: '100x' is not a number");
	bad("args_max = 0x100", "t.conf:1: args_max: '0x100' is not a number");
	bad("args_max = 1 00", "t.conf:1: args_max: '1 00' is not a number");
	bad("args_max = 1K", "t.conf:1: args_max: '1K' is not a number");
	bad("poll_interval_ms = 1.5", "t.conf:1: poll_interval_ms: '1.5' is not a number");
	bad("pending_max = abc", "t.conf:1: pending_max: 'abc' is not a number");
	bad("loss_report_interval = 5s",
	    "t.conf:1: loss_report_interval: '5s' is not a number");
	bad("ring_buffer_size = 16k",
	    "t.conf:1: ring_buffer_size: '16k' is not a size (digits, optional K, M or G)");
	bad("ring_buffer_size = 16MB",
	    "t.conf:1: ring_buffer_size: '16MB' is not a size (digits, optional K, M or G)");
	bad("wakeup_bytes = K",
	    "t.conf:1: wakeup_bytes: 'K' is not a size (digits, optional K, M or G)");
	bad("wakeup_bytes = 1T",
	    "t.conf:1: wakeup_bytes: '1T' is not a size (digits, optional K, M or G)");
	bad("wakeup_bytes = -4K",
	    "t.conf:1: wakeup_bytes: '-4K' is not a size (digits, optional K, M or G)");
	bad("include_uids = 1, 2x", "t.conf:1: include_uids: '2x' is not a number");
	bad("exclude_uids = -1", "t.conf:1: exclude_uids: '-1' is not a number");
	bad("exclude_uids = +0", "t.conf:1: exclude_uids: '+0' is not a number");
	/* junk after an overflowing number is junk, not overflow */
	bad("args_max = 99999999999999999999999x",
	    "t.conf:1: args_max: '99999999999999999999999x' is not a number");
}

static void test_err_overflow(void **state)
{
	bad("args_max = 18446744073709551616",
	    "t.conf:1: args_max: 18446744073709551616 is out of range (64..8192)");
	bad("args_max = 4294967360", "t.conf:1: args_max: 4294967360 is out of range (64..8192)");
	bad("wakeup_bytes = 18446744073709551615K",
	    "t.conf:1: wakeup_bytes: 18446744073709551615K is out of range (0..1073741824)");
	bad("ring_buffer_size = 17179869184G",
	    "t.conf:1: ring_buffer_size: 17179869184G is out of range (4096..1073741824)");
	bad("include_uids = 99999999999999999999",
	    "t.conf:1: include_uids: 99999999999999999999 is out of range (0..4294967294)");
}

static void test_err_out_of_range(void **state)
{
	bad("ring_buffer_size = 2048",
	    "t.conf:1: ring_buffer_size: 2048 is out of range (4096..1073741824)");
	bad("ring_buffer_size = 2G",
	    "t.conf:1: ring_buffer_size: 2G is out of range (4096..1073741824)");
	bad("wakeup_bytes = 1073741825",
	    "t.conf:1: wakeup_bytes: 1073741825 is out of range (0..1073741824)");
	bad("poll_interval_ms = 0", "t.conf:1: poll_interval_ms: 0 is out of range (1..1000)");
	bad("poll_interval_ms = 1001",
	    "t.conf:1: poll_interval_ms: 1001 is out of range (1..1000)");
	bad("args_max = 63", "t.conf:1: args_max: 63 is out of range (64..8192)");
	bad("args_max = 8193", "t.conf:1: args_max: 8193 is out of range (64..8192)");
	bad("pending_max = 1023", "t.conf:1: pending_max: 1023 is out of range (1024..1048576)");
	bad("pending_max = 1048577",
	    "t.conf:1: pending_max: 1048577 is out of range (1024..1048576)");
	bad("loss_report_interval = 0",
	    "t.conf:1: loss_report_interval: 0 is out of range (1..3600)");
	bad("loss_report_interval = 3601",
	    "t.conf:1: loss_report_interval: 3601 is out of range (1..3600)");
}

static void test_err_uid_out_of_range(void **state)
{
	bad("include_uids = 0, 4294967295",
	    "t.conf:1: include_uids: 4294967295 is out of range (0..4294967294)");
	bad("exclude_uids = minus1",
	    "t.conf:1: exclude_uids: user 'minus1' has invalid uid 4294967295");
}

static void test_err_not_power_of_two(void **state)
{
	bad("\n\nring_buffer_size = 1000\n",
	    "t.conf:3: ring_buffer_size: 1000 is not a power of two");
	bad("ring_buffer_size = 0", "t.conf:1: ring_buffer_size: 0 is not a power of two");
	bad("ring_buffer_size = 3K", "t.conf:1: ring_buffer_size: 3K is not a power of two");
	bad("ring_buffer_size = 1073741825",
	    "t.conf:1: ring_buffer_size: 1073741825 is not a power of two");
}

static void test_err_bad_boolean(void **state)
{
	bad("capture_read_opens = maybe",
	    "t.conf:1: capture_read_opens: 'maybe' is not a boolean (yes, no, true, false, 1, 0)");
	bad("capture_read_opens = 2",
	    "t.conf:1: capture_read_opens: '2' is not a boolean (yes, no, true, false, 1, 0)");
	bad("capture_read_opens = yes no",
	    "t.conf:1: capture_read_opens: 'yes no' is not a boolean (yes, no, true, false, 1, 0)");
	bad("capture_read_opens = on",
	    "t.conf:1: capture_read_opens: 'on' is not a boolean (yes, no, true, false, 1, 0)");
}

static void test_err_list_too_long(void **state)
{
	char buf[1024];
	size_t n, i;

	n = (size_t)snprintf(buf, sizeof(buf), "include_uids = 0");
	for (i = 1; i <= CONFIG_MAX_LIST; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, ",%zu", i);
	bad(buf, "t.conf:1: include_uids: more than 64 entries");

	n = (size_t)snprintf(buf, sizeof(buf), "exclude_comms = c");
	for (i = 1; i <= CONFIG_MAX_LIST; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, ",c");
	bad(buf, "t.conf:1: exclude_comms: more than 64 entries");
}

static void test_err_comm_too_long(void **state)
{
	bad("include_comms = ok, 1234567890123456",
	    "t.conf:1: include_comms: '1234567890123456' is longer than 15 bytes");
	bad("exclude_comms = systemd-journald",
	    "t.conf:1: exclude_comms: 'systemd-journald' is longer than 15 bytes");
}

static void test_err_empty_list_element(void **state)
{
	bad("include_uids = 1,,2", "t.conf:1: include_uids: empty entry in list '1,,2'");
	bad("include_uids = 1, ,2", "t.conf:1: include_uids: empty entry in list '1, ,2'");
	bad("exclude_uids = ,1", "t.conf:1: exclude_uids: empty entry in list ',1'");
	bad("include_comms = a,", "t.conf:1: include_comms: empty entry in list 'a,'");
	bad("exclude_comms = ,", "t.conf:1: exclude_comms: empty entry in list ','");
	/* structure is checked before entries */
	bad("exclude_uids = nobody-here,",
	    "t.conf:1: exclude_uids: empty entry in list 'nobody-here,'");
}

static void test_err_unknown_user(void **state)
{
	bad("include_uids = alice, mallory",
	    "t.conf:1: include_uids: unknown user 'mallory'");
	bad("exclude_uids = bad",
	    "t.conf:1: exclude_uids: cannot look up user 'bad': Input/output error");
	/* without a lookup function names are unknown */
	config_defaults(&cfg);
	assert_int_equal(config_parse(&cfg, "n.conf", "include_uids = alice", 20, NULL, err,
				      sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "n.conf:1: include_uids: unknown user 'alice'");
}

static void test_err_log_dir(void **state)
{
	bad("log_dir = var/log/caudit",
	    "t.conf:1: log_dir: 'var/log/caudit' is not an absolute path");
	bad("log_dir = ~/logs", "t.conf:1: log_dir: '~/logs' is not an absolute path");
	bad("log_dir = #/x", "t.conf:1: log_dir: '#/x' is not an absolute path");
}

static void test_forwarding_keys(void **state)
{
	ok("host_name = db.prod-1\nforward_state = /var/lib/caudit-forward\n");
	assert_string_equal(cfg.host_name, "db.prod-1");
	assert_string_equal(cfg.forward_state, "/var/lib/caudit-forward");
	ok("host_name =\nforward_state =\n");
	assert_string_equal(cfg.host_name, "");
	assert_string_equal(cfg.forward_state, "");
	bad("\nhost_name = a..b", "t.conf:2: host_name: 'a..b' is not a valid host name "
				  "(1-63 of A-Z a-z 0-9 . _ -)");
	bad("host_name = web*", "t.conf:1: host_name: 'web*' is not a valid host name "
				"(1-63 of A-Z a-z 0-9 . _ -)");
	bad("forward_state = state", "t.conf:1: forward_state: 'state' is not an absolute path");
	ok("forward_nats = tls://10.0.0.1:4222,nats://n2:4222\nforward_creds = /etc/c\n"
	   "forward_tls_ca = /etc/ca.pem\nforward_tls_cert = /etc/c.pem\n"
	   "forward_tls_key = /etc/c.key\n");
	assert_string_equal(cfg.forward_nats, "tls://10.0.0.1:4222,nats://n2:4222");
	assert_string_equal(cfg.forward_creds, "/etc/c");
	assert_string_equal(cfg.forward_tls_ca, "/etc/ca.pem");
	assert_string_equal(cfg.forward_tls_cert, "/etc/c.pem");
	assert_string_equal(cfg.forward_tls_key, "/etc/c.key");
	ok("forward_syslog = siem.example:6514\n");
	assert_string_equal(cfg.forward_syslog, "siem.example:6514");
	ok("forward_syslog = [::1]:514\n");
	assert_string_equal(cfg.forward_syslog, "[::1]:514");
	ok("forward_syslog =\n");
	assert_string_equal(cfg.forward_syslog, "");
	bad("forward_syslog = siem", "t.conf:1: forward_syslog: 'siem' is not HOST:PORT");
	bad("forward_syslog = siem:0", "t.conf:1: forward_syslog: 'siem:0' is not HOST:PORT");
	bad("forward_syslog = siem:65536",
	    "t.conf:1: forward_syslog: 'siem:65536' is not HOST:PORT");
	bad("forward_syslog = :514", "t.conf:1: forward_syslog: ':514' is not HOST:PORT");
	bad("forward_syslog = tcp://siem:514",
	    "t.conf:1: forward_syslog: 'tcp://siem:514' is not HOST:PORT");
	bad("forward_nats = http://x:4222",
	    "t.conf:1: forward_nats: 'http://x:4222' is not a list of nats:// or tls:// URLs");
	bad("forward_nats = nats://a:1,,nats://b:2",
	    "t.conf:1: forward_nats: 'nats://a:1,,nats://b:2' is not a list of nats:// or "
	    "tls:// URLs");
	bad("forward_nats = nats://",
	    "t.conf:1: forward_nats: 'nats://' is not a list of nats:// or tls:// URLs");
}

static void test_err_hash_in_value(void **state)
{
	bad("poll_interval_ms = 10 # milliseconds",
	    "t.conf:1: poll_interval_ms: '#' in value '10 # milliseconds' "
	    "(comments must start a line)");
	bad("include_comms = a#b",
	    "t.conf:1: include_comms: '#' in value 'a#b' (comments must start a line)");
	bad("capture_read_opens = #",
	    "t.conf:1: capture_read_opens: '#' in value '#' (comments must start a line)");
}

static void test_err_control_char(void **state)
{
	/* the terminal escape in the value comes back escaped */
	bad("include_comms = a\x1b[2Jb",
	    "t.conf:1: include_comms: control character in value 'a\\x1b[2Jb'");
	bad("args_max = 1\r0\n", "t.conf:1: args_max: control character in value '1\\x0d0'");
	bad("args_max = 1\x7f", "t.conf:1: args_max: control character in value '1\\x7f'");
}

static void test_err_escaping(void **state)
{
	char buf[256];

	/* bytes outside printable ASCII, quote and backslash */
	bad("k\xc3\xa9y\x9b\\'= 1", "t.conf:1: unknown key 'k\\xc3\\xa9y\\x9b\\x5c\\x27'");
	bad("\x1b]0;pwned\x07 = 1", "t.conf:1: unknown key '\\x1b]0;pwned\\x07'");
	bad("log_dir = \x1b[31m", "t.conf:1: log_dir: '\\x1b[31m' is not an absolute path");

	/* long values are cut after 64 bytes */
	memset(buf, 'k', 200);
	strcpy(buf + 200, " = 1");
	bad(buf, "t.conf:1: unknown key "
		 "'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...'");
	memset(buf, 'k', 64);
	strcpy(buf + 64, " = 1");
	bad(buf, "t.conf:1: unknown key "
		 "'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk'");
}

static void test_err_wakeup_vs_ring(void **state)
{
	/* wakeup_bytes set: its line */
	bad("ring_buffer_size = 64K\n\nwakeup_bytes = 128K\n",
	    "t.conf:3: wakeup_bytes: 131072 is larger than ring_buffer_size (65536)");
	bad("wakeup_bytes = 128K\nring_buffer_size = 64K\n",
	    "t.conf:1: wakeup_bytes: 131072 is larger than ring_buffer_size (65536)");
	/* only ring_buffer_size set: its line, against the default wakeup_bytes */
	bad("# small\nring_buffer_size = 128K\n",
	    "t.conf:2: ring_buffer_size: 131072 is smaller than wakeup_bytes (262144)");
	/* only wakeup_bytes set, against the default ring */
	bad("wakeup_bytes = 32M\n",
	    "t.conf:1: wakeup_bytes: 33554432 is larger than ring_buffer_size (16777216)");
	/* neither set, but c held inconsistent values: no line to name */
	config_defaults(&cfg);
	cfg.wakeup_bytes = cfg.ring_buffer_size + 1;
	assert_int_equal(config_parse(&cfg, "t.conf", "args_max = 64\n", 14, NULL, err,
				      sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "t.conf: wakeup_bytes: 16777217 is larger than "
				 "ring_buffer_size (16777216)");
	/* equal is fine */
	ok("ring_buffer_size = 256K\nwakeup_bytes = 262144\n");
}

static void test_err_line_too_long(void **state)
{
	char *buf = malloc(8192);
	size_t n;

	assert_non_null(buf);
	/* 4096 bytes of line: fine, with LF, CRLF or nothing after */
	n = (size_t)sprintf(buf, "log_dir = /");
	memset(buf + n, 'd', 4096 - n);
	memcpy(buf + 4096, "\r\nargs_max = 99\n", 17);
	ok(buf);
	assert_int_equal(strlen(cfg.log_dir), 4096 - 10);
	assert_int_equal(cfg.args_max, 99);
	buf[4096] = '\0';
	ok(buf);

	/* 4097 bytes */
	memcpy(buf + 4096, "d\n", 3);
	bad(buf, "t.conf:1: line longer than 4096 bytes");
	/* a comment is a line too */
	memset(buf, '#', 5000);
	buf[5000] = '\0';
	bad(buf, "t.conf:1: line longer than 4096 bytes");
	/* the CR of CRLF does not count, another CR does */
	memset(buf, ' ', 4096);
	memcpy(buf + 4096, "\r\r\n", 4);
	bad(buf, "t.conf:1: line longer than 4096 bytes");
	free(buf);
}

static void test_err_nul_byte(void **state)
{
	static const char t1[] = "args_max = 100\nlog_dir = /a\0b\n";
	static const char t2[] = "# comment\0\n";
	static const char t3[] = "\n\n\0";

	assert_int_equal(parse_n(t1, sizeof(t1) - 1), -EINVAL);
	assert_string_equal(err, "t.conf:2: NUL byte in line");
	assert_int_equal(parse_n(t2, sizeof(t2) - 1), -EINVAL);
	assert_string_equal(err, "t.conf:1: NUL byte in line");
	assert_int_equal(parse_n(t3, sizeof(t3) - 1), -EINVAL);
	assert_string_equal(err, "t.conf:3: NUL byte in line");
}

static void test_err_buffer(void **state)
{
	char small[12];
	struct ca_config c;

	config_defaults(&c);
	memset(small, 'Z', sizeof(small));
	assert_int_equal(config_parse(&c, "t.conf", "lgo_dir = /x", 12, NULL, small, sizeof(small)),
			 -EINVAL);
	assert_string_equal(small, "t.conf:1: u");
	memset(small, 'Z', sizeof(small));
	assert_int_equal(config_parse(&c, "long-name.conf", "x", 1, NULL, small, 5), -EINVAL);
	assert_string_equal(small, "long");
	assert_int_equal(small[5], 'Z');
	assert_int_equal(config_parse(&c, "t.conf", "x", 1, NULL, NULL, 0), -EINVAL);
	assert_int_equal(config_parse(&c, "t.conf", "x", 1, NULL, small, 0), -EINVAL);
	assert_int_equal(small[0], 'l');
}

/* ---- config_load ---- */

static char tmpdir[64];

static int tmp_setup(void **state)
{
	strcpy(tmpdir, "/tmp/test_config.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int tmp_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_load_ok(void **state)
{
	static const char text[] = "# test\nlog_dir = /var/log/t\nexclude_uids = root, 5\n"
				   "ring_buffer_size = 1M\n";
	char path[PATH_MAX], link[PATH_MAX];
	struct ca_config c;

	snprintf(path, sizeof(path), "%s/ok.conf", tmpdir);
	write_file(path, text, sizeof(text) - 1);
	config_defaults(&c);
	memset(err, 'Z', sizeof(err));
	assert_int_equal(config_load(&c, path, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(c.log_dir, "/var/log/t");
	assert_int_equal(c.n_exclude_uids, 2);
	assert_int_equal(c.exclude_uids[0], 0); /* root, through NSS */
	assert_int_equal(c.exclude_uids[1], 5);
	assert_int_equal(c.ring_buffer_size, 1 << 20);

	/* symlinks are followed */
	snprintf(link, sizeof(link), "%s/link.conf", tmpdir);
	assert_int_equal(symlink(path, link), 0);
	config_defaults(&c);
	assert_int_equal(config_load(&c, link, err, sizeof(err)), 0);
	assert_string_equal(c.log_dir, "/var/log/t");

	/* an empty file */
	snprintf(path, sizeof(path), "%s/empty.conf", tmpdir);
	write_file(path, "", 0);
	config_defaults(&c);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), 0);
	assert_string_equal(c.log_dir, "/var/log/caudit");
}

static void test_load_parse_error(void **state)
{
	static const char text[] = "args_max = 100\nexclude_uids = no-such-user-caudit\n";
	char path[PATH_MAX], want[PATH_MAX + 64];
	struct ca_config c;

	snprintf(path, sizeof(path), "%s/bad.conf", tmpdir);
	write_file(path, text, sizeof(text) - 1);
	config_defaults(&c);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: exclude_uids: unknown user 'no-such-user-caudit'",
		 path);
	assert_string_equal(err, want);
}

static void test_load_missing(void **state)
{
	char path[PATH_MAX], want[PATH_MAX + 64];
	struct ca_config c;

	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	config_defaults(&c);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
	assert_string_equal(err, want);
}

static void test_load_directory(void **state)
{
	char want[PATH_MAX + 64];
	struct ca_config c;

	config_defaults(&c);
	assert_int_equal(config_load(&c, tmpdir, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", tmpdir);
	assert_string_equal(err, want);
}

static void test_load_fifo(void **state)
{
	char path[PATH_MAX], want[PATH_MAX + 64];
	struct ca_config c;

	/* must not block in open() waiting for a writer */
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	config_defaults(&c);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	assert_string_equal(err, want);
	assert_int_equal(config_load(&c, "/dev/null", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "/dev/null: not a regular file");
}

static void test_load_size_limit(void **state)
{
	char path[PATH_MAX], want[PATH_MAX + 64];
	char *big = malloc(CONFIG_MAX_FILE + 1);
	struct ca_config c;
	size_t i;

	assert_non_null(big);
	/* exactly CONFIG_MAX_FILE bytes of comment lines: accepted */
	for (i = 0; i < CONFIG_MAX_FILE; i += 64) {
		memset(big + i, '#', 63);
		big[i + 63] = '\n';
	}
	snprintf(path, sizeof(path), "%s/max.conf", tmpdir);
	write_file(path, big, CONFIG_MAX_FILE);
	config_defaults(&c);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), 0);

	/* one byte more: refused */
	big[CONFIG_MAX_FILE] = '\n';
	snprintf(path, sizeof(path), "%s/big.conf", tmpdir);
	write_file(path, big, CONFIG_MAX_FILE + 1);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -EFBIG);
	snprintf(want, sizeof(want), "%s: file larger than 1048576 bytes", path);
	assert_string_equal(err, want);
	free(big);
}

int main(void)
{
	const struct CMUnitTest parse_tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_service_keys),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_bounds_accepted),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_size_suffixes),
		cmocka_unit_test(test_comments_blank_crlf),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_over_existing),
		cmocka_unit_test(test_err_missing_equals),
		cmocka_unit_test(test_err_empty_key),
		cmocka_unit_test(test_err_unknown_key),
		cmocka_unit_test(test_err_duplicate_key),
		cmocka_unit_test(test_err_empty_value),
		cmocka_unit_test(test_err_bad_number),
		cmocka_unit_test(test_err_overflow),
		cmocka_unit_test(test_err_out_of_range),
		cmocka_unit_test(test_err_uid_out_of_range),
		cmocka_unit_test(test_err_not_power_of_two),
		cmocka_unit_test(test_err_bad_boolean),
		cmocka_unit_test(test_err_list_too_long),
		cmocka_unit_test(test_err_comm_too_long),
		cmocka_unit_test(test_err_empty_list_element),
		cmocka_unit_test(test_err_unknown_user),
		cmocka_unit_test(test_err_log_dir),
		cmocka_unit_test(test_forwarding_keys),
		cmocka_unit_test(test_err_hash_in_value),
		cmocka_unit_test(test_err_control_char),
		cmocka_unit_test(test_err_escaping),
		cmocka_unit_test(test_err_wakeup_vs_ring),
		cmocka_unit_test(test_err_line_too_long),
		cmocka_unit_test(test_err_nul_byte),
		cmocka_unit_test(test_err_buffer),
	};
	const struct CMUnitTest load_tests[] = {
		cmocka_unit_test(test_load_ok),
		cmocka_unit_test(test_load_parse_error),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_load_directory),
		cmocka_unit_test(test_load_fifo),
		cmocka_unit_test(test_load_size_limit),
	};
	int r;

	r = cmocka_run_group_tests_name("config_parse", parse_tests, NULL, NULL);
	r += cmocka_run_group_tests_name("config_load", load_tests, tmp_setup, tmp_teardown);
	return r;
}
