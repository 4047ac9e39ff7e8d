/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Unit tests for the event encoder: records packed by hand, decoded with
 * event_decode(), encoded with encode_event(), parsed back with json-c, and
 * every field of interest compared exactly. Ends with a property test over
 * random records: the output is always one JSON object on one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "encode.h"
#include "syscall_table.h"

/* A string literal and its length, embedded NULs included. */
#define S(lit) lit, sizeof(lit) - 1

#define NSEC 1000000000LL

/* x86_64 kernel values, as the raw syscall arguments carry them */
#define K_O_WRONLY 01
#define K_O_CREAT 0100
#define K_O_TRUNC 01000
#define K_O_LARGEFILE 0100000
#define K_O_DIRECTORY 0200000
#define K_O_CLOEXEC 02000000
#define K_O_TMPFILE 020000000
#define K_AT_FDCWD ((uint64_t)-100)
#define K_AT_REMOVEDIR 0x200

/*
 * Clock: the event happens at boot_ns EV_BOOT, which is
 * 2026-11-23T19:27:27.000000001Z (1795462047 s since the epoch).
 */
#define EV_BOOT 3723000000123ULL
#define EV_REAL (1795462047LL * NSEC + 1)
#define BOOT_TO_REAL (EV_REAL - (int64_t)EV_BOOT)
/* the process started 27 s and 1 ns earlier: 19:27:00.000000000Z */
#define START_BOOT (EV_BOOT - 27 * NSEC - 1)

static const struct enc_host host = {
	.name = "host1.example",
	.machine_id = "0123456789abcdef0123456789abcdef",
	.boot_id = "6b1ba8e1-41a7-4c43-9d2e-0f5f8a7c3d21",
};

static unsigned name_calls;

static const char *user_name_stub(void *opaque, uint32_t uid)
{
	assert_ptr_equal(opaque, &name_calls);
	name_calls++;
	switch (uid) {
	case 0:
		return "root";
	case 1000:
		return "alice";
	default:
		return NULL;
	}
}

static const struct enc_ctx ctx = {
	.host = &host,
	.boot_to_real_ns = BOOT_TO_REAL,
	.user_name = user_name_stub,
	.opaque = &name_calls,
};

static const struct enc_ctx ctx_noname = {
	.host = &host,
	.boot_to_real_ns = BOOT_TO_REAL,
};

/* ---- building records ---- */

struct rec {
	struct ca_event ev;
	const char *s[CA_S__COUNT];
	size_t n[CA_S__COUNT];
};

static void rec_init(struct rec *r, uint16_t type, unsigned nr)
{
	struct ca_task_info *t = &r->ev.task;

	memset(r, 0, sizeof(*r));
	r->ev.type = type;
	r->ev.syscall_nr = nr;
	r->ev.boot_ns = EV_BOOT;
	t->start_boottime = START_BOOT;
	t->parent_start_boottime = 1000;
	t->cgroup_id = 0x1234;
	t->cap_effective = 0x1ffffffffffULL;
	t->pid = 4242;
	t->tid = 4243;
	t->ppid = 1;
	t->uid = 1000;
	t->euid = 1001;
	t->suid = 1002;
	t->fsuid = 1003;
	t->gid = 100;
	t->egid = 101;
	t->sgid = 102;
	t->fsgid = 103;
	t->auid = 1000;
	t->sessionid = 7;
	t->ns_pid = 4026531836u;
	t->ns_mnt = 4026531841u;
	t->ns_net = 4026531840u;
	t->ns_user = 4026531837u;
	t->ns_uts = 4026531838u;
	t->ns_ipc = 4026531839u;
	t->ns_cgroup = 4026531835u;
	t->self_exec_id = 3;
	t->parent_self_exec_id = 1;
	memcpy(t->comm, "bash", 4);
	memcpy(t->tty, "pts/3", 5);
}

static void rec_str(struct rec *r, int slot, const char *s, size_t n)
{
	r->s[slot] = s;
	r->n[slot] = n;
}

/* The record as the ring buffer would hold it, in a heap buffer of its exact size. */
static uint8_t *rec_pack(const struct rec *r, size_t *size)
{
	struct ca_event ev = r->ev;
	size_t off = sizeof(ev);
	uint8_t *buf;

	for (int i = 0; i < CA_S__COUNT; i++) {
		ev.str_len[i] = (uint16_t)r->n[i];
		off += r->n[i];
	}
	ev.size = (uint32_t)off;
	buf = malloc(off);
	assert_non_null(buf);
	memcpy(buf, &ev, sizeof(ev));
	off = sizeof(ev);
	for (int i = 0; i < CA_S__COUNT; i++) {
		if (r->n[i])
			memcpy(buf + off, r->s[i], r->n[i]);
		off += r->n[i];
	}
	*size = ev.size;
	return buf;
}

/* ---- encoding and parsing ---- */

static struct jsonw jw;
static struct json_tokener *tok;

/*
 * Strict parse of the writer's output: one object, valid UTF-8, nothing
 * after it, and no byte below 0x20 (no raw newline can split the line).
 */
static struct json_object *parse_out(const struct jsonw *w)
{
	struct json_object *root;

	assert_int_equal(w->err, 0);
	assert_int_equal(w->depth, 0);
	for (size_t i = 0; i < w->len; i++)
		if ((uint8_t)w->buf[i] < 0x20)
			fail_msg("control byte 0x%02x at %zu: %.*s", (uint8_t)w->buf[i], i,
				 (int)w->len, w->buf);
	json_tokener_reset(tok);
	root = json_tokener_parse_ex(tok, w->buf, (int)w->len);
	if (json_tokener_get_error(tok) != json_tokener_success)
		fail_msg("json-c: %s: %.*s", json_tokener_error_desc(json_tokener_get_error(tok)),
			 (int)w->len, w->buf);
	assert_non_null(root);
	assert_int_equal(json_tokener_get_parse_end(tok), w->len);
	assert_true(json_object_is_type(root, json_type_object));
	return root;
}

static struct json_object *encode_with(const struct rec *r, const struct enc_ctx *c,
				       const struct enc_proc *proc, uint64_t seq)
{
	struct json_object *root;
	struct ca_decoded d;
	size_t size;
	uint8_t *buf = rec_pack(r, &size);

	assert_int_equal(event_decode(buf, size, &d), (int)size);
	assert_int_equal(encode_event(&jw, c, seq, &d, proc), 0);
	root = parse_out(&jw);
	free(buf);
	return root;
}

static struct json_object *encode(const struct rec *r)
{
	return encode_with(r, &ctx, NULL, 1);
}

/* Member at a dotted path; *found tells absent from null. */
static struct json_object *jlookup(struct json_object *root, const char *path, int *found)
{
	char key[128];
	const char *p = path;
	struct json_object *o = root;

	*found = 0;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		assert_true(n < sizeof(key));
		memcpy(key, p, n);
		key[n] = '\0';
		if (!o || !json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, key, &o))
			return NULL;
		if (!dot)
			break;
		p = dot + 1;
	}
	*found = 1;
	return o;
}

