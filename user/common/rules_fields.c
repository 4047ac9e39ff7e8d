// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The field table of the rule language: each -F field's name, value kind,
 * allowed operators, the lists it applies to, and why caudit cannot honour
 * it when it cannot (docs/policy.md "Fields"). Plus the value parsers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rules_priv.h"

#define L_EXIT RULES_LB(RULES_LIST_EXIT)
#define L_TASK RULES_LB(RULES_LIST_TASK)
#define L_EXCL RULES_LB(RULES_LIST_EXCLUDE)
#define L_USER RULES_LB(RULES_LIST_USER)
#define L_FS RULES_LB(RULES_LIST_FILESYSTEM)
#define L_PROC (L_EXIT | L_TASK | L_EXCL | L_USER) /* fields of the calling process */

#define SELINUX "SELinux labels are not available to caudit"

static const struct rules_field_info fields[] = {
    {"arch", RF_ARCH, VT_ARCH, OPS_EQNE, L_EXIT | L_TASK, 0, NULL},
    {"pid", RF_PID, VT_U32, OPS_ALL, L_PROC, 0, NULL},
    {"ppid", RF_PPID, VT_U32, OPS_ALL, L_EXIT | L_TASK, 0, NULL},
    {"uid", RF_UID, VT_UID, OPS_ALL, L_PROC, 1, NULL},
    {"euid", RF_EUID, VT_UID, OPS_ALL, L_PROC, 1, NULL},
    {"suid", RF_SUID, VT_UID, OPS_ALL, L_PROC, 1, NULL},
    {"fsuid", RF_FSUID, VT_UID, OPS_ALL, L_PROC, 1, NULL},
    {"gid", RF_GID, VT_GID, OPS_ALL, L_PROC, 2, NULL},
    {"egid", RF_EGID, VT_GID, OPS_ALL, L_PROC, 2, NULL},
    {"sgid", RF_SGID, VT_GID, OPS_ALL, L_PROC, 2, NULL},
    {"fsgid", RF_FSGID, VT_GID, OPS_ALL, L_PROC, 2, NULL},
    {"auid", RF_AUID, VT_UID, OPS_ALL, L_PROC, 1, NULL},
    {"loginuid", RF_AUID, VT_UID, OPS_ALL, L_PROC, 1, NULL},
    {"sessionid", RF_SESSIONID, VT_UID, OPS_ALL, L_EXIT | L_TASK, 0, NULL},
    {"success", RF_SUCCESS, VT_BOOL, OPS_EQNE, L_EXIT, 0, NULL},
    {"exit", RF_EXIT, VT_EXIT, OPS_ALL, L_EXIT, 0, NULL},
    {"a0", RF_A0, VT_ARG, OPS_ALL, L_EXIT, 0, NULL},
    {"a1", RF_A1, VT_ARG, OPS_ALL, L_EXIT, 0, NULL},
    {"a2", RF_A2, VT_ARG, OPS_ALL, L_EXIT, 0, NULL},
    {"a3", RF_A3, VT_ARG, OPS_ALL, L_EXIT, 0, NULL},
    {"key", RF_KEY, VT_KEY, OPS_EQ, L_PROC | L_FS, 0, NULL},
    {"path", RF_PATH, VT_PATH, OPS_EQ, L_EXIT, 0, NULL},
    {"dir", RF_DIR, VT_PATH, OPS_EQ, L_EXIT, 0, NULL},
    {"perm", RF_PERM, VT_PERM, OPS_EQ, L_EXIT, 0, NULL},
    {"exe", RF_EXE, VT_STR, OPS_EQNE, L_EXIT | L_EXCL | L_USER, 0, NULL},
    {"filetype", RF_FILETYPE, VT_FILETYPE, OPS_EQNE, L_EXIT, 0, NULL},
    {"obj_uid", RF_OBJ_UID, VT_UID, OPS_ALL, L_EXIT, 1, NULL},
    {"obj_gid", RF_OBJ_GID, VT_GID, OPS_ALL, L_EXIT, 2, NULL},
    {"inode", RF_INODE, VT_U32, OPS_EQNE, L_EXIT, 0, NULL},
    {"devmajor", RF_DEVMAJOR, VT_U32, OPS_EQNE, L_EXIT, 0, NULL},
    {"devminor", RF_DEVMINOR, VT_U32, OPS_EQNE, L_EXIT, 0, NULL},
    {"saddr_fam", RF_SADDR_FAM, VT_FAMILY, OPS_EQNE, L_EXIT, 0, NULL},
    {"pers", RF_PERS, VT_U32, OPS_ALL, L_EXIT | L_TASK, 0, NULL},
    {"loginuid_set", RF_LOGINUID_SET, VT_BOOL, OPS_EQNE, L_PROC, 0, NULL},
    {"fstype", RF_FSTYPE, VT_FSTYPE, OPS_EQNE, L_FS, 0, NULL},
    {"msgtype", RF_MSGTYPE, VT_U32, OPS_ALL, L_EXCL | L_USER, 0,
     "caudit's records are not kernel audit message types"},
    /* caudit extensions (docs/policy.md "Extensions") */
    {"laddr", RF_LADDR, VT_CIDR, OPS_EQNE, L_EXIT, 0, NULL},
    {"raddr", RF_RADDR, VT_CIDR, OPS_EQNE, L_EXIT, 0, NULL},
    {"lport", RF_LPORT, VT_PORT, OPS_ORD, L_EXIT, 0, NULL},
    {"rport", RF_RPORT, VT_PORT, OPS_ORD, L_EXIT, 0, NULL},
    {"origin", RF_ORIGIN, VT_CIDR, OPS_EQNE, L_PROC, 0, NULL},
    /* accepted, never honoured: warned */
    {"subj_user", RF_SUBJ_USER, VT_LABEL, OPS_EQNE, L_PROC, 0, SELINUX},
    {"subj_role", RF_SUBJ_ROLE, VT_LABEL, OPS_EQNE, L_PROC, 0, SELINUX},
    {"subj_type", RF_SUBJ_TYPE, VT_LABEL, OPS_EQNE, L_PROC, 0, SELINUX},
    {"subj_sen", RF_SUBJ_SEN, VT_LABEL, OPS_ORD, L_PROC, 0, SELINUX},
    {"subj_clr", RF_SUBJ_CLR, VT_LABEL, OPS_ORD, L_PROC, 0, SELINUX},
    {"obj_user", RF_OBJ_USER, VT_LABEL, OPS_EQNE, L_EXIT, 0, SELINUX},
    {"obj_role", RF_OBJ_ROLE, VT_LABEL, OPS_EQNE, L_EXIT, 0, SELINUX},
    {"obj_type", RF_OBJ_TYPE, VT_LABEL, OPS_EQNE, L_EXIT, 0, SELINUX},
    {"obj_lev_low", RF_OBJ_LEV_LOW, VT_LABEL, OPS_ORD, L_EXIT, 0, SELINUX},
    {"obj_lev_high", RF_OBJ_LEV_HIGH, VT_LABEL, OPS_ORD, L_EXIT, 0, SELINUX},
    {"exe_children", RF_EXE_CHILDREN, VT_STR, OPS_EQNE, L_EXIT, 0,
     "process-tree matching is not implemented yet"},
};

