// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * From parsed rules to the compiled policy: syscall names per ABI, the
 * kernel's permission classes, the per-syscall rule index of the exit list,
 * the canonical serialization and its hash (the "policy hash"), and the
 * summary. The canonical form describes behaviour only (no file names, line
 * numbers or comments), so two rule sets that select the same records the
 * same way hash the same.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "rules_priv.h"
#include "syscall_table.h"

int rules_syscall_nr(unsigned abi, const char *name)
{
	for (unsigned nr = 0; nr < CA_SYSCALL_MAX; nr++) {
		const char *n = abi == RULES_ABI_32 ? syscall_name32(nr) : syscall_name(nr);

		if (n && !strcmp(n, name))
			return (int)nr;
	}
	return -ENOENT;
}

/*
 * The kernel's audit classes (include/asm-generic/audit_{read,write,dir_write,
 * change_attr}.h, and execve for exec): a perm=/-p rule only matches the
 * syscalls of the classes its letters name. The open family is in r and w
 * because the kernel decides those by the open's access mode at run time.
 */
static const char *const class_read[] = {"readlink",   "quotactl", "listxattr", "llistxattr",
					 "flistxattr", "getxattr", "lgetxattr", "fgetxattr",
					 "readlinkat", NULL};
static const char *const class_write[] = {
    /* audit_dir_write.h */
    "rename", "mkdir", "rmdir", "creat", "link", "unlink", "symlink", "mknod", "mkdirat", "mknodat",
    "unlinkat", "renameat", "linkat", "symlinkat", "renameat2",
    /* audit_write.h */
    "acct", "swapon", "quotactl", "truncate", "truncate64", "ftruncate", "ftruncate64", "bind",
    "fallocate", NULL};
static const char *const class_attr[] = {
    "chmod",	     "fchmod",	  "chown",     "lchown",      "fchown",
    "setxattr",	     "lsetxattr", "fsetxattr", "removexattr", "lremovexattr",
    "fremovexattr",  "fchownat",  "fchmodat",  "chown32",     "fchown32",
    "lchown32",	     "link",	  "linkat",    "fchmodat2",   "setxattrat",
    "removexattrat", NULL};
static const char *const class_exec[] = {"execve", "execveat", NULL};
/*
 * open_by_handle_at is in no kernel class (auditd's watches miss it); caudit
 * decides it by its access mode like the other opens, so a watch cannot be
 * evaded by opening the file by handle (docs/policy.md).
 */
static const char *const class_open[] = {"open", "openat", "openat2", "open_by_handle_at", NULL};

static void add_class(unsigned abi, const char *const *names, uint64_t *sc)
{
	for (; *names; names++) {
		int nr = rules_syscall_nr(abi, *names);

		if (nr >= 0)
			rules_sc_set(sc, (unsigned)nr);
	}
}

void rules_perm_syscalls(unsigned abi, uint32_t perm, uint64_t *sc)
{
	if (perm & RULES_PERM_R)
		add_class(abi, class_read, sc);
	if (perm & RULES_PERM_W)
		add_class(abi, class_write, sc);
	if (perm & (RULES_PERM_R | RULES_PERM_W))
		add_class(abi, class_open, sc);
	if (perm & RULES_PERM_A)
		add_class(abi, class_attr, sc);
	if (perm & RULES_PERM_X)
		add_class(abi, class_exec, sc);
}

/* A growing text buffer for the canonical form; a failure sticks. */
struct cbuf {
	char *s;
	size_t len, cap;
	int failed;
};

