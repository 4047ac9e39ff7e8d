/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Real rule packs through `caudit rules check`: every rule file Debian's
 * auditd package ships (usr/share/doc/auditd/examples/rules, fetched with
 * `apt-get download auditd` into /var/cache/caudit-test/auditd) must compile
 * without error, and each distinct warning must be documented word for word
 * in docs/policy.md. The STIG pack with its base and finalize files compiles
 * cleanly, and so do caudit's own defaults (etc/rules.d) — without a warning.
 * The STIG pack then loads into the running agent: its agent.policy hash is
 * the one `caudit rules check` computes, and operations STIG selects (a chmod
 * and a refused open by a logged-in user) carry its keys and rule lines.
 * Needs root (apt) and Debian's mirror, as CI has; runs from the source tree.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "policy_check.h"
#include "rec_check.h"

#define CACHE "/var/cache/caudit-test/auditd"
#define EXAMPLES CACHE "/x/usr/share/doc/auditd/examples/rules"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Runs `caudit rules check ARGS`; returns its exit status, its stdout and stderr. */
static int check(const char *args, char **out, char **err)
{
	char bin[512], tmp[256];
	char *cmd, *po, *pe;
	int st;

	assert_int_equal(harness_tmpdir(tmp, sizeof(tmp)), 0);
	po = xasprintf("%s/out", tmp);
	pe = xasprintf("%s/err", tmp);
	cmd = xasprintf("%s rules check %s >%s 2>%s", harness_bin("caudit", bin, sizeof(bin)), args,
			po, pe);
	st = system(cmd);
	*out = slurp(po);
	*err = slurp(pe);
	assert_non_null(*out);
	assert_non_null(*err);
	unlink(po);
	unlink(pe);
	rmdir(tmp);
	free(cmd);
	free(po);
	free(pe);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The auditd package's example rules, fetched and unpacked once per cache. */
static int fetch_packs(void **state)
{
	struct stat st;

	if (!harness_can_run())
		return 0;
	if (stat(EXAMPLES, &st) == 0)
		return 0;
	if (system("mkdir -p " CACHE " && cd " CACHE " && rm -rf x *.deb && "
		   "apt-get download -q auditd >/dev/null 2>&1 || "
		   "(apt-get update -qq >/dev/null && apt-get download -q auditd >/dev/null)"))
		return -1;
	if (system("cd " CACHE " && dpkg-deb -x auditd_*.deb x"))
		return -1;
	/* some releases compress the examples */
	if (system("cd " EXAMPLES " && for f in *.gz; do [ -e \"$f\" ] && gunzip -f \"$f\"; "
		   "done; true"))
		return -1;
	return stat(EXAMPLES, &st);
}

static void test_every_debian_pack(void **state)
{
	char *doc, *out, *err, *args;
	struct dirent *de;
	unsigned files = 0, undocumented = 0;
	DIR *d;

	if (!harness_can_run())
		skip();
	doc = slurp("docs/policy.md");
	assert_non_null(doc);
	d = opendir(EXAMPLES);
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		int rc;

		if (l < 7 || strcmp(de->d_name + l - 6, ".rules"))
			continue;
		files++;
		args = xasprintf(EXAMPLES "/%s", de->d_name);
		rc = check(args, &out, &err);
		if (rc != 0)
			fail_msg("%s: exit %d\n%s", de->d_name, rc, err);
		assert_non_null(strstr(out, "errors:          0\n"));
		/* each warning's message must appear in docs/policy.md */
		for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n")) {
			char *w = strstr(line, ": warning: ");

			assert_non_null(w);
			w += strlen(": warning: ");
			if (!strstr(doc, w)) {
				print_error("undocumented warning (%s): %s\n", de->d_name, w);
				undocumented++;
			}
		}
		free(out);
		free(err);
		free(args);
	}
	closedir(d);
	assert_true(files >= 30); /* auditd 3.0.9 ships 35 */
	assert_int_equal(undocumented, 0);
	free(doc);
}

