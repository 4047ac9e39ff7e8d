/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Schema v1 bodies of network, privilege, system and signal records
 * (docs/schema.md). Pure: binary payloads are copied out of the record after
 * their size is checked, never cast in place (the ring buffer gives no
 * alignment for string slots).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "encode_priv.h"

#define CA_AF_UNIX 1
#define CA_AF_INET 2
#define CA_AF_INET6 10

const char *encode_category(const char *event)
{
	static const struct {
		const char *prefix;
		const char *category;
	} map[] = {
		{ "file.", "file" },	     { "process.", "process" }, { "net.", "network" },
		{ "privilege.", "privilege" }, { "system.", "system" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(event, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].category;
	return "other";
}

/* A string slot as a member, or null when absent. */
static void slot_member(struct jsonw *w, const char *key, const struct ca_decoded *d, int slot)
{
	if (d->str[slot])
		jw_string(w, key, d->str[slot], d->len[slot]);
	else
		jw_null(w, key);
}

static void write_ip(struct jsonw *w, const char *key, unsigned family, const uint8_t *addr)
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == CA_AF_INET6 ? AF_INET6 : AF_INET, addr, buf, sizeof(buf)))
		jw_null(w, key);
	else
		jw_cstring(w, key, buf);
}

void encode_origin(struct jsonw *w, const struct ca_origin *o)
{
	if (o->family != CA_AF_INET && o->family != CA_AF_INET6)
		return;
	jw_object_begin(w, "origin");
	write_ip(w, "ip", o->family, o->addr);
	jw_uint(w, "port", o->port);
	jw_string(w, "service", o->service, strnlen(o->service, sizeof(o->service)));
	jw_object_end(w);
}

static const char *family_name(unsigned family)
{
	switch (family) {
	case CA_AF_UNIX: return "unix";
	case CA_AF_INET: return "inet";
	case CA_AF_INET6: return "inet6";
	case 16: return "netlink";
	case 17: return "packet";
	default: return "other";
	}
}

static const char *proto_name(const struct ca_net_info *ni)
{
	if (ni->family == CA_AF_UNIX)
		return "unix";
	if (ni->family != CA_AF_INET && ni->family != CA_AF_INET6)
		return "other";
	switch (ni->type) {
	case SOCK_STREAM: return ni->protocol == 262 ? "mptcp" : "tcp";
	case SOCK_DGRAM:
		if (ni->protocol == 1 || ni->protocol == 58)
			return "icmp";
		return "udp";
	case SOCK_RAW: return "raw";
	default: return "other";
	}
}

static const char *unix_type_name(unsigned type)
{
	switch (type) {
	case SOCK_STREAM: return "stream";
	case SOCK_DGRAM: return "dgram";
	case SOCK_SEQPACKET: return "seqpacket";
	default: return "other";
	}
}

static void write_endpoint(struct jsonw *w, const char *key, int have, unsigned family,
			   const uint8_t *addr, unsigned port)
{
	if (!have || (family != CA_AF_INET && family != CA_AF_INET6)) {
		jw_null(w, key);
		return;
	}
	jw_object_begin(w, key);
	write_ip(w, "ip", family, addr);
	jw_uint(w, "port", port);
	jw_object_end(w);
}

void encode_net(struct jsonw *w, const struct ca_decoded *d, const struct ca_syscall_info *si)
{
	const struct ca_event *ev = d->ev;
	struct ca_net_info ni;
	int accept = strcmp(si->event, "net.accept") == 0;

	memset(&ni, 0, sizeof(ni));
	if (d->str[CA_S_AUX] && d->len[CA_S_AUX] == sizeof(ni))
		memcpy(&ni, d->str[CA_S_AUX], sizeof(ni));
	jw_object_begin(w, "net");
	jw_cstring(w, "proto", proto_name(&ni));
	jw_cstring(w, "family", family_name(ni.family));
	if (ni.family == CA_AF_UNIX)
		jw_cstring(w, "type", unix_type_name(ni.type));
	write_endpoint(w, "src", ni.flags & CA_NET_HAVE_SRC, ni.family, ni.saddr, ni.sport);
	write_endpoint(w, "dst", ni.flags & CA_NET_HAVE_DST, ni.family, ni.daddr, ni.dport);
	if (ni.family == CA_AF_UNIX) {
		slot_member(w, "unix_path", d, CA_S_PATH);
		if (ni.flags & CA_NET_UNIX_ABSTRACT)
			jw_bool(w, "unix_abstract", 1);
	}
	/* accept: the new connection's fd; otherwise the socket the call used */
	jw_int(w, "fd", accept && ev->ret >= 0 ? ev->ret : (int32_t)ev->args[0]);
	jw_object_end(w);
}