static struct json_object *jget(struct json_object *root, const char *path, json_type type)
{
	int found;
	struct json_object *o = jlookup(root, path, &found);

	if (!found)
		fail_msg("%s: absent in %s", path, json_object_to_json_string(root));
	if (!json_object_is_type(o, type))
		fail_msg("%s: type %s, want %s", path, json_type_to_name(json_object_get_type(o)),
			 json_type_to_name(type));
	return o;
}

static void jstr(struct json_object *root, const char *path, const char *want)
{
	struct json_object *o = jget(root, path, json_type_string);

	assert_string_equal(json_object_get_string(o), want);
	assert_int_equal(json_object_get_string_len(o), strlen(want));
}

static void jint(struct json_object *root, const char *path, int64_t want)
{
	struct json_object *o = jget(root, path, json_type_int);

	if (json_object_get_int64(o) != want)
		fail_msg("%s: %" PRId64 ", want %" PRId64, path, json_object_get_int64(o), want);
}

static void juint(struct json_object *root, const char *path, uint64_t want)
{
	struct json_object *o = jget(root, path, json_type_int);

	if (json_object_get_uint64(o) != want)
		fail_msg("%s: %" PRIu64 ", want %" PRIu64, path, json_object_get_uint64(o), want);
}

static void jbool(struct json_object *root, const char *path, int want)
{
	struct json_object *o = jget(root, path, json_type_boolean);

	assert_int_equal(!!json_object_get_boolean(o), !!want);
}

static void jnull(struct json_object *root, const char *path)
{
	int found;
	struct json_object *o = jlookup(root, path, &found);

	if (!found || o)
		fail_msg("%s: not null in %s", path, json_object_to_json_string(root));
}

static void jabsent(struct json_object *root, const char *path)
{
	int found;

	jlookup(root, path, &found);
	if (found)
		fail_msg("%s: present in %s", path, json_object_to_json_string(root));
}

/* Array of exactly the given strings (NULL-terminated list). */
static void jstrs(struct json_object *root, const char *path, ...)
{
	struct json_object *a = jget(root, path, json_type_array);
	size_t i = 0;
	const char *s;
	va_list ap;

	va_start(ap, path);
	while ((s = va_arg(ap, const char *))) {
		struct json_object *e = json_object_array_get_idx(a, i);

		if (!e || !json_object_is_type(e, json_type_string))
			fail_msg("%s[%zu]: missing, want %s", path, i, s);
		if (strcmp(json_object_get_string(e), s) != 0)
			fail_msg("%s[%zu]: %s, want %s", path, i, json_object_get_string(e), s);
		i++;
	}
	va_end(ap);
	if (json_object_array_length(a) != i)
		fail_msg("%s: %zu elements, want %zu (%s)", path, json_object_array_length(a), i,
			 json_object_to_json_string(a));
}

static size_t jlen(struct json_object *root, const char *path)
{
	return (size_t)json_object_object_length(jget(root, path, json_type_object));
}

static void exec_id_str(char out[17], const char *boot_id, uint32_t pid, uint64_t start,
			uint32_t sx)
{
	snprintf(out, 17, "%016llx",
		 (unsigned long long)encode_exec_id(boot_id, pid, start, sx));
}

static int setup(void **state)
{
	(void)state;
	jw_init(&jw, 0);
	tok = json_tokener_new();
	if (!tok)
		return -1;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	jw_free(&jw);
	json_tokener_free(tok);
	return 0;
}

/* ---- header, proc, user, tail ---- */

static void test_common_fields(void **state)
{
	struct json_object *root;
	struct rec r;
	char id[17];

	(void)state;
	rec_init(&r, CA_EV_PROC_EXIT, CA_SYSCALL_MAX);
	root = encode_with(&r, &ctx, NULL, 987654321012ULL);
	juint(root, "schema", 1);
	juint(root, "seq", 987654321012ULL);
	jstr(root, "time", "2026-11-23T19:27:27.000000001Z");
	jstr(root, "host.name", "host1.example");
	jstr(root, "host.machine_id", "0123456789abcdef0123456789abcdef");
	jstr(root, "host.boot_id", "6b1ba8e1-41a7-4c43-9d2e-0f5f8a7c3d21");
	assert_int_equal(jlen(root, "host"), 3);
	jstr(root, "event", "process.exit");
	jstr(root, "category", "process");
	jabsent(root, "syscall");
	jabsent(root, "outcome");

	juint(root, "proc.pid", 4242);
	juint(root, "proc.tid", 4243);
	juint(root, "proc.ppid", 1);
	exec_id_str(id, host.boot_id, 4242, START_BOOT, 3);
	jstr(root, "proc.exec_id", id);
	exec_id_str(id, host.boot_id, 1, 1000, 1);
	jstr(root, "proc.parent_exec_id", id);
	jstr(root, "proc.comm", "bash");
	jnull(root, "proc.exe");
	jnull(root, "proc.args");
	jnull(root, "proc.cwd");
	jstr(root, "proc.tty", "pts/3");
	jstr(root, "proc.start_time", "2026-11-23T19:27:00.000000000Z");

	juint(root, "user.uid", 1000);
	jstr(root, "user.name", "alice");
	juint(root, "user.euid", 1001);
	juint(root, "user.suid", 1002);
	juint(root, "user.fsuid", 1003);
	juint(root, "user.gid", 100);
	juint(root, "user.egid", 101);
	juint(root, "user.sgid", 102);
	juint(root, "user.fsgid", 103);
	jint(root, "user.auid", 1000);
	jstr(root, "user.login", "alice");
	juint(root, "user.session", 7);
	jstr(root, "user.caps", "0x000001ffffffffff");

	juint(root, "cgroup.id", 0x1234);
	/* no cgroup callback in this context: the path is unknown */
	jnull(root, "cgroup.path");
	assert_int_equal(jlen(root, "cgroup"), 2);
	jabsent(root, "container");
	juint(root, "ns.pid", 4026531836u);
	juint(root, "ns.mnt", 4026531841u);
	juint(root, "ns.net", 4026531840u);
	juint(root, "ns.user", 4026531837u);
	juint(root, "ns.uts", 4026531838u);
	juint(root, "ns.ipc", 4026531839u);
	juint(root, "ns.cgroup", 4026531835u);
	assert_int_equal(jlen(root, "ns"), 7);
	jabsent(root, "read_fault");
	/* schema seq time host event category proc user exit cgroup ns */
	assert_int_equal(json_object_object_length(root), 11);
	json_object_put(root);
}

/* cgroup id -> path stub: ids 10.. name paths, with or without a container. */
static unsigned cgroup_calls;

