/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Every field and operator of the rule language honoured by the running
 * agent (docs/policy.md). One policy file, written before the agent starts,
 * holds one keyed rule per case; each case does one operation the rule must
 * select and one it must not, in its own directory (rules are scoped with
 * dir=) or on its own socket fd number (a0=) or uid. A selected record must
 * carry exactly the rule's keys and "policy":{"gen","rule":"fields.rules:LINE"};
 * the other operation must leave no record: each test ends with a marker
 * mkdir that the last rule of the file selects, and the log is checked up to
 * that marker (records of one thread, and of children waited for, come
 * before it). Order cases: first match decides, never before always, -A.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "policy_check.h"
#include "rec_check.h"

#define UNUSED __attribute__((unused))
#define WAIT_MS 15000

#define IA32_OPEN 5

static struct agent ag;
static struct pc_file pf;
static char D[256];    /* every case's directory lives here */
static pid_t T;        /* this process */
static int64_t gen0;   /* generation of the policy the agent started with */
static char self_exe[PATH_MAX];
static char *low;      /* MAP_32BIT scratch for int $0x80 */
static unsigned nselected; /* records of f-* keys the cases expect */
static unsigned devmajor_ok;

/* ---- paths ----------------------------------------------------------------- */

static char pool[1024][600];
static unsigned npool;

/* D/<printf>: a path that stays valid for the whole run. */
static const char *P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *P(const char *fmt, ...)
{
	char rel[256];
	va_list ap;
	int n;

	if (npool == 1024)
		abort();
	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	n = snprintf(pool[npool], sizeof(pool[npool]), "%s/%s", D, rel);
	assert_true(n > 0 && (size_t)n < sizeof(pool[npool]));
	return pool[npool++];
}

static void mkdir_open(const char *path)
{
	if (mkdir(path, 0777) && errno != EEXIST)
		fail_msg("mkdir %s: %s", path, strerror(errno));
	chmod(path, 0777); /* the cases with other uids write here */
}

static void make_file(const char *path, uid_t uid, gid_t gid)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);

	if (fd < 0)
		fail_msg("create %s: %s", path, strerror(errno));
	fchmod(fd, 0666);
	if (fchown(fd, uid, gid))
		fail_msg("chown %s", path);
	close(fd);
}

/* ---- operations (raw syscalls: what the rule sees is what we pass) -------- */

static long sys_mkdir(const char *path, long mode)
{
	return syscall(SYS_mkdir, path, mode);
}

static long open_flags(const char *path, long flags)
{
	long fd = syscall(SYS_openat, AT_FDCWD, path, flags, 0644);

	if (fd >= 0)
		close((int)fd);
	return fd;
}

#define OPEN_W(p) assert_true(open_flags((p), O_WRONLY | O_CREAT) >= 0)
#define OPEN_R(p) assert_true(open_flags((p), O_RDONLY) >= 0)
#define MKDIR(p) assert_int_equal(sys_mkdir((p), 0755), 0)
#define CHMOD(p, m) assert_int_equal(syscall(SYS_chmod, (p), (m)), 0)

static long low_str(const char *s)
{
	static size_t used;
	char *p = low + used;

	used += (strlen(s) + 16) & ~(size_t)15;
	assert_true(used < 65536);
	strcpy(p, s);
	return (long)(uintptr_t)p;
}

/* ---- children ---------------------------------------------------------------- */

/* Identity a child takes before its mkdir; -1: leave as it is. */
struct ids {
	long uid[4]; /* real, effective, saved, fs */
	long gid[4];
	long loginuid; /* -2: leave; -1: write 4294967295 (unset) */
	const char *path;
};

static int set_loginuid(long v)
{
	char buf[32];
	int fd = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC);
	int n = snprintf(buf, sizeof(buf), "%u", (unsigned)v);

	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		return -1;
	return close(fd);
}

static int ids_child(const void *arg)
{
	const struct ids *c = arg;

	if (c->loginuid != -2 && set_loginuid(c->loginuid))
		return 2;
	if (c->gid[0] != -1 || c->gid[1] != -1 || c->gid[2] != -1)
		if (syscall(SYS_setresgid, c->gid[0], c->gid[1], c->gid[2]))
			return 3;
	if (c->gid[3] != -1) {
		syscall(SYS_setfsgid, c->gid[3]);
		if (syscall(SYS_setfsgid, -1) != c->gid[3])
			return 4;
	}
	if (c->uid[0] != -1 || c->uid[1] != -1 || c->uid[2] != -1)
		if (syscall(SYS_setresuid, c->uid[0], c->uid[1], c->uid[2]))
			return 5;
	if (c->uid[3] != -1) {
		syscall(SYS_setfsuid, c->uid[3]);
		if (syscall(SYS_setfsuid, -1) != c->uid[3])
			return 6;
	}
	return sys_mkdir(c->path, 0755) ? 7 : 0;
}

/* fn(arg) in a forked child, waited for; it must return 0. Its pid. */
static pid_t child(int (*fn)(const void *), const void *arg)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("child failed: status 0x%x", st);
	return pid;
}

#define IDS(...) (&(struct ids){ __VA_ARGS__ })
#define NOID { -1, -1, -1, -1 }

/* argv[0] run with fd 0 = fd0 (unless -1), waited for; it must exit 0. */
static pid_t run_prog(const char *prog, const char *arg1, int fd0)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (fd0 >= 0 && dup2(fd0, 0) != 0)
			_exit(126);
		execl(prog, prog, arg1, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("%s %s: status 0x%x", prog, arg1 ? arg1 : "", st);
	return pid;
}

/* ---- checks -------------------------------------------------------------------- */

#define WPATH(p) (&(struct want){ .skey = { "file.path" }, .sval = { (p) } })
#define WPATH_EV(ev, p) (&(struct want){ .event = (ev), .skey = { "file.path" }, .sval = { (p) } })
#define WPID_EV(ev, pid) (&(struct want){ .event = (ev), .ikey = { "proc.pid" }, .ival = { (pid) } })
#define WFD_EV(ev, fd) (&(struct want){ .event = (ev), .ikey = { "net.fd" }, .ival = { (fd) } })