static void write_creds(struct jsonw *w, const char *key, const struct ca_creds *c)
{
	uint32_t n = c->ngroups < CA_GROUPS_MAX ? c->ngroups : CA_GROUPS_MAX;

	jw_object_begin(w, key);
	jw_uint(w, "uid", c->uid);
	jw_uint(w, "euid", c->euid);
	jw_uint(w, "suid", c->suid);
	jw_uint(w, "fsuid", c->fsuid);
	jw_uint(w, "gid", c->gid);
	jw_uint(w, "egid", c->egid);
	jw_uint(w, "sgid", c->sgid);
	jw_uint(w, "fsgid", c->fsgid);
	jw_array_begin(w, "groups");
	for (uint32_t i = 0; i < n; i++)
		jw_uint(w, NULL, c->groups[i]);
	jw_array_end(w);
	if (c->ngroups > CA_GROUPS_MAX)
		jw_uint(w, "groups_total", c->ngroups);
	jw_object_begin(w, "caps");
	jw_hex64(w, "effective", c->cap_effective);
	jw_hex64(w, "permitted", c->cap_permitted);
	jw_hex64(w, "inheritable", c->cap_inheritable);
	jw_object_end(w);
	jw_object_end(w);
}

void encode_cred(struct jsonw *w, const struct ca_decoded *d)
{
	struct ca_cred_change cc;

	jw_object_begin(w, "cred");
	if (!d->str[CA_S_AUX] || d->len[CA_S_AUX] != sizeof(cc)) {
		jw_null(w, "old");
		jw_null(w, "new");
	} else {
		memcpy(&cc, d->str[CA_S_AUX], sizeof(cc));
		if (d->ev->flags & CA_F_NO_ENTER)
			jw_null(w, "old");
		else
			write_creds(w, "old", &cc.old);
		write_creds(w, "new", &cc.new);
	}
	jw_object_end(w);
}

static void write_signal_name(struct jsonw *w, uint64_t sig)
{
	const char *abbrev = sig < 65 ? sigabbrev_np((int)sig) : NULL;
	char buf[24];

	if (abbrev) {
		snprintf(buf, sizeof(buf), "SIG%s", abbrev);
		jw_cstring(w, "name", buf);
	} else if (sig >= 34 && sig <= 64) {
		snprintf(buf, sizeof(buf), "SIGRT%u", (unsigned)(sig - 34));
		jw_cstring(w, "name", buf);
	} else {
		jw_null(w, "name");
	}
	jw_uint(w, "nr", sig);
}

void encode_signal(struct jsonw *w, const struct enc_ctx *c, const struct ca_decoded *d)
{
	static const char *const results[] = { "delivered", "ignored", "already_pending",
					       "overflow_fail", "lose_info" };
	const struct ca_event *ev = d->ev;
	uint64_t ids = ev->aux[CA_AUX_SIG_TARGET_UID], res = ev->aux[CA_AUX_SIG_RESULT];
	uint32_t target = (uint32_t)ev->aux[CA_AUX_SIG_TARGET];

	jw_object_begin(w, "signal");
	write_signal_name(w, ev->aux[CA_AUX_SIG_NR]);
	jw_object_begin(w, "target");
	jw_uint(w, "pid", target);
	encode_id(w, "uid", (uint32_t)ids);
	encode_id(w, "euid", (uint32_t)(ids >> 32));
	slot_member(w, "comm", d, CA_S_AUX);
	jw_bool(w, "agent", c->agent_pid && target == c->agent_pid);
	jw_object_end(w);
	if (res < sizeof(results) / sizeof(results[0]))
		jw_cstring(w, "result", results[res]);
	else
		jw_uint(w, "result", res);
	jw_object_end(w);
}

struct nr_name {
	uint64_t nr;
	const char *name;
};

static const char *nr_lookup(const struct nr_name *t, size_t n, uint64_t nr)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].nr == nr)
			return t[i].name;
	return NULL;
}

#define NR_LOOKUP(t, nr) nr_lookup(t, sizeof(t) / sizeof(t[0]), nr)

static const struct nr_name ptrace_requests[] = {
	{ 0, "PTRACE_TRACEME" },      { 4, "PTRACE_POKETEXT" },      { 5, "PTRACE_POKEDATA" },
	{ 6, "PTRACE_POKEUSER" },     { 13, "PTRACE_SETREGS" },      { 15, "PTRACE_SETFPREGS" },
	{ 16, "PTRACE_ATTACH" },      { 19, "PTRACE_SETFPXREGS" },   { 0x4203, "PTRACE_SETSIGINFO" },
	{ 0x4205, "PTRACE_SETREGSET" }, { 0x4206, "PTRACE_SEIZE" },
};