static void test_stig_compiles_cleanly(void **state)
{
	char *out, *err;
	int rc;

	if (!harness_can_run())
		skip();
	rc = check("--format json " EXAMPLES "/10-base-config.rules " EXAMPLES
		   "/30-stig.rules " EXAMPLES "/99-finalize.rules",
		   &out, &err);
	if (rc)
		fail_msg("exit %d\n%s", rc, err);
	/* the STIG pack: its exit rules, file watches and keys, and no error */
	assert_non_null(strstr(out, "\"files\":3,"));
	assert_non_null(strstr(out, "\"errors\":0,"));
	assert_null(strstr(out, "\"exit\":0,"));
	assert_null(strstr(out, "\"watches\":0,"));
	assert_non_null(strstr(out, "\"policy_hash\":\""));
	assert_null(strstr(err, "error:"));
	free(out);
	free(err);
}

/* caudit's shipped baseline: no error and no warning at all. */
static void test_shipped_defaults(void **state)
{
	char *out, *err;
	int rc;

	if (!harness_can_run())
		skip();
	rc = check("etc/rules.d", &out, &err);
	if (rc)
		fail_msg("exit %d\n%s", rc, err);
	assert_string_equal(err, "");
	assert_non_null(strstr(out, "errors:          0\n"));
	assert_non_null(strstr(out, "warnings:        0\n"));
	free(out);
	free(err);
}

/* A bad file fails with file:line:col and a non-zero status. */
static void test_bad_file_fails(void **state)
{
	char tmp[256], *path, *args, *out, *err;
	FILE *f;

	if (!harness_can_run())
		skip();
	assert_int_equal(harness_tmpdir(tmp, sizeof(tmp)), 0);
	path = xasprintf("%s/bad.rules", tmp);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs("-w /etc/passwd -p wa -k ok\n-a always,exit -F arch=b64 -S nosuch -k x\n", f);
	fclose(f);
	args = xasprintf("%s", path);
	assert_int_equal(check(args, &out, &err), 1);
	{
		char *want =
		    xasprintf("%s:2:31: error: unknown syscall 'nosuch' for arch b64\n", path);

		assert_string_equal(err, want);
		free(want);
	}
	free(out);
	free(err);
	unlink(path);
	rmdir(tmp);
	free(path);
	free(args);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

/* A directory is its *.rules files in lexical order: -D in 20- clears 10-, not 30-. */
static void test_directory_order(void **state)
{
	char tmp[256], *out, *err, *cmd;

	if (!harness_can_run())
		skip();
	assert_int_equal(harness_tmpdir(tmp, sizeof(tmp)), 0);
	write_file(tmp, "30-c.rules", "-w /etc/group -p wa -k c\n");
	write_file(tmp, "10-a.rules", "-w /etc/passwd -p wa -k a\n");
	write_file(tmp, "20-b.rules", "-D\n");
	write_file(tmp, "README", "not rules at all\n");
	write_file(tmp, "40-d.rules.disabled", "not rules either\n");
	assert_int_equal(check(tmp, &out, &err), 0);
	assert_string_equal(err, "");
	assert_non_null(strstr(out, "files:           3\n"));
	assert_non_null(strstr(out, "rules:           exit 1,"));
	assert_non_null(strstr(out, "keys:            1\n"));
	free(out);
	free(err);
	cmd = xasprintf("rm -rf %s", tmp);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* The line of path that starts with prefix (1-based), or 0. */
static unsigned line_starting(const char *path, const char *prefix)
{
	char line[4096];
	unsigned n = 0;
	FILE *f = fopen(path, "re");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (strncmp(line, prefix, strlen(prefix)) == 0) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	return 0;
}

/* A child with login uid `auid` (and uid `uid` unless 0) calls op(path). */
enum stig_op { OP_CHMOD, OP_OPEN_READ };

static pid_t stig_child(unsigned auid, unsigned uid, enum stig_op op, const char *path)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		char buf[32];
		int fd = open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC);
		int n = snprintf(buf, sizeof(buf), "%u", auid);

		if (fd < 0 || write(fd, buf, (size_t)n) != n)
			_exit(2);
		close(fd);
		if (uid && syscall(SYS_setresuid, uid, uid, uid))
			_exit(3);
		if (op == OP_CHMOD)
			_exit(syscall(SYS_chmod, path, 0640) ? 4 : 0);
		/* refused: EACCES is what STIG's access rule wants */
		_exit(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC) == -1 &&
				      errno == EACCES
			      ? 0
			      : 5);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("STIG child (%s %s): status 0x%x", op == OP_CHMOD ? "chmod" : "open", path,
			 st);
	return pid;
}

