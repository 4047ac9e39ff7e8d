// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The policy evaluated on the facts of one operation (docs/policy.md
 * "Semantics"): auditd's first match per list, the kernel's comparator on
 * 32-bit values, and three-valued predicates for facts a record may lack. A
 * predicate on an unknown fact is unknown; a rule with an unknown predicate
 * (and no false one) selects when it is an always rule and is passed over
 * when it is a never rule, so a missing fact can only make caudit record
 * more, never suppress what a rule asked for.
 *
 * Only the rules that can apply are visited: the compiled index gives, per
 * ABI and syscall number, the exit rules naming it (rules for every syscall
 * included), in evaluation order.
 */
#include <string.h>
#include <sys/socket.h>

#include "caudit_policy.h"
#include "rules_match.h"
#include "rules_priv.h"

enum tri { T_FALSE = 0, T_TRUE = 1, T_UNKNOWN = 2 };

/* A fact group's state as the value of a predicate that cannot be computed. */
static enum tri missing(int state)
{
	return state == RULES_FACT_ABSENT ? T_FALSE : T_UNKNOWN;
}

/* The kernel's audit_comparator(): unsigned 32-bit. */
static int cmp_u32(uint32_t l, unsigned op, uint32_t r)
{
	switch (op) {
	case RULES_OP_EQ:
		return l == r;
	case RULES_OP_NE:
		return l != r;
	case RULES_OP_LT:
		return l < r;
	case RULES_OP_GT:
		return l > r;
	case RULES_OP_LE:
		return l <= r;
	case RULES_OP_GE:
		return l >= r;
	case RULES_OP_MASK:
		return (l & r) != 0;
	case RULES_OP_TEST:
		return (l & r) == r;
	default:
		return 0;
	}
}

/* exit: ordered comparisons signed, so that exit<0 means "failed" (bit tests as bits). */
static int cmp_s32(uint32_t l, unsigned op, uint32_t r)
{
	int32_t sl = (int32_t)l, sr = (int32_t)r;

	switch (op) {
	case RULES_OP_LT:
		return sl < sr;
	case RULES_OP_GT:
		return sl > sr;
	case RULES_OP_LE:
		return sl <= sr;
	case RULES_OP_GE:
		return sl >= sr;
	default:
		return cmp_u32(l, op, r);
	}
}

/* The state of an integer fact without a have_* member (saddr_fam, ports). */
static int int_state(int v)
{
	if (v >= 0)
		return 1;
	return v == RULES_NUM_ABSENT ? RULES_FACT_ABSENT : RULES_FACT_UNKNOWN;
}

/*
 * A numeric fact: 1 with *v set, or the group's state (RULES_FACT_UNKNOWN or
 * RULES_FACT_ABSENT) when there is no value. Values are cut to 32 bits as the
 * kernel compares them (inode, exit, a0-a3).
 */
static int num_fact(const struct rules_facts *f, unsigned field, uint32_t *v)
{
	switch (field) {
	case RF_PID:
		*v = f->pid;
		return 1;
	case RF_PPID:
		*v = f->ppid;
		return 1;
	case RF_UID:
		*v = f->uid;
		return 1;
	case RF_EUID:
		*v = f->euid;
		return 1;
	case RF_SUID:
		*v = f->suid;
		return 1;
	case RF_FSUID:
		*v = f->fsuid;
		return 1;
	case RF_GID:
		*v = f->gid;
		return 1;
	case RF_EGID:
		*v = f->egid;
		return 1;
	case RF_SGID:
		*v = f->sgid;
		return 1;
	case RF_FSGID:
		*v = f->fsgid;
		return 1;
	case RF_AUID:
		*v = f->auid;
		return 1;
	case RF_SESSIONID:
		*v = f->sessionid;
		return 1;
	case RF_LOGINUID_SET:
		*v = f->auid != UINT32_MAX;
		return 1;
	case RF_PERS:
		*v = f->pers;
		return f->have_pers == RULES_FACT_KNOWN ? 1 : f->have_pers;
	case RF_EXIT:
		*v = (uint32_t)f->exit;
		return f->have_result == RULES_FACT_KNOWN ? 1 : f->have_result;
	case RF_SUCCESS:
		*v = f->exit >= 0;
		return f->have_result == RULES_FACT_KNOWN ? 1 : f->have_result;
	case RF_A0:
	case RF_A1:
	case RF_A2:
	case RF_A3:
		*v = (uint32_t)f->a[field - RF_A0];
		return f->have_args == RULES_FACT_KNOWN ? 1 : f->have_args;
	case RF_OBJ_UID:
		*v = f->obj_uid;
		break;
	case RF_OBJ_GID:
		*v = f->obj_gid;
		break;
	case RF_FILETYPE:
		*v = f->mode & 0170000; /* S_IFMT */
		break;
	case RF_INODE:
		*v = (uint32_t)f->inode;
		break;
	case RF_DEVMAJOR:
		*v = f->devmajor;
		break;
	case RF_DEVMINOR:
		*v = f->devminor;
		break;
	case RF_SADDR_FAM:
		*v = (uint32_t)f->saddr_fam;
		return int_state(f->saddr_fam);
	case RF_LPORT:
		*v = (uint32_t)f->lport;
		return int_state(f->lport);
	case RF_RPORT:
		*v = (uint32_t)f->rport;
		return int_state(f->rport);
	default:
		return RULES_FACT_UNKNOWN;
	}
	/* the file object's fields */
	return f->have_obj == RULES_FACT_KNOWN ? 1 : f->have_obj;
}

