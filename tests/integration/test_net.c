/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Network records from real sockets on loopback: connect (IPv4, IPv6, unix
 * path and abstract; success, refusal, EINPROGRESS), accept and accept4,
 * bind, listen, and UDP sends to new destinations with their per-socket
 * rate limit. Every record is checked for its exact addresses, ports, fd and
 * outcome against what the kernel reports to us (getsockname, return values).
 *
 * Each test uses its own 127.A.B.C addresses (A.B from our pid), so records
 * of other processes on the machine cannot match; IPv6 uses ::1 and is told
 * apart by port.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "rec_check.h"

#define UNUSED __attribute__((unused))
#define UDP_SENDS_PER_SEC 20 /* the shipped default of udp_sends_per_sec */
#define BURST_PORTS 200
#define NEW_SOCKETS 30
#define RATE_SOCKETS 10

static struct agent ag;
static char dir[256]; /* sockets and sync markers */
static unsigned addr_a, addr_b, next_c;

/* ---- addresses and sockets ----------------------------------------------- */

struct ep {
	char ip[INET6_ADDRSTRLEN];
	int port;
};

/* A fresh loopback address of this run: 127.A.B.C. */
static void new_ip4(struct ep *e)
{
	snprintf(e->ip, sizeof(e->ip), "127.%u.%u.%u", addr_a, addr_b, ++next_c);
	e->port = 0;
}

static socklen_t to_sa(const struct ep *e, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(e->ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)e->port);
		assert_int_equal(inet_pton(AF_INET6, e->ip, &s6->sin6_addr), 1);
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)e->port);
		assert_int_equal(inet_pton(AF_INET, e->ip, &s4->sin_addr), 1);
		return sizeof(*s4);
	}
}

static void from_sa(const struct sockaddr_storage *ss, struct ep *e)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, e->ip, sizeof(e->ip));
		e->port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		assert_int_equal(ss->ss_family, AF_INET);
		inet_ntop(AF_INET, &s4->sin_addr, e->ip, sizeof(e->ip));
		e->port = ntohs(s4->sin_port);
	}
}

/* The local address of fd, as the kernel reports it. */
static void local_ep(int fd, struct ep *e)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	from_sa(&ss, e);
}

static int sock(int family, int type)
{
	int fd = (int)syscall(SYS_socket, family, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	return fd;
}

static int family_of(const struct ep *e)
{
	return strchr(e->ip, ':') ? AF_INET6 : AF_INET;
}

/* bind(2) to e; a port 0 in e is replaced by the one the kernel chose. */
static int bound(const struct ep *e_in, int type, struct ep *e)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	*e = *e_in;
	len = to_sa(e, &ss);
	fd = sock(family_of(e), type);
	assert_int_equal(syscall(SYS_bind, fd, &ss, len), 0);
	local_ep(fd, e);
	return fd;
}

static int tcp_listener(const struct ep *at, struct ep *e)
{
	int fd = bound(at, SOCK_STREAM, e);

	assert_int_equal(syscall(SYS_listen, fd, 16), 0);
	return fd;
}

static long do_connect(int fd, const struct ep *e)
{
	struct sockaddr_storage ss;
	socklen_t len = to_sa(e, &ss);

	return syscall(SYS_connect, fd, &ss, len);
}

