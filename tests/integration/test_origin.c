/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Session origin with the real OpenSSH server from Debian, on loopback.
 *
 * The group setup makes a throw-away user (cauditssh) and a private sshd on
 * 127.0.0.2:2222 with UsePAM yes, so that pam_loginuid sets the login uid and
 * session id (ssh_fixture.c), and starts cauditd.
 *
 * Two ssh clients log in at the same time, one bound to 127.0.0.5 and one to
 * 127.0.0.6. Each remote shell touches a "ready" file, waits for the other's
 * (so the sessions provably overlap), then creates, renames and deletes a
 * file and opens a TCP connection with bash's /dev/tcp to a listener of this
 * test. Every record of those commands must carry its own session's origin
 * {ip, port, service:"sshd"}, user.login "cauditssh" and one session id, and
 * nothing of one session may carry the other's address. The exec_id chain
 * leads from each command to the session's shell and from the shell to sshd.
 * A third login, open before a second agent starts, keeps its origin too.
 *
 * The teardown (also after a failed test) stops sshd by pid, removes the
 * user with its home and every temp file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "ssh_fixture.h"

#define UNUSED __attribute__((unused))
#define WAIT_MS 20000
/*
 * Only the programs of this test (sshd, the sessions' commands, the test
 * itself): a busy machine cannot flood the log the test reads. The filter
 * keeps an exec when the name before or after it matches.
 */
#define AGENT_FILTER "include_comms = sshd, bash, sh, su, touch, mv, rm, sleep, test_origin"
#define NSESS 2          /* the two concurrent sessions */
#define LATE NSESS       /* one more session, opened before a second agent starts */
#define ROOTSU (NSESS + 1) /* root logs in and runs a command as the test user with su */
#define NALL (NSESS + 2)

static struct agent ag;
static int agent_up;
static struct sshfx fx;           /* the user and sshd */
static int fx_up;
static int ready;                 /* setup completed */

struct session {
	const char *src_ip;
	char marker[96];          /* file names /tmp/<marker>-a, -b, -ready */
	char path_a[160], path_b[160], path_ready[160], path_go[160];
	char cmd[2048];           /* the remote command */
	int lfd;                  /* our listener for its /dev/tcp connection */
	int lport;
	int peer_port;            /* the remote shell's source port, from accept() */
	struct sshfx_client c;    /* its stdout: "$SSH_CONNECTION" */
	int64_t auid;             /* who logged in: login uid and name */
	const char *login;
	int origin_port;          /* the client's source port, from SSH_CONNECTION */
	int64_t session_id;       /* user.session of its records */
};

static struct session sess[NALL];
static struct agent ag2;          /* started while the LATE session runs */
static int ag2_up;

/* ---- small helpers ------------------------------------------------------ */

static const char *rec_text(json_object *rec)
{
	return json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN);
}

/* A TCP listener on 127.0.0.1 with a kernel-chosen port. */
static int listen_lo(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len)) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* ---- group setup / teardown ---------------------------------------------- */

static int teardown(void **state UNUSED)
{
	for (int i = 0; i < NALL; i++) {
		struct session *s = &sess[i];

		sshfx_client_kill(&s->c);
		if (s->lfd >= 0)
			close(s->lfd);
		s->lfd = -1;
		if (s->marker[0]) {
			unlink(s->path_a);
			unlink(s->path_b);
			unlink(s->path_ready);
			unlink(s->path_go);
		}
	}
	if (fx_up) {
		sshfx_stop(&fx);
		fx_up = 0;
	}
	if (agent_up) {
		agent_cleanup(&ag);
		agent_up = 0;
	}
	if (ag2_up) {
		agent_cleanup(&ag2);
		ag2_up = 0;
	}
	ready = 0;
	return 0;
}

