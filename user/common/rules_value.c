// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * -F FIELD OP VALUE: checks the field against the table (operators, lists),
 * turns the value into a typed predicate (numbers, ids by name, errno names,
 * arch, perm, file types, CIDR), and handles what cannot be honoured: the
 * field is warned about and the rule errs toward recording (an always rule
 * drops the condition, a never rule becomes inert).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "path.h"
#include "rules_value.h"

static void ops_text(unsigned ops, char *buf, size_t n)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned op = RULES_OP_EQ; op <= RULES_OP_TEST; op++)
		if (ops & (1u << op))
			o += (size_t)snprintf(buf + o, o < n ? n - o : 0, "%s%s", o ? " " : "",
					      rules_op_name(op));
}

static int valid_text(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int rules_value_key(struct rules_policy *p, struct line *L, const char *key, unsigned col)
{
	size_t n = strlen(key);

	if (L->r.list == RULES_LIST_EXIT && !L->anchor)
		return line_err(p, L, col,
				"a key needs -S, -w, path, dir, perm or exe before it on the exit "
				"list (as auditctl)");
	if (!valid_text(key))
		return line_err(p, L, col, "key contains a control character");
	if (L->r.nkeys >= RULES_MAX_KEYS)
		return line_err(p, L, col, "more than %d keys in a rule", RULES_MAX_KEYS);
	/* the kernel joins a rule's keys with \001 into one AUDIT_MAX_KEY_LEN field */
	if (L->keylen + (L->keylen ? 1 : 0) + n > RULES_MAX_KEY_LEN)
		return line_err(p, L, col, "keys of a rule exceed %d bytes", RULES_MAX_KEY_LEN);
	L->keylen += (L->keylen ? 1 : 0) + n;
	L->r.keys[L->r.nkeys++] = rules_pool_add(p, key, n);
	return 0;
}

/* uid, gid, auid... : a number, -1 or unset (4294967295), or a name looked up now. */
static int id_value(struct rules_policy *p, struct line *L, const struct rules_field_info *f,
		    const char *v, unsigned col, uint32_t *out)
{
	int (*lookup)(const char *, uint32_t *, void *) =
	    f->vtype == VT_UID ? p->env.user : p->env.group;
	const char *what = f->vtype == VT_UID ? "user" : "group";
	char q[80];
	int r;

	if (!strcmp(v, "unset") || !strcmp(v, "-1")) {
		*out = UINT32_MAX;
		return 0;
	}
	r = rules_parse_u32(v, out);
	if (r == 0)
		return 0;
	rules_quote(q, sizeof(q), v, strlen(v));
	if (r == -ERANGE || (v[0] >= '0' && v[0] <= '9') || v[0] == '-' || f->id == RF_SESSIONID)
		return line_err(p, L, col,
				"%s: '%s' is not a number from 0 to 4294967295, -1 or "
				"unset",
				f->name, q);
	r = lookup ? lookup(v, out, p->env.ctx) : -ENOENT;
	if (r == -ENOENT) {
		/* auditctl refuses the rule; a pack naming a user this host lacks must still load
		 */
		rules_diag(p, RULES_WARNING, col,
			   "unknown %s '%s': the rule can never match and is kept inert", what, q);
		L->r.flags |= RULES_RULE_INERT;
		*out = UINT32_MAX;
		return 0;
	}
	if (r)
		return line_err(p, L, col, "cannot look up %s '%s' (%s)", what, q,
				strerrorname_np(-r) ? strerrorname_np(-r) : "error");
	return 0;
}

static int value_num(struct rules_policy *p, struct line *L, const struct rules_field_info *f,
		     const char *v, unsigned col, struct rules_pred *pr)
{
	char q[80], msg[96];
	uint32_t n = 0;
	int e;

	rules_quote(q, sizeof(q), v, strlen(v));
	switch (f->vtype) {
	case VT_UID:
	case VT_GID:
		return id_value(p, L, f, v, col, &pr->num);
	case VT_U32:
		if (rules_parse_u32(v, &n))
			return line_err(p, L, col, "%s: '%s' is not a number from 0 to 4294967295",
					f->name, q);
		break;
	case VT_ARG:
		if (rules_parse_s32(v, &n))
			return line_err(p, L, col, "%s: '%s' is not a 32-bit number", f->name, q);
		break;
	case VT_EXIT:
		pr->flags |= RULES_PRED_SIGNED;
		if (!rules_parse_s32(v, &n))
			break;
		if (rules_errno_by_name(v[0] == '-' ? v + 1 : v, &e))
			return line_err(p, L, col,
					"exit: '%s' is not a number or an errno name "
					"(-EPERM)",
					q);
		n = (uint32_t)(v[0] == '-' ? -e : e);
		break;
	case VT_BOOL:
		if (rules_parse_u32(v, &n) || n > 1)
			return line_err(p, L, col, "%s takes 0 or 1, not '%s'", f->name, q);
		break;
	case VT_ARCH:
		if (rules_arch_parse(v, &n, msg, sizeof(msg)))
			return line_err(p, L, col, "arch: '%s' %s", q, msg);
		break;
	case VT_PERM:
		if (rules_perm_parse(v, &n))
			return line_err(p, L, col, "perm takes letters from rwxa, not '%s'", q);
		break;
	case VT_FILETYPE:
		if (rules_filetype_parse(v, &n))
			return line_err(p, L, col,
					"filetype: '%s' is not file, dir, socket, link, "
					"character, block or fifo",
					q);
		break;
	case VT_FSTYPE:
		if (rules_fstype_parse(v, &n))
			return line_err(p, L, col,
					"fstype: '%s' is not debugfs, tracefs or a "
					"magic number",
					q);
		break;
	case VT_FAMILY:
		if (rules_family_parse(v, &n))
			return line_err(p, L, col, "saddr_fam: '%s' is not an address family", q);
		break;
	case VT_PORT:
		if (rules_parse_u32(v, &n) || n > 65535)
			return line_err(p, L, col, "%s: '%s' is not a port from 0 to 65535",
					f->name, q);
		break;
	default:
		break;
	}
	pr->num = n;
	return 0;
}

static int value_str(struct rules_policy *p, struct line *L, const struct rules_field_info *f,
		     const char *v, unsigned col, struct rules_pred *pr)
{
	size_t n = strlen(v);

	if (n >= RULES_MAX_VALUE)
		return line_err(p, L, col, "%s: value longer than %d bytes", f->name,
				RULES_MAX_VALUE - 1);
	if (!valid_text(v))
		return line_err(p, L, col, "%s: value contains a control character", f->name);
	if ((f->vtype == VT_PATH || f->id == RF_EXE) && v[0] != '/')
		return line_err(p, L, col, "%s needs an absolute path", f->name);
	if (f->vtype == VT_PATH) {
		if (L->has_path)
			return line_err(p, L, col, "only one path or dir per rule");
		L->has_path = 1;
		/* dir=/var/log/audit/ and dir=/var/log/audit are the same tree */
		while (n > 1 && v[n - 1] == '/')
			n--;
	}
	if (f->vtype == VT_PATH || f->id == RF_EXE) {
		/* records carry normal paths: /etc//passwd and /etc/./passwd are /etc/passwd */
		char norm[RULES_MAX_VALUE];
		int k = path_resolve(NULL, 0, v, n, norm, sizeof(norm));

		if (k > 0) {
			pr->kind = RULES_V_STR;
			pr->str = rules_pool_add(p, norm, (size_t)k);
			return 0;
		}
	}
	pr->kind = RULES_V_STR;
	pr->str = rules_pool_add(p, v, n);
	return 0;
}

int rules_value_field(struct rules_policy *p, struct line *L, const char *arg, unsigned col)
{
	const struct rules_field_info *f;
	struct rules_pred pr = {0};
	size_t i = strcspn(arg, "=!<>&"), oplen;
	const char *v;
	unsigned op;
	char q[80], ops[40];

	rules_quote(q, sizeof(q), arg, i);
	if (i == 0)
		return line_err(p, L, col, "-F needs a field name before the operator");
	if (!arg[i] || rules_op_parse(arg + i, strlen(arg + i), &op, &oplen))
		return line_err(p, L, col,
				"-F needs FIELD OP VALUE (ops: = != < > <= >= & &=), "
				"not '%s'",
				q);
	v = arg + i + oplen;
	f = rules_field_by_name(arg, i);
	if (!f)
		return line_err(p, L, col, "unknown field '%s'", q);
	if (!(f->ops & (1u << op))) {
		ops_text(f->ops, ops, sizeof(ops));
		return line_err(p, L, col + (unsigned)i, "%s takes %s, not %s", f->name, ops,
				rules_op_name(op));
	}
	if (!*v)
		return line_err(p, L, col + (unsigned)(i + oplen), "%s has no value after %s",
				f->name, rules_op_name(op));
	if (!(f->lists & RULES_LB(L->r.list)))
		return line_err(p, L, col, "%s cannot be used on the %s list", f->name,
				rules_list_name(L->r.list));
	col += (unsigned)(i + oplen);
	if (f->id == RF_KEY)
		return rules_value_key(p, L, v, col);
	if (f->id == RF_ARCH) {
		if (L->sc_given)
			return line_err(p, L, col - (unsigned)(i + oplen),
					"arch must be given before -S (as auditctl requires)");
		if (L->arch_given)
			return line_err(p, L, col, "arch given twice");
	}
	if (f->id == RF_PERM && L->perm_given)
		return line_err(p, L, col, "perm given twice");
	if (L->r.npred >= RULES_MAX_FIELDS)
		return line_err(p, L, col, "more than %d fields in a rule", RULES_MAX_FIELDS);
	pr.field = f->id;
	pr.op = (uint8_t)op;
	pr.kind = RULES_V_NUM;
	switch (f->vtype) {
	case VT_STR:
	case VT_PATH:
	case VT_LABEL:
		if (value_str(p, L, f, v, col, &pr))
			return -1;
		break;
	case VT_CIDR:
		if (rules_cidr_parse(v, &pr)) {
			rules_quote(q, sizeof(q), v, strlen(v));
			return line_err(p, L, col,
					"%s: '%s' is not an IPv4 or IPv6 address or "
					"CIDR with zero host bits",
					f->name, q);
		}
		pr.kind = RULES_V_CIDR;
		break;
	default:
		if (value_num(p, L, f, v, col, &pr))
			return -1;
	}
	switch (f->id) {
	case RF_ARCH: {
		/* arch!=b32 on this two-ABI host is arch=b64 */
		L->arch_given = 1;
		L->arch_abi = op == RULES_OP_NE ? !pr.num : pr.num;
		L->arch_ne = op == RULES_OP_NE;
		return 0; /* the rule's ABI set, not a predicate */
	}
	case RF_PERM:
		L->perm_given = 1;
		L->perm = pr.num;
		L->anchor = 1;
		break;
	case RF_PATH:
	case RF_DIR:
	case RF_EXE:
		L->anchor = 1;
		break;
	default:
		break;
	}
	if (f->unsupported) {
		pr.flags |= RULES_PRED_IGNORED;
		L->unsupported = 1;
		if (L->r.always) {
			rules_diag(p, RULES_WARNING, col - (unsigned)(i + oplen),
				   "%s is not honoured (%s): the condition is dropped, so the rule "
				   "matches more",
				   f->name, f->unsupported);
		} else {
			rules_diag(p, RULES_WARNING, col - (unsigned)(i + oplen),
				   "%s is not honoured (%s): this never rule is disabled, so it "
				   "suppresses nothing",
				   f->name, f->unsupported);
			L->r.flags |= RULES_RULE_INERT;
		}
	}
	L->r.pred[L->r.npred++] = pr;
	return 0;
}
