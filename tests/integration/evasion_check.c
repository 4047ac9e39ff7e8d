/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "evasion_check.h"

#define EV_MAX_DIRS 64
#define EV_MAX_STRS 1024

struct agent *ev_agent;
static char ev_dirs[EV_MAX_DIRS][PATH_MAX];
static size_t ev_ndirs;
static char *ev_strs[EV_MAX_STRS];
static size_t ev_nstrs;
static unsigned int ev_seq;

static const char *keep(char *s)
{
	if (ev_nstrs >= EV_MAX_STRS)
		fail_msg("too many test strings");
	ev_strs[ev_nstrs++] = s;
	return s;
}

const char *ev_new_dir(void)
{
	char *d;

	if (ev_ndirs >= EV_MAX_DIRS)
		fail_msg("too many test directories");
	d = ev_dirs[ev_ndirs];
	if (harness_tmpdir(d, PATH_MAX))
		fail_msg("harness_tmpdir: %s", strerror(errno));
	ev_ndirs++;
	return d;
}

const char *ev_path(const char *dir, const char *stem)
{
	return keep(xasprintf("%s/%s-%u", dir, stem, ++ev_seq));
}

const char *ev_join(const char *dir, const char *name)
{
	return keep(xasprintf("%s/%s", dir, name));
}

void ev_make_file(const char *path)
{
	if (syscall(SYS_mknod, path, S_IFREG | 0644, 0))
		fail_msg("mknod %s: %s", path, strerror(errno));
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void ev_cleanup(void)
{
	for (size_t i = 0; i < ev_ndirs; i++)
		if (!getenv("CAUDIT_KEEP_TEST_DIRS"))
			nftw(ev_dirs[i], rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	ev_ndirs = 0;
	for (size_t i = 0; i < ev_nstrs; i++)
		free(ev_strs[i]);
	ev_nstrs = 0;
}

int ev_listener(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)addr, sizeof(*addr)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)addr, &len), 0);
	return fd;
}

int ev_local_port(int fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	return ntohs(sa.sin_port);
}

/* ---- reporting ---------------------------------------------------------- */

static const char *text(json_object *rec)
{
	return json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN);
}

void ev_fail(json_object *rec, const char *what, const char *file, int line)
{
	print_error("%s\n", what);
	if (rec)
		fprintf(stderr, "  record: %s\n", text(rec));
	_fail(file, line);
}

/* Records whose text holds needle (at most 12), after a failed wait. */
static void dump_related(const char *needle)
{
	size_t shown = 0;

	agent_poll(ev_agent);
	for (size_t i = 0; i < ev_agent->nrecs && shown < 12; i++) {
		const char *t = text(ev_agent->recs[i]);

		if (strstr(t, needle)) {
			fprintf(stderr, "  related record: %.1500s\n", t);
			shown++;
		}
	}
	if (!shown)
		fprintf(stderr, "  no record mentions \"%s\" (%zu records read)\n", needle,
			ev_agent->nrecs);
}

void ev_check_str(json_object *rec, const char *key, const char *want, const char *file,
		  int line)
{
	const char *got = jstr(rec, key);

	if (got && strcmp(got, want) == 0)
		return;
	print_error("%s: expected \"%s\", got %s%s%s\n", key, want, got ? "\"" : "",
		    got ? got : "(no string)", got ? "\"" : "");
	ev_fail(rec, "string member differs", file, line);
}

void ev_check_int(json_object *rec, const char *key, int64_t want, const char *file, int line)
{
	int64_t got = jint(rec, key);

	if (got == want)
		return;
	if (got == INT64_MIN)
		print_error("%s: expected %lld, got no integer\n", key, (long long)want);
	else
		print_error("%s: expected %lld, got %lld\n", key, (long long)want, (long long)got);
	ev_fail(rec, "integer member differs", file, line);
}

void ev_check_absent(json_object *rec, const char *key, const char *file, int line)
{
	json_object *v = jget(rec, key);

	if (!v && !jis_null(rec, key))
		return;
	print_error("%s: expected absent, got %s\n", key,
		    v ? json_object_to_json_string(v) : "null");
	ev_fail(rec, "member should be absent", file, line);
}

void ev_check_true(json_object *rec, const char *key, const char *file, int line)
{
	json_object *v = jget(rec, key);

	if (v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v))
		return;
	print_error("%s: expected true, got %s\n", key, v ? json_object_to_json_string(v) : "-");
	ev_fail(rec, "member should be true", file, line);
}

/* ---- waiting ------------------------------------------------------------ */

static json_object *wait_unique(struct want *w, const char *what, const char *needle,
				const char *file, int line)
{
	json_object *rec = agent_wait(ev_agent, 0, match_want, w, EV_WAIT_MS, NULL);
	size_t n;

	if (!rec) {
		print_error("no %s within %d ms\n", what, EV_WAIT_MS);
		dump_related(needle);
		_fail(file, line);
	}
	n = agent_count(ev_agent, match_want, w);
	if (n != 1) {
		print_error("%zu records of %s, expected 1\n", n, what);
		dump_related(needle);
		_fail(file, line);
	}
	return rec;
}

