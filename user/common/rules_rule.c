// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The options of one rule line: -a/-A/-d action,list, -S, -C, -k, -w/-W, -p,
 * and the rule's completion (perm narrowing the syscalls, ABIs, -A/-d/-W).
 * -F values are turned into predicates by rules_value.c. auditctl's order
 * constraints are kept: the list comes first, arch comes before -S, and on
 * the exit list a key needs a syscall, path, dir, perm or exe before it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "rules_line.h"
#include "rules_value.h"
#include "syscall_table.h"

int line_err(struct rules_policy *p, struct line *L, unsigned col, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (p->ctl.ignore_errors)
		rules_diag(p, RULES_WARNING, col, "%s (rule skipped: -i)", buf);
	else
		rules_diag(p, RULES_ERROR, col, "%s", buf);
	L->failed = 1;
	return -1;
}

/* "always,exit" or "exit,always". */
static int parse_action(struct rules_policy *p, struct line *L, const char *arg, unsigned col)
{
	static const char *const lists[] = {"exit", "task", "exclude", "user", "filesystem"};
	const char *comma = strchr(arg, ',');
	int action = -1, list = -1;
	char q[80];

	rules_quote(q, sizeof(q), arg, strlen(arg));
	if (!comma || strchr(comma + 1, ',')) {
		return line_err(p, L, col, "expected ACTION,LIST (e.g. always,exit), not '%s'", q);
	}
	for (int part = 0; part < 2; part++) {
		const char *s = part ? comma + 1 : arg;
		size_t n = part ? strlen(comma + 1) : (size_t)(comma - arg);
		unsigned c = col + (unsigned)(s - arg);
		int found = 0;

#define EQ(w) (n == sizeof(w) - 1 && !memcmp(s, w, n))
		if (EQ("always") || EQ("never")) {
			if (action >= 0)
				return line_err(p, L, c, "two actions in '%s'", q);
			action = EQ("always");
			found = 1;
		} else if (EQ("entry")) {
			return line_err(p, L, c,
					"the entry list was removed from Linux (2.6.31): "
					"use exit");
		} else if (EQ("possible")) {
			return line_err(p, L, c,
					"the possible action was removed from Linux: use "
					"always");
		}
#undef EQ
		for (int i = 0; i < RULES_LIST_COUNT && !found; i++)
			if (n == strlen(lists[i]) && !memcmp(s, lists[i], n)) {
				if (list >= 0)
					return line_err(p, L, c, "two lists in '%s'", q);
				list = i;
				found = 1;
			}
		if (!found) {
			char q2[80];

			rules_quote(q2, sizeof(q2), s, n);
			return line_err(p, L, c,
					"unknown action or list '%s' (always, never; exit, task, "
					"exclude, user, filesystem)",
					q2);
		}
	}
	L->r.always = (uint8_t)action;
	L->r.list = (uint8_t)list;
	L->have_action = 1;
	return 0;
}

static int syscall_add(struct rules_policy *p, struct line *L, const char *name, size_t n,
		       unsigned col)
{
	char buf[64], q[80];
	uint32_t nr;
	int r;

	if (n == 0 || n >= sizeof(buf)) {
		rules_quote(q, sizeof(q), name, n);
		return line_err(p, L, col, "'%s' is not a syscall", q);
	}
	memcpy(buf, name, n);
	buf[n] = '\0';
	if (!strcmp(buf, "all")) {
		L->sc_all = 1;
		return 0;
	}
	if (buf[0] >= '0' && buf[0] <= '9') {
		if (rules_parse_u32(buf, &nr) || nr >= CA_SYSCALL_MAX) {
			rules_quote(q, sizeof(q), buf, n);
			return line_err(p, L, col, "syscall number '%s' is out of range (0-%d)", q,
					CA_SYSCALL_MAX - 1);
		}
		rules_sc_set(L->sc_tmp, nr);
		return 0;
	}
	r = rules_syscall_nr(L->arch_abi, buf);
	if (r < 0) {
		rules_quote(q, sizeof(q), buf, n);
		return line_err(p, L, col, "unknown syscall '%s' for arch %s", q,
				L->arch_abi == RULES_ABI_32 ? "b32" : "b64");
	}
	if (!L->arch_given && !L->mismatch_warned && rules_syscall_nr(RULES_ABI_32, buf) != r) {
		/* auditctl's "32/64 bit syscall mismatch": the kernel matches the number in both */
		rules_diag(p, RULES_WARNING, col,
			   "-S %s without -F arch: number %d is matched in both ABIs, as auditd "
			   "does; add -F arch=b64 or b32",
			   buf, r);
		L->mismatch_warned = 1;
	}
	rules_sc_set(L->sc_tmp, (unsigned)r);
	return 0;
}