static int cgroup_stub(void *opaque, uint64_t id, struct enc_cgroup *out)
{
	static const struct container_info docker = {
		.runtime = "docker",
		.id = "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d",
	};
	static const struct container_info pod = {
		.runtime = "containerd",
		.id = "d4e8e05a546c86b6443f101966c618e47753ed01fa9929cae00d3b692f7a9f80",
		.pod = "74c13223-5a00-11e9-b385-42010a80018d",
	};

	assert_ptr_equal(opaque, &name_calls);
	cgroup_calls++;
	switch (id) {
	case 10:
		out->path = "/system.slice/sshd.service";
		out->path_len = strlen(out->path);
		out->container = NULL;
		return 1;
	case 11:
		out->path = "/system.slice/docker-9ec39b91f3d70e1beff50a308f77067065ea6be0d91a337"
			    "8375056cd4422cf3d.scope";
		out->path_len = strlen(out->path);
		out->container = &docker;
		return 1;
	case 12:
		out->path = "/kubepods.slice/x";
		out->path_len = strlen(out->path);
		out->container = &pod;
		return 1;
	case 13: /* a name that is not UTF-8, with a NUL: exact bytes in path_hex */
		out->path = "/a\xff\0b";
		out->path_len = 5;
		out->container = NULL;
		return 1;
	default:
		return 0;
	}
}

static void test_cgroup_container(void **state)
{
	struct enc_ctx c = ctx;
	struct json_object *root;
	struct rec r;

	(void)state;
	c.cgroup = cgroup_stub;
	rec_init(&r, CA_EV_PROC_EXIT, CA_SYSCALL_MAX);

	r.ev.task.cgroup_id = 10;
	root = encode_with(&r, &c, NULL, 1);
	juint(root, "cgroup.id", 10);
	jstr(root, "cgroup.path", "/system.slice/sshd.service");
	assert_int_equal(jlen(root, "cgroup"), 2);
	jabsent(root, "container");
	json_object_put(root);

	r.ev.task.cgroup_id = 11;
	root = encode_with(&r, &c, NULL, 1);
	jstr(root, "cgroup.path", "/system.slice/docker-9ec39b91f3d70e1beff50a308f77067065ea6be0"
				  "d91a3378375056cd4422cf3d.scope");
	jstr(root, "container.id", "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd442"
				   "2cf3d");
	jstr(root, "container.runtime", "docker");
	assert_int_equal(jlen(root, "container"), 2);
	/* order: ... cgroup, container, ns */
	assert_int_equal(strstr(jw.buf, "\"cgroup\":") < strstr(jw.buf, "\"container\":"), 1);
	assert_int_equal(strstr(jw.buf, "\"container\":") < strstr(jw.buf, "\"ns\":"), 1);
	json_object_put(root);

	r.ev.task.cgroup_id = 12;
	root = encode_with(&r, &c, NULL, 1);
	jstr(root, "container.runtime", "containerd");
	jstr(root, "container.pod", "74c13223-5a00-11e9-b385-42010a80018d");
	assert_int_equal(jlen(root, "container"), 3);
	json_object_put(root);

	r.ev.task.cgroup_id = 13;
	root = encode_with(&r, &c, NULL, 1);
	jstr(root, "cgroup.path_hex", "2f61ff0062");
	assert_non_null(strstr(jw.buf, "\"path\":\"/a\xef\xbf\xbd\\u0000b\",\"path_hex\""));
	json_object_put(root);

	/* unknown: null path, no container */
	cgroup_calls = 0;
	r.ev.task.cgroup_id = 99;
	root = encode_with(&r, &c, NULL, 1);
	juint(root, "cgroup.id", 99);
	jnull(root, "cgroup.path");
	jabsent(root, "container");
	assert_int_equal(cgroup_calls, 1);
	json_object_put(root);
}

static void test_time_exact(void **state)
{
	struct json_object *root;
	struct rec r;
	char ts[40];

	(void)state;
	rec_init(&r, CA_EV_PROC_EXIT, CA_SYSCALL_MAX);
	root = encode(&r);
	jstr(root, "time", "2026-11-23T19:27:27.000000001Z");
	json_object_put(root);

	encode_time(ts, EV_REAL);
	assert_string_equal(ts, "2026-11-23T19:27:27.000000001Z");
	encode_time(ts, 1795462047LL * NSEC + 999999999);
	assert_string_equal(ts, "2026-11-23T19:27:27.999999999Z");
	encode_time(ts, 0);
	assert_string_equal(ts, "1970-01-01T00:00:00.000000000Z");
	encode_time(ts, 951782400LL * NSEC + 123456789); /* leap day */
	assert_string_equal(ts, "2000-02-29T00:00:00.123456789Z");
	encode_time(ts, 1767225599LL * NSEC + 500000000);
	assert_string_equal(ts, "2025-12-31T23:59:59.500000000Z");
	encode_time(ts, INT64_MAX);
	assert_string_equal(ts, "2262-04-11T23:47:16.854775807Z");
}

static void test_encode_time_negative(void **state)
{
	char ts[40];

	(void)state;
	encode_time(ts, -1);
	assert_string_equal(ts, "1969-12-31T23:59:59.999999999Z");
	encode_time(ts, -NSEC);
	assert_string_equal(ts, "1969-12-31T23:59:59.000000000Z");
	encode_time(ts, -NSEC - 1);
	assert_string_equal(ts, "1969-12-31T23:59:58.999999999Z");
	encode_time(ts, -1500000000LL);
	assert_string_equal(ts, "1969-12-31T23:59:58.500000000Z");
	encode_time(ts, -999999999LL);
	assert_string_equal(ts, "1969-12-31T23:59:59.000000001Z");
	encode_time(ts, -86400LL * NSEC);
	assert_string_equal(ts, "1969-12-31T00:00:00.000000000Z");
	encode_time(ts, INT64_MIN);
	assert_string_equal(ts, "1677-09-21T00:12:43.145224192Z");

	/* event before the boot-to-real offset makes it positive */
	{
		struct enc_ctx c = ctx;
		struct json_object *root;
		struct rec r;

		c.boot_to_real_ns = -(int64_t)EV_BOOT - 1;
		rec_init(&r, CA_EV_PROC_EXIT, CA_SYSCALL_MAX);
		root = encode_with(&r, &c, NULL, 1);
		jstr(root, "time", "1969-12-31T23:59:59.999999999Z");
		json_object_put(root);
	}
}

static void test_exec_id_stable(void **state)
{
	const char *b = host.boot_id;
	uint64_t id = encode_exec_id(b, 100, 5000, 2);
	char other[64];

	(void)state;
	assert_true(id == encode_exec_id(b, 100, 5000, 2));
	strcpy(other, b); /* same text, other buffer */
	assert_true(id == encode_exec_id(other, 100, 5000, 2));
	assert_true(id != encode_exec_id(b, 101, 5000, 2));
	assert_true(id != encode_exec_id(b, 100, 5001, 2));
	assert_true(id != encode_exec_id(b, 100, 5000, 3));
	other[0] ^= 1;
	assert_true(id != encode_exec_id(other, 100, 5000, 2));
	assert_true(id != encode_exec_id("", 100, 5000, 2));
	/* no boot id is the same as an empty one */
	assert_true(encode_exec_id(NULL, 100, 5000, 2) == encode_exec_id("", 100, 5000, 2));
	/* swapping fields does not collide */
	assert_true(encode_exec_id(b, 2, 5000, 100) != id);
	/* high bits of the start time count */
	assert_true(encode_exec_id(b, 100, 5000 | (1ULL << 63), 2) != id);
	/* no collisions over a small grid of neighbours */
	{
		uint64_t ids[8 * 8 * 4];
		size_t n = 0;

		for (uint32_t pid = 1; pid <= 8; pid++)
			for (uint64_t st = 0; st < 8; st++)
				for (uint32_t sx = 0; sx < 4; sx++)
					ids[n++] = encode_exec_id(b, pid, st, sx);
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				assert_true(ids[i] != ids[j]);
	}
}