/* The marker: every record of an operation done (or waited for) before it is in the log. */
static void sync_log(void)
{
	static unsigned seq;
	const char *m = P("mark/%u", ++seq);
	json_object *r;

	MKDIR(m);
	r = agent_wait_field(&ag, "file.mkdir", "file.path", m, WAIT_MS);
	if (!r)
		fail_msg("no record of the marker %s (the last rule of the policy selects it)", m);
	/* its keys are checked by test_nothing_else: each case reports its own failures */
}

/* Exactly one record matches w; it carries exactly `key` and that key's rule line. */
#define ONE(w, key) one((w), (key), __FILE__, __LINE__)
static json_object *one(const struct want *w, const char *key, const char *file, int line)
{
	json_object *r = rc_one(&ag, w, file, line);

	pc_keys_are(r, (const char *const[]){ key, NULL }, file, line);
	pc_rule_is(r, gen0, pf.base, pc_line_of(&pf, key), file, line);
	nselected++;
	return r;
}

#define NONE(w) REC_NONE(&ag, (w))

/* The common case: mkdir of D/<dir>/m is selected with key f-<dir>, D/<dir>/n is not. */
#define MKDIR_CASE(dir) mkdir_case((dir), __FILE__, __LINE__)
static void mkdir_case(const char *dir, const char *file, int line)
{
	char key[64];

	snprintf(key, sizeof(key), "f-%s", dir);
	one(WPATH_EV("file.mkdir", P("%s/m", dir)), key, file, line);
	rc_none(&ag, WPATH(P("%s/n", dir)), file, line);
}

/* ---- the policy -------------------------------------------------------------------- */

#define MK "-a always,exit -F arch=b64 -S mkdir"
#define OPENAT "-a always,exit -F arch=b64 -S openat"

/* A mkdir rule on D/<dir> with extra fields, keyed f-<dir>. */
static void mkdir_rule(const char *dir, const char *fields)
{
	char key[64];

	snprintf(key, sizeof(key), "f-%s", dir);
	mkdir_open(P("%s", dir));
	pc_line(&pf, key, MK " -F dir=%s %s", P("%s", dir), fields);
}