static int setup(void **state UNUSED)
{
	static const char *const ips[NALL] = { "127.0.0.5", "127.0.0.6", "127.0.0.7",
							 "127.0.0.8" };

	for (int i = 0; i < NALL; i++)
		sess[i].c.out_fd = sess[i].lfd = -1;
	if (!harness_can_run())
		return 0;
	if (!sshfx_available()) {
		fprintf(stderr, "openssh-server / openssh-client missing (.ci/install-deps)\n");
		return -1;
	}
	fx_up = 1;
	if (sshfx_start(&fx))
		goto fail;
	if (agent_start(&ag, AGENT_FILTER))
		goto fail;
	agent_up = 1;
	for (int i = 0; i < NALL; i++) {
		struct session *s = &sess[i];

		s->src_ip = s->c.src_ip = ips[i];
		s->c.cmd = s->cmd;
		s->c.as_root = i == ROOTSU;
		s->auid = i == ROOTSU ? 0 : fx.uid;
		s->login = i == ROOTSU ? "root" : SSHFX_USER;
		snprintf(s->marker, sizeof(s->marker), "caudit-origin-%d-%c", (int)getpid(),
			 'A' + i);
		snprintf(s->path_a, sizeof(s->path_a), "/tmp/%s-a", s->marker);
		snprintf(s->path_b, sizeof(s->path_b), "/tmp/%s-b", s->marker);
		snprintf(s->path_ready, sizeof(s->path_ready), "/tmp/%s-ready", s->marker);
		snprintf(s->path_go, sizeof(s->path_go), "/tmp/%s-go", s->marker);
		s->lfd = listen_lo(&s->lport);
		if (s->lfd < 0)
			goto fail;
	}
	for (int i = 0; i < NSESS; i++) {
		struct session *s = &sess[i], *o = &sess[(i + 1) % NSESS];

		/*
		 * The loop waits (at most 60 s) for the other session's ready
		 * file: both sessions are alive at the same time. Then the
		 * operations under test, the last one as the shell itself.
		 */
		snprintf(s->cmd, sizeof(s->cmd),
			 "echo \"$SSH_CONNECTION\"; touch %s; i=0; "
			 "while [ ! -e %s ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; "
			 "touch %s; mv %s %s; rm %s; exec 3<>/dev/tcp/127.0.0.1/%d",
			 s->path_ready, o->path_ready, s->path_a, s->path_a, s->path_b, s->path_b,
			 s->lport);
	}
	/* the late session waits for our "go" file, made after the second agent started */
	snprintf(sess[LATE].cmd, sizeof(sess[LATE].cmd),
		 "echo \"$SSH_CONNECTION\"; touch %s; i=0; "
		 "while [ ! -e %s ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; "
		 "touch %s; exec 3<>/dev/tcp/127.0.0.1/%d",
		 sess[LATE].path_ready, sess[LATE].path_go, sess[LATE].path_a, sess[LATE].lport);
	/* root runs one command as the test user */
	snprintf(sess[ROOTSU].cmd, sizeof(sess[ROOTSU].cmd),
		 "echo \"$SSH_CONNECTION\"; su -s /bin/sh -c 'touch %s' %s; "
		 "exec 3<>/dev/tcp/127.0.0.1/%d",
		 sess[ROOTSU].path_a, SSHFX_USER, sess[ROOTSU].lport);
	ready = 1;
	return 0;
fail:
	teardown(NULL);
	return -1;
}

/* ---- record checks ------------------------------------------------------- */

#define CHECK_STR(ev, key, want) check_str((ev), (key), (want), __FILE__, __LINE__)
#define CHECK_INT(ev, key, want) check_int((ev), (key), (int64_t)(want), __FILE__, __LINE__)

static void check_str(json_object *ev, const char *key, const char *want, const char *file,
		      int line)
{
	const char *got = jstr(ev, key);

	if (got && strcmp(got, want) == 0)
		return;
	print_error("%s: expected \"%s\", got %s%s%s\n", key, want, got ? "\"" : "",
		    got ? got : "(no string)", got ? "\"" : "");
	fprintf(stderr, "  record: %s\n", rec_text(ev));
	_fail(file, line);
}

static void check_int(json_object *ev, const char *key, int64_t want, const char *file, int line)
{
	int64_t got = jint(ev, key);

	if (got == want)
		return;
	if (got == INT64_MIN)
		print_error("%s: expected %lld, got no integer\n", key, (long long)want);
	else
		print_error("%s: expected %lld, got %lld\n", key, (long long)want, (long long)got);
	fprintf(stderr, "  record: %s\n", rec_text(ev));
	_fail(file, line);
}