static void test_auid_session_unset(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_PROC_EXIT, CA_SYSCALL_MAX);
	r.ev.task.auid = 4294967295u;
	r.ev.task.sessionid = 4294967295u;
	name_calls = 0;
	root = encode(&r);
	jint(root, "user.auid", -1);
	jnull(root, "user.login");
	jnull(root, "user.session");
	jstr(root, "user.name", "alice");
	/* the unset id is not looked up */
	assert_int_equal(name_calls, 1);
	json_object_put(root);

	/* uid 4294967295 too: no name lookup, but the number is kept */
	r.ev.task.uid = 4294967295u;
	r.ev.task.sessionid = 0;
	name_calls = 0;
	root = encode(&r);
	juint(root, "user.uid", 4294967295u);
	jnull(root, "user.name");
	juint(root, "user.session", 0);
	assert_int_equal(name_calls, 0);
	json_object_put(root);
}

static void test_user_name_callback(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_PROC_EXIT, CA_SYSCALL_MAX);
	r.ev.task.uid = 0;
	r.ev.task.auid = 1000;
	name_calls = 0;
	root = encode(&r);
	jstr(root, "user.name", "root");
	jstr(root, "user.login", "alice");
	assert_int_equal(name_calls, 2);
	json_object_put(root);

	/* unknown uid: null */
	r.ev.task.uid = 555;
	r.ev.task.auid = 556;
	root = encode(&r);
	jnull(root, "user.name");
	jnull(root, "user.login");
	juint(root, "user.uid", 555);
	jint(root, "user.auid", 556);
	json_object_put(root);

	/* no callback at all: null */
	r.ev.task.uid = 0;
	root = encode_with(&r, &ctx_noname, NULL, 1);
	jnull(root, "user.name");
	jnull(root, "user.login");
	json_object_put(root);
}

static void test_tty(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_PROC_EXIT, CA_SYSCALL_MAX);
	memset(r.ev.task.tty, 0, sizeof(r.ev.task.tty));
	root = encode(&r);
	jnull(root, "proc.tty");
	json_object_put(root);

	memcpy(r.ev.task.tty, "pts/3", 6);
	root = encode(&r);
	jstr(root, "proc.tty", "pts/3");
	json_object_put(root);

	/* an empty first byte means no tty, whatever follows */
	memcpy(r.ev.task.tty, "\0ts/3", 6);
	root = encode(&r);
	jnull(root, "proc.tty");
	json_object_put(root);
}

/*
 * comm and tty without a NUL: exactly 16 bytes each. The record is in a heap
 * buffer that ends with tty, so reading past it would trip ASan.
 */
static void test_comm_tty_16_bytes(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_PROC_EXIT, CA_SYSCALL_MAX);
	memcpy(r.ev.task.comm, "abcdefghijklmnop", 16);
	memcpy(r.ev.task.tty, "ABCDEFGHIJKLMNOP", 16);
	root = encode(&r);
	jstr(root, "proc.comm", "abcdefghijklmnop");
	jstr(root, "proc.tty", "ABCDEFGHIJKLMNOP");
	json_object_put(root);

	/* a NUL inside ends it */
	memcpy(r.ev.task.comm, "kworker\0garbage!", 16);
	root = encode(&r);
	jstr(root, "proc.comm", "kworker");
	json_object_put(root);

	/* a comm that is not UTF-8: replaced, exact bytes alongside */
	memcpy(r.ev.task.comm, "a\xff", 3);
	root = encode(&r);
	jstr(root, "proc.comm", "a\xef\xbf\xbd");
	jstr(root, "proc.comm_hex", "61ff");
	json_object_put(root);
}

static void test_proc_from_cache(void **state)
{
	struct enc_proc p = {
		.exe = "/usr/bin/vim",
		.exe_len = 12,
		.args = "vim\0/etc/hosts",
		.args_len = 14,
		.args_truncated = 1,
		.cwd = "/root",
		.cwd_len = 5,
	};
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_SYSCALL, 257);
	rec_str(&r, CA_S_PATH, S("/etc/hosts"));
	r.ev.flags = CA_F_PATH_KERNEL;
	r.ev.ret = 3;
	root = encode_with(&r, &ctx, &p, 5);
	jstr(root, "proc.exe", "/usr/bin/vim");
	jstrs(root, "proc.args", "vim", "/etc/hosts", NULL);
	jbool(root, "proc.args_truncated", 1);
	jstr(root, "proc.cwd", "/root");
	json_object_put(root);

	/* parts the cache does not know are left out (exe: null) */
	memset(&p, 0, sizeof(p));
	root = encode_with(&r, &ctx, &p, 5);
	jnull(root, "proc.exe");
	jnull(root, "proc.args");
	jabsent(root, "proc.args_truncated");
	jnull(root, "proc.cwd");
	json_object_put(root);
}

/* ---- file events ---- */

static void test_rename(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_SYSCALL, 316);
	r.ev.args[0] = K_AT_FDCWD;
	r.ev.args[2] = 5;
	r.ev.args[4] = 1; /* RENAME_NOREPLACE */
	rec_str(&r, CA_S_PATH, S("b"));
	rec_str(&r, CA_S_PATH_BASE, S("/tmp/a"));
	rec_str(&r, CA_S_PATH2, S("/srv/./new/../c"));
	rec_str(&r, CA_S_PATH2_BASE, S("/ignored"));
	root = encode(&r);
	jstr(root, "event", "file.rename");
	jstr(root, "category", "file");
	jstr(root, "syscall", "renameat2");
	jstr(root, "access", "write");
	jstr(root, "outcome", "success");
	jint(root, "ret", 0);
	jabsent(root, "errno");
	jstr(root, "file.path", "/tmp/a/b");
	jstr(root, "file.path2", "/srv/c");
	juint(root, "file.flags", 1);
	jabsent(root, "file.path_resolved");
	jabsent(root, "file.path2_resolved");
	jabsent(root, "file.mode");
	jabsent(root, "file.flag_names");
	jabsent(root, "file.owner_uid");
	jabsent(root, "file.fd");
	jabsent(root, "file.truncated");
	assert_int_equal(jlen(root, "file"), 3);
	json_object_put(root);
}