static enum tri num_pred(const struct rules_facts *f, const struct rules_pred *pr)
{
	uint32_t v = 0, w = 0;
	int s = num_fact(f, pr->field, &v);

	if (pr->kind == RULES_V_FIELD) {
		/* -C: false when either side is absent, unknown when either is unknown */
		int s2 = num_fact(f, pr->num, &w);

		if (s == RULES_FACT_ABSENT || s2 == RULES_FACT_ABSENT)
			return T_FALSE;
		if (s != 1 || s2 != 1)
			return T_UNKNOWN;
		return cmp_u32(v, pr->op, w) ? T_TRUE : T_FALSE;
	}
	if (s != 1)
		return missing(s);
	if (pr->flags & RULES_PRED_SIGNED)
		return cmp_s32(v, pr->op, pr->num) ? T_TRUE : T_FALSE;
	return cmp_u32(v, pr->op, pr->num) ? T_TRUE : T_FALSE;
}

/* dir: the directory itself or anything below it, at a component boundary. */
static int path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* path/dir: true when either path of the operation matches. */
static enum tri path_pred(const struct rules_policy *p, const struct rules_facts *f,
			  const struct rules_pred *pr)
{
	const char *want = rules_str(p, pr->str);
	enum tri res = T_FALSE;

	for (int i = 0; i < 2; i++) {
		if (f->have_path[i] == RULES_FACT_KNOWN && f->path[i]) {
			if (pr->field == RF_PATH ? strcmp(f->path[i], want) == 0
						 : path_under(f->path[i], want))
				return T_TRUE;
		} else if (f->have_path[i] != RULES_FACT_ABSENT) {
			res = T_UNKNOWN;
		}
	}
	return res;
}

static enum tri str_pred(const struct rules_policy *p, const struct rules_facts *f,
			 const struct rules_pred *pr)
{
	enum tri t;

	switch (pr->field) {
	case RF_PATH:
	case RF_DIR:
		t = path_pred(p, f, pr);
		break;
	case RF_EXE:
		if (!f->exe)
			return T_UNKNOWN;
		t = strcmp(f->exe, rules_str(p, pr->str)) == 0 ? T_TRUE : T_FALSE;
		break;
	default:
		return T_UNKNOWN;
	}
	if (pr->op == RULES_OP_NE && t != T_UNKNOWN)
		t = t == T_TRUE ? T_FALSE : T_TRUE;
	return t;
}

/* addr (family AF_INET/AF_INET6) inside the predicate's CIDR; ::ffff:a.b.c.d counts as IPv4. */
static int in_cidr(unsigned family, const uint8_t *addr, const struct rules_pred *pr)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	unsigned bits = pr->prefix, full = bits / 8;

	if (family == AF_INET6 && pr->family == 4 && memcmp(addr, mapped, 12) == 0) {
		addr += 12;
		family = AF_INET;
	}
	if (!((family == AF_INET && pr->family == 4) || (family == AF_INET6 && pr->family == 6)))
		return 0;
	if (bits > (pr->family == 4 ? 32u : 128u))
		return 0;
	if (memcmp(addr, pr->addr, full))
		return 0;
	if (bits % 8) {
		uint8_t mask = (uint8_t)(0xff00 >> (bits % 8));

		return (addr[full] & mask) == (pr->addr[full] & mask);
	}
	return 1;
}

static enum tri cidr_pred(const struct rules_facts *f, const struct rules_pred *pr)
{
	int state, in;

	switch (pr->field) {
	case RF_LADDR:
		state = f->have_laddr;
		in = state == RULES_FACT_KNOWN && in_cidr(f->lfamily, f->laddr, pr);
		break;
	case RF_RADDR:
		state = f->have_raddr;
		in = state == RULES_FACT_KNOWN && in_cidr(f->rfamily, f->raddr, pr);
		break;
	case RF_ORIGIN:
		/* a process without an origin (ABSENT, or family 0) is from no network: != holds */
		if (f->have_origin == RULES_FACT_UNKNOWN)
			return T_UNKNOWN;
		state = RULES_FACT_KNOWN;
		in = f->have_origin == RULES_FACT_KNOWN && in_cidr(f->ofamily, f->oaddr, pr);
		break;
	default:
		return T_UNKNOWN;
	}
	if (state != RULES_FACT_KNOWN)
		return missing(state);
	return (pr->op == RULES_OP_NE ? !in : in) ? T_TRUE : T_FALSE;
}