static int parse_syscalls(struct rules_policy *p, struct line *L, const char *arg, unsigned col)
{
	const char *s = arg;

	if (L->mode == 'w' || L->mode == 'W')
		return line_err(p, L, col, "-S cannot be combined with -w");
	if (L->r.list != RULES_LIST_EXIT)
		return line_err(p, L, col, "-S can only be used on the exit list, not %s",
				rules_list_name(L->r.list));
	L->sc_given = 1;
	L->anchor = 1;
	for (;;) {
		const char *c = strchr(s, ',');
		size_t n = c ? (size_t)(c - s) : strlen(s);

		if (syscall_add(p, L, s, n, col + (unsigned)(s - arg)))
			return -1;
		if (!c)
			return 0;
		s = c + 1;
	}
}

/* -C f1=f2 / f1!=f2: two uid-like or two gid-like fields. */
static int parse_compare(struct rules_policy *p, struct line *L, const char *arg, unsigned col)
{
	const struct rules_field_info *a, *b;
	size_t i = strcspn(arg, "=!<>&"), oplen;
	unsigned op;
	char q[80];

	if (L->r.list != RULES_LIST_EXIT)
		return line_err(p, L, col, "-C can only be used on the exit list");
	if (i == 0)
		return line_err(p, L, col, "-C needs a field name before the operator");
	if (!arg[i] || rules_op_parse(arg + i, strlen(arg + i), &op, &oplen))
		return line_err(p, L, col, "-C needs FIELD=FIELD or FIELD!=FIELD");
	if (op != RULES_OP_EQ && op != RULES_OP_NE)
		return line_err(p, L, col + (unsigned)i, "-C takes = or !=, not %s",
				rules_op_name(op));
	a = rules_field_by_name(arg, i);
	b = rules_field_by_name(arg + i + oplen, strlen(arg + i + oplen));
	if (!a || !a->cmp || !b || !b->cmp) {
		const char *bad = (!a || !a->cmp) ? arg : arg + i + oplen;

		rules_quote(q, sizeof(q), bad, (!a || !a->cmp) ? i : strlen(bad));
		return line_err(
		    p, L, col + (unsigned)(bad - arg),
		    "-C cannot compare '%s' (uid, euid, suid, fsuid, auid, obj_uid, gid, "
		    "egid, sgid, fsgid, obj_gid)",
		    q);
	}
	if (a->cmp != b->cmp)
		return line_err(p, L, col, "-C cannot compare a uid field with a gid field");
	if (a->id == b->id)
		return line_err(p, L, col, "-C compares '%s' with itself", a->name);
	if (L->r.npred >= RULES_MAX_FIELDS)
		return line_err(p, L, col, "more than %d fields in a rule", RULES_MAX_FIELDS);
	L->r.pred[L->r.npred++] = (struct rules_pred){
	    .field = a->id, .op = (uint8_t)op, .kind = RULES_V_FIELD, .num = b->id};
	return 0;
}

