/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Only the syscalls some rule names are hooked (docs/policy.md, "In the
 * kernel"). The agent starts with one rule, unlinkat in 64-bit processes,
 * under D; then the rule file is rewritten and the agent signalled twice:
 *   A: -a always,exit -F arch=b64 -S unlinkat -F dir=D -k del
 *   B: -a always,exit -F arch=b64 -S openat -F dir=D -k open
 *   C: -a always,exit -F arch=b64 -S unlinkat -F dir=D -k both
 *      -a always,exit -F arch=b32 -S unlink -F dir=D -k both
 * Under each policy the test checks, in the kernel, which of the agent's
 * programs have links (the link fds the agent holds, named by their program:
 * /proc/PID/fdinfo and the program's BPF name), what agent.start, the
 * agent.policy records and the status socket say is hooked, and real calls:
 * a named call is recorded with its key and generation, a call the policy
 * no longer names is not (a later marker operation is). Then a restart on
 * the pins with another policy: the pinned links follow the new policy.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>

#include "harness.h"
#include "policy_check.h"
#include "rec_check.h"

#define UNUSED __attribute__((unused))
#define WAIT_MS 20000
#define IA32_UNLINK 10
#define IA32_HOOK "ia32:sys_enter/sys_exit"
#define PIN "/sys/fs/bpf/caudit-test-hooks"

static struct agent ag;
static char D[256], rules[320], sock[320];
static char *low; /* MAP_32BIT: int $0x80 takes 32-bit pointers */

static void write_rules(const char *fmt, ...)
{
	va_list ap;
	FILE *f = fopen(rules, "we");

	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
}

static int links_of(pid_t pid, const char *prog);

/*
 * Links held by the agent whose program's BPF name is prog (cut to 15
 * bytes), once that is want: the agent closes the links a policy change
 * dropped in a background thread (seconds for many). Waits up to WAIT_MS.
 */
static int agent_links_are(const char *prog, int want)
{
	int n = links_of(ag.pid, prog);

	for (int t = 0; n != want && t < WAIT_MS / 50; t++) {
		sleep_ms(50);
		n = links_of(ag.pid, prog);
	}
	return n;
}

static int pinned(const char *name)
{
	char *p = xasprintf("%s/%s", PIN, name);
	int r = access(p, F_OK) == 0;

	free(p);
	return r;
}

static int links_of(pid_t pid, const char *prog)
{
	char dir[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)pid);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[384], line[256];
		int is_link = 0;
		unsigned prog_id = 0;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			is_link |= !strncmp(line, "link_type:", 10);
			sscanf(line, "prog_id: %u", &prog_id);
		}
		fclose(f);
		if (is_link && prog_id) {
			struct bpf_prog_info info = {};
			uint32_t len = sizeof(info);
			int fd = bpf_prog_get_fd_by_id(prog_id);

			if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
			    !strncmp(info.name, prog, sizeof(info.name) - 1))
				n++;
			if (fd >= 0)
				close(fd);
		}
	}
	closedir(d);
	return n;
}

static json_object *wait_policy(int64_t gen)
{
	return pc_wait_policy_gen(&ag, gen, WAIT_MS);
}

static char *in_d(const char *name)
{
	return xasprintf("%s/%s", D, name);
}

static void make_file(const char *p)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	close(fd);
}

/* A write open under D (openat), recorded when the policy names openat. */
static void open_write(const char *p)
{
	long fd = syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	close((int)fd);
}

static json_object *wait_rec(const char *event, const char *path)
{
	json_object *r = agent_wait_field(&ag, event, "file.path", path, WAIT_MS);

	if (!r)
		fail_msg("no %s record of %s", event, path);
	return r;
}

static void not_recorded(const char *event, const char *path)
{
	struct want w = { .event = event, .skey = { "file.path" }, .sval = { path } };

	if (agent_count(&ag, match_want, &w))
		fail_msg("%s of %s recorded, but the policy does not name it", event, path);
}