static void test_open_kernel_path(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_SYSCALL, 257);
	r.ev.flags = CA_F_PATH_KERNEL;
	r.ev.ret = 3;
	r.ev.args[0] = K_AT_FDCWD;
	r.ev.aux[CA_AUX_OPEN_FLAGS] = K_O_WRONLY | K_O_CREAT | K_O_TRUNC;
	r.ev.aux[CA_AUX_OPEN_MODE] = 0100644; /* type bits dropped */
	/* a kernel path is not normalised or joined with any base */
	rec_str(&r, CA_S_PATH, S("/var/log/./app//x.log"));
	rec_str(&r, CA_S_PATH_BASE, S("/home"));
	root = encode(&r);
	jstr(root, "event", "file.open");
	jstr(root, "syscall", "openat");
	jstr(root, "access", "write");
	jstr(root, "outcome", "success");
	jint(root, "ret", 3);
	jstr(root, "file.path", "/var/log/./app//x.log");
	jabsent(root, "file.path_resolved");
	juint(root, "file.flags", 01101);
	jstrs(root, "file.flag_names", "O_WRONLY", "O_CREAT", "O_TRUNC", NULL);
	jstr(root, "file.mode", "0644");
	json_object_put(root);
}

static void test_open_read_only(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_SYSCALL, 2);
	r.ev.flags = CA_F_PATH_KERNEL;
	r.ev.ret = 4;
	r.ev.aux[CA_AUX_OPEN_FLAGS] = K_O_CLOEXEC;
	r.ev.aux[CA_AUX_OPEN_MODE] = 0777;
	rec_str(&r, CA_S_PATH, S("/etc/shadow"));
	root = encode(&r);
	jstr(root, "syscall", "open");
	jstr(root, "access", "read");
	juint(root, "file.flags", K_O_CLOEXEC);
	jstrs(root, "file.flag_names", "O_RDONLY", "O_CLOEXEC", NULL);
	jabsent(root, "file.mode");
	json_object_put(root);

	/* O_TRUNC alone writes */
	r.ev.aux[CA_AUX_OPEN_FLAGS] = K_O_TRUNC;
	root = encode(&r);
	jstr(root, "access", "write");
	jstrs(root, "file.flag_names", "O_RDONLY", "O_TRUNC", NULL);
	json_object_put(root);

	/* O_LARGEFILE is the kernel's bit, named only when set */
	r.ev.aux[CA_AUX_OPEN_FLAGS] = K_O_LARGEFILE;
	root = encode(&r);
	jstr(root, "access", "read");
	jstrs(root, "file.flag_names", "O_RDONLY", "O_LARGEFILE", NULL);
	json_object_put(root);
}

/* A mode is only meaningful with O_CREAT or O_TMPFILE, not O_DIRECTORY alone. */
static void test_open_directory_tmpfile(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_SYSCALL, 257);
	r.ev.flags = CA_F_PATH_KERNEL;
	r.ev.ret = 5;
	r.ev.aux[CA_AUX_OPEN_FLAGS] = K_O_DIRECTORY;
	rec_str(&r, CA_S_PATH, S("/tmp"));
	root = encode(&r);
	jstr(root, "access", "read");
	jstrs(root, "file.flag_names", "O_RDONLY", "O_DIRECTORY", NULL);
	jabsent(root, "file.mode");
	json_object_put(root);

	r.ev.aux[CA_AUX_OPEN_FLAGS] = K_O_TMPFILE | K_O_DIRECTORY | K_O_WRONLY;
	r.ev.aux[CA_AUX_OPEN_MODE] = 0600;
	root = encode(&r);
	jstr(root, "access", "write");
	jstrs(root, "file.flag_names", "O_WRONLY", "O_TMPFILE", "O_DIRECTORY", NULL);
	jstr(root, "file.mode", "0600");
	json_object_put(root);
}

static void test_open_relative_resolved(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	/* a failed open has no fd to take the kernel path from */
	rec_init(&r, CA_EV_SYSCALL, 257);
	r.ev.ret = -2;
	r.ev.aux[CA_AUX_OPEN_FLAGS] = 0;
	rec_str(&r, CA_S_PATH, S("../etc/./passwd"));
	rec_str(&r, CA_S_PATH_BASE, S("/home/u"));
	root = encode(&r);
	jstr(root, "file.path", "/home/etc/passwd");
	jabsent(root, "file.path_resolved");
	jstr(root, "outcome", "failure");
	jstr(root, "errno", "ENOENT");
	jint(root, "ret", -2);
	json_object_put(root);
}

static void test_failure_errno(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_SYSCALL, 257);
	r.ev.flags = CA_F_PATH_KERNEL;
	rec_str(&r, CA_S_PATH, S("/root/secret"));
	r.ev.ret = -13;
	root = encode(&r);
	jstr(root, "outcome", "failure");
	jstr(root, "errno", "EACCES");
	jint(root, "ret", -13);
	json_object_put(root);

	r.ev.ret = -1;
	root = encode(&r);
	jstr(root, "errno", "EPERM");
	json_object_put(root);

	/* no name for it: the number */
	r.ev.ret = -4000;
	root = encode(&r);
	jstr(root, "errno", "E4000");
	jint(root, "ret", -4000);
	json_object_put(root);

	r.ev.ret = -5000;
	root = encode(&r);
	jstr(root, "errno", "E5000");
	json_object_put(root);

	/* the most negative value cannot be negated as a signed number */
	r.ev.ret = INT64_MIN;
	root = encode(&r);
	jstr(root, "outcome", "failure");
	jstr(root, "errno", "E9223372036854775808");
	jint(root, "ret", INT64_MIN);
	json_object_put(root);

	r.ev.ret = INT64_MAX;
	root = encode(&r);
	jstr(root, "outcome", "success");
	jabsent(root, "errno");
	jint(root, "ret", INT64_MAX);
	json_object_put(root);
}

static void test_unlinkat_rmdir(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_SYSCALL, 263);
	r.ev.args[0] = K_AT_FDCWD;
	r.ev.args[2] = K_AT_REMOVEDIR;
	rec_str(&r, CA_S_PATH, S("d"));
	rec_str(&r, CA_S_PATH_BASE, S("/tmp"));
	root = encode(&r);
	jstr(root, "event", "file.rmdir");
	jstr(root, "syscall", "unlinkat");
	jstr(root, "file.path", "/tmp/d");
	juint(root, "file.flags", K_AT_REMOVEDIR);
	json_object_put(root);

	r.ev.args[2] = 0;
	root = encode(&r);
	jstr(root, "event", "file.unlink");
	juint(root, "file.flags", 0);
	json_object_put(root);

	/* plain unlink never becomes rmdir, whatever its other args hold */
	rec_init(&r, CA_EV_SYSCALL, 87);
	r.ev.args[2] = K_AT_REMOVEDIR;
	rec_str(&r, CA_S_PATH, S("/tmp/f"));
	root = encode(&r);
	jstr(root, "event", "file.unlink");
	jabsent(root, "file.flags");
	json_object_put(root);
}