static int parse_watch(struct rules_policy *p, struct line *L, char opt, unsigned optcol,
		       const char *arg, unsigned col)
{
	if (L->mode)
		return line_err(p, L, optcol, "-%c cannot be combined with -%c", opt, L->mode);
	if (arg[0] != '/')
		return line_err(p, L, col, "-%c needs an absolute path", opt);
	if (strlen(arg) >= RULES_MAX_VALUE)
		return line_err(p, L, col, "path longer than %d bytes", RULES_MAX_VALUE - 1);
	L->mode = opt;
	L->mode_col = optcol;
	L->watch = arg;
	L->watch_col = col;
	L->anchor = 1;
	L->r.list = RULES_LIST_EXIT;
	L->r.always = 1;
	L->r.flags |= RULES_RULE_WATCH;
	return 0;
}

void line_option(struct rules_policy *p, struct line *L, char opt, unsigned optcol, const char *arg,
		 unsigned col)
{
	switch (opt) {
	case 'a':
	case 'A':
	case 'd':
		if (L->mode) {
			line_err(p, L, optcol, "-%c cannot be combined with -%c", opt, L->mode);
			return;
		}
		L->mode = opt;
		L->mode_col = optcol;
		parse_action(p, L, arg, col);
		return;
	case 'w':
	case 'W':
		parse_watch(p, L, opt, optcol, arg, col);
		return;
	case 'p':
		if (L->mode != 'w' && L->mode != 'W') {
			line_err(p, L, optcol, "-p needs -w before it");
		} else if (L->p_given) {
			line_err(p, L, optcol, "-p given twice");
		} else if (rules_perm_parse(arg, &L->perm)) {
			line_err(p, L, col, "-p takes letters from rwxa");
		} else {
			L->p_given = 1;
			L->perm_given = 1;
		}
		return;
	default:
		break;
	}
	if (!L->mode) {
		line_err(p, L, optcol, "-%c needs -a, -A or -d (the list) before it", opt);
		return;
	}
	switch (opt) {
	case 'S':
		parse_syscalls(p, L, arg, col);
		break;
	case 'C':
		parse_compare(p, L, arg, col);
		break;
	case 'k':
		rules_value_key(p, L, arg, col);
		break;
	case 'F':
		if (L->mode == 'w' || L->mode == 'W')
			line_err(p, L, optcol, "-F cannot be combined with -w (use -a with path=)");
		else
			rules_value_field(p, L, arg, col);
		break;
	}
}

static int rule_equal(const struct rules_policy *p, const struct rules_rule *a,
		      const struct rules_rule *b)
{
	if (a->list != b->list || a->always != b->always || a->abis != b->abis ||
	    a->npred != b->npred || a->nkeys != b->nkeys || memcmp(a->sc, b->sc, sizeof(a->sc)))
		return 0;
	for (unsigned i = 0; i < a->npred; i++) {
		struct rules_pred x = a->pred[i], y = b->pred[i];

		if (x.kind == RULES_V_STR && y.kind == RULES_V_STR &&
		    strcmp(rules_str(p, x.str), rules_str(p, y.str)))
			return 0;
		x.str = y.str = 0;
		if (memcmp(&x, &y, sizeof(x)))
			return 0;
	}
	for (unsigned i = 0; i < a->nkeys; i++)
		if (strcmp(rules_str(p, a->keys[i]), rules_str(p, b->keys[i])))
			return 0;
	return 1;
}

/* -w PATH: path=PATH (or dir=PATH for a directory) perm=P, like auditctl builds it. */
static int watch_preds(struct rules_policy *p, struct line *L)
{
	size_t n = strlen(L->watch);
	int dir =
	    L->watch[n - 1] == '/' || (p->env.is_dir && p->env.is_dir(L->watch, p->env.ctx) == 1);
	struct rules_pred pr = {.op = RULES_OP_EQ, .kind = RULES_V_STR};
	char norm[RULES_MAX_VALUE];
	int k;

	if (L->r.npred + 2 > RULES_MAX_FIELDS)
		return line_err(p, L, L->watch_col, "more than %d fields in a rule",
				RULES_MAX_FIELDS);
	/* the rule's own fields come after path and perm, as auditctl orders them */
	memmove(&L->r.pred[2], &L->r.pred[0], L->r.npred * sizeof(pr));
	pr.field = dir ? RF_DIR : RF_PATH;
	while (n > 1 && L->watch[n - 1] == '/')
		n--;
	/* records carry normal paths: compare with the normal form of the watch */
	k = path_resolve(NULL, 0, L->watch, n, norm, sizeof(norm));
	pr.str = k > 0 ? rules_pool_add(p, norm, (size_t)k) : rules_pool_add(p, L->watch, n);
	L->r.pred[0] = pr;
	L->r.pred[1] = (struct rules_pred){.field = RF_PERM,
					   .op = RULES_OP_EQ,
					   .kind = RULES_V_NUM,
					   .num = L->p_given ? L->perm : 0xf};
	L->r.npred += 2;
	L->has_path = 1;
	L->perm_given = 1;
	L->perm = L->r.pred[1].num;
	return 0;
}