const struct rules_field_info *rules_field_by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strlen(fields[i].name) == len && !memcmp(fields[i].name, name, len))
			return &fields[i];
	return NULL;
}

const struct rules_field_info *rules_field_by_id(unsigned id)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].id == id)
			return &fields[i];
	return NULL;
}

const char *rules_field_name(unsigned id)
{
	const struct rules_field_info *f = rules_field_by_id(id);

	return f ? f->name : "?";
}

static const char *const op_names[] = {
    [RULES_OP_EQ] = "=",  [RULES_OP_NE] = "!=", [RULES_OP_LT] = "<",   [RULES_OP_GT] = ">",
    [RULES_OP_LE] = "<=", [RULES_OP_GE] = ">=", [RULES_OP_MASK] = "&", [RULES_OP_TEST] = "&=",
};

const char *rules_op_name(unsigned op)
{
	return op >= 1 && op <= RULES_OP_TEST ? op_names[op] : "?";
}

/* The operator at s: two-character operators first. */
int rules_op_parse(const char *s, size_t len, unsigned *op, size_t *oplen)
{
	static const unsigned order[] = {RULES_OP_NE, RULES_OP_LE, RULES_OP_GE, RULES_OP_TEST,
					 RULES_OP_EQ, RULES_OP_LT, RULES_OP_GT, RULES_OP_MASK};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		size_t n = strlen(op_names[order[i]]);

		if (len >= n && !memcmp(s, op_names[order[i]], n)) {
			*op = order[i];
			*oplen = n;
			return 0;
		}
	}
	return -EINVAL;
}

/* Checked numbers: base 0 (auditctl accepts 0x.. and 0.. octal), all of s consumed. */
int rules_parse_u32(const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno || x > UINT32_MAX)
		return -ERANGE;
	*v = (uint32_t)x;
	return 0;
}

/* A 32-bit value written signed or unsigned: -1 and 4294967295 are the same bits. */
int rules_parse_s32(const char *s, uint32_t *v)
{
	long long x;
	char *end;

	if (*s != '-')
		return rules_parse_u32(s, v);
	if (s[1] < '0' || s[1] > '9')
		return -EINVAL;
	errno = 0;
	x = strtoll(s, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno || x < INT32_MIN)
		return -ERANGE;
	*v = (uint32_t)(int32_t)x;
	return 0;
}