static void test_chown(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_SYSCALL, 92);
	r.ev.args[1] = 0xffffffffu; /* uid -1: unchanged */
	r.ev.args[2] = 100;
	rec_str(&r, CA_S_PATH, S("/srv/f"));
	root = encode(&r);
	jstr(root, "event", "file.chown");
	jint(root, "file.owner_uid", -1);
	jint(root, "file.owner_gid", 100);
	jabsent(root, "file.mode");
	json_object_put(root);

	/* sign-extended -1 in the 64-bit register is the same */
	r.ev.args[1] = 1000;
	r.ev.args[2] = (uint64_t)-1;
	root = encode(&r);
	jint(root, "file.owner_uid", 1000);
	jint(root, "file.owner_gid", -1);
	json_object_put(root);

	/* fchown: fd and owner */
	rec_init(&r, CA_EV_SYSCALL, 93);
	r.ev.flags = CA_F_PATH_KERNEL;
	r.ev.args[0] = 7;
	r.ev.args[1] = 0;
	r.ev.args[2] = 0;
	rec_str(&r, CA_S_PATH, S("/srv/g"));
	root = encode(&r);
	jstr(root, "syscall", "fchown");
	jint(root, "file.fd", 7);
	jint(root, "file.owner_uid", 0);
	jint(root, "file.owner_gid", 0);
	jstr(root, "file.path", "/srv/g");
	json_object_put(root);

	/* fchmodat: mode */
	rec_init(&r, CA_EV_SYSCALL, 268);
	r.ev.args[0] = K_AT_FDCWD;
	r.ev.args[2] = 04755;
	rec_str(&r, CA_S_PATH, S("/usr/bin/x"));
	root = encode(&r);
	jstr(root, "event", "file.chmod");
	jstr(root, "file.mode", "4755");
	jabsent(root, "file.owner_uid");
	json_object_put(root);
}

static void test_setxattr(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_SYSCALL, 188);
	r.ev.args[4] = 1; /* XATTR_CREATE */
	rec_str(&r, CA_S_PATH, S("/etc/passwd"));
	rec_str(&r, CA_S_AUX, S("security.capability"));
	root = encode(&r);
	jstr(root, "event", "file.setxattr");
	jstr(root, "syscall", "setxattr");
	jstr(root, "file.xattr", "security.capability");
	jabsent(root, "file.target");
	juint(root, "file.flags", 1);
	json_object_put(root);
}

static void test_symlink(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_SYSCALL, 88);
	rec_str(&r, CA_S_PATH, S("link"));
	rec_str(&r, CA_S_PATH_BASE, S("/home/u"));
	rec_str(&r, CA_S_AUX, S("../../etc/shadow"));
	root = encode(&r);
	jstr(root, "event", "file.symlink");
	jstr(root, "file.path", "/home/u/link");
	/* the target is kept exactly as given */
	jstr(root, "file.target", "../../etc/shadow");
	jabsent(root, "file.xattr");
	json_object_put(root);
}

static void test_relative_path_no_base(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_SYSCALL, 263);
	rec_str(&r, CA_S_PATH, S("rel/./x"));
	root = encode(&r);
	jstr(root, "file.path", "rel/./x");
	jbool(root, "file.path_resolved", 0);
	json_object_put(root);

	/* a relative base does not help either */
	rec_str(&r, CA_S_PATH_BASE, S("tmp"));
	root = encode(&r);
	jstr(root, "file.path", "rel/./x");
	jbool(root, "file.path_resolved", 0);
	json_object_put(root);

	/* same for the second path */
	rec_init(&r, CA_EV_SYSCALL, 82);
	rec_str(&r, CA_S_PATH, S("/a"));
	rec_str(&r, CA_S_PATH2, S("b"));
	root = encode(&r);
	jstr(root, "file.path", "/a");
	jabsent(root, "file.path_resolved");
	jstr(root, "file.path2", "b");
	jbool(root, "file.path2_resolved", 0);
	json_object_put(root);

	/* no path at all: null */
	rec_init(&r, CA_EV_SYSCALL, 77);
	r.ev.args[0] = 9;
	root = encode(&r);
	jnull(root, "file.path");
	jabsent(root, "file.path2");
	jint(root, "file.fd", 9);
	json_object_put(root);
}

static void test_file_flags_and_bytes(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_SYSCALL, 87);
	r.ev.flags = CA_F_PATH_TRUNC | CA_F_READ_FAULT | CA_F_PATH_KERNEL;
	rec_str(&r, CA_S_PATH, S("/tmp/\xff\"\n"));
	root = encode(&r);
	jstr(root, "file.path", "/tmp/\xef\xbf\xbd\"\n");
	jstr(root, "file.path_hex", "2f746d702fff220a");
	jbool(root, "file.truncated", 1);
	jbool(root, "read_fault", 1);
	json_object_put(root);
}

/* ---- process events ---- */

static void test_exec_args(void **state)
{
	struct json_object *root;
	struct rec r;
	char id[17];

	(void)state;
	rec_init(&r, CA_EV_PROC_EXEC, CA_SYSCALL_MAX);
	r.ev.task.self_exec_id = 4;
	rec_str(&r, CA_S_PATH, S("./ls"));
	rec_str(&r, CA_S_EXE, S("/usr/bin/ls"));
	rec_str(&r, CA_S_ARGS, S("a\0b\0c"));
	rec_str(&r, CA_S_CWD, S("/root"));
	root = encode(&r);
	jstr(root, "event", "process.exec");
	jstr(root, "category", "process");
	jstr(root, "syscall", "execve");
	jstr(root, "outcome", "success");
	jint(root, "ret", 0);
	jstr(root, "proc.exe", "/usr/bin/ls");
	jstrs(root, "proc.args", "a", "b", "c", NULL);
	jbool(root, "proc.args_truncated", 0);
	jabsent(root, "proc.args_hex");
	jstr(root, "proc.cwd", "/root");
	exec_id_str(id, host.boot_id, 4242, START_BOOT, 4);
	jstr(root, "proc.exec_id", id);
	jstr(root, "exec.filename", "./ls");
	jbool(root, "exec.memfd", 0);
	json_object_put(root);

	/* the record's own exe/args/cwd win over the cache's */
	{
		struct enc_proc p = { "/old", 4, "old", 3, 0, "/oldcwd", 7 };

		r.ev.flags = CA_F_EXE_MEMFD;
		root = encode_with(&r, &ctx, &p, 1);
		jstr(root, "proc.exe", "/usr/bin/ls");
		jstrs(root, "proc.args", "a", "b", "c", NULL);
		jstr(root, "proc.cwd", "/root");
		jbool(root, "exec.memfd", 1);
		json_object_put(root);
	}

	/* empty arguments are kept */
	rec_str(&r, CA_S_ARGS, S("x\0\0y"));
	root = encode(&r);
	jstrs(root, "proc.args", "x", "", "y", NULL);
	json_object_put(root);

	/* no argv at all: an empty array */
	rec_str(&r, CA_S_ARGS, NULL, 0);
	root = encode(&r);
	jstrs(root, "proc.args", NULL);
	jbool(root, "proc.args_truncated", 0);
	json_object_put(root);
}

static void test_exec_args_invalid_utf8(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_PROC_EXEC, CA_SYSCALL_MAX);
	rec_str(&r, CA_S_EXE, S("/bin/echo"));
	rec_str(&r, CA_S_ARGS, S("echo\0\xff\0ok"));
	root = encode(&r);
	jstrs(root, "proc.args", "echo", "\xef\xbf\xbd", "ok", NULL);
	jstr(root, "proc.args_hex.1", "ff");
	assert_int_equal(jlen(root, "proc.args_hex"), 1);
	json_object_put(root);

	/* several bad ones, the last one included */
	rec_str(&r, CA_S_ARGS, S("\xc3\0ok\0\xe2\x82"));
	root = encode(&r);
	jstrs(root, "proc.args", "\xef\xbf\xbd", "ok", "\xef\xbf\xbd\xef\xbf\xbd", NULL);
	jstr(root, "proc.args_hex.0", "c3");
	jstr(root, "proc.args_hex.2", "e282");
	assert_int_equal(jlen(root, "proc.args_hex"), 2);
	json_object_put(root);
}