void line_finish(struct rules_policy *p, struct line *L)
{
	struct rules_rule *r = &L->r;
	unsigned abis;

	if (!L->mode)
		return;
	if ((L->mode == 'a' || L->mode == 'A' || L->mode == 'd') && !L->have_action)
		return;
	if ((L->mode == 'w' || L->mode == 'W') && watch_preds(p, L))
		return;
	r->file = p->nfiles - 1;
	r->line = p->cur_line;
	if (r->list == RULES_LIST_EXIT) {
		abis = L->arch_given ? (1u << L->arch_abi) : 3u;
		if (!L->sc_given || L->sc_all)
			r->flags |= RULES_RULE_ALLSC;
		for (unsigned a = 0; a < RULES_ABI_COUNT; a++) {
			uint64_t cls[RULES_SC_WORDS] = {0};

			if (!(abis & (1u << a)))
				continue;
			for (unsigned w = 0; w < RULES_SC_WORDS; w++)
				r->sc[a][w] = (r->flags & RULES_RULE_ALLSC) ? ~0ULL : L->sc_tmp[w];
			if (!L->perm_given)
				continue;
			/* the kernel's perm test only passes for the syscalls of its classes */
			rules_perm_syscalls(a, L->perm, cls);
			for (unsigned w = 0; w < RULES_SC_WORDS; w++)
				r->sc[a][w] &= cls[w];
		}
		r->abis = (uint8_t)abis;
	} else {
		r->abis = L->arch_given ? (uint8_t)(1u << L->arch_abi) : 3u;
	}
	if (r->list == RULES_LIST_USER || r->list == RULES_LIST_EXCLUDE) {
		rules_diag(p, RULES_WARNING, L->mode_col,
			   r->list == RULES_LIST_USER
			       ? "the user list filters messages programs send to the kernel's "
				 "audit daemon; caudit does not receive them: rule has no effect"
			       : "the exclude list drops kernel audit record types; caudit writes "
				 "its own records: rule has no effect");
		r->flags |= RULES_RULE_INERT;
	}
	if (L->mode == 'd' || L->mode == 'W') {
		for (unsigned i = 0; i < p->nrules; i++) {
			if (!rule_equal(p, &p->rules[i], r))
				continue;
			memmove(&p->rules[i], &p->rules[i + 1], (p->nrules - i - 1) * sizeof(*r));
			p->nrules--;
			return;
		}
		line_err(p, L, L->mode_col,
			 L->mode == 'd' ? "-d: no such rule to delete"
					: "-W: no such watch to delete");
		return;
	}
	if (p->nrules >= RULES_MAX_RULES) {
		line_err(p, L, L->mode_col, "more than %d rules", RULES_MAX_RULES);
		return;
	}
	if (p->nrules == p->cap) {
		unsigned cap = p->cap ? p->cap * 2 : 64;
		struct rules_rule *nr = realloc(p->rules, cap * sizeof(*nr));

		if (!nr) {
			line_err(p, L, L->mode_col, "out of memory");
			return;
		}
		p->rules = nr;
		p->cap = cap;
	}
	if (L->mode == 'A') {
		memmove(&p->rules[1], &p->rules[0], p->nrules * sizeof(*r));
		p->rules[0] = *r;
	} else {
		p->rules[p->nrules] = *r;
	}
	p->nrules++;
}