/* The top-level member that follows `key` ("" if none). */
static const char *member_after(json_object *rec, const char *key)
{
	int next = 0;

	json_object_object_foreach(rec, k, v)
	{
		(void)v;
		if (next)
			return k;
		next = strcmp(k, key) == 0;
	}
	return "";
}

/*
 * Who and from where: the session's origin (right after "user"), the test
 * user as uid and login, and the session's id (the first record sets it).
 */
#define CHECK_WHO(ev, s) check_who((ev), (s), (s)->auid, __FILE__, __LINE__)
#define CHECK_WHO_UID(ev, s, uid) check_who((ev), (s), (uid), __FILE__, __LINE__)
static void check_who(json_object *ev, struct session *s, int64_t uid, const char *file,
		      int line)
{
	check_str(ev, "origin.ip", s->src_ip, file, line);
	check_int(ev, "origin.port", s->origin_port, file, line);
	check_str(ev, "origin.service", "sshd", file, line);
	if (strcmp(member_after(ev, "user"), "origin")) {
		print_error("\"origin\" does not follow \"user\" (follows: \"%s\")\n",
			    member_after(ev, "user"));
		fprintf(stderr, "  record: %s\n", rec_text(ev));
		_fail(file, line);
	}
	check_int(ev, "user.uid", uid, file, line);
	check_int(ev, "user.auid", s->auid, file, line);
	check_str(ev, "user.login", s->login, file, line);
	if (s->session_id == 0) {
		int64_t id = jint(ev, "user.session");

		if (id == INT64_MIN || id <= 0) {
			print_error("user.session: expected a session id\n");
			fprintf(stderr, "  record: %s\n", rec_text(ev));
			_fail(file, line);
		}
		s->session_id = id;
	}
	check_int(ev, "user.session", s->session_id, file, line);
}

struct exec_match {
	const char *const *args; /* exact argv */
};

static int match_exec(json_object *rec, void *arg)
{
	const struct exec_match *m = arg;
	json_object *a = jget(rec, "proc.args");
	size_t n = 0;
	const char *e = jstr(rec, "event"), *o = jstr(rec, "outcome");

	if (!e || strcmp(e, "process.exec") || !o || strcmp(o, "success") || !a ||
	    !json_object_is_type(a, json_type_array))
		return 0;
	while (m->args[n])
		n++;
	if (json_object_array_length(a) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(a, i);

		if (!json_object_is_type(v, json_type_string) ||
		    strcmp(json_object_get_string(v), m->args[i]))
			return 0;
	}
	return 1;
}

/* Records mentioning text anywhere, printed when a wait times out. */
static void dump_related(const char *text)
{
	size_t shown = 0;

	agent_poll(&ag);
	for (size_t i = 0; i < ag.nrecs && shown < 12; i++) {
		const char *t = rec_text(ag.recs[i]);

		if (strstr(t, text)) {
			fprintf(stderr, "  related record: %.1200s\n", t);
			shown++;
		}
	}
	if (!shown)
		fprintf(stderr, "  no record mentions \"%s\" (%zu records read)\n", text, ag.nrecs);
}

/* The one successful exec with exactly this argv. */
#define WAIT_EXEC(s, ...) \
	wait_exec((s), (const char *const[]){ __VA_ARGS__, NULL }, __FILE__, __LINE__)
static json_object *wait_exec(struct session *s, const char *const *args, const char *file,
			      int line)
{
	struct exec_match m = { args };
	json_object *ev = agent_wait(&ag, 0, match_exec, &m, WAIT_MS, NULL);
	size_t n;

	if (!ev) {
		print_error("no process.exec of %s %s within %d ms\n", args[0],
			    args[1] ? args[1] : "", WAIT_MS);
		dump_related(s->marker);
		_fail(file, line);
	}
	n = agent_count(&ag, match_exec, &m);
	if (n != 1) {
		print_error("%zu process.exec records of %s %s, expected 1\n", n, args[0],
			    args[1] ? args[1] : "");
		dump_related(s->marker);
		_fail(file, line);
	}
	return ev;
}