static void write_policy(void)
{
	struct stat st;
	char v[PATH_MAX + 32];

	pc_file_init(&pf, D, "fields.rules");
	pc_line(&pf, NULL, "# test_rules_fields: one keyed rule per case");
	pc_line(&pf, NULL, "-D");

	/* arch: perm=w spans both ABIs' tables; arch keeps one */
	mkdir_open(P("arch32"));
	mkdir_open(P("arch64"));
	pc_line(&pf, "f-arch32", "-a always,exit -F arch=b32 -F dir=%s -F perm=w", P("arch32"));
	pc_line(&pf, "f-arch64", "-a always,exit -F arch=b64 -F dir=%s -F perm=w", P("arch64"));

	/* process and identity fields */
	snprintf(v, sizeof(v), "-F pid=%d", (int)T);
	mkdir_rule("pid", v);
	snprintf(v, sizeof(v), "-F ppid=%d", (int)T);
	mkdir_rule("ppid", v);
	mkdir_rule("uid", "-F uid=2101");
	mkdir_rule("euid", "-F euid=2102");
	mkdir_rule("suid", "-F suid=2103");
	mkdir_rule("fsuid", "-F fsuid=2104");
	mkdir_rule("gid", "-F gid=2201");
	mkdir_rule("egid", "-F egid=2202");
	mkdir_rule("sgid", "-F sgid=2203");
	mkdir_rule("fsgid", "-F fsgid=2204");
	mkdir_rule("auid", "-F auid=7001");
	mkdir_rule("auid-unset", "-F auid=unset");
	mkdir_rule("loginuid", "-F loginuid=7004");
	mkdir_rule("sess-unset", "-F sessionid=unset");
	mkdir_rule("sess-set", "-F sessionid!=unset");

	/* outcome */
	mkdir_rule("succ0", "-F success=0");
	mkdir_rule("succ1", "-F success=1");
	mkdir_rule("exit-name", "-F exit=-EEXIST");
	mkdir_rule("exit-num", "-F exit=-2");
	/* made before the agent starts: the mkdirs of these fail with EEXIST */
	mkdir_open(P("succ0/m"));
	mkdir_open(P("succ1/n"));
	mkdir_open(P("exit-name/m"));
	mkdir_open(P("exit-num/n"));

	/* a0..a3 and every operator (a1 of mkdir is the mode) */
	pc_line(&pf, "f-a0", "-a always,exit -F arch=b64 -S setuid -F a0=2401");
	mkdir_rule("a1-eq", "-F a1=0700");
	mkdir_rule("a1-ne", "-F a1!=0700");
	mkdir_rule("a1-lt", "-F a1<0500");
	mkdir_rule("a1-gt", "-F a1>0500");
	mkdir_rule("a1-le", "-F a1<=0500");
	mkdir_rule("a1-ge", "-F a1>=0500");
	mkdir_rule("a1-and", "-F a1&0100");
	mkdir_rule("a1-andeq", "-F a1&=0110");
	mkdir_open(P("a2"));
	pc_line(&pf, "f-a2", OPENAT " -F dir=%s -F a2=0101", P("a2"));
	mkdir_open(P("a3"));
	pc_line(&pf, "f-a3", "-a always,exit -F arch=b64 -S mknodat -F dir=%s -F a3=259", P("a3"));

	/* several keys: -F key= and -k, attached in order */
	mkdir_open(P("keys"));
	pc_line(&pf, "f-keys-3", MK " -F dir=%s -F key=f-keys-1 -k f-keys-2", P("keys"));

	/* path (exact), dir (recursive), perm, exe, filetype */
	mkdir_open(P("path"));
	make_file(P("path/f"), 0, 0);
	make_file(P("path/f2"), 0, 0);
	pc_line(&pf, "f-path", OPENAT " -F path=%s", P("path/f"));
	mkdir_open(P("dir"));
	mkdir_open(P("dir/tree"));
	mkdir_open(P("dir/tree/a"));
	mkdir_open(P("dir/tree/a/b"));
	mkdir_open(P("dir/treeX"));
	pc_line(&pf, "f-dir", OPENAT " -F dir=%s", P("dir/tree"));
	mkdir_open(P("pr"));
	make_file(P("pr/f"), 0, 0);
	pc_line(&pf, "f-perm-r", "-w %s -p r", P("pr/f"));
	mkdir_open(P("pw"));
	make_file(P("pw/f"), 0, 0);
	pc_line(&pf, "f-perm-w", "-w %s -p w", P("pw/f"));
	mkdir_open(P("pa"));
	make_file(P("pa/f"), 0, 0);
	pc_line(&pf, "f-perm-a", "-w %s -p a", P("pa/f"));
	mkdir_open(P("px"));
	assert_int_equal(pc_run(NULL, "cp /usr/bin/true %s", P("px/true")), 0);
	pc_line(&pf, "f-perm-x", "-w %s -p x", P("px/true"));
	mkdir_open(P("pwa"));
	make_file(P("pwa/m"), 0, 0);
	make_file(P("pwa/n"), 0, 0);
	pc_line(&pf, "f-perm-wa", "-a always,exit -F arch=b64 -F dir=%s -F perm=wa", P("pwa"));
	snprintf(v, sizeof(v), "-F exe=%s", self_exe);
	mkdir_rule("exe", v);
	snprintf(v, sizeof(v), "-F exe!=%s", self_exe);
	mkdir_rule("exe-ne", v);
	mkdir_open(P("ft"));
	assert_int_equal(mkfifo(P("ft/fifo"), 0644), 0);
	make_file(P("ft/file"), 0, 0);
	/* the object's type is known for fd-based operations: a successful open */
	pc_line(&pf, "f-filetype", OPENAT " -F dir=%s -F filetype=fifo", P("ft"));

	/* the object: owner, inode, device (tmpfs mounts give other devices) */
	mkdir_open(P("ouid"));
	make_file(P("ouid/m"), 3001, 0);
	make_file(P("ouid/n"), 0, 0);
	pc_line(&pf, "f-obj-uid", OPENAT " -F dir=%s -F obj_uid=3001", P("ouid"));
	mkdir_open(P("ogid"));
	make_file(P("ogid/m"), 0, 3002);
	make_file(P("ogid/n"), 0, 0);
	pc_line(&pf, "f-obj-gid", OPENAT " -F dir=%s -F obj_gid=3002", P("ogid"));
	mkdir_open(P("ino"));
	make_file(P("ino/m"), 0, 0);
	make_file(P("ino/n"), 0, 0);
	assert_int_equal(stat(P("ino/m"), &st), 0);
	pc_line(&pf, "f-inode", OPENAT " -F dir=%s -F inode=%lu", P("ino"),
		(unsigned long)st.st_ino);
	mkdir_open(P("dev"));
	mkdir_open(P("dev/mnt"));
	assert_int_equal(mount("rf", P("dev/mnt"), "tmpfs", 0, "mode=0777"), 0);
	assert_int_equal(stat(P("dev"), &st), 0);
	devmajor_ok = major(st.st_dev) != 0; /* else the tmpfs has the same major */
	pc_line(&pf, "f-devmajor", OPENAT " -F dir=%s -F devmajor=%u", P("dev"),
		major(st.st_dev));
	mkdir_open(P("devmin"));
	mkdir_open(P("devmin/m1"));
	mkdir_open(P("devmin/m2"));
	assert_int_equal(mount("rf", P("devmin/m1"), "tmpfs", 0, "mode=0777"), 0);
	assert_int_equal(mount("rf", P("devmin/m2"), "tmpfs", 0, "mode=0777"), 0);
	assert_int_equal(stat(P("devmin/m1"), &st), 0);
	pc_line(&pf, "f-devminor", OPENAT " -F dir=%s -F devminor=%u", P("devmin"),
		minor(st.st_dev));

	/* -C */
	mkdir_rule("cmp-ne", "-C uid!=euid");
	mkdir_rule("cmp-eq", "-C gid=egid");

	/* network: each case on its own fd number (a0) */
	pc_line(&pf, "f-saddr-fam", "-a always,exit -F arch=b64 -S connect -F a0=301 -F saddr_fam=inet6");
	pc_line(&pf, "f-raddr", "-a always,exit -F arch=b64 -S connect -F a0=302 -F raddr=127.0.0.0/29");
	pc_line(&pf, "f-raddr-ne",
		"-a always,exit -F arch=b64 -S connect -F a0=303 -F raddr!=127.0.0.0/29");
	pc_line(&pf, "f-raddr6", "-a always,exit -F arch=b64 -S connect -F a0=304 -F raddr=::1");
	pc_line(&pf, "f-laddr", "-a always,exit -F arch=b64 -S connect -F a0=305 -F laddr=127.0.0.5");
	pc_line(&pf, "f-rport", "-a always,exit -F arch=b64 -S connect -F a0=306 -F rport=29311");
	pc_line(&pf, "f-rport-gt", "-a always,exit -F arch=b64 -S connect -F a0=307 -F rport>29311");
	pc_line(&pf, "f-lport-le", "-a always,exit -F arch=b64 -S connect -F a0=308 -F lport<=29321");
	pc_line(&pf, "f-bind", "-a always,exit -F arch=b64 -S bind -F a0=309 -F lport=29331");
	mkdir_open(P("origin"));
	mkdir_open(P("bin"));
	assert_int_equal(pc_run(NULL, "cp /usr/bin/mkdir %s", P("bin/rf-login")), 0);
	pc_line(&pf, "f-origin",
		"-a always,exit -F arch=b64 -S mkdir,mkdirat -F dir=%s -F origin=127.0.0.60/31",
		P("origin"));

	/* order: never before always, always before never, first match, -A */
	mkdir_open(P("ord-n"));
	mkdir_open(P("ord-n/quiet"));
	pc_line(&pf, NULL, "-a never,exit -F arch=b64 -S mkdir -F dir=%s", P("ord-n/quiet"));
	pc_line(&pf, "f-ord-n", MK " -F dir=%s", P("ord-n"));
	mkdir_open(P("ord-a"));
	mkdir_open(P("ord-a/loud"));
	pc_line(&pf, "f-ord-a", MK " -F dir=%s", P("ord-a/loud"));
	pc_line(&pf, NULL, "-a never,exit -F arch=b64 -S mkdir -F dir=%s", P("ord-a"));
	pc_line(&pf, "f-ord-a-late", MK " -F dir=%s", P("ord-a"));
	mkdir_open(P("first"));
	mkdir_open(P("first/a"));
	pc_line(&pf, "f-first-1", MK " -F dir=%s", P("first/a"));
	pc_line(&pf, "f-first-2", MK " -F dir=%s", P("first"));
	mkdir_open(P("prep"));
	pc_line(&pf, NULL, "-a never,exit -F arch=b64 -S mkdir -F dir=%s", P("prep"));
	pc_line(&pf, "f-prep", "-A always,exit -F arch=b64 -S mkdir -F dir=%s", P("prep"));
	mkdir_open(P("prep2"));
	pc_line(&pf, "f-prep2-a", "-A always,exit -F arch=b64 -S mkdir -F dir=%s", P("prep2"));
	pc_line(&pf, "f-prep2-b", "-A always,exit -F arch=b64 -S mkdir -F dir=%s", P("prep2"));

	/* last: the marker */
	mkdir_open(P("mark"));
	pc_line(&pf, "marker", MK " -F dir=%s", P("mark"));
	pc_file_write(&pf);
}