/*
 * perm: the compiler kept only the syscalls of the letters' classes in the
 * rule's bitmaps, so what is left is the kernel's run-time test of an open's
 * access mode (ACC_MODE: O_RDONLY reads, O_WRONLY writes, O_RDWR both;
 * O_CREAT and O_TRUNC do not count, as in audit_match_perm()).
 */
static enum tri perm_pred(const struct rules_facts *f, unsigned nr_abi, uint32_t perm)
{
	static const uint8_t acc_mode[4] = {RULES_PERM_R, RULES_PERM_W, RULES_PERM_R | RULES_PERM_W,
					    RULES_PERM_R | RULES_PERM_W};

	if (nr_abi >= CA_SYSCALL_MAX)
		return T_FALSE; /* no syscall (or none this ABI's rules can name): in no class */
	if (!ca_pol_is_open(f->nr))
		return T_TRUE;
	if (f->have_open_flags != RULES_FACT_KNOWN)
		return missing(f->have_open_flags);
	return (acc_mode[f->open_flags & 3] & perm) ? T_TRUE : T_FALSE;
}

static enum tri pred_eval(const struct rules_policy *p, const struct rules_facts *f,
			  unsigned nr_abi, const struct rules_pred *pr)
{
	if (pr->flags & RULES_PRED_IGNORED)
		return T_TRUE; /* warned when read: the condition is dropped */
	switch (pr->kind) {
	case RULES_V_STR:
		return str_pred(p, f, pr);
	case RULES_V_CIDR:
		return cidr_pred(f, pr);
	case RULES_V_FIELD:
		return num_pred(f, pr);
	default:
		if (pr->field == RF_PERM)
			return perm_pred(f, nr_abi, pr->num);
		return num_pred(f, pr);
	}
}

/* All predicates of r: false if one is false, else unknown if one is unknown. */
static enum tri rule_eval(const struct rules_policy *p, const struct rules_rule *r,
			  const struct rules_facts *f, unsigned nr_abi)
{
	enum tri res = T_TRUE;

	for (unsigned i = 0; i < r->npred && i < RULES_MAX_FIELDS; i++) {
		enum tri t = pred_eval(p, f, nr_abi, &r->pred[i]);

		if (t == T_FALSE)
			return T_FALSE;
		if (t == T_UNKNOWN)
			res = T_UNKNOWN;
	}
	return res;
}

/*
 * Walk the rules whose bits are set in bits (words long) in index order.
 * Returns 1 (always rule selected, *sel), 0 (never rule decided), or -1
 * (no rule decided).
 */
static int first_match(const struct rules_policy *p, const uint64_t *bits, unsigned words,
		       const struct rules_facts *f, unsigned nr_abi, unsigned *sel)
{
	for (unsigned w = 0; w < words; w++) {
		for (uint64_t x = bits[w]; x; x &= x - 1) {
			unsigned i = w * 64 + (unsigned)__builtin_ctzll(x);
			const struct rules_rule *r;
			enum tri t;

			if (i >= p->nrules)
				return -1;
			r = &p->rules[i];
			t = rule_eval(p, r, f, nr_abi);
			/* errs toward recording: unknown selects for always, not for never */
			if (r->always && t != T_FALSE) {
				*sel = i;
				return 1;
			}
			if (!r->always && t == T_TRUE)
				return 0;
		}
	}
	return -1;
}

int rules_match(const struct rules_policy *p, const struct rules_facts *f, unsigned *rule)
{
	unsigned abi = f->abi, nr = f->nr, sel = 0;
	const uint64_t *bits;
	int r;

	if (!p || !p->compiled || abi >= RULES_ABI_COUNT || !p->index[abi])
		return 0;
	/* b32 rules name i386 numbers; the record carries the x86_64 row */
	if (nr >= CA_SYSCALL_MAX)
		nr = CA_SYSCALL_MAX;
	else if (abi == RULES_ABI_32)
		nr = p->nr32[nr];
	/* task list: a never rule suppresses, an always rule ends the list */
	if (first_match(p, p->task[abi], p->index_words, f, nr, &sel) == 0)
		return 0;
	if (nr < CA_SYSCALL_MAX)
		bits = p->index[abi] + (size_t)nr * p->index_words;
	else
		bits = p->allsc[abi];
	r = first_match(p, bits, p->index_words, f, nr, &sel);
	if (r != 1)
		return 0;
	*rule = sel;
	return 1;
}