json_object *ev_wait_one(const char *event, const char *sc, const char *key, const char *value,
			 const char *file, int line)
{
	struct want w = { .event = event, .skey = { key }, .sval = { value } };
	const char *base = strrchr(value, '/');
	char what[PATH_MAX + 128];

	if (sc) {
		w.skey[1] = "syscall";
		w.sval[1] = sc;
	}
	snprintf(what, sizeof(what), "%s (syscall %s) with %s = \"%s\"", event, sc ? sc : "any",
		 key, value);
	return wait_unique(&w, what, base ? base + 1 : value, file, line);
}

json_object *ev_wait_pid(const char *event, pid_t pid, const char *file, int line)
{
	struct want w = { .event = event, .ikey = { "proc.pid" }, .ival = { pid } };
	char what[128], needle[32];

	snprintf(what, sizeof(what), "%s by pid %d", event, (int)pid);
	snprintf(needle, sizeof(needle), "\"pid\":%d,", (int)pid);
	return wait_unique(&w, what, needle, file, line);
}

json_object *ev_wait_net(const char *event, int src_port, int dst_port, const char *file,
			 int line)
{
	struct want w = { .event = event,
			  .ikey = { "net.src.port", "net.dst.port" },
			  .ival = { src_port, dst_port } };
	char what[128], needle[32];

	snprintf(what, sizeof(what), "%s from port %d to port %d", event, src_port, dst_port);
	snprintf(needle, sizeof(needle), "\"port\":%d", dst_port);
	return wait_unique(&w, what, needle, file, line);
}

/* ---- comparing ---------------------------------------------------------- */

/* Remove the member at a dotted path (if there). */
static void del_path(json_object *o, const char *path)
{
	const char *dot = strrchr(path, '.');
	char head[256];

	if (dot) {
		if ((size_t)(dot - path) >= sizeof(head))
			return;
		memcpy(head, path, (size_t)(dot - path));
		head[dot - path] = 0;
		o = jget(o, head);
		path = dot + 1;
	}
	if (o && json_object_is_type(o, json_type_object))
		json_object_object_del(o, path);
}

/* Replace, everywhere in o, string values equal to subst[2i] with subst[2i+1]. */
static void substitute(json_object *o, const char *const *subst)
{
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v)
		{
			if (v && json_object_is_type(v, json_type_string)) {
				for (size_t i = 0; subst[i]; i += 2)
					if (strcmp(json_object_get_string(v), subst[i]) == 0) {
						json_object_object_add(
							o, k, json_object_new_string(subst[i + 1]));
						break;
					}
			} else if (v) {
				substitute(v, subst);
			}
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			json_object *v = json_object_array_get_idx(o, i);

			if (v && json_object_is_type(v, json_type_string)) {
				for (size_t j = 0; subst[j]; j += 2)
					if (strcmp(json_object_get_string(v), subst[j]) == 0) {
						json_object_array_put_idx(
							o, i, json_object_new_string(subst[j + 1]));
						break;
					}
			} else if (v) {
				substitute(v, subst);
			}
		}
	}
}

/* The top-level member that follows key ("" if none). */
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

void ev_same(json_object *got, json_object *ref, const char *mark_key, const char *mark_val,
	     const char *const *subst, const char *const *ignore, const char *file, int line)
{
	static const char *const volatile_keys[] = { "seq", "prev", "time" };
	json_object *g = NULL, *r = NULL;

	/* the mark: right after "syscall" in got, no mark at all in ref */
	ev_check_str(got, mark_key, mark_val, file, line);
	if (strcmp(member_after(got, "syscall"), mark_key)) {
		print_error("\"%s\" should follow \"syscall\" (follows: \"%s\")\n", mark_key,
			    member_after(got, "syscall"));
		ev_fail(got, "member order", file, line);
	}
	ev_check_absent(ref, "abi", file, line);
	ev_check_absent(ref, "via", file, line);

	if (json_object_deep_copy(got, &g, NULL) || json_object_deep_copy(ref, &r, NULL))
		fail_msg("json_object_deep_copy failed");
	json_object_object_del(g, mark_key);
	for (size_t i = 0; i < sizeof(volatile_keys) / sizeof(volatile_keys[0]); i++) {
		json_object_object_del(g, volatile_keys[i]);
		json_object_object_del(r, volatile_keys[i]);
	}
	for (size_t i = 0; ignore && ignore[i]; i++) {
		del_path(g, ignore[i]);
		del_path(r, ignore[i]);
	}
	if (subst)
		substitute(g, subst);
	if (!json_object_equal(g, r)) {
		print_error("the %s=%s record differs from the ordinary one beyond the mark\n",
			    mark_key, mark_val);
		fprintf(stderr, "  got (%s, normalised): %s\n", mark_val, text(g));
		fprintf(stderr, "  ordinary (normalised): %s\n", text(r));
		fprintf(stderr, "  got (raw):      %s\n", text(got));
		fprintf(stderr, "  ordinary (raw): %s\n", text(ref));
		json_object_put(g);
		json_object_put(r);
		_fail(file, line);
	}
	json_object_put(g);
	json_object_put(r);
}