static socklen_t unix_sa(struct sockaddr_un *sa, const char *name, int abstract)
{
	size_t n = strlen(name);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	assert_true(n + 2 <= sizeof(sa->sun_path));
	if (abstract) {
		memcpy(sa->sun_path + 1, name, n); /* sun_path[0] = 0 */
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	}
	memcpy(sa->sun_path, name, n + 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

/* ---- record checks ------------------------------------------------------- */

#define EP_IS(ev, side, e) ep_is((ev), (side), (e), __FILE__, __LINE__)

static void ep_is(json_object *ev, const char *side, const struct ep *e, const char *file,
		  int line)
{
	char key[32];

	snprintf(key, sizeof(key), "net.%s.ip", side);
	rc_str(ev, key, e->ip, file, line);
	snprintf(key, sizeof(key), "net.%s.port", side);
	rc_int(ev, key, e->port, file, line);
}

/* proto and family of an inet record; no unix members. */
#define INET_IS(ev, proto, family, fd) inet_is((ev), (proto), (family), (fd), __FILE__, __LINE__)

static void inet_is(json_object *ev, const char *proto, const char *family, int fd,
		    const char *file, int line)
{
	rc_str(ev, "net.proto", proto, file, line);
	rc_str(ev, "net.family", family, file, line);
	rc_int(ev, "net.fd", fd, file, line);
	rc_absent(ev, "net.type", file, line);
	rc_absent(ev, "net.unix_path", file, line);
	rc_absent(ev, "net.unix_abstract", file, line);
}

/* The one record of (event, syscall, outcome) of this process whose `side` is e. */
static json_object *one_at(const char *event, const char *sc, const char *outcome,
			   const char *side, const struct ep *e, const char *file, int line)
{
	char ipkey[32], portkey[32];
	struct want w = { .event = event,
			  .skey = { "syscall", "outcome", ipkey },
			  .sval = { sc, outcome, e->ip },
			  .ikey = { "proc.pid", portkey },
			  .ival = { getpid(), e->port } };

	snprintf(ipkey, sizeof(ipkey), "net.%s.ip", side);
	snprintf(portkey, sizeof(portkey), "net.%s.port", side);
	return rc_one(&ag, &w, file, line);
}

#define ONE_DST(event, sc, outcome, e) \
	one_at((event), (sc), (outcome), "dst", (e), __FILE__, __LINE__)
#define ONE_SRC(event, sc, outcome, e) \
	one_at((event), (sc), (outcome), "src", (e), __FILE__, __LINE__)

/* ---- setup --------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb UNUSED, int flag UNUSED,
		    struct FTW *ftw UNUSED)
{
	return remove(path);
}

static int setup(void **state UNUSED)
{
	if (!harness_can_run())
		return 0;
	addr_a = 1 + (unsigned)getpid() % 250;
	addr_b = 1 + ((unsigned)getpid() / 250 + (unsigned)time(NULL)) % 250;
	if (harness_tmpdir(dir, sizeof(dir)))
		return -1;
	/* only this program's processes: other tests may run beside this one */
	return agent_start(&ag, "loss_report_interval = 1\ninclude_comms = test_net");
}

static int teardown(void **state UNUSED)
{
	agent_cleanup(&ag);
	if (dir[0] && !getenv("CAUDIT_KEEP_TEST_DIRS"))
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* ---- connect ------------------------------------------------------------- */

static void test_connect_ipv4(void **state UNUSED)
{
	struct ep at, srv, cli;
	json_object *ev;
	int lfd, cfd;

	if (!harness_can_run())
		skip();
	new_ip4(&at);
	lfd = tcp_listener(&at, &srv);
	cfd = sock(AF_INET, SOCK_STREAM);
	assert_int_equal(do_connect(cfd, &srv), 0);
	local_ep(cfd, &cli);

	ev = ONE_DST("net.connect", "connect", "success", &srv);
	REC_OP(ev, "net.connect", "network", "connect", 0, NULL, getpid());
	INET_IS(ev, "tcp", "inet", cfd);
	EP_IS(ev, "src", &cli);
	EP_IS(ev, "dst", &srv);
	close(cfd);
	close(lfd);
}

static void test_connect_ipv6(void **state UNUSED)
{
	struct ep at = { "::1", 0 }, srv, cli;
	json_object *ev;
	int lfd, cfd;

	if (!harness_can_run())
		skip();
	lfd = tcp_listener(&at, &srv);
	cfd = sock(AF_INET6, SOCK_STREAM);
	assert_int_equal(do_connect(cfd, &srv), 0);
	local_ep(cfd, &cli);
	assert_string_equal(cli.ip, "::1");

	ev = ONE_DST("net.connect", "connect", "success", &srv);
	REC_OP(ev, "net.connect", "network", "connect", 0, NULL, getpid());
	INET_IS(ev, "tcp", "inet6", cfd);
	EP_IS(ev, "src", &cli);
	EP_IS(ev, "dst", &srv);
	close(cfd);
	close(lfd);
}

/* A bound socket that does not listen answers with a reset: ECONNREFUSED. */
static void test_connect_refused(void **state UNUSED)
{
	struct ep at, closed;
	json_object *ev;
	int bfd, cfd;

	if (!harness_can_run())
		skip();
	new_ip4(&at);
	bfd = bound(&at, SOCK_STREAM, &closed);
	cfd = sock(AF_INET, SOCK_STREAM);
	assert_int_equal(do_connect(cfd, &closed), -1);
	assert_int_equal(errno, ECONNREFUSED);

	/* the socket holds no peer after a refusal: dst is what the caller asked for */
	ev = ONE_DST("net.connect", "connect", "failure", &closed);
	REC_OP(ev, "net.connect", "network", "connect", -ECONNREFUSED, "ECONNREFUSED", getpid());
	INET_IS(ev, "tcp", "inet", cfd);
	EP_IS(ev, "dst", &closed);
	/* the kernel gave the local port back when the connection failed */
	REC_NULL(ev, "net.src");
	close(cfd);
	close(bfd);
}

/* Bad sockaddrs: a length too short (EINVAL), an unreadable pointer (EFAULT). */
static void test_connect_bad_sockaddr(void **state UNUSED)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct want w;
	json_object *ev;
	int fd1, fd2;

	if (!harness_can_run())
		skip();
	fd1 = sock(AF_INET, SOCK_STREAM);
	fd2 = sock(AF_INET, SOCK_STREAM);
	assert_int_equal(syscall(SYS_connect, fd1, &sa, 3), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(syscall(SYS_connect, fd2, (void *)16, sizeof(sa)), -1);
	assert_int_equal(errno, EFAULT);

	w = (struct want){ .event = "net.connect",
			   .skey = { "errno" },
			   .sval = { "EINVAL" },
			   .ikey = { "proc.pid", "net.fd" },
			   .ival = { getpid(), fd1 } };
	ev = REC_ONE(&ag, &w);
	REC_OP(ev, "net.connect", "network", "connect", -EINVAL, "EINVAL", getpid());
	INET_IS(ev, "tcp", "inet", fd1);
	REC_NULL(ev, "net.dst");

	w.sval[0] = "EFAULT";
	w.ival[1] = fd2;
	ev = REC_ONE(&ag, &w);
	REC_OP(ev, "net.connect", "network", "connect", -EFAULT, "EFAULT", getpid());
	INET_IS(ev, "tcp", "inet", fd2);
	REC_NULL(ev, "net.dst");
	close(fd1);
	close(fd2);
}

/* A non-blocking connect: a failure record with EINPROGRESS and the real endpoints. */
static void test_connect_einprogress(void **state UNUSED)
{
	struct ep at, srv, cli;
	struct pollfd p;
	json_object *ev;
	int lfd, cfd;

	if (!harness_can_run())
		skip();
	new_ip4(&at);
	lfd = tcp_listener(&at, &srv);
	cfd = sock(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
	assert_int_equal(do_connect(cfd, &srv), -1);
	assert_int_equal(errno, EINPROGRESS);
	local_ep(cfd, &cli);
	p.fd = cfd;
	p.events = POLLOUT;
	assert_int_equal(poll(&p, 1, 5000), 1);

	ev = ONE_DST("net.connect", "connect", "failure", &srv);
	REC_OP(ev, "net.connect", "network", "connect", -EINPROGRESS, "EINPROGRESS", getpid());
	INET_IS(ev, "tcp", "inet", cfd);
	EP_IS(ev, "dst", &srv);
	/* the source port is chosen before the SYN leaves */
	EP_IS(ev, "src", &cli);
	close(cfd);
	close(lfd);
}

/* UDP connect is a net.connect too; send(2) on it names no destination: no net.send. */
static void test_connect_udp(void **state UNUSED)
{
	struct ep at, peer_at, peer, cli;
	struct want none;
	json_object *ev;
	int pfd, cfd;

	if (!harness_can_run())
		skip();
	new_ip4(&at);
	new_ip4(&peer_at);
	pfd = bound(&peer_at, SOCK_DGRAM, &peer);
	cfd = bound(&at, SOCK_DGRAM, &cli);
	assert_int_equal(do_connect(cfd, &peer), 0);

	ev = ONE_DST("net.connect", "connect", "success", &peer);
	REC_OP(ev, "net.connect", "network", "connect", 0, NULL, getpid());
	INET_IS(ev, "udp", "inet", cfd);
	EP_IS(ev, "src", &cli);
	EP_IS(ev, "dst", &peer);

	assert_int_equal(syscall(SYS_sendto, cfd, "x", 1, 0, NULL, 0), 1);
	assert_int_equal(syscall(SYS_sendto, cfd, "y", 1, 0, NULL, 0), 1);
	rc_sync(&ag, dir);
	none = (struct want){ .event = "net.send",
			      .skey = { "net.dst.ip" },
			      .sval = { peer.ip },
			      .ikey = { "proc.pid" },
			      .ival = { getpid() } };
	REC_NONE(&ag, &none);
	close(cfd);
	close(pfd);
}

/*
 * The remote address the kernel holds for raw socket fd, from /proc/net/raw
 * (getpeername says ENOTCONN for raw sockets: they have no peer port).
 */
static void raw_peer(int fd, struct ep *e)
{
	char line[512];
	struct stat st;
	FILE *f;
	int found = 0;

	assert_int_equal(fstat(fd, &st), 0);
	f = fopen("/proc/net/raw", "re");
	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned rem, rport;
		unsigned long inode;
		struct in_addr a;

		/* sl local rem st tx:rx tr:tm retrnsmt uid timeout inode */
		if (sscanf(line, " %*d: %*x:%*x %x:%x %*x %*x:%*x %*x:%*x %*x %*u %*u %lu", &rem,
			   &rport, &inode) != 3 || inode != st.st_ino)
			continue;
		a.s_addr = rem; /* /proc prints the network-order word as a host number */
		inet_ntop(AF_INET, &a, e->ip, sizeof(e->ip));
		e->port = (int)rport;
		found = 1;
	}
	fclose(f);
	assert_true(found);
}

/*
 * A raw IP socket: proto "raw". The kernel's ports: the local one is the
 * protocol number (getsockname says 17 for IPPROTO_UDP), the peer's 0; the
 * peer address is set by connect.
 */
static void test_connect_raw(void **state UNUSED)
{
	struct ep at, src, local, peer;
	struct want w;
	json_object *ev;
	int fd;

	if (!harness_can_run())
		skip();
	new_ip4(&at);
	new_ip4(&src);
	fd = (int)syscall(SYS_socket, AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
	assert_true(fd >= 0);
	{
		struct sockaddr_storage ss;
		socklen_t len = to_sa(&src, &ss);

		assert_int_equal(syscall(SYS_bind, fd, &ss, len), 0);
	}
	assert_int_equal(do_connect(fd, &at), 0);
	local_ep(fd, &local);
	raw_peer(fd, &peer);
	assert_string_equal(peer.ip, at.ip);
	assert_int_equal(peer.port, 0);

	/* this program's only raw socket */
	w = (struct want){ .event = "net.connect",
			   .skey = { "net.proto" },
			   .sval = { "raw" },
			   .ikey = { "proc.pid" },
			   .ival = { getpid() } };
	ev = REC_ONE(&ag, &w);
	REC_OP(ev, "net.connect", "network", "connect", 0, NULL, getpid());
	INET_IS(ev, "raw", "inet", fd);
	EP_IS(ev, "dst", &peer);
	EP_IS(ev, "src", &local);
	close(fd);
}

static json_object *one_unix(const char *event, const char *sc, const char *path,
			     const char *file, int line)
{
	struct want w = { .event = event,
			  .skey = { "syscall", "net.unix_path" },
			  .sval = { sc, path },
			  .ikey = { "proc.pid" },
			  .ival = { getpid() } };

	return rc_one(&ag, &w, file, line);
}

#define ONE_UNIX(event, sc, path) one_unix((event), (sc), (path), __FILE__, __LINE__)

#define UNIX_IS(ev, type, fd) unix_is((ev), (type), (fd), __FILE__, __LINE__)

static void unix_is(json_object *ev, const char *type, int fd, const char *file, int line)
{
	rc_str(ev, "net.proto", "unix", file, line);
	rc_str(ev, "net.family", "unix", file, line);
	rc_str(ev, "net.type", type, file, line);
	rc_int(ev, "net.fd", fd, file, line);
	rc_null(ev, "net.src", file, line);
	rc_null(ev, "net.dst", file, line);
}

static void test_connect_unix_path(void **state UNUSED)
{
	struct sockaddr_un sa;
	char *spath, *dpath;
	socklen_t len;
	json_object *ev;
	int lfd, cfd, dfd, dcfd, afd;

	if (!harness_can_run())
		skip();
	spath = xasprintf("%s/stream.sock", dir);
	dpath = xasprintf("%s/dgram.sock", dir);

	len = unix_sa(&sa, spath, 0);
	lfd = sock(AF_UNIX, SOCK_STREAM);
	assert_int_equal(syscall(SYS_bind, lfd, &sa, len), 0);
	assert_int_equal(syscall(SYS_listen, lfd, 4), 0);
	cfd = sock(AF_UNIX, SOCK_STREAM);
	assert_int_equal(syscall(SYS_connect, cfd, &sa, len), 0);

	ev = ONE_UNIX("net.connect", "connect", spath);
	REC_OP(ev, "net.connect", "network", "connect", 0, NULL, getpid());
	UNIX_IS(ev, "stream", cfd);
	REC_ABSENT(ev, "net.unix_abstract");

	/* listen and accept name the socket's bound path */
	ev = ONE_UNIX("net.listen", "listen", spath);
	REC_OP(ev, "net.listen", "network", "listen", 0, NULL, getpid());
	UNIX_IS(ev, "stream", lfd);
	afd = (int)syscall(SYS_accept4, lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(afd >= 0);
	ev = ONE_UNIX("net.accept", "accept4", spath);
	REC_OP(ev, "net.accept", "network", "accept4", afd, NULL, getpid());
	UNIX_IS(ev, "stream", afd);
	close(afd);

	len = unix_sa(&sa, dpath, 0);
	dfd = sock(AF_UNIX, SOCK_DGRAM);
	assert_int_equal(syscall(SYS_bind, dfd, &sa, len), 0);
	dcfd = sock(AF_UNIX, SOCK_DGRAM);
	assert_int_equal(syscall(SYS_connect, dcfd, &sa, len), 0);

	ev = ONE_UNIX("net.connect", "connect", dpath);
	REC_OP(ev, "net.connect", "network", "connect", 0, NULL, getpid());
	UNIX_IS(ev, "dgram", dcfd);
	REC_ABSENT(ev, "net.unix_abstract");

	close(dcfd);
	close(dfd);
	close(cfd);
	close(lfd);
	free(spath);
	free(dpath);
}

static void test_connect_unix_abstract(void **state UNUSED)
{
	struct sockaddr_un sa;
	socklen_t len;
	json_object *ev;
	char *name;
	int lfd, cfd, missing_fd;

	if (!harness_can_run())
		skip();
	name = xasprintf("caudit-test-%d-abstract", (int)getpid());
	len = unix_sa(&sa, name, 1);
	lfd = sock(AF_UNIX, SOCK_SEQPACKET);
	assert_int_equal(syscall(SYS_bind, lfd, &sa, len), 0);
	assert_int_equal(syscall(SYS_listen, lfd, 4), 0);
	cfd = sock(AF_UNIX, SOCK_SEQPACKET);
	assert_int_equal(syscall(SYS_connect, cfd, &sa, len), 0);

	ev = ONE_UNIX("net.connect", "connect", name);
	REC_OP(ev, "net.connect", "network", "connect", 0, NULL, getpid());
	UNIX_IS(ev, "seqpacket", cfd);
	REC_BOOL(ev, "net.unix_abstract", 1);
	free(name);

	/* nobody listens on this name: ECONNREFUSED, the name from the caller */
	name = xasprintf("caudit-test-%d-nobody", (int)getpid());
	len = unix_sa(&sa, name, 1);
	missing_fd = sock(AF_UNIX, SOCK_STREAM);
	assert_int_equal(syscall(SYS_connect, missing_fd, &sa, len), -1);
	assert_int_equal(errno, ECONNREFUSED);
	ev = ONE_UNIX("net.connect", "connect", name);
	REC_OP(ev, "net.connect", "network", "connect", -ECONNREFUSED, "ECONNREFUSED", getpid());
	UNIX_IS(ev, "stream", missing_fd);
	REC_BOOL(ev, "net.unix_abstract", 1);

	close(missing_fd);
	close(cfd);
	close(lfd);
	free(name);
}

struct bytes_match {
	const char *event, *key;
	const char *bytes;
	size_t len;
};

/* A record of this process whose string at key is exactly len bytes (NULs included). */
static int match_bytes(json_object *rec, void *arg)
{
	const struct bytes_match *m = arg;
	json_object *v = jget(rec, m->key);
	const char *e = jstr(rec, "event");

	return e && !strcmp(e, m->event) && jint(rec, "proc.pid") == getpid() && v &&
	       json_object_is_type(v, json_type_string) &&
	       (size_t)json_object_get_string_len(v) == m->len &&
	       !memcmp(json_object_get_string(v), m->bytes, m->len);
}

/*
 * An abstract name is any bytes: quotes, a newline, control bytes and NULs
 * come back exactly, as one JSON string, and cannot break the record.
 */
static void test_unix_abstract_hostile_name(void **state UNUSED)
{
	char name[64];
	struct sockaddr_un sa;
	struct bytes_match m;
	json_object *ev;
	socklen_t len;
	size_t n;
	int fd;

	if (!harness_can_run())
		skip();
	n = (size_t)snprintf(name, sizeof(name), "ca\"},\n\x01-%d-", (int)getpid());
	memcpy(name + n, "\0tail", 5); /* an embedded NUL, then more name */
	n += 5;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + 1, name, n);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	fd = sock(AF_UNIX, SOCK_DGRAM);
	assert_int_equal(syscall(SYS_bind, fd, &sa, len), 0);

	m = (struct bytes_match){ "net.bind", "net.unix_path", name, n };
	ev = agent_wait(&ag, 0, match_bytes, &m, RC_WAIT_MS, NULL);
	if (!ev) {
		struct want w = { .event = "net.bind",
				  .skey = { "net.family" },
				  .sval = { "unix" },
				  .ikey = { "proc.pid", "net.fd" },
				  .ival = { getpid(), fd } };

		for (size_t i = 0; i < ag.nrecs; i++)
			if (match_want(ag.recs[i], &w))
				rc_show(ag.recs[i]);
		fail_msg("no net.bind record with the %zu bytes of the hostile name", n);
	}
	assert_int_equal(agent_count(&ag, match_bytes, &m), 1);
	REC_OP(ev, "net.bind", "network", "bind", 0, NULL, getpid());
	UNIX_IS(ev, "dgram", fd);
	REC_BOOL(ev, "net.unix_abstract", 1);
	assert_int_equal(ag.bad_lines, 0);
	close(fd);
}

/* ---- accept -------------------------------------------------------------- */

static void test_accept(void **state UNUSED)
{
	struct ep at, srv, cli;
	json_object *ev;
	int lfd, cfd, afd;

	if (!harness_can_run())
		skip();
	new_ip4(&at);
	lfd = tcp_listener(&at, &srv);
	cfd = sock(AF_INET, SOCK_STREAM);
	assert_int_equal(do_connect(cfd, &srv), 0);
	local_ep(cfd, &cli);
	afd = (int)syscall(SYS_accept, lfd, NULL, NULL);
	assert_true(afd >= 0);

	/* the peer comes from the accepted socket: no sockaddr was passed */
	ev = ONE_SRC("net.accept", "accept", "success", &srv);
	REC_OP(ev, "net.accept", "network", "accept", afd, NULL, getpid());
	INET_IS(ev, "tcp", "inet", afd);
	EP_IS(ev, "src", &srv);
	EP_IS(ev, "dst", &cli);
	close(afd);
	close(cfd);
	close(lfd);
}

static void test_accept4(void **state UNUSED)
{
	struct ep at, at6 = { "::1", 0 }, srv, cli;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	json_object *ev;
	int lfd, cfd, afd;

	if (!harness_can_run())
		skip();
	new_ip4(&at);
	lfd = tcp_listener(&at, &srv);
	cfd = sock(AF_INET, SOCK_STREAM);
	assert_int_equal(do_connect(cfd, &srv), 0);
	local_ep(cfd, &cli);
	afd = (int)syscall(SYS_accept4, lfd, &peer, &plen, SOCK_CLOEXEC | SOCK_NONBLOCK);
	assert_true(afd >= 0);

	ev = ONE_SRC("net.accept", "accept4", "success", &srv);
	REC_OP(ev, "net.accept", "network", "accept4", afd, NULL, getpid());
	INET_IS(ev, "tcp", "inet", afd);
	EP_IS(ev, "src", &srv);
	EP_IS(ev, "dst", &cli);
	close(afd);
	close(cfd);
	close(lfd);

	/* IPv6: the listener on ::1, told apart by its port */
	lfd = tcp_listener(&at6, &srv);
	cfd = sock(AF_INET6, SOCK_STREAM);
	assert_int_equal(do_connect(cfd, &srv), 0);
	local_ep(cfd, &cli);
	afd = (int)syscall(SYS_accept4, lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(afd >= 0);

	ev = ONE_SRC("net.accept", "accept4", "success", &srv);
	REC_OP(ev, "net.accept", "network", "accept4", afd, NULL, getpid());
	INET_IS(ev, "tcp", "inet6", afd);
	EP_IS(ev, "src", &srv);
	EP_IS(ev, "dst", &cli);
	close(afd);
	close(cfd);
	close(lfd);
}

/* A failed accept (non-blocking, nothing pending): EAGAIN, the listener's fd. */
static void test_accept_eagain(void **state UNUSED)
{
	struct ep at, srv;
	struct want w;
	json_object *ev;
	int lfd;

	if (!harness_can_run())
		skip();
	new_ip4(&at);
	lfd = tcp_listener(&at, &srv);
	assert_int_equal(fcntl(lfd, F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(syscall(SYS_accept4, lfd, NULL, NULL, SOCK_CLOEXEC), -1);
	assert_int_equal(errno, EAGAIN);

	w = (struct want){ .event = "net.accept",
			   .skey = { "syscall", "outcome", "errno" },
			   .sval = { "accept4", "failure", "EAGAIN" },
			   .ikey = { "proc.pid", "net.fd" },
			   .ival = { getpid(), lfd } };
	ev = REC_ONE(&ag, &w);
	REC_OP(ev, "net.accept", "network", "accept4", -EAGAIN, "EAGAIN", getpid());
	REC_STR(ev, "net.proto", "tcp");
	REC_STR(ev, "net.family", "inet");
	close(lfd);
}

/* ---- bind and listen ----------------------------------------------------- */

static void test_bind_inet(void **state UNUSED)
{
	struct ep at, got;
	struct sockaddr_storage ss;
	socklen_t len;
	struct want w;
	json_object *ev;
	int fd, fd2;

	if (!harness_can_run())
		skip();
	new_ip4(&at);
	/* port 0: the record has the port the kernel chose, read from the socket */
	fd = bound(&at, SOCK_STREAM, &got);
	assert_true(got.port > 0);

	ev = ONE_SRC("net.bind", "bind", "success", &got);
	REC_OP(ev, "net.bind", "network", "bind", 0, NULL, getpid());
	INET_IS(ev, "tcp", "inet", fd);
	EP_IS(ev, "src", &got);
	REC_NULL(ev, "net.dst");

	/* the same address again: EADDRINUSE */
	len = to_sa(&got, &ss);
	fd2 = sock(AF_INET, SOCK_STREAM);
	assert_int_equal(syscall(SYS_bind, fd2, &ss, len), -1);
	assert_int_equal(errno, EADDRINUSE);
	w = (struct want){ .event = "net.bind",
			   .skey = { "syscall", "outcome" },
			   .sval = { "bind", "failure" },
			   .ikey = { "proc.pid", "net.fd" },
			   .ival = { getpid(), fd2 } };
	ev = REC_ONE(&ag, &w);
	REC_OP(ev, "net.bind", "network", "bind", -EADDRINUSE, "EADDRINUSE", getpid());
	INET_IS(ev, "tcp", "inet", fd2);
	/* the socket has no address: src is the one asked for */
	EP_IS(ev, "src", &got);
	close(fd2);
	close(fd);
}

static void test_bind_unix(void **state UNUSED)
{
	struct sockaddr_un sa;
	socklen_t len;
	json_object *ev;
	char *path;
	int fd;

	if (!harness_can_run())
		skip();
	path = xasprintf("%s/bound.sock", dir);
	len = unix_sa(&sa, path, 0);
	fd = sock(AF_UNIX, SOCK_DGRAM);
	assert_int_equal(syscall(SYS_bind, fd, &sa, len), 0);

	ev = ONE_UNIX("net.bind", "bind", path);
	REC_OP(ev, "net.bind", "network", "bind", 0, NULL, getpid());
	UNIX_IS(ev, "dgram", fd);
	REC_ABSENT(ev, "net.unix_abstract");
	close(fd);
	free(path);
}

static void test_listen(void **state UNUSED)
{
	struct ep at, got;
	json_object *ev;
	int fd;

	if (!harness_can_run())
		skip();
	new_ip4(&at);
	fd = bound(&at, SOCK_STREAM, &got);
	assert_int_equal(syscall(SYS_listen, fd, 7), 0);

	ev = ONE_SRC("net.listen", "listen", "success", &got);
	REC_OP(ev, "net.listen", "network", "listen", 0, NULL, getpid());
	INET_IS(ev, "tcp", "inet", fd);
	EP_IS(ev, "src", &got);
	REC_NULL(ev, "net.dst");
	close(fd);
}

/* ---- UDP sends ----------------------------------------------------------- */

static long send_to(int fd, const struct ep *e, const char *data)
{
	struct sockaddr_storage ss;
	socklen_t len = to_sa(e, &ss);

	return syscall(SYS_sendto, fd, data, strlen(data), 0, &ss, len);
}

static size_t count_dst(const struct ep *e)
{
	struct want w = { .event = "net.send",
			  .skey = { "net.dst.ip" },
			  .sval = { e->ip },
			  .ikey = { "proc.pid", "net.dst.port" },
			  .ival = { getpid(), e->port } };

	return agent_count(&ag, match_want, &w);
}

static void test_udp_sendto(void **state UNUSED)
{
	struct ep s_at, r_at, snd, rcv, r6_at = { "::1", 0 }, snd6, rcv6;
	json_object *ev;
	int sfd, rfd, sfd6, rfd6;

	if (!harness_can_run())
		skip();
	new_ip4(&s_at);
	new_ip4(&r_at);
	rfd = bound(&r_at, SOCK_DGRAM, &rcv);
	sfd = bound(&s_at, SOCK_DGRAM, &snd);
	assert_int_equal(send_to(sfd, &rcv, "hello"), 5);

	ev = ONE_DST("net.send", "sendto", "success", &rcv);
	REC_OP(ev, "net.send", "network", "sendto", 5, NULL, getpid());
	INET_IS(ev, "udp", "inet", sfd);
	EP_IS(ev, "src", &snd);
	EP_IS(ev, "dst", &rcv);

	/* the same destination again: nothing new */
	for (int i = 0; i < 5; i++)
		assert_int_equal(send_to(sfd, &rcv, "again"), 5);
	rc_sync(&ag, dir);
	assert_int_equal(count_dst(&rcv), 1);

	/* IPv6 */
	rfd6 = bound(&r6_at, SOCK_DGRAM, &rcv6);
	sfd6 = bound(&r6_at, SOCK_DGRAM, &snd6);
	assert_int_equal(send_to(sfd6, &rcv6, "six"), 3);
	ev = ONE_DST("net.send", "sendto", "success", &rcv6);
	REC_OP(ev, "net.send", "network", "sendto", 3, NULL, getpid());
	INET_IS(ev, "udp", "inet6", sfd6);
	EP_IS(ev, "src", &snd6);
	EP_IS(ev, "dst", &rcv6);

	close(sfd6);
	close(rfd6);
	close(sfd);
	close(rfd);
}

static void test_udp_sendmsg_sendmmsg(void **state UNUSED)
{
	struct ep s_at, r_at, snd, rcv1, rcv2;
	struct sockaddr_storage ss;
	struct iovec iov = { "abc", 3 };
	struct msghdr mh;
	struct mmsghdr mm[1];
	json_object *ev;
	int sfd, r1, r2;

	if (!harness_can_run())
		skip();
	new_ip4(&s_at);
	new_ip4(&r_at);
	r1 = bound(&r_at, SOCK_DGRAM, &rcv1);
	r2 = bound(&r_at, SOCK_DGRAM, &rcv2);
	sfd = bound(&s_at, SOCK_DGRAM, &snd);

	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &ss;
	mh.msg_namelen = to_sa(&rcv1, &ss);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	assert_int_equal(syscall(SYS_sendmsg, sfd, &mh, 0), 3);
	ev = ONE_DST("net.send", "sendmsg", "success", &rcv1);
	REC_OP(ev, "net.send", "network", "sendmsg", 3, NULL, getpid());
	INET_IS(ev, "udp", "inet", sfd);
	EP_IS(ev, "src", &snd);
	EP_IS(ev, "dst", &rcv1);

	/* sendmsg to a destination sendto already used: still one record for it */
	assert_int_equal(send_to(sfd, &rcv1, "x"), 1);

	memset(mm, 0, sizeof(mm));
	mm[0].msg_hdr = mh;
	mm[0].msg_hdr.msg_namelen = to_sa(&rcv2, &ss);
	assert_int_equal(syscall(SYS_sendmmsg, sfd, mm, 1, 0), 1);
	ev = ONE_DST("net.send", "sendmmsg", "success", &rcv2);
	REC_OP(ev, "net.send", "network", "sendmmsg", 1, NULL, getpid());
	INET_IS(ev, "udp", "inet", sfd);
	EP_IS(ev, "src", &snd);
	EP_IS(ev, "dst", &rcv2);

	assert_int_equal(syscall(SYS_sendmmsg, sfd, mm, 1, 0), 1);
	rc_sync(&ag, dir);
	assert_int_equal(count_dst(&rcv1), 1);
	assert_int_equal(count_dst(&rcv2), 1);
	close(sfd);
	close(r1);
	close(r2);
}

/*
 * Short-lived sockets (a resolver opening one per query): UDP destinations
 * are remembered per process, so thirty sockets sending to one name server
 * give one record, the first socket's; another process sending there gets
 * its own.
 */
static void test_udp_new_socket_same_destination(void **state UNUSED)
{
	struct ep s_at, r_at, rcv, snd[NEW_SOCKETS];
	struct want w;
	json_object *ev;
	int rfd, st;
	pid_t child;

	if (!harness_can_run())
		skip();
	new_ip4(&s_at);
	new_ip4(&r_at);
	rfd = bound(&r_at, SOCK_DGRAM, &rcv);
	for (int i = 0; i < NEW_SOCKETS; i++) {
		int fd = bound(&s_at, SOCK_DGRAM, &snd[i]);

		assert_int_equal(send_to(fd, &rcv, "query"), 5);
		close(fd);
		/* UDP sockets are freed after an RCU grace period: let the next reuse the memory */
		sleep_ms(5);
	}
	rc_sync(&ag, dir);
	assert_int_equal(count_dst(&rcv), 1);
	w = (struct want){ .event = "net.send",
			   .skey = { "net.dst.ip", "net.src.ip" },
			   .sval = { rcv.ip, snd[0].ip },
			   .ikey = { "proc.pid", "net.src.port", "net.dst.port" },
			   .ival = { getpid(), snd[0].port, rcv.port } };
	ev = REC_ONE(&ag, &w);
	REC_OP(ev, "net.send", "network", "sendto", 5, NULL, getpid());
	INET_IS(ev, "udp", "inet", (int)jint(ev, "net.fd"));
	EP_IS(ev, "src", &snd[0]);
	EP_IS(ev, "dst", &rcv);

	/* a UDP connect to it names no new destination either */
	{
		int fd = bound(&s_at, SOCK_DGRAM, &snd[1]);

		assert_int_equal(do_connect(fd, &rcv), 0);
		close(fd);
		rc_sync(&ag, dir);
		w = (struct want){ .event = "net.connect",
				   .skey = { "net.dst.ip" },
				   .sval = { rcv.ip },
				   .ikey = { "proc.pid", "net.dst.port" },
				   .ival = { getpid(), rcv.port } };
		REC_NONE(&ag, &w);
	}

	/* another process: its own record */
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		int fd = (int)syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		_exit(fd >= 0 && send_to(fd, &rcv, "other") == 5 ? 0 : 1);
	}
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	w = (struct want){ .event = "net.send",
			   .skey = { "net.dst.ip" },
			   .sval = { rcv.ip },
			   .ikey = { "proc.pid", "net.dst.port" },
			   .ival = { child, rcv.port } };
	ev = REC_ONE(&ag, &w);
	REC_OP(ev, "net.send", "network", "sendto", 5, NULL, child);
	EP_IS(ev, "dst", &rcv);
	close(rfd);
}

static int64_t mono_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static int match_rate_limited(json_object *rec, void *arg UNUSED)
{
	const char *e = jstr(rec, "event");

	return e && strcmp(e, "agent.loss") == 0 && jint(rec, "agent.loss.rate_limited") > 0;
}

/*
 * One socket sends to BURST_PORTS new destinations at once: at most
 * udp_sends_per_sec records per second the burst spans (a fixed window or a
 * token bucket both stay under that), the first ones in order, and the rest
 * counted as rate_limited in agent.loss.
 */
static void test_udp_rate_limit(void **state UNUSED)
{
	struct ep s_at, snd, dst;
	int64_t t0, t1, windows, limited = 0;
	size_t n = 0, first = 0;
	int sfd;
	int base = 20000;

	if (!harness_can_run())
		skip();
	new_ip4(&s_at);
	new_ip4(&dst);
	sfd = bound(&s_at, SOCK_DGRAM, &snd);
	t0 = mono_sec();
	for (int i = 0; i < BURST_PORTS; i++) {
		dst.port = base + i;
		assert_int_equal(send_to(sfd, &dst, "q"), 1);
	}
	t1 = mono_sec();
	windows = t1 - t0 + 1;
	rc_sync(&ag, dir);

	for (size_t i = 0; i < ag.nrecs; i++) {
		json_object *rec = ag.recs[i];
		const char *e = jstr(rec, "event"), *ip = jstr(rec, "net.dst.ip");
		int64_t port = jint(rec, "net.dst.port");

		if (!e || strcmp(e, "net.send") || !ip || strcmp(ip, dst.ip))
			continue;
		REC_OP(rec, "net.send", "network", "sendto", 1, NULL, getpid());
		INET_IS(rec, "udp", "inet", sfd);
		EP_IS(rec, "src", &snd);
		assert_true(port >= base && port < base + BURST_PORTS);
		/* the burst starts on a fresh socket: its first sends are the first records */
		if (port == base + (int64_t)first)
			first++;
		n++;
	}
	fprintf(stderr, "rate limit: %zu of %d new destinations recorded over %lld window(s)\n",
		n, BURST_PORTS, (long long)windows);
	assert_true(n >= UDP_SENDS_PER_SEC);
	assert_true(n <= (size_t)(UDP_SENDS_PER_SEC * windows));
	assert_true(first >= UDP_SENDS_PER_SEC);

	/* the excess is counted as loss, reported by the periodic agent.loss */
	assert_non_null(agent_wait(&ag, 0, match_rate_limited, NULL, 15000, NULL));
	for (size_t i = 0; i < ag.nrecs; i++) {
		const char *e = jstr(ag.recs[i], "event");

		if (e && strcmp(e, "agent.loss") == 0)
			limited += jint(ag.recs[i], "agent.loss.rate_limited");
	}
	fprintf(stderr, "rate limit: agent.loss reports %lld rate_limited\n", (long long)limited);
	/* other UDP senders on the machine may add to the count, never take from it */
	if (limited < BURST_PORTS - (int64_t)n) {
		/* the next report may still be on its way */
		sleep_ms(2500);
		agent_poll(&ag);
		limited = 0;
		for (size_t i = 0; i < ag.nrecs; i++) {
			const char *e = jstr(ag.recs[i], "event");

			if (e && strcmp(e, "agent.loss") == 0)
				limited += jint(ag.recs[i], "agent.loss.rate_limited");
		}
	}
	assert_true(limited >= BURST_PORTS - (int64_t)n);

	/*
	 * A destination dropped by the limit is not remembered: once the second
	 * is over, the next send to it is recorded (once); one recorded before
	 * stays recorded.
	 */
	sleep_ms(1100);
	dst.port = base + BURST_PORTS - 1;
	assert_int_equal(count_dst(&dst), 0);
	assert_int_equal(send_to(sfd, &dst, "q"), 1);
	assert_int_equal(send_to(sfd, &dst, "q"), 1);
	dst.port = base;
	assert_int_equal(send_to(sfd, &dst, "q"), 1);
	rc_sync(&ag, dir);
	assert_int_equal(count_dst(&dst), 1);
	dst.port = base + BURST_PORTS - 1;
	assert_int_equal(count_dst(&dst), 1);
	close(sfd);
}

/*
 * The rate is per socket: a new socket starts with a full quota, even when a
 * socket just closed (whose memory the kernel may give to the new one) used
 * up its own. Each of several sockets in a row sends to more new
 * destinations than the limit; each must get exactly the limit recorded.
 */
static void test_udp_rate_limit_per_new_socket(void **state UNUSED)
{
	struct ep s_at, snd, dst[RATE_SOCKETS];
	size_t n[RATE_SOCKETS];
	int64_t t0, t1;
	int short_of = 0;

	if (!harness_can_run())
		skip();
	new_ip4(&s_at);
	t0 = mono_sec();
	for (int i = 0; i < RATE_SOCKETS; i++) {
		int fd = bound(&s_at, SOCK_DGRAM, &snd);

		new_ip4(&dst[i]);
		for (int p = 0; p < UDP_SENDS_PER_SEC + 5; p++) {
			dst[i].port = 30000 + p;
			assert_int_equal(send_to(fd, &dst[i], "r"), 1);
		}
		close(fd);
		sleep_ms(10); /* an RCU grace period: the next socket may take this one's memory */
	}
	t1 = mono_sec();
	rc_sync(&ag, dir);
	for (int i = 0; i < RATE_SOCKETS; i++) {
		struct want w = { .event = "net.send",
				  .skey = { "net.dst.ip" },
				  .sval = { dst[i].ip },
				  .ikey = { "proc.pid" },
				  .ival = { getpid() } };

		n[i] = agent_count(&ag, match_want, &w);
		if (n[i] < UDP_SENDS_PER_SEC)
			short_of++;
		/* a socket's whole burst takes far less than a second */
		assert_true(n[i] <= UDP_SENDS_PER_SEC * (size_t)(t1 - t0 + 1));
	}
	if (short_of) {
		for (int i = 0; i < RATE_SOCKETS; i++)
			fprintf(stderr, "  socket %d: %zu of %d new destinations recorded\n", i,
				n[i], UDP_SENDS_PER_SEC + 5);
		fail_msg("%d of %d new sockets got less than their %d records", short_of,
			 RATE_SOCKETS, UDP_SENDS_PER_SEC);
	}
}

/* ---- the log as a whole -------------------------------------------------- */

static void test_log_clean_and_stop(void **state UNUSED)
{
	json_object *stop;

	if (!harness_can_run())
		skip();
	agent_poll(&ag);
	assert_int_equal(ag.bad_lines, 0);
	assert_int_equal(agent_stop(&ag), 0);
	stop = agent_wait_field(&ag, "agent.stop", "agent.reason", "SIGTERM", 1000);
	assert_non_null(stop);
	REC_INT(stop, "agent.totals.ringbuf_full", 0);
	REC_INT(stop, "agent.totals.map_full", 0);
	assert_int_equal(ag.bad_lines, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_ipv4),
		cmocka_unit_test(test_connect_ipv6),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_connect_bad_sockaddr),
		cmocka_unit_test(test_connect_einprogress),
		cmocka_unit_test(test_connect_udp),
		cmocka_unit_test(test_connect_raw),
		cmocka_unit_test(test_connect_unix_path),
		cmocka_unit_test(test_connect_unix_abstract),
		cmocka_unit_test(test_unix_abstract_hostile_name),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_accept4),
		cmocka_unit_test(test_accept_eagain),
		cmocka_unit_test(test_bind_inet),
		cmocka_unit_test(test_bind_unix),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_udp_sendto),
		cmocka_unit_test(test_udp_sendmsg_sendmmsg),
		cmocka_unit_test(test_udp_new_socket_same_destination),
		cmocka_unit_test(test_udp_rate_limit),
		cmocka_unit_test(test_udp_rate_limit_per_new_socket),
		cmocka_unit_test(test_log_clean_and_stop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
