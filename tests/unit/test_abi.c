/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Unit tests for the kernel -> user record ABI (include/caudit_event.h) and
 * the syscall table built from include/caudit_syscalls.def: every field's
 * offset, no implicit padding, fixed enum values, the record size bound the
 * BPF side relies on, and the consistency of every table row.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "caudit_event.h"
#include "syscall_table.h"

/* Mirrors of bpf/record.bpf.h, which only the BPF side can include. */
#define BPF_OFF_MASK (32768 - 1)
#define BPF_OFF_LIMIT (32768 - 1)

/* ---- layout helpers ---- */

struct field {
	const char *name;
	size_t off;    /* actual offsetof */
	size_t size;   /* sizeof the member */
	size_t align;  /* _Alignof the member's type */
	size_t want;   /* expected offset, written out by hand */
};

#define FIELD(type, f, expect)                                                             \
	{ #f, offsetof(type, f), sizeof(((type *)0)->f),                                   \
	  _Alignof(__typeof__(((type *)0)->f)), expect }

/*
 * Fields in declaration order: each at its hand-written offset, each right
 * after the previous one (no implicit padding), scalars of 8 bytes 8-aligned,
 * and the sizes adding up to sizeof the struct (no tail padding).
 */
static void check_layout(const char *type, const struct field *f, size_t n, size_t size)
{
	size_t sum = 0, next = 0;

	for (size_t i = 0; i < n; i++) {
		if (f[i].off != f[i].want || f[i].off != next)
			fail_msg("%s.%s at %zu, want %zu (previous field ends at %zu)", type,
				 f[i].name, f[i].off, f[i].want, next);
		assert_int_equal(f[i].off % f[i].align, 0);
		if (f[i].size == 8 || f[i].align == 8)
			assert_int_equal(f[i].off % 8, 0);
		sum += f[i].size;
		next = f[i].off + f[i].size;
	}
	if (sum != size)
		fail_msg("%s: members add up to %zu bytes, sizeof is %zu", type, sum, size);
}

