/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The log shared by the search and report tests (three segments made by
 * tests/unit/tw.h with every field the filters read) and the helpers that
 * run the caudit binary and compare with golden files. Include after tw.h.
 */
#ifndef CAUDIT_TEST_SEARCH_LOG_H
#define CAUDIT_TEST_SEARCH_LOG_H

#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <time.h>

#define GOLDEN_DIR "tests/golden/search"
#define T0 1795462047000000000ll /* 2026-11-23T19:27:27Z */

/* ---- the log: three segments, rotated, with the fields every filter reads ---- */

#define PROC(pid, ppid, id, pid_exec, comm, exe)                                                   \
	"\"proc\":{\"pid\":" #pid ",\"tid\":" #pid ",\"ppid\":" #ppid ",\"exec_id\":\"" id         \
	"\",\"parent_exec_id\":\"" pid_exec "\",\"comm\":\"" comm "\",\"exe\":\"" exe "\"}"
#define USER(uid, name, euid, auid, login, ses)                                                    \
	"\"user\":{\"uid\":" #uid ",\"name\":\"" name "\",\"euid\":" #euid ",\"auid\":" #auid      \
	",\"login\":\"" login "\",\"session\":" #ses "}"
#define ALICE_ROOT USER(0, "root", 0, 1000, "alice", 3)
#define BOB USER(1001, "bob", 1001, 1001, "bob", 7)
#define ID_SSHD "00000000000000a1"
#define ID_BASH "00000000000000b2"
#define ID_VI "00000000000000c3"
#define ID_CURL "00000000000000d4"
#define ID_OTHER "00000000000000e5"

TW_FN void ev(struct tw *t, const char *event, const char *cat, const char *m)
{
	tw_record_ex(t, event, cat, m);
}

TW_FN void seg_start(struct tw *t, int first)
{
	tw_segment(t);
	if (first)
		tw_key(t, &t->cert[0]);
}

/* 1 when the file exists */
TW_FN int exists(const char *p)
{
	struct stat s;

	return stat(p, &s) == 0;
}

TW_FN void write_root_pub(struct tw *t)
{
	char path[128], hex[2 * CRYPTO_PUB_LEN + 2];

	cr_to_hex(hex, t->root_pub, CRYPTO_PUB_LEN);
	strcat(hex, "\n");
	tw_path(t, "root.pub", path, sizeof(path));
	write_file(path, hex, strlen(hex), 0);
}

/*
 * seg 1: alice logs in over ssh (origin 192.0.2.7), becomes root, edits /etc/passwd
 * seg 2: bob's failures, a connection to 10.1.2.3:443 in a container, a key
 * seg 3 (newest): /etc/shadow read, an unlink under /tmp
 */