static int teardown(void **state);

static int setup(void **state UNUSED)
{
	char *conf;
	json_object *pol;
	ssize_t n;

	if (!harness_can_run())
		return 0;
	T = getpid();
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n <= 0)
		return -1;
	self_exe[n] = 0;
	low = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1,
		   0);
	if (low == MAP_FAILED || harness_tmpdir(D, sizeof(D)) || chmod(D, 0755))
		return -1;
	/*
	 * The tmpfs mounts of the device cases live in a mount namespace of
	 * this test (and its agent): they go away with it, even when killed.
	 */
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	write_policy();
	conf = xasprintf("rules = %s\nlogin_services = sshd, rf-login", pf.path);
	if (agent_start(&ag, conf)) {
		free(conf);
		teardown(NULL); /* the tmpfs mounts */
		return -1;
	}
	free(conf);
	pol = pc_wait_event(&ag, "agent.policy", 0, WAIT_MS, NULL);
	if (!pol) {
		fprintf(stderr, "no agent.policy record after start\n");
		teardown(NULL);
		return -1;
	}
	gen0 = jint(pol, "agent.policy.gen");
	return 0;
}

static int teardown(void **state UNUSED)
{
	if (!harness_can_run())
		return 0;
	agent_cleanup(&ag);
	umount2(P("dev/mnt"), MNT_DETACH);
	umount2(P("devmin/m1"), MNT_DETACH);
	umount2(P("devmin/m2"), MNT_DETACH);
	if (!getenv("CAUDIT_KEEP_TEST_DIRS"))
		pc_run(NULL, "rm -rf %s", D);
	pc_file_free(&pf);
	return 0;
}

#define NEED_ROOT()                    \
	do {                           \
		if (!harness_can_run()) \
			skip();        \
	} while (0)


/* ---- cases ---------------------------------------------------------------------- */

static const long KEEP[4] = { -1, -1, -1, -1 };

/* A child with these ids (and login uid: -2 keep, -1 unset) does mkdir(path). */
static pid_t as(const long u[4], const long g[4], long login, const char *path)
{
	struct ids c = { .loginuid = login, .path = path };

	memcpy(c.uid, u, sizeof(c.uid));
	memcpy(c.gid, g, sizeof(c.gid));
	return child(ids_child, &c);
}

#define U(a, b, c, d) ((const long[4]){ a, b, c, d })

/* The policy the agent reports is the one `caudit rules check` compiles. */
static void test_policy_record(void **state UNUSED)
{
	json_object *recs[4];
	char hash[65];
	int64_t nrules;

	NEED_ROOT();
	assert_int_equal(pc_check_hash(pf.path, hash, &nrules), 0);
	assert_int_equal(pc_policy_records(&ag, recs, 4), 1);
	assert_true(gen0 >= 1);
	REC_STR(recs[0], "category", "agent");
	REC_STR(recs[0], "agent.policy.hash", hash);
	REC_INT(recs[0], "agent.policy.rules", nrules);
	REC_INT(recs[0], "agent.policy.by.uid", 0);
	REC_INT(recs[0], "agent.policy.by.pid", ag.pid);
	REC_STR(recs[0], "agent.policy.by.via", "start");
}