/* The one record of `event` whose string at key equals value. */
#define WAIT_ONE(s, event, key, value) wait_one((s), (event), (key), (value), __FILE__, __LINE__)
static json_object *wait_one(struct session *s, const char *event, const char *key,
			     const char *value, const char *file, int line)
{
	struct want w = { .event = event, .skey = { key }, .sval = { value } };
	json_object *ev = agent_wait(&ag, 0, match_want, &w, WAIT_MS, NULL);
	size_t n;

	if (!ev) {
		print_error("no %s record with %s = \"%s\" within %d ms\n", event, key, value,
			    WAIT_MS);
		dump_related(s->marker);
		_fail(file, line);
	}
	n = agent_count(&ag, match_want, &w);
	if (n != 1) {
		print_error("%zu %s records with %s = \"%s\", expected 1\n", n, event, key, value);
		dump_related(s->marker);
		_fail(file, line);
	}
	return ev;
}

static size_t rec_index(json_object *ev)
{
	for (size_t i = 0; i < ag.nrecs; i++)
		if (ag.recs[i] == ev)
			return i;
	fail_msg("record not in the agent's list");
	return 0;
}

/* ---- the test ------------------------------------------------------------ */

/* After a client ran: its exit, SSH_CONNECTION, and the /dev/tcp peer port. */
static void check_client_ran(struct session *s)
{
	char ip[64] = "", dip[64] = "";
	int sport = 0, dport = 0;
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int cfd;

	if (!WIFEXITED(s->c.status) || WEXITSTATUS(s->c.status) != 0 ||
	    sscanf(s->c.out, "%63s %d %63s %d", ip, &sport, dip, &dport) != 4) {
		sshfx_show_logs(&fx, &s->c);
		fail_msg("ssh from %s: status 0x%x, output \"%s\"", s->src_ip, s->c.status,
			 s->c.out);
	}
	/* what sshd saw is what we bound */
	assert_string_equal(ip, s->src_ip);
	assert_string_equal(dip, SSHFX_ADDR);
	assert_int_equal(dport, SSHFX_PORT);
	assert_true(sport > 0 && sport < 65536);
	s->origin_port = sport;

	/* the shell's /dev/tcp connection is queued on our listener */
	assert_int_equal(fcntl(s->lfd, F_SETFL, O_NONBLOCK), 0);
	cfd = accept4(s->lfd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
	if (cfd < 0)
		fail_msg("no /dev/tcp connection from the %s session: %s", s->src_ip,
			 strerror(errno));
	close(cfd);
	assert_int_equal(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	s->peer_port = ntohs(peer.sin_port);
}

/* Every record of one session: who, from where, and the exec_id chain. */
static void check_session(struct session *s, size_t *ready_idx, size_t *a_idx)
{
	json_object *sh, *fork_rec, *touch, *mv, *rm, *ready_touch, *ev, *cmds[4];
	const char *sh_exec_id;
	char port[16];
	struct want w;

	/* the session's shell: bash -c <command>, forked by sshd's session process */
	sh = WAIT_EXEC(s, "bash", "-c", s->cmd);
	CHECK_STR(sh, "proc.exe", "/usr/bin/bash");
	CHECK_WHO(sh, s);
	sh_exec_id = jstr(sh, "proc.exec_id");
	assert_non_null(sh_exec_id);

	memset(&w, 0, sizeof(w));
	w.event = "process.fork";
	w.ikey[0] = "child.pid";
	w.ival[0] = jint(sh, "proc.pid");
	fork_rec = agent_wait(&ag, 0, match_want, &w, WAIT_MS, NULL);
	if (!fork_rec) {
		dump_related(s->marker);
		fail_msg("no process.fork of the %s session's shell (pid %lld)", s->src_ip,
			 (long long)w.ival[0]);
	}
	/* the shell's parent is sshd, and it carries the origin too */
	CHECK_STR(fork_rec, "proc.exe", SSHFX_BIN);
	CHECK_STR(fork_rec, "proc.exec_id", jstr(sh, "proc.parent_exec_id"));
	CHECK_INT(fork_rec, "proc.pid", jint(sh, "proc.ppid"));
	CHECK_STR(fork_rec, "origin.ip", s->src_ip);
	CHECK_INT(fork_rec, "origin.port", s->origin_port);
	CHECK_STR(fork_rec, "origin.service", "sshd");

	/* the commands: children of the shell */
	ready_touch = WAIT_EXEC(s, "touch", s->path_ready);
	touch = WAIT_EXEC(s, "touch", s->path_a);
	mv = WAIT_EXEC(s, "mv", s->path_a, s->path_b);
	rm = WAIT_EXEC(s, "rm", s->path_b);
	cmds[0] = ready_touch;
	cmds[1] = touch;
	cmds[2] = mv;
	cmds[3] = rm;
	for (size_t i = 0; i < 4; i++) {
		CHECK_WHO(cmds[i], s);
		CHECK_STR(cmds[i], "proc.parent_exec_id", sh_exec_id);
		CHECK_INT(cmds[i], "proc.ppid", jint(sh, "proc.pid"));
	}
	CHECK_STR(touch, "proc.exe", "/usr/bin/touch");
	CHECK_STR(mv, "proc.exe", "/usr/bin/mv");
	CHECK_STR(rm, "proc.exe", "/usr/bin/rm");

	/* what they did, by the process image that did it */
	ev = WAIT_ONE(s, "file.open", "file.path", s->path_ready);
	CHECK_WHO(ev, s);
	CHECK_STR(ev, "proc.exec_id", jstr(ready_touch, "proc.exec_id"));
	*ready_idx = rec_index(ev);

	ev = WAIT_ONE(s, "file.open", "file.path", s->path_a);
	CHECK_WHO(ev, s);
	CHECK_STR(ev, "outcome", "success");
	CHECK_STR(ev, "proc.exec_id", jstr(touch, "proc.exec_id"));
	assert_true(jint(ev, "file.flags") & O_CREAT);
	*a_idx = rec_index(ev);

	ev = WAIT_ONE(s, "file.rename", "file.path", s->path_a);
	CHECK_WHO(ev, s);
	CHECK_STR(ev, "outcome", "success");
	CHECK_STR(ev, "file.path2", s->path_b);
	CHECK_STR(ev, "proc.exec_id", jstr(mv, "proc.exec_id"));

	ev = WAIT_ONE(s, "file.unlink", "file.path", s->path_b);
	CHECK_WHO(ev, s);
	CHECK_STR(ev, "outcome", "success");
	CHECK_STR(ev, "proc.exec_id", jstr(rm, "proc.exec_id"));

	/* bash's own connect, exact addresses on both ends */
	memset(&w, 0, sizeof(w));
	w.event = "net.connect";
	w.skey[0] = "net.dst.ip";
	w.sval[0] = "127.0.0.1";
	w.ikey[0] = "net.dst.port";
	w.ival[0] = s->lport;
	ev = agent_wait(&ag, 0, match_want, &w, WAIT_MS, NULL);
	if (!ev) {
		snprintf(port, sizeof(port), "%d", s->lport);
		dump_related(port);
		fail_msg("no net.connect to 127.0.0.1:%d from the %s session", s->lport,
			 s->src_ip);
	}
	assert_int_equal(agent_count(&ag, match_want, &w), 1);
	CHECK_WHO(ev, s);
	CHECK_STR(ev, "syscall", "connect");
	CHECK_STR(ev, "outcome", "success");
	CHECK_INT(ev, "ret", 0);
	CHECK_STR(ev, "net.proto", "tcp");
	CHECK_STR(ev, "net.family", "inet");
	CHECK_STR(ev, "net.src.ip", "127.0.0.1");
	CHECK_INT(ev, "net.src.port", s->peer_port);
	CHECK_INT(ev, "net.fd", 3);
	CHECK_STR(ev, "proc.exec_id", sh_exec_id);
}

/* 1 when the record has exactly this session's origin; fails the test otherwise. */
static int has_origin_of(json_object *rec, struct session *s)
{
	const char *ip = jstr(rec, "origin.ip");

	if (ip && strcmp(ip, s->src_ip) == 0 && jint(rec, "origin.port") == s->origin_port)
		return 1;
	fprintf(stderr, "  record: %s\n", rec_text(rec));
	fail_msg("a record of the %s session (id %lld, marker %s) has origin %s:%lld", s->src_ip,
		 (long long)s->session_id, s->marker, ip ? ip : "(none)",
		 (long long)jint(rec, "origin.port"));
	return 0;
}

/* path is one of the files of the session with this marker: /tmp/<marker>-... */
static int starts_with(const char *path, const char *marker)
{
	size_t n = strlen(marker);

	return path && strncmp(path, "/tmp/", 5) == 0 && strncmp(path + 5, marker, n) == 0 &&
	       path[5 + n] == '-';
}

/*
 * No record of one session carries the other's origin: every record with
 * the session's id, and every record on one of its files that has an origin
 * at all (this test's cleanup has none), carries this session's address and
 * port. (Not "every record naming the marker": each shell's command names
 * the other session's ready file.)
 */
static void check_no_confusion(void)
{
	size_t per_session[NSESS] = { 0 };

	agent_poll(&ag);
	for (size_t i = 0; i < ag.nrecs; i++) {
		json_object *rec = ag.recs[i];

		for (int k = 0; k < NSESS; k++) {
			struct session *s = &sess[k];
			int in_session = jint(rec, "user.session") == s->session_id;
			int names_it = (starts_with(jstr(rec, "file.path"), s->marker) ||
					starts_with(jstr(rec, "file.path2"), s->marker)) &&
				       jget(rec, "origin");

			if (!in_session && !names_it)
				continue;
			per_session[k] += in_session;
			if (!has_origin_of(rec, s))
				return;
		}
	}
	for (int k = 0; k < NSESS; k++)
		assert_true(per_session[k] >= 9);
}

static void test_two_ssh_sessions(void **state UNUSED)
{
	size_t ready_idx[NSESS], a_idx[NSESS];

	if (!harness_can_run())
		skip();
	assert_true(ready);
	for (int i = 0; i < NSESS; i++)
		assert_int_equal(sshfx_client_start(&fx, &sess[i].c), 0);
	/* both run at once (each waits for the other); collect them in turn */
	for (int i = 0; i < NSESS; i++)
		sshfx_client_finish(&sess[i].c);
	for (int i = 0; i < NSESS; i++)
		check_client_ran(&sess[i]);

	for (int i = 0; i < NSESS; i++)
		check_session(&sess[i], &ready_idx[i], &a_idx[i]);
	assert_true(sess[0].session_id != sess[1].session_id);
	/* they overlapped: each made its file only after the other was ready */
	assert_true(a_idx[0] > ready_idx[1]);
	assert_true(a_idx[1] > ready_idx[0]);
	check_no_confusion();
}

/*
 * A login that predates the agent: the session's shell is already waiting
 * when a second agent starts. What the shell does afterwards (a new child
 * touching a file, and its own connect) carries the session's origin all
 * the same: the agent learns the origin of running sessions at start.
 */
static void test_session_before_agent(void **state UNUSED)
{
	struct session *s = &sess[LATE];
	struct want w;
	json_object *ev;
	int fd;

	if (!harness_can_run())
		skip();
	assert_true(ready);
	assert_int_equal(sshfx_client_start(&fx, &s->c), 0);
	if (sshfx_client_line(&s->c, SSHFX_CLIENT_MS / 2)) {
		sshfx_show_logs(&fx, &s->c);
		fail_msg("ssh from %s: no SSH_CONNECTION line (got \"%s\")", s->src_ip, s->c.out);
	}
	/* the shell made its ready file right after the line (at most 60 s) */
	for (int i = 0; i < 1200 && access(s->path_ready, F_OK); i++)
		sleep_ms(50);
	assert_int_equal(access(s->path_ready, F_OK), 0);

	assert_int_equal(agent_start(&ag2, AGENT_FILTER), 0);
	ag2_up = 1;
	fd = open(s->path_go, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	sshfx_client_finish(&s->c);
	check_client_ran(s);

	memset(&w, 0, sizeof(w));
	w.event = "file.open";
	w.skey[0] = "file.path";
	w.sval[0] = s->path_a;
	ev = agent_wait(&ag2, 0, match_want, &w, WAIT_MS, NULL);
	if (!ev)
		fail_msg("the second agent has no file.open of %s", s->path_a);
	CHECK_WHO(ev, s);
	CHECK_STR(ev, "proc.exe", "/usr/bin/touch");

	memset(&w, 0, sizeof(w));
	w.event = "net.connect";
	w.ikey[0] = "net.dst.port";
	w.ival[0] = s->lport;
	w.ikey[1] = "net.src.port";
	w.ival[1] = s->peer_port;
	ev = agent_wait(&ag2, 0, match_want, &w, WAIT_MS, NULL);
	if (!ev)
		fail_msg("the second agent has no net.connect to port %d", s->lport);
	CHECK_WHO(ev, s);
	CHECK_STR(ev, "proc.exe", "/usr/bin/bash");

	assert_int_equal(agent_stop(&ag2), 0);
	assert_int_equal(ag2.bad_lines, 0);
}

/*
 * The person stays visible after a privilege change: root logs in from
 * 127.0.0.8 and runs touch as the test user through su. The touch has the
 * test user's uid, but root's login uid, name and session, and root's
 * session origin.
 */
static void test_su_keeps_login(void **state UNUSED)
{
	struct session *s = &sess[ROOTSU];
	json_object *sh, *su, *ev;
	char *inner;

	if (!harness_can_run())
		skip();
	assert_true(ready);
	assert_int_equal(sshfx_client_start(&fx, &s->c), 0);
	sshfx_client_finish(&s->c);
	check_client_ran(s);

	sh = WAIT_EXEC(s, "bash", "-c", s->cmd);
	CHECK_WHO_UID(sh, s, 0);
	inner = xasprintf("touch %s", s->path_a);
	su = WAIT_EXEC(s, "su", "-s", "/bin/sh", "-c", inner, SSHFX_USER);
	free(inner);
	CHECK_WHO_UID(su, s, 0);
	CHECK_STR(su, "proc.exe", "/usr/bin/su");
	CHECK_STR(su, "proc.parent_exec_id", jstr(sh, "proc.exec_id"));

	ev = WAIT_ONE(s, "file.open", "file.path", s->path_a);
	CHECK_WHO_UID(ev, s, fx.uid);
	CHECK_INT(ev, "user.euid", fx.uid);
	CHECK_STR(ev, "user.name", SSHFX_USER);
	CHECK_STR(ev, "proc.exe", "/usr/bin/touch");
}

/* 1 when an ancestor of this process is an sshd (the test was started over ssh). */
static int under_sshd(void)
{
	pid_t pid = getppid();

	for (int depth = 0; pid > 1 && depth < 64; depth++) {
		char path[64], comm[64] = "", *line = NULL;
		size_t cap = 0;
		FILE *f;
		int ppid = 0;

		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
		f = fopen(path, "re");
		if (!f)
			return 0;
		while (getline(&line, &cap, f) > 0) {
			sscanf(line, "Name: %63s", comm);
			sscanf(line, "PPid: %d", &ppid);
		}
		free(line);
		fclose(f);
		if (strcmp(comm, "sshd") == 0)
			return 1;
		pid = ppid;
	}
	return 0;
}

/* The test process itself is no login session: its records have no origin. */
static void test_no_origin_outside_sessions(void **state UNUSED)
{
	char *p;
	json_object *ev;
	int fd;

	if (!harness_can_run())
		skip();
	assert_true(ready);
	if (under_sshd()) {
		/* then its records rightly carry the origin of that login */
		print_message("this test runs in an ssh session: nothing to check\n");
		return;
	}
	p = xasprintf("%s/not-remote", fx.dir);
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	ev = agent_wait_field(&ag, "file.open", "file.path", p, WAIT_MS);
	assert_non_null(ev);
	CHECK_INT(ev, "proc.pid", getpid());
	assert_null(jget(ev, "origin"));
	free(p);
}

static void test_log_clean(void **state UNUSED)
{
	json_object *stop;

	if (!harness_can_run())
		skip();
	assert_true(ready);
	agent_poll(&ag);
	assert_int_equal(ag.bad_lines, 0);
	assert_int_equal(agent_stop(&ag), 0);
	stop = agent_wait_field(&ag, "agent.stop", "agent.reason", "SIGTERM", 1000);
	assert_non_null(stop);
	CHECK_INT(stop, "agent.totals.ringbuf_full", 0);
	CHECK_INT(stop, "agent.totals.map_full", 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_ssh_sessions),
		cmocka_unit_test(test_session_before_agent),
		cmocka_unit_test(test_su_keeps_login),
		cmocka_unit_test(test_no_origin_outside_sessions),
		cmocka_unit_test(test_log_clean),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