static int64_t reload(int64_t gen)
{
	assert_int_equal(kill(ag.pid, SIGHUP), 0);
	wait_policy(gen + 1);
	return gen + 1;
}

static int setup(void **state UNUSED)
{
	if (!harness_can_run())
		return 0;
	if (harness_tmpdir(D, sizeof(D)))
		return -1;
	if (!low)
		low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED)
		return -1;
	snprintf(rules, sizeof(rules), "%s.rules", D);
	snprintf(sock, sizeof(sock), "%s.sock", D);
	return 0;
}

static int teardown(void **state UNUSED)
{
	if (!harness_can_run())
		return 0;
	agent_cleanup(&ag);
	unlink(rules);
	pc_run(NULL, "rm -rf %s", PIN); /* no capture stays behind */
	if (!getenv("CAUDIT_KEEP_TEST_DIRS"))
		pc_run(NULL, "rm -rf %s", D);
	return 0;
}

static void test_hooks_follow_the_policy(void **state UNUSED)
{
	char *conf, *a = in_d("a"), *b = in_d("b"), *c = in_d("c"), *m = in_d("m"),
		    *i32 = in_d("i32");
	json_object *start, *pol, *r, *st;
	int64_t gen;

	if (!harness_can_run())
		skip();
	write_rules("-a always,exit -F arch=b64 -S unlinkat -F dir=%s -k del\n", D);
	conf = xasprintf("rules = %s\nstatus_socket = %s", rules, sock);
	assert_int_equal(agent_start(&ag, conf), 0);
	free(conf);

	/* A: unlinkat hooked, openat and the 32-bit pair loaded but idle */
	start = pc_wait_event(&ag, "agent.start", 0, WAIT_MS, NULL);
	assert_non_null(start);
	assert_true(jarray_has(jget(start, "agent.hooks.active"), "syscall:unlinkat"));
	assert_true(jarray_has(jget(start, "agent.hooks.active"), "sched_process_exec"));
	assert_false(jarray_has(jget(start, "agent.hooks.active"), "syscall:openat"));
	assert_true(jarray_has(jget(start, "agent.hooks.idle"), "syscall:openat"));
	assert_true(jarray_has(jget(start, "agent.hooks.idle"), IA32_HOOK));
	pol = pc_wait_event(&ag, "agent.policy", 0, WAIT_MS, NULL);
	assert_non_null(pol);
	gen = jint(pol, "agent.policy.gen");
	assert_int_equal(json_object_array_length(jget(pol, "agent.policy.hooked")), 1);
	assert_true(jarray_has(jget(pol, "agent.policy.hooked"), "unlinkat"));
	REC_BOOL(pol, "agent.policy.hooked_ia32", 0);
	assert_int_equal(agent_links_are("ca_enter_unlinkat", 1), 1);
	assert_int_equal(agent_links_are("ca_exit_unlinkat", 1), 1);
	assert_int_equal(agent_links_are("ca_enter_openat", 0), 0);
	assert_int_equal(agent_links_are("ca_exit_openat", 0), 0);
	assert_int_equal(agent_links_are("ca_ia32_enter", 0), 0);
	assert_int_equal(agent_links_are("ca_process_exec", 1), 1);
	make_file(a);
	assert_int_equal(syscall(SYS_unlinkat, AT_FDCWD, a, 0), 0);
	r = wait_rec("file.unlink", a);
	KEYS_ARE(r, PC_KEYS("del"));
	REC_INT(r, "policy.gen", gen);

	/* B: openat instead of unlinkat */
	write_rules("-a always,exit -F arch=b64 -S openat -F dir=%s -k open\n", D);
	gen = reload(gen);
	pol = wait_policy(gen);
	assert_int_equal(json_object_array_length(jget(pol, "agent.policy.hooked")), 1);
	assert_true(jarray_has(jget(pol, "agent.policy.hooked"), "openat"));
	assert_int_equal(agent_links_are("ca_enter_openat", 1), 1);
	assert_int_equal(agent_links_are("ca_exit_openat", 1), 1);
	assert_int_equal(agent_links_are("ca_enter_unlinkat", 0), 0);
	assert_int_equal(agent_links_are("ca_exit_unlinkat", 0), 0);
	open_write(b);
	r = wait_rec("file.open", b);
	KEYS_ARE(r, PC_KEYS("open"));
	REC_INT(r, "policy.gen", gen);
	assert_int_equal(syscall(SYS_unlinkat, AT_FDCWD, b, 0), 0);
	open_write(m); /* a marker after the unlink */
	wait_rec("file.open", m);
	not_recorded("file.unlink", b);
	{
		char *out = NULL, bin[512];

		harness_bin("caudit", bin, sizeof(bin));
		assert_int_equal(pc_run(&out, "%s status --format json --socket %s", bin, sock), 0);
		st = json_tokener_parse(out);
		free(out);
	}
	assert_non_null(st);
	assert_true(jarray_has(jget(st, "hooks.active"), "syscall:openat"));
	assert_true(jarray_has(jget(st, "hooks.idle"), "syscall:unlinkat"));
	json_object_put(st);

	/* C: unlinkat again, and unlink in 32-bit processes: the 32-bit pair is attached */
	write_rules("-a always,exit -F arch=b64 -S unlinkat -F dir=%s -k both\n"
		    "-a always,exit -F arch=b32 -S unlink -F dir=%s -k both\n", D, D);
	gen = reload(gen);
	pol = wait_policy(gen);
	REC_BOOL(pol, "agent.policy.hooked_ia32", 1);
	assert_int_equal(json_object_array_length(jget(pol, "agent.policy.hooked")), 1);
	assert_true(jarray_has(jget(pol, "agent.policy.hooked"), "unlinkat"));
	assert_int_equal(agent_links_are("ca_ia32_enter", 1), 1);
	assert_int_equal(agent_links_are("ca_ia32_exit", 1), 1);
	assert_int_equal(agent_links_are("ca_enter_openat", 0), 0);
	assert_int_equal(agent_links_are("ca_enter_unlinkat", 1), 1);
	make_file(c);
	make_file(i32);
	assert_int_equal(syscall(SYS_unlinkat, AT_FDCWD, c, 0), 0);
	snprintf(low, 4096, "%s", i32);
	assert_int_equal(harness_int80(IA32_UNLINK, (long)(uintptr_t)low, 0, 0), 0);
	r = wait_rec("file.unlink", c);
	KEYS_ARE(r, PC_KEYS("both"));
	REC_INT(r, "policy.gen", gen);
	r = wait_rec("file.unlink", i32);
	KEYS_ARE(r, PC_KEYS("both"));
	REC_STR(r, "abi", "ia32");
	REC_INT(r, "policy.gen", gen);

	free(a);
	free(b);
	free(c);
	free(m);
	free(i32);
}