#define CHECK_LAYOUT(type, fields) \
	check_layout(#type, fields, sizeof(fields) / sizeof(fields[0]), sizeof(type))

/* ---- layouts ---- */

static void test_task_info_layout(void **state)
{
	static const struct field f[] = {
		FIELD(struct ca_task_info, start_boottime, 0),
		FIELD(struct ca_task_info, parent_start_boottime, 8),
		FIELD(struct ca_task_info, cgroup_id, 16),
		FIELD(struct ca_task_info, cap_effective, 24),
		FIELD(struct ca_task_info, pid, 32),
		FIELD(struct ca_task_info, tid, 36),
		FIELD(struct ca_task_info, ppid, 40),
		FIELD(struct ca_task_info, uid, 44),
		FIELD(struct ca_task_info, euid, 48),
		FIELD(struct ca_task_info, suid, 52),
		FIELD(struct ca_task_info, fsuid, 56),
		FIELD(struct ca_task_info, gid, 60),
		FIELD(struct ca_task_info, egid, 64),
		FIELD(struct ca_task_info, sgid, 68),
		FIELD(struct ca_task_info, fsgid, 72),
		FIELD(struct ca_task_info, auid, 76),
		FIELD(struct ca_task_info, sessionid, 80),
		FIELD(struct ca_task_info, ns_pid, 84),
		FIELD(struct ca_task_info, ns_mnt, 88),
		FIELD(struct ca_task_info, ns_net, 92),
		FIELD(struct ca_task_info, ns_user, 96),
		FIELD(struct ca_task_info, self_exec_id, 100),
		FIELD(struct ca_task_info, parent_self_exec_id, 104),
		FIELD(struct ca_task_info, ns_uts, 108),
		FIELD(struct ca_task_info, ns_ipc, 112),
		FIELD(struct ca_task_info, ns_cgroup, 116),
		FIELD(struct ca_task_info, comm, 120),
		FIELD(struct ca_task_info, tty, 136),
		FIELD(struct ca_task_info, origin, 152),
	};
	static const struct field o[] = {
		FIELD(struct ca_origin, addr, 0),
		FIELD(struct ca_origin, family, 16),
		FIELD(struct ca_origin, port, 18),
		FIELD(struct ca_origin, _pad0, 20),
		FIELD(struct ca_origin, service, 24),
	};

	(void)state;
	CHECK_LAYOUT(struct ca_task_info, f);
	CHECK_LAYOUT(struct ca_origin, o);
	assert_int_equal(sizeof(struct ca_task_info), 192);
	assert_int_equal(sizeof(((struct ca_task_info *)0)->comm), CA_COMM_LEN);
	assert_int_equal(sizeof(((struct ca_task_info *)0)->tty), CA_TTY_LEN);
	assert_int_equal(_Alignof(struct ca_task_info), 8);
}

static void test_event_layout(void **state)
{
	static const struct field f[] = {
		FIELD(struct ca_event, size, 0),
		FIELD(struct ca_event, type, 4),
		FIELD(struct ca_event, flags, 6),
		FIELD(struct ca_event, boot_ns, 8),
		FIELD(struct ca_event, ret, 16),
		FIELD(struct ca_event, args, 24),
		FIELD(struct ca_event, aux, 72),
		FIELD(struct ca_event, syscall_nr, 104),
		FIELD(struct ca_event, str_len, 108),
		FIELD(struct ca_event, policy_gen, 124),
		FIELD(struct ca_event, policy_rule, 128),
		FIELD(struct ca_event, _pad0, 132),
		FIELD(struct ca_event, obj, 136),
		FIELD(struct ca_event, task, 160),
	};
	const struct ca_event *e = NULL;

	(void)state;
	CHECK_LAYOUT(struct ca_event, f);
	assert_int_equal(sizeof(struct ca_event), 352);
	assert_int_equal(sizeof(e->args), 6 * 8);
	assert_int_equal(sizeof(e->aux), 4 * 8);
	assert_int_equal(sizeof(e->str_len), CA_S__COUNT * 2);
	assert_int_equal(sizeof(e->str_len[0]), 2);
	/* records follow each other 8-aligned in the ring buffer */
	assert_int_equal(sizeof(struct ca_event) % 8, 0);
	assert_int_equal(_Alignof(struct ca_event), 8);
	/* the aux indexes stay inside aux[] */
	assert_true(CA_AUX_FORK_CHILD_PID < 4 && CA_AUX_FORK_CHILD_START < 4);
	assert_true(CA_AUX_EXIT_CODE < 4 && CA_AUX_OPEN_FLAGS < 4 && CA_AUX_OPEN_MODE < 4);
	assert_true(CA_AUX_EXEC_OLD_PID < 4);
	assert_int_not_equal(CA_AUX_FORK_CHILD_PID, CA_AUX_FORK_CHILD_START);
	assert_int_not_equal(CA_AUX_OPEN_FLAGS, CA_AUX_OPEN_MODE);
}

static void test_sc_desc_layout(void **state)
{
	static const struct field f[] = {
		FIELD(struct ca_sc_desc, kind, 0),
		FIELD(struct ca_sc_desc, wanted, 1),
		FIELD(struct ca_sc_desc, path_arg, 2),
		FIELD(struct ca_sc_desc, dirfd_arg, 3),
		FIELD(struct ca_sc_desc, path2_arg, 4),
		FIELD(struct ca_sc_desc, dirfd2_arg, 5),
		FIELD(struct ca_sc_desc, fd_arg, 6),
		FIELD(struct ca_sc_desc, aux_arg, 7),
		FIELD(struct ca_sc_desc, flags_arg, 8),
		FIELD(struct ca_sc_desc, mode_arg, 9),
		FIELD(struct ca_sc_desc, flags, 10),
		FIELD(struct ca_sc_desc, owner_arg, 12),
		FIELD(struct ca_sc_desc, _pad0, 13),
	};

	(void)state;
	CHECK_LAYOUT(struct ca_sc_desc, f);
	assert_int_equal(sizeof(struct ca_sc_desc), 16);
	assert_int_equal(sizeof(((struct ca_sc_desc *)0)->_pad0), 3);
}

static void test_payload_layouts(void **state)
{
	static const struct field n[] = {
		FIELD(struct ca_net_info, family, 0),
		FIELD(struct ca_net_info, type, 2),
		FIELD(struct ca_net_info, protocol, 4),
		FIELD(struct ca_net_info, sport, 6),
		FIELD(struct ca_net_info, dport, 8),
		FIELD(struct ca_net_info, flags, 10),
		FIELD(struct ca_net_info, _pad0, 12),
		FIELD(struct ca_net_info, saddr, 16),
		FIELD(struct ca_net_info, daddr, 32),
	};
	static const struct field c[] = {
		FIELD(struct ca_creds, uid, 0),
		FIELD(struct ca_creds, euid, 4),
		FIELD(struct ca_creds, suid, 8),
		FIELD(struct ca_creds, fsuid, 12),
		FIELD(struct ca_creds, gid, 16),
		FIELD(struct ca_creds, egid, 20),
		FIELD(struct ca_creds, sgid, 24),
		FIELD(struct ca_creds, fsgid, 28),
		FIELD(struct ca_creds, cap_effective, 32),
		FIELD(struct ca_creds, cap_permitted, 40),
		FIELD(struct ca_creds, cap_inheritable, 48),
		FIELD(struct ca_creds, ngroups, 56),
		FIELD(struct ca_creds, _pad0, 60),
		FIELD(struct ca_creds, groups, 64),
	};

	(void)state;
	CHECK_LAYOUT(struct ca_net_info, n);
	CHECK_LAYOUT(struct ca_creds, c);
	assert_int_equal(sizeof(struct ca_cred_change), 2 * sizeof(struct ca_creds));
	/* the cred payload must fit a record together with its header */
	assert_true(sizeof(struct ca_event) + sizeof(struct ca_cred_change) < CA_EVENT_MAX);
}

/* Every ia32 row names a captured 64-bit syscall, once. */
static void test_ia32_table(void **state)
{
	int seen[CA_SYSCALL_MAX] = { 0 };

	(void)state;
	assert_true(syscall_table_ia32_count() > 60);
	for (unsigned i = 0; i < syscall_table_ia32_count(); i++) {
		unsigned nr32 = 0;
		const struct ca_syscall_info *si = syscall_table_ia32_at(i, &nr32);

		if (!si)
			fail_msg("ia32 row %u names no captured syscall", i);
		assert_true(nr32 < CA_SYSCALL_MAX);
		assert_int_equal(seen[nr32], 0);
		seen[nr32] = 1;
	}
	/* spot checks against the i386 syscall table */
	{
		unsigned nr32 = 0;

		assert_string_equal(syscall_table_ia32_at(0, &nr32)->name, "open");
		assert_int_equal(nr32, 5);
	}
}

static void test_runtime_cfg_layout(void **state)
{
	static const struct field f[] = {
		FIELD(struct ca_runtime_cfg, agent_tgid, 0),
		FIELD(struct ca_runtime_cfg, capture_read_opens, 4),
		FIELD(struct ca_runtime_cfg, uid_include_active, 8),
		FIELD(struct ca_runtime_cfg, comm_include_active, 12),
		FIELD(struct ca_runtime_cfg, args_max, 16),
		FIELD(struct ca_runtime_cfg, udp_sends_per_sec, 20),
		FIELD(struct ca_runtime_cfg, wakeup_bytes, 24),
	};

	(void)state;
	CHECK_LAYOUT(struct ca_runtime_cfg, f);
	assert_int_equal(sizeof(struct ca_runtime_cfg), 32);
}

/* ---- fixed numbers ---- */

static void test_enum_values(void **state)
{
	(void)state;
	assert_int_equal(CA_ABI_VERSION, 3);

	assert_int_equal(CA_EV_NONE, 0);
	assert_int_equal(CA_EV_PROC_EXEC, 1);
	assert_int_equal(CA_EV_PROC_EXEC_FAIL, 2);
	assert_int_equal(CA_EV_PROC_FORK, 3);
	assert_int_equal(CA_EV_PROC_EXIT, 4);
	assert_int_equal(CA_EV_SYSCALL, 5);
	assert_int_equal(CA_EV_TASK_SNAPSHOT, 6);
	assert_int_equal(CA_EV_SIGNAL, 7);
	assert_int_equal(CA_EV__MAX, 8);

	assert_int_equal(CA_S_PATH, 0);
	assert_int_equal(CA_S_PATH_BASE, 1);
	assert_int_equal(CA_S_PATH2, 2);
	assert_int_equal(CA_S_PATH2_BASE, 3);
	assert_int_equal(CA_S_EXE, 4);
	assert_int_equal(CA_S_ARGS, 5);
	assert_int_equal(CA_S_CWD, 6);
	assert_int_equal(CA_S_AUX, 7);
	assert_int_equal(CA_S__COUNT, 8);
	/* the encoder finds a path's base in the next slot */
	assert_int_equal(CA_S_PATH_BASE, CA_S_PATH + 1);
	assert_int_equal(CA_S_PATH2_BASE, CA_S_PATH2 + 1);

	assert_int_equal(CA_DROP_RINGBUF_FULL, 0);
	assert_int_equal(CA_DROP_MAP_FULL, 1);
	assert_int_equal(CA_DROP_READ_FAULT, 2);
	assert_int_equal(CA_DROP_TRUNCATED, 3);
	assert_int_equal(CA_DROP_NO_ENTER, 4);
	assert_int_equal(CA_DROP_RATE_LIMITED, 5);
	assert_int_equal(CA_DROP__COUNT, 6);

	assert_int_equal(CA_SC_NONE, 0);
	assert_int_equal(CA_SC_EXEC, 1);
	assert_int_equal(CA_SC_OPEN, 2);
	assert_int_equal(CA_SC_FILE, 3);

	assert_int_equal(CA_FILTER_INCLUDE, 1);
	assert_int_equal(CA_FILTER_EXCLUDE, 2);
}

static void test_flag_values(void **state)
{
	(void)state;
	assert_int_equal(CA_F_ARGS_TRUNC, 0x01);
	assert_int_equal(CA_F_PATH_TRUNC, 0x02);
	assert_int_equal(CA_F_READ_FAULT, 0x04);
	assert_int_equal(CA_F_PATH_KERNEL, 0x08);
	assert_int_equal(CA_F_PATH2_KERNEL, 0x10);
	assert_int_equal(CA_F_NO_ENTER, 0x20);
	assert_int_equal(CA_F_EXE_MEMFD, 0x40);

	assert_int_equal(CA_SCF_RET_FD, 0x01);
	assert_int_equal(CA_SCF_OPEN_HOW, 0x02);
	assert_int_equal(CA_SCF_PATH_NULL_FD, 0x04);
	assert_int_equal(CA_SCF_EMPTY_PATH_FD, 0x08);
	assert_int_equal(CA_SCF_CREAT_FLAGS, 0x10);

	/* every value fits the field that carries it */
	assert_true(CA_EV__MAX - 1 <= UINT16_MAX);
	assert_true(CA_F_EXE_MEMFD <= UINT16_MAX);
	assert_true(CA_SCF_CREAT_FLAGS <= UINT16_MAX);
	assert_true(CA_SC_FILE <= UINT8_MAX);
}

static void test_constants(void **state)
{
	(void)state;
	assert_int_equal(CA_COMM_LEN, 16);
	assert_int_equal(CA_TTY_LEN, 16);
	assert_int_equal(CA_PATH_MAX, 4096);
	assert_int_equal(CA_NAME_MAX, 255);
	assert_int_equal(CA_ARGS_MAX, 8192);
	assert_int_equal(CA_EVENT_MAX, 40960);
	assert_int_equal(CA_SYSCALL_MAX, 512);
	assert_int_equal(CA_ARG_NONE, 0xff);
	/* a slot length is a __u16 */
	assert_true(CA_PATH_MAX <= UINT16_MAX);
	assert_true(CA_ARGS_MAX <= UINT16_MAX);
	/* syscall numbers fit the u32 field, and "none" is CA_SYSCALL_MAX */
	assert_true(CA_SYSCALL_MAX <= UINT32_MAX);
	/* the record size fits in the int event_decode() returns */
	assert_true(CA_EVENT_MAX <= INT32_MAX);
}

/*
 * The BPF side writes each string at (off & CA_OFF_MASK), up to CA_PATH_MAX
 * bytes for a path and CA_ARGS_MAX for argv, and only while off <=
 * CA_OFF_LIMIT. Walk the worst case (every slot at its longest, in slot
 * order) and check that no write can leave the CA_EVENT_MAX scratch record.
 */
static void test_event_max_bound(void **state)
{
	size_t off = sizeof(struct ca_event), end_max = 0, longest;

	(void)state;
	longest = CA_ARGS_MAX > CA_PATH_MAX ? CA_ARGS_MAX : CA_PATH_MAX;
	assert_true(sizeof(struct ca_event) <= BPF_OFF_LIMIT);
	/* worst single write: at the last allowed offset, the longest string */
	assert_true(BPF_OFF_LIMIT + longest <= CA_EVENT_MAX);
	assert_true((BPF_OFF_MASK & BPF_OFF_LIMIT) == BPF_OFF_LIMIT);
	assert_true(sizeof(struct ca_event) + (size_t)CA_S__COUNT * longest > BPF_OFF_LIMIT);

	/* repeat the whole sequence of slot appends until the limit stops it */
	for (int round = 0; round < 16; round++) {
		for (int s = 0; s < CA_S__COUNT; s++) {
			size_t len = s == CA_S_ARGS ? CA_ARGS_MAX : CA_PATH_MAX;
			size_t end;

			if (off > BPF_OFF_LIMIT)
				break; /* ca_room(): no more strings */
			end = (off & BPF_OFF_MASK) + len;
			assert_true(end <= CA_EVENT_MAX);
			if (end > end_max)
				end_max = end;
			off += len;
		}
	}
	assert_true(end_max <= CA_EVENT_MAX);
	/* ca_rec_submit() clamps the size it reports to the scratch size */
	assert_true(sizeof(struct ca_event) + CA_ARGS_MAX <= CA_EVENT_MAX);
}

/* ---- syscall table ---- */

static int arg_ok(uint8_t a)
{
	return a == CA_ARG_NONE || a < 6;
}

static void test_syscall_table_rows(void **state)
{
	unsigned n = syscall_table_count();
	uint8_t seen[CA_SYSCALL_MAX] = { 0 };

	(void)state;
	assert_true(n > 0);
	assert_null(syscall_table_at(n));
	assert_null(syscall_table_at(n + 100));
	for (unsigned i = 0; i < n; i++) {
		const struct ca_syscall_info *si = syscall_table_at(i);
		const struct ca_sc_desc *d;
		const char *nm;

		assert_non_null(si);
		d = &si->desc;
		assert_non_null(si->name);
		assert_non_null(si->event);
		/* unique number below CA_SYSCALL_MAX */
		if (si->nr < 0 || si->nr >= CA_SYSCALL_MAX)
			fail_msg("%s: nr %d out of range", si->name, si->nr);
		if (seen[si->nr])
			fail_msg("%s: nr %d used twice", si->name, si->nr);
		seen[si->nr] = 1;
		/* the x86_64 name table agrees */
		nm = syscall_name((unsigned)si->nr);
		/* rows are named after the kernel's tracepoint: sys_enter_umount is umount2 */
		if (strcmp(si->name, "umount") == 0)
			nm = nm && strcmp(nm, "umount2") == 0 ? "umount" : nm;
		if (!nm || strcmp(nm, si->name) != 0)
			fail_msg("row %s nr %d: syscall_name says %s", si->name, si->nr,
				 nm ? nm : "(null)");
		/* lookups find this very row */
		assert_ptr_equal(syscall_table_by_nr((unsigned)si->nr), si);
		assert_ptr_equal(syscall_table_by_name(si->name), si);
		/* argument indexes */
		if (!arg_ok(d->path_arg) || !arg_ok(d->dirfd_arg) || !arg_ok(d->path2_arg) ||
		    !arg_ok(d->dirfd2_arg) || !arg_ok(d->fd_arg) || !arg_ok(d->aux_arg) ||
		    !arg_ok(d->flags_arg) || !arg_ok(d->mode_arg) || !arg_ok(d->owner_arg))
			fail_msg("%s: argument index out of range", si->name);
		/* the gid follows the uid argument */
		assert_true(d->owner_arg == CA_ARG_NONE || d->owner_arg < 5);
		/* a dirfd only goes with its path */
		if (d->dirfd_arg != CA_ARG_NONE)
			assert_int_not_equal(d->path_arg, CA_ARG_NONE);
		if (d->dirfd2_arg != CA_ARG_NONE)
			assert_int_not_equal(d->path2_arg, CA_ARG_NONE);
		/* file operations name an object: a path or an fd */
		if (d->kind <= CA_SC_FILE)
			assert_true(d->path_arg != CA_ARG_NONE || d->fd_arg != CA_ARG_NONE);
		/* event names and kinds */
		if (strncmp(si->event, "file.", 5) != 0 && strncmp(si->event, "process.", 8) != 0 &&
		    strncmp(si->event, "net.", 4) != 0 && strncmp(si->event, "privilege.", 10) != 0 &&
		    strncmp(si->event, "system.", 7) != 0)
			fail_msg("%s: event %s", si->name, si->event);
		assert_int_equal(d->wanted, 1);
		assert_int_equal(d->_pad0[0] | d->_pad0[1] | d->_pad0[2], 0);
		switch (d->kind) {
		case CA_SC_OPEN:
			assert_string_equal(si->event, "file.open");
			assert_true(d->flags & CA_SCF_RET_FD);
			break;
		case CA_SC_EXEC:
			assert_string_equal(si->event, "process.exec");
			break;
		case CA_SC_FILE:
			assert_int_equal(strncmp(si->event, "file.", 5), 0);
			assert_string_not_equal(si->event, "file.open");
			break;
		case CA_SC_NET:
			assert_int_equal(strncmp(si->event, "net.", 4), 0);
			assert_int_equal(d->fd_arg, 0); /* the socket */
			break;
		case CA_SC_CRED:
			assert_int_equal(strncmp(si->event, "privilege.", 10), 0);
			assert_string_equal(si->event + 10, si->name);
			break;
		case CA_SC_SYS:
			if (strncmp(si->event, "system.", 7) != 0 &&
			    strncmp(si->event, "process.", 8) != 0)
				fail_msg("%s: event %s", si->name, si->event);
			break;
		case CA_SC_KILL:
			assert_string_equal(si->event, "process.signal");
			break;
		default:
			fail_msg("%s: kind %u", si->name, d->kind);
		}
		assert_int_equal(d->flags & ~0x1fu, 0);
	}
}

static void test_syscall_table_lookups(void **state)
{
	const struct ca_syscall_info *si;
	unsigned rows = 0;

	(void)state;
	/* by_nr answers exactly for the table's numbers */
	for (unsigned nr = 0; nr < CA_SYSCALL_MAX + 64; nr++) {
		si = syscall_table_by_nr(nr);
		if (si) {
			assert_int_equal(si->nr, nr);
			rows++;
		}
	}
	assert_int_equal(rows, syscall_table_count());
	assert_null(syscall_table_by_nr(CA_SYSCALL_MAX));
	assert_null(syscall_table_by_nr(UINT32_MAX));
	assert_null(syscall_table_by_name("read"));
	assert_null(syscall_table_by_name(""));
	assert_null(syscall_table_by_name("openat "));

	si = syscall_table_by_name("renameat2");
	assert_non_null(si);
	assert_int_equal(si->nr, 316);
	assert_string_equal(si->event, "file.rename");
	assert_int_equal(si->desc.path_arg, 1);
	assert_int_equal(si->desc.dirfd_arg, 0);
	assert_int_equal(si->desc.path2_arg, 3);
	assert_int_equal(si->desc.dirfd2_arg, 2);
	assert_int_equal(si->desc.flags_arg, 4);
	assert_int_equal(si->desc.mode_arg, CA_ARG_NONE);

	si = syscall_table_by_nr(257);
	assert_non_null(si);
	assert_string_equal(si->name, "openat");
	assert_int_equal(si->desc.kind, CA_SC_OPEN);

	si = syscall_table_by_nr(59);
	assert_non_null(si);
	assert_string_equal(si->name, "execve");
	assert_int_equal(si->desc.kind, CA_SC_EXEC);
}

static void test_syscall_names(void **state)
{
	(void)state;
	assert_string_equal(syscall_name(0), "read");
	assert_string_equal(syscall_name(2), "open");
	assert_string_equal(syscall_name(59), "execve");
	assert_string_equal(syscall_name(257), "openat");
	assert_string_equal(syscall_name(316), "renameat2");
	assert_string_equal(syscall_name(322), "execveat");
	assert_string_equal(syscall_name(437), "openat2");
	assert_string_equal(syscall_name(452), "fchmodat2");
	assert_null(syscall_name(CA_SYSCALL_MAX));
	assert_null(syscall_name(UINT32_MAX));
	/* names are unique and plain identifiers */
	for (unsigned a = 0; a < CA_SYSCALL_MAX; a++) {
		const char *na = syscall_name(a);

		if (!na)
			continue;
		assert_true(na[0] != '\0');
		for (const char *p = na; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
				    *p == '_');
		for (unsigned b = a + 1; b < CA_SYSCALL_MAX; b++) {
			const char *nb = syscall_name(b);

			if (nb && strcmp(na, nb) == 0)
				fail_msg("syscall name %s at %u and %u", na, a, b);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_info_layout),
		cmocka_unit_test(test_event_layout),
		cmocka_unit_test(test_sc_desc_layout),
		cmocka_unit_test(test_runtime_cfg_layout),
		cmocka_unit_test(test_payload_layouts),
		cmocka_unit_test(test_ia32_table),
		cmocka_unit_test(test_enum_values),
		cmocka_unit_test(test_flag_values),
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_event_max_bound),
		cmocka_unit_test(test_syscall_table_rows),
		cmocka_unit_test(test_syscall_table_lookups),
		cmocka_unit_test(test_syscall_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