static const struct nr_name bpf_cmds[] = {
	{ 0, "BPF_MAP_CREATE" },	{ 2, "BPF_MAP_UPDATE_ELEM" },
	{ 3, "BPF_MAP_DELETE_ELEM" },	{ 5, "BPF_PROG_LOAD" },
	{ 6, "BPF_OBJ_PIN" },		{ 7, "BPF_OBJ_GET" },
	{ 8, "BPF_PROG_ATTACH" },	{ 9, "BPF_PROG_DETACH" },
	{ 10, "BPF_PROG_TEST_RUN" },	{ 13, "BPF_PROG_GET_FD_BY_ID" },
	{ 14, "BPF_MAP_GET_FD_BY_ID" }, { 17, "BPF_RAW_TRACEPOINT_OPEN" },
	{ 18, "BPF_BTF_LOAD" },		{ 21, "BPF_MAP_LOOKUP_AND_DELETE_ELEM" },
	{ 22, "BPF_MAP_FREEZE" },	{ 25, "BPF_MAP_LOOKUP_AND_DELETE_BATCH" },
	{ 26, "BPF_MAP_UPDATE_BATCH" }, { 27, "BPF_MAP_DELETE_BATCH" },
	{ 28, "BPF_LINK_CREATE" },	{ 29, "BPF_LINK_UPDATE" },
	{ 30, "BPF_LINK_GET_FD_BY_ID" }, { 32, "BPF_ENABLE_STATS" },
	{ 33, "BPF_ITER_CREATE" },	{ 34, "BPF_LINK_DETACH" },
	{ 35, "BPF_PROG_BIND_MAP" },	{ 36, "BPF_TOKEN_CREATE" },
};

static const struct nr_name clone_flags[] = {
	{ 0x00000200, "CLONE_FS" },	   { 0x00000400, "CLONE_FILES" },
	{ 0x00020000, "CLONE_NEWNS" },	   { 0x00040000, "CLONE_SYSVSEM" },
	{ 0x02000000, "CLONE_NEWCGROUP" }, { 0x04000000, "CLONE_NEWUTS" },
	{ 0x08000000, "CLONE_NEWIPC" },	   { 0x10000000, "CLONE_NEWUSER" },
	{ 0x20000000, "CLONE_NEWPID" },	   { 0x40000000, "CLONE_NEWNET" },
	{ 0x00000080, "CLONE_NEWTIME" },
};

static void write_target_pid(struct jsonw *w, uint64_t pid)
{
	jw_object_begin(w, "target");
	jw_int(w, "pid", (int32_t)pid);
	jw_object_end(w);
}

/* process.* bodies; returns 0 when si is not one of them */
static int encode_process_op(struct jsonw *w, const struct ca_decoded *d, const char *name)
{
	const __u64 *a = d->ev->args;

	if (strcmp(name, "ptrace") == 0) {
		jw_object_begin(w, "ptrace");
		jw_cstring(w, "request", NR_LOOKUP(ptrace_requests, a[0]));
		jw_uint(w, "request_nr", a[0]);
		write_target_pid(w, a[1]);
		jw_object_end(w);
	} else if (strcmp(name, "process_vm_writev") == 0) {
		write_target_pid(w, a[0]);
	} else if (strcmp(name, "memfd_create") == 0) {
		jw_object_begin(w, "memfd");
		slot_member(w, "name", d, CA_S_AUX);
		jw_uint(w, "flags", a[1]);
		jw_object_end(w);
	} else if (strcmp(name, "kill") == 0 || strcmp(name, "tkill") == 0 ||
		   strcmp(name, "tgkill") == 0) {
		int tg = strcmp(name, "tgkill") == 0;

		jw_object_begin(w, "signal");
		write_signal_name(w, tg ? a[2] : a[1]);
		write_target_pid(w, a[0]);
		jw_object_end(w);
	} else {
		return 0;
	}
	return 1;
}

static void write_time_change(struct jsonw *w, const struct ca_decoded *d, const char *name)
{
	const struct ca_event *ev = d->ev;
	int is_clock = strncmp(name, "clock_", 6) == 0;

	if (is_clock)
		jw_int(w, "clock", (int32_t)ev->args[0]);
	else
		jw_null(w, "clock");
	if (strstr(name, "adjtime")) {
		jw_uint(w, "modes", ev->aux[CA_AUX_SYS_0]);
		return;
	}
	jw_int(w, "sec", (int64_t)ev->aux[CA_AUX_SYS_0]);
	jw_int(w, "nsec", (int64_t)ev->aux[CA_AUX_SYS_1]);
}