/*
 * A restart on the pins with another policy: the new daemon attaches the
 * pinned programs the new policy names and detaches the rest, though it
 * loads no program itself.
 */
static void test_restart_on_pins(void **state UNUSED)
{
	char *conf, *w = in_d("after-restart");
	json_object *start, *r;

	if (!harness_can_run())
		skip();
	pc_run(NULL, "rm -rf %s", PIN);
	write_rules("-a always,exit -F arch=b64 -S unlinkat -F dir=%s -k del\n", D);
	conf = xasprintf("rules = %s\npin_dir = %s", rules, PIN);
	assert_int_equal(agent_start(&ag, conf), 0);
	assert_true(pinned("link_ca_enter_unlinkat") && pinned("link_ca_exit_unlinkat"));
	assert_false(pinned("link_ca_enter_openat") || pinned("link_ca_exit_openat"));
	assert_true(pinned("prog_ca_enter_openat") && pinned("prog_ca_exit_openat"));
	assert_true(agent_stop(&ag) == 0);
	/* capture goes on through the pins: the unlinkat links stay */
	assert_true(pinned("link_ca_enter_unlinkat"));
	agent_cleanup(&ag);

	write_rules("-a always,exit -F arch=b64 -S openat -F dir=%s -k open\n", D);
	assert_int_equal(agent_start(&ag, conf), 0);
	free(conf);
	start = pc_wait_event(&ag, "agent.start", 0, WAIT_MS, NULL);
	assert_non_null(start);
	assert_true(jarray_has(jget(start, "agent.hooks.active"), "syscall:openat"));
	assert_true(jarray_has(jget(start, "agent.hooks.idle"), "syscall:unlinkat"));
	assert_true(pinned("link_ca_enter_openat") && pinned("link_ca_exit_openat"));
	assert_false(pinned("link_ca_enter_unlinkat") || pinned("link_ca_exit_unlinkat"));
	assert_int_equal(agent_links_are("ca_enter_openat", 1), 1);
	assert_int_equal(agent_links_are("ca_enter_unlinkat", 0), 0);
	open_write(w);
	r = wait_rec("file.open", w);
	KEYS_ARE(r, PC_KEYS("open"));
	free(w);
}