static void test_exec_args_truncated(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_PROC_EXEC, CA_SYSCALL_MAX);
	r.ev.flags = CA_F_ARGS_TRUNC;
	rec_str(&r, CA_S_ARGS, S("cat\0/very/lo"));
	root = encode(&r);
	jstrs(root, "proc.args", "cat", "/very/lo", NULL);
	jbool(root, "proc.args_truncated", 1);
	jnull(root, "proc.exe");
	json_object_put(root);
}

static void test_exec_fail(void **state)
{
	struct enc_proc p = { "/bin/bash", 9, "bash", 4, 0, "/home/u", 7 };
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_PROC_EXEC_FAIL, 322);
	r.ev.ret = -2;
	r.ev.flags = CA_F_ARGS_TRUNC;
	rec_str(&r, CA_S_PATH, S("./nope"));
	rec_str(&r, CA_S_PATH_BASE, S("/home/u"));
	rec_str(&r, CA_S_ARGS, S("nope\0-x"));
	root = encode_with(&r, &ctx, &p, 1);
	jstr(root, "event", "process.exec");
	jstr(root, "category", "process");
	jstr(root, "syscall", "execveat");
	jstr(root, "outcome", "failure");
	jstr(root, "errno", "ENOENT");
	jint(root, "ret", -2);
	/* the process is still the old image; its attempted argv is in exec */
	jstr(root, "proc.exe", "/bin/bash");
	jabsent(root, "proc.args");
	jstr(root, "proc.cwd", "/home/u");
	jstr(root, "exec.filename", "./nope");
	jstr(root, "exec.path", "/home/u/nope");
	jstrs(root, "exec.args", "nope", "-x", NULL);
	jbool(root, "exec.args_truncated", 1);
	json_object_put(root);

	/* no syscall number: execve */
	r.ev.syscall_nr = CA_SYSCALL_MAX;
	root = encode(&r);
	jstr(root, "syscall", "execve");
	json_object_put(root);
}

static void test_exit_status(void **state)
{
	struct json_object *root;
	struct rec r;

	(void)state;
	rec_init(&r, CA_EV_PROC_EXIT, CA_SYSCALL_MAX);
	r.ev.aux[CA_AUX_EXIT_CODE] = 42 << 8;
	root = encode(&r);
	jstr(root, "event", "process.exit");
	jint(root, "exit.code", 42);
	jnull(root, "exit.signal");
	jbool(root, "exit.core_dumped", 0);
	assert_int_equal(jlen(root, "exit"), 3);
	json_object_put(root);

	r.ev.aux[CA_AUX_EXIT_CODE] = 0;
	root = encode(&r);
	jint(root, "exit.code", 0);
	jnull(root, "exit.signal");
	json_object_put(root);

	r.ev.aux[CA_AUX_EXIT_CODE] = 9;
	root = encode(&r);
	jnull(root, "exit.code");
	jstr(root, "exit.signal", "SIGKILL");
	jbool(root, "exit.core_dumped", 0);
	json_object_put(root);

	r.ev.aux[CA_AUX_EXIT_CODE] = 0x86; /* SIGABRT, core dumped */
	root = encode(&r);
	jnull(root, "exit.code");
	jstr(root, "exit.signal", "SIGABRT");
	jbool(root, "exit.core_dumped", 1);
	json_object_put(root);

	r.ev.aux[CA_AUX_EXIT_CODE] = 0x8b; /* SIGSEGV, core dumped */
	root = encode(&r);
	jstr(root, "exit.signal", "SIGSEGV");
	jbool(root, "exit.core_dumped", 1);
	json_object_put(root);

	/* a signal number without a name: the number */
	r.ev.aux[CA_AUX_EXIT_CODE] = 0x7f;
	root = encode(&r);
	jnull(root, "exit.code");
	jint(root, "exit.signal", 0x7f);
	json_object_put(root);

	/* bits above the 16-bit status are ignored */
	r.ev.aux[CA_AUX_EXIT_CODE] = 0xffffffff00000000ULL | (3 << 8);
	root = encode(&r);
	jint(root, "exit.code", 3);
	json_object_put(root);
}

static void test_fork(void **state)
{
	struct json_object *root;
	struct rec r;
	char id[17];

	(void)state;
	rec_init(&r, CA_EV_PROC_FORK, CA_SYSCALL_MAX);
	r.ev.aux[CA_AUX_FORK_CHILD_PID] = 5151;
	r.ev.aux[CA_AUX_FORK_CHILD_START] = 777777777777ULL;
	r.ev.task.self_exec_id = 12;
	root = encode(&r);
	jstr(root, "event", "process.fork");
	jstr(root, "category", "process");
	juint(root, "child.pid", 5151);
	exec_id_str(id, host.boot_id, 5151, 777777777777ULL, 12);
	jstr(root, "child.exec_id", id);
	assert_int_equal(strlen(id), 16);
	assert_int_equal(jlen(root, "child"), 2);
	/* and it differs from the parent's */
	exec_id_str(id, host.boot_id, 4242, START_BOOT, 12);
	jstr(root, "proc.exec_id", id);
	json_object_put(root);
}

/* ---- misuse and helpers ---- */

static void test_unencodable(void **state)
{
	struct ca_decoded d;
	struct rec r;
	size_t size;
	uint8_t *buf;

	(void)state;
	/* snapshot records only feed the process cache */
	rec_init(&r, CA_EV_TASK_SNAPSHOT, CA_SYSCALL_MAX);
	buf = rec_pack(&r, &size);
	assert_int_equal(event_decode(buf, size, &d), (int)size);
	assert_int_equal(encode_event(&jw, &ctx, 1, &d, NULL), -EBADMSG);
	free(buf);

	/* a syscall record for a syscall not in the table */
	rec_init(&r, CA_EV_SYSCALL, 0);
	buf = rec_pack(&r, &size);
	assert_int_equal(event_decode(buf, size, &d), (int)size);
	assert_int_equal(encode_event(&jw, &ctx, 1, &d, NULL), -EBADMSG);
	free(buf);

	rec_init(&r, CA_EV_SYSCALL, CA_SYSCALL_MAX);
	buf = rec_pack(&r, &size);
	assert_int_equal(event_decode(buf, size, &d), (int)size);
	assert_int_equal(encode_event(&jw, &ctx, 1, &d, NULL), -EBADMSG);
	free(buf);

	/* the writer works again afterwards */
	rec_init(&r, CA_EV_PROC_EXIT, CA_SYSCALL_MAX);
	json_object_put(encode(&r));
}