static void cb_printf(struct cbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cb_printf(struct cbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	if (!b->s) {
		b->s = malloc(b->cap = 4096);
		if (!b->s) {
			b->failed = 1;
			return;
		}
	}
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap * 2 + (size_t)n + 1;
		char *ns = realloc(b->s, cap);

		if (!ns) {
			b->failed = 1;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
}

static void canon_rule(struct cbuf *b, const struct rules_policy *p, const struct rules_rule *r)
{
	cb_printf(b, "rule list=%s action=%s abis=%u inert=%u allsc=%u\n", rules_list_name(r->list),
		  r->always ? "always" : "never", r->abis, !!(r->flags & RULES_RULE_INERT),
		  !!(r->flags & RULES_RULE_ALLSC));
	for (unsigned a = 0; a < RULES_ABI_COUNT; a++) {
		if (!(r->abis & (1u << a)) || r->list != RULES_LIST_EXIT)
			continue;
		cb_printf(b, " sc%s=", a == RULES_ABI_32 ? "32" : "64");
		for (unsigned w = 0; w < RULES_SC_WORDS; w++)
			cb_printf(b, "%016llx", (unsigned long long)r->sc[a][w]);
		cb_printf(b, "\n");
	}
	for (unsigned i = 0; i < r->npred; i++) {
		const struct rules_pred *pr = &r->pred[i];

		cb_printf(b, " pred %s %s flags=%u ", rules_field_name(pr->field),
			  rules_op_name(pr->op), pr->flags);
		switch (pr->kind) {
		case RULES_V_STR: {
			const char *s = rules_str(p, pr->str);

			cb_printf(b, "str=%zu:%s\n", strlen(s), s);
			break;
		}
		case RULES_V_CIDR: {
			char hex[33];

			for (int k = 0; k < 16; k++)
				snprintf(hex + 2 * k, 3, "%02x", pr->addr[k]);
			cb_printf(b, "cidr=%u/%s/%u\n", pr->family, hex, pr->prefix);
			break;
		}
		case RULES_V_FIELD:
			cb_printf(b, "field=%s\n", rules_field_name(pr->num));
			break;
		default:
			cb_printf(b, "num=%u\n", pr->num);
		}
	}
	for (unsigned k = 0; k < r->nkeys; k++) {
		const char *s = rules_str(p, r->keys[k]);

		cb_printf(b, " key %zu:%s\n", strlen(s), s);
	}
}

/*
 * The reverse of the ia32 -> x86_64 mapping the BPF side applies
 * (include/caudit_syscalls_ia32.def): records of 32-bit calls carry the
 * x86_64 number, b32 rules name i386 numbers.
 */
static void build_nr32(struct rules_policy *p)
{
	for (unsigned nr = 0; nr < CA_SYSCALL_MAX; nr++)
		p->nr32[nr] = CA_SYSCALL_MAX;
	for (unsigned i = 0; i < syscall_table_ia32_count(); i++) {
		unsigned nr32 = CA_SYSCALL_MAX;
		const struct ca_syscall_info *si = syscall_table_ia32_at(i, &nr32);

		if (si && si->nr >= 0 && si->nr < CA_SYSCALL_MAX && nr32 < CA_SYSCALL_MAX)
			p->nr32[si->nr] = (uint16_t)nr32;
	}
}

static int build_index(struct rules_policy *p)
{
	unsigned words = (p->nrules + 63) / 64;

	if (!words)
		words = 1;
	for (unsigned a = 0; a < RULES_ABI_COUNT; a++) {
		free(p->index[a]);
		free(p->allsc[a]);
		free(p->task[a]);
		p->index[a] = calloc((size_t)CA_SYSCALL_MAX * words, sizeof(uint64_t));
		p->allsc[a] = calloc(words, sizeof(uint64_t));
		p->task[a] = calloc(words, sizeof(uint64_t));
		if (!p->index[a] || !p->allsc[a] || !p->task[a])
			return -ENOMEM;
	}
	p->index_words = words;
	build_nr32(p);
	for (unsigned i = 0; i < p->nrules; i++) {
		const struct rules_rule *r = &p->rules[i];

		if (r->flags & RULES_RULE_INERT)
			continue;
		if (r->list == RULES_LIST_TASK) {
			for (unsigned a = 0; a < RULES_ABI_COUNT; a++)
				if (r->abis & (1u << a))
					rules_sc_set(p->task[a], i);
			continue;
		}
		if (r->list != RULES_LIST_EXIT)
			continue;
		for (unsigned a = 0; a < RULES_ABI_COUNT; a++) {
			if (!(r->abis & (1u << a)))
				continue;
			if (r->flags & RULES_RULE_ALLSC)
				rules_sc_set(p->allsc[a], i);
			for (unsigned nr = 0; nr < CA_SYSCALL_MAX; nr++)
				if (rules_sc_test(r->sc[a], nr))
					rules_sc_set(p->index[a] + (size_t)nr * words, i);
		}
	}
	return 0;
}

int rules_compile(struct rules_policy *p)
{
	struct cbuf b = {0};
	const struct rules_control *c = &p->ctl;

	p->cur_file = NULL;
	p->cur_line = 0;
	if (build_index(p)) {
		rules_diag(p, RULES_ERROR, 0, "out of memory");
		return (int)p->nerrors;
	}
	cb_printf(&b, "caudit-policy 1\n");
	cb_printf(&b,
		  "control backlog=%lld failure=%lld rate=%lld enabled=%lld "
		  "backlog_wait_time=%lld\n",
		  (long long)c->backlog, (long long)c->failure, (long long)c->rate,
		  (long long)c->enabled, (long long)c->backlog_wait_time);
	for (unsigned i = 0; i < p->nrules; i++)
		canon_rule(&b, p, &p->rules[i]);
	if (b.failed) {
		free(b.s);
		rules_diag(p, RULES_ERROR, 0, "out of memory");
		return (int)p->nerrors;
	}
	free(p->canon);
	p->canon = b.s;
	p->canon_len = b.len;
	cr_hash_hex(p->canon, p->canon_len, p->hash);
	p->compiled = 1;
	return (int)p->nerrors;
}

const char *rules_canonical(const struct rules_policy *p, size_t *len)
{
	if (!p->compiled)
		return NULL;
	if (len)
		*len = p->canon_len;
	return p->canon;
}

const char *rules_hash_hex(const struct rules_policy *p)
{
	return p->compiled ? p->hash : NULL;
}

const uint64_t *rules_index(const struct rules_policy *p, enum rules_list list, enum rules_abi abi,
			    unsigned nr, unsigned *words)
{
	if (!p->compiled || list != RULES_LIST_EXIT || abi >= RULES_ABI_COUNT ||
	    nr >= CA_SYSCALL_MAX)
		return NULL;
	*words = p->index_words;
	return p->index[abi] + (size_t)nr * p->index_words;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void rules_get_summary(const struct rules_policy *p, struct rules_summary *s)
{
	uint64_t hooked[RULES_ABI_COUNT][RULES_SC_WORDS] = {{0}};
	const char **keys;
	size_t nkeys = 0;

	memset(s, 0, sizeof(*s));
	s->warnings = p->nwarnings;
	s->errors = p->nerrors;
	keys = calloc((size_t)p->nrules * RULES_MAX_KEYS + 1, sizeof(*keys));
	for (unsigned i = 0; i < p->nrules; i++) {
		const struct rules_rule *r = &p->rules[i];

		s->rules[r->list]++;
		for (unsigned k = 0; k < r->npred; k++)
			if (r->pred[k].field == RF_PATH || r->pred[k].field == RF_DIR) {
				s->watches++;
				break;
			}
		for (unsigned k = 0; keys && k < r->nkeys; k++)
			keys[nkeys++] = rules_str(p, r->keys[k]);
		if (r->list != RULES_LIST_EXIT || !r->always || (r->flags & RULES_RULE_INERT))
			continue;
		for (unsigned a = 0; a < RULES_ABI_COUNT; a++)
			if (r->abis & (1u << a))
				for (unsigned w = 0; w < RULES_SC_WORDS; w++)
					hooked[a][w] |= r->sc[a][w];
	}
	for (unsigned a = 0; a < RULES_ABI_COUNT; a++)
		for (unsigned nr = 0; nr < CA_SYSCALL_MAX; nr++)
			if (rules_sc_test(hooked[a], nr) &&
			    (a == RULES_ABI_32 ? syscall_name32(nr) : syscall_name(nr)))
				s->syscalls[a]++;
	if (keys) {
		qsort(keys, nkeys, sizeof(*keys), cmp_str);
		for (size_t i = 0; i < nkeys; i++)
			if (i == 0 || strcmp(keys[i], keys[i - 1]))
				s->keys++;
		free(keys);
	}
}