static void write_system(struct jsonw *w, const struct ca_decoded *d,
			 const struct ca_syscall_info *si)
{
	const char *name = si->name;
	const struct ca_event *ev = d->ev;
	const __u64 *a = ev->args;
	int kpath = !!(ev->flags & CA_F_PATH_KERNEL), kpath2 = !!(ev->flags & CA_F_PATH2_KERNEL);

	jw_object_begin(w, "system");
	if (strcmp(name, "mount") == 0) {
		slot_member(w, "source", d, CA_S_AUX);
		encode_path(w, "target", d, CA_S_PATH, kpath);
		slot_member(w, "fstype", d, CA_S_AUX2);
		jw_uint(w, "flags", a[3]);
	} else if (strcmp(name, "umount") == 0) {
		encode_path(w, "target", d, CA_S_PATH, kpath);
		jw_uint(w, "flags", a[1]);
	} else if (strcmp(name, "move_mount") == 0) {
		encode_path(w, "from", d, CA_S_PATH, kpath);
		encode_path(w, "to", d, CA_S_PATH2, kpath2);
		jw_uint(w, "flags", a[4]);
	} else if (strcmp(name, "fsmount") == 0) {
		jw_int(w, "fd", (int32_t)a[0]);
		jw_uint(w, "flags", a[1]);
	} else if (strcmp(name, "pivot_root") == 0) {
		encode_path(w, "new_root", d, CA_S_PATH, kpath);
		encode_path(w, "put_old", d, CA_S_PATH2, kpath2);
	} else if (strcmp(name, "chroot") == 0) {
		encode_path(w, "path", d, CA_S_PATH, kpath);
	} else if (strcmp(name, "unshare") == 0) {
		jw_uint(w, "flags", a[0]);
		jw_array_begin(w, "flag_names");
		for (size_t i = 0; i < sizeof(clone_flags) / sizeof(clone_flags[0]); i++)
			if (a[0] & clone_flags[i].nr)
				jw_cstring(w, NULL, clone_flags[i].name);
		jw_array_end(w);
	} else if (strcmp(name, "setns") == 0) {
		jw_int(w, "fd", (int32_t)a[0]);
		slot_member(w, "ns", d, CA_S_PATH);
		jw_uint(w, "nstype", a[1]);
	} else if (strcmp(name, "init_module") == 0 || strcmp(name, "finit_module") == 0) {
		if (name[0] == 'f')
			jw_int(w, "fd", (int32_t)a[0]);
		else
			jw_null(w, "fd");
		encode_path(w, "path", d, CA_S_PATH, kpath);
		slot_member(w, "params", d, CA_S_AUX);
	} else if (strcmp(name, "delete_module") == 0) {
		slot_member(w, "name", d, CA_S_AUX);
		jw_uint(w, "flags", a[1]);
	} else if (strcmp(name, "bpf") == 0) {
		jw_cstring(w, "cmd", NR_LOOKUP(bpf_cmds, a[0]));
		jw_uint(w, "cmd_nr", a[0]);
		if (a[0] == 5)
			jw_uint(w, "prog_type", ev->aux[CA_AUX_SYS_0]);
		else if (a[0] == 0)
			jw_uint(w, "map_type", ev->aux[CA_AUX_SYS_0]);
		if (a[0] == 5 || a[0] == 0)
			slot_member(w, "name", d, CA_S_AUX);
	} else if (strcmp(name, "perf_event_open") == 0) {
		jw_uint(w, "type", ev->aux[CA_AUX_SYS_0]);
		jw_uint(w, "config", ev->aux[CA_AUX_SYS_1]);
		jw_int(w, "pid", (int32_t)a[1]);
		jw_int(w, "cpu", (int32_t)a[2]);
		jw_uint(w, "flags", a[4]);
	} else if (strcmp(name, "kexec_load") == 0 || strcmp(name, "kexec_file_load") == 0) {
		jw_uint(w, "flags", name[6] == 'f' ? a[4] : a[3]);
		slot_member(w, "cmdline", d, CA_S_AUX);
	} else if (strcmp(name, "reboot") == 0) {
		char buf[24];

		snprintf(buf, sizeof(buf), "0x%08llx", (unsigned long long)(a[2] & 0xffffffffu));
		jw_cstring(w, "cmd", buf);
	} else if (strcmp(name, "sethostname") == 0 || strcmp(name, "setdomainname") == 0) {
		slot_member(w, "name", d, CA_S_AUX);
	} else if (strcmp(si->event, "system.time_change") == 0) {
		write_time_change(w, d, name);
	}
	jw_object_end(w);
}

void encode_sys(struct jsonw *w, const struct ca_decoded *d, const struct ca_syscall_info *si)
{
	if (strncmp(si->event, "process.", 8) == 0) {
		encode_process_op(w, d, si->name);
		return;
	}
	write_system(w, d, si);
}