static void test_output_limit(void **state)
{
	struct ca_decoded d;
	struct jsonw small;
	struct rec r;
	size_t size;
	uint8_t *buf;

	(void)state;
	rec_init(&r, CA_EV_PROC_EXIT, CA_SYSCALL_MAX);
	buf = rec_pack(&r, &size);
	assert_int_equal(event_decode(buf, size, &d), (int)size);
	jw_init(&small, 64);
	assert_int_equal(encode_event(&small, &ctx, 1, &d, NULL), -ENOSPC);
	assert_true(small.len <= 64);
	jw_free(&small);
	free(buf);
}

static void test_drop_reason_names(void **state)
{
	(void)state;
	assert_string_equal(encode_drop_reason_name(CA_DROP_RINGBUF_FULL), "ringbuf_full");
	assert_string_equal(encode_drop_reason_name(CA_DROP_MAP_FULL), "map_full");
	assert_string_equal(encode_drop_reason_name(CA_DROP_READ_FAULT), "read_fault");
	assert_string_equal(encode_drop_reason_name(CA_DROP_TRUNCATED), "truncated");
	assert_string_equal(encode_drop_reason_name(CA_DROP_NO_ENTER), "no_enter");
	assert_string_equal(encode_drop_reason_name(CA_DROP__COUNT), "unknown");
	assert_string_equal(encode_drop_reason_name(~0u), "unknown");
}

static void test_agent_begin(void **state)
{
	struct json_object *root;

	(void)state;
	encode_agent_begin(&jw, &ctx, 3, EV_REAL, "agent.start");
	jw_object_begin(&jw, "agent");
	jw_cstring(&jw, "version", "0.1.0");
	jw_object_end(&jw);
	jw_object_end(&jw);
	root = parse_out(&jw);
	juint(root, "schema", 1);
	juint(root, "seq", 3);
	jstr(root, "time", "2026-11-23T19:27:27.000000001Z");
	jstr(root, "host.name", "host1.example");
	jstr(root, "event", "agent.start");
	jstr(root, "category", "agent");
	jstr(root, "agent.version", "0.1.0");
	assert_int_equal(json_object_object_length(root), 7);
	json_object_put(root);
}

/* ---- property: random records ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Slot bytes: mostly text and path characters, with NULs, controls and high bytes. */
static void rnd_bytes(uint8_t *p, size_t n)
{
	static const char alpha[] = "/./..ab\\\"\n\t \x7f\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80";

	for (size_t i = 0; i < n; i++) {
		uint64_t v = rnd();

		switch (v % 4) {
		case 0:
			p[i] = (uint8_t)(v >> 8);
			break;
		case 1:
			p[i] = (uint8_t)alpha[(v >> 8) % (sizeof(alpha) - 1)];
			break;
		default:
			p[i] = (uint8_t)('a' + (v >> 8) % 26);
			break;
		}
	}
}

static void test_random_records(void **state)
{
	uint8_t *buf = malloc(CA_EVENT_MAX);
	unsigned rows = syscall_table_count();
	unsigned per_type[CA_EV__MAX] = { 0 };

	(void)state;
	assert_non_null(buf);
	for (int iter = 0; iter < 5000; iter++) {
		struct ca_event *ev = (struct ca_event *)buf;
		struct enc_proc p = { 0 };
		struct json_object *root;
		struct ca_decoded d;
		size_t off = sizeof(*ev), size;
		uint16_t type;
		int r;

		/* random header bytes ... */
		rnd_bytes(buf, sizeof(*ev));
		for (size_t i = 0; i < sizeof(*ev); i += 8) {
			uint64_t v = rnd();

			memcpy(buf + i, &v, 8);
		}
		/* ... then a valid type, syscall and slot layout */
		type = (uint16_t)(CA_EV_PROC_EXEC + rnd() % (CA_EV_SYSCALL - CA_EV_PROC_EXEC + 1));
		ev->type = type;
		per_type[type]++;
		if (type == CA_EV_SYSCALL || rnd() % 2)
			ev->syscall_nr = (uint32_t)syscall_table_at((unsigned)(rnd() % rows))->nr;
		for (int i = 0; i < CA_S__COUNT; i++) {
			size_t n = 0;

			switch (rnd() % 4) {
			case 0:
				break;
			case 1:
				n = rnd() % 8;
				break;
			case 2:
				n = rnd() % 64;
				break;
			default:
				n = rnd() % (rnd() % 8 ? 300 : 4000);
				break;
			}
			ev->str_len[i] = (uint16_t)n;
			rnd_bytes(buf + off, n);
			/* sometimes make a path absolute so it resolves */
			if (n && rnd() % 2)
				buf[off] = '/';
			off += n;
		}
		size = off + rnd() % 8;
		ev->size = (uint32_t)size;
		assert_int_equal(event_decode(buf, size, &d), (int)size);
		if (rnd() % 2) {
			p.exe = d.str[CA_S_CWD];
			p.exe_len = d.len[CA_S_CWD];
			p.args = d.str[CA_S_AUX];
			p.args_len = d.len[CA_S_AUX];
			p.args_truncated = (int)(rnd() % 2);
			p.cwd = d.str[CA_S_EXE];
			p.cwd_len = d.len[CA_S_EXE];
		}
		r = encode_event(&jw, rnd() % 2 ? &ctx : &ctx_noname, rnd(), &d,
				 rnd() % 2 ? &p : NULL);
		if (r)
			fail_msg("iteration %d: encode_event %d", iter, r);
		root = parse_out(&jw);
		assert_non_null(jlookup(root, "proc", &r));
		assert_true(r);
		json_object_put(root);
	}
	for (int t = CA_EV_PROC_EXEC; t <= CA_EV_SYSCALL; t++)
		assert_true(per_type[t] > 500);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_common_fields),
		cmocka_unit_test(test_cgroup_container),
		cmocka_unit_test(test_time_exact),
		cmocka_unit_test(test_encode_time_negative),
		cmocka_unit_test(test_exec_id_stable),
		cmocka_unit_test(test_auid_session_unset),
		cmocka_unit_test(test_user_name_callback),
		cmocka_unit_test(test_tty),
		cmocka_unit_test(test_comm_tty_16_bytes),
		cmocka_unit_test(test_proc_from_cache),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_open_kernel_path),
		cmocka_unit_test(test_open_read_only),
		cmocka_unit_test(test_open_directory_tmpfile),
		cmocka_unit_test(test_open_relative_resolved),
		cmocka_unit_test(test_failure_errno),
		cmocka_unit_test(test_unlinkat_rmdir),
		cmocka_unit_test(test_chown),
		cmocka_unit_test(test_setxattr),
		cmocka_unit_test(test_symlink),
		cmocka_unit_test(test_relative_path_no_base),
		cmocka_unit_test(test_file_flags_and_bytes),
		cmocka_unit_test(test_exec_args),
		cmocka_unit_test(test_exec_args_invalid_utf8),
		cmocka_unit_test(test_exec_args_truncated),
		cmocka_unit_test(test_exec_fail),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_unencodable),
		cmocka_unit_test(test_output_limit),
		cmocka_unit_test(test_drop_reason_names),
		cmocka_unit_test(test_agent_begin),
		cmocka_unit_test(test_random_records),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