/* "EPERM" -> 1, using the C library's own names (strerrorname_np, no I/O). */
int rules_errno_by_name(const char *s, int *err)
{
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, s)) {
			*err = e;
			return 0;
		}
	}
	return -ENOENT;
}

/* b64/b32 and the machine names auditctl knows; this host is x86_64. */
int rules_arch_parse(const char *s, unsigned *abi, char *msg, size_t n)
{
	static const char *const b64[] = {"b64", "x86_64", "0xc000003e", "0xC000003E"};
	static const char *const b32[] = {"b32", "i386", "i486", "i586", "i686", "0x40000003"};
	static const char *const other[] = {
	    "aarch64", "arm",	  "armeb", "armv5tejl", "armv5tel", "armv6l",  "armv7l",     "ppc",
	    "ppc64",   "ppc64le", "s390",  "s390x",	"ia64",	    "riscv64", "loongarch64"};

	for (size_t i = 0; i < sizeof(b64) / sizeof(b64[0]); i++)
		if (!strcmp(s, b64[i])) {
			*abi = RULES_ABI_64;
			return 0;
		}
	for (size_t i = 0; i < sizeof(b32) / sizeof(b32[0]); i++)
		if (!strcmp(s, b32[i])) {
			*abi = RULES_ABI_32;
			return 0;
		}
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (!strcmp(s, other[i])) {
			snprintf(msg, n, "is not this host's machine (x86_64): use b64 or b32");
			return -EINVAL;
		}
	snprintf(msg, n, "is not an arch (b64, b32, x86_64, i386)");
	return -EINVAL;
}

int rules_perm_parse(const char *s, uint32_t *perm)
{
	uint32_t p = 0;

	if (!*s || strlen(s) > 4)
		return -EINVAL;
	for (; *s; s++) {
		switch (*s) {
		case 'r':
			p |= RULES_PERM_R;
			break;
		case 'w':
			p |= RULES_PERM_W;
			break;
		case 'x':
			p |= RULES_PERM_X;
			break;
		case 'a':
			p |= RULES_PERM_A;
			break;
		default:
			return -EINVAL;
		}
	}
	*perm = p;
	return 0;
}

/* File types as S_IF* values, the numbers the kernel compares. */
int rules_filetype_parse(const char *s, uint32_t *v)
{
	static const struct {
		const char *n;
		uint32_t v;
	} t[] = {
	    {"file", 0100000},	  {"dir", 0040000},	  {"socket", 0140000}, {"link", 0120000},
	    {"symlink", 0120000}, {"character", 0020000}, {"block", 0060000},  {"fifo", 0010000},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(s, t[i].n)) {
			*v = t[i].v;
			return 0;
		}
	return -EINVAL;
}

/* The file systems auditctl names (their superblock magic numbers). */
int rules_fstype_parse(const char *s, uint32_t *v)
{
	if (!strcmp(s, "debugfs"))
		*v = 0x64626720;
	else if (!strcmp(s, "tracefs"))
		*v = 0x74726163;
	else
		return rules_parse_u32(s, v) ? -EINVAL : 0;
	return 0;
}

int rules_family_parse(const char *s, uint32_t *v)
{
	if (!strcmp(s, "unix") || !strcmp(s, "local"))
		*v = AF_UNIX;
	else if (!strcmp(s, "inet"))
		*v = AF_INET;
	else if (!strcmp(s, "inet6"))
		*v = AF_INET6;
	else if (!strcmp(s, "netlink"))
		*v = AF_NETLINK;
	else if (rules_parse_u32(s, v) || *v >= AF_MAX)
		return -EINVAL;
	return 0;
}

/* ADDR or ADDR/PREFIX, IPv4 or IPv6; host bits beyond the prefix must be zero. */
int rules_cidr_parse(const char *s, struct rules_pred *pr)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max, prefix;
	uint32_t pv;

	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(pr->addr, 0, sizeof(pr->addr));
	if (inet_pton(AF_INET, buf, pr->addr) == 1) {
		pr->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, pr->addr) == 1) {
		pr->family = 6;
		max = 128;
	} else {
		return -EINVAL;
	}
	prefix = max;
	if (slash) {
		if (rules_parse_u32(slash + 1, &pv) || pv > max || (slash[1] == '0' && slash[2]))
			return -EINVAL;
		prefix = pv;
	}
	for (unsigned b = prefix; b < max; b++)
		if (pr->addr[b / 8] & (0x80 >> (b % 8)))
			return -EINVAL;
	pr->prefix = (uint8_t)prefix;
	return 0;
}