static void test_arch(void **state UNUSED)
{
	long fd;
	json_object *r;

	NEED_ROOT();
	fd = harness_int80(IA32_OPEN, low_str(P("arch32/m")), O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close((int)fd);
	assert_true(open_flags(P("arch32/n"), O_WRONLY | O_CREAT) >= 0);
	fd = syscall(SYS_open, P("arch64/m"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close((int)fd);
	fd = harness_int80(IA32_OPEN, low_str(P("arch64/n")), O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close((int)fd);
	sync_log();
	r = ONE(WPATH_EV("file.open", P("arch32/m")), "f-arch32");
	REC_STR(r, "abi", "ia32");
	NONE(WPATH(P("arch32/n")));
	r = ONE(WPATH_EV("file.open", P("arch64/m")), "f-arch64");
	REC_ABSENT(r, "abi");
	NONE(WPATH(P("arch64/n")));
}

/* pid, ppid, and each uid/gid field: the non-matching process has every other id = value. */
static void test_process_ids(void **state UNUSED)
{
	json_object *r;
	pid_t c;

	NEED_ROOT();
	MKDIR(P("pid/m"));
	as(KEEP, KEEP, -2, P("pid/n"));
	c = as(KEEP, KEEP, -2, P("ppid/m"));
	MKDIR(P("ppid/n"));
	as(U(2101, 0, 0, -1), KEEP, -2, P("uid/m"));
	as(U(0, 2101, 2101, -1), KEEP, -2, P("uid/n"));
	as(U(0, 2102, 0, 0), KEEP, -2, P("euid/m"));
	as(U(2102, 0, 2102, 2102), KEEP, -2, P("euid/n"));
	as(U(0, 0, 2103, -1), KEEP, -2, P("suid/m"));
	as(U(2103, 2103, 0, -1), KEEP, -2, P("suid/n"));
	as(U(-1, -1, -1, 2104), KEEP, -2, P("fsuid/m"));
	as(U(2104, 0, 2104, -1), KEEP, -2, P("fsuid/n"));
	as(KEEP, U(2201, 0, 0, -1), -2, P("gid/m"));
	as(KEEP, U(0, 2201, 2201, -1), -2, P("gid/n"));
	as(KEEP, U(0, 2202, 0, 0), -2, P("egid/m"));
	as(KEEP, U(2202, 0, 2202, 2202), -2, P("egid/n"));
	as(KEEP, U(0, 0, 2203, -1), -2, P("sgid/m"));
	as(KEEP, U(2203, 2203, 0, -1), -2, P("sgid/n"));
	as(KEEP, U(-1, -1, -1, 2204), -2, P("fsgid/m"));
	as(KEEP, U(2204, 0, 2204, -1), -2, P("fsgid/n"));
	sync_log();
	r = rc_one(&ag, WPATH(P("pid/m")), __FILE__, __LINE__);
	REC_INT(r, "proc.pid", T);
	MKDIR_CASE("pid");
	r = rc_one(&ag, WPATH(P("ppid/m")), __FILE__, __LINE__);
	REC_INT(r, "proc.pid", c);
	MKDIR_CASE("ppid");
	MKDIR_CASE("uid");
	MKDIR_CASE("euid");
	MKDIR_CASE("suid");
	MKDIR_CASE("fsuid");
	r = rc_one(&ag, WPATH(P("fsuid/m")), __FILE__, __LINE__);
	REC_INT(r, "user.fsuid", 2104);
	REC_INT(r, "user.euid", 0);
	MKDIR_CASE("gid");
	MKDIR_CASE("egid");
	MKDIR_CASE("sgid");
	MKDIR_CASE("fsgid");
}

/* auid (number, unset), its alias loginuid, sessionid unset and set. */
static void test_login_ids(void **state UNUSED)
{
	json_object *r;

	NEED_ROOT();
	as(KEEP, KEEP, 7001, P("auid/m"));
	as(KEEP, KEEP, 7002, P("auid/n"));
	as(KEEP, KEEP, -1, P("auid-unset/m"));
	as(KEEP, KEEP, 7003, P("auid-unset/n"));
	as(KEEP, KEEP, 7004, P("loginuid/m"));
	as(KEEP, KEEP, 7005, P("loginuid/n"));
	as(KEEP, KEEP, -1, P("sess-unset/m"));
	as(KEEP, KEEP, 7006, P("sess-unset/n"));
	as(KEEP, KEEP, 7007, P("sess-set/m"));
	as(KEEP, KEEP, -1, P("sess-set/n"));
	sync_log();
	MKDIR_CASE("auid");
	r = rc_one(&ag, WPATH(P("auid/m")), __FILE__, __LINE__);
	REC_INT(r, "user.auid", 7001);
	MKDIR_CASE("auid-unset");
	MKDIR_CASE("loginuid");
	MKDIR_CASE("sess-unset");
	MKDIR_CASE("sess-set");
}

/* success and exit (an errno name and a number). */
static void test_outcome(void **state UNUSED)
{
	json_object *r;

	NEED_ROOT();
	assert_int_equal(sys_mkdir(P("succ0/m"), 0755), -1);
	MKDIR(P("succ0/n"));
	MKDIR(P("succ1/m"));
	assert_int_equal(sys_mkdir(P("succ1/n"), 0755), -1);
	assert_int_equal(sys_mkdir(P("exit-name/m"), 0755), -1);
	assert_int_equal(sys_mkdir(P("exit-name/none/n"), 0755), -1);
	assert_int_equal(sys_mkdir(P("exit-num/none/m"), 0755), -1);
	assert_int_equal(sys_mkdir(P("exit-num/n"), 0755), -1);
	sync_log();
	MKDIR_CASE("succ0");
	MKDIR_CASE("succ1");
	r = ONE(WPATH_EV("file.mkdir", P("exit-name/m")), "f-exit-name");
	REC_STR(r, "errno", "EEXIST");
	NONE(WPATH(P("exit-name/none/n")));
	r = ONE(WPATH_EV("file.mkdir", P("exit-num/none/m")), "f-exit-num");
	REC_STR(r, "errno", "ENOENT");
	NONE(WPATH(P("exit-num/n")));
}

static int setuid_child(const void *arg)
{
	return syscall(SYS_setuid, *(const long *)arg) ? 1 : 0;
}

/* a0..a3, and every operator on a1 (the mode of mkdir). */
static void test_args_and_operators(void **state UNUSED)
{
	static const struct {
		const char *dir;
		long m, n;
	} ops[] = {
		{ "a1-eq", 0700, 0755 }, { "a1-ne", 0755, 0700 },   { "a1-lt", 0400, 0700 },
		{ "a1-gt", 0700, 0400 }, { "a1-le", 0500, 0501 },   { "a1-ge", 0500, 0477 },
		{ "a1-and", 0700, 0600 }, { "a1-andeq", 0710, 0700 },
	};
	long uid_m = 2401, uid_n = 2402;
	pid_t pm, pn;
	json_object *r;

	NEED_ROOT();
	pm = child(setuid_child, &uid_m);
	pn = child(setuid_child, &uid_n);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		assert_int_equal(sys_mkdir(P("%s/m", ops[i].dir), ops[i].m), 0);
		assert_int_equal(sys_mkdir(P("%s/n", ops[i].dir), ops[i].n), 0);
	}
	assert_true(open_flags(P("a2/m"), O_WRONLY | O_CREAT) >= 0);
	assert_true(open_flags(P("a2/n"), O_WRONLY | O_CREAT | O_TRUNC) >= 0);
	assert_int_equal(syscall(SYS_mknodat, AT_FDCWD, P("a3/m"), S_IFCHR | 0600, 259), 0);
	assert_int_equal(syscall(SYS_mknodat, AT_FDCWD, P("a3/n"), S_IFCHR | 0600, 260), 0);
	sync_log();
	ONE(WPID_EV("privilege.setuid", pm), "f-a0");
	NONE(WPID_EV("privilege.setuid", pn));
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		MKDIR_CASE(ops[i].dir);
	ONE(WPATH_EV("file.open", P("a2/m")), "f-a2");
	NONE(WPATH(P("a2/n")));
	r = ONE(WPATH_EV("file.mknod", P("a3/m")), "f-a3");
	REC_INT(r, "file.dev_major", 1);
	REC_INT(r, "file.dev_minor", 3);
	NONE(WPATH(P("a3/n")));
}

/* -F key= and -k twice: all three keys, in rule order. */
static void test_several_keys(void **state UNUSED)
{
	json_object *r;

	NEED_ROOT();
	MKDIR(P("keys/m"));
	sync_log();
	r = REC_ONE(&ag, WPATH_EV("file.mkdir", P("keys/m")));
	KEYS_ARE(r, PC_KEYS("f-keys-1", "f-keys-2", "f-keys-3"));
	RULE_IS(r, gen0, pf.base, pc_line_of(&pf, "f-keys-3"));
	nselected++;
}

/* path exact, dir recursive (not a string prefix), perm r w x a, exe, filetype. */
static void test_paths(void **state UNUSED)
{
	json_object *r;
	pid_t px;

	NEED_ROOT();
	OPEN_W(P("path/f"));
	OPEN_W(P("path/f2"));
	OPEN_W(P("dir/tree/a/b/m"));
	OPEN_W(P("dir/treeX/n"));
	OPEN_W(P("dir/n"));
	OPEN_R(P("pr/f"));
	OPEN_W(P("pr/f"));
	OPEN_W(P("pw/f"));
	CHMOD(P("pw/f"), 0644);
	CHMOD(P("pa/f"), 0644);
	OPEN_W(P("pa/f"));
	px = run_prog(P("px/true"), NULL, -1);
	CHMOD(P("px/true"), 0755);
	CHMOD(P("pwa/m"), 0644);
	OPEN_R(P("pwa/n"));
	MKDIR(P("exe/m"));
	run_prog("/usr/bin/mkdir", P("exe/n"), -1);
	run_prog("/usr/bin/mkdir", P("exe-ne/m"), -1);
	MKDIR(P("exe-ne/n"));
	/* O_RDWR: a FIFO opens without a peer; both are opens for writing */
	assert_true(open_flags(P("ft/fifo"), O_RDWR | O_NONBLOCK) >= 0);
	assert_true(open_flags(P("ft/file"), O_RDWR | O_NONBLOCK) >= 0);
	sync_log();
	ONE(WPATH_EV("file.open", P("path/f")), "f-path");
	NONE(WPATH(P("path/f2")));
	ONE(WPATH_EV("file.open", P("dir/tree/a/b/m")), "f-dir");
	NONE(WPATH(P("dir/treeX/n")));
	NONE(WPATH(P("dir/n")));
	r = ONE(WPATH(P("pr/f")), "f-perm-r"); /* the only record of pr/f */
	REC_STR(r, "event", "file.open");
	REC_STR(r, "access", "read");
	r = ONE(WPATH(P("pw/f")), "f-perm-w");
	REC_STR(r, "event", "file.open");
	REC_STR(r, "access", "write");
	r = ONE(WPATH(P("pa/f")), "f-perm-a");
	REC_STR(r, "event", "file.chmod");
	r = ONE(WPID_EV("process.exec", px), "f-perm-x");
	REC_STR(r, "exec.filename", P("px/true"));
	NONE(WPATH(P("px/true")));
	ONE(WPATH_EV("file.chmod", P("pwa/m")), "f-perm-wa");
	NONE(WPATH(P("pwa/n")));
	r = rc_one(&ag, WPATH(P("exe/m")), __FILE__, __LINE__);
	REC_STR(r, "proc.exe", self_exe);
	MKDIR_CASE("exe");
	r = rc_one(&ag, WPATH(P("exe-ne/m")), __FILE__, __LINE__);
	REC_STR(r, "proc.exe", "/usr/bin/mkdir");
	MKDIR_CASE("exe-ne");
	ONE(WPATH_EV("file.open", P("ft/fifo")), "f-filetype");
	NONE(WPATH(P("ft/file")));
}

/* The object of the call: owner, group, inode, device major and minor. */
static void test_object(void **state UNUSED)
{
	NEED_ROOT();
	OPEN_W(P("ouid/m"));
	OPEN_W(P("ouid/n"));
	OPEN_W(P("ogid/m"));
	OPEN_W(P("ogid/n"));
	OPEN_W(P("ino/m"));
	OPEN_W(P("ino/n"));
	OPEN_W(P("dev/m"));
	OPEN_W(P("dev/mnt/n"));
	OPEN_W(P("devmin/m1/m"));
	OPEN_W(P("devmin/m2/n"));
	sync_log();
	ONE(WPATH_EV("file.open", P("ouid/m")), "f-obj-uid");
	NONE(WPATH(P("ouid/n")));
	ONE(WPATH_EV("file.open", P("ogid/m")), "f-obj-gid");
	NONE(WPATH(P("ogid/n")));
	ONE(WPATH_EV("file.open", P("ino/m")), "f-inode");
	NONE(WPATH(P("ino/n")));
	ONE(WPATH_EV("file.open", P("dev/m")), "f-devmajor");
	if (devmajor_ok)
		NONE(WPATH(P("dev/mnt/n")));
	else
		print_message("%s is on a device of major 0: devmajor non-match not tested\n", D);
	ONE(WPATH_EV("file.open", P("devmin/m1/m")), "f-devminor");
	NONE(WPATH(P("devmin/m2/n")));
}

/* -C uid!=euid, -C gid=egid. */
static void test_compare(void **state UNUSED)
{
	NEED_ROOT();
	as(U(0, 2301, 0, 0), KEEP, -2, P("cmp-ne/m"));
	as(KEEP, KEEP, -2, P("cmp-ne/n"));
	as(KEEP, U(2302, 2302, -1, -1), -2, P("cmp-eq/m"));
	as(KEEP, U(0, 2302, 0, -1), -2, P("cmp-eq/n"));
	sync_log();
	MKDIR_CASE("cmp-ne");
	MKDIR_CASE("cmp-eq");
}

/* ---- network -------------------------------------------------------------------------- */

static int sock_addr(int fam, const char *ip, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET, ip, &s->sin_addr), 1);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons((uint16_t)port);
	assert_int_equal(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
	return sizeof(*s6);
}

static int tcp_socket(int fam, const char *ip, int port)
{
	struct sockaddr_storage ss;
	int one = 1, fd = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	socklen_t len;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ip) {
		len = (socklen_t)sock_addr(fam, ip, port, &ss);
		if (bind(fd, (struct sockaddr *)&ss, len))
			fail_msg("bind %s:%d: %s", ip, port, strerror(errno));
	}
	return fd;
}

static int listener(int fam, const char *ip, int port, int *bound)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = tcp_socket(fam, ip, port);

	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*bound = ntohs(fam == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
				      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* A TCP connect from fd number fdnum (bound to src_ip:src_port when src_ip). */
static void connect_as(int fdnum, int fam, const char *src_ip, int src_port, const char *dst_ip,
		       int dst_port)
{
	struct sockaddr_storage ss;
	int fd = tcp_socket(fam, src_ip, src_port);
	socklen_t len = (socklen_t)sock_addr(fam, dst_ip, dst_port, &ss);

	assert_int_equal(dup3(fd, fdnum, O_CLOEXEC), fdnum);
	close(fd);
	if (connect(fdnum, (struct sockaddr *)&ss, len))
		fail_msg("connect %s:%d: %s", dst_ip, dst_port, strerror(errno));
	close(fdnum);
}

static void bind_as(int fdnum, const char *ip, int port)
{
	int fd = tcp_socket(AF_INET, NULL, 0);
	struct sockaddr_storage ss;
	socklen_t len = (socklen_t)sock_addr(AF_INET, ip, port, &ss);

	assert_int_equal(dup3(fd, fdnum, O_CLOEXEC), fdnum);
	close(fd);
	assert_int_equal(bind(fdnum, (struct sockaddr *)&ss, len), 0);
	close(fdnum);
}

/* saddr_fam, raddr (v4 CIDR = and !=, v6), laddr, rport = and >, lport <=, bind lport. */
static void test_network(void **state UNUSED)
{
	int p7, p9, p6, q1, q2;
	int l7, l9, l6, lq1, lq2;
	json_object *r;

	NEED_ROOT();
	l7 = listener(AF_INET, "127.0.0.7", 0, &p7);
	l9 = listener(AF_INET, "127.0.0.9", 0, &p9);
	l6 = listener(AF_INET6, "::1", 0, &p6);
	lq1 = listener(AF_INET, "127.0.0.7", 29311, &q1);
	lq2 = listener(AF_INET, "127.0.0.7", 29312, &q2);
	connect_as(301, AF_INET6, NULL, 0, "::1", p6);
	connect_as(301, AF_INET, NULL, 0, "127.0.0.7", p7);
	connect_as(302, AF_INET, NULL, 0, "127.0.0.7", p7);
	connect_as(302, AF_INET, NULL, 0, "127.0.0.9", p9);
	connect_as(303, AF_INET, NULL, 0, "127.0.0.9", p9);
	connect_as(303, AF_INET, NULL, 0, "127.0.0.7", p7);
	connect_as(304, AF_INET6, NULL, 0, "::1", p6);
	connect_as(304, AF_INET, NULL, 0, "127.0.0.7", p7);
	connect_as(305, AF_INET, "127.0.0.5", 0, "127.0.0.7", p7);
	connect_as(305, AF_INET, "127.0.0.6", 0, "127.0.0.7", p7);
	connect_as(306, AF_INET, NULL, 0, "127.0.0.7", q1);
	connect_as(306, AF_INET, NULL, 0, "127.0.0.7", q2);
	connect_as(307, AF_INET, NULL, 0, "127.0.0.7", q2);
	connect_as(307, AF_INET, NULL, 0, "127.0.0.7", q1);
	connect_as(308, AF_INET, "127.0.0.5", 29321, "127.0.0.7", p7);
	connect_as(308, AF_INET, "127.0.0.5", 29322, "127.0.0.7", p7);
	bind_as(309, "127.0.0.5", 29331);
	bind_as(309, "127.0.0.5", 29332);
	close(l7);
	close(l9);
	close(l6);
	close(lq1);
	close(lq2);
	sync_log();
	r = ONE(WFD_EV("net.connect", 301), "f-saddr-fam");
	REC_STR(r, "net.family", "inet6");
	r = ONE(WFD_EV("net.connect", 302), "f-raddr");
	REC_STR(r, "net.dst.ip", "127.0.0.7");
	r = ONE(WFD_EV("net.connect", 303), "f-raddr-ne");
	REC_STR(r, "net.dst.ip", "127.0.0.9");
	r = ONE(WFD_EV("net.connect", 304), "f-raddr6");
	REC_STR(r, "net.dst.ip", "::1");
	r = ONE(WFD_EV("net.connect", 305), "f-laddr");
	REC_STR(r, "net.src.ip", "127.0.0.5");
	r = ONE(WFD_EV("net.connect", 306), "f-rport");
	REC_INT(r, "net.dst.port", 29311);
	r = ONE(WFD_EV("net.connect", 307), "f-rport-gt");
	REC_INT(r, "net.dst.port", 29312);
	r = ONE(WFD_EV("net.connect", 308), "f-lport-le");
	REC_INT(r, "net.src.port", 29321);
	r = ONE(WFD_EV("net.bind", 309), "f-bind");
	REC_INT(r, "net.src.port", 29331);
}

/*
 * origin: a "login service" (a copy of mkdir named rf-login, listed in
 * login_services) started with an accepted TCP connection on fd 0 has the
 * peer as its session origin.
 */
static void test_origin(void **state UNUSED)
{
	const char *ips[2] = { "127.0.0.61", "127.0.0.62" };
	const char *paths[2];
	int port, lfd;
	json_object *r;

	NEED_ROOT();
	paths[0] = P("origin/m");
	paths[1] = P("origin/n");
	lfd = listener(AF_INET, "127.0.0.60", 0, &port);
	for (int i = 0; i < 2; i++) {
		struct sockaddr_storage ss;
		socklen_t len = (socklen_t)sock_addr(AF_INET, "127.0.0.60", port, &ss);
		int c = tcp_socket(AF_INET, ips[i], 0), a;

		assert_int_equal(connect(c, (struct sockaddr *)&ss, len), 0);
		a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		assert_true(a >= 0);
		run_prog(P("bin/rf-login"), paths[i], a);
		close(a);
		close(c);
	}
	close(lfd);
	sync_log();
	r = rc_one(&ag, WPATH(paths[0]), __FILE__, __LINE__);
	REC_STR(r, "origin.ip", "127.0.0.61");
	MKDIR_CASE("origin");
}

/* First match decides; never before always suppresses; -A goes first (the last -A first). */
static void test_order(void **state UNUSED)
{
	NEED_ROOT();
	MKDIR(P("ord-n/quiet/x"));
	MKDIR(P("ord-n/y"));
	MKDIR(P("ord-a/loud/x"));
	MKDIR(P("ord-a/z"));
	MKDIR(P("first/a/x"));
	MKDIR(P("first/b"));
	MKDIR(P("prep/x"));
	MKDIR(P("prep2/x"));
	sync_log();
	NONE(WPATH(P("ord-n/quiet/x")));
	ONE(WPATH_EV("file.mkdir", P("ord-n/y")), "f-ord-n");
	ONE(WPATH_EV("file.mkdir", P("ord-a/loud/x")), "f-ord-a");
	NONE(WPATH(P("ord-a/z")));
	ONE(WPATH_EV("file.mkdir", P("first/a/x")), "f-first-1");
	ONE(WPATH_EV("file.mkdir", P("first/b")), "f-first-2");
	ONE(WPATH_EV("file.mkdir", P("prep/x")), "f-prep");
	ONE(WPATH_EV("file.mkdir", P("prep2/x")), "f-prep2-b");
}

/*
 * Last: the only records carrying this policy's f-* keys are the ones the
 * cases expected, and every event record subject to the policy (all but the
 * start snapshot) names its rule and this generation.
 */
static void test_nothing_else(void **state UNUSED)
{
	unsigned keyed = 0, bad = 0;
	size_t nmark = strlen(P("mark/"));
	const char *mark = P("mark/");

	NEED_ROOT();
	sync_log();
	for (size_t i = 0; i < ag.nrecs; i++) {
		json_object *r = ag.recs[i];
		const char *cat = jstr(r, "category");
		const char *k0 = jstr(r, "keys.0");
		const char *path = jstr(r, "file.path");

		if (path && strncmp(path, mark, nmark) == 0) {
			KEYS_ARE(r, PC_KEYS("marker"));
			RULE_IS(r, gen0, pf.base, pc_line_of(&pf, "marker"));
		}
		if (k0 && strncmp(k0, "f-", 2) == 0)
			keyed++;
		if (cat && (strcmp(cat, "agent") == 0 || strcmp(cat, "log") == 0))
			continue;
		/* the start snapshot is not subject to the policy: no "policy" member */
		if (!jget(r, "policy") && !jget(r, "keys"))
			continue;
		if (jint(r, "policy.gen") != gen0 || !jstr(r, "policy.rule")) {
			if (bad++ < 10) {
				print_error("an event record without this policy's gen and rule\n");
				rc_show(r);
			}
		}
	}
	assert_int_equal(bad, 0);
	if (keyed != nselected) {
		for (size_t i = 0; i < ag.nrecs; i++) {
			const char *k0 = jstr(ag.recs[i], "keys.0");

			if (k0 && strncmp(k0, "f-", 2) == 0)
				rc_show(ag.recs[i]);
		}
		fail_msg("%u records carry f-* keys, the cases expected %u", keyed, nselected);
	}
	assert_int_equal(ag.bad_lines, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_record),
		cmocka_unit_test(test_arch),
		cmocka_unit_test(test_process_ids),
		cmocka_unit_test(test_login_ids),
		cmocka_unit_test(test_outcome),
		cmocka_unit_test(test_args_and_operators),
		cmocka_unit_test(test_several_keys),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_object),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_nothing_else),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
