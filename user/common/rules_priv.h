/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Internals shared by rules_lex.c, rules_fields.c, rules_parse.c and rules_compile.c. */
#ifndef CAUDIT_RULES_PRIV_H
#define CAUDIT_RULES_PRIV_H

#include <stdarg.h>

#include "rules.h"

struct rules_policy {
	struct rules_env env;
	struct rules_control ctl;
	struct rules_rule *rules; /* evaluation order (-A inserts at the front) */
	unsigned nrules, cap;
	char *pool; /* strings, NUL-terminated, offset 0 is "" */
	size_t pool_len, pool_cap;
	char **files;
	unsigned nfiles;
	size_t text_total;
	struct rules_diag *diags;
	unsigned ndiags, diag_cap, nwarnings, nerrors;
	/* the line being parsed */
	const char *cur_file;
	unsigned cur_line;
	/* rules_compile */
	int compiled;
	char *canon;
	size_t canon_len;
	char hash[65];
	uint64_t *index[RULES_ABI_COUNT]; /* exit list: [nr][words] */
	unsigned index_words;
	/* for rules_match (rules_match.c), built with the index */
	uint64_t *allsc[RULES_ABI_COUNT]; /* exit rules with RULES_RULE_ALLSC: [words] */
	uint64_t *task[RULES_ABI_COUNT];  /* task list rules: [words] */
	uint16_t nr32[CA_SYSCALL_MAX];	  /* x86_64 number -> i386 number of a captured
					     ia32 call, CA_SYSCALL_MAX when none */
};

/* A word of a line and its 1-based column. */
struct rules_tok {
	const char *s;
	unsigned len;
	unsigned col;
};

/* rules_lex.c: split a line (no NUL inside) into words; -E2BIG past RULES_MAX_TOKENS. */
int rules_lex_line(const char *line, size_t len, struct rules_tok *toks, unsigned max,
		   unsigned *ntok);
/* Copy a word for messages: at most 64 bytes, control and non-ASCII bytes as '?'. */
void rules_quote(char *dst, size_t n, const char *s, size_t len);

/* Diagnostics at the current file:line. */
void rules_diag(struct rules_policy *p, int severity, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
uint32_t rules_pool_add(struct rules_policy *p, const char *s, size_t len);

/* rules_fields.c: the field table. */
#define RULES_LB(l) (1u << (l))
enum rules_vtype {
	VT_UID = 1,
	VT_GID,
	VT_U32,
	VT_ARG,
	VT_EXIT,
	VT_BOOL,
	VT_ARCH,
	VT_PERM,
	VT_FILETYPE,
	VT_STR,
	VT_PATH,
	VT_KEY,
	VT_MSGTYPE,
	VT_FSTYPE,
	VT_CIDR,
	VT_PORT,
	VT_FAMILY,
	VT_LABEL,
};
#define OPS_EQ (1u << RULES_OP_EQ)
#define OPS_EQNE (OPS_EQ | (1u << RULES_OP_NE))
#define OPS_ORD                                                                                    \
	(OPS_EQNE | (1u << RULES_OP_LT) | (1u << RULES_OP_GT) | (1u << RULES_OP_LE) |              \
	 (1u << RULES_OP_GE))
#define OPS_ALL (OPS_ORD | (1u << RULES_OP_MASK) | (1u << RULES_OP_TEST))

struct rules_field_info {
	const char *name;
	uint16_t id;		 /* enum rules_field */
	uint8_t vtype;		 /* enum rules_vtype */
	uint16_t ops;		 /* allowed ops, bit per enum rules_op */
	uint8_t lists;		 /* RULES_LB() of lists it applies to */
	uint8_t cmp;		 /* -C group: 1 uid-like, 2 gid-like, 0 not comparable */
	const char *unsupported; /* NULL, or why caudit cannot honour it */
};

const struct rules_field_info *rules_field_by_name(const char *name, size_t len);
const struct rules_field_info *rules_field_by_id(unsigned id);
int rules_op_parse(const char *s, size_t len, unsigned *op, size_t *oplen);

/* Value parsers: 0 or -EINVAL/-ERANGE/-ENOENT; msg explains a failure. */
int rules_parse_u32(const char *s, uint32_t *v);
int rules_parse_s32(const char *s, uint32_t *v);
int rules_errno_by_name(const char *s, int *err);
int rules_arch_parse(const char *s, unsigned *abi, char *msg, size_t n);
int rules_perm_parse(const char *s, uint32_t *perm);
int rules_filetype_parse(const char *s, uint32_t *v);
int rules_fstype_parse(const char *s, uint32_t *v);
int rules_family_parse(const char *s, uint32_t *v);
int rules_cidr_parse(const char *s, struct rules_pred *pr);

/* Permission bits of -p / perm= (the kernel's AUDIT_PERM_*). */
#define RULES_PERM_X 1
#define RULES_PERM_W 2
#define RULES_PERM_R 4
#define RULES_PERM_A 8

/* rules_compile.c: syscall names and classes. */
int rules_syscall_nr(unsigned abi, const char *name);
/* Or the syscalls of the perm classes into bitmap sc of abi. */
void rules_perm_syscalls(unsigned abi, uint32_t perm, uint64_t *sc);

static inline void rules_sc_set(uint64_t *sc, unsigned nr)
{
	sc[nr / 64] |= 1ULL << (nr % 64);
}

static inline int rules_sc_test(const uint64_t *sc, unsigned nr)
{
	return (sc[nr / 64] >> (nr % 64)) & 1;
}

#endif