TW_FN void build_log(struct tw *t)
{
	t->now = T0;
	t->step = 60ll * 1000000000; /* a minute between records */
	seg_start(t, 1);
	ev(t, "user.login", "user",
	   "\"origin\":{\"ip\":\"192.0.2.7\",\"port\":50122,\"service\":\"sshd\"}," PROC(
	       900, 1, ID_SSHD, "0000000000000001", "sshd",
	       "/usr/sbin/sshd") "," USER(1000, "alice", 1000, 1000, "alice", 3));
	ev(t, "process.exec", "process",
	   "\"syscall\":\"execve\",\"outcome\":\"success\",\"ret\":0," PROC(
	       1000, 900, ID_BASH, ID_SSHD, "bash",
	       "/usr/bin/bash") "," USER(1000, "alice", 1000, 1000, "alice",
					 3) ",\"exec\":{\"filename\":\"/usr/bin/bash\"}");
	ev(t, "process.exec", "process",
	   "\"syscall\":\"execve\",\"outcome\":\"success\",\"ret\":0," PROC(
	       1001, 1000, ID_VI, ID_BASH, "vi",
	       "/usr/bin/vi") "," ALICE_ROOT ",\"exec\":{\"filename\":\"/usr/bin/vi\"}");
	ev(t, "file.open", "file",
	   "\"syscall\":\"openat\",\"access\":\"write\",\"outcome\":\"success\",\"ret\":3," PROC(
	       1001, 1000, ID_VI, ID_BASH, "vi",
	       "/usr/bin/vi") "," ALICE_ROOT ",\"file\":{\"path\":\"/etc/passwd\",\"flags\":1}");
	ev(t, "file.rename", "file",
	   "\"syscall\":\"rename\",\"outcome\":\"success\",\"ret\":0," PROC(
	       1001, 1000, ID_VI, ID_BASH, "vi",
	       "/usr/bin/vi") "," ALICE_ROOT
			      ",\"file\":{\"path\":\"/etc/passwd.tmp\",\"path2\":\"/etc/"
			      "passwd\"},\"keys\":[\"passwd-changes\",\"identity\"]");
	tw_seal(t);
	seg_start(t, 0);
	ev(t, "file.open", "file",
	   "\"syscall\":\"openat\",\"access\":\"read\",\"outcome\":\"failure\",\"errno\":"
	   "\"EACCES\",\"ret\":-13," PROC(
	       2000, 1999, ID_OTHER, "0000000000000002", "cat",
	       "/usr/bin/cat") "," BOB ",\"file\":{\"path\":\"/etc/shadow\",\"flags\":0}");
	ev(t, "net.connect", "net",
	   "\"syscall\":\"connect\",\"outcome\":\"success\",\"ret\":0," PROC(
	       2001, 1999, ID_CURL, "0000000000000002", "curl",
	       "/usr/bin/curl") "," BOB
				",\"net\":{\"proto\":\"tcp\",\"family\":\"inet\",\"src\":{\"ip\":"
				"\"172.17.0.2\",\"port\":40000},\"dst\":{\"ip\":\"10.1.2.3\","
				"\"port\":443}},\"container\":{\"id\":"
				"\"4f2a9c1b7d3e5a6f4f2a9c1b7d3e5a6f\",\"runtime\":\"docker\"}");
	ev(t, "file.unlink", "file",
	   "\"syscall\":\"unlinkat\",\"outcome\":\"failure\",\"errno\":\"ENOENT\",\"ret\":-2," PROC(
	       2002, 1999, ID_OTHER, "0000000000000002", "rm",
	       "/usr/bin/rm") "," BOB
			      ",\"file\":{\"path\":\"/home/bob/a \\\"b\\\",c\",\"flags\":0}");
	tw_seal(t);
	seg_start(t, 0);
	ev(t, "file.open", "file",
	   "\"syscall\":\"openat\",\"access\":\"read\",\"outcome\":\"success\",\"ret\":4," PROC(
	       1001, 1000, ID_VI, ID_BASH, "vi",
	       "/usr/bin/vi") "," ALICE_ROOT ",\"file\":{\"path\":\"/etc/shadow\",\"flags\":0}");
	ev(t, "file.unlink", "file",
	   "\"syscall\":\"unlink\",\"outcome\":\"success\",\"ret\":0," PROC(
	       1002, 1001, "00000000000000f6", ID_VI, "sh",
	       "/usr/bin/dash") "," ALICE_ROOT ",\"file\":{\"path\":\"/tmp/x\"}");
	ev(t, "process.exec", "process",
	   "\"syscall\":\"execve\",\"outcome\":\"success\",\"ret\":0," PROC(
	       1003, 1000, "00000000000000f7", ID_BASH, "sudo",
	       "/usr/bin/sudo") "," USER(1000, "alice", 0, 1000, "alice",
					 3) ",\"exec\":{\"filename\":\"/usr/bin/sudo\"}");
	tw_seal(t);
	write_root_pub(t);
}

/* ---- running caudit ---- */

struct result {
	char *out, *err;
	int status;
};

TW_FN char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* caudit <args> with the given TZ, in the log directory's shell quoting. */
TW_FN void run(struct result *r, const char *tz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
TW_FN void run(struct result *r, const char *tz, const char *fmt, ...)
{
	const char *b = getenv("CAUDIT_BUILD") ? getenv("CAUDIT_BUILD") : "build";
	char args[2048], cmd[4096], o[] = "/tmp/caudit-ts-out-XXXXXX",
				    e[] = "/tmp/caudit-ts-err-XXXXXX";
	va_list ap;
	int fo = mkstemp(o), fe = mkstemp(e);

	assert_true(fo >= 0 && fe >= 0);
	close(fo);
	close(fe);
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "TZ=%s %s/caudit %s >%s 2>%s", tz, b, args, o, e);
	r->status = system(cmd);
	assert_true(WIFEXITED(r->status));
	r->status = WEXITSTATUS(r->status);
	r->out = slurp(o);
	r->err = slurp(e);
	unlink(o);
	unlink(e);
}

TW_FN void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

/* "prev":"<16 hex>" -> "prev":"-" (the chain depends on the random keys) */
TW_FN void mask_prev(char *s)
{
	char *p = s;

	while ((p = strstr(p, "\"prev\":\""))) {
		p += 8;
		if (strlen(p) >= 17 && p[16] == '"') {
			memmove(p + 1, p + 16, strlen(p + 16) + 1);
			*p = '-';
		}
	}
}

TW_FN void golden(const char *name, const char *got)
{
	char path[256];

	snprintf(path, sizeof(path), GOLDEN_DIR "/%s.out", name);
	if (getenv("UPDATE_GOLDEN")) {
		write_file(path, got, strlen(got), 0);
		return;
	}
	if (!exists(path))
		fail_msg("%s missing (UPDATE_GOLDEN=1 writes it)", path);
	{
		char *exp = slurp(path);

		if (strcmp(exp, got))
			fail_msg("%s differs; got:\n%s\nexpected:\n%s", name, got, exp);
		free(exp);
	}
}

TW_FN void sleep_ms_tw(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

#endif