/*
 * A call in flight when its hook is detached. A child blocks in openat of a
 * FIFO under policy A (openat named); B names only mkdirat (the marker) and
 * unlinkat for uid 4000, so openat's hooks go and unlinkat's exit is hooked
 * while root's unlinkat is dropped at entry. Once openat is unhooked the
 * child's open completes (its exit unseen: a stale saved enter), then it
 * calls unlinkat, whose exit finds the stale openat enter. That enter must
 * be dropped, not recorded as an open with the unlinkat's result: no
 * file.open of the FIFO may appear (the open itself, finished under B, is
 * not recorded, as auditd filters at exit with the rules then loaded).
 */
static void test_stale_enter_not_recorded(void **state UNUSED)
{
	char *conf, *fifo = in_d("fifo"), *gone = in_d("never-there"), *mark = in_d("mark");
	int64_t gen;
	pid_t child;
	int status, wfd;

	if (!harness_can_run())
		skip();
	assert_int_equal(mkfifo(fifo, 0600), 0);
	write_rules("-a always,exit -F arch=b64 -S openat -F dir=%s -k open\n", D);
	conf = xasprintf("rules = %s", rules);
	assert_int_equal(agent_start(&ag, conf), 0);
	free(conf);
	gen = jint(pc_wait_event(&ag, "agent.policy", 0, WAIT_MS, NULL), "agent.policy.gen");
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* blocks until a writer opens the FIFO */
		long fd = syscall(SYS_openat, AT_FDCWD, fifo, O_RDONLY | O_CLOEXEC);

		syscall(SYS_unlinkat, AT_FDCWD, gone, 0);
		_exit(fd >= 0 ? 0 : 1);
	}
	sleep_ms(300); /* the child is in openat */
	write_rules("-a always,exit -F arch=b64 -S unlinkat -F uid=4000 -k nobody\n"
		    "-a always,exit -F arch=b64 -S mkdirat -F dir=%s -k mark\n", D);
	gen = reload(gen);
	assert_int_equal(agent_links_are("ca_exit_openat", 0), 0);
	assert_int_equal(agent_links_are("ca_exit_unlinkat", 1), 1);
	wfd = open(fifo, O_WRONLY | O_CLOEXEC); /* the child's open returns */
	assert_true(wfd >= 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(wfd);
	assert_int_equal(syscall(SYS_mkdirat, AT_FDCWD, mark, 0700), 0);
	{
		json_object *r = agent_wait_field(&ag, "file.mkdir", "file.path", mark, WAIT_MS);

		if (!r)
			fail_msg("no file.mkdir record of the marker %s", mark);
		REC_INT(r, "policy.gen", gen);
	}
	not_recorded("file.open", fifo);
	not_recorded("file.unlink", gone);
	free(fifo);
	free(gone);
	free(mark);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hooks_follow_the_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_on_pins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_enter_not_recorded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