static void test_stig_in_agent(void **state)
{
	static const char *const files[] = { "10-base-config.rules", "30-stig.rules",
					     "99-finalize.rules" };
	char tmp[256], hash[65], *rules, *conf, *work, *f, *g, *secret, *marker, *stig;
	struct agent ag;
	json_object *pol, *r;
	int64_t nrules, gen;
	unsigned l_perm, l_access;

	if (!harness_can_run())
		skip();
	assert_int_equal(harness_tmpdir(tmp, sizeof(tmp)), 0);
	assert_int_equal(chmod(tmp, 0755), 0);
	rules = xasprintf("%s/rules.d", tmp);
	assert_int_equal(mkdir(rules, 0700), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		assert_int_equal(pc_run(NULL, "cp " EXAMPLES "/%s %s/", files[i], rules), 0);
	stig = xasprintf(EXAMPLES "/30-stig.rules");
	l_perm = line_starting(stig, "-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat ");
	l_access = line_starting(stig, "-a always,exit -F arch=b64 -S open,truncate,ftruncate,creat,"
				       "openat,openat2,open_by_handle_at -F exit=-EACCES ");
	assert_true(l_perm > 0 && l_access > 0);
	assert_int_equal(pc_check_hash(rules, hash, &nrules), 0);

	work = xasprintf("%s/work", tmp);
	assert_int_equal(mkdir(work, 0777), 0);
	assert_int_equal(chmod(work, 0777), 0);
	f = xasprintf("%s/f", work);
	g = xasprintf("%s/g", work);
	secret = xasprintf("%s/secret", work);
	marker = xasprintf("%s/marker", work);
	assert_int_equal(pc_run(NULL, "touch %s %s %s %s && chmod 0600 %s", f, g, secret, marker,
				secret),
			 0);

	conf = xasprintf("rules = %s", rules);
	assert_int_equal(agent_start(&ag, conf), 0);
	pol = agent_wait_field(&ag, "agent.policy", "agent.policy.by.via", "start", 15000);
	if (!pol)
		fail_msg("no agent.policy record with the STIG pack");
	REC_STR(pol, "agent.policy.hash", hash);
	REC_INT(pol, "agent.policy.rules", nrules);
	gen = jint(pol, "agent.policy.gen");

	stig_child(4242, 0, OP_CHMOD, f);	   /* perm_mod */
	stig_child(4242, 4242, OP_OPEN_READ, secret); /* access */
	stig_child(4294967295u, 0, OP_CHMOD, g);    /* auid unset: not selected */
	stig_child(4242, 0, OP_CHMOD, marker);	   /* after it: g is known to be absent */
	if (!agent_wait_field(&ag, "file.chmod", "file.path", marker, 15000))
		fail_msg("no record of the STIG-selected chmod of %s", marker);

	r = REC_ONE(&ag, (&(struct want){ .event = "file.chmod", .skey = { "file.path" },
					  .sval = { f } }));
	KEYS_ARE(r, PC_KEYS("perm_mod"));
	RULE_IS(r, gen, "30-stig.rules", l_perm);
	REC_INT(r, "user.auid", 4242);
	r = REC_ONE(&ag, (&(struct want){ .event = "file.open", .skey = { "file.path" },
					  .sval = { secret } }));
	KEYS_ARE(r, PC_KEYS("access"));
	RULE_IS(r, gen, "30-stig.rules", l_access);
	REC_STR(r, "errno", "EACCES");
	REC_INT(r, "user.uid", 4242);
	REC_NONE(&ag, (&(struct want){ .skey = { "file.path" }, .sval = { g } }));
	assert_int_equal(ag.bad_lines, 0);

	agent_cleanup(&ag);
	pc_run(NULL, "rm -rf %s", tmp);
	free(rules);
	free(conf);
	free(work);
	free(f);
	free(g);
	free(secret);
	free(marker);
	free(stig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_debian_pack), cmocka_unit_test(test_stig_compiles_cleanly),
	    cmocka_unit_test(test_shipped_defaults),  cmocka_unit_test(test_bad_file_fails),
	    cmocka_unit_test(test_directory_order),   cmocka_unit_test(test_stig_in_agent),
	};

	return cmocka_run_group_tests(tests, fetch_packs, NULL);
}
